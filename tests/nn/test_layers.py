"""Layers of ``minidl.eager.nn`` and ``nn.functional``: outputs and gradients against PyTorch (same weights,
float64), numpy references for a few, default initialisations, batch norm's running statistics, dropout, reprs
and errors."""
import math

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import copy_weights, pair, run_both, torch_or_skip
from tests.torch_version import since_mirrored_torch

rng = numpy.random.default_rng(0)
X4 = rng.standard_normal((2, 4, 7, 6))  # (N, C, H, W)
X3 = rng.standard_normal((3, 5, 4))     # (N, C, L) or (L, N, features)
X2 = rng.standard_normal((5, 4))        # (N, features)

# (layer name, constructor args, constructor kwargs, inputs): built in both frameworks, compared
LAYER_CASES = [
    ("Linear", (4, 3), {}, [X2]),
    ("Linear", (4, 3), {"bias": False}, [X3]),
    ("Linear", (4, 3), {}, [X2[0]]),
    ("Bilinear", (4, 3, 2), {}, [X2, X2[:, :3]]),
    ("Bilinear", (4, 3, 2), {"bias": False}, [X2, X2[:, :3]]),
    ("Identity", (), {}, [X2]),
    ("Flatten", (), {}, [X4]),
    ("Flatten", (0, 2), {}, [X4]),
    ("Unflatten", (1, (2, 2)), {}, [X4]),
    ("Unflatten", (-1, (3, -1)), {}, [X4]),
    ("Conv2d", (4, 3, 3), {}, [X4]),
    ("Conv2d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, [X4]),
    ("Conv2d", (4, 2, (3, 2)), {"padding": "same", "dilation": 2, "bias": False}, [X4]),
    ("Conv2d", (4, 2, 3), {"padding": "valid"}, [X4[0]]),
    ("Conv2d", (4, 2, 3), {"padding": (1, 2), "padding_mode": "reflect"}, [X4]),
    ("Conv2d", (4, 2, 3), {"padding": "same", "padding_mode": "circular"}, [X4]),
    ("Conv2d", (4, 2, 3), {"stride": 2, "padding": 1, "padding_mode": "replicate"}, [X4]),
    ("ConvTranspose2d", (4, 3, 3), {}, [X4]),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, [X4]),
    ("ConvTranspose2d", (4, 2, (2, 3)), {"stride": (2, 1), "dilation": 2, "bias": False}, [X4]),
    ("MaxPool2d", (2,), {}, [X4]),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, [X4]),
    ("MaxPool2d", (2,), {"stride": 1, "dilation": 2, "return_indices": True}, [X4]),
    ("AvgPool2d", (2,), {}, [X4]),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, [X4]),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True, "divisor_override": 2}, [X4]),
    ("AdaptiveAvgPool2d", (1,), {}, [X4]),
    ("AdaptiveAvgPool2d", ((3, None),), {}, [X4]),
    ("AdaptiveAvgPool2d", ((4, 5),), {}, [X4[0]]),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, [X4[:, :, None].repeat(3, axis=2)]),
    ("LayerNorm", (6,), {}, [X4]),
    ("LayerNorm", ((7, 6),), {"elementwise_affine": False}, [X4]),
    ("LayerNorm", (4,), {"bias": False, "eps": 1e-3}, [X2]),
    ("GroupNorm", (2, 4), {}, [X4]),
    ("GroupNorm", (1, 5), {"affine": False}, [X3]),
    ("GroupNorm", (4, 4), {"eps": 1e-2}, [X4]),
    ("Embedding", (10, 3), {}, [numpy.array([[1, 2, 2], [0, 9, 1]])]),
    ("Embedding", (10, 3), {"padding_idx": 2}, [numpy.array([[1, 2, 2], [0, 9, 1]])]),
    ("Embedding", (10, 3), {"scale_grad_by_freq": True, "padding_idx": 0}, [numpy.array([[1, 2, 2], [0, 9, 1]])]),
    ("ReLU", (), {}, [X4]),
    ("LeakyReLU", (0.2,), {}, [X4]),
    ("ELU", (0.5,), {}, [X4]),
    ("GELU", (), {}, [X4]),
    ("GELU", ("tanh",), {}, [X4]),
    ("SiLU", (), {}, [X4]),
    ("Sigmoid", (), {}, [X4]),
    ("Tanh", (), {}, [X4]),
    ("Softplus", (), {}, [X4]),
    ("Softplus", (2.0, 1.0), {}, [X4]),
    ("Softmax", (1,), {}, [X4]),
    ("LogSoftmax", (-1,), {}, [X4]),
]


