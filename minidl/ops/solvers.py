"""Linear systems and the matrix functions built on them: ``torch.linalg.solve``, ``solve_triangular``,
``cholesky_solve``, the pseudo-inverse ``pinv`` and ``matrix_rank``, ``slogdet``/``logdet``, ``matrix_power``,
``cross`` and ``vecdot`` (the factorizations — Cholesky, QR, eigh, SVD — and lstsq are in decompositions.py).

Everything works on batches: the last two dims are the matrix, the dims before them index it and broadcast
between the operands. Names that exist only in ``torch.linalg`` carry a ``linalg_`` prefix here
(``minidl.eager.linalg.solve`` is ``linalg_solve``); the old top-level names (``cholesky_solve``,
``triangular_solve``, ``pinverse``, ``slogdet``, ``logdet``, ``matrix_power``, ``cross``) keep theirs.

Four ops carry a derivative of their own — ``Solve``, ``SolveTriangular``, ``Pinv`` and ``Slogdet`` — written
with matrix products and solves again, so second order works; the rest are compositions.
"""
import numbers
from collections import namedtuple

import numpy

from ..backend import dtypes, reporting_linalg_errors
from .arithmetic import _conj
from .base import LinAlgError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .broadcast import ones_like, sum_to_like
from .compare import eq, lt, where
from .linalg import EyeLike, _check_tensors, _mH, matmul
from .matrix import _float_input, first_failure, inverse, without_nan_matrices
from .infer import broadcast_shapes, normalize_dim
from .promote import promote, require_same_dtype
from .reduce import check_tensor, sum
from .shape import broadcast_to, clone, roll, squeeze, transpose, tril, triu, unsqueeze

__all__ = ["linalg_solve", "linalg_solve_triangular", "cholesky_solve", "triangular_solve", "linalg_pinv", "pinverse",
           "linalg_matrix_rank", "slogdet", "logdet", "matrix_power", "linalg_cross", "cross", "linalg_vecdot"]


# ------------------------------------------------------------------------------------- shared helpers

def matrix_dims(op_name, x, square=True):
    """``x`` must hold matrices (at least 2 dims), square ones if ``square``."""
    if x.ndim < 2:
        raise OpError(f"{op_name}: the input tensor A must have at least 2 dimensions, got {describe(x)}")
    rows, cols = x.shape[-2:]
    if square and None not in (rows, cols) and rows != cols:
        raise OpError(f"{op_name}: A must be batches of square matrices, but they are {rows} by {cols} matrices "
                      f"({describe(x)})")
    return x


def check_matrices(op_name, x, square=True, real=False):
    """(Batches of) float32/float64 matrices — what numpy's and cupy's linalg routines take — or complex ones
    unless ``real`` (the ops whose gradients are written for real matrices only)."""
    _float_input(op_name, x)
    if x.dtype == dtypes.float16:
        raise TypeError(f"{op_name}: not implemented for float16 (numpy has no half-precision linear algebra), got "
                        f"{describe(x)}; convert it with .float()")
    if real and dtypes.is_complex(x.dtype):
        raise TypeError(f"{op_name}: complex matrices are not supported (minidl writes this gradient for real "
                        f"matrices only), got {describe(x)}")
    return matrix_dims(op_name, x, square)


def lapack_svd(xp, a, **options):
    """``xp.linalg.svd(a, **options)`` for every op built on the SVD (svd, svdvals, pinv, matrix_rank, and through
    them lstsq, cond and the 2- and nuclear norms), made safe from non-finite input: LAPACK's gesdd iterates forever
    on a matrix holding an inf, and fails to converge on a NaN. As in PyTorch, a matrix with an inf gets NaN for
    all its results (the batch's other matrices are computed as usual), and a NaN is an error."""
    if bool(xp.isnan(a).any()):
        raise LinAlgError(f"linalg.svd: The algorithm failed to converge because the input matrix contained "
                          f"non-finite values ({describe(a)})")
    return without_nan_matrices(xp, a, lambda matrices: xp.linalg.svd(matrices, **options), also_inf=True)


def mT(x):
    """The transpose of the last two dims (of each matrix of a batch)."""
    return transpose(x, -2, -1)


