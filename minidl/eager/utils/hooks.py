"""``torch.utils.hooks``: the handle that ``register_*_hook`` returns (``RemovableHandle``: ``remove()`` takes the
hook out again), and ``unserializable_hook``, the mark PyTorch puts on a hook it should not warn about when the
tensor holding it is saved (minidl's ``save`` never stores hooks, so the mark changes nothing here)."""
from ..hooks import RemovableHandle

__all__ = ["RemovableHandle", "unserializable_hook"]


def unserializable_hook(f):
    """``f``, marked as a hook that is not to be saved (``f.__torch_unserializable__ = True``, as PyTorch marks it)."""
    f.__torch_unserializable__ = True
    return f
