"""``optim``: optimizers over parameter groups, and ``lr_scheduler``."""
from . import lr_scheduler
from .algorithms import SGD, Adagrad, Adam, AdamW, RMSprop
from .optimizer import Optimizer
