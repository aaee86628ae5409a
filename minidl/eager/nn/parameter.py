"""``nn.Parameter``: a tensor that a ``Module`` registers as one of its trainable weights."""
from ..creation import as_array
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and that ``Module.__setattr__`` registers as a parameter."""
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        from ..creation import empty
        data = empty(0) if data is None else data
        t = Tensor._make(data._data if isinstance(data, Tensor) else as_array(data))
        t.__class__ = cls
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__ (the array is shared with ``data``, not copied)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        copied = Parameter(self._data.copy(), self.requires_grad)
        memo[id(self)] = copied
        return copied


class UninitializedParameter(Parameter):
    """A parameter of a lazy layer before its first call, when its shape is not known yet (it holds no entries);
    that call makes it an ordinary ``Parameter`` of the right shape (``lazy.py``)."""
    __slots__ = ()

    def __repr__(self):
        return "<UninitializedParameter>"
