"""The safe array container: round trips, atomic writes, and refusing pickles, truncation and tampering."""
import io
import json
import os
import pickle
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

from minidl.io import ArrayFileError, read_arrays, write_arrays

MAGIC = b"MINIDL\x00\x02"      # the format's layout, as the module's docstring gives it
VERSION_1 = b"MINIDL\x00\x01"  # the first version's magic: its header had no checksum


def crafted(header, data=b"", magic=MAGIC):
    """The bytes of an array file with this JSON ``header`` (a dict, or raw bytes) and data: what a damaged or
    malicious writer could produce, its header's checksum made to match (the checksum is no defence against
    crafting, only against damage)."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    length = struct.pack("<QI", len(raw), zlib.crc32(raw)) if magic == MAGIC else struct.pack("<Q", len(raw))
    return magic + length + raw + data


def test_round_trip_keeps_values_dtypes_shapes_and_metadata(tmp_path):
    path = tmp_path / "a.mdl"
    arrays = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "mask": np.array([True, False]),
              "z": np.array([1 + 2j], dtype=np.complex64), "empty": np.zeros((0, 4)), "scalar": np.array(3, np.int64)}
    write_arrays(path, arrays, {"step": 7, "names": ["w"]})
    loaded, meta = read_arrays(path)
    assert meta == {"step": 7, "names": ["w"]} and set(loaded) == set(arrays)
    for k, v in arrays.items():
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape and np.array_equal(loaded[k], v)


def test_object_arrays_cannot_be_saved(tmp_path):
    with pytest.raises(TypeError, match="only bool, integer, float and complex"):
        write_arrays(tmp_path / "x", {"o": np.array([object()])})


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_a_pickle_is_refused_without_being_executed(tmp_path, monkeypatch):
    path = tmp_path / "evil.mdl"
    path.write_bytes(pickle.dumps(Exploit()))
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    with pytest.raises(ArrayFileError, match="looks like a pickle"):
        read_arrays(path)
    assert calls == []


def test_truncated_files_are_detected(tmp_path):
    path = tmp_path / "t.mdl"
    write_arrays(path, {"w": np.ones(1000)})
    blob = path.read_bytes()
    for cut in (4, 12, len(blob) // 2, len(blob) - 1):
        path.write_bytes(blob[:cut])
        with pytest.raises(ArrayFileError, match="truncated|not a minidl"):
            read_arrays(path)


def test_tampered_bytes_and_dtypes_are_detected(tmp_path):
    path = tmp_path / "c.mdl"
    write_arrays(path, {"w": np.ones(10)})
    blob = bytearray(path.read_bytes())
    (header_len,) = struct.unpack("<Q", blob[8:16])
    blob[20 + header_len + 3] ^= 0xFF  # a byte of the first array
    path.write_bytes(bytes(blob))
    with pytest.raises(ArrayFileError, match="array 'w' is corrupted"):
        read_arrays(path)
    path.write_bytes(path.read_bytes().replace(b'"<f8"', b'"|O8"'))  # a byte of the header
    with pytest.raises(ArrayFileError, match="header is corrupted"):
        read_arrays(path)


def test_one_flipped_bit_anywhere_in_the_header_is_an_error_not_other_numbers(tmp_path):
    """The header says which array is which and holds the metadata: a bit flipped there ("t1" read as "t0", 0.1
    read as 0.9) would load other numbers silently, so it is under a checksum as the arrays are."""
    path = tmp_path / "h.mdl"
    write_arrays(path, {"t0": np.ones(3), "t1": np.zeros(3)}, {"lr": 0.1})
    blob = path.read_bytes()
    (header_len,) = struct.unpack("<Q", blob[8:16])
    for position in range(20, 20 + header_len):
        damaged = bytearray(blob)
        damaged[position] ^= 1 << (position % 8)
        path.write_bytes(bytes(damaged))
        with pytest.raises(ArrayFileError, match=f"{path}: the header is corrupted"):
            read_arrays(path)


GOOD_ENTRY = {"name": "w", "dtype": "<f4", "shape": [4], "offset": 0, "nbytes": 16, "crc32": zlib.crc32(bytes(16))}
DATA = bytes(16) + bytes(48)  # one float32 array of 4 zeros, padded to 64 bytes


@pytest.mark.parametrize("header, data", [
    pytest.param({"arrays": [dict(GOOD_ENTRY, dtype=",f4")], "data_bytes": 64}, DATA, id="dtype-numpy-cannot-parse"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, dtype="|O8")], "data_bytes": 64}, DATA, id="object-dtype"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, dtype=[["a", "<f4"]])], "data_bytes": 64}, DATA, id="record-dtype"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, shape=[2 ** 32, 2 ** 32], nbytes=0, crc32=0)], "data_bytes": 0}, b"",
                 id="size-wrapping-int64-to-0"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, shape=[10 ** 20])], "data_bytes": 64}, DATA, id="size-past-int64"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, shape=[-4])], "data_bytes": 64}, DATA, id="negative-size"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, shape=[4.5])], "data_bytes": 64}, DATA, id="fractional-size"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, offset=-16)], "data_bytes": 64}, DATA, id="negative-offset"),
    pytest.param({"arrays": [dict(GOOD_ENTRY, offset=60)], "data_bytes": 64}, DATA, id="past-the-data"),
    pytest.param({"arrays": [GOOD_ENTRY, dict(GOOD_ENTRY, name="v", offset=8)], "data_bytes": 64}, DATA,
                 id="overlapping-arrays"),
    pytest.param({"arrays": [{k: v for k, v in GOOD_ENTRY.items() if k != "name"}], "data_bytes": 64}, DATA,
                 id="entry-without-name"),
    pytest.param({"arrays": 5, "data_bytes": 64}, DATA, id="arrays-not-a-list"),
    pytest.param({"arrays": [], "data_bytes": float("inf")}, b"", id="infinite-data-size"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, b"", id="nesting-deeper-than-recursion"),
    pytest.param(b"\xff\xfe not JSON", b"", id="not-utf8"),
])
@pytest.mark.parametrize("magic", [MAGIC, VERSION_1], ids=["version2", "version1"])
def test_a_crafted_header_is_a_clear_error_naming_the_file(tmp_path, header, data, magic):
    """Whatever a header declares — dtypes numpy cannot parse, sizes that overflow int64, entries out of place,
    nesting deeper than the JSON parser recurses — loading says the file is damaged, naming it, and allocates
    nothing larger than the file."""
    path = tmp_path / "crafted.mdl"
    path.write_bytes(crafted(header, data, magic))
    with pytest.raises(ArrayFileError, match=f"^{path}: "):
        read_arrays(path)


def test_files_of_the_first_version_without_a_header_checksum_are_still_read(tmp_path):
    header = {"metadata": {"step": 3}, "arrays": [dict(GOOD_ENTRY, crc32=zlib.crc32(np.arange(4.0, dtype="<f4")))],
              "data_bytes": 64}
    path = tmp_path / "old.mdl"
    path.write_bytes(crafted(header, np.arange(4.0, dtype="<f4").tobytes() + bytes(48), magic=VERSION_1))
    arrays, metadata = read_arrays(path)
    assert arrays["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and metadata == {"step": 3}


def test_reading_takes_about_the_files_size_in_memory(tmp_path):
    """Each array is read straight into its own memory: no copy of the whole file beside the arrays."""
    path = tmp_path / "big.mdl"
    write_arrays(path, {"a": np.ones(2_000_000), "b": np.zeros(1_000_000)})  # 24 MB
    tracemalloc.start()
    try:
        arrays, _ = read_arrays(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert arrays["a"].sum() == 2_000_000 and peak < 1.1 * os.path.getsize(path)


def test_a_stream_that_cannot_seek_is_read_too():
    buffer = io.BytesIO()
    write_arrays(buffer, {"w": np.arange(3)})

    class Pipe:
        read = io.BytesIO(buffer.getvalue()).read
    arrays, _ = read_arrays(Pipe())
    assert arrays["w"].tolist() == [0, 1, 2]


def test_a_numpy_archive_is_named_as_one(tmp_path):
    np.savez(tmp_path / "weights.npz", w=np.ones(2))
    with pytest.raises(ArrayFileError, match="numpy .npz archive: read it with numpy.load"):
        read_arrays(tmp_path / "weights.npz")


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "keep.mdl"
    write_arrays(path, {"w": np.ones(3)})
    with pytest.raises(TypeError):
        write_arrays(path, {"ok": np.ones(2), "bad": np.array(["s"], dtype=object)})
    loaded, _ = read_arrays(path)
    assert loaded["w"].tolist() == [1.0, 1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.mdl"], "no temporary file may be left behind"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_written_file_gets_the_mode_of_any_new_file(tmp_path, umask):
    """The temporary file is private while being written; the result is readable as the umask allows (a
    checkpoint is read by other processes), like a file opened for writing."""
    previous = os.umask(umask)
    try:
        write_arrays(tmp_path / "model.mdl", {"w": np.ones(2)})
        with open(tmp_path / "plain", "wb"):
            pass
    finally:
        os.umask(previous)
    assert os.stat(tmp_path / "model.mdl").st_mode & 0o777 == os.stat(tmp_path / "plain").st_mode & 0o777 \
        == 0o666 & ~umask


def test_a_path_ending_in_a_separator_is_refused_not_written_as_a_file(tmp_path):
    with pytest.raises(IsADirectoryError, match="names a directory"):
        write_arrays(f"{tmp_path}/weights/", {"w": np.ones(2)})
    assert list(tmp_path.iterdir()) == []
