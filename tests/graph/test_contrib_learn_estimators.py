"""tf.contrib.learn's premade estimators (contrib_learn_estimators.py): the first DNN of Hands-On Machine Learning
(1st edition, chapter 10) on the bundled digits, its predictions against the tf.estimator model it wraps (same
checkpoint), its metrics against numpy, contrib's mean loss (one SGD step against numpy), regressors on a linear
problem, a binary classifier's contrib metric names, and the errors."""
import numpy
import pytest

import minidl.graph as tf
from minidl.datasets import load_digits

learn = tf.contrib.learn
fc = tf.feature_column


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def mean_log_loss(probabilities, labels):
    return numpy.mean(-numpy.log(probabilities[numpy.arange(len(labels)), labels]))


def test_the_homl_program_learns_the_digits_and_predicts_as_the_estimator_it_wraps(digits, tmp_path):
    x_train, y_train, x_test, y_test = digits
    feature_cols = learn.infer_real_valued_columns_from_input(x_train)
    assert feature_cols == [fc.numeric_column("", shape=(64,))]
    config = learn.RunConfig(tf_random_seed=42)
    dnn_clf = learn.DNNClassifier(hidden_units=[300, 100], n_classes=10, feature_columns=feature_cols,
                                  model_dir=str(tmp_path), config=config)
    sk_clf = learn.SKCompat(dnn_clf)
    assert sk_clf.fit(x_train, y_train, batch_size=50, steps=100) is sk_clf

    y_pred = sk_clf.predict(x_test)
    assert set(y_pred) == {"classes", "probabilities", "logits"}
    assert y_pred["classes"].shape == (len(x_test),) and y_pred["classes"].dtype == numpy.int64
    assert y_pred["probabilities"].shape == y_pred["logits"].shape == (len(x_test), 10)
    numpy.testing.assert_array_equal(y_pred["classes"], y_pred["logits"].argmax(1))
    numpy.testing.assert_allclose(y_pred["probabilities"].sum(1), 1, rtol=1e-5)
    accuracy = numpy.mean(y_pred["classes"] == y_test)
    assert accuracy > 0.93  # measured 0.961 (seeds 0 and 1: 0.953, 0.950) after 100 steps of 50 examples

    # SKCompat.score reads batches of 128: its loss is the mean of the batches' mean log losses
    score = sk_clf.score(x_test, y_test)
    assert set(score) == {"accuracy", "loss", "global_step"} and score["global_step"] == 100
    assert score["accuracy"] == pytest.approx(accuracy, abs=1e-6)
    batches = [slice(i, i + 128) for i in range(0, len(x_test), 128)]
    assert score["loss"] == pytest.approx(numpy.mean([mean_log_loss(y_pred["probabilities"][b], y_test[b])
                                                      for b in batches]), rel=1e-4)

    # the same checkpoint read by the tf.estimator model underneath, fed {"": x}
    base = tf.estimator.DNNClassifier([300, 100], [fc.numeric_column("", shape=(64,))], model_dir=str(tmp_path),
                                      n_classes=10)
    expected = list(base.predict(tf.estimator.inputs.numpy_input_fn({"": x_test}, shuffle=False)))
    numpy.testing.assert_allclose(y_pred["logits"], numpy.stack([p["logits"] for p in expected]), rtol=1e-5,
                                  atol=1e-5)
    numpy.testing.assert_array_equal(y_pred["classes"], [p["class_ids"][0] for p in expected])

    # TF 1.0's calls without SKCompat: generators by default, x in one batch (batch_size=None)
    classes = dnn_clf.predict(x=x_test)
    assert not isinstance(classes, (list, numpy.ndarray))
    numpy.testing.assert_array_equal(list(classes), y_pred["classes"])
    numpy.testing.assert_array_equal(list(dnn_clf.predict_classes(x=x_test)), y_pred["classes"])
    numpy.testing.assert_allclose(numpy.stack(list(dnn_clf.predict_proba(x=x_test[:7]))), y_pred["probabilities"][:7],
                                  rtol=1e-5, atol=1e-7)
    picked = list(dnn_clf.predict(x=x_test[:3], outputs=["probabilities"]))
    assert [set(p) for p in picked] == [{"probabilities"}] * 3
    results = dnn_clf.evaluate(x=x_test, y=y_test)
    assert set(results) == {"accuracy", "loss", "global_step"}
    assert results["accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert results["loss"] == pytest.approx(mean_log_loss(y_pred["probabilities"], y_test), rel=1e-4)
    assert dnn_clf.fit(x=x_train, y=y_train, batch_size=50, steps=3).evaluate(
        x=x_test, y=y_test)["global_step"] == 103  # training resumes from the checkpoint


def test_the_loss_trained_is_the_batch_mean(tmp_path):
    """One SGD step from zero weights on the whole of x (batch_size=None): w = lr · 2 mean(y x), b = lr · 2 mean(y),
    by contrib's mean loss, where tf.estimator's default sums over the batch (a step 4 times as large here)."""
    x = numpy.array([[1.0], [-2.0], [0.5], [3.0]], numpy.float32)
    y = numpy.array([2.0, 1.0, -1.0, 4.0], numpy.float32)
    regressor = learn.LinearRegressor(learn.infer_real_valued_columns_from_input(x), model_dir=str(tmp_path),
                                      optimizer=tf.train.GradientDescentOptimizer(0.1))
    regressor.fit(x, y, steps=1)
    assert regressor.get_variable_value("linear/linear_model//weights").item() == pytest.approx(
        0.1 * 2 * numpy.mean(y * x[:, 0]), rel=1e-5)
    assert regressor.get_variable_value("linear/linear_model/bias_weights").item() == pytest.approx(
        0.1 * 2 * numpy.mean(y), rel=1e-5)



def test_fit_reads_every_row_once_an_epoch_shuffled_and_evaluate_reads_them_once_in_order():
    from minidl.graph.contrib_learn_estimators import _input_fn
    x, y = numpy.arange(20, dtype=numpy.float32), numpy.arange(20) * 10
    features, labels = _input_fn(x, y, None, 5, True, "fit")()
    with tf.Session() as sess:
        batches = [sess.run([features[""], labels]) for _ in range(12)]  # 3 epochs, and no end
    rows = numpy.concatenate([b[0] for b in batches])
    assert rows.shape == (60, 1)  # a 1-D x is one value per example, as TF's data feeder read it
    numpy.testing.assert_array_equal(numpy.concatenate([b[1] for b in batches]), rows[:, 0] * 10)
    epochs = rows[:, 0].reshape(3, 20)
    for epoch in epochs:  # TF's data feeder: a new permutation of all the rows per epoch
        numpy.testing.assert_array_equal(numpy.sort(epoch), x)
    assert not (epochs == x).all(axis=1).any()
    features, labels = _input_fn(x, y, None, None, False, "evaluate")()
    with tf.Session() as sess:
        numpy.testing.assert_array_equal(sess.run(features[""])[:, 0], x)  # batch_size=None: all, in order
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(features[""])

@pytest.mark.parametrize("make", [
    lambda columns, d: learn.LinearRegressor(columns, model_dir=d, optimizer="SGD"),
    lambda columns, d: learn.DNNRegressor([16], columns, model_dir=d, optimizer=tf.train.AdamOptimizer(0.05),
                                          config=learn.RunConfig(tf_random_seed=0))],
    ids=["LinearRegressor", "DNNRegressor"])
def test_regressors_learn_a_linear_function_from_a_dict_of_arrays(make, tmp_path):
    rng = numpy.random.RandomState(0)
    features = {"a": rng.uniform(-1, 1, 200).astype(numpy.float32),
                "b": rng.uniform(-1, 1, (200, 1)).astype(numpy.float32)}
    y = 3 * features["a"] - 2 * features["b"][:, 0] + 1
    columns = learn.infer_real_valued_columns_from_input(features)
    assert columns == [tf.contrib.layers.real_valued_column("a"), tf.contrib.layers.real_valued_column("b")]
    regressor = make(columns, str(tmp_path)).fit(x=features, y=y, batch_size=20, steps=300)
    scores = numpy.array(list(regressor.predict(x=features)))
    assert scores.shape == (200,)  # one value per example: contrib's "scores" squeezed
    numpy.testing.assert_allclose(scores, y, atol=0.1)
    results = regressor.evaluate(x=features, y=y)  # one batch: loss is the mean squared error
    assert set(results) == {"loss", "global_step"} and results["global_step"] == 300
    assert results["loss"] == pytest.approx(numpy.mean((scores - y) ** 2), rel=1e-4)
    assert results["loss"] < 2e-3
    # input_fn= instead of x/y; the same predictions, and as arrays with as_iterable=False
    input_fn = tf.estimator.inputs.numpy_input_fn(features, shuffle=False, batch_size=200)
    numpy.testing.assert_allclose(regressor.predict_scores(input_fn=input_fn, as_iterable=False), scores, rtol=1e-6)


def test_a_binary_classifier_reports_contribs_metrics(tmp_path):
    rng = numpy.random.RandomState(1)
    x = rng.normal(size=(300, 2)).astype(numpy.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.3).astype(numpy.int64)
    classifier = learn.LinearClassifier(learn.infer_real_valued_columns_from_input(x), model_dir=str(tmp_path))
    classifier.fit(x, y, batch_size=30, steps=100)
    predictions = classifier.predict(x=x, outputs=["classes", "logistic", "probabilities"], as_iterable=False)
    assert set(predictions) == {"classes", "logistic", "probabilities"}
    numpy.testing.assert_array_equal(predictions["classes"], (predictions["logistic"][:, 0] > 0.5).astype(int))
    numpy.testing.assert_allclose(predictions["probabilities"][:, 1], predictions["logistic"][:, 0], rtol=1e-5)
    results = classifier.evaluate(x=x, y=y)
    threshold = "threshold_0.500000_mean"
    assert set(results) == {"loss", "accuracy", "global_step", "auc", "auc_precision_recall",
                            "labels/actual_label_mean", "labels/prediction_mean", "accuracy/baseline_label_mean",
                            f"accuracy/{threshold}", f"precision/positive_{threshold}",
                            f"recall/positive_{threshold}"}
    accuracy = numpy.mean(predictions["classes"] == y)
    assert accuracy > 0.9
    assert results["accuracy"] == results[f"accuracy/{threshold}"] == pytest.approx(accuracy, abs=1e-6)
    assert results["accuracy/baseline_label_mean"] == pytest.approx(y.mean(), rel=1e-6)
    assert results["labels/prediction_mean"] == pytest.approx(predictions["logistic"].mean(), rel=1e-5)
    positive = predictions["classes"] == 1
    assert results[f"precision/positive_{threshold}"] == pytest.approx(y[positive].mean(), rel=1e-5)


def test_columns_inferred_from_an_input_fn():
    def input_fn():
        return tf.constant(numpy.zeros((4, 3, 2), numpy.float64)), tf.constant([0, 1, 0, 1])
    assert learn.infer_real_valued_columns_from_input_fn(input_fn) == [
        fc.numeric_column("", shape=(6,), dtype=tf.float64)]
    assert learn.infer_real_valued_columns_from_input(numpy.arange(5)) == [fc.numeric_column("", dtype=tf.int64)]
    with pytest.raises(ValueError, match="Non integer or non floating"):
        learn.infer_real_valued_columns_from_input({"word": numpy.array(["a", "b"])})


def test_clear_errors(tmp_path):
    x, y = numpy.zeros((4, 2), numpy.float32), numpy.array([0, 1, 0, 1])
    columns = learn.infer_real_valued_columns_from_input(x)
    classifier = learn.DNNClassifier([4], columns, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="Either x or input_fn must be provided"):
        classifier.fit(steps=1)
    input_fn = tf.estimator.inputs.numpy_input_fn({"": x}, y, shuffle=True)
    with pytest.raises(ValueError, match="Can not provide both input_fn and x or y"):
        classifier.fit(x, y, input_fn=input_fn, steps=1)
    with pytest.raises(ValueError, match="Can not provide both input_fn and batch_size"):
        classifier.fit(input_fn=input_fn, batch_size=2, steps=1)
    with pytest.raises(ValueError, match="y .* must be provided"):
        classifier.fit(x, steps=1)
    with pytest.raises(ValueError, match="Inputs cannot be tensors"):
        classifier.fit(tf.constant(x), y, steps=1)
    with pytest.raises(learn.NotFittedError, match="Couldn't find trained model"):
        classifier.evaluate(x, y)
    with pytest.raises(learn.NotFittedError):
        classifier.predict(x=x)
    classifier.fit(input_fn=input_fn, steps=1)
    with pytest.raises(ValueError, match="Expected to run at least one output"):
        classifier.predict(x=x, outputs=["scores"])
    with pytest.raises(NotImplementedError, match="gradient_clip_norm"):
        learn.DNNClassifier([4], columns, gradient_clip_norm=5.0)
    with pytest.raises(ValueError, match="Optimizer name should be one of"):
        learn.DNNRegressor([4], columns, optimizer="Adamax")
    with pytest.raises(TypeError, match="SKCompat wraps"):
        learn.SKCompat(tf.estimator.DNNClassifier([4], columns))
