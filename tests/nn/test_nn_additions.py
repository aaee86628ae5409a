"""The torch.nn pieces added together: 3-D convolution, pooling and batch norm; the classification, likelihood and
CTC losses; GLU, AlphaDropout, LocalResponseNorm, ChannelShuffle, LazyLinear, gumbel_softmax, affine_grid and
grid_sample; weight and spectral normalization; nn.init.dirac_ / sparse_; ChainDataset and StackDataset.

Layers and losses are compared with PyTorch (outputs and gradients; skipped without it). The checks that need no
PyTorch: CTC against brute-force enumeration of the alignments, grid_sample with an identity grid, the weight norm
formula, the identity convolution of dirac_, and the errors."""
import itertools
import math

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.ops.base import OpError
from tests.torch_version import since_mirrored_torch

from .torch_compare import check_layer, check_repr_and_state, copy_weights, pair, run_both, torch_or_skip

nn, F = torchlike.nn, torchlike.nn.functional
RNG = np.random.default_rng(0)
X5 = RNG.standard_normal((2, 4, 5, 6, 5))  # (N, C, D, H, W)


# ============================================================================================== 3-D layers

@pytest.mark.parametrize("name, args, kwargs, inputs", [
    ("Conv3d", (4, 6, 3), {"stride": 2, "padding": 1}, [X5]),
    ("Conv3d", (4, 6, (3, 2, 3)), {"groups": 2, "dilation": (1, 2, 1), "padding": "same", "bias": False}, [X5]),
    ("Conv3d", (4, 2, 3), {"padding": 1, "padding_mode": "reflect"}, [X5[0]]),
    ("Conv3d", (4, 2, 2), {"padding": (1, 0, 1), "padding_mode": "circular"}, [X5]),
    ("ConvTranspose3d", (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": (1, 0, 1)}, [X5]),
    ("ConvTranspose3d", (4, 2, 2), {"groups": 2, "dilation": 2}, [X5[0]]),
    ("MaxPool3d", (2,), {}, [X5]),
    ("MaxPool3d", (3,), {"stride": (1, 2, 2), "padding": 1, "ceil_mode": True, "return_indices": True}, [X5]),
    ("AvgPool3d", (2,), {}, [X5]),
    ("AvgPool3d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, [X5[0]]),
    ("BatchNorm3d", (4,), {}, [X5]),
    ("GLU", (), {"dim": 1}, [X5[:, :, 0]]),
    ("LocalResponseNorm", (3,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, [X5[:, :, 0, 0]]),
    ("LocalResponseNorm", (2,), {}, [X5]),
    ("ChannelShuffle", (2,), {}, [X5]),
])
def test_layers_match_pytorch(name, args, kwargs, inputs):
    check_layer(name, args, kwargs, inputs)


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv3d", (4, 6, (1, 2, 3)), {"stride": 2, "dilation": (1, 1, 2), "groups": 2}),
    ("ConvTranspose3d", (4, 6, 2), {"output_padding": 1, "stride": 2}),
    ("MaxPool3d", ((1, 2, 2),), {"stride": 1}), ("AvgPool3d", (2,), {"padding": 1}), ("BatchNorm3d", (5,), {}),
    ("GLU", (), {}), ("AlphaDropout", (0.2,), {}), ("LocalResponseNorm", (5,), {"k": 2}), ("ChannelShuffle", (3,), {}),
    ("CTCLoss", (), {"blank": 1}), ("MultiMarginLoss", (), {"p": 2}),
])
@since_mirrored_torch
def test_repr_and_state_dict_keys_match_pytorch(name, args, kwargs):
    check_repr_and_state(name, args, kwargs)


def test_batch_norm_3d_eval_and_conv_transpose_3d_output_size():
    mine, theirs = pair("BatchNorm3d", 4)
    run_both(mine, theirs, X5, grads=False)  # training: the running statistics move
    run_both(mine.eval(), theirs.eval(), X5)
    mine, theirs = pair("ConvTranspose3d", 4, 2, 3, stride=2)
    run_both(mine, theirs, X5, output_size=(12, 13, 11))


def test_max_pool3d_window_over_padding_only():
    """With dilation a window can lie in the padding only: value -inf and index -1 (as max_pool2d gives; PyTorch's
    index there points past the input), and no gradient from it. The padding may be at most half the kernel."""
    x = torchlike.tensor(RNG.standard_normal((1, 1, 2, 2, 2)), requires_grad=True)
    y, indices = F.max_pool3d(x, (2, 1, 1), stride=1, padding=(1, 0, 0), dilation=(3, 1, 1), return_indices=True)
    assert y.shape == (1, 1, 1, 2, 2)  # the one depth window's taps, -1 and 2, both lie in the padding
    assert np.isneginf(y.detach().numpy()).all() and (indices.numpy() == -1).all()
    x3 = torchlike.tensor(RNG.standard_normal((1, 1, 3, 2, 2)), requires_grad=True)
    y3, indices3 = F.max_pool3d(x3, (2, 1, 1), stride=1, padding=(1, 0, 0), dilation=(3, 1, 1), return_indices=True)
    # depth windows at -1/2 and 0/3: each has one real slice, 2 and 0
    np.testing.assert_array_equal(y3.detach().numpy()[0, 0], x3.detach().numpy()[0, 0, [2, 0]])
    np.testing.assert_array_equal(indices3.numpy()[0, 0, 0], np.arange(8, 12).reshape(2, 2))
    (y3.sum() + y[:, :, :0].sum()).backward()
    np.testing.assert_array_equal(x3.grad.numpy()[0, 0], [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[1, 1], [1, 1]]])
    with pytest.raises(RuntimeError, match="pad should be at most half of kernel size"):
        F.max_pool3d(x, (2, 1, 1), padding=(2, 0, 0), dilation=(3, 1, 1))


# ================================================================================================== losses

def _loss_both(name, kwargs, inputs, differentiate, rtol=1e-10, atol=1e-12):
    """nn.<name>(**kwargs) in both frameworks on the same inputs (numpy arrays; a ``weight`` too): the losses and
    the gradients of the inputs in ``differentiate``."""
    torch = torch_or_skip()
    ours_in = [torchlike.tensor(x, requires_grad=i in differentiate) for i, x in enumerate(inputs)]
    theirs_in = [torch.tensor(x, requires_grad=i in differentiate) for i, x in enumerate(inputs)]
    mine = getattr(nn, name)(**{k: torchlike.tensor(v) if k == "weight" else v for k, v in kwargs.items()})
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()})
    ours, expected = mine(*ours_in), theirs(*theirs_in)
    assert tuple(ours.shape) == tuple(expected.shape)
    np.testing.assert_allclose(ours.detach().numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
    g = RNG.standard_normal(tuple(expected.shape))
    (ours * torchlike.tensor(g)).sum().backward()
    (expected * torch.tensor(g)).sum().backward()
    for i in differentiate:
        np.testing.assert_allclose(ours_in[i].grad.numpy(), theirs_in[i].grad.numpy(), rtol=rtol, atol=atol)
    assert list(mine.state_dict()) == list(theirs.state_dict())  # a weight is a buffer


SCORES = RNG.standard_normal((4, 5))
CLASSES = np.array([0, 3, 4, 3])
MULTI_LABELS = np.array([[3, 0, -1, 2, 1], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0], [4, 4, -1, 0, 0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, inputs, differentiate", [
    ("SoftMarginLoss", {}, [SCORES, np.sign(RNG.standard_normal((4, 5)))], (0,)),
    ("MultiLabelSoftMarginLoss", {"weight": RNG.uniform(0.5, 2, 5)},
     [SCORES, (RNG.random((4, 5)) < 0.5).astype(float)], (0,)),
    ("MultiLabelSoftMarginLoss", {}, [SCORES[0], (RNG.random(5) < 0.5).astype(float)], (0,)),
    ("MultiMarginLoss", {}, [SCORES, CLASSES], (0,)),
    ("MultiMarginLoss", {"p": 2, "margin": 0.7, "weight": RNG.uniform(0.5, 2, 5)},
     [SCORES, CLASSES], (0,)),
    ("MultiMarginLoss", {}, [SCORES[1], np.array(3)], (0,)),
    ("MultiLabelMarginLoss", {}, [SCORES, MULTI_LABELS], (0,)),
    ("MultiLabelMarginLoss", {}, [SCORES[0], MULTI_LABELS[0]], (0,)),
    ("PoissonNLLLoss", {}, [SCORES, RNG.poisson(2.0, (4, 5)).astype(float)], (0,)),
    ("PoissonNLLLoss", {"log_input": False, "full": True}, [RNG.uniform(0.1, 3, (4, 5)),
                                                           RNG.poisson(2.0, (4, 5)).astype(float)], (0,)),
    ("GaussianNLLLoss", {}, [SCORES, RNG.standard_normal((4, 5)), RNG.uniform(0.1, 2, (4, 5))], (0, 2)),
    ("GaussianNLLLoss", {"full": True, "eps": 0.5}, [SCORES, RNG.standard_normal((4, 5)), RNG.uniform(0.1, 2, (4, 1))],
     (0, 2)),  # one variance per row; some clamped at eps, with the gradient of the unclamped value
    ("GaussianNLLLoss", {}, [SCORES, RNG.standard_normal((4, 5)), RNG.uniform(0.1, 2, 4)], (0, 2)),
])
def test_losses_match_pytorch(name, kwargs, inputs, differentiate, reduction):
    _loss_both(name, dict(kwargs, reduction=reduction), inputs, differentiate)


def test_losses_legacy_arguments_and_float_variance():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        loss = nn.SoftMarginLoss(size_average=False)
    assert loss.reduction == "sum"
    x, t = torchlike.tensor(SCORES), torchlike.tensor(np.ones((4, 5)))
    with pytest.warns(UserWarning):
        assert F.multi_margin_loss(x, torchlike.tensor(CLASSES), reduce=False).shape == (4,)
    expected = F.gaussian_nll_loss(x, t, torchlike.full((4, 5), 2.0))
    np.testing.assert_allclose(F.gaussian_nll_loss(x, t, 2.0).item(), expected.item())


# ===================================================================================================== CTC

def _collapse(path, blank=0):
    return [c for c, _ in itertools.groupby(path) if c != blank]


def _brute_force_nll(log_probs, target):
    """-log of the summed probability of every path of len(log_probs) steps that collapses to ``target``."""
    steps, classes = log_probs.shape
    total = sum(math.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
                for path in itertools.product(range(classes), repeat=steps) if _collapse(path) == list(target))
    return -math.log(total)


def _log_probs(steps, batch, classes):
    x = RNG.standard_normal((steps, batch, classes))
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def test_ctc_equals_brute_force_enumeration_of_alignments():
    lp = _log_probs(5, 3, 3)
    targets = np.array([[1, 1, 2], [2, 0, 0], [1, 2, 0]])  # a repeated label needs a blank between its copies
    lengths, target_lengths = [5, 4, 3], [3, 1, 0]
    losses = F.ctc_loss(torchlike.tensor(lp), torchlike.tensor(targets), lengths, target_lengths, reduction="none")
    expected = [_brute_force_nll(lp[:n, i], targets[i, :m]) for i, (n, m) in enumerate(zip(lengths, target_lengths))]
    np.testing.assert_allclose(losses.numpy(), expected, rtol=1e-12)
    mean = F.ctc_loss(torchlike.tensor(lp), torchlike.tensor(targets), lengths, target_lengths)
    np.testing.assert_allclose(mean.item(), np.mean(np.array(expected) / np.maximum(target_lengths, 1)), rtol=1e-12)


def test_ctc_gradient_is_the_exact_one_for_log_probs():
    """Against central differences of the brute-force loss, entry by entry (the log_probs are not normalized:
    the gradient is exact, not only through a log_softmax)."""
    lp = RNG.standard_normal((4, 1, 3))
    x = torchlike.tensor(lp, requires_grad=True)
    F.ctc_loss(x, torchlike.tensor([[2, 1]]), [4], [2], reduction="sum").backward()
    numeric = np.zeros((4, 3))
    for t, c in np.ndindex(4, 3):
        step = np.zeros((4, 3))
        step[t, c] = 1e-6
        numeric[t, c] = (_brute_force_nll(lp[:, 0] + step, [2, 1]) - _brute_force_nll(lp[:, 0] - step, [2, 1])) / 2e-6
    np.testing.assert_allclose(x.grad.numpy()[:, 0], numeric, rtol=1e-5, atol=1e-8)


def test_ctc_second_order_gradient_says_it_is_not_implemented():
    """Forward mode differentiates the gradient in its incoming gradient only, and works (the op table checks it);
    a gradient of the gradient in the log-probabilities is refused, never a silent zero."""
    x = torchlike.tensor(RNG.standard_normal((4, 1, 3)), requires_grad=True)
    (grad,) = torchlike.autograd.grad(F.ctc_loss(x, torchlike.tensor([[2, 1]]), [4], [2]), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="ctc_loss: gradients of the gradient"):
        grad.sum().backward()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("concatenated", [False, True])
def test_ctc_loss_matches_pytorch_through_log_softmax(reduction, concatenated):
    torch = torch_or_skip()
    logits = RNG.standard_normal((6, 3, 4))
    padded = np.array([[1, 2, 2], [3, 0, 0], [1, 3, 1]])
    lengths, target_lengths = np.array([6, 5, 6]), np.array([3, 1, 3])
    targets = np.concatenate([padded[i, :n] for i, n in enumerate(target_lengths)]) if concatenated else padded
    ours_x, theirs_x = torchlike.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ours = nn.CTCLoss(reduction=reduction)(F.log_softmax(ours_x, 2), torchlike.tensor(targets),
                                           torchlike.tensor(lengths), torchlike.tensor(target_lengths))
    theirs = torch.nn.CTCLoss(reduction=reduction)(theirs_x.log_softmax(2), torch.tensor(targets),
                                                   torch.tensor(lengths), torch.tensor(target_lengths))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * torchlike.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_ctc_gradient_differs_from_pytorchs_by_exp_log_probs():
    """PyTorch's gradient w.r.t. log_probs adds exp(log_probs) (per sample, times its weight) within each sample's
    length; both give the same gradient for the logits of a log_softmax (ctc.py's docstring)."""
    torch = torch_or_skip()
    lp = _log_probs(5, 2, 3)
    ours, theirs = torchlike.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    F.ctc_loss(ours, torchlike.tensor([[1, 2], [2, 2]]), [5, 4], [2, 2], reduction="sum").backward()
    torch.nn.functional.ctc_loss(theirs, torch.tensor([[1, 2], [2, 2]]), [5, 4], [2, 2], reduction="sum").backward()
    within = (np.arange(5)[:, None] < np.array([5, 4]))[:, :, None]
    np.testing.assert_allclose(ours.grad.numpy() + np.exp(lp) * within, theirs.grad.numpy(), atol=1e-12)


def test_ctc_impossible_targets_and_unbatched_input():
    lp = torchlike.tensor(_log_probs(2, 1, 3), requires_grad=True)
    loss = F.ctc_loss(lp, torchlike.tensor([[1, 1]]), [2], [2], reduction="sum")  # "1 1" needs 3 steps
    loss.backward()
    assert math.isinf(loss.item()) and np.isnan(lp.grad.numpy()).all()
    lp.grad = None
    loss = nn.CTCLoss(zero_infinity=True, reduction="sum")(lp, torchlike.tensor([[1, 1]]), [2], [2])
    loss.backward()
    assert loss.item() == 0 and not lp.grad.numpy().any()
    loss = F.ctc_loss(lp, torchlike.tensor([[1]]), [2], [1])
    (grad,) = torchlike.autograd.grad(loss, [lp], create_graph=True)
    with pytest.raises(NotImplementedError, match="ctc_loss: gradients of the gradient"):
        torchlike.autograd.grad(grad.sum(), [lp])
    single = _log_probs(4, 1, 3)
    unbatched = F.ctc_loss(torchlike.tensor(single[:, 0]), torchlike.tensor([2, 1]), torchlike.tensor(4),
                           torchlike.tensor(2), reduction="none")
    assert unbatched.shape == () and math.isclose(unbatched.item(), _brute_force_nll(single[:, 0], [2, 1]))


@pytest.mark.parametrize("call, error, message", [
    (lambda lp, t: F.ctc_loss(lp, t, [7, 6], [2, 2]), OpError,
     r"ctc_loss: Expected input_lengths to have value at most 6"),
    (lambda lp, t: F.ctc_loss(lp, t, [6, 6], [3, 2]), OpError, r"Expected tensor to have size at least 3 at dim"),
    (lambda lp, t: F.ctc_loss(lp, t, [6], [2, 2]), OpError, r"input_lengths must be of size batch_size \(2\)"),
    (lambda lp, t: F.ctc_loss(lp, t, [6, 6], [-1, 2]), OpError, r"Expected target_lengths to have value at least 0"),
    (lambda lp, t: F.ctc_loss(lp, t, [6, 6], [2, 2], blank=3), OpError, r"blank must be in label range \[0, 3\)"),
    (lambda lp, t: F.ctc_loss(lp, t * 5, [6, 6], [2, 2]), OpError, r"targets must be class indices in \[0, 3\)"),
    (lambda lp, t: F.ctc_loss(lp, t.float(), [6, 6], [2, 2]), TypeError, r"targets must be integer class indices"),
    (lambda lp, t: F.ctc_loss(lp, t, [6.0, 6], [2, 2]), TypeError, r"input_lengths must be integers"),
    (lambda lp, t: F.ctc_loss(lp[0, 0], t, [6, 6], [2, 2]), OpError, r"expected log_probs \(T, N, C\)"),
    (lambda lp, t: F.ctc_loss(lp, t.reshape(-1)[:3], [6, 6], [2, 2]), OpError,
     r"concatenated targets must hold sum\(target_lengths\) = 4 labels"),
    (lambda lp, t: F.ctc_loss(lp, t, [6, 6], [2, 2], reduction="max"), ValueError, r"max is not a valid value"),
])
def test_ctc_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(torchlike.tensor(_log_probs(6, 2, 3)), torchlike.tensor([[1, 2], [2, 1]]))


# ======================================================================================= small layers

def test_glu_alpha_dropout_and_channel_shuffle_by_hand():
    x = torchlike.tensor(RNG.standard_normal((3, 4)))
    np.testing.assert_allclose(F.glu(x).numpy(), x.numpy()[:, :2] / (1 + np.exp(-x.numpy()[:, 2:])))
    shuffled = F.channel_shuffle(torchlike.arange(6.0).reshape(1, 6, 1), 3)
    assert shuffled.reshape(-1).tolist() == [0, 2, 4, 1, 3, 5]
    dropout = nn.AlphaDropout(0.2)
    assert dropout.eval()(x) is x and F.alpha_dropout(x, 0.5) is x  # training=False by default
    torchlike.manual_seed(0)
    y = F.alpha_dropout(torchlike.randn(200_000), 0.2, training=True)
    # SELU's fixed point: mean 0 and variance 1 survive; dropped values all land on one number
    assert abs(y.mean().item()) < 0.01 and abs(y.var().item() - 1) < 0.01
    _, counts = np.unique(y.numpy(), return_counts=True)
    assert abs(counts.max() / y.numel() - 0.2) < 0.01
    assert not F.alpha_dropout(x, 1.0, training=True).numpy().any()
    z = x.clone()
    assert F.alpha_dropout(z, 0.3, training=True, inplace=True) is z and not np.allclose(z.numpy(), x.numpy())


def test_gumbel_softmax_samples_the_categorical_and_hard_is_straight_through():
    logits = torchlike.tensor(np.log([0.1, 0.2, 0.7]), requires_grad=True)
    torchlike.manual_seed(0)
    hard = F.gumbel_softmax(logits.expand(20_000, 3), tau=0.5, hard=True)
    counts = hard.detach().numpy()
    assert set(np.unique(counts)) == {0.0, 1.0} and (counts.sum(1) == 1).all()
    np.testing.assert_allclose(counts.mean(0), [0.1, 0.2, 0.7], atol=0.015)
    torchlike.manual_seed(1)
    soft = F.gumbel_softmax(logits, tau=2.0)
    torchlike.manual_seed(1)
    straight = F.gumbel_softmax(logits, tau=2.0, hard=True)
    (g_soft,) = torchlike.autograd.grad((soft * torchlike.tensor([1.0, 2.0, 3.0])).sum(), [logits])
    (g_hard,) = torchlike.autograd.grad((straight * torchlike.tensor([1.0, 2.0, 3.0])).sum(), [logits])
    np.testing.assert_allclose(g_hard.numpy(), g_soft.numpy(), atol=1e-12)  # the soft sample's gradient
    assert straight.detach().numpy().tolist().count(1.0) == 1
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(logits, eps=1e-3)


def test_lazy_linear_infers_in_features_at_the_first_call():
    layer = nn.LazyLinear(3)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    weight, bias = layer.weight, layer.bias
    optimizer = torchlike.optim.SGD(layer.parameters(), lr=0.1)  # built before the parameters have a shape
    x = torchlike.randn(4, 5)
    y = layer(x)
    assert type(layer) is nn.Linear and layer.in_features == 5 and tuple(layer.weight.shape) == (3, 5)
    assert layer.weight is weight and layer.bias is bias
    assert abs(layer.weight).max().item() <= 1 / math.sqrt(5)  # Linear's initialisation for fan_in 5
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ weight.detach().numpy().T + bias.detach().numpy())
    y.sum().backward()
    before = weight.detach().numpy().copy()
    optimizer.step()
    np.testing.assert_allclose(weight.detach().numpy(), before - 0.1 * weight.grad.numpy())


