"""``autograd.graph``'s edges and group hooks: ``register_multi_grad_hook`` (once per backward pass, when every
gradient of the group that the pass computes is there — or with the first, mode "any"), ``get_gradient_edge``
(taken by ``autograd.grad`` as an input or an output) and ``increment_version``. The same assertions run on minidl
and, where installed, on PyTorch."""
import numpy as np
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _pair(lib):
    a = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = lib.tensor(np.ones((2, 3)) * 2, requires_grad=True)
    return a, b


def test_all_mode_waits_for_what_this_pass_computes(lib):
    a, b = _pair(lib)
    c, d = a * b, a * b
    calls = []
    handle = lib.autograd.graph.register_multi_grad_hook((a, b, c, d), lambda grads: calls.append(grads))
    c.sum().backward(retain_graph=True)
    assert [g is not None for g in calls[-1]] == [True, True, True, False]   # d is not on this pass's path
    np.testing.assert_array_equal(calls[-1][0].numpy(), np.full((2, 3), 2.0))   # dc/da = b
    c.sum().backward(inputs=(a,), retain_graph=True)
    assert [g is not None for g in calls[-1]] == [True, False, True, False]  # b is not asked for
    assert len(calls) == 2   # once per pass
    handle.remove()
    c.sum().backward()
    assert len(calls) == 2


def test_all_mode_runs_before_the_last_gradient_is_accumulated(lib):
    a, b = _pair(lib)
    seen = []
    lib.autograd.graph.register_multi_grad_hook(
        (a, b), lambda grads: seen.append(sum(t.grad is None for t in (a, b))))
    (a * b).sum().backward()
    assert seen == [1]   # one of the two .grad fields is still empty when the group's hook runs
    assert a.grad is not None and b.grad is not None


def test_all_mode_with_autograd_grad_on_non_leaves(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    calls = []
    lib.autograd.graph.register_multi_grad_hook((y, z), lambda grads: calls.append(grads))
    (gx,) = lib.autograd.grad(z.sum(), [x], retain_graph=True)
    np.testing.assert_array_equal(gx.numpy(), [6.0, 6.0])
    assert [g is not None for g in calls[-1]] == [True, True]
    np.testing.assert_array_equal(calls[-1][0].numpy(), [3.0, 3.0])
    lib.autograd.grad(z.sum(), [y])
    assert len(calls) == 2


def test_a_leaf_in_the_group_is_refused_under_autograd_grad(lib):
    a, b = _pair(lib)
    lib.autograd.graph.register_multi_grad_hook((a, b), lambda grads: None)
    with pytest.raises(RuntimeError, match="leaf node was passed to _will_engine_execute_node"):
        lib.autograd.grad((a * b).sum(), [a])


def test_any_mode_is_called_with_the_first_gradient_once_per_pass(lib):
    a, b = _pair(lib)
    first = []
    lib.autograd.graph.register_multi_grad_hook((a, b), lambda grad: first.append(grad), mode="any")
    (a.sum() + 2 * b.sum()).backward()
    assert len(first) == 1 and float(first[0].sum()) in (6.0, 12.0)
    (3 * a.sum()).backward()
    assert len(first) == 2
    np.testing.assert_array_equal(first[1].numpy(), np.full((2, 3), 3.0))
    with pytest.raises(ValueError, match="Expects mode to be one of"):
        lib.autograd.graph.register_multi_grad_hook((a,), print, mode="some")


def test_gradient_edges_as_inputs_and_outputs_of_grad(lib):
    x = lib.tensor([1.0, -2.0], requires_grad=True)
    h = x * x
    edge = lib.autograd.graph.get_gradient_edge(h)
    assert edge.node is h.grad_fn and edge.output_nr == 0
    loss = (h * 3).sum()
    (at_h,) = lib.autograd.grad(loss, edge, retain_graph=True)
    np.testing.assert_array_equal(at_h.numpy(), [3.0, 3.0])
    # from the edge of h down to x: the gradient handed to h's node, pulled back through it (2x each)
    (at_x,) = lib.autograd.grad(edge, x, grad_outputs=lib.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(at_x.numpy(), [2.0, -4.0])
    assert lib.autograd.graph.get_gradient_edge(x).node is not None   # a leaf's edge: its accumulator
    with pytest.raises(RuntimeError, match="not possible to get the gradient edge"):
        lib.autograd.graph.get_gradient_edge(lib.ones(2))


def test_increment_version_marks_an_unseen_change(lib):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    z = y.sin()   # sin saves y
    lib.autograd.graph.increment_version(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
