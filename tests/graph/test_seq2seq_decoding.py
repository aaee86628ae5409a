"""tf.contrib.seq2seq's decoding (seq2seq_decoding.py) and attention (seq2seq_attention.py): a TrainingHelper
decode against dynamic_rnn, a greedy decode against a Python loop, the attention scores against numpy, and an
attention decoder that trains and whose gradients match finite differences."""
import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.numeric_gradients import check_gradients

seq2seq = tf.contrib.seq2seq
RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_training_decode_is_dynamic_rnn_with_an_output_layer():
    x = RNG.standard_normal((3, 5, 4)).astype(np.float32)
    lengths = np.array([5, 2, 3], np.int32)
    cell, layer = tf.nn.rnn_cell.GRUCell(6), tf.layers.Dense(7)
    decoder = seq2seq.BasicDecoder(cell, seq2seq.TrainingHelper(x, lengths), cell.zero_state(3, tf.float32), layer)
    outputs, state, decoded_lengths = seq2seq.dynamic_decode(decoder, impute_finished=True)
    rnn_outputs, rnn_state = tf.nn.dynamic_rnn(cell, x, lengths, dtype=tf.float32)   # the same variables
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, expected = sess.run([(outputs, state, decoded_lengths), (layer(rnn_outputs), rnn_state)])
    (out, got_state, got_lengths), (logits, expected_state) = got, expected
    mask = np.arange(5) < lengths[:, None]
    np.testing.assert_allclose(out.rnn_output[mask], logits[mask], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out.rnn_output[~mask], 0)          # impute_finished: zeros past the end
    np.testing.assert_array_equal(out.sample_id, out.rnn_output.argmax(-1))
    np.testing.assert_allclose(got_state, expected_state, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got_lengths, lengths)
    assert [v.name for v in cell.variables][0].startswith("decoder/gru_cell/")


def _greedy_graph(max_iterations):
    embedding = tf.get_variable("embedding", [5, 3])
    end_token = tf.placeholder(tf.int32, [])
    cell, layer = tf.nn.rnn_cell.BasicRNNCell(4), tf.layers.Dense(5)
    helper = seq2seq.GreedyEmbeddingHelper(embedding, [0, 1, 2], end_token)
    decoder = seq2seq.BasicDecoder(cell, helper, cell.zero_state(3, tf.float32), output_layer=layer)
    outputs, _, lengths = seq2seq.dynamic_decode(decoder, maximum_iterations=max_iterations)
    return (embedding, cell.variables, layer.variables), end_token, (outputs, lengths)


def _greedy_reference(weights, steps):
    """Every example's ids and logits for ``steps`` steps of argmax fed back, in numpy."""
    embedding, (kernel, bias), (w, c) = weights
    ids, h = np.array([0, 1, 2]), np.zeros((3, 4), np.float32)
    all_ids, all_logits = [], []
    for _ in range(steps):
        h = np.tanh(np.concatenate([embedding[ids], h], 1) @ kernel + bias)
        logits = h @ w + c
        ids = logits.argmax(-1)
        all_ids.append(ids)
        all_logits.append(logits)
    return np.stack(all_ids, 1), np.stack(all_logits, 1)


