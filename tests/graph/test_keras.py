"""tf.keras (TensorFlow 1's, on graph mode): models train, their updates follow Keras' formulas (worked in numpy
here), losses and metrics are Keras', the learning phase switches Dropout and BatchNormalization, weights round-trip,
callbacks act, and misuse gets a clear error."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minidl.graph as tf
from minidl.datasets import load_digits

keras = tf.keras


def _data(n=48, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)).astype(np.float32), rng.integers(0, classes, n)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------------ training

def test_the_beginner_program_learns_the_digits():
    np.random.seed(0)
    tf.set_random_seed(0)
    x_train, y_train, x_test, y_test = load_digits()
    model = keras.models.Sequential([keras.layers.Dense(64, activation=tf.nn.relu, input_shape=(64,)),
                                     keras.layers.Dropout(0.2),
                                     keras.layers.Dense(10, activation=tf.nn.softmax)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=8, verbose=0, validation_split=0.1)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]  # TF 1's names for "accuracy"
    assert history.epoch == list(range(8)) and len(history.history["loss"]) == 8
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.9
    # evaluate's figures are the loss and accuracy of predict's probabilities
    p = model.predict(x_test)
    assert p.shape == (len(x_test), 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(loss, np.mean(-np.log(p[np.arange(len(p)), y_test])), rtol=1e-4)
    assert accuracy == pytest.approx(np.mean(p.argmax(axis=1) == y_test))


def test_one_sgd_step_is_the_gradient_step_worked_by_hand():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_dim=6)])
    model.compile(keras.optimizers.SGD(learning_rate=0.5), "sparse_categorical_crossentropy")
    w, b = model.get_weights()
    p = _softmax(x @ w + b)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean(-np.log(p[np.arange(len(y)), y])), rtol=1e-5)
    dz = (p - np.eye(3)[y]) / len(y)  # d mean(-log p[y]) / d logits
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - 0.5 * x.T @ dz, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_b, b - 0.5 * dz.sum(axis=0), rtol=1e-5, atol=1e-6)


def _keras_updates(name, options, w, grad_of, steps):
    """The Keras optimizer formulas in numpy (float64), ``steps`` updates of ``w``."""
    lr = options.get("learning_rate", 0.01 if name == "SGD" else 0.001)
    slots = {k: np.zeros_like(w) for k in ("m", "v", "vhat", "mom", "mg", "ms", "delta")}
    slots["acc"] = np.full_like(w, options.get("initial_accumulator_value", 0.1))
    eps = options.get("epsilon", 1e-7)
    for t in range(steps):
        g = grad_of(w)
        lr_t = lr / (1 + options.get("decay", 0.0) * t)
        if name == "SGD":
            momentum = options.get("momentum", 0.0)
            if not momentum:
                w = w - lr_t * g
                continue
            slots["mom"] = momentum * slots["mom"] - lr_t * g
            w = w + (momentum * slots["mom"] - lr_t * g if options.get("nesterov") else slots["mom"])
        elif name == "Adam":
            b1, b2 = options.get("beta_1", 0.9), options.get("beta_2", 0.999)
            slots["m"] = b1 * slots["m"] + (1 - b1) * g
            slots["v"] = b2 * slots["v"] + (1 - b2) * g * g
            v = slots["v"]
            if options.get("amsgrad"):
                v = slots["vhat"] = np.maximum(slots["vhat"], slots["v"])
            w = w - lr_t * np.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1)) * slots["m"] / (np.sqrt(v) + eps)
        elif name == "RMSprop":
            rho, momentum = options.get("rho", 0.9), options.get("momentum", 0.0)
            slots["v"] = rho * slots["v"] + (1 - rho) * g * g
            denominator = slots["v"]
            if options.get("centered"):
                slots["mg"] = rho * slots["mg"] + (1 - rho) * g
                denominator = slots["v"] - slots["mg"] ** 2
            if momentum:
                slots["mom"] = momentum * slots["mom"] + lr_t * g / np.sqrt(denominator + eps)
                w = w - slots["mom"]
            else:
                w = w - lr_t * g / (np.sqrt(denominator) + eps)
        elif name == "Adagrad":
            slots["acc"] = slots["acc"] + g * g
            w = w - lr_t * g / (np.sqrt(slots["acc"]) + eps)
        elif name == "Adadelta":
            rho = options.get("rho", 0.95)
            slots["ms"] = rho * slots["ms"] + (1 - rho) * g * g
            step = np.sqrt(slots["delta"] + eps) / np.sqrt(slots["ms"] + eps) * g
            slots["delta"] = rho * slots["delta"] + (1 - rho) * step * step
            w = w - lr_t * step
        elif name == "Adamax":
            b1, b2 = options.get("beta_1", 0.9), options.get("beta_2", 0.999)
            slots["m"] = b1 * slots["m"] + (1 - b1) * g
            slots["v"] = np.maximum(b2 * slots["v"], np.abs(g))
            w = w - lr_t / (1 - b1 ** (t + 1)) * slots["m"] / (slots["v"] + eps)
        elif name == "Nadam":  # Dozat's schedule of momentum factors mu_t, as Keras writes it
            b1, b2 = options.get("beta_1", 0.9), options.get("beta_2", 0.999)
            decay = options.get("schedule_decay", 0.004)
            mu_t, mu_next = (b1 * (1 - 0.5 * 0.96 ** (decay * step)) for step in (t + 1, t + 2))
            slots["schedule"] = slots.get("schedule", 1.0) * mu_t
            slots["m"] = b1 * slots["m"] + (1 - b1) * g
            slots["v"] = b2 * slots["v"] + (1 - b2) * g * g
            m_bar = (1 - mu_t) * g / (1 - slots["schedule"]) + mu_next * slots["m"] / (1 - slots["schedule"] * mu_next)
            w = w - lr * m_bar / (np.sqrt(slots["v"] / (1 - b2 ** (t + 1))) + eps)
    return w


@pytest.mark.parametrize("name, options", [
    ("SGD", {}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "nesterov": True, "decay": 0.1}),
    ("Adam", {}), ("Adam", {"learning_rate": 0.05, "beta_1": 0.5, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.1, "decay": 0.5, "epsilon": 1e-3}),
    ("RMSprop", {}), ("RMSprop", {"learning_rate": 0.01, "momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "rho": 0.8}),
    ("Adagrad", {}), ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "decay": 0.1}),
    ("Adamax", {}), ("Adamax", {"learning_rate": 0.1, "beta_1": 0.5, "epsilon": 1e-3}),
    ("Nadam", {}), ("Nadam", {"learning_rate": 0.1, "beta_2": 0.9, "schedule_decay": 0.5}),
])
def test_optimizers_follow_the_keras_formulas(name, options):
    c = np.array([0.5, -2.0, 3.0, 1e-3])
    w0 = np.array([1.0, 0.5, -1.5, 2.0])
    w = tf.Variable(w0)
    loss = tf.reduce_sum(w * c) + 0.5 * tf.reduce_sum(w * w)  # gradient: c + w
    # (float64 weights; the hyper-parameters are float32 constants, as in TF, hence rtol 1e-7)
    optimizer = getattr(keras.optimizers, name)(**options)
    train = optimizer.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            sess.run(train)
        np.testing.assert_allclose(sess.run(w), _keras_updates(name, options, w0, lambda v: c + v, 4), rtol=1e-7)
        assert sess.run(optimizer.iterations) == 4


def test_optimizer_names_and_the_older_lr_argument():
    assert isinstance(keras.optimizers.get("Adam"), keras.optimizers.Adam)
    for name in ("adadelta", "adamax", "nadam"):
        assert type(keras.optimizers.get(name)).__name__.lower() == name
    assert keras.optimizers.Nadam(decay=0.01).schedule_decay == 0.01  # Nadam's decay is its momentum schedule's
    assert keras.optimizers.Adam().epsilon == 1e-7
    assert keras.backend.get_value(keras.optimizers.SGD().learning_rate) == pytest.approx(0.01)
    assert keras.backend.get_value(keras.optimizers.SGD(lr=0.3).lr) == pytest.approx(0.3)
    tf1 = tf.train.GradientDescentOptimizer(0.1)
    assert keras.optimizers.get(tf1) is tf1  # a tf.train optimizer compiles too
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamw'"):
        keras.optimizers.get("adamw")
    with pytest.raises(TypeError, match="beta1"):
        keras.optimizers.Adam(beta1=0.5)  # tf.train's name, not Keras'
    with pytest.raises(ValueError, match="momentum"):
        keras.optimizers.SGD(momentum=1.5)


def test_the_same_seeds_give_the_same_training():
    x, y = _data()

    def train():
        with tf.Graph().as_default():
            np.random.seed(1)
            tf.set_random_seed(1)
            model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(6,)),
                                      keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="softmax")])
            model.compile("adam", "sparse_categorical_crossentropy")
            return model.fit(x, y, batch_size=8, epochs=3, verbose=0).history["loss"], model.get_weights()

    (losses_a, weights_a), (losses_b, weights_b) = train(), train()
    assert losses_a == losses_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------------- losses, metrics

def test_losses_are_keras_formulas():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    probs = _softmax(logits).astype(np.float32)
    probs[0] = [1, 0, 0, 0]  # a certain prediction: the log of 0 is clipped at log(1e-7)
    labels = np.array([1, 2, 0, 3, 3])
    onehot = np.eye(4, dtype=np.float32)[labels]
    clipped = np.clip(probs, 1e-7, 1 - 1e-7)
    z = tf.placeholder(tf.float32, (None, 4))
    p = tf.placeholder(tf.float32, (None, 4))
    L = keras.losses
    with tf.Session() as sess:
        def run(t):
            return sess.run(t, {z: logits, p: probs})
        np.testing.assert_allclose(run(L.sparse_categorical_crossentropy(labels, p)),
                                   -np.log(clipped[np.arange(5), labels] / clipped.sum(1)), rtol=1e-5)
        assert run(L.sparse_categorical_crossentropy(labels, p))[0] == pytest.approx(-np.log(1e-7), rel=1e-4)
        reference = -np.log(_softmax(logits)[np.arange(5), labels])
        for through in (L.sparse_categorical_crossentropy(labels, z, from_logits=True),
                        L.sparse_categorical_crossentropy(labels[:, None], tf.nn.softmax(z)),  # the softmax's logits
                        L.categorical_crossentropy(onehot, z, from_logits=True),
                        L.categorical_crossentropy(onehot, tf.nn.softmax(z)),
                        L.SparseCategoricalCrossentropy(from_logits=True).call(labels, z)):
            np.testing.assert_allclose(run(through), reference, rtol=1e-5)
        np.testing.assert_allclose(run(L.categorical_crossentropy(onehot, p)),
                                   -np.log(clipped[np.arange(5), labels]), rtol=1e-5)
        assert run(L.SparseCategoricalCrossentropy(from_logits=True)(labels, z)) == pytest.approx(reference.mean())
        targets = (rng.random((5, 4)) > 0.5).astype(np.float32)
        sig = 1 / (1 + np.exp(-logits))
        bce = -np.mean(targets * np.log(sig) + (1 - targets) * np.log(1 - sig), axis=-1)
        for through in (L.binary_crossentropy(targets, z, from_logits=True), L.binary_crossentropy(targets,
                                                                                                   tf.sigmoid(z)),
                        L.binary_crossentropy(targets, tf.identity(tf.sigmoid(z)))):  # clipped probabilities
            np.testing.assert_allclose(run(through), bce, rtol=1e-4)
        np.testing.assert_allclose(run(L.mse(onehot, p)), np.mean((probs - onehot) ** 2, axis=-1), rtol=1e-6)
        np.testing.assert_allclose(run(L.mean_absolute_error(onehot, p)), np.mean(abs(probs - onehot), axis=-1),
                                   rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown loss function: 'crossentropy'"):
        L.get("crossentropy")


def _regression_losses(y, p):
    """The other Keras losses in numpy, per sample (y: targets, p: predictions)."""
    eps, x = 1e-7, p - y
    signed = 2 * y - 1 if np.isin(y, (0, 1)).all() else y  # hinge: labels 0/1 count as -1/1
    unit = [v / np.sqrt(np.maximum((v * v).sum(-1, keepdims=True), 1e-12)) for v in (y, p)]
    return {
        "mape": 100 * np.mean(abs(x) / np.maximum(abs(y), eps), -1),
        "msle": np.mean((np.log1p(np.maximum(p, eps)) - np.log1p(np.maximum(y, eps))) ** 2, -1),
        "hinge": np.mean(np.maximum(1 - signed * p, 0), -1),
        "squared_hinge": np.mean(np.maximum(1 - signed * p, 0) ** 2, -1),
        "categorical_hinge": np.maximum(((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0),
        "logcosh": np.mean(np.log(np.cosh(x)), -1),
        "huber_loss": np.mean(np.where(abs(x) <= 1, x * x / 2, abs(x) - 0.5), -1),
        "kld": np.sum(np.clip(y, eps, 1) * np.log(np.clip(y, eps, 1) / np.clip(p, eps, 1)), -1),
        "poisson": np.mean(p - y * np.log(p + eps), -1),
        "cosine_proximity": -np.sum(unit[0] * unit[1], -1),
    }


@pytest.mark.parametrize("targets", ["binary", "real"])
def test_the_other_losses_are_keras_formulas(targets):
    rng = np.random.default_rng(2)
    predictions = rng.uniform(0.05, 2.5, (6, 3))
    truth = (rng.random((6, 3)) > 0.5) * 1.0 if targets == "binary" else rng.uniform(-1, 3, (6, 3))
    y, p = tf.placeholder(tf.float64, (None, 3)), tf.placeholder(tf.float64, (None, 3))
    with tf.Session() as sess:
        for name, expected in _regression_losses(truth, predictions).items():
            got = sess.run(keras.losses.get(name)(y, p), {y: truth, p: predictions})
            np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=name)
        huber = keras.losses.Huber(delta=0.5)(y, p)
        x = predictions - truth
        assert sess.run(huber, {y: truth, p: predictions}) == pytest.approx(
            np.mean(np.where(abs(x) <= 0.5, x * x / 2, 0.5 * (abs(x) - 0.25))))
    # a hinge-loss classifier trains on labels 0/1, and the losses are metrics too
    x, labels = _data(n=64, features=6, classes=2)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(6,))])
    model.compile(keras.optimizers.SGD(0.1), "hinge", metrics=["logcosh", keras.losses.kld])
    history = model.fit(x, labels.astype(np.float32), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert sorted(history.history) == ["kullback_leibler_divergence", "logcosh", "loss"]


@pytest.mark.parametrize("loss, targets, outputs, expected", [
    ("sparse_categorical_crossentropy", [[2], [0], [1]], [[.1, .2, .7], [.5, .4, .1], [.6, .3, .1]], 2 / 3),
    ("categorical_crossentropy", [[0, 0, 1], [0, 1, 0], [1, 0, 0]], [[.1, .2, .7], [.5, .4, .1], [.6, .3, .1]],
     2 / 3),
    ("binary_crossentropy", [[1], [0], [1]], [[.9], [.6], [.2]], 1 / 3),
    ("mse", [[1], [0], [0]], [[.7], [.2], [.6]], 2 / 3),  # one output unit: rounded at 0.5
])
def test_accuracy_means_what_fits_the_loss(loss, targets, outputs, expected):
    out = np.asarray(outputs, np.float32)
    x = tf.keras.Input((out.shape[1],))
    model = keras.Model(x, keras.layers.Activation("linear")(x))
    model.compile("sgd", loss, metrics=["acc"])
    assert model.metrics_names == ["loss", "acc"]
    _, accuracy = model.evaluate(out, np.asarray(targets), verbose=0)
    assert accuracy == pytest.approx(expected)


def test_sample_and_class_weights_scale_each_samples_loss():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["crossentropy"])
    assert model.metrics_names == ["loss", "ce"]
    p = model.predict(x)
    per_sample = -np.log(p[np.arange(len(y)), y])
    weights = np.random.default_rng(1).random(len(y)).astype(np.float32)
    loss, ce = model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert loss == pytest.approx(np.mean(per_sample * weights), rel=1e-5)  # TF 1.x: the mean over the batch
    assert ce == pytest.approx(np.mean(per_sample), rel=1e-5)  # metrics are not weighted
    class_weight = {0: 1.0, 1: 0.0, 2: 3.0}
    w, b = model.get_weights()
    model.fit(x, y, batch_size=len(x), class_weight=class_weight, sample_weight=weights, verbose=0)
    sample = weights * np.array([class_weight[c] for c in y])
    dz = (p - np.eye(3)[y]) * sample[:, None] / len(y)
    np.testing.assert_allclose(model.get_weights()[0], w - 0.5 * x.T @ dz, rtol=1e-4, atol=1e-6)
    one_hot = np.eye(3, dtype=np.float32)[y]
    model.compile("sgd", "categorical_crossentropy")  # a one-hot row's class is its argmax
    p = model.predict(x)
    by_class = np.array([class_weight[c] for c in y])
    assert model.test_on_batch(x, one_hot, sample_weight=by_class) == pytest.approx(
        np.mean(-np.log(p[np.arange(len(y)), y]) * by_class), rel=1e-5)


def test_regularization_penalties_join_the_loss():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(6,), kernel_regularizer=keras.regularizers.l2(0.1),
                                                 bias_regularizer="l1")])
    model.compile("sgd", "mse")
    w, b = model.get_weights()
    targets = np.eye(3, dtype=np.float32)[y]
    expected = np.mean((x @ w + b - targets) ** 2) + 0.1 * np.sum(w ** 2) + 0.01 * np.sum(abs(b))
    assert model.evaluate(x, targets, verbose=0) == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------------------ three ways to build a model

def test_functional_and_subclassed_models_are_graph_ops():
    x, y = _data()
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(5, activation="tanh", name="hidden")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(hidden)
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert isinstance(model.layers[0], keras.layers.InputLayer)  # a functional model lists its input, as Keras
    assert [layer.name for layer in model.layers[1:]] == ["hidden", "dense"]
    assert [v.op.name for v in model.weights] == ["hidden/kernel", "hidden/bias", "dense/kernel", "dense/bias"]
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    sess = keras.backend.get_session()
    np.testing.assert_allclose(model.predict(x), sess.run(model.output, {model.input: x}), rtol=1e-6)

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [keras.layers.Dense(4, activation="relu"), keras.layers.Dense(4, activation="relu")]
            self.head = keras.layers.Dense(1)

        def call(self, inputs, training=None):
            for block in self.blocks:
                inputs = block(inputs)
            return self.head(inputs)

    net = Net()
    net.compile(keras.optimizers.RMSprop(0.01), "mse", metrics=["mae"])
    targets = x[:, :1] * 2
    history = net.fit(x, targets, batch_size=16, epochs=3, verbose=0)
    assert len(net.layers) == 3 and len(net.weights) == 6
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert net.predict(x).shape == (len(x), 1)


def test_a_small_cnn_and_its_summary(capsys):
    x_train, y_train, _, _ = load_digits()
    images = x_train[:64].reshape(-1, 8, 8, 1)
    model = keras.Sequential([
        keras.layers.Conv2D(4, 3, activation="relu", padding="same", input_shape=(8, 8, 1)),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    assert [layer.output_shape for layer in model.layers] == [(None, 8, 8, 4), (None, 4, 4, 4), (None, 64),
                                                              (None, 10)]
    model.summary()
    printed = capsys.readouterr().out
    assert "conv2d (Conv2D)" in printed and "(None, 4, 4, 4)" in printed and "Total params: 690" in printed
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(images, y_train[:64], batch_size=16, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_embedding_and_global_pooling():
    rng = np.random.default_rng(0)
    words = rng.integers(1, 20, (64, 7))
    labels = (words == 3).any(axis=1).astype(np.int64)  # does word 3 occur?
    model = keras.Sequential([keras.layers.Embedding(20, 8, input_length=7),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", ["accuracy"])
    history = model.fit(words, labels, epochs=20, verbose=0)
    assert model.layers[0].output_shape == (None, 7, 8)
    assert history.history["acc"][-1] > 0.85


def test_functional_models_find_shared_layers_and_skip_connections():
    tf.set_random_seed(0)  # (initial weights with which the relu passes a gradient to the middle layer)
    inputs = keras.Input((8,))
    shared, middle = keras.layers.Dense(8, activation="relu", name="shared"), keras.layers.Dense(8, name="middle")
    first = keras.layers.Dense(4, name="first")(shared(middle(shared(inputs))))
    second = keras.layers.Dense(4, name="second")(first)
    model = keras.Model(inputs, keras.layers.Dense(3, name="head")(first + second))  # a skip connection
    assert [layer.name for layer in model.layers[1:]] == ["shared", "middle", "first", "second", "head"]
    assert len(model.weights) == 10
    model.compile("sgd", "mse")
    kernel = middle.get_weights()[0]
    model.fit(np.ones((4, 8), np.float32), np.ones((4, 3), np.float32), verbose=0)
    assert not np.allclose(middle.get_weights()[0], kernel)  # the layer between two uses of another trains


def test_a_layer_of_ones_own():
    class Affine(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight("scale", [input_shape[-1]], initializer="ones")
            self.shift = self.add_weight("shift", [input_shape[-1]], initializer="zeros", regularizer="l2")

        def call(self, inputs):
            return inputs * self.scale + self.shift

    x = np.random.default_rng(0).random((32, 4)).astype(np.float32)
    layer = Affine(input_shape=(4,))
    model = keras.Sequential([layer])
    assert [v.op.name for v in model.weights] == ["affine/scale", "affine/shift"]
    model.compile(keras.optimizers.SGD(0.5), "mse")
    w = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    loss = np.mean((x - (x * w - 1)) ** 2)  # + the penalty 0.01 * sum(shift²) = 0 at the start
    assert model.evaluate(x, x * w - 1, verbose=0) == pytest.approx(loss, rel=1e-5)
    model.train_on_batch(x, x * w - 1)
    residual = x - (x * w - 1)  # d mean(r²) / d scale = 2 mean over the batch of r x / 4 features; / d shift: r
    scale, shift = layer.get_weights()
    np.testing.assert_allclose(scale, 1 - 0.5 * 2 * (residual * x).sum(axis=0) / residual.size, rtol=1e-5)
    np.testing.assert_allclose(shift, -0.5 * 2 * residual.sum(axis=0) / residual.size, rtol=1e-5)
    model.train_on_batch(x, x * w - 1)  # now the penalty's gradient, 0.01 * 2 shift, joins in
    scale_before, shift_before = scale, shift
    residual = x * scale_before + shift_before - (x * w - 1)
    np.testing.assert_allclose(layer.get_weights()[1], shift_before - 0.5 * (
        2 * residual.sum(axis=0) / residual.size + 0.02 * shift_before), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="must define call"):
        keras.layers.Layer()(tf.ones((2, 2)))


def test_sequential_built_from_the_first_data():
    x, y = _data()
    model = keras.Sequential()
    model.add(keras.layers.Dense(4))
    model.add(keras.layers.Dense(3, activation="softmax"))
    assert not model.built
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, verbose=0)
    assert model.built and model.input.shape.as_list() == [None, 6]
    model.add(keras.layers.Activation("relu"))  # joins the built graph
    assert model.predict(x).min() >= 0


# --------------------------------------------------------------------------------------- learning phase

def test_dropout_and_batch_norm_train_only_in_fit():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(16, input_shape=(6,)), keras.layers.BatchNormalization(),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    bn = model.layers[1]
    moving_mean = bn.get_weights()[2]
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(bn.get_weights()[2], moving_mean)  # inference leaves the statistics alone
    np.testing.assert_array_equal(model.predict(x), model.predict(x))  # and draws no dropout mask
    w, b = model.layers[0].get_weights()
    model.fit(x, y, batch_size=48, epochs=1, verbose=0)  # one step on the whole batch
    # the moving mean moved 1 % of the way (momentum 0.99) from 0 to the batch mean of the dense layer's output
    np.testing.assert_allclose(bn.get_weights()[2], 0.01 * (x @ w + b).mean(axis=0), rtol=1e-4, atol=1e-7)
    sess = keras.backend.get_session()
    training = {model.input: x, keras.backend.learning_phase(): True}
    assert not np.allclose(sess.run(model.output, training), sess.run(model.output, training))


def test_a_fixed_learning_phase():
    keras.backend.set_learning_phase(1)
    layer = keras.layers.Dropout(0.5)
    x = tf.ones((100, 100))
    out = layer(x)
    with tf.Session() as sess:
        assert (sess.run(out) == 0).mean() == pytest.approx(0.5, abs=0.05)
    with pytest.raises(ValueError, match="0 or 1"):
        keras.backend.set_learning_phase(True + 1)


# ------------------------------------------------------------------------------------- weights and files

def test_weights_round_trip_into_a_fresh_model(tmp_path):
    x, y = _data()

    def build():
        model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(6,)),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    model = build()
    model.fit(x, y, epochs=2, verbose=0)
    expected = model.predict(x)
    model.save_weights(str(tmp_path / "weights"))
    with pytest.raises(FileExistsError, match="exists and overwrite=False"):
        model.save_weights(str(tmp_path / "weights"), overwrite=False)
    with tf.Graph().as_default():  # (a program at top level would call keras.backend.clear_session())
        fresh = build()
        _check_reloaded(fresh, x, expected, tmp_path)


def _check_reloaded(fresh, x, expected, tmp_path):
    assert fresh.layers[0].name == "dense"
    assert not np.allclose(fresh.predict(x), expected)
    fresh.load_weights(str(tmp_path / "weights"))
    np.testing.assert_allclose(fresh.predict(x), expected, rtol=1e-6)
    fresh.set_weights(model_weights := [np.zeros_like(w) for w in fresh.get_weights()])
    np.testing.assert_allclose(fresh.predict(x), 1 / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="expects 4 weights, but the given weights list has 3"):
        fresh.set_weights(model_weights[:3])
    with pytest.raises(ValueError, match=r"has shape \(6, 5\), the value given has shape \(5, 6\)"):
        fresh.set_weights([np.zeros((5, 6))] + model_weights[1:])
    with pytest.raises(NotImplementedError, match="h5py"):
        fresh.save_weights(str(tmp_path / "weights.h5"))
    with pytest.raises(NotImplementedError, match="save_weights"):
        fresh.save(str(tmp_path / "model"))


# ------------------------------------------------------------------------------------------- callbacks

def test_early_stopping_and_the_other_callbacks(tmp_path, caplog):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")  # nothing moves: no improvement
    seen = []
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    history = model.fit(x, y, epochs=20, verbose=0, validation_data=(x, y), callbacks=[
        stop, keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs)))),
        keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}"), save_weights_only=True)])
    assert history.epoch == [0, 1, 2] and stop.stopped_epoch == 2  # the best was epoch 0, then 2 without gain
    assert seen[-1] == (2, ["loss", "val_loss"])
    assert (tmp_path / "ckpt-03.index").exists()
    with caplog.at_level("WARNING"):  # as TF 1: a warning, and training goes on
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.EarlyStopping("val_acc")])
    assert history.epoch == [0, 1] and "conditioned on metric `val_acc` which is not available" in caplog.text
    with pytest.raises(NotImplementedError, match="save_weights_only=True"):
        model.fit(x, y, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "x"))])


def test_progress_output(capsys):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile("sgd", "sparse_categorical_crossentropy", ["acc"])
    model.fit(x, y, epochs=2, verbose=1, validation_split=0.25)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Train on 36 samples, validate on 12 samples"
    assert printed[1] == "Epoch 1/2"
    assert printed[2].startswith("36/36 [==============================] - ")
    assert " - loss: " in printed[2] and " - acc: " in printed[2] and " - val_acc: " in printed[2]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------------------------- errors

def test_misuse_gets_clear_errors():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(6,))])
    with pytest.raises(RuntimeError, match="must compile your model"):
        model.fit(x, y, verbose=0)
    model.compile("sgd")  # a model may train on add_loss's losses alone; this one has none
    with pytest.raises(ValueError, match="no loss to optimize"):
        model.fit(x, y, verbose=0)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Found 48 input samples and 47 target samples"):
        model.fit(x, y[:47], verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(NotImplementedError, match="steps_per_epoch"):
        model.fit(x, y, steps_per_epoch=3, verbose=0)
    with pytest.raises(ValueError, match=r"class_weight has no weight for class\(es\) \[2\]"):
        model.fit(x, y, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match=r"sample_weight must hold one weight per sample, shape \(48,\)"):
        model.evaluate(x, y, sample_weight=np.ones(47), verbose=0)
    with pytest.raises(ValueError, match="Unknown activation function: 'rectifier'"):
        keras.layers.Dense(3, activation="rectifier")
    with pytest.raises(ValueError, match="Unknown initializer: 'xavier'"):
        keras.layers.Dense(3, kernel_initializer="xavier")
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        keras.Sequential([tf.nn.relu])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(keras.Input((3,)), keras.layers.Dense(2)(keras.Input((3,))))
    a, b = keras.Input((3,)), keras.Input((3,))
    with pytest.raises(ValueError, match=r"not computed from the input input_\d+:0 \(Graph disconnected\)"):
        keras.Model([a, b], keras.layers.Dense(2)(a))
    with pytest.raises(ValueError, match=r"cannot obtain value for tensor input_\d+:0"):
        keras.Model(a, keras.layers.add([a, b]))
    with pytest.raises(ValueError, match="build the model first"):
        keras.Sequential([keras.layers.Dense(2)]).load_weights("nowhere")


def test_to_categorical():
    np.testing.assert_array_equal(keras.utils.to_categorical([1, 0, 2]), np.eye(3)[[1, 0, 2]])
    assert keras.utils.to_categorical(np.array([[1], [3]]), 5).shape == (2, 5)
    with pytest.raises(ValueError, match="out of range for num_classes=2"):
        keras.utils.to_categorical([0, 2], 2)
    with pytest.raises(ValueError, match="integer class labels"):
        keras.utils.to_categorical([0.5])


# ---------------------------------------------------------------------------------- data helpers

def test_datasets_are_read_from_the_keras_cache_only(tmp_path, monkeypatch):
    from tests.test_mnist_idx import make_mnist
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"never downloads.*\.keras/datasets/mnist\.npz|mnist\.npz.*never"):
        keras.datasets.mnist.load_data()
    cache = tmp_path / ".keras" / "datasets"
    cache.mkdir(parents=True)
    rng = np.random.default_rng(0)
    arrays = {name: rng.integers(0, 255, shape, dtype=np.uint8) for name, shape in (
        ("x_train", (5, 28, 28)), ("y_train", (5,)), ("x_test", (2, 28, 28)), ("y_test", (2,)))}
    np.savez(cache / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    for name, value in zip(("x_train", "y_train", "x_test", "y_test"), (x_train, y_train, x_test, y_test)):
        np.testing.assert_array_equal(value, arrays[name])
    with pytest.raises(FileNotFoundError, match="Fashion-MNIST"):
        keras.datasets.fashion_mnist.load_data()
    make_mnist(cache / "fashion-mnist", "train", n=4)
    make_mnist(cache / "fashion-mnist", "t10k", n=3)
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape[0] == 4 and x_test.shape[0] == 3 and y_train.dtype == np.uint8 == x_train.dtype
    x, y = rng.standard_normal((10, 13)), rng.standard_normal(10)
    np.savez(cache / "boston_housing.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
    np.random.seed(113)  # Keras' shuffle, with its default seed
    order = np.arange(10)
    np.random.shuffle(order)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), x[order])
    np.testing.assert_array_equal(y_test, y[order][8:])
    with pytest.raises(NotImplementedError, match="never unpickles"):
        keras.datasets.imdb.load_data(num_words=10000)


def test_the_tokenizer_numbers_words_by_count():
    from minidl.graph.keras.preprocessing.text import Tokenizer, text_to_word_sequence  # TF's import path
    assert text_to_word_sequence("Hello, World!\tHello again...") == ["hello", "world", "hello", "again"]
    texts = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog."]
    tokenizer = Tokenizer(num_words=5, oov_token="<unk>")
    tokenizer.fit_on_texts(texts)
    # by falling count, ties in order of first appearance, from 1; the oov token first
    assert tokenizer.word_index == {"<unk>": 1, "the": 2, "cat": 3, "sat": 4, "dog": 5, "a": 6, "on": 7, "mat": 8}
    assert tokenizer.word_counts["the"] == 3 and tokenizer.word_docs["the"] == 2 and tokenizer.document_count == 3
    # ids from num_words up (dog: 5) and unknown words become the oov id
    assert tokenizer.texts_to_sequences(["the cat and the dog"]) == [[2, 3, 1, 2, 1]]
    assert tokenizer.sequences_to_texts([[2, 3, 7]]) == ["the cat <unk>"]
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(["the cat the"], "count"), [[0, 0, 2, 1, 0]])
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(["the cat the"]), [[0, 0, 1, 1, 0]])
    np.testing.assert_allclose(tokenizer.texts_to_matrix(["the cat the"], "freq"), [[0, 0, 2 / 3, 1 / 3, 0]])
    idf = [np.log(1 + 3 / (1 + docs)) for docs in (2, 2)]  # 'the' and 'cat' are in two of the three texts
    np.testing.assert_allclose(tokenizer.texts_to_matrix(["the cat the"], "tfidf"),
                               [[0, 0, (1 + np.log(2)) * idf[0], idf[1], 0]])
    plain = Tokenizer()  # without an oov token unknown words are dropped; every word is kept
    plain.fit_on_texts(texts)
    assert plain.texts_to_sequences(["the zebra sat on"]) == [[1, 3, 6]]
    characters = Tokenizer(char_level=True)
    characters.fit_on_texts(["abba"])
    assert characters.word_index == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match="vectorization mode"):
        plain.texts_to_matrix(texts, "onehot")


def test_pad_sequences():
    pad = keras.preprocessing.sequence.pad_sequences
    seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9], []]
    np.testing.assert_array_equal(pad(seqs, maxlen=4), [[0, 1, 2, 3], [0, 0, 0, 4], [6, 7, 8, 9], [0, 0, 0, 0]])
    np.testing.assert_array_equal(pad(seqs, maxlen=4, padding="post", truncating="post", value=-1),
                                  [[1, 2, 3, -1], [4, -1, -1, -1], [5, 6, 7, 8], [-1] * 4])
    assert pad(seqs).shape == (4, 5) and pad(seqs).dtype == np.int32
    with pytest.raises(ValueError, match='padding type "middle" not understood'):
        pad(seqs, padding="middle")


def test_losses_are_metrics_too():
    x, y = _data()
    targets = np.eye(3, dtype=np.float32)[y]
    model = keras.Sequential([keras.layers.Dense(3, activation="sigmoid", input_shape=(6,),
                                                 kernel_regularizer=keras.regularizers.l2(1.0))])
    model.compile("sgd", "binary_crossentropy", metrics=["binary_crossentropy", "mean_absolute_error"])
    loss, data_loss, mae = model.evaluate(x, targets, verbose=0)
    p = model.predict(x)
    np.testing.assert_allclose(data_loss, -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p)), rtol=1e-5)
    assert loss == pytest.approx(data_loss + np.sum(model.get_weights()[0] ** 2), rel=1e-5)
    assert mae == pytest.approx(np.mean(abs(p - targets)), rel=1e-5)
    assert model.metrics_names == ["loss", "binary_crossentropy", "mean_absolute_error"]


# --------------------------------------------------------------------------------------- recurrent layers

def _hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0, 1)


def _keras_recurrence(kind, x, kernel, recurrent, bias, go_backwards=False, h=None, c=None):
    """Keras' SimpleRNN/LSTM/GRU (TF1: hard-sigmoid gates, GRU without reset_after) in numpy: outputs, h, c.
    The state starts at zeros unless ``h`` (and ``c``) are given."""
    n, steps, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((n, units)) if h is None else h
    c = np.zeros((n, units)) if c is None else c
    outputs = []
    for t in (reversed(range(steps)) if go_backwards else range(steps)):
        z = x[:, t] @ kernel + bias
        if kind == "SimpleRNN":
            h = np.tanh(z + h @ recurrent)
        elif kind == "LSTM":
            i, f, g, o = np.split(z + h @ recurrent, 4, axis=1)
            c = _hard_sigmoid(f) * c + _hard_sigmoid(i) * np.tanh(g)
            h = _hard_sigmoid(o) * np.tanh(c)
        else:
            (z_u, z_r, z_h), (r_u, r_r, r_h) = np.split(z, 3, axis=1), np.split(recurrent, 3, axis=1)
            update, reset = _hard_sigmoid(z_u + h @ r_u), _hard_sigmoid(z_r + h @ r_r)
            h = update * h + (1 - update) * np.tanh(z_h + (reset * h) @ r_h)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_recurrent_layers_are_keras_formulas_with_checked_gradients(kind, go_backwards):
    rng = np.random.default_rng(0)
    x_value = rng.standard_normal((2, 4, 3)) * 0.5
    x = tf.placeholder(tf.float64, (None, 4, 3))
    layer = getattr(keras.layers, kind)(3, return_sequences=True, return_state=True, go_backwards=go_backwards)
    outputs, *state = layer(x)
    kernel, recurrent, bias = layer.weights
    assert [v.op.name.split("/")[-1] for v in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    assert kernel.shape.as_list() == [3, 3 * gates] and recurrent.shape.as_list() == [3, 3 * gates]
    weights = {v: np.asarray(rng.standard_normal(v.shape.as_list()) * 0.4) for v in layer.weights}
    loss_weights = rng.standard_normal((2, 4, 3))
    loss = tf.reduce_sum(outputs * loss_weights) + tf.reduce_sum(state[0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        if kind == "LSTM":  # the forget gate's bias starts at 1, the others at 0
            np.testing.assert_array_equal(sess.run(bias), np.repeat([0, 1, 0, 0], 3))
        for v, value in weights.items():
            v.load(value, sess)
        got = sess.run([outputs] + state, {x: x_value})
        expected = _keras_recurrence(kind, x_value, *weights.values(), go_backwards)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-10)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-10)
        if kind == "LSTM":
            np.testing.assert_allclose(got[2], expected[2], rtol=1e-10)
        grads = sess.run(tf.gradients(loss, [x, kernel, recurrent]), {x: x_value})

        def numeric(perturb, shape, eps=1e-6):
            out = np.zeros(shape)
            for index in np.ndindex(*shape):
                out[index] = (perturb(index, eps) - perturb(index, -eps)) / (2 * eps)
            return out

        def at_x(index, eps):
            shifted = x_value.copy()
            shifted[index] += eps
            return sess.run(loss, {x: shifted})

        def at(variable):
            def perturbed(index, eps):
                shifted = weights[variable].copy()
                shifted[index] += eps
                variable.load(shifted, sess)
                value = sess.run(loss, {x: x_value})
                variable.load(weights[variable], sess)
                return value
            return perturbed

        np.testing.assert_allclose(grads[0], numeric(at_x, x_value.shape), rtol=1e-6, atol=1e-8)
        for grad, variable in zip(grads[1:], (kernel, recurrent)):
            np.testing.assert_allclose(grad, numeric(at(variable), weights[variable].shape), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_a_recurrent_layer_starts_from_an_initial_state(kind):
    rng = np.random.default_rng(3)
    x_value, h_value, c_value = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    x, h, c = tf.placeholder(tf.float64, (None, 3, 4)), tf.placeholder(tf.float64, (None, 5)), \
        tf.placeholder(tf.float64, (None, 5))
    layer = getattr(keras.layers, kind)(5, return_sequences=True)
    outputs = layer(x, initial_state=[h, c] if kind == "LSTM" else h)
    loss = tf.reduce_sum(outputs * rng.standard_normal((2, 3, 5)))
    feed = {x: x_value, h: h_value, c: c_value}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = _keras_recurrence(kind, x_value, *sess.run(layer.weights), h=h_value, c=c_value)[0]
        np.testing.assert_allclose(sess.run(outputs, feed), expected, rtol=1e-10)
        starts = [h, c] if kind == "LSTM" else [h]
        for start, grad in zip(starts, sess.run(tf.gradients(loss, starts), feed)):  # the gradient reaches the state
            numeric = np.zeros_like(feed[start])
            for index in np.ndindex(*numeric.shape):
                shifted = [dict(feed) for _ in range(2)]
                for sign, moved in zip((1, -1), shifted):
                    moved[start] = feed[start].copy()
                    moved[start][index] += sign * 1e-6
                numeric[index] = (sess.run(loss, shifted[0]) - sess.run(loss, shifted[1])) / 2e-6
            np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="initial_state should be"):
        getattr(keras.layers, kind)(5)(x, initial_state=[h, c, h])


def test_recurrent_dropout_drops_the_same_units_at_every_step():
    np.random.seed(0)  # fit's shuffling
    tf.set_random_seed(0)  # initial weights, dropout masks
    x, h0 = tf.placeholder(tf.float32, (None, 4, 3)), tf.placeholder(tf.float32, (None, 3))
    training = {keras.backend.learning_phase(): True}
    ones = np.ones((200, 4, 3), np.float32)
    # inputs dropped: with an identity kernel and no recurrence, each step's output is the input mask itself
    inputs_dropped = keras.layers.SimpleRNN(3, activation="linear", dropout=0.5, return_sequences=True,
                                            kernel_initializer="identity", recurrent_initializer="zeros")(x)
    # state dropped: with an identity recurrence and no input, h_t = (mask ⊙ h_(t-1)), so a kept unit doubles
    state_dropped = keras.layers.SimpleRNN(3, activation="linear", recurrent_dropout=0.5, return_sequences=True,
                                           kernel_initializer="zeros", recurrent_initializer="identity",
                                           use_bias=False)(x, initial_state=h0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        masks = sess.run(inputs_dropped, {**training, x: ones})
        assert set(np.unique(masks)) == {0.0, 2.0} and (masks == masks[:, :1]).all()  # one mask per sequence
        assert (masks == 0).mean() == pytest.approx(0.5, abs=0.05)
        np.testing.assert_array_equal(sess.run(inputs_dropped, {x: ones}), ones)  # no dropout in inference
        states = sess.run(state_dropped, {**training, x: ones, h0: ones[:, 0]})
        kept = states[:, 0] != 0
        np.testing.assert_array_equal(states, kept[:, None] * 2.0 ** np.arange(1, 5)[:, None])
        np.testing.assert_array_equal(sess.run(state_dropped, {x: ones, h0: ones[:, 0]}), ones)
        np.testing.assert_array_equal(sess.run(tf.identity_initializer(2.0)([2, 3])), 2 * np.eye(2, 3))
    # the usual sentiment-model layer trains with both, and predicts deterministically
    rng = np.random.default_rng(0)
    sequences = rng.standard_normal((64, 5, 2)).astype(np.float32)
    labels = (sequences[:, :, 0].sum(1) > 0).astype(np.float32)
    model = keras.Sequential([keras.layers.LSTM(8, dropout=0.2, recurrent_dropout=0.2, input_shape=(5, 2)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["acc"])
    history = model.fit(sequences, labels, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    np.testing.assert_array_equal(model.predict(sequences), model.predict(sequences))


def test_padded_steps_are_masked_out():
    np.random.seed(0)  # fit's shuffling
    tf.set_random_seed(0)  # initial weights, dropout masks
    rng = np.random.default_rng(0)
    ids = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(12, 4, mask_zero=True)
    embedded = embedding(ids)
    sequence = keras.layers.GRU(3, return_sequences=True)(keras.layers.Dropout(0.2)(embedded))
    last = keras.layers.LSTM(3)(sequence)
    both = keras.layers.Bidirectional(keras.layers.SimpleRNN(2))(embedded)
    model = keras.Model(ids, [last, both, keras.layers.GlobalAveragePooling1D()(embedded)])
    words = np.array([[3, 4, 5]])
    # pre-padding (pad_sequences' default) and post-padding give the unpadded sequence's answers: a padded step
    # leaves the state as it was, and the average counts real steps only
    unpadded = model.predict(words)
    for padded in ([[0, 0, 3, 4, 5]], [[3, 4, 5, 0]], [[0, 3, 4, 5, 0, 0]]):
        for got, expected in zip(model.predict(np.array(padded)), unpadded):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    table = embedding.get_weights()[0]
    np.testing.assert_allclose(unpadded[2], table[[3, 4, 5]].mean(0, keepdims=True), rtol=1e-6)
    # Masking does the same for sequences of vectors: all-zero steps are padding
    steps = keras.Input((None, 2))
    masked_model = keras.Model(steps, keras.layers.LSTM(3)(keras.layers.Masking(0.0)(steps)))
    values = rng.standard_normal((1, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(masked_model.predict(np.concatenate([np.zeros((1, 2, 2), np.float32), values], 1)),
                               masked_model.predict(values), rtol=1e-5, atol=1e-7)
    # a mask reaching a layer that cannot take it is refused rather than ignored
    with pytest.raises(NotImplementedError, match="flatten.*does not support masking"):
        keras.layers.Flatten()(embedded)
    # a classifier on pre-padded sequences of different lengths trains
    lengths = rng.integers(2, 9, 128)
    sequences = keras.preprocessing.sequence.pad_sequences(
        [rng.integers(1, 12, n) for n in lengths], maxlen=8)
    labels = (np.array([np.isin(s, (1, 2)).any() for s in sequences])).astype(np.float32)
    classifier = keras.Sequential([keras.layers.Embedding(12, 8, mask_zero=True, input_length=8),
                                   keras.layers.LSTM(8), keras.layers.Dense(1, activation="sigmoid")])
    classifier.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["acc"])
    history = classifier.fit(sequences, labels, epochs=20, verbose=0)
    assert history.history["acc"][-1] > 0.85


def test_an_encoder_state_starts_the_decoder():
    """The sequence-to-sequence pattern: the encoder's final [h, c] is the decoder's initial_state."""
    np.random.seed(0)  # fit's shuffling
    tf.set_random_seed(0)  # initial weights
    rng = np.random.default_rng(0)
    source, target = rng.standard_normal((32, 5, 3)).astype(np.float32), rng.standard_normal((32, 4, 2))
    encoder_in, decoder_in = keras.Input((5, 3)), keras.Input((4, 2))
    _, h, c = keras.layers.LSTM(8, return_state=True)(encoder_in)
    decoded = keras.layers.LSTM(8, return_sequences=True)(decoder_in, initial_state=[h, c])
    model = keras.Model([encoder_in, decoder_in], keras.layers.TimeDistributed(keras.layers.Dense(2))(decoded))
    model.compile(keras.optimizers.Adam(0.01), "mse")
    history = model.fit([source, target.astype(np.float32)], target.astype(np.float32), epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    assert len(model.trainable_weights) == 8  # both LSTMs and the dense layer


def test_recurrent_models_train_and_bidirectional_lines_up():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6, 2)).astype(np.float32)
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)  # the sign of a sum over time
    model = keras.Sequential([keras.layers.LSTM(8, input_shape=(6, 2)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", ["acc"])
    assert model.fit(x, y, epochs=25, verbose=0).history["acc"][-1] >= 0.9
    forward = keras.layers.GRU(3, return_sequences=True)
    both = keras.layers.Bidirectional(forward, merge_mode="concat")
    inputs = keras.Input((6, 2))
    merged = both(inputs)
    assert merged.shape.as_list() == [None, 6, 6] and len(both.weights) == 6
    assert both.backward_layer.name == f"backward_{forward.name}"
    assert both.forward_layer.name == f"forward_{forward.name}"  # a copy of the layer given, as TF 1.15 makes
    assert [w.name.split("/")[1] for w in both.weights] == [f"forward_{forward.name}"] * 3 + \
        [f"backward_{forward.name}"] * 3
    sess = keras.backend.get_session()
    values = sess.run([merged, both.forward_layer.output, both.backward_layer.output], {inputs: x[:2]})
    np.testing.assert_allclose(values[0][..., :3], values[1], rtol=1e-6)
    np.testing.assert_allclose(values[0][..., 3:], values[2][:, ::-1], rtol=1e-6)  # step t with step t
    with pytest.raises(ValueError, match="needs to know its batch size"):  # (stateful: test_keras_stateful.py)
        keras.layers.LSTM(3, stateful=True)(inputs)
    with pytest.raises(ValueError, match="expected ndim=3"):
        keras.layers.GRU(3)(tf.ones((2, 3)))


CLEARED_MODEL = """
import numpy as np, minidl.graph as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(4,))])
model.predict(np.ones((2, 4)))
tf.keras.backend.clear_session()
assert tf.keras.layers.Dense(2).name == "dense"  # the names start again
try:
    model.predict(np.ones((2, 4)))
