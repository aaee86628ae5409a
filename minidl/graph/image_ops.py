"""``tf.image``: TensorFlow 1's image functions, and ``tf.random_crop``.

Images are channels-last: (height, width, channels) for one image, (batch, height, width, channels) for a batch.
This module holds the pixel-value functions — dtype conversion, colour, brightness and contrast, standardization,
image gradients — and gathers the others into the ``image`` namespace: geometry (``image_geometry.py``),
resizing (``image_resize.py``), crops and pads (``image_crop.py``), colour spaces and image quality
(``image_color.py``), bounding boxes (``image_boxes.py``,
``image_box_sampling.py``, ``image_combined_nms.py``), glimpses (``image_glimpse.py``).

**Pixel values.** TF keeps images either as integers (uint8: 0..255) or as floats in [0, 1].
``convert_image_dtype`` moves between the two by scaling with the integer type's maximum (255 for uint8).
Brightness and contrast compute in float32 (float16 stays float16) and convert back, clipping to the range of an
integer type (``saturate``). Each function is a composition of ops, so the gradient with respect to the image
comes from them.
"""
import types

import numpy

from .. import ops
from ..backend import dtypes
from .array_ops import shape as shape_of
from .basics import identity
from .core import get_default_graph, rank_error
from .image_box_sampling import sample_distorted_bounding_box
from .image_combined_nms import combined_non_max_suppression
from .image_boxes import (crop_and_resize, draw_bounding_boxes, non_max_suppression,
                          non_max_suppression_with_scores)
from .image_crop import (central_crop, crop_to_bounding_box, pad_to_bounding_box, random_crop,
                         resize_image_with_crop_or_pad, resize_with_crop_or_pad)
from .image_glimpse import extract_glimpse
from .image_geometry import (at_least_3d, flip_left_right, flip_up_down, random_flip_left_right,
                             random_flip_up_down, rot90, transpose, transpose_image)
from .image_resize import (ResizeMethod, resize, resize_area, resize_bicubic, resize_bilinear, resize_images,
                           resize_nearest_neighbor)
from .math_ops import rank_at_run_time, tf_op, to_tensor
from .random_ops import random_uniform

_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R BT.601 luma, as TF rounds it


# ============================================================================================ dtypes

def _range(dtype):
    """The (lowest, highest) value of ``dtype``."""
    info = numpy.iinfo(dtype) if dtype.kind in "iu" else numpy.finfo(dtype)
    return info.min, info.max


def _saturate_cast(x, dtype):
    """``x`` cast to ``dtype`` after clipping it to the values ``dtype`` can hold (a cast alone wraps around)."""
    (low_in, high_in), (low_out, high_out) = _range(x.dtype), _range(dtype)
    if low_out > low_in or high_out < high_in:
        x = ops.clamp(x, x.dtype.type(max(low_in, low_out)), x.dtype.type(min(high_in, high_out)))
    return ops.cast(x, dtype)


def _cast(x, dtype, saturate):
    return _saturate_cast(x, dtype) if saturate else ops.cast(x, dtype)


