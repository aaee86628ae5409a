"""tf.nn.rnn_cell and tf.nn.dynamic_rnn: one cell step and whole sequences against numpy loops, gradients against
float64 central differences (the fused ``rnn_sequence`` path and the generic ``while_loop`` path), TF1's variable
names and sharing, ``sequence_length``, and the errors for bad input."""
import numpy as np
import pytest

import minidl.graph as tf

RNG = np.random.default_rng(0)
N, L, D, H = 2, 3, 3, 4        # batch, time, input depth, units


def session():
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess


def op_types():
    return [op.type for op in tf.get_default_graph().get_operations()]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_basic_rnn(x, h, kernel, bias, act=np.tanh, lengths=None):
    """Batch-major ``x`` (N, L, D): every step's output (zeros past ``lengths``) and the final state."""
    outputs = []
    for t in range(x.shape[1]):
        new = act(np.concatenate([x[:, t], h], 1) @ kernel + bias)
        running = np.ones((len(x), 1), bool) if lengths is None else (t < np.asarray(lengths))[:, None]
        h = np.where(running, new, h)
        outputs.append(np.where(running, new, 0))
    return np.stack(outputs, 1), h


class AccumulatingCell(tf.nn.rnn_cell.RNNCell):
    """A user-defined cell with a tuple state: h' = tanh(x W + h U + b), s' = s + h'; output h' * s'."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return (self.units, self.units)

    @property
    def output_size(self):
        return self.units

    def build(self, inputs_shape):
        self.w = self.add_variable("w", [inputs_shape[-1], self.units])
        self.u = self.add_variable("u", [self.units, self.units])
        self.b = self.add_variable("b", [self.units], initializer=tf.random_normal_initializer(seed=1))

    def call(self, inputs, state):
        h, s = state
        h = tf.tanh(tf.matmul(inputs, self.w) + tf.matmul(h, self.u) + self.b)
        s = s + h
        return h * s, (h, s)


def numpy_accumulating(x, h, s, w, u, b, lengths=None):
    outputs = []
    for t in range(x.shape[1]):
        new_h = np.tanh(x[:, t] @ w + h @ u + b)
        new_s = s + new_h
        running = np.ones((len(x), 1), bool) if lengths is None else (t < np.asarray(lengths))[:, None]
        h, s = np.where(running, new_h, h), np.where(running, new_s, s)
        outputs.append(np.where(running, new_h * new_s, 0))
    return np.stack(outputs, 1), (h, s)


def central_differences(f, value, eps=1e-6):
    """d f() / d value by central differences, changing ``value`` in place (f must read it)."""
    grad = np.zeros_like(value)
    for i in np.ndindex(value.shape):
        original = value[i]
        value[i] = original + eps
        up = f()
        value[i] = original - eps
        down = f()
        value[i] = original
        grad[i] = (up - down) / (2 * eps)
    return grad


# ================================================================================================ the cell

def test_basic_rnn_cell_one_step_matches_the_formula():
    x = tf.placeholder(tf.float32, (None, D))
    h = tf.placeholder(tf.float32, (None, H))
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    assert (cell.state_size, cell.output_size) == (H, H) and cell.variables == []
    output, new_state = cell(x, h)
    assert output is new_state and output.shape.as_list() == [None, H]
    kernel, bias = cell.variables
    assert (kernel.name, bias.name) == ("basic_rnn_cell/kernel:0", "basic_rnn_cell/bias:0")
    assert kernel.shape == (D + H, H) and bias.shape == (H,) and cell.trainable_variables == [kernel, bias]
    xv, hv = RNG.standard_normal((N, D)).astype(np.float32), RNG.standard_normal((N, H)).astype(np.float32)
    with session() as sess:
        out, k, b = sess.run([output, kernel, bias], {x: xv, h: hv})
    limit = np.sqrt(6 / (D + H + H))  # Glorot uniform over fan_in + fan_out
    assert np.all(np.abs(k) <= limit) and k.std() > limit / 4 and np.all(b == 0)
    np.testing.assert_allclose(out, np.tanh(np.concatenate([xv, hv], 1) @ k + b), rtol=1e-5, atol=1e-6)


def test_calling_a_cell_again_uses_its_variables_and_a_new_cell_is_a_new_scope():
    x = tf.placeholder(tf.float32, (N, D))
    cell = tf.nn.rnn_cell.BasicRNNCell(H, activation=tf.nn.relu)
    first, _ = cell(x, cell.zero_state(N, tf.float32))
    again, _ = cell(x, first)
    other = tf.nn.rnn_cell.BasicRNNCell(H)
    other(x, other.zero_state(N, tf.float32))
    named = tf.nn.rnn_cell.BasicRNNCell(H, name="my_cell")
    named(x, first)
    assert [v.name for v in tf.trainable_variables()] == [
        "basic_rnn_cell/kernel:0", "basic_rnn_cell/bias:0", "basic_rnn_cell_1/kernel:0", "basic_rnn_cell_1/bias:0",
        "my_cell/kernel:0", "my_cell/bias:0"]
    xv = RNG.standard_normal((N, D)).astype(np.float32)
    with session() as sess:
        h1, h2, k = sess.run([first, again, cell.kernel], {x: xv})
    np.testing.assert_allclose(h2, np.maximum(np.concatenate([xv, h1], 1) @ k, 0), rtol=1e-5, atol=1e-6)


def test_zero_state_of_plain_and_tuple_states():
    batch = tf.placeholder(tf.int32, ())
    zero = tf.nn.rnn_cell.BasicRNNCell(H).zero_state(batch, tf.float64)
    pair = AccumulatingCell(H).zero_state(N, tf.float32)
    assert zero.dtype == tf.float64 and zero.shape.as_list() == [None, H]
    assert isinstance(pair, tuple) and [s.shape.as_list() for s in pair] == [[N, H], [N, H]]
    with tf.Session() as sess:
        z, (a, b) = sess.run([zero, pair], {batch: 3})
    assert z.shape == (3, H) and not z.any() and a.shape == b.shape == (N, H) and not (a.any() or b.any())


# ========================================================================================= dynamic_rnn: values

@pytest.mark.parametrize("activation, act", [(None, np.tanh), (tf.nn.relu, lambda z: np.maximum(z, 0))])
def test_dynamic_rnn_batch_major_from_a_zero_state_is_one_fused_op(activation, act):
    x = tf.placeholder(tf.float32, (None, L, D))
    cell = tf.nn.rnn_cell.BasicRNNCell(H, activation=activation)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert outputs.shape.as_list() == [None, L, H] and state.shape.as_list() == [None, H]
    assert [v.name for v in cell.variables] == ["rnn/basic_rnn_cell/kernel:0", "rnn/basic_rnn_cell/bias:0"]
    assert op_types().count("RnnSequence") == 1 and "While" not in op_types()
    # the same cell again, on inputs whose length too is only known at run time
    any_length = tf.placeholder(tf.float32, (None, None, D))
    outputs_again, _ = tf.nn.dynamic_rnn(cell, any_length, dtype=tf.float32, scope="again")
    assert outputs_again.shape.as_list() == [None, None, H]
    xv = RNG.standard_normal((N, L, D)).astype(np.float32)
    with session() as sess:
        sess.run(cell.bias.assign(RNG.standard_normal(H)))
        out, h, again, k, b = sess.run([outputs, state, outputs_again, cell.kernel, cell.bias],
                                       {x: xv, any_length: xv})
    want_out, want_h = numpy_basic_rnn(xv, np.zeros((N, H)), k, b, act)
    np.testing.assert_allclose(out, want_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(again, out)


@pytest.mark.parametrize("activation, act", [(None, np.tanh), (tf.sigmoid, sigmoid)])
def test_dynamic_rnn_time_major_from_a_given_state(activation, act):
    # tanh: the fused op; sigmoid: a while_loop over BasicRNNCell calls — the same numbers either way
    x = tf.placeholder(tf.float64, (L, None, D))
    h0 = tf.placeholder(tf.float64, (None, H))
    cell = tf.nn.rnn_cell.BasicRNNCell(H, activation=activation)
    outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=h0, time_major=True, scope="encoder")
    assert outputs.shape.as_list() == [L, None, H] and state.shape.as_list() == [None, H]
    assert cell.kernel.name == "encoder/basic_rnn_cell/kernel:0" and cell.kernel.dtype == tf.float64
    assert op_types().count("While") == (activation is not None)
    xv, hv = RNG.standard_normal((L, N, D)), RNG.standard_normal((N, H))
    with session() as sess:
        out, h, k, b = sess.run([outputs, state, cell.kernel, cell.bias], {x: xv, h0: hv})
    want_out, want_h = numpy_basic_rnn(xv.transpose(1, 0, 2), hv, k, b, act)
    np.testing.assert_allclose(out, want_out.transpose(1, 0, 2), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, want_h, rtol=1e-12, atol=1e-12)


def test_dynamic_rnn_with_unknown_length_and_a_user_defined_cell_with_a_tuple_state():
    x = tf.placeholder(tf.float64, (None, None, D))
    cell = AccumulatingCell(H)
    outputs, (h, s) = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    assert outputs.shape.as_list() == [None, None, H] and h.shape.as_list() == s.shape.as_list() == [None, H]
    assert [v.name for v in cell.variables] == ["rnn/accumulating_cell/w:0", "rnn/accumulating_cell/u:0",
                                                "rnn/accumulating_cell/b:0"]
    assert op_types().count("While") == 1
    with session() as sess:
        weights = sess.run(cell.variables)
        for steps in (1, 5):   # one graph for every length
            xv = RNG.standard_normal((N, steps, D))
            out, final = sess.run([outputs, (h, s)], {x: xv})
            want_out, want_final = numpy_accumulating(xv, np.zeros((N, H)), np.zeros((N, H)), *weights)
            np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(final, want_final, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make_cell", [lambda: tf.nn.rnn_cell.BasicRNNCell(H), lambda: AccumulatingCell(H)])
def test_sequence_length_zeroes_outputs_and_freezes_states_past_each_length(make_cell):
    x = tf.placeholder(tf.float64, (N + 1, L, D))
    cell = make_cell()
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=tf.constant([2, 0, 3], tf.int64), dtype=tf.float64)
    xv = RNG.standard_normal((N + 1, L, D))
    with session() as sess:
        out, final, weights = sess.run([outputs, state, cell.variables], {x: xv})
    zeros = np.zeros((N + 1, H))
    if isinstance(cell, AccumulatingCell):
        want_out, want_final = numpy_accumulating(xv, zeros, zeros, *weights, lengths=[2, 0, 3])
    else:
        want_out, want_final = numpy_basic_rnn(xv, zeros, *weights, lengths=[2, 0, 3])
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(final, want_final, rtol=1e-12, atol=1e-12)
    assert not out[0, 2:].any() and not out[1].any()


# ====================================================================================== dynamic_rnn: gradients

def check_gradients(cell, initial_state, time_major=False, sequence_length=None):
    """tf.gradients of a loss that reads every output and the final state, w.r.t. the cell's variables, the inputs
    and the initial state(s), against central differences of the same graph (float64)."""
    shape = (L, N, D) if time_major else (N, L, D)
    x = tf.placeholder(tf.float64, shape)
    states = [tf.placeholder(tf.float64, (N, H)) for _ in range(len(initial_state))]
    state_arg = tuple(states) if len(states) > 1 else states[0]
    outputs, final = tf.nn.dynamic_rnn(cell, x, sequence_length=sequence_length, initial_state=state_arg,
                                       time_major=time_major)
    final = tf.concat(list(final), 1) if len(states) > 1 else final
    loss = (tf.reduce_sum(outputs * RNG.standard_normal(outputs.shape.as_list()))
            + tf.reduce_sum(final * RNG.standard_normal(final.shape.as_list())))
    variables = cell.variables
    grads = tf.gradients(loss, variables + [x] + states)
    feed = {x: RNG.standard_normal(shape)}
    feed.update({s: value for s, value in zip(states, initial_state)})
    with session() as sess:
        assert_gradients_match(sess, loss, grads, variables, [x] + states, feed)
    return op_types()


def assert_gradients_match(sess, loss, grads, variables, placeholders, feed, scale=1.0):
    """``grads`` — of ``loss`` w.r.t. ``variables``, then ``placeholders`` — against central differences, with the
    variables set to ``scale`` times their values."""
    values = [v * scale for v in sess.run(variables)]  # new arrays: those a session returns are read-only
    for variable, value in zip(variables, values):
        variable.load(value, sess)
    got = sess.run(grads, feed)
    for variable, value, g in zip(variables, values, got):
        def f():
            variable.load(value, sess)
            return sess.run(loss, feed)
        np.testing.assert_allclose(g, central_differences(f, value), rtol=1e-6, atol=1e-8, err_msg=variable.name)
        variable.load(value, sess)
    for placeholder, g in zip(placeholders, got[len(variables):]):
        np.testing.assert_allclose(g, central_differences(lambda: sess.run(loss, feed), feed[placeholder]),
                                   rtol=1e-6, atol=1e-8, err_msg=placeholder.name)


@pytest.mark.parametrize("time_major", [False, True])
def test_gradients_through_the_fused_op(time_major):
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    types = check_gradients(cell, [RNG.standard_normal((N, H))], time_major)
    assert "RnnSequence" in types and "While" not in types


@pytest.mark.parametrize("sequence_length", [None, [3, 1]])
def test_gradients_through_the_while_loop_of_a_user_defined_cell(sequence_length):
    types = check_gradients(AccumulatingCell(H), [RNG.standard_normal((N, H)), RNG.standard_normal((N, H))],
                            sequence_length=sequence_length)
    assert "While" in types and "WhileGrad" in types


def test_gradients_through_the_while_loop_of_a_basic_cell_with_lengths():
    types = check_gradients(tf.nn.rnn_cell.BasicRNNCell(H), [RNG.standard_normal((N, H))], time_major=True,
                            sequence_length=tf.constant([1, 3]))
    assert "While" in types and "RnnSequence" not in types


# ======================================================================================== sharing variables

def test_a_new_cell_reuses_the_variables_inside_a_reusing_scope():
    x = tf.placeholder(tf.float32, (N, L, D))
    with tf.variable_scope("model"):
        train_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H), x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):
        test_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H), x, dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["model/rnn/basic_rnn_cell/kernel:0",
                                                      "model/rnn/basic_rnn_cell/bias:0"]
    with session() as sess:
        a, b = sess.run([train_out, test_out], {x: RNG.standard_normal((N, L, D))})
    np.testing.assert_array_equal(a, b)
    # without reuse, a second cell in the same scope is the usual sharing error; reuse=True on the cell also works
    with pytest.raises(ValueError, match="Variable model/rnn/basic_rnn_cell/kernel already exists"):
        with tf.variable_scope("model"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H), x, dtype=tf.float32)
    with tf.variable_scope("model"):
        cell = tf.nn.rnn_cell.BasicRNNCell(H, reuse=True)
        tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert cell.variables == tf.global_variables()
    with pytest.raises(ValueError, match="Trying to share variable model/rnn/basic_rnn_cell/kernel"):
        with tf.variable_scope("model", reuse=True):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H + 1), x, dtype=tf.float32)


# =================================================================================================== errors

def test_bad_inputs_and_states_raise_clear_errors():
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    x = tf.placeholder(tf.float32, (N, L, D))
    with pytest.raises(ValueError, match=r"inputs must be \[batch_size, max_time, depth\] \(rank 3 or more\), got "
                                         r"shape \(2, 3\)"):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, (N, L)), dtype=tf.float32)
    with pytest.raises(ValueError, match="depth of inputs"):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, (N, L, None)), dtype=tf.float32)
    with pytest.raises(TypeError, match="inputs"):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.int32, (N, L, D)), dtype=tf.float32)
    with pytest.raises(ValueError, match="you must give a dtype"):
        tf.nn.dynamic_rnn(cell, x)
    with pytest.raises(ValueError, match=r"initial_state must be \[batch_size, state_size\] = \(2, 4\).*got shape "
                                         r"\(2, 5\)"):
        tf.nn.dynamic_rnn(cell, x, initial_state=tf.zeros([N, H + 1]))
    with pytest.raises(TypeError, match="initial_state has dtype float64, but the inputs are float32"):
        tf.nn.dynamic_rnn(cell, x, initial_state=tf.zeros([N, H], tf.float64))
    with pytest.raises(ValueError, match="structured like the cell's state_size"):
        tf.nn.dynamic_rnn(AccumulatingCell(H), x, initial_state=tf.zeros([N, H]))
    with pytest.raises(ValueError, match=r"sequence_length must be a vector of length batch_size \(2\)"):
        tf.nn.dynamic_rnn(cell, x, sequence_length=[[1, 2]], dtype=tf.float32)
    with pytest.raises(TypeError, match="the inputs are float32, but the variables of BasicRNNCell .* are float64"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H, dtype=tf.float64), x, dtype=tf.float32, scope="f64")
    with pytest.raises(TypeError, match="cell must be an instance of RNNCell, got function"):
        tf.nn.dynamic_rnn(tf.tanh, x, dtype=tf.float32)


def test_inputs_of_another_depth_than_the_cell_was_built_for():
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, (N, L, D)), dtype=tf.float32)
    message = r"BasicRNNCell 'rnn/basic_rnn_cell': expected inputs of shape \[batch_size, 3\] \(its kernel " \
              r"rnn/basic_rnn_cell/kernel:0 is \(7, 4\)\), got \(2, 5\)"
    with pytest.raises(ValueError, match=message):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, (N, L, D + 2)), dtype=tf.float32)
    with pytest.raises(ValueError, match=message):
        cell(tf.placeholder(tf.float32, (N, D + 2)), tf.zeros([N, H]))
    with pytest.raises(ValueError, match=r"expected inputs of shape \[batch_size, 3\].*got \(2, 3, 3\)"):
        cell(tf.placeholder(tf.float32, (N, L, D)), tf.zeros([N, H]))
    with pytest.raises(ValueError, match=r"expected a state of shape \[batch_size, state_size\] = \[2, 4\], got "
                                         r"\(2, 3\)"):
        cell(tf.placeholder(tf.float32, (N, D)), tf.zeros([N, H - 1]))
    with pytest.raises(ValueError, match=r"'basic_rnn_cell': expected inputs of shape \[batch_size, depth\], got "
                                         r"\(2, 3, 3\)"):
        tf.nn.rnn_cell.BasicRNNCell(H)(tf.placeholder(tf.float32, (N, L, D)), tf.zeros([N, H]))


def test_bad_cell_arguments():
    with pytest.raises(ValueError, match="num_units must be a positive int, got 0"):
        tf.nn.rnn_cell.BasicRNNCell(0)
    with pytest.raises(TypeError, match="activation must be callable"):
        tf.nn.rnn_cell.BasicRNNCell(H, activation="tanh")
    with pytest.raises(NotImplementedError, match="state_size"):
        tf.nn.rnn_cell.RNNCell().zero_state(N, tf.float32)


def test_a_cell_that_creates_its_variables_inside_the_loop_trains_them():
    class LazyCell(tf.nn.rnn_cell.RNNCell):   # TF1's older style: variables made in the call itself
        state_size = output_size = H

        def call(self, inputs, state):
            w = tf.get_variable("w", [D + H, H])
            h = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
            return h, h

    x = tf.placeholder(tf.float32, (N, L, D))
    out, _ = LazyCell()(x[:, 0], tf.zeros([N, H]))     # outside a loop it works
    assert out.shape.as_list() == [N, H]
    with tf.variable_scope("loop"):
        outputs, final = tf.nn.dynamic_rnn(LazyCell(), x, dtype=tf.float32)
    (w,) = [v for v in tf.global_variables() if v.name.startswith("loop/")]
    assert w.name == "loop/rnn/lazy_cell/w:0" and w.graph is tf.get_default_graph()   # made outside the body
    (dw,) = tf.gradients(tf.reduce_sum(final), [w])
    x_value = np.random.default_rng(3).standard_normal((N, L, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w_value, final_value, dw_value = sess.run([w, final, dw], {x: x_value})

    def final_state(w64):
        h = np.zeros((N, H))
        for t in range(L):
            h = np.tanh(np.concatenate([x_value[:, t], h], 1) @ w64)
        return h

    w64 = w_value.astype(np.float64)
    np.testing.assert_allclose(final_value, final_state(w64), rtol=1e-5, atol=1e-5)
    numeric = np.zeros_like(w64)
    for i in np.ndindex(w64.shape):   # central differences of sum(final) in float64
        bump = np.zeros_like(w64)
        bump[i] = 1e-6
        numeric[i] = (final_state(w64 + bump).sum() - final_state(w64 - bump).sum()) / 2e-6
    np.testing.assert_allclose(dw_value, numeric, rtol=1e-3, atol=1e-4)


def test_float_sequence_lengths_are_cast_as_tf_casts_them():
    """dynamic_rnn and static_rnn cast float lengths to int32 (truncating), as TF's do — CS20SI's char-RNN computes
    its lengths as floats; bidirectional_dynamic_rnn refuses them, as TF's reverse_sequence does."""
    x = RNG.standard_normal((N, L, D)).astype(np.float32)
    with tf.variable_scope("shared"):
        cell = tf.nn.rnn_cell.BasicRNNCell(H)
        by_ints, _ = tf.nn.dynamic_rnn(cell, x, sequence_length=[3, 2], dtype=tf.float32)
    with tf.variable_scope("shared", reuse=True):
        by_floats, _ = tf.nn.dynamic_rnn(cell, x, sequence_length=tf.constant([3.0, 2.7]), dtype=tf.float32)
        static, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), sequence_length=[3.0, 2.7], dtype=tf.float32)
    with session() as sess:
        ints, floats, static = sess.run([by_ints, by_floats, tf.stack(static, 1)])
        kernel, bias = sess.run(cell.variables)
    expected, _ = numpy_basic_rnn(x, np.zeros((N, H), np.float32), kernel, bias, lengths=[3, 2])
    np.testing.assert_allclose(ints, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(floats, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(static, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="sequence_length"):
        tf.nn.bidirectional_dynamic_rnn(cell, cell, x, sequence_length=[3.0, 2.0], dtype=tf.float32, scope="bi")


def test_ids_go_through_static_and_dynamic_rnn_to_a_cell_that_embeds_them():
    """TF's static_rnn lets 1-D int steps through to EmbeddingWrapper (legacy_seq2seq's encoders are built so), and
    dynamic_rnn [batch, time, 1] ids; the outputs are float (the state's dtype), and equal the inner cell run on the
    embedding's rows."""
    ids = np.array([[1, 4, 0], [3, 3, 9]], np.int32)
    with tf.variable_scope("embedded"):
        wrapper = tf.contrib.rnn.EmbeddingWrapper(tf.nn.rnn_cell.GRUCell(H), embedding_classes=10, embedding_size=D)
        static, static_state = tf.nn.static_rnn(wrapper, tf.unstack(ids, axis=1), dtype=tf.float32)
    with tf.variable_scope("embedded", reuse=True):
        dynamic, dynamic_state = tf.nn.dynamic_rnn(wrapper, ids[:, :, None], dtype=tf.float32)
        first = wrapper._cell(tf.gather(wrapper.embedding, ids[:, 0]), tf.zeros([N, H]))[0]
    assert static[0].dtype == tf.float32 and dynamic.dtype == tf.float32 and dynamic.shape.as_list() == [N, L, H]
    with session() as sess:
        static, static_state, dynamic, dynamic_state, first = sess.run(
            [tf.stack(static, 1), static_state, dynamic, dynamic_state, first])
    np.testing.assert_allclose(dynamic, static, rtol=1e-6)
    np.testing.assert_allclose(dynamic_state, static_state, rtol=1e-6)
    np.testing.assert_allclose(static[:, 0], first, rtol=1e-6)
    assert np.abs(static[:, 1:] - static[:, :1]).max() > 1e-3, "later steps read their own ids"
