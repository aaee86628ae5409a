"""Where a dataset's elements come from: tensors (``from_tensor_slices``, ``from_tensors``), ``range``, ``zip``,
a Python generator (``from_generator``), text files (``TextLineDataset``) and file names (``list_files``).

A source is the first step of a recipe (data.py): it has no input dataset, and its ``_elements(run)`` makes the
elements — lists of host arrays, one per component — from the values it reads when a pass starts.
"""
import glob
import gzip
import io
import itertools
import os
import zlib

import numpy

from ..backend import dtypes
from . import errors
from .core import TensorShape, get_default_graph
from .data import Dataset, _dtype_name, _int_argument, _map_nest, _type_name, sparse_rows
from .frontend import convert_to_tensor
from .function_graph import flatten, flatten_up_to, pack
from .sparse_tensor import SparseTensor, SparseTensorValue, dense_parts, join_parts
from .strings import as_string_array, string


def _as_components(tensors, scope):
    """Convert each leaf of ``tensors`` to a graph tensor (a list becomes one tensor), or, for a SparseTensor or a
    SparseTensorValue, to a SparseTensor of graph tensors; return the nest of them."""
    if tensors is None:
        raise TypeError("A dataset element cannot be None")
    counter = itertools.count()

    def component(value):
        if isinstance(value, SparseTensor):
            return value
        if isinstance(value, SparseTensorValue):
            return SparseTensor.from_value(value)
        return convert_to_tensor(value, name=f"component_{next(counter)}")

    with get_default_graph().name_scope(scope):
        return _map_nest(component, tensors)


class _TensorSource(Dataset):
    """A dataset made from the tensors of one nest (SparseTensors among them); ``shape_of`` gives an element's
    static shape from a component's. A pass reads every component's value (a SparseTensorValue for a sparse
    one): ``_values``."""

    def __init__(self, tensors, shape_of):
        structure = _as_components(tensors, "tensors")
        components = flatten(structure)
        super().__init__((), structure, [t.dtype for t in components], [shape_of(t.shape) for t in components],
                         dense_parts(components))

    def _values(self, run):
        parts = join_parts([run.value(t) for t in self._tensors], self._sparse)
        return [SparseTensorValue(*p) if sparse else p for p, sparse in zip(parts, self._sparse)]


class TensorSliceDataset(_TensorSource):
    """One element per index of the first dimension; a SparseTensor gives the entries of each row in turn
    (``sparse_rows``)."""

    def __init__(self, tensors):
        super().__init__(tensors, lambda shape: shape[1:] if shape.rank_known else TensorShape(None))
        components = flatten(self._structure)
        if not components:
            raise ValueError("from_tensor_slices needs at least one tensor to slice")
        for t in components:
            if t.shape.rank_known and len(t.shape) == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, but {t.name} is a scalar")
        firsts = sorted({t.shape[0] for t in components if t.shape.rank_known and t.shape[0] is not None})
        if len(firsts) > 1:
            raise ValueError(f"Dimensions {firsts[0]} and {firsts[1]} are not compatible: the components of "
                             f"from_tensor_slices must have the same size in their first dimension")

    def _elements(self, run):
        rows = [sparse_rows(v) if sparse else v for v, sparse in zip(self._values(run), self._sparse)]
        sizes = sorted({len(r) for r in rows})
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(None, None, f"Dimensions {sizes[0]} and {sizes[1]} are not compatible: "
                                                          "the components of from_tensor_slices differ in length")
        for i in range(sizes[0]):
            yield [r[i] for r in rows]


class TensorDataset(_TensorSource):
    def __init__(self, tensors):
        super().__init__(tensors, lambda shape: shape)

    def _elements(self, run):
        yield self._values(run)


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


class GeneratorDataset(Dataset):
    """``Dataset.from_generator(generator, output_types, output_shapes=None, args=None)``: the values a Python
    generator yields, as elements of the declared structure.

    ``generator`` is a callable returning an iterable (a generator function, typically); it is called anew —
    ``generator(*args)`` — every time a pass starts (each ``iterator.initializer`` run, each epoch of a
    ``repeat``), so every pass sees all its values. ``args``: tensors evaluated when the pass starts and passed as
    numpy arrays (a string scalar as ``bytes``), e.g. a file name fed through a placeholder.

    ``output_types``: a dtype, or a nest (tuple, dict) of dtypes, the structure every yielded value must have (a
    list yielded is one value, like everywhere in tf.data). ``output_shapes``: the same nest of shapes, unknown
    when not given. Each yielded component is converted to its dtype as ``numpy.asarray`` does (so a float is
    truncated to an int), and checked: a value of another structure, one that does not convert, or one whose
    shape does not fit is an ``InvalidArgumentError`` with TF's wording, raised by the ``get_next`` that met it.
    """

    def __init__(self, generator, output_types, output_shapes, args):
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        structure = _map_nest(_dtype_of, output_types)
        types = flatten(structure)
        if output_shapes is None:
            shapes = [TensorShape(None)] * len(types)
        else:
            shapes = [s if isinstance(s, TensorShape) else TensorShape(s)
                      for s in flatten_up_to(structure, output_shapes)]
        self._generator = generator
        with get_default_graph().name_scope("generator_args"):
            self._args = [convert_to_tensor(a) for a in (() if args is None else args)]
        super().__init__((), structure, types, shapes, self._args)

    def _elements(self, run):
        values = [run.value(t) for t in self._args]
        args = [v[()] if v.dtype == string and v.ndim == 0 else v for v in values]
        for value in self._generator(*args):
            yield self._components(value)

    def _components(self, value):
        """The checked host arrays of one yielded value."""
        try:
            leaves = _leaves_like(self._structure, value)
        except ValueError:
            expected = str(pack(self._structure, [_type_name(t) for t in self._types])).replace("'", "")
            raise _invalid(f"TypeError: `generator` yielded an element that did not match the expected structure. "
                           f"The expected structure was {expected}, but the yielded element was {value!r}.") from None
        arrays = []
        for leaf, dtype, shape in zip(leaves, self._types, self._shapes):
            try:
                array = as_string_array(leaf) if dtype == string else numpy.asarray(leaf, dtype=dtype)
            except (TypeError, ValueError):
                raise _invalid(f"TypeError: `generator` yielded an element that could not be converted to the "
                               f"expected type. The expected type was {_dtype_name(dtype)}, but the yielded "
                               f"element was {leaf!r}.") from None
            if not shape.is_compatible_with(array.shape):
                raise _invalid(f"ValueError: `generator` yielded an element of shape {array.shape} where an element "
                               f"of shape {shape} was expected.")
            arrays.append(array)
        return arrays


