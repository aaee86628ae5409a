"""``torch.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the Bunch–Kaufman factorization of a symmetric,
possibly indefinite, matrix, in LAPACK's ``sytrf`` form (lower triangle), and solves with it.

A symmetric positive-definite matrix has a Cholesky factor; an indefinite one (a saddle point's Hessian, a KKT
system) need not even have ``A = L D Lᵀ`` with a diagonal D — ``[[0, 1], [1, 0]]`` has none. Bunch and Kaufman
(1977) let D have 2 × 2 blocks as well, and exchange rows *and* columns (so the matrix stays symmetric) to keep
the multipliers bounded::

    A = L D Lᵀ,   L = P₁ L₁ P₂ L₂ ···,   D block diagonal with 1 × 1 and 2 × 2 blocks

At column k, with ``α = (1 + √17)/8`` (which bounds the growth of the entries best), ``λ`` the largest entry
below the diagonal in column k (in row r), and ``σ`` the largest off-diagonal entry of row/column r:

* ``|a_kk| ≥ α·λ`` or ``|a_kk|·σ ≥ α·λ²``: a 1 × 1 pivot a_kk, no exchange;
* else ``|a_rr| ≥ α·σ``: a 1 × 1 pivot a_rr, rows and columns k and r exchanged;
* else a 2 × 2 pivot [[a_kk, a_rk], [a_rk, a_rr]], rows and columns k+1 and r exchanged.

The compact result ``LD`` (as LAPACK and PyTorch store it) holds D's blocks on and just below the diagonal and
the multipliers of each Lⱼ below them; its strict upper triangle is 0. ``pivots`` (int32, 1-based) says what each
step did: ``pivots[k] = r`` (r = k: no exchange) for a 1 × 1 pivot, and ``pivots[k] = pivots[k+1] = -r`` for a
2 × 2 pivot. Only A's lower triangle is read. ``info`` is LAPACK's: 0, or the 1-based k of the first exactly zero
1 × 1 pivot (D is singular; the factorization still completes, as in LAPACK).

minidl follows LAPACK's unblocked ``sytf2`` step by step, so its pivots are PyTorch's and its ``LD`` agrees with
PyTorch's to rounding (PyTorch's blocked LAPACK sums in another order; for matrices of 64 rows and more it may even
pick different pivots where two candidates tie to rounding — both factorizations are then valid).

Gradients: PyTorch has none for these; the factorization here has none either (a backward through it raises).
``ldl_solve`` is linear in B, and its gradient with respect to B is given (``A⁻ᵀ = A⁻¹`` for symmetric A: one more
solve); with respect to LD it raises, as PyTorch's does. Real matrices only (float32, float64): complex symmetric
and Hermitian factorizations (``hermitian=True``) are refused; for real matrices ``hermitian`` changes nothing.
"""
import math
from collections import namedtuple

from ..backend import dtypes
from .base import DtypeError, LinAlgError, Op, OpError, Spec, apply, describe
from .broadcast import sum_to_like
from .infer import broadcast_shapes
from .solvers import check_matrices

__all__ = ["linalg_ldl_factor", "linalg_ldl_factor_ex", "linalg_ldl_solve"]

LdlFactorResult = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
LdlFactorExResult = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])

GROWTH_BOUND = (1 + math.sqrt(17)) / 8  # Bunch and Kaufman's α


def _swap(a, i, j):
    """Exchange rows i and j of ``a`` (a 1-D or 2-D array) in place."""
    a[[i, j]] = a[[j, i]]


def _exchange(a, kk, r):
    """Exchange rows and columns kk < r of the symmetric trailing matrix, whose lower triangle ``a`` holds (the
    columns left of kk — multipliers already computed — stay as they are: L is a product, not one permutation)."""
    a[r + 1:, [kk, r]] = a[r + 1:, [r, kk]]
    between = a[kk + 1:r, kk].copy()
    a[kk + 1:r, kk] = a[r, kk + 1:r]
    a[r, kk + 1:r] = between
    a[[kk, r], [kk, r]] = a[[r, kk], [r, kk]]


