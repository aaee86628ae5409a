"""tf.train.Supervisor: initialize or restore, the final checkpoint, stopping, summaries and ``loop``.

The checkpoint service is given an interval of an hour: it saves once when ``should_stop()`` is first called
and at the end of the block, so each checkpoint in ``logdir`` is one the test expects."""
import glob
import os
import threading

import numpy
import pytest

import minidl.graph as tf
from minidl.graph import errors

LR = 0.1
HOUR = 3600


def counter_model():
    """A weight that each step moves by -LR (the gradient of ``w``), the global step, and the train op."""
    w = tf.Variable(1.0, name="w")
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(LR).minimize(w, global_step=step)
    return w, step, train


def checkpoint_steps(logdir):
    return sorted(int(path.split("-")[-1].split(".")[0]) for path in glob.glob(os.path.join(logdir, "*.index")))


def test_a_first_run_initializes_and_a_second_restores_weights_and_global_step(graph, tmp_path):
    logdir = str(tmp_path)
    w, step, train = counter_model()
    init_fn_calls = []
    sv = tf.train.Supervisor(logdir=logdir, save_model_secs=HOUR, init_fn=init_fn_calls.append)
    assert graph.finalized  # as in TF, the constructor finalizes the graph
    with sv.managed_session() as sess:
        assert sess.run(step) == 0
        for _ in range(3):
            sess.run(train)
    assert len(init_fn_calls) == 1
    assert tf.train.latest_checkpoint(logdir) == os.path.join(logdir, "model.ckpt-3")
    assert os.path.exists(os.path.join(logdir, "graph.pbtxt"))

    with tf.Graph().as_default():
        w, step, train = counter_model()
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=HOUR, init_fn=init_fn_calls.append)
        with sv.managed_session() as sess:
            assert sess.run(step) == 3
            assert sess.run(w) == pytest.approx(1.0 - 3 * LR)
            sess.run(train)
    assert len(init_fn_calls) == 1  # restored, not initialized
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-4")


def test_should_stop_after_request_stop_and_an_error_in_the_block_is_raised_without_a_final_save(tmp_path):
    _, _, train = counter_model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=HOUR)
    with pytest.raises(ValueError, match="boom"):
        with sv.managed_session() as sess:
            runs = 0
            while not sv.should_stop():
                sess.run(train)
                runs += 1
                if runs == 2:
                    sv.request_stop()
            assert runs == 2
            raise ValueError("boom")
    assert checkpoint_steps(str(tmp_path)) == [0]  # the first should_stop() saved; the failed block did not


def test_the_end_of_a_dataset_ends_the_managed_session_quietly_and_it_still_saves(tmp_path):
    batch = tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(numpy.arange(5.0)).batch(2)).get_next()
    total = tf.Variable(0.0, dtype=tf.float64, name="total")
    step = tf.train.get_or_create_global_step()
    add = tf.group(tf.assign_add(total, tf.reduce_sum(batch)), tf.assign_add(step, 1))
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=HOUR)
    runs = 0
    with sv.managed_session() as sess:
        while not sv.should_stop():
            sess.run(add)
            runs += 1
    assert runs == 3  # batches [0, 1], [2, 3], [4], then OutOfRangeError
    reader = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(str(tmp_path)))
    assert (reader.get_tensor("total"), reader.get_tensor("global_step")) == (10.0, 3)


def test_the_checkpoint_service_saves_at_the_start_from_should_stop(tmp_path):
    _, _, train = counter_model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=HOUR)
    with sv.managed_session() as sess:
        assert checkpoint_steps(str(tmp_path)) == []
        for _ in range(2):
            assert not sv.should_stop()  # the first call saves step 0; the next save is due in an hour
            sess.run(train)
    assert checkpoint_steps(str(tmp_path)) == [0, 2]  # and the end of the block saves step 2


def test_without_the_checkpoint_service_nothing_is_saved(tmp_path):
    _, _, train = counter_model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0)
    with sv.managed_session() as sess:
        while not sv.should_stop():
            sess.run(train)
            sv.request_stop()
    assert checkpoint_steps(str(tmp_path)) == []


def test_summary_computed_writes_an_event_that_summary_iterator_reads(tmp_path):
    w, _, train = counter_model()
    summary = tf.summary.scalar("weight", w)
    sv = tf.train.Supervisor(logdir=str(tmp_path), summary_op=None, save_model_secs=0)
    with sv.managed_session() as sess:
        sess.run(train)
        sv.summary_computed(sess, sess.run(summary))
    (path,) = glob.glob(os.path.join(str(tmp_path), "events.out.tfevents.*"))
    values = [(event.step, value.tag, value.simple_value) for event in tf.train.summary_iterator(path)
              if event.HasField("summary") for value in event.summary.value]
    assert values == [(1, "weight", pytest.approx(1.0 - LR))]


def test_loop_calls_its_target_in_a_thread_until_the_stop(tmp_path):
    counter_model()
    sv = tf.train.Supervisor(logdir=None)
    called = threading.Event()
    calls = []

    def target(value):
        calls.append(value)
        called.set()

    with sv.managed_session():
        thread = sv.loop(HOUR, target, args=("tick",))
        assert called.wait(5)
    assert not thread.is_alive()  # stop() joined it
    assert calls == ["tick"]  # once at the start; the next call was an hour away


def test_an_error_in_a_loop_target_stops_the_training_and_is_raised(tmp_path):
    counter_model()
    sv = tf.train.Supervisor(logdir=None)

    def fail():
        raise errors.InvalidArgumentError(None, None, "bad")

    with pytest.raises(errors.InvalidArgumentError, match="bad"):
        with sv.managed_session():
            sv.loop(None, fail)
            sv.coord.wait_for_stop(5)
            assert sv.should_stop()
