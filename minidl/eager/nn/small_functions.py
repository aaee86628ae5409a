"""Small functions of ``nn.functional``, each a few ops (re-exported by ``functional.py``; their layers are in
``small_layers.py``, ``activation.py`` and ``normalization.py``):

* ``glu`` — the gated linear unit (Dauphin et al., 2017): split x in halves a, b along ``dim``; a · σ(b).
* ``gumbel_softmax`` — a differentiable sample of a categorical distribution: softmax((logits + g) / τ) with g
  Gumbel noise; ``hard=True`` returns the one-hot argmax but the gradient of the soft sample.
* ``alpha_dropout`` / ``feature_alpha_dropout`` — dropout that keeps SELU activations at mean 0 and variance 1
  (Klambauer et al., 2017), of single values or of whole channels.
* ``local_response_norm`` — each value divided by the activity of its neighbouring channels (AlexNet).
* ``channel_shuffle`` — interleave the channels of ``groups`` groups (ShuffleNet).
* ``hardshrink`` / ``softshrink`` — small values set to 0 (and, for soft, the others moved towards 0).
* ``rrelu`` — the leaky relu with a random negative slope in training.
* ``rms_norm`` — root-mean-square normalization (LayerNorm without the mean).
* ``pad`` — the op (``ops/combine.py``) with PyTorch's rule for its reflect/replicate/circular modes: they pad
  the last 1, 2 or 3 dims of an input that has exactly those plus a channel dim (and maybe a batch dim).

Their gradients come from the ops they are made of; the random ones draw from the eager default generator
(``manual_seed`` reproduces them).
"""
import math
import numbers
import warnings

import numpy

from ... import ops
from ...ops.base import OpError, describe, is_tensor
from ...ops.infer import normalize_dim
from ...ops.losses import float_input
from ...ops.shape import ints
from ...ops.windows import sliding_sum
from ..creation import empty, empty_like
from ..random import default_generator

__all__ = ["glu", "gumbel_softmax", "alpha_dropout", "feature_alpha_dropout", "local_response_norm",
           "channel_shuffle", "hardshrink", "softshrink", "rrelu", "rms_norm"]


