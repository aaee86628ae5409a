"""The steps of a pipeline that run a function of yours: ``map``, ``filter``, ``flat_map``, ``interleave``, and
``reduce`` (a dataset folded into a tensor).

Such a function is called **once**, while the pipeline is built, on symbolic tensors: what it builds becomes a
graph function (a ``FuncGraph``, as the branches of ``tf.cond`` are), which each element then runs through with
``Session.run_subgraph``. So Python code inside it (a ``print``, an ``if`` on a tensor) runs once, not per element
— as in TF, where ``map`` traces its function into a graph too.

``flat_map`` and ``interleave`` take a function that returns a *dataset*, built from the element's tensors
(``lambda x: tf.data.Dataset.from_tensors(x).repeat(3)``). That dataset is built once as well, inside the
function graph; per element, the function graph computes the values the dataset reads (its sources, see
iterator_ops.py), and a fresh pass over it starts with them.

A SparseTensor component (what parsing a ``VarLenFeature`` gives) reaches the function as a SparseTensor of three
placeholders, and one the function returns becomes a SparseTensor component; per element, its three arrays
travel as a ``SparseTensorValue``.
"""
import os

from ..backend import dtypes, host_array
from ..ops.base import Spec
from . import errors
from .core import TensorShape, as_spec_shape
from .data import AUTOTUNE, Dataset, _int_argument, _map_nest, _positive, _positive_argument, _Step, _type_name
from .frontend import convert_to_tensor
from .function_graph import build_func_graph, flatten, pack, same_structure
from .graph_ops import GraphOp
from .iterator_ops import check_iterable, device_array, non_constant, sparse_components, start_pass, start_run
from .sparse_tensor import SparseTensor, SparseTensorValue, dense_parts, join_parts, part_shapes, sparse_of_parts


class _GraphFunction:
    """A Python function of pipeline values, built once into a graph function and run per element.

    ``args``: the structure of its positional arguments (a tuple of nests), whose leaves become placeholders with
    the (shape, dtype) pairs ``specs``. What it returns becomes the output; a list is taken as a tuple
    (``return [a, b]`` means two components — stack them yourself for one). Tensors of the enclosing graph that
    it uses are captured: their values are read when a pass starts, like other sources (variables are read each
    time, from the session). Random ops inside draw anew for every element.
    """

    def __init__(self, kind, outer_graph, fn, args, specs):
        self.graph = _build_with_sparse_args(f"{kind}_fn", outer_graph, fn, args, specs)
        self.structure = self._outputs(self.graph.structured_outputs, kind)
        self.captures = self.graph.capture_feeds()
        self.targets = self.graph.outputs + self.graph.side_effect_ops()

    @classmethod
    def of_elements(cls, dataset, fn, kind):
        """``fn`` of one element of ``dataset``: a tuple element is passed as separate arguments, anything else (a
        tensor, a dict, a namedtuple) as one."""
        structure = dataset._structure
        args = structure if type(structure) is tuple else (structure,)
        return cls(kind, dataset._graph, fn, args, list(zip(dataset._shapes, dataset._types)))

    def _outputs(self, result, kind):
        """Convert what the function returned to tensors of its graph (``graph.outputs``); return their nest."""
        if result is None:
            raise ValueError(f"The function passed to Dataset.{kind}() must return a value.")
        structure = _map_nest(self._output, tuple(result) if isinstance(result, list) else result)
        self.sparse_outputs = sparse_components(structure)
        self.graph.outputs = dense_parts(flatten(structure))
        return structure

    def _output(self, value):
        """One component the function returned, as a tensor of its graph — or a SparseTensor of three."""
        if not isinstance(value, SparseTensor):
            return self.graph.output_tensor(value)
        with self.graph.as_default():
            parts = [self.graph.output_tensor(part) for part in value.components]
            return sparse_of_parts(*parts, value.shape)

    def bind(self, run):
        """The function as a Python callable in ``run``'s session: from its argument arrays (flattened) to its
        output arrays (host arrays; a SparseTensorValue for a SparseTensor), reading the captured values from
        ``run``."""
        session = run.session
        feeds = {inner: device_array(session, run.value(outer)) for outer, inner in self.captures}
        count = len(self.graph.outputs)

        def call(arrays):
            feeds.update(zip(self.graph.inputs, (device_array(session, a) for a in dense_parts(arrays))))
            outputs = join_parts([host_array(a) for a in session.run_subgraph(self.targets, feeds)[:count]],
                                 self.sparse_outputs)
            return [SparseTensorValue(*a) if sparse else a for a, sparse in zip(outputs, self.sparse_outputs)]
        return call


