"""Sweep 17 of ``torch.distributions`` parity: the KL divergences added to ``kl.py`` and ``kl_cross_entropy.py``,
``Binomial.entropy`` / ``enumerate_support``, ``ContinuousBernoulli``, the relaxed (Concrete) distributions,
``Kumaraswamy``, ``Pareto`` and ``InverseGamma``.

Without PyTorch: KL >= 0 and KL(p ‖ p) = 0, KL against Monte Carlo estimates and its gradients against central
differences, densities that integrate to 1, statistics against samples, reparameterized samples through
``gradcheck`` (fixed seeds), the relaxed samples' Gumbel-max property, closed forms at special points and clear
errors. With PyTorch: every KL (random float64 parameters, +inf where the supports do not fit, gradients where
finite) and every density, statistic, cdf and their gradients.
"""
import math
from dataclasses import dataclass

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager.autograd import gradcheck
from tests.test_distributions import _numpy, check_kl_by_monte_carlo, check_kl_gradient, check_rsample

D = torchlike.distributions
N_SAMPLES = 50000


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _t(lib, values, requires_grad=False):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------- KL table

@dataclass
class KLCase:
    """``make(distributions, *parameter tensors) -> (p, q)``. ``specs``: each parameter's (low, high) range for
    random values, reaching where the KL is +inf for some pairs; ``finite_specs``: ranges where it is finite and p
    has light enough tails for a Monte Carlo estimate (default: ``specs``)."""
    make: callable
    specs: list
    finite_specs: list = None


def _logits(rng, n):
    return rng.normal(size=(n, 4))


POS = (0.3, 3.0)
CONC = (0.6, 4.0)
PROB = (0.05, 0.95)
KL_CASES = {
    "Normal_Laplace": KLCase(lambda d, m1, s1, m2, b2: (d.Normal(m1, s1), d.Laplace(m2, b2)),
                             [(-2, 2), POS, (-2, 2), POS]),
    "Laplace_Laplace": KLCase(lambda d, m1, b1, m2, b2: (d.Laplace(m1, b1), d.Laplace(m2, b2)),
                              [(-2, 2), POS, (-2, 2), POS]),
    "Poisson_Poisson": KLCase(lambda d, r1, r2: (d.Poisson(r1), d.Poisson(r2)), [(0.1, 5), (0.1, 5)]),
    "OneHot_OneHot": KLCase(lambda d, l1, l2: (d.OneHotCategorical(logits=l1), d.OneHotCategorical(logits=l2)),
                            [_logits, _logits]),
    "Binomial_Binomial": KLCase(lambda d, p1, l2: (d.Binomial(7, probs=p1), d.Binomial(7, logits=l2)),
                                [PROB, (-2, 2)]),
    "Geometric_Geometric": KLCase(lambda d, p1, p2: (d.Geometric(probs=p1), d.Geometric(probs=p2)), [PROB, PROB]),
    "Pareto_Pareto": KLCase(lambda d, s1, a1, s2, a2: (d.Pareto(s1, a1), d.Pareto(s2, a2)),
                            [(0.5, 2), (0.5, 4), (0.5, 2), (0.5, 4)], [(1.5, 2), (4, 6), (0.5, 1.4), (0.5, 4)]),
    "ContinuousBernoulli_ContinuousBernoulli": KLCase(
        lambda d, p1, l2: (d.ContinuousBernoulli(probs=p1), d.ContinuousBernoulli(logits=l2)), [PROB, (-3, 3)]),
    "InverseGamma_InverseGamma": KLCase(lambda d, a1, b1, a2, b2: (d.InverseGamma(a1, b1), d.InverseGamma(a2, b2)),
                                        [CONC, POS, CONC, POS], [(5, 8), POS, CONC, POS]),
    "Uniform_Normal": KLCase(lambda d, lo, hi, m, s: (d.Uniform(lo, hi), d.Normal(m, s)),
                             [(-2, 0), (0.1, 2), (-1, 1), POS]),
    "Uniform_Exponential": KLCase(lambda d, lo, hi, r: (d.Uniform(lo, hi), d.Exponential(r)),
                                  [(-0.5, 1), (1.1, 3), POS], [(0.0, 1), (1.1, 3), POS]),
    "Uniform_Gamma": KLCase(lambda d, lo, hi, a, b: (d.Uniform(lo, hi), d.Gamma(a, b)),
                            [(-0.3, 1), (1.1, 3), CONC, POS], [(0.0, 1), (1.1, 3), CONC, POS]),
    "Uniform_Beta": KLCase(lambda d, lo, hi, a, b: (d.Uniform(lo, hi), d.Beta(a, b)),
                           [(-0.2, 0.5), (0.6, 1.2), CONC, CONC], [(0.0, 0.5), (0.6, 1.0), CONC, CONC]),
    "Uniform_Pareto": KLCase(lambda d, lo, hi, s, a: (d.Uniform(lo, hi), d.Pareto(s, a)),
                             [(0.2, 2), (2.1, 4), (0.5, 1.5), (0.5, 4)], [(1.5, 2), (2.1, 4), (0.5, 1.4), (0.5, 4)]),
    "Uniform_ContinuousBernoulli": KLCase(lambda d, lo, hi, p: (d.Uniform(lo, hi), d.ContinuousBernoulli(p)),
                                          [(-0.1, 0.4), (0.6, 1.1), PROB], [(0.01, 0.4), (0.6, 0.99), PROB]),
    "Exponential_Normal": KLCase(lambda d, r, m, s: (d.Exponential(r), d.Normal(m, s)), [POS, (-1, 2), POS]),
    "Exponential_Gamma": KLCase(lambda d, r, a, b: (d.Exponential(r), d.Gamma(a, b)), [POS, CONC, POS]),
    "Gamma_Normal": KLCase(lambda d, a, b, m, s: (d.Gamma(a, b), d.Normal(m, s)), [CONC, POS, (-1, 2), POS]),
    "Gamma_Exponential": KLCase(lambda d, a, b, r: (d.Gamma(a, b), d.Exponential(r)), [CONC, POS, POS]),
    "Beta_Normal": KLCase(lambda d, a, b, m, s: (d.Beta(a, b), d.Normal(m, s)), [CONC, CONC, (-1, 2), POS]),
    "Beta_Uniform": KLCase(lambda d, a, b, lo, hi: (d.Beta(a, b), d.Uniform(lo, hi)),
                           [CONC, CONC, (-0.5, 0.2), (0.8, 2)], [CONC, CONC, (-0.5, -0.01), (1.01, 2)]),
    "Beta_Exponential": KLCase(lambda d, a, b, r: (d.Beta(a, b), d.Exponential(r)), [CONC, CONC, POS]),
    "Beta_Gamma": KLCase(lambda d, a, b, c, r: (d.Beta(a, b), d.Gamma(c, r)), [CONC, CONC, CONC, POS]),
    "Beta_ContinuousBernoulli": KLCase(lambda d, a, b, p: (d.Beta(a, b), d.ContinuousBernoulli(p)),
                                       [CONC, CONC, PROB]),
    "Laplace_Normal": KLCase(lambda d, m1, b, m2, s: (d.Laplace(m1, b), d.Normal(m2, s)),
                             [(-2, 2), POS, (-2, 2), POS]),
    "Gumbel_Normal": KLCase(lambda d, m1, b, m2, s: (d.Gumbel(m1, b), d.Normal(m2, s)),
                            [(-2, 2), POS, (-2, 2), POS]),
    "ContinuousBernoulli_Normal": KLCase(lambda d, p, m, s: (d.ContinuousBernoulli(p), d.Normal(m, s)),
                                         [PROB, (-1, 2), POS]),
    "ContinuousBernoulli_Exponential": KLCase(lambda d, p, r: (d.ContinuousBernoulli(p), d.Exponential(r)),
                                              [PROB, POS]),
    "ContinuousBernoulli_Uniform": KLCase(lambda d, p, lo, hi: (d.ContinuousBernoulli(p), d.Uniform(lo, hi)),
                                          [PROB, (-0.5, 0.2), (0.8, 2)], [PROB, (-0.5, -0.01), (1.01, 2)]),
    "Pareto_Normal": KLCase(lambda d, s, a, m, sd: (d.Pareto(s, a), d.Normal(m, sd)),
                            [(0.5, 2), (1.5, 5), (-1, 2), POS], [(0.5, 2), (9, 12), (-1, 2), POS]),
    "Pareto_Exponential": KLCase(lambda d, s, a, r: (d.Pareto(s, a), d.Exponential(r)),
                                 [(0.5, 2), (0.5, 4), POS], [(0.5, 2), (5, 8), POS]),
    "Pareto_Gamma": KLCase(lambda d, s, a, c, r: (d.Pareto(s, a), d.Gamma(c, r)),
                           [(0.5, 2), (0.4, 3), CONC, POS], [(0.5, 2), (5, 8), CONC, POS]),
    "Bernoulli_Poisson": KLCase(lambda d, p, r: (d.Bernoulli(probs=p), d.Poisson(r)), [PROB, POS]),
}


