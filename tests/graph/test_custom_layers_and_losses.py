"""Layers of one's own (``tf.layers.Layer``, ``tf.keras.layers.Layer``) and Keras ``Loss`` objects as TF 1.15 has
them: a layer's sub-layers are part of it (weights, training, losses, updates), ``add_weight``'s constraint is
applied after each step, a [batch, 1] sample weight weighs each sample, a ``Loss`` honours its ``reduction``. The
expected numbers are worked by hand (or in numpy) in the comments."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

keras = tf.keras
K = keras.backend


def op_names(variables):
    return [v.op.name for v in variables]


# --------------------------------------------------------------------------------- sub-layers are tracked

class Block(keras.layers.Layer):
    """Own weights, then layers held directly, in a list and in a dict."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(3, name="first")
        self.heads = [keras.layers.Dense(2, name="head_a"), keras.layers.Dense(2, name="head_b")]
        self.extra = {"gate": keras.layers.Dense(2, use_bias=False, name="gate")}

    def build(self, input_shape):
        self.scale = self.add_weight("scale", [1], initializer="ones")
        self.count = self.add_weight("count", [], initializer="zeros", trainable=False)

    def call(self, inputs):
        hidden = self.first(inputs)
        return self.scale * self.heads[0](hidden) + self.heads[1](hidden) + self.extra["gate"](hidden)


def test_a_keras_layer_holds_its_sub_layers_weights_in_tf_order():
    block = Block(name="block")
    block(tf.placeholder(tf.float32, [None, 4]))
    # TF 1.15: trainable_weights + non_trainable_weights, each its own first, then the held layers' in the order
    # the attributes were set
    trainable = ["block/scale", "block/first/kernel", "block/first/bias", "block/head_a/kernel", "block/head_a/bias",
                 "block/head_b/kernel", "block/head_b/bias", "block/gate/kernel"]
    assert op_names(block.trainable_weights) == trainable
    assert op_names(block.non_trainable_weights) == ["block/count"]
    assert op_names(block.weights) == trainable + ["block/count"]
    # scale 1 + count 1 + first 4*3+3 + two heads 3*2+2 each + gate 3*2
    assert block.count_params() == 1 + 1 + 15 + 8 + 8 + 6
    block.trainable = False  # freezes what it holds too: all its weights, the own ones first
    assert block.trainable_weights == []
    assert op_names(block.non_trainable_weights) == ["block/scale", "block/count"] + trainable[1:]
    with tf.Session().as_default() as sess:
        sess.run(tf.global_variables_initializer())
        values = block.get_weights()
        assert len(values) == 9
        block.set_weights([np.full(v.shape, 0.5, np.float32) for v in values])
        np.testing.assert_array_equal(sess.run(block.heads[1].kernel), np.full((3, 2), 0.5))


class Scaled(keras.layers.Layer):
    """``scale * dense(x)``: a weight of its own and a held Dense (kernel ones, bias zeros)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1, kernel_initializer="ones")

    def build(self, input_shape):
        self.scale = self.add_weight("scale", [1], initializer="ones")

    def call(self, inputs):
        return self.scale * self.dense(inputs)


class ScaledNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.scaled = Scaled()

    def call(self, inputs):
        return self.scaled(inputs)


def _functional():
    inputs = keras.Input((2,))
    return keras.Model(inputs, Scaled()(inputs))


@pytest.mark.parametrize("make", [_functional, ScaledNet], ids=["functional", "subclassed"])
def test_a_model_trains_the_layers_a_layer_holds(make):
    model = make()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    x, y = np.array([[1, 2], [3, 4]], np.float32), np.array([[1], [2]], np.float32)
    model.train_on_batch(x, y)
    # pred = s (x w + b) = [3, 7]; r = pred - y = [2, 5]; dL/dpred = 2 r / 2 = [2, 5]
    # dL/dw = x^T [2, 5] = [17, 24]; dL/db = 7; dL/ds = 2*3 + 5*7 = 41; SGD 0.1
    scaled = model.scaled if isinstance(model, ScaledNet) else model.layers[1]
    assert len(model.trainable_weights) == 3
    kernel, bias = scaled.dense.get_weights()
    np.testing.assert_allclose(kernel, [[1 - 1.7], [1 - 2.4]], rtol=1e-6)
    np.testing.assert_allclose(bias, [-0.7], rtol=1e-6)
    np.testing.assert_allclose(scaled.get_weights()[0], [1 - 4.1], rtol=1e-6)


def test_a_keras_model_trains_the_tf_layers_layers_it_holds():
    """TF 1.15's tf.layers layers are Keras layers, so a subclassed Keras model tracks them."""
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.layers.Dense(1, kernel_initializer=tf.ones_initializer())

        def call(self, inputs):
            return self.hidden(inputs)

    model = Net()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    x, y = np.array([[1, 2], [3, 4]], np.float32), np.array([[1], [2]], np.float32)
    model.train_on_batch(x, y)
    # pred = x [1, 1] = [3, 7]; dL/dpred = 2 (pred - y) / 2 = [2, 5]; dL/dw = x^T [2, 5] = [17, 24]; dL/db = 7
    assert [v.op.name for v in model.trainable_weights] == ["dense/kernel", "dense/bias"]
    kernel, bias = model.hidden.get_weights()
    np.testing.assert_allclose(kernel, [[1 - 1.7], [1 - 2.4]], rtol=1e-6)
    np.testing.assert_allclose(bias, [-0.7], rtol=1e-6)


