"""``torch.autograd.graph``: hooks on the tensors the tape saves for backward, and the tape's ``Node`` class.

Recording an op keeps what its backward will read: some of its inputs, some of its outputs. Inside
``with saved_tensors_hooks(pack, unpack):`` each such tensor is handed to ``pack`` when the op is recorded, and the
tape keeps whatever pack returns (an array on another device, a compressed form, a file name...); when backward
reaches the op, ``unpack`` must turn it back into a tensor of the same value. ``save_on_cpu`` is the usual pair:
saved tensors wait in host memory while the forward goes on, and go back to their device for backward —
memory for a transfer. Which tensors an op saves is the framework's choice (minidl's differ from PyTorch's
where its VJPs are written differently); only the values matter. ``disable_saved_tensors_hooks`` makes using
hooks an error inside its block, for code that cannot work with them.
"""
from ..grad_mode import GradMode
from ..node import Node

__all__ = ["Node", "disable_saved_tensors_hooks", "save_on_cpu", "saved_tensors_hooks"]

_disabled = []  # the messages of the disable_saved_tensors_hooks blocks we are in


class saved_tensors_hooks:
    """``with saved_tensors_hooks(pack_hook, unpack_hook):`` — see the module docstring. The innermost block's
    hooks apply."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        self._outer = GradMode.saved_tensors_hooks
        GradMode.saved_tensors_hooks = (self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        GradMode.saved_tensors_hooks = self._outer
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors wait on the CPU (in pinned memory with ``pin_memory``, which minidl's host arrays need not be)
    and go back to their device for backward."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda tensor: (tensor.device, tensor.detach().cpu()),
                         lambda packed: packed[1].to(packed[0]))


class disable_saved_tensors_hooks:
    """``with disable_saved_tensors_hooks(message):`` — entering ``saved_tensors_hooks`` inside is a RuntimeError
    with ``message``, and so is entering this block inside hooks."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if GradMode.saved_tensors_hooks is not None:
            raise RuntimeError(self.error_message)
        _disabled.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _disabled.pop()
        return False