def _draw(specs, seed, n=8):
    rng = np.random.default_rng(seed)
    return [spec(rng, n) if callable(spec) else rng.uniform(*spec, size=n) for spec in specs]


def _seed(name):
    return sum(map(ord, name))


def _kl_and_grads(lib, case, arrays):
    """KL of the pair made from ``arrays`` and the gradient w.r.t. each parameter of the sum of its finite
    entries (a pair whose KL is +inf contributes nothing)."""
    leaves = [_t(lib, a, requires_grad=True) for a in arrays]
    kl = lib.distributions.kl_divergence(*case.make(lib.distributions, *leaves))
    finite = lib.isfinite(kl)
    grads = lib.autograd.grad(lib.where(finite, kl, lib.zeros_like(kl)).sum(), leaves, allow_unused=True)
    return _numpy(kl), _numpy(finite), [None if g is None else _numpy(g) for g in grads]


@pytest.mark.parametrize("name", KL_CASES)
def test_kl_matches_pytorch_on_random_parameters(name, torch):
    case = KL_CASES[name]
    arrays = _draw(case.specs, _seed(name))
    m_kl, m_finite, m_grads = _kl_and_grads(torchlike, case, arrays)
    t_kl, t_finite, t_grads = _kl_and_grads(torch, case, arrays)
    np.testing.assert_allclose(m_kl, t_kl, rtol=1e-6, atol=1e-10)  # +inf at the same places
    assert m_finite.any()
    for array, m_grad, t_grad in zip(arrays, m_grads, t_grads):
        m_grad = np.zeros_like(array) if m_grad is None else m_grad
        t_grad = np.zeros_like(array) if t_grad is None else t_grad
        rows = m_finite.reshape(m_finite.shape + (1,) * (array.ndim - 1)) & np.ones(array.shape, bool)
        np.testing.assert_allclose(m_grad[rows], t_grad[rows], rtol=1e-6, atol=1e-9, err_msg=name)


INFINITE_SPECS = ["Uniform_Exponential", "Uniform_Gamma", "Uniform_Beta", "Uniform_Pareto", "Pareto_Pareto",
                  "Beta_Uniform", "ContinuousBernoulli_Uniform", "Uniform_ContinuousBernoulli", "Pareto_Normal",
                  "Pareto_Exponential", "Pareto_Gamma"]


