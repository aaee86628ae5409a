"""Convolution (layout NCHW, or NCDHW in 3-D) and its transpose, each as im2col + one matrix product.

With ``x`` (N, C, H, W), ``w`` (O, C/G, KH, KW) and G groups (channels split into G independent blocks)::

    y[n, o, i, j] = b[o] + sum over c, p, q of  w[o, c, p, q] * x_pad[n, g*C/G + c, i*SH + p*DH, j*SW + q*DW]

where g = o // (O/G) is the group of output channel o. ``im2col`` turns every window into a column, so per image
and group this is one product: w (O/G, C/G*KH*KW) @ cols (C/G*KH*KW, OH*OW). One batched ``matmul`` does them all
for a chunk of images (``im2col.batch_chunks``: the columns of a few images at a time stay in the cache).

A 3-D convolution (``conv3d``: x (N, C, D, H, W), w (O, C/G, KD, KH, KW)) is the same sum with one more kernel
index, and the same code: the routines and ops below work for any number of spatial dims (read from the weight).
The 1-D convolution of ``nn.functional`` runs the 2-D one on a height-1 image.

The convolution is linear in ``x`` (for fixed ``w``) and in ``w`` (for fixed ``x``). Write it ``y = A_w x``.
Then, for a loss gradient ``g`` with y's shape:

* dL/dx = A_w^T g = col2im(w^T @ g): each column of w^T g goes back onto the pixels its window covered.
  ``ConvolutionGradInput``. This is exactly the *transposed convolution* of g, so ``conv_transpose2d`` is the
  same code (with the output size given by ``output_padding`` instead of read from x).
* dL/dw = sum over images of g @ cols^T: each weight meets each pixel it multiplied. ``ConvolutionGradWeight``.
* dL/db = g summed over N and the spatial dims.

The gradient ops are linear too, and their own VJPs are convolutions again, read off from
<gg, A_w^T g> = <A_w gg, g>: the gradient of ``conv2d_grad_input(g, w)`` is ``conv2d(gg, w)`` for g and
``conv2d_grad_weight(g, gg)`` for w; that of ``conv2d_grad_weight(g, x)`` is ``conv2d(x, gw)`` for g and
``conv2d_grad_input(g, gw)`` for x. So gradients of any order are convolutions.

The backward recomputes im2col of x for the weight gradient instead of keeping the columns from the forward:
forward stays pure (graph mode builds the backward before any forward runs), and the columns, KH*KW times the
size of x, are not held in memory between forward and backward. The functions' argument checks are in
``conv_checks.py``.
"""
import math

from .base import Op, OpError, Spec, apply, describe
from .conv_checks import (LAYOUTS, batched, check_channels, check_kernel_fits, check_operands, check_weight_and_bias,
                          ntuple, padding_pairs)
from .im2col import batch_chunks, col2im, col2im_by_shifts, columns_by_chunk, conv_out_size, out_sizes
from .reduce import sum as reduce_sum
from .shape import reshape, squeeze
from .spectral import complex, imag, real

__all__ = ["conv2d", "conv3d", "conv_transpose2d", "conv_transpose3d", "conv2d_grad_input", "conv2d_grad_weight"]


# ------------------------------------------------------------------------------------- array routines
# Each routine walks the batch in chunks (``batch_chunks``): the columns of a chunk are made, used and dropped
# before the next chunk's, so they stay in the cache and never exist for the whole batch at once. im2col too is
# done a chunk at a time (``columns_by_chunk``). Sizes: ``kernel`` = w.shape[2:], ``outs`` = the output's spatial
# sizes.

