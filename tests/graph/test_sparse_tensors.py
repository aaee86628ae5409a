"""tf.SparseTensor: fed and fetched as SparseTensorValues, to and from dense, sparse-dense products, embedding
lookups over sparse ids — with gradients reaching the values."""
import numpy as np
import pytest

import minidl.graph as tf

from .numeric_gradients import check_gradients

INDICES = np.array([[0, 1], [1, 0], [2, 3], [2, 1]], dtype=np.int64)
VALUES = np.array([5.0, -1.0, 7.0, 2.0])
SHAPE = np.array([3, 4], dtype=np.int64)


def _dense():
    dense = np.zeros(SHAPE)
    dense[tuple(INDICES.T)] = VALUES
    return dense


def test_a_sparse_placeholder_is_fed_and_fetched_as_its_three_arrays():
    sp = tf.sparse_placeholder(tf.float64, shape=[3, 4], name="bag")
    assert sp.shape.as_list() == [3, 4] and sp.dtype == tf.float64
    assert sp.indices.name.startswith("bag/indices") and sp.values.name.startswith("bag/values")
    with tf.Session() as sess:
        value = sess.run(sp, {sp: tf.SparseTensorValue(INDICES, VALUES, SHAPE)})
        assert isinstance(value, tf.SparseTensorValue)
        np.testing.assert_array_equal(value.indices, INDICES)
        np.testing.assert_array_equal(value.values, VALUES)
        np.testing.assert_array_equal(value.dense_shape, SHAPE)
        # a tuple works as the value, and a fully known shape need not be fed
        dense = sess.run(tf.sparse_tensor_to_dense(sp), {sp: (INDICES, VALUES, SHAPE)})
        np.testing.assert_array_equal(dense, _dense())
        open_shape = tf.sparse_placeholder(tf.float64)
        assert not open_shape.shape.rank_known  # no shape given: not even the rank is known
        with pytest.raises(TypeError, match="SparseTensorValue"):
            sess.run(tf.sparse.to_dense(sp), {sp: VALUES})


def test_to_and_from_dense_with_a_default_value():
    sp = tf.SparseTensor(INDICES, VALUES, SHAPE)
    assert sp.shape.as_list() == [3, 4]
    with tf.Session() as sess:
        filled = sess.run(tf.sparse.to_dense(sp, default_value=-1.0))
        expected = np.where(_dense() != 0, _dense(), -1.0)
        np.testing.assert_array_equal(filled, expected)
        back = sess.run(tf.sparse.from_dense(tf.constant(_dense())))
        order = np.lexsort(INDICES.T[::-1])  # row-major order, as from_dense lists them
        np.testing.assert_array_equal(back.indices, INDICES[order])
        np.testing.assert_array_equal(back.values, VALUES[order])
        np.testing.assert_array_equal(sess.run(tf.sparse_reduce_sum(sp, axis=1)), _dense().sum(1))
        assert sess.run(tf.sparse.reduce_sum(sp)) == VALUES.sum()


@pytest.mark.parametrize("adjoint_a,adjoint_b", [(False, False), (True, False), (False, True), (True, True)])
def test_sparse_dense_matmul_matches_the_dense_product_and_differentiates_values_and_b(adjoint_a, adjoint_b):
    rng = np.random.default_rng(5)
    b = rng.standard_normal((2, 4) if adjoint_b else (4, 2)) if not adjoint_a else \
        rng.standard_normal((2, 3) if adjoint_b else (3, 2))
    a = _dense().T if adjoint_a else _dense()
    expected = a @ (b.T if adjoint_b else b)
    product = tf.sparse_tensor_dense_matmul(tf.SparseTensor(INDICES, VALUES, SHAPE), b, adjoint_a=adjoint_a,
                                            adjoint_b=adjoint_b)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(product), expected, rtol=1e-12)
    check_gradients(lambda values, dense: tf.sparse.sparse_dense_matmul(
        tf.SparseTensor(INDICES, values, SHAPE), dense, adjoint_a=adjoint_a, adjoint_b=adjoint_b), VALUES, b)


