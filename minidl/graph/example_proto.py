"""``tf.train.Example``, the record format of TF input pipelines, and the ops that parse it:
``tf.parse_single_example`` / ``tf.parse_example`` with ``tf.FixedLenFeature`` and ``tf.VarLenFeature``.

An Example is a dict of named *features*, each a list of bytes, floats or int64s. Its protocol buffer messages
(TF's ``example.proto`` and ``feature.proto``; the field numbers are what the encoders below write)::

    Example   { Features features = 1; }
    Features  { map<string, Feature> feature = 1; }      a map entry is a message { string key = 1; Feature value = 2; }
    Feature   { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
    BytesList { repeated bytes value = 1; }
    FloatList { repeated float value = 1 [packed = true]; }
    Int64List { repeated int64 value = 1 [packed = true]; }

Written as TF writes them — floats and int64s *packed* — and read back whether packed or not, so the bytes are
exchangeable with TensorFlow's: a TFRecord file of ``example.SerializeToString()`` (tfrecords.py) is what a TF
input pipeline reads. The map's entries are written in sorted key order (protobuf's deterministic mode; a reader
does not care about the order).

The message classes mirror the Python protobuf ones for what programs do with Examples: the constructor keywords,
``SerializeToString``, ``FromString``/``ParseFromString``, reading ``example.features.feature["x"].float_list.value``
and ``HasField``/``WhichOneof``. The repeated ``value`` fields are plain lists (``append``/``extend`` work) and
``feature`` is a plain dict; unlike protobuf, reading an unset sub-message gives a fresh empty one without
setting it, so build a Feature through its constructor rather than by assigning into ``feature.float_list``.

**VarLenFeature.** Its values vary in number from example to example, so it is parsed into a ``tf.SparseTensor``
(sparse_tensor.py), as in TF: entry ``[i, j]`` is value j of example i, ``dense_shape`` is ``[batch, max_len]``
(``[max_len]`` for ``parse_single_example``, whose indices drop the batch column), and an example without the
feature has no entries. ``tf.sparse.to_dense`` pads it into a matrix; ``.values`` is every value in order.
"""
import collections
import struct

import numpy

from ..backend import host_array
from ..io.protobuf import as_int64, bytes_field, fields, packed_floats, packed_varints, varints
from ..ops.base import Spec
from . import errors, io
from .basics import constant
from .core import get_default_graph
from .dtypes import as_dtype, float32, int64, string
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .sparse_tensor import SparseTensor, sparse_value_of_lists
from .summary_reading import _Message

__all__ = ["BytesList", "Example", "Feature", "Features", "FixedLenFeature", "FloatList", "Int64List",
           "VarLenFeature", "parse_example", "parse_single_example"]


# ================================================================================================ messages

class _Proto(_Message):
    """A message that serializes: ``SerializeToString`` (subclasses write ``_encode``), ``FromString`` and
    ``ParseFromString`` (subclasses read with ``_decode``, a classmethod giving the constructor's keywords)."""

    def __init__(self, **values):
        unknown = sorted(set(values) - set(self._defaults))
        if unknown:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{unknown[0]}" field.')
        super().__init__(**values)

    def SerializeToString(self):
        return self._encode()

    @classmethod
    def FromString(cls, data):
        return cls(**cls._decode(_as_bytes(data)))

    def ParseFromString(self, data):
        """Replace this message's contents by those of ``data`` (protobuf's ``Clear()`` then merge)."""
        self.__init__(**self._decode(_as_bytes(data)))

    def __eq__(self, other):
        return type(self) is type(other) and self.SerializeToString() == other.SerializeToString()

    __hash__ = None  # mutable, like protobuf messages


def _as_bytes(data):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"a serialized message must be bytes, got {type(data).__name__}")
    return bytes(data)


def _values(field, data):
    """The values of a repeated-number field ``field`` (1 here) of ``data``: each occurrence is a packed run
    (bytes) or, unpacked, one number (a varint as an int, a fixed32 as its 4 bytes)."""
    return [raw for number, raw in fields(data) if number == field]


