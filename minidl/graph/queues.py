"""TF1's queues: ``tf.FIFOQueue``, ``tf.RandomShuffleQueue`` and ``tf.PaddingFIFOQueue`` (also ``tf.queue.*``).

Before ``tf.data``, a TF1 input pipeline was a chain of queues: background threads (queue runners,
train/queue_runner.py) ran ``enqueue`` ops over and over, filling a queue with examples, while the training loop's
``dequeue_many`` took batches out. A queue holds *elements*, each a tuple of arrays (its *components*, e.g. an
image and its label) of fixed dtypes::

    q = tf.FIFOQueue(capacity=100, dtypes=[tf.float32, tf.int32], shapes=[[28, 28], []])
    enqueue = q.enqueue_many([images, labels])      # one element per row
    batch_images, batch_labels = q.dequeue_many(32)

Both sides *block*: an enqueue waits while the queue holds ``capacity`` elements, a dequeue until there are enough
elements. ``close()`` ends the stream: later enqueues fail (``CancelledError``), and dequeues drain what is left,
then raise ``OutOfRangeError`` — how a TF1 loop learns that the data (e.g. ``num_epochs`` passes) has run out.
``dequeue_up_to(n)`` hands out a last, smaller batch instead. ``close(cancel_pending_enqueues=True)`` also wakes
the enqueues that are waiting for room (they raise ``CancelledError``): a queue runner's way to stop.

* ``RandomShuffleQueue`` hands out a random element, and waits until more than ``min_after_dequeue`` elements
  remain after a dequeue (unless the queue is closed): the bigger that reserve, the better the mix.
* ``PaddingFIFOQueue`` takes shapes with unknown dims (``[None]``: sentences of any length); ``dequeue_many``
  pads each component with zeros to the longest element of the batch.

Like a variable's value, what a queue holds lives in the Session (``Session.resource``), not in the graph. Closing
the session wakes every op still waiting (``CancelledError``), so no thread is left blocked. A run may bound its
waits: ``sess.run(x, options=tf.RunOptions(timeout_in_ms=...))`` or ``ConfigProto(operation_timeout_in_ms=...)``
end a wait with ``DeadlineExceededError``.
"""
import threading
import time

import numpy

from ..backend import dtypes as _dtypes
from ..ops.base import Spec
from . import errors
from .core import TensorShape, as_spec_shape, get_default_graph
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .session import run_deadline
from .strings import string

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"]


# ------------------------------------------------------------------------------------- the contents of a queue

def contents(session, resource):
    """What the queue ``resource`` (its Operation) holds in ``session``; empty at first."""
    return session.resource(resource, lambda: _Contents(resource))


class _Contents:
    """The elements of one queue in one session, and the condition its producers and consumers wait on."""

    def __init__(self, resource):
        attrs = resource.attrs
        self.kind, self.name = resource.op.name, resource.name
        self.capacity = attrs["capacity"]
        self.reserve = attrs["min_after_dequeue"]  # what a RandomShuffleQueue keeps back while open
        seed = attrs["seed"]
        self.rng = None if attrs["kind"] != "random" else \
            numpy.random.default_rng(None if seed is None else [s % 2 ** 64 for s in seed])
        self.elements = []  # tuples of arrays, oldest first
        self.closed = False
        self.enqueues_cancelled = False
        self.cancelled = False  # the session was closed
        self.changed = threading.Condition()

    def _full(self):
        return 0 <= self.capacity <= len(self.elements)

    def _wait(self, ready, operation, what):
        """Wait (holding the lock) until ``ready()``: the session closing or the run's deadline passing ends it."""
        deadline = run_deadline()
        while not ready():
            if self.cancelled:
                raise errors.CancelledError(None, operation, f"{what} operation was cancelled")
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                raise errors.DeadlineExceededError(None, operation, "Timed out waiting for notification")
            self.changed.wait(timeout)

    def put(self, elements, operation):
        """Append ``elements`` one by one, each as soon as there is room."""
        with self.changed:
            if self.closed:
                raise errors.CancelledError(None, operation, f"{self.kind} '{self.name}' is closed.")
            for element in elements:
                self._wait(lambda: not self._full() or self.enqueues_cancelled, operation, "Enqueue")
                if self.enqueues_cancelled:
                    raise errors.CancelledError(None, operation, "Enqueue operation was cancelled")
                self.elements.append(element)
                self.changed.notify_all()

    def take(self, count, up_to, operation):
        """Remove and return ``count`` elements (fewer, but at least one, with ``up_to`` once the queue is closed),
        oldest first or, for a RandomShuffleQueue, at random."""
        with self.changed:
            self._wait(lambda: self.closed or len(self.elements) >= count + self.reserve, operation, "Dequeue")
            available = len(self.elements)
            if available < count and not (up_to and available):  # (only when closed)
                raise errors.OutOfRangeError(None, operation, f"{self.kind} '{self.name}' is closed and has "
                                                              f"insufficient elements (requested {count}, current "
                                                              f"size {available})")
            taken = [self._pop() for _ in range(min(count, available))]
            self.changed.notify_all()
            return taken

    def _pop(self):
        if self.rng is None:
            return self.elements.pop(0)
        i = int(self.rng.integers(len(self.elements)))
        self.elements[i], self.elements[-1] = self.elements[-1], self.elements[i]
        return self.elements.pop()

    def close(self, cancel_pending_enqueues):
        with self.changed:
            self.closed = True
            self.enqueues_cancelled = self.enqueues_cancelled or cancel_pending_enqueues
            self.changed.notify_all()

    def session_closed(self):
        with self.changed:
            self.cancelled = self.enqueues_cancelled = True
            self.changed.notify_all()


