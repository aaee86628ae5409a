"""tf.saved_model (simple_save, SavedModelBuilder, loader.load) and Estimator.export_saved_model: a model saved from
one graph and loaded into a fresh one must give the same outputs; the files are data (a crafted one is refused)
and a save is all or nothing (a failure leaves no directory behind)."""
import gc
import logging
import os

import numpy
import pytest

import minidl.graph as tf
from minidl.graph.saved_model import builder as builder_module
from minidl.io import read_arrays, write_arrays

RNG = numpy.random.default_rng(0)
DATA = RNG.standard_normal((5, 4)).astype(numpy.float32)
SERVING = [tf.saved_model.tag_constants.SERVING]
DEFAULT = tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY


def dense_model():
    """x -> two dense layers -> y, its variables initialized to random values."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.layers.dense(tf.layers.dense(x, 8, tf.nn.tanh, name="hidden"), 3, name="out")
    return x, y


def run_signature(export_dir, data, tags=SERVING, key=DEFAULT, output="y", input_="x"):
    """Load ``export_dir`` into a fresh graph and run one output of one of its signatures."""
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, tags, export_dir)
        signature = meta.signature_def[key]
        return sess.run(signature.outputs[output].name, {signature.inputs[input_].name: data})


def saved_dense_model(export_dir):
    x, y = dense_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(y, {x: DATA})
        tf.saved_model.simple_save(sess, export_dir, inputs={"x": x}, outputs={"y": y})
    return expected


# ======================================================================================== save, then load

def test_simple_save_then_load_in_a_fresh_graph_gives_the_same_predictions(tmp_path):
    export_dir = str(tmp_path / "model")
    expected = saved_dense_model(export_dir)
    assert sorted(os.listdir(tmp_path)) == ["model"]  # nothing else beside it (the unfinished directory is gone)
    assert sorted(os.listdir(export_dir)) == ["saved_model.minidl", "variables"]
    assert os.listdir(os.path.join(export_dir, "variables")) == ["variables.index"]
    assert tf.saved_model.loader.maybe_saved_model_directory(export_dir)
    assert not tf.saved_model.loader.maybe_saved_model_directory(str(tmp_path))

    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, export_dir)
        assert meta.meta_info_def.tags == ["serve"]
        signature = meta.signature_def[DEFAULT]
        assert signature.method_name == "tensorflow/serving/predict"
        assert signature.inputs["x"].name == "x:0"
        assert signature.inputs["x"].dtype == tf.float32.as_datatype_enum
        assert signature.inputs["x"].tensor_shape.as_list() == [None, 4]
        assert signature.outputs["y"].tensor_shape.as_list() == [None, 3]
        numpy.testing.assert_allclose(sess.run(signature.outputs["y"].name, {"x:0": DATA}), expected, rtol=1e-6)
        # the variables came back as variables, trainable ones included
        assert len(tf.trainable_variables()) == 4
    numpy.testing.assert_allclose(run_signature(export_dir.encode(), DATA), expected, rtol=1e-6)  # a bytes path


def test_a_lookup_table_needs_its_init_op_and_its_vocabulary_travels_as_an_asset(tmp_path):
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("cat\ndog\nbird\n")
    words = tf.placeholder(tf.string, [None], name="words")
    path = tf.constant(str(vocabulary), name="vocabulary_path")
    tf.add_to_collection(tf.saved_model.constants.ASSET_FILEPATHS, path)  # TF's GraphKeys.ASSET_FILEPATHS
    table = tf.lookup.index_table_from_file(path, num_oov_buckets=1)
    ids = table.lookup(words)
    weights = tf.Variable([[1.0], [2.0], [3.0], [4.0]], name="weights")
    scores = tf.gather(weights, ids)
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        sess.run(weights.assign(weights * 10))  # trained: the saved values are not the initial ones
        tf.saved_model.simple_save(sess, export_dir, {"words": words}, {"ids": ids, "scores": scores},
                                   legacy_init_op=tf.tables_initializer())
    assert os.listdir(os.path.join(export_dir, "assets")) == ["vocab.txt"]
    vocabulary.unlink()  # the model reads its own copy

    feed = numpy.array([b"dog", b"bird", b"cat", b"fish"], dtype=object)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, export_dir)
        outputs = meta.signature_def[DEFAULT].outputs
        got_ids, got_scores = sess.run([outputs["ids"].name, outputs["scores"].name], {"words:0": feed})
    numpy.testing.assert_array_equal(got_ids, [1, 2, 0, 3])
    numpy.testing.assert_array_equal(got_scores[:, 0], [20.0, 30.0, 10.0, 40.0])


def test_a_model_fed_by_tf_data_in_training_is_served_through_its_placeholder(tmp_path):
    dataset = tf.data.Dataset.from_tensor_slices(DATA).map(lambda row: row * 2.0).batch(5)
    batch = tf.data.make_one_shot_iterator(dataset).get_next()
    x = tf.placeholder_with_default(batch, [None, 4], name="x")  # TF1's idiom: the pipeline, or a fed array
    y = tf.layers.dense(x, 2, name="out")
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        from_pipeline, fed = sess.run(y), sess.run(y, {x: DATA})
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, export_dir)
        y_name = meta.signature_def[DEFAULT].outputs["y"].name
        numpy.testing.assert_allclose(sess.run(y_name, {"x:0": DATA}), fed, rtol=1e-6)
        numpy.testing.assert_allclose(sess.run(y_name, {"x:0": DATA * 2}), from_pipeline, rtol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError, match="imported from a meta graph"):
            sess.run(y_name)  # the Python pipeline was not saved: its output must be fed


def example_bytes(rows):
    return numpy.array([tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=list(map(float, row))))})).SerializeToString()
        for row in rows], dtype=object)


def test_builder_with_two_tag_sets_and_two_signatures(tmp_path):
    x, y = dense_model()
    examples = tf.placeholder(tf.string, [None], name="examples")
    parsed = tf.parse_example(examples, {"x": tf.FixedLenFeature([4], tf.float32)})["x"]
    with tf.variable_scope("", reuse=True):
        scores = tf.nn.softmax(tf.layers.dense(tf.layers.dense(parsed, 8, tf.nn.tanh, name="hidden"), 3, name="out"))
    utils, sig_utils = tf.saved_model.utils, tf.saved_model.signature_def_utils
    predict = sig_utils.build_signature_def({"x": utils.build_tensor_info(x)}, {"y": utils.build_tensor_info(y)},
                                            tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
    classify = sig_utils.classification_signature_def(examples, None, scores)
    export_dir = str(tmp_path / "model")
    builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected_y, expected_scores = sess.run(y, {x: DATA}), sess.run(scores, {examples: example_bytes(DATA)})
        builder.add_meta_graph_and_variables(sess, SERVING, signature_def_map={DEFAULT: predict, "classify": classify})
    builder.add_meta_graph([tf.saved_model.tag_constants.SERVING, tf.saved_model.tag_constants.GPU],
                           signature_def_map={"classify": classify})
    assert not os.path.exists(export_dir)  # nothing in place before save()
    assert builder.save() == os.path.join(export_dir, "saved_model.minidl").encode()

    numpy.testing.assert_allclose(run_signature(export_dir, DATA), expected_y, rtol=1e-6)
    for tags in (SERVING, ["gpu", "serve"]):  # a tag set, in any order
        got = run_signature(export_dir, example_bytes(DATA), tags, "classify", "scores", "inputs")
        numpy.testing.assert_allclose(got, expected_scores, rtol=1e-6)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve", "gpu"], export_dir)
    assert meta.meta_info_def.tags == ["serve", "gpu"]
    assert list(meta.signature_def) == ["classify"]
    assert meta.signature_def["classify"] == classify
    assert tf.saved_model.signature_def_utils.is_valid_signature(classify)


def test_import_scope_and_loading_beside_other_operations(tmp_path):
    export_dir = str(tmp_path / "model")
    expected = saved_dense_model(export_dir)
    with tf.Session(graph=tf.Graph()) as sess:
        tf.constant(1.0, name="unrelated")  # TF does not refuse a graph that holds operations already
        meta = tf.saved_model.loader.load(sess, SERVING, export_dir)
        tf.saved_model.loader.load(sess, SERVING, export_dir)  # the names taken: x_1, ... as TF's importer makes them
        assert sess.graph.get_operation_by_name("x_1").type == "Placeholder"
        tf.saved_model.loader.load(sess, SERVING, export_dir, import_scope="second")
        info = meta.signature_def[DEFAULT].outputs["y"]
        assert info.name == "out/BiasAdd:0"  # the returned signatures name the tensors as saved
        y = tf.saved_model.utils.get_tensor_from_tensor_info(info, import_scope="second")
        assert y.name == "second/out/BiasAdd:0"
        numpy.testing.assert_allclose(sess.run(y, {"second/x:0": DATA}), expected, rtol=1e-6)


def test_main_op_runs_after_the_restore_and_so_resets_the_variables_as_in_tf(tmp_path):
    v = tf.Variable(1.0, name="v")
    local = tf.Variable(0.0, name="local", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run([v.initializer, local.initializer])
        sess.run([v.assign(5.0), local.assign(3.0)])
        tf.saved_model.simple_save(sess, export_dir, {"v": v.read_value()}, {"out": v + local},
                                   legacy_init_op=tf.saved_model.main_op.main_op())
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, export_dir)
        assert sess.run(meta.signature_def[DEFAULT].outputs["out"].name) == 1.0


# ================================================================================================ errors

def test_the_export_directory_must_be_new_or_empty(tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "file").write_text("x")
    with pytest.raises(AssertionError, match="Export directory already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(taken))
    empty = tmp_path / "empty"
    empty.mkdir()
    saved_dense_model(str(empty))  # an empty directory is taken, as in TF
    assert "saved_model.minidl" in os.listdir(empty)


def test_the_builder_checks_its_calls_as_tf_does(tmp_path):
    x, y = dense_model()
    builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "model"))
    with pytest.raises(AssertionError, match="has not been saved yet"):
        builder.add_meta_graph(SERVING)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(TypeError, match="tags must be a list of strings"):
            builder.add_meta_graph_and_variables(sess, "serve")
        with pytest.raises(TypeError, match="main_op needs to be an Operation"):
            builder.add_meta_graph_and_variables(sess, SERVING, main_op=y)
        with pytest.raises(TypeError, match="must be a SignatureDef"):
            builder.add_meta_graph_and_variables(sess, SERVING, signature_def_map={DEFAULT: {"x": x}})
        with tf.Graph().as_default():
            elsewhere = tf.placeholder(tf.float32, name="elsewhere")
        with pytest.raises(ValueError, match="names tensor 'elsewhere:0', which is not in the graph"):
            builder.add_meta_graph_and_variables(sess, SERVING, signature_def_map={
                DEFAULT: tf.saved_model.predict_signature_def({"x": elsewhere}, {"y": y})})
        builder.add_meta_graph_and_variables(sess, SERVING, main_op=tf.tables_initializer())
        with pytest.raises(AssertionError, match="already been saved. Please invoke `add_meta_graph\\(\\)`"):
            builder.add_meta_graph_and_variables(sess, ["train"])
    with pytest.raises(ValueError, match="Graph already contains one or more main ops"):
        builder.add_meta_graph(["train"], main_op=tf.no_op())
    with pytest.raises(ValueError, match="with tags \\['serve'\\] was added already"):
        builder.add_meta_graph(SERVING)


def test_signature_builders_check_tf_servings_types():
    floats, strings = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.string, [None])
    utils = tf.saved_model.signature_def_utils
    with pytest.raises(ValueError, match="Prediction inputs cannot be None or empty."):
        utils.predict_signature_def({}, {"y": floats})
    with pytest.raises(ValueError, match="Classification examples must be a string Tensor."):
        utils.classification_signature_def(floats, None, floats)
    with pytest.raises(ValueError, match="Classification classes and scores cannot both be None."):
        utils.classification_signature_def(strings, None, None)
    with pytest.raises(ValueError, match="Regression output must be a float Tensor."):
        utils.regression_signature_def(strings, strings)
    regress = utils.regression_signature_def(strings, floats)
    assert (regress.method_name, list(regress.inputs), list(regress.outputs)) == \
        ("tensorflow/serving/regress", ["inputs"], ["outputs"])
    assert utils.is_valid_signature(regress)
    assert not utils.is_valid_signature(utils.build_signature_def({"inputs": regress.inputs["inputs"]}, {
        "outputs": tf.saved_model.utils.build_tensor_info(strings)}, "tensorflow/serving/regress"))
    with pytest.raises(TypeError, match="build_tensor_info: expected a graph tf.Tensor"):
        tf.saved_model.utils.build_tensor_info(numpy.zeros(2))


def test_loading_errors(tmp_path):
    export_dir = str(tmp_path / "model")
    saved_dense_model(export_dir)
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(RuntimeError, match="MetaGraphDef associated with tags 'train' could not be found in "
                                               "SavedModel.\navailable_tags: \\[{'serve'}\\]"):
            tf.saved_model.loader.load(sess, ["train"], export_dir)
        assert sess.graph.get_operations() == []  # nothing was imported
        with pytest.raises(OSError, match="SavedModel file does not exist at"):
            tf.saved_model.loader.load(sess, SERVING, str(tmp_path / "missing"))
        tf_model = tmp_path / "tf_model"
        tf_model.mkdir()
        (tf_model / "saved_model.pb").write_bytes(b"\x08\x01")
        with pytest.raises(OSError, match="holds a TensorFlow SavedModel \\(saved_model.pb\\), which minidl "
                                          "cannot read"):
            tf.saved_model.load(sess, SERVING, str(tf_model))  # (TF 1.15's other name of loader.load)


def crafted(export_dir, change):
    """Rewrite the SavedModel's description file with ``change(header)`` applied."""
    path = os.path.join(export_dir, "saved_model.minidl")
    arrays, header = read_arrays(path)
    change(header)
    write_arrays(path, arrays, header)


