"""tf.train.MonitoredTrainingSession / MonitoredSession, the session-run hooks, Scaffold and Coordinator.

The training runs are checked against the same steps taken with a plain ``Session`` (the weights must agree),
and what the hooks write (checkpoints, summaries, log lines) is read back."""
import logging
import os
import threading

import numpy
import pytest

import minidl.graph as tf
from minidl.graph import errors
from tests.event_reader import event_files, read_events

RNG = numpy.random.default_rng(0)
X = RNG.standard_normal((32, 3)).astype(numpy.float32)
Y = X @ numpy.array([[1.0], [-2.0], [0.5]], numpy.float32)
LR = 0.1


@pytest.fixture(autouse=True)
def closed_writers():
    """Hooks share ``FileWriterCache`` writers per directory: close them so each test's files are complete."""
    yield
    tf.summary.FileWriterCache.clear()


def linear_model():
    """Placeholders, a weight, an MSE loss (with a scalar summary), the global step and a train op."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    w = tf.Variable(tf.zeros([3, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(LR).minimize(loss, global_step=step)
    return dict(x=x, y=y, w=w, loss=loss, step=step, train=train, feed={x: X, y: Y})


def plain_session_weights(steps):
    """What ``steps`` plain gradient steps from w = 0 give, computed in numpy."""
    w = numpy.zeros((3, 1), numpy.float32)
    for _ in range(steps):
        w = w - LR * (2 / len(X)) * X.T @ (X @ w - Y)
    return w


def train_until_stopped(sess, model):
    runs = 0
    while not sess.should_stop():
        sess.run(model["train"], model["feed"])
        runs += 1
    return runs


# ============================================================================================ the loop

def test_stop_at_last_step_runs_that_many_steps_and_trains_like_a_plain_session(graph):
    m = linear_model()
    final = tf.train.FinalOpsHook(m["w"])
    with tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(last_step=25), final]) as sess:
        assert graph.finalized  # building ops inside the loop is an error from here on
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(1.0)
        runs = train_until_stopped(sess, m)
        with pytest.raises(RuntimeError, match="should_stop"):
            sess.run(m["train"], m["feed"])
    assert runs == 25
    numpy.testing.assert_allclose(final.final_ops_values, plain_session_weights(25), rtol=1e-5, atol=1e-6)
    assert not graph.finalized  # finalized only while the session was open
    assert sess.should_stop()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(m["train"], m["feed"])


def test_checkpoints_every_n_steps_and_a_restart_continues_from_the_latest(tmp_path, graph):
    directory = str(tmp_path)
    m = linear_model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=directory, save_checkpoint_steps=10,
                                           hooks=[tf.train.StopAtStepHook(last_step=25)]) as sess:
        train_until_stopped(sess, m)
    # at the start, every 10 steps, and at the end
    saved = sorted(int(f.split("-")[1].split(".")[0]) for f in os.listdir(directory) if f.endswith(".index"))
    assert saved == [0, 10, 20, 25]
    assert os.path.exists(os.path.join(directory, "model.ckpt-25.meta"))  # the graph, for import_meta_graph
    assert tf.train.latest_checkpoint(directory) == os.path.join(directory, "model.ckpt-25")
    assert os.path.exists(os.path.join(directory, "graph.pbtxt"))

    with tf.Graph().as_default():  # the job started again: same program, new graph
        m = linear_model()
        init_fn_calls = []
        scaffold = tf.train.Scaffold(init_fn=lambda scaffold, session: init_fn_calls.append(session))
        final = tf.train.FinalOpsHook(m["w"])
        with tf.train.MonitoredTrainingSession(checkpoint_dir=directory, scaffold=scaffold, save_summaries_steps=None,
                                               hooks=[tf.train.StopAtStepHook(num_steps=5), final]) as sess:
            restored_step = sess.run(m["step"])
            runs = train_until_stopped(sess, m)
    assert init_fn_calls == []  # restored, not initialized
    assert (restored_step, runs) == (25, 5)
    numpy.testing.assert_allclose(final.final_ops_values, plain_session_weights(30), rtol=1e-5, atol=1e-6)


def test_the_end_of_a_dataset_ends_the_with_block_normally_and_the_end_hooks_run(graph):
    values = tf.data.Dataset.from_tensor_slices(numpy.arange(7.0, dtype=numpy.float32)).batch(2)
    batch = tf.data.make_one_shot_iterator(values).get_next()
    total = tf.Variable(0.0)
    add = tf.assign_add(total, tf.reduce_sum(batch))
    final = tf.train.FinalOpsHook(total)
    runs = 0
    with tf.train.MonitoredSession(hooks=[final]) as sess:
        while not sess.should_stop():
            sess.run(add)
            runs += 1
    assert runs == 4  # three full batches and one of 1, then OutOfRangeError
    assert final.final_ops_values == pytest.approx(21.0)


def test_another_error_propagates_and_skips_the_end_hooks(graph):
    m = linear_model()
    final = tf.train.FinalOpsHook(m["w"])
    with pytest.raises(errors.InvalidArgumentError, match="placeholder"):
        with tf.train.MonitoredSession(hooks=[final]) as sess:
            sess.run(m["train"])  # no feed
    assert final.final_ops_values is None
    assert not graph.finalized


# ========================================================================================== the hooks

class RecordingHook(tf.train.SessionRunHook):
    """Notes each call; asks for the global step on every run and stops after ``stop_after`` runs."""

    def __init__(self, step, stop_after):
        self.calls, self.results, self.step, self.stop_after = [], [], step, stop_after

    def begin(self):
        self.calls.append("begin")
        self.doubled = self.step * 2  # still allowed: the graph is finalized after begin()

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")
        assert isinstance(coord, tf.train.Coordinator)
        assert session.run(self.step) == 0  # variables are initialized by now

    def before_run(self, run_context):
        self.calls.append("before_run")
        return tf.train.SessionRunArgs({"step": self.step, "doubled": self.doubled})

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.results.append(run_values.results)
        if len(self.results) == self.stop_after:
            run_context.request_stop()

    def end(self, session):
        self.calls.append("end")


def test_hooks_are_called_in_order_and_get_their_fetches(graph):
    m = linear_model()
    hook = RecordingHook(m["step"], stop_after=3)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        losses = [sess.run(m["loss"], m["feed"])]
        sess.run(m["train"], m["feed"])
        losses.append(sess.run(m["loss"], m["feed"]))
        assert sess.should_stop()
    assert hook.calls[:2] == ["begin", "after_create_session"]
    assert hook.calls[2:-1] == ["before_run", "after_run"] * 3 and hook.calls[-1] == "end"
    # a fetched variable shows its value after the run's assignments: 0 (loss only), 1 (train), 1 (loss only)
    assert [(r["step"], r["doubled"]) for r in hook.results] == [(0, 0), (1, 2), (1, 2)]
    assert losses[0] == pytest.approx(float(numpy.mean(Y ** 2)), rel=1e-5)


def test_a_hook_can_feed_and_clashing_feeds_are_refused(graph):
    m = linear_model()
    feed_hook = tf.train.FeedFnHook(lambda: {m["x"]: X, m["y"]: Y})
    final = tf.train.FinalOpsHook(m["w"])
    with tf.train.MonitoredSession(hooks=[feed_hook, tf.train.StopAtStepHook(last_step=4), final]) as sess:
        while not sess.should_stop():
            sess.run(m["train"])  # the hook feeds the placeholders
    numpy.testing.assert_allclose(final.final_ops_values, plain_session_weights(4), rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default():
        m = linear_model()
        hook = tf.train.FeedFnHook(lambda: {m["x"]: X})
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            with pytest.raises(RuntimeError, match="fed by a SessionRunHook and user"):
                sess.run(m["train"], m["feed"])
        with tf.train.MonitoredSession(hooks=[hook, tf.train.FeedFnHook(lambda: {m["x"]: X})]) as sess:
            with pytest.raises(RuntimeError, match="fed by two hooks"):
                sess.run(m["train"], {m["y"]: Y})


def test_logging_tensor_hook_logs_every_n_iterations_and_at_end(graph, caplog):
    m = linear_model()
    hooks = [tf.train.LoggingTensorHook({"loss": m["loss"], "step": m["step"]}, every_n_iter=4),
             tf.train.LoggingTensorHook([m["step"]], at_end=True,  # at the end there is no feed: no loss
                                        formatter=lambda values: f"custom {values[m['step'].name]}"),
             tf.train.StopAtStepHook(last_step=10)]
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            train_until_stopped(sess, m)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("loss = ")]
    # runs 0, 4, 8 (the step fetched after each run's increment)
    assert [line.split("step = ")[1].split(" ")[0] for line in lines] == ["1", "5", "9"]
    assert lines[0].endswith(", step = 1")  # no elapsed time the first time
    assert lines[1].endswith(" sec)") and "(" in lines[1]
    first_loss = float(lines[0].split(",")[0].split(" = ")[1])  # computed before the first update
    assert first_loss == pytest.approx(float(numpy.mean(Y ** 2)), rel=1e-5)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("custom")] == ["custom 10"]


def test_logging_tensor_hook_logs_a_dicts_tags_in_sorted_order(graph, caplog):
    step = tf.train.get_or_create_global_step()
    hook = tf.train.LoggingTensorHook({"zeta": tf.constant(1), "alpha": tf.constant(2)}, every_n_iter=1)
    increment = tf.assign_add(step, 1)
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            sess.run(increment)
    assert any(r.getMessage().startswith("alpha = 2, zeta = 1") for r in caplog.records)


def test_logging_tensor_hook_takes_an_op_name_for_its_one_output(graph, caplog):
    step = tf.train.get_or_create_global_step()
    tf.identity(tf.cast(step, tf.float32) * 2.0, name="double")  # cnn_mnist's tf.nn.softmax(..., name="softmax")
    increment = tf.assign_add(step, 1)
    hook = tf.train.LoggingTensorHook({"bare": "double", "full": "double:0"}, every_n_iter=1)
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            sess.run(increment)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("bare")] == ["bare = 2.0, full = 2.0"]
    halves = tf.split(tf.zeros([4]), 2)  # one op, two outputs: its bare name could mean either
    with pytest.raises(ValueError, match="ambiguous"):
        tf.train.LoggingTensorHook({"half": halves[0].op.name}, every_n_iter=1).begin()


@pytest.mark.parametrize("arguments, message", [
    (dict(), "exactly one of every_n_iter and every_n_secs"),
    (dict(every_n_iter=2, every_n_secs=1.0), "exactly one of every_n_iter and every_n_secs"),
    (dict(every_n_iter=0), "invalid every_n_iter=0"),
])
def test_logging_tensor_hook_refuses_bad_schedules(arguments, message):
    with pytest.raises(ValueError, match=message):
        tf.train.LoggingTensorHook({"x": "x:0"}, **arguments)


def test_nan_tensor_hook_raises_or_requests_a_stop(graph, caplog):
    x = tf.placeholder(tf.float32, [])
    loss = 2.0 * x
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
        assert sess.run(loss, {x: 1.0}) == 2.0
        with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
            sess.run(loss, {x: numpy.nan})
    with caplog.at_level(logging.WARNING, logger="minidl.graph"):
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
            sess.run(loss, {x: numpy.nan})
            assert sess.should_stop()
    assert "Model diverged with loss = NaN." in caplog.text


def test_summaries_and_steps_per_second_are_written_to_the_summary_dir(tmp_path, graph, caplog):
    m = linear_model()
    tf.summary.scalar("train_loss", m["loss"])
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        with tf.train.MonitoredTrainingSession(summary_dir=str(tmp_path), save_summaries_steps=3,
                                               log_step_count_steps=2,
                                               hooks=[tf.train.StopAtStepHook(last_step=7)]) as sess:
            train_until_stopped(sess, m)
    tf.summary.FileWriterCache.clear()
    (path,) = event_files(str(tmp_path))
    scalars = [(e["step"], v["tag"], v["simple_value"]) for e in read_events(path) for v in e.get("summary", [])]
    losses = [(step, value) for step, tag, value in scalars if tag == "train_loss"]
    assert [step for step, _ in losses] == [1, 4, 7]  # the step reached by the run that computed them
    # the loss summarized in the run that took the weights from step k - 1 to step k is the loss at w_(k-1)
    for step, value in losses:
        w = plain_session_weights(step - 1)
        assert value == pytest.approx(float(numpy.mean((X @ w - Y) ** 2)), rel=1e-5)
    rates = [value for _, tag, value in scalars if tag == "global_step/sec"]
    assert [step for step, tag, _ in scalars if tag == "global_step/sec"] == [3, 5, 7]  # step 1 starts the clock
    assert all(rate > 0 for rate in rates)
    assert "global_step/sec: " in caplog.text
    assert not any(f.startswith("model.ckpt") for f in os.listdir(tmp_path))  # no checkpoint_dir, no checkpoints


def test_a_global_step_that_never_moves_is_reported(graph, caplog):
    m = linear_model()
    untracked = tf.train.GradientDescentOptimizer(LR).minimize(m["loss"])  # global_step= forgotten
    hook = tf.train.StepCounterHook(every_n_steps=1000)
    with caplog.at_level(logging.WARNING, logger="minidl.graph"):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            for _ in range(tf.train.StepCounterHook.STUCK_RUNS + 1):
                sess.run(untracked, m["feed"])
    assert "global step (tf.train.get_global_step) has not been increased" in caplog.text


@pytest.mark.parametrize("make", [lambda: tf.train.StopAtStepHook(last_step=3),
                                  lambda: tf.train.StepCounterHook(),
                                  lambda: tf.train.CheckpointSaverHook("never-made", save_steps=1)])
def test_hooks_that_count_steps_need_a_global_step(make, graph):
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created"):
        tf.train.MonitoredSession(hooks=[make()])
    assert not graph.finalized and not os.path.exists("never-made")


def test_hook_arguments_are_checked():
    with pytest.raises(ValueError, match="One of num_steps or last_step"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.CheckpointSaverHook("ckpt")
    with pytest.raises(ValueError, match="both saver and scaffold"):
        tf.train.CheckpointSaverHook("ckpt", save_steps=1, saver=object(), scaffold=tf.train.Scaffold())
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op"):
        tf.train.SummarySaverHook(save_steps=1)
    with pytest.raises(ValueError, match="Can not provide both"):
        tf.train.SecondOrStepTimer(every_secs=1.0, every_steps=1)


def test_second_or_step_timer_counts_steps():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)  # always due the first time
    assert timer.update_last_triggered_step(0) == (None, None)
    assert [timer.should_trigger_for_step(s) for s in (0, 1, 2, 3, 4)] == [False, False, False, True, True]
    elapsed_secs, elapsed_steps = timer.update_last_triggered_step(4)
    assert elapsed_steps == 4 and elapsed_secs >= 0 and timer.last_triggered_step() == 4


# ======================================================================================= scaffold & co

def test_scaffold_init_fn_runs_on_a_fresh_start_and_an_incomplete_init_is_reported(graph):
    w = tf.Variable(tf.zeros([2]), name="w")
    v = tf.Variable(tf.ones([2]), name="v")
    loaded = numpy.array([3.0, 4.0], numpy.float32)
    scaffold = tf.train.Scaffold(init_fn=lambda scaffold, session: w.load(loaded, session))
    with tf.train.SingularMonitoredSession(scaffold=scaffold) as sess:
        numpy.testing.assert_array_equal(sess.run(w), loaded)
        numpy.testing.assert_array_equal(sess.raw_session().run(v), [1.0, 1.0])
    with pytest.raises(RuntimeError, match="Variables not initialized: v"):
        tf.train.SingularMonitoredSession(scaffold=tf.train.Scaffold(init_op=tf.variables_initializer([w])))
    assert not graph.finalized


def test_monitored_training_session_is_chief_only():
    tf.train.get_or_create_global_step()
    with pytest.raises(NotImplementedError, match="one process"):
        tf.train.MonitoredTrainingSession(is_chief=False)


def test_coordinator_hands_a_worker_error_to_join_and_treats_the_end_of_data_as_clean():
    coord = tf.train.Coordinator()

    def failing_worker():
        with coord.stop_on_exception():
            raise ValueError("bad record")

    def waiting_worker():
        coord.wait_for_stop()

    threads = [threading.Thread(target=failing_worker), threading.Thread(target=waiting_worker)]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="bad record"):
        coord.join(threads, stop_grace_period_secs=5)
    assert coord.should_stop() and coord.joined and not any(t.is_alive() for t in threads)

    coord.clear_stop()
    assert not coord.should_stop()
    coord.request_stop(errors.OutOfRangeError(None, None, "End of sequence"))
    coord.join([])  # the end of the data is a clean stop: nothing is raised
    coord.clear_stop()
    coord.request_stop(RuntimeError("first"))
    coord.request_stop(RuntimeError("second"))  # only the first error is kept
    with pytest.raises(RuntimeError, match="first"):
        coord.raise_requested_exception()


class CoordinatorGrab(tf.train.SessionRunHook):
    def after_create_session(self, session, coord):
        self.coord = coord


def test_a_thread_error_given_to_the_coordinator_is_raised_and_a_clean_stop_lets_the_run_finish(graph):
    inc = tf.Variable(0.0).assign_add(1.0)
    grab = CoordinatorGrab()
    with pytest.raises(OSError, match="input thread failed"):
        with tf.train.MonitoredSession(hooks=[grab]) as sess:
            sess.run(inc)
            grab.coord.request_stop(OSError("input thread failed"))  # what a failing reader thread does
            sess.should_stop()
    assert not graph.finalized
    grab = CoordinatorGrab()
    with tf.train.MonitoredSession(hooks=[grab]) as sess:
        grab.coord.request_stop()  # another thread asks for a clean stop between should_stop() and run()
        assert sess.run(inc) == 1.0 and sess.should_stop()


class CheckpointSeenAtEnd(tf.train.SessionRunHook):
    def __init__(self, directory):
        self.directory = directory

    def end(self, session):
        self.latest = tf.train.latest_checkpoint(self.directory)


def test_the_programs_hooks_run_after_the_default_ones(tmp_path, graph):
    m = linear_model()
    seen = CheckpointSeenAtEnd(str(tmp_path))
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=100,
                                           save_checkpoint_secs=1000,  # both given: the seconds count, as in TF1
                                           hooks=[seen, tf.train.StopAtStepHook(last_step=3)]) as sess:
        train_until_stopped(sess, m)
    assert seen.latest.endswith("model.ckpt-3")  # the final checkpoint was written before this hook's end()


def test_an_old_style_global_step_variable_is_found_by_name(graph):
    step = tf.Variable(0, name="global_step", trainable=False)
    assert tf.train.get_global_step() is step and tf.train.get_or_create_global_step() is step
    loss = tf.square(tf.Variable(1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=4)]) as sess:
        runs = 0
        while not sess.should_stop():
            sess.run(train)
            runs += 1
    assert runs == 4
    with tf.Graph().as_default():
        tf.Variable(0.5, name="global_step")
        with pytest.raises(TypeError, match="does not have integer type"):
            tf.train.get_global_step()


def test_a_second_monitored_session_on_the_graph_takes_the_first_ones_ops(graph):
    """TF1's Scaffold puts the init, ready and local-init ops it makes into their collections, so the next
    session on the (now finalized) graph takes them instead of growing it."""
    step = tf.train.get_or_create_global_step()
    increment = tf.assign_add(step, 1)
    sizes = []
    for _ in range(3):
        with tf.train.MonitoredTrainingSession() as sess:
            sess.run(increment)
        sizes.append(len(graph.get_operations()))
    assert sizes[0] == sizes[1] == sizes[2] and len(graph.get_collection(tf.GraphKeys.INIT_OP)) == 1
