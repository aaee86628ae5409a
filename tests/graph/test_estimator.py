"""tf.estimator (Estimator, EstimatorSpec, RunConfig, inputs.numpy_input_fn), tf.feature_column and the checkpoint
readers: trained on the bundled digits, with the results checked against numpy computations from the saved weights."""
import logging
import os

import numpy
import pytest

import minidl.graph as tf
from minidl.datasets import load_digits
from tests.event_reader import event_files, read_events

X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = load_digits()
X_TRAIN, X_TEST = X_TRAIN.astype(numpy.float32), X_TEST.astype(numpy.float32)
Y_TRAIN, Y_TEST = Y_TRAIN.astype(numpy.int64), Y_TEST.astype(numpy.int64)


@pytest.fixture(autouse=True)
def closed_writers():
    yield
    tf.summary.FileWriterCache.clear()


def model_fn(features, labels, mode, params):
    """A one-hidden-layer MLP on the ``pixels`` feature, for the three modes."""
    net = tf.feature_column.input_layer(features, [tf.feature_column.numeric_column("pixels", shape=64)])
    net = tf.layers.dense(net, params.get("hidden", 16), tf.nn.relu, name="hidden")
    logits = tf.layers.dense(net, 10, name="logits")
    classes = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"class": classes, "logits": logits})
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss,
                                          eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, classes)})
    optimizer = tf.train.GradientDescentOptimizer(params.get("lr", 0.5))
    return tf.estimator.EstimatorSpec(mode, loss=loss,
                                      train_op=optimizer.minimize(loss, global_step=tf.train.get_global_step()))


def train_input(batch_size=64):
    return tf.estimator.inputs.numpy_input_fn({"pixels": X_TRAIN}, Y_TRAIN, batch_size=batch_size, num_epochs=None,
                                              shuffle=True)


def eval_input(x=X_TEST, y=Y_TEST):
    return tf.estimator.inputs.numpy_input_fn({"pixels": x}, y, batch_size=128, shuffle=False)


def logits_from(estimator, x):
    """The model's logits computed in numpy from the weights of the estimator's latest checkpoint."""
    w = {name: estimator.get_variable_value(name) for name in estimator.get_variable_names()}
    hidden = numpy.maximum(x @ w["hidden/kernel"] + w["hidden/bias"], 0)
    return hidden @ w["logits/kernel"] + w["logits/bias"]


def cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[numpy.arange(len(labels)), labels]


# ============================================================================================ the estimator

def test_train_evaluate_predict_agree_with_the_saved_weights(tmp_path):
    config = tf.estimator.RunConfig(tf_random_seed=3, save_checkpoints_steps=100)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path), config=config, params={"hidden": 16})
    assert estimator.train(train_input(), steps=250) is estimator
    saved = sorted(f for f in os.listdir(tmp_path) if f.endswith(".index"))
    assert saved == ["model.ckpt-0.index", "model.ckpt-100.index", "model.ckpt-200.index",
                     "model.ckpt-250.index"]

    results = estimator.evaluate(eval_input())
    logits = logits_from(estimator, X_TEST)
    losses = cross_entropy(logits, Y_TEST)
    # the loss metric is the mean of the batches' mean losses (128, 128, 103 examples), as in TF
    batch_means = [losses[i:i + 128].mean() for i in range(0, len(losses), 128)]
    assert results["loss"] == pytest.approx(numpy.mean(batch_means), rel=1e-4)
    assert results["accuracy"] == pytest.approx((logits.argmax(1) == Y_TEST).mean(), abs=1e-6)
    assert results["accuracy"] > 0.9 and results["global_step"] == 250

    predictions = list(estimator.predict(tf.estimator.inputs.numpy_input_fn({"pixels": X_TEST[:10]},
                                                                            shuffle=False)))
    assert len(predictions) == 10 and set(predictions[0]) == {"class", "logits"}
    numpy.testing.assert_allclose([p["logits"] for p in predictions], logits[:10], rtol=1e-4, atol=1e-4)
    assert [p["class"] for p in predictions] == list(logits[:10].argmax(1))
    # the evaluation's numbers went to model_dir/eval as summaries at the global step
    (path,) = event_files(str(tmp_path / "eval"))
    written = {v["tag"]: (e["step"], v["simple_value"]) for e in read_events(path) for v in e.get("summary", [])}
    assert written["accuracy"] == (250, pytest.approx(results["accuracy"]))
    assert set(written) == {"accuracy", "loss"}


