"""tf.contrib.layers' layer_norm, conv2d_transpose, embed_sequence and optimize_loss: values against numpy written
here (moments by hand, the transposed convolution as a scatter of kernel copies, optimizer steps), TF's variable
names and collections, gradients against float64 central differences, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

layers = tf.contrib.layers
RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def seeded(graph):
    tf.set_random_seed(0)


def _names(variables):
    return [v.op.name for v in variables]


# ============================================================================================= layer_norm

def np_layer_norm(x, begin_norm_axis, beta, gamma):
    axes = tuple(range(begin_norm_axis, x.ndim))
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gamma + beta


@pytest.mark.parametrize("begin_norm_axis, begin_params_axis", [(1, -1), (-1, -1), (2, 1), (1, -2)])
def test_layer_norm_normalizes_over_the_norm_axes_and_scales_over_the_params_axes(begin_norm_axis, begin_params_axis):
    x = RNG.standard_normal((2, 3, 4, 5))
    y = layers.layer_norm(tf.constant(x), begin_norm_axis=begin_norm_axis, begin_params_axis=begin_params_axis)
    beta, gamma = tf.contrib.framework.get_variables("LayerNorm")
    assert _names([beta, gamma]) == ["LayerNorm/beta", "LayerNorm/gamma"]
    assert beta.shape.as_list() == list(x.shape[begin_params_axis:])
    b, g = RNG.standard_normal(x.shape[begin_params_axis:]), RNG.standard_normal(x.shape[begin_params_axis:])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), np_layer_norm(x, begin_norm_axis % 4, 0, 1), rtol=1e-9, atol=1e-9)
        sess.run([beta.assign(b), gamma.assign(g)])
        np.testing.assert_allclose(sess.run(y), np_layer_norm(x, begin_norm_axis % 4, b, g), rtol=1e-9, atol=1e-9)


def test_layer_norm_variables_collections_and_options():
    x = tf.placeholder(tf.float32, [None, 6])
    layers.layer_norm(x)
    layers.layer_norm(x, center=False, variables_collections={"gamma": ["gammas"]}, trainable=False)
    y = layers.layer_norm(x, scale=False, activation_fn=tf.nn.relu, outputs_collections="outs", scope="mine")
    assert _names(tf.global_variables()) == ["LayerNorm/beta", "LayerNorm/gamma", "LayerNorm_1/gamma", "mine/beta"]
    assert _names(tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)) == _names(tf.global_variables())
    assert _names(tf.trainable_variables()) == ["LayerNorm/beta", "LayerNorm/gamma", "mine/beta"]
    assert _names(tf.get_collection("gammas")) == ["LayerNorm_1/gamma"]
    assert tf.get_collection("outs") == [y]
    values = RNG.standard_normal((3, 6))
    np.testing.assert_allclose(run(y, {x: values}, initialize_variables=True),
                               np.maximum(np_layer_norm(values, 1, 0, 1), 0), rtol=1e-5, atol=1e-5)
    with tf.variable_scope("mine", reuse=True):
        assert tf.get_variable("beta") is tf.global_variables()[-1]
    layers.layer_norm(x, reuse=True, scope="mine", scale=False)     # shares mine/beta
    assert len(tf.global_variables()) == 4


def test_layer_norm_gradients_match_central_differences():
    x = RNG.standard_normal((3, 2, 4))
    check_gradients(lambda t: layers.layer_norm(t, begin_norm_axis=1) * tf.constant(RNG.standard_normal(4)), x,
                    rtol=1e-5, atol=1e-6)


def test_layer_norm_errors():
    with pytest.raises(ValueError, match="undefined rank"):
        layers.layer_norm(tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match=r"begin_params_axis \(2\) and begin_norm_axis \(1\) must be < rank"):
        layers.layer_norm(tf.placeholder(tf.float32, [3, 4]), begin_params_axis=2)
    with pytest.raises(ValueError, match="is not fully defined"):
        layers.layer_norm(tf.placeholder(tf.float32, [3, None]))


# ======================================================================================= conv2d_transpose

def np_conv2d_transpose(x, w, stride, padding):
    """NHWC x, w [kh, kw, out, in]: every input pixel adds a copy of the kernel, weighted by its channels, at
    (i * sh, j * sw) of the full output; the full output is then cropped to TF's size, as much removed at the
    start as the forward convolution's SAME padding adds there."""
    (kh, kw, out_channels, _), (sh, sw) = w.shape, stride
    b, h, wd, _ = x.shape
    full = np.zeros((b, (h - 1) * sh + kh, (wd - 1) * sw + kw, out_channels))
    for i in range(h):
        for j in range(wd):
            full[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("bc,pqoc->bpqo", x[:, i, j], w)
    sizes = [(n * s + (max(k - s, 0) if padding == "VALID" else 0), (n - 1) * s + k)
             for n, k, s in ((h, kh, sh), (wd, kw, sw))]
    (oh, fh), (ow, fw) = sizes
    top, left = max(fh - oh, 0) // 2, max(fw - ow, 0) // 2
    full = np.pad(full, [(0, 0), (0, max(oh - fh, 0)), (0, max(ow - fw, 0)), (0, 0)])
    return full[:, top:top + oh, left:left + ow]


@pytest.mark.parametrize("kernel_size, stride, padding", [
    (3, 2, "SAME"), (3, 2, "VALID"), ([2, 3], [1, 2], "SAME"), ([2, 3], [1, 2], "VALID"), (1, 2, "SAME")])
def test_conv2d_transpose_matches_numpy(kernel_size, stride, padding):
    x = RNG.standard_normal((2, 3, 4, 2))
    y = layers.conv2d_transpose(tf.constant(x), 3, kernel_size, stride, padding, activation_fn=None,
                                biases_initializer=tf.constant_initializer(0.5))
    weights, biases = tf.global_variables()
    assert _names([weights, biases]) == ["Conv2d_transpose/weights", "Conv2d_transpose/biases"]
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    assert weights.shape.as_list() == [kh, kw, 3, 2] and biases.shape.as_list() == [3]
    got, w = run([y, weights], initialize_variables=True)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    np.testing.assert_allclose(got, np_conv2d_transpose(x, w, (sh, sw), padding) + 0.5, rtol=1e-9, atol=1e-9)


def test_conv2d_transpose_defaults_names_formats_and_normalizer():
    x = RNG.standard_normal((2, 3, 3, 4)).astype(np.float32)
    y = layers.conv2d_transpose(tf.constant(x), 5, 3, stride=2)                       # relu, SAME
    assert y.shape.as_list() == [2, 6, 6, 5]
    y_nchw = layers.convolution2d_transpose(tf.constant(x.transpose(0, 3, 1, 2)), 5, 3, stride=2, data_format="NCHW",
                                            scope="Conv2d_transpose", reuse=True)
    z = layers.conv2d_transpose(tf.constant(x), 5, 3, normalizer_fn=layers.layer_norm, activation_fn=None)
    assert _names(tf.global_variables()) == ["Conv2d_transpose/weights", "Conv2d_transpose/biases",
                                             "Conv2d_transpose_1/weights", "Conv2d_transpose_1/LayerNorm/beta",
                                             "Conv2d_transpose_1/LayerNorm/gamma"]
    assert _names(tf.get_collection(tf.GraphKeys.MODEL_VARIABLES))[:2] == ["Conv2d_transpose/weights",
                                                                           "Conv2d_transpose/biases"]
    got, got_nchw, w = run([y, y_nchw, tf.global_variables()[0]], initialize_variables=True)
    np.testing.assert_allclose(got, np.maximum(np_conv2d_transpose(x, w, (2, 2), "SAME"), 0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_nchw.transpose(0, 2, 3, 1), got, rtol=1e-5, atol=1e-6)
    assert z.shape.as_list() == [2, 3, 3, 5]
    assert tf.contrib.framework.has_arg_scope(layers.conv2d_transpose)
    with pytest.raises(ValueError, match="conv2d_transpose: inputs must be 4-D"):
        layers.conv2d_transpose(tf.constant(x[0]), 5, 3)
    with pytest.raises(ValueError, match="conv2d_transpose: kernel_size must be at least 1"):
        layers.conv2d_transpose(tf.constant(x), 5, 0)


# ========================================================================================= embed_sequence

def test_embed_sequence_looks_up_a_shared_table():
    ids = tf.constant([[1, 4, 0], [2, 2, 3]])
    encoded = layers.embed_sequence(ids, vocab_size=5, embed_dim=3, scope="embed")
    decoded = layers.embed_sequence(tf.constant([[4]]), scope="embed", reuse=True)
    default = layers.embed_sequence(ids, 7, 2)
    assert _names(tf.global_variables()) == ["embed/embeddings", "EmbedSequence/embeddings"]
    assert _names(tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)) == _names(tf.global_variables())
    got, got_decoded, table = run([encoded, decoded, tf.global_variables()[0]], initialize_variables=True)
    assert got.shape == (2, 3, 3) and default.shape.as_list() == [2, 3, 2]
    np.testing.assert_array_equal(got, table[[[1, 4, 0], [2, 2, 3]]])
    np.testing.assert_array_equal(got_decoded[0, 0], table[4])
    with pytest.raises(ValueError, match="embed_sequence: must specify vocab size and embedding dimension"):
        layers.embed_sequence(ids, vocab_size=5)


# ========================================================================================== optimize_loss

W0 = RNG.standard_normal((3, 2)).astype(np.float32)
X = RNG.standard_normal((4, 3)).astype(np.float32)


def _problem():
    w = tf.Variable(W0, name="w")
    loss = 0.5 * tf.reduce_sum(tf.square(tf.matmul(tf.constant(X), w)))
    return w, loss


def _grad(w):
    return X.T @ (X @ w)


def test_optimize_loss_with_sgd_by_name():
    w, loss = _problem()
    step = tf.train.get_or_create_global_step()
    train = layers.optimize_loss(loss, step, 0.5, "SGD")
    lr = tf.contrib.framework.get_variables("OptimizeLoss/learning_rate")[0]
    assert lr not in tf.trainable_variables() and lr.op.name == "OptimizeLoss/learning_rate"
    assert tf.get_default_graph().get_operation_by_name("OptimizeLoss/train") is not None
    assert sorted(s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)) == [
        "OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"]      # learning_rate: only when decayed
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(train)
        np.testing.assert_allclose(value, 0.5 * np.sum((X @ W0) ** 2), rtol=1e-5)     # the loss before the step
        np.testing.assert_allclose(sess.run(w), W0 - 0.5 * _grad(W0), rtol=1e-5)
        assert sess.run(step) == 1


@pytest.mark.parametrize("make_optimizer, momentum", [
    (lambda: tf.train.MomentumOptimizer(0.25, 0.5), 0.5),                 # an instance (with its own rate)
    (lambda: lambda rate: tf.train.MomentumOptimizer(rate, 0.5), 0.5),    # a function of the learning rate
    (lambda: "Momentum", 0.9)])                                           # a name: momentum 0.9
def test_optimize_loss_takes_an_optimizer_instance_function_or_name(make_optimizer, momentum):
    w, loss = _problem()
    train = layers.optimize_loss(loss, None, tf.constant(0.25), make_optimizer(), summaries=[])
    expected, a = W0.astype(np.float64), 0
    for _ in range(2):
        a = momentum * a + _grad(expected)
        expected = expected - 0.25 * a
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), expected, rtol=1e-5)


def test_optimize_loss_with_an_optimizer_class_calls_it_with_the_learning_rate():
    w, loss = _problem()
    train = layers.optimize_loss(loss, None, 0.5, tf.train.GradientDescentOptimizer, summaries=[])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.5 * _grad(W0), rtol=1e-5)


def test_optimize_loss_clips_multiplies_and_decays():
    w, loss = _problem()
    other = tf.Variable(np.float32(2.0), name="other")
    loss = loss + other * other
    step = tf.train.get_or_create_global_step()
    train = layers.optimize_loss(
        loss, step, 1.0, "SGD", clip_gradients=1.0, gradient_multipliers={"other:0": 3.0, w: 0.5},
        learning_rate_decay_fn=lambda lr, s: lr * 0.5, summaries=layers.OPTIMIZER_SUMMARIES, name="opt")
    # (the learning-rate variable holds the name opt/learning_rate: the summary's is made unique, as in TF)
    assert sorted(s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)) == [
        "opt/global_norm/clipped_gradient_norm", "opt/global_norm/gradient_norm", "opt/gradient_norm/other_0",
        "opt/gradient_norm/w_0", "opt/gradients/other_0", "opt/gradients/w_0", "opt/learning_rate_1", "opt/loss"]
    g_w, g_other = 0.5 * _grad(W0), 3.0 * 4.0
    norm = np.sqrt(np.sum(g_w ** 2) + g_other ** 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        got_w, got_other = sess.run([w, other])
    np.testing.assert_allclose(got_w, W0 - 0.5 * g_w / norm, rtol=1e-5)
    np.testing.assert_allclose(got_other, 2.0 - 0.5 * g_other / norm, rtol=1e-5)


def test_optimize_loss_runs_the_update_ops_first_and_can_leave_the_step_alone():
    w, loss = _problem()
    counter = tf.Variable(0.0)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, counter.assign_add(1.0))
    step = tf.train.get_or_create_global_step()
    train = layers.optimize_loss(loss, step, 0.5, "SGD", increment_global_step=False, variables=[w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([counter, step]) == [1.0, 0]


def test_optimize_loss_gradient_noise_is_truncated_normal_times_the_scale():
    w, loss = _problem()
    train = layers.optimize_loss(loss, None, 1.0, "SGD", gradient_noise_scale=0.01, summaries=[])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        noise = (W0 - _grad(W0)) - sess.run(w)
    assert np.all(np.abs(noise) <= 0.02 + 1e-5) and np.abs(noise).max() > 1e-4


def test_optimize_loss_errors():
    w, loss = _problem()
    with pytest.raises(ValueError, match="optimize_loss: expected scalar shape"):
        layers.optimize_loss(tf.ones([2]) * loss, None, 0.1, "SGD")
    with pytest.raises(ValueError, match="optimizer name should be one of"):
        layers.optimize_loss(loss, None, 0.1, "Sgd")
    with pytest.raises(ValueError, match="summaries should be one of"):
        layers.optimize_loss(loss, None, 0.1, "SGD", summaries=["weights"])
    with pytest.raises(ValueError, match="learning rate should be 0d Tensor or float"):
        layers.optimize_loss(loss, None, 1, "SGD")
    with pytest.raises(ValueError, match="global_step is required for learning_rate_decay_fn"):
        layers.optimize_loss(loss, None, 0.1, "SGD", learning_rate_decay_fn=lambda lr, s: lr)
    with pytest.raises(ValueError, match="unknown type int for clip_gradients"):
        layers.optimize_loss(loss, None, 0.1, "SGD", clip_gradients=5)
    with pytest.raises(ValueError, match="learning rate is None"):
        layers.optimize_loss(loss, None, None, "SGD")
    with pytest.raises(TypeError, match='"global_step" does not have integer type'):
        layers.optimize_loss(loss, tf.Variable(0.0), 0.1, "SGD")
