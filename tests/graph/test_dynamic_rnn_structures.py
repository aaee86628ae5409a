"""tf.nn.dynamic_rnn with states and inputs that are more than [batch, size] tensors: an AttentionWrapper (whose
state holds a scalar int step count and, with alignment_history, a TensorArray) against static_rnn on the same
weights; nested inputs against the same cell fed their concatenation."""
import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.sessions import run_initialized as _run
from tests.graph.numeric_gradients import check_gradients

B, T, M, D, U = 2, 3, 5, 3, 4   # batch, steps, memory steps, input depth, units


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


def _data(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, M, U)).astype(dtype), rng.standard_normal((B, T, D)).astype(dtype)


def _attention_cell(memory, alignment_history=False):
    return tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.GRUCell(U), tf.contrib.seq2seq.LuongAttention(U, memory),
                                               attention_layer_size=U, alignment_history=alignment_history)


def _state_fetches(state):
    """The tensors of an AttentionWrapperState (its alignment history stacked)."""
    history = state.alignment_history
    return [state.cell_state, state.attention, state.time, state.alignments, state.attention_state] + (
        [history.stack()] if isinstance(history, tf.TensorArray) else [])


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("alignment_history", [False, True])
def test_attention_wrapper_in_dynamic_rnn_matches_static_rnn(given_state, alignment_history):
    memory, x = _data()
    cell = _attention_cell(tf.constant(memory), alignment_history)
    kwargs = {"initial_state": cell.zero_state(B, tf.float32)} if given_state else {"dtype": tf.float32}
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(x), **kwargs)
    # the same cell again: the same variables
    static_outputs, static_state = tf.nn.static_rnn(cell, tf.unstack(tf.constant(x), axis=1), **kwargs)
    assert outputs.shape.as_list() == [B, T, U]
    assert state.time.dtype == tf.int32 and state.time.shape.as_list() == []
    assert state.cell_state.shape.as_list() == [B, U] and state.alignments.shape.as_list() == [B, M]
    got, want = _run([[outputs] + _state_fetches(state), [tf.stack(static_outputs, 1)] + _state_fetches(static_state)])
    assert got[3] == T
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    if alignment_history:
        assert got[-1].shape == (T, B, M)


def test_attention_wrapper_in_dynamic_rnn_with_sequence_length():
    """Past an example's length its output is zero and its state stays; the step count (a scalar) and the
    alignment history (a TensorArray) have no examples to hold back and go on, as in TF."""
    memory, x = _data()
    cell = _attention_cell(tf.constant(memory), alignment_history=True)
    lengths = np.array([3, 1], np.int32)
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(x), sequence_length=lengths, dtype=tf.float32)
    static_outputs, static_state = tf.nn.static_rnn(cell, tf.unstack(tf.constant(x), axis=1),
                                                    sequence_length=lengths, dtype=tf.float32)
    full_outputs, _ = tf.nn.static_rnn(cell, tf.unstack(tf.constant(x), axis=1), dtype=tf.float32)
    got, want, full = _run([[outputs] + _state_fetches(state),
                            [tf.stack(static_outputs, 1)] + _state_fetches(static_state), tf.stack(full_outputs, 1)])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got[0][1, 1:], 0)
    np.testing.assert_allclose(got[0][1, :1], full[1, :1], rtol=1e-5, atol=1e-6)
    assert got[3] == T and got[-1].shape == (T, B, M)


def test_attention_wrapper_in_dynamic_rnn_gradients():
    memory, x = _data(np.float64)

    def run(memory, x, static):
        cell = _attention_cell(memory)
        if static:
            return tf.stack(tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64)[0], 1)
        return tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)[0]

    check_gradients(lambda m, x: run(m, x, static=False), memory, x)
    # and the same gradients as static_rnn's, the variables' included
    m, xs = tf.constant(memory), tf.constant(x)
    with tf.variable_scope("dynamic"):
        dynamic = run(m, xs, static=False)
    with tf.variable_scope("static"):
        static = run(m, xs, static=True)
    variables = {scope: [v for v in tf.global_variables() if v.name.startswith(scope)]
                 for scope in ("dynamic", "static")}
    assert len(variables["dynamic"]) == len(variables["static"]) > 0
    grads = {}
    for scope, y in (("dynamic", dynamic), ("static", static)):
        grads[scope] = tf.gradients(tf.reduce_sum(y * y), [m, xs] + variables[scope])
        assert all(g is not None for g in grads[scope])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for d, s in zip(variables["dynamic"], variables["static"]):   # the same weights in both
            sess.run(d.assign(s))
        got, want = sess.run([grads["dynamic"], grads["static"]])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


