"""``tf.saved_model.main_op.main_op()``: an op that initializes every variable and lookup table, for a model
saved with it as its main op.

The loader runs the main op *after* restoring the variables, so this one sets the global variables back to their
initial values, as TF's does (TF's ``main_op_with_restore`` puts the restore after it; minidl's restore is not an
op, so it has no such variant). For a model with trained weights pass ``tf.tables_initializer()`` (with
``tf.local_variables_initializer()`` if it has local variables) instead.
"""
from ..basics import group
from ..lookup_ops import tables_initializer
from ..variables import global_variables_initializer, local_variables_initializer

__all__ = ["main_op"]


def main_op():
    """The group of ``global_variables_initializer()``, ``local_variables_initializer()`` and
    ``tables_initializer()``."""
    return group(global_variables_initializer(), local_variables_initializer(), tables_initializer())
