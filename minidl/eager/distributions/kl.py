"""``kl_divergence(p, q)``: the Kullback-Leibler divergence KL(p ‖ q) = E_p[log p(X) - log q(X)], in closed form.

KL is a function of two distributions, so which formula applies depends on both types: a table maps pairs of
classes to functions, filled by the ``register_kl(TypeP, TypeQ)`` decorator (yours too). A lookup takes the most
specific registered pair, by position in the two classes' method resolution orders, so a subclass of Normal
uses Normal's formulas unless it registers its own. Every formula is written with ops: differentiable in the
parameters of both distributions.
"""
import math

import numpy

from ... import ops
from ..creation import full
from .continuous import Exponential, Normal, Uniform
from .discrete import Bernoulli, Categorical
from .gamma_family import Beta, Dirichlet, Gamma
from .independent import Independent
from .more_continuous import Cauchy
from .more_discrete import Geometric
from .multivariate_normal import MultivariateNormal, _half_log_det, _solve_lower
from .transformed import Gumbel, TransformedDistribution, _Folded
from .utils import sum_rightmost

_KL_REGISTRY = {}


def register_kl(type_p, type_q):
    """Decorator: ``@register_kl(Normal, Normal) def kl(p, q): ...`` makes ``kl_divergence`` use that function
    for a p of type ``type_p`` and a q of type ``type_q`` (or of subclasses of them)."""
    def decorator(function):
        _KL_REGISTRY[type_p, type_q] = function
        return function
    return decorator


def kl_divergence(p, q):
    """KL(p ‖ q), one value per distribution of the (broadcast) batch. ``NotImplementedError`` for a pair of
    types without a registered formula."""
    mro_p, mro_q = type(p).__mro__, type(q).__mro__
    matches = [(mro_p.index(tp), mro_q.index(tq), function) for (tp, tq), function in _KL_REGISTRY.items()
               if isinstance(p, tp) and isinstance(q, tq)]
    if not matches:
        raise NotImplementedError(f"No KL(p || q) is implemented for p = {type(p).__name__} and q = "
                                  f"{type(q).__name__}")
    return min(matches, key=lambda match: match[:2])[2](p, q)


def _infinite_where(condition, value):
    """``value`` with +inf where ``condition``: q gives probability 0 to something p can produce."""
    return ops.where(condition, math.inf, value)


