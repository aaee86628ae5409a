"""tf.contrib.rnn's LayerNormBasicLSTMCell, LSTMBlockCell, GRUBlockCell and InputProjectionWrapper: whole
sequences through dynamic_rnn against numpy loops of their documented formulas, TF's variable names and initial
values, the recurrent dropout's mask, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .numeric_gradients import check_gradients

contrib_rnn = tf.contrib.rnn
RNG = np.random.default_rng(11)
N, L, D, H = 2, 4, 3, 5                       # batch, time, input depth, units
X = RNG.standard_normal((N, L, D))
LENGTHS = np.array([4, 2], np.int32)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def np_norm(v, gamma, beta):
    return (v - v.mean(1, keepdims=True)) / np.sqrt(v.var(1, keepdims=True) + 1e-12) * gamma + beta


def np_run(step, x, lengths, c, h):
    """The outputs [batch, time, units] and final (c, h) of ``step(x_t, c, h) -> (c, h)``; past an example's
    length its output is 0 and its state stays."""
    outputs = np.zeros(x.shape[:2] + (h.shape[1],))
    for t in range(x.shape[1]):
        new_c, new_h = step(x[:, t], c, h)
        alive = (t < lengths)[:, None]
        c, h = np.where(alive, new_c, c), np.where(alive, new_h, h)
        outputs[:, t] = np.where(alive, new_h, 0)
    return outputs, c, h


def _dynamic(cell, scope=None, x=X, initial=None):
    inputs = tf.placeholder(tf.float64, [None, None, x.shape[2]])
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, LENGTHS, initial_state=initial, dtype=tf.float64, scope=scope)
    return inputs, outputs, state


# ================================================================================== LayerNormBasicLSTMCell

NORMS = ("input", "transform", "forget", "output", "state")


def test_layer_norm_lstm_names_initial_values_and_sequence():
    cell = contrib_rnn.LayerNormBasicLSTMCell(H, forget_bias=0.5, norm_gain=1.5, norm_shift=0.25)
    inputs, outputs, state = _dynamic(cell)
    names = [v.op.name for v in cell.variables]
    assert names == ["rnn/layer_norm_basic_lstm_cell/kernel"] + [
        f"rnn/layer_norm_basic_lstm_cell/{s}/{p}" for s in NORMS for p in ("gamma", "beta")]
    assert cell.variables[0].shape.as_list() == [D + H, 4 * H] and cell.state_size == (H, H)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        initial = sess.run(cell.variables)
        assert all(np.all(g == 1.5) and np.all(b == 0.25) for g, b in zip(initial[1::2], initial[2::2]))
        params = [RNG.standard_normal(v.shape) for v in initial[1:]]        # every gamma and beta its own values
        sess.run([v.assign(p) for v, p in zip(cell.variables[1:], params)])
        got_outputs, (got_c, got_h) = sess.run([outputs, state], {inputs: X})
    kernel = initial[0]
    gammas, betas = params[0::2], params[1::2]

    def step(x, c, h):
        gates = np.split(np.concatenate([x, h], 1) @ kernel, 4, axis=1)
        i, j, f, o = (np_norm(g, gammas[k], betas[k]) for k, g in enumerate(gates))
        c = np_norm(c * sigmoid(f + 0.5) + sigmoid(i) * np.tanh(j), gammas[4], betas[4])
        return c, np.tanh(c) * sigmoid(o)

    expected, c, h = np_run(step, X, LENGTHS, np.zeros((N, H)), np.zeros((N, H)))
    np.testing.assert_allclose(got_outputs, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got_c, c, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got_h, h, rtol=1e-9, atol=1e-9)


def test_layer_norm_lstm_without_layer_norm_is_a_basic_lstm_with_a_bias():
    cell = contrib_rnn.LayerNormBasicLSTMCell(H, layer_norm=False)
    inputs, outputs, _ = _dynamic(cell)
    assert [v.op.name for v in cell.variables] == ["rnn/layer_norm_basic_lstm_cell/kernel",
                                                   "rnn/layer_norm_basic_lstm_cell/bias"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        (kernel, bias), got = sess.run(cell.variables), sess.run(outputs, {inputs: X})
    assert np.any(bias != 0)                          # initialized like the kernel: TF gives it no initializer

    def step(x, c, h):
        i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
        c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
        return c, np.tanh(c) * sigmoid(o)

    np.testing.assert_allclose(got, np_run(step, X, LENGTHS, np.zeros((N, H)), np.zeros((N, H)))[0], rtol=1e-9)


def test_layer_norm_lstm_recurrent_dropout_drops_only_what_is_written_to_memory():
    """From a zero state, c' = sigmoid(i) * dropout(tanh(j)) (no state norm): each unit is 0 or doubled."""
    keep = tf.placeholder_with_default(tf.constant(0.5, tf.float64), [])
    cell = contrib_rnn.LayerNormBasicLSTMCell(H, layer_norm=False, dropout_keep_prob=keep, dropout_prob_seed=3)
    x = tf.constant(RNG.standard_normal((64, D)))
    _, (c, _) = cell(x, cell.zero_state(64, tf.float64))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kept_all = sess.run(c, {keep: 1.0})
        dropped = sess.run(c)
    zero, doubled = np.isclose(dropped, 0), np.isclose(dropped, 2 * kept_all)
    assert np.all(zero | doubled) and 0.3 < zero.mean() < 0.7


