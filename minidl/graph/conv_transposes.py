"""The other transposed convolutions of ``tf.nn``: ``conv1d_transpose``, ``conv3d_transpose``,
``atrous_conv2d_transpose``, and the two halves of the depthwise convolution's gradient
(``depthwise_conv2d_native_backprop_input`` / ``_filter``). Importing this module adds them to ``tf.nn``.

Each is ``conv2d_transpose``'s recipe (conv_ops.py: the op library's full transposed convolution, then TF's
padding cut off its edges) in another shape:

* 1-D: a sequence is an image one pixel high, as in ``conv1d``.
* 3-D: the same with one more spatial axis, on ``conv_transpose3d``.
* atrous: a transposed convolution with stride 1 whose filter taps sit ``rate`` apart (a dilation).
* depthwise: a depthwise convolution is a grouped one (each input channel its own group of ``multiplier``
  outputs), so its input gradient is the grouped transposed convolution and its filter gradient the grouped
  ``conv2d_grad_weight``.

Gradients come from the op library's VJPs of those ops.
"""
from .. import ops
from .conv_ops import (_as_2d, _channels_last_1d, _dhw, _from_ncdhw, _output_dims, _to_ncdhw, conv2d_transpose,
                       transposed_convolution)
from .math_ops import FLOATS, check_dtype, constant_value, deprecated_alias, matching_pair, tf_op, to_tensor
from .nn_extras import depthwise_conv2d
from .nn_more import filter_gradient
from .nn_ops import nn
from .nn_training import _channels_last, _fmt, _from_nchw, _hw, _op_name, _to_nchw, with_rank


def _required(output_shape):
    if output_shape is None:
        raise TypeError(f"{_op_name()}: missing required argument 'output_shape'")


@tf_op("conv1d_transpose")
def conv1d_transpose(input=None, filters=None, output_shape=None, strides=None, padding="SAME", data_format="NWC",
                     dilations=None, name=None, value=None, filter=None, stride=None):
    """The transposed 1-D convolution of ``input`` [batch, width, in_channels] ("NWC"; or "NCW") with ``filters``
    [filter_width, output_channels, in_channels], giving ``output_shape`` [batch, out_width, output_channels]:
    the gradient of ``conv1d(y, filters, strides, padding)`` with respect to a ``y`` of that shape.
    (``value``/``filter``/``stride`` are TF 1.13's spellings.)"""
    x, w = matching_pair("conv1d_transpose", deprecated_alias(input, value, "input", "value"),
                         deprecated_alias(filters, filter, "filters", "filter"), ("input", "filters"))
    check_dtype(x, FLOATS, "input")
    x = with_rank(x, 3, "input")
    w = with_rank(w, 3, "filters")
    _required(output_shape)
    channels_last = _channels_last_1d(data_format)
    stride = _hw(_as_2d(deprecated_alias(strides, stride, "strides", "stride"), "strides", channels_last), "strides",
                 channels_last)
    dilation = _hw(_as_2d(1 if dilations is None else dilations, "dilations", channels_last), "dilations",
                   channels_last)
    batch, width, channels = _output_dims(output_shape, channels_last, 3)
    x = ops.unsqueeze(ops.permute(x, (0, 2, 1)) if channels_last else x, 2)  # (N, C, 1, W)
    w = ops.unsqueeze(ops.permute(w, (2, 1, 0)), 2)  # (in, out, 1, width)
    y = ops.squeeze(transposed_convolution(x, w, [batch, 1, width, channels], stride, dilation, padding), 2)
    return ops.permute(y, (0, 2, 1)) if channels_last else y


@tf_op("conv3d_transpose")
def conv3d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME", data_format="NDHWC",
                     name=None, input=None, filters=None, dilations=None):
    """The transposed 3-D convolution of ``value`` [batch, depth, height, width, in_channels] (NDHWC; or NCDHW)
    with ``filter`` [depth, height, width, output_channels, in_channels], giving ``output_shape``
    [batch, out_depth, out_height, out_width, output_channels]: the gradient of ``conv3d(y, filter, strides,
    padding)`` with respect to a ``y`` of that shape."""
    x, w = matching_pair("conv3d_transpose", deprecated_alias(input, value, "input", "value"),
                         deprecated_alias(filters, filter, "filters", "filter"), ("value", "filter"))
    check_dtype(x, FLOATS, "value")
    x = with_rank(x, 5, "value")
    w = with_rank(w, 5, "filter")
    _required(output_shape)
    channels_last = _channels_last(data_format, "NDHWC", "NCDHW")
    stride = _dhw(strides, "strides", channels_last)
    dilation = _dhw(1 if dilations is None else dilations, "dilations", channels_last)
    y = transposed_convolution(_to_ncdhw(x, channels_last), ops.permute(w, (4, 3, 0, 1, 2)),
                               _output_dims(output_shape, channels_last, 5), stride, dilation, padding)
    return _from_ncdhw(y, channels_last)


