"""Matrix functions: ``diag``, ``diagonal``, ``diag_embed``, ``trace``, ``inverse``, ``det``, ``matrix_exp``,
``addmm``, ``tensordot``, the Vandermonde matrix ``vander``, and the norms of ``torch.linalg`` (``linalg_norm``,
``linalg_vector_norm``, ``linalg_matrix_norm``) with the condition number ``linalg_cond`` (``minidl.eager.linalg``
gives them PyTorch's names ``linalg.norm``, ...).

Five ops carry derivatives of their own — the diagonal ops, ``Inverse``, ``Det``, ``MatrixExp`` and
``Vandermonde`` — each written with matrix products and the other ops, so second order works; the rest are
compositions. Complex matrices follow
PyTorch's convention (conjugate transposes in the gradients).
"""
import builtins
import math
import numbers
import operator

import numpy

from ..backend import dtypes, get_array_module, reporting_linalg_errors
from . import promote
from .arithmetic import _conj
from .base import DtypeError, LinAlgError, Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import zeros_like
from .cast import cast
from .indexing import getitem
from .infer import broadcast_shapes, normalize_dim
from .linalg import _check_tensors, _mH, _product_operands, einsum, matmul, mm
from .reduce import check_tensor, cumsum, sum
from .shape import cat, clone, flip, unsqueeze
from .shape_helpers import movedim

__all__ = ["diag", "diagonal", "diag_embed", "trace", "inverse", "det", "matrix_exp", "addmm", "tensordot", "vander",
           "linalg_vander"]

