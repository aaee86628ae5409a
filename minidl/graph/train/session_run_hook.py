"""The hook protocol of ``MonitoredSession``: code that runs around every ``sess.run`` of a training loop.

A training loop wants more than the train op at each step: stop at step 10 000, log the loss every 100 steps,
save a checkpoint every 10 minutes, write summaries for TensorBoard. TF1 puts each such chore into a *hook*,
and ``MonitoredSession`` calls every hook at fixed points of its life::

    hook.begin()                                 once, while the graph can still change (add ops here)
    hook.after_create_session(session, coord)    once, variables initialized or restored
    for every run:
        args = hook.before_run(run_context)      a SessionRunArgs: more fetches and feeds for THIS run, or None
        ...  one Session.run of the caller's fetches plus every hook's  ...
        hook.after_run(run_context, values)      values.results: what this hook's fetches evaluated to
    hook.end(session)                            once, when the loop ends normally

A hook asks the loop to stop with ``run_context.request_stop()``; the loop sees it as ``sess.should_stop()``.
Because a hook's fetches ride along in the caller's run, watching costs no extra pass over the graph.
"""
import collections

__all__ = ["SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues"]


class SessionRunHook:
    """The base class: every method does nothing, so a hook overrides only the points it cares about."""

    def begin(self):
        """Called once before the session is created; the graph may still be extended."""

    def after_create_session(self, session, coord):
        """Called once the session exists and its variables are initialized (or restored); the graph is final."""

    def before_run(self, run_context):
        """Return a ``SessionRunArgs`` to add fetches/feeds to the coming run, or None."""
        return None

    def after_run(self, run_context, run_values):
        """Called after each run; ``run_values.results`` holds this hook's fetches, evaluated."""

    def end(self, session):
        """Called once when the monitored session closes without an error."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: ``fetches`` (any nest ``Session.run`` takes), a ``feed_dict`` and run
    ``options`` (accepted, unused by minidl)."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunValues(collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])):
    """What a hook gets back: ``results`` has the structure of the fetches it asked for (None if none)."""


class SessionRunContext:
    """The run in progress, as hooks see it: the caller's ``original_args``, the raw ``session`` (to run
    something extra), and ``request_stop()``."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self):
        return self._stop_requested

    def request_stop(self):
        """Ask the loop to stop: ``should_stop()`` is True after this run."""
        self._stop_requested = True