def _choose_pivot(xp, a, k):
    """(row to exchange, 1 or 2, zero column?) for step k, by the rule in the module docstring."""
    n = a.shape[0]
    diagonal = abs(float(a[k, k]))
    if k + 1 < n:
        r = k + 1 + int(xp.argmax(xp.abs(a[k + 1:, k])))
        largest_below = abs(float(a[r, k]))
    else:
        r, largest_below = k, 0.0
    if diagonal == 0 and largest_below == 0:
        return k, 1, True
    if diagonal >= GROWTH_BOUND * largest_below:
        return k, 1, False
    off_diagonal_of_r = float(xp.abs(a[r, k:r]).max())
    if r + 1 < n:
        off_diagonal_of_r = max(off_diagonal_of_r, float(xp.abs(a[r + 1:, r]).max()))
    if diagonal >= GROWTH_BOUND * largest_below * (largest_below / off_diagonal_of_r):
        return k, 1, False
    if abs(float(a[r, r])) >= GROWTH_BOUND * off_diagonal_of_r:
        return r, 1, False
    return r, 2, False


def _eliminate(xp, a, k, size):
    """Divide the multipliers of the pivot block at k (``size`` 1 or 2) and update the trailing matrix."""
    if size == 1:
        below = a[k + 1:, k].copy()
        reciprocal = 1 / a[k, k]
        a[k + 1:, k + 1:] += xp.outer(below, -reciprocal * below)
        a[k + 1:, k] *= reciprocal
        return
    # D = [[d_kk, d_rk], [d_rk, d_rr]] scaled by d_rk, whose inverse is then a small closed form
    off = a[k + 1, k]
    first, second = a[k + 1, k + 1] / off, a[k, k] / off
    scale = (1 / (first * second - 1)) / off
    column_k, column_k1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
    multiplier_k = scale * (first * column_k - column_k1)
    multiplier_k1 = scale * (second * column_k1 - column_k)
    a[k + 2:, k + 2:] -= xp.outer(column_k, multiplier_k) + xp.outer(column_k1, multiplier_k1)
    a[k + 2:, k], a[k + 2:, k + 1] = multiplier_k, multiplier_k1


def _factor_one(xp, a):
    """Bunch–Kaufman on one matrix, in place (lower triangle): its 1-based signed pivots and info."""
    n = a.shape[0]
    pivots, info, k = [0] * n, 0, 0
    while k < n:
        r, size, zero_column = _choose_pivot(xp, a, k)
        if zero_column:
            info = info or k + 1
        else:
            if r != k + size - 1:
                _exchange(a, k + size - 1, r)
                if size == 2:  # (the block's own off-diagonal entry moves with row k+1)
                    _swap(a[:, k], k + 1, r)
            _eliminate(xp, a, k, size)
        pivots[k:k + size] = [r + 1] if size == 1 else [-(r + 1)] * 2
        k += size
    return pivots, info


class LdlFactor(Op):
    """(LD, pivots, info) of each matrix of the batch (module docstring); with ``check_errors`` a zero pivot is a
    ``LinAlgError``. No gradient (nor in PyTorch)."""
    name = "LinalgLdlFactorEx"
    n_outputs = 3
    saves_inputs = ()

    @staticmethod
    def forward(xp, a, op_name, check_errors):
        n = a.shape[-1]
        batch = a.reshape((math.prod(a.shape[:-2]), n, n))  # (not -1: a batch of 0 x 0 matrices has no size)
        factors = xp.tril(batch)  # a copy: only the lower triangle is read, and the upper one is 0 in LD
        pivots = xp.empty(batch.shape[:2], dtype=dtypes.int32)
        info = xp.zeros(batch.shape[0], dtype=dtypes.int32)
        for i in range(batch.shape[0]):
            steps, info[i] = _factor_one(xp, factors[i])
            pivots[i] = xp.asarray(steps, dtype=dtypes.int32)
            if check_errors and info[i]:
                where = "" if a.ndim == 2 else f"(Batch element {i}): "
                raise LinAlgError(f"{op_name}: {where}The factorization could not be completed because the input is "
                                  f"singular: D({int(info[i])},{int(info[i])}) is exactly zero.")
        return xp.tril(factors).reshape(a.shape), pivots.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])

    @staticmethod
    def vjp(ctx, g_factors, g_pivots, g_info):
        raise NotImplementedError(f"the derivative of {ctx.attrs['op_name']} (the Bunch–Kaufman LDL factorization) "
                                  f"is not implemented (nor in PyTorch)")

    @staticmethod
    def infer(a, op_name, check_errors):
        batch = None if a.shape is None else tuple(a.shape[:-2])
        return (Spec(a.shape, a.dtype), Spec(None if batch is None else a.shape[:-1], dtypes.int32),
                Spec(batch, dtypes.int32))


