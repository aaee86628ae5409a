"""Where TensorFlow's gradient conventions differ from PyTorch's, graph mode follows TF: at a tie of
``tf.maximum``/``tf.minimum`` the gradient goes to ``x`` (PyTorch splits it), ``tf.nn.selu``'s slope at 0 is
``scale``, and ``tf.clip_by_norm`` of an all-zero tensor has a finite gradient. Eager mode keeps PyTorch's."""
import numpy as np
import pytest

import minidl.eager as torch
import minidl.graph as tf

from .helpers import run


def test_maximum_and_minimum_give_a_tie_to_x():
    a, b = tf.constant([1.0, 2.0]), tf.constant([1.0, 3.0])
    x = tf.constant([0.0, 1.0])
    got = run([tf.gradients(tf.reduce_sum(tf.maximum(a, b)), [a, b]),
               tf.gradients(tf.reduce_sum(tf.minimum(a, b)), [a, b]),
               tf.gradients(tf.reduce_sum(tf.maximum(x, 0.0)), x)])
    assert [[g.tolist() for g in grads] for grads in got] == [[[1, 0], [0, 1]], [[1, 1], [0, 0]], [[1, 1]]]
    p, q = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 3.0], requires_grad=True)
    torch.maximum(p, q).sum().backward()  # eager: PyTorch's half and half
    assert p.grad.tolist() == [0.5, 0.0] and q.grad.tolist() == [0.5, 1.0]


def test_selu_slope_at_zero_is_tfs_and_large_inputs_stay_finite():
    z = tf.constant([0.0, -1.0, 2.0, 100.0])
    values, (grad,) = run([tf.nn.selu(z), tf.gradients(tf.reduce_sum(tf.nn.selu(z)), z)])
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(values, [0.0, scale * alpha * np.expm1(-1.0), 2 * scale, 100 * scale], rtol=1e-6)
    np.testing.assert_allclose(grad, [scale, scale * alpha * np.exp(-1.0), scale, scale], rtol=1e-6)


@pytest.mark.parametrize("values, expected", [([0.0, 0.0], [1.0, 1.0]), ([3.0, 4.0], [0.2 - 21 / 125, 0.2 - 28 / 125])])
def test_clip_by_norm_gradient_is_finite_at_zero(values, expected):
    v = tf.Variable(values)
    (grad,) = tf.gradients(tf.reduce_sum(tf.clip_by_norm(v, 1.0)), v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(grad), expected, rtol=1e-5)


def test_the_exponents_gradient_is_zero_where_the_base_is_not_positive():
    """TF's Pow gradient takes log(x) as 0 wherever x <= 0 (PyTorch's gives NaN for a negative base): tf.pow and
    the ``**`` operator alike; eager mode keeps PyTorch's."""
    x, y = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    feed = {x: [-2.0, 3.0, 0.0], y: [2.0, 2.0, 2.0]}
    for power in (tf.pow(x, y), x ** y):
        grad_x, grad_y = run(tf.gradients(tf.reduce_sum(power), [x, y]), feed)
        np.testing.assert_allclose(grad_x, [-4.0, 6.0, 0.0])
        np.testing.assert_allclose(grad_y, [0.0, 9 * np.log(3), 0.0])
    base, exponent = torch.tensor([-2.0, 3.0], requires_grad=True), torch.tensor([2.0, 2.0], requires_grad=True)
    (base ** exponent).sum().backward()
    assert np.isnan(exponent.grad[0].item()) and exponent.grad[1].item() == pytest.approx(9 * np.log(3))
