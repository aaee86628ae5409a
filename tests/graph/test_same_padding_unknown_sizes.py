"""SAME padding with strides on inputs whose spatial sizes are known only when the graph runs
(``tf.placeholder(tf.float32, [None, None, None, None, C])``): tf.nn.conv3d, max_pool3d, avg_pool3d and
conv2d_backprop_filter / conv2d_backprop_input give the values and gradients of the same graph built with the
sizes known, for sizes that need odd and even padding."""
import numpy as np
import pytest

import minidl.graph as tf


def _values_and_gradients(build, values, known):
    """``build(*placeholders)`` run on ``values`` with the placeholders' shapes known (or all None but the last
    dim), and the gradients of the sum of squares of its output with respect to each placeholder."""
    with tf.Graph().as_default():
        inputs = [tf.placeholder(tf.float64, v.shape if known else [None] * (v.ndim - 1) + [v.shape[-1]])
                  for v in values]
        out = build(*inputs)
        grads = tf.gradients(tf.reduce_sum(out * out), inputs)
        with tf.Session() as sess:
            return sess.run([out, *grads], dict(zip(inputs, values)))


def _check_same_as_known(build, *values):
    unknown = _values_and_gradients(build, values, known=False)
    known = _values_and_gradients(build, values, known=True)
    for got, want in zip(unknown, known):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    return known[0]


@pytest.mark.parametrize("size", [(5, 7, 6), (4, 6, 9)])
def test_conv3d_same_with_strides(size):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, *size, 3))
    w = rng.standard_normal((3, 2, 3, 3, 4))
    out = _check_same_as_known(lambda t: tf.nn.conv3d(t, tf.constant(w), [1, 2, 3, 2, 1], "SAME"), x)
    assert out.shape == (2, *(-(-n // s) for n, s in zip(size, (2, 3, 2))), 4)


@pytest.mark.parametrize("pool", [tf.nn.max_pool3d, tf.nn.avg_pool3d])
@pytest.mark.parametrize("size", [(5, 7, 6), (4, 6, 9)])
def test_pool3d_same_with_strides(pool, size):
    x = np.random.default_rng(2).standard_normal((2, *size, 3))
    out = _check_same_as_known(lambda t: pool(t, [1, 3, 2, 3, 1], [1, 2, 2, 3, 1], "SAME"), x)
    assert out.shape == (2, *(-(-n // s) for n, s in zip(size, (2, 2, 3))), 3)


def test_pool3d_same_of_channels_first_input():
    x = np.random.default_rng(3).standard_normal((1, 2, 5, 7, 6))  # NCDHW: the channels are known (2)
    with tf.Graph().as_default():
        known = tf.placeholder(tf.float64, x.shape)
        unknown = tf.placeholder(tf.float64, [None, 2, None, None, None])
        outs = [tf.nn.avg_pool3d(t, [1, 1, 2, 3, 2], [1, 1, 2, 2, 3], "SAME", data_format="NCDHW")
                for t in (known, unknown)]
        got, want = tf.Session().run(outs, {known: x, unknown: x})
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("size", [(7, 8), (6, 9)])
def test_conv2d_backprop_filter_and_input_same_with_strides(size):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, *size, 3))
    w = rng.standard_normal((3, 2, 3, 4))
    strides = [1, 2, 3, 1]
    out_size = [-(-n // s) for n, s in zip(size, strides[1:3])]
    g = rng.standard_normal((2, *out_size, 4))

    def backprops(images, out_backprop):
        d_filter = tf.nn.conv2d_backprop_filter(images, [3, 2, 3, 4], out_backprop, strides, "SAME")
        d_input = tf.nn.conv2d_backprop_input([2, *size, 3], tf.constant(w), out_backprop, strides, "SAME")
        assert d_filter.shape.as_list() == [3, 2, 3, 4] and d_input.shape.as_list() == [2, *size, 3]
        return tf.concat([tf.reshape(d_filter, [-1]), tf.reshape(d_input, [-1])], 0)

    both = _check_same_as_known(backprops, x, g)
    # and they are conv2d's gradients
    with tf.Graph().as_default():
        images, filters = tf.constant(x), tf.constant(w)
        d_filter, d_input = tf.gradients(tf.nn.conv2d(images, filters, strides, "SAME"), [filters, images],
                                         grad_ys=tf.constant(g))
        want = tf.Session().run(tf.concat([tf.reshape(d_filter, [-1]), tf.reshape(d_input, [-1])], 0))
    np.testing.assert_allclose(both, want, rtol=1e-10, atol=1e-10)
