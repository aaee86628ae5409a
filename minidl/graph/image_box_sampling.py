"""``tf.image.sample_distorted_bounding_box``: a random crop of an image that still shows enough of an object.

Inception-style data augmentation crops each training image at random, but a crop that misses the labelled object
teaches the wrong thing. This op draws crops until one meets all the constraints:

* its aspect ratio ``width / height`` is drawn uniformly from ``aspect_ratio_range``;
* its area is within ``area_range`` (fractions of the image's area);
* it covers at least ``min_object_covered`` of the area of at least one of the ``bounding_boxes`` (normalized
  ``[y_min, x_min, y_max, x_max]``; with none given, ``use_image_if_no_bounding_boxes=True`` stands in the whole
  image, else it is an error).

Each attempt, as TF's kernel makes it (pixel boxes: a normalized corner times the image size, truncated): draw
the aspect ratio ``r``; the crop height lies between ``round(sqrt(min_area / r))`` and ``round(sqrt(max_area / r))``
(lowered until ``round(h * r)`` fits the image width, and at most the image height) and is drawn uniformly there;
the width is ``round(h * r)``, one more or less row is tried when the area falls outside the range; the offsets are
drawn uniformly in ``[0, image_size - crop_size)``. After ``max_attempts`` failures the crop is the whole image.

Outputs, as TF's: ``begin = [y, x, 0]`` and ``size = [height, width, -1]`` (the dtype of ``image_size``, ready for
``tf.slice(image, begin, size)``), and ``bboxes``, the crop as a normalized ``[1, 1, 4]`` float32 box (for
``draw_bounding_boxes``). The draws are made on the host (``random_ops.RandomOp``). As TF1's op, it is seeded only
by its own ``seed`` / ``seed2`` (either non-zero: the same crops in every new session; both unset or 0: fresh
entropy) — the graph-level seed plays no part.
"""
import math
import numbers

import numpy

from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .core import get_default_graph
from .image_boxes import _shaped
from .math_ops import check_dtype, constant_value, tf_op, to_tensor
from .random_ops import RandomOp

_SIZE_TYPES = ("uint8", "int8", "int16", "int32", "int64")


def _invalid(message):
    return errors.InvalidArgumentError(None, None, f"sample_distorted_bounding_box: {message}")


def _random_crop(rng, image_width, image_height, min_area, max_area, aspect_ratio):
    """One attempt at a crop ``(x, y, width, height)`` of ``aspect_ratio`` with an area in ``[min_area, max_area]``
    (pixels), or None. ``numpy.rint`` rounds halves to even, as the kernel's ``lrintf``."""
    height = int(numpy.rint(math.sqrt(min_area / aspect_ratio)))
    max_height = int(numpy.rint(math.sqrt(max_area / aspect_ratio)))
    if numpy.rint(max_height * aspect_ratio) > image_width:  # the tallest crop whose width still fits
        max_height = int((image_width + 0.5 - 1e-7) / aspect_ratio)
        if numpy.rint(max_height * aspect_ratio) > image_width:
            max_height -= 1
    max_height = min(max_height, image_height)
    height = min(height, max_height)
    if height < max_height:
        height += int(rng.integers(max_height - height + 1))
    width = int(numpy.rint(height * aspect_ratio))
    if width * height < min_area:
        height += 1
        width = int(numpy.rint(height * aspect_ratio))
    if width * height > max_area:
        height -= 1
        width = int(numpy.rint(height * aspect_ratio))
    area = width * height
    if not (min_area <= area <= max_area and 0 < width <= image_width and 0 < height <= image_height):
        return None
    y = int(rng.integers(image_height - height)) if height < image_height else 0
    x = int(rng.integers(image_width - width)) if width < image_width else 0
    return x, y, width, height


def _covers_an_object(crop, boxes, min_object_covered):
    """Whether the crop holds at least ``min_object_covered`` of some box of area >= 1 pixel (pixel boxes
    ``[x_min, y_min, x_max, y_max]``)."""
    x, y, width, height = crop
    if width * height < 1:
        return False
    for x_min, y_min, x_max, y_max in boxes:
        area = (x_max - x_min) * (y_max - y_min)
        if area < 1:
            continue
        shared = (max(0, min(x + width, x_max) - max(x, x_min)) * max(0, min(y + height, y_max) - max(y, y_min)))
        if shared / area >= min_object_covered:
            return True
    return False


