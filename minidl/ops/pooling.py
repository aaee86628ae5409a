"""Pooling (layout NCHW, or NCDHW in 3-D): max_pool2d/3d, avg_pool2d/3d, adaptive_avg_pool2d, and the 1-D
max_pool1d / avg_pool1d.

A pooling op slides a window over each channel of each image, like a convolution with no weights (see
``im2col.py`` for the window geometry), and summarizes the window by its maximum or its mean. Like col2im, they
loop over kernel taps, never over pixels: each tap sees one strided slice of the input. The ops and routines
take any number of spatial dims (read from the window's attrs); the 1-D functions run the 2-D op on a height-1
image.

* **max**: y = the largest value in the window, and where it was (the ops are in ``max_pooling.py``).
* **average**: y = sum of the window / divisor. Linear, so the gradient spreads g / divisor evenly over the
  window (``AvgPoolGrad``, a col2im), and that op's gradient is the average pooling again.
* **adaptive average** (2-D): the output size is given and the windows adapt: output row i averages input rows
  floor(i*H/OH) to ceil((i+1)*H/OH) - 1 (PyTorch's formula; neighbouring windows may share a row). Separable
  in rows and columns, so it is y = R_h x R_w^T with small averaging matrices; the gradient is R_h^T g R_w.
  An inf or NaN would leak through those products into other windows (0·inf = NaN): such inputs (and
  gradients) are averaged window by window instead.

``ceil_mode=True`` rounds the number of window positions up instead of down, so a last, partial window covers
the leftover rows (see ``im2col.pool_out_size``).
"""
import itertools
import numbers

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe
from .cast import cast
from .conv_checks import LAYOUTS, batched, ntuple
from .im2col import ALL, col2im, pad_spatial, pool_out_sizes, pool_paddings, running_pool_out_sizes
from .max_pooling import MaxPool2d, MaxPool3d, max_pool2d_grad, pool_spec
from .shape import squeeze, unsqueeze
from .unary import trunc

__all__ = ["max_pool2d", "max_pool3d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "max_pool1d", "avg_pool1d", "max_pool2d_grad"]


# -------------------------------------------------------------------------------------------- average

def _divisor(xp, shape, outs, kernel, stride, padding, count_include_pad, divisor_override, dtype):
    """What each window's sum is divided by, (OH, OW): the window's area, clipped to the padded input (so the
    overhang of a ceil-mode window does not count), or only its real pixels when ``count_include_pad`` is off."""
    if divisor_override:
        return xp.asarray(divisor_override, dtype=dtype)
    divisor = 1
    for axis, (size, out, k, s, p) in enumerate(zip(shape, outs, kernel, stride, padding)):
        start = xp.arange(out) * s - p
        end = xp.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, size)
        divisor = divisor * (end - start).reshape((-1,) + (1,) * (len(shape) - 1 - axis))
    return divisor.astype(dtype)


