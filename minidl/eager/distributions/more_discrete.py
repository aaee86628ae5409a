"""Counting distributions: ``Geometric``, ``NegativeBinomial`` and ``Multinomial``.

The first two count the outcomes of repeated trials with a success probability p (given as ``probs`` or as its
log-odds ``logits``, like ``Bernoulli``): the failures before the first success, the successes before the r-th
failure. ``Multinomial`` counts how often each of K categories comes up in n draws of a ``Categorical``. None
of them has ``rsample``: a count is not a differentiable function of the parameters.
"""
import math
import numbers

import numpy

from ... import ops
from ..creation import arange, rand
from ..grad_mode import no_grad
from . import constraints
from .discrete import Binomial, CategoricalVectors, SuccessProbability, _log1p_exp


class Geometric(SuccessProbability):
    """The number of failures before the first success: P(k) = (1 - p)ᵏ p, k = 0, 1, 2, ... (p > 0)."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        (param,) = self._set_probability(probs, logits)
        super().__init__(param.shape, validate_args=validate_args)
        # p = 0 would never succeed: not a distribution (logits of -inf are not real, so the check is on probs)
        if self._validate_args and probs is not None and not bool(ops.all(ops.gt(param, 0))):
            raise ValueError(f"Expected parameter probs ({type(param).__name__} of shape {tuple(param.shape)}) of "
                             f"distribution {self!r} to be positive but found invalid values:\n{param}")

    def sample(self, sample_shape=()):
        """The inverse cdf: P(X >= k) = (1 - p)ᵏ, so X = floor(log u / log(1 - p)) for u ~ U(0, 1) (u kept at
        least the smallest normal number, so that log u is finite)."""
        with no_grad():
            u = self._noise(rand, sample_shape, self.probs)
            u = ops.clamp(u, min=float(numpy.finfo(u.dtype).tiny))
            return ops.floor(ops.log(u) / ops.log1p(-self.probs))

    def log_prob(self, value):
        """log P(k) = k log(1 - p) + log p. At p = 1 the term k log(1 - p) is 0·(-inf) for k = 0; p is set to 0
        there first (with ``where``, so no NaN reaches the gradient either), which makes the term 0."""
        if self._validate_args:
            self._validate_sample(value)
        certain_and_zero = ops.logical_and(ops.eq(self.probs, 1), ops.eq(value, 0))
        probs = ops.where(certain_and_zero, 0.0, self.probs)
        return value * ops.log1p(-probs) + ops.log(self.probs)

    def entropy(self):
        """H = (-(1 - p) log(1 - p) - p log p) / p: a Bernoulli's entropy per trial times the mean 1/p trials."""
        return ops.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs

    @property
    def mean(self):
        return 1 / self.probs - 1

    @property
    def mode(self):
        return ops.zeros_like(self.probs)

    @property
    def variance(self):
        return (1 / self.probs - 1) / self.probs


class NegativeBinomial(SuccessProbability):
    """The number of successes before ``total_count`` = r failures, each trial a success with probability p:

        P(k) = Γ(k + r) / (k! Γ(r)) · pᵏ (1 - p)ʳ,   k = 0, 1, 2, ...   (r >= 0 need not be an integer).

    It is a Poisson whose rate is drawn from Gamma(r, rate (1 - p)/p): an over-dispersed count, variance
    larger than the mean.
    """
    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        param, total_count = self._set_probability(probs, logits, total_count)
        self.total_count = total_count.to(param.dtype)
        super().__init__(param.shape, validate_args=validate_args)

    def sample(self, sample_shape=()):
        """A Poisson draw at a gamma-distributed rate, Gamma(r, 1)·p/(1 - p) (p/(1 - p) = e^l)."""
        return self._draw_on_host(lambda rng, r, odds: rng.poisson(rng.standard_gamma(r) * odds), sample_shape,
                                  self.total_count, ops.exp(self.logits))

    def log_prob(self, value):
        """log P(k) = log Γ(k + r) - log k! - log Γ(r) + k log p + r log(1 - p), with log p = -log(1 + e^(-l))
        and log(1 - p) = -log(1 + e^l) from the logits. For r = 0 the only value is k = 0, of probability 1:
        the log-gammas are then log Γ(0) - log Γ(0) = inf - inf, so that case is set to 0."""
        if self._validate_args:
            self._validate_sample(value)
        r = self.total_count
        log_powers = -value * _log1p_exp(-self.logits) - r * _log1p_exp(self.logits)
        log_choose = ops.lgamma(value + r) - ops.lgamma(value + 1) - ops.lgamma(r)
        return log_powers + ops.where(ops.eq(value + r, 0), 0.0, log_choose)

    @property
    def mean(self):
        """r p / (1 - p) = r e^l."""
        return self.total_count * ops.exp(self.logits)

    @property
    def mode(self):
        """floor((r - 1) p / (1 - p)), at least 0."""
        return ops.clamp(ops.floor((self.total_count - 1) * ops.exp(self.logits)), min=0.0)

    @property
    def variance(self):
        """r p / (1 - p)² = mean / (1 - p)."""
        return self.mean / ops.sigmoid(-self.logits)


class Multinomial(CategoricalVectors):
    """Counts of each of K categories in n = ``total_count`` independent draws of probabilities p₁..p_K:

        P(x) = n! / (x₁! ··· x_K!) · p₁^x₁ ··· p_K^x_K,   x₁ + ... + x_K = n.

    ``probs`` or ``logits`` of shape ``batch_shape + (K,)``, as for ``Categorical``; events are count vectors
    of size K. n is a Python int shared by the whole batch (as in PyTorch).
    """

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, numbers.Integral):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        super().__init__(probs, logits, validate_args)

    @property
    def support(self):
        return constraints.multinomial(self.total_count)

    def sample(self, sample_shape=()):
        """The counts of n categorical draws per sample, drawn at once by numpy's multinomial sampler (its cost
        does not grow with n, as counting n one-hot draws would: 10 000 draws of 1000 categories took 3.5 s)."""
        def counts(rng, probs):
            probs = probs.astype(numpy.float64)
            return rng.multinomial(self.total_count, probs / probs.sum(-1, keepdims=True))
        return self._draw_on_host(counts, sample_shape, self.probs)

    def log_prob(self, value):
        """log P(x) = log Γ(Σₖ xₖ + 1) - Σₖ log Γ(xₖ + 1) + Σₖ xₖ log pₖ. A category with pₖ = 0 (logit -inf)
        and xₖ = 0 contributes 0, not 0·(-inf)."""
        if self._validate_args:
            self._validate_sample(value)
        log_powers = ops.sum(ops.where(ops.eq(value, 0), 0.0, self.logits) * value, -1)
        return ops.lgamma(ops.sum(value, -1) + 1) - ops.sum(ops.lgamma(value + 1), -1) + log_powers

    def entropy(self):
        """H = -E[log P(X)] = n H(p) - log n! + Σₖ E[log xₖ!], where H(p) is the categorical entropy and each
        count xₖ is Binomial(n, pₖ): E[log xₖ!] = Σⱼ₌₀ⁿ P(xₖ = j) log j!."""
        n = self.total_count
        counts = arange(n + 1, dtype=self.probs.dtype, device=self.probs.device)
        counts = counts.reshape((n + 1,) + (1,) * self.probs.dim())  # j along a new first dim
        count_probs = ops.exp(Binomial(n, probs=self.probs, validate_args=False).log_prob(counts))
        expected_log_factorials = (count_probs * ops.lgamma(counts + 1)).sum((0, -1))
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected_log_factorials

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)