except RuntimeError as error:
    print(error)
"""


def test_a_model_does_not_outlive_clear_session():
    """After clear_session, a model of the old graph has no session and no weights: using it is an error, not a
    silent new random initialization. (Run apart: the tests' fixture keeps a graph open, and clear_session, as in
    TF, refuses to reset the default graph inside another graph's context.)"""
    done = subprocess.run([sys.executable, "-c", CLEARED_MODEL], capture_output=True, text=True, timeout=60,
                          cwd=pathlib.Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert "given up by tf.keras.backend.clear_session()" in done.stdout


def test_fit_evaluate_and_predict_take_tf_data_datasets():
    x, y = _data()
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)

    def model_like(weights=None):
        model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
        model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", ["acc"])
        if weights is not None:
            model.set_weights(weights)
        return model

    from_data = model_like()
    from_arrays = model_like(from_data.get_weights())
    history = from_data.fit(batches, epochs=2, verbose=0, validation_data=batches)  # a pass per epoch
    reference = from_arrays.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y))
    for key in ("loss", "acc", "val_loss", "val_acc"):
        np.testing.assert_allclose(history.history[key], reference.history[key], rtol=1e-6)
    for a, b in zip(from_data.get_weights(), from_arrays.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(from_data.evaluate(batches, verbose=0), from_arrays.evaluate(x, y, verbose=0),
                               rtol=1e-6)
    inputs_only = tf.data.Dataset.from_tensor_slices(x).batch(10)
    np.testing.assert_allclose(from_data.predict(inputs_only), from_arrays.predict(x), rtol=1e-6)
    # a repeated dataset: steps_per_epoch batches make an epoch, and the next epoch continues where it stopped
    from_data.fit(batches.repeat(), epochs=2, steps_per_epoch=5, verbose=0)
    assert keras.backend.get_value(from_data.optimizer.iterations) == 2 * 3 + 10
    # a dataset that runs out before steps_per_epoch: TF 1.15 warns and ends the training there
    ran_out = from_data.fit(batches, steps_per_epoch=5, epochs=3, verbose=0)
    assert len(ran_out.history["loss"]) == 1 and from_data.history is ran_out
    with pytest.raises(ValueError, match="ran out after 3 of steps=5 steps"):  # evaluating past the end: an error
        from_data.evaluate(batches, steps=5, verbose=0)
    with pytest.raises(ValueError, match="with a dataset as x, y, batch_size must not be given"):
        from_data.fit(batches, y, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"yield \(inputs, targets\)"):
        from_data.evaluate(inputs_only, verbose=0)


# ------------------------------------------------------------------ behaviours a TF 1 program relies on

def test_beginner_slips_with_keras_get_clear_errors():
    x, y = np.ones((8, 3), np.float32), np.random.default_rng(0).integers(0, 2, (8, 1))
    one_unit = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    one_unit.compile("sgd", "categorical_crossentropy")  # the softmax of one unit is 1: the loss would stay 0
    with pytest.raises(ValueError, match="binary_crossentropy"):
        one_unit.fit(x, y, verbose=0)
    one_unit.compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match="the model has 1 input .* a list of 2 arrays was passed"):
        one_unit.fit([x, x], y, verbose=0)
    one_unit.fit([x], y, verbose=0)  # [x], as functional-API code passes its one input
    with pytest.raises(ValueError, match="Invalid axis: 5"):
        keras.layers.LayerNormalization(axis=5)(keras.Input((3,)))
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    assert unbuilt.get_weights() == []
    for call in (lambda: unbuilt.set_weights([np.ones((3, 1))]), lambda: unbuilt.save_weights("unused")):
        with pytest.raises(ValueError, match="build the model first"):
            call()


