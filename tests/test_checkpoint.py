"""``utils.checkpoint``: a checkpointed block keeps no tape of its own, runs again in the backward pass, and gives
the gradients a recorded run gives — for its arguments, the parameters it reads, with dropout inside, nested,
through ``autograd.grad`` and to second order — in both of PyTorch's variants; and PyTorch gives the same."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.utils.checkpoint import checkpoint, checkpoint_sequential

X = np.random.default_rng(0).standard_normal((4, 5))


def _net(lib, dropout=0.0):
    lib.manual_seed(1)
    layers = [lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Dropout(dropout), lib.nn.Linear(8, 8), lib.nn.ReLU(),
              lib.nn.Linear(8, 3)]
    net = lib.nn.Sequential(*layers).double()
    with lib.no_grad():  # the same weights in minidl and in torch
        for i, p in enumerate(net.parameters()):
            p.copy_(lib.tensor(np.random.default_rng(10 + i).uniform(-0.5, 0.5, tuple(p.shape))))
    return net


def _gradients(net, x=None):
    return [p.grad.numpy().copy() for p in net.parameters()] + ([] if x is None else [x.grad.numpy().copy()])


def _run(lib, checkpointed, use_reentrant, x_requires_grad=True, dropout=0.0):
    net = _net(lib, dropout)
    x = lib.tensor(X, requires_grad=x_requires_grad)
    lib.manual_seed(7)
    block, head = net[:4], net[4:]
    if checkpointed:
        hidden = lib.utils.checkpoint.checkpoint(block, x, use_reentrant=use_reentrant)
    else:
        hidden = block(x)
    loss = (head(hidden) ** 2).sum()
    loss.backward()
    return loss.item(), net, x


@pytest.mark.parametrize("use_reentrant", [False, True])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_a_checkpointed_block_gives_the_gradients_of_a_recorded_run(use_reentrant, dropout):
    expected_loss, plain, x_plain = _run(T, False, use_reentrant, dropout=dropout)
    loss, net, x = _run(T, True, use_reentrant, dropout=dropout)  # dropout: the replay draws the same mask
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for ours, theirs in zip(_gradients(net, x), _gradients(plain, x_plain)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    torch = pytest.importorskip("torch")
    if dropout == 0.0:  # (random numbers differ between the libraries)
        torch_loss, torch_net, torch_x = _run(torch, True, use_reentrant)
        assert loss == pytest.approx(torch_loss, rel=1e-10)
        for ours, theirs in zip(_gradients(net, x), _gradients(torch_net, torch_x)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_the_block_is_one_node_and_runs_again_in_the_backward_pass():
    lin = T.nn.Linear(3, 3)
    calls = []

    def block(x):
        calls.append(T.is_grad_enabled())
        return T.tanh(lin(x))

    y = checkpoint(block, T.ones(2, 3), use_reentrant=False)
    assert calls == [False]  # the first run keeps no tape
    assert y.grad_fn.name() == "CheckpointFunctionBackward"  # (a Function's node name, as PyTorch's)
    parents = [node for node, _ in y.grad_fn.next_functions if node is not None]
    assert [node.name() for node in parents] == ["AccumulateGrad"] * 2  # the weight and the bias, read inside
    y.sum().backward()
    assert calls == [False, True] and lin.weight.grad is not None


def test_parameters_get_gradients_when_the_input_needs_none_only_without_reentrance():
    loss, net, _ = _run(T, True, use_reentrant=False, x_requires_grad=False)
    _, plain, _ = _run(T, False, use_reentrant=False, x_requires_grad=False)
    for ours, theirs in zip(_gradients(net), _gradients(plain)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True. Gradients will be None"):
        _, reentrant, _ = _run(T, True, use_reentrant=True, x_requires_grad=False)
    assert reentrant[0].weight.grad is None and reentrant[5].weight.grad is not None  # as in PyTorch


def test_autograd_grad_and_second_order_through_a_checkpoint():
    w = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)

    def block(v):
        return T.sin(v * w).sum()

    (gw,) = T.autograd.grad(checkpoint(block, x, use_reentrant=False), w, create_graph=True)
    np.testing.assert_allclose(gw.detach().numpy(), (x * T.cos(x * w)).detach().numpy(), rtol=1e-12)
    gw.sum().backward()  # d/dx sum_i x_i cos(x_i w_i) = cos(x w) - x w sin(x w)
    expected = T.cos(x * w) - x * w * T.sin(x * w)
    np.testing.assert_allclose(x.grad.numpy(), expected.detach().numpy(), rtol=1e-12)


def test_nested_checkpoints_and_several_outputs():
    w = T.tensor([1.5, -0.5], dtype=T.float64, requires_grad=True)

    def inner(v):
        return v * w, v + w

    def outer(v):
        a, b = checkpoint(inner, v, use_reentrant=False)
        return (a * b).exp()

    x = T.tensor([0.3, 0.7], dtype=T.float64, requires_grad=True)
    checkpoint(outer, x, use_reentrant=False).sum().backward()
    ours = (x.grad.numpy().copy(), w.grad.numpy().copy())
    x.grad = w.grad = None
    outer_plain = ((x * w) * (x + w)).exp()
    outer_plain.sum().backward()
    np.testing.assert_allclose(ours[0], x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1], w.grad.numpy(), rtol=1e-12)


def test_checkpoint_sequential_matches_the_plain_network():
    _, plain, x_plain = _run(T, False, False)
    net = _net(T)
    x = T.tensor(X, requires_grad=True)
    (checkpoint_sequential(net, 3, x, use_reentrant=False) ** 2).sum().backward()
    for ours, theirs in zip(_gradients(net, x), _gradients(plain, x_plain)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_arguments_pytorch_refuses_and_the_warning_without_use_reentrant():
    lin = T.nn.Linear(2, 2)
    x = T.ones(1, 2, requires_grad=True)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(lambda v, scale: lin(v) * scale, x, use_reentrant=True, scale=2.0)
    assert checkpoint(lambda v, scale: lin(v) * scale, x, use_reentrant=False, scale=2.0).requires_grad
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lin, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with T.no_grad():  # nothing to differentiate: the function just runs
            assert not checkpoint(lin, x, use_reentrant=False).requires_grad


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_an_input_changed_in_place_before_backward_is_an_error(use_reentrant):
    """The replay would differentiate the changed values (exp of 2z where the forward saw z): refused, as in
    PyTorch. Unchanged, the gradient is exp(z)."""
    x = T.tensor([0.0, 1.0], dtype=T.float64, requires_grad=True)
    z = x * 1
    y = checkpoint(lambda a: a.exp(), z, use_reentrant=use_reentrant)
    z.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x = T.tensor([0.0, 1.0], dtype=T.float64, requires_grad=True)
    checkpoint(lambda a: a.exp(), x * 1, use_reentrant=use_reentrant).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))
