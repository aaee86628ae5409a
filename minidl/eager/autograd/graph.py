"""``torch.autograd.graph``: hooks on the tensors the tape saves for backward, and the tape's ``Node`` class.

Recording an op keeps what its backward will read: some of its inputs, some of its outputs. Inside
``with saved_tensors_hooks(pack, unpack):`` each such tensor is handed to ``pack`` when the op is recorded, and the
tape keeps whatever pack returns (an array on another device, a compressed form, a file name...); when backward
reaches the op, ``unpack`` must turn it back into a tensor of the same value. ``save_on_cpu`` is the usual pair:
saved tensors wait in host memory while the forward goes on, and go back to their device for backward —
memory for a transfer. Which tensors an op saves is the framework's choice (minidl's differ from PyTorch's
where its VJPs are written differently); only the values matter. ``disable_saved_tensors_hooks`` makes using
hooks an error inside its block, for code that cannot work with them.

The graph's edges: ``get_gradient_edge(t)`` names the place where t's gradient arrives (its node and output
index), which ``autograd.grad`` takes in place of a tensor. ``register_multi_grad_hook`` calls one function for a
group of tensors once per backward pass: with all their gradients, as soon as the last one that this pass
computes is there ("all"), or with the first that arrives ("any"). ``increment_version`` counts an in-place
change that the framework could not see (made through another library on the same memory).
"""
import weakref

from ..engine import current_graph_task
from ..grad_mode import GradMode
from ..hooks import RemovableHandle
from ..node import GradientEdge, Node

__all__ = ["GradientEdge", "Node", "disable_saved_tensors_hooks", "get_gradient_edge", "increment_version",
           "register_multi_grad_hook", "save_on_cpu", "saved_tensors_hooks"]

def get_gradient_edge(tensor):
    """Where ``tensor``'s gradient arrives: ``GradientEdge(its grad_fn or its leaf's AccumulateGrad, output
    index)``. ``autograd.grad`` takes one as an input (the gradient reaching that edge) or as an output."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    return GradientEdge(*tensor._key())


def increment_version(tensor):
    """Count an in-place change of ``tensor`` (or of each tensor of an iterable) made behind the framework's back,
    so that a backward pass that saved the old value refuses to run, as after ``x.add_(1)``."""
    for t in (tensor,) if hasattr(tensor, "_counter") else tensor:
        t._counter()[0] += 1


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` once per backward pass for the group ``tensors``. mode "all": ``fn(grads)``, a list with each
    tensor's gradient, None for those that this pass does not compute — called as soon as the last one it
    computes has arrived. mode "any": ``fn(grad)`` with the first gradient of the group to arrive. Returns a
    handle whose ``remove()`` takes the hook off."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = list(tensors)
    # graph task -> [gradients so far, how many have arrived, how many will] ("all"), or True once called ("any");
    # weak: a finished pass (which holds its graph) is not kept alive by an entry left behind
    pending = weakref.WeakKeyDictionary()

    def all_hook(index):
        def hook(grad):
            task = current_graph_task()
            state = pending.get(task)
            if state is None:  # the first of the group in this pass: how many will come?
                expected = sum(task.will_execute(t._key()[0]) for t in tensors)
                state = pending[task] = [[None] * len(tensors), 0, expected]
            state[0][index] = grad
            state[1] += 1
            if state[1] == state[2]:
                del pending[task]
                fn(state[0])
        return hook

    def any_hook(grad):
        task = current_graph_task()
        if task not in pending:
            pending[task] = True
            fn(grad)

    if mode == "all":
        handles = [t.register_hook(all_hook(i)) for i, t in enumerate(tensors)]
    else:
        handles = [t.register_hook(any_hook) for t in tensors if t.requires_grad]
    return _MultiHandle(handles)


class _MultiHandle(RemovableHandle):
    """The handles of the hooks of ``register_multi_grad_hook``, removed together."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()

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
