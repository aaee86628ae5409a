"""The transforms (``torch.distributions.transforms``): elementwise maps (exp, powers, sigmoid, softplus, tanh,
|x|, affine, a distribution's cdf) and maps from vectors to probability vectors (softmax, stick-breaking). What a
transform is and how a chain of them changes a density is explained in ``transform.py``, which holds the base
class and ``ComposeTransform``; the transforms that rearrange or combine others (``IndependentTransform``,
``ReshapeTransform``, ``CatTransform``, ``StackTransform``) are in ``structured_transforms.py``, those to
triangular and positive-definite matrices in ``cholesky_transforms.py``. This module is PyTorch's namespace for
all of them.
"""
import math
import numbers

import numpy

from ... import ops
from ..creation import arange
from ..tensor import Size, Tensor
from . import constraints
from .cholesky_transforms import CorrCholeskyTransform, LowerCholeskyTransform, PositiveDefiniteTransform
from .structured_transforms import CatTransform, IndependentTransform, ReshapeTransform, StackTransform
from .transform import ComposeTransform, Transform, _ParameterFree, identity_transform
from .utils import broadcast_all, sum_rightmost

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "identity_transform"]

class ExpTransform(_ParameterFree):
    """y = eˣ: dy/dx = eˣ = y, so log|dy/dx| = x."""
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return ops.exp(x)

    def _inverse(self, y):
        return ops.log(y)

    def log_abs_det_jacobian(self, x, y):
        return x


class PowerTransform(Transform):
    """y = xᵖ on positive numbers, p = ``exponent``: log|dy/dx| = log|p·xᵖ⁻¹| = log|p·y/x|."""
    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def _arguments(self):
        return (self.exponent,)

    @property
    def sign(self):
        return ops.sign(self.exponent)

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and bool(ops.all(ops.eq(self.exponent, other.exponent)))

    def _call(self, x):
        return x ** self.exponent

    def _inverse(self, y):
        return y ** (1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return ops.log(ops.abs(self.exponent * y / x))

    def forward_shape(self, shape):
        return Size(numpy.broadcast_shapes(tuple(shape), tuple(self.exponent.shape)))

    inverse_shape = forward_shape


class SigmoidTransform(_ParameterFree):
    """y = σ(x) = 1 / (1 + e⁻ˣ), inverse the logit log(y / (1 - y)). dy/dx = σ(x)(1 - σ(x)), and
    log σ(x) = -softplus(-x), log(1 - σ(x)) = -softplus(x), so log|dy/dx| = -softplus(-x) - softplus(x), exact
    even where σ(x) rounds to 0 or 1.

    y is kept within [tiny, 1 - eps] of its dtype (as PyTorch does), so that its logit and log stay finite.
    """
    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def _call(self, x):
        return _inside_unit_interval(ops.sigmoid(x))

    def _inverse(self, y):
        y = _inside_unit_interval(y)
        return ops.log(y) - ops.log1p(-y)

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x) - _softplus(x)


class SoftplusTransform(_ParameterFree):
    """y = softplus(x) = log(1 + eˣ), from the reals to the positive numbers; y = x above x = 20 (PyTorch's
    threshold, where the two differ by less than e⁻²⁰).

    Inverse: eʸ = 1 + eˣ, so x = log(eʸ - 1) = y + log(1 - e⁻ʸ) = y + log(-expm1(-y)), exact for small y too.
    dy/dx = σ(x) = eˣ / (1 + eˣ), so log|dy/dx| = -softplus(-x).
    """
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return ops.softplus(x)

    def _inverse(self, y):
        return ops.log(-ops.expm1(-y)) + y

    def log_abs_det_jacobian(self, x, y):
        return -ops.softplus(-x)


def _inside_unit_interval(y):
    finfo = numpy.finfo(y.dtype)
    return ops.clamp(y, min=float(finfo.tiny), max=1 - float(finfo.eps))


def _softplus(x):
    """log(1 + eˣ), exact for every x (no switch to x above a threshold)."""
    return ops.softplus(x, threshold=math.inf)


class TanhTransform(_ParameterFree):
    """y = tanh(x), inverse atanh(y) = ½ log((1 + y) / (1 - y)). dy/dx = 1 - tanh²(x) = 4 / (eˣ + e⁻ˣ)², so

        log|dy/dx| = 2 (log 2 - x - softplus(-2x)),

    which stays finite where 1 - tanh²(x) would round to 0. See the module docstring for ``cache_size=1``.
    """
    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def _call(self, x):
        return ops.tanh(x)

    def _inverse(self, y):
        return ops.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        return 2 * (math.log(2) - x - _softplus(-2 * x))


