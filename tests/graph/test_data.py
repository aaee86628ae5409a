"""tf.data: datasets (values, order, structure, static shapes), transformations, iterators and their errors."""
import collections

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import drain, elements


# ------------------------------------------------------------------------------------------ sources

def test_from_tensor_slices_tuple_values_order_and_static_shapes(graph):
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    assert dataset.output_types == (tf.float32, tf.int64)
    assert dataset.output_shapes == (tf.TensorShape([2]), tf.TensorShape([]))
    assert dataset.output_classes == (tf.Tensor, tf.Tensor)
    assert repr(dataset) == "<TensorSliceDataset shapes: ((2,), ()), types: (tf.float32, tf.int64)>"
    a, b = tf.data.make_one_shot_iterator(dataset).get_next()
    assert a.shape.as_list() == [2] and b.shape.as_list() == [] and a.dtype == tf.float32
    got = drain((a, b))
    assert len(got) == 6
    for i, (xi, yi) in enumerate(got):
        np.testing.assert_array_equal(xi, x[i])
        assert yi == i and yi.dtype == np.int64


def test_from_tensor_slices_dict_namedtuple_and_list_as_value(graph):
    d = tf.data.Dataset.from_tensor_slices({"b": [1.0, 2.0], "a": np.array([[1, 2], [3, 4]])})
    assert d.output_shapes == {"b": tf.TensorShape([]), "a": tf.TensorShape([2])}
    got = elements(d)
    assert [g["b"] for g in got] == [1.0, 2.0] and got[1]["a"].tolist() == [3, 4]
    assert d.output_types["b"] == tf.float32   # Python floats become float32, as in TF
    Pair = collections.namedtuple("Pair", "x y")
    got = elements(tf.data.Dataset.from_tensor_slices(Pair(np.zeros(3), np.ones(3))))
    assert isinstance(got[0], Pair) and got[2].y == 1.0
    # a list is one value, not a structure: a 2x3 matrix gives two rows
    rows = elements(tf.data.Dataset.from_tensor_slices([[1, 2, 3], [4, 5, 6]]))
    assert [r.tolist() for r in rows] == [[1, 2, 3], [4, 5, 6]]


def test_from_tensor_slices_of_graph_tensors(graph):
    c = tf.constant([[1, 2], [3, 4], [5, 6]]) * 10
    got = elements(tf.data.Dataset.from_tensor_slices(c))   # a computed (non-constant) source
    assert [g.tolist() for g in got] == [[10, 20], [30, 40], [50, 60]]


def test_from_tensor_slices_errors(graph):
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="rank >= 1"):
        tf.data.Dataset.from_tensor_slices(np.float32(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        tf.data.Dataset.from_tensor_slices(())
    with pytest.raises(TypeError, match="cannot be None"):
        tf.data.Dataset.from_tensor_slices(None)


def test_from_tensors_and_range(graph):
    (whole,) = elements(tf.data.Dataset.from_tensors((np.arange(3), 7)))
    assert whole[0].tolist() == [0, 1, 2] and whole[1] == 7
    r = tf.data.Dataset.range(5)
    assert r.output_types == tf.int64 and r.output_shapes == tf.TensorShape([])
    assert elements(r) == [0, 1, 2, 3, 4]
    assert elements(tf.data.Dataset.range(2, 5)) == [2, 3, 4]
    assert elements(tf.data.Dataset.range(10, 0, -3)) == [10, 7, 4, 1]
    assert elements(tf.data.Dataset.range(0)) == []
    with pytest.raises(ValueError, match="non-zero"):
        tf.data.Dataset.range(0, 5, 0)
    with pytest.raises(TypeError, match="integer"):
        tf.data.Dataset.range(2.5)


def test_zip_take_skip_filter(graph):
    z = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.from_tensor_slices([5.0, 6.0, 7.0, 8.0])))
    assert z.output_types == (tf.int64, tf.float32)
    assert [tuple(e) for e in elements(z)] == [(0, 5.0), (1, 6.0), (2, 7.0)]   # stops with the shortest
    nested = tf.data.Dataset.zip({"i": tf.data.Dataset.range(2), "p": z})
    got = elements(nested)
    assert got[1]["i"] == 1 and tuple(got[1]["p"]) == (1, 6.0)
    r = tf.data.Dataset.range(10)
    assert elements(r.take(3)) == [0, 1, 2]
    assert elements(r.take(-1)) == list(range(10))
    assert elements(r.skip(7)) == [7, 8, 9]
    assert elements(r.skip(-1)) == []
    assert elements(r.filter(lambda i: tf.equal(tf.floormod(i, 3), 0))) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="scalar boolean"):
        r.filter(lambda i: i * 2)