@pytest.mark.parametrize("name, shape", [("LazyInstanceNorm1d", (2, 3, 5)), ("LazyInstanceNorm2d", (2, 3, 4, 4)),
                                         ("LazyBatchNorm2d", (2, 3, 4, 4))])
def test_lazy_norms_are_affine_and_track_statistics_by_default(name, shape):
    """As PyTorch's ``_LazyNormBase``: the lazy instance norms too, whose ordinary classes default both to False;
    in eval mode they then normalize with the running statistics."""
    x = RNG.standard_normal(shape) * 2 + 1
    layer = getattr(nn, name)().double()
    layer(torchlike.tensor(x))
    assert layer.affine and layer.track_running_stats
    assert sorted(layer.state_dict()) == ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"]
    layer.eval()
    axes = (0,) + tuple(range(2, len(shape)))
    mean = 0.1 * x.mean(axis=axes)  # one step of momentum 0.1 from 0, and from 1 with the unbiased variance
    var = 0.9 + 0.1 * x.var(axis=axes, ddof=1) if "Batch" in name else \
        0.9 + 0.1 * x.var(axis=tuple(range(2, len(shape))), ddof=1).mean(axis=0)
    if "Instance" in name:
        mean = 0.1 * x.mean(axis=tuple(range(2, len(shape)))).mean(axis=0)
    np.testing.assert_allclose(layer.running_mean.numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.numpy(), var, rtol=1e-12)
    view = (1, -1) + (1,) * (len(shape) - 2)
    expected = (x - mean.reshape(view)) / np.sqrt(var.reshape(view) + 1e-5)
    np.testing.assert_allclose(layer(torchlike.tensor(x)).detach().numpy(), expected, rtol=1e-10)


