"""The LU factorization with partial pivoting, ``A = P L U``, and what uses it: ``linalg.lu_factor`` (and its
``_ex`` form), ``linalg.lu``, ``lu_unpack`` and ``linalg.lu_solve``; the old spellings ``lu`` and ``lu_solve``.

For an (m, n) matrix, with k = min(m, n): P is an (m, m) permutation matrix, L (m, k) is lower triangular with
ones on its diagonal and U (k, n) is upper triangular. ``lu_factor`` returns them packed as LAPACK's ``getrf``
does — one (m, n) matrix ``LU`` holding L below the diagonal (its ones are implied) and U on and above it — and
P as ``pivots``: k int32 row numbers counted from 1, meaning "at step j, row j was exchanged with row
pivots[j]" (pivots[j] == j: no exchange).

numpy has no LU, so the forward is Gaussian elimination, written here on arrays: at step j, pick the row (at or
below j) whose entry in column j is largest in absolute value — the first of them on a tie, as LAPACK's ``i?amax``
does, which measures a complex number by |Re| + |Im| — swap it up, divide the column below the pivot by it (the
multipliers, L's column j), and subtract multiplier × pivot row from every row below. One loop over the k
columns; each step works on the whole batch at once. (LAPACK's blocked algorithm rounds differently: the last
bits may differ, and where two candidates are within rounding of each other, the pivot.)

Gradients (PyTorch's formulas, derived below each op) are written with triangular solves, for square matrices and
for rectangular ones of full rank. The factorization is not differentiable where the pivot choice changes: at
ties, and at singular matrices.
"""
import math
from collections import namedtuple

import numpy

from ..backend import dtypes
from .base import DtypeError, LinAlgError, Op, OpError, Spec, apply, describe
from .broadcast import ones_like, sum_to_like
from .decompositions import _empty, _last, _matrix_sizes, _rows
from .indexing import getitem
from .infer import broadcast_shapes
from .linalg import _check_tensors, _mH, matmul
from .promote import require_same_dtype
from .shape import cat, tril, triu
from .solvers import SolveTriangular, _check_rhs, _solve_spec, check_matrices, eye_like, linalg_solve_triangular, mT

__all__ = ["linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_lu_solve", "lu", "lu_solve"]

LuFactorResult = namedtuple("linalg_lu_factor", ["LU", "pivots"])
LuFactorExResult = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
LuResult = namedtuple("linalg_lu", ["P", "L", "U"])
LuUnpackResult = namedtuple("lu_unpack", ["P", "L", "U"])


# ------------------------------------------------------------------------------- the algorithm, on arrays

def _magnitude(xp, x):
    """How LAPACK compares candidate pivots: |x|, or |Re x| + |Im x| for complex numbers (cheaper than a modulus)."""
    return xp.abs(x.real) + xp.abs(x.imag) if x.dtype.kind == "c" else xp.abs(x)


def _swap(x, each, j, p):
    """Exchange x[i, j] and x[i, p[i]] for every i: rows of a batch of matrices, or entries of a batch of vectors."""
    saved = x[:, j].copy()
    x[:, j] = x[each, p]
    x[each, p] = saved


