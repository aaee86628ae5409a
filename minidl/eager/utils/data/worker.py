"""What runs inside a DataLoader worker process.

Each worker owns a copy of the dataset (made by ``fork``), takes ``(batch number, indices)`` tasks from its own
queue, builds and collates the batch, and puts ``(batch number, batch)`` on the shared result queue. An
exception is sent back as a ``WorkerError`` carrying the worker's formatted traceback, so the main process can
re-raise it with the real cause. ``None`` on the task queue means "stop".
"""
import random
import traceback
from collections import namedtuple

import numpy

from ...random import manual_seed
from .collate import to_transport

WorkerInfo = namedtuple("WorkerInfo", "id num_workers seed dataset")
_worker_info = None


def get_worker_info():
    """Inside a worker: its ``id``, ``num_workers``, ``seed`` and ``dataset`` copy. In the main process: None."""
    return _worker_info


class WorkerError:
    """An exception raised in a worker, with its traceback as text (exceptions may not pickle cleanly)."""

    def __init__(self, worker_id, exception):
        self.worker_id = worker_id
        self.exception_type = type(exception)
        self.text = "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))

    def reraise(self):
        message = (f"Caught {self.exception_type.__name__} in DataLoader worker process {self.worker_id}.\n"
                   f"Original {self.text}")
        try:
            error = self.exception_type(message)
        except Exception:  # exception types whose constructor wants other arguments
            error = RuntimeError(message)
        raise error


class EndOfIterable:
    """Sent by a worker whose iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


def worker_loop(dataset, task_queue, result_queue, fetch, worker_id, num_workers, seed, worker_init_fn,
                iterable):
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    # every worker draws different random numbers (augmentation!), reproducibly from the loader's base seed
    manual_seed(seed)
    random.seed(seed)
    numpy.random.seed(seed % 2 ** 32)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
        stream = iter(dataset) if iterable else None
    except Exception as error:  # a failing init is reported on the first task
        init_error = WorkerError(worker_id, error)
    else:
        init_error = None
    while True:
        task = task_queue.get()
        if task is None:
            break
        number, indices = task
        if init_error is not None:
            result_queue.put((number, init_error))
            continue
        try:
            batch = fetch(stream if iterable else indices)
            result_queue.put((number, to_transport(batch)))
        except StopIteration:
            result_queue.put((number, EndOfIterable(worker_id)))
        except Exception as error:
            result_queue.put((number, WorkerError(worker_id, error)))
