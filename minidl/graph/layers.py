"""``tf.layers``: TensorFlow 1's functional layers. Each call creates the layer's variables (or finds them, when
reusing) under a variable scope named after the layer, and applies the layer once::

    h = tf.layers.dense(x, 128, activation=tf.nn.relu)     # creates dense/kernel and dense/bias
    logits = tf.layers.dense(h, 10)                        # creates dense_1/kernel and dense_1/bias

**Names and sharing.** Without ``name`` a layer is named after its kind, made unique (dense, dense_1, ...): two
calls are two layers. To apply *the same* layer again (say, to the test input), give it a ``name`` and pass
``reuse=True``, or build it inside ``tf.variable_scope(scope, reuse=True)``. The variables are made by
``get_variable``, so the usual sharing errors apply ("Variable dense/kernel already exists, disallowed").

**Training or inference.** ``dropout`` and ``batch_normalization`` behave differently while training. Their
``training`` argument is a Python bool — decided now, once, while the graph is built — or a bool tensor such as
``tf.placeholder_with_default(False, ())``, decided by every ``Session.run`` through ``tf.cond``.

**Batch normalization's moving averages.** In training mode the layer normalizes with the batch's own mean and
variance, and makes assign ops that move ``moving_mean`` / ``moving_variance`` toward them::

    moving = moving * momentum + batch_statistic * (1 - momentum)

Nothing runs those ops unless asked: they are added to ``tf.GraphKeys.UPDATE_OPS``, and the TF1 idiom runs them
with every training step::

    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)

In inference mode the layer normalizes with the moving averages. The variance is the biased one (divided by N),
as ``tf.nn.moments`` gives it. (TF's fused kernel, which it picks for 4-D inputs, instead feeds the moving
variance the unbiased N / (N - 1) estimate; the difference fades with the batch size.)
"""
import numbers

from .. import ops
from ..ops.base import apply
from ..ops.reduce import ReductionSize
from .basics import identity, name_scope
from .control_flow import cond
from .core import GraphKeys, get_default_graph
from .initializers import Ones, Zeros
from .math_ops import FLOATS, cast, check_dtype, graph_tensor, matmul, normalize_axis, to_tensor
from .nn_ops import bias_add
from .array_ops import pad, shape
from .conv_ops import (avg_pool1d, avg_pool3d, conv1d as nn_conv1d, conv2d_transpose as nn_conv2d_transpose,
                       conv3d as nn_conv3d, max_pool1d, max_pool3d)
from .nn_training import (avg_pool, conv2d as nn_conv2d, dropout as nn_dropout, dropout_rate, keep_mask,
                          masked_dropout, max_pool, moments, batch_normalization as nn_batch_normalization)
from .variable_scope import get_variable, layer_scope
from .variables import assign_sub

_DATA_FORMATS = {"channels_last": "NHWC", "channels_first": "NCHW"}


# ============================================================================================ argument checks

def _data_format(data_format):
    """Keras' "channels_last"/"channels_first" as TF's "NHWC"/"NCHW"."""
    value = str(data_format).lower()
    if value not in _DATA_FORMATS:
        raise ValueError(f'The `data_format` argument must be one of "channels_first", "channels_last". Received: '
                         f'{data_format}')
    return _DATA_FORMATS[value]


def _padding(padding):
    """Keras' "valid"/"same" (any case) as TF's "VALID"/"SAME"."""
    value = str(padding).lower()
    if value not in ("valid", "same"):
        raise ValueError(f'The `padding` argument must be one of "valid", "same". Received: {padding}')
    return value.upper()


def _pair(value, what, count=2):
    """An int or a tuple of ``count`` ints (2: a pair) as a tuple of ``count`` ints (Keras' normalize_tuple)."""
    values = (value,) * count if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != count or not all(isinstance(v, numbers.Integral) for v in values):
        raise ValueError(f"The `{what}` argument must be a tuple of {count} integers. Received: {value}")
    return tuple(int(v) for v in values)


def _single(value, what):
    """An int or a tuple of 1 int as an int (Keras' normalize_tuple for 1-D layers)."""
    values = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != 1 or not isinstance(values[0], numbers.Integral):
        raise ValueError(f"The `{what}` argument must be a tuple of 1 integer. Received: {value}")
    return int(values[0])


