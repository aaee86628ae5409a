"""The layers added for beginner PyTorch programs: 1-D convolution and pooling, channel dropout, upsampling and
padding layers, the further activations (and softmax without ``dim``), ParameterList / ParameterDict. Outputs,
gradients and reprs against PyTorch (same weights, float64), central-difference gradient checks of the new
compositions, statistics of the random layers, and errors."""
import warnings

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.autograd import gradcheck
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import check_layer, check_repr_and_state, run_both, torch_or_skip
from tests.torch_version import since_mirrored_torch

rng = numpy.random.default_rng(5)
X3 = rng.standard_normal((2, 4, 9))      # (N, C, L)
X4 = rng.standard_normal((2, 3, 5, 6))   # (N, C, H, W)
X5 = rng.standard_normal((1, 2, 3, 4, 5))
WIDE = X4 * 4                            # spread over the activations' interesting ranges

LAYER_CASES = [
    ("Conv1d", (4, 3, 3), {}, [X3]),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, [X3]),
    ("Conv1d", (4, 2, 4), {"padding": "same", "bias": False}, [X3]),
    ("Conv1d", (4, 2, 3), {"padding": 2, "padding_mode": "reflect"}, [X3]),
    ("Conv1d", (4, 2, 3), {"padding": "same", "padding_mode": "circular"}, [X3[0]]),
    ("ConvTranspose1d", (4, 3, 3), {}, [X3]),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 2},
     [X3]),
    ("MaxPool1d", (2,), {}, [X3]),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True, "return_indices": True}, [X3]),
    ("AvgPool1d", (2,), {}, [X3]),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}, [X3[0]]),
    ("AdaptiveAvgPool1d", (4,), {}, [X3]),
    ("AdaptiveAvgPool1d", (1,), {}, [X3[0]]),
    ("Upsample", (), {"scale_factor": 2}, [X4]),
    ("Upsample", (), {"size": (7, 4)}, [X4]),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bilinear"}, [X4]),
    ("Upsample", (), {"size": (9, 3), "mode": "bilinear", "align_corners": True}, [X4]),
    ("Upsample", (), {"scale_factor": 2.5, "mode": "linear"}, [X3]),
    ("Upsample", (), {"scale_factor": (1.5, 2, 0.6), "mode": "trilinear"}, [X5]),
    ("Upsample", (), {"scale_factor": 0.7, "mode": "nearest-exact"}, [X4]),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}, [X4]),
    ("UpsamplingBilinear2d", (), {"size": 8}, [X4]),
    ("ZeroPad2d", (1,), {}, [X4]),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}, [X4]),
    ("ConstantPad1d", ((2, 1), 0.5), {}, [X3]),
    ("ConstantPad2d", (2, -1.0), {}, [X4]),
    ("ReflectionPad1d", (2,), {}, [X3]),
    ("ReflectionPad2d", ((1, 2, 2, 1),), {}, [X4]),
    ("ReplicationPad2d", (2,), {}, [X4]),
    ("CircularPad2d", (1,), {}, [X4]),
    ("ReLU6", (), {}, [WIDE]),
    ("Hardtanh", (), {}, [WIDE]),
    ("Hardtanh", (-2.0, 3.0), {}, [WIDE]),
    ("PReLU", (), {}, [WIDE]),
    ("PReLU", (3, 0.1), {}, [WIDE]),
    ("SELU", (), {}, [WIDE]),
    ("CELU", (), {}, [WIDE]),
    ("CELU", (0.5,), {}, [WIDE]),
    ("Mish", (), {}, [WIDE]),
    ("LogSigmoid", (), {}, [WIDE * 10]),
    ("Hardswish", (), {}, [WIDE]),
    ("Hardsigmoid", (), {}, [WIDE]),
    ("Softsign", (), {}, [WIDE]),
    ("Tanhshrink", (), {}, [WIDE]),
    ("Threshold", (0.5, -2.0), {}, [WIDE]),
    ("Softmin", (1,), {}, [X4]),
    ("Softmax2d", (), {}, [X4]),
    ("CosineSimilarity", (), {}, [X4, X4[::-1].copy()]),
    ("CosineSimilarity", (-1, 1e-3), {}, [X3, X3[:, :1]]),
    ("PairwiseDistance", (), {}, [X4, X4[::-1].copy()]),
    ("PairwiseDistance", (1.0, 1e-3, True), {}, [X3, X3[:1]]),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(LAYER_CASES)]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # PyTorch's, about its speed
