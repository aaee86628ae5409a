"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

With ``num_workers=0`` batches are built in the loop itself. With ``num_workers > 0``, real processes build them
ahead of time (``prefetch_factor`` batches per worker are in flight), so loading overlaps training. Batches come
back in sampler order however the workers finish; an exception in a worker is re-raised here with the worker's
traceback; and the workers are shut down when the epoch ends, when an error occurs, or when the loop is left
early (the iterator is then garbage-collected, which triggers the shutdown). With ``persistent_workers=True`` they
stay for the next epoch instead (the dataset copies, and whatever ``worker_init_fn`` set up, survive), and are
shut down with the loader.
"""
import itertools
import multiprocessing
import os
import pickle
import queue
import warnings
import weakref
from typing import Generic

from ....backend import cuda_is_available
from ...profiler import record_function
from ...random import default_generator, numpy_rng
from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, T_co
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .worker import EndOfIterable, WorkerError, one_pass, worker_loop

_POLL_SECONDS = 2.0


class DataLoader(Generic[T_co]):
    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if prefetch_factor is not None and num_workers == 0:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing. Let num_workers > 0 "
                             "to enable multiprocessing.")
        if prefetch_factor is not None and prefetch_factor < 1:  # (0 would start no batch at all: an empty epoch)
            raise ValueError(f"prefetch_factor option should be a positive number of batches per worker, got "
                             f"{prefetch_factor}")
        self.dataset, self.num_workers, self.timeout = dataset, num_workers, timeout
        self.worker_init_fn, self.generator = worker_init_fn, generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.multiprocessing_context = multiprocessing_context
        self.pin_memory, self.persistent_workers = pin_memory, persistent_workers
        # batches always arrive in order; ``in_order=False`` only allows otherwise in PyTorch
        self.pin_memory_device, self.in_order = pin_memory_device, in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but got "
                                     f"{name}={value!r}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.collate_fn = collate_fn or (default_collate if batch_size is not None or batch_sampler is not None
                                         else default_convert)
        self._initialized = True

    def __setattr__(self, name, value):
        # the batching was decided from these in __init__: a later change would be ignored, or half applied
        if name in _FIXED_AFTER_INIT and self.__dict__.get("_initialized"):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)  # TypeError if the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def _delivered(self, batch):
        """A batch as the loop receives it: with ``pin_memory`` on a machine with a GPU, its CPU tensors in
        page-locked memory, from which ``.to("cuda", non_blocking=True)`` copies faster."""
        return _pinned(batch) if self.pin_memory and cuda_is_available() else batch

    def __iter__(self):
        workers = self.__dict__.get("_persistent_iterator")
        if self.persistent_workers and workers is not None and workers._finalizer.alive:
            workers.next_epoch()  # (no new iterator, so no second pin_memory warning, as in PyTorch)
            return workers
        # as in PyTorch, each new iterator warns (every epoch, unless the workers are persistent)
        if self.pin_memory and not cuda_is_available():  # pinned memory speeds copies to a GPU; there is none
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", UserWarning, stacklevel=2)
        if self.num_workers == 0:
            return _SingleProcessIterator(self)
        if not self.persistent_workers:
            return _MultiProcessIterator(self)
        # (again after a timeout or a dead worker shut the persistent ones down)
        self._persistent_iterator = _MultiProcessIterator(self, persistent=True)
        return self._persistent_iterator


def _pinned(batch):
    """``batch`` (tensors in tuples, lists, dicts, named tuples) with each CPU tensor in page-locked memory."""
    if isinstance(batch, Tensor):
        return batch.pin_memory() if batch.device.type == "cpu" else batch
    if isinstance(batch, dict):
        return type(batch)((key, _pinned(value)) for key, value in batch.items())
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*map(_pinned, batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(map(_pinned, batch))
    return batch


def _base_seed(loader):
    """The workers' base seed (worker i is seeded with base + i), drawn when an iterator is made — by every
    iterator, as in PyTorch, so that the shuffling order and the random numbers a program draws afterwards do not
    depend on ``num_workers``."""
    return int(numpy_rng(loader.generator or default_generator).integers(0, 2 ** 62))


class BatchFetcher:
    """What it takes to build a batch — the dataset, collate_fn and the batching options — without the rest of
    the loader: a worker process gets this (its sampler, batch sampler and generator stay in the main process, and
    with the "spawn" or "forkserver" start method only this is pickled, as PyTorch sends its workers only the
    dataset and the functions)."""

    def __init__(self, loader):
        self.dataset, self.collate_fn, self.iterable = loader.dataset, loader.collate_fn, loader._iterable
        self.batch_size, self.drop_last, self.batched = loader.batch_size, loader.drop_last, \
            loader.batch_sampler is not None

    def __call__(self, indices_or_stream):
        """Build one batch: from a list of indices (map-style) or the next items of a stream (iterable)."""
        if self.iterable:
            if self.batch_size is None:
                return self.collate_fn(next(indices_or_stream))
            items = list(itertools.islice(indices_or_stream, self.batch_size))
            if not items or (self.drop_last and len(items) < self.batch_size):
                raise StopIteration
            return self.collate_fn(items)
        if not self.batched:
            return self.collate_fn(self.dataset[indices_or_stream])
        fetch_many = getattr(self.dataset, "__getitems__", None)  # a dataset that reads a batch at once
        if fetch_many:
            return self.collate_fn(fetch_many(list(indices_or_stream)))
        return self.collate_fn([self.dataset[i] for i in indices_or_stream])


_FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class _SingleProcessIterator:
    def __init__(self, loader):
        self._loader = loader
        self._fetch = BatchFetcher(loader)
        _base_seed(loader)  # drawn and unused: see _base_seed
        self._source = one_pass(loader.dataset) if loader._iterable else iter(loader._index_sampler)

    def __iter__(self):
        return self

    @record_function("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__")  # an event for the profiler
    def __next__(self):
        loader = self._loader
        return loader._delivered(self._fetch(self._source if loader._iterable else next(self._source)))

    def __len__(self):
        return len(self._loader)


class _MultiProcessIterator:
    """Hands out ``(epoch, batch number, indices)`` tasks round-robin, and yields results in batch-number order.
    ``persistent``: the workers outlive the epoch (``next_epoch`` starts another)."""

    def __init__(self, loader, persistent=False):
        self._loader = loader
        self._persistent = persistent
        self._timeout = loader.timeout
        context = loader.multiprocessing_context or multiprocessing.get_context("fork")
        if isinstance(context, str):
            context = multiprocessing.get_context(context)
        base_seed = _base_seed(loader)
        self._result_queue = context.Queue()
        self._task_queues, self._workers = [], []
        for worker_id in range(loader.num_workers):
            tasks = context.Queue()
            process = context.Process(target=worker_loop, daemon=True, args=(
                loader.dataset, tasks, self._result_queue, BatchFetcher(loader), worker_id, loader.num_workers,
                base_seed + worker_id, loader.worker_init_fn, loader._iterable))
            process.start()
            self._task_queues.append(tasks)
            self._workers.append(process)
        # stop the workers when this iterator goes away, even if the loop was left early
        self._finalizer = weakref.finalize(self, _shutdown, os.getpid(), self._workers, self._task_queues,
                                           self._result_queue)
        self._epoch = -1
        self.next_epoch()

    def next_epoch(self):
        """Start handing out the tasks of a new epoch (results of the one before, if it was left early, are
        dropped as they arrive)."""
        loader = self._loader
        self._epoch += 1
        self._tasks = None if loader._iterable else iter(loader._index_sampler)
        self._active = list(range(loader.num_workers))  # workers whose stream is not exhausted (iterable)
        self._sent = self._received = 0
        self._next_worker = 0
        self._results = {}
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._send_task()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def _send_task(self):
        if self._loader._iterable:
            # the next worker in turn, over all of them, skipping the exhausted ones (as PyTorch cycles): the
            # order of the batches does not depend on which streams have ended
            turns = [(self._next_worker + k) % len(self._workers) for k in range(len(self._workers))]
            worker = next((w for w in turns if w in self._active), None)
            if worker is None:
                return
            self._next_worker = worker + 1
            self._task_queues[worker].put((self._epoch, self._sent, None))
        else:
            indices = next(self._tasks, None)
            if indices is None:
                return
            self._task_queues[self._sent % len(self._workers)].put((self._epoch, self._sent, indices))
        self._sent += 1

    @record_function("enumerate(DataLoader)#_MultiProcessingDataLoaderIter.__next__")
    def __next__(self):
        while True:
            if self._received in self._results:
                data = self._results.pop(self._received)
                self._received += 1
                if isinstance(data, EndOfIterable):
                    if data.worker_id in self._active:
                        self._active.remove(data.worker_id)
                    continue
                self._send_task()
                if isinstance(data, WorkerError):
                    # the workers go on: as in PyTorch, a loop that catches the error gets the next batch (the
                    # workers stop when the iterator is finished or dropped)
                    data.reraise()
                return self._loader._delivered(pickle.loads(data))  # a batch a worker pickled (worker.py)
            if self._received >= self._sent:
                if not self._persistent:
                    self._finalizer()
                raise StopIteration
            epoch, number, data = self._get()
            if epoch == self._epoch:
                self._results[number] = data

    def _get(self):
        """The next result from any worker; fails if a worker died or ``timeout`` seconds pass."""
        waited = 0.0
        while True:
            wait = _POLL_SECONDS if not self._timeout else min(_POLL_SECONDS, self._timeout - waited)
            try:
                return self._result_queue.get(timeout=wait)
            except queue.Empty:
                waited += wait
                dead = [w for w in self._workers if not w.is_alive()]
                if dead:
                    self._finalizer()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(str(w.pid) for w in dead)}) exited "
                                       "unexpectedly") from None
                if self._timeout and waited >= self._timeout:
                    self._finalizer()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None


def _shutdown(creator, workers, task_queues, result_queue):
    """Ask every worker to stop, wait briefly, then terminate stragglers; never leave a process behind. Only the
    process that started them (``creator``: a worker forked later inherits this finalizer and runs it at exit)."""
    if os.getpid() != creator:
        return
    for tasks in task_queues:
        try:
            tasks.put(None)
        except (OSError, ValueError):
            pass
    for process in workers:
        process.join(timeout=1.0)
        if process.is_alive():
            process.terminate()
            process.join(timeout=1.0)
    for q in task_queues + [result_queue]:
        q.cancel_join_thread()
        q.close()
