"""tf.nn.ctc_beam_search_decoder: prefix beam search, checked against the exact labelling probabilities of every
path (enumerated: a few frames and classes) when the beam is wide enough to keep every prefix."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.ctc_beam_search import decode


def _labellings_by_probability(log_probs):
    """Every labelling's exact log-probability: the sum over the paths that read it (repeats merged, blanks
    dropped), likeliest first."""
    steps, classes = log_probs.shape
    blank, found = classes - 1, {}
    for path in itertools.product(range(classes), repeat=steps):
        labels = tuple(c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1]))
        score = sum(log_probs[t, c] for t, c in enumerate(path))
        found[labels] = np.logaddexp(found.get(labels, -np.inf), score)
    return sorted(found.items(), key=lambda item: -item[1])


@pytest.mark.parametrize("seed", range(6))
def test_a_wide_beam_finds_the_exact_likeliest_labellings(seed):
    rng = np.random.default_rng(seed)
    steps, classes = int(rng.integers(2, 6)), int(rng.integers(2, 4))
    logits = 2 * rng.standard_normal((steps, classes))
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = _labellings_by_probability(log_probs)[:3]
    paths, scores = decode(log_probs, beam_width=1000, top_paths=len(expected), merge_repeated=False)
    assert [tuple(p) for p in paths] == [labels for labels, _ in expected]
    np.testing.assert_allclose(scores, [score for _, score in expected], rtol=1e-10)


def test_the_decoder_in_a_graph_reads_each_samples_length_and_returns_sparse_paths():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 2, 4)).astype(np.float32)
    x, lengths = tf.placeholder(tf.float32, [None, None, 4]), tf.placeholder(tf.int32, [None])
    decoded, log_probability = tf.nn.ctc_beam_search_decoder(x, lengths, beam_width=500, top_paths=2,
                                                              merge_repeated=False)
    assert len(decoded) == 2 and log_probability.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        paths, scores = sess.run([decoded, log_probability], {x: logits, lengths: [5, 3]})
    for b, length in enumerate([5, 3]):
        frames = logits[:length, b].astype(np.float64)
        expected = _labellings_by_probability(frames - np.log(np.exp(frames).sum(1, keepdims=True)))
        for k in range(2):
            row = paths[k].values[paths[k].indices[:, 0] == b].tolist()
            assert tuple(row) == expected[k][0]
            assert scores[b, k] == pytest.approx(expected[k][1], rel=1e-5)
    with pytest.raises(ValueError, match="top_paths <= beam_width"):
        tf.nn.ctc_beam_search_decoder(x, lengths, beam_width=2, top_paths=3)


def test_merge_repeated_merges_a_results_repeats_as_tensorflow_does():
    # two frames, each almost surely label 0, with a likely blank between: the labelling "0 0"
    log_probs = np.log(np.array([[0.98, 0.01, 0.01], [0.01, 0.01, 0.98], [0.98, 0.01, 0.01]]))
    merged, _ = decode(log_probs, beam_width=10, top_paths=1, merge_repeated=True)
    kept, _ = decode(log_probs, beam_width=10, top_paths=1, merge_repeated=False)
    assert kept == [[0, 0]] and merged == [[0]]
