"""tf.keras (TF 1.15) callbacks and ``K.switch``, as sweep R found them: switch's rules for conditions of other
ranks and types, ModelCheckpoint's save_freq and subclassed models, TensorBoard's tags and steps, the hooks
LambdaCallback takes, BaseLogger and ProgbarLogger. The expected values follow TF 1.15's keras/backend.py,
callbacks.py and callbacks_v1.py, worked out by hand or with numpy."""
import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
K = keras.backend


def _data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)).astype(np.float32), rng.standard_normal((n, 1)).astype(np.float32)


def _sequential():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


class _Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)


# ------------------------------------------------------------------------------------------------ K.switch

@pytest.mark.parametrize("cond_shape, expr_shape", [((3, 3), (3, 3, 3)), ((2, 3), (2, 3, 3)), ((2, 2), (2, 2, 3)),
                                                    ((2, 3), (2, 3, 2, 2))])
def test_switch_matches_a_condition_to_the_leading_dims(cond_shape, expr_shape):
    # TF 1.15 reshapes the condition to shape + [1, ...] and tiles it: it picks whole [i, j] rows. numpy's
    # broadcasting would match the trailing dims instead (silently, for the square case)
    rng = np.random.default_rng(1)
    condition = rng.random(cond_shape) > 0.5
    then = np.arange(np.prod(expr_shape), dtype=np.float32).reshape(expr_shape) + 1
    extra = (None,) * (len(expr_shape) - len(cond_shape))
    expected = np.where(condition[(...,) + extra], then, -then)
    got = K.eval(K.switch(K.constant(condition, dtype="bool"), K.constant(then), K.constant(-then)))
    np.testing.assert_array_equal(got, expected)


def test_switch_casts_a_condition_that_is_not_bool():
    a = K.constant([[1., 2., 3.], [4., 5., 6.]])
    np.testing.assert_array_equal(K.eval(K.switch(K.constant(1.), a, -a)), K.eval(a))
    np.testing.assert_array_equal(K.eval(K.switch(K.constant(0.), a, -a)), -K.eval(a))
    rows = K.constant([0., 2.5])  # rank 1: one per row; non-zero is true
    np.testing.assert_array_equal(K.eval(K.switch(rows, a, -a)), [[-1., -2., -3.], [4., 5., 6.]])
    mask = K.constant([[0, 7, 0], [1, 0, 0]], dtype="int32")  # same rank as the expressions: elementwise
    np.testing.assert_array_equal(K.eval(K.switch(mask, a, -a)), [[-1., 2., -3.], [4., -5., -6.]])


def test_switch_on_a_scalar_runs_only_the_branch_picked():
    pick = tf.placeholder("bool", [])
    x = K.variable([1., 2.])

    def otherwise():
        with tf.control_dependencies([tf.debugging.assert_less(x, 0.)]):  # fails whenever this branch runs
            return tf.identity(x)

    out = K.switch(pick, lambda: x * 10, otherwise)
    session = K.get_session()
    np.testing.assert_array_equal(session.run(out, {pick: True}), [10., 20.])
    (gradient,) = tf.gradients(tf.reduce_sum(out), [x])
    np.testing.assert_array_equal(session.run(gradient, {pick: True}), [10., 10.])
    with pytest.raises(tf.errors.InvalidArgumentError):
        session.run(out, {pick: False})


def test_switch_calls_the_branches_for_a_tensor_condition_and_checks_the_ranks():
    a = K.constant([[1., 2.], [3., 4.]])
    picked = K.switch(K.constant([True, False]), lambda: a, lambda: a * 0)
    np.testing.assert_array_equal(K.eval(picked), [[1., 2.], [0., 0.]])
    np.testing.assert_array_equal(K.eval(K.switch(False, lambda: a, lambda: -a)), -K.eval(a))
    with pytest.raises(ValueError, match=r"switch: the rank of `condition`.*\(2, 2, 1\)"):
        K.switch(K.constant(np.ones((2, 2, 1)), dtype="bool"), a, a)


