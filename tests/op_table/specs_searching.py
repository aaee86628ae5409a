"""Op table entries for finding entries (searching.py): nonzero, argwhere, where(condition), masked_select."""
import numpy as np
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array, shapes, unary
from .specs_compare import _broadcast_arrays


def _with_zeros():
    """Rounded values: many entries are exactly 0."""
    return unary(shapes()).map(lambda t: (np.round(t[0]),))


def _mask(shape):
    return hnp.arrays(np.bool_, shape)


def _as_tuple(a):
    """PyTorch's ``nonzero(as_tuple=True)``: a 0-d input counts as 1-d."""
    return tuple(np.nonzero(np.atleast_1d(a)))


SPECS = [
    OpSpec("nonzero", lambda m, x: m.nonzero(x), np.argwhere, _with_zeros(), grad_inputs=()),
    OpSpec("nonzero_as_tuple", lambda m, x: m.nonzero(x, as_tuple=True), _as_tuple, _with_zeros(), grad_inputs=()),
    OpSpec("where_condition_only", lambda m, x: m.where(m.gt(x, 0)), lambda a: _as_tuple(a > 0), _with_zeros(),
           grad_inputs=()),
    OpSpec("masked_select", lambda m, x, mask: m.masked_select(x, mask),
           lambda a, mask: np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape))[
               np.broadcast_to(mask, np.broadcast_shapes(a.shape, mask.shape))],
           _broadcast_arrays([floats_array, _mask]), raw_inputs=(1,), second_order=False,
           notes="x and mask broadcast together; linear in x, so the second derivative is 0"),
]
