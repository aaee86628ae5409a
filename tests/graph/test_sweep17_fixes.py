"""TF1 behaviours a sweep of classic TF1 programs found missing or different (session 17)."""
import numpy
import pytest

import minidl.graph as tf


def test_shapes_built_from_stack_concat_and_slices_of_tf_shape_keep_their_known_dims():
    x = tf.placeholder(tf.float32, [None, 10, 8])
    batch = tf.shape(x)[0]
    assert tf.reshape(x, tf.stack([batch, 80])).shape.as_list() == [None, 80]
    assert tf.zeros(tf.stack([batch, 7])).shape.as_list() == [None, 7]
    split_last = tf.reshape(x, tf.concat([tf.shape(x)[:-1], [4, 2]], 0))
    assert split_last.shape.as_list() == [None, 10, 4, 2]
    assert tf.reshape(tf.ones([80]), tf.shape(x)[1:]).shape.as_list() == [10, 8]
    assert tf.reshape(x, tf.concat([[-1], tf.shape(x)[2:]], 0)).shape.as_list() == [None, 8]  # -1: inferred
    dense = tf.layers.dense(tf.reshape(x, tf.stack([batch, 80])), 3)  # needs the last dim known
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, parts = sess.run([dense, split_last], {x: numpy.ones((2, 10, 8))})
    assert out.shape == (2, 3) and parts.shape == (2, 10, 4, 2)


def test_per_example_gradients_inside_map_fn_with_respect_to_an_outer_variable():
    w = tf.Variable([[1.0], [2.0]])
    unused = tf.Variable(3.0)
    examples = numpy.array([[1.0, 0.0], [0.0, 3.0], [2.0, -1.0]], dtype=numpy.float32)
    seen = []

    def per_example(x):
        seen.append(tf.gradients(tf.reduce_sum(x * 2.0), unused)[0])  # the body never reads it: None
        return tf.gradients(tf.reduce_sum(tf.matmul(x[None], w) ** 2), w)[0]
    grads = tf.map_fn(per_example, tf.constant(examples))
    counted = tf.while_loop(lambda i, total: i < 3,
                            lambda i, total: (i + 1, total + tf.gradients(w[0, 0] ** 2 * tf.cast(i, tf.float32),
                                                                          w)[0]),
                            (0, tf.zeros([2, 1])))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, (_, total) = sess.run([grads, counted])
    w_np = numpy.array([[1.0], [2.0]])
    expected = [2 * (x @ w_np) * x[:, None] for x in examples]  # d (x w)^2 / dw = 2 (x w) x
    numpy.testing.assert_allclose(got, expected, rtol=1e-6)
    numpy.testing.assert_allclose(total, [[2 * (0 + 1 + 2)], [0]])  # d(w00^2 i)/dw00 = 2 w00 i
    assert seen == [None]


def test_rounding_has_no_gradient_in_tf_and_an_optimizer_says_so():
    w = tf.Variable([0.3, 1.7])
    for rounding in (tf.round, tf.floor, tf.ceil, tf.rint):
        assert tf.gradients(tf.reduce_sum(rounding(w)), w) == [None]
    assert tf.gradients(tf.reduce_sum(tf.sign(w)), w)[0] is not None  # sign's gradient is zeros in TF
    with pytest.raises(ValueError, match="No gradients provided"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(tf.round(w)))


def test_gradient_override_map_to_a_built_in_gradient_the_straight_through_estimator():
    x = tf.constant([-1.5, 0.3, 2.0])
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Sign": "Identity", "Round": "Identity"}):
        binary, rounded = tf.sign(x), tf.round(x)
    with graph.gradient_override_map({"Identity": "StopGradient"}):
        stopped = tf.identity(x)
    (through_sign,) = tf.gradients(tf.reduce_sum(binary * [1.0, 2.0, 3.0]), x)
    (through_round,) = tf.gradients(tf.reduce_sum(rounded * 5.0), x)
    assert tf.gradients(tf.reduce_sum(stopped), x) == [None]
    with tf.Session() as sess:
        numpy.testing.assert_allclose(sess.run(through_sign), [1.0, 2.0, 3.0])
        numpy.testing.assert_allclose(sess.run(through_round), [5.0, 5.0, 5.0])
    with graph.gradient_override_map({"Sign": "NoSuchGradient"}):
        unknown = tf.sign(x)
    with pytest.raises(LookupError, match="NoSuchGradient"):
        tf.gradients(unknown, x)


