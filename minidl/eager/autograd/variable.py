"""``Variable``: the tensor wrapper of PyTorch before 0.4, when tensors could not record history themselves.

Since PyTorch 0.4 every tensor can, and ``Variable(t, requires_grad=...)`` survives only so that old code runs:
it returns a tensor — a new leaf sharing ``t``'s memory (``t.detach()``), with ``requires_grad`` set — and
``isinstance(x, Variable)`` is true of every tensor. ``Variable()`` is an empty tensor.
"""
import warnings

from ..creation import tensor
from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: ``data.detach().requires_grad_(requires_grad)``, a tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:  # (what no_grad replaced; PyTorch warns the same)
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          stacklevel=2)
        if data is None:
            return tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
