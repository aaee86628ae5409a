"""Targeted checks of the neural-network ops that the op table cannot express: the batch-norm running-statistics
contract, dropout's random masks, embedding's padding row and double backward, ignore_index and label smoothing
against PyTorch, and the numerically hard corners (logits of 1000, probabilities of exactly 0 and 1)."""
import sys
import warnings

import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.ops as ops

torch = pytest.importorskip("torch")
F = torch.nn.functional


def t(values, dtype=None, requires_grad=False):
    return torchlike.tensor(values, dtype=dtype, requires_grad=requires_grad)


def both(array, requires_grad=False):
    """The same values as a minidl and a PyTorch tensor (float64 for floats)."""
    array = np.asarray(array)
    if array.dtype.kind == "f":
        array = array.astype(np.float64)
    return t(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


# --------------------------------------------------------------------------------------------- batch_norm

def test_batch_norm_training_returns_the_running_statistics_pytorch_would_store():
    rng = np.random.default_rng(0)
    x, tx = both(rng.standard_normal((4, 3, 5)))
    rm, trm = both(rng.standard_normal(3))
    rv, trv = both(rng.random(3) + 0.5)
    result = ops.batch_norm_training(x, rm, rv, momentum=0.3)
    expected = F.batch_norm(tx, trm, trv, training=True, momentum=0.3)  # updates trm, trv in place
    np.testing.assert_allclose(result.output.numpy(), expected.numpy(), atol=1e-12)
    np.testing.assert_allclose(result.running_mean.numpy(), trm.numpy(), atol=1e-12)
    np.testing.assert_allclose(result.running_var.numpy(), trv.numpy(), atol=1e-12)  # unbiased batch variance
    np.testing.assert_allclose(result.mean.numpy(), tx.mean((0, 2)).numpy(), atol=1e-12)
    np.testing.assert_allclose(result.var.numpy(), tx.var((0, 2), unbiased=False).numpy(), atol=1e-12)


def test_batch_norm_is_pure_and_the_caller_stores_the_new_statistics():
    x = t(np.arange(12.0).reshape(4, 3))
    running_mean, running_var = torchlike.zeros(3, dtype=x.dtype), torchlike.ones(3, dtype=x.dtype)
    before = running_mean.numpy().copy(), running_var.numpy().copy()
    ops.batch_norm(x, running_mean, running_var, training=True)
    result = ops.batch_norm_training(x, running_mean, running_var)
    np.testing.assert_array_equal(running_mean.numpy(), before[0])  # untouched by either call
    np.testing.assert_array_equal(running_var.numpy(), before[1])
    with torchlike.no_grad():  # what nn.BatchNorm does with its buffers
        running_mean.copy_(result.running_mean)
        running_var.copy_(result.running_var)
    np.testing.assert_allclose(running_mean.numpy(), 0.1 * np.array([4.5, 5.5, 6.5]), rtol=1e-6)
    np.testing.assert_allclose(running_var.numpy(), 0.9 + 0.1 * np.var(np.arange(0, 12, 3.0), ddof=1), rtol=1e-6)


def test_batch_norm_without_running_statistics_gives_none():
    result = ops.batch_norm_training(torchlike.randn(4, 2))
    assert result.running_mean is None and result.running_var is None


def test_batch_norm_evaluation_uses_the_running_statistics():
    rng = np.random.default_rng(1)
    x, tx = both(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    w, tw = both(rng.standard_normal(3), requires_grad=True)
    rm, trm = both(rng.standard_normal(3))
    rv, trv = both(rng.random(3) + 0.5)
    y = ops.batch_norm(x, rm, rv, w, None, training=False)
    ty = F.batch_norm(tx, trm, trv, tw, None, training=False)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-12)
    g = rng.standard_normal(y.shape)
    grads = torchlike.autograd.grad(y, [x, w], t(g))
    t_grads = torch.autograd.grad(ty, [tx, tw], torch.tensor(g))
    for a, b in zip(grads, t_grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


def test_batch_norm_in_graph_mode_gives_the_statistics_to_assign():
    import minidl.graph as tf
    rng = np.random.default_rng(2)
    x_value = rng.standard_normal((5, 2)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, 2))
        result = ops.batch_norm_training(x, tf.constant(np.zeros(2, np.float32)),
                                         tf.constant(np.ones(2, np.float32)))
    with tf.Session(graph=graph) as session:
        output, mean, var = session.run([result.output, result.running_mean, result.running_var], {x: x_value})
    np.testing.assert_allclose(mean, 0.1 * x_value.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.9 + 0.1 * x_value.var(0, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(output.mean(0), 0, atol=1e-5)


# ------------------------------------------------------------------------------------------------ dropout

def test_dropout_mask_comes_from_the_generator_and_is_reproducible():
    x = torchlike.ones(200, 100)
    first = ops.dropout(x, 0.3, generator=np.random.default_rng(7)).numpy()
    second = ops.dropout(x, 0.3, generator=np.random.default_rng(7)).numpy()
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.7)}
    assert abs((first == 0).mean() - 0.3) < 0.02


def test_dropout_accepts_a_minidl_generator_and_the_registered_default():
    x = torchlike.ones(50)
    generator = torchlike.Generator().manual_seed(3)
    a = ops.dropout(x, 0.5, generator=generator).numpy()
    b = ops.dropout(x, 0.5, generator=torchlike.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)
    module = sys.modules["minidl.ops.dropout"]
    saved = module._default_generator
    module.set_default_generator(lambda: torchlike.Generator().manual_seed(3))
    try:
        np.testing.assert_array_equal(ops.dropout(x, 0.5).numpy(), a)
    finally:
        module.set_default_generator(saved)


def test_dropout_gradient_uses_the_same_mask():
    x = t(np.ones(1000), dtype=torchlike.float64, requires_grad=True)
    y = ops.dropout(x, 0.4, generator=np.random.default_rng(0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout_identity_and_zeros():
    x = t([1.0, -2.0, 3.0], requires_grad=True)
    assert ops.dropout(x, 0.5, training=False) is x
    assert ops.dropout(x, 0.0) is x
    y = ops.dropout(x, 1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), 0)
    np.testing.assert_array_equal(x.grad.numpy(), 0)


def test_dropout_mask_in_graph_mode_is_an_input():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, 3))
        keep = tf.placeholder(tf.bool, (None, 3))
        y = ops.dropout(x, 0.5, mask=keep)
    with tf.Session(graph=graph) as session:
        out = session.run(y, {x: np.ones((2, 3), np.float32), keep: np.array([[1, 0, 1], [0, 0, 1]], bool)})
    np.testing.assert_array_equal(out, [[2, 0, 2], [0, 0, 2]])


