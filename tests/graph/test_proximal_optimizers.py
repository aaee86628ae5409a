"""tf.train's proximal optimizers (FTRL, proximal Adagrad, proximal gradient descent) against numpy versions of TF's
ApplyFtrlV2 / ApplyProximalAdagrad / ApplyProximalGradientDescent kernels."""
import numpy as np
import pytest

import minidl.graph as tf

START, TARGET = np.array([0.5, -0.02, 2.0]), np.array([3.0, 0.01, -1.0])
# hyper-parameters become float32 tensors (cast to the variable's dtype) as in TF, so the tests use ones that
# float32 holds exactly, and the float64 updates can be compared to numpy's to the last bits


def _run_steps(optimizer, steps):
    """Values of w after each step on the loss sum((w - TARGET)²), whose gradient is 2 (w - TARGET)."""
    w = tf.Variable(START.copy(), name="w")
    train = optimizer.minimize(tf.reduce_sum(tf.square(w - TARGET)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return [sess.run([train, w])[1].copy() for _ in range(steps)]


def _shrink(x, threshold):
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.25, 0.0), (0.0, 0.5), (0.25, 0.5)])
def test_proximal_gradient_descent_steps(l1, l2):
    values = _run_steps(tf.train.ProximalGradientDescentOptimizer(0.125, l1, l2), 4)
    w = START
    for got in values:
        v = w - 0.125 * 2 * (w - TARGET)
        w = _shrink(v, 0.125 * l1) / (1 + 0.125 * l2)
        np.testing.assert_allclose(got, w, rtol=1e-12)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.25, 0.0), (0.0, 0.5), (0.25, 0.5)])
def test_proximal_adagrad_steps(l1, l2):
    values = _run_steps(tf.train.ProximalAdagradOptimizer(0.5, 0.25, l1, l2), 4)
    w, s = START, np.full(3, 0.25)
    for got in values:
        g = 2 * (w - TARGET)
        s = s + g * g
        eta = 0.5 / np.sqrt(s)  # the per-coordinate rate also scales the penalties, as in TF's kernel
        w = _shrink(w - eta * g, eta * l1) / (1 + eta * l2)
        np.testing.assert_allclose(got, w, rtol=1e-12)


def _numpy_ftrl(steps, lr, power, initial, l1, l2, shrinkage):
    """TF's ApplyFtrlV2 kernel, step by step (p = -power)."""
    w, s, z, out = START, np.full(3, initial), np.zeros(3), []
    for _ in range(steps):
        g = 2 * (w - TARGET)
        s_new = s + g * g
        z = z + g + 2 * shrinkage * w - (s_new ** -power - s ** -power) / lr * w
        quadratic = s_new ** -power / lr + 2 * l2
        w = np.where(np.abs(z) > l1, (l1 * np.sign(z) - z) / quadratic, 0.0)
        s = s_new
        out.append(w)
    return out


@pytest.mark.parametrize("power, l1, l2, shrinkage", [(-0.5, 0.0, 0.0, 0.0), (-0.5, 0.375, 0.25, 0.0),
                                                      (-0.75, 0.0, 0.0, 0.0), (-0.75, 0.375, 0.25, 0.0),
                                                      (0.0, 0.375, 0.25, 0.0), (-0.5, 0.375, 0.25, 0.25),
                                                      (-0.75, 0.0, 0.0, 0.25)])
def test_ftrl_steps(power, l1, l2, shrinkage):
    optimizer = tf.train.FtrlOptimizer(0.625, power, 0.125, l1, l2, l2_shrinkage_regularization_strength=shrinkage)
    got = _run_steps(optimizer, 5)
    np.testing.assert_allclose(got, _numpy_ftrl(5, 0.625, power, 0.125, l1, l2, shrinkage), rtol=1e-12)


def test_ftrl_slots_values_and_names():
    w = tf.Variable(START.copy(), name="w")
    optimizer = tf.train.FtrlOptimizer(0.625, initial_accumulator_value=0.25)
    train = optimizer.minimize(tf.reduce_sum(tf.square(w - TARGET)))
    assert optimizer.get_slot_names() == ["accum", "linear"]
    accum, linear = optimizer.get_slot(w, "accum"), optimizer.get_slot(w, "linear")
    assert (accum.name, linear.name) == ("w/Ftrl:0", "w/Ftrl_1:0")
    assert accum not in tf.trainable_variables() and linear in tf.global_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run([accum, linear]), [np.full(3, 0.25), np.zeros(3)])
        sess.run(train)
        g = 2 * (START - TARGET)
        np.testing.assert_allclose(sess.run(accum), 0.25 + g * g)
        np.testing.assert_allclose(sess.run(linear), g - (np.sqrt(0.25 + g * g) - 0.5) / 0.625 * START)


