"""tf.contrib.metrics (contrib_metrics.py): TF 1.0's streaming metrics take predictions before labels and give what
tf.metrics gives with the arguments the other way round; the one-batch accuracy and the aggregation helpers."""
import numpy as np
import pytest

import minidl.graph as tf

LABELS = np.array([1, 0, 1, 1, 0, 1, 0, 0], np.int64)
PREDICTIONS = np.array([1, 1, 1, 0, 0, 1, 1, 0], np.int64)  # 3 true positives, 2 false positives, 1 false negative


def _streamed(make_pair, batches):
    """The metric's value after feeding ``batches`` of (predictions, labels) to its update op."""
    with tf.Graph().as_default():
        p, y = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None])
        value, update = make_pair(p, y)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            for cut in batches:
                sess.run(update, {p: PREDICTIONS[cut], y: LABELS[cut]})
            return sess.run(value)


HALVES = [slice(0, 4), slice(4, 8)]


@pytest.mark.parametrize("name, expected", [("accuracy", 5 / 8), ("precision", 3 / 5), ("recall", 3 / 4),
                                            ("true_positives", 3), ("false_positives", 2), ("false_negatives", 1)])
def test_streaming_metrics_take_predictions_first(name, expected):
    streaming = getattr(tf.contrib.metrics, f"streaming_{name}")
    assert _streamed(lambda p, y: streaming(p, y), HALVES) == pytest.approx(expected)
    assert _streamed(lambda p, y: streaming(predictions=p, labels=y), HALVES) == pytest.approx(expected)
    assert _streamed(lambda p, y: getattr(tf.metrics, name)(y, p), HALVES) == pytest.approx(expected)


def test_precision_and_recall_swap_when_the_arguments_do():
    """The order is not cosmetic: with labels and predictions swapped, precision is the other one's recall."""
    swapped = _streamed(lambda p, y: tf.contrib.metrics.streaming_precision(y, p), HALVES)
    assert swapped == pytest.approx(3 / 4)


def test_streaming_mean_and_auc():
    values = tf.placeholder(tf.float32, [None])
    mean, update = tf.contrib.metrics.streaming_mean(values)
    scores = tf.constant([0.9, 0.2, 0.8, 0.3], tf.float32)
    auc, auc_update = tf.contrib.metrics.streaming_auc(scores, tf.constant([True, False, True, False]))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {values: [1.0, 2.0]})
        sess.run([update, auc_update], {values: [6.0]})
        assert sess.run(mean) == pytest.approx(3.0)
        assert sess.run(auc) == pytest.approx(1.0, abs=1e-3)  # every positive scored above every negative


def test_one_batch_accuracy_with_and_without_weights():
    weights = np.array([1, 1, 1, 0, 1, 1, 0, 1], np.float32)  # the two misses at 3 and 6 weigh nothing
    with tf.Session() as sess:
        plain, weighted = sess.run([tf.contrib.metrics.accuracy(PREDICTIONS, LABELS),
                                    tf.contrib.metrics.accuracy(PREDICTIONS, LABELS, weights=weights)])
    assert plain == pytest.approx(5 / 8) and weighted == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match="incompatible"):
        tf.contrib.metrics.accuracy(PREDICTIONS[:3], LABELS)


def test_aggregating_pairs_into_lists_and_dicts():
    p, y = tf.constant(PREDICTIONS), tf.constant(LABELS)
    pairs = {"accuracy": tf.contrib.metrics.streaming_accuracy(p, y),
             "recall": tf.contrib.metrics.streaming_recall(p, y)}
    names_to_values, names_to_updates = tf.contrib.metrics.aggregate_metric_map(pairs)
    values, updates = tf.contrib.metrics.aggregate_metrics(*pairs.values())
    assert values == [pairs["accuracy"][0], pairs["recall"][0]] and updates == [pairs["accuracy"][1],
                                                                                 pairs["recall"][1]]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(list(names_to_updates.values()))
        assert sess.run(names_to_values) == pytest.approx({"accuracy": 5 / 8, "recall": 3 / 4})
    with pytest.raises(ValueError, match="at least one"):
        tf.contrib.metrics.aggregate_metrics()