def test_targets_are_never_truncated_and_must_fit_the_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1)).astype(np.float32)
    y = 3 * x[:, 0] + 0.5
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(1,))])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(x, y, epochs=60, verbose=0, validation_data=(x[:8], np.round(y[:8]).astype(int)))
    w, b = model.get_weights()
    assert w[0, 0] == pytest.approx(3, abs=1e-3) and b[0] == pytest.approx(0.5, abs=1e-3)
    assert model.evaluate(x, np.round(y).astype(int), verbose=0) == pytest.approx(
        np.mean((model.predict(x)[:, 0] - np.round(y)) ** 2), rel=1e-5)
    wide = keras.Sequential([keras.layers.Dense(3, input_shape=(1,))])
    wide.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"shape \(samples,\) \+ \(1,\) was passed for an output of shape "
                                         r"\(None, 3\) while using as loss `mean_squared_error`"):
        wide.fit(x, y, verbose=0)
    wide.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="one-hot rows go with loss='categorical_crossentropy'"):
        wide.fit(x, np.eye(3)[rng.integers(0, 3, 64)], verbose=0)
    wide.compile("sgd", "mse")
    wide.fit(x, np.zeros((64, 3)), verbose=0)
    with pytest.raises(ValueError, match=r"expected targets of shape \(None,\) \+ \(3,\)"):
        wide.evaluate(x, np.zeros((64, 2)), verbose=0)
    with pytest.raises(ValueError, match="Empty training data"):
        wide.fit(x[:0], np.zeros((0, 3)), verbose=0)
    with pytest.raises(ValueError, match="Empty evaluation data"):
        wide.evaluate(x[:0], np.zeros((0, 3)), verbose=0)


