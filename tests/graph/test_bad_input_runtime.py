"""Bad input to graph-mode functions gets TF1's error, never a wrong answer or a crash deep in numpy: what the graph
knows while it is built is a ValueError (or TypeError) then; what only a fed value shows is an InvalidArgumentError
from ``Session.run`` naming the op. Each check also runs the correct input, which must still give the right value."""
import re

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

F32 = tf.float32


def _squeeze():
    x = tf.placeholder(F32, [None, 3])
    return tf.squeeze(x, axis=0), x, np.ones((2, 3)), np.ones((1, 3)), np.ones(3)


def _top_k():
    x = tf.placeholder(F32, [None, None])
    return tf.nn.top_k(x, k=2).values, x, np.ones((2, 1)), [[1.0, 3.0, 2.0]], [[3.0, 2.0]]


def _bias_add_short_bias():
    b = tf.placeholder(F32, [None])
    return tf.nn.bias_add(tf.ones([2, 3]), b), b, [1.0], [1.0, 2.0, 3.0], [[2.0, 3.0, 4.0]] * 2


def _bias_add_narrow_value():
    v = tf.placeholder(F32, [None, None])
    return tf.nn.bias_add(v, [1.0, 2.0, 3.0]), v, np.ones((2, 1)), np.ones((1, 3)), [[2.0, 3.0, 4.0]]


def _tile():
    m = tf.placeholder(tf.int32, [None])
    return tf.tile(tf.constant([1.0, 2.0]), m), m, [2, 2], [2], [1.0, 2.0, 1.0, 2.0]


def _matmul_unknown_rank():
    a = tf.placeholder(F32)
    return tf.matmul(a, tf.ones([3, 2])), a, np.ones(3), np.ones((1, 3)), [[3.0, 3.0]]


def _matmul_batch():
    a = tf.placeholder(F32, [None, None, None])
    return tf.matmul(a, tf.ones([3, 4, 5])), a, np.ones((2, 3, 4)), np.ones((1, 3, 4)), np.full((3, 3, 5), 4.0)


def _dynamic_partition():
    p = tf.placeholder(tf.int32, [3])
    return tf.dynamic_partition([1.0, 2.0, 3.0], p, 2)[1], p, [0, 1, 5], [0, 1, 1], [2.0, 3.0]


def _integer_pow():
    y = tf.placeholder(tf.int32, [2])
    return tf.pow(tf.constant([2, 3]), y), y, [-1, -2], [2, 3], [4, 27]


def _integer_power_operator():
    """``**`` is tf.pow: it refuses too (it gave 0 for 2 ** -1)."""
    y = tf.placeholder(tf.int32, [2])
    return tf.constant([2, 3]) ** y, y, [-1, -2], [2, 3], [4, 27]


def _conv2d_depth():
    x = tf.placeholder(F32, [None] * 4)
    return tf.nn.conv2d(x, tf.ones([1, 1, 4, 2]), [1] * 4, "SAME"), x, np.ones((1, 2, 2, 3)), np.ones((1, 2, 2, 4)), \
        np.full((1, 2, 2, 2), 4.0)


def _sparse_xent():
    labels = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.zeros([2, 4]))
    return loss, labels, [0, 1, 2], [0, 3], np.full(2, np.log(4.0))


@pytest.mark.parametrize("build, message", [
    (_squeeze, "Can not squeeze dim[0], expected a dimension of 1, got"),
    (_top_k, "input must have at least k columns. Had"),
    (_bias_add_short_bias, "Must provide as many biases as the last dimension of the input tensor"),
    (_bias_add_narrow_value, "Must provide as many biases as the last dimension of the input tensor"),
    (_tile, "Expected multiples argument to be a vector of length"),
    (_matmul_unknown_rank, "In[0] ndims must be >= 2:"),
    (_matmul_batch, "In[0] and In[1] must have compatible batch dimensions:"),
    (_dynamic_partition, "partitions must be in [0, 2), got"),
    (_integer_pow, "Integers to negative integer powers are not allowed"),
    (_integer_power_operator, "Integers to negative integer powers are not allowed"),
    (_conv2d_depth, "input depth must equal filter depth"),
    (_sparse_xent, "logits and labels must have the same first dimension"),
], ids=lambda v: v.__name__[1:] if callable(v) else "")
def test_what_only_the_fed_value_shows_is_checked_when_the_graph_runs(build, message):
    out, fed, bad, good, expected = build()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)) as caught:
            sess.run(out, {fed: bad})
        assert caught.value.op is not None
        np.testing.assert_allclose(sess.run(out, {fed: good}), expected, rtol=1e-6)