# ------------------------------------------------------------------------------------------ shuffle

def test_shuffle_covers_every_element_once(graph):
    got = elements(tf.data.Dataset.range(50).shuffle(50))
    assert sorted(got) == list(range(50)) and got != list(range(50))
    small = elements(tf.data.Dataset.range(50).shuffle(5))
    assert sorted(small) == list(range(50))
    # a buffer of b elements can hold back element i, but never hand it out before position i - b + 1
    assert all(position >= value - 4 for position, value in enumerate(small))
    assert elements(tf.data.Dataset.range(10).shuffle(1)) == list(range(10))
    with pytest.raises(ValueError, match="greater than zero"):
        tf.data.Dataset.range(3).shuffle(0)


def _seeded_order(graph_seed=None, op_seed=None, epochs=1, reshuffle=True):
    with tf.Graph().as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        dataset = tf.data.Dataset.range(20).shuffle(20, seed=op_seed, reshuffle_each_iteration=reshuffle)
        return elements(dataset.repeat(epochs))


def test_shuffle_is_reproducible_with_seeds():
    assert _seeded_order(op_seed=3) == _seeded_order(op_seed=3)
    assert _seeded_order(op_seed=3) != _seeded_order(op_seed=4)
    assert _seeded_order(graph_seed=1) == _seeded_order(graph_seed=1)
    assert _seeded_order(graph_seed=1, op_seed=3) != _seeded_order(graph_seed=2, op_seed=3)
    assert _seeded_order() != _seeded_order()   # unseeded: fresh entropy (equal with probability 1/20!)


def test_reshuffle_each_iteration():
    two = _seeded_order(op_seed=0, epochs=2)
    assert sorted(two[:20]) == sorted(two[20:]) == list(range(20)) and two[:20] != two[20:]
    assert two == _seeded_order(op_seed=0, epochs=2)   # the whole sequence of epochs is reproducible
    fixed = _seeded_order(op_seed=0, epochs=2, reshuffle=False)
    assert fixed[:20] == fixed[20:] == two[:20]


def test_seeded_shuffle_restarts_identically_and_sessions_are_independent(graph):
    tf.set_random_seed(5)
    iterator = tf.data.Dataset.range(10).shuffle(10).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as s1, tf.Session() as s2:
        s1.run(iterator.initializer)
        first = [s1.run(nxt) for _ in range(4)]
        s2.run(iterator.initializer)
        assert [s2.run(nxt) for _ in range(10)] == first + drain(nxt, s1)   # s2 did not disturb s1
        s1.run(iterator.initializer)
        assert [s1.run(nxt) for _ in range(4)] == first


# ------------------------------------------------------------------------------------------ batch / repeat

def test_batch_shapes_and_remainder(graph):
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    dataset = tf.data.Dataset.from_tensor_slices((x, np.arange(7))).batch(3)
    assert dataset.output_shapes == (tf.TensorShape([None, 2]), tf.TensorShape([None]))
    images, labels = tf.data.make_one_shot_iterator(dataset).get_next()
    assert images.shape.as_list() == [None, 2] and labels.shape.as_list() == [None]
    got = drain((images, labels))
    assert [g[0].shape for g in got] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([g[0] for g in got]), x)
    assert [g[1].tolist() for g in got] == [[0, 1, 2], [3, 4, 5], [6]]
    dropped = tf.data.Dataset.from_tensor_slices(x).batch(3, drop_remainder=True)
    assert dropped.output_shapes.as_list() == [3, 2]
    assert [b.shape for b in elements(dropped)] == [(3, 2), (3, 2)]
    nested = tf.data.Dataset.range(5).batch(2).batch(2)
    assert nested.output_shapes.as_list() == [None, None]
    assert [b.tolist() for b in elements(nested)] == [[[0, 1], [2, 3]], [[4]]]
    with pytest.raises(ValueError, match="greater than zero"):
        tf.data.Dataset.range(5).batch(0)


