"""``torchlike.distributions``: densities, statistics, samples, shapes, validation and KL divergences.

Each distribution is checked without PyTorch — log_prob against the density written out in numpy, entropy,
mean and variance against Monte Carlo estimates from 20000 samples (within 5 standard errors, fixed seed), cdf
through its derivative (d cdf/dx = density) and icdf(cdf(x)) = x, gradients against central differences — and,
where PyTorch is installed, against ``torch.distributions`` (values and gradients).
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager.autograd import gradcheck

D = torchlike.distributions
N_SAMPLES = 20000


def _lgamma(x):
    return np.vectorize(math.lgamma)(np.asarray(x, dtype=np.float64))


def _normal_log_density(x, loc, scale):
    return -((x - loc) ** 2) / (2 * scale ** 2) - np.log(scale) - 0.5 * math.log(2 * math.pi)


def _mvn_log_density(x, loc, scale_tril):
    cov = scale_tril @ np.swapaxes(scale_tril, -1, -2)
    diff = x - loc
    mahalanobis = np.einsum("...i,...ij,...j->...", diff, np.linalg.inv(cov), diff)
    return -0.5 * (x.shape[-1] * math.log(2 * math.pi) + mahalanobis + np.linalg.slogdet(cov)[1])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _log_softmax(x):
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


@dataclass
class Case:
    """A distribution with its parameters (all differentiable), a value in its support, and its log-density
    written out in numpy as an independent reference."""
    make: callable  # (distributions module, *parameter tensors) -> distribution
    params: list
    value: list
    log_density: callable  # (value, *params) as numpy arrays -> log-density
    cdf: bool = False
    entropy: bool = True
    tags: set = field(default_factory=set)


_L = np.array([[[1.5, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.4, 0.2, 1.1]],
               [[0.7, 0.0, 0.0], [0.0, 1.2, 0.0], [0.5, -0.3, 0.6]]])

CASES = {
    "Normal": Case(lambda d, loc, scale: d.Normal(loc, scale), [[0.5, -1.0, 2.0], [1.0, 0.5, 2.5]],
                   [0.3, -2.0, 4.0], _normal_log_density, cdf=True),
    "Uniform": Case(lambda d, low, high: d.Uniform(low, high), [[-1.0, 0.0, 2.0], [1.0, 0.5, 5.0]],
                    [0.2, 0.25, 3.0], lambda x, lo, hi: -np.log(hi - lo), cdf=True),
    "Exponential": Case(lambda d, rate: d.Exponential(rate), [[0.5, 1.0, 3.0]], [0.2, 1.5, 0.1],
                        lambda x, r: np.log(r) - r * x, cdf=True),
    "Laplace": Case(lambda d, loc, scale: d.Laplace(loc, scale), [[0.0, 1.0, -2.0], [1.0, 0.5, 2.0]],
                    [0.7, 0.2, -5.0], lambda x, m, b: -np.log(2 * b) - np.abs(x - m) / b, cdf=True),
    "Gamma": Case(lambda d, a, r: d.Gamma(a, r), [[0.5, 2.0, 5.0], [1.0, 0.5, 3.0]], [0.3, 2.0, 1.5],
                  lambda x, a, r: a * np.log(r) + (a - 1) * np.log(x) - r * x - _lgamma(a)),
    "Beta": Case(lambda d, a, b: d.Beta(a, b), [[0.5, 2.0, 5.0], [1.5, 0.7, 3.0]], [0.2, 0.9, 0.6],
                 lambda x, a, b: (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) + _lgamma(a + b) - _lgamma(a)
                 - _lgamma(b)),
    "Dirichlet": Case(lambda d, c: d.Dirichlet(c), [[[0.5, 1.5, 3.0], [2.0, 2.0, 1.0]]],
                      [[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]],
                      lambda x, c: ((c - 1) * np.log(x)).sum(-1) + _lgamma(c.sum(-1)) - _lgamma(c).sum(-1)),
    "Bernoulli_probs": Case(lambda d, p: d.Bernoulli(probs=p), [[0.2, 0.5, 0.9]], [1.0, 0.0, 1.0],
                            lambda x, p: x * np.log(p) + (1 - x) * np.log1p(-p)),
    "Bernoulli_logits": Case(lambda d, l: d.Bernoulli(logits=l), [[-1.5, 0.3, 2.0]], [1.0, 0.0, 0.0],
                             lambda x, l: x * np.log(_sigmoid(l)) + (1 - x) * np.log(_sigmoid(-l))),
    "Categorical_probs": Case(lambda d, p: d.Categorical(probs=p), [[[0.2, 0.3, 0.5], [1.2, 0.2, 0.6]]], [2, 0],
                              lambda k, p: np.log(np.take_along_axis(p, k[:, None], -1)[:, 0] / p.sum(-1)),
                              tags={"categories"}),
    "Categorical_logits": Case(lambda d, l: d.Categorical(logits=l), [[[0.1, -1.0, 2.0], [0.5, 0.5, -0.3]]], [1, 2],
                               lambda k, l: np.take_along_axis(_log_softmax(l), k[:, None], -1)[:, 0],
                               tags={"categories"}),
    "OneHotCategorical": Case(lambda d, l: d.OneHotCategorical(logits=l), [[[0.1, -1.0, 2.0], [0.5, 0.5, -0.3]]],
                              [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], lambda x, l: (x * _log_softmax(l)).sum(-1)),
    "Poisson": Case(lambda d, rate: d.Poisson(rate), [[0.5, 3.0, 10.0]], [0.0, 2.0, 12.0],
                    lambda k, r: k * np.log(r) - r - _lgamma(k + 1), entropy=False),
    "Binomial": Case(lambda d, p: d.Binomial(10, probs=p), [[0.2, 0.5, 0.9]], [1.0, 5.0, 10.0],
                     lambda k, p: _lgamma(11) - _lgamma(k + 1) - _lgamma(11 - k) + k * np.log(p)
                     + (10 - k) * np.log1p(-p), entropy=False),
    # tril: central differences also nudge the zeros above the diagonal, which a scale_tril may not have
    "MultivariateNormal": Case(lambda d, loc, L: d.MultivariateNormal(loc, scale_tril=L.tril()),
                               [[[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]], _L], [[0.5, 0.5, 0.0], [1.0, -1.0, 1.0]],
                               _mvn_log_density),
    "Independent": Case(lambda d, loc, scale: d.Independent(d.Normal(loc, scale), 1),
                        [[[0.0, 1.0], [-1.0, 0.5]], [[1.0, 2.0], [0.5, 0.3]]], [[0.2, 0.4], [-1.0, 1.0]],
                        lambda x, m, s: _normal_log_density(x, m, s).sum(-1)),
}
CONTINUOUS_1D = [name for name, case in CASES.items() if case.cdf]


def _tensors(lib, arrays, requires_grad=False):
    return [lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad) for a in arrays]


def _build(lib, name, requires_grad=False):
    """(parameter tensors, distribution, value tensor) of a case, in ``lib`` (torchlike or torch)."""
    case = CASES[name]
    params = _tensors(lib, case.params, requires_grad)
    return params, case.make(lib.distributions, *params), lib.tensor(np.asarray(case.value))


def _numpy(t):
    return t.detach().numpy()


# ----------------------------------------------------------------------------------- without PyTorch

@pytest.mark.parametrize("name", CASES)
def test_log_prob_matches_the_density_written_out(name):
    case = CASES[name]
    _, dist, value = _build(torchlike, name)
    expected = case.log_density(np.asarray(case.value), *(np.asarray(p, dtype=np.float64) for p in case.params))
    np.testing.assert_allclose(_numpy(dist.log_prob(value)), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_sample_moments_and_entropy_match_monte_carlo(name):
    """Sample mean and variance vs ``mean``/``variance``, and -mean(log_prob(samples)) vs ``entropy``, each within
    5 standard errors estimated from the samples themselves."""
    _, dist, _ = _build(torchlike, name)
    torchlike.manual_seed(1234)
    samples = dist.sample((N_SAMPLES,))
    assert tuple(samples.shape) == (N_SAMPLES,) + tuple(dist.batch_shape) + tuple(dist.event_shape)
    x = _numpy(samples).astype(np.float64)
    if "categories" in CASES[name].tags:  # labels have no mean: compare frequencies with the probabilities
        x = np.eye(dist.probs.shape[-1])[x.astype(int)]
        mean, variance = _numpy(dist.probs), _numpy(dist.probs * (1 - dist.probs))
    else:
        mean, variance = _numpy(dist.mean), _numpy(dist.variance)
    centered = x - x.mean(0)
    assert np.all(np.abs(x.mean(0) - mean) <= 5 * np.sqrt(variance / N_SAMPLES) + 1e-12)
    fourth = (centered ** 4).mean(0)
    assert np.all(np.abs(x.var(0) - variance) <= 5 * np.sqrt(np.maximum(fourth - x.var(0) ** 2, 0) / N_SAMPLES)
                  + 1e-12)
    if CASES[name].entropy:
        log_p = _numpy(dist.log_prob(samples))
        assert np.all(np.abs(-log_p.mean(0) - _numpy(dist.entropy())) <= 5 * log_p.std(0) / math.sqrt(N_SAMPLES)
                      + 1e-12)


def test_multivariate_normal_sample_covariance():
    _, dist, _ = _build(torchlike, "MultivariateNormal")
    torchlike.manual_seed(7)
    x = _numpy(dist.sample((N_SAMPLES,)))
    centered = x - x.mean(0)
    covariance = np.einsum("nbi,nbj->bij", centered, centered) / N_SAMPLES
    np.testing.assert_allclose(covariance, _numpy(dist.covariance_matrix), atol=0.08)


@pytest.mark.parametrize("name", CONTINUOUS_1D)
def test_cdf_is_the_integral_of_the_density(name):
    """d cdf(x)/dx = exp(log_prob(x)), and icdf inverts cdf."""
    _, dist, value = _build(torchlike, name)
    value.requires_grad_(True)
    (slope,) = torchlike.autograd.grad(dist.cdf(value).sum(), value)
    np.testing.assert_allclose(_numpy(slope), np.exp(_numpy(dist.log_prob(value))), rtol=1e-12)
    np.testing.assert_allclose(_numpy(dist.icdf(dist.cdf(value))), _numpy(value), rtol=1e-10, atol=1e-12)


def test_normal_cdf_and_icdf_known_values():
    dist = D.Normal(torchlike.tensor(1.0, dtype=torchlike.float64), torchlike.tensor(2.0, dtype=torchlike.float64))
    np.testing.assert_allclose(_numpy(dist.cdf(torchlike.tensor([1.0, 3.0], dtype=torchlike.float64))),
                               [0.5, 0.8413447460685429], rtol=1e-13)
    np.testing.assert_allclose(_numpy(dist.icdf(torchlike.tensor([0.5, 0.975], dtype=torchlike.float64))),
                               [1.0, 1 + 2 * 1.959963984540054], rtol=1e-13)


@pytest.mark.parametrize("name", CASES)
def test_log_prob_and_entropy_gradients_match_central_differences(name):
    case = CASES[name]
    params, _, value = _build(torchlike, name, requires_grad=True)
    assert gradcheck(lambda *ps: case.make(D, *ps).log_prob(value), params)
    if case.entropy:
        assert gradcheck(lambda *ps: case.make(D, *ps).entropy(), params)


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Exponential", "Laplace", "MultivariateNormal",
                                  "Independent"])
def test_rsample_is_differentiable_and_reproducible(name):
    check_rsample(CASES[name].make, *_build(torchlike, name, requires_grad=True)[:2])


def check_rsample(make, params, dist):
    """``rsample`` is a differentiable function of the parameters (for fixed noise) and ``sample`` is not
    recorded. (Shared with ``test_distributions_more.py``.)"""
    assert dist.has_rsample

    def draw(*ps):
        torchlike.manual_seed(5)  # the same noise every call: the samples are then functions of the parameters
        return make(D, *ps).rsample((4,))
    assert gradcheck(draw, params)
    np.testing.assert_array_equal(_numpy(draw(*params)), _numpy(draw(*params)))
    assert draw(*params).requires_grad and not dist.sample().requires_grad


@pytest.mark.parametrize("name", ["Poisson", "Gamma", "Categorical_logits", "Bernoulli_probs"])
def test_manual_seed_makes_samples_reproducible(name):
    _, dist, _ = _build(torchlike, name)
    torchlike.manual_seed(11)
    first = _numpy(dist.sample((3,)))
    torchlike.manual_seed(11)
    np.testing.assert_array_equal(_numpy(dist.sample((3,))), first)


def test_categorical_never_draws_a_category_of_probability_zero():
    torchlike.manual_seed(0)
    samples = _numpy(D.Categorical(probs=torchlike.tensor([0.0, 0.3, 0.0, 0.7, 0.0])).sample((5000,)))
    assert set(np.unique(samples)) == {1, 3}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_family_samples_stay_finite_for_tiny_concentrations(dtype):
    """Gamma draws with α = 0.001 underflow to 0 about half the time; clamped to the dtype's smallest normal
    number (as PyTorch) a Dirichlet row whose draws all underflowed is uniform instead of 0/0 = NaN."""
    dtype = getattr(torchlike, dtype)
    tiny = float(np.finfo(_numpy(torchlike.zeros(1, dtype=dtype)).dtype).tiny)
    torchlike.manual_seed(0)
    rows = _numpy(D.Dirichlet(torchlike.full((10,), 1e-3, dtype=dtype)).sample((2000,)))
    assert np.isfinite(rows).all() and rows.min() >= tiny and rows.max() < 1
    np.testing.assert_allclose(rows.sum(-1), 1.0, rtol=1e-5 if dtype == torchlike.float32 else 1e-12)
    beta = _numpy(D.Beta(torchlike.tensor(1e-3, dtype=dtype), torchlike.tensor(1e-3, dtype=dtype)).sample((2000,)))
    assert np.isfinite(beta).all() and beta.min() >= tiny and beta.max() < 1
    gamma = _numpy(D.Gamma(torchlike.tensor(1e-3, dtype=dtype), torchlike.tensor(1.0, dtype=dtype)).sample((2000,)))
    assert gamma.min() >= tiny and np.isfinite(gamma).all()


def test_dirichlet_and_beta_sample_means():
    """Sample means against E[xₖ] = αₖ / Σⱼ αⱼ (standard errors below 0.004 for 20000 draws)."""
    torchlike.manual_seed(1)
    alpha = np.array([[0.5, 1.0, 2.0, 4.0], [0.05, 0.1, 0.2, 3.0]])
    rows = _numpy(D.Dirichlet(torchlike.tensor(alpha)).sample((20000,)))
    assert rows.shape == (20000, 2, 4) and np.isfinite(rows).all()
    np.testing.assert_allclose(rows.mean(0), alpha / alpha.sum(-1, keepdims=True), atol=0.01)
    beta = _numpy(D.Beta(torchlike.tensor([0.2, 2.0]), torchlike.tensor([0.6, 3.0])).sample((20000,)))
    np.testing.assert_allclose(beta.mean(0), [0.25, 0.4], atol=0.01)


def test_dirichlet_samples_as_pytorch_for_tiny_concentrations():
    """PyTorch keeps its samples in [tiny, the largest float below 1]: the same bounds, the same dtype."""
    torch = pytest.importorskip("torch")
    for module in (torch, torchlike):
        module.manual_seed(0)
    theirs = torch.distributions.Dirichlet(torch.full((10,), 1e-3)).sample((2000,)).numpy()
    ours = _numpy(D.Dirichlet(torchlike.full((10,), 1e-3)).sample((2000,)))
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert (ours.min(), ours.max()) == (theirs.min(), theirs.max())
    assert np.isfinite(theirs).all() and np.isfinite(ours).all()


@pytest.mark.parametrize("name", CASES)
def test_same_results_on_every_device(name, device):
    """Parameters on ``device`` give samples there, and the densities and entropies computed on the CPU."""
    case = CASES[name]
    params = [p.to(device) for p in _tensors(torchlike, case.params)]
    dist, value = case.make(D, *params), torchlike.tensor(np.asarray(case.value)).to(device)
    samples = dist.sample((5,))
    assert samples.device == params[0].device and dist.log_prob(samples).device == params[0].device
    _, cpu_dist, cpu_value = _build(torchlike, name)
    np.testing.assert_allclose(dist.log_prob(value).cpu().numpy(), _numpy(cpu_dist.log_prob(cpu_value)),
                               rtol=1e-12)
    if case.entropy:
        np.testing.assert_allclose(dist.entropy().cpu().numpy(), _numpy(cpu_dist.entropy()), rtol=1e-12)


# ---------------------------------------------------------------------------------------------- shapes

def test_shapes_broadcast_parameters_values_and_samples():
    dist = D.Normal(torchlike.zeros(3, 1), torchlike.ones(2))
    assert dist.batch_shape == (3, 2) and dist.event_shape == ()
    assert dist.sample().shape == (3, 2) and dist.rsample((4, 5)).shape == (4, 5, 3, 2)
    assert dist.sample(4).shape == (4, 3, 2)
    assert dist.log_prob(torchlike.zeros(5, 1, 1)).shape == (5, 3, 2)
    expanded = dist.expand((6, 3, 2))
    assert expanded.batch_shape == (6, 3, 2) and expanded.sample().shape == (6, 3, 2)
    assert expanded.entropy().shape == (6, 3, 2)
    assert D.Normal(0.0, 1.0).batch_shape == () and D.Normal(0.0, 1.0).sample().dtype == torchlike.float32


def test_shapes_of_distributions_over_vectors():
    mvn = D.MultivariateNormal(torchlike.zeros(2, 3), torchlike.eye(3))
    assert (mvn.batch_shape, mvn.event_shape) == ((2,), (3,))
    assert mvn.sample((4,)).shape == (4, 2, 3) and mvn.log_prob(mvn.sample((4,))).shape == (4, 2)
    assert mvn.expand((5, 2)).log_prob(torchlike.zeros(3)).shape == (5, 2)
    dirichlet = D.Dirichlet(torchlike.ones(2, 4))
    assert (dirichlet.batch_shape, dirichlet.event_shape) == ((2,), (4,))
    assert dirichlet.sample((3,)).shape == (3, 2, 4) and dirichlet.entropy().shape == (2,)
    categorical = D.Categorical(logits=torchlike.zeros(2, 4, 3))
    assert (categorical.batch_shape, categorical.event_shape) == ((2, 4), ())
    assert categorical.sample((5,)).shape == (5, 2, 4) and categorical.sample().dtype == torchlike.int64
    assert categorical.log_prob(torchlike.tensor([0, 1, 2, 0])).shape == (2, 4)
    one_hot = D.OneHotCategorical(probs=torchlike.ones(2, 3))
    assert one_hot.sample((4,)).shape == (4, 2, 3) and one_hot.expand((5, 2)).sample().shape == (5, 2, 3)
    independent = D.Independent(D.Normal(torchlike.zeros(2, 3, 4), 1.0), 2)
    assert (independent.batch_shape, independent.event_shape) == ((2,), (3, 4))
    assert independent.log_prob(independent.sample((5,))).shape == (5, 2)
    assert independent.expand((7, 2)).sample().shape == (7, 2, 3, 4)


# ------------------------------------------------------------------------------------------- validation

def _float(values):
    return torchlike.tensor(values, dtype=torchlike.float64)


@pytest.mark.parametrize("make, message", [
    (lambda: D.Normal(_float([0.0, 1.0]), _float([1.0, -1.0])),
     r"Expected parameter scale \(Tensor of shape \(2,\)\) of distribution Normal\(loc: minidl.Size\(\[2\]\), scale: "
     r"minidl.Size\(\[2\]\)\) to satisfy the constraint GreaterThan\(lower_bound=0.0\), but found invalid values"),
    (lambda: D.Bernoulli(probs=_float([1.5])), r"parameter probs .* Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    (lambda: D.Bernoulli(), r"Either `probs` or `logits` must be specified, but not both"),
    (lambda: D.Categorical(probs=_float([0.5]), logits=_float([0.0])), r"Either `probs` or `logits`"),
    (lambda: D.Categorical(probs=_float(0.5)), r"`probs` parameter must be at least one-dimensional"),
    (lambda: D.Categorical(probs=_float([0.5, -0.1])), r"constraint Simplex\(\)"),
    (lambda: D.Uniform(1.0, 0.0), r"parameter low .* LessThan\(upper_bound=0.0\)"),
    (lambda: D.Gamma(_float([1.0]), _float([0.0])), r"parameter rate"),
    (lambda: D.Dirichlet(_float([1.0, -1.0])), r"parameter concentration .* IndependentConstraint"),
    (lambda: D.Poisson(_float([-1.0])), r"GreaterThanEq\(lower_bound=0.0\)"),
    (lambda: D.Binomial(2.5, probs=_float([0.5])), r"parameter total_count .* IntegerGreaterThan"),
    (lambda: D.MultivariateNormal(torchlike.zeros(2)), r"Exactly one of covariance_matrix or precision_matrix"),
    (lambda: D.MultivariateNormal(torchlike.tensor(0.0), torchlike.eye(2)), r"loc must be at least one-dim"),
    (lambda: D.MultivariateNormal(torchlike.zeros(2), torchlike.tensor([[1.0, 2.0], [2.0, 1.0]])),
     r"PositiveDefinite\(\)"),
    (lambda: D.MultivariateNormal(torchlike.zeros(2), scale_tril=-torchlike.eye(2)), r"LowerCholesky\(\)"),
    (lambda: D.Independent(D.Normal(torchlike.zeros(2), 1.0), 2),
     r"Expected reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\), actual 2 vs 1"),
])
def test_bad_parameters_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("call, message", [
    (lambda: D.Bernoulli(_float([0.5, 0.5])).log_prob(_float([0.5, 1.0])),
     r"Expected value argument \(Tensor of shape \(2,\)\) to be within the support \(Boolean\(\)\) of the "
     r"distribution Bernoulli\(probs: minidl.Size\(\[2\]\)\), but found invalid values"),
    (lambda: D.Bernoulli(_float([0.5, 0.5])).log_prob(torchlike.ones(3)),
     r"Value is not broadcastable with batch_shape\+event_shape: minidl.Size\(\[3\]\) vs minidl.Size\(\[2\]\)"),
    (lambda: D.Dirichlet(torchlike.ones(3)).log_prob(torchlike.ones(2)),
     r"The right-most size of value must match event_shape: minidl.Size\(\[2\]\) vs minidl.Size\(\[3\]\)"),
    (lambda: D.Normal(0.0, 1.0).log_prob(1.0), r"The value argument to log_prob must be a Tensor"),
    (lambda: D.Categorical(_float([0.2, 0.8])).log_prob(torchlike.tensor(2)), r"IntegerInterval\(lower_bound=0, "
                                                                               r"upper_bound=1\)"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(torchlike.tensor(2.0)), r"support \(Interval"),
    (lambda: D.Exponential(1.0).cdf(torchlike.tensor(-1.0)), r"support \(GreaterThanEq"),
])
def test_values_outside_the_support_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.filterwarnings("ignore:(invalid value|divide by zero) encountered in log")
def test_validation_can_be_turned_off():
    assert math.isnan(D.Normal(0.0, -1.0, validate_args=False).entropy().item())  # log of the scale -1
    assert D.Uniform(0.0, 1.0, validate_args=False).log_prob(torchlike.tensor(2.0)).item() == -math.inf
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Bernoulli(probs=torchlike.tensor([2.0])).batch_shape == (1,)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Bernoulli(probs=torchlike.tensor([2.0]))


# ------------------------------------------------------------------------------------------- KL divergence

KL_PAIRS = {
    "Normal": lambda d, t: (d.Normal(t([0.0, 1.0]), t([1.0, 0.5])), d.Normal(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Bernoulli": lambda d, t: (d.Bernoulli(probs=t([0.3, 0.8])), d.Bernoulli(logits=t([0.5, -1.0]))),
    "Categorical": lambda d, t: (d.Categorical(probs=t([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])),
                                 d.Categorical(logits=t([[0.0, 1.0, -1.0], [0.3, 0.2, 0.1]]))),
    "Uniform": lambda d, t: (d.Uniform(t([0.0, -1.0]), t([1.0, 0.5])), d.Uniform(t([-0.5, -2.0]), t([2.0, 1.0]))),
    "Exponential": lambda d, t: (d.Exponential(t([0.5, 2.0])), d.Exponential(t([1.5, 0.3]))),
    "Gamma": lambda d, t: (d.Gamma(t([2.0, 0.8]), t([1.0, 2.0])), d.Gamma(t([3.0, 1.5]), t([0.5, 1.0]))),
    "Beta": lambda d, t: (d.Beta(t([2.0, 0.8]), t([1.0, 2.0])), d.Beta(t([3.0, 1.5]), t([0.5, 1.0]))),
    "Dirichlet": lambda d, t: (d.Dirichlet(t([[2.0, 0.8, 1.5], [1.0, 1.0, 1.0]])),
                               d.Dirichlet(t([[3.0, 1.5, 0.5], [2.0, 0.7, 1.2]]))),
    "MultivariateNormal": lambda d, t: (d.MultivariateNormal(t([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]]),
                                                             scale_tril=t(_L).tril()),
                                        d.MultivariateNormal(t([0.5, 0.5, 0.0]), scale_tril=t(_L[1]).tril())),
    "Independent": lambda d, t: (d.Independent(d.Normal(t([[0.0, 1.0]]), t([[1.0, 0.5]])), 1),
                                 d.Independent(d.Normal(t([[0.5, -1.0]]), t([[2.0, 0.7]])), 1)),
}


def _leaves(lib):
    """A ``t(values)`` that makes float64 leaf tensors requiring grad, and the list of them."""
    made = []

    def t(values):
        made.append(lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True))
        return made[-1]
    return t, made


def _replay(tensors):
    """A ``t(values)`` that hands out ``tensors`` in order instead (the values are those of the first call)."""
    remaining = iter(tensors)
    return lambda values: next(remaining)


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_matches_monte_carlo(name):
    check_kl_by_monte_carlo(KL_PAIRS[name])


def check_kl_by_monte_carlo(make_pair):
    """KL(p ‖ q) = E_p[log p(X) - log q(X)], to 5 standard errors (shared with ``test_distributions_more.py``)."""
    p, q = make_pair(D, _leaves(torchlike)[0])
    kl = _numpy(D.kl_divergence(p, q))
    torchlike.manual_seed(99)
    x = p.sample((N_SAMPLES,))
    gap = _numpy(p.log_prob(x) - q.log_prob(x))
    assert np.all(np.abs(gap.mean(0) - kl) <= 5 * gap.std(0) / math.sqrt(N_SAMPLES) + 1e-12)


@pytest.mark.parametrize("name", ["Normal", "Gamma", "Dirichlet", "MultivariateNormal", "Categorical"])
def test_kl_divergence_gradients_match_central_differences(name):
    check_kl_gradient(KL_PAIRS[name])


def check_kl_gradient(make_pair):
    """The gradient of KL(p ‖ q) w.r.t. both distributions' parameters, against central differences."""
    t, leaves = _leaves(torchlike)
    make_pair(D, t)
    assert gradcheck(lambda *xs: D.kl_divergence(*make_pair(D, _replay(xs))), leaves)


