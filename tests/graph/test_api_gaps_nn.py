"""TF1 neural-network functions added by the compatibility sweep: tf.nn.l2_normalize, xw_plus_b,
weighted_cross_entropy_with_logits, conv1d, conv2d_transpose and the 1-D pools; tf.layers.conv1d, conv2d_transpose,
the 1-D pooling layers and the layer classes (Dense, Conv2D, ...); tf.losses.log_loss, hinge_loss and
cosine_distance — values against numpy, gradients against central differences, TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(1)


# ================================================================================================ tf.nn

def test_l2_normalize_axes_and_epsilon():
    x = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x, axis=1)), x / np.linalg.norm(x, axis=1, keepdims=True))
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x)), x / np.linalg.norm(x))
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x, dim=[0])), x / np.linalg.norm(x, axis=0, keepdims=True))
    assert run(tf.nn.l2_normalize(np.zeros(3))).tolist() == [0.0, 0.0, 0.0]  # epsilon: no NaN
    check_gradients(lambda t: tf.nn.l2_normalize(t, 1), x)


def test_xw_plus_b():
    x, w, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    np.testing.assert_allclose(run(tf.nn.xw_plus_b(x, w, b)), x @ w + b)
    check_gradients(tf.nn.xw_plus_b, x, w, b)


def test_weighted_cross_entropy_with_logits():
    logits, labels = RNG.standard_normal((3, 2)) * 3, RNG.uniform(size=(3, 2))
    q = 2.5
    log_sigmoid = -np.logaddexp(0, -logits)
    expected = -(q * labels * log_sigmoid + (1 - labels) * (log_sigmoid - logits))
    got = tf.nn.weighted_cross_entropy_with_logits(labels=labels, logits=logits, pos_weight=q)
    np.testing.assert_allclose(run(got), expected, rtol=1e-12)
    np.testing.assert_allclose(run(tf.nn.weighted_cross_entropy_with_logits(targets=labels, logits=logits,
                                                                            pos_weight=1.0)),
                               run(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)))
    check_gradients(lambda t: tf.nn.weighted_cross_entropy_with_logits(labels, t, q), logits)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.weighted_cross_entropy_with_logits(labels=labels[:2], logits=logits, pos_weight=q)


def conv1d_reference(x, w, stride, pads):
    """NWC cross-correlation with explicit (before, after) padding."""
    x = np.pad(x, ((0, 0), pads, (0, 0)))
    k = w.shape[0]
    out = (x.shape[1] - k) // stride + 1
    return np.stack([np.einsum("nkc,kco->no", x[:, i * stride:i * stride + k], w) for i in range(out)], 1)


@pytest.mark.parametrize("width, k, stride, padding, pads", [
    (7, 3, 1, "VALID", (0, 0)), (7, 3, 2, "SAME", (1, 1)), (8, 4, 3, "SAME", (1, 2))])
def test_conv1d_against_numpy(width, k, stride, padding, pads):
    x, w = RNG.standard_normal((2, width, 3)), RNG.standard_normal((k, 3, 4))
    got = tf.nn.conv1d(x, w, stride, padding)
    np.testing.assert_allclose(run(got), conv1d_reference(x, w, stride, pads), rtol=1e-10)
    channels_first = tf.nn.conv1d(x.transpose(0, 2, 1), w, [1, 1, stride], padding, data_format="NCW")
    np.testing.assert_allclose(run(channels_first).transpose(0, 2, 1), run(got), rtol=1e-10)


def test_conv1d_gradients_and_errors():
    check_gradients(lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"), RNG.standard_normal((1, 5, 2)),
                    RNG.standard_normal((3, 2, 2)))
    with pytest.raises(ValueError, match="rank 3"):
        tf.nn.conv1d(np.ones((2, 5)), np.ones((3, 1, 1)), 1, "VALID")
    with pytest.raises(ValueError, match='"NWC" or "NCW"'):
        tf.nn.conv1d(np.ones((1, 5, 1)), np.ones((3, 1, 1)), 1, "VALID", data_format="NHW")


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("out_hw, k, stride", [((7, 8), 3, 2), ((6, 5), 2, 2), ((5, 5), 3, 1), ((9, 7), 3, 3)])
def test_conv2d_transpose_is_the_gradient_of_conv2d(out_hw, k, stride, padding):
    """TF's definition: conv2d_transpose(v, w, shape(y)) = d<conv2d(y, w), v>/dy."""
    y = tf.constant(RNG.standard_normal((2,) + out_hw + (3,)))
    w = tf.constant(RNG.standard_normal((k, k, 3, 4)))
    conv = tf.nn.conv2d(y, w, [1, stride, stride, 1], padding)
    v = tf.constant(RNG.standard_normal(conv.shape.as_list()))
    expected = tf.gradients(conv, y, grad_ys=v)[0]
    got = tf.nn.conv2d_transpose(v, w, [2, *out_hw, 3], [1, stride, stride, 1], padding)
    assert got.shape == (2, *out_hw, 3)
    np.testing.assert_allclose(*run([got, expected]), rtol=1e-10, atol=1e-12)