def _build_with_sparse_args(name, outer_graph, fn, args, specs):
    """``build_func_graph`` for a function of pipeline values: ``args`` (a tuple of nests; None: no arguments)
    whose leaves stand for the components, of the (shape, dtype) ``specs``. A SparseTensor component gets three
    placeholders, passed to ``fn`` as a SparseTensor of them."""
    sparse = sparse_components(args) if args is not None else []
    if not any(sparse):
        return build_func_graph(name, outer_graph, fn, specs, args)
    part_specs = []
    for is_sparse, (shape, dtype) in zip(sparse, specs):
        part_specs.extend(zip(part_shapes(shape), (dtypes.int64, dtype, dtypes.int64)) if is_sparse else
                          [(shape, dtype)])

    def call(*parts):
        components = [sparse_of_parts(*c, shape) if is_sparse else c
                      for c, is_sparse, (shape, _) in zip(join_parts(parts, sparse), sparse, specs)]
        return fn(*pack(args, components))
    return build_func_graph(name, outer_graph, call, part_specs, tuple(range(len(part_specs))))


class _DatasetFunction(_GraphFunction):
    """A function that returns a dataset (``flat_map``'s and ``interleave``'s ``map_func``). Its graph outputs
    are the values that dataset reads; ``passes`` starts a pass over it for each input element.

    Over a ``window()`` dataset (data_windows.py) the function receives datasets, one per component: the window's
    contents, handed to each pass as its starting state instead of as tensors.
    """
    windows = None   # over a window() dataset: the datasets standing for one window's components, in order

    @classmethod
    def of_elements(cls, dataset, fn, kind):
        if not dataset._nested:
            return super().of_elements(dataset, fn, kind)
        windows = []

        def call():   # the window's datasets are made here, in the function's graph, like any dataset it builds
            window = dataset._window_datasets()
            windows.extend(flatten(window))
            return fn(*window) if type(window) is tuple else fn(window)
        function = cls(kind, dataset._graph, call, None, ())
        function.windows = windows
        return function

    def _outputs(self, result, kind):
        if not isinstance(result, Dataset):
            raise TypeError(f"`map_func` must return a `Dataset` object. Got {type(result)}.")
        self.dataset = result
        self.graph.outputs = [self.graph.output_tensor(t) for t in non_constant(result._sources())]
        self.sparse_outputs = [False] * len(self.graph.outputs)
        return result._structure

    def passes(self, run, elements):
        """A generator of passes (generators of elements) over the dataset, one per element of ``elements``."""
        call = self.bind(run)
        for element in elements:
            if self.windows is None:
                yield start_pass(run.session, self.dataset, call(element))
            else:
                yield start_pass(run.session, self.dataset, call(()), dict(zip(self.windows, element)))


class MapDataset(Dataset):
    """Each element replaced by ``map_func(element)``; see ``_GraphFunction`` for how the function is called."""

    def __init__(self, dataset, map_func):
        self._function = _GraphFunction.of_elements(dataset, map_func, "map")
        outputs = flatten(self._function.structure)  # (a SparseTensor: its values' dtype, its dense shape)
        super().__init__((dataset,), self._function.structure, [t.dtype for t in outputs],
                         [t.shape for t in outputs], [outer for outer, _ in self._function.captures])

    def _elements(self, run):
        return map(self._function.bind(run), self._inputs[0]._elements(run))


