"""Op table entries for max unpooling and power-average pooling (unpooling.py), PyTorch's bicubic resize (the
'cubic' kernel of resampling.py with PyTorch's rule) and ``unique`` along a dim (sorting.py).

Max unpooling takes indices from a max pooling whose windows do not overlap, so no two values share a position
(with shared positions, which value lands there is unspecified, and the gradient gathers at all of them: see
``tests/test_unpooling_and_bicubic.py``). Unpooling is linear, so its second-order check is trivial; the
``_squared`` spec squares the result, which sends the second-order check through the gather of the VJP and that
gather's own VJP.

Lp-pooling inputs stay where the op is smooth: off 0 (a window of zeros has gradient 0 by PyTorch's convention,
while its neighbourhood has not), positive for odd or fractional p (a negative window sum gives NaN, as in
PyTorch) except p = 1, whose negative sums are fine.
"""
import math

import numpy as np
from hypothesis import strategies as st

from minidl.ops import sorting, unpooling as U
from minidl.ops.resampling import Rule, resample

from .spec import OpSpec, floats_array, shapes
from .specs_pooling import images, ref_avg_pool2d, ref_max_pool2d, ref_pool3d, volumes


# ------------------------------------------------------------------------------------------- max unpool

def ref_max_unpool(x, indices, output_size):
    """Zeros (N, C, *output_size) with each x written at its flat position within its channel."""
    n, c = x.shape[:2]
    out = np.zeros((n, c, math.prod(output_size)), x.dtype)
    for b, ch in np.ndindex(n, c):
        out[b, ch, indices[b, ch].ravel()] = x[b, ch].ravel()
    return out.reshape((n, c) + tuple(output_size))


def _geometry(window, dims):
    kernel, stride, padding = (np.broadcast_to(window.get(key, default), (dims,)).tolist() for key, default in
                               (("kernel_size", 1), ("stride", window["kernel_size"]), ("padding", 0)))
    return kernel, stride, padding


def _default_size(window, dims, pooled_sizes, extra):
    """The unpooled size: ``(out - 1) * stride - 2 * padding + kernel``, plus ``extra`` (0 <= extra < stride:
    the rows a floor-mode pooling dropped)."""
    return tuple((n - 1) * s - 2 * p + k + extra for n, k, s, p in zip(pooled_sizes, *_geometry(window, dims)))


@st.composite
def pooled(draw, window, dims=2, batched=True, extra=0):
    """(values, indices): random values shaped like the max pooling by ``window`` (no overlaps) of a tie-free
    image, and that pooling's int64 indices. The image's size is the unpooling's default size plus ``extra``."""
    outs = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    shape = (draw(st.integers(0 if batched else 1, 2)), draw(st.integers(1, 2))) + _default_size(window, dims, outs,
                                                                                                 extra)
    order = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).permutation(math.prod(shape))
    image = (order - math.prod(shape) // 2).reshape(shape) * 0.25
    if dims == 3:
        _, indices = ref_pool3d(image, **window)
    elif dims == 2:
        _, indices = ref_max_pool2d(image, **window)
    else:
        kernel, stride, padding = _geometry(window, 1)
        indices = ref_max_pool2d(image[:, :, None], (1, kernel[0]), (1, stride[0]), (0, padding[0]))[1][:, :, 0]
    assert indices.shape[2:] == outs
    values = draw(floats_array(indices.shape))
    return (values, indices) if batched else (values[0], indices[0])


def _unpool_spec(name, dims, window, batched=True, extra=0, squared=False):
    """max_unpool{dims}d of pooled values; with ``extra``, the output_size is given (the default plus extra)."""
    def call(lib, y, i):
        size = _default_size(window, dims, y.shape[-dims:], extra) if extra else None
        out = getattr(lib, f"max_unpool{dims}d")(y, i, **window, output_size=size)
        return out * out if squared else out

    def reference(y, i):
        batch = (lambda a: a) if batched else (lambda a: a[None])
        out = ref_max_unpool(batch(y), batch(i), _default_size(window, dims, y.shape[-dims:], extra))
        out = out if batched else out[0]
        return out * out if squared else out

    return OpSpec(name, lambda m, y, i: call(U, y, i), reference, pooled(window, dims, batched, extra),
                  raw_inputs=(1,), torch_fn=lambda t, y, i: call(t.nn.functional, y, i),
                  notes="linear: the second-order check is trivial" if not squared else
                  "squared: second order goes through the VJP's gather and its scatter_add")


# ---------------------------------------------------------------------------------------------- lp pool

def ref_lp_pool2d(x, p, kernel_size, stride=None, ceil_mode=False):
    """(mean of x^p over each window, times the window's area) ^ (1/p); max of |x| for p = inf."""
    if p == math.inf:
        return ref_max_pool2d(np.abs(x), kernel_size, stride, ceil_mode=ceil_mode)[0]
    area = math.prod(kernel_size) if isinstance(kernel_size, tuple) else kernel_size ** 2
    return ((ref_avg_pool2d(x ** p, kernel_size, stride, 0, ceil_mode) * area) ** (1 / p)).astype(x.dtype)


@st.composite
def signed_distinct(draw):
    """An (N, C, H, W) image whose magnitudes are distinct (0.25 apart, at least 0.25) with random signs: no two
    entries of a window tie in |x|."""
    (x,) = draw(images(min_hw=2, distinct=True))
    magnitude = np.abs(x).argsort(axis=None).argsort().reshape(x.shape) * 0.25 + 0.25
    signs = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).choice([-1.0, 1.0], x.shape)
    return (magnitude * signs,)


