"""``nn.functional``: PyTorch's ``torch.nn.functional`` names, as a thin layer over the shared op library.

Most names here *are* the ops of ``minidl.ops`` (same function object, re-exported). A few are small wrappers
that add what only an eager, stateful caller needs:

* ``inplace=True`` (``relu``, ``leaky_relu``, ``dropout`` ...) writes the result into the input tensor;
* ``dropout`` draws its mask from the eager default generator, so ``manual_seed`` makes it reproducible (an
  op must be pure, so the op takes its randomness from outside — see ``minidl/ops/dropout.py``);
* ``batch_norm`` updates ``running_mean`` / ``running_var`` **in place** when training, as PyTorch's does; the
  op only returns the new values (``minidl.ops.batch_norm_training``), and this is the place that stores them;
* ``embedding`` applies ``max_norm`` (renormalising the looked-up rows of the weight in place);
* ``softmax``, ``log_softmax`` and ``softmin`` may be called without ``dim`` (PyTorch's deprecated guess, with
  its warning).

The layers of ``minidl.eager.nn`` call these functions; nothing here re-implements an op's math. The newer
activations (``selu``, ``mish``, ``hardswish`` ...) are compositions of ops, so their gradients come from the ops
they are made of; the 1-D convolution and pooling run the 2-D ops on a height-1 image (max unpooling and
power-average pooling are in ``minidl/ops/unpooling.py``). The loss functions
(with PyTorch's legacy ``size_average`` / ``reduce`` arguments) live in ``loss_functions.py``,
``classification_losses.py`` and ``likelihood_losses.py`` (``ctc_loss`` is an op: ``minidl/ops/ctc.py``),
``interpolate`` in ``interpolation.py``, and ``glu``, ``gumbel_softmax``, ``alpha_dropout``,
``feature_alpha_dropout``, ``local_response_norm``, ``channel_shuffle``, ``hardshrink``, ``softshrink``, ``rrelu``
and ``rms_norm`` in ``small_functions.py``; all are re-exported here.
"""
import numbers
import warnings

from ... import ops
# the ops, imported from the module that defines each (so you can find their math)
from ...ops.activations import gelu, sigmoid, softplus
from ...ops.base import OpError, describe, is_tensor
from ...ops.conv import conv2d, conv3d, conv_transpose2d, conv_transpose3d
from ...ops.ctc import ctc_loss
from ...ops.linalg import linear
from ...ops.gather import one_hot
from ...ops.grid_sampling import affine_grid, grid_sample
from ...ops.losses import huber_loss as _huber_loss
from ...ops.normalization import group_norm, layer_norm
from ...ops.pooling import (adaptive_avg_pool2d, adaptive_avg_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d,
                            max_pool2d, max_pool3d)
from ...ops.promote import number_as, require_same_dtype
from ...ops.unary import tanh
from ...ops.unpooling import lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d, max_unpool2d, max_unpool3d
from ..creation import empty
from ..grad_mode import no_grad
from ..random import default_generator
from ..sparse_gradients import embedding_with_sparse_grad
from .classification_losses import (multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss,
                                    soft_margin_loss)
from .interpolation import interpolate, upsample, upsample_bilinear, upsample_nearest
from .likelihood_losses import gaussian_nll_loss, poisson_nll_loss
from .loss_functions import (binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss,
                             cosine_similarity, cross_entropy, hinge_embedding_loss, kl_div, l1_loss,
                             margin_ranking_loss, mse_loss, nll_loss, pairwise_distance, pdist, smooth_l1_loss,
                             triplet_margin_loss, triplet_margin_with_distance_loss)
from .small_functions import (alpha_dropout, channel_shuffle, feature_alpha_dropout, glu, gumbel_softmax,
                              hardshrink, local_response_norm, pad, rms_norm, rrelu, softshrink)
from ..amp import runs_in_float32

huber_loss = runs_in_float32(_huber_loss)  # the op library's function, in float32 under autocast (amp.py)

