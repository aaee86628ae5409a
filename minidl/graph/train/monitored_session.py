"""``MonitoredSession`` and ``MonitoredTrainingSession``: a Session that sets itself up and runs hooks.

The plain TF1 loop does its chores by hand — initialize the variables (or restore the latest checkpoint), save
now and then, log, stop at the right step. The monitored session does them, and each chore is a hook
(``session_run_hook.py``, ``basic_hooks.py``)::

    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=global_step)
    hooks = [tf.train.StopAtStepHook(last_step=1000), tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=100)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=hooks) as sess:
        while not sess.should_stop():
            sess.run(train_op)

What happens, in order:

1. every hook's ``begin()``; then the ``Scaffold`` completes the graph with what is missing (an init op, a
   Saver, the merged summaries) and **finalizes** it: from now on, adding an op is an error — a loop that builds
   ops at every step (the classic memory leak of TF1) fails at once instead of slowing down;
2. the session is created and the variables restored from the latest checkpoint in ``checkpoint_dir`` — so a
   killed job started again continues where it was — or, if there is none, initialized; then every hook's
   ``after_create_session``;
3. every ``run`` asks each hook for extra fetches and feeds, runs them all in ONE ``Session.run`` with the
   caller's, and hands each hook its results (``after_run``); a hook may request a stop;
4. leaving the ``with`` block calls every hook's ``end()`` (a final checkpoint) and closes the session. The end
   of the data, ``OutOfRangeError`` from an exhausted ``tf.data`` iterator, counts as a normal end: the block
   swallows it, so ``while not sess.should_stop()`` over a dataset needs no try/except. Any other error skips
   the hooks' ``end()`` and propagates.

minidl runs in one process: there is no cluster, so ``master`` is accepted and ignored, and ``is_chief=False``
(a worker waiting for a chief that does not exist) is refused. Not written: the ``SessionLog`` events TF adds to
the summary file (TensorBoard uses them to mark restarts) and ``run_step_fn``.
"""
from ..basics import group
from ..core import GraphKeys, get_default_graph
from ..errors import OutOfRangeError
from ..lookup_ops import tables_initializer
from ..session import Session
from ..summary import merge_all
from ..variables import global_variables_initializer, local_variables_initializer, report_uninitialized_variables
from .basic_hooks import CheckpointSaverHook, StepCounterHook, SummarySaverHook
from .coordinator import Coordinator
from .queue_runner import start_queue_runners
from .saver import Saver, get_checkpoint_state
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

__all__ = ["ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession", "Scaffold",
           "SingularMonitoredSession"]

#: "use the default" for the save intervals, distinct from None ("never")
USE_DEFAULT = object()


class Scaffold:
    """The ops a monitored session needs to set up a model; each one not given is made by ``finalize()``:
    ``init_op`` (``global_variables_initializer()``), ``ready_op`` (names the uninitialized variables; empty when
    the model is ready), ``local_init_op`` (``local_variables_initializer()`` and ``tables_initializer()``, as TF's),
    ``summary_op`` (``tf.summary.merge_all()``, None without summaries) and ``saver`` (a ``Saver`` of all
    variables). A collection (INIT_OP, READY_OP, LOCAL_INIT_OP, SUMMARY_OP, SAVERS) holding exactly one item
    supplies it instead. ``init_fn(scaffold, session)`` runs after ``init_op`` (e.g. to load pretrained weights)."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None, ready_for_local_init_op=None,
                 local_init_op=None, summary_op=None, saver=None, copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold.init_feed_dict
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            ready_op = ready_op or copy_from_scaffold.ready_op
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._init_op, self._init_feed_dict, self._user_init_fn = init_op, init_feed_dict, init_fn
        self._ready_op, self._local_init_op = ready_op, local_init_op
        self._summary_op, self._saver = summary_op, saver

    def finalize(self):
        """Make the missing ops, then finalize the default graph."""
        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = _one_or_made(graph, GraphKeys.INIT_OP, global_variables_initializer)
        if self._ready_op is None:
            self._ready_op = _one_or_made(graph, GraphKeys.READY_OP, report_uninitialized_variables)
        if self._local_init_op is None:
            self._local_init_op = _one_or_made(graph, GraphKeys.LOCAL_INIT_OP,
                                               lambda: group(local_variables_initializer(), tables_initializer()))
        if self._summary_op is None:
            self._summary_op = _one_or_made(graph, GraphKeys.SUMMARY_OP, merge_all)
        if self._saver is None:
            self._saver = _one_in_collection(graph, GraphKeys.SAVERS)
            if self._saver is None:
                self._saver = Saver(allow_empty=True)
                graph.add_to_collection(GraphKeys.SAVERS, self._saver)
        graph.finalize()
        return self

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @property
    def init_fn(self):
        """``init_fn(session)``: the user's ``init_fn(scaffold, session)`` with this scaffold bound, or None."""
        if self._user_init_fn is None:
            return None
        return lambda session: self._user_init_fn(self, session)


