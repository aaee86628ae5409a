"""What TF 1.15's Keras trains, averages and logs, worked out by hand or in numpy: frozen layers run no updates (a
frozen batch norm keeps its moving statistics), an output's logged loss is the plain mean of its batch losses, a
dataset's (or an evaluated generator's) loss the plain mean over its steps, outputs without a loss take no
targets, ``stop_training`` stops before the next epoch and skips validation, metrics of one name are reported
once, and ``save_weights`` keeps the optimizer's state for resumed training."""
import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
K = keras.backend
L = keras.layers

# four samples of two features: per feature the batch mean is (4, 5) and the biased variance 5
_X = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], np.float32)


def _normalizer_net():
    """A batch norm (momentum 0.5) then Dense(1) of kernel ones: its output is the sum of the normalized
    features."""
    norm = L.BatchNormalization(momentum=0.5, input_shape=(2,))
    return norm, keras.Sequential([norm, L.Dense(1, kernel_initializer="ones")])


# ------------------------------------------------------------------------ frozen layers run no updates

def test_a_frozen_batch_norm_keeps_its_moving_statistics_and_trains_on_the_batch_statistics():
    norm, model = _normalizer_net()
    norm.trainable = False  # after the build, before compile: the transfer-learning recipe
    model.compile(keras.optimizers.SGD(0.0), "mse")
    history = model.fit(_X, np.zeros(4), batch_size=4, verbose=0)
    np.testing.assert_array_equal(K.get_value(norm.moving_mean), [0, 0])
    np.testing.assert_array_equal(K.get_value(norm.moving_variance), [1, 1])
    # the training phase still normalizes with the batch's statistics: each feature is (-3, -1, 1, 3) / sqrt(5 +
    # 1e-3), the output twice that, so the mean squared output is 4 * 5 / 5.001
    assert history.history["loss"][0] == pytest.approx(20 / 5.001, rel=1e-5)


def test_a_trainable_batch_norm_moves_its_statistics_and_the_change_waits_for_compile():
    norm, model = _normalizer_net()
    model.compile(keras.optimizers.SGD(0.0), "mse")
    norm.trainable = False  # after compile: Keras trains as compiled until the next compile
    model.fit(_X, np.zeros(4), batch_size=4, verbose=0)
    # momentum 0.5: half the old (0, 1), half the batch's mean (4, 5) and biased variance 5
    np.testing.assert_allclose(K.get_value(norm.moving_mean), [2, 2.5])
    np.testing.assert_allclose(K.get_value(norm.moving_variance), [3, 3])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    model.fit(_X, np.zeros(4), batch_size=4, verbose=0)
    np.testing.assert_allclose(K.get_value(norm.moving_mean), [2, 2.5])


def test_freezing_a_model_freezes_its_layers_and_their_updates(caplog):
    norm, model = _normalizer_net()
    model.trainable = False
    assert [layer.trainable for layer in model.layers] == [False, False] and model.updates == []
    model.compile(keras.optimizers.SGD(0.1), "mse")
    with caplog.at_level("WARNING"):
        model.fit(_X, np.zeros(4), batch_size=4, verbose=0)
    assert "The list of trainable weights is empty" in caplog.text
    np.testing.assert_array_equal(K.get_value(norm.moving_mean), [0, 0])
    model.trainable = True  # back for every layer
    assert [layer.trainable for layer in model.layers] == [True, True] and len(model.updates) == 2


