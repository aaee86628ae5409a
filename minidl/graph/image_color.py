"""``tf.image``'s colour spaces and image-quality measures: HSV (and the hue and saturation adjustments built on it),
YIQ and YUV, gamma correction, PSNR and SSIM, Sobel edges, and patch extraction (also ``tf.extract_image_patches``).

Every function is a composition of ``minidl.ops`` (slices, ``where``, sums, products), so the gradient with respect
to the images comes from those ops — also for ``adjust_hue`` and ``adjust_saturation``, whose fused kernels in TF 1
have no gradient.

**HSV** describes a colour by its *hue* (which colour of the rainbow, a fraction of a turn around the colour
wheel: 0 red, 1/3 green, 2/3 blue), its *saturation* (how far from gray, 0..1) and its *value* (brightness, the
largest channel). Only float images have an HSV form (``adjust_hue`` and ``adjust_saturation`` convert integer
images to float32 and back, as TF does).

**YIQ and YUV** are linear: each pixel's (R, G, B) row vector times a 3x3 matrix — TF's matrices, whose first
column is the BT.601 luma ``Y = 0.299 R + 0.587 G + 0.114 B``.
"""
import functools

import numpy

from .. import ops
from ..backend import dtypes
from .array_ops import shape as shape_of
from .basics import control_dependencies, identity
from .check_ops import Assert
from .core import get_default_graph, rank_error
from .image_crop import _require
from .image_ops import _as_float, convert_image_dtype
from .math_ops import (FLOATS, check_dtype, constant_value, deprecated_alias, graph_tensor, rank_at_run_time, tf_op,
                       to_tensor)
from .nn_training import _fmt, _pads
from .random_ops import random_uniform


# ========================================================================================== arguments

def _color_image(images, op_type):
    """``images`` as a float tensor whose last dim holds the 3 colour channels, with TF's messages."""
    x = check_dtype(to_tensor(images), FLOATS, "images")
    if not x.shape.rank_known or x.ndim < 1:
        raise rank_error(x)(f"Shape must be at least rank 1 but is rank {x.shape.ndims} for '{op_type}'")
    if x.shape[-1] not in (None, 3):
        raise ValueError(f"Dimension must be 3 but is {x.shape[-1]} for '{op_type}' with input shapes: "
                         f"{_fmt(x.shape)}: the last dimension holds the 3 colour channels")
    return x


def _rank4(x, op_type):
    if not x.shape.rank_known or x.ndim != 4:
        rank = "unknown" if not x.shape.rank_known else x.ndim
        raise rank_error(x)(f"Shape must be rank 4 but is rank {rank} for '{op_type}': images are "
                            f"[batch, height, width, depth], got {_fmt(x.shape)}")
    return x


def _nonzero(divisor):
    """``divisor`` with its zeros replaced by 1: where a ``where`` discards the quotient anyway, this keeps it (and
    so the gradient, which would be 0 · inf = NaN) finite."""
    return ops.where(ops.gt(divisor, 0), divisor, 1)


# ================================================================================================ HSV

@tf_op("RGBToHSV")
def rgb_to_hsv(images, name=None):
    """RGB images (floats in [0, 1], last dim 3) as HSV. With ``V = max(R, G, B)`` and the chroma
    ``C = V - min(R, G, B)``::

        S = C / V                        (0 where V = 0)
        H = (G - B) / 6C                 where R = V   (then + 1 if negative)
            (B - R) / 6C + 1/3           else where G = V
            (R - G) / 6C + 2/3           otherwise   (0 where C = 0: a gray has no hue)

    the position on the colour wheel, in turns, between the two primaries nearest to the colour."""
    x = _color_image(images, "RGBToHSV")
    red, green, blue = ops.unbind(x, -1)
    value = ops.amax(x, -1)
    chroma = value - ops.amin(x, -1)
    saturation = ops.where(ops.gt(value, 0), chroma / _nonzero(value), 0)
    sixth = _nonzero(chroma) * 6
    hue = ops.where(ops.eq(red, value), (green - blue) / sixth,
                    ops.where(ops.eq(green, value), (blue - red) / sixth + 1 / 3, (red - green) / sixth + 2 / 3))
    hue = ops.where(ops.gt(chroma, 0), hue, 0)
    hue = ops.where(ops.lt(hue, 0), hue + 1, hue)
    return ops.stack([hue, saturation, value], -1)


