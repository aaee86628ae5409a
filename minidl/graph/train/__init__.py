"""``tf.train``: optimizers, the global step, learning-rate schedules and ``Saver``."""
from .optimizer import Optimizer
from .optimizers import (AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer,
                         RMSPropOptimizer)
from .saver import CheckpointState, Saver, checkpoint_exists, get_checkpoint_state, latest_checkpoint
from .schedules import create_global_step, exponential_decay, get_global_step, get_or_create_global_step
