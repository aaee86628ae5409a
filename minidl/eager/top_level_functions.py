"""PyTorch's top-level spellings of functions minidl keeps in ``nn.functional`` or ``linalg``: ``torch.selu(x)``,
``torch.prelu(x, w)``, ``torch.instance_norm(...)``, ... (``torch.gru_cell`` and the other cell functions are
``nn/rnn.py``'s own, which take PyTorch's arguments already).

PyTorch generates these from its operator schemas, so they take the schema's positional arguments, which are not
always ``F``'s: ``torch.instance_norm`` wants all nine arguments, with the weights before the running statistics;
``torch.alpha_dropout(input, p, train)`` has no defaults; the losses take their ``reduction`` as an int
(0 "none", 1 "mean", 2 "sum"; left out, 0); ``torch.adaptive_max_pool1d`` always returns the indices too. Each
function here only rearranges its arguments and calls the ``F`` function that does the work.
"""
import warnings

import numpy

from .. import ops
from ..ops.base import describe
from .creation import tensor
from .nn import functional as F
from .nn.layer_functions import _bag_bounds

#: ``torch.X`` that are ``F.X`` itself: the same arguments in the same order
SAME_AS_FUNCTIONAL = ("bilinear", "conv1d", "conv_tbc", "conv_transpose1d", "pixel_shuffle", "pixel_unshuffle",
                      "channel_shuffle", "adaptive_avg_pool1d", "max_pool1d_with_indices")

_REDUCTIONS = ("none", "mean", "sum")  # PyTorch's ``at::Reduction``: the int is the position


def _reduction(op_name, reduction):
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"{op_name}(): argument 'reduction' must be int (0 none, 1 mean, 2 sum), not "
                        f"{type(reduction).__name__}")
    if not 0 <= reduction < len(_REDUCTIONS):
        raise ValueError(f"{op_name}(): reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction}")
    return _REDUCTIONS[reduction]


# ------------------------------------------------------------------------------------------- activations

def selu(input):
    return F.selu(input)


def celu(input, alpha=1.0):
    return F.celu(input, alpha)


def prelu(input, weight):
    return F.prelu(input, weight)


def threshold(input, threshold, value):
    return F.threshold(input, threshold, value)


# ------------------------------------------------------------------------------ layers, dropout, padding

def native_channel_shuffle(input, groups):
    """``channel_shuffle`` (PyTorch's kernel without the memory-format dispatch: the same values)."""
    return F.channel_shuffle(input, groups)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """``F.instance_norm`` with every argument given, in the schema's order (``cudnn_enabled`` changes nothing)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def alpha_dropout(input, p, train):
    return F.alpha_dropout(input, p, train)


def feature_dropout(input, p, train):
    """Zero whole channels: one draw per entry of the first two dims (``F.dropout2d`` for any rank >= 2)."""
    if input.ndim < 2:
        raise RuntimeError(f"feature_dropout: Feature dropout requires at least 2 dimensions in the input, got "
                           f"{describe(input)}")
    return F._feature_dropout(input, p, train, inplace=False)


def adaptive_max_pool1d(input, output_size):
    """The maxima and their positions, always both (the schema returns two tensors)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input, pad, value=0):
    """``F.pad(input, pad, "constant", value)``."""
    return F.pad(input, pad, "constant", value)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``F.embedding(indices, weight, ...)`` with the schema's order: the table first, and ``padding_idx=-1`` for
    none (the schema has no None; ``F.embedding`` reads -1 as the last row)."""
    return F.embedding(indices, weight, padding_idx=None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """``(output, offset2bag, bag_size, max_indices)``: ``output`` is ``F.embedding_bag`` (``mode`` 0 sum, 1 mean,
    2 max); ``offset2bag`` is the bag of each id, ``bag_size`` the number of ids in each bag that are not
    ``padding_idx``, and ``max_indices`` (mode max) the row of ``weight`` each maximum came from (0 for an empty
    bag, as in PyTorch), in the other modes ``bag_size`` again (as PyTorch gives it).

    PyTorch's kernels fill the three bookkeeping tensors only where their backward needs them (its CPU sum mode
    returns an empty ``offset2bag`` and zero bag sizes); here they always hold what their names say."""
    modes = ("sum", "mean", "max")
    if mode not in range(len(modes)):
        raise ValueError(f"embedding_bag(): mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}")
    output = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=modes[mode],
                             sparse=sparse, per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    offset2bag, bag_size, max_indices = _bag_bookkeeping(weight, indices, offsets, include_last_offset,
                                                         padding_idx, mode == 2)
    return output, offset2bag, bag_size, max_indices


def _bag_bookkeeping(weight, indices, offsets, include_last_offset, padding_idx, with_max):
    """``embedding_bag``'s (offset2bag, bag_size, max_indices), worked out on the ids and (for ``with_max``) the
    weight's values, off the tape: they are integer bookkeeping, with no gradient."""
    ids = indices.detach().cpu().numpy().reshape(-1)
    padding_idx = None if padding_idx is None else padding_idx % weight.shape[0]  # (-1: the last row)
    starts, ends = _bag_bounds(indices, offsets, include_last_offset)
    offset2bag = numpy.zeros(ids.shape, dtype=numpy.int64)
    bag_size = numpy.zeros(len(starts), dtype=numpy.int64)
    max_indices = numpy.zeros((len(starts), weight.shape[1]), dtype=numpy.int64) if with_max else bag_size
    rows = weight.detach().cpu().numpy() if with_max else None
    for bag, (start, end) in enumerate(zip(starts, ends)):
        offset2bag[start:end] = bag
        members = ids[start:end] if padding_idx is None else ids[start:end][ids[start:end] != padding_idx]
        bag_size[bag] = members.size
        if with_max and members.size:
            max_indices[bag] = members[numpy.argmax(rows[members], axis=0)]
    device = indices.device
    return tuple(tensor(array, device=device) for array in (offset2bag, bag_size, max_indices))


# ------------------------------------------------------------------------------------------------ losses
# The schemas say ``reduction=Mean``, but PyTorch's Python bindings give a left-out ``reduction`` the value 0:
# ``torch.hinge_embedding_loss(x, y)`` returns the loss of each element. So do these.

def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction("hinge_embedding_loss", reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


# ------------------------------------------------------------------------------------------------- norms

def frobenius_norm(input, dim, keepdim=False):
    """``sqrt(sum(|x|²))`` over ``dim`` (one or two dims; an empty ``dim`` means all): ``linalg.vector_norm``."""
    warnings.warn("frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
                  "future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) > 2:
        raise RuntimeError(f"frobenius_norm: Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    return ops.linalg_vector_norm(input, 2, dim or None, keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    """The sum of the singular values of the matrices over ``dim`` (the last two of a 2-D input when no ``dim``
    is given: ``nuclear_norm(A, keepdim)`` is the other form): ``linalg.matrix_norm(A, "nuc")``."""
    warnings.warn("nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
                  "future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    if isinstance(dim, bool):  # the overload nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    if dim is None:
        if input.ndim != 2:
            raise RuntimeError(f"nuclear_norm: Expected a tensor with 2 dimensions, but got {describe(input)}")
        dim = (0, 1)
    return ops.linalg_matrix_norm(input, "nuc", tuple(dim), keepdim)


def same_as_functional():
    """``{name: F.name}`` for the names in ``SAME_AS_FUNCTIONAL``."""
    return {name: getattr(F, name) for name in SAME_AS_FUNCTIONAL}
