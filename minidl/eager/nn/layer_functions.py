"""More ``nn.functional`` functions, each a composition of existing ops (so each gets its gradient from the ops
it is made of): ``embedding_bag``, ``instance_norm``, ``adaptive_max_pool1d/2d``, ``pixel_shuffle`` /
``pixel_unshuffle`` and ``unfold`` / ``fold``.

Where the positions to read depend only on shapes (the windows of adaptive pooling, the patches of unfold, the
members of each bag), they are worked out here as small integer tensors, and one indexing op reads them all;
the indexing op's gradient scatters back (adds) into the positions read, so overlapping windows and repeated
ids are handled by it.
"""
import math
import numbers

import numpy

from ... import ops
from ...backend import dtypes
from ...ops.base import describe, is_tensor
from ..creation import tensor, zeros
from ..grad_mode import no_grad
from ..sparse_gradients import embedding_with_sparse_grad

__all__ = ["embedding_bag", "instance_norm", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "pixel_shuffle", "pixel_unshuffle", "unfold", "fold"]


def _pair(name, value, what):
    """An int or a pair of ints, as a pair of Python ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise RuntimeError(f"{name}: It is expected {what} equals to 2, but got size {len(values)}")
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name}: expected {what} to be an int or a pair of ints, got {value!r}")
    return tuple(int(v) for v in values)


def _int_tensor(array, device):
    return tensor(numpy.asarray(array, dtype=numpy.int64), device=device)


# ---------------------------------------------------------------------------------------------- embedding_bag

_MODES = ("sum", "mean", "max")


def _bag_bounds(input, offsets, include_last_offset):
    """(starts, ends) of the bags: B rows of a 2-D input, or a 1-D input cut at ``offsets``."""
    if input.ndim == 2:
        bags, size = input.shape
        return [i * size for i in range(bags)], [(i + 1) * size for i in range(bags)]
    n = input.shape[0]
    bounds = [int(o) for o in offsets.tolist()]
    if bounds and bounds[0] != 0:
        raise RuntimeError(f"embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has "
                           f"to start from position 0. However, got {bounds[0]}")
    if bounds and bounds[-1] > n:
        raise RuntimeError(f"embedding_bag: offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {bounds[-1]}")
    if any(b < a for a, b in zip(bounds, bounds[1:])):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {bounds}")
    if include_last_offset and bounds and bounds[-1] != n:
        # PyTorch documents offsets[-1] = len(input) (the CSR layout) and does not check it: its sum mode then ends
        # the last bag at offsets[-1], its mean mode sums that far but divides by the count to the end, its max
        # mode runs to the end. No answer is the right one.
        raise RuntimeError(f"embedding_bag: with include_last_offset=True the last offset is the end of the last "
                           f"bag and must equal the input's length {n} (the CSR layout), got offsets[-1] = "
                           f"{bounds[-1]}")
    starts = bounds[:-1] if include_last_offset else bounds
    return starts, starts[1:] + [n] if starts else []


def _bag_table(starts, ends):
    """The bags as a (bags, longest) table of positions into the flattened input, and a mask of the entries that
    are real (shorter bags are padded with position 0; there is at least one column, for empty bags)."""
    lengths = numpy.array([e - s for s, e in zip(starts, ends)], dtype=numpy.int64)
    width = max(1, int(lengths.max()) if lengths.size else 1)
    slot = numpy.arange(width)
    real = slot[None, :] < lengths[:, None]
    return numpy.where(real, numpy.asarray(starts, dtype=numpy.int64).reshape(-1, 1) + slot, 0), real


def _check_embedding_bag(input, weight, offsets, mode, per_sample_weights, padding_idx):
    """Check the arguments (PyTorch's errors); returns padding_idx made non-negative."""
    if not is_tensor(input) or input.dtype.kind not in "iu":
        raise TypeError(f"embedding_bag: expected input to be an integer (int64) tensor of ids, got "
                        f"{describe(input) if is_tensor(input) else type(input).__name__}")
    if not is_tensor(weight) or weight.ndim != 2:
        raise ValueError(f"embedding_bag: expected weight to be a 2-D tensor (num_embeddings, embedding_dim), got "
                         f"{describe(weight) if is_tensor(weight) else type(weight).__name__}")
    if input.ndim == 2 and offsets is not None:
        raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                         f"fixed length sequences. However, found offsets of type {type(offsets)}")
    if input.ndim == 1 and offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if input.ndim == 1 and (not is_tensor(offsets) or offsets.ndim != 1):
        raise ValueError("offsets has to be a 1D Tensor")
    if input.ndim not in (1, 2):
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then "
                             f"it must have the same shape as the input ({input.shape})")
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                      "on GitHub.")
        if per_sample_weights.dtype != weight.dtype:
            raise TypeError(f"embedding_bag: expected per_sample_weights to have the dtype of weight, got "
                            f"{describe(per_sample_weights)} and weight {describe(weight)}")
    if padding_idx is None:
        return None
    n = weight.shape[0]
    if not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, but got "
                           f"{padding_idx}")
    return padding_idx % n


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """One vector per bag of ids: the ``mode`` ("sum", "mean" or "max") of the rows of ``weight`` the ids pick.

    Bags: a 2-D ``input`` (B, N) is B bags of N ids; a 1-D ``input`` is cut into bags at ``offsets`` (the start
    of each bag; with ``include_last_offset`` the last entry is the end of the last bag). An empty bag gives
    zeros. Ids equal to ``padding_idx`` are left out of their bag (and get no gradient). ``per_sample_weights``
    (shaped like ``input``, mode "sum" only) scale each looked-up row. ``max_norm`` renormalises the looked-up
    rows of ``weight`` in place first, as ``embedding`` does.

    Computed as the rows of every id (``embedding``), read into a (bags, longest bag) table, padded, and reduced
    over the real entries only. With ``sparse`` the weight's gradient is a sparse COO tensor with one entry per id
    (but those of ``padding_idx``), as PyTorch's (``sparse_gradients.py``).
    """
    padding_idx = _check_embedding_bag(input, weight, offsets, mode, per_sample_weights, padding_idx)
    if sparse and mode == "max":
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        from .functional import _renorm_rows
        _renorm_rows(weight, input, max_norm, norm_type)
    starts, ends = _bag_bounds(input, offsets, include_last_offset)
    if input.numel() == 0:  # only empty bags: zeros, the sum of no rows, which belongs to weight's graph (as in
        nothing = ops.sum(ops.getitem(weight, slice(0, 0)), dim=0, keepdim=True)  # PyTorch: a zero gradient)
        return ops.broadcast_to(nothing, (len(starts), weight.shape[1]))
    positions, real = _bag_table(starts, ends)
    positions = _int_tensor(positions, input.device)
    flat = ops.reshape(input, (-1,))
    keep = tensor(real, device=input.device)
    if padding_idx is not None:
        keep = ops.logical_and(keep, ops.getitem(flat, positions) != padding_idx)
    keep = ops.unsqueeze(keep, -1)
    lookup = embedding_with_sparse_grad if sparse else ops.embedding
    # (scale_grad_by_freq: each row's gradient divided by how often the whole input names it, as PyTorch's)
    rows = ops.getitem(lookup(flat, weight, padding_idx, scale_grad_by_freq), positions)  # (bags, longest, dim)
    if per_sample_weights is not None:
        rows = rows * ops.unsqueeze(ops.getitem(ops.reshape(per_sample_weights, (-1,)), positions), -1)
    if mode == "max":
        best = ops.max(ops.where(keep, rows, float("-inf")), dim=1).values
        return ops.where(ops.any(keep, dim=1), best, 0.0)  # an empty bag gives 0, not -inf
    total = ops.sum(ops.where(keep, rows, 0.0), dim=1)
    if mode == "sum":
        return total
    return total / ops.clamp(ops.sum(ops.cast(keep, weight.dtype), dim=1), min=1)


