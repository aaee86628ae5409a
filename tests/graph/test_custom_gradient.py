"""``tf.custom_gradient`` (with ``tf.gradients``, optimizers, loops and variables) and ``tf.stop_gradient``."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


@tf.custom_gradient
def log1pexp(x):
    """TF's example: log(1 + e^x), whose automatic derivative e / (1 + e) is inf / inf for a large x."""
    e = tf.exp(x)

    def grad(dy):
        return dy * (1 - 1 / (1 + e))
    return tf.log(1 + e), grad


@tf.custom_gradient
def clip_gradient(x):
    """The identity, whose gradient is clipped to norm 1 on its way back."""
    return tf.identity(x), lambda dy: tf.clip_by_norm(dy, 1.0)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_a_stable_derivative():
    x = tf.placeholder(tf.float32, [])
    y = log1pexp(x)
    plain = tf.log(1 + tf.exp(x))
    assert run(y, {x: 1.0}) == pytest.approx(np.log1p(np.e))
    assert run(tf.gradients(y, x)[0], {x: 100.0}) == 1.0
    assert np.isnan(run(tf.gradients(plain, x)[0], {x: 100.0}))   # what the custom gradient avoids
    assert run(tf.gradients(y, x)[0], {x: 0.0}) == pytest.approx(0.5)


def test_with_an_optimizer():
    w = tf.Variable([3.0, 4.0])
    loss = tf.reduce_sum(clip_gradient(w) * tf.constant([10.0, 0.0]))    # plain gradient [10, 0]: clipped to [1, 0]
    step = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), [2.0, 4.0])


def test_several_inputs_and_outputs():
    @tf.custom_gradient
    def swap(a, b):
        def grad(da, db):
            return db * 100.0, None            # a's gradient from b's output; none for b
        return (a * 1.0, b * 1.0), grad
    a, b = tf.constant(1.0), tf.constant(2.0)
    out_a, out_b = swap(a, b)
    assert run([out_a, out_b]) == [1.0, 2.0]
    ga, gb = tf.gradients(out_a + 3.0 * out_b, [a, b])
    assert run(ga) == 300.0 and gb is None


def test_the_function_inside_is_not_differentiated():
    @tf.custom_gradient
    def straight_through_round(x):
        return tf.round(x), lambda dy: dy      # round has no gradient; pass dy straight through
    x = tf.constant([0.4, 1.6])
    y = straight_through_round(x) * tf.constant([2.0, 3.0])
    np.testing.assert_array_equal(run(y), [0.0, 6.0])
    np.testing.assert_array_equal(run(tf.gradients(y, x)[0]), [2.0, 3.0])


def test_variables_read_by_the_function():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            assert variables == [v]
            return dy * v, [dy * x * 10.0]    # ten times the true gradient for the variable
        return x * v.value(), grad
    x = tf.constant(3.0)
    y = scale(x)
    step = tf.train.GradientDescentOptimizer(0.01).minimize(y, var_list=[v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y) == 6.0
        assert sess.run(tf.gradients(y, [x, v])) == [2.0, 30.0]
        sess.run(step)
        assert sess.run(v) == pytest.approx(2.0 - 0.3)


def test_inside_a_while_loop():
    a0 = tf.constant([1.0, 1.0])
    _, out = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, clip_gradient(a * 3.0)), [0, a0])
    value, grad = run([out, tf.gradients(tf.reduce_sum(out * 10.0), a0)[0]])
    np.testing.assert_allclose(value, [9.0, 9.0])
    np.testing.assert_allclose(grad, [3 / np.sqrt(2)] * 2, rtol=1e-6)   # clipped to norm 1 in each iteration, * 3

    w = tf.Variable(2.0)

    @tf.custom_gradient
    def times_w(x):
        return x * w, lambda dy, variables=None: (dy * w, [dy * x])
    _, total = tf.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t + times_w(tf.cast(i, tf.float32))),
                             [0, tf.constant(0.0)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([total, tf.gradients(total, w)[0]]) == [6.0, 3.0]   # sum of 0, 1, 2 times w


def test_stop_gradient():
    x = tf.constant(2.0)
    y = tf.stop_gradient(x * x) + x
    assert run(y) == 6.0
    assert run(tf.gradients(y, x)[0]) == 1.0


def test_errors():
    @tf.custom_gradient
    def too_many(x):
        return x * 2.0, lambda dy: (dy, dy)
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="grad_fn returned 2 gradients for the 1 inputs of the function"):
        tf.gradients(too_many(x), x)
    with pytest.raises(ValueError, match="keywords arguments only when eager"):
        clip_gradient(x=x)
    with pytest.raises(TypeError, match="must return a pair"):
        tf.custom_gradient(lambda x: x)(x)

    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="grad_fn must accept a keyword argument 'variables'"):
        tf.custom_gradient(lambda x: (x * v, lambda dy: dy))(x)
    with pytest.raises(ValueError, match="Must return gradient for each variable"):
        y = tf.custom_gradient(lambda x: (x * v, lambda dy, variables: (dy, [])))(x)
        tf.gradients(y, x)
    with pytest.raises(ValueError, match="must return a pair"):
        y = tf.custom_gradient(lambda x: (x * v, lambda dy, variables: dy))(x)
        tf.gradients(y, x)
