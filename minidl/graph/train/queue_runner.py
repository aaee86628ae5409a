"""``tf.train.QueueRunner``: the threads that keep a queue filled, and ``tf.train.start_queue_runners``.

A TF1 input pipeline (train/input.py) is a chain of queues (queues.py). What fills each queue is a *queue
runner*: one Python thread per enqueue op, each running ``sess.run(enqueue_op)`` in a loop. The graph keeps the
runners in the QUEUE_RUNNERS collection, and the training program starts them all at once::

    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    try:
        while not coord.should_stop():
            sess.run(train_op)                  # dequeues a batch the threads prepared meanwhile
    except tf.errors.OutOfRangeError:
        print("done: the epochs ran out")
    finally:
        coord.request_stop()
    coord.join(threads)

How a runner's threads end:

* **the data runs out** — an enqueue op reads from an upstream queue that is closed and empty, so it raises
  ``OutOfRangeError``; the thread ends, and the *last* thread of the runner closes the runner's own queue, so the
  end travels down the chain to the training loop's dequeue;
* **the coordinator stops** — a thread checks ``coord.should_stop()`` before each enqueue, and one more thread per
  runner waits for the stop and then closes the queue with ``cancel_pending_enqueues=True``, which wakes an enqueue
  that waits for room in a full queue (``CancelledError``, ignored after a stop, as the coordinator ignores
  errors reported once it is stopping);
* **an enqueue fails** otherwise — the error goes to the coordinator (``coord.join`` re-raises it in the main
  thread) or, without one, is kept in ``exceptions_raised`` and re-raised in the thread.

Without a coordinator the threads run until their queue is closed or the session is closed (which cancels every
waiting op).
"""
import threading

from .. import errors
from ..core import GraphKeys, get_default_graph
from ..session import get_default_session

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]


class QueueRunner:
    """Runs each of ``enqueue_ops`` in its own thread to fill ``queue``; ``close_op`` (default
    ``queue.close()``) runs when the last of them hits the end of its input, ``cancel_op`` (default
    ``queue.close(cancel_pending_enqueues=True)``) when the coordinator stops. ``queue_closed_exception_types``:
    the errors that mean "the input ran out" (default ``(tf.errors.OutOfRangeError,)``)."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None, queue_closed_exception_types=None,
                 queue_runner_def=None, import_scope=None):
        if queue_runner_def is not None:
            raise NotImplementedError("QueueRunner(queue_runner_def=...): minidl keeps queue runners as Python "
                                      "objects in the graph's collection; there is no QueueRunnerDef to read")
        if queue is None or not enqueue_ops:
            raise ValueError("QueueRunner needs a queue and at least one enqueue op")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        self._queue_closed_exception_types = tuple(queue_closed_exception_types or (errors.OutOfRangeError,))
        self._lock = threading.Lock()
        self._runs_per_session = {}
        self._exceptions_raised = []

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: list(self._enqueue_ops))
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    queue_closed_exception_types = property(lambda self: self._queue_closed_exception_types)
    name = property(lambda self: self._queue.name)

    @property
    def exceptions_raised(self):
        """The errors the threads raised while running without a coordinator."""
        return list(self._exceptions_raised)

    def _run(self, sess, enqueue_op, coord):
        """One thread's loop: run ``enqueue_op`` until told to stop or the input runs out."""
        counted = True
        try:
            while not (coord is not None and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._queue_closed_exception_types:
                    with self._lock:
                        counted = False
                        self._runs_per_session[sess] -= 1
                        last = self._runs_per_session[sess] == 0
                    if last:  # the input has run out for every thread: pass the end on downstream
                        _run_quietly(sess, self._close_op)
                    return
        except Exception as error:  # any other failure is the coordinator's to report, or this thread's
            if coord is not None:
                coord.request_stop(error)
            else:
                with self._lock:
                    self._exceptions_raised.append(error)
                raise
        finally:
            if counted:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess, coord):
        coord.wait_for_stop()
        _run_quietly(sess, self._cancel_op)

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The threads that run the enqueue ops in ``sess`` (plus one that cancels on ``coord``'s stop), started if
        ``start``. Threads of this runner still running in ``sess`` are not doubled: then nothing is created."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon,
                                    name=f"QueueRunnerThread-{self.name}-{op.name}") for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord), daemon=daemon,
                                            name=f"QueueRunnerThread-{self.name}-close_on_stop"))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if start:
                thread.start()
        return threads


def _run_quietly(sess, op):
    """Run ``op``, ignoring a failure: closing a queue of a session that is itself closing may fail, harmlessly."""
    try:
        sess.run(op)
    except Exception:  # (the queue is being torn down anyway; TF ignores these too)
        pass


def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS):
    """Put ``qr`` in the graph's ``collection``, where ``start_queue_runners`` finds it."""
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True, collection=GraphKeys.QUEUE_RUNNERS):
    """Create (and start) the threads of every queue runner in ``sess``'s graph's ``collection``; returns them.
    ``sess`` defaults to the default session."""
    sess = sess if sess is not None else get_default_session()
    if sess is None:
        raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                         "sess.as_default()` or pass an explicit session to tf.start_queue_runners(sess=sess)")
    graph = getattr(sess, "graph", None) or get_default_graph()
    threads = []
    for qr in graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
