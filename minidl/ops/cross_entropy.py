"""Cross-entropy for classification: ``cross_entropy`` (from logits) and ``nll_loss`` (from log-probabilities).

Along the class dim (dim 1 of an (N, C, d1, ...) input; dim 0 of an unbatched (C,) one), each position i has
logits x_i and a *target distribution* q_i; its loss is ``-sum_c q_ic log softmax(x_i)_c``. The target comes as

* class indices y (an integer tensor shaped like the input without the class dim): q = onehot(y), the row
  weighted by ``weight[y]``; positions whose target is ``ignore_index`` get q = 0 and are then *selected away*
  (loss and gradients exactly 0): padding often comes with logits masked to -inf, and 0 * inf would be NaN;
* class probabilities (a float tensor shaped like the input): q = target, weighted by ``weight`` per class.

``label_smoothing`` ε mixes in the uniform distribution: onehot(y) (or the target) becomes
``(1 - ε) target + ε / C``. Everything — weights, smoothing, ignored positions — is folded into q, so one formula
serves every case. With ``lse_i = log sum_c exp(x_ic)`` (computed after subtracting the max: no overflow)::

    loss_i = sum_c q_ic (lse_i - x_ic)              d loss_i / d x_ic = softmax(x_i)_c * sum_c' q_ic' - q_ic

which is softmax minus the (one-hot or soft) target when q sums to 1. ``SoftmaxCrossEntropy`` computes the
(reduced) loss in one op and ``SoftmaxCrossEntropyGrad`` this gradient in another: the fused pair a GPU kernel
can replace, measured 2x faster than log_softmax + nll_loss. ``reduction='mean'`` divides by the total weight of
the non-ignored targets, sum_i weight[y_i] (class indices), or by the number of positions (probabilities),
exactly as PyTorch. ``nll_loss`` is the same pair without the softmax: ``NllLoss`` and ``NllLossGrad``.
"""
import math
from collections import namedtuple

from ..backend import dtypes
from ..backend.kernels import (FUSED_DTYPES, MAX_KERNEL_CLASSES, softmax_cross_entropy_rows,
                               softmax_cross_entropy_rows_grad)
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .cast import cast
from .broadcast import ones_like
from .compare import ne, where
from .gather import gather
from .indexing import getitem
from .losses import check_reduction, float_input
from .promote import promote
from .reduce import ReductionSize, slice_max, sum
from .shape import reshape, squeeze, unsqueeze
from .softmax import log_softmax, softmax

__all__ = ["cross_entropy", "nll_loss"]


def _class_dim(ndim):
    """The class dim: 1 for (N, C, ...) inputs, 0 for an unbatched (C,) input."""
    return 1 if ndim > 1 else 0


def _column(ndim, axis):
    """The shape (C, 1, ..., 1) that makes a (C,) per-class vector broadcast along ``axis`` of an ``ndim``-d
    tensor."""
    return (-1,) + (1,) * (ndim - axis - 1)


# --------------------------------------------------------------------- the target distribution, on arrays

_Target = namedtuple("_Target", "dense index index_weight total count onehot kept")


def _expand(a, axis):
    """``a`` with a size-1 dim inserted at ``axis`` (a cheaper ``expand_dims``)."""
    return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])


