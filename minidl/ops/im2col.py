"""im2col and col2im: the array routines under convolution and pooling (layout NCHW, or NCDHW in 3-D).

A 2-D convolution slides a KH x KW window over each image. im2col ("image to columns") copies the pixels under
every window position into one column, so that the convolution becomes a single matrix product::

    x (N, C, H, W)  --im2col-->  cols (N, C*KH*KW, OH*OW)
                                 one row per (channel, kernel offset), one column per output pixel

    weight (O, C*KH*KW) @ cols (C*KH*KW, OH*OW)  =  y (O, OH*OW)   for each image

col2im is its adjoint: it adds every column entry back onto the pixel it was copied from. Pixels under several
windows (overlapping windows) receive the sum of their copies; padding positions are dropped. For stride 1,
``col2im_by_shifts`` does the same from columns laid out on the padded image's grid, several times faster.
``batch_chunks`` says how many images' columns to make at a time.

Nothing here depends on there being two spatial dims: a volume (N, C, D, H, W) under a KD x KH x KW window
gives columns (N, C*KD*KH*KW, OD*OH*OW) in the same way, and a sequence (N, C, L) one kernel dim. The docstrings
speak of images; "pixel" means a position in however many spatial dims there are.

All are plain functions on arrays of the module ``xp`` (numpy or cupy), with no autograd in sight, so that a
GPU kernel with the same signature can replace any one. Geometry arguments are tuples of Python ints, one entry
per spatial dim: ``kernel = (KH, KW)``, ``stride = (SH, SW)``, ``dilation = (DH, DW)`` and
``padding = ((top, bottom), (left, right))`` (zeros; the two sides may differ, as ``padding="same"`` needs).

The output size along one axis is ``(size + pads - dilation * (kernel - 1) - 1) // stride + 1``: the number of
positions a window of extent ``dilation * (kernel - 1) + 1`` can take, moving ``stride`` at a time.
"""
import itertools
import math

from ..backend.kernels import col2im_2d, im2col_2d
from .base import OpError

ALL = slice(None)


def conv_out_size(size, kernel, stride, pads, dilation):
    """How many window positions fit along an axis of ``size`` with ``pads`` padding added in total."""
    return (size + pads - dilation * (kernel - 1) - 1) // stride + 1


def out_sizes(sizes, kernel, stride, padding, dilation):
    """``conv_out_size`` along each spatial dim of an input of spatial ``sizes``."""
    return tuple(conv_out_size(n, k, s, sum(p), d) for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation))


def pad_spatial(xp, x, padding, value=0):
    """``x`` (N, C, *spatial) with ``padding = ((before, after), ...)`` (one pair per spatial dim) entries of
    ``value`` added (``x`` itself when there is none)."""
    if not any(before or after for before, after in padding):
        return x
    return xp.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def windows(xp, x, kernel, stride, dilation):
    """A read-only strided view (no copy) of every window of ``x``, already padded.

    In: ``x`` (N, C, H, W). Out: view (N, C, KH, KW, OH, OW) with
    ``view[n, c, p, q, i, j] = x[n, c, i*SH + p*DH, j*SW + q*DW]`` (in 3-D: (N, C, KD, KH, KW, OD, OH, OW)).
    """
    dims = len(kernel)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    # every window of the full extent at every position: (N, C, H - eh + 1, W - ew + 1, eh, ew) ...
    view = xp.lib.stride_tricks.sliding_window_view(x, extent, axis=tuple(range(2, 2 + dims)))
    # ... keep the positions one stride apart and the kernel taps one dilation apart, and put the taps first
    view = view[(ALL, ALL) + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, d) for d in dilation)]
    return view.transpose((0, 1) + tuple(range(2 + dims, 2 + 2 * dims)) + tuple(range(2, 2 + dims)))


def im2col(xp, x, kernel, stride, padding, dilation):
    """Copy every window of ``x`` into a column.

    In: ``x`` (N, C, H, W). Out: ``cols`` (N, C*KH*KW, OH*OW), C-contiguous, with
    ``cols[n, (c*KH + p)*KW + q, i*OW + j] = x_padded[n, c, i*SH + p*DH, j*SW + q*DW]`` (zero in the padding).

    The copy is the reshape of the strided view; where no copy is needed (a 1x1 kernel with stride 1 and no
    padding) the result is a read-only view of ``x``. Callers never write into it.
    """
    return columns_by_chunk(xp, x, kernel, stride, padding, dilation)(slice(0, x.shape[0]))


