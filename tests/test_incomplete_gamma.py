"""The regularized incomplete gamma functions (torch.special.gammainc / gammaincc, torch.igamma) and the
reparameterized samples of Gamma, Beta, Dirichlet and Chi2 built on them (implicit reparameterization)."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager.autograd import gradcheck
from minidl.ops.incomplete_gamma import GammaSampleSlope, regularized_gammas

D = torchlike.distributions
RNG = np.random.default_rng(23)


def _integer_shape_cdf(a, x):
    """P(a, x) for a whole number a: 1 - e^(-x) Σ_{k<a} x^k / k! (the Poisson tail)."""
    return 1 - math.exp(-x) * sum(x ** k / math.factorial(k) for k in range(a))


@pytest.mark.parametrize("a", [1, 2, 5, 30])
def test_gammainc_of_whole_shapes_is_the_poisson_tail(a):
    xs = np.array([0.0, 1e-8, 0.3, 1.0, a - 0.5, a + 0.5, 2.0 * a, 5.0 * a + 10])  # both the series and the fraction
    lower = torchlike.special.gammainc(torchlike.tensor(np.full(xs.shape, float(a))), torchlike.tensor(xs))
    upper = torchlike.special.gammaincc(torchlike.tensor(np.full(xs.shape, float(a))), torchlike.tensor(xs))
    expected = [_integer_shape_cdf(a, x) for x in xs]
    np.testing.assert_allclose(lower.numpy(), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(upper.numpy() + lower.numpy(), 1, rtol=1e-14)


def test_gammainc_edges_dtypes_and_pytorch():
    lower, upper = regularized_gammas(np, np.array([2.0, 2.0, 0.0, np.inf, -1.0, 0.0, 1.0]),
                                      np.array([0.0, np.inf, 1.0, 3.0, 1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(lower[:4], [0.0, 1.0, 1.0, 0.0])  # the limits a -> 0 and a -> inf too
    np.testing.assert_array_equal(upper[:4], [1.0, 0.0, 0.0, 1.0])
    assert np.isnan(lower[4:]).all() and np.isnan(upper[4:]).all()  # outside the domain: NaN
    assert torchlike.igamma(torchlike.tensor([2]), torchlike.tensor([1])).dtype == torchlike.float32
    assert torchlike.gammainc(torchlike.tensor([2.0], dtype=torchlike.float32),
                              torchlike.tensor([1.0])).dtype == torchlike.float32
    a, x = RNG.uniform(0.01, 40, 400), RNG.uniform(0, 80, 400)
    ours = torchlike.special.gammainc(torchlike.tensor(a), torchlike.tensor(x)).numpy()
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, torch.special.gammainc(torch.tensor(a), torch.tensor(x)).numpy(),
                               rtol=1e-8, atol=1e-12)


def test_the_upper_function_keeps_its_digits_where_it_is_tiny_and_large_shapes_converge():
    # Q(1/2, x) = erfc(√x); for a -> 0, Q(a, x) -> a E1(x), with E1(0.5) = 0.5597735947761608...
    xs = np.array([1e-6, 0.01, 0.5, 1.4, 3.0, 30.0])
    np.testing.assert_allclose(regularized_gammas(np, np.full(6, 0.5), xs)[1],
                               [math.erfc(math.sqrt(x)) for x in xs], rtol=1e-12)
    np.testing.assert_allclose(regularized_gammas(np, np.array([1e-20]), np.array([0.5]))[1] / 1e-20,
                               0.5597735947761608, rtol=1e-12)
    # P(a, a) -> 1/2 + 1/(3 sqrt(2 pi a)) for large a (the series needs about sqrt(a) terms there)
    big = 1e6
    np.testing.assert_allclose(regularized_gammas(np, np.array([big]), np.array([big]))[0],
                               0.5 + 1 / (3 * math.sqrt(2 * math.pi * big)), rtol=1e-6)


def test_gammainc_is_differentiated_in_x_only():
    a = torchlike.tensor(RNG.uniform(0.5, 6, (3, 4)))
    x = torchlike.tensor(RNG.uniform(0.1, 8, (3, 4)), requires_grad=True)
    assert gradcheck(lambda t: torchlike.special.gammainc(a, t), (x,))
    assert gradcheck(lambda t: torchlike.special.gammaincc(a, t), (x,))
    shape = torchlike.tensor([2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="first argument"):
        torchlike.special.gammainc(shape, torchlike.tensor([1.0])).sum().backward()


@pytest.mark.parametrize("alpha", [0.05, 0.7, 1.0, 4.0, 60.0])
def test_a_gamma_samples_slope_is_the_implicit_derivative_of_its_quantile(alpha):
    """dx/dα for fixed u = P(α, x): solve P(α ± h, x') = u by bisection and difference the solutions."""
    def quantile(a, u):
        low, high = 0.0, 10.0 * a + 50.0
        for _ in range(200):
            middle = (low + high) / 2
            low, high = (middle, high) if regularized_gammas(np, a, middle)[0] < u else (low, middle)
        return (low + high) / 2
    samples = np.array([np.quantile(RNG.standard_gamma(alpha, 4000), q) for q in (0.1, 0.5, 0.9)])
    samples = np.maximum(samples, 1e-12)
    h = 1e-4 * alpha
    expected = [(quantile(alpha + h, u) - quantile(alpha - h, u)) / (2 * h)
                for u in regularized_gammas(np, np.full(3, alpha), samples)[0]]
    ours = GammaSampleSlope.forward(np, np.full(3, alpha), samples)
    np.testing.assert_allclose(ours, expected, rtol=1e-5)
    torch = pytest.importorskip("torch")
    theirs = torch._standard_gamma_grad(torch.tensor(np.full(3, alpha)), torch.tensor(samples)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)  # PyTorch's approximation is good to ~1e-3


def _mean_gradients(make, params, draws=40000, seed=2):
    params = [torchlike.tensor(p, dtype=torchlike.float64, requires_grad=True) for p in params]
    torchlike.manual_seed(seed)
    make(*params).rsample((draws,)).mean(0).sum().backward()
    return [p.grad.numpy() for p in params]


def test_rsample_gradients_are_the_gradients_of_the_means():
    """E[x] of each distribution, differentiated, against its rsample's average gradient (Monte Carlo: 40 000
    draws, a few percent)."""
    alpha, beta = np.array([0.4, 2.0, 9.0]), np.array([1.5, 0.5, 3.0])
    d_alpha, d_rate = _mean_gradients(D.Gamma, [alpha, beta])  # E = α/β
    np.testing.assert_allclose(d_alpha, 1 / beta, rtol=0.05)
    np.testing.assert_allclose(d_rate, -alpha / beta ** 2, rtol=0.05)
    d_a, d_b = _mean_gradients(D.Beta, [alpha, beta])  # E = α/(α+β)
    np.testing.assert_allclose(d_a, beta / (alpha + beta) ** 2, rtol=0.05)
    np.testing.assert_allclose(d_b, -alpha / (alpha + beta) ** 2, rtol=0.05)
    concentration = np.array([0.5, 1.0, 3.0])
    c = torchlike.tensor(concentration, requires_grad=True)
    torchlike.manual_seed(4)
    D.Dirichlet(c).rsample((40000,))[:, 0].mean().backward()
    total = concentration.sum()  # E[x_0] = c_0 / S: d/dc_0 = (S - c_0) / S², d/dc_j = -c_0 / S²
    np.testing.assert_allclose(c.grad.numpy(), [(total - 0.5) / total ** 2, -0.5 / total ** 2, -0.5 / total ** 2],
                               rtol=0.05)
    (d_df,) = _mean_gradients(D.Chi2, [np.array([1.0, 4.0])])  # E = ν
    np.testing.assert_allclose(d_df, 1, rtol=0.05)


def test_gamma_family_rsample_and_cdf():
    for dist in (D.Gamma(torchlike.tensor([2.0]), torchlike.tensor([1.0])), D.Beta(torchlike.tensor([2.0]),
                 torchlike.tensor([3.0])), D.Dirichlet(torchlike.tensor([1.0, 2.0])), D.Chi2(torchlike.tensor([3.0]))):
        assert dist.has_rsample and dist.rsample((5,)).shape == (5,) + dist.batch_shape + dist.event_shape
    gamma = D.Gamma(torchlike.tensor([2.0, 0.5]), torchlike.tensor([3.0, 1.0]))
    np.testing.assert_allclose(gamma.cdf(torchlike.tensor([0.5, 2.0])).numpy(),
                               [_integer_shape_cdf(2, 1.5), math.erf(math.sqrt(2.0))], rtol=1e-6)
    torchlike.manual_seed(0)
    samples = gamma.sample((20000,)).numpy()
    # the cdf at its own samples is uniform: mean 1/2
    np.testing.assert_allclose(gamma.cdf(torchlike.tensor(samples)).numpy().mean(0), 0.5, atol=0.01)
