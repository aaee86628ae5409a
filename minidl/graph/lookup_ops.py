"""Lookup tables: ``tf.lookup`` (in TF 1.x also ``tf.contrib.lookup``) — words to ids and ids back to words.

An NLP program reads text as strings, but a model multiplies numbers: each token must become its id in a
vocabulary (the row of an embedding matrix), and a decoder's ids must become words again. TF1 does it with hash
tables in the graph::

    table = tf.lookup.index_table_from_file("vocab.txt", num_oov_buckets=1)   # line i of the file -> id i
    ids = table.lookup(tokens)                                                 # any shape of tf.string
    words = tf.lookup.index_to_string_table_from_file("vocab.txt").lookup(ids)
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        sess.run(ids, {tokens: [["the", "cat"]]})

**Tables live in the Session, like variables.** Building a table adds three kinds of ops: the table itself (a
name: its contents are kept per session, by ``Session.resource``), an *initializer* that fills it — from ``keys`` and
``values`` tensors (``KeyValueTensorInitializer``) or from the lines of a text file (``TextFileInitializer``) —
and ``lookup``/``size`` ops that read it. A lookup before the initializer ran in that session is TF's
``FailedPreconditionError: Table not initialized.``; two sessions on one graph each fill their own copy. Every
initializer joins the collection ``GraphKeys.TABLE_INITIALIZERS``, which ``tf.tables_initializer()`` groups, and
a monitored session runs that op itself (its Scaffold's local init op, as TF's does).

**A table is immutable once filled.** Two different values for one key is an error when the initializer runs
(``FailedPreconditionError``: "HashTable has different value for same key"), which is how a vocabulary with a
repeated word is caught. Running an initializer again with the same contents does nothing; with other contents it
is ``FailedPreconditionError: Table was already initialized with different data`` (TF compares only the sizes, and
for a file skips the check altogether).

**Text files** (TF's rules): one entry per line; ``key_index``/``value_index`` pick the column (split at the
one-character ``delimiter``), or ``TextFileIndex.WHOLE_LINE`` (-2, the line itself) or ``TextFileIndex.LINE_NUMBER``
(-1, counted from 0). A line ends at "\\n" (a "\\r" before it is dropped); an empty line is an error;
``vocab_size`` reads only that many lines, and more than the file has is an ``InvalidArgumentError``; a missing
file is a ``NotFoundError``.

**Out-of-vocabulary buckets.** ``StaticVocabularyTable`` (and the ``index_table_*`` functions with
``num_oov_buckets``) give a key that is not in the table the id ``size + hash(key) % num_oov_buckets``, so that
unknown words spread over a few ids of their own instead of sharing one. TF hashes with FarmHash's Fingerprint64;
minidl uses the 8-byte BLAKE2b ``fingerprint`` of its feature columns (feature_column_categorical.py), integers
through their decimal digits as TF does (``as_string``): so a key lands in the same bucket here as in
``categorical_column_with_vocabulary_list`` or ``categorical_column_with_hash_bucket``, on every run and machine,
but not in the bucket TF would pick. ``hasher_spec`` is therefore not supported.
"""
import os
import types

import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import dtypes, errors
from .basics import group, name_scope, no_op
from .core import GraphKeys, Tensor, as_spec_shape, get_collection, get_default_graph
from .feature_column_categorical import fingerprint
from .frontend import convert_to_tensor
from .gfile import GFile
from .graph_ops import GraphOp
from .iterator_ops import device_array
from .math_ops import cast
from .string_functions import parse_number

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable", "TextFileIndex",
           "TextFileInitializer", "index_table_from_file", "index_table_from_tensor", "index_to_string_table_from_file",
           "index_to_string_table_from_tensor", "lookup", "tables_initializer"]


def tables_initializer(name="init_all_tables"):
    """The op that fills every table of the default graph: the collection TABLE_INITIALIZERS, grouped (a no-op
    when there is none)."""
    return group(*get_collection(GraphKeys.TABLE_INITIALIZERS), name=name)


# ------------------------------------------------------------------------------------- the contents of a table

def _text(item):
    """A key or value as an error message shows it (TF prints a string's characters, without quotes)."""
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)


