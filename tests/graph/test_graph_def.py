"""GraphDef, import_graph_def and tf.graph_util: freezing a trained graph, shipping its bytes, importing them in a
fresh graph — with the values checked against the session that trained it."""
import os

import numpy as np
import pytest

import minidl.graph as tf


def _trained_model(steps=3):
    """A small classifier trained a few steps; returns (graph, session, x, logits, data, predictions)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        hidden = tf.layers.dense(x, 8, activation=tf.nn.relu, name="hidden")
        logits = tf.identity(tf.layers.dense(hidden, 2, name="out"), name="logits")
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        init = tf.global_variables_initializer()
    data = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    sess = tf.Session(graph=graph)
    sess.run(init)
    for _ in range(steps):
        sess.run(train, {x: data, labels: [0, 1, 0, 1, 1, 0]})
    return graph, sess, x, logits, data, sess.run(logits, {x: data})


def test_freeze_write_parse_import_and_run_without_variables(tmp_path):
    graph, sess, x, logits, data, expected = _trained_model()
    graph_def = sess.graph_def
    assert [n.name for n in graph_def.node] == [op.name for op in graph.get_operations()]
    frozen = tf.graph_util.convert_variables_to_constants(sess, graph_def, ["logits"])
    sess.close()
    types = {n.name: n.op for n in frozen.node}
    # the variables the output reads are constants now; the optimizer, the loss and the labels are gone
    assert types["hidden/kernel"] == types["out/bias"] == "Const"
    assert "VariableV2" not in types.values() and "labels" not in types and len(types) < len(graph_def.node) / 5
    path = str(tmp_path / "frozen.pb")
    with tf.gfile.GFile(path, "wb") as f:
        f.write(frozen.SerializeToString())
    loaded = tf.GraphDef()
    with tf.gfile.GFile(path, "rb") as f:
        assert loaded.ParseFromString(f.read()) == os.path.getsize(path)
    with tf.Graph().as_default() as serving:
        assert tf.import_graph_def(loaded, name="model") is None
    assert not serving.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    with tf.Session(graph=serving) as fresh:  # nothing to initialize: the values are in the graph
        np.testing.assert_array_equal(fresh.run("model/logits:0", {"model/x:0": data}), expected)


def test_extract_sub_graph_keeps_what_the_outputs_need_in_order():
    with tf.Graph().as_default() as graph:
        a = tf.placeholder(tf.float32, name="a")
        b = tf.constant(2.0, name="b")
        with tf.control_dependencies([tf.no_op(name="first")]):
            c = tf.multiply(a, b, name="c")
        tf.add(c, 1.0, name="unused")
    sub = tf.graph_util.extract_sub_graph(graph.as_graph_def(), ["c"])
    assert [(n.name, n.op, n.input) for n in sub.node] == [
        ("a", "Placeholder", []), ("b", "Const", []), ("first", "NoOp", []), ("c", "Mul", ["a", "b", "^first"])]
    with pytest.raises(TypeError, match="dest_nodes must be a list"):
        tf.graph_util.extract_sub_graph(graph.as_graph_def(), "c")
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(graph.as_graph_def(), ["nope"])


def test_whitelist_and_blacklist_choose_the_variables_to_freeze():
    graph, sess, x, logits, data, expected = _trained_model(steps=1)
    with sess:
        only_hidden = tf.graph_util.convert_variables_to_constants(
            sess, sess.graph_def, ["logits"], variable_names_whitelist=["hidden/kernel", "hidden/bias"])
        all_but_out = tf.graph_util.convert_variables_to_constants(
            sess, sess.graph_def, ["logits"], variable_names_blacklist=["out/kernel"])
    assert {n.name: n.op for n in only_hidden.node if n.name.endswith(("kernel", "bias"))} == {
        "hidden/kernel": "Const", "hidden/bias": "Const", "out/kernel": "VariableV2", "out/bias": "VariableV2"}
    assert {n.name for n in all_but_out.node if n.op == "VariableV2"} == {"out/kernel"}


def test_a_frozen_while_loop_runs_after_import():
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [4, 2, 3], name="x")  # time-major: 4 steps, batch 2
        cell = tf.nn.rnn_cell.GRUCell(5)  # not fused: a while_loop whose body reads the variables
        _, state = tf.nn.dynamic_rnn(cell, x, time_major=True, dtype=tf.float32)
        tf.identity(state, name="state")
        init = tf.global_variables_initializer()
    data = np.random.default_rng(1).standard_normal((4, 2, 3)).astype(np.float32)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        expected = sess.run("state:0", {x: data})
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["state"])
    assert "VariableV2" not in {n.op for n in frozen.node}
    with tf.Graph().as_default() as serving:
        (state,) = tf.import_graph_def(tf.GraphDef.FromString(frozen.SerializeToString()),
                                       return_elements=["state:0"], name="")
    with tf.Session(graph=serving) as sess:
        np.testing.assert_allclose(sess.run(state, {"x:0": data}), expected, rtol=1e-6)


def test_import_graph_def_scopes_input_map_and_return_elements():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.multiply(x, 3.0, name="y")
    graph_def = graph.as_graph_def()
    with tf.Graph().as_default() as target:
        feed = tf.constant([1.0, 2.0], name="feed")
        y, op = tf.import_graph_def(graph_def, input_map={"x:0": feed}, return_elements=["y:0", "y"])
        again = tf.import_graph_def(graph_def, return_elements=["y:0"])[0]
        assert (y.name, op.name, again.name) == ("import/y:0", "import/y", "import_1/y:0")
        with pytest.raises(ValueError, match="Requested return_element 'z:0' not found in graph_def"):
            tf.import_graph_def(graph_def, return_elements=["z:0"])
        with pytest.raises(ValueError, match=r"not found in graph_def: \['nope:0'\]"):
            tf.import_graph_def(graph_def, input_map={"nope": feed})
        with pytest.raises(TypeError, match="graph_def must be a GraphDef"):
            tf.import_graph_def(graph)
    with tf.Session(graph=target) as sess:
        assert sess.run(y).tolist() == [3.0, 6.0]


def test_nodes_devices_and_damaged_bytes():
    with tf.Graph().as_default() as graph:
        with tf.device("/cpu:0"):
            a = tf.placeholder(tf.float32, [3], name="a")
        tf.add(*tf.split(tf.stack([a, a]), 2), name="sum")
    graph_def = graph.as_graph_def()
    nodes = {n.name: n for n in graph_def.node}
    pieces = graph.get_operation_by_name("sum").inputs[0].op.name  # the split: its outputs 0 and 1
    assert nodes["sum"].input == [pieces, pieces + ":1"] and nodes["stack"].input == ["a", "a"]
    assert nodes["a"].device == graph.get_operation_by_name("a").device == "/device:CPU:0"
    for node in graph_def.node:  # what programs do before importing a graph trained elsewhere
        node.device = ""
    assert tf.GraphDef.FromString(graph_def.SerializeToString()).node[0].device == ""
    with pytest.raises(ValueError, match="not a GraphDef written by minidl"):
        tf.GraphDef().ParseFromString(b"\x0a\x03abc")
    with pytest.raises(TypeError, match="expects bytes"):
        tf.GraphDef().ParseFromString("text")
    copy = tf.GraphDef()
    copy.CopyFrom(graph_def)
    assert [n.name for n in copy.node] == [n.name for n in graph_def.node] and copy.ByteSize() > 0


def test_write_graph_binary_is_importable_and_file_writer_takes_a_graph_def(tmp_path):
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, name="x")
        tf.identity(x * 2.0, name="y")
    path = tf.train.write_graph(graph.as_graph_def(), str(tmp_path), "graph.pb", as_text=False)
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(tf.GraphDef.FromString(open(path, "rb").read()), return_elements=["y:0"])
        with tf.Session() as sess:
            assert sess.run(y, {"import/x:0": 4.0}) == 8.0
    text = open(tf.io.write_graph(graph.as_graph_def(), str(tmp_path), "graph.pbtxt")).read()
    assert 'name: "y"\n  op: "Identity"\n  input: "mul"' in text
    with tf.Session(graph=graph) as sess:
        writer = tf.summary.FileWriter(str(tmp_path / "logs"), sess.graph_def)  # TF1's positional graph_def
        writer.close()
    assert os.listdir(str(tmp_path / "logs"))
