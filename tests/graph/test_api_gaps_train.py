"""TF1 training utilities added by the compatibility sweep: the old variable helpers and initialized_value,
get_variable with an int shape, variable_scope regularizers, the learning-rate schedules, AdadeltaOptimizer,
ExponentialMovingAverage, write_graph, global_step and tf.metrics — values against numpy, TF's names and errors."""
import math
import os

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

RNG = np.random.default_rng(2)


# ================================================================================================ variables

def test_old_variable_helpers():
    v = tf.Variable(1.0, name="v")
    local = tf.Variable(2.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    model = tf.get_variable("m", [2], collections=[tf.GraphKeys.MODEL_VARIABLES, tf.GraphKeys.GLOBAL_VARIABLES])
    assert tf.all_variables() == tf.global_variables() == [v, model]
    assert tf.model_variables() == [model] and tf.moving_average_variables() == []
    with tf.Session() as sess:
        sess.run(tf.initialize_variables([v]))
        sess.run(tf.initialize_local_variables())
        assert sess.run([v, local]) == [1.0, 2.0]
        assert not sess.run(tf.is_variable_initialized(model))


def test_initialized_value_lets_one_variable_start_from_another():
    w = tf.Variable(tf.random_normal([3], seed=1), name="w")
    twice = tf.Variable(w.initialized_value() * 2.0, name="twice")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())  # one run: both from the same draw, in any order
        w_value, twice_value = sess.run([w, twice])
        np.testing.assert_allclose(twice_value, 2 * w_value)
        sess.run(w.assign([1.0, 2.0, 3.0]))
        sess.run(twice.initializer)  # w has a value now: it is read
        assert sess.run(twice).tolist() == [2.0, 4.0, 6.0]


def test_variable_keeps_tf1_argument_order_and_accepts_expected_shape():
    v = tf.Variable([1.0, 2.0], True, None, True, None, "positional", expected_shape=[2])
    assert v.op.name == "positional" and v.trainable and v.shape == (2,)
    with pytest.raises(ValueError, match="must be a callable"):
        tf.Variable(1.0, constraint=0.5)


def test_a_constraint_is_applied_after_each_optimizer_update():
    """As TF: the variable's constraint is put into it right after the optimizer's update (projected descent)."""
    v = tf.get_variable("v", [2], initializer=tf.constant_initializer(5.0),
                        constraint=lambda t: tf.clip_by_value(t, 0.0, 1.0))
    dense = tf.layers.Dense(2, kernel_constraint=lambda k: k / tf.norm(k, axis=0, keepdims=True))
    x = tf.constant([[1.0, 2.0]])
    loss = tf.reduce_sum(v * [1.0, -1.0]) + tf.reduce_sum(dense(x) ** 2)
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(v).tolist() == [5.0, 5.0]  # (the initial value is not constrained)
        sess.run(train)
        np.testing.assert_allclose(sess.run(v), [1.0, 1.0])
        np.testing.assert_allclose(np.linalg.norm(sess.run(dense.kernel), axis=0), [1.0, 1.0], rtol=1e-6)


def test_get_variable_with_an_int_shape():
    v = tf.get_variable("v", 3)
    assert v.shape == (3,) and v.op.name == "v"
    assert tf.get_variable("z", 2, initializer=tf.zeros_initializer()).shape.as_list() == [2]


def test_variable_scope_regularizer_is_inherited_and_overridable():
    def penalty(scale):
        return lambda w: tf.reduce_sum(w) * scale

    with tf.variable_scope("net", regularizer=penalty(10.0)) as scope:
        a = tf.get_variable("a", [2], initializer=tf.ones_initializer())
        with tf.variable_scope("inner"):
            b = tf.get_variable("b", [1], initializer=tf.ones_initializer())
        tf.get_variable("c", [1], initializer=tf.ones_initializer(), regularizer=penalty(100.0))
        dense = tf.layers.dense(tf.ones([1, 2]), 1, kernel_initializer=tf.ones_initializer())
    assert scope.regularizer is not None and a.shape == (2,) and b.shape == (1,)
    with tf.variable_scope("net", reuse=True):
        tf.get_variable("a")  # reusing adds no second penalty
    losses = tf.losses.get_regularization_losses()
    assert len(losses) == 5  # a, b, c, dense/kernel, dense/bias
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(losses) == [20.0, 10.0, 100.0, 20.0, 0.0]
        assert sess.run(dense).shape == (1, 1)
    with tf.variable_scope("plain"):
        tf.get_variable("d", [1])
    assert len(tf.losses.get_regularization_losses()) == 5
    with pytest.raises(NotImplementedError, match="partitioner"):
        with tf.variable_scope("p", partitioner=lambda *a: None):
            pass


