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
    for extended in (np.array([1.0], np.longdouble), np.array([1j], np.clongdouble)):  # (no PyTorch dtype)
        with pytest.raises(TypeError, match="can't convert a numpy array of type numpy"):
            T.tensor(extended)
        with pytest.raises(TypeError, match="can't convert a numpy array of type numpy"):
            T.from_numpy(extended)
    with pytest.raises(TypeError, match="Could not infer dtype of NoneType"):
        T.tensor([1.0, None])


def test_agrees_with_pytorch_where_installed():
    torch = pytest.importorskip("torch")
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
             "complex128"]
    for a in names:
        for b in names:
            ours = D.promote_types(np.dtype(a), np.dtype(b))
            theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert str(theirs) == f"torch.{ours.name}", (a, b)


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


# Each case runs on minidl and, where installed, on PyTorch; the expected values are PyTorch 2.13's.
SCALAR_AND_ALPHA_CASES = [
    # a number beside an integer tensor keeps its value when the op computes in floats (it is not wrapped first)
    (lambda L: L.tensor([3, 1], dtype=L.uint8) / -2, [-1.5, -0.5], "float32"),
    (lambda L: -2 / L.tensor([4, 1], dtype=L.uint8), [-0.5, -2.0], "float32"),
    (lambda L: L.tensor([100, -7], dtype=L.int32) / 2 ** 40, [100 / 2 ** 40, -7 / 2 ** 40], "float32"),
    (lambda L: L.copysign(L.tensor([3], dtype=L.uint8), -2), [-3.0], "float32"),
    # alpha and value scale in the result dtype, after promotion
    (lambda L: L.sub(L.tensor([5.0]), L.tensor([254], dtype=L.uint8), alpha=2), [-503.0], "float32"),
    (lambda L: L.add(L.tensor([-7], dtype=L.int16), L.tensor([2], dtype=L.uint8), alpha=-3), [-13], "int16"),
    (lambda L: L.addcmul(L.tensor([1.0]), L.tensor([254], dtype=L.uint8), L.tensor([254], dtype=L.uint8)),
     [64517.0], "float32"),
    (lambda L: L.addcmul(*[L.tensor([1, 2], dtype=L.int32)] * 3, value=2.5), [3, 10], "int32"),
    (lambda L: L.add(L.tensor([True, False]), L.tensor([True, True]), alpha=2), [True, True], "bool"),
    (lambda L: L.tensor([-7.5]).add_(L.tensor([2], dtype=L.uint8), alpha=-3), [-13.5], "float32"),
    # in place on integers: numbers out of range wrap, negative powers follow the rules of the op
    (lambda L: L.tensor([3], dtype=L.uint8).add_(-2), [1], "uint8"),
    (lambda L: L.tensor([3], dtype=L.int8).mul_(300), [-124], "int8"),
    (lambda L: L.tensor([2, 1]).pow_(L.tensor([-1, -3])), [0, 1], "int64"),
    (lambda L: L.tensor([3, 4], dtype=L.uint8).masked_fill(L.tensor([True, False]), -2), [254, 4], "uint8"),
    # narrow integer results of reductions keep their dtype (and wrap); float16 accumulates in float32
    (lambda L: L.tensor([[100, 100], [27, 1]], dtype=L.int16).prod(dtype=L.int16), 7856, "int16"),
    (lambda L: L.tensor([100, 100], dtype=L.int16).cumsum(0, dtype=L.int8), [100, -56], "int8"),
    (lambda L: L.tensor([True, True]).sum(dtype=L.bool), True, "bool"),
    (lambda L: L.full((4000, 2), 0.1, dtype=L.float16).sum(0), [400.0, 400.0], "float16"),
    (lambda L: L.full((4000,), 0.1, dtype=L.float16).cumsum(0)[-1], 400.0, "float16"),
    # integer closeness is decided without overflow
    (lambda L: L.isclose(L.tensor([127], dtype=L.int8), L.tensor([-1], dtype=L.int8)), [False], "bool"),
    # numpy scalars count as Python numbers: an int tensor with np.float64 gives the default float, not float64
    (lambda L: L.tensor([1, 2]) + np.float64(1.5), [2.5, 3.5], "float32"),
    (lambda L: L.tensor([1, 2], dtype=L.int32) * np.int64(3), [3, 6], "int32"),
    (lambda L: L.tensor([2.0]) / np.sqrt(4.0), [1.0], "float32"),
]