def test_greedy_decode_stops_at_the_end_token_and_after_maximum_iterations():
    variables, end_token, fetches = _greedy_graph(max_iterations=6)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, logits = _greedy_reference(sess.run(variables), 6)
        # an end token that no example ever emits: all stop after maximum_iterations
        outputs, lengths = sess.run(fetches, {end_token: -1})
        np.testing.assert_array_equal(outputs.sample_id, ids)
        np.testing.assert_allclose(outputs.rnn_output, logits, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(lengths, [6, 6, 6])
        # the end token example 0 emits at step 1: it finishes there (the end token's step counts), the others
        # when they emit it too, or after maximum_iterations
        end = ids[0, 1]
        expected_lengths = [next((t + 1 for t in range(6) if ids[b, t] == end), 6) for b in range(3)]
        outputs, lengths = sess.run(fetches, {end_token: end})
    np.testing.assert_array_equal(lengths, expected_lengths)
    np.testing.assert_array_equal(outputs.sample_id, ids[:, :max(expected_lengths)])


MEMORY_LENGTHS = [4, 2, 3]


def _numpy_score(kind, option, memory, query, weights):
    keys = memory @ weights["memory_layer/kernel"]
    if kind == "luong":
        score = np.einsum("bu,btu->bt", query, keys)
        return score * weights["luong_attention/attention_g"] if option else score
    v = weights["bahdanau_attention/attention_v"]
    inner = keys + (query @ weights["bahdanau_attention/query_layer/kernel"])[:, None]
    if option:
        v = weights["bahdanau_attention/attention_g"] * v / np.sqrt((v ** 2).sum())
        inner = inner + weights["bahdanau_attention/attention_b"]
    return (v * np.tanh(inner)).sum(-1)


@pytest.mark.parametrize("kind,option", [("luong", False), ("luong", True), ("bahdanau", False),
                                         ("bahdanau", True)])
def test_attention_scores_and_alignments_against_numpy(kind, option):
    memory = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    query = RNG.standard_normal((3, 6)).astype(np.float32)
    scores = []

    def softmax_keeping_the_scores(score):            # the masked scores, seen on their way to the softmax
        scores.append(score)
        return tf.nn.softmax(score)
    if kind == "luong":
        mechanism = seq2seq.LuongAttention(6, memory, MEMORY_LENGTHS, scale=option,
                                           probability_fn=softmax_keeping_the_scores)
    else:
        mechanism = seq2seq.BahdanauAttention(6, memory, MEMORY_LENGTHS, normalize=option,
                                              probability_fn=softmax_keeping_the_scores)
    alignments, _ = mechanism(query, None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        variables = tf.global_variables()
        weights = {v.op.name: value for v, value in zip(variables, sess.run(variables))}
        got_alignments, got_scores = sess.run([alignments, scores[0]])
    padded = np.arange(4) >= np.array(MEMORY_LENGTHS)[:, None]
    masked_memory = np.where(padded[..., None], 0, memory)
    expected = _numpy_score(kind, option, masked_memory, query, weights)
    np.testing.assert_allclose(got_scores[~padded], expected[~padded], rtol=1e-5, atol=1e-5)
    assert np.all(got_scores[padded] == -np.inf)
    np.testing.assert_allclose(got_alignments, _softmax(np.where(padded, -np.inf, expected)), rtol=1e-5, atol=1e-6)


def _attention_decoder(memory, inputs, vocabulary, mechanism=seq2seq.LuongAttention, initial_cell_state=None):
    """An AttentionWrapper over ``memory`` decoding ``inputs`` with teacher forcing; returns the logits."""
    batch = memory.shape[0]
    attention = mechanism(4, memory, memory_sequence_length=[memory.shape[1], memory.shape[1] - 1][:batch])
    cell = seq2seq.AttentionWrapper(tf.nn.rnn_cell.GRUCell(4), attention, attention_layer_size=3,
                                    alignment_history=True)
    state = cell.zero_state(batch, inputs.dtype)
    if initial_cell_state is not None:
        state = state.clone(cell_state=initial_cell_state)
    helper = seq2seq.TrainingHelper(inputs, [inputs.shape[1]] * batch)
    decoder = seq2seq.BasicDecoder(cell, helper, state, output_layer=tf.layers.Dense(vocabulary))
    outputs, final_state, _ = seq2seq.dynamic_decode(decoder)
    return outputs.rnn_output, final_state


def test_attention_decoder_learns_to_copy():
    vocabulary, go = 4, 4
    sequences = RNG.integers(0, vocabulary, (2, 3)).astype(np.int32)
    embedding = tf.get_variable("embedding", [vocabulary + 1, 4])
    with tf.variable_scope("encoder"):
        memory, encoder_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), tf.nn.embedding_lookup(
            embedding, sequences), dtype=tf.float32)
    decoder_inputs = tf.nn.embedding_lookup(embedding, np.concatenate([np.full((2, 1), go), sequences[:, :-1]], 1))
    logits, final_state = _attention_decoder(memory, decoder_inputs, vocabulary, seq2seq.BahdanauAttention,
                                             encoder_state)
    loss = seq2seq.sequence_loss(logits, sequences, tf.ones([2, 3]))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    history = final_state.alignment_history.stack()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first, alignments = sess.run([loss, history])
        for _ in range(40):
            sess.run(train)
        last = sess.run(loss)
    assert last < 0.3 * first
    assert alignments.shape == (3, 2, 3)
    np.testing.assert_allclose(alignments.sum(-1), 1, rtol=1e-5)
    np.testing.assert_array_equal(alignments[:, 1, 2], 0)          # example 1's memory is 2 steps long


@pytest.mark.parametrize("mechanism", [seq2seq.LuongAttention, seq2seq.BahdanauAttention])
def test_attention_decoder_gradients(mechanism):
    memory, inputs = RNG.standard_normal((2, 3, 2)), RNG.standard_normal((2, 2, 2))
    check_gradients(lambda m, x: _attention_decoder(m, x, 3, mechanism)[0], memory, inputs)


def test_zero_state_clone_and_errors():
    memory = tf.zeros([2, 3, 4])
    cell = seq2seq.AttentionWrapper(tf.nn.rnn_cell.GRUCell(4), seq2seq.LuongAttention(4, memory))
    state = cell.zero_state(2, tf.float32)
    assert isinstance(state, seq2seq.AttentionWrapperState) and state.alignment_history == ()
    assert state.attention.shape.as_list() == [2, 4] and state.alignments.shape.as_list() == [2, 3]
    new = state.clone(cell_state=tf.ones([2, 4]))
    assert new.attention is state.attention and new.cell_state.shape.as_list() == [2, 4]
    with pytest.raises(TypeError, match="must be an RNNCell"):
        seq2seq.BasicDecoder(object(), seq2seq.TrainingHelper(tf.zeros([2, 3, 4]), [3, 3]), state)
    with tf.variable_scope("mismatched"):      # a cell output 5 wide, keys 4 wide: no dot product
        mismatched = seq2seq.AttentionWrapper(tf.nn.rnn_cell.GRUCell(5), seq2seq.LuongAttention(4, memory))
        with pytest.raises(ValueError, match="Incompatible or unknown inner dimensions"):
            mismatched(tf.zeros([2, 4]), mismatched.zero_state(2, tf.float32))