def eye_like(x):
    """The identity matrix as large as ``x``'s last dim, in ``x``'s dtype (a constant: no gradient)."""
    return apply(EyeLike, x, axis=-1)


def _batch_shape(a, b):
    """The broadcast batch dims of two (batches of) matrices, as numpy computes them (on shapes only)."""
    return numpy.broadcast_shapes(a.shape[:-2], b.shape[:-2])


def _solve_spec(op_name, a, b):
    """``infer`` of a solve: X has A's columns as rows, B's columns, and the broadcast batch dims."""
    if a.shape is None or b.shape is None:
        return Spec(None, a.dtype)
    return Spec(broadcast_shapes(op_name, a.shape[:-2], b.shape[:-2]) + (a.shape[-1], b.shape[-1]), a.dtype)


def _check_rhs(op_name, a, b):
    """B's rows must match A's size, and the batch dims must broadcast."""
    n, rows = a.shape[-1], b.shape[-2]
    if None not in (n, rows) and n != rows:
        raise OpError(f"{op_name}: Incompatible shapes of A and B for the equation AX = B ({a.shape[-2]}x{n} and "
                      f"{rows}x{b.shape[-1]})")
    broadcast_shapes(op_name, a.shape[:-2], b.shape[:-2])


# ---------------------------------------------------------------------------------------------- solve