@tf_op("HSVToRGB")
def hsv_to_rgb(images, name=None):
    """HSV images (last dim 3) as RGB, TF's way: each primary's share of the hue is a clipped tent of ``6H``::

        R' = clip(|6H - 3| - 1, 0, 1)    G' = clip(2 - |6H - 2|, 0, 1)    B' = clip(2 - |6H - 4|, 0, 1)

    (R' is 1 around H = 0 and 1, G' around 1/3, B' around 2/3), then ``channel = V · (1 - S + S · channel')``:
    V itself for the strongest primary, ``V (1 - S)`` for the weakest."""
    x = _color_image(images, "HSVToRGB")
    hue, saturation, value = (ops.getitem(x, (Ellipsis, slice(c, c + 1))) for c in range(3))  # (..., 1) each
    turns = hue * 6
    shares = ops.clamp(ops.cat([ops.abs(turns - 3) - 1, 2 - ops.abs(turns - 2), 2 - ops.abs(turns - 4)], -1), 0, 1)
    return (1 - saturation + saturation * shares) * value


def _adjust_hsv(image, change):
    """``image`` taken to HSV in float (an integer image is converted, float32 and float16 are kept), its (H, S, V)
    channels changed by ``change(hue, saturation, value)``, and brought back to RGB and ``image``'s dtype."""
    flt, dtype = _as_float(image)
    hue, saturation, value = ops.unbind(rgb_to_hsv(flt), -1)
    adjusted = hsv_to_rgb(ops.stack(change(hue, saturation, value), -1))
    return convert_image_dtype(adjusted, dtype)


def _scalar(value, dtype):
    """A number or tensor as a tensor of ``dtype`` (the image's: a Python number would be float32)."""
    return ops.cast(to_tensor(value, dtype), dtype)


@tf_op("adjust_hue")
def adjust_hue(image, delta, name=None):
    """The image with its hue turned by ``delta`` (a fraction of a turn, in [-1, 1]): ``H' = (H + delta) mod 1``
    (0.5 swaps each colour for its complement); saturation and value are kept."""
    return _adjust_hsv(image, lambda h, s, v: (ops.remainder(h + _scalar(delta, h.dtype), 1), s, v))


@tf_op("adjust_saturation")
def adjust_saturation(image, saturation_factor, name=None):
    """The image with its saturation scaled: ``S' = clip(S · saturation_factor, 0, 1)`` (0 gives gray, above 1
    more vivid colours); hue and value are kept."""
    return _adjust_hsv(image, lambda h, s, v: (h, ops.clamp(s * _scalar(saturation_factor, s.dtype), 0, 1), v))


def random_hue(image, max_delta, seed=None):
    """``adjust_hue`` by a delta drawn uniformly from [-max_delta, max_delta) (``max_delta`` in [0, 0.5])."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    with get_default_graph().name_scope("random_hue"):
        return adjust_hue(image, random_uniform([], -max_delta, max_delta, seed=seed))


def random_saturation(image, lower, upper, seed=None):
    """``adjust_saturation`` by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    with get_default_graph().name_scope("random_saturation"):
        return adjust_saturation(image, random_uniform([], lower, upper, seed=seed))


def adjust_gamma(image, gamma=1, gain=1):
    """Gamma correction: ``out = gain · image ** gamma`` on the float scale ([0, 1]; an integer image is converted
    and back, clipped to its range). ``gamma`` > 1 darkens, < 1 brightens. A negative ``gamma`` is a ValueError,
    or an ``InvalidArgumentError`` when it runs if ``gamma`` is a tensor."""
    with get_default_graph().name_scope("adjust_gamma"):
        flt, dtype = _as_float(image)
        exponent = _scalar(gamma, flt.dtype)
        valid = ops.ge(exponent, 0) if graph_tensor(gamma) is not None else gamma >= 0
        with control_dependencies(_require(valid, "Gamma should be a non-negative real number.")):
            adjusted = ops.mul(ops.pow(flt, exponent), _scalar(gain, flt.dtype))
        return convert_image_dtype(adjusted, dtype, saturate=True)


