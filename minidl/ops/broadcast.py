"""Ops that read another tensor's runtime shape: the building blocks of shape-dependent gradients.

A VJP never hard-codes a shape (in graph mode it may be unknown when the gradient graph is built); it passes the
tensor whose shape it needs as an input to one of these ops instead.
"""
import numbers

from ..backend import dtypes
from .base import Op, Spec, apply
from .infer import broadcast_shapes
from .promote import fill_value_as


def _same_known_shape(a, b):
    """True when ``a`` and ``b`` have the same, fully known shape (in graph mode a dim may be unknown: None)."""
    shape = a.shape
    return shape == b.shape and shape is not None and None not in shape


class SumToLike(Op):
    """Sum ``g`` down to the shape of ``x``: undo numpy broadcasting (the VJP of every broadcasting op).

    Axes that broadcasting added in front are summed away; axes where ``x`` has size 1 are summed with keepdims.
    """
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x):
        shape = xp.shape(x)
        lead = g.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
        out = g.sum(axis=axes, keepdims=True) if axes else g
        return out.reshape(shape) if lead else out

    @staticmethod
    def vjp(ctx, gg):
        return broadcast_to_like(gg, ctx.inputs[0]), None

    @staticmethod
    def infer(g, x):
        return Spec(x.shape, g.dtype)


class BroadcastToLike(Op):
    """Broadcast ``g`` to the shape of ``x`` (the VJP of every reduction). Its VJP is ``sum_to_like``."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x):
        return xp.broadcast_to(g, xp.shape(x))

    @staticmethod
    def vjp(ctx, gg):
        return sum_to_like(gg, ctx.inputs[0]), None

    @staticmethod
    def infer(g, x):
        return Spec(broadcast_shapes("broadcast_to_like", g.shape, x.shape), g.dtype)


def sum_to_like(g, x):
    """Sum ``g`` to ``x``'s shape; returns ``g`` itself when the shapes already agree statically."""
    shape = g.shape  # (the test of _same_known_shape, inline: this is on the path of every broadcasting VJP)
    if shape == x.shape and shape is not None and None not in shape:
        return g
    return apply(SumToLike, g, x)


def broadcast_to_like(g, x):
    """Broadcast ``g`` to ``x``'s shape; returns ``g`` itself when the shapes already agree statically."""
    if _same_known_shape(g, x):
        return g
    return apply(BroadcastToLike, g, x)


class ZerosLike(Op):
    """A tensor of zeros with ``x``'s shape, dtype and device (``dtype`` overrides the dtype)."""
    differentiable = False

    @staticmethod
    def forward(xp, x, dtype=None):
        return xp.zeros(xp.shape(x), dtype=dtype or x.dtype)

    @staticmethod
    def infer(x, dtype=None):
        return Spec(x.shape, dtype or x.dtype)


class OnesLike(Op):
    """A tensor of ones with ``x``'s shape, dtype and device (``dtype`` overrides the dtype)."""
    differentiable = False

    @staticmethod
    def forward(xp, x, dtype=None):
        return xp.ones(xp.shape(x), dtype=dtype or x.dtype)

    @staticmethod
    def infer(x, dtype=None):
        return Spec(x.shape, dtype or x.dtype)


def zeros_like(x, dtype=None):
    return apply(ZerosLike, x, dtype=None if dtype is None else dtypes.as_dtype(dtype))


def ones_like(x, dtype=None):
    return apply(OnesLike, x, dtype=None if dtype is None else dtypes.as_dtype(dtype))


class FullLike(Op):
    """A tensor filled with ``value``, with ``x``'s shape and device (``dtype`` overrides the dtype)."""
    differentiable = False

    @staticmethod
    def forward(xp, x, value, dtype=None):
        return xp.full(xp.shape(x), value, dtype=dtype or x.dtype)

    @staticmethod
    def infer(x, value, dtype=None):
        return Spec(x.shape, dtype or x.dtype)


def full_like(x, value, dtype=None):
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if isinstance(value, numbers.Number):  # 300 in uint8 is refused, -1 wraps to 255: PyTorch's checked fill
        value = fill_value_as("full_like", dtype or x.dtype, value).item()
    return apply(FullLike, x, value=value, dtype=dtype)
