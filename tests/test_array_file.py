"""The safe array container: round trips, atomic writes, and refusing pickles, truncation and tampering."""
import os
import pickle
import struct

import numpy as np
import pytest

from minidl.io import ArrayFileError, read_arrays, write_arrays


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
    blob[16 + header_len + 3] ^= 0xFF  # a byte of the first array
    path.write_bytes(bytes(blob))
    with pytest.raises(ArrayFileError, match="checksum"):
        read_arrays(path)
    path.write_bytes(path.read_bytes().replace(b'"<f8"', b'"|O8"'))
    with pytest.raises(ArrayFileError, match="never writes"):
        read_arrays(path)


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
