"""TF1's queue-fed input pipelines: producers, batchers, QueueRunner threads, and the sessions that start them."""
import threading

import numpy as np
import pytest

import minidl.graph as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def drain(sess, fetches):
    """Run ``fetches`` until the pipeline's OutOfRangeError; the results in order."""
    out = []
    while True:
        try:
            out.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return out


def run_pipeline(fetches, init_locals=True):
    """Start the queue runners, drain ``fetches``, stop and join: (results, threads)."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        if init_locals:
            sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            results = drain(sess, fetches)
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    return results, threads


def test_slice_producer_and_batch_in_order_with_a_smaller_last_batch():
    images = np.arange(20, dtype=np.float32).reshape(10, 2)
    labels = np.arange(10)
    image, label = tf.train.slice_input_producer([images, labels], num_epochs=2, shuffle=False)
    batch_images, batch_labels = tf.train.batch([image, label], batch_size=4, allow_smaller_final_batch=True)
    assert batch_images.name == "batch:0" and batch_images.shape.as_list() == [None, 2]
    results, threads = run_pipeline([batch_images, batch_labels])
    seen = np.concatenate([r[1] for r in results])
    np.testing.assert_array_equal(seen, np.tile(np.arange(10), 2))  # two epochs, in order
    assert [len(r[1]) for r in results] == [4, 4, 4, 4, 4]
    np.testing.assert_array_equal(np.concatenate([r[0] for r in results]), np.tile(images, (2, 1)))
    assert not any(t.is_alive() for t in threads)


def test_full_batches_only_drop_the_remainder():
    index = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
    batch = tf.train.batch([index], batch_size=4)
    assert isinstance(batch, tf.Tensor) and batch.shape.as_list() == [4]  # a list of one tensor gives the tensor
    results, _ = run_pipeline(batch)
    assert [list(r) for r in results] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffled_epochs_with_several_threads_see_every_example_once_per_epoch():
    tf.set_random_seed(3)
    value = tf.train.range_input_producer(50, num_epochs=3, shuffle=True, seed=1).dequeue()
    batch = tf.train.shuffle_batch([value * 2], batch_size=10, capacity=40, min_after_dequeue=20, num_threads=4,
                                   allow_smaller_final_batch=True)
    results, threads = run_pipeline(batch)
    seen = np.concatenate(results)
    np.testing.assert_array_equal(np.sort(seen), np.repeat(np.arange(50) * 2, 3))
    assert list(seen[:50]) != sorted(seen[:50])
    assert len(threads) == 2 + 4 + 1  # the producer's thread and the batcher's 4, and one closer per runner


def test_forgetting_local_variables_initializer_fails_as_in_tf1():
    value = tf.train.range_input_producer(5, num_epochs=1).dequeue()
    batch = tf.train.batch([value], batch_size=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        with pytest.raises(tf.errors.OutOfRangeError):  # the stopped runners close the queues: the loop ends...
            sess.run(batch)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value "
                                                                    "input_producer/limit_epochs/epochs"):
            coord.join(threads, stop_grace_period_secs=10)  # ...and join raises what stopped them


def test_dicts_dynamic_padding_and_join():
    words = tf.constant([[1, 2, 3, 0], [4, 5, 0, 0], [6, 0, 0, 0]])
    lengths = tf.constant([3, 2, 1])
    row = tf.train.range_input_producer(3, num_epochs=1, shuffle=False).dequeue()
    length = tf.gather(lengths, row)
    sentence = tf.slice(tf.gather(words, row), [0], [length])
    batch = tf.train.batch({"ids": sentence, "length": length}, batch_size=3, dynamic_pad=True)
    assert set(batch) == {"ids", "length"}
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.train.batch([sentence], batch_size=3)
    (got,), _ = run_pipeline(batch)
    np.testing.assert_array_equal(got["ids"], [[1, 2, 3], [4, 5, 0], [6, 0, 0]])
    np.testing.assert_array_equal(got["length"], [3, 2, 1])


def test_batch_join_takes_one_thread_per_list():
    with tf.Graph().as_default():
        lists = [[tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + offset]
                 for offset in (0, 100)]
        joined = tf.train.batch_join(lists, batch_size=2, allow_smaller_final_batch=True)
        results, threads = run_pipeline(joined)
    assert sorted(np.concatenate(results)) == [0, 1, 2, 3, 100, 101, 102, 103]
    assert len(threads) == 2 * 2 + 2 + 1  # two producers (thread + closer), two enqueue threads + a closer


def test_string_input_producer():
    names = tf.train.string_input_producer(["a.csv", "b.csv", "c.csv"], num_epochs=2, shuffle=False)
    assert names.name == "input_producer" and names.dtypes == [tf.string]
    results, _ = run_pipeline(names.dequeue())
    assert results == [b"a.csv", b"b.csv", b"c.csv"] * 2
    with pytest.raises(ValueError, match="non-null input tensor"):
        tf.train.string_input_producer([])
    assert "input_producer/fraction_of_32_full" in [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]


def test_queue_runner_without_a_coordinator_closes_downstream_when_input_ends():
    source = tf.FIFOQueue(10, tf.int32, shapes=[])
    sink = tf.FIFOQueue(10, tf.int32, shapes=[])
    fill, close_source = source.enqueue_many([[1, 2, 3]]), source.close()
    runner = tf.train.QueueRunner(sink, [sink.enqueue(source.dequeue() * 10)] * 2)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(close_source)
        threads = runner.create_threads(sess, start=True)
        for t in threads:
            t.join(10)
        assert sorted(drain(sess, sink.dequeue())) == [10, 20, 30]  # then the runner closed the sink
        assert runner.exceptions_raised == []
        assert sess.run(sink.is_closed())


def test_queue_runner_failure_goes_to_the_coordinator():
    sink = tf.FIFOQueue(10, tf.float32, shapes=[])
    checked = tf.debugging.assert_positive(tf.Variable(-1.0), message="negative sample")
    with tf.control_dependencies([checked]):
        broken = sink.enqueue(1.0)
    tf.train.add_queue_runner(tf.train.QueueRunner(sink, [broken]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(sink.dequeue())
        with pytest.raises(tf.errors.InvalidArgumentError, match="negative sample"):
            coord.join(threads, stop_grace_period_secs=10)


def test_start_queue_runners_needs_a_session():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()


def test_monitored_training_session_trains_from_a_shuffled_queue_and_stops_its_threads():
    rng = np.random.default_rng(0)
    features = rng.standard_normal((64, 3)).astype(np.float32)
    targets = features @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    x, y = tf.train.slice_input_producer([features, targets], num_epochs=20, seed=2)
    batch_x, batch_y = tf.train.shuffle_batch([x, y], batch_size=16, capacity=64, min_after_dequeue=32, seed=4)
    w = tf.Variable(tf.zeros([3, 1]))
    loss = tf.reduce_mean(tf.square(tf.matmul(batch_x, w) - batch_y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_or_create_global_step())
    before = threading.active_count()
    losses = []
    with tf.train.MonitoredTrainingSession() as sess:
        while not sess.should_stop():
            losses.append(sess.run([train, loss])[1])
    assert len(losses) == 64 * 20 // 16
    assert losses[-1] < 1e-3 * losses[0]
    assert threading.active_count() == before  # every queue runner thread was joined


def test_supervisor_starts_the_queue_runners(tmp_path):
    value = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
    batch = tf.train.batch([value], batch_size=3)
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0)
    seen = []
    with sv.managed_session() as sess:
        while not sv.should_stop():
            seen.extend(sess.run(batch))
    assert seen == list(range(6))


def test_queue_fed_training_equals_feeding_the_same_batches():
    data = np.arange(24, dtype=np.float32).reshape(12, 2) / 10
    w0 = np.array([[0.5], [-0.5]], np.float32)

    def train(make_batch):
        with tf.Graph().as_default():
            batch, feed_for = make_batch()
            w = tf.Variable(w0)
            step = tf.train.GradientDescentOptimizer(0.05).minimize(tf.reduce_sum(tf.matmul(batch, w) ** 2))
            with tf.Session() as sess:
                sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
                coord = tf.train.Coordinator()
                threads = tf.train.start_queue_runners(sess, coord)
                for i in range(3):
                    sess.run(step, feed_for(i))
                coord.request_stop()
                coord.join(threads, stop_grace_period_secs=10)
                return sess.run(w)

    def queued():
        row = tf.train.slice_input_producer([data], shuffle=False)[0]
        return tf.train.batch([row], batch_size=4), lambda i: None

    def fed():
        x = tf.placeholder(tf.float32, [4, 2])
        return x, lambda i: {x: data[4 * i: 4 * i + 4]}

    np.testing.assert_allclose(train(queued), train(fed), rtol=1e-6)


def test_a_dataset_iterator_can_feed_several_batching_threads():
    element = tf.data.Dataset.range(40).make_one_shot_iterator().get_next()
    batch = tf.train.batch([element], batch_size=8, num_threads=4, allow_smaller_final_batch=True)
    results, _ = run_pipeline(batch)
    assert sorted(np.concatenate(results)) == list(range(40))


def test_queue_runners_come_back_with_an_imported_meta_graph(tmp_path):
    value = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
    tf.identity(tf.train.batch([value * 10], batch_size=3), name="batch_out")
    path = str(tmp_path / "pipeline.meta")
    tf.train.export_meta_graph(path)
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(path)
        runners = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert [r.name for r in runners] == ["input_producer", "batch/fifo_queue"]
        assert runners[0].queue_closed_exception_types == (tf.errors.OutOfRangeError,)
        results, threads = run_pipeline(graph.get_tensor_by_name("batch_out:0"))
    assert [list(r) for r in results] == [[0, 10, 20], [30, 40, 50]]
    assert not any(t.is_alive() for t in threads)


def test_string_tensors_of_unknown_size_feed_a_producer(tmp_path):
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name[0]}1\n{name[0]}2\n")
    files = tf.train.match_filenames_once(str(tmp_path / "*.txt"))
    assert not files.shape.is_fully_defined()
    _, line = tf.TextLineReader().read(tf.train.string_input_producer(files, num_epochs=1, shuffle=False))
    results, _ = run_pipeline(line)
    assert results == [b"a1", b"a2", b"b1", b"b2"]


def test_slices_of_fixed_size_keep_it_for_batching():
    record = tf.placeholder_with_default(tf.constant([7, 1, 2, 3], tf.uint8), [None])
    label, pixels = tf.slice(record, [0], [1]), tf.slice(record, [1], [3])
    assert label.shape.as_list() == [1] and pixels.shape.as_list() == [3]
    queue = tf.FIFOQueue(4, [tf.uint8, tf.uint8], shapes=[[1], [3]], name=None)  # the default name
    assert queue.name == "fifo_queue" and queue.dequeue()[0].name == "fifo_queue_Dequeue:0"


def test_maybe_batch_keeps_only_the_examples_asked_for():
    value = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
    evens = tf.train.maybe_batch([value], tf.equal(value % 2, 0), batch_size=2, allow_smaller_final_batch=True)
    results, _ = run_pipeline(evens)
    assert np.concatenate(results).tolist() == [0, 2, 4, 6, 8]


def test_maybe_shuffle_batch_with_a_vector_of_rows_to_keep():
    rows = tf.constant(np.arange(12).reshape(6, 2))
    keep = tf.constant([True, False, True, True, False, True])
    kept = tf.train.maybe_shuffle_batch([rows], batch_size=4, capacity=10, min_after_dequeue=1, keep_input=keep,
                                        enqueue_many=True, seed=1)
    with pytest.raises(ValueError, match="keep_input must be a bool scalar when enqueue_many is False"):
        tf.train.maybe_batch([rows], keep, batch_size=2)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        got = sess.run(kept)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    # each run of the enqueue adds the same 4 kept rows: the batch holds only those, whole
    assert set(got[:, 0].tolist()) <= {0, 4, 6, 10} and (got[:, 1] == got[:, 0] + 1).all()


def test_looper_thread_calls_its_target_until_the_coordinator_stops():
    coord = tf.train.Coordinator()
    calls = []
    looper = tf.train.LooperThread.loop(coord, None, calls.append, args=(1,))
    while len(calls) < 3:
        pass
    coord.request_stop()
    coord.join([looper], stop_grace_period_secs=10)
    assert not looper.is_alive() and len(calls) >= 3
    coord.clear_stop()
    failing = tf.train.LooperThread.loop(coord, 0.01, lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        coord.join([failing], stop_grace_period_secs=10)