def _lp_spec(name, p, inputs, kernel_size, stride=None, ceil_mode=False):
    window = dict(kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode)
    return OpSpec(name, lambda m, x: U.lp_pool2d(x, p, **window), lambda x: ref_lp_pool2d(x, p, **window),
                  inputs, torch_fn=lambda t, x: t.nn.functional.lp_pool2d(x, p, **window))


# ---------------------------------------------------------------------------------------------- bicubic

def ref_bicubic(x, out_h, out_w, align_corners=False, scales=(None, None)):
    """PyTorch's bicubic resize in float64, one output pixel at a time: four taps per axis around floor(src),
    Keys' weights with a = -0.75, taps clamped to the edges, the half-pixel source not clamped at 0."""
    def weights(in_size, out_size, scale):
        if align_corners:
            step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        else:
            step = 1 / scale if scale else in_size / out_size
        table = np.zeros((out_size, in_size))
        for i in range(out_size):
            src = i * step if align_corners else (i + 0.5) * step - 0.5
            base = min(math.floor(src), in_size - 1)
            t = min(max(src - base, 0.0), 1.0)
            for k, d in enumerate((1 + t, t, 1 - t, 2 - t)):
                a = -0.75
                w = ((a + 2) * d - (a + 3)) * d * d + 1 if d <= 1 else ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
                table[i, min(max(base - 1 + k, 0), in_size - 1)] += w
        return table
    rows = weights(x.shape[2], out_h, scales[0])
    cols = weights(x.shape[3], out_w, scales[1])
    return np.einsum("ih,nchw,jw->ncij", rows, x, cols).astype(x.dtype)


def bicubic(x, size, align_corners=False, scales=(None, None)):
    """PyTorch's ``interpolate(x, size, mode='bicubic')`` written with the op (the eager ``interpolate`` is not
    available in graph mode): rows, then columns, coordinates in the input's precision."""
    precision = "float64" if np.dtype(x.dtype) == np.float64 else "float32"
    for dim, out_size, scale in ((2, size[0], scales[0]), (3, size[1], scales[1])):
        rule = Rule("cubic", align_corners=align_corners, half_pixel=not align_corners, precision=precision,
                    torch_kernel="image", scale_factor=scale)
        x = resample(x, dim, out_size, rule)
    return x


def _bicubic_spec(name, size=None, scale_factor=None, align_corners=False, **image):
    def sizes(x):
        return size or tuple(math.floor(n * scale_factor) for n in x.shape[2:])
    scales = (scale_factor, scale_factor) if scale_factor else (None, None)
    return OpSpec(name, lambda m, x: bicubic(x, sizes(x), align_corners, scales),
                  lambda x: ref_bicubic(x, *sizes(x), align_corners, scales),
                  images(**image).filter(lambda xs: min(sizes(xs[0])) >= 1), rtol=1e-5, atol=1e-5,
                  torch_fn=lambda t, x: t.nn.functional.interpolate(x, size=size, scale_factor=scale_factor,
                                                                    mode="bicubic", align_corners=align_corners))


# ---------------------------------------------------------------------------------------------- unique

def ref_unique_dim(a, dim):
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    return values, inverse.reshape(-1), counts


def _few_values(shape_strategy):
    """Entries from {0, 0.5, 1}: equal slices are common."""
    return shape_strategy.flatmap(lambda s: st.tuples(floats_array(s, 0, 1).map(lambda a: np.round(a * 2) / 2)))


def _unique_spec(name, dim, shape_strategy):
    return OpSpec(name, lambda m, x: sorting.unique(x, return_inverse=True, return_counts=True, dim=dim),
                  lambda a: ref_unique_dim(a, dim), _few_values(shape_strategy), grad_inputs=(),
                  torch_fn=lambda t, x: t.unique(x, return_inverse=True, return_counts=True, dim=dim),
                  notes="the distinct slices along dim, sorted lexicographically")