def test_conv2d_transpose_nchw_tensor_batch_and_gradients():
    x, w = RNG.standard_normal((2, 3, 3, 2)), RNG.standard_normal((3, 3, 4, 2))
    nhwc = tf.nn.conv2d_transpose(x, w, [2, 6, 6, 4], [1, 2, 2, 1])
    value = tf.placeholder(tf.float64, [None, 2, 3, 3])
    nchw = tf.nn.conv2d_transpose(value, w, tf.stack([tf.shape(value)[0], 4, 6, 6]), [1, 1, 2, 2],
                                  data_format="NCHW")
    np.testing.assert_allclose(run(nchw, {value: x.transpose(0, 3, 1, 2)}), run(nhwc).transpose(0, 3, 1, 2))
    with_batch_tensor = tf.nn.conv2d_transpose(tf.constant(x), w, [tf.shape(x)[0], 6, 6, 4], 2)
    np.testing.assert_allclose(run(with_batch_tensor), run(nhwc))
    check_gradients(lambda a, b: tf.nn.conv2d_transpose(a, b, [1, 5, 4, 2], [1, 2, 2, 1], "SAME"),
                    RNG.standard_normal((1, 3, 2, 2)), RNG.standard_normal((2, 2, 2, 2)))


def test_conv2d_transpose_errors():
    x, w = np.ones((1, 3, 3, 2)), np.ones((3, 3, 4, 2))
    with pytest.raises(ValueError, match="output_shape does not match filter's output channels, 5 != 4"):
        tf.nn.conv2d_transpose(x, w, [1, 6, 6, 5], 2)
    with pytest.raises(ValueError, match="input channels does not match filter's input channels"):
        tf.nn.conv2d_transpose(np.ones((1, 3, 3, 3)), w, [1, 6, 6, 4], 2)
    with pytest.raises(ValueError, match="Size of out_backprop doesn't match computed: actual = 3, computed = 4"):
        tf.nn.conv2d_transpose(x, w, [1, 8, 8, 4], 2)
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d_transpose(x, w, [1, 6, 6, 4], 2, padding="FULL")
    with pytest.raises(NotImplementedError, match="output_shape"):
        tf.nn.conv2d_transpose(x, w, tf.placeholder(tf.int32, [4]), 2)


def test_pool1d_against_numpy():
    x = RNG.standard_normal((2, 7, 3))
    windows = np.stack([x[:, i:i + 3] for i in range(0, 5, 2)], 1)  # VALID, size 3, stride 2
    np.testing.assert_allclose(run(tf.nn.max_pool1d(x, 3, 2, "VALID")), windows.max(2))
    np.testing.assert_allclose(run(tf.nn.avg_pool1d(x, [3], [2], "VALID")), windows.mean(2))
    same = run(tf.nn.avg_pool1d(x, 2, 2, "SAME"))  # the last window holds one real value
    np.testing.assert_allclose(same[:, -1], x[:, -1])


# ================================================================================================ tf.layers

def test_layers_conv2d_transpose_shapes_and_variables():
    images = tf.placeholder(tf.float32, [None, 5, 5, 3])
    valid = tf.layers.conv2d_transpose(images, 4, 3, strides=2)
    same = tf.layers.conv2d_transpose(images, 2, (2, 2), strides=(2, 2), padding="same", use_bias=False)
    assert valid.shape.as_list() == [None, 11, 11, 4] and same.shape.as_list() == [None, 10, 10, 2]
    assert [(v.name, v.shape.as_list()) for v in tf.trainable_variables()] == [
        ("conv2d_transpose/kernel:0", [3, 3, 4, 3]), ("conv2d_transpose/bias:0", [4]),
        ("conv2d_transpose_1/kernel:0", [2, 2, 2, 3])]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(valid, {images: np.ones((2, 5, 5, 3))}).shape == (2, 11, 11, 4)


