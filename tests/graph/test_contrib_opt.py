"""tf.contrib.opt: AdamW, MomentumW, Nadam and LazyAdam against numpy written from their formulas, for a few steps
of a least-squares loss and of an embedding lookup (whose gradient touches only some rows)."""
import numpy as np
import pytest

import minidl.graph as tf

opt = tf.contrib.opt
RNG = np.random.default_rng(5)
W0 = RNG.standard_normal((3, 2))
X = RNG.standard_normal((4, 3))
LR, WD = 0.125, 0.0625          # powers of 2: the float32 hyper-parameters are exact in float64


def grad(w):
    """The gradient of 0.5 |X w|² (the loss ``_steps`` minimizes)."""
    return X.T @ (X @ w)


def _steps(make_optimizer, n=3, **minimize_kwargs):
    """W after n steps of the optimizer on 0.5 |X W|², W a float64 variable starting at W0."""
    w = tf.Variable(W0)
    loss = 0.5 * tf.reduce_sum(tf.square(tf.matmul(tf.constant(X), w)))
    train = make_optimizer().minimize(loss, **minimize_kwargs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(n):
            sess.run(train)
        return sess.run(w)


def np_adam(w, n=3, weight_decay=0.0, nesterov=False, lr=LR, b1=0.9, b2=0.999, eps=1e-8, gradient=grad):
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, n + 1):
        g = gradient(w)
        w = w - weight_decay * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        step = b1 * m + (1 - b1) * g if nesterov else m
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * step / (np.sqrt(v) + eps)
    return w


def np_momentum(w, n=3, weight_decay=0.0, lr=LR, momentum=0.875, nesterov=False):
    a = np.zeros_like(w)
    for _ in range(n):
        g = grad(w)
        w = w - weight_decay * w
        a = momentum * a + g
        w = w - lr * (g + momentum * a if nesterov else a)
    return w


def test_adamw_decays_the_weights_before_adams_step_not_scaled_by_the_learning_rate():
    np.testing.assert_allclose(_steps(lambda: opt.AdamWOptimizer(WD, LR)), np_adam(W0, weight_decay=WD),
                               rtol=1e-12)


def test_adamw_with_zero_decay_is_adam_and_takes_a_tensor_or_a_function():
    np.testing.assert_allclose(_steps(lambda: opt.AdamWOptimizer(0.0, LR)), _steps(lambda: tf.train.AdamOptimizer(LR)),
                               rtol=1e-12)
    np.testing.assert_allclose(_steps(lambda: opt.AdamWOptimizer(tf.constant(WD), LR)),
                               np_adam(W0, weight_decay=WD), rtol=1e-12)
    np.testing.assert_allclose(_steps(lambda: opt.AdamWOptimizer(lambda: WD, LR)), np_adam(W0, weight_decay=WD),
                               rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentumw(nesterov):
    got = _steps(lambda: opt.MomentumWOptimizer(WD, LR, 0.875, use_nesterov=nesterov))
    np.testing.assert_allclose(got, np_momentum(W0, weight_decay=WD, nesterov=nesterov), rtol=1e-12)


def test_decay_var_list_decays_only_those_variables():
    a, b = tf.Variable(W0), tf.Variable(W0)
    loss = 0.5 * tf.reduce_sum(tf.square(tf.matmul(tf.constant(X), a))) + \
        0.5 * tf.reduce_sum(tf.square(tf.matmul(tf.constant(X), b)))
    train = opt.AdamWOptimizer(WD, LR).minimize(loss, decay_var_list=[a])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        got_a, got_b = sess.run([a, b])
    np.testing.assert_allclose(got_a, np_adam(W0, weight_decay=WD), rtol=1e-12)
    np.testing.assert_allclose(got_b, np_adam(W0), rtol=1e-12)


def test_extend_with_decoupled_weight_decay_makes_sgdw():
    SGDW = opt.extend_with_decoupled_weight_decay(tf.train.GradientDescentOptimizer)
    assert issubclass(SGDW, opt.DecoupledWeightDecayExtension) and issubclass(SGDW, tf.train.Optimizer)
    w = W0.copy()
    for _ in range(3):
        w = w - WD * w - LR * grad(w)
    np.testing.assert_allclose(_steps(lambda: SGDW(WD, LR)), w, rtol=1e-12)


def test_nadam_steps_along_the_nesterov_first_moment():
    np.testing.assert_allclose(_steps(lambda: opt.NadamOptimizer(LR)), np_adam(W0, nesterov=True), rtol=1e-12)


def test_slot_names_follow_tf():
    w = tf.Variable(W0, name="w")
    loss = tf.reduce_sum(w * w)
    for optimizer, name in [(opt.AdamWOptimizer(WD), "AdamW"), (opt.NadamOptimizer(), "Adam"),
                            (opt.LazyAdamOptimizer(name="Lazy"), "Lazy")]:
        optimizer.minimize(loss)
        assert optimizer.get_slot(w, "m").op.name == f"w/{name}"
        assert optimizer.get_slot(w, "v").op.name == f"w/{name}_1"


def test_lazy_adam_is_adam_for_dense_gradients():
    np.testing.assert_allclose(_steps(lambda: opt.LazyAdamOptimizer(LR)), np_adam(W0), rtol=1e-12)


# ------------------------------------------------------------------------------------------ embedding lookups

TABLE = RNG.standard_normal((5, 2))
BATCHES = [np.array([0, 2, 2]), np.array([1]), np.array([2, 4])]     # row 3 is never looked up


def _embedding_steps(optimizer):
    """The table and its slots after one step per batch of ids, the loss the sum of the squared rows looked up."""
    table = tf.Variable(TABLE)
    ids = tf.placeholder(tf.int32, [None])
    train = optimizer.minimize(0.5 * tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids))))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch in BATCHES:
            sess.run(train, {ids: batch})
        return sess.run([table, optimizer.get_slot(table, "m")])


