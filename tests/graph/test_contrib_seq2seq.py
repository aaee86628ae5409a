"""tf.contrib.seq2seq.sequence_loss and tf.contrib.legacy_seq2seq against numpy; ResidualWrapper, DeviceWrapper
and the stacked bidirectional RNNs of tf.contrib.rnn against the cells and bidirectional RNNs they are made of."""
import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.sessions import run_initialized as _run
from tests.graph.numeric_gradients import check_gradients

B, T, C = 3, 4, 5


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


def _crossent(logits, targets):
    """-log softmax(logits)[target], by hand, over the last axis."""
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -np.take_along_axis(log_softmax, targets[..., None], -1)[..., 0]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((B, T, C))
    targets = rng.integers(0, C, (B, T)).astype(np.int32)
    # a padding mask (example 1 is 2 steps long) times weights that are not all 1, so that sum_over_*'s count of
    # non-zero weights differs from their sum
    weights = (np.arange(T) < np.array([[4], [2], [3]])) * rng.uniform(0.5, 2.0, (B, T))
    return logits, targets, weights


# ----------------------------------------------------------------------------------------------- sequence_loss

@pytest.mark.parametrize("avg_t, avg_b, sum_t, sum_b", [
    (True, True, False, False), (True, False, False, False), (False, True, False, False),
    (False, False, True, True), (False, False, True, False), (False, False, False, True),
    (False, False, False, False), (True, False, False, True), (False, True, True, False)])
def test_sequence_loss_reductions_match_numpy(avg_t, avg_b, sum_t, sum_b):
    logits, targets, weights = _data()
    loss = tf.contrib.seq2seq.sequence_loss(tf.constant(logits), tf.constant(targets), tf.constant(weights),
                                            average_across_timesteps=avg_t, average_across_batch=avg_b,
                                            sum_over_timesteps=sum_t, sum_over_batch=sum_b)
    ce = _crossent(logits, targets) * weights
    nonzero = (weights != 0).astype(float)
    if avg_t and avg_b:
        expected = ce.sum() / weights.sum()
    elif sum_t and sum_b:
        expected = ce.sum() / nonzero.sum()
    elif avg_t or avg_b:   # an average flag wins over the other dim's sum flag
        axis = 0 if avg_b else 1
        expected = ce.sum(axis) / weights.sum(axis)
    elif sum_t or sum_b:
        axis = 0 if sum_b else 1
        expected = ce.sum(axis) / nonzero.sum(axis)
    else:
        expected = ce
    np.testing.assert_allclose(_run(loss), expected, rtol=1e-10)


def test_sequence_loss_with_dims_known_only_when_fed():
    logits, targets, weights = _data()
    x, y, w = (tf.placeholder(dtype, [None, None] + extra) for dtype, extra in
               ((tf.float64, [C]), (tf.int32, []), (tf.float64, [])))
    per_example = tf.contrib.seq2seq.sequence_loss(x, y, w, average_across_batch=False)
    unreduced = tf.contrib.seq2seq.sequence_loss(x, y, w, average_across_timesteps=False, average_across_batch=False)
    assert per_example.shape.as_list() == [None] and unreduced.shape.as_list() == [None, None]
    ce = _crossent(logits, targets) * weights
    got = _run([per_example, unreduced], {x: logits, y: targets, w: weights})
    np.testing.assert_allclose(got[0], ce.sum(1) / weights.sum(1), rtol=1e-10)
    np.testing.assert_allclose(got[1], ce, rtol=1e-10)


def test_sequence_loss_of_all_zero_weights_is_zero_not_nan():
    logits, targets, _ = _data()
    zeros = np.zeros((B, T))
    for flags in ({}, {"average_across_batch": False}, {"average_across_timesteps": False,
                                                        "average_across_batch": False, "sum_over_batch": True}):
        value = _run(tf.contrib.seq2seq.sequence_loss(logits, targets, zeros, **flags))
        np.testing.assert_array_equal(value, np.zeros_like(value))


def test_sequence_loss_calls_softmax_loss_function_on_flat_steps():
    logits, targets, weights = _data()
    seen = []

    def loss_fn(labels, logits):
        seen.append((labels.shape.as_list(), logits.shape.as_list()))
        return tf.reduce_sum(logits, 1)   # any per-step loss

    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights, softmax_loss_function=loss_fn)
    assert seen == [([B * T], [B * T, C])]
    np.testing.assert_allclose(_run(loss), (logits.sum(-1) * weights).sum() / weights.sum(), rtol=1e-10)


def test_sequence_loss_gradient():
    logits, targets, weights = _data()
    check_gradients(lambda x, w: tf.contrib.seq2seq.sequence_loss(x, targets, w, average_across_batch=False),
                    logits, weights)