@pytest.mark.parametrize("name, args, kwargs, inputs", LAYER_CASES, ids=IDS)
def test_layer_matches_pytorch(name, args, kwargs, inputs):
    check_layer(name, args, kwargs, inputs)


@pytest.mark.parametrize("name, args, kwargs, inputs", LAYER_CASES, ids=IDS)
def test_repr_and_state_match_pytorch(name, args, kwargs, inputs):
    check_repr_and_state(name, args, kwargs)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ReLU6(inplace=True), lambda lib: lib.nn.Hardtanh(-2, 3, True), lambda lib: lib.nn.SELU(True),
    lambda lib: lib.nn.CELU(2.0, True), lambda lib: lib.nn.Mish(True), lambda lib: lib.nn.Hardswish(True),
    lambda lib: lib.nn.Hardsigmoid(True), lambda lib: lib.nn.Threshold(0.1, 2.0, True),
    lambda lib: lib.nn.Dropout2d(0.2, True), lambda lib: lib.nn.Softmax(), lambda lib: lib.nn.Softmin(0),
    lambda lib: lib.nn.Upsample(scale_factor=(2, 3), mode="bilinear"), lambda lib: lib.nn.ZeroPad1d(2),
    lambda lib: lib.nn.ConstantPad3d(1, 2.5), lambda lib: lib.nn.ReflectionPad3d(1),
    lambda lib: lib.nn.ReplicationPad1d((1, 3)), lambda lib: lib.nn.CircularPad1d(1),
    lambda lib: lib.nn.Conv1d(4, 2, 3, padding="same", bias=False, padding_mode="reflect"),
    lambda lib: lib.nn.ConvTranspose1d(4, 2, 3, stride=2, bias=False),
    lambda lib: lib.nn.Dropout1d(), lambda lib: lib.nn.Dropout3d(0.3),
])
def test_more_reprs_match_pytorch(make):
    torch = torch_or_skip()
    assert repr(make(torchlike)) == repr(make(torch))


@since_mirrored_torch
def test_a_1d_cnn_matches_pytorch_end_to_end():
    """A text/audio-style network: conv1d-relu-pool twice, global pooling, dropout (eval), linear."""
    torch = torch_or_skip()

    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv1d(4, 8, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool1d(2),
                                 lib.nn.Conv1d(8, 6, 3), lib.nn.BatchNorm1d(6), lib.nn.Hardswish(),
                                 lib.nn.AdaptiveAvgPool1d(1), lib.nn.Flatten(), lib.nn.Dropout(0.3),
                                 lib.nn.Linear(6, 3), lib.nn.LogSoftmax(dim=1))
    theirs, mine = build(torch).double().eval(), build(torchlike).double().eval()
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert repr(mine) == repr(theirs)
    run_both(mine, theirs, rng.standard_normal((3, 4, 12)))


def test_conv1d_default_init_like_pytorch():
    """kaiming_uniform_(a=√5): U(-1/√fan_in, 1/√fan_in) with fan_in = in_channels/groups · K, bias alike."""
    torchlike.manual_seed(0)
    layer = nn.Conv1d(12, 30, 5, groups=3)
    bound = 1 / numpy.sqrt(4 * 5)
    weights = layer.weight.detach().numpy()
    assert tuple(weights.shape) == (30, 4, 5) and numpy.abs(weights).max() <= bound
    assert weights.std() == pytest.approx(bound / numpy.sqrt(3), rel=0.1)
    assert numpy.abs(layer.bias.detach().numpy()).max() <= bound


# --------------------------------------------------------------------------------- functional forms

