"""Random geometric and colour changes of one image — a numpy array of 3 dims — for data augmentation, as TF
1.15's Keras makes them (``keras_preprocessing`` 1.1, which warps with ``scipy.ndimage``; here with numpy only).

**An affine warp pulls.** Each output pixel at (row, col) takes its value from the input at the position
``M · (row, col, 1)``: the 3 x 3 matrix ``M`` maps output positions to the input positions they come from (as
``scipy.ndimage.affine_transform`` reads its matrix), so every output pixel gets exactly one value. Keras builds
``M`` from the parameters, each a matrix on (row, col) positions, multiplied in this order::

    rotation θ (degrees)     shift (tx rows, ty cols)     shear s (degrees)          zoom (zx rows, zy cols)
    [cos θ  -sin θ  0]       [1  0  tx]                   [1  -sin s  0]             [zx  0  0]
    [sin θ   cos θ  0]   ·   [0  1  ty]               ·   [0   cos s  0]         ·   [0  zy  0]
    [0       0      1]       [0  0  1 ]                   [0   0      1]             [0   0  1]

and then about the image's centre ``c``: ``M_c = T(c) · M · T(-c)``. Pulling reverses the directions one might
expect: a shift ``tx = 2`` moves the picture 2 rows *up* (output row r shows input row r + 2), a zoom ``zx = 2``
shows twice as many rows — it shrinks the picture (``zx = 0.5`` enlarges it) — and a positive ``theta`` turns the
picture clockwise on the screen. The centre is keras_preprocessing's ``(h/2 + 0.5, w/2 + 0.5)``, one pixel past the
true centre ``((h - 1)/2, (w - 1)/2)`` in both directions, so a rotation also shifts the picture (a 90° one comes
out two columns to the right); that is what TF 1.15 did (keras-preprocessing corrected it only in late 2020, pull
request #314).

**Sampling** a position between pixels: ``order=0`` takes the nearest pixel (the position rounded), ``order=1``
mixes the 4 pixels around it bilinearly. A pixel needed from outside the image comes from ``fill_mode``
(for a row of pixels ``abcd``)::

    "constant":  kkkk|abcd|kkkk    (k = cval)        "reflect":  dcba|abcd|dcba
    "nearest":   aaaa|abcd|dddd                      "wrap":     abcd|abcd|abcd

(scipy treats the pixels right at the border a little differently with ``order=1``: there the results may differ in
the last fraction of a pixel.)

Colour: ``apply_channel_shift`` adds one number to every channel (clipped to the image's range);
``apply_brightness_shift`` scales the image to [0, 255] (``array_to_img``), multiplies it by the brightness and
clips, in whole 8-bit values, as PIL's ``ImageEnhance.Brightness`` does.

The ``random_*`` functions draw their parameter with numpy's global generator (``numpy.random.seed`` repeats them);
their default layout is Keras' for them, channels first (``channel_axis=0``).
"""
import functools

import numpy

from .image_files import array_to_img, img_to_array

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1, channel_axis=2,
                           fill_mode="nearest", cval=0.0, order=1):
    """``x`` (3 dims) warped by rotation ``theta``, shift (``tx``, ``ty``), ``shear`` and zoom (``zx``, ``zy``),
    sampled with ``order`` 0 (nearest) or 1 (bilinear), outside pixels by ``fill_mode`` (module docstring)."""
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"apply_affine_transform: fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
    if order not in (0, 1):
        raise ValueError(f"apply_affine_transform: order must be 0 (nearest) or 1 (bilinear), got {order!r}")
    theta, shear = numpy.deg2rad(theta), numpy.deg2rad(shear)
    parts = [numpy.array([[numpy.cos(theta), -numpy.sin(theta), 0], [numpy.sin(theta), numpy.cos(theta), 0],
                          [0, 0, 1]]) if theta else None,
             numpy.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]) if tx or ty else None,
             numpy.array([[1, -numpy.sin(shear), 0], [0, numpy.cos(shear), 0], [0, 0, 1]]) if shear else None,
             numpy.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]) if zx != 1 or zy != 1 else None]
    parts = [part for part in parts if part is not None]
    if not parts:
        return x
    x = numpy.asarray(x)
    image = numpy.moveaxis(x, (row_axis, col_axis, channel_axis), (0, 1, 2))
    height, width = image.shape[:2]
    centre = numpy.array([[1, 0, height / 2 + 0.5], [0, 1, width / 2 + 0.5], [0, 0, 1]])  # (module docstring)
    uncentre = numpy.array([[1, 0, -(height / 2 + 0.5)], [0, 1, -(width / 2 + 0.5)], [0, 0, 1]])
    matrix = centre @ functools.reduce(numpy.matmul, parts) @ uncentre
    rows, cols = numpy.meshgrid(numpy.arange(height), numpy.arange(width), indexing="ij")
    source = matrix[:2, :2] @ numpy.stack([rows.ravel(), cols.ravel()]) + matrix[:2, 2:]
    warped = _sample(image, source[0].reshape(height, width), source[1].reshape(height, width), order, fill_mode,
                     cval)
    return numpy.moveaxis(warped.astype(x.dtype, copy=False), (0, 1, 2), (row_axis, col_axis, channel_axis))


