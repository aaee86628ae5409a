"""``Saver``: checkpoints of variable values, TF1-style — ``save`` returns a prefix like ``model.ckpt-1000``,
a ``checkpoint`` file in the directory lists the recent ones, and old ones past ``max_to_keep`` are deleted.

The values go into one file per checkpoint, ``<prefix>.index``, in minidl's safe array format (``minidl.io``:
no pickle, written aside and renamed, truncation detected). TF1 writes two files, a small ``.index`` and the
values in ``.data-00000-of-00001``; minidl's one file takes the name of the first, so that a program that looks
for ``<prefix>.index`` to tell whether a checkpoint exists finds it. Beside it, ``<prefix>.meta`` holds the graph
(``meta_graph.py``), which ``tf.train.import_meta_graph`` rebuilds in another program.
"""
import numbers
import os
import time
import types

from ...io import ArrayFileError, read_arrays, write_arrays
from ...io.atomic_write import write_atomically
from ...io.text_format import quoted, unquoted
from ..compat import logging
from ..core import GraphKeys, get_default_graph
from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..meta_graph import NotExportableError, export_meta_graph
from ..variables import Variable

_SUFFIX = ".index"
_warned_not_exportable = False  # (Saver._write_meta_graph)
_STATE_FILE = "checkpoint"


def _variables_by_name(var_list):
    """``{name in the checkpoint: Variable}`` from a Saver's ``var_list`` (default: every global variable); only
    variables can be saved and restored (a tensor computed from one, ``w.read_value()``, has nothing to restore)."""
    if var_list is None:
        var_list = get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES)
    pairs = list(var_list.items()) if isinstance(var_list, dict) else [(None, v) for v in var_list]
    named, seen = {}, set()
    for name, v in pairs:
        if not isinstance(v, Variable):
            raise TypeError(f"Variable to save is not a Variable: {v!r}" + (
                " (give the Variable objects, or a dict of them by name)" if isinstance(v, str) else ""))
        name = v.op.name if name is None else name
        if name in named:
            raise ValueError(f"At least two variables have the same name: {name}")
        if v.op in seen:
            raise ValueError(f"The same saveable will be restored with two names: {name}")
        named[name] = v
        seen.add(v.op)
    return named


class MissingCheckpointError(NotFoundError, ValueError):
    """``Saver.restore`` of a prefix with no checkpoint: TF 1.15 raises a ValueError ("not a valid checkpoint"),
    older TF1 a NotFoundError from its restore op; programs catch either, so this is both."""


