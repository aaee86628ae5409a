"""max_unpool1d/2d/3d, lp_pool1d/2d/3d, interpolate(mode='bicubic') and unique(dim=...): values and gradients
against PyTorch where the op table's smooth inputs do not go (repeated indices, windows of zeros, negative inputs,
NaN, odd sizes and scale factors), float64 central differences, the layers, and the errors."""
import math

import numpy as np
import pytest

import minidl.eager as md
from minidl.eager import nn
from minidl.eager.nn import functional as F
from minidl.ops.base import DtypeError, OpError
from tests.gradient_checks import check_gradient
from tests.torch_version import skip_before_mirrored_torch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _grads_match(ours, theirs, x_ours, x_theirs, seed=0, rtol=1e-6, atol=1e-9):
    """The values agree, and so do the gradients of <y, c> for a random c (NaN where PyTorch has NaN)."""
    import torch
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)
    c = np.random.default_rng(seed).standard_normal(tuple(theirs.shape)).astype(theirs.detach().numpy().dtype)
    (ours * md.tensor(c)).sum().backward()
    (theirs * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _pair(torch, x, dtype=None):
    """The same leaf for both libraries."""
    x = np.asarray(x, dtype=dtype)
    return md.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


# ------------------------------------------------------------------------------------------- max_unpool

UNPOOL_CASES = [  # dims, input shape, window, whether to pass the image's size as output_size
    (2, (2, 3, 6, 8), dict(kernel_size=2), False),
    (2, (2, 3, 7, 5), dict(kernel_size=2), True),
    (2, (1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1), True),  # overlapping windows: repeated indices
    (2, (3, 5, 6), dict(kernel_size=(2, 3), stride=(2, 1)), True),  # unbatched
    (1, (2, 3, 9), dict(kernel_size=3, stride=2), False),
    (1, (3, 8), dict(kernel_size=2), False),
    (3, (1, 2, 4, 5, 4), dict(kernel_size=2), True),
    (3, (2, 4, 4, 3), dict(kernel_size=(2, 2, 1), padding=(1, 0, 0)), True),
]


@pytest.mark.parametrize("dims, shape, window, with_size", UNPOOL_CASES)
def test_max_unpool_matches_pytorch(torch, dims, shape, window, with_size):
    image = np.random.default_rng(1).standard_normal(shape)
    pooled, indices = getattr(torch.nn.functional, f"max_pool{dims}d")(torch.tensor(image), return_indices=True,
                                                                        **window)
    ours_pooled, ours_indices = getattr(F, f"max_pool{dims}d")(md.tensor(image), return_indices=True, **window)
    np.testing.assert_array_equal(ours_indices.numpy(), indices.numpy())
    size = shape[-dims:] if with_size else None
    x_ours, x_theirs = _pair(torch, pooled.numpy())
    ours = getattr(F, f"max_unpool{dims}d")(x_ours, ours_indices, **window, output_size=size)
    theirs = getattr(torch.nn.functional, f"max_unpool{dims}d")(x_theirs, indices, **window, output_size=size)
    assert ours.shape == tuple(theirs.shape)
    _grads_match(ours, theirs, x_ours, x_theirs)


def test_repeated_indices_gather_the_gradient_at_every_entry(torch):
    """Two entries pointing at one position: one of the values lands there (which one is unspecified, in PyTorch
    too), and each entry's gradient is the gradient at that position, as PyTorch's."""
    indices = np.array([[[1, 1, 1, 0]]])
    x_ours, x_theirs = _pair(torch, [[[10.0, 20.0, 30.0, 40.0]]])
    ours = F.max_unpool1d(x_ours, md.tensor(indices), 1)
    theirs = torch.nn.functional.max_unpool1d(x_theirs, torch.tensor(indices), 1)
    assert ours.detach().numpy()[0, 0, 0] == 40 and ours.detach().numpy()[0, 0, 1] in (10, 20, 30)
    np.testing.assert_array_equal(ours.detach().numpy()[0, 0, 2:], [0, 0])
    g = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    ours.backward(md.tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_array_equal(x_ours.grad.numpy(), x_theirs.grad.numpy())  # [2, 2, 2, 1]


def test_max_unpool_second_order_matches_pytorch(torch):
    """The gradient w.r.t. the output gradient: a gather, whose own gradient is a scatter_add."""
    image = np.random.default_rng(2).standard_normal((1, 2, 4, 6))
    _, indices = torch.nn.functional.max_pool2d(torch.tensor(image), 2, return_indices=True)
    values = np.random.default_rng(3).standard_normal((1, 2, 2, 3))
    g = np.random.default_rng(4).standard_normal((1, 2, 4, 6))
    results = []
    for lib, F_ in ((md, F), (torch, torch.nn.functional)):
        x, cot = lib.tensor(values, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = F_.max_unpool2d(x * x, lib.tensor(indices.numpy()), 2)
        (gx,) = lib.autograd.grad(y, x, cot, create_graph=True)
        second = lib.autograd.grad((gx * gx).sum(), [x, cot])
        results.append([t.detach().numpy() for t in (gx,) + tuple(second)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_max_unpool_gradient_by_central_differences():
    image = np.random.default_rng(5).standard_normal((2, 2, 5, 4))
    _, indices = F.max_pool2d(md.tensor(image), 2, return_indices=True)
    weights = np.random.default_rng(6).standard_normal((2, 2, 5, 4))

    def build(lib, x):
        y = lib.nn.functional.max_unpool2d(x * x, lib.tensor(indices.numpy()), 2, output_size=(5, 4))
        return (y * lib.tensor(weights)).sum()
    check_gradient(build, np.random.default_rng(7).standard_normal((2, 2, 2, 2)))


def test_max_unpool_layers_round_trip_and_repr(torch):
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    x = md.tensor(np.arange(30.0).reshape(1, 1, 5, 6))
    y, indices = pool(x)
    restored = unpool(y, indices, output_size=x.shape)
    expected = np.zeros((1, 1, 5, 6))
    expected[0, 0, 1:4:2, 1::2] = x.numpy()[0, 0, 1:4:2, 1::2]  # each 2x2 window's maximum is its bottom right
    np.testing.assert_array_equal(restored.numpy(), expected)
    for args in ((2,), ((2, 3), 1, 1)):
        for name in ("MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"):
            if name == "MaxUnpool1d" and len(args) > 1:
                continue
            assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    y1, i1 = F.max_pool1d(md.tensor(np.arange(6.0).reshape(1, 1, 6)), 2, return_indices=True)
    np.testing.assert_array_equal(nn.MaxUnpool1d(2)(y1, i1).numpy(), [[[0, 1, 0, 3, 0, 5]]])


def _unpool_inputs():
    image = md.tensor(np.random.default_rng(8).standard_normal((2, 3, 4, 4)).astype(np.float32))
    return F.max_pool2d(image, 2, return_indices=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda y, i: F.max_unpool2d(y, i.int(), 2), DtypeError, r"max_unpool2d: elements in indices should be type "
                                                             r"int64 .* int32\[2, 3, 2, 2\]"),
    (lambda y, i: F.max_unpool2d(y, i[:, :, :1], 2), OpError, r"Expected shape of indices to be same as that of the "
                                                              r"input tensor \(float32\[2, 3, 2, 2\]\)"),
    (lambda y, i: F.max_unpool2d(y.long(), i, 2), DtypeError, r"max_unpool2d: expected a floating point input"),
    (lambda y, i: F.max_unpool2d(y, i + 10, 2), OpError, r"invalid max index: \d+ \(output volumes are of size 4x4\)"),
    (lambda y, i: F.max_unpool2d(y, i - 10, 2), OpError, r"invalid max index: -"),
    (lambda y, i: F.max_unpool2d(y[0, 0], i[0, 0], 2), OpError, r"max_unpool2d: expected a 4-D input"),
    (lambda y, i: F.max_unpool1d(y, i, 2), OpError, r"max_unpool1d: expected a 3-D input \(N, C, L\)"),
    (lambda y, i: F.max_unpool3d(y[None, None], i[None, None], 2), OpError, r"max_unpool3d: expected a 5-D input"),
    (lambda y, i: F.max_unpool2d(y[:, :0], i[:, :0], 2), OpError, r"non-zero size for non-batch dimensions"),
    (lambda y, i: F.max_unpool2d(y, i, 2, output_size=(6, 5)), ValueError,
     r'invalid output_size "\(6, 5\)" \(dim 0 must be between 2 and 6'),
    (lambda y, i: F.max_unpool2d(y, i, 2, output_size=(3, 5, 5)), ValueError,
     r"output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'"),
    (lambda y, i: F.max_unpool2d(y, i, 2, output_size=(5.0, 5)), TypeError, r"output_size must hold ints"),
    (lambda y, i: F.max_unpool2d(y, i, 0), OpError, r"kernel_size must be at least 1"),
    (lambda y, i: F.max_unpool2d(y, i, 2, stride=0), OpError, r"stride must be at least 1"),
    (lambda y, i: F.max_unpool2d(y, i, (2, 2, 2)), OpError, r"expected kernel_size to be a single integer value or "
                                                              r"a list of 2"),
    (lambda y, i: F.max_unpool2d(y, i.numpy(), 2), TypeError, r"max_unpool2d: expected indices to be a tensor"),
])
def test_max_unpool_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(*_unpool_inputs())


def test_max_unpool_errors_are_pytorchs_kinds(torch):
    """Each mistake above that PyTorch also refuses raises an exception of a class PyTorch's callers catch."""
    y, i = torch.nn.functional.max_pool2d(torch.randn(2, 3, 4, 4), 2, return_indices=True)
    for call in (lambda: torch.nn.functional.max_unpool2d(y, i.int(), 2),
                 lambda: torch.nn.functional.max_unpool2d(y, i + 10, 2)):
        with pytest.raises(RuntimeError):
            call()
    with pytest.raises(ValueError):
        torch.nn.functional.max_unpool2d(y, i, 2, output_size=(6, 5))
    assert issubclass(DtypeError, RuntimeError) and issubclass(OpError, RuntimeError)


# ---------------------------------------------------------------------------------------------- lp_pool

LP_NORMS = [1, 2, 3, 1.5, 0.5, -1, -2, 2.0, math.inf, -math.inf]
LP_CASES = [  # dims, input shape, window
    (1, (2, 3, 7), dict(kernel_size=2)),
    (1, (3, 8), dict(kernel_size=3, stride=2, ceil_mode=True)),
    (2, (2, 2, 5, 6), dict(kernel_size=(2, 3), stride=(1, 2))),
    (2, (2, 5, 5), dict(kernel_size=2, ceil_mode=True)),
    (3, (1, 2, 3, 4, 5), dict(kernel_size=2, stride=1)),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, where the results are NaN or inf
@pytest.mark.parametrize("p", LP_NORMS, ids=str)
@pytest.mark.parametrize("dims, shape, window", LP_CASES)
def test_lp_pool_matches_pytorch_with_zeros_and_negative_inputs(torch, p, dims, shape, window):
    """Mixed signs (NaN where the window's mean of x^p is negative and 1/p is not an integer) and windows of
    zeros (value 0 and gradient 0, or NaN for p < 0), exactly where PyTorch has them."""
    if math.isinf(p):
        skip_before_mirrored_torch()  # (older PyTorch releases computed p = ±inf otherwise)
    x = np.random.default_rng(9).standard_normal(shape)
    x[..., :2] = 0
    x_ours, x_theirs = _pair(torch, x)
    ours = getattr(F, f"lp_pool{dims}d")(x_ours, p, **window)
    theirs = getattr(torch.nn.functional, f"lp_pool{dims}d")(x_theirs, p, **window)
    assert ours.shape == tuple(theirs.shape)
    _grads_match(ours, theirs, x_ours, x_theirs, rtol=1e-10)


def test_lp_pool_is_the_window_norm():
    x = np.random.default_rng(10).uniform(0.5, 2, (1, 1, 4, 6))
    y = F.lp_pool2d(md.tensor(x), 3, (2, 3)).numpy()
    windows = x.reshape(1, 1, 2, 2, 2, 3).transpose(0, 1, 2, 4, 3, 5)
    np.testing.assert_allclose(y, (windows ** 3).sum(axis=(-2, -1)) ** (1 / 3), rtol=1e-12)


def test_lp_pool_gradient_by_central_differences():
    start = np.random.default_rng(11).uniform(0.3, 2, (2, 2, 5, 5)) * np.where(
        np.random.default_rng(12).random((2, 2, 5, 5)) < 0.5, -1, 1)
    check_gradient(lambda lib, x: lib.nn.functional.lp_pool2d(x, 2, 2, 1, ceil_mode=True).sum(), start)
    check_gradient(lambda lib, x: (lib.nn.functional.lp_pool1d(x[0], 4, 3, 2) ** 2).sum(), start[:, :, 0])


def test_lp_pool_layers_match_pytorch(torch):
    x = np.random.default_rng(13).uniform(0.1, 1, (2, 3, 6, 7)).astype(np.float32)
    for name, args, sample in (("LPPool2d", (2, 3), x), ("LPPool2d", (1.2, (3, 2), (2, 1), True), x),
                               ("LPPool1d", (2, 3, 2), x[:, :, 0]), ("LPPool3d", (3, 2), x[None])):
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        np.testing.assert_allclose(ours(md.tensor(sample)).numpy(), theirs(torch.tensor(sample)).numpy(), rtol=1e-5)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.lp_pool2d(x, 0, 2), ZeroDivisionError, r"lp_pool2d: norm_type must not be 0"),
    (lambda x: F.lp_pool2d(x, "2", 2), TypeError, r"lp_pool2d: norm_type must be a real number, got '2'"),
    (lambda x: F.lp_pool2d(x.long(), 2, 2), TypeError, r"lp_pool2d: expected a floating point tensor, got int64"),
    (lambda x: F.lp_pool2d(x, 2, 7), OpError, r"lp_pool2d: .*the calculated output size .* is too small"),
    (lambda x: F.lp_pool2d(x, 2, (2, 2, 2)), OpError, r"lp_pool2d: expected kernel_size to be .* a list of 2"),
    (lambda x: F.lp_pool2d(x[0, 0], 2, 2), OpError, r"lp_pool2d: expected a 4-D input"),
    (lambda x: F.lp_pool1d(x[:, :, 0], 2, (2,)), TypeError, r"lp_pool1d: kernel_size must be an int"),
    (lambda x: F.lp_pool1d(x[:, :, 0], 2, 2, stride=0), OpError, r"lp_pool1d: stride must be at least 1"),
    (lambda x: F.lp_pool3d(x[0], 2, 2), OpError, r"lp_pool3d: expected a 5-D input"),
])
def test_lp_pool_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(md.ones(2, 3, 4, 4))


# ---------------------------------------------------------------------------------------------- bicubic

BICUBIC_CALLS = ([dict(size=(h, w)) for h in (1, 2, 5, 11) for w in (1, 3, 8)]
                 + [dict(scale_factor=s) for s in (0.5, 1.0, 1.7, 2, 3, (0.6, 2.5), (1.33, 0.75))]
                 + [dict(scale_factor=s, recompute_scale_factor=True) for s in (1.7, (0.6, 2.5), 0.37)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("height, width", [(1, 1), (1, 4), (4, 5), (7, 3)])
def test_bicubic_matches_pytorch(torch, dtype, align_corners, height, width):
    x = np.random.default_rng(14).standard_normal((2, 2, height, width))
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    for kwargs in BICUBIC_CALLS:
        if "scale_factor" in kwargs and min(math.floor(n * s) for n, s in zip(
                (height, width), np.broadcast_to(kwargs["scale_factor"], 2))) < 1:
            continue
        x_ours, x_theirs = _pair(torch, x, dtype)
        ours = F.interpolate(x_ours, mode="bicubic", align_corners=align_corners, **kwargs)
        theirs = torch.nn.functional.interpolate(x_theirs, mode="bicubic", align_corners=align_corners, **kwargs)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.dtype(dtype), kwargs
        _grads_match(ours, theirs, x_ours, x_theirs, rtol=tolerance, atol=5 * tolerance)


def test_bicubic_big_random_resizes_match_pytorch(torch):
    """Many sizes and factors, to catch a tap picked differently where a source coordinate is near an integer."""
    rng = np.random.default_rng(15)
    for _ in range(60):
        x = rng.standard_normal((1, 1) + tuple(rng.integers(1, 40, 2))).astype(np.float32)
        kwargs = dict(align_corners=bool(rng.integers(2)))
        if rng.integers(2):
            kwargs["size"] = tuple(int(v) for v in rng.integers(1, 90, 2))
        else:
            kwargs["scale_factor"] = tuple(float(v) for v in np.round(rng.uniform(0.3, 4, 2), 3))
            kwargs["recompute_scale_factor"] = bool(rng.integers(2))
        ours = F.interpolate(md.tensor(x), mode="bicubic", **kwargs).numpy()
        theirs = torch.nn.functional.interpolate(torch.tensor(x), mode="bicubic", **kwargs).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=2e-5, err_msg=str(kwargs))


def test_bicubic_overshoots_and_keeps_constants():
    """Keys' weights sum to 1 (a constant image stays constant) and some are negative (a step rings)."""
    constant = F.interpolate(md.full((1, 1, 3, 4), 2.5), scale_factor=2.5, mode="bicubic").numpy()
    np.testing.assert_allclose(constant, 2.5, rtol=1e-5)  # float32 weights
    step = F.interpolate(md.tensor([[[[0.0, 0.0, 1.0, 1.0]]]]), size=(1, 8), mode="bicubic").numpy()
    assert step.min() < 0 and step.max() > 1


def test_bicubic_gradient_by_central_differences():
    weights = np.random.default_rng(16).standard_normal((1, 2, 7, 5))
    check_gradient(lambda lib, x: (lib.nn.functional.interpolate(x, size=(7, 5), mode="bicubic") *
                                   lib.tensor(weights)).sum(), np.random.default_rng(17).standard_normal((1, 2, 3, 4)))
    check_gradient(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=0.6, mode="bicubic",
                                                                align_corners=True).pow(2).sum(),
                   np.random.default_rng(18).standard_normal((1, 1, 5, 6)))


def test_upsample_bicubic_layer_matches_pytorch(torch):
    x = np.random.default_rng(19).standard_normal((1, 3, 4, 4)).astype(np.float32)
    for kwargs in (dict(scale_factor=2, mode="bicubic"), dict(size=(5, 9), mode="bicubic", align_corners=True)):
        ours, theirs = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
        assert repr(ours) == repr(theirs)
        np.testing.assert_allclose(ours(md.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5,
                                   atol=1e-5)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.interpolate(x, scale_factor=2, antialias=True), ValueError,
     r"Anti-alias option is restricted to bilinear and bicubic modes"),
    (lambda x: F.interpolate(x[0], scale_factor=2, mode="bicubic"), NotImplementedError,
     r"Got 3D input, but bicubic mode needs 4D input"),
    (lambda x: F.interpolate(x.long(), scale_factor=2, mode="bicubic"), TypeError,
     r"mode='bicubic' needs a floating point input, got int64"),
    (lambda x: F.interpolate(x, size=(0, 2), mode="bicubic"), ValueError, r"input and output sizes should be greater than 0"),
])
def test_bicubic_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(md.ones(1, 2, 3, 3))


