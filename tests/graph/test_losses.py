"""tf.losses: per-element losses against numpy/PyTorch, TF's weights and reductions (SUM_BY_NONZERO_WEIGHTS by
default), the LOSSES collection and get_total_loss, and TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


RNG = np.random.default_rng(0)
LABELS = RNG.standard_normal((4, 3))
PREDICTIONS = RNG.standard_normal((4, 3))
WEIGHTS = np.array([[1.0], [0.0], [2.0], [0.5]])   # per example, broadcast over the 3 columns; one is masked
Reduction = tf.losses.Reduction


def reduce_like_tf(losses, weights, reduction):
    """The reductions, written out with numpy (weights broadcast to the losses' shape)."""
    weighted = losses * weights
    weights = np.broadcast_to(weights, losses.shape)
    return {Reduction.NONE: weighted,
            Reduction.SUM: weighted.sum(),
            Reduction.MEAN: weighted.sum() / weights.sum(),
            Reduction.SUM_OVER_BATCH_SIZE: weighted.sum() / losses.size,
            Reduction.SUM_BY_NONZERO_WEIGHTS: weighted.sum() / (weights != 0).sum()}[reduction]


@pytest.mark.parametrize("reduction", Reduction.all())
@pytest.mark.parametrize("loss_fn, elementwise", [
    (tf.losses.mean_squared_error, lambda y, p: (p - y) ** 2),
    (tf.losses.absolute_difference, lambda y, p: np.abs(p - y)),
    (tf.losses.huber_loss, lambda y, p: np.where(np.abs(p - y) <= 1, 0.5 * (p - y) ** 2, np.abs(p - y) - 0.5)),
])
def test_regression_losses_and_every_reduction(loss_fn, elementwise, reduction):
    loss = loss_fn(LABELS, tf.constant(PREDICTIONS), weights=WEIGHTS, reduction=reduction)
    expected = reduce_like_tf(elementwise(LABELS, PREDICTIONS), WEIGHTS, reduction)
    np.testing.assert_allclose(run(loss), expected, rtol=1e-12)
    assert tf.get_default_graph().get_collection(tf.GraphKeys.LOSSES) == [loss]


def test_default_is_the_mean_and_the_gradient_follows():
    predictions = tf.constant(PREDICTIONS)
    loss = tf.losses.mean_squared_error(labels=LABELS, predictions=predictions)
    assert loss.shape == ()
    value, grad = run([loss, tf.gradients(loss, predictions)[0]])
    np.testing.assert_allclose(value, ((PREDICTIONS - LABELS) ** 2).mean(), rtol=1e-12)
    np.testing.assert_allclose(grad, 2 * (PREDICTIONS - LABELS) / PREDICTIONS.size, rtol=1e-12)


def test_huber_delta_and_float32_labels_cast():
    predictions = tf.placeholder(tf.float32, (None,))
    loss = tf.losses.huber_loss(np.array([0, 0, 0]), predictions, delta=2.0, reduction=Reduction.NONE)
    np.testing.assert_allclose(run(loss, {predictions: [1.0, -3.0, 2.0]}), [0.5, 2 * 3 - 2, 2.0])


def test_all_zero_weights_give_zero_not_nan():
    for reduction in (Reduction.MEAN, Reduction.SUM_BY_NONZERO_WEIGHTS):
        loss = tf.losses.mean_squared_error(LABELS, PREDICTIONS, weights=0.0, reduction=reduction)
        assert run(loss) == 0.0


def test_softmax_cross_entropy_with_smoothing_and_weights():
    logits = tf.constant(PREDICTIONS)
    onehot = np.eye(3)[[0, 2, 1, 1]]
    example_weights = np.array([1.0, 0.0, 2.0, 1.0])
    loss = tf.losses.softmax_cross_entropy(onehot, logits, weights=example_weights, label_smoothing=0.3)
    smoothed = onehot * 0.7 + 0.1
    log_p = PREDICTIONS - np.log(np.exp(PREDICTIONS).sum(-1, keepdims=True))
    per_example = -(smoothed * log_p).sum(-1)
    np.testing.assert_allclose(run(loss), (per_example * example_weights).sum() / 3, rtol=1e-12)
    # the labels are constants to the loss, even when they are a tensor
    labels = tf.constant(onehot)
    assert tf.gradients(tf.losses.softmax_cross_entropy(labels, logits), labels) == [None]
    unknown = tf.placeholder(tf.float64, (None, None))
    smooth_unknown = tf.losses.softmax_cross_entropy(unknown, logits, label_smoothing=0.3,
                                                     reduction=Reduction.NONE)
    np.testing.assert_allclose(run(smooth_unknown, {unknown: onehot}), per_example, rtol=1e-12)


def test_sparse_softmax_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    labels = np.array([2, 0, 1, 1])
    loss = tf.losses.sparse_softmax_cross_entropy(labels, tf.constant(PREDICTIONS))
    ref = torch.nn.functional.cross_entropy(torch.tensor(PREDICTIONS), torch.tensor(labels))
    np.testing.assert_allclose(run(loss), ref.item(), rtol=1e-12)
    column = tf.losses.sparse_softmax_cross_entropy(labels.reshape(4, 1), PREDICTIONS)  # [batch, 1] is squeezed
    np.testing.assert_allclose(run(column), ref.item(), rtol=1e-12)
    weighted = tf.losses.sparse_softmax_cross_entropy(labels, PREDICTIONS, weights=[1.0, 0.0, 1.0, 1.0])
    per = torch.nn.functional.cross_entropy(torch.tensor(PREDICTIONS), torch.tensor(labels), reduction="none")
    np.testing.assert_allclose(run(weighted), (per.sum() - per[1]).item() / 3, rtol=1e-12)


def test_sigmoid_cross_entropy_with_smoothing():
    z = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float64)
    loss = tf.losses.sigmoid_cross_entropy(z, tf.constant(PREDICTIONS), label_smoothing=0.2)
    smoothed = z * 0.8 + 0.1
    x = PREDICTIONS
    expected = np.maximum(x, 0) - x * smoothed + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(run(loss), expected.mean(), rtol=1e-12)


