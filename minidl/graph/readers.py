"""TF1's readers: ``tf.TextLineReader``, ``tf.WholeFileReader``, ``tf.TFRecordReader``, ``tf.FixedLengthRecordReader``
and ``tf.IdentityReader`` — the file-reading end of a queue-based input pipeline (queues.py).

Before ``tf.data``, a TF1 program read its training files this way::

    filenames = tf.train.string_input_producer(["a.csv", "b.csv"], num_epochs=2)   # a queue of file names
    reader = tf.TextLineReader(skip_header_lines=1)
    key, value = reader.read(filenames)            # key b"a.csv:2", value the bytes of line 2 of a.csv
    x, y = tf.decode_csv(value, record_defaults=[[0.0], [0]])
    ...
    threads = tf.train.start_queue_runners(sess, coord)
    try:
        while True:
            sess.run(train_op)
    except tf.errors.OutOfRangeError:              # every file name was handed out and read
        coord.request_stop()

A reader takes its *work* — file names — from a queue of strings: when the file it reads is used up, a ``read``
dequeues the next name (waiting while the queue is empty); once the queue is closed and empty, the ``read`` fails
with the queue's ``OutOfRangeError``, which is how a TF1 input loop ends. Each record comes with a *key* that says
where it was found::

    reader                    record                                           key
    TextLineReader            a line, without its "\\n" (nor a "\\r" before it)   b"<file>:<line number>", from 1
    WholeFileReader           the whole file                                   b"<file>"
    TFRecordReader            a TFRecord (tfrecords.py)                        b"<file>:<offset of its first byte>"
    FixedLengthRecordReader   record_bytes bytes (below)                       b"<file>:<record index>", from 0
    IdentityReader            the work string itself (no file is read)         b"<work>"

A TextLineReader's ``skip_header_lines`` leaves out the first lines of each file, which still count in the line
numbers; an empty file has no records.

A FixedLengthRecordReader skips ``header_bytes``, then cuts records of ``record_bytes``, each starting
``hop_bytes`` (default: ``record_bytes``) after the previous one, as long as ``footer_bytes`` remain after the
record: a trailing partial record is ignored, as TF does. The classic CIFAR-10 reader is one: each record is a
label byte and a 32x32x3 image, decoded with ``tf.decode_raw(value, tf.uint8)``.

``read_up_to(queue, n)`` hands out up to ``n`` records at once, but never records of two files: at the end of a
file it returns what it has (TF's ``ReaderBase::ReadUpTo``). ``num_records_produced()`` counts the records handed
out; ``num_work_units_completed()`` the files read to their end — which a reader learns only when a read finds the
file exhausted (the read after its last record), except a WholeFileReader or an IdentityReader, whose one record is
the end. ``reset()`` forgets the current file and zeroes both counts.

Like a queue's contents, a reader's progress lives in the Session (``Session.resource``), one per reader: two
sessions read independently. Several threads may run one reader's ``read`` at once (TF1 programs start a few, to
read ahead): a lock makes them take turns, so each record is handed out exactly once.

**Not quite TF**: after a damaged TFRecord the reader drops the rest of that file, and the next read goes on to the
next file (TF's reader stays at the damage, failing again); a file shorter than a FixedLengthRecordReader's
header has no records (TF fails with ``OutOfRangeError``, which a TF1 loop takes for the end of all input).
Reader state cannot be serialized (``supports_serialize`` is False, and there is no ``serialize_state``).
"""
import itertools
import threading

import numpy

from ..backend import dtypes
from ..ops.base import Spec
from . import errors, queues
from .core import Operation, get_default_graph
from .data_sources import open_file
from .file_ops import read_whole_file
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .strings import string
from .tfrecords import TFRecordOptions, records_at

__all__ = ["FixedLengthRecordReader", "IdentityReader", "ReaderBase", "TFRecordReader", "TextLineReader",
           "WholeFileReader"]


# ------------------------------------------------------------------------------------ the records of one work