# ----------------------------------------------------------------------------------------------- unique

@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_unique_dim_matches_pytorch(torch, dtype):
    rng = np.random.default_rng(20)
    for _ in range(40):
        x = rng.integers(0, 3, tuple(rng.integers(1, 5, rng.integers(1, 4)))).astype(dtype)
        for dim in range(-x.ndim, x.ndim):
            ours = md.unique(md.tensor(x), return_inverse=True, return_counts=True, dim=dim)
            theirs = torch.unique(torch.tensor(x), return_inverse=True, return_counts=True, dim=dim)
            for a, b in zip(ours, theirs):
                assert a.shape == tuple(b.shape) and a.dtype == b.numpy().dtype
                np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unique_dim_rows_and_tensor_method():
    x = md.tensor([[1, 2, 1], [0, 5, 0], [1, 2, 1], [0, 1, 9]])
    values, inverse, counts = x.unique(dim=0, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), [[0, 1, 9], [0, 5, 0], [1, 2, 1]])
    np.testing.assert_array_equal(inverse.numpy(), [2, 1, 2, 0])
    np.testing.assert_array_equal(counts.numpy(), [1, 1, 2])
    np.testing.assert_array_equal(x.unique(sorted=False, dim=1).numpy(), [[1, 1, 2], [0, 0, 5], [1, 1, 2], [0, 9, 1]])
    values, inverse, counts = md.unique(md.zeros(3, 0), dim=1, return_inverse=True, return_counts=True)
    assert values.shape == (3, 0) and inverse.shape == (0,) and counts.shape == (0,)


