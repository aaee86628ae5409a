"""PNG decoding with numpy and the standard library's zlib: any PNG file a conforming encoder writes (PNG 1.2,
ISO/IEC 15948), as the pixels TF's ``decode_png`` returns. The encoder is ``png.py``.

**Chunks.** After the 8-byte signature come chunks ``length | type | data | CRC-32 of type + data``. Every CRC is
checked, so a damaged file is an error, never a picture with wrong pixels. The chunks that matter:

* ``IHDR`` (first): width, height, bit depth, colour type, compression 0, filter method 0, interlace 0 or 1;
* ``PLTE``: the palette, 1 to 256 RGB triples, for colour type 3;
* ``tRNS``: transparency without an alpha channel — an alpha for each palette entry (those past its end are
  opaque), or the one grey value or RGB colour that is fully transparent;
* ``IDAT``: the compressed pixels, which an encoder may split over several chunks: their data joined is one zlib
  stream;
* ``IEND``: the end. Other chunks (text, gamma, time, ...) are skipped, their CRCs still checked.

**Colour types and bit depths.** A pixel is 1 to 4 *samples*::

    type 0  grey           1, 2, 4, 8 or 16 bits a sample
    type 2  RGB            8, 16
    type 3  palette index  1, 2, 4, 8
    type 4  grey + alpha   8, 16
    type 6  RGBA           8, 16

Samples narrower than a byte are packed, the leftmost pixel in the high bits, each row starting on a new byte;
16-bit samples are big-endian.

**Filters.** Before compression each row (*scanline*) was filtered so that it compresses better: its first byte says
how, and the rest is the difference, byte by byte and mod 256, between the row and a *prediction* from bytes already
decoded — ``a`` the byte one pixel to the left, ``b`` the byte above, ``c`` the byte above ``a`` (0 outside the
image; a pixel counts as ``bpp`` bytes, at least 1)::

    0 None     no prediction
    1 Sub      a
    2 Up       b
    3 Average  floor((a + b) / 2)
    4 Paeth    whichever of a, b, c is nearest to a + b - c (ties: a, then b)

**Interlacing** (Adam7, interlace method 1) stores the picture as 7 smaller images (*passes*), each of every 8th,
4th, 2nd or 1st pixel from some offset, so that a viewer can show a coarse picture early. Each pass has its own
rows and filters; a pass without pixels takes no bytes at all.

**The result** is the colour (grey or RGB) and alpha of each pixel, converted by ``pixels.convert``: grey narrower
than 8 bits is scaled to 0..255 (a 1-bit 1 is 255), palette indices are looked up (an index past the palette's end
is black, as libpng reads it), a tRNS colour gives alpha 0 where it matches and the largest value elsewhere.
``channels=0`` keeps what the file stores: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA, and for a palette 3, or 4 when it
has a tRNS chunk (TF since 1.10: before, it made such files grey). The gamma chunk (gAMA) is ignored.
"""
import struct
import zlib

import numpy

from .pixels import convert
from .png import SIGNATURE

#: colour type -> (samples a pixel, the bit depths the standard allows)
_COLOUR_TYPES = {0: (1, (1, 2, 4, 8, 16)), 2: (3, (8, 16)), 3: (1, (1, 2, 4, 8)), 4: (2, (8, 16)), 6: (4, (8, 16))}
#: colour type -> what ``channels=0`` gives (a palette: 3, or 4 with a tRNS chunk)
_STORED_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}
#: Adam7's seven passes: (first row, first column, row step, column step)
_ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))


class PNGError(ValueError):
    """Bytes that are not a valid PNG file. ``part``: ``"header"`` when the fault comes before the image data,
    ``"data"`` when in or after it (TF's messages say "Invalid PNG header" or "Invalid PNG data")."""

    def __init__(self, message, part):
        super().__init__(message)
        self.part = part


def decode_png(data, channels=0, dtype=numpy.uint8):
    """The image in the PNG file ``data`` (bytes) as a (height, width, channels) array of ``dtype`` (uint8 or
    uint16). ``channels``: 0 for what the file stores, or 1 to 4 converted (see the module docstring)."""
    width, height, depth, colour_type, interlaced, palette, transparency, compressed = _read_chunks(data)
    try:
        stream = zlib.decompress(compressed)
    except zlib.error as e:
        raise PNGError(f"the image data (IDAT) does not decompress: {e}", "data") from None
    samples = _samples_of_image(stream, width, height, depth, colour_type, interlaced)
    colour, alpha = _colour_and_alpha(samples, depth, colour_type, palette, transparency)
    stored = 4 if colour_type == 3 and transparency is not None else _STORED_CHANNELS[colour_type]
    return convert(colour, alpha, channels or stored, dtype)


