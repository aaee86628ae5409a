"""``tf.summary``: record values while training, for TensorBoard.

A summary op is an ordinary graph op whose value is a **serialized ``Summary`` protocol buffer** — a 0-d string
tensor. Nothing is written until you fetch it and hand the bytes to a ``FileWriter``::

    tf.summary.scalar("loss", loss)                      # op "loss", tag "loss", in the SUMMARIES collection
    tf.summary.histogram("weights", W)
    tf.summary.image("inputs", x_image, max_outputs=3)   # tags inputs/image/0, /1, /2: PNGs in TensorBoard
    tf.summary.audio("speech", waves, 16000)             # tags speech/audio/0, /1, /2: WAV files
    merged = tf.summary.merge_all()                      # one op producing all of them
    writer = tf.summary.FileWriter("logs", sess.graph)   # also shows the graph in TensorBoard's graph tab
    for step in range(n):
        _, s = sess.run([train_op, merged], feed_dict)
        writer.add_summary(s, step)
    writer.close()                                       # then: tensorboard --logdir logs

Tags are the op's name: a summary made inside ``name_scope("train")`` is tagged ``train/loss``, and a second
``scalar("loss", ...)`` becomes ``loss_1``. With ``family="f"`` the op is ``f/loss`` and the tag ``f/f/loss``
(TF1 repeats the family so TensorBoard groups the tag under it).

The encoding (protocol buffers, TFRecords) is in ``minidl/io/protobuf.py`` and ``minidl/io/event_file.py``. The
messages this module builds itself, beside those::

    Summary.Value    { ... Audio audio = 6; }
    Audio            { float sample_rate = 1; int64 num_channels = 2; int64 length_frames = 3;
                       bytes encoded_audio_string = 4; string content_type = 5; }
    SummaryMetadata  { PluginData plugin_data = 1; string display_name = 2; string summary_description = 3; }
    TensorProto      { ... bytes tensor_content = 4; }     (the values' raw little-endian bytes, row-major)
"""
import contextlib
import re
import threading
import time
import warnings

import numpy

from ..backend import device as parse_device, to_device
from ..io import event_file
from ..io.histogram import histogram_fields
from ..io.png import encode_png
from ..io.protobuf import bytes_field, float_field, int_field
from ..io.wav import encode_wav
from ..ops.base import Spec
from . import errors
from .core import GraphKeys, Graph, get_default_graph
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .math_ops import REALS, check_dtype
from .strings import string

__all__ = ["FileWriter", "FileWriterCache", "Summary", "audio", "histogram", "image", "merge", "merge_all", "scalar",
           "tensor_summary", "text"]


# ================================================================================================ graph ops

def _host(array):
    return numpy.asarray(to_device(array, parse_device("cpu")))


def _string_scalar(data):
    """``data`` (bytes) as a 0-d string tensor value."""
    out = numpy.empty((), dtype=string)
    out[()] = data
    return out


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


class ScalarSummary(GraphOp):
    """A Summary with one ``simple_value`` (as float32) under attr ``tag``, from a real 0-d input."""

    @staticmethod
    def execute(session, operation, arrays):
        tag, value = operation.attrs["tag"], _host(arrays[0])
        if value.ndim != 0:
            raise errors.InvalidArgumentError(None, operation, f"tags and values not the same shape: [] != "
                                                                f"{_dims(value.shape)} (tag '{tag}')")
        return (_string_scalar(event_file.summary([event_file.scalar_value(tag, float(value))])),)


class HistogramSummary(GraphOp):
    """A Summary with the ``HistogramProto`` of all the input's elements, under attr ``tag``."""

    @staticmethod
    def execute(session, operation, arrays):
        tag, values = operation.attrs["tag"], _host(arrays[0]).astype(numpy.float64).reshape(-1)
        if not numpy.isfinite(values).all():
            raise errors.InvalidArgumentError(None, operation, f"Nan in summary histogram for: {tag}")
        value = event_file.histogram_value(tag, *histogram_fields(values))
        return (_string_scalar(event_file.summary([value])),)


def _numbered_tags(tag, kind, max_outputs, count):
    """The tags of ``count`` images or clips: ``<tag>/<kind>/<i>``, or ``<tag>/<kind>`` when ``max_outputs`` is 1."""
    return [f"{tag}/{kind}" if max_outputs == 1 else f"{tag}/{kind}/{i}" for i in range(count)]


