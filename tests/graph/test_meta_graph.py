"""tf.train.export_meta_graph / import_meta_graph, and the ``.meta`` file ``Saver.save`` writes: a graph rebuilt in
another (fresh) graph must compute, train and differentiate exactly as the original did."""
import json
import logging
import os
import struct

import numpy
import pytest

import minidl.graph as tf
from minidl.graph import meta_graph
from minidl.graph.meta_graph import NotExportableError
from minidl.io import read_arrays, write_arrays

RNG = numpy.random.default_rng(0)
IMAGES = RNG.standard_normal((8, 12, 12, 1)).astype(numpy.float32)
LABELS = RNG.integers(0, 3, 8)


def small_cnn():
    """A CNN with batch norm and dropout switched by a ``training`` placeholder (tf.cond inside), Adam and a
    global step: what a TF1 program typically saves."""
    x = tf.placeholder(tf.float32, [None, 12, 12, 1], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    training = tf.placeholder_with_default(False, [], name="training")
    h = tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.batch_normalization(h, training=training)
    h = tf.layers.dropout(h, 0.25, training=training)
    logits = tf.layers.dense(tf.layers.flatten(h), 3, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    step = tf.train.get_or_create_global_step()
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(1e-2).minimize(loss, global_step=step, name="train")
    tf.add_to_collection("logits", logits)
    return dict(x=x, y=y, training=training, logits=logits, loss=loss, train=train)


def test_a_saved_cnn_is_rebuilt_and_computes_and_trains_as_the_original(tmp_path):
    tf.set_random_seed(1)
    m = small_cnn()
    saver = tf.train.Saver()
    feed = {m["x"]: IMAGES, m["y"]: LABELS}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(m["train"], feed)
        prefix = saver.save(sess, str(tmp_path / "model"), global_step=1)
        logits_then = sess.run(m["logits"], {m["x"]: IMAGES})
        sess.run(m["train"], feed)  # without dropout, the next step is deterministic
        logits_next = sess.run(m["logits"], {m["x"]: IMAGES})
    assert os.path.exists(prefix + ".meta")

    with tf.Graph().as_default() as graph:  # another program: nothing built by hand
        restorer = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            restorer.restore(sess, prefix)
            logits = tf.get_collection("logits")[0]
            numpy.testing.assert_array_equal(sess.run(logits, {"x:0": IMAGES}), logits_then)
            sess.run(graph.get_operation_by_name("train"), {"x:0": IMAGES, "y:0": LABELS})
            numpy.testing.assert_allclose(sess.run("logits/BiasAdd:0", {"x:0": IMAGES}), logits_next,
                                          rtol=1e-5, atol=1e-6)
            assert sess.run(tf.train.get_global_step()) == 2
        names = [v.op.name for v in tf.trainable_variables()]
        assert names == ["conv2d/kernel", "conv2d/bias", "batch_normalization/gamma", "batch_normalization/beta",
                         "logits/kernel", "logits/bias"]
        assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
        assert len(tf.global_variables()) == 6 + 2 + 1 + 12 + 2  # moving stats, step, Adam slots, beta powers
        # the program may go on building: new layers get fresh names, gradients extend the imported graph
        extra = tf.layers.dense(logits, 2)
        assert extra.name == "dense/BiasAdd:0"


def test_while_loops_cond_and_their_gradients_survive_the_round_trip(tmp_path):
    x = tf.placeholder(tf.float32, [None, 5, 3], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(6), x, dtype=tf.float32)  # a while_loop
    logits = tf.layers.dense(state.h, 2, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    loss = tf.cond(loss > 0.5, lambda: 2.0 * loss, lambda: loss, name="scaled")
    sequences = RNG.standard_normal((4, 5, 3)).astype(numpy.float32)
    feed = {x: sequences, y: RNG.integers(0, 2, 4)}
    grads = tf.gradients(loss, tf.trainable_variables())
    path = str(tmp_path / "rnn.meta")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(tf.trainable_variables())
        expected_loss, expected_grads = sess.run([loss, grads], feed)
    tf.train.export_meta_graph(path)

    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(path)
        variables = tf.trainable_variables()
        loss = graph.get_tensor_by_name(loss.name)
        new_grads = tf.gradients(loss, variables)  # built anew on the imported loop and branches
        with tf.Session() as sess:
            for v, value in zip(variables, values):
                v.load(value, sess)
            fed = {"x:0": feed[x], "y:0": feed[y]}
            assert sess.run(loss, fed) == pytest.approx(expected_loss, rel=1e-6)
            for got, want in zip(sess.run(new_grads, fed), expected_grads):
                numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_initializers_collections_and_constants_of_every_kind_come_back():
    w = tf.Variable(tf.constant([[1.0, 2.0]]), name="w")
    tf.get_variable("v", [3], initializer=tf.constant_initializer(0.5), trainable=False)
    tf.constant(["héllo", "wörld"], name="words")
    tf.constant([numpy.inf, -numpy.inf, numpy.nan], name="special")
    tf.constant(numpy.array([1 + 2j], numpy.complex64), name="complex_value")
    sliced = tf.identity(w[:, ::-1], name="sliced")
    tf.add_to_collection("mine", sliced)
    description = tf.train.export_meta_graph()
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(description)
        assert [x.op.name for x in tf.global_variables()] == ["w", "v"]
        assert [x.op.name for x in tf.trainable_variables()] == ["w"]
        assert tf.get_collection("mine")[0].name == "sliced:0"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w_value, v_value, s, c, words_value, flipped = sess.run(
                ["w:0", "v:0", "special:0", "complex_value:0", "words:0", "sliced:0"])
        numpy.testing.assert_array_equal(w_value, [[1.0, 2.0]])
        numpy.testing.assert_array_equal(v_value, [0.5, 0.5, 0.5])
        assert s[0] == numpy.inf and s[1] == -numpy.inf and numpy.isnan(s[2])
        assert c.dtype == numpy.complex64 and c[0] == 1 + 2j
        assert list(words_value) == ["héllo".encode(), "wörld".encode()]
        numpy.testing.assert_array_equal(flipped, [[2.0, 1.0]])
        assert graph.get_tensor_by_name("w:0").shape.as_list() == [1, 2]


def test_import_scope_prefixes_names_and_the_returned_saver_reads_the_original_checkpoint(tmp_path):
    a = tf.Variable([1.0, 2.0], name="a")
    doubled = tf.multiply(a, 2.0, name="doubled")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(a.assign([3.0, 4.0]))
        prefix = saver.save(sess, str(tmp_path / "ckpt"))
    with tf.Graph().as_default() as graph:
        first = tf.train.import_meta_graph(prefix + ".meta", import_scope="first")
        second = tf.train.import_meta_graph(prefix + ".meta", import_scope="second")
        with tf.Session() as sess:
            first.restore(sess, prefix)
            second.restore(sess, prefix)
            numpy.testing.assert_array_equal(sess.run("first/doubled:0"), [6.0, 8.0])
            numpy.testing.assert_array_equal(sess.run("second/doubled:0"), [6.0, 8.0])
        assert {op.name for op in graph.get_operations()} >= {"first/a", "second/a", "second/doubled"}
    assert doubled.name == "doubled:0"


def test_export_scope_keeps_one_part_of_the_graph():
    with tf.name_scope("model"):
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.square(x, name="y")
    outside = tf.constant(1.0, name="outside")
    description = tf.train.export_meta_graph(export_scope="model")
    assert {op["name"] for op in description["operations"]} == {"x", "y"}
    with tf.Graph().as_default():
        tf.train.import_meta_graph(description, import_scope="net")
        with tf.Session() as sess:
            numpy.testing.assert_array_equal(sess.run("net/y:0", {"net/x:0": [2.0, 3.0]}), [4.0, 9.0])
    with tf.name_scope("mixed"):
        tf.add(y, outside, name="sum")
    with pytest.raises(NotExportableError, match="outside the export scope"):
        tf.train.export_meta_graph(export_scope="mixed")


def test_operations_running_python_code_become_stand_ins_whose_outputs_are_fed(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(meta_graph, "_warned_about_stand_ins", False)  # as at the start of a program
    w = tf.Variable(2.0, name="w")
    dataset = tf.data.Dataset.from_tensor_slices(numpy.arange(4.0, dtype=numpy.float32)).map(lambda v: v * 2.0)
    batch = tf.data.make_one_shot_iterator(dataset.batch(2)).get_next()
    tf.multiply(batch, w, name="scaled")
    tripled = tf.py_func(lambda v: 3 * v, [batch], tf.float32, name="tripled")
    tf.add(tripled, 1.0, name="after_python")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with caplog.at_level(logging.WARNING, logger="minidl.graph"):
            prefix = saver.save(sess, str(tmp_path / "model"))
            saver.save(sess, str(tmp_path / "again"))  # warned once per program, not at every checkpoint
    warned = [r.getMessage() for r in caplog.records if "stand-ins" in r.getMessage()]
    assert len(warned) == 1 and "OneShotIterator, IteratorGetNext, tripled" in warned[0]
    with tf.Graph().as_default():
        restorer = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            restorer.restore(sess, prefix)
            # the dataset's output is fed, as an imported training graph is used for predictions
            numpy.testing.assert_array_equal(sess.run("scaled:0", {"IteratorGetNext:0": [1.0, 5.0]}), [2.0, 10.0])
            numpy.testing.assert_array_equal(sess.run("after_python:0", {"tripled:0": [4.0]}), [5.0])
            with pytest.raises(tf.errors.InvalidArgumentError, match="feed IteratorGetNext:0 instead"):
                sess.run("scaled:0")
            with pytest.raises(tf.errors.InvalidArgumentError, match="'tripled' \\(PyFunc\\) was imported"):
                sess.run("after_python:0", {"IteratorGetNext:0": [1.0]})


def test_the_saver_deletes_old_meta_files_with_their_checkpoints(tmp_path):
    tf.Variable(1.0)
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(4):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
        saver.save(sess, str(tmp_path / "plain"), write_meta_graph=False)
    kept = sorted(f for f in os.listdir(tmp_path) if f != "checkpoint")
    assert kept == ["m-3.index", "m-3.meta", "plain.index"]  # the last two saves, each file of each


def _rewritten(path, tmp_path, change):
    """A copy of the meta graph at ``path`` with its description changed by ``change(description)``."""
    arrays, description = read_arrays(path)
    change(description)
    out = str(tmp_path / "crafted.meta")
    write_arrays(out, arrays, description)
    return out


@pytest.mark.parametrize("change, message", [
    (lambda d: d["operations"][1].update(op="os:system"), "which this minidl does not define"),
    (lambda d: d["operations"][1].update(op="minidl.graph.session:Session"), "which this minidl does not define"),
    (lambda d: d["operations"][1]["attrs"].update(dtype={"numpy_dtype": "|O"}), "is not a number type"),
    (lambda d: d["operations"][1].update(inputs=["nowhere:0"]), "before \\(or without\\) defining it"),
    (lambda d: d["operations"][1]["attrs"].update(dtype={"pickle": "..."}), "unknown attribute tag"),
    (lambda d: d.update(version=99), "meta graph file version 99"),
    (lambda d: d["operations"][1]["attrs"].update(dtype={"namedtuple": "os:stat_result", "fields": []}),
     "not one of minidl's attribute types"),
    (lambda d: d["operations"][1]["attrs"].update(dtype={"namedtuple": "minidl.graph.session:collections",
                                                         "fields": []}), "not one of minidl's attribute types"),
    # a module of minidl's not imported yet: importing it would run its code (the demo's would train)
    (lambda d: d["operations"][1]["attrs"].update(dtype={"namedtuple": "minidl.demo.__main__:X", "fields": []}),
     "not one of minidl's attribute types"),
])
def test_a_crafted_file_is_refused_and_nothing_in_it_is_run(tmp_path, change, message, monkeypatch):
    import importlib

    def no_import(name, *args):
        raise AssertionError(f"loading a file imported {name}")
    monkeypatch.setattr(importlib, "import_module", no_import)
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.cast(x, tf.int32, name="cast")
    path = str(tmp_path / "g.meta")
    tf.train.export_meta_graph(path)
    crafted = _rewritten(path, tmp_path, change)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=message):
            tf.train.import_meta_graph(crafted)


def test_files_that_are_not_meta_graphs(tmp_path):
    v = tf.Variable(1.0)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        prefix = saver.save(sess, str(tmp_path / "model"), write_meta_graph=False)
    with pytest.raises(ValueError, match="not a meta graph written by minidl"):
        tf.train.import_meta_graph(prefix + ".index")
    with pytest.raises(OSError, match="does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    damaged = tmp_path / "damaged.meta"
    damaged.write_bytes(b"MINIDL\x00\x01" + struct.pack("<Q", 10) + json.dumps({}).encode())
    with pytest.raises(ValueError, match="truncated"):
        tf.train.import_meta_graph(str(damaged))


def test_minimize_names_its_op_as_tf1_does():
    v = tf.Variable(1.0)
    loss = v * v
    assert tf.train.AdamOptimizer(0.1).minimize(loss, name="train").name == "train"
    assert tf.train.GradientDescentOptimizer(0.1).minimize(loss).name == "GradientDescent"
    step = tf.train.get_or_create_global_step()
    assert tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step).name == "GradientDescent_1"


def test_input_map_replaces_a_tensor_of_the_file_and_unknown_arguments_are_refused():
    a = tf.constant(3.0, name="a")
    b = tf.multiply(a, 2.0, name="b")
    tf.add(b, 1.0, name="c")
    description = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        replacement = tf.placeholder(tf.float32, [], name="fed")
        tf.train.import_meta_graph(description, input_map={"b": replacement})
        with tf.Session() as sess:
            assert sess.run("c:0", {replacement: 100.0}) == 101.0
            assert sess.run("b:0") == 6.0  # the mapped tensor itself is still imported
        with pytest.raises(ValueError, match="not found in graph_def: \\['nope:0'\\]"):
            tf.train.import_meta_graph(description, import_scope="x", input_map={"nope:0": replacement})
        with pytest.raises(TypeError, match="unexpected keyword argument 'imput_scope'"):
            tf.train.import_meta_graph(description, imput_scope="typo")


def test_the_returned_saver_restores_what_the_saving_saver_saved(tmp_path):
    labels = tf.placeholder(tf.int64, [None])
    tf.metrics.accuracy(labels, labels)  # local variables: never in a checkpoint
    w = tf.Variable(1.0, name="w")
    v = tf.Variable(2.0, name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([w.assign(5.0), v.assign(7.0)])
        all_prefix = tf.train.Saver().save(sess, str(tmp_path / "all"))
        w_prefix = tf.train.Saver({"renamed_w": w}).save(sess, str(tmp_path / "w_only"))
    for prefix, expected in ((all_prefix, {"w": 5.0, "v": 7.0}), (w_prefix, {"w": 5.0})):
        with tf.Graph().as_default() as graph:
            saver = tf.train.import_meta_graph(prefix + ".meta")
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                saver.restore(sess, prefix)
                got = {name: sess.run(graph.get_tensor_by_name(name + ":0")) for name in ("w", "v")}
        assert {name: got[name] for name in expected} == expected
    assert got["v"] == 2.0  # not in the w-only checkpoint: its initial value


def test_collections_of_plain_values_and_the_collections_predicate():
    tf.add_to_collection("hyper", "adam")
    tf.add_to_collection("hyper", 0.001)
    tf.add_to_collection("hyper", 3)
    tf.add_to_collection("tensors", tf.constant(1.0, name="one"))
    description = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        tf.train.import_meta_graph(description)
        assert tf.get_collection("hyper") == ["adam", 0.001, 3]
    with tf.Graph().as_default():
        tf.train.import_meta_graph(description, restore_collections_predicate=lambda key: key != "hyper")
        assert tf.get_collection("hyper") == [] and tf.get_collection("tensors")[0].name == "one:0"


def test_damaged_function_graphs_and_references(tmp_path):
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
    path = str(tmp_path / "g.meta")
    tf.train.export_meta_graph(path)
    for change, message in ((lambda d: d["functions"][0].update(outer=d["functions"][0]["id"]), "inside itself"),
                            (lambda d: d["operations"][-1].update(inputs=["x:7"]), "damaged \\(IndexError"),
                            (lambda d: d["variables"].append({"variable": "x:0"}), "listed as a variable"),
                            (lambda d: d.update(seed="abc"), "seed must be an integer")):
        crafted = _rewritten(path, tmp_path, change)
        with tf.Graph().as_default():
            with pytest.raises(ValueError, match=message):
                tf.train.import_meta_graph(crafted)


def test_an_image_resize_comes_back_with_its_sampling_rule(tmp_path):
    x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
    tf.identity(tf.image.resize_images(x, [8, 8]), name="y")
    tf.identity(tf.image.resize_images(x, [2, 2], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR), name="z")
    image = numpy.arange(16, dtype=numpy.float32).reshape(1, 4, 4, 1)
    with tf.Session() as sess:
        expected = sess.run(["y:0", "z:0"], {x: image})
    path = str(tmp_path / "resize.meta")
    tf.train.export_meta_graph(path)
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path)
        with tf.Session() as sess:
            got = sess.run(["y:0", "z:0"], {"x:0": image})
    for g, e in zip(got, expected):
        numpy.testing.assert_array_equal(g, e)


def test_importing_into_a_graph_that_has_the_names_already_makes_them_unique(tmp_path):
    """TF's importer makes a taken name unique (x_1, ...): a notebook cell that restores a model, run twice, works
    (minidl refused: "an operation named 'x' already exists"). Each import's Saver restores its own variables."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    tf.matmul(x, w, name="y")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([[3.0], [4.0]]))
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default() as graph:
        savers = [tf.train.import_meta_graph(prefix + ".meta") for _ in range(2)]
        names = {op.name for op in graph.get_operations()}
        assert {"x", "x_1", "w", "w_1", "y", "y_1"} <= names
        tf.import_graph_def(graph.as_graph_def(), name="")
        assert "y_2" in {op.name for op in graph.get_operations()}
        with tf.Session() as sess:
            for saver in savers:
                saver.restore(sess, prefix)
            outputs = sess.run(["y:0", "y_1:0"], {"x:0": [[1.0, 1.0]], "x_1:0": [[1.0, 0.0]]})
            assert [o.tolist() for o in outputs] == [[[7.0]], [[3.0]]]
