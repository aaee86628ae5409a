"""Image files and image arrays for ``tf.keras.preprocessing.image``: ``load_img``, ``img_to_array``,
``array_to_img`` and ``save_img``, without PIL.

Keras passes PIL images between these functions; minidl passes plain numpy arrays instead — an *image* here is a
``uint8`` array (height, width, channels), 1 (grey), 3 (RGB) or 4 (RGBA) channels: what ``numpy.asarray`` gives of
a PIL image, but that a grey one keeps its channel axis. ``img_to_array`` turns one into the float array a model
takes, ``array_to_img`` a float array back into one, as Keras does.

Files are read by minidl's decoders (``minidl/io``): PNG, BMP and GIF (its first frame, as PIL opens it). A JPEG
file is a clear error — minidl has no JPEG decoder — and so is any other format. Colours convert as the decoders
convert them (``minidl/io/pixels.py``: grey is libpng's luma, where PIL rounds ``0.299 R + 0.587 G + 0.114 B``
slightly differently). ``save_img`` writes PNG files only.

**Resizing** (``target_size``) is a matrix product per axis: ``out = R · image · Cᵀ``, each row of ``R`` (``C``)
the weights with which one output row (column) mixes the input rows (columns). PIL's filters, as its ``resize``
computes them: output pixel ``i`` has its centre at input position ``(i + 0.5) · scale`` (``scale = in / out``)
and takes

- ``"nearest"``: the one input pixel that contains that position;
- ``"bilinear"``: a triangle of half-width ``max(scale, 1)`` around it over the input pixels' centres ``j + 0.5``,
  normalized — plain linear interpolation when enlarging, an average over the covered pixels when shrinking.

The result is rounded to whole 8-bit values, as PIL's 8-bit images are.
"""
import os

import numpy

from ...image_codecs import _READERS, _file_format
from ....io.png import encode_png

_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_LAST, _FIRST = "channels_last", "channels_first"


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest"):
    """The PNG, BMP or GIF file at ``path`` as a uint8 array (height, width, channels) — not a PIL image (see the
    module docstring) — in ``color_mode`` ("grayscale", "rgb" or "rgba"; ``grayscale=True`` is the old spelling),
    resized to ``target_size`` = (height, width) with ``interpolation`` ("nearest" or "bilinear")."""
    if grayscale:
        color_mode = "grayscale"
    if color_mode not in _CHANNELS:
        raise ValueError(f"load_img: color_mode must be 'grayscale', 'rgb' or 'rgba', got {color_mode!r}")
    with open(path, "rb") as f:
        data = f.read()
    kind = _file_format(data)
    if kind == "JPEG":
        raise NotImplementedError(f"load_img: {path} is a JPEG file, and minidl has no JPEG decoder (it reads PNG, "
                                  f"BMP and GIF files): convert the images to PNG")
    if kind not in _READERS:
        raise ValueError(f"load_img: {path} is not a PNG, BMP or GIF file (it starts with {data[:8]!r})")
    read, _ = _READERS[kind]
    image = read(data, channels=_CHANNELS[color_mode])
    if kind == "GIF":
        image = image[0]  # the first frame
    if target_size is not None and tuple(target_size) != image.shape[:2]:
        image = resize(image, target_size, interpolation)
    return image


def resize(image, size, interpolation="nearest"):
    """A uint8 image (height, width, channels) resized to ``size`` = (height, width), as PIL resizes (the module
    docstring)."""
    rows = _resampling(image.shape[0], int(size[0]), interpolation)
    cols = _resampling(image.shape[1], int(size[1]), interpolation)
    resized = numpy.einsum("ij,jkc,lk->ilc", rows, image.astype(numpy.float64), cols)
    return numpy.clip(numpy.round(resized), 0, 255).astype(numpy.uint8)


def _resampling(n_in, n_out, interpolation):
    """The (n_out, n_in) matrix whose row i holds the weights of the input pixels in output pixel i."""
    scale = n_in / n_out
    centres = (numpy.arange(n_out) + 0.5) * scale  # each output pixel's centre, in input coordinates
    if interpolation == "nearest":
        return numpy.eye(n_in)[numpy.minimum(numpy.floor(centres).astype(int), n_in - 1)]
    if interpolation == "bilinear":
        support = max(scale, 1.0)
        distance = (numpy.arange(n_in) + 0.5)[None, :] - centres[:, None]
        weights = numpy.maximum(0.0, 1.0 - numpy.abs(distance) / support)
        return weights / weights.sum(axis=1, keepdims=True)
    raise ValueError(f"Invalid interpolation method {interpolation!r}: minidl resizes with 'nearest' and 'bilinear'")


def img_to_array(img, data_format=None, dtype="float32"):
    """An image (or any array (height, width) or (height, width, channels)) as a ``dtype`` array of 3 dims,
    (height, width, channels), or (channels, height, width) for ``data_format="channels_first"``."""
    data_format = _data_format(data_format, "img_to_array")
    x = numpy.asarray(img, dtype=dtype)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return numpy.moveaxis(x, -1, 0) if data_format == _FIRST else x


def array_to_img(x, data_format=None, scale=True, dtype="float32"):
    """A 3-D array with 1, 3 or 4 channels as an image (uint8, channels last). With ``scale``, as Keras scales:
    shifted up by its minimum if that is negative, then divided by its maximum and times 255."""
    data_format = _data_format(data_format, "array_to_img")
    x = numpy.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == _FIRST:
        x = numpy.moveaxis(x, 0, -1)
    if scale:
        x = x + max(-numpy.min(x), 0)
        largest = numpy.max(x)
        if largest != 0:
            x = x / largest
        x = x * 255
    if x.shape[2] not in (1, 3, 4):
        raise ValueError(f"Unsupported channel number: {x.shape[2]}")
    return x.astype(numpy.uint8)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the image array ``x`` (``array_to_img``'s input) as a PNG file (the one format minidl writes)."""
    file_format = file_format or os.path.splitext(str(path))[1].lstrip(".") or "png"
    if file_format.lower() != "png":
        raise NotImplementedError(f"save_img: minidl writes PNG files only, not {file_format!r}")
    with open(path, "wb") as f:
        f.write(encode_png(array_to_img(x, data_format, scale)))


def _data_format(data_format, what):
    data_format = data_format or _LAST
    if data_format not in (_LAST, _FIRST):
        raise ValueError(f"{what}: Invalid data_format: {data_format!r} (expected 'channels_last' or "
                         f"'channels_first')")
    return data_format
