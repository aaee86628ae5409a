"""``nn.init``: fill a parameter in place with values from a distribution chosen for good training.

The Xavier/Glorot and Kaiming/He schemes pick the spread from the layer's fan-in and fan-out so that signals
keep their variance through many layers:

* Xavier uniform: ``U(-a, a)`` with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio, 2010)
* Kaiming normal: ``N(0, std²)`` with ``std = gain / sqrt(fan)`` (He et al., 2015), ``fan`` = fan_in or fan_out

For a weight of shape ``(out, in, k1, k2, ...)``: ``fan_in = in * k1 * k2 ...``, ``fan_out = out * k1 * k2 ...``.
"""
import math
import warnings

import numpy

from ...backend import to_device
from ...ops.special_more import _log_ndtr, _ndtri
from ..grad_mode import no_grad
from ..random import numpy_rng
from ..sampling import check_spread


def _fill(tensor, array):
    """Write ``array`` into ``tensor``'s memory (a parameter keeps its identity), without recording history."""
    if tensor.numel() == 0:  # nothing to initialise (PyTorch warns and does nothing)
        return tensor
    tensor._data[...] = to_device(array.astype(tensor.dtype, copy=False), tensor.device)
    tensor._counter()[0] += 1
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (the factor that keeps the variance of activations stable)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
              "sigmoid")
    if nonlinearity in linear:
        return 1  # (an int, as PyTorch's)
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, k1, k2, ...)``: ``in * k1 * k2 ...`` and
    ``out * k1 * k2 ...``."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for d in tensor.shape[2:]:
        receptive *= d
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    """The fan that ``mode`` names, "fan_in" or "fan_out" (any case, as in PyTorch): 0 for a zero-element
    tensor."""
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _kaiming_std(tensor, a, mode, nonlinearity):
    """He et al.'s standard deviation, ``gain / sqrt(fan)``."""
    fan = max(_calculate_correct_fan(tensor, mode), 1)  # (no division by 0: a zero-element tensor is left alone)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """``tensor.uniform_(a, b)`` without recording history (complex: each part, as the tensor method draws)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """``tensor.normal_(mean, std)`` without recording history (complex: each part N(mean, std²/2))."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std²) restricted to ``[a, b]`` (either may be infinite), drawn by inverting its distribution
    function — no rejection loop, so an interval with almost no mass costs what any other does:

        x = mean + std · Φ⁻¹(Φ(α) + u · (Φ(β) - Φ(α))),   u ~ U(0, 1),   α = (a - mean) / std,  β = (b - mean) / std

    with Φ the standard normal distribution function. Redrawing until a value lands in [a, b] would loop for ever
    on ``trunc_normal_(t, mean=5., std=0.1)`` (5e-198 of N(5, 0.01) lies below 2), and ``erfinv(2Φ - 1)``, the
    textbook inverse, loses every digit there (2Φ - 1 rounds to -1). So:

    * the interval is mirrored into the left half (the normal is symmetric: draw on [-β, -α] and negate), where
      Φ is tiny rather than near 1, and ``ndtri`` (Φ⁻¹, accurate for probabilities down to 1e-300) inverts it;
    * the probability p is formed in logarithms, ln p = ln Φ(β) + ln(r + u(1 - r)) with r = Φ(α)/Φ(β), so that
      Φ(β) may underflow: beyond 37 standard deviations, where it does, Newton's method on ln Φ(x) = ln p,
      started from β, finds x (the values then lie within about std/37 of the bound).
    """
    if not a <= b:
        raise RuntimeError(f"trunc_normal_ expects a <= b, but found a={a}, b={b}")
    check_spread("trunc_normal_", "std", std, zero_ok=False)
    alpha, beta = (a - mean) / std, (b - mean) / std
    mirrored = alpha + beta > 0
    if mirrored:
        alpha, beta = -beta, -alpha
    with numpy.errstate(divide="ignore", under="ignore"):  # ln Φ(-inf) = -inf; Φ(x) underflows for x < -37.5
        log_low, log_high = _log_ndtr(numpy, numpy.array([alpha, beta], dtype=numpy.float64))
        ratio = numpy.exp(log_low - log_high)
        log_p = log_high + numpy.log(ratio + numpy_rng(generator).random(tuple(tensor.shape)) * (1 - ratio))
        if beta > -37:
            x = _ndtri(numpy, numpy.exp(log_p))
        else:
            x = numpy.full(log_p.shape, beta)
            for _ in range(4):  # quadratic convergence: 4 steps reach round-off
                log_cdf = _log_ndtr(numpy, x)
                x = x - (log_cdf - log_p) * numpy.exp(log_cdf + 0.5 * x * x + 0.5 * math.log(2 * math.pi))
    return _fill(tensor, numpy.clip(mean + std * (-x if mirrored else x), a, b))  # (clip: round-off)


def constant_(tensor, val):
    return _fill(tensor, numpy.full(tuple(tensor.shape), val))


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def eye_(tensor):
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, numpy.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """The identity convolution: for a weight (out, in, k...) — 3-, 4- or 5-D — zeros except a 1 at the centre of
    the kernel from input channel d to output channel d, so a convolution with it copies its input (as many
    channels as fit; with ``groups``, within each group's block of output channels)."""
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.shape[0] // groups
    values = numpy.zeros(tuple(tensor.shape))
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """A sparse 2-D matrix (Martens, 2010): N(0, std²) values, then in each column a random ``sparsity`` share of
    the rows (rounded up) set to zero."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    zeros_per_column = int(math.ceil(sparsity * rows))
    rng = numpy_rng(generator)
    values = rng.normal(0.0, std, (rows, cols))
    for column in range(cols):
        values[rng.permutation(rows)[:zeros_per_column], column] = 0
    return _fill(tensor, values)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / max(fan_in + fan_out, 1)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)  # U(-b, b) has std b / sqrt(3)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """A (semi-)orthogonal matrix (rows or columns orthonormal), from the QR decomposition of a normal matrix."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows if rows else 0
    flat = numpy_rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = numpy.linalg.qr(flat)
    q = q * numpy.sign(numpy.diag(r))  # make the decomposition unique, so the distribution is uniform
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tuple(tensor.shape)))


def deprecated_name(function, old_name, new_name):
    """``function`` under the name it had before PyTorch added the trailing underscore of in-place functions,
    still found in older code: it works, with PyTorch's FutureWarning."""
    def old(*args, **kwargs):
        warnings.warn(f"`{old_name}` is now deprecated in favor of `{new_name}`.", FutureWarning, stacklevel=2)
        return function(*args, **kwargs)
    old.__name__ = old.__qualname__ = old_name.rpartition(".")[2]
    old.__doc__ = f"Deprecated: ``{new_name}``."
    return old


# the deprecated names, each for its function with the trailing underscore
for _function in (uniform_, normal_, constant_, eye_, dirac_, sparse_, orthogonal_, xavier_uniform_, xavier_normal_,
                  kaiming_uniform_, kaiming_normal_):
    globals()[_function.__name__[:-1]] = deprecated_name(_function, f"nn.init.{_function.__name__[:-1]}",
                                                         f"nn.init.{_function.__name__}")