def _lines(name, attrs):
    """TextLineReader: the lines of file ``name`` as (key, line), the first ``skip_header_lines`` left out."""
    with open_file(name, "") as stream:
        for number, line in enumerate(stream, 1):  # a binary file splits at b"\n" only
            ended = line.endswith(b"\n")
            line = line[:-1] if ended else line
            line = line[:-1] if line.endswith(b"\r") else line
            if not (ended or line):  # a last line of just "\r": TF finds the end of the file there, not a record
                return
            if number > attrs["skip_header_lines"]:
                yield b"%s:%d" % (name, number), line


def _whole_file(name, attrs):
    yield name, read_whole_file(name)


def _tfrecords(name, attrs):
    for offset, record in records_at(name, attrs["compression"]):
        yield b"%s:%d" % (name, offset), record


def _fixed_length_records(name, attrs):
    """FixedLengthRecordReader: the records of file ``name`` as (key, record); see the module docstring."""
    record_bytes, footer_bytes = attrs["record_bytes"], attrs["footer_bytes"]
    hop = attrs["hop_bytes"] or record_bytes
    with open_file(name, attrs["encoding"]) as stream:
        stream.read(attrs["header_bytes"])
        # the bytes from the start of the current record on: a record is handed out only once the footer after it
        # is known to be there, and with a short hop the next record starts inside what was read for that
        ahead = b""
        for index in itertools.count():
            if index:
                if hop <= len(ahead):
                    ahead = ahead[hop:]
                else:
                    stream.read(hop - len(ahead))
                    ahead = b""
            ahead += stream.read(record_bytes + footer_bytes - len(ahead))
            if len(ahead) < record_bytes + footer_bytes:
                return
            yield b"%s:%d" % (name, index), ahead[:record_bytes]


def _identity(name, attrs):
    yield name, name


# ---------------------------------------------------------------------------------- a reader's progress

def _progress_of(session, resource):
    """How far the reader ``resource`` (its Operation) has read in ``session``; nothing read at first (closing the
    session lets go of the open files)."""
    return session.resource(resource, _Progress)


