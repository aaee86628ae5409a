"""The layers of ``small_functions.py``: ``GLU``, ``AlphaDropout``, ``FeatureAlphaDropout``, ``LocalResponseNorm``,
``ChannelShuffle`` (no parameters; each holds its options and calls its function)."""
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


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet's shuffle between grouped convolutions)."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
