"""Activation layers: module forms of the nonlinearities in ``nn.functional`` (no parameters).

A network needs a nonlinearity between its linear layers — without one, a stack of linear layers collapses
into a single linear map. Modules let you put them in a ``Sequential``.
"""
import warnings

from ..creation import empty
from . import functional as F, init
from .linear import layer_count
from .module import Module
from .parameter import Parameter


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """``max(x, 0)``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """``x`` for x > 0, ``negative_slope * x`` otherwise (a small slope keeps negative units learning)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise (smooth, and saturating at ``-alpha``)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Φ(x)``, Φ the standard normal CDF (``approximate='tanh'``: its tanh approximation)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)`` (also called swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, in (0, 1)."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """``tanh(x)``, in (-1, 1)."""

    def forward(self, input):
        return F.tanh(input)


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``, a smooth relu; linear past ``beta * x > threshold``."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class _Normalizer(Module):
    """What ``Softmax``, ``Softmin`` and ``LogSoftmax`` share: the ``dim`` they normalize over.

    Without ``dim``, PyTorch's deprecated guess is used (dim 0 for 0-, 1- and 3-D input, else 1), with its
    warning: say which dim you mean."""

    function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return self.function(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_Normalizer):
    """``exp(x) / sum(exp(x))`` along ``dim``: entries in (0, 1) that sum to 1."""
    function = staticmethod(F.softmax)


class Softmin(_Normalizer):
    """``softmax(-x)`` along ``dim``: the smallest entries get the largest weights."""
    function = staticmethod(F.softmin)


class LogSoftmax(_Normalizer):
    """``log(softmax(x))`` along ``dim``, computed stably (the input of ``NLLLoss``)."""
    function = staticmethod(F.log_softmax)


class Softmax2d(Module):
    """Softmax over the channels of each pixel: dim -3 of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)


# ------------------------------------------------------------------------------ more pointwise activations

class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]`` (default [-1, 1]). ``min_value`` / ``max_value`` are the
    deprecated spellings of the bounds."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        if not max_val > min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``: a relu that saturates (``Hardtanh`` on [0, 6])."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class PReLU(Module):
    """``x`` for x > 0, ``a * x`` otherwise, with the slope ``a`` learned: one for all channels
    (``num_parameters=1``) or one per channel (dim 1 of the input), each starting at ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        num_parameters = layer_count("PReLU", "num_parameters", num_parameters, minimum=1)
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class _InplaceActivation(Module):
    """An activation with only the ``inplace`` option; ``function`` is its ``nn.functional`` form."""

    function = None
    show_inplace = True  # PyTorch's repr of Hardswish and Hardsigmoid never shows it

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return self.function(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace) if self.show_inplace else ""


class SELU(_InplaceActivation):
    """``scale * elu(x, alpha)`` with PyTorch's constants (self-normalizing networks)."""
    function = staticmethod(F.selu)


class Mish(_InplaceActivation):
    """``x * tanh(softplus(x))``."""
    function = staticmethod(F.mish)


class Hardswish(_InplaceActivation):
    """``x * relu6(x + 3) / 6``."""
    function = staticmethod(F.hardswish)
    show_inplace = False


class Hardsigmoid(_InplaceActivation):
    """``relu6(x + 3) / 6``."""
    function = staticmethod(F.hardsigmoid)
    show_inplace = False


class CELU(Module):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """``x`` where x > ``threshold``, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class LogSigmoid(Module):
    """``log(sigmoid(x))``, computed stably as ``-softplus(-x)``."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)``."""

    def forward(self, input):
        return F.tanhshrink(input)


# ---------------------------------------------------------------------------------- shrinkage and random relu

class _Shrink(Module):
    """A shrink function with its threshold ``lambd``; ``function`` is its ``nn.functional`` form."""

    function = None

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return self.function(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """``x`` where |x| > lambd, else 0."""
    function = staticmethod(F.hardshrink)


class Softshrink(_Shrink):
    """``x - lambd`` where x > lambd, ``x + lambd`` where x < -lambd, else 0 (every value moved ``lambd`` towards
    0, stopping there)."""
    function = staticmethod(F.softshrink)


class RReLU(Module):
    """The randomized leaky relu: ``x`` for x > 0, ``a · x`` otherwise, with a fresh slope a ~ U(lower, upper)
    for every element in training mode, and the mean slope (lower + upper) / 2 in eval mode."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")
