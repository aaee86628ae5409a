"""What session 23's sweep of TF1 programs on graph mode found, fixed: numpy functions given a symbolic tensor,
ragged Python lists, missing TF1 names, a reshape to two -1 dims, and conv messages in the internal layout."""
import time

import numpy as np
import pytest

import minidl.graph as tf


# ---------------------------------------------------------------------------------------- numpy on tensors

@pytest.mark.parametrize("fn", [np.mean, np.sum, np.array, np.asarray, np.exp, lambda t: np.concatenate([t, t])])
def test_numpy_refuses_a_symbolic_tensor_with_tf_words(fn):
    with tf.Graph().as_default():
        c = tf.constant([1.0, 2.0])
        with pytest.raises(NotImplementedError, match=r"Cannot convert a symbolic Tensor \(Const:0\) to a numpy "
                                                      r"array\."):
            fn(c)


def test_numpy_operands_still_give_way_to_tensors():
    """The tensor's operators run, not numpy's: a numpy scalar or array beside a tensor gives a tensor."""
    with tf.Graph().as_default():
        c = tf.constant([1.0, 2.0])
        results = [np.float32(2) * c, np.float64(1) + c, np.ones(2, np.float32) - c, np.ones(2, np.float32) < c,
                   np.int32(2) ** tf.constant([1, 2])]
        assert all(isinstance(r, tf.Tensor) for r in results)
        with tf.Session() as sess:
            values = sess.run(results)
        for value, expected in zip(values, [[2, 4], [2, 3], [0, -1], [False, True], [2, 4]]):
            np.testing.assert_array_equal(value, expected)


# ------------------------------------------------------------------------------------------- ragged lists

RAGGED = [[1, 2], [3]]


@pytest.mark.parametrize("make", [
    lambda: tf.constant(RAGGED),
    lambda: tf.constant(RAGGED, dtype=tf.float32),
    lambda: tf.convert_to_tensor(RAGGED),
    lambda: tf.Variable(RAGGED),
    lambda: tf.data.Dataset.from_tensor_slices(RAGGED),
    lambda: tf.constant([1.0, 2.0]) + RAGGED,
    lambda: tf.constant([np.ones(2), np.ones(3)]),
], ids=["constant", "constant_dtype", "convert_to_tensor", "Variable", "from_tensor_slices", "operand", "arrays"])
def test_ragged_lists_are_a_clear_value_error(make):
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Can't convert non-rectangular Python sequence to Tensor"):
            make()


def test_ragged_feed_names_the_placeholder():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, None], name="rows")
        with tf.Session() as sess:
            with pytest.raises(ValueError, match=r"non-rectangular Python sequence to Tensor \(the feed of rows:0\)"):
                sess.run(p, {p: RAGGED})
            np.testing.assert_array_equal(sess.run(p, {p: [[1, 2], [3, 4]]}), [[1, 2], [3, 4]])


def test_other_conversion_errors_are_unchanged():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="Expected int32"):
            tf.constant([[1.5, 2.0], [3.0, 4.0]], dtype=tf.int32)
        assert tf.constant([[1, 2], [3, 4]]).shape.as_list() == [2, 2]


# -------------------------------------------------------------------------------------------- TF1 names

def test_scalar_mul_scales_tensors_and_indexed_slices():
    with tf.Graph().as_default():
        x = tf.constant([[1.0, -2.0], [3.0, 4.0]])
        scaled = tf.scalar_mul(3, x)
        assert tf.math.scalar_mul is tf.scalar_mul and scaled.dtype == tf.float32
        slices = tf.scalar_mul(tf.constant(2.0), tf.IndexedSlices(x, tf.constant([0, 2]), tf.constant([3, 2])))
        assert isinstance(slices, tf.IndexedSlices)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(scaled), [[3, -6], [9, 12]])
            np.testing.assert_array_equal(sess.run(slices.values), [[2, -4], [6, 8]])
            np.testing.assert_array_equal(sess.run(slices.indices), [0, 2])
        with pytest.raises(ValueError, match="Only scalar multiply works"):
            tf.scalar_mul([1.0, 2.0], x)
        with pytest.raises(TypeError):
            tf.scalar_mul(2.5, tf.constant([1, 2]))


def test_floor_div_is_floordiv():
    with tf.Graph().as_default():
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(tf.floor_div(tf.constant([-7, 7]), 2)), [-4, 3])


