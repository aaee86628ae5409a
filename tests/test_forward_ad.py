"""torch.autograd.forward_ad: dual tensors whose tangents are Jacobian-vector products."""
import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager.autograd import forward_ad as fwAD

RNG = np.random.default_rng(31)


def _central_difference(f, x, t, h=1e-6):
    return (f(x + h * t) - f(x - h * t)) / (2 * h)


def test_the_tangent_of_a_result_is_the_jacobian_vector_product():
    x0, t0 = RNG.standard_normal(4), RNG.standard_normal(4)
    w = RNG.standard_normal((3, 4))

    def f_numpy(x):
        return np.tanh(w @ np.sin(x) * x.sum())

    with fwAD.dual_level():
        x = fwAD.make_dual(torchlike.tensor(x0), torchlike.tensor(t0))
        y = (torchlike.tensor(w) @ torchlike.sin(x) * x.sum()).tanh()
        primal, tangent = fwAD.unpack_dual(y)
        np.testing.assert_allclose(primal.detach().numpy(), f_numpy(x0), rtol=1e-12)
        np.testing.assert_allclose(tangent.numpy(), _central_difference(f_numpy, x0, t0), rtol=1e-6)
        assert fwAD.unpack_dual(x).tangent.tolist() == t0.tolist()  # a dual's own tangent
        assert fwAD.unpack_dual(torchlike.ones(3)).tangent is None  # depends on no dual
    assert fwAD.unpack_dual(y).tangent is None  # the level is over


@pytest.mark.parametrize("after", [lambda y: y - y.flip(0), lambda y: torchlike.softmax(y, 0)],
                         ids=["differences", "softmax"])
def test_logcumsumexp_tangent_where_later_ops_cancel_the_cotangent(after):
    """The double-vjp trick differentiates logcumsumexp's gradient in the incoming gradient, which ops after it can
    make exactly 0 (the middle entries of y - y.flip(0)): the gradient op is linear there too, not just its value."""
    x0, t0 = RNG.standard_normal(5), RNG.standard_normal(5)

    def f(x):
        return after(torchlike.logcumsumexp(x, 0))
    with fwAD.dual_level():
        tangent = fwAD.unpack_dual(f(fwAD.make_dual(torchlike.tensor(x0), torchlike.tensor(t0)))).tangent
    expected = _central_difference(lambda x: f(torchlike.tensor(x)).numpy(), x0, t0)
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(torchlike.func.jvp(f, (torchlike.tensor(x0),), (torchlike.tensor(t0),))[1].numpy(),
                               expected, rtol=1e-6, atol=1e-9)


def test_several_duals_add_their_directions_and_match_pytorch():
    a0, b0 = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    ta, tb = RNG.standard_normal((2, 3)), RNG.standard_normal(3)

    def run(lib):
        forward = lib.autograd.forward_ad
        with forward.dual_level():
            a = forward.make_dual(lib.tensor(a0), lib.tensor(ta))
            b = forward.make_dual(lib.tensor(b0), lib.tensor(tb))
            out = (a * b).exp().sum(dim=1) / (1 + b.pow(2).sum())
            return forward.unpack_dual(out).tangent.detach().numpy()
    ours = run(torchlike)
    def along(s):  # the function on the line through (a0, b0) in the direction (ta, tb)
        a, b = a0 + s * ta, b0 + s * tb
        return np.exp(a * b).sum(1) / (1 + (b ** 2).sum())
    both = _central_difference(along, 0.0, 1.0)
    np.testing.assert_allclose(ours, both, rtol=1e-6)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, run(torch), rtol=1e-12)


def test_a_dual_of_a_tensor_that_requires_grad_stays_connected_for_backward():
    w = torchlike.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        v = fwAD.make_dual(w, torchlike.tensor([1.0, 0.0]))
        loss = (v ** 3).sum()
        assert fwAD.unpack_dual(loss).tangent.item() == pytest.approx(3.0)  # 3 w0² along (1, 0)
    loss.backward()
    assert w.grad.tolist() == [3.0, 12.0]


def test_a_primal_carries_no_tangent_and_stays_connected_for_backward():
    """Reusing ``unpack_dual(y).primal`` with a dual adds no second share of the tangent (sin(x)·t, not
    sin(x)·t + cos(x)·x·t), as in PyTorch; a backward pass from a primal still reaches the weights."""
    x0, t0, w0 = np.array([0.5, 1.0, 2.0]), np.array([1.0, -2.0, 0.5]), np.array([1.5, -0.5, 2.0])
    w = torchlike.tensor(w0, requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(torchlike.tensor(x0), torchlike.tensor(t0))
        sin_primal = fwAD.unpack_dual(d.sin()).primal
        np.testing.assert_allclose(fwAD.unpack_dual(sin_primal * d).tangent.numpy(), np.sin(x0) * t0, rtol=1e-12)
        np.testing.assert_allclose(fwAD.unpack_dual(fwAD.unpack_dual(d).primal * d).tangent.numpy(), x0 * t0,
                                   rtol=1e-12)
        primal, tangent = fwAD.unpack_dual((d * w).sin())
    primal.sum().backward()
    np.testing.assert_allclose(tangent.numpy(), np.cos(x0 * w0) * w0 * t0, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), np.cos(x0 * w0) * x0, rtol=1e-12)


def test_dual_levels_and_their_errors():
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(torchlike.ones(2), torchlike.ones(2))
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="different size"):
            fwAD.make_dual(torchlike.ones(2), torchlike.ones(3))
        with pytest.raises(RuntimeError, match="Nested"):
            fwAD.enter_dual_level()
        with pytest.raises(ValueError, match="floating point"):
            fwAD.make_dual(torchlike.ones(2, dtype=torchlike.int64), torchlike.ones(2))
    assert torchlike.autograd.forward_ad is fwAD


def test_a_tangent_of_a_dual_made_from_a_tensor_that_requires_grad_is_differentiable():
    """PyTorch's tangents are differentiable: a JVP inside a loss (a regularizer) trains, and func.grad /
    jacobian of code that unpacks a tangent give the derivative of J t (minidl detached the tangent: an error, or
    zeros)."""
    x = torchlike.tensor([0.5, 1.0, 2.0], dtype=torchlike.float64, requires_grad=True)
    with fwAD.dual_level():
        tangent = fwAD.unpack_dual((fwAD.make_dual(x, torchlike.ones_like(x)) ** 3).sum()).tangent
    tangent.backward()  # d/dx Σ 3x² = 6x
    assert np.allclose(x.grad.tolist(), [3.0, 6.0, 12.0])

    def directional(x):  # d/dε Σ sin(x + ε)(x + ε) = Σ cos(x) x + sin(x)
        with fwAD.dual_level():
            dual = fwAD.make_dual(x, torchlike.ones_like(x))
            return fwAD.unpack_dual((dual.sin() * dual).sum()).tangent

    point = torchlike.tensor([0.5, 1.0, 2.0], dtype=torchlike.float64)
    expected = (2 * np.cos(point.numpy()) - point.numpy() * np.sin(point.numpy())).tolist()
    assert np.allclose(torchlike.func.grad(directional)(point).tolist(), expected)
    assert np.allclose(torchlike.autograd.functional.jacobian(directional, point).tolist(), expected)
    with fwAD.dual_level():  # a dual of a tensor that needs no gradient: its tangent is a plain tensor
        plain = fwAD.unpack_dual(fwAD.make_dual(point, torchlike.ones_like(point)) * 2).tangent
    assert not plain.requires_grad and plain.tolist() == [2.0, 2.0, 2.0]