def test_add_and_retain():
    sp = tf.SparseTensor(INDICES, VALUES, SHAPE)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.sparse_add(sp, tf.ones([3, 4], tf.float64))), _dense() + 1)
        doubled = sess.run(tf.sparse.add(sp, sp))
        np.testing.assert_array_equal(np.sort(doubled.values), np.sort(2 * VALUES))
        kept = sess.run(tf.sparse_retain(sp, [True, False, True, False]))
        np.testing.assert_array_equal(kept.indices, INDICES[[0, 2]])
        np.testing.assert_array_equal(kept.values, VALUES[[0, 2]])
    with pytest.raises(TypeError, match="SparseTensor"):
        tf.sparse.to_dense(tf.ones([2]))
    with pytest.raises(ValueError, match="rank 2"):
        tf.sparse_tensor_dense_matmul(tf.SparseTensor([[0, 0, 0]], [1.0], [1, 1, 1]), tf.ones([1, 1]))


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_embedding_lookup_sparse_combines_each_rows_embeddings(combiner):
    table = np.random.default_rng(1).standard_normal((6, 3))
    ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 4, 2], tf.int64), [3, 2])
    weights = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [2.0, 0.5, 3.0], [3, 2])
    out = tf.nn.embedding_lookup_sparse(tf.constant(table), ids, weights, combiner=combiner)
    row0 = 2.0 * table[1] + 0.5 * table[4]
    scale = {"sum": (1, 1), "mean": (2.5, 3.0), "sqrtn": (np.sqrt(4.25), 3.0)}[combiner]
    expected = np.stack([row0 / scale[0], np.zeros(3), 3.0 * table[2] / scale[1]])  # row 1 has no ids: zeros
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out), expected, rtol=1e-12)


def test_logistic_regression_on_sparse_bags_of_words_trains():
    rng = np.random.default_rng(0)
    n, vocabulary = 64, 50
    words = [rng.choice(vocabulary, size=rng.integers(1, 6), replace=False) for _ in range(n)]
    labels = np.array([float(any(w < 10 for w in row)) for row in words])  # positive: a word below 10 occurs
    indices = np.array([[i, w] for i, row in enumerate(words) for w in sorted(row)], dtype=np.int64)
    bags = tf.sparse_placeholder(tf.float32, shape=[None, vocabulary])
    y = tf.placeholder(tf.float32, [None])
    weights = tf.Variable(tf.zeros([vocabulary, 1]))
    logits = tf.squeeze(tf.sparse_tensor_dense_matmul(bags, weights), 1)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(2.0).minimize(loss)
    feed = {bags: (indices, np.ones(len(indices), np.float32), [n, vocabulary]), y: labels}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, feed)
        for _ in range(100):
            sess.run(train, feed)
        assert sess.run(loss, feed) < 0.5 * first


def test_edit_distance_of_words_and_of_numbers():
    from minidl.ops.edit_distance import levenshtein
    assert levenshtein(np.array(list("kitten")), np.array(list("sitting"))) == 3
    assert levenshtein(np.array(list("flaw")), np.array(list("lawn"))) == 2
    assert levenshtein(np.array([1, 2, 3]), np.array([])) == 3
    # TensorFlow's documented example: a batch of 2 x 2 sequences of letters
    hypothesis = tf.SparseTensor([[0, 0, 0], [1, 0, 0]], ["a", "b"], (2, 1, 1))
    truth = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], ["a", "b", "c", "a"], (2, 2, 2))
    normalized = tf.edit_distance(hypothesis, truth)
    assert normalized.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(normalized), [[np.inf, 1.0], [0.5, 1.0]])
        np.testing.assert_array_equal(sess.run(tf.edit_distance(hypothesis, truth, normalize=False)),
                                      [[1.0, 1.0], [1.0, 1.0]])
        # the character error rate of a decoded batch of label ids
        decoded = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0]], tf.constant([3, 1, 4, 2], tf.int64), [2, 3])
        labels = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], tf.constant([3, 4, 2, 2], tf.int64), [2, 2])
        np.testing.assert_allclose(sess.run(tf.reduce_mean(tf.edit_distance(decoded, labels))), (1 / 2 + 1 / 2) / 2)
    with pytest.raises(TypeError, match="one dtype"):
        tf.edit_distance(decoded, tf.SparseTensor([[0, 0]], [1.0], [1, 1]))


