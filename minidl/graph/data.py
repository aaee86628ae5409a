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

The iterators, and how a pass over a dataset runs inside a Session, are in iterator_ops.py. This file has the
``Dataset`` class with all its methods and the basic steps (``shuffle``, ``batch``, ``repeat``, ``take``,
``skip``); the other kinds of dataset have files of their own: data_sources.py (where elements come from:
slices, ``range``, ``zip``, ``from_generator``, ``TextLineDataset``, ``list_files``; binary records in
data_fixed_length.py), data_functions.py (what runs a function of yours: ``map``, ``filter``, ``flat_map``,
``interleave``, ``reduce``), data_transforms.py (``padded_batch``, ``unbatch``, ``concatenate``, ``shard``,
``cache``) and data_windows.py (``window``);
``tf.data.experimental``'s steps (``group_by_window``, ``scan``, ``sample_from_datasets`` ...) are in
data_experimental.py, ``cardinality`` in data_cardinality.py.

Each step of a recipe is a small class whose ``_elements(run)`` is a Python generator over its input's elements
(lists of numpy arrays, one per component): a pass is a chain of generators, which is all a synchronous pipeline
needs — ``prefetch`` is accepted and does nothing.

An integer argument (a batch size, a ``range`` bound, a repeat count ...) may be a scalar integer tensor, e.g. a
placeholder; its value is read when an iterator's pass starts — TF1's way to parameterize a pipeline.
"""
import itertools
import types

import numpy

from . import errors
from .core import Tensor, TensorShape, get_default_graph
from .frontend import convert_to_tensor
from .function_graph import pack
from .graph_ops import Const
from .iterator_ops import ElementStructure, Iterator, make_initializable_iterator, make_one_shot_iterator
from .sparse_tensor import SparseTensorValue
from .strings import string

__all__ = ["Dataset", "TextLineDataset", "FixedLengthRecordDataset", "Iterator", "make_one_shot_iterator",
           "make_initializable_iterator", "get_output_types", "get_output_shapes", "get_output_classes", "experimental",
           "AUTOTUNE"]

#: ``tf.data.experimental.AUTOTUNE`` (``tf.data.AUTOTUNE`` in later versions), accepted where TF accepts it
#: (``prefetch``, ``num_parallel_calls``; as ``interleave``'s ``cycle_length`` it means one per CPU core)
AUTOTUNE = -1


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """For ``dataset.apply``: ``shuffle(buffer_size, seed).repeat(count)`` (TF's fused form; a new order each
    epoch)."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False, num_parallel_calls=None):
    """For ``dataset.apply``: ``map(map_func).batch(batch_size, drop_remainder)`` (TF's fused form)."""
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


#: ``tf.data.experimental``: AUTOTUNE and the fused steps of TF 1.x pipelines
experimental = types.SimpleNamespace(AUTOTUNE=AUTOTUNE, shuffle_and_repeat=shuffle_and_repeat,
                                     map_and_batch=map_and_batch, unbatch=lambda: lambda dataset: dataset.unbatch())

#: ``tf.contrib.data``: where TF 1.4-1.12 kept the same steps, and batching that drops a short last batch
contrib = types.SimpleNamespace(
    **vars(experimental),
    batch_and_drop_remainder=lambda batch_size: lambda dataset: dataset.batch(batch_size, drop_remainder=True),
    padded_batch_and_drop_remainder=lambda batch_size, padded_shapes, padding_values=None: (
        lambda dataset: dataset.padded_batch(batch_size, padded_shapes, padding_values, drop_remainder=True)))


def _map_nest(fn, value):
    """``value`` with ``fn`` applied to each leaf. Tuples (namedtuples too) and dicts are structure; anything
    else — a list included — is a leaf, as in tf.data."""
    if isinstance(value, dict):
        return type(value)((k, _map_nest(fn, v)) for k, v in value.items())
    if isinstance(value, tuple) and not isinstance(value, SparseTensorValue):  # (a SparseTensorValue is one value)
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


def _positive_argument(value, name, message):
    """An integer argument that must be positive: checked now when its value is known (``ValueError``), else by
    ``_positive`` when a pass reads it. ``message`` has a ``{}`` for the value."""
    argument = _int_argument(value, name)
    known = _known(argument)
    if known is not None and known <= 0:
        raise ValueError(message.format(known))
    return argument


def _positive(run, argument, message):
    """The value of a ``_positive_argument`` in a pass; ``InvalidArgumentError`` if it is not positive."""
    value = run.scalar(argument)
    if value <= 0:
        raise errors.InvalidArgumentError(None, None, message.format(value))
    return value


def _dtype_name(dtype):
    """TF's name of a dtype: ``float32``, ``string`` (a string tensor's numpy dtype is ``object``)."""
    return "string" if dtype == string else dtype.name


