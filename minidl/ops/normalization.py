"""Normalization layers' ops: batch_norm, layer_norm, group_norm — one fused op, ``Normalize``, behind all three.

Each of them standardizes ``x`` over some dims and then applies a learned per-feature scale and shift::

    xhat = (x - mean) / sqrt(var + eps)        mean, var (biased: divided by N) over the normalized dims
    y    = xhat * weight + bias

They differ only in the dims: batch_norm normalizes each channel over the batch and the spatial dims, layer_norm
each sample over its last dims, group_norm each (sample, group of channels). ``Normalize`` computes ``xhat`` with
its statistics in one op whose VJP is the classic compact formula (below); the affine part is ordinary ``*`` and
``+``, which gives the gradients of weight and bias for free.

**Running statistics (batch_norm).** PyTorch's ``F.batch_norm(training=True)`` updates ``running_mean`` and
``running_var`` in place. An op here is pure, so it cannot: ``batch_norm_training`` returns the new values
instead, ``(1 - momentum) * running + momentum * batch_statistic`` (the variance unbiased, N / (N - 1), as in
PyTorch), and whoever owns the buffers writes them — eager ``nn.BatchNorm2d`` copies them into its buffers under
``no_grad``, graph mode's ``layers.batch_normalization`` emits assign ops. ``batch_norm`` itself returns only the
normalized output and never touches its arguments.
"""
import math
import numbers
from collections import namedtuple

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import zeros_like
from .cast import cast
from .reduce import ReductionSize, mean
from .shape import ints, known, reshape, reshape_like
from .unary import rsqrt

__all__ = ["batch_norm", "batch_norm_training", "layer_norm", "group_norm"]

BatchNormTraining = namedtuple("BatchNormTraining", "output mean var running_mean running_var")
BatchNormTraining.__doc__ = """What ``batch_norm_training`` gives: the normalized ``output``; the batch ``mean`` and
biased ``var`` (shape (C,)) it normalized with; and the updated ``running_mean`` / ``running_var`` to store (None
where no running statistic was given)."""


class Normalize(Op):
    """``xhat = (x - mean) * s`` with ``s = 1 / sqrt(var + eps)``, statistics over ``dims``; outputs
    ``(xhat, mean, var)``, the statistics with the reduced dims kept (size 1).

    VJP, with G the gradient of xhat, averages over the normalized dims and N their element count::

        dx = s * (G - mean(G) - xhat * mean(G * xhat))      through xhat (mean and var depend on x too)
           + g_mean / N                                     through the mean output
           + g_var * 2 * xhat / (s * N)                     through the var output (2 (x - mean) / N)

    Grouped by what is full-sized: ``dx = s * G + xhat * k1 + k0`` with per-slice ``k1``, ``k0``. The VJP reads x
    and the statistics, and computes xhat again, as PyTorch's does: xhat is often the very tensor a program gets
    (``layer_norm`` without weight and bias), which may then be changed in place. It is written with ops, so
    second-order gradients flow back through this same VJP.
    """
    n_outputs = 3
    saves_outputs = (1, 2)

    @staticmethod
    def forward(xp, x, dims, eps):
        mu = x.mean(axis=dims, keepdims=True)
        xhat = x - mu
        var = xp.square(xhat).mean(axis=dims, keepdims=True)  # two passes: no cancellation as in E[x²] - E[x]²
        xhat *= (1 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        return xhat, mu, var

    @staticmethod
    def vjp(ctx, g, g_mean, g_var):
        _, mu, var = ctx.outputs
        dims = ctx.attrs["dims"]
        s = rsqrt(var + ctx.attrs["eps"])
        xhat = (ctx.inputs[0] - mu) * s
        if g is None:
            g = zeros_like(xhat)
        k1 = -s * mean(g * xhat, dims, keepdim=True)
        k0 = -s * mean(g, dims, keepdim=True)
        if g_mean is not None or g_var is not None:
            n = apply(ReductionSize, xhat, dims=dims)
            if g_mean is not None:
                k0 = k0 + g_mean / n
            if g_var is not None:
                k1 = k1 + g_var * 2 / (s * n)
        return (g * s + xhat * k1 + k0,)

    @staticmethod
    def infer(x, dims, eps):
        stats = None if x.shape is None else tuple(1 if i in dims else d for i, d in enumerate(x.shape))
        return Spec(x.shape, x.dtype), Spec(stats, x.dtype), Spec(stats, x.dtype)


def _normalize(x, dims, eps):
    return apply(Normalize, x, dims=tuple(dims), eps=float(eps))


# ------------------------------------------------------------------------------------------ checks

def _float_input(op_name, x, min_dims):
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): argument 'input' must be a tensor, not {type(x).__name__}")
    if not dtypes.is_floating_point(x.dtype):
        raise TypeError(f"{op_name}: expected a floating point input, got {describe(x)}; convert it with .float()")
    if x.ndim < min_dims:
        raise OpError(f"{op_name}: expected an input with at least {min_dims} dims (N, C, ...), got {describe(x)}")
    return x


