"""``ContinuousBernoulli``: a proper density on [0, 1] with the Bernoulli's shape (Loaiza-Ganem and Cunningham,
"The continuous Bernoulli", NeurIPS 2019).

Treating pixel intensities in [0, 1] as Bernoulli "probabilities" of a binary cross-entropy loss uses
λˣ (1 - λ)¹⁻ˣ as if it were a density, but it does not integrate to 1 over [0, 1]. Dividing by its integral
makes it one:

    p(x) = C(λ) λˣ (1 - λ)¹⁻ˣ,   C(λ) = 2 atanh(1 - 2λ) / (1 - 2λ) = (log(1 - λ) - log λ) / (1 - 2λ)   (C(½) = 2).

λ = ``probs`` is not a probability here and ``logits`` = log(λ / (1 - λ)) are not log-odds, but the names are
the Bernoulli's. So log p(x) = -binary_cross_entropy_with_logits(l, x) + log C(λ): the usual loss plus the
normalizer's log.

Every formula divides by 1 - 2λ or by log(1 - λ) - log λ, both 0 at λ = ½. In a small window around ½ (``lims``,
(0.499, 0.501] by default, as in PyTorch) Taylor series in d = λ - ½ replace them:

    log C ≈ log 2 + 4/3 d² + 104/45 d⁴,   mean ≈ ½ + d/3 + 16/45 d³,   variance ≈ 1/12 - d²/15 - 128/945 d⁴,

and the exact formulas are evaluated at a harmless λ there (then discarded by ``where``), so that neither their
values nor their gradients turn into NaN. (PyTorch's variance series has +128/945 d⁴: a sign slip, harmless at
|d| <= 0.001, where d⁴ <= 1e-12.)
"""
import math

from ... import ops
from ..creation import rand
from . import constraints
from .discrete import SuccessProbability
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs


def _log_abs_one_minus_twice(p):
    """log|1 - 2p|, as log1p(-2p) below ½ (exact for small p) and log(2p - 1) above."""
    below = ops.le(p, 0.5)
    return ops.where(below, ops.log1p(-2 * ops.where(below, p, 0.0)), ops.log(2 * ops.where(below, 1.0, p) - 1))


class ContinuousBernoulli(SuccessProbability, ExponentialFamily):
    """The continuous Bernoulli distribution on [0, 1] (module docstring), from ``probs`` λ in (0, 1) or ``logits``.
    The parameter is kept a machine epsilon inside (0, 1), as in PyTorch."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        (param,) = self._set_probability(probs, logits)
        self._lims = tuple(lims)
        super().__init__(param.shape, validate_args=validate_args)
        if probs is not None:  # validated as given, then clamped
            self.probs = clamp_probs(param)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    # ---------------------------------------------------------------------- the window around λ = ½

    def _outside_unstable_region(self):
        return ops.logical_or(ops.le(self.probs, self._lims[0]), ops.gt(self.probs, self._lims[1]))

    def _cut_probs(self):
        """λ outside the window, the window's lower end inside it: where the exact formulas are safe."""
        return ops.where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _log_gap(self, probs):
        """log(1 - λ) - log λ = -logit(λ) = 2 atanh(1 - 2λ)."""
        return ops.log1p(-probs) - ops.log(probs)

    def _cont_bern_log_norm(self):
        """log C(λ) = log|log(1 - λ) - log λ| - log|1 - 2λ|; the Taylor series in the window."""
        cut = self._cut_probs()
        exact = ops.log(ops.abs(self._log_gap(cut))) - _log_abs_one_minus_twice(cut)
        d2 = (self.probs - 0.5) ** 2
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * d2) * d2
        return ops.where(self._outside_unstable_region(), exact, taylor)

    @property
    def _natural_params(self):
        """(l,): p(x) = exp(l x - F(l)) on [0, 1]."""
        return (self.logits,)

    def _log_normalizer(self, x):
        """F(x) = log ∫₀¹ e^(xt) dt = log(expm1(x) / x), with log|expm1(x)| = max(x, 0) + log(-expm1(-|x|))
        (no overflow for large x); x/2 + x²/24 - x⁴/2880 for x in the window ``lims`` - ½, as in PyTorch."""
        outside = ops.logical_or(ops.le(x, self._lims[0] - 0.5), ops.gt(x, self._lims[1] - 0.5))
        cut = ops.where(outside, x, self._lims[0] - 0.5)
        exact = ops.clamp(cut, min=0.0) + ops.log(-ops.expm1(-ops.abs(cut))) - ops.log(ops.abs(cut))
        taylor = (0.5 + (1.0 / 24.0 - x ** 2 / 2880.0) * x) * x
        return ops.where(outside, exact, taylor)

    # ------------------------------------------------------------------------------ densities, samples

    def log_prob(self, value):
        """log p(x) = x log λ + (1 - x) log(1 - λ) + log C(λ)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -ops.binary_cross_entropy_with_logits(logits, value, reduction="none") + self._cont_bern_log_norm()

    def cdf(self, value):
        """P(X <= x) = (λˣ (1 - λ)¹⁻ˣ + λ - 1) / (2λ - 1) (x itself in the window), 0 below 0 and 1 above 1."""
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        exact = (cut ** value * (1 - cut) ** (1 - value) + cut - 1) / (2 * cut - 1)
        inside = ops.where(self._outside_unstable_region(), exact, value)
        return ops.where(ops.le(value, 0), 0.0, ops.where(ops.ge(value, 1), 1.0, inside))

    def icdf(self, value):
        """x = (log(1 - λ + u (2λ - 1)) - log(1 - λ)) / (log λ - log(1 - λ)), the inverse of the cdf (u itself in
        the window, where the distribution is nearly uniform)."""
        cut = self._cut_probs()
        exact = (ops.log1p(-cut + value * (2 * cut - 1)) - ops.log1p(-cut)) / -self._log_gap(cut)
        return ops.where(self._outside_unstable_region(), exact, value)

    def rsample(self, sample_shape=()):
        """The inverse cdf of u ~ U[0, 1): differentiable in λ."""
        return self.icdf(self._noise(rand, sample_shape, self.probs))

    def entropy(self):
        """H = -E[X log λ + (1 - X) log(1 - λ)] - log C = E[X] (log(1 - λ) - log λ) - log C - log(1 - λ)."""
        return self.mean * self._log_gap(self.probs) - self._cont_bern_log_norm() - ops.log1p(-self.probs)

    @property
    def mean(self):
        """λ / (2λ - 1) + 1 / (log(1 - λ) - log λ)."""
        cut = self._cut_probs()
        exact = cut / (2 * cut - 1) + 1 / self._log_gap(cut)
        d = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * d ** 2) * d
        return ops.where(self._outside_unstable_region(), exact, taylor)

    @property
    def variance(self):
        """λ (λ - 1) / (1 - 2λ)² + 1 / (log(1 - λ) - log λ)²."""
        cut = self._cut_probs()
        exact = cut * (cut - 1) / (1 - 2 * cut) ** 2 + 1 / self._log_gap(cut) ** 2
        d2 = (self.probs - 0.5) ** 2
        taylor = 1.0 / 12.0 - (1.0 / 15.0 + 128.0 / 945.0 * d2) * d2
        return ops.where(self._outside_unstable_region(), exact, taylor)