def _operation(header, name):
    return next(op for op in header["meta_graphs"][0]["graph"]["operations"] if op["name"] == name)


@pytest.mark.parametrize("change, error, message", [
    (lambda h: _operation(h, "out/BiasAdd").update(op="os:system"), ValueError, "which this minidl does not define"),
    (lambda h: _operation(h, "out/BiasAdd")["attrs"].update(x={"pickle": "cos\nsystem\n"}), ValueError,
     "unknown attribute tag"),
    (lambda h: h.update(kind="something-else"), ValueError, "is not a SavedModel written by minidl"),
    (lambda h: h.update(version=7), ValueError, "SavedModel file version 7"),
    (lambda h: h["meta_graphs"][0]["signature_def"][DEFAULT]["outputs"]["y"].update(name=["y"]), ValueError,
     "is damaged \\(a tensor name is \\['y'\\], not a str\\)"),
    (lambda h: h["meta_graphs"][0]["signature_def"][DEFAULT]["inputs"]["x"].update(dtype=99), ValueError,
     "dtype 99 is not one of TF's DataType numbers"),
    (lambda h: h["meta_graphs"][0].update(asset_file_def=[{"tensor": "x:0", "filename": "../../etc/passwd"}]),
     ValueError, "is not a plain file name inside assets/"),
    (lambda h: h["meta_graphs"][0]["graph"]["collections"].update(
        saved_model_main_op=[{"op": "x"}, {"op": "out/BiasAdd"}]),
     RuntimeError, "Expected exactly one SavedModel init op"),
])
def test_a_crafted_file_is_refused_and_nothing_in_it_is_run(tmp_path, monkeypatch, change, error, message):
    export_dir = str(tmp_path / "model")
    saved_dense_model(export_dir)
    crafted(export_dir, change)
    ran = []
    monkeypatch.setattr(os, "system", lambda command: ran.append(command))
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(error, match=message):
            tf.saved_model.loader.load(sess, SERVING, export_dir)
    assert ran == []


