"""Loss modules against PyTorch (value and gradient, every reduction and option), their buffers, a numpy
reference for a few, and errors."""
import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import run_both, torch_or_skip

rng = numpy.random.default_rng(2)
N, C = 4, 3
LOGITS = rng.standard_normal((N, C))
LOGITS_2D = rng.standard_normal((N, C, 2, 3))
CLASSES = numpy.array([0, 2, 1, 2])
CLASSES_2D = rng.integers(0, C, (N, 2, 3))
PROBS = rng.dirichlet(numpy.ones(C), N)
PROBS_2D = rng.dirichlet(numpy.ones(C), (N, 2, 3)).transpose(0, 3, 1, 2)   # (N, C, 2, 3), summing to 1 over C
WEIGHT = numpy.array([0.5, 2.0, 1.0])
X, Y = rng.standard_normal((N, C)) * 2, rng.standard_normal((N, C)) * 2
P = rng.uniform(0.05, 0.95, (N, C))
TARGET01 = rng.uniform(0, 1, (N, C))


def _both(name, *args, **kwargs):
    """The loss module in both frameworks; tensor-valued options (weights) given as numpy arrays."""
    torch = torch_or_skip()

    def convert(make):
        return {k: (make(v) if isinstance(v, numpy.ndarray) else v) for k, v in kwargs.items()}
    mine = getattr(nn, name)(*args, **convert(torchlike.tensor))
    theirs = getattr(torch.nn, name)(*args, **convert(torch.tensor))
    return mine, theirs


CASES = [
    ("L1Loss", {}, (X, Y)),
    ("MSELoss", {}, (X, Y)),
    ("SmoothL1Loss", {}, (X, Y)),
    ("SmoothL1Loss", {"beta": 0.5}, (X, Y)),
    ("HuberLoss", {}, (X, Y)),
    ("HuberLoss", {"delta": 2.5}, (X, Y)),
    ("NLLLoss", {}, (LOGITS, CLASSES)),
    ("NLLLoss", {"weight": WEIGHT, "ignore_index": 1}, (LOGITS, CLASSES)),
    ("NLLLoss", {"weight": WEIGHT}, (LOGITS_2D, CLASSES_2D)),
    ("CrossEntropyLoss", {}, (LOGITS, CLASSES)),
    ("CrossEntropyLoss", {"weight": WEIGHT, "ignore_index": 2}, (LOGITS, CLASSES)),
    ("CrossEntropyLoss", {"label_smoothing": 0.2}, (LOGITS, CLASSES)),
    ("CrossEntropyLoss", {"weight": WEIGHT, "label_smoothing": 0.1}, (LOGITS_2D, CLASSES_2D)),
    ("CrossEntropyLoss", {}, (LOGITS, PROBS)),
    ("CrossEntropyLoss", {"weight": WEIGHT, "label_smoothing": 0.3}, (LOGITS, PROBS)),
    ("CrossEntropyLoss", {}, (LOGITS[0], numpy.array(2))),
    ("BCELoss", {}, (P, TARGET01)),
    ("BCELoss", {"weight": WEIGHT}, (P, TARGET01)),
    ("BCEWithLogitsLoss", {}, (X, TARGET01)),
    ("BCEWithLogitsLoss", {"weight": WEIGHT, "pos_weight": numpy.array([1.0, 3.0, 0.5])}, (X, TARGET01)),
    ("KLDivLoss", {"reduction": "batchmean"}, (numpy.log(PROBS), PROBS[::-1].copy())),
    ("KLDivLoss", {"log_target": True}, (numpy.log(PROBS), numpy.log(PROBS[::-1]))),
]


@pytest.mark.filterwarnings("ignore:kl_div", "ignore:reduction")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, inputs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_loss_matches_pytorch(name, kwargs, inputs, reduction):
    if name == "KLDivLoss" and kwargs.get("reduction") == "batchmean" and reduction != "mean":
        pytest.skip("batchmean case already given")
    kwargs = {"reduction": reduction, **kwargs}
    mine, theirs = _both(name, **kwargs)
    run_both(mine, theirs, *inputs)
    assert repr(mine) == repr(theirs)