# ======================================================================================= YIQ and YUV

_RGB_TO_YIQ = ((0.299, 0.59590059, 0.2115), (0.587, -0.27455667, -0.52273617), (0.114, -0.32134392, 0.31119955))
_YIQ_TO_RGB = ((1, 1, 1), (0.95598634, -0.27201283, -1.10674021), (0.6208248, -0.64720424, 1.70423049))
_RGB_TO_YUV = ((0.299, -0.14714119, 0.61497538), (0.587, -0.28886916, -0.51496512), (0.114, 0.43601035, -0.10001026))
_YUV_TO_RGB = ((1, 1, 1), (0, -0.394642334, 2.03206185), (1.13988303, -0.58062185, 0))


def _times(images, kernel, op_type):
    """Each pixel's 3 channels (a row vector) times the 3x3 ``kernel``, in the images' dtype."""
    x = _color_image(images, op_type)
    with get_default_graph().name_scope(op_type):
        return ops.matmul(x, to_tensor(numpy.array(kernel, dtype=x.dtype)))


def rgb_to_yiq(images):
    """RGB as YIQ (NTSC): the luma Y and two chroma axes, I (orange-blue) and Q (purple-green)."""
    return _times(images, _RGB_TO_YIQ, "rgb_to_yiq")


def yiq_to_rgb(images):
    """YIQ as RGB: the inverse of ``rgb_to_yiq``'s matrix."""
    return _times(images, _YIQ_TO_RGB, "yiq_to_rgb")


def rgb_to_yuv(images):
    """RGB as YUV (PAL): the luma Y and the scaled colour differences U ∝ B - Y and V ∝ R - Y."""
    return _times(images, _RGB_TO_YUV, "rgb_to_yuv")


def yuv_to_rgb(images):
    """YUV as RGB: the inverse of ``rgb_to_yuv``'s matrix."""
    return _times(images, _YUV_TO_RGB, "yuv_to_rgb")


# ================================================================================= PSNR and SSIM

def _compared(img1, img2, max_val):
    """``(img1, img2, max_val, checks)``: the two batches of images (last three dims [height, width, depth]) in
    float32 on the float scale, ``max_val`` (given in the first one's units: 255 for uint8) on it too, and the
    run-time check that the images have the same size. Batch dims must broadcast."""
    a, b = to_tensor(img1), to_tensor(img2)
    for x in (a, b):
        if not x.shape.rank_known or x.ndim < 3:
            raise rank_error(x)(f"Shape {x.shape} must have rank at least 3")
    if not a.shape[-3:].is_compatible_with(b.shape[-3:]):
        raise ValueError(f"Shapes {a.shape[-3:]} and {b.shape[-3:]} are incompatible")
    for d1, d2 in zip(reversed(a.shape[:-3]), reversed(b.shape[:-3])):
        if d1 is not None and d2 is not None and 1 not in (d1, d2) and d1 != d2:
            raise ValueError(f"Two images are not compatible: {a.shape} and {b.shape}")
    check = Assert(ops.all(ops.eq(shape_of(a)[-3:], shape_of(b)[-3:])), [shape_of(a), shape_of(b)], summarize=10)
    max_val = convert_image_dtype(ops.cast(to_tensor(max_val), a.dtype), dtypes.float32)
    return convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32), max_val, [check]


@tf_op("PSNR")
def psnr(a, b, max_val, name=None):
    """The peak signal-to-noise ratio of each pair of images, in decibels (float32)::

        PSNR = 20 log10(max_val) - 10 log10(MSE),    MSE = mean over height, width and depth of (a - b)²

    ``max_val`` is the range of the pixel values (255 for uint8, 1.0 for floats in [0, 1]); identical images give
    +inf, and each halving of the error adds about 6 dB."""
    a, b, max_val, checks = _compared(a, b, max_val)
    mse = ops.mean(ops.square(a - b), (-3, -2, -1))
    value = ops.log(max_val) * numpy.float32(20 / numpy.log(10)) - ops.log(mse) * numpy.float32(10 / numpy.log(10))
    with control_dependencies(checks):
        return identity(value)