def _type_name(dtype):
    return f"tf.{_dtype_name(dtype)}"


class Dataset(ElementStructure):
    """A sequence of elements, built from tensors or from another dataset by a transformation.

    ``_inputs``: the datasets this one reads; ``_structure``: a nest whose leaves stand for the components;
    ``_types``, ``_shapes``: one dtype and one TensorShape per component (flattened, dict keys sorted);
    ``_tensors``: the graph values this step reads when a pass starts (its *sources*, see iterator_ops.py).
    """
    _nested = False          # True for a dataset whose elements are datasets (windows, data_windows.py)
    _takes_windows = False   # True for the steps that accept such a dataset as input (flat_map, interleave)

    def __init__(self, inputs, structure, types_, shapes, tensors=()):
        self._inputs = tuple(inputs)
        if not self._takes_windows and any(d._nested for d in self._inputs):
            raise TypeError("The elements of a window() dataset are datasets: turn each into tensors with flat_map "
                            "or interleave first, e.g. `.flat_map(lambda window: window.batch(size))`.")
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

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """The elements a Python generator yields; ``generator(*args)`` is called anew for every pass (see
        ``GeneratorDataset``)."""
        return GeneratorDataset(generator, output_types, output_shapes, args)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None):
        """The names of the files matching a glob pattern (or a list of patterns), as strings; in a random order
        unless ``shuffle=False`` (then sorted)."""
        return list_files(file_pattern, shuffle, seed)

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

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False):
        """Like ``batch``, for elements whose shapes differ: each component is padded (with 0, ``b""`` or
        ``padding_values``) up to ``padded_shapes``, where a ``None`` or -1 dim means the longest in the batch
        (all dims when ``padded_shapes`` is not given). See ``PaddedBatchDataset``."""
        return PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self):
        """The rows of each element (split along the first dimension): the inverse of ``batch``."""
        return UnbatchDataset(self)

    def concatenate(self, dataset):
        """This dataset's elements, then ``dataset``'s (same structure and types)."""
        return ConcatenateDataset(self, dataset)

    def enumerate(self, start=0):
        """Pairs ``(index, element)``, the int64 index counting from ``start``."""
        return Dataset.zip((Dataset.range(start, numpy.iinfo(numpy.int64).max), self))

    def shard(self, num_shards, index):
        """Every ``num_shards``-th element, starting at ``index``: one worker's part of the data."""
        return ShardDataset(self, num_shards, index)

    def cache(self, filename=""):
        """The elements, kept the first time a pass goes through them all (in memory, or in ``filename``) and
        replayed after that; see ``CacheDataset``."""
        return CacheDataset(self, filename)

    def flat_map(self, map_func):
        """The elements of ``map_func(element)`` — a function returning a dataset — for each element, in order."""
        return FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1, num_parallel_calls=None):
        """Like ``flat_map``, but taking ``block_length`` elements in turn from ``cycle_length`` of the datasets
        ``map_func`` makes (see ``InterleaveDataset``)."""
        return InterleaveDataset(self, map_func, cycle_length, block_length)

    def window(self, size, shift=None, stride=1, drop_remainder=False):
        """Windows of ``size`` consecutive elements (every ``stride``-th one), a window starting every ``shift``
        elements; each window is a dataset, to be turned into tensors by ``flat_map`` (see ``WindowDataset``)."""
        return WindowDataset(self, size, shift, stride, drop_remainder)

    def reduce(self, initial_state, reduce_func):
        """A tensor (a nest of them): ``state = reduce_func(state, element)`` over all the elements, starting from
        ``initial_state``, computed when the result is run (see ``reduce_dataset``)."""
        return reduce_dataset(self, initial_state, reduce_func)

    def apply(self, transformation_func):
        """``transformation_func(self)``: a function from datasets to datasets, chained like a method."""
        dataset = transformation_func(self)
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`transformation_func` must return a Dataset. Got {dataset!r}.")
        return dataset

    # ---------------------------------------------------------------------------------- iterators
    def make_one_shot_iterator(self):
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        return make_initializable_iterator(self, shared_name)


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


_BATCH_SIZE = "Batch size must be greater than zero."


