"""Discrete distributions: ``Bernoulli``, ``Categorical``, ``OneHotCategorical`` (and its straight-through
variant), ``Poisson`` and ``Binomial``.

Bernoulli, Categorical and Binomial take either ``probs`` or ``logits`` (exactly one); the other is computed on
first use. Working from logits is the stable choice — a policy network's ``Categorical(logits=net(x))`` — and
the log-probabilities then come from ``log_softmax``/softplus without ever taking the log of a rounded
probability. Their samples have no gradient (a discrete choice is not a differentiable function of the
parameters); the score-function ("REINFORCE") estimator differentiates ``log_prob`` instead, and
``OneHotCategoricalStraightThrough`` lends its samples the probabilities' gradient.
"""
import math

import numpy

from ... import ops
from ...backend import dtypes
from ..creation import arange, eye, rand
from ..grad_mode import no_grad
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _log1p_exp(x):
    """log(1 + eˣ) (softplus), exact for every x: no switch to x above a threshold."""
    return ops.softplus(x, threshold=math.inf)


def _given_parameter(distribution):
    """The one of ``probs`` and ``logits`` the distribution was made with (the other is computed from it)."""
    return distribution.__dict__["probs"] if "probs" in distribution.__dict__ else distribution.logits


class SuccessProbability(Distribution):
    """A distribution of trials that succeed with probability p, given as ``probs`` p or ``logits``
    l = log(p / (1 - p)): the one not given is computed on first use (p = sigmoid(l))."""

    def _set_probability(self, probs, logits, *others):
        """Store the given one of ``probs`` and ``logits``, broadcast with the ``others`` parameters; return them
        all as tensors of one shape."""
        _one_of(probs, logits)
        param, *others = broadcast_all(probs if probs is not None else logits, *others)
        setattr(self, "probs" if probs is not None else "logits", param)
        return (param, *others)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @property
    def param_shape(self):
        return _given_parameter(self).shape

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)


class Bernoulli(SuccessProbability, ExponentialFamily):
    """1 with probability p, else 0: P(x) = pˣ (1 - p)¹⁻ˣ. From ``logits`` l: p = sigmoid(l)."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        (param,) = self._set_probability(probs, logits)
        super().__init__(param.shape, validate_args=validate_args)

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """F = log(1 + eˣ)."""
        return _log1p_exp(x)

    def sample(self, sample_shape=()):
        """1 where u < p, for u ~ U[0, 1)."""
        with no_grad():
            u = self._noise(rand, sample_shape, self.probs)
            return ops.cast(ops.lt(u, self.probs), self.probs.dtype)

    def log_prob(self, value):
        """log P(x) = x log p + (1 - x) log(1 - p) = -binary_cross_entropy_with_logits(l, x)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -ops.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        """H = -p log p - (1 - p) log(1 - p): the cross-entropy of p with itself."""
        return ops.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 if p > ½, 0 if p < ½, NaN at p = ½ (a tie)."""
        mode = ops.cast(ops.ge(self.probs, 0.5), self.probs.dtype)
        return ops.where(ops.eq(self.probs, 0.5), math.nan, mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def enumerate_support(self, expand=True):
        """0 and 1, in the parameters' float dtype."""
        return self._listed(arange(2, dtype=self.probs.dtype, device=self.probs.device), expand)


