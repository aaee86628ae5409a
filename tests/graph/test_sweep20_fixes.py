"""What session 20's sweep of tf.train, tf.metrics and tf.losses against TF 1.15's formulas found, fixed (the
optimizers, schedules and moving averages all agreed)."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf


def _streamed(metric):
    value, update = metric
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        return sess.run(value)


def test_metric_weights_one_rank_short_weigh_rows():
    """TF's remove_squeezable_dimensions: [N] weights beside [N, K] values are per row (not per column), and [N, 1]
    weights beside [N] values lose their last dim."""
    values = np.arange(1.0, 10.0, dtype=np.float32).reshape(3, 3)
    weights = np.array([1.0, 0.0, 2.0], np.float32)
    with tf.Graph().as_default():
        assert _streamed(tf.metrics.mean(values, weights)) == pytest.approx(54 / 9)
    with tf.Graph().as_default():
        column = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
        assert _streamed(tf.metrics.accuracy(np.array([1, 0, 1, 1]), np.array([1, 1, 1, 0]), column)) == 0.75
    with tf.Graph().as_default():
        auc = _streamed(tf.metrics.auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.6, 0.7], np.float32), column))
        assert 0 < auc < 1


def test_loss_weights_must_be_a_scalar_or_of_the_losses_rank():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="weights can not be broadcast to values. values.rank=2. weights.rank=1"):
            tf.losses.mean_squared_error(np.zeros((3, 3), np.float32), np.ones((3, 3), np.float32),
                                         weights=np.array([1.0, 0.0, 0.0], np.float32))


def test_sparse_softmax_cross_entropy_squeezes_weights_of_one_per_label():
    logits = np.eye(3, dtype=np.float32)
    with tf.Graph().as_default():
        loss = tf.losses.sparse_softmax_cross_entropy(np.array([0, 1, 2]), logits,
                                                      weights=np.array([[1.0], [0.0], [2.0]], np.float32))
        with tf.Session() as sess:
            got = sess.run(loss)
    per_example = np.log(np.e + 2) - 1
    assert got == pytest.approx(3 * per_example / 2)  # sum of the weighted losses / the two non-zero weights


def test_mean_pairwise_squared_error_is_the_mean_over_pairs_of_each_example():
    predictions = np.array([[1.0, 2.0, 4.0, 0.5], [0.0, 1.0, 1.0, 3.0]], np.float32)
    labels = np.array([[0.0, 1.0, 1.0, 2.0], [1.0, 1.0, 0.0, 0.0]], np.float32)
    per_example = [np.mean([(a - b) ** 2 for a, b in itertools.combinations(p - l, 2)])
                   for p, l in zip(predictions, labels)]
    with tf.Graph().as_default():
        loss = tf.losses.mean_pairwise_squared_error(labels, predictions, weights=np.array([1.0, 2.0], np.float32))
        assert loss.name == "mean_pairwise_squared_error/value:0" and loss in tf.losses.get_losses()
        with tf.Session() as sess:
            assert sess.run(loss) == pytest.approx(per_example[0] + 2 * per_example[1], rel=1e-6)


def test_mean_pairwise_squared_error_with_weights_per_entry_as_tf_computes_it():
    """TF 1.15's formula: n counts the entries with a non-zero weight, the sums run over every entry, and the
    example's term is multiplied by each of its weights before the total."""
    predictions = np.array([[1.0, 2.0, 4.0, 0.5]], np.float32)
    labels = np.array([[0.0, 1.0, 1.0, 2.0]], np.float32)
    weights = np.array([[1.0, 1.0, 3.0, 0.0]], np.float32)
    d, n = (predictions - labels)[0], 3
    expected = (2 * np.sum(d ** 2) / (n - 1) - 2 * np.sum(d) ** 2 / (n * (n - 1))) * weights.sum()
    with tf.Graph().as_default():
        loss = tf.losses.mean_pairwise_squared_error(labels, predictions, weights=weights)
        zero = tf.losses.mean_pairwise_squared_error(labels, predictions, weights=0.0)
        with tf.Session() as sess:
            got, nothing = sess.run([loss, zero])
    assert got == pytest.approx(expected, rel=1e-6) and nothing == 0