# ===================================================================================== all or nothing

def test_a_save_that_fails_midway_leaves_no_directory(tmp_path, monkeypatch):
    def failing_save(self, sess, save_path, **kwargs):
        with open(save_path + ".index", "wb") as f:  # half a checkpoint written, then the disk fills up
            f.write(b"MINIDL")
        raise OSError("No space left on device")
    monkeypatch.setattr(tf.train.Saver, "save", failing_save)
    x, y = dense_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(OSError, match="No space left"):
            tf.saved_model.simple_save(sess, str(tmp_path / "model"), {"x": x}, {"y": y})
    assert os.listdir(tmp_path) == []


def test_a_failure_in_save_or_a_builder_left_unsaved_leaves_no_directory(tmp_path, monkeypatch):
    x, y = dense_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "model"))
        builder.add_meta_graph_and_variables(sess, SERVING)
        assert len(os.listdir(tmp_path)) == 1  # the unfinished directory, hidden
        assert os.listdir(tmp_path)[0].startswith(".tmp-")
        del builder
        gc.collect()
        assert os.listdir(tmp_path) == []

        def failing_write(path, meta_graph_defs):
            raise OSError("disk full")
        monkeypatch.setattr(builder_module, "write_saved_model", failing_write)
        builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "model"))
        builder.add_meta_graph_and_variables(sess, SERVING)
        with pytest.raises(OSError, match="disk full"):
            builder.save()
        assert os.listdir(tmp_path) == []
        with pytest.raises(AssertionError, match="an earlier step failed"):
            builder.save()


