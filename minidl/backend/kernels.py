"""Custom GPU kernels for the hot spots of training, each with its numpy twin.

On a GPU a chain of array operations costs one kernel launch per operation (and cupy's Python around each, some
10 µs), and a trip through memory for every intermediate array. Each routine below is ONE launch there: a
``cupy.ElementwiseKernel`` whose body is the formula written out, compiled on first use and kept (``_kernel``).

Taking ``xp`` (numpy or cupy), with the twin here, in the order the separate tensor operations compute it, so
that a numpy result is bit for bit what the unfused code gives (a GPU may round a multiply-add once where numpy
rounds twice: the last place may differ there):

* ``relu_backward(xp, g, s, negative_slope)``: the gradient through relu (``s`` its output) or leaky_relu.
* ``tanh_backward(xp, g, y)``, ``sigmoid_backward(xp, g, y)``: the gradients through tanh and sigmoid.
* ``sgd_momentum_step(xp, p, g, buf, lr, momentum, dampening, nesterov)``: SGD with a momentum buffer.
* ``adam_step(xp, p, g, m, v, lr, beta1, beta2, eps, step)``: Adam's moments and update.

GPU only, their twins being the array code in ``ops`` that calls them (the layering keeps ops out of here):

* ``softmax_cross_entropy_rows(x, target)`` and its ``_grad``: the everyday cross-entropy, a row per thread
  (twin: ``ops/cross_entropy``);
* ``max_pool_2d(x, ...)``: the max of each window of an image and where it is, a window per thread
  (twin: ``ops/max_pooling._max_pool``);
* ``im2col_2d(x, ...)`` and ``col2im_2d(cols, input_shape, ...)``: an image convolution's columns, and their
  adjoint, its gradient for the input (twins: ``ops/im2col``'s ``im2col`` and ``col2im``).

The updates change ``p`` and the state arrays in place and return nothing; the optimizers call them on the arrays
of float32/float64 tensors (anything else keeps the unfused tensor operations). ``tests/test_kernels.py`` checks
every kernel against its definition on every device.
"""
import functools
import math

import numpy

FUSED_DTYPES = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))

#: the longest rows (classes) the cross-entropy kernels take: each row is one thread's loop
MAX_KERNEL_CLASSES = 1024

# The max and the sum of exponentials of row i of x (N, C) shifted by it, as ``reduce.slice_max`` and the array
# code compute them: a NaN max stays NaN, and so does an infinite one (the row's loss is then NaN, as in PyTorch).
_ROW_SOFTMAX = """
    const ptrdiff_t row = i * C;
    T top = x[row];
    for (ptrdiff_t c = 1; c < C; ++c) {
        const T value = x[row + c];
        if (value > top || isnan(value)) top = value;
    }
    T sum = 0;
    for (ptrdiff_t c = 0; c < C; ++c) sum += exp(x[row + c] - top);
"""

