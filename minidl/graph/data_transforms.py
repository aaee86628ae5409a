"""Reshaping a stream of elements: ``padded_batch`` (batches of elements whose shapes differ), ``unbatch``,
``concatenate``, ``shard`` and ``cache``. Each is one step of a recipe (data.py): a generator over its input's
elements, which are lists of host arrays, one per component.
"""
import itertools
import os

import numpy

from . import errors
from .core import Tensor, TensorShape
from .data import (BatchDataset, Dataset, _int_argument, _known, _positive, _positive_argument, _Step, _type_name,
                   as_array, sparse_rows)
from .data_functions import relax_shape
from .frontend import convert_to_tensor
from .function_graph import flatten_up_to, same_structure
from .sparse_tensor import SparseTensorValue
from .strings import string
from ..io import read_arrays, write_arrays


class PaddedBatchDataset(BatchDataset):
    """``padded_batch(batch_size, padded_shapes=None, padding_values=None, drop_remainder=False)``: ``batch`` for
    elements whose shapes differ, e.g. sentences of different lengths.

    Each component of each element is padded at the end of every dim, up to its *padded shape*, and the padded
    elements are stacked. ``padded_shapes`` has the element's structure, one shape per component (a list or a
    ``TensorShape``): a known dim pads to that size, a ``None`` or -1 dim to the longest in the batch; a dim may
    also be a scalar integer tensor, read when a pass starts (``bucket_by_sequence_length`` pads so). Without
    ``padded_shapes``, each component pads to its static shape, its unknown dims to the longest in the batch (TF
    2.2's default; every component must then have a known rank). A padded shape must have the component's rank and
    no dim smaller than a known dim of it (``ValueError`` while building); an element larger than its padded shape
    is an ``InvalidArgumentError`` when the batch is made.

    ``padding_values``: the element's structure again, one scalar per component (None: the default) — by default
    0 for numbers, ``False`` for booleans and ``b""`` for strings. A given tensor's dtype must be the component's.
    Static shapes: ``[batch] + padded shape``, the batch dim ``None`` unless ``drop_remainder``.
    """

    def __init__(self, dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        if any(dataset._sparse):
            raise TypeError(f"Batching of padded sparse tensors is not currently supported: component "
                            f"{dataset._sparse.index(True)} of {dataset!r} is a SparseTensor. Use batch(), which "
                            f"needs no padding for it, or make it dense first (tf.sparse.to_dense).")
        if padded_shapes is None:
            for i, shape in enumerate(dataset._shapes):
                if not shape.rank_known:
                    raise ValueError(f"You must set the `padded_shapes` argument to `Dataset.padded_batch` if any "
                                     f"component of its input has an unknown rank (component {i} has).")
            self._padded = [list(shape) for shape in dataset._shapes]
        else:
            self._padded = [_padded_shape(leaf, shape)
                            for leaf, shape in zip(flatten_up_to(dataset._structure, padded_shapes), dataset._shapes)]
        dim_tensors = [d for dims in self._padded for d in dims if isinstance(d, Tensor)]
        values = [None] * len(dataset._types) if padding_values is None else \
            flatten_up_to(dataset._structure, padding_values)
        self._padding = [None if value is None else _padding_value(value, dtype)
                         for value, dtype in zip(values, dataset._types)]
        super().__init__(dataset, batch_size, drop_remainder, [_static_shape(dims) for dims in self._padded],
                         [t for t in self._padding if t is not None] + dim_tensors)

    def _combine(self, arrays, component, run):
        padded, dtype = self._padded[component], self._types[component]
        for a in arrays:
            if a.ndim != len(padded):
                raise errors.InvalidArgumentError(
                    None, None, f"All elements in a batch must have the same rank as the padded shape for component "
                                f"{component}: expected rank {len(padded)} but got element with rank {a.ndim}")
        dims = [n if n is None or isinstance(n, int) else run.scalar(n) for n in padded]
        size = [max(a.shape[d] for a in arrays) if n is None or n == -1 else n for d, n in enumerate(dims)]
        if any(a.shape[d] > n for a in arrays for d, n in enumerate(size)):
            raise errors.InvalidArgumentError(None, None, "Attempted to pad to a smaller size than the input element.")
        value = self._padding[component]
        fill = (b"" if dtype == string else 0) if value is None else run.value(value)[()]
        batch = numpy.full([len(arrays)] + size, fill, dtype=dtype)
        for i, a in enumerate(arrays):  # (a 0-d entry as its element: an object array would keep the array itself)
            batch[(i,) + tuple(slice(0, n) for n in a.shape)] = a if a.ndim else a[()]
        return batch


def _padded_shape(leaf, input_shape):
    """A padded shape as a list of dims — an int, None (-1 becomes None), or a scalar integer tensor whose value is
    read when a pass starts (-1 there too means the longest) — checked against the component's static shape."""
    if isinstance(leaf, TensorShape) and not leaf.rank_known:
        raise ValueError(f"Padded shape {leaf} must have a known rank.")
    try:
        dims = [_padded_dim(d) for d in leaf]
    except TypeError:
        raise TypeError(f"Padded shape {leaf!r} must be a list of dims (ints, -1, None or scalar integer tensors) or "
                        f"a TensorShape") from None
    if any(isinstance(d, int) and d < 0 for d in dims):
        raise ValueError(f"Padded shape {leaf!r} has a negative dim: use -1 or None for the longest in the batch.")
    shape = _static_shape(dims)
    if input_shape.rank_known and (len(input_shape) != len(shape) or any(
            p is not None and i is not None and p < i for p, i in zip(shape, input_shape))):
        raise ValueError(f"The padded shape {shape} is not compatible with the corresponding input component shape "
                         f"{input_shape}.")
    return dims


def _padded_dim(dim):
    """One dim of a padded shape: None for -1, a constant tensor as its value, another tensor as it is."""
    if isinstance(dim, Tensor) or hasattr(dim, "_as_graph_element"):
        dim = _int_argument(dim, "padded_shapes")
        if _known(dim) is None:
            return dim
        dim = _known(dim)
    return None if dim is None or int(dim) == -1 else int(dim)


def _static_shape(dims):
    """The static shape of a padded component: a tensor dim, unknown until a pass starts, is None."""
    return TensorShape([d if isinstance(d, int) else None for d in dims])


def _padding_value(value, dtype):
    """A padding value as a scalar tensor of the component's dtype (read when a pass starts)."""
    tensor = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=dtype, name="padding_value")
    if tensor.dtype != dtype:
        raise TypeError(f"Padding value tensor ({tensor!r}) does not match output type: {_type_name(dtype)}")
    if tensor.shape.rank_known and len(tensor.shape) != 0:
        raise ValueError(f"Padding value should be a scalar, but is not: {tensor!r}")
    return tensor


