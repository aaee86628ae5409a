"""TF1's queue-based input pipelines: ``tf.train.string_input_producer``, ``slice_input_producer``, ``batch``,
``shuffle_batch`` and their relatives.

Before ``tf.data``, a TF1 program read its data in stages joined by queues (queues.py), each stage filled by a
queue runner's threads (queue_runner.py) while the training loop dequeues batches::

    filenames = tf.train.string_input_producer(["a.csv", "b.csv"], num_epochs=5)   # a queue of file names
    _, line = tf.TextLineReader().read(filenames)                                # one record per run
    features, label = parse(line)
    x, y = tf.train.shuffle_batch([features, label], batch_size=32, capacity=1000, min_after_dequeue=500)
    ...
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)

* A **producer** (``input_producer`` and its forms) puts the rows of a tensor — file names, indices, slices — into
  a FIFO queue, shuffled anew for each epoch if ``shuffle``, ``num_epochs`` times (forever if None).
  ``num_epochs`` is counted by a *local* variable (``limit_epochs``): a program that sets it must run
  ``tf.local_variables_initializer()``, or the producer fails with "Attempting to use uninitialized value
  input_producer/limit_epochs/epochs" — TF1's famous stumbling block, kept because TF1 programs initialize it.
* A **batcher** (``batch``, ``shuffle_batch``) runs ``num_threads`` threads, each enqueueing one example per
  run into a queue of ``capacity`` (a ``RandomShuffleQueue`` for ``shuffle_batch``, whose ``min_after_dequeue``
  keeps a reserve to mix), and returns the ``dequeue_many(batch_size)`` of that queue. The ``_join`` forms take
  one list of tensors per thread (e.g. one reader per thread); the ``maybe_`` forms take only the examples a
  ``keep_input`` tensor keeps (a filter in the pipeline: drop the examples of some class).

When the producer's epochs run out it closes its queue; the readers then get ``OutOfRangeError``, the batcher's
threads end and close the batch queue, and the training loop's ``sess.run`` raises ``OutOfRangeError`` once the
last full batch is gone (or after a smaller one, with ``allow_smaller_final_batch``).

The results keep the structure of ``tensors``: a list gives a list — except that a list of ONE tensor gives that
one batched tensor, as in TF1 — and a dict gives a dict. Each stage also records how full its queue is, as a
scalar summary (``batch/fraction_of_32_full``), as TF1's does.
"""
import numpy

from ...backend import dtypes
from .. import array_ops, math_ops, summary
from ..basics import control_dependencies, identity, name_scope
from ..check_ops import Assert
from ..core import GraphKeys, Tensor, TensorShape
from ..frontend import convert_to_tensor
from ..queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from ..random_ops import random_shuffle
from ..strings import string
from ..variables import Variable
from .queue_runner import QueueRunner, add_queue_runner

__all__ = ["limit_epochs", "input_producer", "string_input_producer", "range_input_producer",
           "slice_input_producer", "batch", "shuffle_batch", "batch_join", "shuffle_batch_join", "maybe_batch",
           "maybe_batch_join", "maybe_shuffle_batch", "maybe_shuffle_batch_join"]


# ------------------------------------------------------------------------------------------------ producers

def _named_as_scope(result, scope):
    """``result`` (a tensor, or a list/dict of one op's outputs), its op renamed to ``scope`` without the "/",
    as TF names the result of ``batch`` (``batch:0``) or ``limit_epochs``."""
    first = next(iter(result.values())) if isinstance(result, dict) else \
        result[0] if isinstance(result, list) else result
    first.graph.rename_operation(first.op, scope.rstrip("/"))
    return result