def test_reshape_checks_sizes_and_infers_one_dim():
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    with pytest.raises(ValueError, match=r"total size of new array must be unchanged: \(4,\) \(4 values\)"):
        keras.Sequential([keras.layers.Reshape((5,), input_shape=(4,))])
    model = keras.Sequential([keras.layers.Reshape((2, -1), input_shape=(4,))])
    assert model.output_shape == (None, 2, 2)
    np.testing.assert_array_equal(model.predict(x), x.reshape(10, 2, 2))
    inputs = keras.Input((None, 4))  # a sample's size unknown until run time
    reshaped = keras.layers.Reshape((-1, 2))(inputs)
    out = keras.backend.get_session().run(reshaped, {inputs: np.zeros((3, 5, 4))})
    assert out.shape == (3, 10, 2)


def test_a_trained_model_needs_its_own_session():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(6,))])
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((48, 3)), verbose=0)
    with tf.Session():  # another session has no value for the trained weights: TF 1 raises, and so does minidl
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            model.predict(x)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())  # initialized there on purpose: then it runs
        assert model.predict(x).shape == (48, 3)


def test_frozen_models_and_activity_penalties():
    x, y = _data()
    base = keras.Sequential([keras.layers.Dense(4, input_shape=(6,), activation="relu")])
    head = keras.Sequential([base, keras.layers.Dense(3, activation="softmax")])
    base.trainable = False
    head.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    assert len(head.trainable_weights) == 2 and len(head.non_trainable_weights) == 2
    frozen = base.get_weights()
    head.fit(x, y, verbose=0, epochs=2)
    for before, after in zip(frozen, base.get_weights()):
        np.testing.assert_array_equal(before, after)
    penalized = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), kernel_initializer="ones",
                                                     use_bias=False, activity_regularizer=keras.regularizers.l1(0.5))])
    penalized.compile("sgd", "mse")
    # outputs all 3; data loss (3 - 0)² = 9; the penalty 0.5 * sum|outputs| = 0.5 * 12 over a batch of 2 is 3
    assert penalized.evaluate(np.ones((2, 3)), np.zeros((2, 2)), verbose=0) == pytest.approx(12)