def _target_distribution(xp, x, target, weights, ignore_index, label_smoothing, probs):
    """q for the kernels: ``dense``, ``index`` and ``index_weight`` with q = dense + index_weight * onehot(index);
    ``total`` = sum_c q (per position), and ``count``, what 'mean' divides by. Arrays keep the class dim (size 1).
    ``onehot``: q is onehot(target) exactly (``dense`` None, the weights 1). ``kept``: where the target is not
    ``ignore_index`` (None when no position can be ignored: probabilities, or the one-hot case).

    Probabilities give a dense q, and ``count`` = the number of positions. Class indices give the one-hot part:
    ``index`` the targets (ignored ones replaced by 0), ``index_weight`` = (1 - ε) weight[y] (0 where ignored),
    ``count`` = sum weight[y] over the non-ignored positions; smoothing adds the dense part ε/C weight[c].
    """
    axis = _class_dim(x.ndim)
    n_classes, eps = x.shape[axis], label_smoothing
    weight = weights[0].reshape(_column(x.ndim, axis)) if weights else None
    if not (probs or weights or eps) and target.size:
        lowest, highest = int(target.min()), int(target.max())
        if 0 <= lowest and highest < n_classes and not lowest <= ignore_index <= highest:
            # the everyday case — every target a class, none ignored, no weights, no smoothing — is q = onehot(y)
            # with weight 1 everywhere: two reductions check it, where the general case below takes ten passes
            return _Target(None, _expand(target, axis), 1, 1, target.size, True, None)
    if probs:
        dense = target if eps == 0 else target * (1 - eps) + eps / n_classes
        if weight is not None:
            dense = dense * weight
        positions = math.prod(n for i, n in enumerate(x.shape) if i != axis)
        return _Target(dense, None, None, dense.sum(axis=axis, keepdims=True), positions, False, None)
    kept, safe = _checked_targets(xp, target, n_classes, ignore_index)
    index, kept = _expand(safe, axis), _expand(kept, axis)
    valid = kept.astype(x.dtype)
    weight_y = valid if not weights else xp.take(weights[0], index) * valid
    index_weight = weight_y * (1 - eps) if eps else weight_y
    total, dense = index_weight, None
    if eps:
        dense = valid * (eps / n_classes) if weight is None else valid * weight * (eps / n_classes)
        total = total + valid * (eps / n_classes * (n_classes if weight is None else weights[0].sum()))
    return _Target(dense, index, index_weight, total, weight_y.sum(), False, kept)


#: the ``ignore_index`` that ignores nothing: TensorFlow has no ignored class, and a label of PyTorch's -100 must
#: be an error there (this value is checked like any other label)
NOTHING_IGNORED = -2 ** 63


def _checked_targets(xp, target, n_classes, ignore_index):
    """``(valid, safe)``: where the target is not ``ignore_index``, and the targets with ignored ones replaced by
    0 (so that they can index); any other target outside [0, C) is an IndexError."""
    valid = target != ignore_index if ignore_index != NOTHING_IGNORED else xp.ones(target.shape, dtype=bool)
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        label = int(target[bad].ravel()[0])
        if ignore_index == NOTHING_IGNORED:  # in TensorFlow's words
            raise IndexError(f"Received a label value of {label} which is outside the valid range of "
                             f"[0, {n_classes}).")
        raise IndexError(f"Target {label} is out of bounds (the input has {n_classes} classes, so targets must be "
                         f"in [0, {n_classes - 1}] or ignore_index={ignore_index})")
    return valid, xp.where(valid, target, 0)


def _in_one_kernel(xp, x, q):
    """Whether a GPU computes this cross-entropy's rows in one kernel (``backend/kernels.py``): the everyday case
    of (N, C) logits, a class index per row, no weights or smoothing, and at most ``MAX_KERNEL_CLASSES`` classes
    (a thread walks each row; longer rows are better left to the arrays' parallel reductions)."""
    return xp.__name__ != "numpy" and q.onehot and x.ndim == 2 and 0 < x.shape[1] <= MAX_KERNEL_CLASSES and \
        x.dtype in FUSED_DTYPES


def _rows_of_classes(x, q):
    """Whether this is the everyday case — (N, C) logits and q = onehot(class index) — whose arrays take the
    fewest passes: the target entries read and written by row numbers, where the general case gathers along an
    axis (``take_along_axis``, several times slower on small batches) and multiplies by q's weights of 1."""
    return q.onehot and x.ndim == 2


class SafeTargets(Op):
    """The class indices ``target`` with ignored ones replaced by 0, checked against x's class count."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, target, x, ignore_index):
        return _checked_targets(xp, target, x.shape[_class_dim(x.ndim)], ignore_index)[1]

    @staticmethod
    def infer(target, x, ignore_index):
        return target


def _softmax_parts(xp, x, axis):
    """``(shifted, sum_exp)``: x minus its max along ``axis`` and sum(exp(shifted)) (a size-1 dim)."""
    shifted = x - slice_max(xp, x, (axis,))
    return shifted, xp.exp(shifted).sum(axis=axis, keepdims=True)


def _reduced(xp, loss, q, reduction, dtype):
    """The per-position ``loss`` reduced: as it is ('none'), summed, or summed and divided by ``q.count``."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "mean":  # nothing to average (every target ignored, or of weight 0) is NaN, as PyTorch's 0/0
        total = xp.where(q.count == 0, xp.nan, total / q.count)
    return xp.asarray(total, dtype=dtype)


