"""``tf.data.experimental``: the transformations TF 1.15 keeps outside the ``Dataset`` class. Most are used with
``dataset.apply(...)``, which hands the dataset to the function they return::

    batches = sentences.apply(tf.data.experimental.bucket_by_sequence_length(
        lambda words: tf.shape(words)[0], bucket_boundaries=[5, 10], bucket_batch_sizes=[32, 16, 8]))
    mixed = tf.data.experimental.sample_from_datasets([clean, noisy], weights=[0.9, 0.1], seed=0)
    running_sums = numbers.apply(tf.data.experimental.scan(0, lambda total, x: (total + x, total + x)))

What is here, each built on the machinery of the other data*.py files (a step is a generator over its input's
elements; a function of yours is traced once into a graph function, data_functions.py):

- ``group_by_window`` (and ``bucket_by_sequence_length``, which is group_by_window + ``padded_batch``): elements
  sorted into groups by a key; each full group, as a dataset, goes through a function returning a dataset.
- ``choose_from_datasets`` and ``sample_from_datasets``: elements taken from several datasets, in an order a
  dataset of indices gives, or drawn at random with weights.
- ``scan`` (and ``Counter``): a running state carried from element to element; ``take_while``;
  ``ignore_errors``; ``parallel_interleave``; ``enumerate_dataset``.
- ``get_single_element``: a dataset's only element as tensors.

``cardinality`` (how many elements a dataset has, without iterating it) is in data_cardinality.py.
"""
import inspect
import itertools

import numpy

from ..backend import dtypes
from . import errors
from .array_ops import gather
from .basics import constant, control_dependencies
from .check_ops import assert_less
from .core import Tensor, TensorShape
from .data import (Dataset, _int_argument, _known, _positive, _positive_argument, _Step, _type_name, contrib,
                   experimental)
from .data_functions import FilterDataset, _DatasetFunction, _GraphFunction, fold_function, relax_shape
from .data_windows import WindowContents
from .frontend import convert_to_tensor
from .function_graph import flatten, flatten_up_to, pack, same_structure
from .graph_ops import GraphOp
from .iterator_ops import check_iterable, device_array, element_specs, element_tensors, non_constant, start_pass
from .math_ops import cast, greater_equal, reduce_sum
from .sparse_tensor import dense_parts

_WINDOW_SIZE = "Window size must be greater than zero, but got {}."


# ------------------------------------------------------------------------------------------- group_by_window

def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """For ``dataset.apply``: elements grouped by ``key_func(element)`` (an int64 scalar); see
    ``GroupByWindowDataset``. Give either ``window_size`` (the same for every key) or ``window_size_func`` (an
    int64 key to an int64 size, computed once per key)."""
    if (window_size is None) == (window_size_func is None):
        raise ValueError("group_by_window: must pass either window_size or window_size_func.")
    return lambda dataset: GroupByWindowDataset(dataset, key_func, reduce_func, window_size, window_size_func)