def test_an_activation_layer_keeps_the_softmax_logits_for_the_loss():
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(1,), kernel_initializer="zeros",
                                                 bias_initializer=keras.initializers.Constant([0.0, -30.0, -30.0])),
                              keras.layers.Activation("softmax")])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    x, y = np.zeros((1, 1), np.float32), np.array([1])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(30.0, rel=1e-5)  # not the clipped 16.1
    model.train_on_batch(x, y)
    assert model.get_weights()[1][1] > -30  # and the gradient is not lost to the clipping


def test_the_learning_rate_is_a_variable_that_callbacks_change(capsys):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", ["acc"])
    model.train_on_batch(x, y)
    keras.backend.set_value(model.optimizer.lr, 0.0)  # after the update op exists: it reads the variable
    weights = model.get_weights()
    model.train_on_batch(x, y)
    np.testing.assert_array_equal(model.get_weights()[0], weights[0])
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1), verbose=1)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule])
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    assert "LearningRateScheduler reducing learning rate to 0.05" in capsys.readouterr().out
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")  # nothing improves
    # an improvement must beat 10: after the first epoch none does
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_delta=10)
    model.optimizer.learning_rate = 0.8
    history = model.fit(x, y, epochs=7, verbose=0, callbacks=[plateau])
    # the rate each epoch ran with: 0 sets the best; 1, 2 wait -> halved after 2; 3 cools down (counts 0);
    # 3, 4 wait -> halved after 4; 5 cools down; 5, 6 wait -> halved after 6
    np.testing.assert_allclose(history.history["lr"], [0.8, 0.8, 0.8, 0.4, 0.4, 0.2, 0.2], rtol=1e-6)
    assert keras.backend.get_value(model.optimizer.lr) == pytest.approx(0.1)


def test_batch_logs_running_metrics_and_stopping_mid_epoch(tmp_path):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy", ["acc"])
    p = model.predict(x)
    correct = (p.argmax(axis=1) == y).astype(float)
    batch_logs = []
    model.fit(x, y, batch_size=16, shuffle=False, verbose=0, callbacks=[
        keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batch_logs.append(dict(logs)))])
    assert [logs["acc"] for logs in batch_logs] == pytest.approx([correct[:16].mean(), correct[:32].mean(),
                                                                  correct.mean()])
    assert batch_logs[1]["loss"] == pytest.approx(np.mean(-np.log(p[np.arange(16, 32), y[16:32]])), rel=1e-5)

    class StopAfterTwo(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            self.seen = batch + 1
            if batch == 1:
                self.model.stop_training = True

    stopper = StopAfterTwo()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[
        stopper, keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    assert stopper.seen == 2 and history.epoch == [0]
    lines = (tmp_path / "log.csv").read_text().splitlines()
    assert lines[0] == "epoch,acc,loss" and lines[1].startswith("0,")
    model.compile(keras.optimizers.SGD(0.1), "mse")
    broken = x.copy()
    broken[20, 0] = np.nan  # in the third batch
    terminated = model.fit(broken, np.zeros((48, 3)), batch_size=8, epochs=3, verbose=0, shuffle=False,
                           callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(terminated.epoch) == 1


def test_metric_names_inputs_as_lists_and_model_lookups():
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(6,), name="only")])
    with pytest.raises(TypeError, match="Type of `metrics` argument not understood"):
        model.compile("sgd", "mse", metrics="accuracy")
    with pytest.raises(ValueError, match="Unknown metric function: 'accuarcy'"):
        model.compile("sgd", "mse", metrics=["accuarcy"])
    model.compile("sgd", "mse", metrics=["mae", "mse"])
    targets = np.eye(3, dtype=np.float32)[y]
    history = model.fit([x], [targets], epochs=1, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["loss", "mean_absolute_error", "mean_squared_error", "val_loss",
                                       "val_mean_absolute_error", "val_mean_squared_error"]
    assert model.get_layer("only") is model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match=r"No such layer: other. Existing layers are: \['only'\]"):
        model.get_layer("other")
    assert model.input_shape == (None, 6) and model.output_shape == (None, 3)
    np.testing.assert_array_equal(model.predict_classes(x), model.predict([x]).argmax(axis=1))
    binary = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(6,))])
    np.testing.assert_array_equal(binary.predict_classes(x), (binary.predict_proba(x) > 0.5).astype(np.int32))


def test_an_embedding_first_layer_builds_the_model(capsys):
    model = keras.Sequential([keras.layers.Embedding(50, 4), keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.summary()  # before any data, as TF's text-classification tutorial does
    printed = capsys.readouterr().out
    assert "embedding (Embedding)        (None, None, 4)           200" in printed
    assert "global_average_pooling1d (Gl (None, 4)" in printed  # a cut name keeps its space
    words = np.random.default_rng(0).integers(0, 50, (8, 12))
    model.compile("adam", "binary_crossentropy")
    model.fit(words, np.ones(8), verbose=0)
    assert model.predict(words[:, :7]).shape == (8, 1)  # any length
    fixed = keras.Sequential([keras.layers.Embedding(50, 4, input_length=12)])
    assert fixed.output_shape == (None, 12, 4)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        keras.layers.GlobalAveragePooling1D()(tf.ones((2, 3, 4, 5)))


def test_merge_layers_lambda_and_activation_layers():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    inputs = keras.Input((4,))
    a, b = keras.layers.Dense(3, name="a")(inputs), keras.layers.Dense(3, name="b")(inputs)
    L = keras.layers
    outputs = {"concat": L.concatenate([a, b]), "add": L.add([a, b]), "sub": L.Subtract()([a, b]),
               "mul": L.multiply([a, b]), "avg": L.average([a, b]), "max": L.maximum([a, b]),
               "min": L.Minimum()([a, b]), "lambda": L.Lambda(lambda t, k: t * k, arguments={"k": 3.0})(a),
               "leaky": L.LeakyReLU()(a), "relu6": L.ReLU(max_value=0.5)(a), "softmax": L.Softmax()(a)}
    sess = keras.backend.get_session()
    values = sess.run(outputs, {inputs: x})
    va, vb = sess.run([a, b], {inputs: x})
    expected = {"concat": np.concatenate([va, vb], -1), "add": va + vb, "sub": va - vb, "mul": va * vb,
                "avg": (va + vb) / 2, "max": np.maximum(va, vb), "min": np.minimum(va, vb), "lambda": va * 3,
                "leaky": np.where(va > 0, va, 0.3 * va), "relu6": np.clip(va, 0, 0.5), "softmax": _softmax(va)}
    for name, value in expected.items():
        np.testing.assert_allclose(values[name], value, rtol=1e-6, err_msg=name)
    model = keras.Model(inputs, keras.layers.Dense(1)(L.concatenate([outputs["add"], outputs["lambda"]])))
    assert [layer.name for layer in model.layers[1:]] == ["a", "b", "add", "lambda", "concatenate_1", "dense"]
    with pytest.raises(ValueError, match=r"could not be merged \(add\) with shapes \[\(3,\), \(6,\)\]"):
        L.add([a, outputs["concat"]])
    with pytest.raises(ValueError, match="matching shapes except for the concat axis"):
        L.concatenate([a, keras.Input((2, 3))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.subtract([a, b, a])


def test_backend_functions_for_custom_losses():
    K = keras.backend

    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(6,))])
    model.compile("sgd", rmse, metrics=[rmse])
    targets = np.ones((48, 2), np.float32)
    loss, metric = model.evaluate(x, targets, verbose=0)
    expected = np.mean(np.sqrt(np.mean((model.predict(x) - 1) ** 2, axis=-1)))
    assert loss == pytest.approx(expected, rel=1e-5) and metric == pytest.approx(expected, rel=1e-5)
    assert model.metrics_names == ["loss", "rmse"]
    first_layer = K.function([model.input], [model.layers[0].output])
    # (atol: on a GPU a 48-row product and predict's 32-row batches may sum in other orders)
    np.testing.assert_allclose(first_layer([x])[0], model.predict(x), rtol=1e-6, atol=1e-6)
    t = K.placeholder(shape=(None, 3))
    assert K.int_shape(t) == (None, 3) and K.ndim(t) == 2
    value = K.get_session().run(K.std(t, axis=0), {t: x[:, :3]})
    np.testing.assert_allclose(value, x[:, :3].std(axis=0), rtol=1e-5)


def test_tensorboard_callback_writes_the_logs(tmp_path):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.compile("sgd", "sparse_categorical_crossentropy", ["acc"])
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    (event_file,) = tmp_path.glob("events.out.tfevents.*")
    scalars, histograms = {}, set()
    for event in tf.train.summary_iterator(str(event_file)):
        for value in event.summary.value:
            if value.HasField("histo"):
                histograms.add(value.tag)
            else:
                scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert sorted(scalars) == ["epoch_acc", "epoch_loss", "epoch_val_acc", "epoch_val_loss"]
    assert [step for step, _ in scalars["epoch_loss"]] == [0, 1]
    assert histograms == {"dense/kernel_0", "dense/bias_0"}
    with pytest.raises(NotImplementedError, match="load_weights"):
        keras.models.load_model("model.h5")
    batches = tmp_path / "batches"
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[
        keras.callbacks.TensorBoard(str(batches), update_freq="batch")])
    (event_file,) = batches.glob("events.out.tfevents.*")
    tags = {}
    for event in tf.train.summary_iterator(str(event_file)):
        for value in event.summary.value:
            tags.setdefault(value.tag, []).append(event.step)
    assert tags == {"batch_loss": [0, 1, 2], "batch_acc": [0, 1, 2], "epoch_loss": [48], "epoch_acc": [48]}


