"""Continuous distributions with closed forms for everything: ``Normal``, ``Uniform``, ``Exponential`` and
``Laplace``.

Each draws reparameterized samples from a fixed noise through a differentiable function of the parameters:
``loc + scale · ε`` with ε ~ N(0, 1), ``low + (high - low) · u`` with u ~ U[0, 1), and the inverse cdf of u for
the exponential and Laplace distributions. Every formula is written with ops, so log-densities, entropies and
samples are differentiable with respect to the parameters.
"""
import math

import numpy

from ... import ops
from ..creation import rand, randn
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


class LocationScale(Distribution):
    """A family of real distributions with a location μ = ``loc`` and a scale σ = ``scale`` > 0 (broadcast
    together), each a shifted and stretched standard one: X = μ + σ·Z. So it can be sampled with a gradient."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)


class Normal(LocationScale, ExponentialFamily):
    """The normal (Gaussian) distribution N(loc, scale²):

        p(x) = exp(-(x - μ)² / (2σ²)) / (σ √(2π)),   μ = loc, σ = scale > 0.
    """
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        """(μ/σ², -1/(2σ²)): the coefficients of x and x²."""
        return self.loc / self.scale ** 2, -0.5 / self.scale ** 2

    def _log_normalizer(self, x, y):
        """F = -x²/(4y) + ½ log(-π/y)."""
        return -0.25 * x ** 2 / y + 0.5 * ops.log(-math.pi / y)

    def rsample(self, sample_shape=()):
        return self.loc + self._noise(randn, sample_shape, self.loc) * self.scale

    def log_prob(self, value):
        """log p(x) = -(x - μ)² / (2σ²) - log σ - ½ log 2π."""
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale ** 2) - ops.log(self.scale) - _LOG_SQRT_2PI

    def cdf(self, value):
        """P(X <= x) = ½ (1 + erf((x - μ) / (σ √2)))."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ops.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        """x = μ + σ √2 · erfinv(2p - 1)."""
        return self.loc + self.scale * ops.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        """H = ½ + ½ log 2π + log σ."""
        return 0.5 + _LOG_SQRT_2PI + ops.log(self.scale)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2


class Uniform(Distribution):
    """The uniform distribution on [low, high): density 1 / (high - low) there, 0 elsewhere."""
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)

    @property
    def arg_constraints(self):
        """Each bound is constrained by the other: low < high."""
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    def rsample(self, sample_shape=()):
        return self.low + self._noise(rand, sample_shape, self.low) * (self.high - self.low)

    def log_prob(self, value):
        """log p(x) = -log(high - low) inside [low, high), -inf outside."""
        if self._validate_args:
            self._validate_sample(value)
        inside = ops.cast(ops.logical_and(ops.le(self.low, value), ops.gt(self.high, value)), self.low.dtype)
        return ops.log(inside) - ops.log(self.high - self.low)

    def cdf(self, value):
        """(x - low) / (high - low), clamped to [0, 1]."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.clamp((value - self.low) / (self.high - self.low), 0, 1)

    def icdf(self, value):
        return self.low + value * (self.high - self.low)

    def entropy(self):
        """H = log(high - low)."""
        return ops.log(self.high - self.low)

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def mode(self):
        """Every point is a mode: NaN, as in PyTorch."""
        return self.high * math.nan

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12


class Exponential(ExponentialFamily):
    """The exponential distribution of rate λ > 0 (the waiting time of a Poisson process):
    p(x) = λ e^(-λx) for x >= 0."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, x):
        """F = -log(-x)."""
        return -ops.log(-x)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        """The inverse cdf of u ~ U[0, 1): -log(1 - u) / λ (1 - u > 0, so the log is finite)."""
        return -ops.log1p(-self._noise(rand, sample_shape, self.rate)) / self.rate

    def log_prob(self, value):
        """log p(x) = log λ - λx."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.log(self.rate) - self.rate * value

    def cdf(self, value):
        """P(X <= x) = 1 - e^(-λx)."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ops.exp(-self.rate * value)

    def icdf(self, value):
        return -ops.log1p(-value) / self.rate

    def entropy(self):
        """H = 1 - log λ."""
        return 1 - ops.log(self.rate)

    @property
    def mean(self):
        return 1 / self.rate

    @property
    def mode(self):
        return ops.zeros_like(self.rate)

    @property
    def variance(self):
        return self.rate ** -2


class Laplace(LocationScale):
    """The Laplace (double exponential) distribution: p(x) = exp(-|x - μ| / b) / (2b), μ = loc, b = scale > 0."""

    def rsample(self, sample_shape=()):
        """The inverse cdf of u ~ U(-1, 1): μ - b·sign(u)·log(1 - |u|). u is drawn from (eps - 1, 1), as in
        PyTorch, so that log(1 - |u|) is never log 0."""
        eps = float(numpy.finfo(self.loc.dtype).eps)
        u = self._noise(rand, sample_shape, self.loc) * (2 - eps) + (eps - 1)
        return self.loc - self.scale * ops.sign(u) * ops.log1p(-ops.abs(u))

    def log_prob(self, value):
        """log p(x) = -log(2b) - |x - μ| / b."""
        if self._validate_args:
            self._validate_sample(value)
        return -ops.log(2 * self.scale) - ops.abs(value - self.loc) / self.scale

    def cdf(self, value):
        """P(X <= x) = ½ - ½ sign(x - μ) (e^(-|x - μ| / b) - 1)."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * ops.sign(value - self.loc) * ops.expm1(-ops.abs(value - self.loc) / self.scale)

    def icdf(self, value):
        """x = μ - b·sign(p - ½)·log(1 - 2|p - ½|)."""
        centered = value - 0.5
        return self.loc - self.scale * ops.sign(centered) * ops.log1p(-2 * ops.abs(centered))

    def entropy(self):
        """H = 1 + log(2b)."""
        return 1 + ops.log(2 * self.scale)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale ** 2
