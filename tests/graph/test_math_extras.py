"""``tf.div_no_nan``, ``tf.roll``, ``tf.bincount``, ``tf.searchsorted``, ``tf.math.reduce_euclidean_norm``,
``tf.ensure_shape`` and ``tf.assert_rank``: values against numpy, gradients against central differences (float64),
static shapes and the errors."""
import math

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


def test_div_no_nan_values_and_a_zero_gradient_where_y_is_zero():
    x, y = tf.placeholder(tf.float32, [4]), tf.placeholder(tf.float32, [4])
    out = tf.div_no_nan(x, y)
    grads = tf.gradients(tf.reduce_sum(out), [x, y])
    feed = {x: [1.0, 0.0, 3.0, -2.0], y: [0.0, 0.0, 2.0, 4.0]}
    got, (gx, gy) = run([out, grads], feed)
    np.testing.assert_array_equal(got, [0, 0, 1.5, -0.5])
    np.testing.assert_allclose(gx, [0, 0, 0.5, 0.25])
    np.testing.assert_allclose(gy, [0, 0, -0.75, 0.125])                  # 0, not inf or NaN, where y == 0
    assert tf.math.divide_no_nan is tf.div_no_nan and tf.div_no_nan(1.0, 2.0, name="ratio").name == "ratio:0"
    check_gradients(tf.div_no_nan, RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2, (3,)))   # broadcasting
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.div_no_nan(1, 2)


def test_roll():
    x = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(run(tf.roll(tf.range(5), 2, 0)), [3, 4, 0, 1, 2])
    np.testing.assert_array_equal(run(tf.roll(x, [1, -1], [0, 1])), np.roll(x, (1, -1), (0, 1)))
    np.testing.assert_array_equal(run(tf.roll(x, [1, 2], [1, 1])), np.roll(x, 3, 1))   # an axis twice: shifts add
    check_gradients(lambda t: tf.roll(t, [1, 2], [0, -1]), RNG.standard_normal((3, 4)))
    with pytest.raises(ValueError, match="shift and axis must have the same size"):
        tf.roll(x, [1, 2], 0)