def _fill(session, operation, pairs):
    """Fill the table ``operation.attrs["table"]`` in ``session`` with the (key, value) ``pairs``."""
    entries = {}
    for key, value in pairs:
        previous = entries.setdefault(key, value)
        if previous != value:
            raise errors.FailedPreconditionError(
                None, operation, f"HashTable has different value for same key. Key {_text(key)} has "
                                 f"{_text(previous)} and trying to add value {_text(value)}")
    filled = session.resource(operation.attrs["table"], lambda: entries)  # (a table's state: its {key: value})
    if filled != entries:
        raise errors.FailedPreconditionError(None, operation, "Table was already initialized with different data.")


def _entries(session, table, operation):
    """The contents of ``table`` in ``session``; FailedPreconditionError while its initializer has not run."""
    entries = session.resource(table)
    if entries is None:
        raise errors.FailedPreconditionError(None, operation, "Table not initialized.")
    return entries


# ------------------------------------------------------------------------------------------------ graph ops

class TableResource(GraphOp):
    """The table itself: produces nothing; its Operation is the key of the table's contents in each session.
    attrs: ``key_dtype``, ``value_dtype``."""
    name = "HashTableV2"

    @staticmethod
    def execute(session, operation, arrays):
        return ()


class InitializeTable(GraphOp):
    """Fill attr ``table`` with input 0 (the keys, a vector) mapped to input 1 (the values, as many)."""
    name = "InitializeTableV2"

    @staticmethod
    def execute(session, operation, arrays):
        keys, values = host_array(arrays[0]), host_array(arrays[1])
        if keys.ndim != 1:
            raise errors.InvalidArgumentError(None, operation, f"Keys must be a vector, but received shape "
                                                               f"{list(keys.shape)}")
        if keys.shape != values.shape:
            raise errors.InvalidArgumentError(None, operation, f"Keys and values must have the same size "
                                                               f"{list(keys.shape)} vs {list(values.shape)}")
        _fill(session, operation, zip(keys.tolist(), values.tolist()))
        return ()


class InitializeTableFromTextFile(GraphOp):
    """Fill attr ``table`` from the lines of the file that input 0 (a string scalar) names; attrs ``key_index``,
    ``value_index``, ``vocab_size`` (-1: all lines), ``delimiter`` — see the module docstring."""
    name = "InitializeTableFromTextFileV2"

    @staticmethod
    def execute(session, operation, arrays):
        filename = host_array(arrays[0])
        if filename.ndim:
            raise errors.InvalidArgumentError(None, operation, f"filename should be a single string, but got shape "
                                                               f"{list(filename.shape)}")
        _fill(session, operation, _file_entries(operation, os.fsdecode(filename.item())))
        return ()


def _file_entries(operation, filename):
    """The (key, value) pairs of the lines of ``filename``, read as ``operation``'s attrs say."""
    attrs, table = operation.attrs, operation.attrs["table"].attrs
    key_index, value_index, vocab_size = attrs["key_index"], attrs["value_index"], attrs["vocab_size"]
    delimiter = attrs["delimiter"].encode("utf-8")
    with GFile(filename, "rb") as f:
        lines = f.read().split(b"\n")
    if lines[-1] == b"":  # the newline that ends the last line starts no line of its own
        lines.pop()
    if vocab_size != -1:
        if len(lines) < vocab_size:
            raise errors.InvalidArgumentError(None, operation, f"Invalid vocab_size in {filename}: expected "
                                                               f"{vocab_size} but got {len(lines)}")
        lines = lines[:vocab_size]
    columns = max(key_index, value_index)
    pairs = []
    for number, line in enumerate(lines):
        line = line[:-1] if line.endswith(b"\r") else line
        if not line:
            raise errors.InvalidArgumentError(None, operation, f"Invalid content in {filename}: empty line found at "
                                                               f"line {number}.")
        tokens = line.split(delimiter) if columns >= 0 else ()
        if columns >= len(tokens):
            raise errors.InvalidArgumentError(
                None, operation, f"Invalid number of columns in {filename} line {number} ({_text(line)}) : expected "
                                 f"{columns} got {len(tokens)}")
        pairs.append(tuple(_field(operation, line, tokens, index, dtype, number)
                           for index, dtype in ((key_index, table["key_dtype"]),
                                                (value_index, table["value_dtype"]))))
    return pairs


