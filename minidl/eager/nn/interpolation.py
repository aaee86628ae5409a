"""``interpolate`` (re-exported by ``nn.functional``): resize the spatial dims of (N, C, L), (N, C, H, W) or
(N, C, D, H, W) input, as ``torch.nn.functional.interpolate`` does.

Every mode here is *separable*: resizing an image is resizing its rows, then its columns (then its depth), one
dim at a time (``ops/resampling.py`` builds that from ops, so the gradients come from them). Along one dim, output
position ``i`` reads the input at a source coordinate ``src(i)``:

* ``'nearest'``: ``src = floor(i · scale)``, clipped to the last input position, with ``scale = in / out`` (or
  ``1 / scale_factor`` when a scale factor was given) — PyTorch's legacy rule, which is not centred;
* ``'nearest-exact'``: ``src = floor((i + 0.5) · scale)``, the centred rule (what image libraries do);
* ``'linear'``, ``'bilinear'``, ``'trilinear'``: the two input positions around
  ``src = (i + 0.5) · scale - 0.5`` (clamped at 0), mixed ``(1 - λ) · x[i0] + λ · x[i0 + 1]`` with
  ``λ = src - i0``; with ``align_corners=True``, ``src = i · (in - 1) / (out - 1)`` (the corner pixels' centres
  line up exactly);
* ``'bicubic'`` (4-D input): the four input positions ``i0 - 1 … i0 + 2`` around the same ``src`` (not clamped
  at 0), weighted by Keys' cubic kernel with ``a = -0.75`` at the distances ``1 + λ, λ, 1 - λ, 2 - λ``; taps
  beyond the edges read the edge pixel. The weights can be negative, so the result may overshoot the input's
  range (ringing at sharp edges);
* ``'area'``: the mean of each window, which is adaptive average pooling.

``antialias=True`` (``'bilinear'`` and ``'bicubic'``, 4-D input): when shrinking by ``s = in / out > 1``, the
triangle (bilinear) or Keys cubic with ``a = -0.5`` (bicubic, as PIL) is stretched ``s`` times wider, so that each
output averages all the input pixels it covers instead of reading two or four of them (which aliases: fine
patterns come back as false coarse ones); the weights are normalised to sum to 1. See ``ops/resampling.py``.
"""
import math
import numbers
import warnings

import numpy

from ... import ops
from ...ops.base import OpError, describe, is_tensor
from ...ops.pooling import adaptive_avg_pool2d, adaptive_avg_pool3d
from ...ops.resampling import Rule, resample

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
#: each interpolating mode (the ones that take ``align_corners``) and the input rank it needs
_INTERPOLATING = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _rule(x, mode, align_corners, scale_factor, antialias):
    """PyTorch's rule for ``mode`` (see ``ops/resampling.py``): coordinates in the precision its CPU kernels use
    (double for double input, else float), its own kernel for images (4-D input)."""
    interpolating = mode in _INTERPOLATING
    kernel = "cubic" if mode == "bicubic" else "linear" if interpolating else "nearest"
    return Rule(kernel, align_corners=bool(align_corners),
                half_pixel=mode == "nearest-exact" or (interpolating and not align_corners),
                precision="float64" if x.dtype == numpy.float64 else "float32",
                torch_kernel="image" if x.ndim == 4 else "other", scale_factor=scale_factor, antialias=antialias)


def _per_dim(value, spatial, what, input):
    """``size`` or ``scale_factor`` as one entry per spatial dim."""
    if not isinstance(value, (tuple, list)):
        return [value] * spatial
    if len(value) != spatial:
        raise ValueError(f"Input and {'output' if what == 'size' else what} must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of {list(input.shape[2:])} and "
                         f"{'output size of' if what == 'size' else what + ' of shape'} {value}. Please provide "
                         f"input tensor in (N, C, d1, d2, ...,dK) format and "
                         f"{'output size in (o1, o2, ...,oK)' if what == 'size' else what + ' in (s1, s2, ...,sK)'} "
                         "format.")
    return list(value)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize ``input`` (N, C, *spatial) to ``size`` (an int or one per spatial dim), or by ``scale_factor``
    (output size ``floor(in · scale_factor)``). ``mode``: 'nearest', 'nearest-exact', 'linear' (3-D input),
    'bilinear' or 'bicubic' (4-D), 'trilinear' (5-D) or 'area'; ``align_corners`` only for the interpolating
    modes (default False). ``antialias=True`` (bilinear and bicubic) low-pass filters when shrinking.
    ``recompute_scale_factor=True`` computes the source positions from the sizes instead of the factor."""
    if not is_tensor(input):
        raise TypeError(f"interpolate(): argument 'input' must be a tensor, not {type(input).__name__}")
    if mode not in _MODES or input.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {' | '.join(_MODES)} (got {mode})")
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D "
                         f"tensor as input (got mode={mode!r} and {describe(input)})")
    if mode in _INTERPOLATING:
        if input.ndim != _INTERPOLATING[mode]:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_INTERPOLATING[mode]}D input "
                                      f"(interpolate of {describe(input)})")
        align_corners = bool(align_corners)
    elif align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if mode in _INTERPOLATING or mode == "area":
        if not input.is_floating_point():
            raise TypeError(f"interpolate: mode={mode!r} needs a floating point input, got {describe(input)}")
    spatial = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        sizes, scales = _per_dim(size, spatial, "size", input), [None] * spatial
        if not all(isinstance(s, numbers.Integral) and s >= 0 for s in sizes):
            raise ValueError(f"interpolate: size must be a non-negative int or a sequence of them, got {size!r}")
    elif scale_factor is not None:
        scales = [float(s) for s in _per_dim(scale_factor, spatial, "scale_factor", input)]
        sizes = [math.floor(n * s) for n, s in zip(input.shape[2:], scales)]
        if recompute_scale_factor or mode == "area":
            scales = [None] * spatial
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(n < 1 for n in sizes) or any(n < 1 for n in input.shape[2:]):
        raise OpError(f"interpolate: input and output sizes should be greater than 0, but got input "
                      f"{describe(input)} and output size {sizes}")
    if mode == "area":
        if spatial == 1:
            return ops.squeeze(adaptive_avg_pool2d(ops.unsqueeze(input, -2), (1, sizes[0])), -2)
        return (adaptive_avg_pool2d if spatial == 2 else adaptive_avg_pool3d)(input, tuple(sizes))
    for dim, (out_size, scale) in enumerate(zip(sizes, scales), start=2):
        input = resample(input, dim, out_size, _rule(input, mode, align_corners, scale, bool(antialias)))
    return input


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated name of ``interpolate``."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", UserWarning,
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