def test_batch_of_dicts_and_batch_size_placeholder(graph):
    dataset = tf.data.Dataset.from_tensor_slices({"x": np.arange(5.0), "y": np.arange(5)})
    size = tf.placeholder(tf.int64, [])
    iterator = dataset.batch(size).make_initializable_iterator()
    batch = iterator.get_next()
    assert batch["x"].shape.as_list() == [None]
    with tf.Session() as sess:
        sess.run(iterator.initializer, {size: 2})
        assert [b["y"].tolist() for b in drain(batch, sess)] == [[0, 1], [2, 3], [4]]
        sess.run(iterator.initializer, {size: 4})
        assert [b["y"].tolist() for b in drain(batch, sess)] == [[0, 1, 2, 3], [4]]
        sess.run(iterator.initializer, {size: 0})
        with pytest.raises(errors.InvalidArgumentError, match="Batch size must be greater than zero"):
            sess.run(batch)


def test_batching_elements_of_different_shapes_fails(graph):
    ragged = tf.data.Dataset.range(1, 4).map(lambda n: tf.range(n))
    assert ragged.output_shapes.as_list() == [None]
    nxt = tf.data.make_one_shot_iterator(ragged.batch(3)).get_next()
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Cannot batch tensors with different shapes in "
                                                              "component 0") as info:
            sess.run(nxt)
        assert "IteratorGetNext" in str(info.value)   # the error names the op, and the line that made it


def test_repeat(graph):
    assert elements(tf.data.Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert elements(tf.data.Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert elements(tf.data.Dataset.range(3).repeat(-1).skip(4).take(2)) == [1, 2]
    assert elements(tf.data.Dataset.range(0).repeat()) == []   # repeating nothing ends instead of hanging
    assert elements(tf.data.Dataset.range(3).repeat(0)) == []
    assert [b.tolist() for b in elements(tf.data.Dataset.range(3).repeat(2).batch(4))] == [[0, 1, 2, 0], [1, 2]]


# ------------------------------------------------------------------------------------------ map

def test_map_unpacks_tuples_and_builds_the_function_once(graph):
    calls = []

    def scale(x, y):
        calls.append(1)
        return x * 2.0, y + 1

    dataset = tf.data.Dataset.from_tensor_slices((np.arange(4, dtype=np.float32), np.arange(4))).map(scale)
    assert dataset.output_types == (tf.float32, tf.int64)
    got = elements(dataset)
    assert [tuple(g) for g in got] == [(0.0, 1), (2.0, 2), (4.0, 3), (6.0, 4)]
    assert len(calls) == 1   # traced once into a graph function, run per element


def test_map_single_dict_and_list_results(graph):
    squares = tf.data.Dataset.range(4).map(lambda i: i * i)
    assert elements(squares) == [0, 1, 4, 9]
    d = tf.data.Dataset.from_tensor_slices({"a": np.arange(3.0), "b": np.ones(3)}).map(lambda e: e["a"] + e["b"])
    assert elements(d) == [1.0, 2.0, 3.0]
    pairs = tf.data.Dataset.range(3).map(lambda i: [i, tf.cast(i, tf.float32) / 2])   # a list means a tuple
    assert pairs.output_types == (tf.int64, tf.float32)
    assert [tuple(p) for p in elements(pairs)] == [(0, 0.0), (1, 0.5), (2, 1.0)]
    reshaped = tf.data.Dataset.from_tensor_slices(np.arange(8.0).reshape(2, 4)).map(lambda r: tf.reshape(r, [2, 2]))
    assert reshaped.output_shapes.as_list() == [2, 2] and elements(reshaped)[1].tolist() == [[4, 5], [6, 7]]
    with pytest.raises(ValueError, match="must return a value"):
        tf.data.Dataset.range(3).map(lambda i: None)


def test_map_captures_outer_tensors_and_variables(graph):
    offset = tf.constant(100, tf.int64)
    assert elements(tf.data.Dataset.range(3).map(lambda i: i + offset)) == [100, 101, 102]
    scale = tf.Variable(2.0)
    iterator = tf.data.Dataset.from_tensor_slices(np.ones(3, np.float32)).map(lambda x: x * scale) \
        .make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(iterator.initializer)
        assert sess.run(nxt) == 2.0
        sess.run(scale.assign(5.0))   # a variable is read when the function runs, not when the pass starts
        assert sess.run(nxt) == 5.0


def test_map_with_a_random_op_draws_per_element(graph):
    noisy = tf.data.Dataset.range(5).map(lambda i: tf.cast(i, tf.float32) + tf.random_uniform([], seed=1))
    first = elements(noisy)
    noise = [v - i for i, v in enumerate(first)]
    assert len(set(noise)) == 5 and all(0 <= n < 1 for n in noise)
    assert elements(noisy) == first   # seeded: reproducible in a new session


def test_map_runtime_error_names_the_op(graph):
    bad = tf.data.Dataset.range(3).map(lambda n: tf.reshape(tf.range(n), [2]))   # fine for n = 2 only
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Reshape") as info:
            sess.run(tf.data.make_one_shot_iterator(bad).get_next())
        assert "test_data.py" in str(info.value)   # the line of the map function that built the failing op


# ------------------------------------------------------------------------------------------ iterators

def test_out_of_range_loop_and_it_stays_exhausted(graph):
    nxt = tf.data.make_one_shot_iterator(tf.data.Dataset.range(3)).get_next()
    with tf.Session() as sess:
        assert drain(nxt, sess) == [0, 1, 2]
        with pytest.raises(errors.OutOfRangeError, match="End of sequence"):
            sess.run(nxt)
    with tf.Session() as fresh:   # a one-shot iterator's state is per session
        assert drain(nxt, fresh) == [0, 1, 2]


def test_one_shot_iterator_has_no_initializer_and_refuses_placeholders(graph):
    iterator = tf.data.Dataset.range(3).make_one_shot_iterator()
    with pytest.raises(ValueError, match="does not have an initializer"):
        iterator.initializer
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="Cannot capture a placeholder"):
        tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(x))
    with pytest.raises(ValueError, match="placeholder"):
        tf.data.make_one_shot_iterator(tf.data.Dataset.range(3).map(lambda i: i + tf.cast(x[0], tf.int64)))


