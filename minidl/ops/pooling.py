"""Pooling (layout NCHW): max_pool2d, avg_pool2d, adaptive_avg_pool2d, and the 1-D max_pool1d / avg_pool1d.

A pooling op slides a window over each channel of each image, like a convolution with no weights (see
``im2col.py`` for the window geometry), and summarizes the window by its maximum or its mean. Like col2im, they
loop over kernel taps, never over pixels: each tap sees one strided slice of the input.

* **max**: y = the largest value in the window. Its gradient goes to that one entry, so the forward also returns
  where it was: the *indices* (int64, the position h*W + w in the unpadded input, as PyTorch's
  ``return_indices=True`` gives). ``MaxPool2dGrad`` adds g at those positions (windows can overlap, so a pixel
  may collect from several); its own gradient reads gg back at the same positions (a gather).
* **average**: y = sum of the window / divisor. Linear, so the gradient spreads g / divisor evenly over the
  window (``AvgPool2dGrad``, a col2im), and that op's gradient is the average pooling again.
* **adaptive average**: the output size is given and the windows adapt: output row i averages input rows
  floor(i*H/OH) to ceil((i+1)*H/OH) - 1 (PyTorch's formula; neighbouring windows may share a row). Separable
  in rows and columns, so it is y = R_h x R_w^T with small averaging matrices; the gradient is R_h^T g R_w.

``ceil_mode=True`` rounds the number of window positions up instead of down, so a last, partial window covers
the leftover rows; it is dropped again when it would start inside the right padding (PyTorch's rule).
"""
import numbers

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe
from .conv import batched, pair
from .gather import gather
from .im2col import col2im, pad2d
from .shape import flatten, reshape_like, squeeze, unsqueeze

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "max_pool1d", "avg_pool1d", "max_pool2d_grad"]


# ----------------------------------------------------------------------------------------------- geometry

def pool_out_size(size, kernel, stride, pad, dilation, ceil_mode):
    """Window positions along one axis of ``size`` with ``pad`` on each side."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # the last window would start in the right padding
        out -= 1
    return out


def _paddings(shape, kernel, stride, padding, dilation, ceil_mode):
    """((top, bottom), (left, right)) such that exactly the output's windows fit: ceil mode may need extra rows
    at the bottom/right beyond ``padding``, which the window partly covers."""
    pads = []
    for size, k, s, p, d in zip(shape, kernel, stride, padding, dilation):
        out = pool_out_size(size, k, s, p, d, ceil_mode)
        extra = (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p)
        pads.append((p, p + max(extra, 0)))
    return tuple(pads)


def _out_hw(shape, kernel, stride, padding, dilation, ceil_mode):
    return tuple(None if n is None else pool_out_size(n, k, s, p, d, ceil_mode)
                 for n, k, s, p, d in zip(shape, kernel, stride, padding, dilation))


def _pool_spec(x, kernel, stride, padding, ceil_mode, dilation=(1, 1), **attrs):
    return Spec(tuple(x.shape[:2]) + _out_hw(x.shape[2:], kernel, stride, padding, dilation, ceil_mode), x.dtype)


# ------------------------------------------------------------------------------------------------ max

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
    """The running max over the ``kernel`` taps of the windows along one ``axis`` of x (2: rows, 3: columns).
    Returns (values, taps, carried): ``taps`` numbers the tap holding each window's max (-1 for a window in the
    padding only); ``carried`` picks, from ``carry`` (shaped like x), the entry at that tap.

    Taps are visited in order and a later one takes over only when strictly larger, so the first of equal
    maxima wins (as in PyTorch); "not <=" rather than ">" lets a NaN take over, so NaN propagates to the value.
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
            takes_over = tap <= running
            xp.logical_not(takes_over, out=takes_over)
            xp.maximum(running, tap, out=running)  # in place, into values
            running_taps = taps[along(first, i1)]
            xp.maximum(running_taps, takes_over * taps.dtype.type(q), out=running_taps)  # q: the largest tap yet
            if carry is not None:
                kept = carried[along(first, i1)]
                kept += takes_over * (tap_carry[along(first - i0, None)] - kept)
        seen = min(seen, i0)
    return values, taps, carried