__all__ = ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid",
           "logsigmoid", "hardsigmoid", "hardswish", "tanh", "softsign", "tanhshrink", "softplus", "threshold",
           "prelu", "softmax", "softmin", "log_softmax", "linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_tbc",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d",
           "avg_pool1d", "avg_pool2d", "avg_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "batch_norm", "layer_norm", "group_norm", "dropout",
           "dropout1d", "dropout2d", "dropout3d", "embedding", "one_hot", "pad", "interpolate", "upsample",
           "upsample_nearest", "upsample_bilinear", "normalize", "cosine_similarity", "pairwise_distance",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "ctc_loss", "glu", "gumbel_softmax", "alpha_dropout", "local_response_norm",
           "channel_shuffle", "affine_grid", "grid_sample", "feature_alpha_dropout", "hardshrink", "softshrink",
           "rrelu", "rms_norm", "pdist", "triplet_margin_with_distance_loss"]


def _maybe_inplace(fn, input, inplace, *args, **kwargs):
    """``fn(input, ...)``, or with ``inplace`` that result written into ``input``'s memory (the tensor then stands
    for the result in the graph, as after PyTorch's ``leaky_relu_``). An op whose backward reads the input
    (``elu``, ``leaky_relu``) keeps a copy of the old value (``Tensor._inplace``); ``relu``, ``hardtanh`` and
    ``dropout`` read only their output or mask and need none."""
    if not inplace:
        return fn(input, *args, **kwargs)
    return input._inplace(fn, *args, **kwargs)


# ----------------------------------------------------------------------------------------- activations

def relu(input, inplace=False):
    """``max(x, 0)``."""
    return input.relu_() if inplace else ops.relu(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _maybe_inplace(ops.hardtanh, input, inplace, min_val, max_val)


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


def _floating(name, input, allow_complex=False):
    """The newer activations are compositions of ops: check the input here, under the activation's own name."""
    if not is_tensor(input):
        raise TypeError(f"{name}(): argument 'input' must be a tensor, not {type(input).__name__}")
    if not (input.is_floating_point() or allow_complex and input.is_complex()):
        raise TypeError(f"{name}: expected a floating point tensor, got {describe(input)}; convert it with .float()")
    return input


# SELU's constants (Klambauer et al., 2017): the fixed point at which activations keep mean 0 and variance 1
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with alpha ≈ 1.6733, scale ≈ 1.0507: "self-normalizing" (keeps activations near
    mean 0, variance 1 through many layers, with ``lecun_normal`` weights)."""
    _floating("selu", input)
    return _maybe_inplace(lambda t: ops.elu(t, _SELU_ALPHA) * _SELU_SCALE, input, inplace)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``: x where x > 0, else ``alpha * expm1(x / alpha)``
    (continuously differentiable for every alpha; a negative alpha too, where ``alpha * elu(x / alpha)`` would
    take the wrong branch). The exponential sees only min(x, 0), so that the branch not taken cannot overflow."""
    _floating("celu", input)
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (it divides x)")
    return _maybe_inplace(lambda t: ops.where(t > 0, t, ops.expm1(ops.clamp(t, max=0) / alpha) * alpha), input,
                          inplace)


def mish(input, inplace=False):
    """``x * tanh(softplus(x))`` (Misra, 2019): smooth, non-monotonic, like silu."""
    _floating("mish", input)
    return _maybe_inplace(lambda t: t * ops.tanh(ops.softplus(t)), input, inplace)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed as ``-softplus(-x)``: never log(0), whatever the size of x."""
    return -ops.softplus(-_floating("logsigmoid", input))


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid (0 below -3, 1 above 3)."""
    _floating("hardsigmoid", input)
    return _maybe_inplace(lambda t: ops.hardtanh(t + 3, 0, 6) / 6, input, inplace)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``: a piecewise silu (MobileNetV3); 0 below -3, x above 3."""
    _floating("hardswish", input)
    return _maybe_inplace(lambda t: t * ops.hardtanh(t + 3, 0, 6) / 6, input, inplace)


def softsign(input):
    """``x / (1 + |x|)``: in (-1, 1) like tanh, but approaching its bounds polynomially."""
    input = _floating("softsign", input, allow_complex=True)
    return input / (ops.abs(input) + 1)


def tanhshrink(input):
    """``x - tanh(x)``."""
    input = _floating("tanhshrink", input)
    return input - ops.tanh(input)


def threshold(input, threshold, value, inplace=False):
    """``value`` where x <= threshold, else ``x`` (so NaN stays NaN); ``value`` takes the input's dtype."""
    for name, number in (("threshold", threshold), ("value", value)):
        if not isinstance(number, numbers.Number):
            raise TypeError(f"threshold(): argument '{name}' must be Number, not {type(number).__name__}")
    return _maybe_inplace(lambda t: ops.where(t <= threshold, number_as(t.dtype, value), t), input, inplace)


def prelu(input, weight):
    """``x`` for x > 0, ``weight * x`` otherwise, with a learned ``weight``: one slope (1 element), or one per
    channel (dim 1 of input)."""
    _floating("prelu", input)
    if not is_tensor(weight) or weight.ndim > 1:
        raise ValueError(f"prelu: expected `weight` to be a scalar or 1D tensor, got {describe(weight)}")
    require_same_dtype("prelu", (("input", input), ("weight", weight)))  # (PyTorch's prelu does not promote)
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() == 1:
        slope = ops.reshape(weight, ())
    elif weight.numel() == channels:
        slope = ops.reshape(weight, (channels,) + (1,) * (input.ndim - 2))
    else:
        raise OpError(f"prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                      f"{weight.numel()} and channel size = {channels}.")
    return ops.where(input > 0, input, slope * input)


# ----------------------------------------------------------------------------------------------- softmax
# ``dim`` may be left out, as PyTorch still allows with a deprecation warning: it then guesses dim 0 for 0-, 1-
# and 3-D input (a vector, or one unbatched (C, H, W) image), else dim 1 (the classes of a batch).

def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim`` (see ``minidl.ops.softmax``)."""
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    return ops.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``: the smallest entries get the largest weights."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim, _stacklevel)
    return ops.softmax(-input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably (see ``minidl.ops.log_softmax``)."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    return ops.log_softmax(input, dim, dtype)


# ------------------------------------------------------------------------------------------------ linear

def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1ᵀ W_k x2 + b_k`` for every output feature k: ``input1`` (..., in1), ``input2`` (..., in2),
    ``weight`` (out, in1, in2), ``bias`` (out,)."""
    for what, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not is_tensor(t):
            raise TypeError(f"bilinear(): argument '{what}' must be a tensor, not {type(t).__name__}")
    # (einsum would broadcast inputs of different ranks or batch sizes: PyTorch refuses them)
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape)} and "
                           f"{list(input2.shape)}")
    for k, x in ((1, input1), (2, input2)):
        if x.ndim == 0 or weight.ndim != 3 or x.shape[-1] != weight.shape[k]:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{list(x.shape)[-1:]} for weight {list(weight.shape)}, expected "
                               f"{weight.shape[k] if weight.ndim == 3 else '(out, in1, in2) weights'}")
    y = ops.einsum("...i,kij,...j->...k", input1, weight, input2)
    return y if bias is None else y + bias


