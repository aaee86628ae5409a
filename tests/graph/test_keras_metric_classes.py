"""tf.keras.metrics' classes (TF 1.15): standalone values worked in numpy — sample weights, thresholds, top_k and
class_id, accumulation over update_state calls, reset_states —, a metric of one's own, and the objects in
compile/fit/evaluate, whose figures are the metric over the whole epoch (batches that do not divide the data)."""
import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
M = keras.metrics


def _run(*fetches, feed=None):
    """Run in the Keras session (which initializes the metrics' variables made so far)."""
    out = keras.backend.get_session().run(list(fetches), feed)
    return out[0] if len(out) == 1 else out


def _div(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def _confusion(y, p, thresholds, w=None):
    """tp, fp, tn, fn at each threshold (predicted positive: p > t; labelled positive: y != 0), weighted."""
    y, p = np.ravel(y) != 0, np.ravel(p).astype(np.float32)
    w = np.ones(len(y)) if w is None else np.broadcast_to(w, np.shape(p)).ravel()
    above = p[:, None] > np.asarray(thresholds, np.float32)[None, :]
    return [((w[:, None] * (label[:, None] & predicted)).sum(0)) for label, predicted in
            ((y, above), (~y, above), (~y, ~above), (y, ~above))]


def _auc(y, p, num_thresholds=200, curve="ROC", method="interpolation"):
    """Keras' AUC in numpy: counts at -1e-7, i / (n - 1), 1 + 1e-7; Riemann sums, or the PR interpolation."""
    thresholds = [-1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + 1e-7]
    tp, fp, tn, fn = _confusion(y, p, thresholds)
    if curve == "PR" and method == "interpolation":
        dtp, pos = tp[:-1] - tp[1:], tp + fp
        slope = _div(dtp, np.maximum(pos[:-1] - pos[1:], 0))
        intercept = tp[1:] - slope * pos[1:]
        ratio = np.where((pos[:-1] > 0) & (pos[1:] > 0), _div(pos[:-1], np.maximum(pos[1:], 0)), 1.0)
        return np.sum(_div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)))
    recall = _div(tp, tp + fn)
    x, h = (_div(fp, fp + tn), recall) if curve == "ROC" else (recall, _div(tp, tp + fp))
    pairs = {"interpolation": (h[:-1] + h[1:]) / 2, "minoring": np.minimum(h[:-1], h[1:]),
             "majoring": np.maximum(h[:-1], h[1:])}
    return np.sum((x[:-1] - x[1:]) * pairs[method])


# ------------------------------------------------------------------------------------------ standalone

def test_mean_and_sum_weigh_accumulate_and_reset():
    mean, total = M.Mean(), M.Sum()
    values, weights = tf.placeholder(tf.float32, (None,)), tf.placeholder(tf.float32, (None,))
    updates = [mean.update_state(values, weights), total.update_state(values, weights)]
    results = [mean.result(), total.result()]
    _run(*updates, feed={values: [1, 3, 5, 7], weights: [1, 1, 0, 0]})
    assert _run(*results) == pytest.approx([2.0, 4.0])
    _run(*updates, feed={values: [10], weights: [2]})  # a second batch adds to the totals
    assert _run(*results) == pytest.approx([24 / 4, 24.0])
    mean.reset_states()
    assert _run(*results) == pytest.approx([0.0, 24.0])  # (0, not NaN, before anything is seen)
    assert _run(mean([1.0, 3.0, 5.0, 7.0])) == pytest.approx(4.0)  # a call: update, then the result
    # weights per sample reduce each sample's values first; a scalar weight weighs all
    assert _run(M.Mean()([[1.0, 3.0], [5.0, 7.0]], sample_weight=[1.0, 0.0])) == pytest.approx(2.0)
    assert _run(M.Sum()([[1.0, 3.0], [5.0, 7.0]], sample_weight=[1.0, 0.5])) == pytest.approx(10.0)
    assert _run(M.Mean()([1.0, 2.0], sample_weight=3.0)) == pytest.approx(1.5)


def test_names_dtype_and_variables():
    assert [M.Precision().name, M.Precision().name, M.AUC().name, M.MeanIoU(2).name] == \
        ["precision", "precision_1", "auc", "mean_io_u"]  # as TF 1.15's layer names
    assert M.Mean().name == "mean" and M.Mean().name == "mean" and M.Recall(name="rec").name == "rec"
    metric = M.AUC(num_thresholds=7)
    assert metric.dtype == "float32" and [v.op.name for v in metric.variables] == [
        "auc_1/true_positives", "auc_1/true_negatives", "auc_1/false_positives", "auc_1/false_negatives"]
    assert all(v.shape.as_list() == [7] and not v.trainable for v in metric.variables)
    # in no collection: not initialized by global_variables_initializer, nor saved; Keras' session initializes them
    assert not tf.global_variables() and not tf.local_variables()
    assert _run(metric.result()) == 0.0