@tf_op("convert_image")
def convert_image_dtype(image, dtype, saturate=False, name=None):
    """``image`` in ``dtype``, rescaled so that the pixel values mean the same: floats are in [0, 1], integers in
    [0, MAX] (255 for uint8). So uint8 -> float divides by 255, float -> uint8 multiplies by 255.5 and truncates,
    and one integer type to another multiplies or floor-divides by the ratio of their ranges. ``saturate`` clips to
    the target's range before casting (else values out of range wrap around)."""
    x, dtype = to_tensor(image), dtypes.as_dtype(dtype)
    for kind, what in ((x.dtype.kind, "image dtype"), (dtype.kind, "dtype")):
        if kind not in "fiu":
            raise AttributeError(f"{what} must be either floating point or integer")
    if x.dtype == dtype:
        return identity(x, name=name)
    if x.dtype.kind in "iu" and dtype.kind in "iu":
        high_in, high_out = _range(x.dtype)[1], _range(dtype)[1]
        if high_in > high_out:  # shrink: drop the low bits
            return _cast(ops.floor_divide(x, x.dtype.type((high_in + 1) // (high_out + 1))), dtype, saturate)
        return ops.mul(_cast(x, dtype, saturate), dtype.type((high_out + 1) // (high_in + 1)))
    if x.dtype.kind == "f" and dtype.kind == "f":
        return ops.cast(x, dtype)
    if x.dtype.kind in "iu":  # integer -> float: [0, MAX] -> [0, 1]
        return ops.mul(ops.cast(x, dtype), dtype.type(1.0 / _range(x.dtype)[1]))
    # float -> integer: [0, 1] -> [0, MAX]; the extra 0.5 lets 1.0 reach MAX after truncation
    return _cast(ops.mul(x, x.dtype.type(_range(dtype)[1] + 0.5)), dtype, saturate)


def _as_float(image):
    """``(image in float32 (float16 kept), its dtype)``: what brightness and contrast compute in."""
    x = to_tensor(image)
    return (x if x.dtype in (dtypes.float16, dtypes.float32) else convert_image_dtype(x, dtypes.float32)), x.dtype


# ============================================================================================ colour

@tf_op("rgb_to_grayscale")
def rgb_to_grayscale(images, name=None):
    """The luma ``0.2989 R + 0.5870 G + 0.1140 B`` of RGB images (last dim 3), with a last dim of 1."""
    x = to_tensor(images)
    if x.shape.rank_known and x.ndim and x.shape[-1] not in (None, 3):
        raise ValueError(f"Dimensions must be equal, but are {x.shape[-1]} and 3: rgb_to_grayscale needs the 3 RGB "
                         f"channels in the last dimension of images of shape {x.shape}")
    flt = convert_image_dtype(x, dtypes.float32)
    gray = ops.matmul(flt, to_tensor(numpy.array(_GRAY_WEIGHTS, dtype=numpy.float32).reshape(3, 1)))
    return convert_image_dtype(gray, x.dtype)


@tf_op("grayscale_to_rgb")
def grayscale_to_rgb(images, name=None):
    """Gray images (last dim 1) as RGB: the gray value repeated in the three channels."""
    x = to_tensor(images)
    if not x.shape.rank_known or x.ndim < 2:
        raise rank_error(x)(f"A grayscale image (shape {x.shape}) must be at least two-dimensional.")
    if x.shape[-1] not in (None, 1):
        raise ValueError("Last dimension of a grayscale image should be size 1.")
    return ops.tile(x, (1,) * (x.ndim - 1) + (3,))


@tf_op("adjust_brightness")
def adjust_brightness(image, delta, name=None):
    """``image + delta`` on the float scale (delta is in [0, 1] units; an integer image is converted and back,
    clipped to its range)."""
    flt, dtype = _as_float(image)
    adjusted = ops.add(flt, ops.cast(to_tensor(delta, flt.dtype), flt.dtype))
    return convert_image_dtype(adjusted, dtype, saturate=True)


@tf_op("adjust_contrast")
def adjust_contrast(images, contrast_factor, name=None):
    """Each channel of each image moved away from (factor > 1) or towards (factor < 1) its mean over the image:
    ``(x - mean) · contrast_factor + mean``."""
    flt, dtype = _as_float(images)
    if not flt.shape.rank_known or flt.ndim < 3:
        raise rank_error(flt)(f"Shape must be at least rank 3 but is rank {flt.shape.ndims} for 'AdjustContrastv2'")
    mean = ops.mean(flt, (-3, -2), keepdim=True)
    factor = ops.cast(to_tensor(contrast_factor, flt.dtype), flt.dtype)
    adjusted = ops.add(ops.mul(ops.sub(flt, mean), factor), mean)
    return convert_image_dtype(adjusted, dtype, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """``adjust_brightness`` by a delta drawn uniformly from [-max_delta, max_delta) (one for the whole tensor)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    with get_default_graph().name_scope("random_brightness"):
        return adjust_brightness(image, random_uniform([], -max_delta, max_delta, seed=seed))


def random_contrast(image, lower, upper, seed=None):
    """``adjust_contrast`` by a factor drawn uniformly from [lower, upper) (one for the whole tensor)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    with get_default_graph().name_scope("random_contrast"):
        return adjust_contrast(image, random_uniform([], lower, upper, seed=seed))


# ====================================================================================== statistics

@rank_at_run_time
def per_image_standardization(image):
    """Each image (the last three dims) scaled to mean 0 and variance 1: ``(x - mean) / max(stddev, 1/√N)`` with
    N its number of values; the floor on the divisor keeps a uniform image finite. Computed (and returned) in
    float32, the variance as ``E[x²] - E[x]²`` (never below 0), as TF does."""
    with get_default_graph().name_scope("per_image_standardization"):
        x = at_least_3d(image)
        pixels = x.shape[-3:].num_elements()
        if pixels is None:
            pixels = ops.prod(shape_of(x)[-3:])
        x = ops.cast(x, dtypes.float32)
        mean = ops.mean(x, (-1, -2, -3), keepdim=True)
        variance = ops.relu(ops.sub(ops.mean(ops.square(x), (-1, -2, -3), keepdim=True), ops.square(mean)))
        floor = ops.rsqrt(ops.cast(to_tensor(pixels), dtypes.float32))
        return ops.div(ops.sub(x, mean), ops.maximum(ops.sqrt(variance), floor))


def image_gradients(image):
    """``(dy, dx)`` of a batch (N, H, W, C): ``dy[i, j] = image[i + 1, j] - image[i, j]`` and
    ``dx[i, j] = image[i, j + 1] - image[i, j]``, zero in the last row (dy) and column (dx)."""
    x = to_tensor(image)
    if not x.shape.rank_known or x.ndim != 4:
        raise rank_error(x)(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {x.shape}.")
    with get_default_graph().name_scope("image_gradients"):
        dy, dx = x[:, 1:] - x[:, :-1], x[:, :, 1:] - x[:, :, :-1]
        return ops.pad(dy, [0, 0, 0, 0, 0, 1]), ops.pad(dx, [0, 0, 0, 1])  # amounts from the last dim on


@tf_op("total_variation")
def total_variation(images, name=None):
    """The sum of the absolute differences of neighbouring pixels, down and across: a measure of noise (a
    smoothness penalty). A scalar for one image, one value per image for a batch."""
    x = to_tensor(images)
    if not x.shape.rank_known or x.ndim not in (3, 4):
        raise rank_error(x)("'images' must be either 3 or 4-dimensional.")
    down, across = x[..., 1:, :, :] - x[..., :-1, :, :], x[..., 1:, :] - x[..., :-1, :]
    dims = None if x.ndim == 3 else (1, 2, 3)
    return ops.sum(ops.abs(down), dims, dtype=x.dtype) + ops.sum(ops.abs(across), dims, dtype=x.dtype)


# ========================================================================================= namespace

# colours and image quality build on convert_image_dtype (above), so they are imported last
from .image_color import (adjust_gamma, adjust_hue, adjust_saturation, extract_image_patches,  # noqa: E402
                          extract_patches, hsv_to_rgb, psnr, random_hue, random_saturation, rgb_to_hsv, rgb_to_yiq,
                          rgb_to_yuv, sobel_edges, ssim, yiq_to_rgb, yuv_to_rgb)
from .image_codecs import (decode_and_crop_jpeg, decode_bmp, decode_gif, decode_image, decode_jpeg,  # noqa: E402
                           decode_png, encode_png)  # image files; importing it also fills tf.io

image = types.SimpleNamespace(
    ResizeMethod=ResizeMethod, resize_images=resize_images, resize=resize, resize_bilinear=resize_bilinear,
    resize_nearest_neighbor=resize_nearest_neighbor, resize_bicubic=resize_bicubic, resize_area=resize_area,
    flip_left_right=flip_left_right, flip_up_down=flip_up_down, random_flip_left_right=random_flip_left_right,
    random_flip_up_down=random_flip_up_down, transpose_image=transpose_image, transpose=transpose, rot90=rot90,
    crop_to_bounding_box=crop_to_bounding_box, pad_to_bounding_box=pad_to_bounding_box,
    resize_image_with_crop_or_pad=resize_image_with_crop_or_pad, resize_with_crop_or_pad=resize_with_crop_or_pad,
    central_crop=central_crop, random_crop=random_crop, convert_image_dtype=convert_image_dtype,
    rgb_to_grayscale=rgb_to_grayscale, grayscale_to_rgb=grayscale_to_rgb, adjust_brightness=adjust_brightness,
    adjust_contrast=adjust_contrast, random_brightness=random_brightness, random_contrast=random_contrast,
    per_image_standardization=per_image_standardization, image_gradients=image_gradients,
    total_variation=total_variation, rgb_to_hsv=rgb_to_hsv, hsv_to_rgb=hsv_to_rgb, adjust_hue=adjust_hue,
    adjust_saturation=adjust_saturation, random_hue=random_hue, random_saturation=random_saturation,
    adjust_gamma=adjust_gamma, rgb_to_yiq=rgb_to_yiq, yiq_to_rgb=yiq_to_rgb, rgb_to_yuv=rgb_to_yuv,
    yuv_to_rgb=yuv_to_rgb, psnr=psnr, ssim=ssim, sobel_edges=sobel_edges, extract_image_patches=extract_image_patches,
    extract_patches=extract_patches, non_max_suppression=non_max_suppression,
    non_max_suppression_with_scores=non_max_suppression_with_scores, crop_and_resize=crop_and_resize,
    draw_bounding_boxes=draw_bounding_boxes, decode_png=decode_png, encode_png=encode_png, decode_bmp=decode_bmp,
    decode_gif=decode_gif, decode_image=decode_image, decode_jpeg=decode_jpeg,
    decode_and_crop_jpeg=decode_and_crop_jpeg, sample_distorted_bounding_box=sample_distorted_bounding_box,
    extract_glimpse=extract_glimpse, combined_non_max_suppression=combined_non_max_suppression)