def test_bincount():
    arr = tf.constant([[1, 1, 2], [3, 3, 9]])                                # any shape: every entry counts
    counts = tf.bincount(arr)
    assert counts.shape.as_list() == [None] and counts.dtype == tf.int32
    np.testing.assert_array_equal(run(counts), [0, 2, 1, 2, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(run(tf.bincount(arr, minlength=12)), np.bincount([1, 1, 2, 3, 3, 9], minlength=12))
    np.testing.assert_array_equal(run(tf.bincount(arr, maxlength=3)), [0, 2, 1])        # 3 and 9 are not counted
    np.testing.assert_array_equal(run(tf.bincount(arr, minlength=6, maxlength=4)), [0, 2, 1, 2])
    np.testing.assert_array_equal(run(tf.bincount([9, 9], maxlength=3)), [0, 0, 0])
    weighted = tf.bincount(arr, weights=tf.constant([[0.5, 0.5, 1.0], [2.0, 2.0, 1.0]], tf.float64))
    assert weighted.dtype == tf.float64
    np.testing.assert_array_equal(run(weighted), [0, 1, 1, 4, 0, 0, 0, 0, 0, 1])
    assert run(tf.bincount(arr, dtype=tf.float32)).dtype == np.float32
    assert run(tf.bincount(tf.zeros([0], tf.int32))).shape == (0,)
    assert run(tf.bincount(arr, maxlength=0)).shape == (0,)
    assert tf.math.bincount is tf.bincount
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        run(tf.bincount([1, -1]))
    with pytest.raises(TypeError, match="DataType int64 not in list of allowed values: int32"):
        tf.bincount(tf.constant([1], tf.int64))


def test_searchsorted():
    rows = np.sort(RNG.standard_normal((2, 5)), axis=-1)
    values = RNG.standard_normal((2, 3))
    ties = np.concatenate([rows[:, :2], values[:, :1]], 1)                    # values equal to entries
    left = tf.searchsorted(rows, values)
    right = tf.searchsorted(rows, ties, side="right", out_type=tf.int64)
    assert left.dtype == tf.int32 and right.dtype == tf.int64 and left.shape == (2, 3)
    got_left, got_right = run([left, right])
    for r in range(2):
        np.testing.assert_array_equal(got_left[r], np.searchsorted(rows[r], values[r]))
        np.testing.assert_array_equal(got_right[r], np.searchsorted(rows[r], ties[r], side="right"))
    np.testing.assert_array_equal(run(tf.searchsorted([1, 3, 5], [0, 3, 6])), [0, 1, 3])
    with pytest.raises(ValueError, match="side must be either 'right' or 'left'"):
        tf.searchsorted([1.0], [1.0], side="middle")
    with pytest.raises(TypeError, match="does not match type"):
        tf.searchsorted(tf.constant([1.0]), tf.constant([1], tf.int32))


def test_reduce_euclidean_norm():
    x = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(run(tf.math.reduce_euclidean_norm(x)), np.sqrt((x ** 2).sum()))
    got = run(tf.math.reduce_euclidean_norm(x, 1, keepdims=True))
    np.testing.assert_allclose(got, np.sqrt((x ** 2).sum(1, keepdims=True)))
    assert run(tf.math.reduce_euclidean_norm(tf.constant([[1, 2, 3], [1, 1, 1]]))) == 4    # ints: truncated
    check_gradients(lambda t: tf.math.reduce_euclidean_norm(t, 0), x)


def test_ensure_shape():
    p = tf.placeholder(tf.float32, [None, None])
    checked = tf.ensure_shape(p, [None, 3])
    assert checked.shape.as_list() == [None, 3]                               # the static shape is sharpened
    assert tf.ensure_shape(tf.placeholder(tf.float32), (2, None)).shape.as_list() == [2, None]
    np.testing.assert_array_equal(run(checked, {p: np.ones((2, 3))}), np.ones((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Shape of tensor Placeholder \[2,2\] is not compatible with expected shape \[\?,3\]"):
        run(checked, {p: np.ones((2, 2))})
    with pytest.raises(ValueError, match="incompatible"):
        tf.ensure_shape(tf.zeros([2, 3]), [2, 2])
    assert tf.debugging.ensure_shape is tf.ensure_shape
    check_gradients(lambda t: tf.ensure_shape(t, [None, 2]) * 3, RNG.standard_normal((2, 2)))


def test_assert_rank():
    assert tf.assert_rank(tf.zeros([2, 3]), 2).type == "NoOp"                  # decided now: nothing to check
    with pytest.raises(ValueError, match=r"Tensor zeros.*:0 must have rank 2.  Received rank 1, shape \(3,\)"):
        tf.assert_rank(tf.zeros([3]), 2)
    with pytest.raises(ValueError, match="checked. +Tensor"):
        tf.assert_rank(tf.zeros([3]), 2, message="checked")
    q = tf.placeholder(tf.float32)                                            # unknown rank: checked when run
    with tf.control_dependencies([tf.debugging.assert_rank(q, 2)]):
        out = tf.identity(q)
    np.testing.assert_array_equal(run(out, {q: np.ones((1, 1))}), [[1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank"):
        run(out, {q: np.ones(3)})
    assert tf.debugging.assert_rank is tf.assert_rank


def test_assert_rank_at_least():
    assert tf.assert_rank_at_least(tf.zeros([2, 3]), 1).type == "NoOp"
    with pytest.raises(ValueError, match=r"must have rank at least 3.  Received rank 2, shape \(2, 3\)"):
        tf.assert_rank_at_least(tf.zeros([2, 3]), 3)
    q = tf.placeholder(tf.float32)
    with tf.control_dependencies([tf.debugging.assert_rank_at_least(q, 2)]):
        out = tf.identity(q)
    assert run(out, {q: np.ones((1, 2, 3))}).shape == (1, 2, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank at least"):
        run(out, {q: np.ones(3)})


def test_c_style_division_real_division_and_rint():
    a, b = tf.constant([-7, 7, 16777217, 6]), tf.constant([2, -2, 1, 3])
    quotient, remainder, floored = run([tf.truncatediv(a, b), tf.truncatemod(a, b), tf.floordiv(a, b)])
    assert quotient.tolist() == [-3, -3, 16777217, 2] and quotient.dtype == np.int32  # exact, no float detour
    assert remainder.tolist() == [-1, 1, 0, 0] and floored.tolist() == [-4, -4, 16777217, 2]
    assert run(tf.realdiv(tf.constant([1.0, 3.0]), 2.0)).tolist() == [0.5, 1.5]
    assert run(tf.rint(tf.constant([2.5, -1.5, 0.4, 3.5]))).tolist() == [2.0, -2.0, 0.0, 4.0]
    assert tf.math.truncatemod is tf.truncatemod and tf.math.rint is tf.rint
    with pytest.raises(TypeError):
        tf.realdiv(tf.constant([1, 2]), 2)


@pytest.mark.parametrize("name, reference, low, high", [
    ("asin", np.arcsin, -0.9, 0.9), ("acos", np.arccos, -0.9, 0.9), ("tan", np.tan, -1.0, 1.0),
    ("sinh", np.sinh, -2.0, 2.0), ("cosh", np.cosh, -2.0, 2.0), ("asinh", np.arcsinh, -2.0, 2.0),
    ("acosh", np.arccosh, 1.5, 3.0), ("atanh", np.arctanh, -0.9, 0.9), ("expm1", np.expm1, -1.0, 1.0),
    ("erfc", lambda a: 1 - np.vectorize(math.erf)(a), -1.5, 1.5),
    ("lgamma", np.vectorize(math.lgamma), 0.5, 4.0)])
def test_more_elementwise_functions(name, reference, low, high):
    values = np.random.default_rng(0).uniform(low, high, 5)
    fn = getattr(tf, name)
    assert getattr(tf.math, name) is fn
    np.testing.assert_allclose(run(fn(tf.constant(values))), reference(values), rtol=1e-10)
    check_gradients(fn, values)


def test_atan2_takes_y_first_and_math_softmax_is_nn_softmax():
    y, x = np.array([1.0, -1.0, 0.5]), np.array([-1.0, -1.0, 2.0])
    np.testing.assert_allclose(run(tf.atan2(tf.constant(y), tf.constant(x))), np.arctan2(y, x))
    check_gradients(lambda t: tf.atan2(t, tf.constant(x)), y)
    np.testing.assert_allclose(run(tf.math.digamma(tf.constant([1.0], tf.float64))), [-0.5772156649015329])
    assert tf.math.softmax is tf.nn.softmax and tf.math.log_softmax is tf.nn.log_softmax


def test_histogram_fixed_width_counts_and_bins():
    values = [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0]
    counts, bins = run([tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5),
                        tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5)])
    np.testing.assert_array_equal(counts, [2, 1, 1, 0, 2])  # below the range in the first bin, above in the last
    np.testing.assert_array_equal(bins, [0, 0, 1, 2, 4, 4])
    assert counts.dtype == np.int32
    with pytest.raises(ValueError, match="nbins should be a positive number"):
        tf.histogram_fixed_width(values, [0.0, 5.0], nbins=0)


def test_setdiff1d_keeps_order_and_repeats():
    out, idx = run(tf.setdiff1d([1, 2, 3, 4, 5, 6, 1, 2], [1, 3, 5]))
    np.testing.assert_array_equal(out, [2, 4, 6, 2])
    np.testing.assert_array_equal(idx, [1, 3, 5, 7])
    with pytest.raises(ValueError, match="must be 1-D"):
        tf.setdiff1d([[1]], [1])


def test_bitwise_namespace():
    a, b = tf.constant([12, 10, -1], tf.int32), tf.constant([10, 6, 3], tf.int32)
    got = run([tf.bitwise.bitwise_and(a, b), tf.bitwise.bitwise_or(a, b), tf.bitwise.bitwise_xor(a, b),
               tf.bitwise.left_shift(a, tf.constant([1, 2, 0], tf.int32)),
               tf.bitwise.right_shift(a, tf.constant([1, 2, 1], tf.int32)),
               tf.bitwise.invert(tf.constant([0, 5], tf.uint8))])
    x, y = np.array([12, 10, -1], np.int32), np.array([10, 6, 3], np.int32)
    shifts, back = np.array([1, 2, 0], np.int32), np.array([1, 2, 1], np.int32)
    for g, e in zip(got, [x & y, x | y, x ^ y, x << shifts, x >> back, ~np.array([0, 5], np.uint8)]):
        np.testing.assert_array_equal(g, e)
        assert g.dtype == e.dtype
    with pytest.raises(TypeError):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([2.0]))
