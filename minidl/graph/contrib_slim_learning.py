"""``tf.contrib.slim.learning``: a training step as one tensor (``create_train_op``) and the whole training loop
(``train``), the way TF-Slim's training scripts (the model zoo's ``train_image_classifier.py``) were written::

    slim.losses.softmax_cross_entropy(logits, onehot_labels)
    total_loss = slim.losses.get_total_loss()
    train_op = slim.learning.create_train_op(total_loss, tf.train.MomentumOptimizer(0.01, 0.9))
    final_loss = slim.learning.train(train_op, "train_dir", number_of_steps=1000, save_interval_secs=600,
                                     init_fn=slim.assign_from_checkpoint_fn("pretrained.ckpt", variables))

``train`` is a loop around a ``tf.train.Supervisor`` (train/supervisor.py), as in TF: the session is restored from
the latest checkpoint in ``logdir`` — a job started again continues where it stopped — or else initialized
(``init_op``, then ``init_fn(sess)``, the place to load pretrained weights); the Supervisor's services save a
checkpoint (``logdir/model.ckpt-<global step>``) every ``save_interval_secs`` and the merged summaries every
``save_summaries_secs``; the queue runners of a queue-fed input are started. Then ``train_step_fn`` runs until it
says to stop — by default once the global step reached ``number_of_steps`` — and a last checkpoint is saved.

The stop test runs **after** each step, as TF's: a call resumed from a checkpoint already at ``number_of_steps``
still takes one step. Like the Supervisor, minidl runs the services between steps rather than in threads, and
runs in one process: ``master`` is ignored, ``is_chief=False`` and ``sync_optimizer`` are refused, and
``startup_delay_steps`` (for non-chief workers) has nothing to delay.
"""
import os
import time

from .basics import constant, control_dependencies, identity, name_scope, no_op
from .check_ops import check_numerics as check_numerics_op
from .clip_ops import clip_by_norm
from .compat import logging
from .config import RunMetadata, RunOptions
from .core import GraphKeys, get_default_graph
from .math_ops import equal, greater_equal, mod
from .python.client.timeline import Timeline
from .train.saver import Saver
from .train.schedules import get_or_create_global_step
from .train.supervisor import Supervisor

__all__ = ["clip_gradient_norms", "create_train_op", "train_step", "train"]


def clip_gradient_norms(gradients_to_variables, max_norm):
    """The (gradient, variable) pairs with each gradient clipped to the norm ``max_norm`` on its own
    (``tf.clip_by_norm``; not ``tf.clip_by_global_norm``, which scales all of them together)."""
    return [(None if grad is None else clip_by_norm(grad, max_norm), var) for grad, var in gradients_to_variables]


_USE_GLOBAL_STEP = object()  # create_train_op's default: the graph's global step, created if missing


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None, variables_to_train=None,
                    clip_gradient_norm=0, gate_gradients=1, aggregation_method=None, check_numerics=True):
    """One training step as a tensor: running it runs ``update_ops`` (default: UPDATE_OPS, batch norm's moving
    averages), computes the gradients of ``total_loss`` for ``variables_to_train`` (default: the trainable
    variables), clips each to the norm ``clip_gradient_norm`` if above 0, applies them with ``optimizer`` and
    increments ``global_step`` (default: the graph's, created if missing; None: none) — and gives ``total_loss``
    as computed in that run, that is **before** the update (the forward pass the gradients came from).

    With ``check_numerics`` a loss that is inf or NaN fails the run. TF's ``summarize_gradients``,
    ``gradient_multipliers`` and ``colocate_gradients_with_ops`` are not supported."""
    if global_step is _USE_GLOBAL_STEP:
        global_step = get_or_create_global_step()
    graph = get_default_graph()
    # the update ops run before the loss (so before the gradients too): a train step without them would
    # leave batch norm's moving averages at their initial values
    update_ops = list(dict.fromkeys(graph.get_collection(GraphKeys.UPDATE_OPS) if update_ops is None else update_ops))
    if update_ops:
        with control_dependencies(update_ops):
            barrier = no_op(name="update_barrier")
        with control_dependencies([barrier]):
            total_loss = identity(total_loss)
    grads = optimizer.compute_gradients(total_loss, variables_to_train, gate_gradients=gate_gradients,
                                        aggregation_method=aggregation_method)
    if clip_gradient_norm > 0:
        with name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with name_scope("train_op"):
        if check_numerics:
            total_loss = check_numerics_op(total_loss, "LossTensor is inf or nan")
        # the loss, read only once the update ran: running train_op runs the whole step
        with control_dependencies([grad_updates]):
            train_op = identity(total_loss, name="control_dependency")
    graph.add_to_collection(GraphKeys.TRAIN_OP, train_op)
    return train_op


