"""``tf.nn.lrn``, ``zero_fraction``, ``swish``, ``crelu``, ``depthwise_conv2d``, ``separable_conv2d`` and
``tf.layers.separable_conv2d``: values against numpy loops, gradients against central differences (float64),
variables, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


def lrn_reference(x, r, bias, alpha, beta):
    """TF's definition, written out: the sum of squares over channels d - r .. d + r."""
    channels = x.shape[-1]
    sqr_sum = np.zeros_like(x)
    for d in range(channels):
        sqr_sum[..., d] = (x[..., max(d - r, 0):d + r + 1] ** 2).sum(-1)
    return x / (bias + alpha * sqr_sum) ** beta


def depthwise_reference(x, w, stride=1, rate=1):
    """VALID depthwise convolution of NHWC ``x`` with ``w`` [kh, kw, in, multiplier], as loops."""
    kh, kw, channels, multiplier = w.shape
    eh, ew = (kh - 1) * rate + 1, (kw - 1) * rate + 1
    out_h, out_w = (x.shape[1] - eh) // stride + 1, (x.shape[2] - ew) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, channels * multiplier))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride:i * stride + eh:rate, j * stride:j * stride + ew:rate, :]
            for c in range(channels):
                for m in range(multiplier):
                    out[:, i, j, c * multiplier + m] = (patch[..., c] * w[:, :, c, m]).sum((1, 2))
    return out


def test_lrn_against_tf_definition():
    x = RNG.standard_normal((2, 3, 4, 7)).astype(np.float32)
    np.testing.assert_allclose(run(tf.nn.lrn(x)), lrn_reference(x, 5, 1, 1, 0.5), rtol=1e-5)
    got = run(tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-1, beta=0.75))
    np.testing.assert_allclose(got, lrn_reference(x, 2, 2.0, 1e-1, 0.75), rtol=1e-5)
    assert tf.nn.lrn is tf.nn.local_response_normalization and tf.nn.lrn(x, name="norm1").name == "norm1:0"
    check_gradients(lambda t: tf.nn.lrn(t, depth_radius=1, bias=1.5, alpha=0.3, beta=0.75),
                    RNG.standard_normal((1, 2, 2, 4)))
    with pytest.raises(ValueError, match="must be rank 4"):
        tf.nn.lrn(tf.zeros([2, 3]))


def test_small_activations():
    x = np.array([[-2.0, 0.0, 1.5], [0.0, 3.0, -0.5]], np.float32)
    np.testing.assert_allclose(run(tf.nn.zero_fraction(x)), 2 / 6)
    assert tf.nn.zero_fraction(tf.zeros([3], tf.int32)).dtype == tf.float32
    np.testing.assert_allclose(run(tf.nn.swish(x)), x / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_array_equal(run(tf.nn.crelu(x)), np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1))
    assert tf.nn.crelu(x, axis=0).shape == (4, 3)
    check_gradients(tf.nn.swish, RNG.standard_normal((2, 3)))
    check_gradients(tf.nn.crelu, RNG.standard_normal((2, 3)) + 0.1)


@pytest.mark.parametrize("strides, rate", [([1, 1, 1, 1], None), ([1, 2, 2, 1], None), ([1, 1, 1, 1], [2, 2])])
def test_depthwise_conv2d_against_loops(strides, rate):
    x, w = RNG.standard_normal((2, 7, 6, 3)), RNG.standard_normal((3, 2, 3, 2))
    y = tf.nn.depthwise_conv2d(x, w, strides, "VALID", rate=rate)
    expected = depthwise_reference(x, w, strides[1], 1 if rate is None else rate[0])
    assert y.shape == expected.shape
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-12)


def test_depthwise_conv2d_same_padding_nchw_and_gradients():
    x, w = RNG.standard_normal((1, 5, 5, 2)), RNG.standard_normal((3, 3, 2, 3))
    same = run(tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"))
    np.testing.assert_allclose(same, depthwise_reference(np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)]), w), atol=1e-12)
    nchw = tf.nn.depthwise_conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 1, 1], "SAME", data_format="NCHW")
    np.testing.assert_allclose(run(nchw).transpose(0, 2, 3, 1), same, atol=1e-12)
    check_gradients(lambda a, b: tf.nn.depthwise_conv2d(a, b, [1, 2, 2, 1], "SAME"),
                    RNG.standard_normal((1, 4, 4, 2)), RNG.standard_normal((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.nn.depthwise_conv2d(x, RNG.standard_normal((3, 3, 3, 1)), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with rate > 1"):
        tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", rate=[2, 2])


def test_separable_conv2d():
    x, dw, pw = RNG.standard_normal((2, 6, 6, 3)), RNG.standard_normal((3, 3, 3, 2)), RNG.standard_normal((1, 1, 6, 4))
    y = tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "VALID")
    expected = np.einsum("bhwc,co->bhwo", depthwise_reference(x, dw), pw[0, 0])
    assert y.shape == (2, 4, 4, 4)
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-12)
    check_gradients(lambda a, b, c: tf.nn.separable_conv2d(a, b, c, [1, 1, 1, 1], "SAME"),
                    RNG.standard_normal((1, 3, 3, 2)), RNG.standard_normal((2, 2, 2, 1)),
                    RNG.standard_normal((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="pointwise filter must have shape"):
        tf.nn.separable_conv2d(x, dw, RNG.standard_normal((2, 2, 6, 4)), [1, 1, 1, 1], "VALID")


def test_separable_conv2d_layer():
    inputs = tf.placeholder(tf.float32, [None, 8, 8, 3])
    out = tf.layers.separable_conv2d(inputs, 5, 3, depth_multiplier=2, padding="same", activation=tf.nn.relu)
    assert out.shape.as_list() == [None, 8, 8, 5]
    variables = {v.name: v.shape.as_list() for v in tf.trainable_variables()}
    assert variables == {"separable_conv2d/depthwise_kernel:0": [3, 3, 3, 2],
                         "separable_conv2d/pointwise_kernel:0": [1, 1, 6, 5], "separable_conv2d/bias:0": [5]}
    depthwise, pointwise, bias = tf.trainable_variables()
    by_hand = tf.nn.relu(tf.nn.separable_conv2d(inputs, depthwise, pointwise, [1, 1, 1, 1], "SAME") + bias)
    x = RNG.standard_normal((2, 8, 8, 3)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(bias, [0.1, -0.2, 0.3, 0.0, 0.5]))
        got, expected = sess.run([out, by_hand], {inputs: x})
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    layer = tf.layers.SeparableConv2D(4, (3, 3), name="sep")
    first, second = layer(inputs), layer(inputs)
    assert first.shape.as_list() == [None, 6, 6, 4] and second.shape == first.shape
    assert [v.name for v in layer.weights] == ["sep/depthwise_kernel:0", "sep/pointwise_kernel:0", "sep/bias:0"]
