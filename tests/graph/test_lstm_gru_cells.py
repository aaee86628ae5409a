"""tf.nn.rnn_cell's LSTM and GRU cells, MultiRNNCell and DropoutWrapper, and static_rnn / bidirectional_dynamic_rnn:
one step and whole sequences against numpy loops (and PyTorch's LSTM where the layouts map), TF1's variable names,
shapes and initial values, gradients against float64 central differences, dropout's masks, and the errors."""
import warnings

import numpy as np
import pytest

import minidl.graph as tf

from .test_rnn_cells import assert_gradients_match, op_types, session, sigmoid

RNG = np.random.default_rng(1)
N, L, D, H = 2, 3, 3, 4          # batch, time, input depth, units
rnn_cell = tf.nn.rnn_cell


# ============================================================================================ numpy references

def np_lstm(x, c, h, kernel, bias, forget_bias=1.0, peepholes=None, cell_clip=None, proj=None, proj_clip=None):
    """One LSTMCell step in TF's layout (gates i, j, f, o); ``peepholes`` = (w_f, w_i, w_o)."""
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
    if peepholes is not None:
        f, i = f + peepholes[0] * c, i + peepholes[1] * c
    c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    if cell_clip is not None:
        c = np.clip(c, -cell_clip, cell_clip)
    if peepholes is not None:
        o = o + peepholes[2] * c
    h = np.tanh(c) * sigmoid(o)
    if proj is not None:
        h = h @ proj
        if proj_clip is not None:
            h = np.clip(h, -proj_clip, proj_clip)
    return h, (c, h)


def np_gru(x, h, gate_kernel, gate_bias, candidate_kernel, candidate_bias):
    r, u = np.split(sigmoid(np.concatenate([x, h], 1) @ gate_kernel + gate_bias), 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ candidate_kernel + candidate_bias)
    h = u * h + (1 - u) * c
    return h, h


def np_run(step, x, state, lengths=None):
    """A numpy loop over batch-major ``x`` of ``step(x_t, state) -> (output, state)``, with TF's sequence_length
    rule (outputs zero and state frozen past each length). Returns (outputs [N, T, ...], final state)."""
    outputs = []
    for t in range(x.shape[1]):
        output, new = step(x[:, t], state)
        running = np.ones((len(x), 1), bool) if lengths is None else (t < np.asarray(lengths))[:, None]
        state = tuple(np.where(running, a, b) for a, b in zip(new, state)) if isinstance(new, tuple) \
            else np.where(running, new, state)
        outputs.append(np.where(running, output, 0))
    return np.stack(outputs, 1), state


def randomize(sess, cell):
    """Give every variable of ``cell`` random values (biases start at constants) and return the values."""
    values = [RNG.standard_normal(v.shape.as_list()) * 0.7 for v in cell.variables]
    for v, value in zip(cell.variables, values):
        v.load(value, sess)
    return values


def names(cell):
    return [(v.name, v.shape.as_list()) for v in cell.variables]


# ================================================================================================ one step

def test_lstm_state_tuple():
    c, h = tf.zeros([N, H]), tf.ones([N, H])
    state = rnn_cell.LSTMStateTuple(c, h)
    assert isinstance(state, tuple) and state.c is c and state.h is h and state.dtype == tf.float32
    with pytest.raises(TypeError, match="Inconsistent internal state: float32 vs float64"):
        rnn_cell.LSTMStateTuple(c, tf.zeros([N, H], tf.float64)).dtype


@pytest.mark.parametrize("state_is_tuple", [True, False])
def test_basic_lstm_cell_one_step(state_is_tuple):
    x = tf.placeholder(tf.float64, (None, D))
    cell = rnn_cell.BasicLSTMCell(H, forget_bias=0.5, state_is_tuple=state_is_tuple)
    assert cell.state_size == (rnn_cell.LSTMStateTuple(H, H) if state_is_tuple else 2 * H) and cell.output_size == H
    c0, h0 = tf.placeholder(tf.float64, (None, H)), tf.placeholder(tf.float64, (None, H))
    output, state = cell(x, rnn_cell.LSTMStateTuple(c0, h0) if state_is_tuple else tf.concat([c0, h0], 1))
    assert names(cell) == [("basic_lstm_cell/kernel:0", [D + H, 4 * H]), ("basic_lstm_cell/bias:0", [4 * H])]
    assert output.shape.as_list() == [None, H]
    assert isinstance(state, rnn_cell.LSTMStateTuple) if state_is_tuple else state.shape.as_list() == [None, 2 * H]
    feed = {x: RNG.standard_normal((N, D)), c0: RNG.standard_normal((N, H)), h0: RNG.standard_normal((N, H))}
    with session() as sess:
        kernel, bias = sess.run(cell.variables)
        limit = np.sqrt(6 / (D + H + 4 * H))   # Glorot uniform; the bias starts at zeros
        assert np.all(np.abs(kernel) <= limit) and not bias.any()
        kernel, bias = randomize(sess, cell)
        out, new = sess.run([output, state], feed)
    want_out, (want_c, want_h) = np_lstm(feed[x], feed[c0], feed[h0], kernel, bias, forget_bias=0.5)
    np.testing.assert_allclose(out, want_out, rtol=1e-12)
    np.testing.assert_allclose(new if state_is_tuple else np.split(new, 2, 1), (want_c, want_h), rtol=1e-12)


