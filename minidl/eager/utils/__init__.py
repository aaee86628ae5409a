"""``utils``: data loading (``utils.data``), recomputing activations instead of keeping them
(``utils.checkpoint``); TensorBoard logs in ``utils.tensorboard`` (imported by name, as in PyTorch:
``from minidl.eager.utils.tensorboard import SummaryWriter``)."""
from . import checkpoint, data