def _lookup_gradient(ids):
    def gradient(w):
        g = np.zeros_like(w)
        np.add.at(g, ids, w[ids])
        return g
    return gradient


def test_lazy_adam_updates_only_the_rows_looked_up():
    table, m = _embedding_steps(opt.LazyAdamOptimizer(LR))
    expected, m_expected = TABLE.copy(), np.zeros_like(TABLE)
    v_expected, b1, b2 = np.zeros_like(TABLE), 0.9, 0.999
    for t, ids in enumerate(BATCHES, 1):
        rows = np.unique(ids)
        g = _lookup_gradient(ids)(expected)[rows]
        m_expected[rows] = b1 * m_expected[rows] + (1 - b1) * g
        v_expected[rows] = b2 * v_expected[rows] + (1 - b2) * g * g
        lr = LR * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        expected[rows] -= lr * m_expected[rows] / (np.sqrt(v_expected[rows]) + 1e-8)
    np.testing.assert_allclose(table, expected, rtol=1e-12)
    np.testing.assert_allclose(m, m_expected, rtol=1e-12)
    np.testing.assert_array_equal(table[3], TABLE[3])
    # Adam moves row 1 at the third step (its moment has not decayed to zero), LazyAdam does not
    adam_table, adam_m = _embedding_steps(tf.train.AdamOptimizer(LR))
    assert not np.allclose(adam_table[1], table[1]) and adam_m[1, 0] != m[1, 0]


def test_adamw_decays_only_the_rows_of_an_embedding_lookup():
    table, _ = _embedding_steps(opt.AdamWOptimizer(WD, LR))
    w, m, v = TABLE.copy(), np.zeros_like(TABLE), np.zeros_like(TABLE)
    b1, b2 = 0.9, 0.999
    for t, ids in enumerate(BATCHES, 1):
        g = _lookup_gradient(ids)(w)
        looked_up = np.isin(np.arange(len(w)), ids)[:, None]
        w = w - WD * w * looked_up                        # TF's sparse decay: the rows looked up only
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g      # Adam: every row
        w = w - LR * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(table, w, rtol=1e-12)
    np.testing.assert_array_equal(table[3], TABLE[3])     # never looked up, never moved (its moments stay 0)


def test_moving_average_optimizer_and_its_swapping_saver(tmp_path):
    decay, lr = 0.5, 0.25
    w = tf.Variable([4.0, -2.0], name="w")
    optimizer = tf.contrib.opt.MovingAverageOptimizer(tf.train.GradientDescentOptimizer(lr), average_decay=decay)
    with pytest.raises(RuntimeError, match="Must call apply_gradients or minimize"):
        optimizer.swapping_saver()
    step = optimizer.minimize(tf.reduce_sum(w * w))   # w <- w (1 - 2 lr) = w / 2
    assert step.name == "train_with_avg"
    saver = optimizer.swapping_saver()
    value, average = np.array([4.0, -2.0]), np.array([4.0, -2.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(step)
            value = value / 2
            average = decay * average + (1 - decay) * value   # the shadow takes in the weights after the step
        np.testing.assert_allclose(sess.run(w), value)
        np.testing.assert_allclose(sess.run(optimizer._ema.average(w)), average)
        path = saver.save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default():   # an evaluation program restores the averages into the plain variable
        w_eval = tf.Variable([0.0, 0.0], name="w")
        with tf.Session() as sess:
            tf.train.Saver([w_eval]).restore(sess, path)
            np.testing.assert_allclose(sess.run(w_eval), average)


def test_moving_average_optimizer_without_sequential_update_still_trains():
    # (the average then reads the weights before or after the step: TF leaves the order open)
    w = tf.Variable([4.0], name="w")
    optimizer = tf.contrib.opt.MovingAverageOptimizer(tf.train.GradientDescentOptimizer(0.25), average_decay=0.5,
                                                      sequential_update=False)
    step = optimizer.minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        assert sess.run(w).tolist() == [2.0] and sess.run(optimizer._ema.average(w))[0] in (3.0, 4.0)
