"""What a differential fuzz of the classification losses against PyTorch 2.13 found, each fixed:

* an ignored target (``ignore_index``) whose logits are -inf — the usual padding — made cross_entropy and
  nll_loss NaN (0 * inf): ignored positions must add exactly 0 to the loss and to its first and second
  derivatives;
* cross_entropy with probability targets and ``weight``: the second derivative with respect to the weight;
* multilabel_margin_loss: an inf score in a slot after the -1 terminator gave NaN.

Values and gradients are compared with PyTorch, and gradients with float64 central differences.
"""
import math

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences

inf = math.inf
F = T.nn.functional

# three kept rows, then two ignored ones: padding (every logit -inf) and a row mixing -inf and +inf
LOGITS = np.array([[1.0, 2.0, 0.5, -1.0], [0.3, -0.7, 1.1, 0.2], [-3.0, 0.4, -0.2, 0.9],
                   [-inf, -inf, -inf, -inf], [inf, -inf, 0.5, 1.0]])
TARGETS = np.array([0, 2, 3, -100, -100])
KEPT = TARGETS != -100
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.5, 0.8])
# the direction the second-order checks differentiate the gradient along
DIRECTION = np.arange(LOGITS.size, dtype=np.float64).reshape(LOGITS.shape) / 7 - 1


def _cross_entropy(L, x, reduction, label_smoothing, weighted):
    weight = L.tensor(CLASS_WEIGHTS) if weighted else None
    loss = L.nn.functional.cross_entropy(x, L.tensor(TARGETS), weight=weight, reduction=reduction,
                                         label_smoothing=label_smoothing)
    return loss.sum()


def _gradient_along(L, x, loss_of, direction):
    """sum(d loss / dx * direction), recorded so that it can be differentiated again."""
    gradient, = L.autograd.grad(loss_of(L, x), x, create_graph=True)
    return (gradient * L.tensor(direction)).sum()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gives_ignored_rows_of_infinite_logits_nothing(reduction, label_smoothing, weighted):
    """PyTorch agrees on the loss and on every kept row's gradients; for the all -inf row its gradients are NaN
    (log_softmax's backward multiplies exp(NaN) by 0), where the loss does not depend on that row at all."""
    torch = pytest.importorskip("torch")

    def loss_of(L, x):
        return _cross_entropy(L, x, reduction, label_smoothing, weighted)

    x = T.tensor(LOGITS, requires_grad=True)
    theirs = torch.tensor(LOGITS, requires_grad=True)
    np.testing.assert_allclose(loss_of(T, x).item(), loss_of(torch, theirs).item(), rtol=1e-12)

    first, = T.autograd.grad(loss_of(T, x), x)
    their_first, = torch.autograd.grad(loss_of(torch, theirs), theirs)
    np.testing.assert_allclose(first.numpy()[KEPT], their_first.numpy()[KEPT], rtol=1e-12, atol=1e-15)
    assert (first.numpy()[~KEPT] == 0).all()

    second, = T.autograd.grad(_gradient_along(T, x, loss_of, DIRECTION), x)
    their_second, = torch.autograd.grad(_gradient_along(torch, theirs, loss_of, DIRECTION), theirs)
    np.testing.assert_allclose(second.numpy()[KEPT], their_second.numpy()[KEPT], rtol=1e-10, atol=1e-13)
    assert (second.numpy()[~KEPT] == 0).all()

    # and both orders against central differences of the order below (an infinite logit cannot move: x ± h = x)
    np.testing.assert_allclose(first.numpy(), central_differences(lambda v: loss_of(T, v), LOGITS),
                               rtol=1e-6, atol=1e-7)

    def gradient_along(values):
        with T.enable_grad():
            return _gradient_along(T, values.requires_grad_(), loss_of, DIRECTION)
    np.testing.assert_allclose(second.numpy(), central_differences(gradient_along, LOGITS), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)])