def _field(operation, line, tokens, index, dtype, number):
    """The key or value that ``index`` picks from line ``number``, as a Python value of ``dtype``."""
    if index == TextFileIndex.LINE_NUMBER:
        return number
    token = line if index == TextFileIndex.WHOLE_LINE else tokens[index]
    if dtype == dtypes.string:
        return token
    value = parse_number(token, dtype.as_numpy_dtype)
    if value is None:
        raise errors.InvalidArgumentError(None, operation, f"Field {_text(token)} in line {number} is not a valid "
                                                           f"{dtype.name}.")
    return value.item()


class LookupTableFind(GraphOp):
    """Each element of input 0 (keys, any shape) replaced by its value in attr ``table``. A key not in it gets
    input 1 (the default, a scalar) or, with attr ``num_oov_buckets`` > 0, the id ``size + fingerprint(key) %
    num_oov_buckets``; attr ``table`` None: an empty vocabulary, every key hashed (no initializer needed)."""
    name = "LookupTableFindV2"

    @staticmethod
    def execute(session, operation, arrays):
        table, buckets = operation.attrs["table"], operation.attrs["num_oov_buckets"]
        entries = {} if table is None else _entries(session, table, operation)
        keys, default = host_array(arrays[0]), host_array(arrays[1]).item()
        if buckets:  # a key not in the vocabulary gets one of the ids after it
            found = [entries[k] if k in entries else len(entries) + fingerprint(k) % buckets for k in keys.flat]
        else:
            found = [entries.get(k, default) for k in keys.flat]
        out = numpy.array(found, dtype=operation.outputs[0].dtype.as_numpy_dtype).reshape(keys.shape)
        return (device_array(session, out),)


class LookupTableSize(GraphOp):
    """The number of entries in attr ``table`` (int64 scalar): 0 before its initializer ran, as in TF."""
    name = "LookupTableSizeV2"

    @staticmethod
    def execute(session, operation, arrays):
        size = len(session.resource(operation.attrs["table"]) or ())
        return (session.array_module.asarray(size, dtype=numpy.int64),)


class Positions(GraphOp):
    """0, 1, ..., n - 1 (int64) for the n elements of input 0, of any dtype: a vocabulary list's ids. (The
    library's shape ops compute on numbers only, and a vocabulary is usually strings.)"""

    @staticmethod
    def execute(session, operation, arrays):
        return (session.array_module.arange(arrays[0].size, dtype=numpy.int64),)


def _positions(vocabulary):
    shape = vocabulary.shape
    length = shape[0] if shape.rank == 1 else None
    return get_default_graph().create_op(Positions, [vocabulary], {}, [Spec((length,), dtypes.int64)],
                                         name="Positions").outputs[0]


# ------------------------------------------------------------------------------------------- initializers

class TextFileIndex:
    """What of a line makes a key or a value, besides a column number (>= 0)."""
    WHOLE_LINE = -2
    LINE_NUMBER = -1


class KeyValueTensorInitializer:
    """Fills a table with ``keys[i] -> values[i]``: two vectors (tensors, or values made constants of
    ``key_dtype``/``value_dtype``)."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        self.key_dtype, self.value_dtype = self._keys.dtype, self._values.dtype
        self._name = name or "key_value_init"

    def initialize(self, table):
        """The op that fills ``table`` (a StaticHashTable); it joins TABLE_INITIALIZERS."""
        with name_scope(self._name) as scope:
            operation = get_default_graph().create_op(InitializeTable, [self._keys, self._values],
                                                      {"table": table.resource_handle}, [], name=scope.rstrip("/"),
                                                      unique=False)
        get_default_graph().add_to_collection(GraphKeys.TABLE_INITIALIZERS, operation)
        return operation


class TextFileInitializer:
    """Fills a table with one entry per line of the text file ``filename`` (a str, or a string scalar tensor):
    key and value of ``key_dtype``/``value_dtype``, picked by ``key_index``/``value_index`` (a column, split at
    ``delimiter``, or a ``TextFileIndex``); only the first ``vocab_size`` lines if given. See the module
    docstring for the file's rules."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index, vocab_size=None, delimiter="\t",
                 name=None):
        if not isinstance(filename, Tensor) and not filename:
            raise ValueError(f"Filename required for {name}.")
        key_dtype, value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(value_dtype)
        for what, index, dtype in (("Keys", key_index, key_dtype), ("Values", value_index, value_dtype)):
            if index < TextFileIndex.WHOLE_LINE:
                raise ValueError(f"Invalid {what[:-1].lower()} index {index}.")
            if index == TextFileIndex.LINE_NUMBER and dtype != dtypes.int64:
                raise ValueError(f"Signature mismatch. {what} must be dtype int64, got {dtype.name}.")
        if key_index == TextFileIndex.WHOLE_LINE and not (key_dtype.is_integer or key_dtype == dtypes.string):
            raise ValueError(f"Signature mismatch. Keys must be integer or string, got {key_dtype.name}.")
        if value_index == TextFileIndex.WHOLE_LINE and value_dtype != dtypes.string:
            raise ValueError(f"Signature mismatch. Values must be dtype string, got {value_dtype.name}.")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size {vocab_size}.")
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise ValueError(f"TextFileInitializer: delimiter should be only 1 char, got {delimiter!r}")
        self._filename, self.key_dtype, self.value_dtype = filename, key_dtype, value_dtype
        self._attrs = {"key_index": key_index, "value_index": value_index,
                       "vocab_size": -1 if vocab_size is None else vocab_size, "delimiter": delimiter}
        self._name = name or "text_file_init"

    def initialize(self, table):
        """The op that fills ``table`` (a StaticHashTable) from the file; it joins TABLE_INITIALIZERS."""
        graph = get_default_graph()
        with name_scope(self._name) as scope:
            filename = convert_to_tensor(self._filename, dtype=dtypes.string, name="asset_filepath")
            operation = graph.create_op(InitializeTableFromTextFile, [filename],
                                        dict(self._attrs, table=table.resource_handle), [], name=scope.rstrip("/"),
                                        unique=False)
        graph.add_to_collection(GraphKeys.TABLE_INITIALIZERS, operation)
        return operation