# ============================================================================================ estimator

def linear_model_fn(features, labels, mode):
    """y = dense(x): a regression whose PREDICT spec also offers a regress signature."""
    y = tf.layers.dense(features["x"], 1, name="linear")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": y}, export_outputs={
            DEFAULT: tf.estimator.export.PredictOutput({"y": y}),
            "regress": tf.estimator.export.RegressionOutput(y)})
    loss = tf.losses.mean_squared_error(labels, y)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def trained_linear_estimator(model_dir):
    x = RNG.standard_normal((64, 4)).astype(numpy.float32)
    labels = x @ numpy.array([[1.0], [-2.0], [0.5], [3.0]], numpy.float32)
    estimator = tf.estimator.Estimator(linear_model_fn, model_dir=model_dir)
    return estimator.train(tf.estimator.inputs.numpy_input_fn({"x": x}, labels, batch_size=16, num_epochs=None,
                                                              shuffle=True), steps=30)


def test_estimator_export_then_load_predicts_what_estimator_predict_does(tmp_path, caplog):
    estimator = trained_linear_estimator(str(tmp_path / "model_dir"))
    expected = numpy.array([p["y"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": DATA}, shuffle=False))])
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4], name="x")})
    base = str(tmp_path / "export")
    with caplog.at_level(logging.INFO, logger="minidl.graph"):  # (another test may have quietened that logger)
        path = estimator.export_saved_model(base, receiver_fn)
    assert isinstance(path, bytes) and os.path.dirname(path) == base.encode()
    assert os.path.basename(path).isdigit()
    assert os.listdir(base) == [os.fsdecode(os.path.basename(path))]  # the temp-<seconds> directory is gone
    assert "'regress' : Regression input must be a single string Tensor" in caplog.text  # a float input: left out

    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, path)
        assert sorted(meta.signature_def) == [DEFAULT]
        signature = meta.signature_def[DEFAULT]
        assert signature.inputs["x"].name == "x:0"
        got = sess.run(signature.outputs["y"].name, {signature.inputs["x"].name: DATA})
        assert sess.run("global_step:0") == 30
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)


