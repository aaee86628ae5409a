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
    def add(cls, hooks, hook):
        handle = cls(hooks)
        hooks[handle.id] = hook
        return handle

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
