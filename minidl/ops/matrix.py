"""Matrix functions: ``diag``, ``diagonal``, ``diag_embed``, ``trace``, ``inverse``, ``det``, ``addmm``,
``tensordot``, and the norms of ``torch.linalg`` (``linalg_norm``, ``linalg_vector_norm``, ``linalg_matrix_norm``;
``minidl.eager.linalg`` gives them PyTorch's names ``linalg.norm``, ...).

Three ops carry derivatives of their own — the diagonal ops, ``Inverse`` and ``Det`` — each written with matrix
products and the other ops, so second order works; the rest are compositions. Complex matrices follow PyTorch's
convention (conjugate transposes in the gradients).
"""
import builtins
import numbers
import operator

import numpy

from ..backend import dtypes
from .arithmetic import _conj
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .cast import cast
from .extrema import amax, amin
from .infer import broadcast_shapes, normalize_dim
from .linalg import _check_tensors, _mH, _product_operands, einsum, matmul, mm
from .reduce import check_tensor, float_dtype_for, norm, sum
from .shape import squeeze, unsqueeze
from .shape_helpers import movedim
from .unary import abs

__all__ = ["diag", "diagonal", "diag_embed", "trace", "inverse", "det", "addmm", "tensordot", "linalg_norm",
           "linalg_vector_norm", "linalg_matrix_norm"]


# ------------------------------------------------------------------------------------------ diag, trace

def _diagonal_positions(xp, n, k):
    """Row and column numbers of the ``n`` entries of diagonal ``k`` (k > 0: above the main one)."""
    steps = xp.arange(n)
    return steps + max(-k, 0), steps + max(k, 0)


def _diagonal_length(rows, cols, k):
    """How many entries diagonal ``k`` of a rows x cols matrix has (None if a size is unknown)."""
    if rows is None or cols is None:
        return None
    return max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols))


class DiagEmbed(Op):
    """Square matrices with the vectors along the last dim of ``v`` on their diagonal ``k`` and zeros elsewhere
    (size len + |k|; a batch of vectors gives a batch of matrices). Its VJP reads that diagonal back out of ``g``:
    ``Diagonal``."""
    name = "DiagEmbed"
    saves_inputs = ()

    @staticmethod
    def forward(xp, v, k):
        n = v.shape[-1] + builtins.abs(k)
        out = xp.zeros(v.shape[:-1] + (n, n), dtype=v.dtype)
        out[(..., *_diagonal_positions(xp, v.shape[-1], k))] = v
        return out

    @staticmethod
    def vjp(ctx, g):
        return (apply(Diagonal, g, k=ctx.attrs["k"]),)

    @staticmethod
    def infer(v, k):
        n = None if v.shape[-1] is None else v.shape[-1] + builtins.abs(k)
        return Spec(tuple(v.shape[:-1]) + (n, n), v.dtype)


class Diagonal(Op):
    """Diagonal ``k`` of the matrices spanned by the last two dims of ``m``, as a vector each — a view of ``m``'s
    memory, as in PyTorch, so ``K.diagonal().add_(eps)`` changes ``K``. Its VJP puts ``g`` back on that diagonal
    of zeros shaped like ``m``: ``DiagonalGrad``."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, m, k):
        # numpy's own diagonal view is read-only; the same strides over m's memory, from the diagonal's first
        # element, give a writeable one
        read_only = xp.diagonal(m, k, -2, -1)
        first = m[..., max(-k, 0):, max(k, 0):]
        return xp.lib.stride_tricks.as_strided(first, read_only.shape, read_only.strides)

    @staticmethod
    def vjp(ctx, g):
        return (apply(DiagonalGrad, g, ctx.inputs[0], k=ctx.attrs["k"]),)

    @staticmethod
    def infer(m, k):
        return Spec(tuple(m.shape[:-2]) + (_diagonal_length(*m.shape[-2:], k),), m.dtype)


class DiagonalGrad(Op):
    """Zeros shaped like ``m`` with the vectors ``g`` on diagonal ``k`` of its last two dims (``m`` lends only its
    shape). Linear in ``g``; its VJP reads the diagonal back: ``Diagonal``."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, m, k):
        out = xp.zeros(m.shape, dtype=g.dtype)
        out[(..., *_diagonal_positions(xp, g.shape[-1], k))] = g
        return out

    @staticmethod
    def vjp(ctx, gg):
        return apply(Diagonal, gg, k=ctx.attrs["k"]), None

    @staticmethod
    def infer(g, m, k):
        return Spec(m.shape, g.dtype)


