"""``compile(sample_weight_mode="temporal")`` and ``compile(weighted_metrics=...)`` as TF 1.15's Keras has them,
worked out in numpy from the model's weights (read before the evaluation or the training step):

- a "temporal" output takes (samples, steps) weights, one for each time step's loss; its loss is
  sum(w · mask · loss) over samples and steps divided by the number of losses (samples × steps: TF 1.15's
  SUM_OVER_BATCH_SIZE, not the sum of the weights); the targets must be at least 3-D;
- ``weighted_metrics`` are logged as ``weighted_<name>`` (``weighted_acc``), after the output's ``metrics``,
  and weigh each value by the sample (or step) weights and ``class_weight``, times the mask:
  sum(w · value) / sum(w); the plain ``metrics`` see the mask only;
- a model with several outputs takes one mode per output (a list or a dict) and one weight array per output."""
import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
L = keras.layers
TOL = 1e-6


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _picked(p, labels):
    """p[..., label] for labels of shape p.shape[:-1] + (1,)."""
    return np.take_along_axis(p, labels, -1)[..., 0]


def _hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


# ------------------------------------------------------------------------------ temporal sample weights

def _tagger():
    """TimeDistributed(Dense(3, softmax)) over 4 steps of 3 features: a loss per time step."""
    model = keras.Sequential([L.TimeDistributed(L.Dense(3, activation="softmax"), input_shape=(4, 3))])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4, 3)).astype(np.float32)
    y = rng.integers(0, 3, (5, 4, 1))
    w = rng.random((5, 4)).astype(np.float32)
    w[0, :2] = 0.0
    return model, x, y, w


def test_temporal_weights_weigh_each_steps_loss_and_the_mean_counts_every_step():
    model, x, y, w = _tagger()
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", sample_weight_mode="temporal",
                  metrics=["acc"], weighted_metrics=["acc"])
    assert model.metrics_names == ["loss", "acc", "weighted_acc"]
    kernel, bias = [v.astype(np.float64) for v in model.get_weights()]
    p = _softmax(x @ kernel + bias)
    per_step = -np.log(_picked(p, y))
    right = (p.argmax(-1) == y[..., 0]).astype(np.float64)
    expected = [np.sum(per_step * w) / per_step.size, right.mean(), np.sum(right * w) / w.sum()]
    assert np.sum(per_step * w) / per_step.size != pytest.approx(np.sum(per_step * w) / w.sum(), rel=1e-2)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0), expected, rtol=TOL)
    np.testing.assert_allclose(model.test_on_batch(x, y, sample_weight=w), expected, rtol=TOL)
    # without weights every step weighs 1
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), [per_step.mean(), right.mean(), right.mean()],
                               rtol=TOL)
    # one SGD step on the weighted loss: d loss / d z = (p - onehot) · w / (samples · steps)
    np.testing.assert_allclose(model.train_on_batch(x, y, sample_weight=w), expected, rtol=TOL)
    dz = (p - np.eye(3)[y[..., 0]]) * w[..., None] / per_step.size
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.5 * np.einsum("ntf,ntc->fc", x, dz), rtol=1e-5, atol=TOL)
    np.testing.assert_allclose(new_bias, bias - 0.5 * dz.sum((0, 1)), rtol=1e-5, atol=TOL)


def test_fit_validates_and_a_generator_yields_temporal_weights():
    model, x, y, w = _tagger()
    model.compile("sgd", "sparse_categorical_crossentropy", sample_weight_mode="temporal", weighted_metrics=["acc"])
    kernel, bias = model.get_weights()
    p = _softmax(x @ kernel.astype(np.float64) + bias)
    per_step = -np.log(_picked(p, y))
    right = (p.argmax(-1) == y[..., 0])
    expected = [np.sum(per_step * w) / per_step.size, np.sum(right * w) / w.sum()]

    def batches():
        while True:
            yield x, y, w

    np.testing.assert_allclose(model.evaluate(batches(), steps=1, verbose=0), expected, rtol=TOL)
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy", sample_weight_mode="temporal",
                  weighted_metrics=["acc"])
    history = model.fit(x, y, sample_weight=w, batch_size=5, epochs=1, validation_data=(x, y, w), verbose=0)
    np.testing.assert_allclose([history.history[k][0] for k in ("loss", "weighted_acc", "val_loss",
                                                               "val_weighted_acc")], expected * 2, rtol=TOL)
    # validation_split takes the last samples' weights with them
    history = model.fit(x, y, sample_weight=w, epochs=1, validation_split=0.4, verbose=0)
    last = np.s_[3:]
    np.testing.assert_allclose([history.history["val_loss"][0], history.history["val_weighted_acc"][0]],
                               [np.sum(per_step[last] * w[last]) / per_step[last].size,
                                np.sum(right[last] * w[last]) / w[last].sum()], rtol=TOL)


