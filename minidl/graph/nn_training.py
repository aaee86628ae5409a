"""``tf.nn`` for training: convolution and pooling, dropout, the cross-entropies, moments, batch normalization and
embedding lookup, as thin layers over ``minidl.ops``. Importing this module adds them to the ``tf.nn`` namespace.

**Layouts.** TF stores images NHWC (channels last) and filters HWIO (height, width, in, out); the op library, like
PyTorch, wants NCHW and OIHW. So ``conv2d`` and the pools permute on the way in and back on the way out (numpy
permutes by striding, without a copy), except with ``data_format="NCHW"``. Strides, window sizes and dilations
may be an int, a pair, or TF's 4-list in ``data_format`` order, whose batch and channel entries must be 1.

**SAME padding** (TF's rule, also for strides > 1). The output has ceil(in / stride) positions along each axis,
and the padding needed for that is::

    pad_total = max((ceil(in / stride) - 1) * stride + (k - 1) * dilation + 1 - in, 0)

split ``pad_total // 2`` before and the rest after: an odd total puts the extra row at the bottom (column at the
right). The op library pads equally on both sides, so the equal part goes to the op and the extra row/column is
padded here (zeros for a convolution, -inf for max pooling, which then never wins). Average pooling divides each
window by the number of real pixels in it: padding does not count, as in TF.

**Dropout's randomness** is a graph random op: ``keep = random_uniform(noise_shape) >= rate`` is True with
probability 1 - rate. It draws a fresh mask on every ``Session.run``, is reproducible under
``tf.set_random_seed`` or ``seed=``, and within one run the gradient reads the very mask the forward used.
"""
import numbers
from collections import namedtuple

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.cross_entropy import NOTHING_IGNORED
from .array_ops import shape as shape_of
from .basics import control_dependencies, stop_gradient
from .check_ops import Assert
from .core import Tensor, TensorShape, UnknownRankError, get_default_graph
from .dynamic_slicing import pad_at_run_time
from .math_extras import ensure_shape
from .math_ops import (FLOATS, REALS, axis_arg, cast, check_dtype, deprecated_alias, graph_tensor, matching_pair,
                       normalize_axis, tf_op, to_tensor)
from .nn_ops import nn
from .random_ops import random_uniform
from .segment_ops import lowest_value


def _fmt(shape):
    """A static shape as TF's messages print it: ``[?,28,28,1]``."""
    return "<unknown>" if not shape.rank_known else "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _op_name():
    """The name of the op being built (its name scope, opened by ``tf_op``), for TF-style messages."""
    return get_default_graph().get_name_scope() or "op"


# ============================================================================================= layout helpers

def _channels_last(data_format, last, first):
    """True for the channels-last ``data_format`` (NHWC), False for channels-first (NCHW)."""
    if data_format not in (last, first):
        raise ValueError(f"Value for attr 'data_format' of \"{data_format}\" is not in the list of allowed values: "
                         f"\"{last}\", \"{first}\"")
    return data_format == last


def _to_nchw(x, channels_last):
    return ops.permute(x, (0, 3, 1, 2)) if channels_last else x


def _from_nchw(y, channels_last):
    return ops.permute(y, (0, 2, 3, 1)) if channels_last else y


def _as_given(shape, channels_last):
    """A channels-first static ``shape`` (as the op library computes) in the layout the caller gave, for messages:
    ``[1,2,2,3] (NHWC)``."""
    spatial = "DHW"[3 - (len(shape) - 2):]
    if channels_last:
        return f"{_fmt(TensorShape([shape[0], *shape[2:], shape[1]]))} (N{spatial}C)"
    return f"{_fmt(shape)} (NC{spatial})"


