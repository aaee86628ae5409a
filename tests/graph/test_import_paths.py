"""TF1's import statements work with ``tensorflow`` replaced by ``minidl.graph``: the namespaces that minidl keeps
as objects are importable by their dotted paths (import_paths.py)."""
import importlib
import sys

import numpy as np
import pytest

import minidl.graph as tf


@pytest.mark.parametrize("statement, name, expected", [
    ("import minidl.graph.compat.v1 as imported", None, lambda: tf),
    ("from minidl.graph.contrib.rnn import LSTMCell as imported", None, lambda: tf.contrib.rnn.LSTMCell),
    ("from minidl.graph.contrib.layers import fully_connected as imported", None,
     lambda: tf.contrib.layers.fully_connected),
    ("import minidl.graph.contrib.slim as imported", None, lambda: tf.contrib.slim),
    ("from minidl.graph.nn import rnn_cell as imported", None, lambda: tf.nn.rnn_cell),
    ("from minidl.graph.python.framework import ops as imported", "reset_default_graph",
     lambda: tf.reset_default_graph),
    ("from minidl.graph.python.framework import graph_util as imported", None, lambda: tf.graph_util),
    ("from minidl.graph.python.ops import nn_ops as imported", "relu", lambda: tf.nn.relu),
    ("from minidl.graph.python.ops import array_ops as imported", "concat", lambda: tf.concat),
    ("from minidl.graph.python.training import saver as imported", "Saver", lambda: tf.train.Saver),
    ("from minidl.graph.python.platform import gfile as imported", None, lambda: tf.gfile),
    ("from minidl.graph.keras.layers import Dense as imported", None, lambda: tf.keras.layers.Dense),
])
def test_tf1_import_statements(statement, name, expected):
    scope = {}
    exec(statement, scope)
    imported = scope["imported"] if name is None else getattr(scope["imported"], name)
    assert imported is expected()


def test_an_imported_namespace_builds_and_runs_a_graph_and_no_module_is_loaded_twice():
    from minidl.graph.compat import v1
    from minidl.graph.python.framework import ops
    assert ops.get_default_graph() is tf.get_default_graph()
    x = v1.placeholder(v1.float32, [None, 2])
    with v1.Session() as sess:
        assert sess.run(v1.reduce_sum(x), {x: np.ones((3, 2))}) == 6.0
    # the real submodules keep their one module object under their own name
    assert importlib.import_module("minidl.graph.keras.layers") is sys.modules["minidl.graph.keras.layers"]
    assert sys.modules["minidl.graph.train"] is tf.train
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minidl.graph.contrib.no_such_namespace")