def _max_pool(xp, x, kernel, stride, padding, dilation, ceil_mode):
    """(values, indices): the max of each window, and where it is (h*W + w in the unpadded input).

    Separable: a window's max is the max over its rows of each row's max over the window's columns. So every
    row of x first gets the max over each window's columns, then those row maxima the max over each window's
    rows: KH + KW strided slices to visit instead of KH * KW. The winning column travels with its row's max
    into the second pass, so the first maximum in row-major order wins, as in PyTorch. Windows over padding
    only (possible with dilation) get the lowest value and index -1.
    """
    n, c, h, w = x.shape
    oh, ow = _out_hw((h, w), kernel, stride, padding, dilation, ceil_mode)
    row_max, col, _ = _max_along(xp, x, 3, kernel[1], stride[1], padding[1], dilation[1], ow)
    values, row, col = _max_along(xp, row_max, 2, kernel[0], stride[0], padding[0], dilation[0], oh, carry=col)
    # index = (i*SH - top + row*DH) * W + (j*SW - left + col*DW), in int32 (an image has fewer than 2^31 pixels),
    # which numpy computes twice as fast as int64, then widened to PyTorch's int64
    first = (xp.arange(oh) * stride[0] - padding[0]).reshape(-1, 1) * w + xp.arange(ow) * stride[1] - padding[1]
    indices = row.astype(xp.int32)
    indices *= dilation[0] * w
    indices += first.astype(xp.int32)
    indices += col if dilation[1] == 1 else col.astype(xp.int32) * dilation[1]
    if padding != (0, 0):
        indices[(row < 0) | (col < 0)] = -1
    indices = indices.astype(dtypes.int64)
    return values, indices


class MaxPool2d(Op):
    """(y, indices): the max of each window and where it sits (h*W + w). VJP: ``max_pool2d_grad``."""
    name = "MaxPool2DWithIndices"
    n_outputs = 2
    saves_inputs = ()  # x lends only its shape to the gradient
    saves_outputs = True
    forward = staticmethod(_max_pool)

    @staticmethod
    def vjp(ctx, g, g_indices):
        kernel, stride, dilation = ctx.attrs["kernel"], ctx.attrs["stride"], ctx.attrs["dilation"]
        overlapping = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        return (max_pool2d_grad(g, ctx.outputs[1], ctx.inputs[0], overlapping),)

    @staticmethod
    def infer(x, **attrs):
        spec = _pool_spec(x, **attrs)
        return spec, Spec(spec.shape, dtypes.int64)


class MaxPool2dGrad(Op):
    """Zeros shaped like ``x`` with each g added at its window's argmax (``indices``); ``x`` lends only its shape.

    Linear in g; its VJP reads gg back at the same positions: gather(gg, indices)."""
    saves_inputs = (1,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, indices, x, overlapping):
        n, c, h, w = x.shape
        # the planes (one per channel of each image) flattened into one array: numpy scatters into a flat array much
        # faster than with a (plane, position) pair of index arrays
        plane = h * w
        out = xp.zeros(n * c * plane, dtype=g.dtype)
        at = indices.reshape(n * c, -1 if n * c else 0) + xp.arange(0, n * c * plane, plane).reshape(-1, 1)
        at, g = at.reshape(-1), g.reshape(-1)
        if at.size and indices.min() < 0:
            # index -1 marks a window over padding only (possible with dilation), which passes on nothing: its
            # position lands on the previous plane's last pixel, so it must add a zero there, not overwrite
            g = g * (indices.reshape(-1) >= 0)
            overlapping = True
        if overlapping:  # windows may pick the same pixel: add.at sums repeated positions
            xp.add.at(out, at, g)
        else:  # every pixel is picked at most once: plain assignment is enough, and faster
            out[at] = g
        return out.reshape(n, c, h, w)

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
    """The gradient of ``max_pool2d``: ``grad_output`` added into zeros like ``input`` at ``indices``.
    ``overlapping=False`` promises that no two windows share a pixel (stride >= window extent)."""
    return apply(MaxPool2dGrad, grad_output, indices, input, overlapping=bool(overlapping))


# -------------------------------------------------------------------------------------------- average

def _divisor(xp, shape, out_hw, kernel, stride, padding, count_include_pad, divisor_override, dtype):
    """What each window's sum is divided by, (OH, OW): the window's area, clipped to the padded input (so the
    overhang of a ceil-mode window does not count), or only its real pixels when ``count_include_pad`` is off."""
    if divisor_override:
        return xp.asarray(divisor_override, dtype=dtype)
    sides = []
    for size, out, k, s, p in zip(shape, out_hw, kernel, stride, padding):
        start = xp.arange(out) * s - p
        end = xp.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, size)
        sides.append(end - start)
    return (sides[0].reshape(-1, 1) * sides[1]).astype(dtype)


