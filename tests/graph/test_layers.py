"""tf.layers: variables named and shared as TF1 names them, outputs against numpy/PyTorch, training switches
(Python bools and bool tensors), batch normalization's UPDATE_OPS, and a tiny CNN that learns."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

RNG = np.random.default_rng(0)


def names(variables):
    return [v.name for v in variables]


def update_ops():
    return tf.get_default_graph().get_collection(tf.GraphKeys.UPDATE_OPS)


# ================================================================================================== dense

def test_dense_creates_uniquely_named_variables_and_computes_x_kernel_plus_bias():
    x = tf.placeholder(tf.float32, (None, 3))
    h = tf.layers.dense(x, 4, activation=tf.nn.relu)
    y = tf.layers.dense(h, 2, use_bias=False)
    assert names(tf.trainable_variables()) == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0"]
    assert h.shape.as_list() == [None, 4] and y.shape.as_list() == [None, 2]
    value = RNG.standard_normal((5, 3)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k1, b1, k2, out = sess.run(tf.trainable_variables() + [y], {x: value})
    assert not b1.any()                                        # biases start at zero
    limit = np.sqrt(6 / (3 + 4))                               # Glorot uniform
    assert np.abs(k1).max() <= limit and np.abs(k1).std() > 0
    np.testing.assert_allclose(out, np.maximum(value @ k1 + b1, 0) @ k2, rtol=1e-5, atol=1e-6)


def test_dense_reuse_shares_variables():
    x = tf.placeholder(tf.float32, (None, 3))
    train = tf.layers.dense(x, 2, name="fc", kernel_initializer=tf.constant_initializer(0.5))
    test = tf.layers.dense(x * 2.0, 2, name="fc", reuse=True)
    assert names(tf.global_variables()) == ["fc/kernel:0", "fc/bias:0"]
    a, b = run([train, test], {x: np.ones((1, 3), np.float32)}, initialize_variables=True)
    np.testing.assert_allclose(a, [[1.5, 1.5]])
    np.testing.assert_allclose(b, [[3.0, 3.0]])
    with tf.variable_scope("model"):
        tf.layers.dense(x, 2)
    with tf.variable_scope("model", reuse=True):
        tf.layers.dense(x, 2, name="dense")
    assert "model/dense/kernel:0" in names(tf.global_variables()) and len(tf.global_variables()) == 4
    with pytest.raises(ValueError, match="Variable fc/kernel already exists, disallowed"):
        tf.layers.dense(x, 2, name="fc")
    with pytest.raises(ValueError, match="Variable other/kernel does not exist"):
        tf.layers.dense(x, 2, name="other", reuse=True)
    with pytest.raises(ValueError, match="Trying to share variable fc/kernel, but specified shape"):
        tf.layers.dense(x, 3, name="fc", reuse=True)


def test_dense_on_sequences_and_errors():
    y = tf.layers.dense(tf.ones((2, 5, 3)), 4, bias_initializer=tf.ones_initializer(),
                        kernel_initializer=tf.zeros_initializer())
    assert y.shape.as_list() == [2, 5, 4]
    np.testing.assert_array_equal(run(y, initialize_variables=True), np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match="The last dimension of the inputs to `Dense` should be defined. Found "
                                         "`None`."):
        tf.layers.dense(tf.placeholder(tf.float32, (None, None)), 2)
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        tf.layers.dense(tf.ones((3,)), 2)
    with pytest.raises(TypeError, match="parameter 'inputs' has DataType int32"):
        tf.layers.dense(tf.ones((2, 3), tf.int32), 2)


def test_dense_regularizer_feeds_the_regularization_losses():
    tf.layers.dense(tf.ones((2, 3)), 2, kernel_regularizer=lambda w: tf.reduce_sum(tf.square(w)),
                    activity_regularizer=lambda y: tf.reduce_sum(y) * 0.0)
    assert len(tf.get_default_graph().get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 2


# ========================================================================================== conv, pooling

def test_conv2d_layer_variables_and_output():
    x = tf.placeholder(tf.float32, (None, 8, 8, 3))
    y = tf.layers.conv2d(x, 5, 3, padding="same", activation=tf.nn.relu)
    z = tf.layers.conv2d(y, 2, (3, 2), strides=(2, 1))
    assert names(tf.trainable_variables()) == ["conv2d/kernel:0", "conv2d/bias:0", "conv2d_1/kernel:0",
                                               "conv2d_1/bias:0"]
    assert tf.trainable_variables()[0].shape.as_list() == [3, 3, 3, 5]   # HWIO
    assert y.shape.as_list() == [None, 8, 8, 5] and z.shape.as_list() == [None, 3, 7, 2]
    value = RNG.standard_normal((2, 8, 8, 3)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run(tf.trainable_variables()[:2])
        ours = sess.run(y, {x: value})
        reference = sess.run(tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "SAME") + bias), {x: value})
    np.testing.assert_allclose(ours, reference, rtol=1e-6)


def test_conv2d_layer_channels_first_and_errors():
    x = tf.placeholder(tf.float32, (None, 3, 8, 8))
    y = tf.layers.conv2d(x, 4, 3, padding="SAME", data_format="channels_first")
    assert y.shape.as_list() == [None, 4, 8, 8]
    value = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias, out = sess.run(tf.trainable_variables() + [y], {x: value})
    ref = run(tf.nn.conv2d(value.transpose(0, 2, 3, 1), kernel, 1, "SAME")) + bias
    np.testing.assert_allclose(out, ref.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match='The `padding` argument must be one of "valid", "same". Received: full'):
        tf.layers.conv2d(x, 4, 3, padding="full")
    with pytest.raises(ValueError, match='The `data_format` argument must be one of "channels_first", '
                                         '"channels_last". Received: NHWC'):
        tf.layers.conv2d(x, 4, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 2 integers. Received: "
                                         r"\(3, 3, 3\)"):
        tf.layers.conv2d(x, 4, (3, 3, 3))
    with pytest.raises(ValueError, match="Input 0 of layer conv2d is incompatible with the layer: expected "
                                         "ndim=4, found ndim=2"):
        tf.layers.conv2d(tf.ones((2, 3)), 4, 3)
    with pytest.raises(ValueError, match="The channel dimension of the inputs should be defined"):
        tf.layers.conv2d(tf.placeholder(tf.float32, (None, 8, 8, None)), 4, 3)


def test_pooling_layers():
    x = np.arange(2 * 5 * 5 * 2, dtype=np.float32).reshape(2, 5, 5, 2)
    mp = tf.layers.max_pooling2d(x, 2, 2)
    ap = tf.layers.average_pooling2d(x, (2, 2), 2, padding="same")
    assert mp.shape.as_list() == [2, 2, 2, 2] and ap.shape.as_list() == [2, 3, 3, 2]
    assert mp.name.startswith("max_pooling2d/")
    mp_v, ap_v = run([mp, ap])
    np.testing.assert_array_equal(mp_v[0, :, :, 0], x[0, 1:4:2, 1:4:2, 0])
    np.testing.assert_allclose(ap_v[0, 2, 2, 0], x[0, 4, 4, 0])                  # a 1-pixel corner window
    np.testing.assert_allclose(ap_v[0, 0, 0, 0], x[0, :2, :2, 0].mean())
    nchw = tf.layers.max_pooling2d(x.transpose(0, 3, 1, 2), 2, 2, data_format="channels_first")
    np.testing.assert_array_equal(run(nchw), mp_v.transpose(0, 3, 1, 2))


def test_flatten():
    assert tf.layers.flatten(tf.placeholder(tf.float32, (None, 4, 4, 8))).shape.as_list() == [None, 128]
    assert tf.layers.flatten(tf.ones((3,))).shape.as_list() == [3, 1]
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)  # NCHW
    out = run(tf.layers.flatten(x, data_format="channels_first"))
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(1, -1))  # same order as channels_last


# ================================================================================================ dropout

def test_dropout_layer_with_python_bools():
    x = tf.ones((100, 100))
    assert (run(tf.layers.dropout(x)) == 1).all()      # training=False: the identity
    out = run(tf.layers.dropout(x, rate=0.25, training=True))
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}


def test_dropout_layer_with_a_training_tensor_and_consistent_gradients():
    training = tf.placeholder_with_default(False, ())
    x = tf.placeholder(tf.float32, (None, 200))
    y = tf.layers.dropout(x, rate=0.5, training=training)
    (grad,) = tf.gradients(tf.reduce_sum(y), x)
    value = np.ones((3, 200), np.float32)
    with tf.Session() as sess:
        out, g = sess.run([y, grad], {x: value})
        np.testing.assert_array_equal(out, value)
        np.testing.assert_array_equal(g, value)
        out, g = sess.run([y, grad], {x: value, training: True})
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(g, out)   # d(sum y)/dx = mask * 2: the same mask as the forward
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range \[0, 1\)"):
        tf.layers.dropout(x, rate=1.5, training=training)


# ==================================================================================== batch normalization

def test_batch_normalization_variables_and_update_ops():
    x = tf.placeholder(tf.float32, (None, 3))
    y = tf.layers.batch_normalization(x, training=True, momentum=0.9)
    assert names(tf.trainable_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0"]
    assert names(tf.global_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                                            "batch_normalization/moving_mean:0",
                                            "batch_normalization/moving_variance:0"]
    assert len(update_ops()) == 2
    value = RNG.standard_normal((8, 3)).astype(np.float32) * 3 + 1
    with tf.control_dependencies(update_ops()):
        step = tf.identity(y)
    moving = tf.global_variables()[2:]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: value})
        np.testing.assert_array_equal(sess.run(moving), [np.zeros(3), np.ones(3)])   # nothing ran the updates
        sess.run(step, {x: value})
        mean, variance = sess.run(moving)
    expected = (value - value.mean(0)) / np.sqrt(value.var(0) + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mean, 0.1 * value.mean(0), rtol=1e-5)
    np.testing.assert_allclose(variance, 0.9 + 0.1 * value.var(0), rtol=1e-5)


def test_batch_normalization_inference_uses_the_moving_averages():
    x = tf.placeholder(tf.float32, (None, 2))
    y = tf.layers.batch_normalization(x, epsilon=0.0, name="bn",
                                      moving_mean_initializer=tf.constant_initializer([1.0, 2.0]),
                                      moving_variance_initializer=tf.constant_initializer([4.0, 16.0]),
                                      gamma_initializer=tf.constant_initializer(3.0),
                                      beta_initializer=tf.constant_initializer(-1.0))
    assert update_ops() == []
    np.testing.assert_allclose(run(y, {x: [[3.0, 6.0]]}, initialize_variables=True), [[3.0 * 2 / 2 - 1, 3.0 * 4 / 4 - 1]], rtol=1e-6)


def test_batch_normalization_with_a_training_tensor():
    training = tf.placeholder(tf.bool, ())
    x = tf.placeholder(tf.float32, (None, 4, 4, 2))
    y = tf.layers.batch_normalization(x, training=training, momentum=0.5)
    with tf.control_dependencies(update_ops()):
        step = tf.identity(y)
    moving_mean = tf.global_variables()[2]
    value = RNG.standard_normal((5, 4, 4, 2)).astype(np.float32) + 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inference = sess.run(step, {x: value, training: False})
        np.testing.assert_array_equal(sess.run(moving_mean), np.zeros(2))   # updates are no-ops at inference
        np.testing.assert_allclose(inference, value / np.sqrt(1 + 1e-3), rtol=1e-5)
        trained = sess.run(step, {x: value, training: True})
        np.testing.assert_allclose(sess.run(moving_mean), 0.5 * value.mean((0, 1, 2)), rtol=1e-5)
    expected = (value - value.mean((0, 1, 2))) / np.sqrt(value.var((0, 1, 2)) + 1e-3)
    np.testing.assert_allclose(trained, expected, rtol=1e-4, atol=1e-4)


def test_batch_normalization_channels_first_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = tf.placeholder(tf.float64, (None, 3, 4, 4))
    y = tf.layers.batch_normalization(x, axis=1, training=True, epsilon=1e-5,
                                      gamma_initializer=tf.constant_initializer([1.0, 2.0, 3.0]))
    assert tf.trainable_variables()[0].shape.as_list() == [3]
    up = RNG.standard_normal((2, 3, 4, 4))
    (grad,) = tf.gradients(tf.reduce_sum(y * tf.constant(up)), x)
    value = RNG.standard_normal((2, 3, 4, 4))
    out, g = run([y, grad], {x: value}, initialize_variables=True)
    xt = torch.tensor(value, requires_grad=True)
    ref = torch.nn.functional.batch_norm(xt, None, None, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                                         None, training=True, eps=1e-5)
    (ref * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_batch_normalization_reuse_and_errors():
    x = tf.placeholder(tf.float32, (None, 3))
    tf.layers.batch_normalization(x, name="bn", training=True)
    tf.layers.batch_normalization(x, name="bn", reuse=True, center=False, scale=False)
    assert len(tf.global_variables()) == 4
    with pytest.raises(ValueError, match="Axis -1 of input tensor should have a defined dimension"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, (None, None)))
    with pytest.raises(NotImplementedError, match="renormalization"):
        tf.layers.batch_normalization(x, renorm=True)


# ========================================================================================== a tiny CNN

def test_tiny_cnn_learns_with_adam():
    rng = np.random.default_rng(1)
    images = rng.standard_normal((32, 8, 8, 1)).astype(np.float32)
    labels = rng.integers(0, 3, 32)
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, (None, 8, 8, 1))
    y = tf.placeholder(tf.int64, (None,))
    training = tf.placeholder_with_default(False, ())
    h = tf.layers.conv2d(x, 8, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.dropout(h, rate=0.1, training=training)
    logits = tf.layers.dense(tf.layers.flatten(h), 3)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: images, y: labels})
        for _ in range(25):
            sess.run(train_op, {x: images, y: labels, training: True})
        after = sess.run(loss, {x: images, y: labels})
    assert after < 0.6 * before


def test_rebuilding_unnamed_layers_under_reuse_finds_the_same_variables():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, (None, 3))
        with tf.variable_scope("model"):
            first = tf.layers.dense(tf.layers.dense(x, 4), 2)
        with tf.variable_scope("model", reuse=True):
            second = tf.layers.dense(tf.layers.dense(x, 4), 2)
        assert len(tf.trainable_variables()) == 4
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: [[1.0, 2.0, 3.0]]}
            assert (sess.run(first, feed) == sess.run(second, feed)).all()


def test_update_ops_idiom_with_top_level_get_collection():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, (4, 3))
        y = tf.layers.batch_normalization(x, training=True)
        loss = tf.reduce_mean(y * y)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
        moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: [[1.0, 2.0, 3.0]] * 4})
            assert abs(sess.run(moving_mean)[0] - 0.01) < 1e-6


def test_batch_normalization_moving_variance_is_unbiased_on_the_fused_path_as_tf1():
    """TF1's fused kernel (the default for 4-D input) moves the average towards n/(n-1) times the batch variance;
    2-D input, and fused=False, towards the batch variance itself."""
    rng = np.random.default_rng(0)
    images, rows = rng.standard_normal((4, 3, 3, 2)), rng.standard_normal((6, 2))
    for x, fused in ((images, None), (rows, None), (images, False)):
        tf.layers.batch_normalization(tf.constant(x), training=True, momentum=0.0, fused=fused)
    moving = [v for v in tf.global_variables() if "moving_variance" in v.name]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        fused_image, plain_rows, plain_image = sess.run(moving)
    np.testing.assert_allclose(fused_image, images.var((0, 1, 2), ddof=1), rtol=1e-12)
    np.testing.assert_allclose(plain_rows, rows.var(0), rtol=1e-12)
    np.testing.assert_allclose(plain_image, images.var((0, 1, 2)), rtol=1e-12)


def test_a_layer_of_ones_own_subclasses_tf_layers_layer():
    class MyDense(tf.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_variable("kernel", [int(input_shape[-1]), self.units],
                                            initializer=tf.ones_initializer())
            self.bias = self.add_weight("bias", [self.units], initializer=tf.constant_initializer(0.5))

        def call(self, inputs):
            return tf.matmul(inputs, self.kernel) + self.bias

    x = tf.placeholder(tf.float32, [None, 3])
    first, second = MyDense(2), MyDense(2, name="head")
    y, again, other = first(x), first(x), second(x)  # a second call reuses the first call's variables
    assert names(tf.trainable_variables()) == ["my_dense/kernel:0", "my_dense/bias:0", "head/kernel:0", "head/bias:0"]
    assert first.trainable_variables == [first.kernel, first.bias] and first.built
    values = run([y, again, other], {x: [[1.0, 2.0, 3.0]]}, initialize_variables=True)
    for value in values:
        np.testing.assert_allclose(value, [[6.5, 6.5]])
    with pytest.raises(TypeError, match="unexpected argument"):
        tf.layers.Layer(7)  # a layer of one's own takes no configuration of a function


def test_layer_objects_show_their_whole_configuration():
    assert tf.layers.BatchNormalization().momentum == 0.99 and tf.layers.Dense(3).activation is None
    assert tf.layers.Dropout().rate == 0.5 and tf.layers.Dense(3, use_bias=False).use_bias is False


def test_a_frozen_batch_norm_normalizes_with_the_batch_but_keeps_its_averages():
    """TF 1.15: a layer that is not trainable has no ``updates``, and only those go into UPDATE_OPS — a
    fine-tuning script that freezes its batch norms keeps their moving averages under the usual
    control_dependencies(UPDATE_OPS) step (minidl moved them)."""
    x = tf.placeholder(tf.float32, [None, 3])
    frozen = tf.layers.batch_normalization(x, training=True, trainable=False, name="frozen")
    layer = tf.layers.BatchNormalization(trainable=False, name="frozen_layer")
    frozen_too = layer(x, training=True)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [] and layer.updates == []
    tf.layers.batch_normalization(x, training=True, name="training")
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], np.float32)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            step = tf.identity(frozen + frozen_too)
        out = sess.run(step, {x: data})
        assert np.allclose(out[:, 0], 2 * np.array([-1.0, 1.0]) / np.sqrt(1 + 1e-3), atol=1e-4)  # the batch's stats
        means = [v for v in tf.global_variables() if "moving_mean" in v.name]
        values = dict(zip([v.name for v in means], sess.run(means)))
        assert values["frozen/moving_mean:0"].tolist() == [0.0] * 3 == values["frozen_layer/moving_mean:0"].tolist()
        assert np.allclose(values["training/moving_mean:0"], [0.02, 0.02, 0.02])


def test_batch_norm_over_several_axes_has_tfs_parameter_shape():
    """TF 1.15 shapes the variables of a batch norm over several axes like the input with 1 in the other dims —
    (1, 3, 4) for axes [1, 2] of a [None, 3, 4] input (minidl's were (3, 4): set_weights and checkpoints with TF's
    shapes did not fit); the normalization is per (row, column) either way."""
    x = tf.placeholder(tf.float32, [None, 3, 4])
    y = tf.layers.batch_normalization(x, axis=[1, 2], training=True)
    keras_layer = tf.keras.layers.BatchNormalization(axis=[1, 2])
    keras_layer(x)
    assert [v.shape.as_list() for v in tf.global_variables()] == [[1, 3, 4]] * 8
    data = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        step = tf.identity(y)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(step, {x: data})
        np.testing.assert_allclose(out, (data - data.mean(0)) / np.sqrt(data.var(0) + 1e-3), atol=1e-4)
        np.testing.assert_allclose(sess.run("batch_normalization/moving_mean:0")[0], 0.01 * data.mean(0), atol=1e-6)