class ImageSummary(GraphOp):
    """A Summary with the first ``max_outputs`` images of a (batch, height, width, channels) input, PNG-encoded;
    tags ``<tag>/image/<i>``, or ``<tag>/image`` when ``max_outputs`` is 1."""

    @staticmethod
    def execute(session, operation, arrays):
        tag, max_outputs = operation.attrs["tag"], operation.attrs["max_outputs"]
        images = _host(arrays[0])[:max_outputs]
        values = []
        for image_tag, image in zip(_numbered_tags(tag, "image", max_outputs, len(images)), images):
            pixels = image if image.dtype == numpy.uint8 else _float_image_to_uint8(image)
            values.append(event_file.image_value(image_tag, *image.shape, encode_png(pixels)))
        return (_string_scalar(event_file.summary(values)),)


def _float_image_to_uint8(image):
    """TF's normalization of one float image into [0, 255] (its summary kernel's): with all values >= 0, v · 255 /
    max; otherwise 128 + v · 127 / max|v|, so 0.0 is 128 — each truncated to an integer, as a cast to uint8 does
    (a largest value below 1e-6 scales everything to 0). Pixels that are NaN or infinite are drawn in TF's "bad
    colour" (opaque red)."""
    finite = numpy.isfinite(image).all(axis=-1, keepdims=True)
    values = numpy.where(finite, image, 0).astype(numpy.float32)
    low, high = float(values.min()), float(values.max())
    if low < 0:
        largest = max(-low, abs(high))
        scale, offset = numpy.float32(0 if largest < 1e-6 else 127 / largest), numpy.float32(128)
    else:
        scale, offset = numpy.float32(0 if high < 1e-6 else 255 / high), numpy.float32(0)
    bad = numpy.array([255, 0, 0, 255][:image.shape[-1]], numpy.uint8)
    return numpy.where(finite, (values * scale + offset).clip(0, 255).astype(numpy.uint8), bad)


class AudioSummary(GraphOp):
    """A Summary with the first ``max_outputs`` clips of a (batch, frames, channels) or (batch, frames) float32
    input, each a 16-bit WAV file; tags ``<tag>/audio/<i>``, or ``<tag>/audio`` when ``max_outputs`` is 1. The
    second input is the sample rate (Hz): the Summary keeps it as given, the WAV header rounded to an integer
    (at least 1)."""
    name = "AudioSummaryV2"

    @staticmethod
    def execute(session, operation, arrays):
        tag, max_outputs = operation.attrs["tag"], operation.attrs["max_outputs"]
        clips, sample_rate = _host(arrays[0]), _host(arrays[1])
        if clips.ndim not in (2, 3):
            raise errors.InvalidArgumentError(None, operation, f"Tensor must be 3-D or 2-D, got: {_dims(clips.shape)}")
        if sample_rate.ndim != 0:
            raise errors.InvalidArgumentError(None, operation, f"sample_rate must be a scalar, got shape "
                                                                f"{_dims(sample_rate.shape)}")
        sample_rate = float(sample_rate)
        if not sample_rate > 0:
            raise errors.InvalidArgumentError(None, operation, f"sample_rate must be > 0, got {sample_rate}")
        batch, frames = clips.shape[:2]
        channels = 1 if clips.ndim == 2 else clips.shape[2]
        clips = clips.reshape(batch, frames, channels)[:max_outputs]
        values = []
        for clip_tag, clip in zip(_numbered_tags(tag, "audio", max_outputs, len(clips)), clips):
            try:
                wav = encode_wav(clip, max(int(numpy.rint(sample_rate)), 1))
            except ValueError as error:  # no frames, too many channels, too long for a WAV file
                raise errors.InvalidArgumentError(None, operation, f"{error} (tag '{tag}')") from None
            audio = (float_field(1, sample_rate) + int_field(2, channels) + int_field(3, frames) +
                     bytes_field(4, wav) + bytes_field(5, "audio/wav"))
            values.append(bytes_field(1, clip_tag) + bytes_field(6, audio))
        return (_string_scalar(event_file.summary(values)),)