def _hw(value, what, channels_last):
    """A window argument (an int, or a list of 1, 2 or 4 ints) as the pair (along H, along W)."""
    if value is None:
        raise TypeError(f"{_op_name()}: missing required argument '{what}'")
    values = [value] if isinstance(value, numbers.Integral) else list(value)
    if len(values) == 4:
        batch, channel = values[0], values[3] if channels_last else values[1]
        if batch != 1 or channel != 1:
            raise ValueError(f"Current implementation does not yet support {what} in the batch and depth "
                             f"dimensions (got {what}={list(values)}).")
        values = values[1:3] if channels_last else values[2:]
    if len(values) not in (1, 2):
        raise ValueError(f"{what} should be of length 1, 2 or 4 but was {len(values)}")
    values = tuple(int(v) for v in (values * 2 if len(values) == 1 else values))
    if min(values) < 1:
        raise ValueError(f"{what} must be positive, got {value}")
    return values


def with_rank(x, rank, what):
    """``x``, which must have ``rank`` dims: checked now where the graph knows its rank; otherwise assumed, as TF's
    shape functions assume it, and checked when the graph runs (``ensure_shape``), so that the op builds on a
    known number of (unknown) dims."""
    if not x.shape.rank_known:
        return ensure_shape(x, [None] * rank)
    if len(x.shape) != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {len(x.shape)} for '{_op_name()}' ({what} shape "
                         f"{_fmt(x.shape)})")
    return x


class SamePadsAtRunTime(namedtuple("SamePadsAtRunTime", "stride extent")):
    """In ``_pads``' result: the "SAME" padding of a dim whose size is known only when the graph runs (with a
    stride above 1 it depends on that size); ``_pad_extra`` pads it then."""