def test_prediction_options(tmp_path):
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    estimator.train(train_input(), steps=5)
    data = tf.estimator.inputs.numpy_input_fn({"pixels": X_TEST[:5]}, batch_size=2, shuffle=False)
    classes = list(estimator.predict(data, predict_keys="class"))
    assert [set(p) for p in classes] == [{"class"}] * 5
    batches = list(estimator.predict(data, yield_single_examples=False))
    assert [len(b["class"]) for b in batches] == [2, 2, 1]
    with pytest.raises(ValueError, match="Expected to run at least one output"):
        next(estimator.predict(data, predict_keys=["nope"]))


def test_training_resumes_from_the_checkpoints_and_max_steps_counts_globally(tmp_path, caplog):
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    estimator.train(train_input(), steps=30)
    estimator.train(train_input(), steps=20)
    assert estimator.get_variable_value("global_step") == 50
    estimator.train(train_input(), max_steps=60)
    assert estimator.get_variable_value("global_step") == 60
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        estimator.train(train_input(), max_steps=40)
    assert "Skipping training since max_steps has already saved." in caplog.text
    assert estimator.get_variable_value("global_step") == 60
    with pytest.raises(ValueError, match="Can not provide both steps and max_steps"):
        estimator.train(train_input(), steps=1, max_steps=2)
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        estimator.train(train_input(), steps=0)


def test_training_without_steps_runs_until_the_input_ends(tmp_path):
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    one_epoch = tf.estimator.inputs.numpy_input_fn({"pixels": X_TRAIN}, Y_TRAIN, batch_size=100, num_epochs=1,
                                                   shuffle=False)
    estimator.train(one_epoch)
    assert estimator.get_variable_value("global_step") == 15  # ceil(1438 / 100)
    results = estimator.evaluate(eval_input(), steps=2)  # two batches only
    assert results["global_step"] == 15


def test_warm_start_takes_the_weights_of_another_model(tmp_path):
    source = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "source"), params={"hidden": 8})
    source.train(train_input(), steps=20)
    fresh = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "fresh"), params={"hidden": 8, "lr": 0.0},
                                   warm_start_from=str(tmp_path / "source"))
    fresh.train(train_input(), steps=1)  # lr 0: the weights stay what the warm start loaded
    for name in ("hidden/kernel", "hidden/bias", "logits/kernel", "logits/bias"):
        numpy.testing.assert_array_equal(fresh.get_variable_value(name), source.get_variable_value(name))
    assert fresh.get_variable_value("global_step") == 1  # the global step is not trainable: not warm-started
    partial = tf.estimator.Estimator(
        model_fn, model_dir=str(tmp_path / "partial"), params={"hidden": 8, "lr": 0.0},
        warm_start_from=tf.estimator.WarmStartSettings(str(tmp_path / "source"), vars_to_warm_start="hidden"))
    partial.train(train_input(), steps=1)
    numpy.testing.assert_array_equal(partial.get_variable_value("hidden/kernel"),
                                     source.get_variable_value("hidden/kernel"))
    assert not numpy.array_equal(partial.get_variable_value("logits/kernel"),
                                 source.get_variable_value("logits/kernel"))


