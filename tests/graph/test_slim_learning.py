"""tf.contrib.slim's training loop (slim.learning.train), its evaluation (slim.evaluation), slim.metrics and
slim.prefetch_queue, on a one-layer softmax classifier of random data.

With the services' intervals at an hour, ``train`` saves a checkpoint before its first step (step 0) and one at the
end, and writes the summaries once, at step 0; with intervals of 0 it saves only at the end."""
import glob
import os

import numpy as np
import pytest

import minidl.graph as tf

slim = tf.contrib.slim
HOUR = 3600
rng = np.random.default_rng(0)
FEATURES = rng.normal(size=(24, 4)).astype(np.float32)
LABELS = np.argmax(FEATURES @ rng.normal(size=(4, 3)), axis=1).astype(np.int64)


def model():
    """(logits, total loss) of the classifier; its variables are fc/weights and fc/biases."""
    logits = slim.fully_connected(tf.constant(FEATURES), 3, activation_fn=None, scope="fc")
    slim.losses.sparse_softmax_cross_entropy(logits, tf.constant(LABELS))
    return logits, slim.losses.get_total_loss()


def training_graph(learning_rate=0.5):
    """The model's train op, with the total loss as a summary."""
    _, total_loss = model()
    tf.summary.scalar("losses/total_loss", total_loss)
    return slim.learning.create_train_op(total_loss, tf.train.GradientDescentOptimizer(learning_rate))


def recording_step(record):
    """slim.learning.train_step, recording (global step before the step, loss) of each step."""
    def step(sess, train_op, global_step, kwargs):
        before = sess.run(global_step)
        loss, should_stop = slim.learning.train_step(sess, train_op, global_step, kwargs)
        record.append((before, loss))
        return loss, should_stop
    return step


def numpy_logits(checkpoint):
    weights = tf.train.load_variable(checkpoint, "fc/weights")
    biases = tf.train.load_variable(checkpoint, "fc/biases")
    return FEATURES.astype(np.float64) @ weights + biases


def numpy_loss(checkpoint):
    """The mean softmax cross-entropy of the model with the weights of ``checkpoint``."""
    logits = numpy_logits(checkpoint)
    log_probs = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) \
        - logits.max(1, keepdims=True)
    return -log_probs[np.arange(len(LABELS)), LABELS].mean()


def checkpoint_steps(logdir):
    return sorted(int(path.split("-")[-1].split(".")[0]) for path in glob.glob(os.path.join(logdir, "*.index")))


# ------------------------------------------------------------------------------------------------- training

def test_train_runs_to_number_of_steps_saves_and_a_second_call_resumes(tmp_path):
    logdir = str(tmp_path / "train")
    record = []
    final = slim.learning.train(training_graph(), logdir, train_step_fn=recording_step(record), number_of_steps=20,
                                save_interval_secs=HOUR, save_summaries_secs=HOUR, log_every_n_steps=5)
    assert [step for step, _ in record] == list(range(20))
    losses = [loss for _, loss in record]
    assert final == losses[-1]
    assert losses[-1] < 0.7 * losses[0]  # it learns
    assert tf.train.latest_checkpoint(logdir) == os.path.join(logdir, "model.ckpt-20")
    assert checkpoint_steps(logdir) == [0, 20]  # at the start (the service's first save) and at the end
    # the first step's loss is the initial model's, as saved in model.ckpt-0
    assert losses[0] == pytest.approx(numpy_loss(os.path.join(logdir, "model.ckpt-0")), rel=1e-5)
    tags = {(value.tag, event.step) for path in glob.glob(os.path.join(logdir, "events.*"))
            for event in tf.train.summary_iterator(path) for value in event.summary.value}
    assert ("losses/total_loss", 0) in tags

    with tf.Graph().as_default():
        record = []
        final = slim.learning.train(training_graph(), logdir, train_step_fn=recording_step(record),
                                    number_of_steps=25, save_interval_secs=HOUR, save_summaries_secs=HOUR)
    # restored at step 20 with the saved weights: the first loss is the one computed from model.ckpt-20
    assert [step for step, _ in record] == list(range(20, 25))
    assert record[0][1] == pytest.approx(numpy_loss(os.path.join(logdir, "model.ckpt-20")), rel=1e-5)
    assert tf.train.latest_checkpoint(logdir) == os.path.join(logdir, "model.ckpt-25")
    assert final == record[-1][1]