def _pads(padding, x, kernel, stride, dilation, channels_last, explicit_allowed=False, at_run_time=False):
    """((top, bottom), (left, right)) for ``x`` (NCHW) under "VALID", "SAME", or (conv2d) an explicit list
    ``[[0, 0], [top, bottom], [left, right], [0, 0]]`` in data_format order. With ``at_run_time``, a "SAME" dim
    of unknown size and a stride above 1 gets a ``SamePadsAtRunTime`` (which only ``_pad_extra`` takes)."""
    if explicit_allowed and isinstance(padding, (list, tuple)):
        pairs = [tuple(p) for p in padding]
        if len(pairs) != 4 or any(len(p) != 2 for p in pairs):
            raise ValueError(f"When padding is a list, it must be of size 4, each element a list/tuple of size 2; "
                             f"got {padding}")
        spatial = pairs[1:3] if channels_last else pairs[2:]
        if any(pairs[i] != (0, 0) for i in ((0, 3) if channels_last else (0, 1))):
            raise ValueError(f"Nonzero explicit padding in the batch or depth dimensions is not supported, got "
                             f"{padding}")
        return tuple((int(a), int(b)) for a, b in spatial)
    if padding not in ("SAME", "VALID"):
        allowed = '"SAME", "VALID", "EXPLICIT"' if explicit_allowed else '"SAME", "VALID"'
        raise ValueError(f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
                         f"{allowed}" + (" (explicit padding is a list of 4 [before, after] pairs)"
                                         if explicit_allowed else ""))
    pads = []
    for n, k, s, d in zip(x.shape[2:], kernel, stride, dilation):
        extent = (k - 1) * d + 1  # how far one window reaches
        if padding == "VALID":
            if n is not None and n < extent:
                raise ValueError(f"Negative dimension size caused by subtracting {extent} from {n} for "
                                 f"'{_op_name()}' (input shape {_as_given(x.shape, channels_last)}, window "
                                 f"{kernel})")
            pads.append((0, 0))
            continue
        if n is None and s != 1 and at_run_time:
            pads.append(SamePadsAtRunTime(s, extent))
            continue
        if n is None and s != 1:
            raise ValueError(f"{_op_name()}: SAME padding with stride {s} needs the input's height and width known "
                             f"when the graph is built, got input shape {_as_given(x.shape, channels_last)}")
        total = extent - 1 if n is None else max((-(-n // s) - 1) * s + extent - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _pad_extra(x, pads, value):
    """Split ``pads`` into the part the op library takes (equal on both sides: returned) and the rest, which is
    padded onto ``x`` here with ``value``. Returns (x, the op's pads per spatial dim). ``SamePadsAtRunTime`` in
    ``pads``: all the padding is added here, computed from x's sizes when the graph runs (TF's "SAME":
    ceil(n / stride) windows, the odd pixel at the bottom/right)."""
    if any(isinstance(pair, SamePadsAtRunTime) for pair in pads):
        paddings = [[0, 0], [0, 0]]
        for axis, pair in enumerate(pads):
            if isinstance(pair, SamePadsAtRunTime):
                n = shape_of(x)[2 + axis]
                windows = ops.floor_divide(ops.add(n, pair.stride - 1), pair.stride)
                total = ops.maximum(ops.sub(ops.add(ops.mul(ops.sub(windows, 1), pair.stride), pair.extent), n), 0)
                before = ops.floor_divide(total, 2)
                pair = (before, ops.sub(total, before))
            paddings.append(list(pair))
        padded = pad_at_run_time(x, paddings, 0)
        if value != 0:  # (an infinite fill cannot go through pad_at_run_time's arithmetic: mark the padding instead)
            real = pad_at_run_time(ops.ones_like(ops.getitem(x, (slice(0, 1), slice(0, 1)))), paddings, 0)
            padded = ops.where(ops.gt(real, 0), padded, ops.full_like(padded, value))
        return padded, (0,) * len(pads)
    common = tuple(min(pair) for pair in pads)
    return _pad_all(x, [(a - c, b - c) for (a, b), c in zip(pads, common)], value), common


def _pad_all(x, pads, value=0):
    """``x`` (batch, channels, then the spatial dims) with all of ``pads`` (a (before, after) pair or a
    ``SamePadsAtRunTime`` per spatial dim) of ``value`` added: for the ops that take no padding of their own."""
    if any(isinstance(pair, SamePadsAtRunTime) for pair in pads):
        return _pad_extra(x, pads, value)[0]
    if not any(before or after for before, after in pads):
        return x
    return ops.pad(x, tuple(amount for pair in reversed(pads) for amount in pair), value=value)


# ============================================================================================ convolution, pooling

@tf_op("Conv2D")
def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
           dilations=(1, 1, 1, 1), name=None, filters=None):
    """2-D cross-correlation of ``input`` [batch, in_height, in_width, in_channels] (NHWC; or NCHW) with
    ``filter`` [filter_height, filter_width, in_channels, out_channels] (HWIO)::

        out[b, i, j, o] = sum over p, q, c of input[b, i*sh + p*dh, j*sw + q*dw, c] * filter[p, q, c, o]

    over the padded input. ``padding``: "SAME" (ceil(in / stride) outputs, see the module docstring), "VALID"
    (no padding) or an explicit list of [before, after] pairs. An input with a multiple of the filter's
    in_channels is a grouped convolution, as in TF."""
    x, w = matching_pair("Conv2D", input, deprecated_alias(filters, filter, "filters", "filter"),
                         ("input", "filter"))
    check_dtype(x, FLOATS, "input")
    x = with_rank(x, 4, "input")
    w = with_rank(w, 4, "filter")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    stride = _hw(strides, "strides", channels_last)
    dilation = _hw(dilations, "dilations", channels_last)
    input_shape, x = x.shape, _to_nchw(x, channels_last)
    in_depth, filter_depth = x.shape[1], w.shape[2]
    if None not in (in_depth, filter_depth) and in_depth % filter_depth:
        raise ValueError(f"Depth of input ({in_depth}) is not a multiple of input depth of filter ({filter_depth}) "
                         f"for '{_op_name()}' (op: 'Conv2D') with input shapes: {_fmt(input_shape)}, "
                         f"{_fmt(w.shape)}.")
    if None in tuple(w.shape[:2]):
        raise ValueError(f"{_op_name()}: the filter's height and width must be known, got {_fmt(w.shape)}")
    x, padding = _pad_extra(x, _pads(padding, x, w.shape[:2], stride, dilation, channels_last, True, True), 0)
    groups = 1 if None in (in_depth, filter_depth) else in_depth // filter_depth
    checks = []
    if None in (in_depth, filter_depth):  # known when the graph runs; the groups (an attr) are decided now: 1
        depths = [shape_of(t)[d] if n is None else n for t, d, n in ((x, 1, in_depth), (w, 2, filter_depth))]
        checks.append(Assert(ops.eq(*depths), ["input depth must equal filter depth (a grouped convolution needs "
                                               "the input depth known when the graph is built):", depths[0], "vs.",
                                               depths[1]]))
    with control_dependencies(checks):
        y = ops.conv2d(x, ops.permute(w, (3, 2, 0, 1)), stride=stride, padding=padding, dilation=dilation,
                       groups=groups)
    return _from_nchw(y, channels_last)


def _pool(value, input, ksize, strides, padding, data_format, pool, allowed):
    """Shared by the pools: check, go to NCHW, pool with ``pool(x, kernel, stride, pads)``, come back."""
    x = check_dtype(to_tensor(deprecated_alias(input, value, "input", "value")), allowed, "input")
    x = with_rank(x, 4, "input")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    kernel, stride = _hw(ksize, "ksize", channels_last), _hw(strides, "strides", channels_last)
    x = _to_nchw(x, channels_last)
    pads = _pads(padding, x, kernel, stride, (1, 1), channels_last, at_run_time=True)
    return _from_nchw(pool(x, kernel, stride, pads), channels_last)


def _max(x, kernel, stride, pads):
    lowest = lowest_value(x.dtype)  # padding never wins
    x, padding = _pad_extra(x, pads, lowest)
    return ops.max_pool2d(x, kernel, stride, padding)


def _avg(x, kernel, stride, pads):
    padded, padding = _pad_extra(x, pads, 0)
    y = ops.avg_pool2d(padded, kernel, stride, padding, count_include_pad=False)
    if padded is x:
        return y
    # The op counted the zeros padded here as pixels. Pooling ones padded the same way gives, per window, the
    # fraction of its pixels that are real; dividing by it leaves (sum of the real pixels) / (their number).
    ones, _ = _pad_extra(ops.ones_like(ops.getitem(x, (slice(0, 1), slice(0, 1)))), pads, 0)
    return ops.div(y, ops.avg_pool2d(ones, kernel, stride, padding, count_include_pad=False))


@tf_op("MaxPool")
def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC", name=None, input=None):
    """The maximum of each ``ksize`` window of ``value`` (NHWC, or NCHW), moved by ``strides``; "SAME" or
    "VALID" padding (padded positions never win)."""
    return _pool(value, input, ksize, strides, padding, data_format, _max, REALS)


@tf_op("MaxPool2d")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """``max_pool`` with TF 2's argument names."""
    return _pool(None, input, ksize, strides, padding, data_format, _max, REALS)


@tf_op("MaxPoolWithArgmax")
def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", Targmax=None, name=None,
                         output_dtype=None, include_batch_in_index=False):
    """``(output, argmax)``: ``max_pool`` of the NHWC ``input``, and where each maximum is, as a flat position in
    the input: ``(y·W + x)·C + c``, plus ``b·H·W·C`` with ``include_batch_in_index`` (what SegNet-style unpooling
    scatters back to). ``Targmax`` (or TF 2's ``output_dtype``): int64 (default) or int32. The gradient flows to
    ``input`` through ``output``."""
    if data_format != "NHWC":
        raise ValueError(f"max_pool_with_argmax: data_format must be NHWC, got {data_format!r}")
    index_dtype = dtypes.as_dtype(Targmax or output_dtype or "int64")
    if index_dtype.name not in ("int32", "int64"):
        raise TypeError(f"max_pool_with_argmax: Targmax must be int32 or int64, got {index_dtype.name}")
    x = check_dtype(to_tensor(input), REALS, "input")
    x = with_rank(x, 4, "input")
    height, width, channels = (x.shape[i] for i in (1, 2, 3))
    if None in (height, width, channels):
        raise ValueError(f"max_pool_with_argmax needs the height, width and channels known, got {x.shape}")
    kernel, stride = _hw(ksize, "ksize", True), _hw(strides, "strides", True)
    nchw = _to_nchw(x, True)
    pads = _pads(padding, nchw, kernel, stride, (1, 1), True)
    lowest = lowest_value(x.dtype)  # padding never wins
    padded, common = _pad_extra(nchw, pads, lowest)
    values, at = ops.max_pool2d(padded, kernel, stride, common, return_indices=True)
    # ``at`` is h*W' + w in the plane _pad_extra padded by (top, left); back to the input's rows and columns
    top, left = pads[0][0] - common[0], pads[1][0] - common[1]
    padded_width = width + pads[1][0] + pads[1][1] - 2 * common[1]
    row, column = ops.sub(ops.floor_divide(at, padded_width), top), ops.sub(ops.remainder(at, padded_width), left)
    index = ops.add(ops.mul(ops.add(ops.mul(row, width), column), channels),
                    to_tensor(numpy.arange(channels, dtype=numpy.int64).reshape(1, -1, 1, 1)))
    if include_batch_in_index:  # the batch position 0, 1, ... of each window, from a cumulative count
        batch = ops.sub(ops.cumsum(ops.ones_like(ops.getitem(at, (slice(None), slice(0, 1)))), 0), 1)
        index = ops.add(index, ops.mul(batch, height * width * channels))
    return _from_nchw(values, True), cast(_from_nchw(index, True), index_dtype)


@tf_op("AvgPool")
def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC", name=None, input=None):
    """The mean of each ``ksize`` window of ``value`` (NHWC, or NCHW), moved by ``strides``. Under "SAME" each
    window is divided by the number of real (not padded) values in it."""
    return _pool(value, input, ksize, strides, padding, data_format, _avg, FLOATS)


@tf_op("AvgPool2D")
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """``avg_pool`` with TF 2's argument names."""
    return _pool(None, input, ksize, strides, padding, data_format, _avg, FLOATS)


# ==================================================================================================== dropout

def keep_mask(x, rate, noise_shape=None, seed=None):
    """A bool tensor, True (keep) with probability 1 - ``rate``, shaped ``noise_shape`` (default: x's shape,
    read at run time; a noise_shape with 1s shares one decision along those dims; a None in it stands for x's
    size there, as in TF): one random draw per run."""
    shape = shape_of(x) if noise_shape is None else noise_shape
    if isinstance(shape, (list, tuple)) and any(d is None for d in shape):
        sizes = shape_of(x)
        shape = [sizes[i] if d is None else d for i, d in enumerate(shape)]
    return ops.ge(random_uniform(shape, dtype=x.dtype, seed=seed), rate)  # P(u >= rate) = 1 - rate


def masked_dropout(x, rate, mask):
    """x * mask / (1 - rate): zero the dropped elements, scale the kept ones so that the expectation is x.

    A Python ``rate`` is a static attribute of the op library's ``dropout`` op. A rate known only at run time (a
    placeholder: TF1's ``keep_prob`` idiom, fed 0.5 to train and 1.0 to evaluate) cannot be one, so then dropout
    is composed from ordinary ops, as TF itself defines it."""
    if isinstance(rate, Tensor):
        return ops.div(ops.mul(x, cast(mask, x.dtype)), ops.sub(1, rate))
    return ops.dropout(x, rate, mask=mask)


def dropout_rate(x, keep_prob=None, rate=None):
    """The drop probability from exactly one of ``rate`` and ``keep_prob``: a float in [0, 1), or a tensor of
    x's dtype. (``x`` is checked too: dropout scales it, so it must hold floats.)"""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'")
    if not dtypes.is_floating_point(x.dtype):
        raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a {x.dtype.name} "
                         f"tensor instead.")
    def scalar(t):  # a tensor rate as a 0-d tensor of x's dtype (a placeholder without a shape gets that shape)
        return ops.reshape(cast(t, x.dtype), ())

    if keep_prob is not None:
        keep = graph_tensor(keep_prob)
        if keep is None and (isinstance(keep_prob, bool) or not isinstance(keep_prob, numbers.Real) or
                             not 0 < keep_prob <= 1):
            raise ValueError(f"keep_prob must be a scalar tensor or a float in the range (0, 1], got {keep_prob}")
        rate = 1 - keep_prob if keep is None else ops.sub(1, scalar(keep))
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    if graph_tensor(rate) is not None:
        return scalar(graph_tensor(rate))
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate}")
    return float(rate)


