"""``optim``: optimizers over parameter groups, and ``lr_scheduler``."""
from . import lr_scheduler
from .algorithms import ASGD, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, Rprop
from .lbfgs import LBFGS
from .optimizer import Optimizer
