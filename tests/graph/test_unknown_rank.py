"""Placeholders made without a shape (``tf.placeholder(tf.float32)``): their rank is known only when they are fed.
TF1's linear-regression tutorials are written this way (and sentdex's classifier, for its labels); elementwise
math, reductions, matmul, the cross-entropy and their gradients must work. An op that needs a fixed rank
(convolutions, pooling, CTC) assumes it, as TF's shape functions do, and checks it when the graph runs; the other
calls that need the rank while the graph is built are built when it runs (test_run_time_rank.py)."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

RNG = np.random.default_rng(0)
FEEDS = [np.float32(2.5), np.arange(1, 7, dtype=np.float32).reshape(2, 3), np.array([0.5, -1.0, 4.0], np.float32)]


def test_linear_regression_with_shapeless_placeholders_fits_the_line():
    xs = np.linspace(0, 1, 9, dtype=np.float32)
    ys = 3 * xs + 0.5
    X, Y = tf.placeholder("float"), tf.placeholder("float")
    W, b = tf.Variable(0.0, name="weight"), tf.Variable(0.0, name="bias")
    prediction = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(prediction - Y, 2)) / (2 * len(xs))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    assert prediction.shape.ndims is None and cost.shape == ()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            for x, y in zip(xs, ys):  # fed one number at a time ...
                sess.run(train, {X: x, Y: y})
        final = sess.run(cost, {X: xs, Y: ys})  # ... and all at once
        assert final < 1e-5
        assert sess.run(W) == pytest.approx(3.0, abs=1e-2) and sess.run(b) == pytest.approx(0.5, abs=1e-2)


@pytest.mark.parametrize("value", FEEDS, ids=lambda v: f"rank{np.ndim(v)}")
@pytest.mark.parametrize("reduce, reference, gradient", [
    (tf.reduce_sum, np.sum, lambda x: np.ones_like(x)),
    (tf.reduce_mean, np.mean, lambda x: np.full_like(x, 1 / x.size)),
    (tf.reduce_max, np.max, lambda x: (x == x.max()).astype(x.dtype)),
    (tf.reduce_min, np.min, lambda x: (x == x.min()).astype(x.dtype)),
    (tf.reduce_prod, np.prod, lambda x: np.prod(x) / x),
    (tf.reduce_logsumexp, lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x))),
    (tf.norm, np.linalg.norm, lambda x: x / np.linalg.norm(x)),
], ids=lambda f: getattr(f, "__name__", ""))
def test_whole_reductions_and_their_gradients_take_any_rank(reduce, reference, gradient, value):
    x = tf.placeholder(tf.float32)
    y = reduce(x)
    (dx,) = tf.gradients(y, [x])
    assert y.shape == ()
    result, grad = run([y, dx], {x: value})
    np.testing.assert_allclose(result, reference(value), rtol=1e-5)
    np.testing.assert_allclose(grad, gradient(value), rtol=1e-5)
    assert np.shape(grad) == np.shape(value)


def test_keepdims_gives_an_unknown_rank_and_elementwise_results_stay_unknown():
    x = tf.placeholder(tf.float32)
    kept = tf.reduce_sum(x * 2, keepdims=True)
    assert kept.shape.ndims is None and tf.sigmoid(x).shape.ndims is None
    assert run(kept, {x: FEEDS[1]}).tolist() == [[42.0]]


def test_reshape_and_losses_accept_a_shapeless_placeholder():
    x = tf.placeholder(tf.float32)
    flat = tf.reshape(x, [-1])
    loss = tf.losses.mean_squared_error(x, x * 2)
    (grad,) = tf.gradients(loss, [x])
    assert flat.shape.as_list() == [None]
    f, l, g = run([flat, loss, grad], {x: FEEDS[1]})
    assert f.tolist() == [1, 2, 3, 4, 5, 6]
    assert l == pytest.approx(np.mean(FEEDS[1] ** 2))
    np.testing.assert_allclose(g, 2 * FEEDS[1] / FEEDS[1].size, rtol=1e-6)


def test_the_beginner_classifier_with_shapeless_labels():
    """sentdex's TF1 tutorial: ``y = tf.placeholder('float')`` meets the logits in the cross-entropy (which gives
    it their shape, checked when fed), in ``argmax(y, 1)``, and a shapeless input goes through ``matmul``."""
    rng = np.random.default_rng(0)
    images = rng.standard_normal((60, 4)).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[images[:, :3].argmax(1)]
    x, y = tf.placeholder("float", [None, 4]), tf.placeholder("float")
    W, b = tf.Variable(tf.zeros([4, 3])), tf.Variable(tf.zeros([3]))
    logits = tf.matmul(x, W) + b
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, "float"))
    assert tf.argmax(y, 1).shape.ndims is None and tf.argmax(y, 1).dtype == tf.int64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(100):
            sess.run(train, {x: images, y: onehot})
        assert accuracy.eval({x: images, y: onehot}) >= 0.9
        with pytest.raises(tf.errors.InvalidArgumentError):  # labels that do not fit the logits
            sess.run(cost, {x: images, y: onehot[:, :2]})
        shapeless = tf.placeholder(tf.float32)
        product = tf.matmul(shapeless, W + 1.0)
        grad_w, grad_x = tf.gradients(tf.reduce_sum(product), [W, shapeless])
        value = images[:2]
        got = sess.run([product, grad_w, grad_x], {shapeless: value})
        np.testing.assert_allclose(got[0], value @ np.ones((4, 3)) + value @ sess.run(W), rtol=1e-5)
        np.testing.assert_allclose(got[1], value.sum(0)[:, None].repeat(3, 1), rtol=1e-6)
        np.testing.assert_allclose(got[2], (sess.run(W) + 1).sum(1)[None].repeat(2, 0), rtol=1e-6)


@pytest.mark.parametrize("reduce, reference", [(tf.reduce_sum, np.sum), (tf.reduce_max, np.max),
                                               (tf.argmax, np.argmax), (tf.reduce_mean, np.mean)],
                         ids=lambda f: getattr(f, "__name__", ""))
def test_an_axis_counted_from_the_front_needs_no_rank(reduce, reference):
    x = tf.placeholder(tf.float32)
    y = reduce(x, 1)
    assert y.shape.ndims is None
    np.testing.assert_allclose(run(y, {x: FEEDS[1]}), reference(FEEDS[1], axis=1), rtol=1e-6)


@pytest.mark.parametrize("build, expected", [
    (lambda b: tf.zeros([b, 2]), np.zeros((3, 2), np.float32)),
    (lambda b: tf.stack([b, 2]), np.array([3, 2], np.int32)),
    (lambda b: tf.shape(tf.random_normal([b, 2])), np.array([3, 2], np.int32)),
    (lambda b: tf.reshape(tf.range(6), [b, -1]), np.arange(6).reshape(3, 2)),
    (lambda b: tf.fill([b, b], 1.5), np.full((3, 3), 1.5, np.float32)),
    (lambda b: tf.nn.rnn_cell.BasicLSTMCell(4).zero_state(b, tf.float32).h, np.zeros((3, 4), np.float32)),
], ids=["zeros", "stack", "random_normal", "reshape", "fill", "zero_state"])
def test_a_shapeless_scalar_placeholder_stands_for_a_dim_of_a_shape(build, expected):
    """``batch_size = tf.placeholder(tf.int32)`` (no shape given), then ``[batch_size, 2]``: an entry of a shape is
    a scalar, so the graph takes it as one (TF takes any rank while it builds); a fed non-scalar is refused."""
    batch_size = tf.placeholder(tf.int32)
    result = build(batch_size)
    assert result.shape.ndims == expected.ndim
    np.testing.assert_array_equal(run(result, {batch_size: 3}), expected)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape '\[\]' is invalid for input of size 2"):
        run(result, {batch_size: [3, 3]})


# ------------------------------------------------------------ shapes, and ops that assume a rank


def test_shapes_of_unknown_rank_stay_unknown():
    unknown = tf.placeholder(tf.float32).shape
    assert not tf.TensorShape(unknown).rank_known  # a copy of it is not a scalar's shape
    assert unknown[0] is None and unknown[-1] is None and not unknown[1:].rank_known  # as TF: Dimension(None)
    p = tf.placeholder(tf.float32)
    assert not tf.accumulate_n([p, p]).shape.rank_known
    value = np.ones((4, 5), np.float32)
    with_default = tf.placeholder_with_default(value, p.shape)
    assert not with_default.shape.rank_known
    np.testing.assert_array_equal(run(with_default), value)


def test_dynamic_stitch_reads_the_row_shape_off_a_pair_of_known_ranks():
    first = tf.placeholder(tf.int32)
    merged = tf.dynamic_stitch([first, tf.constant([1, 3])], [tf.constant([[1., 2.], [3., 4.]]),
                                                              tf.constant([[5., 6.], [7., 8.]])])
    assert merged.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(merged, {first: [0, 2]}), [[1, 2], [5, 6], [3, 4], [7, 8]])


def _conv2d_and_pool(x, w):
    y = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"))
    return tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")


def _conv1d(x, w):
    return tf.nn.conv1d(x, w, 1, "VALID")


def _conv3d_and_pool(x, w):
    return tf.nn.avg_pool3d(tf.nn.conv3d(x, w, [1] * 5, "SAME"), [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")


@pytest.mark.parametrize("build, x_shape, w_shape", [
    (_conv2d_and_pool, (2, 6, 6, 3), (3, 3, 3, 4)),
    (_conv1d, (2, 7, 3), (2, 3, 4)),
    (_conv3d_and_pool, (1, 4, 4, 4, 2), (2, 2, 2, 2, 3)),
])
def test_convolutions_and_pools_take_inputs_of_unknown_rank(build, x_shape, w_shape):
    """The values and both gradients equal those of the same graph on constants; the rank becomes known (its
    dims do not), and an input of another rank is refused when the graph runs."""
    x_value = RNG.standard_normal(x_shape)
    w = tf.constant(RNG.standard_normal(w_shape))
    x = tf.placeholder(tf.float64)
    out = build(x, w)
    assert out.shape.as_list()[:-1] == [None] * (len(x_shape) - 1)
    x_constant = tf.constant(x_value)
    reference = build(x_constant, w)
    got = run([out] + tf.gradients(tf.reduce_sum(tf.sin(out)), [x, w]), {x: x_value})
    expected = run([reference] + tf.gradients(tf.reduce_sum(tf.sin(reference)), [x_constant, w]))
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is not compatible with expected shape"):
        run(out, {x: x_value[0]})


def test_ctc_loss_takes_logits_of_unknown_rank():
    logits_value = RNG.standard_normal((5, 2, 4)).astype(np.float32)  # [time, batch, classes]
    labels = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [1, 2, 1], [2, 2])
    logits = tf.placeholder(tf.float32)
    loss = tf.nn.ctc_loss(labels, logits, [5, 5])
    reference = tf.nn.ctc_loss(labels, tf.constant(logits_value), [5, 5])
    np.testing.assert_allclose(run(loss, {logits: logits_value}), run(reference), rtol=1e-6)


def test_eye_of_sizes_known_when_the_graph_runs():
    x = tf.placeholder(tf.float32, [None, 3])
    rows = tf.shape(x)[0]
    square, wide = tf.eye(rows), tf.eye(rows, 3, dtype=tf.int32)
    batched = tf.eye(2, batch_shape=tf.shape(x)[:1])
    assert square.shape.as_list() == [None, None] and wide.shape.as_list() == [None, 3]
    got = run([square, wide, batched], {x: np.zeros((2, 3))})
    np.testing.assert_array_equal(got[0], np.eye(2, dtype=np.float32))
    assert got[1].dtype == np.int32 and got[1].tolist() == np.eye(2, 3).tolist()
    np.testing.assert_array_equal(got[2], np.broadcast_to(np.eye(2), (2, 2, 2)))


def test_an_object_array_of_str_fed_as_strings_becomes_bytes():
    names = tf.placeholder(tf.string)
    got = run([tf.strings.upper(names), tf.strings.join([names, names], "-")],
              {names: np.array(["ab", "c"], dtype=object)})
    assert got[0].tolist() == [b"AB", b"C"] and got[1].tolist() == [b"ab-ab", b"c-c"]


def test_slice_of_sizes_computed_at_run_time_takes_its_rank_from_begin():
    x = tf.placeholder(tf.float32)
    corner = tf.slice(x, [1, 1], tf.shape(x) - 1)
    value = np.arange(9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(run(corner, {x: value}), value[1:, 1:])
    rows = tf.slice(x, tf.constant([1, 0]), tf.constant([1, -1]))
    np.testing.assert_array_equal(run(rows, {x: value}), value[1:2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="begin and size of the input's rank"):
        run(rows, {x: value[None]})
    begin, size = tf.placeholder(tf.int32), tf.placeholder(tf.int32)   # (no rank anywhere: built when run)
    np.testing.assert_array_equal(run(tf.slice(x, begin, size), {x: value, begin: [1, 0], size: [1, -1]}),
                                  value[1:2])


@pytest.mark.parametrize("rows, cols", [(2, 3), (3, 2), (3, 3)])
def test_diagonals_of_matrices_whose_sizes_show_when_the_graph_runs(rows, cols):
    """diag_part, trace and matrix_diag of [None, None] inputs: the diagonal's mask is made when the graph runs;
    values and gradients as numpy's (the gradient of a diagonal's sum is the identity's pattern)."""
    value = RNG.standard_normal((rows, cols))
    x = tf.placeholder(tf.float64, [None, None])
    vector = tf.placeholder(tf.float64, [None])
    part, total, matrix = tf.linalg.diag_part(x), tf.trace(x), tf.matrix_diag(vector)
    assert part.shape.as_list() == [None] and matrix.shape.as_list() == [None, None]
    grads = tf.gradients(tf.reduce_sum(part * 3) + tf.reduce_sum(matrix ** 2), [x, vector])
    diagonal = np.diagonal(value)
    got = run([part, total, matrix] + grads, {x: value, vector: diagonal})
    np.testing.assert_allclose(got[0], diagonal)
    np.testing.assert_allclose(got[1], np.trace(value))
    np.testing.assert_allclose(got[2], np.diag(diagonal))
    np.testing.assert_allclose(got[3], 3 * np.eye(rows, cols))
    np.testing.assert_allclose(got[4], 2 * diagonal)
    batch = tf.placeholder(tf.float64, [None, None, None])
    stacked = np.stack([value, -value])
    np.testing.assert_allclose(run(tf.linalg.diag_part(batch), {batch: stacked}),
                               np.diagonal(stacked, axis1=1, axis2=2))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_of_vectors_whose_lengths_show_when_the_graph_runs(indexing):
    x, y = tf.placeholder(tf.float64, [None]), tf.placeholder(tf.float64, [None])
    grid_x, grid_y = tf.meshgrid(x, y, indexing=indexing)
    assert grid_x.shape.as_list() == [None, None]
    grads = tf.gradients(tf.reduce_sum(grid_x * grid_y), [x, y])
    xs, ys = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0])
    got = run([grid_x, grid_y] + grads, {x: xs, y: ys})
    expected = np.meshgrid(xs, ys, indexing=indexing)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_allclose(got[2], np.full(3, ys.sum()))  # d/dx_i of sum_ij x_i y_j
    np.testing.assert_allclose(got[3], np.full(2, xs.sum()))