@tf_op("dropout")
def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """During training, zero each element of ``x`` with probability ``rate`` (or 1 - ``keep_prob``: give exactly
    one of them) and multiply the rest by 1 / (1 - rate). Either may be a tensor (a placeholder fed at run time).
    ``noise_shape`` shapes the random mask, which broadcasts over x."""
    x = to_tensor(x)
    rate = dropout_rate(x, keep_prob, rate)
    return masked_dropout(x, rate, keep_mask(x, rate, noise_shape, seed))


# ============================================================================================== cross-entropies

def _class_axis_second(t, axis):
    """``t`` with dim ``axis`` moved to position 1, where the op library looks for classes (others keep their
    order, so the loss comes out shaped like the logits without ``axis``, as in TF)."""
    if t.ndim < 2 or axis == 1:
        return t
    rest = [d for d in range(t.ndim) if d != axis]
    return ops.permute(t, [rest[0], axis] + rest[1:])


def _softmax_xent(labels, logits, axis, labels_get_gradient):
    logits, labels = matching_pair("SoftmaxCrossEntropyWithLogits", logits, labels, ("features", "labels"))
    # the two have one shape: one of rank unknown until run time (``tf.placeholder("float")``) takes the other's,
    # checked when it is fed
    if not labels.shape.rank_known and logits.shape.rank_known:
        labels = ensure_shape(labels, logits.shape)
    elif not logits.shape.rank_known and labels.shape.rank_known:
        logits = ensure_shape(logits, labels.shape)
    elif not logits.shape.rank_known:
        raise UnknownRankError("softmax_cross_entropy_with_logits: the ranks of both logits and labels are unknown "
                               "until run time, so the class axis cannot be found; give one of their placeholders a "
                               "shape")
    if not labels_get_gradient:
        labels = stop_gradient(labels)
    check_dtype(logits, FLOATS, "features")
    if logits.shape.rank == 0:
        raise ValueError("Logits cannot be scalars - received shape ().")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must be broadcastable: logits_size={_fmt(logits.shape)} "
                         f"labels_size={_fmt(labels.shape)}")
    axis = normalize_axis(-1 if axis is None else axis, logits.ndim)
    return ops.cross_entropy(_class_axis_second(logits, axis), _class_axis_second(labels, axis), reduction="none")


