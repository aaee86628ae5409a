"""Learning-rate schedules: each ``step()`` (usually once per epoch, or per batch for the cyclic ones) sets every
group's ``lr``.

A scheduler records each group's starting ``initial_lr`` and knows its rate at any epoch count (``last_epoch``)
in closed form, ``lr_at(base, epoch)``. The multiplicative schedules (Step, MultiStep, Exponential, Constant,
Linear, Polynomial, Multiplicative) and CosineAnnealingLR are *chainable*, as in PyTorch: a step moves the rate a
group has now by the schedule's change since the previous epoch (``step_factor(e)``, equal to ``lr_at(e) /
lr_at(e - 1)`` but written as PyTorch computes it, so the rates agree with PyTorch's to the last bit), rather than
setting it from the base rate. So two schedulers stepped one after the other multiply their effects (an
ExponentialLR decay and a MultiStepLR drop together), and a rate changed by hand carries on. LambdaLR and the
cyclic schedules set the rate from the closed form at every step, as PyTorch's do.

Two of PyTorch's warnings are kept, because both catch real mistakes: ``scheduler.step()`` called before the
first ``optimizer.step()`` (the first rate of the schedule is then never used), and the deprecated
``scheduler.step(epoch)`` (it jumps to that epoch: the closed form, where the schedule has one).
"""
import collections
import functools
import math
import types
import warnings

from ..tensor import Tensor
from .optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use "
    "`scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed "
    "form is used instead of the new chainable form, where available. Please open an issue if you are unable to "
    "replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."
)
_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call "
    "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in "
    "PyTorch skipping the first value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make "
    "sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def _track_optimizer_steps(optimizer):
    """Wrap ``optimizer.step`` (once) so that it records that it was called, for the order warning. The wrapper
    is an attribute of this optimizer only: a copy of it (``copy.deepcopy``) leaves it out, as PyTorch's does."""
    step = getattr(optimizer.step, "__func__", None)
    if step is None or hasattr(step, "_wrapped_by_lr_sched"):
        return

    @functools.wraps(step)
    def counted_step(self, *args, **kwargs):
        self._opt_called = True
        return step(self, *args, **kwargs)

    counted_step._wrapped_by_lr_sched = True
    optimizer.step = types.MethodType(counted_step, optimizer)


def _warn_get_lr_called_within_step(scheduler):
    """PyTorch's warning for a ``get_lr()`` called outside ``step`` (by a user who wants ``get_last_lr()``)."""
    if not scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                      UserWarning, stacklevel=3)