class GroupByWindowDataset(Dataset):
    """``group_by_window(key_func, reduce_func, window_size=None, window_size_func=None)``.

    The input is read in order, and each element is put in the group of its key. As soon as a group holds its
    window size of elements, ``reduce_func(key, window)`` is called — ``window`` is a dataset of the group's
    elements, in the order they came — and the elements of the dataset it returns are handed out; the group
    starts empty again. When the input ends, the groups still holding elements (short windows) are flushed the
    same way, in increasing order of their keys (TF keeps its groups in a ``std::map``, sorted by key)::

        range(10), key x % 2, window size 3:   reduce_func(0, {0 2 4})  reduce_func(1, {1 3 5})
                                               reduce_func(0, {6 8})    reduce_func(1, {7 9})

    ``key_func`` is built like a ``map`` function; ``reduce_func`` (like ``flat_map``'s function, run once to
    build a graph function) returns a dataset, usually ``window.batch(size)``; its elements are this dataset's.
    """

    def __init__(self, dataset, key_func, reduce_func, window_size, window_size_func):
        self._key = _GraphFunction.of_elements(dataset, key_func, "group_by_window_key")
        _check_scalar_int64(self._key, "key_func", "`key_func` must return a single tf.int64 tensor.")
        key_spec = [(TensorShape([]), dtypes.int64)]
        self._size_function = self._size = None
        if window_size_func is None:
            self._size = _positive_argument(window_size, "window_size", _WINDOW_SIZE)
        else:
            self._size_function = _GraphFunction("group_by_window_size", dataset._graph, window_size_func, (None,),
                                                 key_spec)
            _check_scalar_int64(self._size_function, "window_size_func",
                                "`window_size_func` must return a single tf.int64 scalar tensor.")
        windows = []

        def reduce(key):   # the window is made here, in the function's graph, like any dataset the function builds
            windows.append(_GroupWindow(dataset))
            result = reduce_func(key, windows[0])
            if not isinstance(result, Dataset):
                raise TypeError(f"`reduce_func` must return a `Dataset` object. Got {type(result)}.")
            return result
        self._reduce = _DatasetFunction("group_by_window_reduce", dataset._graph, reduce, (None,), key_spec)
        self._window = windows[0]
        functions = [self._key, self._reduce] + ([] if self._size_function is None else [self._size_function])
        inner = self._reduce.dataset
        super().__init__((dataset,), inner._structure, inner._types, inner._shapes,
                         [outer for f in functions for outer, _ in f.captures] + [self._size])

    def _elements(self, run):
        key_of, reduce = self._key.bind(run), self._reduce.bind(run)
        size_of = None if self._size_function is None else self._size_function.bind(run)
        groups, sizes = {}, {}
        for element in self._inputs[0]._elements(run):
            key = _scalar_int64(key_of(element)[0], "key_func")
            if key not in sizes:   # computed once per key, as in TF
                sizes[key] = _positive(run, self._size, _WINDOW_SIZE) if size_of is None else \
                    _checked_size(_scalar_int64(size_of([_int64(key)])[0], "window_size_func"))
            group = groups.setdefault(key, [])
            group.append(element)
            if len(group) == sizes[key]:
                yield from self._flush(run, reduce, key, groups.pop(key))
        for key in sorted(groups):
            yield from self._flush(run, reduce, key, groups[key])

    def _flush(self, run, reduce, key, group):
        """The elements of ``reduce_func(key, window)`` for one group: a pass over the dataset it returned, with
        the group's elements as the window's contents."""
        return start_pass(run.session, self._reduce.dataset, reduce([_int64(key)]), {self._window: group})


class _GroupWindow(WindowContents):
    """A group as ``reduce_func`` receives it: a dataset of whole elements (the input's structure), found in the
    state of the pass that ``GroupByWindowDataset`` starts for the group."""

    def __init__(self, dataset):
        Dataset.__init__(self, (), dataset._structure, dataset._types, dataset._shapes)


def _check_scalar_int64(function, name, message):
    """Refuse, while building, a function whose output is not one int64 tensor of a shape that may be scalar."""
    outputs = function.graph.outputs
    if len(outputs) != 1 or outputs[0].dtype != dtypes.int64 or not outputs[0].shape.is_compatible_with([]):
        got = [(_type_name(t.dtype), str(t.shape)) for t in outputs]
        raise ValueError(f"group_by_window: {message} Got {name} outputs (type, shape): {got}.")


def _scalar_int64(array, name):
    if array.size != 1:
        raise errors.InvalidArgumentError(None, None, f"`{name}` must return a scalar int64.")
    return int(array.reshape(()))


def _checked_size(size):
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, _WINDOW_SIZE.format(size))
    return size


