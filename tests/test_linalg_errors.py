"""Bad inputs to the products (linalg.py) and the complex/Fourier ops (spectral.py): each mistake is a clear error
that names the op and the shapes or dtypes involved. Plus the few dtype rules that the op table cannot see."""
import numpy as np
import pytest

import minidl.eager as md
from minidl import ops
from minidl.ops import OpError


def t(*shape, dtype="float32"):
    return md.tensor(np.ones(shape, dtype=dtype))


# ----------------------------------------------------------------------------------------------- matmul

@pytest.mark.parametrize("a, b, shapes", [
    ((2, 3), (4, 5), r"\(2x3 and 4x5\)"),
    ((3,), (4,), r"\(3 and 4\)"),
    ((2, 3), (4,), r"\(2x3 and 4\)"),
    ((3,), (4, 5), r"\(3 and 4x5\)"),
    ((2, 2, 3), (2, 4, 5), r"\(2x2x3 and 2x4x5\)"),
])
def test_matmul_inner_dims_must_match(a, b, shapes):
    with pytest.raises(OpError, match=r"matmul: mat1 and mat2 shapes cannot be multiplied " + shapes):
        ops.matmul(t(*a), t(*b))


def test_matmul_operator_reports_the_same_error():
    with pytest.raises(OpError, match=r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"):
        t(2, 3) @ t(2, 3)


def test_matmul_batch_dims_must_broadcast():
    with pytest.raises(OpError, match=r"matmul: shapes \(2,\) and \(3,\) cannot be broadcast"):
        ops.matmul(t(2, 2, 3), t(3, 3, 4))


def test_matmul_needs_at_least_one_dim():
    with pytest.raises(OpError, match="matmul: both arguments need to be at least 1D, but they are 0D and 1D"):
        ops.matmul(t(), t(3))


def test_matmul_rejects_numbers_and_bools():
    with pytest.raises(TypeError, match=r"matmul: expected tensors, got int"):
        ops.matmul(t(2, 2), 2)
    with pytest.raises(TypeError, match=r"matmul: not implemented for bool tensors .*bool\[2, 3\]"):
        ops.matmul(t(2, 3, dtype=bool), t(3, 2, dtype=bool))


def test_products_refuse_mixed_dtypes_as_pytorch_does_and_allow_integers():
    with pytest.raises(TypeError, match=r"expected m1 and m2 to have the same dtype, but got: float != double "
                                        r"\(matmul of float32\[2, 3\] and float64\[3, 2\]"):
        ops.matmul(t(2, 3), t(3, 2, dtype="float64"))
    with pytest.raises(TypeError, match=r"but got: bool != float"):
        ops.matmul(t(2, 3, dtype=bool), t(3, 2))
    with pytest.raises(TypeError, match=r"mm: not implemented for bool tensors"):
        ops.mm(t(2, 3, dtype=bool), t(3, 2, dtype=bool))
    product = ops.matmul(t(2, 3, dtype="int64"), t(3, dtype="int64"))
    assert product.dtype == np.int64 and product.tolist() == [3, 3]


@pytest.mark.parametrize("fn, a, b, message", [
    (ops.mm, (3,), (3, 2), r"mm: self must be a matrix \(2-D\), got float32\[3\]"),
    (ops.mm, (2, 3), (1, 3, 2), r"mm: mat2 must be a matrix \(2-D\), got float32\[1, 3, 2\]"),
    (ops.mm, (2, 3), (4, 2), r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)"),
    (ops.bmm, (2, 3), (3, 2), r"bmm: batch1 must be a 3D tensor, got float32\[2, 3\]"),
    (ops.bmm, (2, 2, 3), (3, 3, 2), r"bmm: batch1 and batch2 must have the same number of batches, got "
                                    r"float32\[2, 2, 3\] and float32\[3, 3, 2\]"),
    (ops.bmm, (2, 2, 3), (2, 4, 2), r"bmm: mat1 and mat2 shapes cannot be multiplied \(2x2x3 and 2x4x2\)"),
    (ops.dot, (2, 3), (3,), r"dot: 1D tensors expected, but got 2D and 1D tensors"),
    (ops.dot, (3,), (4,), r"dot: inconsistent tensor size, .* got 3 and 4 elements"),
    (ops.outer, (3, 1), (3,), r"outer: expected 1-D argument self, but got float32\[3, 1\]"),
    (ops.outer, (3,), (), r"outer: expected 1-D argument vec2, but got float32\[\]"),
])
def test_strict_products_check_ranks_and_sizes(fn, a, b, message):
    with pytest.raises(OpError, match=message):
        fn(t(*a), t(*b))


# ----------------------------------------------------------------------------------------------- einsum

@pytest.mark.parametrize("equation, shapes, message", [
    ("ij,jk->ik", [(2, 3)], r"names 2 operand\(s\) but 1 were given"),
    ("ij->i", [(2, 3), (3,)], r"names 1 operand\(s\) but 2 were given"),
    ("i1->i", [(2, 3)], r"invalid subscripts 'i1' for operand 0"),
    ("ij.->i", [(2, 3)], r"invalid subscripts 'ij.' for operand 0"),
    ("...i...->i", [(2, 3)], r"at most one '\.\.\.'"),
    ("ij->i-", [(2, 3)], r"invalid subscripts 'i-' for the output"),
    ("ijk->i", [(2, 3)], r"operand 0 has shape \(2, 3\) but its subscripts 'ijk' name 3 dim\(s\) and no ellipsis"),
    ("i->i", [(2, 3)], r"operand 0 has shape \(2, 3\) but its subscripts 'i' name 1 dim"),
    ("...ijk->i", [(2, 3)], r"operand 0 has shape \(2, 3\) but its subscripts '\.\.\.ijk' name 3 dim"),
    ("ij->ii", [(2, 3)], r"output subscript 'i' appears more than once"),
    ("ij->k", [(2, 3)], r"output subscript 'k' does not appear in any input"),
    ("ii->i", [(2, 3)], r"subscript 'i' is repeated in operand 0 \(shape \(2, 3\)\) but the sizes don't match"),
    ("ij,ij->ij", [(2, 3), (4, 3)], r"subscript 'i' has size 4 in operand 1 \(shape \(4, 3\)\), which does not "
                                    r"broadcast with size 2 in operand 0 \(shape \(2, 3\)\)"),
])
def test_einsum_equation_errors(equation, shapes, message):
    with pytest.raises(OpError, match="einsum: .*" + message):
        ops.einsum(equation, *(t(*s) for s in shapes))


def test_einsum_argument_types():
    with pytest.raises(TypeError, match="einsum: the equation must be a string, got Tensor"):
        ops.einsum(t(2), "i->i")
    with pytest.raises(TypeError, match="einsum: expected tensors, got int"):
        ops.einsum("ij,jk->ik", t(2, 3), 5)
    with pytest.raises(OpError, match="einsum: at least one operand is required"):
        ops.einsum("i->i")
    with pytest.raises(OpError, match="einsum: at least one operand is required"):
        ops.einsum("i->i", [])


def test_einsum_accepts_an_operand_list_of_one_dtype():
    out = ops.einsum("ij,jk", [t(2, 3, dtype="float64"), t(3, 4, dtype="float64")])
    assert out.shape == (2, 4) and out.dtype == np.float64
    with pytest.raises(TypeError, match=r"expected m1 and m2 to have the same dtype, but got: float != double"):
        ops.einsum("ij,jk", [t(2, 3), t(3, 4, dtype="float64")])


# ----------------------------------------------------------------------------------------------- complex parts

def test_imag_and_view_as_real_need_complex_input():
    with pytest.raises(TypeError, match=r"imag: expected a complex tensor, got float32\[3\]"):
        ops.imag(t(3))
    with pytest.raises(TypeError, match=r"view_as_real: expected a complex tensor, got float32\[3\]"):
        ops.view_as_real(t(3))


def test_view_as_complex_needs_float_pairs():
    with pytest.raises(OpError, match=r"view_as_complex: the tensor must have a last dimension of size 2, got "
                                      r"float32\[3\]"):
        ops.view_as_complex(t(3))
    with pytest.raises(TypeError, match=r"view_as_complex: expected a float32 or float64 tensor, got int64"):
        ops.view_as_complex(t(3, 2, dtype="int64"))


def test_complex_needs_floating_parts():
    with pytest.raises(TypeError, match=r"complex: expected floating point real and imag tensors, got int64\[3\]"):
        ops.complex(t(3, dtype="int64"), t(3, dtype="int64"))
    with pytest.raises(TypeError, match="complex: expected a tensor, got float"):
        ops.complex(t(3), 1.0)
    assert ops.complex(t(2, 1), t(3, dtype="float64")).dtype == np.complex128


def test_real_and_conj_of_real_tensors_are_the_tensor_itself():
    x = t(3)
    assert ops.real(x) is x and ops.conj(x) is x


def test_conj_accepts_numbers():  # arithmetic's gradients conjugate numpy scalars, e.g. for z * 2j
    assert ops.conj(np.complex64(1 + 2j)) == 1 - 2j and ops.conj(2.5) == 2.5


def test_complex_dtypes_follow_the_input_precision():
    z32 = ops.complex(t(3), t(3))
    assert z32.dtype == np.complex64
    assert ops.real(z32).dtype == ops.imag(z32).dtype == ops.angle(z32).dtype == np.float32
    assert ops.angle(t(3, dtype="int64")).dtype == np.float32


# ----------------------------------------------------------------------------------------------- FFTs

@pytest.mark.parametrize("fn", [ops.fft, ops.ifft, ops.rfft, ops.irfft])
def test_fft_argument_errors(fn):
    name = fn.__name__
    with pytest.raises(OpError, match=rf"{name}: expected a tensor with at least one dimension, got float32\[\]"):
        fn(t())
    with pytest.raises(OpError, match=rf"{name}: dimension out of range"):
        fn(t(3), dim=1)
    with pytest.raises(ValueError, match=rf"{name}: invalid normalization mode 'bad'"):
        fn(t(3), norm="bad")
    with pytest.raises(OpError, match=rf"{name}: invalid number of data points \(0\) specified"):
        fn(t(3), n=0)
    with pytest.raises(TypeError, match=rf"{name}: n must be an int or None, got float"):
        fn(t(3), n=2.0)
    with pytest.raises(TypeError, match=rf"{name}: expected a tensor, got list"):
        fn([1.0, 2.0])


def test_fft_of_an_empty_signal_or_a_single_frequency():
    with pytest.raises(OpError, match=r"fft: invalid number of data points \(0\) specified \(input "
                                      r"float32\[2, 0\], dim 1\)"):
        ops.fft(t(2, 0))
    with pytest.raises(OpError, match=r"irfft: invalid number of data points \(0\) specified"):
        ops.irfft(t(1))  # the default n = 2 (m - 1) is 0
    assert ops.irfft(t(1), n=1).shape == (1,)


def test_rfft_needs_real_input():
    with pytest.raises(TypeError, match=r"rfft: expects a real input tensor, but got complex64\[3\]"):
        ops.rfft(ops.complex(t(3), t(3)))


@pytest.mark.parametrize("dtype, complex_dtype, real_dtype", [
    ("float32", np.complex64, np.float32), ("float64", np.complex128, np.float64),
    ("int64", np.complex64, np.float32), ("bool", np.complex64, np.float32)])
def test_fft_dtypes(dtype, complex_dtype, real_dtype):
    x = t(4, dtype=dtype)
    assert ops.fft(x).dtype == ops.ifft(x).dtype == ops.rfft(x).dtype == complex_dtype
    assert ops.irfft(x).dtype == real_dtype
