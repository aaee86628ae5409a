"""Op table entries for the arithmetic operators."""
import numpy as np

from .spec import OpSpec, broadcastable, unary

SPECS = [
    OpSpec("add", lambda m, a, b: m.add(a, b), np.add, broadcastable(), grad_inputs=(0, 1)),
    OpSpec("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b, broadcastable(),
           grad_inputs=(0, 1)),
    OpSpec("add_scalar", lambda m, a: m.add(a, 1.5), lambda a: a + a.dtype.type(1.5), unary()),
    OpSpec("sub", lambda m, a, b: m.sub(a, b), np.subtract, broadcastable(), grad_inputs=(0, 1)),
    OpSpec("rsub_scalar", lambda m, a: 2.0 - a, lambda a: a.dtype.type(2.0) - a, unary()),
    OpSpec("mul", lambda m, a, b: m.mul(a, b), np.multiply, broadcastable(), grad_inputs=(0, 1)),
    OpSpec("div", lambda m, a, b: m.div(a, b), np.divide,
           broadcastable(low=0.5, high=3.0), grad_inputs=(0, 1), rtol=1e-5),
    OpSpec("rdiv_scalar", lambda m, a: 1.0 / a, lambda a: a.dtype.type(1.0) / a, unary(low=0.5, high=3.0)),
    OpSpec("neg", lambda m, a: m.neg(a), np.negative, unary()),
    OpSpec("floor_divide", lambda m, a, b: m.floor_divide(a, b), np.floor_divide,
           broadcastable(low=0.5, high=4.0), grad_inputs=()),
    OpSpec("remainder", lambda m, a, b: m.remainder(a, b), np.remainder,
           broadcastable(low=0.5, high=4.0), grad_inputs=(), notes="forward only: kinks wherever a/b is whole"),
    OpSpec("remainder_scalar", lambda m, a: m.remainder(a, 1.5), lambda a: np.remainder(a, a.dtype.type(1.5)),
           unary(avoid=(-3.0, -1.5, 0.0, 1.5, 3.0))),
    OpSpec("pow_scalar_exponent", lambda m, a: m.pow(a, 3), lambda a: a ** 3, unary()),
    OpSpec("pow_fractional_exponent", lambda m, a: m.pow(a, 0.5), np.sqrt, unary(low=0.2, high=4.0)),
    OpSpec("pow_scalar_base", lambda m, a: m.pow(2.0, a), lambda a: a.dtype.type(2.0) ** a, unary()),
    OpSpec("pow_tensor_tensor", lambda m, a, b: m.pow(a, b), np.power, broadcastable(low=0.3, high=2.0),
           grad_inputs=(0, 1), rtol=1e-4),
]