# ------------------------------------------------------------------------------------ 1-D conv and pooling
# A sequence (N, C, L) is an image (N, C, 1, L) of height 1: the 1-D layers run the 2-D ops on it, with the
# kernel, stride, padding and dilation (1, k), (1, s), (0, p), (1, d).

def _single(name, value, what):
    """An int or a one-element sequence, as an int."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name}: expected {what} to be a single integer value or a list of 1 integer, got "
                             f"{what}={value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected {what} to be an integer, got {what}={value!r}")
    return int(value)


def _as_image(name, input, weight, weight_layout):
    """``input`` (N, C, L) or (C, L) and a 3-D ``weight``, checked, each with a height-1 dim added at -2."""
    for what, t in (("input", input), ("weight", weight)):
        if not is_tensor(t):
            raise TypeError(f"{name}: expected {what} to be a tensor, got {type(t).__name__}")
    if input.ndim not in (2, 3):
        raise OpError(f"{name}: expected a 3-D input (N, C, L) or an unbatched 2-D one (C, L), got {describe(input)}")
    if weight.ndim != 3:
        raise OpError(f"{name}: expected a 3-D weight {weight_layout}, got {describe(weight)}")
    # (checked here too: the 2-D op would name itself and the lifted shapes)
    require_same_dtype(name, [("input", input), ("weight", weight)], cast_by_autocast=True)
    return ops.unsqueeze(input, -2), ops.unsqueeze(weight, -2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of ``input`` (N, C, L) or (C, L) with ``weight`` (O, C/groups, K),
    plus ``bias`` (O,). ``padding``: an int, "valid" or "same"."""
    x, w = _as_image("conv1d", input, weight, "(out_channels, in_channels/groups, K)")
    if isinstance(groups, numbers.Integral) and groups > 0 and input.shape[-2] != weight.shape[1] * groups:
        raise OpError(f"conv1d: Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                      f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {input.shape[-2]} "
                      f"channels instead")
    padding = padding if isinstance(padding, str) else (0, _single("conv1d", padding, "padding"))
    y = conv2d(x, w, bias, (1, _single("conv1d", stride, "stride")), padding,
               (1, _single("conv1d", dilation, "dilation")), groups)
    return ops.squeeze(y, -2)