class Saver:
    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False, saver_def=None,
                 builder=None, defer_build=False,
                 allow_empty=False, write_version=2, pad_step_number=False, save_relative_paths=False, filename=None):
        self._variables = _variables_by_name(var_list)
        if not self._variables and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._reshape, self._pad_step_number = reshape, pad_step_number
        # a checkpoint that max_to_keep would delete is kept if it was written past this time (then the next one
        # is N hours later), as TF1 does: one checkpoint every N hours outlives the rolling window
        self._keep_every = keep_checkpoint_every_n_hours * 3600
        self._next_kept_time = time.time() + self._keep_every
        self._last_checkpoints = []   # (prefix, time written), oldest first

    @property
    def last_checkpoints(self):
        """Prefixes of the checkpoints this Saver wrote and has not deleted, oldest first."""
        return [prefix for prefix, _ in self._last_checkpoints]

    def save(self, sess, save_path, global_step=None, latest_filename=None, meta_graph_suffix="meta",
             write_meta_graph=True, write_state=True, strip_default_attrs=False, save_debug_info=False):
        """Write every variable's value; return the checkpoint prefix (``save_path-<step>`` with a step)."""
        if global_step is not None:
            step = int(global_step) if isinstance(global_step, numbers.Integral) else int(sess.run(global_step))
            prefix = f"{save_path}-{step:08d}" if self._pad_step_number else f"{save_path}-{step}"
        else:
            prefix = save_path
        directory = os.path.dirname(os.path.abspath(prefix))
        if not os.path.isdir(directory) and os.path.isdir(os.path.dirname(directory)):
            os.mkdir(directory)  # as TF's checkpoint writer does: one missing level ('checkpoints/model')
        if not os.path.isdir(directory):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")  # (TF's class, too)
        names = list(self._variables)
        values = sess.run([self._variables[n] for n in names])
        write_arrays(prefix + _SUFFIX, dict(zip(names, values)), {"kind": "tf-checkpoint", "variables": names})
        if write_meta_graph:
            self._write_meta_graph(sess.graph, f"{prefix}.{meta_graph_suffix}")
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != prefix] + [(prefix, time.time())]
        if not self._max_to_keep:  # None or 0: no file is deleted, and the state lists only the latest
            self._last_checkpoints = self._last_checkpoints[-1:]
        while self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            old, written = self._last_checkpoints.pop(0)
            if written > self._next_kept_time:  # (keep_checkpoint_every_n_hours)
                self._next_kept_time += self._keep_every
                continue
            for path in (old + _SUFFIX, f"{old}.{meta_graph_suffix}"):
                if os.path.exists(path):
                    os.remove(path)
        if write_state:
            _write_state(directory, prefix, self.last_checkpoints, latest_filename or _STATE_FILE)
        return prefix

    def _write_meta_graph(self, graph, path):
        """The graph beside the values; a graph that cannot be described (Python code in it: a ``tf.data``
        pipeline, as every Estimator has) gets a logged warning, once per program, instead of failing the save."""
        global _warned_not_exportable
        try:
            export_meta_graph(path, graph=graph, saver_def={name: v.op.name for name, v in self._variables.items()})
        except NotExportableError as error:
            if not _warned_not_exportable:
                _warned_not_exportable = True
                logging.warning("Saver.save: no .meta file written (%s); the checkpoint holds the values, to be "
                                "restored into the graph built by the program", error)

    def restore(self, sess, save_path):
        """Load every variable of this Saver from the checkpoint at prefix ``save_path``."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        path = save_path + _SUFFIX
        if not os.path.exists(path):
            hint = ""
            if os.path.isdir(save_path):
                hint = " (a directory: give a checkpoint's prefix, e.g. tf.train.latest_checkpoint(directory))"
            elif save_path.endswith((".index", ".meta", ".data-00000-of-00001")):
                hint = f" (give the prefix, without the file's ending: {os.path.splitext(save_path)[0]})"
            raise MissingCheckpointError(None, None,
                                         f"The passed save_path is not a valid checkpoint: {save_path}{hint}")
        arrays = _checkpoint_arrays(path)
        for name, var in self._variables.items():
            if name not in arrays:
                raise NotFoundError(None, None, f"Key {name} not found in checkpoint {save_path}")
            value = arrays[name]
            if self._reshape and var.shape.is_fully_defined() and value.size == var.shape.num_elements():
                value = value.reshape(tuple(var.shape))  # (Saver(reshape=True): the same values, another shape)
            # the errors TF1's restore raises (from its Assign op): InvalidArgumentError
            if var.shape.rank_known and not var.shape.is_compatible_with(value.shape):
                raise InvalidArgumentError(None, None, f"Assign requires shapes of both tensors to match: restoring "
                                                       f"variable {name}, the checkpoint holds shape {value.shape} but "
                                                       f"the variable has shape {var.shape}")
            if value.dtype != var.dtype:
                raise InvalidArgumentError(None, None, f"Restoring variable {name}: the checkpoint holds dtype "
                                                       f"{value.dtype.name} but the variable has dtype "
                                                       f"{var.dtype.name}")
            sess.set_variable_value(var.op, sess.on_device(value))

    def recover_last_checkpoints(self, checkpoint_paths):
        now = time.time()
        self._last_checkpoints = [(p, now) for p in checkpoint_paths if os.path.exists(p + _SUFFIX)]


def _checkpoint_arrays(path):
    """The values in the checkpoint file ``path``; a damaged file is TF's ``DataLossError``, what a TF1 program
    catches around a restore."""
    try:
        return read_arrays(path)[0]
    except ArrayFileError as error:
        raise DataLossError(None, None, str(error)) from None


def _write_state(directory, latest, all_paths, filename):
    """The ``checkpoint`` text file (TF's format): the latest prefix and all kept ones, relative when inside."""
    def rel(p):
        return os.path.relpath(p, directory) if os.path.dirname(os.path.abspath(p)) == directory else p
    lines = [f"model_checkpoint_path: {quoted(rel(latest))}"]
    lines += [f"all_model_checkpoint_paths: {quoted(rel(p))}" for p in all_paths]
    text = ("\n".join(lines) + "\n").encode("utf-8")
    write_atomically(os.path.join(directory, filename), lambda f: f.write(text))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """``(latest prefix, [all prefixes])`` from the directory's ``checkpoint`` file, or None. The file is TF1's
    text format (``key: "value"`` lines); other keys (TF 1.15's timestamps) are skipped, and a file that cannot
    be read as that format is ignored with a warning, as TF does."""
    path = os.path.join(checkpoint_dir, latest_filename or _STATE_FILE)
    if not os.path.exists(path):
        return None
    latest, paths = None, []
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            key, colon, value = (part.strip() for part in line.partition(b":"))
            key = key.decode("ascii", "replace")
            if key not in ("model_checkpoint_path", "all_model_checkpoint_paths"):
                if colon and key.replace("_", "").isalnum():
                    continue  # a field minidl does not use
                logging.warning("%s: Checkpoint ignored (cannot read the line %r)", path, line.strip())
                return None
            try:
                value = unquoted(value)
            except ValueError as error:  # (not a quoted string, or not UTF-8 inside)
                logging.warning("%s: Checkpoint ignored (%s: %s)", path, key, error)
                return None
            value = value if os.path.isabs(value) else os.path.join(checkpoint_dir, value)
            if key == "model_checkpoint_path":
                latest = value
            else:
                paths.append(value)
    return CheckpointState(latest, paths)


class CheckpointState:
    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = all_model_checkpoint_paths


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (None if there is none)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or state.model_checkpoint_path is None:
        return None
    return state.model_checkpoint_path if os.path.exists(state.model_checkpoint_path + _SUFFIX) else None


def checkpoint_exists(prefix):
    return os.path.exists(checkpoint_file(prefix))


def checkpoint_file(prefix):
    """The file that holds the checkpoint ``prefix`` names (minidl writes one file per checkpoint: the module
    docstring says why it is named ``.index``)."""
    return prefix + _SUFFIX


#: ``tf.train.SaverDef``'s checkpoint format versions, for ``Saver(write_version=tf.train.SaverDef.V2)`` (minidl
#: writes one format whatever the version says)
SaverDef = types.SimpleNamespace(LEGACY=0, V1=1, V2=2, CheckpointFormatVersion=types.SimpleNamespace(
    LEGACY=0, V1=1, V2=2))


class NewCheckpointReader:
    """Reads a checkpoint's values without a graph or a session (``tf.train.NewCheckpointReader(prefix)``): to
    look inside one, or to take some of its weights into another model."""

    def __init__(self, prefix):
        path = prefix + _SUFFIX
        if not os.path.exists(path):
            raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                                            f"files for {prefix}")
        self._arrays = _checkpoint_arrays(path)

    def get_variable_to_shape_map(self):
        return {name: list(array.shape) for name, array in self._arrays.items()}

    def get_variable_to_dtype_map(self):
        return {name: array.dtype for name, array in self._arrays.items()}

    def has_tensor(self, name):
        return name in self._arrays

    def get_tensor(self, name):
        if name not in self._arrays:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._arrays[name].copy()


def load_checkpoint(ckpt_dir_or_file):
    """A reader (``NewCheckpointReader``) of ``ckpt_dir_or_file``: a checkpoint prefix, or a directory (its latest
    checkpoint)."""
    prefix = latest_checkpoint(ckpt_dir_or_file) if os.path.isdir(ckpt_dir_or_file) else ckpt_dir_or_file
    if prefix is None:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}")
    return NewCheckpointReader(prefix)


def list_variables(ckpt_dir_or_file):
    """``[(name, shape), ...]`` of the variables in a checkpoint (a prefix, or a directory's latest), by name."""
    return sorted(load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The value (a numpy array) of variable ``name`` in a checkpoint (a prefix, or a directory's latest)."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name.split(":")[0])