def _per_position(xp, g, q, axis, reduction):
    """The incoming gradient for each position: g itself ('none', given the class dim back), or the one number
    g ('sum') or g / count ('mean'), which broadcasts."""
    if reduction == "none":
        return _expand(g, axis)
    return g / q.count if reduction == "mean" else g


class SoftmaxCrossEntropy(Op):
    """The loss ``sum_c q_c (lse - x_c)`` of each position, reduced by ``reduction`` ('none', 'sum', 'mean').

    The max of x is subtracted from x and lse alike before they meet, which cancels in the difference but keeps
    every number small: logits of 1000 give the same digits as logits of 0. The reduction is part of the op so
    that a whole cross-entropy is one op forward and one backward (the class dim is removed either way).
    An ignored position's loss is set to 0, not multiplied by its q of 0: its logits may be all -inf (padding),
    which makes its lse - x NaN.
    """
    name = "NllLoss"  # the grad_fn PyTorch prints for a cross-entropy (its last op is nll_loss)
    # the target and the class weights too, when the target holds probabilities (then the loss is a plain weighted
    # sum; with class indices the weights also divide the mean, and PyTorch gives them no gradient)
    differentiable_inputs = (0, 1, 2)

    @staticmethod
    def forward(xp, x, target, *weights, ignore_index, label_smoothing, probs, reduction):
        axis = _class_dim(x.ndim)
        q = _target_distribution(xp, x, target, weights, ignore_index, label_smoothing, probs)
        if _in_one_kernel(xp, x, q):
            loss = softmax_cross_entropy_rows(x, target)
        elif _rows_of_classes(x, q):
            shifted, sum_exp = _softmax_parts(xp, x, axis)
            loss = xp.log(sum_exp[:, 0]) - shifted[xp.arange(len(target)), target]
        else:
            shifted, sum_exp = _softmax_parts(xp, x, axis)
            loss = xp.log(sum_exp) * q.total
            if q.dense is not None:
                loss -= (q.dense * shifted).sum(axis=axis, keepdims=True)
            if q.index is not None:
                loss -= xp.take_along_axis(shifted, q.index, axis=axis) * q.index_weight
            if q.kept is not None:
                loss = xp.where(q.kept, loss, loss.dtype.type(0))
            loss = loss.squeeze(axis)
        return _reduced(xp, loss, q, reduction, x.dtype)

    @staticmethod
    def vjp(ctx, g):
        x, target, *weights = ctx.inputs
        need_x, need_target = ctx.needs_input_grad[:2]
        dx = apply(SoftmaxCrossEntropyGrad, g, x, target, *weights, **ctx.attrs) if need_x else None
        dt = dw = None
        need_weight = ctx.attrs["probs"] and len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]
        if need_target or need_weight:  # probabilities: loss = -sum q log_softmax(x), q = weight ((1 - ε) t + ε/C)
            axis = _class_dim(x.ndim)
            g_log_p = _position_grad(g, x, target, weights, ctx.attrs, axis) * log_softmax(x, axis)
            if need_target:  # dq/dt = (1 - ε) weight
                dt = _class_weighted(g_log_p * -(1 - ctx.attrs["label_smoothing"]), weights, axis)
            if need_weight:  # dq/dweight = (1 - ε) t + ε/C, summed over the positions
                smoothed = _probabilities(target, (), ctx.attrs["label_smoothing"],
                                          apply(ReductionSize, x, dims=(axis,)), axis)
                dw = -_over_positions(g_log_p * smoothed, axis)
        return (dx, dt) + ((dw,) if weights else ())

    @staticmethod
    def infer(x, target, *weights, reduction, **attrs):
        if reduction != "none":
            return Spec((), x.dtype)
        shape = list(x.shape)
        del shape[_class_dim(len(shape))]
        return Spec(tuple(shape), x.dtype)


