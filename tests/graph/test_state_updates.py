"""``tf.scatter_update`` / ``_add`` / ``_sub`` / ``_mul`` / ``_div`` / ``_max`` / ``_min`` and ``tf.scatter_nd_*``:
in-place sparse updates of a variable — values against numpy (repeated indices combine), the returned value, the
state they leave, names, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

V0 = np.arange(15, dtype=np.float32).reshape(5, 3) + 1


def _session_with(variable):
    sess = tf.Session()
    sess.run(variable.initializer)
    return sess


@pytest.mark.parametrize("fn, combine", [
    (tf.scatter_add, np.add.at), (tf.scatter_sub, np.subtract.at), (tf.scatter_mul, np.multiply.at),
    (tf.scatter_div, np.divide.at), (tf.scatter_max, np.maximum.at), (tf.scatter_min, np.minimum.at)])
def test_row_scatters_combine_repeated_indices(fn, combine):
    v = tf.Variable(V0)
    index = np.array([[4, 0], [4, 2]])                  # any index rank; row 4 named twice
    updates = np.random.default_rng(0).uniform(0.5, 20, (2, 2, 3)).astype(np.float32)
    out = fn(v, index, updates)
    assert out.shape == (5, 3) and out.dtype == tf.float32
    expected = V0.copy()
    combine(expected, index, updates)
    with _session_with(v) as sess:
        np.testing.assert_allclose(sess.run(out), expected, rtol=1e-6)
        np.testing.assert_allclose(sess.run(v), expected, rtol=1e-6)     # the variable keeps the new value
        sess.run(out)                                                   # each run updates again
        combine(expected, index, updates)
        np.testing.assert_allclose(sess.run(v), expected, rtol=1e-5)


def test_scatter_update_and_scalar_updates():
    v = tf.Variable(V0)
    with _session_with(v) as sess:
        got = sess.run(tf.scatter_update(v, [3, 1], [[-1.0, -2.0, -3.0], [7.0, 8.0, 9.0]]))
        expected = V0.copy()
        expected[3], expected[1] = [-1, -2, -3], [7, 8, 9]
        np.testing.assert_array_equal(got, expected)
        expected[[0, 2]] = 0
        np.testing.assert_array_equal(sess.run(tf.scatter_update(v, tf.constant([0, 2], tf.int64), 0.0)), expected)
        expected[4] += 1
        np.testing.assert_array_equal(sess.run(tf.scatter_add(v, 4, tf.ones([3]))), expected)   # a 0-d index


def test_integer_division_truncates_toward_zero():
    v = tf.Variable([10, -7, 9])
    with _session_with(v) as sess:
        np.testing.assert_array_equal(sess.run(tf.scatter_div(v, [0, 1, 1], [3, 2, 2])), [3, -1, 9])


def test_scatter_nd_variants():
    v = tf.Variable(V0)
    with _session_with(v) as sess:
        expected = V0.copy()
        expected[0, 1], expected[4, 2] = -5, -6
        np.testing.assert_array_equal(sess.run(tf.scatter_nd_update(v, [[0, 1], [4, 2]], [-5.0, -6.0])), expected)
        expected[2] += 2                                                     # a whole row named twice
        np.testing.assert_array_equal(sess.run(tf.scatter_nd_add(v, [[2], [2]], tf.ones([2, 3]))), expected)
        expected[1, 1] -= 3
        np.testing.assert_array_equal(sess.run(tf.scatter_nd_sub(v, [[1, 1]], [3.0])), expected)


def test_two_scatters_in_one_run_both_land_and_reads_follow_control_dependencies():
    v = tf.Variable(V0)
    both = tf.group(tf.scatter_add(v, [0], [[1.0, 1.0, 1.0]]), tf.scatter_add(v, [0], [[10.0, 10.0, 10.0]]))
    with tf.control_dependencies([tf.scatter_mul(v, [1], [[2.0, 2.0, 2.0]])]):
        after = v.read_value()
    with _session_with(v) as sess:
        sess.run(both)
        np.testing.assert_array_equal(sess.run(v)[0], V0[0] + 11)
        np.testing.assert_array_equal(sess.run(after)[1], V0[1] * 2)


def test_names_and_no_gradient():
    v = tf.Variable(V0, name="table")
    u = tf.placeholder(tf.float32, [1, 3])
    out = tf.scatter_add(v, [0], u)
    assert out.op.name == "ScatterAdd" and out.op.type == "ScatterUpdate"
    assert tf.scatter_min(v, [0], u, name="lowest").name == "lowest:0"
    assert tf.scatter_nd_update(v, [[0]], u).op.name == "ScatterNdUpdate"
    assert tf.gradients(out, [u, v]) == [None, None]                       # state updates have no gradient (TF's)


def test_errors():
    v = tf.Variable(V0)
    with _session_with(v) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7 is not in \[0, 5\)"):
            sess.run(tf.scatter_add(v, [0, 7], tf.ones([2, 3])))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 5\)"):
            sess.run(tf.scatter_update(v, [-1], tf.ones([1, 3])))
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into param shape"):
            sess.run(tf.scatter_nd_update(v, [[5, 0]], [1.0]))
        np.testing.assert_array_equal(sess.run(v), V0)                     # a failed update changes nothing
    with tf.Session() as fresh, pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
        fresh.run(tf.scatter_add(v, [0], tf.ones([1, 3])))
    with pytest.raises(TypeError, match="requires that input 'ref' be a mutable tensor"):
        tf.scatter_add(tf.constant(V0), [0], tf.ones([1, 3]))
    with pytest.raises(TypeError, match="float64 that does not match type float32"):
        tf.scatter_add(v, [0], tf.ones([1, 3], tf.float64))
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: int32, int64"):
        tf.scatter_add(v, [0.0], tf.ones([1, 3]))
    with pytest.raises(ValueError, match=r"must have indices.shape \+ ref.shape\[1:\] = \[2,3\]"):
        tf.scatter_add(v, [0, 1], tf.ones([2, 2]))
    with pytest.raises(ValueError, match=r"indices.shape\[:-1\] \+ ref.shape\[indices.shape\[-1\]:\] = \[1\]"):
        tf.scatter_nd_update(v, [[0, 1]], tf.ones([1, 3]))
    with pytest.raises(ValueError, match="must be at most the rank of ref"):
        tf.scatter_nd_update(v, [[0, 1, 2]], [1.0])