@tf_op("atrous_conv2d_transpose")
def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose (gradient) of ``atrous_conv2d(y, filters, rate, padding)`` with respect to its NHWC input
    ``y`` of ``output_shape`` [batch, out_height, out_width, out_channels]; ``filters`` is [filter_height,
    filter_width, out_channels, in_channels]. ``conv2d_transpose`` with stride 1 and the taps ``rate`` apart
    (TF computes it by space_to_batch; the result is the same)."""
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
        raise ValueError(f"rate {rate!r} cannot be less than one")
    return conv2d_transpose(value, filters, output_shape, [1, 1, 1, 1], padding, dilations=[1, rate, rate, 1])


def _depthwise_filter_shape(sizes, what):
    if not all(isinstance(s, int) for s in sizes) or len(sizes) != 4:
        raise ValueError(f"{_op_name()}: {what} must be 4 ints [filter_height, filter_width, in_channels, "
                         f"channel_multiplier], got {sizes}")
    return sizes


@tf_op("DepthwiseConv2dNative")
def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The op under ``depthwise_conv2d``: its ``strides`` and ``dilations`` are lists of 4 in data_format
    order."""
    return depthwise_conv2d(input, filter, strides, padding, data_format=data_format, dilations=dilations)


@tf_op("DepthwiseConv2dNativeBackpropInput")
def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``depthwise_conv2d_native(input, filter, strides, padding)`` with respect to its ``input``
    (of shape ``input_sizes``, 4 ints in data_format order), given the gradient ``out_backprop`` of its output:
    the transposed convolution with in_channels groups, each spreading its ``channel_multiplier`` output
    channels back onto its one input channel."""
    g, w = matching_pair("DepthwiseConv2dNativeBackpropInput", out_backprop, filter, ("out_backprop", "filter"))
    check_dtype(g, FLOATS, "out_backprop")
    g = with_rank(g, 4, "out_backprop")
    w = with_rank(w, 4, "filter")
    height, width, channels, multiplier = _depthwise_filter_shape(list(w.shape), "the filter's shape")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    stride, dilation = _hw(strides, "strides", channels_last), _hw(dilations, "dilations", channels_last)
    output_dims = _output_dims(input_sizes, channels_last)
    if output_dims[-1] != channels:
        raise ValueError(f"{_op_name()}: input_sizes has {output_dims[-1]} channels, the filter {channels} (filter "
                         f"{_fmt(w.shape)})")
    # (in, out / groups, kh, kw) of the transposed convolution: channel c * multiplier + m of out_backprop goes to
    # input channel c, the group it is in
    grouped = ops.reshape(ops.permute(ops.reshape(w, (height, width, channels * multiplier)), (2, 0, 1)),
                          (channels * multiplier, 1, height, width))
    y = transposed_convolution(_to_nchw(g, channels_last), grouped, output_dims, stride, dilation, padding,
                               groups=channels)
    return _from_nchw(y, channels_last)


@tf_op("DepthwiseConv2dNativeBackpropFilter")
def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``depthwise_conv2d_native(input, filter, strides, padding)`` with respect to its
    ``filter`` of shape ``filter_sizes`` [filter_height, filter_width, in_channels, channel_multiplier] (known
    when the graph is built), given the gradient ``out_backprop`` of its output::

        d_filter[p, q, c, m] = Σ over b, i, j of input[b, i·sh + p·dh, j·sw + q·dw, c]
                                                  · out_backprop[b, i, j, c·multiplier + m]"""
    sizes = constant_value(filter_sizes, "filter_sizes")
    height, width, channels, multiplier = _depthwise_filter_shape([int(s) for s in sizes], "filter_sizes")
    grad = filter_gradient(("DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropFilter"),
                           to_tensor(input), out_backprop, (channels * multiplier, 1, height, width),
                           [int(s) for s in sizes], strides, padding, data_format, dilations, channels)
    # (C * M, 1, kh, kw) -> (kh, kw, C, M)
    return ops.reshape(ops.permute(ops.reshape(grad, (channels * multiplier, height, width)), (1, 2, 0)),
                       (height, width, channels, multiplier))


for _fn in (conv1d_transpose, conv3d_transpose, atrous_conv2d_transpose, depthwise_conv2d_native,
            depthwise_conv2d_native_backprop_input, depthwise_conv2d_native_backprop_filter):
    setattr(nn, _fn.__name__, _fn)