def test_model_fn_arguments_are_passed_by_name_and_checked(tmp_path):
    def predict_only(features, mode, config):
        assert isinstance(config, tf.estimator.RunConfig) and mode == tf.estimator.ModeKeys.PREDICT
        return tf.estimator.EstimatorSpec(mode, predictions=tf.reduce_sum(features["pixels"], 1))
    estimator = tf.estimator.Estimator(predict_only, model_dir=str(tmp_path))
    sums = list(estimator.predict(tf.estimator.inputs.numpy_input_fn({"pixels": X_TEST[:3]}, shuffle=False)))
    numpy.testing.assert_allclose(sums, X_TEST[:3].sum(1), rtol=1e-5)  # a tensor's predictions: one array each
    with pytest.raises(ValueError, match="does not take labels, but input_fn returns labels"):
        estimator.train(train_input(), steps=1)
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(predict_only, params={"a": 1})
    with pytest.raises(ValueError, match="must include features argument"):
        tf.estimator.Estimator(lambda x, mode: None)
    wrong = tf.estimator.Estimator(lambda features, labels: "not a spec", model_dir=str(tmp_path / "w"))
    with pytest.raises(ValueError, match="model_fn should return an EstimatorSpec"):
        wrong.train(train_input(), steps=1)


def test_estimator_spec_checks_what_each_mode_needs():
    loss = tf.constant(1.0)
    train_op = tf.no_op()
    with pytest.raises(ValueError, match="Missing loss"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, train_op=train_op)
    with pytest.raises(ValueError, match="Missing train_op"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=loss)
    with pytest.raises(ValueError, match="Missing predictions"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT)
    with pytest.raises(ValueError, match="Loss must be scalar"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="must be \\(metric_value, update_op\\) tuples"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=loss, eval_metric_ops={"a": loss})
    with pytest.raises(TypeError, match="SessionRunHook instances"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=loss, train_op=train_op, training_hooks=[1])
    with pytest.raises(ValueError, match="mode must be one of"):
        tf.estimator.EstimatorSpec("training", loss=loss)
    spec = tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant([2.0]))
    assert spec.loss.shape.rank == 0  # a one-element loss is reshaped to a scalar, as TF does


def test_run_config_and_model_dir(caplog):
    config = tf.estimator.RunConfig()
    assert config.save_checkpoints_secs == 600 and config.save_checkpoints_steps is None
    stepped = config.replace(save_checkpoints_steps=10, keep_checkpoint_max=2)
    assert (stepped.save_checkpoints_steps, stepped.save_checkpoints_secs, stepped.keep_checkpoint_max) == (10, None, 2)
    with pytest.raises(ValueError, match="Can not provide both save_checkpoints_steps and save_checkpoints_secs"):
        tf.estimator.RunConfig(save_checkpoints_steps=1, save_checkpoints_secs=1)
    with pytest.raises(ValueError, match="set both in constructor and `RunConfig`"):
        tf.estimator.Estimator(model_fn, model_dir="a", config=tf.estimator.RunConfig(model_dir="b"))
    with caplog.at_level(logging.WARNING, logger="minidl.graph"):
        estimator = tf.estimator.Estimator(model_fn)
    assert os.path.isdir(estimator.model_dir) and "Using temporary folder as model directory" in caplog.text


def test_keep_checkpoint_max_is_the_savers(tmp_path):
    config = tf.estimator.RunConfig(save_checkpoints_steps=2, keep_checkpoint_max=2)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path), config=config)
    estimator.train(train_input(), steps=7)
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == ["model.ckpt-6.index",
                                                                                "model.ckpt-7.index"]


# ============================================================================================ input and columns

