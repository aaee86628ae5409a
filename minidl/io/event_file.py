"""TensorBoard event files, written without TensorFlow: the messages, the record framing, and a writer.

An event file (``events.out.tfevents.<seconds>.<hostname>``) is a sequence of **TFRecords**::

    uint64  length of data               little-endian
    uint32  masked CRC32C of those 8 bytes
    bytes   data                         one serialized Event
    uint32  masked CRC32C of data

CRC32C is the CRC-32 with Castagnoli's polynomial (0x1EDC6F41, reflected 0x82F63B78) — not ``zlib.crc32``'s.
It is *masked* — rotated right by 15 bits plus a constant — because a CRC over data that itself holds CRCs is
weak. The first Event names the format (``file_version = "brain.Event:2"``); then each Event carries a
summary or a graph. The messages, in protobuf notation (field numbers are what the encoders below write)::

    Event          { double wall_time = 1; int64 step = 2;
                     oneof { string file_version = 3; bytes graph_def = 4; Summary summary = 5; } }
    Summary        { repeated Value value = 1; }
    Summary.Value  { string tag = 1; SummaryMetadata metadata = 9;
                     oneof { float simple_value = 2; Image image = 4; HistogramProto histo = 5;
                             TensorProto tensor = 8; } }
    Image          { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
    HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
                     repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
    SummaryMetadata { PluginData plugin_data = 1; }    PluginData { string plugin_name = 1; }
    TensorProto    { DataType dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
    TensorShapeProto { repeated Dim dim = 2; }         Dim { int64 size = 1; }
    GraphDef       { repeated NodeDef node = 1; }
    NodeDef        { string name = 1; string op = 2; repeated string input = 3; string device = 4; }

(``bytes graph_def`` holds a serialized GraphDef.) The writer only ever creates a new file — exclusively, so an
existing file is never truncated or appended to — and touches nothing but that file.
"""
import os
import socket
import struct
import time
import weakref

from .protobuf import bytes_field, double_field, float_field, int_field, packed_doubles

FILE_VERSION = "brain.Event:2"
_DT_STRING = 7  # TensorFlow's DataType enum value for strings


# ============================================================================================== messages

def scalar_value(tag, value):
    """A ``Summary.Value`` holding one number (TensorBoard's scalars dashboard)."""
    return bytes_field(1, tag) + float_field(2, value)


def image_value(tag, height, width, channels, png):
    """A ``Summary.Value`` holding an image (TensorBoard's images dashboard): ``png`` is the encoded file;
    ``colorspace`` is the number of channels (1 grey, 3 RGB, 4 RGBA)."""
    image = int_field(1, height) + int_field(2, width) + int_field(3, channels) + bytes_field(4, png)
    return bytes_field(1, tag) + bytes_field(4, image)


def histogram_value(tag, minimum, maximum, num, total, sum_squares, bucket_limits, bucket_counts):
    """A ``Summary.Value`` holding a ``HistogramProto``: bucket ``i`` counts the values below ``bucket_limits[i]``
    and at or above the previous limit (TensorBoard draws bucket ``i`` from limit ``i-1`` to limit ``i``)."""
    histo = (double_field(1, minimum) + double_field(2, maximum) + double_field(3, num) + double_field(4, total) +
             double_field(5, sum_squares) + packed_doubles(6, bucket_limits) + packed_doubles(7, bucket_counts))
    return bytes_field(1, tag) + bytes_field(5, histo)


def text_value(tag, strings, shape):
    """A ``Summary.Value`` holding a string tensor, marked for TensorBoard's text plugin."""
    metadata = bytes_field(1, bytes_field(1, "text"))
    dims = b"".join(bytes_field(2, int_field(1, d)) for d in shape)
    tensor = int_field(1, _DT_STRING) + bytes_field(2, dims) + b"".join(bytes_field(8, s) for s in strings)
    return bytes_field(1, tag) + bytes_field(9, metadata) + bytes_field(8, tensor)


def summary(values):
    """A serialized ``Summary`` of serialized ``Summary.Value``s."""
    return b"".join(bytes_field(1, v) for v in values)


