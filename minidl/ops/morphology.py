"""Grayscale morphological dilation (layout NCHW): the op under ``tf.nn.dilation2d`` and ``tf.nn.erosion2d``.

Each channel c of ``x`` (N, C, H, W) has its own structuring function ``f[c]`` (C, KH, KW)::

    y[n, c, i, j] = max over p, q of  x[n, c, i*SH + p*DH - top, j*SW + q*DW - left] + f[c, p, q]

taken over the taps that land inside x (padding never wins; a window over padding only — possible with a
dilation — gives the lowest value of the dtype, -inf for floats). It is max pooling with the filter added to
each window before the max (an all-zero filter *is* max pooling). Erosion is its dual:
``erosion(x, f) = -dilation(-x, f reflected)``.

Like max pooling, the gradient goes to the one tap that won: ``dL/dx`` adds g at that input pixel and ``dL/df``
adds g at that filter tap (the first of equal maxima in row-major tap order wins, as in TF). So the forward
also returns where each maximum is: the flat input position ``h*W + w`` and the flat tap ``p*KW + q`` (int64;
-1 for a window over padding only). The input gradient is max pooling's ``max_pool2d_grad``; the filter gradient
``dilation2d_filter_grad`` adds g over the batch and the positions into each channel's taps.
"""
from ..backend import dtypes
from ..backend.scans import add_at
from .base import Op, Spec, apply
from .gather import gather
from .im2col import out_sizes
from .max_pooling import _lowest, _tap_range, max_pool2d_grad
from .shape import flatten, permute, reshape_like

__all__ = ["dilation2d", "dilation2d_filter_grad"]


def _dilation(xp, x, f, stride, dilation, padding):
    """(y, input_index, filter_index): one strided slice of x per filter tap, each competing, in the windows
    where it lands inside x, against the best tap so far (a window's first real tap is taken as it is)."""
    n, c, height, width = x.shape
    _, kh, kw = f.shape
    outs = out_sizes(x.shape[2:], (kh, kw), stride, padding, dilation)
    y = xp.full((n, c) + outs, _lowest(xp, x.dtype), dtype=x.dtype)  # (x and f have one dtype)
    input_index = xp.full((n, c) + outs, -1, dtype=dtypes.int64)
    filter_index = xp.full((n, c) + outs, -1, dtype=dtypes.int64)
    seen = xp.zeros(outs, dtype=bool)  # windows that met a real tap already
    for p in range(kh):
        i0, i1, row = _tap_range(p * dilation[0], height, outs[0], stride[0], padding[0][0])
        for q in range(kw):
            j0, j1, col = _tap_range(q * dilation[1], width, outs[1], stride[1], padding[1][0])
            if i0 == i1 or j0 == j1:
                continue
            windows = (Ellipsis, slice(i0, i1), slice(j0, j1))
            taps = x[:, :, row:row + (i1 - i0) * stride[0]:stride[0], col:col + (j1 - j0) * stride[1]:stride[1]]
            candidate = taps + f[:, p, q].reshape(c, 1, 1)
            takes_over = (candidate > y[windows]) | ~seen[windows]
            y[windows] = xp.where(takes_over, candidate, y[windows])
            rows = xp.arange(row, row + (i1 - i0) * stride[0], stride[0]).reshape(-1, 1)
            cols = xp.arange(col, col + (j1 - j0) * stride[1], stride[1])
            input_index[windows] = xp.where(takes_over, rows * width + cols, input_index[windows])
            filter_index[windows] = xp.where(takes_over, p * kw + q, filter_index[windows])
            seen[windows] = True
    return y, input_index, filter_index


class Dilation2d(Op):
    """(y, input_index, filter_index) of the module docstring. VJP: g to the winning input pixel and the winning
    filter tap."""
    n_outputs = 3
    saves_inputs = ()  # x and f lend only their shapes to the gradient
    saves_outputs = (1, 2)
    differentiable_inputs = (0, 1)
    forward = staticmethod(_dilation)

    @staticmethod
    def vjp(ctx, g, g_input_index, g_filter_index):
        x, f = ctx.inputs
        _, input_index, filter_index = ctx.outputs
        return (max_pool2d_grad(g, input_index, x) if ctx.needs_input_grad[0] else None,
                dilation2d_filter_grad(g, filter_index, f) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def infer(x, f, stride, dilation, padding):
        known = None not in tuple(x.shape[2:]) + tuple(f.shape[1:])
        sizes = out_sizes(x.shape[2:], f.shape[1:], stride, padding, dilation) if known else (None, None)
        shape = tuple(x.shape[:2]) + tuple(sizes)
        return Spec(shape, x.dtype), Spec(shape, dtypes.int64), Spec(shape, dtypes.int64)


class Dilation2dFilterGrad(Op):
    """Zeros shaped like the filter ``f`` (C, KH, KW) with each g added at its window's winning tap
    (``filter_index``): per channel, a sum over the batch and the positions. ``f`` lends only its shape.

    Linear in g; its VJP reads gg back at the same taps (a gather)."""
    saves_inputs = (1,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, filter_index, f):
        c, taps = f.shape[0], f.shape[1] * f.shape[2]
        out = xp.zeros(c * taps, dtype=g.dtype)
        # a tap of channel c is entry c * taps + tap of the flat filter; index -1 (a window over padding only)
        # passes on nothing
        at = filter_index + (xp.arange(c) * taps).reshape(1, c, 1, 1)
        add_at(xp, out, at.reshape(-1), (g * (filter_index >= 0)).reshape(-1))
        return out.reshape(f.shape)

    @staticmethod
    def vjp(ctx, gg):
        from .combine import pad
        _, filter_index, _ = ctx.inputs
        padded = pad(flatten(gg, 1), (0, 1))  # (C, KH*KW + 1): a zero for index -1 to read
        channel_major = permute(filter_index, (1, 0, 2, 3))
        picked = gather(padded, 1, flatten(channel_major, 1))
        return permute(reshape_like(picked, channel_major), (1, 0, 2, 3)), None, None

    @staticmethod
    def infer(g, filter_index, f):
        return Spec(f.shape, g.dtype)


def dilation2d(input, filter, stride, dilation, padding):
    """The grayscale dilation (module docstring) of ``input`` (N, C, H, W) by ``filter`` (C, KH, KW):
    ``padding = ((top, bottom), (left, right))``. Returns (y, input_index, filter_index)."""
    return apply(Dilation2d, input, filter, stride=tuple(stride), dilation=tuple(dilation),
                 padding=tuple(tuple(p) for p in padding))


def dilation2d_filter_grad(grad_output, filter_index, filter):
    """The gradient of ``dilation2d`` with respect to its filter: ``grad_output`` added into zeros like
    ``filter`` at ``filter_index``."""
    return apply(Dilation2dFilterGrad, grad_output, filter_index, filter)

