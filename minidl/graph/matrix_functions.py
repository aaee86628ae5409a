"""``tf.linalg.expm``, ``logm`` and ``sqrtm`` (TF1 also ``tf.matrix_square_root``): functions of square matrices —
the op library's ``matrix_exp`` and its principal logarithm and square root (``ops/matrix_functions.py``) — and
the banded solvers ``tf.linalg.tridiagonal_solve``, ``tridiagonal_matmul`` and ``banded_triangular_solve``.

The banded functions take a matrix by its diagonals (TF's formats are below); here they assemble the dense matrix
from them (``diag_embed``) and call the op library's dense solver or product, so their gradients are those ops'
VJPs — with zeros for the entries of a format that TF ignores. That costs O(M³) where TF's banded kernels cost
O(M·K): the same answers, for the sizes a graph holds as dense matrices anyway.

``partial_pivoting=False`` factors without exchanging rows (``lu_factor(pivot=False)``), as TF's Thomas
algorithm does; a zero pivot is then an error even where the matrix is invertible. ``logm`` takes complex matrices
only, as TF's; TF defines no gradient for it, here it has one (the same as ``sqrtm``'s and ``expm``'s).
"""
import functools

from .. import ops
from ..ops.matrix_functions import matrix_log, matrix_sqrt
from .core import rank_error
from .math_ops import FLOATS_AND_COMPLEX, check_dtype, linalg, matmul, matrix_transpose, tf_op, to_tensor

__all__ = ["matrix_square_root"]

_COMPLEX = FLOATS_AND_COMPLEX[3:]


def _square(value, allowed, param="input"):
    x = check_dtype(to_tensor(value), allowed, param)
    if x.shape.rank_known and (len(x.shape) < 2 or None not in x.shape[-2:] and x.shape[-1] != x.shape[-2]):
        raise ValueError(f"{param} must be a batch of square matrices [..., M, M], got shape {x.shape}")
    return x


@tf_op("MatrixExponential")
def expm(input, name=None):
    """exp(A) = Σ Aᵏ/k! of each square matrix [..., M, M] (float or complex)."""
    return ops.matrix_exp(_square(input, FLOATS_AND_COMPLEX))


@tf_op("MatrixLogarithm")
def logm(input, name=None):
    """The principal logarithm of each square complex matrix [..., M, M]: log(exp(A)) = A for A whose eigenvalues
    have imaginary parts in (-π, π). Complex only, as TF's: take a real positive-definite matrix through
    ``tf.cast(a, tf.complex128)`` and back with ``tf.math.real``."""
    return matrix_log(_square(input, _COMPLEX))


@tf_op("MatrixSquareRoot")
def matrix_square_root(input, name=None):
    """The principal square root X (X X = A, eigenvalues in the right half-plane) of each square matrix
    [..., M, M]; it exists where A has no eigenvalue on the closed negative real axis (a real matrix with a
    negative eigenvalue gives NaN; a singular one an error when the graph runs)."""
    return matrix_sqrt(_square(input, FLOATS_AND_COMPLEX))


# ===================================================================================== banded matrices

def _known(dim, what):
    if dim is None:
        raise ValueError(f"{what} must be known when the graph is built")
    return dim


def _from_diagonals(superdiag, maindiag, subdiag):
    """The dense tridiagonal matrices of three [..., M] diagonals (superdiag's last and subdiag's first entry are
    not used)."""
    return (ops.diag_embed(superdiag[..., :-1], 1) + ops.diag_embed(maindiag) +
            ops.diag_embed(subdiag[..., 1:], -1))


def _tridiagonal(diagonals, diagonals_format):
    """The dense matrices [..., M, M] of ``diagonals`` in one of TF's formats: 'compact' [..., 3, M] (superdiag,
    main, subdiag), 'sequence' (three tensors [..., M-1 or M], [..., M], [..., M-1 or M]) or 'matrix' [..., M, M]
    (only its three diagonals are read)."""
    if diagonals_format == "compact":
        x = check_dtype(to_tensor(diagonals), FLOATS_AND_COMPLEX, "diagonals")
        if x.shape.rank_known and len(x.shape) < 2:
            raise ValueError(f"Expected diagonals to have rank at least 2, got {len(x.shape)}")
        if x.shape.rank_known and x.shape[-2] not in (None, 3):
            raise ValueError(f"Expected 3 diagonals got {x.shape[-2]}")
        return _from_diagonals(x[..., 0, :], x[..., 1, :], x[..., 2, :])
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        main = check_dtype(to_tensor(diagonals[1]), FLOATS_AND_COMPLEX, "diagonals")
        m = _known(main.shape[-1] if main.shape.rank_known else None, "the length of the main diagonal")
        parts = []
        for value, what, padding in ((diagonals[0], "superdiag", [0, 1]), (diagonals[2], "subdiag", [1, 0])):
            t = to_tensor(value, main.dtype)
            if t.dtype != main.dtype:
                raise TypeError(f"{what} has dtype {t.dtype.name}, but the main diagonal has {main.dtype.name}")
            n = t.shape[-1] if t.shape.rank_known else None
            if n not in (m, m - 1):
                raise ValueError(f"Expected {what} to be have length {m} or {m - 1}, got {n}.")
            parts.append(t if n == m else ops.pad(t, padding))
        return _from_diagonals(parts[0], main, parts[1])
    if diagonals_format == "matrix":
        x = check_dtype(to_tensor(diagonals), FLOATS_AND_COMPLEX, "diagonals")
        if x.shape.rank_known and None not in x.shape[-2:] and x.shape[-1] != x.shape[-2]:
            raise ValueError(f"Expected last two dimensions of diagonals to be same, got {x.shape[-2]} and "
                             f"{x.shape[-1]}")
        return ops.triu(ops.tril(x, 1), -1)
    raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")