def test_estimator_export_with_parsed_examples_serves_the_regress_signature(tmp_path):
    estimator = trained_linear_estimator(str(tmp_path / "model_dir"))
    expected = numpy.array([p["y"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": DATA}, shuffle=False))])
    receiver_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"x": tf.FixedLenFeature([4], tf.float32)})
    path = estimator.export_savedmodel(str(tmp_path / "export"), receiver_fn,  # (the older name)
                                       assets_extra={"notes/readme.txt": str(__file__)})
    assert os.path.exists(os.path.join(path, b"assets.extra", b"notes", b"readme.txt"))
    serialized = example_bytes(DATA)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, path)
        regress = meta.signature_def["regress"]
        assert regress.method_name == "tensorflow/serving/regress"
        assert regress.inputs["inputs"].name == "input_example_tensor:0"
        got = sess.run(regress.outputs["outputs"].name, {"input_example_tensor:0": serialized})
        predict = meta.signature_def[DEFAULT].outputs["y"].name
        numpy.testing.assert_allclose(sess.run(predict, {"input_example_tensor:0": serialized}), got)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)


def test_a_canned_classifier_exports_tf_heads_signatures(tmp_path):
    x = RNG.standard_normal((60, 4)).astype(numpy.float32)
    labels = (x[:, 0] > 0).astype(numpy.int64) + (x[:, 1] > 0)
    columns = [tf.feature_column.numeric_column("x", shape=4)]
    estimator = tf.estimator.DNNClassifier([6], columns, n_classes=3, model_dir=str(tmp_path / "model_dir"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": x}, labels, batch_size=20, num_epochs=None,
                                                       shuffle=True), steps=10)
    expected = numpy.array([p["probabilities"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": DATA}, shuffle=False))])
    path = estimator.export_saved_model(str(tmp_path / "export"), tf.estimator.export.
                                        build_parsing_serving_input_receiver_fn({"x": tf.FixedLenFeature([4],
                                                                                                         tf.float32)}))
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, SERVING, path)
        assert sorted(meta.signature_def) == ["classification", "predict", DEFAULT]
        outputs = meta.signature_def[DEFAULT].outputs
        scores, classes = sess.run([outputs["scores"].name, outputs["classes"].name],
                                   {"input_example_tensor:0": example_bytes(DATA)})
    numpy.testing.assert_allclose(scores, expected, rtol=1e-5)
    assert classes[0].tolist() == [b"0", b"1", b"2"]


def test_estimator_export_arguments_and_export_outputs_are_checked(tmp_path):
    estimator = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "empty"))
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.placeholder(tf.float32, [None, 4])})
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined."):
        estimator.export_saved_model(str(tmp_path / "export"), None)
    with pytest.raises(ValueError, match="Couldn't find trained model at"):
        estimator.export_saved_model(str(tmp_path / "export"), receiver_fn)
    with pytest.raises(NotImplementedError, match="exports the PREDICT graph only"):
        estimator.export_saved_model(str(tmp_path / "export"), receiver_fn, experimental_mode="train")
    assert not os.path.exists(tmp_path / "export")

    y = tf.placeholder(tf.float32, [None, 1])
    spec = tf.estimator.EstimatorSpec("infer", predictions={"y": y})
    assert list(spec.export_outputs) == [DEFAULT]
    assert spec.export_outputs[DEFAULT].outputs == {"y": y}
    one = tf.estimator.EstimatorSpec("infer", predictions=y, export_outputs={"r": tf.estimator.export.
                                                                             RegressionOutput(y)})
    assert sorted(one.export_outputs) == ["r", DEFAULT]  # a single output is also the default
    with pytest.raises(ValueError, match="Multiple export_outputs were provided, but none of them is specified as "
                                         "the default"):
        tf.estimator.EstimatorSpec("infer", predictions=y, export_outputs={
            "a": tf.estimator.export.PredictOutput(y), "b": tf.estimator.export.PredictOutput(y)})
    with pytest.raises(TypeError, match="Values in export_outputs must be ExportOutput objects"):
        tf.estimator.EstimatorSpec("infer", predictions=y, export_outputs={DEFAULT: y})
    with pytest.raises(ValueError, match="Classification scores must be a float32 Tensor"):
        tf.estimator.export.ClassificationOutput(scores=tf.placeholder(tf.int32))
    with pytest.raises(ValueError, match="receiver_tensor keys must be strings: 1."):
        tf.estimator.export.ServingInputReceiver({"x": y}, {1: y})
