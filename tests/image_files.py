"""Image files written by hand for the decoder tests, independently of minidl's code: PNG of every colour type,
bit depth, filter and interlacing; BMP of 8, 24 and 32 bits; GIF with an LZW encoder."""
import struct
import zlib

import numpy as np

ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))
SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples a pixel


# ================================================================================================ PNG

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def pack_rows(samples, depth):
    """(rows, values) integer samples as PNG scanline bytes: big-endian 16-bit, bytes, or bits packed high first."""
    samples = np.asarray(samples)
    if depth == 16:
        return samples.astype(">u2").view(np.uint8).reshape(len(samples), -1)
    if depth == 8:
        return samples.astype(np.uint8)
    bits = (samples[..., None] >> np.arange(depth - 1, -1, -1)) & 1  # each sample's bits, the high bit first
    return np.packbits(bits.reshape(len(samples), -1).astype(np.uint8), axis=1)  # pads each row with 0 bits


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def filter_rows(rows, bpp, filters):
    """Each row of bytes filtered by its filter type (``filters`` cycles over the rows), the type byte in front."""
    rows = rows.astype(np.int64)
    out = []
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        up = rows[y - 1] if y else np.zeros_like(row)
        left = np.concatenate([np.zeros(bpp, np.int64), row[:-bpp]])
        up_left = np.concatenate([np.zeros(bpp, np.int64), up[:-bpp]])
        prediction = [0, left, up, (left + up) // 2, _paeth(left, up, up_left)][kind]
        out.append(np.concatenate([[kind], (row - prediction) % 256]).astype(np.uint8))
    return np.array(out)


def scanlines(samples, depth, filters=(0,)):
    """The filtered scanlines of (height, width, samples a pixel) integer ``samples``."""
    height, width, per_pixel = samples.shape
    if not height or not width:
        return b""
    rows = pack_rows(samples.reshape(height, width * per_pixel), depth)
    return filter_rows(rows, max(1, per_pixel * depth // 8), filters).tobytes()


def png_file(samples, depth, colour_type, filters=(0,), interlace=False, palette=None, trns=None, idat_parts=1,
             extra_chunks=()):
    """A PNG file of ``samples`` (height, width, samples a pixel) stored as they are, optionally interlaced (Adam7),
    with PLTE/tRNS chunks, the compressed data split over ``idat_parts`` IDAT chunks with ``extra_chunks`` before."""
    height, width, _ = samples.shape
    if interlace:
        data = b"".join(scanlines(samples[r::rs, c::cs], depth, filters) for r, c, rs, cs in ADAM7)
    else:
        data = scanlines(samples, depth, filters)
    compressed = zlib.compress(data)
    cuts = np.linspace(0, len(compressed), idat_parts + 1).astype(int)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0,
                                                               int(interlace)))
    out += b"".join(extra_chunks)
    if palette is not None:
        out += chunk(b"PLTE", np.asarray(palette, np.uint8).tobytes())
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += b"".join(chunk(b"IDAT", compressed[a:b]) for a, b in zip(cuts[:-1], cuts[1:]))
    return out + chunk(b"IEND", b"")


# ================================================================================================ BMP

def bmp_file(rgb, bits, top_down=False, palette=None, header_size=40):
    """A BMP file: ``rgb`` (h, w, 3|4) for 24/32 bits, or (h, w) palette indices for 8 bits with ``palette``
    (n, 3) RGB."""
    height, width = rgb.shape[:2]
    if bits == 8:
        pixels, table = rgb.astype(np.uint8)[..., None], np.asarray(palette, np.uint8)[:, ::-1]  # BGR
        entry = 3 if header_size == 12 else 4
        table = np.concatenate([table, np.zeros((len(table), entry - 3), np.uint8)], axis=1).tobytes()
    else:
        pixels, table = np.concatenate([rgb[..., 2::-1], rgb[..., 3:]], axis=-1).astype(np.uint8), b""
    row_size = (bits * width + 31) // 32 * 4
    rows = np.zeros((height, row_size), np.uint8)
    rows[:, :width * bits // 8] = pixels.reshape(height, -1)
    rows[:, width * bits // 8:] = 0xEE  # padding bytes, which must be skipped
    if not top_down:
        rows = rows[::-1]
    if header_size == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header_size, width, -height if top_down else height, 1, bits, 0,
                           rows.size, 2835, 2835, len(palette) if bits == 8 else 0, 0)
        info += bytes(header_size - 40)
    offset = 14 + len(info) + len(table)
    return b"BM" + struct.pack("<IHHI", offset + rows.size, 0, 0, offset) + info + table + rows.tobytes()


# ================================================================================================ GIF

def lzw_encode(indices, min_size):
    """GIF's LZW codes for ``indices``, packed least-significant bit first (a clear code first and whenever the
    table is full)."""
    clear, end = 1 << min_size, (1 << min_size) + 1

    def reset():
        return {bytes([i]): i for i in range(clear)}, end + 1, min_size + 1

    table, next_code, width = reset()
    codes, current = [(clear, width)], b""
    for k in bytes(indices):
        extended = current + bytes([k])
        if extended in table:
            current = extended
            continue
        codes.append((table[current], width))
        if next_code < 4096:
            table[extended], next_code = next_code, next_code + 1
            if next_code > 1 << width and width < 12:
                width += 1
        else:
            codes.append((clear, width))
            table, next_code, width = reset()
        current = bytes([k])
    codes += [(table[current], width), (end, width)]
    value = bits = 0
    for code, size in codes:
        value, bits = value | code << bits, bits + size
    return value.to_bytes((bits + 7) // 8, "little")


def sub_blocks(data):
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\x00"


def gif_file(width, height, frames, palette, min_size=None):
    """A GIF89a file; ``frames``: dicts with ``indices`` (h, w), optional ``left``, ``top``, ``transparent``,
    ``palette`` (a local table), ``interlace``."""
    def table_bits(table):
        return max(1, int(np.ceil(np.log2(len(table)))))

    def table_bytes(table):
        full = np.zeros((1 << table_bits(table), 3), np.uint8)
        full[:len(table)] = table
        return full.tobytes()

    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80 | (table_bits(palette) - 1), 0, 0)
    out += table_bytes(palette)
    for frame in frames:
        indices = np.asarray(frame["indices"], np.uint8)
        h, w = indices.shape
        if frame.get("transparent") is not None:
            out += b"\x21\xf9\x04" + bytes([1, 0, 0, frame["transparent"]]) + b"\x00"
        out += b"\x21\xfe" + sub_blocks(b"a comment, skipped")
        flags, local, table = 0, b"", frame.get("palette")
        if table is not None:
            flags, local = 0x80 | (table_bits(table) - 1), table_bytes(table)
        if frame.get("interlace"):
            flags |= 0x40
            indices = np.concatenate([indices[s::step] for s, step in ((0, 8), (4, 8), (2, 4), (1, 2))])
        size = min_size or max(2, table_bits(palette if table is None else table))
        out += b"\x2c" + struct.pack("<HHHHB", frame.get("left", 0), frame.get("top", 0), w, h, flags) + local
        out += bytes([size]) + sub_blocks(lzw_encode(indices.reshape(-1), size))
    return out + b"\x3b"
