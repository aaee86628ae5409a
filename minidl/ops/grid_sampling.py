"""Sampling an image at arbitrary points: ``affine_grid`` and ``grid_sample``, the two halves of a spatial
transformer (Jaderberg et al., 2015), which learns where to look.

**Coordinates.** A grid holds, for every output pixel, the point of the input to read, as (x, y) in normalized
coordinates: -1 is the left (top) edge of the image and +1 the right (bottom) one. With ``align_corners=True``
±1 are the *centres* of the corner pixels, so pixel column j sits at x = -1 + 2j / (W - 1); with
``align_corners=False`` (the default) ±1 are the outer *edges* of the corner pixels, and column j sits at
x = -1 + (2j + 1) / W. Unnormalized, x becomes the column ``ix = (x + 1) / 2 · (W - 1)``, respectively
``ix = ((x + 1) · W - 1) / 2``.

**affine_grid(θ, size)**: the grid of an affine map, for each output pixel (x, y) the point θ · (x, y, 1) (θ is
(N, 2, 3)). Its gradient with respect to θ comes from the matrix product.

**grid_sample(input, grid)**: output[n, c, i, j] = the input of sample n, channel c, at the point grid[n, i, j]:

* ``mode='bilinear'``: the four pixels around (ix, iy), weighted by the areas of the opposite rectangles:
  x0 = floor(ix), wx = ix - x0, and out = Σ (1 - wx or wx) (1 - wy or wy) · input[y0 or y0 + 1, x0 or x0 + 1].
  Linear in the input (gradient: each output's g spread back onto its four pixels) and piecewise linear in the
  grid (∂out/∂ix = (1 - wy)(input[y0, x0+1] - input[y0, x0]) + wy (input[y0+1, x0+1] - input[y0+1, x0]), scaled
  by dix/dx), which is how a spatial transformer learns θ.
* ``mode='nearest'``: the pixel at the rounded point (halves to even); the grid's gradient is zero.
* ``mode='bicubic'``: the 4×4 pixels around the point, weighted along each axis by Keys' cubic convolution kernel
  with a = -0.75 (PyTorch's): from the fraction t = ix - floor(ix), the taps at -1, 0, 1, 2 get
  W(t + 1), W(t), W(1 - t), W(2 - t) with W(s) = (a + 2)|s|³ - (a + 3)|s|² + 1 for |s| ≤ 1 and
  a|s|³ - 5a|s|² + 8a|s| - 4a for 1 < |s| < 2. The padding mode moves each *tap* (clamped or mirrored onto the
  image), not the point, so the weights — and the grid's gradient — come from the point itself, as in PyTorch.
* ``padding_mode``: what lies outside the image: ``'zeros'``; ``'border'`` (the point is clamped onto the edge
  pixels, where it does not move: the grid gets no gradient from a clamped point, nor from one exactly on the
  edge pixels' centres, as in PyTorch); ``'reflection'`` (the point is mirrored at the borders — the pixel
  centres with ``align_corners``, else the outer edges — until it lands inside, then clamped as for border).

Both are compositions of ops: the pixel reads are ``gather`` (whose gradient is a scatter-add), the weights
arithmetic on the grid, floor and round have zero gradient. So gradients w.r.t. the input and the grid, of any
order, follow from those ops. They take 4-D input (N, C, H, W), as the spatial transformer does.
"""

import numpy

from ..backend import dtypes
from ..backend.linspace import linspace_values
from .base import Op, OpError, Spec, apply, describe, is_tensor, warn
from .cast import cast
from .compare import clamp, eq, ge, gt, le, logical_and, lt, where
from .gather import gather
from .indexing import getitem
from .linalg import matmul
from .shape import broadcast_to, flatten, reshape, transpose, unsqueeze
from .unary import abs as absolute, floor, round as round_half_even

__all__ = ["affine_grid", "grid_sample", "sample_at_pixels"]


def _align_corners(fn_name, align_corners):
    """None means False, with PyTorch's warning that this default changed (in its version 1.3)."""
    if align_corners is None:
        warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
             "Please specify align_corners=True if the old behavior is desired. See the documentation of "
             f"grid_sample for details. (from {fn_name})")
        return False
    return bool(align_corners)


# ----------------------------------------------------------------------------------------------- affine_grid

