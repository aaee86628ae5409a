"""im2col and col2im: the two array routines under convolution and pooling (layout NCHW).

A 2-D convolution slides a KH x KW window over each image. im2col ("image to columns") copies the pixels under
every window position into one column, so that the convolution becomes a single matrix product::

    x (N, C, H, W)  --im2col-->  cols (N, C*KH*KW, OH*OW)
                                 one row per (channel, kernel offset), one column per output pixel

    weight (O, C*KH*KW) @ cols (C*KH*KW, OH*OW)  =  y (O, OH*OW)   for each image

col2im is its adjoint: it adds every column entry back onto the pixel it was copied from. Pixels under several
windows (overlapping windows) receive the sum of their copies; padding positions are dropped.

Both are plain functions on arrays of the module ``xp`` (numpy or cupy), with no autograd in sight, so that a
GPU kernel with the same signature can replace either one. Geometry arguments are tuples of Python ints:
``kernel = (KH, KW)``, ``stride = (SH, SW)``, ``dilation = (DH, DW)`` and
``padding = ((top, bottom), (left, right))`` (zeros; the two sides may differ, as ``padding="same"`` needs).

The output size along one axis is ``(size + pads - dilation * (kernel - 1) - 1) // stride + 1``: the number of
positions a window of extent ``dilation * (kernel - 1) + 1`` can take, moving ``stride`` at a time.
"""


def conv_out_size(size, kernel, stride, pads, dilation):
    """How many window positions fit along an axis of ``size`` with ``pads`` padding added in total."""
    return (size + pads - dilation * (kernel - 1) - 1) // stride + 1


def pad2d(xp, x, padding, value=0):
    """``x`` (N, C, H, W) with ``padding = ((top, bottom), (left, right))`` rows and columns of ``value`` added
    (``x`` itself when there is none)."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return x
    return xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def windows(xp, x, kernel, stride, dilation):
    """A read-only strided view (no copy) of every window of ``x``, already padded.

    In: ``x`` (N, C, H, W). Out: view (N, C, KH, KW, OH, OW) with
    ``view[n, c, p, q, i, j] = x[n, c, i*SH + p*DH, j*SW + q*DW]``.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    extent = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    # every window of the full extent at every position: (N, C, H - eh + 1, W - ew + 1, eh, ew) ...
    view = xp.lib.stride_tricks.sliding_window_view(x, extent, axis=(2, 3))
    # ... keep the positions one stride apart and the kernel taps one dilation apart, and put the taps first
    return view[:, :, ::sh, ::sw, ::dh, ::dw].transpose(0, 1, 4, 5, 2, 3)


def im2col(xp, x, kernel, stride, padding, dilation):
    """Copy every window of ``x`` into a column.

    In: ``x`` (N, C, H, W). Out: ``cols`` (N, C*KH*KW, OH*OW), C-contiguous, with
    ``cols[n, (c*KH + p)*KW + q, i*OW + j] = x_padded[n, c, i*SH + p*DH, j*SW + q*DW]`` (zero in the padding).

    The copy is the reshape of the strided view; where no copy is needed (a 1x1 kernel with stride 1 and no
    padding) the result is a read-only view of ``x``. Callers never write into it.
    """
    n, c = x.shape[:2]
    view = windows(xp, pad2d(xp, x, padding), kernel, stride, dilation)
    oh, ow = view.shape[4:]
    return view.reshape(n, c * kernel[0] * kernel[1], oh * ow)


def col2im(xp, cols, input_shape, kernel, stride, padding, dilation):
    """Add every column entry back onto the input pixel it came from: the adjoint of ``im2col``.

    In: ``cols`` (N, C*KH*KW, OH*OW) — or the same numbers as (N, C, KH, KW, OH, OW), which lets a caller pass a
    broadcast view without materializing it — and ``input_shape = (N, C, H, W)``. Out: a new C-contiguous array
    (N, C, H, W) with ``out[n, c, h, w] = sum of cols[n, (c*KH + p)*KW + q, i*OW + j]`` over every (p, q, i, j)
    whose window tap lands on (h, w); taps that land in the padding are dropped.

    The loop runs over the KH*KW kernel offsets, not over pixels: for one offset (p, q) the taps of all windows
    form a strided slice of the padded image (every SH-th row from p*DH, every SW-th column from q*DW), and each
    slice receives one whole (N, C, OH, OW) block. Rows and columns that no window reaches stay zero.
    """
    n, c, h, w = input_shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    (top, bottom), (left, right) = padding
    oh = conv_out_size(h, kh, sh, top + bottom, dh)
    ow = conv_out_size(w, kw, sw, left + right, dw)
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    out = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.dtype)
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * oh, sh)
        for q in range(kw):
            out[:, :, rows, q * dw:q * dw + sw * ow:sw] += cols[:, :, p, q]
    if out.shape[2:] == (h, w):
        return out
    return xp.ascontiguousarray(out[:, :, top:top + h, left:left + w])