def diag(input, diagonal=0):
    """A 1-d ``input`` becomes the square matrix with it on diagonal ``diagonal`` (0: the main one, > 0 above,
    < 0 below); from a 2-d ``input`` that diagonal is taken out, as a vector."""
    check_tensor("diag", input)
    k = diagonal
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        raise TypeError(f"diag(): diagonal must be an int, got {k!r}")
    if input.ndim == 1:
        return apply(DiagEmbed, input, k=int(k))
    if input.ndim == 2:
        return apply(Diagonal, input, k=int(k))
    raise OpError(f"diag(): supports 1D or 2D tensors, got {input.ndim}D ({describe(input)})")


def _offset(op_name, offset):
    if not isinstance(offset, numbers.Integral) or isinstance(offset, bool):
        raise TypeError(f"{op_name}(): argument 'offset' must be int, not {type(offset).__name__}")
    return int(offset)


def _two_dims(op_name, dim1, dim2, ndim):
    dim1, dim2 = normalize_dim(op_name, dim1, ndim), normalize_dim(op_name, dim2, ndim)
    if dim1 == dim2:
        raise OpError(f"{op_name}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return dim1, dim2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """Diagonal ``offset`` of the matrices spanned by dims ``dim1`` (rows) and ``dim2`` (columns): those two dims
    are removed and the diagonal becomes the last dim. A view of ``input``, as in PyTorch."""
    check_tensor("diagonal", input)
    offset = _offset("diagonal", offset)
    dim1, dim2 = _two_dims(f"diagonal() of {describe(input)}", dim1, dim2, input.ndim)
    return apply(Diagonal, movedim(input, (dim1, dim2), (-2, -1)), k=offset)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """The inverse of ``diagonal``: each vector along the last dim of ``input`` becomes diagonal ``offset`` of a
    matrix of zeros whose rows and columns are the new dims ``dim1`` and ``dim2`` of the result."""
    check_tensor("diag_embed", input)
    offset = _offset("diag_embed", offset)
    dim1, dim2 = _two_dims(f"diag_embed() of {describe(input)}", dim1, dim2, input.ndim + 1)
    return movedim(apply(DiagEmbed, input, k=offset), (-2, -1), (dim1, dim2))


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum to int64, as in PyTorch)."""
    check_tensor("trace", input)
    if input.ndim != 2:
        raise OpError(f"trace: expected a matrix, but got {describe(input)}")
    if input.dtype == dtypes.bool_:
        raise TypeError(f"trace: not implemented for bool tensors (got {describe(input)})")
    return sum(apply(Diagonal, input, k=0))


# ---------------------------------------------------------------------------------------- inverse, det

def _square_matrices(op_name, x):
    """Inverse and det take (batches of) square float or complex matrices."""
    check_tensor(op_name, x)
    if not dtypes.is_differentiable(x.dtype):
        raise TypeError(f"{op_name}: expected a floating point or complex tensor as input, got {describe(x)}")
    if x.ndim < 2:
        raise OpError(f"{op_name}: the input tensor A must have at least 2 dimensions, got {describe(x)}")
    rows, cols = x.shape[-2:]
    if None not in (rows, cols) and rows != cols:
        raise OpError(f"{op_name}: A must be batches of square matrices, but they are {rows} by {cols} matrices "
                      f"({describe(x)})")
    return x


class Inverse(Op):
    """``y = A^-1`` (for each matrix of a batch). From A·y = I: dA·y + A·dy = 0, so dy = -y·dA·y and the VJP is
    ``-y^H g y^H`` (^H: conjugate transpose; the transpose for real matrices)."""
    name = "LinalgInvEx"
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, x):
        try:
            return xp.linalg.inv(x)
        except numpy.linalg.LinAlgError:
            raise OpError(f"inverse: the input matrix is singular (not invertible), got {describe(x)}") from None

    @staticmethod
    def vjp(ctx, g):
        y_h = _mH(ctx.outputs[0])
        return (-matmul(matmul(y_h, g), y_h),)

    @staticmethod
    def infer(x):
        return x


class Det(Op):
    """``d = det A`` (for each matrix of a batch). Jacobi's formula: ∂d/∂A = d·A^-T, so the VJP is
    ``g · conj(d) · A^-H``.

    That needs A^-1: at a singular matrix (d = 0) the gradient is not computed here and ``inverse`` raises, while
    PyTorch computes it another way (through an SVD)."""
    name = "LinalgDet"
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.linalg.det(x))

    @staticmethod
    def vjp(ctx, g):
        x, d = ctx.inputs[0], ctx.outputs[0]
        scale = unsqueeze(unsqueeze(g * _conj(d), -1), -1)
        return (scale * _mH(inverse(x)),)

    @staticmethod
    def infer(x):
        return Spec(None if x.shape is None else x.shape[:-2], x.dtype)


def inverse(input):
    """The inverse of a square matrix, or of each matrix of a batch (..., n, n). A singular matrix is an error."""
    return apply(Inverse, _square_matrices("inverse", input))


def det(input):
    """The determinant of a square matrix, or of each matrix of a batch (..., n, n) -> (...)."""
    return apply(Det, _square_matrices("det", input))


