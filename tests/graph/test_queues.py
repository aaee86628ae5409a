"""TF1 queues (FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue), count_up_to and the Coordinator's stop rule."""
import threading
import time

import numpy as np
import pytest

import minidl.graph as tf

SHORT = tf.RunOptions(timeout_in_ms=100)  # how long a test lets an op wait before calling it blocked


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def blocks(sess, fetch, feed=None):
    """True if running ``fetch`` waits (DeadlineExceededError after SHORT), False if it completes."""
    try:
        sess.run(fetch, feed, options=SHORT)
    except tf.errors.DeadlineExceededError:
        return True
    return False


def test_fifo_order_batches_and_sizes():
    q = tf.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
    fill = q.enqueue_many([np.arange(10, dtype=np.float32).reshape(5, 2), [0, 1, 2, 3, 4]])
    one = q.enqueue(([10.0, 11.0], 5))
    x, y = q.dequeue_many(2)
    single = q.dequeue()
    assert x.shape.as_list() == [2, 2] and y.shape.as_list() == [2] and single[0].shape.as_list() == [2]
    assert [d.name for d in q.dtypes] == ["float32", "int32"] and q.name == "fifo_queue"
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(one)
        assert sess.run(q.size()) == 6
        got_x, got_y = sess.run([x, y])
        np.testing.assert_array_equal(got_x, [[0, 1], [2, 3]])
        np.testing.assert_array_equal(got_y, [0, 1])
        assert got_x.dtype == np.float32 and got_y.dtype == np.int32
        value, label = sess.run(single)
        np.testing.assert_array_equal(value, [4, 5])
        assert label == 2
        assert sess.run(q.size()) == 3 and not sess.run(q.is_closed())


def test_one_component_gives_a_tensor_and_names_give_dicts():
    q = tf.FIFOQueue(5, tf.int64, shapes=[])
    assert isinstance(q.dequeue(), tf.Tensor) and isinstance(q.dequeue_many(2), tf.Tensor)
    named = tf.FIFOQueue(5, [tf.int32, tf.string], shapes=[[], []], names=["n", "word"])
    put = named.enqueue({"n": 3, "word": "three"})
    out = named.dequeue()
    assert set(out) == {"n", "word"}
    with pytest.raises(ValueError, match="names"):
        named.enqueue([3, "three"])
    with tf.Session() as sess:
        sess.run(put)
        assert sess.run(out) == {"n": 3, "word": b"three"}


def test_strings_keep_their_bytes_and_dtype():
    q = tf.FIFOQueue(5, tf.string, shapes=[])
    fill = q.enqueue_many([["ends in NUL\x00", "b"]])
    with tf.Session() as sess:
        sess.run(fill)
        assert sess.run(q.dequeue()) == b"ends in NUL\x00"  # (a fixed-width bytes array would drop the NUL)
        batch = sess.run(q.dequeue_many(1))
    assert batch.dtype == object and batch.tolist() == [b"b"]


def test_close_drains_then_ends_and_refuses_new_elements():
    q = tf.FIFOQueue(10, tf.int32, shapes=[])
    fill = q.enqueue_many([[1, 2, 3]])
    many, up_to = q.dequeue_many(2), q.dequeue_up_to(2)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(q.close())
        assert sess.run(q.is_closed())
        np.testing.assert_array_equal(sess.run(many), [1, 2])
        with pytest.raises(tf.errors.OutOfRangeError, match=r"'fifo_queue' is closed and has insufficient elements "
                                                            r"\(requested 2, current size 1\)"):
            sess.run(many)
        np.testing.assert_array_equal(sess.run(up_to), [3])  # the smaller last batch
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(up_to)
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(fill)


def test_full_and_empty_queues_block_until_the_other_side_moves():
    q = tf.FIFOQueue(2, tf.int32, shapes=[])
    x = tf.placeholder(tf.int32, [])
    put, take = q.enqueue(x), q.dequeue()
    with tf.Session() as sess:
        assert blocks(sess, take)
        sess.run(put, {x: 1})
        sess.run(put, {x: 2})
        assert blocks(sess, put, {x: 3})  # full: waits for room
        waiting = threading.Thread(target=sess.run, args=(put, {x: 3}))
        waiting.start()
        time.sleep(0.05)
        assert sess.run(take) == 1  # makes room: the waiting enqueue completes
        waiting.join(5)
        assert not waiting.is_alive()
        assert [sess.run(take) for _ in range(2)] == [2, 3]


def test_close_leaves_pending_enqueues_waiting_unless_cancelled():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    put, take = q.enqueue(7), q.dequeue()
    outcome = []

    def enqueue():
        try:
            sess.run(put)
            outcome.append("done")
        except tf.errors.CancelledError as error:
            outcome.append(str(error).splitlines()[0])

    with tf.Session() as sess:
        sess.run(put)
        pending = threading.Thread(target=enqueue)
        pending.start()
        time.sleep(0.05)
        sess.run(q.close())  # a plain close: the pending enqueue keeps waiting for room...
        assert sess.run(take) == 7
        pending.join(5)
        assert outcome == ["done"]  # ...and gets in
        assert sess.run(take) == 7
    with tf.Session() as sess:
        sess.run(put)
        pending = threading.Thread(target=enqueue)
        pending.start()
        time.sleep(0.05)
        sess.run(q.close(cancel_pending_enqueues=True))
        pending.join(5)
        assert outcome[-1] == "Enqueue operation was cancelled"