def test_cross_entropy_of_only_ignored_targets(shape):
    """'mean' over nothing is 0/0: NaN, as in PyTorch; the gradient is still exactly 0, padding included."""
    logits = np.where(np.arange(np.prod(shape)).reshape(shape) % 3 == 0, -inf, 0.5)
    x = T.tensor(logits, requires_grad=True)
    target = T.full(shape[:1] + shape[2:], -100, dtype=T.int64)
    loss = F.cross_entropy(x, target, weight=T.tensor(CLASS_WEIGHTS))
    assert math.isnan(loss.item())
    first, = T.autograd.grad(loss, x, create_graph=True)
    assert (first.detach().numpy() == 0).all()
    second, = T.autograd.grad((first * T.tensor(np.ones(shape))).sum(), x, allow_unused=True)
    assert second is None or (second.numpy() == 0).all()


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 2)])
def test_cross_entropy_with_padding_over_extra_dims_matches_pytorch(shape):
    """(N, C, d) logits with whole positions masked to -inf and ignored, the everyday sequence-padding case."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits = rng.standard_normal(shape)
    target = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
    target.reshape(-1)[::3] = -100
    padded = np.expand_dims(target == -100, 1)
    logits = np.where(padded, -inf, logits)
    values = []
    for L in (T, torch):
        x = L.tensor(logits, requires_grad=True)
        loss = L.nn.functional.cross_entropy(x, L.tensor(target), label_smoothing=0.1)
        gradient, = L.autograd.grad(loss, x)
        values.append((loss.item(), np.where(padded, 0.0, gradient.numpy())))
    (ours, our_gradient), (theirs, their_gradient) = values
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_skips_an_ignored_infinite_log_probability(reduction, weighted):
    """nll_loss reads only the target's entry: an inf elsewhere in an ignored row, or at the ignored class, is
    never multiplied by anything; the gradient is PyTorch's (0 in ignored rows)."""
    torch = pytest.importorskip("torch")
    log_probs = np.array([[-1.0, -2.0, -0.5], [inf, 0.0, -inf], [-0.3, -inf, -1.2], [-inf, -inf, -inf]])
    target = np.array([1, 0, 2, 0])  # ignore_index=0: rows 1 and 3 are skipped
    results = []
    for L in (T, torch):
        x = L.tensor(log_probs, requires_grad=True)
        weight = L.tensor(CLASS_WEIGHTS[:3]) if weighted else None
        loss = L.nn.functional.nll_loss(x, L.tensor(target), weight=weight, ignore_index=0, reduction=reduction)
        gradient, = L.autograd.grad(loss.sum(), x)
        results.append((loss.detach().numpy(), gradient.numpy()))
    (ours, our_gradient), (theirs, their_gradient) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-12)


# ------------------------------------------------------------------ probabilities with weights, second order

@pytest.mark.parametrize("shape", [(4, 5), (3, 5, 2)])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_second_derivative_of_cross_entropy_with_respect_to_the_class_weights(reduction, label_smoothing, shape):
    """With probability targets q = weight ((1 - ε) t + ε/C), and dloss/dx depends on the weight: the weight's
    gradient of ``sum(dloss/dx * direction) + loss`` against PyTorch and central differences."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits, scores, direction = (rng.standard_normal(shape) for _ in range(3))
    start = np.abs(rng.standard_normal(shape[1])) + 0.2
    per_position = rng.standard_normal(shape[:1] + shape[2:])  # weighs the 'none' losses

    def penalty(L, weight):
        x = L.tensor(logits, requires_grad=True)
        target = L.softmax(L.tensor(scores), 1)
        loss = L.nn.functional.cross_entropy(x, target, weight=weight, reduction=reduction,
                                             label_smoothing=label_smoothing)
        loss = (loss * L.tensor(per_position)).sum() if reduction == "none" else loss
        gradient, = L.autograd.grad(loss, x, create_graph=True)
        return (gradient * L.tensor(direction)).sum() + loss

    weight = T.tensor(start, requires_grad=True)
    ours, = T.autograd.grad(penalty(T, weight), weight)
    theirs = torch.tensor(start, requires_grad=True)
    expected, = torch.autograd.grad(penalty(torch, theirs), theirs)
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-10, atol=1e-13)

    def numeric_penalty(values):
        with T.enable_grad():
            return penalty(T, values)
    np.testing.assert_allclose(ours.numpy(), central_differences(numeric_penalty, start), rtol=1e-6, atol=1e-8)


def test_the_gradient_of_cross_entropy_alone_reaches_the_class_weights():
    """``sum(dloss/dx * t)`` depends on the weight only through dloss/dx: it used to be 'not used in the graph'."""
    rng = np.random.default_rng(2)
    logits, scores = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    x, weight = T.tensor(logits, requires_grad=True), T.tensor(CLASS_WEIGHTS[:3], requires_grad=True)
    loss = F.cross_entropy(x, T.softmax(T.tensor(scores), 1), weight=weight)
    gradient, = T.autograd.grad(loss, x, create_graph=True)
    ours, = T.autograd.grad((gradient * T.tensor(scores)).sum(), weight)
    # by hand: dx = (p q_total - q) / N with q = weight t, so d/dweight_c sum(dx s) = sum_n t_c (sum p s - s_c) / N
    p, t = T.softmax(T.tensor(logits), 1).numpy(), T.softmax(T.tensor(scores), 1).numpy()
    expected = (t * ((p * scores).sum(1, keepdims=True) - scores)).sum(0) / 4
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)


# ------------------------------------------------------------------------------------ multilabel_margin_loss

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_ignores_infinite_scores_after_the_terminator(reduction):
    """Row 0: -inf in a slot after the -1 (whose stale label is class 1). Row 1: +inf scores of listed classes
    (their pair with each other is left out: 1 - inf + inf is NaN). Row 2: nothing unusual."""
    torch = pytest.importorskip("torch")
    scores = np.array([[0.1, -inf, 0.3, 0.5], [inf, 0.2, -0.3, inf], [0.4, 0.2, -0.3, 0.9]])
    target = np.array([[0, -1, 1, 2], [3, 0, -1, 1], [2, 1, -1, 3]])
    results = []
    for L in (T, torch):
        x = L.tensor(scores, requires_grad=True)
        loss = L.nn.functional.multilabel_margin_loss(x, L.tensor(target), reduction=reduction)
        gradient, = L.autograd.grad(loss.sum(), x)
        results.append((loss.detach().numpy(), gradient.numpy()))
    (ours, our_gradient), (theirs, their_gradient) = results
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-12)
