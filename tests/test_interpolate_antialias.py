"""interpolate(mode='bilinear' | 'bicubic', antialias=True): the stretched filter's weights, values and input
gradients against PyTorch (shrinking by integer and fractional factors, enlarging, mixed, size= and
scale_factor=, align_corners, float32 and float64), float64 central differences, and the errors."""
import itertools

import numpy as np
import pytest

import minidl.eager as md
from minidl.eager import nn
from minidl.eager.nn import functional as F
from minidl.ops.resampling import Rule, taps
from tests.gradient_checks import check_gradient

TOLERANCE = {"float32": 1e-5, "float64": 1e-12}

CASES = [  # input shape, interpolate's keywords
    ((2, 3, 8, 8), dict(size=(4, 4))),  # shrink by 2
    ((1, 2, 12, 9), dict(size=(3, 3))),  # by 4 and 3
    ((2, 1, 10, 7), dict(size=(3, 5))),  # fractional factors
    ((1, 2, 7, 9), dict(scale_factor=0.4)),  # the factor sets the step, not the sizes
    ((1, 2, 7, 9), dict(scale_factor=(0.6, 0.3), recompute_scale_factor=True)),
    ((2, 2, 4, 5), dict(size=(9, 7))),  # enlarging: the plain filter, normalised
    ((1, 3, 5, 6), dict(scale_factor=(2.5, 0.5))),  # enlarge one dim, shrink the other
    ((1, 2, 6, 9), dict(scale_factor=(1.3, 0.7))),  # a dim whose size does not change is copied
    ((1, 2, 9, 8), dict(size=(4, 3), align_corners=True)),  # the step is (in - 1) / (out - 1)
    ((1, 2, 4, 5), dict(size=(1, 9), align_corners=True)),  # a single output row reads the first
    ((1, 1, 1, 6), dict(size=(1, 2))),
]


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape, kwargs", CASES)
def test_values_and_gradients_match_pytorch(torch, shape, kwargs, mode, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ours, theirs = md.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y_ours = F.interpolate(ours, mode=mode, antialias=True, **kwargs)
    y_theirs = torch.nn.functional.interpolate(theirs, mode=mode, antialias=True, **kwargs)
    assert y_ours.dtype == getattr(md, dtype)
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(y_ours.detach().numpy(), y_theirs.detach().numpy(), rtol=0, atol=tolerance)
    c = np.random.default_rng(1).standard_normal(tuple(y_theirs.shape)).astype(dtype)
    (y_ours * md.tensor(c)).sum().backward()
    (y_theirs * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=0, atol=tolerance)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_every_small_size_matches_pytorch(torch, mode, align_corners):
    """Every pair of sizes up to 9: the truncated ranges of input pixels at the edges are PyTorch's. (Output
    width 1 is left to the next test.)"""
    rng = np.random.default_rng(2)
    for h, w, out_h, out_w in itertools.product((1, 2, 5, 9), (2, 3, 7), range(1, 10, 2), range(2, 10, 3)):
        x = rng.standard_normal((1, 2, h, w))
        kwargs = dict(size=(out_h, out_w), mode=mode, align_corners=align_corners, antialias=True)
        np.testing.assert_allclose(F.interpolate(md.tensor(x), **kwargs).numpy(),
                                   torch.nn.functional.interpolate(torch.tensor(x), **kwargs).numpy(),
                                   rtol=0, atol=1e-12, err_msg=f"{(h, w)} -> {(out_h, out_w)}")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_output_width_one_resizes_each_dim_alone(torch, mode):
    """PyTorch 2.13 returns its first row for every row when the output width is 1 and the height changes (a bug
    of its kernel: the separable definition says otherwise). minidl resizes each dim alone, as PyTorch does on
    the transposed image, where the 1 is the height."""
    x = np.random.default_rng(3).standard_normal((2, 2, 6, 5))
    ours = F.interpolate(md.tensor(x), size=(4, 1), mode=mode, antialias=True).numpy()
    transposed = torch.tensor(x).transpose(2, 3)
    expected = torch.nn.functional.interpolate(transposed, size=(1, 4), mode=mode, antialias=True).transpose(2, 3)
    np.testing.assert_allclose(ours, expected.numpy(), rtol=0, atol=1e-12)


def test_shrinking_by_two_stretches_the_triangle():
    """Halving with the triangle: each output spans 2 input pixels, so the filter reaches 2 pixels either side of
    its centre and weighs the 4 nearest pixels 1/8, 3/8, 3/8, 1/8 (the edges renormalise what is left)."""
    positions, weights = taps(Rule("linear", half_pixel=True, precision="float64", antialias=True), 8, 4)
    np.testing.assert_array_equal(positions[:, 1], [1, 2, 3, 4])
    np.testing.assert_allclose(weights[:, 1], [1 / 8, 3 / 8, 3 / 8, 1 / 8])
    np.testing.assert_allclose(weights[:3, 0], [3 / 7, 3 / 7, 1 / 7])  # the pixel before the first is missing
    np.testing.assert_allclose(weights.sum(axis=0), 1)


def test_antialiasing_removes_a_pattern_finer_than_the_output():
    """Stripes 1, 0, 0 shrunk 3 times: two taps read the same phase of every period and return a false constant
    pattern; the stretched filter averages whole periods."""
    stripes = md.tensor(np.tile([1.0, 0.0, 0.0], 8)[None, None, None])
    plain = F.interpolate(stripes, size=(1, 8), mode="bilinear").numpy()
    smooth = F.interpolate(stripes, size=(1, 8), mode="bilinear", antialias=True).numpy()
    np.testing.assert_allclose(plain, 0)
    np.testing.assert_allclose(smooth[..., 1:-1], 1 / 3)


@pytest.mark.parametrize("mode, kwargs, shape", [
    ("bilinear", dict(size=(3, 2)), (1, 2, 7, 5)),
    ("bicubic", dict(scale_factor=(0.6, 1.5)), (1, 1, 5, 4)),
    ("bicubic", dict(size=(2, 3), align_corners=True), (2, 1, 6, 5)),
])
def test_gradient_central_differences(mode, kwargs, shape):
    check_gradient(lambda L, x: L.nn.functional.interpolate(x, mode=mode, antialias=True, **kwargs).sin().sum(),
                   np.random.default_rng(4).standard_normal(shape))


def test_upsample_does_not_take_antialias(torch):
    for library in (nn, torch.nn):
        with pytest.raises(TypeError, match="antialias"):
            library.Upsample(scale_factor=0.5, mode="bilinear", antialias=True)


@pytest.mark.parametrize("mode, rank", [("nearest", 4), ("nearest-exact", 4), ("area", 4), ("bilinear", 3),
                                        ("linear", 3), ("trilinear", 5), ("bicubic", 5)])
def test_antialias_needs_bilinear_or_bicubic_on_4d_input(torch, mode, rank):
    x = np.ones((1, 1) + (4,) * (rank - 2), dtype=np.float32)
    for library, tensor in ((F, md.tensor), (torch.nn.functional, torch.tensor)):
        with pytest.raises(ValueError, match="Anti-alias option is restricted to bilinear"):
            library.interpolate(tensor(x), scale_factor=0.5, mode=mode, antialias=True)