def _gaussian(size, sigma):
    """The 1-D Gaussian window of ``size`` taps centred on the middle, summing to 1: ``exp(-d² / 2σ²)`` divided by
    its sum. TF builds the 2-D window as a softmax over the grid, which is this one's outer product with itself."""
    distance = numpy.arange(size) - (size - 1) / 2
    weights = numpy.exp(-distance ** 2 / (2 * sigma ** 2))
    return (weights / weights.sum()).tolist()  # Python floats: they multiply a float32 image without promoting it


def _window_sum(x, axis, weights):
    """``Σ_k weights[k] · x[k : k + n - f + 1]`` along ``axis`` for the f taps ``weights``: a 1-D filter over
    the positions where it fits entirely ('VALID', f - 1 fewer), as a weighted sum of shifted slices (zero weights
    skipped)."""
    taps = len(weights)

    def shifted(k):
        return ops.getitem(x, (slice(None),) * axis + (slice(k, k - taps + 1 or None),))
    return functools.reduce(ops.add, (shifted(k) * w for k, w in enumerate(weights) if w))


def _filtered(x, weights):
    """``x`` (..., height, width, depth) filtered over height and width by the 2-D window ``weights ⊗ weights``
    ('VALID'): one 1-D pass down, one across."""
    rows = x.ndim - 3
    return _window_sum(_window_sum(x, rows, weights), rows + 1, weights)


@rank_at_run_time
def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    """The structural similarity (Wang et al., 2004) of each pair of images: 1 for identical images, lower as their
    local structure differs. With the local means μ, variances σ² and covariance σ₁₂ — each an average over a
    ``filter_size`` × ``filter_size`` Gaussian window of width ``filter_sigma`` (``E[x] = Σ w x``, so
    ``σ₁₂ = E[xy] - μ₁μ₂``) — at every position where the window fits::

        SSIM = (2μ₁μ₂ + c1) / (μ₁² + μ₂² + c1)  ·  (2σ₁₂ + c2) / (σ₁² + σ₂² + c2),   c = (k · max_val)²

    (luminance times contrast-structure), averaged over the positions and the channels: one float32 value per
    image. The images must be at least ``filter_size`` in height and width."""
    with get_default_graph().name_scope("SSIM"):
        a, b, max_val, checks = _compared(img1, img2, max_val)
        size, sigma = constant_value(filter_size, "filter_size"), constant_value(filter_sigma, "filter_sigma")
        for x in (a, b):
            dims = x.shape[-3:-1]
            if dims.is_fully_defined():
                fits = min(dims.as_list()) >= size
            else:
                fits = ops.all(ops.ge(shape_of(x)[-3:-1], size))
            checks += _require(fits, f"the images' height and width must be at least filter_size = {size}, got "
                                     f"{_fmt(x.shape)}")
        with control_dependencies(checks):
            a = identity(a)
        weights = _gaussian(size, sigma)
        c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
        mean1, mean2 = _filtered(a, weights), _filtered(b, weights)
        products = mean1 * mean2 * 2                                  # 2μ₁μ₂
        squares = ops.square(mean1) + ops.square(mean2)               # μ₁² + μ₂²
        luminance = (products + c1) / (squares + c1)
        covariances = _filtered(a * b, weights) * 2 - products       # 2σ₁₂ = 2E[xy] - 2μ₁μ₂
        variances = _filtered(ops.square(a) + ops.square(b), weights) - squares   # σ₁² + σ₂² = E[x² + y²] - μ₁² - μ₂²
        structure = (covariances + c2) / (variances + c2)
        return ops.mean(luminance * structure, (-3, -2, -1))


# ============================================================================================= edges