# ---------------------------------------------------------------------------------------------- embedding

def test_embedding_padding_row_gets_no_gradient_and_repeats_accumulate():
    rng = np.random.default_rng(3)
    w, tw = both(rng.standard_normal((5, 3)), requires_grad=True)
    ids, tids = both(np.array([[1, 2, 1], [0, 4, 1]]))
    g = rng.standard_normal((2, 3, 3))
    for padding_idx in (1, -4, None):
        grad = torchlike.autograd.grad(ops.embedding(ids, w, padding_idx=padding_idx), w, t(g))[0]
        expected = torch.autograd.grad(F.embedding(tids, tw, padding_idx=padding_idx), tw, torch.tensor(g))[0]
        np.testing.assert_allclose(grad.numpy(), expected.numpy(), atol=1e-12)


def test_embedding_double_backward_skips_the_padding_row():
    """The VJP's own VJP (for gradient penalties): d<u, dL/dweight>/dg reads u's rows, with the padding row 0."""
    rng = np.random.default_rng(4)
    w = t(rng.standard_normal((4, 2)), requires_grad=True)
    ids = t(np.array([0, 3, 3, 1]))
    g = t(rng.standard_normal((4, 2)), requires_grad=True)
    grad_w = torchlike.autograd.grad(ops.embedding(ids, w, padding_idx=3), w, g, create_graph=True)[0]
    u = rng.standard_normal((4, 2))
    (grad_g,) = torchlike.autograd.grad((grad_w * t(u)).sum(), g)
    expected = np.where((ids.numpy() == 3)[:, None], 0.0, u[ids.numpy()])
    np.testing.assert_allclose(grad_g.numpy(), expected)


# ---------------------------------------------------------------------------------------- cross_entropy