def test_lstm_cell_without_options_is_the_basic_lstm():
    x = tf.placeholder(tf.float32, (N, D))
    basic, full = rnn_cell.BasicLSTMCell(H), rnn_cell.LSTMCell(H)
    state = basic.zero_state(N, tf.float32)
    assert isinstance(state, rnn_cell.LSTMStateTuple) and state.c.shape.as_list() == [N, H]
    (a, _), (b, _) = basic(x, state), full(x, full.zero_state(N, tf.float32))
    assert names(full) == [("lstm_cell/kernel:0", [D + H, 4 * H]), ("lstm_cell/bias:0", [4 * H])]
    with session() as sess:
        for v, value in zip(full.variables, randomize(sess, basic)):
            v.load(value, sess)
        a, b = sess.run([a, b], {x: RNG.standard_normal((N, D))})
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("state_is_tuple", [True, False])
def test_lstm_cell_with_peepholes_clipping_and_projection(state_is_tuple):
    P = 3
    x = tf.placeholder(tf.float64, (N, D))
    cell = rnn_cell.LSTMCell(H, use_peepholes=True, cell_clip=0.6, num_proj=P, proj_clip=0.3, forget_bias=0.0,
                             state_is_tuple=state_is_tuple, initializer=tf.constant_initializer(0.1))
    assert cell.output_size == P and cell.state_size == (rnn_cell.LSTMStateTuple(H, P) if state_is_tuple else H + P)
    c0, h0 = tf.placeholder(tf.float64, (N, H)), tf.placeholder(tf.float64, (N, P))
    output, state = cell(x, rnn_cell.LSTMStateTuple(c0, h0) if state_is_tuple else tf.concat([c0, h0], 1))
    assert names(cell) == [("lstm_cell/kernel:0", [D + P, 4 * H]), ("lstm_cell/bias:0", [4 * H]),
                           ("lstm_cell/w_f_diag:0", [H]), ("lstm_cell/w_i_diag:0", [H]),
                           ("lstm_cell/w_o_diag:0", [H]), ("lstm_cell/projection/kernel:0", [H, P])]
    feed = {x: RNG.standard_normal((N, D)) * 2, c0: RNG.standard_normal((N, H)), h0: RNG.standard_normal((N, P))}
    with session() as sess:
        initial = sess.run(cell.variables)
        assert all(np.all(v == 0.1) for i, v in enumerate(initial) if i != 1) and not initial[1].any()
        kernel, bias, w_f, w_i, w_o, proj = randomize(sess, cell)
        out, new = sess.run([output, state], feed)
    want_out, want_state = np_lstm(feed[x], feed[c0], feed[h0], kernel, bias, 0.0, (w_f, w_i, w_o), 0.6, proj, 0.3)
    np.testing.assert_allclose(out, want_out, rtol=1e-12)
    c, h = new if state_is_tuple else np.split(new, [H], 1)
    np.testing.assert_allclose(c, want_state[0], rtol=1e-12)
    np.testing.assert_allclose(h, want_state[1], rtol=1e-12)
    assert np.abs(c).max() == pytest.approx(0.6)   # the clips were reached
    assert np.abs(out).max() == pytest.approx(0.3)


