"""``assign_from_checkpoint_fn`` and ``assign_from_checkpoint`` (``tf.contrib.framework``, also ``tf.contrib.slim``):
put some variables' values from a checkpoint, the usual start of fine-tuning a pre-trained network::

    init_fn = slim.assign_from_checkpoint_fn(path, slim.get_variables_to_restore(exclude=["fc8"]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)                   # every layer but fc8 from the checkpoint; fc8 keeps its fresh values

``var_list`` is a list of variables (each read under its own name) or a dict ``{name in the checkpoint: variable}``.
``assign_from_checkpoint`` gives instead an assign operation and the feed dict that carries the values into it.
"""
import numpy

from .basics import group, placeholder
from .compat import logging
from .train.saver import _variables_by_name, load_checkpoint


def _present(model_path, var_list, ignore_missing_vars):
    """The reader and ``{name: variable}`` of the variables the checkpoint holds; a missing one is a ValueError,
    or with ``ignore_missing_vars`` a logged warning."""
    reader = load_checkpoint(model_path)
    present = {}
    for name, var in _variables_by_name(var_list).items():
        if reader.has_tensor(name):
            present[name] = var
        elif ignore_missing_vars:
            logging.warning("Variable %s missing in checkpoint %s", name, model_path)
        else:
            raise ValueError(f"Checkpoint is missing variable [{name}]: {model_path} holds no value of that name "
                             f"(pass ignore_missing_vars=True to leave it as it is)")
    return reader, present


def _value_for(var, name, value, reshape):
    if tuple(var.shape.as_list()) == value.shape:
        return value
    if reshape and value.size == numpy.prod(var.shape.as_list()):
        return value.reshape(var.shape.as_list())
    raise ValueError(f"Restoring {var.op.name} from checkpoint variable {name}: the checkpoint holds shape "
                     f"{list(value.shape)}, the variable has shape {var.shape.as_list()}"
                     + ("" if reshape else " (reshape_variables=True reshapes a value of the same size)"))


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False, reshape_variables=False):
    """A function ``fn(session)`` that loads ``var_list``'s values from the checkpoint at ``model_path`` (a prefix,
    or a directory's latest) into the session — or None, with a warning, when none of them is there."""
    reader, present = _present(model_path, var_list, ignore_missing_vars)
    if not present:
        logging.warning("No Variables to restore")
        return None

    def callback(session):
        for name, var in present.items():
            var.load(_value_for(var, name, reader.get_tensor(name), reshape_variables), session)
    return callback


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """``(assign_op, feed_dict)``: running ``assign_op`` with ``feed_dict`` puts the checkpoint's values into the
    variables of ``var_list``."""
    reader, present = _present(model_path, var_list, ignore_missing_vars)
    assigns, feed_dict = [], {}
    for name, var in present.items():
        value = _value_for(var, name, reader.get_tensor(name), False)
        fed = placeholder(var.dtype.base_dtype, var.shape, name=f"{var.op.name}/restore_value")
        assigns.append(var.assign(fed))
        feed_dict[fed] = value
    return group(*assigns, name="assign_from_checkpoint"), feed_dict