def test_accuracies_with_weights_and_thresholds():
    assert _run(M.Accuracy()([1, 2, 3, 4], [0, 2, 3, 4])) == pytest.approx(0.75)
    assert _run(M.Accuracy()([1, 2, 3, 4], [0, 2, 3, 4], sample_weight=[1, 1, 0, 0])) == pytest.approx(0.5)
    assert _run(M.BinaryAccuracy()([1, 1, 0, 0], [0.98, 1, 0, 0.6])) == pytest.approx(0.75)
    assert _run(M.BinaryAccuracy(threshold=0.7)([[1], [1], [0], [0]], [[0.98], [0.6], [0], [0.6]],
                                                sample_weight=[1, 3, 1, 1])) == pytest.approx(3 / 6)
    scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]
    assert _run(M.CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], scores, sample_weight=[0.7, 0.3])) == \
        pytest.approx(0.3)
    assert _run(M.SparseCategoricalAccuracy()([[2], [1]], scores)) == pytest.approx(0.5)
    assert _run(M.TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], scores)) == pytest.approx(0.5)
    assert _run(M.TopKCategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], scores)) == pytest.approx(1.0)
    assert _run(M.SparseTopKCategoricalAccuracy(2)([2, 2], scores)) == pytest.approx(0.5)
    with pytest.raises(TypeError, match="BinaryAccuracy takes the arguments"):
        M.BinaryAccuracy(treshold=0.7)


def test_errors_and_crossentropies_are_means_of_the_losses():
    rng = np.random.default_rng(0)
    y, p = rng.random((6, 3)).astype(np.float32), rng.random((6, 3)).astype(np.float32)
    w = np.array([1, 0, 2, 1, 1, 0.5], np.float32)
    assert _run(M.MeanSquaredError()(y, p, w)) == pytest.approx(np.average(((y - p) ** 2).mean(1), weights=w))
    assert _run(M.MeanAbsoluteError()(y, p)) == pytest.approx(np.abs(y - p).mean())
    assert _run(M.RootMeanSquaredError()([2.0, 4.0, 6.0], [1.0, 3.0, 2.0])) == pytest.approx(np.sqrt(6))
    rmse = M.RootMeanSquaredError()  # the root of the mean over both batches, not the mean of two roots
    _run(rmse.update_state(y[:2], p[:2]), rmse.update_state(y[2:], p[2:]))
    assert _run(rmse.result()) == pytest.approx(np.sqrt(((y - p) ** 2).mean()), rel=1e-6)
    probabilities = p / p.sum(1, keepdims=True)
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 1, 0, 2]]
    clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
    assert _run(M.CategoricalCrossentropy()(onehot, probabilities)) == pytest.approx(
        -np.log((clipped * onehot).sum(1)).mean(), rel=1e-5)
    assert _run(M.SparseCategoricalCrossentropy()([0, 2, 1, 1, 0, 2], probabilities, w)) == pytest.approx(
        np.average(-np.log((clipped * onehot).sum(1)), weights=w), rel=1e-5)
    labels = (y > 0.5).astype(np.float32)
    bce = -(labels * np.log(np.clip(p, 1e-7, 1)) + (1 - labels) * np.log(np.clip(1 - p, 1e-7, 1))).mean(1)
    assert _run(M.BinaryCrossentropy()(labels, p)) == pytest.approx(bce.mean(), rel=1e-5)
    logits = np.log(p / (1 - p))
    assert _run(M.BinaryCrossentropy(from_logits=True)(labels, logits)) == pytest.approx(bce.mean(), rel=1e-4)