def glu(input, dim=-1):
    """``a · sigmoid(b)`` where a and b are the first and second half of ``input`` along ``dim`` (whose size must
    be even): the sigmoid half gates the other."""
    if not is_tensor(input):
        raise TypeError(f"glu(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim == 0:
        raise OpError("glu does not support scalars because halving size must be even")
    dim = normalize_dim("glu", dim, input.ndim, input)
    if input.shape[dim] % 2:
        raise OpError(f"glu: Halving dimension must be even, but dimension {dim} is size "
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
    """Alpha dropout: each value is set, with probability ``p``, to SELU's saturation value α' = -λα ≈ -1.758
    (instead of 0, which is not where SELU activations rest), then an affine map ``a · x + b`` restores the mean
    0 and variance 1 of the input::

        a = ((1 - p) (1 + p α'²))^(-1/2),    b = -a α' p

    (a kept value x has mean 0 and variance 1 and is kept with probability 1 - p: the mixture with α' has mean
    p α' and variance (1 - p)(1 + p α'²), which a and b undo). The identity unless ``training`` (whose default
    is False here, as in PyTorch)."""
    return _alpha_dropout(input, p, training, inplace, per_channel=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels: for an (N, C, ...) input, one draw per (sample, channel), shared by every
    position of that channel (``dropout2d`` to ``alpha_dropout``'s ``dropout``); the same a and b. A 2-D input
    (N, C) drops single values. The identity unless ``training``."""
    return _alpha_dropout(input, p, training, inplace, per_channel=True)


def _alpha_dropout(input, p, training, inplace, per_channel):
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:  # every value dropped: a would be 1/0; PyTorch returns zeros
        return input._inplace(lambda t: t * 0) if inplace else input * 0
    shape = tuple(input.shape)
    if per_channel:
        if input.ndim < 2:
            raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (got {describe(input)})")
        shape = shape[:2] + (1,) * (input.ndim - 2)  # broadcast over the channel's positions
    keep = ops.cast(ops.dropout_mask(empty(*shape, device=input.device), p, generator=default_generator),
                    input.dtype)
    a = 1 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))

    def dropped(x):  # a · (x where kept, α' where dropped) + b, with α' = -_SELU_SATURATION
        return (x * keep + (keep - 1) * _SELU_SATURATION + _SELU_SATURATION * p) * a
    return input._inplace(dropped) if inplace else dropped(input)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``x_c / (k + alpha/size · Σ x_{c'}²)^beta``, the sum over the ``size`` channels c' from c - size//2 to
    c + (size - 1)//2 (zero beyond the first and last channel), for input (N, C, ...) with at least 3 dims."""
    if not is_tensor(input):
        raise TypeError(f"local_response_norm(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size <= 0:
        raise ValueError(f"local_response_norm: size (the number of channels summed) must be a positive int, got "
                         f"{size!r}")
    if input.numel() == 0:
        return input
    window_sum = sliding_sum(input * input, 1, size // 2, (size - 1) // 2)
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


# -------------------------------------------------------------------------------- shrinkage and random relu

def hardshrink(input, lambd=0.5):
    """``x`` where |x| > lambd, else 0: small values are zeroed, the others kept as they are. The gradient is 1
    where x is kept, 0 elsewhere."""
    float_input("hardshrink", input)
    # "0 where |x| <= lambd" rather than "x where |x| > lambd": NaN fails both tests and must stay NaN
    return ops.where(ops.abs(input) <= lambd, 0.0, input)


def softshrink(input, lambd=0.5):
    """``x - lambd`` where x > lambd, ``x + lambd`` where x < -lambd, else 0: every value moved ``lambd`` towards
    0, stopping at 0. That is ``x - clamp(x, -lambd, lambd)`` — the proximal step of the L1 penalty lambd·|x|
    (lasso solvers) — whose gradient is 1 outside [-lambd, lambd] and 0 inside."""
    float_input("softshrink", input)
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}")
    return input - ops.clamp(input, -lambd, lambd)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """The randomized leaky relu (Xu et al., 2015): ``x`` for x > 0, ``a · x`` otherwise. In training every
    element draws its own slope a ~ U(lower, upper) (noise that regularizes, like dropout); in evaluation a is
    the mean slope (lower + upper) / 2. The gradient is 1 for x > 0, else the slope a that was used."""
    float_input("rrelu", input)
    if lower > upper:
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper bound (got lower={lower}, "
                           f"upper={upper})")
    if training:
        slope = empty_like(input).uniform_(lower, upper, generator=default_generator)
    else:
        slope = (lower + upper) / 2

    def leaky(x):
        return ops.where(x > 0, x, x * slope)
    return input._inplace(leaky) if inplace else leaky(input)


# ------------------------------------------------------------------------------------------------- rms_norm

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalization over the last ``len(normalized_shape)`` dims, which must equal
    ``normalized_shape``::

        y = x / sqrt(mean(x²) + eps) * weight

    ``weight`` (optional) has the shape ``normalized_shape``; ``eps=None`` means the machine epsilon of the
    input's dtype (``finfo(x.dtype).eps``). The result has the input's dtype."""
    normalized_shape = ints("rms_norm", normalized_shape, "normalized_shape")
    float_input("rms_norm", input)
    k = len(normalized_shape)
    if k == 0:
        raise OpError("rms_norm: Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                      "one element, but got normalized_shape = []")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise OpError(f"rms_norm: Given normalized_shape={list(normalized_shape)}, expected input with shape "
                      f"[*, {', '.join(map(str, normalized_shape))}], but got input {describe(input)}")
    if weight is not None and (not is_tensor(weight) or tuple(weight.shape) != normalized_shape):
        raise OpError(f"rms_norm: Expected weight to be of same shape as normalized_shape, but got weight "
                      f"{describe(weight) if is_tensor(weight) else type(weight).__name__} and normalized_shape = "
                      f"{list(normalized_shape)}")
    if eps is None:
        eps = float(numpy.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * ops.rsqrt(ops.mean(input * input, dims, keepdim=True) + eps)
    return y if weight is None else y * ops.cast(weight, input.dtype)


def pad(input, pad, mode="constant", value=None):
    """``F.pad`` (module docstring): ``pad = (left, right, top, bottom, ...)``, last dim first."""
    if mode != "constant" and is_tensor(input):
        spatial = len(pad) // 2
        if not 1 <= spatial <= 3 or input.ndim not in (spatial + 1, spatial + 2):
            raise OpError(f"pad: {mode} padding of {spatial} dims needs a {spatial + 1}-d (channels, ...) or "
                          f"{spatial + 2}-d (batch, channels, ...) input, got {describe(input)}; only the last 1, "
                          f"2 or 3 dims are padded in this mode")
    return ops.pad(input, pad, mode, value)