class BytesList(_Proto):
    _defaults = dict(value=list)

    def __init__(self, value=()):
        for v in value:
            if not isinstance(v, bytes):  # as protobuf: a str must be encoded by the caller
                raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: bytes")
        super().__init__(value=list(value))

    def _encode(self):
        return b"".join(bytes_field(1, v) for v in self.value)

    @classmethod
    def _decode(cls, data):
        return dict(value=_values(1, data))


class FloatList(_Proto):
    _defaults = dict(value=list)

    def __init__(self, value=()):
        # stored as the float32 they will be written as, so that value[0] reads what a parse gives back
        super().__init__(value=[float(numpy.float32(v)) for v in value])

    def _encode(self):
        return packed_floats(1, self.value) if self.value else b""

    @classmethod
    def _decode(cls, data):
        # a packed run and an unpacked fixed32 are both whole little-endian floats
        raw = b"".join(_values(1, data))
        return dict(value=list(struct.unpack(f"<{len(raw) // 4}f", raw)))


class Int64List(_Proto):
    _defaults = dict(value=list)

    def __init__(self, value=()):
        value = [int(v) for v in value]
        if any(not -2 ** 63 <= v < 2 ** 63 for v in value):
            raise ValueError("Value out of range: an Int64List holds 64-bit signed integers")
        super().__init__(value=value)

    def _encode(self):
        return packed_varints(1, self.value) if self.value else b""

    @classmethod
    def _decode(cls, data):
        numbers = []
        for raw in _values(1, data):
            numbers.extend(varints(raw) if isinstance(raw, bytes) else [raw])  # packed, or one unpacked varint
        return dict(value=[as_int64(n) for n in numbers])


class Feature(_Proto):
    """One of ``bytes_list``, ``float_list``, ``int64_list`` (the ``kind`` oneof); ``WhichOneof("kind")`` names it."""
    _defaults = dict(bytes_list=BytesList, float_list=FloatList, int64_list=Int64List)
    _kinds = {1: "bytes_list", 2: "float_list", 3: "int64_list"}

    def __init__(self, **kind):
        if len(kind) > 1:
            raise ValueError(f"a Feature holds one of bytes_list, float_list, int64_list; got {sorted(kind)}")
        super().__init__(**kind)

    def WhichOneof(self, group):
        if group != "kind":
            raise ValueError(f'Protocol message has no "{group}" field.')
        return next(iter(self._set), None)

    def _encode(self):
        return b"".join(bytes_field(number, getattr(self, name).SerializeToString())
                        for number, name in self._kinds.items() if name in self._set)

    @classmethod
    def _decode(cls, data):
        kind = {}
        for number, raw in fields(data):
            if number in cls._kinds:
                name = cls._kinds[number]
                kind = {name: cls._defaults[name].FromString(raw)}  # a oneof: the last one wins
        return kind


class Features(_Proto):
    _defaults = dict(feature=dict)

    def __init__(self, feature=None):
        super().__init__(feature=dict(feature or {}))

    def _encode(self):
        return b"".join(bytes_field(1, bytes_field(1, key) + bytes_field(2, self.feature[key].SerializeToString()))
                        for key in sorted(self.feature))

    @classmethod
    def _decode(cls, data):
        feature = {}
        for number, entry in fields(data):
            if number == 1:
                parts = dict(fields(entry))  # {1: key, 2: serialized Feature}; a missing part is its default
                feature[parts.get(1, b"").decode("utf-8")] = Feature.FromString(parts.get(2, b""))
        return dict(feature=feature)


class Example(_Proto):
    _defaults = dict(features=Features)

    def _encode(self):
        return bytes_field(1, self.features.SerializeToString()) if "features" in self._set else b""

    @classmethod
    def _decode(cls, data):
        raw = [r for number, r in fields(data) if number == 1]
        # a message field given twice merges; for Features that is the union of the maps
        return dict(features=Features.FromString(b"".join(raw))) if raw else {}


# ===================================================================================== feature descriptions

