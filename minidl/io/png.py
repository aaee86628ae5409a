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
