"""``utils``: data loading (``utils.data``), recomputing activations instead of keeping them
(``utils.checkpoint``), timing code (``utils.benchmark``), tensors to and from other libraries (``utils.dlpack``),
hook handles (``utils.hooks``), ``utils.model_zoo.load_url`` (``hub.load_state_dict_from_url``); TensorBoard logs
in ``utils.tensorboard`` (imported by name, as in PyTorch: ``from minidl.eager.utils.tensorboard import
SummaryWriter``)."""
from . import benchmark, checkpoint, data, dlpack, hooks, model_zoo