def _float_input(inputs, layer, ndim=None):
    """The layer's input as a float tensor of known rank (``ndim`` if given), with Keras' message otherwise."""
    x = check_dtype(to_tensor(inputs), FLOATS, "inputs")
    rank = x.shape.rank
    if rank is None:
        raise ValueError(f"Input 0 of layer {layer} has an unknown rank; give its placeholder a shape")
    if ndim is not None and rank != ndim:
        raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: expected ndim={ndim}, found "
                         f"ndim={rank}. Full shape received: {x.shape}")
    return x


def _channels(x, tf_format):
    """The size of the inputs' channel dim ("NHWC": the last; "NCHW": the second), which must be known."""
    channels = x.shape[-1 if tf_format == "NHWC" else 1]
    if channels is None:
        raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
    return channels


def _no_constraints(*constraints):
    if any(c is not None for c in constraints):
        raise NotImplementedError("weight constraints (kernel_constraint, bias_constraint ...) are not supported")


def _finish(y, activation, activity_regularizer):
    """Apply the activation; an activity regularizer's penalty on the output joins REGULARIZATION_LOSSES. An
    activation given by name (``activation="relu"``) is looked up as Keras looks it up: TF 1.x's ``tf.layers`` are
    Keras layers, and take names."""
    if isinstance(activation, str):
        from .keras import activations  # (Keras is built on this module: imported when a name needs it)
        activation = activations.get(activation)
    if activation is not None:
        y = activation(y)
    if activity_regularizer is not None:
        get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, activity_regularizer(y))
    return y


# ================================================================================================== layers

def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=Zeros(),
          kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """``activation(inputs @ kernel + bias)`` with ``kernel`` [in, units] (default initializer: the variable
    scope's, else Glorot uniform) and ``bias`` [units] (zeros). Inputs with more than 2 dims are multiplied along
    their last dim."""
    x = _float_input(inputs, "dense")
    if x.shape.rank < 2:
        raise ValueError(f"Input 0 of layer dense is incompatible with the layer: expected min_ndim=2, found "
                         f"ndim={x.shape.rank}. Full shape received: {x.shape}")
    if x.shape[-1] is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
    with layer_scope(name, "dense", reuse):
        kernel = get_variable("kernel", [x.shape[-1], int(units)], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        y = matmul(x, kernel)
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(units)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable, constraint=bias_constraint))
        return _finish(y, activation, activity_regularizer)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None, bias_initializer=Zeros(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """A 2-D convolution layer: ``filters`` output channels, a ``kernel`` [kh, kw, in_channels, filters] (HWIO)
    and a ``bias`` [filters]; ``padding`` "valid" or "same" (TF's SAME rule), ``data_format`` "channels_last"
    (NHWC) or "channels_first" (NCHW)."""
    x = _float_input(inputs, "conv2d", ndim=4)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    kernel_size, strides = _pair(kernel_size, "kernel_size"), _pair(strides, "strides")
    dilation_rate, padding = _pair(dilation_rate, "dilation_rate"), _padding(padding)
    with layer_scope(name, "conv2d", reuse):
        kernel = get_variable("kernel", list(kernel_size) + [channels, int(filters)], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        y = nn_conv2d(x, kernel, strides, padding, data_format=tf_format, dilations=dilation_rate)
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(filters)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable, constraint=bias_constraint), data_format=tf_format)
        return _finish(y, activation, activity_regularizer)


def conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer=None, bias_initializer=Zeros(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """A 3-D convolution layer over volumes [batch, depth, height, width, channels] ("channels_last"; or
    "channels_first"): a ``kernel`` [kd, kh, kw, in_channels, filters] and a ``bias`` [filters]."""
    x = _float_input(inputs, "conv3d", ndim=5)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    kernel_size, padding = _pair(kernel_size, "kernel_size", 3), _padding(padding)
    strides, dilation_rate = _volume_list(strides, "strides", tf_format), _volume_list(dilation_rate,
                                                                                       "dilation_rate", tf_format)
    with layer_scope(name, "conv3d", reuse):
        kernel = get_variable("kernel", list(kernel_size) + [channels, int(filters)], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        y = nn_conv3d(x, kernel, strides, padding, data_format=_VOLUME_FORMATS[tf_format], dilations=dilation_rate)
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(filters)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable, constraint=bias_constraint), data_format=tf_format)
        return _finish(y, activation, activity_regularizer)


