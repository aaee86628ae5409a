"""``tf.keras.models``: the model classes under their other address."""
from .training import Model, Sequential  # noqa: F401