class Solve(Op):
    """``X = A^-1 B`` for square A and a matrix (or a batch) B, without forming A^-1 (an LU factorization).

    From A X = B: dA·X + A·dX = dB, so dX = A^-1 (dB - dA X). Pulling ``g`` back: ``gB = A^-H g`` (one more solve,
    with the conjugate transpose) and ``gA = -gB X^H``. Both are summed over the batch dims that broadcasting
    stretched."""
    name = "LinalgSolveEx"
    saves_inputs = (0,)
    saves_outputs = True

    @staticmethod
    def forward(xp, a, b):
        batch = _batch_shape(a, b)
        matrices = xp.broadcast_to(a, batch + a.shape[-2:])  # (by hand: not every backend broadcasts solve's batch)
        rhs = xp.broadcast_to(b, batch + b.shape[-2:])
        try:
            with reporting_linalg_errors(xp):  # (on a GPU, a wait, as PyTorch's solve makes to check)
                return without_nan_matrices(xp, matrices, lambda m: xp.linalg.solve(m, rhs))
        except numpy.linalg.LinAlgError:
            _, where = first_failure(matrices, xp.linalg.inv)  # (the same LU factorization fails)
            raise LinAlgError(f"linalg.solve: {where}The solver failed because the input matrix is singular. A: "
                              f"{describe(a)}.") from None

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        gb = apply(Solve, _mH(a), g)
        ga = -matmul(gb, _mH(ctx.outputs[0])) if ctx.needs_input_grad[0] else None
        return (None if ga is None else sum_to_like(ga, a),
                sum_to_like(gb, b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def infer(a, b):
        return _solve_spec("linalg.solve", a, b)


def _solve_operands(op_name, A, B):
    check_matrices(op_name, A)
    _check_tensors(op_name, B)
    require_same_dtype(op_name, [("A", A), ("B", B)])
    return A, B


def _is_vector_rhs(A, B):
    """torch.linalg.solve's rule: B is a (batch of) vector(s) when it is 1-d, or when its shape is A's without the
    last dim; otherwise it is a (batch of) matrices whose columns are right-hand sides."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def linalg_solve(A, B, *, left=True):
    """``torch.linalg.solve``: the X with ``A X = B`` (``left=False``: ``X A = B``) for square, invertible A.

    B is a matrix (..., n, k) — or a vector (..., n), by the rule of ``_is_vector_rhs``, and then so is X. Batch
    dims broadcast. A singular A is an error (on a GPU, where checking would cost a synchronization, the result
    is inf/NaN instead)."""
    _solve_operands("linalg.solve", A, B)
    if B.ndim == 0:
        raise OpError(f"linalg.solve: B must have at least 1 dimension, got {describe(B)}")
    if not left:  # X A = B  <=>  A^T X^T = B^T (plain transposes, also for complex numbers)
        A = mT(A)
    vector = _is_vector_rhs(A, B)
    if vector:
        B = unsqueeze(B, -1)
    elif not left:
        B = mT(B)
    _check_rhs("linalg.solve", A, B)
    X = apply(Solve, A, B)
    return squeeze(X, -1) if vector else (X if left else mT(X))


# ------------------------------------------------------------------------------------ triangular solves

def _unit_diagonal(xp, t):
    """``t`` (a fresh array) with ones written on its diagonal."""
    steps = xp.arange(t.shape[-1])
    t[..., steps, steps] = 1
    return t


class SolveTriangular(Op):
    """``X = T^-1 B`` where T is the upper (``upper``) or lower triangle of A; with ``unitriangular`` its
    diagonal is taken to be ones. The other entries of A are never read.

    numpy has no triangular solver, so the forward hands the triangle to the general solver (same answer, more
    work). The VJP is the one of ``Solve`` with T in A's place — ``gB = T^-H g``, itself a triangular solve (T^H is
    triangular the other way), and ``gT = -gB X^H`` — kept to the entries of A that were read: ``gA = tri(gT)``."""
    name = "LinalgSolveTriangular"
    saves_inputs = (0,)
    saves_outputs = True

    @staticmethod
    def forward(xp, a, b, upper, unitriangular):
        t = xp.triu(a) if upper else xp.tril(a)
        if unitriangular:
            t = _unit_diagonal(xp, t)
        batch = _batch_shape(t, b)
        try:
            with reporting_linalg_errors(xp):
                return xp.linalg.solve(xp.broadcast_to(t, batch + t.shape[-2:]),
                                       xp.broadcast_to(b, batch + b.shape[-2:]))
        except numpy.linalg.LinAlgError:
            raise LinAlgError(f"linalg.solve_triangular: the triangular matrix has a zero on its diagonal (it is "
                              f"singular), A: {describe(a)}") from None

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        upper, unit = ctx.attrs["upper"], ctx.attrs["unitriangular"]
        gb = apply(SolveTriangular, _mH(a), g, upper=not upper, unitriangular=unit)
        ga = None
        if ctx.needs_input_grad[0]:
            gt = -matmul(gb, _mH(ctx.outputs[0]))
            offset = int(unit)  # a unit diagonal was not read: it gets no gradient
            ga = sum_to_like(triu(gt, offset) if upper else tril(gt, -offset), a)
        return ga, sum_to_like(gb, b) if ctx.needs_input_grad[1] else None

    @staticmethod
    def infer(a, b, upper, unitriangular):
        return _solve_spec("linalg.solve_triangular", a, b)


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """``torch.linalg.solve_triangular``: X with ``T X = B`` (``left=False``: ``X T = B``), T the upper or lower
    triangle of A (``upper`` must be given) with a unit diagonal if ``unitriangular``. B is a matrix (..., n, k):
    there is no vector case here."""
    _solve_operands("linalg.solve_triangular", A, B)
    if B.ndim < 2:
        raise OpError(f"linalg.solve_triangular: The input tensor B must have at least 2 dimensions, got "
                      f"{describe(B)}")
    if not isinstance(upper, bool):
        raise TypeError(f"linalg.solve_triangular: upper must be True or False, got {upper!r}")
    if not left:  # X T = B  <=>  T^T X^T = B^T, and T^T is triangular the other way
        return mT(linalg_solve_triangular(mT(A), mT(B), upper=not upper, unitriangular=unitriangular))
    _check_rhs("linalg.solve_triangular", A, B)
    return apply(SolveTriangular, A, B, upper=upper, unitriangular=bool(unitriangular))


def cholesky_solve(B, L, upper=False):
    """``torch.cholesky_solve``: X with ``A X = B``, given the Cholesky factor of A (``A = L L^H``; ``upper``:
    ``A = U^H U``). Two triangular solves: ``L Y = B``, then ``L^H X = Y``."""
    check_matrices("cholesky_solve", L)
    _check_tensors("cholesky_solve", B)
    if B.ndim < 2:
        raise OpError(f"cholesky_solve: b should have at least 2 dimensions, but has {B.ndim} dimensions instead "
                      f"({describe(B)})")
    lower = _mH(L) if upper else L
    Y = linalg_solve_triangular(lower, B, upper=False)
    return linalg_solve_triangular(_mH(lower), Y, upper=True)


TriangularSolveResult = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """The old ``torch.triangular_solve`` (arguments reversed, upper by default): the named tuple ``(solution,
    cloned_coefficient)`` of ``op(T) X = b``, ``op`` the transpose if ``transpose``, and a copy of A with the
    solution's batch dims (A broadcast against b, as PyTorch copies it)."""
    T = mT(A) if transpose else A  # (the transpose of an upper triangle is a lower one)
    solution = linalg_solve_triangular(T, b, upper=upper != transpose, unitriangular=unitriangular)
    batch = tuple(solution.shape[:-2])
    return TriangularSolveResult(solution, clone(broadcast_to(A, batch + tuple(A.shape[-2:]))))


# ---------------------------------------------------------------------------------- pinv, matrix_rank

def _kept(xp, a, sizes, atol, rtol):
    """Which singular values (|eigenvalues|) count as non-zero: those above max(atol, rtol · the largest).
    Without rtol: 0 if atol > 0, else PyTorch's default eps · max(m, n)."""
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else float(numpy.finfo(a.dtype).eps) * max(a.shape[-2:])
    largest = xp.sort(sizes, axis=-1)[..., -1:]  # (empty for a matrix with no entries)
    return sizes > xp.maximum(atol or 0.0, rtol * largest)


class Pinv(Op):
    """The Moore-Penrose pseudo-inverse ``P = V diag(1/s) U^T`` from the SVD A = U diag(s) V^T, with the
    singular values that count as zero (see ``_kept``) left out; ``hermitian``: from the eigendecomposition of a
    symmetric A, ``P = V diag(1/w) V^T``.

    VJP (Golub & Pereyra 1973), where the rank does not change:
    ``gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)``. Unlike a composition of the SVD's
    gradient, it has no trouble with repeated singular values (an orthogonal A has only ones)."""
    name = "LinalgPinv"
    saves_inputs = (0,)
    saves_outputs = True

    @staticmethod
    def forward(xp, a, atol, rtol, hermitian):
        if hermitian:
            values, left = xp.linalg.eigh(a)
            right, sizes = left, xp.abs(values)
        else:
            left, values, vh = lapack_svd(xp, a, full_matrices=False)
            right, sizes = xp.swapaxes(vh, -1, -2), values
        keep = _kept(xp, a, sizes, atol, rtol)
        inverted = xp.where(keep, 1 / xp.where(keep, values, 1), 0)
        return xp.matmul(right * inverted[..., None, :], xp.swapaxes(left, -1, -2))

    @staticmethod
    def vjp(ctx, g):
        a, p = ctx.inputs[0], ctx.outputs[0]
        pt, gt = mT(p), mT(g)
        ga = -matmul(matmul(pt, g), pt)
        x = matmul(gt, matmul(p, pt))  # g^T P P^T
        ga = ga + x - matmul(a, matmul(p, x))
        y = matmul(matmul(pt, p), gt)  # P^T P g^T
        return (ga + y - matmul(matmul(y, p), a),)

    @staticmethod
    def infer(a, atol, rtol, hermitian):
        return Spec(None if a.shape is None else a.shape[:-2] + a.shape[-2:][::-1], a.dtype)


def _tolerances(op_name, atol, rtol):
    """``atol``/``rtol`` as numbers (a 0-d tensor gives its number; a tolerance per matrix is not supported)."""
    tolerances = {}
    for what, value in (("atol", atol), ("rtol", rtol)):
        if is_tensor(value) and value.ndim == 0:
            value = value.item()
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TypeError(f"{op_name}: {what} must be a number, a 0-d tensor or None, got {describe(value)}")
        tolerances[what] = None if value is None else float(value)
    return tolerances


def linalg_pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    """``torch.linalg.pinv``: the pseudo-inverse (n, m) of each matrix (m, n) of the batch — the inverse for an
    invertible A, and in general the X that makes A X A = A, X A X = X with AX and XA symmetric. Singular
    values at or below max(atol, rtol · the largest) count as zero. ``hermitian``: A is symmetric (only its
    lower triangle is read). ``rcond`` is PyTorch's older name of ``rtol`` (still accepted, also by position)."""
    check_matrices("linalg.pinv", A, square=bool(hermitian), real=True)
    if rcond is not None:
        if rtol is not None:
            raise TypeError("linalg.pinv: give rcond (the older name) or rtol, not both")
        rtol = rcond
    return apply(Pinv, A, hermitian=bool(hermitian), **_tolerances("linalg.pinv", atol, rtol))


def pinverse(input, rcond=1e-15):
    """The old ``torch.pinverse``: ``linalg_pinv`` with the relative tolerance ``rcond``."""
    return linalg_pinv(input, rtol=rcond)


class MatrixRank(Op):
    """The number of singular values (|eigenvalues| if ``hermitian``) that count as non-zero (int64)."""
    differentiable = False

    @staticmethod
    def forward(xp, a, atol, rtol, hermitian):
        sizes = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else lapack_svd(xp, a, compute_uv=False)
        return xp.asarray(_kept(xp, a, sizes, atol, rtol).sum(axis=-1), dtype=dtypes.int64)

    @staticmethod
    def infer(a, atol, rtol, hermitian):
        return Spec(None if a.shape is None else a.shape[:-2], dtypes.int64)


def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """``torch.linalg.matrix_rank``: the rank of each matrix of the batch, counting the singular values above
    max(atol, rtol · the largest) (default: rtol = eps · max(m, n)). No gradient: it is an integer. ``tol`` is
    PyTorch's older form: an absolute tolerance alone (``atol=tol, rtol=0``)."""
    check_matrices("linalg.matrix_rank", A, square=bool(hermitian))
    if tol is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg.matrix_rank: give tol (the older form) or atol/rtol, not both")
        atol, rtol = tol, 0.0
    return apply(MatrixRank, A, hermitian=bool(hermitian), **_tolerances("linalg.matrix_rank", atol, rtol))


# ------------------------------------------------------------------------------------------ determinants

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])