@rank_at_run_time
def sobel_edges(image):
    """The Sobel edge maps of a batch [batch, h, w, d]: ``[batch, h, w, d, 2]`` holding (dy, dx) for each channel.
    The Sobel kernels are a difference in one direction times a smoothing in the other::

        dy = [-1, 0, 1]ᵀ (down) ⊗ [1, 2, 1] (across)        dx = [1, 2, 1]ᵀ ⊗ [-1, 0, 1]

    so each is two 1-D passes. The image is first extended by one pixel on each side by reflection (the row
    beyond the edge mirrors the one inside it, TF's 'REFLECT'), which keeps the size and needs h, w >= 2."""
    x = _rank4(check_dtype(to_tensor(image), FLOATS, "image"), "sobel_edges")
    with get_default_graph().name_scope("sobel_edges"):
        padded = ops.pad(x, (0, 0, 1, 1, 1, 1), mode="reflect")
        smooth, difference = (1, 2, 1), (-1, 0, 1)
        dy = _window_sum(_window_sum(padded, 2, smooth), 1, difference)
        dx = _window_sum(_window_sum(padded, 1, smooth), 2, difference)
        return ops.stack([dy, dx], -1)


# =========================================================================================== patches

def _spatial(values, what):
    """TF's [1, along height, along width, 1] window argument as the pair (along height, along width)."""
    values = list(values) if values is not None else []
    if len(values) != 4:
        raise ValueError(f"ExtractImagePatches requires the {what} attribute to contain 4 values, but got: "
                         f"{len(values)}")
    if values[0] != 1 or values[3] != 1:
        raise ValueError(f"Only support {what} across space.")
    return int(values[1]), int(values[2])


def _patches(images, sizes, strides, rates, padding):
    """Every ``sizes`` window of the batch of images, ``rates`` apart inside (dilated) and ``strides`` apart from the
    next window, its pixels flattened in (row, column, depth) order into the depth of one output pixel::

        out[b, i, j, (p·kw + q)·d + c] = padded[b, i·sh + p·rh, j·sw + q·rw, c]

    'VALID' keeps the windows that fit, 'SAME' pads with zeros (as ``tf.nn.conv2d`` does) to ceil(n / stride)
    windows. Built on sliding windows (``unfold``) along the height and then the width — each window of the
    dilated extent ``(k - 1)·r + 1``, of which every r-th pixel is kept — so the gradient is the windows' sum
    back into place."""
    x = _rank4(to_tensor(images), "ExtractImagePatches")
    (kh, kw), stride, (rh, rw) = (_spatial(v, what) for v, what in ((sizes, "ksizes"), (strides, "strides"),
                                                                      (rates, "rates")))
    if x.shape[1] is None or x.shape[2] is None:
        raise ValueError(f"extract_image_patches needs the images' height and width known when the graph is built, "
                         f"got {_fmt(x.shape)}")
    nchw = ops.permute(x, (0, 3, 1, 2))  # the convolution helpers' layout: the spatial dims last
    (top, bottom), (left, right) = _pads(padding, nchw, (kh, kw), stride, (rh, rw), True)
    padded = ops.pad(nchw, (left, right, top, bottom))
    def every(rate):  # every rate-th pixel of each window (the windows are the last dim)
        return (Ellipsis, slice(None, None, rate))
    rows = ops.getitem(ops.unfold_windows(padded, 2, (kh - 1) * rh + 1, stride[0]), every(rh))
    windows = ops.getitem(ops.unfold_windows(rows, 3, (kw - 1) * rw + 1, stride[1]), every(rw))
    # (batch, depth, out_rows, out_cols, kh, kw) -> (batch, out_rows, out_cols, kh · kw · depth)
    return ops.flatten(ops.permute(windows, (0, 2, 3, 4, 5, 1)), 3)


@tf_op("ExtractImagePatches")
def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None):
    """TF1's name of ``extract_patches`` (``ksizes``, or its newer name ``sizes``, is [1, kh, kw, 1])."""
    return _patches(images, deprecated_alias(sizes, ksizes, "sizes", "ksizes"), strides, rates, padding)


@tf_op("ExtractImagePatches")
def extract_patches(images, sizes, strides, rates, padding, name=None):
    """The patches of a batch of images [batch, h, w, d]: [batch, out_rows, out_cols, kh · kw · d], each patch
    flattened into the depth of its output pixel. ``sizes``, ``strides`` and ``rates`` are [1, along height, along
    width, 1]; ``padding`` 'VALID' or 'SAME' (see ``_patches``)."""
    return _patches(images, sizes, strides, rates, padding)
