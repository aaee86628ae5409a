"""The doubling scans that stand in for ``ufunc.at`` and ``ufunc.accumulate`` on cupy (which lacks multiply.at and
maximum/minimum.accumulate, and whose maximum.at/minimum.at round float64 through float32), run here on numpy
under another name, so that the scan path is taken, and compared with numpy's own. (On a GPU the op table runs
them through cupy: scatter_reduce's prod, amax and amin, cummax, cummin.)"""
import numpy as np
import pytest

from minidl.backend.scans import CUPY_ADDS, accumulate, add_at, doubling_scan, ufunc_at


class _AddLikeCupys:
    """numpy's add whose ``at`` refuses the dtypes cupy's refuses (its atomic add has no others)."""

    def __call__(self, *args, **kwargs):
        return np.add(*args, **kwargs)

    @staticmethod
    def at(out, index, values):
        if out.dtype not in CUPY_ADDS:
            raise TypeError(f"scatter_add does not support {out.dtype}")
        np.add.at(out, index, values)


class _AnotherBackend:
    """numpy's functions under another module object (``xp is numpy`` is False, as for cupy), with cupy's add."""
    add = _AddLikeCupys()

    def __getattr__(self, name):
        return getattr(np, name)


XP = _AnotherBackend()
UFUNCS = [np.multiply, np.maximum, np.minimum, np.add]


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "bool", "float32", "complex64", "complex128"])
def test_add_at_takes_every_dtype_through_one_the_backend_adds(dtype):
    """int64 as uint64 (wrapping alike), small integers and bool in int32, complex as two real parts."""
    rng = np.random.default_rng(3)
    index = np.array([0, 2, 2, 2, 4, 0])
    if dtype == "bool":
        out, values = np.zeros(5, bool), np.array([True, False, True, True, False, False])
    elif dtype.startswith("complex"):
        out = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(dtype)
        values = (rng.standard_normal(6) + 1j * rng.standard_normal(6)).astype(dtype)
    else:
        info = np.iinfo(dtype) if dtype[0] in "iu" else None
        out = np.array([info.max if info else 1.5, 0, 1, 2, 3], dtype)  # int: position 0 wraps past the top
        values = np.array([1, 5, 6, 7, 8, 2], dtype)
    expected = out.copy()
    np.add.at(expected, index, values)
    add_at(XP, out, index, values)
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(TypeError, match="does not support"):  # (the stand-in does refuse, as cupy's does)
        XP.add.at(np.zeros(2, np.int64), [0], 1)


@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.__name__)
@pytest.mark.parametrize("seed", range(6))
def test_ufunc_at_by_scan_matches_numpy(ufunc, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 5, size=rng.integers(1, 3)))
    out = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    count = int(rng.integers(0, 40))  # many values for few positions: long runs of repeats
    index = tuple(rng.integers(0, n, size=count) for n in shape)
    values = rng.uniform(0.5, 1.5, size=count)
    if count and seed % 2:
        values[0] = np.nan  # maximum and minimum carry a NaN on, as numpy's do (cupy's atomic ones skip it)
    expected = out.copy()
    with np.errstate(invalid="ignore"):
        ufunc.at(expected, index, values)
    ufunc_at(XP, ufunc, out, index, values)
    np.testing.assert_allclose(out, expected, rtol=1e-13)


def test_ufunc_at_by_scan_takes_scatter_reduces_index_and_broadcast_values():
    """scatter_reduce's form: index arrays broadcast against each other (positions along one dim, the others'
    aranges), one value broadcast to all of them."""
    out = np.arange(1.0, 7.0).reshape(2, 3)
    index = (np.array([[0, 0, 1], [1, 1, 1]]), np.arange(3)[None, :])
    expected = out.copy()
    np.multiply.at(expected, index, 2.0)
    ufunc_at(XP, np.multiply, out, index, 2.0)
    np.testing.assert_array_equal(out, expected)
    empty = out.copy()
    ufunc_at(XP, np.multiply, empty, (np.zeros(0, int), np.zeros(0, int)), 5.0)
    np.testing.assert_array_equal(empty, out)


@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.__name__)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_accumulate_by_scan_matches_numpy(ufunc, axis):
    rng = np.random.default_rng(axis + 7)
    x = rng.standard_normal((5, 9, 2))
    x[2, 3, 1] = np.nan
    np.testing.assert_allclose(accumulate(XP, ufunc, x, axis), ufunc.accumulate(x, axis), rtol=1e-13)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 16, 17])
def test_segmented_scan_restarts_at_each_segment(n):
    segments = np.sort(np.random.default_rng(n).integers(0, 4, size=n))
    values = np.arange(1.0, n + 1)
    expected = np.concatenate([np.cumsum(values[segments == s]) for s in np.unique(segments)] or [np.zeros(0)])
    np.testing.assert_array_equal(doubling_scan(np, np.add, values, segments=segments), expected)
