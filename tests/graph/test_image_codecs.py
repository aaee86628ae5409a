"""tf.image's file codecs as graph ops: decode_png/encode_png, decode_bmp, decode_gif, decode_image's dispatch on the
first bytes, decode_jpeg's clear UnimplementedError, TF 1.15's static shapes and messages, and the TF1 input
pipelines (WholeFileReader, tf.data with tf.read_file) over image files."""
import struct

import numpy as np
import pytest

import minidl.graph as tf

from tests.image_files import bmp_file, gif_file, png_file

rng = np.random.default_rng(3)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)  # the start of a JPEG file: all the ops look at


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def rgba_png(height=5, width=6):
    pixels = rng.integers(0, 256, (height, width, 4)).astype(np.uint8)
    return pixels, png_file(pixels, 8, 6, filters=(0, 1, 2, 3, 4))


# ============================================================================================ shapes

def test_static_shapes_are_tf_1_15s():
    contents = tf.placeholder(tf.string, [])
    assert tf.image.decode_png(contents).shape.as_list() == [None, None, None]
    assert tf.image.decode_png(contents, channels=3).shape.as_list() == [None, None, 3]
    assert tf.image.decode_png(contents, dtype=tf.uint16).dtype == tf.uint16
    assert tf.image.decode_bmp(contents, channels=4).shape.as_list() == [None, None, 4]
    assert tf.image.decode_gif(contents).shape.as_list() == [None, None, None, 3]
    assert tf.image.decode_jpeg(contents, channels=1).shape.as_list() == [None, None, 1]
    assert not tf.image.decode_image(contents).shape.rank_known  # a GIF gives 4 dims, the rest 3
    assert tf.image.decode_image(contents, expand_animations=False).shape.as_list() == [None, None, None]
    encoded = tf.image.encode_png(tf.zeros([2, 3, 1], tf.uint8))
    assert encoded.dtype == tf.string and encoded.shape.as_list() == []
    assert tf.image.decode_png(contents).op.type == "DecodePng" and encoded.op.type == "EncodePng"


def test_tf_io_has_the_same_functions():
    for name in ("decode_png", "encode_png", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
                 "decode_and_crop_jpeg"):
        assert getattr(tf.io, name) is getattr(tf.image, name)


def test_bad_arguments_are_build_time_errors():
    contents = tf.placeholder(tf.string, [])
    with pytest.raises(ValueError, match="DecodePng: `contents` must have rank at most 0"):
        tf.image.decode_png(tf.placeholder(tf.string, [2]))
    with pytest.raises(TypeError, match="DecodePng: `contents` must be a tf.string tensor, got float32"):
        tf.image.decode_png(tf.zeros([]))
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: uint8, uint16"):
        tf.image.decode_png(contents, dtype=tf.float32)
    with pytest.raises(ValueError, match="DecodePng: channels must be one of 0, 1, 3, 4, got 2"):
        tf.image.decode_png(contents, channels=2)
    with pytest.raises(ValueError, match=r"channels must be in \(None, 0, 1, 3, 4\)"):
        tf.image.decode_image(contents, channels=2)
    with pytest.raises(TypeError, match="EncodePng: .* DataType float32 not in list of allowed values"):
        tf.image.encode_png(tf.zeros([2, 2, 3]))
    with pytest.raises(ValueError, match="EncodePng: image must be .* 1 to 4 channels, got shape"):
        tf.image.encode_png(tf.zeros([2, 2, 5], tf.uint8))
    with pytest.raises(ValueError, match=r"compression should be in \[-1,9\], got 10"):
        tf.image.encode_png(tf.zeros([2, 2, 3], tf.uint8), compression=10)


# ============================================================================================ PNG

@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [tf.uint8, tf.uint16])
def test_encode_png_then_decode_png_gives_the_image_back(channels, dtype):
    image = rng.integers(0, np.iinfo(dtype.as_numpy_dtype).max + 1, (4, 7, channels)).astype(dtype.as_numpy_dtype)
    placeholder = tf.placeholder(dtype, [None, None, channels])
    decoded = tf.image.decode_png(tf.image.encode_png(placeholder, compression=9), dtype=dtype)
    out = run(decoded, {placeholder: image})
    assert out.dtype == image.dtype and np.array_equal(out, image)