def conv_tbc(input, weight, bias, pad=0):
    """``conv1d`` in the time-major layout of sequence models: ``input`` (T, B, C_in), ``weight`` (K, C_in, C_out),
    ``bias`` (C_out,), ``pad`` zero steps at both ends of time. Returns (T + 2·pad - K + 1, B, C_out)."""
    for what, t in (("input", input), ("weight", weight)):
        if not is_tensor(t) or t.ndim != 3:
            raise OpError(f"conv_tbc: expected a 3-D {what} ({'T, B, C_in' if what == 'input' else 'K, C_in, C_out'})"
                          f", got {describe(t) if is_tensor(t) else type(t).__name__}")
    y = conv1d(ops.permute(input, (1, 2, 0)), ops.permute(weight, (2, 1, 0)), bias, padding=pad)
    return ops.permute(y, (2, 0, 1))


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transposed 1-D convolution (the gradient of ``conv1d`` with respect to its input) of ``input``
    (N, C_in, L) or (C_in, L) with ``weight`` (C_in, C_out/groups, K)."""
    x, w = _as_image("conv_transpose1d", input, weight, "(in_channels, out_channels/groups, K)")
    if input.shape[-2] != weight.shape[0]:
        raise OpError(f"conv_transpose1d: Given transposed=1, weight of size {list(weight.shape)}, expected input"
                      f"{list(input.shape)} to have {weight.shape[0]} channels, but got {input.shape[-2]} channels "
                      f"instead")
    y = conv_transpose2d(x, w, bias, (1, _single("conv_transpose1d", stride, "stride")),
                         (0, _single("conv_transpose1d", padding, "padding")),
                         (0, _single("conv_transpose1d", output_padding, "output_padding")), groups,
                         (1, _single("conv_transpose1d", dilation, "dilation")))
    return ops.squeeze(y, -2)


def adaptive_avg_pool1d(input, output_size):
    """Average ``input`` (N, C, L) or (C, L) down to ``output_size`` positions (PyTorch's window placement)."""
    if not is_tensor(input) or input.ndim not in (2, 3):
        raise OpError(f"adaptive_avg_pool1d: expected a 3-D input (N, C, L) or an unbatched 2-D one (C, L), got "
                      f"{describe(input) if is_tensor(input) else type(input).__name__}")
    size = _single("adaptive_avg_pool1d", output_size, "output_size")
    return ops.squeeze(adaptive_avg_pool2d(ops.unsqueeze(input, -2), (1, size)), -2)


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
    if inplace and training and p != 0:  # (p = 0 keeps every element: the input itself, unchanged, comes back)
        return input._inplace(ops.dropout, p, True, generator=default_generator)
    return ops.dropout(input, p, training, generator=default_generator)


def _feature_dropout(input, p, training, inplace, batched=True):
    """Zero whole channels: one draw per (sample, channel), shared by every position of that channel's feature map
    (the mask is shaped (N, C, 1, ...) and broadcast). Neighbouring pixels of a feature map are strongly correlated,
    so dropping them one by one barely regularizes a convolutional network; dropping the channel does."""
    if not training or p == 0:  # (nothing dropped, no number drawn: PyTorch's generator stays where it was)
        return ops.dropout(input, p, False)  # the identity, after checking p
    kept = 2 if batched else 1
    mask = ops.dropout_mask(empty(*input.shape[:kept], *(1,) * (input.ndim - kept), device=input.device), p,
                            generator=default_generator)
    if inplace:
        return input._inplace(ops.dropout, p, True, mask=mask)
    return ops.dropout(input, p, True, mask=mask)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel dropout for (N, C, L) or unbatched (C, L) input (see ``_feature_dropout``)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, batched=input.ndim == 3)