def _dtype_of(value):
    """A declared dtype (``tf.int64``, ``"float32"``, ``tf.string`` ...); a list is not a structure here."""
    if isinstance(value, (list, TensorShape)) or value is None:
        raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType.")
    return dtypes.as_dtype(value)


def _leaves_like(structure, value):
    """The components of ``value`` at the leaves of ``structure`` (tuples and dicts are structure, anything else
    is a value); ValueError where ``value`` has another structure."""
    if isinstance(structure, dict):
        if not isinstance(value, dict) or sorted(value) != sorted(structure):
            raise ValueError("structure mismatch")
        return [leaf for key in sorted(structure) for leaf in _leaves_like(structure[key], value[key])]
    if isinstance(structure, tuple):
        if not isinstance(value, tuple) or len(value) != len(structure):
            raise ValueError("structure mismatch")
        return [leaf for s, v in zip(structure, value) for leaf in _leaves_like(s, v)]
    return [value]


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _file_names(filenames, argument):
    """``filenames`` (a string, a list of strings, or a string tensor of rank 0 or 1) as a string tensor."""
    tensor = convert_to_tensor(filenames)
    if tensor.dtype != string:
        raise TypeError(f"`{argument}` must be a `tf.Tensor` of `tf.string`.")
    if tensor.shape.rank_known and len(tensor.shape) > 1:
        raise ValueError(f"`{argument}` must be a scalar or a vector of strings, got shape {tensor.shape}")
    return tensor


class TextLineDataset(Dataset):
    """``tf.data.TextLineDataset(filenames, compression_type=None)``: the lines of text files, one scalar
    ``tf.string`` element per line, file after file in the order given.

    A line is what lies between two ``\\n``, without them; a last line without its ``\\n`` counts, a final
    ``\\n`` does not start an empty one, and ``\\r`` characters are dropped (so Windows line ends read as
    Unix ones). The bytes are handed out as they are (decode them yourself). ``compression_type``: ``""`` or None,
    ``"GZIP"`` or ``"ZLIB"``. A missing file is a ``NotFoundError`` when the pass reaches it. ``buffer_size``
    and ``num_parallel_reads`` are accepted for compatibility.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        self._compression = compression_of(compression_type)
        with get_default_graph().name_scope("filenames"):
            self._filenames = _file_names(filenames, "filenames")
        super().__init__((), None, [string], [()], [self._filenames])

    def _elements(self, run):
        for name in run.value(self._filenames).reshape(-1):
            with self._open(name) as lines:
                for line in lines:
                    yield [numpy.array(line.rstrip(b"\n").replace(b"\r", b""), dtype=object)]

    def _open(self, name):
        """A binary file object over the (decompressed) bytes of file ``name``, read line by line."""
        return open_file(name, self._compression)


def compression_of(compression_type):
    """A file reader's ``compression_type`` as ``open_file`` takes it: ``""`` (None too), ``"GZIP"`` or ``"ZLIB"``."""
    if compression_type not in (None, "", "GZIP", "ZLIB"):
        raise ValueError(f"Unsupported compression_type: {compression_type}. Use '', 'GZIP' or 'ZLIB'.")
    return compression_type or ""


def open_file(name, compression):
    """A binary file object over the bytes of file ``name`` (str or bytes) decompressed as ``compression`` says
    (``""``, ``"GZIP"`` or ``"ZLIB"``); a missing file is TF's ``NotFoundError``."""
    try:
        if compression == "GZIP":
            return gzip.open(name, "rb")
        if compression == "ZLIB":
            with open(name, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        return open(name, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{os.fsdecode(name)}; No such file or directory") from None


class ListFilesDataset(Dataset):
    """The names of the files matching one or more glob patterns (``*``, ``?``, ``[abc]``), sorted; the patterns
    are matched when the pass starts, so files written after the graph was built are found."""

    def __init__(self, file_pattern):
        with get_default_graph().name_scope("file_pattern"):
            self._patterns = _file_names(file_pattern, "file_pattern")
        super().__init__((), None, [string], [()], [self._patterns])

    def _elements(self, run):
        patterns = [p.decode("utf-8") for p in run.value(self._patterns).reshape(-1)]
        names = sorted({name for pattern in patterns for name in glob.glob(pattern)})
        if not names:
            raise _invalid(f"No files matched pattern: {', '.join(patterns)}")
        for name in names:
            yield [numpy.array(name.encode("utf-8"), dtype=object)]


def list_files(file_pattern, shuffle=None, seed=None):
    """``Dataset.list_files``: the matching file names (``ListFilesDataset``), shuffled unless ``shuffle`` is
    False — TF's default, so that the files of a sharded data set are read in a new order every epoch."""
    names = ListFilesDataset(file_pattern)
    if shuffle is False:
        return names
    # a buffer larger than any list of files: every order is equally likely
    return names.shuffle(2 ** 31 - 1, seed=seed)