class UnbatchDataset(_Step):
    """``unbatch()``: each element split along its first dimension into that many elements — the inverse of
    ``batch`` (a SparseTensor component into its rows, ``sparse_rows``). Every component must have the same first
    dim (checked per element)."""

    def __init__(self, dataset):
        if any(s.rank_known and len(s) == 0 for s in dataset._shapes):
            raise ValueError("Cannot unbatch an input with scalar components.")
        super().__init__(dataset, shapes=[s[1:] for s in dataset._shapes])

    def _elements(self, run):
        for element in self._input._elements(run):
            arrays = [sparse_rows(a) if isinstance(a, SparseTensorValue) else as_array(a) for a in element]
            if any(getattr(a, "ndim", 1) == 0 for a in arrays):
                raise errors.InvalidArgumentError(None, None, "Cannot unbatch an input with scalar components.")
            for k, a in enumerate(arrays):
                if len(a) != len(arrays[0]):
                    raise errors.InvalidArgumentError(
                        None, None, f"Input element must have the same batch size in each component. Component 0 "
                                    f"had size {len(arrays[0])} but component {k} had size {len(a)}.")
            for i in range(len(arrays[0])):
                yield [a[i] for a in arrays]


class ConcatenateDataset(Dataset):
    """``a.concatenate(b)``: the elements of ``a``, then those of ``b``. Both must have the same structure and
    dtypes; each static shape is what both have in common (``(?, 3)`` for ``(2, 3)`` and ``(5, 3)``)."""

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {second!r}")
        if not same_structure(first._structure, second._structure) or first._types != second._types:
            raise TypeError(f"Two datasets to concatenate have different types {first.output_types} and "
                            f"{second.output_types}")
        if first._sparse != second._sparse:
            raise TypeError(f"Two datasets to concatenate have different classes {first.output_classes} and "
                            f"{second.output_classes}")
        super().__init__((first, second), first._structure, first._types,
                         [relax_shape(a, b) for a, b in zip(first._shapes, second._shapes)])

    def _elements(self, run):
        return itertools.chain(self._inputs[0]._elements(run), self._inputs[1]._elements(run))


