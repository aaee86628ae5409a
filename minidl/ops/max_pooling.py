"""Max pooling (layout NCHW, or NCDHW in 3-D): the ops under ``max_pool1d/2d/3d`` (``pooling.py`` has the
functions that check the arguments and call them).

y = the largest value in each window. Its gradient goes to that one entry, so the forward also returns where it
was: the *indices* (int64, the flat position h*W + w in the unpadded input — d*H*W + h*W + w in 3-D — as
PyTorch's ``return_indices=True`` gives). ``MaxPoolGrad`` adds g at those positions (windows can overlap, so a
pixel may collect from several); its own gradient reads gg back at the same positions (a gather).

The window geometry (``ceil_mode``, padding, dilation) is that of ``im2col.py``. The routines loop over kernel
taps, never over pixels: each tap sees one strided slice of the input.
"""
import math

from ..backend import dtypes
from ..backend.kernels import FUSED_DTYPES, max_pool_2d
from ..backend.scans import add_at
from .base import Op, Spec, apply
from .gather import gather
from .im2col import pool_out_sizes, running_pool_out_sizes
from .shape import flatten, reshape_like

__all__ = ["max_pool2d_grad"]


def pool_spec(x, kernel, stride, padding, ceil_mode, dilation=None, **attrs):
    """The output Spec of a pooling op (max or average) of ``x``."""
    dilation = dilation or (1,) * len(kernel)
    return Spec(tuple(x.shape[:2]) + pool_out_sizes(x.shape[2:], kernel, stride, padding, dilation, ceil_mode),
                x.dtype)


