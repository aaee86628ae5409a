"""TF calls that need an input's rank while the graph is built, on placeholders made without a shape: each is
built when the graph runs, for the shapes fed (``run_time_rank.py``), and must give the values and gradients the
same call gives on placeholders of known shape (central differences check the gradients). Then what rests on the
same mechanism: metrics and losses placing labels and weights, None gradients, errors, frozen graphs."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))

#: name -> a call on two [2, 3] inputs that needs their rank
NEEDS_THE_RANK = {
    "transpose": lambda x, y: tf.transpose(x),
    "transpose with perm": lambda x, y: tf.transpose(x * y, [1, 0]),
    "index": lambda x, y: x[1],
    "slice and newaxis": lambda x, y: x[:, None, 1:],
    "ellipsis": lambda x, y: y[..., -1],
    "concat": lambda x, y: tf.concat([x, y], -1),
    "stack": lambda x, y: tf.stack([x, y], axis=1),
    "expand_dims": lambda x, y: tf.expand_dims(x, 1) * y,
    "squeeze": lambda x, y: tf.squeeze(x[:1]),
    "tile": lambda x, y: tf.tile(x, [2, 1]),
    "pad": lambda x, y: tf.pad(x, [[1, 0], [0, 2]]),
    "reverse": lambda x, y: tf.reverse(x, [1]),
    "cumsum": lambda x, y: tf.cumsum(x, 1, reverse=True),
    "matmul": lambda x, y: tf.matmul(x, y, transpose_b=True),
    "tensordot": lambda x, y: tf.tensordot(x, y, [[1], [1]]),
    "einsum": lambda x, y: tf.einsum("ij,kj->ik", x, y),
    "top_k": lambda x, y: tf.nn.top_k(x, 2).values,
    "gather": lambda x, y: tf.gather(x, [2, 0, 2], axis=1),
    "split": lambda x, y: tf.split(x, 3, axis=1)[1] * tf.split(y, 3, axis=1)[2],
    "unstack": lambda x, y: tf.unstack(x, num=2)[1],
    "broadcast_to": lambda x, y: tf.broadcast_to(x, [2, 2, 3]),
    "segment_sum": lambda x, y: tf.segment_sum(x, [0, 0]),
    "softmax cross-entropy": lambda x, y: tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.nn.softmax(y),
                                                                                      logits=x),
    "matrix_inverse": lambda x, y: tf.matrix_inverse(tf.matmul(x, x, transpose_b=True) + 3 * tf.eye(2, 2, [],
                                                                                                    tf.float64)),
    "where of a 1-D condition": lambda x, y: tf.where(x[:, 0] > 0, x, y),
    "slice bound from the graph": lambda x, y: x[:, :tf.shape(y)[1] - 1],
    "pad by a tensor": lambda x, y: tf.pad(x, [[0, tf.shape(y)[0]], [1, 0]]),
    "diag (sizes needed)": lambda x, y: tf.diag(x[0]),
    "reduce_max over an axis": lambda x, y: tf.reduce_max(x * y, 1),
    "reduce_prod (its gradient)": lambda x, y: tf.reduce_prod(x + 3, 1),
    "sort (its gradient)": lambda x, y: tf.sort(x * y, axis=0),
    "tile by a tensor (its gradient)": lambda x, y: tf.tile(x, tf.shape(y)[::-1] - 1),
}


@pytest.mark.parametrize("call", NEEDS_THE_RANK.values(), ids=NEEDS_THE_RANK.keys())
def test_a_call_that_needs_the_rank_gives_what_it_gives_on_known_shapes(call):
    shaped = [tf.placeholder(tf.float64, (2, 3)) for _ in range(2)]
    shapeless = [tf.placeholder(tf.float64) for _ in range(2)]
    expected = run(call(*shaped), dict(zip(shaped, (A, B))))
    np.testing.assert_allclose(run(call(*shapeless), dict(zip(shapeless, (A, B)))), expected, rtol=1e-12)


@pytest.mark.parametrize("call", NEEDS_THE_RANK.values(), ids=NEEDS_THE_RANK.keys())
def test_its_gradients_match_central_differences(call):
    check_gradients(call, A, B, shapes_known=False)


def test_second_order_gradients_go_through_it():
    def hessian_diagonal_sum(x):
        y = tf.reduce_sum(tf.matmul(x, x, transpose_b=True) ** 2)
        return tf.reduce_sum(tf.gradients(tf.gradients(y, x)[0] * x, x)[0])
    shaped, shapeless = tf.placeholder(tf.float64, (2, 3)), tf.placeholder(tf.float64)
    np.testing.assert_allclose(run(hessian_diagonal_sum(shapeless), {shapeless: A}),
                               run(hessian_diagonal_sum(shaped), {shaped: A}), rtol=1e-12)


def test_the_call_is_one_operation_with_unknown_shape_that_takes_each_rank_fed():
    x = tf.placeholder(tf.float32, name="x")
    turned = tf.transpose(x, name="turned")
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["x", "turned"]
    assert turned.op.type == "RunTimeRank" and turned.shape.ndims is None and turned.dtype == tf.float32
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(turned, {x: cube[0]}), cube[0].T)
        np.testing.assert_array_equal(sess.run(turned, {x: cube}), cube.transpose(2, 1, 0))
        np.testing.assert_array_equal(sess.run(turned, {x: cube[0, 0]}), cube[0, 0])


def test_a_rank_the_call_refuses_is_the_runs_error_naming_the_op_and_the_shapes():
    x = tf.placeholder(tf.float32)
    swapped = tf.transpose(x, [1, 0], name="swapped")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"swapped, built when run for inputs of shapes "
                                                              r"\[2, 3, 4\]: .*perm"):
        run(swapped, {x: np.zeros((2, 3, 4), np.float32)})


def test_it_is_built_inside_cond_and_while_loop_bodies_with_their_gradients():
    x, steps = tf.placeholder(tf.float64), tf.placeholder(tf.int32, [])
    branch = tf.cond(tf.constant(True), lambda: tf.transpose(x), lambda: x * 2)
    _, turned = tf.while_loop(lambda i, a: i < steps, lambda i, a: (i + 1, tf.transpose(a) * 2), [0, x],
                              shape_invariants=[tf.TensorShape([]), tf.TensorShape(None)])
    weights = RNG.standard_normal((3, 2))
    gradient = tf.gradients(tf.reduce_sum(turned * weights), x)[0]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(branch, {x: A}), A.T)
        np.testing.assert_allclose(sess.run(turned, {x: A, steps: 3}), 8 * A.T)
        np.testing.assert_allclose(sess.run(gradient, {x: A, steps: 3}), 8 * weights.T)


def test_a_call_whose_graph_draws_random_numbers_keeps_its_error():
    """Its gradient would build the call again and draw other numbers: it is not deferred, and the graph keeps
    nothing of the attempt."""
    x = tf.placeholder(tf.float32, name="x")
    with pytest.raises(ValueError, match="'image' contains no shape"):
        tf.image.random_flip_left_right(x)
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["x"]


def test_a_gradient_the_call_does_not_connect_is_none_as_in_tf():
    """``tf.gradients`` says None for an input the outputs do not depend on differentiably — through a deferred
    call too, so that an optimizer still finds "no gradient" where TF does."""
    logits, labels = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)   # (no gradient into labels)
    to_labels, to_logits = tf.gradients(loss, [labels, logits])
    assert to_labels is None and to_logits is not None


def test_sparse_cross_entropy_of_shapeless_logits_and_labels_trains():
    """The beginner's classifier with neither placeholder shaped: logits of rank 2 beside labels of rank 1."""
    x, y = tf.placeholder(tf.float32), tf.placeholder(tf.int64)
    w, b = tf.Variable(tf.zeros([4, 3])), tf.Variable(tf.zeros([3]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    features = RNG.standard_normal((90, 4)).astype(np.float32)
    labels = np.argmax(features[:, :3], 1).astype(np.int64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            sess.run(train, {x: features, y: labels})
        assert sess.run(accuracy, {x: features, y: labels}) > 0.9


@pytest.mark.parametrize("metric, values, weights, expected", [
    (tf.metrics.mean, np.arange(9.0).reshape(3, 3), [1.0, 0.0, 0.0], 1.0),   # [N] weights weigh rows
    (tf.metrics.mean, np.arange(3.0), [[1.0], [0.0], [1.0]], 1.0),           # [N, 1] weights one per value
], ids=["rows", "squeezed"])
def test_metric_weights_of_another_rank_are_placed_when_the_graph_runs(metric, values, weights, expected):
    v, w = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    value, update = metric(v, w)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {v: values, w: weights})
        assert sess.run(value) == pytest.approx(expected)


def test_metric_labels_with_a_trailing_dim_are_squeezed_when_the_graph_runs():
    labels, predictions = tf.placeholder(tf.bool), tf.placeholder(tf.bool)
    value, update = tf.metrics.precision(labels, predictions)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {labels: [[True], [False], [True]], predictions: [True, True, False]})
        assert sess.run(value) == pytest.approx(0.5)


def test_loss_weights_that_would_weigh_columns_are_refused_when_the_graph_runs():
    labels, predictions, weights = (tf.placeholder(tf.float32) for _ in range(3))
    loss = tf.losses.mean_squared_error(labels, predictions, weights=weights)
    feed = {labels: np.ones((3, 3)), predictions: np.arange(9.0).reshape(3, 3)}
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="weights can not be broadcast to values"):
            sess.run(loss, {**feed, weights: [1.0, 0.0, 0.0]})
        assert sess.run(loss, {**feed, weights: [[1.0], [0.0], [0.0]]}) == pytest.approx(2 / 3)


