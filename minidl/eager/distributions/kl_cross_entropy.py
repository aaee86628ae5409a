"""KL divergences written as KL(p ‖ q) = -H(p) + H(p, q): p's entropy and the cross-entropy
H(p, q) = -E_p[log q(X)], most of them between two different families (the registry is ``kl.py``).

log q(x) is a short sum of simple functions of x — x and x² for a normal, x and log x for a gamma — so the
cross-entropy needs only a few expectations under p: its mean, its variance, E_p[log X], a moment generating
function. Each family q has one helper below that takes those from p (``p.mean``, ``p.variance``,
``p.entropy()``, or an argument), and each pair registers what its p contributes. Where q gives probability 0 to a
set p has mass on (p on the whole real line, q on a half-line or an interval), KL = +inf.
"""
import math

from ... import ops
from .continuous import Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import Bernoulli, Binomial, Poisson
from .gamma_family import Beta, Gamma
from .kl import _infinite_where, register_kl
from .more_transformed import Pareto
from .transformed import _EULER_GAMMA, Gumbel

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _statistic(distribution, name):
    """``distribution.mean`` or ``.variance``: a property here, a method on the graph front-end's distributions
    (TF's API), which reach these formulas too."""
    value = getattr(distribution, name)
    return value() if callable(value) else value


def _infinite(p, q):
    """+inf for each pair of the (broadcast) batch: q gives probability 0 to a set where p has mass."""
    return ops.zeros_like(_statistic(p, "mean")) + ops.zeros_like(_statistic(q, "mean")) + math.inf


# p with mass where q has none, pair by pair: p's family -> the q families
_UNREACHABLE = {
    Normal: (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),   # whole line -> half-line, interval
    Laplace: (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),
    Gumbel: (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),
    Exponential: (Beta, ContinuousBernoulli, Pareto, Uniform),                  # [0, ∞) -> an interval, [s, ∞)
    Gamma: (Beta, ContinuousBernoulli, Pareto, Uniform),
    Pareto: (Beta, ContinuousBernoulli, Uniform),                               # [s, ∞) -> bounded
    Beta: (Pareto,),                                                            # mass near 0, below s > 0
    ContinuousBernoulli: (Pareto,),
    Poisson: (Bernoulli, Binomial),                                             # every count -> at most n
}
for _p_type, _q_types in _UNREACHABLE.items():
    for _q_type in _q_types:
        register_kl(_p_type, _q_type)(_infinite)


def _uniform_mean_log(low, high):
    """E[log X] for X ~ U[low, high], 0 <= low: ∫ log x dx / (high - low) = (h log h - l log l) / (h - l) - 1
    (``xlogy``: 0 log 0 = 0 at low = 0)."""
    return (ops.xlogy(high, high) - ops.xlogy(low, low)) / (high - low) - 1


# --------------------------------------------------------------------------------------- q normal

def _kl_to_normal(p, q):
    """-log q(x) = log σ + ½ log 2π + (x - m)²/(2σ²), and E_p[(X - m)²] = Var_p X + (E_p X - m)²."""
    return (-p.entropy() + ops.log(q.scale) + _LOG_SQRT_2PI
            + (_statistic(p, "variance") + (_statistic(p, "mean") - q.loc) ** 2) / (2 * q.scale ** 2))


for _p_type in (Uniform, Exponential, Gamma, Beta, Laplace, Gumbel, ContinuousBernoulli, Pareto):
    register_kl(_p_type, Normal)(_kl_to_normal)  # a Pareto's infinite variance (α <= 2) gives +inf


# ---------------------------------------------------------------------------------------- q Laplace

@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    """-log q(x) = log 2b + |x - m|/b, and for X ~ N(μ, σ²), with d = μ - m, the folded normal's mean
    E|X - m| = σ √(2/π) e^(-d²/2σ²) + d erf(d / (σ √2))."""
    d = p.loc - q.loc
    mean_distance = p.scale * math.sqrt(2 / math.pi) * ops.exp(-d ** 2 / (2 * p.scale ** 2)) + \
        d * ops.erf(d / (p.scale * math.sqrt(2)))
    return -p.entropy() + ops.log(2 * q.scale) + mean_distance / q.scale


# ---------------------------------------------------------------------------------- q exponential

def _kl_to_exponential(p, q):
    """-log q(x) = -log λ + λx."""
    return -p.entropy() - ops.log(q.rate) + q.rate * _statistic(p, "mean")


for _p_type in (Gamma, Beta, ContinuousBernoulli, Pareto):
    register_kl(_p_type, Exponential)(_kl_to_exponential)  # a Pareto's infinite mean (α <= 1) gives +inf


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    """+inf where the uniform reaches below 0."""
    return _infinite_where(ops.lt(p.low, 0), _kl_to_exponential(p, q))


# ---------------------------------------------------------------------------------------- q gamma

def _kl_to_gamma(p, q, mean_log):
    """-log q(x) = log Γ(α) - α log β - (α - 1) log x + βx, with ``mean_log`` = E_p[log X]."""
    alpha, beta = q.concentration, q.rate
    return (-p.entropy() + ops.lgamma(alpha) - alpha * ops.log(beta) - (alpha - 1) * mean_log
            + beta * _statistic(p, "mean"))


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    """E[log X] = -γ - log λ for X ~ Exponential(λ) (γ: the Euler-Mascheroni constant)."""
    return _kl_to_gamma(p, q, -_EULER_GAMMA - ops.log(p.rate))


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    """E[log X] = ψ(a) - ψ(a + b) for X ~ Beta(a, b)."""
    a, b = p.concentration1, p.concentration0
    return _kl_to_gamma(p, q, ops.digamma(a) - ops.digamma(a + b))


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    """E[log X] = log s + 1/α for X ~ Pareto(s, α) (log(X/s) ~ Exponential(α)); +inf for α <= 1 (infinite mean)."""
    return _kl_to_gamma(p, q, ops.log(p.scale) + 1 / p.alpha)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    """+inf where the uniform reaches below 0."""
    outside = ops.lt(p.low, 0)
    return _infinite_where(outside, _kl_to_gamma(p, q, _uniform_mean_log(p.low, p.high)))


