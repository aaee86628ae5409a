"""Comma-separated values: ``tf.decode_csv`` (``tf.io.decode_csv``) parses string tensors,
``tf.data.experimental.CsvDataset`` reads files record by record, and ``tf.data.experimental.make_csv_dataset``
builds a whole input pipeline — batches of ``(features dict, label)`` — from files with a header line.

All three read a record with the one parser here (``parse_record``), which follows TF's rules (RFC 4180):

- fields are separated by ``field_delim`` (one character); ``"a,b,"`` has three fields, the last empty;
- with ``use_quote_delim`` a field that starts with ``"`` is quoted: it may hold the delimiter, and ``""`` inside
  it is one quote (``"a ""b"" c"`` → ``a "b" c``); a quote anywhere else is an error;
- each column has a *default*, whose dtype (float32, float64, int32, int64 or string) is the column's: an empty
  field, or one equal to ``na_value``, takes the default; a column whose default is empty (``[]``) is *required*,
  and a missing value in it is an error;
- ``select_cols`` (sorted column indices) keeps only those columns, one default each; columns after the last
  selected one are not looked at.

A bad record is an ``InvalidArgumentError`` when the op runs (or when ``get_next`` reaches it), with TF's wording:
``Expect 3 fields but have 2 in record 0``.

Unlike TF's CsvDataset, which reads quoted fields across line breaks, minidl's reads one record per line.
"""
import collections
import glob

import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import errors, io
from .core import TensorShape, get_default_graph
from .data import Dataset, experimental
from .data_sources import TextLineDataset
from .basics import constant
from .dtypes import DType, float32, float64, int32, int64, string
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .string_functions import parse_number

__all__ = ["CsvDataset", "decode_csv", "make_csv_dataset"]

_CSV_TYPES = (float32, float64, int32, int64, string)
_C_NAMES = {float32: "float", float64: "double"}  # TF's error messages name the C types

#: How the records are written: the delimiter (bytes), whether ``"`` quotes, the NA marker (bytes), and the
#: selected column indices (None: all)
CsvFormat = collections.namedtuple("CsvFormat", ["delimiter", "quoted", "na_value", "select_cols"])


class CsvError(ValueError):
    """A record that does not parse; the caller turns it into an ``InvalidArgumentError``."""


# ================================================================================================ the parser

