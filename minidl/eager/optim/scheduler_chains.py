"""Schedules made of other schedules, re-exported by ``lr_scheduler``:

* ``SequentialLR`` runs one scheduler after another, switching at the ``milestones`` (a warm-up, then a decay:
  ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), CosineAnnealingLR(opt, T_max=95)], milestones=[5])``);
  each scheduler starts again from its own epoch 0 when its turn comes.
* ``ChainedScheduler`` steps several at once: the chainable schedules (lr_scheduler.py) each move the rate the
  group has, so their effects multiply (a warm-up factor times a decay) — the same as stepping them one after the
  other by hand. A LambdaLR among them sets the rate afresh, undoing the others' earlier changes, as in PyTorch.
"""
import bisect

from .lr_scheduler import LRScheduler, ReduceLROnPlateau


def _check_schedulers(kind, schedulers, optimizer):
    """At least one scheduler, each of ``optimizer`` (PyTorch's messages)."""
    if not schedulers:
        raise ValueError(f"{kind} expects at least one scheduler, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{kind} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):  # (its step needs the metric)
            raise ValueError(f"{kind} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                             f"kwargs to be specified when calling `step`, but got one at index {i} in the given "
                             f"schedulers sequence.")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{kind} expects all schedulers to belong to the same optimizer, but got scheduler "
                             f"{type(scheduler).__name__} at index {i} has {scheduler.optimizer}, which is different "
                             f"from {type(optimizer).__name__}.")


class _SchedulerOfSchedulers(LRScheduler):
    """What both have in common: their state includes that of their schedulers."""

    _unsaved = ("optimizer", "_schedulers")

    def state_dict(self):
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        for scheduler, saved in zip(self._schedulers, state.pop("_schedulers")):
            scheduler.load_state_dict(saved)
        super().load_state_dict(state)


class SequentialLR(_SchedulerOfSchedulers):
    """``schedulers[0]`` until epoch ``milestones[0]``, then ``schedulers[1]`` (from its own epoch 0) until
    ``milestones[1]``, and so on."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers, milestones = list(schedulers), list(milestones)
        _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be one more than the "
                             f"number of milestone points, but got number of schedulers {len(schedulers)} and the "
                             f"number of milestones to be equal to {len(milestones)}")
        self.optimizer, self._schedulers, self._milestones = optimizer, schedulers, milestones
        self.last_epoch = last_epoch + 1
        # Each scheduler took a step when it was made, and the last one made set the rates. Start again: the
        # initial rates, no steps taken (those inside a ChainedScheduler too), then the first step of the scheduler
        # whose turn epoch 0 is.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_first_steps(self)
        first = schedulers[bisect.bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        self.last_epoch += 1
        current = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[current]
        if current > 0 and self._milestones[current - 1] == self.last_epoch:
            scheduler.jump_to(0)  # its turn begins at its own epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _undo_first_steps(scheduler):
    """Take back the step each scheduler made when it was made, down through schedulers of schedulers."""
    if isinstance(scheduler, _SchedulerOfSchedulers):
        for inner in scheduler._schedulers:
            _undo_first_steps(inner)
    else:
        scheduler.last_epoch -= 1


class ChainedScheduler(_SchedulerOfSchedulers):
    """All ``schedulers`` step together, in order (see above)."""

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer if schedulers else None
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self.optimizer, self._schedulers = optimizer, schedulers
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
