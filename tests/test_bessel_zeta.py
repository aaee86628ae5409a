"""torchlike.special's Bessel functions and Hurwitz zeta beyond the op table: far-out arguments against mpmath,
PyTorch's values at 0, ±inf, NaN and outside the domains, the dtypes, and the gradient that zeta does not have."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike

mpmath = pytest.importorskip("mpmath")

S = torchlike.special
BESSEL = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
          "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
          "spherical_bessel_j0"]
MPMATH = {"bessel_j0": lambda x: mpmath.besselj(0, x), "bessel_j1": lambda x: mpmath.besselj(1, x),
          "bessel_y0": lambda x: mpmath.bessely(0, x), "bessel_y1": lambda x: mpmath.bessely(1, x),
          "modified_bessel_k0": lambda x: mpmath.besselk(0, x), "modified_bessel_k1": lambda x: mpmath.besselk(1, x),
          "scaled_modified_bessel_k0": lambda x: mpmath.besselk(0, x) * mpmath.exp(x),
          "scaled_modified_bessel_k1": lambda x: mpmath.besselk(1, x) * mpmath.exp(x)}


def _values(name, xs, dtype=torchlike.float64):
    return getattr(S, name)(torchlike.tensor(xs, dtype=dtype)).numpy()


@pytest.mark.parametrize("name", sorted(MPMATH))
def test_whole_range_against_mpmath(name):
    """Tiny to huge arguments, across every switch between formulas (2 and 25); near the zeros of J and Y the
    error is measured against the function's scale, √(2/(πx))."""
    xs = np.concatenate([np.geomspace(1e-300, 1e-3, 12), np.linspace(0.001, 60, 241), [1.999999, 2.0, 2.000001,
                         24.99999, 25.0, 25.00001], np.geomspace(60, 1e12, 30)])
    if name.startswith("modified"):
        xs = xs[xs < 700]  # K underflows beyond
    with mpmath.workdps(40):
        expected = np.array([float(MPMATH[name](mpmath.mpf(float(x)))) for x in xs])
    scale = np.maximum(np.abs(expected), np.sqrt(2 / (np.pi * np.maximum(xs, 1))) * 1e-1)
    if name.startswith(("modified", "scaled")):
        scale = np.abs(expected)
    np.testing.assert_array_less(np.abs(_values(name, xs) - expected) / scale, 2e-13)


def test_spherical_bessel_j0_gradient_near_zero():
    """-j_1(x) from its own series: no cancellation in (cos x - sin x/x)/x for small x."""
    x = torchlike.tensor([1e-8, 1e-3, 0.5, 0.0, -0.5], dtype=torchlike.float64, requires_grad=True)
    S.spherical_bessel_j0(x).sum().backward()
    with mpmath.workdps(60):
        expected = [float(-(mpmath.sin(v) / v - mpmath.cos(v)) / v) if v else 0.0
                    for v in map(mpmath.mpf, [1e-8, 1e-3, 0.5, 0.0, -0.5])]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", BESSEL)
def test_special_values_like_pytorch(name):
    torch = pytest.importorskip("torch")
    xs = [-math.inf, -2.0, -0.0, 0.0, 1e-300, 0.5, 2.0, 1e10, math.inf, math.nan]
    expected = getattr(torch.special, name)(torch.tensor(xs, dtype=torch.float64)).numpy()
    actual = _values(name, xs)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-300, equal_nan=True)  # (PyTorch's J, Y: about 1e-5)
    np.testing.assert_array_equal(np.signbit(actual[2:4]), np.signbit(expected[2:4]))  # J_1(-0.0) = -0.0


@pytest.mark.parametrize("name", ["bessel_y0", "modified_bessel_k0", "scaled_modified_bessel_k0"])
def test_smallest_subnormal(name):
    """ln(x/2) would be ln 0 at x = 5e-324 (PyTorch's K gives NaN there); ln x - ln 2 is finite."""
    with mpmath.workdps(30):
        expected = float(MPMATH[name](mpmath.mpf(5e-324)))
    np.testing.assert_allclose(_values(name, [5e-324]), [expected], rtol=1e-14)


@pytest.mark.parametrize("name", BESSEL)
def test_dtypes_like_pytorch(name):
    x32 = torchlike.tensor([0.5, 3.0])
    assert getattr(S, name)(x32).dtype == torchlike.float32
    assert getattr(S, name)(torchlike.tensor([1, 2])).dtype == torchlike.float32  # integers: the default dtype
    expected = _values(name, [0.5, 3.0]).astype(np.float32)
    np.testing.assert_allclose(getattr(S, name)(x32).numpy(), expected, rtol=1e-7)


@pytest.mark.parametrize("name", BESSEL)
def test_complex_input_is_refused(name):
    with pytest.raises(Exception, match=name.split("_", 1)[0]):
        getattr(S, name)(torchlike.tensor([1 + 1j]))


def test_zeta_special_values_like_pytorch():
    torch = pytest.importorskip("torch")
    nan, inf = math.nan, math.inf
    x = np.array([-inf, -2.0, 0.5, 1.0, 1.5, 2.0, 3.0, inf, nan])[:, None]
    q = np.array([-inf, -2.0, -1.5, -0.5, 0.0, 0.5, 1.0, 2.0, 1e20, inf, nan])[None]
    expected = torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    actual = S.zeta(torchlike.tensor(x), torchlike.tensor(q)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-14, equal_nan=True)


def test_zeta_far_arguments_against_mpmath():
    """Exponents near 1 and large, q from 1e-5 to 1e8, and q < 0 between the poles with integer x."""
    x = np.array([1 + 1e-9, 1.001, 2.0, 7.5, 69.06, 117.5, 300.0, 3.0, 4.0, 7.0])
    q = np.array([1e-5, 3.3, 1e8, 0.01, 10.48, 46.97, 10.0, -1.5, -15.25, -0.645])
    with mpmath.workdps(300):  # (mpmath needs the digits for a large x)
        expected = np.array([float(mpmath.zeta(a, b)) for a, b in zip(x, q)])
    np.testing.assert_allclose(S.zeta(torchlike.tensor(x), torchlike.tensor(q)).numpy(), expected, rtol=1e-13)


def test_zeta_gradient_with_respect_to_q_and_refused_for_x():
    x = torchlike.tensor([2.5, 4.0], dtype=torchlike.float64, requires_grad=True)
    q = torchlike.tensor([1.5, 0.25], dtype=torchlike.float64, requires_grad=True)
    S.zeta(2.5, q).sum().backward()
    with mpmath.workdps(30):
        expected = [float(mpmath.diff(lambda v: mpmath.zeta(2.5, v), v)) for v in (1.5, 0.25)]
    np.testing.assert_allclose(q.grad.numpy(), expected, rtol=1e-13)
    with pytest.raises(NotImplementedError, match=r"zeta\(x, q\): the derivative with respect to x"):
        S.zeta(x, q).sum().backward()


def test_zeta_operands():
    assert S.zeta(torchlike.tensor([2, 3]), 1).dtype == torchlike.float32
    assert S.zeta(torchlike.tensor([2.0], dtype=torchlike.float64), 1.0).dtype == torchlike.float64
    assert S.zeta(2.0, torchlike.tensor([[1.0], [2.0]])).shape == (2, 1)
    with pytest.raises(TypeError, match="zeta.*at least one tensor"):
        S.zeta(2.0, 1.0)
    with pytest.raises(Exception, match="broadcast"):
        S.zeta(torchlike.ones(2), torchlike.ones(3))
