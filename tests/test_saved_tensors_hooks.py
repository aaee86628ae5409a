"""``autograd.graph``: ``saved_tensors_hooks`` (what backward reads is what ``unpack`` gives back), ``save_on_cpu``,
``disable_saved_tensors_hooks`` and ``Node``. The same assertions run on minidl and, where installed, on PyTorch;
which tensors an op saves is each framework's choice, so the tests count on values, not on the number of packs."""
import numpy as np
import pytest

import minidl.eager as T

X = np.array([0.5, -1.0, 2.0])


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _loss(lib, x):
    return (x.pow(2) * x.sin() + x.exp() * x.tanh()).sum()


def _grad(lib, hooks=None):
    x = lib.tensor(X, requires_grad=True)
    if hooks is None:
        loss = _loss(lib, x)
    else:
        with hooks:
            loss = _loss(lib, x)
    loss.backward()
    return x.grad.numpy()


def test_backward_reads_what_unpack_gives_back(lib):
    plain = _grad(lib)
    packed = []
    round_trip = lib.autograd.graph.saved_tensors_hooks(
        lambda t: packed.append(1) or t.detach().numpy().copy(), lambda a: lib.tensor(a))
    np.testing.assert_allclose(_grad(lib, round_trip), plain, rtol=1e-12)
    assert packed   # the hooks were used
    # an unpack that gives back other values changes the gradient: backward really reads them
    zeroing = lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t * 0)
    assert not np.allclose(_grad(lib, zeroing), plain)


def test_hooks_apply_only_inside_their_block_and_the_innermost_wins(lib):
    calls = []
    outer = lib.autograd.graph.saved_tensors_hooks(lambda t: calls.append("outer") or t, lambda t: t)
    inner = lib.autograd.graph.saved_tensors_hooks(lambda t: calls.append("inner") or t, lambda t: t)
    x = lib.tensor(X, requires_grad=True)
    with outer:
        with inner:
            x.sin()
        assert set(calls) == {"inner"}
    calls.clear()
    x.sin().sum().backward()
    assert calls == []


def test_save_on_cpu_and_a_function_that_saves(lib):
    np.testing.assert_allclose(_grad(lib, lib.autograd.graph.save_on_cpu()), _grad(lib), rtol=1e-12)

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g
    calls = []
    x = lib.tensor(X, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: calls.append("pack") or t * 10,
                                                lambda t: calls.append("unpack") or t / 10):
        y = Cube.apply(x)
    y.sum().backward()
    assert calls == ["pack", "unpack"]
    np.testing.assert_allclose(x.grad.numpy(), 3 * X ** 2, rtol=1e-12)


def test_disabling_the_hooks_and_the_node_class(lib):
    graph = lib.autograd.graph
    with graph.disable_saved_tensors_hooks("hooks are off here"):
        with pytest.raises(RuntimeError, match="hooks are off here"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    x = lib.tensor(X, requires_grad=True)
    assert isinstance((x * 2).grad_fn, graph.Node)