def csv_format(field_delim, use_quote_delim, na_value, select_cols, columns):
    """The checked ``CsvFormat`` of records with ``columns`` columns (defaults)."""
    delimiter = field_delim.encode("utf-8") if isinstance(field_delim, str) else bytes(field_delim)
    if len(delimiter) != 1:
        raise ValueError(f"field_delim should be only 1 char, got {field_delim!r}")
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if len(select_cols) != columns:
            raise ValueError("Length of select_cols and record_defaults do not match.")
        if any(c < 0 for c in select_cols):
            raise ValueError("select_cols should be non-negative indices")
        if any(a >= b for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
    na = na_value.encode("utf-8") if isinstance(na_value, str) else bytes(na_value)
    return CsvFormat(delimiter, bool(use_quote_delim), na, select_cols)


def split_record(record, delimiter, quoted):
    """The fields of one record (bytes), quotes removed (module docstring); ``CsvError`` for a misplaced quote."""
    fields, i, n = [], 0, len(record)
    while True:
        if quoted and record[i:i + 1] == b'"':
            field, i = bytearray(), i + 1
            while True:
                if i >= n:
                    raise CsvError("Quoted field has to end with quote followed by delim or end")
                if record[i:i + 1] != b'"':
                    field += record[i:i + 1]
                    i += 1
                elif record[i + 1:i + 2] == b'"':  # "" stands for one quote
                    field += b'"'
                    i += 2
                else:  # the closing quote: the field must end here
                    i += 1
                    if i < n and record[i:i + 1] != delimiter:
                        raise CsvError("Quote inside a string has to be escaped by another quote")
                    break
            field = bytes(field)
        else:
            end = record.find(delimiter, i)
            end = n if end < 0 else end
            field = record[i:end]
            if (quoted and b'"' in field) or b"\n" in field or b"\r" in field:
                raise CsvError("Unquoted fields cannot have quotes/CRLFs inside")
            i = end
        fields.append(field)
        if i >= n:
            return fields
        i += 1  # past the delimiter
        if i == n:  # a delimiter at the very end: one more, empty, field
            fields.append(b"")
            return fields


def default_value(array):
    """A default tensor's value as one column's default: None for an empty one (a required column), else its
    element (bytes, or a numpy scalar of the column's dtype)."""
    return None if array.size == 0 else array.reshape(-1)[0]


def parse_record(record, dtypes, defaults, fmt, where):
    """The values of one record's (selected) columns: bytes for string columns, numpy scalars for the others.
    ``dtypes``/``defaults``: one per column (``default_value``s); ``where`` names the record in error messages
    (``"record 3"``). ``CsvError`` if the record does not fit."""
    fields = split_record(record, fmt.delimiter, fmt.quoted)
    if fmt.select_cols is not None:
        fields = [fields[c] for c in fmt.select_cols if c < len(fields)]
    if len(fields) != len(dtypes):
        raise CsvError(f"Expect {len(dtypes)} fields but have {len(fields)} in {where}")
    values = []
    for column, (text, dtype, default) in enumerate(zip(fields, dtypes, defaults)):
        if text == b"" or text == fmt.na_value:
            if default is None:
                raise CsvError(f"Field {column} is required but missing in {where}!")
            values.append(default)
        elif dtype == string:
            values.append(text)
        else:
            number = parse_number(text, dtype.as_numpy_dtype)
            if number is None:
                raise CsvError(f"Field {column} in {where} is not a valid {_C_NAMES.get(dtype, dtype.name)}: "
                               f"{text.decode('utf-8', 'replace')}")
            values.append(number)
    return values


def _default_tensors(record_defaults):
    """``record_defaults`` as graph tensors, checked: one per column, of a CSV dtype, with 0 or 1 element."""
    if not isinstance(record_defaults, (list, tuple)) or not record_defaults:
        raise ValueError("record_defaults must be a non-empty list: one default (or [] for a required column) per "
                         "column")
    tensors = []
    with get_default_graph().name_scope("record_defaults"):
        for i, default in enumerate(record_defaults):
            tensor = convert_to_tensor(default, name=f"default_{i}")
            if tensor.dtype not in _CSV_TYPES:
                raise TypeError(f"record_defaults[{i}] has DataType {tensor.dtype.name}, not in list of allowed "
                                f"values: float32, float64, int32, int64, string")
            shape = tensor.shape
            if shape.rank_known and (shape.rank > 1 or (shape.rank == 1 and shape[0] not in (None, 0, 1))):
                raise ValueError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar; "
                                 f"record_defaults[{i}] has shape {shape}")
            tensors.append(tensor)
    return tensors


# ================================================================================================ decode_csv

class DecodeCSV(GraphOp):
    """Input 0: the records (strings, any shape); inputs 1..: one default per column. Outputs: one tensor per
    column, shaped like the records. Attr ``format``: the ``CsvFormat``'s fields, as plain values."""

    @staticmethod
    def execute(session, operation, arrays):
        fmt = CsvFormat(**operation.attrs["format"])
        fmt = fmt._replace(delimiter=fmt.delimiter.encode("utf-8"), na_value=fmt.na_value.encode("utf-8"))
        records = host_array(arrays[0])
        dtypes = [t.dtype for t in operation.outputs]
        defaults = [default_value(host_array(a)) for a in arrays[1:]]
        outs = [numpy.empty(records.shape, dtype=d.as_numpy_dtype) for d in dtypes]
        for k, (index, record) in enumerate(numpy.ndenumerate(records)):
            try:
                values = parse_record(record, dtypes, defaults, fmt, f"record {k}")
            except CsvError as error:
                raise errors.InvalidArgumentError(None, operation, str(error)) from None
            for out, value in zip(outs, values):
                out[index] = value
        return tuple(session.on_device(out) for out in outs)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """The columns of CSV records: a list with one tensor per column (or per ``select_cols`` entry), each shaped
    like ``records`` (a string tensor of any shape), of the dtype of its ``record_defaults`` entry — a scalar, a
    one-element list, or ``[]`` for a required column (``[]`` is float32; ``tf.constant([], tf.int64)`` makes a
    required int64 column). The rules are in the module docstring.

    >>> a, b, c = tf.decode_csv(line, record_defaults=[[0], [0.0], ["?"]])   # int32, float32, string
    """
    records = convert_to_tensor(records)
    if records.dtype != string:
        raise TypeError(f"records must be a string tensor, got {records.dtype.name}")
    defaults = _default_tensors(record_defaults)
    fmt = csv_format(field_delim, use_quote_delim, na_value, select_cols, len(defaults))
    attrs = {"format": {**fmt._asdict(), "delimiter": fmt.delimiter.decode("utf-8"),
                        "na_value": fmt.na_value.decode("utf-8")}}
    shape = tuple(records.shape) if records.shape.rank_known else None
    operation = get_default_graph().create_op(DecodeCSV, [records] + defaults, attrs,
                                              [Spec(shape, d.dtype) for d in defaults], name=name or "DecodeCSV")
    return list(operation.outputs)


