"""Reading MNIST-style IDX files that you downloaded yourself (minidl never downloads anything).

The IDX format (Y. LeCun's, used by MNIST, Fashion-MNIST, EMNIST, KMNIST) is a header followed by raw numbers,
all big-endian ("most significant byte first"):

    bytes 0-1   0x00 0x00
    byte  2     the type of the numbers: 0x08 unsigned byte, 0x09 signed byte, 0x0B short (2 bytes),
                0x0C int (4 bytes), 0x0D float (4 bytes), 0x0E double (8 bytes)
    byte  3     the number of dimensions, n
    then        n sizes, each a 4-byte unsigned int
    then        the numbers themselves, in C (row-major) order

So MNIST's label files start with the *magic number* 0x00000801 (unsigned bytes, 1 dimension: the labels) and its
image files with 0x00000803 (unsigned bytes, 3 dimensions: count x 28 x 28).

The files are usually distributed gzip-compressed (``train-images-idx3-ubyte.gz``). ``read_idx`` looks at the
first bytes, not the file name, to decide whether to decompress: browsers often unpack a download but keep its
``.gz`` name, and that is a classic source of confusing errors.

>>> images, labels = load_mnist("~/data/mnist", kind="train")      # doctest: +SKIP
>>> images.shape, images.dtype, labels.shape, labels.dtype          # doctest: +SKIP
((60000, 28, 28), dtype('uint8'), (60000,), dtype('int64'))
"""
import gzip
import math
import os
import struct
import zlib

import numpy

__all__ = ["read_idx", "load_mnist"]