class AffineBaseGrid(Op):
    """The points (x, y, 1) of every output pixel, (H*W, 3), in row-major order (``theta`` lends only its dtype
    and device). Constant: no gradient."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, theta, height, width, align_corners):
        dtype = theta.dtype

        def positions(n):
            """The normalized coordinates of the pixel centres along an axis of n pixels, rounded as PyTorch's
            (a float32 ``linspace``, then scaled): a point meant to be a pixel centre lands on the same side of it
            as in PyTorch, which decides which neighbours bilinear sampling differentiates."""
            if n <= 1:
                return numpy.zeros(n, dtype)
            centres = linspace_values(-1, 1, n, dtype)
            return centres if align_corners else centres * dtype.type(n - 1) / dtype.type(n)
        y, x = numpy.meshgrid(positions(height), positions(width), indexing="ij")
        return xp.asarray(numpy.stack([x.ravel(), y.ravel(), numpy.ones(height * width, dtype)], axis=1))

    @staticmethod
    def infer(theta, height, width, align_corners):
        return Spec((height * width, 3), theta.dtype)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3) for an output of ``size``
    (N, C, H, W): grid[n, i, j] = theta[n] @ (x_j, y_i, 1), with (x_j, y_i) the normalized position of output
    pixel (i, j) (module docstring)."""
    align_corners = _align_corners("affine_grid", align_corners)
    if not is_tensor(theta) or not dtypes.is_floating_point(theta.dtype):
        raise TypeError(f"affine_grid: expected theta to be a floating point tensor, got "
                        f"{describe(theta) if is_tensor(theta) else type(theta).__name__}")
    size = tuple(size)
    if len(size) != 4:
        raise NotImplementedError(f"affine_grid: only 4-D sizes (N, C, H, W) are supported, got size={list(size)}")
    if min(size) <= 0:
        raise OpError(f"affine_grid: expected a non-zero, positive size, got size={list(size)}")
    n, _, height, width = (int(s) for s in size)
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3) or theta.shape[0] not in (None, n):
        raise OpError(f"affine_grid: expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}, "
                      f"got theta {describe(theta)}")
    if align_corners and min(height, width) == 1:
        warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
             "align_corners=True. This is not an intended use case of affine_grid. See the documentation of "
             "affine_grid for details.")
    base = apply(AffineBaseGrid, theta, height=height, width=width, align_corners=align_corners)
    return reshape(matmul(base, transpose(theta, 1, 2)), (n, height, width, 2))


# ----------------------------------------------------------------------------------------------- grid_sample

def _reflect(coordinate, low, high):
    """``coordinate`` mirrored at ``low`` and ``high`` until it lies between them: |c - low| folded into periods of
    the span, every other period run backwards."""
    span = high - low
    distance = absolute(coordinate - low)
    flips = floor(distance / span)
    extra = distance - flips * span
    return where(eq(flips - floor(flips / 2) * 2, 0), extra + low, span - extra + low)


def _source(coordinate, size, align_corners, padding_mode):
    """The unnormalized pixel coordinate along an axis of ``size`` pixels, with the padding mode applied (the
    arithmetic in PyTorch's order, so that the roundings agree)."""
    if align_corners:
        pixel = (coordinate + 1) / 2 * (size - 1)
    else:
        pixel = ((coordinate + 1) * size - 1) / 2
    if padding_mode == "reflection":
        if align_corners:
            pixel = _reflect(pixel, 0, size - 1) if size > 1 else pixel * 0
        else:
            pixel = _reflect(pixel, -0.5, size - 0.5)
    if padding_mode in ("border", "reflection"):
        pixel = _clip(pixel, size - 1)
    return pixel


def _clip(pixel, last):
    """``pixel`` clamped into [0, last], with PyTorch's gradient: 1 strictly inside, 0 at and beyond the ends. (A
    point on the edge pixel reads a flat extension of the image there; clamp's own gradient, 1 at its bounds,
    would differentiate the edge against the zeros beyond it.)"""
    inside = logical_and(gt(pixel, 0), lt(pixel, last))
    return where(inside, pixel, cast(gt(pixel, 0), pixel.dtype) * last)


def _read(flat, ix, iy, height, width):
    """input[n, :, iy, ix] at the points (integer-valued floats (N, Ho, Wo)), zero outside the image:
    (N, C, Ho*Wo), gathered from ``flat`` (N, C, H*W) at the points clamped inside, times whether they were."""
    inside = logical_and(logical_and(ge(ix, 0), le(ix, width - 1)), logical_and(ge(iy, 0), le(iy, height - 1)))
    index = flatten(cast(clamp(iy, 0, height - 1) * width + clamp(ix, 0, width - 1), dtypes.int64), 1)
    n, channels, _ = flat.shape
    values = gather(flat, 2, broadcast_to(unsqueeze(index, 1), (n, channels, index.shape[1])))
    return values * unsqueeze(flatten(cast(inside, flat.dtype), 1), 1)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """``input`` (N, C, H, W) read at the points ``grid`` (N, Ho, Wo, 2) (normalized (x, y), module docstring):
    (N, C, Ho, Wo). ``mode``: 'bilinear', 'nearest' or 'bicubic'; ``padding_mode``: 'zeros', 'border' or
    'reflection'."""
    align_corners = _align_corners("grid_sample", align_corners)
    for what, t in (("input", input), ("grid", grid)):
        if not is_tensor(t) or not dtypes.is_floating_point(t.dtype):
            raise TypeError(f"grid_sample: expected {what} to be a floating point tensor, got "
                            f"{describe(t) if is_tensor(t) else type(t).__name__}")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if input.ndim != 4:
        raise OpError(f"grid_sample: expected 4-D input (N, C, H, W) (5-D is not supported), got {describe(input)}")
    if grid.ndim != 4 or grid.shape[3] != 2:
        raise OpError(f"grid_sample: expected grid (N, H_out, W_out, 2) for 4-D input, got {describe(grid)}")
    if grid.dtype != input.dtype:
        raise TypeError(f"grid_sample: expected input and grid to have the same dtype, got {describe(input)} and "
                        f"{describe(grid)}")
    if None not in (input.shape[0], grid.shape[0]) and input.shape[0] != grid.shape[0]:
        raise OpError(f"grid_sample: expected grid and input to have same batch size, but got input "
                      f"{describe(input)} and grid {describe(grid)}")
    n, channels, height, width = input.shape
    if None in (height, width):
        raise OpError(f"grid_sample: the input's height and width must be known, got {describe(input)}")
    if mode == "bicubic":  # (the padding mode applies to the taps: see _bicubic)
        ix = _source(getitem(grid, (Ellipsis, 0)), width, align_corners, "zeros")
        iy = _source(getitem(grid, (Ellipsis, 1)), height, align_corners, "zeros")
        return _bicubic(input, ix, iy, padding_mode, align_corners)
    ix = _source(getitem(grid, (Ellipsis, 0)), width, align_corners, padding_mode)
    iy = _source(getitem(grid, (Ellipsis, 1)), height, align_corners, padding_mode)
    return sample_at_pixels(input, ix, iy, mode)