@pytest.mark.parametrize("name, args, kwargs, inputs", LAYER_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAYER_CASES)])
def test_layer_matches_pytorch(name, args, kwargs, inputs):
    mine, theirs = pair(name, *args, **kwargs)
    run_both(mine, theirs, *inputs)


@pytest.mark.parametrize("name, args, kwargs, inputs", LAYER_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAYER_CASES)])
@since_mirrored_torch
def test_repr_matches_pytorch(name, args, kwargs, inputs):
    torch = torch_or_skip()
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def test_parameter_names_and_shapes_match_pytorch():
    torch = torch_or_skip()
    for name, args, kwargs, _ in LAYER_CASES + [("BatchNorm2d", (3,), {}, None), ("BatchNorm1d", (3,),
                                                                                   {"affine": False}, None)]:
        mine = getattr(nn, name)(*args, **kwargs).state_dict()
        theirs = getattr(torch.nn, name)(*args, **kwargs).state_dict()
        assert list(mine) == list(theirs), name
        assert [tuple(v.shape) for v in mine.values()] == [tuple(v.shape) for v in theirs.values()], name


@since_mirrored_torch
def test_cnn_matches_pytorch():
    """The demo's kind of network, end to end: conv-relu-pool twice, flatten, linear."""
    torch = torch_or_skip()

    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
                                 lib.nn.Conv2d(4, 6, 3), lib.nn.BatchNorm2d(6), lib.nn.ReLU(),
                                 lib.nn.AdaptiveAvgPool2d(2), lib.nn.Flatten(), lib.nn.Dropout(0.3),
                                 lib.nn.Linear(24, 10), lib.nn.LogSoftmax(dim=1))
    theirs, mine = build(torch).double(), build(torchlike).double()
    copy_weights(mine, theirs)
    theirs.eval(), mine.eval()
    assert repr(mine) == repr(theirs)
    run_both(mine, theirs, rng.standard_normal((3, 1, 10, 10)))


# ---------------------------------------------------------------------------------------- numpy references

def _tensor(a, requires_grad=False):
    return torchlike.tensor(numpy.asarray(a, dtype=numpy.float64), requires_grad=requires_grad)


def test_linear_against_numpy():
    layer = nn.Linear(4, 3).double()
    x = _tensor(X2, requires_grad=True)
    y = layer(x)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    numpy.testing.assert_allclose(y.detach().numpy(), X2 @ w.T + b, rtol=1e-12)
    y.sum().backward()
    numpy.testing.assert_allclose(layer.weight.grad.detach().numpy(), numpy.ones((5, 3)).T @ X2, rtol=1e-12)
    numpy.testing.assert_allclose(layer.bias.grad.detach().numpy(), numpy.full(3, 5.0))
    numpy.testing.assert_allclose(x.grad.detach().numpy(), numpy.ones((5, 3)) @ w, rtol=1e-12)


