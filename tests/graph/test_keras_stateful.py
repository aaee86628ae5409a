"""Stateful recurrent layers (TF 1.15's tf.keras): a sequence predicted in two halves by a stateful layer gives what a
stateless copy with the same weights gives on the whole; training carries the states from batch to batch;
reset_states puts zeros (or given values) back; a stateful layer needs a fixed batch size, and gets clear errors."""
import numpy as np
import pytest

import minidl.graph as tf

keras = tf.keras
L = keras.layers
LAYERS = [L.SimpleRNN, L.LSTM, L.GRU]


def _pair(layer_class, batch, steps, features, units=3, return_sequences=True):
    """A stateful model for ``steps`` at a time and a stateless one for the whole (2 * steps), same weights."""
    tf.set_random_seed(0)
    stateful = keras.Sequential([layer_class(units, batch_input_shape=(batch, steps, features), stateful=True,
                                             return_sequences=return_sequences)])
    whole = keras.Sequential([layer_class(units, input_shape=(2 * steps, features),
                                          return_sequences=return_sequences)])
    whole.set_weights(stateful.get_weights())
    return stateful, whole


@pytest.mark.parametrize("layer_class", LAYERS)
def test_two_halves_through_a_stateful_layer_make_the_whole_sequence(layer_class):
    x = np.random.default_rng(0).standard_normal((2, 10, 4)).astype(np.float32)
    stateful, whole = _pair(layer_class, 2, 5, 4)
    halves = np.concatenate([stateful.predict(x[:, :5]), stateful.predict(x[:, 5:])], axis=1)
    np.testing.assert_allclose(halves, whole.predict(x), rtol=1e-5, atol=1e-6)
    layer = stateful.layers[0]
    kinds = ["state_h", "state_c"] if layer_class is L.LSTM else ["state_h"]
    assert [v.op.name.split("/")[-1] for v in layer.states] == kinds
    assert all(v.shape.as_list() == [2, 3] and not v.trainable for v in layer.states)
    assert not set(layer.states) & set(stateful.weights)  # neither trained nor saved
    np.testing.assert_allclose(keras.backend.get_value(layer.states[0]), whole.predict(x)[:, -1], rtol=1e-5,
                               atol=1e-6)  # h is the last output
    stateful.reset_states()
    for state in layer.states:
        np.testing.assert_array_equal(keras.backend.get_value(state), np.zeros((2, 3)))
    np.testing.assert_allclose(stateful.predict(x[:, :5]), halves[:, :5], rtol=1e-6)  # from zeros again


def test_the_last_output_only_and_states_given_to_reset_states():
    x = np.random.default_rng(1).standard_normal((3, 8, 2)).astype(np.float32)
    stateful, whole = _pair(L.LSTM, 3, 4, 2, units=5, return_sequences=False)
    stateful.predict(x[:, :4])
    layer = stateful.layers[0]
    h, c = keras.backend.batch_get_value(layer.states)  # halfway
    np.testing.assert_allclose(stateful.predict(x[:, 4:]), whole.predict(x), rtol=1e-5, atol=1e-6)
    layer.reset_states()
    layer.reset_states([h, c])  # back to halfway: the run goes on from there
    np.testing.assert_allclose(stateful.predict(x[:, 4:]), whole.predict(x), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="expects 2 states, but it received 1"):
        layer.reset_states([h])
    with pytest.raises(ValueError, match=r"State 1 is incompatible with layer lstm.*expected shape=\(3, 5\)"):
        layer.reset_states([h, c[:2]])


def test_training_carries_the_states_from_batch_to_batch():
    """Rows i of consecutive batches are one sequence (fit with shuffle=False): with a learning rate of 0, the loss
    of the second batch is the loss of a stateless model on the joined sequences."""
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((4, 3, 2)).astype(np.float32), rng.standard_normal((4, 1)).astype(np.float32)
    tf.set_random_seed(0)
    stateful = keras.Sequential([L.GRU(4, batch_input_shape=(2, 3, 2), stateful=True), L.Dense(1)])
    whole = keras.Sequential([L.GRU(4, input_shape=(6, 2)), L.Dense(1)])
    whole.set_weights(stateful.get_weights())
    stateful.compile(keras.optimizers.SGD(0.0), "mse")
    losses = []
    stateful.fit(x, y, shuffle=False, epochs=1, verbose=0, callbacks=[keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: losses.append(logs["loss"]))])  # batch size: the declared 2
    joined = np.concatenate([x[:2], x[2:]], axis=1)  # rows 0, 1 go on with rows 2, 3
    assert losses[1] == pytest.approx(np.mean((whole.predict(joined) - y[2:]) ** 2), rel=1e-5)
    stateful.reset_states()  # evaluate carries them on too
    assert stateful.evaluate(x, y, verbose=0) == pytest.approx(np.mean(losses), rel=1e-5)