class AvgPool2d(Op):
    """y = sum of the window / divisor. Linear: VJP ``AvgPoolGrad``. It pools any number of spatial dims;
    ``AvgPool3d`` differs only in the name PyTorch gives the grad_fn."""
    name = "AvgPool2D"
    saves_inputs = ()
    infer = staticmethod(pool_spec)

    @staticmethod
    def forward(xp, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        ones = (1,) * len(kernel)
        outs = running_pool_out_sizes(x.shape[2:], kernel, stride, padding, ones, ceil_mode)
        padded = pad_spatial(xp, x, pool_paddings(x.shape[2:], kernel, stride, padding, ones, ceil_mode))
        sums = xp.zeros(x.shape[:2] + outs, dtype=x.dtype)
        for tap in itertools.product(*map(range, kernel)):  # add up the windows one tap at a time (col2im reversed)
            sums += padded[(ALL, ALL) + tuple(slice(t, t + s * o, s) for t, s, o in zip(tap, stride, outs))]
        divisor = _divisor(xp, x.shape[2:], outs, kernel, stride, padding, count_include_pad, divisor_override,
                           x.dtype)
        return sums / divisor

    @staticmethod
    def vjp(ctx, g):
        return (apply(AvgPoolGrad, g, ctx.inputs[0], **ctx.attrs),)


class AvgPool3d(AvgPool2d):
    name = "AvgPool3D"


_AVG_POOL = {2: AvgPool2d, 3: AvgPool3d}  # by the number of spatial dims
_MAX_POOL = {2: MaxPool2d, 3: MaxPool3d}


class AvgPoolGrad(Op):
    """Each window's g / divisor spread over the window (col2im of a broadcast: no copy per tap), shaped like
    ``x``, which lends only its shape. Its VJP is the average pooling of gg."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        n, c, *outs = g.shape
        divisor = _divisor(xp, x.shape[2:], outs, kernel, stride, padding, count_include_pad, divisor_override,
                           g.dtype)
        share = (g / divisor)[(ALL, ALL) + (None,) * len(kernel)]
        share = xp.broadcast_to(share, (n, c) + tuple(kernel) + tuple(outs))
        pads = pool_paddings(x.shape[2:], kernel, stride, padding, (1,) * len(kernel), ceil_mode)
        return col2im(xp, share, x.shape, kernel, stride, pads, (1,) * len(kernel))

    @staticmethod
    def vjp(ctx, gg):
        return apply(_AVG_POOL[len(ctx.attrs["kernel"])], gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, **attrs):
        return Spec(x.shape, g.dtype)


# ------------------------------------------------------------------------------------------- adaptive

def _windows(size, out):
    """(start, end) of each of the ``out`` adaptive windows along an axis of ``size``: start_i = floor(i*size/out),
    end_i = ceil((i + 1)*size/out)."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _averaging_matrix(xp, size, out, dtype):
    """R (out, size): R[i, h] = 1 / (end_i - start_i) for start_i <= h < end_i. R @ column averages each window."""
    bounds = xp.asarray(_windows(size, out), dtype=dtypes.int64).reshape(out, 2)
    start, end = bounds[:, :1], bounds[:, 1:]
    h = xp.arange(size)
    inside = (h >= start) & (h < end)
    return (inside / (end - start)).astype(dtype)


def _output_sizes(shape, output_size):
    return [n if o is None else o for n, o in zip(shape, output_size)]


def _per_axis(xp, x, matrices):
    """``x`` with each spatial axis (2, 3, ...) multiplied by its matrix R: out[.., i, ..] = Σ_h R[i, h] x[.., h, ..]
    (in 2-D, R_h x R_w^T)."""
    for axis, r in enumerate(matrices, start=2):
        x = xp.moveaxis(xp.matmul(xp.moveaxis(x, axis, -1), r.T), -1, axis)
    return x


# The matrix products give 0 · inf = NaN: one inf or NaN in x (or in g) reaches every window of its row. Such
# inputs take the two routines below instead, which go window by window: slower, and exact.

def _pool_window_by_window(xp, x, output_sizes):
    """The pooling: each spatial axis in turn averaged over each window."""
    for axis, out in enumerate(output_sizes, start=2):
        x = xp.moveaxis(x, axis, -1)
        means = [x[..., start:end].mean(axis=-1) for start, end in _windows(x.shape[-1], out)]
        x = xp.moveaxis(xp.stack(means, axis=-1), -1, axis)
    return x


def _spread_window_by_window(xp, g, input_shape):
    """The gradient: along each spatial axis in turn, each window's g / its length added over the window."""
    for axis, size in enumerate(input_shape, start=2):
        g = xp.moveaxis(g, axis, -1)
        spread = xp.zeros(g.shape[:-1] + (size,), dtype=g.dtype)
        for i, (start, end) in enumerate(_windows(size, g.shape[-1])):
            spread[..., start:end] += g[..., i:i + 1] / (end - start)
        g = xp.moveaxis(spread, -1, axis)
    return g


class AdaptiveAvgPool2d(Op):
    """y = x averaged along each spatial axis by its averaging matrix (R_h x R_w^T in 2-D); VJP
    ``AdaptiveAvgPool2dGrad``. ``AdaptiveAvgPool3d`` is the same op over three spatial axes."""
    name = "AdaptiveAvgPool2D"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, output_size):
        sizes = _output_sizes(x.shape[2:], output_size)
        y = _per_axis(xp, x, [_averaging_matrix(xp, n, out, x.dtype) for n, out in zip(x.shape[2:], sizes)])
        if not xp.isfinite(y).all():  # (an inf or NaN in x makes one in y: checking the smaller y suffices)
            y = _pool_window_by_window(xp, x, sizes)
        return y

    @staticmethod
    def vjp(ctx, g):
        return (apply(AdaptiveAvgPool2dGrad, g, ctx.inputs[0], **ctx.attrs),)

    @staticmethod
    def infer(x, output_size):
        return Spec(tuple(x.shape[:2]) + tuple(_output_sizes(x.shape[2:], output_size)), x.dtype)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    name = "AdaptiveAvgPool3D"


