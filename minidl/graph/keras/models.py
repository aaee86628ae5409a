"""``tf.keras.models``: the model classes under their other address, and what makes models from other models or
from their configurations (``model_config.py``, ``cloning.py``)."""
from .cloning import clone_model
from .model_config import model_from_config, model_from_json
from .training import Model, Sequential, load_model

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json"]
