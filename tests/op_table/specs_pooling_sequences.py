"""Op table entries for pooling over the windows of pooling sequences (``minidl/ops/pooling_sequences.py``, under
TF's fractional max/avg pooling).

The reference walks the windows one at a time as TF's kernel does; the inputs have distinct values, so every
window has one argmax and the numerical gradient is well defined. The sequences are arbitrary increasing cuts
of each dim (steps of any size), which covers the steps of floor or ceil of a ratio that TF draws.
"""
import math

import numpy as np
from hypothesis import strategies as st

from minidl import ops

from .spec import OpSpec


def ref_pool(x, rows, cols, overlapping, reduce):
    h, w = x.shape[2:]
    values = np.zeros(x.shape[:2] + (len(rows) - 1, len(cols) - 1), x.dtype)
    indices = np.zeros(values.shape, np.int64)
    for n, c, i, j in np.ndindex(*values.shape):
        top, left = rows[i], cols[j]
        bottom, right = min(rows[i + 1] + overlapping, h), min(cols[j + 1] + overlapping, w)
        window = x[n, c, top:bottom, left:right]
        values[n, c, i, j] = reduce(window)
        best = np.unravel_index(np.argmax(window), window.shape)
        indices[n, c, i, j] = (top + best[0]) * w + left + best[1]
    return values, indices


def _sequence(draw, size):
    inner = draw(st.sets(st.integers(1, size - 1), max_size=size - 1)) if size > 1 else set()
    return np.array([0] + sorted(inner) + [size], np.int64)


@st.composite
def planes(draw):
    """(x, row sequence, column sequence): x (N, C, H, W) with distinct values 0.25 apart."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    x = (rng.permutation(math.prod(shape)) - math.prod(shape) // 2).reshape(shape) * 0.25
    return x, _sequence(draw, shape[2]), _sequence(draw, shape[3])


def _spec(name, overlapping, average=False, with_indices=False):
    def ours(m, x, rows, cols):
        if average:
            return ops.sequence_avg_pool2d(x, rows, cols, overlapping)
        result = ops.sequence_max_pool2d(x, rows, cols, overlapping)
        return result if with_indices else result[0]

    def reference(x, rows, cols):
        values, indices = ref_pool(x, rows, cols, overlapping, np.mean if average else np.max)
        return (values, indices) if with_indices else values
    return OpSpec(name, ours, reference, planes(), grad_inputs=() if with_indices else (0,), raw_inputs=(1, 2),
                  notes="the sequences place the windows; they get no gradient")


SPECS = [
    _spec("sequence_max_pool2d", False),
    _spec("sequence_max_pool2d_overlapping", True),
    _spec("sequence_max_pool2d_indices", True, with_indices=True),
    _spec("sequence_avg_pool2d", False, average=True),
    _spec("sequence_avg_pool2d_overlapping", True, average=True),
]