# ------------------------------------------------------------------------------------------------ graph ops

class FIFOQueueResource(GraphOp):
    """The queue itself: produces nothing; its Operation is the key of the queue's contents in each session.
    attrs: ``kind`` ('fifo', 'random', 'padding'), ``capacity``, ``min_after_dequeue``, ``seed``, ``types``,
    ``shapes`` (TensorShapes, or None), ``names`` (or None). Its op type names the kind of queue (error messages
    say "FIFOQueue 'name' is closed ...", as TF's)."""
    name = "FIFOQueue"

    @staticmethod
    def execute(session, operation, arrays):
        return ()


class RandomShuffleQueueResource(FIFOQueueResource):
    name = "RandomShuffleQueue"


class PaddingFIFOQueueResource(FIFOQueueResource):
    name = "PaddingFIFOQueue"


def _shape_text(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class QueueEnqueue(GraphOp):
    """Put one element (attr ``many`` False: the inputs are its components) or one element per row of the inputs
    (``many`` True) into attr ``queue``; copies, so a fed array changed later does not change the queue."""

    @staticmethod
    def execute(session, operation, arrays):
        resource, many = operation.attrs["queue"], operation.attrs["many"]
        shapes = resource.attrs["shapes"]
        arrays = [a.copy() for a in arrays]
        if many:
            rows = {a.shape[0] if a.ndim else None for a in arrays}
            if None in rows or len(rows) != 1:
                raise errors.InvalidArgumentError(
                    None, operation, "Shape mismatch in tuple components: enqueue_many needs every component to "
                                     "have the same size of the first dimension, got " +
                                     ", ".join(_shape_text(a.shape) for a in arrays))
        for i, a in enumerate(arrays):
            element_shape = a.shape[1:] if many else a.shape
            if shapes is not None and not shapes[i].is_compatible_with(element_shape):
                expected = _shape_text(((None,) if many else ()) + tuple(shapes[i]))
                raise errors.InvalidArgumentError(None, operation, f"Shape mismatch in tuple component {i}. "
                                                                   f"Expected {expected}, got {_shape_text(a.shape)}")
        if many:  # one element per row; a row as an array (of a string vector too, whose a[k] would be bytes)
            elements = list(zip(*([a[k:k + 1].reshape(a.shape[1:]) for k in range(len(a))] for a in arrays)))
        else:
            elements = [tuple(arrays)]
        contents(session, resource).put(elements, operation)
        return ()


class QueueDequeue(GraphOp):
    """Take one element (attr ``count`` None) or a batch of ``count`` — its input, a scalar — from attr
    ``queue``; ``up_to``: a closed queue may give a smaller last batch. One output per component."""

    @staticmethod
    def execute(session, operation, arrays):
        resource, up_to = operation.attrs["queue"], operation.attrs["up_to"]
        if not arrays:
            return contents(session, resource).take(1, False, operation)[0]
        count = int(arrays[0])
        if count < 0:
            raise errors.InvalidArgumentError(None, operation, f"Dequeue: num_elements must be >= 0, got {count}")
        shapes = resource.attrs["shapes"]
        if shapes is None or (resource.attrs["kind"] != "padding" and not all(s.is_fully_defined() for s in shapes)):
            raise errors.InvalidArgumentError(None, operation, f"{resource.op.name} '{resource.name}' requires the "
                                                               "components to have specified shapes to dequeue many")
        batch = contents(session, resource).take(count, up_to, operation)
        return tuple(_stack(session.array_module, [element[i] for element in batch], shapes[i], dtype)
                     for i, dtype in enumerate(resource.attrs["types"]))


def _stack(xp, parts, shape, dtype):
    """The components ``parts`` of a batch as one array, padded with zeros (b'' for strings) to the largest
    size of each dim that ``shape`` leaves unknown (a PaddingFIFOQueue's)."""
    module = numpy if dtype == string else xp
    if not parts:
        return module.empty((0,) + tuple(0 if d is None else d for d in shape), dtype=dtype)
    size = tuple(max(p.shape[k] for p in parts) for k in range(len(shape)))
    if all(p.shape == size for p in parts):
        return module.stack(parts)
    out = module.full((len(parts),) + size, b"" if dtype == string else 0, dtype=dtype)
    for row, p in zip(out, parts):
        row[tuple(slice(0, n) for n in p.shape)] = p
    return out


class QueueClose(GraphOp):
    """Close attr ``queue``; attr ``cancel_pending_enqueues`` also fails the enqueues waiting for room."""

    @staticmethod
    def execute(session, operation, arrays):
        contents(session, operation.attrs["queue"]).close(operation.attrs["cancel_pending_enqueues"])
        return ()


class QueueSize(GraphOp):
    """The number of elements in attr ``queue`` now (int32 scalar)."""

    @staticmethod
    def execute(session, operation, arrays):
        return (session.array_module.asarray(len(contents(session, operation.attrs["queue"]).elements),
                                             dtype=numpy.int32),)


class QueueIsClosed(GraphOp):
    """Whether attr ``queue`` was closed (bool scalar)."""

    @staticmethod
    def execute(session, operation, arrays):
        return (session.array_module.asarray(contents(session, operation.attrs["queue"]).closed),)


# ----------------------------------------------------------------------------------------- the Python classes

class QueueBase:
    """A queue of elements of ``dtypes`` (one per component), optionally of fixed ``shapes`` and with ``names``
    (then elements are dicts). The methods add ops to the queue's graph; see the module docstring."""

    _kind, _type, _resource_op, _default_name = "fifo", "FIFOQueue", FIFOQueueResource, "fifo_queue"

    def __init__(self, capacity, dtypes, shapes=None, names=None, min_after_dequeue=0, seed=None, shared_name=None,
                 name=None):
        single = not isinstance(dtypes, (list, tuple))
        self._dtypes = [_dtypes.as_dtype(d) for d in ([dtypes] if single else dtypes)]
        if shapes is not None:
            # as TF reads it: a TensorShape, or a list of ints/None (also []), is ONE shape; else one per dtype
            if isinstance(shapes, TensorShape) or all(d is None or isinstance(d, (int, numpy.integer))
                                                      for d in shapes):
                shapes = [shapes]
            shapes = list(shapes)
            if len(shapes) != len(self._dtypes):
                raise ValueError(f"Queue shapes must have the same length as dtypes: {len(shapes)} shapes for "
                                 f"{len(self._dtypes)} dtypes")
            shapes = [s if isinstance(s, TensorShape) else TensorShape(s) for s in shapes]
        if names is not None:
            names = [names] if single else list(names)
            if len(names) != len(self._dtypes):
                raise ValueError(f"Queue names must have the same length as dtypes: {len(names)} names for "
                                 f"{len(self._dtypes)} dtypes")
        if not isinstance(capacity, (int, numpy.integer)):
            raise TypeError(f"{self._type}: capacity must be an integer, got {capacity!r}")
        if shapes is not None and self._kind != "padding" and not all(s.is_fully_defined() for s in shapes):
            raise ValueError(f"All shapes must be fully defined: {shapes} (a PaddingFIFOQueue takes unknown dims)")
        self._shapes, self._names = shapes, names
        graph = get_default_graph()
        graph_seed, op_seed = graph.next_op_seed(seed) if self._kind == "random" else (None, None)
        attrs = {"kind": self._kind, "capacity": int(capacity), "min_after_dequeue": int(min_after_dequeue),
                 "seed": None if op_seed is None else (graph_seed, op_seed), "types": tuple(self._dtypes),
                 "shapes": None if shapes is None else tuple(shapes), "names": names}
        # a name ending in "/" (a producer's scope) names the queue after that scope itself, as in TF
        name = name or self._default_name
        scope_name = name.endswith("/")
        self._resource = graph.create_op(self._resource_op, (), attrs, [], name=name[:-1] if scope_name else name,
                                         unique=not scope_name)

    @property
    def name(self):
        return self._resource.name

    def _op_name(self, what):
        """TF's default name for an op of this queue: the queue's own name (its last part) and what it does,
        ``fifo_queue_Dequeue``, ``fifo_queue_enqueue``..."""
        return f"{self._resource.name.rsplit('/', 1)[-1]}_{what}"

    @property
    def dtypes(self):
        return list(self._dtypes)

    @property
    def shapes(self):
        return list(self._shapes) if self._shapes is not None else [TensorShape(None)] * len(self._dtypes)

    @property
    def names(self):
        return self._names

    # ------------------------------------------------------------------------------------------ enqueue
    def _components(self, vals, op_name):
        """``vals`` as the list of component tensors: a dict by name (if the queue has names), a list/tuple, or
        one value for a one-component queue; converted to the queue's dtypes."""
        if self._names is not None:
            if not isinstance(vals, dict) or set(vals) != set(self._names):
                raise ValueError(f"{op_name}: this queue has names {self._names}: enqueue a dict with exactly "
                                 f"those keys, got {vals!r:.120}")
            vals = [vals[n] for n in self._names]
        elif isinstance(vals, dict):
            raise ValueError(f"{op_name}: this queue has no names: enqueue a list of {len(self._dtypes)} values, "
                             "not a dict")
        elif not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"{op_name}: expected {len(self._dtypes)} components (the queue's dtypes "
                             f"{[d.name for d in self._dtypes]}), got {len(vals)}")
        return [convert_to_tensor(v, dtype=d) for v, d in zip(vals, self._dtypes)]

    def _enqueue(self, vals, many, name, op_name):
        graph = self._resource.graph
        with graph.as_default(), graph.name_scope(name or self._op_name(op_name)) as scope:
            components = self._components(vals, op_name)
            if self._shapes is not None:
                for i, (t, shape) in enumerate(zip(components, self._shapes)):
                    have = t.shape if not many or not t.shape.rank_known else TensorShape(list(t.shape)[1:])
                    if many and t.shape.rank == 0:
                        raise ValueError(f"{op_name}: component {i} must have at least one dimension (its rows are "
                                         f"the elements), got a scalar")
                    if not have.is_compatible_with(shape):
                        raise ValueError(f"{op_name}: shape {have} of component {i} is incompatible with the "
                                         f"queue's shape {shape}")
            return graph.create_op(QueueEnqueue, components, {"queue": self._resource, "many": many}, [],
                                   name=scope.rstrip("/"), unique=False)

    def enqueue(self, vals, name=None):
        """An op that puts one element (``vals``: its components) into the queue, waiting while it is full."""
        return self._enqueue(vals, False, name, "enqueue")

    def enqueue_many(self, vals, name=None):
        """An op that puts one element per row of ``vals`` (each component's first dim) into the queue."""
        return self._enqueue(vals, True, name, "EnqueueMany")

    # ------------------------------------------------------------------------------------------ dequeue
    def _dequeue(self, count, up_to, name, op_name):
        graph = self._resource.graph
        shapes = self.shapes
        with graph.as_default():
            inputs = []
            batch = None
            if count is not None:
                count_tensor = convert_to_tensor(count, dtype=_dtypes.int32, name="n")
                inputs = [count_tensor]
                batch = None if up_to or not isinstance(count, (int, numpy.integer)) else int(count)
                shapes = [TensorShape([batch] + (s.as_list() if s.rank_known else [])) if s.rank_known
                          else TensorShape(None) for s in shapes]
            specs = [Spec(as_spec_shape(s), d) for s, d in zip(shapes, self._dtypes)]
            operation = graph.create_op(QueueDequeue, inputs, {"queue": self._resource, "up_to": up_to}, specs,
                                        name=name or self._op_name(op_name))
        outputs = list(operation.outputs)
        if self._names is not None:
            return dict(zip(self._names, outputs))
        return outputs[0] if len(outputs) == 1 else outputs

    def dequeue(self, name=None):
        """One element (a tensor for a one-component queue, else a list; a dict with names); waits for one."""
        return self._dequeue(None, False, name, "Dequeue")

    def dequeue_many(self, n, name=None):
        """A batch of ``n`` elements, stacked along a new first dim; waits for ``n``. A closed queue with fewer
        left raises ``OutOfRangeError``."""
        return self._dequeue(n, False, name, "DequeueMany")

    def dequeue_up_to(self, n, name=None):
        """Like ``dequeue_many``, but once the queue is closed it hands out what is left (at least one)."""
        return self._dequeue(n, True, name, "DequeueUpTo")

    # ------------------------------------------------------------------------------------------- others
    def _state_op(self, op, attrs, specs, name):
        graph = self._resource.graph
        with graph.as_default():
            return graph.create_op(op, (), dict(attrs, queue=self._resource), specs, name=name)

    def close(self, cancel_pending_enqueues=False, name=None):
        """An op that closes the queue (see the module docstring)."""
        return self._state_op(QueueClose, {"cancel_pending_enqueues": bool(cancel_pending_enqueues)}, [],
                              name or self._op_name("Close"))

    def size(self, name=None):
        """An int32 scalar: the number of elements in the queue when it runs."""
        return self._state_op(QueueSize, {}, [Spec((), _dtypes.int32)], name or self._op_name("Size")).outputs[0]

    def is_closed(self, name=None):
        return self._state_op(QueueIsClosed, {}, [Spec((), _dtypes.bool_)],
                              name or self._op_name("IsClosed")).outputs[0]

    @property
    def queue_ref(self):
        """The queue's Operation (TF hands out a resource tensor; minidl's ops name the queue directly)."""
        return self._resource

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}' dtypes: {[d.name for d in self._dtypes]}>"


