"""Iterators over ``tf.data`` datasets: the graph ops that run an input pipeline inside a Session.

A dataset (data.py) is only a recipe. An *iterator* adds to the graph::

    Iterator / OneShotIterator   the iterator itself: a name for the pipeline state
    MakeIterator                 ``iterator.initializer``: starts a fresh pass over a dataset
    IteratorGetNext              ``iterator.get_next()``: the next element, one output per component
    IteratorToStringHandle       ``iterator.string_handle()``: a string naming the iterator (a *feedable* iterator,
                                 made by ``Iterator.from_string_handle``, reads from whichever iterator the string
                                 fed to it names)

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
A component may be a ``tf.SparseTensor`` (a map function that parses a ``VarLenFeature`` returns one): it travels
as a ``SparseTensorValue`` of three arrays, and ``get_next`` gives it back as a SparseTensor of three outputs.

*Switching between datasets.* TF1 programs that alternate training and validation keep one ``get_next`` in the
model and change what feeds it, in one of two ways: a *reinitializable* iterator (``Iterator.from_structure``)
is restarted on another dataset by running that dataset's ``make_initializer`` op; a *feedable* iterator
(``Iterator.from_string_handle(handle_placeholder, ...)``) reads from the iterator whose ``string_handle()`` value
is fed, so each dataset keeps its own position while the program switches::

    handle = tf.placeholder(tf.string, shape=[])
    next_element = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes).get_next()
    train_handle = sess.run(train.make_one_shot_iterator().string_handle())
    sess.run(train_op, feed_dict={handle: train_handle})
"""
import threading
import weakref

import numpy

from ..backend import dtypes, host_array
from ..ops.base import Spec
from . import errors
from .core import Tensor, TensorShape, as_spec_shape, get_default_graph
from .dtypes import as_dtype
from .frontend import _is_nested_in, convert_to_tensor
from .function_graph import flatten, flatten_up_to, pack, same_structure
from .graph_ops import Const, GraphOp, Placeholder
from .sparse_tensor import SparseTensor, dense_parts, join_parts, part_shapes, sparse_of_parts
from .strings import string

# Session -> {iterator Operation: the generator of the current pass}. Weak, so it goes when the session does.
_passes = weakref.WeakKeyDictionary()
_next_lock = threading.Lock()


def device_array(session, array):
    """A pipeline value as ``session`` computes on it: on its device, except strings, which stay on the host (the
    GPU array module has no string type). A Python bytes — one string, as a slice of a string vector gives it —
    becomes a 0-d string array (``numpy.asarray`` would make it fixed-width bytes, which drops trailing NULs)."""
    if isinstance(array, bytes):
        return numpy.array(bytes(array), dtype=object)
    return session.on_device(array)


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


def non_constant(sources):
    """The sources whose value must be computed (fed, or run) when a pass starts: all but the constants."""
    return [t for t in sources if t.op.op is not Const]


def start_run(session, sources, arrays):
    """A ``PipelineRun`` over ``sources``: constants are read from the graph, the others' values are ``arrays``
    (in the order of ``non_constant(sources)``)."""
    values, computed = {}, iter(arrays)
    for tensor in sources:
        if tensor.op.op is Const:
            values[tensor] = tensor.op.attrs["value"]   # already read-only
        else:
            snapshot = numpy.array(host_array(next(computed)))   # a copy: later changes to a fed array don't leak in
            snapshot.setflags(write=False)                       # elements may be views of it: keep them intact
            values[tensor] = snapshot
    return PipelineRun(session, values)


def start_pass(session, dataset, arrays, state=None):
    """A fresh pass over ``dataset`` in ``session``: a generator of elements (lists of host arrays). ``arrays``:
    the values of the dataset's non-constant sources, in order; ``state``: what its steps find in ``run.state``
    from the start (the contents of a window, data_windows.py)."""
    run = start_run(session, dataset._sources(), arrays)
    run.state.update(state or {})
    return dataset._elements(run)


# ------------------------------------------------------------------------------------------------ graph ops

class IteratorResource(GraphOp):
    """The iterator: produces nothing; its Operation is the key of the pass state in each session. Attrs: the
    ``types`` and ``shapes`` of its elements, and ``one_shot``: the dataset of a one-shot iterator, else None."""
    name = "Iterator"

    @staticmethod
    def execute(session, operation, arrays):
        return ()


