"""``nn.grad.conv{1,2,3}d_input`` and ``_weight``: the gradients of a convolution as functions, against autograd
of the convolution itself, against PyTorch's (where installed), and differentiated once more."""
import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.autograd import gradcheck

RNG = np.random.default_rng(5)
CASES = {   # dims: (input shape, weight shape, keyword arguments)
    1: ((2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, dilation=1, groups=2)),
    2: ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=1)),
    3: ((1, 2, 5, 4, 4), (2, 1, 2, 3, 2), dict(stride=1, padding=1, dilation=1, groups=2)),
}


def _arrays(dims):
    input_shape, weight_shape, kwargs = CASES[dims]
    conv = getattr(T.nn.functional, f"conv{dims}d")
    x, w = RNG.standard_normal(input_shape), RNG.standard_normal(weight_shape)
    out_shape = conv(T.tensor(x), T.tensor(w), **kwargs).shape
    return x, w, RNG.standard_normal(tuple(out_shape)), kwargs


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_gradients_equal_autograd_of_the_convolution(dims):
    x, w, g, kwargs = _arrays(dims)
    xt, wt = T.tensor(x, requires_grad=True), T.tensor(w, requires_grad=True)
    getattr(T.nn.functional, f"conv{dims}d")(xt, wt, **kwargs).backward(T.tensor(g))
    grad_input = getattr(T.nn.grad, f"conv{dims}d_input")(x.shape, T.tensor(w), T.tensor(g), **kwargs)
    grad_weight = getattr(T.nn.grad, f"conv{dims}d_weight")(T.tensor(x), w.shape, T.tensor(g), **kwargs)
    np.testing.assert_allclose(grad_input.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_weight.numpy(), wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert not grad_input.requires_grad and not grad_weight.requires_grad


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_gradients_equal_pytorchs(dims):
    torch = pytest.importorskip("torch")
    x, w, g, kwargs = _arrays(dims)
    for name, first in (("input", x.shape), ("weight", x)):
        ours = getattr(T.nn.grad, f"conv{dims}d_{name}")(
            first if name == "input" else T.tensor(first), w.shape if name == "weight" else T.tensor(w), T.tensor(g),
            **kwargs)
        theirs = getattr(torch.nn.grad, f"conv{dims}d_{name}")(
            first if name == "input" else torch.tensor(first), w.shape if name == "weight" else torch.tensor(w),
            torch.tensor(g), **kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_gradients_are_differentiable_in_the_other_operand_and_grad_output():
    x, w, g, kwargs = _arrays(2)
    grad_input = T.nn.grad.conv2d_input
    grad_weight = T.nn.grad.conv2d_weight
    assert gradcheck(lambda w_, g_: grad_input(x.shape, w_, g_, **kwargs),
                     (T.tensor(w, requires_grad=True), T.tensor(g, requires_grad=True)))
    assert gradcheck(lambda x_, g_: grad_weight(x_, w.shape, g_, **kwargs),
                     (T.tensor(x, requires_grad=True), T.tensor(g, requires_grad=True)))


def test_a_grad_output_of_the_wrong_shape_is_named():
    x, w, g, kwargs = _arrays(2)
    with pytest.raises(RuntimeError, match=r"conv2d_input: grad_output has shape \(3, 4\)"):
        T.nn.grad.conv2d_input(x.shape, T.tensor(w), T.ones(3, 4), **kwargs)