def limit_epochs(tensor, num_epochs=None, name=None):
    """``tensor``, but each run first counts one epoch in a local variable ``epochs``; after ``num_epochs`` runs
    it raises ``OutOfRangeError`` instead. None: no limit (``tensor`` itself)."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs") as scope:
        epochs = Variable(numpy.int64(0), name="epochs", trainable=False, collections=[GraphKeys.LOCAL_VARIABLES])
        with control_dependencies([epochs.count_up_to(num_epochs)]):
            return _named_as_scope(identity(tensor), scope)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, capacity=32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """A FIFO queue that a queue runner fills with the rows of ``input_tensor``, epoch after epoch (in a new
    random order each epoch if ``shuffle``), ``num_epochs`` times (None: forever); returns the queue."""
    with name_scope(name, "input_producer"):
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        rows = TensorShape(list(input_tensor.shape)[1:]) if input_tensor.shape.rank_known else TensorShape(None)
        if element_shape is not None:
            rows = rows.merge_with(element_shape)
        if not rows.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` must be "
                             "specified")
        if shuffle:
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = FIFOQueue(capacity, [input_tensor.dtype], shapes=[rows], shared_name=shared_name, name=name)
        add_queue_runner(QueueRunner(queue, [queue.enqueue_many([input_tensor])], cancel_op=cancel_op))
        if summary_name is not None:
            summary.scalar(summary_name, math_ops.cast(queue.size(), dtypes.float32) * (1. / capacity))
        return queue


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                          name=None, cancel_op=None):
    """A queue of the strings (usually file names) of ``string_tensor``, for a reader to take work from."""
    empty = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, Tensor) and len(string_tensor) == 0:
        raise ValueError(empty)
    with name_scope(name, "input_producer") as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=string)
        with control_dependencies([Assert(math_ops.greater(array_ops.size(string_tensor), 0), [empty])]):
            string_tensor = identity(string_tensor)
        return input_producer(string_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              f"fraction_of_{capacity}_full", scope, cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """A queue of the integers 0 .. limit-1 (int32)."""
    with name_scope(name, "input_producer") as scope:
        return input_producer(array_ops.range(limit), [], num_epochs, shuffle, seed, capacity, shared_name,
                              f"fraction_of_{capacity}_full", scope)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """One row of every tensor of ``tensor_list`` (the same row of each: an image and its label), per run; rows
    come from a ``range_input_producer`` over the first dim."""
    with name_scope(name, "input_producer"):
        tensor_list = [convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        sizes = {t.shape[0] for t in tensor_list if t.shape.rank_known and t.shape.rank and t.shape[0] is not None}
        if len(sizes) > 1:
            raise ValueError(f"slice_input_producer: the tensors must have the same size of the first dimension, got "
                             f"{[str(t.shape) for t in tensor_list]}")
        index = range_input_producer(array_ops.shape(tensor_list[0])[0], num_epochs, shuffle, seed, capacity,
                                     shared_name).dequeue()
        return [array_ops.gather(t, index) for t in tensor_list]


# ------------------------------------------------------------------------------------------------- batchers

def _flat(tensors):
    """``tensors`` (a list/tuple, a dict — taken in sorted key order, as TF does — or one tensor) as a list."""
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors)]
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def _restructured(original, dequeued):
    """The batch in ``original``'s structure (a dequeue of one component gives that tensor, not a list)."""
    parts = dequeued if isinstance(dequeued, list) else [dequeued]
    if isinstance(original, dict):
        return dict(zip(sorted(original), parts))
    if isinstance(original, (list, tuple)):
        return parts[0] if len(parts) == 1 else parts
    return parts[0]


def _element_shapes(tensor_lists, shapes, enqueue_many, dynamic_pad):
    """The queue's element shapes: ``shapes`` as given, else the tensors' static shapes (rows, with
    ``enqueue_many``), merged across ``tensor_lists``; fully defined unless ``dynamic_pad``."""
    if shapes is None:
        shapes = []
        for i in range(len(tensor_lists[0])):
            merged = TensorShape(None)
            for tensors in tensor_lists:
                shape = tensors[i].shape
                if not shape.rank_known:
                    raise ValueError(f"Cannot infer Tensor's rank: {tensors[i]}")
                merged = merged.merge_with(TensorShape(list(shape)[1:]) if enqueue_many else shape)
            shapes.append(merged)
    shapes = [s if isinstance(s, TensorShape) else TensorShape(s) for s in shapes]
    if not dynamic_pad and not all(s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes} (pass shapes=, or dynamic_pad=True to pad "
                         f"unknown dims)")
    return shapes