class FilterDataset(_Step):
    """The elements whose ``predicate(element)`` — a boolean scalar, built like a map function — is true."""

    def __init__(self, dataset, predicate, kind="filter"):
        self._function = _GraphFunction.of_elements(dataset, predicate, kind)
        outputs = self._function.graph.outputs
        if len(outputs) != 1 or outputs[0].dtype != dtypes.bool_ or \
                (outputs[0].shape.rank_known and len(outputs[0].shape) != 0):
            raise ValueError(f"`predicate` return type must be convertible to a scalar boolean tensor. Was "
                             f"{self._function.structure}.")
        super().__init__(dataset, [outer for outer, _ in self._function.captures])

    def _elements(self, run):
        keep = self._function.bind(run)
        return (element for element in self._input._elements(run) if keep(element)[0])


class FlatMapDataset(Dataset):
    """The elements of ``map_func(element)`` (a dataset) for each element in turn: ``map`` for functions that
    make any number of elements from one, e.g. ``lambda line_batch: Dataset.from_tensor_slices(line_batch)``."""
    _takes_windows = True

    def __init__(self, dataset, map_func, kind="flat_map", tensors=()):
        self._function = _DatasetFunction.of_elements(dataset, map_func, kind)
        inner = self._function.dataset
        super().__init__((dataset,), inner._structure, inner._types, inner._shapes,
                         [outer for outer, _ in self._function.captures] + list(tensors))

    def _elements(self, run):
        for elements in self._function.passes(run, self._inputs[0]._elements(run)):
            yield from elements


_CYCLE_LENGTH = "cycle_length must be greater than zero."
_BLOCK_LENGTH = "block_length must be greater than zero."


class InterleaveDataset(FlatMapDataset):
    """``interleave(map_func, cycle_length, block_length)``: like ``flat_map``, but with ``cycle_length`` of the
    datasets ``map_func`` makes open at once, taking ``block_length`` elements from each in turn — e.g. lines
    from several files mixed, ``filenames.interleave(tf.data.TextLineDataset, cycle_length=4)``.

    The order is fixed (TF's deterministic order). A cycle has ``cycle_length`` slots, visited round-robin. At a
    slot: if its dataset is open, take up to ``block_length`` elements from it, then move on — when it runs out,
    it is closed and the next slot's turn comes; if the slot is empty, the next input element's dataset is opened
    in it (and read from at once). The pass ends when the input is exhausted and every slot is closed. With
    ``cycle_length=2, block_length=2`` over datasets ``[a a a]`` and ``[b b b]``: ``a a b b a b``.
    ``cycle_length=AUTOTUNE`` (the default) means one slot per CPU core, as in TF; ``num_parallel_calls`` is
    accepted and changes nothing (the order is the same).
    """

    def __init__(self, dataset, map_func, cycle_length, block_length):
        self._cycle_length = _int_argument(cycle_length, "cycle_length")
        if isinstance(self._cycle_length, int) and self._cycle_length != AUTOTUNE and self._cycle_length <= 0:
            raise ValueError(_CYCLE_LENGTH)
        self._block_length = _positive_argument(block_length, "block_length", _BLOCK_LENGTH)
        super().__init__(dataset, map_func, "interleave", [self._cycle_length, self._block_length])

    def _elements(self, run):
        cycle_length = run.scalar(self._cycle_length)
        if cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        if cycle_length <= 0:
            raise errors.InvalidArgumentError(None, None, _CYCLE_LENGTH)
        block_length = _positive(run, self._block_length, _BLOCK_LENGTH)
        datasets = self._function.passes(run, self._inputs[0]._elements(run))
        slots, open_count, index, input_left = [None] * cycle_length, 0, 0, True
        while input_left or open_count:
            if slots[index] is not None:
                taken = 0
                for element in slots[index]:
                    yield element
                    taken += 1
                    if taken == block_length:
                        break
                else:   # the slot's dataset ran out
                    slots[index] = None
                    open_count -= 1
                index = (index + 1) % cycle_length
            elif input_left:
                slots[index] = next(datasets, None)
                input_left = slots[index] is not None
                open_count += input_left
            else:
                index = (index + 1) % cycle_length