def _int64(value):
    return numpy.array(value, dtype=numpy.int64)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes=None,
                              padding_values=None, pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    """For ``dataset.apply``: batches of elements of similar length, so that little padding is needed.

    ``element_length_func(element)`` (called like a map function) gives an element's length, an integer scalar.
    Bucket ``i`` holds the lengths in ``[bucket_boundaries[i-1], bucket_boundaries[i])`` — bucket 0 everything
    below the first boundary, the last bucket everything from the last boundary on — and makes batches of
    ``bucket_batch_sizes[i]`` elements (one more size than boundaries). Each batch is a ``padded_batch`` of its
    bucket's elements: padded to ``padded_shapes`` (default: each component's static shape, its unknown dims
    to the longest in the batch) with ``padding_values``; with ``pad_to_bucket_boundary``, the unknown dims pad
    to ``boundary - 1`` of the bucket instead (then every length must be below the last boundary, else
    ``InvalidArgumentError``); with ``no_padding``, plain ``batch``. ``drop_remainder`` drops each bucket's short
    last batch.

    Built as TF builds it: ``group_by_window`` with the bucket index as key and its batch size as window size,
    and a ``padded_batch`` of each window as the reduce function. So each bucket's batch is handed out as soon as
    it is full, and at the end the short batches follow in bucket order.
    """
    boundaries, batch_sizes = list(bucket_boundaries), list(bucket_batch_sizes)
    if len(batch_sizes) != len(boundaries) + 1:
        raise ValueError(f"bucket_by_sequence_length: len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1, "
                         f"got {len(batch_sizes)} batch sizes for {len(boundaries)} boundaries.")
    if any(a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError(f"bucket_by_sequence_length: bucket_boundaries must be sorted in increasing order, got "
                         f"{boundaries}.")

    def bucket_of(*element):
        """The bucket index of an element: how many boundaries its length reaches."""
        length = cast(element_length_func(*element), dtypes.int64)
        return reduce_sum(cast(greater_equal(length, constant(boundaries, dtypes.int64)), dtypes.int64))

    def batch_size_of(bucket):
        return gather(constant(batch_sizes, dtypes.int64), bucket)

    def batch(bucket, window):
        size = batch_size_of(bucket)
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder)
        fill = None   # what an unknown dim pads to: the longest in the batch, or the bucket's boundary - 1
        if pad_to_bucket_boundary:
            check = assert_less(bucket, constant(len(boundaries), dtypes.int64), message=(
                "When pad_to_bucket_boundary=True, elements must have length < max(bucket_boundaries)."))
            with control_dependencies([check]):
                fill = gather(constant(boundaries, dtypes.int64), bucket) - 1
        shapes = window._shapes if padded_shapes is None else flatten_up_to(window._structure, padded_shapes)
        return window.padded_batch(size, pack(window._structure, [_filled(s, fill) for s in shapes]),
                                   padding_values, drop_remainder)

    return group_by_window(bucket_of, batch, window_size_func=batch_size_of)


def _filled(shape, fill):
    """A padded shape with its unknown dims (None or -1) replaced by ``fill``."""
    if isinstance(shape, TensorShape) and not shape.rank_known:
        raise ValueError("bucket_by_sequence_length: a component has an unknown rank; give `padded_shapes`.")
    return [fill if d is None or (isinstance(d, int) and d == -1) else d for d in shape]


# ----------------------------------------------------------------------------------- choose and sample

def choose_from_datasets(datasets, choice_dataset):
    """The elements of ``datasets`` in the order ``choice_dataset`` (int64 scalars) picks them: each index takes
    the next element of that dataset. An index of a dataset that has run out is skipped; the result ends when
    ``choice_dataset`` ends or every dataset has run out (see ``DirectedInterleaveDataset``)."""
    if not isinstance(choice_dataset, Dataset) or not _one_tensor(choice_dataset, (dtypes.int64,), []):
        raise TypeError("choose_from_datasets: `choice_dataset` must be a dataset of scalar `tf.int64` tensors.")
    return DirectedInterleaveDataset(choice_dataset, datasets)


def sample_from_datasets(datasets, weights=None, seed=None):
    """Elements drawn at random from ``datasets``: for each element a dataset is chosen, with probabilities
    proportional to ``weights`` (a float vector, one weight per dataset; uniform when None; or a dataset of such
    vectors, one per element), and its next element is taken. A chosen dataset that has run out is skipped (a new
    choice is drawn); the result ends when all have run out. Each dataset's elements keep their order. (As in TF,
    a dataset of weight 0 is never chosen, and never runs out: once the others have, the pass draws forever.)

    ``seed`` (with ``tf.set_random_seed``) fixes the choices, as for ``shuffle``; then every pass (each epoch of a
    ``repeat`` too) makes the same choices, as TF's random dataset does. TF draws with its own generator, so the
    order differs from TF's, not the proportions."""
    datasets = _dataset_list(datasets, "sample_from_datasets")
    if not isinstance(weights, Dataset):
        if weights is not None:
            weights = convert_to_tensor(weights, name="weights")
            if weights.dtype not in (dtypes.float32, dtypes.float64):
                raise TypeError("sample_from_datasets: `weights` must be convertible to a tensor of `tf.float32` or "
                                "`tf.float64` elements.")
            if not weights.shape.is_compatible_with([len(datasets)]):
                raise ValueError(f"sample_from_datasets: `weights` must be a vector of length `len(datasets)` "
                                 f"({len(datasets)}), got shape {weights.shape}.")
        if len(datasets) == 1:
            return datasets[0]
    elif not _one_tensor(weights, (dtypes.float32, dtypes.float64), [len(datasets)]):
        raise TypeError(f"sample_from_datasets: a `weights` dataset must have float vectors of length "
                        f"{len(datasets)} as elements, got {weights!r}.")
    graph_seed, op_seed = datasets[0]._graph.next_op_seed(seed)
    seed = None if op_seed is None else [graph_seed % 2 ** 64, op_seed % 2 ** 64]
    return DirectedInterleaveDataset(_RandomChoiceDataset(len(datasets), weights, seed), datasets)