def test_layers_conv1d_and_pooling1d():
    seq = tf.placeholder(tf.float64, [None, 9, 2])
    out = tf.layers.conv1d(seq, 3, 3, strides=2, padding="same", activation=tf.nn.relu, name="c1")
    assert out.shape.as_list() == [None, 5, 3]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[3, 2, 3], [3]]
    pooled = tf.layers.max_pooling1d(seq, 2, 2)
    averaged = tf.layers.average_pooling1d(seq, 3, 1, padding="same", data_format="channels_last")
    x = RNG.standard_normal((2, 9, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run(tf.global_variables())
        got, p, a = sess.run([out, pooled, averaged], {seq: x})
    np.testing.assert_allclose(got, np.maximum(conv1d_reference(x, kernel, 2, (1, 1)) + bias, 0), rtol=1e-6)
    np.testing.assert_allclose(p, np.maximum(x[:, 0:8:2], x[:, 1:9:2]))
    assert a.shape == (2, 9, 2)
    np.testing.assert_allclose(a[:, 4], x[:, 3:6].mean(1))


def test_dense_object_reuses_its_variables():
    x = tf.placeholder(tf.float32, [None, 3])
    layer = tf.layers.Dense(4, activation=tf.nn.relu)
    assert layer.weights == [] and not layer.built
    first, second = layer(x), layer(x * 2.0)
    assert [v.name for v in layer.trainable_variables] == ["dense/kernel:0", "dense/bias:0"]
    assert layer.kernel is layer.weights[0] and layer.bias is layer.weights[1] and layer.units == 4
    assert layer.name == "dense" and len(tf.trainable_variables()) == 2
    assert first.op.name.startswith("dense/") and second.op.name.startswith("dense/")  # each call re-enters it
    assert layer.apply(x).shape.as_list() == [None, 4]
    other = tf.layers.dense(x, 2)  # the next unnamed layer is a new one
    assert other.shape.as_list() == [None, 2] and tf.trainable_variables()[2].name == "dense_1/kernel:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([first, second], {x: np.ones((1, 3))})
        kernel, bias = sess.run([layer.kernel, layer.bias])
    np.testing.assert_allclose(a, np.maximum(np.ones((1, 3)) @ kernel + bias, 0), rtol=1e-6)
    np.testing.assert_allclose(b, np.maximum(2 * np.ones((1, 3)) @ kernel + bias, 0), rtol=1e-6)


def test_layer_objects_conv_pool_flatten_dropout_batch_norm():
    images = tf.placeholder(tf.float32, [None, 6, 6, 2])
    conv = tf.layers.Conv2D(3, 3, padding="same", name="conv", trainable=False)
    h = tf.layers.MaxPooling2D(2, 2)(conv(images))
    flat = tf.layers.Flatten()(h)
    dropped = tf.layers.Dropout(0.5)(flat, training=True)
    kept = tf.layers.Dropout(0.5)(flat)
    norm = tf.layers.BatchNormalization(name="bn")
    normalized = norm(flat, training=True)
    assert conv(images).shape.as_list() == [None, 6, 6, 3]  # a second call: the same variables
    assert [v.name for v in conv.weights] == ["conv/kernel:0", "conv/bias:0"]
    assert conv.trainable_variables == [] and conv.non_trainable_variables == conv.weights
    assert flat.shape.as_list() == [None, 27] and dropped.shape.as_list() == [None, 27]
    assert [v.name for v in norm.weights] == ["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0"]
    assert norm.moving_mean is norm.weights[2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        d, k, n = sess.run([dropped, kept, normalized], {images: RNG.standard_normal((4, 6, 6, 2))})
        f = sess.run(flat, {images: np.zeros((4, 6, 6, 2))})
    assert set(np.unique(np.round(d / np.where(k == 0, 1, k), 6))) <= {0.0, 2.0}
    np.testing.assert_allclose(n.mean(0), 0, atol=1e-5)
    assert f.shape == (4, 27)
    with pytest.raises(TypeError):
        tf.layers.Dense(3, no_such_argument=1)


# ================================================================================================ tf.losses

LABELS = RNG.integers(0, 2, (4, 3)).astype(np.float64)
PROBABILITIES = RNG.uniform(0.05, 0.95, (4, 3))


def test_log_loss():
    eps = 1e-7
    expected = -LABELS * np.log(PROBABILITIES + eps) - (1 - LABELS) * np.log(1 - PROBABILITIES + eps)
    loss = tf.losses.log_loss(LABELS, tf.constant(PROBABILITIES))
    np.testing.assert_allclose(run(loss), expected.mean(), rtol=1e-12)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    none = tf.losses.log_loss(LABELS, PROBABILITIES, weights=[[1.0], [0.0], [2.0], [1.0]],
                              reduction=tf.losses.Reduction.NONE)
    np.testing.assert_allclose(run(none), expected * [[1.0], [0.0], [2.0], [1.0]], rtol=1e-12)
    check_gradients(lambda p: tf.losses.log_loss(LABELS, p), PROBABILITIES)


def test_hinge_loss_reads_labels_as_plus_minus_one():
    logits = RNG.standard_normal((4, 3))
    expected = np.maximum(0, 1 - (2 * LABELS - 1) * logits)
    np.testing.assert_allclose(run(tf.losses.hinge_loss(LABELS, tf.constant(logits))), expected.mean(), rtol=1e-12)
    np.testing.assert_allclose(run(tf.losses.hinge_loss(LABELS, logits, reduction=tf.losses.Reduction.SUM)),
                               expected.sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.hinge_loss(LABELS, logits[:, :2])


def test_cosine_distance_axis_and_dim():
    a = RNG.standard_normal((4, 3))
    b = RNG.standard_normal((4, 3))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    per_example = tf.losses.cosine_distance(a, tf.constant(b), axis=1, reduction=tf.losses.Reduction.NONE)
    assert per_example.shape == (4, 1)
    np.testing.assert_allclose(run(per_example), 1 - (a * b).sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(run(tf.losses.cosine_distance(a, b, dim=1)), (1 - (a * b).sum(1)).mean())
    check_gradients(lambda p: tf.losses.cosine_distance(a, p, axis=1), b)
    with pytest.raises(ValueError, match="You must specify 'axis'."):
        tf.losses.cosine_distance(a, b)