_VOLUME_FORMATS = {"NHWC": "NDHWC", "NCHW": "NCDHW"}


def _volume_list(value, what, tf_format):
    """A 3-D layer's per-axis argument as tf.nn's list of 5 (1 for the batch and channel dims)."""
    d, h, w = _pair(value, what, 3)
    return [1, d, h, w, 1] if tf_format == "NHWC" else [1, 1, d, h, w]


def transposed_output_shape(fn_name, x, tf_format, filters, kernel_size, strides, padding):
    """The ``output_shape`` of ``tf.nn.conv2d_transpose`` for the images ``x`` (with known height and width): each
    spatial size n becomes ``n * stride`` ("SAME") or ``n * stride + max(k - stride, 0)`` ("VALID")."""
    spatial = x.shape[1:3] if tf_format == "NHWC" else x.shape[2:]
    if None in spatial:
        raise ValueError(f"{fn_name}: the height and width of the inputs must be known, got {x.shape}")
    out_hw = [n * s + (max(k - s, 0) if padding == "VALID" else 0) for n, k, s in zip(spatial, kernel_size, strides)]
    batch = x.shape[0] if x.shape[0] is not None else shape(x)[0]
    return [batch] + out_hw + [filters] if tf_format == "NHWC" else [batch, filters] + out_hw


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None, bias_initializer=Zeros(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """A transposed 2-D convolution layer (``tf.nn.conv2d_transpose``, the upsampling layer of decoders):
    ``filters`` output channels, a ``kernel`` [kh, kw, filters, in_channels] and a ``bias`` [filters]. Each spatial
    size n becomes ``n * stride`` ("same") or ``n * stride + max(k - stride, 0)`` ("valid")."""
    x = _float_input(inputs, "conv2d_transpose", ndim=4)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    kernel_size, strides, padding = _pair(kernel_size, "kernel_size"), _pair(strides, "strides"), _padding(padding)
    output_shape = transposed_output_shape("conv2d_transpose", x, tf_format, int(filters), kernel_size, strides,
                                           padding)
    with layer_scope(name, "conv2d_transpose", reuse):
        kernel = get_variable("kernel", list(kernel_size) + [int(filters), channels], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        y = nn_conv2d_transpose(x, kernel, output_shape, strides, padding, data_format=tf_format)
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(filters)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable, constraint=bias_constraint), data_format=tf_format)
        return _finish(y, activation, activity_regularizer)


def conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last", dilation_rate=1,
           activation=None, use_bias=True, kernel_initializer=None, bias_initializer=Zeros(), kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable=True, name=None, reuse=None):
    """A 1-D convolution layer over sequences [batch, width, channels] ("channels_last"; or "channels_first"):
    ``filters`` output channels, a ``kernel`` [kernel_size, in_channels, filters] and a ``bias`` [filters].
    ``padding="causal"`` pads the start of the sequence only (dilation · (kernel_size - 1) zeros), so that output
    t depends on the inputs up to t."""
    x = _float_input(inputs, "conv1d", ndim=3)
    tf_format = _data_format(data_format)
    channels = _channels(x, tf_format)
    kernel_size = _single(kernel_size, "kernel_size")
    if str(padding).lower() == "causal":  # WaveNet's: each output sees only its step and earlier ones
        reach = _single(dilation_rate, "dilation_rate") * (kernel_size - 1)
        x = pad(x, [[0, 0], [reach, 0], [0, 0]] if tf_format == "NHWC" else [[0, 0], [0, 0], [reach, 0]])
        padding = "valid"
    with layer_scope(name, "conv1d", reuse):
        kernel = get_variable("kernel", [kernel_size, channels, int(filters)], x.dtype, kernel_initializer,
                              kernel_regularizer, trainable, constraint=kernel_constraint)
        y = nn_conv1d(x, kernel, _single(strides, "strides"), _padding(padding), data_format=tf_format,
                      dilations=_single(dilation_rate, "dilation_rate"))
        if use_bias:
            y = bias_add(y, get_variable("bias", [int(filters)], x.dtype, bias_initializer, bias_regularizer,
                                         trainable, constraint=bias_constraint), data_format=tf_format)
        return _finish(y, activation, activity_regularizer)


def _pooling(pool, default_name, inputs, pool_size, strides, padding, data_format, name):
    x = _float_input(inputs, default_name, ndim=4)
    with name_scope(name or default_name):
        return pool(x, _pair(pool_size, "pool_size"), _pair(strides, "strides"), _padding(padding),
                    data_format=_data_format(data_format))


