"""Op table entries for the elementwise math of ``minidl.ops.unary``."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, fixed, floats_array, shapes, unary

_INTEGERS = tuple(float(k) for k in range(-3, 4))
_HALVES = tuple(k + 0.5 for k in range(-3, 3))
# round(x, decimals=1) jumps at every odd multiple of 0.05
_TWENTIETHS = tuple(round(0.1 * k + 0.05, 2) for k in range(-31, 31))


def _with_specials():
    """Floats with NaN and +-inf mixed in (for isnan/isinf/isfinite)."""
    elements = st.floats(-1e6, 1e6, width=32) | st.sampled_from([np.nan, np.inf, -np.inf])
    return shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=elements)))


def _float32(fn):
    """Reference for ops that turn integer input into the default float dtype."""
    return lambda a: fn(a.astype(np.float32))


def _zero_grad(note):
    return dict(second_order=False, notes=f"piecewise constant: gradient 0 (like PyTorch), {note}")


SPECS = [
    # exponentials and logarithms
    OpSpec("exp", lambda m, a: m.exp(a), np.exp, unary()),
    OpSpec("exp_int", lambda m, a: m.exp(a), _float32(np.exp), unary(), dtype="int64", grad_inputs=(),
           notes="integer input becomes float32, as in PyTorch"),
    OpSpec("exp2", lambda m, a: m.exp2(a), np.exp2, unary()),
    OpSpec("expm1", lambda m, a: m.expm1(a), np.expm1, unary()),
    OpSpec("log", lambda m, a: m.log(a), np.log, unary(low=0.2, high=4.0)),
    OpSpec("log_bool", lambda m, a: m.log(m.gt(a, 0)), lambda a: np.log((a > 0).astype(np.float32)), unary(),
           grad_inputs=(), notes="bool input becomes float32 (log(False) = -inf)"),
    OpSpec("log2", lambda m, a: m.log2(a), np.log2, unary(low=0.2, high=4.0)),
    OpSpec("log10", lambda m, a: m.log10(a), np.log10, unary(low=0.2, high=4.0)),
    OpSpec("log1p", lambda m, a: m.log1p(a), np.log1p, unary(low=-0.8, high=3.0)),

    # powers and roots
    OpSpec("sqrt", lambda m, a: m.sqrt(a), np.sqrt, unary(low=0.2, high=4.0)),
    OpSpec("sqrt_int", lambda m, a: m.sqrt(a), _float32(np.sqrt), unary(low=0.0, high=9.0), dtype="int64",
           grad_inputs=()),
    OpSpec("rsqrt", lambda m, a: m.rsqrt(a), lambda a: 1 / np.sqrt(a), unary(low=0.2, high=4.0)),
    OpSpec("reciprocal", lambda m, a: m.reciprocal(a), np.reciprocal, unary(avoid=(0.0,), margin=0.25)),
    OpSpec("square", lambda m, a: m.square(a), np.square, unary()),
    OpSpec("square_int", lambda m, a: m.square(a), np.square, unary(), dtype="int64", grad_inputs=()),
    OpSpec("abs", lambda m, a: m.abs(a), np.abs, unary(avoid=(0.0,)), notes="kink at 0 avoided"),
    OpSpec("abs_int", lambda m, a: m.abs(a), np.abs, unary(), dtype="int64", grad_inputs=()),

    # trigonometry
    OpSpec("sin", lambda m, a: m.sin(a), np.sin, unary()),
    OpSpec("cos", lambda m, a: m.cos(a), np.cos, unary()),
    OpSpec("tan", lambda m, a: m.tan(a), np.tan, unary(low=-1.2, high=1.2)),
    OpSpec("tanh", lambda m, a: m.tanh(a), np.tanh, unary()),
    OpSpec("tanh_saturated", lambda m, a: m.tanh(a), np.tanh, unary(low=-40.0, high=40.0)),

    # rounding and sign: zero gradients, checked against central differences away from the jumps
    OpSpec("floor", lambda m, a: m.floor(a), np.floor, unary(avoid=_INTEGERS), **_zero_grad("jumps avoided")),
    OpSpec("ceil", lambda m, a: m.ceil(a), np.ceil, unary(avoid=_INTEGERS), **_zero_grad("jumps avoided")),
    OpSpec("trunc", lambda m, a: m.trunc(a), np.trunc, unary(avoid=_INTEGERS), **_zero_grad("jumps avoided")),
    OpSpec("round", lambda m, a: m.round(a), np.round, unary(avoid=_HALVES), **_zero_grad("jumps avoided")),
    OpSpec("round_halves_to_even", lambda m, a: m.round(a), np.round, fixed([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]),
           grad_inputs=()),
    OpSpec("round_decimals", lambda m, a: m.round(a, decimals=1), lambda a: np.round(a, 1),
           unary(avoid=_TWENTIETHS, margin=0.01), **_zero_grad("jumps avoided")),
    OpSpec("sign", lambda m, a: m.sign(a), np.sign, unary(avoid=(0.0,)), **_zero_grad("jump at 0 avoided")),
    OpSpec("sign_with_zeros", lambda m, a: m.sign(a), np.sign, fixed([-2.0, -0.0, 0.0, 3.0]), grad_inputs=()),
    OpSpec("floor_int", lambda m, a: m.floor(a), lambda a: a, unary(), dtype="int64", grad_inputs=(),
           notes="integers stay integers"),
    OpSpec("sign_int", lambda m, a: m.sign(a), np.sign, unary(), dtype="int64", grad_inputs=()),

    # nan and infinity
    OpSpec("isnan", lambda m, a: m.isnan(a), np.isnan, _with_specials(), grad_inputs=()),
    OpSpec("isinf", lambda m, a: m.isinf(a), np.isinf, _with_specials(), grad_inputs=()),
    OpSpec("isfinite", lambda m, a: m.isfinite(a), np.isfinite, _with_specials(), grad_inputs=()),
    OpSpec("isnan_int", lambda m, a: m.isnan(a), np.isnan, unary(), dtype="int64", grad_inputs=()),
]

# tanh's fused backward op, checked as an op in its own right (its VJP gives tanh's second order)
SPECS += [
    OpSpec("tanh_grad", lambda m, g, y: m.tanh_grad(g, y), lambda g, y: g * (1 - y * y),
           shapes().flatmap(lambda s: st.tuples(floats_array(s), floats_array(s, low=-0.9, high=0.9))),
           grad_inputs=(0, 1), torch_fn=lambda m, g, y: g * (1 - y * y)),
]
