"""Op table entries for nan_reductions.py, quantiles.py and index_sets.py: nansum, nanmean, fmax, fmin, aminmax,
quantile, nanquantile, mv, cov, corrcoef (with gradients) and isin, unique_consecutive (forward only).

Inputs are kept where the functions are smooth: distinct values (no ties for a max or an order statistic), q
values whose rank q·(n - 1) stays well away from whole numbers (where linear interpolation has a kink), fmax/fmin
operands that never tie, and reductions whose slices never hold NaN alone (0 / 0).
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, broadcastable, floats_array, shapes, unary
from .specs_reduce import at_least, distinct


def _with_nan(arrays, keep_first=True, axis=-1):
    """Entries above 2 become NaN; with ``keep_first`` the first entry along ``axis`` (the dim reduced) stays a
    number — at most 1.005, off the 0.01 grid of ``distinct`` values, so that it ties with none of them."""
    a = np.where(arrays[0] > 2, np.nan, arrays[0])
    if keep_first and a.ndim and a.shape[axis]:
        np.moveaxis(a, axis, 0)[0] = np.minimum(np.moveaxis(arrays[0], axis, 0)[0], 1.005)
    return (a,)


def _never_tied(nan_in):
    """fmax/fmin operands on two interleaved grids (a on multiples of 0.5, b a quarter off), a few entries of
    operand ``nan_in`` NaN (in one operand only: NaN against NaN gives NaN, which has no finite differences)."""
    def build(arrays):
        a, b = (np.round(x * 2) / 2 for x in arrays)
        pair = [a, b + 0.25]
        pair[nan_in] = np.where(np.abs(pair[nan_in]) > 2.2, np.nan, pair[nan_in])
        return tuple(pair)
    return build


def _q_values(n):
    """1-d q tensors in (0, 1) whose ranks q·(n - 1) (n <= 5) lie at least 0.01 from a whole number."""
    return floats_array((n,), 0.0, 0.9).map(lambda q: np.round(q * 10) / 10 + 0.013)


def _with_q(shape_strategy):
    return st.tuples(distinct(shape_strategy), st.integers(1, 3)).flatmap(
        lambda t: st.tuples(st.just(t[0][0]), _q_values(t[1])))


def _nan_quantile_inputs():
    """Distinct values with NaN sprinkled in (the first entry along the last dim stays a number)."""
    return distinct(at_least(1, min_side=1)).map(lambda t: _with_nan((np.where(t[0] > 1.5, 3.0, t[0]),)))


def _nanquantile_reference(a, q, axis):
    return np.nanquantile(a, q, axis=axis).astype(a.dtype)


def _quantile_reference(method, axis=None, keepdims=False):
    def reference(a, q):
        return np.quantile(a, q, axis=axis, method=method, keepdims=keepdims).astype(a.dtype)
    return reference


def _variables(min_obs=2):
    """(variables, observations) matrices of distinct values, 1 to 3 variables and min_obs to 5 observations."""
    return distinct(st.tuples(st.integers(1, 3), st.integers(min_obs, 5)))


def _weighted_cov_inputs():
    def build(shape):
        n = shape[1]
        return st.tuples(distinct(st.just(shape)).map(lambda t: t[0]),
                         hnp.arrays(np.int64, (n,), elements=st.integers(1, 3)),
                         floats_array((n,), 0.2, 2.0))
    return st.tuples(st.integers(1, 3), st.integers(3, 5)).flatmap(build)


def _matrix_and_vector():
    return st.tuples(st.integers(0, 4), st.integers(0, 4)).flatmap(
        lambda s: st.tuples(floats_array(s), floats_array((s[1],))))


def _halves(shape):
    return floats_array(shape).map(lambda a: np.round(a * 2) / 2)


def _isin_inputs():
    return st.tuples(shapes(), st.integers(0, 5)).flatmap(lambda s: st.tuples(_halves(s[0]), _halves((s[1],))))


def _runs(a):
    """unique_consecutive of the flattened ``a``, in numpy: (values, inverse, counts)."""
    flat = a.reshape(-1)
    starts = np.ones(flat.size, dtype=bool)
    starts[1:] = flat[1:] != flat[:-1]
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), flat.size))
    return flat[starts], inverse.reshape(a.shape).astype(np.int64), counts.astype(np.int64)


SPECS = [
    # nansum, nanmean
    OpSpec("nansum_all", lambda m, x: m.nansum(x), lambda a: np.nansum(a).astype(a.dtype),
           unary().map(lambda t: _with_nan(t, keep_first=False))),
    OpSpec("nansum_dims_keepdim", lambda m, x: m.nansum(x, (0, -1), keepdim=True),
           lambda a: np.nansum(a, axis=(0, -1), keepdims=True), unary(at_least(2)).map(_with_nan)),
    OpSpec("nanmean_last", lambda m, x: m.nanmean(x, -1), lambda a: np.nanmean(a, axis=-1),
           unary(at_least(1, min_side=1)).map(_with_nan)),
    OpSpec("nanmean_keepdim", lambda m, x: m.nanmean(x, 1, keepdim=True),
           lambda a: np.nanmean(a, axis=1, keepdims=True),
           unary(at_least(2, min_side=1)).map(lambda t: _with_nan(t, axis=1))),
    # fmax, fmin
    OpSpec("fmax", lambda m, a, b: m.fmax(a, b), lambda a, b: np.fmax(a, b), broadcastable(2).map(_never_tied(0)),
           grad_inputs=(0, 1)),
    OpSpec("fmin", lambda m, a, b: m.fmin(a, b), lambda a, b: np.fmin(a, b), broadcastable(2).map(_never_tied(1)),
           grad_inputs=(0, 1)),
    # aminmax
    OpSpec("aminmax_all", lambda m, x: m.aminmax(x), lambda a: (np.min(a), np.max(a)), distinct()),
    OpSpec("aminmax_dim_keepdim", lambda m, x: m.aminmax(x, dim=-1, keepdim=True),
           lambda a: (np.min(a, -1, keepdims=True), np.max(a, -1, keepdims=True)),
           distinct(at_least(1, min_side=1))),
    # quantile, nanquantile
    OpSpec("quantile_all_linear", lambda m, x: m.quantile(x, 0.313),
           lambda a: np.quantile(a, 0.313).astype(a.dtype), distinct(),
           notes="0.313·(n - 1), n <= 64, stays off whole numbers"),
    OpSpec("quantile_q_tensor_dim", lambda m, x, q: m.quantile(x, q, dim=-1),
           lambda a, q: _quantile_reference("linear", axis=-1)(a, q), _with_q(at_least(1, min_side=1)),
           grad_inputs=(0, 1), notes="linear interpolation: q gets a gradient too"),
    OpSpec("quantile_lower_keepdim", lambda m, x, q: m.quantile(x, q, dim=0, keepdim=True, interpolation="lower"),
           lambda a, q: _quantile_reference("lower", axis=0, keepdims=True)(a, q), _with_q(at_least(1, min_side=1))),
    OpSpec("quantile_higher", lambda m, x, q: m.quantile(x, q, dim=-1, interpolation="higher"),
           lambda a, q: _quantile_reference("higher", axis=-1)(a, q), _with_q(at_least(1, min_side=1))),
    OpSpec("quantile_midpoint_all_keepdim", lambda m, x, q: m.quantile(x, q, keepdim=True, interpolation="midpoint"),
           lambda a, q: _quantile_reference("midpoint", keepdims=True)(a, q), _with_q(None)),
    OpSpec("quantile_nearest", lambda m, x, q: m.quantile(x, q, dim=-1, interpolation="nearest"),
           lambda a, q: _quantile_reference("nearest", axis=-1)(a, q), _with_q(at_least(1, min_side=1))),
    OpSpec("quantile_nan_gives_nan", lambda m, x: m.quantile(x, 0.313, dim=-1),
           lambda a: np.quantile(a, 0.313, axis=-1).astype(a.dtype), _nan_quantile_inputs(),
           grad_inputs=(), notes="a slice holding NaN answers NaN, which has no finite differences: the gradient "
           "(to the NaN entry) is compared with PyTorch's in test_nan_and_quantiles.py"),
    OpSpec("nanquantile_dim", lambda m, x: m.nanquantile(x, 0.313, dim=-1),
           lambda a: _nanquantile_reference(a, 0.313, -1), _nan_quantile_inputs()),
    # mv, cov, corrcoef
    OpSpec("mv", lambda m, a, v: m.mv(a, v), lambda a, v: a @ v, _matrix_and_vector(), grad_inputs=(0, 1)),
    OpSpec("cov", lambda m, x: m.cov(x), lambda a: np.cov(a).astype(a.dtype), _variables()),
    OpSpec("cov_vector_correction0", lambda m, x: m.cov(x, correction=0), lambda a: np.cov(a, ddof=0),
           distinct(st.tuples(st.integers(1, 5)))),
    OpSpec("cov_weights", lambda m, x, f, w: m.cov(x, fweights=f, aweights=w),
           lambda a, f, w: np.cov(a, fweights=f, aweights=w).astype(np.result_type(a, w)), _weighted_cov_inputs(),
           raw_inputs=(1,), grad_inputs=(0, 2)),
    OpSpec("corrcoef", lambda m, x: m.corrcoef(x), lambda a: np.corrcoef(a).astype(a.dtype), _variables(3),
           rtol=1e-4, atol=1e-5),
    # isin, unique_consecutive (no gradients)
    OpSpec("isin", lambda m, a, b: m.isin(a, b), lambda a, b: np.isin(a, b), _isin_inputs(), grad_inputs=()),
    OpSpec("isin_invert", lambda m, a, b: m.isin(a, b, invert=True), lambda a, b: np.isin(a, b, invert=True),
           _isin_inputs(), grad_inputs=()),
    OpSpec("unique_consecutive", lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True),
           _runs, shapes().flatmap(lambda s: st.tuples(_halves(s))), grad_inputs=()),
]