def _one_or_made(graph, key, make):
    """The op in collection ``key``, or one ``make()`` makes and puts there (when it makes one), as TF1's
    Scaffold does: the next Scaffold on this graph (another MonitoredTrainingSession) takes the same op."""
    found = _one_in_collection(graph, key)
    if found is None:
        found = make()
        if found is not None:
            graph.add_to_collection(key, found)
    return found


def _one_in_collection(graph, key):
    """The single item of collection ``key``, None if it is empty; more than one is ambiguous."""
    items = graph.get_collection(key)
    if len(items) > 1:
        raise RuntimeError(f"More than one item in collection {key}. Please indicate which one to use by passing "
                           f"it to the Scaffold constructor.")
    return items[0] if items else None


class ChiefSessionCreator:
    """Creates the session of a monitored session: finalizes the scaffold, restores the variables from
    ``checkpoint_filename_with_path`` or the latest checkpoint in ``checkpoint_dir`` if there is one, else runs
    the init op and ``init_fn``; then the local init op, and checks that every variable has a value."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._scaffold = scaffold or Scaffold()
        self._config = config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path

    def create_session(self):
        scaffold = self._scaffold.finalize()
        session = Session(config=self._config)
        if not self._restore(session, scaffold.saver):
            if scaffold.init_op is not None:
                session.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(session)
        if scaffold.local_init_op is not None:
            session.run(scaffold.local_init_op)
        not_ready = session.run(scaffold.ready_op) if scaffold.ready_op is not None else ()
        if len(not_ready):
            names = ", ".join(n.decode() if isinstance(n, bytes) else str(n) for n in not_ready)
            raise RuntimeError(f"Init operations did not make model ready. Init op: {scaffold.init_op.name}, init "
                               f"fn: {scaffold.init_fn}, error: Variables not initialized: {names}")
        return session

    def _restore(self, session, saver):
        """Restore from a checkpoint if there is one to restore from; True if it did."""
        if self._checkpoint_filename_with_path:
            saver.restore(session, self._checkpoint_filename_with_path)
            return True
        state = get_checkpoint_state(self._checkpoint_dir) if self._checkpoint_dir else None
        if state is None or not state.model_checkpoint_path:
            return False
        saver.restore(session, state.model_checkpoint_path)
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        return True


class MonitoredSession:
    """A session made by ``session_creator`` (default: a ``ChiefSessionCreator``) that calls ``hooks`` around
    every ``run`` (see the module docstring). Use it as a context manager, or ``close()`` it."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        self._graph = get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._hooks = list(hooks or ())
        for hook in self._hooks:
            hook.begin()
        self._coord = Coordinator()
        self._stop_grace_period_secs = stop_grace_period_secs
        self._should_stop = False
        self._session = None  # set before the hooks see it: a failing after_create_session still closes it
        try:
            self._session = (session_creator or ChiefSessionCreator()).create_session()
            # a queue-fed input pipeline's threads work with the coordinator: close() stops and joins them
            start_queue_runners(self._session, coord=self._coord)
            for hook in self._hooks:
                hook.after_create_session(self._session, self._coord)
        except BaseException:
            self._close(run_end_hooks=False)
            raise

    @property
    def graph(self):
        return self._graph

    def _tf_sess(self):
        return self._session

    def should_stop(self):
        """True once a hook requested a stop, the coordinator was stopped, or the session was closed. A thread
        that stopped the coordinator with an error (``coord.request_stop(error)``) has it raised here."""
        if self._session is None:
            return True
        self._coord.raise_requested_exception()
        return self._should_stop or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """``Session.run`` of ``fetches``, with every hook's fetches and feeds riding along."""
        if self._session is None:
            raise RuntimeError("Attempted to use a closed MonitoredSession.")
        if self._should_stop:  # a hook's request (another thread's stop only shows in should_stop())
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._session)
        all_fetches = {"caller": fetches}
        all_feeds = dict(feed_dict or {})
        for hook in self._hooks:
            request = hook.before_run(context)
            if request is None:
                continue
            if request.fetches is not None:
                all_fetches[hook] = request.fetches
            if request.feed_dict:
                clash = set(all_feeds) & set(request.feed_dict)
                if clash:
                    by_user = clash & set(feed_dict or {})
                    raise RuntimeError(("Same tensor is fed by a SessionRunHook and user." if by_user else
                                        "Same tensor is fed by two hooks.") +
                                       f" Conflict(s): {sorted(str(getattr(t, 'name', t)) for t in clash)}")
                all_feeds.update(request.feed_dict)
        results = self._session.run(all_fetches, feed_dict=all_feeds, options=options, run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(context, SessionRunValues(results.get(hook), options, run_metadata))
        self._should_stop = self._should_stop or context.stop_requested
        return results["caller"]

    def close(self):
        self._close(run_end_hooks=True)

    def _close(self, run_end_hooks):
        try:
            if run_end_hooks and self._session is not None:
                for hook in self._hooks:
                    hook.end(self._session)
        finally:
            try:
                # the threads working with the coordinator stop too; an error one of them kept is raised here
                self._coord.request_stop()
                self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True)
            finally:
                if self._session is not None:
                    self._session.close()
                self._session = None
                if not self._graph_was_finalized:
                    self._graph._unsafe_unfinalize()  # the program may build more (an eval graph) afterwards

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        # the data running out is how a loop over a dataset ends: a normal end, not an error
        normal_end = exception_type is None or issubclass(exception_type, (OutOfRangeError, StopIteration))
        self._close(run_end_hooks=normal_end)
        return normal_end