# ================================================================================================ CsvDataset

class CsvDataset(Dataset):
    """``tf.data.experimental.CsvDataset``: the records of CSV files, one tuple of scalars per line (one per
    column, or per ``select_cols`` entry), file after file; with ``header`` the first line of each file is skipped.

    ``record_defaults`` as for ``decode_csv``, and an entry may also be a dtype (``tf.int32``) for a required
    column of that type. The files are read as ``TextLineDataset`` reads them (``compression_type`` "", "GZIP" or
    "ZLIB"; a missing file is a ``NotFoundError``), which is why a quoted field cannot span lines here.
    """

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None):
        if isinstance(record_defaults, (list, tuple)):  # a dtype stands for an empty default: a required column
            record_defaults = [constant(numpy.zeros([0], d.as_numpy_dtype), dtype=d) if isinstance(d, DType) else d
                               for d in record_defaults]
        self._lines = TextLineDataset(filenames, compression_type)  # opens the files, reads the lines
        self._defaults = _default_tensors(record_defaults)
        self._format = csv_format(field_delim, use_quote_delim, na_value, select_cols, len(self._defaults))
        self._header = bool(header)
        super().__init__((), tuple([None] * len(self._defaults)), [t.dtype for t in self._defaults],
                         [TensorShape([])] * len(self._defaults), [self._lines._filenames] + self._defaults)

    def _elements(self, run):
        defaults = [default_value(run.value(t)) for t in self._defaults]
        for name in run.value(self._lines._filenames).reshape(-1):
            with self._lines._open(name) as lines:
                for number, line in enumerate(lines):
                    if number == 0 and self._header:
                        continue
                    where = f"record {number} of {name.decode('utf-8', 'replace')}"
                    try:
                        values = parse_record(line.rstrip(b"\n").rstrip(b"\r"), self._types, defaults,
                                              self._format, where)
                    except CsvError as error:
                        raise errors.InvalidArgumentError(None, None, str(error)) from None
                    yield [numpy.array(v, dtype=t.as_numpy_dtype) for v, t in zip(values, self._types)]


# ========================================================================================== make_csv_dataset

def _csv_rows(filename, fmt):
    """The rows of a CSV file as lists of fields (bytes), read now (to find column names and types)."""
    with open(filename, "rb") as lines:
        for number, line in enumerate(lines):
            try:
                yield split_record(line.rstrip(b"\n").rstrip(b"\r"), fmt.delimiter, fmt.quoted)
            except CsvError as error:
                raise ValueError(f"{error} in line {number + 1} of {filename}") from None


def _column_names(filenames, fmt):
    """The header line's names, which every file must share."""
    headers = [next(_csv_rows(name, fmt), []) for name in filenames]
    if any(h != headers[0] for h in headers):
        raise ValueError("Files have different column names in the header row.")
    return [field.decode("utf-8") for field in headers[0]]


def _infer_type(text, na_value, previous):
    """The narrowest of int32, int64, float32, float64, string that holds ``text`` and every earlier value of the
    column (``previous``; None while all were missing) — TF's order of trial."""
    if text in (b"", na_value):
        return previous
    trials = [int32, int64, float32, float64, string]
    for dtype in trials[trials.index(previous) if previous is not None else 0:]:
        if dtype == string:
            return dtype
        value = parse_number(text, dtype.as_numpy_dtype)
        if value is not None and value < numpy.inf:  # as TF: "1e40" is not a float32, and "nan" is a string
            return dtype
    return string


