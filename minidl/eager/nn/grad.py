"""``nn.grad``: the gradient of a convolution with respect to its input, or to its weight, as a function of the
gradient of its output — what a hand-written ``autograd.Function`` around a convolution needs in its backward.

A convolution is linear in its input and linear in its weight, so its gradient with respect to one of them does not
depend on that one's value: each function here convolves zeros of the given size with the other operand and asks
autograd for the vector-Jacobian product with ``grad_output``. The result is differentiable in turn (with respect
to the other operand and to ``grad_output``) whenever they require grad.
"""
from .. import creation
from ..engine import grad
from ..grad_mode import enable_grad, is_grad_enabled
from . import functional as F

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]


def _vjp(conv, input, weight, wrt, grad_output, stride, padding, dilation, groups):
    keep_graph = is_grad_enabled() and (grad_output.requires_grad or (weight if wrt is input else input).requires_grad)
    with enable_grad():
        output = conv(input, weight, None, stride, padding, dilation, groups)
        if tuple(grad_output.shape) != tuple(output.shape):
            raise RuntimeError(f"nn.grad.{conv.__name__}_{'input' if wrt is input else 'weight'}: grad_output has "
                               f"shape {tuple(grad_output.shape)}, but the convolution of an input of shape "
                               f"{tuple(input.shape)} with a weight of shape {tuple(weight.shape)} gives "
                               f"{tuple(output.shape)}")
        (result,) = grad(output, wrt, grad_output, create_graph=keep_graph)
    return result


def _zeros(size, like):
    return creation.zeros(tuple(size), dtype=like.dtype, device=like.device, requires_grad=True)


def _pair(conv):
    def conv_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
        """The gradient w.r.t. the input (of shape ``input_size``) of ``conv(input, weight, ...)``."""
        input = _zeros(input_size, weight)
        return _vjp(conv, input, weight, input, grad_output, stride, padding, dilation, groups)

    def conv_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
        """The gradient w.r.t. the weight (of shape ``weight_size``) of ``conv(input, weight, ...)``."""
        weight = _zeros(weight_size, input)
        return _vjp(conv, input, weight, weight, grad_output, stride, padding, dilation, groups)
    conv_input.__name__, conv_weight.__name__ = f"{conv.__name__}_input", f"{conv.__name__}_weight"
    return conv_input, conv_weight


conv1d_input, conv1d_weight = _pair(F.conv1d)
conv2d_input, conv2d_weight = _pair(F.conv2d)
conv3d_input, conv3d_weight = _pair(F.conv3d)
