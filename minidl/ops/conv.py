"""2-D convolution (layout NCHW) and its transpose, each as im2col + one matrix product.

With ``x`` (N, C, H, W), ``w`` (O, C/G, KH, KW) and G groups (channels split into G independent blocks)::

    y[n, o, i, j] = b[o] + sum over c, p, q of  w[o, c, p, q] * x_pad[n, g*C/G + c, i*SH + p*DH, j*SW + q*DW]

where g = o // (O/G) is the group of output channel o. ``im2col`` turns every window into a column, so per image
and group this is one product: w (O/G, C/G*KH*KW) @ cols (C/G*KH*KW, OH*OW). One batched ``matmul`` does them all
for a chunk of images (``im2col.batch_chunks``: the columns of a few images at a time stay in the cache).

The convolution is linear in ``x`` (for fixed ``w``) and in ``w`` (for fixed ``x``). Write it ``y = A_w x``.
Then, for a loss gradient ``g`` with y's shape:

* dL/dx = A_w^T g = col2im(w^T @ g): each column of w^T g goes back onto the pixels its window covered.
  ``Conv2dGradInput``. This is exactly the *transposed convolution* of g, so ``conv_transpose2d`` is the same
  code (with the output size given by ``output_padding`` instead of read from x).
* dL/dw = sum over images of g @ cols^T: each weight meets each pixel it multiplied. ``Conv2dGradWeight``.
* dL/db = g summed over N, H and W.

The gradient ops are linear too, and their own VJPs are convolutions again, read off from
<gg, A_w^T g> = <A_w gg, g>: the gradient of ``conv2d_grad_input(g, w)`` is ``conv2d(gg, w)`` for g and
``conv2d_grad_weight(g, gg)`` for w; that of ``conv2d_grad_weight(g, x)`` is ``conv2d(x, gw)`` for g and
``conv2d_grad_input(g, gw)`` for x. So gradients of any order are convolutions.

The backward recomputes im2col of x for the weight gradient instead of keeping the columns from the forward:
forward stays pure (graph mode builds the backward before any forward runs), and the columns, KH*KW times the
size of x, are not held in memory between forward and backward.
"""
import numbers

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .im2col import batch_chunks, col2im, col2im_by_shifts, conv_out_size, pad2d, windows
from .promote import require_same_dtype
from .reduce import sum as reduce_sum
from .shape import squeeze, unsqueeze

__all__ = ["conv2d", "conv_transpose2d", "conv2d_grad_input", "conv2d_grad_weight"]


# ------------------------------------------------------------------------------------- array routines
# Each routine walks the batch in chunks (``batch_chunks``): the columns of a chunk are made, used and dropped
# before the next chunk's, so they stay in the cache and never exist for the whole batch at once. im2col too is
# done a chunk at a time: ``windows`` views every window of the batch (no copy), and reshaping a chunk of that
# view into columns is the copy.