# ------------------------------------------------------------------------------------------------- reduce

class ReduceDataset(GraphOp):
    """The result of ``Dataset.reduce``: a pass over attr ``dataset`` folded by attr ``function``. Inputs: the
    non-constant values of attr ``sources`` (the dataset's and the function's), then the initial state."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        count = len(non_constant(attrs["sources"]))
        run = start_run(session, attrs["sources"], arrays[:count])
        step = attrs["function"].bind(run)
        state = [host_array(a) for a in arrays[count:]]
        for element in attrs["dataset"]._elements(run):
            state = step(state + element)
        return tuple(device_array(session, a) for a in state)


def reduce_dataset(dataset, initial_state, reduce_func):
    """``Dataset.reduce(initial_state, reduce_func)``: ``state = reduce_func(state, element)`` for every element,
    in order, starting from ``initial_state`` (a tensor, or a nest of them); the final state, as tensors of the
    graph, is computed each time they are run (a new pass each time). ``reduce_func`` gets the state and the
    element as two arguments (a tuple element stays one tuple) and must return a state of the same structure and
    dtypes (see ``fold_function`` for how its shapes may change)."""
    check_iterable(dataset)
    state, function, shapes = fold_function("reduce", dataset, initial_state, reduce_func)
    initial = flatten(state)
    sources = list(dict.fromkeys(dataset._sources() + [outer for outer, _ in function.captures]))
    operation = dataset._graph.create_op(ReduceDataset, non_constant(sources) + initial,
                                         {"dataset": dataset, "function": function, "sources": sources},
                                         [Spec(as_spec_shape(s), t.dtype) for s, t in zip(shapes, initial)],
                                         name="ReduceDataset")
    return pack(state, operation.outputs)


def fold_function(kind, dataset, initial_state, fn, new_state=lambda result: result):
    """The graph function of a fold over ``dataset`` (``reduce``; ``scan``, data_experimental.py): ``fn(state,
    element)``, whose result holds the new state — the result itself, or the part ``new_state(result)`` picks.
    Returns ``(state, function, shapes)``: ``initial_state`` as a nest of graph tensors, the function, and the
    static shapes of the state.

    The new state must have the initial state's structure and dtypes. Its shapes may change from step to step (a
    growing vector): as in TF, the function is then built again with the shapes relaxed to what both have in
    common (``(?,)`` for ``(0,)`` and ``(1,)``), until they stop changing."""
    graph = dataset._graph
    state = _map_nest(lambda v: convert_to_tensor(v, graph=graph), initial_state)
    initial = flatten(state)
    types, shapes = [t.dtype for t in initial], [t.shape for t in initial]
    while True:
        specs = list(zip(shapes, types)) + list(zip(dataset._shapes, dataset._types))
        function = _GraphFunction(kind, graph, fn, (state, dataset._structure), specs)
        result = new_state(function.structure)
        if not same_structure(state, result):
            raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                             f"{state}\n\nSecond structure: {result}")
        new = flatten(result)
        if [t.dtype for t in new] != types:
            raise TypeError(f"The element types for the new state must match the initial state. Expected "
                            f"{pack(state, [_type_name(t) for t in types])}; got "
                            f"{pack(state, [_type_name(t.dtype) for t in new])}.".replace("'", ""))
        relaxed = [relax_shape(s, t.shape) for s, t in zip(shapes, new)]
        if relaxed == shapes:
            return state, function, shapes
        shapes = relaxed


def relax_shape(a, b):
    """The most specific shape compatible with both ``a`` and ``b``: their common dims, None where they differ
    (an unknown rank where the ranks differ)."""
    if not (a.rank_known and b.rank_known) or len(a) != len(b):
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a, b)])