def test_reorder_the_older_sparse_to_dense_and_sparse_segment_reductions():
    unordered = tf.SparseTensor([[2, 1], [0, 3], [0, 1], [1, 0]], [4.0, 2.0, 1.0, 3.0], [3, 4])
    data = np.arange(12.0).reshape(4, 3)
    with tf.Session() as sess:
        ordered = sess.run(tf.sparse_reorder(unordered))
        np.testing.assert_array_equal(ordered.indices, [[0, 1], [0, 3], [1, 0], [2, 1]])
        np.testing.assert_array_equal(ordered.values, [1.0, 2.0, 3.0, 4.0])
        dense = sess.run(tf.sparse_to_dense([[0, 1], [2, 3]], [3, 4], [5.0, 7.0], default_value=-1.0))
        expected = np.full((3, 4), -1.0)
        expected[0, 1], expected[2, 3] = 5.0, 7.0
        np.testing.assert_array_equal(dense, expected)
        np.testing.assert_array_equal(sess.run(tf.sparse_to_dense([1, 3], [5], 1.0)), [0, 1, 0, 1, 0])
        picked = data[[0, 2, 3]]
        sums = sess.run(tf.sparse_segment_sum(data, [0, 2, 3], [0, 0, 1]))
        np.testing.assert_array_equal(sums, [picked[:2].sum(0), picked[2]])
        np.testing.assert_allclose(sess.run(tf.sparse_segment_mean(data, [0, 2, 3], [0, 0, 1])),
                                   [picked[:2].mean(0), picked[2]])
        np.testing.assert_allclose(sess.run(tf.sparse.segment_sqrt_n(data, [0, 2, 3], [0, 0, 1])),
                                   [picked[:2].sum(0) / np.sqrt(2), picked[2]])


def test_concat_transpose_and_reshape_move_the_indices_alone():
    a = tf.SparseTensor(INDICES, VALUES, SHAPE)  # 3 x 4, entries out of row-major order
    b = tf.SparseTensor([[0, 1], [2, 0]], [4.0, 5.0], [3, 2])
    wide = np.zeros((3, 2))
    wide[0, 1], wide[2, 0] = 4.0, 5.0
    with tf.Session() as sess:
        joined = sess.run(tf.sparse.concat(1, [a, b]))
        np.testing.assert_array_equal(joined.dense_shape, [3, 6])
        assert np.all(np.diff(joined.indices[:, 0] * 6 + joined.indices[:, 1]) > 0)  # row-major order, as TF's
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(tf.sparse_concat(1, [a, b]))),
                                      np.concatenate([_dense(), wide], 1))
        tall = tf.sparse_concat(0, [a, tf.SparseTensor([[0, 5]], [9.0], [1, 6])], expand_nonconcat_dim=True)
        expected = np.zeros((4, 6))
        expected[:3, :4], expected[3, 5] = _dense(), 9.0
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(tall)), expected)
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(tf.sparse.transpose(a))), _dense().T)
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(tf.sparse_transpose(a, [1, 0]))), _dense().T)
        reshaped = tf.sparse.reshape(a, [2, -1, 3])
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(reshaped)), _dense().reshape(2, 2, 3))
        with pytest.raises(tf.errors.InvalidArgumentError, match="as many elements"):
            sess.run(tf.sparse_reshape(a, [5, -1]).indices)
    with pytest.raises(ValueError, match="expand_nonconcat_dim"):
        tf.sparse.concat(0, [a, b])
    with pytest.raises(ValueError, match="not a permutation"):
        tf.sparse.transpose(a, [0, 0])


