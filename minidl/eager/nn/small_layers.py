"""The layers of ``small_functions.py``: ``GLU``, ``AlphaDropout``, ``FeatureAlphaDropout``, ``LocalResponseNorm``,
``ChannelShuffle`` (no parameters; each holds its options and calls its function), and ``CrossMapLRN2d``, the
legacy local response norm, which has no function of its own."""
from ... import ops
from ...ops.base import is_tensor
from ...ops.windows import sliding_sum
from . import functional as F
from .dropout import _DropoutNd
from .module import Module


class GLU(Module):
    """The gated linear unit ``a · sigmoid(b)``, a and b the halves of the input along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class AlphaDropout(_DropoutNd):
    """Dropout for self-normalizing (SELU) networks: dropped values become SELU's saturation value and an affine
    map keeps mean 0 and variance 1 (see ``nn.functional.alpha_dropout``); the identity in ``eval()`` mode."""

    function = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """``AlphaDropout`` of whole channels: each (sample, channel) of an (N, C, ...) input is dropped as a whole, to
    SELU's saturation value, with the same affine correction (see ``nn.functional.feature_alpha_dropout``); the
    identity in ``eval()`` mode."""

    function = staticmethod(F.feature_alpha_dropout)


class LocalResponseNorm(Module):
    """Each value divided by ``(k + alpha/size · Σ x²)^beta``, the sum over ``size`` neighbouring channels."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class CrossMapLRN2d(Module):
    """Local response norm of (N, C, H, W) inputs as PyTorch's legacy ``CrossMapLRN2d`` computes it::

        y_c = x_c · (k + alpha/size · Σ_(c' in window(c)) x_c'²)^(-beta)

    window(c) = channels c - h .. c + h with h = (size - 1) // 2 (an even size acts as the odd size below it),
    plus channel 0 for every c: PyTorch's running sum never takes channel 0 out again, and minidl gives the
    same values. The gradient is this function's own derivative; PyTorch's backward, written for the centred
    window alone, differs from it wherever channel 0 or an even size is involved."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        if not is_tensor(input):
            raise TypeError(f"CrossMapLRN2d: expected a Tensor input, got {type(input).__name__}")
        if input.ndim != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
        half = (self.size - 1) // 2
        squares = input * input
        window_sum = sliding_sum(squares, 1, half, half)
        if input.shape[1] > half + 1:  # channel 0, left in the sum of the channels past its window
            window_sum = ops.cat([window_sum[:, :half + 1], window_sum[:, half + 1:] + squares[:, :1]], 1)
        return input * (window_sum * (self.alpha / self.size) + self.k) ** -self.beta

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet's shuffle between grouped convolutions)."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
