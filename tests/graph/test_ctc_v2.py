"""tf.nn.ctc_loss_v2 (against torch's ctc_loss and TF1's tf.nn.ctc_loss), collapse_repeated, ctc_unique_labels
(TF's documented examples and a plain-Python reference), compute_accidental_hits; gradients against central
differences; TF's errors."""
import numpy as np
import pytest
import torch

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(11)


def _torch_ctc(logits, labels, label_length, logit_length, blank):
    log_probs = torch.from_numpy(logits).log_softmax(2)
    return torch.nn.functional.ctc_loss(log_probs, torch.from_numpy(labels), torch.from_numpy(logit_length),
                                        torch.from_numpy(label_length), blank=blank, reduction="none").numpy()


# ============================================================================================== ctc_loss_v2

@pytest.mark.parametrize("blank_index, blank", [(None, 0), (2, 2), (-1, 5), (5, 5)])
def test_ctc_loss_v2_matches_torch_with_the_blank_anywhere(blank_index, blank):
    logits = RNG.standard_normal((8, 3, 6))  # [frames, batch, classes]
    real = [c for c in range(6) if c != blank]
    labels = np.array(real, dtype=np.int64)[RNG.integers(0, 5, (3, 4))]
    label_length, logit_length = np.array([4, 2, 3]), np.array([8, 6, 7])
    labels[1, 2:] = 0  # padding past a row's labels is never read
    got = tf.nn.ctc_loss_v2(labels, logits, label_length, logit_length, blank_index=blank_index)
    np.testing.assert_allclose(run(got), _torch_ctc(logits, labels, label_length, logit_length, blank), rtol=1e-7)


def test_ctc_loss_v2_batch_major_sparse_labels_and_tf1s_loss():
    logits = RNG.standard_normal((2, 6, 4))  # [batch, frames, classes]
    labels = tf.SparseTensorValue([[0, 0], [0, 1], [1, 0]], np.array([1, 2, 0]), [2, 2])
    got = tf.nn.ctc_loss_v2(labels, logits, None, [6, 5], logits_time_major=False, blank_index=-1)
    tf1 = tf.nn.ctc_loss(labels, logits, [6, 5], time_major=False)
    dense = tf.nn.ctc_loss_v2(np.array([[1, 2], [0, 0]]), logits, [2, 1], [6, 5], logits_time_major=False,
                              blank_index=3)
    np.testing.assert_allclose(*run([got, tf1]), rtol=1e-10)
    np.testing.assert_allclose(*run([dense, tf1]), rtol=1e-10)


def test_ctc_loss_v2_gradient_and_errors():
    labels = np.array([[1, 2], [2, 0]])
    check_gradients(lambda z: tf.nn.ctc_loss_v2(labels, z, [2, 1], [5, 4]), RNG.standard_normal((5, 2, 3)))
    with pytest.raises(ValueError, match="blank_index must be given when using SparseTensor labels"):
        tf.nn.ctc_loss_v2(tf.SparseTensorValue([[0, 0]], [1], [1, 1]), np.zeros((3, 1, 3)), None, [3])
    with pytest.raises(ValueError, match="label_length is required with dense labels"):
        tf.nn.ctc_loss_v2(labels, np.zeros((5, 2, 3)), None, [5, 4])
    with pytest.raises(ValueError, match="blank_index 7 is out of range for 3 classes"):
        tf.nn.ctc_loss_v2(labels, np.zeros((5, 2, 3)), [2, 1], [5, 4], blank_index=7)
    with pytest.raises(ValueError, match="rank 3"):
        tf.nn.ctc_loss_v2(labels, np.zeros((5, 3)), [2, 1], [5, 4])


# ============================================================================== collapse_repeated, unique

def _collapse(row, length):
    kept = [v for i, v in enumerate(row[:length]) if i == 0 or v != row[i - 1]]
    return kept


def test_collapse_repeated_tfs_example_and_a_reference():
    collapsed, lengths = run(tf.nn.collapse_repeated(np.array([[1, 1, 2, 2, 1], [1, 2, 3, 4, 5]], np.int32),
                                                     [5, 5]))
    np.testing.assert_array_equal(collapsed, [[1, 2, 1, 0, 0], [1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(lengths, [3, 5])
    assert collapsed.dtype == np.int32 and lengths.dtype == np.int32
    labels, seq_length = RNG.integers(1, 4, (6, 7)), RNG.integers(0, 8, 6)
    collapsed, lengths = run(tf.nn.collapse_repeated(labels, seq_length))
    rows = [_collapse(list(row), n) for row, n in zip(labels, seq_length)]
    assert lengths.tolist() == [len(r) for r in rows]
    assert collapsed.shape == (6, max(len(r) for r in rows))
    for row, expected in zip(collapsed, rows):
        assert row.tolist() == expected + [0] * (collapsed.shape[1] - len(expected))


def test_ctc_unique_labels_tfs_example_and_a_reference():
    unique, indices = run(tf.nn.ctc_unique_labels([[3, 4, 4, 3]]))
    assert unique.tolist() == [[3, 4, 0, 0]] and indices.tolist() == [[0, 1, 1, 0]]
    assert unique.dtype == np.int64 and indices.dtype == np.int32
    labels = tf.placeholder(tf.int64, [None, None])
    value = RNG.integers(0, 4, (5, 6))
    unique, indices = run(tf.nn.ctc_unique_labels(labels), {labels: value})
    for row, u, i in zip(value, unique, indices):
        distinct = list(dict.fromkeys(row.tolist()))
        assert u.tolist() == distinct + [0] * (len(row) - len(distinct))
        assert i.tolist() == [distinct.index(v) for v in row]
    with pytest.raises(ValueError, match=r"labels must be a \[batch, max_length\] matrix"):
        tf.nn.ctc_unique_labels([1, 2, 3])


# ============================================================================== compute_accidental_hits

def test_compute_accidental_hits_lists_each_hit_by_row_then_true_class():
    true_classes = np.array([[1, 2], [3, 4], [7, 1]], dtype=np.int64)
    sampled = np.array([4, 1, 7, 2], dtype=np.int64)
    indices, ids, weights = run(tf.nn.compute_accidental_hits(true_classes, sampled, 2))
    assert indices.tolist() == [0, 0, 1, 2, 2] and ids.tolist() == [1, 3, 0, 2, 1]
    assert indices.dtype == np.int32 and ids.dtype == np.int64 and weights.dtype == np.float32
    np.testing.assert_array_equal(weights, -np.finfo(np.float32).max)
    with pytest.raises(ValueError, match="true_classes must have num_true columns"):
        tf.nn.compute_accidental_hits(true_classes, sampled, 3)
    with pytest.raises(TypeError, match="int32 not in list of allowed values: int64"):
        tf.nn.compute_accidental_hits(true_classes.astype(np.int32), sampled, 2)
