"""Keras' convolution layers beyond ``Conv1D``/``Conv2D``: the depthwise and separable ones (MobileNet's and
Xception's building blocks) and the 3-D ones (videos, volumes), with the 3-D pools.

- ``DepthwiseConv2D``: each input channel convolved with its own ``depth_multiplier`` filters
  (``depthwise_kernel`` [kh, kw, in, depth_multiplier], ``tf.nn.depthwise_conv2d``); in · depth_multiplier
  output channels and no mixing between channels;
- ``SeparableConv2D``: a depthwise convolution, then a 1x1 convolution (``pointwise_kernel`` [1, 1, in · multiplier,
  filters]) that mixes the channels — ``tf.layers.separable_conv2d``. Far fewer weights than one full
  convolution: kh·kw·in·m + in·m·filters instead of kh·kw·in·filters;
- ``SeparableConv1D``: the same on sequences, run as a 2-D one on a height-1 image (``depthwise_kernel`` [k, in,
  m], ``pointwise_kernel`` [1, in · m, filters]); ``padding="causal"`` as for ``Conv1D``;
- ``Conv3D``: ``kernel`` [kd, kh, kw, in, filters] (``tf.nn.conv3d``); ``MaxPooling3D``, ``AveragePooling3D``
  (``tf.nn.max_pool3d`` / ``avg_pool3d``) and the global 3-D pools;
- ``Conv3DTranspose``: the transposed 3-D convolution (``kernel`` [kd, kh, kw, filters, in]), the upsampling layer
  of 3-D decoders. Each spatial size n becomes Keras' ``n · stride`` ("same") or ``n · stride + max(k - stride, 0)``
  ("valid"); with ``output_padding`` p, ``(n - 1) · stride + k - 2 · pad + p`` (pad: k // 2 for "same", else 0).
  The op library's ``conv_transpose3d`` gives the full, unpadded result, (n - 1) · stride + k; what TF's
  ``conv3d_transpose`` then does with the padding of the convolution it transposes — ``total // 2`` cut at the
  front, the rest at the back, zeros added where the output is longer — is done here with ``ops.pad``.

Images are channels-last unless ``data_format="channels_first"``; the kernels are Glorot uniform and the biases
zeros, as in Keras.
"""
import numbers

from ... import ops
from .. import math_ops
from ..array_ops import expand_dims, pad, squeeze
from ..conv_ops import _from_ncdhw, _to_ncdhw, avg_pool3d, conv3d as nn_conv3d, max_pool3d
from ..initializers import Zeros
from ..layers import _channels, _data_format, _finish, _float_input, _padding, _pair, _single
from ..nn_extras import depthwise_conv2d as nn_depthwise_conv2d, separable_conv2d as nn_separable_conv2d, \
    separable_conv2d_layer
from ..nn_ops import bias_add
from ..nn_training import _pad_all
from ..variable_scope import get_variable, layer_scope
from .layers import _GLOROT, _global_pooling_class, _layer

_SEPARABLE = {"depthwise_initializer": "glorot_uniform", "pointwise_initializer": "glorot_uniform"}
_3D = {"NHWC": "NDHWC", "NCHW": "NCDHW"}  # tf.layers' 2-D names of the two layouts, as the 3-D ops spell them


def _triple(value, what):
    """An int or a tuple of 3 ints as a tuple of 3 ints (Keras' normalize_tuple for 3-D layers)."""
    values = (value,) * 3 if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != 3 or not all(isinstance(v, numbers.Integral) for v in values):
        raise ValueError(f"The `{what}` argument must be a tuple of 3 integers. Received: {value}")
    return tuple(int(v) for v in values)


def _bias(y, filters, dtype, initializer, regularizer, constraint, trainable, tf_format):
    return bias_add(y, get_variable("bias", [filters], dtype, initializer, regularizer, trainable,
                                    constraint=constraint), data_format=tf_format)