def _one_tensor(dataset, types, shape):
    """Whether the elements of ``dataset`` are single tensors of one of ``types``, of a shape that may be ``shape``."""
    return not isinstance(dataset._structure, (tuple, dict)) and len(dataset._types) == 1 and \
        dataset._types[0] in types and dataset._shapes[0].is_compatible_with(shape)


def _dataset_list(datasets, caller):
    if isinstance(datasets, Dataset) or not all(isinstance(d, Dataset) for d in datasets) or not datasets:
        raise TypeError(f"{caller}: `datasets` must be a non-empty list of datasets, got {datasets!r}.")
    return list(datasets)


class DirectedInterleaveDataset(Dataset):
    """Elements of ``datasets`` in the order the int64 elements of ``selector`` pick them: for each index, the next
    element of that dataset. An index of a dataset that has run out is passed over; the pass ends when the
    selector ends or when every dataset has run out. An index outside ``[0, len(datasets))`` is an
    ``InvalidArgumentError``. The datasets must have the same structure and dtypes; the static shapes are what
    theirs have in common."""

    def __init__(self, selector, datasets):
        datasets = _dataset_list(datasets, "choose_from_datasets")
        first = datasets[0]
        shapes = first._shapes
        for other in datasets[1:]:
            if not same_structure(first._structure, other._structure) or other._types != first._types or \
                    other._sparse != first._sparse:
                raise TypeError(f"All datasets must have the same type and class: {first!r} and {other!r} differ.")
            shapes = [relax_shape(a, b) for a, b in zip(shapes, other._shapes)]
        super().__init__([selector] + datasets, first._structure, first._types, shapes)

    def _elements(self, run):
        selector, datasets = self._inputs[0], self._inputs[1:]
        sources = [d._elements(run) for d in datasets]
        active = len(sources)
        for (index,) in selector._elements(run):
            index = int(index)
            if not 0 <= index < len(sources):
                raise errors.InvalidArgumentError(None, None, f"Selector index out of range: {index} >= "
                                                              f"{len(sources)}")
            if sources[index] is None:
                continue
            element = next(sources[index], None)
            if element is not None:
                yield element
                continue
            sources[index], active = None, active - 1
            if active == 0:
                return


class _RandomChoiceDataset(Dataset):
    """Endless int64 indices in ``[0, count)``, drawn with probabilities proportional to ``weights`` (None:
    uniform; a float vector tensor; or a dataset of vectors, one per draw — then it ends when they do). The
    generator starts from ``seed`` at every pass (fresh entropy when None)."""

    def __init__(self, count, weights, seed):
        self._count, self._seed = count, seed
        self._weights = weights if isinstance(weights, Tensor) else None
        inputs = (weights,) if isinstance(weights, Dataset) else ()
        super().__init__(inputs, None, [dtypes.int64], [TensorShape([])], [self._weights])

    def _elements(self, run):
        rng = numpy.random.default_rng(self._seed)
        if self._inputs:
            vectors = (element[0] for element in self._inputs[0]._elements(run))
        else:
            vectors = itertools.repeat(None if self._weights is None else run.value(self._weights))
        for weights in vectors:
            yield [_int64(rng.choice(self._count, p=self._probabilities(weights)))]

    def _probabilities(self, weights):
        if weights is None:
            return None   # uniform
        weights = numpy.asarray(weights, dtype=numpy.float64)
        if weights.shape != (self._count,) or not numpy.all(numpy.isfinite(weights)) or numpy.any(weights < 0) \
                or weights.sum() <= 0:
            raise errors.InvalidArgumentError(None, None, f"sample_from_datasets: the weights must be {self._count} "
                                                          f"finite non-negative numbers, not all zero; got "
                                                          f"{weights.tolist()}")
        return weights / weights.sum()


# ------------------------------------------------------------------------------------ steps of one dataset

def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False, buffer_output_elements=None,
                        prefetch_input_elements=None):
    """For ``dataset.apply``: ``dataset.interleave(map_func, cycle_length, block_length)``. TF runs the
    ``cycle_length`` datasets on threads, prefetching; its deterministic order (``sloppy=False``) is
    ``interleave``'s, which is what this gives. With ``sloppy=True`` TF may hand out elements of whichever
    dataset is ready first; here the order stays the deterministic one. ``buffer_output_elements`` and
    ``prefetch_input_elements`` only size TF's buffers: checked, and otherwise unused."""
    message = "parallel_interleave: `{}` must be {} 0, got {}."
    for name, value, low in (("cycle_length", cycle_length, 1), ("block_length", block_length, 1),
                             ("buffer_output_elements", buffer_output_elements, 1),
                             ("prefetch_input_elements", prefetch_input_elements, 0)):
        known = None if value is None else _known(_int_argument(value, name))
        if known is not None and known < low:
            raise ValueError(message.format(name, "greater than" if low else "at least", known))
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length)


def ignore_errors():
    """For ``dataset.apply``: the input's elements, leaving out those whose making raised an error (a ``tf.errors``
    error, e.g. ``InvalidArgumentError`` from a map function's ``check_numerics`` or a decode op); see
    ``IgnoreErrorsDataset``."""
    return lambda dataset: IgnoreErrorsDataset(dataset)


class IgnoreErrorsDataset(_Step):
    """``ignore_errors()``: where asking the input for its next element raises a ``tf.errors`` error, that element
    is left out and the next one is asked for, as in TF::

        Dataset.from_tensor_slices([1., 2., 0., 4.]).map(lambda x: tf.check_numerics(1. / x, "error"))
            .apply(ignore_errors())                                              # 1.0 0.5 0.25

    Limitation: the steps of a minidl pass are Python generators, and a generator that raised cannot go on. A
    ``map`` can (its function raises, the map goes on with the next element), so the usual
    ``.map(parse).apply(ignore_errors())`` works as in TF. When the error comes out of another step — a
    ``batch`` after the failing ``map``, a ``filter`` — that step's pass is over: where its generator is the
    direct input this raises ``UnimplementedError`` (put ``ignore_errors()`` right after the failing ``map``);
    deeper down, the pass ends there, where TF would go on."""

    def _elements(self, run):
        source = self._input._elements(run)
        while True:
            try:
                element = next(source)
            except StopIteration:
                return
            except errors.OpError as error:
                if inspect.isgenerator(source) and inspect.getgeneratorstate(source) == inspect.GEN_CLOSED:
                    raise errors.UnimplementedError(
                        None, None, f"ignore_errors: the step before it cannot go on after the error it raised "
                                    f"({type(error).__name__}: {error.message}). In minidl only a map can: apply "
                                    f"ignore_errors() right after the map that fails.") from error
                continue
            yield element


def take_while(predicate):
    """For ``dataset.apply``: the elements up to (not including) the first for which ``predicate`` (a boolean
    scalar, built like a ``filter`` predicate) is false; the rest of the input is not read."""
    return lambda dataset: TakeWhileDataset(dataset, predicate)


class TakeWhileDataset(FilterDataset):
    """``take_while(predicate)``: a ``filter`` that stops at the first element its predicate refuses."""

    def __init__(self, dataset, predicate):
        super().__init__(dataset, predicate, "take_while")

    def _elements(self, run):
        keep = self._function.bind(run)
        return itertools.takewhile(lambda element: keep(element)[0], self._input._elements(run))


def scan(initial_state, scan_func):
    """For ``dataset.apply``: ``scan_func(state, element)`` returns ``(new_state, output)``; the outputs are the
    elements, and the state is carried from each element to the next, starting from ``initial_state`` at every
    pass (see ``ScanDataset``)."""
    return lambda dataset: ScanDataset(dataset, initial_state, scan_func)