def test_decode_png_channels_convert_as_tf_does():
    pixels, data = rgba_png()
    rgb = pixels[..., :3].astype(np.int64)
    grey = (9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15  # libpng's BT.601 luma
    contents = tf.constant(data)
    outs = run([tf.image.decode_png(contents, channels=c) for c in (0, 1, 3, 4)])
    assert np.array_equal(outs[0], pixels) and np.array_equal(outs[3], pixels)
    assert np.array_equal(outs[1][..., 0], grey) and np.array_equal(outs[2], pixels[..., :3])
    wide = run(tf.image.decode_png(contents, channels=3, dtype=tf.uint16))
    assert wide.dtype == np.uint16 and np.array_equal(wide, pixels[..., :3].astype(np.uint16) * 257)


def test_decode_png_reads_palette_interlaced_and_16_bit_files():
    index = rng.integers(0, 4, (9, 10, 1)).astype(np.uint8)
    palette = rng.integers(0, 256, (4, 3))
    paletted = png_file(index, 2, 3, filters=(4, 3), interlace=True, palette=palette, trns=b"\x00\x80")
    deep = rng.integers(0, 65536, (3, 4, 3)).astype(np.uint16)
    out, out16 = run([tf.image.decode_png(paletted), tf.image.decode_png(png_file(deep, 16, 2), dtype=tf.uint16)])
    assert out.shape == (9, 10, 4) and np.array_equal(out[..., :3], palette[index[..., 0]])
    assert np.array_equal(out[..., 3], np.array([0, 128, 255, 255])[index[..., 0]])
    assert np.array_equal(out16, deep)


def test_damaged_png_names_tf_s_message_and_the_fault():
    _, data = rgba_png()
    at = data.index(b"IDAT") + 10
    broken = data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]
    contents = tf.placeholder(tf.string, [])
    image = tf.image.decode_png(contents)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Invalid PNG data, size {len(data)}: the b'IDAT' chunk at byte .* fails its CRC check"):
        run(image, {contents: broken})
    header_broken = data[:20] + bytes([data[20] ^ 1]) + data[21:]
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"Invalid PNG header, data size {len(data)}: .*IHDR"):
        run(image, {contents: header_broken})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected image \\(JPEG, PNG, or GIF\\), got unknown "
                                                             "format starting with 'BM"):
        run(image, {contents: bmp_file(np.zeros((1, 1, 3), np.uint8), 24)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="got empty file"):
        run(image, {contents: b""})
    unknown_rank = tf.placeholder(tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"contents must be scalar, but had shape: \[2\]"):
        run(tf.image.decode_png(unknown_rank), {unknown_rank: [data, data]})


def test_encode_png_of_a_bad_run_time_image_is_an_invalid_argument():
    image = tf.placeholder(tf.uint8, [None, None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="PNG encoding failed: .*1\\|2\\|3\\|4"):
        run(tf.image.encode_png(image), {image: np.zeros((2, 2, 6), np.uint8)})


# ============================================================================================ BMP, GIF, dispatch

def test_decode_bmp_and_decode_image_read_bmp_files():
    rgb = rng.integers(0, 256, (3, 5, 3)).astype(np.uint8)
    data = tf.constant(bmp_file(rgb, 24))
    bmp, image, grey = run([tf.image.decode_bmp(data), tf.image.decode_image(data), tf.image.decode_bmp(data, 1)])
    assert np.array_equal(bmp, rgb) and np.array_equal(image, rgb) and grey.shape == (3, 5, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected a BMP file"):
        run(tf.image.decode_bmp(tf.constant(png_file(rgb, 8, 2))))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid BMP data, size 60: Incomplete bmp content"):
        run(tf.image.decode_bmp(tf.constant(bmp_file(rgb, 24)[:60])))


def animation():
    palette = rng.integers(0, 256, (8, 3))
    frames = [rng.integers(0, 8, (4, 6)) for _ in range(3)]
    return palette, frames, gif_file(6, 4, [{"indices": f} for f in frames], palette)


def test_decode_gif_and_decode_image_give_gif_frames():
    palette, frames, data = animation()
    expected = np.stack([palette[f] for f in frames])
    contents = tf.constant(data)
    gif, image, first = run([tf.image.decode_gif(contents), tf.image.decode_image(contents),
                             tf.image.decode_image(contents, expand_animations=False)])
    assert gif.shape == (3, 4, 6, 3) and np.array_equal(gif, expected)
    assert np.array_equal(image, expected) and np.array_equal(first, expected[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Got 3 frames, but animated gifs can only be decoded by "
                                                             "tf.image.decode_gif or tf.image.decode_image"):
        run(tf.image.decode_png(contents))


def test_decoders_read_each_others_formats_as_tf_1_15s_one_kernel_does():
    pixels, data = rgba_png()
    one_frame = gif_file(2, 1, [{"indices": [[0, 1]]}], np.array([[1, 2, 3], [4, 5, 6]]))
    contents = tf.constant(data)
    as_gif, as_jpeg, gif_as_png = run([tf.image.decode_gif(contents), tf.image.decode_jpeg(contents),
                                       tf.image.decode_png(tf.constant(one_frame))])
    assert as_gif.shape == (1, 5, 6, 3) and np.array_equal(as_gif[0], pixels[..., :3])  # DecodeGif: 3 channels
    assert np.array_equal(as_jpeg, pixels)
    assert gif_as_png.tolist() == [[[1, 2, 3], [4, 5, 6]]]


def test_decode_image_dispatches_on_the_first_bytes_and_converts_the_dtype():
    pixels, data = rgba_png()
    contents = tf.placeholder(tf.string, [])
    floats = tf.image.decode_image(contents, dtype=tf.float32)
    assert floats.dtype == tf.float32
    out = run(floats, {contents: data})
    assert out.dtype == np.float32 and np.allclose(out, pixels / 255.0, atol=1e-6)
    rgb = pixels[..., :3]
    assert np.allclose(run(floats, {contents: bmp_file(rgb, 24)}), rgb / 255.0, atol=1e-6)
    wide = run(tf.image.decode_image(contents, channels=3, dtype=tf.uint16), {contents: data})
    assert np.array_equal(wide, rgb.astype(np.uint16) * 257)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unable to decode bytes as JPEG, PNG, GIF, or BMP, got "
                                                             "unknown format starting with 'hello'"):
        run(floats, {contents: b"hello"})


# ============================================================================================ JPEG

def test_jpeg_data_is_a_clear_unimplemented_error():
    contents = tf.constant(JPEG)
    for op in (tf.image.decode_jpeg(contents, channels=3), tf.image.decode_image(contents),
               tf.image.decode_png(contents), tf.image.decode_and_crop_jpeg(contents, [0, 0, 1, 1])):
        with pytest.raises(tf.errors.UnimplementedError, match="minidl has no JPEG decoder: convert the images to "
                                                               "PNG"):
            run(op)


def test_decode_and_crop_jpeg_crops_png_files():
    pixels, data = rgba_png()
    window = tf.placeholder(tf.int32, [4])
    crop = tf.image.decode_and_crop_jpeg(tf.constant(data), window, channels=3)
    assert crop.shape.as_list() == [None, None, 3]
    assert np.array_equal(run(crop, {window: [1, 2, 3, 4]}), pixels[1:4, 2:6, :3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Invalid crop window \[4, 0, 3, 1\] for an image of "
                                                             r"shape \[5, 6, 3\]"):
        run(crop, {window: [4, 0, 3, 1]})


# ============================================================================================ pipelines

def write_images(tmp_path, count):
    images = [rng.integers(0, 256, (3 + i, 4, 3)).astype(np.uint8) for i in range(count)]
    names = []
    for i, image in enumerate(images):
        path = tmp_path / f"image{i}.png"
        path.write_bytes(png_file(image, 8, 2, filters=(i % 5,)))
        names.append(str(path))
    return images, names


def test_whole_file_reader_feeds_decode_png(tmp_path):
    images, names = write_images(tmp_path, 3)
    queue = tf.FIFOQueue(5, tf.string)
    fill = queue.enqueue_many([names])
    key, value = tf.WholeFileReader().read(queue)
    image = tf.image.decode_png(value, channels=3)
    with tf.Session() as sess:
        sess.run([fill, queue.close()])
        for name, expected in zip(names, images):
            got_key, got = sess.run([key, image])
            assert got_key == name.encode() and np.array_equal(got, expected)


def test_dataset_map_reads_and_decodes_files(tmp_path):
    images, names = write_images(tmp_path, 4)
    dataset = tf.data.Dataset.from_tensor_slices(names).map(lambda f: tf.image.decode_png(tf.read_file(f)))
    assert dataset.output_shapes.as_list() == [None, None, None]
    dataset = dataset.map(lambda image: tf.image.resize_images(tf.ensure_shape(image, [None, None, 3]), [2, 2]))
    batch = tf.data.make_one_shot_iterator(dataset.batch(4)).get_next()
    out = run(batch)
    assert out.shape == (4, 2, 2, 3)
    for got, image in zip(out, images):  # resizing to 2x2 with TF1's corner rule takes pixel (0, 0) first
        assert np.allclose(got[0, 0], image[0, 0])


def test_encode_png_and_write_file_then_read_it_back(tmp_path):
    image = rng.integers(0, 256, (6, 5, 3)).astype(np.uint8)
    path = str(tmp_path / "out" / "picture.png")
    write = tf.write_file(path, tf.image.encode_png(tf.constant(image)))
    run(write)
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(run(tf.image.decode_image(tf.read_file(path))), image)
    header = struct.unpack(">IIBB", open(path, "rb").read()[16:26])
    assert header == (5, 6, 8, 2)  # width, height, 8 bits, RGB
