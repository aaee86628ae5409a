"""tf.confusion_matrix and the rest of tf.metrics (metrics_more.py): each metric streamed over a few fed batches
against a numpy reference computed on all the data at once, with weights; TF's variable names; errors at build
time (bad arguments, mismatched shapes) and at run time (class ids out of range, scores outside [0, 1])."""
import numpy as np
import pytest

import minidl.graph as tf

def _stream(value, update, feeds):
    """Run ``update`` on each feed dict after (re)initializing the local variables; (value, last update)."""
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for feed in feeds:
            last = sess.run(update, feed)
        return sess.run(value), last


def _batches(placeholders, arrays, cuts):
    """Feed dicts that cut each of ``arrays`` (fed to ``placeholders``) at ``cuts`` along the first dim."""
    edges = [0] + list(cuts) + [len(arrays[0])]
    return [{p: a[lo:hi] for p, a in zip(placeholders, arrays)} for lo, hi in zip(edges[:-1], edges[1:])]


def _np_confusion(labels, predictions, num_classes, weights):
    cm = np.zeros((num_classes, num_classes))
    np.add.at(cm, (labels.ravel(), predictions.ravel()), np.broadcast_to(weights, labels.shape).ravel())
    return cm


# ============================================================================================ confusion_matrix

def test_confusion_matrix_counts_labels_by_predictions():
    rng = np.random.default_rng(1)
    labels, predictions = rng.integers(0, 4, 30), rng.integers(0, 5, 30)
    weights = rng.uniform(0.5, 2.0, 30).astype(np.float32)
    y, p, w = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int32, [None, 1]), tf.placeholder(tf.float32, [None])
    inferred = tf.confusion_matrix(y, p)  # 5 classes: the largest id is a prediction
    weighted = tf.math.confusion_matrix(y, p, num_classes=6, weights=w, dtype=tf.float64)
    assert inferred.dtype == tf.int32 and inferred.shape.as_list() == [None, None]
    assert weighted.dtype == tf.float64 and weighted.shape.as_list() == [6, 6]
    with tf.Session() as sess:
        got_inferred, got_weighted = sess.run([inferred, weighted], {y: labels, p: predictions[:, None], w: weights})
    np.testing.assert_array_equal(got_inferred, _np_confusion(labels, predictions, 5, 1.0))
    np.testing.assert_allclose(got_weighted, _np_confusion(labels, predictions, 6, weights), rtol=1e-6)
    # weights are cast to the result's dtype, as TF does: 1.7 counts as 1 in an int32 matrix
    cast = tf.confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2, weights=[1.7, 2.0, 3.9])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(cast), [[1, 0], [3, 2]])


@pytest.mark.parametrize("labels, predictions, message", [
    ([0, -1, 2], [0, 1, 2], "`labels` contains negative values"),
    ([0, 1, 2], [0, 1, -3], "`predictions` contains negative values"),
    ([0, 3, 2], [0, 1, 2], "`labels` out of bound"),
    ([0, 1, 2], [0, 1, 4], "`predictions` out of bound"),
])
def test_confusion_matrix_refuses_class_ids_out_of_range_at_run_time(labels, predictions, message):
    y, p = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [None])
    cm = tf.confusion_matrix(y, p, num_classes=3)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(cm, {y: labels, p: predictions})
        np.testing.assert_array_equal(sess.run(cm, {y: [2, 0], p: [2, 2]}), [[0, 0, 1], [0, 0, 0], [0, 0, 1]])


