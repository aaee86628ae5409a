"""GIF decoding in pure Python (LZW) and numpy: all the frames of a GIF file, as TF's ``decode_gif`` returns them —
(frames, height, width, 3) RGB.

A GIF file (GIF87a or GIF89a), all numbers little-endian:

* ``"GIF87a"`` or ``"GIF89a"``, then the *logical screen*: the canvas width and height (2 bytes each), a flags byte
  (bit 7: a global colour table follows; bits 0-2: it has 2^(n+1) entries), the background colour, the aspect;
* the global colour table: RGB triples;
* blocks, each starting with one byte: ``0x21`` an extension (a label byte, then *sub-blocks*: a length byte and
  that many bytes, until a length 0) — the graphic control extension (label ``0xF9``) gives the next frame's
  transparent colour index (flags bit 0); ``0x2C`` a frame: its left, top, width and height on the canvas, a flags
  byte (bit 7: a local colour table follows, bit 6: interlaced rows), the table, the LZW minimum code size and the
  compressed indices in sub-blocks; ``0x3B`` the end.

**LZW** (Lempel-Ziv-Welch) codes are read least-significant bit first, ``min_size + 1`` bits wide at the start. The
decoder rebuilds the encoder's table of strings of indices: codes below ``2^min_size`` are single indices, then come
*clear* (reset the table) and *end*; each further code read adds to the table the previous string plus the first
index of the current one — and a code one past the table's end means exactly that string, the previous plus its own
first index. The width grows by a bit whenever the table fills the codes of the current width, up to 12 bits.

**Interlaced** frames store rows 0, 8, 16, ..., then 4, 12, ..., then 2, 6, ..., then 1, 3, ....

**Frames on the canvas**, as TF's decoder does: the area the first frame does not cover is black; each later frame
starts as a copy of the one before, and a frame's transparent pixels keep the colour underneath (black in the first
frame). Disposal methods are not applied.
"""
import struct

import numpy

from .pixels import convert


class GIFError(ValueError):
    """Bytes that are not a valid GIF file."""


