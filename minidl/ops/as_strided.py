"""``as_strided(x, size, stride, storage_offset)``: a view that reads ``x``'s elements in any pattern.

Element ``(i_0, i_1, ...)`` of the result is element ``storage_offset + Σ_k i_k·stride_k`` of ``x`` flattened in
row-major order (strides count elements, not bytes). A stride smaller than the window lets windows overlap: with
``x = [0, 1, 2, 3, 4]``, size (3, 3) and stride (1, 1) give the sliding windows ``[[0, 1, 2], [1, 2, 3], [2, 3,
4]]``, each element read by up to three of them.

So the gradient of an element of ``x`` is the sum of the gradients of every result element that reads it: a
scatter-add of ``g`` at the positions the view reads (``AsStridedGrad``), whose own gradient reads ``gg`` through
the same view.
"""
import math

from ..backend import dtypes
from ..backend.scans import add_at
from .base import Op, OpError, Spec, apply, describe
from .reduce import check_tensor
from .shape import ints

__all__ = ["as_strided"]

def _view(xp, x, size, stride, offset):
    """``x``'s elements (in row-major order) read at ``offset + Σ i_k·stride_k``; a view of x's memory when x is
    contiguous."""
    flat = x.reshape(-1)
    return xp.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * flat.itemsize for s in stride))


class AsStrided(Op):
    """The view (module docstring). Its VJP adds ``g`` up at the positions read: ``AsStridedGrad``."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, size, stride, offset):
        return _view(xp, x, size, stride, offset)

    @staticmethod
    def vjp(ctx, g):
        return (apply(AsStridedGrad, g, ctx.inputs[0], **ctx.attrs),)

    @staticmethod
    def infer(x, size, stride, offset):
        return Spec(size, x.dtype)


class AsStridedGrad(Op):
    """Zeros shaped like ``x`` with each entry of ``g`` added at the element of ``x`` it was read from (``x``
    lends only its shape). Linear in ``g``; its VJP reads ``gg`` through the view again: ``AsStrided``."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, size, stride, offset):
        positions = _view(xp, xp.arange(x.size, dtype=dtypes.int64), size, stride, offset)
        out = xp.zeros(x.size, dtype=g.dtype)
        add_at(xp, out, positions.reshape(-1), g.reshape(-1))
        return out.reshape(x.shape)

    @staticmethod
    def vjp(ctx, gg):
        return apply(AsStrided, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, size, stride, offset):
        return Spec(x.shape, g.dtype)


def as_strided(input, size, stride, storage_offset=None):
    """The view of ``input``'s elements (row-major) of shape ``size`` with element strides ``stride`` from
    ``storage_offset`` (module docstring). Every position read must lie inside ``input``; strides must not be
    negative."""
    check_tensor("as_strided", input)
    size, stride = ints("as_strided", size, "size"), ints("as_strided", stride, "stride")
    offset = 0 if storage_offset is None else storage_offset
    if len(size) != len(stride):
        raise OpError(f"as_strided: mismatch in length of strides and shape: size {list(size)}, stride "
                      f"{list(stride)}")
    if min(size, default=0) < 0 or min(stride, default=0) < 0 or offset < 0:
        raise OpError(f"as_strided: sizes, strides and the offset must be non-negative, got size {list(size)}, "
                      f"stride {list(stride)}, storage_offset {offset}")
    count = math.prod(input.shape) if None not in tuple(input.shape) else None
    last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if 0 not in size else offset - 1
    if count is not None and last >= count:
        raise OpError(f"as_strided: size {list(size)} with stride {list(stride)} and offset {offset} reads element "
                      f"{last}, outside the {count} elements of {describe(input)}")
    return apply(AsStrided, input, size=tuple(size), stride=tuple(stride), offset=int(offset))
