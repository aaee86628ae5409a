"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each is a context manager and a decorator, and always restores the previous mode on exit (also on exceptions),
so they nest. Recording belongs to a thread, as PyTorch's grad mode does: a thread evaluating under ``no_grad``
does not stop another one from recording, and a new thread starts with recording on (``GradMode.local.enabled``,
a ``threading.local``). The other modes are process-wide; all are read on every op call, so each is one attribute
lookup (the thread's own flag two: ~40 ns).
"""
import functools
import inspect
import threading


class _ThreadModes(threading.local):
    """A thread's own modes; the class attributes are what each thread starts with."""
    enabled = True
    inference = False  # inside ``inference_mode()``


class GradMode:
    #: this thread's recording switch: ``GradMode.local.enabled``
    local = _ThreadModes()
    #: set by ``autograd.detect_anomaly``: check every forward for NaN/Inf and every backward for NaN
    anomaly = False
    #: the dtype ops lower to inside ``amp.autocast``, or None outside it
    autocast = None
    #: the device type whose op lists autocast follows ("cpu" or "cuda")
    autocast_device = "cuda"
    #: set by ``utils.checkpoint`` while its function runs without recording: called with the arguments of every
    #: op that has an input requiring grad (the tensors the function reads from outside)
    watch = None
    #: what watches every op (``observers.py``): a profiler's recording or a trace; None when nothing does
    observer = None
    #: (pack, unpack) inside ``autograd.graph.saved_tensors_hooks``: what the tape does with the tensors it saves
    saved_tensors_hooks = None


def is_grad_enabled():
    return GradMode.local.enabled


def is_inference_mode_enabled():
    """Whether this thread is inside ``inference_mode()`` (a ``no_grad`` or ``enable_grad`` inside it leaves
    it on; ``inference_mode(False)`` turns it off)."""
    return GradMode.local.inference


class _ModeContext:
    """Base for context managers that set ``GradMode.local.enabled`` and restore it afterwards."""
    mode = None

    def _switch(self):
        """Enter this context's mode; returns what ``_restore`` needs to leave it."""
        previous = GradMode.local.enabled
        GradMode.local.enabled = self.mode
        return previous

    @staticmethod
    def _restore(previous):
        GradMode.local.enabled = previous

    def __enter__(self):
        self._previous = self._switch()

    def __exit__(self, *exc):
        self._restore(self._previous)
        return False

    def __call__(self, fn):
        """Use as a decorator: every call of ``fn`` runs in this mode — for a generator function, every stretch
        of its body between two ``yield``s, while the caller's code in between runs in the caller's mode."""
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(fn, self)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous = self._switch()
            try:
                return fn(*args, **kwargs)
            finally:
                self._restore(previous)
        return wrapper


def _generator_in_mode(fn, context):
    @functools.wraps(fn)
    def generator(*args, **kwargs):
        inner = fn(*args, **kwargs)
        step, argument = inner.send, None
        while True:
            previous = context._switch()
            try:
                value = step(argument)
            except StopIteration as done:
                return done.value
            finally:
                context._restore(previous)
            try:
                step, argument = inner.send, (yield value)
            except GeneratorExit:
                inner.close()
                raise
            except BaseException as error:  # thrown in by the caller: on into the body, in its mode
                step, argument = inner.throw, error
    return generator


class _BareDecorator(_ModeContext):
    """A mode that may also decorate without parentheses, ``@no_grad`` as well as ``@no_grad()`` (PyTorch 2)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):
    """Ops inside record no graph: for evaluation and for updating parameters in place."""
    mode = False


class enable_grad(_BareDecorator):
    """Turn recording back on inside a ``no_grad`` block."""
    mode = True


class set_grad_enabled(_ModeContext):
    """``set_grad_enabled(False)`` is ``no_grad()``; like PyTorch it also takes effect when called bare."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = GradMode.local.enabled
        GradMode.local.enabled = self.mode

    def __enter__(self):
        pass  # already set in __init__

    def __call__(self, fn):
        GradMode.local.enabled = self._previous  # as a decorator it must not change the mode at decoration time
        return super().__call__(fn)


class inference_mode(_ModeContext):
    """``inference_mode()`` is ``no_grad()`` here, and ``is_inference_mode_enabled()`` says True inside it.
    PyTorch's version also skips version counting, a speed-up minidl does not need, and marks the tensors made
    inside as inference tensors; minidl does not (``Tensor.is_inference()`` is always False), since that would
    cost every tensor a flag. ``inference_mode(False)`` turns recording back on. ``@inference_mode`` decorates
    bare too."""

    def __new__(cls, mode=True):
        if callable(mode):  # used bare as a decorator: the argument is the function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode, self.inference = not mode, bool(mode)

    def _switch(self):
        local = GradMode.local
        previous = local.enabled, local.inference
        local.enabled, local.inference = self.mode, self.inference
        return previous

    @staticmethod
    def _restore(previous):
        GradMode.local.enabled, GradMode.local.inference = previous
