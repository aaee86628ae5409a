"""``utils``: data loading (``utils.data``); TensorBoard logs in ``utils.tensorboard`` (imported by name, as in
PyTorch: ``from minidl.eager.utils.tensorboard import SummaryWriter``)."""
from . import data
