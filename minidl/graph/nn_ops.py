"""``tf.nn``: TensorFlow 1's activations, softmax and small losses, as thin layers over ``minidl.ops``.

TF's spellings translated: ``features`` is the input, ``alpha`` is leaky_relu's negative slope (default 0.2, where
PyTorch's is 0.01), ``axis`` is the softmax dim (default: the last), and ``bias_add`` adds a 1-D bias along the
channel dim of ``data_format`` ("NHWC": last; "NCHW": second).

``tf.nn`` is the namespace object ``nn`` below; other modules (dropout, losses, convolutions) add their functions
to it.
"""
import types

from .. import ops
from .array_ops import over_last_dim_rows, shape, size
from .basics import control_dependencies
from .check_ops import Assert
from .math_ops import (FLOATS, REALS, axis_arg, cast, check_dtype, deprecated_alias, matching_pair, matmul,
                       sigmoid, softplus, tanh, tf_op, to_tensor)

# SELU's constants (Klambauer et al. 2017): they keep activations at zero mean and unit variance
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@tf_op("Relu")
def relu(features, name=None):
    """max(features, 0)."""
    return ops.relu(check_dtype(to_tensor(features), REALS, "features"))


@tf_op("Relu6")
def relu6(features, name=None):
    """min(max(features, 0), 6), of any real dtype (integers stay integers, as in TF)."""
    features = check_dtype(to_tensor(features), REALS, "features")
    if features.dtype.kind in "iu":
        return ops.clamp(features, 0, 6)
    return ops.hardtanh(features, 0, 6)  # (its gradient is 0 on the bounds, as TF's)


@tf_op("LeakyRelu")
def leaky_relu(features, alpha=0.2, name=None):
    """features where positive, else ``alpha * features``; integer features are made float32 first, as in TF."""
    features = check_dtype(to_tensor(features), REALS, "features")
    if features.dtype.kind in "iu":
        features = cast(features, "float32")
    return ops.leaky_relu(features, alpha)


@tf_op("Elu")
def elu(features, name=None):
    """features where positive, else e^features - 1."""
    return ops.elu(check_dtype(to_tensor(features), FLOATS, "features"))


@tf_op("Selu")
def selu(features, name=None):
    """scale * elu with alpha: ``scale * (x if x >= 0 else alpha * (e^x - 1))``, self-normalizing. At 0 the
    slope is TF's, ``scale`` (PyTorch's selu takes the other side, ``scale * alpha``); the exponential is taken of
    ``min(x, 0)`` so that the branch not taken cannot overflow into the gradient."""
    x = check_dtype(to_tensor(features), FLOATS, "features")
    negative = ops.mul(ops.expm1(ops.minimum(x, 0.0)), _SELU_ALPHA)
    return ops.mul(ops.where(ops.lt(x, 0.0), negative, x), _SELU_SCALE)


@tf_op("Softsign")
def softsign(features, name=None):
    """features / (1 + |features|)."""
    x = check_dtype(to_tensor(features), FLOATS, "features")
    return ops.div(x, ops.add(ops.abs(x), 1))


def _normalize(py_name, default_name, fn):
    @tf_op(default_name)
    def normalize(logits, axis=None, name=None, dim=None):
        x = check_dtype(to_tensor(logits), FLOATS, "logits")
        axis = axis_arg(deprecated_alias(axis, dim, "axis", "dim"))
        axis = -1 if axis is None else axis
        if not x.shape.rank_known and axis == -1:  # (a placeholder without a shape)
            return over_last_dim_rows(fn, x, keep_last_dim=True)
        return fn(x, axis)
    normalize.__name__ = normalize.__qualname__ = py_name
    normalize.__doc__ = (f"``{fn.__name__}`` along ``axis`` (default: the last dim, also of a tensor whose rank "
                         f"shows only when the graph runs), computed stably.")
    return normalize


softmax = _normalize("softmax", "Softmax", ops.softmax)
log_softmax = _normalize("log_softmax", "LogSoftmax", ops.log_softmax)