def _conv(xp, x, w, stride, padding, dilation, groups):
    """y = A_w x: per chunk of images, im2col, then one batched product over images and groups."""
    n, c = x.shape[:2]
    o, cg, *kernel = w.shape
    outs = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
    columns = columns_by_chunk(xp, x, kernel, stride, padding, dilation)
    ckk, pixels = cg * math.prod(kernel), math.prod(outs)
    weights = w.reshape(groups, o // groups, ckk)
    y = xp.empty((n, groups, o // groups, pixels), dtype=xp.result_type(x, w))
    for batch in batch_chunks(xp, n, groups * ckk * pixels * x.itemsize):
        cols = columns(batch).reshape(batch.stop - batch.start, groups, ckk, pixels)
        xp.matmul(weights, cols, out=y[batch])
    return y.reshape((n, o) + outs)


def _conv_transpose(xp, g, w, input_shape, stride, padding, dilation, groups):
    """A_w^T g for a convolution whose input has ``input_shape``: per chunk of images, col2im(w^T @ g)."""
    if all(s == 1 for s in stride) and xp.__name__ == "numpy":  # (a GPU's col2im is one kernel at any stride)
        return _conv_transpose_by_shifts(xp, g, w, input_shape, padding, dilation, groups)
    n, o, *outs = g.shape
    _, cg, *kernel = w.shape
    ckk, pixels = cg * math.prod(kernel), math.prod(outs)
    wt = w.reshape(groups, o // groups, ckk).transpose(0, 2, 1)  # (G, C/G*KH*KW, O/G)
    dx = xp.empty(input_shape, dtype=xp.result_type(g, w))
    for batch in batch_chunks(xp, n, groups * ckk * pixels * dx.itemsize):
        cols = xp.matmul(wt, g[batch].reshape(batch.stop - batch.start, groups, o // groups, pixels))
        col2im(xp, cols, dx[batch].shape, kernel, stride, padding, dilation, out=dx[batch])
    return dx


def _conv_transpose_by_shifts(xp, g, w, input_shape, padding, dilation, groups):
    """``_conv_transpose`` for stride 1, by ``col2im_by_shifts``: g is first spread onto the padded image's
    grid (each window's value at its top-left pixel, zeros elsewhere), so that w^T @ g gives the columns in the
    layout that function wants. The product grows by the grid's extra entries (Hp*Wp against OH*OW: a sixth
    for 3x3 kernels on 26x26 images), which costs less than the faster col2im saves."""
    n, o, *outs = g.shape
    _, cg, *kernel = w.shape
    taps = math.prod(kernel)
    padded_sizes = tuple(size + sum(p) for size, p in zip(input_shape[2:], padding))
    dtype = xp.result_type(g, w)
    # w^T with its rows ordered (tap, channel), so that one tap's rows are one block of the product
    wt = w.reshape(groups, o // groups, cg, taps).transpose(0, 3, 2, 1).reshape(groups, taps * cg, o // groups)
    dx = xp.empty(input_shape, dtype=dtype)
    chunks = batch_chunks(xp, n, groups * taps * cg * math.prod(padded_sizes) * dx.itemsize)
    grid = xp.zeros((chunks[0].stop if chunks else 0, groups, o // groups) + padded_sizes, dtype=dtype)
    corners = grid[(Ellipsis,) + tuple(slice(0, size) for size in outs)]  # where g goes; the rest stays zero
    for batch in chunks:
        size = batch.stop - batch.start
        corners[:size] = g[batch].reshape((size, groups, o // groups) + tuple(outs))
        cols = xp.matmul(wt, grid[:size].reshape(size, groups, o // groups, math.prod(padded_sizes)))
        col2im_by_shifts(xp, cols, dx[batch].shape, kernel, padding, dilation, out=dx[batch])
    return dx


def _conv_weight_grad(xp, g, x, kernel, stride, padding, dilation, groups):
    """dL/dw = sum over images of g @ cols^T, per group: (O, C/G, KH, KW).

    Each chunk's products are summed into the result at once, so no per-image copy of the weight gradient piles
    up for the whole batch. They are computed transposed, as cols @ g^T: OpenBLAS multiplies faster by g^T (a
    transposed view) than by cols^T here (measured: about a third), and transposing the small result is free.
    """
    n, o, *outs = g.shape
    c = x.shape[1]
    ckk, pixels = c // groups * math.prod(kernel), math.prod(outs)
    columns = columns_by_chunk(xp, x, kernel, stride, padding, dilation)
    gw = xp.zeros((groups, ckk, o // groups), dtype=xp.result_type(g, x))  # transposed, see above
    for batch in batch_chunks(xp, n, groups * ckk * pixels * x.itemsize):
        size = batch.stop - batch.start
        cols = columns(batch).reshape(size, groups, ckk, pixels)
        gw += xp.matmul(cols, g[batch].reshape(size, groups, o // groups, pixels).transpose(0, 1, 3, 2)).sum(axis=0)
    return gw.transpose(0, 2, 1).reshape((o, c // groups) + tuple(kernel))


# ------------------------------------------------------------------------------------------------- ops
# Every op carries the same geometry attrs, one entry per spatial dim: stride and dilation (tuples of ints),
# padding (a (before, after) pair per dim) and groups; ``ConvolutionTranspose`` adds output_padding. The ops
# serve 2-D and 3-D alike (PyTorch's grad_fn is ``ConvolutionBackward0`` for both).

def _out_sizes(sizes, kernel, stride, padding, dilation):
    """Static output sizes of a convolution (None where a size is unknown)."""
    return tuple(None if None in (n, k) else conv_out_size(n, k, s, sum(p), d)
                 for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation))


def _reads_the_other(needs_input_grad):
    """``inputs_to_save`` of the convolution and its transpose: the gradient for x reads w and the one for w
    reads x (the bias is never read back)."""
    return [1 - i for i, need in enumerate(needs_input_grad[:2]) if need]


def _with_bias(y, bias):
    if bias:
        y += bias[0].reshape((-1,) + (1,) * (y.ndim - 2))  # y is a fresh array: add in place
    return y


def _bias_grad(ctx, g):
    """The gradient for the bias, if the op has one: () without a bias, else a 1-tuple."""
    if len(ctx.inputs) < 3:
        return ()
    spatial = tuple(range(2, 2 + len(ctx.attrs["stride"])))
    return (reduce_sum(g, dim=(0,) + spatial) if ctx.needs_input_grad[2] else None,)


class Convolution(Op):
    """y = conv(x, w) + b (inputs ``x, w`` or ``x, w, b``); see the module docstring for the gradients."""
    saves_inputs = (0, 1)
    inputs_to_save = classmethod(lambda cls, needs_input_grad: _reads_the_other(needs_input_grad))

    @staticmethod
    def forward(xp, x, w, *bias, stride, padding, dilation, groups):
        return _with_bias(_conv(xp, x, w, stride, padding, dilation, groups), bias)

    @staticmethod
    def vjp(ctx, g):
        x, w = ctx.inputs[:2]
        need_x, need_w = ctx.needs_input_grad[:2]
        return (apply(ConvolutionGradInput, g, w, x, **ctx.attrs) if need_x else None,
                apply(ConvolutionGradWeight, g, x, w, **ctx.attrs) if need_w else None) + _bias_grad(ctx, g)

    @staticmethod
    def infer(x, w, *bias, stride, padding, dilation, groups):
        return Spec((x.shape[0], w.shape[0]) + _out_sizes(x.shape[2:], w.shape[2:], stride, padding, dilation),
                    x.dtype)


class ConvolutionGradInput(Op):
    """dL/dx = A_w^T g, the size of ``x`` (which lends only its shape). Gradients: the convolution of gg with w
    for g, ``ConvolutionGradWeight(g, gg)`` for w."""
    saves_inputs = (0, 1)
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, g, w, x, stride, padding, dilation, groups):
        return _conv_transpose(xp, g, w, x.shape, stride, padding, dilation, groups)

    @staticmethod
    def vjp(ctx, gg):
        g, w, _ = ctx.inputs
        need_g, need_w = ctx.needs_input_grad[:2]
        return (apply(Convolution, gg, w, **ctx.attrs) if need_g else None,
                apply(ConvolutionGradWeight, g, gg, w, **ctx.attrs) if need_w else None, None)

    @staticmethod
    def infer(g, w, x, **geometry):
        return Spec(x.shape, g.dtype)


class ConvolutionGradWeight(Op):
    """dL/dw = sum over images of g @ im2col(x)^T, the size of ``w`` (which lends only its shape). Gradients:
    the convolution of x with gw for g, ``ConvolutionGradInput(g, gw)`` for x."""
    saves_inputs = (0, 1)
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, g, x, w, stride, padding, dilation, groups):
        return _conv_weight_grad(xp, g, x, w.shape[2:], stride, padding, dilation, groups)

    @staticmethod
    def vjp(ctx, gw):
        g, x, _ = ctx.inputs
        need_g, need_x = ctx.needs_input_grad[:2]
        return (apply(Convolution, x, gw, **ctx.attrs) if need_g else None,
                apply(ConvolutionGradInput, g, gw, x, **ctx.attrs) if need_x else None, None)

    @staticmethod
    def infer(g, x, w, **geometry):
        return Spec(w.shape, g.dtype)


def _transpose_out_sizes(sizes, kernel, stride, padding, dilation, output_padding):
    """(H - 1)*S - pads + D*(K - 1) + output_padding + 1: the input size of the convolution it transposes."""
    return tuple(None if None in (n, k) else (n - 1) * s - sum(p) + d * (k - 1) + op + 1
                 for n, k, s, p, d, op in zip(sizes, kernel, stride, padding, dilation, output_padding))


def _split_output_padding(output_padding, stride, padding):
    """``(within, padding, appended)`` for an ``output_padding`` that may reach the stride (allowed when it is
    smaller than the dilation): ``within``, the part smaller than the stride, picks among the input sizes a strided
    convolution maps to one output size; the rest first uncovers the positions that ``padding`` would crop at the
    bottom/right (they are computed: the padding after is reduced), and beyond those it appends zeros."""
    within = tuple(min(op, s - 1) for op, s in zip(output_padding, stride))
    rest = tuple(op - w for op, w in zip(output_padding, within))
    return (within, tuple((before, max(after - r, 0)) for (before, after), r in zip(padding, rest)),
            tuple(max(r - after, 0) for (_, after), r in zip(padding, rest)))


class ConvolutionTranspose(Op):
    """y = A_w^T x + b: the gradient of a convolution with respect to its input, used as a layer (upsampling).

    Gradients: the convolution of g with w for x; ``ConvolutionGradWeight(x, g)`` for w (from
    <g, A_w^T x> = <A_w g, x>); g summed over N and the spatial dims for b. ``output_padding`` (smaller than the
    stride or the dilation) adds rows/columns at the bottom/right that no input reaches, choosing among the input
    sizes that a strided convolution maps to the same output size (``_split_output_padding``).
    """
    name = "Convolution"
    saves_inputs = (0, 1)
    inputs_to_save = classmethod(lambda cls, needs_input_grad: _reads_the_other(needs_input_grad))

    @staticmethod
    def forward(xp, x, w, *bias, stride, padding, output_padding, dilation, groups):
        within, padding, appended = _split_output_padding(output_padding, stride, padding)
        outs = _transpose_out_sizes(x.shape[2:], w.shape[2:], stride, padding, dilation, within)
        input_shape = (x.shape[0], w.shape[1] * groups) + outs
        y = _conv_transpose(xp, x, w, input_shape, stride, padding, dilation, groups)
        if any(appended):
            y = xp.pad(y, [(0, 0), (0, 0)] + [(0, n) for n in appended])
        return _with_bias(y, bias)

    @staticmethod
    def vjp(ctx, g):
        x, w = ctx.inputs[:2]
        need_x, need_w = ctx.needs_input_grad[:2]
        _, padding, appended = _split_output_padding(ctx.attrs["output_padding"], ctx.attrs["stride"],
                                                     ctx.attrs["padding"])
        geometry = {k: v for k, v in ctx.attrs.items() if k != "output_padding"} | {"padding": padding}
        g_reached = g
        if any(appended):  # the appended zeros depend on neither x nor w
            from .combine import ConstantPad  # (combine comes after conv in the import order)
            g_reached = apply(ConstantPad, g, pads=((0, 0), (0, 0)) + tuple((0, -n) for n in appended), value=0)
        return (apply(Convolution, g_reached, w, **geometry) if need_x else None,
                apply(ConvolutionGradWeight, x, g_reached, w, **geometry) if need_w else None) + _bias_grad(ctx, g)

    @staticmethod
    def infer(x, w, *bias, stride, padding, output_padding, dilation, groups):
        groups_out = None if w.shape[1] is None else w.shape[1] * groups
        return Spec((x.shape[0], groups_out) + _transpose_out_sizes(x.shape[2:], w.shape[2:], stride, padding,
                                                                    dilation, output_padding), x.dtype)


# ------------------------------------------------------------------------------------------ functions

def _conv_attrs(op_name, w, stride, padding, dilation, groups, dims):
    """The geometry attrs of a convolution with weight ``w``, checked and normalized."""
    stride = ntuple(op_name, stride, "stride", 1, dims)
    dilation = ntuple(op_name, dilation, "dilation", 1, dims)
    padding = padding_pairs(op_name, padding, tuple(w.shape[2:]), stride, dilation)
    return dict(stride=stride, padding=padding, dilation=dilation, groups=int(groups))


def _real_or_complex(op, x, w, b, **attrs):
    """The convolution ``op`` of ``x`` and ``w`` plus the bias ``b``: one op for real numbers. A complex one is
    three real ones (Gauss's trick, which PyTorch uses too): with x = a + ib and w = c + id, by linearity
    x ⋆ w = (a ⋆ c − b ⋆ d) + i((a + b) ⋆ (c + d) − a ⋆ c − b ⋆ d). Its gradients, of any order, come from the real
    ops' VJPs through ``real``, ``imag`` and ``complex``."""
    if not x.dtype.kind == "c":
        return apply(op, x, w, *([] if b is None else [b]), **attrs)
    a, bi, c, d = real(x), imag(x), real(w), imag(w)
    ac, bd = apply(op, a, c, **attrs), apply(op, bi, d, **attrs)
    y = complex(ac - bd, apply(op, a + bi, c + d, **attrs) - ac - bd)
    return y if b is None else y + reshape(b, (-1,) + (1,) * (y.ndim - 2))


def _convolution(op_name, dims, input, weight, bias, stride, padding, dilation, groups):
    """``conv2d`` (dims=2) and ``conv3d`` (dims=3): check everything, then one op."""
    x, w, b = check_operands(op_name, input, weight, bias)
    x, unbatched = batched(op_name, x, LAYOUTS[dims][0], dims + 2)
    check_weight_and_bias(op_name, w, b, groups, 0, dims)
    attrs = _conv_attrs(op_name, w, stride, padding, dilation, groups, dims)
    check_channels(op_name, x, w, groups, None if w.shape[1] is None else w.shape[1] * groups, False)
    check_kernel_fits(op_name, x, tuple(w.shape[2:]), attrs["padding"], attrs["dilation"])
    y = _real_or_complex(Convolution, x, w, b, **attrs)
    return squeeze(y, 0) if unbatched else y


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, like every framework) of ``input`` (N, C, H, W) or (C, H, W) with
    ``weight`` (O, C/groups, KH, KW), plus ``bias`` (O,). ``padding``: an int, a pair, "valid" or "same"."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution of ``input`` (N, C, D, H, W) or (C, D, H, W) with ``weight`` (O, C/groups, KD, KH, KW),
    plus ``bias`` (O,): ``conv2d`` with one more kernel dim. ``padding``: an int, a triple, "valid" or "same"."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _transposed_convolution(op_name, dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """``conv_transpose2d`` (dims=2) and ``conv_transpose3d`` (dims=3)."""
    x, w, b = check_operands(op_name, input, weight, bias)
    x, unbatched = batched(op_name, x, LAYOUTS[dims][0], dims + 2)
    check_weight_and_bias(op_name, w, b, groups, 1, dims)
    if isinstance(padding, str):
        raise OpError(f"{op_name}: padding must be an int or {LAYOUTS[dims][2]} of ints, got {padding!r}")
    attrs = _conv_attrs(op_name, w, stride, padding, dilation, groups, dims)
    output_padding = ntuple(op_name, output_padding, "output_padding", 0, dims)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, attrs["stride"], attrs["dilation"])):
        raise OpError(f"{op_name}: output_padding {output_padding} must be smaller than either stride "
                      f"{attrs['stride']} or dilation {attrs['dilation']} (only then is the output the input of a "
                      f"convolution with that stride)")
    check_channels(op_name, x, w, groups, w.shape[0], True)
    outs = _transpose_out_sizes(x.shape[2:], w.shape[2:], attrs["stride"], attrs["padding"], attrs["dilation"],
                                output_padding)
    if any(n is not None and n < 1 for n in outs):
        raise OpError(f"{op_name}: the output size {outs} is too small (input {describe(x)}, weight "
                      f"{describe(w)}, {', '.join(f'{k}={v}' for k, v in attrs.items())})")
    y = _real_or_complex(ConvolutionTranspose, x, w, b, output_padding=output_padding, **attrs)
    return squeeze(y, 0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transposed convolution (the gradient of ``conv2d`` with respect to its input) of ``input``
    (N, C_in, H, W) or (C_in, H, W) with ``weight`` (C_in, C_out/groups, KH, KW). The output is
    (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1 high (likewise wide)."""
    return _transposed_convolution("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding,
                                   groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transposed 3-D convolution (the gradient of ``conv3d`` with respect to its input) of ``input``
    (N, C_in, D, H, W) or (C_in, D, H, W) with ``weight`` (C_in, C_out/groups, KD, KH, KW); each output size is
    (in - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1."""
    return _transposed_convolution("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding,
                                   groups, dilation)


def conv2d_grad_input(grad_output, weight, input, stride=1, padding=0, dilation=1, groups=1):
    """dL/d input of ``conv2d(input, weight, ...)`` given dL/d output: A_w^T grad_output, shaped like input
    (``input`` lends only its shape)."""
    return apply(ConvolutionGradInput, grad_output, weight, input,
                 **_conv_attrs("conv2d_grad_input", weight, stride, padding, dilation, groups, 2))


def conv2d_grad_weight(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1):
    """dL/d weight of ``conv2d(input, weight, ...)`` given dL/d output, shaped like weight (``weight`` lends only
    its shape)."""
    return apply(ConvolutionGradWeight, grad_output, input, weight,
                 **_conv_attrs("conv2d_grad_weight", weight, stride, padding, dilation, groups, 2))
