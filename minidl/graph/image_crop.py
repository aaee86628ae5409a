"""``tf.image``'s crops and pads: ``crop_to_bounding_box``, ``pad_to_bounding_box``,
``resize_image_with_crop_or_pad``, ``central_crop``, and ``tf.random_crop``.

A crop keeps a window of rows and columns; a pad surrounds the image with zeros. When the offsets and sizes are
Python ints (or constants) and the image's size is known, they are a slice and ``ops.pad``. When one is known only
at run time (an image of unknown size, a random offset), the window is *gathered* instead: rows
``offset, offset + 1, ...`` with ``index_select``, and a pad gathers from the image extended by one zero row, reading
that row wherever the output lies outside the image. Either way the gradient with respect to the image comes from
the ops (it is the gradient cropped back, or padded back).

Bad offsets and sizes are TF's ``ValueError`` when they are known while the graph is built, else a run-time check
(``InvalidArgumentError`` when it runs, with the same message), as in TF.
"""
import numpy

from .. import ops
from ..backend import dtypes
from .array_ops import range as range_of, shape as shape_of
from .basics import control_dependencies
from .check_ops import Assert
from .core import get_default_graph
from .graph_ops import Const
from .image_geometry import height_axis, image_tensor
from .math_ops import graph_tensor, rank_at_run_time, to_tensor
from .random_ops import random_uniform


# ==================================================================================== ints or tensors

def _value(value):
    """An offset or size: a Python int when it is known now (an int or a constant), else an int32 tensor."""
    tensor = graph_tensor(value)
    if tensor is None:
        return int(value)
    if tensor.op.op is Const:
        return int(tensor.op.attrs["value"])
    return ops.cast(tensor, dtypes.int32)


def _known(*values):
    return all(isinstance(v, int) for v in values)


def _dim(x, axis):
    """The size of ``x`` along ``axis``: an int, or an int32 tensor read when the graph runs."""
    n = x.shape[axis]
    return int(n) if n is not None else shape_of(x)[axis]


def _require(condition, message):
    """TF's check of an argument: raise ``ValueError(message)`` now when ``condition`` is known, else return the
    run-time assertion to wait for."""
    if isinstance(condition, (bool, numpy.bool_)):
        if not condition:
            raise ValueError(message)
        return []
    return [Assert(condition, [message])]


def _maximum(a, b):
    return max(a, b) if _known(a, b) else ops.maximum(a, b)


def _minimum(a, b):
    return min(a, b) if _known(a, b) else ops.minimum(a, b)


def _positions(count):
    """0, 1, ..., count - 1 as an int32 tensor."""
    return to_tensor(numpy.arange(count, dtype=numpy.int32)) if _known(count) else range_of(0, count)


# ==================================================================================== windows and pads

def _window(x, axis, start, size):
    """``x[..., start:start + size, ...]`` along ``axis``: a slice, or a gather when start or size is a tensor."""
    if _known(start, size):
        return ops.getitem(x, (slice(None),) * axis + (slice(start, start + size),))
    return ops.index_select(x, axis, ops.add(_positions(size), start))


def _place(x, axis, offset, target):
    """``x`` placed at ``offset`` in ``target`` positions along ``axis``, zeros around it."""
    size = _dim(x, axis)
    trailing = [0, 0] * (x.ndim - 1 - axis)  # ops.pad lists the amounts from the last dim on
    if _known(offset, target, size):
        return ops.pad(x, trailing + [offset, target - offset - size])
    extended = ops.pad(x, trailing + [0, 1])  # one zero slice at the end: position ``size`` reads zeros
    shifted = ops.sub(_positions(target), offset)
    inside = ops.logical_and(ops.ge(shifted, 0), ops.lt(shifted, size))
    return ops.index_select(extended, axis, ops.where(inside, shifted, size))


def _sized(x, rows, height, width):
    """``x`` told its height and width where they are ints (a slice of a dim of unknown size cannot infer them)."""
    dims = [None] * x.ndim
    dims[rows], dims[rows + 1] = (d if _known(d) else None for d in (height, width))
    x.set_shape(dims)
    return x


# ======================================================================================== tf.image