def test_a_squeeze_checked_at_run_time_knows_its_shape_now():
    assert tf.squeeze(tf.placeholder(F32, [None, 3]), axis=0).shape.as_list() == [3]


def test_a_constant_exponent_that_cannot_be_negative_adds_no_check():
    pow_op = tf.pow(tf.constant([2, 3]), 2).op
    assert not pow_op.control_inputs and run(pow_op.outputs[0]).tolist() == [4, 9]


# ============================================================================== axes out of range: ValueError now

@pytest.mark.parametrize("build", [
    lambda x: tf.gather(x, [0], axis=2),
    lambda x: tf.gather(x, [[0]], axis=2, batch_dims=1),
    lambda x: tf.unstack(x, axis=2),
    lambda x: tf.split(x, 2, axis=2),
    lambda x: tf.cumsum(x, axis=2),
    lambda x: tf.cumprod(x, axis=-3),
    lambda x: tf.reduce_max(tf.placeholder(F32, [None, 2]), axis=2),
    lambda x: tf.layers.batch_normalization(x, axis=2),
    lambda x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=x, axis=2),
    lambda x: tf.signal.frame(tf.ones([10]), 4, 2, axis=3),
], ids=["gather", "gather_batch_dims", "unstack", "split", "cumsum", "cumprod", "reduce_max", "batch_normalization",
        "softmax_cross_entropy", "frame"])
def test_an_axis_out_of_range_is_a_value_error_not_another_axis(build):
    with pytest.raises(ValueError, match=r"Invalid axis: -?\d"):
        build(tf.ones([2, 4]))


def test_negative_axes_in_range_still_count_from_the_end():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert run(tf.cumsum(x, axis=-1)).tolist() == [[1.0, 3.0], [3.0, 7.0]]
    assert run(tf.gather(x, [1], axis=-1)).tolist() == [[2.0], [4.0]]


# ============================================================================ bad arguments seen while building

@pytest.mark.parametrize("build, error, message", [
    (lambda: tf.one_hot([0, 1], -1), ValueError, "depth must be non-negative"),
    (lambda: tf.placeholder(F32, [2.5]), TypeError, "Dimension value must be an integer"),
    (lambda: tf.get_variable("v", [2.5]), TypeError, "Dimension value must be an integer"),
    (lambda: tf.zeros([2.5]), TypeError, "Expected int32, got 2.5"),
    (lambda: tf.placeholder(F32, [-1, 3]), ValueError, "Dimension -1 must be >= 0"),
], ids=["one_hot_depth", "placeholder_float_dim", "get_variable_float_dim", "zeros_float_dim", "negative_dim"])
def test_bad_shapes_and_sizes_are_refused_while_building(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_a_fed_negative_one_hot_depth_is_refused_when_run():
    depth = tf.placeholder(tf.int32, [])
    hot = tf.one_hot([0, 1], depth)
    with pytest.raises(tf.errors.InvalidArgumentError, match="depth must be non-negative"):
        run(hot, {depth: -1})
    assert run(hot, {depth: 2}).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_minimize_refuses_an_integer_variable_instead_of_skipping_it():
    v, w = tf.Variable(1.0), tf.Variable(2, dtype=tf.int32)
    loss = v * v + tf.cast(w, F32)
    with pytest.raises(ValueError, match=r"Invalid type tf.int32 for Variable_1:0, expected: \[tf.float32"):
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[v, w])


# ======================================================================== inputs of unknown rank: built, and run

