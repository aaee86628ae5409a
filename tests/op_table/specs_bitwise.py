"""Op table entries for the bitwise ops (bitwise.py): and, or, xor, not and the shifts, on integers and bools.

Integer results have no gradient. The shift amounts include negative ones and ones beyond the type's width,
whose results PyTorch defines (0, or -1 for a negative number shifted right).
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, shapes


def _ints(dtype=np.int64, low=-100, high=100):
    return lambda shape: hnp.arrays(dtype, shape, elements=st.integers(low, high))


def _pair(make_a, make_b):
    """Two arrays with mutually broadcastable shapes."""
    return shapes().flatmap(
        lambda base: hnp.mutually_broadcastable_shapes(num_shapes=2, base_shape=base, max_dims=3, min_side=0)
        .flatmap(lambda bs: st.tuples(make_a(bs.input_shapes[0]), make_b(bs.input_shapes[1]))))


def _shift_left(a, b):
    bits = a.dtype.itemsize * 8
    outside = (b < 0) | (b >= bits)
    return np.where(outside, 0, np.left_shift(a, np.where(outside, 0, b))).astype(a.dtype)


def _shift_right(a, b):
    bits = a.dtype.itemsize * 8
    outside = (b < 0) | (b >= bits)
    return np.where(outside, np.where(a < 0, -1, 0), np.right_shift(a, np.where(outside, 0, b))).astype(a.dtype)


def _binary(name, reference, inputs):
    """A spec for ``m.<op>(a, b)``, the op named by ``name`` up to any ``__variant`` suffix."""
    return OpSpec(name, lambda m, a, b: getattr(m, name.split("__")[0])(a, b), reference, inputs, grad_inputs=(),
                  raw_inputs=(0, 1))


def _or_promoted(a, b):
    """PyTorch's promotion (which numpy's differs from): a 0-d int64 does not widen an int32 tensor with dims."""
    return np.bitwise_or(a, b).astype(np.int32 if a.ndim and not b.ndim else np.int64)


INTS = _pair(_ints(), _ints())
BOOLS = _pair(lambda s: hnp.arrays(np.bool_, s), lambda s: hnp.arrays(np.bool_, s))

SPECS = [
    _binary("bitwise_and", np.bitwise_and, INTS),
    _binary("bitwise_xor", np.bitwise_xor, INTS),
    _binary("bitwise_and__bool", np.bitwise_and, BOOLS),
    _binary("bitwise_or__int32_int64", _or_promoted, _pair(_ints(np.int32), _ints())),
    OpSpec("bitwise_not", lambda m, a: m.bitwise_not(a), np.invert, shapes().flatmap(lambda s: st.tuples(_ints()(s))),
           grad_inputs=(), raw_inputs=(0,)),
    OpSpec("bitwise_not__bool", lambda m, a: m.bitwise_not(a), np.invert,
           shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.bool_, s))), grad_inputs=(), raw_inputs=(0,)),
    _binary("bitwise_left_shift", _shift_left, _pair(_ints(), _ints(low=-3, high=70))),
    _binary("bitwise_right_shift", _shift_right, _pair(_ints(), _ints(low=-3, high=70))),
    _binary("bitwise_left_shift__int8", _shift_left, _pair(_ints(np.int8, -100, 100), _ints(np.int8, -2, 10))),
    OpSpec("bitwise_right_shift__number", lambda m, a: m.bitwise_right_shift(a, 2), lambda a: a >> 2,
           shapes().flatmap(lambda s: st.tuples(_ints()(s))), grad_inputs=(), raw_inputs=(0,)),
]
