"""The rest of TF1's ``tf.nn`` that training code meets: moments from sufficient statistics and weighted moments,
the Poisson loss, N-D and dilated (atrous) convolution with the two halves of its gradient, N-D pooling and
``fused_batch_norm`` (CTC is in ctc_ops.py). Importing this module adds them to ``tf.nn``.

Everything is composed of ``minidl.ops`` and of the ``tf.nn`` functions already written, so gradients come from
the ops' VJPs. Dilated pooling (``pool`` with ``dilation_rate``) needs more than composition: no pooling op of the
library skips entries, so the windows are cut with ``unfold_windows`` and every ``rate``-th entry of each is kept.
"""
import math
import numbers

import numpy

from .. import ops
from ..ops.im2col import conv_out_size
from .array_ops import shape as shape_of
from .basics import stop_gradient
from .conv_ops import avg_pool1d, avg_pool3d, conv1d, conv2d_transpose, conv3d, max_pool1d, max_pool3d
from .core import rank_error
from .math_ops import (FLOATS, REALS, axis_arg, check_dtype, constant_value, deprecated_alias, matching_pair, tf_op,
                       to_tensor)
from .nn_ops import nn
from .nn_training import (_channels_last, _fmt, _hw, _op_name, _pad_extra, _pads, _to_nchw, avg_pool,
                          batch_normalization, conv2d, max_pool, with_rank)


def _dims(x, axes):
    """``axes`` (an int or a list, negatives allowed) as a tuple without repeats, counted from 0 when x's rank is
    known."""
    dims = axis_arg(axes)
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    if x.shape.rank_known:
        dims = tuple(d % len(x.shape) for d in dims)
    return tuple(dict.fromkeys(dims))


def _count(x, dims, dtype):
    """How many entries of ``x`` lie along ``dims`` (the product of its sizes there) as a ``dtype`` scalar: a
    constant where the graph knows those sizes, else read from ``tf.shape(x)`` when the graph runs."""
    sizes = [x.shape[d] for d in dims] if x.shape.rank_known else [None]
    if None not in sizes:
        return to_tensor(numpy.array(math.prod(sizes), dtype=dtype))
    return ops.prod(ops.cast(ops.getitem(shape_of(x), (list(dims),)), dtype))


# ============================================================================================ moments

@tf_op("sufficient_statistics")
def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """The sums from which the mean and variance of ``x`` over ``axes`` follow, in one pass over x::

        count   = the number of entries reduced (a scalar of x's dtype)
        mean_ss = Σ (x - shift),      var_ss = Σ (x - shift)²           (no shift: Σ x and Σ x²)

    Returns ``(count, mean_ss, var_ss, shift)`` (``shift`` as given, None stays None); ``normalize_moments`` turns
    them into the mean and the variance. A ``shift`` near the mean keeps Σ x² - (Σ x)² / n from cancelling away
    the variance's digits when the mean is large against the spread."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    dims = _dims(x, axes)
    keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
    centred = x
    if shift is not None:
        x, shift = matching_pair("Sub", x, shift, ("x", "shift"))
        centred = ops.sub(x, shift)
    return (_count(x, dims, x.dtype), ops.sum(centred, dims, keepdim), ops.sum(ops.square(centred), dims, keepdim),
            shift)


@tf_op("normalize")
def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """``(mean, variance)`` from ``sufficient_statistics``::

        shifted_mean = mean_ss / counts,     mean = shifted_mean + shift
        variance     = variance_ss / counts - shifted_mean²

    (the variance of x - shift is that of x: shifting moves the mean only). The variance is the biased one,
    divided by the count."""
    mean_ss = check_dtype(to_tensor(mean_ss), FLOATS, "mean_ss")
    divisor = ops.reciprocal(to_tensor(counts, mean_ss.dtype))
    shifted_mean = ops.mul(mean_ss, divisor)
    variance = ops.sub(ops.mul(to_tensor(variance_ss, mean_ss.dtype), divisor), ops.square(shifted_mean))
    mean = shifted_mean if shift is None else ops.add(shifted_mean, to_tensor(shift, mean_ss.dtype))
    return mean, variance


@tf_op("weighted_moments")
def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """``(mean, variance)`` of ``x`` over ``axes`` with each entry counted ``frequency_weights`` times (the weights
    broadcast against x)::

        mean = Σ w·x / Σ w,       variance = Σ w·(x - mean)² / Σ w

    where Σ w sums the weights as broadcast to x's shape, so a weight shared by a row counts once per entry. A
    float16 ``x`` is reduced in float32 and the results cast back, as TF does."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    dims = _dims(x, axes)
    keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
    half = x.dtype == numpy.float16
    if half:
        x = ops.cast(x, "float32")
    weights = ops.cast(to_tensor(frequency_weights), x.dtype)
    total_weight = ops.sum(ops.add(weights, ops.zeros_like(x)), dims, keepdim=True)
    mean = ops.div(ops.sum(ops.mul(weights, x), dims, keepdim=True), total_weight)
    variance = ops.div(ops.sum(ops.mul(weights, ops.square(ops.sub(x, mean))), dims, keepdim=True), total_weight)
    if not keepdim:
        mean, variance = ops.squeeze(mean, dims), ops.squeeze(variance, dims)
    if half:
        mean, variance = ops.cast(mean, "float16"), ops.cast(variance, "float16")
    return mean, variance