@pytest.mark.parametrize("name", INFINITE_SPECS)
def test_kl_is_infinite_exactly_where_the_supports_do_not_fit(name):
    """The random ranges reach both sides of the boundary: some pairs finite, some +inf."""
    case = KL_CASES[name]
    arrays = _draw(case.specs, _seed(name), n=40)
    kl = _numpy(D.kl_divergence(*case.make(D, *(_t(torchlike, a) for a in arrays))))
    assert np.isinf(kl).any() and np.isfinite(kl).any() and np.all(kl[np.isfinite(kl)] >= -1e-12)


def _finite_pair(name):
    """``make_pair(distributions, t)`` at random parameters where the KL is finite (the form the shared checks of
    ``test_distributions.py`` take)."""
    case = KL_CASES[name]
    arrays = _draw(case.finite_specs or case.specs, _seed(name) + 1, n=3)
    return lambda d, t: case.make(d, *(t(a) for a in arrays))


@pytest.mark.parametrize("name", KL_CASES)
def test_kl_matches_monte_carlo(name):
    torchlike.manual_seed(0)
    check_kl_by_monte_carlo(_finite_pair(name))


@pytest.mark.parametrize("name", KL_CASES)
def test_kl_gradients_match_central_differences(name):
    check_kl_gradient(_finite_pair(name))


@pytest.mark.parametrize("name", [name for name in KL_CASES if name.split("_")[0] == name.split("_")[1]])
def test_kl_of_one_family_is_positive_and_zero_against_itself(name):
    case = KL_CASES[name]
    arrays = _draw(case.specs, _seed(name) + 2)
    params = [_t(torchlike, a) for a in arrays]
    p, q = case.make(D, *params)
    assert np.all(_numpy(D.kl_divergence(p, q)) >= -1e-12)
    np.testing.assert_allclose(_numpy(D.kl_divergence(p, p)), 0, atol=1e-12)


def test_kl_to_an_unreachable_family_is_infinite_and_as_pytorch(torch):
    """Every registered pair where q gives probability 0 to a set p has mass on: +inf for each pair of the
    broadcast batch, as in PyTorch."""
    makers = {
        "Normal": lambda d, t: d.Normal(t([0.0, 1.0]), t([1.0, 2.0])),
        "Laplace": lambda d, t: d.Laplace(t([0.0, 1.0]), t([1.0, 2.0])),
        "Gumbel": lambda d, t: d.Gumbel(t([0.0, 1.0]), t([1.0, 2.0])),
        "Exponential": lambda d, t: d.Exponential(t([1.0, 2.0])),
        "Gamma": lambda d, t: d.Gamma(t([1.5, 2.0]), t([1.0, 3.0])),
        "Pareto": lambda d, t: d.Pareto(t([1.0, 2.0]), t([3.0, 1.5])),
        "Beta": lambda d, t: d.Beta(t([1.5, 2.0]), t([1.0, 3.0])),
        "ContinuousBernoulli": lambda d, t: d.ContinuousBernoulli(t([0.3, 0.8])),
        "Uniform": lambda d, t: d.Uniform(t([0.1, 0.2]), t([0.7, 0.9])),
        "Poisson": lambda d, t: d.Poisson(t([1.0, 2.0])),
        "Bernoulli": lambda d, t: d.Bernoulli(probs=t([0.3, 0.6])),
        "Binomial": lambda d, t: d.Binomial(4, probs=t([0.3, 0.6])),
    }
    for p_type, q_types in D.kl_cross_entropy._UNREACHABLE.items():
        for q_type in q_types:
            pair = (makers[p_type.__name__], makers[q_type.__name__])
            kl = D.kl_divergence(*(make(D, lambda v: _t(torchlike, v)) for make in pair))
            t_kl = torch.distributions.kl_divergence(*(make(torch.distributions, lambda v: _t(torch, v))
                                                       for make in pair))
            np.testing.assert_array_equal(_numpy(kl), [math.inf, math.inf])
            np.testing.assert_array_equal(t_kl.numpy(), [math.inf, math.inf])


def test_kl_special_cases():
    rate = _t(torchlike, [1.5])
    # a Poisson of rate 0 is the point mass at 0: KL = -log q(0) = λ_q (PyTorch gives NaN)
    assert D.kl_divergence(D.Poisson(_t(torchlike, [0.0])), D.Poisson(rate)).item() == pytest.approx(1.5)
    # U[0, 1] against Gamma(2, 1): -E[log x - x] = 1 + ½
    assert D.kl_divergence(D.Uniform(_t(torchlike, 0.0), _t(torchlike, 1.0)),
                           D.Gamma(_t(torchlike, 2.0), _t(torchlike, 1.0))).item() == pytest.approx(1.5)
    # a continuous Bernoulli against U[0, 1] is -H(p), finite (PyTorch says +inf)
    cb = D.ContinuousBernoulli(_t(torchlike, 0.3))
    unit = D.Uniform(_t(torchlike, 0.0), _t(torchlike, 1.0))
    assert D.kl_divergence(cb, unit).item() == pytest.approx(-cb.entropy().item())
    # binomials: more trials than q has -> +inf; fewer -> no closed form
    p7, p5 = D.Binomial(7, probs=_t(torchlike, [0.3])), D.Binomial(5, probs=_t(torchlike, [0.3]))
    assert D.kl_divergence(p7, p5).item() == math.inf
    with pytest.raises(NotImplementedError, match="total_count"):
        D.kl_divergence(p5, p7)
    # Laplace: equal scales, locations d apart: |d|/b + e^(-|d|/b) - 1
    kl = D.kl_divergence(D.Laplace(_t(torchlike, 1.0), _t(torchlike, 2.0)),
                         D.Laplace(_t(torchlike, -1.0), _t(torchlike, 2.0)))
    assert kl.item() == pytest.approx(1 + math.exp(-1) - 1)