# ============================================================================================ chunks

def _chunks(data):
    """Each chunk after the signature as ``(type, data)``, its CRC checked, up to and including IEND."""
    at, part = len(SIGNATURE), "header"  # as libpng reads: the chunks before the first IDAT are the "header"
    while True:
        if at + 8 > len(data):
            raise PNGError(f"the file ends at byte {len(data)} before its IEND chunk (truncated?)", part)
        length, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"IDAT":
            part = "data"
        end = at + 8 + length
        if end + 4 > len(data):
            raise PNGError(f"the {kind!r} chunk at byte {at} has {length} bytes of data, but the file ends at byte "
                           f"{len(data)} (truncated?)", part)
        body = data[at + 8:end]
        if struct.unpack_from(">I", data, end)[0] != zlib.crc32(kind + body):
            raise PNGError(f"the {kind!r} chunk at byte {at} fails its CRC check: the file is damaged", part)
        yield kind, body
        if kind == b"IEND":
            return
        at = end + 4


def _read_chunks(data):
    """``(width, height, bit depth, colour type, interlaced, palette, tRNS data, joined IDAT data)`` of a PNG file;
    the palette is a (256, 3) uint8 array (zeros past the file's entries), or None."""
    if not data.startswith(SIGNATURE):
        raise PNGError(f"the file does not start with PNG's signature {SIGNATURE!r}", "header")
    chunks = _chunks(data)
    kind, header = next(chunks)
    if kind != b"IHDR" or len(header) != 13:
        raise PNGError(f"the first chunk must be a 13-byte IHDR, got a {len(header)}-byte {kind!r}", "header")
    width, height, depth, colour_type, compression, filter_method, interlace = struct.unpack(">IIBBBBB", header)
    if colour_type not in _COLOUR_TYPES or depth not in _COLOUR_TYPES[colour_type][1]:
        raise PNGError(f"IHDR: colour type {colour_type} with bit depth {depth} is not a PNG format (allowed: "
                       f"{ {t: d for t, (_, d) in _COLOUR_TYPES.items()} })", "header")
    if width >= 1 << 27 or height >= 1 << 27 or width * height >= 1 << 29:  # TF's limit
        raise PNGError(f"PNG size too large for int: {width} by {height}", "header")
    if not width or not height or (compression, filter_method) != (0, 0) or interlace > 1:
        raise PNGError(f"IHDR: expected a width and height above 0, compression 0, filter method 0 and interlace "
                       f"0 or 1, got {width}, {height}, {compression}, {filter_method}, {interlace}", "header")
    palette, transparency, compressed = None, None, []
    for kind, body in chunks:
        if kind == b"PLTE":
            if not body or len(body) % 3 or len(body) > 768:
                raise PNGError(f"a PLTE chunk holds 1 to 256 RGB triples, got {len(body)} bytes", "header")
            palette = numpy.zeros((256, 3), numpy.uint8)
            palette[:len(body) // 3] = numpy.frombuffer(body, numpy.uint8).reshape(-1, 3)
        elif kind == b"tRNS" and colour_type in (0, 2, 3):  # with an alpha channel, libpng ignores tRNS
            if len(body) > 256 if colour_type == 3 else len(body) != 2 * _COLOUR_TYPES[colour_type][0]:
                raise PNGError(f"a tRNS chunk holds an alpha for each palette entry (at most 256), or a 2-byte value "
                               f"for each colour sample; colour type {colour_type} got {len(body)} bytes", "header")
            transparency = body
        elif kind == b"IDAT":
            compressed.append(body)
    if not compressed:
        raise PNGError("the file has no IDAT chunk: no image data", "header")
    if colour_type == 3 and palette is None:
        raise PNGError("a palette image (colour type 3) needs a PLTE chunk before its image data", "header")
    return width, height, depth, colour_type, interlace == 1, palette, transparency, b"".join(compressed)


# ============================================================================================ filters

def _none(line, prior, bpp):
    return line


def _sub(line, prior, bpp):
    # each byte adds the decoded byte one pixel to its left: a running sum along each of the bpp byte lanes; the
    # uint8 sum wraps around mod 256, as the filter's arithmetic does
    return numpy.cumsum(line.reshape(-1, bpp), axis=0, dtype=numpy.uint8).reshape(-1)


def _up(line, prior, bpp):
    return line + prior


def _average(line, prior, bpp):
    # sequential: a byte's prediction needs the decoded byte to its left (a loop over Python ints is faster than
    # numpy one byte at a time)
    out, above = line.tolist(), prior.tolist()
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((left + above[i]) >> 1)) & 0xFF
    return numpy.array(out, numpy.uint8)