def test_collection_helpers_and_total_loss():
    graph = tf.get_default_graph()
    a = tf.losses.mean_squared_error(LABELS, PREDICTIONS)
    b = tf.losses.absolute_difference(LABELS, PREDICTIONS, loss_collection=None)   # kept out of LOSSES
    c = tf.constant(2.0, tf.float64)
    tf.losses.add_loss(c)
    assert tf.losses.get_losses() == [a, c]
    with tf.variable_scope("w"):
        tf.get_variable("v", (), tf.float64, tf.constant_initializer(3.0), regularizer=lambda v: v * 10.0)
    assert len(tf.losses.get_regularization_losses()) == 1
    total = tf.losses.get_total_loss()
    without = tf.losses.get_total_loss(add_regularization_losses=False)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a_v, b_v, total_v, without_v, reg = sess.run([a, b, total, without, tf.losses.get_regularization_loss()])
    assert b_v > 0 and b not in graph.get_collection(tf.GraphKeys.LOSSES)
    np.testing.assert_allclose(total_v, a_v + 2.0 + 30.0)
    np.testing.assert_allclose(without_v, a_v + 2.0)
    assert reg == 30.0


def test_errors():
    with pytest.raises(ValueError, match="No losses found"):
        tf.losses.get_total_loss()
    with pytest.raises(ValueError, match=r"Shapes \(4, 3\) and \(4, 2\) are incompatible"):
        tf.losses.mean_squared_error(np.zeros((4, 2)), PREDICTIONS)
    with pytest.raises(ValueError, match=r"Shapes \(4, 3\) and \(4, 4\) are incompatible"):
        tf.losses.softmax_cross_entropy(np.eye(4), PREDICTIONS)
    with pytest.raises(ValueError, match="labels must not be None."):
        tf.losses.mean_squared_error(None, PREDICTIONS)
    with pytest.raises(ValueError, match="Invalid Reduction Key mean."):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS, reduction="mean")
    with pytest.raises(ValueError, match="Rank mismatch: Rank of labels"):
        tf.losses.sparse_softmax_cross_entropy(np.zeros((4, 3), np.int32), PREDICTIONS)
    with pytest.raises(ValueError, match=r"weights can not be broadcast to values. values.rank=2. weights.rank=2. "
                                         r"values.shape=\(4, 3\). weights.shape=\(2, 3\)."):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS, weights=np.ones((2, 3)))
    with pytest.raises(ValueError, match="weights can not be broadcast to values. values.rank=2. weights.rank=3."):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS, weights=np.ones((4, 3, 1)))
