"""``tf.data``: input pipelines the way TF1 programs built them.

A ``Dataset`` is a *recipe* for a sequence of elements; building one computes nothing::

    dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train))   # one element per row
               .shuffle(1000, seed=0)     # a random order (a buffer of 1000 elements, refilled as it empties)
               .batch(32)                 # 32 elements stacked into one: shapes (?, 64) and (?,)
               .repeat(5))                # five epochs
    images, labels = tf.data.make_one_shot_iterator(dataset).get_next()   # graph tensors
    loss = model(images, labels)          # ... and each sess.run(train_op) pulls the next batch

An *element* is a nest — a single tensor, a tuple, or a dict (namedtuples too) — of *components*. As in TF,
a **list is a value, not a structure**: ``from_tensor_slices([1, 2, 3])`` has scalar elements, whereas
``from_tensor_slices((a, b))`` has pairs. Each component has a dtype and a static shape (``output_types``,
``output_shapes``), which the tensors of ``get_next()`` carry into the graph; ``batch`` puts ``None`` in front
(the last batch may be smaller) unless ``drop_remainder=True``.

The iterators, and how a pass over a dataset runs inside a Session, are in iterator_ops.py. Each step of a
recipe here is a small class whose ``_elements(run)`` is a Python generator over its input's elements (lists of
numpy arrays, one per component): a pass is a chain of generators, which is all a synchronous pipeline needs —
``prefetch`` is accepted and does nothing.

An integer argument (a batch size, a ``range`` bound, a repeat count ...) may be a scalar integer tensor, e.g. a
placeholder; its value is read when an iterator's pass starts — TF1's way to parameterize a pipeline.
"""
import itertools
import types

import numpy

from ..backend import dtypes
from . import errors
from .core import Tensor, TensorShape, get_default_graph
from .frontend import convert_to_tensor
from .function_graph import build_func_graph, flatten, pack
from .graph_ops import Const
from .iterator_ops import (ElementStructure, Iterator, host_array, make_initializable_iterator,
                           make_one_shot_iterator)

__all__ = ["Dataset", "Iterator", "make_one_shot_iterator", "make_initializable_iterator", "get_output_types",
           "get_output_shapes", "get_output_classes", "experimental"]

#: ``tf.data.experimental.AUTOTUNE``, accepted where TF accepts it (``prefetch``, ``num_parallel_calls``)
experimental = types.SimpleNamespace(AUTOTUNE=-1)


