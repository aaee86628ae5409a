"""Op table entries for the composed shape functions (shape_helpers.py): movedim, t, narrow, unflatten, vstack,
hstack, meshgrid. All are linear, so their second derivatives are 0: second order is checked for one of them."""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes, unary

LINEAR = "linear: the second derivative is 0 (checked for movedim)"


def _linear(name, fn, reference, inputs, **kw):
    return OpSpec(name, fn, reference, inputs, second_order=False, notes=LINEAR, **kw)


def _sides(n):
    return st.lists(st.integers(0, 3), min_size=n, max_size=n)


def _meshgrid(arrays, indexing):
    return tuple(np.array(g) for g in np.meshgrid(*arrays, indexing=indexing))


SPECS = [
    OpSpec("movedim", lambda m, x: m.movedim(x, (0, -1), (2, 0)), lambda a: np.moveaxis(a, (0, -1), (2, 0)),
           unary(shapes(min_dims=3, max_dims=3))),
    _linear("t", lambda m, x: m.t(x), lambda a: a.T, unary(shapes(max_dims=2))),
    _linear("narrow", lambda m, x: m.narrow(x, -1, 1, x.shape[-1] - 2), lambda a: a[..., 1:-1],
            unary(shapes(min_dims=1, min_side=2))),
    _linear("unflatten", lambda m, x: m.unflatten(x, 1, (2, -1)),
            lambda a: a.reshape(a.shape[:1] + (2, a.shape[1] // 2) + a.shape[2:]),
            _sides(3).flatmap(lambda s: st.tuples(floats_array((s[0], 2 * s[1], s[2]))))),
    _linear("vstack", lambda m, a, b: m.vstack([a, b]), lambda a, b: np.vstack([a, b]),
            st.integers(0, 3).flatmap(lambda n: st.tuples(floats_array((n,)), floats_array((2, n)))),
            grad_inputs=(0, 1)),
    _linear("hstack", lambda m, a, b: m.hstack((a, b)), lambda a, b: np.hstack([a, b]),
            _sides(3).flatmap(lambda s: st.tuples(floats_array((s[0], s[1])), floats_array((s[0], s[2])))),
            grad_inputs=(0, 1)),
    _linear("meshgrid_ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), lambda a, b: _meshgrid((a, b), "ij"),
            _sides(2).flatmap(lambda s: st.tuples(floats_array((s[0],)), floats_array((s[1],)))),
            grad_inputs=(0, 1)),
    _linear("meshgrid_xy", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"),
            lambda a, b, c: _meshgrid((a, b, c), "xy"),
            _sides(3).flatmap(lambda s: st.tuples(floats_array((s[0],)), floats_array((s[1],)),
                                                  floats_array((s[2],)))), grad_inputs=(0, 1, 2)),
]
