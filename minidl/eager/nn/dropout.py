"""``Dropout``: during training, zero each element with probability ``p`` and scale the survivors by
``1 / (1 - p)``, so the expected activation is unchanged and ``eval()`` mode can simply pass the input through.

Dropping random units keeps a network from relying on any single one (a cheap ensemble of thinned networks,
Srivastava et al., 2014). The masks come from the default generator: ``manual_seed`` reproduces them.
"""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Zeroes elements with probability ``p`` in training mode; the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