def test_kl_between_transformed_distributions_needs_the_same_transforms():
    """InverseGamma pairs share the transform 1/y: the gammas' KL. Kumaraswamy pairs with other concentrations
    have other transforms: NotImplementedError, as in PyTorch."""
    a, b = _t(torchlike, [2.0, 3.0]), _t(torchlike, [1.0, 0.5])
    np.testing.assert_allclose(_numpy(D.kl_divergence(D.InverseGamma(a, b), D.InverseGamma(b + 1, a))),
                               _numpy(D.kl_divergence(D.Gamma(a, b), D.Gamma(b + 1, a))), rtol=1e-14)
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Kumaraswamy(a, b), D.Kumaraswamy(b, a))


def test_kl_in_graph_mode_equals_eager():
    """The graph front-end's distributions use these formulas on symbolic tensors."""
    import minidl.graph as tf
    from tests.graph.helpers import run
    tfd = tf.distributions
    lo, hi, m, s = np.array([0.1, -0.5]), np.array([1.0, 0.5]), np.array([0.3, 0.0]), np.array([1.0, 2.0])
    graph = [tfd.kl_divergence(tfd.Uniform(tf.constant(lo), tf.constant(hi)), tfd.Normal(tf.constant(m),
                                                                                         tf.constant(s))),
             tfd.kl_divergence(tfd.Laplace(tf.constant(m), tf.constant(s)), tfd.Laplace(tf.constant(lo),
                                                                                         tf.constant(s))),
             tfd.kl_divergence(tfd.Uniform(tf.constant(lo), tf.constant(hi)), tfd.Exponential(tf.constant(s)))]
    t = lambda v: _t(torchlike, v)  # noqa: E731
    eager = [D.kl_divergence(D.Uniform(t(lo), t(hi)), D.Normal(t(m), t(s))),
             D.kl_divergence(D.Laplace(t(m), t(s)), D.Laplace(t(lo), t(s))),
             D.kl_divergence(D.Uniform(t(lo), t(hi)), D.Exponential(t(s)))]
    for got, want in zip(run(graph), eager):
        np.testing.assert_allclose(got, _numpy(want), rtol=1e-12)
    assert math.isinf(run(graph[2])[1])


# ------------------------------------------------------------------------------------ new distributions

@dataclass
class DistCase:
    """``make(distributions, *parameter tensors)``, its parameters, a value in its support, and which statistics
    PyTorch has for it (``cdf`` also checks ``icdf``)."""
    make: callable
    params: list
    value: list
    stats: tuple = ("log_prob",)
    grad_rtol: float = 1e-7