def _conv(xp, x, w, stride, padding, dilation, groups):
    """y = A_w x: per chunk of images, im2col, then one batched product over images and groups."""
    n, c = x.shape[:2]
    o, cg, kh, kw = w.shape
    view = windows(xp, pad2d(xp, x, padding), (kh, kw), stride, dilation)  # (N, C, KH, KW, OH, OW)
    oh, ow = view.shape[4:]
    ckk, pixels = cg * kh * kw, oh * ow
    weights = w.reshape(groups, o // groups, ckk)
    y = xp.empty((n, groups, o // groups, pixels), dtype=xp.result_type(x, w))
    for batch in batch_chunks(xp, n, c * kh * kw * pixels * x.itemsize):
        cols = view[batch].reshape(batch.stop - batch.start, groups, ckk, pixels)
        xp.matmul(weights, cols, out=y[batch])
    return y.reshape(n, o, oh, ow)


def _conv_transpose(xp, g, w, input_shape, stride, padding, dilation, groups):
    """A_w^T g for a convolution whose input has ``input_shape``: per chunk of images, col2im(w^T @ g)."""
    if stride == (1, 1):
        return _conv_transpose_by_shifts(xp, g, w, input_shape, padding, dilation, groups)
    n, o, oh, ow = g.shape
    _, cg, kh, kw = w.shape
    ckk, pixels = cg * kh * kw, oh * ow
    wt = w.reshape(groups, o // groups, ckk).transpose(0, 2, 1)  # (G, C/G*KH*KW, O/G)
    dx = xp.empty(input_shape, dtype=xp.result_type(g, w))
    for batch in batch_chunks(xp, n, groups * ckk * pixels * dx.itemsize):
        cols = xp.matmul(wt, g[batch].reshape(batch.stop - batch.start, groups, o // groups, pixels))
        col2im(xp, cols, dx[batch].shape, (kh, kw), stride, padding, dilation, out=dx[batch])
    return dx


def _conv_transpose_by_shifts(xp, g, w, input_shape, padding, dilation, groups):
    """``_conv_transpose`` for stride 1, by ``col2im_by_shifts``: g is first spread onto the padded image's
    grid (each window's value at its top-left pixel, zeros elsewhere), so that w^T @ g gives the columns in the
    layout that function wants. The product grows by the grid's extra entries (Hp*Wp against OH*OW: a sixth
    for 3x3 kernels on 26x26 images), which costs less than the faster col2im saves."""
    n, o, oh, ow = g.shape
    h, wd = input_shape[2:]
    _, cg, kh, kw = w.shape
    (top, bottom), (left, right) = padding
    hp, wp = h + top + bottom, wd + left + right
    dtype = xp.result_type(g, w)
    # w^T with its rows ordered (tap p, tap q, channel), so that one tap's rows are one block of the product
    wt = w.reshape(groups, o // groups, cg, kh * kw).transpose(0, 3, 2, 1).reshape(groups, kh * kw * cg, o // groups)
    dx = xp.empty(input_shape, dtype=dtype)
    chunks = batch_chunks(xp, n, groups * kh * kw * cg * hp * wp * dx.itemsize)
    grid = xp.zeros((chunks[0].stop if chunks else 0, groups, o // groups, hp, wp), dtype=dtype)
    corners = grid[..., :oh, :ow]  # where g goes; the rest of the grid stays zero
    for batch in chunks:
        size = batch.stop - batch.start
        corners[:size] = g[batch].reshape(size, groups, o // groups, oh, ow)
        cols = xp.matmul(wt, grid[:size].reshape(size, groups, o // groups, hp * wp))
        col2im_by_shifts(xp, cols, dx[batch].shape, (kh, kw), padding, dilation, out=dx[batch])
    return dx


def _conv_weight_grad(xp, g, x, kernel, stride, padding, dilation, groups):
    """dL/dw = sum over images of g @ cols^T, per group: (O, C/G, KH, KW).

    Each chunk's products are summed into the result at once, so no per-image copy of the weight gradient piles
    up for the whole batch. They are computed transposed, as cols @ g^T: OpenBLAS multiplies faster by g^T (a
    transposed view) than by cols^T here (measured: about a third), and transposing the small result is free.
    """
    n, o, oh, ow = g.shape
    c = x.shape[1]
    ckk, pixels = c // groups * kernel[0] * kernel[1], oh * ow
    view = windows(xp, pad2d(xp, x, padding), kernel, stride, dilation)
    gw = xp.zeros((groups, ckk, o // groups), dtype=xp.result_type(g, x))  # transposed, see above
    for batch in batch_chunks(xp, n, groups * ckk * pixels * x.itemsize):
        size = batch.stop - batch.start
        cols = view[batch].reshape(size, groups, ckk, pixels)
        gw += xp.matmul(cols, g[batch].reshape(size, groups, o // groups, pixels).transpose(0, 1, 3, 2)).sum(axis=0)
    return gw.transpose(0, 2, 1).reshape(o, c // groups, kernel[0], kernel[1])


# ------------------------------------------------------------------------------------------------- ops
# Every op carries the same geometry attrs: stride and dilation (pairs), padding ((top, bottom), (left, right))
# and groups; ``ConvTranspose2d`` adds output_padding.

def _out_hw(h, w, kernel, stride, padding, dilation):
    """Static output height and width of a convolution (None where a size is unknown)."""
    return tuple(None if None in (n, k) else conv_out_size(n, k, s, sum(p), d)
                 for n, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))


def _reads_the_other(needs_input_grad):
    """``inputs_to_save`` of conv2d and conv_transpose2d: the gradient for x reads w and the one for w reads x
    (the bias is never read back)."""
    return [1 - i for i, need in enumerate(needs_input_grad[:2]) if need]


def _bias_grad(ctx, g):
    """The gradient for the bias, if the op has one: () without a bias, else a 1-tuple."""
    if len(ctx.inputs) < 3:
        return ()
    return (reduce_sum(g, dim=(0, 2, 3)) if ctx.needs_input_grad[2] else None,)


class Conv2d(Op):
    """y = conv(x, w) + b (inputs ``x, w`` or ``x, w, b``); see the module docstring for the gradients."""
    name = "Convolution"
    saves_inputs = (0, 1)
    inputs_to_save = classmethod(lambda cls, needs_input_grad: _reads_the_other(needs_input_grad))

    @staticmethod
    def forward(xp, x, w, *bias, stride, padding, dilation, groups):
        y = _conv(xp, x, w, stride, padding, dilation, groups)
        if bias:
            y += bias[0].reshape(-1, 1, 1)  # y is a fresh array: add in place
        return y

    @staticmethod
    def vjp(ctx, g):
        x, w = ctx.inputs[:2]
        need_x, need_w = ctx.needs_input_grad[:2]
        return (apply(Conv2dGradInput, g, w, x, **ctx.attrs) if need_x else None,
                apply(Conv2dGradWeight, g, x, w, **ctx.attrs) if need_w else None) + _bias_grad(ctx, g)

    @staticmethod
    def infer(x, w, *bias, stride, padding, dilation, groups):
        return Spec((x.shape[0], w.shape[0]) + _out_hw(*x.shape[2:], w.shape[2:], stride, padding, dilation),
                    x.dtype)


class Conv2dGradInput(Op):
    """dL/dx = A_w^T g, the size of ``x`` (which lends only its shape). Gradients: conv2d(gg, w) for g,
    conv2d_grad_weight(g, gg) for w."""
    saves_inputs = (0, 1)
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, g, w, x, stride, padding, dilation, groups):
        return _conv_transpose(xp, g, w, x.shape, stride, padding, dilation, groups)

    @staticmethod
    def vjp(ctx, gg):
        g, w, _ = ctx.inputs
        need_g, need_w = ctx.needs_input_grad[:2]
        return (apply(Conv2d, gg, w, **ctx.attrs) if need_g else None,
                apply(Conv2dGradWeight, g, gg, w, **ctx.attrs) if need_w else None, None)

    @staticmethod
    def infer(g, w, x, **geometry):
        return Spec(x.shape, g.dtype)


class Conv2dGradWeight(Op):
    """dL/dw = sum over images of g @ im2col(x)^T, the size of ``w`` (which lends only its shape). Gradients:
    conv2d(x, gw) for g, conv2d_grad_input(g, gw) for x."""
    saves_inputs = (0, 1)
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, g, x, w, stride, padding, dilation, groups):
        return _conv_weight_grad(xp, g, x, w.shape[2:], stride, padding, dilation, groups)

    @staticmethod
    def vjp(ctx, gw):
        g, x, _ = ctx.inputs
        need_g, need_x = ctx.needs_input_grad[:2]
        return (apply(Conv2d, x, gw, **ctx.attrs) if need_g else None,
                apply(Conv2dGradInput, g, gw, x, **ctx.attrs) if need_x else None, None)

    @staticmethod
    def infer(g, x, w, **geometry):
        return Spec(w.shape, g.dtype)


def _transpose_out_hw(h, w, kernel, stride, padding, dilation, output_padding):
    """(H - 1)*S - pads + D*(K - 1) + output_padding + 1: the input size of the convolution it transposes."""
    return tuple(None if None in (n, k) else (n - 1) * s - sum(p) + d * (k - 1) + op + 1
                 for n, k, s, p, d, op in zip((h, w), kernel, stride, padding, dilation, output_padding))


class ConvTranspose2d(Op):
    """y = A_w^T x + b: the gradient of a convolution with respect to its input, used as a layer (upsampling).

    Gradients: conv2d(g, w) for x; conv2d_grad_weight(x, g) for w (from <g, A_w^T x> = <A_w g, x>); g summed
    over N, H, W for b. ``output_padding`` (smaller than the stride) adds rows/columns at the bottom/right that
    no input reaches, choosing among the input sizes that a strided convolution maps to the same output size.
    """
    name = "Convolution"
    saves_inputs = (0, 1)
    inputs_to_save = classmethod(lambda cls, needs_input_grad: _reads_the_other(needs_input_grad))

    @staticmethod
    def forward(xp, x, w, *bias, stride, padding, output_padding, dilation, groups):
        n, _, h, wd = x.shape
        oh, ow = _transpose_out_hw(h, wd, w.shape[2:], stride, padding, dilation, output_padding)
        y = _conv_transpose(xp, x, w, (n, w.shape[1] * groups, oh, ow), stride, padding, dilation, groups)
        if bias:
            y += bias[0].reshape(-1, 1, 1)
        return y

    @staticmethod
    def vjp(ctx, g):
        x, w = ctx.inputs[:2]
        need_x, need_w = ctx.needs_input_grad[:2]
        geometry = {k: v for k, v in ctx.attrs.items() if k != "output_padding"}
        return (apply(Conv2d, g, w, **geometry) if need_x else None,
                apply(Conv2dGradWeight, x, g, w, **geometry) if need_w else None) + _bias_grad(ctx, g)

    @staticmethod
    def infer(x, w, *bias, stride, padding, output_padding, dilation, groups):
        groups_out = None if w.shape[1] is None else w.shape[1] * groups
        return Spec((x.shape[0], groups_out) + _transpose_out_hw(*x.shape[2:], w.shape[2:], stride, padding,
                                                                 dilation, output_padding), x.dtype)


# ------------------------------------------------------------------------------------------- checks

def pair(op_name, value, what, minimum):
    """An int or a sequence of two ints, each at least ``minimum``, as a tuple of two Python ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * 2
    if len(values) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op_name}: expected {what} to be a single integer value or a list of 2 integers, but "
                        f"got {what}={value!r}")
    if any(v < minimum for v in values):
        raise OpError(f"{op_name}: {what} must be at least {minimum} (got {what}={value!r})")
    return tuple(int(v) for v in values)


def batched(op_name, x, layout="(N, C, H, W)", dims=4):
    """Accept (N, C, H, W) or unbatched (C, H, W) like PyTorch: returns x with a batch dim, and whether one was
    added (to take it off the result again)."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}: expected a tensor as input, got {type(x).__name__}")
    if x.ndim not in (dims - 1, dims):
        raise OpError(f"{op_name}: expected a {dims}-D input {layout} or an unbatched {dims - 1}-D one "
                      f"({layout[4:]}, but got {describe(x)}")
    return (unsqueeze(x, 0), True) if x.ndim == dims - 1 else (x, False)


def _shape(x):
    return "[" + ", ".join("?" if n is None else str(n) for n in x.shape) + "]"


def _operands(op_name, x, w, bias):
    """Check that input, weight and bias are tensors of one real dtype (no promotion: see
    ``require_same_dtype``); refuse bools, complex numbers and non-tensors."""
    operands = [x, w] + ([] if bias is None else [bias])
    for name, t in zip(("input", "weight", "bias"), operands):
        if not is_tensor(t):
            raise TypeError(f"{op_name}: expected {name} to be a tensor, got {type(t).__name__}")
    require_same_dtype(op_name, list(zip(("input", "weight", "bias"), operands)))
    dtype = x.dtype
    if dtype == dtypes.bool_ or dtypes.is_complex(dtype):
        raise TypeError(f"{op_name}: expected real numbers, got {', '.join(describe(t) for t in operands)}")
    return operands + [None] * (3 - len(operands))


def _check_weight_and_bias(op_name, w, bias, groups, out_dim):
    """weight must be 4-D; groups must divide its first dim; bias must have one entry per output channel."""
    if w.ndim != 4:
        layout = ("(in_channels, out_channels/groups, KH, KW)" if out_dim else
                  "(out_channels, in_channels/groups, KH, KW)")
        raise OpError(f"{op_name}: expected a 4-D weight {layout}, got {describe(w)}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise OpError(f"{op_name}: groups must be a positive integer, got {groups!r}")
    if w.shape[0] is not None and w.shape[0] % groups:
        raise OpError(f"{op_name}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                      f"but got weight of size {_shape(w)} instead")
    out_channels = w.shape[0] if out_dim == 0 else (None if w.shape[1] is None else w.shape[1] * groups)
    if bias is not None and (bias.ndim != 1 or None not in (bias.shape[0], out_channels)
                             and bias.shape[0] != out_channels):
        raise OpError(f"{op_name}: Given weight of size {_shape(w)}, expected bias to be 1-dimensional with "
                      f"{out_channels} elements, but got bias of size {_shape(bias)} instead")


def _check_channels(op_name, x, w, groups, expected, transposed):
    if None not in (x.shape[1], expected) and x.shape[1] != expected:
        raise OpError(f"{op_name}: Given {'transposed=1' if transposed else f'groups={groups}'}, weight of size "
                      f"{_shape(w)}, expected input{_shape(x)} to have {expected} channels, but got {x.shape[1]} "
                      f"channels instead")


def _padding(op_name, padding, kernel, stride, dilation):
    """``padding`` as ((top, bottom), (left, right)). "valid" is none; "same" keeps the size at stride 1 with
    d*(k - 1) in total, the odd one at the bottom/right (as PyTorch does)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise OpError(f"{op_name}: Invalid padding string {padding!r}, should be one of ['valid', 'same']")
        if stride != (1, 1):
            raise OpError(f"{op_name}: padding='same' is not supported for strided convolutions (stride={stride})")
        if None in kernel:
            raise OpError(f"{op_name}: padding='same' needs the kernel size, but the weight's is unknown")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in pair(op_name, padding, "padding", 0))


def _check_kernel_fits(op_name, x, kernel, padding, dilation):
    padded = [None if n is None else n + sum(p) for n, p in zip(x.shape[2:], padding)]
    extent = [None if k is None else d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(None not in (n, e) and n < e for n, e in zip(padded, extent)):
        raise OpError(f"{op_name}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                      f"Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be greater than actual "
                      f"input size (input {describe(x)}, padding {padding}, dilation {dilation})")


# ------------------------------------------------------------------------------------------ functions

def _conv_attrs(op_name, w, stride, padding, dilation, groups):
    """The geometry attrs of a convolution with weight ``w``, checked and normalized."""
    stride = pair(op_name, stride, "stride", 1)
    dilation = pair(op_name, dilation, "dilation", 1)
    padding = _padding(op_name, padding, tuple(w.shape[2:]), stride, dilation)
    return dict(stride=stride, padding=padding, dilation=dilation, groups=int(groups))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, like every framework) of ``input`` (N, C, H, W) or (C, H, W) with
    ``weight`` (O, C/groups, KH, KW), plus ``bias`` (O,). ``padding``: an int, a pair, "valid" or "same"."""
    x, w, b = _operands("conv2d", input, weight, bias)
    x, unbatched = batched("conv2d", x)
    _check_weight_and_bias("conv2d", w, b, groups, out_dim=0)
    attrs = _conv_attrs("conv2d", w, stride, padding, dilation, groups)
    _check_channels("conv2d", x, w, groups, None if w.shape[1] is None else w.shape[1] * groups, False)
    _check_kernel_fits("conv2d", x, tuple(w.shape[2:]), attrs["padding"], attrs["dilation"])
    y = apply(Conv2d, x, w, *([] if b is None else [b]), **attrs)
    return squeeze(y, 0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transposed convolution (the gradient of ``conv2d`` with respect to its input) of ``input``
    (N, C_in, H, W) or (C_in, H, W) with ``weight`` (C_in, C_out/groups, KH, KW). The output is
    (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1 high (likewise wide)."""
    x, w, b = _operands("conv_transpose2d", input, weight, bias)
    x, unbatched = batched("conv_transpose2d", x)
    _check_weight_and_bias("conv_transpose2d", w, b, groups, out_dim=1)
    if isinstance(padding, str):
        raise OpError(f"conv_transpose2d: padding must be an int or a pair of ints, got {padding!r}")
    attrs = _conv_attrs("conv_transpose2d", w, stride, padding, dilation, groups)
    output_padding = pair("conv_transpose2d", output_padding, "output_padding", 0)
    if any(op >= s for op, s in zip(output_padding, attrs["stride"])):
        raise OpError(f"conv_transpose2d: output_padding {output_padding} must be smaller than stride "
                      f"{attrs['stride']} (only then is the output the input of a convolution with that stride)")
    _check_channels("conv_transpose2d", x, w, groups, w.shape[0], True)
    out_hw = _transpose_out_hw(*x.shape[2:], w.shape[2:], attrs["stride"], attrs["padding"], attrs["dilation"],
                               output_padding)
    if any(n is not None and n < 1 for n in out_hw):
        raise OpError(f"conv_transpose2d: the output size {out_hw} is too small (input {describe(x)}, weight "
                      f"{describe(w)}, {', '.join(f'{k}={v}' for k, v in attrs.items())})")
    y = apply(ConvTranspose2d, x, w, *([] if b is None else [b]), output_padding=output_padding, **attrs)
    return squeeze(y, 0) if unbatched else y


def conv2d_grad_input(grad_output, weight, input, stride=1, padding=0, dilation=1, groups=1):
    """dL/d input of ``conv2d(input, weight, ...)`` given dL/d output: A_w^T grad_output, shaped like input
    (``input`` lends only its shape)."""
    return apply(Conv2dGradInput, grad_output, weight, input,
                 **_conv_attrs("conv2d_grad_input", weight, stride, padding, dilation, groups))


def conv2d_grad_weight(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1):
    """dL/d weight of ``conv2d(input, weight, ...)`` given dL/d output, shaped like weight (``weight`` lends only
    its shape)."""
    return apply(Conv2dGradWeight, grad_output, input, weight,
                 **_conv_attrs("conv2d_grad_weight", weight, stride, padding, dilation, groups))
