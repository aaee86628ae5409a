"""TFRecord files, TF's container for training data: ``tf.python_io.TFRecordWriter`` (``tf.io.TFRecordWriter``)
writes them, ``tf.python_io.tf_record_iterator`` reads them in Python, and ``tf.data.TFRecordDataset`` reads them
in an input pipeline::

    with tf.python_io.TFRecordWriter("train.tfrecord") as writer:
        for x, y in data:
            writer.write(tf.train.Example(features=...).SerializeToString())

    dataset = tf.data.TFRecordDataset("train.tfrecord").map(parse_fn).batch(32)   # parse_fn: parse_single_example

A record is any bytes — usually a serialized ``tf.train.Example`` (example_proto.py). The file format is the
TFRecord framing that TensorBoard's event files use too — each record with its length and CRC32C checksums — so
the code is shared with them (``minidl/io/event_file.py``). A record whose checksum does not match is a
``DataLossError`` (TF's "corrupted record at <offset>"), raised when a reader reaches it: the records before it
are read. ``compression_type`` (``options``): ``""``/None, ``"GZIP"`` or ``"ZLIB"`` — the whole file is one
compressed stream, as TF writes it.

**Not quite TF**: the writer writes into a temporary file beside ``path`` and moves it to ``path`` when closed
(``close``, the end of a ``with`` block, or garbage collection), so a program that dies while writing never leaves a
half-written file under the final name; TF writes ``path`` directly, so there ``flush()`` makes the records
visible to readers before the writer is closed.
"""
import gzip
import os
import tempfile
import types
import weakref
import zlib

import numpy

from ..io.atomic_write import new_file_mode
from ..io.event_file import iter_records, record
from . import data, errors, io
from .core import get_default_graph
from .data import Dataset
from .data_sources import _file_names, open_file
from .strings import string

__all__ = ["TFRecordCompressionType", "TFRecordDataset", "TFRecordOptions", "TFRecordWriter", "python_io",
           "tf_record_iterator"]


class TFRecordCompressionType:
    """The compression of a TFRecord file, as TF's enum numbers it."""
    NONE, ZLIB, GZIP = 0, 1, 2


_COMPRESSION_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
                      TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """How a TFRecord file is written or read: ``compression_type`` is ``"GZIP"``, ``"ZLIB"``, ``""``/None, or a
    ``TFRecordCompressionType``. (TF's tuning knobs — buffer sizes, compression level — are not taken.)"""

    def __init__(self, compression_type=None):
        self.compression_type = compression_type

    @classmethod
    def get_compression_type_string(cls, options):
        """``options`` (None, a string, a ``TFRecordCompressionType`` or a ``TFRecordOptions``) as ``""``,
        ``"GZIP"`` or ``"ZLIB"``."""
        if isinstance(options, TFRecordOptions):
            options = options.compression_type
        name = _COMPRESSION_NAMES.get(options, options) or ""
        if name not in ("", "GZIP", "ZLIB"):
            raise ValueError(f"Unsupported compression_type: {options!r}. Use '', 'GZIP' or 'ZLIB'.")
        return name


# ================================================================================================ writing

class TFRecordWriter:
    """Writes records (bytes) to a new TFRecord file at ``path``, replacing any file there once closed (module
    docstring). A context manager; ``write(record)``, ``flush()``, ``close()``."""

    def __init__(self, path, options=None):
        self.path = os.fspath(path)
        compression = TFRecordOptions.get_compression_type_string(options)
        directory, base = os.path.split(os.path.abspath(self.path))
        try:
            fd, self._partial = tempfile.mkstemp(prefix=f".{base}.", suffix=".partial", dir=directory)
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{directory}; No such file or directory") from None
        raw = os.fdopen(fd, "wb")
        # GZIP: a gzip stream over the file; ZLIB: a compressor whose output goes to the file
        self._file = gzip.GzipFile(filename="", mode="wb", fileobj=raw) if compression == "GZIP" else raw
        self._compressor = zlib.compressobj() if compression == "ZLIB" else None
        self._finish = weakref.finalize(self, _finish, raw, self._file, self._compressor, self._partial, self.path)

    def write(self, record_bytes):
        """Append one record: ``bytes`` (a ``str`` is written as UTF-8)."""
        if isinstance(record_bytes, str):
            record_bytes = record_bytes.encode("utf-8")
        framed = record(bytes(record_bytes))
        self._file.write(self._compressor.compress(framed) if self._compressor else framed)

    def flush(self):
        """Push what was written so far to the (temporary) file."""
        if self._compressor:
            self._file.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        """Finish the file and move it to ``path``; later calls do nothing."""
        self._finish()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _finish(raw, file, compressor, partial, path):
    """Complete a writer's file and give it its name (a function, not a method: ``weakref.finalize`` calls it for
    a writer that was never closed, when it is collected or the interpreter exits)."""
    if compressor:
        file.write(compressor.flush())
    file.close()
    raw.close()  # a GzipFile does not close the file under it
    os.chmod(partial, new_file_mode())  # (mkstemp made it readable by its owner only)
    os.replace(partial, path)


# ================================================================================================ reading

def records_at(name, compression):
    """The records of file ``name``, one at a time, each as ``(offset, record)``: the offset is where the record
    starts in the (decompressed) file — TF1's ``TFRecordReader`` keys a record by it (readers.py). A damaged
    record is a ``DataLossError`` when reached."""
    with open_file(name, compression) as stream:
        offset = 0
        try:
            for body in iter_records(stream, os.fsdecode(name)):
                yield offset, body
                offset = stream.tell()  # iter_records reads a record exactly: this is where the next one starts
        except (ValueError, EOFError, OSError, zlib.error) as error:  # bad checksums, a broken compressed stream
            raise errors.DataLossError(None, None, str(error)) from None


def _records(name, compression):
    """The records of file ``name``, one at a time, without their offsets."""
    return (body for _, body in records_at(name, compression))


def tf_record_iterator(path, options=None):
    """The records (bytes) of the TFRecord file at ``path``, in order — a Python generator, no graph needed."""
    compression = TFRecordOptions.get_compression_type_string(options)
    yield from _records(os.fspath(path), compression)


class TFRecordDataset(Dataset):
    """``tf.data.TFRecordDataset(filenames, compression_type=None)``: the records of TFRecord files, one scalar
    ``tf.string`` element per record, file after file in the order given (a string, a list of them, or a string
    tensor). A missing file is a ``NotFoundError`` and a damaged record a ``DataLossError``, raised by the
    ``get_next`` that reaches it. ``buffer_size`` and ``num_parallel_reads`` are accepted for compatibility."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        self._compression = TFRecordOptions.get_compression_type_string(compression_type)
        with get_default_graph().name_scope("filenames"):
            self._filenames = _file_names(filenames, "filenames")
        super().__init__((), None, [string], [()], [self._filenames])

    def _elements(self, run):
        for name in run.value(self._filenames).reshape(-1):
            for body in _records(name, self._compression):
                yield [numpy.array(body, dtype=object)]


#: ``tf.python_io``: TF 1's home of the TFRecord functions (``tf.io`` has them too)
python_io = types.SimpleNamespace(TFRecordCompressionType=TFRecordCompressionType, TFRecordOptions=TFRecordOptions,
                                  TFRecordWriter=TFRecordWriter, tf_record_iterator=tf_record_iterator)
io.TFRecordCompressionType, io.TFRecordOptions = TFRecordCompressionType, TFRecordOptions
io.TFRecordWriter, io.tf_record_iterator = TFRecordWriter, tf_record_iterator
data.TFRecordDataset = data.contrib.TFRecordDataset = TFRecordDataset