def _eliminate(xp, a, pivot):
    """Gaussian elimination (with partial pivoting if ``pivot``) of every matrix of the batch ``a``: the packed
    ``LU``, the int32 ``pivots`` and LAPACK's ``info`` — 0, or the 1-based step j where the pivot U[j, j] was 0.
    Such a column is left as it is (LAPACK does the same): with pivoting it is 0 below the pivot anyway; without,
    no factorization exists and ``info`` says so."""
    m, n = a.shape[-2:]
    count = math.prod(a.shape[:-2])  # (reshape can't infer -1 when a has no entries)
    lu = a.reshape((count, m, n)).copy()
    each = xp.arange(count)
    pivots = xp.empty((count, min(m, n)), dtype=dtypes.int32)
    info = xp.zeros(count, dtype=dtypes.int32)
    for j in range(min(m, n)):
        if pivot:
            p = j + xp.argmax(_magnitude(xp, lu[:, j:, j]), axis=1)  # argmax: the first largest one
            _swap(lu, each, j, p)
            pivots[:, j] = p + 1
        else:
            pivots[:, j] = j + 1
        head = lu[:, j, j]
        info[(head == 0) & (info == 0)] = j + 1
        lu[:, j + 1:, j] /= xp.where(head == 0, 1, head)[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    return lu.reshape(a.shape), pivots.reshape(a.shape[:-2] + (min(m, n),)), info.reshape(a.shape[:-2])


def _permutation(xp, pivots, m, dtype):
    """The (m, m) permutation matrix P of each pivot sequence, with A = P L U: the row exchanges, replayed on the
    row numbers 0..m-1, say which row of A ended up as row j of L U = P^T A; P has its one of column j there."""
    count = math.prod(pivots.shape[:-1])
    swaps = pivots.reshape((count, pivots.shape[-1])).astype(dtypes.int64) - 1
    if swaps.size and (int(swaps.min()) < 0 or int(swaps.max()) >= m):
        raise OpError(f"LU pivots must lie between 1 and the number of rows, {m}; got values from "
                      f"{int(swaps.min()) + 1} to {int(swaps.max()) + 1}")
    each = xp.arange(count)
    rows = xp.tile(xp.arange(m), (count, 1))
    for j in range(swaps.shape[1]):
        _swap(rows, each, j, swaps[:, j])
    p = xp.zeros((count, m, m), dtype=dtype)
    p[each[:, None], rows, xp.arange(m)] = 1
    return p.reshape(pivots.shape[:-1] + (m, m))


# ----------------------------------------------------------------------------------------------- lu_factor

def _square_block(x, k):
    """``x[..., :k, :k]``."""
    return getitem(x, (Ellipsis, slice(0, k), slice(0, k)))


def _times_inverse_uh(square, x):
    """X U^-H, with U the upper triangle of ``square`` (U^H is the lower triangle of square^H)."""
    return linalg_solve_triangular(_mH(square), x, upper=False, left=False)


def _inverse_lh_times(square, x):
    """L^-H X, with L the unit lower triangle of ``square`` (L^H: the unit upper triangle of square^H)."""
    return linalg_solve_triangular(_mH(square), x, upper=True, unitriangular=True)


class LuFactor(Op):
    """(LU, pivots, info) of each matrix of the batch (see ``_eliminate``); with ``check_errors``, a zero pivot is
    an error, as in ``linalg.lu_factor``.

    VJP, for ``g`` the gradient of the packed LU (L's part below the diagonal, U's on and above). Square A: from
    dA = P (dL U + L dU), L^-1 P^T dA U^-1 = L^-1 dL + dU U^-1 — a strictly lower plus an upper triangular
    matrix —, so the loss's change <gL, dL> + <gU, dU> is <M, L^-1 P^T dA U^-1> with
    M = tril(L^H gL, -1) + triu(gU U^H), and

        gA = P L^-H M U^-H

    Rectangular A, split into L = [L1; L2] (tall, m > n) or U = [U1 | U2] (wide) around the square k x k part:
    A2 = L2 U (tall) or A2 = L U2 (wide) adds ``gA2 = gL2 U^-H`` or ``gA2 = L^-H gU2``, and the term it
    takes away from the square part's M: ``- triu(L2^H gL2)`` or ``- tril(gU2 U2^H, -1)``."""
    name = "LinalgLuFactorEx"
    n_outputs = 3
    accepts_missing_grads = True
    saves_inputs = ()
    saves_outputs = (0, 1)

    @staticmethod
    def forward(xp, a, pivot, check_errors, op_name):
        lu, pivots, info = _eliminate(xp, a, pivot)
        if check_errors and bool((info != 0).any()):
            flat = getattr(xp, "asnumpy", numpy.asarray)(info).reshape(-1)
            i = int(numpy.flatnonzero(flat)[0])
            where = "" if a.ndim == 2 else f"(Batch element {i}): "
            raise LinAlgError(f"{op_name}: {where}U[{flat[i]},{flat[i]}] is zero and using it on lu_solve would "
                              f"result in a division by zero. If you still want to perform the factorization, "
                              f"consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
        return lu, pivots, info

    @staticmethod
    def vjp(ctx, g, g_pivots, g_info):
        if g is None:
            return (None,)
        lu, pivots = ctx.outputs[:2]
        m, n = _matrix_sizes("linalg.lu_factor", lu, "the gradient")
        k = min(m, n)
        square, g_square = (lu, g) if m == n else (_square_block(lu, k), _square_block(g, k))
        l1 = tril(square, -1) + eye_like(square)
        # (tril(., -1) and triu(.) read only gL's part of g and gU's part respectively: no masks needed)
        inner = tril(matmul(_mH(l1), g_square), -1) + triu(matmul(g_square, _mH(triu(square))))
        if m > n:
            g2 = _rows(g, k)
            inner = inner - triu(matmul(_mH(_rows(lu, k)), g2))
        elif n > m:
            g2 = _last(g, k)
            inner = inner - tril(matmul(g2, _mH(_last(lu, k))), -1)
        ga = _inverse_lh_times(square, _times_inverse_uh(square, inner))
        if m > n:
            ga = cat([ga, _times_inverse_uh(square, g2)], -2)
        elif n > m:
            ga = cat([ga, _inverse_lh_times(square, g2)], -1)
        return (matmul(apply(PivotsToPermutation, lu, pivots), ga) if ctx.attrs["pivot"] else ga,)

    @staticmethod
    def infer(a, pivot, check_errors, op_name):
        if a.shape is None:
            return a, Spec(None, dtypes.int32), Spec(None, dtypes.int32)
        batch, (m, n) = a.shape[:-2], a.shape[-2:]
        k = None if None in (m, n) else min(m, n)
        return a, Spec(batch + (k,), dtypes.int32), Spec(batch, dtypes.int32)


def _factor(op_name, A, pivot, check_errors):
    check_matrices(op_name, A, square=False)
    return apply(LuFactor, A, pivot=bool(pivot), check_errors=bool(check_errors), op_name=op_name)


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``torch.linalg.lu_factor_ex``: the named tuple ``(LU, pivots, info)`` — ``lu_factor``'s result and, per
    matrix of the batch, LAPACK's int32 ``info``: 0, or the 1-based j of the first zero U[j, j] (a singular
    matrix), which is an error only with ``check_errors``."""
    return LuFactorExResult(*_factor("linalg.lu_factor_ex", A, pivot, check_errors))


def linalg_lu_factor(A, *, pivot=True):
    """``torch.linalg.lu_factor``: the named tuple ``(LU, pivots)`` of each (m, n) matrix of the batch: L and U
    packed in one matrix, P as LAPACK's 1-based int32 pivots (see the module's notes). A zero on U's diagonal —
    a singular square matrix — is an error, since ``lu_solve`` would divide by it. ``pivot=False`` eliminates
    without exchanging rows (PyTorch offers that on CUDA only); it fails where a leading block is singular."""
    LU, pivots, _ = _factor("linalg.lu_factor", A, pivot, True)
    return LuFactorResult(LU, pivots)


# ----------------------------------------------------------------------------------------- unpacking P, L, U

class PivotsToPermutation(Op):
    """The permutation matrix P (m, m) of ``A = P L U`` from the pivots (the LU input lends m and its dtype)."""
    name = "LuUnpack"
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, lu, pivots):
        return _permutation(xp, pivots, lu.shape[-2], lu.dtype)

    @staticmethod
    def infer(lu, pivots):
        if lu.shape is None or pivots.shape is None:
            return Spec(None, lu.dtype)
        return Spec(tuple(pivots.shape[:-1]) + (lu.shape[-2],) * 2, lu.dtype)


def _check_pivots(op_name, LU, pivots, count):
    """``pivots`` must be int32, ``count`` of them for each matrix of LU's batch."""
    _check_tensors(op_name, pivots)
    if pivots.dtype != dtypes.int32:
        raise DtypeError(f"{op_name}: pivots should be a tensor of dtype int32 (what lu_factor returns), got "
                         f"{describe(pivots)}")
    expected = tuple(LU.shape[:-2]) + (count,)
    if pivots.ndim != len(expected) or any(None not in (a, b) and a != b for a, b in zip(pivots.shape, expected)):
        raise OpError(f"{op_name}: expected pivots of shape {list(expected)} for LU {describe(LU)}, got "
                      f"{describe(pivots)}")


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """``torch.lu_unpack``: the named tuple ``(P, L, U)`` from ``lu_factor``'s packed result — L (m, k) the part
    below the diagonal with ones on it, U (k, n) the part on and above it, P from the pivots. Without
    ``unpack_data``, L and U are empty tensors; without ``unpack_pivots``, P is. L's and U's gradients flow back to
    LU_data (P has none)."""
    check_matrices("lu_unpack", LU_data, square=False)
    m, n = _matrix_sizes("lu_unpack", LU_data, "unpacking")
    _check_pivots("lu_unpack", LU_data, LU_pivots, min(m, n))
    if unpack_data:
        lower = _last(LU_data, 0, min(m, n))
        L = tril(lower, -1) + tril(triu(ones_like(lower)))  # (ones where row == column: the unit diagonal)
        U = triu(_rows(LU_data, 0, min(m, n)))
    else:
        L = U = _empty(LU_data)
    P = apply(PivotsToPermutation, LU_data, LU_pivots) if unpack_pivots else _empty(LU_data)
    return LuUnpackResult(P, L, U)


