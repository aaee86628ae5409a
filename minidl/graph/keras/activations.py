"""``tf.keras.activations``: the activation functions a layer's ``activation=`` names ("relu", "softmax" ...).

``get`` turns a name, a function or None (the identity, Keras' "linear") into a function of one tensor.
"""
from .. import math_ops
from ..nn_ops import nn
from . import backend_math
from .serialization import deserialize_keras_object, serialize_keras_object


def linear(x):
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max(x, 0), capped at ``max_value``, below ``threshold`` the slope ``alpha`` (``K.relu``)."""
    return backend_math.relu(x, alpha, max_value, threshold)


def sigmoid(x):
    return nn.sigmoid(x)


def tanh(x):
    return nn.tanh(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (the classes)."""
    return nn.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    return backend_math.elu(x, alpha)


def selu(x):
    return nn.selu(x)


def softplus(x):
    return nn.softplus(x)


def softsign(x):
    return nn.softsign(x)


def exponential(x):
    return math_ops.exp(x)


def hard_sigmoid(x):
    """A piecewise-linear sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    return math_ops.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


_BY_NAME = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, elu, selu, softplus, softsign,
                                    exponential, hard_sigmoid)}


def get(identifier):
    """The activation function for ``identifier``: a name above, a callable (used as it is) or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return deserialize(identifier)


def serialize(activation):
    """The name of an activation function (what ``get_config`` shows): ``"relu"``, ``"linear"``."""
    return serialize_keras_object(activation)


def deserialize(name, custom_objects=None):
    """The activation function of that name (a name of one's own: in ``custom_objects``)."""
    return deserialize_keras_object(name, _BY_NAME, custom_objects, "activation function",
                                    "a function of one tensor")
