"""Watching the ops an eager program runs: the one hook that ``torch.profiler`` (``profiler.py``) and
``torch.jit.trace`` (``jit.py``) both use.

While an observer is ``GradMode.observer`` (one at a time), every op an eager tensor runs that it is
``watching()`` is handed to its ``observe_op`` instead of running directly (``tensor._apply``), every VJP a
backward walk runs goes through what its ``observe_vjp`` returns (``engine._walk``), ``record_function`` blocks
call its ``begin``/``end``, and an in-place write tells it which tensor now holds which value
(``observe_alias``/``observe_write``). When no observer is attached, an op pays one attribute check.

An observer watches the thread that attached it, and only the ops that thread's program applies itself: ops that
an op applies inside itself (autocast's casts) are part of that op. Both are told apart per thread, so another
thread's ops, running meanwhile, run unwatched and leave the observer as it was.
"""
import threading

from .grad_mode import GradMode

__all__ = ["OpObserver"]


class OpObserver:
    """The defaults do nothing but run what they are given; subclasses override ``watch_op`` and what else they
    watch."""

    def attach(self):
        if GradMode.observer is not None:
            raise RuntimeError(f"{type(GradMode.observer).__name__} is already watching the ops (a profiler or a "
                               f"trace); they cannot be nested")
        self.thread = threading.get_ident()
        self._inside = threading.local()  # per thread: is an op of the watched program running now?
        GradMode.observer = self

    def detach(self):
        if GradMode.observer is self:
            GradMode.observer = None

    def watching(self):
        """Whether the op about to run is one to watch: applied by the watched thread's program itself."""
        return threading.get_ident() == self.thread and not getattr(self._inside, "op", False)

    def observe_op(self, op, args, attrs, run):
        """Run an op to watch (``watching()`` said so) through ``watch_op``: ``run(op, args, attrs)`` runs it, and
        the ops it applies inside itself run unwatched."""
        self._inside.op = True
        try:
            return self.watch_op(op, args, attrs, run)
        finally:
            self._inside.op = False

    def watch_op(self, op, args, attrs, run):
        return run(op, args, attrs)

    def observe_vjp(self, run_vjp):
        """What the backward walk calls in place of ``run_vjp(node, grads, needed)``."""
        return run_vjp

    def begin(self, name, category="user_annotation"):
        """A ``record_function`` block starts; returns what ``end`` will be given."""
        return None

    def end(self, event):
        """The block ``begin`` returned ``event`` for ends."""

    def observe_alias(self, alias, tensor, transient=False):
        """``alias`` is a new tensor object over ``tensor``'s memory and value: a ``detach()``, or (``transient``)
        the stand-in an in-place op reads for the value it is about to overwrite."""

    def observe_write(self, tensor, value):
        """``tensor``'s memory now holds ``value`` (an in-place op's result)."""