def test_conv2d_against_numpy():
    layer = nn.Conv2d(4, 3, 3, stride=2, padding=1).double()
    y = layer(_tensor(X4)).detach().numpy()
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    padded = numpy.pad(X4, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = numpy.empty((2, 3, 4, 3))
    for i in range(4):
        for j in range(3):
            window = padded[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            expected[:, :, i, j] = numpy.einsum("nchw,ochw->no", window, w) + b
    numpy.testing.assert_allclose(y, expected, rtol=1e-10)


def test_layer_norm_and_group_norm_against_numpy():
    x = _tensor(X4)
    mean, var = X4.mean(axis=(2, 3), keepdims=True), X4.var(axis=(2, 3), keepdims=True)
    numpy.testing.assert_allclose(nn.LayerNorm((7, 6)).double()(x).detach().numpy(),
                                  (X4 - mean) / numpy.sqrt(var + 1e-5), rtol=1e-9)
    grouped = X4.reshape(2, 2, -1)
    mean, var = grouped.mean(axis=2, keepdims=True), grouped.var(axis=2, keepdims=True)
    numpy.testing.assert_allclose(nn.GroupNorm(2, 4).double()(x).detach().numpy(),
                                  ((grouped - mean) / numpy.sqrt(var + 1e-5)).reshape(X4.shape), rtol=1e-9)


def test_max_pool_against_numpy():
    y = nn.MaxPool2d(2)(_tensor(X4)).detach().numpy()
    numpy.testing.assert_array_equal(y, X4[:, :, :6].reshape(2, 4, 3, 2, 3, 2).max(axis=(3, 5)))


# ------------------------------------------------------------------------------------- default initialisation

def _within(t, bound):
    values = t.detach().numpy()
    assert numpy.abs(values).max() <= bound
    return values


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Linear(200, 100), 200),
    (lambda: nn.Conv2d(12, 30, 5, groups=3), 4 * 25),
    (lambda: nn.ConvTranspose2d(12, 30, 3, groups=2), 15 * 9),
])
def test_linear_and_conv_default_init(make, fan_in):
    """kaiming_uniform_(a=√5) for the weight is U(-1/√fan_in, 1/√fan_in), and so is the bias."""
    torchlike.manual_seed(0)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    weights = _within(layer.weight, bound)
    assert weights.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)  # the std of U(-a, a) is a/√3
    biases = _within(layer.bias, bound)
    assert biases.std() > bound / 4
    assert layer.weight.dtype == torchlike.float32 and layer.weight.requires_grad


def test_bilinear_embedding_and_norm_default_init():
    torchlike.manual_seed(0)
    bilinear = nn.Bilinear(16, 3, 20)
    _within(bilinear.weight, 1 / 4)
    _within(bilinear.bias, 1 / 4)
    table = nn.Embedding(1000, 20, padding_idx=-2)
    values = table.weight.detach().numpy()
    assert table.padding_idx == 998 and not values[998].any()
    assert values.mean() == pytest.approx(0, abs=0.02) and values.std() == pytest.approx(1, rel=0.02)
    for layer in (nn.BatchNorm2d(3), nn.LayerNorm(3), nn.GroupNorm(1, 3)):
        numpy.testing.assert_array_equal(layer.weight.detach().numpy(), 1)
        numpy.testing.assert_array_equal(layer.bias.detach().numpy(), 0)


def test_factory_arguments_and_reproducible_init():
    layer = nn.Linear(3, 2, dtype=torchlike.float64, device="cpu")
    assert layer.weight.dtype == torchlike.float64 and layer.bias.dtype == torchlike.float64
    torchlike.manual_seed(7)
    a = nn.Conv2d(2, 3, 3).state_dict()
    torchlike.manual_seed(7)
    b = nn.Conv2d(2, 3, 3).state_dict()
    for k in a:
        numpy.testing.assert_array_equal(a[k].detach().numpy(), b[k].detach().numpy())


# ------------------------------------------------------------------------------------------------ batch norm

def _batch_norm_pair(name, *args, **kwargs):
    mine, theirs = pair(name, *args, **kwargs)
    return mine, theirs


@pytest.mark.parametrize("name, x, kwargs", [
    ("BatchNorm2d", X4, {}),
    ("BatchNorm2d", X4, {"momentum": None}),
    ("BatchNorm2d", X4, {"affine": False, "momentum": 0.3}),
    ("BatchNorm1d", X3, {"bias": False}),
    ("BatchNorm1d", X2.T, {"eps": 1e-3}),
    ("BatchNorm1d", X3, {"track_running_stats": False}),
])
@since_mirrored_torch
def test_batch_norm_training_then_eval_matches_pytorch(name, x, kwargs):
    """Three training steps (checking outputs, gradients and the running statistics each time), then eval."""
    mine, theirs = pair(name, x.shape[1], **kwargs)
    for step in range(3):
        run_both(mine, theirs, x * (step + 1) + step)
    if mine.track_running_stats:
        assert int(mine.num_batches_tracked) == 3
    mine.eval(), theirs.eval()
    run_both(mine, theirs, x[:2])


