"""A graph-mode gradient check for the API-gap tests: ``tf.gradients`` against float64 central differences."""
import numpy as np

import minidl.graph as tf


def check_gradients(fn, *arrays, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0, shapes_known=True):
    """Build ``y = fn(*placeholders)`` for float64 ``arrays`` and compare the gradients of ``sum(y * w)`` (w a
    fixed random weighting, so every output entry counts differently) with central differences. Without
    ``shapes_known`` the placeholders have no shape (their rank too is known only when they are fed)."""
    xs = [tf.placeholder(tf.float64, np.shape(a) if shapes_known else None) for a in arrays]
    y = fn(*xs)
    feed = dict(zip(xs, arrays))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())   # fn may make variables (a layer's weights): held fixed
        w = np.random.default_rng(seed).standard_normal(np.shape(sess.run(y, feed)))
        loss = tf.reduce_sum(y * w)
        # (a lookup's gradient is an IndexedSlices, as in TF: compared as its dense tensor; an input y does not
        # use has the gradient None, which central differences must find to be zeros)
        grads = sess.run([tf.zeros_like(x) if g is None else tf.convert_to_tensor(g)
                          for x, g in zip(xs, tf.gradients(loss, xs))], feed)
        for x, a, grad in zip(xs, arrays, grads):
            numeric = np.zeros_like(a)
            for index in np.ndindex(*a.shape):
                plus, minus = a.copy(), a.copy()
                plus[index] += eps
                minus[index] -= eps
                numeric[index] = (sess.run(loss, {**feed, x: plus}) - sess.run(loss, {**feed, x: minus})) / (2 * eps)
            np.testing.assert_allclose(grad, numeric, rtol=rtol, atol=atol)