# ============================================================================================ Poisson loss

@tf_op("log_poisson_loss")
def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """The negative log-likelihood of counts ``targets`` under Poisson distributions of mean exp(``log_input``),
    elementwise. -log P(t | λ) = λ - t·log λ + log(t!); without ``compute_full_loss`` the last term, which does
    not depend on the input, is left out::

        loss = exp(log_input) - targets · log_input

    With it, log(t!) is added as Stirling's approximation t·log t - t + ½·log(2π·t), except where 0 <= t <= 1,
    where it adds 0 (log 0! = log 1! = 0; the formula would be off there, and NaN at 0)."""
    log_input, targets = matching_pair("log_poisson_loss", log_input, targets, ("log_input", "targets"))
    check_dtype(log_input, FLOATS, "log_input")
    if not targets.shape.is_compatible_with(log_input.shape):
        raise ValueError(f"log_input and targets must have the same shape ({log_input.shape} vs {targets.shape})")
    loss = ops.sub(ops.exp(log_input), ops.mul(log_input, targets))
    if not compute_full_loss:
        return loss
    small = ops.logical_and(ops.ge(targets, 0), ops.le(targets, 1))
    # Stirling's formula is evaluated at 1 where it is not used: at t = 0 its log would make the gradient NaN
    # even though ``where`` discards the value
    t = ops.where(small, ops.ones_like(targets), targets)
    stirling = ops.add(ops.sub(ops.mul(t, ops.log(t)), t), ops.mul(ops.log(ops.mul(t, 2 * math.pi)), 0.5))
    return ops.add(loss, ops.where(small, ops.zeros_like(targets), stirling))


# ============================================================================================ convolution

_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}  # channels last, channels first


def _padding(padding):
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: \"SAME\", "
                         f"\"VALID\"")
    return padding


def _per_axis(value, n, what):
    """``strides`` or ``dilation_rate`` of ``convolution`` and ``pool``: None (all 1), an int, or n ints."""
    values = [1] * n if value is None else [value] * n if isinstance(value, numbers.Integral) else list(value)
    if len(values) != n:
        raise ValueError(f"len({what})={len(values)} but should be {n}")
    if min(values) < 1:
        raise ValueError(f"all values of {what} must be positive, got {what}={value}")
    return [int(v) for v in values]


def _strides_and_rates(n, strides, dilation_rate):
    strides, rates = _per_axis(strides, n, "strides"), _per_axis(dilation_rate, n, "dilation_rate")
    if max(strides) > 1 and max(rates) > 1:
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    return strides, rates