def _tensors(*arrays):
    return [torchlike.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=2), dict(size=(3, 11)), dict(scale_factor=(1.3, 0.6)), dict(scale_factor=1.02),
    dict(scale_factor=1.7, mode="bilinear"), dict(scale_factor=1.1, mode="bilinear"),
    dict(size=(4, 13), mode="bilinear", align_corners=True), dict(scale_factor=2.2, mode="nearest-exact"),
    dict(size=(3, 4), mode="area"), dict(scale_factor=0.5, mode="area"),
    dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True),
])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_interpolate_matches_pytorch(kwargs, dtype):
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 6, 7)).astype(dtype)
    ours, theirs = torchlike.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.interpolate(ours, **kwargs), torch.nn.functional.interpolate(theirs, **kwargs)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    numpy.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    (y * torchlike.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), **tol)


def test_interpolate_1d_and_3d_and_deprecated_names():
    torch = torch_or_skip()
    tF = torch.nn.functional
    for x, kwargs in ((X3, dict(size=4, mode="linear")), (X3, dict(scale_factor=3)),
                      (X3, dict(size=5, mode="area")), (X5, dict(size=(2, 5, 7), mode="trilinear")),
                      (X5, dict(scale_factor=2, mode="nearest"))):
        numpy.testing.assert_allclose(F.interpolate(torchlike.tensor(x), **kwargs).numpy(),
                                      tF.interpolate(torch.tensor(x), **kwargs).numpy(), rtol=1e-12)
    for name, kwargs in (("upsample", dict(scale_factor=2, mode="bilinear")), ("upsample_nearest", dict(size=8)),
                         ("upsample_bilinear", dict(scale_factor=2))):
        with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
            ours = getattr(F, name)(torchlike.tensor(X4), **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(tF, name)(torch.tensor(X4), **kwargs)
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_functional_activations_match_pytorch():
    torch = torch_or_skip()
    tF = torch.nn.functional
    x, tx = torchlike.tensor(WIDE), torch.tensor(WIDE)
    weight = rng.uniform(0, 0.5, 3)
    for name, args in (("selu", ()), ("celu", (1.5,)), ("mish", ()), ("logsigmoid", ()), ("hardswish", ()),
                       ("hardsigmoid", ()), ("softsign", ()), ("tanhshrink", ()), ("relu6", ()),
                       ("hardtanh", (-0.5, 2.0)), ("threshold", (1.0, 0.25)), ("softmin", (-1,)),
                       ("log_softmax", (2,)), ("softmax", (0,))):
        numpy.testing.assert_allclose(getattr(F, name)(x, *args).numpy(), getattr(tF, name)(tx, *args).numpy(),
                                      rtol=1e-12, atol=1e-300, err_msg=name)
    numpy.testing.assert_allclose(F.prelu(x, torchlike.tensor(weight)).numpy(),
                                  tF.prelu(tx, torch.tensor(weight)).numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(F.prelu(x[0, 0, 0], torchlike.tensor(weight[:1])).numpy(),
                                  tF.prelu(tx[0, 0, 0], torch.tensor(weight[:1])).numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(F.logsigmoid(torchlike.tensor([-800.0, 800.0])).numpy(), [-800.0, 0.0])


@pytest.mark.parametrize("name", ["selu", "celu", "mish", "hardswish", "hardsigmoid", "relu6", "threshold",
                                  "hardtanh"])
def test_inplace_functional_activations(name):
    args = (0.5, 3.0) if name == "threshold" else ()
    x = torchlike.tensor(WIDE)
    expected = getattr(F, name)(x, *args).numpy()
    y = getattr(F, name)(x, *args, inplace=True)
    assert y is x
    numpy.testing.assert_allclose(x.numpy(), expected)


def test_functional_conv1d_and_pools_match_pytorch():
    torch = torch_or_skip()
    tF = torch.nn.functional
    w, b = rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    x, tx = torchlike.tensor(X3), torch.tensor(X3)
    pairs = [
        (F.conv1d(x, torchlike.tensor(w), torchlike.tensor(b), 2, 1, 1, 2),
         tF.conv1d(tx, torch.tensor(w), torch.tensor(b), 2, 1, 1, 2)),
        (F.conv1d(x[0], torchlike.tensor(w), padding="same", groups=2),
         tF.conv1d(tx[0], torch.tensor(w), padding="same", groups=2)),
        (F.conv_transpose1d(x, torchlike.tensor(w[:4])), tF.conv_transpose1d(tx, torch.tensor(w[:4]))),
        (F.max_pool1d(x, 3, 2, 1), tF.max_pool1d(tx, 3, 2, 1)),
        (F.avg_pool1d(x, 2), tF.avg_pool1d(tx, 2)),
        (F.adaptive_avg_pool1d(x, 5), tF.adaptive_avg_pool1d(tx, 5)),
    ]
    for ours, theirs in pairs:
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn, arrays", [
    (lambda x: F.selu(x), [WIDE[0, 0]]),
    (lambda x: F.celu(x, 0.7), [WIDE[0, 0]]),
    (lambda x: F.mish(x), [WIDE[0, 0]]),
    (lambda x: F.logsigmoid(x), [WIDE[0, 0]]),
    (lambda x: F.hardswish(x), [WIDE[0, 0]]),
    (lambda x: F.hardsigmoid(x), [WIDE[0, 0]]),
    (lambda x: F.softsign(x), [WIDE[0, 0]]),
    (lambda x: F.tanhshrink(x), [WIDE[0, 0]]),
    (lambda x, w: F.prelu(x, w), [WIDE[:, :, :2, :2], numpy.array([0.1, 0.3, -0.2])]),
    (lambda x: F.softmin(x, 1), [X4[0]]),
    (lambda x, w: F.conv1d(x, w, stride=2, padding=1), [X3[:, :2, :5], rng.standard_normal((3, 2, 2))]),
    (lambda x: F.adaptive_avg_pool1d(x, 3), [X3[:1, :2]]),
    (lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"), [X4[:1, :1, :3, :4]]),
    (lambda x: F.interpolate(x, size=5, mode="linear", align_corners=True), [X3[:1, :1, :4]]),
    (lambda x: F.interpolate(x, scale_factor=2), [X4[:1, :1, :3, :4]]),
])
def test_new_compositions_pass_gradcheck(fn, arrays):
    """float64 central differences against the recorded gradients (inputs kept off the kinks: ``WIDE`` is a
    standard normal times 4, so no entry lies exactly on 0 or ±3)."""
    assert gradcheck(fn, tuple(_tensors(*arrays)), eps=1e-6, atol=1e-6, rtol=1e-4)


# ------------------------------------------------------------------------------------- softmax without dim

@pytest.mark.parametrize("shape, expected_dim", [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3, 4), 0),
                                                 ((2, 3, 4, 5), 1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_warns_and_matches_pytorch(shape, expected_dim, name):
    torch = torch_or_skip()
    x = rng.standard_normal(shape)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated") as record:
        ours = getattr(F, name)(torchlike.tensor(x))
    assert record[0].filename == __file__  # the warning points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x))
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(ours.numpy(), getattr(F, name)(torchlike.tensor(x), expected_dim).numpy())


def test_softmax_modules_without_dim_warn_at_the_call():
    x = torchlike.tensor(X4)
    for layer in (nn.Softmax(), nn.LogSoftmax(), nn.Softmin()):
        with pytest.warns(UserWarning, match="Implicit dimension choice") as record:
            y = layer(x)
        assert record[0].filename == __file__
        assert tuple(y.shape) == X4.shape
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        numpy.testing.assert_allclose(nn.Softmax()(x).sum(1).numpy(), 1.0)  # dim 1 of 4-D input


# -------------------------------------------------------------------------------------- channel dropout

@pytest.mark.parametrize("name, shape, batched", [("dropout1d", (40, 30, 6), True), ("dropout1d", (500, 3), False),
                                                  ("dropout2d", (30, 40, 3, 2), True),
                                                  ("dropout3d", (20, 30, 2, 2, 2), True),
                                                  ("dropout3d", (500, 2, 1, 2), False)])
def test_channel_dropout_drops_whole_channels(name, shape, batched):
    torchlike.manual_seed(0)
    x = torchlike.ones(*shape, requires_grad=True)
    y = getattr(F, name)(x, 0.25)
    values = y.detach().numpy()
    per_channel = values.reshape(shape[:2 if batched else 1] + (-1,))
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all(), "a channel is kept or dropped whole"
    assert (per_channel[..., 0] == 0).mean() == pytest.approx(0.25, abs=0.05)
    y.sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), values, rtol=1e-6)


def test_channel_dropout_modes_inplace_reproducibility_and_warnings():
    x = torchlike.randn(4, 6, 3, 3)
    for layer in (nn.Dropout1d(), nn.Dropout2d(), nn.Dropout3d()):
        layer.eval()
    assert nn.Dropout2d().eval()(x) is x
    torchlike.manual_seed(3)
    a = nn.Dropout2d(0.5)(x).numpy()
    torchlike.manual_seed(3)
    numpy.testing.assert_array_equal(a, F.dropout2d(x, 0.5).numpy())
    y = torchlike.randn(4, 6, 3, 3)
    assert nn.Dropout2d(0.5, inplace=True)(y) is y and (y.numpy() == 0).any()
    assert not F.dropout2d(x, 1.0).numpy().any()
    numpy.testing.assert_array_equal(F.dropout2d(x, 0.0).numpy(), x.numpy())
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(torchlike.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d, which is deprecated"):
        F.dropout2d(torchlike.randn(2, 3))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(torchlike.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(x)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout2d(x, -0.5, training=False)


# ------------------------------------------------------------------------------------- parameter containers

def test_parameter_list_registers_indexes_and_prints_like_pytorch():
    torch = torch_or_skip()

    def build(lib):
        model = lib.nn.Module()
        model.weights = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(3, 4)), lib.zeros(2, dtype=lib.float64)])
        model.head = lib.nn.Linear(2, 1)
        return model
    mine, theirs = build(torchlike), build(torch)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["weights.0", "weights.1", "head.weight",
                                                                   "head.bias"]
    assert repr(mine) == repr(theirs).replace("torch.float", "minidl.float")
    assert repr(mine.weights) == repr(theirs.weights).replace("torch.float", "minidl.float")
    plist = mine.weights
    assert isinstance(plist[1], nn.Parameter) and plist[1].requires_grad  # a plain tensor became a Parameter
    assert plist[-1] is plist[1] and len(plist) == 2 and list(plist) == [plist[0], plist[1]]
    plist.append(torchlike.ones(5))
    plist += [nn.Parameter(torchlike.ones(1))]
    assert len(plist) == 4 and list(mine.state_dict())[:4] == [f"weights.{i}" for i in range(4)]
    sliced = plist[1:3]
    assert isinstance(sliced, nn.ParameterList) and sliced[0] is plist[1] and len(sliced) == 2
    plist[0] = torchlike.zeros(2)
    assert tuple(mine.weights[0].shape) == (2,)
    (sum(p.sum() for p in plist)).backward()
    assert all(p.grad is not None for p in plist)
    mine.double()
    assert all(p.dtype == torchlike.float64 for p in mine.parameters())
    assert repr(nn.ParameterList()) == "ParameterList()"
    with pytest.raises(IndexError, match="out of range"):
        plist[7]
    with pytest.raises(TypeError, match="should be called with an iterable"):
        plist.extend(torchlike.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        plist(1)


def test_parameter_dict_registers_and_prints_like_pytorch():
    torch = torch_or_skip()

    def build(lib):
        return lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.ones(3)), "a": lib.ones(2, 2)})
    mine, theirs = build(torchlike), build(torch)
    assert list(mine) == list(theirs) == ["a", "b"]  # a plain dict's keys are sorted, as in PyTorch
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert repr(mine) == repr(theirs)
    from collections import OrderedDict
    ordered = nn.ParameterDict(OrderedDict([("z", nn.Parameter(torchlike.ones(1))), ("y", torchlike.ones(1))]))
    assert list(ordered.keys()) == ["z", "y"] and isinstance(ordered["y"], nn.Parameter)
    ordered.update([("x", torchlike.zeros(2))])
    assert "x" in ordered and len(ordered) == 3 and ordered.get("w") is None
    assert [k for k, _ in ordered.items()] == ["z", "y", "x"] and len(list(ordered.values())) == 3
    popped = ordered.pop("z")
    assert tuple(popped.shape) == (1,) and "z" not in ordered and "z" not in dict(ordered.named_parameters())
    assert ordered.setdefault("w", torchlike.ones(4)) is ordered["w"]
    ordered.clear()
    assert len(ordered) == 0 and not list(ordered.parameters())
    with pytest.raises(TypeError, match="not a string"):
        ordered[3] = torchlike.ones(1)
    with pytest.raises(KeyError):
        ordered["missing"]
    with pytest.raises(ValueError, match="element #0"):
        ordered.update([("too", "many", "items")])


