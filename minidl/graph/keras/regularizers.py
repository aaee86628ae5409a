"""``tf.keras.regularizers``: weight penalties added to the training loss.

``l2(c)`` adds ``c * sum(w²)`` (no factor 1/2, unlike ``tf.nn.l2_loss``), ``l1(c)`` adds ``c * sum(|w|)``, ``l1_l2``
both. A layer given ``kernel_regularizer=`` puts its penalty in ``tf.GraphKeys.REGULARIZATION_LOSSES``, and
``Model.fit`` adds the penalties of the model's layers to the loss it minimizes.
"""
from .. import math_ops
from .lookup import by_name
from .serialization import deserialize_keras_object, serialize_keras_object


class Regularizer:
    def __call__(self, x):
        return 0.0


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * math_ops.reduce_sum(math_ops.abs(x))
        if self.l2:
            penalty += self.l2 * math_ops.reduce_sum(math_ops.square(x))
        return penalty


def l1(l=0.01):  # noqa: E741  (Keras' argument name)
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


def get(identifier):
    """A regularizer from "l1", "l2", "l1_l2" (with Keras' default 0.01), a configuration (``serialize``'s), a
    regularizer or callable, or None."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return by_name(identifier, {"l1": l1, "l2": l2, "l1_l2": l1_l2}, "regularizer", "a function of the weight")()


def serialize(regularizer):
    """``{"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}}`` (None for None)."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer a configuration (``serialize``'s) describes."""
    return deserialize_keras_object(config, {"L1L2": L1L2}, custom_objects, "regularizer", "a function of the weight")