def test_a_slice_of_a_variable_can_be_assigned_to():
    v = tf.Variable(tf.zeros([3, 4]))
    row = v[0].assign(tf.ones([4]))
    block = v[:, 1:3].assign(2 * tf.ones([3, 2]))
    i = tf.placeholder(tf.int32, [])
    dynamic = v[i].assign([7.0, 7.0, 7.0, 7.0])
    assert row.shape.as_list() == [3, 4]  # the whole new value, as TF's strided_slice_assign outputs
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(row)
        sess.run(block)
        sess.run(dynamic, {i: 2})
        numpy.testing.assert_array_equal(sess.run(v), [[1, 2, 2, 1], [0, 2, 2, 0], [7, 7, 7, 7]])
    with pytest.raises(ValueError, match="sliced l-value shape"):
        v[0].assign(1.0)
    with pytest.raises(NotImplementedError, match="scatter_update"):
        v[i:].assign(tf.ones([1, 4]))  # bounds known only at run time
    unknown = tf.placeholder(tf.float32)  # no shape: checked when the graph runs
    middle = v[1, 1:3].assign(unknown)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(middle, {unknown: [5.0, 6.0]})[1].tolist() == [0.0, 5.0, 6.0, 0.0]
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(middle, {unknown: [5.0, 6.0, 7.0]})
    (grad,) = tf.gradients(tf.reduce_sum(v[1] * 3.0), v)  # the slice is still an ordinary tensor
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        numpy.testing.assert_array_equal(sess.run(grad), [[0] * 4, [3] * 4, [0] * 4])


def test_add_n_does_not_broadcast():
    with pytest.raises(ValueError, match="AddN"):
        tf.add_n([tf.ones([2]), tf.ones([])])
    with pytest.raises(ValueError, match="AddN"):
        tf.add_n([tf.ones([2, 1]), tf.ones([1, 3])])
    assert tf.add_n([tf.placeholder(tf.float32, [None, 3]), tf.ones([2, 3])]).shape.as_list() == [2, 3]


def test_metrics_name_their_value_and_update_op_as_tf_does():
    accuracy, update = tf.metrics.accuracy([1, 0], [1, 1], name="my_acc")
    assert (accuracy.name, update.name) == ("my_acc/value:0", "my_acc/update_op:0")
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == 0.5 and sess.run(accuracy) == 0.5


def test_restoring_a_checkpoint_that_is_not_there_is_tf_1_15s_value_error(tmp_path):
    tf.Variable(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "missing.ckpt"))
        with pytest.raises(tf.errors.NotFoundError):  # what older TF1 raised, and programs catch
            tf.train.Saver().restore(sess, str(tmp_path / "missing.ckpt"))


def test_sparse_ctc_labels_the_decoders_sparse_output_and_the_error_rate():
    rng = numpy.random.default_rng(3)
    logits = tf.constant(rng.standard_normal((6, 2, 4)).astype(numpy.float32))  # time-major, blank = class 3
    targets = tf.sparse_placeholder(tf.int32)  # no shape, as the CTC tutorial writes it
    lengths = [6, 5]
    loss = tf.reduce_mean(tf.nn.ctc_loss(targets, logits, lengths))
    (decoded,), _ = tf.nn.ctc_greedy_decoder(logits, lengths)
    error_rate = tf.reduce_mean(tf.edit_distance(tf.cast(decoded, tf.int32), targets))
    dense_targets = tf.sparse.to_dense(targets)  # of unknown rank: the run takes it from the dense_shape fed
    labels = tf.SparseTensorValue([[0, 0], [0, 1], [1, 0]], numpy.array([1, 2, 0], numpy.int32), [2, 2])
    with tf.Session() as sess:
        value, rate, best, dense = sess.run([loss, error_rate, decoded, dense_targets], {targets: labels})
    assert numpy.isfinite(value) and value > 0 and numpy.isfinite(rate)
    assert isinstance(best, tf.SparseTensorValue) and best.indices.shape[1] == 2
    assert not dense_targets.shape.rank_known and dense.tolist() == [[1, 2], [0, 0]]


def test_concat_of_one_tensor_a_static_transposed_batch_and_an_empty_add_n():
    outputs = tf.placeholder(tf.float32, [None, 5, 3])
    assert tf.concat(outputs, 1).shape.as_list() == [None, 5, 3]  # a tensor, not a list: itself
    x = tf.placeholder(tf.float32, [None, 4, 4, 8])
    up = tf.nn.conv2d_transpose(x, tf.ones([5, 5, 1, 8]), [4, 8, 8, 1], [1, 2, 2, 1])
    assert up.shape.as_list() == [4, 8, 8, 1]  # the batch of a constant output_shape, as TF's shape function
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.add_n([])
