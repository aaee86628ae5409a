"""``tf.contrib.image``: images moved by projective transforms — ``rotate``, ``translate`` and the general
``transform`` — for data augmentation inside the graph.

A transform is 8 numbers ``[a0, a1, a2, b0, b1, b2, c0, c1]``: it maps each *output* pixel (x, y) (x the column, y
the row, pixel centres at integers) to the *input* point it reads::

    k = c0 x + c1 y + 1        x_in = (a0 x + a1 y + a2) / k        y_in = (b0 x + b1 y + b2) / k

— the inverse of the motion the image undergoes. A point outside the image reads 0. ``NEAREST`` reads the pixel at
the rounded point (halves away from zero), ``BILINEAR`` the four around it, each outside one counting as 0. As a
3×3 matrix ``[[a0, a1, a2], [b0, b1, b2], [c0, c1, 1]]`` transforms compose by matrix product.

The reads are ``grid_sample``'s (``sample_at_pixels``, ops/grid_sampling.py), so the gradient reaches the images;
as in TF, none reaches the transforms.
"""
import types

import numpy

from .. import ops
from .array_ops import concat, reshape, stack
from .basics import identity, stop_gradient
from .dtypes import float32, float64
from .frontend import convert_to_tensor
from .math_ops import cast, cos, matmul, sin

__all__ = ["image"]

_LAYOUTS = {2: "(height, width)", 3: "(height, width, channels)", 4: "(batch, height, width, channels)"}


def _as_batch(images):
    """``images`` as (N, C, H, W) with how to undo it, and their static height and width."""
    rank = len(images.shape) if images.shape.rank_known else None
    if rank not in _LAYOUTS:
        raise ValueError(f"contrib.image: images must have rank 2, 3 or 4 {tuple(_LAYOUTS.values())}, got "
                         f"{images.name} of shape {images.shape}")
    dims = images.shape.as_list()
    height, width = dims[1:3] if rank == 4 else dims[:2]
    if None in (height, width):
        raise ValueError(f"contrib.image: the height and width of {images.name} must be known while the graph is "
                         f"built, got shape {images.shape}")
    dims = [-1 if d is None else d for d in dims]
    batch = {2: lambda: reshape(images, [1] + dims + [1]), 3: lambda: reshape(images, [1] + dims),
             4: lambda: images}[rank]()
    return ops.permute(batch, (0, 3, 1, 2)), rank, height, width


def _floats(value, name):
    """``value`` as a tensor of floats (TF's transforms are float32; numbers given as ints become that)."""
    tensor = convert_to_tensor(value, name=name)
    return tensor if tensor.dtype.is_floating else cast(tensor, float32)