def _infer_defaults(filenames, fmt, header, columns, rows_for_inference):
    """One default per selected column, of the type the first ``rows_for_inference`` data rows suggest: 0 of it,
    or ``""`` for a string column (also for a column that is empty everywhere)."""
    types, rows = [None] * len(columns), 0
    for name in filenames:
        for number, fields in enumerate(_csv_rows(name, fmt)):
            if (header and number == 0) or len(fields) <= max(columns):
                continue
            if rows_for_inference is not None and rows >= rows_for_inference:
                break
            types = [_infer_type(fields[c], fmt.na_value, t) for c, t in zip(columns, types)]
            rows += 1
    return [[""] if t in (None, string) else numpy.zeros([1], dtype=t.as_numpy_dtype) for t in types]


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=1, sloppy=False, num_rows_for_inference=100):
    """A dataset of batches ``(features, label)`` read from the CSV files matching ``file_pattern`` (a glob, or a
    list of them): ``features`` maps each column name to a ``[batch_size]`` tensor, and ``label`` is column
    ``label_name``'s (without a ``label_name``, the elements are the features dicts alone).

    - ``column_names``: default, the first line (``header=True``) of the files, which must all agree.
    - ``select_columns``: the columns to keep, by name or index.
    - ``column_defaults``: one default (or dtype, for a required column) per kept column. Default: inferred from
      the first ``num_rows_for_inference`` rows, as TF does — the first of int32, int64, float32, float64, string
      that holds every value, with 0 or ``""`` for a missing value.
    - The files are read in a random order and the records shuffled through a buffer of ``shuffle_buffer_size``
      (``shuffle_seed`` makes both orders repeatable), unless ``shuffle=False``; then repeated ``num_epochs`` times
      (forever for None, in which case every batch is full, so the batch dimension is static).

    ``prefetch_buffer_size``, ``num_parallel_reads`` and ``sloppy`` are accepted for compatibility (a Session
    runs the pipeline synchronously, one file after another); compressed files are not supported here.
    """
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    filenames = sorted({n for p in patterns for n in glob.glob(p.decode() if isinstance(p, bytes) else p)})
    if not filenames:
        raise ValueError(f"No files match {file_pattern}.")
    fmt = csv_format(field_delim, use_quote_delim, na_value, None, 0)
    if column_names is None:
        if not header:
            raise ValueError("Cannot infer column names without a header line.")
        column_names = _column_names(filenames, fmt)
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Cannot have duplicate column names.")
    if select_columns is None:
        columns = list(range(len(column_names)))
    else:
        columns = [column_names.index(c) if isinstance(c, str) and c in column_names else c for c in select_columns]
        if not all(isinstance(c, int) and 0 <= c < len(column_names) for c in columns):
            raise ValueError(f"select_columns {select_columns!r} must be column names or indices of {column_names}")
        columns = sorted(columns)
    names = [column_names[c] for c in columns]
    if label_name is not None and label_name not in names:
        raise ValueError(f"`label_name` provided must be one of the columns: {names}.")
    if column_defaults is None:
        column_defaults = _infer_defaults(filenames, fmt, header, columns, num_rows_for_inference)
    elif len(column_defaults) != len(columns):
        raise ValueError("If specified, column_defaults and select_columns must have same length, and column_defaults "
                         "must have one entry per column.")

    def records(filename):
        return CsvDataset(filename, column_defaults, header=header, field_delim=field_delim,
                          use_quote_delim=use_quote_delim, na_value=na_value, select_cols=columns)

    def features_and_label(*values):  # one batched tensor per kept column
        features = collections.OrderedDict(zip(names, values))
        return features if label_name is None else (features, features.pop(label_name))

    files = Dataset.from_tensor_slices(filenames)
    if shuffle:
        files = files.shuffle(len(filenames), seed=shuffle_seed)
    dataset = files.flat_map(records)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    # batch, then map: one call of the map function per batch, not per record (TF does the same, for speed)
    return dataset.batch(batch_size, drop_remainder=num_epochs is None).map(features_and_label)


io.decode_csv = decode_csv
experimental.CsvDataset = CsvDataset
experimental.make_csv_dataset = make_csv_dataset
