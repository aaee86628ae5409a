"""Waiting for checkpoints: ``tf.train.checkpoints_iterator``, ``wait_for_new_checkpoint`` and
``get_checkpoint_mtimes`` — how a TF1 evaluation job follows a training job.

A training program saves a checkpoint now and then; a second program, started beside it, evaluates each new
checkpoint as it appears::

    for path in tf.train.checkpoints_iterator("train_dir", timeout=600):
        saver.restore(sess, path)
        print(path, sess.run(accuracy))

``checkpoints_iterator`` polls ``latest_checkpoint(checkpoint_dir)`` (the directory's ``checkpoint`` file) every
``min_interval_secs`` at least, yields each path it has not yielded before, and ends when no new checkpoint came
for ``timeout`` seconds (and ``timeout_fn()``, if given, says to stop). With ``timeout=None`` it waits for ever,
as TF's does. Only the newest checkpoint is looked at: one saved and replaced between two polls is skipped.
"""
import os
import time

from .saver import checkpoint_exists, checkpoint_file, latest_checkpoint

__all__ = ["checkpoints_iterator", "wait_for_new_checkpoint", "get_checkpoint_mtimes"]


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1, timeout=None):
    """The path of the newest checkpoint in ``checkpoint_dir`` once it differs from ``last_checkpoint``, or None if
    none came within ``timeout`` seconds."""
    stop_time = None if timeout is None else time.monotonic() + timeout
    while True:
        path = latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            return path
        if stop_time is not None and time.monotonic() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yield each new checkpoint path of ``checkpoint_dir`` (see the module docstring)."""
    path = None
    while True:
        path = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if path is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        start = time.monotonic()
        yield path
        time.sleep(max(0.0, min_interval_secs - (time.monotonic() - start)))


def get_checkpoint_mtimes(checkpoint_prefixes):
    """The modification times (seconds since the epoch) of the checkpoints named by ``checkpoint_prefixes``; a
    prefix with no checkpoint is skipped."""
    return [os.path.getmtime(checkpoint_file(prefix)) for prefix in checkpoint_prefixes if checkpoint_exists(prefix)]