def _other_dims_warning(name, ndim, spatial):
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error in "
                  "a future release. To retain the behavior and silence this warning, please use dropout instead. "
                  f"Note that {name} exists to provide channel-wise dropout on inputs with {spatial} spatial "
                  "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial + 1}D or {spatial + 2}D inputs).", UserWarning, stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel dropout for (N, C, H, W) input. As in PyTorch, a 3-D input is taken as (N, C, L) (with a warning:
    use ``dropout1d`` for that), and other ranks drop (N, C) entries with a deprecation warning."""
    if input.ndim not in (3, 4):
        _other_dims_warning("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", UserWarning, stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Channel dropout for (N, C, D, H, W) input; any other rank is taken as unbatched (C, ...) (a 4-D one
    silently, the others with a deprecation warning, as in PyTorch)."""
    if input.ndim not in (4, 5):
        _other_dims_warning("dropout3d", input.ndim, 3)
    return _feature_dropout(input, p, training, inplace, batched=input.ndim == 5)


# --------------------------------------------------------------------------------------------- embedding

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` at the integer positions ``input``; the output is ``input.shape + (embedding_dim,)``.

    ``max_norm``: first rescale, in place, each row that ``input`` refers to whose ``norm_type``-norm exceeds
    ``max_norm`` down to norm ``max_norm`` (PyTorch's behaviour: the weight itself changes). ``sparse``: the
    weight's gradient is a sparse COO tensor of the rows looked up (``sparse_gradients.py``).
    """
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    lookup = embedding_with_sparse_grad if sparse else ops.embedding
    return lookup(input, weight, padding_idx, scale_grad_by_freq)


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale the rows of ``weight`` named in ``indices`` whose norm exceeds ``max_norm`` to norm ``max_norm``
    (in place, unrecorded: PyTorch's ``embedding_renorm_``). A row named twice is written twice, identically."""
    with no_grad():
        rows = ops.reshape(indices, (-1,))
        picked = ops.getitem(weight, rows)
        norms = ops.norm(picked, norm_type, dim=1, keepdim=True)
        weight[rows] = ops.where(norms > max_norm, picked * (max_norm / (norms + 1e-7)), picked)


# ------------------------------------------------------- attention and more layers (appended: their own modules)
def in_place_spelling(fn):
    """PyTorch's ``F.relu_(x)``: ``fn(x, ..., inplace=True)``, the result written into ``x``."""
    def in_place(input, *args, **kwargs):
        return fn(input, *args, inplace=True, **kwargs)
    in_place.__name__ = in_place.__qualname__ = fn.__name__ + "_"
    in_place.__doc__ = f"In-place ``{fn.__name__}``: the result is written into ``input``."
    return in_place


relu_, leaky_relu_, elu_, hardtanh_ = (in_place_spelling(fn) for fn in (relu, leaky_relu, elu, hardtanh))
selu_, celu_, threshold_, rrelu_ = (in_place_spelling(fn) for fn in (selu, celu, threshold, rrelu))
__all__ += ["relu_", "leaky_relu_", "elu_", "hardtanh_", "selu_", "celu_", "threshold_", "rrelu_"]


# Compositions of ops like the functions above, kept in their own files: attention in attention_functions.py,
# embedding_bag, instance_norm, adaptive max pooling, pixel shuffle and fold/unfold in layer_functions.py.
from .attention_functions import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402
from .layer_functions import (adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d,  # noqa: E402
                              embedding_bag, fold, instance_norm, pixel_shuffle, pixel_unshuffle, unfold)

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward", "embedding_bag", "instance_norm",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "pixel_shuffle", "pixel_unshuffle",
            "unfold", "fold"]


def _always_with_indices(pool, before_flag):
    """PyTorch's ``<pool>_with_indices`` spelling: ``pool`` returning (values, indices) whatever ``return_indices``
    says (``before_flag``: how many arguments come before it)."""
    def pooled(input, *args, **kwargs):
        kwargs.pop("return_indices", None)
        return pool(input, *args[:before_flag], return_indices=True, **kwargs)
    pooled.__name__ = pooled.__qualname__ = f"{pool.__name__}_with_indices"
    pooled.__doc__ = f"``{pool.__name__}(..., return_indices=True)``: the maxima and where they are."
    return pooled


max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d_with_indices = (
    _always_with_indices(pool, 5) for pool in (max_pool1d, max_pool2d, max_pool3d))
adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices, adaptive_max_pool3d_with_indices = (
    _always_with_indices(pool, 1) for pool in (adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d))
__all__ += ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
            "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
            "adaptive_max_pool3d_with_indices"]

from .fractional_pooling import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: E402
                                 fractional_max_pool3d, fractional_max_pool3d_with_indices)
__all__ += ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
            "fractional_max_pool3d_with_indices"]
