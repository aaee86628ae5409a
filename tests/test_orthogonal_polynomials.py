"""torch.special's orthogonal polynomials beyond the op table: PyTorch's values on a grid with its edge cases (n
truncated, negative/NaN/inf degrees, x at ±inf), its dtypes, the derivatives of every order against mpmath, and
the refusals."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike
from tests.op_table.specs_orthogonal_polynomials import NAMES, reference_value

mpmath = pytest.importorskip("mpmath")

S = torchlike.special
XS = np.concatenate([np.linspace(-3, 3, 61), [-math.inf, math.inf, math.nan, -1, 1, 0, 1e200, -1e200, 1e-300]])
NS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 50, 100, 2.7, -1, -0.5, math.nan, math.inf, -math.inf])


@pytest.mark.parametrize("name", NAMES)
def test_values_like_pytorch_on_a_grid(name):
    """Degrees 0 to 100, fractional and invalid ones, x from -3 to 3, ±inf, NaN and huge: PyTorch's values to the
    rounding (it climbs the same recurrence, or uses the same closed forms). PyTorch's value at x = NaN from degree 2
    on is an uninitialized variable for some families; NaN here."""
    torch = pytest.importorskip("torch")
    x, n = np.meshgrid(XS, NS)
    expected = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    actual = getattr(S, name)(torchlike.tensor(x), torchlike.tensor(n)).numpy()
    garbage = np.isnan(x) & (n >= 2) & np.isfinite(n)
    assert np.isnan(actual[garbage]).all()
    np.testing.assert_allclose(actual[~garbage], expected[~garbage], rtol=1e-13, atol=1e-13, equal_nan=True)


@pytest.mark.parametrize("name", NAMES)
def test_against_mpmath_to_degree_30(name):
    xs = np.array([-0.95, -0.4, 0.1, 0.3, 0.77, 1.0, 1.4])
    for n in (0, 1, 2, 9, 30):
        expected = np.array([reference_value(name, n, x) for x in xs])
        actual = getattr(S, name)(torchlike.tensor(xs, dtype=torchlike.float64), n).numpy()
        scale = np.maximum(np.abs(expected), np.max(np.abs(expected)) * 1e-3)
        np.testing.assert_array_less(np.abs(actual - expected) / scale, 1e-12)


def test_huge_degree_uses_the_closed_form():
    torch = pytest.importorskip("torch")
    for name in NAMES[:8]:
        x = torch.tensor([0.3, 0.7], dtype=torch.float64)
        expected = getattr(torch.special, name)(x, 1e15).numpy()
        actual = getattr(S, name)(torchlike.tensor(x.numpy()), 1e15).numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_dtypes_like_pytorch():
    torch = pytest.importorskip("torch")
    cases = [(np.array([1.0, 2.0], np.float32), np.array([3.0, 1.0])), (np.array([1.0, 2.0], np.float32), 3),
             (np.array([1, 2]), 3), (np.array([1, 2], np.int32), np.array([3.0, 1.0])), (2.0, np.array([3, 4])),
             (np.array([1.0, 2.0], np.float32), np.array(3.0)), (np.array([True, False]), 2)]
    for x, n in cases:
        def call(lib):
            wrap = (lambda v: lib.tensor(v) if isinstance(v, np.ndarray) else v)
            return lib.special.legendre_polynomial_p(wrap(x), wrap(n))
        ours, theirs = call(torchlike), call(torch)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], (x, n)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_of_every_order_against_mpmath(name):
    """The VJP of derivative m is the op's derivative m + 1: three orders, each against mpmath's derivative of the
    polynomial."""
    points = [-0.6, 0.25, 1.3]
    x = torchlike.tensor(points, dtype=torchlike.float64, requires_grad=True)
    y = getattr(S, name)(x, 6)
    grads = []
    for _ in range(3):
        (y,) = torchlike.autograd.grad(y.sum(), x, create_graph=True)
        grads.append(y.detach().numpy())
    with mpmath.workdps(40):
        for order, actual in enumerate(grads, 1):
            expected = [float(mpmath.diff(lambda v: mpmath.mpf(_polynomial_at(name, 6, v)), mpmath.mpf(p), order))
                        for p in points]
            np.testing.assert_allclose(actual, expected, rtol=1e-11, atol=1e-11)


def _polynomial_at(name, n, v):
    """The polynomial at an mpf (mpmath.diff needs it at points of its own)."""
    from tests.op_table.specs_orthogonal_polynomials import _plain
    plain = _plain(name.removeprefix("shifted_"))
    return plain(n, 2 * v - 1 if name.startswith("shifted_") else v)


def test_gradient_broadcasts_and_is_zero_for_invalid_degrees():
    x = torchlike.tensor([0.5], dtype=torchlike.float64, requires_grad=True)
    n = torchlike.tensor([3.0, -1.0, math.nan, 2.9], dtype=torchlike.float64)
    S.chebyshev_polynomial_t(x, n).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12 * 0.25 - 3 + 0 + 0 + 4 * 0.5])  # T_3' = 12x² - 3, T_2' = 4x


def test_refusals():
    x = torchlike.tensor([0.5], dtype=torchlike.float64, requires_grad=True)
    n = torchlike.tensor([3.0], dtype=torchlike.float64, requires_grad=True)
    with pytest.raises(NotImplementedError,
                       match=r"hermite_polynomial_h\(input, n\): the derivative with respect to n"):
        S.hermite_polynomial_h(x, n).sum().backward()
    with pytest.raises(TypeError, match="laguerre_polynomial_l.*expected input or n to be a tensor"):
        S.laguerre_polynomial_l(0.5, 2)
    with pytest.raises(Exception, match="chebyshev_polynomial_u"):
        S.chebyshev_polynomial_u(torchlike.tensor([1 + 1j]), 2)
    with pytest.raises(Exception, match="broadcast"):
        S.legendre_polynomial_p(torchlike.ones(2), torchlike.ones(3))


def test_derivatives_of_a_huge_degree_are_refused_instead_of_climbing_for_ever():
    x = torchlike.tensor([0.3], dtype=torchlike.float64, requires_grad=True)
    y = S.chebyshev_polynomial_t(x, 1e7)  # the forward takes the closed form
    with pytest.raises(Exception, match=r"chebyshev_polynomial_t: derivatives .* degree 10000000 is beyond"):
        y.sum().backward()
    S.chebyshev_polynomial_t(x, 1000).sum().backward()  # a large degree within the bound still differentiates
    assert np.isfinite(x.grad.numpy()).all()