TEMPERATURE_PROBS = [[0.5, 1.0, 2.0], [0.3, 0.6, 0.9]]
SIMPLEX = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
DIST_CASES = {
    # λ = 0.4995 is in the window of Taylor series, where PyTorch's variance series has a sign slip in its d⁴ term
    # (continuous_bernoulli.py): the values agree to 1e-11, the gradients there to 2e-6 only
    "ContinuousBernoulli_probs": DistCase(lambda d, p: d.ContinuousBernoulli(probs=p), [[0.2, 0.7, 0.4995, 0.95]],
                                          [0.3, 0.9, 0.5, 0.05], ("log_prob", "entropy", "mean", "variance", "cdf"),
                                          grad_rtol=1e-5),
    "ContinuousBernoulli_logits": DistCase(lambda d, l: d.ContinuousBernoulli(logits=l), [[-1.0, 0.5, 0.001, 3.0]],
                                           [0.3, 0.9, 0.5, 0.05], ("log_prob", "entropy", "mean", "variance", "cdf")),
    "LogitRelaxedBernoulli": DistCase(lambda d, t, p: d.relaxed_bernoulli.LogitRelaxedBernoulli(t, probs=p),
                                      TEMPERATURE_PROBS, [-1.0, 0.5, 3.0]),
    "RelaxedBernoulli_probs": DistCase(lambda d, t, p: d.RelaxedBernoulli(t, probs=p), TEMPERATURE_PROBS,
                                       [0.2, 0.7, 0.95]),
    "RelaxedBernoulli_logits": DistCase(lambda d, t, l: d.RelaxedBernoulli(t, logits=l),
                                        [[0.5, 1.0, 2.0], [-1.0, 0.2, 2.0]], [0.2, 0.7, 0.95]),
    "ExpRelaxedCategorical": DistCase(lambda d, t, l: d.relaxed_categorical.ExpRelaxedCategorical(t, logits=l),
                                      [0.8, [[0.0, 1.0, -1.0], [0.3, 0.2, 0.1]]], np.log(SIMPLEX).tolist()),
    "RelaxedOneHotCategorical_logits": DistCase(lambda d, t, l: d.RelaxedOneHotCategorical(t, logits=l),
                                                [0.8, [[0.0, 1.0, -1.0], [0.3, 0.2, 0.1]]], SIMPLEX),
    "RelaxedOneHotCategorical_probs": DistCase(lambda d, t, p: d.RelaxedOneHotCategorical(t, probs=p),
                                               [1.7, [[0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]], SIMPLEX),
    "Kumaraswamy": DistCase(lambda d, a, b: d.Kumaraswamy(a, b), [[2.0, 0.7, 3.0], [3.0, 1.5, 0.8]],
                            [0.3, 0.6, 0.9], ("log_prob", "entropy", "mean", "variance", "cdf")),
    "Pareto": DistCase(lambda d, s, a: d.Pareto(s, a), [[1.0, 2.0, 0.5, 1.0], [3.0, 1.5, 0.8, 2.5]],
                       [1.5, 5.0, 0.7, 1.0], ("log_prob", "entropy", "mean", "variance", "mode", "cdf")),
    "InverseGamma": DistCase(lambda d, a, b: d.InverseGamma(a, b), [[3.0, 1.5, 0.8], [1.0, 2.0, 0.5]],
                             [0.5, 2.0, 0.1], ("log_prob", "entropy", "mean", "variance", "mode")),
    "Binomial_probs": DistCase(lambda d, p: d.Binomial(5, probs=p), [[0.1, 0.5, 0.93]], [0.0, 3.0, 5.0],
                               ("log_prob", "entropy")),
    "Binomial_logits": DistCase(lambda d, n, l: d.Binomial(n, logits=l), [[6.0, 6.0], [-2.0, 1.5]], [2.0, 6.0],
                                ("log_prob", "entropy")),
}


def _statistics(dist, value, names):
    out = {}
    for name in names:
        if name == "log_prob":
            out[name] = dist.log_prob(value)
        elif name == "entropy":
            out[name] = dist.entropy()
        elif name == "cdf":
            out["cdf"] = dist.cdf(value)
            out["icdf"] = dist.icdf(dist.cdf(value) * 0.9)
        else:
            out[name] = getattr(dist, name)
    return out


def _build(lib, case):
    params = [_t(lib, p, requires_grad=True) for p in case.params]
    value = _t(lib, case.value, requires_grad=True)
    return params, case.make(lib.distributions, *params), value


@pytest.mark.parametrize("name", DIST_CASES)
def test_new_distributions_match_pytorch(name, torch):
    case = DIST_CASES[name]
    m_params, m_dist, m_value = _build(torchlike, case)
    t_params, t_dist, t_value = _build(torch, case)
    assert tuple(m_dist.batch_shape) == tuple(t_dist.batch_shape)
    assert tuple(m_dist.event_shape) == tuple(t_dist.event_shape)
    m_stats, t_stats = _statistics(m_dist, m_value, case.stats), _statistics(t_dist, t_value, case.stats)
    for stat in m_stats:
        m_out, t_out = m_stats[stat], t_stats[stat]
        np.testing.assert_allclose(_numpy(m_out), t_out.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=stat)
        finite = np.isfinite(t_out.detach().numpy())
        if not t_out.requires_grad:
            continue
        t_leaves = t_params + ([t_value] if stat in ("log_prob", "cdf", "icdf") else [])
        m_leaves = m_params + ([m_value] if stat in ("log_prob", "cdf", "icdf") else [])
        t_grads = torch.autograd.grad(t_out[torch.tensor(finite)].sum(), t_leaves, allow_unused=True,
                                      retain_graph=True)
        m_grads = torchlike.autograd.grad(m_out[torchlike.tensor(finite)].sum(), m_leaves, allow_unused=True,
                                          retain_graph=True)
        for leaf, m_grad, t_grad in zip(m_leaves, m_grads, t_grads):
            m_grad = np.zeros(tuple(leaf.shape)) if m_grad is None else _numpy(m_grad)
            t_grad = np.zeros(tuple(leaf.shape)) if t_grad is None else t_grad.numpy()
            np.testing.assert_allclose(m_grad, t_grad, rtol=case.grad_rtol, atol=1e-10, err_msg=f"gradient of {stat}")


def test_kumaraswamy_mode_is_the_argmax_of_the_density():
    """PyTorch's mode is NaN for every b > 1; here it is the argmax (NaN where the density is unbounded)."""
    a, b = _t(torchlike, [2.0, 1.0, 3.0, 0.5, 2.0]), _t(torchlike, [3.0, 2.0, 1.0, 2.0, 0.5])
    dist = D.Kumaraswamy(a, b)
    mode = _numpy(dist.mode)
    grid = np.linspace(1e-6, 1 - 1e-6, 200001)
    density = _numpy(dist.log_prob(_t(torchlike, np.repeat(grid[:, None], 5, 1))))
    np.testing.assert_allclose(mode[:3], grid[density[:, :3].argmax(0)], atol=1e-5)
    assert np.isnan(mode[3:]).all()


def test_continuous_bernoulli_series_are_the_taylor_expansions():
    """At λ = ½ + d, d = 0.01, the series (a window that holds λ) agree with the exact formulas (a window that
    does not) to O(d⁵); the variance's d⁴ term has the exact formula's sign (PyTorch's, +128/945, is off by
    2·128/945·d⁴ ≈ 2.7e-9 here)."""
    exact = D.ContinuousBernoulli(_t(torchlike, [0.51]), lims=(0.3, 0.31))
    series = D.ContinuousBernoulli(_t(torchlike, [0.51]), lims=(0.2, 0.8))
    assert abs(exact.mean.item() - series.mean.item()) < 1e-9
    assert abs(exact._cont_bern_log_norm().item() - series._cont_bern_log_norm().item()) < 1e-9
    assert abs(exact.variance.item() - series.variance.item()) < 1e-11
    d2 = 0.01 ** 2
    pytorch_series = 1 / 12 - (1 / 15 - 128 / 945 * d2) * d2
    assert abs(exact.variance.item() - pytorch_series) > 2e-9


# ------------------------------------------------------------------------------ densities integrate to 1

def _integral(dist, grid, to_value=lambda g: g):
    """∫ p over ``grid`` (trapezoid rule), the density read from ``log_prob`` at ``to_value(grid)``."""
    density = np.exp(_numpy(dist.log_prob(_t(torchlike, to_value(grid)))))
    return np.trapezoid(density, grid, axis=0)


def test_densities_integrate_to_one():
    unit = np.linspace(0, 1, 400001)[1:-1, None]
    cases = [
        (D.Kumaraswamy(_t(torchlike, [2.0, 1.5]), _t(torchlike, [3.0, 1.2])), unit),
        (D.ContinuousBernoulli(_t(torchlike, [0.2, 0.4995, 0.97])), unit),
        (D.RelaxedBernoulli(_t(torchlike, [1.5, 1.0]), probs=_t(torchlike, [0.3, 0.8])), unit),
        (D.relaxed_bernoulli.LogitRelaxedBernoulli(_t(torchlike, [0.5, 2.0]), logits=_t(torchlike, [1.0, -1.0])),
         np.linspace(-60, 60, 400001)[:, None]),
        (D.InverseGamma(_t(torchlike, [2.5, 4.0]), _t(torchlike, [1.0, 3.0])),
         np.linspace(1e-4, 400, 2000001)[:, None]),
    ]
    for dist, grid in cases:
        np.testing.assert_allclose(_integral(dist, grid), 1, rtol=2e-3, err_msg=type(dist).__name__)
    # Pareto on x = s e^u: p(x) dx = p(s e^u) s e^u du
    scale, alpha = np.array([1.0, 2.0]), np.array([3.0, 1.5])
    u = np.linspace(0, 40, 400001)[:, None]
    pareto = D.Pareto(_t(torchlike, scale), _t(torchlike, alpha))
    density = np.exp(_numpy(pareto.log_prob(_t(torchlike, scale * np.exp(u))))) * scale * np.exp(u)
    np.testing.assert_allclose(np.trapezoid(density, u, axis=0), 1, rtol=1e-3)
    # the relaxed one-hot categorical of 2 categories, on (y, 1 - y)
    y = np.linspace(0, 1, 400001)[1:-1]
    relaxed = D.RelaxedOneHotCategorical(_t(torchlike, 0.7), probs=_t(torchlike, [0.3, 0.7]))
    density = np.exp(_numpy(relaxed.log_prob(_t(torchlike, np.stack([y, 1 - y], -1)))))
    np.testing.assert_allclose(np.trapezoid(density, y), 1, rtol=2e-3)


def test_relaxed_one_hot_density_of_three_categories_integrates_to_one():
    """Over the triangle y₁, y₂ > 0, y₁ + y₂ < 1 (y₃ = 1 - y₁ - y₂), by the midpoint rule."""
    n = 1500
    centers = (np.arange(n) + 0.5) / n
    y1, y2 = np.meshgrid(centers, centers, indexing="ij")
    inside = y1 + y2 < 1 - 1e-12
    points = np.stack([y1[inside], y2[inside], 1 - y1[inside] - y2[inside]], -1)
    dist = D.RelaxedOneHotCategorical(_t(torchlike, 1.0), probs=_t(torchlike, [0.2, 0.3, 0.5]))
    total = np.exp(_numpy(dist.log_prob(_t(torchlike, points)))).sum() / n ** 2
    assert total == pytest.approx(1, rel=5e-3)


# ------------------------------------------------------------------------------------- samples

def _sample(dist, n=N_SAMPLES, seed=1234):
    torchlike.manual_seed(seed)
    return _numpy(dist.sample((n,)))


@pytest.mark.parametrize("dist", [
    lambda: D.Kumaraswamy(_t(torchlike, [2.0, 0.7]), _t(torchlike, [3.0, 1.5])),
    lambda: D.Pareto(_t(torchlike, [1.0, 2.0]), _t(torchlike, [5.0, 6.0])),
    lambda: D.InverseGamma(_t(torchlike, [5.0, 6.0]), _t(torchlike, [1.0, 3.0])),
    lambda: D.ContinuousBernoulli(_t(torchlike, [0.1, 0.4995, 0.8])),
], ids=["Kumaraswamy", "Pareto", "InverseGamma", "ContinuousBernoulli"])
def test_sample_statistics_match_mean_variance_and_entropy(dist):
    """Within 5 standard errors estimated from the samples; every sample in the support."""
    dist = dist()
    x = _sample(dist)
    assert bool(dist.support.check(_t(torchlike, x)).all())
    n = x.shape[0]
    np.testing.assert_array_less(np.abs(x.mean(0) - _numpy(dist.mean)), 5 * x.std(0) / math.sqrt(n))
    centered = (x - x.mean(0)) ** 2
    np.testing.assert_array_less(np.abs(centered.mean(0) - _numpy(dist.variance)), 5 * centered.std(0) / math.sqrt(n))
    neg_log_p = -_numpy(dist.log_prob(_t(torchlike, x)))
    np.testing.assert_array_less(np.abs(neg_log_p.mean(0) - _numpy(dist.entropy())),
                                 5 * neg_log_p.std(0) / math.sqrt(n))


def test_relaxed_samples_keep_the_gumbel_max_property():
    """For every temperature P(Y > ½) = p for a relaxed Bernoulli (σ((l + L)/τ) > ½ iff l + L > 0), and the
    argmax of a relaxed one-hot sample is a Categorical(p) draw."""
    probs = np.array([0.2, 0.5, 0.9])
    for temperature in (0.1, 1.0, 5.0):
        x = _sample(D.RelaxedBernoulli(_t(torchlike, temperature), probs=_t(torchlike, probs)))
        assert np.all((x >= 0) & (x <= 1))
        frequency = (x > 0.5).mean(0)
        np.testing.assert_array_less(np.abs(frequency - probs), 5 * np.sqrt(probs * (1 - probs) / len(x)))
    categories = np.array([0.1, 0.6, 0.3])
    y = _sample(D.RelaxedOneHotCategorical(_t(torchlike, 0.5), probs=_t(torchlike, categories)))
    np.testing.assert_allclose(y.sum(-1), 1, atol=1e-12)
    frequency = np.bincount(y.argmax(-1), minlength=3) / len(y)
    np.testing.assert_array_less(np.abs(frequency - categories), 5 * np.sqrt(categories * (1 - categories) / len(y)))


def test_low_temperature_relaxed_samples_are_nearly_discrete():
    y = _sample(D.RelaxedOneHotCategorical(_t(torchlike, 0.01), logits=_t(torchlike, [0.0, 1.0, 2.0])), 2000)
    assert np.mean(y.max(-1) > 0.99) > 0.95
    x = _sample(D.RelaxedBernoulli(_t(torchlike, 0.01), probs=_t(torchlike, 0.5)), 2000)
    assert np.mean((x < 0.01) | (x > 0.99)) > 0.95


RSAMPLE_CASES = {
    "Kumaraswamy": (lambda d, a, b: d.Kumaraswamy(a, b), [[2.0, 0.7], [3.0, 1.5]]),
    "Pareto": (lambda d, s, a: d.Pareto(s, a), [[1.0, 2.0], [3.0, 1.5]]),
    # the rate only: a gamma draw is not a smooth function of α for fixed noise (numpy's rejection sampler), so
    # central differences cannot check the implicit reparameterization's α-gradient (see gamma_family.py)
    "InverseGamma": (lambda d, b: d.InverseGamma(_t(torchlike, [3.0, 1.5]), b), [[1.0, 2.0]]),
    "ContinuousBernoulli": (lambda d, p: d.ContinuousBernoulli(p), [[0.2, 0.7, 0.9]]),
    "ContinuousBernoulli_logits": (lambda d, l: d.ContinuousBernoulli(logits=l), [[-1.0, 2.0]]),
    "RelaxedBernoulli": (lambda d, t, p: d.RelaxedBernoulli(t, probs=p), [[0.5, 2.0], [0.3, 0.8]]),
    "LogitRelaxedBernoulli": (lambda d, t, l: d.relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=l),
                              [[0.5, 2.0], [-1.0, 0.8]]),
    "RelaxedOneHotCategorical": (lambda d, t, l: d.RelaxedOneHotCategorical(t, logits=l),
                                 [[0.5, 2.0], [[0.0, 1.0, -1.0], [0.3, 0.2, 0.1]]]),
    "ExpRelaxedCategorical": (lambda d, t, p: d.relaxed_categorical.ExpRelaxedCategorical(t, probs=p),
                              [1.3, [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]]),
}


