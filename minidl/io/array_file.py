"""A small, safe container for named arrays plus JSON metadata — used by checkpoints and ``save``/``load``.

Why not pickle (or ``numpy.save`` of objects)? Unpickling runs code chosen by whoever wrote the file. This format
can only describe numbers: a JSON header names each array's dtype (bool, integer, float or complex only), shape
and byte range, and the arrays' raw bytes follow. Loading parses JSON and copies bytes; nothing is executed.

Layout::

    8 bytes   magic  b"MINIDL\\x00\\x02"
    8 bytes   header length H (little-endian unsigned)
    4 bytes   CRC-32 of the header (little-endian unsigned)
    H bytes   header, UTF-8 JSON: {"metadata": ..., "arrays": [{"name", "dtype", "shape", "offset", "nbytes",
              "crc32"}, ...], "data_bytes": N}
    N bytes   the arrays' bytes (C order), each starting at a multiple of 64

Writing to a path goes to a temporary file in the same directory, is flushed to disk, and then renamed over the
target: a crash mid-save leaves the previous file intact. (A binary file object, ``io.BytesIO`` say, is written
at its position: what happens to it is its owner's business.) A truncated or foreign file is reported, not
misread: the header and every array are under a checksum, so a damaged file is an error rather than
different numbers. (Files of the first version, ``b"MINIDL\\x00\\x01"``, had no header checksum; they are
still read.)
"""
import io
import json
import math
import operator
import os
import struct
import zlib

import numpy

from .atomic_write import write_atomically

MAGIC = b"MINIDL\x00\x02"
_MAGIC_VERSION_1 = b"MINIDL\x00\x01"
_ALIGN = 64
_ALLOWED_KINDS = "biufc"


class ArrayFileError(ValueError):
    """The file is not a minidl array file, or it is damaged (truncated, corrupted, or crafted)."""


def _padding(n):
    return (-n) % _ALIGN