def _per_group(name, optimizer, value):
    """One value per parameter group: a list of them, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} has {len(value)} "
                             f"values, param_groups has {len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """A subclass defines ``lr_at(base_lr, epoch)`` (or ``_lrs()`` for rules that need more than that), and says
    whether it is ``chainable`` (see the module docstring; then it defines ``step_factor`` too). A scheduler
    written for PyTorch overrides ``get_lr()`` instead (every group's rate at ``last_epoch``), and maybe
    ``_get_closed_form_lr()`` (the rates ``step(epoch)`` jumps to): that works too."""

    _unsaved = ("optimizer",)
    chainable = False
    #: a scheduler made to resume (``last_epoch >= 0``) leaves the rate the optimizer has: that rate already is
    #: the one of ``last_epoch`` (PyTorch's rule for these schedules; Step, MultiStep and Constant still move on
    #: their own epochs)
    keeps_the_rate_when_resumed = False

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler "
                               "with last_epoch >= 0")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        """The step a scheduler takes when it is made, to its first epoch (``SequentialLR`` repeats it)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _resuming(self):
        """True in the step made by the constructor of a scheduler that resumes (see the class attribute)."""
        return self.keeps_the_rate_when_resumed and self._is_initial and self.last_epoch > 0

    def lr_at(self, base_lr, epoch):
        """The learning rate of a group that started at ``base_lr``, after ``epoch`` steps."""
        raise NotImplementedError

    def _lrs(self):
        """Every group's learning rate at ``last_epoch``, in closed form."""
        return [self.lr_at(base, self.last_epoch) for base in self.base_lrs]

    def step(self, epoch=None):
        self._check_order()
        if epoch is None:
            self.last_epoch += 1
            self._set_lrs(self._within_step(self.get_lr))
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.jump_to(epoch)

    def jump_to(self, epoch):
        """Set the rates of ``epoch`` directly (``step(epoch)``; SequentialLR starting this scheduler at 0), with
        PyTorch's rule: the closed form where the scheduler has one — ``_get_closed_form_lr()``, PyTorch's name,
        which a user's scheduler may define, or a chainable schedule's ``lr_at`` — else ``get_lr()`` (for
        MultiplicativeLR, one step's change from the current rates; a user's ``get_lr`` that reads ``last_epoch``)."""
        self.last_epoch = epoch
        closed_form = getattr(self, "_get_closed_form_lr", self._lrs if self.chainable else self.get_lr)
        self._set_lrs(self._within_step(closed_form))

    #: True while ``step`` computes the rates: a ``get_lr`` called otherwise, by the user, warns (it gives the
    #: *next* rates, or wrong ones, not the current ones). PyTorch's name, which schedulers copied from it read.
    _get_lr_called_within_step = False

    def _within_step(self, compute_lrs):
        self._get_lr_called_within_step = True
        try:
            return compute_lrs()
        finally:
            self._get_lr_called_within_step = False

    def get_lr(self):
        """Every group's learning rate for ``last_epoch`` (what ``step()`` sets): for a chainable schedule, the
        rate each group has now times the schedule's change since the previous epoch; otherwise the closed form."""
        _warn_get_lr_called_within_step(self)
        if not self.chainable:
            return self._lrs()
        groups = self.optimizer.param_groups
        if self._resuming():
            return [group["lr"] for group in groups]
        factor = self.step_factor(self.last_epoch)
        return [group["lr"] if factor == 1 else group["lr"] * factor for group in groups]

    def step_factor(self, epoch):
        """A chainable schedule's change from ``epoch - 1`` (the base rate, before epoch 0) to ``epoch``:
        ``lr_at(epoch) / lr_at(epoch - 1)``, written as PyTorch computes it, so that the rates agree to the bit."""
        raise NotImplementedError(f"{type(self).__name__} is chainable: it must define step_factor(epoch)")

    def _check_order(self):
        """PyTorch's warnings when the first ``step()`` after construction comes before any ``optimizer.step()``."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(_OVERRIDDEN_WARNING, UserWarning, stacklevel=3)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=3)
        self._step_count += 1

    def _set_lrs(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            set_group_lr(group, lr)
        self._last_lr = list(lrs)

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in self._unsaved}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


def set_group_lr(group, lr):
    """``group["lr"] = lr`` — or, where the learning rate is a tensor, ``lr`` written into it: PyTorch keeps the
    tensor (a compiled step may have captured it)."""
    if isinstance(group["lr"], Tensor):
        group["lr"].fill_(lr)
    else:
        group["lr"] = lr


def _positive(scheduler, what, value):
    """A period of a schedule, which it divides by (PyTorch fails with a ZeroDivisionError at a step instead)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{scheduler}: {what} must be a positive number, got {value!r}")


_LRScheduler = LRScheduler  # PyTorch's older name, still what many custom schedulers subclass


class StepLR(LRScheduler):
    """``lr = base · gamma^floor(epoch / step_size)``."""
    chainable = True

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _positive("StepLR", "step_size", step_size)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)

    def step_factor(self, epoch):
        return self.gamma if epoch and epoch % self.step_size == 0 else 1


class MultiStepLR(LRScheduler):
    """``lr = base · gamma^(number of milestones ≤ epoch)``."""
    chainable = True

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        if not hasattr(milestones, "__iter__"):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, got {milestones!r}")
        # milestone -> how many times it was given (a repeated one decays twice there), as PyTorch keeps them: a
        # state_dict from either library loads into the other
        self.milestones, self.gamma = collections.Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** sum(n for m, n in self.milestones.items() if m <= epoch)

    def step_factor(self, epoch):
        return self.gamma ** self.milestones[epoch]

    def load_state_dict(self, state_dict):
        """Milestones saved as a Counter, as a plain dict (``minidl.eager.save`` writes no Counter) or as a list
        (minidl's older state) load as the Counter."""
        milestones = state_dict.get("milestones", self.milestones)
        counted = collections.Counter(milestones) if isinstance(milestones, (list, tuple)) else \
            collections.Counter(dict(milestones))
        super().load_state_dict(dict(state_dict, milestones=counted))


class ExponentialLR(LRScheduler):
    """``lr = base · gamma^epoch``."""
    chainable = True
    keeps_the_rate_when_resumed = True

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** epoch

    def step_factor(self, epoch):
        return self.gamma if epoch else 1


class CosineAnnealingLR(LRScheduler):
    """``lr = eta_min + (base - eta_min)·(1 + cos(π·epoch/T_max))/2`` (continuing periodically past T_max).
    Chained, a step moves the rate's distance above ``eta_min`` by the ratio of consecutive (1 + cos) terms, and
    where the closed form leaves ``eta_min`` again (each period's restart) it adds the schedule's rise."""
    chainable = True
    keeps_the_rate_when_resumed = True

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _positive("CosineAnnealingLR", "T_max", T_max)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def get_lr(self):
        _warn_get_lr_called_within_step(self)
        groups, epoch, period = self.optimizer.param_groups, self.last_epoch, self.T_max
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (epoch - 1 - period) % (2 * period) == 0:  # at eta_min a step ago: the rise of the next period
            rise = (1 - math.cos(math.pi / period)) / 2
            return [group["lr"] + (base - self.eta_min) * rise for group, base in zip(groups, self.base_lrs)]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
        return [ratio * (group["lr"] - self.eta_min) + self.eta_min for group in groups]