@pytest.mark.parametrize("case, values, dtype", SCALAR_AND_ALPHA_CASES)
def test_numbers_and_scales_promote_like_pytorch(case, values, dtype):
    result = case(T)
    assert result.dtype == getattr(T, dtype)
    np.testing.assert_allclose(np.asarray(result.tolist(), dtype=float), np.asarray(values, dtype=float), rtol=1e-6)
    torch = _torch_or_none()
    if torch is not None:
        expected = case(torch)
        assert str(expected.dtype) == f"torch.{dtype}"
        np.testing.assert_allclose(np.asarray(result.tolist(), dtype=float), np.asarray(expected.tolist(), float),
                                   rtol=1e-6)


@pytest.mark.parametrize("case, error", [
    (lambda L: L.add(L.tensor([1]), L.tensor([1]), alpha=0.5), "For integral input tensors, argument alpha must "
                                                                 "not be a floating point number"),
    (lambda L: L.tensor([1.0]).add(L.tensor([1.0]), alpha=1j), "argument alpha must not be a complex number"),
    (lambda L: L.tensor([3], dtype=L.uint8) ** -2, "Integers to negative integer powers are not allowed"),
    (lambda L: L.tensor([3, 4]).floor_divide_(0), "ZeroDivisionError"),
    (lambda L: L.tensor([3, 4]).remainder_(L.tensor([0, 1])), "ZeroDivisionError"),
    (lambda L: 1 - L.tensor([True, False]), "Subtraction, the `-` operator, with a bool tensor is not supported"),
    (lambda L: L.tensor([True]) - L.tensor([0.5]), "with a bool tensor is not supported"),
    (lambda L: L.tensor([3]) - True, "with a bool tensor is not supported"),   # a Python bool too
    (lambda L: True - L.tensor([3.0]), "with a bool tensor is not supported"),
    (lambda L: -L.tensor([True]), "Negation, the `-` operator, on a bool tensor is not supported"),
    (lambda L: L.tensor([True]) ** L.tensor([True]), "not implemented for .*[Bb]ool"),
    (lambda L: L.tensor([True]) // L.tensor([True]), "not implemented for .*[Bb]ool"),
    (lambda L: L.tensor([True]) % L.tensor([True]), "not implemented for .*[Bb]ool"),
])
def test_refused_like_pytorch(case, error):
    with pytest.raises(RuntimeError, match=error):  # (PyTorch's NotImplementedError is a RuntimeError)
        case(T)
    torch = _torch_or_none()
    if torch is not None:
        with pytest.raises(RuntimeError, match=error):
            case(torch)


def test_byte_masks_rsub_and_complex_conversions_like_pytorch():
    mask = T.tensor([1, 0, 2], dtype=T.uint8)
    assert mask.all().dtype == T.uint8 and mask.all().item() == 0 and mask.any().item() == 1
    assert T.any(mask, 0, keepdim=True).tolist() == [1] and T.tensor([1.0, 0.0]).all().dtype == T.bool
    np.testing.assert_array_equal(T.rsub(T.tensor([1.0, 2.0]), 5, alpha=2).numpy(), [3.0, 1.0])
    z = T.tensor([1.0, 2.0]).cfloat()
    assert z.dtype == T.complex64 and T.tensor([1.0]).cdouble().dtype == T.complex128
    assert z.tolist() == [1 + 0j, 2 + 0j]


def test_where_takes_a_byte_mask_with_pytorchs_warning():
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        out = T.where(T.tensor([1, 0], dtype=T.uint8), T.ones(2), T.zeros(2))
    assert out.tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="masked_fill: expected mask to be a bool tensor"):  # PyTorch refuses too
        T.zeros(2).masked_fill(T.tensor([1, 0], dtype=T.uint8), 5.0)


@pytest.mark.parametrize("dtype, exponent", [("uint8", 256), ("uint8", 257), ("int16", 65537), ("int8", 1000)])
def test_an_integer_power_the_dtype_cannot_hold_is_refused(dtype, exponent):
    """As PyTorch refuses it: promotion wrapped the exponent around (uint8 ** 257 gave 2, int8 ** 1000 said
    "negative integer powers", 1000 having become -24)."""
    x = T.tensor([2], dtype=getattr(T, dtype))
    with pytest.raises(RuntimeError, match=f"pow: value cannot be converted to type {dtype} without overflow"):
        x ** exponent
    with pytest.raises(RuntimeError, match="without overflow"):
        x.pow_(exponent)
    assert (x ** 3).tolist() == [8] and x.tolist() == [2]


@pytest.mark.parametrize("subtract", [lambda x, m: x.sub_(m), lambda x, m: x.__isub__(m),
                                      lambda x, m: x.sub_(True), lambda x, m: x.sub_(m, alpha=2)])
def test_in_place_subtraction_of_a_bool_is_refused_as_minus_is(subtract):
    x, mask = T.tensor([1.0, 2.0]), T.tensor([True, False])
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor is not supported"):
        subtract(x, mask)
    assert x.tolist() == [1.0, 2.0]
