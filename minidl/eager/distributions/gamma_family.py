"""Distributions built on the gamma function: ``Gamma``, ``Beta`` and ``Dirichlet``.

Their densities are normalized by gamma functions, so ``log_prob`` and ``entropy`` use ``lgamma`` and
``digamma`` (``ops/special.py``) and are differentiable with respect to the concentrations.

Sampling: numpy draws gamma variates (Marsaglia and Tsang's method) with minidl's generator; a Dirichlet
sample is K independent Gamma(αₖ, 1) draws divided by their sum (a Beta one is the K = 2 case, which numpy's
beta sampler draws directly). For small concentrations a gamma draw is often below the smallest normal float
(P(X < x) ≈ x^α / Γ(α + 1), so for α = 0.001 about half the draws are below 1e-300), and a row of zeros would
normalize to 0/0 = NaN; so, as PyTorch, the draws are clamped to the smallest positive normal number.

``rsample`` differentiates a draw through α as PyTorch does, by *implicit reparameterization*: the draw solves
P(α, x) = u, with P the gamma cdf (the regularized incomplete gamma function) and u uniform, so dx/dα =
-(∂P/∂α) / p(x; α) (``ops/incomplete_gamma.py``). A Dirichlet ``rsample`` normalizes such draws, a Beta one is
the first coordinate of a Dirichlet's; the gradients with respect to the rate and through the normalization come
from the ops.
"""
import numbers

import numpy

from ... import ops
from ..creation import as_tensor
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all


def _tiny(x):
    """The smallest positive normal number of x's dtype: a sample that underflowed to 0 is clamped to it, since
    log 0 = -inf would poison ``log_prob`` (PyTorch does the same)."""
    return float(numpy.finfo(x.dtype).tiny)


def _inside_unit_interval(x):
    """x clamped to [tiny, the largest number below 1] of its dtype, as PyTorch's Dirichlet and Beta samples: a
    coordinate that rounded to 0 or 1 would have log-density ±inf."""
    return ops.clamp(x, min=_tiny(x), max=float(numpy.nextafter(numpy.ones((), x.dtype), 0)))


def _normalized_gammas(rng, alpha):
    """One Dirichlet draw per row: Gamma(αₖ, 1) draws over their sum. Drawn and divided in float64 whatever
    α's dtype (like PyTorch), with each draw at least float64's tiny, so that a row whose draws all underflowed
    becomes uniform instead of 0/0."""
    gammas = numpy.maximum(_standard_gamma(rng, alpha.astype(numpy.float64)), numpy.finfo(numpy.float64).tiny)
    return gammas / gammas.sum(-1, keepdims=True)


def _standard_gamma(rng, alpha):
    """Gamma(α, 1) draws of numpy's; an α that is not positive (possible with ``validate_args=False``) is refused
    by name rather than by numpy's "shape < 0"."""
    if not numpy.all(alpha > 0):
        raise ValueError(f"cannot draw gamma samples: the concentration must be positive, got "
                         f"{float(alpha[~(alpha > 0)].ravel()[0])}")
    return rng.standard_gamma(alpha)


def _standard_gammas(distribution, sample_shape, alpha):
    """Gamma(α, 1) draws shaped as ``distribution``'s samples, with their gradient in α (module docstring)."""
    draws = distribution._draw_on_host(_standard_gamma, sample_shape, alpha)
    return ops.reparameterized_gamma(ops.broadcast_to_like(alpha, draws), draws)


def _log_beta(concentration):
    """log B(α) = Σₖ log Γ(αₖ) - log Γ(Σₖ αₖ) over the last dim: the log of the Dirichlet normalizer."""
    return ops.sum(ops.lgamma(concentration), -1) - ops.lgamma(ops.sum(concentration, -1))


def _dirichlet_mode(concentration):
    """The most likely point of a Dirichlet: (αₖ - 1) / Σⱼ(αⱼ - 1), with αₖ < 1 counted as 1 (those components
    pile up at 0). Where every αₖ < 1 the density is unbounded at the corners; take the corner of the largest αₖ."""
    above_one = ops.clamp(concentration - 1, min=0.0)
    mode = above_one / ops.sum(above_one, -1, keepdim=True)
    corner = ops.cast(ops.one_hot(ops.argmax(concentration, -1), concentration.shape[-1]), concentration.dtype)
    all_below_one = ops.unsqueeze(ops.all(ops.lt(concentration, 1), -1), -1)
    return ops.where(all_below_one, corner, mode)