def write_arrays(path, arrays, metadata=None):
    """Write ``{name: ndarray}`` and JSON-able ``metadata`` to ``path`` atomically (or to a binary file object)."""
    entries, offset = [], 0
    prepared = []
    for name, array in arrays.items():
        array = numpy.asarray(array)
        if array.dtype.kind not in _ALLOWED_KINDS:
            raise TypeError(f"cannot save array {name!r} of dtype {array.dtype}: only bool, integer, float and "
                            "complex arrays can be saved")
        data = array.tobytes(order="C")
        entries.append({"name": str(name), "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                        "nbytes": len(data), "crc32": zlib.crc32(data)})
        prepared.append(data)
        offset += len(data) + _padding(len(data))
    header = json.dumps({"metadata": metadata, "arrays": entries, "data_bytes": offset}).encode("utf-8")

    def write_to(f):
        f.write(MAGIC)
        f.write(struct.pack("<QI", len(header), zlib.crc32(header)))
        f.write(header)
        for data in prepared:
            f.write(data)
            f.write(b"\0" * _padding(len(data)))

    if hasattr(path, "write"):
        write_to(path)
        return
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"expected a path (str or os.PathLike) or a binary file object to write to, got "
                        f"{type(path).__name__}")
    if os.fsdecode(path).endswith(("/", os.sep)):
        raise IsADirectoryError(f"cannot write {os.fsdecode(path)!r}: a path ending in a separator names a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):  # (else the error would name the temporary file written first)
        raise FileNotFoundError(f"cannot write {os.fspath(path)!r}: the directory {directory!r} does not exist")
    write_atomically(path, write_to)


def read_arrays(path):
    """Return ``(arrays, metadata)`` from a file (a path or a binary file object) written by ``write_arrays``;
    never executes anything. Each array is read straight into its own memory, so loading takes about the file's
    size, and nothing larger than the file is ever allocated (a damaged header could ask for any size)."""
    if hasattr(path, "read"):
        return _read(path, getattr(path, "name", "<file object>"))
    if not isinstance(path, (str, bytes, os.PathLike)):  # (open(5) would read file descriptor 5, open(0) stdin)
        raise TypeError(f"expected a path (str or os.PathLike) or a binary file object to read from, got "
                        f"{type(path).__name__}")
    with open(path, "rb") as f:
        return _read(f, os.fsdecode(path))


def _read(f, name):
    if not (hasattr(f, "seekable") and f.seekable()):  # (a pipe: its size is known only once read)
        f = io.BytesIO(f.read())
    start = f.tell()
    size = f.seek(0, os.SEEK_END) - start
    f.seek(start)
    magic = f.read(len(MAGIC))
    if magic not in (MAGIC, _MAGIC_VERSION_1):
        raise ArrayFileError(f"{name}: not a minidl array file{_foreign_file_hint(magic + f.read(120))}")
    has_crc = magic == MAGIC
    prefix = f.read(12 if has_crc else 8)
    if len(prefix) < (12 if has_crc else 8):
        raise ArrayFileError(f"{name}: file is truncated (no header)")
    (header_len,) = struct.unpack("<Q", prefix[:8])
    left = size - len(magic) - len(prefix)
    if header_len > left:
        raise ArrayFileError(f"{name}: file is truncated (header of {header_len} bytes, {left} present)")
    raw_header = f.read(header_len)
    if has_crc and zlib.crc32(raw_header) != struct.unpack("<I", prefix[8:])[0]:
        raise ArrayFileError(f"{name}: the header is corrupted (checksum mismatch)")
    try:
        header = json.loads(raw_header.decode("utf-8"))
        entries, data_bytes = header["arrays"], int(header["data_bytes"])
        entries = sorted((_entry(e) for e in entries), key=lambda entry: entry[3])  # in the order of the data
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, SyntaxError, RecursionError) as error:
        raise ArrayFileError(f"{name}: damaged header ({type(error).__name__}: {error})") from None
    if left - header_len != data_bytes:
        raise ArrayFileError(f"{name}: file is truncated or has trailing bytes (expected {data_bytes} data bytes, "
                             f"found {left - header_len})")
    arrays, position = {}, 0
    for array_name, dtype, shape, offset, nbytes, crc in entries:
        # sizes are checked before anything is allocated: the bytes must be in the file, and not shared
        if nbytes != dtype.itemsize * math.prod(shape) or offset < position or offset + nbytes > data_bytes:
            raise ArrayFileError(f"{name}: array {array_name!r} has inconsistent size or position")
        f.seek(offset - position, os.SEEK_CUR)
        array = numpy.empty(shape, dtype)
        if f.readinto(array.reshape(-1).view(numpy.uint8)) != nbytes or zlib.crc32(array) != crc:
            raise ArrayFileError(f"{name}: array {array_name!r} is corrupted (checksum mismatch)")
        arrays[array_name], position = array, offset + nbytes
    return arrays, header.get("metadata")


def _entry(entry):
    """``(name, dtype, shape, offset, nbytes, crc32)`` of a header's entry, each of its declared type."""
    dtype = numpy.dtype(str(entry["dtype"]))
    if dtype.kind not in _ALLOWED_KINDS or dtype.hasobject or dtype.fields is not None:
        raise ValueError(f"array {entry['name']!r} has dtype {dtype}, which minidl never writes")
    shape = tuple(operator.index(d) for d in entry["shape"])
    if any(d < 0 for d in shape):
        raise ValueError(f"array {entry['name']!r} has a negative size in its shape {shape}")
    return (str(entry["name"]), dtype, shape, operator.index(entry["offset"]), operator.index(entry["nbytes"]),
            entry["crc32"])


def _foreign_file_hint(start):
    """What a file that is not minidl's seems to be, from its first bytes: words for the error."""
    if start[:1] == b"\x80":
        return " (it looks like a pickle: minidl never loads pickles)"
    if start[:4] == b"PK\x03\x04":
        first_member = start[30:30 + struct.unpack("<H", start[26:28])[0]] if len(start) >= 30 else b""
        if b".npy" in first_member:
            return (" (it is a numpy .npz archive: read it with numpy.load and copy its arrays in, "
                    "e.g. torch.from_numpy(archive[name]))")
        return (" (it is a zip archive, as PyTorch's torch.save writes: a pickle inside, which minidl never loads; "
                "save the state_dict's tensors as numpy arrays, e.g. numpy.savez, and copy them in)")
    return ""


def check_kind(metadata, kind, version, where, what):
    """Refuse a file's ``metadata`` unless it says the file is a ``kind`` file of ``version``, the check every
    reader of a typed minidl file (meta graph, GraphDef, SavedModel) makes before trusting the rest: a
    ``ValueError`` that starts with ``where`` (the function and the file) and names ``what`` the file should be."""
    if not isinstance(metadata, dict) or metadata.get("kind") != kind:
        raise ValueError(f"{where} is not a {what} written by minidl")
    if metadata.get("version") != version:
        raise ValueError(f"{where} is {what} file version {metadata.get('version')!r}; this minidl reads version "
                         f"{version}")