def test_a_tf_layers_layer_holds_its_sub_layers():
    class Scale(tf.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = tf.layers.Dense(1, kernel_initializer=tf.ones_initializer())

        def build(self, input_shape):
            self.scale = self.add_weight("scale", [1], initializer=tf.ones_initializer())

        def call(self, inputs):
            return self.scale * self.dense(inputs)

    layer = Scale()
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    loss = tf.reduce_mean(tf.square(layer(x) - tf.constant([[1.0], [2.0]])))
    assert op_names(layer.trainable_variables) == ["scale/scale", "scale/dense/kernel", "scale/dense/bias"]
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=layer.trainable_variables)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        kernel = sess.run(layer.dense.kernel)
    np.testing.assert_allclose(kernel, [[-0.7], [-1.4]], rtol=1e-6)  # (the numbers of the Keras test above)
    assert layer.count_params() == 1 + 2 + 1


class Penalized(keras.layers.Layer):
    """Adds 0.5 sum(x²) of its inputs as a loss, and counts the samples it saw in an update."""

    def build(self, input_shape):
        self.seen = self.add_weight("seen", [], initializer="zeros", trainable=False)

    def call(self, inputs):
        self.add_loss(0.5 * K.sum(K.square(inputs)))
        self.add_update(self.seen.assign_add(tf.cast(tf.shape(inputs)[0], tf.float32)))
        return inputs


class Outer(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False, kernel_regularizer="l2")
        self.inner = Penalized()

    def call(self, inputs):
        return self.inner(self.dense(inputs))


def test_losses_and_updates_of_held_layers_count_once():
    inputs = keras.Input((2,))
    outer = Outer()
    model = keras.Model(inputs, outer(inputs))
    assert [layer.name for layer in model.layers] == [model.layers[0].name, outer.name]  # not its sub-layers
    assert len(outer.losses) == 2 and len(model.losses) == 2  # the kernel's l2, the inner add_loss: once each
    assert len(outer.updates) == 1 and tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []  # (Keras': no collection)
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x, y = np.array([[1, 2], [3, 4], [1, 1]], np.float32), np.zeros((3, 1), np.float32)
    # out = [3, 7, 2]: mse (9 + 49 + 4) / 3; + 0.5 sum(out²) = 31; + l2 0.01 * (1 + 1)
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx(62 / 3 + 31 + 0.02, rel=1e-6)
    model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert K.get_value(outer.inner.seen) == 3  # the held layer's update ran at each step: 2 + 1 samples