def linalg_lu(A, *, pivot=True):
    """``torch.linalg.lu``: the named tuple ``(P, L, U)`` with ``A = P L U`` for each (m, n) matrix of the batch —
    ``lu_factor`` (without the singularity check) and ``lu_unpack``, and differentiated through them. With
    ``pivot=False``, P is an empty tensor (A = L U)."""
    LU, pivots, _ = _factor("linalg.lu", A, pivot, False)
    return LuResult(*lu_unpack(LU, pivots, unpack_pivots=pivot))


# ---------------------------------------------------------------------------------------------- lu_solve

class LuSolve(Op):
    """``X = A^-1 B`` (``adjoint``: ``A^-H B``) for A = P L U given as (LU, pivots): a permutation and two
    triangular solves, ``X = U^-1 L^-1 P^T B`` (``X = P L^-H U^-H B``).

    VJP. As for ``linalg.solve``: gB = A^-H gX (A^-1 gX with ``adjoint``) — ``lu_solve`` the other way — and
    A's gradient gA = -gB X^H (-X gB^H with ``adjoint``). That goes on to L and U: dA = P (dL U + L dU) gives
    <gA, dA> = <P^T gA U^H, dL> + <L^H P^T gA, dU>, of which L's strictly lower part (its diagonal is fixed) and
    U's upper part are variables:

        gLU = tril(P^T gA U^H, -1) + triu(L^H P^T gA)

    Both are summed over batch dims that broadcasting stretched. The pivots get no gradient."""
    name = "LinalgLuSolve"
    saves_inputs = (0, 1)
    saves_outputs = True
    differentiable_inputs = (0, 2)

    @staticmethod
    def forward(xp, lu, pivots, b, adjoint):
        p = _permutation(xp, pivots, lu.shape[-1], lu.dtype)
        try:
            if adjoint:  # A^H = U^H L^H P^T
                luh = xp.conj(xp.swapaxes(lu, -1, -2))
                y = SolveTriangular.forward(xp, luh, b, upper=False, unitriangular=False)
                return xp.matmul(p, SolveTriangular.forward(xp, luh, y, upper=True, unitriangular=True))
            y = SolveTriangular.forward(xp, lu, xp.matmul(xp.swapaxes(p, -1, -2), b), upper=False, unitriangular=True)
            return SolveTriangular.forward(xp, lu, y, upper=True, unitriangular=False)
        except LinAlgError:
            raise LinAlgError(f"linalg.lu_solve: U has a zero on its diagonal: the factorized matrix is singular "
                              f"(LU: {describe(lu)})") from None

    @staticmethod
    def vjp(ctx, g):
        lu, pivots, b = ctx.inputs
        x, adjoint = ctx.outputs[0], ctx.attrs["adjoint"]
        gb = apply(LuSolve, lu, pivots, g, adjoint=not adjoint)
        g_lu = None
        if ctx.needs_input_grad[0]:
            ga = -matmul(x, _mH(gb)) if adjoint else -matmul(gb, _mH(x))
            pt_ga = matmul(mT(apply(PivotsToPermutation, lu, pivots)), ga)
            lower = tril(lu, -1) + eye_like(lu)
            g_lu = sum_to_like(tril(matmul(pt_ga, _mH(triu(lu))), -1) + triu(matmul(_mH(lower), pt_ga)), lu)
        return g_lu, None, sum_to_like(gb, b) if ctx.needs_input_grad[2] else None

    @staticmethod
    def infer(lu, pivots, b, adjoint):
        return _solve_spec("linalg.lu_solve", lu, b)


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """``torch.linalg.lu_solve``: the X with ``A X = B`` for the square A that ``lu_factor`` gave (LU, pivots);
    ``adjoint=True`` solves ``A^H X = B``, ``left=False`` ``X A = B`` (or ``X A^H = B``). B is (..., n, k); batch
    dims broadcast. A singular A (a zero on U's diagonal, which ``lu_factor_ex`` lets through) is an error here —
    PyTorch returns inf/NaN instead."""
    op_name = "linalg.lu_solve"
    check_matrices(op_name, LU)
    _check_tensors(op_name, B)
    _check_pivots(op_name, LU, pivots, LU.shape[-1])
    if B.ndim < 2:
        raise OpError(f"{op_name}: The input tensor B must have at least 2 dimensions, got {describe(B)}")
    require_same_dtype(op_name, [("LU", LU), ("B", B)])
    if left:
        _check_rhs(op_name, LU, B)
        return apply(LuSolve, LU, pivots, B, adjoint=bool(adjoint))
    n, cols = LU.shape[-1], B.shape[-1]
    if None not in (n, cols) and n != cols:
        raise OpError(f"{op_name}: Incompatible shapes of A and B for the equation XA = B ({n}x{n} and "
                      f"{B.shape[-2]}x{cols})")
    broadcast_shapes(op_name, LU.shape[:-2], B.shape[:-2])
    # X op(A) = B  <=>  op(A)^H X^H = B^H: the left solve with the other ``adjoint``
    return _mH(apply(LuSolve, LU, pivots, _mH(B), adjoint=not adjoint))


# ------------------------------------------------------------------------------------ the old spellings

def lu(A, pivot=True, get_infos=False):
    """The old ``torch.lu``: ``(LU, pivots)`` as ``linalg.lu_factor`` gives them, and with ``get_infos`` the
    named tuple ``(LU, pivots, info)`` of ``linalg.lu_factor_ex``. Like PyTorch's, it never refuses a singular
    matrix: a zero on U's diagonal shows only in ``info``."""
    LU, pivots, info = _factor("lu", A, pivot, False)
    return LuFactorExResult(LU, pivots, info) if get_infos else (LU, pivots)


def lu_solve(b, LU_data, LU_pivots):
    """The old ``torch.lu_solve``: ``linalg.lu_solve(LU_data, LU_pivots, b)``, its arguments in the other order."""
    return linalg_lu_solve(LU_data, LU_pivots, b)