class AdaptiveAvgPool2dGrad(Op):
    """dL/dx = g with each spatial axis multiplied by R^T (R_h^T g R_w in 2-D), shaped like ``x`` (which lends only
    its shape); its VJP is the pooling of gg."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, output_size):
        matrices = [_averaging_matrix(xp, n, out, g.dtype) for n, out in zip(x.shape[2:], g.shape[2:])]
        dx = _per_axis(xp, g, [r.T for r in matrices])
        if not xp.isfinite(dx).all():
            dx = _spread_window_by_window(xp, g, x.shape[2:])
        return dx

    @staticmethod
    def vjp(ctx, gg):
        pool = AdaptiveAvgPool2d if len(ctx.attrs["output_size"]) == 2 else AdaptiveAvgPool3d
        return apply(pool, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, output_size):
        return Spec(x.shape, g.dtype)


# ------------------------------------------------------------------------------------------- functions
# The 2-D functions take (N, C, H, W) or unbatched (C, H, W), the 3-D ones (N, C, D, H, W) or (C, D, H, W); the
# 1-D ones take (N, C, L) or (C, L) and run the 2-D op on (N, C, 1, L). Each checks its arguments under its own
# name.

def _check_dtype(op_name, x, allow_integers):
    if x.dtype == dtypes.bool_ or dtypes.is_complex(x.dtype) or (x.dtype.kind in "iu" and not allow_integers):
        raise TypeError(f"{op_name}: expected a {'real' if allow_integers else 'floating point'} tensor, got "
                        f"{describe(x)}")


def _window(op_name, x, kernel, stride, padding, dilation, ceil_mode):
    """Check and normalize the window arguments (ints or tuples, one entry per spatial dim of x). ``stride`` None
    (or empty) means the kernel size. The padding may be at most half the kernel size — PyTorch's rule, dilated
    windows included."""
    dims = x.ndim - 2
    kernel = ntuple(op_name, kernel, "kernel_size", 1, dims)
    stride = kernel if _unset(stride) else ntuple(op_name, stride, "stride", 1, dims)
    padding = ntuple(op_name, padding, "padding", 0, dims)
    dilation = ntuple(op_name, dilation, "dilation", 1, dims)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise OpError(f"{op_name}: pad should be at most half of kernel size, but got padding={padding}, "
                      f"kernel_size={kernel}" + (f" (dilation={dilation})" if any(d != 1 for d in dilation) else ""))
    outs = pool_out_sizes(x.shape[2:], kernel, stride, padding, dilation, bool(ceil_mode))
    if any(n is not None and n < 1 for n in outs):
        raise OpError(f"{op_name}: Given input {describe(x)}, the calculated output size {outs} is too small "
                      f"(kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation})")
    return dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=bool(ceil_mode)), dilation


def _checked_max_pool(op_name, x, kernel_size, stride, padding, dilation, ceil_mode):
    """(values, indices) of a batched input."""
    _check_dtype(op_name, x, allow_integers=True)
    attrs, dilation = _window(op_name, x, kernel_size, stride, padding, dilation, ceil_mode)
    return apply(_MAX_POOL[x.ndim - 2], x, dilation=dilation, **attrs)


def _checked_avg_pool(op_name, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                      divisor_override=None):
    _check_dtype(op_name, x, allow_integers=True)
    attrs, _ = _window(op_name, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                         or divisor_override < 1):
        raise OpError(f"{op_name}: divisor must be a positive integer, got divisor_override={divisor_override!r}")
    pool = _AVG_POOL[x.ndim - 2]
    options = dict(count_include_pad=bool(count_include_pad), divisor_override=divisor_override, **attrs)
    if x.dtype.kind in "iu":  # PyTorch's integer average: the window's sum divided as integers, toward zero
        return cast(trunc(apply(pool, cast(x, dtypes.float64), **options)), x.dtype)
    return apply(pool, x, **options)


def _unbatch(unbatched, *ys):
    """Take the batch dim added for an unbatched input off the results again."""
    ys = tuple(squeeze(y, 0) for y in ys) if unbatched else ys
    return ys if len(ys) > 1 else ys[0]


def _max_pool_nd(op_name, dims, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = batched(op_name, input, LAYOUTS[dims][0], dims + 2)
    y, indices = _unbatch(unbatched, *_checked_max_pool(op_name, x, kernel_size, stride, padding, dilation,
                                                        ceil_mode))
    return (y, indices) if return_indices else y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max over each window of ``input`` (N, C, H, W) or (C, H, W); with ``return_indices`` also where each
    max was (int64, h*W + w within its channel). ``stride`` defaults to ``kernel_size``; ``padding`` (at most
    half the window) never wins."""
    return _max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """``max_pool2d`` over the last three dims of ``input`` (N, C, D, H, W) or (C, D, H, W); the indices are
    d*H*W + h*W + w within each channel."""
    return _max_pool_nd("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool_nd(op_name, dims, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    x, unbatched = batched(op_name, input, LAYOUTS[dims][0], dims + 2)
    return _unbatch(unbatched, _checked_avg_pool(op_name, x, kernel_size, stride, padding, ceil_mode,
                                                 count_include_pad, divisor_override))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each window of ``input`` (N, C, H, W) or (C, H, W). Zero padding counts in the divisor
    unless ``count_include_pad=False``; ``divisor_override`` replaces the divisor."""
    return _avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """``avg_pool2d`` over the last three dims of ``input`` (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool_nd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def _adaptive_avg_pool(op_name, dims, input, output_size):
    x, unbatched = batched(op_name, input, LAYOUTS[dims][0], dims + 2)
    _check_dtype(op_name, x, allow_integers=False)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims or not all(s is None or isinstance(s, numbers.Integral) and s >= 0 for s in sizes):
        raise OpError(f"{op_name}: output_size must be a non-negative int or {dims} of them (None keeps that "
                      f"input size), got {output_size!r}")
    if any(n == 0 for n in x.shape[2:]):
        raise OpError(f"{op_name}: expected input to have non-zero size for non-batch dimensions, but got "
                      f"{describe(x)}")
    return _unbatch(unbatched, apply(AdaptiveAvgPool2d if dims == 2 else AdaptiveAvgPool3d, x,
                                     output_size=tuple(None if s is None else int(s) for s in sizes)))


def adaptive_avg_pool2d(input, output_size):
    """Average ``input`` (N, C, H, W) or (C, H, W) down to ``output_size`` (an int, or a pair whose None entries
    keep that input size) with windows placed by PyTorch's start/end formula."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """``adaptive_avg_pool2d`` over the last three dims of ``input`` (N, C, D, H, W) or (C, D, H, W)."""
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def _unset(value):
    """A stride of None or an empty sequence: PyTorch's "not given". (Not ``value in ((), [])``: comparing a numpy
    integer with () is numpy's ambiguous truth value.)"""
    return value is None or (isinstance(value, (tuple, list)) and len(value) == 0)


def _one(op_name, value, what):
    """A 1-D size (an int or a one-element sequence) as the pair (1, value) along (H, W); None stays None."""
    if _unset(value):
        return None
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"{op_name}: expected {what} to be a single integer value, got {what}={value!r}")
        value = value[0]
    return (0 if what == "padding" else 1), value


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """``max_pool2d`` along the last dim of ``input`` (N, C, L) or (C, L); indices count along L."""
    x, unbatched = batched("max_pool1d", input, "(N, C, L)", dims=3)
    y, indices = _checked_max_pool("max_pool1d", unsqueeze(x, 2), *(_one("max_pool1d", v, what) for v, what in (
        (kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"), (dilation, "dilation"))), ceil_mode)
    y, indices = _unbatch(unbatched, squeeze(y, 2), squeeze(indices, 2))
    return (y, indices) if return_indices else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """``avg_pool2d`` along the last dim of ``input`` (N, C, L) or (C, L)."""
    x, unbatched = batched("avg_pool1d", input, "(N, C, L)", dims=3)
    y = _checked_avg_pool("avg_pool1d", unsqueeze(x, 2), *(_one("avg_pool1d", v, what) for v, what in (
        (kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"))), ceil_mode, count_include_pad)
    return _unbatch(unbatched, squeeze(y, 2))