class SingularMonitoredSession(MonitoredSession):
    """A ``MonitoredSession`` built from a ``Scaffold`` and checkpoint settings, whose underlying session is at
    hand: ``raw_session()`` runs without the hooks."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs)

    def raw_session(self):
        return self._session


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None, hooks=None,
                             chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT, save_summaries_steps=USE_DEFAULT,
                             save_summaries_secs=USE_DEFAULT, config=None, stop_grace_period_secs=120,
                             log_step_count_steps=100, max_wait_secs=7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None, save_graph_def=True):
    """A ``MonitoredSession`` for training, with the usual hooks added when there is somewhere to write:

    * ``checkpoint_dir``: restore from its latest checkpoint at the start, and a ``CheckpointSaverHook`` saving
      there every ``save_checkpoint_secs`` (default 600) seconds — or every ``save_checkpoint_steps`` steps if
      that is given instead — and at the end;
    * ``summary_dir`` (default: ``checkpoint_dir``): a ``SummarySaverHook`` writing the merged summaries every
      ``save_summaries_steps`` (default 100) steps — or ``save_summaries_secs`` seconds —, and a
      ``StepCounterHook`` logging global steps per second every ``log_step_count_steps`` steps.

    None or 0 for an interval turns its hook off. The hooks run in the order ``chief_only_hooks``, the ones
    above, ``hooks``.
    """
    if not is_chief:
        raise NotImplementedError("MonitoredTrainingSession(is_chief=False): minidl runs in one process, so there "
                                  "is no chief session to wait for; use is_chief=True")
    save_summaries_steps, save_summaries_secs = _intervals(save_summaries_steps, save_summaries_secs, (100, None))
    save_checkpoint_steps, save_checkpoint_secs = _intervals(save_checkpoint_steps, save_checkpoint_secs, (None, 600))
    scaffold = scaffold or Scaffold()
    # TF1's order: the chief's hooks, the ones made here, then the program's (whose end() sees the final
    # checkpoint already written)
    all_hooks = list(chief_only_hooks or ())
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
        if (save_summaries_steps or 0) > 0 or (save_summaries_secs or 0) > 0:
            all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                              save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir and ((save_checkpoint_secs or 0) > 0 or (save_checkpoint_steps or 0) > 0):
        all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                             save_secs=save_checkpoint_secs, scaffold=scaffold,
                                             save_graph_def=save_graph_def))
    all_hooks += list(hooks or ())
    creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir)
    return MonitoredSession(session_creator=creator, hooks=all_hooks, stop_grace_period_secs=stop_grace_period_secs)


def _intervals(steps, secs, defaults):
    """(steps, secs) of a periodic hook: both left to default take ``defaults``; one given turns the other off;
    both given, the seconds win (as TF1 documents)."""
    if steps is USE_DEFAULT and secs is USE_DEFAULT:
        return defaults
    steps, secs = (None if steps is USE_DEFAULT else steps), (None if secs is USE_DEFAULT else secs)
    return (None, secs) if steps and secs else (steps, secs)