def test_init_fn_loads_pretrained_weights_after_init_op_and_the_stop_test_follows_the_step(tmp_path):
    pretrained_dir = str(tmp_path / "pretrained")
    slim.learning.train(training_graph(), pretrained_dir, number_of_steps=3, save_interval_secs=0,
                        save_summaries_secs=0)
    pretrained = tf.train.latest_checkpoint(pretrained_dir)
    assert checkpoint_steps(pretrained_dir) == [3]  # no service: only train's own save at the end

    with tf.Graph().as_default():
        train_op = training_graph()
        init_fn = slim.assign_from_checkpoint_fn(pretrained, slim.get_model_variables())
        record = []
        # number_of_steps=1 with a fresh global step: one step, started from the pretrained weights
        slim.learning.train(train_op, str(tmp_path / "finetune"), train_step_fn=recording_step(record),
                            number_of_steps=1, init_fn=init_fn, save_interval_secs=0, save_summaries_secs=0)
    assert [step for step, _ in record] == [0]
    assert record[0][1] == pytest.approx(numpy_loss(pretrained), rel=1e-5)

    with tf.Graph().as_default():
        record = []
        # already at number_of_steps: as in TF, the stop test comes after a step, so one more step runs
        slim.learning.train(training_graph(), pretrained_dir, train_step_fn=recording_step(record),
                            number_of_steps=3, save_interval_secs=0, save_summaries_secs=0)
    assert [step for step, _ in record] == [3]


def test_train_without_logdir_writes_nothing_and_trace_every_n_steps_writes_a_timeline(tmp_path):
    loss = slim.learning.train(training_graph(), None, number_of_steps=2)
    assert np.isfinite(loss)

    with tf.Graph().as_default():
        logdir = str(tmp_path)
        slim.learning.train(training_graph(), logdir, number_of_steps=2, trace_every_n_steps=2,
                            save_interval_secs=HOUR, save_summaries_secs=HOUR)
    # traced when the global step was 0 (a multiple of 2); the file is named after the step's result
    assert [os.path.basename(p) for p in glob.glob(os.path.join(logdir, "tf_trace-*.json"))] == ["tf_trace-1.json"]


def test_train_starts_the_queue_runners_of_a_prefetched_input(tmp_path):
    features, labels = slim.prefetch_queue.prefetch_queue([tf.constant(FEATURES), tf.constant(LABELS)]).dequeue()
    logits = slim.fully_connected(features, 3, activation_fn=None, scope="fc")
    loss = slim.losses.sparse_softmax_cross_entropy(logits, labels)
    train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.5))
    record = []
    # without the runners the first dequeue would wait: the timeout turns that into an error
    slim.learning.train(train_op, str(tmp_path), train_step_fn=recording_step(record), number_of_steps=3,
                        session_config=tf.ConfigProto(operation_timeout_in_ms=10000))
    assert [step for step, _ in record] == [0, 1, 2]
    assert record[0][1] == pytest.approx(numpy_loss(os.path.join(str(tmp_path), "model.ckpt-0")), rel=1e-5)


def test_train_rejects_bad_arguments(tmp_path):
    train_op = training_graph()
    with pytest.raises(ValueError, match="train_op cannot be None"):
        slim.learning.train(None, str(tmp_path))
    with pytest.raises(ValueError, match="number_of_steps.*got 0"):
        slim.learning.train(train_op, str(tmp_path), number_of_steps=0)
    with pytest.raises(ValueError, match="saver because logdir=None"):
        slim.learning.train(train_op, None, saver=tf.train.Saver())
    with pytest.raises(NotImplementedError, match="sync_optimizer"):
        slim.learning.train(train_op, str(tmp_path), sync_optimizer=object())


# ----------------------------------------------------------------------------------------------- evaluation

def evaluation_graph():
    """The model's accuracy and a counter of the evaluation runs (a true positive per run), as slim metrics."""
    logits, _ = model()
    values, updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(tf.argmax(logits, 1), tf.constant(LABELS)),
        "runs": slim.metrics.streaming_true_positives(tf.constant([True]), tf.constant([True]))})
    tf.summary.scalar("eval/accuracy", values["accuracy"])
    return values, updates


def trained_checkpoint(logdir):
    with tf.Graph().as_default():
        slim.learning.train(training_graph(), logdir, number_of_steps=4, save_interval_secs=0,
                            save_summaries_secs=0)
    return tf.train.latest_checkpoint(logdir)