def _kept_rows(tensor_list, keep_input, enqueue_many):
    """The ``maybe_`` forms' input: the rows of ``tensor_list`` that ``keep_input`` keeps, for ``enqueue_many``.
    A scalar ``keep_input`` keeps or drops the one example (or, with ``enqueue_many``, all rows); a vector (with
    ``enqueue_many``) keeps row by row."""
    keep = convert_to_tensor(keep_input, dtype=dtypes.bool_)
    if not keep.shape.rank_known or keep.shape.rank > (1 if enqueue_many else 0):
        raise ValueError(f"keep_input must be a bool scalar{' or vector' if enqueue_many else ''}"
                         f"{'' if enqueue_many else ' when enqueue_many is False'}, got shape {keep.shape}")
    if not enqueue_many:  # the example as a batch of one row, then zero or one rows of it kept
        return [array_ops.boolean_mask(array_ops.expand_dims(t, 0), array_ops.reshape(keep, [1]))
                for t in tensor_list]
    if keep.shape.rank == 0:
        keep = array_ops.fill(array_ops.shape(tensor_list[0])[:1], keep)
    return [array_ops.boolean_mask(t, keep) for t in tensor_list]


def _batched(tensors, tensor_lists, threads, make_queue, fullness, batch_size, enqueue_many, shapes, dynamic_pad,
             allow_smaller_final_batch, name, default_name, keep_input=None):
    """What ``batch``, ``shuffle_batch``, the ``_join`` and the ``maybe_`` forms share: a queue
    (``make_queue(types, shapes)``) filled by a runner with one enqueue op per list of ``tensor_lists``, each run
    by ``threads`` threads, of the rows ``keep_input`` keeps (if given); its fullness summary
    (``fullness(queue)`` -> (tag, value)); the dequeue of ``batch_size`` elements, in ``tensors``' structure."""
    with name_scope(name, default_name) as scope:
        tensor_lists = [[convert_to_tensor(t) for t in tensor_list] for tensor_list in tensor_lists]
        if keep_input is not None:
            tensor_lists = [_kept_rows(tensor_list, keep_input, enqueue_many) for tensor_list in tensor_lists]
            enqueue_many = True
        types = [t.dtype for t in tensor_lists[0]]
        for tensor_list in tensor_lists[1:]:
            if [t.dtype for t in tensor_list] != types:
                raise TypeError(f"{default_name}: every list of tensors must have the same dtypes, got "
                                f"{[d.name for d in types]} and {[t.dtype.name for t in tensor_list]}")
        queue = make_queue(types, _element_shapes(tensor_lists, shapes, enqueue_many, dynamic_pad))
        enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
        add_queue_runner(QueueRunner(queue, [enqueue(tensor_list) for tensor_list in tensor_lists] * threads))
        summary.scalar(*fullness(queue))
        take = queue.dequeue_up_to if allow_smaller_final_batch else queue.dequeue_many
        return _restructured(tensors, _named_as_scope(take(batch_size), scope))


def _fifo(capacity, dynamic_pad, shared_name):
    """``batch``'s queue (padding if ``dynamic_pad``) and its fullness summary."""
    def make_queue(types, element_shapes):
        kind = PaddingFIFOQueue if dynamic_pad else FIFOQueue
        return kind(capacity, types, shapes=element_shapes, shared_name=shared_name)

    def fullness(queue):
        return f"fraction_of_{capacity}_full", math_ops.cast(queue.size(), dtypes.float32) * (1. / capacity)
    return make_queue, fullness