def test_held_batch_normalization_updates_train_and_keras_layers_hold_models():
    class Normalized(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.norm = keras.layers.BatchNormalization()
            self.head = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones")])

        def call(self, inputs):
            return self.head(self.norm(inputs))

    inputs = keras.Input((2,))
    layer = Normalized()
    model = keras.Model(inputs, layer(inputs))
    assert len(layer.updates) == 2 and len(model.updates) == 2  # the moving mean and variance
    assert len(layer.weights) == 4 + 2  # gamma, beta, moving mean and variance; the Sequential's kernel, bias
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x = np.array([[1, 2], [3, 6]], np.float32)
    model.train_on_batch(x, np.zeros((2, 1), np.float32))
    np.testing.assert_allclose(K.get_value(layer.norm.moving_mean), 0.01 * x.mean(axis=0), rtol=1e-6)


# ---------------------------------------------------------------------------------------- constraints

def test_add_weight_keeps_its_constraint_and_optimizers_apply_it():
    non_negative = lambda w: tf.maximum(w, 0.0)  # noqa: E731

    class Shift(tf.layers.Layer):
        def build(self, input_shape):
            self.shift = self.add_weight("shift", [3], initializer=tf.constant_initializer([1.0, -2.0, 3.0]),
                                         constraint=non_negative)

        def call(self, inputs):
            return inputs + self.shift

    layer = Shift()
    loss = tf.reduce_sum(layer(tf.zeros([3])))
    assert layer.shift.constraint is non_negative
    step = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    shift = run([step, layer.shift], initialize_variables=True)[1]
    # the step gives [1, -2, 3] - 1 = [0, -3, 2], then max(., 0)
    np.testing.assert_array_equal(shift, [0.0, 0.0, 2.0])


def test_a_variable_scopes_constraint_is_its_variables_default():
    clipped = lambda w: tf.clip_by_value(w, -1.0, 1.0)  # noqa: E731
    with tf.variable_scope("outer", constraint=clipped):
        with tf.variable_scope("inner"):
            inherited = tf.get_variable("w", initializer=tf.constant([0.5, -0.5]))
        own = tf.get_variable("v", initializer=tf.constant([0.5, -0.5]), constraint=tf.abs)
    assert inherited.constraint is clipped and own.constraint is tf.abs
    step = tf.train.GradientDescentOptimizer(1.0).minimize(tf.reduce_sum(inherited * [2.0, -2.0] + own))
    # w: [0.5, -0.5] - [2, -2] = [-1.5, 1.5], clipped to [-1, 1]; v: [0.5, -0.5] - 1 = [-0.5, -1.5], then |.|
    values = run([step, inherited, own], initialize_variables=True)[1:]
    np.testing.assert_array_equal(values[0], [-1.0, 1.0])
    np.testing.assert_array_equal(values[1], [0.5, 1.5])


def test_a_keras_layers_constraint_applies_after_each_fit_step():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [2], initializer="ones", constraint="non_neg")

        def call(self, inputs):
            return inputs * self.w

    layer = Scale(input_shape=(2,))
    model = keras.Sequential([layer])
    model.compile(keras.optimizers.SGD(1.0), lambda y_true, y_pred: K.sum(y_pred, axis=-1))
    model.train_on_batch(np.array([[2.0, -1.0]], np.float32), np.zeros((1, 2), np.float32))
    # loss = 2 w0 - w1: w = [1, 1] - [2, -1] = [-1, 2], constrained to [0, 2]
    np.testing.assert_array_equal(layer.get_weights()[0], [0.0, 2.0])


# ---------------------------------------------------------------------------------------- Loss objects

_Y_PRED = np.array([[1, 1], [2, 2], [3, 3]], np.float32)  # against zeros: mse per sample [1, 4, 9]


def test_a_batch_by_one_sample_weight_weighs_each_sample():
    mse = keras.losses.MeanSquaredError()
    loss = mse(np.zeros((3, 2), np.float32), _Y_PRED, sample_weight=np.array([[1], [0], [2]], np.float32))
    assert run(loss) == pytest.approx((1 + 0 + 18) / 3)  # not the mean of a [3, 3] outer product

    class StepSquares(keras.losses.Loss):  # a loss per time step: [batch, steps]
        def call(self, y_true, y_pred):
            return tf.square(y_pred - y_true)

    steps = StepSquares()(np.zeros((2, 2), np.float32), np.array([[1, 2], [3, 4]], np.float32),
                          sample_weight=np.array([1.0, 0.5], np.float32))
    assert run(steps) == pytest.approx((1 + 4 + 0.5 * (9 + 16)) / 4)  # each sample's weight on each of its steps


@pytest.mark.parametrize("reduction, expected", [
    ("sum", 19.0), ("sum_over_batch_size", 19 / 3), ("auto", 19 / 3), ("none", [1.0, 0.0, 18.0])])
def test_a_loss_honours_its_reduction(reduction, expected):
    mse = keras.losses.MeanSquaredError(reduction=reduction)
    loss = mse(np.zeros((3, 2), np.float32), _Y_PRED, sample_weight=np.array([1, 0, 2], np.float32))
    np.testing.assert_allclose(run(loss), expected, rtol=1e-6)