def test_in_train_phase_follows_the_learning_phase_through_switch():
    x = tf.placeholder("float32", [None, 2])
    doubled = K.in_train_phase(lambda: x * 2, x)
    run = K.function([x, K.learning_phase()], [doubled])
    np.testing.assert_array_equal(run([np.ones((1, 2)), 1])[0], [[2., 2.]])
    np.testing.assert_array_equal(run([np.ones((1, 2)), 0])[0], [[1., 1.]])


# ------------------------------------------------------------------------------------------ ModelCheckpoint

def test_model_checkpoint_saves_a_subclassed_models_weights_by_default(tmp_path):
    x, y = _data()
    model = _Net()
    model.compile("sgd", "mse")
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "cp-{epoch:02d}"))  # save_weights_only=False
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert checkpoint.save_weights_only  # TF 1.15's set_model switches it for a subclassed model
    assert sorted(p.name for p in tmp_path.glob("cp-*")) == ["cp-01.index", "cp-02.index"]
    again = _Net()
    again.compile("sgd", "mse")
    again.predict(x)  # (built, then loaded)
    again.load_weights(str(tmp_path / "cp-02"))
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)


def test_model_checkpoint_of_a_whole_functional_or_sequential_model_is_refused_at_fit(tmp_path):
    x, y = _data()
    inputs = keras.Input((3,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    functional.compile("sgd", "mse")
    for model in (_sequential(), functional):
        checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "whole"))
        with pytest.raises(NotImplementedError, match="save_weights_only=True"):
            model.fit(x, y, verbose=0, callbacks=[checkpoint])
    with pytest.raises(NotImplementedError, match="h5py"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "w.h5"), save_weights_only=True)


def test_model_checkpoint_save_freq_counts_samples_across_epochs(tmp_path):
    x, y = _data(12)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}"), save_weights_only=True,
                                                 save_freq=8)
    _sequential().fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[checkpoint])
    # 4 samples a batch: 8 are reached after epoch 1's batch 1, then epoch 2's batch 0 (4 left over + 4) and its
    # batch 2; the batch's logs fill the name, and nothing is saved at the ends of the epochs
    assert sorted(p.name for p in tmp_path.glob("e*.index")) == ["e1-b1.index", "e2-b0.index", "e2-b2.index"]
    with pytest.raises(ValueError, match="save_freq"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x"), save_weights_only=True, save_freq="batch")


def test_model_checkpoint_period_counts_the_epochs_it_has_seen(tmp_path, caplog):
    x, y = _data()
    with caplog.at_level("WARNING"):
        checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "cp-{epoch:02d}"), save_weights_only=True,
                                                     period=2)
    assert "`period` argument is deprecated" in caplog.text
    _sequential().fit(x, y, epochs=4, initial_epoch=1, verbose=0, callbacks=[checkpoint])
    # epochs 2, 3 and 4 run: the 2nd of them (epoch 3) is saved — not epoch 2 or 4, whose numbers are even
    assert sorted(p.name for p in tmp_path.glob("cp-*")) == ["cp-03.index"]


# -------------------------------------------------------------------------------------------------- TensorBoard

def _scalar_steps(log_dir):
    (event_file,) = log_dir.glob("events.out.tfevents.*")
    steps = {}
    for event in tf.train.summary_iterator(str(event_file)):
        for value in event.summary.value:
            steps.setdefault(value.tag, []).append(event.step)
    return steps


@pytest.mark.parametrize("update_freq, expected", [
    ("epoch", {"epoch_loss": [0, 1], "epoch_val_loss": [0, 1]}),
    # batch_* at the count of batches seen before (from 0, across epochs); epoch_* at the count of samples seen
    ("batch", {"batch_loss": [0, 1, 2, 3, 4, 5], "epoch_loss": [12, 24], "epoch_val_loss": [12, 24]}),
    # every 8 samples: after batches 1, 3 and 5 (4 samples each)
    (8, {"batch_loss": [1, 3, 5], "epoch_loss": [12, 24], "epoch_val_loss": [12, 24]}),
])
def test_tensorboard_tags_and_steps_are_tf_1_15s(tmp_path, update_freq, expected):
    x, y = _data(16)
    _sequential().fit(x, y, batch_size=4, epochs=2, verbose=0, validation_split=0.25, callbacks=[
        keras.callbacks.TensorBoard(str(tmp_path), update_freq=update_freq)])
    assert _scalar_steps(tmp_path) == expected


