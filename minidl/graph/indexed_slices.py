"""``tf.IndexedSlices(values, indices, dense_shape)``: the rows ``values[i]`` of a tensor at row positions
``indices[i]``, every other row 0 — TF's form of the gradient of a gather or an embedding lookup, which touches a
few rows of a big table.

minidl's gradients are dense tensors, so ``tf.gradients`` never returns one (code that checks
``isinstance(g, tf.IndexedSlices)`` takes its dense branch); one made by hand is converted to its dense tensor
wherever a tensor is expected: the rows scattered into zeros of ``dense_shape``, rows named twice added up.
"""
from .core import Tensor
from .frontend import convert_to_tensor

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

    def _as_graph_element(self):
        """The dense tensor (made once)."""
        if self._dense is None:
            if self.dense_shape is None:
                raise ValueError(f"Cannot convert IndexedSlices {self!r} to a tensor: its dense_shape is unknown")
            from .. import ops
            from .segment_ops import unsorted_segment_sum
            # (rows of values' shape: the other dims of dense_shape are values' own)
            self._dense = unsorted_segment_sum(self.values, self.indices,
                                               ops.cast(self.dense_shape[0], self.indices.dtype))
        return self._dense

    def __repr__(self):
        return f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, dense_shape={self.dense_shape!r})"


class IndexedSlicesValue(tuple):
    """The value of an IndexedSlices as numpy arrays: ``(values, indices, dense_shape)``."""

    def __new__(cls, values, indices, dense_shape):
        return super().__new__(cls, (values, indices, dense_shape))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])
    dense_shape = property(lambda self: self[2])
