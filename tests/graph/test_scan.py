"""``tf.scan``, ``tf.foldl``, ``tf.foldr``: values (against Python loops), nests, static shapes, run-time lengths,
gradients against float64 central differences, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

X = np.array([1.0, 2.0, 3.0, 4.0], np.float32)


def python_scan(fn, xs, a, reverse=False):
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    out = [None] * len(xs)
    for i in order:
        a = out[i] = fn(a, xs[i])
    return np.array(out)


def test_scan_values():
    x = tf.constant(X)
    got = run([tf.scan(lambda a, e: a + e, x), tf.scan(lambda a, e: a - e, x, reverse=True),
               tf.scan(lambda a, e: 2 * a + e, x, initializer=tf.constant(1.0)),
               tf.scan(lambda a, e: a * e, x, initializer=tf.constant(1.0), reverse=True)])
    np.testing.assert_array_equal(got[0], np.cumsum(X))
    np.testing.assert_array_equal(got[1], [4 - 3 - 2 - 1, 4 - 3 - 2, 4 - 3, 4])     # from the last, in elems' order
    np.testing.assert_array_equal(got[2], python_scan(lambda a, e: 2 * a + e, X, 1.0))
    np.testing.assert_array_equal(got[3], python_scan(lambda a, e: a * e, X, 1.0, reverse=True))


def test_folds():
    x = tf.constant(X)
    got = run([tf.foldl(lambda a, e: a - e, x), tf.foldr(lambda a, e: a - e, x),
               tf.foldl(lambda a, e: a * 10 + e, x, initializer=tf.constant(0.0)),
               tf.foldr(lambda a, e: a * 10 + e, x, initializer=tf.constant(0.0))])
    assert got == [1 - 2 - 3 - 4, 4 - 3 - 2 - 1, 1234, 4321]


def test_nests_of_elements_and_accumulators():
    x = tf.constant(X)
    pairs = tf.scan(lambda a, e: (a[0] + e[0], a[1] * e[1]), (x, 2 * x))
    total, product = run(pairs)
    np.testing.assert_array_equal(total, np.cumsum(X))
    np.testing.assert_array_equal(product, np.cumprod(2 * X))
    counted = tf.scan(lambda a, e: {"sum": a["sum"] + e, "n": a["n"] + 1}, x,
                      initializer={"sum": tf.constant(0.0), "n": tf.constant(0)})
    got = run(counted)
    np.testing.assert_array_equal(got["n"], [1, 2, 3, 4])
    assert counted["n"].dtype == tf.int32
    mean = tf.foldl(lambda a, e: (a[0] + e[0], a[1] + 1.0), [x], initializer=(tf.constant(0.0), tf.constant(0.0)))
    assert run(mean[0] / mean[1]) == 2.5


def test_static_shapes_and_lengths_known_at_run_time():
    x = tf.placeholder(tf.float32, [None, 2])
    rows = tf.scan(lambda a, e: a + e, x)
    assert rows.shape.as_list() == [None, 2]
    values = np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_array_equal(run(rows, {x: values}), np.cumsum(values, 0))
    assert tf.scan(lambda a, e: a + e, tf.zeros([5, 3])).shape == (5, 3)
    outer = tf.scan(lambda a, e: a + tf.reduce_sum(e), tf.zeros([5, 3]), initializer=tf.constant(0.0))
    assert outer.shape == (5,)
    empty = tf.scan(lambda a, e: a + e, x, initializer=tf.zeros([2]))
    assert run(empty, {x: np.zeros((0, 2), np.float32)}).shape == (0, 2)


def test_gradients():
    def scanned(v, a0, w):
        return tf.scan(lambda a, e: tf.sin(a) * w + e, v, initializer=a0)
    rng = np.random.default_rng(0)
    check_gradients(scanned, rng.standard_normal((5, 2)), rng.standard_normal(2), rng.standard_normal(2))
    check_gradients(lambda v: tf.scan(lambda a, e: a * e, v, reverse=True), rng.standard_normal(4))
    check_gradients(lambda v, w: tf.foldl(lambda a, e: tf.tanh(a * w + e[0] * e[1]), (v, v * v),
                                          initializer=tf.zeros([3], tf.float64)),
                    rng.standard_normal((4, 3)), rng.standard_normal(3))
    check_gradients(lambda v: tf.foldr(lambda a, e: a * 2.0 + tf.exp(e), v), rng.standard_normal(3))


def test_training_through_a_fold():
    w = tf.Variable(1.0, dtype=tf.float64)
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    loss = tf.foldl(lambda a, e: a + (w * e) ** 2, x, initializer=tf.constant(0.0, tf.float64))   # 14 w²
    step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        assert sess.run(w) == pytest.approx(1.0 - 0.01 * 28.0)


def test_back_prop_false_stops_the_gradient():
    x = tf.constant(X)
    assert tf.gradients(tf.scan(lambda a, e: a * e, x, back_prop=False), x) == [None]


def test_errors():
    x = tf.constant(X)
    with pytest.raises(TypeError, match="fn must be callable"):
        tf.scan(1, x)
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.foldl(lambda a, e: a + e, tf.constant(1.0))
    with pytest.raises(ValueError, match="same first dimension"):
        tf.scan(lambda a, e: a, (x, tf.zeros([3])))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.scan(lambda a, e: (a, e), x)
    with pytest.raises(TypeError, match="fn returned a int32 tensor for an accumulator of dtype float32"):
        tf.foldl(lambda a, e: tf.cast(e, tf.int32), x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to read from index 0 but array size is: 0"):
        run(tf.foldl(lambda a, e: a + e, tf.zeros([0])))   # no first element to start from
