"""``tf.train.Supervisor``: the TF 1.0-era training helper, older than ``MonitoredTrainingSession``.

Many tutorials of that time (``ptb_word_lm`` among them) train like this::

    sv = tf.train.Supervisor(logdir="ckpt", save_model_secs=60)
    with sv.managed_session() as sess:
        while not sv.should_stop():
            sess.run(train_op)

The Supervisor holds the chores of a training program: it completes the graph with an init op, a ``Saver`` and
the merged summaries, then **finalizes** it (in the constructor: from then on adding an op is an error);
``managed_session`` yields a plain ``Session`` whose variables were restored from the latest checkpoint in
``logdir`` — so a killed job started again continues where it was — or else initialized (``init_op``, then
``init_fn(sess)``). Leaving the block ends the training: the end of the data (``OutOfRangeError`` from an
exhausted ``tf.data`` iterator) ends it quietly; another error is raised again after the clean-up.

The session set-up is ``MonitoredTrainingSession``'s: a ``Scaffold`` makes the missing ops and a
``ChiefSessionCreator`` restores or initializes. The Supervisor's arguments differ from the Scaffold's in one
way: ``USE_DEFAULT`` (the default) asks for the usual op, and None for *none* (no saver: no checkpoints; no
summary op: no periodic summaries; no ready op: no check that every variable has a value).

**The standard services, and how minidl differs from TF.** TF runs them as background threads: a checkpoint every
``save_model_secs``, the summary op every ``save_summaries_secs`` (each also once at the start), and a
``global_step/sec`` counter. A summary op that reads a ``tf.data`` iterator would then take batches away from the
training loop, so here the services run **between steps, in the training thread**: ``should_stop()`` — which the
training loop calls before every step — does whatever is due. A loop that never calls ``should_stop()`` gets no
periodic checkpoints, only the one that minidl adds when the block ends (TF 1.x did not save at the end, and the
last steps of a job were lost unless the program saved them itself; ``MonitoredTrainingSession`` does save at the
end, and so does this). The end-of-block save is skipped when the block failed. ``loop()`` does start a real
thread, for the program's own periodic work, and so do the queue runners of a queue-fed input pipeline
(train/queue_runner.py), started with the services and stopped when the block ends. Not written: the
``global_step/sec`` counter and the ``SessionLog`` events TF adds to the summary file.

minidl runs in one process: ``master`` is accepted and ignored, and ``is_chief=False`` (a worker waiting for a
chief that does not exist) and a ``session_manager`` (a distributed-training piece minidl does not have) are
refused. ``local_init_run_options`` is accepted and ignored.
"""
import contextlib
import os
import time

from ..basics import constant, no_op
from ..compat import logging
from ..core import get_default_graph
from ..errors import OutOfRangeError
from ..summary import FileWriter
from .coordinator import Coordinator, LooperThread
from .queue_runner import start_queue_runners as _start_queue_runners
from .graph_io import write_graph
from .monitored_session import ChiefSessionCreator, Scaffold
from .schedules import get_global_step

__all__ = ["Supervisor"]