def test_gru_cell_one_step_and_its_initial_values():
    x, h0 = tf.placeholder(tf.float64, (None, D)), tf.placeholder(tf.float64, (None, H))
    cell = rnn_cell.GRUCell(H)
    output, state = cell(x, h0)
    assert output is state and (cell.state_size, cell.output_size) == (H, H)
    assert names(cell) == [("gru_cell/gates/kernel:0", [D + H, 2 * H]), ("gru_cell/gates/bias:0", [2 * H]),
                           ("gru_cell/candidate/kernel:0", [D + H, H]), ("gru_cell/candidate/bias:0", [H])]
    custom = rnn_cell.GRUCell(H, kernel_initializer=tf.zeros_initializer(), bias_initializer=tf.ones_initializer(),
                              name="custom", dtype=tf.float64)
    custom(x, h0)
    feed = {x: RNG.standard_normal((N, D)), h0: RNG.standard_normal((N, H))}
    with session() as sess:
        gate_kernel, gate_bias, candidate_kernel, candidate_bias = sess.run(cell.variables)
        assert np.all(gate_bias == 1) and not candidate_bias.any() and gate_kernel.std() > 0
        assert [value.tolist() for value in sess.run(custom.variables)[1::2]] == [[1.0] * 2 * H, [1.0] * H]
        weights = randomize(sess, cell)
        out = sess.run(output, feed)
    np.testing.assert_allclose(out, np_gru(feed[x], feed[h0], *weights)[0], rtol=1e-12)


def test_a_cell_called_with_a_scope_makes_its_variables_there():
    x = tf.placeholder(tf.float32, (N, D))
    cell = rnn_cell.GRUCell(H)
    cell(x, tf.zeros([N, H]), scope="decoder")
    cell(x, tf.zeros([N, H]))   # the same variables again
    assert [v.name for v in tf.global_variables()] == ["decoder/gates/kernel:0", "decoder/gates/bias:0",
                                                      "decoder/candidate/kernel:0", "decoder/candidate/bias:0"]


# ====================================================================================== whole sequences

