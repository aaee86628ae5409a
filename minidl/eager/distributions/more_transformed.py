"""More distributions PyTorch builds by transforming a simple one (``TransformedDistribution``, see
``transformed.py``): ``Kumaraswamy`` (powers of a uniform), ``Pareto`` (the exponential of an exponential) and
``InverseGamma`` (the reciprocal of a gamma). Sampling, ``log_prob`` and the cdf come from the transforms; the
statistics are written out.
"""
import math

from ... import ops
from ..creation import tensor
from . import constraints
from .continuous import Exponential, Uniform
from .gamma_family import Gamma
from .transformed import _EULER_GAMMA, TransformedDistribution
from .transforms import AffineTransform, ExpTransform, PowerTransform
from .utils import broadcast_all


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on [0, 1] with concentrations a = concentration1 > 0, b = concentration0 > 0:

        p(x) = a b x^(a-1) (1 - x^a)^(b-1),   P(X <= x) = 1 - (1 - x^a)^b.

    Beta-like in shape, but its cdf inverts in closed form: X = (1 - U^(1/b))^(1/a) for U uniform, the three
    transforms u -> u^(1/b), 1 - (·), (·)^(1/a) (the law of 1 - U is that of U). Moments:
    E[Xⁿ] = b B(1 + n/a, b).
    """
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(ops.zeros_like(self.concentration0), ops.ones_like(self.concentration0),
                       validate_args=validate_args)
        transforms = [PowerTransform(1 / self.concentration0), AffineTransform(1.0, -1.0),
                      PowerTransform(1 / self.concentration1)]
        super().__init__(base, transforms, validate_args=validate_args)

    def _moment(self, n):
        """E[Xⁿ] = b B(1 + n/a, b) = b Γ(1 + n/a) Γ(b) / Γ(1 + n/a + b)."""
        a, b = self.concentration1, self.concentration0
        return b * ops.exp(ops.lgamma(1 + n / a) + ops.lgamma(b) - ops.lgamma(1 + n / a + b))

    @property
    def mean(self):
        return self._moment(1)

    @property
    def variance(self):
        return self._moment(2) - self._moment(1) ** 2

    @property
    def mode(self):
        """((a - 1) / (ab - 1))^(1/a) for a, b >= 1 (0 for a = 1, 1 for b = 1); NaN where a < 1 or b < 1 (the
        density is unbounded at an end) and for a = b = 1 (uniform). (PyTorch's formula, (1/b) log(1 - b) -
        log(1 - ab) in log space, is NaN for every b > 1.) The formula is evaluated at a = b = 2 where the answer
        is NaN, so that no NaN reaches the gradients."""
        a, b = self.concentration1, self.concentration0
        undefined = ops.logical_or(ops.logical_or(ops.lt(a, 1), ops.lt(b, 1)),
                                   ops.logical_and(ops.eq(a, 1), ops.eq(b, 1)))
        a, b = ops.where(undefined, 2.0, a), ops.where(undefined, 2.0, b)
        return ops.where(undefined, math.nan, ((a - 1) / (a * b - 1)) ** (1 / a))

    def entropy(self):
        """H = (1 - 1/b) + (1 - 1/a) Hᵦ - log(ab), with Hᵦ = ψ(b + 1) + γ the b-th harmonic number: since
        U = X^a ~ Beta(1, b), E[log(1 - U)] = -1/b and E[log X] = -Hᵦ/a."""
        a, b = self.concentration1, self.concentration0
        harmonic = ops.digamma(b + 1) + _EULER_GAMMA
        return (1 - 1 / b) + (1 - 1 / a) * harmonic - ops.log(a) - ops.log(b)


class Pareto(TransformedDistribution):
    """The Pareto distribution with scale s > 0 (the smallest value) and shape α = alpha > 0:

        p(x) = α s^α / x^(α+1),   P(X <= x) = 1 - (s/x)^α,   x >= s.

    X = s e^E with E ~ Exponential(α): the transforms exp and s·(·). Its mean is infinite for α <= 1 and its
    variance for α <= 2.
    """
    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=False)  # α is checked as Pareto's own parameter
        super().__init__(base, [ExpTransform(), AffineTransform(0.0, self.scale)], validate_args=validate_args)

    @property
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        """α s / (α - 1), +inf for α <= 1 (α is clamped at 1, as in PyTorch, which makes it s/0)."""
        alpha = ops.clamp(self.alpha, min=1)
        return alpha * self.scale / (alpha - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        """s² α / ((α - 1)² (α - 2)), +inf for α <= 2 (α clamped at 2)."""
        alpha = ops.clamp(self.alpha, min=2)
        return self.scale ** 2 * alpha / ((alpha - 1) ** 2 * (alpha - 2))

    def entropy(self):
        """H = log(s/α) + 1 + 1/α."""
        return ops.log(self.scale / self.alpha) + 1 + 1 / self.alpha


class InverseGamma(TransformedDistribution):
    """The inverse gamma distribution: X = 1/Y for Y ~ Gamma(α = concentration, β = rate),

        p(x) = β^α x^(-α-1) e^(-β/x) / Γ(α),   x > 0

    (a common prior for a variance). ``rsample`` is the gamma's (reparameterized in α and β) through 1/y.
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive

    def __init__(self, concentration, rate, validate_args=None):
        base = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = tensor(-1.0, dtype=base.rate.dtype, device=base.rate.device)
        super().__init__(base, PowerTransform(minus_one), validate_args=validate_args)

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        """β / (α - 1) for α > 1, else +inf."""
        return ops.where(ops.gt(self.concentration, 1), self.rate / (self.concentration - 1), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """β² / ((α - 1)² (α - 2)) for α > 2, else +inf."""
        alpha = self.concentration
        return ops.where(ops.gt(alpha, 2), self.rate ** 2 / ((alpha - 1) ** 2 * (alpha - 2)), math.inf)

    def entropy(self):
        """H = α + log β + log Γ(α) - (1 + α) ψ(α): the gamma's entropy plus E[log|d(1/y)/dy|] = -2 E[log Y]."""
        alpha = self.concentration
        return alpha + ops.log(self.rate) + ops.lgamma(alpha) - (1 + alpha) * ops.digamma(alpha)
