"""Op table entries for affine_grid and grid_sample (grid_sampling.py): both padding rules of the coordinates
(align_corners), the three padding modes, bilinear, nearest and bicubic sampling, images and volumes (5-D);
gradients w.r.t. theta, the input and the grid.

The numpy reference samples point by point, following PyTorch's documented formulas. Bilinear sampling has kinks
where a point crosses a pixel centre (and nearest sampling jumps at half-pixels): the grid values are drawn and
then moved by an irrational-looking affine map, so that hypothesis' favourite values (0, ±1, ±0.5) — which land
exactly on pixel centres — do not straddle a kink in the central differences.
"""
import numpy as np

from minidl.ops import grid_sampling as G

from .spec import OpSpec, floats_array


def _positions(n, align_corners):
    if align_corners:
        return np.linspace(-1, 1, n) if n > 1 else np.zeros(n)
    return (2 * np.arange(n) + 1) / n - 1


def ref_affine_grid(theta, size, align_corners):
    """theta[n] @ (x, y[, z], 1) at every output pixel's normalized position."""
    spatial = size[2:]
    grids = np.meshgrid(*(_positions(m, align_corners) for m in spatial), indexing="ij")
    base = np.stack(list(grids[::-1]) + [np.ones(spatial)], axis=-1)  # (*spatial, k + 1): x, y[, z], 1
    return np.einsum("...k,nck->n...c", base, theta).astype(theta.dtype)


def _reflect(c, low, high):
    """c mirrored at low and high (floats) until it lies in [low, high]."""
    span = high - low
    d = abs(c - low)
    flips = np.floor(d / span)
    extra = d - flips * span
    return extra + low if flips % 2 == 0 else span - extra + low


def _pixel(coordinate, size, align_corners, padding_mode):
    p = (coordinate + 1) / 2 * (size - 1) if align_corners else ((coordinate + 1) * size - 1) / 2
    return _pixel_from_unnormalized(p, size, align_corners, padding_mode)


def _keys_kernel(s, a=-0.75):
    """Keys' cubic convolution kernel at distance s (PyTorch's bicubic: a = -0.75)."""
    s = abs(s)
    if s <= 1:
        return (a + 2) * s ** 3 - (a + 3) * s ** 2 + 1
    return a * s ** 3 - 5 * a * s ** 2 + 8 * a * s - 4 * a if s < 2 else 0.0


def _tap(k, size, align_corners, padding_mode):
    """An integer tap moved onto the image by the padding mode (bicubic moves taps, not the point)."""
    if padding_mode == "zeros":
        return k
    return int(round(_pixel_from_unnormalized(k, size, align_corners, padding_mode)))


def _pixel_from_unnormalized(p, size, align_corners, padding_mode):
    if padding_mode == "reflection":
        if align_corners:
            p = _reflect(p, 0, size - 1) if size > 1 else 0.0
        else:
            p = _reflect(p, -0.5, size - 0.5)
    return min(max(p, 0), size - 1) if padding_mode in ("border", "reflection") else p


def ref_grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    n, c, h, w = x.shape
    out = np.zeros((n, c) + grid.shape[1:3])

    def at(b, row, col):
        return x[b, :, row, col] if 0 <= row < h and 0 <= col < w else np.zeros(c)

    for b, i, j in np.ndindex(n, *grid.shape[1:3]):
        if mode == "bicubic":
            ix, iy = _pixel(grid[b, i, j, 0], w, align_corners, "zeros"), _pixel(grid[b, i, j, 1], h,
                                                                                 align_corners, "zeros")
            x0, y0 = int(np.floor(ix)), int(np.floor(iy))
            out[b, :, i, j] = sum(_keys_kernel(ix - (x0 + dx)) * _keys_kernel(iy - (y0 + dy))
                                  * at(b, _tap(y0 + dy, h, align_corners, padding_mode),
                                       _tap(x0 + dx, w, align_corners, padding_mode))
                                  for dy in (-1, 0, 1, 2) for dx in (-1, 0, 1, 2))
            continue
        ix = _pixel(grid[b, i, j, 0], w, align_corners, padding_mode)
        iy = _pixel(grid[b, i, j, 1], h, align_corners, padding_mode)
        if mode == "nearest":
            out[b, :, i, j] = at(b, int(np.rint(iy)), int(np.rint(ix)))
            continue
        x0, y0 = int(np.floor(ix)), int(np.floor(iy))
        wx, wy = ix - x0, iy - y0
        out[b, :, i, j] = ((1 - wy) * ((1 - wx) * at(b, y0, x0) + wx * at(b, y0, x0 + 1))
                           + wy * ((1 - wx) * at(b, y0 + 1, x0) + wx * at(b, y0 + 1, x0 + 1)))
    return out.astype(x.dtype)