def test_dynamic_rnn_of_lstms_matches_pytorch():
    torch = pytest.importorskip("torch")
    P = 3
    x = tf.placeholder(tf.float64, (None, L, D))
    basic, projected = rnn_cell.BasicLSTMCell(H, forget_bias=0.7), rnn_cell.LSTMCell(H, num_proj=P)
    out_basic, state_basic = tf.nn.dynamic_rnn(basic, x, dtype=tf.float64, scope="basic")
    out_projected, state_projected = tf.nn.dynamic_rnn(projected, x, dtype=tf.float64, scope="projected")
    assert isinstance(state_basic, rnn_cell.LSTMStateTuple) and state_projected.h.shape.as_list() == [None, P]
    assert out_projected.shape.as_list() == [None, L, P] and "While" in op_types()
    xv = RNG.standard_normal((N, L, D))
    with session() as sess:
        weights_basic, weights_projected = randomize(sess, basic), randomize(sess, projected)
        got = sess.run([out_basic, state_basic, out_projected, state_projected], {x: xv})
    # PyTorch orders the gates i, f, j (its "g"), o and keeps the forget bias in its biases
    order = np.concatenate([np.arange(H), np.arange(2 * H, 3 * H), np.arange(H, 2 * H), np.arange(3 * H, 4 * H)])
    for (kernel, bias, *proj), forget_bias, (outputs, (c, h)) in [
            (weights_basic, 0.7, got[:2]), (weights_projected, 1.0, got[2:])]:
        lstm = torch.nn.LSTM(D, H, batch_first=True, proj_size=proj[0].shape[1] if proj else 0).double()
        with torch.no_grad():
            lstm.weight_ih_l0.copy_(torch.from_numpy(kernel[:D, order].T.copy()))
            lstm.weight_hh_l0.copy_(torch.from_numpy(kernel[D:, order].T.copy()))
            lstm.bias_ih_l0.copy_(torch.from_numpy((bias + np.repeat([0, 0, forget_bias, 0], H))[order]))
            lstm.bias_hh_l0.zero_()
            if proj:
                lstm.weight_hr_l0.copy_(torch.from_numpy(proj[0].T.copy()))
            want_outputs, (want_h, want_c) = lstm(torch.from_numpy(xv))
        np.testing.assert_allclose(outputs, want_outputs.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(c, want_c[0].numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(h, want_h[0].numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("time_major", [False, True])
def test_dynamic_rnn_of_a_gru_with_sequence_lengths(time_major):
    x = tf.placeholder(tf.float64, (L, None, D) if time_major else (None, L, D))
    cell = rnn_cell.GRUCell(H)
    lengths = [3, 0, 1]
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64, time_major=time_major)
    assert [v.name for v in cell.variables][0] == "rnn/gru_cell/gates/kernel:0"
    xv = RNG.standard_normal((3, L, D))
    with session() as sess:
        weights = randomize(sess, cell)
        out, final = sess.run([outputs, state], {x: xv.transpose(1, 0, 2) if time_major else xv})
    want_out, want_final = np_run(lambda xt, h: np_gru(xt, h, *weights), xv, np.zeros((3, H)), lengths)
    np.testing.assert_allclose(out.transpose(1, 0, 2) if time_major else out, want_out, rtol=1e-12)
    np.testing.assert_allclose(final, want_final, rtol=1e-12)


def lstm_step(kernel, bias):
    return lambda xt, s: np_lstm(xt, s[0], s[1], kernel, bias)


def test_multi_rnn_cell_of_two_layers():
    x = tf.placeholder(tf.float64, (None, None, D))
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(H), rnn_cell.GRUCell(H + 1)])
    assert cell.state_size == (rnn_cell.LSTMStateTuple(H, H), H + 1) and cell.output_size == H + 1
    zero = cell.zero_state(N, tf.float64)
    assert isinstance(zero[0], rnn_cell.LSTMStateTuple) and zero[1].shape.as_list() == [N, H + 1]
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    assert [v.name for v in cell.variables] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0", "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0", "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel:0", "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias:0"]
    assert cell.variables[2].shape.as_list() == [H + H + 1, 2 * (H + 1)]   # layer 2 reads layer 1's H outputs
    assert isinstance(state, tuple) and isinstance(state[0], rnn_cell.LSTMStateTuple)
    xv = RNG.standard_normal((N, L, D))
    with session() as sess:
        weights = randomize(sess, cell)
        out, final = sess.run([outputs, state], {x: xv})

    def step(xt, s):
        h1, s1 = lstm_step(*weights[:2])(xt, s[:2])
        h2, _ = np_gru(h1, s[2], *weights[2:])
        return h2, (*s1, h2)

    want_out, want_final = np_run(step, xv, (np.zeros((N, H)), np.zeros((N, H)), np.zeros((N, H + 1))))
    np.testing.assert_allclose(out, want_out, rtol=1e-12)
    for got, want in zip([*final[0], final[1]], want_final):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_multi_rnn_cell_with_a_concatenated_state():
    x = tf.placeholder(tf.float64, (N, L, D))
    cell = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(H), rnn_cell.GRUCell(H - 1)], state_is_tuple=False)
    assert cell.state_size == 2 * H - 1
    h0 = tf.placeholder(tf.float64, (N, 2 * H - 1))
    outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=h0)
    xv, hv = RNG.standard_normal((N, L, D)), RNG.standard_normal((N, 2 * H - 1))
    with session() as sess:
        weights = randomize(sess, cell)
        out, final = sess.run([outputs, state], {x: xv, h0: hv})

    def step(xt, s):
        a, _ = np_gru(xt, s[:, :H], *weights[:4])
        b, _ = np_gru(a, s[:, H:], *weights[4:])
        return b, np.concatenate([a, b], 1)

    want_out, want_final = np_run(step, xv, hv)
    np.testing.assert_allclose(out, want_out, rtol=1e-12)
    np.testing.assert_allclose(final, want_final, rtol=1e-12)


def test_static_rnn_is_dynamic_rnn_unrolled():
    x = tf.placeholder(tf.float64, (N, L, D))
    cell = rnn_cell.BasicLSTMCell(H)
    lengths = tf.constant([2, 3])
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64)
    static_outputs, static_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), sequence_length=lengths,
                                                    dtype=tf.float64)
    assert len(static_outputs) == L and [v.name for v in cell.variables] == ["rnn/basic_lstm_cell/kernel:0",
                                                                            "rnn/basic_lstm_cell/bias:0"]
    assert "While" in op_types() and isinstance(static_state, rnn_cell.LSTMStateTuple)
    other = rnn_cell.GRUCell(H)
    tf.nn.static_rnn(other, tf.unstack(x, axis=1), dtype=tf.float64, scope="gru")
    assert other.variables[0].name == "gru/gru_cell/gates/kernel:0"
    with session() as sess:
        randomize(sess, cell)
        a, b, c, d = sess.run([outputs, state, static_outputs, static_state], {x: RNG.standard_normal((N, L, D))})
    np.testing.assert_allclose(np.stack(c, 1), a, rtol=1e-12)
    np.testing.assert_allclose(d, b, rtol=1e-12)


