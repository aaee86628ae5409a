"""``Dropout``: during training, zero each element with probability ``p`` and scale the survivors by
``1 / (1 - p)``, so the expected activation is unchanged and ``eval()`` mode can simply pass the input through.

Dropping random units keeps a network from relying on any single one (a cheap ensemble of thinned networks,
Srivastava et al., 2014). ``Dropout1d`` / ``Dropout2d`` / ``Dropout3d`` drop whole channels instead (Tompson et
al., 2015): the neighbouring pixels of a feature map are so alike that dropping single ones hardly matters. The
masks come from the default generator: ``manual_seed`` reproduces them.
"""
from . import functional as F
from .module import Module


class _DropoutNd(Module):
    """The probability ``p`` (checked) and ``inplace``; ``function`` is the ``nn.functional`` form."""

    function = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return self.function(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes elements with probability ``p`` in training mode; the identity in eval mode."""
    function = staticmethod(F.dropout)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of (N, C, L) or (C, L) input with probability ``p`` in training mode."""
    function = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of (N, C, H, W) input with probability ``p`` in training mode (3-D input is taken
    as (N, C, L), with PyTorch's warning)."""
    function = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p`` in training mode."""
    function = staticmethod(F.dropout3d)
