"""Watching the ops an eager program runs: the one hook that ``torch.profiler`` (``profiler.py``) and
``torch.jit.trace`` (``jit.py``) both use.

While an observer is ``GradMode.observer`` (one at a time), every op an eager tensor runs is handed to its
``observe_op`` instead of running directly (``tensor._apply``), every VJP a backward walk runs goes through what
its ``observe_vjp`` returns (``engine._walk``), and ``record_function`` blocks call its ``begin``/``end``. When
no observer is attached, an op pays one attribute check.
"""
from .grad_mode import GradMode

__all__ = ["OpObserver"]


class OpObserver:
    """The default of each hook does nothing but run what it is given; subclasses override what they watch."""

    def attach(self):
        if GradMode.observer is not None:
            raise RuntimeError(f"{type(GradMode.observer).__name__} is already watching the ops (a profiler or a "
                               f"trace); they cannot be nested")
        GradMode.observer = self

    def detach(self):
        if GradMode.observer is self:
            GradMode.observer = None

    def observe_op(self, op, args, attrs, run):
        """Run ``run(op, args, attrs)`` (the op itself) and return its result."""
        return run(op, args, attrs)

    def observe_vjp(self, run_vjp):
        """What the backward walk calls in place of ``run_vjp(node, grads, needed)``."""
        return run_vjp

    def begin(self, name, category="user_annotation"):
        """A ``record_function`` block starts; returns what ``end`` will be given."""
        return None

    def end(self, event):
        """The block ``begin`` returned ``event`` for ends."""

    def unobserved(self, op, args, attrs, run):
        """``run(op, args, attrs)`` with this observer detached meanwhile: what the op applies inside itself
        (autocast's casts) is part of it, not observed on its own."""
        GradMode.observer = None
        try:
            return run(op, args, attrs)
        finally:
            GradMode.observer = self