def test_confusion_counts_precision_and_recall_match_numpy():
    rng = np.random.default_rng(1)
    y, p, w = rng.integers(0, 2, 40), rng.random(40).astype(np.float32), rng.random(40).astype(np.float32)
    tp, fp, tn, fn = _confusion(y, p, [0.5], w)
    counted = [M.TruePositives(), M.FalsePositives(), M.TrueNegatives(), M.FalseNegatives()]
    values = _run(*[m(y, p, sample_weight=w) for m in counted])
    np.testing.assert_allclose(values, [tp[0], fp[0], tn[0], fn[0]], rtol=1e-5)
    thresholds = [0.2, 0.5, 0.9]
    tp, fp, tn, fn = _confusion(y, p, thresholds, w)
    precision, recall = M.Precision(thresholds), M.Recall(thresholds)
    for rows in (slice(0, 13), slice(13, 40)):  # two updates: the counts add up
        _run(precision.update_state(y[rows], p[rows], w[rows]), recall.update_state(y[rows], p[rows], w[rows]))
    np.testing.assert_allclose(_run(precision.result()), tp / (tp + fp), rtol=1e-5)
    np.testing.assert_allclose(_run(recall.result()), tp / (tp + fn), rtol=1e-5)
    np.testing.assert_allclose(_run(M.FalseNegatives(thresholds)(y, p)), _confusion(y, p, thresholds)[3])
    precision.reset_states()
    np.testing.assert_array_equal(_run(precision.result()), [0, 0, 0])
    assert _run(M.Precision()([0, 1, 1, 1], [1, 0, 1, 1])) == pytest.approx(2 / 3)
    assert _run(M.Precision()([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])) == pytest.approx(1.0)


def test_precision_and_recall_with_top_k_and_class_id():
    labels = np.array([[0, 0, 1, 1], [1, 0, 0, 0], [0, 1, 0, 1]], np.float32)
    scores = np.array([[0.1, 0.2, 0.6, 0.5], [0.3, 0.6, 0.05, 0.05], [0.4, 0.3, 0.2, 0.1]], np.float32)
    top2 = np.argsort(-scores, axis=1)[:, :2]
    kept = np.zeros_like(labels, bool)
    np.put_along_axis(kept, top2, True, axis=1)
    hits = (kept & (labels == 1)).sum()
    assert _run(M.Precision(top_k=2)(labels, scores)) == pytest.approx(hits / kept.sum())
    assert _run(M.Recall(top_k=2)(labels, scores)) == pytest.approx(hits / labels.sum())
    # class 3 alone: predicted (> 0.3) for row 0, labelled for rows 0 and 2
    assert _run(M.Precision(thresholds=0.3, class_id=3)(labels, scores)) == pytest.approx(1.0)
    assert _run(M.Recall(thresholds=0.3, class_id=3)(labels, scores)) == pytest.approx(0.5)
    # both: class 0 is in row 1's and row 2's top 2, labelled in row 1
    assert _run(M.Precision(top_k=2, class_id=0)(labels, scores)) == pytest.approx(0.5)


@pytest.mark.parametrize("curve,method", [("ROC", "interpolation"), ("ROC", "minoring"), ("ROC", "majoring"),
                                          ("PR", "interpolation"), ("PR", "minoring"), ("PR", "majoring")])
def test_auc_matches_the_numpy_formulas(curve, method):
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 60)
    p = np.clip(0.3 * y + 0.7 * rng.random(60), 0, 1).astype(np.float32)
    auc = M.AUC(num_thresholds=50, curve=curve, summation_method=method)
    _run(auc.update_state(y[:25], p[:25]))
    assert _run(auc(y[25:], p[25:])) == pytest.approx(_auc(y, p, 50, curve, method), rel=1e-5)


def test_auc_documented_value_and_the_exact_roc_area():
    assert _run(M.AUC(num_thresholds=3)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])) == pytest.approx(0.75)  # TF's docs
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.25 * y + 0.75 * rng.random(300), 0, 1)
    exact = np.mean(p[y == 1][:, None] > p[y == 0][None, :])  # the chance a positive outranks a negative
    assert _run(M.AUC()(y, p)) == pytest.approx(exact, abs=5e-3)
    thresholds = [0.25, 0.5, 0.75]  # given thresholds, between the two ends
    auc = M.AUC(thresholds=thresholds)
    tp, fp, tn, fn = _confusion(y, p, [-1e-7] + thresholds + [1 + 1e-7])
    x, h = fp / (fp + tn), tp / (tp + fn)
    assert auc.num_thresholds == 5 and _run(auc(y, p)) == pytest.approx(np.sum((x[:-1] - x[1:]) * (h[:-1] + h[1:]) / 2))