def reverse_each(x, lengths):
    """Each example's first lengths[b] steps reversed (batch-major numpy)."""
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


@pytest.mark.parametrize("lengths", [None, [3, 1]])
def test_bidirectional_rnns(lengths):
    x = tf.placeholder(tf.float64, (N, L, D))
    fw, bw = rnn_cell.GRUCell(H), rnn_cell.BasicLSTMCell(H - 1)
    (out_fw, out_bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=lengths,
                                                                             dtype=tf.float64)
    assert fw.variables[0].name == "bidirectional_rnn/fw/gru_cell/gates/kernel:0"
    assert bw.variables[0].name == "bidirectional_rnn/bw/basic_lstm_cell/kernel:0"
    assert out_fw.shape.as_list() == [N, L, H] and out_bw.shape.as_list() == [N, L, H - 1]
    static, static_fw, static_bw = tf.nn.static_bidirectional_rnn(fw, bw, tf.unstack(x, axis=1), dtype=tf.float64,
                                                                  sequence_length=lengths, scope="same_cells")
    xv = RNG.standard_normal((N, L, D))
    with session() as sess:
        weights_fw, weights_bw = randomize(sess, fw), randomize(sess, bw)
        got = sess.run([out_fw, out_bw, state_fw, state_bw, static, static_fw, static_bw], {x: xv})
    lengths = lengths or [L] * N
    want_fw, want_state_fw = np_run(lambda xt, h: np_gru(xt, h, *weights_fw), xv, np.zeros((N, H)), lengths)
    backwards, want_state_bw = np_run(lstm_step(*weights_bw), reverse_each(xv, lengths),
                                      (np.zeros((N, H - 1)),) * 2, lengths)
    want_bw = reverse_each(backwards, lengths)
    outputs = np.stack(got[4], 1)   # static: concat([fw, bw], 1) per step
    for got_fw, got_bw, got_state_fw, got_state_bw in [got[:4], (outputs[..., :H], outputs[..., H:], *got[5:])]:
        np.testing.assert_allclose(got_fw, want_fw, rtol=1e-12)
        np.testing.assert_allclose(got_bw, want_bw, rtol=1e-12)
        np.testing.assert_allclose(got_state_fw, want_state_fw, rtol=1e-12)
        np.testing.assert_allclose(got_state_bw, want_state_bw, rtol=1e-12)
    if lengths == [3, 1]:
        assert not want_bw[1, 1:].any()   # the padding stays zero, at the end


# ============================================================================================== gradients

def check_gradients(make_cell, state_shapes, structure, bidirectional=False, sequence_length=None):
    """tf.gradients of a loss reading every output and every part of the final state, w.r.t. the variables, the
    inputs and the initial state, against central differences (float64; ``structure`` packs the state
    placeholders into the cell's state)."""
    x = tf.placeholder(tf.float64, (N, L, D))
    states = [tf.placeholder(tf.float64, (N, size)) for size in state_shapes]
    if bidirectional:
        cells = make_cell(), make_cell()
        outputs, finals = tf.nn.bidirectional_dynamic_rnn(*cells, x, sequence_length, structure(states),
                                                          structure(states))
        variables = cells[0].variables + cells[1].variables
    else:
        cell = make_cell()
        outputs, finals = tf.nn.dynamic_rnn(cell, x, sequence_length, structure(states))
        variables = cell.variables
    parts = _leaves((outputs, finals))
    loss = tf.add_n([tf.reduce_sum(p * RNG.standard_normal(p.shape.as_list())) for p in parts])
    grads = tf.gradients(loss, variables + [x] + states)
    feed = {x: RNG.standard_normal((N, L, D))}
    feed.update({s: RNG.standard_normal((N, size)) for s, size in zip(states, state_shapes)})
    with session() as sess:  # weights 3x their initial values: the gates are not saturated, nor all alike
        assert_gradients_match(sess, loss, grads, variables, [x] + states, feed, scale=3)


def _leaves(nest):
    return [leaf for item in nest for leaf in _leaves(item)] if isinstance(nest, (list, tuple)) else [nest]


def lstm_state(states):
    return rnn_cell.LSTMStateTuple(*states)


