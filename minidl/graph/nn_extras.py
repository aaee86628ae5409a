"""More of ``tf.nn``: local response normalization, ``zero_fraction``, ``swish``, ``crelu``, and the depthwise and
separable convolutions (with their layer, ``tf.layers.separable_conv2d``) — compositions of ``minidl.ops`` and
of ``tf.nn.conv2d``. Importing this module adds them to ``tf.nn`` and ``tf.layers``.

**Depthwise convolution** filters each input channel on its own: a filter [kh, kw, in_channels, multiplier] gives
every input channel c its own ``multiplier`` filters, and output channel ``c * multiplier + m`` is input channel
c convolved with ``filter[:, :, c, m]``. That is a *grouped* convolution with one group per input channel, which
``tf.nn.conv2d`` already is when its filter has depth 1: the filter reshaped to [kh, kw, 1, in_channels *
multiplier] (row-major, so column ``c * multiplier + m`` is ``filter[:, :, c, m]``).

**Separable convolution** is a depthwise convolution followed by a 1x1 ("pointwise") convolution that mixes the
channels: far fewer weights than one full convolution (MobileNet's building block).
"""
from .. import ops
from ..ops.windows import sliding_sum
from .core import get_default_graph
from .initializers import Zeros
from .layer_classes import _layer_class
from .layers import _channels, _data_format, _finish, _float_input, _no_constraints, _padding, _pair
from . import layers
from .math_ops import FLOATS, REALS, check_dtype, deprecated_alias, matching_pair, tf_op, to_tensor
from .nn_ops import bias_add, nn
from .nn_training import _channels_last, _hw, conv2d, with_rank
from .variable_scope import get_variable, layer_scope


# ============================================================================================ activations

@tf_op("swish")
def swish(features, name=None):
    """``features * sigmoid(features)`` (also called SiLU): smooth, non-monotonic, unbounded above."""
    return ops.silu(check_dtype(to_tensor(features), FLOATS, "features"))


@tf_op("CRelu")
def crelu(features, name=None, axis=-1):
    """Concatenated ReLU: ``concat([relu(x), relu(-x)], axis)`` — keeps the negative part as separate features,
    so the result has twice x's size along ``axis``."""
    x = check_dtype(to_tensor(features), REALS, "features")
    return ops.cat([ops.relu(x), ops.relu(ops.neg(x))], axis)


@tf_op("zero_fraction")
def zero_fraction(value, name=None):
    """The fraction of entries of ``value`` that are 0, as a float32 scalar (the sparsity summary of activations:
    ``tf.summary.scalar("sparsity", tf.nn.zero_fraction(h))``)."""
    x = to_tensor(value)
    return ops.mean(ops.cast(ops.eq(x, 0), "float32"))


# ==================================================================================== local response norm

@tf_op("LRN")
def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None):
    """Each entry divided by a power of the energy of its neighbours across channels (AlexNet's normalization),
    for a 4-D NHWC ``input``::

        sqr_sum[b, i, j, d] = sum of input[b, i, j, d']² for d' in [d - depth_radius, d + depth_radius]
        output = input / (bias + alpha * sqr_sum) ** beta

    (channels past the first and last count as 0). Unlike PyTorch's ``local_response_norm``, alpha multiplies the
    sum itself, not its mean over the window (both use the op library's ``sliding_sum``)."""
    x = check_dtype(to_tensor(input), FLOATS, "input")
    x = with_rank(x, 4, "input")
    channels = x.shape[3]
    if channels is None:
        raise ValueError(f"{get_default_graph().get_name_scope()}: the depth (last dim) of the input must be known, "
                         f"got {x.shape}")
    radius = int(depth_radius)
    sqr_sum = sliding_sum(ops.square(x), 3, radius, radius)
    return ops.div(x, ops.pow(ops.add(ops.mul(sqr_sum, alpha), bias), beta))


lrn = local_response_normalization


# ============================================================================================ convolutions

def _rate(rate, dilations, channels_last):
    """The dilation pair from TF1's ``rate`` ([rate_h, rate_w]) or its newer spelling ``dilations``."""
    value = deprecated_alias(dilations, rate, "dilations", "rate")
    return (1, 1) if value is None else _hw(value, "rate", channels_last)