def test_a_frozen_base_model_inside_another_keeps_its_statistics_while_the_head_trains():
    norm = L.BatchNormalization(momentum=0.5, input_shape=(2,))
    base = keras.Sequential([norm])
    head = keras.Sequential([base, L.Dense(1, kernel_initializer="ones")])
    base.trainable = False
    assert norm.trainable is False and head.updates == []
    head.compile(keras.optimizers.SGD(0.1), "mse")
    head.fit(_X, np.zeros(4), batch_size=4, verbose=0)
    np.testing.assert_array_equal(K.get_value(norm.moving_mean), [0, 0])
    # the head's one SGD step: d mean(out²)/d kernel = 2 mean(out * z), z the normalized features (-3, -1, 1, 3) /
    # sqrt(5.001) for both, out = 2z: 4 mean(z²) = 4 * 5 / 5.001 per feature
    np.testing.assert_allclose(head.layers[1].get_weights()[0], 1 - 0.1 * 20 / 5.001 * np.ones((2, 1)), rtol=1e-5)


def test_layer_updates_follow_each_layers_trainable_and_stateful_layers_keep_theirs():
    x = tf.placeholder(tf.float32, (None, 2))
    norm = tf.layers.BatchNormalization()
    norm(x, training=True)
    assert len(norm.updates) == 2
    norm.trainable = False
    assert norm.updates == [] and len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2  # (the graph keeps them)

    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.norm = L.BatchNormalization()

        def call(self, inputs):
            return self.norm(inputs)

    block = Block()
    block.norm.trainable = False  # frozen before the call: its updates stay its own, not the block's
    block(keras.Input((2,)))
    assert block.updates == []
    block.norm.trainable = True
    assert len(block.updates) == 2
    block.trainable = False  # the setter reaches the layers it holds
    assert block.norm.trainable is False and block.updates == []
    lstm = L.LSTM(2, stateful=True)
    lstm(keras.Input(batch_shape=(1, 3, 1)))
    carried = len(lstm.updates)
    lstm.trainable = False  # a stateful layer still carries its states over
    assert carried > 0 and len(lstm.updates) == carried


# --------------------------------------------------------------------------- how the losses are averaged

def _two_outputs(optimizer=None, **compile_options):
    """Two Dense(1) outputs of kernel ones on one input: each output is the sum of the features."""
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [L.Dense(1, kernel_initializer="ones", name="out1")(inputs),
                                 L.Dense(1, kernel_initializer="ones", name="out2")(inputs)])
    model.compile(optimizer or keras.optimizers.SGD(0.0), **compile_options)
    return model


def test_an_outputs_logged_loss_is_the_plain_mean_of_its_batch_losses():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((20, 3)).astype(np.float32)
    y1, y2 = 3 * rng.standard_normal(20), rng.standard_normal(20)
    model = _two_outputs(loss="mse")
    se1, se2 = (x.sum(1) - y1) ** 2, (x.sum(1) - y2) ** 2
    batches = [slice(0, 7), slice(7, 14), slice(14, 20)]  # batch_size=7
    expected = {"loss": se1.mean() + se2.mean(),  # the total: weighted by the batches' sizes
                "out1_loss": np.mean([se1[b].mean() for b in batches]),
                "out2_loss": np.mean([se2[b].mean() for b in batches])}
    scores = dict(zip(model.metrics_names, model.evaluate(x, [y1, y2], batch_size=7, verbose=0)))
    history = model.fit(x, [y1, y2], batch_size=7, shuffle=False, verbose=0).history
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, rel=1e-5)
        assert history[name][0] == pytest.approx(value, rel=1e-5)
    assert expected["out1_loss"] != pytest.approx(se1.mean(), rel=1e-3)  # (the batches differ: it is a real test)


class _Steps(keras.utils.Sequence):
    def __init__(self, x, y, size):
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, i):
        return self.x[i * self.size:(i + 1) * self.size], self.y[i * self.size:(i + 1) * self.size]