class SoftmaxCrossEntropyGrad(Op):
    """``dx = softmax(x) * (g * q_total) - g * q``: the gradient of ``SoftmaxCrossEntropy`` for the incoming
    gradient ``g`` (per position, or shared by all of them after a reduction). Ignored positions get exactly 0:
    selected, whatever their logits (and also when 'mean' has nothing to average, where g / 0 is inf).

    Its own VJP, with p = softmax(x), c = g q_total and incoming ``gg``:
    d/dx = p c (gg - sum_c gg p) (softmax's VJP); d/dg = q_total sum_c gg p - sum_c q gg (then reduced as the
    loss was); for probabilities, where q = weight s with s = (1 - ε) t + ε/C (so q_total = sum_c weight_c s_c),
    d/dt = (1 - ε) weight g (sum_c gg p - gg) and d/dweight_c = sum over positions of g s_c (sum_c' gg p - gg_c).
    Ignored positions enter the VJP with their logits replaced by 0, which keeps p finite there (their q is 0).
    """
    differentiable_inputs = (0, 1, 2, 3)

    @staticmethod
    def forward(xp, g, x, target, *weights, ignore_index, label_smoothing, probs, reduction):
        axis = _class_dim(x.ndim)
        q = _target_distribution(xp, x, target, weights, ignore_index, label_smoothing, probs)
        g = _per_position(xp, g, q, axis, reduction)
        if _in_one_kernel(xp, x, q):
            return softmax_cross_entropy_rows_grad(x, target, g)
        shifted, sum_exp = _softmax_parts(xp, x, axis)
        if _rows_of_classes(x, q):  # softmax(x) g, minus g at each row's class
            dx = xp.exp(shifted)
            dx *= g / sum_exp
            dx[xp.arange(len(target)), target] -= g if g.ndim == 0 else g[:, 0]
            return dx
        dx = xp.exp(shifted)
        dx *= g * q.total / sum_exp
        if q.dense is not None:
            dx -= g * q.dense
        if q.index is not None:
            picked = xp.take_along_axis(dx, q.index, axis=axis) - g * q.index_weight
            xp.put_along_axis(dx, q.index, picked, axis=axis)
        if q.kept is not None:
            dx = xp.where(q.kept, dx, dx.dtype.type(0))
        return dx

    @staticmethod
    def vjp(ctx, gg):
        g, x, target, *weights = ctx.inputs
        need_g, need_x, need_target = ctx.needs_input_grad[:3]
        attrs, axis = ctx.attrs, _class_dim(x.ndim)
        # (with class indices the weights get no gradient, as in PyTorch)
        need_weight = attrs["probs"] and len(ctx.needs_input_grad) > 3 and ctx.needs_input_grad[3]
        kept = _kept_positions(target, attrs, axis)
        if kept is not None:  # an ignored position's logits may be -inf: 0s keep its softmax finite (its q is 0)
            x = where(kept, x, 0.0)
        p = softmax(x, axis)
        gg_p = sum(gg * p, axis, keepdim=True)
        q_total = _q_total(x, target, weights, attrs, axis)
        g = _position_grad(g, x, target, weights, attrs, axis)
        dg = None
        if need_g:
            dg = q_total * gg_p - _q_dot(gg, target, weights, attrs, axis)
            dg = squeeze(dg, axis) if attrs["reduction"] == "none" else \
                sum(dg) / (_mean_count(x, target, weights, attrs, axis) if attrs["reduction"] == "mean" else 1)
        dx = None
        if need_x:
            dx = p * (g * q_total) * (gg - gg_p)
            dx = dx if kept is None else where(kept, dx, 0.0)
        dt = dw = None
        if need_target:
            dt = _class_weighted(g * (gg_p - gg) * (1 - attrs["label_smoothing"]), weights, axis)
        if need_weight:
            n_classes = apply(ReductionSize, x, dims=(axis,))
            smoothed = _probabilities(target, (), attrs["label_smoothing"], n_classes, axis)
            dw = _over_positions(g * smoothed * (gg_p - gg), axis)
        return (dg, dx, dt) + ((dw,) if weights else ())

    @staticmethod
    def infer(g, x, *rest, **attrs):
        return x