@tf_op("depthwise")
def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None, dilations=None):
    """Convolve each of the ``in_channels`` channels of ``input`` (NHWC, or NCHW) with its own ``multiplier``
    filters from ``filter`` [filter_height, filter_width, in_channels, channel_multiplier]::

        out[b, i, j, c * multiplier + m] = sum over p, q of input[b, i*sh + p*rh, j*sw + q*rw, c] * filter[p, q, c, m]

    ``strides`` and ``padding`` as for ``tf.nn.conv2d``; ``rate`` (or ``dilations``) dilates the filter, and
    then the strides must be 1. The output has in_channels * channel_multiplier channels."""
    data_format = data_format or "NHWC"
    x, w = matching_pair("DepthwiseConv2dNative", input, filter, ("input", "filter"))
    check_dtype(x, FLOATS, "input")
    x = with_rank(x, 4, "input")
    w = with_rank(w, 4, "filter")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    dilation = _rate(rate, dilations, channels_last)
    if dilation != (1, 1) and _hw(strides, "strides", channels_last) != (1, 1):
        raise ValueError("strides > 1 not supported in conjunction with rate > 1")
    in_channels, (height, width, depth, multiplier) = x.shape[3 if channels_last else 1], w.shape
    if None in (height, width, depth, multiplier):
        raise ValueError(f"{get_default_graph().get_name_scope()}: the filter's shape must be known, got {w.shape}")
    if in_channels is None:  # conv2d needs it to see that each channel is its own group
        raise ValueError(f"{get_default_graph().get_name_scope()}: the number of input channels must be known, got "
                         f"input shape {x.shape}")
    if in_channels != depth:
        raise ValueError(f"Dimensions must be equal, but are {in_channels} and {depth} for "
                         f"'{get_default_graph().get_name_scope()}' (op: 'DepthwiseConv2dNative') with input shapes: "
                         f"{x.shape}, {w.shape}.")
    grouped = ops.reshape(w, (height, width, 1, depth * multiplier))
    return conv2d(x, grouped, strides, padding, data_format=data_format, dilations=dilation)


@tf_op("separable_conv2d")
def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None):
    """A depthwise convolution (``depthwise_filter`` [kh, kw, in_channels, multiplier], with ``strides``,
    ``padding`` and ``rate``) followed by a 1x1 convolution with ``pointwise_filter`` [1, 1, in_channels *
    multiplier, out_channels] that mixes the channels."""
    data_format = data_format or "NHWC"
    pointwise = to_tensor(pointwise_filter)
    pointwise = with_rank(pointwise, 4, "pointwise_filter")
    if tuple(pointwise.shape[:2]) != (1, 1):
        raise ValueError(f"The pointwise filter must have shape [1, 1, in_channels * channel_multiplier, "
                         f"out_channels], got {pointwise.shape}")
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate, data_format=data_format,
                                 dilations=dilations)
    return conv2d(depthwise, pointwise, 1, "VALID", data_format=data_format)


def separable_conv2d_layer(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                           data_format="channels_last", dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                           use_bias=True, depthwise_initializer=None, pointwise_initializer=None,
                           bias_initializer=Zeros(), depthwise_regularizer=None, pointwise_regularizer=None,
                           bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                           pointwise_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """``tf.layers.separable_conv2d``: a separable convolution layer with ``filters`` output channels. Its variables
    (under the scope ``separable_conv2d``, ``separable_conv2d_1``...): ``depthwise_kernel`` [kh, kw, in_channels,
    depth_multiplier], ``pointwise_kernel`` [1, 1, in_channels * depth_multiplier, filters] and ``bias``
    [filters]; the other arguments as for ``tf.layers.conv2d``."""
    _no_constraints(depthwise_constraint, pointwise_constraint, bias_constraint)
    x = _float_input(inputs, "separable_conv2d", ndim=4)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    kernel_size, strides = _pair(kernel_size, "kernel_size"), _pair(strides, "strides")
    dilation_rate, padding = _pair(dilation_rate, "dilation_rate"), _padding(padding)
    multiplier = int(depth_multiplier)
    with layer_scope(name, "separable_conv2d", reuse):
        depthwise = get_variable("depthwise_kernel", list(kernel_size) + [channels, multiplier], x.dtype,
                                 depthwise_initializer, depthwise_regularizer, trainable)
        pointwise = get_variable("pointwise_kernel", [1, 1, channels * multiplier, int(filters)], x.dtype,
                                 pointwise_initializer, pointwise_regularizer, trainable)
        y = separable_conv2d(x, depthwise, pointwise, strides, padding, data_format=tf_format,
                             dilations=dilation_rate)
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(filters)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable), data_format=tf_format)
        return _finish(y, activation, activity_regularizer)


separable_conv2d_layer.__name__ = separable_conv2d_layer.__qualname__ = "separable_conv2d"  # (the layer's name)

for _fn in (swish, crelu, zero_fraction, local_response_normalization, depthwise_conv2d, separable_conv2d):
    setattr(nn, _fn.__name__, _fn)
nn.lrn = lrn
layers.separable_conv2d = separable_conv2d_layer
layers.SeparableConv2D = layers.SeparableConvolution2D = _layer_class("SeparableConv2D", separable_conv2d_layer)

__all__ = []  # everything is reached through tf.nn and tf.layers