def test_no_regularizer_exempts_a_variable_from_its_scopes_regularizer():
    with tf.Graph().as_default():
        assert tf.no_regularizer(tf.constant(1.0)) is None
        with tf.variable_scope("s", regularizer=lambda w: tf.reduce_sum(tf.square(w))):
            tf.get_variable("regularized", [2])
            tf.get_variable("free", [2], regularizer=tf.no_regularizer)
        assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_reduce_euclidean_norm_and_its_gradient():
    start = np.array([[3.0, -4.0, 1.0], [0.5, 2.0, -2.0]])
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3])
        norms = {axis: tf.reduce_euclidean_norm(x, axis, keepdims=axis == 1) for axis in (None, 0, 1)}
        assert tf.math.reduce_euclidean_norm is tf.reduce_euclidean_norm
        assert norms[1].shape.as_list() == [2, 1] and norms[0].shape.as_list() == [3]
        grad = tf.gradients(norms[None], x)[0]
        with tf.Session() as sess:
            values, dx = sess.run((norms, grad), {x: start})
            theoretical, numeric = tf.test.compute_gradient(x, [2, 3], norms[1], [2, 1], x_init_value=start,
                                                            delta=1e-6)
        np.testing.assert_allclose(values[None], np.sqrt((start ** 2).sum()))
        np.testing.assert_allclose(values[0], np.sqrt((start ** 2).sum(0)))
        np.testing.assert_allclose(values[1], np.sqrt((start ** 2).sum(1, keepdims=True)))
        np.testing.assert_allclose(dx, start / np.sqrt((start ** 2).sum()))  # d|x|/dx = x / |x|
        np.testing.assert_allclose(theoretical, numeric, rtol=1e-6, atol=1e-8)


def test_get_seed_gives_the_pair_random_ops_use():
    with tf.Graph().as_default():
        assert tf.get_seed(None) == (None, None)
        graph_seed, op_seed = tf.get_seed(5)
        assert op_seed == 5 and isinstance(graph_seed, int)  # TF's default graph seed beside an op seed
        assert tf.random.get_seed is tf.get_seed
    with tf.Graph().as_default():
        tf.set_random_seed(42)
        first, second = tf.get_seed(None), tf.get_seed(None)
        assert first[0] == second[0] == 42 and first[1] != second[1]
        assert tf.get_seed(7) == (42, 7)
    with tf.Graph().as_default():
        tf.set_random_seed(42)
        assert tf.get_seed(None) == first  # the same program gives the same seeds


def test_bitcast_reinterprets_bytes():
    values = np.array([1.0, -2.5, 0.0], np.float32)
    with tf.Graph().as_default():
        same = tf.bitcast(tf.constant(values), tf.int32)
        smaller = tf.bitcast(tf.constant(values), tf.uint8)
        larger = tf.bitcast(smaller, tf.float32)
        p = tf.placeholder(tf.int16, [None, None])
        unknown = tf.bitcast(p, tf.int32)
        assert same.shape.as_list() == [3] and same.dtype == tf.int32
        assert smaller.shape.as_list() == [3, 4] and larger.shape.as_list() == [3]
        assert unknown.shape.as_list() == [None]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(same), values.view(np.int32))
            np.testing.assert_array_equal(sess.run(smaller), values.view(np.uint8).reshape(3, 4))
            np.testing.assert_array_equal(sess.run(larger), values)
            pairs = np.array([[1, 2], [3, 4]], np.int16)
            np.testing.assert_array_equal(sess.run(unknown, {p: pairs}), pairs.view(np.int32).reshape(2))
            with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot bitcast due to shape. 3 does not match 2"):
                sess.run(unknown, {p: np.ones((2, 3), np.int16)})
        with pytest.raises(ValueError, match="Cannot bitcast due to shape. 3 does not match 2"):
            tf.bitcast(tf.constant(values), tf.float64)
        with pytest.raises(TypeError, match="numeric"):
            tf.bitcast(tf.constant([True]), tf.uint8)


def test_timestamp_is_read_on_every_run():
    with tf.Graph().as_default():
        stamp = tf.timestamp()
        assert stamp.dtype == tf.float64 and stamp.shape.as_list() == []
        with tf.Session() as sess:
            before = time.time()
            first = sess.run(stamp)
            time.sleep(0.01)
            second = sess.run(stamp)
            after = time.time()
        assert before <= first < second <= after