# name: (input parameters, output parameters, body) of a cupy.ElementwiseKernel; T is the arrays' float type
_SOURCES = {
    # one thread per row: log(sum_c exp(x_c - top)) - (x_target - top)
    "softmax_cross_entropy_rows": ("I target, raw T x, int64 C", "T loss",
                                   _ROW_SOFTMAX + "loss = log(sum) - (x[row + target] - top);"),
    # one thread per row: softmax(x) g - g onehot(target), g shared by the rows (g_step 0) or one per row (1)
    "softmax_cross_entropy_rows_grad": (
        "I target, raw T x, raw T g, int64 C, int64 g_step", "raw T dx",
        _ROW_SOFTMAX + """
        const T g_row = g[i * g_step], scale = g_row / sum;
        for (ptrdiff_t c = 0; c < C; ++c) dx[row + c] = exp(x[row + c] - top) * scale;
        dx[row + target] -= g_row;
        """),
    # s <= 0 is false at a NaN s: the gradient passes there, as PyTorch's does
    "relu_backward": ("T g, S s", "T y", "y = s <= (S)0 ? (T)0 : g"),
    "leaky_relu_backward": ("T g, S s, T slope", "T y", "y = s > (S)0 ? g : g * slope"),
    "tanh_backward": ("T g, T y", "T out", "out = g * ((T)1 - y * y)"),
    "sigmoid_backward": ("T g, T y", "T out", "out = g * (y * ((T)1 - y))"),
    "sgd_momentum_step": (
        "T g, T momentum, T keep, T neg_lr, bool nesterov", "T p, T buf",
        "buf = buf * momentum + g * keep; p = p + (nesterov ? g + momentum * buf : buf) * neg_lr"),
    "adam_step": (
        "T g, T weight, T beta2, T beta2_complement, T root_correction2, T eps, T neg_step_size", "T p, T m, T v",
        "m = m + weight * (g - m); v = v * beta2 + g * g * beta2_complement;"
        "p = p + m / (sqrt(v) / root_correction2 + eps) * neg_step_size"),
    # one thread per column entry (n, (c, p, q), (i, j)): the pixel under tap (p, q) of window (i, j), or 0 in the
    # padding (a copy: the numpy twin's numbers exactly)
    "im2col_2d": (
        "raw T x, int64 C, int64 H, int64 W, int64 KH, int64 KW, int64 SH, int64 SW, int64 PT, int64 PL, "
        "int64 DH, int64 DW, int64 OH, int64 OW", "T cols",
        """
        const ptrdiff_t j = i % OW, row = i / OW % OH, q = i / (OW * OH) % KW, p = i / (OW * OH * KW) % KH;
        const ptrdiff_t c = i / (OW * OH * KW * KH) % C, n = i / (OW * OH * KW * KH * C);
        const ptrdiff_t h = row * SH + p * DH - PT, w = j * SW + q * DW - PL;
        cols = (h >= 0 && h < H && w >= 0 && w < W) ? x[((n * C + c) * H + h) * W + w] : (T)0;
        """),
    # one thread per window: its taps in row-major order, skipping the padding; the first real tap is copied in, a
    # later one takes over when strictly larger (the first of equal maxima wins) or NaN (a NaN propagates), as in
    # PyTorch; a window over padding only keeps -inf and index -1. The index is h*W + w in the unpadded plane.
    "max_pool_2d": (
        "raw T x, T lowest, int64 H, int64 W, int64 KH, int64 KW, int64 SH, int64 SW, int64 PT, int64 PL, "
        "int64 DH, int64 DW, int64 OH, int64 OW", "T value, int64 index",
        """
        const ptrdiff_t j = i % OW, row = i / OW % OH, plane = i / (OW * OH);
        T best = lowest;
        ptrdiff_t at = -1;
        for (ptrdiff_t p = 0; p < KH; ++p) {
            const ptrdiff_t h = row * SH - PT + p * DH;
            if (h < 0 || h >= H) continue;
            for (ptrdiff_t q = 0; q < KW; ++q) {
                const ptrdiff_t w = j * SW - PL + q * DW;
                if (w < 0 || w >= W) continue;
                const T candidate = x[(plane * H + h) * W + w];
                if (at < 0 || candidate > best || isnan(candidate)) {
                    best = candidate;
                    at = h * W + w;
                }
            }
        }
        value = best;
        index = at;
        """),
    # one thread per input pixel (n, c, h, w), summing the column entries of every window tap that landed on it,
    # taps in the numpy twin's order: no atomic adds, and the same sums bit for bit
    "col2im_2d": (
        "raw T cols, int64 C, int64 H, int64 W, int64 KH, int64 KW, int64 SH, int64 SW, int64 PT, int64 PL, "
        "int64 DH, int64 DW, int64 OH, int64 OW", "T out",
        """
        const ptrdiff_t w = i % W, h = i / W % H, c = i / (W * H) % C, n = i / (W * H * C);
        T sum = 0;
        for (ptrdiff_t p = 0; p < KH; ++p) {
            const ptrdiff_t row = h + PT - p * DH;  // the padded row the tap reads, times the stride
            if (row < 0 || row % SH != 0 || row / SH >= OH) continue;
            for (ptrdiff_t q = 0; q < KW; ++q) {
                const ptrdiff_t col = w + PL - q * DW;
                if (col < 0 || col % SW != 0 || col / SW >= OW) continue;
                sum += cols[(((n * C + c) * KH + p) * KW + q) * OH * OW + row / SH * OW + col / SW];
            }
        }
        out = sum;
        """),
}


