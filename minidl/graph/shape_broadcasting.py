"""The shape two tensors broadcast to, worked out from their shapes alone: ``tf.broadcast_static_shape`` while the
graph is built, ``tf.broadcast_dynamic_shape`` when it runs.

Broadcasting aligns the shapes from the right (a missing leading dim counts as 1); each pair of dims must be equal
or hold a 1, and the result takes the larger::

    (8, 1, 6)  with  (7, 1)  ->  (8, 7, 6)        (2, 3)  with  (4,)  ->  incompatible

``broadcast_static_shape`` works on ``TensorShape``s whose dims may be unknown (None): None against n > 1 gives n
(the program can only be right if the unknown dim is 1 or n), otherwise None; an unknown rank gives an unknown
shape. It is the rule the graph's own shape inference uses for ``x + y`` (``ops.infer.broadcast_shapes``), so the
two always agree. (TF gives None for an unknown dim against 0, where minidl gives 0 — the only value an
unknown dim broadcast with 0 can produce.)

``broadcast_dynamic_shape`` takes the shapes as 1-D int tensors (``tf.shape(x)``) and gives the broadcast shape
as a tensor when the graph runs: the ``BroadcastArgs`` op. Incompatible shapes fail then, with TF's
``InvalidArgumentError``.
"""
from ..ops.base import Op, Spec, apply
from ..ops.infer import broadcast_shapes
from . import errors
from .array_ops import _host_ints
from .core import TensorShape, as_spec_shape
from .math_ops import check_dtype, matching_pair, tf_op

_SHAPE_TYPES = ("int32", "int64")


def broadcast_static_shape(shape_x, shape_y):
    """The ``TensorShape`` that tensors of static shapes ``shape_x`` and ``shape_y`` broadcast to (unknown dims
    as the module docstring says). ValueError if two known dims can never match."""
    shapes = [s if isinstance(s, TensorShape) else TensorShape(s) for s in (shape_x, shape_y)]
    return TensorShape(broadcast_shapes("broadcast_static_shape", *map(as_spec_shape, shapes)))


class BroadcastArgs(Op):
    """The broadcast shape of two shapes ``s0`` and ``s1`` (1-D integer tensors of one dtype), computed when the
    graph runs; ``InvalidArgumentError`` if they are incompatible. Integer-valued: no gradient."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, s0, s1):
        a, b = _host_ints(s0), _host_ints(s1)
        try:
            shape = broadcast_shapes("BroadcastArgs", a, b)
        except ValueError:
            raise errors.InvalidArgumentError(None, None, f"Incompatible shapes: {list(a)} vs. {list(b)}") from None
        return xp.asarray(shape, dtype=s0.dtype)

    @staticmethod
    def infer(s0, s1):
        lengths = [None if s.shape is None else s.shape[0] for s in (s0, s1)]
        return Spec((None if None in lengths else max(lengths),), s0.dtype)


@tf_op("BroadcastArgs")
def broadcast_dynamic_shape(shape_x, shape_y, name=None):
    """The shape (a 1-D tensor of the inputs' dtype) that tensors of shapes ``shape_x`` and ``shape_y`` broadcast
    to, both 1-D int32 or int64 tensors (or lists) read when the graph runs, e.g.
    ``tf.broadcast_dynamic_shape(tf.shape(x), tf.shape(y))``."""
    s0, s1 = matching_pair("BroadcastArgs", shape_x, shape_y, ("s0", "s1"))
    for name_of, s in (("shape_x", s0), ("shape_y", s1)):
        check_dtype(s, _SHAPE_TYPES, name_of)
        if s.shape.rank_known and len(s.shape) != 1:
            raise ValueError(f"broadcast_dynamic_shape: {name_of} must be a 1-D shape tensor, got {s.name} of shape "
                             f"{s.shape}")
    return apply(BroadcastArgs, s0, s1)


__all__ = ["broadcast_static_shape", "broadcast_dynamic_shape"]
