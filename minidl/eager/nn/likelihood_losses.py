"""Negative log-likelihood losses of ``nn.functional`` for counts and for real values with a predicted variance
(re-exported by ``functional.py``). Both drop the terms that do not depend on the prediction unless ``full``.

* ``poisson_nll_loss``: the target t is a count from a Poisson distribution of rate λ, -log P(t | λ) =
  λ - t log λ + log(t!). With ``log_input`` (the default) the input is log λ, so the loss is exp(x) - t x;
  otherwise the input is λ itself: λ - t log(λ + eps). ``full`` adds log(t!) by Stirling's approximation
  t log t - t + ½ log(2π t), for t > 1 (log(t!) is 0 for t = 0 and 1).
* ``gaussian_nll_loss``: the target is drawn from a normal distribution N(input, var):
  ½ (log var + (input - target)² / var), plus ½ log(2π) with ``full``. ``var`` is clamped to at least ``eps``
  for stability — its value only, as PyTorch does: the gradient passes as if unclamped.

Compositions of ops; the reductions are PyTorch's (``poisson_nll_loss`` also takes the legacy ``size_average`` /
``reduce`` flags).
"""
import math

from ... import ops
from ...ops.base import describe, is_tensor
from ...ops.losses import check_reduction, float_input, reduce_loss
from .loss_functions import _reduction, _tensors
from ..amp import runs_in_float32
from ..grad_mode import no_grad

__all__ = ["poisson_nll_loss", "gaussian_nll_loss"]


@runs_in_float32
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """``exp(input) - target · input`` (``log_input``) or ``input - target · log(input + eps)``, plus Stirling's
    approximation of ``log(target!)`` where target > 1 when ``full``."""
    _tensors("poisson_nll_loss", broadcast=True, input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    float_input("poisson_nll_loss", input)
    if log_input:
        loss = ops.exp(input) - target * input
    else:
        loss = input - target * ops.log(input + eps)
    if full:  # where target <= 1, the term is 0: computed there for t = 1 (no log of 0), then dropped
        large = target > 1
        t = ops.where(large, target, ops.ones_like(target))
        loss = loss + ops.where(large, t * ops.log(t) - t + 0.5 * ops.log(2 * math.pi * t), ops.zeros_like(t))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """``½ (log var + (input - target)² / var)`` (+ ``½ log 2π`` with ``full``). ``var``: shaped like input
    (one variance per value), or like input without its last dim, or with one of its dims 1 (shared along it, as
    PyTorch 2.13 allows: (4, 1, 32, 32) for images (4, 3, 32, 32)); or a float. Its entries must not be
    negative."""
    _tensors("gaussian_nll_loss", input=input, target=target)
    float_input("gaussian_nll_loss", input)
    if not is_tensor(var):
        if float(var) < 0:
            raise ValueError("var has negative entry/entries")
        var = ops.full_like(input, float(var))
    elif bool(ops.any(var < 0)):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(var.shape) == tuple(input.shape[:-1]):  # one variance per row: broadcast along the last dim
            var = ops.unsqueeze(var, -1)
        elif not (var.ndim == input.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(f"var is of incorrect size: expected {list(input.shape)}, that without its last dim, "
                             f"or that with one dim of 1 (input {describe(input)}), got {describe(var)}")
    check_reduction(reduction)
    # the clamped value, with the gradient of var itself: PyTorch clamps a clone in place without recording it
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (ops.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)