@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ignored_targets_have_no_loss_and_no_gradient(ignore_index, reduction):
    rng = np.random.default_rng(5)
    x, tx = both(rng.standard_normal((5, 4)), requires_grad=True)
    y, ty = both(np.array([0, ignore_index, 3, ignore_index, 1]))
    w, tw = both(rng.random(4) + 0.5)
    loss = ops.cross_entropy(x, y, weight=w, ignore_index=ignore_index, reduction=reduction, label_smoothing=0.1)
    expected = F.cross_entropy(tx, ty, weight=tw, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=0.1)
    np.testing.assert_allclose(loss.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    np.testing.assert_array_equal(x.grad.numpy()[[1, 3]], 0)


def test_all_targets_ignored_gives_nan_mean_like_pytorch():
    loss = ops.cross_entropy(torchlike.zeros(2, 3), t(np.array([-100, -100])))
    assert np.isnan(loss.item()) and np.isnan(F.cross_entropy(torch.zeros(2, 3), torch.tensor([-100, -100])).item())


@pytest.mark.parametrize("label_smoothing", [0.0, 0.25, 1.0])
def test_label_smoothing_matches_pytorch_for_indices_and_probabilities(label_smoothing):
    rng = np.random.default_rng(6)
    x, tx = both(rng.standard_normal((3, 5, 2)), requires_grad=True)
    y, ty = both(rng.integers(0, 5, (3, 2)))
    p = rng.random((3, 5, 2))
    p, tp = both(p / p.sum(1, keepdims=True))
    w, tw = both(rng.random(5) + 0.5)
    for target, t_target in ((y, ty), (p, tp)):
        loss = ops.cross_entropy(x, target, weight=w, label_smoothing=label_smoothing)
        expected = F.cross_entropy(tx, t_target, weight=tw, label_smoothing=label_smoothing)
        np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
        (grad,) = torchlike.autograd.grad(loss, x)
        (t_grad,) = torch.autograd.grad(expected, tx)
        np.testing.assert_allclose(grad.numpy(), t_grad.numpy(), atol=1e-12)


def test_gradient_is_softmax_minus_onehot():
    x = t([[1.0, 2.0, 3.0]], dtype=torchlike.float64, requires_grad=True)
    ops.cross_entropy(x, t(np.array([2]))).backward()
    softmax = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(x.grad.numpy()[0], softmax - [0, 0, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_of_1000_do_not_overflow(dtype):
    logits = np.array([[1000.0, 0.0, -1000.0], [1000.0, 999.5, 0.0], [-1000.0, -1000.0, -999.0]], dtype=dtype)
    x = t(logits, requires_grad=True)
    target = t(np.array([2, 1, 0]))
    loss = ops.cross_entropy(x, target, reduction="none")
    loss.sum().backward()
    expected = F.cross_entropy(torch.tensor(logits, dtype=torch.float64), torch.tensor([2, 1, 0]), reduction="none")
    assert np.isfinite(loss.detach().numpy()).all() and np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(loss.detach().numpy(), expected.numpy(), rtol=1e-6)
    probs = np.exp(logits.astype(np.float64) - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), probs - np.eye(3)[[2, 1, 0]], atol=1e-6)


# ------------------------------------------------------------------------------------ binary and kl losses

def test_bce_at_exactly_0_and_1_is_finite_like_pytorch():
    p, tp = both([0.0, 1.0, 0.5], requires_grad=True)
    y, ty = both([1.0, 0.0, 0.5])
    loss = ops.binary_cross_entropy(p, y, reduction="none")
    expected = F.binary_cross_entropy(tp, ty, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), expected.detach().numpy())  # 100 where a log is clamped
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy())  # the 1e-12 floor: large but finite


def test_bce_with_logits_is_stable_and_exact_at_zero():
    x, tx = both([0.0, 0.0, 1000.0, -1000.0, 40.0], requires_grad=True)
    y, ty = both([1.0, 0.25, 0.0, 1.0, 1.0])
    loss = ops.binary_cross_entropy_with_logits(x, y, reduction="none")
    expected = F.binary_cross_entropy_with_logits(tx, ty, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-0.5, 0.25, 1.0, -1.0, -np.exp(-40.0)], rtol=1e-12)


def test_kl_div_with_zero_targets_and_its_warning():
    x, tx = both(np.log([0.2, 0.3, 0.5]), requires_grad=True)
    y, ty = both([0.0, 0.4, 0.6], requires_grad=True)
    loss = ops.kl_div(x, y, reduction="sum")
    expected = F.kl_div(tx, ty, reduction="sum")
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
    gx, gy = torchlike.autograd.grad(loss, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, -0.4, -0.6])
    # d/dy = log y + 1 - x, and NaN at a zero target (log 0 + 1 - x times 0, as PyTorch's xlogy gives it)
    np.testing.assert_allclose(gy.numpy(), [np.nan, np.log(0.4 / 0.3) + 1, np.log(0.6 / 0.5) + 1], rtol=1e-12)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ops.kl_div(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # (numpy's log(0) warning is float_errors.py's business)
        ops.kl_div(x, y, reduction="batchmean")
