"""``tf.train.summary_iterator``: the Events of a TensorBoard event file, read back in Python — to plot a run's
curves yourself, or to check what was logged::

    for event in tf.train.summary_iterator(path):       # path: an events.out.tfevents.* file
        for value in event.summary.value:
            if value.tag == "loss":
                print(event.step, value.simple_value)

Each Event has ``wall_time``, ``step`` and one of ``file_version`` (the first record of every file),
``graph_def`` (serialized), or ``summary``, whose ``value`` list holds ``Value``s with a ``tag`` and a
``simple_value`` (a scalar), an ``image`` (``height``, ``width``, ``colorspace``, ``encoded_image_string``: the
PNG) or a ``histo`` (``min``, ``max``, ``num``, ``sum``, ``sum_squares``, ``bucket_limit``, ``bucket``); or
``tagged_run_metadata`` (``tag``, ``run_metadata``: serialized), from ``add_run_metadata``. ``HasField(name)`` says which is set, as on TF's protocol buffer objects.

The file is TFRecords of serialized ``Event`` protocol buffers (``minidl/io/event_file.py`` writes them); each
record's checksums are verified: the events before a damaged or cut-short record (a writer that crashed, or is
still writing) are handed out, and reaching it raises ``tf.errors.DataLossError``, as TF's iterator does.
"""
import struct

from ..io.protobuf import fields
from .tfrecords import tf_record_iterator

__all__ = ["summary_iterator"]


class _Message:
    """A decoded protocol buffer message: its fields as attributes (unset ones at their defaults; an unset message
    field is an empty message, as protocol buffers give it, so ``event.summary.value`` is ``()`` on any event)."""
    _defaults = {}

    def __init__(self, **values):
        self._set = set(values)
        for name, default in self._defaults.items():
            if name not in values and isinstance(default, type):  # a message field: a fresh empty message
                default = default()
            setattr(self, name, values.get(name, default))

    def HasField(self, name):
        if name not in self._defaults:
            raise ValueError(f'Protocol message {type(self).__name__} has no singular "{name}" field.')
        return name in self._set

    def __repr__(self):
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._defaults if name in self._set)
        return f"{type(self).__name__}({shown})"


class HistogramProto(_Message):
    _defaults = dict(min=0.0, max=0.0, num=0.0, sum=0.0, sum_squares=0.0, bucket_limit=(), bucket=())


class Image(_Message):
    _defaults = dict(height=0, width=0, colorspace=0, encoded_image_string=b"")


class Value(_Message):
    _defaults = dict(tag="", simple_value=0.0, image=Image, histo=HistogramProto)


class Summary(_Message):
    _defaults = dict(value=())


class TaggedRunMetadata(_Message):
    _defaults = dict(tag="", run_metadata=b"")


class Event(_Message):
    _defaults = dict(wall_time=0.0, step=0, file_version="", graph_def=b"", summary=Summary,
                     tagged_run_metadata=TaggedRunMetadata)


def _double(raw):
    return struct.unpack("<d", raw)[0]


def _doubles(raw):
    return tuple(struct.unpack(f"<{len(raw) // 8}d", raw))


def _histogram(data):
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    values = {}
    for field, raw in fields(data):
        if field in names:
            values[names[field]] = _double(raw)
        elif field in (6, 7):  # packed repeated doubles
            key = "bucket_limit" if field == 6 else "bucket"
            values[key] = values.get(key, ()) + _doubles(raw)
    return HistogramProto(**values)


def _image(data):
    names = {1: "height", 2: "width", 3: "colorspace", 4: "encoded_image_string"}
    return Image(**{names[field]: raw for field, raw in fields(data) if field in names})


def _value(data):
    values = {}
    for field, raw in fields(data):
        if field == 1:
            values["tag"] = raw.decode("utf-8")
        elif field == 2:
            values["simple_value"] = struct.unpack("<f", raw)[0]
        elif field == 4:
            values["image"] = _image(raw)
        elif field == 5:
            values["histo"] = _histogram(raw)
    return Value(**values)


def _event(data):
    values = {}
    for field, raw in fields(data):
        if field == 1:
            values["wall_time"] = _double(raw)
        elif field == 2:
            values["step"] = raw - (1 << 64) if raw >= 1 << 63 else raw  # an int64
        elif field == 3:
            values["file_version"] = raw.decode("utf-8")
        elif field == 4:
            values["graph_def"] = raw
        elif field == 5:
            values["summary"] = Summary(value=[_value(v) for f, v in fields(raw) if f == 1])
        elif field == 8:  # (SummaryWriter.add_run_metadata)
            parts = dict(fields(raw))
            values["tagged_run_metadata"] = TaggedRunMetadata(tag=parts.get(1, b"").decode("utf-8"),
                                                              run_metadata=parts.get(2, b""))
    return Event(**values)


def summary_iterator(path):
    """The Events of the event file at ``path``, in the order they were written."""
    for record in tf_record_iterator(path):
        yield _event(record)