def test_layer_norm_lstm_gradients_match_central_differences():
    cell = contrib_rnn.LayerNormBasicLSTMCell(3)

    def last_output(x):
        outputs, _ = tf.nn.dynamic_rnn(cell, x, LENGTHS, dtype=tf.float64)
        return outputs

    check_gradients(last_output, X, rtol=1e-5, atol=1e-7)


# =========================================================================================== LSTMBlockCell

def np_lstm_block(x, c, h, kernel, bias, forget_bias, peepholes=None, cell_clip=None):
    """TF's LSTMBlockCell op: gates i, cs, f, o; peepholes wci, wcf on the old memory and wco on the new one."""
    i, ci, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
    wci, wcf, wco = peepholes if peepholes is not None else (0, 0, 0)
    i, f = sigmoid(c * wci + i), sigmoid(c * wcf + f + forget_bias)
    cs = np.tanh(ci) * i + c * f
    if cell_clip is not None:
        cs = np.clip(cs, -cell_clip, cell_clip)
    return cs, np.tanh(cs) * sigmoid(cs * wco + o)


@pytest.mark.parametrize("use_peephole, cell_clip", [(False, None), (True, 0.3)])
def test_lstm_block_cell_matches_the_lstm_block_op(use_peephole, cell_clip):
    cell = contrib_rnn.LSTMBlockCell(H, forget_bias=0.5, cell_clip=cell_clip, use_peephole=use_peephole)
    inputs, outputs, (c_final, h_final) = _dynamic(cell)
    names = {v.op.name.split("/")[-1]: v for v in cell.variables}
    assert all(v.op.name.startswith("rnn/lstm_cell/") for v in cell.variables)
    assert sorted(names) == sorted(["kernel", "bias"] + (["w_i_diag", "w_f_diag", "w_o_diag"] if use_peephole else []))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        if use_peephole:
            sess.run([names[n].assign(RNG.standard_normal(H)) for n in ("w_i_diag", "w_f_diag", "w_o_diag")])
        sess.run(names["bias"].assign(RNG.standard_normal(4 * H)))
        values = sess.run(names)
        got, got_c = sess.run([outputs, c_final], {inputs: X})
    peepholes = tuple(values[n] for n in ("w_i_diag", "w_f_diag", "w_o_diag")) if use_peephole else None
    expected, c, _ = np_run(lambda x, c, h: np_lstm_block(x, c, h, values["kernel"], values["bias"], 0.5, peepholes,
                                                          cell_clip), X, LENGTHS, np.zeros((N, H)), np.zeros((N, H)))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_c, c, rtol=1e-9, atol=1e-12)
    if cell_clip is not None:
        assert np.abs(got_c).max() <= cell_clip