def test_evaluate_once_gives_the_checkpoints_accuracy_after_num_evals_runs_and_writes_it(tmp_path):
    checkpoint = trained_checkpoint(str(tmp_path / "train"))
    expected = np.mean(np.argmax(numpy_logits(checkpoint), 1) == LABELS)
    assert 0 < expected < 1  # the check can fail: the weights are not the initial ones, nor perfect
    values, updates = evaluation_graph()
    eval_dir = str(tmp_path / "eval")
    accuracy, runs = slim.evaluation.evaluate_once("", checkpoint, eval_dir, num_evals=3,
                                                   eval_op=updates.values(),
                                                   final_op=[values["accuracy"], values["runs"]])
    assert accuracy == pytest.approx(expected)
    assert runs == 3
    written = [(value.tag, event.step, value.simple_value) for path in glob.glob(os.path.join(eval_dir, "events.*"))
               for event in tf.train.summary_iterator(path) for value in event.summary.value]
    assert written == [("eval/accuracy", 4, pytest.approx(expected))]  # at the checkpoint's global step


def test_evaluation_loop_evaluates_the_latest_checkpoint_and_stops(tmp_path):
    train_dir = str(tmp_path / "train")
    checkpoint = trained_checkpoint(train_dir)
    values, updates = evaluation_graph()
    result = slim.evaluation.evaluation_loop("", train_dir, str(tmp_path / "eval"), num_evals=2,
                                             eval_op=updates, final_op=values, eval_interval_secs=0,
                                             max_number_of_evaluations=1)
    assert result["accuracy"] == pytest.approx(np.mean(np.argmax(numpy_logits(checkpoint), 1) == LABELS))
    assert result["runs"] == 2
    # no checkpoint comes within the timeout: no evaluation, and None
    assert slim.evaluation.evaluation_loop("", str(tmp_path / "empty"), str(tmp_path / "eval2"), eval_op=updates,
                                           final_op=values, timeout=0) is None


def test_contrib_training_evaluate_once_counts_its_runs_in_the_local_eval_step(tmp_path):
    checkpoint = trained_checkpoint(str(tmp_path / "train"))
    values, updates = evaluation_graph()
    step = tf.contrib.training.get_or_create_eval_step()
    assert step is tf.contrib.training.get_or_create_eval_step()
    assert step in tf.local_variables() and step not in tf.global_variables()
    runs, eval_step = tf.contrib.training.evaluate_once(
        checkpoint, eval_ops=updates["runs"], final_ops=[values["runs"], step],
        hooks=[tf.contrib.training.StopAfterNEvalsHook(5)])
    assert runs == 5 and eval_step == 5
    with pytest.raises(ValueError, match="log_dir or summary_writer"):
        tf.contrib.training.SummaryAtEndHook()


# ------------------------------------------------------------------------------------------ prefetch_queue

def test_prefetch_queue_hands_out_what_was_enqueued_in_order():
    source = tf.train.range_input_producer(10, shuffle=False).dequeue()
    queue = slim.prefetch_queue.prefetch_queue([source, source * 10], capacity=4)
    value, tens = queue.dequeue()
    named = slim.prefetch_queue.prefetch_queue({"b": tf.constant(2.0), "a": tf.constant([1, 2])}, name="named")
    assert named.names == ["a", "b"]
    element = named.dequeue()
    assert [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)] == [
        "input_producer/fraction_of_32_full", "prefetch_queue/fraction_of_4_full", "named/fraction_of_8_full"]
    with tf.train.MonitoredSession() as sess:
        got = [tuple(sess.run([value, tens])) for _ in range(6)]
        pair = sess.run(element)
    assert got == [(i, 10 * i) for i in range(6)]
    assert pair["b"] == 2.0 and list(pair["a"]) == [1, 2]


def test_prefetch_queue_needs_fully_defined_shapes_unless_dynamic_pad():
    ragged = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="fully defined"):
        slim.prefetch_queue.prefetch_queue([ragged])
    queue = slim.prefetch_queue.prefetch_queue([ragged], dynamic_pad=True)
    assert isinstance(queue, tf.PaddingFIFOQueue)


def test_slim_metrics_is_contrib_metrics_with_the_old_recall_at_k():
    assert slim.metrics is tf.contrib.metrics
    logits = tf.constant([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])
    # the label is among the 2 largest logits in rows 0 and 1, not in row 2 (class 0 has the smallest)
    recall, update = slim.metrics.streaming_recall_at_k(logits, tf.constant([2, 1, 0]), 2)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert sess.run(recall) == pytest.approx(2 / 3)
    assert recall.op.name.startswith("recall_at_2/")