def test_initializable_iterator_fed_by_placeholders_and_restarted(graph):
    features = tf.placeholder(tf.float32, [None, 2])
    labels = tf.placeholder(tf.int64, [None])
    iterator = tf.data.Dataset.from_tensor_slices((features, labels)).make_initializable_iterator()
    x, y = iterator.get_next()
    assert x.shape.as_list() == [2]
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError, match="GetNext\\(\\) failed because the iterator has "
                                                                 "not been initialized"):
            sess.run(x)
        sess.run(iterator.initializer, {features: data, labels: [7, 8, 9]})
        assert sess.run(y) == 7
        data[1] = -1   # the pass took a copy when it started
        assert sess.run(x).tolist() == [2.0, 3.0]
        sess.run(iterator.initializer, {features: data[:2], labels: [1, 2]})   # restart, with new data
        assert [tuple(v.tolist()) for v, _ in drain((x, y), sess)] == [(0.0, 1.0), (-1.0, -1.0)]
        sess.run(iterator.initializer, {features: data, labels: [1, 2]})
        with pytest.raises(errors.InvalidArgumentError, match="Dimensions 2 and 3 are not compatible"):
            sess.run(x)
        with pytest.raises(errors.InvalidArgumentError, match="must feed a value for placeholder"):
            sess.run(iterator.initializer)


def test_range_with_a_placeholder_bound(graph):
    max_value = tf.placeholder(tf.int64, shape=[])   # the TF1 programmer's guide example
    iterator = tf.data.Dataset.range(max_value).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, feed_dict={max_value: 10})
        assert drain(nxt, sess) == list(range(10))
        sess.run(iterator.initializer, feed_dict={max_value: 3})
        assert drain(nxt, sess) == [0, 1, 2]


def test_reinitializable_iterator_from_structure(graph):
    train = tf.data.Dataset.from_tensor_slices((np.zeros((5, 3), np.float32), np.arange(5))).batch(2)
    val = tf.data.Dataset.from_tensor_slices((np.ones((3, 3), np.float32), np.arange(3) + 10)).batch(2)
    iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    assert iterator.output_shapes == (tf.TensorShape([None, 3]), tf.TensorShape([None]))
    train_init, val_init = iterator.make_initializer(train), iterator.make_initializer(val)
    images, labels = iterator.get_next()
    with tf.Session() as sess:
        sess.run(train_init)
        assert [b.tolist() for _, b in drain((images, labels), sess)] == [[0, 1], [2, 3], [4]]
        sess.run(val_init)
        assert [b.tolist() for _, b in drain((images, labels), sess)] == [[10, 11], [12]]
    loose = tf.data.Iterator.from_structure((tf.float32, tf.int64), ([None, None], [None]))
    loose.make_initializer(train)   # partial shapes accept any compatible dataset
    with pytest.raises(TypeError, match="Expected output types"):
        iterator.make_initializer(tf.data.Dataset.range(3))
    with pytest.raises(TypeError, match="Expected output shapes compatible"):
        iterator.make_initializer(tf.data.Dataset.from_tensor_slices((np.zeros((5, 4), np.float32),
                                                                       np.arange(5))).batch(2))