def _paeth(line, prior, bpp):
    # sequential like Average; Alan Paeth's predictor: the neighbour nearest to the gradient estimate a + b - c
    out, above = line.tolist(), prior.tolist()
    for i in range(len(out)):
        a, b, c = (out[i - bpp], above[i], above[i - bpp]) if i >= bpp else (0, above[i], 0)
        estimate = a + b - c
        da, db, dc = abs(estimate - a), abs(estimate - b), abs(estimate - c)
        out[i] = (out[i] + (a if da <= db and da <= dc else b if db <= dc else c)) & 0xFF
    return numpy.array(out, numpy.uint8)


_FILTERS = (_none, _sub, _up, _average, _paeth)


def _unfilter(block, bpp):
    """The rows of ``block`` — (rows, 1 + row bytes) uint8, each a filter type and a filtered scanline — decoded."""
    out = numpy.zeros((block.shape[0], block.shape[1] - 1), numpy.uint8)
    prior = out[0]  # the row above the first: zeros
    for y, (kind, line) in enumerate(zip(block[:, 0].tolist(), block[:, 1:])):
        if kind >= len(_FILTERS):
            raise PNGError(f"scanline {y} of a pass has filter type {kind}; PNG defines 0 to 4", "data")
        out[y] = prior = _FILTERS[kind](line, prior, bpp)
    return out


# ============================================================================================ pixels

def _samples_of_image(stream, width, height, depth, colour_type, interlaced):
    """The samples, (height, width, samples a pixel), uint16 for 16-bit files and uint8 otherwise, from the
    decompressed image data ``stream``: one image, or Adam7's seven passes put back in place."""
    per_pixel = _COLOUR_TYPES[colour_type][0]
    bpp = max(1, per_pixel * depth // 8)  # the filters' "pixel to the left": whole bytes, at least one
    image = numpy.zeros((height, width, per_pixel), numpy.uint16 if depth == 16 else numpy.uint8)
    data, used = numpy.frombuffer(stream, numpy.uint8), 0
    for row0, col0, row_step, col_step in _ADAM7 if interlaced else ((0, 0, 1, 1),):
        rows, cols = -(-(height - row0) // row_step), -(-(width - col0) // col_step)  # ceilings; <= 0: empty pass
        if rows <= 0 or cols <= 0:
            continue
        row_bytes = -(-cols * per_pixel * depth // 8)
        size = rows * (1 + row_bytes)
        if used + size > len(data):
            raise PNGError(f"the image data ends after {len(data)} bytes, but a {width}x{height} image of colour "
                           f"type {colour_type}, {depth} bits{', interlaced' if interlaced else ''} needs more",
                           "data")
        decoded = _unfilter(data[used:used + size].reshape(rows, 1 + row_bytes), bpp)
        image[row0::row_step, col0::col_step] = _unpack(decoded, cols * per_pixel, depth).reshape(rows, cols, -1)
        used += size
    return image


def _unpack(rows, count, depth):
    """The first ``count`` samples of each row of bytes: the bytes themselves (8 bits), big-endian pairs (16), or
    groups of ``depth`` bits, the high bits first (1, 2, 4)."""
    if depth == 8:
        return rows
    if depth == 16:
        return rows.view(">u2").astype(numpy.uint16)
    bits = numpy.unpackbits(rows, axis=1)[:, :count * depth].reshape(len(rows), count, depth)
    return (bits @ (1 << numpy.arange(depth - 1, -1, -1))).astype(numpy.uint8)


def _colour_and_alpha(samples, depth, colour_type, palette, transparency):
    """The grey or RGB colour and the alpha (or None) of each pixel, for ``pixels.convert``."""
    if colour_type == 3:
        index = samples[..., 0]
        alpha = None
        if transparency is not None:
            alphas = numpy.full(256, 255, numpy.uint8)
            alphas[:len(transparency)] = numpy.frombuffer(transparency, numpy.uint8)
            alpha = alphas[index][..., None]
        return palette[index], alpha
    colours = 3 if colour_type & 2 else 1  # bit 1 of the colour type: RGB
    colour = samples[..., :colours]
    if colour_type & 4:  # bit 2: an alpha channel
        alpha = samples[..., colours:]
    elif transparency is not None:  # the one colour that is transparent, given at the file's bit depth
        key = numpy.array(struct.unpack(f">{colours}H", transparency)) & ((1 << depth) - 1)
        alpha = numpy.where((colour == key).all(axis=-1, keepdims=True), 0, numpy.iinfo(colour.dtype).max)
        alpha = alpha.astype(colour.dtype)
    else:
        alpha = None
    if depth < 8:
        colour = colour * numpy.uint8(255 // ((1 << depth) - 1))  # 1 bit: x255, 2: x85, 4: x17
    return colour, alpha