@tf_op("softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """Per-example cross-entropy ``-sum(labels * log_softmax(logits), axis)`` (default axis: the last), computed
    stably in one fused op; shaped like ``logits`` without ``axis``. Each row of ``labels`` should be a
    probability distribution. Gradients flow into ``logits`` **and** ``labels``."""
    return _softmax_xent(labels, logits, deprecated_alias(axis, dim, "axis", "dim"), labels_get_gradient=True)


def _named_only(fn_name, sentinel):
    if sentinel is not None:
        raise ValueError(f"Only call `{fn_name}` with named arguments (labels=..., logits=..., ...)")


@tf_op("softmax_cross_entropy_with_logits_sg")
def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None, axis=None):
    """TF1's version of ``softmax_cross_entropy_with_logits_v2``: the same loss, but no gradient flows into
    ``labels`` (they pass through ``stop_gradient``). Call it with named arguments."""
    _named_only("softmax_cross_entropy_with_logits", _sentinel)
    axis = deprecated_alias(axis, None if dim == -1 else dim, "axis", "dim")
    return _softmax_xent(labels, logits, axis, labels_get_gradient=False)


@tf_op("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Per-example cross-entropy ``-log_softmax(logits)[label]`` for class indices ``labels`` (int32/int64,
    shaped like ``logits`` without its last dim, each in [0, num_classes)), in one fused op."""
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel)
    logits, labels = to_tensor(logits), to_tensor(labels)
    check_dtype(logits, FLOATS, "features")
    check_dtype(labels, ("int32", "int64"), "labels")
    if logits.shape.rank == 0:
        raise ValueError("Logits cannot be scalars - received shape ().")
    if labels.shape.rank_known and logits.shape.rank_known:
        if len(labels.shape) != len(logits.shape) - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {len(labels.shape)}) should equal rank of "
                             f"logits minus 1 (received {len(logits.shape)}).")
        if not labels.shape.is_compatible_with(logits.shape[:-1]):
            raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) should equal the "
                             f"shape of logits except for the last dimension (received {logits.shape}).")
    elif logits.shape.rank_known:  # labels of a rank known only when fed: checked then
        labels = ensure_shape(labels, logits.shape[:-1])
    checks = []
    if logits.shape.rank_known and not (labels.shape.is_fully_defined() and logits.shape[:-1].is_fully_defined()):
        # dims known when the graph runs, where numpy would broadcast them or fail deep inside
        logits_shape, labels_shape = shape_of(logits), shape_of(labels)
        same = ops.all(ops.eq(ops.getitem(logits_shape, slice(0, -1)), labels_shape))
        checks.append(Assert(same, ["logits and labels must have the same first dimension, got logits shape",
                                    logits_shape, "and labels shape", labels_shape]))
    with control_dependencies(checks):
        return ops.cross_entropy(_class_axis_second(logits, logits.ndim - 1), labels, reduction="none",
                                 ignore_index=NOTHING_IGNORED)


