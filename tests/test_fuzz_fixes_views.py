"""What a stateful differential fuzz of views and in-place changes against PyTorch 2.13 found, each fixed:

* a squeeze that drops no dim handed back its input array itself, which was not tracked as a view: writes through
  it were neither versioned nor recorded (silently wrong gradients);
* unbind of a 1-d tensor gave copies (numpy scalars), not 0-d views;
* unsqueeze_, t_, transpose_, swapaxes_, squeeze_, as_strided_ on a non-leaf changed the shape that earlier
  nodes read in backward (a crash, or a silently wrong gradient); a view's index into its parent went stale too;
* retain_grad() stayed on the value before an in-place change (PyTorch moves it to the current value);
* a view overwritten with constants (zero_, fill_, copy_ of data) lost requires_grad;
* writes into a part of an expand()ed tensor whose elements do not overlap were refused (numpy marks every view
  of a broadcast read-only), and so were fill_/zero_ of the whole expanded tensor.

Values and gradients are compared with PyTorch; gradients also with float64 central differences.
"""
import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences, check_gradient

MATRIX = np.array([[0.3, -1.2, 0.7], [1.5, 0.4, -0.6]])


def _torch():
    return pytest.importorskip("torch")


def _both(body):
    """``body(L)`` run with minidl and with PyTorch: the two results, as nested lists."""
    torch = _torch()
    return body(T), body(torch)


# ------------------------------------------------------------------------- a squeeze that drops no dim

@pytest.mark.parametrize("form", ["b.squeeze()", "b.squeeze(0)", "b.squeeze((0,))", "L.squeeze(b)", "b.view(3)",
                                  "b.reshape(3)", "b.expand(3)", "b.t()", "b.flatten()", "b.transpose(0, 0)",
                                  "b[...]", "b.narrow(0, 0, 3)", "b.view_as(b)", "b.unflatten(0, (3,))"])
def test_an_identity_like_view_is_tracked_as_a_view(form):
    def build(L, x):
        b = x * 1
        eval(form, {"b": b, "L": L}).mul_(x[0])  # so b = x * x[0]
        return (b * b).sum()
    check_gradient(build, np.array([-1.03, 1.177, 0.366]))


def test_writes_through_a_squeeze_that_drops_nothing_are_versioned():
    torch = _torch()
    for L in (T, torch):
        b = L.tensor([-1.03, 1.177, 0.366], dtype=L.float64, requires_grad=True).tanh()  # tanh's VJP reads b
        b.squeeze(-1).mul_(2)
        assert b._version == 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_a_view_of_a_squeeze_that_drops_nothing_sees_later_changes():
    def build(L, x):
        b = x.clone()
        v = b.squeeze().unsqueeze(0)
        b[1:].exp_()
        return (v * v).sum()
    check_gradient(build, np.array([0.74, 0.253, -0.518]))


# ------------------------------------------------------------------------------------ unbind of 1-d

def test_unbind_of_a_vector_gives_0d_views():
    def body(L):
        x = L.tensor([1.0, 2.0])
        first, second = x.unbind(0)
        first.mul_(10)  # reaches x
        x.add_(100)  # reaches the pieces
        return first.shape, x.tolist(), first.item(), second.item()
    ours, theirs = _both(body)
    assert ours == theirs == ((), [110.0, 102.0], 110.0, 102.0)


def test_a_piece_of_unbind_follows_in_place_changes_of_its_base_in_the_gradient():
    # (PyTorch refuses to use a piece of unbind after its base changed in place: the gradient is checked against
    # its value worked out by hand, d(3·exp(x1))/dx = [0, 3·exp(x1), 0], and central differences)
    def build(L, x):
        b = x * 1
        piece = b.unbind(0)[1]
        b.exp_()
        return piece * 3
    start = np.array([1.0, 2.0, 3.0])
    x = T.tensor(start, requires_grad=True)
    build(T, x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 3 * np.exp(2.0), 0.0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), central_differences(lambda v: build(T, v), start), rtol=1e-6)


# ----------------------------------------------------------------- in-place metadata changes of a non-leaf