class MakeIterator(GraphOp):
    """Start a new pass of attr ``iterator`` over attr ``dataset``; inputs: the dataset's non-constant sources."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        _passes.setdefault(session, {})[attrs["iterator"]] = start_pass(session, attrs["dataset"], arrays)
        return ()


class IteratorGetNext(GraphOp):
    """The next element of attr ``iterator``'s pass — or, when that attr is None, of the iterator named by the
    string handle that is the op's input. A one-shot iterator starts its pass the first time; any other must have
    been initialized."""

    @staticmethod
    def execute(session, operation, arrays):
        resource = operation.attrs["iterator"]
        if resource is None:
            resource = _iterator_from_handle(operation, arrays[0])
        per_session = _passes.setdefault(session, {})
        elements = per_session.get(resource)
        if elements is None:
            dataset = resource.attrs["one_shot"]
            if dataset is None:
                raise errors.FailedPreconditionError(
                    None, operation, "GetNext() failed because the iterator has not been initialized. Ensure that "
                                     "you have run the initializer operation for this iterator before getting the "
                                     "next element.")
            sources = session.run_subgraph(non_constant(dataset._sources()), {})
            elements = per_session[resource] = start_pass(session, dataset, sources)
        try:
            with _next_lock:  # queue runners may run one get_next from several threads: one advances at a time
                element = next(elements)
        except StopIteration:
            raise errors.OutOfRangeError(None, operation, "End of sequence") from None
        return tuple(device_array(session, a) for a in dense_parts(element))


class IteratorToStringHandle(GraphOp):
    """A scalar string naming attr ``iterator``: its *handle*, which ``from_string_handle`` iterators accept."""

    @staticmethod
    def execute(session, operation, arrays):
        return (numpy.array(_handle(operation.attrs["iterator"]), dtype=object),)


def _handle(resource):
    """The handle of an iterator: its graph (the same name may be an iterator in another graph) and its name.
    (TF's handle is an opaque serialized proto; this one is readable, which is no promise to rely on.)"""
    return f"minidl-iterator:{id(resource.graph):x}:{resource.name}".encode("utf-8")


def _iterator_from_handle(operation, handle):
    """The IteratorResource operation that ``handle`` (a fed string) names, checked against what ``operation``
    (a get_next of a feedable iterator) declared."""
    value = handle[()] if isinstance(handle, numpy.ndarray) and handle.ndim == 0 else handle
    graph = operation.graph
    while getattr(graph, "outer_graph", None) is not None:  # (a get_next in a cond branch or a loop body)
        graph = graph.outer_graph
    try:
        target = graph.get_operation_by_name(value.decode("utf-8").split(":", 2)[2])
    except (AttributeError, IndexError, KeyError, ValueError, UnicodeDecodeError):   # not even a handle's shape
        target = None
    if target is None or target.op is not IteratorResource or _handle(target) != value:
        raise errors.InvalidArgumentError(None, operation, f"Could not parse string_handle as a valid "
                                                           f"ResourceHandle: {value!r} is not the string_handle() "
                                                           f"of an iterator of this graph")
    expected, got = operation.attrs["types"], target.attrs["types"]
    if len(expected) != len(got):
        raise errors.InvalidArgumentError(None, operation, f"Number of components does not match: expected "
                                                           f"{len(expected)} types but got {len(got)}.")
    for i, (want, have) in enumerate(zip(expected, got)):
        if want != have:
            raise errors.InvalidArgumentError(None, operation, f"Data type mismatch at component {i}: expected "
                                                               f"{want.name} but got {have.name}.")
    for i, (want, have) in enumerate(zip(operation.attrs["sparse"], target.attrs["sparse"])):
        if want != have:
            classes = ["tf.SparseTensor" if sparse else "tf.Tensor" for sparse in (want, have)]
            raise errors.InvalidArgumentError(None, operation, f"Class mismatch at component {i}: expected "
                                                               f"{classes[0]} but got {classes[1]}.")
    for i, (want, have) in enumerate(zip(operation.attrs["shapes"], target.attrs["shapes"])):
        if not want.is_compatible_with(have):
            raise errors.InvalidArgumentError(None, operation, f"Incompatible shapes at component {i}: expected "
                                                               f"{want} but got {have}.")
    return target


# ------------------------------------------------------------------------------------------------ Iterator

class ElementStructure:
    """What a dataset and an iterator both describe as TF does: the structure of one element, from ``_structure``
    (a nest whose leaves stand for the components), ``_types`` and ``_shapes`` (one per component)."""

    @property
    def output_types(self):
        return pack(self._structure, [as_dtype(t) for t in self._types])  # tf.DTypes, as tensors' dtypes are

    @property
    def output_shapes(self):
        return pack(self._structure, self._shapes)

    @property
    def output_classes(self):
        return pack(self._structure, [SparseTensor if sparse else Tensor for sparse in self._sparse])

    @property
    def _sparse(self):
        return sparse_components(self._structure)


def sparse_components(structure):
    """One bool per component of an element of ``structure``: is it a SparseTensor? Its leaf in the structure is
    one — or, for an iterator declared by ``from_structure(..., output_classes)``, the class ``tf.SparseTensor``."""
    return [leaf is SparseTensor or isinstance(leaf, SparseTensor) for leaf in flatten(structure)]


def element_specs(element):
    """The output specs of an op that hands out an element of ``element`` (a dataset or an iterator): one per
    component, or three for a SparseTensor (its indices, values and dense_shape)."""
    specs = []
    for sparse, dtype, shape in zip(element._sparse, element._types, element._shapes):
        pairs = zip(part_shapes(shape), (dtypes.int64, dtype, dtypes.int64)) if sparse else [(shape, dtype)]
        specs.extend(Spec(as_spec_shape(s), t) for s, t in pairs)
    return specs


def element_tensors(element, outputs):
    """The nest of tensors of an element of ``element``, from the ``outputs`` of an op of ``element_specs``; a
    SparseTensor keeps the static shape of its component."""
    components = join_parts(outputs, element._sparse)
    return pack(element._structure, [sparse_of_parts(*c, shape) if sparse else c
                                     for c, sparse, shape in zip(components, element._sparse, element._shapes)])


class Iterator(ElementStructure):
    """``tf.data.Iterator``: ``get_next()`` gives the next element as a nest of tensors, ``initializer``
    (re)starts the pass. Make one with ``make_one_shot_iterator(dataset)``, ``make_initializable_iterator(dataset)``
    or, to switch between datasets of the same structure (e.g. training and validation), with
    ``from_structure`` (one ``make_initializer(dataset)`` per dataset) or ``from_string_handle`` (module docstring).
    """

    def __init__(self, resource, structure, types, shapes, handle=None):
        self._resource = resource        # the Iterator Operation (None for an iterator read through a handle)
        self._handle = handle            # the string tensor naming the iterator to read, for from_string_handle
        self._structure = structure      # a nest whose leaves stand for the components
        self._types = list(types)
        self._shapes = list(shapes)
        self._initializer = None

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator for elements of the given structure, not yet bound to a dataset (see ``make_initializer``).
        ``output_shapes`` defaults to unknown shapes; each may be partial (``[None, 64]``). ``output_classes``
        (default: all ``tf.Tensor``) says which components are SparseTensors, as ``dataset.output_classes`` does."""
        structure, types, shapes = _declared(output_types, output_shapes, output_classes)
        return Iterator(_resource("Iterator", structure, types, shapes), structure, types, shapes)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """A *feedable* iterator: each run of its ``get_next`` reads the next element of the iterator whose
        ``string_handle()`` value ``string_handle`` (a scalar tf.string tensor, usually a placeholder) holds. That
        iterator's element types and classes must be ``output_types`` and ``output_classes`` and its shapes
        compatible with ``output_shapes`` (checked when it runs: ``InvalidArgumentError``)."""
        handle = convert_to_tensor(string_handle)
        if handle.dtype != string or (handle.shape.rank_known and len(handle.shape) != 0):
            raise TypeError(f"`string_handle` must be a scalar tf.string tensor, got {handle!r}")
        structure, types, shapes = _declared(output_types, output_shapes, output_classes)
        return Iterator(None, structure, types, shapes, handle=handle)

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that starts a new pass of this iterator over ``dataset`` (whose elements must fit the structure)."""
        if self._resource is None:
            raise ValueError("An iterator made by from_string_handle() has no pass of its own to start: run the "
                             "initializer of the iterator whose handle you feed.")
        graph = self._resource.graph
        if dataset._graph is not graph:
            raise ValueError("The dataset and the iterator must be from the same graph.")
        check_iterable(dataset)
        if not same_structure(self._structure, dataset._structure) or self._types != dataset._types:
            raise TypeError(f"Expected output types {self.output_types} but got dataset with output types "
                            f"{dataset.output_types}.")
        if self._sparse != dataset._sparse:
            raise TypeError(f"Expected output classes {self.output_classes} but got dataset with output classes "
                            f"{dataset.output_classes}.")
        if not all(mine.is_compatible_with(theirs) for mine, theirs in zip(self._shapes, dataset._shapes)):
            raise TypeError(f"Expected output shapes compatible with {self.output_shapes} but got dataset with "
                            f"output shapes {dataset.output_shapes}.")
        operation = graph.create_op(MakeIterator, non_constant(dataset._sources()),
                                    {"iterator": self._resource, "dataset": dataset}, [], name=name or "MakeIterator")
        return operation

    def get_next(self, name=None):
        """The next element as a nest of tensors shaped like ``output_shapes``. Each call adds a new op; call it
        once and run the tensors it returns."""
        attrs = {"iterator": self._resource, "types": tuple(self._types), "shapes": tuple(self._shapes),
                 "sparse": tuple(self._sparse)}
        inputs = () if self._resource is not None else (self._handle,)
        graph = self._handle.graph if self._resource is None else self._resource.graph
        default = get_default_graph()
        if _is_nested_in(default, graph):  # inside a cond branch or a loop body: it runs when they do, as in TF1
            graph = default
        operation = graph.create_op(IteratorGetNext, inputs, attrs, element_specs(self),
                                    name=name or "IteratorGetNext")
        return element_tensors(self, operation.outputs)

    def string_handle(self, name=None):
        """A scalar tf.string tensor whose value names this iterator, to feed to ``from_string_handle``'s
        placeholder (run it once and keep the value)."""
        if self._resource is None:
            return self._handle
        operation = self._resource.graph.create_op(IteratorToStringHandle, (), {"iterator": self._resource},
                                                   [Spec((), string)], name=name or "IteratorToStringHandle")
        return operation.outputs[0]

    def __repr__(self):
        name = self._handle.name if self._resource is None else self._resource.name
        return f"<Iterator '{name}' types: {self.output_types}, shapes: {self.output_shapes}>"


def _declared(output_types, output_shapes, output_classes):
    """The structure, flat dtypes and TensorShapes an iterator declares (unknown shapes where ``output_shapes`` is
    None). The structure's leaves are the classes where ``output_classes`` is given (``sparse_components``)."""
    types = [dtypes.as_dtype(t) for t in flatten(output_types)]
    structure = output_types if output_classes is None else \
        pack(output_types, flatten_up_to(output_types, output_classes))
    if output_shapes is None:
        return structure, types, [TensorShape(None)] * len(types)
    return structure, types, [s if isinstance(s, TensorShape) else TensorShape(s)
                              for s in flatten_up_to(output_types, output_shapes)]


def _resource(name, structure, types, shapes, one_shot=None):
    attrs = {"types": tuple(types), "shapes": tuple(shapes), "sparse": tuple(sparse_components(structure)),
             "one_shot": one_shot}
    return get_default_graph().create_op(IteratorResource, (), attrs, [], name=name)


def _check_graph(dataset):
    if dataset._graph is not get_default_graph():
        raise ValueError("The dataset must be from the default graph: make the iterator where the dataset was built "
                         "(inside the same `with graph.as_default():` block).")
    check_iterable(dataset)


def check_iterable(dataset):
    """Refuse a dataset whose elements are not tensors (the windows of ``window()``)."""
    if dataset._nested:
        raise TypeError(f"The elements of {dataset!r} are datasets (windows), which an iterator cannot hand out as "
                        f"tensors: turn each into tensors first, e.g. `.flat_map(lambda window: window.batch(n))`.")


def make_one_shot_iterator(dataset):
    """An iterator that starts by itself on its first ``get_next`` and can pass over ``dataset`` only once."""
    _check_graph(dataset)
    placeholder = _placeholder_among(non_constant(dataset._sources()))
    if placeholder is not None:
        raise ValueError(f"Failed to create a one-shot iterator for a dataset: it depends on the placeholder "
                         f"'{placeholder.name}', which a one-shot iterator cannot be fed (Cannot capture a placeholder "
                         f"(name:{placeholder.name}, type:Placeholder) by value). Use "
                         f"`make_initializable_iterator()` and feed it when you run `iterator.initializer`.")
    resource = _resource("OneShotIterator", dataset._structure, dataset._types, dataset._shapes, one_shot=dataset)
    return Iterator(resource, dataset._structure, dataset._types, dataset._shapes)


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator whose ``initializer`` op starts (and restarts) a pass over ``dataset``; ``get_next`` before
    the first initialization raises ``FailedPreconditionError``."""
    _check_graph(dataset)
    iterator = Iterator(_resource("Iterator", dataset._structure, dataset._types, dataset._shapes), dataset._structure,
                        dataset._types, dataset._shapes)
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