def test_batch_norm_updates_buffers_in_place_with_unbiased_variance():
    layer = nn.BatchNorm2d(4, momentum=0.25).double()
    mean_buffer, var_buffer = layer.running_mean, layer.running_var
    before = mean_buffer._data
    layer(_tensor(X4))
    assert layer.running_mean is mean_buffer and layer.running_var is var_buffer
    assert layer.running_mean._data is before  # the very same memory: written in place
    assert not layer.running_mean.requires_grad and not layer.running_var.requires_grad
    n = X4.size // 4
    numpy.testing.assert_allclose(mean_buffer.detach().numpy(), 0.25 * X4.mean(axis=(0, 2, 3)), rtol=1e-12)
    numpy.testing.assert_allclose(var_buffer.detach().numpy(), 0.75 + 0.25 * X4.var(axis=(0, 2, 3)) * n / (n - 1),
                                  rtol=1e-12)


def test_batch_norm_cumulative_average_with_momentum_none():
    layer = nn.BatchNorm1d(4, momentum=None).double()
    batches = [rng.standard_normal((6, 4)) + i for i in range(4)]
    for b in batches:
        layer(_tensor(b))
    numpy.testing.assert_allclose(layer.running_mean.detach().numpy(), numpy.mean([b.mean(0) for b in batches], 0),
                                  rtol=1e-12)


def test_batch_norm_eval_uses_running_statistics_and_without_them_batch_statistics():
    layer = nn.BatchNorm1d(4).double().eval()
    with torchlike.no_grad():
        layer.running_mean.copy_(_tensor([1.0, 2.0, 3.0, 4.0]))
        layer.running_var.fill_(4.0)
    y = layer(_tensor(X2)).detach().numpy()
    numpy.testing.assert_allclose(y, (X2 - [1, 2, 3, 4]) / numpy.sqrt(4 + 1e-5), rtol=1e-12)
    assert int(layer.num_batches_tracked) == 0
    untracked = nn.BatchNorm1d(4, track_running_stats=False).double().eval()
    assert untracked.running_mean is None and "running_mean" not in untracked.state_dict()
    numpy.testing.assert_allclose(untracked(_tensor(X2)).detach().numpy().mean(0), 0, atol=1e-12)