def test_mean_iou():
    assert _run(M.MeanIoU(num_classes=2)([0, 0, 1, 1], [0, 1, 0, 1])) == pytest.approx(1 / 3)
    rng = np.random.default_rng(4)
    y, p = rng.integers(0, 4, (5, 6)), rng.integers(0, 3, (5, 6))  # class 3 never predicted, still labelled
    cm = np.zeros((4, 4))
    np.add.at(cm, (y.ravel(), p.ravel()), 1)
    union = cm.sum(0) + cm.sum(1) - np.diag(cm)
    assert _run(M.MeanIoU(4)(y, p)) == pytest.approx(np.mean(np.diag(cm)[union > 0] / union[union > 0]))


def test_bad_arguments_and_predictions_out_of_range():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        M.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        M.AUC(curve="DET")
    with pytest.raises(ValueError, match="Invalid AUC summation method"):
        M.AUC(summation_method="trapezoidal")
    with pytest.raises(ValueError, match="num_thresholds must be > 1"):
        M.AUC(num_thresholds=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="predictions must be <= 1"):
        _run(M.AUC()([0, 1], [0.5, 3.0]))  # logits where probabilities belong


class BinaryTruePositives(M.Metric):
    """TF 1.15's documented example: update_state returns nothing."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = tf.cast(y_true, tf.bool), tf.cast(y_pred, tf.bool)
        values = tf.cast(tf.logical_and(tf.equal(y_true, True), tf.equal(y_pred, True)), self.dtype)
        if sample_weight is not None:
            values = values * tf.cast(sample_weight, self.dtype)
        self.true_positives.assign_add(tf.reduce_sum(values))

    def result(self):
        return self.true_positives


def test_a_metric_of_ones_own():
    metric = BinaryTruePositives()
    update = metric.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    _run(update)
    _run(update)  # the op returned runs the write the method made
    assert _run(metric.result()) == 4.0 and metric.variables[0].op.name == "binary_true_positives/tp"
    assert _run(metric([1, 1], [1, 1], sample_weight=[0.5, 1])) == 5.5  # the call reads after the write
    metric.reset_states()
    assert _run(metric.result()) == 0.0
    with pytest.raises(NotImplementedError, match="must define result"):
        type("NoResult", (M.Metric,), {"update_state": lambda self, *a: None})().result()


# ------------------------------------------------------------------------------------------ in fit and evaluate

def _frozen_classifier(features=4):
    """A sigmoid unit trained with learning rate 0: its predictions stay put while fit reports on them."""
    tf.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(features,))])
    return model


def test_fit_and_evaluate_report_each_metric_over_the_whole_epoch():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((50, 4)).astype(np.float32), rng.integers(0, 2, 50)
    x_val, y_val = rng.standard_normal((21, 4)).astype(np.float32), rng.integers(0, 2, 21)
    model = _frozen_classifier()
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy",
                  metrics=[M.Precision(), M.AUC(), M.Recall(name="rec"), BinaryTruePositives(), "acc"])
    assert model.metrics_names == ["loss", "precision", "auc", "rec", "binary_true_positives", "acc"]
    batch_logs = []
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_data=(x_val, y_val),
                        callbacks=[keras.callbacks.LambdaCallback(
                            on_batch_end=lambda batch, logs: batch_logs.append(dict(logs)))])
    p, p_val = model.predict(x)[:, 0], model.predict(x_val)[:, 0]

    def expected(y, p):
        tp, fp, _, fn = (c[0] for c in _confusion(y, p, [0.5]))
        return {"precision": tp / (tp + fp), "auc": _auc(y, p), "rec": tp / (tp + fn), "binary_true_positives":
                np.sum((y == 1) & (p != 0)), "acc": np.mean((p > 0.5) == y)}
    for key, value in expected(y, p).items():  # both epochs: reset at the start of each
        np.testing.assert_allclose(history.history[key], [value, value], rtol=1e-5, err_msg=key)
    for key, value in expected(y_val, p_val).items():
        np.testing.assert_allclose(history.history[f"val_{key}"], [value, value], rtol=1e-5, err_msg=key)
    # in a batch's logs: the metric so far this epoch (batches of 16, 16, 16, 2; shuffled, so compare sums)
    assert len(batch_logs) == 8 and batch_logs[3]["precision"] == pytest.approx(history.history["precision"][0])
    scores = model.evaluate(x, y, batch_size=7, verbose=0)
    again = model.evaluate(x, y, batch_size=50, verbose=0)  # evaluate starts from zero too
    np.testing.assert_allclose(scores[1:], list(expected(y, p).values()), rtol=1e-5)
    np.testing.assert_allclose(again, scores, rtol=1e-5)


def test_running_values_in_the_batch_logs_and_train_on_batch():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((40, 4)).astype(np.float32), rng.integers(0, 2, 40)
    model = _frozen_classifier()
    precision = M.Precision()
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=[precision])
    p = model.predict(x)[:, 0]
    logged = []
    model.fit(x, y, batch_size=12, shuffle=False, verbose=0, callbacks=[keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: logged.append(logs["precision"]))])

    def precision_of(rows):
        tp, fp = (c[0] for c in _confusion(y[rows], p[rows], [0.5])[:2])
        return tp / (tp + fp)
    np.testing.assert_allclose(logged, [precision_of(slice(0, end)) for end in (12, 24, 36, 40)], rtol=1e-5)
    assert model.train_on_batch(x[:12], y[:12])[1] == pytest.approx(precision_of(slice(0, 12)))
    assert model.train_on_batch(x[12:], y[12:])[1] == pytest.approx(precision_of(slice(12, 40)))
    assert model.train_on_batch(x[:12], y[:12], reset_metrics=False)[1] == pytest.approx(
        precision_of(np.r_[12:40, 0:12]))  # on from the batch before
    assert model.test_on_batch(x, y)[1] == pytest.approx(precision_of(slice(0, 40)))
    model.reset_metrics()
    assert keras.backend.get_value(precision.result()) == 0.0


def test_metric_objects_with_several_outputs_and_masks():
    inputs = keras.Input((3,))
    a = keras.layers.Dense(1, activation="sigmoid", name="a")(inputs)
    b = keras.layers.Dense(2, activation="softmax", name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    shared = M.AUC()
    with pytest.raises(ValueError, match="given twice"):  # a metric's totals would mix two outputs
        model.compile("sgd", ["binary_crossentropy", "sparse_categorical_crossentropy"], metrics=[shared])
        model.evaluate(np.ones((4, 3)), [np.ones(4), np.zeros(4)], verbose=0)
    model.compile(keras.optimizers.SGD(0.0), ["binary_crossentropy", "sparse_categorical_crossentropy"],
                  metrics={"a": [M.BinaryAccuracy(threshold=0.9)], "b": [M.SparseCategoricalAccuracy(name="hits")]})
    assert model.metrics_names == ["loss", "a_loss", "b_loss", "a_binary_accuracy", "b_hits"]
    rng = np.random.default_rng(7)
    x, ya, yb = rng.standard_normal((30, 3)).astype(np.float32), rng.integers(0, 2, 30), rng.integers(0, 2, 30)
    pa, pb = model.predict(x)
    scores = dict(zip(model.metrics_names, model.evaluate(x, [ya, yb], batch_size=8, verbose=0)))
    assert scores["a_binary_accuracy"] == pytest.approx(np.mean((pa[:, 0] > 0.9) == ya))
    assert scores["b_hits"] == pytest.approx(np.mean(pb.argmax(1) == yb))
    bce = -(ya * np.log(pa[:, 0]) + (1 - ya) * np.log(1 - pa[:, 0]))
    # an output's loss: the plain mean of its batch losses, as TF 1.15 reports it (the total loss weighs the batches)
    assert scores["a_loss"] == pytest.approx(np.mean([bce[i:i + 8].mean() for i in range(0, 30, 8)]), rel=1e-5)


def test_a_function_metric_is_the_mean_over_the_samples_not_over_the_batches():
    """A user function giving one value per batch is averaged per batch (TF's count of one value); one giving a
    value per sample is averaged over the samples, whatever the batches."""
    x = np.arange(10, dtype=np.float32)[:, None]
    model = keras.Sequential([keras.layers.Lambda(lambda t: t, input_shape=(1,))])
    def per_sample(y, p):
        return p[:, 0]

    def per_batch(y, p):
        return tf.reduce_mean(p)

    model.compile("sgd", "mse", metrics=[per_sample, per_batch])
    _, per_sample, per_batch = model.evaluate(x, np.zeros(10), batch_size=4, verbose=0)
    assert per_sample == pytest.approx(4.5) and per_batch == pytest.approx(np.mean([1.5, 5.5, 8.5]))


def test_a_metric_with_several_thresholds_reports_an_array():
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((30, 4)).astype(np.float32), rng.integers(0, 2, 30)
    model = _frozen_classifier()
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=[M.Recall(thresholds=[0.3, 0.6])])
    history = model.fit(x, y, batch_size=8, verbose=0)
    tp, _, _, fn = _confusion(y, model.predict(x), [0.3, 0.6])
    np.testing.assert_allclose(history.history["recall"][0], tp / (tp + fn), rtol=1e-5)
