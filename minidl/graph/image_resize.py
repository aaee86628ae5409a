"""``tf.image.resize_images`` (TF1's ``tf.image.resize``) and the resize ops it calls: ``resize_bilinear``,
``resize_nearest_neighbor``, ``resize_bicubic``, ``resize_area``.

Each resizes the height, then the width, with ``ops/resampling.py`` (its docstring has the math): a gather per tap
and a weighted sum, so the gradient with respect to the image comes from those ops. TF1's rules, which are not
PyTorch's:

* **coordinates**: output pixel ``i`` reads the input at ``i · in / out`` — TF1's legacy rule, which lines up the
  top-left *corners* and so shifts the image by half a pixel. ``align_corners=True`` lines up the centres of the
  corner pixels (``i · (in - 1) / (out - 1)``); ``half_pixel_centers=True`` (the ops only, not ``resize_images``)
  lines up all pixel centres (``(i + ½) · in / out - ½``), which is what PyTorch, OpenCV and TF 2 do.
* **nearest neighbour**: the pixel at ``floor(src)``; with ``align_corners``, ``src`` rounded (halves up).
* **dtypes**: bilinear, bicubic and area return float32, whatever the image's dtype (even float64); nearest keeps
  it. ``resize_images`` returns the images unchanged (dtype too) when the size is already right.

The input's size may be unknown (a placeholder of shape ``[None, None, None, 3]``), except for the area method.
The output size may be a tensor computed when the graph runs (``tf.shape(other)[1:3]``), except for the area
method and ``preserve_aspect_ratio``: the op library's ``Taps`` takes the size as an attribute, so ``TapsTo`` takes
it as an input, and the taps are gathered and weighted as ``resample`` does.
"""
import functools

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from ..ops.resampling import Rule, Taps, resample, tap_count
from . import errors
from .core import Tensor, rank_error
from .image_geometry import height_axis, image_tensor
from .math_ops import _dims, check_dtype, computed_at_run_time, constant_value, tf_op, to_tensor

_IMAGE_TYPES = ("uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


class ResizeMethod:
    """TF1's resize methods (``tf.image.ResizeMethod``): ints, as ``method=`` takes them."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_KERNELS = {ResizeMethod.BILINEAR: "linear", ResizeMethod.NEAREST_NEIGHBOR: "nearest",
            ResizeMethod.BICUBIC: "cubic", ResizeMethod.AREA: "area"}


def _size(size):
    """``size`` (new_height, new_width) as two Python ints when it is known now (a list, an array or a constant
    int32 tensor), else as two 0-d int32 tensors, read (and checked) when the graph runs."""
    tensor = to_tensor(size, dtypes.int32)
    if tensor.dtype != dtypes.int32:
        raise ValueError(f"Tensor conversion requested dtype int32 for Tensor with dtype {tensor.dtype.name}: "
                         f"{tensor!r}")
    if not tensor.shape.is_compatible_with([2]):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    if computed_at_run_time(tensor):
        return tensor[0], tensor[1]
    height, width = constant_value(tensor, "size")
    if height <= 0 or width <= 0:
        raise errors.InvalidArgumentError(None, None, f"output dimensions must be positive, got {[height, width]}")
    return height, width


class TapsTo(Op):
    """The op library's ``Taps`` (positions and weights for resampling dim ``dim`` of ``x`` by ``rule``) with the
    output size a 0-d integer tensor, read — and checked, as TF's kernel checks it — when the op runs."""
    n_outputs = 2
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, size, dim, rule):
        size = int(size)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, f"output dimensions must be positive, got {size}")
        return Taps.forward(xp, x, dim, size, rule)

    @staticmethod
    def infer(x, size, dim, rule):
        count = tap_count(rule, None, None)
        return Spec((count, None), dtypes.int64), Spec((count, None), x.dtype)


def _resample(x, dim, size, rule):
    """``resample`` (ops/resampling.py) of dim ``dim`` to ``size`` positions: a Python int, or a 0-d tensor known
    when the graph runs, whose taps come from ``TapsTo`` and are gathered and weighted as ``resample`` does."""
    if not isinstance(size, Tensor):
        return resample(x, dim, size, rule)
    if tap_count(rule, None, None) is None:  # the area kernel's count of taps depends on the sizes
        raise NotImplementedError(f"resize: the {rule.kernel!r} method needs the output size known when the graph is "
                                  "built")
    positions, weights = apply(TapsTo, x, size, dim=dim, rule=rule)
    picked = [ops.index_select(x, dim, positions[k]) for k in range(positions.shape[0])]
    if rule.kernel == "nearest":
        return picked[0]
    along = (-1,) + (1,) * (x.ndim - 1 - dim)  # a weight per position along dim, broadcast over the dims after
    return functools.reduce(ops.add, [ops.mul(p, ops.reshape(weights[k], along)) for k, p in enumerate(picked)])


