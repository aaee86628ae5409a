"""tf.train.checkpoints_iterator and friends: an evaluation loop following the checkpoints a trainer writes."""
import os
import time

import pytest

import minidl.graph as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def test_an_evaluator_sees_each_new_checkpoint_once_and_stops_after_the_timeout(tmp_path):
    v = tf.Variable(0.0)
    bump = tf.assign_add(v, 1.0)
    saver = tf.train.Saver()
    prefix = os.path.join(str(tmp_path), "model")
    seen = []
    with tf.Session() as sess:
        sess.run(v.initializer)
        saver.save(sess, prefix, global_step=0)
        for path in tf.train.checkpoints_iterator(str(tmp_path), timeout=0.5):
            seen.append(os.path.basename(path))
            if len(seen) < 3:  # the trainer writes the next one while this one is evaluated
                time.sleep(0.01)  # (a later modification time)
                sess.run(bump)
                saver.save(sess, prefix, global_step=len(seen))
    assert seen == ["model-0", "model-1", "model-2"]
    times = tf.train.get_checkpoint_mtimes([os.path.join(str(tmp_path), n) for n in seen + ["model-9"]])
    assert len(times) == 3 and times == sorted(times)


def test_waiting_gives_none_after_the_timeout_and_timeout_fn_can_keep_waiting(tmp_path):
    assert tf.train.wait_for_new_checkpoint(str(tmp_path), seconds_to_sleep=0.05, timeout=0.2) is None
    asked = []
    paths = list(tf.train.checkpoints_iterator(str(tmp_path), timeout=0.1, timeout_fn=lambda: asked.append(1) or
                                               len(asked) >= 2))
    assert paths == [] and len(asked) == 2
