"""minidl.io's image decoders (PNG, BMP, GIF) and PNG encoder, on files written by hand (tests/image_files.py):
every PNG colour type and bit depth, the five filters, Adam7, tRNS, split IDAT data, channel conversions, damaged
files; BMP 8/24/32 bits both row orders; GIF frames, LZW tables that fill up, transparency, interlacing."""
import struct
import zlib

import numpy as np
import pytest

from minidl.io.bmp import BMPError, decode_bmp
from minidl.io.gif import GIFError, decode_gif
from minidl.io.png import encode_png
from minidl.io.png_decode import PNGError, decode_png

from tests.image_files import bmp_file, chunk, gif_file, png_file, scanlines

rng = np.random.default_rng(7)


def random_samples(height, width, per_pixel, depth):
    return rng.integers(0, 1 << depth, (height, width, per_pixel)).astype(np.uint16 if depth == 16 else np.uint8)


def luma(rgb):
    """BT.601 luma in libpng's fixed point (0.299, 0.587 as x32768 truncated), truncated."""
    rgb = rgb.astype(np.int64)
    return ((9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15)[..., None]


# ============================================================================================ PNG: round trips

@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_encoder_output_decodes_to_the_same_pixels(channels, dtype):
    image = rng.integers(0, np.iinfo(dtype).max + 1, (6, 9, channels)).astype(dtype)
    for level in (-1, 0, 9):
        decoded = decode_png(encode_png(image, level), dtype=dtype)
        assert decoded.dtype == dtype and decoded.shape == image.shape and np.array_equal(decoded, image)


def test_encoder_rejects_what_png_cannot_hold():
    with pytest.raises(ValueError, match="uint8 or uint16 image of shape"):
        encode_png(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match="uint8 or uint16"):
        encode_png(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match="at least one row and one column"):
        encode_png(np.zeros((0, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="compression must be"):
        encode_png(np.zeros((1, 1, 1), np.uint8), 10)


@pytest.mark.parametrize("depth", [1, 2, 4, 8, 16])
def test_grey_of_every_bit_depth_fills_the_output_range(depth):
    samples = random_samples(5, 11, 1, depth)  # 11 columns: rows of 1, 2 and 4 bits end inside a byte
    data = png_file(samples, depth, 0)
    wide = samples.astype(np.int64)
    full8 = wide >> 8 if depth == 16 else wide * (255 // ((1 << depth) - 1))  # 1 bit: 0/255, 2: x85, 4: x17
    assert np.array_equal(decode_png(data), full8)
    full16 = wide if depth == 16 else full8 * 257
    assert np.array_equal(decode_png(data, dtype=np.uint16), full16)
    assert decode_png(data).dtype == np.uint8 and decode_png(data, dtype=np.uint16).dtype == np.uint16


def test_one_bit_grey_is_black_and_white():
    samples = np.array([[[0], [1], [1], [0], [1], [0], [0], [1], [1]]], np.uint8)  # 9 pixels: two bytes
    assert decode_png(png_file(samples, 1, 0))[0, :, 0].tolist() == [0, 255, 255, 0, 255, 0, 0, 255, 255]


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_palette_images_look_up_colours_and_trns_alphas(depth):
    colours = min(1 << depth, 200)
    palette = rng.integers(0, 256, (colours, 3))
    alphas = rng.integers(0, 256, colours // 2 + 1)  # a tRNS shorter than the palette: the rest are opaque
    index = rng.integers(0, colours, (7, 13, 1)).astype(np.uint8)
    plain = decode_png(png_file(index, depth, 3, palette=palette))
    assert plain.shape == (7, 13, 3) and np.array_equal(plain, palette[index[..., 0]])
    see_through = decode_png(png_file(index, depth, 3, palette=palette, trns=alphas.astype(np.uint8).tobytes()))
    expected_alpha = np.concatenate([alphas, np.full(colours - len(alphas), 255)])[index[..., 0]]
    assert see_through.shape == (7, 13, 4)
    assert np.array_equal(see_through[..., :3], plain) and np.array_equal(see_through[..., 3], expected_alpha)
    grey = decode_png(png_file(index, depth, 3, palette=palette), channels=1)
    assert np.array_equal(grey, luma(palette[index[..., 0]]))


def test_palette_index_past_the_palette_is_black_as_libpng_reads_it():
    index = np.array([[[0], [3]]], np.uint8)
    image = decode_png(png_file(index, 8, 3, palette=[[10, 20, 30], [1, 2, 3]]))
    assert image.tolist() == [[[10, 20, 30], [0, 0, 0]]]


@pytest.mark.parametrize("depth", [8, 16])
def test_trns_colour_of_grey_and_rgb_images_is_the_one_transparent_colour(depth):
    top = (1 << depth) - 1
    grey = np.array([[[5], [7], [5]]], np.uint16 if depth == 16 else np.uint8)
    image = decode_png(png_file(grey, depth, 0, trns=struct.pack(">H", 5)), channels=2, dtype=np.uint16)
    scale = 1 if depth == 16 else 257
    assert image.tolist() == [[[5 * scale, 0], [7 * scale, 65535], [5 * scale, 0]]]
    assert decode_png(png_file(grey, depth, 0, trns=struct.pack(">H", 5))).shape[-1] == 1  # stored: grey only
    rgb = np.array([[[1, 2, 3], [1, 2, 4]]], grey.dtype)
    image = decode_png(png_file(rgb, depth, 2, trns=struct.pack(">HHH", 1, 2, 3)), channels=4, dtype=grey.dtype.type)
    assert image[..., 3].tolist() == [[0, top]] and image[..., :3].tolist() == rgb.tolist()


def test_alpha_channels_of_16_bits_keep_their_high_byte_for_uint8():
    samples = np.array([[[0x1234, 0xABCD], [0xFFFF, 0x00FF]]], np.uint16)
    assert decode_png(png_file(samples, 16, 4)).tolist() == [[[0x12, 0xAB], [0xFF, 0x00]]]
    assert decode_png(png_file(samples, 16, 4), dtype=np.uint16).tolist() == samples.tolist()


# ============================================================================================ PNG: filters, Adam7

CASES = [(0, 8), (0, 16), (2, 8), (2, 16), (4, 8), (6, 8), (6, 16), (0, 1), (0, 4)]  # bpp 1, 2, 3, 6, 2, 4, 8, 1, 1


@pytest.mark.parametrize("colour_type,depth", CASES)
@pytest.mark.parametrize("filters", [(0,), (1,), (2,), (3,), (4,), (4, 3, 2, 1, 0, 1, 4)])
def test_each_filter_type_reconstructs_the_rows(colour_type, depth, filters):
    samples = random_samples(9, 10, {0: 1, 2: 3, 4: 2, 6: 4}[colour_type], depth)
    samples[2] = samples[1]  # equal rows and long runs: Paeth's ties and Up's zeros
    samples[3, :5] = samples[3, 0]
    dtype = np.uint16 if depth == 16 else np.uint8
    decoded = decode_png(png_file(samples, depth, colour_type, filters=filters), dtype=dtype)
    expected = samples if depth >= 8 else samples * (255 // ((1 << depth) - 1))
    assert np.array_equal(decoded, expected)


def test_paeth_and_average_take_the_left_pixel_not_the_left_byte():
    # RGB: the Sub, Average and Paeth predictions of a byte use the byte 3 to its left (the same colour sample)
    samples = np.array([[[10, 200, 30], [12, 190, 35], [250, 0, 128]],
                        [[11, 201, 31], [13, 191, 36], [249, 1, 127]]], np.uint8)
    for kind in (1, 3, 4):
        raw = bytes(scanlines(samples, 8, (kind,)))
        assert raw[0] == kind and raw[1:4] == bytes([10, 200, 30])  # the first pixel: no left, above is 0
        assert np.array_equal(decode_png(png_file(samples, 8, 2, filters=(kind,))), samples)


@pytest.mark.parametrize("height,width", [(1, 1), (2, 3), (3, 5), (8, 8), (9, 10), (17, 13)])
@pytest.mark.parametrize("colour_type,depth", [(6, 8), (0, 1), (2, 16), (3, 2), (4, 16)])
def test_adam7_interlacing_puts_the_seven_passes_back(height, width, colour_type, depth):
    per_pixel = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    samples = random_samples(height, width, per_pixel, depth)
    palette = rng.integers(0, 256, (4, 3)) if colour_type == 3 else None
    dtype = np.uint16 if depth == 16 else np.uint8
    flat = decode_png(png_file(samples, depth, colour_type, palette=palette), dtype=dtype)
    laced = decode_png(png_file(samples, depth, colour_type, (4, 1, 3, 0, 2), True, palette), dtype=dtype)
    assert np.array_equal(laced, flat)
    if colour_type in (2, 4, 6):
        assert np.array_equal(laced, samples)


def test_image_data_split_over_idat_chunks_with_ancillary_chunks_around():
    samples = random_samples(20, 30, 3, 8)
    text, gamma = chunk(b"tEXt", b"Title\x00made by hand"), chunk(b"gAMA", struct.pack(">I", 45455))
    data = png_file(samples, 8, 2, filters=(1, 4), idat_parts=5, extra_chunks=[text, gamma])
    assert data.count(b"IDAT") == 5 and np.array_equal(decode_png(data), samples)


# ============================================================================================ PNG: channels

def test_channels_convert_as_libpng_does():
    rgba = random_samples(4, 5, 4, 8)
    rgba[0, 0] = [255, 0, 0, 9]  # pure red: luma 76 (0.299 x 255 = 76.2, truncated)
    rgba[0, 1] = [255, 255, 255, 255]
    data = png_file(rgba, 8, 6)
    assert decode_png(data).shape == (4, 5, 4)
    grey = decode_png(data, channels=1)
    assert grey[0, 0, 0] == 76 and grey[0, 1, 0] == 255 and np.array_equal(grey, luma(rgba))
    assert np.array_equal(decode_png(data, channels=2), np.concatenate([luma(rgba), rgba[..., 3:]], -1))
    assert np.array_equal(decode_png(data, channels=3), rgba[..., :3])
    grey_file = png_file(rgba[..., :1], 8, 0)
    assert np.array_equal(decode_png(grey_file, channels=3), np.repeat(rgba[..., :1], 3, -1))
    four = decode_png(grey_file, channels=4)
    assert np.array_equal(four[..., :3], np.repeat(rgba[..., :1], 3, -1)) and (four[..., 3] == 255).all()
    wide = random_samples(3, 3, 3, 16)
    assert np.array_equal(decode_png(png_file(wide, 16, 2), channels=1, dtype=np.uint16), luma(wide))
    assert np.array_equal(decode_png(png_file(wide, 16, 2), channels=1), luma(wide) >> 8)  # luma, then the high byte


# ============================================================================================ PNG: damaged files

def good_png():
    return png_file(random_samples(4, 4, 3, 8), 8, 2)


def damaged(data, marker, shift=8):
    """``data`` with a byte flipped ``shift`` bytes after the first ``marker``."""
    at = data.index(marker) + shift
    return data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1:]


@pytest.mark.parametrize("mutate,part,message", [
    (lambda d: damaged(d, b"IDAT", 6), "data", "IDAT' chunk at byte .* fails its CRC check: the file is damaged"),
    (lambda d: damaged(d, b"IHDR", 4), "header", "IHDR' chunk at byte 8 fails its CRC check"),
    (lambda d: d[:-20], "data", "truncated"),
    (lambda d: d[:40], "header", "truncated"),
    (lambda d: b"\x89PNX" + d[4:], "header", "signature"),
])
def test_damaged_files_are_clear_errors(mutate, part, message):
    with pytest.raises(PNGError, match=message) as caught:
        decode_png(mutate(good_png()))
    assert caught.value.part == part


def raw_png(header, idat_data, palette=None):
    plte = chunk(b"PLTE", palette) if palette else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + plte + chunk(b"IDAT", idat_data) +
            chunk(b"IEND", b""))


def test_malformed_contents_are_clear_errors():
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)
    with pytest.raises(PNGError, match="scanline 0 of a pass has filter type 5; PNG defines 0 to 4"):
        decode_png(raw_png(ihdr, zlib.compress(b"\x05\x01\x02")))
    with pytest.raises(PNGError, match="image data ends after 2 bytes, but a 2x1 image"):
        decode_png(raw_png(ihdr, zlib.compress(b"\x00\x01")))
    with pytest.raises(PNGError, match="does not decompress"):
        decode_png(raw_png(ihdr, b"not zlib"))
    with pytest.raises(PNGError, match="colour type 2 with bit depth 4 is not a PNG format"):
        decode_png(raw_png(struct.pack(">IIBBBBB", 2, 1, 4, 2, 0, 0, 0), b""))
    with pytest.raises(PNGError, match="width and height above 0"):
        decode_png(raw_png(struct.pack(">IIBBBBB", 0, 1, 8, 0, 0, 0, 0), b""))
    with pytest.raises(PNGError, match="needs a PLTE chunk"):
        decode_png(raw_png(struct.pack(">IIBBBBB", 1, 1, 8, 3, 0, 0, 0), zlib.compress(b"\0\0")))
    with pytest.raises(PNGError, match="no IDAT chunk"):
        decode_png(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    with pytest.raises(PNGError, match="first chunk must be a 13-byte IHDR"):
        decode_png(b"\x89PNG\r\n\x1a\n" + chunk(b"IDAT", b"") + chunk(b"IEND", b""))


# ============================================================================================ BMP

@pytest.mark.parametrize("top_down", [False, True])
@pytest.mark.parametrize("width", [1, 4, 5, 6])  # rows of 3, 12, 15, 18 bytes: padded to 4, 12, 16, 20
def test_bmp_24_bits_reads_bgr_rows_in_either_order(top_down, width):
    rgb = rng.integers(0, 256, (3, width, 3)).astype(np.uint8)
    image = decode_bmp(bmp_file(rgb, 24, top_down))
    assert image.dtype == np.uint8 and np.array_equal(image, rgb)
    assert np.array_equal(decode_bmp(bmp_file(rgb, 24, top_down), channels=1), luma(rgb))


@pytest.mark.parametrize("header_size", [40, 124])
def test_bmp_32_bits_has_alpha_in_the_fourth_byte(header_size):
    rgba = rng.integers(0, 256, (4, 3, 4)).astype(np.uint8)
    data = bmp_file(rgba, 32, header_size=header_size)
    assert np.array_equal(decode_bmp(data), rgba)
    assert np.array_equal(decode_bmp(data, channels=3), rgba[..., :3])


def test_bmp_32_bits_with_the_usual_bit_fields():
    rgba = rng.integers(0, 256, (2, 3, 4)).astype(np.uint8)
    data = bytearray(bmp_file(rgba, 32, header_size=56))  # a V3 header: masks at bytes 54..66
    struct.pack_into("<I", data, 30, 3)
    struct.pack_into("<IIII", data, 54, 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000)
    assert np.array_equal(decode_bmp(bytes(data)), rgba)
    struct.pack_into("<I", data, 54, 0x0000FF00)
    with pytest.raises(BMPError, match="bit fields must be the usual masks"):
        decode_bmp(bytes(data))


@pytest.mark.parametrize("header_size", [40, 12])
def test_bmp_8_bits_looks_up_the_palette(header_size):
    palette = rng.integers(0, 256, (7, 3))
    index = rng.integers(0, 7, (5, 6))
    image = decode_bmp(bmp_file(index, 8, palette=palette, header_size=header_size))
    assert image.shape == (5, 6, 3) and np.array_equal(image, palette[index])
    greys = np.repeat(np.arange(0, 256, 16)[:, None], 3, 1)  # a grey palette: one channel, as TF reads 8 bits
    grey = decode_bmp(bmp_file(index, 8, palette=greys, header_size=header_size))
    assert grey.shape == (5, 6, 1) and np.array_equal(grey[..., 0], index * 16)
    assert np.array_equal(decode_bmp(bmp_file(index, 8, True, greys), channels=3), np.repeat(grey, 3, -1))


def test_bad_bmp_files_are_clear_errors():
    rgb = np.zeros((2, 3, 3), np.uint8)
    good = bmp_file(rgb, 24)
    with pytest.raises(BMPError, match="Incomplete bmp content, requires at least 78 bytes, got 70 bytes"):
        decode_bmp(good[:70])
    with pytest.raises(BMPError, match="starts with 'BM'"):
        decode_bmp(b"XX" + good[2:])
    rle = bytearray(good)
    struct.pack_into("<I", rle, 30, 1)
    with pytest.raises(BMPError, match="BMP compression 1 is not supported"):
        decode_bmp(bytes(rle))
    sixteen = bytearray(good)
    struct.pack_into("<H", sixteen, 28, 16)
    with pytest.raises(BMPError, match="16-bit BMP files are not supported"):
        decode_bmp(bytes(sixteen))
    with pytest.raises(BMPError, match="colour 5, past the end of the 2-colour palette"):
        decode_bmp(bmp_file(np.array([[0, 5]]), 8, palette=[[0, 0, 0], [9, 9, 9]]))


# ============================================================================================ GIF

def test_gif_single_frame_is_one_rgb_frame():
    palette = rng.integers(0, 256, (4, 3))
    index = rng.integers(0, 4, (3, 5))
    frames = decode_gif(gif_file(5, 3, [{"indices": index}], palette))
    assert frames.shape == (1, 3, 5, 3) and frames.dtype == np.uint8
    assert np.array_equal(frames[0], palette[index])
    assert np.array_equal(decode_gif(gif_file(5, 3, [{"indices": index}], palette), channels=1)[0],
                          luma(palette[index]))


def test_gif_lzw_tables_that_grow_to_12_bits_and_clear():
    palette = rng.integers(0, 256, (256, 3))
    index = rng.integers(0, 256, (90, 110))  # ~10,000 codes: the table fills (4096) and is cleared twice
    index[:10] = 3  # long runs too: codes for strings of one index
    assert np.array_equal(decode_gif(gif_file(110, 90, [{"indices": index}], palette))[0], palette[index])
    small = rng.integers(0, 2, (40, 50))  # 1-bit colours: minimum code size 2, codes of 3 to 12 bits
    assert np.array_equal(decode_gif(gif_file(50, 40, [{"indices": small}], palette[:2]))[0], palette[:2][small])


def test_gif_frames_build_on_the_canvas():
    palette = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]])
    local = np.array([[10, 10, 10], [20, 20, 20]])
    first = rng.integers(1, 4, (2, 3))  # covers only the top left of a 4x5 canvas: the rest is black
    second = np.array([[2, 3], [3, 2]])  # at left 2, top 1
    third = np.array([[1, 0, 1, 1, 0]] * 4)  # index 0 transparent: the pixels below show through
    data = gif_file(5, 4, [{"indices": first}, {"indices": second, "left": 2, "top": 1},
                           {"indices": third, "transparent": 0, "palette": local}], palette)
    frames = decode_gif(data)
    expected = np.zeros((3, 4, 5, 3), np.int64)
    expected[0, :2, :3] = palette[first]
    expected[1] = expected[0]
    expected[1, 1:3, 2:4] = palette[second]
    expected[2] = np.where(third[..., None] == 0, expected[1], local[third])
    assert frames.shape == (3, 4, 5, 3) and np.array_equal(frames, expected)


def test_gif_interlaced_rows_come_back_in_order():
    palette = rng.integers(0, 256, (16, 3))
    index = rng.integers(0, 16, (11, 4))
    frames = decode_gif(gif_file(4, 11, [{"indices": index, "interlace": True}], palette))
    assert np.array_equal(frames[0], palette[index])


def test_bad_gif_files_are_clear_errors():
    palette = np.array([[0, 0, 0], [1, 1, 1]])
    good = gif_file(2, 2, [{"indices": [[0, 1], [1, 0]]}], palette)
    with pytest.raises(GIFError, match="without the trailer byte 0x3B"):
        decode_gif(good[:-1])
    with pytest.raises(GIFError, match="starts with 'GIF87a' or 'GIF89a'"):
        decode_gif(b"GIF90a" + good[6:])
    with pytest.raises(GIFError, match="does not contain any image"):
        decode_gif(good[:13 + 6] + b"\x3b")
    # minimum code size 2 (clear 4, end 5, 3-bit codes), then the codes 4 (clear) and 7: past the 6-entry table
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 2, 2, 0) + b"\x02\x01" + bytes([4 | 7 << 3]) + b"\x00"
    with pytest.raises(GIFError, match="LZW code 7 is past the end of the 6-entry table: the data is damaged"):
        decode_gif(good[:19] + frame + b"\x3b")
    short = b"\x2c" + struct.pack("<HHHHB", 0, 0, 2, 2, 0) + b"\x02\x01" + bytes([4 | 1 << 3]) + b"\x00"
    with pytest.raises(GIFError, match="a 2x2 frame's data decodes to 1 pixels, fewer than 4"):
        decode_gif(good[:19] + short + b"\x3b")