@pytest.mark.parametrize("name", RSAMPLE_CASES)
def test_rsample_is_differentiable_and_reproducible(name):
    make, values = RSAMPLE_CASES[name]
    params = [_t(torchlike, v, requires_grad=True) for v in values]
    check_rsample(make, params, make(D, *params))


def test_continuous_bernoulli_cdf_icdf_and_density():
    """icdf inverts cdf, and the cdf's slope is the density (central differences)."""
    dist = D.ContinuousBernoulli(_t(torchlike, [0.1, 0.4995, 0.7, 0.99]))
    x = _t(torchlike, [0.2, 0.5, 0.8, 0.35])
    np.testing.assert_allclose(_numpy(dist.icdf(dist.cdf(x))), _numpy(x), rtol=1e-10)
    h = 1e-6
    slope = (_numpy(dist.cdf(x + h)) - _numpy(dist.cdf(x - h))) / (2 * h)
    np.testing.assert_allclose(slope, np.exp(_numpy(dist.log_prob(x))), rtol=1e-6)
    np.testing.assert_array_equal(_numpy(dist.cdf(_t(torchlike, [0.0, 0.0, 1.0, 1.0]))), [0, 0, 1, 1])


def test_continuous_bernoulli_gradients_match_central_differences():
    """log_prob, entropy, mean and variance in the parameter, outside and inside the window around ½."""
    value = _t(torchlike, [0.3, 0.8, 0.6])

    def stats(p):
        dist = D.ContinuousBernoulli(p)
        return dist.log_prob(value) + dist.entropy() + dist.mean + dist.variance
    assert gradcheck(stats, [_t(torchlike, [0.2, 0.4995, 0.9], requires_grad=True)])