def _solve_one(xp, a, pivots, b):
    """X with ``L D Lᵀ X = b`` for one compact factorization ``a`` and its ``pivots`` (LAPACK's ``sytrs``), in place
    in ``b`` (n, k): first ``L D Y = b`` column block by column block, then ``Lᵀ X = Y`` backwards."""
    n = a.shape[0]
    k = 0
    while k < n:
        if pivots[k] > 0:
            if pivots[k] - 1 != k:
                _swap(b, k, pivots[k] - 1)
            b[k + 1:] -= xp.outer(a[k + 1:, k], b[k])
            b[k] *= 1 / a[k, k]
            k += 1
        else:
            if -pivots[k] - 1 != k + 1:
                _swap(b, k + 1, -pivots[k] - 1)
            b[k + 2:] -= xp.outer(a[k + 2:, k], b[k])
            b[k + 2:] -= xp.outer(a[k + 2:, k + 1], b[k + 1])
            off = a[k + 1, k]
            first, second = a[k, k] / off, a[k + 1, k + 1] / off
            determinant = first * second - 1
            top, bottom = b[k] / off, b[k + 1] / off
            b[k], b[k + 1] = (second * top - bottom) / determinant, (first * bottom - top) / determinant
            k += 2
    k = n - 1
    while k >= 0:
        b[k] -= a[k + 1:, k] @ b[k + 1:]
        if pivots[k] > 0:
            if pivots[k] - 1 != k:
                _swap(b, k, pivots[k] - 1)
            k -= 1
        else:
            b[k - 1] -= a[k + 1:, k - 1] @ b[k + 1:]
            if -pivots[k] - 1 != k:
                _swap(b, k, -pivots[k] - 1)
            k -= 2
    return b


def _check_pivot_values(pivots, n):
    """Pivots as ``ldl_factor`` makes them: each in ±[1, n], and a 2 × 2 block's two equal and negative."""
    for row in pivots:
        k = 0
        while k < n:
            if not 1 <= abs(row[k]) <= n or (row[k] < 0 and (k + 1 == n or row[k + 1] != row[k])):
                raise OpError(f"linalg.ldl_solve: pivots must be as linalg.ldl_factor returns them (each 1 to {n}, "
                              f"or a pair of equal negative ones for a 2 x 2 block); got {list(row)}")
            k += 1 if row[k] > 0 else 2