def _cubic_weights(t):
    """The weights of the taps at -1, 0, 1, 2 for a point at fraction ``t`` past tap 0: Keys' kernel W with
    a = -0.75 (module docstring) at the distances t + 1, t, 1 - t, 2 - t."""
    a = -0.75

    def near(s):  # 0 <= s <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):  # 1 <= s <= 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _tap(pixel, size, align_corners, padding_mode):
    """A tap's (integer) pixel coordinate moved onto the image by the padding mode, as ``_source`` moves a point
    (with 'zeros' it stays, and ``_read`` gives 0 outside)."""
    if padding_mode == "reflection":
        if align_corners:
            pixel = _reflect(pixel, 0, size - 1) if size > 1 else pixel * 0
        else:
            pixel = _reflect(pixel, -0.5, size - 0.5)
    if padding_mode in ("border", "reflection"):
        pixel = clamp(pixel, 0, size - 1)
    return pixel


def _bicubic(input, ix, iy, padding_mode, align_corners):
    """``input`` (N, C, H, W) read at the pixel coordinates ``ix``, ``iy`` (N, Ho, Wo) by bicubic convolution."""
    n, channels, height, width = input.shape
    out_h, out_w = ix.shape[1:3]
    flat = reshape(input, (n, channels, height * width))
    x0, y0 = floor(ix), floor(iy)
    weights_x = [unsqueeze(flatten(w, 1), 1) for w in _cubic_weights(ix - x0)]  # each (N, 1, Ho*Wo)
    weights_y = [unsqueeze(flatten(w, 1), 1) for w in _cubic_weights(iy - y0)]
    out = 0
    for dy, weight_y in zip((-1, 0, 1, 2), weights_y):
        row = _tap(y0 + dy, height, align_corners, padding_mode)
        for dx, weight_x in zip((-1, 0, 1, 2), weights_x):
            column = _tap(x0 + dx, width, align_corners, padding_mode)
            out = out + weight_y * weight_x * _read(flat, column, row, height, width)
    return reshape(out, (n, channels, out_h, out_w))


def sample_at_pixels(input, ix, iy, mode="bilinear"):
    """``input`` (N, C, H, W) read at the pixel coordinates ``ix`` (columns) and ``iy`` (rows), (N, Ho, Wo) each,
    pixel centres at integers, zero outside the image: (N, C, Ho, Wo). ``mode``: 'bilinear' or 'nearest' (the
    pixel at the point rounded, halves to even). grid_sample's second half, for callers with pixel coordinates
    (tf.contrib.image's transforms)."""
    n, channels, height, width = input.shape
    out_h, out_w = ix.shape[1:3]
    flat = reshape(input, (n, channels, height * width))
    if mode == "nearest":
        # the nearest pixel does not move with the point: the grid's gradient is 0, yet, as in PyTorch, the output
        # belongs to the grid's graph (ix - ix: zeros that depend on it)
        still = unsqueeze(flatten(ix - ix, 1), 1)
        out = _read(flat, round_half_even(ix), round_half_even(iy), height, width) + still
    else:
        x0, y0 = floor(ix), floor(iy)
        wx, wy = unsqueeze(flatten(ix - x0, 1), 1), unsqueeze(flatten(iy - y0, 1), 1)  # (N, 1, Ho*Wo)
        out = 0
        for dy, weight_y in ((0, 1 - wy), (1, wy)):
            for dx, weight_x in ((0, 1 - wx), (1, wx)):
                out = out + weight_y * weight_x * _read(flat, x0 + dx, y0 + dy, height, width)
    return reshape(out, (n, channels, out_h, out_w))
