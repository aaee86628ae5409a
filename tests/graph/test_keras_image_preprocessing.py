"""tf.keras.preprocessing.image as TF 1.15 has it: ImageDataGenerator's transforms (checked against results worked
out by hand in numpy, with the random draws repeated from the same seed), its featurewise statistics, flow's
batches, shuffling and seeds, flow_from_directory over image files in class folders, a model trained on them, the
file helpers, and tf.keras.utils.get_file, which never downloads."""
import io
import os
import struct
import tarfile

import numpy as np
import pytest

import minidl.graph as tf
from minidl.io.png import encode_png

keras = tf.keras
image = keras.preprocessing.image
ImageDataGenerator = image.ImageDataGenerator


def _picture(height=4, width=4, channels=1):
    return np.arange(height * width * channels, dtype=np.float32).reshape(height, width, channels)


# ------------------------------------------------------------------------------------------- transforms

def test_a_seeded_random_flip_is_the_draw_numpy_makes():
    x = _picture(channels=3)
    generator = ImageDataGenerator(horizontal_flip=True)
    for seed in range(6):
        np.random.seed(seed)
        flipped = np.random.random() < 0.5  # the one draw that decides (nothing else is random here)
        expected = x[:, ::-1] if flipped else x
        np.testing.assert_array_equal(generator.random_transform(x, seed=seed), expected)
    np.testing.assert_array_equal(generator.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])
    np.testing.assert_array_equal(ImageDataGenerator().apply_transform(x, {"flip_vertical": True}), x[::-1])


def test_a_90_degree_rotation_turns_clockwise_about_keras_centre():
    x = _picture(5, 5)
    rotated = ImageDataGenerator(fill_mode="constant", cval=-1.0, interpolation_order=0).apply_transform(
        x, {"theta": 90})
    # clockwise on screen, and keras_preprocessing's centre (h/2 + 0.5) is one pixel past the true one in both
    # directions: the picture comes out two columns to the right, what it leaves is filled with cval
    expected = np.full_like(x, -1.0)
    expected[:, 2:] = np.rot90(x, -1)[:, :-2]
    np.testing.assert_array_equal(rotated, expected)


def test_an_integer_shift_with_constant_fill():
    x = _picture(4, 6, 2)
    generator = ImageDataGenerator(width_shift_range=[2], fill_mode="constant", cval=-1.0)
    for seed in (0, 1, 2, 3):
        np.random.seed(seed)  # the draws of get_random_transform: the shift's size, then its sign
        shift = np.random.choice([2]) * np.random.choice([-1, 1])
        expected = np.full_like(x, -1.0)
        if shift > 0:  # output column c shows input column c + shift: the picture moves left
            expected[:, :-shift] = x[:, shift:]
        else:
            expected[:, -shift:] = x[:, :shift]
        assert generator.get_random_transform(x.shape, seed=seed)["ty"] == shift
        np.testing.assert_array_equal(generator.random_transform(x, seed=seed), expected)
    # a fractional range is a fraction of the height: tx = 0.25 * 4 = 1 row, the picture one row up
    down = ImageDataGenerator(fill_mode="constant").apply_transform(x, {"tx": 1})
    np.testing.assert_array_equal(down[:-1], x[1:])
    np.testing.assert_array_equal(down[-1], 0)


def test_a_zoom_of_2_with_nearest_sampling_shrinks_the_picture():
    x = _picture(4, 4)
    generator = ImageDataGenerator(zoom_range=[2, 2], fill_mode="constant", cval=-1.0, interpolation_order=0)
    zoomed = generator.random_transform(x, seed=0)
    # input position = 2 (output - c) + c with c = 4/2 + 0.5 = 2.5: outputs 0..3 read -2.5, -0.5, 1.5, 3.5, which
    # round to -2, 0, 2, 4: only rows (columns) 0 and 2 are inside
    expected = np.full_like(x, -1.0)
    expected[1:3, 1:3] = x[[0, 2]][:, [0, 2]]
    np.testing.assert_array_equal(zoomed, expected)
    assert generator.get_random_transform(x.shape)["zx"] == 2.0