def test_a_dataset_or_an_evaluated_generator_averages_over_its_steps():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((10, 3)).astype(np.float32), rng.standard_normal((10, 1)).astype(np.float32)
    model = keras.Sequential([L.Dense(1, kernel_initializer="ones", input_shape=(3,))])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    se = (x.sum(1, keepdims=True) - y) ** 2
    per_step = np.mean([se[0:4].mean(), se[4:8].mean(), se[8:].mean()])  # batches of 4, 4 and 2
    assert per_step != pytest.approx(se.mean(), rel=1e-3)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    sizes = []
    logger = keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: sizes.append(logs["size"]))
    assert model.fit(dataset, verbose=0, callbacks=[logger]).history["loss"][0] == pytest.approx(per_step, rel=1e-5)
    assert sizes == [1, 1, 1]  # TF 1.15 runs a dataset as steps of size 1
    assert model.evaluate(dataset, verbose=0) == pytest.approx(per_step, rel=1e-5)
    history = model.fit(x, y, batch_size=10, validation_data=dataset, verbose=0).history
    assert history["val_loss"][0] == pytest.approx(per_step, rel=1e-5)
    assert model.evaluate_generator(_Steps(x, y, 4)) == pytest.approx(per_step, rel=1e-5)
    history = model.fit(x, y, batch_size=10, validation_data=_Steps(x, y, 4), verbose=0).history
    assert history["val_loss"][0] == pytest.approx(per_step, rel=1e-5)
    # fit_generator's own loss is weighted by the batches' sizes (TF's BaseLogger counts each batch's samples)
    history = model.fit_generator(_Steps(x, y, 4), verbose=0, shuffle=False).history
    assert history["loss"][0] == pytest.approx(se.mean(), rel=1e-5)


# ------------------------------------------------------------------------------- outputs without a loss

def test_a_loss_weights_dict_weighs_the_outputs_it_leaves_out_by_one():
    rng = np.random.default_rng(12)
    x, y1, y2 = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal(6), rng.standard_normal(6)
    model = _two_outputs(loss="mse", loss_weights={"out1": 2.0})
    mse1, mse2 = np.mean((x.sum(1) - y1) ** 2), np.mean((x.sum(1) - y2) ** 2)
    assert model.evaluate(x, [y1, y2], verbose=0)[0] == pytest.approx(2 * mse1 + mse2, rel=1e-5)


@pytest.mark.parametrize("loss", [["mse", None], {"out1": "mse"}])
def test_an_output_without_a_loss_takes_no_targets_and_does_not_train(loss, caplog):
    rng = np.random.default_rng(12)
    x, y1 = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal(6)
    with caplog.at_level("WARNING"):
        model = _two_outputs(keras.optimizers.SGD(0.1), loss=loss, metrics=["mae"])
        assert model.metrics_names == ["loss", "out1_loss", "out1_mean_absolute_error"]
        residual = x.sum(1) - y1
        expected = [np.mean(residual ** 2)] * 2 + [np.mean(abs(residual))]
        np.testing.assert_allclose(model.evaluate(x, [y1], verbose=0), expected, rtol=1e-5)
        np.testing.assert_allclose(model.evaluate(x, {"out1": y1, "out2": y1}, verbose=0), expected, rtol=1e-5)
    if isinstance(loss, dict):
        assert 'Output "out2" missing from loss dictionary' in caplog.text
    with pytest.raises(ValueError, match=r"only the outputs with a loss take targets \(out1\)"):
        model.evaluate(x, [y1, y1], verbose=0)  # one array per output with a loss
    model.fit(x, y1, batch_size=6, verbose=0)
    # one SGD step on out1 only: d mean(r²)/d kernel = 2 mean(r x)
    np.testing.assert_allclose(model.get_layer("out1").get_weights()[0][:, 0], 1 - 0.1 * 2 * (residual @ x) / 6,
                               rtol=1e-5)
    np.testing.assert_array_equal(model.get_layer("out2").get_weights()[0], np.ones((3, 1)))


# ---------------------------------------------------------------------------- stop_training and metrics

