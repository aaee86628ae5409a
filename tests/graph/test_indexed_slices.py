"""The gradient of a row lookup is an IndexedSlices, as in TF1: its form, how contributions add up, and what
clipping and the optimizers make of one (TF 1.15's rules, worked out by hand in each test)."""
import numpy as np
import pytest

import minidl.graph as tf
from tests.graph.numeric_gradients import check_gradients


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_the_gradient_of_gather_lists_one_row_per_id():
    table = tf.Variable(np.arange(10, dtype=np.float32).reshape(5, 2))
    ids = tf.constant([[3, 0], [3, 1]])
    looked_up = tf.gather(table, ids)                      # [2, 2, 2]
    weights = tf.constant(np.arange(8, dtype=np.float32).reshape(2, 2, 2))
    (grad,) = tf.gradients(tf.reduce_sum(looked_up * weights), [table])
    assert isinstance(grad, tf.IndexedSlices) and grad.dtype == tf.float32
    value = run(grad)
    assert isinstance(value, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(value.values, np.arange(8).reshape(4, 2))   # one row per lookup, not summed
    np.testing.assert_array_equal(value.indices, [3, 0, 3, 1])               # the ids, flattened
    np.testing.assert_array_equal(value.dense_shape, [5, 2])
    dense = run(tf.convert_to_tensor(grad))
    np.testing.assert_array_equal(dense, [[2, 3], [6, 7], [0, 0], [4, 6], [0, 0]])   # row 3 gets both


def test_a_scalar_id_and_embedding_lookup_give_slices_too():
    table = tf.Variable(np.ones((4, 3), np.float32))
    (by_scalar,) = tf.gradients(tf.reduce_sum(tf.gather(table, 2)), [table])
    (by_lookup,) = tf.gradients(tf.reduce_sum(tf.tanh(tf.nn.embedding_lookup(table, [1, 1]))), [table])
    scalar, lookup = run([by_scalar, by_lookup])
    np.testing.assert_array_equal(scalar.values, np.ones((1, 3)))
    np.testing.assert_array_equal(scalar.indices, [2])
    np.testing.assert_allclose(lookup.values, np.full((2, 3), 1 - np.tanh(1.0) ** 2), rtol=1e-6)
    np.testing.assert_array_equal(lookup.indices, [1, 1])


def test_other_selections_have_dense_gradients_as_in_tf():
    table = tf.Variable(np.ones((4, 3), np.float32))
    along_columns = tf.gather(table, [0, 2], axis=1)
    crop = tf.random_crop(table, [2, 3], seed=1)
    segments = tf.sparse_segment_sum(table, tf.constant([0, 1]), tf.constant([0, 0]))
    of_a_product = tf.gather(table * 2.0, [1])   # the lookup's slices reach the product, whose VJP takes them dense
    grads = [tf.gradients(tf.reduce_sum(t), [table])[0] for t in (along_columns, crop, segments, of_a_product)]
    assert not any(isinstance(g, tf.IndexedSlices) for g in grads)
    columns, window, rows, product = run(grads)
    np.testing.assert_array_equal(columns, np.ones((4, 1)) * [1, 0, 1])
    assert window.sum() == 6 and set(np.unique(window)) == {0.0, 1.0}
    np.testing.assert_array_equal(rows, [[1] * 3, [1] * 3, [0] * 3, [0] * 3])
    np.testing.assert_array_equal(product, [[0] * 3, [2] * 3, [0] * 3, [0] * 3])


def test_contributions_concatenate_unless_one_is_dense():
    table = tf.Variable(np.ones((5, 2), np.float32))
    first, second = tf.gather(table, [1, 2]), tf.gather(table, tf.constant([4], tf.int64))
    (both,) = tf.gradients(tf.reduce_sum(first) + 3.0 * tf.reduce_sum(second), [table])
    assert isinstance(both, tf.IndexedSlices) and both.indices.dtype == tf.int64   # int32 and int64: int64
    value = run(both)
    assert sorted(value.indices.tolist()) == [1, 2, 4]
    assert sorted(value.values[:, 0].tolist()) == [1.0, 1.0, 3.0]
    (mixed,) = tf.gradients(tf.reduce_sum(first) + tf.reduce_sum(table * table), [table])
    assert not isinstance(mixed, tf.IndexedSlices)
    np.testing.assert_array_equal(run(mixed), [[2, 2], [3, 3], [3, 3], [2, 2], [2, 2]])


def test_clipping_counts_each_listed_row_as_tf_does():
    # TF 1.15: grad values [[10,10]]*3 at ids [0,0,3]; global norm sqrt(3 * 200) = 24.49 (the dense gradient's
    # norm would be sqrt(2*20² + 2*10²) = 31.62); scale 1/24.49; SGD(lr 1) moves row 0 by 2 * 10/24.49
    table = tf.Variable(tf.ones([5, 2]))
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [0, 0, 3]) * 10)
    optimizer = tf.train.GradientDescentOptimizer(1.0)
    grads, variables = zip(*optimizer.compute_gradients(loss))
    clipped, norm = tf.clip_by_global_norm(grads, 1.0)
    assert isinstance(clipped[0], tf.IndexedSlices)
    by_norm = tf.clip_by_norm(grads[0], 1.0)
    by_value = tf.clip_by_value(grads[0], -4.0, 4.0)
    assert isinstance(by_norm, tf.IndexedSlices) and isinstance(by_value, tf.IndexedSlices)
    step = optimizer.apply_gradients(zip(clipped, variables))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        norm_value, norm_values, value_values = sess.run([norm, by_norm.values, by_value.values])
        sess.run(step)
        after = sess.run(table)
    np.testing.assert_allclose(norm_value, np.sqrt(600), rtol=1e-6)
    np.testing.assert_allclose(norm_values, np.full((3, 2), 10 / np.sqrt(600)), rtol=1e-6)
    np.testing.assert_array_equal(value_values, np.full((3, 2), 4.0))
    np.testing.assert_allclose(after[[0, 3], 0], [1 - 20 / np.sqrt(600), 1 - 10 / np.sqrt(600)], rtol=1e-6)
    np.testing.assert_array_equal(after[[1, 2, 4]], np.ones((3, 2)))


