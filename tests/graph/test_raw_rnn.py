"""tf.nn.raw_rnn: the loop of TF's documented example against dynamic_rnn (outputs, final state, the gradients of
the inputs, the initial state and the weights), gradients against central differences, a loop state, a decoder
that feeds its outputs back (against numpy) with an emit structure of its own, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.raw_rnn import raw_rnn

from .numeric_gradients import check_gradients

RNG = np.random.default_rng(5)
T, B, D, N = 5, 3, 2, 4                          # max time, batch, input depth, units
X = RNG.standard_normal((T, B, D))               # time-major


def reading_loop_fn(inputs, lengths, initial_state, loop_state=None, count_steps=False):
    """TF's documented loop_fn: step ``time`` reads ``inputs[time]``; example b is finished at ``lengths[b]``.
    ``count_steps``: the loop state, a [batch] float, counts each example's real steps (called at ``time``, loop_fn
    has just seen step ``time - 1``, a real one where ``time - 1 < length``)."""
    max_time, batch, depth = inputs.shape
    inputs_ta = tf.TensorArray(inputs.dtype, size=max_time).unstack(inputs)

    def loop_fn(time, cell_output, cell_state, state_of_loop):
        finished = time >= lengths
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([batch, depth], inputs.dtype),
                             lambda: inputs_ta.read(time))
        if cell_output is None:                                  # time 0: the start
            return finished, next_input, initial_state, None, loop_state
        next_loop_state = None
        if count_steps:
            next_loop_state = state_of_loop + tf.cast(time <= lengths, inputs.dtype)
        return finished, next_input, cell_state, cell_output, next_loop_state
    return loop_fn


@pytest.mark.parametrize("lengths", [[5, 2, 0], [3, 1, 2]], ids=["up_to_max_time", "shorter"])
def test_matches_dynamic_rnn_with_sequence_lengths(lengths):
    lengths = np.array(lengths, np.int32)
    cell = tf.nn.rnn_cell.LSTMCell(N)
    inputs, seq = tf.constant(X), tf.constant(lengths)
    initial = tf.nn.rnn_cell.LSTMStateTuple(*(tf.constant(RNG.standard_normal((B, N))) for _ in range(2)))
    emit_ta, final_state, final_loop_state = raw_rnn(cell, reading_loop_fn(inputs, seq, initial))
    outputs = emit_ta.stack()
    ref_outputs, ref_state = tf.nn.dynamic_rnn(cell, inputs, seq, initial, time_major=True)
    assert final_loop_state is None                  # loop_fn started with no loop state
    assert isinstance(final_state, tf.nn.rnn_cell.LSTMStateTuple)
    assert [v.name for v in tf.global_variables()] == ["rnn/lstm_cell/kernel:0", "rnn/lstm_cell/bias:0"]

    def loss(outputs, state):   # every output and both parts of the final state, weighted differently
        return tf.reduce_sum(outputs * np.arange(1, N + 1)) + tf.reduce_sum(state.c * 2) + tf.reduce_sum(state.h)

    wrt = [inputs, initial.c, initial.h] + cell.variables
    grads = tf.gradients(loss(outputs, final_state), wrt)
    ref_grads = tf.gradients(loss(ref_outputs[:lengths.max()], ref_state), wrt)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, ref, initial_h = sess.run([(outputs, final_state, grads), (ref_outputs, ref_state, ref_grads), initial.h])
    steps = lengths.max()                            # raw_rnn stops once every example is finished
    assert got[0].shape == (steps, B, N)
    np.testing.assert_allclose(got[0], ref[0][:steps], atol=1e-12)
    assert np.all(got[0][np.arange(steps)[:, None] >= lengths] == 0)        # finished examples emit zeros
    np.testing.assert_allclose(np.array(got[1]), np.array(ref[1]), atol=1e-12)
    np.testing.assert_array_equal(got[1].h[lengths == 0], initial_h[lengths == 0])   # (none: kept as it was)
    for g, r in zip(got[2], ref[2]):
        np.testing.assert_allclose(g, r, atol=1e-10)


def test_gradients_match_central_differences():
    lengths = tf.constant(np.array([4, 1, 3], np.int32))
    cell = tf.nn.rnn_cell.GRUCell(3)

    def run(x, h0):
        emit_ta, final_state, _ = raw_rnn(cell, reading_loop_fn(x, lengths, h0))
        return tf.concat([tf.reshape(emit_ta.stack(), [-1]), tf.reshape(final_state, [-1])], 0)

    check_gradients(run, RNG.standard_normal((4, B, D)), RNG.standard_normal((B, 3)))


def test_loop_state_is_carried_and_returned():
    lengths = np.array([5, 2, 3], np.int32)
    cell = tf.nn.rnn_cell.BasicRNNCell(N)
    counted = raw_rnn(cell, reading_loop_fn(tf.constant(X), tf.constant(lengths), cell.zero_state(B, tf.float64),
                                            loop_state=tf.zeros([B], tf.float64), count_steps=True))
    kept = tf.constant([1.0, 2.0])                   # a loop_fn that always returns None for it keeps it
    unchanged = raw_rnn(cell, reading_loop_fn(tf.constant(X), tf.constant(lengths), cell.zero_state(B, tf.float64),
                                              loop_state=kept))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        counts, same = sess.run([counted[2], unchanged[2]])
    np.testing.assert_array_equal(counts, lengths)
    np.testing.assert_array_equal(same, [1.0, 2.0])


def test_decoder_feeding_its_outputs_back_with_its_own_emit_structure():
    """next_input = the cell's output; the emits are (2 * output, the time as an int per example), declared in the
    first call by per-example zeros; the batch size is only known when the graph runs."""
    lengths = tf.placeholder(tf.int32, [None])
    start = tf.placeholder(tf.float64, [None, N])
    cell = tf.nn.rnn_cell.BasicRNNCell(N)

    def loop_fn(time, cell_output, cell_state, loop_state):
        finished = time >= lengths
        if cell_output is None:
            emit_structure = (tf.zeros([N], tf.float64), tf.zeros([], tf.int32))
            return finished, start, cell.zero_state(tf.shape(start)[0], tf.float64), emit_structure, None
        emit = (2 * cell_output, tf.fill(tf.shape(lengths), time))
        return finished, cell_output, cell_state, emit, None

    (doubled_ta, times_ta), final_state, _ = raw_rnn(cell, loop_fn, scope="decoder")
    assert doubled_ta.element_shape.as_list() == [None, N] and times_ta.dtype == tf.int32
    x0, steps = RNG.standard_normal((2, N)), np.array([3, 1], np.int32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        doubled, times, final, kernel, bias = sess.run(
            [doubled_ta.stack(), times_ta.stack(), final_state, cell.kernel, cell.bias], {start: x0, lengths: steps})
    x, h = x0, np.zeros((2, N))
    for t in range(3):
        new_h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        alive = (t < steps)[:, None]
        np.testing.assert_allclose(doubled[t], np.where(alive, 2 * new_h, 0), atol=1e-12)
        np.testing.assert_array_equal(times[t], np.where(alive[:, 0], t + 1, 0))
        h = np.where(alive, new_h, h)
        x = new_h
    np.testing.assert_allclose(final, h, atol=1e-12)
    assert [v.name for v in cell.variables] == ["decoder/basic_rnn_cell/kernel:0", "decoder/basic_rnn_cell/bias:0"]


def test_emit_size_known_only_when_the_graph_runs():
    """An emit structure whose per-example shape the graph does not know: the zeros of a finished example take the
    shape it has when the graph runs."""
    cell = tf.nn.rnn_cell.BasicRNNCell(N)
    emit_structure = tf.placeholder(tf.float64, [None])

    def loop_fn(time, cell_output, cell_state, loop_state):
        finished = time >= tf.constant([2, 1])
        if cell_output is None:
            return finished, tf.ones([2, D], tf.float64), cell.zero_state(2, tf.float64), emit_structure, None
        return finished, tf.ones([2, D], tf.float64), cell_state, tf.concat([cell_output, cell_output], 1), None

    emit_ta, _, _ = raw_rnn(cell, loop_fn)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        emits = sess.run(emit_ta.stack(), {emit_structure: np.zeros(2 * N)})
    assert emits.shape == (2, 2, 2 * N)
    assert np.all(emits[1, 1] == 0) and np.all(emits[:, 0] != 0)
    np.testing.assert_array_equal(emits[..., :N], emits[..., N:])


def test_errors():
    cell = tf.nn.rnn_cell.BasicRNNCell(N)
    with pytest.raises(TypeError, match="RNNCell"):
        raw_rnn(lambda x, s: (x, s), reading_loop_fn(tf.constant(X), tf.constant([1, 1, 1]), None))
    with pytest.raises(TypeError, match="loop_fn must be a callable"):
        raw_rnn(cell, None)
    wrong_state = (tf.zeros([B, N], tf.float64), tf.zeros([B, N], tf.float64))
    with pytest.raises(ValueError, match="state_size"):
        raw_rnn(cell, reading_loop_fn(tf.constant(X), tf.constant([1, 1, 1]), wrong_state))

    def no_emit(time, cell_output, cell_state, loop_state):
        return time >= 2, tf.constant(X[0]), cell.zero_state(B, tf.float64) if cell_state is None else cell_state, \
            None, None
    with pytest.raises(ValueError, match="emit_output"):
        raw_rnn(cell, no_emit)