def test_numpy_input_fn_batches_in_order_or_shuffled():
    x = numpy.arange(10.0, dtype=numpy.float32)
    features, labels = tf.estimator.inputs.numpy_input_fn({"x": x}, x * 2, batch_size=4, shuffle=False)()
    batches = []
    with tf.Session() as sess:
        with pytest.raises(tf.errors.OutOfRangeError):
            while True:
                batches.append(sess.run([features["x"], labels]))
    assert [list(b[0]) for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(numpy.array_equal(f * 2, lab) for f, lab in batches)
    shuffled = tf.estimator.inputs.numpy_input_fn({"x": x}, batch_size=10, num_epochs=2, shuffle=True)()
    with tf.Session() as sess:
        first, second = sess.run(shuffled["x"]), sess.run(shuffled["x"])
    assert sorted(first) == sorted(second) == list(x)  # each epoch every row once
    with pytest.raises(ValueError, match="shuffle must be provided"):
        tf.estimator.inputs.numpy_input_fn({"x": x})
    with pytest.raises(ValueError, match="same number of rows"):
        tf.estimator.inputs.numpy_input_fn({"x": x}, x[:3], shuffle=False)


def test_input_layer_joins_the_columns_in_the_order_of_their_names():
    features = {"b": tf.constant([[1.0, 2.0], [3.0, 4.0]]), "a": tf.constant([5, 6]),
                "c": tf.constant(numpy.arange(8.0).reshape(2, 2, 2))}
    columns = [tf.feature_column.numeric_column("c", shape=(2, 2)),
               tf.feature_column.numeric_column("b", shape=2, normalizer_fn=lambda v: v * 10),
               tf.feature_column.numeric_column("a", dtype=tf.int32)]
    joined = tf.feature_column.input_layer(features, columns)
    with tf.Session() as sess:
        value = sess.run(joined)
    numpy.testing.assert_array_equal(value, [[5, 10, 20, 0, 1, 2, 3], [6, 30, 40, 4, 5, 6, 7]])
    assert joined.dtype == tf.float32
    with pytest.raises(ValueError, match="'d' of numeric_column is not in the features"):
        tf.feature_column.input_layer(features, [tf.feature_column.numeric_column("d")])
    with pytest.raises(ValueError, match="shape dimensions must be greater than 0"):
        tf.feature_column.numeric_column("x", shape=(0,))
    with pytest.raises(ValueError, match="key must be a string"):
        tf.feature_column.numeric_column(3)


def test_checkpoint_readers(tmp_path):
    w = tf.Variable(numpy.arange(6.0, dtype=numpy.float32).reshape(2, 3), name="layer/w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(w.initializer)
        prefix = saver.save(sess, str(tmp_path / "ckpt"), global_step=7)
    assert tf.train.list_variables(str(tmp_path)) == [("layer/w", [2, 3])]
    numpy.testing.assert_array_equal(tf.train.load_variable(prefix, "layer/w:0"), numpy.arange(6.0).reshape(2, 3))
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.has_tensor("layer/w") and not reader.has_tensor("w")
    assert reader.get_variable_to_shape_map() == {"layer/w": [2, 3]}
    with pytest.raises(tf.errors.NotFoundError, match="Key w not found"):
        reader.get_tensor("w")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.list_variables(str(tmp_path / "empty"))


# ============================================================================================ premade estimators

COLUMNS = [tf.feature_column.numeric_column("pixels", shape=64)]


def dataset_input(x, y, batch_size=100, repeat=False, weights=None):
    features = {"pixels": x}
    if weights is not None:
        features["weight"] = weights
    data = tf.data.Dataset.from_tensor_slices(features if y is None else (features, y))
    return (data.shuffle(500).repeat() if repeat else data).batch(batch_size)


def dnn_forward(estimator, x, hidden_layers):
    """The premade network in numpy from the latest checkpoint: [batch, logits]."""
    value = estimator.get_variable_value
    net = x
    for i in range(hidden_layers):
        net = numpy.maximum(net @ value(f"dnn/hiddenlayer_{i}/kernel") + value(f"dnn/hiddenlayer_{i}/bias"), 0)
    return net @ value("dnn/logits/kernel") + value("dnn/logits/bias")


def test_dnn_classifier_as_in_the_getting_started_guide(tmp_path):
    classifier = tf.estimator.DNNClassifier(feature_columns=COLUMNS, hidden_units=[24, 24], n_classes=10,
                                            model_dir=str(tmp_path), config=tf.estimator.RunConfig(tf_random_seed=0))
    classifier.train(input_fn=lambda: dataset_input(X_TRAIN, Y_TRAIN, repeat=True), steps=300)
    names = classifier.get_variable_names()
    assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_1/bias", "dnn/logits/kernel"} <= set(names)
    assert classifier.get_variable_value("dnn/logits/kernel").shape == (24, 10)

    results = classifier.evaluate(input_fn=lambda: dataset_input(X_TEST, Y_TEST))
    logits = dnn_forward(classifier, X_TEST, 2)
    losses = cross_entropy(logits, Y_TEST)
    assert results["accuracy"] == pytest.approx((logits.argmax(1) == Y_TEST).mean(), abs=1e-6)
    assert results["accuracy"] > 0.8
    assert results["average_loss"] == pytest.approx(losses.mean(), rel=1e-4)
    # the loss trained and reported is the sum over each batch (TF 1.x's canned default); its mean over batches
    assert results["loss"] == pytest.approx(numpy.mean([losses[i:i + 100].sum() for i in range(0, 359, 100)]),
                                            rel=1e-4)

    predictions = list(classifier.predict(input_fn=lambda: dataset_input(X_TEST[:4], None)))
    probabilities = numpy.exp(logits[:4] - logits[:4].max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    for p, expected, row in zip(predictions, logits[:4].argmax(1), probabilities):
        assert set(p) == {"logits", "probabilities", "class_ids", "classes", "all_class_ids", "all_classes"}
        assert p["class_ids"][0] == expected and p["classes"][0] == str(expected).encode()
        numpy.testing.assert_allclose(p["probabilities"], row, rtol=1e-4, atol=1e-6)


def probability_of(logit):
    return 1 / (1 + numpy.exp(-logit))


def test_binary_dnn_classifier_has_one_logit_and_the_binary_metrics(tmp_path):
    is_three_train, is_three_test = (Y_TRAIN == 3).astype(numpy.int64), (Y_TEST == 3).astype(numpy.int64)
    classifier = tf.estimator.DNNClassifier([8], COLUMNS, model_dir=str(tmp_path), optimizer="Adam",
                                            config=tf.estimator.RunConfig(tf_random_seed=0))
    classifier.train(lambda: dataset_input(X_TRAIN, is_three_train, repeat=True), steps=150)
    assert classifier.get_variable_value("dnn/logits/kernel").shape == (8, 1)
    results = classifier.evaluate(lambda: dataset_input(X_TEST, is_three_test))
    logit = dnn_forward(classifier, X_TEST, 1)[:, 0]
    predicted = logit > 0
    true_positives = (predicted & (is_three_test == 1)).sum()
    assert results["precision"] == pytest.approx(true_positives / predicted.sum(), abs=1e-6)
    assert results["recall"] == pytest.approx(true_positives / is_three_test.sum(), abs=1e-6)
    assert results["accuracy"] == pytest.approx((predicted == is_three_test).mean(), abs=1e-6)
    assert results["label/mean"] == pytest.approx(is_three_test.mean(), abs=1e-6)
    assert results["accuracy_baseline"] == pytest.approx(1 - is_three_test.mean(), abs=1e-6)
    probability = 1 / (1 + numpy.exp(-logit))
    assert results["prediction/mean"] == pytest.approx(probability.mean(), rel=1e-4)
    pos, neg = probability_of(logit)[is_three_test == 1], probability_of(logit)[is_three_test == 0]
    assert results["auc"] == pytest.approx((pos[:, None] > neg[None, :]).mean(), abs=5e-3)  # 200 thresholds
    assert 0 < results["auc_precision_recall"] <= 1
    sigmoid_losses = numpy.maximum(logit, 0) - logit * is_three_test + numpy.log1p(numpy.exp(-numpy.abs(logit)))
    assert results["average_loss"] == pytest.approx(sigmoid_losses.mean(), rel=1e-4)
    first = next(classifier.predict(lambda: dataset_input(X_TEST[:1], None)))
    assert set(first) == {"logits", "logistic", "probabilities", "class_ids", "classes", "all_class_ids",
                          "all_classes"}
    assert list(first["all_class_ids"]) == [0, 1] and list(first["all_classes"]) == [b"0", b"1"]
    numpy.testing.assert_allclose(first["probabilities"], [1 - probability[0], probability[0]], rtol=1e-4)


def test_dnn_regressor_and_weighted_examples(tmp_path):
    regressor = tf.estimator.DNNRegressor([8], COLUMNS, model_dir=str(tmp_path), weight_column="weight",
                                          optimizer=lambda: tf.train.AdamOptimizer(0.01))
    targets = Y_TRAIN.astype(numpy.float32)
    weights = numpy.where(Y_TRAIN % 2 == 0, 2.0, 1.0).astype(numpy.float32)
    regressor.train(lambda: dataset_input(X_TRAIN, targets, repeat=True, weights=weights), steps=100)
    test_weights = numpy.where(Y_TEST % 2 == 0, 2.0, 1.0).astype(numpy.float32)
    results = regressor.evaluate(lambda: dataset_input(X_TEST, Y_TEST.astype(numpy.float32), weights=test_weights))
    predicted = dnn_forward(regressor, X_TEST, 1)[:, 0]
    squared = (predicted - Y_TEST) ** 2
    assert results["average_loss"] == pytest.approx((squared * test_weights).sum() / test_weights.sum(), rel=1e-4)
    assert results["label/mean"] == pytest.approx((Y_TEST * test_weights).sum() / test_weights.sum(), rel=1e-5)
    values = [p["predictions"][0] for p in regressor.predict(lambda: dataset_input(X_TEST[:3], None))]
    numpy.testing.assert_allclose(values, predicted[:3], rtol=1e-4)


def test_premade_estimator_arguments_are_checked(tmp_path):
    columns = COLUMNS
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        tf.estimator.DNNClassifier([4], columns, n_classes=1)
    with pytest.raises(ValueError, match="feature_columns should not be empty"):
        tf.estimator.DNNClassifier([4], [])
    with pytest.raises(NotImplementedError, match="label_vocabulary"):
        tf.estimator.DNNClassifier([4], columns, label_vocabulary=["a", "b"])
    bad_optimizer = tf.estimator.DNNClassifier([4], columns, optimizer="Momentum", model_dir=str(tmp_path / "a"))
    with pytest.raises(ValueError, match="Unsupported optimizer name: Momentum"):
        bad_optimizer.train(lambda: dataset_input(X_TRAIN, Y_TRAIN % 2), steps=1)
    float_labels = tf.estimator.DNNClassifier([4], columns, n_classes=3, model_dir=str(tmp_path / "b"))
    with pytest.raises(ValueError, match="Labels dtype should be integer"):
        float_labels.train(lambda: dataset_input(X_TRAIN, (Y_TRAIN % 3).astype(numpy.float32)), steps=1)
    binary = tf.estimator.DNNClassifier([4], columns, model_dir=str(tmp_path / "c"))
    binary.train(lambda: dataset_input(X_TRAIN, (Y_TRAIN % 2).astype(numpy.float32)), steps=1)  # floats in [0, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Labels must <= n_classes - 1"):
        binary.train(lambda: dataset_input(X_TRAIN, Y_TRAIN % 3), steps=1)  # a class 2 of two classes
    one_hot = tf.estimator.DNNClassifier([4], columns, n_classes=10, model_dir=str(tmp_path / "d"))
    with pytest.raises(ValueError, match="Mismatched label shape. Expected labels dimension=1"):
        one_hot.train(lambda: dataset_input(X_TRAIN, numpy.eye(10, dtype=numpy.int64)[Y_TRAIN]), steps=1)
    regressor = tf.estimator.DNNRegressor([4], columns, model_dir=str(tmp_path / "e"))
    with pytest.raises(ValueError, match="Mismatched label shape. Expected labels dimension=1"):
        regressor.train(lambda: dataset_input(X_TRAIN, numpy.ones((len(X_TRAIN), 2), numpy.float32)), steps=1)


def test_as_string_writes_numbers_as_printf_does():
    ints, floats = tf.constant([1, -22]), tf.constant([3.5, 1e-7])
    with tf.Session() as sess:
        values = sess.run([tf.as_string(ints), tf.as_string(floats), tf.as_string(tf.constant([True, False])),
                           tf.strings.as_string(tf.constant([7]), width=3, fill="0"),
                           tf.as_string(floats, precision=2), tf.as_string(floats, scientific=True),
                           tf.as_string(floats, shortest=True)])
    assert [list(v) for v in values] == [[b"1", b"-22"], [b"3.500000", b"0.000000"], [b"true", b"false"], [b"007"],
                                         [b"3.50", b"0.00"], [b"3.500000e+00", b"1.000000e-07"], [b"3.5", b"1e-07"]]
    with pytest.raises(ValueError, match="both scientific and shortest"):
        tf.as_string(floats, scientific=True, shortest=True)
    with pytest.raises(TypeError, match="expected a numeric or bool tensor"):
        tf.as_string(tf.constant("a"))


def test_premade_graph_names_and_a_two_dimensional_regression(tmp_path):
    regressor = tf.estimator.DNNRegressor([8], COLUMNS, model_dir=str(tmp_path), label_dimension=2)
    targets = numpy.stack([Y_TRAIN, -Y_TRAIN], axis=1).astype(numpy.float32)
    regressor.train(lambda: dataset_input(X_TRAIN, targets, repeat=True), steps=20)
    results = regressor.evaluate(lambda: dataset_input(X_TEST, numpy.stack([Y_TEST, -Y_TEST], 1).astype("f4")))
    predicted = dnn_forward(regressor, X_TEST, 1)
    squared = (predicted - numpy.stack([Y_TEST, -Y_TEST], 1)) ** 2
    assert results["average_loss"] == pytest.approx(squared.mean(), rel=1e-4)  # per value, as TF1's head
    with tf.Graph().as_default() as graph:
        features = {"pixels": tf.placeholder(tf.float32, [None, 64])}
        spec = tf.estimator.DNNClassifier([4], COLUMNS, n_classes=3).model_fn(features, None, "infer", None)
        assert spec.predictions["probabilities"].name == "dnn/head/predictions/probabilities:0"
        assert spec.predictions["classes"].name == "dnn/head/predictions/str_classes:0"
        assert graph.get_operation_by_name("dnn/input_from_feature_columns/input_layer/pixels/Reshape")


def test_warm_start_applies_to_evaluate_and_predict_and_every_picked_variable_must_be_found(tmp_path):
    source = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "source"), params={"hidden": 8})
    source.train(train_input(), steps=30)
    expected = source.evaluate(eval_input())
    fresh = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "fresh"), params={"hidden": 8},
                                   warm_start_from=str(tmp_path / "source"))
    assert fresh.evaluate(eval_input())["accuracy"] == expected["accuracy"]  # never trained: the source's weights
    first = next(fresh.predict(tf.estimator.inputs.numpy_input_fn({"pixels": X_TEST[:1]}, shuffle=False)))
    numpy.testing.assert_allclose(first["logits"], logits_from(source, X_TEST[:1])[0], rtol=1e-5, atol=1e-6)
    wider = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "wider"), params={"hidden": 16},
                                   warm_start_from=str(tmp_path / "source"))
    with pytest.raises(ValueError, match="doesn't match with shape"):
        wider.train(train_input(), steps=1)
    listed = tf.estimator.WarmStartSettings(str(tmp_path / "source"), vars_to_warm_start=["hidden"])
    only_hidden = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "listed"), params={"hidden": 8},
                                         warm_start_from=listed)
    only_hidden.train(train_input(), steps=1)

    def renamed_model_fn(features, labels, mode, params):  # the hidden layer is called "encoder" now
        net = tf.layers.dense(features["pixels"], 8, tf.nn.relu, name="encoder")
        loss = tf.losses.sparse_softmax_cross_entropy(labels, tf.layers.dense(net, 10, name="logits"))
        train_op = tf.train.GradientDescentOptimizer(0.0).minimize(loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    renamed = tf.estimator.Estimator(renamed_model_fn, model_dir=str(tmp_path / "renamed"), params={},
                                     warm_start_from=tf.estimator.WarmStartSettings(
                                         str(tmp_path / "source"), vars_to_warm_start="encoder",
                                         var_name_to_prev_var_name={"encoder/kernel": "hidden/kernel",
                                                                    "encoder/bias": "hidden/bias"}))
    renamed.train(train_input(), steps=1)
    numpy.testing.assert_array_equal(renamed.get_variable_value("encoder/kernel"),
                                     source.get_variable_value("hidden/kernel"))
    with pytest.raises(ValueError, match="vars_to_warm_start must be"):
        tf.estimator.WarmStartSettings(str(tmp_path), vars_to_warm_start=3)


def test_estimator_checks_its_arguments_early(tmp_path):
    config = tf.estimator.RunConfig()
    with pytest.raises(AttributeError, match="read-only"):
        config.tf_random_seed = 42
    assert config.replace(save_checkpoints_steps=5).replace(save_checkpoints_secs=60).save_checkpoints_steps is None
    with pytest.raises(ValueError, match="not expected args: \\['hparams'\\]"):
        tf.estimator.Estimator(lambda features, labels, mode, hparams: None)
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(lambda features, labels, mode: None, params={})
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with pytest.raises(TypeError, match="Hooks must be a SessionRunHook"):
        estimator.train(train_input(), steps=1, hooks=[tf.train.StopAtStepHook])  # the class, not an instance
    with pytest.raises(TypeError, match="saving_listeners must be a CheckpointSaverListener"):
        estimator.train(train_input(), steps=1, saving_listeners=["x"])

    def with_global_step_metric(features, labels, mode):
        spec = model_fn(features, labels, mode, {})
        if mode != tf.estimator.ModeKeys.EVAL:
            return spec
        return spec._replace(eval_metric_ops={"global_step": tf.metrics.mean(spec.loss)})
    named = tf.estimator.Estimator(with_global_step_metric, model_dir=str(tmp_path / "named"))
    with pytest.raises(ValueError, match='Metric with name "global_step" is not allowed'):
        named.evaluate(eval_input())


def test_one_optimizer_serves_every_graph_and_columns_give_float32_rows(tmp_path, caplog):
    optimizer = tf.train.AdamOptimizer(0.01)
    columns = [tf.feature_column.numeric_column("pixels", shape=64, dtype=tf.float64)]
    classifier = tf.estimator.DNNClassifier([4], columns, n_classes=10, optimizer=optimizer,
                                            model_dir=str(tmp_path),
                                            config=tf.estimator.RunConfig(log_step_count_steps=None))
    as_float64 = tf.estimator.inputs.numpy_input_fn({"pixels": X_TRAIN.astype(numpy.float64)}, Y_TRAIN,
                                                    num_epochs=None, shuffle=True)
    classifier.train(as_float64, steps=2)
    classifier.train(as_float64, steps=2)  # a new graph, the same Adam object
    assert classifier.get_variable_value("global_step") == 4
    assert classifier.get_variable_value("dnn/logits/kernel").dtype == numpy.float32
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="reads 1 value\\(s\\) per example, but the feature has shape"):
            tf.feature_column.input_layer({"x": tf.zeros([3, 4])}, [tf.feature_column.numeric_column("x")])


