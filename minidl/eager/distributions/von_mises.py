"""The von Mises distribution: the "normal distribution of the circle", for angles (wind directions, phases, the
time of day as an angle).

    p(x) = exp(κ cos(x - μ)) / (2π I₀(κ)),

with I₀ the modified Bessel function of order 0. ``loc`` μ and the values are angles in radians, any real number
read modulo 2π (so that μ can be optimized without constraints); ``concentration`` κ > 0 plays the part of
1/σ²: κ -> 0 is the uniform distribution on the circle, large κ nearly N(μ, 1/κ). The mean and the variance are
the circular ones: the mean direction μ and 1 - E[cos(X - μ)] = 1 - I₁(κ)/I₀(κ).

log I₀(κ) = log i0e(κ) + κ with the exponentially scaled Bessel function (finite for every κ and differentiable,
``ops/special_more.py``); PyTorch uses polynomial approximations of I₀ and I₁ (Abramowitz and Stegun 9.8.1-4,
relative error about 2e-7), so the two agree to that.

Sampling is Best and Fisher's rejection method ("Efficient simulation of the von Mises distribution", Applied
Statistics 28, 1979), as PyTorch's: a wrapped Cauchy proposal with parameter r, accepted with a cheap test that
almost always decides, else with the exact one. It runs in float64 whatever the dtype (in float32 the proposal
degenerates for small κ and the loop would not end), on numpy's generator.
"""
import math

import numpy

from ... import ops
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

_LOG_2PI = math.log(2 * math.pi)


def _log_i0(x):
    """log I₀(x) for x >= 0, from the scaled function: no overflow."""
    return ops.log(ops.i0e(x)) + x


def _proposal_r(kappa):
    """Best and Fisher's r = (1 + ρ²) / (2ρ), ρ = (τ - √(2τ)) / (2κ), τ = 1 + √(1 + 4κ²); below κ = 1e-5, where
    τ - √(2τ) cancels, its expansion 1/κ + κ."""
    tau = 1 + numpy.sqrt(1 + 4 * kappa ** 2)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        rho = (tau - numpy.sqrt(2 * tau)) / (2 * kappa)
        exact = (1 + rho ** 2) / (2 * rho)
        return numpy.where(kappa < 1e-5, 1 / kappa + kappa, exact)


def _best_fisher(rng, loc, kappa):
    """Von Mises draws (float64) of the shape of the broadcast ``loc`` and ``kappa``, in [-π, π)."""
    loc, kappa = loc.astype(numpy.float64), kappa.astype(numpy.float64)
    if not numpy.all(kappa > 0):
        raise ValueError(f"VonMises cannot sample: the concentration must be positive, got "
                         f"{float(kappa[~(kappa > 0)].ravel()[0])}")
    r = _proposal_r(kappa)
    angle = numpy.empty(kappa.shape)
    pending = numpy.ones(kappa.shape, dtype=bool)
    while pending.any():
        k, r_k = kappa[pending], r[pending]
        u1, u2, u3 = rng.random((3, k.size))
        z = numpy.cos(math.pi * u1)
        f = (1 + r_k * z) / (r_k + z)
        c = k * (r_k - f)
        with numpy.errstate(divide="ignore"):
            accept = (c * (2 - c) - u2 > 0) | (numpy.log(c / u2) + 1 - c >= 0)
        where = numpy.flatnonzero(pending)[accept]
        angle.flat[where] = numpy.sign(u3[accept] - 0.5) * numpy.arccos(numpy.clip(f[accept], -1, 1))
        pending.flat[where] = False
    return numpy.mod(angle + math.pi + loc, 2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution on the circle with mean direction ``loc`` μ and ``concentration`` κ > 0 (module
    docstring). Samples lie in [-π, π); ``log_prob`` takes any real angle."""
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def sample(self, sample_shape=()):
        """Best and Fisher's rejection sampler (module docstring)."""
        return self._draw_on_host(_best_fisher, sample_shape, self.loc, self.concentration)

    def log_prob(self, value):
        """log p(x) = κ cos(x - μ) - log 2π - log I₀(κ)."""
        if self._validate_args:
            self._validate_sample(value)
        return self.concentration * ops.cos(value - self.loc) - _LOG_2PI - _log_i0(self.concentration)

    @property
    def mean(self):
        """The circular mean: the direction μ."""
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The circular variance 1 - I₁(κ)/I₀(κ) (the ratio of the scaled functions: no overflow)."""
        return 1 - ops.i1e(self.concentration) / ops.i0e(self.concentration)
