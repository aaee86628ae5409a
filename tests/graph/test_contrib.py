"""tf.contrib.layers: initializers, regularizers and fully_connected, checked against their formulas; tf.contrib.rnn
(its conv2d, pools, dropout and batch_norm: test_contrib_layers_conv.py)."""
import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.sessions import run_initialized as _run

contrib = tf.contrib.layers


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


# ------------------------------------------------------------------------------------------- initializers

@pytest.mark.parametrize("factor, mode, uniform, n", [
    (2.0, "FAN_IN", False, 400), (2.0, "FAN_IN", True, 400), (1.0, "FAN_OUT", False, 300),
    (1.0, "FAN_AVG", True, 350)])
def test_variance_scaling_has_variance_factor_over_n(factor, mode, uniform, n):
    init = contrib.variance_scaling_initializer(factor, mode, uniform)
    w = _run(init([400, 300]))
    assert w.dtype == np.float32
    # the normal is truncated at two standard deviations of sqrt(1.3 factor / n): variance 1.3 * 0.774 factor / n
    expected_std = np.sqrt(factor / n) * (1.0 if uniform else np.sqrt(1.3) * 0.87962566103423978)
    assert w.std() == pytest.approx(expected_std, rel=0.02)
    limit = np.sqrt(3 * factor / n) if uniform else 2 * np.sqrt(1.3 * factor / n)
    assert np.abs(w).max() <= limit * (1 + 1e-6)
    assert np.abs(w).max() > 0.95 * limit


def test_xavier_counts_the_receptive_field_of_a_conv_kernel():
    w = _run(contrib.xavier_initializer()([5, 5, 16, 32]))
    limit = np.sqrt(6 / (5 * 5 * 16 + 5 * 5 * 32))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    assert w.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)


def test_xavier_normal_and_dtype():
    w = _run(contrib.xavier_initializer(uniform=False, dtype=tf.float64)([300, 500]))
    assert w.dtype == np.float64
    assert w.std() == pytest.approx(np.sqrt(1.3 * 2 / 800) * 0.87962566103423978, rel=0.02)


def test_initializer_argument_errors():
    with pytest.raises(TypeError, match="Unknown mode fan_in"):
        contrib.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating point type int32"):
        contrib.xavier_initializer(dtype=tf.int32)


# ------------------------------------------------------------------------------------------- regularizers

W_VALUE = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)


@pytest.mark.parametrize("make, expected", [
    (lambda: contrib.l1_regularizer(0.1), 0.1 * 6.5),
    (lambda: contrib.l2_regularizer(0.1), 0.1 * 14.25 / 2),
    (lambda: contrib.l1_l2_regularizer(0.1, 0.2), 0.1 * 6.5 + 0.2 * 14.25 / 2),
    (lambda: contrib.l1_l2_regularizer(0.0, 0.2), 0.2 * 14.25 / 2),
    (lambda: contrib.sum_regularizer([contrib.l1_regularizer(0.5), None, contrib.l2_regularizer(0.0),
                                      contrib.l2_regularizer(1.0)]), 0.5 * 6.5 + 14.25 / 2)])
def test_regularizer_penalties(make, expected):
    w = tf.constant(W_VALUE)
    penalty = make()(w)
    assert penalty.shape.rank == 0
    assert _run(penalty) == pytest.approx(expected, rel=1e-6)


def test_regularizer_penalty_has_the_weights_dtype_and_takes_a_tensor_scale():
    w = tf.constant(W_VALUE.astype(np.float64))
    penalty = contrib.l2_regularizer(tf.constant(0.5, tf.float64))(w)
    assert penalty.dtype == tf.float64
    assert _run(penalty) == pytest.approx(0.5 * 14.25 / 2)
    assert (penalty.name, contrib.l2_regularizer(0.1)(w).name) == ("l2_regularizer:0", "l2_regularizer_1:0")


def test_scale_zero_disables_and_bad_scales_are_refused():
    assert contrib.l2_regularizer(0.0)(tf.constant(W_VALUE)) is None
    assert contrib.l1_l2_regularizer(0.0, 0.0)(tf.constant(W_VALUE)) is None
    assert contrib.sum_regularizer([None]) is None
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        contrib.l1_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        contrib.l2_regularizer(-0.1)