def test_train_and_evaluate_evaluates_each_new_checkpoint(tmp_path, caplog):
    config = tf.estimator.RunConfig(save_checkpoints_steps=10, tf_random_seed=0)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path), config=config)
    train_spec = tf.estimator.TrainSpec(train_input(), max_steps=25)
    eval_spec = tf.estimator.EvalSpec(eval_input(), steps=None, throttle_secs=0)
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        metrics, exports = tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)
    evaluated = [line for line in caplog.messages if line.startswith("Saving dict for global step")]
    # after the checkpoints of steps 10 and 20 and the final one (25); not the one written at the start
    assert [line.split()[5].rstrip(":") for line in evaluated] == ["10", "20", "25"]
    assert metrics["global_step"] == 25 and exports == []
    assert metrics["accuracy"] == pytest.approx((logits_from(estimator, X_TEST).argmax(1) == Y_TEST).mean(),
                                                abs=1e-6)
    assert os.path.isdir(estimator.eval_dir()) and estimator.eval_dir("x").endswith("eval_x")
    with pytest.raises(ValueError, match="Must specify max_steps > 0"):
        tf.estimator.TrainSpec(train_input(), max_steps=0)
    with pytest.raises(TypeError, match="`input_fn` must be callable"):
        tf.estimator.EvalSpec("data")
    with pytest.raises(TypeError, match="`estimator` must have type"):
        tf.estimator.train_and_evaluate(object(), train_spec, eval_spec)