class Categorical(Distribution):
    """One of K categories 0..K-1, with probabilities ``probs`` (..., K) or ``logits`` (..., K) along the last dim.

    ``probs`` need not sum to 1 (each row is divided by its sum); ``logits`` are normalized to log-probabilities,
    ``logits - logsumexp(logits)``. The batch shape is the parameter's shape without its last dim; samples are
    int64 category indices (event shape ()).
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        name, param = ("probs", probs) if probs is not None else ("logits", logits)
        if param.ndim < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if probs is not None:
            self.probs = probs / ops.sum(probs, -1, keepdim=True)
        else:
            self.logits = logits - ops.logsumexp(logits, -1, keepdim=True)
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @property
    def param_shape(self):
        return _given_parameter(self).shape

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def enumerate_support(self, expand=True):
        """The categories 0 .. K-1 (int64)."""
        return self._listed(arange(self._num_events, device=self.probs.device), expand)

    def sample(self, sample_shape=()):
        """Inverse-cdf sampling: with c the running sum of the probabilities and u ~ U(0, 1], the sample is the
        number of categories k with cₖ < u·c_K, i.e. the k with cₖ₋₁ < u·c_K <= cₖ, which has probability pₖ.
        (u > 0, so a category of probability 0 is never drawn; scaling by the total c_K absorbs rounding.)"""
        with no_grad():
            cdf = ops.cumsum(self.probs, -1)
            u = 1 - ops.unsqueeze(self._noise(rand, sample_shape, cdf), -1)
            return ops.sum(ops.lt(cdf, u * cdf[..., -1:]), -1)

    def log_prob(self, value):
        """log pₖ at the category k = value, read from the normalized logits: the logit that a one-hot mask of k
        picks (by ``where``, so that the -inf logit of a category of probability 0 that is not k adds nothing).
        The mask broadcasts against the logits, so ``value`` may have extra leading (sample) dims."""
        if self._validate_args:
            self._validate_sample(value)
        chosen = ops.cast(ops.one_hot(ops.cast(value, dtypes.int64), self._num_events), dtypes.bool_)
        return ops.sum(ops.where(chosen, self.logits, 0.0), -1)

    def entropy(self):
        """H = -Σₖ pₖ log pₖ. A category of probability 0 has logit -inf, and 0·(-inf) would be NaN: the logits
        are clamped to the lowest finite float first, so such terms are 0 as the limit p log p -> 0 says."""
        logits = ops.clamp(self.logits, min=float(numpy.finfo(self.logits.dtype).min))
        return -ops.sum(logits * self.probs, -1)

    @property
    def mean(self):
        """Categories have no mean (they are labels, not numbers): NaN, as in PyTorch."""
        return ops.full_like(self.probs[..., 0], math.nan)

    @property
    def mode(self):
        return ops.argmax(self.probs, -1)

    @property
    def variance(self):
        return ops.full_like(self.probs[..., 0], math.nan)


class CategoricalVectors(Distribution):
    """A distribution over vectors of length K built on a ``Categorical`` of K outcomes, whose ``probs`` and
    ``logits`` it shares (event shape (K,)): ``OneHotCategorical``, ``Multinomial``."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    #: the class of the categorical distribution held (the graph front-end's draws with graph ops)
    _categorical_type = Categorical

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = self._categorical_type(probs=probs, logits=logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, (self._categorical._num_events,),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """Expand the tensors held directly (as every distribution does), and the categorical."""
        new = super().expand(batch_shape, _instance)
        new._categorical = self._categorical.expand(batch_shape)
        return new

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits


class OneHotCategorical(CategoricalVectors):
    """A ``Categorical`` whose samples are one-hot vectors of length K instead of indices (event shape (K,))."""
    support = constraints.one_hot
    has_enumerate_support = True

    def enumerate_support(self, expand=True):
        """The K one-hot vectors, the rows of the identity matrix, in the parameters' float dtype."""
        return self._listed(eye(self._event_shape[0], dtype=self.probs.dtype, device=self.probs.device), expand)

    def sample(self, sample_shape=()):
        indices = self._categorical.sample(sample_shape)
        return ops.one_hot(indices, self._event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return ops.one_hot(self.probs.argmax(-1), self._event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A ``OneHotCategorical`` with the straight-through gradient estimator (Bengio, Léonard and Courville, 2013):
    ``rsample`` returns the one-hot sample, whose gradient is passed on to the probabilities as if the sample
    were them (the sample's expectation)."""
    has_rsample = True

    def rsample(self, sample_shape=()):
        """sample + (p - p.detach()): the sample's value, the probabilities' gradient."""
        probs = self.probs
        return self.sample(sample_shape) + (probs - probs.detach())


class Poisson(ExponentialFamily):
    """Counts of events at rate λ >= 0: P(k) = λᵏ e^(-λ) / k!, k = 0, 1, 2, ..."""
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def _natural_params(self):
        """(log λ,); the carrier measure -log k! has no closed-form mean, so there is no
        ``_mean_carrier_measure``."""
        return (ops.log(self.rate),)

    def _log_normalizer(self, x):
        """F = eˣ = λ."""
        return ops.exp(x)

    def sample(self, sample_shape=()):
        return self._draw_on_host(lambda rng, rate: rng.poisson(rate), sample_shape, self.rate)

    def log_prob(self, value):
        """log P(k) = k log λ - λ - log k!  (log k! = lgamma(k + 1); ``xlogy`` makes 0·log 0 = 0 at λ = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.xlogy(value, self.rate) - self.rate - ops.lgamma(value + 1)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return ops.floor(self.rate)

    @property
    def variance(self):
        return self.rate


class Binomial(SuccessProbability):
    """Successes among n = ``total_count`` independent trials of probability p:
    P(k) = C(n, k) pᵏ (1 - p)ⁿ⁻ᵏ, k = 0..n. Give ``probs`` p or ``logits`` (p = sigmoid(logits))."""
    has_enumerate_support = True
    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        param, total_count = self._set_probability(probs, logits, total_count)
        if not dtypes.is_floating_point(param.dtype):
            raise ValueError(f"Binomial: {'probs' if probs is not None else 'logits'} must be floating point, got "
                             f"{param.dtype}")
        self.total_count = total_count.to(param.dtype)
        super().__init__(param.shape, validate_args=validate_args)

    @property
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    def _common_total_count(self, what):
        """n as an int, which must be the same for the whole batch (a tensor of values 0..n has one length)."""
        n = int(ops.max(self.total_count).item())
        if int(ops.min(self.total_count).item()) != n:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return n

    def enumerate_support(self, expand=True):
        """The counts 0 .. n, in the parameters' float dtype (n the same for the whole batch)."""
        n = self._common_total_count("enumerate_support")
        return self._listed(arange(n + 1, dtype=self.probs.dtype, device=self.probs.device), expand)

    def entropy(self):
        """H = -Σₖ P(k) log P(k), summed over the support k = 0..n, as PyTorch does (there is no closed form). A
        count of log-probability -inf contributes 0, the limit of P log P (not 0 · -inf = NaN)."""
        self._common_total_count("entropy")
        log_probs = self.log_prob(self.enumerate_support(expand=False))
        terms = ops.where(ops.isinf(log_probs), 0.0, ops.exp(log_probs) * log_probs)
        return -ops.sum(terms, 0)

    def sample(self, sample_shape=()):
        return self._draw_on_host(lambda rng, p, n: rng.binomial(n.astype(numpy.int64), p), sample_shape,
                                  self.probs, self.total_count)

    def log_prob(self, value):
        """log P(k) = log n! - log k! - log (n-k)! + k log p + (n - k) log(1 - p). With the logit l,
        log p = l - log(1 + eˡ) and log(1 - p) = -log(1 + eˡ), so the last two terms are k·l - n·log(1 + eˡ)."""
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_choose = ops.lgamma(n + 1) - ops.lgamma(value + 1) - ops.lgamma(n - value + 1)
        return log_choose + value * self.logits - n * _log1p_exp(self.logits)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        """floor((n + 1) p), at most n."""
        return ops.minimum(ops.floor((self.total_count + 1) * self.probs), self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)