def test_target_gradient_where_pytorch_has_one():
    """Probability targets of cross-entropy and the targets of the regression losses are differentiable."""
    for name, inputs in (("CrossEntropyLoss", (LOGITS, PROBS)), ("MSELoss", (X, Y)), ("L1Loss", (X, Y)),
                         ("BCEWithLogitsLoss", (X, TARGET01))):
        mine, theirs = _both(name)
        run_both(mine, theirs, *inputs)  # run_both compares the gradient of every float input


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("logits, probs", [(LOGITS_2D, PROBS_2D), (LOGITS[0], PROBS[0])], ids=["2d", "unbatched"])
def test_class_weights_get_a_gradient_from_probability_targets(label_smoothing, reduction, logits, probs):
    """With probabilities the loss is a weighted sum: PyTorch differentiates it in the weights too — first order,
    and through the gradient of the logits (second order) — for a batch and for one unbatched (C,) input."""
    torch = torch_or_skip()
    grads = []
    for lib in (torchlike, torch):
        x, w = lib.tensor(logits, requires_grad=True), lib.tensor(WEIGHT, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(probs), weight=w, reduction=reduction,
                                               label_smoothing=label_smoothing)
        weighted = (loss * lib.tensor(numpy.arange(1.0, loss.numel() + 1).reshape(tuple(loss.shape)))).sum()
        first = lib.autograd.grad(weighted, (x, w), create_graph=True)
        second = lib.autograd.grad((first[0] * lib.tensor(logits)).sum(), w)[0]
        grads.append([g.detach().numpy() for g in first] + [second.numpy()])
    for mine, theirs in zip(*grads):
        numpy.testing.assert_allclose(mine, theirs, rtol=1e-10)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_a_mean_over_no_weight_is_nan_as_in_pytorch(label_smoothing):
    """Every target's class of weight 0 (or ignored): 'mean' divides by 0, which PyTorch's loss shows as NaN —
    also with smoothing, whose part alone would be finite/0 = inf."""
    x = torchlike.tensor(LOGITS, requires_grad=True)
    weight = torchlike.tensor([0.0, 1.0, 0.0])
    for kwargs in ({"weight": weight}, {"ignore_index": 2}):
        target = torchlike.tensor([0, 2, 0, 2]) if "weight" in kwargs else torchlike.tensor([2, 2, 2, 2])
        loss = F.cross_entropy(x, target, label_smoothing=label_smoothing, **kwargs)
        assert numpy.isnan(loss.item())


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_class_weights_of_class_index_targets_cannot_require_grad(lib):
    lib = torch_or_skip() if lib == "torch" else torchlike
    x, w = lib.tensor(LOGITS, requires_grad=True), lib.tensor(WEIGHT, requires_grad=True)
    for loss in (lambda: lib.nn.functional.cross_entropy(x, lib.tensor(CLASSES), weight=w),
                 lambda: lib.nn.functional.nll_loss(x.log_softmax(1), lib.tensor(CLASSES), weight=w)):
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
            loss()
    with lib.no_grad():
        assert loss().item() > 0


def test_weights_are_buffers_in_the_state_dict():
    torch = torch_or_skip()
    for name, kwargs in (("CrossEntropyLoss", {"weight": WEIGHT}), ("NLLLoss", {}),
                         ("BCEWithLogitsLoss", {"pos_weight": WEIGHT}), ("BCELoss", {"weight": WEIGHT})):
        mine, theirs = _both(name, **kwargs)
        assert list(mine.state_dict()) == list(theirs.state_dict())
    loss = nn.CrossEntropyLoss(weight=torchlike.tensor(WEIGHT)).float()
    assert loss.weight.dtype == torchlike.float32  # moved by .float() like every buffer
    del torch


def test_cross_entropy_against_numpy():
    x = torchlike.tensor(LOGITS, requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, torchlike.tensor(CLASSES))
    shifted = LOGITS - LOGITS.max(1, keepdims=True)
    log_p = shifted - numpy.log(numpy.exp(shifted).sum(1, keepdims=True))
    assert float(loss) == pytest.approx(-log_p[numpy.arange(N), CLASSES].mean(), rel=1e-12)
    loss.backward()
    expected = numpy.exp(log_p)
    expected[numpy.arange(N), CLASSES] -= 1
    numpy.testing.assert_allclose(x.grad.numpy(), expected / N, rtol=1e-10)