def test_kl_divergence_special_cases():
    assert D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.0, 1.0)).item() == math.inf
    zero = D.kl_divergence(D.Bernoulli(probs=torchlike.tensor(0.0)), D.Bernoulli(probs=torchlike.tensor(0.3)))
    assert zero.item() == pytest.approx(-math.log(0.7))
    with pytest.raises(NotImplementedError, match="No KL"):  # (nor in PyTorch)
        D.kl_divergence(D.Gumbel(0.0, 1.0), D.Laplace(0.0, 1.0))

    class Shifted(D.Normal):
        pass

    @D.register_kl(Shifted, D.Normal)
    def _shifted_normal(p, q):
        return torchlike.tensor(-1.0)
    try:
        assert D.kl_divergence(Shifted(0.0, 1.0), D.Normal(0.0, 1.0)).item() == -1.0  # the more specific formula
        assert D.kl_divergence(D.Normal(0.0, 1.0), Shifted(0.0, 1.0)).item() == 0.0  # Normal's, for a subclass
    finally:
        del D.kl._KL_REGISTRY[Shifted, D.Normal]


def test_reinforce_gradient_with_a_linear_policy():
    """A policy-gradient step: log-probabilities of the actions taken, weighted by their advantages."""
    rng = np.random.default_rng(0)
    states, weights = rng.standard_normal((6, 4)), rng.standard_normal((4, 3))
    actions, advantages = np.array([0, 2, 1, 1, 0, 2]), rng.standard_normal(6)
    w = torchlike.tensor(weights, requires_grad=True)
    dist = D.Categorical(logits=torchlike.tensor(states) @ w)
    loss = -(dist.log_prob(torchlike.tensor(actions)) * torchlike.tensor(advantages)).mean()
    loss.backward()
    # d loss / d logits = -(one_hot(a) - softmax(logits)) * advantage / n
    logits = states @ weights
    softmax = np.exp(_log_softmax(logits))
    expected = states.T @ (-(np.eye(3)[actions] - softmax) * advantages[:, None] / 6)
    np.testing.assert_allclose(_numpy(w.grad), expected, rtol=1e-12)


