"""Op table entries for the inverse trigonometric and hyperbolic functions and atan2 (trig.py), with inputs kept
inside each function's domain."""
import numpy as np

from .spec import OpSpec, broadcastable, unary


def _unary(name, reference, **kw):
    return OpSpec(name, lambda m, x: getattr(m, name)(x), reference, unary(**kw))


SPECS = [
    _unary("asin", np.arcsin, low=-0.9, high=0.9),
    _unary("acos", np.arccos, low=-0.9, high=0.9),
    _unary("atan", np.arctan),
    _unary("sinh", np.sinh),
    _unary("cosh", np.cosh),
    _unary("asinh", np.arcsinh),
    _unary("acosh", np.arccosh, low=1.1, high=4.0),
    _unary("atanh", np.arctanh, low=-0.9, high=0.9),
    OpSpec("atan2", lambda m, y, x: m.atan2(y, x), np.arctan2, broadcastable(2, avoid=(0.0,), margin=0.2),
           grad_inputs=(0, 1), notes="operands kept off 0, where the angle jumps (the origin has no gradient)"),
    OpSpec("atan2_number", lambda m, y: m.atan2(y, 2.0), lambda a: np.arctan2(a, a.dtype.type(2)), unary(),
           torch_fn=lambda torch, y: torch.atan2(y, torch.tensor(2.0, dtype=y.dtype)),
           notes="a number as x (PyTorch wants a tensor)"),
]
