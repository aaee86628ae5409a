"""Gradients that PyTorch programs rely on at the edges: in-place ops whose backward reads their input (the old
value is kept, as PyTorch's ``original_self``), tensors overwritten with constants, gradients exactly on the
kinks of piecewise activations, and losses whose every target is ignored. Each case is checked against float64
central differences where the function is smooth there, and against PyTorch where it is installed."""
import weakref

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

START = np.array([0.5, 1.25, 2.0])

# each builds a scalar from the leaf ``x``; ``L`` is minidl.eager or torch
IN_PLACE = {
    "clamp_": lambda L, x: (lambda h: (h.clamp_(min=0), (h * h).sum())[1])(x * 2 - 3),
    "clamp_ with tensor bounds": lambda L, x: (lambda h: (h.clamp_(max=x * 0 + 1.5), (h * h).sum())[1])(x * 2),
    "abs_": lambda L, x: (lambda h: (h.abs_(), (h * L.tensor([1.0, 2.0, 3.0], dtype=L.float64)).sum())[1])(x - 1),
    "pow_ then sqrt_": lambda L, x: (lambda h: (h.pow_(2).sqrt_(), h.sum())[1])(x * 3),
    "square_": lambda L, x: (lambda h: (h.square_(), h.sum())[1])(x - 1),
    "sin_": lambda L, x: (lambda h: (h.sin_(), h.sum())[1])(x * 1.5),
    "div_ by a tensor": lambda L, x: (lambda h: (h.div_(x + 1), h.sum())[1])(x * x),
    "mul_ of a constant by a tensor": lambda L, x: (lambda z: (z.mul_(x), (z * z).sum())[1])(
        L.tensor([1.0, 2.0, 3.0], dtype=L.float64)),
    "elu inplace": lambda L, x: L.nn.functional.elu(x - 1.5, inplace=True).sum(),
    "relu_ then reuse": lambda L, x: (lambda h: (h.relu_(), (h * x).sum())[1])(x - 1),
    "copy_ of a leaf into a constant": lambda L, x: (lambda z: (z.copy_(x), (z * 2).sum())[1])(
        L.zeros(3, dtype=L.float64)),
    "fill_ cuts the history": lambda L, x: (lambda e: (e.fill_(1.0), (e * x).sum())[1])(x * 2),
    "zero_ cuts the history": lambda L, x: (lambda e: (e.zero_(), (e * 5 + x).sum())[1])(x * 2),
    "copy_ of data cuts the history": lambda L, x: (lambda e: (e.copy_(L.ones(3, dtype=L.float64)), (e * x).sum())[1])(
        x * 2),
    # results that backward never reads, changed in place afterwards: the backward reads the inputs, as PyTorch's
    "masked_fill_ of x ** 2": lambda L, x: (lambda d: (d.masked_fill_(d > 0.5, 0.5), (d * d).sum())[1])((x - 1) ** 2),
    "mul_ of elu's result": lambda L, x: (lambda h: (h.mul_(2), (h * h).sum())[1])(L.nn.functional.elu(x - 1.5)),
    "add_ to relu6's result": lambda L, x: (lambda h: (h.add_(1), (h * h).sum())[1])(L.nn.functional.relu6(x * 4 - 3)),
    "add_ to layer_norm's result": lambda L, x: (lambda h: (h.add_(1), (h * h * x).sum())[1])(
        L.nn.functional.layer_norm(x, (3,))),
    # an input changed in place after an op whose backward does not read it (``2 / h`` is h.reciprocal() * 2)
    "add_ to the divisor of 2 / h": lambda L, x: (lambda h: (lambda q: (h.add_(1), (q * h).sum())[1])(2 / h))(x * 3),
    "add_ to the dividend of fmod(h, 0.7)": lambda L, x: (lambda h: (lambda q: (h.add_(1), (q * q * h).sum())[1])(
        L.fmod(h, 0.7)))(x * 3),
    "add_ to the start of lerp(h, 0, 0.3)": lambda L, x: (lambda h: (lambda q: (h.add_(1), (q * q * h).sum())[1])(
        L.lerp(h, L.zeros(3, dtype=L.float64), 0.3)))(x * 3),
}


