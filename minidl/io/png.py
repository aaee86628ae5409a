"""PNG encoding of an 8- or 16-bit image, with the standard library only (TensorBoard's image summaries,
``tf.image.encode_png``; the decoder is ``png_decode.py``).

A PNG file is an 8-byte signature followed by *chunks*, each ``length (4 bytes, big-endian) | type (4 ASCII
letters) | data | CRC-32 of type + data``. Three chunks make a complete image:

* ``IHDR``: width, height (4 bytes each), bit depth (8 or 16 here), colour type (0 grey, 4 grey + alpha, 2 RGB,
  6 RGBA), then compression, filter and interlace methods, all 0;
* ``IDAT``: the zlib-compressed scanlines, each row prefixed by its filter type (0: the bytes as they are), the
  16-bit samples big-endian;
* ``IEND``: empty, the end.

(The CRC here is zlib's CRC-32, unlike the CRC-32C of TFRecords in ``event_file.py``.)
"""
import struct
import zlib

import numpy

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type: grey, grey + alpha, RGB, RGBA


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image, compression=-1):
    """The PNG file of ``image``: a uint8 or uint16 array (height, width, channels) with 1 to 4 channels (grey,
    grey + alpha, RGB, RGBA). ``compression``: zlib's level, 0 (none) to 9 (smallest), -1 its default (6)."""
    image = numpy.asarray(image)
    if image.dtype not in (numpy.uint8, numpy.uint16) or image.ndim != 3 or image.shape[2] not in COLOUR_TYPES:
        raise ValueError(f"encode_png: expected a uint8 or uint16 image of shape (height, width, 1|2|3|4), got "
                         f"{image.dtype} {image.shape}")
    if not image.shape[0] or not image.shape[1]:
        raise ValueError(f"encode_png: a PNG image must have at least one row and one column, got shape "
                         f"{image.shape}")
    if not -1 <= compression <= 9:
        raise ValueError(f"encode_png: compression must be -1 (zlib's default) or 0..9, got {compression}")
    height, width, channels = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8 * image.itemsize, COLOUR_TYPES[channels], 0, 0, 0)
    samples = image.astype(image.dtype.newbyteorder(">")).reshape(height, -1).view(numpy.uint8)  # PNG: big-endian
    rows = numpy.zeros((height, 1 + samples.shape[1]), numpy.uint8)  # column 0: filter type 0 for every row
    rows[:, 1:] = samples
    idat = zlib.compress(rows.tobytes(), compression)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def image_grid(images, columns, side=8, pixel=4, gap=2):
    """Small square grey images as one picture for ``encode_png``: ``images`` (n, side·side) with values in [0, 1]
    (1 = ink) become a uint8 (height, width, 1) array, dark ink on white, each value a ``pixel`` × ``pixel``
    block, the images ``columns`` to a row with grey gaps between them (the tutorials draw digits this way)."""
    images = numpy.asarray(images)
    rows, size = -(-len(images) // columns), side * pixel + gap
    canvas = numpy.full((rows * size + gap, columns * size + gap, 1), 160, numpy.uint8)
    for k, image in enumerate(images):
        top, left = gap + (k // columns) * size, gap + (k % columns) * size
        block = numpy.kron(image.reshape(side, side), numpy.ones((pixel, pixel)))  # each value: a square
        canvas[top:top + side * pixel, left:left + side * pixel, 0] = numpy.round(255 * (1 - block))
    return canvas
