"""``nn.functional``: PyTorch's ``torch.nn.functional`` names, as a thin layer over the shared op library.

Most names here *are* the ops of ``minidl.ops`` (same function object, re-exported). A few are small wrappers
that add what only an eager, stateful caller needs:

* ``inplace=True`` (``relu``, ``leaky_relu``, ``dropout`` ...) writes the result into the input tensor;
* ``dropout`` draws its mask from the eager default generator, so ``manual_seed`` makes it reproducible (an
  op must be pure, so the op takes its randomness from outside — see ``minidl/ops/dropout.py``);
* ``batch_norm`` updates ``running_mean`` / ``running_var`` **in place** when training, as PyTorch's does; the
  op only returns the new values (``minidl.ops.batch_norm_training``), and this is the place that stores them;
* ``embedding`` applies ``max_norm`` (renormalising the looked-up rows of the weight in place).

The layers of ``minidl.eager.nn`` call these functions; nothing here re-implements an op's math.
"""
from ... import ops
# the ops, imported from the module that defines each (so you can find their math)
from ...ops.activations import gelu, sigmoid, softplus
from ...ops.combine import pad
from ...ops.conv import conv2d, conv_transpose2d
from ...ops.cross_entropy import cross_entropy, nll_loss
from ...ops.embedding import linear
from ...ops.gather import one_hot
from ...ops.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, kl_div, l1_loss,
                           mse_loss, smooth_l1_loss)
from ...ops.normalization import group_norm, layer_norm
from ...ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ...ops.softmax import log_softmax, softmax
from ...ops.unary import tanh
from ..grad_mode import no_grad
from ..random import default_generator

__all__ = ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus",
           "softmax", "log_softmax", "linear", "bilinear", "conv2d", "conv_transpose2d", "max_pool2d",
           "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "layer_norm", "group_norm", "dropout",
           "embedding", "one_hot", "pad", "normalize", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]


def _maybe_inplace(fn, input, inplace, *args, **kwargs):
    """``fn(input, ...)``, or with ``inplace`` that result written into ``input``'s memory (the tensor then stands
    for the result in the graph, as after PyTorch's ``leaky_relu_``).

    In place, the op gets a copy of the input: its backward reads the input, which the write would overwrite.
    (PyTorch's in-place kernels save their output instead, which saves the memory; here only the semantics are
    kept.) ``relu`` and ``dropout`` do not need the copy: their backward reads only the output or the mask.
    """
    if not inplace:
        return fn(input, *args, **kwargs)
    return input._inplace(lambda t: fn(ops.clone(t), *args, **kwargs))


# ----------------------------------------------------------------------------------------- activations

def relu(input, inplace=False):
    """``max(x, 0)``."""
    return input.relu_() if inplace else ops.relu(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _maybe_inplace(ops.clamp, input, inplace, min_val, max_val)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``: ``hardtanh`` on [0, 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` for x > 0, ``negative_slope * x`` otherwise."""
    return _maybe_inplace(ops.leaky_relu, input, inplace, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    return _maybe_inplace(ops.elu, input, inplace, alpha)


def silu(input, inplace=False):
    """``x * sigmoid(x)``."""
    return _maybe_inplace(ops.silu, input, inplace)


# ------------------------------------------------------------------------------------------------ linear

def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1ᵀ W_k x2 + b_k`` for every output feature k: ``input1`` (..., in1), ``input2`` (..., in2),
    ``weight`` (out, in1, in2), ``bias`` (out,)."""
    y = ops.einsum("...i,kij,...j->...k", input1, weight, input2)
    return y if bias is None else y + bias


# ----------------------------------------------------------------------------------------- normalization

def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Batch normalization of an (N, C, ...) input per channel (see ``minidl.ops.batch_norm``).

    When ``training``, normalizes with the batch statistics and — like PyTorch — updates ``running_mean`` and
    ``running_var`` in place (if given) with ``running = (1 - momentum) * running + momentum * batch_stat``,
    the variance taken unbiased. Otherwise normalizes with the running statistics.
    """
    if not training:
        return ops.batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    result = ops.batch_norm_training(input, running_mean, running_var, weight, bias, momentum, eps)
    with no_grad():  # the statistics are state, not part of the model's function: no history
        if running_mean is not None:
            running_mean.copy_(result.running_mean.detach())
        if running_var is not None:
            running_var.copy_(result.running_var.detach())
    return result.output


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """``x / max(||x||_p, eps)`` along ``dim`` (so a zero vector stays zero instead of becoming NaN)."""
    return input / ops.clamp(ops.norm(input, p, dim, keepdim=True), min=eps)


# ----------------------------------------------------------------------------------------------- dropout

def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (identity unless
    ``training``). The mask comes from the eager default generator (``manual_seed`` reproduces it)."""
    if inplace and training:
        return input._inplace(ops.dropout, p, True, generator=default_generator)
    return ops.dropout(input, p, training, generator=default_generator)


# --------------------------------------------------------------------------------------------- embedding

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` at the integer positions ``input``; the output is ``input.shape + (embedding_dim,)``.

    ``max_norm``: first rescale, in place, each row that ``input`` refers to whose ``norm_type``-norm exceeds
    ``max_norm`` down to norm ``max_norm`` (PyTorch's behaviour: the weight itself changes).
    """
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported in minidl")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return ops.embedding(input, weight, padding_idx)


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale the rows of ``weight`` named in ``indices`` whose norm exceeds ``max_norm`` to norm ``max_norm``
    (in place, unrecorded: PyTorch's ``embedding_renorm_``). A row named twice is written twice, identically."""
    with no_grad():
        rows = ops.reshape(indices, (-1,))
        picked = ops.getitem(weight, rows)
        norms = ops.norm(picked, norm_type, dim=1, keepdim=True)
        weight[rows] = ops.where(norms > max_norm, picked * (max_norm / (norms + 1e-7)), picked)