# ================================================================================================ schedules

STEPS = [0, 5, 10, 11, 20, 25]


def schedule_values(decayed, step):
    with tf.Session() as sess:
        return [float(sess.run(decayed, {step: n})) for n in STEPS]


def _sgdr_done(n, first=10):
    """The fraction done of the warm-restart period (each twice as long as the last) that step n falls in."""
    start, length = 0, first
    while n >= start + length:
        start, length = start + length, 2 * length
    return (n - start) / length


@pytest.mark.parametrize("make, formula", [
    (lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.5), lambda n: 0.1 * math.exp(-0.5 * n / 5)),
    (lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.5, staircase=True),
     lambda n: 0.1 * math.exp(-0.5 * (n // 5))),
    (lambda s: tf.train.inverse_time_decay(0.1, s, 5, 0.5), lambda n: 0.1 / (1 + 0.5 * n / 5)),
    (lambda s: tf.train.inverse_time_decay(0.1, s, 5, 0.5, staircase=True), lambda n: 0.1 / (1 + 0.5 * (n // 5))),
    (lambda s: tf.train.exponential_decay(0.1, s, 5, 0.5), lambda n: 0.1 * 0.5 ** (n / 5)),
    (lambda s: tf.train.polynomial_decay(0.1, s, 10, 0.01, power=2.0),
     lambda n: (0.1 - 0.01) * (1 - min(n, 10) / 10) ** 2 + 0.01),
    (lambda s: tf.train.polynomial_decay(0.1, s, 10, cycle=True),
     lambda n: (0.1 - 0.0001) * (1 - n / (10 * max(math.ceil(n / 10), 1))) + 0.0001),
    (lambda s: tf.train.cosine_decay(0.1, s, 10, alpha=0.2),
     lambda n: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(n, 10) / 10)) + 0.2)),
    # periods of 10, 10 and 10 steps, each starting half as high; then periods of 10, 20, 40 steps
    (lambda s: tf.train.cosine_decay_restarts(0.1, s, 10, t_mul=1.0, m_mul=0.5),
     lambda n: 0.1 * 0.5 ** (n // 10) * 0.5 * (1 + math.cos(math.pi * (n % 10) / 10))),
    (lambda s: tf.train.cosine_decay_restarts(0.1, s, 10, alpha=0.1),
     lambda n: 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * _sgdr_done(n))) + 0.1)),
    (lambda s: tf.train.linear_cosine_decay(0.1, s, 20, num_periods=1.0, alpha=0.1, beta=0.01),
     lambda n: 0.1 * ((0.1 + (20 - min(n, 20)) / 20) * 0.5 * (1 + math.cos(2 * math.pi * min(n, 20) / 20)) + 0.01)),
])
def test_decays_against_their_formulas(make, formula):
    step = tf.placeholder(tf.int64, [])
    decayed = make(step)
    assert decayed.dtype == tf.float32
    np.testing.assert_allclose(schedule_values(decayed, step), [formula(n) for n in STEPS], rtol=1e-6, atol=1e-8)


def test_noisy_linear_cosine_decay_scatters_around_the_noiseless_rate():
    tf.set_random_seed(0)
    step = tf.placeholder(tf.int64, [])
    noisy = tf.train.noisy_linear_cosine_decay(0.1, step, 20, initial_variance=0.01, beta=0.0)
    with tf.Session() as sess:
        draws = np.array([sess.run(noisy, {step: 3}) for _ in range(400)])
    linear, cosine = 17 / 20, 0.5 * (1 + math.cos(math.pi * 3 / 20))
    std = math.sqrt(0.01 / 4 ** 0.55)  # the noise on the line: variance 0.01 / (1 + step) ** 0.55
    assert draws.mean() == pytest.approx(0.1 * linear * cosine, abs=4 * 0.1 * cosine * std / 20)
    assert draws.std() == pytest.approx(0.1 * cosine * std, rel=0.15)