class NllLoss(Op):
    """``nll_loss``: the loss ``-sum_c q_c x_c`` of each position of the log-probabilities x, with q = weight[y]
    onehot(y) (0 where y is ``ignore_index``), reduced as ``SoftmaxCrossEntropy`` is. Linear in x: its gradient
    ``-g q`` (``NllLossGrad``) does not depend on x, and that op's gradient in g is this op again, applied to the
    incoming gradient — so the pair has derivatives of every order. The class weights get no gradient, as in
    PyTorch."""
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, target, *weights, ignore_index, reduction):
        axis = _class_dim(x.ndim)
        q = _target_distribution(xp, x, target, weights, ignore_index, 0.0, False)
        if _rows_of_classes(x, q):
            loss = -x[xp.arange(len(target)), target]
        else:
            loss = -xp.take_along_axis(x, q.index, axis=axis) * q.index_weight
            if q.kept is not None:  # (an ignored position's log-probabilities may be -inf)
                loss = xp.where(q.kept, loss, loss.dtype.type(0))
            loss = loss.squeeze(axis)
        return _reduced(xp, loss, q, reduction, x.dtype)

    @staticmethod
    def vjp(ctx, g):
        return (apply(NllLossGrad, g, *ctx.inputs, **ctx.attrs),) + (None,) * (len(ctx.inputs) - 1)

    infer = SoftmaxCrossEntropy.infer


class NllLossGrad(Op):
    """``dx = -g q``: ``NllLoss``'s gradient for the incoming ``g`` (per position, or shared after a reduction);
    x only gives the shape. Linear in g: d<gg, dx>/dg = -sum_c q_c gg_c reduced as the loss — ``NllLoss`` of gg."""
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, target, *weights, ignore_index, reduction):
        axis = _class_dim(x.ndim)
        q = _target_distribution(xp, x, target, weights, ignore_index, 0.0, False)
        g = _per_position(xp, g, q, axis, reduction)
        dx = xp.zeros_like(x)
        if _rows_of_classes(x, q):
            dx[xp.arange(len(target)), target] = -(g if g.ndim == 0 else g[:, 0])
            return dx
        picked = -g * q.index_weight
        if q.kept is not None:  # (where 'mean' has nothing to average, g / 0 is inf: selected away)
            picked = xp.where(q.kept, picked, picked.dtype.type(0))
        xp.put_along_axis(dx, q.index, xp.broadcast_to(picked, q.index.shape).astype(x.dtype), axis=axis)
        return dx

    @staticmethod
    def vjp(ctx, gg):
        g, x, target, *weights = ctx.inputs
        return (apply(NllLoss, gg, target, *weights, **ctx.attrs),) + (None,) * (len(ctx.inputs) - 1)

    @staticmethod
    def infer(g, x, *rest, **attrs):
        return x


# ---------------------------------------------- the same quantities, as ops (for SoftmaxCrossEntropyGrad.vjp)

def _class_weighted(t, weights, axis):
    """``t`` times the per-class weight (if any), broadcast along the class dim."""
    return t * reshape(weights[0], _column(t.ndim, axis)) if weights else t


def _over_positions(v, axis):
    """``v`` summed over every dim but the class dim: a class weight's gradient. (An unbatched input has no other
    dim, and ``sum(v, ())`` would sum over all of them.)"""
    dims = tuple(d for d in range(v.ndim) if d != axis)
    return sum(v, dims) if dims else v


def _position_grad(g, x, target, weights, attrs, axis):
    """``_per_position`` with ops: g with the class dim back ('none'), g ('sum'), or g / count ('mean')."""
    if attrs["reduction"] == "none":
        return unsqueeze(g, axis)
    return g / _mean_count(x, target, weights, attrs, axis) if attrs["reduction"] == "mean" else g


def _mean_count(x, target, weights, attrs, axis):
    """What 'mean' divides by: the number of positions (probabilities) or sum weight[y] (class indices)."""
    if attrs["probs"]:
        return apply(ReductionSize, x, dims=tuple(d for d in range(x.ndim) if d != axis))
    safe = _safe_targets(x, target, attrs["ignore_index"]) if weights else None
    return sum(_target_weights(target, weights, attrs["ignore_index"], x.dtype, safe))