_PARSE_TYPES = {float32: "float_list", int64: "int64_list", string: "bytes_list"}
_C_NAMES = {float32: "float", int64: "int64", string: "string"}  # TF's error messages name these


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature with exactly ``prod(shape)`` values in every example, parsed into a dense tensor of ``shape``;
    an example without it takes ``default_value`` (anything with that many values), or is an error without one.
    ``dtype``: ``tf.float32``, ``tf.int64`` or ``tf.string``."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values (none when the example lacks it), parsed into a SparseTensor (module
    docstring)."""


# ================================================================================================ parsing

class ParseExample(GraphOp):
    """Input 0: serialized Examples (a string scalar or vector); inputs 1..: the defaults of the FixedLen features
    that have one, in key order. Outputs, key after key in ``keys`` order: a FixedLen feature's tensor, or a VarLen
    feature's SparseTensor as three outputs (indices, values, dense_shape). Attrs: ``keys``; per key its ``dtype``
    name and ``shape`` (None for a VarLen feature) and ``has_default``."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        records = host_array(arrays[0])
        defaults = iter(host_array(a) for a in arrays[1:])
        examples = [_parse_features(r, i) for i, r in enumerate(records.reshape(-1))]
        outs = []
        for key, dtype, shape, has_default in zip(attrs["keys"], attrs["dtypes"], attrs["shapes"],
                                                  attrs["has_default"]):
            dtype = as_dtype(dtype)
            if shape is None:
                parts = _var_len(examples, key, dtype)
                if records.ndim == 0:  # parse_single_example: no batch column in the indices, no batch dim
                    parts = parts[0][:, 1:], parts[1], parts[2][1:]
                outs.extend(session.on_device(part) for part in parts)
            else:
                out = _fixed_len(examples, key, dtype, shape, next(defaults) if has_default else None, operation)
                outs.append(session.on_device(out.reshape(out.shape[1:]) if records.ndim == 0 else out))
        return tuple(outs)


def _parse_features(record, index):
    """The ``{key: Feature}`` of serialized Example number ``index``; an InvalidArgumentError if it is not one."""
    try:
        return Example.FromString(record).features.feature
    except (TypeError, ValueError, struct.error):  # (UnicodeDecodeError is a ValueError)
        raise errors.InvalidArgumentError(None, None, f"Could not parse example input, value: '{record[:40]!r}' "
                                                      f"(serialized Example {index})") from None


def _feature_values(features, key, dtype, index):
    """The values of feature ``key`` of one example as a list, None if it has none (absent, or no kind set);
    an error if it holds another type than ``dtype``."""
    feature = features.get(key)
    kind = feature.WhichOneof("kind") if feature is not None else None
    if kind is None:
        return None
    if kind != _PARSE_TYPES[dtype]:
        raise errors.InvalidArgumentError(None, None, f"Name: <unknown>, Feature: {key} (data type: "
                                                      f"{kind[:-5]}) of example {index}.  Data types don't match. "
                                                      f"Expected type: {_C_NAMES[dtype]}")
    return getattr(feature, kind).value


def _fixed_len(examples, key, dtype, shape, default, operation):
    """``[batch] + shape``: each example's values, or the default where the feature is missing."""
    size = int(numpy.prod(shape, dtype=numpy.int64))
    out = numpy.empty([len(examples), size], dtype=dtype.as_numpy_dtype)
    for i, features in enumerate(examples):
        values = _feature_values(features, key, dtype, i)
        if values is None:
            if default is None:
                raise errors.InvalidArgumentError(None, operation, f"Name: <unknown>, Feature: {key} (data type: "
                                                                   f"{_C_NAMES[dtype]}) is required but could not be "
                                                                   f"found.")
            values = default.reshape(-1)
        elif len(values) != size:
            raise errors.InvalidArgumentError(None, operation, f"Name: <unknown>, Key: {key}, Index: {i}.  Number "
                                                               f"of {_C_NAMES[dtype]} values != expected.  Values "
                                                               f"size: {len(values)} but output shape: {list(shape)}")
        out[i] = values
    return out.reshape([len(examples)] + list(shape))


def _var_len(examples, key, dtype):
    """The indices, values and dense_shape ``[batch, max_len]`` of the SparseTensor whose row i holds the values
    of example i."""
    rows = [_feature_values(features, key, dtype, i) or [] for i, features in enumerate(examples)]
    return sparse_value_of_lists(rows, (len(rows),), dtype.as_numpy_dtype)