def test_piecewise_constant():
    step = tf.placeholder(tf.int64, [])
    rate = tf.train.piecewise_constant(step, [10, 20], [1.0, 0.5, 0.1])
    assert schedule_values(rate, step) == [1.0, 1.0, 1.0, 0.5, 0.5, pytest.approx(0.1)]
    int32_step = tf.placeholder(tf.int32, [])
    assert run(tf.train.piecewise_constant(int32_step, [np.int64(3)], [7, 8]), {int32_step: 4}) == 8
    with pytest.raises(ValueError, match="1 less than the length of values"):
        tf.train.piecewise_constant(step, [10], [1.0])
    with pytest.raises(ValueError, match="must have the same dtype as x"):
        tf.train.piecewise_constant(step, [1.5], [1.0, 2.0])
    with pytest.raises(ValueError, match="all with the same dtype"):
        tf.train.piecewise_constant(step, [1], [1.0, 2])
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.inverse_time_decay(0.1, None, 1, 1.0)


def test_global_step_helper_and_a_schedule_in_training():
    step = tf.train.get_or_create_global_step()
    rate = tf.train.piecewise_constant(step, [1], [0.5, 0.25])
    w = tf.Variable(0.0)
    train_op = tf.train.GradientDescentOptimizer(rate).minimize(-w, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train_op)
        assert tf.train.global_step(sess, step) == 3 and isinstance(tf.train.global_step(sess, step), int)
        assert sess.run(w) == 0.5 + 0.5 + 0.25


# ================================================================================================ Adadelta

def test_adadelta_against_numpy():
    w0, lr, rho, eps = np.array([1.0, -2.0]), 0.5, 0.9, 1e-6
    w = tf.Variable(w0)
    loss = tf.reduce_sum(w ** 3)
    optimizer = tf.train.AdadeltaOptimizer(lr, rho, eps)
    train_op = optimizer.minimize(loss)
    assert [v.op.name for v in optimizer.variables()] == ["Variable/Adadelta", "Variable/Adadelta_1"]
    accum, delta, expected = np.zeros(2), np.zeros(2), w0.copy()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            g = 3 * expected ** 2
            accum = rho * accum + (1 - rho) * g * g
            update = np.sqrt(delta + eps) / np.sqrt(accum + eps) * g
            delta = rho * delta + (1 - rho) * update * update
            expected -= lr * update
            sess.run(train_op)
            np.testing.assert_allclose(sess.run(w), expected, rtol=1e-10)
        np.testing.assert_allclose(sess.run(optimizer.get_slot(w, "accum_update")), delta, rtol=1e-10)


# ================================================================================================ moving averages

def test_exponential_moving_average_of_variables():
    v = tf.Variable([1.0, 2.0], name="v")
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([v])
    shadow = ema.average(v)
    assert isinstance(update, tf.Operation) and shadow.op.name == "v/ExponentialMovingAverage"
    assert ema.average_name(v) == "v/ExponentialMovingAverage" and ema.name == "ExponentialMovingAverage"
    assert not shadow.trainable and shadow in tf.global_variables() and tf.moving_average_variables() == [v]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(shadow).tolist() == [1.0, 2.0]  # starts at the variable's initial value
        sess.run(v.assign([3.0, 6.0]))
        sess.run(update)
        assert sess.run(shadow).tolist() == [2.0, 4.0]
        sess.run(update)
        assert sess.run(shadow).tolist() == [2.5, 5.0]
    with pytest.raises(ValueError, match="Moving average already computed for: v:0"):
        ema.apply([v])
    with pytest.raises(TypeError, match="must be half, float, or double"):
        ema.apply([tf.Variable(1)])