def ref_grid_sample_volume(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    """Trilinear (or nearest) sampling of x (N, C, D, H, W) at the points (x, y, z) of grid (N, Do, Ho, Wo, 3)."""
    n, c, *sizes = x.shape
    out = np.zeros((n, c) + grid.shape[1:4])
    for b, *at in np.ndindex(n, *grid.shape[1:4]):
        point = [_pixel(grid[(b, *at, 2 - d)], sizes[d], align_corners, padding_mode) for d in range(3)]  # z, y, x
        if mode == "nearest":
            corners = [([int(np.rint(p)) for p in point], 1.0)]
        else:
            lows = [int(np.floor(p)) for p in point]
            corners = [([low + s for low, s in zip(lows, steps)],
                        np.prod([(p - low) if s else 1 - (p - low) for p, low, s in zip(point, lows, steps)]))
                       for steps in np.ndindex(2, 2, 2)]
        for pixel, weight in corners:
            if all(0 <= q < m for q, m in zip(pixel, sizes)):
                out[(b, slice(None), *at)] += weight * x[(b, slice(None), *pixel)]
    return out.astype(x.dtype)


def sample_case(batch=2, channels=2, size=(3, 4), out=(2, 3)):
    """(input (N, C, *size), grid (N, *out, len(size))) with points up to 40% beyond the image, off the kinks."""
    return floats_array((batch, channels) + size).flatmap(
        lambda x: floats_array((batch,) + out + (len(size),), low=-1.0, high=1.0).map(
            lambda g: (x, g * 1.3713 + 0.0217)))


def _sample_spec(name, grad_inputs=(0, 1), **options):
    # bicubic sums 16 weights of both signs: in float32 its rounding errors reach a few 1e-5 of the result
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if options.get("mode") == "bicubic" else {}
    return OpSpec(name, lambda m, x, grid: G.grid_sample(x, grid, **options),
                  lambda x, grid: ref_grid_sample(x, grid, **options), sample_case(), grad_inputs=grad_inputs,
                  torch_fn=lambda t, x, grid: t.nn.functional.grid_sample(x, grid, **options), **tolerance)


def _volume_spec(name, grad_inputs=(0, 1), **options):
    return OpSpec(name, lambda m, x, grid: G.grid_sample(x, grid, **options),
                  lambda x, grid: ref_grid_sample_volume(x, grid, **options),
                  sample_case(batch=1, size=(2, 3, 4), out=(2, 2, 3)),
                  grad_inputs=grad_inputs, torch_fn=lambda t, x, grid: t.nn.functional.grid_sample(x, grid, **options))


SPECS = [
    OpSpec("affine_grid", lambda m, theta: G.affine_grid(theta, (2, 3, 3, 4), align_corners=False),
           lambda theta: ref_affine_grid(theta, (2, 3, 3, 4), False), floats_array((2, 2, 3)).map(lambda t: (t,)),
           torch_fn=lambda t, theta: t.nn.functional.affine_grid(theta, (2, 3, 3, 4), align_corners=False)),
    OpSpec("affine_grid_align_corners", lambda m, theta: G.affine_grid(theta, (1, 1, 4, 2), align_corners=True),
           lambda theta: ref_affine_grid(theta, (1, 1, 4, 2), True), floats_array((1, 2, 3)).map(lambda t: (t,)),
           torch_fn=lambda t, theta: t.nn.functional.affine_grid(theta, (1, 1, 4, 2), align_corners=True)),
    _sample_spec("grid_sample", align_corners=False),
    _sample_spec("grid_sample_align_corners", align_corners=True),
    _sample_spec("grid_sample_border", padding_mode="border", align_corners=False),
    _sample_spec("grid_sample_reflection", padding_mode="reflection", align_corners=False),
    _sample_spec("grid_sample_reflection_align_corners", padding_mode="reflection", align_corners=True),
    _sample_spec("grid_sample_nearest", grad_inputs=(0,), mode="nearest", align_corners=False),
    _sample_spec("grid_sample_nearest_border", grad_inputs=(0,), mode="nearest", padding_mode="border",
                 align_corners=True),
    _sample_spec("grid_sample_bicubic", mode="bicubic", align_corners=False),
    OpSpec("affine_grid_volume", lambda m, theta: G.affine_grid(theta, (2, 1, 2, 3, 4), align_corners=False),
           lambda theta: ref_affine_grid(theta, (2, 1, 2, 3, 4), False), floats_array((2, 3, 4)).map(lambda t: (t,)),
           torch_fn=lambda t, theta: t.nn.functional.affine_grid(theta, (2, 1, 2, 3, 4), align_corners=False)),
    _volume_spec("grid_sample_volume", align_corners=False),
    _volume_spec("grid_sample_volume_reflection", padding_mode="reflection", align_corners=True),
    _volume_spec("grid_sample_volume_nearest_border", grad_inputs=(0,), mode="nearest", padding_mode="border",
                 align_corners=False),
    _sample_spec("grid_sample_bicubic_border", mode="bicubic", padding_mode="border", align_corners=True),
    _sample_spec("grid_sample_bicubic_reflection", mode="bicubic", padding_mode="reflection", align_corners=False),
]