def _line():
    model = keras.Sequential([L.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


def test_stop_training_in_on_train_begin_runs_no_epoch():
    batches = []

    class StopAtBegin(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model.stop_training = True

        def on_batch_end(self, batch, logs=None):
            batches.append(batch)

    history = _line().fit(np.ones((12, 3)), np.ones(12), epochs=3, batch_size=4, verbose=0,
                          callbacks=[StopAtBegin()])
    assert batches == [] and history.epoch == [] and history.history == {}


def test_stop_training_during_an_epoch_skips_its_validation():
    class StopAtBatch1(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = _line().fit(np.ones((12, 3)), np.ones(12), epochs=3, batch_size=3, validation_split=0.25, verbose=0,
                          callbacks=[StopAtBatch1()])
    assert history.epoch == [0] and sorted(history.history) == ["loss"]


def test_metrics_of_one_name_are_reported_once():
    x = np.array([[1.0], [-1.0], [2.0], [-3.0]], np.float32)
    model = keras.Sequential([L.Dense(1, activation="sigmoid", kernel_initializer="ones", input_shape=(1,))])
    model.compile("sgd", "binary_crossentropy", metrics=["acc", "accuracy"])
    assert model.metrics_names == ["loss", "acc"]
    loss, accuracy = model.evaluate(x, np.array([1, 1, 0, 0]), verbose=0)
    assert accuracy == pytest.approx(0.5)  # predictions 1, 0, 1, 0 against 1, 1, 0, 0


# ----------------------------------------------------------------------------- the optimizer's checkpoint

def _adam_line():
    model = keras.Sequential([L.Dense(1, input_shape=(3,), kernel_initializer="ones")])
    model.compile(keras.optimizers.Adam(0.1), "mse")
    return model


def test_save_weights_keeps_the_optimizer_state_and_resumed_training_goes_on_the_same(tmp_path):
    rng = np.random.default_rng(17)
    x, y = rng.standard_normal((16, 3)).astype(np.float32), rng.standard_normal((16, 1)).astype(np.float32)
    trained = _adam_line()
    for _ in range(3):
        trained.train_on_batch(x, y)
    trained.save_weights(str(tmp_path / "ckpt"))
    assert dict(tf.train.list_variables(str(tmp_path / "ckpt"))) == {
        "layer_with_weights-0/kernel": [3, 1], "layer_with_weights-0/bias": [1],
        "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m": [3, 1],
        "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v": [3, 1],
        "layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/m": [1],
        "layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/v": [1],
        "optimizer/iter": [], "optimizer/learning_rate": []}
    trained.train_on_batch(x, y)
    resumed = _adam_line()  # not trained yet: its slots are made, and loaded, by its first step
    resumed.load_weights(str(tmp_path / "ckpt"))
    assert K.get_value(resumed.optimizer.iterations) == 3
    resumed.train_on_batch(x, y)
    np.testing.assert_array_equal(resumed.get_weights()[0], trained.get_weights()[0])
    assert K.get_value(resumed.optimizer.iterations) == 4
    again = _adam_line()
    again.train_on_batch(x, y)  # trained already: its slots exist, and are loaded at once
    again.load_weights(str(tmp_path / "ckpt"))
    np.testing.assert_array_equal(K.get_value(again.optimizer.iterations), 3)
    again.train_on_batch(x, y)
    np.testing.assert_array_equal(again.get_weights()[0], trained.get_weights()[0])


def test_a_learning_rate_set_after_load_weights_stays_as_set(tmp_path):
    saved = _adam_line()
    saved.train_on_batch(np.ones((2, 3)), np.ones((2, 1)))
    saved.save_weights(str(tmp_path / "ckpt"))
    model = keras.Sequential([L.Dense(1, input_shape=(3,))])
    model.load_weights(str(tmp_path / "ckpt"))  # before compile: the state goes to the optimizer compile gives
    model.compile(keras.optimizers.Adam(0.5), "mse")
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.1)
    K.set_value(model.optimizer.lr, 0.01)
    model.train_on_batch(np.ones((2, 3)), np.ones((2, 1)))
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.01)
    assert K.get_value(model.optimizer.iterations) == 2
