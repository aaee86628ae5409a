"""Op table entries for the elementwise functions of elementwise_more.py: sgn, heaviside, logit, xlogy, xdivy,
mul_no_nan, fmod,
float_power, hypot, logaddexp, logaddexp2, copysign, frac, deg2rad, rad2deg, sinc, logcumsumexp.

Inputs stay off each function's kinks (copysign and hypot at 0, frac at the integers, fmod where a / b is whole,
sinc's second derivative at 0) and inside its domain (logit in (0, 1), logs of positive numbers).
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, broadcastable, floats_array, shapes, unary

_INTEGERS = tuple(float(k) for k in range(-3, 4))


def _same_shape(n, **kw):
    return shapes().flatmap(lambda s: st.tuples(*(floats_array(s, **kw) for _ in range(n))))


def _xlogy_inputs():
    """x on the integers (zeros are common: xlogy's special case), y > 0."""
    return broadcastable().map(lambda t: (np.round(t[0]), np.abs(t[1]) + 0.1))


def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0, x * np.log(y)).astype(np.result_type(x, y))


def _xdivy_inputs():
    """x half zeros (xdivy's special case; its gradient there is TF's 0, not 1/y, so the gradient is checked on a
    spec without zeros), |y| >= 0.5."""
    return broadcastable().map(lambda t: (np.where(t[0] > 0, t[0], 0.0).astype(t[0].dtype),
                                          np.where(t[1] >= 0, t[1] + 0.5, t[1] - 0.5).astype(t[1].dtype)))


def _mul_no_nan_inputs():
    """y on the integers (zeros are common), x any: the function is x·y everywhere, its gradient too."""
    return broadcastable().map(lambda t: (t[0], np.round(t[1])))


def _fmod_inputs():
    """a / b = k + 1/2, as far from the jumps of fmod (a / b whole) as can be; |b| >= 0.5."""
    def place(t):
        a, b = t
        b = np.where(b >= 0, b + 0.5, b - 0.5)
        return (np.round(a) + 0.5) * b, b
    return _same_shape(2).map(place)


def _logcumsumexp(a, dim):
    return a.copy() if a.ndim == 0 else np.logaddexp.accumulate(a, axis=dim)