def _check_vector(op_name, what, v, size):
    """Per-channel parameters and statistics are vectors of ``size`` (the channel count) elements."""
    if v is None:
        return
    if not is_tensor(v):
        raise TypeError(f"{op_name}: {what} must be a tensor or None, not {type(v).__name__}")
    n = math.prod(v.shape) if known(v.shape) else None
    if v.ndim != 1 or (None not in (n, size) and n != size):
        raise OpError(f"{op_name}: {what} should contain {size} elements (one per channel), got {describe(v)}")


def check_parameter_dtypes(op_name, input, named):
    """PyTorch's rule for a normalization's parameters and statistics (``named``: (name, tensor or None) pairs):
    each has the input's dtype, or float32 for a float16 input (mixed precision keeps them in float32). A float64
    weight beside float32 data is refused, as PyTorch refuses it, rather than promoting the result (or, for
    running statistics, silently keeping them in another precision)."""
    for what, v in named:
        if v is None or v.dtype == input.dtype or (input.dtype == numpy.float16 and v.dtype == numpy.float32):
            continue
        raise DtypeError(f"{op_name}: mixed dtype: expected {what} to have the input's dtype (or float32 for a "
                         f"float16 input), got {describe(v)} for input {describe(input)}")


def _per_channel(v, ndim):
    """A (C,) vector shaped (C, 1, ..., 1) to broadcast along dim 1 of an ``ndim``-d (N, C, ...) tensor."""
    return v if ndim <= 2 else reshape(v, (-1,) + (1,) * (ndim - 2))


def _affine(xhat, weight, bias):
    """``xhat * weight + bias``, either part optional (already shaped to broadcast)."""
    y = xhat if weight is None else xhat * weight
    return y if bias is None else y + bias


def _in_float32(input):
    """A float16 input is normalized in float32 and handed back in float16, as PyTorch does (with float16 or with
    float32 parameters and statistics alike): in float16 the squared deviations overflow (past 65504) as soon as
    activations spread more than ~256 from their mean, and the variance, hence the output, would be inf and 0."""
    return input.dtype == numpy.float16


def _float32(*tensors):
    """The parameters and statistics of a float16 input's normalization, in float32 with the input (None stays)."""
    return tuple(None if t is None else cast(t, numpy.float32) for t in tensors)


# ------------------------------------------------------------------------------------------ batch_norm