@tf_op("logistic_loss")
def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Per-element binary cross-entropy of ``sigmoid(logits)`` against ``labels`` in [0, 1] (independent classes,
    e.g. multi-label), computed without overflow as ``max(x, 0) - x * z + log(1 + exp(-|x|))``."""
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel)
    logits, labels = matching_pair("logistic_loss", logits, labels, ("logits", "labels"))
    check_dtype(logits, FLOATS, "logits")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})")
    return ops.binary_cross_entropy_with_logits(logits, labels, reduction="none")


@tf_op("logistic_loss")
def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None, targets=None):
    """``sigmoid_cross_entropy_with_logits`` with the positive term weighted by ``pos_weight`` (> 1 favours
    recall, < 1 precision)::

        pos_weight * z * -log(sigmoid(x)) + (1 - z) * -log(1 - sigmoid(x))
          = (1 - z) x + (1 + (pos_weight - 1) z) log(1 + exp(-x))          (computed without overflow)

    ``targets`` is TF1's old name of ``labels``."""
    labels = deprecated_alias(labels, targets, "labels", "targets")
    logits, labels = matching_pair("logistic_loss", logits, labels, ("logits", "labels"))
    check_dtype(logits, FLOATS, "logits")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})")
    _, pos_weight = matching_pair("logistic_loss", logits, pos_weight, ("logits", "pos_weight"))
    return ops.binary_cross_entropy_with_logits(logits, labels, reduction="none", pos_weight=pos_weight)