class AvgPool2d(Op):
    """y = sum of the window / divisor. Linear: VJP ``AvgPool2dGrad``."""
    name = "AvgPool2D"
    saves_inputs = ()
    infer = staticmethod(_pool_spec)

    @staticmethod
    def forward(xp, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        oh, ow = _out_hw(x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
        padded = pad2d(xp, x, _paddings(x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode))
        sums = xp.zeros(x.shape[:2] + (oh, ow), dtype=x.dtype)
        for p in range(kernel[0]):  # add up the windows one kernel tap at a time (like col2im, in reverse)
            for q in range(kernel[1]):
                sums += padded[:, :, p:p + stride[0] * oh:stride[0], q:q + stride[1] * ow:stride[1]]
        divisor = _divisor(xp, x.shape[2:], (oh, ow), kernel, stride, padding, count_include_pad,
                           divisor_override, x.dtype)
        return sums / divisor

    @staticmethod
    def vjp(ctx, g):
        return (apply(AvgPool2dGrad, g, ctx.inputs[0], **ctx.attrs),)


class AvgPool2dGrad(Op):
    """Each window's g / divisor spread over the window (col2im of a broadcast: no copy per tap), shaped like
    ``x``, which lends only its shape. Its VJP is the average pooling of gg."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        n, c, oh, ow = g.shape
        divisor = _divisor(xp, x.shape[2:], (oh, ow), kernel, stride, padding, count_include_pad, divisor_override,
                           g.dtype)
        share = xp.broadcast_to((g / divisor)[:, :, None, None], (n, c) + tuple(kernel) + (oh, ow))
        pads = _paddings(x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
        return col2im(xp, share, x.shape, kernel, stride, pads, (1, 1))

    @staticmethod
    def vjp(ctx, gg):
        return apply(AvgPool2d, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, **attrs):
        return Spec(x.shape, g.dtype)


# ------------------------------------------------------------------------------------------- adaptive

def _averaging_matrix(xp, size, out, dtype):
    """R (out, size): R[i, h] = 1 / (end_i - start_i) for start_i <= h < end_i, where start_i = floor(i*size/out)
    and end_i = ceil((i + 1)*size/out). R @ column averages each window."""
    i = xp.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    h = xp.arange(size)
    inside = (h >= start.reshape(-1, 1)) & (h < end.reshape(-1, 1))
    return (inside / (end - start).reshape(-1, 1)).astype(dtype)


def _averaging_matrices(xp, shape, output_size, dtype):
    return [_averaging_matrix(xp, n, n if o is None else o, dtype) for n, o in zip(shape, output_size)]


class AdaptiveAvgPool2d(Op):
    """y = R_h x R_w^T (averaging matrices per axis); VJP ``AdaptiveAvgPool2dGrad``."""
    name = "AdaptiveAvgPool2D"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, output_size):
        rh, rw = _averaging_matrices(xp, x.shape[2:], output_size, x.dtype)
        return xp.matmul(xp.matmul(rh, x), rw.T)

    @staticmethod
    def vjp(ctx, g):
        return (apply(AdaptiveAvgPool2dGrad, g, ctx.inputs[0], **ctx.attrs),)

    @staticmethod
    def infer(x, output_size):
        return Spec(tuple(x.shape[:2]) + tuple(n if o is None else o for n, o in zip(x.shape[2:], output_size)),
                    x.dtype)


class AdaptiveAvgPool2dGrad(Op):
    """dL/dx = R_h^T g R_w, shaped like ``x`` (which lends only its shape); its VJP is the pooling of gg."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, output_size):
        rh, rw = _averaging_matrices(xp, x.shape[2:], output_size, g.dtype)
        return xp.matmul(xp.matmul(rh.T, g), rw)

    @staticmethod
    def vjp(ctx, gg):
        return apply(AdaptiveAvgPool2d, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, output_size):
        return Spec(x.shape, g.dtype)


# ------------------------------------------------------------------------------------------- functions
# The 2-D functions take (N, C, H, W) or unbatched (C, H, W); the 1-D ones take (N, C, L) or (C, L) and run the
# 2-D op on (N, C, 1, L). Each checks its arguments under its own name.

def _check_dtype(op_name, x, allow_integers):
    if x.dtype == dtypes.bool_ or dtypes.is_complex(x.dtype) or (x.dtype.kind in "iu" and not allow_integers):
        raise TypeError(f"{op_name}: expected a {'real' if allow_integers else 'floating point'} tensor, got "
                        f"{describe(x)}")


def _window(op_name, x, kernel, stride, padding, dilation, ceil_mode, max_pad):
    """Check and normalize the window arguments (ints or pairs); ``max_pad(k, d)`` is twice the largest padding
    allowed. ``stride`` None (or empty) means the kernel size."""
    kernel = pair(op_name, kernel, "kernel_size", 1)
    stride = kernel if stride is None or stride in ((), []) else pair(op_name, stride, "stride", 1)
    padding = pair(op_name, padding, "padding", 0)
    dilation = pair(op_name, dilation, "dilation", 1)
    if any(2 * p > max_pad(k, d) for p, k, d in zip(padding, kernel, dilation)):
        raise OpError(f"{op_name}: pad should be at most half of {'effective ' if dilation != (1, 1) else ''}kernel "
                      f"size, but got padding={padding}, kernel_size={kernel}"
                      + (f" and dilation={dilation}" if dilation != (1, 1) else ""))
    out_hw = _out_hw(x.shape[2:], kernel, stride, padding, dilation, bool(ceil_mode))
    if any(n is not None and n < 1 for n in out_hw):
        raise OpError(f"{op_name}: Given input {describe(x)}, the calculated output size {out_hw} is too small "
                      f"(kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation})")
    return dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=bool(ceil_mode)), dilation


def _max_pool2d(op_name, x, kernel_size, stride, padding, dilation, ceil_mode):
    """(values, indices) of a (N, C, H, W) input."""
    _check_dtype(op_name, x, allow_integers=True)
    attrs, dilation = _window(op_name, x, kernel_size, stride, padding, dilation, ceil_mode,
                              lambda k, d: d * (k - 1) + 1)
    return apply(MaxPool2d, x, dilation=dilation, **attrs)


def _avg_pool2d(op_name, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override=None):
    _check_dtype(op_name, x, allow_integers=False)
    attrs, _ = _window(op_name, x, kernel_size, stride, padding, 1, ceil_mode, lambda k, d: k)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                         or divisor_override < 1):
        raise OpError(f"{op_name}: divisor must be a positive integer, got divisor_override={divisor_override!r}")
    return apply(AvgPool2d, x, count_include_pad=bool(count_include_pad), divisor_override=divisor_override,
                 **attrs)