@pytest.mark.parametrize("case", IN_PLACE)
def test_in_place_ops_on_tensors_in_the_graph_have_pytorch_s_gradients(case):
    check_gradient(IN_PLACE[case], START)


def test_a_tensor_overwritten_with_constants_still_requires_grad_as_in_pytorch():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    e = x * 2
    e.fill_(1.0)
    assert e.requires_grad and e.grad_fn is not None
    z = T.zeros(2)
    z.copy_(x)
    assert not z.is_leaf and z.grad_fn is not None


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_copy_of_a_tensor_that_requires_grad_gives_the_overwritten_history_a_zero_gradient(lib):
    L = pytest.importorskip("torch") if lib == "torch" else T
    a, c, b = L.ones(3, requires_grad=True), L.ones(3, requires_grad=True), L.full((2,), 2.0, requires_grad=True)
    whole, part = a * 3, c * 3
    whole.copy_(b[:1])  # broadcast over all of whole: a's history is gone, its gradient 0 (not None)
    part[:2].copy_(b)  # through a view: only the last element keeps c's history
    (whole * whole + part * part).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0] and c.grad.tolist() == [0.0, 0.0, 18.0]
    assert b.grad.tolist() == [4.0 * 3 + 4.0, 4.0]


def test_an_in_place_op_keeps_a_copy_of_the_old_value_only_when_its_backward_reads_it():
    x = T.tensor([1.0, -2.0], requires_grad=True)
    h = x * 1
    data = h._data
    h.relu_()                       # relu's backward reads its output: no copy of the old value is made, the
    assert h._data is data and h.grad_fn.inputs[0]._data.strides == (0,)  # node keeps a stand-in of zeros
    y = x * 1
    y.abs_()                        # abs reads its input: the node holds the old numbers, the tensor the new
    old = y.grad_fn.inputs[0]
    assert old._data.tolist() == [1.0, -2.0] and y.tolist() == [1.0, 2.0]


def test_a_node_keeps_no_input_whose_value_its_backward_never_reads():
    x = T.randn(200, 100, requires_grad=True)  # big enough to be worth freeing
    a = x * 2.0
    alive = weakref.ref(a)
    y = a.tanh()                    # tanh's backward reads its output; of its input, only the shape
    del a
    assert alive() is None          # freed now, as PyTorch frees it, not kept until backward
    assert y.grad_fn.inputs[0].shape == (200, 100) and y.grad_fn.inputs[0].dtype == T.float32
    (y * y).sum().backward()
    t = y.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * t * (1 - t * t), rtol=1e-5)


# gradients exactly on the kinks, PyTorch's values: hardtanh/relu6 pass nothing on their bounds (clamp passes all)
KINKS = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0])
KINK_CASES = {
    "hardtanh": (lambda F, x: F.hardtanh(x), [0, 0, 1, 0, 0, 0]),
    "relu6": (lambda F, x: F.relu6(x), [0, 0, 0, 1, 1, 0]),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x), [0, 1 / 6, 1 / 6, 1 / 6, 0, 0]),
    "hardswish": (lambda F, x: F.hardswish(x), [0, 1 / 6, 0.5, 5 / 6, 1, 1]),
    "clamp": (lambda F, x: x.clamp(-1, 1), [0, 1, 1, 1, 0, 0]),
}


@pytest.mark.parametrize("name", KINK_CASES)
def test_gradients_on_the_kinks_of_piecewise_activations(name):
    fn, expected = KINK_CASES[name]
    x = T.tensor(KINKS, requires_grad=True)
    fn(T.nn.functional, x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, atol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(KINKS, requires_grad=True)
    fn(torch.nn.functional, theirs).sum().backward()
    np.testing.assert_allclose(theirs.grad.numpy(), expected, atol=1e-12)


def test_relu6_in_graph_mode_passes_nothing_on_its_bounds():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(KINKS)
        (grad,) = tf.gradients(tf.reduce_sum(tf.nn.relu6(x)), [x])
    with tf.Session(graph=graph) as sess:
        assert sess.run(grad).tolist() == [0, 0, 0, 1, 1, 0]


def test_atan2_has_a_zero_gradient_at_the_origin_and_the_usual_one_elsewhere():
    y = T.tensor([0.0, 1.0], dtype=T.float64, requires_grad=True)
    x = T.tensor([0.0, 2.0], dtype=T.float64, requires_grad=True)
    T.atan2(y, x).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 2 / 5])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, -1 / 5])