@tf_op("convolution")
def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None, name=None, data_format=None,
                filters=None, dilations=None):
    """N-D cross-correlation, N = 1, 2 or 3 (the filter's rank - 2), of ``input`` [batch, spatial..., in_channels]
    (or [batch, in_channels, spatial...] when ``data_format`` starts with "NC") with ``filter``
    [spatial..., in_channels, out_channels]::

        out[b, x_1..x_N, k] = Σ over z, q of filter[z_1..z_N, q, k] · input[b, x_1·s_1 + z_1·r_1, ..., q]

    over the input padded by ``padding`` ("SAME" or "VALID"), with ``strides`` s and ``dilation_rate`` r (N ints
    each, default 1; an int stands for N equal ones). Strides and dilations > 1 do not mix, as in TF. It is
    ``conv1d``, ``conv2d`` or ``conv3d``; TF computes a dilated one by space-to-batch, which gives the same
    numbers as the dilated convolution computed here."""
    x, w = matching_pair("Conv", input, deprecated_alias(filters, filter, "filters", "filter"), ("input", "filter"))
    check_dtype(x, FLOATS, "input")
    rank = w.shape.rank if w.shape.rank_known else x.shape.rank
    if rank is None:
        raise ValueError(f"{_op_name()}: the rank of input or filter must be known")
    if rank not in (3, 4, 5):
        raise ValueError(f"{_op_name()}: the filter must have rank 3, 4 or 5 (a 1-, 2- or 3-D convolution), got "
                         f"shape {_fmt(w.shape)}")
    for t, what in ((x, "input"), (w, "filter")):
        if t.shape.rank_known and len(t.shape) != rank:
            raise ValueError(f"{what} tensor must have rank {rank}, got shape {_fmt(t.shape)} (input {_fmt(x.shape)}, "
                             f"filter {_fmt(w.shape)})")
    n = rank - 2
    channels_first = data_format is not None and data_format.startswith("NC")
    in_channels = x.shape[1 if channels_first else n + 1] if x.shape.rank_known else None
    filter_depth = w.shape[n] if w.shape.rank_known else None
    if None not in (in_channels, filter_depth) and in_channels != filter_depth:
        raise ValueError(f"number of input channels does not match corresponding dimension of filter, {in_channels} "
                         f"!= {filter_depth} (input {_fmt(x.shape)}, filter {_fmt(w.shape)})")
    strides, rates = _strides_and_rates(n, strides, deprecated_alias(dilations, dilation_rate, "dilations",
                                                                     "dilation_rate"))
    padding = _padding(padding)
    if n == 1:
        return conv1d(x, w, strides[0], padding, data_format=data_format, dilations=rates[0])
    data_format = data_format or _FORMATS[n][0]
    return (conv2d if n == 2 else conv3d)(x, w, strides, padding, data_format=data_format, dilations=rates)


@tf_op("atrous_conv2d")
def atrous_conv2d(value, filters, rate, padding, name=None):
    """2-D convolution of NHWC ``value`` with ``filters`` [height, width, in_channels, out_channels] whose taps sit
    ``rate`` pixels apart ("à trous": with holes)::

        out[b, i, j, k] = Σ over p, q, c of value[b, i + rate·p, j + rate·q, c] · filters[p, q, c, k]

    A k×k filter then sees a (k - 1)·rate + 1 wide window with no more weights and no loss of resolution (no
    stride): DeepLab's dense features. ``convolution`` with ``dilation_rate=[rate, rate]``."""
    return convolution(value, filters, padding, dilation_rate=[rate, rate])


def _required(**arguments):
    for what, value in arguments.items():
        if value is None:
            raise TypeError(f"{_op_name()}: missing required argument '{what}'")


@tf_op("Conv2DBackpropInput")
def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """The gradient of ``conv2d(input, filter, strides, padding)`` with respect to its ``input``, given the
    gradient ``out_backprop`` of its output; ``input_sizes`` is the input's shape (4 ints in data_format order)::

        d_input = A_wᵀ out_backprop        (A_w: the convolution with the filter, as a linear map)

    which is the transposed convolution: ``conv2d_transpose(out_backprop, filter, input_sizes, ...)``, built on
    the op library's ``conv_transpose2d`` (the same routine as the convolution's VJP)."""
    _required(out_backprop=out_backprop)
    return conv2d_transpose(out_backprop, deprecated_alias(filters, filter, "filters", "filter"), input_sizes,
                            strides, padding, data_format, dilations=dilations)