def test_a_model_frozen_whole_trains_nothing(caplog):
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(6,))])
    model.trainable = False
    model.compile("adam", "sparse_categorical_crossentropy")
    weights = model.get_weights()
    with caplog.at_level("WARNING"):
        model.fit(x, y, verbose=0)
    assert "The list of trainable weights is empty" in caplog.text
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_a_layer_made_frozen_trains_once_unfrozen():
    """As in TF 1.15: weights a frozen layer makes stay out of TRAINABLE_VARIABLES (their own ``trainable`` is
    False), but they are the layer's trainable_weights by what it asked for, so a Keras model trains them once the
    layer is unfrozen; a batch norm's moving statistics stay non-trainable all along."""
    x, y = _data()
    dense = keras.layers.Dense(3, activation="softmax", trainable=False)
    norm = keras.layers.BatchNormalization(trainable=False, input_shape=(6,))
    model = keras.Sequential([norm, dense])
    assert tf.trainable_variables() == [] and dense.trainable_weights == [] and model.trainable_weights == []
    assert [v.name for v in norm.non_trainable_weights] == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0", "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0"]
    dense.trainable = norm.trainable = True
    assert [v.name for v in model.trainable_weights] == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0", "dense/kernel:0", "dense/bias:0"]
    assert [v.name for v in norm.non_trainable_weights] == [
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert tf.trainable_variables() == [] and not dense.kernel.trainable
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(x, y, verbose=0)
    changed = [not np.array_equal(b, a) for b, a in zip(before, model.get_weights())]
    assert changed == [True] * 6  # gamma, beta, kernel, bias by SGD; the moving statistics by their updates


def test_the_gan_recipe_freezes_the_discriminator_only_inside_the_combined_model():
    """Keras collects the weights to train at compile: the discriminator, compiled while trainable, still trains
    on its own after ``trainable = False`` was set for the combined model, which trains the generator only."""
    rng = np.random.default_rng(0)
    z_in, x_in = keras.Input((2,)), keras.Input((3,))
    generator = keras.Model(z_in, keras.layers.Dense(3)(z_in))
    discriminator = keras.Model(x_in, keras.layers.Dense(1, activation="sigmoid")(x_in))
    discriminator.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    discriminator.trainable = False
    gan = keras.Model(z_in, discriminator(generator(z_in)))
    gan.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    assert len(gan.trainable_weights) == 2  # the generator's kernel and bias
    d_before, g_before = discriminator.get_weights(), generator.get_weights()
    gan.train_on_batch(rng.standard_normal((8, 2)), np.ones(8))
    for before, after in zip(d_before, discriminator.get_weights()):
        np.testing.assert_array_equal(before, after)  # frozen inside the combined model
    assert not np.allclose(g_before[0], generator.get_weights()[0])
    discriminator.train_on_batch(rng.standard_normal((8, 3)), np.ones(8))
    assert not np.allclose(d_before[0], discriminator.get_weights()[0])  # its own training still updates it


def test_spatial_layers_and_time_distributed():
    L = keras.layers
    x = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)
    image = keras.Input((3, 4, 2))
    outputs = {"up": L.UpSampling2D((2, 3))(image), "pad": L.ZeroPadding2D(((1, 0), (2, 1)))(image),
               "crop": L.Cropping2D(((1, 0), (1, 2)))(image)}
    assert outputs["up"].shape.as_list() == [None, 6, 12, 2] and outputs["pad"].shape.as_list() == [None, 4, 7, 2]
    values = keras.backend.get_session().run(outputs, {image: x})
    np.testing.assert_array_equal(values["up"], x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(values["pad"], np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(values["crop"], x[:, 1:, 1:-2])
    steps = np.random.default_rng(0).standard_normal((3, 5, 4)).astype(np.float32)
    dense = L.Dense(2)
    model = keras.Sequential([L.TimeDistributed(dense, input_shape=(5, 4))])
    assert model.output_shape == (None, 5, 2) and model.layers[0].weights == dense.weights
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(model.predict(steps), steps @ kernel + bias, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="expected ndim=4"):
        L.UpSampling2D()(keras.Input((3, 4)))



def test_models_with_several_inputs_and_outputs():
    rng = np.random.default_rng(0)
    n = 64
    title, body = rng.standard_normal((n, 5)).astype(np.float32), rng.standard_normal((n, 3)).astype(np.float32)
    priority = (title[:, :1] + body[:, :1]).astype(np.float32)  # a regression target
    department = (title[:, 1] > 0).astype(np.int64)  # a class
    L = keras.layers
    title_in, body_in = keras.Input((5,), name="title"), keras.Input((3,), name="body")
    features = L.concatenate([L.Dense(8, activation="relu")(title_in), body_in])
    priority_out = L.Dense(1, name="priority")(features)
    department_out = L.Dense(2, activation="softmax", name="department")(features)
    model = keras.Model([title_in, body_in], [priority_out, department_out])
    assert model.input_names == ["title", "body"] and model.output_names == ["priority", "department"]
    assert model.output_shape == [(None, 1), (None, 2)]
    model.compile(keras.optimizers.Adam(0.01), loss_weights=[1.0, 0.5], metrics={"department": ["acc"]},
                  loss={"priority": "mse", "department": "sparse_categorical_crossentropy"})
    assert model.metrics_names == ["loss", "priority_loss", "department_loss", "department_acc"]
    loss, priority_loss, department_loss, accuracy = model.evaluate({"title": title, "body": body},
                                                                    [priority, department], verbose=0)
    p_priority, p_department = model.predict([title, body])
    assert p_priority.shape == (n, 1) and p_department.shape == (n, 2)
    assert priority_loss == pytest.approx(np.mean((p_priority - priority) ** 2), rel=1e-5)
    assert department_loss == pytest.approx(np.mean(-np.log(p_department[np.arange(n), department])), rel=1e-5)
    assert loss == pytest.approx(priority_loss + 0.5 * department_loss, rel=1e-5)
    assert accuracy == pytest.approx(np.mean(p_department.argmax(1) == department))
    history = model.fit([title, body], {"priority": priority, "department": department}, epochs=30, batch_size=16,
                        verbose=0, validation_split=0.25)
    assert sorted(history.history) == sorted(["loss", "priority_loss", "department_loss", "department_acc",
                                              "val_loss", "val_priority_loss", "val_department_loss",
                                              "val_department_acc"])
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    with pytest.raises(ValueError, match=r"No data provided for \['body'\]"):
        model.predict({"title": title})
    with pytest.raises(ValueError, match="the model has 2 inputs \\(title, body\\)"):
        model.predict(title)
    with pytest.raises(ValueError, match="Found \\[64, 64\\] input samples and \\[64, 63\\] target samples"):
        model.evaluate([title, body], [priority, department[:63]], verbose=0)
    with pytest.raises(ValueError, match="should have one entry per model output"):
        model.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match=r"Unknown entries in loss dictionary: \['prio'\]"):
        model.compile("sgd", loss={"prio": "mse", "department": "mse"})


def test_several_outputs_report_in_metrics_names_order_with_unique_names():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    inputs = keras.Input((4,), name="a")
    model = keras.Model(inputs, [keras.layers.Dense(1, name="reg")(inputs),
                                 keras.layers.Dense(2, activation="softmax", name="cls")(inputs)])
    model.compile("sgd", ["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["acc"]])
    assert model.metrics_names == ["loss", "reg_loss", "cls_loss", "reg_mean_absolute_error", "cls_acc"]
    scores = dict(zip(model.metrics_names, model.evaluate(x, [np.zeros(8), np.zeros(8)], verbose=0)))
    reg, cls = model.predict(x)
    assert scores["reg_loss"] == pytest.approx(np.mean(reg ** 2), rel=1e-5)
    assert scores["reg_mean_absolute_error"] == pytest.approx(np.mean(abs(reg)), rel=1e-5)
    assert scores["cls_acc"] == pytest.approx(np.mean(cls.argmax(1) == 0))
    shared = keras.layers.Dense(1, name="shared")
    b = keras.Input((4,), name="b")
    twice = keras.Model([inputs, b], [shared(inputs), shared(b)])
    twice.compile("sgd", "mse", metrics=["mse", "mean_squared_error"])
    assert twice.output_names == ["shared", "shared_1"]
    # ("mse" and "mean_squared_error" are one metric, reported once per output, as TF 1.15 does)
    assert len(twice.metrics_names) == len(twice.evaluate([x, x], [np.zeros(8), np.ones(8)], verbose=0)) == 5
    # weights per output, as TF 1.15 takes them: "shared_1", left out of the dict, weighs 1
    weights = np.arange(8, dtype=np.float32)
    first, second = twice.predict([x, x])
    scores = twice.evaluate([x, x], [np.zeros(8), np.ones(8)], sample_weight={"shared": weights}, verbose=0)
    assert scores[1] == pytest.approx(np.mean(weights * first[:, 0] ** 2), rel=1e-5)
    assert scores[2] == pytest.approx(np.mean((second[:, 0] - 1) ** 2), rel=1e-5)


def test_wrappers_and_models_as_layers_train_once_and_freeze():
    rng = np.random.default_rng(0)
    steps = rng.standard_normal((6, 5, 4)).astype(np.float32)
    inputs = keras.Input((5, 4))
    dense = keras.layers.Dense(2)
    wrapped = keras.layers.TimeDistributed(dense)
    model = keras.Model(inputs, wrapped(inputs))
    assert [layer.name for layer in model.layers[1:]] == [wrapped.name]  # the inner layer is the wrapper's
    assert len(model.trainable_weights) == 2 and model.count_params() == 10
    model.compile(keras.optimizers.SGD(0.1), "mse")
    kernel, bias = dense.get_weights()
    targets = np.zeros((6, 5, 2), np.float32)
    model.train_on_batch(steps, targets)
    residual = steps @ kernel + bias  # d mean(r²) / d kernel = 2 sum over steps of x r / size
    expected = kernel - 0.1 * 2 * np.einsum("btf,bto->fo", steps, residual) / residual.size
    np.testing.assert_allclose(dense.get_weights()[0], expected, rtol=1e-4, atol=1e-6)  # one step, not two
    wrapped.trainable = False
    assert model.trainable_weights == []
    base = keras.Sequential([keras.layers.Dense(3, input_shape=(4,))])
    base.trainable = False
    x = rng.standard_normal((8, 4)).astype(np.float32)
    outer_in = keras.Input((4,))
    outer = keras.Model(outer_in, keras.layers.Dense(1)(base(outer_in)))
    assert base in outer.layers and len(outer.trainable_weights) == 2
    frozen = base.get_weights()
    outer.compile("sgd", "mse")
    outer.fit(x, np.ones(8), verbose=0, epochs=2)
    for before, after in zip(frozen, base.get_weights()):
        np.testing.assert_array_equal(before, after)

    class Head(keras.Model):
        def __init__(self, base):
            super().__init__()
            self.base, self.top = base, keras.layers.Dense(1)

        def call(self, inputs, training=None):
            return self.top(self.base(inputs))

    held = Head(base)
    held.compile("sgd", "mse")
    held.fit(x, np.ones(8), verbose=0)
    assert held.layers[0] is base and len(held.trainable_weights) == 2
    np.testing.assert_array_equal(base.get_weights()[0], frozen[0])


def test_summary_of_a_layer_with_several_outputs_and_lr_from_anywhere(capsys):
    inputs = keras.Input((6, 3))
    output, h, c = keras.layers.LSTM(4, return_state=True, name="enc")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.concatenate([output, h, c])))
    model.summary()
    printed = capsys.readouterr().out
    assert "enc (LSTM)                      [(None, 4), (None, 4 128         input_1[0][0]" in printed  # cut to fit
    assert "enc[0][1]" in printed and "enc[0][2]" in printed  # concatenate takes enc's three outputs
    graph = tf.Graph()
    with graph.as_default():
        elsewhere = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
        elsewhere.compile(keras.optimizers.SGD(0.5), "mse")
    x = np.ones((4, 3), np.float32)
    keras.backend.set_value(elsewhere.optimizer.lr, 0.0)  # outside the model's graph: still its rate
    weights = elsewhere.get_weights()
    elsewhere.fit(x, np.ones(4), verbose=0)
    np.testing.assert_array_equal(elsewhere.get_weights()[0], weights[0])
    tf1 = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    tf1.compile(tf.train.GradientDescentOptimizer(0.1), "mse")
    with pytest.raises(ValueError, match='Optimizer must have a "lr" attribute'):
        tf1.fit(x, np.ones(4), verbose=0, callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch: 0.1)])
    merged = keras.layers.add([keras.Input((1,)), keras.Input((3,))])  # size 1 broadcasts
    assert merged.shape.as_list() == [None, 3]