# ------------------------------------------------------------------------------------------------- the tables

def _keys(table, keys):
    """``keys`` as a tensor of ``table``'s key dtype: a tensor of another dtype is TF's TypeError."""
    if not isinstance(keys, Tensor):
        return convert_to_tensor(keys, dtype=table.key_dtype, name="keys")
    if keys.dtype != table.key_dtype:
        raise TypeError(f"lookup in table '{table.name}': Signature mismatch. Keys must be dtype "
                        f"{table.key_dtype.name}, got {keys.dtype.name}.")
    return keys


def _find(table_handle, keys, default, num_oov_buckets, value_dtype):
    operation = get_default_graph().create_op(
        LookupTableFind, [keys, default], {"table": table_handle, "num_oov_buckets": num_oov_buckets},
        [Spec(as_spec_shape(keys.shape), value_dtype)])
    return operation.outputs[0]


class StaticHashTable:
    """A table of ``initializer``'s key and value dtypes (keys: strings or integers), filled once by it;
    ``lookup`` gives ``default_value`` (a scalar) for a missing key. TF 1.x's ``tf.contrib.lookup.HashTable``."""

    def __init__(self, initializer, default_value, name=None):
        self.key_dtype, self.value_dtype = initializer.key_dtype, initializer.value_dtype
        if not (self.key_dtype == dtypes.string or self.key_dtype.is_integer):
            raise TypeError(f"StaticHashTable: keys must be strings or integers, got {self.key_dtype.name}")
        self.default_value = convert_to_tensor(default_value, dtype=self.value_dtype, name="default_value")
        if self.default_value.shape.rank not in (0, None):
            raise ValueError(f"StaticHashTable: default_value must be a scalar, got shape {self.default_value.shape}")
        self._resource = get_default_graph().create_op(
            TableResource, (), {"key_dtype": self.key_dtype, "value_dtype": self.value_dtype}, [],
            name=name or "hash_table")
        self.initializer = initializer.initialize(self)

    @property
    def name(self):
        return self._resource.name.split("/")[-1]

    @property
    def resource_handle(self):
        """The table's Operation (TF hands out a resource tensor; minidl's ops name the table directly)."""
        return self._resource

    @property
    def init(self):
        """TF 1.x's name for ``initializer``."""
        return self.initializer

    def size(self, name=None):
        """An int64 scalar: the number of entries when it runs (0 before the table is initialized)."""
        with name_scope(name or f"{self.name}_Size"):
            return get_default_graph().create_op(LookupTableSize, (), {"table": self._resource},
                                                 [Spec((), dtypes.int64)]).outputs[0]

    def lookup(self, keys, name=None):
        """The value of each element of ``keys`` (any shape, the key dtype), ``default_value`` where missing."""
        with name_scope(name or f"{self.name}_Lookup"):
            return _find(self._resource, _keys(self, keys), self.default_value, 0, self.value_dtype)