def test_losses_give_their_config_and_a_subclass_needs_no_name():
    assert keras.losses.Reduction.SUM == "sum" and keras.losses.Reduction.AUTO == "auto"
    assert keras.losses.MeanSquaredError(reduction="sum").get_config() == {"reduction": "sum",
                                                                          "name": "mean_squared_error"}
    huber = keras.losses.Huber.from_config(keras.losses.Huber(2.0, name="robust").get_config())
    assert huber.get_config() == {"reduction": "auto", "name": "robust", "delta": 2.0}
    assert keras.losses.CosineSimilarity().name == "cosine_similarity"
    with pytest.raises(ValueError, match="Invalid Reduction Key 'mean'"):
        keras.losses.MeanSquaredError(reduction="mean")

    class Doubled(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * keras.losses.mean_squared_error(y_true, y_pred)

    doubled = Doubled(reduction=keras.losses.Reduction.SUM)
    assert doubled.name is None and doubled.get_config() == {"reduction": "sum", "name": None}  # (TF's: None)
    assert run(doubled(np.zeros((3, 2), np.float32), _Y_PRED)) == pytest.approx(2 * 14)
    with pytest.raises(NotImplementedError, match="must define call"):
        keras.losses.Loss()(np.zeros(2), np.ones(2))


def test_fit_honours_a_loss_objects_reduction():
    model = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones", use_bias=False, input_shape=(2,))])
    model.compile("sgd", keras.losses.MeanSquaredError(reduction="sum"))
    x = np.array([[1, 2], [3, 4]], np.float32)
    assert model.evaluate(x, np.zeros((2, 1)), batch_size=2, verbose=0) == pytest.approx(9 + 49)  # not the mean
    with pytest.raises(NotImplementedError, match="reduction NONE"):
        model.compile("sgd", keras.losses.MeanSquaredError(reduction="none"))


# ------------------------------------------------------------------------------------- more Layer API

def test_a_tf_layers_layer_adds_losses_and_updates_to_the_collections():
    class Counter(tf.layers.Layer):
        def build(self, input_shape):
            self.seen = self.add_weight("seen", [], initializer=tf.zeros_initializer(), trainable=False)

        def call(self, inputs):
            self.add_update(self.seen.assign_add(tf.cast(tf.shape(inputs)[0], tf.float32)))
            self.add_loss(tf.reduce_sum(inputs))
            return inputs

    layer = Counter()
    layer(tf.ones([3, 2]))
    assert layer.updates == tf.get_collection(tf.GraphKeys.UPDATE_OPS) and len(layer.updates) == 1
    assert layer.losses == tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) and len(layer.losses) == 1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(layer.updates)
        sess.run(layer.updates)
        assert sess.run(layer.seen) == 6 and sess.run(tf.losses.get_regularization_loss()) == 6


def test_compute_output_shape_of_built_in_layers_and_of_ones_own():
    assert tf.layers.Dense(4).compute_output_shape([None, 3]).as_list() == [None, 4]
    conv = keras.layers.Conv2D(8, 3)
    assert conv.compute_output_shape((None, 10, 10, 1)).as_list() == [None, 8, 8, 8]
    assert tf.global_variables() == [] and not conv.built  # (worked out in a scratch graph)

    class Plain(keras.layers.Layer):
        def call(self, inputs):
            return inputs

    with pytest.raises(NotImplementedError, match="must define compute_output_shape"):
        Plain().compute_output_shape((None, 3))


def test_a_layers_dtype_is_its_weights_default_dtype():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [input_shape[-1]], initializer="ones")

        def call(self, inputs):
            return inputs * self.w

    layer = Scale(dtype="float64")
    y = layer(tf.constant([[1.5, 2.5]], tf.float64))
    assert layer.dtype == "float64" and layer.w.dtype == tf.float64
    np.testing.assert_array_equal(run(y, initialize_variables=True), [[1.5, 2.5]])

    class Affine(tf.layers.Layer):  # no dtype: the first inputs', as TF 1.15
        def build(self, input_shape):
            self.w = self.add_weight("w", [int(input_shape[-1]), 1], initializer=tf.ones_initializer())

        def call(self, inputs):
            return tf.matmul(inputs, self.w)

    affine = Affine()
    assert affine.dtype is None
    z = affine(tf.constant([[1.0, 2.0]], tf.float64))
    assert affine.dtype == "float64" and affine.w.dtype == tf.float64
    np.testing.assert_array_equal(run(z, initialize_variables=True), [[3.0]])
