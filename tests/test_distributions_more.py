"""Transforms, transformed distributions (LogNormal, Gumbel, Weibull, HalfNormal, HalfCauchy, LogisticNormal),
StudentT, Cauchy, Chi2, Geometric, NegativeBinomial, Multinomial, MixtureSameFamily and their KL divergences.

Without PyTorch: samples against the statistics (means and variances of 100000 draws within 5 standard errors,
empirical cdfs, frequencies of counts, entropies as -E[log p]), every sample in the support, log-densities that
integrate or sum to 1, log|det J| against the Jacobian, gradients against central differences and
reparameterized gradients against their closed forms. With PyTorch: every statistic, density, cdf, KL divergence
and their gradients, at fixed values in float64.
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager.autograd import gradcheck
from tests.test_distributions import (_assert_same_gradient, _numpy, _tensors, check_kl_against_pytorch,
                                      check_kl_by_monte_carlo, check_kl_gradient, check_rsample)

D = torchlike.distributions
T = torchlike.distributions.transforms
N_SAMPLES = 100000


@dataclass
class Case:
    """A distribution made by ``make(distributions module, *parameter tensors)`` (the same code builds minidl's
    and PyTorch's), its parameters, and a value in its support. ``moments``: the mean and the variance exist
    (and the fourth moment, for the standard error of the sample variance). ``counts``: a discrete distribution
    whose small values can be counted."""
    make: callable
    params: list
    value: list
    moments: bool = False
    counts: bool = False
    tags: set = field(default_factory=set)


CASES = {
    "LogNormal": Case(lambda d, loc, scale: d.LogNormal(loc, scale), [[0.5, -1.0, 0.2], [0.4, 0.5, 0.6]],
                      [0.3, 2.0, 5.0], moments=True),
    "Gumbel": Case(lambda d, loc, scale: d.Gumbel(loc, scale), [[0.0, 1.0, -2.0], [1.0, 0.5, 2.0]],
                   [0.7, 0.2, -5.0], moments=True),
    "Weibull": Case(lambda d, scale, k: d.Weibull(scale, k), [[1.0, 2.0, 0.5], [1.5, 2.5, 3.0]], [0.3, 2.0, 0.6],
                    moments=True),
    "HalfNormal": Case(lambda d, scale: d.HalfNormal(scale), [[1.0, 0.5, 2.0]], [0.3, 1.0, 0.1], moments=True),
    "HalfCauchy": Case(lambda d, scale: d.HalfCauchy(scale), [[1.0, 0.5, 2.0]], [0.3, 1.0, 0.1]),
    "LogisticNormal": Case(lambda d, loc, scale: d.LogisticNormal(loc, scale),
                           [[[0.0, 1.0, -1.0], [0.5, 0.5, 0.5]], [[1.0, 0.5, 2.0], [0.3, 0.7, 1.2]]],
                           [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]], tags={"vector"}),
    # sigmoid(N(μ, σ²)), the logit-normal distribution
    "LogitNormal": Case(lambda d, loc, scale: d.TransformedDistribution(d.Normal(loc, scale),
                                                                        [d.transforms.SigmoidTransform()]),
                        [[0.0, 1.0, -1.0], [1.0, 0.5, 2.0]], [0.2, 0.9, 0.5]),
    # a decreasing map where the scale is negative: the cdf becomes 1 - F of the base
    "AffineExponential": Case(lambda d, rate, loc, scale: d.TransformedDistribution(
        d.Exponential(rate), d.transforms.AffineTransform(loc, scale)),
        [[0.5, 1.0, 3.0], [0.0, 1.0, -1.0], [-1.0, 2.0, -0.5]], [-0.5, 2.0, -1.5]),
    "PowerExponential": Case(lambda d, rate, exponent: d.TransformedDistribution(
        d.Exponential(rate), [d.transforms.PowerTransform(exponent)]),
        [[0.5, 1.0, 3.0], [0.5, 2.0, -1.0]], [0.7, 2.0, 0.5]),
    "TanhNormal": Case(lambda d, loc, scale: d.TransformedDistribution(
        d.Normal(loc, scale), [d.transforms.AffineTransform(0.0, 2.0), d.transforms.TanhTransform()]),
        [[0.0, 1.0, -1.0], [1.0, 0.5, 2.0]], [0.3, -0.8, 0.95]),
    "StudentT": Case(lambda d, df, loc, scale: d.StudentT(df, loc, scale),
                     [[0.8, 2.5, 5.0], [0.0, 1.0, -1.0], [1.0, 0.5, 2.0]], [0.3, -2.0, 4.0]),
    "Cauchy": Case(lambda d, loc, scale: d.Cauchy(loc, scale), [[0.0, 1.0, -2.0], [1.0, 0.5, 2.0]],
                   [0.7, 0.2, -5.0]),
    "Chi2": Case(lambda d, df: d.Chi2(df), [[0.5, 2.0, 5.0]], [0.3, 2.0, 4.0], moments=True),
    "Geometric_probs": Case(lambda d, p: d.Geometric(probs=p), [[0.2, 0.5, 0.9]], [0.0, 3.0, 1.0], moments=True,
                            counts=True),
    "Geometric_logits": Case(lambda d, l: d.Geometric(logits=l), [[-1.5, 0.3, 2.0]], [2.0, 0.0, 1.0], moments=True,
                             counts=True),
    "NegativeBinomial_probs": Case(lambda d, r, p: d.NegativeBinomial(r, probs=p), [[2.0, 0.5, 5.0], [0.2, 0.5, 0.7]],
                                   [1.0, 0.0, 7.0], moments=True, counts=True),
    "NegativeBinomial_logits": Case(lambda d, r, l: d.NegativeBinomial(r, logits=l),
                                    [[1.0, 3.5, 0.7], [-1.0, 0.3, 1.5]], [0.0, 2.0, 4.0], moments=True, counts=True),
    "Multinomial_probs": Case(lambda d, p: d.Multinomial(5, probs=p), [[[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]]],
                              [[1.0, 2.0, 2.0], [0.0, 5.0, 0.0]], moments=True, tags={"vector"}),
    "Multinomial_logits": Case(lambda d, l: d.Multinomial(4, logits=l), [[0.1, -1.0, 2.0]], [1.0, 0.0, 3.0],
                               moments=True, tags={"vector"}),
    "MixtureSameFamily": Case(lambda d, logits, loc, scale: d.MixtureSameFamily(d.Categorical(logits=logits),
                                                                               d.Normal(loc, scale)),
                              [[[0.0, 1.0, -1.0], [0.5, 0.2, 0.1]], [[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]],
                               [[1.0, 0.5, 2.0], [0.3, 0.7, 1.2]]], [0.5, -1.0], moments=True),
    "MixtureSameFamily_vectors": Case(lambda d, logits, loc, scale: d.MixtureSameFamily(
        d.Categorical(logits=logits), d.Independent(d.Normal(loc, scale), 1)),
        [[0.0, 1.0, -1.0], [[0.0, 1.0], [-1.0, 2.0], [0.0, 0.5]], [[1.0, 0.5], [2.0, 0.3], [0.7, 1.2]]],
        [0.5, -1.0], moments=True, tags={"vector"}),
}
SCALAR_CASES = [name for name, case in CASES.items() if "vector" not in case.tags]
RSAMPLE_CASES = [name for name, case in CASES.items()
                 if name.split("_")[0] not in ("StudentT", "Chi2", "Geometric", "NegativeBinomial", "Multinomial",
                                               "MixtureSameFamily")]


def _build(lib, name, requires_grad=False):
    """(parameter tensors, distribution, value tensor) of a case, in ``lib`` (torchlike or torch)."""
    case = CASES[name]
    params = _tensors(lib, case.params, requires_grad)
    return params, case.make(lib.distributions, *params), lib.tensor(np.asarray(case.value, dtype=np.float64))


def _float(values):
    return torchlike.tensor(values, dtype=torchlike.float64)


def _has(dist, method, *args):
    """Whether ``dist.method(*args)`` is defined (as in PyTorch, some distributions have no entropy or cdf)."""
    try:
        getattr(dist, method)(*args)
        return True
    except NotImplementedError:
        return False


def _within(estimate, expected, standard_error, what):
    """|estimate - expected| <= 5 standard errors, elementwise."""
    gap = np.abs(np.asarray(estimate) - np.asarray(expected))
    assert np.all(gap <= 5 * np.asarray(standard_error) + 1e-12), f"{what}: {estimate} vs {expected}"


# ---------------------------------------------------------------------------------------- samples

@pytest.fixture(scope="module")
def samples():
    """N_SAMPLES draws of every case (drawn once: the tests below look at them in different ways)."""
    drawn = {}
    for name in CASES:
        torchlike.manual_seed(1234)
        drawn[name] = CASES[name].make(D, *_tensors(torchlike, CASES[name].params)).sample((N_SAMPLES,))
    return drawn


@pytest.mark.parametrize("name", CASES)
def test_samples_have_the_shape_and_lie_in_the_support(name, samples):
    _, dist, _ = _build(torchlike, name)
    x = samples[name]
    assert tuple(x.shape) == (N_SAMPLES,) + tuple(dist.batch_shape) + tuple(dist.event_shape)
    assert x.dtype == torchlike.float64 and not x.requires_grad
    assert bool(dist.support.check(x).all())
    assert np.isfinite(_numpy(dist.log_prob(x[:1000]))).all()


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.moments])
def test_sample_mean_and_variance(name, samples):
    """Within 5 standard errors: √(Var/n) for the mean, √((m₄ - Var²)/n) for the variance (m₄ the sample fourth
    central moment)."""
    _, dist, _ = _build(torchlike, name)
    x = _numpy(samples[name])
    mean, variance = _numpy(dist.mean), _numpy(dist.variance)
    _within(x.mean(0), mean, np.sqrt(variance / N_SAMPLES), f"{name} mean")
    fourth = ((x - x.mean(0)) ** 4).mean(0)
    _within(x.var(0), variance, np.sqrt(np.maximum(fourth - x.var(0) ** 2, 0) / N_SAMPLES), f"{name} variance")
    np.testing.assert_allclose(_numpy(dist.stddev), np.sqrt(variance), rtol=1e-12)


def test_student_t_sample_moments():
    """With ν > 8 degrees of freedom the moments the standard errors need exist."""
    dist = D.StudentT(_float([9.0, 12.0, 30.0]), _float([0.0, 1.0, -1.0]), _float([1.0, 0.5, 2.0]))
    torchlike.manual_seed(8)
    x = _numpy(dist.sample((N_SAMPLES,)))
    variance = _numpy(dist.variance)
    _within(x.mean(0), _numpy(dist.mean), np.sqrt(variance / N_SAMPLES), "StudentT mean")
    fourth = ((x - x.mean(0)) ** 4).mean(0)
    _within(x.var(0), variance, np.sqrt((fourth - x.var(0) ** 2) / N_SAMPLES), "StudentT variance")


# (Chi2 has no cdf, as minidl's Gamma: its samples are checked through their moments)
@pytest.mark.parametrize("name", [name for name in SCALAR_CASES if not CASES[name].counts and name != "Chi2"])
def test_empirical_cdf(name, samples):
    """The fraction of samples <= x against P(X <= x) (standard error √(F(1 - F)/n)); StudentT, without a cdf
    (as in PyTorch), integrates its density instead."""
    _, dist, value = _build(torchlike, name)
    x = _numpy(samples[name])
    try:
        expected = _numpy(dist.cdf(value))
    except NotImplementedError:
        expected = _integrated_density(dist, value)
    _within((x <= _numpy(value)).mean(0), expected, np.sqrt(expected * (1 - expected) / N_SAMPLES), name)


def _integrated_density(dist, value, lower=-math.pi / 2):
    """P(X <= x) by the trapezoid rule on exp(log_prob) in t = atan(x) ∈ (-π/2, π/2): dx = dt / cos²t, which
    maps the whole real line, heavy tails included, to a bounded interval (from t = ``lower`` = 0 for a
    distribution of positive numbers)."""
    t = np.linspace(lower, math.pi / 2, 200001)[1:-1, None]
    density = np.exp(_numpy(dist.log_prob(_float(np.tan(t) + np.zeros(dist.batch_shape))))) / np.cos(t) ** 2
    inside = np.tan(t) <= _numpy(value)
    return np.trapezoid(density * inside, t[:, 0], axis=0)


@pytest.mark.parametrize("name, lower", [("StudentT", -math.pi / 2), ("Cauchy", -math.pi / 2),
                                         ("Gumbel", -math.pi / 2), ("MixtureSameFamily", -math.pi / 2),
                                         ("Weibull", 0.0), ("HalfCauchy", 0.0), ("HalfNormal", 0.0)])
@pytest.mark.filterwarnings("ignore:overflow encountered in exp")  # a Gumbel's e^(-z) far left: density 0
def test_densities_integrate_to_one(name, lower):
    _, dist, value = _build(torchlike, name)
    np.testing.assert_allclose(_integrated_density(dist, value + math.inf, lower), 1.0, rtol=1e-3)


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.counts])
def test_count_frequencies_match_probabilities(name, samples):
    """How often k = 0..4 comes up against P(k) = exp(log_prob(k)); and the probabilities sum to 1."""
    _, dist, _ = _build(torchlike, name)
    x = _numpy(samples[name])
    ks = _float(np.arange(400.0)[:, None] + np.zeros(dist.batch_shape))
    probabilities = np.exp(_numpy(dist.log_prob(ks)))
    np.testing.assert_allclose(probabilities.sum(0), 1.0, rtol=1e-9)
    for k in range(5):
        p = probabilities[k]
        _within((x == k).mean(0), p, np.sqrt(p * (1 - p) / N_SAMPLES), f"{name} P({k})")


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("Multinomial")])
def test_multinomial_counts(name, samples):
    """Counts sum to n; the probabilities of all count vectors sum to 1, and log_prob is the multinomial formula;
    the entropy is -Σ P log P over all count vectors."""
    _, dist, _ = _build(torchlike, name)
    x = _numpy(samples[name])
    n, k = dist.total_count, dist.event_shape[0]
    assert (x.sum(-1) == n).all()
    vectors = np.array([c for c in np.ndindex(*(n + 1,) * k) if sum(c) == n], dtype=np.float64)
    log_p = _numpy(dist.log_prob(_float(vectors.reshape((-1,) + (1,) * len(dist.batch_shape) + (k,)))))
    probs = _numpy(dist.probs)
    expected = (math.lgamma(n + 1) - np.vectorize(math.lgamma)(vectors + 1).sum(-1)
                + (vectors * np.log(probs[..., None, :])).sum(-1)).T.reshape(log_p.shape)
    np.testing.assert_allclose(log_p, expected, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_p).sum(0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(_numpy(dist.entropy()), -(np.exp(log_p) * log_p).sum(0), rtol=1e-12)


@pytest.mark.parametrize("name", [name for name in CASES if _has(_build(torchlike, name)[1], "entropy")])
def test_entropy_is_minus_the_mean_log_density(name, samples):
    _, dist, _ = _build(torchlike, name)
    log_p = _numpy(dist.log_prob(samples[name]))
    _within(-log_p.mean(0), _numpy(dist.entropy()), log_p.std(0) / math.sqrt(N_SAMPLES), f"{name} entropy")


def test_mixture_sample_picks_components_by_weight():
    """A mixture of two far-apart normals: the fraction of samples near each is its weight. The weights have no
    batch dims while the components do (PyTorch's sample fails on this broadcast)."""
    mixture = D.MixtureSameFamily(D.Categorical(probs=_float([0.3, 0.7])),
                                  D.Normal(_float([[-10.0, 10.0]] * 4), _float(0.1)))
    torchlike.manual_seed(2)
    x = _numpy(mixture.sample((N_SAMPLES,)))
    assert x.shape == (N_SAMPLES, 4) and tuple(mixture.batch_shape) == (4,)
    _within((x < 0).mean(0), 0.3, math.sqrt(0.21 / N_SAMPLES), "weight")


def test_manual_seed_makes_samples_reproducible():
    for name in ["LogNormal", "StudentT", "Geometric_probs", "NegativeBinomial_probs", "Multinomial_probs",
                 "MixtureSameFamily"]:
        _, dist, _ = _build(torchlike, name)
        torchlike.manual_seed(11)
        first = _numpy(dist.sample((3,)))
        torchlike.manual_seed(11)
        np.testing.assert_array_equal(_numpy(dist.sample((3,))), first)


# -------------------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("name", CASES)
def test_log_prob_cdf_and_entropy_gradients_match_central_differences(name):
    case = CASES[name]
    params, dist, value = _build(torchlike, name, requires_grad=True)
    assert gradcheck(lambda *ps: case.make(D, *ps).log_prob(value), params)
    for method, argument in (("cdf", value), ("icdf", _float(np.full(np.shape(case.value), 0.3)))):
        # (the gamma cdf P(α, βx) is not differentiated in its shape α, as in PyTorch: see test_incomplete_gamma)
        if _has(dist, method, argument) and not (method == "cdf" and isinstance(dist, D.Gamma)):
            assert gradcheck(lambda *ps: getattr(case.make(D, *ps), method)(argument), params)
    if _has(dist, "entropy"):
        assert gradcheck(lambda *ps: case.make(D, *ps).entropy(), params)


@pytest.mark.parametrize("name", RSAMPLE_CASES)
def test_rsample_is_differentiable_and_reproducible(name):
    check_rsample(CASES[name].make, *_build(torchlike, name, requires_grad=True)[:2])


def _location_scale(y, loc, scale):
    """y = loc + scale·ε: dy/dloc = 1, dy/dscale = ε = (y - loc)/scale."""
    return [np.ones_like(y), (y - loc) / scale]


# the derivative of a sample with respect to each parameter, written with the sample (and the parameters) only
RSAMPLE_DERIVATIVES = {
    "LogNormal": lambda y, loc, scale: [y, y * (np.log(y) - loc) / scale],
    "Gumbel": _location_scale,
    "Cauchy": _location_scale,
    # y = λ E^(1/k): dy/dλ = y/λ; log E = k log(y/λ), dy/dk = -y log E / k² = -y log(y/λ) / k
    "Weibull": lambda y, scale, k: [y / scale, -y * np.log(y / scale) / k],
    "HalfNormal": lambda y, scale: [y / scale],
    "HalfCauchy": lambda y, scale: [y / scale],
    # y = σ(μ + σ_ε ε): dy/dμ = y(1 - y), dy/dσ_ε = y(1 - y) ε with ε = (logit(y) - μ)/σ_ε
    "LogitNormal": lambda y, loc, scale: [y * (1 - y), y * (1 - y) * (np.log(y / (1 - y)) - loc) / scale],
}


@pytest.mark.parametrize("name", RSAMPLE_DERIVATIVES)
def test_rsample_gradients_match_the_closed_form(name):
    """d Σ samples / d parameter, by backpropagation through rsample, against Σ dy/dparameter written out."""
    params, dist, _ = _build(torchlike, name, requires_grad=True)
    torchlike.manual_seed(3)
    y = dist.rsample((1000,))
    grads = torchlike.autograd.grad(y.sum(), params)
    expected = RSAMPLE_DERIVATIVES[name](_numpy(y), *(_numpy(p) for p in params))
    for grad, derivative in zip(grads, expected):
        np.testing.assert_allclose(_numpy(grad), derivative.sum(0), rtol=1e-10)


def test_student_t_rsample_is_reparameterized_in_loc_scale_and_df():
    df, loc, scale = _float([2.5, 5.0]), _float([0.0, 1.0]).requires_grad_(), _float([1.0, 0.5]).requires_grad_()
    torchlike.manual_seed(4)
    y = D.StudentT(df, loc, scale).rsample((1000,))
    grads = torchlike.autograd.grad(y.sum(), [loc, scale])
    for grad, derivative in zip(grads, _location_scale(_numpy(y), _numpy(loc), _numpy(scale))):
        np.testing.assert_allclose(_numpy(grad), derivative.sum(0), rtol=1e-10)
    assert not D.StudentT(df, loc, scale).sample().requires_grad  # sample() needs no gradient of df
    # d/dν E[y²] = d/dν ν/(ν - 2) = -2/(ν - 2)²: the pathwise gradient through the gamma draw, on average
    torchlike.manual_seed(5)
    wide = _float([10.0]).requires_grad_()
    y = D.StudentT(wide, _float([0.0]), _float([1.0])).rsample((40000,))
    slope, = torchlike.autograd.grad((y * y).mean(), wide)
    assert slope.item() == pytest.approx(-2 / 64, rel=0.06)


def test_chi2_is_a_gamma_with_its_rsample():
    df = _float([3.0, 0.8]).requires_grad_()
    chi2 = D.Chi2(df)
    assert isinstance(chi2, D.Gamma) and chi2.has_rsample
    np.testing.assert_allclose(_numpy(chi2.df), [3.0, 0.8])
    torchlike.manual_seed(3)
    chi2.rsample((4000,)).mean(0).sum().backward()
    assert np.all(np.abs(_numpy(df.grad) - 1) < 0.1)  # E[x] = ν: dE/dν = 1 (within Monte Carlo error)


# -------------------------------------------------------------------------------- special values

@pytest.mark.filterwarnings("ignore:(invalid value|divide by zero) encountered")  # the cases set aside by where
def test_special_values():
    assert D.HalfNormal(1.0, validate_args=False).log_prob(torchlike.tensor(-1.0)).item() == -math.inf
    weibull = D.Weibull(_float([1.0, 2.0, 2.0]), _float([0.5, 1.0, 3.0]))  # k <= 1: the density peaks at 0
    np.testing.assert_allclose(_numpy(weibull.mode), [0.0, 0.0, 2.0 * (2 / 3) ** (1 / 3)], rtol=1e-14)
    certain = D.Geometric(probs=_float([1.0, 1.0]))
    np.testing.assert_array_equal(_numpy(certain.log_prob(_float([0.0, 2.0]))), [0.0, -math.inf])
    assert (_numpy(certain.sample((10,))) == 0).all()
    never = D.NegativeBinomial(_float([0.0, 0.0]), probs=_float(0.5))  # no failures needed: always 0 successes
    np.testing.assert_array_equal(_numpy(never.log_prob(_float([0.0, 1.0]))), [0.0, -math.inf])
    zero = D.Multinomial(3, probs=_float([0.0, 0.5, 0.5]))  # a category of probability 0 drawn 0 times
    np.testing.assert_allclose(_numpy(zero.log_prob(_float([0.0, 1.0, 2.0]))), math.log(3 * 0.125), rtol=1e-12)
    student = D.StudentT(_float([0.5, 1.5, 3.0]))
    np.testing.assert_array_equal(_numpy(student.mean), [math.nan, 0.0, 0.0])
    np.testing.assert_array_equal(_numpy(student.variance), [math.nan, math.inf, 3.0])
    assert math.isnan(D.Cauchy(0.0, 1.0).mean.item()) and D.HalfCauchy(1.0).variance.item() == math.inf


@pytest.mark.filterwarnings("ignore:(invalid value|divide by zero) encountered")  # atanh(1), uncached
def test_tanh_transform_cache_keeps_log_prob_finite_at_the_edges():
    """tanh(20) rounds to 1 in float64: without the cache, atanh(1) = inf and the log-density is not finite;
    with cache_size=1 the log-density of a sample uses the x it came from."""
    x = _float([20.0, -0.3])
    base = D.Normal(_float(0.0), _float(10.0))
    cached = D.TransformedDistribution(base, T.TanhTransform(cache_size=1))
    y = cached.transforms[0](x)
    assert cached.transforms[0].inv(y) is x
    # log p(y) = log N(x; 0, 10²) - log(1 - tanh²x), with log(1 - tanh²x) = 2 (log 2 - x - log(1 + e^(-2x)))
    x_ = _numpy(x)
    expected = _numpy(base.log_prob(x)) - 2 * (math.log(2) - x_ - np.logaddexp(0, -2 * x_))
    np.testing.assert_allclose(_numpy(cached.log_prob(y)), expected, rtol=1e-12)
    uncached = D.TransformedDistribution(base, T.TanhTransform(), validate_args=False)
    assert not np.isfinite(_numpy(uncached.log_prob(y))[0])


# ------------------------------------------------------------------------------------------ shapes

def test_transformed_shapes_broadcast_and_reinterpret():
    """The transforms' parameters broadcast the base; a transform of vectors makes the last base dim the event."""
    shifted = D.TransformedDistribution(D.Normal(0.0, 1.0), T.AffineTransform(torchlike.zeros(3), 2.0))
    assert (shifted.batch_shape, shifted.event_shape) == ((3,), ())
    assert shifted.sample((5,)).shape == (5, 3) and shifted.base_dist.batch_shape == (3,)
    simplex = D.TransformedDistribution(D.Normal(torchlike.zeros(2, 3), 1.0), T.StickBreakingTransform())
    assert (simplex.batch_shape, simplex.event_shape) == ((2,), (4,))
    assert simplex.log_prob(simplex.sample((5,))).shape == (5, 2)
    assert repr(simplex.support) == "Simplex()" and isinstance(simplex.base_dist, D.Independent)
    with pytest.raises(ValueError, match="base_distribution needs to have shape with size at least 1"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), T.StickBreakingTransform())
    with pytest.raises(ValueError, match="transforms must be a Transform or a list of Transforms"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), 3)
    assert D.TransformedDistribution(D.Normal(0.0, 1.0), []).support is D.constraints.real