INF = float("inf")


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
    < 0 below); from a 2-d ``input`` that diagonal is copied out, as a vector (``diagonal`` is the view)."""
    check_tensor("diag", input)
    k = diagonal
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        raise TypeError(f"diag(): diagonal must be an int, got {k!r}")
    if input.ndim == 1:
        return apply(DiagEmbed, input, k=int(k))
    if input.ndim == 2:
        return clone(apply(Diagonal, input, k=int(k)))
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

def _float_input(op_name, x):
    """The matrix functions take float or complex tensors (shared with matrix_norms.py and solvers.py); PyTorch
    raises a RuntimeError for others, minidl a DtypeError (both a RuntimeError and a TypeError)."""
    check_tensor(op_name, x)
    if not dtypes.is_differentiable(x.dtype):
        raise DtypeError(f"{op_name}: expected a floating point or complex tensor as input, got {describe(x)}")
    return x


def _square_matrices(op_name, x):
    """Inverse and det take (batches of) square float or complex matrices."""
    _float_input(op_name, x)
    if x.ndim < 2:
        raise OpError(f"{op_name}: the input tensor A must have at least 2 dimensions, got {describe(x)}")
    rows, cols = x.shape[-2:]
    if None not in (rows, cols) and rows != cols:
        raise OpError(f"{op_name}: A must be batches of square matrices, but they are {rows} by {cols} matrices "
                      f"({describe(x)})")
    return x


def fails(routine, matrix):
    """Whether the linalg routine (``xp.linalg.inv``, ``cholesky``...) fails on ``matrix``."""
    try:
        with reporting_linalg_errors(get_array_module(matrix)):
            routine(matrix)
    except numpy.linalg.LinAlgError:
        return True
    return False


def without_nan_matrices(xp, matrices, compute, also_inf=False):
    """``compute(matrices)`` — an array or a tuple of them — with NaN for every matrix of the batch that holds a NaN
    (or, with ``also_inf``, an inf): what PyTorch's LAPACK calls give, where LAPACK would call such a matrix singular
    (an error), give it determinant 0, or (the SVD of an inf) iterate forever. The others are computed as usual:
    such a matrix stands for an identity while they are."""
    bad = (~xp.isfinite(matrices) if also_inf else xp.isnan(matrices)).any(axis=(-2, -1))
    if not bad.any():
        return compute(matrices)
    identity = xp.broadcast_to(xp.eye(*matrices.shape[-2:], dtype=matrices.dtype), matrices.shape)
    results = compute(xp.where(bad[..., None, None], identity, matrices))

    def nan_where_bad(result):
        return xp.where(bad.reshape(bad.shape + (1,) * (result.ndim - bad.ndim)), xp.nan, result)
    return tuple(map(nan_where_bad, results)) if isinstance(results, tuple) else nan_where_bad(results)


def first_failure(matrices, routine):
    """The first matrix of the batch ``matrices`` that ``routine`` fails on, and the "(Batch element i): " by which
    PyTorch's messages name it ("" for a lone matrix). numpy's batched routines fail for the whole batch without
    saying where; asking each matrix in turn costs time only once something has failed."""
    flat = matrices.reshape((-1,) + matrices.shape[-2:])
    i = next((i for i, m in enumerate(flat) if fails(routine, m)), 0)  # (0 if none fails on its own)
    return flat[i], "" if matrices.ndim == 2 else f"(Batch element {i}): "


class Inverse(Op):
    """``y = A^-1`` (for each matrix of a batch). From A·y = I: dA·y + A·dy = 0, so dy = -y·dA·y and the VJP is
    ``-y^H g y^H`` (^H: conjugate transpose; the transpose for real matrices)."""
    name = "LinalgInvEx"
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, x):
        try:
            with reporting_linalg_errors(xp):  # (on a GPU, a wait, as PyTorch's inv makes to check)
                return without_nan_matrices(xp, x, xp.linalg.inv)
        except numpy.linalg.LinAlgError:
            _, where = first_failure(x, xp.linalg.inv)
            raise LinAlgError(f"linalg.inv: {where}The inversion could not be completed because the input matrix is "
                              f"singular. Input: {describe(x)}.") from None

    @staticmethod
    def vjp(ctx, g):
        y_h = _mH(ctx.outputs[0])
        return (-matmul(matmul(y_h, g), y_h),)

    @staticmethod
    def infer(x):
        return x


class InverseOrInf(Inverse):
    """``Inverse``, but the inverse of a singular matrix comes out as all inf instead of an error: what
    ``linalg_cond`` needs (the condition number of a singular matrix is inf). Same VJP."""
    name = "LinalgInvEx"

    @staticmethod
    def forward(xp, x):
        try:
            return xp.linalg.inv(x)
        except numpy.linalg.LinAlgError:  # some matrix of the batch is singular: invert them one at a time
            flat = x.reshape((-1,) + x.shape[-2:])
            inverses = [xp.full_like(m, INF) if fails(xp.linalg.inv, m) else xp.linalg.inv(m) for m in flat]
            return xp.stack(inverses).reshape(x.shape)


class Det(Op):
    """``d = det A`` (for each matrix of a batch). Jacobi's formula: ∂d/∂A = adj(A)^T, the cofactors, so the VJP
    is ``g · adj(A)^H``.

    For an invertible A, adj(A) = d·A^-1. A singular matrix (d = 0) has no inverse, yet its adjugate is not 0
    when its rank is n - 1; it comes from the SVD A = U S V^H instead (``_adjugate_by_svd``). So does a real
    matrix that is singular to working precision, |d| < eps·‖A‖_F (PyTorch's cut-off): there d·A^-1 is right to
    first order, but its derivative is rounding noise that grows like 1/d. PyTorch 2.13 does the same when the
    gradient is to be differentiated again, and gives 0 at d = 0 otherwise. (Complex singular matrices get 0:
    through the complex SVD, whose phase term divides by the zero singular value, the first derivative would be
    right but the second wrong — as PyTorch's is.)"""
    name = "LinalgDet"
    saves_outputs = True
    forward = staticmethod(lambda xp, x: without_nan_matrices(xp, x, xp.linalg.det))

    @staticmethod
    def vjp(ctx, g):
        from .compare import eq, lt, where
        from .broadcast import ones_like
        from .unary import abs as magnitude, sqrt
        x, d = ctx.inputs[0], ctx.outputs[0]
        if x.dtype.kind == "c":
            singular = eq(d, 0)
        else:
            singular = lt(magnitude(d), numpy.finfo(x.dtype).eps * sqrt(sum(x * x, (-2, -1))))
        singular = unsqueeze(unsqueeze(singular, -1), -1)
        # each branch gets a matrix it can take, so that neither puts inf or NaN into a gradient of this gradient
        identity = diag_embed(ones_like(diagonal(x, 0, -2, -1)))
        adjugate = unsqueeze(unsqueeze(d, -1), -1) * inverse(where(singular, identity, x))
        if x.dtype.kind != "c":
            spread = identity * cumsum(identity, -1)  # diag(1, 2, ..., n): distinct singular values
            adjugate = where(singular, _adjugate_by_svd(where(singular, x, spread)), adjugate)
        return (unsqueeze(unsqueeze(g, -1), -1) * _mH(adjugate),)

    @staticmethod
    def infer(x):
        return Spec(None if x.shape is None else x.shape[:-2], x.dtype)


def _adjugate_by_svd(a):
    """adj(A) = det(U) det(V^H) · V diag(Π_{j≠i} s_j) U^H for A = U diag(s) V^H — which is d·A^-1 where A is
    invertible, and stays right where some s_i is 0. The products of the others are an exclusive running product
    from each side: nothing is divided by s_i."""
    from .cumulative import cumprod
    from .decompositions import linalg_svd
    from .solvers import slogdet
    from .broadcast import ones_like
    u, s, vh = linalg_svd(a)
    ones = ones_like(getitem(s, (Ellipsis, slice(0, 1))))
    before = cat([ones, getitem(cumprod(s, -1), (Ellipsis, slice(None, -1)))], -1)
    after = flip(cat([ones, getitem(cumprod(flip(s, (-1,)), -1), (Ellipsis, slice(None, -1)))], -1), (-1,))
    sign = slogdet(u).sign * slogdet(vh).sign  # ±1: each factor is orthogonal (the sign has no gradient)
    return unsqueeze(unsqueeze(sign, -1), -1) * matmul(_mH(vh) * unsqueeze(before * after, -2), _mH(u))


def inverse(input):
    """The inverse of a square matrix, or of each matrix of a batch (..., n, n). A singular matrix is an error."""
    return apply(Inverse, _square_matrices("inverse", input))


def det(input):
    """The determinant of a square matrix, or of each matrix of a batch (..., n, n) -> (...)."""
    return apply(Det, _square_matrices("det", input))


# ------------------------------------------------------------------------------------------- matrix_exp

PADE_DEGREE = 6
#: the coefficients c_k = (2q - k)! q! / ((2q)! k! (q - k)!) of the [q/q] Padé approximant of exp, q = 6
PADE_COEFFICIENTS = tuple(math.factorial(2 * PADE_DEGREE - k) * math.factorial(PADE_DEGREE) /
                          (math.factorial(2 * PADE_DEGREE) * math.factorial(k) * math.factorial(PADE_DEGREE - k))
                          for k in range(PADE_DEGREE + 1))


class MatrixExp(Op):
    """``exp(A) = I + A + A^2/2! + ...`` for each square matrix of the batch, by scaling and squaring
    (Moler & Van Loan): exp(A) = exp(A / 2^s)^(2^s), with s chosen so that X = A / 2^s has 1-norm at most 1/2.
    There the [6/6] Padé approximant ``exp(X) ≈ D(X)^-1 N(X)``, N(X) = Σ c_k X^k and D(X) = N(-X), is good to about
    3e-16 (relative); s squarings then undo the scaling. The batch shares one s, the one its largest matrix needs.

    VJP: the derivative of exp at A in the direction E is the upper-right block of exp([[A, E], [0, A]]) (the
    exponential of a block-triangular matrix); ``matrix_function_vjp`` pulls g back with this op again."""
    name = "LinalgMatrixExp"
    saves_inputs = (0,)

    @staticmethod
    def forward(xp, a):
        column_sums = xp.abs(a).sum(axis=-2)  # a matrix's 1-norm is its largest column sum
        largest = float(column_sums.max()) if column_sums.size else 0.0
        squarings = math.ceil(math.log2(largest / 0.5)) if 0.5 < largest < INF else 0  # (inf, NaN: no use)
        x = a / 2.0 ** squarings
        power = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)  # X^0
        numerator = denominator = PADE_COEFFICIENTS[0] * power
        for k, c in enumerate(PADE_COEFFICIENTS[1:], start=1):
            power = xp.matmul(power, x)
            numerator = numerator + c * power
            denominator = denominator + (-1) ** k * c * power
        result = xp.linalg.solve(denominator, numerator)
        for _ in range(squarings):
            result = xp.matmul(result, result)
        return result

    @staticmethod
    def vjp(ctx, g):
        return (matrix_function_vjp(MatrixExp, "matrix_exp", ctx.inputs[0], g),)

    @staticmethod
    def infer(a):
        return a


def matrix_function_vjp(op, op_name, a, g):
    """The VJP of a primary matrix function f (``op``: exp, log, the square root — any f with f(z̄) = conj f(z)):
    the derivative of f at A in the direction E is the upper-right block of f([[A, E], [0, A]]), and its adjoint
    is the same with A^H for A, so ``gA = upper-right block of f([[A^H, g], [0, A^H]])`` — ``op`` again, so
    second order works too (Higham, Functions of Matrices, 3.2)."""
    a_h = _mH(a)
    n = a_h.shape[-1]
    if n is None:
        raise NotImplementedError(f"{op_name}: the gradient needs the matrix size when the graph is built, got "
                                  f"{describe(a_h)}")
    block = cat([cat([a_h, g], -1), cat([zeros_like(a_h), a_h], -1)], -2)
    return getitem(apply(op, block), (Ellipsis, slice(0, n), slice(n, None)))


def matrix_exp(A):
    """``torch.linalg.matrix_exp`` (also ``torch.matrix_exp``): the matrix exponential exp(A) = Σ A^k / k! of
    each square matrix of the batch — for instance the solution map x(0) -> x(t) = exp(tA) x(0) of dx/dt = A x."""
    return apply(MatrixExp, _square_matrices("linalg.matrix_exp", A))


# ---------------------------------------------------------------------------------------- addmm, tensordot

#: the product-plus-input ops that autocast runs in its lower precision as a whole (addmv and addr it does not)
_LOWERED_WHOLE = frozenset({"addmm", "baddbmm", "addbmm"})


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
    if promote.products_cast_to is not None and op_name in _LOWERED_WHOLE and product.dtype == \
            promote.products_cast_to and input.dtype == dtypes.float32:
        input = cast(input, product.dtype)  # autocast lowers the whole op, input too (PyTorch's lists)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return apply(IgnoringInput, product, input)
    return product + (input if beta == 1 else input * beta)


class IgnoringInput(Op):
    """``product`` (a copy), with ``input`` beside it in the graph: ``addmm`` and its relatives with ``beta=0``,
    which ignore input's values (NaNs too) but, as in PyTorch, still give input a gradient — zeros, not none (so a
    bias that only feeds them gets ``.grad`` and its optimizer's weight decay and momentum)."""
    saves_inputs = ()
    infer = staticmethod(lambda product, input: product)
    forward = staticmethod(lambda xp, product, input: product.copy())  # (a new array: no alias of an input)

    @staticmethod
    def vjp(ctx, g):
        need_product, need_input = ctx.needs_input_grad
        return g if need_product else None, zeros_like(ctx.inputs[1]) if need_input else None


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


class Vandermonde(Op):
    """The powers x^0, x^1, ..., x^(n-1) of each entry of ``x`` along a new last dim — or, with attr
    ``order`` = k, their k-th derivatives' shape: column j is dᵏ/dxᵏ x^(j+k) = (j+k)!/j! · x^j.

    That family closes under differentiation: d/dx Σ_j g_j (j+k)!/j! x^j = Σ_{i<n-1} g_{i+1} (i+k+1)!/i! x^i,
    the order-(k+1) matrix one column shorter — so every order of gradient is this op again. The powers are
    running products (x^0 = 1 also where x is 0 or infinite; exact for integers)."""

    @staticmethod
    def forward(xp, x, n, order):
        powers = xp.empty(x.shape + (n,), x.dtype)
        if n:
            powers[..., 0] = 1
        for j in range(1, n):
            powers[..., j] = powers[..., j - 1] * x
        if order:
            powers *= xp.asarray([math.perm(j + order, order) for j in range(n)], x.dtype)
        return powers

    @staticmethod
    def vjp(ctx, g):
        n, order = ctx.attrs["n"], ctx.attrs["order"]
        x = ctx.inputs[0]
        if n < 2:
            return (zeros_like(x),)  # x^0 (or its derivative, a constant) does not depend on x
        later = getitem(g, (Ellipsis, slice(1, None)))
        # (complex x: the conjugate of the derivative, as for every holomorphic op)
        return (sum(later * _conj(apply(Vandermonde, x, n=n - 1, order=order + 1)), -1),)

    @staticmethod
    def infer(x, n, order):
        return Spec(tuple(x.shape) + (n,), x.dtype)


def _vandermonde(op_name, x, n, increasing):
    """The ``n`` powers of ``x`` along a new last dim, from x^0 up (``increasing``) or down to it (``Vandermonde``);
    integers and bools give int64."""
    if n is None:
        raise OpError(f"{op_name}: N is needed when the length of x is unknown ({describe(x)})")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise OpError(f"{op_name}: N must be a non-negative integer, got {n!r}")
    if x.dtype.kind in "biu":
        x = cast(x, dtypes.int64)
    powers = apply(Vandermonde, x, n=int(n), order=0)
    return powers if increasing else flip(powers, (-1,))


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D ``x``: ``N`` columns (default len(x)), the powers x^(N-1), ..., x, 1
    (``increasing=True``: 1, x, ..., x^(N-1))."""
    check_tensor("vander", x)
    if x.ndim != 1:
        raise OpError(f"vander: x must be a one-dimensional tensor, got {describe(x)}")
    return _vandermonde("vander", x, x.shape[0] if N is None else N, increasing)


def linalg_vander(x, *, N=None):
    """``torch.linalg.vander``: the powers 1, x, ..., x^(N-1) of each entry of ``x`` (*, n) along a new last dim
    (default N = n; at least 2, as in PyTorch)."""
    check_tensor("linalg.vander", x)
    if x.dtype == dtypes.bool_:
        raise DtypeError(f"linalg.vander supports floating point, complex, and integer tensors, but got {describe(x)}")
    if x.ndim == 0:
        raise OpError(f"linalg.vander: x must have at least one dimension, got {describe(x)}")
    n = x.shape[-1] if N is None else N
    if isinstance(n, numbers.Integral) and n <= 1:
        raise OpError(f"linalg.vander: N must be greater than 1, got {n} (x {describe(x)})")
    return _vandermonde("linalg.vander", x, n, True)
