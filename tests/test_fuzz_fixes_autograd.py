"""What a stateful differential fuzz of the autograd machinery against PyTorch 2.13 found, each fixed:

* ``utils.checkpoint(use_reentrant=False)`` counted a gradient twice when one input's history led to another
  input of the block (two arguments made from one tensor; an argument computed from a parameter the block also
  reads), and ran the hooks of a non-leaf argument twice: the replay's walk went on past an input;
* ``@once_differentiable`` gave a silently wrong second derivative when another path kept the first gradient
  differentiable (PyTorch raises), and a None tangent in forward mode without the Function's jvp;
* a leaf made ``requires_grad_(False)`` or ``detach_()``-ed after the graph was recorded still got a ``.grad``;
* ``torch.autograd.grad_mode`` was not a module one could import from.

Gradients are compared with PyTorch and, where they changed, with float64 central differences.
"""
import importlib

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

X = np.array([0.5, -1.25, 2.0])


def _torch():
    return pytest.importorskip("torch")


def _checkpoint(L, *args, **kwargs):
    return importlib.import_module(L.__name__ + ".utils.checkpoint").checkpoint(*args, **kwargs)


def _grads(*tensors):
    return [None if t.grad is None else t.grad.detach().numpy().copy() for t in tensors]


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert (a is None) == (b is None), (ours, theirs)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------------ checkpoint: shared history
@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_of_two_arguments_made_from_one_tensor(use_reentrant):
    check_gradient(lambda L, x: _checkpoint(L, lambda a, b: (a * b).sin(), x, x * 2,
                                            use_reentrant=use_reentrant).sum(), X)


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_of_an_activation_made_from_a_parameter_the_block_reads(use_reentrant):
    # y = (3w) * w: the block's argument comes from w, and the block reads w itself too (tied weights)
    check_gradient(lambda L, w: _checkpoint(L, lambda t: (t * w).tanh(), w * 3, use_reentrant=use_reentrant).sum(),
                   X)


def test_checkpoint_reading_a_non_leaf_and_its_parameter_from_outside():
    # the block reads h = w*3 and w from its closure: both become inputs of the block's node
    def build(L, w):
        h = w * 3
        return _checkpoint(L, lambda t: t * h * w, w.exp(), use_reentrant=False).sum()
    check_gradient(build, X)


def test_checkpoint_with_a_tensor_keyword_argument_and_non_tensor_outputs():
    def build(L, x):
        def block(a, scale, b=None):
            return {"y": (a * b).cos() * scale, "tag": "block", "nothing": None}
        out = _checkpoint(L, block, x, 2.0, b=x * x, use_reentrant=False)
        assert out["tag"] == "block" and out["nothing"] is None
        return out["y"].sum()
    check_gradient(build, X)


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_with_dropout_replays_the_same_random_numbers_with_shared_history(use_reentrant):
    def run(checkpointed):
        x = T.tensor(X, requires_grad=True)
        drop = T.nn.Dropout(0.5)

        def block(a, b):
            return drop(a * b)

        T.manual_seed(3)
        y = _checkpoint(T, block, x, x + 1, use_reentrant=use_reentrant, preserve_rng_state=True) if checkpointed \
            else block(x, x + 1)
        (y * y).sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(True), run(False), rtol=1e-12)


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_sequential_with_an_input_that_has_history(use_reentrant):
    torch = _torch()
    results = []
    for L in (T, torch):
        L.manual_seed(0)
        net = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 4), L.nn.Tanh(), L.nn.Linear(4, 2))
        net = net.double()
        with L.no_grad():
            for i, p in enumerate(net.parameters()):
                p.copy_(L.tensor(np.random.default_rng(i).uniform(-1, 1, tuple(p.shape))))
        x = L.tensor(np.stack([X, X[::-1]]), requires_grad=True)
        utils = importlib.import_module(L.__name__ + ".utils.checkpoint")
        y = utils.checkpoint_sequential(net, 2, x * x, use_reentrant=use_reentrant)
        (y ** 2).sum().backward()
        results.append(_grads(x, *net.parameters()))
    _assert_same(*results)


def test_checkpoint_runs_the_hooks_of_an_argument_once():
    torch = _torch()
    results = []
    for L in (T, torch):
        x = L.tensor(X, requires_grad=True)
        w = L.tensor(X[::-1].copy(), requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append("x") or g * 2)
        h = x * 1
        h.register_hook(lambda g: calls.append("h") or g * 10)
        _checkpoint(L, lambda t: t * w, h, use_reentrant=False).sum().backward()
        results.append((calls, _grads(x, w)))
    assert results[0][0] == results[1][0] == ["h", "x"]
    _assert_same(results[0][1], results[1][1])


def test_second_order_through_a_checkpoint_with_shared_history():
    torch = _torch()
    results = []
    for L in (T, torch):
        x = L.tensor(X, requires_grad=True)
        y = _checkpoint(L, lambda a, b: (a * b).sin(), x, x * 2, use_reentrant=False).sum()
        (g,) = L.autograd.grad(y, x, create_graph=True)  # 4x cos(2x²)
        (g * g).sum().backward()
        results.append([g.detach().numpy().copy()] + _grads(x))
    _assert_same(*results)
    np.testing.assert_allclose(results[0][0], 4 * X * np.cos(2 * X * X), rtol=1e-12)