def _shuffling(capacity, min_after_dequeue, seed, shared_name):
    """``shuffle_batch``'s queue and its fullness summary: how far it is filled beyond the reserve."""
    if capacity <= min_after_dequeue:
        raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue {min_after_dequeue}.")

    def make_queue(types, element_shapes):
        return RandomShuffleQueue(capacity, min_after_dequeue, types, shapes=element_shapes, seed=seed,
                                  shared_name=shared_name)

    def fullness(queue):
        beyond = math_ops.cast(math_ops.maximum(0, queue.size() - min_after_dequeue), dtypes.float32)
        return (f"fraction_over_{min_after_dequeue}_of_{capacity - min_after_dequeue}_full",
                beyond * (1. / (capacity - min_after_dequeue)))
    return make_queue, fullness


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
          allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of ``batch_size`` examples of ``tensors`` (one example per run of them; with ``enqueue_many``,
    one per row), in order, prepared by ``num_threads`` threads. ``dynamic_pad``: examples of different sizes
    (a ``None`` dim in ``shapes``) are padded with zeros to the largest of the batch."""
    return _batched(tensors, [_flat(tensors)], num_threads, *_fifo(capacity, dynamic_pad, shared_name), batch_size,
                    enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch, name, "batch")


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
                dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """``batch`` of only the examples ``keep_input`` (a bool scalar, or a vector with ``enqueue_many``) keeps."""
    return _batched(tensors, [_flat(tensors)], num_threads, *_fifo(capacity, dynamic_pad, shared_name), batch_size,
                    enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch, name, "batch", keep_input)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False, shapes=None,
                     dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """``batch_join`` of only the examples ``keep_input`` keeps."""
    return _batched(tensors_list[0], [_flat(t) for t in tensors_list], 1,
                    *_fifo(capacity, dynamic_pad, shared_name), batch_size, enqueue_many, shapes, dynamic_pad,
                    allow_smaller_final_batch, name, "batch_join", keep_input)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1, seed=None,
                        enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                        name=None):
    """``shuffle_batch`` of only the examples ``keep_input`` keeps."""
    return _batched(tensors, [_flat(tensors)], num_threads,
                    *_shuffling(capacity, min_after_dequeue, seed, shared_name), batch_size, enqueue_many, shapes,
                    False, allow_smaller_final_batch, name, "shuffle_batch", keep_input)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input, seed=None,
                             enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                             name=None):
    """``shuffle_batch_join`` of only the examples ``keep_input`` keeps."""
    return _batched(tensors_list[0], [_flat(t) for t in tensors_list], 1,
                    *_shuffling(capacity, min_after_dequeue, seed, shared_name), batch_size, enqueue_many, shapes,
                    False, allow_smaller_final_batch, name, "shuffle_batch_join", keep_input)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
               allow_smaller_final_batch=False, shared_name=None, name=None):
    """``batch`` with one thread per element of ``tensors_list`` (lists of tensors of the same dtypes, e.g. one
    reader each), all feeding one queue."""
    return _batched(tensors_list[0], [_flat(t) for t in tensors_list], 1,
                    *_fifo(capacity, dynamic_pad, shared_name), batch_size, enqueue_many, shapes, dynamic_pad,
                    allow_smaller_final_batch, name, "batch_join")


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None, enqueue_many=False,
                  shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of ``batch_size`` examples drawn at random from a queue of ``capacity`` that keeps at least
    ``min_after_dequeue`` examples back to mix with (until the input ends)."""
    return _batched(tensors, [_flat(tensors)], num_threads,
                    *_shuffling(capacity, min_after_dequeue, seed, shared_name), batch_size, enqueue_many, shapes,
                    False, allow_smaller_final_batch, name, "shuffle_batch")


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None, enqueue_many=False,
                       shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """``shuffle_batch`` with one thread per element of ``tensors_list``."""
    return _batched(tensors_list[0], [_flat(t) for t in tensors_list], 1,
                    *_shuffling(capacity, min_after_dequeue, seed, shared_name), batch_size, enqueue_many, shapes,
                    False, allow_smaller_final_batch, name, "shuffle_batch_join")
