"""MNIST IDX files: small files written here (raw and gzip), every type code, and the errors for bad files."""
import gzip
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

from minidl.datasets import MNIST, load_mnist, read_idx
from minidl.datasets.mnist import parse_idx

CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array, code=None):
    """The IDX encoding of ``array``, written out by hand (not with minidl's reader's helpers)."""
    array = np.asarray(array)
    code = CODES[array.dtype.type] if code is None else code
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, data, compress=False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("dtype", list(CODES))
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_every_type_code(tmp_path, dtype, compress):
    base = np.arange(24).reshape(2, 3, 4)
    array = (base if dtype == np.uint8 else base * (-1) ** base).astype(dtype)
    got = read_idx(write(tmp_path / "x.idx", idx_bytes(array), compress))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative and got.flags.writeable
    np.testing.assert_array_equal(got, array)


def test_labels_magic_and_fractional_floats(tmp_path):
    labels = np.array([5, 0, 4, 1, 9], np.uint8)
    data = idx_bytes(labels)
    assert data[:4] == b"\x00\x00\x08\x01"   # the MNIST label magic number 0x00000801
    np.testing.assert_array_equal(read_idx(write(tmp_path / "l", data)), labels)
    floats = np.array([[0.25, -1.5e-3]], np.float32)
    np.testing.assert_array_equal(parse_idx(idx_bytes(floats)), floats)
    assert parse_idx(idx_bytes(np.zeros((0, 28, 28), np.uint8))).shape == (0, 28, 28)


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    images = np.arange(8, dtype=np.uint8).reshape(2, 2, 2)
    plain_named_gz = write(tmp_path / "a.gz", idx_bytes(images))   # a browser unpacked it but kept the name
    gz_named_plain = write(tmp_path / "b", idx_bytes(images), compress=True)
    np.testing.assert_array_equal(read_idx(plain_named_gz), images)
    np.testing.assert_array_equal(read_idx(gz_named_plain), images)
    assert read_idx(str(gz_named_plain)).shape == (2, 2, 2)   # str paths too


def test_bad_files(tmp_path):
    good = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))
    cases = {
        "magic": (b"\x12\x34" + good[2:], r"not an IDX file: magic number 0x12340802"),
        "code": (b"\x00\x00\x07\x02" + good[4:], r"unknown IDX data type code 0x07"),
        "short": (b"\x00\x00", r"truncated IDX file: 2 bytes"),
        "header": (good[:9], r"announces 2 dimensions \(12 bytes\) but the file has only 9"),
        "data": (good[:-1], r"needs 12 bytes of data, found 11"),
        "extra": (good + b"\x00", r"unexpected bytes after the 12 bytes of data of shape \(3, 4\)"),
    }
    for name, (data, message) in cases.items():
        path = write(tmp_path / name, data)
        with pytest.raises(ValueError, match=message) as info:
            read_idx(path)
        assert str(path) in str(info.value)   # the error names the file
    truncated_gzip = write(tmp_path / "t.gz", gzip.compress(good)[:-6])
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        read_idx(truncated_gzip)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing")


def make_mnist(folder, kind="train", n=5, compress=True, dotted=False, labels=None):
    """A tiny MNIST folder: n images of 4x4 with pixel values i*10 and labels i % 10."""
    folder.mkdir(parents=True, exist_ok=True)
    images = (np.arange(n)[:, None, None] * 10 + np.zeros((1, 4, 4))).astype(np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8) if labels is None else labels
    sep = "." if dotted else "-"
    ext = ".gz" if compress else ""
    write(folder / f"{kind}-images{sep}idx3-ubyte{ext}", idx_bytes(images), compress)
    write(folder / f"{kind}-labels{sep}idx1-ubyte{ext}", idx_bytes(labels), compress)
    return images, labels


@pytest.mark.parametrize("compress, dotted", [(True, False), (False, False), (False, True)])
def test_load_mnist(tmp_path, compress, dotted):
    images, labels = make_mnist(tmp_path, "train", compress=compress, dotted=dotted)
    make_mnist(tmp_path, "t10k", n=3, compress=compress, dotted=dotted)
    x, y = load_mnist(tmp_path)
    assert x.dtype == np.uint8 and x.shape == (5, 4, 4) and y.dtype == np.int64
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, labels)
    assert load_mnist(tmp_path, kind="test")[0].shape == (3, 4, 4) == load_mnist(tmp_path, "t10k")[0].shape


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz.*never downloads"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="kind must be"):
        load_mnist(tmp_path, kind="validation")
    make_mnist(tmp_path / "count", labels=np.arange(4, dtype=np.uint8))
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        load_mnist(tmp_path / "count")
    make_mnist(tmp_path / "type", labels=np.arange(5, dtype=np.int32))
    with pytest.raises(ValueError, match="expected 1-dimensional unsigned bytes \\(magic number 0x00000801\\)"):
        load_mnist(tmp_path / "type")


def test_mnist_dataset(tmp_path):
    make_mnist(tmp_path / "MNIST" / "raw", "train")   # torchvision's layout is found too
    make_mnist(tmp_path / "MNIST" / "raw", "t10k", n=2)
    train = MNIST(tmp_path, train=True)
    assert len(train) == 5 and train.data.shape == (5, 4, 4) and train.targets.tolist() == [0, 1, 2, 3, 4]
    image, label = train[3]
    assert image.dtype == np.uint8 and image.shape == (4, 4) and image[0, 0] == 30 and label == 3
    assert isinstance(label, int)
    image[:] = 0   # samples are copies
    assert train.data[3, 0, 0] == 30
    test = MNIST(str(tmp_path), train=False, transform=lambda im: im.astype(np.float32) / 255,
                 target_transform=lambda t: t + 100)
    image, label = test[1]
    assert len(test) == 2 and image.dtype == np.float32 and image[0, 0] == pytest.approx(10 / 255)
    assert label == 101
    assert "Number of datapoints: 2" in repr(test) and "Split: Test" in repr(test)
    with pytest.raises(RuntimeError, match="never downloads"):
        MNIST(tmp_path / "empty", download=True)
    with pytest.raises(FileNotFoundError):
        MNIST(tmp_path / "empty")


def test_a_header_announcing_absurd_sizes_is_a_clear_error(tmp_path):
    """Sizes whose product wraps int64 around to 0, more dims than an array can have, and a small compressed
    file that would unpack into half a gigabyte: each a ValueError naming the file, read no further than the
    header announces."""
    cases = {
        "wrap": (struct.pack(">I4I", 0x804, 65536, 65536, 65536, 65536), r"needs 18446744073709551616 bytes of data, found 0"),
        "dims": (struct.pack(">I", 0x8FF) + struct.pack(">255I", *[1] * 255) + b"x", r"255 dimensions; arrays have "
                                                                                      r"at most 64"),
    }
    for name, (data, message) in cases.items():
        with pytest.raises(ValueError, match=message) as info:
            read_idx(write(tmp_path / name, data))
        assert str(tmp_path / name) in str(info.value)
    bomb = tmp_path / "train-labels-idx1-ubyte.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(bomb, "wb") as f:
        f.write(compressor.compress(struct.pack(">II", 0x801, 1) + b"\x07"))  # one label, then 64 MB of zeros
        for _ in range(4):
            f.write(compressor.compress(bytes(2 ** 24)))
        f.write(compressor.flush())
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="unexpected bytes after the 1 bytes of data"):
            read_idx(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 20, f"{peak} bytes allocated to reject a 1-label file"