def test_a_stateful_char_rnn_learns_with_its_states_reset_each_epoch():
    """The usual recipe: Embedding -> stateful LSTM -> Dense softmax over the next character, fit one epoch at a
    time with shuffle=False and model.reset_states() between epochs."""
    text = np.array([0, 1, 2, 3] * 31)[:121]
    batch, steps = 4, 5
    rows, targets = text[:-1].reshape(batch, 30), text[1:].reshape(batch, 30)  # a row: a stretch of the text
    x = np.concatenate([rows[:, i:i + steps] for i in range(0, 30, steps)])  # piece 0 of all rows, piece 1 ...
    y = np.concatenate([targets[:, i:i + steps] for i in range(0, 30, steps)])[..., None]
    tf.set_random_seed(0)
    model = keras.Sequential([L.Embedding(4, 8, batch_input_shape=(batch, steps)),
                              L.LSTM(16, stateful=True, return_sequences=True),
                              L.TimeDistributed(L.Dense(4, activation="softmax"))])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy", metrics=["acc"])
    assert model.stateful and len(model.state_updates) == 2
    first = None
    for _ in range(8):
        history = model.fit(x, y, batch_size=batch, shuffle=False, verbose=0)
        model.reset_states()
        first = first or history.history["loss"][0]
    assert history.history["loss"][0] < 0.2 * first and history.history["acc"][0] > 0.95


def test_a_functional_model_takes_its_batch_size_from_input_batch_shape():
    inputs = keras.Input(batch_shape=(2, None, 3))  # any length: the pieces need not be equal
    model = keras.Model(inputs, L.SimpleRNN(4, stateful=True)(inputs))
    x = np.random.default_rng(3).standard_normal((2, 7, 3)).astype(np.float32)
    whole_inputs = keras.Input((7, 3))
    whole = keras.Model(whole_inputs, L.SimpleRNN(4)(whole_inputs))
    whole.set_weights(model.get_weights())
    model.predict(x[:, :2])
    np.testing.assert_allclose(model.predict(x[:, 2:]), whole.predict(x), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="incompatible with the specified batch size of your Input Layer: 2"):
        model.predict(x, batch_size=1)
    with pytest.raises(ValueError, match="In a stateful network, you should only pass inputs with a number of "
                                         "samples that can be divided by the batch size. Found: 3 samples"):
        model.predict(np.zeros((3, 7, 3)))


def test_errors_without_a_batch_size_and_for_a_stateless_layer():
    with pytest.raises(ValueError, match="If a RNN is stateful, it needs to know its batch size"):
        keras.Sequential([L.LSTM(3, input_shape=(5, 2), stateful=True)])  # built at once: no batch size
    with pytest.raises(ValueError, match="needs to know its batch size"):
        L.GRU(3, stateful=True)(keras.Input((5, 2)))
    layer = L.LSTM(3, stateful=True)
    assert layer.states == [None, None]
    with pytest.raises(ValueError, match="needs to know its batch size"):
        layer.reset_states()  # not called yet
    with pytest.raises(AttributeError, match="Layer must be stateful"):
        L.SimpleRNN(3).reset_states()


def test_bidirectional_keeps_the_states_of_both_directions():
    model = keras.Sequential([L.Bidirectional(L.LSTM(2, stateful=True), batch_input_shape=(1, 3, 2))])
    both = model.layers[0]
    assert both.stateful and len(model.state_updates) == 4
    model.predict(np.ones((1, 3, 2)))
    assert np.abs(keras.backend.get_value(both.backward_layer.states[0])).sum() > 0
    model.reset_states()
    assert keras.backend.get_value(both.backward_layer.states[0]).tolist() == [[0.0, 0.0]]
