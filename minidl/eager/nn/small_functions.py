"""Five small functions of ``nn.functional``, each a few ops (re-exported by ``functional.py``; their layers are in
``small_layers.py``):

* ``glu`` — the gated linear unit (Dauphin et al., 2017): split x in halves a, b along ``dim``; a · σ(b).
* ``gumbel_softmax`` — a differentiable sample of a categorical distribution: softmax((logits + g) / τ) with g
  Gumbel noise; ``hard=True`` returns the one-hot argmax but the gradient of the soft sample.
* ``alpha_dropout`` — dropout that keeps SELU activations at mean 0 and variance 1 (Klambauer et al., 2017).
* ``local_response_norm`` — each value divided by the activity of its neighbouring channels (AlexNet).
* ``channel_shuffle`` — interleave the channels of ``groups`` groups (ShuffleNet).

Their gradients come from the ops they are made of; the random ones draw from the eager default generator
(``manual_seed`` reproduces them).
"""
import math
import numbers
import warnings

from ... import ops
from ...ops.base import OpError, describe, is_tensor
from ..creation import empty_like
from ..random import default_generator

__all__ = ["glu", "gumbel_softmax", "alpha_dropout", "local_response_norm", "channel_shuffle"]


def glu(input, dim=-1):
    """``a · sigmoid(b)`` where a and b are the first and second half of ``input`` along ``dim`` (whose size must
    be even): the sigmoid half gates the other."""
    if not is_tensor(input):
        raise TypeError(f"glu(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim == 0:
        raise OpError("glu does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise OpError(f"glu: Halving dimension must be even, but dimension {dim % input.ndim} is size "
                      f"{input.shape[dim]}")
    a, b = ops.chunk(input, 2, dim)
    return a * ops.sigmoid(b)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution (Jang et al., 2016; Maddison et al., 2016):
    ``softmax((logits + g) / tau, dim)`` with g = -log(E), E ~ Exponential(1) — g is Gumbel(0, 1) noise, and
    the argmax of logits + g is a sample of the categorical distribution softmax(logits). A small ``tau`` makes
    the soft sample nearly one-hot. ``hard``: the one-hot argmax in the forward pass, the soft sample's gradient
    in the backward (the straight-through estimator ``y_hard - y_soft.detach() + y_soft``). ``eps`` is ignored
    (deprecated in PyTorch)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning, stacklevel=2)
    gumbels = -ops.log(empty_like(logits).exponential_(generator=default_generator))
    soft = ops.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    index = ops.argmax(soft, dim, keepdim=True)
    one_hot = ops.scatter(ops.zeros_like(logits), dim, index, 1.0)
    return one_hot - soft.detach() + soft


# SELU's negative saturation value -λα (see functional.selu): where alpha dropout puts the dropped values
_SELU_SATURATION = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout: each value is set, with probability ``p``, to SELU's saturation value -λα ≈ -1.758 (instead
    of 0, which is not where SELU activations rest), then ``a · x + b`` restores the mean 0 and variance 1 of the
    input: ``a = ((1 - p)(1 + p α'²))^(-1/2)`` with α' = -λα, ``b = -a α' p``. The identity unless ``training``
    (whose default is False here, as in PyTorch)."""
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:  # every value dropped: a would be 1/0; PyTorch returns zeros
        return input._inplace(lambda t: t * 0) if inplace else input * 0
    keep = ops.cast(ops.dropout_mask(input, p, generator=default_generator), input.dtype)
    a = 1 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))

    def dropped(x):  # a · (x where kept, α' where dropped) + b, with α' = -_SELU_SATURATION
        return (x * keep + (keep - 1) * _SELU_SATURATION + _SELU_SATURATION * p) * a
    # in place, the ops get a copy of the input: their backward may read it, which the write would overwrite
    return input._inplace(lambda t: dropped(ops.clone(t))) if inplace else dropped(input)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``x_c / (k + alpha/size · Σ x_{c'}²)^beta``, the sum over the ``size`` channels c' from c - size//2 to
    c + (size - 1)//2 (zero beyond the first and last channel), for input (N, C, ...) with at least 3 dims."""
    if not is_tensor(input):
        raise TypeError(f"local_response_norm(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    # the squares, zero-padded along the channels so that window c is channels c .. c + size - 1 of the padding
    squares = ops.pad(input * input, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    window_sum = sum(ops.narrow(squares, 1, start, channels) for start in range(size))
    return input / (window_sum * (alpha / size) + k) ** beta


def channel_shuffle(input, groups):
    """Reorder the C channels of ``input`` (N, C, ...) from group-major to group-minor: with g groups of C/g,
    channel j of group i moves to position j·g + i, so the next grouped convolution mixes the groups."""
    if not is_tensor(input):
        raise TypeError(f"channel_shuffle(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim <= 2:
        raise OpError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if not isinstance(groups, numbers.Integral) or groups <= 0:
        raise OpError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, channels, *rest = input.shape
    if channels % groups:
        raise OpError(f"Number of channels must be divisible by groups. Got {channels} channels and {groups} "
                      f"groups. (input {describe(input)})")
    grouped = ops.reshape(input, (n, groups, channels // groups, *rest))
    return ops.reshape(ops.transpose(grouped, 1, 2), tuple(input.shape))
