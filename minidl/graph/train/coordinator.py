"""``tf.train.Coordinator``: one stop flag shared by a program's threads, and the first error any of them raised.

TF1 input pipelines ran their readers in threads (queue runners), and a training loop had to stop them all when
the data ran out or one of them failed::

    coord = tf.train.Coordinator()
    threads = [threading.Thread(target=work, args=(coord,)) for _ in range(4)]
    for t in threads: t.start()
    ...                                         # each worker loops `while not coord.should_stop():`
    coord.request_stop()
    coord.join(threads)                         # waits, then re-raises the first worker's error, if any

A worker that fails calls ``coord.request_stop(error)`` (or runs inside ``with coord.stop_on_exception():``); the
error is kept and ``join`` raises it in the main thread, so a failure in a thread is never silently lost.
``MonitoredSession`` hands one to its hooks (``after_create_session(session, coord)``) and stops when it is set.
"""
import contextlib
import sys
import threading
import time

from ..errors import OutOfRangeError

__all__ = ["Coordinator", "LooperThread"]


class Coordinator:
    """A stop flag (a ``threading.Event``) plus the first exception reported with ``request_stop(ex)``.
    ``clean_stop_exception_types`` are the errors that mean "done" rather than "failed" (by default the end of
    the data, ``OutOfRangeError``): they stop the threads but ``join`` does not re-raise them."""

    def __init__(self, clean_stop_exception_types=None):
        self._clean_stop_exception_types = tuple(
            (OutOfRangeError,) if clean_stop_exception_types is None else clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def request_stop(self, ex=None):
        """Set the stop flag. ``ex`` (an exception, or a ``sys.exc_info()`` triple) is kept to be re-raised by
        ``join`` — the first one only, not a clean-stop type, and only if it caused the stop: an error that a
        thread reports while the threads are being stopped (a cancelled enqueue) is a consequence, not a cause."""
        with self._lock:
            if ex is not None and self._exc_info_to_raise is None and not self._joined and \
                    not self._stop_event.is_set():
                exc_info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(exc_info[0], self._clean_stop_exception_types):
                    self._exc_info_to_raise = exc_info
            self._stop_event.set()

    def clear_stop(self):
        """Forget the stop request and the kept exception (to start new threads with this coordinator)."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A block whose exception stops the coordinator (and is kept for ``join``) instead of escaping."""
        try:
            yield
        except Exception:  # whatever failed in the worker is handed to the main thread by join
            self.request_stop(sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Block until a stop is requested (or ``timeout`` seconds pass); True if it was requested."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Wait until a stop is requested, then give ``threads`` (plus the registered ones) up to
        ``stop_grace_period_secs`` to finish. Re-raises the kept exception; a thread still alive after the grace
        period is a RuntimeError unless ``ignore_live_threads``."""
        with self._lock:
            threads = set(threads or ()) | self._registered_threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            exc_info = self._exc_info_to_raise
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])
        if alive and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: {' '.join(alive)}")

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        """Re-raise the kept exception now, if there is one."""
        with self._lock:
            exc_info = self._exc_info_to_raise
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])


class LooperThread(threading.Thread):
    """A thread that calls ``target(*args, **kwargs)`` — or, in a subclass, ``run_loop()`` — every
    ``timer_interval_secs`` seconds (the first call at once; None: back to back) until ``coord`` stops. It is
    registered with ``coord``, whose ``join`` waits for it; an error in the target stops the coordinator and
    ``join`` raises it. ``start_loop()`` and ``stop_loop()`` run once, before the first and after the last call."""

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord!r}")
        super().__init__(daemon=True)
        self._coord, self._interval = coord, timer_interval_secs
        # (not _target/_args/_kwargs: threading.Thread keeps its own under those names)
        self._loop_target, self._loop_args, self._loop_kwargs = target, tuple(args or ()), dict(kwargs or {})
        coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        """Start a LooperThread calling ``target`` and return it."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        with self._coord.stop_on_exception():
            self.start_loop()
            next_call = time.monotonic()
            # without an interval next_call stays in the past: no wait, the calls come back to back
            while not self._coord.wait_for_stop(max(0.0, next_call - time.monotonic())):
                next_call += self._interval or 0.0
                self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once before the first ``run_loop``."""

    def run_loop(self):
        """One call of the target; a subclass without a target overrides this."""
        if self._loop_target is not None:
            self._loop_target(*self._loop_args, **self._loop_kwargs)

    def stop_loop(self):
        """Called once after the coordinator stopped."""
