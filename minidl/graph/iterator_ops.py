"""Iterators over ``tf.data`` datasets: the graph ops that run an input pipeline inside a Session.

A dataset (data.py) is only a recipe. An *iterator* adds to the graph::

    Iterator / OneShotIterator   the iterator itself: a name for the pipeline state
    MakeIterator                 ``iterator.initializer``: starts a fresh pass over a dataset
    IteratorGetNext              ``iterator.get_next()``: the next element, one output per component

Like a variable's value, the *state* of a pass (which element comes next, the shuffle buffer, the random
generator) lives in the Session, not in the graph: two sessions on one graph iterate independently, and a new
session starts from scratch. Each run of ``get_next`` advances the pass by one element (running it twice in one
``sess.run`` advances twice); at the end it raises ``errors.OutOfRangeError("End of sequence")``, which is how a
TF1 loop knows an epoch is over::

    while True:
        try:
            sess.run(train_op)          # train_op reads from next_element
        except tf.errors.OutOfRangeError:
            break

*Sources.* A dataset may read graph values: the tensors of ``from_tensor_slices``, a placeholder given as a
batch size, a tensor a ``map`` function captures. Their values are taken **once, when the pass starts** —
constants straight from the graph, the others by running them. ``MakeIterator`` takes the non-constant sources
as inputs, so ``sess.run(iterator.initializer, feed_dict={x: data})`` feeds a pipeline (TF1's way to keep a
large array out of the graph). A one-shot iterator starts itself on its first ``get_next``, with no feeds, so it
refuses a dataset that depends on a placeholder.

Elements travel through the pipeline as host (numpy) arrays; ``get_next`` hands them to the session's device.
"""
import weakref

import numpy

from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .core import Tensor, TensorShape, as_spec_shape, get_default_graph
from .function_graph import flatten, flatten_up_to, pack, same_structure
from .graph_ops import Const, GraphOp, Placeholder

# Session -> {iterator Operation: the generator of the current pass}. Weak, so it goes when the session does.
_passes = weakref.WeakKeyDictionary()


def host_array(array):
    """A numpy array holding ``array`` (a numpy or cupy array, or a numpy scalar)."""
    return array.get() if hasattr(array, "get") else numpy.asarray(array)


class PipelineRun:
    """One pass over a dataset in one session: the source values, and the state of its steps (``state[step]``,
    e.g. a shuffle's random generator, kept across the epochs of a ``repeat``)."""

    def __init__(self, session, values):
        self.session = session
        self.values = values   # source Tensor -> read-only host array
        self.state = {}

    def value(self, tensor):
        return self.values[tensor]

    def scalar(self, argument):
        """An integer argument of a step: a Python int, or the value of a scalar tensor."""
        return argument if isinstance(argument, int) else int(self.values[argument])


def _non_constant(dataset):
    return [t for t in dataset._sources() if t.op.op is not Const]


def _start_pass(session, dataset, arrays):
    """A fresh pass over ``dataset`` in ``session``: a generator of elements (lists of host arrays).
    ``arrays``: the values of the dataset's non-constant sources, in order."""
    values, computed = {}, iter(arrays)
    for tensor in dataset._sources():
        if tensor.op.op is Const:
            values[tensor] = tensor.op.attrs["value"]   # already read-only
        else:
            snapshot = numpy.array(host_array(next(computed)))   # a copy: later changes to a fed array don't leak in
            snapshot.setflags(write=False)                       # elements may be views of it: keep them intact
            values[tensor] = snapshot
    return dataset._elements(PipelineRun(session, values))


# ------------------------------------------------------------------------------------------------ graph ops

class IteratorResource(GraphOp):
    """The iterator: produces nothing; its Operation is the key of the pass state in each session."""
    name = "Iterator"

    @staticmethod
    def execute(session, operation, arrays):
        return ()


class MakeIterator(GraphOp):
    """Start a new pass of attr ``iterator`` over attr ``dataset``; inputs: the dataset's non-constant sources."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        _passes.setdefault(session, {})[attrs["iterator"]] = _start_pass(session, attrs["dataset"], arrays)
        return ()


class IteratorGetNext(GraphOp):
    """The next element of attr ``iterator``'s pass. A one-shot iterator (attr ``one_shot``: its dataset)
    starts its pass the first time; any other must have been initialized."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        per_session = _passes.setdefault(session, {})
        elements = per_session.get(attrs["iterator"])
        if elements is None:
            dataset = attrs["one_shot"]
            if dataset is None:
                raise errors.FailedPreconditionError(
                    None, operation, "GetNext() failed because the iterator has not been initialized. Ensure that "
                                     "you have run the initializer operation for this iterator before getting the "
                                     "next element.")
            sources = session.run_subgraph(_non_constant(dataset), {})
            elements = per_session[attrs["iterator"]] = _start_pass(session, dataset, sources)
        try:
            element = next(elements)
        except StopIteration:
            raise errors.OutOfRangeError(None, operation, "End of sequence") from None
        xp = session.array_module
        return tuple(xp.asarray(a) for a in element)


# ------------------------------------------------------------------------------------------------ Iterator