class AbsTransform(_ParameterFree):
    """y = |x|: not bijective (±x have the same image); ``inv`` returns the non-negative preimage."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return ops.abs(x)

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """y = loc + scale · x, elementwise; ``loc`` and ``scale`` are numbers or tensors (that broadcast with x).

    dy/dx = scale for each element, so log|det J| = Σ log|scale| over the elements of one event: with
    ``event_dim=1`` x is a vector and the Jacobian is the diagonal matrix diag(scale).
    """
    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc, self.scale = loc, scale
        self._event_dim = event_dim

    @property
    def domain(self):
        return constraints.real if self._event_dim == 0 else constraints.independent(constraints.real,
                                                                                     self._event_dim)

    codomain = domain

    def _arguments(self):
        return self.loc, self.scale, self._event_dim

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            return 1 if self.scale > 0 else -1 if self.scale < 0 else 0
        return ops.sign(self.scale)

    def __eq__(self, other):
        return (isinstance(other, AffineTransform) and self._event_dim == other._event_dim
                and _same_values(self.loc, other.loc) and _same_values(self.scale, other.scale))

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        """log|scale| at every element of x (broadcast to x's shape), summed over each event's elements.
        (PyTorch sums a tensor scale over its own event dims before broadcasting, which undercounts a scale that
        broadcasts along the event, e.g. a scalar tensor with event_dim=1; here every element counts.)"""
        if isinstance(self.scale, numbers.Real):
            log_scale = ops.full_like(x, math.log(abs(self.scale)))
        else:
            log_scale = ops.log(ops.abs(self.scale)) + ops.zeros_like(x)
        return sum_rightmost(log_scale, self._event_dim)

    def forward_shape(self, shape):
        params = [tuple(p.shape) for p in (self.loc, self.scale) if isinstance(p, Tensor)]
        return Size(numpy.broadcast_shapes(tuple(shape), *params))

    inverse_shape = forward_shape

    def __repr__(self):
        return f"AffineTransform(loc={self.loc!r}, scale={self.scale!r}, event_dim={self._event_dim})"


def _same_values(a, b):
    """Numbers or tensors with equal values everywhere."""
    return bool(ops.all(ops.eq(a, b))) if isinstance(a, Tensor) or isinstance(b, Tensor) else a == b


class SoftmaxTransform(_ParameterFree):
    """y = softmax(x) = eˣ / Σ eˣ over the last dim: from unconstrained vectors to probability vectors.

    Not bijective: adding a constant to every xₖ gives the same y. ``inv`` returns log y, the preimage whose
    exponentials sum to 1. (Its Jacobian is singular, so there is no ``log_abs_det_jacobian``; the stick-breaking
    transform is the bijective way to the simplex.)
    """
    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        return ops.softmax(x, -1)

    def _inverse(self, y):
        return ops.log(y)


class StickBreakingTransform(_ParameterFree):
    """A bijection from vectors of K real numbers to probability vectors of K + 1: break a stick of length 1,
    taking the fraction zᵢ = σ(xᵢ - log(K - i)) (i = 0..K-1) of what remains at each step:

        yᵢ = zᵢ Πⱼ<ᵢ (1 - zⱼ),   y_K = Πⱼ (1 - zⱼ)   (what is left at the end).

    The offset log(K - i) makes x = 0 give the uniform vector. yᵢ depends only on x₀..xᵢ, so the Jacobian of
    the first K outputs is triangular, with diagonal ∂yᵢ/∂xᵢ = yᵢ (1 - zᵢ):

        log|det J| = Σᵢ (log yᵢ + log σ(-(xᵢ - log(K - i)))).
    """
    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    @staticmethod
    def _offset(k, like):
        """log(K - i) for i = 0..K-1, in ``like``'s dtype and on its device."""
        return ops.log(arange(k, 0, -1, dtype=like.dtype, device=like.device))

    def _call(self, x):
        # zᵢ within [tiny, 1 - eps] (as PyTorch): a z that rounds to 1 would leave exact zeros behind it, a -inf
        # log|det J| and NaN gradients (x₀ > 17 does it in float32)
        z = _inside_unit_interval(ops.sigmoid(x - self._offset(x.shape[-1], x)))
        remaining = ops.cumprod(1 - z, -1)  # the stick left after each break
        return ops.pad(z, (0, 1), value=1.0) * ops.pad(remaining, (1, 0), value=1.0)

    def _inverse(self, y):
        """zᵢ = yᵢ / (1 - Σⱼ<ᵢ yⱼ), so logit(zᵢ) = log yᵢ - log(1 - Σⱼ≤ᵢ yⱼ); then add the offset back."""
        head = y[..., :-1]
        remaining = ops.clamp(1 - ops.cumsum(head, -1), min=float(numpy.finfo(y.dtype).tiny))
        return ops.log(head) - ops.log(remaining) + self._offset(head.shape[-1], head)

    def log_abs_det_jacobian(self, x, y):
        shifted = x - self._offset(x.shape[-1], x)
        return (ops.log(y[..., :-1]) - _softplus(shifted)).sum(-1)

    def forward_shape(self, shape):
        return Size(tuple(shape[:-1]) + (shape[-1] + 1,))

    def inverse_shape(self, shape):
        return Size(tuple(shape[:-1]) + (shape[-1] - 1,))


class CumulativeDistributionTransform(Transform):
    """y = F(x), the cdf of a univariate ``distribution``: from its support to [0, 1] (the probability integral
    transform; a ``TransformedDistribution`` of a multivariate base through the normal cdf is a Gaussian copula).
    The inverse is the distribution's ``icdf``, and dy/dx = p(x), so log|dy/dx| = ``distribution.log_prob(x)``.
    """
    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _arguments(self):
        return (self.distribution,)

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