def _map_nest(fn, value):
    """``value`` with ``fn`` applied to each leaf. Tuples (namedtuples too) and dicts are structure; anything
    else — a list included — is a leaf, as in tf.data."""
    if isinstance(value, dict):
        return type(value)((k, _map_nest(fn, v)) for k, v in value.items())
    if isinstance(value, tuple):
        items = [_map_nest(fn, v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return fn(value)


def _int_argument(value, name):
    """An integer argument: a Python int, or a scalar integer tensor read when a pass starts."""
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        value = convert_to_tensor(value)
        if value.dtype.kind not in "iu" or (value.shape.rank_known and len(value.shape) != 0):
            raise TypeError(f"`{name}` must be a scalar integer tensor, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise TypeError(f"`{name}` must be an integer or a scalar integer tensor, got {value!r}")
    return int(value)


def _known(argument):
    """The value of an integer argument if it is known while building (an int or a constant), else None."""
    if isinstance(argument, Tensor):
        return int(argument.op.attrs["value"]) if argument.op.op is Const else None
    return argument


def _type_name(dtype):
    return f"tf.{dtype.name}"


class Dataset(ElementStructure):
    """A sequence of elements, built from tensors or from another dataset by a transformation.

    ``_inputs``: the datasets this one reads; ``_structure``: a nest whose leaves stand for the components;
    ``_types``, ``_shapes``: one dtype and one TensorShape per component (flattened, dict keys sorted);
    ``_tensors``: the graph values this step reads when a pass starts (its *sources*, see iterator_ops.py).
    """

    def __init__(self, inputs, structure, types_, shapes, tensors=()):
        self._inputs = tuple(inputs)
        tensors = [t for t in tensors if isinstance(t, Tensor)]
        self._graph = self._inputs[0]._graph if self._inputs else tensors[0].graph if tensors else get_default_graph()
        if any(d._graph is not self._graph for d in self._inputs):
            raise ValueError("All datasets must be from the same graph.")
        self._structure = structure
        self._types = list(types_)
        self._shapes = [s if isinstance(s, TensorShape) else TensorShape(s) for s in shapes]
        self._tensors = tensors

    def _elements(self, run):
        """A generator of this dataset's elements (lists of numpy arrays) for one pass (``PipelineRun``)."""
        raise NotImplementedError

    def _sources(self):
        """Every graph value the pass reads, this step's and its inputs', once each, in order."""
        seen, sources = set(), []
        for tensor in [t for d in self._inputs for t in d._sources()] + self._tensors:
            if tensor not in seen:
                seen.add(tensor)
                sources.append(tensor)
        return sources

    # ----------------------------------------------------------------------------------- description
    def __repr__(self):
        shapes = pack(self._structure, [str(s) for s in self._shapes])
        names = pack(self._structure, [_type_name(t) for t in self._types])
        return f"<{type(self).__name__} shapes: {shapes}, types: {names}>".replace("'", "")

    def __iter__(self):
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is enabled. In graph mode, "
                           "make an iterator (tf.data.make_one_shot_iterator(dataset)) and sess.run its get_next().")

    # ---------------------------------------------------------------------------------- sources
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per index of the first dimension, which all components share: the rows of a table."""
        return TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A single element: ``tensors`` themselves."""
        return TensorDataset(tensors)

    @staticmethod
    def range(*args):
        """int64 scalars like Python's ``range(stop)`` / ``range(start, stop[, step])``."""
        return RangeDataset(*args)

    @staticmethod
    def zip(datasets):
        """Elements of several datasets side by side (a tuple or dict of datasets), until the shortest ends."""
        return ZipDataset(datasets)

    # ---------------------------------------------------------------------------------- transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Elements in a random order, drawn from a buffer of ``buffer_size`` (see ``ShuffleDataset``)."""
        return ShuffleDataset(self, buffer_size, seed, True if reshuffle_each_iteration is None
                              else reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False):
        """Consecutive elements stacked ``batch_size`` at a time; the last batch may be smaller unless
        ``drop_remainder``."""
        return BatchDataset(self, batch_size, drop_remainder)

    def repeat(self, count=None):
        """The dataset ``count`` times over (forever for None or -1); each repetition is a new pass over the
        input, so an upstream ``shuffle`` reshuffles."""
        return RepeatDataset(self, -1 if count is None else count)

    def map(self, map_func, num_parallel_calls=None):
        """``map_func`` applied to each element (a tuple element is passed as separate arguments). The function
        is called **once**, now, on symbolic tensors, to build a graph function; see ``MapDataset``."""
        return MapDataset(self, map_func)

    def filter(self, predicate):
        """The elements for which ``predicate`` (built like a map function) returns a true boolean scalar."""
        return FilterDataset(self, predicate)

    def take(self, count):
        """At most the first ``count`` elements (all of them for -1)."""
        return TakeDataset(self, count)

    def skip(self, count):
        """All but the first ``count`` elements (none for -1)."""
        return SkipDataset(self, count)

    def prefetch(self, buffer_size):
        """Accepted for compatibility; a Session runs this pipeline synchronously, so there is nothing to do."""
        return self

    # ---------------------------------------------------------------------------------- iterators
    def make_one_shot_iterator(self):
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        return make_initializable_iterator(self, shared_name)


# ---------------------------------------------------------------------------------------------- sources

def _as_components(tensors, scope):
    """Convert each leaf of ``tensors`` to a graph tensor (a list becomes one tensor); return the nest of them."""
    if tensors is None:
        raise TypeError("A dataset element cannot be None")
    counter = itertools.count()
    with get_default_graph().name_scope(scope):
        return _map_nest(lambda v: convert_to_tensor(v, name=f"component_{next(counter)}"), tensors)


class TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        structure = _as_components(tensors, "tensors")
        components = flatten(structure)
        if not components:
            raise ValueError("from_tensor_slices needs at least one tensor to slice")
        for t in components:
            if t.shape.rank_known and len(t.shape) == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, but {t.name} is a scalar")
        firsts = sorted({t.shape[0] for t in components if t.shape.rank_known and t.shape[0] is not None})
        if len(firsts) > 1:
            raise ValueError(f"Dimensions {firsts[0]} and {firsts[1]} are not compatible: the components of "
                             f"from_tensor_slices must have the same size in their first dimension")
        super().__init__((), structure, [t.dtype for t in components],
                         [t.shape[1:] if t.shape.rank_known else TensorShape(None) for t in components], components)

    def _elements(self, run):
        arrays = [run.value(t) for t in self._tensors]
        sizes = sorted({len(a) for a in arrays})
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(None, None, f"Dimensions {sizes[0]} and {sizes[1]} are not compatible: "
                                                          "the components of from_tensor_slices differ in length")
        for i in range(sizes[0]):
            yield [a[i] for a in arrays]


class TensorDataset(Dataset):
    def __init__(self, tensors):
        structure = _as_components(tensors, "tensors")
        components = flatten(structure)
        super().__init__((), structure, [t.dtype for t in components], [t.shape for t in components], components)

    def _elements(self, run):
        yield [run.value(t) for t in self._tensors]


class RangeDataset(Dataset):
    def __init__(self, *args):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (start, stop, step), got {len(args)}")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (tuple(args) + (1,))[:3]
        self._args = [_int_argument(a, n) for a, n in zip((start, stop, step), ("start", "stop", "step"))]
        if self._args[2] == 0:
            raise ValueError("step must be a non-zero integer.")
        super().__init__((), None, [dtypes.int64], [()], self._args)

    def _elements(self, run):
        start, stop, step = (run.scalar(a) for a in self._args)
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        for value in range(start, stop, step):
            yield [numpy.array(value, dtype=numpy.int64)]


class ZipDataset(Dataset):
    def __init__(self, datasets):
        children = flatten(datasets)
        if not children or not all(isinstance(d, Dataset) for d in children):
            raise TypeError(f"Dataset.zip expects a (nested) tuple or dict of datasets, got {datasets!r}")
        structure = pack(datasets, [d._structure for d in children])
        super().__init__(children, structure, [t for d in children for t in d._types],
                         [s for d in children for s in d._shapes])

    def _elements(self, run):
        for parts in zip(*(d._elements(run) for d in self._inputs)):
            yield [a for part in parts for a in part]


# ---------------------------------------------------------------------------------------- transformations

class _Step(Dataset):
    """A transformation of one input dataset that keeps its element structure."""

    def __init__(self, dataset, tensors=(), shapes=None):
        super().__init__((dataset,), dataset._structure, dataset._types,
                         dataset._shapes if shapes is None else shapes, tensors)

    @property
    def _input(self):
        return self._inputs[0]


class ShuffleDataset(_Step):
    """TF's buffer shuffle: fill a buffer with the first ``buffer_size`` elements; then, repeatedly, hand out a
    random element of the buffer and put the next input element in its place. A buffer at least as large as the
    dataset gives a uniformly random permutation; a smaller one only mixes nearby elements.

    The random generator belongs to the pass (created when the iterator starts) and starts from the (graph seed,
    op seed) pair when either ``tf.set_random_seed`` or ``seed`` is given — so a seeded pipeline gives the same
    order in every session and after every re-initialization. With ``reshuffle_each_iteration`` (the default) the
    epochs of a ``repeat`` each get a new order; without it, every epoch repeats the first one's order.
    """

    def __init__(self, dataset, buffer_size, seed, reshuffle_each_iteration):
        self._buffer_size = _int_argument(buffer_size, "buffer_size")
        if isinstance(self._buffer_size, int) and self._buffer_size <= 0:
            raise ValueError("buffer_size must be greater than zero.")
        graph_seed, op_seed = dataset._graph.next_op_seed(seed)
        self._seed = None if op_seed is None else [graph_seed % 2 ** 64, op_seed % 2 ** 64]
        self._reshuffle = bool(reshuffle_each_iteration)
        super().__init__(dataset, [self._buffer_size])

    def _elements(self, run):
        size = run.scalar(self._buffer_size)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        state = run.state.get(self)
        if state is None:   # first epoch of this pass: fix the seed (fresh entropy when unseeded)
            seed = self._seed if self._seed is not None else numpy.random.SeedSequence().entropy
            state = run.state[self] = (seed, numpy.random.default_rng(seed))
        seed, rng = state
        if not self._reshuffle:
            rng = numpy.random.default_rng(seed)
        source = self._input._elements(run)
        buffer = list(itertools.islice(source, size))
        for element in source:
            i = int(rng.integers(len(buffer)))
            yield buffer[i]
            buffer[i] = element
        while buffer:
            i = int(rng.integers(len(buffer)))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()


class BatchDataset(_Step):
    """Stacks ``batch_size`` consecutive elements along a new first dimension, component by component."""

    def __init__(self, dataset, batch_size, drop_remainder):
        self._batch_size = _int_argument(batch_size, "batch_size")
        known = _known(self._batch_size)
        if known is not None and known <= 0:
            raise ValueError("Batch size must be greater than zero.")
        self._drop_remainder = bool(drop_remainder)
        leading = known if self._drop_remainder else None
        shapes = [TensorShape([leading] + list(s)) if s.rank_known else TensorShape(None) for s in dataset._shapes]
        super().__init__(dataset, [self._batch_size], shapes)

    def _elements(self, run):
        size = run.scalar(self._batch_size)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        source = self._input._elements(run)
        while True:
            chunk = list(itertools.islice(source, size))
            if not chunk or (self._drop_remainder and len(chunk) < size):
                return
            yield [_stack([element[k] for element in chunk], k) for k in range(len(self._types))]


def _stack(arrays, component):
    # an element of a string component is a Python bytes (a 0-d string tensor's value): stack it as a 0-d object
    # array, so that the batch is an object array of bytes like any string tensor's value (strings.py)
    arrays = [numpy.array(a, dtype=object) if isinstance(a, bytes) else a for a in arrays]
    first = arrays[0].shape
    for index, a in enumerate(arrays):
        if a.shape != first:
            raise errors.InvalidArgumentError(
                None, None, f"Cannot batch tensors with different shapes in component {component}. First element had "
                            f"shape [{','.join(map(str, first))}] and element {index} had shape "
                            f"[{','.join(map(str, a.shape))}].")
    return numpy.stack(arrays)


class RepeatDataset(_Step):
    def __init__(self, dataset, count):
        self._count = _int_argument(count, "count")
        super().__init__(dataset, [self._count])

    def _elements(self, run):
        count = run.scalar(self._count)
        for _ in (itertools.count() if count < 0 else range(count)):
            empty = True
            for element in self._input._elements(run):
                empty = False
                yield element
            if empty:   # repeating nothing forever would hang
                return


class TakeDataset(_Step):
    def __init__(self, dataset, count):
        self._count = _int_argument(count, "count")
        super().__init__(dataset, [self._count])

    def _elements(self, run):
        count = run.scalar(self._count)
        source = self._input._elements(run)
        return source if count < 0 else itertools.islice(source, count)


class SkipDataset(_Step):
    def __init__(self, dataset, count):
        self._count = _int_argument(count, "count")
        super().__init__(dataset, [self._count])

    def _elements(self, run):
        count = run.scalar(self._count)
        return iter(()) if count < 0 else itertools.islice(self._input._elements(run), count, None)


class _GraphFunction:
    """A Python function of a dataset element, built once into a graph function (a ``FuncGraph``, as the
    branches of ``tf.cond`` are) and run per element with ``Session.run_subgraph``.

    The function receives the element's components as placeholders: a tuple element as separate arguments,
    anything else (a tensor, a dict, a namedtuple) as one. What it returns becomes the output element; a list is
    taken as a tuple (``return [a, b]`` means two components — stack them yourself for one). Tensors of the
    enclosing graph that it uses are captured: their values are read when a pass starts, like other sources
    (variables are read each time, from the session). Random ops inside draw anew for every element.
    """

    def __init__(self, dataset, fn, kind):
        def call(element):
            return fn(*element) if type(element) is tuple else fn(element)
        specs = list(zip(dataset._shapes, dataset._types))
        self.graph = build_func_graph(f"{kind}_fn", dataset._graph, call, specs, (dataset._structure,))
        result = self.graph.structured_outputs
        if result is None:
            raise ValueError(f"The function passed to Dataset.{kind}() must return a value.")
        self.structure = _map_nest(self.graph.output_tensor, tuple(result) if isinstance(result, list) else result)
        self.graph.outputs = flatten(self.structure)
        self.captures = self.graph.capture_feeds()
        self.targets = self.graph.outputs + self.graph.side_effect_ops()

    def run_over(self, run, elements):
        """A generator of the function's outputs (lists of host arrays) for each element of ``elements``."""
        session = run.session
        xp = session.array_module
        feeds = {inner: xp.asarray(run.value(outer)) for outer, inner in self.captures}
        n = len(self.graph.outputs)
        for element in elements:
            feeds.update(zip(self.graph.inputs, (xp.asarray(a) for a in element)))
            yield [host_array(a) for a in session.run_subgraph(self.targets, feeds)[:n]]


class MapDataset(Dataset):
    """Each element replaced by ``map_func(element)``; see ``_GraphFunction`` for how the function is called."""

    def __init__(self, dataset, map_func):
        self._function = _GraphFunction(dataset, map_func, "map")
        outputs = self._function.graph.outputs
        super().__init__((dataset,), self._function.structure, [t.dtype for t in outputs],
                         [t.shape for t in outputs], [outer for outer, _ in self._function.captures])

    def _elements(self, run):
        return self._function.run_over(run, self._inputs[0]._elements(run))


class FilterDataset(_Step):
    """The elements whose ``predicate(element)`` — a boolean scalar, built like a map function — is true."""

    def __init__(self, dataset, predicate):
        self._function = _GraphFunction(dataset, predicate, "filter")
        outputs = self._function.graph.outputs
        if len(outputs) != 1 or outputs[0].dtype != dtypes.bool_ or \
                (outputs[0].shape.rank_known and len(outputs[0].shape) != 0):
            raise ValueError(f"`predicate` return type must be convertible to a scalar boolean tensor. Was "
                             f"{self._function.structure}.")
        super().__init__(dataset, [outer for outer, _ in self._function.captures])

    def _elements(self, run):
        elements, candidates = itertools.tee(self._input._elements(run))
        for element, (keep,) in zip(elements, self._function.run_over(run, candidates)):
            if keep:
                yield element


# ------------------------------------------------------------------------------------ tf.compat.v1.data names

def get_output_types(dataset):
    return dataset.output_types


def get_output_shapes(dataset):
    return dataset.output_shapes


def get_output_classes(dataset):
    return dataset.output_classes
