"""The soft-margin (logistic) and margin (hinge) losses of ``nn.functional`` for two classes, for several labels per
sample, and for one class out of C (re-exported by ``functional.py``). ``x`` are scores (logits), not
probabilities; y the targets.

* ``soft_margin_loss``: two classes, y = ±1: ``log(1 + exp(-y x))`` per element — logistic regression's loss.
* ``multilabel_soft_margin_loss``: any subset of C labels, y (N, C) of 0/1: for each sample the mean over the C
  labels of the binary cross-entropy of sigmoid(x), ``-(y log σ(x) + (1 - y) log σ(-x))`` (times ``weight[c]``).
* ``multi_margin_loss``: one class y out of C: ``Σ_{i ≠ y} weight[y] · max(0, margin - x[y] + x[i])^p / C`` —
  the multi-class SVM's hinge loss: the true class's score should beat every other by ``margin``.
* ``multilabel_margin_loss``: several true classes, listed at the start of each row of y (class indices, the
  list ended by the first -1): ``Σ_{j true} Σ_{i not true} max(0, 1 - (x[j] - x[i])) / C``.

Each loss is reduced by ``reduction`` over the samples (the per-sample losses are (N,)), or over the elements
for ``soft_margin_loss``; the legacy ``size_average`` / ``reduce`` flags are handled as in ``loss_functions.py``.
All are compositions of ops, so their gradients come from the ops they are made of.
"""
from ... import ops
from ...ops.base import DimensionError, OpError, describe
from ...ops.losses import check_reduction, float_input, reduce_loss
from .loss_functions import _reduction, _tensors
from ..amp import runs_in_float32

__all__ = ["soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss"]


@runs_in_float32
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target · input))`` per element (targets ±1), computed as ``softplus(-target · input)``."""
    _tensors("soft_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    float_input("soft_margin_loss", input)
    if tuple(input.shape) != tuple(target.shape):
        raise OpError(f"soft_margin_loss: expected target of the input's shape, got input {describe(input)} and "
                      f"target {describe(target)}")
    return reduce_loss(ops.softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """The mean over the C labels of each sample's binary cross-entropies with logits: input and target (N, C)
    (or (C,)), ``weight`` (C,) per label. The per-sample losses (N,) are then reduced."""
    _tensors("multilabel_soft_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    float_input("multilabel_soft_margin_loss", input)
    if tuple(input.shape) != tuple(target.shape):
        raise OpError(f"multilabel_soft_margin_loss: expected target of the input's shape, got input "
                      f"{describe(input)} and target {describe(target)}")
    # -(y log σ(x) + (1 - y) log σ(-x)), with log σ(x) = -softplus(-x): finite for every x
    loss = target * ops.softplus(-input) + (1 - target) * ops.softplus(input)
    if weight is not None:
        loss = loss * weight
    return reduce_loss(ops.sum(loss, -1) / input.shape[-1], reduction)


def _classes(name, input, target):
    """Check that ``input`` is (N, C) or (C,) and ``target`` holds class indices; return whether the input is
    unbatched (C,)."""
    float_input(name, input)
    if input.ndim not in (1, 2):
        raise OpError(f"{name}: expected input (N, C) or (C,), got {describe(input)}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected target to hold class indices (int64), got {describe(target)}")
    return input.ndim == 1


@runs_in_float32
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """``Σ_{i ≠ y} weight[y] · max(0, margin - input[y] + input[i])^p / C`` per sample, for ``input`` (N, C) or
    (C,) and class indices ``target`` (N,) or (); ``p`` is 1 or 2."""
    _tensors("multi_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    unbatched = _classes("multi_margin_loss", input, target)
    if unbatched:
        input, target = ops.unsqueeze(input, 0), ops.reshape(target, (1,))
    n, classes = input.shape
    if tuple(target.shape) != (n,):
        raise OpError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                      f"samples (batch size). Expected target size [{n}], but got {list(target.shape)}. Input has "
                      f"shape {list(input.shape)}.")
    if weight is not None and tuple(weight.shape) != (classes,):
        raise OpError(f"multi_margin_loss: inconsistent weight size, expected {classes} but got {describe(weight)}")
    if target.numel() and (int(ops.min(target)) < 0 or int(ops.max(target)) >= classes):
        raise DimensionError(f"multi_margin_loss: target out of range: class indices must be in [0, {classes})")
    labels = ops.unsqueeze(target, 1)
    true_score = ops.gather(input, 1, labels)  # (N, 1)
    hinge = ops.relu(margin - true_score + input)  # relu, not clamp: a term exactly at 0 passes no gradient
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * ops.unsqueeze(ops.index_select(weight, 0, target), 1)
    others = 1 - ops.cast(ops.one_hot(target, classes), input.dtype)  # the true class does not count
    loss = ops.sum(hinge * others, 1) / classes
    return reduce_loss(ops.squeeze(loss, 0) if unbatched else loss, reduction)


@runs_in_float32
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``Σ_{j true} Σ_{i not true} max(0, 1 - (input[j] - input[i])) / C`` per sample, for ``input`` (N, C) or
    (C,) and ``target`` of the same shape listing the true classes first, ended by -1 (what follows is
    ignored)."""
    _tensors("multilabel_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    unbatched = _classes("multilabel_margin_loss", input, target)
    if tuple(target.shape) != tuple(input.shape):
        raise OpError(f"multilabel_margin_loss: inconsistent target size: {list(target.shape)} for input of size: "
                      f"{list(input.shape)}")
    if unbatched:
        input, target = ops.unsqueeze(input, 0), ops.unsqueeze(target, 0)
    classes = input.shape[1]
    if target.numel() and (int(ops.min(target)) < -1 or int(ops.max(target)) >= classes):
        raise IndexError(f"multilabel_margin_loss: target out of range: entries must be class indices in "
                         f"[0, {classes}) or -1")
    listed = ops.cumprod(ops.cast(target >= 0, input.dtype), 1)  # 1 up to the first -1, 0 from there on
    labels = ops.clamp(target, min=0)
    # is_true[n, c]: whether class c is listed in row n
    listed_one_hot = ops.cast(ops.one_hot(labels, classes), input.dtype) * ops.unsqueeze(listed, 2)  # (N, K, C)
    is_true = ops.clamp(ops.sum(listed_one_hot, 1), max=1)
    true_scores = ops.gather(input, 1, labels)  # (N, K): the score of each listed class (K slots)
    hinge = ops.relu(1 - ops.unsqueeze(true_scores, 2) + ops.unsqueeze(input, 1))  # (N, K, C); 0 at 0, as above
    # the pairs that count: a listed slot j and a class i not listed. Selected, not multiplied by 0/1 masks: the
    # hinge of a pair left out can be inf (an inf score after the -1, or in a listed class), and 0 * inf is NaN
    counted = ops.logical_and(ops.unsqueeze(listed, 2) > 0, ops.unsqueeze(is_true, 1) == 0)
    loss = ops.sum(ops.where(counted, hinge, 0.0), (1, 2)) / classes
    return reduce_loss(ops.squeeze(loss, 0) if unbatched else loss, reduction)