# ------------------------------------------------------------------------------------------- Binomial

def test_binomial_entropy_is_the_sum_over_the_support():
    n, probs = 6, np.array([0.0, 0.15, 0.5, 0.8, 1.0])
    dist = D.Binomial(n, probs=_t(torchlike, probs))
    expected = []
    for p in np.clip(probs, np.finfo(float).eps, 1 - np.finfo(float).eps):  # as the logits are clamped
        pmf = np.array([math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)])
        expected.append(-(pmf * np.log(pmf)).sum())
    np.testing.assert_allclose(_numpy(dist.entropy()), expected, rtol=1e-10, atol=1e-12)
    support = dist.enumerate_support()
    assert tuple(support.shape) == (n + 1, 5) and dist.has_enumerate_support
    assert tuple(dist.enumerate_support(expand=False).shape) == (n + 1, 1)
    np.testing.assert_array_equal(_numpy(support)[:, 0], np.arange(n + 1))
    assert gradcheck(lambda p: D.Binomial(4, probs=p).entropy(), [_t(torchlike, [0.3, 0.7], requires_grad=True)])


def test_binomial_entropy_needs_one_total_count():
    dist = D.Binomial(_t(torchlike, [3.0, 4.0]), probs=_t(torchlike, [0.5, 0.5]))
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count not supported by `entropy`"):
        dist.entropy()
    with pytest.raises(NotImplementedError, match="enumerate_support"):
        dist.enumerate_support()


