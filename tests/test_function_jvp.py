"""``autograd.Function.jvp``: forward mode (``forward_ad`` and ``func.jvp``) uses a Function's own ``jvp`` when it
has one — also when its ``backward`` is missing, disagrees, or cannot be differentiated — while reverse mode keeps
using ``backward``. The same classes run on minidl and, where installed, on PyTorch."""
import numpy as np
import pytest

import minidl.eager as T

X, V = np.array([0.1, -0.7, 1.3]), np.array([1.0, 2.0, -0.5])


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _functions(lib):
    class SinWithJvpOnly(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_forward(a)
            return a.sin()

        @staticmethod
        def jvp(ctx, tangent):
            (a,) = ctx.saved_tensors
            return tangent * a.cos()

    class ScaledDisagreeing(lib.autograd.Function):
        """backward says 3, jvp says 5: each mode must use its own rule. (In PyTorch's torch.func, a Function
        must take its ctx in setup_context.)"""
        @staticmethod
        def forward(a, factor):
            return a * factor

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, grad):
            return grad * 3, None

        @staticmethod
        def jvp(ctx, tangent, _):
            return tangent * 5

    class NumpyBackward(lib.autograd.Function):
        """A backward outside the tape (not differentiable again) and a jvp with two outputs."""
        @staticmethod
        def forward(ctx, a, b):
            ctx.a, ctx.b = a, b
            return a * b, a + b

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g1, g2):
            return (lib.tensor(g1.numpy() * ctx.b.numpy() + g2.numpy()),
                    lib.tensor(g1.numpy() * ctx.a.numpy() + g2.numpy()))

        @staticmethod
        def jvp(ctx, ta, tb):
            return ta * ctx.b + tb * ctx.a, ta + tb
    return SinWithJvpOnly, ScaledDisagreeing, NumpyBackward


def _tangent(lib, fn, *primals):
    fwAD = lib.autograd.forward_ad
    with fwAD.dual_level():
        duals = [fwAD.make_dual(lib.tensor(p), lib.tensor(t)) for p, t in primals]
        out = fn(*duals)
        outs = out if isinstance(out, tuple) else (out,)
        return [fwAD.unpack_dual(o).tangent.numpy() for o in outs]


def test_forward_ad_uses_the_functions_jvp(lib):
    sin_jvp_only, scaled, numpy_backward = _functions(lib)
    np.testing.assert_allclose(_tangent(lib, sin_jvp_only.apply, (X, V))[0], V * np.cos(X), rtol=1e-12)
    np.testing.assert_allclose(_tangent(lib, lambda a: scaled.apply(a, 2.0).exp(), (X, V))[0],
                               5 * V * np.exp(2 * X), rtol=1e-12)
    got = _tangent(lib, numpy_backward.apply, (X, V), (2 * X, -V))
    np.testing.assert_allclose(got[0], V * 2 * X - V * X, rtol=1e-12)
    np.testing.assert_allclose(got[1], V - V, atol=1e-15)


def test_func_jvp_uses_it_and_reverse_mode_uses_backward(lib):
    _, scaled, _ = _functions(lib)
    x, v = lib.tensor(X), lib.tensor(V)
    _, tangent = lib.func.jvp(lambda a: scaled.apply(a, 2.0), (x,), (v,))
    np.testing.assert_allclose(tangent.numpy(), 5 * V)
    a = lib.tensor(X, requires_grad=True)
    scaled.apply(a, 2.0).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0] * 3)


def test_forward_mode_through_a_function_whose_backward_leaves_the_tape_asks_for_a_jvp():
    """A Function with no jvp and a backward computed in numpy: forward mode (built here by differentiating the
    backward again) gave zero tangents silently; PyTorch asks for a jvp, and so does minidl now."""
    class NumpyCube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return T.tensor(x.detach().numpy() ** 3)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return T.tensor(3 * x.detach().numpy() ** 2 * g.detach().numpy())

    x = T.tensor([0.5, 1.0, 2.0], dtype=T.float64)
    with pytest.raises(NotImplementedError, match="You must implement the jvp function"):
        T.func.jvp(NumpyCube.apply, (x,), (T.ones_like(x),))
    with pytest.raises(NotImplementedError, match="NumpyCube's backward is not differentiable"):
        with T.autograd.forward_ad.dual_level():
            dual = T.autograd.forward_ad.make_dual(x, T.ones_like(x))
            T.autograd.forward_ad.unpack_dual(NumpyCube.apply(dual))
    leaf = x.clone().requires_grad_()
    NumpyCube.apply(leaf).sum().backward()  # reverse mode is unaffected
    assert np.allclose(leaf.grad.tolist(), [0.75, 3.0, 12.0])


def test_a_functions_jvp_runs_once_a_dual_level_as_in_pytorch():
    """PyTorch's forward-AD tutorial Function frees what its jvp used (``ctx.result = None``): a second unpack of
    the same level must not run the jvp again (minidl computed tangents at each unpack, and failed on None)."""
    calls = []

    class Exp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = T.exp(x)
            return ctx.result

        @staticmethod
        def jvp(ctx, t):
            calls.append(1)
            out = t * ctx.result
            ctx.result = None
            return out

    fwAD = T.autograd.forward_ad
    primal, tangent = T.tensor([0.1, 0.2], dtype=T.float64), T.tensor([1.0, 2.0], dtype=T.float64)
    with fwAD.dual_level():
        y = Exp.apply(fwAD.make_dual(primal, tangent))
        first, second = fwAD.unpack_dual(y).tangent, fwAD.unpack_dual(y * 2).tangent
    expected = (tangent * primal.exp()).tolist()
    assert np.allclose(first.tolist(), expected) and np.allclose(second.tolist(), [2 * e for e in expected])
    assert len(calls) == 1
    with fwAD.dual_level():  # a new level: the Function's tangents are computed anew
        y = Exp.apply(fwAD.make_dual(primal, tangent * 3))
        assert np.allclose(fwAD.unpack_dual(y).tangent.tolist(), [3 * e for e in expected]) and len(calls) == 2
