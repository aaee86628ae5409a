"""More of TF 1.15's tf.keras: the depthwise, separable and 3-D convolution layers and 3-D pools, the RNN cell API
(SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells, RNN, a cell of one's own), Attention and AdditiveAttention,
AlphaDropout, ActivityRegularization, and the backend's K.rnn, convolutions, pools, dropout, loops, batch
normalization and CTC — each against numpy (or against the layer it must equal), gradients against central
differences in float64, and small models that train."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.numeric_gradients import check_gradients

keras = tf.keras
K = keras.backend
L = keras.layers
RNG = np.random.default_rng(0)


@pytest.fixture
def float64():
    """Keras' own weights (cells, attention scales) in float64, for the gradient checks."""
    K.set_floatx("float64")
    yield
    K.set_floatx("float32")


def _run(outputs, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outputs, feed)


def _randn(*shape):
    return RNG.standard_normal(shape)


# ------------------------------------------------------------------------------------------- numpy references

def _same_pads(n, k, stride, dilation=1):
    """TF's SAME padding of one spatial dim: (before, after)."""
    extent = (k - 1) * dilation + 1
    total = max((-(-n // stride) - 1) * stride + extent - n, 0)
    return total // 2, total - total // 2


def _conv(x, w, strides, padding="valid", dilations=None):
    """Channels-last cross-correlation of x (batch, *spatial, in) with w (*kernel, in, out)."""
    spatial = x.ndim - 2
    dilations = dilations or (1,) * spatial
    kernel = w.shape[:spatial]
    pads = [_same_pads(n, k, s, d) if padding == "same" else (0, 0)
            for n, k, s, d in zip(x.shape[1:-1], kernel, strides, dilations)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    extents = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    sizes = [(n - e) // s + 1 for n, e, s in zip(xp.shape[1:-1], extents, strides)]
    out = np.zeros((x.shape[0], *sizes, w.shape[-1]))
    for index in np.ndindex(*sizes):
        window = xp[(slice(None),) + tuple(slice(i * s, i * s + e, d) for i, s, e, d in
                                           zip(index, strides, extents, dilations))]
        out[(slice(None),) + index] = np.tensordot(window, w, axes=(list(range(1, spatial + 2)),
                                                                    list(range(spatial + 1))))
    return out


def _depthwise(x, w, strides, padding="valid", dilations=None):
    """Each channel c with its own filters w[..., c, :] (kh, kw, in, multiplier): output channel c·m + j."""
    channels = [_conv(x[..., c:c + 1], w[..., c:c + 1, :], strides, padding, dilations) for c in range(x.shape[-1])]
    return np.concatenate(channels, axis=-1)


def _pool(x, size, strides, reduce, padding="valid"):
    """Channels-last pooling; under "same" only the real values of a window count."""
    pads = [_same_pads(n, k, s) if padding == "same" else (0, 0) for n, k, s in zip(x.shape[1:-1], size, strides)]
    xp = np.pad(x.astype(float), [(0, 0)] + pads + [(0, 0)], constant_values=np.nan)
    sizes = [(n - k) // s + 1 for n, k, s in zip(xp.shape[1:-1], size, strides)]
    out = np.zeros((x.shape[0], *sizes, x.shape[-1]))
    axes = tuple(range(1, x.ndim - 1))
    for index in np.ndindex(*sizes):
        window = xp[(slice(None),) + tuple(slice(i * s, i * s + k) for i, s, k in zip(index, strides, size))]
        out[(slice(None),) + index] = reduce(window, axis=axes)
    return out


def _hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


# ------------------------------------------------------------------------------------------ convolutions

def test_separable_conv2d_is_a_depthwise_then_a_pointwise_convolution():
    x = _randn(2, 7, 6, 3).astype(np.float32)
    inputs = keras.Input((7, 6, 3))
    layer = L.SeparableConv2D(4, 3, strides=2, padding="same", depth_multiplier=2, activation="relu")
    y = layer(inputs)
    depthwise, pointwise, bias = (v for v in layer.weights)
    assert [(v.op.name, v.shape.as_list()) for v in layer.weights] == [
        ("separable_conv2d/depthwise_kernel", [3, 3, 3, 2]), ("separable_conv2d/pointwise_kernel", [1, 1, 6, 4]),
        ("separable_conv2d/bias", [4])]
    values = [_randn(3, 3, 3, 2), _randn(1, 1, 6, 4), _randn(4)]
    layer.set_weights(values)
    got = K.function([inputs], [y])([x])[0]
    expected = np.maximum(_conv(_depthwise(x, values[0], (2, 2), "same"), values[1], (1, 1)) + values[2], 0)
    assert got.shape == (2, 4, 3, 4) and y.shape.as_list() == [None, 4, 3, 4]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert layer.get_config()["depth_multiplier"] == 2 and layer.get_config()["filters"] == 4


def test_depthwise_conv2d_filters_each_channel_on_its_own():
    x = _randn(2, 6, 5, 3).astype(np.float32)
    inputs = keras.Input((6, 5, 3))
    layer = L.DepthwiseConv2D((3, 2), depth_multiplier=2, padding="valid")
    y = layer(inputs)
    assert [(v.op.name, v.shape.as_list()) for v in layer.weights] == [
        ("depthwise_conv2d/depthwise_kernel", [3, 2, 3, 2]), ("depthwise_conv2d/bias", [6])]
    assert np.all(K.get_value(layer.weights[1]) == 0)  # Keras' bias: zeros
    kernel, bias = _randn(3, 2, 3, 2), _randn(6)
    layer.set_weights([kernel, bias])
    np.testing.assert_allclose(K.function([inputs], [y])([x])[0], _depthwise(x, kernel, (1, 1)) + bias,
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_separable_conv1d_on_sequences(padding):
    x = _randn(2, 9, 3).astype(np.float32)
    inputs = keras.Input((9, 3))
    layer = L.SeparableConv1D(4, 3, strides=1 if padding == "causal" else 2, padding=padding, depth_multiplier=2)
    y = layer(inputs)
    assert [v.shape.as_list() for v in layer.weights] == [[3, 3, 2], [1, 6, 4], [4]]
    values = [_randn(3, 3, 2), _randn(1, 6, 4), _randn(4)]
    layer.set_weights(values)
    images = x[:, None]  # (batch, 1, steps, channels): a sequence is an image one pixel high
    if padding == "causal":  # only the steps up to t: two zeros before the first
        expected = _conv(_depthwise(np.pad(images, [(0, 0), (0, 0), (2, 0), (0, 0)]), values[0][None], (1, 1)),
                         values[1][None], (1, 1))
    else:
        expected = _conv(_depthwise(images, values[0][None], (1, 2), padding), values[1][None], (1, 1))
    np.testing.assert_allclose(K.function([inputs], [y])([x])[0], expected[:, 0] + values[2], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding, strides, dilation", [("valid", (1, 1, 1), (1, 1, 1)), ("same", (2, 1, 2), (1, 1, 1)),
                                                        ("valid", (1, 1, 1), (2, 1, 1))])
def test_conv3d_against_numpy(padding, strides, dilation):
    x = _randn(2, 5, 4, 6, 2).astype(np.float32)
    inputs = keras.Input((5, 4, 6, 2))
    layer = L.Conv3D(3, (2, 3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    y = layer(inputs)
    assert [(v.op.name, v.shape.as_list()) for v in layer.weights] == [("conv3d/kernel", [2, 3, 2, 2, 3]),
                                                                        ("conv3d/bias", [3])]
    kernel, bias = _randn(2, 3, 2, 2, 3), _randn(3)
    layer.set_weights([kernel, bias])
    expected = _conv(x, kernel, strides, padding, dilation) + bias
    got = K.function([inputs], [y])([x])[0]
    assert tuple(y.shape.as_list()[1:]) == expected.shape[1:]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_conv3d_channels_first_is_the_transposed_channels_last():
    x = _randn(1, 3, 4, 5, 2).astype(np.float32)
    last, first = L.Conv3D(2, 2), L.Conv3D(2, 2, data_format="channels_first")
    y_last = last(tf.constant(x))
    y_first = first(tf.constant(x.transpose(0, 4, 1, 2, 3)))
    first_values = last_values = [_randn(2, 2, 2, 2, 2), _randn(2)]
    last.set_weights(last_values)
    first.set_weights(first_values)
    a, b = K.batch_get_value([y_last, y_first])
    np.testing.assert_allclose(a, b.transpose(0, 2, 3, 4, 1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding, output_padding, expected_size", [
    ("valid", None, (7, 9, 11)),   # n·s + max(k - s, 0)
    ("same", None, (6, 8, 10)),    # n·s
    ("valid", (1, 0, 1), (8, 9, 12)),  # (n - 1)·s + k + p
    ("same", (1, 1, 1), (6, 8, 10))])  # (n - 1)·s + k - 2·(k // 2) + p
def test_conv3d_transpose_is_the_gradient_of_conv3d(padding, output_padding, expected_size):
    """The transposed convolution is the gradient of the convolution with respect to its input (TF's
    definition): checked against tf.gradients of tf.nn.conv3d on an input of the output's size."""
    x = _randn(2, 3, 4, 5, 2).astype(np.float32)
    inputs = keras.Input((3, 4, 5, 2))
    layer = L.Conv3DTranspose(3, 3, strides=2, padding=padding, output_padding=output_padding)
    y = layer(inputs)
    assert [(v.op.name, v.shape.as_list()) for v in layer.weights] == [("conv3d_transpose/kernel", [3, 3, 3, 3, 2]),
                                                                        ("conv3d_transpose/bias", [3])]
    assert y.shape.as_list() == [None, *expected_size, 3]
    kernel, bias = _randn(3, 3, 3, 3, 2).astype(np.float32), _randn(3)
    layer.set_weights([kernel, bias])
    z = tf.zeros((2, *expected_size, 3))
    reference = tf.gradients(tf.nn.conv3d(z, kernel, [1, 2, 2, 2, 1], padding.upper()), z, grad_ys=x)[0]
    got = K.function([inputs], [y])([x])[0]
    np.testing.assert_allclose(got, K.get_value(reference) + bias, rtol=1e-4, atol=1e-5)


def test_conv3d_transpose_with_a_kernel_smaller_than_the_stride_adds_zeros():
    x = np.ones((1, 2, 2, 2, 1), np.float32)
    layer = L.Conv3DTranspose(1, 1, strides=3, use_bias=False, kernel_initializer="ones")
    y = K.get_value(layer(tf.constant(x)))
    assert y.shape == (1, 6, 6, 6, 1)  # n·s + max(k - s, 0) = 6
    expected = np.zeros((6, 6, 6))
    expected[::3, ::3, ::3] = 1
    np.testing.assert_array_equal(y[0, ..., 0], expected)


@pytest.mark.parametrize("layer_class, reduce", [(L.MaxPooling3D, np.nanmax), (L.AveragePooling3D, np.nanmean)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_3d_pools_against_numpy(layer_class, reduce, padding):
    x = _randn(2, 5, 4, 5, 3).astype(np.float32)
    y = layer_class(pool_size=(2, 3, 2), strides=(2, 1, 2), padding=padding)(tf.constant(x))
    np.testing.assert_allclose(K.get_value(y), _pool(x, (2, 3, 2), (2, 1, 2), reduce, padding), rtol=1e-5,
                               atol=1e-6)
    assert layer_class().get_config()["pool_size"] == (2, 2, 2)
    default = K.get_value(layer_class()(tf.constant(x)))  # strides default to pool_size
    np.testing.assert_allclose(default, _pool(x, (2, 2, 2), (2, 2, 2), reduce), rtol=1e-5, atol=1e-6)


def test_global_3d_pools():
    x = _randn(2, 3, 4, 2, 5).astype(np.float32)
    got = K.batch_get_value([L.GlobalAveragePooling3D()(tf.constant(x)), L.GlobalMaxPooling3D()(tf.constant(x))])
    np.testing.assert_allclose(got[0], x.mean(axis=(1, 2, 3)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], x.max(axis=(1, 2, 3)), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: L.SeparableConv2D(2, 2, strides=2, padding="same", depth_multiplier=2),
    lambda: L.DepthwiseConv2D(2, depth_multiplier=2, padding="same"),
    lambda: L.SeparableConv1D(2, 2, padding="causal"),
    lambda: L.Conv3D(2, 2, strides=(1, 2, 1), padding="same"),
    lambda: L.Conv3DTranspose(2, 2, strides=2, padding="same"),
    lambda: L.Conv3DTranspose(2, 3, strides=2, output_padding=1),
    lambda: L.AveragePooling3D(2, strides=1, padding="same")])
def test_gradients_through_the_convolution_layers(make):
    layer = make()
    sample = {"SeparableConv1D": (1, 4, 2), "Conv3D": (1, 2, 3, 2, 2), "Conv3DTranspose": (1, 2, 2, 2, 2),
              "AveragePooling3D": (1, 2, 3, 2, 2)}.get(type(layer).__name__, (1, 3, 4, 2))
    check_gradients(lambda x: layer(x), _randn(*sample))


def test_a_small_3d_cnn_and_a_mobilenet_block_train():
    rng = np.random.default_rng(1)
    volumes = rng.standard_normal((32, 4, 6, 6, 1)).astype(np.float32)
    labels = (volumes.mean(axis=(1, 2, 3, 4)) > 0).astype(np.float32)
    tf.set_random_seed(0)
    model = keras.Sequential([L.Conv3D(4, 3, padding="same", activation="relu", input_shape=(4, 6, 6, 1)),
                              L.MaxPooling3D((1, 2, 2)), L.Conv3DTranspose(2, 2, strides=(1, 2, 2)),
                              L.GlobalAveragePooling3D(), L.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
    history = model.fit(volumes, labels, epochs=6, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < history[0]
    images = rng.standard_normal((32, 8, 8, 3)).astype(np.float32)
    classes = (images[..., 0].mean(axis=(1, 2)) > 0).astype(np.int64)
    block = keras.Sequential([L.DepthwiseConv2D(3, padding="same", input_shape=(8, 8, 3)), L.ReLU(),
                              L.SeparableConv2D(8, 3, strides=2, padding="same", activation="relu"),
                              L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    block.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    history = block.fit(images, classes, epochs=6, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < history[0]


# ------------------------------------------------------------------------------------------------ RNN cells

@pytest.mark.parametrize("cell_class, layer_class", [(L.SimpleRNNCell, L.SimpleRNN), (L.LSTMCell, L.LSTM),
                                                     (L.GRUCell, L.GRU)])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "return_state": True},
                                     {"go_backwards": True, "return_sequences": True}, {"unroll": True}])
def test_rnn_of_a_cell_equals_the_recurrent_layer(cell_class, layer_class, options):
    x = _randn(3, 5, 4).astype(np.float32)
    inputs = keras.Input((5, 4))
    rnn = L.RNN(cell_class(6), **options)
    layer = layer_class(6, **{k: v for k, v in options.items() if k != "unroll"})
    got, expected = rnn(inputs), layer(inputs)
    assert [v.op.name for v in rnn.weights] == ["rnn/kernel", "rnn/recurrent_kernel", "rnn/bias"]  # TF 1.15's
    assert [v.shape.as_list() for v in rnn.weights] == [v.shape.as_list() for v in layer.weights]
    rnn.set_weights(layer.get_weights())
    got, expected = (t if isinstance(t, list) else [t] for t in (got, expected))
    assert len(got) == len(expected) and [t.shape.as_list() for t in got] == [t.shape.as_list() for t in expected]
    for a, b in zip(*K.function([inputs], [got, expected])([x])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lstm_cell_against_numpy_with_the_forget_bias_and_keras_gate_order():
    x = _randn(2, 4, 3)
    cell = L.LSTMCell(2)
    inputs = keras.Input((4, 3))
    output, h, c = L.RNN(cell, return_state=True)(inputs)
    kernel, recurrent, bias = cell.get_weights()
    np.testing.assert_array_equal(bias, [0, 0, 1, 1, 0, 0, 0, 0])  # unit_forget_bias: the f block starts at 1
    assert kernel.shape == (3, 8) and recurrent.shape == (2, 8)
    bias = _randn(8)
    cell.set_weights([kernel, recurrent, bias])
    h_np = c_np = np.zeros((2, 2))
    for t in range(4):
        z = x[:, t] @ kernel + h_np @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=1)
        c_np = _hard_sigmoid(f) * c_np + _hard_sigmoid(i) * np.tanh(g)
        h_np = _hard_sigmoid(o) * np.tanh(c_np)
    got = K.function([inputs], [output, h, c])([x])
    for a, b in zip(got, [h_np, h_np, c_np]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_mask_holds_the_states_over_padding_as_the_lstm_layer_does():
    ids = np.array([[0, 0, 3, 1, 2], [4, 2, 0, 0, 0]])
    inputs = keras.Input((5,))
    embedded = L.Embedding(5, 3, mask_zero=True)(inputs)
    rnn, lstm = L.RNN(L.LSTMCell(4), return_sequences=True), L.LSTM(4, return_sequences=True)
    got, expected = rnn(embedded), lstm(embedded)
    assert got._keras_mask is embedded._keras_mask  # return_sequences: the mask goes on
    rnn.set_weights(lstm.get_weights())
    a, b = K.function([inputs], [got, expected])([ids])
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(a[0, 0], 0)  # no real step yet: zeros
    np.testing.assert_array_equal(a[1, 2], a[1, 1])  # padding after the end: the last output again


def test_initial_state_and_inputs_given_as_a_list():
    x, h0, c0 = _randn(2, 3, 4), _randn(2, 5), _randn(2, 5)
    inputs, h, c = keras.Input((3, 4)), keras.Input((5,)), keras.Input((5,))
    rnn, lstm = L.RNN(L.LSTMCell(5)), L.LSTM(5)
    by_keyword, as_list, expected = rnn(inputs, initial_state=[h, c]), rnn([inputs, h, c]), \
        lstm(inputs, initial_state=[h, c])
    rnn.set_weights(lstm.get_weights())
    a, b, e = K.function([inputs, h, c], [by_keyword, as_list, expected])([x, h0, c0])
    np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, e, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="has 2 states but was passed 1 initial states"):
        L.RNN(L.LSTMCell(5))(inputs, initial_state=[h])


def test_stacked_cells_equal_stacked_layers():
    x = _randn(2, 6, 3).astype(np.float32)
    inputs = keras.Input((6, 3))
    stack = L.StackedRNNCells([L.LSTMCell(4), L.GRUCell(2)])
    rnn = L.RNN(stack, return_sequences=True, return_state=True)
    got = rnn(inputs)
    assert stack.state_size == ([4, 4], 2) and stack.output_size == 2
    assert [v.op.name for v in rnn.weights] == [f"rnn/{cell}/{w}" for cell in ("lstm_cell", "gru_cell")
                                                for w in ("kernel", "recurrent_kernel", "bias")]
    first = L.LSTM(4, return_sequences=True, return_state=True)
    second = L.GRU(2, return_sequences=True, return_state=True)
    out1, h1, c1 = first(inputs)
    out2, h2 = second(out1)
    rnn.set_weights(first.get_weights() + second.get_weights())
    assert len(got) == 4  # output, then the states of the cells one after another: h, c of the LSTM, h of the GRU
    for a, b in zip(*K.function([inputs], [got, [out2, h1, c1, h2]])([x])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    from_list = L.RNN([L.SimpleRNNCell(3), L.SimpleRNNCell(3)])  # a list of cells is a stack
    assert isinstance(from_list.cell, L.StackedRNNCells)
    assert from_list(inputs).shape.as_list() == [None, 3]


class MinimalRNNCell(L.Layer):
    """Keras' documented custom cell."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = K.dot(inputs, self.kernel)
        output = h + K.dot(prev_output, self.recurrent_kernel)
        return output, [output]


def test_a_cell_of_ones_own_runs_and_trains():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 5, 3)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None].astype(np.float32)
    cell = MinimalRNNCell(8)
    tf.set_random_seed(0)
    model = keras.Sequential([L.RNN(cell, input_shape=(5, 3)), L.Dense(1)])
    kernel, recurrent = cell.get_weights()
    assert [v.op.name for v in cell.weights] == ["rnn/kernel", "rnn/recurrent_kernel"]
    assert np.abs(kernel).max() <= 0.05  # Keras' "uniform": [-0.05, 0.05]
    h = np.zeros((64, 8))
    for t in range(5):
        h = x[:, t] @ kernel + h @ recurrent
    np.testing.assert_allclose(K.function([model.input], [model.layers[0].output])([x])[0], h, rtol=1e-4,
                               atol=1e-6)
    model.compile(keras.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]


def test_cell_dropout_keeps_one_mask_for_the_whole_sequence():
    """A sum of the inputs through a dropout mask gives the same output at every step (all steps' inputs are
    ones) only if the mask is the same at every step; outside training nothing is dropped."""
    cell = L.SimpleRNNCell(1, activation="linear", dropout=0.5, kernel_initializer="ones",
                           recurrent_initializer="zeros")
    inputs = keras.Input((6, 40))
    layer = L.RNN(cell, return_sequences=True)
    trained, inferred = layer(inputs, training=True), layer(inputs, training=False)
    x = np.ones((50, 6, 40), np.float32)
    a, b = K.function([inputs], [trained, inferred])([x])
    assert np.all(a == a[:, :1]) and not np.all(a == a[:1, :1])  # one mask per sequence, one per sample
    assert np.all(a[..., 0] % 2 == 0) and np.abs(a.mean() - 40) < 4  # kept units scaled by 1 / (1 - 0.5)
    np.testing.assert_allclose(b, 40.0)


def test_a_cell_called_alone_is_one_step():
    cell = L.GRUCell(3)
    x, h = tf.constant(_randn(2, 4).astype(np.float32)), tf.constant(_randn(2, 3).astype(np.float32))
    output, states = cell(x, [h])
    kernel, recurrent, bias = cell.get_weights()
    x_v, h_v = K.batch_get_value([x, h])
    u, r, cand = np.split(x_v @ kernel + bias, 3, axis=1)
    ru, rr, rh = np.split(recurrent, 3, axis=1)
    update, reset = _hard_sigmoid(u + h_v @ ru), _hard_sigmoid(r + h_v @ rr)
    expected = update * h_v + (1 - update) * np.tanh(cand + (reset * h_v) @ rh)
    got_output, got_state = K.batch_get_value([output, states[0]])
    np.testing.assert_allclose(got_output, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, expected, rtol=1e-5, atol=1e-6)


def test_stateful_rnn_carries_its_states():
    x = _randn(2, 8, 3).astype(np.float32)
    stateful = keras.Sequential([L.RNN(L.LSTMCell(4), stateful=True, return_sequences=True,
                                       batch_input_shape=(2, 4, 3))])
    whole = keras.Sequential([L.LSTM(4, return_sequences=True, input_shape=(8, 3))])
    whole.set_weights(stateful.get_weights())
    halves = np.concatenate([stateful.predict(x[:, :4]), stateful.predict(x[:, 4:])], axis=1)
    np.testing.assert_allclose(halves, whole.predict(x), rtol=1e-5, atol=1e-6)
    layer = stateful.layers[0]
    assert [v.shape.as_list() for v in layer.states] == [[2, 4], [2, 4]]
    layer.reset_states()
    np.testing.assert_allclose(stateful.predict(x[:, :4]), halves[:, :4], rtol=1e-6)


def test_rnn_config_and_errors():
    layer = L.RNN(L.LSTMCell(4, dropout=0.25), return_sequences=True, go_backwards=True)
    config = layer.get_config()
    assert config["return_sequences"] and config["go_backwards"] and not config["unroll"]
    assert config["cell"]["class_name"] == "LSTMCell" and config["cell"]["config"]["units"] == 4
    assert config["cell"]["config"]["dropout"] == 0.25
    twin = L.RNN.from_config(config)
    assert isinstance(twin.cell, L.LSTMCell) and twin.cell.units == 4 and twin.go_backwards
    stacked = L.RNN.from_config(L.RNN([L.GRUCell(2), L.GRUCell(3)]).get_config())
    assert [c.units for c in stacked.cell.cells] == [2, 3]
    cell_config = L.GRUCell(5).get_config()
    assert cell_config["recurrent_activation"] == "hard_sigmoid" and cell_config["reset_after"] is False
    with pytest.raises(NotImplementedError, match="reset_after=True"):
        L.GRUCell(5, reset_after=True)
    with pytest.raises(ValueError, match="should have a `call` method and a `state_size`"):
        L.RNN(object())
    with pytest.raises(ValueError, match="expected ndim>=3"):
        L.RNN(L.LSTMCell(2))(keras.Input((4,)))
    with pytest.raises(ValueError, match="unrolling requires a fixed number of timesteps"):
        L.RNN(L.LSTMCell(2), unroll=True)(keras.Input((None, 4)))


def test_gradients_through_rnn_cells(float64):
    cells = [L.LSTMCell(2), L.GRUCell(2), L.SimpleRNNCell(2)]
    check_gradients(lambda x: L.RNN(cells, return_sequences=True)(x), _randn(2, 3, 2), rtol=1e-4)
    check_gradients(lambda x: L.RNN(L.LSTMCell(2), go_backwards=True, unroll=True)(x), _randn(2, 3, 2), rtol=1e-4)


# ------------------------------------------------------------------------------------------------ attention

def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attend(scores, value, query_mask=None, value_mask=None, causal=False):
    allowed = np.ones(scores.shape, bool)
    if value_mask is not None:
        allowed &= value_mask[:, None, :]
    if causal:
        allowed &= np.tril(np.ones(scores.shape[1:], bool))[None]
    out = _softmax(np.where(allowed, scores, scores - 1e9)) @ value
    return out if query_mask is None else out * query_mask[..., None]


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_dot_product_attention_against_numpy(causal, masked):
    q, v, k = _randn(2, 4, 3), _randn(2, 4, 3), _randn(2, 4, 3)
    query_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    value_mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    layer = L.Attention(use_scale=True, causal=causal)
    masks = [tf.constant(query_mask), tf.constant(value_mask)] if masked else None
    out = layer([tf.constant(q, tf.float32), tf.constant(v, tf.float32), tf.constant(k, tf.float32)], mask=masks)
    assert [(w.op.name, w.shape.as_list()) for w in layer.weights] == [("attention/scale", [])]
    layer.set_weights([np.float32(1.5)])
    scores = 1.5 * q @ k.transpose(0, 2, 1)
    expected = _attend(scores, v, query_mask if masked else None, value_mask if masked else None, causal)
    np.testing.assert_allclose(K.get_value(out), expected, rtol=1e-4, atol=1e-5)
    assert layer.get_config()["causal"] is causal and layer.get_config()["use_scale"] is True


def test_additive_attention_against_numpy_and_masks_carried_by_the_inputs():
    ids_q, ids_v = np.array([[1, 2, 0]]), np.array([[3, 1, 4, 0, 0]])
    q_in, v_in = keras.Input((3,)), keras.Input((5,))
    embedding = L.Embedding(5, 4, mask_zero=True)
    q, v = embedding(q_in), embedding(v_in)
    layer = L.AdditiveAttention()
    out = layer([q, v])
    assert out._keras_mask is q._keras_mask  # the query's mask goes on
    assert [(w.op.name, w.shape.as_list()) for w in layer.weights] == [("additive_attention/scale", [4])]
    scale = _randn(4)
    layer.set_weights([scale])
    got, q_v, v_v = K.function([q_in, v_in], [out, q, v])([ids_q, ids_v])
    scores = (scale * np.tanh(q_v[:, :, None] + v_v[:, None])).sum(-1)
    np.testing.assert_allclose(got, _attend(scores, v_v, ids_q != 0, ids_v != 0), rtol=1e-4, atol=1e-5)
    plain = L.AdditiveAttention(use_scale=False)
    assert K.get_value(plain([tf.constant(q_v), tf.constant(v_v)])).shape == (1, 3, 4) and not plain.weights


def test_attention_gradients_and_errors(float64):
    check_gradients(lambda q, v: L.Attention(use_scale=True, causal=True)([q, v]), _randn(2, 3, 2), _randn(2, 3, 2))
    value_mask = tf.constant(np.array([[1, 1, 0], [1, 0, 1]], bool))
    check_gradients(lambda q, v, k: L.AdditiveAttention()([q, v, k], mask=[None, value_mask]), _randn(2, 2, 3),
                    _randn(2, 3, 3), _randn(2, 3, 3))
    with pytest.raises(ValueError, match=r"Attention layer must be called on a list of inputs, namely \[query, "
                                         r"value\] or \[query, value, key\]"):
        L.Attention()(tf.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="mask must be a list of length 2"):
        L.Attention()([tf.zeros((1, 2, 3)), tf.zeros((1, 2, 3))], mask=[None])


def test_attention_in_a_model_that_trains():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 6, 4)).astype(np.float32)
    y = x[:, :, :1].mean(axis=1)
    tf.set_random_seed(0)  # the initial weights, and fit's shuffling, are repeatable: not a test of luck
    np.random.seed(0)
    inputs = keras.Input((6, 4))
    query = L.Dense(4)(inputs)
    attended = L.Attention(use_scale=True)([query, inputs])
    model = keras.Model(inputs, L.Dense(1)(L.GlobalAveragePooling1D()(attended)))
    model.compile(keras.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]


# ------------------------------------------------------------------------------- AlphaDropout, regularization

def test_alpha_dropout_keeps_mean_and_variance_and_is_the_identity_in_inference():
    x = np.random.default_rng(4).standard_normal((200, 1000)).astype(np.float32)
    layer = L.AlphaDropout(0.2)
    inputs = keras.Input((1000,))
    trained, inferred = layer(inputs, training=True), layer(inputs)  # the learning phase: False unless fit
    a, b = K.function([inputs], [trained, inferred])([x])
    assert abs(a.mean()) < 0.01 and abs(a.var() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    scale = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = scale * alpha_p - scale * alpha_p * 0.2  # a·α' + b: what a dropped unit becomes
    assert abs(np.mean(np.isclose(a, dropped, atol=1e-6)) - 0.2) < 0.01
    np.testing.assert_array_equal(b, x)
    assert L.AlphaDropout(0.3).get_config()["rate"] == 0.3


def test_activity_regularization_adds_its_penalty_per_sample():
    x = _randn(4, 3).astype(np.float32)
    inputs = keras.Input((3,))
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    out = layer(inputs)
    assert len(layer.losses) == 1 and layer.get_config()["l1"] == 0.1
    got, penalty = K.function([inputs], [out, layer.losses[0]])([x])
    np.testing.assert_array_equal(got, x)
    assert penalty == pytest.approx((0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum()) / 4, rel=1e-5)


# ----------------------------------------------------------------------------------------------- the backend

def test_backend_rnn_with_a_simple_step_function():
    x, W, U = _randn(3, 4, 2), _randn(2, 5), _randn(5, 5)
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 1, 1, 1]], bool)
    inputs = tf.placeholder(tf.float64, [None, 4, 2])

    def step(x_t, states):
        h = K.tanh(K.dot(x_t, tf.constant(W)) + K.dot(states[0], tf.constant(U)) + states[1])
        return h, [h]

    bias = tf.constant(np.full(5, 0.1))
    h0 = tf.zeros_like(inputs[:, 0, :1]) * tf.zeros([5], tf.float64)
    for unroll, backwards in itertools.product([False, True], [False, True]):
        last, outputs, states = K.rnn(step, inputs, [h0], go_backwards=backwards, mask=tf.constant(mask),
                                      constants=[bias], unroll=unroll)
        h, prev, expected = np.zeros((3, 5)), np.zeros((3, 5)), []
        for t in (range(3, -1, -1) if backwards else range(4)):
            new = np.tanh(x[:, t] @ W + h @ U + 0.1)
            keep = mask[:, t][:, None]
            h, prev = np.where(keep, new, h), np.where(keep, new, prev)
            expected.append(prev)
        got = _run([last, outputs, states], {inputs: x})
        np.testing.assert_allclose(got[1], np.stack(expected, 1), rtol=1e-10)
        np.testing.assert_allclose(got[0], expected[-1], rtol=1e-10)
        np.testing.assert_allclose(got[2][0], h, rtol=1e-10)
    check_gradients(lambda x: K.rnn(step, x, [tf.zeros_like(x[:, 0, :1]) * tf.zeros([5], tf.float64)],
                                    constants=[bias])[1], _randn(2, 3, 2))


def test_backend_convolutions_and_pools_against_numpy():
    x4, x3, x5 = _randn(2, 6, 5, 3), _randn(2, 7, 3), _randn(1, 4, 4, 4, 2)
    w2, w1, w3 = _randn(3, 2, 3, 4), _randn(3, 3, 4), _randn(2, 2, 2, 2, 3)
    depthwise, pointwise = _randn(2, 2, 3, 2), _randn(1, 1, 6, 4)
    results = K.batch_get_value([
        K.conv2d(tf.constant(x4), tf.constant(w2), strides=(2, 1), padding="same"),
        K.conv2d(tf.constant(x4.transpose(0, 3, 1, 2)), tf.constant(w2), data_format="channels_first"),
        K.conv1d(tf.constant(x3), tf.constant(w1), padding="causal", dilation_rate=2),
        K.conv3d(tf.constant(x5), tf.constant(w3), strides=(1, 2, 1)),
        K.depthwise_conv2d(tf.constant(x4), tf.constant(depthwise), padding="same"),
        K.separable_conv2d(tf.constant(x4), tf.constant(depthwise), tf.constant(pointwise)),
        K.pool2d(tf.constant(x4), (2, 2), strides=(2, 2), pool_mode="avg"),
        K.pool3d(tf.constant(x5), (2, 2, 2), strides=(2, 2, 2), padding="same")])
    np.testing.assert_allclose(results[0], _conv(x4, w2, (2, 1), "same"), rtol=1e-10)
    np.testing.assert_allclose(results[1].transpose(0, 2, 3, 1), _conv(x4, w2, (1, 1)), rtol=1e-10)
    np.testing.assert_allclose(results[2], _conv(np.pad(x3, [(0, 0), (4, 0), (0, 0)]), w1, (1,), dilations=(2,)),
                               rtol=1e-10)
    np.testing.assert_allclose(results[3], _conv(x5, w3, (1, 2, 1)), rtol=1e-10)
    np.testing.assert_allclose(results[4], _depthwise(x4, depthwise, (1, 1), "same"), rtol=1e-10)
    np.testing.assert_allclose(results[5], _conv(_depthwise(x4, depthwise, (1, 1)), pointwise, (1, 1)), rtol=1e-10)
    np.testing.assert_allclose(results[6], _pool(x4, (2, 2), (2, 2), np.nanmean), rtol=1e-10)
    np.testing.assert_allclose(results[7], _pool(x5, (2, 2, 2), (2, 2, 2), np.nanmax, "same"), rtol=1e-10)
    with pytest.raises(ValueError, match="Invalid pooling mode"):
        K.pool2d(tf.constant(x4), (2, 2), pool_mode="min")
    with pytest.raises(ValueError, match="Invalid padding"):
        K.conv2d(tf.constant(x4), tf.constant(w2), padding="full")


def test_backend_conv2d_transpose_spreads_each_value_over_a_window():
    x, kernel = _randn(2, 3, 2, 4), _randn(3, 3, 5, 4)  # kernel: (kh, kw, out, in)
    y = K.get_value(K.conv2d_transpose(tf.constant(x), tf.constant(kernel), (None, 7, 5, 5), strides=(2, 2)))
    expected = np.zeros((2, 7, 5, 5))  # (n - 1)·2 + 3: VALID, nothing cut
    for i, j in np.ndindex(3, 2):
        expected[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3] += np.einsum("bc,pqoc->bpqo", x[:, i, j], kernel)
    np.testing.assert_allclose(y, expected, rtol=1e-10)


def test_backend_dropout_loops_and_top_k():
    x = np.ones((100, 100))
    dropped = K.get_value(K.dropout(tf.constant(x), 0.3))
    assert set(np.unique(dropped)) <= {0.0, 1 / 0.7} and abs((dropped == 0).mean() - 0.3) < 0.03
    elems = np.arange(1.0, 6.0)
    squares, total, backwards = K.batch_get_value([
        K.map_fn(lambda v: v * v, tf.constant(elems)),
        K.foldl(lambda a, v: a + v, tf.constant(elems), initializer=tf.constant(10.0, tf.float64)),
        K.foldr(lambda a, v: a * 2 + v, tf.constant(elems))])
    np.testing.assert_array_equal(squares, elems ** 2)
    assert total == 25.0 and backwards == (((5 * 2 + 4) * 2 + 3) * 2 + 2) * 2 + 1
    predictions = tf.constant([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]])
    top1, top2 = K.batch_get_value([K.in_top_k(predictions, tf.constant([2, 0]), 1),
                                    K.in_top_k(predictions, tf.constant([2, 2]), 2)])
    assert top1.tolist() == [False, True] and top2.tolist() == [True, False]


def test_backend_batch_normalization():
    x = _randn(4, 3, 2, 2)
    mean, var, beta, gamma = _randn(3), np.abs(_randn(3)), _randn(3), _randn(3)
    along = (slice(None), None, None)  # (3,) -> (3, 1, 1): the channels of NCHW
    expected = (x - mean[along]) / np.sqrt(var[along] + 1e-3) * gamma[along] + beta[along]
    got = K.get_value(K.batch_normalization(tf.constant(x), mean, var, beta, gamma, axis=1))
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    last = K.get_value(K.batch_normalization(tf.constant(x), _randn(2) * 0, np.ones(2), None, None, axis=-1,
                                             epsilon=0.0))
    np.testing.assert_allclose(last, x, rtol=1e-12)
    normed, batch_mean, batch_var = K.batch_get_value(K.normalize_batch_in_training(tf.constant(x), gamma, beta,
                                                                                      [0, 2, 3]))
    m, v = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(batch_mean, m, rtol=1e-10)
    np.testing.assert_allclose(batch_var, v, rtol=1e-10)
    np.testing.assert_allclose(normed, (x - m[along]) / np.sqrt(v[along] + 1e-3) * gamma[along] + beta[along],
                               rtol=1e-10)
    plain, _, _ = K.normalize_batch_in_training(tf.constant(x), None, None, [0, 1, 2])  # the last axis kept
    np.testing.assert_allclose(K.get_value(plain), (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-3),
                               rtol=1e-10)


def _ctc_probability(probs, label, blank):
    """The probability of ``label``: the sum over every path (one class per step) that collapses to it."""
    total = 0.0
    for path in itertools.product(range(probs.shape[1]), repeat=probs.shape[0]):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == list(label):
            total += np.prod([probs[t, c] for t, c in enumerate(path)])
    return total


def test_backend_ctc_batch_cost_and_decode():
    logits = _randn(2, 4, 3)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    y_true = np.array([[0, 1], [1, 1]])  # the first sample's label is [0] only (label_length 1)
    cost = K.get_value(K.ctc_batch_cost(tf.constant(y_true), tf.constant(probs), tf.constant([[4], [3]]),
                                        tf.constant([[1], [2]])))
    shifted = probs + K.epsilon()  # (Keras takes the log of the probabilities plus epsilon, as TF's does)
    expected = [-np.log(_ctc_probability(shifted[0], [0], 2)), -np.log(_ctc_probability(shifted[1, :3], [1, 1], 2))]
    assert cost.shape == (2, 1)
    np.testing.assert_allclose(cost[:, 0], expected, rtol=1e-5)  # (the CTC runs in float32)
    probs = np.array([[[0.6, 0.3, 0.1], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1]]])
    (decoded,), _ = K.ctc_decode(tf.constant(probs), tf.constant([4]))
    assert K.get_value(decoded).tolist() == [[0, 1]]  # 0 0 blank 1 -> 0 1


def test_set_floatx_and_set_epsilon():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    K.set_floatx("float64")
    try:
        assert keras.Input((3,)).dtype == tf.float64
        layer = L.Attention(use_scale=True)
        layer([tf.zeros((1, 2, 3), tf.float64)] * 2)
        assert layer.weights[0].dtype.base_dtype == tf.float64
    finally:
        K.set_floatx("float32")
    with pytest.raises(ValueError, match="Unknown floatx type"):
        K.set_floatx("int8")
    K.set_epsilon(1e-4)
    try:
        assert K.epsilon() == 1e-4
    finally:
        K.set_epsilon(1e-7)