def test_functional_batch_norm_updates_running_stats_like_pytorch():
    torch = torch_or_skip()
    ours = [torchlike.zeros(4, dtype=torchlike.float64), torchlike.ones(4, dtype=torchlike.float64)]
    theirs = [torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)]
    y = F.batch_norm(_tensor(X4), *ours, training=True, momentum=0.2)
    expected = torch.nn.functional.batch_norm(torch.tensor(X4), *theirs, training=True, momentum=0.2)
    numpy.testing.assert_allclose(y.detach().numpy(), expected.detach().numpy(), rtol=1e-10)
    for a, b in zip(ours, theirs):
        numpy.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        nn.BatchNorm2d(3)(torchlike.randn(2, 3))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(torchlike.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(torchlike.randn(1, 3))


# --------------------------------------------------------------------------------------------------- dropout

def test_dropout_training_statistics_scale_and_gradient():
    torchlike.manual_seed(0)
    x = torchlike.ones(100, 100, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    values = y.detach().numpy()
    kept = values != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.02)
    numpy.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    numpy.testing.assert_allclose(x.grad.detach().numpy(), values)  # d(x·mask·scale)/dx = mask·scale


def test_dropout_is_the_identity_in_eval_mode_and_reproducible_with_manual_seed():
    x = torchlike.randn(20, 20)
    layer = nn.Dropout()
    assert layer.eval()(x) is x
    layer.train()
    torchlike.manual_seed(3)
    a = layer(x).detach().numpy()
    torchlike.manual_seed(3)
    b = layer(x).detach().numpy()
    numpy.testing.assert_array_equal(a, b)
    assert not numpy.array_equal(a, layer(x).detach().numpy())


def test_dropout_edge_probabilities_inplace_and_errors():
    x = torchlike.randn(5, 5)
    numpy.testing.assert_array_equal(nn.Dropout(0.0)(x).detach().numpy(), x.detach().numpy())
    assert not nn.Dropout(1.0)(x).detach().numpy().any()
    y = torchlike.randn(5, 5)
    assert nn.Dropout(0.5, inplace=True)(y) is y and (y.detach().numpy() == 0).any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


# ------------------------------------------------------------------------------------------------- embedding

def test_embedding_padding_row_gets_no_gradient():
    table = nn.Embedding(5, 3, padding_idx=0)
    table(torchlike.tensor([[0, 1], [1, 0]])).sum().backward()
    grad = table.weight.grad.detach().numpy()
    assert not grad[0].any() and (grad[1] == 2).all() and not grad[2:].any()


def test_embedding_max_norm_renormalizes_rows_like_pytorch():
    mine, theirs = pair("Embedding", 6, 3, max_norm=0.5, norm_type=1.0)
    before = mine.weight.detach().numpy().copy()
    ids = numpy.array([[1, 4, 4]])
    run_both(mine, theirs, ids)
    after = mine.weight.detach().numpy()
    numpy.testing.assert_allclose(after, theirs.weight.detach().numpy(), rtol=1e-12)
    norms = numpy.abs(after).sum(1)
    assert norms[[1, 4]].max() <= 0.5 + 1e-6, "looked-up rows are renormalised"
    numpy.testing.assert_array_equal(after[[0, 2, 3, 5]], before[[0, 2, 3, 5]])  # the others are untouched


def test_embedding_from_pretrained_and_errors():
    table = torchlike.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    numpy.testing.assert_array_equal(frozen(torchlike.tensor([1])).detach().numpy(), [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(IndexError, match="index out of range"):
        nn.Embedding(3, 2)(torchlike.tensor([3]))


# ------------------------------------------------------------------------------------- activations, inplace

@pytest.mark.parametrize("name, kwargs", [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.1}),
                                          ("ELU", {"alpha": 2.0}), ("SiLU", {})])
def test_inplace_activations(name, kwargs):
    x = torchlike.randn(4, 5)
    expected = getattr(nn, name)(**kwargs)(x).detach().numpy()
    layer = getattr(nn, name)(inplace=True, **kwargs)
    assert layer(x) is x
    numpy.testing.assert_allclose(x.detach().numpy(), expected)


def test_inplace_activation_on_an_intermediate_keeps_the_gradient():
    torch = torch_or_skip()
    x, tx = _tensor(X2, requires_grad=True), torch.tensor(X2, requires_grad=True)
    (F.leaky_relu(x * 2, 0.1, inplace=True) ** 2).sum().backward()
    (torch.nn.functional.leaky_relu(tx * 2, 0.1, inplace=True) ** 2).sum().backward()
    numpy.testing.assert_allclose(x.grad.detach().numpy(), tx.grad.detach().numpy(), rtol=1e-12)


def test_functional_extras_match_pytorch():
    torch = torch_or_skip()
    tF = torch.nn.functional
    x, tx = _tensor(X4 * 4), torch.tensor(X4 * 4)
    pairs = [
        (F.relu6(x), tF.relu6(tx)),
        (F.hardtanh(x, -2.0, 3.0), tF.hardtanh(tx, -2.0, 3.0)),
        (F.normalize(x), tF.normalize(tx)),
        (F.normalize(x, p=1.0, dim=-1), tF.normalize(tx, p=1.0, dim=-1)),
        (F.pad(x, (1, 2, 0, 1), mode="reflect"), tF.pad(tx, (1, 2, 0, 1), mode="reflect")),
        (F.one_hot(torchlike.tensor([0, 3, 1])), tF.one_hot(torch.tensor([0, 3, 1]))),
        (F.linear(x, _tensor(X2[:, :1] * X4[0, 0, 0])), tF.linear(tx, torch.tensor(X2[:, :1] * X4[0, 0, 0]))),
    ]
    for ours, theirs in pairs:
        numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    numpy.testing.assert_array_equal(F.normalize(torchlike.zeros(2, 3)).detach().numpy(), 0)  # eps: no 0/0


def test_functional_names_are_the_ops():
    """Thin layer: where nothing is added, ``F.name`` is the op library's function itself. (softmax and the
    losses are wrappers: PyTorch's implicit softmax dim and legacy size_average/reduce arguments.)"""
    for name in ("gelu", "sigmoid", "tanh", "softplus", "linear", "conv2d", "conv_transpose2d", "max_pool2d",
                 "avg_pool2d", "adaptive_avg_pool2d", "layer_norm", "group_norm", "huber_loss", "one_hot"):
        assert getattr(F, name).__module__.startswith("minidl.ops."), name
    assert set(F.__all__) <= set(dir(F))


# ---------------------------------------------------------------------------------------------- convolution

def test_conv_transpose_output_size_picks_the_output_padding():
    torch = torch_or_skip()
    mine, theirs = pair("ConvTranspose2d", 4, 2, 3, stride=2, padding=1)
    x = rng.standard_normal((1, 4, 3, 3))
    for size in ((5, 5), (6, 5), (1, 2, 6, 6)):
        run_both(mine, theirs, x, output_size=size)
    with pytest.raises(ValueError, match="valid sizes range from 5 to 6"):
        mine(torchlike.tensor(x), output_size=(7, 5))
    del torch


def test_conv_errors():
    with pytest.raises(ValueError, match="in_channels .* divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels .* divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 3, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="invalid padding string"):
        nn.Conv2d(4, 3, 3, padding="full")
    with pytest.raises(ValueError, match="not supported for strided"):
        nn.Conv2d(4, 3, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(4, 3, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="expected input.* to have 4 channels, but got 3"):
        nn.Conv2d(4, 3, 3)(torchlike.randn(1, 3, 5, 5))


# ------------------------------------------------------------------------------------------- shapes, errors

def test_linear_errors():
    with pytest.raises(ValueError, match="mat1 and mat2 shapes cannot be multiplied"):
        nn.Linear(4, 3)(torchlike.randn(2, 5))
    with pytest.raises(ValueError, match="in_features must be a non-negative int"):
        nn.Linear(-1, 3)


def test_flatten_unflatten_identity_errors():
    assert nn.Identity(54, unused="x")(X2) is X2
    with pytest.raises(TypeError, match="tuple of ints"):
        nn.Unflatten(1, 4)
    with pytest.raises(IndexError, match="out of range"):
        nn.Unflatten(4, (2, 2))(torchlike.randn(2, 4))
    with pytest.raises(ValueError):
        nn.Unflatten(1, (3, 3))(torchlike.randn(2, 4))


def test_norm_errors():
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(5)(torchlike.randn(2, 4))


# ------------------------------------------------------------------------------------------------- nn.utils

def _models_with_grads():
    """The same small model in both frameworks, with the same (large) gradients."""
    torch = torch_or_skip()
    mine, theirs = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)).double(), \
        torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)).double()
    copy_weights(mine, theirs)
    x = X2 * 10
    mine(_tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    return mine, theirs, torch


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    mine, theirs, torch = _models_with_grads()
    ours = nn.utils.clip_grad_norm_(mine.parameters(), max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    assert float(ours) == pytest.approx(float(expected), rel=1e-10)
    for p, tp in zip(mine.parameters(), theirs.parameters()):
        numpy.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10)
    if max_norm < 1:
        total = numpy.linalg.norm(numpy.concatenate([p.grad.numpy().ravel() for p in mine.parameters()]),
                                  norm_type)
        assert total == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_single_tensor_no_grads_and_nonfinite():
    p = nn.Parameter(torchlike.tensor([3.0, 4.0]))
    p.grad = torchlike.tensor([3.0, 4.0])
    assert float(nn.utils.clip_grad_norm_(p, 1.0)) == pytest.approx(5.0)
    numpy.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(torchlike.ones(2))], 1.0)) == 0.0
    p.grad = torchlike.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_in_two_halves_get_total_norm_then_clip_grads_with_norm():
    """The 2.6+ split of clip_grad_norm_: a norm computed once (e.g. over several workers' gradients) clips."""
    p, q = nn.Parameter(torchlike.zeros(2)), nn.Parameter(torchlike.zeros(1))
    p.grad, q.grad = torchlike.tensor([3.0, 0.0]), torchlike.tensor([4.0])
    total = nn.utils.get_total_norm([p.grad, q.grad])
    assert float(total) == pytest.approx(5.0) and float(nn.utils.get_total_norm(p.grad, norm_type=1)) == 3.0
    nn.utils.clip_grads_with_norm_([p, q], 1.0, total)
    numpy.testing.assert_allclose([*p.grad.tolist(), *q.grad.tolist()], [0.6, 0.0, 0.8], rtol=1e-5)
    assert float(nn.utils.get_total_norm([])) == 0.0
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm([torchlike.tensor([float("inf")])], error_if_nonfinite=True)


