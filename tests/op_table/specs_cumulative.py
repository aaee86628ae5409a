"""Op table entries for cumprod and diff (cumulative.py).

cumprod's VJP has its own handling of zeros, so besides inputs without zeros there are inputs with exactly one
zero per slice and with several (first and second order are exact with any number).
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes, unary
from .specs_reduce import at_least

NO_ZEROS = dict(low=-2.0, high=2.0, avoid=(0.0,), margin=0.3)


def _zeros_along_last(count):
    """Arrays (at least 1-d, last dim >= count) with ``count`` exact zeros in every slice along the last dim."""
    def build(shape):
        return st.tuples(floats_array(shape, **NO_ZEROS), st.permutations(range(shape[-1])))
    def place(t):
        a, positions = t
        a = a.copy()
        a[..., list(positions[:count])] = 0.0
        return (a,)
    return shapes(min_dims=1, min_side=max(count, 1)).flatmap(build).map(place)


def _diff(a, n=1, axis=-1, prepend=None, append=None):
    parts = [p for p in (prepend, a, append) if p is not None]
    return np.diff(np.concatenate(parts, axis=axis) if len(parts) > 1 else a, n=n, axis=axis)


SPECS = [
    OpSpec("cumprod", lambda m, x: m.cumprod(x, -1), lambda a: np.cumprod(a, axis=-1),
           unary(at_least(1), **NO_ZEROS), rtol=1e-4),
    OpSpec("cumprod_scalar", lambda m, x: m.cumprod(x, 0), lambda a: a, unary(st.just(()))),
    OpSpec("cumprod_one_zero", lambda m, x: m.cumprod(x, -1), lambda a: np.cumprod(a, axis=-1),
           _zeros_along_last(1), rtol=1e-4, notes="the division-free gradient at a zero, and its derivative"),
    OpSpec("cumprod_two_zeros", lambda m, x: m.cumprod(x, -1), lambda a: np.cumprod(a, axis=-1),
           _zeros_along_last(2), rtol=1e-4, notes="second order exact too: the gradient of the x_z·F_i term"),
    OpSpec("cumprod_three_zeros", lambda m, x: m.cumprod(x, -1), lambda a: np.cumprod(a, axis=-1),
           _zeros_along_last(3), rtol=1e-4),
    OpSpec("diff", lambda m, x: m.diff(x), np.diff, unary(at_least(1)), second_order=False,
           notes="linear: the second derivative is 0"),
    OpSpec("diff_prepend_append", lambda m, x, p, q: m.diff(x, 1, 0, prepend=p, append=q),
           lambda a, p, q: _diff(a, 1, 0, p, q),
           st.tuples(st.integers(0, 3), st.integers(1, 3)).flatmap(
               lambda t: st.tuples(floats_array((t[0], 2)), floats_array((t[1], 2)), floats_array((1, 2)))),
           grad_inputs=(0, 1, 2), second_order=False),
]