@pytest.mark.parametrize("zero_debias", [False, True])
def test_moving_average_num_updates_and_tensors(zero_debias):
    """A tensor's shadow starts at zero; TF1 debiases it only with zero_debias=True (the default is False), and
    never a variable's, which starts at the variable's value."""
    step = tf.placeholder(tf.float32, [])
    v = tf.Variable(0.0)
    loss = tf.placeholder(tf.float32, [])
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step, zero_debias=zero_debias)
    update = ema.apply([v, loss])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign(10.0))
        sess.run(update, {step: 0.0, loss: 4.0})  # decay min(0.99, 1/10) = 0.1
        assert sess.run(ema.average(v)) == pytest.approx(9.0)
        first = 0.9 * 4.0  # from zero
        assert sess.run(ema.average(loss)) == pytest.approx(first / 0.9 if zero_debias else first)
        sess.run(update, {step: 90.0, loss: 8.0})  # decay min(0.99, 91/100) = 0.91
        biased = 0.91 * first + 0.09 * 8.0
        assert sess.run(ema.average(loss)) == pytest.approx(biased / (1 - 0.91 ** 2) if zero_debias else biased)
        assert sess.run(ema.average(v)) == pytest.approx(0.91 * 9.0 + 0.09 * 10.0)
    created = [var.op.name for var in tf.global_variables()]
    assert any(name.endswith("/biased") for name in created) == zero_debias  # no debiasing state otherwise


def test_variables_to_restore_loads_the_averages(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    other = tf.Variable(5.0, name="other", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([v])
    assert ema.variables_to_restore() == {"v/ExponentialMovingAverage": v, "other": other}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign([3.0, 4.0]))
        sess.run(update)
        path = tf.train.Saver().save(sess, str(tmp_path / "model"))
    with tf.Session() as sess:
        tf.train.Saver(ema.variables_to_restore()).restore(sess, path)
        assert sess.run(v).tolist() == [2.0, 3.0]  # the average, not the last value


# ================================================================================================ write_graph

def test_write_graph_text_and_binary(tmp_path):
    x = tf.placeholder(tf.float32, name="x")
    tf.identity(x * 2.0, name="y")
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path / "new"), "graph.pbtxt")
    assert path == os.path.join(str(tmp_path / "new"), "graph.pbtxt")
    text = open(path).read()
    assert text.startswith('node {\n  name: "x"\n  op: "Placeholder"\n}\n')
    assert 'name: "y"\n  op: "Identity"\n  input: "mul"' in text
    binary = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "graph.pb", as_text=False)
    data = open(binary, "rb").read()
    assert b"Placeholder" in data and b"Identity" in data
    again = tf.train.write_graph(data, str(tmp_path), "again.pbtxt")
    assert open(again).read() == text
    with pytest.raises(TypeError, match="tf.Graph, a GraphDef or a serialized GraphDef"):
        tf.train.write_graph("graph", str(tmp_path), "x")


# ================================================================================================ metrics

def test_streaming_accuracy_and_mean():
    labels = tf.placeholder(tf.int64, [None])
    predictions = tf.placeholder(tf.int64, [None])
    accuracy, update_accuracy = tf.metrics.accuracy(labels, predictions)
    values = tf.placeholder(tf.float32, [None])
    mean, update_mean = tf.metrics.mean(values, weights=tf.cast(labels, tf.float32) + 1.0,
                                        metrics_collections=["my_metrics"], updates_collections=["my_updates"])
    assert [v.op.name for v in tf.local_variables()] == ["accuracy/total", "accuracy/count", "mean/total",
                                                         "mean/count"]
    assert tf.get_collection("metric_variables") == tf.local_variables()
    assert tf.get_collection("my_metrics") == [mean] and tf.get_collection("my_updates") == [update_mean]
    batches = [([1, 0, 1], [1, 1, 0], [2.0, 4.0, 6.0]), ([0, 1], [0, 1], [1.0, 3.0])]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run([accuracy, mean]) == [0.0, 0.0]  # nothing seen yet: 0, not NaN
        for y, p, x in batches:
            sess.run([update_accuracy, update_mean], {labels: y, predictions: p, values: x})
        got = sess.run([accuracy, mean])
    y, p, x = (np.concatenate([b[i] for b in batches]) for i in range(3))
    assert got[0] == pytest.approx((y == p).mean())
    assert got[1] == pytest.approx((x * (y + 1)).sum() / (y + 1).sum())


def test_streaming_precision_recall_and_counts():
    labels = tf.placeholder(tf.bool, [None])
    predictions = tf.placeholder(tf.int32, [None])
    precision, update_precision = tf.metrics.precision(labels, predictions)
    recall, update_recall = tf.metrics.recall(labels, predictions, name="r")
    tp, update_tp = tf.metrics.true_positives(labels, predictions)
    names = [v.op.name for v in tf.local_variables()]
    assert names == ["precision/true_positives/count", "precision/false_positives/count", "r/true_positives/count",
                     "r/false_negatives/count", "true_positives/count"]
    y = np.array([1, 1, 0, 1, 0, 0], bool)
    p = np.array([1, 0, 1, 1, 0, 1], np.int32)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for part in (slice(0, 3), slice(3, 6)):
            sess.run([update_precision, update_recall, update_tp], {labels: y[part], predictions: p[part]})
        got = sess.run([precision, recall, tp])
    true_positive = (y & p.astype(bool)).sum()
    assert got == [pytest.approx(true_positive / p.sum()), pytest.approx(true_positive / y.sum()), true_positive]


def test_streaming_regression_errors_and_true_negatives():
    labels = tf.placeholder(tf.float32, [None])
    predictions = tf.placeholder(tf.float32, [None])
    mse, update_mse = tf.metrics.mean_squared_error(labels, predictions)
    rmse, update_rmse = tf.metrics.root_mean_squared_error(labels, predictions)
    mae, update_mae = tf.metrics.mean_absolute_error(labels=labels, predictions=predictions, weights=[1.0, 2.0])
    tn, update_tn = tf.metrics.true_negatives(tf.cast(labels, tf.bool), tf.cast(predictions, tf.bool))
    assert [v.op.name for v in tf.local_variables()][:4] == ["mean_squared_error/total", "mean_squared_error/count",
                                                             "root_mean_squared_error/mean_squared_error/total",
                                                             "root_mean_squared_error/mean_squared_error/count"]
    y = np.array([1.0, 0.0, 3.0, 0.0])
    p = np.array([1.5, 0.0, 1.0, 2.0])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for part in (slice(0, 2), slice(2, 4)):
            sess.run([update_mse, update_rmse, update_mae, update_tn], {labels: y[part], predictions: p[part]})
        got = sess.run([mse, rmse, mae, tn])
    squared = ((p - y) ** 2).mean()
    weighted_abs = (np.abs(p - y) * [1, 2, 1, 2]).sum() / 6
    assert got == [pytest.approx(squared), pytest.approx(np.sqrt(squared)), pytest.approx(weighted_abs), 1.0]


def test_accuracy_squeezes_a_trailing_dim_and_checks_shapes():
    labels = tf.constant([[1], [2], [3]], tf.int64)
    accuracy, update = tf.metrics.accuracy(labels, tf.constant([1, 2, 0], tf.int32), weights=[1.0, 0.0, 1.0])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="incompatible"):
        tf.metrics.accuracy([1, 2], [1, 2, 3])