def test_clip_grad_value_matches_pytorch():
    mine, theirs, torch = _models_with_grads()
    nn.utils.clip_grad_value_(mine.parameters(), 2.5)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 2.5)
    for p, tp in zip(mine.parameters(), theirs.parameters()):
        numpy.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)
    assert max(numpy.abs(p.grad.numpy()).max() for p in mine.parameters()) == 2.5


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    params = list(model.parameters())
    vector = nn.utils.parameters_to_vector(model.parameters())
    assert tuple(vector.shape) == (sum(p.numel() for p in params),)
    numpy.testing.assert_array_equal(vector.detach().numpy(),
                                     numpy.concatenate([p.detach().numpy().ravel() for p in params]))
    (vector * 2).sum().backward()  # differentiable, like PyTorch's
    assert all((p.grad.numpy() == 2).all() for p in params)
    nn.utils.vector_to_parameters(torchlike.arange(vector.numel()).float(), model.parameters())
    assert all(a is b for a, b in zip(model.parameters(), params))  # the same Parameter objects, new values
    numpy.testing.assert_array_equal(model[0].weight.detach().numpy(), numpy.arange(12).reshape(3, 4))
    numpy.testing.assert_array_equal(model[1].bias.detach().numpy(), [21, 22])
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.utils.vector_to_parameters([1.0], model.parameters())
    with pytest.raises(ValueError, match="23 elements"):
        nn.utils.vector_to_parameters(torchlike.zeros(5), model.parameters())