def test_closing_the_session_wakes_a_waiting_dequeue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    take = q.dequeue()
    sess = tf.Session()
    errors = []

    def dequeue():
        try:
            sess.run(take)
        except tf.errors.CancelledError as error:
            errors.append(error)

    waiting = threading.Thread(target=dequeue)
    waiting.start()
    time.sleep(0.05)
    sess.close()
    waiting.join(5)
    assert not waiting.is_alive() and "Dequeue operation was cancelled" in str(errors[0])


def test_operation_timeout_from_the_session_config():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=50)) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting for notification"):
            sess.run(q.dequeue())


def test_each_session_has_its_own_contents_and_fed_arrays_are_copied():
    q = tf.FIFOQueue(5, tf.float32, shapes=[3])
    x = tf.placeholder(tf.float32, [3])
    put, take = q.enqueue(x), q.dequeue()
    with tf.Session() as first, tf.Session() as second:
        fed = np.ones(3, np.float32)
        first.run(put, {x: fed})
        fed[:] = 5  # the queue holds a copy
        assert blocks(second, take)
        np.testing.assert_array_equal(first.run(take), [1, 1, 1])


def test_random_shuffle_queue_keeps_a_reserve_and_is_reproducible_with_a_seed():
    def draws():
        with tf.Graph().as_default():
            q = tf.RandomShuffleQueue(20, 5, tf.int64, shapes=[], seed=7)
            fill, take, rest = q.enqueue_many([np.arange(20)]), q.dequeue_many(15), q.dequeue_up_to(10)
            with tf.Session() as sess:
                sess.run(fill)
                first = sess.run(take)
                assert blocks(sess, q.dequeue())  # only the reserve of 5 is left: it stays while the queue is open
                sess.run(q.close())
                return first, sess.run(rest)

    first, rest = draws()
    assert sorted(np.concatenate([first, rest])) == list(range(20))
    assert list(first) != sorted(first)
    again = draws()
    np.testing.assert_array_equal(first, again[0])
    np.testing.assert_array_equal(rest, again[1])
    with pytest.raises(ValueError, match="min_after_dequeue"):
        tf.RandomShuffleQueue(5, 5, tf.int32)


def test_padding_queue_pads_each_batch_to_its_longest_element():
    q = tf.PaddingFIFOQueue(5, [tf.int32, tf.string], shapes=[[None], [None]])
    ids, words = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.string, [None])
    put = q.enqueue([ids, words])
    batch_ids, batch_words = q.dequeue_many(2)
    assert batch_ids.shape.as_list() == [2, None]
    with tf.Session() as sess:
        sess.run(put, {ids: [1, 2, 3], words: ["a", "b", "c"]})
        sess.run(put, {ids: [4], words: ["d"]})
        got_ids, got_words = sess.run([batch_ids, batch_words])
    np.testing.assert_array_equal(got_ids, [[1, 2, 3], [4, 0, 0]])
    assert got_words.tolist() == [[b"a", b"b", b"c"], [b"d", b"", b""]]
    with pytest.raises(ValueError, match="shapes must be given"):
        tf.PaddingFIFOQueue(5, [tf.int32], shapes=None)


def test_shape_and_dtype_mistakes():
    with pytest.raises(ValueError, match="fully defined"):
        tf.FIFOQueue(5, tf.float32, shapes=[[None]])
    q = tf.FIFOQueue(5, [tf.float32], shapes=[[2]])
    with pytest.raises(ValueError, match=r"incompatible with the queue's shape \(2,\)"):
        q.enqueue([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="dtype"):
        q.enqueue(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="expected 1 components"):
        q.enqueue([[1.0, 2.0], [3.0, 4.0]])
    x = tf.placeholder(tf.float32, [None])
    put = q.enqueue(x)
    unshaped = tf.FIFOQueue(5, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Shape mismatch in tuple component 0. Expected "
                                                                 r"\[2\], got \[3\]"):
            sess.run(put, {x: [1, 2, 3]})
        sess.run(unshaped.enqueue([1.0]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="requires the components to have specified shapes"):
            sess.run(unshaped.dequeue_many(1))
        pair = tf.FIFOQueue(5, [tf.int32, tf.int32], shapes=[[], []])
        with pytest.raises(tf.errors.InvalidArgumentError, match="same size of the first dimension"):
            sess.run(pair.enqueue_many([[1, 2], [1, 2, 3]]))


def test_count_up_to_counts_then_stops():
    counter = tf.Variable(np.int64(0), name="counter")
    step = counter.count_up_to(3)
    with pytest.raises(TypeError, match="int32 or int64 scalar"):
        tf.Variable(0.0).count_up_to(3)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert [sess.run(step) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 3"):
            sess.run(step)
        assert sess.run(counter) == 3


def test_count_up_to_hands_out_distinct_counts_to_threads():
    counter = tf.Variable(np.int64(0))
    step = tf.count_up_to(counter, 400)
    seen = []
    with tf.Session() as sess:
        sess.run(counter.initializer)

        def count():
            while True:
                try:
                    seen.append(int(sess.run(step)))
                except tf.errors.OutOfRangeError:
                    return
        threads = [threading.Thread(target=count) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert sorted(seen) == list(range(400))


def test_coordinator_keeps_the_error_that_caused_the_stop_not_what_followed():
    coord = tf.train.Coordinator()
    coord.request_stop()
    coord.request_stop(tf.errors.CancelledError(None, None, "Enqueue operation was cancelled"))
    coord.join([])  # the cancelled enqueue was a consequence of the stop: nothing to raise
    coord.clear_stop()
    coord.request_stop(ValueError("bad record"))
    coord.request_stop(RuntimeError("later"))
    with pytest.raises(ValueError, match="bad record"):
        coord.join([])