def train_step(sess, train_op, global_step, train_step_kwargs):
    """``train``'s default ``train_step_fn``: one run of ``train_op``; returns ``(total loss, should stop)``.

    ``train_step_kwargs`` may hold boolean scalar tensors, each run once per step: ``should_trace`` (trace this
    step: its timeline goes to ``logdir/tf_trace-<global step>.json`` and, with a ``summary_writer``, to the
    summaries), ``should_log`` (log the loss) and ``should_stop`` (run after the step: its global step counts)."""
    start_time = time.time()
    options = metadata = None
    if "should_trace" in train_step_kwargs:
        if "logdir" not in train_step_kwargs:
            raise ValueError("logdir must be present in train_step_kwargs when should_trace is present")
        if sess.run(train_step_kwargs["should_trace"]):
            options, metadata = RunOptions(trace_level=RunOptions.FULL_TRACE), RunMetadata()
    total_loss, np_global_step = sess.run([train_op, global_step], options=options, run_metadata=metadata)
    time_elapsed = time.time() - start_time
    if metadata is not None:
        trace_filename = os.path.join(train_step_kwargs["logdir"], f"tf_trace-{np_global_step}.json")
        logging.info("Writing trace to %s", trace_filename)
        with open(trace_filename, "w") as trace_file:
            trace_file.write(Timeline(metadata.step_stats).generate_chrome_trace_format())
        if train_step_kwargs.get("summary_writer") is not None:
            train_step_kwargs["summary_writer"].add_run_metadata(metadata, f"run_metadata-{np_global_step}")
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        logging.info("global step %d: loss = %.4f (%.2f sec/step)", np_global_step, total_loss, time_elapsed)
    # a run of its own, after the step: the step's increment of the global step must be seen
    should_stop = bool(sess.run(train_step_kwargs["should_stop"])) if "should_stop" in train_step_kwargs else False
    return total_loss, should_stop


_USE_DEFAULT = Supervisor.USE_DEFAULT  # "make the usual one"; None means "none"


def train(train_op, logdir, train_step_fn=train_step, train_step_kwargs=_USE_DEFAULT, log_every_n_steps=1,
          graph=None, master="", is_chief=True, global_step=None, number_of_steps=None, init_op=_USE_DEFAULT,
          init_feed_dict=None, local_init_op=_USE_DEFAULT, init_fn=None, ready_op=_USE_DEFAULT,
          summary_op=_USE_DEFAULT, save_summaries_secs=600, summary_writer=_USE_DEFAULT, startup_delay_steps=0,
          saver=None, save_interval_secs=600, sync_optimizer=None, session_config=None, trace_every_n_steps=None):
    """Run ``train_step_fn(sess, train_op, global_step, train_step_kwargs)`` until it says to stop; return the
    loss of the last step (see the module docstring).

    ``logdir``: where checkpoints and summaries go and the latest checkpoint is restored from (None: nothing is
    written nor restored). ``number_of_steps``: the global step at which to stop (None: never).
    ``log_every_n_steps``: log the loss when the global step is a multiple of it. ``init_op`` (default: initialize
    the global variables), ``local_init_op`` (the local variables and tables), ``ready_op`` (the uninitialized
    variables; empty when ready), ``summary_op`` (``tf.summary.merge_all()``) and ``summary_writer`` are the
    Supervisor's; None turns one off. ``saver``: default a ``Saver`` of all variables. ``trace_every_n_steps``:
    trace the step when the global step is a multiple of it (see ``train_step``). ``train_step_kwargs``: default
    ``should_stop``, ``should_log`` (and ``should_trace``, ``logdir``) as described."""
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    if logdir is None:
        if summary_op is not _USE_DEFAULT:
            raise ValueError("Cannot provide summary_op because logdir=None")
        if saver is not None:
            raise ValueError("Cannot provide saver because logdir=None")
        if trace_every_n_steps is not None:
            raise ValueError("Cannot provide trace_every_n_steps because logdir=None")
    if sync_optimizer is not None:
        raise NotImplementedError("slim.learning.train(sync_optimizer=...): minidl has no SyncReplicasOptimizer "
                                  "(it trains in one process); leave sync_optimizer=None")
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError(f"`number_of_steps` must be either None or a positive number, got {number_of_steps}.")
    graph = graph or get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = get_or_create_global_step()
        saver = saver or Saver()
        if train_step_kwargs is _USE_DEFAULT:
            # made now: the Supervisor finalizes the graph
            with name_scope("train_step"):
                train_step_kwargs = {
                    "should_stop": greater_equal(global_step, number_of_steps) if number_of_steps
                    else constant(False),
                    "should_log": equal(mod(global_step, log_every_n_steps), 0)}
                if trace_every_n_steps is not None:
                    train_step_kwargs["should_trace"] = equal(mod(global_step, trace_every_n_steps), 0)
                    train_step_kwargs["logdir"] = logdir
    sv = Supervisor(graph=graph, is_chief=is_chief, logdir=logdir, init_op=init_op, init_feed_dict=init_feed_dict,
                    local_init_op=local_init_op, ready_op=ready_op, summary_op=summary_op,
                    summary_writer=summary_writer, global_step=global_step, saver=saver,
                    save_summaries_secs=save_summaries_secs, save_model_secs=save_interval_secs, init_fn=init_fn)
    if summary_writer is not None:
        train_step_kwargs["summary_writer"] = sv.summary_writer
    total_loss = None
    with sv.managed_session(master, start_standard_services=False, config=session_config) as sess:
        logging.info("Starting Session.")
        if logdir:
            sv.start_standard_services(sess)
        sv.start_queue_runners(sess)
        logging.info("Starting Queues.")
        while not sv.should_stop():
            total_loss, should_stop = train_step_fn(sess, train_op, global_step, train_step_kwargs)
            if should_stop:
                logging.info("Stopping Training.")
                break
        if logdir:
            logging.info("Finished training! Saving model to disk.")
            # with a save interval the Supervisor's checkpoint service makes this save as the block ends
            if not save_interval_secs:
                sv.saver.save(sess, sv.save_path, global_step=sv.global_step)
    return total_loss
