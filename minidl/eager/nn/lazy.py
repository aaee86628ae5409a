"""``LazyLinear``: a ``Linear`` layer whose ``in_features`` is read from its first input, so a model can be written
without working out the size of a flattened feature map by hand.

Until that first call its parameters are placeholders without entries (weight (out_features, 0); PyTorch's are
"uninitialized parameters" of no shape at all). The call gives them their shape *in place* — the same Parameter
objects, so an optimizer built before holds the right ones, as in PyTorch — initialises them as ``Linear``
does, and turns the module into a plain ``Linear`` (PyTorch's ``cls_to_become``).
"""
from ..creation import empty
from ..grad_mode import no_grad
from .linear import Linear


class LazyLinear(Linear):
    """``Linear(in_features, out_features)`` with ``in_features`` taken from the last dim of the first input."""

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, out_features, bias, device, dtype)

    def forward(self, input):
        self.in_features = int(input.shape[-1])
        with no_grad():
            weight = empty(self.out_features, self.in_features, dtype=self.weight.dtype, device=self.weight.device)
            self.weight._data = weight._data
        self.reset_parameters()
        self.__class__ = Linear
        return self.forward(input)
