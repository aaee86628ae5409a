"""``tf.contrib.slim.evaluation``: run streaming metrics over a checkpoint, once (``evaluate_once``) or for each
new checkpoint a training job writes (``evaluation_loop``) — the evaluation half of a TF-Slim program::

    predictions = tf.argmax(net(images, is_training=False), 1)
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, labels)})
    tf.summary.scalar("accuracy", names_to_values["accuracy"])
    values = slim.evaluation.evaluate_once("", tf.train.latest_checkpoint("train_dir"), "eval_dir", num_evals=100,
                                           eval_op=list(names_to_updates.values()),
                                           final_op=list(names_to_values.values()))

One evaluation is a ``MonitoredSession`` restored from the checkpoint, whose local variables (the metrics'
totals) start at zero; ``eval_op`` (the metrics' update ops) runs ``num_evals`` times (each run also counts in
the local variable ``eval_step``), then ``final_op`` (the metrics' values) once, and its values are returned;
the summaries (``summary_op``, default ``tf.summary.merge_all()``) are written to ``logdir`` at the checkpoint's
global step. With ``num_evals=None`` ``eval_op`` runs until its input runs out (``OutOfRangeError``).

As in TF 1.15, ``initial_op`` and ``init_fn`` go to the session's ``Scaffold``, which runs them only when there is
no checkpoint to restore: here there always is, so they never run (``initial_op_feed_dict`` neither).

The pieces are those of ``tf.contrib.training`` (which slim's evaluation is built on), registered there too:
``evaluate_once(checkpoint_path, ...)``, ``evaluate_repeatedly``, ``StopAfterNEvalsHook``, ``SummaryAtEndHook``,
``get_or_create_eval_step``, ``checkpoints_iterator`` and ``wait_for_new_checkpoint``.
"""
import collections.abc
import math
import time

from ..backend import dtypes
from .basics import control_dependencies, identity
from .compat import logging
from .contrib import training
from .core import GraphKeys, get_default_graph
from .initializers import zeros_initializer
from .summary import FileWriterCache, merge_all
from .train.basic_hooks import FinalOpsHook
from .train.checkpoint_waiting import checkpoints_iterator, wait_for_new_checkpoint
from .train.monitored_session import ChiefSessionCreator, MonitoredSession, Scaffold
from .train.saver import Saver
from .train.schedules import get_or_create_global_step, global_step as global_step_value
from .train.session_run_hook import SessionRunArgs, SessionRunHook
from .variable_scope import get_variable
from .variables import assign_add

__all__ = ["evaluate_once", "evaluation_loop", "checkpoints_iterator", "wait_for_new_checkpoint"]

EVAL_STEP = "eval_step"  # TF's GraphKeys.EVAL_STEP: the collection of the evaluation counter


def get_or_create_eval_step():
    """The graph's evaluation counter: the int64 scalar local variable ``eval_step`` (in the EVAL_STEP
    collection), created at zero if missing. Being local, it restarts at zero in every evaluation's session."""
    eval_steps = get_default_graph().get_collection(EVAL_STEP)
    if len(eval_steps) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    if eval_steps:
        return eval_steps[0]
    return get_variable("eval_step", shape=[], dtype=dtypes.int64, initializer=zeros_initializer(), trainable=False,
                        collections=[GraphKeys.LOCAL_VARIABLES, EVAL_STEP])


class StopAfterNEvalsHook(SessionRunHook):
    """Requests a stop once the evaluation counter (the ``eval_step`` value after each run, which
    ``evaluate_once`` hands it) reaches ``num_evals``; None: never (the input's end stops the evaluation). Logs the
    progress (``log_progress``), about ten times in all for 20 evaluations or more."""

    def __init__(self, num_evals, log_progress=True):
        self._num_evals = num_evals
        self._evals_completed = None
        self._log_progress = log_progress
        self._log_frequency = 1 if num_evals is None or num_evals < 20 else math.floor(num_evals / 10.)

    def _set_evals_completed_tensor(self, updated_eval_step):
        self._evals_completed = updated_eval_step

    def before_run(self, run_context):
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values):
        evals_completed = run_values.results["evals_completed"]
        if self._log_progress:
            if self._num_evals is None:
                logging.info("Evaluation [%d]", evals_completed)
            elif evals_completed % self._log_frequency == 0 or evals_completed == self._num_evals:
                logging.info("Evaluation [%d/%d]", evals_completed, self._num_evals)
        if self._num_evals is not None and evals_completed >= self._num_evals:
            run_context.request_stop()