def test_fill_modes_and_bilinear_sampling():
    row = np.arange(4, dtype=np.float32).reshape(1, 4, 1)  # a b c d = 0 1 2 3

    def shifted(ty, fill_mode, order=0):
        return image.apply_affine_transform(row, ty=ty, fill_mode=fill_mode, cval=9.0, order=order).ravel()

    # output column c reads input column c - 2
    np.testing.assert_array_equal(shifted(-2, "constant"), [9, 9, 0, 1])
    np.testing.assert_array_equal(shifted(-2, "nearest"), [0, 0, 0, 1])
    np.testing.assert_array_equal(shifted(-2, "reflect"), [1, 0, 0, 1])  # ba|abcd
    np.testing.assert_array_equal(shifted(-2, "wrap"), [2, 3, 0, 1])  # cd|abcd
    # half a column: the mean of two neighbours (the last one's right neighbour is itself, "nearest")
    np.testing.assert_allclose(shifted(0.5, "nearest", order=1), [0.5, 1.5, 2.5, 3.0])
    with pytest.raises(ValueError, match="fill_mode"):
        image.apply_affine_transform(row, tx=1, fill_mode="mirror")


def test_channel_and_brightness_shifts():
    x = np.array([[[0.0, 0.5, 1.0]]], np.float32)  # one pixel, three channels
    np.testing.assert_allclose(image.apply_channel_shift(x, 0.25, channel_axis=2), [[[0.25, 0.75, 1.0]]])
    # brightness: scaled to 0..255 (0, 127.5 -> 127, 255), times 0.5, whole values: 0, 63, 127
    np.testing.assert_array_equal(image.apply_brightness_shift(x, 0.5), [[[0, 63, 127]]])
    assert image.apply_brightness_shift(x, 0.5).dtype == np.float32


def test_random_helpers_draw_from_numpy_with_keras_layout():
    x = _picture(4, 4).transpose(2, 0, 1)  # their default: channels first
    np.random.seed(5)
    angle = np.random.uniform(-30, 30)
    np.random.seed(5)
    np.testing.assert_allclose(image.random_rotation(x, 30), image.apply_affine_transform(
        x, theta=angle, row_axis=1, col_axis=2, channel_axis=0))
    np.random.seed(6)
    zx, zy = np.random.uniform(0.5, 1.5, 2)
    np.random.seed(6)
    np.testing.assert_allclose(image.random_zoom(x, (0.5, 1.5)), image.apply_affine_transform(
        x, zx=zx, zy=zy, row_axis=1, col_axis=2, channel_axis=0))


# ------------------------------------------------------------------------------------------- statistics

def test_fit_computes_featurewise_statistics_per_channel():
    rng = np.random.default_rng(0)
    x = (rng.random((10, 3, 3, 3)) * [1.0, 10.0, 2.0] + [0.0, 5.0, -1.0]).astype(np.float32)
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    generator.fit(x)
    np.testing.assert_allclose(generator.mean, x.mean(axis=(0, 1, 2)).reshape(1, 1, 3), rtol=1e-5)
    np.testing.assert_allclose(generator.std, x.std(axis=(0, 1, 2)).reshape(1, 1, 3), rtol=1e-4)
    standardized = generator.standardize(x[0])
    np.testing.assert_allclose(standardized, (x[0] - generator.mean) / (generator.std + 1e-6), rtol=1e-5)
    np.testing.assert_array_equal(x[0], x[0].copy())  # the argument stays as it was
    batch = generator.flow(x, batch_size=10, shuffle=False)[0]
    np.testing.assert_allclose(batch.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(batch.std(axis=(0, 1, 2)), 1, atol=1e-4)


def test_samplewise_rescale_and_zca():
    x = np.random.default_rng(1).random((200, 2, 2, 1)).astype(np.float32)
    one = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True, rescale=2.0).standardize(x[0])
    np.testing.assert_allclose(one, (2 * x[0] - (2 * x[0]).mean()) / ((2 * x[0]).std() + 1e-6), rtol=1e-5)
    with pytest.warns(UserWarning, match="zca_whitening"):
        whitening = ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-8)
    whitening.fit(x)
    white = whitening.standardize(x).reshape(200, 4)
    np.testing.assert_allclose(white.T @ white / 200, np.eye(4), atol=1e-3)  # uncorrelated, unit variance
    with pytest.warns(UserWarning, match="hasn't been fit"):
        ImageDataGenerator(featurewise_center=True).standardize(x[0])