def _sample(image, rows, cols, order, fill_mode, cval):
    """``image`` (height, width, channels) at the positions (``rows``, ``cols``): nearest or bilinear."""
    if order == 0:
        return _pixels(image, numpy.floor(rows + 0.5).astype(int), numpy.floor(cols + 0.5).astype(int), fill_mode,
                       cval)
    top, left = numpy.floor(rows).astype(int), numpy.floor(cols).astype(int)
    down, right = (rows - top)[..., None], (cols - left)[..., None]  # how far past the top-left pixel, 0 to 1
    return ((1 - down) * ((1 - right) * _pixels(image, top, left, fill_mode, cval) +
                          right * _pixels(image, top, left + 1, fill_mode, cval)) +
            down * ((1 - right) * _pixels(image, top + 1, left, fill_mode, cval) +
                    right * _pixels(image, top + 1, left + 1, fill_mode, cval)))


def _pixels(image, rows, cols, fill_mode, cval):
    """The pixels at whole positions (``rows``, ``cols``), those outside the image given by ``fill_mode``."""
    height, width = image.shape[:2]
    if fill_mode == "constant":
        inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
        values = image[numpy.clip(rows, 0, height - 1), numpy.clip(cols, 0, width - 1)].astype(numpy.float64)
        return numpy.where(inside[..., None], values, cval)
    return image[_folded(rows, height, fill_mode), _folded(cols, width, fill_mode)].astype(numpy.float64)


def _folded(index, size, fill_mode):
    """Indices brought into [0, size): clamped ("nearest"), mirrored with the edge repeated ("reflect"), or
    periodic ("wrap")."""
    if fill_mode == "nearest":
        return numpy.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return numpy.mod(index, size)
    period = numpy.mod(index, 2 * size)  # reflect: abcd dcba abcd dcba ...
    return numpy.where(period < size, period, 2 * size - 1 - period)


def flip_axis(x, axis):
    """``x`` reversed along ``axis`` (a horizontal flip is the columns' axis)."""
    return numpy.flip(numpy.asarray(x), axis)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                    interpolation_order=1):
    """``x`` rotated by an angle drawn from U(-rg, rg) degrees."""
    return apply_affine_transform(x, theta=numpy.random.uniform(-rg, rg), row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """``x`` shifted by fractions drawn from U(-hrg, hrg) of its height and U(-wrg, wrg) of its width."""
    tx = numpy.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = numpy.random.uniform(-wrg, wrg) * x.shape[col_axis]
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """``x`` sheared by an angle drawn from U(-intensity, intensity) degrees."""
    return apply_affine_transform(x, shear=numpy.random.uniform(-intensity, intensity), row_axis=row_axis,
                                  col_axis=col_axis, channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                interpolation_order=1):
    """``x`` zoomed by (zx, zy), each drawn from U(zoom_range[0], zoom_range[1]) (>1 shrinks the picture)."""
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}")
    zx, zy = (1, 1) if zoom_range[0] == zoom_range[1] == 1 else numpy.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def apply_channel_shift(x, intensity, channel_axis=0):
    """``x`` + ``intensity`` in every channel, clipped to the range of ``x`` (the same for every channel: the
    ``channel_axis`` that Keras takes makes no difference)."""
    return numpy.clip(numpy.asarray(x) + intensity, numpy.min(x), numpy.max(x))


def random_channel_shift(x, intensity_range, channel_axis=0):
    """``apply_channel_shift`` by an intensity drawn from U(-intensity_range, intensity_range)."""
    return apply_channel_shift(x, numpy.random.uniform(-intensity_range, intensity_range), channel_axis)


def apply_brightness_shift(x, brightness):
    """``x`` (channels last) scaled to 8-bit values, times ``brightness``, clipped to [0, 255] (module docstring)."""
    image = array_to_img(x)
    return img_to_array(numpy.floor(numpy.clip(image * float(brightness), 0, 255)))


def random_brightness(x, brightness_range):
    """``apply_brightness_shift`` by a brightness drawn from U(brightness_range[0], brightness_range[1])."""
    if len(brightness_range) != 2:
        raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
    return apply_brightness_shift(x, numpy.random.uniform(brightness_range[0], brightness_range[1]))