# ---------------------------------------------------------------------------------------- addmm, tensordot

def add_scaled_product(op_name, input, product, beta, alpha, what):
    """``beta · input + alpha · product``, where ``input`` broadcasts to the product's shape (never the other way;
    ``what`` names the product in the error). With ``beta=0`` input is ignored (NaNs in it too), as in PyTorch.
    Shared by ``addmm`` and its relatives (``scaled_products.py``)."""
    shape = broadcast_shapes(op_name, input.shape, product.shape)
    fits = shape is None or (len(shape) == len(product.shape) and
                             all(None in (a, b) or a == b for a, b in zip(shape, product.shape)))
    if not fits:
        raise OpError(f"{op_name}: input {describe(input)} cannot be broadcast to the shape of {what}, "
                      f"{list(product.shape)}")
    if product.dtype.kind in "biu" and any(isinstance(s, float) for s in (alpha, beta)):
        raise TypeError(f"{op_name}: for integral input tensors, arguments alpha and beta must not be floating point "
                        f"numbers (got alpha={alpha!r}, beta={beta!r})")
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta · input + alpha · (mat1 @ mat2)``, where ``input`` broadcasts to the product's shape. With
    ``beta=0`` input is ignored (NaNs in it too), as in PyTorch."""
    _check_tensors("addmm", input, mat1, mat2)
    return add_scaled_product("addmm", input, mm(mat1, mat2), beta, alpha, "mat1 @ mat2")


def _tensordot_dims(a, b, dims):
    """``dims`` as two lists of dims of a and of b that are contracted pairwise."""
    if is_tensor(dims) and dims.ndim == 0:  # PyTorch also takes a 0-d tensor (eager mode: its value is known)
        dims = operator.index(dims)
    if isinstance(dims, numbers.Integral) and not isinstance(dims, bool):
        if dims < 0:
            raise OpError(f"tensordot: expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise OpError(f"tensordot: dims={dims} is more than the dims of {describe(a)} and {describe(b)}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    if isinstance(dims, (tuple, list)) and len(dims) == 2:
        pair = [[d] if isinstance(d, numbers.Integral) else list(d) for d in dims]
        if len(pair[0]) == len(pair[1]):
            return ([normalize_dim("tensordot", int(d), a.ndim) for d in pair[0]],
                    [normalize_dim("tensordot", int(d), b.ndim) for d in pair[1]])
    raise TypeError(f"tensordot: dims must be an int or a pair of equally long lists of dims, got {dims!r}")


def tensordot(a, b, dims=2):
    """Sum the products of ``a`` and ``b`` over pairs of dims: ``dims=n`` pairs a's last n dims with b's first n,
    ``dims=([1, 2], [1, 0])`` names the pairs. The result has a's other dims, then b's. Built on ``einsum``."""
    a, b = _product_operands("tensordot", a, b)
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    terms_a = [next(letters) for _ in range(a.ndim)]
    terms_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        na, nb = a.shape[da], b.shape[db]
        if None not in (na, nb) and na != nb:
            raise OpError(f"tensordot: contracted dimensions need to match, but first has size {na} in dim {da} and "
                          f"second has size {nb} in dim {db}")
        terms_b[db] = terms_a[da]
    kept = [c for i, c in enumerate(terms_a) if i not in dims_a] + \
           [c for i, c in enumerate(terms_b) if i not in dims_b]
    return einsum(f"{''.join(terms_a)},{''.join(terms_b)}->{''.join(kept)}", a, b)


# ------------------------------------------------------------------------------------------------ norms

def _float_input(op_name, x):
    check_tensor(op_name, x)
    if not dtypes.is_differentiable(x.dtype):
        raise TypeError(f"{op_name}: expected a floating point or complex tensor as input, got {describe(x)}")
    return x


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


def linalg_matrix_norm(x, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """``torch.linalg.matrix_norm`` of the matrices spanned by the two dims ``dim``: ``'fro'`` (the root of the
    sum of squares), 1 / -1 (the largest / smallest column sum of |x|) and inf / -inf (the same over rows).
    The norms that need singular values ('nuc', 2, -2) are not implemented."""
    _float_input("linalg.matrix_norm", x)
    if dtype is not None:
        x = cast(x, float_dtype_for("linalg.matrix_norm", x, dtype))
    rows, cols = _matrix_dims("linalg.matrix_norm", x, dim)
    if ord == "fro":
        return norm(x, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values (an SVD), which minidl "
                                  "does not compute; 'fro', 1, -1, inf and -inf are supported")
    inf = float("inf")
    if ord not in (1, -1, inf, -inf):
        raise OpError(f"linalg.matrix_norm: order {ord!r} not supported")
    summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: sum each column (over the rows)
    pick = amax if ord > 0 else amin
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
