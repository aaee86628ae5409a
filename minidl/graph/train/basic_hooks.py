"""The standard hooks of a TF1 training loop (``session_run_hook.py`` has the protocol they follow)::

    hooks = [tf.train.StopAtStepHook(last_step=2000),                        # stop when global_step reaches 2000
             tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=100),   # log the loss every 100 runs
             tf.train.NanTensorHook(loss)]                                   # fail fast when the loss is NaN
    with tf.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=hooks) as sess:
        while not sess.should_stop():
            sess.run(train_op)

``MonitoredTrainingSession`` adds three itself when it has a ``checkpoint_dir``: ``CheckpointSaverHook``
(a checkpoint every 10 minutes and at the end), ``SummarySaverHook`` (the merged summaries every 100 steps) and
``StepCounterHook`` (global steps per second).

Most hooks count in **global steps**: the int64 variable that ``optimizer.minimize(loss, global_step=...)``
increments (``tf.train.get_or_create_global_step()``). A hook fetches it along with the run. minidl's
``Session.run`` gives a fetched variable's value *after* the run's assignments, so that is the step the model
has now reached. (TensorFlow read the variable whenever its scheduler got to it, usually before the increment,
and its hooks ran the variable again before acting; here the fetched value is already the one to act on.)
"""
import os
import time

import numpy

from ..compat import logging
from ..core import GraphKeys, get_default_graph
from ..summary import FileWriterCache, Summary
from .graph_io import write_graph
from .schedules import get_global_step
from .session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook", "FinalOpsHook", "LoggingTensorHook",
           "NanLossDuringTrainingError", "NanTensorHook", "SecondOrStepTimer", "StepCounterHook", "StopAtStepHook",
           "SummarySaverHook"]


class SecondOrStepTimer:
    """Says when something done periodically is due: every ``every_secs`` seconds or every ``every_steps`` steps
    (exactly one of them). It is always due the first time."""

    def __init__(self, every_secs=None, every_steps=None):
        if every_secs is None and every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if every_secs is not None and every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self.reset()

    def reset(self):
        self._last_triggered_step = None
        self._last_triggered_time = None

    def should_trigger_for_step(self, step):
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None:
            return time.time() >= self._last_triggered_time + self._every_secs
        return step >= self._last_triggered_step + self._every_steps

    def update_last_triggered_step(self, step):
        """Note that it was done at ``step`` now; returns (seconds, steps) since the previous time (None, None
        the first time)."""
        now = time.time()
        if self._last_triggered_time is None:
            elapsed = (None, None)
        else:
            elapsed = (now - self._last_triggered_time, step - self._last_triggered_step)
        self._last_triggered_time, self._last_triggered_step = now, step
        return elapsed

    def last_triggered_step(self):
        return self._last_triggered_step


def _required_global_step(hook_name):
    step = get_global_step()
    if step is None:
        raise RuntimeError(f"Global step should be created to use {hook_name}.")
    return step


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches ``last_step``, or ``num_steps`` past its value when the
    session was created (give exactly one)."""

    def __init__(self, num_steps=None, last_step=None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self):
        self._global_step_tensor = _required_global_step("StopAtStepHook")

    def after_create_session(self, session, coord):
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values):
        if run_values.results >= self._last_step:
            run_context.request_stop()


def _as_tensor(graph, item):
    """The tensor a hook is given: itself, or its name — ``"loss:0"``, or an op's name ``"loss"`` for its one output
    (TF's rule: the op's outputs beyond the first make a bare name ambiguous). Fetching the op itself would log
    None."""
    if not isinstance(item, str):
        return graph.as_graph_element(item)
    if ":" in item:
        return graph.as_graph_element(item)
    tensor = graph.as_graph_element(item + ":0")
    if len(tensor.op.outputs) > 1:
        raise ValueError(f"Name {item} is ambiguous, as this `Operation` has multiple outputs "
                         f"(at least {len(tensor.op.outputs)}).")
    return tensor


class LoggingTensorHook(SessionRunHook):
    """Logs (``tf.logging.info``) the values of ``tensors`` — a dict ``{tag: tensor or name}`` or a list of
    tensors/names — every ``every_n_iter`` runs or every ``every_n_secs`` seconds, and/or once at the end
    (``at_end``): ``loss = 0.31, step = 200 (0.052 sec)``. ``formatter(values_by_tag)`` makes the line instead."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False, formatter=None):
        only_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if isinstance(tensors, dict):
            self._tag_order = sorted(tensors)  # (TF1 logs a dict's tags in sorted order, a list's as given)
        else:
            tensors = {item if isinstance(item, str) else item.name: item for item in tensors}
            self._tag_order = list(tensors)
        self._tensors = tensors
        self._timer = None if only_at_end else SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)
        self._log_at_end = at_end
        self._formatter = formatter

    def begin(self):
        if self._timer is not None:
            self._timer.reset()
        self._iter_count = 0
        graph = get_default_graph()
        self._current_tensors = {tag: _as_tensor(graph, t) for tag, t in self._tensors.items()}

    def before_run(self, run_context):
        self._should_trigger = self._timer is not None and self._timer.should_trigger_for_step(self._iter_count)
        return SessionRunArgs(self._current_tensors) if self._should_trigger else None

    def after_run(self, run_context, run_values):
        if self._should_trigger:
            elapsed_secs, _ = self._timer.update_last_triggered_step(self._iter_count)
            self._log(run_values.results, elapsed_secs)
        self._iter_count += 1

    def end(self, session):
        if self._log_at_end:
            self._log(session.run(self._current_tensors), None)

    def _log(self, values, elapsed_secs):
        with numpy.printoptions(suppress=True):
            if self._formatter is not None:
                logging.info(self._formatter(values))
                return
            # !s: a float32 shows as 0.31, as print shows it (format() would show the double 0.3100000023841858)
            line = ", ".join(f"{tag} = {values[tag]!s}" for tag in self._tag_order)
            if elapsed_secs is None:
                logging.info("%s", line)
            else:
                logging.info("%s (%.3f sec)", line, elapsed_secs)