@pytest.mark.parametrize("change", ["unsqueeze_(0)", "t_()", "transpose_(0, 1)", "swapaxes_(0, 1)",
                                    "swapdims_(1, 0)", "as_strided_((3, 2), (1, 3))"])
@pytest.mark.parametrize("earlier", ["b * 2", "b[:1] * 2", "b.sum(0) * 3", "b.exp()"])
def test_earlier_nodes_keep_the_shape_a_metadata_change_in_place_replaces(change, earlier):
    def build(L, x):
        b = x * 1
        u = eval(earlier, {"b": b})  # recorded while b is 2x3; its VJP reads b's shape
        eval("b." + change, {"b": b})
        return (u * u).sum() + (b * b * b).sum()
    check_gradient(build, MATRIX)


def test_squeeze_in_place_after_a_node_read_the_shape():
    def build(L, x):
        b = x.unsqueeze(0) * 1
        u = b[:, :1] * 2
        b.squeeze_(0)
        return (u * u).sum() + (b * b * b).sum()
    check_gradient(build, MATRIX)


def test_a_metadata_change_of_a_view_then_an_in_place_change_reaches_the_base_by_memory():
    weights = np.array([[1.0, -2.0], [3.0, 0.5]])

    def build(L, x):
        c = x * 1
        b = c[0]  # its index 0 into c no longer gives it once it is transposed
        b.t_()
        b.mul_(L.tensor(weights))
        return (c * c).sum()
    check_gradient(build, np.arange(1.0, 9.0).reshape(2, 2, 2) / 4)