def test_a_functional_model_called_on_new_tensors_shares_its_weights():
    np.random.seed(0)  # fit's shuffling
    tf.set_random_seed(0)  # initial weights, dropout masks
    rng = np.random.default_rng(0)
    x, other = (rng.standard_normal((8, 6)).astype(np.float32) for _ in range(2))
    images = keras.Input((6,))
    hidden = keras.layers.Dense(4, activation="relu")
    encoder = keras.Model(images, keras.layers.Dropout(0.5)(hidden(images)))
    sess = keras.backend.get_session()
    # an autoencoder on the encoder: the code is the encoder's, and training the whole moves the encoder's kernel
    inputs = keras.Input((6,))
    code = encoder(inputs)
    autoencoder = keras.Model(inputs, keras.layers.Dense(6)(code))
    np.testing.assert_allclose(sess.run(code, {inputs: x}), encoder.predict(x), rtol=1e-6)
    assert autoencoder.layers[1] is encoder and len(autoencoder.trainable_weights) == 4
    kernel = hidden.get_weights()[0]
    autoencoder.compile(keras.optimizers.SGD(0.1), "mse")
    autoencoder.train_on_batch(x, x)
    assert not np.allclose(hidden.get_weights()[0], kernel)
    # a siamese pair: one model on two inputs, its weights counted once; each side is the encoder's own answer
    left, right = keras.Input((6,)), keras.Input((6,))
    distance = keras.layers.Subtract()([encoder(left), encoder(right)])
    pair = keras.Model([left, right], distance)
    assert len(pair.trainable_weights) == 2
    np.testing.assert_allclose(pair.predict([x, other]), encoder.predict(x) - encoder.predict(other), rtol=1e-5,
                               atol=1e-6)
    # a model with two inputs and two outputs, called on a list, answers with a list
    a, b = keras.Input((6,)), keras.Input((6,))
    both = keras.Model([a, b], [hidden(a), keras.layers.Add()([hidden(a), hidden(b)])])
    first, total = both([left, right])
    np.testing.assert_allclose(sess.run(total, {left: x, right: other}),
                               sum(sess.run(hidden(t), {t: v}) for t, v in ((left, x), (right, other))), rtol=1e-5)
    assert sess.run(first, {left: x}).shape == (8, 4)
    # training= overrides the learning phase inside; a call given training=True when the model was built keeps it
    always = keras.Model(images, keras.layers.Dropout(0.5)(images, training=True))
    on, off, kept = encoder(inputs, training=True), encoder(inputs, training=False), always(inputs, training=False)
    ones = np.ones((200, 6), np.float32)
    assert (sess.run(on, {inputs: x}) != sess.run(on, {inputs: x})).any()
    np.testing.assert_allclose(sess.run(off, {inputs: x}), encoder.predict(x), rtol=1e-6)
    assert (sess.run(kept, {inputs: ones}) == 0).mean() == pytest.approx(0.5, abs=0.1)
    # what cannot be replayed, and a wrong number of inputs, are refused clearly
    shifted = keras.Model(images, hidden(images) + 1.0)
    with pytest.raises(NotImplementedError, match="plain .* op between layers.*Lambda"):
        shifted(inputs)
    with pytest.raises(ValueError, match="expects 2 input"):
        both(inputs)


def test_backend_updates_as_pairs_a_mean_of_booleans_and_callbacks_given_logs():
    K = keras.backend
    counter = K.variable(0.0)
    step = K.function([], [], updates=[(counter, counter + 1)])  # Keras' (variable, new value) form
    step([])
    step([])
    assert K.get_value(counter) == 2.0
    x = tf.placeholder(tf.float32, [None])
    assert K.get_session().run(K.mean(K.equal(x, 1.0)), {x: [1, 0, 1, 1]}) == 0.75  # the siamese example's accuracy
    seen = []
    hooks = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append(("begin", logs)),
                                           on_epoch_begin=lambda epoch, logs: seen.append((epoch, logs)),
                                           on_train_end=lambda logs: seen.append(("end", logs)))
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=0, callbacks=[hooks])
    assert seen == [("begin", None), (0, {}), (1, {}), ("end", None)]  # the Keras docs' one-argument lambdas


def test_gradient_clipping_options_and_initial_weights():
    w = tf.Variable([3.0, 4.0])
    loss = tf.reduce_sum(w * w)  # gradient 2w = [6, 8], norm 10
    for optimizer, expected in ((keras.optimizers.SGD(0.1, clipnorm=1.0), [3 - 0.06, 4 - 0.08]),
                                (keras.optimizers.Adam(0.1, clipvalue=0.5), [2.9, 3.9])):
        train = optimizer.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), expected, rtol=1e-5)
    # pretrained embeddings: weights=[matrix] are the first values; frozen, they stay
    table = np.arange(12, dtype=np.float32).reshape(6, 2)
    model = keras.Sequential([keras.layers.Embedding(6, 2, weights=[table], trainable=False, input_length=3),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.array([[1, 2, 3]] * 4), np.ones(4), verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], table)
    with pytest.raises(ValueError, match="expects 2 weights, but the given weights list has 1"):
        keras.layers.Dense(2, weights=[np.ones((3, 2))])(tf.placeholder(tf.float32, [None, 3]))


def test_fit_on_generators_and_sequences_takes_the_same_steps_as_on_arrays():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x.sum(1) > 0).astype(np.float32)

    def batches():
        while True:
            for start in range(0, 64, 16):
                yield x[start:start + 16], y[start:start + 16]

    class Batches(keras.utils.Sequence):
        ends = 0

        def __len__(self):
            return 4

        def __getitem__(self, index):
            return x[16 * index:16 * (index + 1)], y[16 * index:16 * (index + 1)]

        def on_epoch_end(self):
            Batches.ends += 1

    def model():
        tf.set_random_seed(0)
        built = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(4,))])
        built.compile(keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["acc"])
        return built

    on_arrays, on_generator, on_sequence = model(), model(), model()
    on_arrays.set_weights(on_generator.get_weights())
    on_sequence.set_weights(on_generator.get_weights())
    on_arrays.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    history = on_generator.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0,
                                         validation_data=batches(), validation_steps=2)
    on_sequence.fit(Batches(), epochs=2, shuffle=False, verbose=0)
    for other in (on_generator, on_sequence):
        for a, b in zip(on_arrays.get_weights(), other.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    assert Batches.ends == 2 and sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert on_generator.evaluate_generator(batches(), steps=4) == pytest.approx(on_arrays.evaluate(x, y, verbose=0))
    np.testing.assert_allclose(on_generator.predict_generator((b[0] for b in batches()), steps=4),
                               on_arrays.predict(x), rtol=1e-6)
    with pytest.raises(ValueError, match="steps_per_epoch.*must be given for a generator"):
        on_generator.fit(batches(), verbose=0)
    with pytest.raises(ValueError, match="the generator ran out"):
        on_generator.fit(iter([(x, y)]), steps_per_epoch=2, verbose=0)


def test_more_layers_against_numpy():
    np.random.seed(0)
    tf.set_random_seed(0)
    L = keras.layers
    rng = np.random.default_rng(0)
    vectors, steps = rng.standard_normal((2, 4)).astype(np.float32), rng.standard_normal((2, 5, 3)).astype(np.float32)
    x, s = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.float32, [None, 5, 3])
    prelu = L.PReLU(alpha_initializer=tf.constant_initializer(0.25))
    outs = {"repeat": L.RepeatVector(3)(x), "permute": L.Permute((2, 1))(s), "elu": L.ELU(0.5)(x),
            "prelu": prelu(s), "norm": L.LayerNormalization()(s), "pad": L.ZeroPadding1D((1, 2))(s),
            "crop": L.Cropping1D((1, 2))(s), "up": L.UpSampling1D(2)(s), "noise": L.GaussianNoise(0.5)(x),
            "drop": L.SpatialDropout1D(0.5)(s), "gdrop": L.GaussianDropout(0.3)(x)}
    sess = keras.backend.get_session()
    got = sess.run(outs, {x: vectors, s: steps})
    expected = {"repeat": np.repeat(vectors[:, None], 3, 1), "permute": steps.transpose(0, 2, 1),
                "elu": np.where(vectors > 0, vectors, 0.5 * (np.exp(vectors) - 1)),
                "prelu": np.where(steps > 0, steps, 0.25 * steps),
                "norm": (steps - steps.mean(-1, keepdims=True)) / np.sqrt(steps.var(-1, keepdims=True) + 1e-3),
                "pad": np.pad(steps, ((0, 0), (1, 2), (0, 0))), "crop": steps[:, 1:3], "up": np.repeat(steps, 2, 1),
                "noise": vectors, "drop": steps, "gdrop": vectors}  # the noisy layers are identities in inference
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-5, atol=1e-6, err_msg=name)
    assert prelu.weights[0].shape.as_list() == [5, 3] and got["repeat"].shape == (2, 3, 4)
    training = {keras.backend.learning_phase(): True}
    ones = np.ones((400, 5, 3), np.float32)
    dropped = sess.run(outs["drop"], {s: ones, **training})
    assert (dropped == dropped[:, :1]).all() and (dropped == 0).mean() == pytest.approx(0.5, abs=0.05)  # channels
    noisy = sess.run(outs["noise"], {x: np.zeros((2000, 4), np.float32), **training})
    assert noisy.std() == pytest.approx(0.5, rel=0.05)
    scaled = sess.run(outs["gdrop"], {x: np.ones((2000, 4), np.float32), **training})
    assert scaled.mean() == pytest.approx(1, abs=0.03) and scaled.std() == pytest.approx((0.3 / 0.7) ** 0.5, rel=0.05)
    with pytest.raises(ValueError, match="Invalid permutation"):
        L.Permute((1, 1))(s)


