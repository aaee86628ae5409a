"""Op table entries for more_math.py and special_more.py: questions about numbers, gcd/lcm, the float format, the
aliases, the Bessel functions, xlog1py, erfcx, log_ndtr, inner, vdot, the trapezoid rules, nanmedian, mode and
sum_to_size.

Differentiated inputs stay where the functions are smooth: frexp's mantissa away from the powers of 2 (where it
jumps), i0e and i1e away from 0 (the kink of e^(-|x|)), xlog1py's y above -1, nanmedian's values distinct. The
Bessel functions are checked against their integral form, the others against numpy and ``math``; PyTorch calls
them under ``torch.special`` (``torch_fn``) where it has no top-level name.
"""
import math
import statistics

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, broadcastable, fixed, floats_array, nonempty_shapes, shapes, unary
from .specs_reduce import at_least, distinct
from .specs_unary import _INTEGERS, _zero_grad

PIECEWISE_LINEAR = "piecewise linear (entries are picked, unchanged): the second derivative is 0"


def _with_specials():
    """Floats with NaN, ±inf and ±0.0 among them."""
    elements = st.floats(-3, 3) | st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0])
    return shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=elements)))


def _integer_pairs():
    """Two broadcastable int64 arrays with small entries (zeros and negatives included)."""
    def arrays(shapes_):
        return st.tuples(*(hnp.arrays(np.int64, s, elements=st.integers(-30, 30)) for s in shapes_))
    return shapes(max_dims=2).flatmap(lambda s: hnp.mutually_broadcastable_shapes(num_shapes=2, base_shape=s)
                                      .flatmap(lambda bs: arrays(bs.input_shapes)))


def _float_and_int_exponent():
    """Floats and int64 exponents from 0 to 4: PyTorch's gradient is 0 for negative integer exponents (it computes
    2^other in integers), ours 2^other (test_more_math.py checks them)."""
    return shapes().flatmap(lambda s: st.tuples(floats_array(s), hnp.arrays(np.int64, s, elements=st.integers(0, 4))))


def _off_binade_edges():
    """Floats with |x| in [0.3, 3], 0.1 or more from the powers of 2, where frexp's mantissa jumps."""
    edges = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)
    return unary(avoid=edges).map(lambda t: (np.where(np.abs(t[0]) < 0.3, np.copysign(0.4, t[0]), t[0]),))


def _stretched(low, high):
    """One float array, its values spread over [low, high]."""
    return unary().map(lambda t: ((t[0] + 3) / 6 * (high - low) + low,))


def _bessel_reference(order, scaled):
    """I_ν(x) = (1/π) ∫₀^π e^(x cos t) cos(νt) dt (Abramowitz & Stegun 9.6.19), by the trapezoidal rule: for this
    smooth periodic integrand it converges exponentially fast, an independent check of the op's series."""
    t = np.linspace(0, np.pi, 801)
    weights = np.full(t.shape, np.pi / 800)
    weights[[0, -1]] /= 2

    def reference(a):
        x = a.astype(np.float64)[..., None]
        integrand = np.exp(x * np.cos(t) - (np.abs(x) if scaled else 0)) * np.cos(order * t)
        return (integrand @ weights / np.pi).astype(a.dtype)
    return reference


def _elementwise(fn):
    return lambda a: np.vectorize(fn, otypes=[np.float64])(a).astype(a.dtype)


def _log_ndtr(v):
    """log Φ(v) with ``math.erfc``: log of the small tail on the left, log1p of 1 - tail on the right."""
    tail = 0.5 * math.erfc(abs(v) / math.sqrt(2))
    return math.log(tail) if v < 0 else math.log1p(-tail)


def _inner_operands():
    """a (A..., k) and b (B..., k): the same last dim k (0 to 3)."""
    return st.tuples(shapes(max_dims=2), shapes(max_dims=2), st.integers(0, 3)).flatmap(
        lambda t: st.tuples(floats_array(t[0] + (t[2],)), floats_array(t[1] + (t[2],))))


def _vectors():
    return st.integers(0, 5).flatmap(lambda n: st.tuples(floats_array((n,)), floats_array((n,))))


def _samples_and_positions(same_shape):
    """y (at least 1-D) and sample positions x: 1-D along the last dim, or y's own shape."""
    return at_least(1).flatmap(lambda s: st.tuples(floats_array(s), floats_array(s if same_shape else s[-1:])))


