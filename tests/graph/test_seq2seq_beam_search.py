"""tf.contrib.seq2seq's beam search (seq2seq_beam_search.py): tile_batch's layout, gather_tree against a numpy
backtracking loop, a one-beam search against greedy decoding, and small searches against an exhaustive numpy
enumeration of every sequence (scores, order, ids, lengths)."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf

seq2seq = tf.contrib.seq2seq
RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


def test_tile_batch_repeats_each_entry_in_a_row():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([4, 7], np.int32)
    tiled = seq2seq.tile_batch((a, {"b": b}), 3)
    assert tiled[0].shape.as_list() == [6, 3]
    with tf.Session() as sess:
        got_a, got_b = sess.run([tiled[0], tiled[1]["b"]])
    np.testing.assert_array_equal(got_a, np.repeat(a, 3, axis=0))
    np.testing.assert_array_equal(got_b, [4, 4, 4, 7, 7, 7])


def _gather_tree_reference(step_ids, parent_ids, lengths, end_token):
    """TF's kernel, one beam at a time: walk the parents back from the last step, then pad after the end."""
    time, batch, beams = step_ids.shape
    out = np.full_like(step_ids, end_token)
    for b, k in itertools.product(range(batch), range(beams)):
        length = min(lengths[b], time)
        if length <= 0:
            continue
        out[length - 1, b, k] = step_ids[length - 1, b, k]
        parent = parent_ids[length - 1, b, k]
        for t in reversed(range(length - 1)):
            out[t, b, k] = step_ids[t, b, parent]
            parent = parent_ids[t, b, parent]
        ended = False
        for t in range(length):
            if ended:
                out[t, b, k] = end_token
            ended = ended or out[t, b, k] == end_token
    return out


def test_gather_tree_matches_backtracking():
    step_ids = RNG.integers(0, 6, (6, 3, 4)).astype(np.int32)
    parent_ids = RNG.integers(0, 4, (6, 3, 4)).astype(np.int32)
    lengths = np.array([6, 3, 0], np.int32)
    with tf.Session() as sess:
        got = sess.run(seq2seq.gather_tree(step_ids, parent_ids, lengths, 5))
    np.testing.assert_array_equal(got, _gather_tree_reference(step_ids, parent_ids, lengths, 5))


def _model(vocab, units=4, depth=3):
    embedding = tf.get_variable("embedding", [vocab, depth])
    return embedding, tf.nn.rnn_cell.BasicRNNCell(units), tf.layers.Dense(vocab)


def test_one_beam_is_greedy_decoding():
    end_token, steps = 2, 6
    embedding, cell, layer = _model(vocab=5)
    encoder_state = tf.constant(RNG.standard_normal((3, 4)).astype(np.float32))
    greedy = seq2seq.BasicDecoder(cell, seq2seq.GreedyEmbeddingHelper(embedding, [0, 1, 3], end_token),
                                  encoder_state, output_layer=layer)
    greedy_outputs, _, greedy_lengths = seq2seq.dynamic_decode(greedy, maximum_iterations=steps)
    beam = seq2seq.BeamSearchDecoder(cell, embedding, [0, 1, 3], end_token, seq2seq.tile_batch(encoder_state, 1),
                                     beam_width=1, output_layer=layer)
    beam_outputs, beam_state, _ = seq2seq.dynamic_decode(beam, maximum_iterations=steps)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, lengths, beam_ids, beam_lengths = sess.run([greedy_outputs.sample_id, greedy_lengths,
                                                         beam_outputs.predicted_ids[:, :, 0], beam_state.lengths])
    np.testing.assert_array_equal(beam_lengths[:, 0], lengths)
    for b, length in enumerate(lengths):
        np.testing.assert_array_equal(beam_ids[b, :length], ids[b, :length])
        assert (beam_ids[b, length:] == end_token).all()       # past the end: end tokens, not what greedy ran on


def _log_prob_of_every_sequence(weights, encoder_state, end_token, max_len):
    """{(example, sequence): log-probability} for every sequence that ends with ``end_token`` within ``max_len``
    steps or runs ``max_len`` steps without it, the cell, output layer and embedding run in numpy."""
    embedding, (kernel, bias), (w, c) = weights
    vocab = len(embedding)
    found = {}
    for b, start in enumerate([0, 1]):
        def extend(ids, h, log_prob, token):
            h = np.tanh(np.concatenate([embedding[token], h]) @ kernel + bias)
            logits = h @ w + c
            log_probs = logits - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
            for word in range(vocab):
                seq, lp = ids + (word,), log_prob + log_probs[word]
                if word == end_token or len(seq) == max_len:
                    found[b, seq] = lp
                else:
                    extend(seq, h, lp, word)
        extend((), encoder_state[b], 0.0, start)
    return found