# ----------------------------------------------------------------------------------------------- errors

def test_errors():
    x = torchlike.tensor(X3)
    with pytest.raises(ValueError, match=r"conv1d: expected a 3-D input \(N, C, L\)"):
        F.conv1d(torchlike.tensor(X4), torchlike.ones(2, 3, 3))
    with pytest.raises(ValueError, match="conv1d: expected a 3-D weight"):
        F.conv1d(x, torchlike.ones(2, 4))
    with pytest.raises(ValueError, match="expected input.* to have 4 channels, but got 3"):
        nn.Conv1d(4, 2, 3)(torchlike.ones(1, 3, 8))
    with pytest.raises(RuntimeError, match="list of 1 integers"):
        nn.Conv1d(4, 2, (3, 3))
    with pytest.raises(ValueError, match="not supported for strided"):
        nn.Conv1d(4, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose1d'):
        nn.ConvTranspose1d(4, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="adaptive_avg_pool1d: expected a 3-D input"):
        F.adaptive_avg_pool1d(torchlike.tensor(X4), 2)
    with pytest.raises(ValueError, match="Mismatch of parameter numbers and input channel size"):
        nn.PReLU(5)(torchlike.tensor(X4, dtype=torchlike.float32))
    with pytest.raises(TypeError, match="prelu: expected a floating point tensor"):
        F.prelu(torchlike.ones(3, dtype=torchlike.int64), torchlike.ones(1))
    with pytest.raises(ValueError, match="max_val .* must be greater than min_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        assert nn.Hardtanh(min_value=-3.0).min_val == -3.0
    with pytest.raises(ValueError, match="alpha cannot be 0"):
        F.celu(x, 0.0)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D"):
        nn.Softmax2d()(x[0])
    with pytest.raises(ValueError, match="padding must be an int or a tuple of 4 ints"):
        nn.ZeroPad2d((1, 2))
    with pytest.raises(TypeError):
        nn.ReflectionPad2d(1, 0.5)  # only constant padding takes a value


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.interpolate(x, size=3, scale_factor=2), ValueError, "only one of size or scale_factor"),
    (lambda x: F.interpolate(x), ValueError, "either size or scale_factor should be defined"),
    (lambda x: F.interpolate(x, scale_factor=2, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes"),
    (lambda x: F.interpolate(x[0, 0], scale_factor=2), NotImplementedError, r"Only 3D, 4D and 5D input .*got 2D"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="linear"), NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    (lambda x: F.interpolate(x[0], scale_factor=2, mode="bilinear", antialias=True), ValueError, "Anti-alias"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="cubic"), NotImplementedError, r"\(got cubic\)"),
    (lambda x: F.interpolate(x, size=(2, 3, 4)), ValueError, "Input and output must have the same number of spatial"),
    (lambda x: F.interpolate(x, scale_factor=(2,)), ValueError, "Input and scale_factor must have the same number"),
    (lambda x: F.interpolate(x, size=4, recompute_scale_factor=True), ValueError, "not meaningful with an explicit"),
    (lambda x: F.interpolate(x, scale_factor=0.1), ValueError, "input and output sizes should be greater than 0"),
    (lambda x: F.interpolate(x.long(), scale_factor=2, mode="bilinear"), TypeError, "floating point"),
])
def test_interpolate_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(torchlike.tensor(X4))
