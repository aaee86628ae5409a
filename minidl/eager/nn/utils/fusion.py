"""``nn.utils.fuse_conv_bn_eval`` and kin: folding an eval-mode batch norm into the layer before it.

In evaluation, batch norm is a fixed affine map per channel: y = γ (x - μ) / √(σ² + ε) + β with the running
mean μ and variance σ². Applied to a convolution's (or linear layer's) output x = W * input + b, it is itself such
a layer, with per output channel c ::

    s_c = γ_c / √(σ²_c + ε),      W'_c = s_c W_c,      b'_c = s_c (b_c - μ_c) + β_c

so the pair becomes one layer, one op fewer at inference (and the same numbers, up to rounding).
"""
import copy

from .... import ops
from ...grad_mode import no_grad
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(W', b') of the fused convolution as Parameters; ``conv_b``, ``bn_w``, ``bn_b`` may be None (0, 1, 0).
    The output channels are dim 0 of a convolution's weight, dim 1 of a transposed one's."""
    with no_grad():
        scale = ops.ones_like(bn_rm) if bn_w is None else bn_w
        scale = scale * ops.rsqrt(bn_rv + bn_eps)
        shape = [1] * conv_w.ndim
        shape[1 if transpose else 0] = -1
        weight = conv_w * ops.reshape(scale, tuple(shape))
        bias = (ops.zeros_like(bn_rm) if conv_b is None else conv_b) - bn_rm
        bias = bias * scale + (ops.zeros_like(bn_rm) if bn_b is None else bn_b)
    # (each keeps its own flag, as in PyTorch: a layer made without a bias gets one that needs no gradient)
    return Parameter(weight, conv_w.requires_grad), Parameter(bias, conv_b is not None and conv_b.requires_grad)


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """(W', b') of the fused linear layer (its weight is (out, in): the output features are dim 0)."""
    return fuse_conv_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def _fused(fn_name, layer, bn, transpose=False):
    if layer.training or bn.training:
        raise AssertionError(f"{fn_name}: Fusion only for eval! (call .eval() on both modules)")
    if bn.running_mean is None or bn.running_var is None:  # (a BatchNorm made with track_running_stats=False)
        raise AssertionError(f"{fn_name}: running_mean and running_var must not be None: the BatchNorm keeps no "
                             f"running statistics to fold in")
    fused = copy.deepcopy(layer)
    fused.weight, fused.bias = fuse_conv_bn_weights(layer.weight, layer.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of ``conv`` with ``bn`` (both in eval mode) folded into its weight and bias."""
    return _fused("fuse_conv_bn_eval", conv, bn, transpose)


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` with ``bn`` (a BatchNorm1d over its outputs; both in eval mode) folded in."""
    return _fused("fuse_linear_bn_eval", linear, bn)
