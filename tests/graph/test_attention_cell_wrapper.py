"""tf.contrib.rnn.AttentionCellWrapper: whole sequences through dynamic_rnn against a numpy loop of TF's documented
step (from a random initial state, longer than the window so that it slides), TF's state structure, variable names
and shapes, the concatenated state, gradients against central differences, a short training run, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.attention_cell_wrapper import AttentionCellWrapper

from .numeric_gradients import check_gradients

RNG = np.random.default_rng(21)
B, T, D, N = 2, 5, 3, 4                   # batch, time, input depth, the wrapped LSTM's units
L, A, V, P = 3, 5, 6, 7                   # attn_length, attn_size, attn_vec_size, input_size


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention_step(w, x, c, h, attns, window):
    """One step of TF's AttentionCellWrapper around a BasicLSTMCell (forget_bias 1), written from its documented
    computation; ``w`` maps the variable names under ``attention_cell_wrapper/`` to their values."""
    hidden = window.reshape(len(x), L, A)
    cell_inputs = np.concatenate([x, attns], 1) @ w["kernel"] + w["bias"]
    i, j, f, o = np.split(np.concatenate([cell_inputs, h], 1) @ w["basic_lstm_cell/kernel"]
                          + w["basic_lstm_cell/bias"], 4, axis=1)
    c = c * sigmoid(f + 1) + sigmoid(i) * np.tanh(j)
    h = np.tanh(c) * sigmoid(o)
    query = np.concatenate([c, h], 1) @ w["attention/kernel"] + w["attention/bias"]
    features = np.einsum("bla,av->blv", hidden, w["attention/attn_w"][0, 0])      # the 1x1 convolution
    weights = softmax((w["attention/attn_v"] * np.tanh(features + query[:, None])).sum(-1))
    attns = (weights[:, :, None] * hidden).sum(1)
    output = np.concatenate([h, attns], 1) @ w["attn_output_projection/kernel"] + w["attn_output_projection/bias"]
    window = np.concatenate([hidden[:, 1:], output[:, None]], 1).reshape(len(x), L * A)
    return output, c, h, attns, window


def test_dynamic_rnn_matches_numpy_from_a_random_state():
    x = RNG.standard_normal((B, T, D))
    c0, h0, attns0, window0 = (RNG.standard_normal(shape) for shape in [(B, N), (B, N), (B, A), (B, L * A)])
    cell = AttentionCellWrapper(tf.nn.rnn_cell.BasicLSTMCell(N), L, attn_size=A, attn_vec_size=V, input_size=P)
    initial = (tf.nn.rnn_cell.LSTMStateTuple(tf.constant(c0), tf.constant(h0)), tf.constant(attns0),
               tf.constant(window0))
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(x), initial_state=initial)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_outputs, got_state, values = sess.run([outputs, state, cell.variables])
    w = {v.name[len("rnn/attention_cell_wrapper/"):-2]: value for v, value in zip(cell.variables, values)}
    c, h, attns, window = c0, h0, attns0, window0
    for t in range(T):
        output, c, h, attns, window = np_attention_step(w, x[:, t], c, h, attns, window)
        np.testing.assert_allclose(got_outputs[:, t], output, rtol=1e-10, atol=1e-12)
    (got_c, got_h), got_attns, got_window = got_state
    for got, expected in [(got_c, c), (got_h, h), (got_attns, attns), (got_window, window)]:
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    # the window holds the last L outputs, oldest first
    np.testing.assert_allclose(got_window.reshape(B, L, A), got_outputs[:, T - L:], atol=1e-12)


def test_state_structure_shapes_and_tf_variables():
    cell = AttentionCellWrapper(tf.nn.rnn_cell.BasicLSTMCell(N), L, attn_vec_size=V)
    assert cell.state_size == ((N, N), N, N * L) and cell.output_size == N           # attn_size: the cell's output
    assert isinstance(cell.state_size[0], tf.nn.rnn_cell.LSTMStateTuple)
    zero = cell.zero_state(B, tf.float32)
    assert isinstance(zero[0], tf.nn.rnn_cell.LSTMStateTuple)
    assert [part.shape.as_list() for part in tf.nest.flatten(zero)] == [[B, N], [B, N], [B, N], [B, N * L]]
    outputs, state = tf.nn.dynamic_rnn(cell, tf.zeros([B, T, D]), dtype=tf.float32)
    assert outputs.shape.as_list() == [B, T, N]
    assert [part.shape.as_list() for part in tf.nest.flatten(state)] == [[B, N], [B, N], [B, N], [B, N * L]]
    names = {v.name: v.shape.as_list() for v in tf.global_variables()}
    prefix = "rnn/attention_cell_wrapper/"
    assert names == {prefix + "kernel:0": [D + N, D], prefix + "bias:0": [D],      # input_size: the inputs' depth
                     prefix + "basic_lstm_cell/kernel:0": [D + N, 4 * N], prefix + "basic_lstm_cell/bias:0": [4 * N],
                     prefix + "attention/attn_w:0": [1, 1, N, V], prefix + "attention/attn_v:0": [V],
                     prefix + "attention/kernel:0": [2 * N, V], prefix + "attention/bias:0": [V],
                     prefix + "attn_output_projection/kernel:0": [2 * N, N],
                     prefix + "attn_output_projection/bias:0": [N]}
    assert sorted(v.name for v in cell.variables) == sorted(names)


def test_concatenated_state_computes_what_the_tuple_state_does():
    gru = tf.nn.rnn_cell.GRUCell(N)
    as_tuple = AttentionCellWrapper(gru, L, attn_size=A)
    with pytest.warns(UserWarning, match="concatenated state"):
        concatenated = AttentionCellWrapper(gru, L, attn_size=A, state_is_tuple=False, reuse=True)
    assert concatenated.state_size == N + A + L * A
    x = tf.constant(RNG.standard_normal((B, T, D)))
    outputs, state = tf.nn.dynamic_rnn(as_tuple, x, dtype=tf.float64)
    made = tf.global_variables()
    flat_outputs, flat_state = tf.nn.dynamic_rnn(concatenated, x, dtype=tf.float64)
    assert len(made) == 12 and tf.global_variables() == made              # the second wrapper made none
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        (got, parts), (flat_got, flat) = sess.run([(outputs, state), (flat_outputs, flat_state)])
    np.testing.assert_allclose(flat_got, got, atol=1e-12)
    np.testing.assert_allclose(flat, np.concatenate(parts, 1), atol=1e-12)


def test_gradients_match_central_differences():
    def run(x, attns):
        cell = AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(2), 2, attn_size=3, attn_vec_size=2)
        initial = (tf.zeros([2, 2], tf.float64), attns, tf.zeros([2, 6], tf.float64))
        outputs, (_, final_attns, window) = tf.nn.dynamic_rnn(cell, x, initial_state=initial)
        return tf.concat([tf.reshape(outputs, [-1]), tf.reshape(final_attns, [-1]), tf.reshape(window, [-1])], 0)

    check_gradients(run, RNG.standard_normal((2, 3, 2)), RNG.standard_normal((2, 3)))


def test_training_lowers_the_loss():
    """Predict each step's input of two steps before: the cell must remember it (the window holds it)."""
    x = np.random.default_rng(3).standard_normal((16, 8, 1)).astype(np.float32)
    target = np.concatenate([np.zeros((16, 2, 1), np.float32), x[:, :-2]], 1)
    tf.set_random_seed(0)
    cell = AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(8), 3, attn_size=6)
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(x), dtype=tf.float32)
    prediction = tf.layers.dense(outputs, 1)
    loss = tf.reduce_mean(tf.square(prediction - target))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(80):
            sess.run(train)
        last = sess.run(loss)
    assert last < 0.3 * first


def test_errors():
    with pytest.raises(TypeError, match="not RNNCell"):
        AttentionCellWrapper("cell", 2)
    with pytest.raises(ValueError, match="attn_length should be greater than zero"):
        AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(N), 0)
    with pytest.raises(ValueError, match="state_is_tuple"):
        AttentionCellWrapper(tf.nn.rnn_cell.BasicLSTMCell(N), 2, state_is_tuple=False)
    cell = AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(N), 2)
    with pytest.raises(ValueError, match="cell_state, attns, attn_states"):
        cell(tf.zeros([B, D]), tf.zeros([B, N]))
