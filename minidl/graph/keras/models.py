"""``tf.keras.models``: the model classes under their other address."""
from .training import Model, Sequential, load_model  # noqa: F401
