"""Norms of vectors and matrices with torch.linalg's names (``linalg_norm``, ``linalg_vector_norm``,
``linalg_matrix_norm``) and the condition number ``linalg_cond``. Vector norms are ``norm`` (reduce.py); the
matrix norms made of singular values (2, -2, 'nuc') come from ``svdvals`` (decompositions.py).
"""
import numbers

from .base import OpError, apply, describe
from .cast import cast
from .extrema import amax, amin
from .indexing import getitem
from .infer import normalize_dim
from .matrix import INF, InverseOrInf, _float_input, _square_matrices
from .reduce import float_dtype_for, norm, sum
from .shape import squeeze, unsqueeze
from .shape_helpers import movedim
from .special import nan_to_num
from .unary import abs

__all__ = ["linalg_norm", "linalg_vector_norm", "linalg_matrix_norm", "linalg_cond"]


def linalg_vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.vector_norm``: (Σ|x|^ord)^(1/ord) over ``dim`` (None: all entries); ord may be any number,
    inf (the largest |x|), -inf (the smallest) or 0 (the count of non-zeros). It is ``norm`` (reduce.py)."""
    _float_input("linalg.vector_norm", x)
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg.vector_norm: ord must be a number (inf and -inf included), got {ord!r}")
    return norm(x, ord, dim, keepdim, dtype)


def _matrix_dims(op_name, x, dim):
    if x.ndim < 2:
        raise OpError(f"{op_name}: the input tensor A must have at least 2 dimensions, got {describe(x)}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise OpError(f"{op_name}: dim must be a 2-tuple, got {dim!r}")
    rows, cols = (normalize_dim(op_name, int(d), x.ndim) for d in dim)
    if rows == cols:
        raise OpError(f"{op_name}: dims must be different, got {tuple(dim)}")
    return rows, cols


def _largest(values, dim, keepdim=False):
    """The largest of the non-negative ``values`` along ``dim``; of none (a matrix without entries), 0, as in
    PyTorch. (The smallest of none stays an error, there as here.)"""
    shape = values.shape
    if shape is not None and shape[dim] == 0:
        return sum(values, dim, keepdim=keepdim)
    return amax(values, dim, keepdim=keepdim)


def _singular_value_norm(x, ord, rows, cols, keepdim):
    """The matrix norms made of the singular values σ of the matrices spanned by dims ``rows`` and ``cols``:
    'nuc' is Σσ, 2 the largest σ (how far the matrix stretches a unit vector at most), -2 the smallest. Their
    gradients come through ``svdvals``: the gradient of σ_i is u_i v_i^T, so that of the nuclear norm is U V^T."""
    from .decompositions import linalg_svdvals  # the factorizations build on this module: import late
    s = linalg_svdvals(movedim(x, (rows, cols), (-2, -1)))
    out = sum(s, -1) if ord == "nuc" else (_largest if ord > 0 else amin)(s, -1)
    if keepdim:
        for d in sorted((rows, cols)):
            out = unsqueeze(out, d)
    return out


def linalg_matrix_norm(x, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """``torch.linalg.matrix_norm`` of the matrices spanned by the two dims ``dim``: ``'fro'`` (the root of the
    sum of squares), ``'nuc'`` (the sum of the singular values), 2 / -2 (the largest / smallest singular value),
    1 / -1 (the largest / smallest column sum of |x|) and inf / -inf (the same over rows)."""
    _float_input("linalg.matrix_norm", x)
    if dtype is not None:
        x = cast(x, float_dtype_for("linalg.matrix_norm", x, dtype))
    rows, cols = _matrix_dims("linalg.matrix_norm", x, dim)
    if ord == "fro":
        return norm(x, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        return _singular_value_norm(x, ord, rows, cols, keepdim)
    if ord not in (1, -1, INF, -INF):
        raise OpError(f"linalg.matrix_norm: order {ord!r} not supported")
    summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: sum each column (over the rows)
    pick = _largest if ord > 0 else amin
    out = pick(sum(abs(x), summed, keepdim=True), other, keepdim=True)
    return out if keepdim else squeeze(out, (rows, cols))


def linalg_norm(x, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm when ``dim`` is an int (or ``x`` is 1-d), a matrix norm when ``dim``
    is a pair (or ``x`` is 2-d and ``ord`` is given). With neither ``ord`` nor ``dim`` it is the 2-norm of all
    entries (the Frobenius norm of a matrix)."""
    _float_input("linalg.norm", x)
    if isinstance(dim, numbers.Integral) and not isinstance(dim, bool):
        dim = (dim,)
    if dim is not None and (not isinstance(dim, (tuple, list)) or len(dim) not in (1, 2)):
        raise OpError(f"linalg.norm: if dim is specified, it must be of length 1 or 2, got {dim!r}")
    if dim is None and ord is not None:
        if x.ndim not in (1, 2):
            raise OpError(f"linalg.norm: if dim is not specified but ord is, the input must be 1D or 2D, got "
                          f"{describe(x)}")
        dim = tuple(range(x.ndim))
    if isinstance(ord, str) or (dim is not None and len(dim) == 2):
        return linalg_matrix_norm(x, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim,
                                  dtype=dtype)
    return linalg_vector_norm(x, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def linalg_cond(A, p=None):
    """``torch.linalg.cond``: the condition number of each matrix of the batch — at most how much a relative
    error in b grows in the solution x of A x = b. From the singular values σ: with p None, 2 or -2 (any matrix,
    rectangular ones too) σ_max / σ_min (-2: σ_min / σ_max); with 'nuc' Σσ · Σ(1/σ). With 'fro', inf, -inf, 1 or
    -1, ``matrix_norm(A, p) · matrix_norm(A^-1, p)``: inf for a singular A. All but the first three take square
    matrices only. Matrices without entries give 0, as in PyTorch (NumPy leaves that undefined)."""
    _float_input("linalg.cond", A)
    if A.ndim < 2:
        raise OpError(f"linalg.cond: The input tensor must have at least 2 dimensions, got {describe(A)}")
    if isinstance(p, bool) or p not in (None, 2, -2, "fro", "nuc", INF, -INF, 1, -1):
        raise OpError(f"linalg.cond got an invalid norm type: {p}")
    if p not in (None, 2, -2):
        _square_matrices(f"linalg.cond(ord={p})", A)
    if 0 in A.shape[-2:]:
        return sum(abs(A), (-2, -1))  # a sum of no entries: the zeros PyTorch returns, in A's real dtype
    if p not in (None, 2, -2, "nuc"):
        product = linalg_matrix_norm(A, p) * linalg_matrix_norm(apply(InverseOrInf, A), p)
        return nan_to_num(product, INF, INF, -INF)  # 0 · inf, for A = 0: inf too
    from .decompositions import linalg_svdvals  # the factorizations build on this module: import late
    s = linalg_svdvals(A)  # descending: the largest first
    if p == "nuc":
        return sum(s, -1) * sum(1 / s, -1)
    largest, smallest = getitem(s, (Ellipsis, 0)), getitem(s, (Ellipsis, -1))
    return smallest / largest if p == -2 else largest / smallest