def columns_by_chunk(xp, x, kernel, stride, padding, dilation):
    """A function from a slice of the batch to those images' columns (size, C*KH*KW, OH*OW), as ``im2col`` makes
    them. On the CPU each is a copy out of one strided view of the whole padded batch, made once; on a GPU, one
    kernel (``backend/kernels.im2col_2d``: reading every window straight from ``x``, the padding included)."""
    if xp.__name__ != "numpy" and len(kernel) == 2:
        outs = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
        return lambda batch: im2col_2d(x[batch], kernel, stride, padding, dilation, outs)
    c = x.shape[1]
    view = windows(xp, pad_spatial(xp, x, padding), kernel, stride, dilation)
    pixels = math.prod(view.shape[2 + len(kernel):])
    return lambda batch: view[batch].reshape(batch.stop - batch.start, c * math.prod(kernel), pixels)


def col2im(xp, cols, input_shape, kernel, stride, padding, dilation, out=None):
    """Add every column entry back onto the input pixel it came from: the adjoint of ``im2col``.

    In: ``cols`` (N, C*KH*KW, OH*OW) — or the same numbers as (N, C, KH, KW, OH, OW), which lets a caller pass a
    broadcast view without materializing it — and ``input_shape = (N, C, H, W)``. Out: ``out``, or a new
    C-contiguous array, (N, C, H, W) with ``out[n, c, h, w] = sum of cols[n, (c*KH + p)*KW + q, i*OW + j]`` over
    every (p, q, i, j) whose window tap lands on (h, w); taps that land in the padding are dropped.

    The loop runs over the KH*KW kernel offsets, not over pixels: for one offset (p, q) the taps of all windows
    form a strided slice of the padded image (every SH-th row from p*DH, every SW-th column from q*DW), and each
    slice receives one whole (N, C, OH, OW) block. Rows and columns that no window reaches stay zero.
    """
    outs = out_sizes(input_shape[2:], kernel, stride, padding, dilation)
    if xp.__name__ != "numpy" and len(kernel) == 2:  # on a GPU, one kernel (this loop is its numpy twin)
        out = xp.empty(input_shape, dtype=cols.dtype) if out is None else out
        return col2im_2d(cols, input_shape, kernel, stride, padding, dilation, outs, out)
    n, c = input_shape[:2]
    cols = cols.reshape((n, c) + tuple(kernel) + outs)
    out, padded = _sums(xp, out, input_shape, cols.dtype, padding)
    for tap in itertools.product(*map(range, kernel)):
        target = padded[(ALL, ALL) + tuple(slice(t * d, t * d + s * o, s)
                                           for t, d, s, o in zip(tap, dilation, stride, outs))]
        target += cols[(ALL, ALL) + tap]
    return _cropped(out, padded, padding)


def _sums(xp, out, input_shape, dtype, padding):
    """``(out, padded)`` for col2im to add into: ``out`` (a new array if None) and the zeroed padded image,
    which is ``out`` itself when there is no padding."""
    if out is None:
        out = xp.empty(input_shape, dtype=dtype)
    padded = out
    if any(before or after for before, after in padding):
        padded_shape = tuple(input_shape[:2]) + tuple(n + sum(p) for n, p in zip(input_shape[2:], padding))
        padded = xp.empty(padded_shape, dtype=out.dtype)
    padded.fill(0)
    return out, padded


def _cropped(out, padded, padding):
    """``out`` holding the sums without the padding (copied there unless they are there)."""
    if padded is not out:
        out[...] = padded[(ALL, ALL) + tuple(slice(p[0], p[0] + n) for n, p in zip(out.shape[2:], padding))]
    return out


# ------------------------------------------------------------------------------ stride 1: taps are shifts

def col2im_by_shifts(xp, cols, input_shape, kernel, padding, dilation, out=None):
    """col2im for stride 1, from columns that index windows by their top-left padded pixel.

    With stride 1, tap (p, q) of the window at output pixel (i, j) is the padded pixel (i + p*DH, j + q*DW).
    Flatten the padded image row by row (pixel (h, w) at h*Wp + w): the tap is then the window's own index
    i*Wp + j shifted by p*DH*Wp + q*DW, the same shift for every window. So let the columns hold one entry per
    padded pixel, zero where no window starts (w >= OW or h >= OH), and each tap becomes ONE contiguous add of
    a shifted block for all channels at once, where ``col2im`` adds OH strided rows of OW pixels per channel
    (numpy is several times faster at the former)::

        sums[c*Hp*Wp + k + p*DH*Wp + q*DW] += cols[(p*KW + q)*C + c, k]     (k over the whole padded image)

    Every real window's taps lie inside its own channel's image, so what a shifted block carries past the end
    of a channel (into the next one's start, or cut off after the last) is zeros only. Channels are in G
    groups: one add per group. (In 3-D the shift of tap (r, p, q) is r*DD*Hp*Wp + p*DH*Wp + q*DW.)

    In: ``cols`` (N, G, KH*KW*C/G, Hp*Wp) and ``input_shape = (N, C, H, W)``. Out: ``out``, or a new
    C-contiguous array, (N, C, H, W).
    """
    n, c = input_shape[:2]
    groups = cols.shape[1]
    padded_sizes = [size + sum(p) for size, p in zip(input_shape[2:], padding)]
    out, padded = _sums(xp, out, input_shape, cols.dtype, padding)
    block = c // groups * math.prod(padded_sizes)  # one tap's entries for the channels of a group
    sums, taps = padded.reshape(n, groups, block), cols.reshape(n, groups, math.prod(kernel), block)
    # how far one step along each spatial dim moves in the flattened padded image, times the dilation
    steps = [d * math.prod(padded_sizes[axis + 1:]) for axis, d in enumerate(dilation)]
    for index, tap in enumerate(itertools.product(*map(range, kernel))):
        shift = sum(t * step for t, step in zip(tap, steps))
        target = sums[:, :, shift:]
        target += taps[:, :, index, :block - shift]
    return _cropped(out, padded, padding)