@tf_op("Conv2DBackpropFilter")
def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                           data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``conv2d(input, filter, strides, padding)`` with respect to its ``filter`` (of shape
    ``filter_sizes`` [height, width, in_channels, out_channels]), given the gradient ``out_backprop`` of its
    output: each weight meets every input pixel it multiplied::

        d_filter[p, q, c, k] = Σ over b, i, j of input[b, i·sh + p·dh, j·sw + q·dw, c] · out_backprop[b, i, j, k]

    The op library's ``conv2d_grad_weight`` (the convolution's VJP for its weight) on the input padded as
    ``conv2d`` pads it. ``filter_sizes`` must be known when the graph is built (a list, a constant, or
    ``tf.shape`` of a filter whose shape is known)."""
    sizes = constant_value(filter_sizes, "filter_sizes")
    if numpy.ndim(sizes) != 1 or len(sizes) != 4:
        raise ValueError(f"{_op_name()}: filter_sizes must be 4 ints [height, width, in_channels, out_channels], got "
                         f"{filter_sizes!r}")
    height, width, in_channels, out_channels = (int(s) for s in sizes)
    grad = filter_gradient(("Conv2DBackpropFilter", "Conv2DCustomBackpropFilter"), input, out_backprop,
                           (out_channels, in_channels, height, width), list(sizes), strides, padding, data_format,
                           dilations, 1)
    return ops.permute(grad, (2, 3, 1, 0))  # OIHW -> HWIO


def filter_gradient(op_names, input, out_backprop, weight_shape, filter_sizes, strides, padding, data_format, dilations,
                    groups):
    """The gradient of a 2-D convolution (``groups`` of them side by side) with respect to its weight, of the op
    library's ``weight_shape`` (out_channels, in_channels / groups, height, width): the op library's
    ``conv2d_grad_weight`` on ``input`` padded as ``conv2d`` pads it. Shared with the depthwise backprop;
    ``op_names`` (TF's op, its kernel) and ``filter_sizes`` (as the caller got it) are for the messages."""
    op_name, kernel_name = op_names
    x, g = matching_pair(op_name, input, out_backprop, ("input", "out_backprop"))
    check_dtype(x, FLOATS, "input")
    x = with_rank(x, 4, "input")
    g = with_rank(g, 4, "out_backprop")
    out_channels, in_per_group, height, width = weight_shape
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    stride, dilation = _hw(strides, "strides", channels_last), _hw(dilations, "dilations", channels_last)
    input_shape, backprop_shape = x.shape, g.shape
    x, g = _to_nchw(x, channels_last), _to_nchw(g, channels_last)
    for what, actual, expected in (("input depth", x.shape[1], in_per_group * groups),
                                   ("out_backprop depth", g.shape[1], out_channels)):
        if actual is not None and actual != expected:
            raise ValueError(f"{_op_name()}: {what} {actual} does not match filter_sizes {filter_sizes} (input "
                             f"{_fmt(input_shape)}, out_backprop {_fmt(backprop_shape)}, {data_format})")
    pads = _pads(padding, x, (height, width), stride, dilation, channels_last, at_run_time=True)
    x, padding = _pad_extra(x, pads, 0)
    for axis, (k, s, d, p) in enumerate(zip((height, width), stride, dilation, padding)):
        size, actual = x.shape[2 + axis], g.shape[2 + axis]
        computed = None if size is None else conv_out_size(size, k, s, 2 * p, d)
        if None not in (actual, computed) and actual != computed:
            raise ValueError(f"{kernel_name}: Size of out_backprop doesn't match computed: actual = {actual}, "
                             f"computed = {computed} spatial_dim: {axis + 1} input: {input_shape} filter: {k} "
                             f"stride: {s} dilation: {d}")
    shape_donor = to_tensor(numpy.zeros(weight_shape, dtype=x.dtype))
    return ops.conv2d_grad_weight(g, x, shape_donor, stride=stride, padding=padding, dilation=dilation,
                                  groups=groups)


# ================================================================================================ pooling

_POOLS = {("MAX", 1): max_pool1d, ("MAX", 2): max_pool, ("MAX", 3): max_pool3d,
          ("AVG", 1): avg_pool1d, ("AVG", 2): avg_pool, ("AVG", 3): avg_pool3d}


def _dilated_pool(x, window, rates, pooling_type, first_spatial):
    """VALID, stride-1 pooling over windows whose taps are ``rates`` apart. Along each spatial axis
    ``unfold_windows`` cuts every run of (k - 1)·rate + 1 entries into a new last dim, of which every rate-th entry
    is a tap; the max or mean is then taken over the N tap dims."""
    for i, (k, r) in enumerate(zip(window, rates)):
        axis, extent = first_spatial + i, (k - 1) * r + 1
        if not x.shape.rank_known or x.shape[axis] is None:
            raise rank_error(x)(f"{_op_name()}: dilated pooling needs the spatial sizes known when the graph is built, "
                                f"got input shape {_fmt(x.shape)}")
        if x.shape[axis] < extent:
            raise ValueError(f"Negative dimension size caused by subtracting {extent} from {x.shape[axis]} for "
                             f"'{_op_name()}' (input shape {_fmt(x.shape)}, window {window}, dilation_rate {rates})")
        x = ops.getitem(ops.unfold_windows(x, axis, extent, 1), (Ellipsis, slice(None, None, r)))
    taps = tuple(range(-len(window), 0))
    return ops.amax(x, taps) if pooling_type == "MAX" else ops.mean(x, taps)


@tf_op("pool")
def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None, name=None, data_format=None,
         dilations=None):
    """N-D pooling, N = len(window_shape) = 1, 2 or 3: the maximum (``pooling_type="MAX"``) or mean ("AVG") of
    each window of ``input`` [batch, spatial..., channels] (or channels first, ``data_format`` "NC...")::

        out[b, x_1..x_N, c] = reduce over z of input[b, x_1·s_1 + z_1·r_1, ..., c],   0 <= z_i < window_shape[i]

    ``strides`` s and ``dilation_rate`` r: N ints each (default 1). As in TF, a dilated pool has strides 1 and
    "VALID" padding, and no stride exceeds its window. Without dilation it is ``max_pool1d`` / ``max_pool`` /
    ``max_pool3d`` (or the ``avg_`` ones: SAME's padding is not averaged in); with dilation see ``_dilated_pool``."""
    x = to_tensor(input)
    window = [int(k) for k in window_shape]
    n = len(window)
    if not 1 <= n <= 3:
        raise ValueError(f"It is required that 1 <= num_spatial_dims <= 3, got window_shape {window_shape}")
    if x.shape.rank_known and len(x.shape) != n + 2:
        raise ValueError(f"Shape must be rank {n + 2} but is rank {len(x.shape)} for '{_op_name()}' (input shape "
                         f"{_fmt(x.shape)}, window_shape {window})")
    strides, rates = _strides_and_rates(n, strides, deprecated_alias(dilations, dilation_rate, "dilations",
                                                                     "dilation_rate"))
    if _padding(padding) == "SAME" and max(rates) > 1:
        raise ValueError("pooling with SAME padding is not implemented for dilation_rate > 1")
    if any(s > k for s, k in zip(strides, window)):
        raise ValueError(f"strides > window_shape not supported due to inconsistency between CPU and GPU "
                         f"implementations (strides {strides}, window_shape {window})")
    if (pooling_type, n) not in _POOLS:
        raise ValueError(f'{n}-D {pooling_type} pooling is not supported (pooling_type must be "MAX" or "AVG")')
    check_dtype(x, REALS if pooling_type == "MAX" else FLOATS, "input")
    channels_first = data_format is not None and data_format.startswith("NC")
    if max(rates) > 1:
        return _dilated_pool(x, window, rates, pooling_type, 2 if channels_first else 1)
    def full(values):  # the N-list as the pools' N+2 list, 1 for the batch and the channels
        return [1, 1] + values if channels_first else [1] + values + [1]
    return _POOLS[pooling_type, n](x, full(window), full(strides), padding, data_format=data_format or _FORMATS[n][0])


