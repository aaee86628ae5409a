"""Heavy-tailed and chi-squared distributions: ``StudentT``, ``Cauchy`` and ``Chi2``.

The Cauchy distribution is Student's t with one degree of freedom, and its tails are so heavy that it has no
mean: its samples come from the inverse cdf, loc + scale·tan(π(u - ½)). Student's t is the ratio of a normal
and the square root of an independent chi-squared over its degrees of freedom; the chi-squared distribution
with ν degrees of freedom is Gamma(ν/2, rate ½), so ``Chi2`` is a ``Gamma``.
"""
import math

from ... import ops
from ..creation import full, rand, randn
from . import constraints
from .continuous import LocationScale
from .distribution import Distribution
from .gamma_family import Gamma, _standard_gammas, _tiny
from .utils import broadcast_all


class Chi2(Gamma):
    """The chi-squared distribution with ν = df > 0 degrees of freedom (the sum of ν squared standard normals,
    for an integer ν): Gamma(ν/2, ½),

        p(x) = x^(ν/2-1) e^(-x/2) / (2^(ν/2) Γ(ν/2)),   x > 0.

    (``rsample`` as for ``Gamma``: see ``gamma_family.py``.)
    """
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self):
        return self.concentration * 2


class StudentT(Distribution):
    """Student's t distribution with ν = df > 0 degrees of freedom, location μ = loc and scale σ = scale > 0:

        p(x) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + y²/ν)^(-(ν+1)/2),   y = (x - μ)/σ.

    As ν -> ∞ it becomes N(μ, σ²); ν = 1 is the Cauchy distribution.
    """
    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(self.df.shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        """μ + σ · Z / √(V/ν) with Z ~ N(0, 1) and V ~ χ²(ν) = 2·Gamma(ν/2): differentiable in μ, σ and ν (the
        gamma draw by implicit reparameterization, ``gamma_family.py``; kept at least the smallest normal number,
        as ``Gamma`` keeps its draws)."""
        z = self._noise(randn, sample_shape, self.loc)
        gammas = _standard_gammas(self, sample_shape, 0.5 * self.df)
        chi2_over_df = 2 * ops.clamp(gammas, min=_tiny(gammas)) / self.df
        return self.loc + self.scale * z * ops.rsqrt(chi2_over_df)

    def log_prob(self, value):
        """log p(x) = -(ν+1)/2 · log(1 + y²/ν) - log σ - ½ log(νπ) - log Γ(ν/2) + log Γ((ν+1)/2)."""
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        y = (value - self.loc) / self.scale
        log_normalizer = (ops.log(self.scale) + 0.5 * ops.log(nu * math.pi) + ops.lgamma(0.5 * nu)
                          - ops.lgamma(0.5 * (nu + 1)))
        return -0.5 * (nu + 1) * ops.log1p(y ** 2 / nu) - log_normalizer

    def entropy(self):
        """H = log σ + ½ log ν + log B(ν/2, ½) + (ν+1)/2 · (ψ((ν+1)/2) - ψ(ν/2)),
        with log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b)."""
        nu = self.df
        log_beta = ops.lgamma(0.5 * nu) + math.lgamma(0.5) - ops.lgamma(0.5 * (nu + 1))
        return (ops.log(self.scale) + 0.5 * ops.log(nu) + log_beta
                + 0.5 * (nu + 1) * (ops.digamma(0.5 * (nu + 1)) - ops.digamma(0.5 * nu)))

    @property
    def mean(self):
        """μ for ν > 1; the integral diverges for ν <= 1: NaN."""
        return ops.where(ops.gt(self.df, 1), self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """σ² ν / (ν - 2) for ν > 2, +inf for 1 < ν <= 2, undefined (NaN) for ν <= 1."""
        finite = ops.where(ops.gt(self.df, 2), self.scale ** 2 * self.df / (self.df - 2), math.inf)
        return ops.where(ops.gt(self.df, 1), finite, math.nan)


class Cauchy(LocationScale):
    """The Cauchy (Lorentz) distribution with location μ = loc (its median) and scale γ = scale > 0:

        p(x) = 1 / (π γ (1 + ((x - μ)/γ)²)).

    Its tails decay like 1/x², so neither the mean nor the variance exist (NaN and +inf, as in PyTorch).
    """

    def rsample(self, sample_shape=()):
        """The inverse cdf of u ~ U[0, 1)."""
        u = self._noise(rand, sample_shape, self.loc)
        return self.icdf(u)

    def log_prob(self, value):
        """log p(x) = -log π - log γ - log(1 + ((x - μ)/γ)²)."""
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - ops.log(self.scale) - ops.log1p(((value - self.loc) / self.scale) ** 2)

    def cdf(self, value):
        """P(X <= x) = ½ + atan((x - μ)/γ) / π."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        """x = μ + γ tan(π(p - ½))."""
        return self.loc + self.scale * ops.tan(math.pi * (value - 0.5))

    def entropy(self):
        """H = log(4πγ)."""
        return math.log(4 * math.pi) + ops.log(self.scale)

    @property
    def mean(self):
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype, device=self.loc.device)
