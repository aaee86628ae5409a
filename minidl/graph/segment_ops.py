"""Segment sums: ``tf.unsorted_segment_sum`` and ``tf.segment_sum`` (also in ``tf.math``).

``segment_ids`` gives each row of ``data`` (each entry of its first ``segment_ids.ndim`` dims) a segment, and
``out[j]`` is the sum of the rows in segment j — the sum of a bag of word vectors per sentence, of the edges' messages
per node. It is ``scatter_add`` into zeros of shape [num_segments] + the rows' shape; the gradient of a row is the
gradient of its segment (``scatter_add``'s VJP gathers it back). A segment nobody is in sums to 0; a row with a
negative id is dropped (TF's rule); an id >= num_segments is an InvalidArgumentError when the graph runs.
"""
from .. import ops
from ..backend import dtypes
from .array_ops import concat, shape, zeros
from .basics import control_dependencies
from .check_ops import assert_less_equal
from .core import TensorShape
from .math_ops import NUMBERS, check_dtype, graph_tensor, math, tf_op, to_tensor

_INDEX_TYPES = ("int32", "int64")


def _segment_sum(data, ids, num_segments):
    """``unsorted_segment_sum`` of checked tensors (num_segments: an int or a 0-d int tensor)."""
    k = ids.ndim
    rows = ops.flatten(data, 0, k - 1) if k > 1 else data  # [number of rows, ...the shape of a row]
    flat_ids = ops.cast(ops.reshape(ids, [-1]), dtypes.int64)
    kept = ops.ge(flat_ids, 0)
    along_rows = [-1] + [1] * (rows.ndim - 1)
    rows = ops.where(ops.reshape(kept, along_rows), rows, ops.zeros_like(rows))  # dropped rows add nothing ...
    flat_ids = ops.where(kept, flat_ids, ops.zeros_like(flat_ids))               # ... to segment 0
    index = ops.broadcast_to_like(ops.reshape(flat_ids, along_rows), rows)
    out = zeros(concat([ops.reshape(ops.cast(to_tensor(num_segments), dtypes.int32), [1]), shape(rows)[1:]], 0),
                data.dtype)
    out.set_shape([num_segments if graph_tensor(num_segments) is None else None] + list(rows.shape[1:]))
    return ops.scatter_add(out, 0, index, rows)


def _data_and_ids(data, segment_ids):
    data = check_dtype(to_tensor(data), NUMBERS, "data")
    ids = check_dtype(to_tensor(segment_ids), _INDEX_TYPES, "segment_ids")
    if not (data.shape.rank_known and ids.shape.rank_known):
        raise ValueError(f"segment sums need the ranks of data and segment_ids known, got {data.shape} and "
                         f"{ids.shape}")
    if len(ids.shape) == 0 or not TensorShape(list(data.shape)[:len(ids.shape)]).is_compatible_with(ids.shape):
        raise ValueError(f"segment_ids.shape = {ids.shape} does not prefix data.shape = {data.shape}")
    return data, ids


@tf_op("UnsortedSegmentSum")
def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``out[j] = sum of data[i...] over the i... with segment_ids[i...] == j``, for j in [0, num_segments):
    shape [num_segments] + data.shape[segment_ids.ndim:]. The ids may come in any order."""
    data, ids = _data_and_ids(data, segment_ids)
    if graph_tensor(num_segments) is not None:
        num_segments = check_dtype(graph_tensor(num_segments), _INDEX_TYPES, "num_segments")
    return _segment_sum(data, ids, num_segments)


@tf_op("SegmentSum")
def segment_sum(data, segment_ids, name=None):
    """``unsorted_segment_sum`` for a 1-D ``segment_ids`` that is sorted (checked when the graph runs), with
    ``max(segment_ids) + 1`` segments."""
    data, ids = _data_and_ids(data, segment_ids)
    if len(ids.shape) != 1:
        raise ValueError(f"segment_ids should be a vector, got shape {ids.shape}")
    ordered = assert_less_equal(ops.getitem(ids, slice(0, -1)), ops.getitem(ids, slice(1, None)),
                                data=["segment ids are not increasing"])
    with control_dependencies([ordered]):
        return _segment_sum(data, ids, ops.add(ops.amax(ids), 1))


math.unsorted_segment_sum, math.segment_sum = unsorted_segment_sum, segment_sum

__all__ = ["unsorted_segment_sum", "segment_sum"]