def test_momentum_moves_only_the_rows_of_the_slices():
    table = tf.Variable(np.ones((3, 2), np.float32))
    ids = tf.placeholder(tf.int32, [None])
    step = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(tf.gather(table, ids)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step, {ids: [0, 0]})
        sess.run(step, {ids: [1]})   # row 0 keeps its momentum but is not moved: it was not looked up
        after = sess.run(table)
    np.testing.assert_allclose(after[:, 0], [1 - 0.2, 1 - 0.1, 1.0], rtol=1e-6)


def test_gradients_of_slices_and_central_differences():
    ids = np.array([2, 0, 2])
    table = tf.Variable(np.arange(8, dtype=np.float64).reshape(4, 2) / 10)
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(table, ids) ** 3), [table])
    (second,) = tf.gradients(tf.reduce_sum(tf.convert_to_tensor(grad)), [table])   # d/dW of sum(3 W[id]²)
    assert isinstance(second, tf.IndexedSlices)   # through the lookup again
    counts = np.bincount(ids, minlength=4)[:, None]
    expected = 6 * counts * np.arange(8).reshape(4, 2) / 10
    np.testing.assert_allclose(run(tf.convert_to_tensor(second)), expected, rtol=1e-12)
    check_gradients(lambda x: tf.sin(tf.gather(x, ids)), np.random.default_rng(0).standard_normal((4, 2)))


def test_a_gradient_override_of_identity_still_applies():
    @tf.RegisterGradient("DoubledForSlicesTest")
    def _doubled(op, grad):
        return 2.0 * tf.convert_to_tensor(grad)
    table = tf.Variable(np.ones((3, 2), np.float32))
    with tf.get_default_graph().gradient_override_map({"Identity": "DoubledForSlicesTest"}):
        read = tf.identity(table)
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(read, [1])), [table])
    np.testing.assert_array_equal(run(grad), [[0, 0], [2, 2], [0, 0]])
    (plain,) = tf.gradients(tf.reduce_sum(tf.gather(tf.identity(table), [1])), [table])
    assert isinstance(plain, tf.IndexedSlices)   # tf.identity passes slices on


def test_negation_and_repr():
    slices = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([2, 2]))
    assert slices.consumers() == []
    negated = -slices
    assert slices.consumers() == [negated.op]
    value = run(negated)
    np.testing.assert_array_equal(value.values, [[-1.0, -2.0]])
    np.testing.assert_array_equal(value.indices, [1])
    assert "IndexedSlices(indices=" in repr(slices)
    with pytest.raises(TypeError, match="indices must be an integer tensor"):
        tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0.5]))


