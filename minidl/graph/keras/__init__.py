"""``tf.keras`` as TensorFlow 1 has it: layers, ``Sequential``/``Model`` with ``compile``/``fit``/``evaluate``/
``predict``, optimizers, losses, metrics and callbacks, all running as graph ops in a session (``backend.py``).

What is here is what a first Keras program uses; what is not raises a clear error (HDF5 files and whole-model
saving, dropout inside recurrent layers) or is absent.
"""
from . import (activations, backend, callbacks, constraints, datasets, initializers, layers, losses,  # noqa: F401
               metrics, models, optimizers, preprocessing, regularizers, utils)
from .layers import Input  # noqa: F401
from .training import Model, Sequential  # noqa: F401
