"""tf.contrib.crf: scores, log Z and decoding against brute force over every tag sequence of tiny problems (a batch
of different lengths, length-1 and empty sequences), gradients against float64 central differences, the
``transitions`` variable, and a CRF that learns a tagging rule."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

crf = tf.contrib.crf
RNG = np.random.default_rng(3)
B, T, N = 4, 4, 3                                    # batch, max_seq_len, num_tags
X = RNG.standard_normal((B, T, N))
A = RNG.standard_normal((N, N))
LENGTHS = np.array([4, 2, 1, 3], np.int32)
TAGS = RNG.integers(0, N, (B, T)).astype(np.int32)


def score(x, a, tags, n):
    """s(y) of one sequence by its definition: unary scores of the first n steps plus the n - 1 transitions."""
    return sum(x[t, tags[t]] for t in range(n)) + sum(a[tags[t - 1], tags[t]] for t in range(1, n))


def brute_force(x, a, n):
    """(log Z, the best sequence, its score) over all num_tags^n sequences of length n."""
    sequences = list(itertools.product(range(a.shape[0]), repeat=n))
    scores = np.array([score(x, a, s, n) for s in sequences])
    return np.log(np.exp(scores).sum()), list(sequences[scores.argmax()]), scores.max()


def _placeholders(x, a):
    return tf.placeholder(tf.float64, [None, None, x.shape[2]]), tf.placeholder(tf.float64, a.shape)


def test_scores_and_log_norm_match_brute_force_for_a_batch_of_lengths():
    xp, ap = _placeholders(X, A)
    unary = crf.crf_unary_score(TAGS, LENGTHS, xp)
    binary = crf.crf_binary_score(TAGS, LENGTHS, ap)
    sequence = crf.crf_sequence_score(xp, TAGS, LENGTHS, ap)
    log_norm = crf.crf_log_norm(xp, LENGTHS, ap)
    log_likelihood, transitions = crf.crf_log_likelihood(xp, TAGS, LENGTHS, ap)
    assert transitions is ap
    got = run([unary, binary, sequence, log_norm, log_likelihood], {xp: X, ap: A})
    for b, n in enumerate(LENGTHS):
        expected_unary = sum(X[b, t, TAGS[b, t]] for t in range(n))
        log_z = brute_force(X[b], A, n)[0]
        np.testing.assert_allclose(got[0][b], expected_unary, rtol=1e-12)
        np.testing.assert_allclose(got[1][b], score(X[b], A, TAGS[b], n) - expected_unary, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got[2][b], score(X[b], A, TAGS[b], n), rtol=1e-12)
        np.testing.assert_allclose(got[3][b], log_z, rtol=1e-12)
        np.testing.assert_allclose(got[4][b], score(X[b], A, TAGS[b], n) - log_z, rtol=1e-12)


def test_decoding_matches_brute_force_in_the_graph_and_in_numpy():
    xp, ap = _placeholders(X, A)
    tags, best = run(crf.crf_decode(xp, ap, LENGTHS), {xp: X, ap: A})
    assert tags.dtype == np.int32 and tags.shape == (B, T)
    for b, n in enumerate(LENGTHS):
        _, sequence, best_score = brute_force(X[b], A, n)
        assert list(tags[b, :n]) == sequence and not tags[b, n:].any()     # 0 past the length
        np.testing.assert_allclose(best[b], best_score, rtol=1e-12)
        viterbi, viterbi_score = crf.viterbi_decode(X[b, :n], A)
        assert viterbi == sequence
        np.testing.assert_allclose(viterbi_score, best_score, rtol=1e-12)


def test_sequences_of_one_step():
    x = X[:, :1]
    tags = TAGS[:, :1]
    ones = np.ones(B, np.int32)
    log_likelihood, _ = crf.crf_log_likelihood(tf.constant(x), tags, ones, tf.constant(A))
    decoded, best = crf.crf_decode(tf.constant(x), tf.constant(A), ones)
    got = run([log_likelihood, crf.crf_log_norm(tf.constant(x), ones, tf.constant(A)), decoded, best])
    log_z = np.log(np.exp(x[:, 0]).sum(1))
    np.testing.assert_allclose(got[1], log_z, rtol=1e-12)
    np.testing.assert_allclose(got[0], x[np.arange(B), 0, tags[:, 0]] - log_z, rtol=1e-12)
    np.testing.assert_array_equal(got[2][:, 0], x[:, 0].argmax(1))
    np.testing.assert_allclose(got[3], x[:, 0].max(1))
    assert crf.viterbi_decode(x[0], A)[0] == [int(x[0, 0].argmax())]


def test_an_empty_sequence_scores_zero_as_in_tf():
    lengths = np.array([0, 3], np.int32)
    xp, ap = _placeholders(X, A)
    log_likelihood, _ = crf.crf_log_likelihood(xp, TAGS[:2], lengths, ap)
    got = run([crf.crf_sequence_score(xp, TAGS[:2], lengths, ap), crf.crf_log_norm(xp, lengths, ap),
               log_likelihood], {xp: X[:2], ap: A})
    assert got[0][0] == 0 and got[1][0] == 0 and got[2][0] == 0
    np.testing.assert_allclose(got[1][1], brute_force(X[1], A, 3)[0], rtol=1e-12)


def test_log_likelihood_gradients_match_central_differences():
    check_gradients(lambda x, a: crf.crf_log_likelihood(x, TAGS, LENGTHS, a)[0], X, A)


def test_log_norm_gradient_is_the_marginal_probability():
    """d log Z / d x[t, j] = p(y_t = j), by brute force over the sequences of example 0 (length 4)."""
    xp, ap = _placeholders(X, A)
    grad = run(tf.gradients(crf.crf_log_norm(xp, LENGTHS, ap), xp)[0], {xp: X, ap: A})
    sequences = list(itertools.product(range(N), repeat=T))
    p = np.exp([score(X[0], A, s, T) for s in sequences])
    p /= p.sum()
    marginals = np.zeros((T, N))
    for s, ps in zip(sequences, p):
        marginals[np.arange(T), s] += ps
    np.testing.assert_allclose(grad[0], marginals, rtol=1e-10)
    np.testing.assert_allclose(grad[1, 2:], 0)            # the padding of example 1 has no gradient


def test_log_likelihood_creates_the_transitions_variable():
    x = tf.placeholder(tf.float32, [None, None, N])
    with tf.variable_scope("crf"):
        _, transitions = crf.crf_log_likelihood(x, TAGS, LENGTHS)
    assert transitions.name == "crf/transitions:0" and transitions.shape.as_list() == [N, N]
    assert transitions in tf.trainable_variables()
    with pytest.raises(ValueError, match="crf_log_likelihood: expected inputs of shape"):
        crf.crf_log_likelihood(tf.placeholder(tf.float32, [None, None, None]), TAGS, LENGTHS)


def test_a_crf_learns_sticky_tags_from_noisy_observations():
    """Tags that mostly stay as they were (p = 0.95), seen through observations flipped 20% of the time: the unary
    scores learn to trust the observation, the transitions that tags stay — and decoding the whole sequence then
    beats reading each observation alone."""
    rng = np.random.default_rng(0)
    size, steps = 64, 10
    gold = np.zeros((size, steps), np.int32)
    gold[:, 0] = rng.integers(0, 2, size)
    for t in range(1, steps):
        gold[:, t] = np.where(rng.random(size) < 0.95, gold[:, t - 1], 1 - gold[:, t - 1])
    observations = np.where(rng.random((size, steps)) < 0.8, gold, 1 - gold)
    lengths = rng.integers(3, steps + 1, size).astype(np.int32)
    table = tf.get_variable("table", [2, 2], tf.float32, tf.zeros_initializer())   # observation -> tag scores
    unary = tf.gather(table, tf.constant(observations))
    log_likelihood, transitions = crf.crf_log_likelihood(unary, gold, lengths)
    loss = -tf.reduce_mean(log_likelihood)
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    decoded, _ = crf.crf_decode(unary, transitions, lengths)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(100):
            sess.run(train)
        last, a, tags = sess.run([loss, transitions, decoded])
    assert last < first
    assert a[0, 0] > a[0, 1] and a[1, 1] > a[1, 0]
    real = np.arange(steps) < lengths[:, None]
    assert (tags[real] == gold[real]).mean() > (observations[real] == gold[real]).mean() + 0.05