def test_iterator_belongs_to_the_dataset_graph_and_datasets_do_not_iterate(graph):
    dataset = tf.data.Dataset.range(3)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="same `with graph.as_default"):
            tf.data.make_one_shot_iterator(dataset)
        with pytest.raises(ValueError, match="same graph"):
            tf.data.Dataset.zip((dataset, tf.data.Dataset.range(2)))
    with pytest.raises(RuntimeError, match="only supported when eager execution"):
        iter(dataset)


def test_two_get_next_ops_share_one_position_and_prefetch_is_accepted(graph):
    iterator = tf.data.Dataset.range(6).prefetch(tf.data.experimental.AUTOTUNE).make_one_shot_iterator()
    a, b = iterator.get_next(), iterator.get_next()
    assert tf.data.get_output_types(tf.data.Dataset.range(1)) == tf.int64
    with tf.Session() as sess:
        assert sorted(sess.run([a, b])) == [0, 1]   # one run, two ops: two elements
        assert sess.run(a) == 2 and sess.run(b) == 3


def test_an_iterator_feeds_a_training_loop(graph):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    true_w = np.array([[1.0], [-2.0], [0.5]], np.float32)
    y = x @ true_w + 0.3
    tf.set_random_seed(0)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16).repeat(30)
    features, targets = tf.data.make_one_shot_iterator(dataset).get_next()
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(features, w) + b - targets))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    steps, losses = 0, []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        while True:
            try:
                losses.append(sess.run([train, loss])[1])
                steps += 1
            except tf.errors.OutOfRangeError:
                break
        assert steps == 4 * 30   # 64 samples / 16 per batch, 30 epochs
        assert losses[-1] < 1e-3 < losses[0]
        np.testing.assert_allclose(sess.run(w), true_w, atol=0.02)


def test_batches_of_string_elements_are_string_tensors():
    words, labels = np.array(["a", "bb", "ccc"]), np.array([0, 1, 2])
    batch = tf.data.Dataset.from_tensor_slices((words, labels)).batch(2).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        first, second = sess.run(batch), sess.run(batch)
    assert first[0].tolist() == [b"a", b"bb"] and first[1].tolist() == [0, 1]
    assert second[0].tolist() == [b"ccc"] and second[1].tolist() == [2]


def test_get_next_inside_a_cond_branch_or_a_loop_body_runs_with_it():
    """TF1's control-flow contexts make an op made in a branch run only when it is taken, and one made in a loop
    body once per iteration: the train/validation switch reads only the dataset of the branch taken (minidl read
    both on every run, so the short validation set ran out), and a loop reads an element per iteration."""
    train = tf.data.Dataset.range(100).make_one_shot_iterator()
    validation = tf.data.Dataset.range(1000, 1002).make_one_shot_iterator()
    training = tf.placeholder(tf.bool, [])
    batch = tf.cond(training, train.get_next, validation.get_next)
    picked = tf.placeholder(tf.bool, [])
    counter = tf.data.Dataset.range(10).make_one_shot_iterator()
    maybe = tf.cond(picked, counter.get_next, lambda: tf.constant(-1, tf.int64))
    summed = tf.data.Dataset.range(10).make_one_shot_iterator()
    total = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + summed.get_next()),
                          (tf.constant(0), tf.constant(0, tf.int64)))[1]
    handle = tf.placeholder(tf.string, [])
    feedable = tf.data.Iterator.from_string_handle(handle, tf.int64, [])
    fed = tf.cond(picked, feedable.get_next, lambda: tf.constant(-1, tf.int64))
    source = tf.data.Dataset.range(5).make_one_shot_iterator()
    with tf.Session() as sess:
        assert [sess.run(batch, {training: True}) for _ in range(4)] == [0, 1, 2, 3]
        assert [sess.run(maybe, {picked: p}) for p in (False, False, True)] == [-1, -1, 0]
        assert [sess.run(total), sess.run(total)] == [0 + 1 + 2, 3 + 4 + 5]
        name = sess.run(source.string_handle())
        assert [sess.run(fed, {handle: name, picked: p}) for p in (False, True, True)] == [-1, 0, 1]