def _batch_norm_args(op_name, x, running_mean, running_var, weight, bias, momentum, eps, training):
    _float_input(op_name, x, 2)
    channels = x.shape[1]
    named = (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias))
    for what, v in named:
        _check_vector(op_name, what, v, channels)
    check_parameter_dtypes(op_name, x, named)
    for what, v in (("momentum", momentum), ("eps", eps)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{op_name}: {what} must be a number, got {v!r}")
    # (a negative eps can make var + eps negative: NaN everywhere)
    if not (eps > 0 if training else eps >= 0):
        raise ValueError(f"{op_name} eps must be {'positive during training' if training else 'non-negative'}, but "
                         f"got {eps}")


def batch_norm_training(input, running_mean=None, running_var=None, weight=None, bias=None, momentum=0.1,
                        eps=1e-5):
    """Training-mode batch normalization, pure: returns ``BatchNormTraining(output, mean, var, running_mean,
    running_var)``.

    ``input`` is (N, C, ...); each channel is normalized with its batch mean and biased variance over N and the
    spatial dims. The returned running statistics are the *new* values for the caller to store::

        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)     (unbiased, as PyTorch)

    (PyTorch's ``momentum=None``, a cumulative average, is the layer's business: it passes 1 / batches_seen.)
    Compute them without recording gradients (under ``no_grad``), or detach them, before storing.
    """
    _batch_norm_args("batch_norm", input, running_mean, running_var, weight, bias, momentum, eps, True)
    if _in_float32(input):  # (the batch mean and var stay float32; the running ones keep their own dtype)
        result = batch_norm_training(*_float32(input, running_mean, running_var, weight, bias), momentum, eps)
        return result._replace(
            output=cast(result.output, numpy.float16),
            running_mean=None if running_mean is None else cast(result.running_mean, running_mean.dtype),
            running_var=None if running_var is None else cast(result.running_var, running_var.dtype))
    dims = (0,) + tuple(range(2, input.ndim))
    per_channel = [input.shape[d] for d in dims]
    if known(per_channel) and math.prod(per_channel) == 1:
        raise OpError(f"batch_norm: expected more than 1 value per channel when training, got input size "
                      f"{list(input.shape)}")
    xhat, mu, var = _normalize(input, dims, eps)
    output = _affine(xhat, *(None if v is None else _per_channel(v, input.ndim) for v in (weight, bias)))
    mu, var = reshape(mu, (-1,)), reshape(var, (-1,))
    new_mean = new_var = None
    if running_mean is not None:
        new_mean = running_mean * (1 - momentum) + mu * momentum
    if running_var is not None:
        n = apply(ReductionSize, input, dims=dims)
        new_var = running_var * (1 - momentum) + var * (n / (n - 1)) * momentum
    return BatchNormTraining(output, mu, var, new_mean, new_var)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalization of an (N, C, ...) input, per channel (PyTorch's ``F.batch_norm`` arguments).

    ``training=True``: normalize with the batch's own statistics (see ``batch_norm_training``, which also gives
    the updated running statistics: this function, being pure, does *not* update ``running_mean/var``).
    ``training=False``: normalize with the running statistics, ``y = (x - running_mean) / sqrt(running_var +
    eps) * weight + bias``, computed as ``x * scale + shift`` with per-channel ``scale`` and ``shift``.
    """
    if training:
        return batch_norm_training(input, running_mean, running_var, weight, bias, momentum, eps).output
    _batch_norm_args("batch_norm", input, running_mean, running_var, weight, bias, momentum, eps, False)
    if running_mean is None or running_var is None:
        raise OpError("batch_norm: running_mean and running_var must be given in evaluation mode "
                      "(training=False)")
    if _in_float32(input):
        return cast(batch_norm(*_float32(input, running_mean, running_var, weight, bias), False, momentum, eps),
                    numpy.float16)
    scale = rsqrt(running_var + eps)
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * _per_channel(scale, input.ndim) + _per_channel(shift, input.ndim)


# ------------------------------------------------------------------------------------ layer and group norm

def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize each sample over its last ``len(normalized_shape)`` dims, which must equal
    ``normalized_shape``; ``weight`` and ``bias`` (if given) have that shape."""
    normalized_shape = ints("layer_norm", normalized_shape, "normalized_shape")
    _float_input("layer_norm", input, len(normalized_shape))
    k = len(normalized_shape)
    tail = tuple(input.shape[input.ndim - k:])
    if k == 0 or any(d is not None and d != n for d, n in zip(tail, normalized_shape)):
        raise OpError(f"layer_norm: given normalized_shape={list(normalized_shape)}, expected input with shape "
                      f"[*, {', '.join(map(str, normalized_shape))}], but got input {describe(input)}")
    for what, v in (("weight", weight), ("bias", bias)):
        if v is not None and (not is_tensor(v) or tuple(v.shape) != normalized_shape):
            raise OpError(f"layer_norm: expected {what} to be of same shape as normalized_shape, but got {what} "
                          f"{describe(v)} and normalized_shape={list(normalized_shape)}")
    check_parameter_dtypes("layer_norm", input, (("weight", weight), ("bias", bias)))
    if _in_float32(input):
        x, weight, bias = _float32(input, weight, bias)
        return cast(layer_norm(x, normalized_shape, weight, bias, eps), numpy.float16)
    xhat = _normalize(input, range(input.ndim - k, input.ndim), eps)[0]
    return _affine(xhat, weight, bias)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels of an (N, C, ...) input into ``num_groups`` groups and normalize each (sample,
    group) over its channels and spatial dims; then the per-channel ``weight`` and ``bias``.

    Computed on the input viewed as (N, groups, rest) and normalized over its last dim.
    """
    _float_input("group_norm", input, 2)
    if isinstance(num_groups, bool) or not isinstance(num_groups, numbers.Integral) or num_groups < 1:
        raise OpError(f"group_norm: num_groups must be a positive int, got {num_groups!r}")
    num_groups = int(num_groups)  # (a numpy integer too)
    n, channels, spatial = input.shape[0], input.shape[1], tuple(input.shape[2:])
    if channels is not None and channels % num_groups:
        raise OpError(f"group_norm: expected number of channels in input to be divisible by num_groups, but got "
                      f"input {describe(input)} and num_groups={num_groups}")
    for what, v in (("weight", weight), ("bias", bias)):
        _check_vector("group_norm", what, v, channels)
    check_parameter_dtypes("group_norm", input, (("weight", weight), ("bias", bias)))
    if _in_float32(input):
        x, weight, bias = _float32(input, weight, bias)
        return cast(group_norm(x, num_groups, weight, bias, eps), numpy.float16)
    if known(input.shape) and math.prod(input.shape) // num_groups == 1:  # PyTorch's check, as for batch_norm
        raise OpError(f"group_norm: expected more than 1 value per group, got input {describe(input)} and "
                      f"num_groups={num_groups}")
    rest = channels // num_groups * math.prod(spatial) if channels is not None and known(spatial) else -1
    if n is None and rest == -1:
        raise OpError(f"group_norm: needs the batch size or the channel and spatial sizes to be known statically, "
                      f"got {describe(input)}")
    grouped = reshape(input, (-1 if n is None else n, num_groups, rest))
    xhat = reshape_like(_normalize(grouped, (2,), eps)[0], input)
    return _affine(xhat, *(None if v is None else _per_channel(v, input.ndim) for v in (weight, bias)))