SQUARE = dict(kernel_size=2)
PADDED = dict(kernel_size=3, stride=3, padding=1)

SPECS = [
    # ------------------------------------------------------------------------------------------ max_unpool
    _unpool_spec("max_unpool2d", 2, SQUARE),
    _unpool_spec("max_unpool2d_output_size", 2, SQUARE, extra=1),
    _unpool_spec("max_unpool2d_padded", 2, PADDED, extra=2),
    _unpool_spec("max_unpool2d_squared", 2, PADDED, squared=True),
    _unpool_spec("max_unpool2d_unbatched", 2, dict(kernel_size=(1, 2)), batched=False),
    _unpool_spec("max_unpool1d", 1, dict(kernel_size=2, stride=3), extra=1),
    _unpool_spec("max_unpool1d_unbatched", 1, dict(kernel_size=3), batched=False),
    _unpool_spec("max_unpool3d", 3, dict(kernel_size=(1, 2, 2))),
    _unpool_spec("max_unpool3d_unbatched", 3, dict(kernel_size=2, padding=1), batched=False, extra=1),
    # --------------------------------------------------------------------------------------------- lp_pool
    _lp_spec("lp_pool2d_p2", 2, images(min_hw=2).map(
        lambda xs: (np.where(np.abs(xs[0]) < 0.1, 0.5, xs[0]),)), 2),
    _lp_spec("lp_pool2d_p1_negative", 1, images(min_hw=3).map(lambda xs: (-np.abs(xs[0]) - 0.1,)), (3, 2), (2, 1),
             True),
    _lp_spec("lp_pool2d_p3_ceil_mode", 3, images(min_hw=2).map(lambda xs: (np.abs(xs[0]) + 0.2,)),
             (2, 2), (1, 2), True),
    _lp_spec("lp_pool2d_inf", math.inf, signed_distinct(), 2, 1),
    OpSpec("lp_pool1d_fractional", lambda m, x: U.lp_pool1d(x, 1.5, 3, 2, ceil_mode=True),
           lambda x: ref_lp_pool2d(x[:, :, None], 1.5, (1, 3), (1, 2), True)[:, :, 0],
           images(min_hw=3).map(lambda xs: (np.abs(xs[0][:, :, 0]) + 0.2,)),
           torch_fn=lambda t, x: t.nn.functional.lp_pool1d(x, 1.5, 3, 2, ceil_mode=True)),
    OpSpec("lp_pool2d_unbatched", lambda m, x: U.lp_pool2d(x, 2.0, 2, 1),
           lambda x: ref_lp_pool2d(x[None], 2.0, 2, 1)[0],
           images(min_hw=2, batched=False).map(lambda xs: (np.where(np.abs(xs[0]) < 0.1, 0.5, xs[0]),)),
           torch_fn=lambda t, x: t.nn.functional.lp_pool2d(x, 2.0, 2, 1)),
    OpSpec("lp_pool3d", lambda m, x: U.lp_pool3d(x, 2, 2, 1),
           lambda x: ((ref_pool3d(x ** 2, 2, 1, kind="avg") * 8) ** 0.5).astype(x.dtype),
           volumes(dict(kernel_size=2)).map(lambda xs: (xs[0] + 0.125,)),
           torch_fn=lambda t, x: t.nn.functional.lp_pool3d(x, 2, 2, 1),
           notes="values 0.25 apart shifted off 0: no window is all zeros"),
    # --------------------------------------------------------------------------------------------- bicubic
    _bicubic_spec("bicubic_upsample", size=(5, 7)),
    _bicubic_spec("bicubic_downsample", size=(2, 3), min_hw=3),
    _bicubic_spec("bicubic_align_corners", size=(4, 6), align_corners=True),
    _bicubic_spec("bicubic_single_pixel_align_corners", size=(1, 3), align_corners=True),
    _bicubic_spec("bicubic_scale_factor", scale_factor=1.7),
    _bicubic_spec("bicubic_scale_factor_down", scale_factor=0.6, min_hw=2),
    # ---------------------------------------------------------------------------------------------- unique
    _unique_spec("unique_dim0", 0, shapes(min_dims=1, max_dims=3, max_side=4).filter(
        lambda s: all(n > 0 for n in s[1:]))),
    _unique_spec("unique_dim_last", -1, shapes(min_dims=2, max_dims=3, max_side=4).filter(
        lambda s: all(n > 0 for n in s[:-1]))),
    _unique_spec("unique_dim1", 1, shapes(min_dims=3, max_dims=3, min_side=1, max_side=3)),
]
