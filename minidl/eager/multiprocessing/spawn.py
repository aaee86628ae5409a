"""``spawn`` and ``start_processes``: ``fn(rank, *args)`` in ``nprocs`` new processes, watched by a
``ProcessContext``. When a child raises, it sends its formatted traceback through its own error queue and exits
with status 1; the parent then stops the other children and raises ``ProcessRaisedException`` carrying that text
(the exception object itself may not pickle). A child that dies otherwise (a signal, ``os._exit``) is reported as
``ProcessExitedException`` with its exit code or signal name.
"""
import multiprocessing
import multiprocessing.connection
import signal
import sys
import traceback

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException", "spawn",
           "start_processes"]


class ProcessException(Exception):
    """A child process of ``spawn`` failed: ``error_index`` is its rank, ``pid`` its process id."""

    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child raised an exception: the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A child exited without raising: ``exit_code`` (negative for a signal, named in ``signal_name``)."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn, rank, args, error_queue):
    try:
        fn(rank, *args)
    except KeyboardInterrupt:
        pass  # the parent is stopping everyone
    except Exception:
        error_queue.put(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes ``start_processes`` started; ``join()`` waits for them and raises on the first failure."""

    def __init__(self, processes, error_queues):
        self.processes, self.error_queues = processes, error_queues
        self.sentinels = {process.sentinel: rank for rank, process in enumerate(processes)}

    def pids(self):
        return [process.pid for process in self.processes]

    def join(self, timeout=None):
        """Wait (at most ``timeout`` seconds) for a process to end: True once all ended well, False while some run;
        when one failed, the others are terminated and its failure raised."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        failed = None
        for sentinel in ready:
            rank = self.sentinels.pop(sentinel)
            self.processes[rank].join()
            if self.processes[rank].exitcode != 0 and failed is None:
                failed = rank
        if failed is None:
            return not self.sentinels
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        process, error_queue = self.processes[failed], self.error_queues[failed]
        if error_queue.empty():
            code = process.exitcode
            if code < 0:
                name = signal.Signals(-code).name
                raise ProcessExitedException(f"process {failed} terminated with signal {name}", failed,
                                             process.pid, code, name)
            raise ProcessExitedException(f"process {failed} terminated with exit code {code}", failed,
                                         process.pid, code)
        text = error_queue.get()
        raise ProcessRaisedException(f"\n\n-- Process {failed} terminated with the following error:\n{text}",
                                     failed, process.pid)


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run ``fn(rank, *args)`` for rank 0 .. nprocs-1, each in a new process started by ``start_method``
    ("spawn", "fork" or "forkserver"). With ``join``, wait for all (None); otherwise return the
    ``ProcessContext``."""
    context = multiprocessing.get_context(start_method)
    processes, error_queues = [], []
    for rank in range(nprocs):
        error_queue = context.SimpleQueue()
        process = context.Process(target=_wrap, args=(fn, rank, args, error_queue), daemon=daemon)
        process.start()
        processes.append(process)
        error_queues.append(error_queue)
    process_context = ProcessContext(processes, error_queues)
    if not join:
        return process_context
    while not process_context.join():
        pass


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``start_processes`` (PyTorch's name for the common case)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