class TensorSummary(GraphOp):
    """A Summary with the input itself as a ``TensorProto`` under attr ``tag``, and attr ``metadata`` (a serialized
    SummaryMetadata) as its metadata. Strings go one by one into ``string_val``, numbers as their raw bytes into
    ``tensor_content``, as TF's op writes them."""
    name = "TensorSummaryV2"

    @staticmethod
    def execute(session, operation, arrays):
        dtype = operation.inputs[0].dtype
        values = arrays[0] if dtype == string else _host(arrays[0])
        dims = b"".join(bytes_field(2, int_field(1, d)) for d in values.shape)
        tensor = int_field(1, dtype.as_datatype_enum) + bytes_field(2, dims)
        if dtype == string:
            tensor += b"".join(bytes_field(8, s) for s in values.flat)
        else:
            tensor += bytes_field(4, numpy.ascontiguousarray(values, values.dtype.newbyteorder("<")).tobytes())
        value = bytes_field(1, operation.attrs["tag"]) + bytes_field(8, tensor) + \
            bytes_field(9, operation.attrs["metadata"])
        return (_string_scalar(event_file.summary([value])),)


class MergeSummary(GraphOp):
    """The concatenation of serialized Summaries. Concatenated protobuf messages parse as one message with the
    repeated ``value`` fields of all of them (``minidl/io/protobuf.py``), so this *is* their merge."""

    @staticmethod
    def execute(session, operation, arrays):
        return (_string_scalar(b"".join(part for array in arrays for part in array.flat)),)


# ============================================================================================ the functions

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]", re.ASCII)


def _clean_tag(name):
    """TF's cleanup of a summary name: characters other than letters, digits, ``_-/.`` become ``_``; no leading /."""
    return None if name is None else _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


@contextlib.contextmanager
def _summary_scope(name, family):
    """A name scope for the summary's ops; yields (tag, op name). See the module docstring for the naming."""
    name, family = _clean_tag(name), _clean_tag(family)
    with get_default_graph().name_scope(name if family is None else f"{family}/{name}") as scope:
        op_name = scope.rstrip("/")
        yield (op_name if family is None else f"{family}/{op_name}"), op_name


def _summary_op(op, tag, op_name, inputs, collections, **attrs):
    graph = get_default_graph()
    operation = graph.create_op(op, inputs, {"tag": tag, **attrs}, [Spec((), string)], name=op_name, unique=False)
    out = operation.outputs[0]
    graph.add_to_collections([GraphKeys.SUMMARIES] if collections is None else collections, out)
    return out


def _check_max_outputs(max_outputs):
    if max_outputs < 1:
        raise ValueError(f"max_outputs must be at least 1, got {max_outputs}")
    return int(max_outputs)


def scalar(name, tensor, collections=None, family=None):
    """A summary op recording the real scalar ``tensor`` under tag ``name`` (TensorBoard's scalars dashboard).

    Added to ``collections`` (default ``[GraphKeys.SUMMARIES]``, what ``merge_all`` collects)."""
    with _summary_scope(name, family) as (tag, op_name):
        tensor = check_dtype(convert_to_tensor(tensor), REALS, "values")
        if tensor.shape.rank_known and tensor.shape.rank != 0:
            raise ValueError(f"tags and values not the same shape: [] != {_dims(tensor.shape)} (tag '{tag}'): "
                             f"tf.summary.scalar records one number; {tensor.name} has shape {tensor.shape}")
        return _summary_op(ScalarSummary, tag, op_name, [tensor], collections)


