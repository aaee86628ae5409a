"""``tf.nn.nce_loss``, ``tf.nn.sampled_softmax_loss`` and the candidate samplers: the losses against a numpy
computation on the same sampled classes (``sampled_values=``), their gradients against central differences
(float64), a tiny word2vec that learns, the samplers' draws, expected counts and seeding, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)
FLOAT32_MAX = np.finfo(np.float32).max
NUM_CLASSES, DIM = 10, 4
LABELS = np.array([[1, 4], [7, 2], [0, 3]], np.int64)           # 3 examples, num_true = 2
SAMPLED = np.array([5, 2, 9], np.int64)                          # class 2 is an accidental hit of example 1
TRUE_EXPECTED = np.array([[0.5, 0.2], [0.1, 0.3], [0.9, 0.25]], np.float32)   # the samplers' outputs are float32
SAMPLED_EXPECTED = np.array([0.15, 0.3, 0.05], np.float32)
LOG_TRUE, LOG_SAMPLED = np.log(TRUE_EXPECTED.astype(np.float64)), np.log(SAMPLED_EXPECTED.astype(np.float64))


def reference_logits(weights, biases, inputs, labels, sampled, remove_accidental_hits):
    true = np.einsum("bd,btd->bt", inputs, weights[labels]) + biases[labels] - LOG_TRUE
    noise = inputs @ weights[sampled].T + biases[sampled] - LOG_SAMPLED
    if remove_accidental_hits:
        noise = noise - FLOAT32_MAX * (labels[:, :, None] == sampled[None, None, :]).any(1)
    targets = np.concatenate([np.full(true.shape, 1 / labels.shape[1]), np.zeros(noise.shape)], 1)
    return np.concatenate([true, noise], 1), targets


def nce_reference(logits, targets):
    return (np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))).sum(1)


def softmax_reference(logits, targets):
    shifted = logits - logits.max(1, keepdims=True)
    return -(targets * (shifted - np.log(np.exp(shifted).sum(1, keepdims=True)))).sum(1)


def parameters():
    return (RNG.standard_normal((NUM_CLASSES, DIM)), RNG.standard_normal(NUM_CLASSES),
            RNG.standard_normal((len(LABELS), DIM)))


def given_samples():
    return SAMPLED, TRUE_EXPECTED, SAMPLED_EXPECTED


@pytest.mark.parametrize("remove_accidental_hits", [False, True])
def test_losses_against_numpy(remove_accidental_hits):
    weights, biases, inputs = parameters()
    nce = tf.nn.nce_loss(weights, biases, LABELS, inputs, 3, NUM_CLASSES, num_true=2, sampled_values=given_samples(),
                         remove_accidental_hits=remove_accidental_hits)
    softmax = tf.nn.sampled_softmax_loss(weights, biases, LABELS, inputs, 3, NUM_CLASSES, num_true=2,
                                         sampled_values=given_samples(),
                                         remove_accidental_hits=remove_accidental_hits)
    assert nce.shape == (3,) and softmax.shape == (3,) and nce.dtype == tf.float64
    logits, targets = reference_logits(weights, biases, inputs, LABELS, SAMPLED, remove_accidental_hits)
    got_nce, got_softmax = run([nce, softmax])
    np.testing.assert_allclose(got_nce, nce_reference(logits, targets), rtol=1e-10)
    np.testing.assert_allclose(got_softmax, softmax_reference(logits, targets), rtol=1e-10)


def test_one_true_class_int32_labels_and_names():
    weights, biases, inputs = parameters()
    labels = LABELS[:, :1].astype(np.int32)
    expected = (SAMPLED, TRUE_EXPECTED[:, :1], SAMPLED_EXPECTED)
    nce = tf.nn.nce_loss(weights, biases, labels, inputs, 3, NUM_CLASSES, sampled_values=expected)
    assert nce.name == "nce_loss:0"
    true = np.einsum("bd,bd->b", inputs, weights[labels[:, 0]]) + biases[labels[:, 0]] - LOG_TRUE[:, 0]
    noise = inputs @ weights[SAMPLED].T + biases[SAMPLED] - LOG_SAMPLED
    logits = np.concatenate([true[:, None], noise], 1)
    targets = np.concatenate([np.ones((3, 1)), np.zeros((3, 3))], 1)
    np.testing.assert_allclose(run(nce), nce_reference(logits, targets), rtol=1e-10)


@pytest.mark.parametrize("loss", [tf.nn.nce_loss, tf.nn.sampled_softmax_loss])
def test_gradients_against_central_differences(loss):
    sampled = (np.array([5, 6, 9], np.int64), TRUE_EXPECTED, SAMPLED_EXPECTED)     # no accidental hits
    check_gradients(lambda w, b, x: loss(w, b, LABELS, x, 3, NUM_CLASSES, num_true=2, sampled_values=sampled),
                    *parameters())


def test_word2vec_style_training_reduces_the_loss():
    tf.set_random_seed(3)
    vocabulary, dim, batch = 40, 8, 32
    embeddings = tf.Variable(tf.random_uniform([vocabulary, dim], -1.0, 1.0))
    nce_weights = tf.Variable(tf.truncated_normal([vocabulary, dim], stddev=1.0 / np.sqrt(dim)))
    nce_biases = tf.Variable(tf.zeros([vocabulary]))
    words = tf.placeholder(tf.int32, [batch])
    contexts = tf.placeholder(tf.int64, [batch, 1])
    embedded = tf.nn.embedding_lookup(embeddings, words)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, contexts, embedded, 8, vocabulary))
    softmax_loss = tf.reduce_mean(tf.nn.sampled_softmax_loss(nce_weights, nce_biases, contexts, embedded, 8,
                                                             vocabulary))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    rng = np.random.default_rng(1)
    data = rng.integers(0, vocabulary, 1000)
    context = (data * 7 + 3) % vocabulary                            # each word has one context word
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            pick = rng.integers(0, len(data), batch)
            losses.append(sess.run([loss, softmax_loss, train], {words: data[pick], contexts: context[pick, None]})[:2])
    first, last = np.mean(losses[:20], 0), np.mean(losses[-20:], 0)
    assert last[0] < 0.5 * first[0] and last[1] < 0.5 * first[1]


# ================================================================================================ samplers

def test_log_uniform_sampler_draws_and_expected_counts():
    tf.set_random_seed(0)
    labels = tf.constant(LABELS)
    unique = tf.nn.log_uniform_candidate_sampler(labels, 2, 6, True, 20)
    repeated = tf.random.log_uniform_candidate_sampler(labels, 2, 5, False, 20)
    assert [t.shape.as_list() for t in unique] == [[6], [3, 2], [6]]
    assert [t.dtype for t in unique] == [tf.int64, tf.float32, tf.float32]

    def p(c):
        return np.log((c + 2) / (c + 1)) / np.log(21)

    def expected(probability, tries, n):
        return probability * n if tries == n else -np.expm1(tries * np.log1p(-probability))
    with tf.Session() as sess:
        for _ in range(5):
            sampled, true_count, sampled_count = sess.run(unique)
            assert len(set(sampled)) == 6 and sampled.min() >= 0 and sampled.max() < 20
            # the number of tries T is no output: find the T that explains the counts, the same for all classes
            tries = next(t for t in range(6, 1000)
                         if np.allclose(expected(p(sampled), t, 6), sampled_count, rtol=1e-4))
            np.testing.assert_allclose(true_count, expected(p(LABELS), tries, 6), rtol=1e-4)
        sampled, true_count, sampled_count = sess.run(repeated)
        np.testing.assert_allclose(sampled_count, p(sampled) * 5, rtol=1e-6)
        np.testing.assert_allclose(true_count, p(LABELS) * 5, rtol=1e-6)


def test_sampling_frequencies_follow_the_distributions():
    labels = tf.constant([[0]], tf.int64)
    many = 20000
    log_uniform = tf.nn.log_uniform_candidate_sampler(labels, 1, many, False, 8, seed=1)[0]
    unigram = tf.nn.fixed_unigram_candidate_sampler(labels, 1, many, False, 5, unigrams=[4, 1, 9, 16],
                                                    distortion=0.5, num_reserved_ids=1, seed=2)[0]
    uniform = tf.nn.uniform_candidate_sampler(labels, 1, many, False, 4, seed=3)[0]
    got = run([log_uniform, unigram, uniform])
    classes = np.arange(8)
    np.testing.assert_allclose(np.bincount(got[0], minlength=8) / many,
                               np.log((classes + 2) / (classes + 1)) / np.log(9), atol=0.015)
    np.testing.assert_allclose(np.bincount(got[1], minlength=5) / many, [0, 2 / 10, 1 / 10, 3 / 10, 4 / 10],
                               atol=0.015)                                # reserved id 0 never; sqrt of the counts
    np.testing.assert_allclose(np.bincount(got[2], minlength=4) / many, [0.25] * 4, atol=0.015)


def test_vocab_file(tmp_path):
    vocabulary = tmp_path / "vocab.csv"
    vocabulary.write_text("the,30\nof,0\ncat,10\n")
    sampled, _, sampled_count = run(tf.nn.fixed_unigram_candidate_sampler(
        tf.constant([[0]], tf.int64), 1, 2000, False, 3, vocab_file=str(vocabulary), seed=1))
    assert set(sampled.tolist()) == {0, 2}
    np.testing.assert_allclose(sampled_count[sampled == 2], 2000 * 0.25)


def test_seeding():
    def draws():
        with tf.Graph().as_default():
            tf.set_random_seed(7)
            sampled = tf.nn.log_uniform_candidate_sampler(tf.constant(LABELS), 2, 4, True, 50)[0]
            with tf.Session() as sess:
                return sess.run(sampled), sess.run(sampled)
    first, again = draws(), draws()
    np.testing.assert_array_equal(first[0], again[0])                     # a new graph replays the draws
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])                         # each run draws anew


def test_sampler_errors():
    labels = tf.constant(LABELS)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Sampler's range is too small"):
        run(tf.nn.uniform_candidate_sampler(labels, 2, 5, True, 4))
    with pytest.raises(ValueError, match=r"must be a matrix \[batch_size, num_true\] with num_true = 1"):
        tf.nn.log_uniform_candidate_sampler(labels, 1, 2, True, 10)
    with pytest.raises(TypeError, match="int32 not in list of allowed values: int64"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([[1]], tf.int32), 1, 2, True, 10)
    with pytest.raises(ValueError, match="Must provide either vocab_file or unigrams"):
        tf.nn.fixed_unigram_candidate_sampler(labels, 2, 2, True, 10)
    with pytest.raises(ValueError, match="plus num_reserved_ids"):
        tf.nn.fixed_unigram_candidate_sampler(labels, 2, 2, True, 10, unigrams=[1, 2, 3])
    with pytest.raises(NotImplementedError, match="several partitions"):
        tf.nn.nce_loss([tf.zeros([5, 2]), tf.zeros([5, 2])], tf.zeros([5]), [[1]], tf.zeros([1, 2]), 2, 10)
