"""``tf.train.init_from_checkpoint``: start some variables of a new model from another model's checkpoint — the
TF1 way to fine-tune (a pretrained body under a new head)::

    with tf.variable_scope("body"):
        features = build_body(images)                        # the same layers as the pretrained model's
    logits = tf.layers.dense(features, 5, name="head")       # new
    tf.train.init_from_checkpoint("pretrained/", {"encoder/": "body/"})
    ...
    sess.run(tf.global_variables_initializer())              # body/*: the checkpoint's values; head/*: random

It changes nothing at once: it replaces each chosen variable's *initializer* by an assignment of the
checkpoint's value, so whatever initializes the variables afterwards (``global_variables_initializer()``, a
``MonitoredTrainingSession`` without a checkpoint of its own) loads it. Call it before making that initializer.

``assignment_map`` pairs a name in the checkpoint with the variables to start from it:

* ``{"encoder/": "body/"}``: every variable made by ``get_variable`` (all of ``tf.layers``') under ``body/``
  from the checkpoint's variable with the same name under ``encoder/`` (``"/"`` on either side: the top level);
* ``{"encoder/w": "body/w"}`` or ``{"encoder/w": variable}``: one variable.

Every chosen variable must find a tensor of a compatible shape and the same dtype in the checkpoint (ValueError
otherwise).
"""
import os

from ..basics import constant
from ..core import get_default_graph
from ..variables import Variable, _assign
from .saver import NewCheckpointReader, latest_checkpoint

__all__ = ["init_from_checkpoint"]


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Make the variables named by ``assignment_map`` start from ``ckpt_dir_or_file`` (a checkpoint prefix, or a
    directory: its latest checkpoint); see the module docstring."""
    prefix = latest_checkpoint(ckpt_dir_or_file) if os.path.isdir(ckpt_dir_or_file) else ckpt_dir_or_file
    if prefix is None:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}")
    reader = NewCheckpointReader(prefix)
    available = reader.get_variable_to_shape_map()
    store = get_default_graph()._variable_store
    for name_in_checkpoint, target in sorted(assignment_map.items(), key=lambda item: item[0]):
        variable = target if isinstance(target, Variable) else store.get(target)
        if variable is not None:
            _start_from(variable, name_in_checkpoint, reader, available, ckpt_dir_or_file)
            continue
        if not isinstance(target, str) or not name_in_checkpoint.endswith("/"):
            raise ValueError(f"Assignment map with scope only name {target!r} should map to scope only "
                             f"{name_in_checkpoint!r}. Should be 'scope/': 'other_scope/'.")
        scope = target.rstrip("/")
        chosen = sorted(name for name in store if not scope or name.startswith(scope + "/"))
        if not chosen:
            raise ValueError(f"init_from_checkpoint: no variable made by get_variable is under {target!r} (variables "
                             f"made by tf.Variable must be given as objects)")
        for name in chosen:
            suffix = name[len(scope) + 1:] if scope else name
            in_checkpoint = suffix if name_in_checkpoint == "/" else name_in_checkpoint + suffix
            _start_from(store[name], in_checkpoint, reader, available, ckpt_dir_or_file)


def _start_from(variable, name_in_checkpoint, reader, available, source):
    """Replace ``variable``'s initializer by the assignment of the checkpoint's tensor ``name_in_checkpoint``."""
    if name_in_checkpoint not in available:
        raise ValueError(f"Tensor {name_in_checkpoint} (for {variable.op.name}) is not found in {source} "
                         f"checkpoint {sorted(available)}")
    if not variable.shape.is_compatible_with(available[name_in_checkpoint]):
        raise ValueError(f"Shape of variable {variable.name} ({variable.shape}) doesn't match with shape of tensor "
                         f"{name_in_checkpoint} ({available[name_in_checkpoint]}) from checkpoint reader.")
    stored = reader.get_variable_to_dtype_map()[name_in_checkpoint]
    if stored != variable.dtype:  # (a silent cast would hide a model built in another precision)
        raise ValueError(f"Dtype of variable {variable.name} ({variable.dtype.name}) doesn't match with dtype of "
                         f"tensor {name_in_checkpoint} ({stored}) from checkpoint reader.")
    graph = variable.graph
    with graph.as_default(), graph.control_dependencies(None), graph.name_scope(variable.op.name + "/"):
        value = constant(reader.get_tensor(name_in_checkpoint), dtype=variable.dtype, name="checkpoint_value")
        variable._initial_value = value
        variable._initializer_op = _assign(variable, value, "set", True, "checkpoint_initializer").op