def test_sequence_loss_errors():
    logits, targets, weights = _data()
    loss = tf.contrib.seq2seq.sequence_loss
    with pytest.raises(ValueError, match=r"Logits must be a \[batch_size x sequence_length x logits\]"):
        loss(logits[0], targets, weights)
    with pytest.raises(ValueError, match=r"Targets must be a \[batch_size x sequence_length\]"):
        loss(logits, targets[0], weights)
    with pytest.raises(ValueError, match=r"Weights must be a \[batch_size x sequence_length\]"):
        loss(logits, targets, weights[..., None])
    with pytest.raises(ValueError, match="average_across_timesteps and sum_over_timesteps cannot"):
        loss(logits, targets, weights, sum_over_timesteps=True)
    with pytest.raises(ValueError, match="average_across_batch and sum_over_batch cannot"):
        loss(logits, targets, weights, average_across_timesteps=False, sum_over_batch=True)


# ------------------------------------------------------------------------------------------- legacy_seq2seq

def _steps(logits, targets, weights):
    """Time-major Python lists, one entry per step, as the PTB tutorial builds them."""
    return ([tf.constant(logits[:, t]) for t in range(T)], [tf.constant(targets[:, t]) for t in range(T)],
            [tf.constant(weights[:, t]) for t in range(T)])


@pytest.mark.parametrize("average_across_timesteps", [True, False])
def test_legacy_sequence_loss_by_example(average_across_timesteps):
    logits, targets, weights = _data()
    per_example = tf.contrib.legacy_seq2seq.sequence_loss_by_example(
        *_steps(logits, targets, weights), average_across_timesteps=average_across_timesteps)
    expected = (_crossent(logits, targets) * weights).sum(1)
    if average_across_timesteps:
        expected = expected / (weights.sum(1) + 1e-12)
    np.testing.assert_allclose(_run(per_example), expected, rtol=1e-10)


@pytest.mark.parametrize("average_across_batch", [True, False])
def test_legacy_sequence_loss(average_across_batch):
    logits, targets, weights = _data()
    cost = tf.contrib.legacy_seq2seq.sequence_loss(*_steps(logits, targets, weights),
                                                   average_across_batch=average_across_batch)
    expected = ((_crossent(logits, targets) * weights).sum(1) / weights.sum(1)).sum()
    np.testing.assert_allclose(_run(cost), expected / B if average_across_batch else expected, rtol=1e-10)


def test_legacy_sequence_loss_by_example_checks_the_lengths():
    logits, targets, weights = _steps(*_data())
    with pytest.raises(ValueError, match="Lengths of logits, weights, and targets must be the same 4, 3, 4."):
        tf.contrib.legacy_seq2seq.sequence_loss_by_example(logits, targets, weights[:3])


# ---------------------------------------------------------------------------------------------- cell wrappers

def test_wrappers_are_in_both_namespaces():
    for name in ("ResidualWrapper", "DeviceWrapper"):
        assert getattr(tf.contrib.rnn, name) is getattr(tf.nn.rnn_cell, name)


def test_residual_wrapper_adds_the_inputs_to_the_output():
    x = tf.constant(np.random.default_rng(1).standard_normal((2, 3)), tf.float32)
    h = tf.zeros([2, 3])
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    wrapper = tf.nn.rnn_cell.ResidualWrapper(cell)
    assert (wrapper.state_size, wrapper.output_size) == (3, 3)
    output, state = wrapper(x, h)
    plain_output, plain_state = cell(x, h)           # the same cell, so the same variables
    assert [v.name for v in wrapper.variables] == ["basic_rnn_cell/kernel:0", "basic_rnn_cell/bias:0"]
    out, st, plain, x_value = _run([output, state, plain_output, x])
    np.testing.assert_allclose(out, x_value + plain, rtol=1e-6)
    np.testing.assert_allclose(st, plain)
    difference, _ = tf.nn.rnn_cell.ResidualWrapper(cell, residual_fn=lambda inputs, out: out - inputs)(x, h)
    np.testing.assert_allclose(_run(difference), plain - x_value, rtol=1e-6)


def test_residual_wrapper_in_dynamic_rnn_and_shape_mismatch():
    x = tf.constant(np.ones((2, 4, 3)), tf.float32)
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3)), x, dtype=tf.float32)
    assert outputs.shape.as_list() == [2, 4, 3]
    with pytest.raises(ValueError, match="incompatible"):
        tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(5, name="wide"))(x[:, 0], tf.zeros([2, 5]))


def test_device_wrapper_places_the_ops_and_changes_nothing_else():
    x = tf.constant(np.random.default_rng(2).standard_normal((2, 3)), tf.float32)
    cell = tf.nn.rnn_cell.BasicLSTMCell(4)
    wrapper = tf.nn.rnn_cell.DeviceWrapper(cell, "/cpu:0")
    state = wrapper.zero_state(2, tf.float32)
    output, _ = wrapper(x, state)
    assert output.op.device == "/device:CPU:0" and state.c.op.device == "/device:CPU:0"  # (TF1's spelling)
    assert [v.name for v in wrapper.variables] == ["basic_lstm_cell/kernel:0", "basic_lstm_cell/bias:0"]
    plain, _ = cell(x, cell.zero_state(2, tf.float32))
    a, b = _run([output, plain])
    np.testing.assert_allclose(a, b)


