"""What runs inside a DataLoader worker process, and how what it makes gets to the main process.

Each worker owns a copy of the dataset (made by ``fork``, or pickled to it under ``spawn``), takes
``(epoch, batch number, indices)`` tasks from its own queue, builds and collates the batch, and puts
``(epoch, batch number, batch)`` on the shared result queue. An exception is sent back as a ``WorkerError``
carrying the worker's formatted traceback, so the main process can re-raise it with the real cause. ``None`` on
the task queue means "stop". The epoch lets persistent workers (``persistent_workers=True``) serve epoch after
epoch: a result of an epoch the loop has left is recognised and dropped.

**Tensors between processes.** A minidl tensor refuses ``pickle`` (``save``/``load`` are the way to files, and
they never run code when loading). Between a worker and its loader, though, Python's multiprocessing pickles
whatever crosses — a batch, a dataset under ``spawn`` — with its own pickler, ``ForkingPickler``, and this module
teaches that one pickler to send a tensor (``multiprocessing/reductions.py``). So a batch may be any structure
holding tensors (a dataclass from a ``collate_fn`` too), and files are untouched by it. The worker pickles each
batch itself before putting it on the queue: an object that cannot be pickled is then an error the loop re-raises,
where the queue's background thread would have dropped it and left the loop waiting forever.
"""
import random
import traceback
from collections import namedtuple
from multiprocessing.reduction import ForkingPickler

import numpy

from ... import multiprocessing  # noqa: F401  (teaches ForkingPickler to send tensors)
from ...random import manual_seed

WorkerInfo = namedtuple("WorkerInfo", "id num_workers seed dataset")
_worker_info = None


def get_worker_info():
    """Inside a worker: its ``id``, ``num_workers``, ``seed`` and ``dataset`` copy. In the main process: None."""
    return _worker_info


class _VerbatimMessage(str):
    """A message whose repr is itself, so an exception that shows ``repr(arg)`` prints the traceback's lines."""

    def __repr__(self):
        return self


class WorkerError:
    """An exception raised in a worker, with its traceback as text (exceptions may not pickle cleanly)."""

    def __init__(self, worker_id, exception):
        self.worker_id = worker_id
        self.exception_type = type(exception)
        self.text = "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))

    def reraise(self):
        message = (f"Caught {self.exception_type.__name__} in DataLoader worker process {self.worker_id}.\n"
                   f"Original {self.text}")
        if issubclass(self.exception_type, KeyError):  # its str() is the repr of its argument: keep the lines readable
            message = _VerbatimMessage(message)
        try:
            error = self.exception_type(message)
        except Exception:  # exception types whose constructor wants other arguments
            error = RuntimeError(message)
        raise error


class EndOfIterable:
    """Sent by a worker whose iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


def one_pass(dataset):
    """An iterable dataset's items for one epoch: its iterator, until it first stops. (An iterator may yield again
    after a StopIteration — a reader of a socket or a queue; PyTorch ends the epoch at the first, and a generator
    that has finished stays finished.)"""
    yield from dataset


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
    except Exception as error:  # a failing init is reported on the first task
        init_error = WorkerError(worker_id, error)
    else:
        init_error = None
    stream, stream_epoch = None, None  # an iterable dataset's iterator, made anew for each epoch
    while True:
        task = task_queue.get()
        if task is None:
            break
        epoch, number, indices = task
        if init_error is not None:
            result_queue.put((epoch, number, init_error))
            continue
        try:
            if iterable and stream_epoch != epoch:
                stream, stream_epoch = one_pass(dataset), epoch
            batch = bytes(ForkingPickler.dumps(fetch(stream if iterable else indices)))
        except StopIteration:  # (the stream stays exhausted for the rest of the epoch)
            result_queue.put((epoch, number, EndOfIterable(worker_id)))
        except Exception as error:
            result_queue.put((epoch, number, WorkerError(worker_id, error)))
        else:
            result_queue.put((epoch, number, batch))

