"""``TransformedDistribution``: the distribution of Y = f(X) for X from a base distribution and f a chain of
transforms (``transforms.py``), and the distributions PyTorch builds that way: ``LogNormal``, ``Gumbel``,
``Weibull``, ``HalfNormal``, ``HalfCauchy`` and ``LogisticNormal``.

Sampling pushes base samples through the transforms (gradients flow back through them: a reparameterized base
gives reparameterized samples). The density comes from the change of variables, one transform at a time from
the last back to the first:

    log p_Y(y) = log p_X(x) - log|det ∂y/∂x|,   x = f⁻¹(y),

and the cdf from the base's cdf, flipped (1 - F) when the chain is decreasing: P(Y <= y) = P(X <= f⁻¹(y)) for an
increasing f, P(X >= f⁻¹(y)) for a decreasing one.
"""
import math

import numpy

from ... import ops
from ..creation import full
from ..grad_mode import no_grad
from . import constraints
from .continuous import Exponential, Normal, Uniform
from .distribution import Distribution
from .independent import Independent
from .more_continuous import Cauchy
from .transform import ComposeTransform, Transform, _with_event_dim
from .transforms import AbsTransform, AffineTransform, ExpTransform, PowerTransform, StickBreakingTransform
from .utils import as_size, broadcast_all, sum_rightmost

_EULER_GAMMA = 0.57721566490153286061


class TransformedDistribution(Distribution):
    """Y = fₙ(...f₁(X)), X ~ ``base_distribution``, for ``transforms`` [f₁, ..., fₙ] (or a single transform).

    Shapes: the transforms may broadcast the base's batch shape (a base Normal(0, 1) with AffineTransform(loc,
    scale) of shape (3,) has batch shape (3,)), and may consume event dims: a transform of vectors (domain
    event_dim 1, like stick-breaking) over a base of numbers treats the base's last batch dim as the event
    (``Independent``), so that the density of a vector is the product over its entries.
    """
    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not (isinstance(transforms, list) and all(isinstance(t, Transform) for t in transforms)):
            raise ValueError(f"transforms must be a Transform or a list of Transforms, but was {transforms}")
        self.transforms = transforms
        chain = ComposeTransform(transforms)
        base_shape = base_distribution.batch_shape + base_distribution.event_shape
        base_event_dim, domain_event_dim = len(base_distribution.event_shape), chain.domain.event_dim
        if len(base_shape) < domain_event_dim:
            raise ValueError(f"base_distribution needs to have shape with size at least {domain_event_dim}, but "
                             f"got {base_shape}.")
        shape = chain.forward_shape(base_shape)
        base_full_shape = chain.inverse_shape(shape)  # the base, broadcast by the transforms' parameters
        if tuple(base_full_shape) != tuple(base_shape):
            base_distribution = base_distribution.expand(base_full_shape[:len(base_full_shape) - base_event_dim])
        if domain_event_dim > base_event_dim:
            base_distribution = Independent(base_distribution, domain_event_dim - base_event_dim)
        self.base_dist = base_distribution
        # the events of y: what the last transform makes of one event, plus base event dims no transform touched
        event_dim = chain.codomain.event_dim + max(base_event_dim - domain_event_dim, 0)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def support(self):
        """Where the last transform maps to (the base's support if there are no transforms)."""
        if not self.transforms:
            return self.base_dist.support
        return _with_event_dim(self.transforms[-1].codomain, len(self._event_shape))

    def expand(self, batch_shape, _instance=None):
        """Expand the tensors the distribution holds itself (as every distribution does) and the base, at the
        shape the transforms map back to from the new batch shape."""
        new = super().expand(batch_shape, _instance)
        shape = ComposeTransform(self.transforms).inverse_shape(as_size(batch_shape) + self._event_shape)
        new.base_dist = self.base_dist.expand(shape[:len(shape) - len(self.base_dist.event_shape)])
        return new

    def _forward(self, x):
        for transform in self.transforms:
            x = transform(x)
        return x

    def sample(self, sample_shape=()):
        with no_grad():
            return self._forward(self.base_dist.sample(sample_shape))

    def rsample(self, sample_shape=()):
        return self._forward(self.base_dist.rsample(sample_shape))

    def log_prob(self, value):
        """Undo the transforms from the last to the first, subtracting each one's log|det J|; then add the base's
        log-density. ``event_dim`` counts the dims of one event at each stage: a log-det of a transform with a
        smaller event is summed over the rest of the event."""
        if self._validate_args:
            self._validate_sample(value)
        event_dim = len(self._event_shape)
        log_prob, y = 0.0, value
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain.event_dim - transform.codomain.event_dim
            log_prob = log_prob - sum_rightmost(transform.log_abs_det_jacobian(x, y),
                                                event_dim - transform.domain.event_dim)
            y = x
        return log_prob + sum_rightmost(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value):
        """F for an increasing chain; 1 - F for a decreasing one (sign -1): sign·(F - ½) + ½ covers both."""
        sign = ComposeTransform(self.transforms).sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value):
        """P(Y <= y) from the base cdf at x = f⁻¹(y). Needs monotonic transforms (with a ``sign``)."""
        for transform in reversed(self.transforms):
            value = transform.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value):
        return self._forward(self.base_dist.icdf(self._monotonize_cdf(value)))