# ====================================================================================== moments, normalization

@tf_op("moments")
def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """``(mean, variance)`` of ``x`` over ``axes``; the variance is the biased one (divided by N), the one batch
    normalization uses. ``keepdims`` keeps the reduced dims with size 1."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    dims = axis_arg(axes)
    keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
    return ops.mean(x, dims, keepdim), ops.var(x, dims, keepdim=keepdim, correction=0)


@tf_op("batchnorm")
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """``(x - mean) / sqrt(variance + variance_epsilon) * scale + offset``, broadcasting (offset and scale may be
    None). Computed as ``x * inv + (offset - mean * inv)`` with ``inv = scale / sqrt(variance + epsilon)``, so the
    full-sized work is one multiply and one add."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    mean, variance = to_tensor(mean, x.dtype), to_tensor(variance, x.dtype)
    inv = ops.rsqrt(ops.add(variance, variance_epsilon))
    if scale is not None:
        inv = ops.mul(inv, to_tensor(scale, x.dtype))
    shift = ops.neg(ops.mul(mean, inv))
    if offset is not None:
        shift = ops.add(shift, to_tensor(offset, x.dtype))
    return ops.add(ops.mul(x, inv), shift)


@tf_op("embedding_lookup")
def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None):
    """The rows of ``params`` [vocabulary, dim] at the integer ``ids`` (any shape): shaped ``ids.shape + [dim]``.
    Its gradient adds into the rows looked up (a row looked up twice gets both).

    ``params`` may be a list of P tensors that split the vocabulary (TF1's partitioned variables): with
    ``partition_strategy="mod"`` id p is row p // P of part p % P; with ``"div"`` the parts hold consecutive ids.
    ``max_norm`` rescales each looked-up row whose L2 norm is larger to that norm."""
    parts = [to_tensor(p) for p in (params if isinstance(params, (list, tuple)) else [params])]
    if not parts:
        raise ValueError("embedding_lookup: params must hold at least one tensor")
    ids = check_dtype(to_tensor(ids), ("int32", "int64"), "ids")
    table, ids = (parts[0], ids) if len(parts) == 1 else _one_table(parts, ids, partition_strategy)
    rows = ops.embedding(ids, table)
    if max_norm is None:
        return rows
    from .clip_ops import clip_by_norm  # clip_ops comes after this module in the import order
    return clip_by_norm(rows, max_norm, axes=[-1])