def _penalised_length(seq, end_token, max_len):
    """The length in the last step's length penalty: TF leaves out an end token chosen at that very step."""
    return len(seq) - (len(seq) == max_len and seq[-1] == end_token)


@pytest.mark.parametrize("vocab, beam_width, max_len, alpha", [(2, 3, 3, 0.0), (3, 3, 2, 0.0), (3, 7, 3, 0.7)])
def test_beams_are_the_best_sequences_of_an_exhaustive_search(vocab, beam_width, max_len, alpha):
    """Small enough that no prefix is ever pruned before the last step: the final beams are then exactly the
    ``beam_width`` best of all sequences, by the length-penalised score."""
    end_token = vocab - 1
    embedding, cell, layer = _model(vocab)
    encoder_state = RNG.standard_normal((2, 4)).astype(np.float32)
    decoder = seq2seq.BeamSearchDecoder(cell, embedding, [0, 1], end_token,
                                        seq2seq.tile_batch(tf.constant(encoder_state), beam_width), beam_width,
                                        output_layer=layer, length_penalty_weight=alpha)
    outputs, state, _ = seq2seq.dynamic_decode(decoder, maximum_iterations=max_len)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run([embedding, cell.variables, layer.variables])
        ids, scores, lengths = sess.run([outputs.predicted_ids, outputs.beam_search_decoder_output.scores,
                                         state.lengths])
    found = _log_prob_of_every_sequence(weights, encoder_state, end_token, max_len)
    for b in range(2):
        ranked = sorted(((lp / ((5 + _penalised_length(seq, end_token, max_len)) / 6) ** alpha, seq)
                         for (example, seq), lp in found.items() if example == b), reverse=True)[:beam_width]
        final_scores = scores[b, -1]
        np.testing.assert_allclose(final_scores, [score for score, _ in ranked], rtol=1e-5, atol=1e-5)
        assert (np.diff(final_scores) <= 0).all()                                   # best beam first
        for k, (_, seq) in enumerate(ranked):
            assert lengths[b, k] == len(seq)                                        # the end token counts
            padded = list(seq) + [end_token] * (ids.shape[1] - len(seq))
            np.testing.assert_array_equal(ids[b, :, k], padded)


def test_attention_wrapper_with_tiled_memory():
    """An AttentionWrapper over tiled memory, with an alignment history (reordered into the final beams' order)
    and a coverage penalty: runs, and gives full sequences best first."""
    batch, beam_width, vocab = 2, 3, 5
    memory = tf.constant(RNG.standard_normal((batch, 4, 6)).astype(np.float32))
    lengths = tf.constant([4, 2])
    embedding = tf.get_variable("embedding", [vocab, 3])
    mechanism = seq2seq.LuongAttention(5, seq2seq.tile_batch(memory, beam_width),
                                       memory_sequence_length=seq2seq.tile_batch(lengths, beam_width))
    cell = seq2seq.AttentionWrapper(tf.nn.rnn_cell.GRUCell(5), mechanism, attention_layer_size=5,
                                    alignment_history=True)
    initial_state = cell.zero_state(batch * beam_width, tf.float32)
    decoder = seq2seq.BeamSearchDecoder(cell, embedding, [0, 0], 1, initial_state, beam_width,
                                        output_layer=tf.layers.Dense(vocab), coverage_penalty_weight=0.5)
    outputs, state, _ = seq2seq.dynamic_decode(decoder, maximum_iterations=4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, scores, history = sess.run([outputs.predicted_ids, outputs.beam_search_decoder_output.scores,
                                         state.cell_state.alignment_history])
    assert ids.shape[0] == batch and ids.shape[2] == beam_width
    assert (np.diff(scores[:, -1], axis=-1) <= 0).all()
    assert history.shape == (ids.shape[1], batch * beam_width, 4)
    np.testing.assert_allclose(history.sum(-1), 1, rtol=1e-5)
    np.testing.assert_array_equal(history[..., 2:].reshape(-1, beam_width, 2)[1::2], 0)  # example 1: 2 steps
