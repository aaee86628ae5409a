"""The ``_ex`` forms of ``torch.linalg`` — ``cholesky_ex``, ``inv_ex``, ``solve_ex`` — and ``cholesky_inverse``.

``linalg.cholesky(A)`` raises when a matrix of the batch is not positive-definite. A program that expects that to
happen (a Gaussian process adding more jitter until the factorization works, a batch where some matrices may be
singular) asks the ``_ex`` form instead: it returns the result *and* ``info``, an int32 tensor with one entry per
matrix of the batch, 0 where the matrix was fine and otherwise LAPACK's error code:

* ``cholesky_ex``: the order k of the first leading minor (top-left k x k block) that is not positive-definite —
  where the factorization stopped;
* ``inv_ex``, ``solve_ex``: the 1-based column where Gaussian elimination with partial pivoting (LU) met an exactly
  zero pivot.

Where ``info`` is not 0 the result holds no meaningful numbers (as in PyTorch): minidl factorizes the identity in
that matrix's place, so they are at least finite, and the batch's other matrices keep their gradients.
``check_errors=True`` raises instead, with PyTorch's message (the op that computes ``info`` raises).

``cholesky_ex`` is one op with two outputs, since the factorization itself finds out whether it fails (GP code
calls it in its inner loop); ``inv_ex`` and ``solve_ex`` ask LU for ``info`` first (``slogdet``'s sign is 0 exactly
when LAPACK's pivot is), then invert or solve matrices that are known to be regular. A matrix that is singular
only up to rounding may come out either way: whether a pivot ends up exactly 0 depends on the LAPACK build's order
of operations (PyTorch's MKL may call regular, with a huge inverse, what numpy's OpenBLAS calls singular).
"""
from collections import namedtuple

import numpy

from ..backend import dtypes, reporting_linalg_errors
from .base import LinAlgError, Op, Spec, apply
from .compare import eq, where
from .decompositions import Cholesky, _conj_transpose, _first_bad_minor, cholesky_factor, cholesky_vjp
from .lu import _eliminate
from .matrix import fails, inverse
from .shape import unsqueeze
from .solvers import check_matrices, cholesky_solve, eye_like, linalg_solve

__all__ = ["linalg_cholesky_ex", "linalg_inv_ex", "linalg_solve_ex", "cholesky_inverse"]

CholeskyEx = namedtuple("linalg_cholesky_ex", "L info")
InvEx = namedtuple("linalg_inv_ex", "inverse info")
SolveEx = namedtuple("linalg_solve_ex", "result info")


def _batch_info(xp, a, code_of):
    """int32 ``info`` of shape a.shape[:-2]: ``code_of(matrix)`` for each matrix of the batch."""
    codes = [code_of(m) for m in a.reshape((-1,) + a.shape[-2:])]
    return xp.asarray(codes, dtype=dtypes.int32).reshape(a.shape[:-2])


def _with_identity_where_failed(xp, a, info):
    """``a`` with the identity in place of each matrix whose ``info`` is not 0."""
    failed = (info != 0)[..., None, None]
    return xp.where(failed, xp.eye(a.shape[-1], dtype=a.dtype), a)


class CholeskyWithInfo(Op):
    """(L, info): the Cholesky factor of each matrix of the batch and LAPACK's info (0, or the order of the first
    leading minor that is not positive-definite); the identity's factor where a matrix failed — or, with
    ``check_errors``, ``Cholesky``'s error. L's gradient is ``Cholesky``'s (Murray 2016); ``info`` has none."""
    name = "LinalgCholeskyEx"
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (0,)

    @staticmethod
    def forward(xp, a, check_errors, upper):
        a = _conj_transpose(xp, a) if upper else a  # (the upper triangle read: see Cholesky)
        try:
            with reporting_linalg_errors(xp):  # (on a GPU, a wait: info is this op's point)
                factor, info = cholesky_factor(xp, a), xp.zeros(a.shape[:-2], dtype=dtypes.int32)
        except numpy.linalg.LinAlgError:  # find which matrices fail, and where; factorize the rest
            if check_errors:
                try:
                    with reporting_linalg_errors(xp):
                        Cholesky.forward(xp, a)
                except LinAlgError as error:  # Cholesky's message, naming the matrix and the minor, as ours
                    raise LinAlgError(str(error).replace("linalg.cholesky:", "linalg.cholesky_ex:", 1)) from None
            info = _batch_info(xp, a, lambda m: _first_bad_minor(xp, m)[1]
                               if fails(lambda matrix: cholesky_factor(xp, matrix), m) else 0)
            factor = xp.linalg.cholesky(_with_identity_where_failed(xp, a, info))
        return (_conj_transpose(xp, factor) if upper else factor), info

    @staticmethod
    def vjp(ctx, g_factor, g_info):
        return (cholesky_vjp(ctx.outputs[0], g_factor, ctx.attrs["upper"]),)

    @staticmethod
    def infer(a, check_errors, upper):
        return a, Spec(a.shape[:-2], dtypes.int32)