def test_confusion_matrix_build_time_errors():
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        tf.confusion_matrix([0, 1], [1, 0], num_classes=0)
    with pytest.raises(ValueError, match="incompatible"):
        tf.confusion_matrix([0, 1, 2], [1, 0])
    with pytest.raises(ValueError, match="must be 1-D class ids, got shapes"):
        tf.confusion_matrix([[0, 1], [1, 1]], [[1, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"weights must have the predictions' shape \(2,\), got \(3,\)"):
        tf.confusion_matrix([0, 1], [1, 0], weights=[1.0, 2.0, 3.0])


# =============================================================================== metrics of class ids

def test_streaming_mean_iou_and_mean_per_class_accuracy():
    rng = np.random.default_rng(2)
    # segmentation-like [batch, pixels] ids; class 4 never appears, class 3 is never predicted
    labels = rng.integers(0, 4, (9, 6))
    predictions = np.where(rng.random((9, 6)) < 0.6, labels, rng.integers(0, 3, (9, 6)))
    weights = rng.uniform(0.0, 2.0, (9, 1)).astype(np.float32)  # one weight per image, broadcast to its pixels
    y, p = tf.placeholder(tf.int64, [None, 6]), tf.placeholder(tf.int64, [None, 6])
    w = tf.placeholder(tf.float32, [None, 1])
    miou, update_miou = tf.metrics.mean_iou(y, p, num_classes=5, weights=w)
    accuracy, update_accuracy = tf.metrics.mean_per_class_accuracy(y, p, 5, weights=w, name="acc")
    assert [v.op.name for v in tf.local_variables()] == ["mean_iou/total_confusion_matrix", "acc/total", "acc/count"]
    feeds = _batches([y, p, w], [labels, predictions, weights], [3, 7])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run([miou, accuracy]) == [0.0, 0.0]  # nothing seen yet
        for feed in feeds:
            cm, per_class = sess.run([update_miou, update_accuracy], feed)
        got_miou, got_accuracy = sess.run([miou, accuracy])
    expected_cm = _np_confusion(labels, predictions, 5, weights)
    np.testing.assert_allclose(cm, expected_cm, rtol=1e-6)  # as in TF, mean_iou's update op gives the matrix
    diagonal, union = np.diag(expected_cm), expected_cm.sum(0) + expected_cm.sum(1) - np.diag(expected_cm)
    assert union[4] == 0 and union[:4].min() > 0
    assert got_miou == pytest.approx((diagonal[:4] / union[:4]).mean(), rel=1e-5)  # class 4 left out of the mean
    row_sums = expected_cm.sum(1)
    expected_per_class = np.divide(diagonal, row_sums, out=np.zeros(5), where=row_sums > 0)
    np.testing.assert_allclose(per_class, expected_per_class, rtol=1e-5)  # the update op gives each class's
    assert got_accuracy == pytest.approx(expected_per_class.mean(), rel=1e-5)  # class 4 counts as 0


def test_class_id_metrics_check_their_arguments():
    with pytest.raises(ValueError, match="mean_iou: num_classes must be a positive integer, got 2.5"):
        tf.metrics.mean_iou([0, 1], [0, 1], num_classes=2.5)
    with pytest.raises(ValueError, match="mean_per_class_accuracy: num_classes must be a positive integer"):
        tf.metrics.mean_per_class_accuracy([0, 1], [0, 1], num_classes=-2)
    with pytest.raises(ValueError, match="incompatible"):
        tf.metrics.mean_iou([0, 1, 1], [0, 1], num_classes=2)
    _, update = tf.metrics.mean_iou(tf.placeholder(tf.int32, [None]), [0, 1], num_classes=2)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
            sess.run(update, {"Placeholder:0": [0, 2]})


# ======================================================================= metrics at thresholds

def _np_counts_at(labels, scores, weights, thresholds):
    """tp, fn, tn, fp at each threshold (predicted positive: score > threshold), in float32 like the graph's."""
    above = scores[:, None] > np.asarray(thresholds, np.float32)[None, :]
    positive, w = labels.astype(bool)[:, None], weights[:, None]
    return [(w * (a & b)).sum(0).astype(np.float32) for a, b in
            ((positive, above), (positive, ~above), (~positive, ~above), (~positive, above))]


def _scored_data(seed, n=120):
    """Bool-like labels, scores in [0, 1] that only partly tell them apart, and weights."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    scores = np.clip(0.2 * labels + 0.8 * rng.random(n), 0, 1).astype(np.float32)
    return labels, scores, rng.uniform(0.2, 2.0, n).astype(np.float32)


def test_streaming_precision_recall_and_counts_at_thresholds():
    labels, scores, weights = _scored_data(3)
    thresholds = [0.25, 0.5, 0.8]
    y, s, w = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [None])
    metrics = [tf.metrics.precision_at_thresholds(y, s, thresholds, w),
               tf.metrics.recall_at_thresholds(y, s, thresholds, w),
               tf.metrics.true_positives_at_thresholds(y, s, thresholds, w),
               tf.metrics.false_negatives_at_thresholds(y, s, thresholds, w),
               tf.metrics.true_negatives_at_thresholds(y, s, thresholds, w),
               tf.metrics.false_positives_at_thresholds(y, s, thresholds, w)]
    assert [v.op.name for v in tf.local_variables()] == [
        "precision_at_thresholds/true_positives", "precision_at_thresholds/false_positives",
        "recall_at_thresholds/true_positives", "recall_at_thresholds/false_negatives", "true_positives/true_positives",
        "false_negatives/false_negatives", "true_negatives/true_negatives", "false_positives/false_positives"]
    values, updates = zip(*metrics)
    got, last = _stream(list(values), list(updates), _batches([y, s, w], [labels, scores, weights], [40, 90]))
    tp, fn, tn, fp = _np_counts_at(labels, scores, weights, thresholds)
    expected = [tp / (tp + fp + 1e-7), tp / (tp + fn + 1e-7), tp, fn, tn, fp]
    for g, u, e in zip(got, last, expected):
        assert g.shape == (3,)
        np.testing.assert_allclose(g, e, rtol=1e-5)
        np.testing.assert_allclose(u, e, rtol=1e-5)  # the update op gives the value after the last batch
    assert 0.5 < expected[0][1] < 1 and 0 < expected[1][2] < 0.9  # a real mix of right and wrong at each threshold


def test_threshold_metrics_check_shapes_and_the_score_range():
    with pytest.raises(ValueError, match="incompatible"):
        tf.metrics.precision_at_thresholds([True, False, True], [0.2, 0.9], [0.5])
    s = tf.placeholder(tf.float32, [None])
    _, update = tf.metrics.recall_at_thresholds([True, False], s, [0.5])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
            sess.run(update, {s: [0.4, 1.5]})


def _np_thresholds(num, last):
    return np.array([-1e-7] + [(i + 1) / (num - 1) for i in range(num - 2)] + [last], np.float32)


def _np_sensitivity_at_specificity(labels, scores, weights, specificity):
    tp, fn, tn, fp = _np_counts_at(labels, scores, weights, _np_thresholds(200, 1 + 1e-7))
    i = np.argmin(np.abs(tn / (tn + fp + np.float32(1e-7)) - np.float32(specificity)))  # the first closest
    return tp[i] / (tp[i] + fn[i] + 1e-7)


def _np_specificity_at_sensitivity(labels, scores, weights, sensitivity):
    tp, fn, tn, fp = _np_counts_at(labels, scores, weights, _np_thresholds(200, 1 - 1e-7))
    distance = np.abs(tp / (tp + fn + np.float32(1e-7)) - np.float32(sensitivity))
    i = len(distance) - 1 - np.argmin(distance[::-1])  # the last closest
    return tn[i] / (tn[i] + fp[i] + 1e-7)


def test_streaming_sensitivity_at_specificity_and_specificity_at_sensitivity():
    labels, scores, weights = _scored_data(4)
    y, s, w = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [None])
    sensitivity, update_sensitivity = tf.metrics.sensitivity_at_specificity(y, s, 0.7, weights=w)
    specificity, update_specificity = tf.metrics.specificity_at_sensitivity(y, s, 0.8, weights=w)
    assert [v.op.name for v in tf.local_variables()][:4] == [
        "sensitivity_at_specificity/" + k for k in ("true_positives", "false_negatives", "true_negatives",
                                                    "false_positives")]
    got, _ = _stream([sensitivity, specificity], [update_sensitivity, update_specificity],
                     _batches([y, s, w], [labels, scores, weights], [50, 100]))
    expected = [_np_sensitivity_at_specificity(labels, scores, weights, 0.7),
                _np_specificity_at_sensitivity(labels, scores, weights, 0.8)]
    assert 0.2 < expected[0] < 0.99 and 0.2 < expected[1] < 0.99
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_sensitivity_and_specificity_break_ties_as_tf():
    # one negative at 0.1: specificity is 1 at every threshold from 0.1 up; the first of them keeps both positives
    value, update = tf.metrics.sensitivity_at_specificity([0, 1, 1], [0.1, 0.5, 0.95], specificity=1.0)
    assert _stream(value, update, [{}])[0] == pytest.approx(1.0, abs=1e-6)
    # one positive at 0.9: sensitivity is 1 at every threshold below it; the last of them has both negatives below
    value, update = tf.metrics.specificity_at_sensitivity([1, 0, 0], [0.9, 0.2, 0.6], sensitivity=1.0)
    assert _stream(value, update, [{}])[0] == pytest.approx(1.0, abs=1e-6)
    # its last threshold is 1 - 1e-7, as in TF: a score of exactly 1 is above every threshold, so no threshold has
    # sensitivity 0 and the last one, with the negative above it too, has specificity 0 (with 1 + 1e-7 it would be 1)
    value, update = tf.metrics.specificity_at_sensitivity([1, 0], [1.0, 1.0], sensitivity=0.0)
    assert _stream(value, update, [{}])[0] == 0.0
    with pytest.raises(ValueError, match=r"`specificity` must be in the range \[0, 1\], got 1.5"):
        tf.metrics.sensitivity_at_specificity([0, 1], [0.1, 0.5], specificity=1.5)
    with pytest.raises(ValueError, match="num_thresholds must be > 1, got 1"):
        tf.metrics.specificity_at_sensitivity([0, 1], [0.1, 0.5], sensitivity=0.5, num_thresholds=1)


# ================================================================================= means of values

def test_streaming_mean_tensor_is_a_mean_per_entry():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(3, 2, 3)).astype(np.float32)  # three batches of a [2, 3] tensor
    weights = np.array([[[1.0], [0.0]], [[2.0], [0.0]], [[0.5], [0.0]]], np.float32)  # the second row never counts
    x, w = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2, 1])
    mean, update = tf.metrics.mean_tensor(x, w)
    assert [v.op.name for v in tf.local_variables()] == ["mean/total_tensor", "mean/count_tensor"]
    got, last = _stream(mean, update, [{x: values[i], w: weights[i]} for i in range(3)])
    expected = (values * weights).sum(0) / np.maximum(weights.sum(0), 1e-30)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(last, expected, rtol=1e-5)
    assert np.all(got[1] == 0)  # a count of 0 gives 0, not NaN
    with pytest.raises(ValueError, match=r"mean_tensor: values must have a fully known shape, got \(\?, 3\)"):
        tf.metrics.mean_tensor(tf.placeholder(tf.float32, [None, 3]))


def test_streaming_relative_error_cosine_distance_and_percentage_below():
    rng = np.random.default_rng(6)
    labels = rng.normal(size=(12, 3)).astype(np.float32)
    predictions = (labels + 0.3 * rng.normal(size=(12, 3))).astype(np.float32)
    normalizer = np.where(rng.random((12, 3)) < 0.2, 0, rng.uniform(0.5, 2, (12, 3))).astype(np.float32)
    row_weights = rng.uniform(0.5, 2.0, (12, 1)).astype(np.float32)
    y, p = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
    n, w = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 1])
    unit_y, unit_p = tf.nn.l2_normalize(y, 1), tf.nn.l2_normalize(p, 1)
    metrics = [tf.metrics.mean_relative_error(y, p, n, weights=w),
               tf.metrics.mean_cosine_distance(unit_y, unit_p, dim=1, weights=w),
               tf.metrics.percentage_below(p, 0.25, weights=w)]
    assert [v.op.name for v in tf.local_variables()] == [
        "mean_relative_error/total", "mean_relative_error/count", "mean_cosine_distance/total",
        "mean_cosine_distance/count", "percentage_below_threshold/total", "percentage_below_threshold/count"]
    values, updates = zip(*metrics)
    got, last = _stream(list(values), list(updates), _batches([y, p, n, w], [labels, predictions, normalizer,
                                                                            row_weights], [5, 9]))
    weights = np.broadcast_to(row_weights, (12, 3))
    relative = np.divide(np.abs(labels - predictions), normalizer, out=np.zeros_like(labels), where=normalizer != 0)
    cosine = (labels * predictions).sum(1) / np.linalg.norm(labels, axis=1) / np.linalg.norm(predictions, axis=1)
    expected = [(relative * weights).sum() / weights.sum(),
                1 - (cosine * row_weights[:, 0]).sum() / row_weights.sum(),
                ((predictions < 0.25) * weights).sum() / weights.sum()]
    assert 0.05 < expected[1] < 0.5 and 0.2 < expected[2] < 0.8
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(last, expected, rtol=1e-5)


# ==================================================================================== @k metrics

def _np_at_k(labels, logits, k, class_id, weights):
    """TF's precision@k and recall@k with Python sets: tp, fp and fn added up over rows, each row weighted."""
    tp = fp = fn = 0.0
    for row, scores, weight in zip(labels.reshape(len(logits), -1), logits, weights):
        top, wanted = set(np.argsort(-scores)[:k].tolist()), set(row.tolist())
        if class_id is not None:
            top, wanted = top & {class_id}, wanted & {class_id}
        tp, fp, fn = tp + weight * len(top & wanted), fp + weight * len(top - wanted), fn + weight * len(wanted - top)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize("class_id", [None, 2])
def test_streaming_precision_and_recall_at_k(class_id):
    rng = np.random.default_rng(7)
    # two labels per row, some repeated (a set: counted once) and some outside the 6 classes (never found)
    labels = rng.integers(0, 6, (40, 2))
    labels[::4, 1] = labels[::4, 0]
    labels[1::5, 1] = 9
    logits = (rng.normal(size=(40, 6)) + 0.5 * np.eye(6)[labels[:, 0] % 6]).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, 40)
    y, x, w = tf.placeholder(tf.int64, [None, 2]), tf.placeholder(tf.float32, [None, 6]), tf.placeholder(tf.float64,
                                                                                                          [None])
    precision, update_precision = tf.metrics.precision_at_k(y, x, 3, class_id=class_id, weights=w)
    recall, update_recall = tf.metrics.sparse_recall_at_k(y, x, 3, class_id=class_id, weights=w)
    suffix = "" if class_id is None else f"_class{class_id}"
    assert [v.op.name for v in tf.local_variables()] == [
        f"precision_at_3{suffix}/true_positive_at_3{suffix}", f"precision_at_3{suffix}/false_positive_at_3{suffix}",
        f"recall_at_3{suffix}/true_positive_at_3{suffix}", f"recall_at_3{suffix}/false_negative_at_3{suffix}"]
    got, last = _stream([precision, recall], [update_precision, update_recall],
                        _batches([y, x, w], [labels, logits, weights], [15, 30]))
    expected = _np_at_k(labels, logits, 3, class_id, weights)
    assert 0.05 < expected[0] < 0.97 and 0.05 < expected[1] < 0.97
    assert precision.dtype == tf.float64
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    np.testing.assert_allclose(last, expected, rtol=1e-10)


def test_at_k_with_one_label_per_row_top_k_ids_and_nothing_counted():
    labels = np.array([0, 3, 1, 2])
    logits = np.array([[0.9, 0.1, 0.0, 0.2], [0.1, 0.3, 0.5, 0.2], [0.3, 0.2, 0.4, 0.1], [0.1, 0.2, 0.3, 0.4]],
                      np.float32)
    precision, update_precision = tf.metrics.sparse_precision_at_k(labels, logits, k=2)
    recall, update_recall = tf.metrics.recall_at_top_k(labels, tf.nn.top_k(logits, 2).indices, k=2)
    never, update_never = tf.metrics.precision_at_k(labels, logits, k=1, class_id=1, name="never")
    got, _ = _stream([precision, recall, never], [update_precision, update_recall, update_never], [{}])
    expected = _np_at_k(labels, logits, 2, None, np.ones(4))
    assert expected == (2 / 8, 2 / 4)  # tp 2 (rows 0 and 3), fp 6, fn 2
    np.testing.assert_allclose(got[:2], expected)
    assert np.isnan(got[2])  # class 1 is never the top prediction: 0 / 0 is NaN, as in TF
    with pytest.raises(ValueError, match=r"Unexpected labels shape \(2, 2, 1\) for predictions shape"):
        tf.metrics.recall_at_k(np.zeros((2, 2, 1), np.int64), logits[:2], k=2)
