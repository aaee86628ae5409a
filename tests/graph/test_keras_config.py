"""tf.keras configurations as TF 1.15 has them: every layer's get_config is complete (the key sets of TF 1.15's
Dense, Conv2D, LSTM, BatchNormalization, Dropout and Embedding) and plain JSON data, from_config makes the layer
again; models go to JSON and back (same predictions once the weights are set), clone_model copies architectures
with new weights, and names of one's own come back through custom_objects."""
import json

import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
layers = keras.layers

_BASE = {"name", "trainable", "dtype"}
_DENSE_LIKE = {"activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
               "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"}
# TF 1.15's get_config of each (tensorflow/python/keras/layers/{core,convolutional,recurrent,normalization,
# embeddings}.py at r1.15; the RNN base adds time_major since TF 1.13)
TF_KEYS = {
    "Dense": _BASE | _DENSE_LIKE | {"units"},
    "Conv2D": _BASE | _DENSE_LIKE | {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate"},
    "LSTM": _BASE | {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                     "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
                     "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                     "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "implementation",
                     "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major"},
    "BatchNormalization": _BASE | {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                                   "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
                                   "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"},
    "Dropout": _BASE | {"rate", "noise_shape", "seed"},
    "Embedding": _BASE | {"batch_input_shape", "input_dim", "output_dim", "embeddings_initializer",
                          "embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "mask_zero",
                          "input_length"},
}
_MADE = {"Dense": lambda: layers.Dense(3), "Conv2D": lambda: layers.Conv2D(4, 3), "LSTM": lambda: layers.LSTM(5),
         "BatchNormalization": layers.BatchNormalization, "Dropout": lambda: layers.Dropout(0.3),
         "Embedding": lambda: layers.Embedding(10, 4)}


def _through_json(config):
    return json.loads(json.dumps(config))


# ------------------------------------------------------------------------------------------------ layers

@pytest.mark.parametrize("class_name", sorted(TF_KEYS))
def test_layer_configs_have_tf_1_15_keys_and_are_json(class_name):
    config = _MADE[class_name]().get_config()
    assert set(config) == TF_KEYS[class_name]
    assert _through_json(config) == json.loads(json.dumps(config, sort_keys=True))  # plain data only


def test_config_values_are_tf_defaults_serialized():
    dense = layers.Dense(3, activation="relu", kernel_regularizer=keras.regularizers.l2(0.1),
                         kernel_constraint=keras.constraints.MaxNorm(2.0))
    config = dense.get_config()
    assert config["activation"] == "relu" and config["units"] == 3 and config["dtype"] == "float32"
    assert config["kernel_initializer"] == {"class_name": "GlorotUniform", "config": {"seed": None,
                                                                                       "dtype": "float32"}}
    assert config["bias_initializer"] == {"class_name": "Zeros", "config": {"dtype": "float32"}}
    assert config["kernel_regularizer"] == {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.1}}
    assert config["kernel_constraint"] == {"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}}
    assert layers.Dense(2).get_config()["activation"] == "linear"  # None is Keras' "linear"
    assert layers.Dense(2, activation=tf.nn.relu).get_config()["activation"] == "relu"
    conv = layers.Conv2D(4, 3).get_config()
    assert conv["strides"] == (1, 1) and conv["padding"] == "valid" and conv["data_format"] == "channels_last"
    lstm = layers.LSTM(5).get_config()
    assert lstm["recurrent_activation"] == "hard_sigmoid" and lstm["activation"] == "tanh"
    assert lstm["recurrent_initializer"]["class_name"] == "Orthogonal" and lstm["implementation"] == 1
    assert layers.Embedding(10, 4).get_config()["embeddings_initializer"] == {
        "class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None, "dtype": "float32"}}
    assert layers.Dense(2, input_shape=(7,)).get_config()["batch_input_shape"] == (None, 7)


def test_tf_only_options_enter_a_config_when_set():
    assert "renorm" not in layers.BatchNormalization().get_config()
    assert layers.BatchNormalization(renorm=True).get_config()["renorm"] is True
    assert set(layers.SimpleRNN(3).get_config()) == TF_KEYS["LSTM"] - {
        "recurrent_activation", "unit_forget_bias", "implementation"}
    assert set(layers.GRU(3).get_config()) == TF_KEYS["LSTM"] - {"unit_forget_bias"} | {"reset_after"}
    with pytest.raises(TypeError, match="unit_forget_bias"):  # as TF: a SimpleRNN has no forget gate
        layers.SimpleRNN(3, unit_forget_bias=False)


@pytest.mark.parametrize("make", [
    lambda: layers.Dense(3, activation="tanh", use_bias=False, kernel_initializer="he_normal"),
    lambda: layers.Conv2D(4, (3, 2), strides=2, padding="same", activation="relu"),
    lambda: layers.LSTM(5, return_sequences=True, dropout=0.2, recurrent_activation="sigmoid"),
    lambda: layers.GRU(2, go_backwards=True), lambda: layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
    lambda: layers.Dropout(0.3, seed=4), lambda: layers.Embedding(10, 4, mask_zero=True, input_length=6),
    lambda: layers.MaxPooling2D(3), lambda: layers.Flatten(), lambda: layers.Activation("softmax"),
    lambda: layers.Reshape((2, 3)), lambda: layers.Concatenate(axis=1), lambda: layers.LeakyReLU(0.1),
    lambda: layers.TimeDistributed(layers.Dense(2, activation="relu")),
    lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="sum"), lambda: layers.GlobalAveragePooling2D(),
    lambda: layers.PReLU(), lambda: layers.UpSampling2D((2, 3)),
    lambda: layers.InputLayer(input_shape=(4, 2))])
def test_from_config_makes_the_same_configuration(make):
    layer = make()
    config = _through_json(layer.get_config())
    twin = type(layer).from_config(config)
    assert type(twin) is type(layer)
    assert _through_json(twin.get_config()) == config
    assert _through_json(keras.layers.deserialize(keras.layers.serialize(layer)).get_config()) == config


def test_sub_objects_serialize_and_come_back():
    for module, obj in ((keras.initializers, keras.initializers.he_uniform(seed=3)),
                        (keras.initializers, keras.initializers.Constant(0.5)),
                        (keras.regularizers, keras.regularizers.l1_l2(0.1, 0.2)),
                        (keras.constraints, keras.constraints.MinMaxNorm(0.5, 2.0, 0.7, 1))):
        config = _through_json(module.serialize(obj))
        back = module.get(config)
        assert type(back) is type(obj) and back.get_config() == obj.get_config()
        assert module.deserialize(config).get_config() == obj.get_config()
    assert keras.activations.serialize(keras.activations.get("selu")) == "selu"
    assert keras.activations.deserialize("softmax") is keras.activations.softmax
    assert keras.initializers.serialize(keras.initializers.he_normal())["config"]["scale"] == 2.0


def test_a_layer_of_ones_own_must_say_its_arguments():
    class Scale(layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

    with pytest.raises(NotImplementedError, match=r"Scale has arguments in `__init__` \(factor\).*get_config"):
        Scale(2.0).get_config()

    class Plain(layers.Layer):
        def call(self, inputs):
            return inputs

    assert Plain(name="plain").get_config() == {"name": "plain", "trainable": True, "dtype": "float32"}


# ------------------------------------------------------------------------------------------------ models

def _same_predictions(a, b, x):
    np.testing.assert_allclose(a.predict(x), b.predict(x), rtol=1e-5, atol=1e-6)


def test_sequential_to_json_and_back_predicts_the_same():
    model = keras.Sequential([layers.Conv2D(3, 3, activation="relu", input_shape=(6, 6, 1)),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.5),
                              layers.Dense(4, activation="softmax")], name="convnet")
    text = model.to_json()
    envelope = json.loads(text)
    assert envelope["class_name"] == "Sequential" and envelope["keras_version"] == "2.2.4-tf"
    assert envelope["backend"] == "tensorflow" and envelope["config"]["name"] == "convnet"
    assert [entry["class_name"] for entry in envelope["config"]["layers"]] == [
        "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert envelope["config"]["layers"][0]["config"]["batch_input_shape"] == [None, 6, 6, 1]
    twin = keras.models.model_from_json(text)
    assert isinstance(twin, keras.Sequential) and twin.built
    assert [w.shape.as_list() for w in twin.weights] == [w.shape.as_list() for w in model.weights]
    x = np.random.default_rng(0).random((5, 6, 6, 1)).astype(np.float32)
    assert not np.allclose(twin.predict(x), model.predict(x))  # new weights ...
    twin.set_weights(model.get_weights())
    _same_predictions(model, twin, x)  # ... and with the old ones, the same model


def test_sequential_started_by_an_input_layer_or_built_from_data_keeps_its_input():
    started = keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(2)])
    assert started.get_config()["layers"][0]["config"]["batch_input_shape"] == (None, 3)
    assert keras.Sequential.from_config(_through_json(started.get_config())).input_shape == (None, 3)
    lazy = keras.Sequential([layers.Dense(2)])
    lazy.predict(np.zeros((1, 5), np.float32))
    assert lazy.get_config()["build_input_shape"] == [None, 5]
    assert keras.Sequential.from_config(_through_json(lazy.get_config())).input_shape == (None, 5)