# --------------------------------------------------------------------------------- stacked bidirectional RNNs

def test_stack_bidirectional_dynamic_rnn_is_layers_of_bidirectional_dynamic_rnn():
    x = tf.constant(np.random.default_rng(3).standard_normal((2, 5, 3)), tf.float32)
    lengths = tf.constant([5, 3])

    def cells(reuse=None):
        return ([tf.nn.rnn_cell.GRUCell(4, reuse=reuse), tf.nn.rnn_cell.BasicLSTMCell(2, reuse=reuse)],
                [tf.nn.rnn_cell.GRUCell(3, reuse=reuse), tf.nn.rnn_cell.BasicLSTMCell(2, reuse=reuse)])

    outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
        *cells(), x, dtype=tf.float32, sequence_length=lengths)
    assert outputs.shape.as_list() == [2, 5, 4]
    assert len(states_fw) == len(states_bw) == 2 and states_fw[1].h.shape.as_list() == [2, 2]
    names = [v.name for v in tf.global_variables()]
    assert names[:2] == ["stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell/gates/kernel:0",
                         "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell/gates/bias:0"]
    assert "stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/basic_lstm_cell/kernel:0" in names
    # the same by hand, with the same variables: layer 1 reads the concat of layer 0's two directions
    cells_fw, cells_bw = cells(reuse=True)
    layer_inputs = x
    with tf.variable_scope("stack_bidirectional_rnn", reuse=True):
        for i in range(2):
            with tf.variable_scope(f"cell_{i}"):
                both, _ = tf.nn.bidirectional_dynamic_rnn(cells_fw[i], cells_bw[i], layer_inputs,
                                                          sequence_length=lengths, dtype=tf.float32)
                layer_inputs = tf.concat(both, 2)
    assert len(tf.global_variables()) == len(names)
    stacked, by_hand = _run([outputs, layer_inputs])
    np.testing.assert_allclose(stacked, by_hand, rtol=1e-6)


def test_stack_bidirectional_rnn_static():
    steps = tf.unstack(tf.constant(np.ones((2, 4, 3)), tf.float32), 4, 1)
    init_fw = [tf.zeros([2, 4]), tf.zeros([2, 2])]
    outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_rnn(
        [tf.nn.rnn_cell.GRUCell(4), tf.nn.rnn_cell.GRUCell(2)], [tf.nn.rnn_cell.GRUCell(1), tf.nn.rnn_cell.GRUCell(3)],
        steps, initial_states_fw=init_fw, dtype=tf.float32)
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [2, 5]
    assert [s.shape.as_list() for s in states_fw + states_bw] == [[2, 4], [2, 2], [2, 1], [2, 3]]
    names = [v.name for v in tf.global_variables()]
    assert "stack_bidirectional_rnn/cell_0/fw/gru_cell/gates/kernel:0" in names
    assert "stack_bidirectional_rnn/cell_1/bw/gru_cell/candidate/kernel:0" in names
    assert _run(outputs[-1]).shape == (2, 5)


def test_stack_bidirectional_rnn_argument_errors():
    x = tf.zeros([2, 4, 3])
    stack = tf.contrib.rnn.stack_bidirectional_dynamic_rnn
    gru = tf.nn.rnn_cell.GRUCell
    with pytest.raises(ValueError, match="at least one fw cell"):
        stack([], [gru(2)], x, dtype=tf.float32)
    with pytest.raises(ValueError, match="cells_bw must be a list"):
        stack([gru(2)], (gru(2),), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="same depth"):
        stack([gru(2)], [gru(2), gru(2)], x, dtype=tf.float32)
    with pytest.raises(ValueError, match="initial_states_bw must be a list of state tensors"):
        stack([gru(2)], [gru(2)], x, initial_states_bw=tf.zeros([2, 2]), dtype=tf.float32)


def test_output_projection_wrapper_puts_one_dense_layer_on_every_step():
    x = tf.placeholder(tf.float32, [None, 5, 2])
    cell = tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.BasicRNNCell(4), output_size=1)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert outputs.shape.as_list() == [None, 5, 1] and cell.output_size == 1 and cell.state_size == 4
    names = [v.name for v in tf.global_variables()]
    assert names == ["rnn/output_projection_wrapper/basic_rnn_cell/kernel:0",
                     "rnn/output_projection_wrapper/basic_rnn_cell/bias:0",
                     "rnn/output_projection_wrapper/kernel:0", "rnn/output_projection_wrapper/bias:0"]
    values = np.random.default_rng(0).standard_normal((3, 5, 2)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, w, b, kernel, bias = sess.run([outputs] + tf.global_variables(), {x: values})
    h = np.zeros((3, 4), np.float32)
    for t in range(5):  # the Elman cell, then the projection of its output
        h = np.tanh(np.concatenate([values[:, t], h], 1) @ w + b)
        np.testing.assert_allclose(got[:, t], h @ kernel + bias, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="output_size must be > 0"):
        tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.BasicRNNCell(4), output_size=0)