def _resize(images, height, width, kernel, align_corners, half_pixel):
    """The last three dims' rows resized to ``height``, then its columns to ``width`` (each a Python int or a 0-d
    tensor), by ``kernel`` with TF's rules. All but nearest neighbour compute (and return) float32."""
    if align_corners and half_pixel:
        raise errors.InvalidArgumentError(None, None, "If half_pixel_centers is True, align_corners must be False.")
    x = images if kernel == "nearest" else ops.cast(images, dtypes.float32)  # TF's kernels compute in float32
    rule = Rule(kernel, align_corners=bool(align_corners), half_pixel=bool(half_pixel))
    rows = height_axis(x)
    return _resample(_resample(x, rows, height, rule), rows + 1, width, rule)


def _resize_op(op_type, images, size, kernel, align_corners, half_pixel):
    """A resize op (``ResizeBilinear``...): a batch (rank 4) of real-valued images."""
    x = to_tensor(images)
    if not x.shape.rank_known or x.ndim != 4:
        rank = "unknown" if not x.shape.rank_known else x.ndim
        raise rank_error(x)(f"Shape must be rank 4 but is rank {rank} for '{op_type}' (op: '{op_type}') with input "
                            f"shapes: {_dims(x)}, [2].")
    check_dtype(x, _IMAGE_TYPES, "images")
    return _resize(x, *_size(size), kernel, align_corners, half_pixel)


@tf_op("ResizeBilinear")
def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bilinear resize of a batch to ``size`` = (new_height, new_width): each output pixel mixes the 2×2 input
    pixels around its source position. Returns float32."""
    return _resize_op("ResizeBilinear", images, size, "linear", align_corners, half_pixel_centers)


@tf_op("ResizeNearestNeighbor")
def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Nearest-neighbour resize of a batch: each output pixel copies one input pixel (dtype kept)."""
    return _resize_op("ResizeNearestNeighbor", images, size, "nearest", align_corners, half_pixel_centers)


@tf_op("ResizeBicubic")
def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bicubic resize of a batch: each output pixel mixes the 4×4 input pixels around its source position with
    Keys' cubic weights. Returns float32."""
    return _resize_op("ResizeBicubic", images, size, "cubic", align_corners, half_pixel_centers)


@tf_op("ResizeArea")
def resize_area(images, size, align_corners=False, name=None):
    """Area resize of a batch: each output pixel is the mean of the input area it covers (pixels partly covered
    count in proportion), the right way to shrink an image. Returns float32."""
    return _resize_op("ResizeArea", images, size, "area", align_corners, False)


def _preserving_aspect_ratio(x, height, width):
    """The largest size within (height, width) with the image's aspect ratio, computed in float32 and rounded
    (halves to even), as TF does."""
    in_height, in_width = x.shape[height_axis(x)], x.shape[height_axis(x) + 1]
    if in_height is None or in_width is None:
        raise NotImplementedError("resize_images: preserve_aspect_ratio needs the image's height and width known "
                                  "when the graph is built")
    f32 = numpy.float32
    scale = min(f32(height) / f32(in_height), f32(width) / f32(in_width))
    return int(numpy.rint(scale * f32(in_height))), int(numpy.rint(scale * f32(in_width)))


@tf_op("resize_images")
def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None):
    """Resize an image (height, width, channels) or a batch of them to ``size`` = (new_height, new_width) by
    ``method`` (a ``ResizeMethod``). With ``preserve_aspect_ratio``, the result is the largest image of the same
    aspect ratio that fits in ``size``. Returns float32 except for NEAREST_NEIGHBOR (see the module docstring)."""
    x = image_tensor(images, "images", rank_needed_now=True)
    if method not in _KERNELS:
        raise ValueError("Resize method is not implemented.")
    height, width = _size(size)
    run_time = isinstance(height, Tensor)
    if preserve_aspect_ratio:
        if run_time:
            raise NotImplementedError("resize_images: preserve_aspect_ratio needs the size known when the graph is "
                                      "built")
        height, width = _preserving_aspect_ratio(x, height, width)
    rows = height_axis(x)
    if not run_time and (x.shape[rows], x.shape[rows + 1]) == (height, width):  # TF skips a resize to the same size
        return x
    check_dtype(x, _IMAGE_TYPES, "images")
    return _resize(x, height, width, _KERNELS[method], align_corners, False)


resize = resize_images  # TF1's tf.image.resize is resize_images