# ==================================================================================== fused batch norm

def _per_channel(value, what, channels, dtype):
    """A 1-D per-channel argument of ``fused_batch_norm``: ``dtype``, ``channels`` long."""
    t = check_dtype(to_tensor(value, dtype), (dtype.name,), what)
    if t.shape.rank_known and len(t.shape) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(t.shape)} for '{_op_name()}' ({what} shape "
                         f"{_fmt(t.shape)})")
    if t.shape.rank_known and None not in (channels, t.shape[0]) and channels != t.shape[0]:
        raise ValueError(f"Dimensions must be equal, but are {channels} and {t.shape[0]} for '{_op_name()}': x has "
                         f"{channels} channels, {what} has shape {_fmt(t.shape)}")
    return t


@tf_op("FusedBatchNormV3")
def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC", is_training=True,
                     name=None):
    """Batch normalization of a 4-D ``x`` per channel, in one call (cuDNN's fused kernel in TF)::

        y = scale · (x - μ) / sqrt(σ² + epsilon) + offset

    Returns ``(y, batch_mean, batch_var)``.

    * ``is_training=True`` (``mean`` and ``variance`` must be None): μ and σ² are the batch's, over N, H and W,
      and y uses the **biased** σ² (divided by n = N·H·W). But ``batch_var`` is the **unbiased** n / (n - 1) · σ²
      (Bessel's correction; factor 1 when n = 1): TF's kernel returns it so that a moving average of it estimates
      the population variance. ``batch_mean`` is μ.
    * ``is_training=False``: μ and σ² are the given ``mean`` and ``variance`` (the moving averages), returned as
      they came.

    As in TF, gradients reach ``x``, ``scale`` and ``offset`` through ``y`` only: none flows from the returned
    statistics, nor into the given ``mean`` and ``variance``.

    ``epsilon`` below 1.001e-5 is raised to it (cuDNN's minimum, which TF enforces on every device). A float16
    ``x`` is normalized in float32, with float32 ``scale``, ``offset``, ``mean`` and ``variance`` and float32
    statistics, as TF does; unlike TF, float64 works too (with float64 parameters)."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    x = with_rank(x, 4, "x")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    if is_training and (mean is not None or variance is not None):
        raise ValueError("Both 'mean' and 'variance' must be None if is_training is True.")
    if not is_training and (mean is None or variance is None):
        raise ValueError("fused_batch_norm: 'mean' and 'variance' (the population statistics) must be given if "
                         "is_training is False")
    dtype = numpy.dtype("float32") if x.dtype == numpy.float16 else x.dtype
    channels = x.shape[3 if channels_last else 1]
    scale, offset = (_per_channel(v, what, channels, dtype) for v, what in ((scale, "scale"), (offset, "offset")))
    values = ops.cast(x, dtype) if dtype != x.dtype else x
    dims = (0, 1, 2) if channels_last else (0, 2, 3)
    if is_training:
        mean, variance = ops.mean(values, dims), ops.var(values, dims, correction=0)
    else:  # (TF's gradient of the fused op goes to x, scale and offset only)
        mean, variance = (stop_gradient(_per_channel(v, what, channels, dtype))
                          for v, what in ((mean, "mean"), (variance, "variance")))

    def broadcast(v):  # a per-channel vector against NCHW
        return v if channels_last else ops.reshape(v, (-1, 1, 1))
    y = batch_normalization(values, broadcast(mean), broadcast(variance), broadcast(offset), broadcast(scale),
                            max(float(epsilon), 1.001e-5))
    if dtype != x.dtype:
        y = ops.cast(y, x.dtype)
    if is_training:  # the batch statistics come out as values: TF's gradient reaches x through y alone
        n = _count(x, dims, dtype)
        mean = stop_gradient(mean)
        variance = stop_gradient(ops.div(ops.mul(variance, n), ops.maximum(ops.sub(n, 1), ops.ones_like(n))))
    return y, mean, variance


for _fn in (sufficient_statistics, normalize_moments, weighted_moments, log_poisson_loss, convolution, atrous_conv2d,
            conv2d_backprop_input, conv2d_backprop_filter, pool, fused_batch_norm):
    setattr(nn, _fn.__name__, _fn)

__all__ = []  # everything is reached through tf.nn