class SampleDistortedBoundingBox(RandomOp):
    """``(begin, size, bboxes)`` of one random crop (module docstring); inputs: ``image_size`` [3] and
    ``bounding_boxes`` [..., 4], ``min_object_covered`` (a scalar)."""
    name = "SampleDistortedBoundingBoxV2"

    @staticmethod
    def sample(rng, attrs, image_size, bounding_boxes, min_object_covered):
        if image_size.shape != (3,):
            raise _invalid(f"image_size must hold 3 values [height, width, channels], got shape {image_size.shape}")
        height, width = int(image_size[0]), int(image_size[1])
        if height <= 0 or width <= 0:
            raise _invalid(f"image height and width must be positive, got {image_size.tolist()}")
        covered = float(min_object_covered)
        if covered < 0:
            raise _invalid(f"min_object_covered must be non-negative, got {covered}")
        normalized = bounding_boxes.reshape(-1, 4)
        if ((normalized < 0) | (normalized > 1)).any():
            raise _invalid(f"all bounding box coordinates must be in [0.0, 1.0], got {bounding_boxes.tolist()}")
        # pixel boxes [x_min, y_min, x_max, y_max]: float32 products truncated, as the kernel's int casts
        pixels = (normalized * numpy.array([height, width, height, width], numpy.float32)).astype(numpy.int64)
        boxes = [(x_min, y_min, x_max, y_max) for y_min, x_min, y_max, x_max in pixels.tolist()]
        if not boxes:
            if not attrs["use_image_if_no_bounding_boxes"]:
                raise _invalid("no bounding boxes were given; pass use_image_if_no_bounding_boxes=True to use the "
                               "whole image instead")
            boxes = [(0, 0, width, height)]
        (low_ratio, high_ratio), (low_area, high_area) = attrs["aspect_ratio_range"], attrs["area_range"]
        crop = None
        for _ in range(attrs["max_attempts"]):
            ratio = rng.random() * (high_ratio - low_ratio) + low_ratio
            crop = _random_crop(rng, width, height, low_area * width * height, high_area * width * height, ratio)
            if crop is not None and _covers_an_object(crop, boxes, covered):
                break
            crop = None
        x, y, crop_width, crop_height = crop or (0, 0, width, height)
        dtype = image_size.dtype
        begin, size = numpy.array([y, x, 0], dtype), numpy.array([crop_height, crop_width, -1], dtype)
        box = numpy.array([[[y / height, x / width, (y + crop_height) / height, (x + crop_width) / width]]],
                          numpy.float32)
        return begin, size, box


def _pair(value, what, check):
    values = constant_value(value, what)
    if not isinstance(values, (list, tuple)) or len(values) != 2 or any(
            isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values):
        raise ValueError(f"sample_distorted_bounding_box: {what} must be 2 numbers [low, high], got {values!r}")
    low, high = float(values[0]), float(values[1])
    if not check(low, high):
        raise ValueError(f"sample_distorted_bounding_box: {what} {[low, high]} is not a valid range")
    return low, high


@tf_op("sample_distorted_bounding_box")
def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """``(begin, size, bboxes)`` of a random crop of an image of ``image_size`` ([height, width, channels]) that
    covers at least ``min_object_covered`` of one of ``bounding_boxes`` ([batch, N, 4] float32, normalized
    ``[y_min, x_min, y_max, x_max]``), with an aspect ratio in ``aspect_ratio_range`` (default [0.75, 1.33]) and
    an area in ``area_range`` (default [0.05, 1.0]) of the image's; the whole image after ``max_attempts``
    (default 100) failures. See the module docstring."""
    size = check_dtype(to_tensor(image_size, dtypes.int32), _SIZE_TYPES, "image_size")
    _shaped(size, 1, "image_size", "SampleDistortedBoundingBoxV2")
    if size.shape[0] not in (None, 3):
        raise ValueError(f"sample_distorted_bounding_box: image_size must hold 3 values [height, width, channels], "
                         f"got shape {size.shape}")
    boxes = check_dtype(to_tensor(bounding_boxes, dtypes.float32), ("float32",), "bounding_boxes")
    _shaped(boxes, 3, "bounding_boxes", "SampleDistortedBoundingBoxV2", last=4)
    covered = to_tensor(min_object_covered, dtypes.float32)
    _shaped(covered, 0, "min_object_covered", "SampleDistortedBoundingBoxV2")
    attempts = 100 if max_attempts is None else max_attempts
    if isinstance(attempts, bool) or not isinstance(attempts, numbers.Integral) or attempts < 1:
        raise ValueError(f"sample_distorted_bounding_box: max_attempts must be a positive int, got {attempts!r}")
    attrs = dict(
        aspect_ratio_range=_pair([0.75, 1.33] if aspect_ratio_range is None else aspect_ratio_range,
                                 "aspect_ratio_range", lambda low, high: 0 < low <= high),
        area_range=_pair([0.05, 1.0] if area_range is None else area_range, "area_range",
                         lambda low, high: 0 < low <= high <= 1),
        max_attempts=int(attempts), use_image_if_no_bounding_boxes=bool(use_image_if_no_bounding_boxes),
        seed=(int(seed or 0), int(seed2 or 0)) if seed or seed2 else None)
    specs = [Spec((3,), size.dtype), Spec((3,), size.dtype), Spec((1, 1, 4), dtypes.float32)]
    operation = get_default_graph().create_op(SampleDistortedBoundingBox, [size, boxes, covered], attrs, specs,
                                              name="SampleDistortedBoundingBoxV2")
    return tuple(operation.outputs)
