"""Heavy-tailed and chi-squared distributions: ``StudentT``, ``Cauchy``, ``Chi2``, ``FisherSnedecor`` and
``GeneralizedPareto``.

The Cauchy distribution is Student's t with one degree of freedom, and its tails are so heavy that it has no
mean: its samples come from the inverse cdf, loc + scale·tan(π(u - ½)). Student's t is the ratio of a normal
and the square root of an independent chi-squared over its degrees of freedom; the chi-squared distribution
with ν degrees of freedom is Gamma(ν/2, rate ½), so ``Chi2`` is a ``Gamma``. Snedecor's F is the ratio of two
independent chi-squared variables, each over its degrees of freedom (the distribution of a variance ratio, as in
the F-test). The generalized Pareto distribution is the limit law of the excesses over a high threshold (the
"peaks over threshold" of extreme value theory), with tails from bounded to as heavy as any power law.
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


class FisherSnedecor(Distribution):
    """Snedecor's F distribution with d₁ = df1 > 0 and d₂ = df2 > 0 degrees of freedom: X = (U₁/d₁) / (U₂/d₂)
    for independent U₁ ~ χ²(d₁), U₂ ~ χ²(d₂),

        p(x) = (d₁/d₂)^(d₁/2) x^(d₁/2 - 1) (1 + d₁x/d₂)^(-(d₁+d₂)/2) / B(d₁/2, d₂/2),   x > 0.
    """
    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        super().__init__(self.df1.shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        """Uᵢ/dᵢ = Gamma(dᵢ/2, rate dᵢ) draws, reparameterized (``gamma_family.py``), each kept at least the
        smallest normal number, as is their ratio (as in PyTorch)."""
        numerator, denominator = (ops.clamp(_standard_gammas(self, sample_shape, 0.5 * df) / df, min=_tiny(df))
                                  for df in (self.df1, self.df2))
        ratio = numerator / denominator
        return ops.clamp(ratio, min=_tiny(ratio))

    def log_prob(self, value):
        """log p(x) = log Γ((d₁+d₂)/2) - log Γ(d₁/2) - log Γ(d₂/2) + (d₁/2) log(d₁/d₂) + (d₁/2 - 1) log x
        - (d₁+d₂)/2 · log(1 + d₁x/d₂)."""
        if self._validate_args:
            self._validate_sample(value)
        half1, half2, ratio = 0.5 * self.df1, 0.5 * self.df2, self.df1 / self.df2
        log_beta = ops.lgamma(half1) + ops.lgamma(half2) - ops.lgamma(half1 + half2)
        return (half1 * ops.log(ratio) + (half1 - 1) * ops.log(value) - (half1 + half2) * ops.log1p(ratio * value)
                - log_beta)

    @property
    def mean(self):
        """d₂ / (d₂ - 2) for d₂ > 2, else NaN (as in PyTorch; the integral diverges)."""
        return ops.where(ops.gt(self.df2, 2), self.df2 / (self.df2 - 2), math.nan)

    @property
    def mode(self):
        """(d₁ - 2)/d₁ · d₂/(d₂ + 2) for d₁ > 2, else NaN (the density is unbounded or maximal at 0)."""
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return ops.where(ops.gt(self.df1, 2), mode, math.nan)

    @property
    def variance(self):
        """2 d₂² (d₁ + d₂ - 2) / (d₁ (d₂ - 2)² (d₂ - 4)) for d₂ > 4, else NaN."""
        d1, d2 = self.df1, self.df2
        variance = 2 * d2 ** 2 * (d1 + d2 - 2) / (d1 * (d2 - 2) ** 2 * (d2 - 4))
        return ops.where(ops.gt(d2, 4), variance, math.nan)


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution with location μ = loc, scale σ > 0 and shape ξ = concentration:
    with z = (x - μ)/σ,

        P(X > x) = (1 + ξz)^(-1/ξ)   (e^(-z) for ξ = 0),   p(x) = (1 + ξz)^(-1/ξ - 1) / σ,

    on x >= μ, and x <= μ - σ/ξ too for ξ < 0. ξ = 0 is the exponential distribution, ξ = -1 the uniform one on
    [μ, μ + σ], ξ > 0 a Pareto distribution shifted to start at μ.

    The formulas divide by ξ. For |ξ| <= 1e-8 (PyTorch's ``isclose(ξ, 0)``) their expansions to first order in ξ
    take over — PyTorch takes the ξ = 0 values, which are as accurate but have no slope in ξ, so that a fit of ξ
    started at 0 never moves; elsewhere each branch is computed at a harmless ξ and discarded, so that neither's
    gradient is NaN.
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def support(self):
        """[μ, μ - σ/ξ] for ξ < 0, else [μ, ∞)."""
        below_zero = ops.lt(self.concentration, 0)
        safe = ops.where(below_zero, self.concentration, -1.0)
        return constraints.interval(self.loc, ops.where(below_zero, self.loc - self.scale / safe, math.inf))

    def _shape_branches(self):
        """(where ξ counts as 0, ξ with 1 in those places)."""
        is_zero = ops.le(ops.abs(self.concentration), 1e-8)
        return is_zero, ops.where(is_zero, 1.0, self.concentration)

    def rsample(self, sample_shape=()):
        """The inverse cdf of u ~ U[0, 1)."""
        return self.icdf(self._noise(rand, sample_shape, self.loc))

    def log_prob(self, value):
        """log p(x) = -log σ - (1/ξ + 1) log(1 + ξz); near ξ = 0, -log σ - z - ξ z (1 - z/2). At ξ = -1 the
        factor 1/ξ + 1 is 0, and so is the term at the upper end z = 1, where log(1 + ξz) = -inf."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        is_zero, xi = self._shape_branches()
        power = 1 / xi + 1
        nonzero = ops.where(ops.eq(power, 0), ops.xlogy(power, 1 + xi * z), power * ops.log1p(xi * z))
        near_zero = z + self.concentration * z * (1 - z / 2)
        return -ops.log(self.scale) - ops.where(is_zero, near_zero, nonzero)

    def log_survival_function(self, value):
        """log P(X > x) = -log(1 + ξz)/ξ; near ξ = 0, -z + ξ z²/2."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        is_zero, xi = self._shape_branches()
        return ops.where(is_zero, -z + self.concentration * z ** 2 / 2, -ops.log1p(xi * z) / xi)

    def log_cdf(self, value):
        """log(1 - P(X > x))."""
        return ops.log1p(-ops.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return ops.exp(self.log_cdf(value))

    def icdf(self, value):
        """x = μ + σ/ξ · ((1 - u)^(-ξ) - 1) = μ + σ/ξ · expm1(-ξ ℓ) with ℓ = log(1 - u); near ξ = 0,
        μ - σ ℓ (1 - ξ ℓ / 2)."""
        is_zero, xi = self._shape_branches()
        log_rest = ops.log1p(-value)
        near_zero = self.loc - self.scale * log_rest * (1 - self.concentration * log_rest / 2)
        return ops.where(is_zero, near_zero, self.loc + self.scale / xi * ops.expm1(-xi * log_rest))

    def entropy(self):
        """H = log σ + ξ + 1."""
        return ops.log(self.scale) + self.concentration + 1

    @property
    def mean(self):
        """μ + σ/(1 - ξ) for ξ < 1, else NaN."""
        finite = ops.lt(self.concentration, 1)
        xi = ops.where(finite, self.concentration, 0.5)
        return ops.where(finite, self.loc + self.scale / (1 - xi), math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """σ² / ((1 - ξ)² (1 - 2ξ)) for ξ < ½, else NaN."""
        finite = ops.lt(self.concentration, 0.5)
        xi = ops.where(finite, self.concentration, 0.25)
        return ops.where(finite, self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), math.nan)