def test_initial_state_still_checked_where_the_state_size_says_so():
    memory, x = _data()
    cell = _attention_cell(tf.constant(memory))
    with pytest.raises(ValueError, match=r"\[batch_size, state_size\]"):
        tf.nn.dynamic_rnn(cell, tf.constant(x), initial_state=cell.zero_state(B + 1, tf.float32))
    with pytest.raises(TypeError, match="dtype float64"):
        tf.nn.dynamic_rnn(cell, tf.constant(x), initial_state=cell.zero_state(B, tf.float64))


class ConcatCell(tf.nn.rnn_cell.RNNCell):
    """Takes a pair of inputs and runs ``cell`` on their concatenation; remembers the shapes ``build`` got."""

    def __init__(self, cell):
        super().__init__()
        self.cell, self.built_for = cell, None

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def build(self, inputs_shape):
        self.built_for = inputs_shape

    def call(self, inputs, state):
        return self.cell(tf.concat(list(inputs), 1), state)


def _pair(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, T, 4)).astype(np.float32), rng.standard_normal((B, T, 2)).astype(np.float32)


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("sequence_length", [None, [3, 2]])
def test_nested_inputs_reach_the_cell_as_a_tuple(time_major, sequence_length):
    a, b = _pair()
    if time_major:
        a, b = a.transpose(1, 0, 2), b.transpose(1, 0, 2)
    inner = tf.nn.rnn_cell.BasicRNNCell(U)
    cell = ConcatCell(inner)
    outputs, state = tf.nn.dynamic_rnn(cell, (tf.constant(a), tf.constant(b)), sequence_length=sequence_length,
                                       dtype=tf.float32, time_major=time_major)
    assert [s.as_list() for s in cell.built_for] == [[B, 4], [B, 2]]
    # the wrapped cell on the concatenated inputs: the same variables
    want_outputs, want_state = tf.nn.dynamic_rnn(inner, tf.concat([a, b], 2), sequence_length=sequence_length,
                                                 dtype=tf.float32, time_major=time_major)
    assert outputs.shape.as_list() == want_outputs.shape.as_list()
    got, want = _run([[outputs, state], [want_outputs, want_state]])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_nested_inputs_in_bidirectional_dynamic_rnn():
    a, b = _pair()
    cell_fw, cell_bw = ConcatCell(tf.nn.rnn_cell.BasicRNNCell(U)), ConcatCell(tf.nn.rnn_cell.BasicRNNCell(U))
    lengths = [3, 2]
    (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, (tf.constant(a), tf.constant(b)),
                                                  sequence_length=lengths, dtype=tf.float32)
    with tf.variable_scope("bidirectional_rnn", reuse=True):
        (want_fw, want_bw), _ = tf.nn.bidirectional_dynamic_rnn(cell_fw.cell, cell_bw.cell, tf.concat([a, b], 2),
                                                                sequence_length=lengths, dtype=tf.float32)
    got, want = _run([[fw, bw], [want_fw, want_bw]])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_nested_inputs_errors():
    cell = ConcatCell(tf.nn.rnn_cell.BasicRNNCell(U))
    with pytest.raises(ValueError, match="same max_time and batch_size"):
        tf.nn.dynamic_rnn(cell, (tf.zeros([2, 3, 4]), tf.zeros([2, 4, 2])), dtype=tf.float32)
    with pytest.raises(ValueError, match="rank 3 or more"):
        tf.nn.dynamic_rnn(cell, (tf.zeros([2, 3, 4]), tf.zeros([2, 3])), dtype=tf.float32)
    with pytest.raises(TypeError, match="dict"):
        tf.nn.dynamic_rnn(cell, {"a": tf.zeros([2, 3, 4])}, dtype=tf.float32)
    with pytest.raises(ValueError, match="must not be empty"):
        tf.nn.dynamic_rnn(cell, (), dtype=tf.float32)