def test_ftrl_accum_and_linear_names():
    w = tf.Variable([1.0], name="w")
    optimizer = tf.train.FtrlOptimizer(0.1, accum_name="squares", linear_name="z")
    optimizer.minimize(tf.reduce_sum(w * w))
    assert optimizer.get_slot(w, "accum").name == "w/squares:0" and optimizer.get_slot(w, "linear").name == "w/z:0"


def test_proximal_adagrad_slot_and_minimize_options():
    w, other = tf.Variable(START.copy(), name="w"), tf.Variable([1.0], dtype=tf.float64, name="other")
    step = tf.train.get_or_create_global_step()
    optimizer = tf.train.ProximalAdagradOptimizer(0.5, initial_accumulator_value=0.2)
    train = optimizer.minimize(tf.reduce_sum(tf.square(w - TARGET)) + tf.reduce_sum(other), global_step=step,
                               var_list=[w])
    assert optimizer.get_slot_names() == ["accumulator"] and optimizer.get_slot(w, "accumulator").name == \
        "w/ProximalAdagrad:0"
    assert optimizer.get_slot(other, "accumulator") is None and train.name == "ProximalAdagrad"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(step) == 1 and sess.run(other)[0] == 1.0


@pytest.mark.parametrize("make", [
    lambda: tf.train.ProximalGradientDescentOptimizer(0.125, l1_regularization_strength=0.5),
    lambda: tf.train.ProximalAdagradOptimizer(0.5, l1_regularization_strength=0.5),
    lambda: tf.train.FtrlOptimizer(0.5, l1_regularization_strength=1.0)])
def test_l1_drives_small_weights_exactly_to_zero(make):
    """The middle weight's target (0.01) is far inside the L1 threshold: it lands on exactly 0 and stays there,
    while the other two keep moving towards their targets. (FTRL's threshold bounds the *sum* of the gradients, and
    at w = 0 each step adds -0.02 to it: with l1 = 0.5 the weight would come back after 25 steps.)"""
    values = _run_steps(make(), 30)
    assert all(v[1] == 0.0 for v in values[5:])
    assert values[-1][0] > 1.0 and values[-1][2] < 0.0


def test_each_optimizer_solves_a_quadratic_without_penalties():
    for optimizer in [tf.train.ProximalGradientDescentOptimizer(0.1), tf.train.ProximalAdagradOptimizer(1.0),
                      tf.train.FtrlOptimizer(1.0)]:
        np.testing.assert_allclose(_run_steps(optimizer, 100)[-1], TARGET, atol=1e-3)


def test_only_rows_looked_up_change():
    """TF1's sparse kernels: a step that does not look row 0 up leaves it alone (a dense zero gradient would still
    shrink it, and FTRL would recompute it from its zero linear slot)."""
    for optimizer in [tf.train.ProximalGradientDescentOptimizer(0.1, 0.1, 0.1),
                      tf.train.ProximalAdagradOptimizer(0.1, 0.1, 0.1, 0.1), tf.train.FtrlOptimizer(0.1)]:
        with tf.Graph().as_default():
            table = tf.Variable(np.array([[1.0, 2.0], [1.0, 2.0]]))
            train = optimizer.minimize(tf.reduce_sum(tf.nn.embedding_lookup(table, [1])))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(train)
                after = sess.run(table)
        np.testing.assert_array_equal(after[0], [1.0, 2.0])
        assert not np.array_equal(after[1], [1.0, 2.0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(learning_rate_power=0.5), "learning_rate_power 0.500000 needs to be negative or zero"),
    (dict(initial_accumulator_value=-0.1), "initial_accumulator_value -0.100000 needs to be positive or zero"),
    (dict(l1_regularization_strength=-1.0), "l1_regularization_strength -1.000000 needs to be positive or zero"),
    (dict(l2_regularization_strength=-1.0), "l2_regularization_strength -1.000000 needs to be positive or zero"),
    (dict(l2_shrinkage_regularization_strength=-1.0), "l2_shrinkage_regularization_strength -1.000000 needs"),
])
def test_ftrl_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.train.FtrlOptimizer(0.1, **kwargs)


def test_ftrl_accepts_a_zero_accumulator_but_proximal_adagrad_does_not():
    tf.train.FtrlOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
