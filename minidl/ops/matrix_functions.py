"""The principal square root and logarithm of square matrices (TF's ``tf.linalg.sqrtm`` and ``tf.linalg.logm``;
PyTorch has neither, so they are not in ``minidl.ops``' namespace: the graph front-end imports them from here).

* **Square root** — the X with X·X = A whose eigenvalues lie in the right half-plane; it exists (and is unique)
  when A has no eigenvalue on the closed negative real axis. Computed by the Denman–Beavers iteration
  ``Y ← (μY + (μZ)⁻¹)/2``, ``Z ← (μZ + (μY)⁻¹)/2`` from Y = A, Z = I: Y goes to A^½ and Z to A^-½, quadratically
  once close. μ = |det Y · det Z|^(-1/2n) (determinant scaling, Higham's Functions of Matrices 6.3) brings the
  first steps, which otherwise only halve a large Y, to that stage sooner; it goes to 1 as the iteration
  converges.
* **Logarithm** — inverse scaling and squaring: take square roots s times until S = A^(1/2^s) is close to I
  (‖S - I‖₁ ≤ 1/4), then log A = 2^s · log(I + X) with X = S - I, and
  ``log(I + X) = ∫₀¹ X (I + tX)⁻¹ dt``, integrated by 8-point Gauss–Legendre quadrature — which *is* the [8/8]
  Padé approximant of log(1 + x) (Higham 11.4), good to about 1e-21 for ‖X‖ ≤ 1/4.

Both are computed in float64 (complex128) and rounded to the input's dtype. A matrix with an eigenvalue 0 has no
logarithm and its square root cannot be reached this way: a LinAlgError naming it. A real matrix with a negative
eigenvalue has no real square root: the iteration does not settle, and that matrix comes out as NaN.

Gradients: both are primary matrix functions with f(z̄) = conj f(z), so ``matrix_function_vjp`` pulls a
gradient back through the same op on a 2n × 2n block matrix (``matrix.py``; also ``matrix_exp``'s VJP).
"""
import numpy

from ..backend import reporting_linalg_errors
from .base import LinAlgError, Op, apply, describe
from .matrix import _square_matrices, first_failure, matrix_function_vjp

_MAX_STEPS = 100
_LOG_NODES = 8
#: the square roots taken at most by the logarithm (each halves log A; 64 would bring ‖log A‖ = 1e19 to order 1)
_MAX_SQUARE_ROOTS = 64


def _in_working_precision(xp, a):
    return a.astype(xp.complex128 if a.dtype.kind == "c" else xp.float64, copy=False)


def _largest_entries(xp, x):
    return xp.abs(x).max(axis=(-2, -1)) if x.size else xp.zeros(x.shape[:-2])


def _denman_beavers(xp, a):
    """The principal square root of each matrix of the batch ``a`` (float64 or complex128): NaN for the matrices
    where the iteration does not settle in ``_MAX_STEPS`` steps; numpy's LinAlgError for a singular one."""
    n = a.shape[-1]
    y, z = a, xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    settled = xp.zeros(a.shape[:-2], dtype=bool)
    _, log_det_a = xp.linalg.slogdet(a)
    if bool(xp.isneginf(log_det_a).any()):  # (the first inverse would meet it, but maybe as NaN on a GPU)
        raise numpy.linalg.LinAlgError("singular matrix")
    for _ in range(_MAX_STEPS):
        _, log_det_y = xp.linalg.slogdet(y)
        _, log_det_z = xp.linalg.slogdet(z)
        mu = xp.exp(-(log_det_y + log_det_z) / (2 * n))[..., None, None]
        y_next = (mu * y + xp.linalg.inv(mu * z)) / 2
        z = (mu * z + xp.linalg.inv(mu * y)) / 2
        change = _largest_entries(xp, y_next - y)
        y = y_next
        settled = change <= 1e-14 * _largest_entries(xp, y)
        if bool(settled.all()):
            break
    return xp.where(settled[..., None, None], y, xp.nan)


def _singular_error(op_name, xp, a):
    _, where = first_failure(a, xp.linalg.inv)
    return LinAlgError(f"{op_name}: {where}the matrix is singular (an eigenvalue 0): its {op_name[7:]} cannot be "
                       f"computed. Input: {describe(a)}.")


class MatrixSqrt(Op):
    """The principal square root A^½ of each square matrix of the batch (see the module docstring)."""
    name = "MatrixSquareRoot"
    saves_inputs = (0,)
    infer = staticmethod(lambda a: a)

    @staticmethod
    def forward(xp, a):
        try:
            with reporting_linalg_errors(xp), numpy.errstate(invalid="ignore", over="ignore"):  # (see NaN above)
                return _denman_beavers(xp, _in_working_precision(xp, a)).astype(a.dtype, copy=False)
        except numpy.linalg.LinAlgError:
            raise _singular_error("linalg.sqrtm", xp, a) from None

    @staticmethod
    def vjp(ctx, g):
        return (matrix_function_vjp(MatrixSqrt, "linalg.sqrtm", ctx.inputs[0], g),)


def _principal_log(xp, a):
    n = a.shape[-1]
    identity = xp.eye(n, dtype=a.dtype)
    s, square_roots = a, 0
    while square_roots < _MAX_SQUARE_ROOTS and s.size and float(xp.abs(s - identity).sum(axis=-2).max()) > 0.25:
        s, square_roots = _denman_beavers(xp, s), square_roots + 1
    x = s - identity
    nodes, weights = numpy.polynomial.legendre.leggauss(_LOG_NODES)  # on [-1, 1]; moved to [0, 1] below
    log = xp.zeros_like(x)
    for t, w in zip((nodes + 1) / 2, weights / 2):
        log = log + w * xp.linalg.solve(identity + t * x, x)
    return 2.0 ** square_roots * log


class MatrixLog(Op):
    """The principal logarithm log A of each square matrix of the batch: the X with exp(X) = A whose eigenvalues
    have imaginary parts in (-π, π) (see the module docstring)."""
    name = "MatrixLogarithm"
    saves_inputs = (0,)
    infer = staticmethod(lambda a: a)

    @staticmethod
    def forward(xp, a):
        try:
            with reporting_linalg_errors(xp):
                return _principal_log(xp, _in_working_precision(xp, a)).astype(a.dtype, copy=False)
        except numpy.linalg.LinAlgError:
            raise _singular_error("linalg.logm", xp, a) from None

    @staticmethod
    def vjp(ctx, g):
        return (matrix_function_vjp(MatrixLog, "linalg.logm", ctx.inputs[0], g),)


def matrix_sqrt(A):
    """The principal square root of each square float or complex matrix of the batch (..., n, n)."""
    return apply(MatrixSqrt, _square_matrices("linalg.sqrtm", A))


def matrix_log(A):
    """The principal logarithm of each square float or complex matrix of the batch (..., n, n)."""
    return apply(MatrixLog, _square_matrices("linalg.logm", A))
