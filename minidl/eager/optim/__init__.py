"""``optim``: optimizers over parameter groups, ``lr_scheduler``, and ``swa_utils`` (weight averaging)."""
from . import lr_scheduler, swa_utils
from .adafactor import Adafactor
from .algorithms import ASGD, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, Rprop
from .lbfgs import LBFGS
from .muon import Muon
from .optimizer import Optimizer
from .sparse_adam import SparseAdam
