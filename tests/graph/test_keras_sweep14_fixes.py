"""tf.keras behaviours a sweep of TF 1.15-era programs found wrong (each checked against TF 1.15's documented rule)."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import keras


class Net(keras.Model):
    """The TF guide's subclassed model: ``call(self, inputs, training=False)``."""

    def __init__(self):
        super().__init__()
        self.bn = keras.layers.BatchNormalization()
        self.drop = keras.layers.Dropout(0.5)
        self.out = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)

    def call(self, inputs, training=False):
        return self.out(self.drop(self.bn(inputs, training=training), training=training))


def test_a_subclassed_model_whose_call_defaults_to_inference_trains_in_training_mode():
    x = np.random.default_rng(0).standard_normal((256, 10)).astype(np.float32) + 3.0
    model = Net()
    model.compile(keras.optimizers.SGD(0.0), "mse")
    model.train_on_batch(x, np.zeros((256, 1), np.float32))
    moving_mean = keras.backend.get_value(model.bn.moving_mean)
    np.testing.assert_allclose(moving_mean, 0.01 * x.mean(axis=0), rtol=1e-4)  # momentum 0.99: one step of it
    first, second = model.predict(x[:4]), model.predict(x[:4])
    np.testing.assert_array_equal(first, second)  # predict: inference mode, no dropout


def test_two_models_with_the_same_layer_names_get_unique_weight_names():
    def build():
        return keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"),
                                 keras.layers.Dense(1, name="out")])
    first, second = build(), build()
    assert [w.name for w in first.weights] == ["hidden/kernel:0", "hidden/bias:0", "out/kernel:0", "out/bias:0"]
    assert [w.name for w in second.weights] == ["hidden_1/kernel:0", "hidden_1/bias:0", "out_1/kernel:0",
                                                "out_1/bias:0"]
    assert [layer.name for layer in second.layers] == ["hidden", "out"]  # the layers keep their names
    with pytest.raises(ValueError, match="already exists"):  # tf.layers (not Keras) keeps TF1's rule
        tf.layers.Dense(2, name="dense_twice")(tf.zeros([1, 3]))
        tf.layers.Dense(2, name="dense_twice")(tf.zeros([1, 3]))