# ------------------------------------------------------------------------------------------------ reshape

@pytest.mark.parametrize("shape", [[-1, -1], (-1, 2, -1), "constant", "stacked"])
@pytest.mark.parametrize("known", [[4], [None], None], ids=["static", "batch", "unknown_rank"])
def test_reshape_to_two_inferred_dims_fails_while_building(shape, known):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, known)
        if shape == "constant":
            shape = tf.constant([-1, -1])
        elif shape == "stacked":
            shape = [tf.constant(-1), -1]
        with pytest.raises(ValueError, match="Only one input size may be -1, not both 0 and"):
            tf.reshape(x, shape)


def test_reshape_with_one_inferred_dim_still_builds():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6])
        assert tf.reshape(x, [-1, 3]).shape.as_list() == [None, 3]
        assert tf.reshape(x, [tf.shape(x)[0], -1]).shape.as_list() == [None, None]


# ------------------------------------------------------------------------------------------- conv messages

def test_conv_messages_show_the_shapes_in_the_users_layout():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"input shape \[1,2,2,3\] \(NHWC\)"):
            tf.nn.conv2d(tf.ones([1, 2, 2, 3]), tf.ones([3, 3, 3, 4]), [1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError, match=r"input shape \[1,3,2,2\] \(NCHW\)"):
            tf.nn.conv2d(tf.ones([1, 3, 2, 2]), tf.ones([3, 3, 3, 4]), [1, 1, 1, 1], "VALID", data_format="NCHW")
        with pytest.raises(ValueError, match=r"input shape \[1,2,2,2,3\] \(NDHWC\)"):
            tf.nn.conv3d(tf.ones([1, 2, 2, 2, 3]), tf.ones([3, 3, 3, 3, 4]), [1] * 5, "VALID")
        with pytest.raises(ValueError, match=r"input shape \[1,2,2,3\] \(NHWC\)"):
            tf.nn.max_pool(tf.ones([1, 2, 2, 3]), [1, 3, 3, 1], [1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError, match=r"input \[1,4,4,3\], out_backprop \[1,2,2,4\], NHWC"):
            tf.nn.conv2d_backprop_filter(tf.ones([1, 4, 4, 3]), [3, 3, 2, 4], tf.ones([1, 2, 2, 4]), [1, 1, 1, 1],
                                         "VALID")


def test_an_unknown_dim_is_none_and_the_way_to_read_any_dim_is_named():
    x = tf.placeholder(tf.float32, [None, 784])
    assert x.shape[0] is None and x.shape[-1].value == 784
    assert tf.compat.dimension_value(x.shape[0]) is None and x.shape.as_list() == [None, 784]
    with pytest.raises(TypeError, match=r"unknown dimension is None itself here.*tf.compat.dimension_value"):
        tf.Dimension(None)


def test_split_sizes_fed_at_run_time_must_add_up():
    n = tf.placeholder(tf.int32, [])
    pieces = tf.split(tf.range(5), [n, 2])
    with tf.Session() as sess:
        assert [p.tolist() for p in sess.run(pieces, {n: 3})] == [[0, 1, 2], [3, 4]]
        for wrong in (4, 1, -2):  # (a fed -1 means "the rest", as a written one does)
            with pytest.raises(tf.errors.InvalidArgumentError, match="Determined shape must either match"):
                sess.run(pieces, {n: wrong})
        rest = tf.split(tf.range(5), [n, -1])
        assert [p.tolist() for p in sess.run(rest, {n: 2})] == [[0, 1], [2, 3, 4]]


def test_range_with_its_limit_on_the_wrong_side_is_an_error():
    with pytest.raises(ValueError, match="Requires start >= limit when delta < 0: 0/10"):
        tf.range(0, 10, -1)
    m = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        assert sess.run(tf.range(m), {m: 3}).tolist() == [0, 1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 0/-3"):
            sess.run(tf.range(m), {m: -3})
    with pytest.raises(ValueError, match="LinSpace: Requires num > 0"):
        tf.linspace(0.0, 1.0, -1)


def test_wrong_kinds_of_arguments_are_named():
    with pytest.raises(TypeError, match="invalid dtype: 'foo'"):
        tf.placeholder("foo", [2])
    x = tf.Variable(1.0)
    with pytest.raises(TypeError, match="Argument is not a tf.Variable: 1"):
        tf.train.GradientDescentOptimizer(0.1).minimize(x * x, var_list=[1])
