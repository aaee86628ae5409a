"""The categorical feature columns of ``tf.feature_column``: a feature whose values are *categories* (a word, a
country, an id), read as integer category ids in [0, ``num_buckets``).

- ``categorical_column_with_identity``: the values are the ids already (integers).
- ``categorical_column_with_vocabulary_list``: each value's position in a list of known values; values not in it
  get ``default_value``, or one of ``num_oov_buckets`` extra ids chosen by hashing the value.
- ``categorical_column_with_hash_bucket``: ``hash(value) % hash_bucket_size``, for vocabularies too big to list.
- ``crossed_column``: every combination of the values of several features, hashed (``"fr" x "teacher"``).

A model cannot multiply an id: ``input_layer`` takes a categorical column only wrapped in ``indicator_column``
(one-hot) or ``embedding_column`` (a learned vector per id) — see feature_column.py — and ``linear_model`` learns
one weight per id.

**Several values per example.** A categorical feature is usually a ``SparseTensor`` [batch, n]: what
``tf.parse_example`` gives for a ``VarLenFeature``, so that an example may hold any number of values. It may also
be dense: ``[batch]`` (one value per example) or ``[batch, n]`` (up to n values), where an entry ``-1`` (integers)
or ``""`` (strings) is *missing* — the very values TF itself drops when it turns a dense feature into a sparse
one. The columns work on the dense form: a SparseTensor is padded into it (``tf.sparse.to_dense`` with -1 or
``""`` where it has no entry), so a value -1 or ``""`` stored in a SparseTensor counts as missing too. A column's
ids are therefore an int64 ``[batch, n]`` tensor with -1 where an entry is missing.

**Hashing.** TF hashes with FarmHash's Fingerprint64; minidl uses 8-byte BLAKE2b (``fingerprint``), so *which*
bucket a value lands in differs from TF's, but it is the same on every run and machine (unlike Python's ``hash``
of a str, which changes per process). Integers are hashed through their decimal digits, as TF hashes them through
``as_string``: 7 and "7" share a bucket.

**No lookup tables.** TF keeps a vocabulary in a hash-table resource that ``tf.tables_initializer()`` must fill
before the first run; minidl's lookup op holds the vocabulary itself, so a column adds no table to initialize
(running ``tf.tables_initializer()`` is harmless). The tables of ``tf.lookup`` (lookup_ops.py) hash with
``fingerprint`` too, so a value gets the same out-of-vocabulary bucket there as here.
"""
import collections
import hashlib
import itertools
import math

import numpy

from ..backend import device as parse_device, to_device
from ..ops.base import Spec
from . import dtypes
from .array_ops import expand_dims, fill, shape, where
from .basics import control_dependencies, identity
from .check_ops import Assert
from .core import get_default_graph
from .example_proto import VarLenFeature
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .math_ops import cast, greater_equal, less, logical_not, logical_or, reduce_any
from .sparse_ops import sparse_to_dense
from .sparse_tensor import SparseTensor, SparseTensorValue

__all__ = ["categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_list", "crossed_column"]

_DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF's seed for crossed_column's hashing


class CategoricalColumn:
    """What the categorical columns share: ``name``, ``num_buckets``, ``ids(features)``, the feature read as
    int64 category ids, [batch, n], -1 where an entry is missing (module docstring), and ``parse_example_spec``,
    {feature key: how ``tf.parse_example`` should read it} (a ``VarLenFeature`` for each raw feature)."""
    __slots__ = ()


def check_key(key):
    """A column's feature key must be a string (the key of the features dict)."""
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Given: {key!r}")


def feature_value(features, key, kind):
    """Feature ``key`` of the dict ``features``: a SparseTensor (a ``SparseTensorValue`` becomes one of constants)
    or a tensor; a ValueError naming the column ``kind`` if absent."""
    if key not in features:
        raise ValueError(f"The feature {key!r} of {kind} is not in the features given to the model "
                         f"(keys: {sorted(features)})")
    value = features[key]
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    return value if isinstance(value, SparseTensor) else convert_to_tensor(value)


def read_feature(features, key, kind):
    """Feature ``key`` as a dense tensor, for a column of numbers, which cannot tell a missing value from a zero
    (so a SparseTensor is a ValueError, as in TF)."""
    value = feature_value(features, key, kind)
    if isinstance(value, SparseTensor):
        raise ValueError(f"The corresponding Tensor of numerical column must be a Tensor. SparseTensor is not "
                         f"supported. key: {key} ({kind}; parse it with a FixedLenFeature)")
    return value