# ------------------------------------------------------------------------------------- pooling windows
# Pooling places its windows like a convolution, with two differences: the padding is the same on both sides of
# an axis, and ``ceil_mode`` may add one last window that hangs over the end.

def pool_out_size(size, kernel, stride, pad, dilation, ceil_mode):
    """Window positions along one axis of ``size`` with ``pad`` on each side. ``ceil_mode=True`` rounds the
    count up instead of down, so a last, partial window covers the leftover rows; it is dropped again when it
    would start inside the right padding (PyTorch's rule)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # the last window would start in the right padding
        out -= 1
    return out


def pool_out_sizes(shape, kernel, stride, padding, dilation, ceil_mode):
    """``pool_out_size`` along every spatial axis of ``shape`` (None where a size is unknown)."""
    return tuple(None if n is None else pool_out_size(n, k, s, p, d, ceil_mode)
                 for n, k, s, p, d in zip(shape, kernel, stride, padding, dilation))


def running_pool_out_sizes(shape, kernel, stride, padding, dilation, ceil_mode):
    """``pool_out_sizes`` of an input that is about to be pooled: each at least 1. (The functions check this
    where sizes are known beforehand; in a graph the sizes may be known only now, and numpy would quietly make
    an empty result.)"""
    outs = pool_out_sizes(shape, kernel, stride, padding, dilation, ceil_mode)
    if min(outs, default=1) < 1:
        raise OpError(f"pooling: the window {tuple(kernel)} (dilation {tuple(dilation)}) does not fit the input "
                      f"{tuple(shape)} with padding {tuple(padding)}: the output size would be {outs}")
    return outs


def pool_paddings(shape, kernel, stride, padding, dilation, ceil_mode):
    """((top, bottom), (left, right)) such that exactly the output's windows fit: ceil mode may need extra rows
    at the bottom/right beyond ``padding``, which the window partly covers."""
    pads = []
    for size, k, s, p, d in zip(shape, kernel, stride, padding, dilation):
        out = pool_out_size(size, k, s, p, d, ceil_mode)
        extra = (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p)
        pads.append((p, p + max(extra, 0)))
    return tuple(pads)


# ------------------------------------------------------------------------------------- chunks of a batch

#: bytes of columns one chunk of images may fill on a CPU: about the L2 cache of one core (see ``batch_chunks``)
CPU_CHUNK_BYTES = 1 << 20
#: the same cap on a GPU, where only the memory it takes limits it
GPU_CHUNK_BYTES = 1 << 28


def batch_chunks(xp, n, bytes_per_image):
    """Split a batch of ``n`` images into slices of about equal size whose columns, at ``bytes_per_image`` each,
    fit the chunk budget of ``xp``'s device (at least one image per chunk, however big).

    The columns are the biggest arrays of a convolution, KH*KW copies of every pixel: 42 MB for a 3x3 kernel on
    64 images of 32 channels of 26x26 pixels, against the images' 5 MB. Made for the whole batch at once, they
    go to main memory and come back for the matrix product. Made a chunk at a time, they stay in the CPU's
    cache between being written and being read (the benchmark CNN's convolutions and their gradients take about
    two thirds of the time of the whole-batch version), and they never exist for the whole batch. cuDNN limits
    its "workspace" the same way. On a GPU the cost is the number of kernel launches instead, and a matrix
    product is efficient only when it is big: there the whole batch goes at once unless its columns exceed a
    memory cap.
    """
    if n == 0:
        return []
    budget = CPU_CHUNK_BYTES if xp.__name__ == "numpy" else GPU_CHUNK_BYTES
    count = math.ceil(n / max(1, budget // max(1, bytes_per_image)))  # as few chunks as the budget allows ...
    size = math.ceil(n / count)  # ... of equal size, rather than full chunks and a small rest
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]