def _default_tensor(key, spec):
    """A FixedLenFeature's default as a constant of its dtype and shape (TF reshapes it the same way)."""
    value = numpy.asarray(spec.default_value, dtype=object if spec.dtype == string else spec.dtype.as_numpy_dtype)
    if value.size != int(numpy.prod(spec.shape, dtype=numpy.int64)):
        raise ValueError(f"The default_value of feature {key!r} has {value.size} values; its shape {list(spec.shape)} "
                         f"needs {int(numpy.prod(spec.shape, dtype=numpy.int64))}")
    if spec.dtype == string:
        value = numpy.vectorize(lambda v: v.encode("utf-8") if isinstance(v, str) else v, otypes=[object])(value)
    return constant(value.reshape(spec.shape), dtype=spec.dtype, name=f"default_{key}")


def _parse(serialized, features, name, single):
    """The ``{key: tensor}`` of ``parse_example``/``parse_single_example``: one ``ParseExample`` op."""
    if not features:
        raise ValueError(f"Missing: features was {features}.")
    if not isinstance(features, dict):
        raise TypeError("features must be a dict mapping keys to FixedLenFeature or VarLenFeature")
    keys = sorted(features)
    graph = get_default_graph()
    with graph.name_scope(name or ("ParseSingleExample" if single else "ParseExample")):
        serialized = convert_to_tensor(serialized, name="serialized")
        if serialized.dtype != string:
            raise TypeError(f"serialized must be a string tensor, got {serialized.dtype.name}")
        rank = len(serialized.shape) if serialized.shape.rank_known else None
        if rank != (0 if single else 1) and rank is not None:
            raise ValueError(f"serialized must be a {'scalar' if single else 'vector'}, got shape {serialized.shape}")
        batch = () if single else (serialized.shape[0] if rank is not None else None,)
        dtypes, shapes, has_default, defaults, specs = [], [], [], [], []
        for key in keys:
            spec = features[key]
            if not isinstance(spec, (FixedLenFeature, VarLenFeature)):
                raise ValueError(f"Unsupported {type(spec).__name__} for feature {key!r}")
            dtype = as_dtype(spec.dtype)
            if dtype not in _PARSE_TYPES:
                raise ValueError(f"Unsupported dtype {dtype.name} for feature {key!r}: use float32, int64 or string")
            fixed = isinstance(spec, FixedLenFeature)
            shape = [int(d) for d in spec.shape] if fixed else None
            if fixed and spec.default_value is not None:
                defaults.append(_default_tensor(key, spec._replace(shape=shape, dtype=dtype)))
            dtypes.append(dtype.name)
            shapes.append(shape)
            has_default.append(fixed and spec.default_value is not None)
            if fixed:
                specs.append(Spec(batch + tuple(shape), dtype))
            else:  # a SparseTensor of rank 1 + len(batch); its number of entries is known when the op runs
                rank = 1 + len(batch)
                specs.extend([Spec((None, rank), int64), Spec((None,), dtype), Spec((rank,), int64)])
        attrs = dict(keys=keys, dtypes=dtypes, shapes=shapes, has_default=has_default)
        operation = graph.create_op(ParseExample, [serialized] + defaults, attrs, specs, name="ParseExample")
    outputs = iter(operation.outputs)
    return {key: next(outputs) if shape is not None else SparseTensor(next(outputs), next(outputs), next(outputs))
            for key, shape in zip(keys, shapes)}


def parse_example(serialized, features, name=None, example_names=None):
    """Parse a batch of serialized Examples (a string vector): a dict mapping each key of ``features`` to a
    ``[batch] + shape`` tensor (``FixedLenFeature``) or a SparseTensor of dense shape ``[batch, max_len]``
    (``VarLenFeature``, module docstring). A missing FixedLen feature without a default, a wrong number of values,
    or values of another type are an ``InvalidArgumentError`` when the op runs. ``example_names`` is accepted and
    unused."""
    return _parse(serialized, features, name, single=False)


def parse_single_example(serialized, features, name=None, example_names=None):
    """``parse_example`` for one serialized Example (a string scalar): FixedLen features get their ``shape``,
    VarLen ones a SparseTensor of dense shape ``[n]`` holding their n values — the form a ``dataset.map``
    function works with."""
    return _parse(serialized, features, name, single=True)


io.FixedLenFeature, io.VarLenFeature = FixedLenFeature, VarLenFeature
io.parse_example, io.parse_single_example = parse_example, parse_single_example