def histogram(name, values, collections=None, family=None):
    """A summary op recording the distribution of all elements of ``values`` (TensorBoard's histograms and
    distributions dashboards). Running it with a NaN or infinity among the values is an InvalidArgumentError."""
    with _summary_scope(name, family) as (tag, op_name):
        values = check_dtype(convert_to_tensor(values), REALS, "values")
        return _summary_op(HistogramSummary, tag, op_name, [values], collections)


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """A summary op recording the first ``max_outputs`` images of the 4-D ``tensor`` (batch, height, width,
    channels), channels 1 (grey), 3 (RGB) or 4 (RGBA); uint8 as they are, floats normalized per image (see
    ``_float_image_to_uint8``). TensorBoard's images dashboard shows them."""
    with _summary_scope(name, family) as (tag, op_name):
        tensor = check_dtype(convert_to_tensor(tensor), ("uint8", "float16", "float32", "float64"), "tensor")
        shape = tensor.shape
        if shape.rank_known and (shape.rank != 4 or shape.as_list()[-1] not in (1, 3, 4, None)):
            raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_dims(shape.as_list())} "
                             f"({tensor.name})")
        return _summary_op(ImageSummary, tag, op_name, [tensor], collections,
                           max_outputs=_check_max_outputs(max_outputs))


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """A summary op recording the first ``max_outputs`` clips of ``tensor`` — float32 of shape (batch, frames,
    channels), or (batch, frames) for one channel, samples in [-1, 1] — as 16-bit WAV files (``minidl/io/wav.py``)
    that play at ``sample_rate`` Hz (a positive float32 scalar). TensorBoard's audio dashboard plays them; tags
    ``<name>/audio/<i>``, or ``<name>/audio`` when ``max_outputs`` is 1."""
    with _summary_scope(name, family) as (tag, op_name):
        tensor = check_dtype(convert_to_tensor(tensor), ("float32",), "tensor")
        sample_rate = convert_to_tensor(sample_rate, "float32")
        if tensor.shape.rank_known and tensor.shape.rank not in (2, 3):
            raise ValueError(f"Tensor must be 3-D or 2-D (batch, frames[, channels]), got: "
                             f"{_dims(tensor.shape.as_list())} ({tensor.name})")
        if sample_rate.shape.rank_known and sample_rate.shape.rank != 0:
            raise ValueError(f"sample_rate must be a scalar, got shape {sample_rate.shape} ({sample_rate.name})")
        return _summary_op(AudioSummary, tag, op_name, [tensor, sample_rate], collections,
                           max_outputs=_check_max_outputs(max_outputs))


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None, family=None,
                   display_name=None):
    """A summary op recording ``tensor`` itself, any dtype and shape, as a ``TensorProto`` — for TensorBoard
    plugins that read tensors. ``summary_metadata``: a ``SummaryMetadata`` (an object with ``SerializeToString``,
    or its bytes), which says the plugin; ``display_name`` and ``summary_description`` are set in it (appended to
    its serialization: the last value of a protobuf field wins)."""
    metadata = b"" if summary_metadata is None else _as_bytes(summary_metadata, "SummaryMetadata")
    if display_name is not None:
        metadata += bytes_field(2, display_name)
    if summary_description is not None:
        metadata += bytes_field(3, summary_description)
    with _summary_scope(name, family) as (tag, op_name):
        return _summary_op(TensorSummary, tag, op_name, [convert_to_tensor(tensor)], collections,
                           metadata=metadata)


_TEXT_PLUGIN = bytes_field(1, bytes_field(1, "text"))  # SummaryMetadata { plugin_data { plugin_name: "text" } }


def text(name, tensor, collections=None):
    """A summary op recording a string tensor (TensorBoard's text dashboard renders it as Markdown): a
    ``tensor_summary`` marked for the text plugin."""
    tensor = convert_to_tensor(tensor)
    if tensor.dtype != string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype.name}")
    return tensor_summary(name, tensor, collections=collections, summary_metadata=_TEXT_PLUGIN)


def merge(inputs, collections=None, name=None):
    """One op producing the Summary that holds all the values of the Summaries ``inputs`` (string tensors)."""
    inputs = [convert_to_tensor(t) for t in inputs]
    for t in inputs:
        if t.dtype != string:
            raise TypeError(f"Input 'inputs' of 'MergeSummary' Op has type {t.dtype.name} that does not match "
                            f"expected type of string: {t.name} is not a serialized Summary")
    graph = get_default_graph()
    with graph.name_scope(name or "Merge"):
        out = graph.create_op(MergeSummary, inputs, {}, [Spec((), string)], name="MergeSummary").outputs[0]
    graph.add_to_collections(collections or [], out)
    return out


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """``merge`` of every summary in collection ``key`` (optionally only names matching ``scope``); None if there
    are none (so check before fetching it)."""
    summaries = get_default_graph().get_collection(key, scope)
    return merge(summaries, name=name) if summaries else None


# ============================================================================================== writing

def _as_bytes(message, what):
    """A serialized message given as bytes, a fetched 0-d string array, or an object with ``SerializeToString``."""
    if isinstance(message, numpy.ndarray) and message.dtype == string and message.ndim == 0:
        message = message.item()
    if isinstance(message, (bytes, bytearray)):
        return bytes(message)
    serialize = getattr(message, "SerializeToString", None)
    if serialize is None:
        raise TypeError(f"{what} must be a serialized {what} (the bytes a summary op produces) or a tf.{what}, "
                        f"got {type(message).__name__}")
    return serialize()


def _serialize_graph(graph):
    """``graph`` as a serialized GraphDef: each operation's name, type, inputs and device."""
    def input_name(t):
        return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"
    return event_file.graph_def(
        (op.name, op.type, [input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs],
         op.device if isinstance(op.device, str) else "")
        for op in graph.get_operations())