# ------------------------------------------------------------------------------------------ once_differentiable
def _sin(L, once):
    class Sin(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos()

    if once:
        Sin.backward = staticmethod(L.autograd.function.once_differentiable(Sin.backward))
    return Sin


def test_once_differentiable_refuses_a_second_derivative_another_path_keeps_alive():
    torch = _torch()
    for L in (T, torch):
        x = L.tensor(X, requires_grad=True)
        loss = (_sin(L, True).apply(x * x) ** 2).sum()  # d loss/d sin is 2 sin(x²): it requires grad
        (g,) = L.autograd.grad(loss, x, create_graph=True)
        assert g.requires_grad
        np.testing.assert_allclose(g.detach().numpy(), 4 * X * np.sin(X * X) * np.cos(X * X), rtol=1e-12)
        with pytest.raises(RuntimeError, match="differentiate twice a function that was marked with "
                                               "@once_differentiable"):
            g.sum().backward()


def test_once_differentiable_refuses_it_through_autograd_grad_too():
    # (PyTorch's error node hangs on fresh leaves, which autograd.grad prunes away: it returns the second
    # derivative without this node's part, [0.3581, 0.5172] here instead of FD's [1.0664, -10.6108]; minidl's
    # hangs on the incoming gradients, so autograd.grad reaches it and refuses too)
    x = T.tensor([0.3, 1.2], dtype=T.float64, requires_grad=True)
    (g,) = T.autograd.grad((_sin(T, True).apply(x * x) ** 2).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="@once_differentiable"):
        T.autograd.grad(g.sum(), x)


def test_once_differentiable_first_derivatives_and_a_none_for_an_input():
    torch = _torch()
    results = []
    for L in (T, torch):
        class Scale(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * 2

            @staticmethod
            @L.autograd.function.once_differentiable
            def backward(ctx, g):
                return g * 2, None

        x = L.tensor(X, requires_grad=True)
        y = L.tensor(X, requires_grad=True)
        out = Scale.apply(x * x, y)
        (g,) = L.autograd.grad((out ** 2).sum(), x, create_graph=True)
        (g_plain,) = L.autograd.grad((Scale.apply(x * x, y) ** 2).sum(), x)  # no higher order: no error node
        assert g.requires_grad and not g_plain.requires_grad
        results.append([g.detach().numpy(), g_plain.numpy()])
    _assert_same(*results)


# ------------------------------------------------------------------- leaves that stopped requiring grad
@pytest.mark.parametrize("stop", ["requires_grad_(False)", "detach_()"])
def test_a_leaf_that_stopped_requiring_grad_gets_no_grad_but_its_hooks_run(stop):
    torch = _torch()
    results = []
    for L in (T, torch):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        calls = []
        a.register_hook(lambda g: calls.append(g.tolist()))
        a.register_post_accumulate_grad_hook(lambda t: calls.append(None if t.grad is None else t.grad.tolist()))
        y = (a * 3).sum()
        with L.no_grad():
            getattr(a, stop.split("(")[0])(*([False] if "False" in stop else []))
        y.backward(retain_graph=True)
        assert a.grad is None and not a.requires_grad
        a.requires_grad_(True)  # requiring grad again: the same leaf of the recorded graph accumulates again
        y.backward()
        results.append((calls, a.grad.tolist()))
    assert results[0] == results[1] == ([[3.0, 3.0], None, [3.0, 3.0], [3.0, 3.0]], [3.0, 3.0])


# ------------------------------------------------------------------------------------------ autograd.grad_mode
def test_autograd_grad_mode_is_a_module_to_import_from():
    torch = _torch()
    from minidl.eager.autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
    import torch.autograd.grad_mode as theirs
    assert (no_grad, enable_grad, set_grad_enabled, inference_mode) == (T.no_grad, T.enable_grad,
                                                                        T.set_grad_enabled, T.inference_mode)
    assert all(hasattr(theirs, name) for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode"))
    assert torch.autograd.grad_mode is theirs and T.autograd.grad_mode is importlib.import_module(
        "minidl.eager.autograd.grad_mode")
    x = T.ones(2, requires_grad=True)
    with no_grad():
        assert not (x * 2).requires_grad
        with enable_grad():
            assert (x * 2).requires_grad


def test_once_differentiable_without_jvp_refuses_forward_mode():
    # forward mode differentiates a Function's backward again unless it defines jvp; the tangent was None before
    torch = _torch()
    for L in (T, torch):
        fwAD = L.autograd.forward_ad
        with fwAD.dual_level():
            dual = fwAD.make_dual(L.tensor(X), L.tensor(np.ones(3)))
            with pytest.raises(RuntimeError, match="You must implement the jvp function"):
                fwAD.unpack_dual(_sin(L, True).apply(dual)).tangent
    with pytest.raises(RuntimeError, match="You must implement the jvp function"):
        T.func.jvp(_sin(T, True).apply, (T.tensor(X),), (T.tensor(np.ones(3)),))
