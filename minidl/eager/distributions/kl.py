"""``kl_divergence(p, q)``: the Kullback-Leibler divergence KL(p ‖ q) = E_p[log p(X) - log q(X)], in closed form.

KL is a function of two distributions, so which formula applies depends on both types: a table maps pairs of
classes to functions, filled by the ``register_kl(TypeP, TypeQ)`` decorator (yours too). A lookup takes the most
specific registered pair, by position in the two classes' method resolution orders, so a subclass of Normal
uses Normal's formulas unless it registers its own. Every formula is written with ops: differentiable in the
parameters of both distributions.

This file holds the registry and the formulas derived pair by pair; ``kl_cross_entropy.py`` holds the pairs
(most of them of two different families) written as -H(p) plus a cross-entropy.
"""
import math

from ... import ops
from .continuous import Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .exp_family import ExponentialFamily, bregman_kl
from .gamma_family import Beta, Dirichlet, Gamma
from .independent import Independent
from .lowrank_multivariate_normal import LowRankMultivariateNormal, _frobenius_squared
from .more_continuous import Cauchy
from .more_discrete import Geometric
from .more_transformed import Pareto
from .multivariate_normal import MultivariateNormal, _half_log_det, _solve_lower
from .transformed import TransformedDistribution, _Folded
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
    return (q._log_normalizer(*q._natural_params) - p._log_normalizer(*p._natural_params)
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


def _check_same_event_shape(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError(f"KL-divergence between two (Low Rank) Multivariate Normals with different event shapes "
                         f"cannot be computed: {tuple(p.event_shape)} and {tuple(q.event_shape)}")


# The Gaussian KL ½ (tr(Σ_q⁻¹ Σₚ) + (μ_q - μₚ)ᵀ Σ_q⁻¹ (μ_q - μₚ) - D + log det Σ_q - log det Σₚ) with a low-rank
# Σ = W Wᵀ + diag(d) on either side: its trace, Mahalanobis distance and log-determinant by the Woodbury identity
# and the determinant lemma (``lowrank_multivariate_normal.py``), the other side's Σₚ as a factor F Fᵀ.

@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p, q):
    """Σₚ = Wₚ Wₚᵀ + diag(dₚ): tr(Σ_q⁻¹ Σₚ) = tr(Σ_q⁻¹ Wₚ Wₚᵀ) + tr(Σ_q⁻¹ diag(dₚ))."""
    _check_same_event_shape(p, q)
    trace = q._trace_inverse_times(p.cov_factor) + q._trace_inverse_times_diagonal(p.cov_diag)
    return 0.5 * (q._log_det() - p._log_det() + trace + q._mahalanobis(q.loc - p.loc) - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_multivariate_normal_lowrank(p, q):
    """Σₚ = Lₚ Lₚᵀ: tr(Σ_q⁻¹ Σₚ) = tr(Σ_q⁻¹ Lₚ Lₚᵀ)."""
    _check_same_event_shape(p, q)
    return 0.5 * (q._log_det() - 2 * _half_log_det(p.scale_tril) + q._trace_inverse_times(p.scale_tril)
                  + q._mahalanobis(q.loc - p.loc) - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_multivariate_normal(p, q):
    """Σ_q = L_q L_qᵀ: tr(Σ_q⁻¹ Σₚ) = |L_q⁻¹ Wₚ|² + |L_q⁻¹ diag(√dₚ)|², the quadratic form |L_q⁻¹ (μ_q - μₚ)|²."""
    _check_same_event_shape(p, q)
    trace = (_frobenius_squared(_solve_lower(q.scale_tril, p.cov_factor))
             + _frobenius_squared(_solve_lower(q.scale_tril, ops.diag_embed(ops.sqrt(p.cov_diag)))))
    mahalanobis = _frobenius_squared(_solve_lower(q.scale_tril, ops.unsqueeze(q.loc - p.loc, -1)))
    return 0.5 * (2 * _half_log_det(q.scale_tril) - p._log_det() + trace + mahalanobis - p.event_shape[0])


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_exponential_family(p, q):
    """Two distributions of one exponential family without a closed form of their own here (``Wishart``): the
    Bregman divergence of the log-normalizer (``exp_family.py``)."""
    if type(p) is not type(q):
        raise NotImplementedError(f"No KL(p || q) is implemented for p = {type(p).__name__} and q = "
                                  f"{type(q).__name__}: the Bregman divergence needs both of one exponential family")
    return bregman_kl(p, q)


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


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_one_hot(p, q):
    """A one-hot vector is a category written differently: the categoricals' KL."""
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """n trials of the same n: the trials are independent, so KL = n · KL(Bernoulli(pₚ) ‖ Bernoulli(p_q)).
    p with more trials than q reaches counts q cannot: +inf. With fewer there is no closed form, and this raises
    NotImplementedError, as PyTorch does."""
    if bool(ops.any(ops.lt(p.total_count, q.total_count))):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    return _infinite_where(ops.gt(p.total_count, q.total_count), p.total_count * _kl_bernoulli_bernoulli(p, q))


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    """Σₖ P(k) log(P(k)/Q(k)) with log(P(k)/Q(k)) = k log(λₚ/λ_q) - λₚ + λ_q: λₚ log(λₚ/λ_q) - λₚ + λ_q.
    ``xlogy`` makes λₚ log λₚ = 0 at λₚ = 0, where the KL is λ_q (PyTorch gives NaN there)."""
    return ops.xlogy(p.rate, p.rate) - ops.xlogy(p.rate, q.rate) - p.rate + q.rate


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    """-H(p) - E_p[log q(X)], with H(p) = 1 + log 2bₚ, -log q(x) = log 2b_q + |x - μ_q|/b_q and, for d = μₚ - μ_q,
    E_p|X - μ_q| = |d| + bₚ e^(-|d|/bₚ):  log(b_q/bₚ) + (|d| + bₚ e^(-|d|/bₚ))/b_q - 1."""
    distance = ops.abs(p.loc - q.loc)
    return ops.log(q.scale / p.scale) + (distance + p.scale * ops.exp(-distance / p.scale)) / q.scale - 1


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    """With log q(x) = log α_q + α_q log s_q - (α_q + 1) log x, E_p[log X] = log sₚ + 1/αₚ and
    H(p) = log(sₚ/αₚ) + 1 + 1/αₚ:  α_q log(sₚ/s_q) + log(αₚ/α_q) + α_q/αₚ - 1; +inf where sₚ < s_q (p puts mass
    below q's smallest value)."""
    alpha_ratio = q.alpha / p.alpha
    kl = q.alpha * ops.log(p.scale / q.scale) - ops.log(alpha_ratio) + alpha_ratio - 1
    return _infinite_where(ops.lt(p.scale, q.scale), kl)


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    """log p(x) = x lₚ + log(1 - λₚ) + log C(λₚ) is linear in x, so KL = E_p[X] (lₚ - l_q) + log(1 - λₚ)
    + log C(λₚ) - log(1 - λ_q) - log C(λ_q)."""
    return (p.mean * (p.logits - q.logits) + ops.log1p(-p.probs) + p._cont_bern_log_norm()
            - ops.log1p(-q.probs) - q._cont_bern_log_norm())