class Slogdet(Op):
    """``(sign, log|det A|)``: the determinant as its sign and the log of its size, which stays finite where
    ``det`` itself would overflow or underflow (a product of n numbers). For complex A the sign is the unit
    complex number det / |det|, and log|det A| is real.

    Jacobi's formula, d log det A = tr(A^-1 dA), gives d log|det A| = Re tr(A^-1 dA) and, for complex A,
    d sign = i·sign·Im tr(A^-1 dA). So ``gA = g · A^-H`` with g = g_logabsdet + i·Im(g_sign · conj(sign)); a real
    sign is piecewise constant and has no gradient. (At a singular A, log|det A| = -inf and the gradient is
    infinite.)"""
    name = "LinalgSlogdet"
    n_outputs = 2
    saves_inputs = (0,)
    saves_outputs = (0,)
    accepts_missing_grads = True  # a loss of a real sign alone sends no gradient, and A^-1 is then not computed

    @staticmethod
    def forward(xp, a):
        sign, logabsdet = xp.linalg.slogdet(a)
        return xp.asarray(sign), xp.asarray(logabsdet)  # (numpy gives scalars for a single matrix)

    @staticmethod
    def vjp(ctx, g_sign, g_logabsdet):
        a = ctx.inputs[0]
        g = g_logabsdet
        if a.dtype.kind == "c" and g_sign is not None:
            from .spectral import conj, imag  # (spectral comes after solvers in the import order)
            phase = imag(g_sign * conj(ctx.outputs[0])) * 1j
            g = phase if g is None else g + phase
        if g is None:
            return (None,)
        g = unsqueeze(unsqueeze(g, -1), -1)
        # a singular matrix (sign 0) has no inverse: its gradient is infinite (NaN where g is 0), as PyTorch's,
        # and the other matrices of the batch keep theirs (inverting it would be an error for the whole batch)
        singular = unsqueeze(unsqueeze(eq(ctx.outputs[0], 0), -1), -1)
        infinite = where(eq(g, 0), float("nan"), float("inf"))  # (numbers, not g·inf: no gradient of 0·inf)
        return (where(singular, infinite, g * _mH(inverse(where(singular, eye_like(a), a)))),)

    @staticmethod
    def infer(a):
        batch = None if a.shape is None else a.shape[:-2]
        return Spec(batch, a.dtype), Spec(batch, dtypes.to_real(a.dtype))