def _lowest(xp, dtype):
    """A start value that every entry beats or equals."""
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _tap_range(tap, size, out, stride, pad):
    """For one kernel tap at offset ``tap`` (already times the dilation) along an axis: the output positions
    [i0, i1) whose window puts this tap inside the input (not in the padding), and the first input position."""
    i0 = max(0, -(-(pad - tap) // stride))  # first i with i*stride - pad + tap >= 0
    i1 = min(out, -(-(size + pad - tap) // stride))  # first i with i*stride - pad + tap >= size
    return i0, max(i0, i1), i0 * stride - pad + tap


def _max_along(xp, x, axis, kernel, stride, pad, dilation, out, carry=None):
    """The running max over the ``kernel`` taps of the windows along one ``axis`` of x (of an image: 2 rows, 3 columns).
    Returns (values, taps, carried): ``taps`` numbers the tap holding each window's max (-1 for a window in the
    padding only); ``carried`` picks, from ``carry`` (shaped like x), the entry at that tap.

    Taps are visited in order and a later one takes over only when strictly larger, so the first of equal
    maxima wins (as in PyTorch); a NaN always takes over, so NaN propagates to the value and the tap points at it
    (``maximum`` keeps a NaN once in).
    A tap competes only in the windows [i0, i1) where it lands inside x, so padding never wins: a window's first
    real tap is copied in, later ones compete. As q grows the range moves left, so the windows meeting their
    first real tap at q are the part of its range left of all earlier ones.
    """
    def along(lo, hi, step=1):
        return (slice(None),) * axis + (slice(lo, hi, step),)

    shape = x.shape[:axis] + (out,) + x.shape[axis + 1:]
    values = xp.full(shape, _lowest(xp, x.dtype), dtype=x.dtype)  # what windows over padding only keep
    taps = xp.full(shape, -1, dtype=xp.int8 if kernel <= 127 else xp.int32)
    carried = None if carry is None else xp.full(shape, -1, dtype=carry.dtype)
    seen = out  # windows [seen, out) have met a real tap
    for q in range(kernel):
        i0, i1, start = _tap_range(q * dilation, x.shape[axis], out, stride, pad)
        at = along(start, start + (i1 - i0) * stride, stride)
        tap, tap_carry = x[at], None if carry is None else carry[at]
        first = min(seen, i1)  # windows [i0, first) meet their first real tap here, [first, i1) compete
        new, old = along(i0, first), along(0, first - i0)
        values[new], taps[new] = tap[old], q
        if carry is not None:
            carried[new] = tap_carry[old]
        if first < i1:
            running, tap = values[along(first, i1)], tap[along(first - i0, None)]
            takes_over = tap > running
            if tap.dtype.kind == "f":  # a NaN takes over (later NaNs too, as in PyTorch); nothing takes over from one
                takes_over |= xp.isnan(tap)
            xp.maximum(running, tap, out=running)  # in place, into values
            running_taps = taps[along(first, i1)]
            xp.maximum(running_taps, takes_over * taps.dtype.type(q), out=running_taps)  # q: the largest tap yet
            if carry is not None:
                kept = carried[along(first, i1)]
                kept += takes_over * (tap_carry[along(first - i0, None)] - kept)
        seen = min(seen, i0)
    return values, taps, carried


def _padding_only(xp, sizes, outs, kernel, stride, padding, dilation):
    """A bool mask shaped like the output's spatial dims: the windows that lie entirely in the padding (possible
    with dilation), or None when there are none. A window is such along one axis if none of its taps along that
    axis lands in the input, whatever the other axes do."""
    mask = None
    for axis, (size, out, k, s, p, d) in enumerate(zip(sizes, outs, kernel, stride, padding, dilation)):
        taps = xp.arange(out).reshape(-1, 1) * s - p + xp.arange(k) * d  # input position of every tap
        empty = ~((taps >= 0) & (taps < size)).any(axis=1)
        if empty.any():
            empty = empty.reshape((-1,) + (1,) * (len(sizes) - 1 - axis))
            mask = empty if mask is None else mask | empty
    return None if mask is None else xp.broadcast_to(mask, outs)


def _max_pool(xp, x, kernel, stride, padding, dilation, ceil_mode):
    """(values, indices): the max of each window, and where it is (h*W + w in the unpadded input).

    Separable: a window's max is the max over its rows of each row's max over the window's columns. So every
    row of x first gets the max over each window's columns, then those row maxima the max over each window's
    rows: KH + KW strided slices to visit instead of KH * KW (in 3-D, then a third pass over the depth). Where
    each pass's maximum sits travels with it into the next pass, as its offset from the window's first pixel in
    flat positions, so the first maximum in row-major order wins, as in PyTorch. Windows over padding only
    (possible with dilation) get the lowest value and index -1.
    """
    sizes = x.shape[2:]
    outs = running_pool_out_sizes(sizes, kernel, stride, padding, dilation, ceil_mode)
    if xp.__name__ != "numpy" and len(kernel) == 2 and x.dtype in FUSED_DTYPES:  # a GPU: one kernel, this its twin
        return max_pool_2d(x, kernel, stride, padding, dilation, outs)
    flat_steps = [math.prod(sizes[axis + 1:]) for axis in range(len(sizes))]  # one step along an axis, flat
    values, offsets, reach = x, None, 0
    for axis in reversed(range(len(sizes))):  # the last (fastest-varying) axis first
        values, taps, offsets = _max_along(xp, values, 2 + axis, kernel[axis], stride[axis], padding[axis],
                                           dilation[axis], outs[axis], carry=offsets)
        step = dilation[axis] * flat_steps[axis]
        reach += (kernel[axis] - 1) * step  # the largest offset yet
        # the offsets carried into the next pass fit a small int type (less memory to move); the indices are
        # int32 (a volume has fewer than 2^31 pixels), which numpy computes twice as fast as int64
        dtype = xp.int32 if axis == 0 else xp.int8 if reach <= 127 else xp.int16 if reach <= 32767 else xp.int32
        moved = taps if taps.dtype == dtype else taps.astype(dtype)
        if step != 1:
            moved *= step
        if offsets is not None:
            moved += offsets
        offsets = moved
    # plus where each window starts: the sum over axes of (i*S - P) flat steps
    start = 0
    for axis, (out, s, p, step) in enumerate(zip(outs, stride, padding, flat_steps)):
        along = (xp.arange(out) * s - p) * step
        start = start + along.reshape((-1,) + (1,) * (len(outs) - 1 - axis))
    indices = offsets
    indices += start.astype(xp.int32)
    if any(padding):
        empty = _padding_only(xp, sizes, outs, kernel, stride, padding, dilation)
        if empty is not None:
            indices[:, :, empty] = -1
    return values, indices.astype(dtypes.int64)


class MaxPool2d(Op):
    """(y, indices): the max of each window and where it sits (h*W + w). VJP: ``max_pool2d_grad``. It pools
    any number of spatial dims; ``MaxPool3d`` differs only in the name PyTorch gives the grad_fn."""
    name = "MaxPool2DWithIndices"
    n_outputs = 2
    saves_inputs = ()  # x lends only its shape to the gradient
    saves_outputs = (1,)  # the indices only: the values may be changed in place (a ReLU(inplace=True) after it)
    forward = staticmethod(_max_pool)

    @staticmethod
    def vjp(ctx, g, g_indices):
        kernel, stride, dilation = ctx.attrs["kernel"], ctx.attrs["stride"], ctx.attrs["dilation"]
        overlapping = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        return (max_pool2d_grad(g, ctx.outputs[1], ctx.inputs[0], overlapping),)

    @staticmethod
    def infer(x, **attrs):
        spec = pool_spec(x, **attrs)
        return spec, Spec(spec.shape, dtypes.int64)


class MaxPool3d(MaxPool2d):
    name = "MaxPool3DWithIndices"


class MaxPoolGrad(Op):
    """Zeros shaped like ``x`` with each g added at its window's argmax (``indices``); ``x`` lends only its shape.

    Linear in g; its VJP reads gg back at the same positions: gather(gg, indices)."""
    saves_inputs = (1,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, indices, x, overlapping):
        n, c = x.shape[:2]
        # the planes (one per channel of each image) flattened into one array: numpy scatters into a flat array much
        # faster than with a (plane, position) pair of index arrays
        plane = math.prod(x.shape[2:])
        out = xp.zeros(n * c * plane, dtype=g.dtype)
        at = indices.reshape(n * c, -1 if n * c else 0) + xp.arange(0, n * c * plane, plane).reshape(-1, 1)
        at, g = at.reshape(-1), g.reshape(-1)
        if at.size and indices.min() < 0:
            # index -1 marks a window over padding only (possible with dilation), which passes on nothing: its
            # position lands on the previous plane's last pixel, so it must add a zero there, not overwrite
            g = g * (indices.reshape(-1) >= 0)
            overlapping = True
        if overlapping:  # windows may pick the same pixel: add.at sums repeated positions
            add_at(xp, out, at, g)
        else:  # every pixel is picked at most once: plain assignment is enough, and faster
            out[at] = g
        return out.reshape(x.shape)

    @staticmethod
    def vjp(ctx, gg):
        from .combine import pad
        g, indices, _ = ctx.inputs
        padded = pad(flatten(gg, 2), (0, 1))  # a zero for index -1 to read
        return reshape_like(gather(padded, 2, flatten(indices, 2)), g), None, None

    @staticmethod
    def infer(g, indices, x, overlapping):
        return Spec(x.shape, g.dtype)


def max_pool2d_grad(grad_output, indices, input, overlapping=True):
    """The gradient of ``max_pool2d`` (or ``max_pool3d``): ``grad_output`` added into zeros like ``input`` at
    ``indices``. ``overlapping=False`` promises that no two windows share a pixel (stride >= window extent)."""
    return apply(MaxPoolGrad, grad_output, indices, input, overlapping=bool(overlapping))
