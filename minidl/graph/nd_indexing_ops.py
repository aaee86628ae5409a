"""TensorFlow 1's coordinate indexing: ``tf.gather_nd``, ``tf.scatter_nd``, ``tf.tensor_scatter_nd_update`` /
``_add`` / ``_sub`` and ``tf.batch_gather`` — thin layers over ``minidl/ops/nd_indexing.py`` (read its docstring for
the semantics and the gradients), with TF's argument names and dtype rules::

    tf.gather_nd(params, [[0, 1], [2, 0]])          # [params[0, 1], params[2, 0]]
    tf.scatter_nd([[1], [3]], updates, [5, 2])      # zeros [5, 2] with updates[0] added at row 1, updates[1] at 3

The indices are int32 or int64; ``updates`` must have the dtype of ``tensor`` (TF never converts). An index out of
range is an ``InvalidArgumentError`` when the graph runs ("indices[1] = [5, 0] does not index into param shape").
"""
from .. import ops
from .array_ops import zeros
from .math_ops import check_dtype, graph_tensor, matching_pair, tf_op, to_tensor

_INDEX_TYPES = ("int32", "int64")


def _indices(indices):
    return check_dtype(to_tensor(indices), _INDEX_TYPES, "indices")


@tf_op("GatherNd")
def gather_nd(params, indices, name=None, batch_dims=0):
    """``out[i...] = params[indices[i...]]``: the last dim of ``indices`` (size k) holds coordinates into the
    first k dims of ``params`` (after ``batch_dims`` batch dims shared by both); the result has shape
    ``indices.shape[:-1] + params.shape[batch_dims + k:]``."""
    return ops.gather_nd(to_tensor(params), _indices(indices), batch_dims=batch_dims)


@tf_op("ScatterNd")
def scatter_nd(indices, updates, shape, name=None):
    """Zeros of ``shape`` with each slice of ``updates`` added at its coordinates in ``indices`` (repeats add up).
    ``shape`` may be a list of ints or a 1-D int tensor computed at run time."""
    index, updates = _indices(indices), to_tensor(updates)
    if graph_tensor(shape) is None and all(graph_tensor(n) is None for n in shape):
        return ops.scatter_nd(index, updates, shape)
    return ops.tensor_scatter_nd_add(zeros(shape, updates.dtype), index, updates)


def _tensor_scatter(op_type, fn, tensor, indices, updates):
    tensor, updates = matching_pair(op_type, tensor, updates, ("tensor", "updates"))
    return fn(tensor, _indices(indices), updates)


@tf_op("TensorScatterUpdate")
def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with the slices at the coordinates in ``indices`` replaced by ``updates``."""
    return _tensor_scatter("TensorScatterUpdate", ops.tensor_scatter_nd_update, tensor, indices, updates)


@tf_op("TensorScatterAdd")
def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with ``updates`` added at the coordinates in ``indices``."""
    return _tensor_scatter("TensorScatterAdd", ops.tensor_scatter_nd_add, tensor, indices, updates)


@tf_op("TensorScatterSub")
def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with ``updates`` subtracted at the coordinates in ``indices``."""
    return _tensor_scatter("TensorScatterSub", lambda x, i, u: ops.tensor_scatter_nd_add(x, i, ops.neg(u)),
                           tensor, indices, updates)


@tf_op("batch_gather")
def batch_gather(params, indices, name=None):
    """``out[n..., j] = params[n..., indices[n..., j]]``: every dim of ``indices`` but the last is a batch dim
    shared with ``params`` (TF1's ``tf.batch_gather``; TF2 writes ``tf.gather(..., batch_dims=-1)``)."""
    return ops.batch_gather(to_tensor(params), _indices(indices))


# TF 1.15's older names
tensor_scatter_update = tensor_scatter_nd_update
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub

__all__ = ["gather_nd", "scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
           "tensor_scatter_update", "tensor_scatter_add", "tensor_scatter_sub", "batch_gather"]