def _zero_where(condition, value):
    """``value`` with 0 where ``condition``: a term p·log(p/q) with p = 0 contributes nothing."""
    return ops.where(condition, 0.0, value)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """½ (σₚ²/σ_q² + (μₚ - μ_q)²/σ_q² - 1 - log(σₚ²/σ_q²))."""
    var_ratio = (p.scale / q.scale) ** 2
    mean_term = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + mean_term - 1 - ops.log(var_ratio))


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p/q) + (1 - p) log((1 - p)/(1 - q)), with log p = -log(1 + e^(-l)) and log(1 - p) = -log(1 + eˡ)
    from the logits l (softplus: no log of a rounded probability)."""
    ones_term = p.probs * (ops.softplus(-q.logits) - ops.softplus(-p.logits))
    ones_term = _zero_where(ops.eq(p.probs, 0), _infinite_where(ops.eq(q.probs, 0), ones_term))
    zeros_term = (1 - p.probs) * (ops.softplus(q.logits) - ops.softplus(p.logits))
    zeros_term = _zero_where(ops.eq(p.probs, 1), _infinite_where(ops.eq(q.probs, 1), zeros_term))
    return ones_term + zeros_term


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """Σₖ pₖ (log pₖ - log qₖ), from the normalized logits."""
    terms = p.probs * (p.logits - q.logits)
    terms = _zero_where(ops.eq(p.probs, 0), _infinite_where(ops.eq(q.probs, 0), terms))
    return ops.sum(terms, -1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((high_q - low_q) / (high_p - low_p)), or +inf unless [low_p, high_p] lies inside [low_q, high_q]."""
    outside = ops.logical_or(ops.gt(q.low, p.low), ops.lt(q.high, p.high))
    return _infinite_where(outside, ops.log((q.high - q.low) / (p.high - p.low)))


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    """λ_q/λₚ - 1 - log(λ_q/λₚ)."""
    ratio = q.rate / p.rate
    return ratio - 1 - ops.log(ratio)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    """α_q log(βₚ/β_q) + log Γ(α_q) - log Γ(αₚ) + (αₚ - α_q) ψ(αₚ) + (β_q - βₚ) αₚ/βₚ."""
    return (q.concentration * ops.log(p.rate / q.rate) + ops.lgamma(q.concentration) - ops.lgamma(p.concentration)
            + (p.concentration - q.concentration) * ops.digamma(p.concentration)
            + (q.rate - p.rate) * p.concentration / p.rate)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    """log B(α_q, β_q) - log B(αₚ, βₚ) + (αₚ - α_q) ψ(αₚ) + (βₚ - β_q) ψ(βₚ)
    + (α_q - αₚ + β_q - βₚ) ψ(αₚ + βₚ)."""
    total_p = p.concentration1 + p.concentration0
    total_q = q.concentration1 + q.concentration0
    return (q._log_normalizer() - p._log_normalizer()
            + (p.concentration1 - q.concentration1) * ops.digamma(p.concentration1)
            + (p.concentration0 - q.concentration0) * ops.digamma(p.concentration0)
            + (total_q - total_p) * ops.digamma(total_p))


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    """log Γ(αₚ₀) - log Γ(α_q₀) - Σₖ (log Γ(αₚₖ) - log Γ(α_qₖ)) + Σₖ (αₚₖ - α_qₖ)(ψ(αₚₖ) - ψ(αₚ₀)),
    with α₀ = Σₖ αₖ."""
    total_p = ops.sum(p.concentration, -1)
    total_q = ops.sum(q.concentration, -1)
    digamma_gap = ops.digamma(p.concentration) - ops.unsqueeze(ops.digamma(total_p), -1)
    return (ops.lgamma(total_p) - ops.lgamma(total_q)
            - ops.sum(ops.lgamma(p.concentration) - ops.lgamma(q.concentration), -1)
            + ops.sum((p.concentration - q.concentration) * digamma_gap, -1))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariate_normal(p, q):
    """½ (tr(Σ_q⁻¹ Σₚ) + (μ_q - μₚ)ᵀ Σ_q⁻¹ (μ_q - μₚ) - D + log det Σ_q - log det Σₚ), with the Cholesky factors:
    tr(Σ_q⁻¹ Σₚ) = ‖L_q⁻¹ Lₚ‖² (Frobenius) and the quadratic form = ‖L_q⁻¹ (μ_q - μₚ)‖²."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes cannot be "
                         "computed")
    trace = ops.sum(_solve_lower(q.scale_tril, p.scale_tril) ** 2, (-2, -1))
    mahalanobis = ops.sum(_solve_lower(q.scale_tril, ops.unsqueeze(q.loc - p.loc, -1)) ** 2, (-2, -1))
    return (_half_log_det(q.scale_tril) - _half_log_det(p.scale_tril)
            + 0.5 * (trace + mahalanobis - p.event_shape[0]))


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The KL of independent parts is the sum of the parts' KLs."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independent distributions with different reinterpreted_batch_ndims")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    """The same bijection f applied to both: log p_Y(y) - log q_Y(y) = log p_X(x) - log q_X(x), since the
    log|det J| terms cancel, so KL(f(X) ‖ f(X')) = KL(X ‖ X') (summed over event dims the transforms added).
    Different transforms raise NotImplementedError, as in PyTorch; so do transforms that are not bijective (for
    which PyTorch returns the bases' KL, which can be larger than the true one)."""
    if p.transforms != q.transforms:
        raise NotImplementedError("KL(p || q) of TransformedDistributions needs the same transforms")
    if p.event_shape != q.event_shape:
        raise NotImplementedError("KL(p || q) of TransformedDistributions needs the same event shapes")
    if not all(transform.bijective for transform in p.transforms):
        raise NotImplementedError("KL(p || q) of TransformedDistributions needs bijective transforms")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), len(p.event_shape) - len(p.base_dist.event_shape))


@register_kl(_Folded, _Folded)
def _kl_folded_folded(p, q):
    """HalfNormal, HalfCauchy: |X| and |X'| for X, X' symmetric about 0. Their log-densities at ±x agree, so
    folding loses nothing: KL(|X| ‖ |X'|) = KL(X ‖ X')."""
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    """log(((γₚ + γ_q)² + (μₚ - μ_q)²) / (4 γₚ γ_q))."""
    return ops.log(((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2) / (4 * p.scale * q.scale))


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    """-H(p) - E_p[log q(k)] with log q(k) = k log(1 - q) + log q and E_p[k] = 1/p - 1:
    -H(p) - log(1 - q)/p - log(q / (1 - q))."""
    return -p.entropy() - ops.log1p(-q.probs) / p.probs - q.logits


# Against a Gumbel q (location μ, scale β, z = (x - μ)/β), KL(p ‖ q) = -H(p) - E_p[log q(X)] with
#     -E_p[log q(X)] = log β + (E_p[X] - μ)/β + e^(μ/β) E_p[e^(-X/β)],
# and E_p[e^(-X/β)] is p's moment generating function at -1/β, which each pair below writes out.

def _kl_to_gumbel(p, q, log_mgf):
    """-H(p) + log β + (E_p[X] - μ)/β + exp(μ/β + log E_p[e^(-X/β)])."""
    return (-p.entropy() + ops.log(q.scale) + (p.mean - q.loc) / q.scale
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


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    """-H(p) + log s + ½ log 2π + E[(X - m)²] / (2s²), with E[(X - m)²] = Var X + (E X - m)²."""
    return (-p.entropy() + ops.log(q.scale) + 0.5 * math.log(2 * math.pi)
            + (p.variance + (p.mean - q.loc) ** 2) / (2 * q.scale ** 2))


@register_kl(Gumbel, Beta)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Uniform)
def _kl_gumbel_bounded(p, q):
    """+inf for each pair of the batch: q gives probability 0 to a set where p has mass (a Gumbel lives on the
    whole real line, these q on a half-line or an interval)."""
    shape = numpy.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape))
    return full(shape, math.inf, dtype=p.loc.dtype, device=p.loc.device)