@tf_op("L2Loss")
def l2_loss(t, name=None):
    """sum(t²) / 2: half the squared L2 norm (a 0-d tensor), the usual weight-decay term."""
    return ops.mul(ops.sum(ops.square(check_dtype(to_tensor(t), FLOATS, "t"))), 0.5)


@tf_op("BiasAdd")
def bias_add(value, bias, data_format=None, name=None):
    """``value + bias`` with the 1-D ``bias`` added along the channel dim: the last one for "NHWC" (the default,
    any "N...C"), the second for "NCHW" (any "NC...")."""
    value, bias = matching_pair("BiasAdd", value, bias, ("value", "bias"))
    if not bias.shape.rank_known:  # checked when fed (a matrix would broadcast into a wrong answer)
        from .math_extras import ensure_shape  # (math_extras is built on this module)
        bias = ensure_shape(bias, [None])
    if len(bias.shape) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(bias.shape)} for 'BiasAdd' (bias {bias.shape})")
    if value.shape.rank_known and len(value.shape) < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {len(value.shape)} for 'BiasAdd' "
                         f"(value {value.shape})")
    channels_first = data_format is not None and data_format.startswith("NC")
    channel_dim = 1 if channels_first else -1
    channel = value.shape[channel_dim] if value.shape.rank_known else None
    if None not in (channel, bias.shape[0]) and channel != bias.shape[0]:
        raise ValueError(f"Dimensions must be equal, but are {channel} and {bias.shape[0]} for 'BiasAdd' (op: "
                         f"'BiasAdd') with input shapes: {value.shape}, {bias.shape}.")
    checks = []
    if None in (channel, bias.shape[0]):  # known when the graph runs, where a bias of 1 would broadcast
        checks.append(_bias_check(value, bias, channel_dim))
    if channels_first:
        bias = ops.reshape(bias, (-1,) + (1,) * (value.ndim - 2))
    with control_dependencies(checks):
        return ops.add(value, bias)


def _bias_check(value, bias, channel_dim):
    """The run-time check of ``bias_add``: ``value`` has at least 2 dims, and as many channels as biases."""
    value_shape, bias_shape = shape(value), shape(bias)
    fits = ops.logical_and(ops.ge(size(value_shape), 2),
                           ops.eq(ops.getitem(value_shape, channel_dim), ops.getitem(bias_shape, 0)))
    which = "last" if channel_dim == -1 else "channel"
    return Assert(fits, [f"Must provide as many biases as the {which} dimension of the input tensor (at least 2D):",
                         bias_shape, "vs.", value_shape])


@tf_op("l2_normalize")
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``x / sqrt(max(sum(x², axis), epsilon))``: each slice along ``axis`` (all dims when None) scaled to unit L2
    norm; ``epsilon`` keeps an all-zero slice finite (it stays zero)."""
    x = check_dtype(to_tensor(x), FLOATS, "x")
    axis = axis_arg(deprecated_alias(axis, dim, "axis", "dim"))
    square_sum = ops.sum(ops.square(x), axis, True)
    return ops.mul(x, ops.rsqrt(ops.maximum(square_sum, ops.full_like(square_sum, epsilon))))


@tf_op("xw_plus_b")
def xw_plus_b(x, weights, biases, name=None):
    """``matmul(x, weights) + biases``: a fully connected layer's pre-activation (x [batch, in], weights
    [in, out], biases [out])."""
    return bias_add(matmul(x, weights), biases)


nn = types.SimpleNamespace(relu=relu, relu6=relu6, leaky_relu=leaky_relu, elu=elu, selu=selu, softplus=softplus,
                           softsign=softsign, sigmoid=sigmoid, tanh=tanh, softmax=softmax, log_softmax=log_softmax,
                           l2_loss=l2_loss, bias_add=bias_add, l2_normalize=l2_normalize, xw_plus_b=xw_plus_b)

__all__ = ["nn"]