def _flat(array):
    """``array`` as a C-contiguous 1-D array (a view where it already is contiguous), for a kernel's ``raw``
    parameter, which the body indexes by flat position."""
    import cupy
    return cupy.ascontiguousarray(array).reshape(-1)


@functools.cache
def _kernel(name):
    import cupy
    inputs, outputs, body = _SOURCES[name]
    return cupy.ElementwiseKernel(inputs, outputs, body, f"minidl_{name}")


def relu_backward(xp, g, s, negative_slope=0.0):
    """``g`` where ``s > 0``; elsewhere 0, or ``negative_slope · g`` (a NaN ``s`` passes ``g`` for relu and
    scales it for leaky_relu, as in PyTorch). Real dtypes."""
    if xp is not numpy:
        if negative_slope:
            return _kernel("leaky_relu_backward")(g, s, g.dtype.type(negative_slope))
        return _kernel("relu_backward")(g, s)
    if negative_slope:
        return numpy.where(s > 0, g, g * negative_slope)
    return _zero_where_at_most_zero(g, s)


def tanh_backward(xp, g, y):
    """``g · (1 - y²)``, the gradient through tanh from its output ``y``."""
    if xp is not numpy and g.dtype in FUSED_DTYPES and y.dtype == g.dtype:
        return _kernel("tanh_backward")(g, y)
    return g * (1 - y * y)


def sigmoid_backward(xp, g, y):
    """``g · y(1 - y)``, the gradient through sigmoid from its output ``y``."""
    if xp is not numpy and g.dtype in FUSED_DTYPES and y.dtype == g.dtype:
        return _kernel("sigmoid_backward")(g, y)
    return g * (y * (1 - y))


def _zero_where_at_most_zero(g, s):
    """``g`` where not ``s <= 0`` (s > 0, or NaN), else +0.0, by masking bits: the mask is an integer of g's width
    that is -1 (every bit set) there and 0 elsewhere, and ``g AND mask`` is g's bit pattern or all zeros.

    Why not ``where(s > 0, g, 0)``: numpy selects element by element with a branch that a random mask
    mispredicts, about 10x slower. Why not ``g * (s > 0)``: where s <= 0 it gives inf * 0 = NaN for an infinite g
    (PyTorch gives 0 there). The bits give exactly the select, at the cost of the multiply.
    """
    bits = numpy.dtype(f"int{8 * g.dtype.itemsize}")
    mask = numpy.empty(numpy.broadcast_shapes(g.shape, s.shape), dtype=bits)
    numpy.less_equal(s, 0, out=mask)  # 1 or 0
    numpy.subtract(mask, 1, out=mask)  # 0 or -1
    numpy.bitwise_and(g.view(bits), mask, out=mask)
    return mask.view(g.dtype)


def sgd_step(xp, p, g, lr):
    """``p -= lr·g`` (plain SGD: two array operations, numpy or cupy alike, so no kernel of its own)."""
    p += g * p.dtype.type(-lr)


def sgd_momentum_step(xp, p, g, buf, lr, momentum, dampening, nesterov):
    """``buf = μ·buf + (1 - dampening)·g``, then ``p -= lr·(g + μ·buf)`` (Nesterov) or ``p -= lr·buf``."""
    dtype = p.dtype.type
    if xp is not numpy:
        _kernel("sgd_momentum_step")(g, dtype(momentum), dtype(1 - dampening), dtype(-lr), bool(nesterov), p, buf)
        return
    buf *= dtype(momentum)
    buf += g * dtype(1 - dampening)
    p += (g + dtype(momentum) * buf if nesterov else buf) * dtype(-lr)