def test_sparse_softmax_spreads_each_row_over_its_stored_entries_only():
    indices = np.array([[0, 0], [0, 2], [1, 1], [2, 0], [2, 1], [2, 3]], dtype=np.int64)
    values = np.array([1.0, 1000.0, -3.0, 0.5, 2.0, -1.0])  # 1000: a shift by the row's largest is needed
    out = tf.sparse.softmax(tf.SparseTensor(indices, values, [4, 4]))  # row 3 has no entry at all
    expected = np.concatenate([np.exp(v - v.max()) / np.exp(v - v.max()).sum()
                               for v in (values[:2], values[2:3], values[3:])])
    with tf.Session() as sess:
        result = sess.run(out)
        np.testing.assert_array_equal(result.indices, indices)
        np.testing.assert_allclose(result.values, expected, rtol=1e-12)
    check_gradients(lambda v: tf.sparse_softmax(tf.SparseTensor(indices, v, [4, 4])).values, values * 1e-3)


def test_reduce_max_ignores_missing_elements_and_fill_empty_rows_marks_them():
    # TensorFlow's documented examples
    x = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1, 2, 3], [2, 3])
    y = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [-7.0, 4.0, 3.0], [3, 2])
    with tf.Session() as sess:
        assert sess.run(tf.sparse.reduce_max(x)) == 3
        np.testing.assert_array_equal(sess.run(tf.sparse.reduce_max(x, 0)), [1, 3, 2])
        np.testing.assert_array_equal(sess.run(tf.sparse_reduce_max(x, 1, keepdims=True)), [[2], [3]])
        np.testing.assert_array_equal(sess.run(tf.sparse.reduce_max(y, 1)), [-7.0, 4.0, 0.0])
        filled, empty = sess.run(tf.sparse.fill_empty_rows(y, -1.0))
        np.testing.assert_array_equal(filled.indices, [[0, 0], [1, 0], [1, 1], [2, 0]])
        np.testing.assert_array_equal(filled.values, [-7.0, 4.0, 3.0, -1.0])
        np.testing.assert_array_equal(empty, [False, False, True])
        # a default value that is not a number times anything (-inf) fills the gaps as it is
        np.testing.assert_array_equal(sess.run(tf.sparse.to_dense(y, default_value=-np.inf)),
                                      [[-7.0, -np.inf], [4.0, 3.0], [-np.inf, -np.inf]])


def test_sparse_products_and_densified_tensors_keep_the_static_shape_the_graph_knows():
    """TF's shape functions: a bag-of-words SparseTensor times a [4, 3] weight is (?, 3) — so a dense layer can
    follow it — and (3, 3) for a constant dense_shape; tf.sparse_to_dense of a constant shape is that shape."""
    weights = tf.constant(np.arange(12.0).reshape(4, 3))
    bag = tf.sparse_placeholder(tf.float64)
    product = tf.sparse_tensor_dense_matmul(bag, weights)
    assert product.shape.as_list() == [None, 3]
    assert tf.layers.dense(product, 2).shape.as_list() == [None, 2]
    known = tf.SparseTensor(INDICES, VALUES, SHAPE)
    assert tf.sparse_tensor_dense_matmul(known, weights).shape.as_list() == [3, 3]
    assert tf.sparse_tensor_dense_matmul(known, weights[:3], adjoint_a=True).shape.as_list() == [4, 3]
    assert tf.sparse.to_dense(known).shape.as_list() == [3, 4]
    densified = tf.sparse_to_dense(INDICES, [3, 4], VALUES)
    assert densified.shape.as_list() == [3, 4]
    with tf.Session() as sess:
        fed = sess.run(product, {bag: tf.SparseTensorValue(INDICES, VALUES, SHAPE)})
        np.testing.assert_allclose(fed, _dense() @ np.arange(12.0).reshape(4, 3))
        np.testing.assert_allclose(sess.run(densified), _dense())
