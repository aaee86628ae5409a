"""``tf.IndexedSlices(values, indices, dense_shape)``: the rows ``values[i]`` of a tensor at row positions
``indices[i]``, every other row 0 — TF's form of the gradient of a row lookup, which touches a few rows of a big
table.

**Where gradients are IndexedSlices.** As in TF1, ``tf.gradients`` gives the table of ``tf.gather(params, ids)``
(along axis 0, no batch dims) or of ``tf.nn.embedding_lookup(params, ids)`` the gradient
``IndexedSlices(values=g as [ids.size, *params.shape[1:]], indices=ids flattened, dense_shape=tf.shape(params))``:
one row of ``values`` per lookup, an id looked up twice listed twice, nothing summed (``row_lookup_gradient``).
``tf.identity`` (a variable's ``read``) passes one on unchanged. Where a value gets several contributions, slices
only are concatenated, and a mix with dense ones is their dense sum (``summed_gradients``); any other op's VJP
receives the dense tensor (``as_dense``).

That is not only a matter of memory: what code does with the gradient differs. ``tf.clip_by_global_norm`` and
``tf.clip_by_norm`` take the norm of ``values``, so an id looked up twice counts twice (√(a² + b²), not |a + b|);
the optimizers update only the rows named (``train/optimizer.py``); ``sess.run`` of one gives an
``IndexedSlicesValue``. Wherever a tensor is expected (``tf.convert_to_tensor``, an op's operand) an IndexedSlices
stands for its dense tensor: the rows scattered into zeros of ``dense_shape``, rows named twice added up.
"""
from collections import namedtuple

from .. import ops
from ..ops.embedding import Embedding
from ..ops.gather import InBounds
from ..ops.indexing import Index
from .core import Tensor
from .frontend import convert_to_tensor
from .graph_ops import Identity

__all__ = ["IndexedSlices", "IndexedSlicesValue"]


class IndexedSlices:
    """See the module docstring."""

    def __init__(self, values, indices, dense_shape=None):
        self.values, self.indices = convert_to_tensor(values), convert_to_tensor(indices)
        self.dense_shape = None if dense_shape is None else convert_to_tensor(dense_shape)
        if not isinstance(self.values, Tensor) or self.indices.dtype.kind not in "iu":
            raise TypeError(f"IndexedSlices: indices must be an integer tensor, got {self.indices.dtype.name}")
        self._dense = None

    dtype = property(lambda self: self.values.dtype)
    graph = property(lambda self: self.values.graph)
    device = property(lambda self: self.values.device)
    op = property(lambda self: self.values.op)
    name = property(lambda self: self.values.name)

    def consumers(self):
        """The operations that take ``values`` as an input (TF's ``IndexedSlices.consumers``)."""
        return self.values.consumers()

    def __neg__(self):
        return IndexedSlices(-self.values, self.indices, self.dense_shape)

    def _as_graph_element(self):
        """The dense tensor (made once)."""
        if self._dense is None:
            if self.dense_shape is None:
                raise ValueError(f"Cannot convert IndexedSlices {self!r} to a tensor: its dense_shape is unknown")
            from .math_ops import known_dims  # (math_ops and segment_ops import this module)
            from .segment_ops import unsorted_segment_sum
            # (rows of values' shape: the other dims of dense_shape are values' own); in the graph of the values
            # (a control-flow body's), wherever this is asked for
            with self.graph.as_default():
                dense = unsorted_segment_sum(self.values, self.indices,
                                             ops.cast(self.dense_shape[0], self.indices.dtype))
            dims = known_dims(self.dense_shape)  # the table's static shape (tf.shape of a known one): keep it
            if dims is not None:
                dense.set_shape(dims)
            self._dense = dense
        return self._dense

    def __repr__(self):
        return f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, dense_shape={self.dense_shape!r})"


class IndexedSlicesValue(namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])):
    """The value of an IndexedSlices as numpy arrays (what ``sess.run`` of one returns)."""


def as_dense(gradient):
    """``gradient`` as a tensor: an IndexedSlices becomes its dense tensor; anything else is returned as it is."""
    return gradient._as_graph_element() if isinstance(gradient, IndexedSlices) else gradient


def on_values(t, fn):
    """``fn(t)`` (t as a tensor); for an IndexedSlices ``t``, the IndexedSlices of ``fn(t.values)`` at the same
    rows — how TF's clipping functions and ``scalar_mul`` treat one."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(fn(t.values), t.indices, t.dense_shape)
    return fn(convert_to_tensor(t))


def values_of(t):
    """The tensor that holds ``t``'s numbers: an IndexedSlices' ``values``, else ``t`` as a tensor."""
    return t.values if isinstance(t, IndexedSlices) else convert_to_tensor(t)


def summed_gradients(total, gradient):
    """Two contributions to the gradient of one value, added as TF adds them: two IndexedSlices make one that
    lists both's rows (nothing is summed; indices of two integer types become int64), any dense one makes the sum
    dense."""
    if isinstance(total, IndexedSlices) and isinstance(gradient, IndexedSlices):
        parts = (total, gradient)
        if total.indices.dtype != gradient.indices.dtype:
            parts = [IndexedSlices(s.values, ops.cast(s.indices, "int64"), s.dense_shape) for s in parts]
        return IndexedSlices(ops.cat([s.values for s in parts], 0), ops.cat([s.indices for s in parts], 0),
                             total.dense_shape)
    return as_dense(total) + as_dense(gradient)


def sparse_vjp(operation, grads, needed):
    """The input gradients of ``operation`` where TF's gradient is (or passes on) an IndexedSlices — a row
    lookup's, ``tf.identity``'s — or None where the op's own (dense) VJP applies."""
    if operation.gradient_override is not None:  # (gradient_override_map: the registered function decides)
        return None
    if operation.op is Identity:
        return tuple(grads)
    slices = row_lookup_gradient(operation, as_dense(grads[0])) if needed[0] else None
    return None if slices is None else (slices,) + (None,) * (len(operation.inputs) - 1)


def row_lookup_gradient(operation, g):
    """The IndexedSlices gradient of the table of a row lookup (``tf.gather`` along axis 0 without batch dims,
    ``embedding_lookup``) whose result has the gradient ``g``; None for any other operation."""
    attrs = operation.attrs
    if operation.op is Embedding and attrs["padding_idx"] is None and not attrs.get("scale_grad_by_freq"):
        table, ids = operation.inputs
    elif operation.op is Index and not attrs["basic"] and attrs["advanced"] == (("tensor",),) and \
            _checked_by_gather(operation.inputs[1]):
        table, ids = operation.inputs
    else:
        return None
    from .array_ops import concat, reshape, shape  # (array_ops comes after this module in the import order)
    rank = ids.shape.rank
    if rank is None:  # one row of values per id, whatever ids' shape turns out to be
        values = reshape(g, concat([[-1], shape(table)[1:]], 0))
    else:
        values = ops.unsqueeze(g, 0) if rank == 0 else ops.flatten(g, 0, rank - 1) if rank > 1 else g
    return IndexedSlices(values, ops.reshape(ids, (-1,)), shape(table))


def _checked_by_gather(ids):
    """Whether ``ids`` are the indices of a ``tf.gather``, checked in range (never read from the end): other
    selections by position (``index_select``, crops) have dense gradients in TF."""
    check = ids.op
    return check.op is InBounds and check.attrs["op_name"] == "GatherV2"
