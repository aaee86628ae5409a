"""The learning-rate schedules that cycle, re-exported by ``lr_scheduler``: ``CosineAnnealingWarmRestarts``
(cosine periods that restart), ``OneCycleLR`` (one rise and fall over the whole training) and ``CyclicLR``
(triangles, again and again). The last two are stepped once per batch, and can cycle the momentum the opposite
way: a high rate with low momentum, and back.
"""
import math

from .lr_scheduler import LRScheduler, _per_group, set_group_lr
from .optimizer import Optimizer


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing that restarts (SGDR, Loshchilov & Hutter, 2017):
    ``lr = eta_min + (base - eta_min)·(1 + cos(π·T_cur/T_i))/2``, where ``T_cur`` counts the epochs since the last
    restart and the i-th period lasts ``T_i = T_0·T_mult^i`` epochs.

    ``step(epoch)`` takes a fractional epoch without a warning (``step(epoch + i / iters)`` within an epoch is the
    documented use), and, like PyTorch's, this scheduler does not check the order of ``optimizer.step()``."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _lrs(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base in self.base_lrs]

    def step(self, epoch=None):
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # (a remainder: a scheduler made with last_epoch=N starts N epochs in)
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch < self.T_0:
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            # the restarts happen at T_0·(1 + T_mult + ... + T_mult^(n-1)) = T_0·(T_mult^n - 1)/(T_mult - 1)
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult ** n
        self.last_epoch = math.floor(epoch)
        self._set_lrs(self._lrs())


def _set_momentum(optimizer, momenta, use_beta1):
    """Write each group's momentum: SGD's ``momentum``, or beta1 of Adam's ``betas``."""
    for group, momentum in zip(optimizer.param_groups, momenta):
        if use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def _cycled_momentum(optimizer, base_momentum, max_momentum, last_epoch):
    """For the cyclic schedules: whether the optimizer's momentum is beta1 (Adam) or ``momentum`` (SGD); on a fresh
    start, each group's momentum bounds are stored and its momentum set to the maximum."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    use_beta1 = "betas" in optimizer.defaults
    if last_epoch == -1:
        highs, lows = _per_group("max_momentum", optimizer, max_momentum), _per_group("base_momentum", optimizer,
                                                                                     base_momentum)
        for group, high, low in zip(optimizer.param_groups, highs, lows):
            group["max_momentum"], group["base_momentum"] = high, low
        _set_momentum(optimizer, highs, use_beta1)
    return use_beta1


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped once per batch: the rate rises from ``max_lr /
    div_factor`` to ``max_lr`` over the first ``pct_start`` of ``total_steps`` (or ``epochs · steps_per_epoch``),
    then falls to ``initial_lr / final_div_factor`` — cosine curves (``anneal_strategy='cos'``) or straight lines
    (``'linear'``). ``three_phase=True`` comes back down to the initial rate first, then anneals to the minimum.
    With ``cycle_momentum``, the momentum (SGD's, or Adam's beta1) moves the opposite way between
    ``max_momentum`` and ``base_momentum``."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        # the phases: (last step, (start lr, end lr), (start momentum, end momentum)), names of group entries
        rise = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._phases = [(rise, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
                            (float(2 * pct_start * self.total_steps) - 2, ("max_lr", "initial_lr"),
                             ("base_momentum", "max_momentum")),
                            (self.total_steps - 1, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum"))]
        else:
            self._phases = [(rise, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
                            (self.total_steps - 1, ("max_lr", "min_lr"), ("base_momentum", "max_momentum"))]
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, _per_group("max_lr", optimizer, max_lr)):
                group["initial_lr"], group["max_lr"] = top / div_factor, top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _cycled_momentum(optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, fraction):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def _lrs(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is "
                             f"{self.total_steps}")
        lrs, momenta = [], []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, (lr_from, lr_to), (m_from, m_to)) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    fraction = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], fraction))
                    momenta.append(self._anneal(group[m_from], group[m_to], fraction) if self.cycle_momentum else None)
                    break
                start = end
        if self.cycle_momentum:
            _set_momentum(self.optimizer, momenta, self.use_beta1)
        return lrs


class CyclicLR(LRScheduler):
    """The cyclical learning rate (Smith, 2017), stepped once per batch: up from ``base_lr`` to ``max_lr`` in
    ``step_size_up`` steps, down again in ``step_size_down`` (default: the same), and again. ``mode``:
    'triangular' (every cycle alike), 'triangular2' (the height halves each cycle), 'exp_range' (the height shrinks
    by ``gamma`` per step); or your ``scale_fn(x)`` of the cycle number or step (``scale_mode``). With
    ``cycle_momentum``, the momentum cycles the opposite way between ``max_momentum`` and ``base_momentum``."""

    _unsaved = ("optimizer", "scale_fn_custom")  # functions are not state

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                set_group_lr(group, lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if not (up >= 0 and down >= 0 and up + down > 0):
            raise ValueError(f"CyclicLR: step_size_up and step_size_down must be non-negative and not both 0 (the "
                             f"cycle's length), got {step_size_up} and {step_size_down}")
        self.total_size, self.step_ratio = up + down, up / (up + down)
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode, self.gamma, self.scale_fn_custom = mode, gamma, scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else ("iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _cycled_momentum(optimizer, base_momentum, max_momentum, last_epoch)
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        if self.scale_fn_custom is not None:
            return self.scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _lrs(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position within the cycle, in [0, 1)
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        if self.cycle_momentum:
            _set_momentum(self.optimizer, [high - (high - low) * height * scale
                                           for low, high in zip(self.base_momentums, self.max_momentums)],
                          self.use_beta1)
        return [low + (high - low) * height * scale for low, high in zip(self.base_lrs, self.max_lrs)]