def _entries(features, key, kind, dtype=None):
    """Feature ``key``'s values: integers as int64 [batch, n] (a [batch] feature is one value per example); strings
    as given, [batch] or [batch, n], since library ops cannot reshape a string tensor (the lookup ops below make
    them [batch, n]). A SparseTensor [batch, n] is padded with the missing markers (module docstring). ``dtype``:
    the column's, whose kind (string or integer) the feature must have; None takes both."""
    value = feature_value(features, key, kind)
    if not (value.dtype == dtypes.string or value.dtype.is_integer):
        raise ValueError(f"column_name: {key} input_tensor dtype must be string or integer. dtype: "
                         f"{value.dtype.name}.")
    if dtype is not None and (value.dtype == dtypes.string) != (dtype == dtypes.string):
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: {key}, column dtype: "
                         f"{dtype.name}, tensor dtype: {value.dtype.name}")
    if isinstance(value, SparseTensor):
        if value.shape.rank != 2:
            raise ValueError(f"Feature (key: {key}) of {kind}: a SparseTensor feature must be [batch, n] (rank 2, "
                             f"as parse_example makes of a VarLenFeature); given shape {value.shape}")
        value = sparse_to_dense(value, default_value=b"" if value.dtype == dtypes.string else -1)
    elif value.shape.rank not in (1, 2):
        raise ValueError(f"Feature (key: {key}) of {kind} must be [batch] or [batch, n] (dense values, -1 or '' "
                         f"for a missing entry) or a SparseTensor [batch, n]; given shape {value.shape}")
    if value.dtype == dtypes.string:
        return value
    value = cast(value, dtypes.int64)
    return expand_dims(value, -1) if value.shape.rank == 1 else value


def _rows(values):
    """A [batch] or [batch, n] tensor's static shape as [batch, n] (n = 1 for [batch])."""
    return (values.shape[0], values.shape[1] if values.shape.rank == 2 else 1)


# ============================================================================================= hashing, lookup

def fingerprint(value):
    """A stable unsigned 64-bit hash of one category value: bytes as they are, an integer by its decimal digits."""
    data = value if isinstance(value, bytes) else str(int(value)).encode("ascii")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _category(value):
    """One element of a feature as a category value: bytes (a str fed in an object array, as UTF-8) or an int."""
    if isinstance(value, (bytes, str)):
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return int(value)


def _missing(value):
    """True for the entries that stand for "no value": "" among strings, -1 among integers."""
    return value == b"" if isinstance(value, bytes) else value == -1


def _host_rows(array):
    """An input array, [batch] or [batch, n], on the CPU as [batch, n] (the lookups below are Python loops over
    the values). (Not ``reshape(batch, -1)``, which numpy cannot do for an empty batch.)"""
    array = numpy.asarray(to_device(array, parse_device("cpu")))
    return array.reshape(-1, 1) if array.ndim == 1 else array


class CategoryIds(GraphOp):
    """Each value ([batch] or [batch, n] strings or int64) as an int64 id, [batch, n]: its position in attr
    ``vocabulary``; else, with ``num_oov_buckets``, ``len(vocabulary) + fingerprint % num_oov_buckets``; else
    ``default_value``. A missing entry stays -1. (String vocabularies are held as str, so that an exported graph
    can store them.)"""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        position = {(word.encode("utf-8") if isinstance(word, str) else word): i
                    for i, word in enumerate(attrs["vocabulary"])}
        size, buckets = len(position), attrs["num_oov_buckets"]
        values = _host_rows(arrays[0])
        out = numpy.empty(values.shape, dtype=numpy.int64)
        for index, value in numpy.ndenumerate(values):
            value = _category(value)
            if _missing(value):
                out[index] = -1
            elif value in position:
                out[index] = position[value]
            else:
                out[index] = size + fingerprint(value) % buckets if buckets else attrs["default_value"]
        return (session.array_module.asarray(out),)


def _category_ids(values, vocabulary, num_oov_buckets, default_value):
    operation = get_default_graph().create_op(
        CategoryIds, [values], {"vocabulary": vocabulary, "num_oov_buckets": num_oov_buckets,
                                "default_value": default_value},
        [Spec(_rows(values), dtypes.int64)], name="CategoryIds")
    return operation.outputs[0]