class FileWriter:
    """Writes summaries and graphs to a new event file ``events.out.tfevents.<time>.<hostname>`` in ``logdir``
    (created if missing), for ``tensorboard --logdir``.

    ``graph`` (e.g. ``sess.graph``) is written first, for the graph tab. Events reach the disk at the latest
    ``flush_secs`` after the previous flush, and on ``flush()``/``close()``; ``max_queue`` is accepted for
    compatibility (events are written as they come, there is no queue). After ``close()``, writing warns and does
    nothing, as in TF1, until ``reopen()`` starts a new file. Also a context manager that closes on exit.
    ``session`` (TF's writer run by a session's ops) is accepted: the events are written here as without it.
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None,
                 session=None):
        self._options = (logdir, flush_secs, filename_suffix)
        self.event_writer = event_file.EventFileWriter(*self._options)
        self._closed = False
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self):
        return self.event_writer.logdir

    def add_summary(self, summary, global_step=None):
        """Write ``summary`` (what a summary op's fetch returned, or a ``tf.Summary``) at step ``global_step``."""
        data = _as_bytes(summary, "Summary")
        self._write(event_file.event(time.time(), _step(global_step), summary=data))

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Write ``graph`` (a ``tf.Graph``), or a ``GraphDef`` (``sess.graph_def``; as ``graph`` too, as TF1's
        ``FileWriter(logdir, sess.graph_def)`` passes it), or an already serialized one, for the graph tab."""
        from .graph_def import GraphDef  # (it builds on the graph, which builds on this module)
        if isinstance(graph, GraphDef) and graph_def is None:
            graph, graph_def = None, graph
        if isinstance(graph_def, GraphDef):
            graph_def = event_file.graph_def((node.name, node.op, node.input, node.device) for node in graph_def.node)
        elif graph_def is None:
            if not isinstance(graph, Graph):
                raise TypeError(f"add_graph expects a tf.Graph (e.g. sess.graph), got {type(graph).__name__}")
            graph_def = _serialize_graph(graph)
        self._write(event_file.event(time.time(), _step(global_step), graph_def=bytes(graph_def)))

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Write ``run_metadata`` (a ``tf.RunMetadata``) under ``tag``, for the graph tab's "Session runs" list."""
        data = _as_bytes(run_metadata, "RunMetadata")
        self._write(event_file.event(time.time(), _step(global_step), tagged_run_metadata=(tag, data)))

    def add_event(self, event):
        """Write ``event``: a serialized ``Event`` (bytes), or an object with ``SerializeToString``."""
        self._write(_as_bytes(event, "Event"))

    def _write(self, serialized_event):
        if not self._warn_if_closed():
            self.event_writer.add_event(serialized_event)

    def _warn_if_closed(self):
        if self._closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop unless the "
                           "FileWriter is explicitly reopened.", stacklevel=3)
        return self._closed

    def flush(self):
        if not self._warn_if_closed():
            self.event_writer.flush()

    def close(self):
        if not self._closed:
            self.event_writer.close()
            self._closed = True

    def reopen(self):
        """After ``close()``: go on writing, into a new event file in the same directory."""
        if self._closed:
            self.event_writer = event_file.EventFileWriter(*self._options)
            self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _step(global_step):
    return None if global_step is None else int(global_step)


class FileWriterCache:
    """One shared ``FileWriter`` per logdir: ``FileWriterCache.get(logdir)`` (writing the default graph)."""
    _cache = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir):
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                writer = FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return writer

    @staticmethod
    def clear():
        """Close and forget every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()


class Summary:
    """A Summary of numbers computed in Python, e.g. a validation accuracy::

        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="accuracy", simple_value=acc)]), step)

    (or ``s = tf.Summary(); s.value.add(tag="accuracy", simple_value=acc)``). Only ``simple_value`` is supported.
    """

    class Value:
        def __init__(self, tag="", simple_value=0.0):
            self.tag, self.simple_value = tag, simple_value

    class _Values(list):
        def add(self, **fields):
            value = Summary.Value(**fields)
            self.append(value)
            return value

    def __init__(self, value=None):
        self.value = Summary._Values(value or [])

    def SerializeToString(self):
        return event_file.summary([event_file.scalar_value(v.tag, v.simple_value) for v in self.value])
