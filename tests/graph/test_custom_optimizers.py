"""A learner's own ``tf.train.Optimizer`` subclass, written to TF1's protocol: slots made by ``_zeros_slot(var,
name, op_name)`` / ``_get_or_make_slot`` / ``_get_or_make_slot_with_initializer``, non-slot variables, the dense
update in ``_apply_dense`` and, for a row lookup's IndexedSlices, ``_apply_sparse`` (each index once)."""
import numpy as np

import minidl.graph as tf


class PowerSign(tf.train.Optimizer):
    """Bello et al.'s PowerSign, as TF1 blog posts write it: w -= lr * g * 2^(sign(g) sign(m))."""

    def __init__(self, learning_rate=0.1, beta=0.5, name="PowerSign"):
        super().__init__(False, name)
        self._learning_rate, self._beta = learning_rate, beta

    def _prepare(self):
        self._lr_t = tf.convert_to_tensor(self._learning_rate, name="learning_rate")
        self._beta_t = tf.convert_to_tensor(self._beta, name="beta")

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._get_or_make_slot(v, np.full(v.shape.as_list(), 2.0, np.float32), "scale", self._name)
            self._get_or_make_slot_with_initializer(v, tf.ones_initializer(), v.shape, v.dtype, "ones",
                                                    self._name)
        self._create_non_slot_variable(0, "steps", colocate_with=var_list[0])

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        m_t = m.assign(tf.maximum(self._beta_t * m + 1e-7, tf.abs(grad)))
        factor = tf.exp(tf.log(self.get_slot(var, "scale") * self.get_slot(var, "ones")) * tf.sign(grad) *
                        tf.sign(m_t))
        return tf.group(tf.assign_sub(var, self._lr_t * grad * factor), m_t)

    def _apply_sparse(self, grad, var):   # rows looked up: a plain step, each index once
        return tf.scatter_sub(var, grad.indices, self._lr_t * grad.values).op

    def _finish(self, update_ops):
        steps = self._get_non_slot_variable("steps")
        with tf.control_dependencies(update_ops):
            return tf.group(*update_ops, steps.assign_add(1))


def test_a_custom_optimizer_with_tf1s_slot_protocol():
    w = tf.Variable([1.0, -2.0], name="w")
    step = PowerSign().minimize(tf.reduce_sum(w * w))
    expected = np.array([1.0, -2.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(step)
            g = 2 * expected
            expected = expected - 0.1 * g * 2.0 ** np.sign(g)   # m > 0 always: 2^sign(g)
        np.testing.assert_allclose(sess.run(w), expected, rtol=1e-6)
        assert sess.run(tf.get_default_graph().get_tensor_by_name("steps:0")) == 3
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["w", "w/PowerSign", "w/PowerSign_1", "w/PowerSign_2", "steps"], names


def test_a_lookup_gradient_goes_to_apply_sparse_with_each_index_once():
    table = tf.Variable(np.ones((4, 2), np.float32))
    step = PowerSign(learning_rate=0.5).minimize(tf.reduce_sum(tf.nn.embedding_lookup(table, [1, 3, 1])))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        np.testing.assert_array_equal(sess.run(table)[:, 0], [1.0, 0.0, 1.0, 0.5])   # row 1: 2 * 0.5 in one step