class StaticVocabularyTable:
    """Keys (strings or integers) to int64 ids: ``initializer``'s (int64 values) for the keys it has, one of
    ``num_oov_buckets`` > 0 ids after them for the others (module docstring). Without ``initializer``, every key
    is hashed. ``lookup_key_dtype``: the dtype of the keys looked up (default: the initializer's), of the same
    kind (string, integer) as the table's keys."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None):
        if num_oov_buckets <= 0:
            raise ValueError(f"StaticVocabularyTable: oov_buckets must be > 0, got {num_oov_buckets}.")
        self._table = None
        if initializer is not None:
            if initializer.key_dtype not in (dtypes.int64, dtypes.string):
                raise TypeError(f"Invalid key dtype, expected one of (int64, string), but got "
                                f"{initializer.key_dtype.name}.")
            if initializer.value_dtype != dtypes.int64:
                raise TypeError(f"Invalid value dtype, expected int64 but got {initializer.value_dtype.name}.")
            self._table = StaticHashTable(initializer, -1, name=name)
        key_dtype = dtypes.as_dtype(lookup_key_dtype or (dtypes.string if initializer is None else
                                                         initializer.key_dtype))
        if not (key_dtype.is_integer or key_dtype == dtypes.string):
            raise TypeError(f"Invalid key_dtype, expected integer or string, got {key_dtype.name}.")
        if initializer is not None and key_dtype.is_integer != initializer.key_dtype.is_integer:
            raise TypeError(f"Invalid key dtype, expected {'integer' if key_dtype.is_integer else 'non-integer'} "
                            f"but got {initializer.key_dtype.name}.")
        self.key_dtype, self.value_dtype = key_dtype, dtypes.int64
        self.num_oov_buckets = num_oov_buckets
        self.name = self._table.name if self._table is not None else (name or "hash_bucket").rstrip("/").split("/")[-1]

    @property
    def resource_handle(self):
        return None if self._table is None else self._table.resource_handle

    @property
    def initializer(self):
        """The op that fills the vocabulary (a no-op without one)."""
        if self._table is None:
            with name_scope("init"):
                return no_op()
        return self._table.initializer

    @property
    def init(self):
        """TF 1.x's name for ``initializer``."""
        return self.initializer

    def size(self, name=None):
        """An int64 scalar: the vocabulary's size plus ``num_oov_buckets``."""
        with name_scope(name or f"{self.name}_Size"):
            vocabulary = convert_to_tensor(0, dtypes.int64) if self._table is None else self._table.size()
            return vocabulary + self.num_oov_buckets

    def lookup(self, keys, name=None):
        """The id of each element of ``keys`` (any shape, the lookup key dtype); int64, same shape."""
        keys = _keys(self, keys)
        with name_scope(name or f"{self.name}_Lookup"):
            if self._table is not None and self._table.key_dtype != keys.dtype:
                keys = cast(keys, self._table.key_dtype)  # int32 keys against an int64 vocabulary
            default = convert_to_tensor(-1, dtypes.int64, name="default_value")
            return _find(self.resource_handle, keys, default, self.num_oov_buckets, dtypes.int64)


# ------------------------------------------------------------------------------ vocabulary tables, TF1's helpers

def _check_hasher(hasher_spec, fn_name):
    if hasher_spec is not None:
        raise NotImplementedError(f"{fn_name}: hasher_spec is not supported; out-of-vocabulary keys are hashed with "
                                  f"BLAKE2b (see minidl/graph/lookup_ops.py)")


def _check_oov_buckets(num_oov_buckets):
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")


def _check_file_arguments(vocabulary_file, vocab_size):
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}. vocabulary_file: {vocabulary_file}")


def _key_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype == dtypes.string):
        raise TypeError(f"Only integer and string keys are supported, got {dtype.name}.")
    return dtype


def _id_table(initializer, default_value, num_oov_buckets, key_dtype):
    """A table of ids from ``initializer``: ``default_value`` for unknown keys, or ``num_oov_buckets`` hashed
    ids after the vocabulary (TF1 wraps the table in an IdTableWithHashBuckets; StaticVocabularyTable is the
    same thing)."""
    if num_oov_buckets:
        return StaticVocabularyTable(initializer, num_oov_buckets, lookup_key_dtype=key_dtype)
    return StaticHashTable(initializer, default_value)


