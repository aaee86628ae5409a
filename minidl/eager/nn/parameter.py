"""``nn.Parameter``: a tensor that a ``Module`` registers as one of its trainable weights; ``nn.Buffer``: one it
registers as a buffer."""
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


class Buffer(Tensor):
    """``self.name = nn.Buffer(tensor)`` in a module is ``self.register_buffer("name", tensor)``: state that is
    saved and moved with the module but not trained. ``persistent=False`` leaves it out of the state_dict (its
    class is then ``_TransientBuffer``, a Buffer whose ``persistent`` is False)."""
    __slots__ = ()
    persistent = True

    def __new__(cls, data=None, *, persistent=True):
        from ..creation import empty
        data = empty(0) if data is None else data
        t = Tensor._make(data._data if isinstance(data, Tensor) else as_array(data))
        t.__class__ = cls if persistent else _TransientBuffer
        if isinstance(data, Tensor) and data.requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, *, persistent=True):
        pass  # everything happened in __new__ (the array is shared with ``data``, not copied)


class _TransientBuffer(Buffer):
    __slots__ = ()
    persistent = False
