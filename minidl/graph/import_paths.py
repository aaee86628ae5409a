"""TF1's import paths: ``import tensorflow.compat.v1 as tf``, ``from tensorflow.contrib.rnn import LSTMCell``,
``from tensorflow.python.framework import ops`` — with ``tensorflow`` replaced by ``minidl.graph``.

Most of TF's namespaces are objects in minidl (a ``SimpleNamespace`` of functions, or a module that goes by another
name: ``tf.random`` is ``random_ops``). Attribute access finds them, but an ``import`` statement looks a dotted
name up in ``sys.modules`` first, and otherwise needs its parent to be a package on disk. So ``register`` enters
every namespace reachable from ``minidl.graph`` in ``sys.modules`` under its TF path, and the ``tensorflow.python``
paths that TF1 programs import (``python.framework.ops``, ``python.ops.array_ops``, ...) under theirs: TF spread
its public functions over those modules, and minidl's package holds them all, so most stand for the package.
"""
import importlib
import importlib.machinery
import sys
import types

#: ``tensorflow.python.<path>`` that TF1 programs import, and what each stands for: an attribute path from the
#: package ("" for the package itself). Their parents (``python.framework``, ...) are namespaces of them.
_PYTHON_PATHS = {
    "framework.ops": "", "framework.constant_op": "", "framework.dtypes": "dtypes", "framework.errors": "errors",
    "framework.graph_util": "graph_util", "framework.tensor_util": "", "framework.random_seed": "",
    "framework.sparse_tensor": "",
    "ops.array_ops": "", "ops.math_ops": "", "ops.control_flow_ops": "", "ops.init_ops": "",
    "ops.variable_scope": "", "ops.variables": "", "ops.state_ops": "", "ops.random_ops": "", "ops.clip_ops": "",
    "ops.check_ops": "", "ops.functional_ops": "", "ops.string_ops": "", "ops.sparse_ops": "",
    "ops.tensor_array_ops": "", "ops.data_flow_ops": "", "ops.logging_ops": "", "ops.nn_ops": "nn", "ops.nn": "nn",
    "ops.rnn": "nn", "ops.rnn_cell": "nn.rnn_cell", "ops.losses": "losses", "ops.image_ops": "image",
    "training.training": "train", "training.saver": "train", "training.optimizer": "train",
    "summary.summary": "summary", "layers.layers": "layers", "layers.core": "layers",
    "platform.gfile": "gfile", "platform.tf_logging": "logging", "platform.app": "app", "platform.flags": "flags",
    "util.nest": "nest", "lib.io.tf_record": "python_io", "client.session": "",
}


def register(package_name):
    """Make every namespace reachable from the package importable by its dotted path (see the module docstring)."""
    package = sys.modules[package_name]
    _register_tree(package_name, package, {id(package)})
    python = importlib.import_module(f"{package_name}.python")
    for path, target in _PYTHON_PATHS.items():
        value = package
        for name in filter(None, target.split(".")):
            value = getattr(value, name, None)
        if value is not None:
            _place(python, path, value)
    # the MNIST reader of TF1's tutorials: from tensorflow.examples.tutorials.mnist import input_data
    _place(package, "examples.tutorials.mnist.input_data", importlib.import_module(f"{package_name}.mnist_input_data"))


def _place(root, path, value):
    """``value`` as ``root``'s ``path`` (dotted), importable: the parents are namespaces, made on first use."""
    *parents, leaf = path.split(".")
    node, dotted = root, root.__name__
    for name in parents:
        if not hasattr(node, name):
            setattr(node, name, types.SimpleNamespace())
        node, dotted = getattr(node, name), f"{dotted}.{name}"
        _enter(dotted, node)
    setattr(node, leaf, value)
    _enter(f"{dotted}.{leaf}", value)


def _register_tree(path, namespace, seen):
    """Enter each namespace attribute of ``namespace`` under ``path.name``, and look inside each one once."""
    for name, value in list(vars(namespace).items()):
        if name.startswith("_") or not _is_namespace(value):
            continue
        _enter(f"{path}.{name}", value)
        if id(value) not in seen:
            seen.add(id(value))
            _register_tree(f"{path}.{name}", value, seen)


def _is_namespace(value):
    return isinstance(value, types.SimpleNamespace) or (
        isinstance(value, types.ModuleType) and value.__name__.startswith("minidl.graph"))


def _enter(dotted, value):
    """``sys.modules[dotted] = value``, unless a module of that name is loaded already or exists on disk (a
    real submodule not imported yet must not be shadowed)."""
    if dotted in sys.modules:
        return
    parent, _, name = dotted.rpartition(".")
    search = getattr(sys.modules.get(parent), "__path__", None)
    if search is not None and importlib.machinery.PathFinder.find_spec(dotted, search) is not None:
        return
    sys.modules[dotted] = value
