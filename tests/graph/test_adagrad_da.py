"""tf.train.AdagradDAOptimizer (minidl/graph/train/dual_averaging.py) against the dual-averaging update of TF1's
ApplyAdagradDA kernel computed by hand in numpy."""
import numpy as np
import pytest

import minidl.graph as tf

START, TARGET = np.array([0.5, -0.02, 2.0]), np.array([3.0, 0.01, -1.0])


def _by_hand(steps, lr, initial, l1, l2, first_step=0):
    """The weights after each step on sum((w - TARGET)²) (gradient 2 (w - TARGET)), by the formula."""
    w, a, s, values = START, np.zeros(3), np.full(3, initial), []
    for step in range(first_step, first_step + steps):
        g = 2 * (w - TARGET)
        a, s, t = a + g, s + g * g, step + 1
        w = -lr * np.sign(a) * np.maximum(np.abs(a) - l1 * t, 0) / (np.sqrt(s) + l2 * t * lr)
        values.append(w)
    return values


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.25, 0.0), (0.0, 0.5), (0.25, 0.5)])
def test_steps_follow_the_dual_averaging_formula(l1, l2):
    global_step = tf.train.get_or_create_global_step()
    w = tf.Variable(START.copy(), name="w")
    optimizer = tf.train.AdagradDAOptimizer(0.5, global_step, 0.25, l1, l2)
    train = optimizer.minimize(tf.reduce_sum(tf.square(w - TARGET)), global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = [sess.run([train, w])[1].copy() for _ in range(5)]
        assert sess.run(global_step) == 5
    for got, expected in zip(values, _by_hand(5, 0.5, 0.25, l1, l2)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_tf_reference_values_of_the_first_step():
    # the setting of TF1's own test (var0's values are TF's): grads [0.1, 0.2] and [0.01, 0.02], lr 3, initial
    # squared sum 0.1, global step 0 -> t = 1
    global_step = tf.Variable(0, dtype=tf.int64)
    var0, var1 = tf.Variable([0.0, 0.0]), tf.Variable([0.0, 0.0])
    grads = [tf.constant([0.1, 0.2]), tf.constant([0.01, 0.02])]
    expected = {(0.0, 0.0): ([-0.904534, -1.603567], [-0.094821, -0.189358]),
                (0.001, 0.0): ([-0.895489, -1.59555], [-0.085339, -0.17989]),
                (0.001, 2.0): ([-0.046907, -0.093659], [-0.0042746, -0.0090235])}
    for (l1, l2), (first, second) in expected.items():
        optimizer = tf.train.AdagradDAOptimizer(3.0, global_step, 0.1, l1, l2)
        update = optimizer.apply_gradients(zip(grads, [var0, var1]), global_step=global_step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(update)
            np.testing.assert_allclose(sess.run(var0), first, rtol=1e-5)
            np.testing.assert_allclose(sess.run(var1), second, rtol=1e-5)


def test_the_step_count_comes_from_the_global_step_given_and_l1_keeps_weights_at_zero():
    global_step = tf.Variable(7, dtype=tf.int64, trainable=False)
    w = tf.Variable(START.copy())
    train = tf.train.AdagradDAOptimizer(0.5, global_step, 0.25, 0.25, 0.5).minimize(
        tf.reduce_sum(tf.square(w - TARGET)), global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = [sess.run([train, w])[1].copy() for _ in range(3)]
    for got, expected in zip(values, _by_hand(3, 0.5, 0.25, 0.25, 0.5, first_step=7)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    # the small middle target's gradients stay below the growing threshold l1 * t: exactly zero
    assert all(v[1] == 0.0 for v in values)


def test_slots_names_and_bad_arguments():
    global_step = tf.train.get_or_create_global_step()
    w = tf.Variable(START.copy(), name="w")
    optimizer = tf.train.AdagradDAOptimizer(0.1, global_step)
    optimizer.minimize(tf.reduce_sum(w * w))
    assert optimizer.get_slot_names() == ["gradient_accumulator", "gradient_squared_accumulator"]
    assert optimizer.get_slot(w, "gradient_accumulator").name == "w/AdagradDA:0"
    assert optimizer.get_slot(w, "gradient_squared_accumulator").name == "w/AdagradDA_1:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(optimizer.get_slot(w, "gradient_squared_accumulator")), [0.1] * 3)
    with pytest.raises(ValueError, match="initial_gradient_squared_accumulator_value must be positive: 0.0"):
        tf.train.AdagradDAOptimizer(0.1, global_step, 0.0)


def test_a_lookup_gradient_updates_only_the_rows_looked_up():
    global_step = tf.train.get_or_create_global_step()
    table = tf.Variable(np.ones((4, 2)))
    loss = tf.reduce_sum(tf.square(tf.gather(table, [0, 2])))
    train = tf.train.AdagradDAOptimizer(0.5, global_step).minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        after = sess.run(table)
    np.testing.assert_array_equal(after[[1, 3]], np.ones((2, 2)))
    np.testing.assert_allclose(after[[0, 2]], -0.5 * 2 / np.sqrt(0.1 + 4) * np.ones((2, 2)), rtol=1e-12)