def slogdet(A):
    """The named tuple ``(sign, logabsdet)`` of each square matrix of the batch (..., n, n): det A = sign ·
    exp(logabsdet). A singular matrix has sign 0 and logabsdet -inf."""
    return SlogdetResult(*apply(Slogdet, check_matrices("linalg.slogdet", A)))


def logdet(A):
    """log(det A) for each square matrix: NaN where a real det A < 0 (no real logarithm), -inf where it is 0, as
    in PyTorch; for complex A the complex logarithm, log|det A| + i·arg(det A). Built on ``slogdet``."""
    sign, logabsdet = slogdet(check_matrices("logdet", A))
    if sign.dtype.kind == "c":
        from .spectral import angle, complex  # (spectral comes after solvers in the import order)
        return complex(logabsdet, angle(sign))
    return where(lt(sign, 0), float("nan"), logabsdet)


# --------------------------------------------------------------------------------- powers and products

def matrix_power(A, n):
    """A^n for an integer n: the identity for n = 0, and for n < 0 the power of A's inverse. Repeated squaring:
    A^13 = A^8 · A^4 · A^1 takes 5 products, not 12 — and its gradient comes from those products."""
    check_tensor("linalg.matrix_power", A)
    matrix_dims("linalg.matrix_power", A)
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:  # the identity, still connected to A (its gradient is zero), as in PyTorch
        return where(ones_like(A, dtype=dtypes.bool_), eye_like(A), A)
    if n < 0:
        A, n = inverse(A), -n
    result, square = None, A  # square runs through A, A^2, A^4, ...; result collects the ones n's bits ask for
    while True:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if not n:
            return clone(result) if result is A else result  # a new tensor, also for n = 1
        square = matmul(square, square)


