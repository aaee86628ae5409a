"""``tf.keras.constraints``: what an optimizer puts into a weight after each of its updates (the variable's
``constraint``, which TF applies right after the update), given to a layer as ``kernel_constraint=MaxNorm(3)``:

- ``MaxNorm(max_value=2, axis=0)``: each unit's incoming weight vector (the norm over ``axis``) rescaled to at most
  ``max_value`` — with dropout, Srivastava et al. 2014;
- ``NonNeg()``: negative weights set to 0;
- ``UnitNorm(axis=0)``: every such vector rescaled to norm 1;
- ``MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)``: the norm moved ``rate`` of the way into
  [min_value, max_value].

Norms get Keras' epsilon (1e-7) in the division, so a zero vector stays zero.
"""
from .. import math_ops
from . import backend
from .lookup import by_name
from .serialization import deserialize_keras_object, serialize_keras_object


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self):
        return {key: value for key, value in vars(self).items()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        return w * (math_ops.clip_by_value(norms, 0.0, float(self.max_value)) / (backend.epsilon() + norms))


class NonNeg(Constraint):
    def __call__(self, w):
        return w * math_ops.cast(w >= 0.0, w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + _norms(w, self.axis))


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        wanted = self.rate * math_ops.clip_by_value(norms, float(self.min_value), float(self.max_value)) + \
            (1 - self.rate) * norms
        return w * (wanted / (backend.epsilon() + norms))


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_BY_NAME = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
            "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm}


def get(identifier):
    """A constraint from a name ("max_norm", "non_neg" ...: its defaults), a configuration (``serialize``'s), a
    ``Constraint`` or any callable ``w -> tensor``; None stays None."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return by_name(identifier, _BY_NAME, "constraint", "a Constraint or a function of a weight")()


def serialize(constraint):
    """``{"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}`` (None for None)."""
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint a configuration (``serialize``'s) describes."""
    classes = {cls.__name__: cls for cls in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
    return deserialize_keras_object(config, classes, custom_objects, "constraint",
                                    "a Constraint or a function of a weight")
