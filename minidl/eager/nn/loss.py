"""Loss modules: each holds its options (``reduction``, class ``weight`` ...) and calls the matching function of
``nn.functional``; ``loss_fn(input, target)`` returns the loss.

``reduction`` says what to do with the per-element losses: ``'mean'`` (the default) averages them, ``'sum'``
adds them, ``'none'`` returns them all. Class weights (``weight``, ``pos_weight``) are registered as buffers, as
in PyTorch: they move with ``.to()`` and appear in ``state_dict``.

Unlike PyTorch, the options after ``weight`` are keyword-only, and the long-deprecated ``size_average`` and
``reduce`` arguments are not accepted (``reduction`` replaced them).
"""
from ...ops.losses import check_reduction
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction="mean", allowed=("none", "mean", "sum")):
        super().__init__()
        check_reduction(reduction, allowed)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """``|input - target|`` per element."""

    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """``(input - target)²`` per element."""

    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target): quadratic near
    zero, linear (robust to outliers) far away."""

    def __init__(self, *, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``0.5 d²`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``: SmoothL1Loss times ``delta``."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """The negative log-likelihood ``-weight[y] · input[n, y]`` of the target class y, for an ``input`` of log
    probabilities (N, C) or (N, C, d1, ...). Targets equal to ``ignore_index`` count for nothing; ``'mean'``
    divides by the total weight of the counted targets."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """``NLLLoss`` of ``log_softmax(input, dim=1)``, computed as one stable fused op. ``target``: class indices
    (N,) / (N, d1, ...), or class probabilities shaped like ``input``. ``label_smoothing`` mixes the target with
    the uniform distribution."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """``-weight · (t log x + (1 - t) log(1 - x))`` for probabilities ``x`` (the logs clamped at -100)."""

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """``BCELoss`` of ``sigmoid(input)``, computed stably from the logits. ``pos_weight`` (one per class)
    multiplies the positive term ``t log σ(x)`` (> 1 raises recall)."""

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence ``t (log t - input)`` for ``input`` log-probabilities (and ``target``
    probabilities, or log-probabilities with ``log_target=True``). Use ``reduction='batchmean'`` (the sum
    divided by the batch size) for the true KL divergence; ``'mean'`` divides by the number of elements."""

    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__(reduction, ("none", "mean", "sum", "batchmean"))
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
