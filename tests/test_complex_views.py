"""``z.real``, ``z.imag``, ``view_as_real`` and ``view_as_complex`` are views, as in PyTorch: writing into them writes
the tensor they were taken from (``z.real = t`` too), and in-place changes through them, or of their parent, keep
the gradients true. The same assertions run on minidl and, where installed, on PyTorch."""
import numpy as np
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _z(lib, requires_grad=False):
    return lib.tensor([1 + 2j, 3 + 4j], dtype=lib.complex128, requires_grad=requires_grad)


def test_writes_through_the_parts_reach_the_tensor(lib):
    z = _z(lib)
    z.real[0] = 9
    z.imag[1] = 7
    z.real.add_(1)
    lib.view_as_real(z)[0, 1] = -5
    np.testing.assert_array_equal(z.numpy(), [10 - 5j, 4 + 7j])
    z.real = lib.tensor([0.5, 0.25], dtype=lib.float64)
    z.imag = lib.tensor([1.0, 2.0], dtype=lib.float64)
    np.testing.assert_array_equal(z.numpy(), [0.5 + 1j, 0.25 + 2j])
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
    as_complex = lib.view_as_complex(x)
    x[1, 1] = 40
    np.testing.assert_array_equal(as_complex.numpy(), [1 + 2j, 3 + 40j])
    transposed = lib.view_as_real(_z(lib).reshape(2, 1).t())   # any strides: the parts still lie side by side
    transposed[0, 1, 0] = 0
    assert transposed.shape == (1, 2, 2)


def test_gradients_follow_in_place_changes_through_the_parts(lib):
    a = _z(lib, requires_grad=True)
    b = a * 2
    b.real.mul_(3)
    b.imag[0] = 0
    (g,) = lib.autograd.grad((b * b.conj()).real.sum(), a)
    np.testing.assert_allclose(b.detach().numpy(), [6 + 0j, 18 + 8j])
    np.testing.assert_allclose(g.numpy(), [72 + 0j, 216 + 32j])   # d|b|² / da: 2·b·conj(db/da)
    a = _z(lib, requires_grad=True)
    b = a * 1
    pairs = lib.view_as_real(b)
    pairs[:, 1].mul_(5)
    (g,) = lib.autograd.grad((b * b.conj()).real.sum(), a)
    np.testing.assert_allclose(g.numpy(), [2 + 100j, 6 + 200j])


def test_a_part_taken_before_its_parent_changed_follows_it(lib):
    a = _z(lib, requires_grad=True)
    b = a * 1
    real = b.real
    b.mul_(2)
    (g,) = lib.autograd.grad((real * real).sum(), a)
    np.testing.assert_allclose(real.detach().numpy(), [2, 6])
    np.testing.assert_allclose(g.numpy(), [8, 24])