class Cross(GraphOp):
    """Per example, one int64 id for every combination of one value of each input ([batch, n_i] or [batch]
    strings or int64): the fingerprints of the values chained from attr ``hash_key``, modulo attr
    ``hash_bucket_size``. [batch, n_1 * n_2 * ...], combinations in row-major order; a combination with a missing
    value is -1."""

    @staticmethod
    def execute(session, operation, arrays):
        size, key = operation.attrs["hash_bucket_size"], operation.attrs["hash_key"]
        parts = [_host_rows(a) for a in arrays]
        out = numpy.empty((parts[0].shape[0], math.prod(p.shape[1] for p in parts)), dtype=numpy.int64)
        for example in range(out.shape[0]):
            values = [[_category(v) for v in p[example]] for p in parts]
            for j, combination in enumerate(itertools.product(*values)):
                if any(_missing(v) for v in combination):
                    out[example, j] = -1
                    continue
                hashed = key
                for value in combination:  # order matters: ("a", "b") and ("b", "a") are different crosses
                    hashed = fingerprint(hashed.to_bytes(8, "little") + fingerprint(value).to_bytes(8, "little"))
                out[example, j] = hashed % size
        return (session.array_module.asarray(out),)


# ============================================================================================ the columns

class IdentityCategoricalColumn(collections.namedtuple("IdentityCategoricalColumn",
                                                       ["key", "number_buckets", "default_value"]),
                                CategoricalColumn):
    """Integer feature ``key`` used as ids in [0, number_buckets); see ``categorical_column_with_identity``."""

    @property
    def name(self):
        return self.key

    @property
    def num_buckets(self):
        return self.number_buckets

    @property
    def parse_example_spec(self):
        return {self.key: VarLenFeature(dtypes.int64)}

    def ids(self, features):
        values = _entries(features, self.key, "categorical_column_with_identity", dtypes.int64)
        # -1 is a missing entry, not an id out of range
        out_of_range = logical_or(less(values, -1), greater_equal(values, self.number_buckets), name="out_of_range")
        if self.default_value is None:
            check = Assert(logical_not(reduce_any(out_of_range)),
                           [f"categorical_column_with_identity {self.key!r}: ids must be in [0, "
                            f"{self.number_buckets}) (-1: missing), got", values])
            with control_dependencies([check]):
                return identity(values)
        return where(out_of_range, fill(shape(values), cast(self.default_value, dtypes.int64)), values)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """A column whose integer feature values are the ids themselves, in [0, ``num_buckets``). A value outside
    becomes ``default_value``, or, without one, fails the run with ``InvalidArgumentError``; -1 is a missing
    entry (module docstring)."""
    check_key(key)
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}")
    return IdentityCategoricalColumn(key, num_buckets, default_value)


class VocabularyListCategoricalColumn(collections.namedtuple(
        "VocabularyListCategoricalColumn", ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"]),
        CategoricalColumn):
    """Feature ``key`` looked up in ``vocabulary_list``; see ``categorical_column_with_vocabulary_list``."""

    @property
    def name(self):
        return self.key

    @property
    def num_buckets(self):
        return len(self.vocabulary_list) + self.num_oov_buckets

    @property
    def parse_example_spec(self):
        return {self.key: VarLenFeature(self.dtype)}

    def ids(self, features):
        values = _entries(features, self.key, "categorical_column_with_vocabulary_list", self.dtype)
        return _category_ids(values, self.vocabulary_list, self.num_oov_buckets, self.default_value)


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
    """A column giving each value of feature ``key`` its position in ``vocabulary_list`` (strings or integers);
    a value not in it gets ``default_value`` (-1: no id, so it adds nothing to an indicator or embedding), or,
    with ``num_oov_buckets``, one of the ids ``len(vocabulary_list) + hash % num_oov_buckets`` (module docstring
    on hashing). ``dtype`` (default: the vocabulary's) must be of the vocabulary's kind, string or integer."""
    check_key(key)
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    kind = numpy.asarray(vocabulary_list).dtype.kind
    if kind not in "USiu":
        raise ValueError(f"column_name: {key} vocabulary dtype must be string or integer. dtype: "
                         f"{numpy.asarray(vocabulary_list).dtype}.")
    vocabulary = tuple(w.decode("utf-8") if isinstance(w, bytes) else w if isinstance(w, str) else int(w)
                       for w in vocabulary_list)
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"Duplicate keys in vocabulary_list {list(vocabulary_list)}, column_name: {key}")
    if num_oov_buckets:
        if default_value != -1:
            raise ValueError(f"Can't specify both default_value {default_value} and num_oov_buckets "
                             f"{num_oov_buckets}, column_name: {key}")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} < 0, column_name: {key}")
    vocabulary_dtype = dtypes.string if kind in "US" else dtypes.int64
    dtype = vocabulary_dtype if dtype is None else dtypes.as_dtype(dtype)
    if (dtype == dtypes.string) != (vocabulary_dtype == dtypes.string) or not (dtype == dtypes.string or
                                                                               dtype.is_integer):
        raise ValueError(f"dtype {dtype.name} and vocabulary dtype {vocabulary_dtype.name} do not match, "
                         f"column_name: {key}")
    return VocabularyListCategoricalColumn(key, vocabulary, dtype, default_value, num_oov_buckets)


