"""``tf.keras.initializers``: TF1's initializer classes under Keras' names, and ``get`` for the names a layer's
``kernel_initializer=`` takes ("glorot_uniform", "he_normal", "zeros" ...).

Keras' random defaults are narrower than TF1's: ``RandomNormal`` and ``TruncatedNormal`` have stddev 0.05, and
``RandomUniform`` draws from [-0.05, 0.05). The He and LeCun families are variance scalings with
variance 2 / fan_in (He) or 1 / fan_in (LeCun).
"""
from .. import initializers as tf_initializers
from .lookup import by_name
from .serialization import deserialize_keras_object, serialize_keras_object
from ..initializers import (Constant, GlorotNormal, GlorotUniform, Identity, Initializer, Ones, Orthogonal,
                            VarianceScaling, Zeros, he_normal, he_uniform, lecun_normal, lecun_uniform)


class RandomNormal(tf_initializers.RandomNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None, **kwargs):
        super().__init__(mean, stddev, seed, **kwargs)


class TruncatedNormal(tf_initializers.TruncatedNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None, **kwargs):
        super().__init__(mean, stddev, seed, **kwargs)


class RandomUniform(tf_initializers.RandomUniform):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None, **kwargs):
        super().__init__(minval, maxval, seed, **kwargs)


# Keras' lower-case aliases, callable with no arguments as a layer's initializer string makes them
zeros, ones, constant, orthogonal, identity = Zeros, Ones, Constant, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform

_BY_NAME = {"uniform": RandomUniform, "normal": RandomNormal, "zeros": Zeros, "ones": Ones, "constant": Constant,
            "orthogonal": Orthogonal, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
            "random_normal": RandomNormal, "truncated_normal": TruncatedNormal, "random_uniform": RandomUniform,
            "he_normal": he_normal, "he_uniform": he_uniform, "lecun_normal": lecun_normal,
            "lecun_uniform": lecun_uniform, "identity": Identity, "variance_scaling": VarianceScaling}
# the classes by their own names, as a configuration names them ({"class_name": "GlorotUniform", ...})
_CLASSES = {cls.__name__: cls for cls in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                          VarianceScaling, Orthogonal, Identity, GlorotUniform, GlorotNormal)}


def get(identifier):
    """An initializer from a name above (any case; Keras' class names too: "GlorotUniform"), a configuration
    (``serialize``'s), an initializer object or any callable ``(shape, dtype) -> tensor`` (used as it is); None
    stays None."""
    if identifier is None or isinstance(identifier, Initializer) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    key = "".join("_" + c.lower() if c.isupper() else c for c in identifier).lstrip("_") \
        if isinstance(identifier, str) else identifier
    return by_name(key, _BY_NAME, "initializer", "an initializer object")()


def serialize(initializer):
    """``{"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}`` (None for None)."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer a configuration (``serialize``'s) describes."""
    return deserialize_keras_object(config, _CLASSES, custom_objects, "initializer", "an initializer object")
