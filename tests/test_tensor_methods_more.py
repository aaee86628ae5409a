"""Tensor methods PyTorch has beside the ops: igamma/igammac (and in place), is_same_size, mvlgamma_, resize_as_,
new_empty_strided, as_strided_, output_nr, and chalf (refused: numpy has no complex32) — each against PyTorch
where it is installed, and against numpy or by hand without it."""
import math

import numpy as np
import pytest

import minidl.eager as T

try:
    import torch
except ImportError:
    torch = None

LIBRARIES = [T] + ([torch] if torch is not None else [])


@pytest.fixture(params=LIBRARIES, ids=lambda lib: lib.__name__.split(".")[0])
def lib(request):
    return request.param


def test_igamma_and_igammac_methods(lib):
    a, x = lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64), lib.tensor([0.5, 2.0, 3.0], dtype=lib.float64)
    p = [1 - math.exp(-0.5), 1 - 3 * math.exp(-2.0), math.erf(math.sqrt(3.0))]  # P(1, x), P(2, x), P(1/2, x)
    np.testing.assert_allclose(a.igamma(x).numpy(), p, rtol=1e-12)
    np.testing.assert_allclose(a.igammac(x).numpy(), 1 - np.array(p), rtol=1e-12)
    b = a.clone()
    assert b.igamma_(x) is b
    np.testing.assert_allclose(b.numpy(), p, rtol=1e-12)
    a.igammac_(x)
    np.testing.assert_allclose(a.numpy(), 1 - np.array(p), rtol=1e-12)
    # differentiable in x: dP/dx is the Gamma(a, 1) density
    x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
    lib.tensor([1.0, 2.0], dtype=lib.float64).igamma(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [math.exp(-0.5), 1.5 * math.exp(-1.5)], rtol=1e-12)


def test_mvlgamma_in_place(lib):
    t = lib.tensor([2.5, 3.0], dtype=lib.float64)
    expected = [math.log(math.pi) / 2 + math.lgamma(v) + math.lgamma(v - 0.5) for v in (2.5, 3.0)]
    assert t.mvlgamma_(2) is t
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-12)
    t = lib.tensor([2.5, 3.0], dtype=lib.float64)
    np.testing.assert_allclose(t.mvlgamma_(p=2).numpy(), expected, rtol=1e-12)


def test_is_same_size(lib):
    assert lib.ones(2, 3).is_same_size(lib.zeros(2, 3))
    assert not lib.ones(2).is_same_size(lib.ones(1, 2))
    assert lib.is_same_size(lib.ones(0), lib.ones(0))
    with pytest.raises(TypeError, match="is_same_size\\(\\): argument 'other'.* must be Tensor, not int"):
        lib.ones(2).is_same_size(3)


def test_resize_as_(lib):
    y = lib.arange(4.0)
    assert y.resize_as_(lib.ones(2, 3)) is y
    assert tuple(y.shape) == (2, 3) and y.flatten()[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
    y.resize_as_(lib.ones(3))
    assert y.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        lib.ones(2, requires_grad=True).resize_as_(lib.ones(3))
    with pytest.raises(TypeError, match="the_template.* must be Tensor"):
        lib.ones(2).resize_as_([1, 2, 3])


def test_new_empty_strided(lib):
    base = lib.zeros(3, dtype=lib.float64)
    e = base.new_empty_strided((2, 3), (1, 2))
    assert tuple(e.shape) == (2, 3) and tuple(e.stride()) == (1, 2) and e.dtype == lib.float64
    e = base.new_empty_strided((2, 2), (2, 1), dtype=lib.int32, requires_grad=False)
    assert e.dtype == lib.int32 and tuple(e.stride()) == (2, 1)
    with pytest.raises(RuntimeError, match="mismatch in length of strides|dimensionality of strides"):
        base.new_empty_strided((2, 3), (1,))


def test_as_strided_in_place(lib):
    z = lib.arange(6.0)
    assert z.as_strided_((2, 2), (1, 2)) is z
    assert z.tolist() == [[0.0, 2.0], [1.0, 3.0]] and tuple(z.stride()) == (1, 2)
    z = lib.arange(6.0)
    z.as_strided_((2,), (2,), 1)
    assert z.tolist() == [1.0, 3.0]
    # through the tape: the gradient reaches the elements read
    x = lib.arange(6.0, requires_grad=True)
    y = x * 1.0
    y.as_strided_((2, 2), (1, 2))
    (y * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert x.grad.tolist() == [1.0, 3.0, 2.0, 4.0, 0.0, 0.0]


def test_output_nr(lib):
    x = lib.randn(3, 4, requires_grad=True)
    values, indices = x.max(1)
    pieces = x.unbind(0)
    q, r = lib.linalg.qr(x)
    assert (x.output_nr, values.output_nr, indices.output_nr) == (0, 0, 0)
    assert [p.output_nr for p in pieces] == [0, 1, 2] and (q.output_nr, r.output_nr) == (0, 1)
    assert lib.ones(2).output_nr == 0


def test_chalf_is_refused_clearly():
    assert T.chalf is T.complex32 and T.complex32.is_complex and not T.complex32.is_floating_point
    for make in (lambda: T.ones(2).chalf(), lambda: T.ones(2).to(T.complex32), lambda: T.zeros(2, dtype=T.chalf)):
        with pytest.raises(TypeError, match="numpy has no complex32 type.*use complex64"):
            make()
    if torch is not None:
        assert str(torch.complex32) == "torch.complex32" and torch.chalf is torch.complex32
