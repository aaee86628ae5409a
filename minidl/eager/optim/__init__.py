"""``optim``: optimizers over parameter groups, and ``lr_scheduler``."""
from . import lr_scheduler
from .algorithms import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop
from .optimizer import Optimizer