class FIFOQueue(QueueBase):
    """Elements come out in the order they went in."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None, name=None):
        super().__init__(capacity, dtypes, shapes, names, shared_name=shared_name, name=name)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose ``shapes`` (required) may have unknown dims; ``dequeue_many`` pads them with zeros."""
    _kind, _type, _resource_op = "padding", "PaddingFIFOQueue", PaddingFIFOQueueResource
    _default_name = "padding_fifo_queue"

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None, name=None):
        if shapes is None:
            raise ValueError("PaddingFIFOQueue: shapes must be given (use None for the dims to pad)")
        super().__init__(capacity, dtypes, shapes, names, shared_name=shared_name, name=name)
        if any(not s.rank_known for s in self._shapes):
            raise ValueError(f"PaddingFIFOQueue: every shape needs a known rank (dims may be None), got "
                             f"{self._shapes}")


class RandomShuffleQueue(QueueBase):
    """Elements come out in random order; while open, a dequeue leaves at least ``min_after_dequeue`` behind."""
    _kind, _type, _resource_op = "random", "RandomShuffleQueue", RandomShuffleQueueResource
    _default_name = "random_shuffle_queue"

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None, shared_name=None,
                 name=None):
        if min_after_dequeue >= capacity >= 0:
            raise ValueError(f"RandomShuffleQueue: min_after_dequeue ({min_after_dequeue}) must be smaller than "
                             f"capacity ({capacity}), or no element could ever come out")
        super().__init__(capacity, dtypes, shapes, names, min_after_dequeue, seed, shared_name, name)


def queue_from_operation(resource):
    """The queue object of an existing queue Operation (one a meta graph brought back), without new ops."""
    cls = {FIFOQueueResource: FIFOQueue, RandomShuffleQueueResource: RandomShuffleQueue,
           PaddingFIFOQueueResource: PaddingFIFOQueue}.get(getattr(resource, "op", None))
    if cls is None:
        raise TypeError(f"{resource!r} is not a queue's operation")
    queue = cls.__new__(cls)
    attrs = resource.attrs
    queue._dtypes, queue._names, queue._resource = list(attrs["types"]), attrs["names"], resource
    queue._shapes = None if attrs["shapes"] is None else list(attrs["shapes"])
    return queue