class NanLossDuringTrainingError(RuntimeError):
    def __str__(self):
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Watches ``loss_tensor`` at every run: on a NaN it raises ``NanLossDuringTrainingError`` (or, with
    ``fail_on_nan_loss=False``, logs a warning and requests a stop)."""

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values):
        if numpy.isnan(run_values.results):
            message = "Model diverged with loss = NaN."
            if self._fail_on_nan_loss:
                logging.error(message)
                raise NanLossDuringTrainingError
            logging.warning(message)
            run_context.request_stop()


class CheckpointSaverListener:
    """Called around each save of a ``CheckpointSaverHook``; ``after_save`` returning True requests a stop
    (e.g. an evaluation that finds the model good enough)."""

    def begin(self):
        pass

    def before_save(self, session, global_step_value):
        pass

    def after_save(self, session, global_step_value):
        pass

    def end(self, session, global_step_value):
        pass


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint (``checkpoint_dir/model.ckpt-<global step>``) when the session is created, every
    ``save_secs`` seconds or ``save_steps`` steps, and at the end. The saver is ``saver``, the ``scaffold``'s,
    or the one in the SAVERS collection. With ``save_graph_def`` it writes ``graph.pbtxt`` there too, and each
    checkpoint's ``.meta``."""

    def __init__(self, checkpoint_dir, save_secs=None, save_steps=None, saver=None, checkpoint_basename="model.ckpt",
                 scaffold=None, listeners=None, save_graph_def=True):
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver, self._scaffold = saver, scaffold
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = list(listeners or ())
        self._save_graph_def = save_graph_def

    def begin(self):
        self._global_step_tensor = _required_global_step("CheckpointSaverHook")
        self._summary_writer = FileWriterCache.get(self._checkpoint_dir)
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord):
        global_step = int(session.run(self._global_step_tensor))
        if self._save_graph_def:
            write_graph(get_default_graph(), self._checkpoint_dir, "graph.pbtxt")
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values):
        global_step = int(run_values.results)
        if self._timer.should_trigger_for_step(global_step):
            self._timer.update_last_triggered_step(global_step)
            if self._save(run_context.session, global_step):
                run_context.request_stop()

    def end(self, session):
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)

    def _save(self, session, step):
        """Save; True if a listener asks to stop."""
        logging.info("Saving checkpoints for %d into %s.", step, self._save_path)
        for listener in self._listeners:
            listener.before_save(session, step)
        self._get_saver().save(session, self._save_path, global_step=step, write_meta_graph=self._save_graph_def)
        self._summary_writer.flush()
        return any([listener.after_save(session, step) for listener in self._listeners])  # all are called

    def _get_saver(self):
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        savers = get_default_graph().get_collection(GraphKeys.SAVERS)
        if len(savers) != 1:
            raise RuntimeError(f"{'No items' if not savers else 'More than one item'} in collection "
                               f"{GraphKeys.SAVERS}. Please provide a saver or scaffold to CheckpointSaverHook"
                               f"{'' if not savers else ' to say which one to use'}.")
        self._saver = savers[0]
        return self._saver