# ------------------------------------------------------------------------------------------- vs PyTorch

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _statistics(dist, case, value):
    stats = {"log_prob": dist.log_prob(value), "mean": dist.mean, "mode": dist.mode, "variance": dist.variance,
             "stddev": dist.stddev}
    if case.entropy:
        stats["entropy"] = dist.entropy()
    if case.cdf:
        stats["cdf"] = dist.cdf(value)
        stats["icdf"] = dist.icdf(dist.cdf(value) * 0.9)
    return stats


@pytest.mark.parametrize("name", CASES)
def test_matches_pytorch(name, torch):
    case = CASES[name]
    t_params, t_dist, t_value = _build(torch, name, requires_grad=True)
    m_params, m_dist, m_value = _build(torchlike, name, requires_grad=True)
    assert tuple(m_dist.batch_shape) == tuple(t_dist.batch_shape)
    assert tuple(m_dist.event_shape) == tuple(t_dist.event_shape)
    assert m_dist.has_rsample == t_dist.has_rsample or name in ("Gamma", "Beta", "Dirichlet")
    t_stats, m_stats = _statistics(t_dist, case, t_value), _statistics(m_dist, case, m_value)
    for key in t_stats:
        np.testing.assert_allclose(_numpy(m_stats[key]), t_stats[key].detach().numpy(), rtol=1e-10, atol=1e-12,
                                   equal_nan=True, err_msg=f"{name}.{key}")
    for key in ("log_prob", "entropy", "cdf"):
        if key in t_stats:  # (statistics share the lazily computed probs/logits: keep the graphs for the next)
            t_grads = torch.autograd.grad(t_stats[key].sum(), t_params, allow_unused=True, retain_graph=True)
            m_grads = torchlike.autograd.grad(m_stats[key].sum(), m_params, allow_unused=True, retain_graph=True)
            for param, t_grad, m_grad in zip(case.params, t_grads, m_grads):
                _assert_same_gradient(m_grad, t_grad, np.shape(param), f"gradient of {name}.{key}")


def _assert_same_gradient(m_grad, t_grad, shape, what):
    """None (no dependence) counts as zeros. PyTorch's trigamma (in the gradients of the gamma family) is
    accurate to about 1e-10 relative only, minidl's to 1e-15: hence rtol 1e-7."""
    m_grad = np.zeros(shape) if m_grad is None else _numpy(m_grad)
    t_grad = np.zeros(shape) if t_grad is None else t_grad.numpy()
    np.testing.assert_allclose(m_grad, t_grad, rtol=1e-7, atol=1e-12, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_matches_pytorch(name, torch):
    check_kl_against_pytorch(KL_PAIRS[name], name, torch)


def check_kl_against_pytorch(make_pair, name, torch):
    """KL(p || q) of the pair ``make_pair(distributions, leaves)`` and its gradients w.r.t. every leaf, in minidl
    and PyTorch (shared with ``test_distributions_more.py``)."""
    t, t_leaves = _leaves(torch)
    t_kl = torch.distributions.kl_divergence(*make_pair(torch.distributions, t))
    m, m_leaves = _leaves(torchlike)
    m_kl = D.kl_divergence(*make_pair(D, m))
    np.testing.assert_allclose(_numpy(m_kl), t_kl.detach().numpy(), rtol=1e-10, atol=1e-12)
    t_grads = torch.autograd.grad(t_kl.sum(), t_leaves, allow_unused=True)
    m_grads = torchlike.autograd.grad(m_kl.sum(), m_leaves, allow_unused=True)
    for leaf, t_grad, m_grad in zip(m_leaves, t_grads, m_grads):
        _assert_same_gradient(m_grad, t_grad, tuple(leaf.shape), f"gradient of KL({name})")


def test_reinforce_loss_matches_pytorch(torch):
    rng = np.random.default_rng(3)
    logits, advantages = rng.standard_normal((8, 5)), rng.standard_normal(8)
    torchlike.manual_seed(0)
    m_logits = torchlike.tensor(logits, requires_grad=True)
    m_dist = D.Categorical(logits=m_logits)
    actions = m_dist.sample()
    (-(m_dist.log_prob(actions) * torchlike.tensor(advantages)).mean()).backward()
    t_logits = torch.tensor(logits, requires_grad=True)
    t_dist = torch.distributions.Categorical(logits=t_logits)
    (-(t_dist.log_prob(torch.tensor(_numpy(actions))) * torch.tensor(advantages)).mean()).backward()
    np.testing.assert_allclose(_numpy(m_logits.grad), t_logits.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_numpy(m_dist.entropy()), t_dist.entropy().detach().numpy(), rtol=1e-12)


def test_multivariate_normal_parameterizations_match_pytorch(torch):
    """Covariance, precision and scale_tril give the same distribution (and match PyTorch)."""
    cov = _L[0] @ _L[0].T + np.eye(3) * 0.1
    x = np.array([[0.3, -0.2, 1.0], [1.0, 1.0, 1.0]])
    loc = np.array([0.1, 0.0, -0.5])
    t_dist = torch.distributions.MultivariateNormal(torch.tensor(loc), torch.tensor(cov))
    expected = t_dist.log_prob(torch.tensor(x)).numpy()
    for keyword, matrix in (("covariance_matrix", cov), ("precision_matrix", np.linalg.inv(cov)),
                            ("scale_tril", np.linalg.cholesky(cov))):
        dist = D.MultivariateNormal(torchlike.tensor(loc), **{keyword: torchlike.tensor(matrix)})
        np.testing.assert_allclose(_numpy(dist.log_prob(torchlike.tensor(x))), expected, rtol=1e-10)
        np.testing.assert_allclose(_numpy(dist.covariance_matrix), cov, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(_numpy(dist.precision_matrix), np.linalg.inv(cov), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(_numpy(dist.entropy()), t_dist.entropy().numpy(), rtol=1e-12)


def test_enumerate_support_of_the_finite_distributions():
    """Every value along a new first dim, then the batch shape (or size-1 dims with expand=False): an exact
    expectation Σ p(v) f(v) — here E[x] of each — from the listed values and log_prob."""
    D = torchlike.distributions
    bernoulli = D.Bernoulli(torchlike.tensor([0.2, 0.7]))
    categorical = D.Categorical(probs=torchlike.tensor([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
    one_hot = D.OneHotCategorical(probs=torchlike.ones(2, 3) / 3)
    assert bernoulli.enumerate_support().tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert bernoulli.enumerate_support(expand=False).shape == (2, 1)
    values = categorical.enumerate_support()
    assert values.tolist() == [[0, 0], [1, 1], [2, 2]] and values.dtype == torchlike.int64
    expectation = (categorical.log_prob(values).exp() * values).sum(0)
    np.testing.assert_allclose(expectation.numpy(), [0.75, 1.7], rtol=1e-6)
    assert one_hot.enumerate_support().shape == (3, 2, 3) and one_hot.enumerate_support(False).shape == (3, 1, 3)
    assert one_hot.enumerate_support(False)[:, 0].tolist() == np.eye(3).tolist()
    assert bernoulli.has_enumerate_support and not D.Normal(0.0, 1.0).has_enumerate_support
    with pytest.raises(NotImplementedError, match="Normal has no enumerate_support"):
        D.Normal(0.0, 1.0).enumerate_support()


@pytest.mark.parametrize("make, value", [
    (lambda p: D.MultivariateNormal(p[0], covariance_matrix=p[1]), [0.3, -0.4]),
    (lambda p: D.MultivariateNormal(p[0], precision_matrix=p[1]), [0.3, -0.4]),
    (lambda p: D.Categorical(probs=p[1][0].abs()), 1),
    (lambda p: D.Bernoulli(logits=p[0]), [1.0, 0.0]),
    (lambda p: D.Binomial(4, probs=p[1][1].abs() / 2), [1.0, 3.0]),
], ids=["mvn covariance", "mvn precision", "categorical probs", "bernoulli logits", "binomial probs"])
def test_a_derived_parameter_first_read_under_no_grad_keeps_its_gradient(make, value):
    """``sample()`` (which runs under no_grad) or a logged ``entropy()`` under no_grad computes the derived
    parameter (scale_tril, logits, probs) first; it is stored, so it must still carry the parameters' history, as
    PyTorch computes lazy properties with gradients enabled: C's gradient was lost (None), or backward refused."""
    def gradients(warm_up):
        params = [torchlike.tensor([0.1, 0.2], requires_grad=True),
                  torchlike.tensor([[2.0, 0.5], [0.5, 1.0]], requires_grad=True)]
        d = make(params)
        if warm_up:
            torchlike.manual_seed(0)
            d.sample()
            with torchlike.no_grad():
                d.entropy()
        d.log_prob(torchlike.tensor(value)).sum().backward()
        return [None if p.grad is None else p.grad.numpy() for p in params]

    for fresh, warmed in zip(gradients(False), gradients(True)):
        assert (fresh is None) == (warmed is None)
        if fresh is not None:
            np.testing.assert_allclose(warmed, fresh, rtol=1e-6)
    assert any(g is not None for g in gradients(True))


def test_stick_breaking_keeps_its_output_inside_the_simplex_in_float32():
    """z = σ(x₀ - log K) rounds to 1 in float32 for x₀ > 17: the stick left was exact zeros, log|det J| -inf and
    the gradients NaN. z is clipped to [tiny, 1 - eps] as PyTorch clips it, so everything stays finite; the
    log-determinant is then that of the clipped map (PyTorch's -81.48; the exact float64 value is -87.4)."""
    t = D.StickBreakingTransform()
    x = torchlike.tensor([20.0, -20.0, 10.0], requires_grad=True)
    y = t(x)
    log_det = t.log_abs_det_jacobian(x, y)
    log_det.backward()
    assert (y.detach() > 0).all() and np.isclose(y.detach().sum().item(), 1.0)
    assert np.isfinite(log_det.item()) and -90 < log_det.item() < -80
    assert np.isfinite(x.grad.numpy()).all()
    torchlike.manual_seed(0)
    d = D.LogisticNormal(torchlike.tensor([20.0, 0.0, 0.0]), torchlike.tensor(0.1))
    assert np.isfinite(d.log_prob(d.sample((3,))).numpy()).all()


def test_gamma_log_prob_takes_a_python_number_and_a_subclass_can_expand_as_pytorch_s_do():
    assert np.isclose(D.Gamma(2.0, 1.0).log_prob(0.5).item(), math.log(0.5) - 0.5)  # x e^-x at 0.5
    assert np.isclose(D.Chi2(3.0).log_prob(0.5).item(), -1.5155, atol=1e-4)

    class Shifted(D.Normal):
        def __init__(self, loc, shift, validate_args=None):
            self.shift = shift
            super().__init__(loc + shift, 1.0, validate_args=validate_args)

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(Shifted, _instance)
            new.shift = self.shift
            return super().expand(batch_shape, _instance=new)

    expanded = Shifted(torchlike.zeros(2), 1.0).expand((3, 2))
    assert tuple(expanded.batch_shape) == (3, 2) and expanded.shift == 1.0
    with pytest.raises(NotImplementedError, match="must also define a custom .expand"):
        Shifted(torchlike.zeros(2), 1.0)._get_checked_instance(D.Normal)