# ----------------------------------------------------------------------------------- shapes, errors, API

def test_shapes_and_expand():
    relaxed = D.RelaxedOneHotCategorical(_t(torchlike, 0.5), logits=_t(torchlike, np.zeros((2, 4))))
    assert tuple(relaxed.batch_shape) == (2,) and tuple(relaxed.event_shape) == (4,)
    assert tuple(relaxed.rsample((3,)).shape) == (3, 2, 4)
    expanded = relaxed.expand((5, 2))
    assert tuple(expanded.sample().shape) == (5, 2, 4) and tuple(expanded.base_dist.temperature.shape) == (5, 2)
    assert tuple(expanded.log_prob(expanded.sample()).shape) == (5, 2)
    one_hot = D.OneHotCategorical(logits=_t(torchlike, np.zeros((2, 4)))).expand((3, 2))
    assert tuple(one_hot.sample().shape) == (3, 2, 4)
    bernoulli = D.RelaxedBernoulli(_t(torchlike, [0.5, 1.0]), probs=_t(torchlike, 0.3))  # τ broadcasts the batch
    assert tuple(bernoulli.batch_shape) == (2,)
    for dist in (D.Kumaraswamy(_t(torchlike, [1.0, 2.0]), 3.0), D.Pareto(1.0, _t(torchlike, [1.0, 2.0])),
                 D.InverseGamma(_t(torchlike, [1.0, 2.0]), 3.0), D.ContinuousBernoulli(_t(torchlike, [0.2, 0.3]))):
        assert tuple(dist.expand((4, 2)).sample((3,)).shape) == (3, 4, 2)
    assert tuple(D.Pareto(_t(torchlike, [1.0, 2.0]), 3.0).support.lower_bound.shape) == (2,)


@pytest.mark.parametrize("make, error", [
    (lambda: D.RelaxedBernoulli(_t(torchlike, [0.0]), probs=_t(torchlike, [0.3])), "temperature"),
    (lambda: D.RelaxedOneHotCategorical(_t(torchlike, [-1.0]), logits=_t(torchlike, [0.0, 1.0])), "temperature"),
    (lambda: D.RelaxedOneHotCategorical(_t(torchlike, [1.0, 2.0, 3.0]), logits=_t(torchlike, np.zeros((2, 3)))),
     "does not broadcast to the batch shape"),
    (lambda: D.RelaxedOneHotCategorical(1.0), "Either `probs` or `logits`"),
    (lambda: D.RelaxedBernoulli(1.0, probs=_t(torchlike, 0.3), logits=_t(torchlike, 0.0)), "Either `probs`"),
    (lambda: D.ContinuousBernoulli(_t(torchlike, [1.5])), "probs"),
    (lambda: D.Kumaraswamy(_t(torchlike, [-1.0]), 1.0), "concentration1"),
    (lambda: D.Pareto(1.0, _t(torchlike, [0.0])), "alpha"),
    (lambda: D.InverseGamma(_t(torchlike, [1.0]), -2.0), "rate"),
    (lambda: D.Pareto(_t(torchlike, [2.0]), 1.0).log_prob(_t(torchlike, [1.0])), "support"),
    (lambda: D.Kumaraswamy(2.0, 3.0).log_prob(_t(torchlike, [1.5])), "support"),
    (lambda: D.RelaxedOneHotCategorical(1.0, probs=_t(torchlike, [0.5, 0.5])).log_prob(_t(torchlike, [0.5, 0.6])),
     "support"),
])
def test_bad_input_raises_a_clear_error(make, error):
    with pytest.raises(ValueError, match=error):
        make()


def test_exports():
    for name in ("ContinuousBernoulli", "InverseGamma", "Kumaraswamy", "Pareto", "RelaxedBernoulli",
                 "RelaxedOneHotCategorical"):
        assert name in D.__all__ and getattr(D, name).__name__ == name
    assert D.pareto.Pareto is D.Pareto and D.kumaraswamy.Kumaraswamy is D.Kumaraswamy
    assert D.inverse_gamma.InverseGamma is D.InverseGamma
    assert D.continuous_bernoulli.ContinuousBernoulli is D.ContinuousBernoulli
    assert D.relaxed_bernoulli.RelaxedBernoulli is D.RelaxedBernoulli
    assert D.relaxed_categorical.RelaxedOneHotCategorical is D.RelaxedOneHotCategorical
    assert D.RelaxedBernoulli(1.0, probs=_t(torchlike, 0.3)).has_rsample
    assert D.RelaxedOneHotCategorical(1.0, probs=_t(torchlike, [0.3, 0.7])).has_rsample


def test_inverse_gamma_rsample_gradient_in_the_concentration_is_the_implicit_one():
    """dx/dα = -(∂F/∂α)(x) / p(x) at each sample x (F the cdf: the sample moves with α so that F(x) stays the
    noise's value); ∂F/∂α by central differences of the cdf, which is smooth in α."""
    alpha, rate = _t(torchlike, [3.0, 1.5], requires_grad=True), _t(torchlike, [1.0, 2.0])
    torchlike.manual_seed(3)
    x = D.InverseGamma(alpha, rate).rsample((5,))
    (grad,) = torchlike.autograd.grad(x.sum(), [alpha])
    x, h = x.detach(), 1e-6
    cdf_slope = (_numpy(D.InverseGamma(alpha.detach() + h, rate).cdf(x))
                 - _numpy(D.InverseGamma(alpha.detach() - h, rate).cdf(x))) / (2 * h)
    density = np.exp(_numpy(D.InverseGamma(alpha.detach(), rate).log_prob(x)))
    np.testing.assert_allclose(_numpy(grad), (-cdf_slope / density).sum(0), rtol=1e-5)