# ============================================================================================ grid sampling

def test_identity_grid_returns_the_input():
    x = torchlike.tensor(RNG.standard_normal((2, 3, 4, 5)))
    theta = torchlike.tensor(np.tile([[1.0, 0, 0], [0, 1, 0]], (2, 1, 1)))
    for align_corners in (False, True):
        grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=align_corners)
        for mode in ("bilinear", "nearest"):
            y = F.grid_sample(x, grid, mode=mode, align_corners=align_corners)
            np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-12)
    # a shift by one pixel (2/W in normalized coordinates) with zeros padding: the last column reads outside
    theta = torchlike.tensor(np.tile([[1.0, 0, 2 / 5], [0, 1, 0]], (2, 1, 1)))
    y = F.grid_sample(x, F.affine_grid(theta, (2, 3, 4, 5), align_corners=False), align_corners=False)
    np.testing.assert_allclose(y.numpy()[..., :4], x.numpy()[..., 1:], atol=1e-12)
    assert not y.numpy()[..., 4].any()


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_spatial_transformer_matches_pytorch(mode, padding_mode, align_corners):
    """affine_grid then grid_sample, as the spatial-transformer tutorial: values, and gradients for the input and
    for theta (through the grid)."""
    torch = torch_or_skip()
    x, theta = RNG.standard_normal((2, 3, 5, 6)), RNG.standard_normal((2, 2, 3)) * 0.8
    ours = [torchlike.tensor(a, requires_grad=True) for a in (x, theta)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, theta)]
    y_ours = F.grid_sample(ours[0], F.affine_grid(ours[1], (2, 3, 4, 7), align_corners=align_corners), mode=mode,
                           padding_mode=padding_mode, align_corners=align_corners)
    y_theirs = torch.nn.functional.grid_sample(
        theirs[0], torch.nn.functional.affine_grid(theirs[1], (2, 3, 4, 7), align_corners=align_corners), mode=mode,
        padding_mode=padding_mode, align_corners=align_corners)
    np.testing.assert_allclose(y_ours.detach().numpy(), y_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = RNG.standard_normal(tuple(y_theirs.shape))
    (y_ours * torchlike.tensor(g)).sum().backward()
    (y_theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-9, atol=1e-12)
    ours_theta = np.zeros((2, 2, 3)) if ours[1].grad is None else ours[1].grad.numpy()
    np.testing.assert_allclose(ours_theta, theirs[1].grad.numpy(), rtol=1e-8, atol=1e-10)


def test_points_on_the_edge_pixels_give_the_grid_no_gradient_with_border_and_reflection_padding():
    """A point on an edge pixel's centre reads a flat extension of the image beyond it (border, reflection), so
    moving it outwards changes nothing: PyTorch gives it no gradient, from either side."""
    x = torchlike.arange(9.0).reshape(1, 1, 3, 3) + 1
    for padding_mode in ("border", "reflection"):
        grid = torchlike.tensor([[[[1.0, 1.0], [-1.0, -1.0]]]], requires_grad=True)  # the corner pixels' centres
        y = F.grid_sample(x, grid, padding_mode=padding_mode, align_corners=True)
        assert y.flatten().tolist() == [9.0, 1.0]
        y.sum().backward()
        assert grid.grad.flatten().tolist() == [0.0, 0.0, 0.0, 0.0]
    # inside the image the gradient is the slope towards the next pixel: 1 per column, 3 per row
    grid = torchlike.tensor([[[[0.5, -0.5]]]], requires_grad=True)
    F.grid_sample(x, grid, padding_mode="border", align_corners=True).sum().backward()
    assert grid.grad.flatten().tolist() == [1.0, 3.0]  # d/dx = 1 * (W - 1) / 2, d/dy = 3 * (H - 1) / 2


def test_nearest_sampling_keeps_the_grid_in_the_graph_with_a_zero_gradient():
    x = torchlike.randn(1, 2, 4, 4)
    grid = torchlike.zeros(1, 3, 3, 2).uniform_(-1, 1).requires_grad_()
    y = F.grid_sample(x, grid, mode="nearest", align_corners=False)
    assert y.requires_grad
    y.sum().backward()
    assert grid.grad is not None and not grid.grad.numpy().any()


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_float32_spatial_transformer_from_the_identity_matches_pytorch(mode, padding_mode, align_corners):
    """The tutorial's spatial transformer starts from the identity map in float32: its points fall on pixel
    centres (up to rounding), where the side they fall on decides the gradient. affine_grid rounds its base grid
    as PyTorch does (a float32 linspace), so the sides — and the gradients — agree."""
    torch = torch_or_skip()
    x = RNG.standard_normal((1, 2, 5, 7)).astype(np.float32)
    theta = np.array([[[1, 0, 0], [0, 1, 0]]], np.float32)
    corners = np.array([[[[1, 1], [-1, -1], [1, -1], [0.5, 1]]]], np.float32)
    results = []
    for lib in (torchlike, torch):
        functional = lib.nn.functional
        x_t, theta_t = lib.tensor(x, requires_grad=True), lib.tensor(theta, requires_grad=True)
        corners_t = lib.tensor(corners, requires_grad=True)
        grid = functional.affine_grid(theta_t, (1, 2, 6, 7), align_corners=align_corners)
        y = functional.grid_sample(x_t, grid, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
        z = functional.grid_sample(x_t, corners_t, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
        ((y ** 2).sum() + z.sum()).backward()
        results.append([grid.detach().numpy(), y.detach().numpy(), x_t.grad.numpy(), theta_t.grad.numpy(),
                        corners_t.grad.numpy()])
    np.testing.assert_array_equal(results[0][0], results[1][0])  # the grids, bit for bit
    for ours, theirs in zip(results[0][1:], results[1][1:]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_grid_sampling_warnings_and_errors():
    x, grid = torchlike.randn(1, 2, 3, 3), torchlike.zeros(1, 2, 2, 2)
    theta = torchlike.zeros(1, 2, 3)
    with pytest.warns(UserWarning, match="changed to align_corners=False since 1.3.0"):
        F.grid_sample(x, grid)
    with pytest.warns(UserWarning, match="changed for unit-size grids when align_corners=True"):
        F.affine_grid(theta, (1, 1, 1, 4), align_corners=True)
    for call, error, message in [
        (lambda: F.grid_sample(x, grid, mode="cubic", align_corners=False), ValueError,
         r"'bilinear', 'nearest' or 'bicubic'"),
        (lambda: F.grid_sample(x[None], torchlike.zeros(1, 1, 2, 2, 3), mode="bicubic", align_corners=False), OpError,
         r"bicubic interpolation only supports 4D input"),
        (lambda: F.grid_sample(x, grid, padding_mode="wrap", align_corners=False), ValueError,
         r"expected padding_mode to be 'zeros', 'border', or 'reflection'"),
        (lambda: F.grid_sample(x[0], grid, align_corners=False), OpError,
         r"expected 4-D input \(N, C, H, W\) or 5-D input"),
        (lambda: F.grid_sample(x[None], grid, align_corners=False), OpError,
         r"expected grid \(N, D_out, H_out, W_out, 3\)"),
        (lambda: F.grid_sample(x, grid[..., :1], align_corners=False), OpError, r"expected grid \(N, H_out, W_out"),
        (lambda: F.grid_sample(x, torchlike.zeros(2, 2, 2, 2), align_corners=False), OpError, r"same batch size"),
        (lambda: F.grid_sample(x, grid.double(), align_corners=False), TypeError, r"the same dtype"),
        (lambda: F.affine_grid(theta, (1, 1, 2, 2, 2, 2), align_corners=False), NotImplementedError,
         r"only supports 4D and 5D sizes"),
        (lambda: F.affine_grid(theta, (1, 1, 2, 2, 2), align_corners=False), OpError, r"shape Nx3x4"),
        (lambda: F.affine_grid(theta[:, :1], (1, 1, 2, 2), align_corners=False), OpError, r"shape Nx2x3"),
    ]:
        with pytest.raises(error, match=message):
            call()


# ========================================================================================= weight norms

def test_weight_norm_is_g_times_v_over_its_norm():
    for dim, norm_axes in ((0, (1, 2, 3)), (1, (0, 2, 3)), (None, (0, 1, 2, 3))):
        conv = nn.utils.weight_norm(nn.Conv2d(2, 3, 3), dim=dim)
        assert [name for name, _ in conv.named_parameters()] == ["bias", "weight_g", "weight_v"]
        v = conv.weight_v.detach().numpy()
        norms = np.sqrt((v ** 2).sum(axis=norm_axes, keepdims=dim is not None))
        np.testing.assert_allclose(conv.weight_g.detach().numpy(), norms)  # starts as the original weight
        with torchlike.no_grad():
            conv.weight_g.mul_(2.0)
        conv(torchlike.randn(1, 2, 5, 5))  # the pre-hook recomputes the weight
        np.testing.assert_allclose(conv.weight.detach().numpy(), 2 * v)
    nn.utils.remove_weight_norm(conv)
    assert [name for name, _ in conv.named_parameters()] == ["bias", "weight"]
    np.testing.assert_allclose(conv.weight.detach().numpy(), 2 * v)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Conv2d"):
        nn.utils.remove_weight_norm(conv)
    layer = nn.utils.weight_norm(nn.Linear(2, 3))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
        nn.utils.weight_norm(layer)


@pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated:FutureWarning")
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_pytorch(dim):
    torch = torch_or_skip()
    mine, theirs = pair("Linear", 4, 3)
    mine, theirs = nn.utils.weight_norm(mine, dim=dim), torch.nn.utils.weight_norm(theirs, dim=dim)
    copy_weights(mine, theirs)
    run_both(mine, theirs, RNG.standard_normal((5, 4)))


def test_spectral_norm_matches_pytorch_and_is_undone():
    torch = torch_or_skip()
    torchlike.manual_seed(0)  # the layers' random start: the closing check on sigma must not depend on test order
    for name, args, x in (("Linear", (4, 3), RNG.standard_normal((5, 4))),
                          ("ConvTranspose2d", (3, 2, 3), RNG.standard_normal((2, 3, 4, 4)))):  # dim 1
        mine, theirs = pair(name, *args)
        mine = nn.utils.spectral_norm(mine, n_power_iterations=2)
        theirs = torch.nn.utils.spectral_norm(theirs, n_power_iterations=2)
        assert list(mine.state_dict()) == list(theirs.state_dict())
        copy_weights(mine, theirs)  # the same random start for u and v
        run_both(mine, theirs, x)  # training: power iteration updates u and v (compared as buffers)
        run_both(mine.eval(), theirs.eval(), x)  # eval: no update
        torch.nn.utils.remove_spectral_norm(theirs)
        nn.utils.remove_spectral_norm(mine)
        assert [k for k, _ in mine.named_parameters()] == [k for k, _ in theirs.named_parameters()]
        np.testing.assert_allclose(mine.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-10)
    sigma = np.linalg.svd(mine.weight.detach().numpy().transpose(1, 0, 2, 3).reshape(2, -1), compute_uv=False)[0]
    assert sigma < 1.5  # two power iterations from a random start: roughly normalized
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


# ================================================================================================ init

def test_dirac_makes_identity_convolutions_and_sparse_zeros_each_column():
    for shape, conv, groups in (((4, 4, 3), F.conv1d, 1), ((6, 3, 3, 3), F.conv2d, 2), ((2, 2, 1, 3, 3), F.conv3d, 1)):
        w = nn.init.dirac_(torchlike.empty(*shape), groups)
        x = torchlike.randn(1, shape[1] * groups, *(5,) * (len(shape) - 2))
        y = conv(x, w, padding=tuple(k // 2 for k in shape[2:]), groups=groups).numpy()
        per_group = shape[0] // groups
        for g in range(groups):  # each group's first channels copy the input channels of the group
            copied = min(per_group, shape[1])
            np.testing.assert_allclose(y[0, g * per_group:g * per_group + copied],
                                       x.numpy()[0, g * shape[1]:g * shape[1] + copied], atol=1e-6)
    torchlike.manual_seed(0)
    w = nn.init.sparse_(torchlike.empty(10, 6), sparsity=0.25, std=0.5)
    assert ((w.numpy() == 0).sum(axis=0) == 3).all()  # ceil(0.25 * 10) per column
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        nn.init.dirac_(torchlike.empty(3, 3))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        nn.init.dirac_(torchlike.empty(3, 3, 3), groups=2)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.sparse_(torchlike.empty(3, 3, 3), 0.1)


# ============================================================================================== datasets

def test_chain_and_stack_datasets():
    from minidl.eager.utils.data import ChainDataset, DataLoader, IterableDataset, StackDataset

    class Stream(IterableDataset):
        def __init__(self, *items):
            self.items = items

        def __iter__(self):
            return iter(self.items)

        def __len__(self):
            return len(self.items)

    chain = ChainDataset([Stream(1, 2), Stream(3)])
    assert list(chain) == [1, 2, 3] and len(chain) == 3
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([[1, 2]]))
    stacked = StackDataset(torchlike.arange(4), "abcd")
    assert len(stacked) == 4 and stacked[2][1] == "c" and stacked[2][0].item() == 2
    named = StackDataset(x=torchlike.arange(4), y=torchlike.arange(4) * 10)
    batch = next(iter(DataLoader(named, batch_size=2)))
    assert batch["y"].tolist() == [0, 10]
    for args, kwargs, message in (((), {}, "At least one dataset"), (([1], [2, 3]), {}, "Size mismatch"),
                                  (([1],), {"b": [2]}, "both types are given")):
        with pytest.raises(ValueError, match=message):
            StackDataset(*args, **kwargs)


# ================================================================================================ errors

@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv3d(torchlike.randn(1, 2, 4, 4, 4), torchlike.randn(3, 2, 2, 2)), OpError,
     r"conv3d: expected a 5-D weight \(out_channels, in_channels/groups, KD, KH, KW\), got float32\[3, 2, 2, 2\]"),
    (lambda: F.conv3d(torchlike.randn(1, 3, 4, 4, 4), torchlike.randn(3, 2, 2, 2, 2)), OpError,
     r"conv3d: Given groups=1, weight of size \[3, 2, 2, 2, 2\], expected input\[1, 3, 4, 4, 4\] to have 2 "
     r"channels, but got 3 channels instead"),
    (lambda: F.conv3d(torchlike.randn(4, 4), torchlike.randn(3, 4, 2, 2, 2)), OpError,
     r"conv3d: expected a 5-D input \(N, C, D, H, W\) or an unbatched 4-D one \(C, D, H, W\)"),
    (lambda: F.conv3d(torchlike.randn(1, 2, 4, 4, 4), torchlike.randn(3, 2, 2, 2, 2), stride=(1, 2)), RuntimeError,
     r"conv3d: expected stride to be a single integer value or a list of 3 integers"),
    (lambda: F.conv_transpose3d(torchlike.randn(1, 2, 4, 4, 4), torchlike.randn(2, 3, 2, 2, 2), padding="same"),
     OpError, r"conv_transpose3d: padding must be an int or a triple of ints"),
    (lambda: F.max_pool3d(torchlike.randn(2, 4, 4), 2), OpError,
     r"max_pool3d: expected a 5-D input \(N, C, D, H, W\) or an unbatched 4-D one"),
    (lambda: F.avg_pool3d(torchlike.randn(1, 2, 4, 4, 4), 2, padding=2), OpError,
     r"avg_pool3d: pad should be at most half of kernel size"),
    (lambda: F.avg_pool3d(torchlike.randn(1, 2, 4, 4, 4), (2, 2)), RuntimeError,
     r"avg_pool3d: expected kernel_size to be a single integer value or a list of 3 integers"),
    (lambda: nn.BatchNorm3d(2)(torchlike.randn(2, 2, 3, 3)), ValueError, r"expected 5D input \(got 4D input\)"),
    (lambda: F.glu(torchlike.randn(2, 3), 1), OpError, r"Halving dimension must be even, but dimension 1 is size 3"),
    (lambda: F.channel_shuffle(torchlike.randn(2, 5, 3), 2), OpError,
     r"Number of channels must be divisible by groups. Got 5 channels and 2 groups"),
    (lambda: F.channel_shuffle(torchlike.randn(2, 4), 2), OpError, r"channel_shuffle expects input with > 2 dims"),
    (lambda: F.local_response_norm(torchlike.randn(2, 4), 2), ValueError, r"Expected 3D or higher dimensionality"),
    (lambda: F.alpha_dropout(torchlike.randn(3), 1.5, True), ValueError, r"dropout probability has to be between"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, r"only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(torchlike.randn(3, 4), torchlike.tensor([1, 2])), OpError,
     r"target tensor should be 1-D with size equal to the number of input samples"),
    (lambda: F.multi_margin_loss(torchlike.randn(3, 4), torchlike.tensor([1, 2, 4])), IndexError, r"out of range"),
    (lambda: F.multilabel_margin_loss(torchlike.randn(3, 4), torchlike.tensor([[1, 2, -1, 0]] * 2)), OpError,
     r"inconsistent target size: \[2, 4\] for input of size: \[3, 4\]"),
    (lambda: F.multilabel_margin_loss(torchlike.randn(3, 4), torchlike.tensor([[1, 2, -1, 7]] * 3)), IndexError,
     r"out of range"),
    (lambda: F.soft_margin_loss(torchlike.randn(3, 4), torchlike.randn(3, 2)), OpError,
     r"soft_margin_loss: expected target of the input's shape"),
    (lambda: F.gaussian_nll_loss(torchlike.randn(3, 4), torchlike.randn(3, 4), torchlike.ones(3, 2)), ValueError,
     r"var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(torchlike.randn(3, 4), torchlike.randn(3, 4), -torchlike.ones(3, 4)), ValueError,
     r"var has negative entry/entries"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_lazy_layer_takes_its_input_size_from_a_state_dict_loaded_before_its_first_call():
    """As PyTorch's lazy layers take the shapes of the tensors loaded into them: restoring a checkpoint into a
    freshly built model of lazy layers, before any forward, works (minidl said "size mismatch ... [2, 0]")."""
    model = torchlike.nn.Sequential(torchlike.nn.LazyLinear(2))
    model.load_state_dict({"0.weight": torchlike.ones(2, 3), "0.bias": torchlike.zeros(2)})
    assert model[0].weight.shape == (2, 3) and model(torchlike.ones(1, 3)).tolist() == [[3.0, 3.0]]
    grouped = torchlike.nn.LazyConv2d(4, 3, groups=2)
    grouped.load_state_dict({"weight": torchlike.ones(4, 3, 3, 3), "bias": torchlike.zeros(4)})
    assert grouped.in_channels == 6 and grouped(torchlike.ones(1, 6, 5, 5)).shape == (1, 4, 3, 3)
    transposed = torchlike.nn.LazyConvTranspose2d(4, 3)
    transposed.load_state_dict({"weight": torchlike.ones(5, 4, 3, 3), "bias": torchlike.zeros(4)})
    assert transposed(torchlike.ones(1, 5, 4, 4)).shape == (1, 4, 6, 6)
    norm = torchlike.nn.LazyBatchNorm1d()
    norm.load_state_dict({"weight": torchlike.ones(7), "bias": torchlike.zeros(7), "running_mean": torchlike.full((7,), 2.0),
                          "running_var": torchlike.ones(7), "num_batches_tracked": torchlike.tensor(3)})
    assert norm.running_mean.tolist() == [2.0] * 7 and norm.num_batches_tracked.item() == 3
    with pytest.raises(RuntimeError, match="size mismatch for 0.bias"):
        torchlike.nn.Sequential(torchlike.nn.LazyLinear(2)).load_state_dict({"0.weight": torchlike.ones(2, 3), "0.bias": torchlike.zeros(5)})
