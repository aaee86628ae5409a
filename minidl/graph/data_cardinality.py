"""``tf.data.experimental.cardinality(dataset)``: how many elements a dataset has, worked out from its recipe
without making the elements — or ``INFINITE_CARDINALITY`` (-1) for an endless dataset, ``UNKNOWN_CARDINALITY``
(-2) where the count depends on the data::

    cardinality(Dataset.range(5).batch(2))                      # 3
    cardinality(Dataset.range(5).repeat())                      # -1: infinite
    cardinality(Dataset.range(5).filter(lambda x: x > 2))       # -2: unknown without running the predicate

The result is an int64 scalar tensor, computed when it is run (so an argument fed through a placeholder — a
batch size, the tensors of ``from_tensor_slices`` — counts with its fed value). Each kind of step has a rule
from its input's count, as TF 1.15's kernels have (``Cardinality()``); a kind without a rule is unknown, which
is TF's default too: ``filter``, ``flat_map``, ``interleave``, ``unbatch``, ``from_generator``, text lines, the
experimental steps that regroup or mix elements (data_experimental.py; ``scan`` keeps its input's count).
"""
import numpy

from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .data import (BatchDataset, Dataset, RepeatDataset, ShuffleDataset, SkipDataset, TakeDataset, contrib,
                   experimental)
from .data_experimental import ScanDataset
from .data_functions import MapDataset
from .data_sources import ListFilesDataset, RangeDataset, TensorDataset, TensorSliceDataset, ZipDataset
from .data_transforms import CacheDataset, ConcatenateDataset, PaddedBatchDataset, ShardDataset
from .data_windows import WindowDataset
from .graph_ops import GraphOp
from .iterator_ops import device_array, non_constant, start_run

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_NOT_A_COUNT = (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY)   # passed on unchanged by most rules


def cardinality(dataset):
    """The number of elements of ``dataset`` as an int64 scalar tensor (-1: infinite, -2: unknown); see the
    module docstring."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"cardinality: `dataset` must be a `tf.data.Dataset` object, got {dataset!r}.")
    operation = dataset._graph.create_op(DatasetCardinality, non_constant(dataset._sources()), {"dataset": dataset},
                                         [Spec((), dtypes.int64)], name="DatasetCardinality")
    return operation.outputs[0]


class DatasetCardinality(GraphOp):
    """The count of attr ``dataset`` (``count``); inputs: the dataset's non-constant sources."""

    @staticmethod
    def execute(session, operation, arrays):
        dataset = operation.attrs["dataset"]
        run = start_run(session, dataset._sources(), arrays)
        return (device_array(session, numpy.array(count(dataset, run), dtype=numpy.int64)),)


def count(dataset, run):
    """The number of elements of ``dataset`` in ``run`` (a ``PipelineRun``, for the values of its arguments), or
    -1 / -2; a kind of dataset without a rule is unknown."""
    rule = _RULES.get(type(dataset))
    return UNKNOWN_CARDINALITY if rule is None else rule(dataset, run)


def _input(dataset, run):
    return count(dataset._inputs[0], run)


def _range(dataset, run):
    start, stop, step = (run.scalar(a) for a in dataset._args)
    if step == 0:
        raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
    return max(0, -((start - stop) // step)) if step > 0 else max(0, -((stop - start) // -step))   # ceil division


def _zip(dataset, run):
    """The shortest input (an infinite one never is); unknown if any input is."""
    counts = [count(d, run) for d in dataset._inputs]
    if UNKNOWN_CARDINALITY in counts:
        return UNKNOWN_CARDINALITY
    finite = [n for n in counts if n != INFINITE_CARDINALITY]
    return min(finite) if finite else INFINITE_CARDINALITY


def _concatenate(dataset, run):
    first, second = (count(d, run) for d in dataset._inputs)
    if INFINITE_CARDINALITY in (first, second):
        return INFINITE_CARDINALITY
    return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in (first, second) else first + second


def _repeat(dataset, run):
    n, times = _input(dataset, run), run.scalar(dataset._count)
    if times < 0:   # forever: infinite, unless there is nothing to repeat
        return 0 if n == 0 else INFINITE_CARDINALITY
    if times == 0:
        return 0
    return n if n in _NOT_A_COUNT else n * times


def _take(dataset, run):
    n, wanted = _input(dataset, run), run.scalar(dataset._count)
    if n == UNKNOWN_CARDINALITY:
        return n
    if n == INFINITE_CARDINALITY:
        return INFINITE_CARDINALITY if wanted < 0 else wanted
    return n if wanted < 0 else min(n, wanted)


def _skip(dataset, run):
    n, skipped = _input(dataset, run), run.scalar(dataset._count)
    if n in _NOT_A_COUNT:
        return n
    return 0 if skipped < 0 else max(0, n - skipped)


def _batch(dataset, run):
    n, size = _input(dataset, run), run.scalar(dataset._batch_size)
    if n in _NOT_A_COUNT:
        return n
    return n // size + (0 if n % size == 0 or dataset._drop_remainder else 1)


def _shard(dataset, run):
    n, shards, index = _input(dataset, run), run.scalar(dataset._num_shards), run.scalar(dataset._index)
    return n if n in _NOT_A_COUNT else n // shards + (1 if index < n % shards else 0)


def _window(dataset, run):
    n = _input(dataset, run)
    if n in _NOT_A_COUNT:
        return n
    size, shift, stride = (run.scalar(a) for a in (dataset._size, dataset._shift, dataset._stride))
    if not dataset._drop_remainder:   # a window starts at every shift-th element
        return -(-n // shift)
    span = (size - 1) * stride + 1    # a full window reaches over span elements
    return 0 if n < span else (n - span) // shift + 1


_RULES = {
    TensorSliceDataset: lambda dataset, run: len(run.value(dataset._tensors[0])),
    TensorDataset: lambda dataset, run: 1,
    RangeDataset: _range,
    ListFilesDataset: lambda dataset, run: sum(1 for _ in dataset._elements(run)),   # matches the pattern now
    ZipDataset: _zip,
    ConcatenateDataset: _concatenate,
    RepeatDataset: _repeat,
    TakeDataset: _take,
    SkipDataset: _skip,
    BatchDataset: _batch,
    PaddedBatchDataset: _batch,
    ShardDataset: _shard,
    WindowDataset: _window,
    MapDataset: _input,
    ShuffleDataset: _input,
    CacheDataset: _input,
    ScanDataset: _input,
}

for _namespace in (experimental, contrib):
    _namespace.cardinality = cardinality
    _namespace.INFINITE_CARDINALITY = INFINITE_CARDINALITY
    _namespace.UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY
