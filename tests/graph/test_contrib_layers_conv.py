"""tf.contrib.layers' image layers: conv2d, max_pool2d/avg_pool2d, dropout and batch_norm, checked against numpy
written here (windows by explicit slicing, moments and moving averages by hand)."""
import numpy as np
import pytest

import minidl.graph as tf

contrib = tf.contrib.layers


@pytest.fixture(autouse=True)
def seeded(graph):
    tf.set_random_seed(0)


@pytest.fixture
def rng():
    """Each test's own numpy generator, so that its data do not depend on which tests ran before."""
    return np.random.default_rng(0)


def _same_pads(n, k, s, r):
    """TF's SAME padding along one axis: (before, after) for n inputs, kernel k, stride s, dilation r."""
    extent = (k - 1) * r + 1
    total = max((-(-n // s) - 1) * s + extent - n, 0)
    return total // 2, total - total // 2


def _conv_reference(x, w, stride, rate, padding):
    """out[b, i, j, o] = Σ_{p,q,c} xpad[b, i*sh + p*rh, j*sw + q*rw, c] w[p, q, c, o], for NHWC x and HWIO w."""
    (kh, kw), (sh, sw), (rh, rw) = w.shape[:2], stride, rate
    if padding == "SAME":
        x = np.pad(x, [(0, 0), _same_pads(x.shape[1], kh, sh, rh), _same_pads(x.shape[2], kw, sw, rw), (0, 0)])
    oh, ow = (x.shape[1] - (kh - 1) * rh - 1) // sh + 1, (x.shape[2] - (kw - 1) * rw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * sh: i * sh + (kh - 1) * rh + 1: rh, j * sw: j * sw + (kw - 1) * rw + 1: rw, :]
            out[:, i, j, :] = np.einsum("bpqc,pqco->bo", window, w)
    return out


def _pool_reference(x, kernel, stride, padding, reduce):
    """``reduce`` over each kernel window (moved by stride) of NHWC x; SAME windows hold only the real pixels."""
    (kh, kw), (sh, sw) = kernel, stride
    n, h, w, c = x.shape
    if padding == "SAME":
        (top, _), (left, _) = _same_pads(h, kh, sh, 1), _same_pads(w, kw, sw, 1)
        oh, ow = -(-h // sh), -(-w // sw)
    else:
        top = left = 0
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            rows = slice(max(i * sh - top, 0), i * sh - top + kh)
            cols = slice(max(j * sw - left, 0), j * sw - left + kw)
            out[:, i, j, :] = reduce(x[:, rows, cols, :], axis=(1, 2))
    return out


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


# ---------------------------------------------------------------------------------------------------- conv2d

def test_conv2d_is_relu_of_a_same_convolution_plus_biases_with_contrib_names(rng):
    x = tf.placeholder(tf.float32, [None, 5, 6, 3])
    y = contrib.conv2d(x, 4, 3, biases_initializer=tf.constant_initializer(0.1))
    second = contrib.conv2d(y, 2, [3, 1])
    assert [(v.name, v.shape.as_list()) for v in tf.global_variables()] == [
        ("Conv/weights:0", [3, 3, 3, 4]), ("Conv/biases:0", [4]), ("Conv_1/weights:0", [3, 1, 4, 2]),
        ("Conv_1/biases:0", [2])]
    assert tf.model_variables() == tf.global_variables() == tf.trainable_variables()
    assert contrib.convolution2d is contrib.conv2d  # TF's other name for it
    assert y.shape.as_list() == [None, 5, 6, 4] and second.shape.as_list() == [None, 5, 6, 2]
    x_value = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, b = sess.run(tf.global_variables()[:2])
        y_value = sess.run(y, {x: x_value})
    np.testing.assert_allclose(b, 0.1)
    reference = _conv_reference(x_value, w, (1, 1), (1, 1), "SAME") + b
    np.testing.assert_allclose(y_value, np.maximum(reference, 0), rtol=1e-5, atol=1e-5)
    assert (y_value == 0).any() and (y_value > 0).any()


@pytest.mark.parametrize("kernel_size, stride, rate, padding", [
    ((2, 3), 2, 1, "SAME"), ([3, 2], (1, 2), 1, "VALID"), (3, 1, 2, "SAME"), (2, 1, (2, 1), "valid"),
    (3, 3, 1, "same")])
def test_conv2d_strides_rates_and_padding_match_the_reference(kernel_size, stride, rate, padding, rng):
    x_value = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    y = contrib.conv2d(tf.constant(x_value), 4, kernel_size, stride, padding, rate=rate, activation_fn=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, y_value = sess.run([tf.global_variables()[0], y])
    reference = _conv_reference(x_value, w, _pair(stride), _pair(rate), padding.upper())
    assert y.shape.as_list() == list(reference.shape)
    np.testing.assert_allclose(y_value, reference, rtol=1e-5, atol=1e-5)


def test_conv2d_nchw_puts_the_channels_second(rng):
    x_value = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)  # NCHW
    y = contrib.conv2d(x_value, 2, 3, stride=2, data_format="NCHW", activation_fn=None,
                       biases_initializer=tf.constant_initializer([1.0, -1.0]))
    assert tf.global_variables()[0].shape.as_list() == [3, 3, 3, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, y_value = sess.run([tf.global_variables()[0], y])
    reference = _conv_reference(x_value.transpose(0, 2, 3, 1), w, (2, 2), (1, 1), "SAME") + [1.0, -1.0]
    np.testing.assert_allclose(y_value, reference.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)


def test_conv2d_options_collections_and_reuse(rng):
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    y = contrib.conv2d(x, 3, 2, weights_regularizer=contrib.l2_regularizer(0.5), biases_initializer=None,
                       variables_collections=["conv_vars"], outputs_collections=["outs"], trainable=False,
                       scope="conv")
    again = contrib.conv2d(x, 3, 2, biases_initializer=None, scope="conv", reuse=True)
    (weights,) = tf.global_variables()
    assert weights.name == "conv/weights:0" and tf.get_collection("conv_vars") == [weights]
    assert tf.trainable_variables() == [] and tf.get_collection("outs") == [y]
    (penalty,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        x_value = rng.standard_normal((1, 4, 4, 2)).astype(np.float32)
        w, y_value, again_value, penalty_value = sess.run([weights, y, again, penalty], {x: x_value})
    np.testing.assert_array_equal(again_value, y_value)
    np.testing.assert_allclose(y_value, np.maximum(_conv_reference(x_value, w, (1, 1), (1, 1), "SAME"), 0),
                               rtol=1e-5, atol=1e-6)
    assert penalty_value == pytest.approx(0.5 * (w ** 2).sum() / 2, rel=1e-5)


def _central_differences(loss_at, value, eps=1e-6):
    """d loss / d value, entry by entry: (loss(value + eps) - loss(value - eps)) / 2 eps."""
    numeric = np.zeros_like(value)
    for index in np.ndindex(*value.shape):
        plus, minus = value.copy(), value.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric[index] = (loss_at(plus) - loss_at(minus)) / (2 * eps)
    return numeric


def test_conv2d_gradients_match_central_differences(rng):
    x = tf.placeholder(tf.float64, [1, 5, 4, 2])
    y = contrib.conv2d(x, 2, 3, stride=2, activation_fn=tf.tanh, biases_initializer=tf.constant_initializer(0.1))
    loss = tf.reduce_sum(y * rng.standard_normal((1, 3, 2, 2)))  # weights every output differently
    x_value = rng.standard_normal((1, 5, 4, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        grads = sess.run(tf.gradients(loss, [x] + tf.global_variables()), {x: x_value})
        expected = [_central_differences(lambda value: sess.run(loss, {x: value}), x_value)]
        for variable in tf.global_variables():  # the weights, then the biases
            def loss_at(value, variable=variable):
                variable.load(value, sess)
                return sess.run(loss, {x: x_value})
            original = sess.run(variable)
            expected.append(_central_differences(loss_at, original))
            variable.load(original, sess)
    for grad, numeric in zip(grads, expected):
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("make, message", [
    (lambda x: contrib.conv2d(tf.placeholder(tf.float32, [None, 5, 3]), 2, 3),
     r"conv2d: inputs must be 4-D, \[batch, height, width, channels\]"),
    (lambda x: contrib.conv2d(x, 2, (3, 3, 3)),
     "conv2d: The `kernel_size` argument must be a tuple of 2 integers"),
    (lambda x: contrib.conv2d(x, 2, 3.0), "conv2d: kernel_size must be an int or a pair of ints, got 3.0"),
    (lambda x: contrib.conv2d(x, 2, 0), "conv2d: kernel_size must be at least 1, got 0"),
    (lambda x: contrib.conv2d(x, 2, 3, stride=2, rate=2),
     "conv2d: a stride above 1 cannot be combined with a rate above 1"),
    (lambda x: contrib.conv2d(x, 2, 3, padding="FULL"), "conv2d: The `padding` argument must be one"),
    (lambda x: contrib.conv2d(x, 2, 3, data_format="NCW"), "conv2d: data_format has to be either"),
    (lambda x: contrib.conv2d(x, 2.0, 3), "conv2d: num_outputs type should be one of"),
    (lambda x: contrib.conv2d(tf.placeholder(tf.float32, [None, 5, 5, None]), 2, 3),
     "conv2d: the number of input channels must be known")])
def test_conv2d_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make(tf.placeholder(tf.float32, [None, 5, 5, 3]))


# ------------------------------------------------------------------------------------------------------ pools

@pytest.mark.parametrize("kernel_size, stride, padding", [(2, 2, "VALID"), ((3, 2), 1, "VALID"), (3, 2, "SAME"),
                                                          ([2, 3], (2, 1), "same")])
@pytest.mark.parametrize("layer, reduce", [(contrib.max_pool2d, np.max), (contrib.avg_pool2d, np.mean)])
def test_pools_match_the_window_reference(layer, reduce, kernel_size, stride, padding, rng):
    x_value = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    y_value = tf.Session().run(layer(x_value, kernel_size, stride, padding))
    reference = _pool_reference(x_value, _pair(kernel_size), _pair(stride), padding.upper(), reduce)
    np.testing.assert_allclose(y_value, reference, rtol=1e-6, atol=1e-7)


def test_pool_defaults_names_nchw_and_collections(rng):
    x_value = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)  # NCHW
    nhwc = tf.constant(x_value.transpose(0, 2, 3, 1))
    default = contrib.max_pool2d(nhwc, 2, outputs_collections=["pools"])
    average = contrib.avg_pool2d(x_value, 2, data_format="NCHW", scope="pool", outputs_collections="end_points")
    assert default.shape.as_list() == [2, 2, 2, 3] and average.shape.as_list() == [2, 3, 2, 2]
    assert default.name.startswith("MaxPool2D/") and average.name.startswith("pool/")
    assert tf.get_collection("pools") == [default]
    assert tf.get_collection("end_points") == [average]  # one collection's name (slim's end points), not letters
    default_value, average_value = tf.Session().run([default, average])
    nhwc_value = x_value.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(default_value, _pool_reference(nhwc_value, (2, 2), (2, 2), "VALID", np.max))
    average_reference = _pool_reference(nhwc_value, (2, 2), (2, 2), "VALID", np.mean)
    np.testing.assert_allclose(average_value, average_reference.transpose(0, 3, 1, 2), rtol=1e-6)


def test_pool_bad_arguments():
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    with pytest.raises(ValueError, match=r"max_pool2d: inputs must be 4-D, .* got shape \(\?, 4\)"):
        contrib.max_pool2d(tf.placeholder(tf.float32, [None, 4]), 2)
    with pytest.raises(ValueError, match="avg_pool2d: The `stride` argument must be a tuple of 2 integers"):
        contrib.avg_pool2d(x, 2, stride=[1, 1, 1])
    with pytest.raises(ValueError, match="max_pool2d: data_format has to be either NCHW or NHWC, got 'NWC'"):
        contrib.max_pool2d(x, 2, data_format="NWC")
    with pytest.raises(ValueError, match="avg_pool2d: The `padding` argument"):
        contrib.avg_pool2d(x, 2, padding="full")


# ---------------------------------------------------------------------------------------------------- dropout

def test_dropout_keeps_with_probability_keep_prob_and_scales_by_its_inverse(rng):
    x_value = rng.uniform(1, 2, (200, 50)).astype(np.float32)
    y = contrib.dropout(x_value, keep_prob=0.8, outputs_collections=["outs"])
    assert y.name.startswith("Dropout/") and tf.get_collection("outs") == [y]
    assert contrib.dropout(x_value).name.startswith("Dropout_1/")
    y_value = tf.Session().run(y)
    kept = y_value != 0
    assert kept.mean() == pytest.approx(0.8, abs=0.02)
    np.testing.assert_allclose(y_value[kept], x_value[kept] / 0.8, rtol=1e-6)
    np.testing.assert_array_equal(tf.Session().run(contrib.dropout(x_value, is_training=False)), x_value)


def test_dropout_with_is_training_and_keep_prob_fed_at_run_time(rng):
    x = tf.placeholder(tf.float32, [None, 4])
    is_training = tf.placeholder_with_default(False, ())
    keep_prob = tf.placeholder(tf.float32)
    y = contrib.dropout(x, keep_prob, is_training=is_training)
    (grad,) = tf.gradients(tf.reduce_sum(y), x)
    x_value = rng.uniform(1, 2, (100, 4)).astype(np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: x_value, keep_prob: 0.5}), x_value)
        y_value, grad_value = sess.run([y, grad], {x: x_value, keep_prob: 0.5, is_training: True})
    kept = y_value != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(y_value[kept], 2 * x_value[kept], rtol=1e-6)
    np.testing.assert_array_equal(grad_value, 2.0 * kept)  # the gradient goes through the mask of the forward pass


def test_dropout_noise_shape_and_bad_arguments():
    y_value = tf.Session().run(contrib.dropout(np.ones((50, 6), np.float32), 0.5, noise_shape=[50, 1]))
    assert set(np.unique(y_value)) == {0.0, 2.0} and (y_value == y_value[:, :1]).all()  # whole rows dropped
    with pytest.raises(ValueError, match=r"dropout: keep_prob must be a scalar tensor or a float in the range \(0, 1"):
        contrib.dropout(np.ones(3, np.float32), keep_prob=0.0)
    with pytest.raises(ValueError, match="dropout: x has to be a floating point tensor"):
        contrib.dropout(np.ones(3, np.int32))


# ------------------------------------------------------------------------------------------------- batch_norm

EPSILON = 1e-3


def test_batch_norm_variables_and_their_collections():
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    contrib.batch_norm(x)
    contrib.batch_norm(x, scale=True, trainable=False, param_initializers={"gamma": tf.constant_initializer(2.0)},
                       param_regularizers={"gamma": contrib.l2_regularizer(0.5)},
                       variables_collections={"moving_mean": ["means"]})
    assert [(v.name, v.shape.as_list()) for v in tf.global_variables()] == [
        ("BatchNorm/beta:0", [2]), ("BatchNorm/moving_mean:0", [2]), ("BatchNorm/moving_variance:0", [2]),
        ("BatchNorm_1/gamma:0", [2]), ("BatchNorm_1/beta:0", [2]), ("BatchNorm_1/moving_mean:0", [2]),
        ("BatchNorm_1/moving_variance:0", [2])]
    assert tf.model_variables() == tf.global_variables()
    assert [v.name for v in tf.trainable_variables()] == ["BatchNorm/beta:0"]  # no gamma by default
    assert [v.name for v in tf.get_collection("means")] == ["BatchNorm_1/moving_mean:0"]
    assert [op.name for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)] == [  # TF1's names: the scope once
        "BatchNorm/AssignMovingAvg:0", "BatchNorm/AssignMovingAvg_1:0", "BatchNorm_1/AssignMovingAvg:0",
        "BatchNorm_1/AssignMovingAvg_1:0"]
    (penalty,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run("BatchNorm_1/gamma:0"), [2.0, 2.0])
        assert sess.run(penalty) == pytest.approx(0.5 * 8 / 2)


def test_batch_norm_trains_on_batch_moments_moves_the_averages_and_infers_with_them(rng):
    x = tf.placeholder(tf.float32, [None, 2, 3, 2])
    gamma, beta = np.array([2.0, 3.0]), np.array([0.5, -0.5])
    initializers = {"gamma": tf.constant_initializer(gamma), "beta": tf.constant_initializer(beta)}
    y = contrib.batch_norm(x, decay=0.9, scale=True, param_initializers=initializers, activation_fn=tf.nn.relu,
                           outputs_collections=["outs"])
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    inference = contrib.batch_norm(x, decay=0.9, scale=True, is_training=False, scope="BatchNorm", reuse=True)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == updates and tf.get_collection("outs") == [y]
    moving_mean, moving_variance = tf.global_variables()[2:]
    expected_mean, expected_variance = np.zeros(2), np.ones(2)
    n = 4 * 2 * 3  # values per channel in a batch
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for loc in (1.0, 3.0, -2.0):
            batch = rng.normal(loc, 2.0, (4, 2, 3, 2)).astype(np.float32)
            y_value, _ = sess.run([y, updates], {x: batch})
            mean, variance = batch.mean((0, 1, 2)), batch.var((0, 1, 2))
            np.testing.assert_allclose(y_value, np.maximum((batch - mean) / np.sqrt(variance + EPSILON) * gamma + beta,
                                                           0), rtol=1e-4, atol=1e-5)
            # a 4-D input's average follows the unbiased variance, as TF's fused kernel feeds it
            expected_mean = 0.9 * expected_mean + 0.1 * mean
            expected_variance = 0.9 * expected_variance + 0.1 * variance * n / (n - 1)
        np.testing.assert_allclose(sess.run(moving_mean), expected_mean, rtol=1e-5)
        np.testing.assert_allclose(sess.run(moving_variance), expected_variance, rtol=1e-5)
        test_batch = rng.normal(0.0, 1.0, (3, 2, 3, 2)).astype(np.float32)
        np.testing.assert_allclose(sess.run(inference, {x: test_batch}),
                                   (test_batch - expected_mean) / np.sqrt(expected_variance + EPSILON) * gamma + beta,
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, fused, unbiased", [
    ((6, 3), None, True), ((6, 3), False, False), ((2, 3, 3), None, False), ((2, 2, 2, 3), True, True),
    ((2, 2, 2, 3), False, False)])
def test_batch_norm_moving_variance_follows_the_fused_kernels_estimate(shape, fused, unbiased, rng):
    x_value = rng.normal(0.0, 2.0, shape).astype(np.float32)
    y = contrib.batch_norm(x_value, decay=0.0, fused=fused, updates_collections=None)  # moving = the batch's
    assert y.shape.as_list() == list(shape)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        y_value = sess.run(y)
        moving_mean, moving_variance = sess.run(tf.global_variables()[1:])
    axes = tuple(range(len(shape) - 1))
    n = x_value.size // shape[-1]
    np.testing.assert_allclose(y_value, (x_value - x_value.mean(axes)) / np.sqrt(x_value.var(axes) + EPSILON),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(moving_mean, x_value.mean(axes), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(moving_variance, x_value.var(axes) * (n / (n - 1) if unbiased else 1), rtol=1e-5)


def test_batch_norm_update_collections_none_custom_and_a_fed_is_training():
    x = tf.placeholder(tf.float32, [None, 2])
    in_place = contrib.batch_norm(x, decay=0.5, updates_collections=None)
    custom = contrib.batch_norm(x, decay=0.5, updates_collections=["my_updates"])
    training = tf.placeholder_with_default(False, ())
    switched = contrib.batch_norm(x, decay=0.5, is_training=training)
    switched_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # only the last layer's
    assert len(switched_updates) == 2 and len(tf.get_collection("my_updates")) == 2
    assert all(u.name.startswith("BatchNorm_2/") for u in switched_updates)
    batch = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)  # mean [2, 4], unbiased variance [2, 8]
    moved = [0.5 * np.array([2.0, 4.0]), 0.5 + 0.5 * np.array([2.0, 8.0])]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(in_place, {x: batch})  # only the output: its updates run with it
        sess.run(custom, {x: batch})  # nothing runs the updates
        inferred, _ = sess.run([switched, switched_updates], {x: batch})  # not training: fixed averages
        means = sess.run([tf.global_variables()[i] for i in (1, 2, 4, 5, 7, 8)])
        np.testing.assert_allclose(means[:2], moved, rtol=1e-6)
        np.testing.assert_allclose(means[2:], [[0, 0], [1, 1], [0, 0], [1, 1]])
        np.testing.assert_allclose(inferred, batch / np.sqrt(1 + EPSILON), rtol=1e-6)
        sess.run(tf.get_collection("my_updates"), {x: batch})
        trained, _ = sess.run([switched, switched_updates], {x: batch, training: True})
        means = sess.run([tf.global_variables()[i] for i in (4, 5, 7, 8)])
    np.testing.assert_allclose(means, moved + moved, rtol=1e-6)
    np.testing.assert_allclose(trained, [[-1, -1], [1, 1]], rtol=1e-3)


def test_batch_norm_nchw_normalizes_the_second_dim(rng):
    x_value = rng.normal(1.0, 3.0, (2, 3, 2, 2)).astype(np.float32)
    y = contrib.batch_norm(x_value, data_format="NCHW", decay=0.0, fused=False)
    assert tf.global_variables()[0].shape.as_list() == [3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        y_value, moving_mean = sess.run([y, tf.global_variables()[1]])
    mean, variance = x_value.mean((0, 2, 3), keepdims=True), x_value.var((0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y_value, (x_value - mean) / np.sqrt(variance + EPSILON), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(moving_mean, mean.ravel(), rtol=1e-5)


def test_batch_norm_as_the_normalizer_of_conv2d(rng):
    x_value = rng.standard_normal((2, 4, 4, 2)).astype(np.float32)
    y = contrib.conv2d(x_value, 3, 2, normalizer_fn=contrib.batch_norm, normalizer_params={"scale": True})
    assert [v.name for v in tf.global_variables()] == [
        "Conv/weights:0", "Conv/BatchNorm/gamma:0", "Conv/BatchNorm/beta:0", "Conv/BatchNorm/moving_mean:0",
        "Conv/BatchNorm/moving_variance:0"]  # the normalizer replaces the biases
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, y_value = sess.run([tf.global_variables()[0], y])
    conv = _conv_reference(x_value, w, (1, 1), (1, 1), "SAME")
    normalized = (conv - conv.mean((0, 1, 2))) / np.sqrt(conv.var((0, 1, 2)) + EPSILON)
    np.testing.assert_allclose(y_value, np.maximum(normalized, 0), rtol=1e-4, atol=1e-4)


def test_batch_norm_bad_arguments():
    with pytest.raises(ValueError, match="batch_norm: inputs must have a known rank of at least 2"):
        contrib.batch_norm(tf.placeholder(tf.float32, [None]))
    with pytest.raises(ValueError, match=r"batch_norm: the channels dimension \(1\) of the inputs must be known"):
        contrib.batch_norm(tf.placeholder(tf.float32, [None, None, 4, 4]), data_format="NCHW")
    with pytest.raises(ValueError, match="batch_norm: data_format has to be either NCHW or NHWC, got 'NCW'"):
        contrib.batch_norm(tf.placeholder(tf.float32, [None, 4, 4]), data_format="NCW")
    with pytest.raises(NotImplementedError, match="batch_weights and zero_debias_moving_mean are not supported"):
        contrib.batch_norm(tf.placeholder(tf.float32, [None, 4]), batch_weights=tf.ones([3]))
