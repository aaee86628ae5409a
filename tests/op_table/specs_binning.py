"""Op table entries for histc, searchsorted and bucketize (binning.py). None has a gradient.

Values are drawn on a grid of quarters, so they often equal a boundary or each other: the cases where ``right``
(and the closed last bin of histc) make a difference.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes


def _quarters(shape):
    return floats_array(shape).map(lambda a: np.round(a * 4) / 4)


def _histogram(a, bins, low, high):
    if low == high:
        low, high = (a.min(), a.max()) if a.size else (0.0, 0.0)
    if low == high:
        low, high = low - 1, high + 1
    return np.histogram(a, bins, (low, high))[0].astype(a.dtype)


def _sorted_and_values(sequence_shape, values_shape):
    return st.tuples(_quarters(sequence_shape).map(lambda s: np.sort(s, axis=-1)), _quarters(values_shape))


def _one_sequence():
    """A sorted vector, and values of any shape."""
    return st.tuples(st.integers(1, 5), shapes()).flatmap(lambda s: _sorted_and_values((s[0],), s[1]))


def _rows():
    """Sorted rows (B, N) and values (B, K) to search, row by row."""
    return st.lists(st.integers(0, 3), min_size=3, max_size=3).flatmap(
        lambda s: _sorted_and_values((s[0], s[1] + 1), (s[0], s[2])))


def _search_rows(sequence, values, side):
    return np.array([np.searchsorted(s, v, side) for s, v in zip(sequence, values)],
                    dtype=np.int64).reshape(values.shape)


SPECS = [
    OpSpec("binning_histc", lambda m, x: m.histc(x, bins=5), lambda a: _histogram(a, 5, 0, 0),
           shapes().flatmap(lambda s: st.tuples(_quarters(s))), grad_inputs=()),
    OpSpec("binning_histc_range", lambda m, x: m.histc(x, 4, -1, 2), lambda a: _histogram(a, 4, -1, 2),
           shapes().flatmap(lambda s: st.tuples(_quarters(s))), grad_inputs=()),
    OpSpec("binning_searchsorted", lambda m, s, v: m.searchsorted(s, v), lambda s, v: np.searchsorted(s, v),
           _one_sequence(), grad_inputs=()),
    OpSpec("binning_searchsorted_right", lambda m, s, v: m.searchsorted(s, v, right=True),
           lambda s, v: np.searchsorted(s, v, "right"), _one_sequence(), grad_inputs=()),
    OpSpec("binning_searchsorted_rows", lambda m, s, v: m.searchsorted(s, v, side="right"),
           lambda s, v: _search_rows(s, v, "right"), _rows(), grad_inputs=()),
    OpSpec("binning_bucketize", lambda m, s, x: m.bucketize(x, s), lambda s, x: np.searchsorted(s, x), _one_sequence(),
           grad_inputs=()),
    OpSpec("binning_bucketize_right_int32", lambda m, s, x: m.bucketize(x, s, right=True, out_int32=True),
           lambda s, x: np.searchsorted(s, x, "right").astype(np.int32), _one_sequence(), grad_inputs=()),
]
