"""Segment reductions: ``tf.unsorted_segment_sum/prod/max/min/mean/sqrt_n`` and ``tf.segment_sum/prod/max/min/mean``
(also in ``tf.math``).

``segment_ids`` gives each row of ``data`` (each entry of its first ``segment_ids.ndim`` dims) a segment, and
``out[j]`` is the sum (product, max, min, mean) of the rows in segment j — the sum of a bag of word vectors per
sentence, of the edges' messages per node. It is the op library's ``scatter_reduce`` into a tensor of shape
[num_segments + 1] + the rows' shape, which also holds what an empty segment gets; the gradient of a row comes
from ``scatter_reduce``'s VJP (for max and min, to the rows that are the segment's max or min). A row with a
negative id is dropped by the unsorted reductions (TF's rule; the sorted ones refuse it): it goes to the extra
last segment, which is cut off. An id >= num_segments is an InvalidArgumentError when the graph runs.

An empty segment gets, as in TF: 0 from a sum or a mean, 1 from a product; from the unsorted max (min) the lowest
(highest) value of the dtype, from the sorted ones 0.
"""
import numpy

from .. import ops
from ..backend import dtypes
from .array_ops import concat, fill, shape
from .basics import control_dependencies
from .check_ops import assert_less_equal
from .core import TensorShape, rank_error
from .math_ops import FLOATS_AND_COMPLEX, NUMBERS, check_dtype, graph_tensor, math, tf_op, to_tensor

_INDEX_TYPES = ("int32", "int64")


def _segment_reduce(data, ids, num_segments, reduce, empty):
    """The segment reduction (``reduce``: "sum", "prod", "amax", "amin", "mean") of checked tensors, ``empty``
    for a segment without rows (num_segments: an int or a 0-d int tensor)."""
    if reduce == "mean" and data.dtype.kind in "iu":   # TF's integer mean truncates (scatter_reduce's floors)
        sums = _segment_reduce(data, ids, num_segments, "sum", 0)
        counts = _segment_reduce(ops.ones_like(ids, dtype=data.dtype), ids, num_segments, "sum", 0)
        counts = ops.reshape(ops.clamp_min(counts, 1), [-1] + [1] * (sums.ndim - 1))
        return ops.div(sums, counts, rounding_mode="trunc")
    k = ids.ndim
    rows = ops.flatten(data, 0, k - 1) if k > 1 else data  # [number of rows, ...the shape of a row]
    flat_ids = ops.cast(ops.reshape(ids, [-1]), dtypes.int64)
    count = ops.cast(to_tensor(num_segments), dtypes.int64)
    in_range = assert_less_equal(flat_ids, ops.broadcast_to_like(count - 1, flat_ids),
                                 data=["segment ids must be < num_segments:", count])
    with control_dependencies([in_range]):  # (else the error would name the extra segment of the dropped rows)
        flat_ids = ops.where(ops.ge(flat_ids, 0), flat_ids, ops.broadcast_to_like(count, flat_ids))  # dropped: last
    index = ops.broadcast_to_like(ops.reshape(flat_ids, [-1] + [1] * (rows.ndim - 1)), rows)
    out = fill(concat([ops.reshape(ops.cast(count + 1, dtypes.int32), [1]), shape(rows)[1:]], 0),
               to_tensor(empty, data.dtype))
    reduced = ops.getitem(ops.scatter_reduce(out, 0, index, rows, reduce, include_self=False), slice(0, -1))
    reduced.set_shape([num_segments if graph_tensor(num_segments) is None else None] + list(rows.shape[1:]))
    return reduced


def lowest_value(dtype, highest=False):
    """The lowest (or highest) value of ``dtype``, -inf (inf) for floats: the padding a max pool never picks."""
    if dtype.kind == "f":
        return float("inf") if highest else float("-inf")
    return _extreme(dtype, highest)


def _extreme(dtype, highest=False):
    """The lowest (or highest) finite value of ``dtype``: what TF's unsorted max (min) gives an empty segment (so
    that a program masking empty segments with 0 gets 0, where ±inf · 0 would be NaN)."""
    info = numpy.finfo(dtype) if dtype.kind == "f" else numpy.iinfo(dtype)
    return (float if dtype.kind == "f" else int)(info.max if highest else info.min)


def _data_and_ids(data, segment_ids):
    data = check_dtype(to_tensor(data), NUMBERS, "data")
    ids = check_dtype(to_tensor(segment_ids), _INDEX_TYPES, "segment_ids")
    if not (data.shape.rank_known and ids.shape.rank_known):
        raise rank_error(data, ids)(f"segment sums need the ranks of data and segment_ids known, got {data.shape} and "
                                    f"{ids.shape}")
    if len(ids.shape) == 0 or not TensorShape(list(data.shape)[:len(ids.shape)]).is_compatible_with(ids.shape):
        raise ValueError(f"segment_ids.shape = {ids.shape} does not prefix data.shape = {data.shape}")
    return data, ids