def test_tensorboard_refuses_an_unknown_update_freq():
    with pytest.raises(ValueError, match="update_freq must be 'epoch', 'batch' or a number of samples"):
        keras.callbacks.TensorBoard(update_freq="step")


# ------------------------------------------------------------------------------------- hooks and the loggers

def test_lambda_callback_takes_every_hook_by_name():
    x, y = _data(6)
    model = _sequential()
    seen = []
    hooks = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: seen.append(("train_batch", batch)),
        on_test_end=lambda logs: seen.append(("test_end", sorted(logs))),
        on_predict_batch_end=lambda batch, logs: seen.append(("predict_batch", batch, logs["outputs"].shape)),
        on_predict_begin=lambda logs: seen.append("predict_begin"))
    model.fit(x, y, batch_size=4, verbose=0, callbacks=[hooks])
    model.evaluate(x, y, verbose=0, callbacks=[hooks])
    model.predict(x, batch_size=4, callbacks=[hooks])
    assert seen == [("train_batch", 0), ("train_batch", 1), ("test_end", ["loss"]), "predict_begin",
                    ("predict_batch", 0, (4, 1)), ("predict_batch", 1, (2, 1))]
    with pytest.raises(TypeError, match="'on_epoch_ends' is not a callback hook"):
        keras.callbacks.LambdaCallback(on_epoch_ends=print)
    assert keras.callbacks.Callback().validation_data is None


def test_base_logger_averages_by_batch_size_but_keeps_the_metrics_last_value():
    logger = keras.callbacks.BaseLogger(stateful_metrics=["acc"])
    logger.set_params({"metrics": ["loss", "acc"]})
    logger.on_epoch_begin(0)
    logger.on_batch_end(0, {"batch": 0, "size": 4, "loss": 1.0, "acc": 0.5})
    logger.on_batch_end(1, {"batch": 1, "size": 2, "loss": 4.0, "acc": 0.75})
    logs = {}
    logger.on_epoch_end(0, logs)
    assert logs == {"loss": (4 * 1.0 + 2 * 4.0) / 6, "acc": 0.75}


def test_base_logger_in_fit_gives_fits_own_epoch_logs():
    x, y = _data(10)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse", metrics=["mae"])
    batch_logs = []
    history = model.fit(x, y, batch_size=4, shuffle=False, verbose=0, callbacks=[
        keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batch_logs.append(dict(logs))),
        keras.callbacks.BaseLogger()])  # (fit tells it the model's metrics are running values)
    sizes = [logs["size"] for logs in batch_logs]
    assert sizes == [4, 4, 2]
    expected_loss = sum(logs["loss"] * logs["size"] for logs in batch_logs) / 10
    assert history.history["loss"][0] == pytest.approx(expected_loss, rel=1e-6)
    assert history.history["mean_absolute_error"][0] == pytest.approx(batch_logs[-1]["mean_absolute_error"])


def test_progbar_logger_prints_the_epoch_line_only_for_several_epochs(capsys):
    logger = keras.callbacks.ProgbarLogger(count_mode="steps")
    for epochs, heading in ((1, ""), (2, "Epoch 1/2\n")):
        logger.set_params({"verbose": 2, "epochs": epochs, "steps": 2, "samples": None,
                           "metrics": ["loss", "val_loss"]})
        logger.on_train_begin()
        logger.on_epoch_begin(0)
        for batch in range(2):
            logger.on_batch_end(batch, {"batch": batch, "size": 5, "loss": 1.0})
        logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25})
        out = capsys.readouterr().out
        assert out.startswith(heading + "2/2 - ") and out.endswith(" - loss: 0.5000 - val_loss: 0.2500\n")
    with pytest.raises(ValueError, match="count_mode"):
        keras.callbacks.ProgbarLogger(count_mode="batches")