SPECS = [
    OpSpec("elementwise_more_sgn", lambda m, x: m.sgn(x), np.sign, unary(), grad_inputs=(),
           notes="piecewise constant (its gradient, 0, is checked in test_more_ops_torch.py)"),
    OpSpec("elementwise_more_heaviside", lambda m, x, v: m.heaviside(x, v), np.heaviside,
           broadcastable().map(lambda t: (np.round(t[0]), t[1])), grad_inputs=()),
    OpSpec("elementwise_more_logit", lambda m, x: m.logit(x), lambda a: np.log(a / (1 - a)),
           unary(low=0.05, high=0.95), rtol=1e-4),
    OpSpec("elementwise_more_logit_eps", lambda m, x: m.logit(x, eps=0.2), lambda a: np.log(np.clip(a, 0.2, 0.8) /
                                                                          (1 - np.clip(a, 0.2, 0.8))),
           unary(low=-0.5, high=1.5, avoid=(0.2, 0.8)), rtol=1e-4),
    OpSpec("elementwise_more_xlogy", lambda m, x, y: m.xlogy(x, y), _xlogy, _xlogy_inputs(), grad_inputs=(0, 1)),
    OpSpec("elementwise_more_xlogy_number_other", lambda m, x: m.xlogy(x, 2.5), lambda a: _xlogy(a, a.dtype.type(2.5)),
           unary().map(lambda t: (np.round(t[0]),))),
    OpSpec("elementwise_more_xdivy", lambda m, x, y: m.xdivy(x, y),
           lambda x, y: np.where(x == 0, 0, x / y).astype(np.result_type(x, y)), _xdivy_inputs(), grad_inputs=(),
           notes="forward only: at x = 0 the gradient is TF's 0"),
    OpSpec("elementwise_more_xdivy_grad", lambda m, x, y: m.xdivy(x, y), lambda x, y: x / y,
           broadcastable().map(lambda t: tuple(np.where(a >= 0, a + 0.5, a - 0.5).astype(a.dtype) for a in t)),
           grad_inputs=(0, 1), notes="x != 0, where xdivy is x / y"),
    OpSpec("elementwise_more_mul_no_nan", lambda m, x, y: m.mul_no_nan(x, y), lambda x, y: x * y,
           _mul_no_nan_inputs(), grad_inputs=(0, 1)),
    OpSpec("elementwise_more_fmod", lambda m, a, b: m.fmod(a, b), np.fmod, _fmod_inputs(), grad_inputs=(0, 1)),
    OpSpec("elementwise_more_fmod_broadcast", lambda m, a, b: m.fmod(a, b), np.fmod, broadcastable(low=0.5, high=3.0),
           grad_inputs=(), notes="forward only: the jumps where a / b is whole are anywhere here"),
    OpSpec("elementwise_more_fmod_number", lambda m, x: m.fmod(x, -1.5), lambda a: np.fmod(a, a.dtype.type(-1.5)),
           unary(avoid=(-3.0, -1.5, 0.0, 1.5, 3.0))),
    OpSpec("elementwise_more_float_power", lambda m, a, b: m.float_power(a, b),
           lambda a, b: np.power(a.astype(np.float64), b.astype(np.float64)), broadcastable(low=0.3, high=2.0),
           grad_inputs=(0, 1), notes="float64 result whatever the inputs' dtype"),
    OpSpec("elementwise_more_hypot", lambda m, a, b: m.hypot(a, b), np.hypot, broadcastable(avoid=(0.0,)),
           grad_inputs=(0, 1)),
    OpSpec("elementwise_more_logaddexp", lambda m, a, b: m.logaddexp(a, b), np.logaddexp, broadcastable(),
           grad_inputs=(0, 1)),
    OpSpec("elementwise_more_logaddexp_far_apart", lambda m, a, b: m.logaddexp(a * 100, b * 100),
           lambda a, b: np.logaddexp(a * 100, b * 100), _same_shape(2), grad_inputs=(0, 1), second_order=False,
           notes="values 100s apart: no overflow, no underflow to log(0)"),
    OpSpec("elementwise_more_logaddexp2", lambda m, a, b: m.logaddexp2(a, b), np.logaddexp2, broadcastable(),
           grad_inputs=(0, 1)),
    OpSpec("elementwise_more_copysign", lambda m, a, b: m.copysign(a, b), np.copysign, broadcastable(avoid=(0.0,)),
           grad_inputs=(0, 1), notes="no gradient for the sign donor (0 off its kink at 0)"),
    OpSpec("elementwise_more_copysign_number", lambda m, x: m.copysign(x, -2.0),
           lambda a: np.copysign(a, a.dtype.type(-2.0)),
           unary(avoid=(0.0,))),
    OpSpec("elementwise_more_frac", lambda m, x: m.frac(x), lambda a: a - np.trunc(a), unary(avoid=_INTEGERS)),
    OpSpec("elementwise_more_deg2rad", lambda m, x: m.deg2rad(x * 60), lambda a: np.deg2rad(a * 60), unary()),
    OpSpec("elementwise_more_rad2deg", lambda m, x: m.rad2deg(x), np.rad2deg, unary(), rtol=1e-5, atol=1e-4),
    OpSpec("elementwise_more_sinc", lambda m, x: m.sinc(x), np.sinc, unary(avoid=(0.0,)),
           notes="kept off 0, where the second derivative is taken as 0 (the limit is -π²/3)"),
    OpSpec("elementwise_more_logcumsumexp", lambda m, x: m.logcumsumexp(x, -1), lambda a: _logcumsumexp(a, -1),
           unary()),
    OpSpec("elementwise_more_logcumsumexp_dim0_wide_range", lambda m, x: m.logcumsumexp(x * 100, 0),
           lambda a: _logcumsumexp(a * 100, 0), unary(shapes(min_dims=1)), second_order=False, rtol=1e-5,
           atol=1e-4, notes="entries 100s apart: a sum of exps would underflow, the scan in log space does not"),
]