@pytest.mark.parametrize("make_cell, state_shapes, structure", [
    (lambda: rnn_cell.BasicLSTMCell(2), [2, 2], lstm_state),
    (lambda: rnn_cell.LSTMCell(2, use_peepholes=True, num_proj=1, forget_bias=0.0), [2, 1], lstm_state),
    (lambda: rnn_cell.GRUCell(2), [2], lambda s: s[0]),
    (lambda: rnn_cell.MultiRNNCell([rnn_cell.LSTMCell(2), rnn_cell.GRUCell(1)]), [2, 2, 1],
     lambda s: (rnn_cell.LSTMStateTuple(*s[:2]), s[2])),
], ids=["basic_lstm", "lstm_peepholes_projection", "gru", "multi"])
def test_gradients_through_dynamic_rnn(make_cell, state_shapes, structure):
    check_gradients(make_cell, state_shapes, structure, sequence_length=[3, 2])


def test_gradients_through_a_bidirectional_rnn_with_lengths():
    check_gradients(lambda: rnn_cell.GRUCell(2), [2], lambda s: s[0], bidirectional=True, sequence_length=[1, 3])


# ================================================================================================== dropout

def test_dropout_wrapper_with_keep_prob_1_is_the_cell_itself():
    x = tf.placeholder(tf.float32, (N, L, D))
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(H))
    assert cell.state_size == rnn_cell.LSTMStateTuple(H, H) and cell.output_size == H
    assert isinstance(cell.zero_state(N, tf.float32), rnn_cell.LSTMStateTuple)
    with tf.variable_scope("model"):
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):   # the evaluation model: no dropout, the same variables
        plain_outputs, plain_state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(H), x, dtype=tf.float32)
    assert [v.name for v in cell.variables] == ["model/rnn/basic_lstm_cell/kernel:0",
                                                "model/rnn/basic_lstm_cell/bias:0"]
    assert cell.trainable_variables == tf.trainable_variables()
    assert not [op for op in tf.get_default_graph().get_operations()   # no dropout (only initializers are random)
                if op.type.startswith("Random") and "Initializer" not in op.name]
    with session() as sess:
        a, b, c, d = sess.run([outputs, state, plain_outputs, plain_state], {x: RNG.standard_normal((N, L, D))})
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(b, d)


def test_dropout_wrapper_drops_inputs_outputs_and_the_h_state_at_the_keep_rates():
    # one step on a big batch: dropped elements are zeros, kept ones are the cell's values / keep_prob
    B = 4000
    x = tf.placeholder(tf.float64, (B, D))
    inner = rnn_cell.BasicLSTMCell(H)
    state = inner.zero_state(B, tf.float64)
    plain_output, plain_state = inner(x, state)
    wrapped = rnn_cell.DropoutWrapper(inner, output_keep_prob=0.75, state_keep_prob=0.5, seed=3)
    output, new_state = wrapped(x, state)
    xv = RNG.standard_normal((B, D))
    with session() as sess:
        want, (want_c, want_h), out, (c, h) = sess.run([plain_output, plain_state, output, new_state], {x: xv})
    np.testing.assert_array_equal(c, want_c)   # the default filter never drops an LSTM's memory
    for got, expected, keep in [(out, want, 0.75), (h, want_h, 0.5)]:
        kept = got != 0
        assert abs(kept.mean() - keep) < 0.02
        np.testing.assert_allclose(got[kept], expected[kept] / keep, rtol=1e-12)
    assert not np.array_equal(out != 0, h != 0)   # separate masks
    # input dropout: what the cell sees is the dropped input
    ident = rnn_cell.DropoutWrapper(inner, input_keep_prob=0.6)
    seen, _ = ident(x, state)
    with session() as sess:
        first, second = sess.run(seen, {x: xv}), sess.run(seen, {x: xv})
    assert not np.array_equal(first, second)     # a new mask every run


def test_dropout_state_filter_visitor():
    x = tf.placeholder(tf.float64, (50, D))
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(H), rnn_cell.GRUCell(H)])
    state = cell.zero_state(50, tf.float64)
    no_lstm = rnn_cell.DropoutWrapper(cell, state_keep_prob=0.5,
                                      dropout_state_filter_visitor=lambda s: not isinstance(s, rnn_cell.LSTMStateTuple))
    dropped = no_lstm(x, state)[1]
    default = rnn_cell.DropoutWrapper(cell, state_keep_prob=0.5)(x, state)[1]
    xv = RNG.standard_normal((50, D))
    with session() as sess:
        plain = sess.run(cell(x, state)[1], {x: xv})
        (lstm, gru), ((c, h), gru_default) = sess.run([dropped, default], {x: xv})
    np.testing.assert_array_equal(lstm, plain[0])   # both parts of the LSTM state kept
    np.testing.assert_array_equal(c, plain[0].c)
    for got, want in [(gru, plain[1]), (h, plain[0].h), (gru_default, plain[1])]:
        assert 0.3 < (got == 0).mean() < 0.7
        np.testing.assert_allclose(got[got != 0], want[got != 0] * 2, rtol=1e-12)
    with pytest.raises(TypeError, match="dropout_state_filter_visitor must return a bool"):
        rnn_cell.DropoutWrapper(cell, state_keep_prob=0.5, dropout_state_filter_visitor=lambda s: "yes")(x, state)


