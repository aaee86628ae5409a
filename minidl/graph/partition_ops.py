"""``tf.dynamic_partition`` and ``tf.dynamic_stitch``: split a tensor's rows into groups by a label, and merge
groups of rows back by position — the pair TF1 programs use to route examples (per task, per bucket) and to put
the results back in order.

* ``dynamic_partition(data, partitions, num_partitions)``: output i holds the entries of ``data`` whose label in
  ``partitions`` (shaped like the leading dims of ``data``) is i, in order — ``data[partitions == i]``, a boolean
  mask, so its gradient is the mask's scatter back into place.
* ``dynamic_stitch(indices, data)``: ``merged[indices[m][...]] = data[m][...]`` for every m, with
  ``max(index) + 1`` rows; where two entries name the same row, the later one wins. Its gradient gathers the
  rows back for each ``data[m]`` (also for entries that a later one overwrote: TF1's gradient does the same).
"""
import numbers

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from .basics import control_dependencies
from .check_ops import Assert
from .math_ops import cast, check_dtype, math, tf_op, to_tensor

_INDEX_TYPES = ("int32", "int64")


@tf_op("DynamicPartition", one_op=True)
def dynamic_partition(data, partitions, num_partitions, name=None):
    """A list of ``num_partitions`` tensors: output i is ``data`` where ``partitions == i``."""
    data = to_tensor(data)
    partitions = check_dtype(to_tensor(partitions), ("int32",), "partitions")
    if isinstance(num_partitions, bool) or not isinstance(num_partitions, numbers.Integral) or num_partitions < 1:
        raise ValueError(f"num_partitions must be a positive int, got {num_partitions!r}")
    if data.shape.rank_known and partitions.shape.rank_known and \
            not data.shape[:partitions.shape.rank].is_compatible_with(partitions.shape):
        raise ValueError(f"partitions.shape {partitions.shape} must be a prefix of data.shape {data.shape}")
    # a label outside [0, num_partitions) would drop its entry from every output without a word
    in_range = ops.all(ops.logical_and(ops.ge(partitions, 0), ops.lt(partitions, num_partitions)))
    with control_dependencies([Assert(in_range, [f"partitions must be in [0, {num_partitions}), got", partitions],
                                      summarize=10)]):
        return [ops.getitem(data, ops.eq(partitions, i)) for i in range(int(num_partitions))]


class DynamicStitch(Op):
    """``merged[flat_indices[k]] = flat_data[k]`` into ``max(index) + 1`` zero rows, a later entry for a row
    winning. Only each row's last entry is written: a GPU's scatter of repeated rows lands in no fixed order.
    VJP: TF1's, ``g[flat_indices[k]]`` for every entry k, an overwritten one included."""
    saves_inputs = (0,)
    differentiable_inputs = (1,)

    @staticmethod
    def forward(xp, flat_indices, flat_data):
        rows = int(flat_indices.max()) + 1 if flat_indices.size else 0
        merged = xp.zeros((rows,) + flat_data.shape[1:], flat_data.dtype)
        _, from_the_end = xp.unique(flat_indices[::-1], return_index=True)  # the first of each index, read backwards
        last = flat_indices.size - 1 - from_the_end
        merged[flat_indices[last]] = flat_data[last]
        return merged

    @staticmethod
    def vjp(ctx, g):
        return None, ops.index_select(g, 0, ctx.inputs[0])

    @staticmethod
    def infer(flat_indices, flat_data):
        return Spec(None if flat_data.shape is None else (None,) + tuple(flat_data.shape[1:]), flat_data.dtype)


@tf_op("DynamicStitch")
def dynamic_stitch(indices, data, name=None):
    """One tensor of ``max(index) + 1`` rows with ``data[m]`` written at ``indices[m]`` (later ones win)."""
    if not isinstance(indices, (list, tuple)) or not isinstance(data, (list, tuple)) or len(indices) != len(data) \
            or not indices:
        raise ValueError("dynamic_stitch needs two non-empty lists of the same length: indices and data")
    indices = [check_dtype(to_tensor(i), _INDEX_TYPES, "indices") for i in indices]
    data = [to_tensor(d) for d in data]
    # a row of data is what follows the dims of its indices: read off a pair whose ranks the graph knows
    row = next((d.shape[i.shape.rank:] for i, d in zip(indices, data) if i.shape.rank_known and d.shape.rank_known),
               None)
    if row is None or not row.is_fully_defined():
        raise ValueError(f"dynamic_stitch needs the shape of a row of data known, got indices of shapes "
                         f"{[i.shape for i in indices]} and data of shapes {[d.shape for d in data]}")
    row = tuple(row.as_list())
    flat_indices = ops.cat([cast(ops.reshape(i, (-1,)), dtypes.int64) for i in indices], 0)
    flat_data = ops.cat([ops.reshape(d, (-1,) + row) for d in data], 0)
    merged = apply(DynamicStitch, flat_indices, flat_data)
    merged.set_shape([None] + list(row))
    return merged


math.dynamic_partition, math.dynamic_stitch = dynamic_partition, dynamic_stitch

__all__ = ["dynamic_partition", "dynamic_stitch"]