class SummaryAtEndHook(SessionRunHook):
    """Runs ``summary_op`` (default: ``tf.summary.merge_all()``) once at the end of an evaluation, and writes it
    with ``summary_writer`` (default: the shared writer of ``log_dir``) at the global step of the evaluated
    model. A graph without summaries writes nothing."""

    def __init__(self, log_dir=None, summary_writer=None, summary_op=None, feed_dict=None):
        if log_dir is None and summary_writer is None:
            raise ValueError("One of log_dir or summary_writer should be used.")
        self._summary_op, self._replace_summary_op = summary_op, summary_op is None
        self._feed_dict = feed_dict
        self._summary_writer, self._log_dir = summary_writer, log_dir

    def begin(self):
        if self._replace_summary_op:
            self._summary_op = merge_all()
        self._global_step = get_or_create_global_step()

    def after_create_session(self, session, coord):
        if self._summary_writer is None:
            self._summary_writer = FileWriterCache.get(self._log_dir)

    def end(self, session):
        if self._summary_op is None:
            return
        step = global_step_value(session, self._global_step)
        summary = session.run(self._summary_op, self._feed_dict)
        self._summary_writer.add_summary(summary, step)
        self._summary_writer.flush()


def _with_eval_step_update(eval_ops, hooks):
    """``eval_ops`` extended with an op counting one evaluation (a dict gets the key "update_eval_step"); the
    ``StopAfterNEvalsHook``s among ``hooks`` get the counter as read after the whole run."""
    update_eval_step = assign_add(get_or_create_eval_step(), 1, use_locking=True)
    if isinstance(eval_ops, dict):
        eval_ops = dict(eval_ops, update_eval_step=update_eval_step)
        run_first = list(eval_ops.values())
    else:
        # a list, a tuple or a dict's values(), as slim programs pass the metrics' updates
        many = isinstance(eval_ops, (list, tuple, collections.abc.ValuesView))
        eval_ops = (list(eval_ops) if many else [eval_ops]) + [update_eval_step]
        run_first = eval_ops
    with control_dependencies(run_first):
        evals_completed = identity(get_or_create_eval_step().read_value())
    for hook in hooks:
        if isinstance(hook, StopAfterNEvalsHook):
            hook._set_evals_completed_tensor(evals_completed)
    return eval_ops


def _evaluate(session_creator, eval_ops, feed_dict, hooks):
    """One evaluation: ``eval_ops`` run until a hook (or the input's end) stops the session."""
    logging.info("Starting evaluation at " + time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime()))
    start = time.time()
    with MonitoredSession(session_creator=session_creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops, feed_dict)
    logging.info("Inference Time : %.5fs", time.time() - start)
    logging.info("Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime()))


def evaluate_checkpoint(checkpoint_path, master="", scaffold=None, eval_ops=None, feed_dict=None, final_ops=None,
                        final_ops_feed_dict=None, hooks=None, config=None):
    """``tf.contrib.training.evaluate_once``: restore ``checkpoint_path``, run ``eval_ops`` (a tensor, a list or a
    dict of them) until ``hooks`` stop it — usually a ``StopAfterNEvalsHook`` — then ``final_ops`` once; returns
    the values of ``final_ops`` (None without them)."""
    hooks = list(hooks or ())
    if eval_ops is not None:
        eval_ops = _with_eval_step_update(eval_ops, hooks)
    final_ops_hook = FinalOpsHook(final_ops, final_ops_feed_dict)
    creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                  checkpoint_filename_with_path=checkpoint_path)
    _evaluate(creator, eval_ops, feed_dict, hooks + [final_ops_hook])
    return final_ops_hook.final_ops_values