def test_sparse_cross_entropy_loss_squeezes_labels_of_shape_batch_by_one():
    labels, logits = tf.placeholder(tf.int64), tf.placeholder(tf.float32, [None, 3])
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    values = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]], np.float32)
    expected = np.mean(np.log(np.exp(values).sum(1)) - values[[0, 1], [0, 2]])
    assert run(loss, {labels: [[0], [2]], logits: values}) == pytest.approx(expected, rel=1e-6)


def test_dropout_of_a_python_rate_takes_a_shapeless_input():
    x = tf.placeholder(tf.float32)
    kept = run(tf.nn.dropout(x, rate=0.5, seed=1), {x: np.ones((20, 30), np.float32)})
    assert kept.shape == (20, 30) and set(np.unique(kept)) <= {0.0, 2.0} and 0.3 < np.mean(kept == 0) < 0.7


def test_a_frozen_graph_keeps_the_inputs_of_a_deferred_call():
    """Its Python code cannot be saved (a stand-in says so when run), but cutting the graph down to what a
    fetch needs keeps the placeholder it reads, so the stand-in's inputs still exist."""
    x, w = tf.placeholder(tf.float32, name="x"), tf.Variable(2.0)
    tf.identity(tf.transpose(x) * w, name="y")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["y"])
    assert {"x", "transpose", "y"} <= {node.name for node in frozen.node}
    assert [node.input for node in frozen.node if node.name == "transpose"] == [["x"]]


def test_an_error_inside_the_built_call_names_the_operation_the_program_made():
    x, indices = tf.placeholder(tf.float32), tf.placeholder(tf.int32)
    picked = tf.gather(x, indices, axis=1, name="picked")
    with pytest.raises(tf.errors.InvalidArgumentError, match="picked, built when run, failed in its op InBounds: "
                                                             "(.|\n)*index 5 is out of bounds(.|\n)*Caused by op "
                                                             "'picked'"):
        run(picked, {x: np.ones((2, 3), np.float32), indices: [5]})