def test_lstm_block_cell_shares_lstm_cells_variables():
    block = contrib_rnn.LSTMBlockCell(H)
    inputs, outputs, _ = _dynamic(block)
    with tf.variable_scope("rnn", reuse=True):
        lstm = tf.nn.rnn_cell.LSTMCell(H)
        lstm_outputs, _ = tf.nn.dynamic_rnn(lstm, inputs, LENGTHS, dtype=tf.float64, scope=tf.get_variable_scope())
    assert [v.name for v in lstm.variables] == [v.name for v in block.variables] == ["rnn/lstm_cell/kernel:0",
                                                                                     "rnn/lstm_cell/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, expected = sess.run([outputs, lstm_outputs], {inputs: X})
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="already exists"):    # the fixed name "lstm_cell": a second one collides
        tf.nn.dynamic_rnn(contrib_rnn.LSTMBlockCell(H), inputs, dtype=tf.float64)


# ============================================================================================ GRUBlockCell

@pytest.mark.parametrize("block, names", [("GRUBlockCell", ["w_ru", "b_ru", "w_c", "b_c"]),
                                          ("GRUBlockCellV2", ["gates/kernel", "gates/bias", "candidate/kernel",
                                                              "candidate/bias"])])
def test_gru_block_cells_compute_the_gru_with_their_variable_names(block, names):
    cell = getattr(contrib_rnn, block)(cell_size=H)
    inputs, outputs, final = _dynamic(cell)
    assert [v.op.name for v in cell.variables] == [f"rnn/gru_cell/{n}" for n in names]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gate_kernel, gate_bias, candidate_kernel, candidate_bias = sess.run(cell.variables)
        assert np.all(gate_bias == 1) and not candidate_bias.any()        # TF's initial biases
        sess.run(cell.variables[1].assign(RNG.standard_normal(2 * H)))
        gate_bias = sess.run(cell.variables[1])
        got, got_final = sess.run([outputs, final], {inputs: X})

    def step(x, _, h):
        r, u = np.split(sigmoid(np.concatenate([x, h], 1) @ gate_kernel + gate_bias), 2, axis=1)
        c = np.tanh(np.concatenate([x, r * h], 1) @ candidate_kernel + candidate_bias)
        new_h = u * h + (1 - u) * c
        return new_h, new_h
    expected, _, h = np_run(step, X, LENGTHS, np.zeros((N, H)), np.zeros((N, H)))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_final, h, rtol=1e-9, atol=1e-12)


def test_gru_block_cell_takes_one_of_num_units_and_cell_size():
    with pytest.raises(ValueError, match="one of num_units or cell_size"):
        contrib_rnn.GRUBlockCell()
    with pytest.raises(ValueError, match="one of num_units or cell_size"):
        contrib_rnn.GRUBlockCellV2(num_units=3, cell_size=3)
    assert contrib_rnn.GRUBlockCell(num_units=3).output_size == 3


# ================================================================================== InputProjectionWrapper

def test_input_projection_wrapper_projects_each_step_before_the_cell():
    cell = contrib_rnn.InputProjectionWrapper(contrib_rnn.BasicRNNCell(H), num_proj=4, activation=tf.nn.relu)
    assert cell.output_size == H and cell.state_size == H
    inputs, outputs, state = _dynamic(cell)
    assert [v.op.name for v in cell.variables] == [
        "rnn/input_projection_wrapper/kernel", "rnn/input_projection_wrapper/bias",
        "rnn/input_projection_wrapper/basic_rnn_cell/kernel", "rnn/input_projection_wrapper/basic_rnn_cell/bias"]
    shapes = [v.shape.as_list() for v in cell.variables]
    assert shapes == [[D, 4], [4], [4 + H, H], [H]]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(cell.variables[1].assign(RNG.standard_normal(4)))
        (kernel, bias, w, b), got = sess.run(cell.variables), sess.run(outputs, {inputs: X})

    def step(x, c, h):
        h = np.tanh(np.concatenate([np.maximum(x @ kernel + bias, 0), h], 1) @ w + b)
        return h, h

    np.testing.assert_allclose(got, np_run(step, X, LENGTHS, np.zeros((N, H)), np.zeros((N, H)))[0], rtol=1e-9)


def test_input_projection_wrapper_errors():
    with pytest.raises(TypeError, match="The parameter cell is not RNNCell"):
        contrib_rnn.InputProjectionWrapper("cell", 3)
    with pytest.raises(ValueError, match="Parameter num_proj must be > 0: 0"):
        contrib_rnn.InputProjectionWrapper(contrib_rnn.BasicRNNCell(H), 0)