class LdlSolve(Op):
    """X with ``A X = B`` from A's compact Bunch–Kaufman factorization; batch dims broadcast. The gradient with
    respect to B is one more solve (A is symmetric); with respect to LD it is not implemented (nor in PyTorch)."""
    name = "LinalgLdlSolve"
    saves_inputs = (0, 1)
    differentiable_inputs = (0, 2)

    @staticmethod
    def forward(xp, factors, pivots, b):
        n = factors.shape[-1]
        batch = broadcast_shapes("linalg.ldl_solve", factors.shape[:-2], b.shape[:-2])
        count = math.prod(batch)
        factors = xp.broadcast_to(factors, batch + factors.shape[-2:]).reshape((count, n, n))
        host_pivots = getattr(xp, "asnumpy", lambda p: p)(xp.broadcast_to(pivots, batch + (n,)).reshape((count, n)))
        _check_pivot_values(host_pivots, n)
        x = xp.broadcast_to(b, batch + b.shape[-2:]).reshape((count,) + b.shape[-2:]).copy()
        for i in range(x.shape[0]):
            _solve_one(xp, factors[i], [int(p) for p in host_pivots[i]], x[i])
        return x.reshape(batch + b.shape[-2:])

    @staticmethod
    def vjp(ctx, g):
        factors, pivots, b = ctx.inputs
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative of linalg.ldl_solve with respect to LD is not implemented "
                                      "(nor in PyTorch); detach LD, or solve with linalg.solve")
        return None, None, sum_to_like(apply(LdlSolve, factors, pivots, g), b)

    @staticmethod
    def infer(factors, pivots, b):
        if factors.shape is None or b.shape is None:
            return Spec(None, b.dtype)
        return Spec(broadcast_shapes("linalg.ldl_solve", factors.shape[:-2], b.shape[:-2]) + tuple(b.shape[-2:]),
                    b.dtype)


def _real_symmetric(op_name, A, hermitian):
    A = check_matrices(op_name, A)
    if dtypes.is_complex(A.dtype):
        kind = "Hermitian" if hermitian else "complex symmetric"
        raise NotImplementedError(f"{op_name}: {kind} matrices are not supported by minidl's Bunch–Kaufman "
                                  f"factorization (float32 and float64 only), got {describe(A)}")
    return A


def linalg_ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """``torch.linalg.ldl_factor_ex``: the named tuple ``(LD, pivots, info)`` of each symmetric matrix of the
    batch (module docstring); ``info`` is 0, or the 1-based k of a zero 1 × 1 pivot (``check_errors``: raise)."""
    A = _real_symmetric("linalg.ldl_factor_ex", A, hermitian)
    return LdlFactorExResult(*apply(LdlFactor, A, op_name="linalg.ldl_factor_ex", check_errors=bool(check_errors)))


def linalg_ldl_factor(A, *, hermitian=False):
    """``torch.linalg.ldl_factor``: the named tuple ``(LD, pivots)`` of each symmetric (possibly indefinite)
    matrix of the batch (module docstring). A singular D (an exactly zero pivot) raises ``LinAlgError`` (PyTorch
    2.13 means to, and stops at an internal assertion instead)."""
    A = _real_symmetric("linalg.ldl_factor", A, hermitian)
    LD, pivots, _ = apply(LdlFactor, A, op_name="linalg.ldl_factor", check_errors=True)
    return LdlFactorResult(LD, pivots)


def linalg_ldl_solve(LD, pivots, B, *, hermitian=False):
    """``torch.linalg.ldl_solve``: the X with ``A X = B`` from ``ldl_factor(A)``'s ``(LD, pivots)``; B is a
    (batch of) n × k matrices, batch dims broadcast."""
    LD = _real_symmetric("linalg.ldl_solve", LD, hermitian)
    if B.ndim < 2:
        raise OpError(f"linalg.ldl_solve: B must be a (batch of) matrices, with at least 2 dimensions; got "
                      f"{describe(B)}")
    if B.dtype != LD.dtype:
        raise DtypeError(f"linalg.ldl_solve: Expected B and LD to have the same dtype, but got {describe(B)} and "
                         f"{describe(LD)}")
    if dtypes.category(pivots.dtype) != 1:
        raise DtypeError(f"linalg.ldl_solve: pivots must be integers (what linalg.ldl_factor returns), got "
                         f"{describe(pivots)}")
    n, rows = LD.shape[-1], B.shape[-2]
    if None not in (n, rows) and n != rows:
        raise OpError(f"linalg.ldl_solve: Incompatible matrix sizes: each A matrix is {n} by {n} but each B matrix "
                      f"is {rows} by {B.shape[-1]}")
    if pivots.shape is not None and LD.shape is not None and tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise OpError(f"linalg.ldl_solve: expected pivots of shape {list(LD.shape[:-1])} for {describe(LD)}, got "
                      f"{describe(pivots)}")
    return apply(LdlSolve, LD, pivots, B)
