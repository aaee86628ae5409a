"""``utils.tensorboard.SummaryWriter``: log scalars, histograms, images, text and the autograd graph for
TensorBoard, as ``torch.utils.tensorboard`` does::

    from minidl.eager.utils.tensorboard import SummaryWriter
    writer = SummaryWriter()                       # runs/<Mon><day>_<hh-mm-ss>_<hostname>
    for step in range(n):
        ...
        writer.add_scalar("loss/train", loss.item(), step)
    writer.add_histogram("fc1.weight", model.fc1.weight, step)
    writer.close()                                 # then: tensorboard --logdir runs

Each writer appends Events to a new event file in its log directory; the file format (protocol buffers framed
as TFRecords) is written by hand in ``minidl/io/event_file.py``, so neither TensorFlow nor the tensorboard
package is needed to write logs — only to view them.
"""
import datetime
import math
import os
import socket
import time

import numpy

from ...io import event_file
from ...io.histogram import histogram_fields, histogram_fields_numpy
from ...io.png import encode_png


def _as_array(value):
    """A tensor (any device, with or without grad), numpy array or number, as a numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return numpy.asarray(value)


class SummaryWriter:
    """Writes summaries to an event file in ``log_dir`` (default ``runs/<time>_<hostname><comment>``).

    Events are buffered and reach the disk every ``flush_secs`` seconds, on ``flush()``, on ``close()`` and at
    exit. ``add_scalars`` writes each of its curves to a sub-directory, so TensorBoard can draw them in one chart.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if log_dir is None:
            now = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{now}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self._flush_secs, self._suffix = flush_secs, filename_suffix
        self._writer = event_file.EventFileWriter(self.log_dir, flush_secs, filename_suffix)
        self._curve_writers = {}  # add_scalars' sub-directories

    def get_logdir(self):
        return self.log_dir

    # ------------------------------------------------------------------------------------------- summaries
    def _add(self, values, global_step, walltime, writer=None):
        step = None if global_step is None else int(_as_array(global_step))
        serialized = event_file.event(time.time() if walltime is None else walltime, step,
                                      summary=event_file.summary(values))
        (writer or self._writer).add_event(serialized)

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One point ``(global_step, scalar_value)`` of the curve ``tag`` (a number or a one-element tensor)."""
        self._add([event_file.scalar_value(tag, _scalar(scalar_value, tag))], global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves in one chart ``main_tag``: curve ``t`` goes to ``log_dir/<main_tag>_<t>``."""
        for tag, value in tag_scalar_dict.items():
            directory = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            if directory not in self._curve_writers:
                self._curve_writers[directory] = event_file.EventFileWriter(directory, self._flush_secs,
                                                                            self._suffix)
            self._add([event_file.scalar_value(main_tag, _scalar(value, tag))], global_step, walltime,
                      self._curve_writers[directory])

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The distribution of all elements of ``values``; ``bins="tensorflow"`` uses TF's exponential buckets,
        anything else is passed to ``numpy.histogram`` (a count, edges, or a rule like ``"auto"``)."""
        values = _as_array(values).astype(numpy.float64).reshape(-1)
        if values.size == 0 or not numpy.isfinite(values).all():
            raise ValueError(f"add_histogram('{tag}'): the values must be non-empty and finite (no NaN/inf)")
        fields = histogram_fields(values) if bins == "tensorflow" else histogram_fields_numpy(values, bins)
        self._add([event_file.histogram_value(tag, *fields)], global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image: floats in [0, 1] (scaled by 255) or uint8, laid out as ``dataformats`` (CHW, HWC or HW) with
        1, 3 or 4 channels."""
        image = _to_hwc(_as_array(img_tensor), dataformats, tag)
        self._add([_image_value(tag, image)], global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images (NCHW or NHWC) shown as one grid, about as many columns as rows."""
        batch = _as_array(img_tensor)
        if dataformats not in ("NCHW", "NHWC") or batch.ndim != 4:
            raise ValueError(f"add_images('{tag}'): expected a 4-D batch with dataformats NCHW or NHWC, got shape "
                             f"{batch.shape} and {dataformats!r}")
        images = [_to_hwc(image, dataformats[1:], tag) for image in batch]
        self._add([_image_value(tag, _grid(images))], global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Text (rendered as Markdown by TensorBoard) under ``<tag>/text_summary``, as PyTorch tags it."""
        value = event_file.text_value(f"{tag}/text_summary", [text_string.encode("utf-8")], (1,))
        self._add([value], global_step, walltime)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The autograd graph of ``model(input_to_model)`` for TensorBoard's graph tab: one node per recorded
        op (named after its forward op, e.g. ``Addmm``) and one per parameter (its name in the model). Only ops
        recorded on the tape appear — those between the parameters and the output (eager mode records nothing
        else; PyTorch's tracer would also show ops on the input alone)."""
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        outputs = model(*inputs)
        outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
        names = {id(p): name.replace(".", "/") for name, p in model.named_parameters()}
        nodes = _tape_nodes([o.grad_fn for o in outputs if getattr(o, "grad_fn", None) is not None], names)
        self._writer.add_event(event_file.event(time.time(), graph_def=event_file.graph_def(nodes)))

    # ----------------------------------------------------------------------------------------------- files
    def flush(self):
        for writer in [self._writer, *self._curve_writers.values()]:
            writer.flush()

    def close(self):
        for writer in [self._writer, *self._curve_writers.values()]:
            writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _scalar(value, tag):
    array = _as_array(value)
    if array.size != 1:
        raise ValueError(f"add_scalar('{tag}'): expected one number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def _to_hwc(image, dataformats, tag):
    """``image`` as uint8 (height, width, channels): floats are taken to be in [0, 1] and scaled by 255."""
    layouts = {"CHW": (1, 2, 0), "HWC": (0, 1, 2), "HW": None}
    if dataformats not in layouts or image.ndim != len(dataformats):
        raise ValueError(f"add_image('{tag}'): image of shape {image.shape} does not match dataformats "
                         f"{dataformats!r} (one of CHW, HWC, HW)")
    image = image[..., None] if dataformats == "HW" else image.transpose(layouts[dataformats])
    if image.shape[2] not in (1, 3, 4):
        raise ValueError(f"add_image('{tag}'): expected 1, 3 or 4 channels, got {image.shape[2]}")
    if image.dtype != numpy.uint8:
        image = (image.astype(numpy.float64) * 255).clip(0, 255).round().astype(numpy.uint8)
    return image


def _grid(images):
    """Equal-sized HWC images tiled row by row into one image, ``ceil(sqrt(n))`` per row (blank cells black)."""
    columns = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / columns)
    height, width, channels = images[0].shape
    grid = numpy.zeros((rows * height, columns * width, channels), numpy.uint8)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        grid[r * height:(r + 1) * height, c * width:(c + 1) * width] = image
    return grid


def _image_value(tag, image):
    height, width, channels = image.shape
    return event_file.image_value(tag, height, width, channels, encode_png(image))


def _tape_nodes(roots, parameter_names):
    """``(name, op, inputs, device)`` for every node of the autograd graph reachable from ``roots``: a node's
    inputs are what its ``next_functions`` lead to (the tape points from each result back to its inputs)."""
    names, nodes, order = {}, [], []
    stack = list(roots)
    while stack:  # an iterative walk: a long tape must not hit Python's recursion limit
        fn = stack.pop()
        if fn is None or id(fn) in names:
            continue
        variable = getattr(fn, "variable", None)
        if variable is not None:
            names[id(fn)] = parameter_names.get(id(variable), f"leaf_{len(names)}")
        else:
            names[id(fn)] = f"{_forward_op(fn)}_{len(names)}"
        order.append(fn)
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    for fn in reversed(order):
        if getattr(fn, "variable", None) is not None:
            nodes.append((names[id(fn)], "Parameter", [], ""))
        else:
            inputs = [names[id(n)] for n, _ in fn.next_functions if n is not None]
            nodes.append((names[id(fn)], _forward_op(fn), inputs, ""))
    return nodes


def _forward_op(fn):
    """The forward op a tape node recorded: ``AddmmBackward0`` was an ``Addmm``."""
    return fn.name().removesuffix("Backward0")