@rank_at_run_time
def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The ``target_height`` × ``target_width`` window of the image whose top-left corner is at
    (``offset_height``, ``offset_width``)."""
    with get_default_graph().name_scope("crop_to_bounding_box"):
        x = image_tensor(image)
        rows = height_axis(x)
        top, left, height, width = (_value(v) for v in (offset_height, offset_width, target_height, target_width))
        checks = (_require(left >= 0, "offset_width must be >= 0.") + _require(top >= 0, "offset_height must be >= 0.")
                  + _require(width > 0, "target_width must be > 0.")
                  + _require(height > 0, "target_height must be > 0.")
                  + _require(_dim(x, rows + 1) >= width + left, "width must be >= target + offset.")
                  + _require(_dim(x, rows) >= height + top, "height must be >= target + offset."))
        with control_dependencies(checks):
            return _sized(_window(_window(x, rows, top, height), rows + 1, left, width), rows, height, width)


@rank_at_run_time
def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The image placed with its top-left corner at (``offset_height``, ``offset_width``) in a zero image of
    ``target_height`` × ``target_width``."""
    with get_default_graph().name_scope("pad_to_bounding_box"):
        x = image_tensor(image)
        rows = height_axis(x)
        top, left, height, width = (_value(v) for v in (offset_height, offset_width, target_height, target_width))
        checks = (_require(top >= 0, "offset_height must be >= 0") + _require(left >= 0, "offset_width must be >= 0")
                  + _require(width - left - _dim(x, rows + 1) >= 0, "width must be <= target - offset")
                  + _require(height - top - _dim(x, rows) >= 0, "height must be <= target - offset"))
        with control_dependencies(checks):
            return _sized(_place(_place(x, rows, top, height), rows + 1, left, width), rows, height, width)


@rank_at_run_time
def resize_image_with_crop_or_pad(image, target_height, target_width):
    """The image brought to ``target_height`` × ``target_width`` around its centre: cropped where it is larger,
    padded with zeros where it is smaller (an odd difference leaves the extra row or column at the bottom/right)."""
    with get_default_graph().name_scope("resize_image_with_crop_or_pad"):
        x = image_tensor(image)
        rows = height_axis(x)
        height, width = _value(target_height), _value(target_width)
        checks = _require(width > 0, "target_width must be > 0.") + _require(height > 0, "target_height must be > 0.")
        in_height, in_width = _dim(x, rows), _dim(x, rows + 1)
        with control_dependencies(checks):
            cropped = crop_to_bounding_box(x, _maximum(-(height - in_height) // 2, 0),
                                           _maximum(-(width - in_width) // 2, 0),
                                           _minimum(height, in_height), _minimum(width, in_width))
            return pad_to_bounding_box(cropped, _maximum((height - in_height) // 2, 0),
                                       _maximum((width - in_width) // 2, 0), height, width)


def central_crop(image, central_fraction):
    """The central ``central_fraction`` (in (0, 1]) of the image's height and width: ``start = int((n - n·f) / 2)``
    rows (and columns) are cut from each side."""
    with get_default_graph().name_scope("central_crop"):
        x = image_tensor(image)
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return x
        rows = height_axis(x)
        for axis in (rows, rows + 1):
            n = _dim(x, axis)
            if _known(n):
                start = int((n - n * central_fraction) / 2)
            else:
                n_float = ops.cast(n, dtypes.float64)
                start = ops.cast(ops.div(ops.sub(n_float, ops.mul(n_float, central_fraction)), 2), dtypes.int32)
            x = _window(x, axis, start, n - start * 2)
        return x


def random_crop(value, size, seed=None, name=None):
    """A window of shape ``size`` (one entry per dim of ``value``) at a random offset, uniform over the offsets
    that fit. The offset is drawn (with the graph-level and op-level seeds, as every random op) by each run; a
    ``size`` larger than ``value`` fails when the graph runs: "Need value.shape >= size"."""
    with get_default_graph().name_scope(name or "random_crop"):
        x = to_tensor(value)
        if not x.shape.rank_known:
            raise ValueError("random_crop needs a value of known rank")
        sizes = to_tensor(size, dtypes.int32)
        if sizes.shape.rank_known and (len(sizes.shape) != 1 or sizes.shape[0] not in (None, x.ndim)):
            raise ValueError(f"Dimensions must be equal, but are {x.ndim} and {sizes.shape} for "
                             f"'random_crop/GreaterEqual' (op: 'GreaterEqual'): size needs one entry per dimension "
                             f"of the value {x.shape}")
        shape = shape_of(x)
        check = Assert(ops.all(ops.ge(shape, sizes)), ["Need value.shape >= size, got ", shape, sizes], summarize=1000)
        with control_dependencies([check]):
            # a random int below 2**31 - 1, modulo the number of offsets that fit: TF's way to draw them all at once
            limit = ops.add(ops.sub(shape, sizes), 1)
            offsets = ops.remainder(random_uniform([x.ndim], maxval=numpy.iinfo(numpy.int32).max,
                                                   dtype=dtypes.int32, seed=seed), limit)
            for axis in range(x.ndim):
                crop = _value(ops.getitem(sizes, axis) if sizes.op.op is not Const else sizes.op.attrs["value"][axis])
                if not _known(crop) or crop != x.shape[axis]:  # a whole dim needs no window
                    x = _window(x, axis, ops.getitem(offsets, axis), crop)
        return x


resize_with_crop_or_pad = resize_image_with_crop_or_pad  # its TF 2 name, also in TF 1.15