def test_dropout_in_dynamic_rnn_uses_a_new_mask_per_step_and_the_gradient_sees_the_same_masks():
    class Identity(rnn_cell.RNNCell):   # output = inputs, so that the output shows the input mask
        state_size = output_size = D

        def call(self, inputs, state):
            return inputs * 1.0, state + inputs

    x = tf.placeholder(tf.float64, (20, L, D))
    keep = tf.placeholder_with_default(tf.constant(0.5, tf.float64), ())
    outputs, _ = tf.nn.dynamic_rnn(rnn_cell.DropoutWrapper(Identity(), input_keep_prob=keep), x, dtype=tf.float64)
    (grad,) = tf.gradients(tf.reduce_sum(outputs), [x])
    with tf.Session() as sess:
        out, g = sess.run([outputs, grad], {x: np.ones((20, L, D))})
        evaluation = sess.run(outputs, {x: np.ones((20, L, D)), keep: 1.0})
    assert set(np.unique(out)) == {0, 2} and set(np.unique(g)) == {0, 2}
    np.testing.assert_array_equal(out, g)        # d out / d x = mask / keep_prob: the forward's mask
    assert not np.array_equal(out[:, 0], out[:, 1])
    np.testing.assert_array_equal(evaluation, np.ones((20, L, D)))


def test_variational_dropout_uses_one_mask_for_every_step_and_example():
    x = tf.placeholder(tf.float32, (N, L, D))
    cell = rnn_cell.DropoutWrapper(rnn_cell.GRUCell(H), input_keep_prob=0.5, output_keep_prob=0.5,
                                   variational_recurrent=True, input_size=D, dtype=tf.float32, seed=7)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with session() as sess:
        runs = [sess.run(outputs, {x: RNG.standard_normal((N, L, D)).astype(np.float32)}) for _ in range(6)]
    masks = [out != 0 for out in runs]
    for mask in masks:   # one [1, H] pattern for every example and step
        assert np.array_equal(mask, np.broadcast_to(mask[:1, :1], mask.shape))
    assert len({mask[0, 0].tobytes() for mask in masks}) > 1   # a new pattern for each run
    with pytest.raises(ValueError, match="dtype must be provided"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(H), output_keep_prob=0.5, variational_recurrent=True)
    with pytest.raises(ValueError, match="input_size must be provided"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(H), input_keep_prob=0.5, variational_recurrent=True,
                                dtype=tf.float32)


# =================================================================================================== errors

def test_bad_arguments_and_states():
    x = tf.placeholder(tf.float32, (N, D))
    lstm = rnn_cell.BasicLSTMCell(H)
    with pytest.raises(TypeError, match="Value passed to parameter 'inputs' has DataType int32"):
        lstm(tf.placeholder(tf.int32, (N, D)), lstm.zero_state(N, tf.float32))
    with pytest.raises(ValueError, match=r"BasicLSTMCell 'basic_lstm_cell': expected a state structured like "
                                         r"state_size LSTMStateTuple\(c=4, h=4\)"):
        lstm(x, tf.zeros([N, H]))
    with pytest.raises(ValueError, match=r"expected a state of shape \[batch_size, state_size\] = \[2, 4\], got "
                                         r"\(2, 3\)"):
        lstm(x, rnn_cell.LSTMStateTuple(tf.zeros([N, H]), tf.zeros([N, H - 1])))
    with pytest.raises(ValueError, match="structured like state_size 8"):
        rnn_cell.BasicLSTMCell(H, state_is_tuple=False)(x, lstm.zero_state(N, tf.float32))
    with pytest.raises(ValueError, match="structured like the cell's state_size"):
        tf.nn.dynamic_rnn(rnn_cell.LSTMCell(H), tf.placeholder(tf.float32, (N, L, D)), initial_state=tf.zeros([N, H]))
    with pytest.raises(TypeError, match="inputs"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(H), tf.placeholder(tf.int64, (N, L, D)), dtype=tf.float32)
    with pytest.raises(ValueError, match="GRUCell: num_units must be a positive int, got -1"):
        rnn_cell.GRUCell(-1)
    with pytest.raises(TypeError, match="LSTMCell: activation must be callable"):
        rnn_cell.LSTMCell(H, activation="relu")
    with pytest.raises(NotImplementedError, match="num_unit_shards and num_proj_shards"):
        rnn_cell.LSTMCell(H, num_unit_shards=2)
    with pytest.raises(ValueError, match="num_proj must be a positive int or None"):
        rnn_cell.LSTMCell(H, num_proj=0)
    with pytest.raises(ValueError, match="cell_clip must be a positive number or None"):
        rnn_cell.LSTMCell(H, cell_clip=-1.0)