#: IDX type code -> (name, big-endian numpy dtype)
IDX_TYPES = {
    0x08: ("unsigned byte", ">u1"),
    0x09: ("signed byte", ">i1"),
    0x0B: ("short", ">i2"),
    0x0C: ("int", ">i4"),
    0x0D: ("float", ">f4"),
    0x0E: ("double", ">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """The array stored in the IDX file at ``path`` (gzip-compressed or not), in native byte order.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` — naming the file and what is wrong — for
    a file that is not IDX (wrong magic number), uses an unknown type code, or is truncated or too long. Only as
    many bytes as the header announces (and one more) are read: a small compressed file cannot unpack into more.
    """
    path = os.path.expanduser(os.fspath(path))
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
    try:
        with (gzip.open if compressed else open)(path, "rb") as stream:
            raw = stream.read(4)
            raw += stream.read(4 * raw[3] if len(raw) == 4 else 0)
            raw += _read_at_most(stream, _data_size(raw) + 1)  # one byte more tells a file that is too long
    except (OSError, EOFError, zlib.error) as error:
        if not compressed:
            raise
        raise ValueError(f"{path}: corrupt or truncated gzip file ({error})") from None
    return parse_idx(raw, path)


def _read_at_most(stream, n):
    """Up to ``n`` bytes of ``stream``, in pieces: a header may announce more than the file holds, and a read of
    that size would allocate it all first."""
    pieces = []
    while n > 0:
        piece = stream.read(min(n, 1 << 24))
        if not piece:
            break
        pieces.append(piece)
        n -= len(piece)
    return b"".join(pieces)


def _data_size(header):
    """The number of data bytes an IDX ``header`` announces (0 for one too damaged to say: ``parse_idx`` tells)."""
    if len(header) < 4 or header[2] not in IDX_TYPES or len(header) < 4 + 4 * header[3]:
        return 0
    shape = struct.unpack(f">{header[3]}I", header[4:4 + 4 * header[3]])
    return numpy.dtype(IDX_TYPES[header[2]][1]).itemsize * math.prod(shape)


def parse_idx(raw, name="<bytes>"):
    """The array encoded by the IDX bytes ``raw`` (see the module docstring); ``name`` is used in errors."""
    if len(raw) < 4:
        raise ValueError(f"{name}: truncated IDX file: {len(raw)} bytes, too short for the 4-byte magic number")
    magic = int.from_bytes(raw[:4], "big")
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00":
        raise ValueError(f"{name}: not an IDX file: magic number 0x{magic:08X} does not start with two zero bytes "
                         f"(MNIST files start with 0x00000801 for labels or 0x00000803 for images)")
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({n})" for c, (n, _) in IDX_TYPES.items())
        raise ValueError(f"{name}: unknown IDX data type code 0x{code:02X} in magic number 0x{magic:08X}; "
                         f"known codes: {known}")
    if ndim > _MAX_DIMS:
        raise ValueError(f"{name}: the header announces {ndim} dimensions; arrays have at most {_MAX_DIMS}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name}: truncated IDX file: the header announces {ndim} dimensions ({header} bytes) "
                         f"but the file has only {len(raw)} bytes")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = numpy.dtype(IDX_TYPES[code][1])
    expected = _data_size(raw[:header])  # (a Python int: a product of four 65536s must not wrap around to 0)
    found = len(raw) - header
    if found < expected:
        raise ValueError(f"{name}: truncated IDX file: shape {shape} of {IDX_TYPES[code][0]}s needs {expected} "
                         f"bytes of data, found {found}")
    if found > expected:
        raise ValueError(f"{name}: unexpected bytes after the {expected} bytes of data of shape {shape}; "
                         "is this really an IDX file?")
    data = numpy.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return data.astype(dtype.newbyteorder("=")).reshape(shape)   # a native-order, writable copy


_MAX_DIMS = 64  # numpy's limit on an array's dimensions


_KINDS = {"train": "train", "t10k": "t10k", "test": "t10k"}


def _candidates(kind, part, idx_ndim):
    """The usual names of an MNIST file: ``train-images-idx3-ubyte`` (and ``train-images.idx3-ubyte``, as some
    mirrors spell it), each also with ``.gz``."""
    names = [f"{kind}-{part}-idx{idx_ndim}-ubyte", f"{kind}-{part}.idx{idx_ndim}-ubyte"]
    return [n + ext for n in names for ext in ("", ".gz")]


def find_mnist_file(directory, kind, part):
    """The path of the ``part`` ("images" or "labels") file of ``kind`` in ``directory``, or None."""
    kind = _canonical_kind(kind)
    directory = os.path.expanduser(os.fspath(directory))
    for name in _candidates(kind, part, 3 if part == "images" else 1):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def _canonical_kind(kind):
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"kind must be 'train' or 't10k' (alias 'test'), got {kind!r}") from None


def load_mnist(directory, kind="train"):
    """MNIST-style images and labels from the IDX files in ``directory``.

    Args:
        directory: a folder holding ``{kind}-images-idx3-ubyte[.gz]`` and ``{kind}-labels-idx1-ubyte[.gz]``
            (the names of the MNIST and Fashion-MNIST distributions).
        kind: ``"train"`` or ``"t10k"`` (``"test"`` is accepted for the latter).

    Returns:
        ``(images, labels)``: uint8 array (n, rows, cols) with pixels 0..255, and int64 array (n,).
    """
    kind = _canonical_kind(kind)
    arrays = []
    for part, ndim in (("images", 3), ("labels", 1)):
        path = find_mnist_file(directory, kind, part)
        if path is None:
            raise FileNotFoundError(
                f"No MNIST {part} file for kind '{kind}' in {directory}: looked for "
                f"{', '.join(_candidates(kind, part, ndim))}. minidl never downloads data: get the IDX files "
                "yourself and put them in that folder.")
        array = read_idx(path)
        if array.ndim != ndim or array.dtype != numpy.uint8:
            raise ValueError(f"{path}: expected {ndim}-dimensional unsigned bytes (magic number 0x0000080{ndim}), "
                             f"found a {array.ndim}-dimensional array of {array.dtype}")
        arrays.append(array)
    images, labels = arrays
    if len(images) != len(labels):
        raise ValueError(f"{directory}: {len(images)} images but {len(labels)} labels for kind '{kind}'")
    return images, labels.astype(numpy.int64)