# -------------------------------------------------------------------------------------------------- devices

def test_layers_on_every_device_match_the_cpu(device):
    """A model moved with ``.to(device)`` computes what it computes on the CPU, gradients included."""
    def build():
        torchlike.manual_seed(0)
        return nn.ModuleDict({"conv": nn.Conv2d(4, 3, 3, padding=1), "norm": nn.BatchNorm2d(3),
                              "pool": nn.MaxPool2d(2), "embed": nn.Embedding(10, 4, padding_idx=0),
                              "lstm": nn.LSTM(4, 3, batch_first=True), "head": nn.Linear(3, 2)}).double()

    def run(model, dev):
        x = torchlike.tensor(X4, device=dev)
        ids = torchlike.tensor([[1, 0, 5], [2, 2, 9]], device=dev)
        features = model["pool"](model["norm"](model["conv"](x))).mean()
        output, _ = model["lstm"](model["embed"](ids))
        loss = (model["head"](output) * features).sum()
        loss.backward()
        return [float(loss)] + [p.grad.cpu().numpy() for p in model.parameters()] + \
            [b.cpu().numpy() for b in model.buffers()]

    cpu, moved = build(), build().to(device)
    assert all(p.device.type == torchlike.device(device).type for p in moved.parameters())
    for a, b in zip(run(cpu, "cpu"), run(moved, device)):
        numpy.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