def test_ids_of_unknown_rank_give_slices_for_gather_and_lookup():
    table = tf.Variable(np.arange(8, dtype=np.float32).reshape(4, 2))
    ids = tf.placeholder(tf.int32)   # no shape: its rank is known when it is fed
    for looked_up in (tf.gather(table, ids), tf.nn.embedding_lookup(table, ids)):
        (grad,) = tf.gradients(tf.reduce_sum(looked_up * looked_up), [table])
        assert isinstance(grad, tf.IndexedSlices)
        feed = {ids: [[1, 2], [3, 1]]}
        rows, value, dense = run([looked_up, grad, tf.convert_to_tensor(grad)], feed)
        assert rows.shape == (2, 2, 2) and value.indices.tolist() == [1, 2, 3, 1]
        np.testing.assert_array_equal(dense, [[0, 0], [8, 12], [8, 10], [12, 14]])
    assert run(tf.gather(table, ids), {ids: 2}).tolist() == [4.0, 5.0]


def test_the_dense_form_keeps_the_tables_shape_and_hessians_go_through():
    table = tf.Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(table, [1]) ** 3), [table])
    assert tf.convert_to_tensor(grad).shape.as_list() == [2, 2]
    (hessian,) = tf.hessians(tf.reduce_sum(tf.gather(table, [1]) ** 3), table)
    np.testing.assert_allclose(run(hessian).reshape(4, 4).diagonal(), [0, 0, 18, 24])   # 6 x at row 1


def test_slices_without_dense_shape_and_nadams_sparse_rule():
    table = tf.Variable(np.ones((3, 2), np.float32))
    (grad,) = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(table, [0, 0])), [table])
    halved = tf.IndexedSlices(grad.values * 0.5, grad.indices)   # no dense_shape: the variable's is used
    sgd = tf.train.GradientDescentOptimizer(1.0).apply_gradients([(halved, table)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(sgd)
        np.testing.assert_array_equal(sess.run(table)[:, 0], [0.0, 1.0, 1.0])
    # TF's sparse Nadam: the moments decay in every row, only the rows looked up move (worked out in numpy)
    embedding = tf.Variable(np.ones((3, 2), np.float32))
    ids = tf.placeholder(tf.int32, [None])
    step = tf.contrib.opt.NadamOptimizer(0.1).minimize(tf.reduce_sum(tf.nn.embedding_lookup(embedding, ids)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step, {ids: [0]})
        sess.run(step, {ids: [1]})
        got = sess.run(embedding)
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    var, m, v = np.ones((3, 2)), np.zeros((3, 2)), np.zeros((3, 2))
    for t, rows in enumerate([[0], [1]], 1):
        g = np.ones((1, 2))
        m *= b1
        m[rows] += (1 - b1) * g
        v *= b2
        v[rows] += (1 - b2) * g * g
        step_size = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        var[rows] -= step_size * ((1 - b1) * g + b1 * m[rows]) / (np.sqrt(v[rows]) + eps)
    np.testing.assert_allclose(got, var, rtol=1e-5)
    assert got[2].tolist() == [1.0, 1.0]


def test_a_custom_gradient_may_return_slices():
    table = tf.Variable(np.ones((3, 2), np.float32))

    @tf.custom_gradient
    def scaled_rows(t):
        def grad_fn(g):   # only row 2, twice as much
            return tf.IndexedSlices(2.0 * g[:1], tf.constant([2]), tf.shape(t))
        return t * 1.0, grad_fn
    (grad,) = tf.gradients(tf.reduce_sum(scaled_rows(table)), [table])
    assert isinstance(grad, tf.IndexedSlices)
    np.testing.assert_array_equal(run(tf.convert_to_tensor(grad)), [[0, 0], [0, 0], [2, 2]])


def test_lookups_are_gatherv2_ops_and_their_gradient_can_be_overridden():
    table = tf.Variable(np.ones((3, 2)))

    @tf.RegisterGradient("FiveTimesTheRowsForSlicesTest")
    def _five_times(op, grad):
        return [tf.IndexedSlices(grad * 5.0, op.inputs[1], tf.shape(op.inputs[0]))] + [None] * (len(op.inputs) - 1)
    with tf.get_default_graph().gradient_override_map({"GatherV2": "FiveTimesTheRowsForSlicesTest"}):
        rows = tf.gather(table, [0, 2])
    assert rows.op.type == "GatherV2" and tf.nn.embedding_lookup(table, [1]).op.type == "GatherV2"
    (grad,) = tf.gradients(tf.reduce_sum(rows), [table])
    assert isinstance(grad, tf.IndexedSlices)   # what the registered function returned, as it returned it
    np.testing.assert_array_equal(run(tf.convert_to_tensor(grad)), [[5, 5], [0, 0], [5, 5]])