def test_ops_build_on_inputs_of_unknown_rank_and_run():
    ids, value = tf.placeholder(tf.int32), tf.placeholder(F32)
    scores, targets = tf.placeholder(F32), tf.placeholder(tf.int32)
    rows = tf.nn.embedding_lookup(tf.constant([[0.0], [1.0], [2.0]]), ids)
    biased = tf.nn.bias_add(value, [1.0, 2.0, 3.0])
    hits = tf.nn.in_top_k(scores, targets, 1)
    assert rows.shape.ndims is None and biased.shape.ndims is None and hits.shape.as_list() == [None]
    got = run([rows, biased, hits], {ids: [[2, 0]], value: np.zeros((1, 3)), scores: np.eye(2),
                                     targets: [0, 0]})
    assert got[0].tolist() == [[[2.0], [0.0]]] and got[1].tolist() == [[1.0, 2.0, 3.0]]
    assert got[2].tolist() == [True, False]


# =============================================================================== feeds, fetches and indexing

def test_feeds_and_fetches_that_cannot_be_read_get_tf_errors():
    x = tf.placeholder(F32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Cannot convert a feed value of type dict"):
            sess.run(x * 2, {x: {"a": 1}})
        with pytest.raises(ValueError, match="could not convert string to float"):
            sess.run(x * 2, {x: "abc"})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name 'nope:0' refers"):
            sess.run(x * 2, {"nope:0": [1.0]})
        with pytest.raises(ValueError, match="Fetch argument 'nope:0' cannot be interpreted as a Tensor"):
            sess.run("nope:0")
        assert sess.run(x * 2, {x.name: "1.5"}) == 3.0  # numbers written as strings convert, as in TF


@pytest.mark.parametrize("index, error", [(5, ValueError), ((0, 0), ValueError), (1.5, TypeError)])
def test_bad_indices_get_tf_exception_classes(index, error):
    with pytest.raises(error):
        tf.constant([1, 2, 3])[index]


def test_a_mask_of_the_wrong_length_is_a_value_error():
    with pytest.raises(ValueError, match="shape of the mask"):
        tf.boolean_mask([1.0, 2.0, 3.0], [True, False])


def test_shapes_of_fill_and_random_ops_must_be_nonnegative_integers():
    with pytest.raises(ValueError, match=r"dims\[1\] = -3 must be nonnegative"):
        tf.ones([2, -3])
    with pytest.raises(TypeError, match="Expected int32, got"):
        tf.random_normal([2.5])
    assert tf.random_normal([2, 3]).shape == (2, 3) and tf.ones([2, 0]).shape == (2, 0)


def test_an_empty_list_is_a_constant_of_any_dtype():
    assert tf.constant([], tf.int64).dtype == tf.int64 and tf.constant([[]], tf.int32).shape == (1, 0)
    with pytest.raises(TypeError, match="Expected int32, got"):
        tf.constant([2.5], tf.int32)


def test_an_integer_to_a_negative_number_is_refused_by_the_operator_too():
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integers to negative integer powers"):
            sess.run(tf.constant([2, 3]) ** -1)
        assert sess.run(tf.constant([2, 3]) ** 2).tolist() == [4, 9]


def test_indexing_reads_a_list_as_tf1_does_and_refuses_numpys_fancy_indexing():
    """TF1's slice helper reads a list as a tuple, one entry per dim: t[[0, 1]] is t[0, 1] (it was numpy's rows 0
    and 1); an array, a vector tensor or a bool entry is TF's TypeError (tf.gather / tf.boolean_mask do those)."""
    t = tf.constant([[1, 2], [3, 4]])
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    i = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(t[[0, 1]]) == 2 and sess.run(v[[1, 0]]) == 3.0
        assert sess.run(t[i], {i: 1}).tolist() == [3, 4] and sess.run(t[..., None]).shape == (2, 2, 1)
    for bad in (np.array([0, 1]), tf.constant([0, 1]), [0, [1]], True):
        with pytest.raises(TypeError, match="are valid indices"):
            t[bad]


def test_tf1_where_broadcasts_nothing_and_where_v2_does():
    """TF1's Select: x and y of one shape, the condition a scalar, their shape or a vector along the first dim.
    It broadcast like where_v2 (a (2, 1) condition against (2, 3) values gave a (2, 3) answer)."""
    with tf.Session() as sess:
        assert sess.run(tf.where([True, False], [[1, 2], [5, 6]], [[3, 4], [7, 8]])).tolist() == [[1, 2], [7, 8]]
        assert sess.run(tf.where(True, [1, 2], [3, 4])).tolist() == [1, 2]
        assert sess.run(tf.where_v2([[True], [False]], tf.ones([2, 3]), 0.0)).tolist() == [[1.0] * 3, [0.0] * 3]
    for condition, x, y in (([[True], [False]], tf.ones([2, 3]), tf.zeros([2, 3])), ([True, False], 1.0, 2.0),
                            ([True, False], tf.ones([2]), tf.ones([3]))):
        with pytest.raises(ValueError, match="Select: .*tf.where_v2 broadcasts"):
            tf.where(condition, x, y)


BUILD_TIME_REFUSALS = {
    # each gave an answer TF 1.15 refuses when the graph is built
    "fill with a vector value": (lambda: tf.fill([2, 2], [1.0, 2.0]), ValueError, "must be a scalar"),
    "one_hot of depth 2.7": (lambda: tf.one_hot([0, 1], 2.7), TypeError, "depth must be an int32 scalar"),
    "one_hot of depth [3]": (lambda: tf.one_hot([0, 1], [3]), ValueError, "depth must be a scalar"),
    "one_hot of a float depth tensor": (lambda: tf.one_hot([0, 1], tf.constant(2.0)), TypeError, "int32 scalar"),
    "tensordot with axes=-1": (lambda: tf.tensordot(tf.ones([2, 3]), tf.ones([3, 2]), -1), ValueError,
                               "'axes' must be at least 0"),
    "tensordot with an axis out of range": (lambda: tf.tensordot(tf.ones([2, 3]), tf.ones([3, 2]), [[2], [0]]),
                                            ValueError, "out of range"),
    "clip_by_value broadcasting t": (lambda: tf.clip_by_value(tf.ones([2]), tf.zeros([2, 2]), 1.0), ValueError,
                                     "must not make t larger"),
}


@pytest.mark.parametrize("case", BUILD_TIME_REFUSALS)
def test_what_tf_refuses_when_the_graph_is_built_is_refused(case):
    build, error, words = BUILD_TIME_REFUSALS[case]
    with pytest.raises(error, match=words):
        build()


def test_the_valid_forms_of_those_still_work():
    with tf.Session() as sess:
        assert sess.run(tf.fill([2], 3.0)).tolist() == [3.0, 3.0]
        assert sess.run(tf.one_hot([0, 1], np.int64(2))).tolist() == [[1.0, 0.0], [0.0, 1.0]]
        assert sess.run(tf.tensordot(tf.ones([2, 3]), tf.ones([3, 2]), [[-1], [0]])).tolist() == [[3.0] * 2] * 2
        assert sess.run(tf.clip_by_value(tf.ones([2, 2]), 0.0, tf.fill([2, 2], 0.5))).tolist() == [[0.5] * 2] * 2


def test_a_sparse_dense_product_checks_the_inner_dimension():
    """A (2, 2) sparse matrix times a (3, 2) dense one ignored B's third row; TF refuses (when the graph is built
    where the shapes are known, else when it runs)."""
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    with pytest.raises(ValueError, match="inner dimension does not match"):
        tf.sparse_tensor_dense_matmul(a, tf.ones([3, 2]))
    b = tf.placeholder(tf.float32, [None, 2])
    product = tf.sparse_tensor_dense_matmul(a, b)
    with tf.Session() as sess:
        assert sess.run(product, {b: np.ones((2, 2))}).tolist() == [[1.0, 1.0], [2.0, 2.0]]
        with pytest.raises(tf.errors.InvalidArgumentError, match="inner dimension does not match"):
            sess.run(product, {b: np.ones((3, 2))})
