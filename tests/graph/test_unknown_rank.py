"""Placeholders made without a shape (``tf.placeholder(tf.float32)``): their rank is known only when they are fed.
TF1's linear-regression tutorials are written this way (and sentdex's classifier, for its labels); elementwise
math, reductions, matmul, the cross-entropy and their gradients must work, and an op that needs the rank while the
graph is built must say so."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

FEEDS = [np.float32(2.5), np.arange(1, 7, dtype=np.float32).reshape(2, 3), np.array([0.5, -1.0, 4.0], np.float32)]


def test_linear_regression_with_shapeless_placeholders_fits_the_line():
    xs = np.linspace(0, 1, 9, dtype=np.float32)
    ys = 3 * xs + 0.5
    X, Y = tf.placeholder("float"), tf.placeholder("float")
    W, b = tf.Variable(0.0, name="weight"), tf.Variable(0.0, name="bias")
    prediction = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(prediction - Y, 2)) / (2 * len(xs))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    assert prediction.shape.ndims is None and cost.shape == ()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            for x, y in zip(xs, ys):  # fed one number at a time ...
                sess.run(train, {X: x, Y: y})
        final = sess.run(cost, {X: xs, Y: ys})  # ... and all at once
        assert final < 1e-5
        assert sess.run(W) == pytest.approx(3.0, abs=1e-2) and sess.run(b) == pytest.approx(0.5, abs=1e-2)


@pytest.mark.parametrize("value", FEEDS, ids=lambda v: f"rank{np.ndim(v)}")
@pytest.mark.parametrize("reduce, reference, gradient", [
    (tf.reduce_sum, np.sum, lambda x: np.ones_like(x)),
    (tf.reduce_mean, np.mean, lambda x: np.full_like(x, 1 / x.size)),
    (tf.reduce_max, np.max, lambda x: (x == x.max()).astype(x.dtype)),
    (tf.reduce_min, np.min, lambda x: (x == x.min()).astype(x.dtype)),
    (tf.reduce_prod, np.prod, lambda x: np.prod(x) / x),
    (tf.reduce_logsumexp, lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x))),
    (tf.norm, np.linalg.norm, lambda x: x / np.linalg.norm(x)),
], ids=lambda f: getattr(f, "__name__", ""))
def test_whole_reductions_and_their_gradients_take_any_rank(reduce, reference, gradient, value):
    x = tf.placeholder(tf.float32)
    y = reduce(x)
    (dx,) = tf.gradients(y, [x])
    assert y.shape == ()
    result, grad = run([y, dx], {x: value})
    np.testing.assert_allclose(result, reference(value), rtol=1e-5)
    np.testing.assert_allclose(grad, gradient(value), rtol=1e-5)
    assert np.shape(grad) == np.shape(value)


def test_keepdims_gives_an_unknown_rank_and_elementwise_results_stay_unknown():
    x = tf.placeholder(tf.float32)
    kept = tf.reduce_sum(x * 2, keepdims=True)
    assert kept.shape.ndims is None and tf.sigmoid(x).shape.ndims is None
    assert run(kept, {x: FEEDS[1]}).tolist() == [[42.0]]


def test_reshape_and_losses_accept_a_shapeless_placeholder():
    x = tf.placeholder(tf.float32)
    flat = tf.reshape(x, [-1])
    loss = tf.losses.mean_squared_error(x, x * 2)
    (grad,) = tf.gradients(loss, [x])
    assert flat.shape.as_list() == [None]
    f, l, g = run([flat, loss, grad], {x: FEEDS[1]})
    assert f.tolist() == [1, 2, 3, 4, 5, 6]
    assert l == pytest.approx(np.mean(FEEDS[1] ** 2))
    np.testing.assert_allclose(g, 2 * FEEDS[1] / FEEDS[1].size, rtol=1e-6)


def test_the_beginner_classifier_with_shapeless_labels():
    """sentdex's TF1 tutorial: ``y = tf.placeholder('float')`` meets the logits in the cross-entropy (which gives
    it their shape, checked when fed), in ``argmax(y, 1)``, and a shapeless input goes through ``matmul``."""
    rng = np.random.default_rng(0)
    images = rng.standard_normal((60, 4)).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[images[:, :3].argmax(1)]
    x, y = tf.placeholder("float", [None, 4]), tf.placeholder("float")
    W, b = tf.Variable(tf.zeros([4, 3])), tf.Variable(tf.zeros([3]))
    logits = tf.matmul(x, W) + b
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, "float"))
    assert tf.argmax(y, 1).shape.ndims is None and tf.argmax(y, 1).dtype == tf.int64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(100):
            sess.run(train, {x: images, y: onehot})
        assert accuracy.eval({x: images, y: onehot}) >= 0.9
        with pytest.raises(tf.errors.InvalidArgumentError):  # labels that do not fit the logits
            sess.run(cost, {x: images, y: onehot[:, :2]})
        shapeless = tf.placeholder(tf.float32)
        product = tf.matmul(shapeless, W + 1.0)
        grad_w, grad_x = tf.gradients(tf.reduce_sum(product), [W, shapeless])
        value = images[:2]
        got = sess.run([product, grad_w, grad_x], {shapeless: value})
        np.testing.assert_allclose(got[0], value @ np.ones((4, 3)) + value @ sess.run(W), rtol=1e-5)
        np.testing.assert_allclose(got[1], value.sum(0)[:, None].repeat(3, 1), rtol=1e-6)
        np.testing.assert_allclose(got[2], (sess.run(W) + 1).sum(1)[None].repeat(2, 0), rtol=1e-6)


@pytest.mark.parametrize("reduce, reference", [(tf.reduce_sum, np.sum), (tf.reduce_max, np.max),
                                               (tf.argmax, np.argmax), (tf.reduce_mean, np.mean)],
                         ids=lambda f: getattr(f, "__name__", ""))
def test_an_axis_counted_from_the_front_needs_no_rank(reduce, reference):
    x = tf.placeholder(tf.float32)
    y = reduce(x, 1)
    assert y.shape.ndims is None
    np.testing.assert_allclose(run(y, {x: FEEDS[1]}), reference(FEEDS[1], axis=1), rtol=1e-6)


@pytest.mark.parametrize("build, message", [
    (lambda x: tf.reduce_sum(x, axis=-1), "dim -1 counts from the end, but the rank of Placeholder:0 is unknown"),
    (lambda x: tf.nn.softmax(x), "dim -1 counts from the end"),  # (softmax's default axis is the last)
    (lambda x: tf.transpose(x), "the rank of Placeholder:0 is unknown; give its placeholder a shape"),
    (lambda x: x[0], "the rank of Placeholder:0 is unknown; give its placeholder a shape"),
    (lambda x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=x), "ranks of both logits and labels"),
], ids=["reduce over the last axis", "softmax", "transpose", "index", "cross-entropy of two shapeless"])
def test_an_op_that_needs_the_rank_says_so(build, message):
    with pytest.raises(ValueError, match=message):
        build(tf.placeholder(tf.float32))


@pytest.mark.parametrize("build, expected", [
    (lambda b: tf.zeros([b, 2]), np.zeros((3, 2), np.float32)),
    (lambda b: tf.stack([b, 2]), np.array([3, 2], np.int32)),
    (lambda b: tf.shape(tf.random_normal([b, 2])), np.array([3, 2], np.int32)),
    (lambda b: tf.reshape(tf.range(6), [b, -1]), np.arange(6).reshape(3, 2)),
    (lambda b: tf.fill([b, b], 1.5), np.full((3, 3), 1.5, np.float32)),
    (lambda b: tf.nn.rnn_cell.BasicLSTMCell(4).zero_state(b, tf.float32).h, np.zeros((3, 4), np.float32)),
], ids=["zeros", "stack", "random_normal", "reshape", "fill", "zero_state"])
def test_a_shapeless_scalar_placeholder_stands_for_a_dim_of_a_shape(build, expected):
    """``batch_size = tf.placeholder(tf.int32)`` (no shape given), then ``[batch_size, 2]``: an entry of a shape is
    a scalar, so the graph takes it as one (TF takes any rank while it builds); a fed non-scalar is refused."""
    batch_size = tf.placeholder(tf.int32)
    result = build(batch_size)
    assert result.shape.ndims == expected.ndim
    np.testing.assert_array_equal(run(result, {batch_size: 3}), expected)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape '\[\]' is invalid for input of size 2"):
        run(result, {batch_size: [3, 3]})