def depthwise_conv2d(inputs, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                     data_format="channels_last", activation=None, use_bias=True, depthwise_initializer=None,
                     bias_initializer=Zeros(), depthwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                     dilation_rate=(1, 1), trainable=True, name=None, reuse=None):
    """Each input channel convolved with its own ``depth_multiplier`` filters (``depthwise_kernel`` [kh, kw, in,
    depth_multiplier]), plus a ``bias`` [in · depth_multiplier]."""
    x = _float_input(inputs, "DepthwiseConv2D", ndim=4)
    tf_format = _data_format(data_format)
    channels, multiplier = _channels(x, tf_format), int(depth_multiplier)
    with layer_scope(name, "depthwise_conv2d", reuse):
        kernel = get_variable("depthwise_kernel", list(_pair(kernel_size, "kernel_size")) + [channels, multiplier],
                              x.dtype, depthwise_initializer, depthwise_regularizer, trainable,
                              constraint=depthwise_constraint)
        y = nn_depthwise_conv2d(x, kernel, _pair(strides, "strides"), _padding(padding), data_format=tf_format,
                                dilations=_pair(dilation_rate, "dilation_rate"))
        if use_bias:
            y = _bias(y, channels * multiplier, x.dtype, bias_initializer, bias_regularizer, bias_constraint,
                      trainable, tf_format)
        return _finish(y, activation, activity_regularizer)


def separable_conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                     dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=Zeros(), depthwise_regularizer=None,
                     pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None):
    """A separable convolution of sequences [batch, steps, channels]: ``depthwise_kernel`` [k, in, m], then
    ``pointwise_kernel`` [1, in · m, filters] and a ``bias`` [filters]."""
    x = _float_input(inputs, "SeparableConv1D", ndim=3)
    tf_format = _data_format(data_format)
    channels, multiplier, filters = _channels(x, tf_format), int(depth_multiplier), int(filters)
    kernel_size, rate = _single(kernel_size, "kernel_size"), _single(dilation_rate, "dilation_rate")
    if str(padding).lower() == "causal":  # as Conv1D's: output t sees the steps up to t only
        reach = rate * (kernel_size - 1)
        x = pad(x, [[0, 0], [reach, 0], [0, 0]] if tf_format == "NHWC" else [[0, 0], [0, 0], [reach, 0]])
        padding = "valid"
    height = 1 if tf_format == "NHWC" else 2  # where the height-1 dim of the image goes
    with layer_scope(name, "separable_conv1d", reuse):
        depthwise = get_variable("depthwise_kernel", [kernel_size, channels, multiplier], x.dtype,
                                 depthwise_initializer, depthwise_regularizer, trainable,
                                 constraint=depthwise_constraint)
        pointwise = get_variable("pointwise_kernel", [1, channels * multiplier, filters], x.dtype,
                                 pointwise_initializer, pointwise_regularizer, trainable,
                                 constraint=pointwise_constraint)
        y = nn_separable_conv2d(expand_dims(x, height), expand_dims(depthwise, 0), expand_dims(pointwise, 0),
                                (1, _single(strides, "strides")), _padding(padding), data_format=tf_format,
                                dilations=(1, rate))
        y = squeeze(y, [height])
        if use_bias:
            y = _bias(y, filters, x.dtype, bias_initializer, bias_regularizer, bias_constraint, trainable, tf_format)
        return _finish(y, activation, activity_regularizer)


def conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=Zeros(), kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """A 3-D convolution of [batch, depth, height, width, channels] inputs: ``kernel`` [kd, kh, kw, in, filters]
    and a ``bias`` [filters]."""
    x = _float_input(inputs, "Conv3D", ndim=5)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    with layer_scope(name, "conv3d", reuse):
        kernel = get_variable("kernel", list(_triple(kernel_size, "kernel_size")) + [channels, int(filters)],
                              x.dtype, kernel_initializer, kernel_regularizer, trainable, constraint=kernel_constraint)
        y = nn_conv3d(x, kernel, _triple(strides, "strides"), _padding(padding), data_format=_3D[tf_format],
                      dilations=_triple(dilation_rate, "dilation_rate"))
        if use_bias:
            y = _bias(y, int(filters), x.dtype, bias_initializer, bias_regularizer, bias_constraint, trainable,
                      tf_format)
        return _finish(y, activation, activity_regularizer)