def _kept_positions(target, attrs, axis):
    """For class indices: where the target is not ``ignore_index``, with a size-1 class dim; None for
    probabilities (nothing is ignored)."""
    return None if attrs["probs"] else unsqueeze(_not_ignored(target, attrs["ignore_index"]), axis)


def _not_ignored(target, ignore_index):
    """Where the target is not ``ignore_index`` (bool, the target's shape). ``NOTHING_IGNORED`` is not compared:
    cast to an int32 target it would wrap around to 0, and every label 0 would count as ignored."""
    return ones_like(target, dtypes.bool_) if ignore_index == NOTHING_IGNORED else ne(target, ignore_index)


def _safe_targets(x, target, ignore_index):
    """The class indices with ignored ones replaced by 0 (so that they can index), the others checked against
    x's class count."""
    return apply(SafeTargets, target, x, ignore_index=ignore_index)


def _target_weights(target, weights, ignore_index, dtype, safe):
    """For class indices: each position's weight[y] (1 without weights), 0 where the target is ignored.
    A constant: it carries no gradient. (``safe`` is needed only with weights.)"""
    weight_y = cast(_not_ignored(target, ignore_index), dtype)
    return weight_y * getitem(weights[0], safe) if weights else weight_y


def _probabilities(target, weights, eps, n_classes, axis):
    """The dense q for probability targets: ``weight * ((1 - ε) target + ε / C)``."""
    return _class_weighted(target if eps == 0 else target * (1 - eps) + eps / n_classes, weights, axis)


def _q_total(x, target, weights, attrs, axis):
    """sum_c q_c per position, with the class dim kept (size 1)."""
    eps = attrs["label_smoothing"]
    n_classes = apply(ReductionSize, x, dims=(axis,))
    if attrs["probs"]:
        return sum(_probabilities(target, weights, eps, n_classes, axis), axis, keepdim=True)
    ignore_index = attrs["ignore_index"]
    safe = _safe_targets(x, target, ignore_index) if weights else None
    weight_y = _target_weights(target, weights, ignore_index, x.dtype, safe)
    total = weight_y * (1 - eps)
    if eps:
        valid = cast(_not_ignored(target, ignore_index), x.dtype)
        total = total + valid * (eps / n_classes) * (sum(weights[0]) if weights else n_classes)
    return unsqueeze(total, axis)


def _q_dot(v, target, weights, attrs, axis, safe=None):
    """sum_c q_c v_c per position, with the class dim kept (size 1): the loss is ``lse q_total - _q_dot(x)``.
    Ignored positions give exactly 0, selected rather than multiplied by their q of 0 (their v may be inf).
    (``safe``: the targets from ``_safe_targets``, if the caller has them already.)"""
    eps = attrs["label_smoothing"]
    n_classes = apply(ReductionSize, v, dims=(axis,))
    if attrs["probs"]:
        return sum(_probabilities(target, weights, eps, n_classes, axis) * v, axis, keepdim=True)
    if safe is None:
        safe = _safe_targets(v, target, attrs["ignore_index"])
    weight_y = _target_weights(target, weights, attrs["ignore_index"], v.dtype, safe)
    total = gather(v, axis, unsqueeze(safe, axis)) * unsqueeze(weight_y * (1 - eps), axis)
    if eps:
        total = total + sum(_class_weighted(v, weights, axis), axis, keepdim=True) * (eps / n_classes)
    return where(_kept_positions(target, attrs, axis), total, 0.0)


# ------------------------------------------------------------------------------------------ functions

