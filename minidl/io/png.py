"""PNG encoding of an 8-bit image, with the standard library only (for TensorBoard's image summaries).

A PNG file is an 8-byte signature followed by *chunks*, each ``length (4 bytes, big-endian) | type (4 ASCII
letters) | data | CRC-32 of type + data``. Three chunks make a complete image:

* ``IHDR``: width, height (4 bytes each), bit depth 8, colour type (0 grey, 2 RGB, 6 RGBA), then compression,
  filter and interlace methods, all 0;
* ``IDAT``: the zlib-compressed scanlines, each row prefixed by its filter type (0: the bytes as they are);
* ``IEND``: empty, the end.

(The CRC here is zlib's CRC-32, unlike the CRC-32C of TFRecords in ``event_file.py``.)
"""
import struct
import zlib

import numpy

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: grey, RGB, RGBA


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image):
    """The PNG file of ``image``: a uint8 array (height, width, channels) with 1, 3 or 4 channels."""
    image = numpy.ascontiguousarray(image)
    if image.dtype != numpy.uint8 or image.ndim != 3 or image.shape[2] not in COLOUR_TYPES:
        raise ValueError(f"encode_png: expected a uint8 image of shape (height, width, 1|3|4), got {image.dtype} "
                         f"{image.shape}")
    height, width, channels = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    rows = numpy.zeros((height, 1 + width * channels), numpy.uint8)  # column 0: filter type 0 for every row
    rows[:, 1:] = image.reshape(height, -1)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes())) + _chunk(b"IEND", b"")


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