def _cumulative_trapezoid(a, x=None, dx=1.0, axis=-1):
    """Running sums of the trapezoids (y_i + y_(i+1))/2 · (x_(i+1) - x_i) along ``axis``."""
    a = np.moveaxis(a, axis, -1)
    spacing = dx if x is None else np.diff(np.moveaxis(x, axis, -1) if x.ndim > 1 else x)
    return np.moveaxis(np.cumsum((a[..., 1:] + a[..., :-1]) / 2 * spacing, axis=-1), -1, axis).astype(a.dtype)


def _nanmedian(a, axis=None, keepdims=False):
    """The lower median of the numbers (NaN left out) and, along an axis, its index."""
    if axis is None:
        numbers = np.sort(a[~np.isnan(a)])
        return numbers[(numbers.size - 1) // 2] if numbers.size else np.array(np.nan, a.dtype)
    order = np.argsort(a, axis=axis, kind="stable")  # NaN sorted last
    position = np.maximum(np.sum(~np.isnan(a), axis=axis, keepdims=True) - 1, 0) // 2
    index = np.take_along_axis(order, position, axis)
    values = np.take_along_axis(a, index, axis)
    return (values, index) if keepdims else (values.squeeze(axis), index.squeeze(axis))


def _mode(a, axis=-1, keepdims=False):
    """The smallest of the most frequent values along ``axis`` and the last index where it occurs (in loops)."""
    if a.ndim == 0:
        return a, np.zeros((), np.int64)
    rows = np.moveaxis(a, axis, -1)
    values, index = np.empty(rows.shape[:-1], a.dtype), np.empty(rows.shape[:-1], np.int64)
    for i in np.ndindex(*rows.shape[:-1]):
        distinct_values, counts = np.unique(rows[i], return_counts=True)
        values[i] = distinct_values[np.argmax(counts)]
        index[i] = np.flatnonzero(rows[i] == values[i])[-1]
    if keepdims:
        values, index = np.expand_dims(values, axis), np.expand_dims(index, axis)
    return values, index


def _with_nan(arrays):
    """Distinct values with those above 2 made NaN; the first entry along the last dim stays a number (moved down
    by 3.005 if need be: off the grid of the others, so no two numbers tie)."""
    a = arrays[0].copy()
    if a.ndim:
        a[..., 0] = np.where(a[..., 0] > 2, a[..., 0] - 3.005, a[..., 0])
    return (np.where(a > 2, np.nan, a),)


def _small_integers(shape_strategy):
    """Whole numbers from -2 to 2 (as floats): ties for the mode are common."""
    return unary(shape_strategy).map(lambda t: (np.round(t[0] * 2 / 3),))


def _target_size(shape):
    """A size that ``shape`` sums down to: the first dim dropped (for 3 dims or more) and the next one set to 1."""
    return (1,) + tuple(shape[2:]) if len(shape) > 1 else (1,)


def _sum_to_target(a):
    size = _target_size(a.shape)
    lead = a.ndim - len(size)
    return a.sum(axis=tuple(range(lead))).sum(axis=0, keepdims=True)


SPECS = [
    # questions about numbers (bool answers, no gradient)
    OpSpec("signbit", lambda m, x: m.signbit(x), np.signbit, _with_specials(), grad_inputs=()),
    OpSpec("signbit_int", lambda m, x: m.signbit(x), np.signbit, unary(), dtype="int64", grad_inputs=()),
    OpSpec("isneginf", lambda m, x: m.isneginf(x), np.isneginf, _with_specials(), grad_inputs=()),
    OpSpec("isposinf", lambda m, x: m.isposinf(x), np.isposinf, _with_specials(), grad_inputs=()),
    OpSpec("isreal", lambda m, x: m.isreal(x), np.isreal, _with_specials(), grad_inputs=()),
    # whole numbers
    OpSpec("gcd", lambda m, a, b: m.gcd(a, b), np.gcd, _integer_pairs(), raw_inputs=(0, 1), grad_inputs=()),
    OpSpec("lcm", lambda m, a, b: m.lcm(a, b), np.lcm, _integer_pairs(), raw_inputs=(0, 1), grad_inputs=()),
    # the floating point format
    OpSpec("nextafter", lambda m, a, b: m.nextafter(a, b), np.nextafter,
           broadcastable(2).map(lambda t: (np.round(t[0] * 2) / 2, np.round(t[1] * 2) / 2 + 0.25)),
           grad_inputs=(0, 1), notes="differentiated as PyTorch does: 1 for input, 0 for other; the operands never "
           "tie (there the gradient is 0, checked in test_more_math.py)"),
    OpSpec("frexp", lambda m, x: m.frexp(x), np.frexp, _off_binade_edges(), outputs=(0,),
           notes="the mantissa, x·2^(-exponent), away from the jumps at powers of 2"),
    OpSpec("frexp_exponent", lambda m, x: m.frexp(x), np.frexp, _with_specials(), grad_inputs=(),
           notes="mantissa and int32 exponent, with 0, ±inf and NaN"),
    OpSpec("ldexp", lambda m, x, e: m.ldexp(x, e), lambda a, e: (a * np.exp2(e)).astype(a.dtype), broadcastable(2),
           grad_inputs=(0, 1)),
    OpSpec("ldexp_int_exponent", lambda m, x, e: m.ldexp(x, e), lambda a, e: (a * 2.0 ** e).astype(a.dtype),
           _float_and_int_exponent(), raw_inputs=(1,)),
    # aliases
    OpSpec("positive", lambda m, x: m.positive(x), lambda a: a, unary()),
    OpSpec("fix", lambda m, x: m.fix(x), np.trunc, unary(avoid=_INTEGERS), **_zero_grad("jumps avoided")),
    # Bessel functions (in float64 inside, so float32 results are correctly rounded)
    OpSpec("i0", lambda m, x: m.i0(x), _bessel_reference(0, False), _stretched(-25, 25)),
    OpSpec("i0_int", lambda m, x: m.i0(x), lambda a: _bessel_reference(0, False)(a.astype(np.float32)), unary(),
           dtype="int64", grad_inputs=(), notes="integer input becomes float32, as in PyTorch"),
    OpSpec("i0e", lambda m, x: m.i0e(x), _bessel_reference(0, True), unary(avoid=(0.0,)).map(lambda t: (t[0] * 10,)),
           torch_fn=lambda t, x: t.special.i0e(x)),
    OpSpec("i1", lambda m, x: m.i1(x), _bessel_reference(1, False), _stretched(-25, 25),
           torch_fn=lambda t, x: t.special.i1(x)),
    OpSpec("i1e", lambda m, x: m.i1e(x), _bessel_reference(1, True), unary(avoid=(0.0,)).map(lambda t: (t[0] * 10,)),
           torch_fn=lambda t, x: t.special.i1e(x)),
    # special functions
    OpSpec("xlog1py", lambda m, x, y: m.xlog1py(x, y), lambda a, b: a * np.log1p(b),
           broadcastable(2).map(lambda t: (t[0], (t[1] + 3) / 6 * 3.9 - 0.9)), grad_inputs=(0, 1),
           torch_fn=lambda t, x, y: t.special.xlog1py(x, y), notes="y in [-0.9, 3]: log1p is finite"),
    OpSpec("xlog1py_numbers", lambda m, x: m.xlog1py(x, 2.0) + m.xlog1py(0.5, x + 3.5),
           lambda a: (a * np.log1p(2.0) + 0.5 * np.log1p(a + 3.5)).astype(a.dtype), unary(),
           torch_fn=lambda t, x: t.special.xlog1py(x, 2.0) + t.special.xlog1py(0.5, x + 3.5)),
    OpSpec("xlog1py_zero_x", lambda m, x, y: m.xlog1py(x, y),
           lambda a, b: np.where((a == 0) & ~np.isnan(b), 0, a * np.log1p(b)).astype(a.dtype),
           fixed([0.0, 0.0, 0.0, 0.0, 2.0, 1.0], [-1.0, -2.0, np.nan, np.inf, 3.0, -1.0]), grad_inputs=(),
           torch_fn=lambda t, x, y: t.special.xlog1py(x, y), notes="0 where x is 0, unless y is NaN"),
    OpSpec("erfcx", lambda m, x: m.erfcx(x), _elementwise(lambda v: math.exp(v * v) * math.erfc(v)),
           _stretched(-4, 20), torch_fn=lambda t, x: t.special.erfcx(x)),
    OpSpec("entr", lambda m, x: m.entr(x), lambda a: -a * np.log(a), _stretched(0.05, 5),
           torch_fn=lambda t, x: t.special.entr(x)),
    OpSpec("entr_edges", lambda m, x: m.entr(x),
           lambda a: np.where(a > 0, -a * np.log(np.where(a > 0, a, 1)), np.where(a < 0, -np.inf, a * 0)),
           fixed([-0.5, 0.0, 1.5, np.inf, np.nan]), grad_inputs=(), torch_fn=lambda t, x: t.special.entr(x),
           notes="-inf below 0, 0 at 0, -inf at inf, NaN at NaN"),
    OpSpec("log_ndtr", lambda m, x: m.log_ndtr(x), _elementwise(_log_ndtr), _stretched(-30, 6),
           torch_fn=lambda t, x: t.special.log_ndtr(x)),
    OpSpec("ndtri", lambda m, p: m.ndtri(p), _elementwise(statistics.NormalDist().inv_cdf), _stretched(0.002, 0.998),
           torch_fn=lambda t, p: t.special.ndtri(p), notes="reference: the standard library's inverse normal CDF"),
    # products and integrals
    OpSpec("inner", lambda m, a, b: m.inner(a, b), lambda a, b: np.inner(a, b), _inner_operands(), grad_inputs=(0, 1)),
    OpSpec("inner_0d", lambda m, a, b: m.inner(a, b), lambda a, b: np.inner(a, b),
           shapes().flatmap(lambda s: st.tuples(floats_array(()), floats_array(s))), grad_inputs=(0, 1)),
    OpSpec("vdot", lambda m, a, b: m.vdot(a, b), np.vdot, _vectors(), grad_inputs=(0, 1)),
    OpSpec("trapezoid", lambda m, y: m.trapezoid(y), lambda a: np.trapezoid(a, axis=-1), unary(at_least(1))),
    OpSpec("trapezoid_dx_dim0", lambda m, y: m.trapezoid(y, dx=0.5, dim=0),
           lambda a: np.trapezoid(a, dx=0.5, axis=0), unary(at_least(1))),
    OpSpec("trapezoid_x", lambda m, y, x: m.trapezoid(y, x), lambda a, x: np.trapezoid(a, x, axis=-1),
           _samples_and_positions(False), grad_inputs=(0, 1)),
    OpSpec("trapezoid_x_same_shape_dim0", lambda m, y, x: m.trapezoid(y, x, dim=0),
           lambda a, x: np.trapezoid(a, x, axis=0), _samples_and_positions(True), grad_inputs=(0, 1)),
    OpSpec("cumulative_trapezoid", lambda m, y: m.cumulative_trapezoid(y), _cumulative_trapezoid,
           unary(at_least(1))),
    OpSpec("cumulative_trapezoid_dx_dim0", lambda m, y: m.cumulative_trapezoid(y, dx=0.5, dim=0),
           lambda a: _cumulative_trapezoid(a, dx=0.5, axis=0), unary(at_least(1))),
    OpSpec("cumulative_trapezoid_x", lambda m, y, x: m.cumulative_trapezoid(y, x),
           lambda a, x: _cumulative_trapezoid(a, x), _samples_and_positions(False), grad_inputs=(0, 1)),
    OpSpec("cumulative_trapezoid_x_same_shape_dim0", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0),
           lambda a, x: _cumulative_trapezoid(a, x, axis=0), _samples_and_positions(True), grad_inputs=(0, 1)),
    # order statistics
    OpSpec("nanmedian_all", lambda m, x: m.nanmedian(x), _nanmedian,
           distinct(nonempty_shapes(min_dims=1)).map(_with_nan)),
    OpSpec("nanmedian_dim", lambda m, x: m.nanmedian(x, -1), lambda a: _nanmedian(a, -1),
           distinct(nonempty_shapes(min_dims=1)).map(_with_nan), outputs=(0,), second_order=False,
           notes=PIECEWISE_LINEAR),
    OpSpec("nanmedian_dim_keepdim_indices", lambda m, x: m.nanmedian(x, 0, keepdim=True),
           lambda a: _nanmedian(a, 0, keepdims=True), unary(nonempty_shapes(min_dims=1)).map(_with_nan),
           grad_inputs=(), notes="values and indices, NaN-only slices included"),
    OpSpec("mode", lambda m, x: m.mode(x), _mode, _small_integers(nonempty_shapes()), grad_inputs=(),
           notes="ties everywhere: the gradient (to the index) is compared with PyTorch's in test_more_math.py"),
    OpSpec("mode_dim0_keepdim", lambda m, x: m.mode(x, 0, keepdim=True), lambda a: _mode(a, 0, keepdims=True),
           _small_integers(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("mode_distinct", lambda m, x: m.mode(x, 0), lambda a: _mode(a, 0), distinct(nonempty_shapes(min_dims=1)),
           outputs=(0,), second_order=False, notes="no ties: every entry is a mode, the smallest wins; "
           + PIECEWISE_LINEAR),
    # sum_to_size
    OpSpec("sum_to_size", lambda m, x: m.sum_to_size(x, _target_size(x.shape)), _sum_to_target,
           unary(shapes(min_dims=1)), torch_fn=lambda t, x: x.sum_to_size(_target_size(x.shape))),
]
