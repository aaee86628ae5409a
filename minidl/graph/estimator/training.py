"""``tf.estimator.train_and_evaluate``: train, and evaluate the model each time a checkpoint is written — the loop
of TF 1.x's later official models::

    train_spec = tf.estimator.TrainSpec(input_fn=train_input_fn, max_steps=2000)
    eval_spec = tf.estimator.EvalSpec(input_fn=eval_input_fn, steps=None, throttle_secs=60)
    metrics, _ = tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)

The evaluation rides on the checkpoints: a ``CheckpointSaverListener`` evaluates after each save (how often the
Estimator saves is ``RunConfig``'s ``save_checkpoints_steps``/``save_checkpoints_secs``), except the one made
when training starts, and at most once every ``throttle_secs``; when training ends, the last checkpoint is
evaluated unless it just was. Each evaluation reads the checkpoint just written, in its own graph
(``Estimator.evaluate``), so what is measured is exactly what was saved.

minidl runs in one process: this is TF's local mode (no cluster, no ``TF_CONFIG``). ``start_delay_secs`` (a
remote evaluator's wait) has no effect, and exporters (SavedModel) are not supported.
"""
import collections

from ..compat import logging
from ..train.basic_hooks import CheckpointSaverListener, SecondOrStepTimer
from ..train.session_run_hook import SessionRunHook
from .estimator import Estimator

__all__ = ["EvalSpec", "TrainSpec", "train_and_evaluate"]


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks"])):
    """The training half: ``input_fn``, train until global step ``max_steps`` (None: until the input ends), with
    ``hooks``."""

    def __new__(cls, input_fn, max_steps=None, hooks=None):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn!r}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, tuple(_hooks(hooks)))


class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters",
                                                   "start_delay_secs", "throttle_secs"])):
    """The evaluation half: ``input_fn``, ``steps`` batches per evaluation (None: all its data), ``name`` (the
    evaluation's directory ``eval_<name>``), ``hooks``; evaluate at most every ``throttle_secs`` seconds."""

    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None, start_delay_secs=120,
                throttle_secs=600):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn!r}")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        for what, value in (("start_delay_secs", start_delay_secs), ("throttle_secs", throttle_secs)):
            if value < 0:
                raise ValueError(f"Must specify {what} >= 0, given: {value}")
        if exporters:
            raise NotImplementedError("EvalSpec: exporters (SavedModel export) are not supported by minidl")
        return super().__new__(cls, input_fn, steps, name, tuple(_hooks(hooks)), (), start_delay_secs, throttle_secs)


def _hooks(hooks):
    hooks = list(hooks or ())
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook!r}")
    return hooks


class _EvaluateAfterSaving(CheckpointSaverListener):
    """Evaluates the checkpoint just saved (not the first, written when training starts), at most every
    ``throttle_secs``, and at the end if the last checkpoint was not evaluated; keeps the latest results."""

    def __init__(self, estimator, eval_spec):
        self._estimator, self._eval_spec = estimator, eval_spec
        self._timer = SecondOrStepTimer(every_secs=eval_spec.throttle_secs)
        self.results = None

    def begin(self):
        self._timer.reset()
        self._first_save = True

    def after_save(self, session, global_step_value):
        if self._first_save:
            self._first_save = False
        elif self._timer.should_trigger_for_step(global_step_value):
            self._evaluate(global_step_value)
        else:
            logging.info("Skip the current checkpoint eval due to throttle secs (%s secs).",
                         self._eval_spec.throttle_secs)
        return False

    def end(self, session, global_step_value):
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate(global_step_value)

    def _evaluate(self, global_step_value):
        self._timer.update_last_triggered_step(global_step_value)
        spec = self._eval_spec
        self.results = self._estimator.evaluate(spec.input_fn, steps=spec.steps, hooks=list(spec.hooks),
                                                name=spec.name, checkpoint_path=self._estimator.latest_checkpoint())


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Train ``estimator`` as ``train_spec`` says, evaluating as ``eval_spec`` says after each checkpoint (see the
    module docstring). Returns ``(the last evaluation's metrics, [])`` (the second: exporters' results, none)."""
    if not isinstance(estimator, Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`. Got: {type(estimator).__name__}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: {type(train_spec).__name__}")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: {type(eval_spec).__name__}")
    config = estimator.config
    logging.info("Start train and evaluate loop. The evaluate will happen after every checkpoint. Checkpoint "
                 "frequency is determined based on RunConfig arguments: save_checkpoints_steps %s or "
                 "save_checkpoints_secs %s.", config.save_checkpoints_steps, config.save_checkpoints_secs)
    listener = _EvaluateAfterSaving(estimator, eval_spec)
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks), max_steps=train_spec.max_steps,
                    saving_listeners=[listener])
    return listener.results, []