_NUM_SHARDS = "Number of shards must be greater than zero (currently num_shards = {})."


class ShardDataset(_Step):
    """``shard(num_shards, index)``: the elements at positions ``index``, ``index + num_shards``, ... — worker
    ``index`` of ``num_shards`` reading its own part. Shard early in a pipeline (before a shuffle, right after
    listing files) so that the workers' parts do not overlap."""

    def __init__(self, dataset, num_shards, index):
        self._num_shards = _positive_argument(num_shards, "num_shards", _NUM_SHARDS)
        self._index = _int_argument(index, "index")
        known = _known(self._num_shards), _known(self._index)
        if None not in known and _bad_index(known[1], known[0]):
            raise ValueError(_bad_index(known[1], known[0]))
        super().__init__(dataset, [self._num_shards, self._index])

    def _elements(self, run):
        count, index = _positive(run, self._num_shards, _NUM_SHARDS), run.scalar(self._index)
        if _bad_index(index, count):
            raise errors.InvalidArgumentError(None, None, _bad_index(index, count))
        return itertools.islice(self._input._elements(run), index, None, count)


def _bad_index(index, count):
    """What is wrong with shard ``index`` of ``count`` shards, or None."""
    if not 0 <= index < count:
        return f"Index must be between 0 and {count - 1} (currently index = {index})."
    return None


class CacheDataset(_Step):
    """``cache(filename="")``: the input's elements, remembered by the first pass through all of them and
    replayed after that, so that the steps before it (reading files, an expensive ``map``) run once.

    In memory (no ``filename``): the cache belongs to the iterator's pass — with ``.cache().repeat()`` the first
    epoch computes, the later ones replay; running ``iterator.initializer`` again starts an empty cache (in TF1 the
    dataset is rebuilt then too). An epoch abandoned halfway (a ``take`` after the cache) caches nothing.

    With a ``filename``: the elements are written there, in minidl's array file format (minidl.io: no pickle),
    when a pass has gone through them all; every later pass — in any session or program — reads that file instead
    of the input as long as it exists (delete it to recompute). Only numeric and boolean components can be written.
    """

    def __init__(self, dataset, filename):
        self._filename = os.fspath(filename)
        if self._filename and (string in dataset._types or any(dataset._sparse)):
            raise TypeError("cache(filename) writes minidl's array file, which holds dense numbers only, and this "
                            "dataset has string or SparseTensor components: cache it in memory with cache().")
        super().__init__(dataset)

    def _elements(self, run):
        if self._filename and os.path.exists(self._filename):
            return iter(self._read())
        if not self._filename and self in run.state:
            return iter(run.state[self])
        return self._fill(run)

    def _fill(self, run):
        elements = []
        for element in self._input._elements(run):
            element = [_frozen(a) for a in element]
            elements.append(element)
            yield element
        if self._filename:
            arrays = {f"{i}/{k}": a for i, element in enumerate(elements) for k, a in enumerate(element)}
            write_arrays(self._filename, arrays, {"count": len(elements), "types": self._type_names()})
        else:
            run.state[self] = elements

    def _read(self):
        arrays, metadata = read_arrays(self._filename)
        metadata = metadata or {}
        if metadata.get("types") != self._type_names():
            raise errors.InvalidArgumentError(None, None, f"The cache file {self._filename} holds elements of types "
                                                          f"{metadata.get('types')}, but this dataset's are "
                                                          f"{self._type_names()}: delete the file to rebuild it.")
        return [[arrays[f"{i}/{k}"] for k in range(len(self._types))] for i in range(metadata["count"])]

    def _type_names(self):
        return [dtype.name for dtype in self._types]


def _frozen(value):
    """A read-only copy of a pipeline value, so that what a later epoch replays cannot have been changed by a
    fetch's receiver (a fetched numpy array is the very array the pipeline handed out)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, SparseTensorValue):
        return SparseTensorValue(*(_frozen(part) for part in value))
    array = numpy.array(value)
    array.setflags(write=False)
    return array