@pytest.mark.parametrize("name", CASES)
def test_expand(name):
    _, dist, value = _build(torchlike, name)
    batch = (4,) + tuple(dist.batch_shape)
    expanded = dist.expand(batch)
    assert type(expanded) is type(dist) and tuple(expanded.batch_shape) == batch
    assert tuple(expanded.event_shape) == tuple(dist.event_shape)
    assert tuple(expanded.sample((2,)).shape) == (2,) + batch + tuple(dist.event_shape)
    np.testing.assert_allclose(_numpy(expanded.log_prob(value)),
                               np.broadcast_to(_numpy(dist.log_prob(value)), batch), rtol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_same_results_on_every_device(name, device):
    case = CASES[name]
    params = [p.to(device) for p in _tensors(torchlike, case.params)]
    dist, value = case.make(D, *params), torchlike.tensor(np.asarray(case.value)).to(device)
    assert dist.sample((5,)).device == params[0].device
    _, cpu_dist, cpu_value = _build(torchlike, name)
    np.testing.assert_allclose(dist.log_prob(value).cpu().numpy(), _numpy(cpu_dist.log_prob(cpu_value)),
                               rtol=1e-12)


# -------------------------------------------------------------------------------------- validation

BAD_PARAMETERS = {
    "LogNormal": (lambda d, t: d.LogNormal(t([0.0]), t([-1.0])), r"parameter scale"),
    "Gumbel": (lambda d, t: d.Gumbel(t([0.0]), t([0.0])), r"parameter scale .* GreaterThan\(lower_bound=0.0\)"),
    "Weibull": (lambda d, t: d.Weibull(t([-1.0]), t([1.0])), r"parameter scale"),
    "HalfNormal": (lambda d, t: d.HalfNormal(t([-1.0])), r"parameter scale"),
    "StudentT": (lambda d, t: d.StudentT(t([-1.0])), r"parameter df"),
    "Cauchy": (lambda d, t: d.Cauchy(t([0.0]), t([0.0])), r"parameter scale"),
    "Chi2": (lambda d, t: d.Chi2(t([0.0])), r"parameter (df|concentration)"),
    "Geometric_zero": (lambda d, t: d.Geometric(probs=t([0.5, 0.0])), r"parameter probs .* to be positive"),
    "Geometric_above_one": (lambda d, t: d.Geometric(probs=t([1.5])),
                            r"Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    "Geometric_neither": (lambda d, t: d.Geometric(), r"Either `probs` or `logits` must be specified"),
    "NegativeBinomial_probs": (lambda d, t: d.NegativeBinomial(t([2.0]), probs=t([1.0])),
                               r"HalfOpenInterval\(lower_bound=0.0, upper_bound=1.0\)"),
    "NegativeBinomial_count": (lambda d, t: d.NegativeBinomial(t([-1.0]), probs=t([0.5])),
                               r"parameter total_count .* GreaterThanEq\(lower_bound=0\)"),
    "Multinomial": (lambda d, t: d.Multinomial(3, probs=t([0.5, -0.1])), r"Simplex\(\)"),
    "Mixture_not_categorical": (lambda d, t: d.MixtureSameFamily(d.Normal(t(0.0), t(1.0)), d.Normal(t([0.0]),
                                                                                                     t([1.0]))),
                                r"The Mixture distribution needs to be an +instance of torch.distributions.Cat"),
    "Mixture_components": (lambda d, t: d.MixtureSameFamily(d.Categorical(t([0.5, 0.5])),
                                                            d.Normal(t([0.0, 1.0, 2.0]), t(1.0))),
                           r"`mixture_distribution component` \(2\) does not equal "
                           r"`component_distribution.batch_shape\[-1\]` \(3\)"),
    "Mixture_batch": (lambda d, t: d.MixtureSameFamily(d.Categorical(t([[0.5, 0.5]] * 2)),
                                                       d.Normal(t([[0.0, 1.0]] * 3), t(1.0))),
                      r"`mixture_distribution.batch_shape` \(.*\) is not compatible with "
                      r"`component_distribution.batch_shape`"),
}


@pytest.mark.parametrize("name", BAD_PARAMETERS)
def test_bad_parameters_raise_value_error(name):
    make, message = BAD_PARAMETERS[name]
    with pytest.raises(ValueError, match=message):
        make(D, _float)


def test_other_construction_errors():
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count is not supported"):
        D.Multinomial(_float(3.0), probs=_float([0.5, 0.5]))
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        T.ExpTransform(cache_size=2)


OUTSIDE_THE_SUPPORT = {
    "LogNormal": (lambda d, t: d.LogNormal(t(0.0), t(1.0)).log_prob(t(-1.0)), r"GreaterThan\(lower_bound=0.0\)"),
    "Weibull": (lambda d, t: d.Weibull(t(1.0), t(1.0)).log_prob(t(0.0)), r"GreaterThan\(lower_bound=0.0\)"),
    "HalfNormal": (lambda d, t: d.HalfNormal(t(1.0)).log_prob(t(-1.0)), r"GreaterThanEq\(lower_bound=0.0\)"),
    "HalfCauchy_cdf": (lambda d, t: d.HalfCauchy(t(1.0)).cdf(t(-1.0)), r"GreaterThanEq\(lower_bound=0.0\)"),
    "LogitNormal": (lambda d, t: d.TransformedDistribution(d.Normal(t(0.0), t(1.0)), d.transforms.SigmoidTransform())
                    .log_prob(t(1.5)), r"Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    "LogisticNormal": (lambda d, t: d.LogisticNormal(t([0.0, 0.0]), t(1.0)).log_prob(t([0.5, 0.6, 0.1])),
                       r"Simplex\(\)"),
    "Geometric": (lambda d, t: d.Geometric(t(0.5)).log_prob(t(1.5)), r"IntegerGreaterThan\(lower_bound=0\)"),
    "NegativeBinomial": (lambda d, t: d.NegativeBinomial(t(2.0), t(0.5)).log_prob(t(-1.0)), r"IntegerGreaterThan"),
    "Multinomial": (lambda d, t: d.Multinomial(3, t([0.2, 0.3, 0.5])).log_prob(t([1.0, 1.0, 2.0])),
                    r"support \(Multinomial\(\)\)"),
    "Mixture": (lambda d, t: d.MixtureSameFamily(d.Categorical(t([0.5, 0.5])), d.Normal(t([0.0, 1.0]), t(1.0)))
                .log_prob(t(math.nan)), r"to be within the support"),
    # the base's support, in float32: exp(-exp(-40)) rounds to 1, above the base's upper bound 1 - eps
    "Gumbel_cdf": (lambda d, t: d.Gumbel(0.0, 1.0).cdf(t(40.0).float()), r"Interval"),
}


@pytest.mark.parametrize("name", OUTSIDE_THE_SUPPORT)
def test_values_outside_the_support_raise_value_error(name):
    call, message = OUTSIDE_THE_SUPPORT[name]
    with pytest.raises(ValueError, match=message):
        call(D, _float)


def test_multinomial_support_requires_whole_counts():
    """PyTorch's check has no integer test: 0.5 + 2.5 would pass there."""
    with pytest.raises(ValueError, match="support"):
        D.Multinomial(3, probs=_float([0.5, 0.5])).log_prob(_float([0.5, 2.5]))


# -------------------------------------------------------------------------------------- transforms

TRANSFORMS = {
    "Exp": (lambda m, t: m.ExpTransform(), [-1.0, 0.5, 2.0]),
    "Exp_inverse": (lambda m, t: m.ExpTransform().inv, [0.3, 1.0, 4.0]),
    "Affine": (lambda m, t: m.AffineTransform(1.5, -2.0), [-1.0, 0.5, 2.0]),
    "Affine_tensors": (lambda m, t: m.AffineTransform(t([0.0, 1.0, -1.0]), t([2.0, -0.5, 3.0])), [-1.0, 0.5, 2.0]),
    "Affine_vectors": (lambda m, t: m.AffineTransform(1.0, -2.0, event_dim=1), [[-1.0, 0.5, 2.0], [0.1, 0.2, 0.3]]),
    "Sigmoid": (lambda m, t: m.SigmoidTransform(), [-30.0, 0.5, 2.0]),
    "Tanh": (lambda m, t: m.TanhTransform(), [-3.0, 0.5, 2.0]),
    "Power": (lambda m, t: m.PowerTransform(t([0.5, 2.0, -1.5])), [0.5, 1.5, 3.0]),
    "Compose": (lambda m, t: m.ComposeTransform([m.AffineTransform(0.5, 2.0), m.ExpTransform(),
                                                 m.PowerTransform(t(2.0)), m.SigmoidTransform().inv]),
                [-1.0, -0.5, -2.0]),
    "Identity": (lambda m, t: m.identity_transform, [-1.0, 0.5, 2.0]),
    "StickBreaking": (lambda m, t: m.StickBreakingTransform(), [[-1.0, 0.5, 2.0], [0.0, 0.0, 0.0]]),
    # an elementwise map, then one of vectors: the composite acts on vectors, and exp's log-dets are summed
    "Compose_vectors": (lambda m, t: m.ComposeTransform([m.ExpTransform(), m.StickBreakingTransform()]),
                        [[-1.0, 0.5, 2.0], [0.3, 0.2, 0.1]]),
}


def _transform(lib, name):
    make, x = TRANSFORMS[name]
    module = lib.distributions.transforms
    return make(module, lambda v: lib.tensor(np.asarray(v, dtype=np.float64))), lib.tensor(np.asarray(x))


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_inverse_and_log_det_against_the_jacobian(name):
    """inv(t(x)) = x, and log_abs_det_jacobian = log|det ∂y/∂x| (of y's first entries when the map adds one),
    the Jacobian by backpropagation row by row."""
    transform, x = _transform(torchlike, name)
    assert transform.bijective
    y = transform(x)
    np.testing.assert_allclose(_numpy(transform.inv(y)), _numpy(x), rtol=1e-10, atol=1e-12)
    log_det = _numpy(transform.log_abs_det_jacobian(x, y))
    if transform.domain.event_dim == 0:  # elementwise: the Jacobian is diagonal, d Σy / dx is its diagonal
        leaf = x.detach().requires_grad_()
        (diagonal,) = torchlike.autograd.grad(transform(leaf).sum(), leaf)
        np.testing.assert_allclose(log_det, np.log(np.abs(_numpy(diagonal))), rtol=1e-10, atol=1e-12)
        return
    expected = []
    for row in _numpy(x):
        leaf = _float(row).requires_grad_()
        out = transform(leaf)[:len(row)]
        jacobian = np.stack([_numpy(torchlike.autograd.grad(out[i], leaf, retain_graph=True)[0])
                             for i in range(len(row))])
        expected.append(np.linalg.slogdet(jacobian)[1])
    np.testing.assert_allclose(log_det, expected, rtol=1e-10, atol=1e-12)


def test_non_bijective_transforms():
    softmax, absolute = T.SoftmaxTransform(), T.AbsTransform()
    x = _float([[1.0, 2.0, 3.0]])
    assert not softmax.bijective and not absolute.bijective
    np.testing.assert_allclose(_numpy(softmax(softmax.inv(softmax(x)))), _numpy(softmax(x)), rtol=1e-14)
    np.testing.assert_allclose(_numpy(absolute.inv(absolute(-x))), _numpy(x))
    for transform in (softmax, absolute):
        with pytest.raises(NotImplementedError):
            transform.log_abs_det_jacobian(x, transform(x))
        with pytest.raises(NotImplementedError):
            transform.sign


def test_transform_equality_and_module():
    import minidl.eager.distributions.transforms as module
    assert module is T and D.ExpTransform is T.ExpTransform
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform().inv == T.ExpTransform().inv
    assert T.ExpTransform() != T.ExpTransform().inv
    assert T.AffineTransform(0.0, 2.0) == T.AffineTransform(0.0, _float(2.0)) != T.AffineTransform(0.0, 3.0)
    assert T.PowerTransform(2.0) == T.PowerTransform(_float(2.0)) != T.PowerTransform(3.0)
    assert T.ComposeTransform([T.ExpTransform()]) == T.ComposeTransform([T.ExpTransform()])
    assert T.ExpTransform().inv.inv == T.ExpTransform()


def test_affine_log_det_counts_every_element_of_an_event():
    """A scalar tensor scale with event_dim=1 scales each of the 3 entries: log|det| = 3 log 2, as for a number
    scale (PyTorch counts log 2 once for the tensor)."""
    x = _float([[0.1, 0.2, 0.3]])
    for scale in (2.0, _float(2.0)):
        transform = T.AffineTransform(0.0, scale, event_dim=1)
        np.testing.assert_allclose(_numpy(transform.log_abs_det_jacobian(x, transform(x))), [3 * math.log(2)])
    dist = D.TransformedDistribution(D.Normal(torchlike.zeros(3, dtype=torchlike.float64), 1.0),
                                     T.AffineTransform(0.0, _float(2.0), event_dim=1))
    same = D.Independent(D.Normal(torchlike.zeros(3, dtype=torchlike.float64), 2.0), 1)
    np.testing.assert_allclose(_numpy(dist.log_prob(x)), _numpy(same.log_prob(x)), rtol=1e-14)


# ------------------------------------------------------------------------------------------- KL divergence

KL_PAIRS = {
    "LogNormal": lambda d, t: (d.LogNormal(t([0.0, 1.0]), t([1.0, 0.5])), d.LogNormal(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Gumbel": lambda d, t: (d.Gumbel(t([0.0, 1.0]), t([1.0, 0.5])), d.Gumbel(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Normal_Gumbel": lambda d, t: (d.Normal(t([0.0, 1.0]), t([1.0, 0.5])), d.Gumbel(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Exponential_Gumbel": lambda d, t: (d.Exponential(t([0.5, 2.0])), d.Gumbel(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Gamma_Gumbel": lambda d, t: (d.Gamma(t([2.0, 0.8]), t([1.0, 2.0])), d.Gumbel(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Uniform_Gumbel": lambda d, t: (d.Uniform(t([0.0, -1.0]), t([1.0, 0.5])), d.Gumbel(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Gumbel_Normal": lambda d, t: (d.Gumbel(t([0.0, 1.0]), t([1.0, 0.5])), d.Normal(t([0.5, -1.0]), t([2.0, 0.7]))),
    "HalfNormal": lambda d, t: (d.HalfNormal(t([1.0, 0.5])), d.HalfNormal(t([2.0, 0.7]))),
    "HalfCauchy": lambda d, t: (d.HalfCauchy(t([1.0, 0.5])), d.HalfCauchy(t([2.0, 0.7]))),
    "Cauchy": lambda d, t: (d.Cauchy(t([0.0, 1.0]), t([1.0, 0.5])), d.Cauchy(t([0.5, -1.0]), t([2.0, 0.7]))),
    "Geometric": lambda d, t: (d.Geometric(probs=t([0.3, 0.8])), d.Geometric(logits=t([0.5, -1.0]))),
    "Chi2": lambda d, t: (d.Chi2(t([2.0, 5.0])), d.Chi2(t([3.0, 1.5]))),
    "LogisticNormal": lambda d, t: (d.LogisticNormal(t([[0.0, 1.0], [0.5, -0.5]]), t([[1.0, 0.5], [0.3, 0.8]])),
                                    d.LogisticNormal(t([[0.5, -1.0], [0.0, 0.0]]), t([[2.0, 0.7], [1.0, 1.0]]))),
}


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_matches_monte_carlo(name):
    check_kl_by_monte_carlo(KL_PAIRS[name])


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_gradients_match_central_differences(name):
    check_kl_gradient(KL_PAIRS[name])


def test_kl_divergence_special_cases():
    gumbel = D.Gumbel(_float([0.0, 1.0]), _float(1.0))
    for q in (D.Uniform(_float(0.0), _float(1.0)), D.Exponential(_float([1.0, 2.0])), D.Beta(_float(1.0), _float(2.0)),
              D.Gamma(_float(1.0), _float(1.0))):
        np.testing.assert_array_equal(_numpy(D.kl_divergence(gumbel, q)), [math.inf, math.inf])
    same = [D.Weibull(_float(2.0), _float(1.5)) for _ in range(2)]  # equal parameters: equal transforms, KL 0
    assert D.kl_divergence(*same).item() == 0.0
    with pytest.raises(NotImplementedError, match="the same transforms"):
        D.kl_divergence(D.Weibull(_float(2.0), _float(1.5)), D.Weibull(_float(2.0), _float(2.5)))
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.HalfNormal(_float(1.0)), D.HalfCauchy(_float(1.0)))
    folded = [D.TransformedDistribution(D.Normal(_float(loc), _float(1.0)), T.AbsTransform()) for loc in (1.0, 2.0)]
    with pytest.raises(NotImplementedError, match="bijective"):  # KL(|X| ‖ |Y|) < KL(X ‖ Y) here
        D.kl_divergence(*folded)


# ------------------------------------------------------------------------------------------- vs PyTorch

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# statistics PyTorch computes less exactly than minidl, and by how much (relative)
LOOSER = {
    # PyTorch's Multinomial entropy takes log n! as lgamma of a float32 tensor
    ("Multinomial_probs", "entropy"): 1e-7, ("Multinomial_logits", "entropy"): 1e-7,
}


def _statistics(lib, dist, value):
    """Every statistic PyTorch defines (None where it raises NotImplementedError)."""
    probabilities = lib.tensor(np.full(tuple(value.shape), 0.3))
    getters = {"log_prob": lambda: dist.log_prob(value), "cdf": lambda: dist.cdf(value),
               "icdf": lambda: dist.icdf(probabilities), "entropy": dist.entropy, "mean": lambda: dist.mean,
               "mode": lambda: dist.mode, "variance": lambda: dist.variance, "stddev": lambda: dist.stddev}
    stats = {}
    for key, get in getters.items():
        try:
            stats[key] = get()
        except NotImplementedError:
            stats[key] = None
    return stats


@pytest.mark.parametrize("name", CASES)
def test_matches_pytorch(name, torch):
    t_params, t_dist, t_value = _build(torch, name, requires_grad=True)
    m_params, m_dist, m_value = _build(torchlike, name, requires_grad=True)
    assert tuple(m_dist.batch_shape) == tuple(t_dist.batch_shape)
    assert tuple(m_dist.event_shape) == tuple(t_dist.event_shape)
    assert m_dist.has_rsample == t_dist.has_rsample or name == "Chi2"
    assert repr(m_dist.support) == repr(t_dist.support) or name.startswith("Mixture")
    t_stats, m_stats = _statistics(torch, t_dist, t_value), _statistics(torchlike, m_dist, m_value)
    for key, t_stat in t_stats.items():
        if name == "Chi2" and key in ("cdf", "icdf"):  # minidl's Gamma has no cdf (no incomplete gamma function)
            continue
        if t_stat is None:
            assert m_stats[key] is None, f"{name}.{key}: PyTorch has none"
            continue
        np.testing.assert_allclose(_numpy(m_stats[key]), t_stat.detach().numpy(), rtol=LOOSER.get((name, key), 1e-10),
                                   atol=1e-12, equal_nan=True, err_msg=f"{name}.{key}")
        if key in ("log_prob", "cdf", "icdf", "entropy", "mean", "variance") and t_stat.requires_grad:
            t_grads = torch.autograd.grad(t_stat.sum(), t_params, allow_unused=True, retain_graph=True)
            m_grads = torchlike.autograd.grad(m_stats[key].sum(), m_params, allow_unused=True, retain_graph=True)
            for param, t_grad, m_grad in zip(CASES[name].params, t_grads, m_grads):
                _assert_same_gradient(m_grad, t_grad, np.shape(param), f"gradient of {name}.{key}")


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transforms_match_pytorch(name, torch):
    (m_transform, m_x), (t_transform, t_x) = _transform(torchlike, name), _transform(torch, name)
    m_y, t_y = m_transform(m_x), t_transform(t_x)
    np.testing.assert_allclose(_numpy(m_y), t_y.numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(_numpy(m_transform.inv(m_y)), t_transform.inv(t_y).numpy(), rtol=1e-12)
    np.testing.assert_allclose(_numpy(m_transform.log_abs_det_jacobian(m_x, m_y)),
                               t_transform.log_abs_det_jacobian(t_x, t_y).numpy(), rtol=1e-12, atol=1e-14)
    m_sign, t_sign = _sign(m_transform), _sign(t_transform)
    assert (m_sign is None) == (t_sign is None)
    if t_sign is not None:
        np.testing.assert_array_equal(np.asarray(_numpy(m_sign) if hasattr(m_sign, "numpy") else m_sign),
                                      np.asarray(t_sign.numpy() if hasattr(t_sign, "numpy") else t_sign))
    for attribute in ("domain", "codomain"):
        assert repr(getattr(m_transform, attribute)) == repr(getattr(t_transform, attribute))
    assert m_transform.bijective == t_transform.bijective
    assert tuple(m_transform.forward_shape(m_x.shape)) == tuple(t_transform.forward_shape(t_x.shape))


def _sign(transform):
    """+1, -1 (or a tensor of them), or None where the map is not monotonic."""
    try:
        return transform.sign
    except NotImplementedError:
        return None


@pytest.mark.parametrize("name", ["Affine_tensors", "Power", "Compose"])
def test_transform_gradients_match_pytorch(name, torch):
    """Through y and log|det J|, to x and to the transforms' parameters."""
    grads = []
    for lib in (torchlike, torch):
        leaves = []

        def t(values):
            leaves.append(lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True))
            return leaves[-1]
        transform = TRANSFORMS[name][0](lib.distributions.transforms, t)
        x = lib.tensor(np.asarray(TRANSFORMS[name][1]), requires_grad=True)
        y = transform(x)
        total = (y * y).sum() + transform.log_abs_det_jacobian(x, y).sum()
        grads.append([g.detach().numpy() for g in lib.autograd.grad(total, [x] + leaves)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_matches_pytorch(name, torch):
    check_kl_against_pytorch(KL_PAIRS[name], name, torch)


@pytest.mark.parametrize("name", list(BAD_PARAMETERS) + list(OUTSIDE_THE_SUPPORT))
def test_pytorch_raises_value_error_too(name, torch):
    call, message = {**BAD_PARAMETERS, **OUTSIDE_THE_SUPPORT}[name]
    with pytest.raises(ValueError, match=message):
        call(torch.distributions, lambda values: torch.tensor(values, dtype=torch.float64))