class LogNormal(TransformedDistribution):
    """X = e^Y with Y ~ N(μ = loc, σ² = scale²):

        p(x) = exp(-(log x - μ)² / (2σ²)) / (x σ √(2π)),   x > 0,

    the change of variables for exp, whose log|dy/dx| is log x = y: log p(x) = log p_Y(log x) - log x.
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(),
                         validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    def entropy(self):
        """H = H(Y) + E[Y] = ½ + ½ log 2π + log σ + μ (the entropy grows by E[log|dx/dy|])."""
        return self.base_dist.entropy() + self.loc

    @property
    def mean(self):
        return ops.exp(self.loc + self.scale ** 2 / 2)

    @property
    def mode(self):
        return ops.exp(self.loc - self.scale ** 2)

    @property
    def variance(self):
        """(e^(σ²) - 1) e^(2μ + σ²), with expm1 for small σ."""
        return ops.expm1(self.scale ** 2) * ops.exp(2 * self.loc + self.scale ** 2)


class Gumbel(TransformedDistribution):
    """The Gumbel (type I extreme value) distribution with location μ = loc and scale β = scale > 0 — the law of
    the maximum of many independent draws:

        p(x) = exp(-(z + e^(-z))) / β,   z = (x - μ)/β;   P(X <= x) = exp(-e^(-z)).

    Samples are μ - β log(-log U), U uniform: the inverse of that cdf, as the four transforms log, ×(-1), log,
    μ - β·(·). U is drawn from [tiny, 1 - eps] of the dtype so that both logs stay finite.
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        finfo = numpy.finfo(self.loc.dtype)
        base = Uniform(ops.full_like(self.loc, float(finfo.tiny)), ops.full_like(self.loc, 1 - float(finfo.eps)),
                       validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(0.0, -1.0), ExpTransform().inv,
                      AffineTransform(self.loc, -self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def log_prob(self, value):
        """log p(x) = -z - e^(-z) - log β, directly (the chain of transforms would give it less accurately)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -z - ops.exp(-z) - ops.log(self.scale)

    def entropy(self):
        """H = log β + 1 + γ (γ: the Euler-Mascheroni constant)."""
        return ops.log(self.scale) + 1 + _EULER_GAMMA

    @property
    def mean(self):
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.pi / math.sqrt(6) * self.scale

    @property
    def variance(self):
        return self.stddev ** 2


class Weibull(TransformedDistribution):
    """The Weibull distribution with scale λ = scale > 0 and shape k = concentration > 0:

        p(x) = (k/λ) (x/λ)^(k-1) e^(-(x/λ)^k),   P(X <= x) = 1 - e^(-(x/λ)^k),   x > 0.

    X = λ E^(1/k) with E ~ Exponential(1): a power and a scaling of an exponential draw.
    """
    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        base = Exponential(ops.ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(1 / self.concentration), AffineTransform(0.0, self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def entropy(self):
        """H = γ (1 - 1/k) + log(λ/k) + 1."""
        return _EULER_GAMMA * (1 - 1 / self.concentration) + ops.log(self.scale / self.concentration) + 1

    @property
    def mean(self):
        """λ Γ(1 + 1/k)."""
        return self.scale * ops.exp(ops.lgamma(1 + 1 / self.concentration))

    @property
    def mode(self):
        """λ ((k - 1)/k)^(1/k) for k > 1; 0 for k <= 1, where the density decreases from its value at 0.
        (PyTorch applies the formula for every k, which gives NaN or a wrong number for k < 1.)"""
        k = self.concentration
        return self.scale * ops.clamp((k - 1) / k, min=0.0) ** (1 / k)

    @property
    def variance(self):
        """λ² (Γ(1 + 2/k) - Γ(1 + 1/k)²)."""
        k = self.concentration
        return self.scale ** 2 * (ops.exp(ops.lgamma(1 + 2 / k)) - ops.exp(2 * ops.lgamma(1 + 1 / k)))


class _Folded(TransformedDistribution):
    """|X| for X symmetric about 0: the density doubles on x >= 0 (x and -x both map there),

        p(x) = 2 p_X(x),   P(|X| <= x) = 2 F_X(x) - 1,   x >= 0.

    |x| is not bijective, so the change of variables does not apply: these formulas replace it.
    """
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, base, validate_args=None):
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def scale(self):
        return self.base_dist.scale

    def log_prob(self, value):
        """log p(x) = log p_X(x) + log 2 for x >= 0, -inf below (reachable with validation off)."""
        if self._validate_args:
            self._validate_sample(value)
        return ops.where(ops.ge(value, 0), self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """x = F_X⁻¹((p + 1) / 2)."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """H = H(X) - log 2: half the support, twice the density."""
        return self.base_dist.entropy() - math.log(2)

    @property
    def mode(self):
        return ops.zeros_like(self.scale)


class HalfNormal(_Folded):
    """|X| for X ~ N(0, scale²): p(x) = √(2/π) / σ · exp(-x² / (2σ²)), x >= 0."""

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0.0, scale, validate_args=validate_args), validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale ** 2 * (1 - 2 / math.pi)


class HalfCauchy(_Folded):
    """|X| for X ~ Cauchy(0, scale): p(x) = 2 / (π γ (1 + (x/γ)²)), x >= 0. Its mean and variance are infinite."""

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0.0, scale, validate_args=validate_args), validate_args=validate_args)

    @property
    def mean(self):
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype, device=self.scale.device)

    @property
    def variance(self):
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype, device=self.scale.device)


class LogisticNormal(TransformedDistribution):
    """Probability vectors of K + 1 entries from K independent normals N(loc, scale²) (the last dim of ``loc``
    and ``scale``), by stick-breaking (``StickBreakingTransform``): a distribution on the simplex whose
    parameters, unlike a Dirichlet's, can express correlations and are reparameterized."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:  # a single normal: a vector of one entry
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
