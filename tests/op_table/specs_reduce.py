"""Op table entries for the reductions (reduce.py and extrema.py)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, fixed, nonempty_shapes, shapes, unary


def distinct(shape_strategy=None, magnitudes=False):
    """Values at least 0.01 apart, so a max or min is never tied (and is differentiable there).
    ``magnitudes=True``: the absolute values are distinct too, with mixed signs (for the inf-norm)."""
    def arrays(shape):
        low = 1 if magnitudes else -300
        ints = hnp.arrays(np.int64, shape, elements=st.integers(low, 300), unique=True)
        if magnitudes:
            ints = ints.map(lambda a: a * np.where(np.arange(a.size).reshape(a.shape) % 2, 1, -1))
        return ints.map(lambda a: (a * 0.01,))
    return (nonempty_shapes() if shape_strategy is None else shape_strategy).flatmap(arrays)


def at_least(n_dims, min_side=0):
    """Shapes with at least ``n_dims`` dims (so a given dim exists), sides from ``min_side`` to 4."""
    return shapes(min_dims=n_dims, max_dims=3, min_side=min_side)


def with_zeros(shape_strategy=None):
    """Rounded values, so that many entries are exactly 0 (for all/any)."""
    return unary(shape_strategy).map(lambda arrays: tuple(np.round(a) for a in arrays))


def np_logsumexp(a, axis, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(a.astype(np.float64) - m), axis=axis, keepdims=True)) + m
    return (out if keepdims else np.squeeze(out, axis=axis)).astype(a.dtype)


def np_norm(a, p, axis=None, keepdims=False):
    a = np.abs(a.astype(np.float64))
    if p == np.inf:
        out = np.max(a, axis=axis, keepdims=keepdims)
    elif p == 0:
        out = np.sum(a != 0, axis=axis, keepdims=keepdims)
    else:
        out = np.sum(a ** p, axis=axis, keepdims=keepdims) ** (1 / p)
    return np.asarray(out, dtype=np.float32)


POSITIVE_OR_NEGATIVE = dict(low=-2.0, high=2.0, avoid=(0.0,), margin=0.3)  # for prod: no zeros, no huge products
F64 = np.float64

SPECS = [
    # ---------------------------------------------------------------------------------------------- sum
    OpSpec("sum_all", lambda m, x: m.sum(x), np.sum, unary()),
    OpSpec("sum_all_keepdim", lambda m, x: m.sum(x, None, keepdim=True), lambda a: np.sum(a, keepdims=True), unary()),
    OpSpec("sum_dim1", lambda m, x: m.sum(x, 1), lambda a: np.sum(a, axis=1), unary(at_least(2))),
    OpSpec("sum_neg_dim_keepdim", lambda m, x: m.sum(x, -1, keepdim=True),
           lambda a: np.sum(a, axis=-1, keepdims=True), unary(at_least(1))),
    OpSpec("sum_tuple_dims", lambda m, x: m.sum(x, (0, -1)), lambda a: np.sum(a, axis=(0, -1)),
           unary(at_least(2))),
    OpSpec("sum_empty_tuple_means_all", lambda m, x: m.sum(x, ()), np.sum, unary()),
    OpSpec("sum_scalar_dim0", lambda m, x: m.sum(x, 0), lambda a: a, unary(st.just(()))),
    OpSpec("sum_dtype_float64", lambda m, x: m.sum(x, 0, dtype=F64), lambda a: np.sum(a, axis=0, dtype=F64),
           unary(at_least(1)), torch_fn=lambda torch, x: torch.sum(x, 0, dtype=torch.float64)),
    OpSpec("sum_int", lambda m, x: m.sum(x, -1), lambda a: np.sum(a, axis=-1), unary(at_least(1)),
           grad_inputs=(), dtype="int32", notes="int32 sums to int64, as in PyTorch"),
    OpSpec("sum_bool", lambda m, x: m.sum(x), lambda a: np.sum(a, dtype=np.int64), unary(), grad_inputs=(),
           dtype="bool"),
    # --------------------------------------------------------------------------------------------- mean
    OpSpec("mean_all", lambda m, x: m.mean(x), np.mean, unary(nonempty_shapes())),
    OpSpec("mean_dims_keepdim", lambda m, x: m.mean(x, (-2, 0), keepdim=True),
           lambda a: np.mean(a, axis=(-2, 0), keepdims=True), unary(at_least(3, min_side=1))),
    OpSpec("mean_dim_with_empty", lambda m, x: m.mean(x, -1), lambda a: np.mean(a, axis=-1), unary(at_least(1)),
           grad_inputs=(), notes="forward only: the mean of an empty slice is NaN (as in PyTorch)"),
    OpSpec("mean_int_with_dtype", lambda m, x: m.mean(x, dtype=F64), lambda a: np.mean(a, dtype=F64),
           unary(nonempty_shapes()), grad_inputs=(), dtype="int64",
           torch_fn=lambda torch, x: torch.mean(x, dtype=torch.float64)),
    # --------------------------------------------------------------------------------------------- prod
    OpSpec("prod_all", lambda m, x: m.prod(x), np.prod, unary(shapes(max_side=3), **POSITIVE_OR_NEGATIVE),
           rtol=1e-4),
    OpSpec("prod_dim_keepdim", lambda m, x: m.prod(x, -1, keepdim=True),
           lambda a: np.prod(a, axis=-1, keepdims=True), unary(at_least(1), **POSITIVE_OR_NEGATIVE), rtol=1e-4),
    OpSpec("prod_one_zero", lambda m, x: m.prod(x, 1), lambda a: np.prod(a, axis=1),
           fixed([[2.0, 0.0, 3.0, -1.5], [0.5, 1.5, -2.0, 0.0], [1.0, 2.0, 3.0, 4.0]]),
           notes="exact first and second order with one zero per slice"),
    OpSpec("prod_two_zeros", lambda m, x: m.prod(x), np.prod, fixed([[2.0, 0.0], [0.0, 3.0]]),
           notes="running products from both ends: exact through two zeros, second order too"),
    OpSpec("prod_three_zeros_over_two_dims", lambda m, x: m.prod(x, (0, 2)), lambda a: np.prod(a, axis=(0, 2)),
           fixed(np.array([[[2.0, 0.0, 1.5], [0.5, -1.0, 2.0]], [[0.0, 3.0, 0.0], [1.0, 0.0, -2.0]]])),
           torch_fn=lambda torch, x: torch.prod(torch.prod(x, 2), 0),   # (PyTorch's prod takes one dim)
           notes="the product of the others in a fibre times that of the other fibres"),
    OpSpec("prod_int", lambda m, x: m.prod(x, 0), lambda a: np.prod(a, axis=0), unary(at_least(1)),
           grad_inputs=(), dtype="int32"),
    # ---------------------------------------------------------------------------------------- var, std
    OpSpec("var_all", lambda m, x: m.var(x), lambda a: np.var(a, ddof=1), unary(at_least(1, min_side=2)),
           rtol=1e-4),
    OpSpec("var_dim_keepdim", lambda m, x: m.var(x, 1, keepdim=True),
           lambda a: np.var(a, axis=1, ddof=1, keepdims=True), unary(at_least(2, min_side=2)), rtol=1e-4),
    OpSpec("var_unbiased_false_positional", lambda m, x: m.var(x, (0, -1), False),
           lambda a: np.var(a, axis=(0, -1)), unary(at_least(2, min_side=1)), rtol=1e-4),
    OpSpec("var_correction0_flag", lambda m, x: m.var(x, False), np.var, unary(nonempty_shapes()), rtol=1e-4),
    OpSpec("var_correction2", lambda m, x: m.var(x, -1, correction=2),
           lambda a: np.var(a, axis=-1, ddof=2), unary(shapes(min_dims=1, min_side=3)), rtol=1e-4),
    OpSpec("var_small_or_empty", lambda m, x: m.var(x, 0), lambda a: np.var(a, axis=0, ddof=1),
           unary(at_least(1)), grad_inputs=(), notes="forward only: NaN/inf when N <= correction, as in PyTorch"),
    OpSpec("std_all", lambda m, x: m.std(x), lambda a: np.std(a, ddof=1), distinct(at_least(1, min_side=2)),
           rtol=1e-4),
    OpSpec("std_dim_correction0", lambda m, x: m.std(x, dim=-1, correction=0, keepdim=True),
           lambda a: np.std(a, axis=-1, keepdims=True), distinct(at_least(1, min_side=2)), rtol=1e-4,
           notes="distinct values: the gradient of std is infinite where std is 0"),
    # ------------------------------------------------------------------------------------------ logsumexp
    OpSpec("logsumexp_dim", lambda m, x: m.logsumexp(x, -1), lambda a: np_logsumexp(a, -1),
           unary(at_least(1, min_side=1))),
    OpSpec("logsumexp_dims_keepdim", lambda m, x: m.logsumexp(x, (0, 1), keepdim=True),
           lambda a: np_logsumexp(a, (0, 1), keepdims=True), unary(at_least(2, min_side=1))),
    OpSpec("logsumexp_large", lambda m, x: m.logsumexp(x, 1), lambda a: np.array([1000 + np.log(2), 1000, -5]),
           fixed([[1000.0, 1000.0, -5.0], [1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -5.0]]),
           notes="no overflow at logits of 1000"),
    OpSpec("logsumexp_empty", lambda m, x: m.logsumexp(x, 0), lambda a: np_logsumexp(a, 0),
           unary(at_least(1)), grad_inputs=(), notes="forward only: -inf over an empty dim"),
    OpSpec("logsumexp_int", lambda m, x: m.logsumexp(x, 0), lambda a: np_logsumexp(a.astype(np.float32), 0),
           unary(at_least(1, min_side=1)), grad_inputs=(), dtype="int64"),
    # ----------------------------------------------------------------------------------------------- norm
    OpSpec("norm_2", lambda m, x: m.norm(x), lambda a: np_norm(a, 2), unary(avoid=(0.0,))),
    OpSpec("norm_2_dim_keepdim", lambda m, x: m.norm(x, dim=-1, keepdim=True),
           lambda a: np_norm(a, 2, -1, True), unary(at_least(1), avoid=(0.0,))),
    OpSpec("norm_fro_dims", lambda m, x: m.norm(x, "fro", dim=(0, 1)), lambda a: np_norm(a, 2, (0, 1)),
           unary(at_least(2), avoid=(0.0,))),
    OpSpec("norm_2_at_zero", lambda m, x: m.norm(x, dim=1), lambda a: np_norm(a, 2, 1),
           fixed([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]]), second_order=False,
           notes="gradient 0 (not NaN) where the norm is 0; no second derivative there"),
    OpSpec("norm_1", lambda m, x: m.norm(x, 1, dim=0), lambda a: np_norm(a, 1, 0), unary(at_least(1), avoid=(0.0,))),
    OpSpec("norm_inf", lambda m, x: m.norm(x, float("inf")), lambda a: np_norm(a, np.inf),
           distinct(magnitudes=True)),
    OpSpec("norm_neg_inf_dim", lambda m, x: m.norm(x, -float("inf"), dim=-1),
           lambda a: np.min(np.abs(a), axis=-1), distinct(nonempty_shapes(min_dims=1), magnitudes=True)),
    OpSpec("norm_3", lambda m, x: m.norm(x, 3, dim=(-1,)), lambda a: np_norm(a, 3, -1),
           unary(at_least(1), avoid=(0.0,)), rtol=1e-4),
    OpSpec("norm_0", lambda m, x: m.norm(x, 0), lambda a: np_norm(a, 0), with_zeros(), grad_inputs=(),
           notes="counts non-zero entries; piecewise constant"),
    # ---------------------------------------------------------------------------------------------- cumsum
    OpSpec("cumsum_dim0", lambda m, x: m.cumsum(x, 0), lambda a: np.cumsum(a, axis=0) if a.ndim else a, unary()),
    OpSpec("cumsum_neg_dim", lambda m, x: m.cumsum(x, -1), lambda a: np.cumsum(a, axis=-1), unary(at_least(2))),
    OpSpec("cumsum_int", lambda m, x: m.cumsum(x, 0), lambda a: np.cumsum(a, axis=0, dtype=np.int64),
           unary(at_least(1)), grad_inputs=(), dtype="int32"),
    # -------------------------------------------------------------------------------------------- all, any
    OpSpec("all_all", lambda m, x: m.all(x), np.all, with_zeros(), grad_inputs=()),
    OpSpec("all_dim_keepdim", lambda m, x: m.all(x, -1, keepdim=True), lambda a: np.all(a, -1, keepdims=True),
           with_zeros(at_least(1)), grad_inputs=()),
    OpSpec("any_dims", lambda m, x: m.any(x, (0, 1)), lambda a: np.any(a, (0, 1)), with_zeros(at_least(2)),
           grad_inputs=()),
    OpSpec("any_bool", lambda m, x: m.any(x, 0), lambda a: np.any(a, 0), with_zeros(at_least(1)),
           grad_inputs=(), dtype="bool"),
    # ----------------------------------------------------------------------------------- amax, amin, max, min
    OpSpec("amax_all", lambda m, x: m.amax(x), np.max, distinct()),
    OpSpec("amax_dims_keepdim", lambda m, x: m.amax(x, (0, -1), keepdim=True),
           lambda a: np.max(a, axis=(0, -1), keepdims=True), distinct(nonempty_shapes(min_dims=2))),
    OpSpec("amax_over_nonempty_dim", lambda m, x: m.amax(x, -1), lambda a: np.max(a, axis=-1),
           unary(shapes(min_dims=2).filter(lambda s: s[-1] > 0)).map(lambda t: (t[0] + np.arange(t[0].shape[-1]),)),
           notes="other dims may be empty"),
    OpSpec("amin_dim", lambda m, x: m.amin(x, 1), lambda a: np.min(a, axis=1), distinct(nonempty_shapes(min_dims=2))),
    OpSpec("max_all", lambda m, x: m.max(x), np.max, distinct()),
    OpSpec("min_all", lambda m, x: m.min(x), np.min, distinct()),
    OpSpec("max_dim", lambda m, x: m.max(x, 1), lambda a: (np.max(a, axis=1), np.argmax(a, axis=1)),
           distinct(nonempty_shapes(min_dims=2)), grad_inputs=(), notes="values and indices; gradient below"),
    OpSpec("max_dim_values", lambda m, x: m.max(x, -1, keepdim=True), lambda a: np.max(a, axis=-1, keepdims=True),
           distinct(nonempty_shapes(min_dims=1)), outputs=(0,)),
    OpSpec("min_dim_values", lambda m, x: m.min(x, 0).values, lambda a: np.min(a, axis=0),
           distinct(nonempty_shapes(min_dims=1))),
    OpSpec("min_dim_keepdim", lambda m, x: m.min(x, 0, keepdim=True),
           lambda a: (np.min(a, axis=0, keepdims=True), np.argmin(a, axis=0, keepdims=True)),
           distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("max_scalar_dim0", lambda m, x: m.max(x, 0), lambda a: (a, np.array(0)), unary(st.just(())),
           outputs=(0,)),
    # ------------------------------------------------------------------------------------------ argmax, argmin
    OpSpec("argmax_all", lambda m, x: m.argmax(x), np.argmax, distinct(), grad_inputs=()),
    OpSpec("argmax_all_keepdim", lambda m, x: m.argmax(x, keepdim=True),
           lambda a: np.argmax(a, keepdims=True), distinct(), grad_inputs=()),
    OpSpec("argmax_dim", lambda m, x: m.argmax(x, -1), lambda a: np.argmax(a, axis=-1),
           distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("argmin_dim_keepdim", lambda m, x: m.argmin(x, 0, keepdim=True),
           lambda a: np.argmin(a, axis=0, keepdims=True), distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
]