# ------------------------------------------------------------------------------------------------ flow

def test_flow_batches_shuffle_and_seeds():
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1) * np.ones((1, 2, 2, 1), np.float32)
    y = np.arange(10)
    ordered = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert isinstance(ordered, keras.utils.Sequence) and len(ordered) == 3
    assert [list(ordered[i][1]) for i in range(3)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(ordered[2][0], x[8:])
    # shuffled with a seed: batch i seeds numpy with seed + (batches made so far), then draws the order
    shuffled = ImageDataGenerator().flow(x, y, batch_size=4, seed=11)
    np.random.seed(11)
    order = np.random.permutation(10)
    assert list(shuffled[0][1]) == list(order[:4]) and list(shuffled[1][1]) == list(order[4:8])
    again = ImageDataGenerator().flow(x, y, batch_size=4, seed=11)
    assert list(again[0][1]) == list(order[:4])
    assert list(ImageDataGenerator().flow(x, y, batch_size=10, seed=12)[0][1]) != list(order)
    shuffled.on_epoch_end()  # a new order
    assert sorted(np.concatenate([shuffled[i][1] for i in range(3)])) == list(range(10))
    # an endless iterator too: epoch after epoch, every sample once per epoch
    endless = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert [list(next(endless)[1]) for _ in range(4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]
    # transforms drawn from the same seed are the same
    augmenting = dict(rotation_range=40, zoom_range=0.3, horizontal_flip=True)
    first = ImageDataGenerator(**augmenting).flow(_picture()[None].repeat(3, 0), batch_size=3, seed=4)[0]
    second = ImageDataGenerator(**augmenting).flow(_picture()[None].repeat(3, 0), batch_size=3, seed=4)[0]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[0], first[1])  # each sample its own draws


def test_flow_subsets_weights_and_errors():
    x, y = np.zeros((10, 2, 2, 1), np.float32), np.array([0, 1] * 5)
    generator = ImageDataGenerator(validation_split=0.2)
    validation = generator.flow(x, y, batch_size=10, shuffle=False, subset="validation")
    training = generator.flow(x, y, batch_size=10, shuffle=False, subset="training")
    assert validation.n == 2 and training.n == 8  # the first 20 % are the validation samples
    x_batch, y_batch, w_batch = ImageDataGenerator().flow(x, y, sample_weight=np.arange(10.0), shuffle=False,
                                                          batch_size=3)[1]
    assert list(w_batch) == [3.0, 4.0, 5.0] and list(y_batch) == [1, 0, 1]
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        ImageDataGenerator(validation_split=1.5)


def test_model_fit_takes_a_flow():
    rng = np.random.default_rng(2)
    x = rng.random((32, 4, 4, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)
    np.random.seed(0)
    model = keras.Sequential([keras.layers.Flatten(input_shape=(4, 4, 1)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    history = model.fit(ImageDataGenerator().flow(x, y, batch_size=8, seed=1), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3  # one epoch: the Sequence's 4 batches (its length), not forever


# --------------------------------------------------------------------------------------- directories

def _write_png(path, pixels):
    with open(path, "wb") as f:
        f.write(encode_png(np.asarray(pixels, np.uint8)))


def _write_bmp(path, pixels):
    """A 24-bit BMP file: bottom-up rows of BGR bytes, each padded to 4 bytes."""
    height, width, _ = pixels.shape
    row_size = (3 * width + 3) // 4 * 4
    rows = b"".join(pixels[r, :, ::-1].tobytes().ljust(row_size, b"\0") for r in range(height - 1, -1, -1))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(rows), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(rows), 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(header + info + rows)


@pytest.fixture
def class_folders(tmp_path):
    """Two classes of 6 x 6 RGB pictures: dark "cat"s and bright "dog"s (one of them a BMP file)."""
    rng = np.random.default_rng(3)
    for name, level in (("cat", 40), ("dog", 210)):
        (tmp_path / name).mkdir()
        for i in range(4):
            pixels = np.clip(level + rng.integers(-30, 30, (6, 6, 3)), 0, 255).astype(np.uint8)
            if name == "dog" and i == 3:
                _write_bmp(tmp_path / name / f"{i}.bmp", pixels)
            else:
                _write_png(tmp_path / name / f"{i}.png", pixels)
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    return tmp_path


def test_flow_from_directory_lists_classes_and_labels(class_folders, capsys):
    iterator = ImageDataGenerator().flow_from_directory(str(class_folders), target_size=(6, 6), batch_size=3,
                                                        shuffle=False)
    assert "Found 8 images belonging to 2 classes." in capsys.readouterr().out
    assert iterator.class_indices == {"cat": 0, "dog": 1} and iterator.num_classes == 2
    assert list(iterator.classes) == [0, 0, 0, 0, 1, 1, 1, 1] and list(iterator.labels) == list(iterator.classes)
    assert iterator.filenames == [os.path.join("cat", f"{i}.png") for i in range(4)] + [
        os.path.join("dog", name) for name in ("0.png", "1.png", "2.png", "3.bmp")]
    x, y = iterator[0]
    assert x.shape == (3, 6, 6, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(y, [[1, 0], [1, 0], [1, 0]])  # categorical: one-hot rows
    np.testing.assert_array_equal(x[0], image.img_to_array(image.load_img(iterator.filepaths[0])))
    x, y = iterator[2]
    assert x.shape == (2, 6, 6, 3) and x[1].mean() > 150  # the BMP dog, read right side up and bright
    bmp = image.load_img(iterator.filepaths[7])
    np.testing.assert_array_equal(bmp, image.load_img(iterator.filepaths[7], color_mode="rgba")[..., :3])


def test_flow_from_directory_options(class_folders):
    generator = ImageDataGenerator(rescale=1 / 255, validation_split=0.5)
    binary = generator.flow_from_directory(str(class_folders), target_size=(3, 3), color_mode="grayscale",
                                           class_mode="binary", batch_size=8, shuffle=False)
    x, y = binary[0]
    assert x.shape == (8, 3, 3, 1) and x.max() <= 1.0 and list(y) == [0, 0, 0, 0, 1, 1, 1, 1]
    only_dogs = generator.flow_from_directory(str(class_folders), classes=["dog"], class_mode="sparse",
                                              target_size=(6, 6), shuffle=False)
    assert only_dogs.class_indices == {"dog": 0} and only_dogs.samples == 4
    validation = generator.flow_from_directory(str(class_folders), subset="validation", target_size=(6, 6),
                                               shuffle=False)
    assert [os.path.basename(name) for name in validation.filenames] == ["0.png", "1.png", "0.png", "1.png"]
    unlabeled = generator.flow_from_directory(str(class_folders), class_mode=None, target_size=(6, 6),
                                              shuffle=False, batch_size=2)
    assert unlabeled[0].shape == (2, 6, 6, 3)
    autoencoding = generator.flow_from_directory(str(class_folders), class_mode="input", target_size=(6, 6))
    inputs, targets = autoencoding[0]
    np.testing.assert_array_equal(inputs, targets)
    (class_folders / "dog" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(20))
    with pytest.raises(NotImplementedError, match="no JPEG decoder"):
        generator.flow_from_directory(str(class_folders))


def test_fit_generator_trains_a_tiny_model_on_the_folders(class_folders):
    np.random.seed(0)
    tf.set_random_seed(0)
    generator = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True)
    train = generator.flow_from_directory(str(class_folders), target_size=(6, 6), class_mode="binary",
                                          batch_size=4, seed=0)
    model = keras.Sequential([keras.layers.Conv2D(4, 3, activation="tanh", input_shape=(6, 6, 3)),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit_generator(train, epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert history.history["acc"][-1] == 1.0
    loss, accuracy = model.evaluate_generator(
        ImageDataGenerator(rescale=1 / 255).flow_from_directory(str(class_folders), target_size=(6, 6),
                                                                class_mode="binary", batch_size=8))
    assert accuracy == 1.0


# --------------------------------------------------------------------------------------------- files

def test_load_img_resizes_as_pil_does(tmp_path):
    pixels = np.arange(16, dtype=np.uint8).reshape(4, 4, 1).repeat(3, axis=2) * 10
    _write_png(tmp_path / "gradient.png", pixels)
    loaded = image.load_img(str(tmp_path / "gradient.png"))
    assert isinstance(loaded, np.ndarray) and loaded.dtype == np.uint8 and loaded.shape == (4, 4, 3)
    np.testing.assert_array_equal(loaded, pixels)
    # nearest: output pixel i reads input pixel floor((i + 0.5) * 4 / 2) = 1, 3
    np.testing.assert_array_equal(image.load_img(str(tmp_path / "gradient.png"), target_size=(2, 2))[..., 0],
                                  pixels[[1, 3]][:, [1, 3], 0])
    # bilinear, shrinking by 2: a triangle of half-width 2 around the output pixel's centre (input position 1.0,
    # then 3.0) over the input pixels' centres 0.5, 1.5, 2.5, 3.5 weighs them 0.75, 0.75, 0.25, 0 (normalized)
    halved = image.load_img(str(tmp_path / "gradient.png"), target_size=(2, 2), interpolation="bilinear")
    weights = np.array([[3, 3, 1, 0], [0, 1, 3, 3]]) / 7
    np.testing.assert_array_equal(halved[..., 0], np.round(weights @ pixels[..., 0] @ weights.T))
    grey = image.load_img(str(tmp_path / "gradient.png"), grayscale=True)
    assert grey.shape == (4, 4, 1)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(20))
    with pytest.raises(NotImplementedError, match="no JPEG decoder"):
        image.load_img(str(tmp_path / "photo.jpg"))


def test_array_image_conversions_and_save_img(tmp_path):
    x = np.array([[[0.0], [0.5]], [[1.0], [0.25]]], np.float32)
    assert image.img_to_array(x, data_format="channels_first").shape == (1, 2, 2)
    np.testing.assert_array_equal(image.array_to_img(x)[..., 0], [[0, 127], [255, 63]])  # x / max * 255
    np.testing.assert_array_equal(image.array_to_img(x - 1.0)[..., 0], [[0, 127], [255, 63]])  # shifted up first
    image.save_img(str(tmp_path / "saved.png"), x)
    np.testing.assert_array_equal(image.load_img(str(tmp_path / "saved.png"), color_mode="grayscale")[..., 0],
                                  [[0, 127], [255, 63]])
    with pytest.raises(NotImplementedError, match="PNG files only"):
        image.save_img(str(tmp_path / "saved.jpg"), x)


def test_get_file_finds_cached_files_and_never_downloads(tmp_path):
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    (datasets / "data.txt").write_text("cached")
    path = keras.utils.get_file("data.txt", "https://example.com/data.txt", cache_dir=str(tmp_path))
    assert path == str(datasets / "data.txt")
    md5 = "1a1dc91c907325c69271ddf0c944bc72"  # of the text "pass"
    (datasets / "pass.txt").write_text("pass")
    assert keras.utils.get_file("pass.txt", "x", md5_hash=md5, cache_dir=str(tmp_path)).endswith("pass.txt")
    with pytest.raises(ValueError, match="does not match"):
        keras.utils.get_file("data.txt", "x", file_hash=md5, cache_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="minidl never downloads.*https://example.com/missing.npz"):
        keras.utils.get_file("missing.npz", "https://example.com/missing.npz", cache_dir=str(tmp_path))
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        member = tarfile.TarInfo("corpus/readme.txt")
        member.size = 5
        tar.addfile(member, io.BytesIO(b"hello"))
    (datasets / "corpus.tar.gz").write_bytes(archive.getvalue())
    unpacked = keras.utils.get_file("corpus", "x", untar=True, cache_dir=str(tmp_path))
    assert (tmp_path / "datasets" / "corpus" / "readme.txt").read_text() == "hello"
    assert unpacked == str(datasets / "corpus")