def _pooling1d(pool, default_name, inputs, pool_size, strides, padding, data_format, name):
    x = _float_input(inputs, default_name, ndim=3)
    with name_scope(name or default_name):
        return pool(x, _single(pool_size, "pool_size"), _single(strides, "strides"), _padding(padding),
                    data_format=_data_format(data_format))


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The maximum over each ``pool_size`` window of a sequence [batch, width, channels], moved by ``strides``."""
    return _pooling1d(max_pool1d, "max_pooling1d", inputs, pool_size, strides, padding, data_format, name)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The mean over each ``pool_size`` window of a sequence ("same": padding is not counted)."""
    return _pooling1d(avg_pool1d, "average_pooling1d", inputs, pool_size, strides, padding, data_format, name)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The maximum over each ``pool_size`` window, moved by ``strides`` ("valid" or "same" padding)."""
    return _pooling(max_pool, "max_pooling2d", inputs, pool_size, strides, padding, data_format, name)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The mean over each ``pool_size`` window, moved by ``strides`` ("same": padding is not counted)."""
    return _pooling(avg_pool, "average_pooling2d", inputs, pool_size, strides, padding, data_format, name)


def _pooling3d(pool, default_name, inputs, pool_size, strides, padding, data_format, name):
    x = _float_input(inputs, default_name, ndim=5)
    tf_format = _data_format(data_format)
    with name_scope(name or default_name):
        return pool(x, _volume_list(pool_size, "pool_size", tf_format), _volume_list(strides, "strides", tf_format),
                    _padding(padding), data_format=_VOLUME_FORMATS[tf_format])