def linalg_cholesky_ex(A, *, upper=False, check_errors=False):
    """``torch.linalg.cholesky_ex``: ``(L, info)`` — see the module docstring."""
    A = check_matrices("linalg.cholesky_ex", A)
    return CholeskyEx(*apply(CholeskyWithInfo, A, check_errors=bool(check_errors), upper=bool(upper)))


class LuInfo(Op):
    """LAPACK ``getrf``'s info for each matrix of the batch: 0, or the column of its first exactly zero pivot.
    With ``check_errors``, a singular matrix is an error (PyTorch's message, naming ``op_name``)."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, a, op_name, check_errors):
        sign, _ = xp.linalg.slogdet(a)  # LAPACK's getrf, as inv and solve will run it: sign 0 at a zero pivot
        singular = sign == 0
        if not bool(singular.any()):
            return xp.zeros(a.shape[:-2], dtype=dtypes.int32)
        lu, _, zero_pivot_at = _eliminate(xp, a, pivot=True)  # getrf's partial pivoting, to learn where
        # LAPACK decides whether a matrix is singular (inv and solve must not meet a zero pivot it finds); where it
        # says so and rounding left our elimination a tiny pivot instead of an exactly zero one, the smallest pivot
        # is the one that LAPACK's rounding made 0
        smallest_pivot_at = xp.argmin(xp.abs(xp.diagonal(lu, axis1=-2, axis2=-1)), axis=-1) + 1
        info = xp.where(singular, xp.where(zero_pivot_at != 0, zero_pivot_at, smallest_pivot_at), 0)
        info = info.astype(dtypes.int32)
        to_host = getattr(xp, "asnumpy", numpy.asarray)
        if check_errors:
            flat = to_host(info).reshape(-1)
            i = int(numpy.flatnonzero(flat)[0])
            where = "" if a.ndim == 2 else f"(Batch element {i}): "
            if op_name == "linalg.inv_ex":
                raise LinAlgError(f"{op_name}: {where}The diagonal element {flat[i]} is zero, the inversion could "
                                  f"not be completed because the input matrix is singular.")
            raise LinAlgError(f"{op_name}: {where}The solver failed because the input matrix is singular.")
        return info

    @staticmethod
    def infer(a, op_name, check_errors):
        return Spec(a.shape[:-2], dtypes.int32)


def _regular(A, info):
    """``A`` with the identity in place of each matrix whose ``info`` is not 0 (they are singular)."""
    failed = unsqueeze(unsqueeze(eq(info, 0), -1), -1)
    return where(failed, A, eye_like(A))


def linalg_inv_ex(A, *, check_errors=False):
    """``torch.linalg.inv_ex``: ``(inverse, info)`` — see the module docstring."""
    A = check_matrices("linalg.inv_ex", A)
    info = apply(LuInfo, A, op_name="linalg.inv_ex", check_errors=bool(check_errors))
    return InvEx(inverse(_regular(A, info)), info)


def linalg_solve_ex(A, B, *, left=True, check_errors=False):
    """``torch.linalg.solve_ex``: ``(result, info)`` — the solution X of ``A X = B`` (``X A = B`` with
    ``left=False``), see the module docstring."""
    A = check_matrices("linalg.solve_ex", A)
    info = apply(LuInfo, A, op_name="linalg.solve_ex", check_errors=bool(check_errors))
    return SolveEx(linalg_solve(_regular(A, info), B, left=left), info)


def cholesky_inverse(L, upper=False):
    """``torch.cholesky_inverse``: ``A^-1`` from the Cholesky factor of ``A = L L^T`` (``U^T U`` with ``upper``),
    by two triangular solves against the identity."""
    L = check_matrices("cholesky_inverse", L, real=True)
    return cholesky_solve(eye_like(L), L, upper=upper)
