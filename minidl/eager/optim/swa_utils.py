"""Averages of a model's weights along training: stochastic weight averaging (SWA) and exponential moving averages
(EMA), PyTorch's ``torch.optim.swa_utils``.

The weights an optimizer visits late in training bounce around a wide, flat region of the loss; their *average*
lies nearer its centre and usually generalizes better than any single one of them (Izmailov et al., 2018).
``AveragedModel`` keeps a copy of the model whose weights are that average, updated by ``update_parameters(model)``
(typically once per epoch):

* **SWA**, the default — an equal average of the n + 1 models seen, kept as a running mean::

      W̄ ← W̄ + (W - W̄) / (n + 1)          (W̄ = W at the first update)

* **EMA**, ``get_ema_multi_avg_fn(decay)`` — recent models weigh more (Polyak averaging with exponential
  weights; ``decay`` close to 1 averages over about 1 / (1 - decay) updates)::

      W̄ ← decay · W̄ + (1 - decay) · W     (W̄ = W at the first update)

``SWALR`` anneals the learning rate to a constant ``swa_lr`` while the averaging runs. Batch norm's running
statistics belong to the weights they were measured with, not to their average: ``update_bn`` measures them again
with one pass over the data (or ``use_buffers=True`` averages them along with the weights).
"""
import copy
import math

from ...backend import dtypes
from ..creation import tensor
from ..grad_mode import no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
           "get_swa_avg_fn"]


# ------------------------------------------------------------------------------------- averaging functions

def _check_decay(decay):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_avg_fn(decay=0.999):
    """``avg_fn(averaged, current, num_averaged)`` for one tensor: ``decay · averaged + (1 - decay) · current``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """``avg_fn(averaged, current, num_averaged)`` for one tensor: ``averaged + (current - averaged) /
    (num_averaged + 1)``, the running mean."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """``multi_avg_fn(averaged_list, current_list, num_averaged)``: the EMA of ``get_ema_avg_fn``, written into
    the averaged tensors in place (floating point ones move by ``lerp``: averaged + (1 - decay)(current -
    averaged), the same average)."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, num_averaged):
        for ema, current in zip(ema_param_list, current_param_list):
            if ema.is_floating_point() or ema.is_complex():
                ema.lerp_(current, 1 - decay)
            else:  # (lerp is for floating point only)
                ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """``multi_avg_fn(averaged_list, current_list, num_averaged)``: the running mean of ``get_swa_avg_fn``,
    written into the averaged tensors in place (floating point ones by ``lerp`` with weight 1 / (n + 1))."""
    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        for averaged, current in zip(averaged_param_list, current_param_list):
            if averaged.is_floating_point() or averaged.is_complex():
                averaged.lerp_(current, 1 / (num_averaged + 1))
            else:  # integer buffers: the mean, truncated back to integers
                averaged.copy_(averaged + (current - averaged) / (num_averaged + 1))

    return swa_update


# ------------------------------------------------------------------------------------------- AveragedModel

class AveragedModel(Module):
    """A copy of ``model`` (``self.module``) whose parameters are the average of those of the models given to
    ``update_parameters`` (module docstring); calling it calls the copy.

    ``device``: where the copy lives. ``avg_fn(averaged, current, num_averaged)`` returns one averaged tensor;
    ``multi_avg_fn(averaged_list, current_list, num_averaged)`` updates lists of them in place (called once per
    device and dtype); at most one of the two, the SWA running mean when neither is given. ``use_buffers``: average
    the buffers too (batch norm statistics included) instead of copying the model's. The count of models averaged
    is the buffer ``n_averaged`` (saved in ``state_dict``; the functions are not)."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=dtypes.int64, device=device))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_pairs(self, model):
        """(this copy's tensor, the model's tensor) for each averaged tensor: the parameters, and with
        ``use_buffers`` the buffers after them."""
        mine, theirs = list(self.module.parameters()), list(model.parameters())
        if self.use_buffers:
            mine, theirs = mine + list(self.module.buffers()), theirs + list(model.buffers())
        if len(mine) != len(theirs):
            what = "parameters and buffers" if self.use_buffers else "parameters"
            raise ValueError(f"AveragedModel.update_parameters: the model has {len(theirs)} {what}, the averaged "
                             f"copy {len(mine)}; expected a model of the same architecture")
        return [(a.detach(), b.detach().to(a.device)) for a, b in zip(mine, theirs)]

    @no_grad()
    def update_parameters(self, model):
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        pairs = self._averaged_pairs(model)
        n = self.n_averaged
        if int(n) == 0:
            for averaged, current in pairs:
                averaged.copy_(current)
        elif self.multi_avg_fn is not None:
            groups = {}  # (device, dtype) -> pairs: a multi_avg_fn works on tensors of one kind at a time
            for averaged, current in pairs:
                groups.setdefault((str(averaged.device), averaged.dtype), []).append((averaged, current))
            for (device, _), group in groups.items():
                self.multi_avg_fn([a for a, _ in group], [c for _, c in group], n.to(device))
        else:
            avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
            for averaged, current in pairs:
                averaged.copy_(avg_fn(averaged, current, n.to(averaged.device)))
        if not self.use_buffers:  # the buffers follow the model (batch norm: see update_bn)
            for mine, theirs in zip(self.module.buffers(), model.buffers(), strict=True):
                mine.copy_(theirs.detach().to(mine.device))
        self.n_averaged += 1


# ------------------------------------------------------------------------------------------------ update_bn

@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of every batch norm layer in ``model`` with one pass over ``loader``.

    Each layer's statistics are reset and its ``momentum`` set to None for the pass, which makes them the
    cumulative average over all the batches (batch k has weight 1/k) instead of an exponential one. A batch from
    ``loader`` is a tensor, or a list/tuple whose first element is the input; ``device``: where to move it.
    Afterwards the momenta and the model's training mode (the root's, for every layer, as in PyTorch) are
    restored — also if the pass fails."""
    momenta = {module: module.momentum for module in model.modules() if isinstance(module, _BatchNorm)}
    if not momenta:
        return
    for module in momenta:
        module.reset_running_stats()
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


# ---------------------------------------------------------------------------------------------------- SWALR

class SWALR(LRScheduler):
    """Anneal each group's learning rate from where it is to ``swa_lr`` (a number, or one per group) over
    ``anneal_epochs`` steps, then keep it there.

    At step s (the first, made by the constructor, is s = 0; with ``anneal_epochs = 0``, s is at least 1)::

        t = min(1, s / max(1, anneal_epochs)),   α = t ("linear")  or  (1 - cos πt) / 2 ("cos")
        lr = α · swa_lr + (1 - α) · lr_start

    ``lr_start``, the rate the annealing started from, is not stored: each step recovers it from the current rate
    by inverting the previous step's formula, ``lr_start = (lr - α_prev · swa_lr) / (1 - α_prev)`` (``swa_lr`` once
    α_prev = 1). That is PyTorch's arithmetic, so the rates agree with it to the last bit.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self._anneal_strategy, self.anneal_epochs = anneal_strategy, anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t):
        """How far (0 to 1) the rate has moved to ``swa_lr`` at progress t ∈ [0, 1]."""
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def _alpha(self, step):
        return self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))

    def _lrs(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        previous, alpha = self._alpha(step - 1), self._alpha(step)
        lrs = []
        for group in self.optimizer.param_groups:
            start = group["swa_lr"] if previous == 1 else (group["lr"] - previous * group["swa_lr"]) / (1 - previous)
            lrs.append(group["swa_lr"] * alpha + start * (1 - alpha))
        return lrs