class HashedCategoricalColumn(collections.namedtuple("HashedCategoricalColumn", ["key", "hash_bucket_size",
                                                                                 "dtype"]),
                              CategoricalColumn):
    """Feature ``key`` hashed into ``hash_bucket_size`` ids; see ``categorical_column_with_hash_bucket``."""

    @property
    def name(self):
        return self.key

    @property
    def num_buckets(self):
        return self.hash_bucket_size

    @property
    def parse_example_spec(self):
        return {self.key: VarLenFeature(self.dtype)}

    def ids(self, features):
        values = _entries(features, self.key, "categorical_column_with_hash_bucket", self.dtype)
        # hashing is a vocabulary lookup in which every value is out of the (empty) vocabulary
        return _category_ids(values, (), self.hash_bucket_size, -1)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """A column giving each value of feature ``key`` (strings, or integers with an integer ``dtype``) the id
    ``hash(value) % hash_bucket_size``: no vocabulary to list, at the price of collisions (two values may share
    an id). The hash is stable but not TF's (module docstring)."""
    if hash_bucket_size is None:
        raise ValueError(f"hash_bucket_size must be set. key: {key}")
    if hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}, key: {key}")
    check_key(key)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype == dtypes.string or dtype.is_integer):
        raise ValueError(f"column_name: {key} dtype must be string or integer. dtype: {dtype.name}.")
    return HashedCategoricalColumn(key, hash_bucket_size, dtype)


class CrossedColumn(collections.namedtuple("CrossedColumn", ["keys", "hash_bucket_size", "hash_key"]),
                    CategoricalColumn):
    """The combinations of the values of ``keys`` hashed into ``hash_bucket_size`` ids; see ``crossed_column``."""

    @property
    def name(self):
        # the leaf features' names, sorted: crossing a and b or b and a is the same column
        return "_X_".join(sorted(key if isinstance(key, str) else key.name for key in self.keys))

    @property
    def num_buckets(self):
        return self.hash_bucket_size

    @property
    def parse_example_spec(self):
        """A feature name crossed is read as strings (as TF does; integers can be fed all the same); a column
        crossed reads its own features."""
        spec = {}
        for key in self.keys:
            spec.update({key: VarLenFeature(dtypes.string)} if isinstance(key, str) else key.parse_example_spec)
        return spec

    def ids(self, features):
        parts = [_entries(features, key, "crossed_column") if isinstance(key, str) else key.ids(features)
                 for key in self.keys]
        widths = [_rows(p)[1] for p in parts]
        width = None if None in widths else math.prod(widths)
        batch = next((p.shape[0] for p in parts if p.shape[0] is not None), None)
        operation = get_default_graph().create_op(
            Cross, parts, {"hash_bucket_size": self.hash_bucket_size, "hash_key": self.hash_key},
            [Spec((batch, width), dtypes.int64)], name="Cross")
        return operation.outputs[0]


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """A column of feature combinations: for each example, every combination of one value of each of ``keys``
    (feature names, whose raw string or integer values are crossed, or categorical columns, whose ids are) hashed
    into ``hash_bucket_size`` ids. A linear model can then learn that "fr" *and* "teacher" together matter.
    ``hash_key`` seeds the hash. (A hash-bucket column cannot be crossed: cross its feature name instead.)"""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if not isinstance(key, (str, CategoricalColumn)):
            raise ValueError(f"Unsupported key type. All keys must be either string, or categorical column except "
                             f"HashedCategoricalColumn. Given: {key!r}")
        if isinstance(key, HashedCategoricalColumn):
            raise ValueError(f"categorical_column_with_hash_bucket is not supported for crossing. Hashing before "
                             f"crossing will increase probability of collision. Instead, use the feature name as a "
                             f"string. Given: {key!r}")
    return CrossedColumn(tuple(keys), hash_bucket_size, (_DEFAULT_HASH_KEY if hash_key is None else hash_key) % 2**64)