def _transposed_length(n, k, stride, padding, output_padding):
    """Keras' output length of a transposed convolution (``conv_utils.deconv_output_length``)."""
    if output_padding is None:
        return n * stride + (max(k - stride, 0) if padding == "VALID" else 0)
    return (n - 1) * stride + k - 2 * (k // 2 if padding == "SAME" else 0) + output_padding


def conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid", output_padding=None,
                     data_format="channels_last", activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=Zeros(), kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None):
    """A transposed 3-D convolution: ``kernel`` [kd, kh, kw, filters, in] and a ``bias`` [filters]; the output
    sizes as the module docstring says."""
    x = _float_input(inputs, "Conv3DTranspose", ndim=5)
    tf_format, padding = _data_format(data_format), _padding(padding)
    channels, channels_last = _channels(x, tf_format), tf_format == "NHWC"
    kernel_size, strides = _triple(kernel_size, "kernel_size"), _triple(strides, "strides")
    extra = (None,) * 3 if output_padding is None else _triple(output_padding, "output_padding")
    if any(p is not None and p >= s for p, s in zip(extra, strides)):
        raise ValueError(f"Conv3DTranspose: output_padding {extra} must be smaller than the strides {strides}")
    sizes = x.shape.as_list()[1:4] if channels_last else x.shape.as_list()[2:]
    if None in sizes:
        raise ValueError(f"Conv3DTranspose: the depth, height and width of the inputs must be known, got {x.shape}")
    pads = []
    for n, k, s, p in zip(sizes, kernel_size, strides, extra):
        out, full = _transposed_length(n, k, s, padding, p), (n - 1) * s + k
        # the padding of the convolution this one transposes (TF's rule): before = total // 2, the rest after
        before = max(full - out, 0) // 2 if padding == "SAME" else 0
        pads.append((-before, out - (full - before)))  # negative: cut off; positive: zeros added
    with layer_scope(name, "conv3d_transpose", reuse):
        kernel = get_variable("kernel", list(kernel_size) + [int(filters), channels], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        # the op library's weight is (in, out, kd, kh, kw)
        full = ops.conv_transpose3d(_to_ncdhw(x, channels_last), ops.permute(kernel, (4, 3, 0, 1, 2)),
                                    stride=strides)
        y = _from_ncdhw(_pad_all(full, pads), channels_last)
        if use_bias:
            y = _bias(y, int(filters), x.dtype, bias_initializer, bias_regularizer, bias_constraint, trainable,
                      tf_format)
        return _finish(y, activation, activity_regularizer)


def _pooling3d(pool, what):
    def pooling(inputs, pool_size=(2, 2, 2), strides=None, padding="valid", data_format="channels_last", name=None):
        x = _float_input(inputs, what, ndim=5)
        size = _triple(pool_size, "pool_size")
        strides = size if strides is None else _triple(strides, "strides")
        return pool(x, size, strides, _padding(padding), data_format=_3D[_data_format(data_format)], name=name)
    pooling.__doc__ = (f"The {'maximum' if pool is max_pool3d else 'mean'} over each ``pool_size`` window of "
                       f"[batch, depth, height, width, channels] inputs, moved by ``strides`` (default: "
                       f"``pool_size``).")
    return pooling


DepthwiseConv2D = _layer("DepthwiseConv2D", depthwise_conv2d, {"depthwise_initializer": "glorot_uniform"},
                         doc=depthwise_conv2d.__doc__)
SeparableConv1D = _layer("SeparableConv1D", separable_conv1d, _SEPARABLE, doc=separable_conv1d.__doc__)
SeparableConv2D = _layer("SeparableConv2D", separable_conv2d_layer, _SEPARABLE)
Conv3D = _layer("Conv3D", conv3d, _GLOROT, doc=conv3d.__doc__)
Conv3DTranspose = _layer("Conv3DTranspose", conv3d_transpose, _GLOROT, doc=conv3d_transpose.__doc__)
_max_pooling3d, _average_pooling3d = _pooling3d(max_pool3d, "MaxPooling3D"), _pooling3d(avg_pool3d, "AveragePooling3D")
MaxPooling3D = _layer("MaxPooling3D", _max_pooling3d, doc=_max_pooling3d.__doc__)
AveragePooling3D = _layer("AveragePooling3D", _average_pooling3d, doc=_average_pooling3d.__doc__)
GlobalAveragePooling3D = _global_pooling_class("GlobalAveragePooling3D", math_ops.reduce_mean, 3)
GlobalMaxPooling3D = _global_pooling_class("GlobalMaxPooling3D", math_ops.reduce_max, 3)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
Convolution3D, Convolution3DTranspose = Conv3D, Conv3DTranspose
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D