class Supervisor:
    """Sets up a model, its session and its periodic chores; see the module docstring.

    ``logdir`` is where checkpoints (``logdir/checkpoint_basename-<global step>``) and summaries go, and where
    the latest checkpoint is restored from; without it nothing is written or restored. ``save_model_secs`` and
    ``save_summaries_secs`` are the services' intervals (0 or None: off). ``init_fn(sess)`` runs after
    ``init_op`` when there was no checkpoint to restore (e.g. to load pretrained weights)."""

    #: "make the usual one", for the op, saver and writer arguments; None means "none"
    USE_DEFAULT = 0

    def __init__(self, graph=None, ready_op=USE_DEFAULT, is_chief=True, init_op=USE_DEFAULT, init_feed_dict=None,
                 local_init_op=USE_DEFAULT, logdir=None, summary_op=USE_DEFAULT, saver=USE_DEFAULT,
                 global_step=USE_DEFAULT, save_summaries_secs=120, save_model_secs=600,
                 checkpoint_basename="model.ckpt", session_manager=None, summary_writer=USE_DEFAULT, init_fn=None,
                 local_init_run_options=None):
        if not is_chief:
            raise NotImplementedError("Supervisor(is_chief=False): minidl runs in one process, so there is no "
                                      "chief to wait for; use is_chief=True")
        if session_manager is not None:
            raise NotImplementedError("Supervisor(session_manager=...): minidl has no SessionManager; the "
                                      "Supervisor prepares its session itself")
        self._graph = graph or get_default_graph()
        with self._graph.as_default():
            self._scaffold = Scaffold(init_op=_op_or_stand_in(init_op, no_op), init_feed_dict=init_feed_dict,
                                      init_fn=None if init_fn is None else lambda scaffold, sess: init_fn(sess),
                                      ready_op=_op_or_stand_in(ready_op, _nothing_uninitialized),
                                      local_init_op=_op_or_stand_in(local_init_op, no_op),
                                      summary_op=None if summary_op is self.USE_DEFAULT else summary_op,
                                      saver=None if saver is self.USE_DEFAULT else saver).finalize()
            self._global_step = get_global_step() if global_step is self.USE_DEFAULT else global_step
        # the Scaffold makes a default for every None; here an explicit None turns the chore off
        self._summary_op = None if summary_op is None else self._scaffold.summary_op
        self._saver = None if saver is None else self._scaffold.saver
        self._logdir = logdir
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        self._save_model_secs, self._save_summaries_secs = save_model_secs, save_summaries_secs
        if summary_writer is self.USE_DEFAULT:
            summary_writer = FileWriter(logdir) if logdir else None
        self._summary_writer = summary_writer
        self._coord = Coordinator()
        self._session = None  # the session the standard services work on, once they are started
        self._services = {}   # service -> [its interval, the time.monotonic() at which it is next due]

    is_chief = property(lambda self: True)
    coord = property(lambda self: self._coord)
    init_op = property(lambda self: self._scaffold.init_op)
    init_feed_dict = property(lambda self: self._scaffold.init_feed_dict)
    ready_op = property(lambda self: self._scaffold.ready_op)
    summary_op = property(lambda self: self._summary_op)
    summary_writer = property(lambda self: self._summary_writer)
    saver = property(lambda self: self._saver)
    global_step = property(lambda self: self._global_step)
    save_path = property(lambda self: self._save_path)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)

    def prepare_or_wait_for_session(self, master="", config=None, wait_for_checkpoint=False, max_wait_secs=7200,
                                    start_standard_services=True):
        """A new session, restored from the latest checkpoint in ``logdir`` or initialized; the graph is written
        to ``logdir`` (``graph.pbtxt`` and the summary file) and, with ``start_standard_services``, the periodic
        services are started. The waiting arguments are for non-chief workers, which minidl does not have."""
        creator = ChiefSessionCreator(scaffold=self._scaffold, config=config,
                                      checkpoint_dir=self._logdir if self._saver is not None else None)
        with self._graph.as_default():
            session = creator.create_session()
        if self._logdir:
            write_graph(self._graph, self._logdir, "graph.pbtxt")
        if self._summary_writer is not None:
            self._summary_writer.add_graph(self._graph)
        if start_standard_services:
            self.start_standard_services(session)
            self.start_queue_runners(session)
        return session

    def start_standard_services(self, sess):
        """Arm the checkpoint and summary services for ``sess``: each is due at once, then every interval, and
        is done by ``should_stop()`` (not in a thread: the module docstring says why). Returns the threads
        started, as TF's does: none."""
        self._session = sess
        now = time.monotonic()
        self._services = {}
        if self._saver is not None and self._save_path and self._save_model_secs:
            self._services[self._save_checkpoint] = [self._save_model_secs, now]
        if self._summary_op is not None and self._summary_writer is not None and self._save_summaries_secs:
            self._services[self._write_summary] = [self._save_summaries_secs, now]
        return []

    def start_queue_runners(self, sess, queue_runners=None):
        """Start the threads of ``queue_runners`` (default: the graph's QUEUE_RUNNERS collection) with the
        supervisor's coordinator, so that ``stop()`` stops and joins them; returns the threads."""
        if queue_runners is None:
            with self._graph.as_default():
                return _start_queue_runners(sess, coord=self._coord)
        threads = []
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=self._coord, daemon=True, start=True))
        return threads

    @contextlib.contextmanager
    def managed_session(self, master="", config=None, start_standard_services=True, close_summary_writer=True):
        """A context manager around ``prepare_or_wait_for_session``: yields the session; at the end saves a last
        checkpoint (if the checkpoint service runs and the block did not fail), stops the coordinator and the
        ``loop()`` threads, closes the summary writer (``close_summary_writer``) and the session. An error in
        the block is raised again then — except ``OutOfRangeError``, the end of the data, a normal end."""
        sess = None
        failed = False
        try:
            sess = self.prepare_or_wait_for_session(master, config, start_standard_services=start_standard_services)
            yield sess
        except Exception as error:
            # the end of the data is a clean stop; another error is raised again after the clean-up, even when a
            # stop had been requested before it (the coordinator keeps only an error that causes a stop)
            failed = not isinstance(error, OutOfRangeError)
            self.request_stop(error)
            if failed:
                raise
        finally:
            try:
                if not failed and self._save_checkpoint in self._services:
                    self._save_checkpoint()
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    sess.close()
                self._session, self._services = None, {}

    def should_stop(self):
        """True once a stop was requested. First does the standard services that are due (see the module
        docstring): the training loop calls this between steps, when the variables are not being updated."""
        now = time.monotonic()
        for service, timing in self._services.items():
            interval, due = timing
            if now >= due:
                service()
                timing[1] = now + interval
        return self._coord.should_stop()

    def request_stop(self, ex=None):
        """Ask the training loop and the ``loop()`` threads to stop; ``ex`` is raised again by ``stop()``."""
        self._coord.request_stop(ex)

    def stop_on_exception(self):
        """A block whose exception requests a stop instead of escaping (``Coordinator.stop_on_exception``)."""
        return self._coord.stop_on_exception()

    def wait_for_stop(self):
        """Block until a stop is requested."""
        self._coord.wait_for_stop()

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False):
        """Request a stop, wait for the ``loop()`` threads (and ``threads``) to end, and close the summary writer
        (``close_summary_writer``). Raises the error a thread or the training block requested the stop with."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, ignore_live_threads=ignore_live_threads)
        finally:
            # last, as a thread may still have been writing
            if close_summary_writer and self._summary_writer is not None:
                self._summary_writer.close()

    def summary_computed(self, sess, summary, global_step=None):
        """Write ``summary`` (what a summary op's run returned) to the summary writer, at ``global_step`` (by
        default the global step's value in ``sess``)."""
        if self._summary_writer is None:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = sess.run(self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Start a thread that calls ``target(*args, **kwargs)`` every ``timer_interval_secs`` seconds (the
        first call at once; None: back to back) until a stop is requested (a ``LooperThread`` of the supervisor's
        coordinator): ``stop()`` joins it, and an error in ``target`` stops the training and is raised by
        ``stop()``. Returns the thread."""
        return LooperThread.loop(self._coord, timer_interval_secs, target, args, kwargs)

    def _save_checkpoint(self):
        logging.info("Saving checkpoint to path %s", self._save_path)
        self._saver.save(self._session, self._save_path, global_step=self._global_step)

    def _write_summary(self):
        if self._global_step is not None:
            summary, step = self._session.run([self._summary_op, self._global_step])
        else:
            summary, step = self._session.run(self._summary_op), None
        logging.info("Recording summary at step %s.", step)
        self._summary_writer.add_summary(summary, step)


def _op_or_stand_in(op, stand_in):
    """What the Scaffold is given for one of the Supervisor's op arguments: None (make the usual op) for
    USE_DEFAULT, ``stand_in()`` (an op that does nothing) for None, else the op itself."""
    if op is Supervisor.USE_DEFAULT:
        return None
    return stand_in() if op is None else op


def _nothing_uninitialized():
    """A ready op that always reports the model ready: the empty list of uninitialized variables."""
    return constant([], name="ready_op_disabled")