def test_a_vae_trains_on_add_loss_without_targets():
    """keras/examples' VAE: a sampling Lambda drawing K.random_normal, the encoder's third output into the
    decoder, the whole loss given to add_loss, compile with no loss, fit with no targets."""
    np.random.seed(0)
    tf.set_random_seed(0)
    K, L = keras.backend, keras.layers
    inputs = keras.Input((8,))
    hidden = L.Dense(16, activation="relu")(inputs)
    z_mean, z_log_var = L.Dense(2)(hidden), L.Dense(2)(hidden)

    def sampling(args):
        mean, log_var = args
        return mean + K.exp(0.5 * log_var) * K.random_normal(shape=(K.shape(mean)[0], K.int_shape(mean)[1]))
    z = L.Lambda(sampling)([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z])
    latent = keras.Input((2,))
    decoder = keras.Model(latent, L.Dense(8, activation="sigmoid")(L.Dense(16, activation="relu")(latent)))
    outputs = decoder(encoder(inputs)[2])
    vae = keras.Model(inputs, outputs)
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    vae_loss = K.mean(keras.losses.mse(inputs, outputs) * 8 + kl)
    vae.add_loss(vae_loss)
    vae.compile(optimizer=keras.optimizers.Adam(0.01))
    x = (np.random.rand(256, 8) > 0.5).astype(np.float32)
    history = vae.fit(x, epochs=8, batch_size=32, verbose=0, validation_data=(x[:64], None))
    assert sorted(history.history) == ["loss", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert vae.predict(x[:3]).shape == (3, 8) and np.isfinite(vae.evaluate(x, verbose=0))
    # a layer of one's own adds its loss in call; a model with no loss at all cannot train
    class Penalized(L.Layer):
        def call(self, inputs):
            self.add_loss(0.5 * K.sum(K.square(inputs)))
            return inputs
    plain = keras.Input((2,))
    model = keras.Model(plain, Penalized()(L.Dense(2, kernel_initializer="ones", use_bias=False)(plain)))
    model.compile("sgd", "mse")
    ones = np.ones((1, 2), np.float32)
    assert model.evaluate(ones, np.zeros((1, 2)), verbose=0) == pytest.approx(4 + 0.5 * 8)  # mse 4, penalty 4
    lossless = keras.Model(plain, L.Dense(1)(plain))
    lossless.compile("sgd")
    with pytest.raises(ValueError, match="no loss to optimize"):
        lossless.fit(ones, verbose=0)


def test_layers_give_their_configuration_and_are_made_again_from_it():
    dense = keras.layers.Dense(3, activation="relu", name="scores", input_shape=(4,))
    config = dense.get_config()
    assert config["units"] == 3 and config["name"] == "scores" and config["batch_input_shape"] == (None, 4)
    again = keras.layers.Dense.from_config(dict(config, name="scores_again"))
    assert (again.units, again.name, again.batch_input_shape) == (3, "scores_again", (None, 4))

    class Scale(keras.layers.Layer):  # the custom-layer recipe: super().get_config() plus its own
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            config = super().get_config()
            config.update(factor=self.factor)
            return config
    scale = Scale.from_config(Scale(3.0, name="triple").get_config())
    assert scale.factor == 3.0 and scale.name == "triple"


def test_a_causal_convolution_sees_only_the_past():
    x = tf.placeholder(tf.float32, [None, 6, 1])
    conv = keras.layers.Conv1D(1, 3, padding="causal", dilation_rate=2, kernel_initializer="ones", use_bias=False)
    y = conv(x)
    assert y.shape.as_list() == [None, 6, 1]
    values = np.arange(1, 7, dtype=np.float32).reshape(1, 6, 1)
    # output t = x[t] + x[t-2] + x[t-4], zeros before the start
    np.testing.assert_array_equal(keras.backend.get_session().run(y, {x: values})[0, :, 0], [1, 2, 4, 6, 9, 12])


def test_a_sequential_input_is_named_after_its_first_layer_and_h5_checkpoints_are_refused_at_once():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="scores")])
    assert model.input_names == ["scores_input"]
    assert model.predict({"scores_input": np.ones((1, 3), np.float32)}).shape == (1, 2)
    with pytest.raises(NotImplementedError, match="HDF5 files need h5py"):
        keras.callbacks.ModelCheckpoint("weights.h5", save_weights_only=True)


def test_more_backend_functions():
    K = keras.backend
    rng = np.random.default_rng(0)
    a, b, v = rng.random((2, 3, 4)), rng.random((2, 4, 5)), rng.random((2, 4))
    np.testing.assert_allclose(K.eval(K.batch_dot(K.constant(a), K.constant(b))), a @ b, rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.batch_dot(K.constant(v), K.constant(v))), (v * v).sum(1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.batch_dot(K.constant(a), K.constant(v), axes=(2, 1))),
                               np.einsum("bij,bj->bi", a, v), rtol=1e-5)
    np.testing.assert_array_equal(K.eval(K.repeat_elements(K.constant([[1.0, 2.0]]), 2, 1)), [[1, 1, 2, 2]])
    assert K.int_shape(K.repeat_elements(K.placeholder((None, 2)), 3, 1)) == (None, 6)
    assert K.eval(K.repeat(K.constant([[1.0, 2.0]]), 3)).shape == (1, 3, 2)
    x = K.placeholder((None, 2))
    doubled_in_training = K.in_train_phase(x * 2, x)
    session = K.get_session()
    assert session.run(doubled_in_training, {x: [[1, 1]], K.learning_phase(): True}).tolist() == [[2, 2]]
    assert session.run(doubled_in_training, {x: [[1, 1]]}).tolist() == [[1, 1]]
    counter = K.variable(1.0)
    K.get_session().run(K.update_add(counter, 2.0))
    assert K.get_value(counter) == 3.0
    assert K.eval(K.cumprod(K.constant([1.0, 2.0, 3.0]))).tolist() == [1, 2, 6]
    assert K.eval(K.reverse(K.constant([1.0, 2.0]), 0)).tolist() == [2, 1] and K.eval(K.eye(2)).tolist() == [[1, 0],
                                                                                                             [0, 1]]
    assert K.is_keras_tensor(keras.Input((2,))) and not K.is_keras_tensor(tf.constant(1.0))
    assert K.eval(K.truncated_normal((2, 3))).shape == (2, 3) and K.eval(K.softsign(K.constant(1.0))) == 0.5


def test_a_sequence_tagger_weighs_its_loss_and_metrics_by_the_mask():
    """Embedding(mask_zero=True) -> LSTM(return_sequences) -> TimeDistributed(Dense): padded steps count 0 in the
    loss (whose mean still counts every step, TF 1's "sum over batch size") and are left out of the metrics."""
    np.random.seed(0)
    tf.set_random_seed(0)
    L = keras.layers
    rng = np.random.default_rng(0)
    ids = keras.Input((None,), dtype="int32")
    steps = L.LSTM(8, return_sequences=True)(L.Embedding(10, 4, mask_zero=True)(ids))
    model = keras.Model(ids, L.TimeDistributed(L.Dense(3, activation="softmax"))(steps))
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy", metrics=["acc"])
    x = rng.integers(1, 10, (32, 6))
    x[:, :2] = 0  # pre-padded
    y = (x % 3)[..., None]
    real = (x != 0).astype(np.float64)
    probabilities = model.predict(x).astype(np.float64)
    picked = np.take_along_axis(probabilities, y, -1)[..., 0]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(np.sum(-np.log(picked) * real) / real.size, rel=1e-4)
    assert accuracy == pytest.approx(np.sum((probabilities.argmax(-1) == y[..., 0]) * real) / real.sum(), rel=1e-5)
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0] and history.history["acc"][-1] > 0.95


def test_top_k_accuracies():
    K, M = keras.backend, keras.metrics
    scores = K.constant([[0.1, 0.5, 0.4], [0.6, 0.3, 0.1]])
    assert K.eval(M.top_k_categorical_accuracy(K.constant([[0, 0, 1], [0, 0, 1]]), scores, k=2)).tolist() == [1, 0]
    assert K.eval(M.sparse_top_k_categorical_accuracy(K.constant([2, 1]), scores, k=2)).tolist() == [1, 1]
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["sparse_top_k_categorical_accuracy"])
    history = model.fit(np.ones((4, 2)), np.array([0, 1, 2, 1]), verbose=0)
    assert history.history["sparse_top_k_categorical_accuracy"] == [1.0]  # 3 classes: all in the top 5


def test_the_dot_layer_scores_attention_and_cosine_similarity():
    K, L = keras.backend, keras.layers
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 4)), rng.random((2, 4))
    queries, keys = rng.random((2, 3, 5)), rng.random((2, 6, 5))
    np.testing.assert_allclose(K.eval(L.Dot(1)([K.constant(a), K.constant(b)])), (a * b).sum(1, keepdims=True),
                               rtol=1e-5)
    cosine = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(K.eval(L.Dot(1, normalize=True)([K.constant(a), K.constant(b)]))[:, 0], cosine,
                               rtol=1e-5)
    np.testing.assert_allclose(K.eval(L.Dot((2, 2))([K.constant(queries), K.constant(keys)])),
                               queries @ keys.transpose(0, 2, 1), rtol=1e-5)  # attention scores (batch, 3, 6)


def test_weight_constraints_after_each_update():
    rng = np.random.default_rng(0)
    C = keras.constraints
    model = keras.Sequential([keras.layers.Dense(4, input_shape=(3,), kernel_constraint=C.max_norm(0.5),
                                                 bias_constraint="non_neg")])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    model.fit(rng.random((16, 3)) * 10, rng.random((16, 4)) * 10 - 20, verbose=0, epochs=3)
    kernel, bias = model.get_weights()
    assert np.linalg.norm(kernel, axis=0).max() <= 0.5 + 1e-6 and (bias >= 0).all()
    w = tf.constant([[3.0, 0.0], [4.0, 0.1]])
    K = keras.backend
    np.testing.assert_allclose(K.eval(C.UnitNorm()(w)), [[0.6, 0], [0.8, 1]], rtol=1e-5)
    np.testing.assert_allclose(K.eval(C.MaxNorm(2.0)(w)), [[1.2, 0], [1.6, 0.1]], rtol=1e-5)
    np.testing.assert_allclose(K.eval(C.MinMaxNorm(1.0, 2.0)(w)), [[1.2, 0], [1.6, 1]], rtol=1e-5)
    np.testing.assert_array_equal(K.eval(C.NonNeg()(tf.constant([-1.0, 2.0]))), [0, 2])
    with pytest.raises(ValueError, match="Unknown constraint"):
        C.get("max_normal")


def test_datasets_of_named_inputs_feed_a_model_with_several_inputs():
    feats, other = keras.Input((3,), name="feats"), keras.Input((2,), name="other")
    model = keras.Model([feats, other], keras.layers.Dense(1, name="score")(keras.layers.concatenate([feats, other])))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    x = {"feats": rng.random((16, 3)).astype(np.float32), "other": rng.random((16, 2)).astype(np.float32)}
    y = rng.random(16).astype(np.float32)
    batches = tf.data.Dataset.from_tensor_slices((x, {"score": y})).batch(4)
    assert model.evaluate(batches, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    np.testing.assert_allclose(model.predict(tf.data.Dataset.from_tensor_slices(x).batch(4)), model.predict(x),
                               rtol=1e-6)
    history = model.fit(batches, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("x_shape, y_shape, expected", [
    ((2, 3), (4, 3, 5), (2, 4, 5)), ((2, 3), (2, 3, 5), (2, 2, 5)), ((3, 4, 5), (3, 5, 6), (3, 4, 3, 6)),
    ((2, 3, 4), (6, 4, 5), (2, 3, 6, 5)), ((2, 3), (3, 4), (2, 4)),
])
def test_backend_dot_sums_the_last_axis_against_ys_second_to_last(x_shape, y_shape, expected):
    """Keras' K.dot (its docs: (2, 3)·(4, 3, 5) -> (2, 4, 5)), not matmul's batched product (minidl's was)."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(x_shape).astype("f"), rng.standard_normal(y_shape).astype("f")
    with tf.Session() as sess:
        out = sess.run(tf.keras.backend.dot(tf.constant(x), tf.constant(y)))
    reference = np.tensordot(x, np.moveaxis(y, -2, 0), axes=([-1], [0]))
    assert out.shape == expected and np.allclose(out, reference, atol=1e-5)


def test_relu_and_elu_take_keras_arguments():
    x = tf.constant([-2.0, -0.5, 0.0, 0.5, 3.0, 8.0])
    K = tf.keras.backend
    with tf.Session() as sess:
        assert np.allclose(sess.run(K.relu(x, 0.1)), [-0.2, -0.05, 0.0, 0.5, 3.0, 8.0])
        assert np.allclose(sess.run(K.relu(x, max_value=6.0)), [0.0, 0.0, 0.0, 0.5, 3.0, 6.0])
        assert np.allclose(sess.run(K.relu(x, 0.1, 6.0, 1.0)), [-0.3, -0.15, -0.1, -0.05, 3.0, 6.0])
        assert np.allclose(sess.run(tf.keras.activations.relu(x, alpha=0.2, max_value=6.0)),
                           [-0.4, -0.1, 0.0, 0.5, 3.0, 6.0])
        assert np.allclose(sess.run(tf.keras.activations.elu(x, alpha=2.0))[:2], 2.0 * np.expm1([-2.0, -0.5]))


def test_keras_losses_take_lists_and_arrays_as_tfs_do():
    losses = tf.keras.losses
    with tf.Session() as sess:
        assert sess.run(losses.MeanSquaredError()([0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0])) == 0.75  # TF's docs
        assert np.allclose(sess.run(losses.categorical_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.3, 0.7]]))),
                           [-np.log(0.7)])
        assert np.allclose(sess.run(tf.keras.backend.sparse_categorical_crossentropy(
            np.array([1]), np.array([[0.3, 0.7]], "f"), from_logits=True)), [np.log1p(np.exp(-0.4))])
        assert np.isclose(sess.run(losses.BinaryCrossentropy()([0.0, 1.0], [0.2, 0.9])),
                          -(np.log(0.8) + np.log(0.9)) / 2, rtol=1e-5)