def _numpy_auc(labels, scores, weights, curve, method, num_thresholds=200):
    """TF1's auc computed in numpy from its documented formulas (thresholds, confusion counts, ε = 1e-6)."""
    thresholds = np.array([-1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + 1e-7])
    above = scores[:, None] > thresholds[None, :]
    positive = (labels == 1)[:, None]
    w = weights[:, None]
    tp, fp = (w * (positive & above)).sum(0), (w * (~positive & above)).sum(0)
    fn, tn = (w * (positive & ~above)).sum(0), (w * (~positive & ~above)).sum(0)
    recall = (tp + 1e-6) / (tp + fn + 1e-6)
    if curve == "ROC":
        x, y = fp / (fp + tn + 1e-6), recall
    else:
        x, y = recall, (tp + 1e-6) / (tp + fp + 1e-6)
    heights = {"trapezoidal": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return float(((x[:-1] - x[1:]) * heights).sum())


@pytest.mark.parametrize("curve, method", [("ROC", "trapezoidal"), ("ROC", "minoring"), ("PR", "trapezoidal"),
                                           ("PR", "majoring")])
def test_streaming_auc_against_its_formula_and_the_exact_rank_auc(curve, method):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 400)
    scores = np.clip(0.35 * labels + 0.65 * rng.random(400), 0, 1).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, 400).astype(np.float32)
    y = tf.placeholder(tf.int64, [None])
    p = tf.placeholder(tf.float32, [None])
    w = tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.auc(y, p, w, curve=curve, summation_method=method)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for part in (slice(0, 150), slice(150, 400)):  # streamed in two batches
            sess.run(update, {y: labels[part], p: scores[part], w: weights[part]})
        streamed = sess.run(value)
    assert streamed == pytest.approx(_numpy_auc(labels, scores, weights, curve, method), abs=2e-5)
    if (curve, method) == ("ROC", "trapezoidal"):  # a fine grid: close to P(positive scored above negative)
        pos, neg = scores[labels == 1], scores[labels == 0]
        pairs = np.outer(weights[labels == 1], weights[labels == 0])
        exact = (pairs * (pos[:, None] > neg[None, :])).sum() / pairs.sum()
        assert streamed == pytest.approx(exact, abs=5e-3)


def _numpy_careful_pr_area(labels, scores, num_thresholds=200):
    """The careful-interpolation PR area of TF1's auc, in numpy."""
    thresholds = np.array([-1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + 1e-7])
    above = scores[:, None] > thresholds[None, :]
    positive = (labels == 1)[:, None]
    tp, fp, fn = (positive & above).sum(0), (~positive & above).sum(0), (positive & ~above).sum(0)
    p = (tp + fp).astype(float)
    d_tp, d_p = tp[:-1] - tp[1:], np.maximum(p[:-1] - p[1:], 0)
    slope = np.divide(d_tp, d_p, out=np.zeros_like(d_p), where=d_p != 0)
    intercept = tp[1:] - slope * p[1:]
    ratio = np.where((p[:-1] > 0) & (p[1:] > 0), np.divide(p[:-1], p[1:], out=np.ones_like(p[1:]), where=p[1:] > 0),
                     1.0)
    per_step = slope * (d_tp + intercept * np.log(ratio))
    recall_base = np.maximum(tp[1:] + fn[1:], 0).astype(float)
    return float(np.divide(per_step, recall_base, out=np.zeros_like(per_step), where=recall_base != 0).sum())


def test_auc_pr_with_careful_interpolation_and_bad_arguments():
    labels = np.array([0, 0, 1, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8], np.float32)
    value, update = tf.metrics.auc(labels, scores, curve="PR", summation_method="careful_interpolation")
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        area = sess.run(update)
    # sklearn's average precision of this classic example is 0.83; the interpolated area is close to it
    assert 0.75 < area < 0.9 and area == pytest.approx(_numpy_careful_pr_area(labels, scores), abs=1e-4)
    with pytest.raises(ValueError, match="curve must be either ROC or PR"):
        tf.metrics.auc(labels, scores, curve="XY")
    with pytest.raises(ValueError, match="Invalid summation_method"):
        tf.metrics.auc(labels, scores, summation_method="simpson")


@pytest.mark.parametrize("bad", [-0.2, 1.5])
def test_auc_refuses_predictions_outside_zero_one_as_logits_would_give(bad):
    labels, scores = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.auc(labels, scores)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
            sess.run(update, {labels: [1, 0], scores: [0.8, bad]})
        assert sess.run(update, {labels: [1, 0], scores: [0.8, 0.2]}) == pytest.approx(1.0, abs=1e-5)


def test_an_optimizers_variables_are_sorted_by_name():
    """TF sorts them (the slots of each variable, then the beta powers, would be the order they were made)."""
    b, a = tf.Variable([1.0], name="b"), tf.Variable([2.0], name="a")
    optimizer = tf.train.AdamOptimizer(0.1)
    optimizer.minimize(tf.reduce_sum(a * b))
    assert [v.op.name for v in optimizer.variables()] == [
        "a/Adam", "a/Adam_1", "b/Adam", "b/Adam_1", "beta1_power", "beta2_power"]