def max_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The maximum over each ``pool_size`` window of volumes [batch, depth, height, width, channels]."""
    return _pooling3d(max_pool3d, "max_pooling3d", inputs, pool_size, strides, padding, data_format, name)


def average_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """The mean over each ``pool_size`` window of volumes ("same": padding is not counted)."""
    return _pooling3d(avg_pool3d, "average_pooling3d", inputs, pool_size, strides, padding, data_format, name)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """``tf.nn.dropout(inputs, rate=rate)`` while ``training``, else the inputs unchanged (an identity op).

    With a tensor ``training`` the choice is a ``tf.cond``. The random mask is drawn *outside* it: the gradient
    of a cond runs the taken branch again, and a mask drawn inside would be drawn anew — the gradient would then
    belong to a different mask than the forward pass used."""
    with name_scope(name or "dropout"):
        x = to_tensor(inputs)
        switch = graph_tensor(training)
        if switch is None:
            return nn_dropout(x, rate=rate, noise_shape=noise_shape, seed=seed) if training else identity(x)
        rate = dropout_rate(x, rate=rate)
        mask = keep_mask(x, rate, noise_shape, seed)
        return cond(switch, lambda: masked_dropout(x, rate, mask), lambda: identity(x))


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=Zeros(), gamma_initializer=Ones(), moving_mean_initializer=Zeros(),
                        moving_variance_initializer=Ones(), beta_regularizer=None, gamma_regularizer=None,
                        beta_constraint=None, gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """Normalize each feature along ``axis`` (the channels: -1 for NHWC and dense outputs, 1 for NCHW) to zero
    mean and unit variance, then scale by ``gamma`` and shift by ``beta``::

        y = (x - mean) / sqrt(variance + epsilon) * gamma + beta

    with the batch's statistics over all other dims while ``training`` (a bool or a bool tensor), else with
    ``moving_mean`` / ``moving_variance``. Training adds the moving-average updates to UPDATE_OPS (see the
    module docstring), but for a layer that is not ``trainable``, whose averages stay, as in TF 1.15."""
    if renorm or virtual_batch_size is not None or adjustment is not None:
        raise NotImplementedError("batch renormalization, virtual batches and adjustment are not supported")
    x = _float_input(inputs, "batch_normalization")
    ndim = x.shape.rank
    if ndim == 0:
        raise ValueError(f"Input 0 of layer batch_normalization is incompatible with the layer: expected min_ndim=1, "
                         f"found ndim=0. Full shape received: {x.shape}")
    axes = sorted({normalize_axis(a, ndim, "batch_normalization")
                   for a in ([axis] if isinstance(axis, numbers.Integral) else axis)})
    param_shape = [x.shape[a] for a in axes]
    if None in param_shape:
        raise ValueError(f"Axis {axis} of input tensor should have a defined dimension but the layer received an "
                         f"input with shape {x.shape}.")
    reduction_axes = [d for d in range(ndim) if d not in axes]
    broadcast_shape = [x.shape[d] if d in axes else 1 for d in range(ndim)]
    if len(axes) > 1:  # TF's shape for several axes: the input's, with 1 in the others (gamma of [None, 3, 4]
        param_shape = broadcast_shape  # over axes 1 and 2 is (1, 3, 4)), which broadcasts as it is

    def along_axes(v):  # a [C] parameter shaped to broadcast against x
        return v if axes == [ndim - 1] or len(axes) > 1 else ops.reshape(v, broadcast_shape)

    with layer_scope(name, "batch_normalization", reuse):
        gamma = get_variable("gamma", param_shape, x.dtype, gamma_initializer, gamma_regularizer,
                             trainable, constraint=gamma_constraint) if scale else None
        beta = get_variable("beta", param_shape, x.dtype, beta_initializer, beta_regularizer,
                            trainable, constraint=beta_constraint) if center else None
        moving_mean = get_variable("moving_mean", param_shape, x.dtype, moving_mean_initializer, trainable=False)
        moving_variance = get_variable("moving_variance", param_shape, x.dtype, moving_variance_initializer,
                                       trainable=False)
        switch = graph_tensor(training)
        if switch is None and not training:
            mean, variance = moving_mean, moving_variance
        else:
            batch_mean, batch_variance = moments(x, reduction_axes, keep_dims=len(axes) > 1)
            if switch is None:
                mean, variance, decay = batch_mean, batch_variance, 1 - momentum
            else:
                mean, variance = cond(switch, lambda: (batch_mean, batch_variance),
                                      lambda: (moving_mean, moving_variance))
                decay = cast(switch, x.dtype) * (1 - momentum)  # 0 when not training: the averages stay
            # TF1's fused kernel, its default for 4-D input normalized over the channels, moves the average
            # towards the *unbiased* variance, n/(n-1) times the batch's (n values per channel); the other path
            # towards the batch's own
            if fused is not False and ndim == 4 and axes in ([1], [3]):
                count = apply(ReductionSize, x, dims=tuple(reduction_axes))
                batch_variance = batch_variance * (count / ops.maximum(count - 1, 1))
            # a frozen layer (trainable=False) normalizes with the batch's statistics when training, but its
            # averages stay: TF 1.15's Layer.updates is empty for it, so nothing goes into UPDATE_OPS
            for moving, batch in ((moving_mean, batch_mean), (moving_variance, batch_variance)) if trainable else ():
                # moving - (moving - batch) * (1 - momentum) = moving * momentum + batch * (1 - momentum)
                update = assign_sub(moving, (moving - batch) * decay, name="AssignMovingAvg")
                get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, update)
        return nn_batch_normalization(x, along_axes(mean), along_axes(variance),
                                      None if beta is None else along_axes(beta),
                                      None if gamma is None else along_axes(gamma), epsilon)


def flatten(inputs, name=None, data_format="channels_last"):
    """``inputs`` reshaped to [batch, everything else]. With "channels_first" the channels are moved last
    first, so that the order of the features does not depend on the data format."""
    x = to_tensor(inputs)
    if not x.shape.rank_known:
        raise ValueError(f"flatten needs inputs of known rank, got shape {x.shape}")
    with name_scope(name or "flatten"):
        if _data_format(data_format) == "NCHW" and x.shape.rank > 2:
            x = ops.permute(x, [0] + list(range(2, x.shape.rank)) + [1])
        return ops.unsqueeze(x, 1) if x.shape.rank == 1 else ops.flatten(x, 1)


# the same layers as objects (tf.layers.Dense ...); imported last: they are built on the functions above
from .layer_classes import (AveragePool1D, AveragePool2D, AveragePool3D, AveragePooling1D,  # noqa: E402,F401
                            AveragePooling2D, AveragePooling3D, BatchNormalization, Conv1D, Conv2D, Conv2DTranspose,
                            Conv3D, Convolution1D, Convolution2D, Convolution2DTranspose, Convolution3D, Dense, Dropout,
                            Flatten, Layer, MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
