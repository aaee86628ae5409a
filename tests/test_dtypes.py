"""PyTorch's type promotion, dtype defaults, and dtype errors."""
import numpy as np
import pytest

import minidl
import minidl.eager as T
from minidl.backend import dtypes

D = dtypes


@pytest.mark.parametrize("a, b, expected", [
    (D.float32, D.float32, D.float32),
    (D.int64, D.float32, D.float32),      # numpy would say float64
    (D.int32, D.int64, D.int64),
    (D.bool_, D.int32, D.int32),
    (D.uint8, D.int8, D.int16),
    (D.float32, D.float64, D.float64),
    (D.complex64, D.float64, D.complex128),
    (D.complex64, D.float32, D.complex64),
    (D.float16, D.int64, D.float16),
])
def test_promote_types(a, b, expected):
    assert D.promote_types(a, b) == expected
    assert D.promote_types(b, a) == expected


@pytest.mark.parametrize("make, expected", [
    (lambda: T.ones(2) * 2.5, D.float32),                                  # a Python float does not upcast
    (lambda: T.ones(2, dtype=T.int64) * 2.5, D.float32),                    # int tensor * float -> default float
    (lambda: T.ones(2, dtype=T.int32) + 7, D.int32),                        # int scalar keeps the int tensor's type
    (lambda: T.ones(2, dtype=T.bool) + 1, D.int64),
    (lambda: T.ones(2) + T.tensor(1.0, dtype=T.float64), D.float32),        # 0-d tensors don't upcast either
    (lambda: T.ones(2, dtype=T.int64) + T.tensor(1.5, dtype=T.float64), D.float64),  # ... unless a higher category
    (lambda: T.ones(2) * 1j, D.complex64),
    (lambda: T.ones(2, dtype=T.float64) * T.ones(2), D.float64),
    (lambda: T.tensor([1, 2]) / 2, D.float32),                               # true division of ints is float
    (lambda: T.tensor([1, 2]) // 2, D.int64),
])
def test_result_dtypes(make, expected):
    assert make().dtype == expected


def test_python_data_dtypes_follow_pytorch():
    assert T.tensor([1.5, 2]).dtype == T.float32
    assert T.tensor([1, 2]).dtype == T.int64
    assert T.tensor([True]).dtype == T.bool
    assert T.tensor(np.zeros(2)).dtype == T.float64     # numpy arrays keep their dtype
    assert T.tensor(np.float64(1.0)).dtype == T.float64
    assert T.tensor([1 + 2j]).dtype == T.complex64
    assert T.arange(5).dtype == T.int64 and T.arange(0, 1, 0.5).dtype == T.float32
    assert T.full((2,), 3).dtype == T.int64 and T.full((2,), 3.0).dtype == T.float32


def test_set_default_dtype_restores():
    try:
        minidl.set_default_dtype(minidl.float64)
        assert T.tensor([1.0]).dtype == T.float64
        assert (T.ones(2, dtype=T.int64) * 0.5).dtype == T.float64
    finally:
        minidl.set_default_dtype(minidl.float32)
    assert T.zeros(1).dtype == T.float32


def test_in_place_cannot_demote_category():
    x = T.ones(2, dtype=T.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        x.add_(1.5)
    y = T.ones(2)
    y.add_(T.ones(2, dtype=T.int64))   # int into float is fine
    assert y.dtype == T.float32 and y.tolist() == [2.0, 2.0]


def test_only_float_and_complex_require_grad():
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype"):
        T.tensor([1, 2], requires_grad=True)


def test_unsupported_data_is_a_clear_error():
    with pytest.raises(TypeError, match="can't convert data of numpy dtype"):
        T.tensor(np.array(["a", "b"]))


def test_agrees_with_pytorch_where_installed():
    torch = pytest.importorskip("torch")
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
             "complex128"]
    for a in names:
        for b in names:
            ours = D.promote_types(np.dtype(a), np.dtype(b))
            theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert str(theirs) == f"torch.{ours.name}", (a, b)
