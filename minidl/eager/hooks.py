"""``RemovableHandle``: what every ``register_*hook`` returns, so that the hook can be taken out again."""


class RemovableHandle:
    """Returned by ``register_hook`` and ``register_*_hook``; ``remove()`` unregisters the hook. ``hooks`` is the
    dict (id -> hook, in registration order) the hook went into; ``add`` puts it there."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    @classmethod
    def add(cls, hooks, hook, prepend=False):
        """Put ``hook`` last in ``hooks`` — first with ``prepend`` (an OrderedDict then) — and return its handle."""
        handle = cls(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def run_gradient_hooks(hooks, grad):
    """``grad`` passed through each hook of ``hooks`` (id -> hook) in turn: a hook may return a replacement, which
    must still fit the tensor the gradient belongs to (a tensor of the same dtype and shape, as PyTorch checks)."""
    for hook in list(hooks.values()):
        replaced = hook(grad)
        if replaced is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(replaced, type(grad)):
            raise TypeError(f"hook '{name}' returned {type(replaced).__name__}; a gradient hook must return a "
                            f"Tensor or None")
        if replaced.dtype != grad.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.dtype} got "
                               f"{replaced.dtype})")
        if replaced.shape != grad.shape:
            raise RuntimeError(f"hook '{name}' has changed the size of value (was {list(grad.shape)} got "
                               f"{list(replaced.shape)})")
        grad = replaced
    return grad


def run_node_hooks(hooks, grads, extra=()):
    """``grads`` (a node's output gradients, or its input gradients) passed through each hook of ``hooks``
    (id -> hook), called as ``hook(tuple(grads), *extra)``: a pre-hook gets the output gradients, a post-hook the
    input gradients and then, in ``extra``, the output ones. A returned tuple replaces ``grads``: one entry each,
    None where None was."""
    for hook in list(hooks.values()):
        replaced = hook(tuple(grads), *extra)
        if replaced is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(replaced, (tuple, list)) or len(replaced) != len(grads):
            raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                               f"{len(replaced) if isinstance(replaced, (tuple, list)) else 1}, but expected "
                               f"{len(grads)})")
        if any(g is None and r is not None for g, r in zip(grads, replaced)):
            raise RuntimeError("can't replace a None gradient with a non-None value")
        grads = list(replaced)
    return grads
