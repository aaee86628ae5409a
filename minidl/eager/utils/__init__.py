"""``utils``: data loading (``utils.data``); TensorBoard logs in ``utils.tensorboard`` (import it by name, as in PyTorch)."""
from . import data