def test_mse_and_huber_against_numpy():
    x, y = torchlike.tensor(X), torchlike.tensor(Y)
    assert float(nn.MSELoss()(x, y)) == pytest.approx(((X - Y) ** 2).mean(), rel=1e-12)
    d = numpy.abs(X - Y)
    huber = numpy.where(d <= 1.5, 0.5 * d ** 2, 1.5 * (d - 0.75))
    numpy.testing.assert_allclose(nn.HuberLoss("none", 1.5)(x, y).numpy(), huber, rtol=1e-12)
    numpy.testing.assert_allclose(nn.SmoothL1Loss(reduction="sum", beta=1.5)(x, y).numpy(), huber.sum() / 1.5,
                                  rtol=1e-12)


def test_a_classifier_training_step_reduces_the_loss():
    torchlike.manual_seed(0)
    model = nn.Sequential(nn.Linear(C, 8), nn.ReLU(), nn.Linear(8, C))
    x, y = torchlike.tensor(LOGITS, dtype=torchlike.float32), torchlike.tensor(CLASSES)
    loss_fn = nn.CrossEntropyLoss()
    before = float(loss_fn(model(x), y))
    for _ in range(20):
        model.zero_grad()
        loss_fn(model(x), y).backward()
        with torchlike.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert float(loss_fn(model(x), y)) < before