def _unbatch(unbatched, *ys):
    """Take the batch dim added for an unbatched input off the results again."""
    ys = tuple(squeeze(y, 0) for y in ys) if unbatched else ys
    return ys if len(ys) > 1 else ys[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max over each window of ``input`` (N, C, H, W) or (C, H, W); with ``return_indices`` also where each
    max was (int64, h*W + w within its channel). ``stride`` defaults to ``kernel_size``; ``padding`` (at most
    half the window) never wins."""
    x, unbatched = batched("max_pool2d", input)
    y, indices = _unbatch(unbatched, *_max_pool2d("max_pool2d", x, kernel_size, stride, padding, dilation,
                                                  ceil_mode))
    return (y, indices) if return_indices else y


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each window of ``input`` (N, C, H, W) or (C, H, W). Zero padding counts in the divisor
    unless ``count_include_pad=False``; ``divisor_override`` replaces the divisor."""
    x, unbatched = batched("avg_pool2d", input)
    return _unbatch(unbatched, _avg_pool2d("avg_pool2d", x, kernel_size, stride, padding, ceil_mode,
                                           count_include_pad, divisor_override))


def adaptive_avg_pool2d(input, output_size):
    """Average ``input`` (N, C, H, W) or (C, H, W) down to ``output_size`` (an int, or a pair whose None entries
    keep that input size) with windows placed by PyTorch's start/end formula."""
    x, unbatched = batched("adaptive_avg_pool2d", input)
    _check_dtype("adaptive_avg_pool2d", x, allow_integers=False)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2 or not all(s is None or isinstance(s, numbers.Integral) and s >= 0 for s in sizes):
        raise OpError(f"adaptive_avg_pool2d: output_size must be a non-negative int or a pair of them (None "
                      f"keeps the input size), got {output_size!r}")
    if any(n == 0 for n in x.shape[2:]):
        raise OpError(f"adaptive_avg_pool2d: expected input to have non-zero size for non-batch dimensions, but "
                      f"got {describe(x)}")
    return _unbatch(unbatched, apply(AdaptiveAvgPool2d, x,
                                     output_size=tuple(None if s is None else int(s) for s in sizes)))


def _one(op_name, value, what):
    """A 1-D size (an int or a one-element sequence) as the pair (1, value) along (H, W); None stays None."""
    if value is None or value in ((), []):
        return None
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"{op_name}: expected {what} to be a single integer value, got {what}={value!r}")
        value = value[0]
    return (0 if what == "padding" else 1), value


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """``max_pool2d`` along the last dim of ``input`` (N, C, L) or (C, L); indices count along L."""
    x, unbatched = batched("max_pool1d", input, "(N, C, L)", dims=3)
    y, indices = _max_pool2d("max_pool1d", unsqueeze(x, 2), *(_one("max_pool1d", v, what) for v, what in (
        (kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"), (dilation, "dilation"))), ceil_mode)
    y, indices = _unbatch(unbatched, squeeze(y, 2), squeeze(indices, 2))
    return (y, indices) if return_indices else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """``avg_pool2d`` along the last dim of ``input`` (N, C, L) or (C, L)."""
    x, unbatched = batched("avg_pool1d", input, "(N, C, L)", dims=3)
    y = _avg_pool2d("avg_pool1d", unsqueeze(x, 2), *(_one("avg_pool1d", v, what) for v, what in (
        (kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"))), ceil_mode, count_include_pad)
    return _unbatch(unbatched, squeeze(y, 2))