def test_functional_config_lists_layers_with_their_inbound_nodes():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    shared = layers.Dense(4, name="shared")
    merged = layers.concatenate([shared(a), shared(layers.Dense(3, name="widen")(b))], name="merged")
    model = keras.Model([a, b], layers.Dense(1, name="out")(merged), name="two_inputs")
    config = _through_json(model.get_config())
    assert config["name"] == "two_inputs"
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out", 0, 0]]
    by_name = {entry["name"]: entry for entry in config["layers"]}
    assert by_name["a"]["class_name"] == "InputLayer" and by_name["a"]["inbound_nodes"] == []
    assert by_name["a"]["config"] == {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                                      "ragged": False, "name": "a"}
    # the shared layer has two nodes, the second called on widen's output
    assert by_name["shared"]["inbound_nodes"] == [[["a", 0, 0, {}]], [["widen", 0, 0, {}]]]
    assert by_name["merged"]["inbound_nodes"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]


def test_functional_model_from_json_predicts_the_same():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    merged = layers.concatenate([shared(a), shared(layers.Dense(3, name="widen")(b))])
    model = keras.Model([a, b], [layers.Dense(1, name="out")(merged), layers.Dense(2, name="aux")(merged)])
    twin = keras.models.model_from_json(model.to_json())
    assert type(twin) is keras.Model and [layer.name for layer in twin.layers] == [
        layer.name for layer in model.layers]
    twin.set_weights(model.get_weights())
    rng = np.random.default_rng(1)
    x = [rng.random((4, 3)).astype(np.float32), rng.random((4, 2)).astype(np.float32)]
    for mine, theirs in zip(model.predict(x), twin.predict(x)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_recurrent_model_with_initial_state_and_wrappers_round_trips():
    x = keras.Input((5, 3))
    encoded, h, c = layers.LSTM(4, return_state=True, return_sequences=True)(x)
    decoded = layers.LSTM(4, return_sequences=True)(encoded, initial_state=[h, c])
    steps = layers.TimeDistributed(layers.Dense(2))(decoded)
    out = layers.Bidirectional(layers.GRU(3))(steps)
    model = keras.Model(x, layers.Dense(1)(out))
    config = _through_json(model.get_config())
    node = next(e for e in config["layers"] if e["name"] == model.layers[2].name)["inbound_nodes"][0][0]
    assert node[3] == {"initial_state": [{"__keras_tensor__": [model.layers[1].name, 0, 1]},
                                         {"__keras_tensor__": [model.layers[1].name, 0, 2]}]}
    twin = keras.Model.from_config(config)
    twin.set_weights(model.get_weights())
    _same_predictions(model, twin, np.random.default_rng(2).random((2, 5, 3)).astype(np.float32))


def double(x):
    return x * 2


def test_custom_objects_bring_back_layers_and_functions_of_ones_own():
    class Scale(layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight("w", [input_shape[-1]], initializer="ones")

        def call(self, inputs):
            return inputs * self.w * self.factor

        def get_config(self):
            return dict(super().get_config(), factor=self.factor)

    def cube(x):
        return x * x * x

    x = keras.Input((2,))
    model = keras.Model(x, Scale(3.0)(layers.Lambda(double)(layers.Dense(2, activation=cube)(x))))
    text = model.to_json()
    with pytest.raises(ValueError, match="Unknown activation function: 'cube'"):
        keras.models.model_from_json(text, custom_objects={"Scale": Scale})
    with pytest.raises(ValueError, match="Unknown layer: 'Scale'"):
        keras.models.model_from_json(text, custom_objects={"cube": cube})
    twin = keras.models.model_from_json(text, custom_objects={"Scale": Scale, "cube": cube})
    assert twin.layers[-1].factor == 3.0 and twin.layers[2]._lambda is double  # (found in this module by name)
    twin.set_weights(model.get_weights())
    _same_predictions(model, twin, np.array([[1.0, -2.0], [0.5, 3.0]], np.float32))
    with keras.utils.custom_object_scope({"Scale": Scale, "cube": cube}):
        assert isinstance(keras.models.model_from_json(text).layers[-1], Scale)


def test_what_cannot_be_saved_is_refused_clearly():
    x = keras.Input((2,))
    with_lambda = keras.Model(x, layers.Lambda(lambda t: t + 1)(x))
    with pytest.raises(TypeError, match="code .* cannot be stored"):
        with_lambda.to_json()

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(NotImplementedError, match="subclassed model"):
        Net().get_config()
    y = layers.Dense(2)(x)
    with pytest.raises(NotImplementedError, match="plain .* op between layers"):
        keras.Model(x, layers.Dense(1)(y * 2.0)).get_config()


# ------------------------------------------------------------------------------------------------ clone_model

def test_clone_model_sequential_has_new_weights_and_the_same_structure():
    model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(2)])
    clone = keras.models.clone_model(model)
    assert isinstance(clone, keras.Sequential) and clone is not model
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert [layer.get_config() for layer in clone.layers] == [layer.get_config() for layer in model.layers]
    assert not set(map(id, clone.weights)) & set(map(id, model.weights))
    x = np.random.default_rng(3).random((4, 3)).astype(np.float32)
    assert not np.allclose(clone.predict(x), model.predict(x))
    clone.set_weights(model.get_weights())
    _same_predictions(model, clone, x)
    started = keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(2)])
    assert keras.models.clone_model(started).input_shape == (None, 3)