def test_apply_regularization_sums_over_the_weights_collection():
    a = tf.Variable(W_VALUE, name="a")
    b = tf.Variable(-W_VALUE, name="b")
    with pytest.raises(ValueError, match="No weights to regularize"):
        contrib.apply_regularization(contrib.l1_regularizer(1.0))
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, a)
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, b)
    total = contrib.apply_regularization(contrib.l1_regularizer(0.5))
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == [total]
    assert _run(total) == pytest.approx(6.5)
    assert _run(contrib.apply_regularization(contrib.l2_regularizer(0.0), [a])) == 0.0
    with pytest.raises(ValueError, match="must return a scalar Tensor instead of a Tensor with rank 2"):
        contrib.apply_regularization(lambda w: w * 2.0, [a])


# ------------------------------------------------------------------------------------------ fully_connected

def test_fully_connected_is_relu_of_an_affine_map_with_contrib_names():
    x = tf.placeholder(tf.float32, [None, 4])
    y = contrib.fully_connected(x, 3, biases_initializer=tf.constant_initializer(0.5))
    logits = contrib.fully_connected(y, 2, activation_fn=None)
    names = [v.name for v in tf.global_variables()]
    assert names == ["fully_connected/weights:0", "fully_connected/biases:0", "fully_connected_1/weights:0",
                     "fully_connected_1/biases:0"]
    assert [v.name for v in tf.model_variables()] == names
    x_value = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w1, b1, w2, b2 = sess.run(tf.global_variables())
        y_value, logits_value = sess.run([y, logits], {x: x_value})
    np.testing.assert_allclose(b1, 0.5)
    np.testing.assert_allclose(y_value, np.maximum(x_value @ w1 + b1, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits_value, y_value @ w2 + b2, rtol=1e-5, atol=1e-6)
    assert logits_value.min() < 0  # no ReLU on the second layer


def test_fully_connected_options():
    x = tf.placeholder(tf.float32, [None, 2, 4])
    y = contrib.fully_connected(x, 3, normalizer_fn=lambda t, scale: t * scale, normalizer_params={"scale": 2.0},
                                weights_regularizer=contrib.l2_regularizer(0.1),
                                variables_collections={"weights": ["my_weights"]}, outputs_collections=["outs"],
                                scope="fc")
    assert y.shape.as_list() == [None, 2, 3]
    assert [v.name for v in tf.global_variables()] == ["fc/weights:0"]  # a normalizer replaces the biases
    assert [v.name for v in tf.get_collection("my_weights")] == ["fc/weights:0"]
    assert tf.get_collection("outs") == [y]
    (penalty,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    again = contrib.fully_connected(x, 3, normalizer_fn=lambda t, scale: t * scale,
                                    normalizer_params={"scale": 2.0}, scope="fc", reuse=True)
    assert len(tf.global_variables()) == 1
    x_value = np.random.default_rng(1).standard_normal((3, 2, 4)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, y_value, again_value, penalty_value = sess.run([tf.global_variables()[0], y, again, penalty],
                                                          {x: x_value})
    np.testing.assert_allclose(y_value, np.maximum(2 * x_value @ w, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(again_value, y_value)
    assert penalty_value == pytest.approx(0.1 * (w ** 2).sum() / 2, rel=1e-5)


def test_fully_connected_bad_inputs():
    with pytest.raises(ValueError, match="rank of at least 2 and a known last dimension"):
        contrib.fully_connected(tf.placeholder(tf.float32, [None]), 3)
    with pytest.raises(ValueError, match="rank of at least 2 and a known last dimension"):
        contrib.fully_connected(tf.placeholder(tf.float32, [None, None]), 3)
    with pytest.raises(ValueError, match="num_outputs type"):
        contrib.fully_connected(tf.placeholder(tf.float32, [None, 2]), 3.0)


def test_a_contrib_mlp_trains():
    rng = np.random.default_rng(0)
    x_value = rng.standard_normal((64, 5)).astype(np.float32)
    labels = (x_value[:, 0] + x_value[:, 1] > 0).astype(np.int64)
    x, y = tf.placeholder(tf.float32, [None, 5]), tf.placeholder(tf.int64, [None])
    h = contrib.fully_connected(x, 16, weights_regularizer=contrib.l2_regularizer(1e-3))
    logits = contrib.fully_connected(contrib.flatten(h), 2, activation_fn=None)
    loss = (tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            + tf.losses.get_regularization_loss())
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: x_value, y: labels})
        for _ in range(50):
            sess.run(train, {x: x_value, y: labels})
        assert sess.run(loss, {x: x_value, y: labels}) < 0.5 * first


# ------------------------------------------------------------------------------------------------ contrib.rnn

def test_contrib_rnn_holds_the_nn_cells_and_the_static_rnns():
    for name in ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
                 "LSTMStateTuple"]:
        assert getattr(tf.contrib.rnn, name) is getattr(tf.nn.rnn_cell, name)
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _basic_lstm(steps, kernel, bias, forget_bias=1.0):
    """TF's BasicLSTMCell from zero state: [i, j, f, o] = [x_t, h] @ kernel + bias, c = c σ(f + forget_bias) +
    σ(i) tanh(j), h = tanh(c) σ(o). Returns the outputs (the h's) and the last (c, h)."""
    c = h = np.zeros((steps[0].shape[0], bias.shape[0] // 4))
    outputs = []
    for x in steps:
        i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
        c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * _sigmoid(o)
        outputs.append(h)
    return outputs, (c, h)


def test_the_mnist_lstm_tutorial_pattern_computes_an_lstm_and_trains():
    timesteps, num_input, num_hidden, num_classes = 4, 3, 8, 2
    X = tf.placeholder("float", [None, timesteps, num_input])
    Y = tf.placeholder("float", [None, num_classes])
    weights = tf.Variable(tf.random_normal([num_hidden, num_classes]))
    biases = tf.Variable(tf.random_normal([num_classes]))
    lstm_cell = tf.contrib.rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, states = tf.contrib.rnn.static_rnn(lstm_cell, tf.unstack(X, timesteps, 1), dtype=tf.float32)
    logits = tf.matmul(outputs[-1], weights) + biases
    loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
    train_op = tf.train.GradientDescentOptimizer(learning_rate=0.5).minimize(loss_op)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(tf.nn.softmax(logits), 1), tf.argmax(Y, 1)), tf.float32))
    kernel, bias = tf.global_variables()[2:]
    assert (kernel.name, kernel.shape.as_list()) == ("rnn/basic_lstm_cell/kernel:0", [num_input + num_hidden, 32])
    assert (bias.name, bias.shape.as_list()) == ("rnn/basic_lstm_cell/bias:0", [32])
    rng = np.random.default_rng(0)
    x_value = rng.standard_normal((32, timesteps, num_input)).astype(np.float32)
    y_value = np.eye(num_classes, dtype=np.float32)[(x_value[:, :, 0].sum(1) > 0).astype(int)]
    feed = {X: x_value, Y: y_value}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel_value, bias_value, outputs_value, (c, h) = sess.run([kernel, bias, outputs, states], feed)
        expected_outputs, (expected_c, expected_h) = _basic_lstm(list(x_value.transpose(1, 0, 2)), kernel_value,
                                                                 bias_value)
        np.testing.assert_allclose(outputs_value, expected_outputs, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(c, expected_c, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h, expected_h, rtol=1e-5, atol=1e-6)
        first_loss = sess.run(loss_op, feed)
        for _ in range(60):
            sess.run(train_op, feed)
        loss, acc = sess.run([loss_op, accuracy], feed)
    assert loss < 0.5 * first_loss and acc > 0.9


def test_contrib_rnn_static_bidirectional_rnn_joins_both_directions():
    steps = [tf.constant(np.random.default_rng(t).standard_normal((2, 3)), tf.float32) for t in range(3)]
    outputs, state_fw, state_bw = tf.contrib.rnn.static_bidirectional_rnn(
        tf.contrib.rnn.GRUCell(4), tf.contrib.rnn.GRUCell(5), steps, dtype=tf.float32)
    assert [o.shape.as_list() for o in outputs] == [[2, 9]] * 3
    assert {v.name.split("/")[1] for v in tf.global_variables()} == {"fw", "bw"}
    outputs_value, fw, bw = _run([outputs, state_fw, state_bw])
    np.testing.assert_allclose(outputs_value[-1][:, :4], fw)  # the forward cell ends at the last step ...
    np.testing.assert_allclose(outputs_value[0][:, 4:], bw)  # ... the backward one at the first