def _lstm_forward(weights, ids):
    """Embedding(mask_zero=True) -> LSTM(return_sequences=True) -> TimeDistributed(Dense(softmax)) in numpy:
    the LSTM (gates i, f, c, o; hard sigmoid) holds its states over the padded steps."""
    embeddings, kernel, recurrent, bias, dense_kernel, dense_bias = [v.astype(np.float64) for v in weights]
    units = recurrent.shape[0]
    h = np.zeros((len(ids), units))
    c = np.zeros((len(ids), units))
    outputs = []
    for t in range(ids.shape[1]):
        z = embeddings[ids[:, t]] @ kernel + h @ recurrent + bias
        i, f, o = (_hard_sigmoid(z[:, k * units:(k + 1) * units]) for k in (0, 1, 3))
        new_c = f * c + i * np.tanh(z[:, 2 * units:3 * units])
        new_h = o * np.tanh(new_c)
        real = (ids[:, t] != 0)[:, None]
        h, c = np.where(real, new_h, h), np.where(real, new_c, c)
        outputs.append(h)
    return _softmax(np.stack(outputs, 1) @ dense_kernel + dense_bias)


@pytest.mark.parametrize("mode", ["temporal", None])
def test_a_masked_lstm_sequence_with_temporal_or_per_sample_weights(mode):
    """The mask and the weights multiply: a sample's weight (mode None) weighs each of its real steps."""
    tf.set_random_seed(1)
    ids = keras.Input((None,), dtype="int32")
    steps = L.LSTM(5, return_sequences=True)(L.Embedding(9, 4, mask_zero=True)(ids))
    model = keras.Model(ids, L.TimeDistributed(L.Dense(3, activation="softmax"))(steps))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", sample_weight_mode=mode,
                  metrics=["acc"], weighted_metrics=["acc", "sparse_categorical_crossentropy"])
    assert model.metrics_names == ["loss", "acc", "weighted_acc", "weighted_sparse_categorical_crossentropy"]
    rng = np.random.default_rng(2)
    x = rng.integers(1, 9, (6, 7))
    x[:3, :2] = 0  # pre-padded
    x[3:, 5:] = 0  # post-padded
    x[4, 3] = 0  # a gap inside
    y = rng.integers(0, 3, (6, 7, 1))
    w = rng.random((6, 7) if mode else 6).astype(np.float32) + 0.5
    assert [v.shape for v in model.get_weights()] == [(9, 4), (4, 20), (5, 20), (20,), (5, 3), (3,)]
    p = _lstm_forward(model.get_weights(), x)
    real = (x != 0).astype(np.float64)
    per_step = -np.log(_picked(p, y))
    right = (p.argmax(-1) == y[..., 0])
    mw = (w if mode else w[:, None]) * real
    expected = [np.sum(per_step * mw) / per_step.size,  # the padded steps weigh 0, and still count in the mean
                np.sum(right * real) / real.sum(),  # the plain metric: the mask only
                np.sum(right * mw) / mw.sum(), np.sum(per_step * mw) / mw.sum()]
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0), expected, rtol=TOL)
    np.testing.assert_allclose(model.train_on_batch(x, y, sample_weight=w), expected, rtol=TOL)
    p = _lstm_forward(model.get_weights(), x)  # after the step
    per_step = -np.log(_picked(p, y))
    assert model.test_on_batch(x, y, sample_weight=w)[0] == pytest.approx(np.sum(per_step * mw) / per_step.size,
                                                                          rel=TOL)


def test_a_simple_rnn_with_temporal_weights_and_a_loss_object_summing():
    """SimpleRNN(return_sequences) -> TimeDistributed(Dense(2)) with mse per step: a Loss object's SUM reduction
    keeps the weighted sum."""
    tf.set_random_seed(3)
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, L.TimeDistributed(L.Dense(2))(L.SimpleRNN(4, return_sequences=True)(inputs)))
    model.compile("sgd", keras.losses.MeanSquaredError(reduction=keras.losses.Reduction.SUM),
                  sample_weight_mode="temporal", weighted_metrics=["mae"])
    assert model.metrics_names == ["loss", "weighted_mean_absolute_error"]
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 3)).astype(np.float32)
    y = rng.standard_normal((3, 5, 2)).astype(np.float32)
    w = rng.random((3, 5)).astype(np.float32)
    kernel, recurrent, bias, dense_kernel, dense_bias = [v.astype(np.float64) for v in model.get_weights()]
    h, outputs = np.zeros((3, 4)), []
    for t in range(5):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        outputs.append(h @ dense_kernel + dense_bias)
    out = np.stack(outputs, 1)
    squared, absolute = ((out - y) ** 2).mean(-1), np.abs(out - y).mean(-1)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0),
                               [np.sum(squared * w), np.sum(absolute * w) / w.sum()], rtol=TOL)


# ------------------------------------------------------------------------------------ weighted metrics

def test_weighted_metrics_weigh_by_sample_and_class_weights_and_plain_metrics_do_not():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((12, 6)).astype(np.float32)
    y = rng.integers(0, 3, 12)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    accuracy = keras.metrics.SparseCategoricalAccuracy()
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy",
                  metrics=["accuracy", "sparse_categorical_crossentropy"],
                  weighted_metrics=["accuracy", "sparse_categorical_crossentropy", accuracy])
    assert model.metrics_names == ["loss", "acc", "sparse_categorical_crossentropy", "weighted_acc",
                                   "weighted_sparse_categorical_crossentropy", "weighted_sparse_categorical_accuracy"]

    def expected(weights):
        kernel, bias = model.get_weights()
        p = _softmax(x @ kernel.astype(np.float64) + bias)
        per_sample = -np.log(p[np.arange(12), y])
        right = p.argmax(-1) == y
        return [np.mean(per_sample * weights), right.mean(), per_sample.mean(), np.sum(right * weights) / weights.sum(),
                np.sum(per_sample * weights) / weights.sum(), np.sum(right * weights) / weights.sum()]

    w = rng.random(12).astype(np.float32)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0), expected(w), rtol=TOL)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected(np.ones(12)), rtol=TOL)
    class_weight = {0: 0.5, 1: 2.0, 2: 0.0}
    by_class = np.array([class_weight[c] for c in y])
    before = expected(by_class)  # (the step reports the batch before its update)
    np.testing.assert_allclose(model.train_on_batch(x, y, class_weight=class_weight), before, rtol=TOL)
    both = expected(by_class * w)
    history = model.fit(x, y, sample_weight=w, class_weight=class_weight, batch_size=12, verbose=0)
    np.testing.assert_allclose([history.history[name][0] for name in model.metrics_names], both, rtol=TOL)
    assert accuracy in model.metrics


# ---------------------------------------------------------------------------------- several outputs

def _two_outputs():
    """A sequence output "tags" (a class per step) and a per-sample output "score" over the same steps."""
    tf.set_random_seed(6)
    inputs = keras.Input((4, 3))
    tags = L.TimeDistributed(L.Dense(3, activation="softmax"), name="tags")(inputs)
    score = L.Dense(1, name="score")(L.GlobalAveragePooling1D()(inputs))
    rng = np.random.default_rng(7)
    data = (rng.standard_normal((6, 4, 3)).astype(np.float32), rng.integers(0, 3, (6, 4, 1)),
            rng.standard_normal((6, 1)).astype(np.float32), rng.random((6, 4)).astype(np.float32),
            rng.random(6).astype(np.float32))
    return keras.Model(inputs, [tags, score]), data


def _two_output_scores(model, x, labels, targets, w_tags, w_score):
    tag_kernel, tag_bias, score_kernel, score_bias = [v.astype(np.float64) for v in model.get_weights()]
    p = _softmax(x @ tag_kernel + tag_bias)
    per_step = -np.log(_picked(p, labels))
    squared = ((x.mean(1) @ score_kernel + score_bias - targets) ** 2)[:, 0]
    tags_loss, score_loss = np.sum(per_step * w_tags) / per_step.size, np.mean(squared * w_score)
    right = p.argmax(-1) == labels[..., 0]
    return [tags_loss + 0.5 * score_loss, tags_loss, score_loss, right.mean(), np.sum(right * w_tags) / w_tags.sum(),
            np.sum(squared * w_score) / w_score.sum()]