def test_functional_losses_take_pytorch_arguments():
    torch = torch_or_skip()
    tF = torch.nn.functional
    x, t = torchlike.tensor(LOGITS), torchlike.tensor(CLASSES)
    tx, tt = torch.tensor(LOGITS), torch.tensor(CLASSES)
    numpy.testing.assert_allclose(float(F.cross_entropy(x, t, reduction="sum", label_smoothing=0.1)),
                                  float(tF.cross_entropy(tx, tt, reduction="sum", label_smoothing=0.1)), rtol=1e-12)
    numpy.testing.assert_allclose(float(F.nll_loss(F.log_softmax(x, dim=1), t, ignore_index=0)),
                                  float(tF.nll_loss(tF.log_softmax(tx, dim=1), tt, ignore_index=0)), rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="sum_all is not a valid value for reduction"):
        nn.MSELoss(reduction="sum_all")
    with pytest.raises(ValueError, match="batchmean is not a valid value for reduction"):
        nn.L1Loss(reduction="batchmean")
    assert nn.CrossEntropyLoss(None, None, 3).ignore_index == 3  # PyTorch's order: weight, size_average, ignore_index
    nn.KLDivLoss(reduction="batchmean")
    with pytest.raises(ValueError):
        nn.CrossEntropyLoss()(torchlike.tensor(LOGITS), torchlike.tensor([0, 1]))
    with pytest.raises(IndexError):
        nn.NLLLoss()(torchlike.tensor(LOGITS), torchlike.tensor([0, 1, 2, 3]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_is_one_node_as_in_pytorch(reduction):
    """The 60-minute blitz prints ``loss.grad_fn`` (MseLossBackward0) and walks ``next_functions`` down the network
    (AddmmBackward0, ReluBackward0); the node's gradients, to second order, are those of (x - t)² reduced."""
    rng = numpy.random.default_rng(0)
    x0, t0 = rng.standard_normal((3, 4)), rng.standard_normal(4)  # t broadcasts over the rows (with the warning)
    x, t = torchlike.tensor(x0, requires_grad=True), torchlike.tensor(t0, requires_grad=True)
    with pytest.warns(UserWarning, match="different to the input size"):
        loss = F.mse_loss(x, t, reduction=reduction)
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    n = x0.size if reduction == "mean" else 1
    (gx,) = torchlike.autograd.grad(loss.sum(), x, create_graph=True)
    numpy.testing.assert_allclose(gx.detach().numpy(), 2 * (x0 - t0) / n, rtol=1e-12)
    (gt,) = torchlike.autograd.grad((gx * gx).sum(), t)  # d/dt Σ (2(x - t)/n)² = -8/n² Σ_rows (x - t)
    numpy.testing.assert_allclose(gt.numpy(), -8 / n ** 2 * (x0 - t0).sum(axis=0), rtol=1e-12)
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    loss = nn.MSELoss()(net(torchlike.randn(5, 4)), torchlike.randn(5, 2))
    linear = loss.grad_fn.next_functions[0][0]
    assert type(linear).__name__ == "AddmmBackward0"
    assert "ReluBackward0" in [type(f).__name__ for f, _ in linear.next_functions]


_LOGITS_EXTRAS = ((), ("weight",), ("pos_weight",), ("weight", "pos_weight"))
_BINARY_LOSSES = [("binary_cross_entropy", extras) for extras in ((), ("weight",))] + [
    ("binary_cross_entropy_with_logits", extras) for extras in _LOGITS_EXTRAS]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, extras", _BINARY_LOSSES)
def test_binary_cross_entropies_are_one_node_as_in_pytorch(reduction, name, extras):
    """One node each (BinaryCrossEntropyBackward0, BinaryCrossEntropyWithLogitsBackward0 — PyTorch's autograd
    tutorial prints the latter); values and gradients for the input and target, second order too, as PyTorch's;
    the gradients for weight and pos_weight (PyTorch refuses to give them) as central differences."""
    from tests.gradient_checks import central_differences
    rng = numpy.random.default_rng(1)
    x0 = rng.random((4, 3)) * 0.98 + 0.01 if name == "binary_cross_entropy" else rng.standard_normal((4, 3)) * 3
    t0 = rng.random((4, 3))
    starts = {"weight": rng.random((4, 3)), "pos_weight": rng.random(3) * 2 + 0.5}

    def loss_of(lib, x, t, **given):
        return getattr(lib.nn.functional, name)(x, t, reduction=reduction, **given)

    def run(lib, extra_grads=False):
        x, t = lib.tensor(x0, requires_grad=True), lib.tensor(t0, requires_grad=True)
        given = {k: lib.tensor(starts[k], requires_grad=extra_grads) for k in extras}
        loss = loss_of(lib, x, t, **given)
        (gx,) = lib.autograd.grad(loss.sum(), x, create_graph=True)
        second = lib.autograd.grad((gx * gx).sum(), [x, t])
        loss.sum().backward()
        return loss, [loss.detach().numpy(), x.grad.numpy(), t.grad.numpy()] + [g.numpy() for g in second], given

    loss, ours, given = run(torchlike, extra_grads=True)
    assert type(loss.grad_fn).__name__ == "".join(part.title() for part in name.split("_")) + "Backward0"
    for key, tensor in given.items():
        def total(value, key=key):
            others = {k: v.detach() for k, v in given.items()}
            return loss_of(torchlike, torchlike.tensor(x0), torchlike.tensor(t0), **{**others, key: value}).sum()
        numpy.testing.assert_allclose(tensor.grad.numpy(), central_differences(total, starts[key]), rtol=1e-6,
                                      atol=1e-8)
    torch = torch_or_skip()
    for a, b in zip(ours, run(torch)[1]):  # (PyTorch's second derivative of BCE adds 1e-12 to a denominator)
        numpy.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_logits_and_probabilities_of_two_dtypes_meet_in_the_wider_one_as_in_pytorch():
    """float32 logits with float64 probabilities (numpy's default) give a float64 loss, as PyTorch's; the logits'
    gradient keeps their float32."""
    x = torchlike.tensor(LOGITS.astype(numpy.float32), requires_grad=True)
    loss = F.cross_entropy(x, torchlike.tensor(PROBS), label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == torchlike.float64 and x.grad.dtype == torchlike.float32
    log_p = LOGITS.astype(numpy.float32).astype(numpy.float64)
    log_p = log_p - numpy.log(numpy.exp(log_p).sum(1, keepdims=True))
    expected = -((0.9 * PROBS + 0.1 / C) * log_p).sum(1).mean()
    numpy.testing.assert_allclose(loss.item(), expected, rtol=1e-12)


@pytest.mark.parametrize("loss, expected", [("mse_loss", 0.125), ("l1_loss", 0.25), ("smooth_l1_loss", 0.0625)])
def test_an_integer_input_beside_a_float_target_promotes_where_pytorch_promotes(loss, expected):
    """mse, l1 and smooth l1 compute in the promoted dtype (PyTorch's values); huber refuses, as PyTorch's does,
    and so does an integer pair."""
    F = torchlike.nn.functional
    result = getattr(F, loss)(torchlike.tensor([1, 2]), torchlike.tensor([1.5, 2.0]))
    assert result.dtype == torchlike.float32 and result.item() == expected
    wide = getattr(F, loss)(torchlike.tensor([1, 2]), torchlike.tensor([1.5, 2.0], dtype=torchlike.float64))
    assert wide.dtype == torchlike.float64 and wide.item() == expected
    with pytest.raises(TypeError, match="expected a floating point target"):
        getattr(F, loss)(torchlike.tensor([1, 2]), torchlike.tensor([1, 3]))
    with pytest.raises(TypeError, match="huber_loss: expected a floating point input"):
        F.huber_loss(torchlike.tensor([1, 2]), torchlike.tensor([1.5, 2.0]))