def test_unique_dim_slices_with_nan_are_each_their_own():
    """NaN equals nothing, so a slice holding one is distinct from every other (PyTorch's too; its order of such
    slices is not well defined, ours puts them last)."""
    values, counts = md.unique(md.tensor([[np.nan, 1.0], [np.nan, 1.0], [0.0, 1.0]]), dim=0, return_counts=True)
    assert values.shape == (3, 2)
    np.testing.assert_array_equal(counts.numpy(), [1, 1, 1])
    np.testing.assert_array_equal(values.numpy()[0], [0.0, 1.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.unique(md.zeros(3, 0), dim=0), OpError, r"There are 0 sized dimensions, and they aren't selected"),
    (lambda: md.unique(md.zeros(0, 0), dim=1), OpError, r"Number of zero sized dimensions is more than one"),
    (lambda: md.unique(md.tensor(3.0), dim=0), IndexError, r"Dimension specified as 0 but tensor has no dimensions"),
    (lambda: md.unique(md.zeros(3, 2), dim=2), OpError, r"dimension out of range .* but got 2"),
    (lambda: md.unique(md.zeros(3, 2), dim=0.0), TypeError, r"dim must be an int"),
    (lambda: md.unique(md.zeros(3, 2, dtype=md.complex64), dim=0), TypeError, r"not implemented for complex64"),
])
def test_unique_dim_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