def transform(images, transforms, interpolation="NEAREST", output_shape=None, name=None):
    """``images`` read through ``transforms`` (module docstring): one transform (8,) for all images, or one per
    image (N, 8). ``output_shape`` [height, width] (default: the input's) sizes the result."""
    images = convert_to_tensor(images, name="images")
    interpolation = interpolation.upper() if isinstance(interpolation, str) else interpolation
    if interpolation not in ("NEAREST", "BILINEAR"):
        raise ValueError(f"contrib.image.transform: interpolation must be 'NEAREST' or 'BILINEAR', got "
                         f"{interpolation!r}")
    floating = images.dtype.is_floating
    if not (floating or images.dtype.is_integer):
        raise TypeError(f"contrib.image.transform: images must be numbers, got {images.dtype.name}")
    batch, rank, height, width = _as_batch(images)
    out_height, out_width = (height, width) if output_shape is None else _static_size(output_shape)
    work = images.dtype if floating else float64   # integer images are interpolated in float64
    batch = batch if floating else cast(batch, work)
    transforms = stop_gradient(cast(_floats(transforms, "transforms"), work))
    if not transforms.shape.rank_known or len(transforms.shape) not in (1, 2) or transforms.shape[-1] != 8:
        raise ValueError(f"contrib.image.transform: transforms must be (8,) or (batch, 8), got {transforms.shape}")
    a0, a1, a2, b0, b1, b2, c0, c1 = (reshape(t, [-1, 1, 1]) for t in ops.unbind(reshape(transforms, [-1, 8]), 1))
    y, x = (convert_to_tensor(v.astype(work.as_numpy_dtype)) for v in numpy.mgrid[:out_height, :out_width])
    k = c0 * x + c1 * y + 1
    x_in, y_in = (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k
    if interpolation == "NEAREST":   # TF's rounding, halves away from zero (sample_at_pixels keeps halves even)
        x_in, y_in = (ops.sign(v) * ops.floor(ops.abs(v) + 0.5) for v in (x_in, y_in))
    # adding zeros shaped (N, 1, 1) spreads one transform over the whole batch
    batch_zeros = ops.zeros_like(ops.getitem(batch, (slice(None), 0, slice(0, 1), slice(0, 1))))
    out = ops.sample_at_pixels(batch, x_in + batch_zeros, y_in + batch_zeros, mode=interpolation.lower())
    out = ops.permute(out, (0, 2, 3, 1))
    if not floating:
        out = cast(out, images.dtype)
    if rank < 4:
        out = reshape(out, [out_height, out_width] + images.shape.as_list()[2:])
    return identity(out, name=name or "transform")


def _static_size(output_shape):
    size = list(output_shape) if isinstance(output_shape, (list, tuple)) else None
    if size is None or len(size) != 2 or not all(isinstance(s, int) and s > 0 for s in size):
        raise ValueError(f"contrib.image.transform: output_shape must be [height, width], two positive ints known "
                         f"while the graph is built, got {output_shape!r}")
    return size


def angles_to_projective_transforms(angles, image_height, image_width, name=None):
    """The transforms (N, 8) that turn images counterclockwise by ``angles`` (radians, a scalar or one per image)
    about their centres."""
    angles = _floats(angles, "angles")
    angles = reshape(angles, [-1]) if angles.shape.rank_known and len(angles.shape) == 0 else angles
    c, s = cos(angles), sin(angles)
    width, height = float(image_width) - 1, float(image_height) - 1
    x_offset = (width - (c * width - s * height)) / 2     # the centre maps onto itself
    y_offset = (height - (s * width + c * height)) / 2
    zeros = ops.zeros_like(c)
    return stack([c, -s, x_offset, s, c, y_offset, zeros, zeros], axis=1, name=name or "rotation_matrix")


def rotate(images, angles, interpolation="NEAREST", name=None):
    """``images`` turned counterclockwise by ``angles`` (radians; one for all, or one per image) about their
    centres; the corners brought in from outside are 0."""
    images = convert_to_tensor(images, name="images")
    _, _, height, width = _as_batch(images)
    transforms = angles_to_projective_transforms(angles, height, width)
    return transform(images, transforms, interpolation, name=name or "rotate")


def translations_to_projective_transforms(translations, name=None):
    """The transforms (N, 8) that move images by ``translations`` (dx, dy) (one pair, or one per image)."""
    translations = _floats(translations, "translations")
    pairs = reshape(translations, [-1, 2])
    dx, dy = ops.getitem(pairs, (slice(None), slice(0, 1))), ops.getitem(pairs, (slice(None), slice(1, 2)))
    ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
    return concat([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1, name=name or "translation")


def translate(images, translations, interpolation="NEAREST", name=None):
    """``images`` moved by ``translations`` (dx to the right, dy down, in pixels)."""
    return transform(images, translations_to_projective_transforms(translations), interpolation,
                     name=name or "translate")


def flat_transforms_to_matrices(transforms, name=None):
    """Transforms (N, 8) as 3×3 matrices (N, 3, 3) (module docstring)."""
    transforms = reshape(_floats(transforms, "transforms"), [-1, 8])
    ones = ops.ones_like(ops.getitem(transforms, (slice(None), slice(0, 1))))
    return reshape(concat([transforms, ones], axis=1), [-1, 3, 3], name=name or "flat_transforms_to_matrices")


def matrices_to_flat_transforms(transform_matrices, name=None):
    """3×3 matrices (N, 3, 3) as transforms (N, 8), scaled so that their last entry is 1."""
    matrices = reshape(_floats(transform_matrices, "transform_matrices"), [-1, 9])
    scaled = matrices / ops.getitem(matrices, (slice(None), slice(8, 9)))
    return identity(ops.getitem(scaled, (slice(None), slice(0, 8))), name=name or "matrices_to_flat_transforms")


def compose_transforms(*transforms):
    """One transform that does what ``transform`` with each of ``transforms`` in turn does (their matrices'
    product, the first on the left: it says where the last output pixel reads in the first input)."""
    if not transforms:
        raise ValueError("compose_transforms needs at least one transform")
    composed = flat_transforms_to_matrices(transforms[0])
    for t in transforms[1:]:
        composed = matmul(composed, flat_transforms_to_matrices(t))
    return matrices_to_flat_transforms(composed)


image = types.SimpleNamespace(
    transform=transform, rotate=rotate, translate=translate,
    angles_to_projective_transforms=angles_to_projective_transforms,
    translations_to_projective_transforms=translations_to_projective_transforms,
    flat_transforms_to_matrices=flat_transforms_to_matrices, matrices_to_flat_transforms=matrices_to_flat_transforms,
    compose_transforms=compose_transforms)