def test_a_metadata_change_of_a_stale_view_starts_from_its_current_history():
    weights = np.array([[1.0, 10.0], [100.0, 1000.0]])

    def build(L, x):
        c = x * 1
        b = c[0:2]
        c.mul_(3)  # b's history is now stale
        b.t_()
        return (b * L.tensor(weights)).sum()
    check_gradient(build, np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_a_node_that_read_the_value_refuses_after_a_metadata_change():
    torch = _torch()
    for L in (T, torch):
        b = L.tensor([[1.0, 2.0, 3.0]], requires_grad=True) * 1
        u = b * b
        b.squeeze_(0)
        assert b._version == 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            u.sum().backward()


# ---------------------------------------------------------------------------- retain_grad and in-place

RETAINED = {
    "changed in place": "y = x * 2; y.retain_grad(); z = y * 5; y.add_(1); y.mul_(2); loss = z.sum() + y.sum()",
    "base, view changed": "y = x * 2; y.retain_grad(); z = y * 5; y[0].mul_(3); loss = z.sum() + y.sum()",
    "view, base changed": "c = x * 2; y = c[:1]; y.retain_grad(); z = y * 5; c.mul_(3); loss = z.sum() + y.sum()",
    "view changed": "c = x * 2; y = c[:1]; y.retain_grad(); z = y * 5; y.mul_(3); loss = z.sum() + y.sum()",
    # a metadata change leaves it on the value before, in PyTorch (whose .grad then has the old shape)
    "unsqueeze_": "y = x * 2; y.retain_grad(); z = y * 5; y.unsqueeze_(0); loss = z.sum() + (y * y).sum()",
}


@pytest.mark.parametrize("program", RETAINED.values(), ids=RETAINED.keys())
def test_retain_grad_gives_the_gradient_of_the_current_value(program):
    def body(L):
        scope = {"x": L.tensor([1.0, 2.0], requires_grad=True)}
        exec(program, scope)
        scope["loss"].backward()
        return scope["y"].grad.tolist(), scope["x"].grad.tolist(), scope["y"].retains_grad
    ours, theirs = _both(body)
    assert ours == theirs


# ------------------------------------------------------------------- a view overwritten with constants

@pytest.mark.parametrize("overwrite", ["v.zero_()", "v.fill_(2.0)", "v.copy_(L.ones(2, dtype=L.float64))",
                                       "v[...] = 4.0"])
def test_a_view_overwritten_with_constants_still_requires_grad(overwrite):
    def build(L, x):
        b = x * 1
        v = b[:2]
        exec(overwrite, {"v": v, "L": L})
        assert v.requires_grad == b.requires_grad == x.requires_grad  # (x does not, for central differences)
        return (v * 3).sum() + (b * b).sum()
    check_gradient(build, np.array([1.0, 2.0, 3.0]))


# ------------------------------------------------------------------------------ writes into expand()ed memory

@pytest.mark.parametrize("write", ["b.expand(2, 3)[0].mul_(2)", "b.expand(2, 3)[1, 2].fill_(0)",
                                   "b[0].expand(2).select(0, 1).mul_(5)", "b.expand(2, 3).fill_(7)",
                                   "b.expand(2, 3).zero_()", "b.expand(2, 3)[:, 0].fill_(4)",
                                   "v = b.expand(2, 3); v[0] = 5.0", "v = b.expand(2, 3); v[1] = L.ones(3) * 4",
                                   "v = b.expand(2, 3); v[0, 1] = 9.0", "b.expand(2, 3)[1:, 1:].mul_(3)",
                                   "b.expand(2, 3).detach()[0].add_(1)", "b.expand(2, 3).data.fill_(3)",
                                   "b.unsqueeze(0).expand(2, 3)[1][1:].add_(L.ones(2))"])
def test_writes_where_expanded_elements_do_not_overlap_reach_the_base(write):
    def body(L):
        b = L.tensor([1.0, 2.0, 3.0])
        exec(write, {"b": b, "L": L})
        return b.tolist()
    ours, theirs = _both(body)
    assert ours == theirs


@pytest.mark.parametrize("write", ["b.expand(2, 3).mul_(2)", "b.expand(2, 3)[:, 0].mul_(2)",
                                   "v = b.expand(2, 3); v[:, 0] = 4.0", "v = b.expand(2, 3); v[:] = 5.0",
                                   "b.expand(2, 3).fill_(L.tensor(4.0))", "b.expand(2, 3).copy_(L.ones(3))",
                                   "b.expand(2, 3).t()[1].mul_(3)",
                                   "L.arange(200.0)[::100].expand(2, 2).mul_(2)"])
def test_writes_where_expanded_elements_overlap_are_refused(write):
    torch = _torch()
    for L, match in ((T, "more than one element of this tensor refers to the same memory location"),
                     (torch, "more than one element of the written-to tensor refers to a single memory location")):
        b = L.tensor([1.0, 2.0, 3.0])
        with pytest.raises(RuntimeError, match=match):
            exec(write, {"b": b, "L": L})
        assert b.tolist() == [1.0, 2.0, 3.0]


def test_read_only_numpy_memory_stays_read_only_through_expand():
    values = np.arange(3.0)
    values.setflags(write=False)
    for write in (lambda t: t.expand(2, 3)[0].add_(1), lambda t: t[1:].fill_(0), lambda t: t.expand(2, 3).zero_()):
        with pytest.raises(RuntimeError, match="memory is read-only"):
            write(T.from_numpy(values))
    assert values.tolist() == [0.0, 1.0, 2.0]


EXPANDED_GRADIENTS = {
    "row": "e = b.expand(2, 3); e[0].mul_(x[0]); loss = (b * e).sum()",
    "element": "e = b.expand(2, 3); e[1, 2].mul_(x[1]); loss = (b * e).sum()",
    "setitem": "e = b.expand(2, 3); e[1] = x * x; loss = (b * e * e).sum()",
    "nested": "e = b.unsqueeze(0).expand(2, 3)[1][1:]; e.add_(x[:2] * 3); loss = (b ** 3).sum()",
    "fill": "e = b.expand(2, 3); e[1, 2].fill_(0); loss = (b * e).sum()",
}


@pytest.mark.parametrize("program", EXPANDED_GRADIENTS.values(), ids=EXPANDED_GRADIENTS.keys())
def test_gradients_through_writes_into_expanded_memory(program):
    def build(L, x):
        scope = {"x": x, "b": x * 1, "L": L}
        exec(program, scope)
        return scope["loss"]
    check_gradient(build, np.array([1.0, -2.0, 3.0]))
