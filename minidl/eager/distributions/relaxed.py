"""Relaxed (Concrete, Gumbel-softmax) distributions: continuous stand-ins for a Bernoulli or a one-hot categorical
whose samples are differentiable in the probabilities (Maddison et al., "The Concrete distribution"; Jang et al.,
"Categorical reparameterization with Gumbel-softmax", both ICLR 2017).

A categorical draw is argmaxₖ (lₖ + Gₖ) with Gₖ independent standard Gumbel noise (the Gumbel-max trick). The
argmax is not differentiable; a softmax at temperature τ > 0 is:

    y = softmax((l + G) / τ),

a point of the simplex that tends to the one-hot sample as τ -> 0 and to the uniform vector as τ -> ∞. The binary
case needs a single logistic noise L = log U - log(1 - U) (the difference of two Gumbels): y = σ((l + L) / τ).

As in PyTorch, each is built in two steps. The noisy scores live in log space first — ``LogitRelaxedBernoulli``
(the logit of y) and ``ExpRelaxedCategorical`` (log y, normalized by logsumexp), where the densities are simple
and numerically safe — and ``RelaxedBernoulli`` / ``RelaxedOneHotCategorical`` map them into [0, 1] or onto the
simplex with a sigmoid or an exp (``TransformedDistribution``), which also supplies their change-of-variables
densities.
"""
import math

from ... import ops
from ..creation import rand
from . import constraints
from .discrete import CategoricalVectors, SuccessProbability, _log1p_exp, _one_of
from .transformed import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform
from .utils import broadcast_all, clamp_probs, probs_to_logits


class LogitRelaxedBernoulli(SuccessProbability):
    """The logit of a relaxed Bernoulli: X = (l + L) / τ, L standard logistic, τ = ``temperature`` > 0, l the
    logits (give ``probs`` or ``logits``). τ broadcasts with the parameter into the batch shape.

        log p(x) = log τ + (l - τx) - 2 log(1 + e^(l - τx))

    (the logistic density e^(-z) / (1 + e^(-z))² at z = τx - l, symmetric in z, times |dz/dx| = τ).
    """
    arg_constraints = {"temperature": constraints.positive, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    support = constraints.real
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        param, self.temperature = self._set_probability(probs, logits, temperature)
        super().__init__(param.shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        """(log U - log(1 - U) + logit p) / τ with U ~ U(0, 1); U and p are kept a machine epsilon inside (0, 1)
        (as in PyTorch), so that the logistic noise and the logit stay finite."""
        u = clamp_probs(self._noise(rand, sample_shape, self.probs))
        logistic = ops.log(u) - ops.log1p(-u)
        return (logistic + probs_to_logits(self.probs, is_binary=True)) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        gap = logits - value * self.temperature
        return ops.log(self.temperature) + gap - 2 * _log1p_exp(gap)


class _ReadsItsBase:
    """The parameters of a relaxed distribution are its log-space base's."""
    temperature = property(lambda self: self.base_dist.temperature)
    logits = property(lambda self: self.base_dist.logits)
    probs = property(lambda self: self.base_dist.probs)


class RelaxedBernoulli(_ReadsItsBase, TransformedDistribution):
    """A relaxed Bernoulli on [0, 1]: Y = σ(X) with X ~ ``LogitRelaxedBernoulli(temperature, probs, logits)``;
    Y tends to a Bernoulli(p) draw as the temperature goes to 0. Its density is the base's at logit(y) over
    |dy/dx| = y (1 - y) (``SigmoidTransform``)."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)


class ExpRelaxedCategorical(CategoricalVectors):
    """log y for y ~ Concrete(probabilities p, temperature τ) on the simplex of K categories: X = s - logsumexp(s)
    with s = (l + G) / τ, G standard Gumbel noise (module docstring). ``probs`` or ``logits`` of shape
    ``batch_shape + (K,)``, as for ``Categorical``; ``temperature`` > 0 a number or a tensor that broadcasts to the
    batch shape. The Concrete density of y, written for x = log y (with the factor Πₖ yₖ that PyTorch includes):

        log p(x) = log (K - 1)! + (K - 1) log τ + Σₖ (lₖ - τxₖ) - K logsumexp(l - τx),

    which is log Γ(K) + (K - 1) log τ + Σₖ log softmax(l - τx)ₖ.
    """
    arg_constraints = {"temperature": constraints.positive, "probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.real_vector  # (the samples lie on a K - 1 dimensional surface in it)
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        param = probs if probs is not None else logits
        if not ops.is_tensor(param) or param.ndim < 1:
            raise ValueError(f"`{'probs' if probs is not None else 'logits'}` parameter must be an at least "
                             "one-dimensional tensor.")
        batch_shape = tuple(param.shape[:-1])
        given = tuple(temperature.shape) if ops.is_tensor(temperature) else ()
        if len(given) > len(batch_shape) or any(g not in (1, b) for g, b in zip(given[::-1], batch_shape[::-1])):
            raise ValueError(f"temperature of shape {given} does not broadcast to the batch shape {batch_shape}")
        self.temperature, _ = broadcast_all(temperature, param[..., 0])
        super().__init__(probs, logits, validate_args)

    def rsample(self, sample_shape=()):
        """s - logsumexp(s), s = (l + G) / τ, G = -log(-log U) with U kept a machine epsilon inside (0, 1)."""
        u = clamp_probs(self._noise(rand, sample_shape, self.logits))
        gumbels = -ops.log(-ops.log(u))
        scores = (self.logits + gumbels) / ops.unsqueeze(self.temperature, -1)
        return scores - ops.logsumexp(scores, -1, keepdim=True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self._event_shape[0]
        scores = self.logits - value * ops.unsqueeze(self.temperature, -1)
        log_scale = math.lgamma(k) + (k - 1) * ops.log(self.temperature)
        return ops.sum(scores - ops.logsumexp(scores, -1, keepdim=True), -1) + log_scale


class RelaxedOneHotCategorical(_ReadsItsBase, TransformedDistribution):
    """A relaxed one-hot categorical (Concrete, Gumbel-softmax) on the simplex: Y = exp(X) = softmax((l + G) / τ)
    with X ~ ``ExpRelaxedCategorical(temperature, probs, logits)``; Y tends to a one-hot draw as τ -> 0. Its
    log-density is the base's at log y minus Σₖ log yₖ (``ExpTransform``)."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.simplex

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)
