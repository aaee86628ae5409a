"""The loss functions of ``nn.functional`` (re-exported there): PyTorch's signatures over the ops of
``minidl/ops/losses.py`` and ``cross_entropy.py``, the margin and embedding losses, the two distances they use, and
``pdist`` (the distances between all the rows of a matrix).

**Legacy arguments.** Before ``reduction`` existed, PyTorch losses took two flags, still accepted with a
deprecation warning: ``size_average`` (average instead of sum, default True) and ``reduce`` (reduce at all, default
True). ``reduce=False`` means ``'none'``; otherwise ``size_average=False`` means ``'sum'``, else ``'mean'``. When
either is given, it overrides ``reduction``.

**Margin losses** push scores or embeddings apart until a margin is met, and then stop caring (the ``max(0, ...)``):

* ``margin_ranking_loss``: ``max(0, -y (x1 - x2) + margin)``, y = 1 when x1 should rank higher, -1 when x2 should;
* ``hinge_embedding_loss``: ``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (x is usually a distance);
* ``cosine_embedding_loss``: ``1 - cos(x1, x2)`` where y = 1, ``max(0, cos(x1, x2) - margin)`` where y = -1;
* ``triplet_margin_loss``: ``max(0, d(a, p) - d(a, n) + margin)``: the anchor nearer the positive than the negative
  (``triplet_margin_with_distance_loss``: the same with any distance function d).

All are compositions of ops (their gradients come from the ops they are made of) with PyTorch's formulas, down to
where the small epsilons go.
"""
import numbers
import os
import sys
import warnings

import numpy

from ... import ops
from ...ops import losses as _losses  # the ops that the functions below wrap under the same names
from ...ops.cross_entropy import cross_entropy as _cross_entropy_op, nll_loss as _nll_loss_op
from ...ops.base import DtypeError, OpError, describe, is_tensor
from ...ops.infer import broadcast_shapes
from ...ops.losses import check_reduction, float_input, reduce_loss
from ..grad_mode import is_grad_enabled
from ..amp import runs_in_float32

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "kl_div", "cross_entropy", "nll_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss", "cosine_similarity",
           "pairwise_distance", "pdist"]


def _stacklevel_outside_nn():
    """The ``stacklevel`` of the first frame outside ``minidl/eager/nn`` (and autocast's wrapper of the losses)
    for a warning issued by our caller: the line of the user's program that built the loss or called the loss
    function."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith(_NN_PACKAGE) or
                                 frame.f_code.co_filename == _AMP_FILE):
        level, frame = level + 1, frame.f_back
    return level


_NN_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_AMP_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "amp.py")


def legacy_reduction(size_average, reduce):
    """The ``reduction`` that the deprecated flags stand for (None means True), with PyTorch's warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  UserWarning, stacklevel=_stacklevel_outside_nn())
    return reduction


def _reduction(size_average, reduce, reduction):
    """``reduction``, unless a legacy flag is given; PyTorch's old name 'elementwise_mean' still means 'mean'."""
    if size_average is None and reduce is None:
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                          stacklevel=3)
            return "mean"
        return reduction
    return legacy_reduction(size_average, reduce)


# -------------------------------------------------------------------------- the ops, with legacy arguments

@runs_in_float32
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``(input - target)²`` per element (times ``weight``), reduced."""
    return _losses.mse_loss(input, target, _reduction(size_average, reduce, reduction), weight)


@runs_in_float32
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``|input - target|`` per element (times ``weight``), reduced."""
    return _losses.l1_loss(input, target, _reduction(size_average, reduce, reduction), weight)


@runs_in_float32
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Quadratic where ``|input - target| < beta``, linear beyond (see ``minidl.ops.smooth_l1_loss``)."""
    return _losses.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction), beta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-weight (t log x + (1 - t) log(1 - x))`` for probabilities ``x``."""
    return _losses.binary_cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction))


@runs_in_float32
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)``, computed stably from the logits."""
    return _losses.binary_cross_entropy_with_logits(input, target, weight,
                                                    _reduction(size_average, reduce, reduction), pos_weight)


@runs_in_float32
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``target (log target - input)`` for log-probabilities ``input``."""
    return _losses.kl_div(input, target, _reduction(size_average, reduce, reduction), log_target)


