"""BMP decoding (Windows bitmaps) with numpy: the uncompressed kinds — 24-bit BGR, 32-bit BGRA and 8-bit palette
images — as TF's ``decode_bmp`` returns them.

A BMP file is, all numbers little-endian:

* a 14-byte file header: ``"BM"``, the file size (4 bytes), 4 reserved bytes, the *offset* of the pixels (4 bytes);
* an info header whose first 4 bytes give its size: 12 for OS/2's BITMAPCOREHEADER (2-byte width and height,
  planes, bits a pixel), 40 or more for Windows' BITMAPINFOHEADER and its later versions (4-byte *signed* width
  and height, planes, bits a pixel, compression, image size, resolution, the number of palette colours at byte 32
  — 0 meaning as many as fit before the pixels — and more that does not matter here);
* for an 8-bit image its palette: an entry a colour, blue, green, red and (after a 40-byte or larger header) a
  reserved byte;
* the rows of pixels, each padded to a multiple of 4 bytes. A positive height means the rows are stored
  **bottom-up**, the picture's last row first; a negative height means top-down.

Colours are stored blue first (BGR, BGRA), the reverse of the RGB that is returned. Compression must be 0 (none),
or 3 (bit fields) with the usual masks, whose bytes are laid out as with no compression. As TF does, the fourth byte
of a 32-bit pixel is returned as alpha — even though plain files often leave it 0, which then reads as transparent.
``channels=0`` keeps what the file stores: 3 for 24 bits, 4 for 32, and for 8 bits 1 when the palette is grey (as
TF, which returns the stored byte of an 8-bit file as its one channel) and 3 otherwise; 1 to 4 convert as
``pixels.convert`` says.
"""
import struct

import numpy

from .pixels import convert

_BITFIELDS = (0x00FF0000, 0x0000FF00, 0x000000FF)  # the red, green and blue masks that are plain BGR(A) bytes


class BMPError(ValueError):
    """Bytes that are not a BMP file this decoder reads."""


def decode_bmp(data, channels=0, dtype=numpy.uint8):
    """The image in the BMP file ``data`` (bytes) as a (height, width, channels) array of ``dtype`` (uint8 or
    uint16). ``channels``: 0 for what the file stores, or 1 to 4 converted (see the module docstring)."""
    if len(data) < 26 or data[:2] != b"BM":
        raise BMPError(f"a BMP file starts with 'BM' and is at least 26 bytes long, got {len(data)} bytes starting "
                       f"with {data[:2]!r}")
    offset, header_size = struct.unpack_from("<II", data, 10)
    if header_size == 12:
        width, height, _, bits = struct.unpack_from("<HHHH", data, 18)
        compression, colours, entry = 0, 0, 3
    elif header_size >= 40 and len(data) >= 14 + header_size:
        width, height, _, bits, compression = struct.unpack_from("<iiHHI", data, 18)
        colours, entry = struct.unpack_from("<I", data, 46)[0], 4
    else:
        raise BMPError(f"the BMP info header must be 12 or at least 40 bytes (and in the file), got {header_size}")
    if bits not in (8, 24, 32):
        raise BMPError(f"{bits}-bit BMP files are not supported: only 8 (palette), 24 (BGR) and 32 (BGRA) bits")
    if compression == 3 and bits == 32 and len(data) >= 14 + 40 + 12:
        masks = struct.unpack_from("<III", data, 14 + 40)  # right after a 40-byte header, or inside a larger one
        if masks != _BITFIELDS:
            raise BMPError(f"a 32-bit BMP's bit fields must be the usual masks {[hex(m) for m in _BITFIELDS]}, got "
                           f"{[hex(m) for m in masks]}")
    elif compression != 0:
        raise BMPError(f"BMP compression {compression} is not supported: only uncompressed files (0), and 32-bit "
                       f"ones with the usual bit fields (3)")
    if width <= 0 or height == 0:
        raise BMPError(f"a BMP's width must be positive and its height nonzero, got {width} and {height}")
    row_size = (bits * width + 31) // 32 * 4  # padded to 4 bytes
    needed = offset + abs(height) * row_size
    if len(data) < needed:
        raise BMPError(f"Incomplete bmp content, requires at least {needed} bytes, got {len(data)} bytes")
    rows = numpy.frombuffer(data, numpy.uint8, abs(height) * row_size, offset).reshape(abs(height), row_size)
    if height > 0:
        rows = rows[::-1]  # bottom-up: the file's first row is the picture's last
    pixels = rows[:, :width * bits // 8].reshape(abs(height), width, bits // 8)
    if bits == 8:
        # no count given (0, or a 12-byte header): the entries between the headers and the pixels
        colours = colours or min(256, (offset - 14 - header_size) // entry)
        colour = _palette_colours(data, pixels[..., 0], 14 + header_size, colours, entry)
        return convert(colour, None, channels or colour.shape[-1], dtype)
    alpha = pixels[..., 3:] if bits == 32 else None
    return convert(pixels[..., 2::-1], alpha, channels or bits // 8, dtype)  # BGR -> RGB


def _palette_colours(data, index, at, colours, entry):
    """The colours of the palette ``index``es — grey (..., 1) when every palette entry is grey, else RGB — from the
    palette of ``colours`` entries of ``entry`` bytes at byte ``at``."""
    if colours > 256 or at + colours * entry > len(data):
        raise BMPError(f"the palette of {colours} colours of {entry} bytes at byte {at} does not fit in the file "
                       f"({len(data)} bytes) or holds more than 256 colours")
    palette = numpy.frombuffer(data, numpy.uint8, colours * entry, at).reshape(colours, entry)[:, 2::-1]
    if index.max() >= colours:
        raise BMPError(f"a pixel has colour {index.max()}, past the end of the {colours}-colour palette")
    grey = (palette == palette[:, :1]).all()
    return palette[index][..., :1] if grey else palette[index]