class Gamma(ExponentialFamily):
    """The gamma distribution with shape α = concentration > 0 and rate β > 0:

        p(x) = β^α x^(α-1) e^(-βx) / Γ(α),   x > 0.
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def _natural_params(self):
        """(α - 1, -β): the coefficients of log x and x."""
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x, y):
        """F = log Γ(x + 1) - (x + 1) log(-y)."""
        return ops.lgamma(x + 1) - (x + 1) * ops.log(-y)

    has_rsample = True

    def rsample(self, sample_shape=()):
        """Gamma(α, 1) draws, with their gradient in α (module docstring), divided by β."""
        x = _standard_gammas(self, sample_shape, self.concentration) / self.rate
        return ops.clamp(x, min=_tiny(x))

    def cdf(self, value):
        """P(X <= x) = P(α, βx), the regularized lower incomplete gamma function."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.gammainc(self.concentration, self.rate * value)

    def log_prob(self, value):
        """log p(x) = α log β + (α - 1) log x - βx - log Γ(α); ``xlogy`` makes (α - 1) log x = 0 at x = 0 when
        α = 1 (the exponential distribution, whose density at 0 is β). A Python number is taken as a tensor
        like the rate, as PyTorch's Gamma (only it) takes one."""
        if isinstance(value, numbers.Number):
            value = as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        alpha, beta = self.concentration, self.rate
        return ops.xlogy(alpha, beta) + ops.xlogy(alpha - 1, value) - beta * value - ops.lgamma(alpha)

    def entropy(self):
        """H = α - log β + log Γ(α) + (1 - α) ψ(α)."""
        alpha = self.concentration
        return alpha - ops.log(self.rate) + ops.lgamma(alpha) + (1 - alpha) * ops.digamma(alpha)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        """(α - 1) / β, or 0 when α < 1 (the density then decreases from +inf at 0)."""
        return ops.clamp((self.concentration - 1) / self.rate, min=0.0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2


class Beta(ExponentialFamily):
    """The beta distribution on [0, 1] with concentrations α = concentration1 > 0 and β = concentration0 > 0:

        p(x) = x^(α-1) (1 - x)^(β-1) / B(α, β),   B(α, β) = Γ(α)Γ(β) / Γ(α + β).

    (The Dirichlet distribution of the pair (x, 1 - x).)
    """
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def _natural_params(self):
        """(α, β), PyTorch's choice (the coefficients of log x and log(1 - x) are α - 1 and β - 1; the carrier
        measure -log x - log(1 - x) then has no constant mean, so there is no ``_mean_carrier_measure``)."""
        return self.concentration1, self.concentration0

    def _log_normalizer(self, a, b):
        """log B(α, β) = log Γ(α) + log Γ(β) - log Γ(α + β)."""
        return ops.lgamma(a) + ops.lgamma(b) - ops.lgamma(a + b)

    has_rsample = True

    def rsample(self, sample_shape=()):
        """X / (X + Y) for X ~ Gamma(α, 1) and Y ~ Gamma(β, 1), both reparameterized (the first coordinate of a
        Dirichlet(α, β) draw)."""
        x, y = (_standard_gammas(self, sample_shape, c) for c in (self.concentration1, self.concentration0))
        x, y = ops.clamp(x, min=_tiny(x)), ops.clamp(y, min=_tiny(y))
        return _inside_unit_interval(x / (x + y))

    def sample(self, sample_shape=()):
        """numpy's beta sampler, kept inside (0, 1). (PyTorch takes the first coordinate of a Dirichlet draw
        instead; for tiny α and β both of its gammas can underflow and be clamped to the same number, which puts
        a spurious mass at 0.5. numpy's sampler works with logarithms for α, β < 1 and avoids that.)"""
        draws = self._draw_on_host(lambda rng, a, b: rng.beta(a, b), sample_shape, self.concentration1,
                                   self.concentration0)
        return _inside_unit_interval(draws)

    def log_prob(self, value):
        """log p(x) = (α - 1) log x + (β - 1) log(1 - x) - log B(α, β)."""
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return ops.xlogy(a - 1, value) + ops.xlogy(b - 1, 1 - value) - self._log_normalizer(*self._natural_params)

    def entropy(self):
        """H = log B(α, β) - (α - 1) ψ(α) - (β - 1) ψ(β) + (α + β - 2) ψ(α + β)."""
        a, b = self.concentration1, self.concentration0
        return (self._log_normalizer(*self._natural_params) - (a - 1) * ops.digamma(a) - (b - 1) * ops.digamma(b)
                + (a + b - 2) * ops.digamma(a + b))

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return _dirichlet_mode(ops.stack([self.concentration1, self.concentration0], -1))[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over probability vectors (the simplex) with concentrations αₖ > 0:

        p(x) = Πₖ xₖ^(αₖ-1) / B(α),   B(α) = Πₖ Γ(αₖ) / Γ(Σₖ αₖ).

    ``concentration`` has shape ``batch_shape + (K,)``; an event is a vector of K probabilities.
    """
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex

    def __init__(self, concentration, validate_args=None):
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    @property
    def _natural_params(self):
        """(α,) as in PyTorch (no ``_mean_carrier_measure``: see ``Beta``)."""
        return (self.concentration,)

    def _log_normalizer(self, concentration):
        return _log_beta(concentration)

    has_rsample = True

    def sample(self, sample_shape=()):
        """Gamma draws over their sum (clamped first, see the module docstring), kept inside (0, 1)."""
        return _inside_unit_interval(self._draw_on_host(_normalized_gammas, sample_shape, self.concentration))

    def rsample(self, sample_shape=()):
        """Reparameterized Gamma(αₖ, 1) draws (clamped to the smallest normal number) over their sum."""
        gammas = _standard_gammas(self, sample_shape, self.concentration)
        gammas = ops.clamp(gammas, min=_tiny(gammas))
        return _inside_unit_interval(gammas / ops.sum(gammas, -1, keepdim=True))

    def log_prob(self, value):
        """log p(x) = Σₖ (αₖ - 1) log xₖ - log B(α)."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.sum(ops.xlogy(self.concentration - 1, value), -1) - _log_beta(self.concentration)

    def entropy(self):
        """H = log B(α) + (α₀ - K) ψ(α₀) - Σₖ (αₖ - 1) ψ(αₖ), with α₀ = Σₖ αₖ."""
        alpha = self.concentration
        total = ops.sum(alpha, -1)
        return (_log_beta(alpha) + (total - alpha.shape[-1]) * ops.digamma(total)
                - ops.sum((alpha - 1) * ops.digamma(alpha), -1))

    @property
    def mean(self):
        return self.concentration / ops.sum(self.concentration, -1, keepdim=True)

    @property
    def mode(self):
        return _dirichlet_mode(self.concentration)

    @property
    def variance(self):
        """Var xₖ = αₖ (α₀ - αₖ) / (α₀² (α₀ + 1))."""
        total = ops.sum(self.concentration, -1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total ** 2 * (total + 1))