# ---------------------------------------------------------------------------------------------- instance_norm

def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) of an (N, C, ...) input over its own positions:
    ``(x - mean) / sqrt(var + eps) * weight[c] + bias[c]`` — batch norm with a batch of one, per sample. It is
    group norm with one channel per group, which is how it is computed here.

    ``use_input_stats=False`` normalises with ``running_mean`` / ``running_var`` instead (what an
    InstanceNorm with ``track_running_stats`` does in eval mode). With input statistics and running buffers,
    the buffers are updated in place: ``running = (1 - momentum) * running + momentum * statistic``, with the
    per-instance means and unbiased variances averaged over the batch (as PyTorch).
    """
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if not use_input_stats:
        if running_mean is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return ops.batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an (N, C, ...) input with at least one spatial dim, got "
                         f"{describe(input)}")
    spatial = math.prod(input.shape[2:])
    if spatial == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if spatial == 0:  # nothing to normalize, and no statistics to update (as PyTorch): an empty result
        return ops.clone(input)
    if running_mean is not None:
        with no_grad():  # statistics are state, not part of the function: no history
            positions = tuple(range(2, input.ndim))
            mean = ops.mean(ops.mean(input, dim=positions), dim=0)
            var = ops.mean(ops.var(input, dim=positions, correction=1), dim=0)
            running_mean.copy_(running_mean * (1 - momentum) + mean * momentum)
            running_var.copy_(running_var * (1 - momentum) + var * momentum)
    return ops.group_norm(input, input.shape[1], weight, bias, eps)


# ------------------------------------------------------------------------------------- adaptive max pooling

def _adaptive_windows(size, out):
    """PyTorch's adaptive windows along one axis: window i covers [floor(i·size/out), ceil((i+1)·size/out)).
    As an (out, widest) table of positions; a narrower window repeats its last position (which changes no
    maximum)."""
    starts = [i * size // out for i in range(out)]
    ends = [-(-(i + 1) * size // out) for i in range(out)]
    widest = max((e - s for s, e in zip(starts, ends)), default=0)
    return numpy.array([[min(s + j, e - 1) for j in range(widest)] for s, e in zip(starts, ends)],
                       dtype=numpy.int64).reshape(out, widest)


def _output_sizes(name, output_size, input_sizes):
    """``output_size`` (an int, or one entry per spatial dim, None keeping that input size) as a tuple of ints."""
    count = len(input_sizes)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * count
    if len(sizes) != count:
        raise RuntimeError(f"{name}(): internal error: output_size.size() must be {count}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, input_sizes))
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0 for s in sizes):
        raise RuntimeError(f"{name}(): output_size must be non-negative ints (or None), got {output_size!r}")
    return tuple(int(s) for s in sizes)


def _adaptive_max_pool(x, out_sizes, return_indices):
    """``x`` (N, C, *spatial): the maximum of each adaptive window, and its flat position within the spatial dims
    (``h * W + w`` for an image, ``(d * H + h) * W + w`` for a volume)."""
    n, c, *sizes = x.shape
    k = len(sizes)
    if math.prod(out_sizes) == 0:  # nothing to pool: an empty result (still attached to x)
        values = ops.reshape(ops.getitem(ops.reshape(x, (-1,)), slice(0, 0)), (n, c, *out_sizes))
        return (values, zeros(n, c, *out_sizes, dtype=dtypes.int64, device=x.device)) if return_indices else values
    windows = [_adaptive_windows(size, out) for size, out in zip(sizes, out_sizes)]  # (O_i, K_i) positions each

    def spread(positions, i):  # shaped to broadcast over (O_1, K_1, O_2, K_2, ...)
        shape = [1] * (2 * k)
        shape[2 * i:2 * i + 2] = positions.shape
        return positions.reshape(shape)

    index = (slice(None), slice(None)) + tuple(_int_tensor(spread(w, i), x.device) for i, w in enumerate(windows))
    patches = ops.getitem(x, index)  # every window's values: (N, C, O_1, K_1, O_2, K_2, ...)
    order = tuple(range(0, 2 * k, 2)) + tuple(range(1, 2 * k, 2))  # -> (O_1, O_2, ..., K_1, K_2, ...)
    kernel = math.prod(w.shape[1] for w in windows)
    patches = ops.reshape(ops.permute(patches, (0, 1) + tuple(2 + d for d in order)), (n, c, *out_sizes, kernel))
    values, which = ops.max(patches, dim=-1)
    if not return_indices:
        return values
    strides = [math.prod(sizes[i + 1:]) for i in range(k)]
    flat = sum(spread(w, i) * stride for i, (w, stride) in enumerate(zip(windows, strides)))
    flat = flat.transpose(order).reshape(*out_sizes, kernel)
    flat = ops.broadcast_to(_int_tensor(flat, x.device), (n, c, *out_sizes, kernel))
    return values, ops.squeeze(ops.gather(flat, -1, ops.unsqueeze(which, -1)), -1)


def _check_pool_input(name, input, dims):
    if not is_tensor(input):
        raise TypeError(f"{name}(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim not in dims:
        raise RuntimeError(f"{name}(): Expected {dims[0]}D or {dims[1]}D tensor, but got {describe(input)}")
    if 0 in tuple(input.shape[-dims[0]:]):
        raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                           f"has sizes {list(input.shape)}")
    if not input.is_floating_point():
        raise NotImplementedError(f'"{name}" not implemented for {describe(input)}')


def _adaptive_max_pool_nd(name, input, output_size, return_indices, spatial):
    _check_pool_input(name, input, (spatial + 1, spatial + 2))
    unbatched = input.ndim == spatial + 1
    x = ops.unsqueeze(input, 0) if unbatched else input
    result = _adaptive_max_pool(x, _output_sizes(name, output_size, tuple(x.shape[2:])), return_indices)
    if unbatched:
        result = tuple(ops.squeeze(r, 0) for r in result) if return_indices else ops.squeeze(result, 0)
    return result


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum over each of ``output_size`` adaptive windows of (N, C, H, W) or (C, H, W) input (windows as
    ``adaptive_avg_pool2d``'s; None in ``output_size`` keeps that input size). With ``return_indices``, also
    where each maximum is, as the flat position ``h * W + w`` within its (H, W) plane."""
    return _adaptive_max_pool_nd("adaptive_max_pool2d", input, output_size, return_indices, 2)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` over (N, C, D, H, W) or (C, D, H, W) input; positions ``(d * H + h) * W + w``."""
    return _adaptive_max_pool_nd("adaptive_max_pool3d", input, output_size, return_indices, 3)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The maximum over each of ``output_size`` adaptive windows along L of (N, C, L) or (C, L) input (and the
    positions, with ``return_indices``): ``adaptive_max_pool2d`` on a height-1 image."""
    _check_pool_input("adaptive_max_pool1d", input, (2, 3))
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"adaptive_max_pool1d() argument 'output_size' should contain one int (got "
                               f"{len(output_size)})")
        output_size = output_size[0]
    result = adaptive_max_pool2d(ops.unsqueeze(input, -2), (1, output_size), return_indices)
    if return_indices:
        return tuple(ops.squeeze(r, -2) for r in result)
    return ops.squeeze(result, -2)


# ------------------------------------------------------------------------------------------- pixel shuffle

def _check_shuffle(name, input, factor, what):
    if not isinstance(factor, numbers.Integral) or isinstance(factor, bool) or factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           "dimension(s)")
    return int(factor)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): each group of r² channels becomes an r x r block of pixels (the
    rearrangement behind sub-pixel convolution upsampling)."""
    r = _check_shuffle("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = ops.reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = ops.permute(x, tuple(range(k)) + tuple(k + i for i in (0, 3, 1, 4, 2)))   # (*, C, H, r, W, r)
    return ops.reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): the inverse of ``pixel_shuffle``."""
    r = _check_shuffle("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *lead, c, h, w = input.shape
    for what, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
                               f"input.size({dim})={size} is not divisible by {r}")
    k = len(lead)
    x = ops.reshape(input, (*lead, c, h // r, r, w // r, r))
    x = ops.permute(x, tuple(range(k)) + tuple(k + i for i in (0, 2, 4, 1, 3)))   # (*, C, r, r, H, W)
    return ops.reshape(x, (*lead, c * r * r, h // r, w // r))


# ----------------------------------------------------------------------------------------- unfold and fold

def _patch_geometry(name, kernel_size, dilation, padding, stride):
    kernel, dilation = _pair(name, kernel_size, "kernel_size"), _pair(name, dilation, "dilation")
    padding, stride = _pair(name, padding, "padding"), _pair(name, stride, "stride")
    for what, pair, low in (("kernel", kernel, 1), ("dilation", dilation, 1), ("stride", stride, 1),
                            ("padding", padding, 0)):
        if min(pair) < low:
            raise RuntimeError(f"{name}: {what} should be {'non-negative' if low == 0 else 'greater than zero'}, "
                               f"but got {what}_height: {pair[0]} {what}_width: {pair[1]}")
    return kernel, dilation, padding, stride


def _patch_positions(image_hw, kernel, dilation, padding, stride, name):
    """Where every patch tap reads in the padded image: rows (KH, 1, OH, 1) and columns (1, KW, 1, OW) — they
    broadcast to (KH, KW, OH, OW) — and the number of patches (OH, OW)."""
    blocks = tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                   for size, k, d, p, s in zip(image_hw, kernel, dilation, padding, stride))
    if min(blocks) < 1:
        raise RuntimeError(f"{name}: Given input with spatial size {tuple(image_hw)}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding blocks "
                           f"as {blocks}, but its components must be at least one.")
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dilation, stride, blocks
    rows = (numpy.arange(kh) * dh)[:, None, None, None] + (numpy.arange(oh) * sh)[None, None, :, None]
    cols = (numpy.arange(kw) * dw)[None, :, None, None] + (numpy.arange(ow) * sw)[None, None, None, :]
    return rows, cols, blocks


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every sliding ``kernel_size`` patch of (N, C, H, W) or (C, H, W) input, flattened into a column:
    (N, C·KH·KW, L) with L the number of patches (row ``(c·KH + p)·KW + q`` is tap (p, q) of channel c) — the
    im2col of convolution. Zero padding."""
    if not is_tensor(input) or input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: "
                           f"{describe(input) if is_tensor(input) else type(input).__name__}")
    kernel, dilation, padding, stride = _patch_geometry("unfold", kernel_size, dilation, padding, stride)
    x = ops.unsqueeze(input, 0) if input.ndim == 3 else input
    n, c, h, w = x.shape
    rows, cols, (oh, ow) = _patch_positions((h, w), kernel, dilation, padding, stride, "unfold")
    padded = ops.pad(x, (padding[1], padding[1], padding[0], padding[0]))
    patches = ops.getitem(padded, (slice(None), slice(None), _int_tensor(rows, x.device), _int_tensor(cols, x.device)))
    out = ops.reshape(patches, (n, c * kernel[0] * kernel[1], oh * ow))       # (N, C, KH, KW, OH, OW) flattened
    return ops.squeeze(out, 0) if input.ndim == 3 else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of ``unfold``: put every column of (N, C·KH·KW, L) or (C·KH·KW, L) input back as a patch of
    an (N, C, H, W) image of size ``output_size``, adding where patches overlap (col2im)."""
    if not is_tensor(input) or input.ndim not in (2, 3):
        raise RuntimeError(f"fold: Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: "
                           f"{describe(input) if is_tensor(input) else type(input).__name__}")
    kernel, dilation, padding, stride = _patch_geometry("fold", kernel_size, dilation, padding, stride)
    h, w = _pair("fold", output_size, "output_size")
    cols_in = ops.unsqueeze(input, 0) if input.ndim == 2 else input
    n, ckk, length = cols_in.shape
    taps = kernel[0] * kernel[1]
    if ckk % taps:
        raise RuntimeError(f"fold: Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={ckk} and kernel_size={kernel}.")
    rows, cols, (oh, ow) = _patch_positions((h, w), kernel, dilation, padding, stride, "fold")
    if length != oh * ow:
        raise RuntimeError(f"fold: Given output_size={(h, w)}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {oh} * {ow} = {oh * ow}, but got "
                           f"input.size(2)={length}.")
    c = ckk // taps
    hp, wp = h + 2 * padding[0], w + 2 * padding[1]
    # the flat position in the padded image of every (tap, patch) entry, the same for every sample and channel
    where = numpy.broadcast_to(rows * wp + cols, (kernel[0], kernel[1], oh, ow)).reshape(-1)
    where = ops.broadcast_to(_int_tensor(where, input.device), (n, c, where.size))
    image = ops.scatter_add(zeros(n, c, hp * wp, dtype=input.dtype, device=input.device), 2, where,
                            ops.reshape(cols_in, (n, c, taps * length)))
    inside = (slice(None), slice(None), slice(padding[0], padding[0] + h), slice(padding[1], padding[1] + w))
    image = ops.getitem(ops.reshape(image, (n, c, hp, wp)), inside)
    return ops.squeeze(image, 0) if input.ndim == 2 else image
