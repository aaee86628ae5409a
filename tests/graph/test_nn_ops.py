"""tf.nn: TF's argument names and defaults (leaky_relu's alpha 0.2, softmax over the last axis, bias_add's
data_format) translated onto the op library, with TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


X = np.array([[-3.0, -0.5, 0.5, 7.0], [1.0, -2.0, 4.0, 0.25]], dtype=np.float32)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


@pytest.mark.parametrize("fn, reference", [
    (tf.nn.relu, lambda x: np.maximum(x, 0)),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6)),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),  # TF's default alpha is 0.2
    (tf.nn.elu, _elu),
    (tf.nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x))),
    (tf.nn.softsign, lambda x: x / (1 + np.abs(x))),
    (tf.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (tf.nn.tanh, np.tanh)])
def test_activations_match_numpy(fn, reference):
    out = fn(tf.constant(X))
    assert out.shape == X.shape and out.dtype == tf.float32
    np.testing.assert_allclose(run(out), reference(X), rtol=1e-5, atol=1e-7)


def test_leaky_relu_alpha_and_relu_on_integers():
    assert run(tf.nn.leaky_relu(tf.constant([-2.0, 2.0]), alpha=0.5)).tolist() == [-1.0, 2.0]
    assert run(tf.nn.relu(tf.constant([-2, 3]))).tolist() == [0, 3]
    with pytest.raises(TypeError, match="parameter 'features' has DataType int32"):
        tf.nn.elu(tf.constant([1]))


def test_softmax_defaults_to_the_last_axis():
    x = tf.placeholder(tf.float32, (None, 4))
    probabilities = tf.nn.softmax(x)
    assert probabilities.shape.as_list() == [None, 4]
    e = np.exp(X - X.max(-1, keepdims=True))
    np.testing.assert_allclose(run(probabilities, {x: X}), e / e.sum(-1, keepdims=True), rtol=1e-6)
    e0 = np.exp(X - X.max(0))
    np.testing.assert_allclose(run(tf.nn.softmax(x, axis=0), {x: X}), e0 / e0.sum(0), rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.softmax(x, dim=0), {x: X}), e0 / e0.sum(0), rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.log_softmax(x), {x: X}), np.log(e / e.sum(-1, keepdims=True)), rtol=1e-5)
    with pytest.raises(TypeError, match="parameter 'logits' has DataType int32"):
        tf.nn.softmax(tf.constant([1, 2]))


def test_softmax_cross_entropy_by_hand_has_the_textbook_gradient():
    logits = tf.placeholder(tf.float64, (None, 4))
    labels = tf.one_hot([3, 0], 4, dtype=tf.float64)
    loss = tf.reduce_mean(-tf.reduce_sum(labels * tf.nn.log_softmax(logits), axis=1))
    (grad,) = tf.gradients(loss, logits)
    x64 = X.astype(np.float64)
    e = np.exp(x64 - x64.max(-1, keepdims=True))
    expected = (e / e.sum(-1, keepdims=True) - np.eye(4)[[3, 0]]) / 2
    np.testing.assert_allclose(run(grad, {logits: X}), expected, rtol=1e-6)


def test_l2_loss_is_half_the_sum_of_squares():
    t = tf.constant(X.astype(np.float64))
    loss = tf.nn.l2_loss(t)
    assert loss.shape == () and loss.name == "L2Loss:0"
    np.testing.assert_allclose(run(loss), (X.astype(np.float64) ** 2).sum() / 2)
    np.testing.assert_allclose(run(tf.gradients(loss, t)[0]), X)


def test_bias_add_along_the_channel_dim():
    value = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(run(tf.nn.bias_add(tf.constant(value), np.arange(5, dtype=np.float32))),
                                  value + np.arange(5))
    nchw = tf.nn.bias_add(tf.constant(value), tf.constant([1.0, 2.0, 3.0]), data_format="NCHW")
    np.testing.assert_array_equal(run(nchw), value + np.array([1.0, 2.0, 3.0]).reshape(3, 1, 1))
    x = tf.placeholder(tf.float32, (None, 10))
    b = tf.constant(np.zeros(10, np.float32))
    assert tf.nn.bias_add(x, b).shape.as_list() == [None, 10]
    (grad,) = tf.gradients(tf.reduce_sum(tf.nn.bias_add(x, b)), b)
    assert run(grad, {x: np.ones((3, 10))}).tolist() == [3.0] * 10


def test_bias_add_errors():
    x = tf.placeholder(tf.float32, (None, 10))
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 10 and 5 for 'BiasAdd'"):
        tf.nn.bias_add(x, tf.constant(np.zeros(5, np.float32)))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add(x, tf.constant(np.zeros((1, 10), np.float32)))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add(tf.constant([1.0]), tf.constant([1.0]))
    with pytest.raises(TypeError, match="Input 'bias' of 'BiasAdd' Op has type float64 that does not match type "
                                        "float32 of argument 'value'"):
        tf.nn.bias_add(x, tf.constant(np.zeros(10)))


def test_a_small_mlp_trains_its_loss_down_with_gradients():
    """The pieces together: matmul + bias_add + relu + softmax, updated by hand from tf.gradients."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((32, 4)).astype(np.float32)
    labels = (data[:, 0] > 0).astype(np.int32)
    x, y = tf.placeholder(tf.float32, (None, 4)), tf.placeholder(tf.int32, (None,))
    w1 = tf.placeholder(tf.float32, (4, 8))
    w2 = tf.placeholder(tf.float32, (8, 2))
    hidden = tf.nn.relu(tf.matmul(x, w1))
    logits = tf.nn.bias_add(tf.matmul(hidden, w2), tf.zeros([2]))
    loss = -tf.reduce_mean(tf.reduce_sum(tf.one_hot(y, 2) * tf.nn.log_softmax(logits), axis=1))
    grads = tf.gradients(loss, [w1, w2])
    params = [rng.standard_normal((4, 8)).astype(np.float32) * 0.5, rng.standard_normal((8, 2)).astype(np.float32)]
    with tf.Session() as sess:
        first = None
        for _ in range(30):
            feed = {x: data, y: labels, w1: params[0], w2: params[1]}
            value, g1, g2 = sess.run([loss, *grads], feed)
            first = value if first is None else first
            params = [params[0] - 0.5 * g1, params[1] - 0.5 * g2]
    assert value < 0.5 * first


@pytest.mark.parametrize("label_dtype", [tf.int32, tf.int64])
def test_second_derivative_of_sparse_softmax_cross_entropy_for_every_label(label_dtype):
    """The Hessian-vector product (diag(p) - p pᵀ) V of each row, label 0 included: TF's "no class is ignored"
    marker, compared with an int32 label, wrapped around to 0 and zeroed those rows' second derivative."""
    logits = np.array([[0.1, -0.4, 0.7], [0.3, 0.2, -0.5]])
    direction = np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 1.0]])
    x = tf.placeholder(tf.float64, (2, 3))
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 2], label_dtype), logits=x)
    (grad,) = tf.gradients(tf.reduce_sum(loss), x)
    (hessian_times_direction,) = tf.gradients(tf.reduce_sum(grad * direction), x)
    with tf.Session() as sess:
        got = sess.run(hessian_times_direction, {x: logits})
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    expected = p * direction - p * (p * direction).sum(1, keepdims=True)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