@pytest.mark.parametrize("as_dict", [False, True])
def test_two_outputs_with_a_sample_weight_mode_each(as_dict):
    model, (x, labels, targets, w_tags, w_score) = _two_outputs()
    modes = {"tags": "temporal", "score": None} if as_dict else ["temporal", None]
    model.compile(keras.optimizers.SGD(0.1), ["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  sample_weight_mode=modes, metrics={"tags": ["acc"]},
                  weighted_metrics={"tags": ["acc"], "score": ["mse"]})
    assert model.metrics_names == ["loss", "tags_loss", "score_loss", "tags_acc", "tags_weighted_acc",
                                   "score_weighted_mean_squared_error"]
    weights = {"tags": w_tags, "score": w_score} if as_dict else [w_tags, w_score]
    expected = _two_output_scores(model, x, labels, targets, w_tags, w_score)
    np.testing.assert_allclose(model.evaluate(x, [labels, targets], sample_weight=weights, verbose=0), expected,
                               rtol=TOL)
    # an output left out of the dict (or None in the list) weighs 1
    ones = {"tags": w_tags} if as_dict else [w_tags, None]
    np.testing.assert_allclose(model.evaluate(x, [labels, targets], sample_weight=ones, verbose=0),
                               _two_output_scores(model, x, labels, targets, w_tags, np.ones(6)), rtol=TOL)
    np.testing.assert_allclose(model.train_on_batch(x, [labels, targets], sample_weight=weights), expected, rtol=TOL)
    after = _two_output_scores(model, x, labels, targets, w_tags, w_score)
    assert after[0] < expected[0]
    np.testing.assert_allclose(model.test_on_batch(x, [labels, targets], sample_weight=weights), after, rtol=TOL)


def test_sample_weight_mode_errors_as_tf():
    model, (x, labels, targets, w_tags, w_score) = _two_outputs()
    with pytest.raises(ValueError, match='sample_weight_mode should be None or "temporal". Found: steps'):
        model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], sample_weight_mode="steps")
    with pytest.raises(ValueError, match="Output score missing from `_sample_weight_modes` dictionary"):
        model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], sample_weight_mode={"tags": "temporal"})
    with pytest.raises(ValueError, match="should have one entry per model output"):
        model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], sample_weight_mode=["temporal"])
    model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], sample_weight_mode=["temporal", None])
    ys = [labels, targets]
    with pytest.raises(ValueError, match=r"Found a sample_weight array with shape \(6,\). In order to use "
                                         r"timestep-wise sample weighting, you should pass a 2D sample_weight array"):
        model.evaluate(x, ys, sample_weight=[w_score, w_score], verbose=0)
    with pytest.raises(ValueError, match=r"Found a sample_weight array with shape \(6, 4\). In order to use "
                                         r"timestep-wise sample weights, you should specify "
                                         r'sample_weight_mode="temporal" in compile\(\)'):
        model.evaluate(x, ys, sample_weight=[w_tags, w_tags], verbose=0)
    with pytest.raises(ValueError, match=r"shape \(6, 3\) for an input with shape \(6, 4, 1\). sample_weight cannot "
                                         r"be broadcast"):
        model.evaluate(x, ys, sample_weight=[w_tags[:, :3], w_score], verbose=0)
    with pytest.raises(ValueError, match="was a list of 3 elements, but the model has 2 outputs"):
        model.evaluate(x, ys, sample_weight=[w_tags, w_score, w_score], verbose=0)
    with pytest.raises(ValueError, match=r"Unknown entries in sample_weight dictionary: \['tag'\]"):
        model.evaluate(x, ys, sample_weight={"tag": w_tags}, verbose=0)
    # a class label per step must come as (samples, steps, 1): TF 1.15 wants targets of 3 dims or more
    with pytest.raises(ValueError, match=r"input with shape \(6, 4\). Timestep-wise sample weighting .* restricted "
                                         r"to outputs that are at least 3D"):
        model.evaluate(x, [labels[..., 0], targets], verbose=0)
    single, x, y, w = _tagger()
    single.compile("sgd", "sparse_categorical_crossentropy")  # no mode: per-sample weights only
    with pytest.raises(ValueError, match=r"shape \(5, 4\). In order to use timestep-wise sample weights, you should "
                                         r'specify sample_weight_mode="temporal"'):
        single.fit(x, y, sample_weight=w, verbose=0)
    single.compile("sgd", "sparse_categorical_crossentropy", sample_weight_mode="temporal")
    with pytest.raises(ValueError, match="`class_weight` not supported for 3\\+ dimensional targets"):
        single.fit(x, y, class_weight={0: 1.0, 1: 1.0, 2: 1.0}, verbose=0)
    with pytest.raises(TypeError, match="Type of `weighted_metrics` argument not understood"):
        single.compile("sgd", "mse", weighted_metrics="acc")