class SummarySaverHook(SessionRunHook):
    """Writes summaries every ``save_steps`` steps or ``save_secs`` seconds to ``output_dir`` (or
    ``summary_writer``): the ``summary_op`` given (one op or a list), or the ``scaffold``'s (by default
    ``tf.summary.merge_all()``) — give exactly one of the two."""

    def __init__(self, save_steps=None, save_secs=None, output_dir=None, summary_writer=None, scaffold=None,
                 summary_op=None):
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._summary_writer, self._output_dir = summary_writer, output_dir
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self):
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = FileWriterCache.get(self._output_dir)
        self._next_step = None  # the global step the coming run will reach (None: not known yet)
        self._global_step_tensor = _required_global_step("SummarySaverHook")

    def before_run(self, run_context):
        self._request_summary = self._next_step is None or self._timer.should_trigger_for_step(self._next_step)
        requests = {"global_step": self._global_step_tensor}
        summary_ops = self._summary_ops()
        if self._request_summary and summary_ops:
            requests["summary"] = summary_ops
        return SessionRunArgs(requests)

    def after_run(self, run_context, run_values):
        if self._summary_writer is None:
            return
        global_step = int(run_values.results["global_step"])
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            for summary in run_values.results.get("summary", ()):
                self._summary_writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session):
        if self._summary_writer is not None:
            self._summary_writer.flush()

    def _summary_ops(self):
        ops = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if ops is None:
            return []
        return list(ops) if isinstance(ops, (list, tuple)) else [ops]


class StepCounterHook(SessionRunHook):
    """Measures training speed: every ``every_n_steps`` global steps (or ``every_n_secs`` seconds) logs
    ``global_step/sec: 41.3`` and writes it as a summary of that tag to ``output_dir`` (or ``summary_writer``).

    It also notices a global step that does not move — the train op was built without
    ``minimize(loss, global_step=...)``, so a ``StopAtStepHook`` would wait forever — and warns."""

    #: runs without a change of the global step before the warning
    STUCK_RUNS = 20

    def __init__(self, every_n_steps=100, every_n_secs=None, output_dir=None, summary_writer=None):
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer, self._output_dir = summary_writer, output_dir

    def begin(self):
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = FileWriterCache.get(self._output_dir)
        self._global_step_tensor = _required_global_step("StepCounterHook")
        self._summary_tag = self._global_step_tensor.op.name + "/sec"
        self._last_seen_step, self._runs_without_change = None, 0

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values):
        global_step = int(run_values.results)
        self._watch_for_a_stuck_step(global_step)
        if not self._timer.should_trigger_for_step(global_step):
            return
        elapsed_secs, elapsed_steps = self._timer.update_last_triggered_step(global_step)
        if elapsed_secs is not None and elapsed_secs > 0:
            rate = elapsed_steps / elapsed_secs
            if self._summary_writer is not None:
                summary = Summary(value=[Summary.Value(tag=self._summary_tag, simple_value=rate)])
                self._summary_writer.add_summary(summary, global_step)
            logging.info("%s: %g", self._summary_tag, rate)

    def _watch_for_a_stuck_step(self, step):
        self._runs_without_change = self._runs_without_change + 1 if step == self._last_seen_step else 0
        self._last_seen_step = step
        if self._runs_without_change and self._runs_without_change % self.STUCK_RUNS == 0:
            logging.warning("It seems that global step (tf.train.get_global_step) has not been increased. Current "
                            "value (could be stable): %d. You could increase the global step by passing "
                            "tf.train.get_global_step() to Optimizer.apply_gradients or Optimizer.minimize.", step)


class FeedFnHook(SessionRunHook):
    """Feeds ``feed_fn()`` (a feed dict, made anew for each run) into every run: a data source in Python."""

    def __init__(self, feed_fn):
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


class FinalOpsHook(SessionRunHook):
    """Runs ``final_ops`` once at the end (e.g. a final evaluation); their values are then ``final_ops_values``."""

    def __init__(self, final_ops, final_ops_feed_dict=None):
        self._final_ops = final_ops
        self._final_ops_feed_dict = final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self):
        return self._final_ops_values

    def end(self, session):
        if self._final_ops is not None:
            self._final_ops_values = session.run(self._final_ops, feed_dict=self._final_ops_feed_dict)