def _weight_without_gradient(target, weight):
    """PyTorch's nll_loss has no derivative with respect to the class weights of class-index targets (they also
    divide the mean): a weight that requires grad is refused there, rather than silently left without one. (With
    probability targets the loss is a plain weighted sum, and the weights get their gradient.)"""
    if is_tensor(weight) and weight.requires_grad and is_grad_enabled() and \
            not (is_tensor(target) and target.dtype.kind in "fc"):
        raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")


@runs_in_float32
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target)`` as one stable op (see ``minidl.ops.cross_entropy``)."""
    _weight_without_gradient(target, weight)
    return _cross_entropy_op(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction),
                             label_smoothing)


@runs_in_float32
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """``-weight[y] input[y]`` of log-probabilities ``input`` at the class indices ``target``."""
    _weight_without_gradient(target, weight)
    return _nll_loss_op(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


# ------------------------------------------------------------------------------------------------ distances

def _broadcast(name, x1, x2, allow_complex=False):
    """Both inputs (floating point tensors) broadcast to their common shape."""
    for what, x in (("x1", x1), ("x2", x2)):
        float_input(name, x, what, allow_complex)
    try:
        shape = numpy.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise OpError(f"{name}: the shapes of x1 {describe(x1)} and x2 {describe(x2)} do not broadcast") from None
    return tuple(x if tuple(x.shape) == shape else ops.broadcast_to(x, shape) for x in (x1, x2))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``Σ x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))`` along ``dim`` (the inputs broadcast first): the cosine of
    the angle between the vectors, in [-1, 1]. Each vector is divided by its norm before the product, which keeps
    the result in range. (PyTorch clamps the norms without recording it, so for a norm below ``eps`` its gradient
    differs from this one; elsewhere they agree.)"""
    if not eps >= 0:  # (a negative floor lets a zero norm through: 0 / 0)
        raise OpError(f"cosine_similarity: eps must be non-negative, got: {eps}")
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    n1 = ops.clamp(ops.norm(x1, 2, dim, keepdim=True), min=eps)
    n2 = ops.clamp(ops.norm(x2, 2, dim, keepdim=True), min=eps)
    return ops.sum((x1 / n1) * (x2 / n2), dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``‖x1 - x2 + eps‖_p`` along the last dim (the ``eps`` keeps the norm's gradient finite when x1 = x2)."""
    x1, x2 = _broadcast("pairwise_distance", x1, x2, allow_complex=True)
    return ops.norm(x1 - x2 + eps, p, -1, keepdim)


def pdist(input, p=2):
    """The ``p``-norm distances ‖x_i - x_j‖_p between the rows of an (N, M) ``input``, for every pair i < j, in
    the order (0, 1), (0, 2), ..., (0, N-1), (1, 2), ...: the N(N-1)/2 entries above the diagonal, row by row, of
    the N x N distance matrix (its diagonal is 0 and its lower half repeats the upper one). Any p >= 0: 0 counts
    the coordinates that differ, inf takes the largest difference. The gradient is ``norm``'s (0 for a pair of
    equal rows)."""
    if not is_tensor(input):
        raise TypeError(f"pdist(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim != 2:
        raise OpError(f"pdist only supports 2D tensors, got: {input.ndim}D ({describe(input)})")
    if not input.is_floating_point():
        raise DtypeError(f"pdist only supports floating-point dtypes, got {describe(input)}")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not p >= 0:  # (NaN fails p >= 0)
        raise OpError(f"pdist only supports non-negative p values, got p={p!r}")
    first, second = numpy.triu_indices(input.shape[0], 1)  # the pairs i < j, row by row
    return ops.norm(input[first] - input[second], p, -1)


# --------------------------------------------------------------------------------------------- margin losses

def _tensors(name, broadcast=False, **tensors):
    """Each of ``tensors`` must be a tensor; with ``broadcast``, their shapes must broadcast together (refused by
    the loss's name, not by the elementwise op inside that would meet them)."""
    for what, t in tensors.items():
        if not is_tensor(t):
            raise TypeError(f"{name}(): argument '{what}' must be a tensor, not {type(t).__name__}")
    if broadcast:
        broadcast_shapes(name, *(tuple(t.shape) for t in tensors.values()))


@runs_in_float32
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target (input1 - input2) + margin)``: with target 1, input1 should exceed input2 by ``margin``
    (-1: the other way round)."""
    _tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise OpError(f"margin_ranking_loss: All input tensors should have same dimension but got sizes: input1: "
                      f"{describe(input1)}, input2: {describe(input2)}, target: {describe(target)}")
    broadcast_shapes("margin_ranking_loss", *(tuple(t.shape) for t in (input1, input2, target)))
    loss = ops.clamp(-target * (input1 - input2) + margin, min=0)
    return reduce_loss(loss, reduction)


@runs_in_float32
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where target = 1, ``max(0, margin - input)`` where target = -1 (PyTorch adds both terms for any
    other target value: where target is neither 1 nor -1, both apply)."""
    _tensors("hinge_embedding_loss", broadcast=True, input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    zeros = ops.zeros_like(input)
    loss = (ops.where(target != 1, ops.clamp(margin - input, min=0), zeros)
            + ops.where(target != -1, input, zeros))
    return reduce_loss(loss, reduction)


@runs_in_float32
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where target = 1 (pull together), ``max(0, cos(x1, x2) - margin)`` where target = -1
    (push apart): rows of (N, D) inputs with a target (N,), or one pair of vectors (D,) with a 0-d target. The
    cosine is ``Σ x1 x2 / √((Σ x1² + 1e-12)(Σ x2² + 1e-12))``, as PyTorch computes it."""
    _tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target.ndim not in (0, 1):
        raise OpError(f"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported (got "
                      f"{describe(target)})")
    expected = target.ndim + 1
    if input1.ndim != expected or input2.ndim != expected:
        raise OpError(f"cosine_embedding_loss: {target.ndim}D target tensor expects {expected}D input tensors, but "
                      f"found inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    dim = target.ndim
    dot = ops.sum(input1 * input2, dim)
    cos = dot / ops.sqrt((ops.sum(input1 * input1, dim) + 1e-12) * (ops.sum(input2 * input2, dim) + 1e-12))
    zeros = ops.zeros_like(cos)
    loss = ops.where(target == 1, 1 - cos, zeros) + ops.where(target == -1, ops.clamp(cos - margin, min=0), zeros)
    return reduce_loss(loss, reduction)


@runs_in_float32
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, d(anchor, positive) - d(anchor, negative) + margin)`` with ``d = pairwise_distance(·, ·, p, eps)``.
    ``swap``: use the smaller of d(anchor, negative) and d(positive, negative) (Balntas et al., 2016)."""
    return _triplet_loss("triplet_margin_loss", anchor, positive, negative,
                         lambda x1, x2: pairwise_distance(x1, x2, p, eps), margin, swap,
                         _reduction(size_average, reduce, reduction))


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """``max(0, d(anchor, positive) - d(anchor, negative) + margin)`` with any distance ``d``: a function of two
    tensors returning one non-negative distance per sample (``pairwise_distance`` when None, which makes this
    ``triplet_margin_loss``; e.g. ``1 - cosine_similarity``). ``margin`` must be positive. ``swap``: use the
    smaller of d(anchor, negative) and d(positive, negative)."""
    if not margin > 0:
        raise ValueError(f"triplet_margin_with_distance_loss: margin must be greater than 0, got {margin}")
    return _triplet_loss("triplet_margin_with_distance_loss", anchor, positive, negative,
                         pairwise_distance if distance_function is None else distance_function, margin, swap,
                         reduction)


def _triplet_loss(name, anchor, positive, negative, distance, margin, swap, reduction):
    _tensors(name, anchor=anchor, positive=positive, negative=negative)
    check_reduction(reduction)
    if not margin > 0:  # (with margin <= 0 every triplet already ordered right gives 0: nothing would be learned)
        raise ValueError(f"{name}: margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise OpError(f"{name}: The anchor, positive, and negative tensors are expected to have the same number of "
                      f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                      f"{negative.ndim}D inputs")
    d_positive = distance(anchor, positive)
    d_negative = distance(anchor, negative)
    if swap:
        d_negative = ops.minimum(d_negative, distance(positive, negative))
    loss = ops.clamp(d_positive - d_negative + margin, min=0)
    return reduce_loss(loss, reduction)