# ----------------------------------------------------------------------------------------- q beta

@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    """-log q(x) = log B(α, β) - (α - 1) log x - (β - 1) log(1 - x); 1 - X ~ U[1 - high, 1 - low]. +inf unless
    [low, high] lies in [0, 1]."""
    outside = ops.logical_or(ops.lt(p.low, 0), ops.gt(p.high, 1))
    kl = (-p.entropy() + q._log_normalizer(*q._natural_params)
          - (q.concentration1 - 1) * _uniform_mean_log(p.low, p.high)
          - (q.concentration0 - 1) * _uniform_mean_log(1 - p.high, 1 - p.low))
    return _infinite_where(outside, kl)


# -------------------------------------------------------------------------------------- q uniform

def _kl_to_unit_interval_uniform(p, q):
    """p on [0, 1]: -log q(x) = log(high - low) on [low, high]; +inf unless [0, 1] lies in [low, high]."""
    outside = ops.logical_or(ops.gt(q.low, 0), ops.lt(q.high, 1))
    return _infinite_where(outside, -p.entropy() + ops.log(q.high - q.low))


for _p_type in (Beta, ContinuousBernoulli):
    register_kl(_p_type, Uniform)(_kl_to_unit_interval_uniform)


# ------------------------------------------------------------------------------ q continuous Bernoulli

def _kl_to_continuous_bernoulli(p, q):
    """-log q(x) = -x l - log(1 - λ) - log C(λ) (``continuous_bernoulli.py``): linear in x."""
    return -p.entropy() - _statistic(p, "mean") * q.logits - ops.log1p(-q.probs) - q._cont_bern_log_norm()


register_kl(Beta, ContinuousBernoulli)(_kl_to_continuous_bernoulli)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    """+inf unless [low, high] lies in [0, 1]. (PyTorch also says +inf when low = 0 or high = 1, where the
    divergence is finite; so does it for a ContinuousBernoulli p against U[0, 1].)"""
    outside = ops.logical_or(ops.lt(p.low, 0), ops.gt(p.high, 1))
    return _infinite_where(outside, _kl_to_continuous_bernoulli(p, q))


# ------------------------------------------------------------------------------------ q Pareto, Poisson

@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    """-log q(x) = -log α - α log s + (α + 1) log x on x >= s; +inf where the uniform reaches below s."""
    kl = (-p.entropy() - ops.log(q.alpha) - q.alpha * ops.log(q.scale)
          + (q.alpha + 1) * _uniform_mean_log(p.low, p.high))
    return _infinite_where(ops.lt(p.low, q.scale), kl)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    """-log q(k) = λ - k log λ + log k!, and log k! = 0 for k in {0, 1}."""
    return -p.entropy() + q.rate - p.probs * ops.log(q.rate)


# ---------------------------------------------------------------------------------------- q Gumbel

# Against a Gumbel q (location μ, scale β, z = (x - μ)/β), KL(p ‖ q) = -H(p) - E_p[log q(X)] with
#     -E_p[log q(X)] = log β + (E_p[X] - μ)/β + e^(μ/β) E_p[e^(-X/β)],
# and E_p[e^(-X/β)] is p's moment generating function at -1/β, which each pair below writes out.

def _kl_to_gumbel(p, q, log_mgf):
    """-H(p) + log β + (E_p[X] - μ)/β + exp(μ/β + log E_p[e^(-X/β)])."""
    return (-p.entropy() + ops.log(q.scale) + (_statistic(p, "mean") - q.loc) / q.scale
            + ops.exp(q.loc / q.scale + log_mgf))


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    """X = μₚ + βₚ G with G standard Gumbel, and E[e^(-tG)] = Γ(1 + t): log E[e^(-X/β)] = -μₚ/β + log Γ(1 + βₚ/β)."""
    return _kl_to_gumbel(p, q, -p.loc / q.scale + ops.lgamma(1 + p.scale / q.scale))


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    """log E[e^(-X/β)] = -m/β + s²/(2β²) for X ~ N(m, s²)."""
    return _kl_to_gumbel(p, q, -p.loc / q.scale + (p.scale / q.scale) ** 2 / 2)


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    """E[e^(-X/β)] = λ / (λ + 1/β) = 1 / (1 + 1/(λβ)) for X ~ Exponential(λ)."""
    return _kl_to_gumbel(p, q, -ops.log1p(1 / (p.rate * q.scale)))


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    """E[e^(-X/β)] = (1 + 1/(rβ))^(-α) for X ~ Gamma(α, r)."""
    return _kl_to_gumbel(p, q, -p.concentration * ops.log1p(1 / (p.rate * q.scale)))


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    """E[e^(-X/β)] = β (e^(-a/β) - e^(-b/β)) / (b - a) for X ~ U[a, b]."""
    width = p.high - p.low
    log_mgf = (ops.log(q.scale / width) - p.low / q.scale
               + ops.log(-ops.expm1(-width / q.scale)))  # e^(-a/β) (1 - e^(-(b-a)/β))
    return _kl_to_gumbel(p, q, log_mgf)