def linalg_cross(input, other, *, dim=-1):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (operands broadcast).

    (a × b)_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1), indices modulo 3 — so rolling the vectors by one and two places
    lines the factors up, and the gradient comes from ``roll`` and ``mul``."""
    _check_tensors("linalg.cross", input, other)
    _, (a, b) = promote("linalg.cross", input, other)
    ndim = max(a.ndim, b.ndim)
    d = normalize_dim("linalg.cross", dim, ndim) - ndim  # counted from the end: the same dim of both operands
    sizes = [x.shape[d] if x.ndim >= -d else 1 for x in (a, b)]
    if any(size is not None and size != 3 for size in sizes):
        raise OpError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sizes[0]} and {sizes[1]} "
                      f"({describe(a)} and {describe(b)})")
    return roll(a, -1, d) * roll(b, -2, d) - roll(a, -2, d) * roll(b, -1, d)


def cross(input, other, dim=None):
    """The old ``torch.cross``: ``linalg_cross``, but without ``dim`` it takes the first dim of size 3 of the
    broadcast shape — a deprecated default that warns, as PyTorch's does."""
    if dim is None:
        _check_tensors("cross", input, other)
        warn("cross: using cross without specifying the dim arg is deprecated; it takes the first "
             "dimension of size 3. Pass dim explicitly (linalg.cross uses dim=-1).")
        shape = broadcast_shapes("cross", input.shape, other.shape) or ()
        dim = next((i for i, size in enumerate(shape) if size == 3), None)
        if dim is None:
            raise OpError(f"cross: no dimension of size 3 in input ({describe(input)} and {describe(other)})")
    return linalg_cross(input, other, dim=dim)


def linalg_vecdot(x, y, *, dim=-1):
    """``torch.linalg.vecdot``: Σ_i conj(x_i) y_i along ``dim`` (operands broadcast)."""
    _check_tensors("linalg.vecdot", x, y)
    return sum(_conj(x) * y, dim)