def _lambdas(optimizer, lr_lambda):
    """One function per parameter group: a list of them, or one function for all."""
    groups = optimizer.param_groups
    lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * len(groups)
    if len(lambdas) != len(groups):
        raise ValueError(f"Expected {len(groups)} lr_lambdas, but got {len(lambdas)}")
    for fn in lambdas:
        if not callable(fn):
            raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
    return lambdas


class _SavesLambdaObjects:
    """The state dict of a scheduler of ``lr_lambdas``: functions are not state, but a callable *object* (a class
    with ``__call__``) may hold some, so its ``__dict__`` is saved in ``lr_lambdas`` (None for a plain function)
    and restored, as PyTorch does."""

    _unsaved = ("optimizer", "lr_lambdas")

    def state_dict(self):
        state = super().state_dict()
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        for fn, saved in zip(self.lr_lambdas, state.pop("lr_lambdas", [])):
            if saved is not None:
                fn.__dict__.update(saved)
        super().load_state_dict(state)


class LambdaLR(_SavesLambdaObjects, LRScheduler):
    """``lr = base · lr_lambda(epoch)`` (one function, or one per parameter group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def _lrs(self):
        return [base * fn(self.last_epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class MultiplicativeLR(_SavesLambdaObjects, LRScheduler):
    """Each step multiplies the rate by ``lr_lambda(epoch)``: ``lr = base · lr_lambda(1) · ... · lr_lambda(epoch)``
    (one function, or one per parameter group). A step multiplies the group's current rate, so there is no closed
    form: ``step(epoch)`` multiplies once, by ``lr_lambda(epoch)``, as PyTorch's does."""
    keeps_the_rate_when_resumed = True

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        _warn_get_lr_called_within_step(self)
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * fn(self.last_epoch) for group, fn in zip(groups, self.lr_lambdas)]


class ConstantLR(LRScheduler):
    """``lr = base · factor`` for the first ``total_iters`` epochs, then ``base``."""
    chainable = True

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * (self.factor if epoch < self.total_iters else 1.0)

    def step_factor(self, epoch):
        if epoch == 0:
            return self.factor
        return 1.0 / self.factor if epoch == self.total_iters else 1


class LinearLR(LRScheduler):
    """``lr = base · f``, the factor f going linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs, then staying there (a warm-up, with the defaults)."""
    chainable = True
    keeps_the_rate_when_resumed = True

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        progress = min(self.total_iters, epoch) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)

    def step_factor(self, epoch):
        if epoch == 0:
            return self.start_factor
        if epoch > self.total_iters:
            return 1
        rise = self.end_factor - self.start_factor  # f(e) / f(e - 1), with f linear in e
        return 1.0 + rise / (self.total_iters * self.start_factor + (epoch - 1) * rise)


class PolynomialLR(LRScheduler):
    """``lr = base · (1 - min(epoch, total_iters) / total_iters)^power``: down to 0 at ``total_iters``."""
    chainable = True
    keeps_the_rate_when_resumed = True

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * (1.0 - min(self.total_iters, epoch) / self.total_iters) ** self.power

    def step_factor(self, epoch):
        if epoch == 0 or epoch > self.total_iters:
            return 1
        return ((1.0 - epoch / self.total_iters) / (1.0 - (epoch - 1) / self.total_iters)) ** self.power


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    Call ``step(metric)`` after each validation. ``mode='min'`` means lower is better; ``threshold`` sets what
    counts as an improvement (relative or absolute, ``threshold_mode``); ``cooldown`` epochs are waited after a
    reduction; the rate never goes below ``min_lr``. An ``LRScheduler`` (as in PyTorch 2.2 and later: code that
    checks ``isinstance(s, LRScheduler)`` finds it), but one driven by a metric, not by a schedule of epochs, so
    it keeps none of the base's machinery but ``get_last_lr`` and the state dict.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.optimizer, self.mode, self.factor, self.patience = optimizer, mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown, self.eps = threshold, threshold_mode, cooldown, eps
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"expected {len(groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:  # one floor for every group, including those added later
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(groups)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in groups]

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        if self.mode == "min":
            return a < (best * (1 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics, epoch=None):
        value = float(metrics)
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
        if self.is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lrs()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lrs(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since
            if self.default_min_lr is None:
                raise RuntimeError(f"The number of param groups in the `optimizer` ({len(groups)}) differs from "
                                   f"when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due to "
                                   f"a new param group being added to the optimizer. Please modify the `min_lrs` "
                                   f"field to match the length of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                set_group_lr(group, new_lr)


# the schedules that cycle, and those made of other schedulers (built on LRScheduler above, so imported last)
from .cyclic_lr import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR  # noqa: E402,F401
from .scheduler_chains import ChainedScheduler, SequentialLR  # noqa: E402,F401