def _unsorted(kind, reduce, empty):
    @tf_op(f"UnsortedSegment{kind}")
    def unsorted(data, segment_ids, num_segments, name=None):
        data, ids = _data_and_ids(data, segment_ids)
        if graph_tensor(num_segments) is not None:
            num_segments = check_dtype(graph_tensor(num_segments), _INDEX_TYPES, "num_segments")
        return _segment_reduce(data, ids, num_segments, reduce, empty(data.dtype))
    unsorted.__name__ = unsorted.__qualname__ = f"unsorted_segment_{kind.lower()}"
    unsorted.__doc__ = (f"``out[j]`` = the {kind.lower()} of the ``data[i...]`` with ``segment_ids[i...] == j``, for "
                        f"j in [0, num_segments): shape [num_segments] + data.shape[segment_ids.ndim:]. The ids may "
                        f"come in any order.")
    return unsorted


def _sorted(kind, reduce, empty):
    @tf_op(f"Segment{kind}")
    def sorted_(data, segment_ids, name=None):
        data, ids = _data_and_ids(data, segment_ids)
        if len(ids.shape) != 1:
            raise ValueError(f"segment_ids should be a vector, got shape {ids.shape}")
        ordered = assert_less_equal(ops.getitem(ids, slice(0, -1)), ops.getitem(ids, slice(1, None)),
                                    data=["segment ids are not increasing"])
        # (only the unsorted reductions drop rows with a negative id)
        non_negative = assert_less_equal(ops.zeros_like(ids), ids, data=["segment ids must be >= 0"])
        with control_dependencies([ordered, non_negative]):
            return _segment_reduce(data, ids, ops.add(ops.amax(ids), 1), reduce, empty)
    sorted_.__name__ = sorted_.__qualname__ = f"segment_{kind.lower()}"
    sorted_.__doc__ = (f"The segment {kind.lower()} for a 1-D ``segment_ids`` that is sorted and not negative (checked "
                       f"when the graph runs), with ``max(segment_ids) + 1`` segments.")
    return sorted_


unsorted_segment_sum = _unsorted("Sum", "sum", lambda dtype: 0)
unsorted_segment_prod = _unsorted("Prod", "prod", lambda dtype: 1)
unsorted_segment_max = _unsorted("Max", "amax", _extreme)
unsorted_segment_min = _unsorted("Min", "amin", lambda dtype: _extreme(dtype, highest=True))
unsorted_segment_mean = _unsorted("Mean", "mean", lambda dtype: 0)


@tf_op("UnsortedSegmentSqrtN")
def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """``out[j]`` = the sum of the ``data[i...]`` with ``segment_ids[i...] == j``, divided by √N for the N rows in
    segment j (0 for an empty segment): a sum whose size does not grow with the segment's, as a mean's, but whose
    variance stays that of one row for independent rows. Float (or complex) data; the gradient is the sum's,
    divided by the same √N."""
    data, ids = _data_and_ids(data, segment_ids)
    check_dtype(data, FLOATS_AND_COMPLEX, "data")
    if graph_tensor(num_segments) is not None:
        num_segments = check_dtype(graph_tensor(num_segments), _INDEX_TYPES, "num_segments")
    sums = _segment_reduce(data, ids, num_segments, "sum", 0)
    counts = _segment_reduce(ops.ones_like(ids, dtype=data.dtype), ids, num_segments, "sum", 0)
    sizes = ops.sqrt(ops.clamp_min(ops.real(counts) if counts.dtype.kind == "c" else counts, 1))
    return ops.div(sums, ops.reshape(ops.cast(sizes, data.dtype), [-1] + [1] * (sums.ndim - 1)))


segment_sum = _sorted("Sum", "sum", 0)
segment_prod = _sorted("Prod", "prod", 1)
segment_max = _sorted("Max", "amax", 0)
segment_min = _sorted("Min", "amin", 0)
segment_mean = _sorted("Mean", "mean", 0)

__all__ = ["unsorted_segment_sum", "unsorted_segment_prod", "unsorted_segment_max", "unsorted_segment_min",
           "unsorted_segment_mean", "unsorted_segment_sqrt_n", "segment_sum", "segment_prod", "segment_max",
           "segment_min", "segment_mean"]
for _name in __all__:
    setattr(math, _name, globals()[_name])
