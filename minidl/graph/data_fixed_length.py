"""``tf.data.FixedLengthRecordDataset``: the records of binary files in which every record has the same length —
CIFAR-10's ``data_batch_*.bin``, for one, where a record is a label byte and a 32x32 image's 3072 bytes::

    def parse(record):                                   # one record: a scalar tf.string of 3073 bytes
        values = tf.decode_raw(record, tf.uint8)         # its bytes as a uint8 vector (decode_raw.py)
        label = tf.cast(values[0], tf.int32)
        image = tf.transpose(tf.reshape(values[1:], [3, 32, 32]), [1, 2, 0])   # stored channel by channel
        return image, label

    dataset = tf.data.FixedLengthRecordDataset(files, record_bytes=1 + 32 * 32 * 3).map(parse).batch(128)

Each file, in the order given, is cut the same way: ``header_bytes`` skipped, then records of ``record_bytes``
each, then ``footer_bytes`` ignored. The *body* — what lies between header and footer — must be a whole number of
records, as in TF:

* an uncompressed file's length is known when it is opened, so a ragged body is an ``InvalidArgumentError`` raised
  before any of its records;
* a compressed one (``compression_type`` ``"GZIP"`` or ``"ZLIB"``: the whole file one stream) is measured only by
  reading it, so its whole records come out first and the partial one is a ``DataLossError`` — and so is a stream
  that does not decompress.

A missing file is a ``NotFoundError`` when the pass reaches it. The byte counts may be scalar integer tensors (a
placeholder ...), read when a pass starts; a count out of range is a ``ValueError`` when known while building,
else an ``InvalidArgumentError`` when the pass starts. ``buffer_size`` is accepted for compatibility.

The queue-based reader of TF1's CIFAR-10 tutorial, ``tf.FixedLengthRecordReader``, reads the same files (readers.py);
it ignores a partial last record instead of failing.

**Not quite TF**: a file shorter than its header and footer together is an error with a negative body length (TF
computes that length unsigned, and what happens then depends on the numbers).
"""
import gzip
import os
import zlib

import numpy

from . import errors
from .core import get_default_graph
from .data import Dataset, _int_argument, _known
from .data_sources import _file_names, compression_of, open_file
from .strings import string

__all__ = ["FixedLengthRecordDataset"]


class FixedLengthRecordDataset(Dataset):
    """``tf.data.FixedLengthRecordDataset(filenames, record_bytes, header_bytes=None, footer_bytes=None,
    buffer_size=None, compression_type=None)``: one scalar ``tf.string`` element of ``record_bytes`` bytes per
    record, file after file; see the module docstring."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None, buffer_size=None,
                 compression_type=None):
        self._compression = compression_of(compression_type)
        with get_default_graph().name_scope("filenames"):
            self._filenames = _file_names(filenames, "filenames")
        optional = [0 if value is None else value for value in (header_bytes, footer_bytes, buffer_size)]
        self._counts = [_count_argument(value, name, minimum)
                        for value, (name, minimum) in zip([record_bytes, *optional], _COUNTS)]
        super().__init__((), None, [string], [()], [self._filenames, *self._counts])

    def _elements(self, run):
        record_bytes, header_bytes, footer_bytes, _ = (_count(run, argument, *limit)
                                                       for argument, limit in zip(self._counts, _COUNTS))
        for name in run.value(self._filenames).reshape(-1):
            for record in _records(name, header_bytes, record_bytes, footer_bytes, self._compression):
                yield [numpy.array(record, dtype=object)]


#: the byte counts, in the order kept, with TF's lower limits: a record of at least one byte, no negative count
_COUNTS = (("record_bytes", 1), ("header_bytes", 0), ("footer_bytes", 0), ("buffer_size", 0))


def _count_argument(value, name, minimum):
    """A byte count: an int, checked now, or a scalar integer tensor, checked by ``_count`` when a pass reads it."""
    argument = _int_argument(value, name)
    known = _known(argument)
    if known is not None and known < minimum:
        raise ValueError(f"FixedLengthRecordDataset: `{name}` must be >= {minimum}, got {known}")
    return argument


def _count(run, argument, name, minimum):
    value = run.scalar(argument)
    if value < minimum:
        raise errors.InvalidArgumentError(None, None, f"`{name}` must be >= {minimum}, got {value}")
    return value


def _records(name, header_bytes, record_bytes, footer_bytes, compression):
    """The records of file ``name`` (bytes), one at a time; a ragged body fails as the module docstring says."""
    try:
        with open_file(name, compression) as stream:
            if not compression:
                body = os.fstat(stream.fileno()).st_size - header_bytes - footer_bytes
                if body < 0 or body % record_bytes:
                    raise _ragged(errors.InvalidArgumentError, name, header_bytes, footer_bytes, body, record_bytes)
            consumed = len(stream.read(header_bytes))
            # the last footer_bytes bytes read are held back: they are the footer if the file ends there
            ahead = stream.read(footer_bytes)
            consumed += len(ahead)
            while True:
                chunk = stream.read(record_bytes)
                consumed += len(chunk)
                if len(chunk) < record_bytes:
                    break
                ahead += chunk
                yield ahead[:record_bytes]
                ahead = ahead[record_bytes:]
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:  # a truncated or damaged compressed stream
        raise errors.DataLossError(None, None, f"{os.fsdecode(name)}: the {compression} data does not decompress "
                                               f"({error})") from None
    body = consumed - header_bytes - footer_bytes
    if chunk or body < 0:
        raise _ragged(errors.DataLossError, name, header_bytes, footer_bytes, body, record_bytes)


def _ragged(error, name, header_bytes, footer_bytes, body, record_bytes):
    """TF's error for a body that is not a whole number of records."""
    where = (f"Excluding the header ({header_bytes} bytes) and footer ({footer_bytes} bytes), input file "
             f"\"{os.fsdecode(name)}\" has body length {body} bytes")
    if body < 0:
        return error(None, None, f"{where}: the file is shorter than its header and footer together.")
    return error(None, None, f"{where}, which is not an exact multiple of the record length ({record_bytes} bytes).")
