"""``optim``: optimizers over parameter groups, ``lr_scheduler``, and ``swa_utils`` (weight averaging).

PyTorch keeps each optimizer in a file of its own, and code imports from there (``from torch.optim.sgd import
SGD``, ``from torch.optim.optimizer import Optimizer, required``): ``optim.sgd`` & co are those paths here, each
holding its class (minidl keeps most of them together in ``algorithms.py``)."""
import sys
import types

from . import lr_scheduler, swa_utils
from .adafactor import Adafactor
from .algorithms import ASGD, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, Rprop
from .lbfgs import LBFGS
from .muon import Muon
from .optimizer import Optimizer
from .sparse_adam import SparseAdam


def _file_of(name, cls):
    file = types.ModuleType(f"{__name__}.{name}", f"PyTorch's ``torch.optim.{name}``: {cls.__name__}.")
    setattr(file, cls.__name__, cls)
    sys.modules[file.__name__] = file
    return file


sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, radam, rprop, asgd = (
    _file_of(cls.__name__.lower(), cls)
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, Rprop, ASGD))