def decode_gif(data, channels=0, dtype=numpy.uint8):
    """The frames of the GIF file ``data`` (bytes) as a (frames, height, width, channels) array of ``dtype`` (uint8
    or uint16). ``channels``: 0 for RGB, as stored, or 1 to 4 converted as ``pixels.convert`` says."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise GIFError(f"a GIF file starts with 'GIF87a' or 'GIF89a' and a 7-byte screen descriptor, got {data[:6]!r} "
                       f"and {len(data)} bytes")
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    at, global_table = _colour_table(data, 13, flags)
    frames, transparent = [], None
    while True:
        if at >= len(data):
            raise GIFError(f"the file ends at byte {len(data)} without the trailer byte 0x3B (truncated?)")
        kind, at = data[at], at + 1
        if kind == 0x3B:
            break
        if kind == 0x21:
            label, (body, at) = data[at:at + 1], _sub_blocks(data, at + 1)
            if label == b"\xf9" and len(body) >= 4 and body[0] & 1:
                transparent = body[3]
        elif kind == 0x2C:
            canvas = frames[-1].copy() if frames else numpy.zeros((height, width, 3), numpy.uint8)
            at = _frame(data, at, canvas, global_table, transparent)
            frames.append(canvas)
            transparent = None  # a graphic control extension applies to the one frame after it
        else:
            raise GIFError(f"unexpected block type {kind:#04x} at byte {at - 1}: expected 0x21, 0x2C or 0x3B")
    if not frames:
        raise GIFError("gif file does not contain any image")
    return convert(numpy.stack(frames), None, channels or 3, dtype)


def _colour_table(data, at, flags):
    """``(the byte after it, the (n, 3) table)`` of the colour table at byte ``at`` that ``flags`` announces, or
    ``(at, None)`` when there is none."""
    if not flags & 0x80:
        return at, None
    size = 3 << ((flags & 7) + 1)
    if at + size > len(data):
        raise GIFError(f"the colour table at byte {at} ({size} bytes) runs past the end of the file")
    return at + size, numpy.frombuffer(data, numpy.uint8, size, at).reshape(-1, 3)


def _sub_blocks(data, at):
    """``(the joined data of the sub-blocks at byte at, the byte after their terminator)``."""
    parts = []
    while True:
        if at >= len(data):
            raise GIFError(f"the file ends at byte {len(data)} inside a block's data (truncated?)")
        size = data[at]
        if not size:
            return b"".join(parts), at + 1
        parts.append(data[at + 1:at + 1 + size])
        at += 1 + size


def _frame(data, at, canvas, global_table, transparent):
    """Decode the frame whose image descriptor starts at byte ``at`` onto ``canvas``; the byte after the frame."""
    if at + 10 > len(data):
        raise GIFError(f"the file ends inside the image descriptor at byte {at}")
    left, top, width, height, flags = struct.unpack_from("<HHHHB", data, at)
    at, table = _colour_table(data, at + 9, flags)
    table = global_table if table is None else table
    if table is None:
        raise GIFError("a frame has no colour table: neither a local nor a global one")
    if at >= len(data):
        raise GIFError(f"the file ends at byte {len(data)} before a frame's data (truncated?)")
    min_size, (compressed, at) = data[at], _sub_blocks(data, at + 1)
    if not 2 <= min_size <= 11:
        raise GIFError(f"the LZW minimum code size must be 2 to 11, got {min_size}")
    count = width * height
    indices = numpy.frombuffer(_lzw_decode(compressed, min_size, count), numpy.uint8)
    if len(indices) < count:
        raise GIFError(f"a {width}x{height} frame's data decodes to {len(indices)} pixels, fewer than {count}")
    indices = indices[:count].reshape(height, width)
    if flags & 0x40:  # interlaced: put the stored rows back in picture order
        order = numpy.concatenate([numpy.arange(start, height, step) for start, step in ((0, 8), (4, 8), (2, 4),
                                                                                         (1, 2))])
        indices = indices[numpy.argsort(order)]
    if indices.max(initial=0) >= len(table):
        raise GIFError(f"a pixel has colour {indices.max()}, past the end of the {len(table)}-colour table")
    rows, cols = min(height, canvas.shape[0] - top), min(width, canvas.shape[1] - left)  # clipped to the canvas
    if rows > 0 and cols > 0:
        indices = indices[:rows, :cols]
        region = canvas[top:top + rows, left:left + cols]
        keep = indices == transparent if transparent is not None else numpy.zeros(indices.shape, bool)
        region[~keep] = table[indices[~keep]]
    return at


def _lzw_decode(data, min_size, count):
    """The colour indices (bytes) that the LZW codes in ``data`` stand for, stopping at the end code or after
    ``count`` indices (see the module docstring)."""
    clear = 1 << min_size
    table = [bytes([i]) for i in range(clear)] + [b"", b""]  # the clear and end codes stand for no string
    width, previous, out = min_size + 1, None, bytearray()
    buffer = bits = 0
    for byte in data:
        buffer, bits = buffer | byte << bits, bits + 8
        while bits >= width:
            code, buffer, bits = buffer & ((1 << width) - 1), buffer >> width, bits - width
            if code == clear:
                del table[clear + 2:]
                width, previous = min_size + 1, None
                continue
            if code == clear + 1 or len(out) >= count:
                return bytes(out)
            if code < len(table):
                entry = table[code]
                if previous is not None and len(table) < 4096:
                    table.append(previous + entry[:1])
            elif code == len(table) and previous is not None:
                entry = previous + previous[:1]
                table.append(entry)
            else:
                raise GIFError(f"LZW code {code} is past the end of the {len(table)}-entry table: the data is "
                               f"damaged")
            out += entry
            previous = entry
            if len(table) == 1 << width and width < 12:
                width += 1
    return bytes(out)