def test_bad_multi_rnn_cells_and_wrappers():
    with pytest.raises(ValueError, match="Must specify at least one cell for MultiRNNCell."):
        rnn_cell.MultiRNNCell([])
    with pytest.raises(TypeError, match="cells must be a list or tuple"):
        rnn_cell.MultiRNNCell(rnn_cell.GRUCell(H))
    with pytest.raises(ValueError, match="Some cells return tuples of states, but the flag state_is_tuple is not set"):
        rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(H)], state_is_tuple=False)
    multi = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(H), rnn_cell.GRUCell(H)])
    with pytest.raises(ValueError, match="Expected state to be a tuple of length 2, but received"):
        multi(tf.placeholder(tf.float32, (N, D)), tf.zeros([N, H]))
    shared = rnn_cell.GRUCell(H)
    with pytest.warns(UserWarning, match="same object and will share weights"):
        twice = rnn_cell.MultiRNNCell([shared, shared])
    with pytest.raises(ValueError, match=r"expected inputs of shape \[batch_size, 3\]"):   # layer 2 reads H, not D
        tf.nn.dynamic_rnn(twice, tf.placeholder(tf.float32, (N, L, D)), dtype=tf.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rnn_cell.MultiRNNCell([rnn_cell.GRUCell(H), rnn_cell.GRUCell(H)])
    with pytest.raises(TypeError, match="The parameter cell is not a RNNCell."):
        rnn_cell.DropoutWrapper(tf.tanh)
    with pytest.raises(ValueError, match="Parameter output_keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(H), output_keep_prob=1.5)
    with pytest.raises(ValueError, match="Parameter input_keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(H), input_keep_prob=0)


def test_bad_static_and_bidirectional_arguments():
    cell = rnn_cell.GRUCell(H)
    with pytest.raises(TypeError, match="static_rnn: inputs must be a sequence"):
        tf.nn.static_rnn(cell, tf.placeholder(tf.float32, (N, L, D)), dtype=tf.float32)
    with pytest.raises(ValueError, match="static_rnn: inputs must not be empty"):
        tf.nn.static_rnn(cell, [], dtype=tf.float32)
    with pytest.raises(ValueError, match=r"static_rnn: each input must be \[batch_size, depth\]"):
        tf.nn.static_rnn(cell, [tf.zeros([])], dtype=tf.float32)
    with pytest.raises(ValueError, match=r"GRUCell 'rnn/gru_cell': expected inputs of shape \[batch_size, depth\], "
                                         r"got \(2, 3, 3\)"):  # static_rnn takes any rank from 2, as TF's
        tf.nn.static_rnn(cell, [tf.zeros([N, L, D])], dtype=tf.float32)
    with pytest.raises(ValueError, match="static_rnn: if there is no initial_state, you must give a dtype"):
        tf.nn.static_rnn(cell, [tf.zeros([N, D])])
    with pytest.raises(TypeError, match="bidirectional_dynamic_rnn: cell_bw must be an instance of RNNCell"):
        tf.nn.bidirectional_dynamic_rnn(cell, None, tf.zeros([N, L, D]), dtype=tf.float32)
    with pytest.raises(ValueError, match=r"sequence_length must be a vector of length batch_size \(2\)"):
        tf.nn.bidirectional_dynamic_rnn(cell, rnn_cell.GRUCell(H), tf.zeros([N, L, D]), sequence_length=[1, 2, 3],
                                        dtype=tf.float32)