def test_fit_on_a_dataset_from_a_generator():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((100, 4)).astype(np.float32)
    y = (x.sum(1, keepdims=True) > 0).astype(np.float32)

    def examples():
        yield from zip(x, y)
    dataset = tf.data.Dataset.from_generator(examples, (tf.float32, tf.float32),
                                             (tf.TensorShape([4]), tf.TensorShape([1]))).batch(20)
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(keras.optimizers.Adam(0.1), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(dataset, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 5 and history.history["loss"][-1] < history.history["loss"][0]


def test_unnamed_inputs_are_numbered_from_one_as_keras_names_them():
    first, second = keras.Input((3,)), keras.Input((2,))
    assert (first.name, second.name) == ("input_1:0", "input_2:0")
    joined = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)(
        keras.layers.concatenate([first, second]))
    model = keras.Model([first, second], joined)
    assert model.input_names == ["input_1", "input_2"]
    out = model.predict({"input_1": np.ones((2, 3), np.float32), "input_2": np.ones((2, 2), np.float32)})
    np.testing.assert_array_equal(out, [[5.0], [5.0]])
    assert [keras.backend.get_uid("x"), keras.backend.get_uid("x")] == [1, 2]


def test_validation_freq_validates_only_on_the_epochs_asked_for():
    x = np.random.default_rng(2).standard_normal((40, 3)).astype(np.float32)
    y = x.sum(1, keepdims=True)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    every_second = model.fit(x, y, epochs=4, validation_split=0.25, validation_freq=2, verbose=0)
    assert len(every_second.history["loss"]) == 4 and len(every_second.history["val_loss"]) == 2
    listed = model.fit(x, y, epochs=3, validation_data=(x, y), validation_freq=[1, 3], verbose=0)
    assert len(listed.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="can not be less than 1"):
        model.fit(x, y, validation_data=(x, y), validation_freq=0, verbose=0)


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name.startswith("on_test") or name.startswith("on_predict"):
            return lambda *args: (self.calls.append(name), attribute(*args))
        return attribute


def test_evaluate_predict_and_validation_call_the_test_and_predict_hooks():
    x = np.ones((10, 3), np.float32)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    recorder = Recorder()
    model.evaluate(x, x[:, :1], batch_size=4, callbacks=[recorder], verbose=0)
    assert recorder.calls == ["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] * 3 + ["on_test_end"]
    recorder.calls = []
    out = model.predict(x, batch_size=5, callbacks=[recorder])
    assert out.shape == (10, 1)
    assert recorder.calls == ["on_predict_begin"] + ["on_predict_batch_begin", "on_predict_batch_end"] * 2 + \
        ["on_predict_end"]
    recorder.calls = []
    model.fit(x, x[:, :1], epochs=2, batch_size=10, validation_data=(x, x[:, :1]), callbacks=[recorder], verbose=0)
    assert recorder.calls.count("on_test_begin") == 2 and recorder.calls.count("on_test_batch_end") == 2


def test_sequential_pop_drops_the_last_layer_for_transfer_learning():
    x = np.random.default_rng(3).standard_normal((20, 4)).astype(np.float32)
    base = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)), keras.layers.Dense(3)])
    features = keras.backend.get_session().run(base.layers[0].output, {base.input: x})
    base.pop()
    assert len(base.layers) == 1 and base.output_shape == (None, 5)
    np.testing.assert_allclose(base.predict(x), features, rtol=1e-6)
    base.add(keras.layers.Dense(1))
    base.compile("sgd", "mse")
    assert base.fit(x, x[:, :1], epochs=2, verbose=0).history["loss"][-1] >= 0
    with pytest.raises(TypeError, match="There are no layers"):
        keras.Sequential().pop()


class TwoInputs(keras.Model):
    """The TF guide's subclassed model with a list of inputs."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1, kernel_initializer="zeros", use_bias=False)

    def call(self, inputs):
        first, second = inputs
        return self.dense(tf.concat([first, second], axis=-1))


def test_a_subclassed_model_with_a_list_of_inputs_fits_and_predicts():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((64, 2)).astype(np.float32), rng.standard_normal((64, 3)).astype(np.float32)
    y = a.sum(1, keepdims=True) - b.sum(1, keepdims=True)
    model = TwoInputs()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    history = model.fit([a, b], y, epochs=30, batch_size=16, verbose=0)
    assert model.input_names == ["input_1", "input_2"]
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    np.testing.assert_allclose(model.get_weights()[0].ravel(), [1, 1, -1, -1, -1], atol=0.05)
    np.testing.assert_allclose(model.predict([a[:4], b[:4]]), y[:4], atol=0.1)
    with pytest.raises(ValueError, match="the model has 1 input"):
        keras.Sequential([keras.layers.Dense(1)]).fit([a, b], y, verbose=0)


def test_summary_of_a_branching_functional_model_shows_what_each_layer_is_connected_to():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    merged = keras.layers.concatenate([keras.layers.Dense(4, name="d1")(a), b], name="cat")
    model = keras.Model([a, b], keras.layers.Dense(1, name="out")(merged))
    lines = []
    model.summary(print_fn=lines.append)
    assert len(lines[1]) == 98 and lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#",
                                                        "Connected", "to"]
    rows = [line.split() for line in lines if line.strip() and line[0] not in "_=" and not line.startswith("Model")]
    assert ["d1", "(Dense)", "(None,", "4)", "16", "a[0][0]"] in rows
    assert ["cat", "(Concatenate)", "(None,", "6)", "0", "d1[0][0]"] in rows and ["b[0][0]"] in rows
    chain = keras.Model(a, keras.layers.Dense(2)(keras.layers.Dense(4)(a)))
    lines = []
    chain.summary(print_fn=lines.append)
    assert len(lines[1]) == 65 and "Connected" not in lines[2]  # a chain of layers: Keras' three columns
