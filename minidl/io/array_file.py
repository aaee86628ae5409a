"""A small, safe container for named arrays plus JSON metadata — used by checkpoints and ``save``/``load``.

Why not pickle (or ``numpy.save`` of objects)? Unpickling runs code chosen by whoever wrote the file. This format
can only describe numbers: a JSON header names each array's dtype (bool, integer, float or complex only), shape
and byte range, and the arrays' raw bytes follow. Loading parses JSON and copies bytes; nothing is executed.

Layout::

    8 bytes   magic  b"MINIDL\\x00\\x01"
    8 bytes   header length H (little-endian unsigned)
    H bytes   header, UTF-8 JSON: {"metadata": ..., "arrays": [{"name", "dtype", "shape", "offset", "nbytes",
              "crc32"}, ...], "data_bytes": N}
    N bytes   the arrays' bytes (C order), each starting at a multiple of 64

Writing to a path goes to a temporary file in the same directory, is flushed to disk, and then renamed over the
target: a crash mid-save leaves the previous file intact. (A binary file object, ``io.BytesIO`` say, is written
at its position: what happens to it is its owner's business.) A truncated or foreign file is reported, not
misread.
"""
import json
import os
import struct
import zlib

import numpy

from .atomic_write import write_atomically

MAGIC = b"MINIDL\x00\x01"
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
        f.write(struct.pack("<Q", len(header)))
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
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):  # (else the error would name the temporary file written first)
        raise FileNotFoundError(f"cannot write {os.fspath(path)!r}: the directory {directory!r} does not exist")
    write_atomically(path, write_to)


def read_arrays(path):
    """Return ``(arrays, metadata)`` from a file (a path or a binary file object) written by ``write_arrays``;
    never executes anything."""
    if hasattr(path, "read"):
        blob, path = path.read(), getattr(path, "name", "<file object>")
    else:
        if not isinstance(path, (str, bytes, os.PathLike)):  # (open(5) would read file descriptor 5, open(0) stdin)
            raise TypeError(f"expected a path (str or os.PathLike) or a binary file object to read from, got "
                            f"{type(path).__name__}")
        with open(path, "rb") as f:
            blob = f.read()
    if blob[:len(MAGIC)] != MAGIC:
        hint = " (it looks like a pickle: minidl never loads pickles)" if blob[:1] == b"\x80" else \
            " (it is a zip archive, as PyTorch's torch.save writes: a pickle inside, which minidl never loads; save " \
            "the state_dict's tensors as numpy arrays, e.g. numpy.savez, and copy them in)" \
            if blob[:4] == b"PK\x03\x04" else ""
        raise ArrayFileError(f"{path}: not a minidl array file{hint}")
    if len(blob) < len(MAGIC) + 8:
        raise ArrayFileError(f"{path}: file is truncated (no header)")
    (header_len,) = struct.unpack("<Q", blob[len(MAGIC):len(MAGIC) + 8])
    start = len(MAGIC) + 8
    if header_len > len(blob) - start:
        raise ArrayFileError(f"{path}: file is truncated (header of {header_len} bytes, {len(blob) - start} present)")
    try:
        header = json.loads(blob[start:start + header_len].decode("utf-8"))
        entries, data_bytes = header["arrays"], int(header["data_bytes"])
    except (ValueError, KeyError, TypeError) as error:
        raise ArrayFileError(f"{path}: damaged header ({error})") from None
    data_start = start + header_len
    if len(blob) - data_start != data_bytes:
        raise ArrayFileError(f"{path}: file is truncated or has trailing bytes (expected {data_bytes} data bytes, "
                             f"found {len(blob) - data_start})")
    arrays = {}
    for entry in entries:
        arrays[entry["name"]] = _read_entry(path, blob, data_start, data_bytes, entry)
    return arrays, header.get("metadata")


def _read_entry(path, blob, data_start, data_bytes, entry):
    try:
        dtype = numpy.dtype(entry["dtype"])
        shape = tuple(int(d) for d in entry["shape"])
        offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
    except (KeyError, TypeError, ValueError) as error:
        raise ArrayFileError(f"{path}: damaged entry {entry!r} ({error})") from None
    if dtype.kind not in _ALLOWED_KINDS or dtype.hasobject:
        raise ArrayFileError(f"{path}: array {entry.get('name')!r} has dtype {dtype}, which minidl never writes")
    expected = dtype.itemsize * int(numpy.prod(shape, dtype=numpy.int64))
    if nbytes != expected or offset < 0 or offset + nbytes > data_bytes or any(d < 0 for d in shape):
        raise ArrayFileError(f"{path}: array {entry.get('name')!r} has inconsistent size or position")
    data = blob[data_start + offset:data_start + offset + nbytes]
    if zlib.crc32(data) != entry.get("crc32"):
        raise ArrayFileError(f"{path}: array {entry.get('name')!r} is corrupted (checksum mismatch)")
    return numpy.frombuffer(data, dtype=dtype).reshape(shape).copy()


def check_kind(metadata, kind, version, where, what):
    """Refuse a file's ``metadata`` unless it says the file is a ``kind`` file of ``version``, the check every
    reader of a typed minidl file (meta graph, GraphDef, SavedModel) makes before trusting the rest: a
    ``ValueError`` that starts with ``where`` (the function and the file) and names ``what`` the file should be."""
    if not isinstance(metadata, dict) or metadata.get("kind") != kind:
        raise ValueError(f"{where} is not a {what} written by minidl")
    if metadata.get("version") != version:
        raise ValueError(f"{where} is {what} file version {metadata.get('version')!r}; this minidl reads version "
                         f"{version}")