@pytest.mark.parametrize("normalize, reference", [
    (tf.nn.softmax, lambda v: np.exp(v) / np.exp(v).sum(-1, keepdims=True)),
    (tf.nn.log_softmax, lambda v: v - np.log(np.exp(v).sum(-1, keepdims=True))),
], ids=["softmax", "log_softmax"])
def test_softmax_over_the_last_dim_of_unknown_rank(normalize, reference):
    """The default axis, the last, of a tensor whose rank shows when the graph runs: computed over the rows of
    its last dim; the values and the gradient as for the same graph on a constant."""
    value = RNG.standard_normal((2, 3, 4))
    x = tf.placeholder(tf.float64)
    out = normalize(x)
    constant = tf.constant(value)
    known = normalize(constant)
    got = run([out, tf.gradients(tf.reduce_sum(out * out), x)[0]], {x: value})
    expected = run([known, tf.gradients(tf.reduce_sum(known * known), constant)[0]])
    np.testing.assert_allclose(got[0], reference(value), rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    np.testing.assert_allclose(run(out, {x: value[0, 0]}), reference(value[0, 0]), rtol=1e-12)  # any rank


def test_reductions_over_axes_counted_from_the_end_of_an_unknown_rank():
    """Placed when the graph runs (as an axis tensor is): values and gradients as numpy's."""
    value = RNG.standard_normal((2, 3, 4))
    x = tf.placeholder(tf.float64)
    last, two = tf.reduce_sum(x, axis=-1), tf.reduce_mean(x, axis=[-1, 0], keepdims=True)
    (grad,) = tf.gradients(tf.reduce_sum(last * last) + tf.reduce_sum(two), [x])
    got = run([last, two, tf.reduce_max(x, -1), grad], {x: value})
    np.testing.assert_allclose(got[0], value.sum(-1), rtol=1e-12)
    np.testing.assert_allclose(got[1], value.mean(axis=(0, 2), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(got[2], value.max(-1), rtol=1e-12)
    np.testing.assert_allclose(got[3], np.broadcast_to(2 * value.sum(-1, keepdims=True) + 1 / 8, value.shape),
                               rtol=1e-12)


def test_argmax_and_argmin_over_the_last_dim_of_an_unknown_rank():
    value = RNG.standard_normal((2, 3, 4))
    x = tf.placeholder(tf.float64)
    biggest, smallest = tf.argmax(x, -1), tf.argmin(x, axis=-1, output_type=tf.int32)
    got = run([biggest, smallest], {x: value})
    np.testing.assert_array_equal(got[0], value.argmax(-1))
    np.testing.assert_array_equal(got[1], value.argmin(-1))
    assert got[1].dtype == np.int32 and run(biggest, {x: [3.0, 1.0, 5.0]}) == 2  # any rank


@pytest.mark.parametrize("axis", [0, -1])
def test_expand_dims_at_either_end_of_an_unknown_rank(axis):
    value = RNG.standard_normal((2, 3))
    x = tf.placeholder(tf.float64)
    out = tf.expand_dims(x, axis)
    (grad,) = tf.gradients(tf.reduce_sum(out * out), [x])
    got = run([out, grad], {x: value})
    np.testing.assert_array_equal(got[0], np.expand_dims(value, axis))
    np.testing.assert_allclose(got[1], 2 * value, rtol=1e-12)
    assert run(out, {x: 5.0}).shape == (1,)  # a scalar fed: a vector of one


def test_map_fn_scan_and_foldl_take_elems_of_unknown_rank():
    """TF1 reads an unknown rank's first dim as unknown and slices the rows when the graph runs."""
    x = tf.placeholder(tf.float32)
    squares = tf.map_fn(lambda row: tf.reduce_sum(row * row), x)
    running = tf.scan(lambda total, row: total + row, x)
    folded = tf.foldl(lambda total, row: total + row, x)
    gradient = tf.gradients(tf.reduce_sum(squares) + tf.reduce_sum(running), x)[0]
    value = np.arange(6, dtype=np.float32).reshape(3, 2)
    got = run([squares, running, folded, gradient], {x: value})
    np.testing.assert_allclose(got[0], (value ** 2).sum(1))
    np.testing.assert_allclose(got[1], np.cumsum(value, 0))
    np.testing.assert_allclose(got[2], value.sum(0))
    np.testing.assert_allclose(got[3], 2 * value + np.array([[3.0], [2.0], [1.0]]))
