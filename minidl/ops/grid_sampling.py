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
order, follow from those ops. They take 4-D input (N, C, H, W), as the spatial transformer does, or 5-D input
(N, C, D, H, W) with points (x, y, z) — trilinear sampling of a volume (3-D registration, as in VoxelMorph) —
for every mode but bicubic, as PyTorch.
"""

import itertools
import math

import numpy

from ..backend import dtypes
from ..backend.linspace import linspace_values
from .base import Op, OpError, Spec, apply, describe, is_tensor, warn
from .cast import cast
from .compare import eq, ge, gt, le, logical_and, lt, where
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
    """The points (x, y, 1) — or (x, y, z, 1) for a volume — of every output pixel, (H*W, 3) or (D*H*W, 4), in
    row-major order (``theta`` lends only its dtype and device). Constant: no gradient."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, theta, sizes, align_corners):
        dtype = theta.dtype

        def positions(n):
            """The normalized coordinates of the pixel centres along an axis of n pixels, rounded as PyTorch's
            (a float32 ``linspace``, then scaled): a point meant to be a pixel centre lands on the same side of it
            as in PyTorch, which decides which neighbours bilinear sampling differentiates."""
            if n <= 1:
                return numpy.zeros(n, dtype)
            centres = linspace_values(-1, 1, n, dtype)
            return centres if align_corners else centres * dtype.type(n - 1) / dtype.type(n)
        grids = numpy.meshgrid(*(positions(n) for n in sizes), indexing="ij")  # z (or y) first, x last
        columns = [g.ravel() for g in reversed(grids)]  # x, y (, z)
        return xp.asarray(numpy.stack(columns + [numpy.ones(math.prod(sizes), dtype)], axis=1))

    @staticmethod
    def infer(theta, sizes, align_corners):
        return Spec((math.prod(sizes), len(sizes) + 1), theta.dtype)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3) for an output of ``size``
    (N, C, H, W): grid[n, i, j] = theta[n] @ (x_j, y_i, 1), with (x_j, y_i) the normalized position of output
    pixel (i, j) (module docstring). For a volume, ``size`` (N, C, D, H, W) and ``theta`` (N, 3, 4) give the grid
    (N, D, H, W, 3) of the points (x, y, z)."""
    align_corners = _align_corners("affine_grid", align_corners)
    if not is_tensor(theta) or not dtypes.is_floating_point(theta.dtype):
        raise TypeError(f"affine_grid: expected theta to be a floating point tensor, got "
                        f"{describe(theta) if is_tensor(theta) else type(theta).__name__}")
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {list(size)}.")
    if min(size) <= 0:
        raise OpError(f"affine_grid: expected a non-zero, positive size, got size={list(size)}")
    n, spatial = int(size[0]), tuple(int(s) for s in size[2:])
    k = len(spatial)
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (k, k + 1) or theta.shape[0] not in (None, n):
        raise OpError(f"affine_grid: expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size "
                      f"{list(size)}, got theta {describe(theta)}")
    if align_corners and min(spatial) == 1:
        warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
             "align_corners=True. This is not an intended use case of affine_grid. See the documentation of "
             "affine_grid for details.")
    base = apply(AffineBaseGrid, theta, sizes=spatial, align_corners=align_corners)
    return reshape(matmul(base, transpose(theta, 1, 2)), (n,) + spatial + (k,))


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
    return _padded(pixel, size, align_corners, padding_mode)


def _padded(pixel, size, align_corners, padding_mode):
    """A pixel coordinate moved onto the image by the padding mode: mirrored ('reflection') and clipped ('border'
    too); with 'zeros' it stays, and ``_read`` gives 0 outside. Bilinear and nearest sampling move the point,
    bicubic its taps."""
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


def _read(flat, points, sizes):
    """input[n, :, p0, p1, ...] at the points (integer-valued floats (N, *So), one per spatial dim, in the input's
    order), zero outside: (N, C, prod(So)), gathered from ``flat`` (N, C, prod(sizes)) at the points (pixel 0 for
    those outside), times whether they were inside."""
    inside, index = None, 0
    for p, size in zip(points, sizes):
        within = logical_and(ge(p, 0), le(p, size - 1))
        inside = within if inside is None else logical_and(inside, within)
        # row-major position (exact: small integers in floats); a point outside (NaN too) reads pixel 0, times 0
        index = index * size + where(within, p, 0.0)
    index = flatten(cast(index, dtypes.int64), 1)
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
    if input.ndim not in (4, 5):
        raise OpError(f"grid_sample: expected 4-D input (N, C, H, W) or 5-D input (N, C, D, H, W), got "
                      f"{describe(input)}")
    k = input.ndim - 2
    if grid.ndim != input.ndim or grid.shape[-1] != k:
        expected = "(N, H_out, W_out, 2)" if k == 2 else "(N, D_out, H_out, W_out, 3)"
        raise OpError(f"grid_sample: expected grid {expected} for {input.ndim}-D input, got {describe(grid)}")
    if mode == "bicubic" and k == 3:
        raise OpError("grid_sample: bicubic interpolation only supports 4D input")
    if grid.dtype != input.dtype:
        raise TypeError(f"grid_sample: expected input and grid to have the same dtype, got {describe(input)} and "
                        f"{describe(grid)}")
    if None not in (input.shape[0], grid.shape[0]) and input.shape[0] != grid.shape[0]:
        raise OpError(f"grid_sample: expected grid and input to have same batch size, but got input "
                      f"{describe(input)} and grid {describe(grid)}")
    sizes = tuple(input.shape[2:])
    if None in sizes:
        raise OpError(f"grid_sample: the input's spatial sizes must be known, got {describe(input)}")
    # the grid's last dim holds (x, y[, z]): x runs along the input's last dim, so the coordinates come reversed
    if mode == "bicubic":  # (the padding mode applies to the taps: see _bicubic)
        ix = _source(getitem(grid, (Ellipsis, 0)), sizes[1], align_corners, "zeros")
        iy = _source(getitem(grid, (Ellipsis, 1)), sizes[0], align_corners, "zeros")
        return _bicubic(input, ix, iy, padding_mode, align_corners)
    points = [_source(getitem(grid, (Ellipsis, k - 1 - d)), size, align_corners, padding_mode)
              for d, size in enumerate(sizes)]
    return _sample(input, points, mode)


def _cubic_weights(t):
    """The weights of the taps at -1, 0, 1, 2 for a point at fraction ``t`` past tap 0: Keys' kernel W with
    a = -0.75 (module docstring) at the distances t + 1, t, 1 - t, 2 - t."""
    a = -0.75

    def near(s):  # 0 <= s <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):  # 1 <= s <= 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


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
        row = _padded(y0 + dy, height, align_corners, padding_mode)
        for dx, weight_x in zip((-1, 0, 1, 2), weights_x):
            column = _padded(x0 + dx, width, align_corners, padding_mode)
            out = out + weight_y * weight_x * _read(flat, [row, column], (height, width))
    return reshape(out, (n, channels, out_h, out_w))


def sample_at_pixels(input, ix, iy, mode="bilinear"):
    """``input`` (N, C, H, W) read at the pixel coordinates ``ix`` (columns) and ``iy`` (rows), (N, Ho, Wo) each,
    pixel centres at integers, zero outside the image: (N, C, Ho, Wo). ``mode``: 'bilinear' or 'nearest' (the
    pixel at the point rounded, halves to even). grid_sample's second half, for callers with pixel coordinates
    (tf.contrib.image's transforms)."""
    return _sample(input, [iy, ix], mode)


def _sample(input, points, mode):
    """``input`` (N, C, *S) read at the pixel coordinates ``points`` (one per spatial dim, in S's order, each
    (N, *So)): 'nearest', or 'bilinear' — the 2^k pixels around each point, each weighted by the product over the
    dims of (1 - w) or w, w the point's fraction past the lower pixel (trilinear for a volume)."""
    n, channels = input.shape[:2]
    sizes = tuple(input.shape[2:])
    flat = reshape(input, (n, channels, math.prod(sizes)))
    if mode == "nearest":
        # the nearest pixel does not move with the point: the grid's gradient is 0, yet, as in PyTorch, the output
        # belongs to the grid's graph (p - p: zeros that depend on it)
        still = unsqueeze(flatten(points[0] - points[0], 1), 1)
        out = _read(flat, [round_half_even(p) for p in points], sizes) + still
    else:
        lows = [floor(p) for p in points]
        fractions = [unsqueeze(flatten(p - low, 1), 1) for p, low in zip(points, lows)]  # (N, 1, prod(So))
        out = 0
        for corner in itertools.product((0, 1), repeat=len(points)):
            weight = 1
            for step, fraction in zip(corner, fractions):
                weight = weight * (fraction if step else 1 - fraction)
            out = out + weight * _read(flat, [low + step for low, step in zip(lows, corner)], sizes)
    return reshape(out, (n, channels) + tuple(points[0].shape[1:]))