class ScanDataset(Dataset):
    """``scan(initial_state, scan_func)``: a running computation over the elements, e.g. running sums::

        Dataset.range(5).apply(scan(tf.constant(0, tf.int64), lambda total, x: (total + x, total + x)))
                                                                              # 0 1 3 6 10

    ``scan_func`` gets the state and the element as two arguments (a tuple element stays one tuple) and must
    return a pair: the new state, of the initial state's structure and dtypes (its shapes may change, as for
    ``Dataset.reduce``: data_functions.fold_function), and the output element, any nest of tensors."""

    def __init__(self, dataset, initial_state, scan_func):
        state, self._function, _ = fold_function("scan", dataset, initial_state, scan_func, _new_state)
        self._initial = flatten(state)
        output = self._function.structure[1]
        outputs = flatten(output)
        super().__init__((dataset,), output, [t.dtype for t in outputs], [t.shape for t in outputs],
                         self._initial + [outer for outer, _ in self._function.captures])

    def _elements(self, run):
        step = self._function.bind(run)
        state = [run.value(t) for t in self._initial]
        count = len(state)
        for element in self._inputs[0]._elements(run):
            result = step(state + element)
            state = result[:count]
            yield result[count:]


def _new_state(result):
    """The new state of what a scan function returned, which must be a pair ``(new_state, output)``."""
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(f"The scan function must return a pair comprising the new state and the output value. Got "
                        f"{result!r}.")
    return result[0]


def Counter(start=0, step=1, dtype=dtypes.int64):
    """An endless dataset of scalars ``start, start + step, start + 2 * step, ...`` of ``dtype``: a ``scan`` over
    an endless ``repeat``, as TF builds it."""
    start = convert_to_tensor(start, dtype=dtype, name="start")
    step = convert_to_tensor(step, dtype=dtype, name="step")
    return Dataset.from_tensors(0).repeat(None).apply(scan(start, lambda state, _: (state + step, state)))


def enumerate_dataset(start=0):
    """For ``dataset.apply``: ``dataset.enumerate(start)``, pairs ``(index, element)`` (the old spelling)."""
    return lambda dataset: dataset.enumerate(start)


# --------------------------------------------------------------------------------------- get_single_element

class DatasetToSingleElement(GraphOp):
    """The only element of attr ``dataset``, one output per component; inputs: the dataset's non-constant
    sources. Each run makes a new pass."""

    @staticmethod
    def execute(session, operation, arrays):
        elements = start_pass(session, operation.attrs["dataset"], arrays)
        element = next(elements, None)
        if element is None:
            raise errors.InvalidArgumentError(None, operation, "Dataset was empty.")
        if next(elements, None) is not None:
            raise errors.InvalidArgumentError(None, operation, "Dataset had more than one element.")
        return tuple(device_array(session, a) for a in dense_parts(element))


def get_single_element(dataset):
    """The only element of ``dataset``, as a nest of graph tensors computed each time they are run (a new pass
    each time): ``InvalidArgumentError`` then if the dataset has no element, or more than one."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"get_single_element: `dataset` must be a `tf.data.Dataset` object, got {dataset!r}.")
    check_iterable(dataset)
    operation = dataset._graph.create_op(DatasetToSingleElement, non_constant(dataset._sources()),
                                         {"dataset": dataset}, element_specs(dataset), name="DatasetToSingleElement")
    return element_tensors(dataset, operation.outputs)


# ------------------------------------------------------------------------------------------------ exports

_EXPORTS = dict(group_by_window=group_by_window, bucket_by_sequence_length=bucket_by_sequence_length,
                choose_from_datasets=choose_from_datasets, sample_from_datasets=sample_from_datasets,
                parallel_interleave=parallel_interleave, ignore_errors=ignore_errors, take_while=take_while,
                scan=scan, Counter=Counter, enumerate_dataset=enumerate_dataset,
                get_single_element=get_single_element)
for _namespace in (experimental, contrib):   # tf.contrib.data kept the same functions in TF 1.x
    vars(_namespace).update(_EXPORTS)

from . import data_cardinality  # noqa: E402,F401  (adds cardinality and its constants to the same namespaces)