class BatchDataset(_Step):
    """Stacks ``batch_size`` consecutive elements along a new first dimension, component by component. A
    SparseTensor component is batched into a SparseTensor one rank higher (``_batch_sparse``).

    ``element_shapes``: the static shape of each component of one element in the batch (``padded_batch`` pads
    to them; default: the input's); ``tensors``: further sources of a subclass.
    """

    def __init__(self, dataset, batch_size, drop_remainder, element_shapes=None, tensors=()):
        self._batch_size = _positive_argument(batch_size, "batch_size", _BATCH_SIZE)
        self._drop_remainder = bool(drop_remainder)
        leading = _known(self._batch_size) if self._drop_remainder else None
        shapes = [TensorShape([leading] + list(s)) if s.rank_known else TensorShape(None)
                  for s in (dataset._shapes if element_shapes is None else element_shapes)]
        super().__init__(dataset, [self._batch_size, *tensors], shapes)

    def _elements(self, run):
        size = _positive(run, self._batch_size, _BATCH_SIZE)
        source = self._input._elements(run)
        while True:
            chunk = list(itertools.islice(source, size))
            if not chunk or (self._drop_remainder and len(chunk) < size):
                return
            yield [self._combine([as_array(element[k]) for element in chunk], k, run)
                   for k in range(len(self._types))]

    def _combine(self, arrays, component, run):
        """One component of a batch, from that component of each element."""
        if isinstance(arrays[0], SparseTensorValue):
            return _batch_sparse(arrays, component)
        return _stack(arrays, component)


def as_array(value):
    """A pipeline value as an array. A slice of a string vector is a Python bytes (what indexing an object array
    gives): a 0-d object array holds it whole, so that a batch is an object array of bytes like any string
    tensor's value (strings.py)."""
    return numpy.array(value, dtype=object) if isinstance(value, bytes) else value


def _stack(arrays, component):
    first = arrays[0].shape
    for index, a in enumerate(arrays):
        if a.shape != first:
            raise errors.InvalidArgumentError(
                None, None, f"Cannot batch tensors with different shapes in component {component}. First element had "
                            f"shape [{','.join(map(str, first))}] and element {index} had shape "
                            f"[{','.join(map(str, a.shape))}].")
    if arrays[0].dtype.kind == "O":  # string elements: stack keeps each bytes object whole
        return numpy.stack(arrays)
    # numbers: one array from the list, many times faster than stack for small elements (a batch of scalars)
    return numpy.array(arrays, dtype=arrays[0].dtype)


def _batch_sparse(values, component):
    """The SparseTensorValue of a batch of SparseTensorValues, as TF batches them: entry k of element i at
    ``[i] + its index``, and a dense shape of ``[batch]`` then, per dim, the largest of the elements'."""
    ranks = sorted({len(v.dense_shape) for v in values})
    if len(ranks) > 1:
        raise errors.InvalidArgumentError(None, None, f"Cannot batch SparseTensors of different ranks in component "
                                                      f"{component}: got ranks {ranks}.")
    indices = numpy.concatenate([numpy.column_stack([numpy.full(len(v.indices), i, numpy.int64), v.indices])
                                 for i, v in enumerate(values)])
    dense_shape = numpy.concatenate([[len(values)], numpy.max([v.dense_shape for v in values], axis=0)])
    return SparseTensorValue(indices.astype(numpy.int64), numpy.concatenate([v.values for v in values]),
                             dense_shape.astype(numpy.int64))


def sparse_rows(value):
    """The inverse of ``_batch_sparse``: a SparseTensorValue cut along its first dim into one SparseTensorValue per
    row (its entries there, the row index dropped; dense shape without the first dim), as TF slices one."""
    rows = value.indices[:, 0]
    order = numpy.argsort(rows, kind="stable")  # each row's entries in the order given
    ends = numpy.searchsorted(rows[order], numpy.arange(1, value.dense_shape[0] + 1))
    return [SparseTensorValue(value.indices[at, 1:], value.values[at], value.dense_shape[1:])
            for at in numpy.split(order, ends[:-1])]


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


# ------------------------------------------------------------------------------------ tf.compat.v1.data names

def get_output_types(dataset):
    return dataset.output_types


def get_output_shapes(dataset):
    return dataset.output_shapes


def get_output_classes(dataset):
    return dataset.output_classes


# The other kinds of dataset build on the classes above, so they are imported last (the Dataset methods use them).
from .data_functions import FilterDataset, FlatMapDataset, InterleaveDataset, MapDataset, reduce_dataset  # noqa: E402
from .data_sources import (GeneratorDataset, RangeDataset, TensorDataset, TensorSliceDataset,  # noqa: E402
                           TextLineDataset, ZipDataset, list_files)
from .data_transforms import (CacheDataset, ConcatenateDataset, PaddedBatchDataset, ShardDataset,  # noqa: E402
                              UnbatchDataset)
from .data_windows import WindowDataset  # noqa: E402
from .data_fixed_length import FixedLengthRecordDataset  # noqa: E402
from . import data_experimental  # noqa: E402,F401  (adds group_by_window, scan, cardinality ... to `experimental`)

# TF 1.2-1.3 kept tf.data itself in tf.contrib.data (`from tensorflow.contrib.data import Dataset, Iterator`)
contrib.Dataset, contrib.Iterator, contrib.TextLineDataset = Dataset, Iterator, TextLineDataset
contrib.FixedLengthRecordDataset = FixedLengthRecordDataset
