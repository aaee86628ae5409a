"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each is a context manager and a decorator, and always restores the previous mode on exit (also on exceptions),
so they nest. The flag is process-wide, read on every op call (keep it a plain attribute lookup).
"""
import functools


class GradMode:
    enabled = True
    #: set by ``autograd.detect_anomaly``: check every forward and backward for NaN/Inf
    anomaly = False
    #: the dtype ops lower to inside ``amp.autocast``, or None outside it
    autocast = None
    #: set by ``utils.checkpoint`` while its function runs without recording: called with the arguments of every
    #: op that has an input requiring grad (the tensors the function reads from outside)
    watch = None


def is_grad_enabled():
    return GradMode.enabled


class _ModeContext:
    """Base for context managers that set ``GradMode.enabled`` and restore it afterwards."""
    mode = None

    def __enter__(self):
        self._previous = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc):
        GradMode.enabled = self._previous
        return False

    def __call__(self, fn):
        """Use as a decorator: every call of ``fn`` runs in this mode."""
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous = GradMode.enabled
            GradMode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                GradMode.enabled = previous
        return wrapper


class no_grad(_ModeContext):
    """Ops inside record no graph: for evaluation and for updating parameters in place."""
    mode = False


class enable_grad(_ModeContext):
    """Turn recording back on inside a ``no_grad`` block."""
    mode = True


class set_grad_enabled(_ModeContext):
    """``set_grad_enabled(False)`` is ``no_grad()``; like PyTorch it also takes effect when called bare."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = GradMode.enabled
        GradMode.enabled = self.mode

    def __enter__(self):
        pass  # already set in __init__

    def __call__(self, fn):
        GradMode.enabled = self._previous  # as a decorator it must not change the mode at decoration time
        return super().__call__(fn)


class inference_mode(_ModeContext):
    """``inference_mode()`` is ``no_grad()`` here (PyTorch's version also skips version counting, a speed-up minidl
    does not need); ``inference_mode(False)`` turns recording back on."""

    def __init__(self, mode=True):
        self.mode = not mode
