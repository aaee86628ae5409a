"""What session 20's sweeps of tf.train, tf.metrics, tf.losses, tf.nn and tf.image against TF 1.15 found, fixed
(the optimizers, schedules, moving averages and image ops all agreed)."""
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


# ----------------------------------------------------------------- tf.nn (the sweep of tf.nn and tf.image)

@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("include_batch_in_index", [False, True])
def test_max_pool_with_argmax_points_at_each_maximum(padding, include_batch_in_index):
    """argmax is the flat NHWC position (y·W + x)·C + c (+ b·H·W·C): reading the input there gives the output."""
    x = np.random.default_rng(0).standard_normal((2, 5, 4, 3)).astype(np.float32)
    with tf.Graph().as_default():
        images = tf.constant(x)
        output, argmax = tf.nn.max_pool_with_argmax(images, [1, 2, 2, 1], [1, 2, 2, 1], padding,
                                                    include_batch_in_index=include_batch_in_index)
        pooled = tf.nn.max_pool(images, [1, 2, 2, 1], [1, 2, 2, 1], padding)
        (gradient,) = tf.gradients(tf.reduce_sum(output), images)
        with tf.Session() as sess:
            out, where, expected, grad = sess.run([output, argmax, pooled, gradient])
    assert where.dtype == np.int64 and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    read = x.reshape(-1)[where] if include_batch_in_index else np.stack([x[b].reshape(-1)[where[b]] for b in range(2)])
    np.testing.assert_array_equal(read, out)
    assert grad.sum() == out.size  # a 1 at each window's maximum


def test_fused_batch_norm_gradients_go_through_y_only():
    x = tf.constant(np.random.default_rng(1).standard_normal((2, 3, 3, 2)).astype(np.float32))
    scale, offset = tf.constant([1.0, 2.0]), tf.constant([0.0, 1.0])
    y, batch_mean, batch_var = tf.nn.fused_batch_norm(x, scale, offset)
    assert tf.gradients(batch_var, x) == [None] and tf.gradients(batch_mean, x) == [None]
    assert all(g is not None for g in tf.gradients(y, [x, scale, offset]))
    mean, variance = tf.constant([0.1, 0.2]), tf.constant([1.0, 2.0])
    y, _, _ = tf.nn.fused_batch_norm(x, scale, offset, mean, variance, is_training=False)
    assert tf.gradients(y, [mean, variance]) == [None, None]


def test_relu6_keeps_integers_and_leaky_relu_makes_them_float():
    relu6, leaky = tf.nn.relu6(tf.constant([-3, 3, 9])), tf.nn.leaky_relu(tf.constant([-2, 3]))
    with tf.Session() as sess:
        six, leaked = sess.run([relu6, leaky])
    assert six.tolist() == [0, 3, 6] and relu6.dtype == tf.int32
    np.testing.assert_allclose(leaked, [-0.4, 3.0])
    assert leaky.dtype == tf.float32


# ------------------------------------------------------------------------------ control flow (the last sweep)

def test_a_read_after_an_assign_in_a_branch_or_loop_body_sees_the_new_value():
    """TF1's reference variables: each reader in a cond branch or while body reads the variable when it runs."""
    v, w = tf.Variable(2.0), tf.Variable(1.0)
    take = tf.placeholder(tf.bool, [])

    def tripled():
        with tf.control_dependencies([tf.assign(v, v * 3.0)]):
            return tf.identity(v)

    branch = tf.cond(take, tripled, lambda: tf.constant(0.0))

    def body(i, product):
        with tf.control_dependencies([tf.assign(w, w * 2.0)]):
            return i + 1, product * w

    _, product = tf.while_loop(lambda i, product: i < 2, body, [0, tf.constant(1.0)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(branch, {take: True}) == 6.0 and sess.run(v) == 6.0
        assert sess.run(product) == 2.0 * 4.0 and sess.run(w) == 4.0


@pytest.mark.parametrize("height, width", [(7, 9), (8, 8), (1, 2)])
def test_same_padding_with_a_stride_on_images_of_unknown_size(height, width):
    """A fully convolutional graph on [None, None, None, C] images: "SAME" with stride 2 pads when the graph runs
    (the odd pixel at the bottom/right), giving what the same ops give on images of known size."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, height, width, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    images = tf.placeholder(tf.float32, [None, None, None, 3])
    known = tf.constant(x)
    layers = [lambda t: tf.nn.conv2d(t, kernel, [1, 2, 2, 1], "SAME"),
              lambda t: tf.nn.max_pool(t, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
              lambda t: tf.nn.avg_pool(t, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")]
    for layer in layers:
        unknown_out, known_out = layer(images), layer(known)
        (unknown_grad,), (known_grad,) = (tf.gradients(tf.reduce_sum(unknown_out), images),
                                          tf.gradients(tf.reduce_sum(known_out), known))
        with tf.Session() as sess:
            got, got_grad = sess.run([unknown_out, unknown_grad], {images: x})
            expected, expected_grad = sess.run([known_out, known_grad])
        assert got.shape == expected.shape == (2, -(-height // 2), -(-width // 2), got.shape[3])
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-6, atol=1e-6)