class ElementStructure:
    """What a dataset and an iterator both describe as TF does: the structure of one element, from ``_structure``
    (a nest whose leaves stand for the components), ``_types`` and ``_shapes`` (one per component)."""

    @property
    def output_types(self):
        return pack(self._structure, self._types)

    @property
    def output_shapes(self):
        return pack(self._structure, self._shapes)

    @property
    def output_classes(self):
        return pack(self._structure, [Tensor] * len(self._types))


class Iterator(ElementStructure):
    """``tf.data.Iterator``: ``get_next()`` gives the next element as a nest of tensors, ``initializer``
    (re)starts the pass. Make one with ``make_one_shot_iterator(dataset)``, ``make_initializable_iterator(dataset)``
    or — to switch one iterator between datasets of the same structure, e.g. training and validation —
    ``Iterator.from_structure(types, shapes)`` and one ``make_initializer(dataset)`` per dataset."""

    def __init__(self, resource, structure, types, shapes, one_shot=None):
        self._resource = resource        # the Iterator Operation
        self._structure = structure      # a nest whose leaves stand for the components
        self._types = list(types)
        self._shapes = list(shapes)
        self._one_shot = one_shot        # the dataset of a one-shot iterator
        self._initializer = None

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator for elements of the given structure, not yet bound to a dataset (see ``make_initializer``).
        ``output_shapes`` defaults to unknown shapes; each may be partial (``[None, 64]``)."""
        types = [dtypes.as_dtype(t) for t in flatten(output_types)]
        if output_shapes is None:
            shapes = [TensorShape(None)] * len(types)
        else:
            shapes = [s if isinstance(s, TensorShape) else TensorShape(s)
                      for s in flatten_up_to(output_types, output_shapes)]
        return Iterator(_resource("Iterator"), output_types, types, shapes)

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that starts a new pass of this iterator over ``dataset`` (whose elements must fit the structure)."""
        graph = self._resource.graph
        if dataset._graph is not graph:
            raise ValueError("The dataset and the iterator must be from the same graph.")
        if not same_structure(self._structure, dataset._structure) or self._types != dataset._types:
            raise TypeError(f"Expected output types {self.output_types} but got dataset with output types "
                            f"{dataset.output_types}.")
        if not all(mine.is_compatible_with(theirs) for mine, theirs in zip(self._shapes, dataset._shapes)):
            raise TypeError(f"Expected output shapes compatible with {self.output_shapes} but got dataset with "
                            f"output shapes {dataset.output_shapes}.")
        operation = graph.create_op(MakeIterator, _non_constant(dataset), {"iterator": self._resource,
                                                                           "dataset": dataset}, [],
                                    name=name or "MakeIterator")
        return operation

    def get_next(self, name=None):
        """The next element as a nest of tensors shaped like ``output_shapes``. Each call adds a new op; call it
        once and run the tensors it returns."""
        specs = [Spec(as_spec_shape(s), t) for s, t in zip(self._shapes, self._types)]
        attrs = {"iterator": self._resource, "one_shot": self._one_shot}
        operation = self._resource.graph.create_op(IteratorGetNext, (), attrs, specs, name=name or "IteratorGetNext")
        return pack(self._structure, operation.outputs)

    def __repr__(self):
        return f"<Iterator '{self._resource.name}' types: {self.output_types}, shapes: {self.output_shapes}>"


def _resource(name):
    return get_default_graph().create_op(IteratorResource, (), {}, [], name=name)


def _check_graph(dataset):
    if dataset._graph is not get_default_graph():
        raise ValueError("The dataset must be from the default graph: make the iterator where the dataset was built "
                         "(inside the same `with graph.as_default():` block).")


def make_one_shot_iterator(dataset):
    """An iterator that starts by itself on its first ``get_next`` and can pass over ``dataset`` only once."""
    _check_graph(dataset)
    placeholder = _placeholder_among(_non_constant(dataset))
    if placeholder is not None:
        raise ValueError(f"Failed to create a one-shot iterator for a dataset: it depends on the placeholder "
                         f"'{placeholder.name}', which a one-shot iterator cannot be fed (Cannot capture a placeholder "
                         f"(name:{placeholder.name}, type:Placeholder) by value). Use "
                         f"`make_initializable_iterator()` and feed it when you run `iterator.initializer`.")
    return Iterator(_resource("OneShotIterator"), dataset._structure, dataset._types, dataset._shapes,
                    one_shot=dataset)


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator whose ``initializer`` op starts (and restarts) a pass over ``dataset``; ``get_next`` before
    the first initialization raises ``FailedPreconditionError``."""
    _check_graph(dataset)
    iterator = Iterator(_resource("Iterator"), dataset._structure, dataset._types, dataset._shapes)
    iterator._initializer = iterator.make_initializer(dataset)
    return iterator


def _placeholder_among(tensors):
    """The first Placeholder operation that ``tensors`` depend on, or None."""
    seen, stack = set(), [t.op for t in tensors]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.op is Placeholder:
            return op
        stack.extend(t.op for t in op.inputs)
    return None
