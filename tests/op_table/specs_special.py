"""Op table entries for erf, erfc, nan_to_num and lerp (special.py)."""
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, broadcastable, shapes, unary


def _vectorized(fn):
    return lambda a: np.vectorize(fn, otypes=[a.dtype])(a)


def _with_nonfinite():
    """Floats with NaN, +inf and -inf among them."""
    elements = st.floats(-3, 3) | st.sampled_from([np.nan, np.inf, -np.inf])
    return shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=elements)))


SPECS = [
    OpSpec("erf", lambda m, x: m.erf(x), _vectorized(math.erf), unary()),
    OpSpec("erfc", lambda m, x: m.erfc(x), _vectorized(math.erfc), unary(low=-3, high=5), rtol=1e-4),
    OpSpec("nan_to_num", lambda m, x: m.nan_to_num(x, nan=0.5, posinf=2.0, neginf=-2.0),
           lambda a: np.nan_to_num(a, nan=0.5, posinf=2.0, neginf=-2.0), _with_nonfinite(),
           notes="the gradient passes where x is finite; central differences leave NaN and inf where they are"),
    OpSpec("lerp", lambda m, a, b, w: m.lerp(a, b, w), lambda a, b, w: a + w * (b - a), broadcastable(3),
           grad_inputs=(0, 1, 2)),
    OpSpec("lerp_number_weight", lambda m, a, b: m.lerp(a, b, 0.25), lambda a, b: a + a.dtype.type(0.25) * (b - a),
           broadcastable(2), grad_inputs=(0, 1)),
]