def index_table_from_tensor(vocabulary_list, num_oov_buckets=0, default_value=-1, hasher_spec=None,
                            dtype=dtypes.string, name=None):
    """A table from each element of the vector ``vocabulary_list`` (strings, or integers with an integer
    ``dtype``) to its position; other keys get ``default_value`` or, with ``num_oov_buckets``, a hashed id from
    ``len(vocabulary_list)`` on. A repeated element fails the initializer (``FailedPreconditionError``)."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    _check_oov_buckets(num_oov_buckets)
    _check_hasher(hasher_spec, "index_table_from_tensor")
    dtype = _key_dtype(dtype)
    with name_scope(name or "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        if keys.dtype.is_integer != dtype.is_integer or (dtype == dtypes.string and keys.dtype != dtype):
            raise ValueError(f"index_table_from_tensor: expected a vocabulary_list of "
                             f"{'integers' if dtype.is_integer else dtype.name}, got {keys.dtype.name}.")
        with name_scope("hash_table"):
            keys = cast(keys, dtypes.int64) if keys.dtype.is_integer else keys
            initializer = KeyValueTensorInitializer(keys, _positions(keys), name="table_init")
            return _id_table(initializer, default_value, num_oov_buckets, dtype)


def index_table_from_file(vocabulary_file=None, num_oov_buckets=0, vocab_size=None, default_value=-1,
                          hasher_spec=None, key_dtype=dtypes.string, name=None,
                          key_column_index=TextFileIndex.WHOLE_LINE, value_column_index=TextFileIndex.LINE_NUMBER,
                          delimiter="\t"):
    """A table from each line of ``vocabulary_file`` (by default the whole line) to its line number (by
    default); other keys get ``default_value`` or, with ``num_oov_buckets``, a hashed id after the vocabulary.
    A repeated line fails the initializer (``FailedPreconditionError``)."""
    _check_file_arguments(vocabulary_file, vocab_size)
    _check_oov_buckets(num_oov_buckets)
    _check_hasher(hasher_spec, "index_table_from_file")
    key_dtype = _key_dtype(key_dtype)
    with name_scope(name or "string_to_index"), name_scope("hash_table"):
        initializer = TextFileInitializer(vocabulary_file, dtypes.int64 if key_dtype.is_integer else key_dtype,
                                          key_column_index, dtypes.int64, value_column_index, vocab_size, delimiter,
                                          name="table_init")
        return _id_table(initializer, default_value, num_oov_buckets, key_dtype)


def index_to_string_table_from_tensor(vocabulary_list, default_value="UNK", name=None):
    """A table from int64 ids to the elements of the string vector ``vocabulary_list``: id i gives element i, an
    id out of range ``default_value``."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    with name_scope(name or "index_to_string"):
        values = convert_to_tensor(vocabulary_list, dtype=dtypes.string)
        return StaticHashTable(KeyValueTensorInitializer(_positions(values), values, name="table_init"),
                               default_value)


def index_to_string_table_from_file(vocabulary_file, vocab_size=None, default_value="UNK", name=None,
                                    key_column_index=TextFileIndex.LINE_NUMBER,
                                    value_column_index=TextFileIndex.WHOLE_LINE, delimiter="\t"):
    """A table from int64 ids to the lines of ``vocabulary_file``: id i gives line i (by default the whole
    line), an id out of range ``default_value``."""
    _check_file_arguments(vocabulary_file, vocab_size)
    with name_scope(name or "index_to_string"):
        initializer = TextFileInitializer(vocabulary_file, dtypes.int64, key_column_index, dtypes.string,
                                          value_column_index, vocab_size, delimiter, name="table_init")
        return StaticHashTable(initializer, default_value)


# tf.lookup, and TF 1.x's tf.contrib.lookup (contrib.py), whose table was called HashTable
lookup = types.SimpleNamespace(
    KeyValueTensorInitializer=KeyValueTensorInitializer, TextFileInitializer=TextFileInitializer,
    TextFileIndex=TextFileIndex, StaticHashTable=StaticHashTable, HashTable=StaticHashTable,
    StaticVocabularyTable=StaticVocabularyTable, index_table_from_tensor=index_table_from_tensor,
    index_table_from_file=index_table_from_file, index_to_string_table_from_tensor=index_to_string_table_from_tensor,
    index_to_string_table_from_file=index_to_string_table_from_file, tables_initializer=tables_initializer)