class _Progress:
    """One reader in one session: the rest of the file it reads, and its two counts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = None  # an iterator of (key, value) over the rest of the current file; None between files
        self.produced = 0
        self.completed = 0

    def read(self, count, session, operation):
        """Up to ``count`` records of the reader that ``operation`` reads, as lists (keys, values): from the
        current file, else from the next the queue hands out. Fewer only at the end of a file."""
        resource, queue = operation.attrs["reader"], operation.attrs["queue"]
        keys, values = [], []
        with self.lock:
            while len(keys) < count:
                if self.records is None:
                    name = _work(queues.contents(session, queue).take(1, False, operation)[0], operation)
                    self.records = resource.op.records(name, resource.attrs)
                try:
                    record = next(self.records, None)
                except Exception:  # a missing, unreadable or damaged file: drop it, the next read takes the next
                    self.records = None
                    raise
                if record is not None:
                    keys.append(record[0])
                    values.append(record[1])
                    self.produced += 1
                if record is None or resource.op.one_record_per_work:
                    self.records = None
                    self.completed += 1
                    if keys:
                        break
        return keys, values

    def reset(self):
        with self.lock:
            self.records = None
            self.produced = self.completed = 0


def _work(element, operation):
    """The file name in a dequeued ``element`` (a tuple of one string scalar)."""
    work = numpy.asarray(element[0], dtype=object)
    if work.size != 1:
        raise errors.InvalidArgumentError(None, operation, "Expected to dequeue a one-element string tensor")
    return work.item()


# ------------------------------------------------------------------------------------------------ graph ops

class ReaderResource(GraphOp):
    """A reader: produces nothing; its Operation is the key of the reader's progress in each session. A subclass
    per kind of reader names it (``TextLineReader``...), and gives ``records(name, attrs)``: an iterator of
    (key, value) over the work ``name``, opening its file when first asked; ``one_record_per_work``: the work is
    done as its one record comes out."""
    name = "ReaderBase"
    one_record_per_work = False

    @staticmethod
    def execute(session, operation, arrays):
        return ()


class TextLineReaderResource(ReaderResource):
    name = "TextLineReader"
    records = staticmethod(_lines)


class WholeFileReaderResource(ReaderResource):
    name = "WholeFileReader"
    records = staticmethod(_whole_file)
    one_record_per_work = True


class TFRecordReaderResource(ReaderResource):
    name = "TFRecordReader"
    records = staticmethod(_tfrecords)


class FixedLengthRecordReaderResource(ReaderResource):
    name = "FixedLengthRecordReader"
    records = staticmethod(_fixed_length_records)


class IdentityReaderResource(ReaderResource):
    name = "IdentityReader"
    records = staticmethod(_identity)
    one_record_per_work = True


class ReaderRead(GraphOp):
    """The next record of attr ``reader`` — outputs: key, value (string scalars) — taking work from attr
    ``queue``."""

    @staticmethod
    def execute(session, operation, arrays):
        keys, values = _progress_of(session, operation.attrs["reader"]).read(1, session, operation)
        return numpy.array(keys[0], dtype=object), numpy.array(values[0], dtype=object)


class ReaderReadUpTo(GraphOp):
    """Up to input 0 (a scalar) records of attr ``reader`` — outputs: keys, values (string vectors) — taking work
    from attr ``queue``."""

    @staticmethod
    def execute(session, operation, arrays):
        count = int(arrays[0])
        if count < 0:
            raise errors.InvalidArgumentError(None, operation, f"num_records must be >= 0, got {count}")
        keys, values = _progress_of(session, operation.attrs["reader"]).read(count, session, operation)
        return numpy.array(keys, dtype=object), numpy.array(values, dtype=object)


class ReaderNumRecordsProduced(GraphOp):
    """How many records attr ``reader`` has handed out (int64 scalar)."""

    @staticmethod
    def execute(session, operation, arrays):
        count = _progress_of(session, operation.attrs["reader"]).produced
        return (session.array_module.asarray(count, dtype=numpy.int64),)


class ReaderNumWorkUnitsCompleted(GraphOp):
    """How many files attr ``reader`` has read to their end (int64 scalar)."""

    @staticmethod
    def execute(session, operation, arrays):
        count = _progress_of(session, operation.attrs["reader"]).completed
        return (session.array_module.asarray(count, dtype=numpy.int64),)


class ReaderReset(GraphOp):
    """Attr ``reader`` forgets its current file and its counts."""

    @staticmethod
    def execute(session, operation, arrays):
        _progress_of(session, operation.attrs["reader"]).reset()
        return ()


# ----------------------------------------------------------------------------------------- the Python classes

class ReaderBase:
    """A reader whose Operation is ``reader_ref`` (made by a subclass); the methods add ops to its graph. See the
    module docstring."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        """The reader's Operation (TF hands out a resource tensor; minidl's ops name the reader directly)."""
        return self._reader_ref

    @property
    def supports_serialize(self):
        return self._supports_serialize

    def _op(self, op, inputs, attrs, specs, name):
        graph = self._reader_ref.graph
        with graph.as_default():
            return graph.create_op(op, inputs, dict(attrs, reader=self._reader_ref), specs, name=name)

    def _queue(self, queue, method):
        """The Operation of ``queue`` (a queue, or its ``queue_ref``), which must hold single strings."""
        resource = queue.queue_ref if isinstance(queue, queues.QueueBase) else queue
        where = f"{self._reader_ref.op.name} '{self._reader_ref.name}'.{method}"
        if not (isinstance(resource, Operation) and issubclass(resource.op, queues.FIFOQueueResource)):
            raise TypeError(f"{where}: `queue` must be a queue of file names (tf.FIFOQueue, "
                            f"tf.train.string_input_producer ...), got {queue!r}")
        if resource.graph is not self._reader_ref.graph:
            raise ValueError(f"{where}: the queue '{resource.name}' is in another graph than the reader")
        if list(resource.attrs["types"]) != [string]:
            raise TypeError(f"{where}: Expected queue with single string component, but '{resource.name}' holds "
                            f"{[d.name for d in resource.attrs['types']]}")
        return resource

    def read(self, queue, name=None):
        """The next record: ``(key, value)``, string scalars; takes the next file name from ``queue`` when the
        current file is used up."""
        specs = [Spec((), string), Spec((), string)]
        operation = self._op(ReaderRead, (), {"queue": self._queue(queue, "read")}, specs, name or "ReaderRead")
        return operation.outputs

    def read_up_to(self, queue, num_records, name=None):
        """Up to ``num_records`` records of one file: ``(keys, values)``, string vectors."""
        resource = self._queue(queue, "read_up_to")
        with self._reader_ref.graph.as_default():
            count = convert_to_tensor(num_records, dtype=dtypes.int64, name="num_records")
        specs = [Spec((None,), string), Spec((None,), string)]
        operation = self._op(ReaderReadUpTo, [count], {"queue": resource}, specs, name or "ReaderReadUpTo")
        return operation.outputs

    def num_records_produced(self, name=None):
        """An int64 scalar: how many records this reader has handed out."""
        return self._op(ReaderNumRecordsProduced, (), {}, [Spec((), dtypes.int64)],
                        name or "ReaderNumRecordsProduced").outputs[0]

    def num_work_units_completed(self, name=None):
        """An int64 scalar: how many files (work units) this reader has read to their end."""
        return self._op(ReaderNumWorkUnitsCompleted, (), {}, [Spec((), dtypes.int64)],
                        name or "ReaderNumWorkUnitsCompleted").outputs[0]

    def reset(self, name=None):
        """An op that brings the reader back to where it started: no current file, both counts 0."""
        return self._op(ReaderReset, (), {}, [], name or "ReaderReset")


def _reader(resource_op, attrs, name):
    return get_default_graph().create_op(resource_op, (), attrs, [], name=name or resource_op.name)


def _non_negative(value, argument):
    value = 0 if value is None else value
    if not isinstance(value, (int, numpy.integer)) or value < 0:
        raise ValueError(f"FixedLengthRecordReader: {argument} must be an integer >= 0, got {value!r}")
    return int(value)


class TextLineReader(ReaderBase):
    """Reads the lines of text files, one record per line; ``skip_header_lines`` leaves out the first ones."""

    def __init__(self, skip_header_lines=None, name=None):
        skip = 0 if skip_header_lines is None else skip_header_lines
        if not isinstance(skip, (int, numpy.integer)) or skip < 0:
            raise ValueError(f"TextLineReader: skip_header_lines must be an integer >= 0, got {skip_header_lines!r}")
        super().__init__(_reader(TextLineReaderResource, {"skip_header_lines": int(skip)}, name))


class WholeFileReader(ReaderBase):
    """Reads whole files: one record per file, its key the file name."""

    def __init__(self, name=None):
        super().__init__(_reader(WholeFileReaderResource, {}, name))


class TFRecordReader(ReaderBase):
    """Reads the records of TFRecord files; ``options``: a ``tf.python_io.TFRecordOptions`` or a compression type
    (``"GZIP"``, ``"ZLIB"``, ``""``/None)."""

    def __init__(self, name=None, options=None):
        compression = TFRecordOptions.get_compression_type_string(options)
        super().__init__(_reader(TFRecordReaderResource, {"compression": compression}, name))


class FixedLengthRecordReader(ReaderBase):
    """Reads records of ``record_bytes`` bytes; ``header_bytes``, ``footer_bytes``, ``hop_bytes`` and ``encoding``
    (``"GZIP"``, ``"ZLIB"``, or None) as the module docstring says. ``record_bytes`` must be at least 1 (TF takes
    0, and then hands out empty records for ever)."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None, name=None, encoding=None):
        if not isinstance(record_bytes, (int, numpy.integer)) or record_bytes < 1:
            raise ValueError(f"FixedLengthRecordReader: record_bytes must be an integer >= 1, got {record_bytes!r}")
        if encoding not in (None, "", "GZIP", "ZLIB"):
            raise ValueError(f"FixedLengthRecordReader: unsupported encoding {encoding!r}. Use 'GZIP', 'ZLIB' or "
                             "None.")
        attrs = {"record_bytes": int(record_bytes), "header_bytes": _non_negative(header_bytes, "header_bytes"),
                 "footer_bytes": _non_negative(footer_bytes, "footer_bytes"),
                 "hop_bytes": _non_negative(hop_bytes, "hop_bytes"), "encoding": encoding or ""}
        super().__init__(_reader(FixedLengthRecordReaderResource, attrs, name))


class IdentityReader(ReaderBase):
    """Hands out each work string of the queue as both key and value (a way to feed a reader's consumer by hand)."""

    def __init__(self, name=None):
        super().__init__(_reader(IdentityReaderResource, {}, name))