def test_clone_model_functional_multi_input_keeps_shared_layers_shared():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(2, name="shared")
    model = keras.Model([a, b], layers.subtract([shared(a), shared(b)]))
    clone = keras.models.clone_model(model)
    assert len(clone.inputs) == 2 and [layer.name for layer in clone.layers] == [
        layer.name for layer in model.layers]
    assert len(clone.weights) == 2  # one kernel and one bias: still shared
    assert not set(map(id, clone.weights)) & set(map(id, model.weights))
    clone.set_weights(model.get_weights())
    x = [np.ones((2, 3), np.float32), np.arange(6, dtype=np.float32).reshape(2, 3)]
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    # on tensors of one's own, with a clone function of one's own
    copies = []
    new_inputs = [keras.Input((3,)), keras.Input((3,))]

    def copy(layer):
        copies.append(layer.name)
        return layer.__class__.from_config(layer.get_config())

    on_inputs = keras.models.clone_model(model, input_tensors=new_inputs, clone_function=copy)
    assert on_inputs.inputs == new_inputs and copies == ["shared", model.layers[-1].name]


def test_metrics_and_metrics_names_as_tf_1_15():
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", keras.metrics.Precision()])
    assert model.metrics_names == ["loss", "acc", "precision"]
    assert model.metrics == []  # made with the loss, at the first fit/evaluate (the data say the targets' shape)
    model.evaluate(np.zeros((2, 4), np.float32), np.array([0.0, 1.0]), verbose=0)
    assert [m.name for m in model.metrics] == ["acc", "precision"]
    assert all(isinstance(m, keras.metrics.Metric) for m in model.metrics)