def _matching_rhs(rhs, matrix):
    b = to_tensor(rhs, matrix.dtype)
    if b.dtype != matrix.dtype:
        raise TypeError(f"rhs has dtype {b.dtype.name}, but the diagonals have {matrix.dtype.name}")
    return b


@tf_op("TridiagonalSolve")
def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False, conjugate_rhs=False,
                      name=None, partial_pivoting=True):
    """X with ``A X = rhs`` for the tridiagonal matrices A given by ``diagonals`` (see ``_tridiagonal``). ``rhs``
    is [..., M, K] with the same batch dims as A — or [..., M], one vector per matrix (then ``transpose_rhs`` is
    ignored), giving [..., M]. ``transpose_rhs``/``conjugate_rhs`` transpose/conjugate rhs first. Gaussian
    elimination with row exchanges, or without them if ``partial_pivoting`` is False."""
    a = _tridiagonal(diagonals, diagonals_format)
    b = _matching_rhs(rhs, a)
    vector = b.shape.rank_known and a.shape.rank_known and len(b.shape) == len(a.shape) - 1
    if b.shape.rank_known and a.shape.rank_known and not vector and len(b.shape) != len(a.shape):
        raise ValueError(f"Expected the rank of rhs to be {len(a.shape) - 1} or {len(a.shape)}, got "
                         f"{len(b.shape)}")
    if vector:
        b = ops.unsqueeze(ops.conj(b) if conjugate_rhs else b, -1)
    elif transpose_rhs:
        b = matrix_transpose(b, conjugate=conjugate_rhs)
    elif conjugate_rhs:
        b = ops.conj(b)
    if not a.shape[:-2].is_compatible_with(b.shape[:-2]):
        raise ValueError(f"Expected batch dimensions of diagonals to be same as those of rhs, got "
                         f"{a.shape[:-2]} and {b.shape[:-2]}")
    if partial_pivoting:
        x = ops.linalg_solve(a, b)
    else:
        factors, pivots = ops.linalg_lu_factor(a, pivot=False)
        x = ops.linalg_lu_solve(factors, pivots, b)
    return ops.squeeze(x, -1) if vector else x


@tf_op("TridiagonalMatMul")
def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """``A @ rhs`` for the tridiagonal matrices A given by ``diagonals`` (see ``_tridiagonal``) and rhs
    [..., M, N]."""
    a = _tridiagonal(diagonals, diagonals_format)
    return matmul(a, _matching_rhs(rhs, a))


@tf_op("BandedTriangularSolve")
def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None):
    """X with ``A X = rhs`` (``adjoint``: ``A^H X = rhs``) for the triangular band matrices A [..., M, M] stored
    in ``bands`` [..., K, M] as TF's ``set_diag(..., align='LEFT_RIGHT')`` lays them out: for ``lower``, row d
    holds subdiagonal d (row 0 the main diagonal), right-aligned (A[i, i-d] = bands[d, i]); otherwise row K-1-d
    holds superdiagonal d (the last row the main diagonal), left-aligned (A[i, i+d] = bands[K-1-d, i]).
    The batch dims of bands and rhs [..., M, N] broadcast."""
    x = check_dtype(to_tensor(bands), FLOATS_AND_COMPLEX, "bands")
    if not x.shape.rank_known or len(x.shape) < 2:
        raise rank_error(x)(f"bands must be at least 2-D [..., K, M], got shape {x.shape}")
    k = _known(x.shape[-2], "the number of bands K")
    m = _known(x.shape[-1], "the matrix size M")
    if lower:
        diagonals = [ops.diag_embed(x[..., d, d:], -d) for d in range(min(k, m))]
    else:
        diagonals = [ops.diag_embed(x[..., k - 1 - d, :m - d], d) for d in range(min(k, m))]
    a = functools.reduce(ops.add, diagonals)
    if adjoint:
        a, lower = matrix_transpose(a, conjugate=True), not lower
    return ops.linalg_solve_triangular(a, _matching_rhs(rhs, a), upper=not lower)


for _fn in (expm, logm, tridiagonal_solve, tridiagonal_matmul, banded_triangular_solve):
    setattr(linalg, _fn.__name__, _fn)
linalg.sqrtm = matrix_square_root