def evaluate_repeatedly(checkpoint_dir, master="", scaffold=None, eval_ops=None, feed_dict=None, final_ops=None,
                        final_ops_feed_dict=None, eval_interval_secs=60, hooks=None, config=None,
                        max_number_of_evaluations=None, timeout=None, timeout_fn=None):
    """``tf.contrib.training.evaluate_repeatedly``: ``evaluate_once`` on each new checkpoint of ``checkpoint_dir``
    (``checkpoints_iterator``: at most one every ``eval_interval_secs``; the wait for one ends after ``timeout``
    seconds unless ``timeout_fn()`` says to go on), until ``max_number_of_evaluations`` were done (None: no
    limit). Returns the values of ``final_ops`` in the last evaluation (None if there was none)."""
    hooks = list(hooks or ())
    if eval_ops is not None:
        eval_ops = _with_eval_step_update(eval_ops, hooks)
    final_ops_hook = FinalOpsHook(final_ops, final_ops_feed_dict)
    num_evaluations = 0
    for checkpoint_path in checkpoints_iterator(checkpoint_dir, min_interval_secs=eval_interval_secs,
                                                timeout=timeout, timeout_fn=timeout_fn):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_filename_with_path=checkpoint_path)
        _evaluate(creator, eval_ops, feed_dict, hooks + [final_ops_hook])
        num_evaluations += 1
        if max_number_of_evaluations is not None and num_evaluations >= max_number_of_evaluations:
            break
    return final_ops_hook.final_ops_values


# ======================================================================================== slim.evaluation

_USE_DEFAULT = 0  # TF's: summary_op=_USE_DEFAULT means tf.summary.merge_all()


def _slim_hooks(num_evals, logdir, summary_op, summary_op_feed_dict):
    """What slim's evaluations stop and write summaries with."""
    if summary_op is _USE_DEFAULT:
        summary_op = merge_all()
    hooks = [StopAfterNEvalsHook(num_evals)]
    if summary_op is not None:
        hooks.append(SummaryAtEndHook(log_dir=logdir, summary_op=summary_op, feed_dict=summary_op_feed_dict))
    return hooks


def evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None, initial_op_feed_dict=None,
                  eval_op=None, eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                  summary_op=_USE_DEFAULT, summary_op_feed_dict=None, variables_to_restore=None,
                  session_config=None):
    """Evaluate the model of ``checkpoint_path``: ``eval_op`` runs ``num_evals`` times, then ``final_op`` once;
    returns the values of ``final_op`` (None without it). The summaries go to ``logdir``. ``variables_to_restore``
    (default: every variable) are those read from the checkpoint. See the module docstring."""
    hooks = _slim_hooks(num_evals, logdir, summary_op, summary_op_feed_dict)
    saver = None if variables_to_restore is None else Saver(variables_to_restore)
    return evaluate_checkpoint(checkpoint_path, master=master,
                               scaffold=Scaffold(init_op=initial_op, init_feed_dict=initial_op_feed_dict, saver=saver),
                               eval_ops=eval_op, feed_dict=eval_op_feed_dict, final_ops=final_op,
                               final_ops_feed_dict=final_op_feed_dict, hooks=hooks, config=session_config)


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, initial_op=None, initial_op_feed_dict=None,
                    init_fn=None, eval_op=None, eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None, variables_to_restore=None,
                    eval_interval_secs=60, max_number_of_evaluations=None, session_config=None, timeout=None):
    """``evaluate_once`` on each new checkpoint of ``checkpoint_dir`` as it appears, at most one every
    ``eval_interval_secs``, until ``max_number_of_evaluations`` (None: for ever) or until no new checkpoint came
    for ``timeout`` seconds (None: wait for ever). Returns the values of ``final_op`` in the last evaluation."""
    hooks = _slim_hooks(num_evals, logdir, summary_op, summary_op_feed_dict)
    saver = None if variables_to_restore is None else Saver(variables_to_restore)
    scaffold = Scaffold(init_op=initial_op, init_feed_dict=initial_op_feed_dict, init_fn=init_fn, saver=saver)
    return evaluate_repeatedly(checkpoint_dir, master=master, scaffold=scaffold, eval_ops=eval_op,
                               feed_dict=eval_op_feed_dict, final_ops=final_op, final_ops_feed_dict=final_op_feed_dict,
                               eval_interval_secs=eval_interval_secs, hooks=hooks, config=session_config,
                               max_number_of_evaluations=max_number_of_evaluations, timeout=timeout)


# tf.contrib.training: the evaluation pieces slim's are built on (training's HParams is in hparams.py)
training.evaluate_once, training.evaluate_repeatedly = evaluate_checkpoint, evaluate_repeatedly
training.StopAfterNEvalsHook, training.SummaryAtEndHook = StopAfterNEvalsHook, SummaryAtEndHook
training.get_or_create_eval_step = get_or_create_eval_step
training.checkpoints_iterator, training.wait_for_new_checkpoint = checkpoints_iterator, wait_for_new_checkpoint