@pytest.mark.parametrize("loss", [
    lambda F, x: F.cross_entropy(x, T_or(F, [-100, -100])),
    lambda F, x: F.nll_loss(x.log_softmax(1), T_or(F, [0, 0]), ignore_index=0),
    lambda F, x: F.cross_entropy(x, T_or(F, [1, -100, -100])[:2]),
], ids=["cross_entropy", "nll_loss", "one_target_left"])
def test_a_mean_loss_whose_targets_are_all_ignored_is_nan_with_a_zero_gradient(loss):
    """PyTorch: 0/0 gives a NaN loss, but the ignored positions get gradient 0 (a padded batch must not poison the
    parameters)."""
    x = T.zeros(2, 3, dtype=T.float64, requires_grad=True)
    value = loss(T.nn.functional, x)
    value.backward()
    assert np.isfinite(x.grad.numpy()).all()
    torch = pytest.importorskip("torch")
    theirs = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    their_value = loss(torch.nn.functional, theirs)
    their_value.backward()
    np.testing.assert_allclose(value.item(), their_value.item(), equal_nan=True)
    np.testing.assert_allclose(x.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


def T_or(F, values):
    """The targets as a tensor of the library that ``F`` (its nn.functional) belongs to."""
    import sys
    library = sys.modules[F.__name__.split(".nn")[0]]
    return library.tensor(values)


def test_a_custom_function_node_keeps_only_what_its_ctx_saved():
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a)
            return a * a + b

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a * g, g

    x = T.randn(200, 100, requires_grad=True)
    a, b = x * 1.5, x * 0.5
    unread = weakref.ref(b)
    y = Square.apply(a, b)
    del b
    assert unread() is None  # b's values are never read again: freed, as PyTorch frees it
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 1.5 * 1.5 * x.detach().numpy() + 0.5, rtol=1e-5, atol=1e-6)


class _Identity(T.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        return t  # the input as it is: the output shares its memory

    @staticmethod
    def backward(ctx, g):
        return g


class _FirstRow(T.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        return t[0]  # a view of the input

    @staticmethod
    def backward(ctx, g):
        return T.stack([g, T.zeros_like(g)])


@pytest.mark.parametrize("make", [
    lambda x: _Identity.apply(x * 1),
    lambda x: _FirstRow.apply((x * 1).reshape(2, 2)),
    lambda x: (lambda m: (m.register_full_backward_hook(lambda *a: None), m(x * 1))[1])(T.nn.Identity()),
    lambda x: (lambda m: (m.register_full_backward_hook(lambda *a: None), m(x * 1))[1])(T.nn.Dropout().eval()),
], ids=["input returned as is", "a view of the input", "hooked Identity", "hooked Dropout in eval"])
def test_an_output_of_a_function_that_shares_an_inputs_memory_cannot_change_in_place(make):
    """Its node is the Function's, which knows nothing of views: y.mul_(2) changed the values, not the gradient
    (x.grad stayed 1 where the values were 2x); after a hooked eval Dropout, relu(inplace=True) then + z gave
    [1, 2, 1] for [0, 2, 0]. PyTorch refuses, and so does minidl now; a clone may change."""
    x = T.tensor([1.0, -2.0, 3.0, 4.0], requires_grad=True)
    y = make(x)
    with pytest.raises(RuntimeError, match="is a view and is being modified inplace.*cloning the output"):
        y.mul_(2)
    y.clone().mul_(2)  # the way out the message names
    out = _Identity.apply(x * 1)
    (out * 2).sum().backward()  # used out of place, it is an ordinary output
    assert x.grad.tolist() == [2.0] * 4