def event(wall_time, step=None, file_version=None, graph_def=None, summary=None, tagged_run_metadata=None):
    """A serialized ``Event``; give one of ``file_version``, ``graph_def`` (serialized), ``summary`` (serialized) or
    ``tagged_run_metadata`` (a ``(tag, serialized RunMetadata)`` pair)."""
    out = double_field(1, wall_time)
    if step is not None:
        out += int_field(2, step)
    if file_version is not None:
        out += bytes_field(3, file_version)
    if graph_def is not None:
        out += bytes_field(4, graph_def)
    if summary is not None:
        out += bytes_field(5, summary)
    if tagged_run_metadata is not None:
        tag, run_metadata = tagged_run_metadata
        out += bytes_field(8, bytes_field(1, tag.encode()) + bytes_field(2, run_metadata))
    return out


def graph_def(nodes):
    """A serialized ``GraphDef`` from ``(name, op_type, inputs, device)`` tuples. An input is ``"op"`` for an
    op's first output, ``"op:i"`` for output ``i``, ``"^op"`` for a control dependency, as TensorFlow writes them."""
    out = b""
    for name, op_type, inputs, device in nodes:
        node = bytes_field(1, name) + bytes_field(2, op_type) + b"".join(bytes_field(3, i) for i in inputs)
        if device:
            node += bytes_field(4, device)
        out += bytes_field(1, node)
    return out


# ========================================================================================= record framing

def _crc32c_table():
    """For each byte value, the CRC register after shifting that byte through (reflected: low bit first)."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C of ``data`` (``crc32c(b"123456789") == 0xE3069283``), one table lookup per byte."""
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The CRC TFRecords store: rotated right by 15 bits, plus 0xa282ead8 (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    """``data`` framed as one TFRecord."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


def iter_records(stream, name):
    """The records read from the binary file object ``stream``, one at a time, each checked against its CRCs: a
    damaged or truncated record is a ValueError naming file ``name`` and the record's byte offset (TF's
    "corrupted record at 40"), raised only when the reader gets there — the records before it are handed out."""
    index = offset = 0
    while True:
        header = stream.read(12)
        if not header:
            return
        if len(header) < 12:
            raise ValueError(f"{name}: truncated record at {offset} (a header cut short)")
        damaged = ValueError(f"{name}: record {index} is damaged: corrupted record at {offset} (its checksum "
                             f"does not match)")
        # the length is checked before it is used: a damaged one could ask for exabytes
        if struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
            raise damaged
        (length,) = struct.unpack("<Q", header[:8])
        body = stream.read(length)
        footer = stream.read(4)
        if len(body) < length or len(footer) < 4:
            raise ValueError(f"{name}: truncated record at {offset} (length {length})")
        if struct.unpack("<I", footer)[0] != masked_crc32c(body):
            raise damaged
        yield body
        index, offset = index + 1, offset + 12 + length + 4


# ================================================================================================ writer

class EventFileWriter:
    """Writes Events to a new event file in ``logdir`` (created if missing).

    Events are written as they come, through a buffer that is flushed to disk at the latest ``flush_secs`` after
    the previous flush (checked when an event arrives), and by ``flush()`` and ``close()`` — or, for a writer never
    closed, when it is garbage-collected or the interpreter exits.
    """

    def __init__(self, logdir, flush_secs=120, filename_suffix=""):
        self.logdir = os.fspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        self._flush_secs = flush_secs
        base = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}"
        self._file, self.path = _create_new(self.logdir, base, filename_suffix or "")
        self._close_file = weakref.finalize(self, self._file.close)  # runs once: on close(), collection or exit
        self._last_flush = time.monotonic()
        self.add_event(event(time.time(), file_version=FILE_VERSION))
        self.flush()

    def add_event(self, serialized_event):
        self._file.write(record(serialized_event))
        if time.monotonic() - self._last_flush >= self._flush_secs:
            self.flush()

    def flush(self):
        self._file.flush()
        self._last_flush = time.monotonic()

    def close(self):
        self._close_file()


def _create_new(logdir, base, suffix):
    """Open a file that did not exist: ``base + suffix``, or ``base.1 + suffix``... when two writers start in the
    same second in one directory (TensorBoard reads every file whose name contains "tfevents")."""
    n = 0
    while True:
        path = os.path.join(logdir, (f"{base}.{n}" if n else base) + suffix)
        try:
            return open(path, "xb"), path
        except FileExistsError:
            n += 1