def _check_targets(op_name, input, target, weight, probs_allowed):
    """Validate the pairing of input and target; returns True for probability targets."""
    float_input(op_name, input)
    if input.ndim == 0:
        raise OpError(f"{op_name}: expected an input of shape (C,) or (N, C, d1, ...), got {describe(input)}")
    if not is_tensor(target):
        raise TypeError(f"{op_name}(): argument 'target' must be a tensor, not {type(target).__name__}")
    axis = _class_dim(input.ndim)
    n_classes = input.shape[axis]
    if weight is not None:
        if not is_tensor(weight) or weight.ndim != 1 or None not in (weight.shape[0], n_classes) and \
                weight.shape[0] != n_classes:
            raise OpError(f"{op_name}: weight tensor should be defined either for all {n_classes} classes or no "
                          f"classes but got weight {describe(weight)}")
    if target.ndim == input.ndim and probs_allowed:
        if not dtypes.is_floating_point(target.dtype):
            extra = next((i for i, d in enumerate(target.shape) if d == 1 and input.shape[i] != 1), None) \
                if input.ndim > 1 else None
            hint = f"class indices have one dim fewer than the input: target.squeeze({extra}) drops the extra " \
                f"dim of size 1" if extra is not None else "class indices have one dim fewer than the input"
            pytorch_says = "0D or 1D target tensor expected, multi-target not supported" if input.ndim <= 2 else \
                f"only batches of spatial targets supported ({input.ndim - 1}D tensors) but got targets of " \
                f"dimension: {target.ndim}"
            raise DtypeError(f"{op_name}: {pytorch_says}: integer target {describe(target)} for input "
                             f"{describe(input)}; {hint} (a target shaped like the input holds class "
                             f"probabilities, floating point)")
        if any(None not in (a, b) and a != b for a, b in zip(target.shape, input.shape)):
            raise OpError(f"{op_name}: a target of class probabilities must have the input's shape, got target "
                          f"{describe(target)} and input {describe(input)}")
        return True
    if target.dtype.kind not in "iu":
        raise DtypeError(f"{op_name}: expected an integer (int64) target of class indices, but found "
                        f"{describe(target)} for input {describe(input)}" +
                        (" (class probabilities need a target shaped like the input)" if probs_allowed else ""))
    expected = tuple(d for i, d in enumerate(input.shape) if i != axis)
    if input.ndim > 1 and target.ndim >= 1 and None not in (input.shape[0], target.shape[0]) and \
            input.shape[0] != target.shape[0]:
        raise OpError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                      f"({target.shape[0]}) ({op_name}: input {describe(input)}, target {describe(target)})")
    if target.ndim != len(expected) or any(None not in (a, b) and a != b for a, b in zip(target.shape, expected)):
        raise OpError(f"{op_name}: expected target size {list(expected)} (the input's shape without the class "
                      f"dim), got target {describe(target)} for input {describe(input)}")
    return False


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between the logits ``input`` ((N, C), (N, C, d1, ...) or (C,)) and ``target``: class indices
    (integers, shaped like input without the class dim) or class probabilities (floats, shaped like input).

    ``weight`` (C,) weights each class; targets equal to ``ignore_index`` are skipped (class indices only);
    ``label_smoothing`` in [0, 1] mixes the uniform distribution into the target; ``reduction`` is 'mean'
    (averaged over the non-ignored targets' total weight, or over positions for probabilities), 'sum' or 'none'.
    """
    check_reduction(reduction)
    probs = _check_targets("cross_entropy", input, target, weight, probs_allowed=True)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or \
            not 0 <= label_smoothing <= 1:
        raise OpError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing!r}")
    if probs and ignore_index != -100:  # (a probability target has no class to skip: refused, as PyTorch does)
        raise OpError(f"cross_entropy: ignore_index is not supported for floating point target ({describe(target)}; "
                      f"ignore_index={ignore_index})")
    if probs:  # logits and probabilities meet in their common dtype, as in PyTorch (float32 and float64: float64)
        _, (input, target) = promote("cross_entropy", input, target)
    weights = () if weight is None else (cast(weight, input.dtype),)
    return apply(SoftmaxCrossEntropy, input, target, *weights, ignore_index=int(ignore_index),
                 label_smoothing=float(label_smoothing), probs=probs, reduction=reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """The negative log-likelihood ``-weight[y] input[y]`` of log-probabilities ``input`` ((N, C), (N, C, d1, ...)
    or (C,), e.g. from ``log_softmax``) at the class indices ``target``; reduced as in ``cross_entropy``.

    One op, ``NllLoss`` (every target ignored, or weighted 0: the mean is 0/0 — NaN, as in PyTorch, with a zero
    gradient)."""
    check_reduction(reduction)
    _check_targets("nll_loss", input, target, weight, probs_allowed=False)
    weights = () if weight is None else (cast(weight, input.dtype),)
    return apply(NllLoss, input, target, *weights, ignore_index=int(ignore_index), reduction=reduction)