def _one_table(parts, ids, partition_strategy):
    """The partitions joined into one table, and ``ids`` as positions in it: "div" parts are joined in id order
    already; for "mod", id p sits at (start of part p % P) + p // P, a position read from a constant map."""
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"embedding_lookup: partition_strategy must be 'mod' or 'div', got {partition_strategy!r}")
    sizes = [p.shape[0] for p in parts]
    if None in sizes:
        raise ValueError("embedding_lookup: partitioned params need known first dims (their vocabulary sizes)")
    table = ops.cat(parts, 0)
    if partition_strategy == "div":
        return table, ids
    count, starts = len(parts), numpy.cumsum([0] + sizes[:-1])
    position_of = numpy.array([starts[p % count] + p // count for p in range(sum(sizes))], dtype=ids.dtype)
    return table, ops.getitem(to_tensor(position_of), ids)


for _fn in (conv2d, max_pool, max_pool2d, max_pool_with_argmax, avg_pool, avg_pool2d, dropout,
            softmax_cross_entropy_with_logits, softmax_cross_entropy_with_logits_v2,
            sparse_softmax_cross_entropy_with_logits, sigmoid_cross_entropy_with_logits,
            weighted_cross_entropy_with_logits, moments, batch_normalization, embedding_lookup):
    setattr(nn, _fn.__name__, _fn)