def adam_step(xp, p, g, m, v, lr, beta1, beta2, eps, step):
    """One Adam update at step ``step`` (from 1): ``m += (1-β1)(g - m)``, ``v = β2·v + (1-β2)·g²``, and
    ``p -= lr/(1-β1^t) · m / (√v / √(1-β2^t) + eps)`` — the bias corrections folded into the step size and the
    denominator, as PyTorch computes them."""
    dtype = p.dtype.type
    weight, beta2_complement = dtype(1 - beta1), dtype(1 - beta2)
    root_correction2 = dtype(math.sqrt(1 - beta2 ** step))
    neg_step_size = dtype(-lr / (1 - beta1 ** step))
    if xp is not numpy:
        _kernel("adam_step")(g, weight, dtype(beta2), beta2_complement, root_correction2, dtype(eps), neg_step_size,
                             p, m, v)
        return
    # scratch must be an array for the out= below: subtract alone gives a numpy scalar for a 0-d parameter
    scratch = numpy.subtract(g, m, out=numpy.empty_like(m))
    scratch *= weight
    m += scratch
    v *= dtype(beta2)
    numpy.multiply(g, g, out=scratch)
    scratch *= beta2_complement
    v += scratch
    numpy.sqrt(v, out=scratch)
    scratch /= root_correction2
    scratch += dtype(eps)
    numpy.divide(m, scratch, out=scratch)
    scratch *= neg_step_size
    p += scratch


def geometry(input_shape, kernel, stride, padding, dilation, outs):
    """The integer arguments of the im2col and col2im kernels — C, H, W, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW —
    from the image's shape, the window's geometry and the output sizes ``outs`` (the caller's ``conv_out_size``)."""
    _, c, h, w = input_shape
    return (c, h, w, *kernel, *stride, padding[0][0], padding[1][0], *dilation, *outs)


def im2col_2d(x, kernel, stride, padding, dilation, outs):
    """The GPU's im2col for images (its numpy twin: ``ops/im2col.im2col``): ``x`` (N, C, H, W) to columns
    (N, C*KH*KW, OH*OW) in one kernel, the padding included. ``padding`` is ((top, bottom), (left, right))."""
    import cupy
    n, c = x.shape[:2]
    cols = cupy.empty((n, c * kernel[0] * kernel[1], outs[0] * outs[1]), dtype=x.dtype)
    return _kernel("im2col_2d")(_flat(x), *geometry(x.shape, kernel, stride, padding, dilation, outs), cols)


def col2im_2d(cols, input_shape, kernel, stride, padding, dilation, outs, out):
    """The GPU's col2im for images (its numpy twin: ``ops/im2col.col2im``): ``cols`` (N, C*KH*KW, OH*OW) added
    back onto ``out`` (N, C, H, W), one thread per pixel. ``padding`` is ((top, bottom), (left, right))."""
    return _kernel("col2im_2d")(_flat(cols), *geometry(input_shape, kernel, stride, padding, dilation, outs), out)


def softmax_cross_entropy_rows(x, target):
    """The GPU's cross-entropy of each row of logits ``x`` (N, C) with the class index ``target`` (N,): the loss
    per row, (N,). Its numpy twin is the array code of ``ops/cross_entropy.SoftmaxCrossEntropy``."""
    return _kernel("softmax_cross_entropy_rows")(target, _flat(x), x.shape[1])


def softmax_cross_entropy_rows_grad(x, target, g):
    """Its gradient for ``x``: ``softmax(x) · g - g · onehot(target)`` per row, with ``g`` one number for all rows
    or one per row."""
    import cupy
    g = _flat(g.astype(x.dtype, copy=False))
    dx = cupy.empty(x.shape, dtype=x.dtype)
    _kernel("softmax_cross_entropy_rows_grad")(target, _flat(x), g, x.shape[1], 0 if g.size == 1 else 1,
                                               dx.reshape(-1))
    return dx


def max_pool_2d(x, kernel, stride, padding, dilation, outs):
    """The GPU's max pooling of images (its numpy twin: ``ops/max_pooling._max_pool``): ``(values, indices)`` of
    the windows of ``x`` (N, C, H, W), ``outs`` = (OH, OW) of them; ``padding`` = (PH, PW) on both sides."""
    import cupy
    n, c, h, w = x.shape
    values = cupy.empty((n, c) + tuple(outs), dtype=x.dtype)
    indices = cupy.empty(values.shape, dtype=cupy.int64)
    _kernel("max_pool_2d")(_flat(x), x.dtype.type(-numpy.inf), h, w, *kernel, *stride, *padding, *dilation, *outs,
                           values, indices)
    return values, indices
