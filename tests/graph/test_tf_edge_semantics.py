"""TF 1.15's own answers where frameworks differ at the edges, read from its source (clip_ops.py, math_grad.py,
histogram_ops.py and the HistogramFixedWidth kernel): clip_by_value is maximum(minimum(t, max), min); xlogy's
gradient is 0 wherever x = 0; histograms bin values in the input's dtype; xdivy and multiply_no_nan."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


def test_clip_by_value_is_minimum_then_maximum():
    t = tf.constant([0.0, 1.0, 2.0, 5.0])
    low, high = tf.constant(1.0), tf.constant(2.0)
    clipped = tf.clip_by_value(t, low, high)
    grads = tf.gradients(tf.reduce_sum(clipped * [1.0, 2.0, 3.0, 4.0]), [t, low, high])
    values, (grad_t, grad_low, grad_high) = run([clipped, grads])
    assert values.tolist() == [1, 1, 2, 2]
    # on a bound the gradient goes to t; a tensor bound gets it where it is taken
    assert grad_t.tolist() == [0, 2, 3, 0] and grad_low == 1 and grad_high == 4
    assert run(tf.clip_by_value([0.0, 2.0, 5.0], 3.0, 1.0)).tolist() == [3, 3, 3]  # min > max: min wins


def test_xlogy_gradient_is_zero_wherever_x_is_zero():
    x, y = tf.constant([0.0, 0.0, 0.0, 2.0]), tf.constant([2.0, 0.0, -1.0, 3.0])
    z = tf.math.xlogy(x, y)
    grad_x, grad_y = tf.gradients(tf.reduce_sum(z), [x, y])
    (second,) = tf.gradients(tf.reduce_sum(grad_x), y)
    values = run([z, grad_x, grad_y, second])
    np.testing.assert_allclose(values[0], [0, 0, 0, 2 * np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(values[1], [0, 0, 0, np.log(3)], rtol=1e-6)  # TF: xlogy(x != 0, y)
    np.testing.assert_allclose(values[2], [0, 0, 0, 2 / 3], rtol=1e-6)       # TF: xdivy(x, y)
    np.testing.assert_allclose(values[3], [0, 0, 0, 1 / 3], rtol=1e-6)


def test_xdivy_and_multiply_no_nan_with_tf_gradients():
    x, y = tf.constant([0.0, 0.0, 2.0]), tf.constant([0.0, np.nan, 4.0])
    quotient = tf.math.xdivy(x, y)
    values = run([quotient] + tf.gradients(tf.reduce_sum(quotient), [x, y]))
    np.testing.assert_allclose(np.stack(values), [[0, 0, 0.5], [0, 0, 0.25], [0, 0, -0.125]])
    a, b = tf.constant([np.inf, np.nan, 3.0, 2.0]), tf.constant([0.0, 0.0, 0.0, 5.0])
    product = tf.math.multiply_no_nan(a, b)
    values = run([product] + tf.gradients(tf.reduce_sum(product), [a, b]))
    # a weight of 0 silences inf and NaN; d/db is a (TF's mul_no_nan(x, grad)), d/da is 0 where b is 0
    np.testing.assert_array_equal(np.stack(values), [[0, 0, 0, 10], [0, 0, 0, 5], [np.inf, np.nan, 3, 2]])
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.math.xdivy(tf.constant([1]), tf.constant([2]))


def test_histograms_bin_in_the_dtype_of_the_values():
    # -0.8 is the left edge of bin 6 of [-2, 0] in 10 bins: float32 arithmetic puts it there, float64 in bin 5
    assert run(tf.histogram_fixed_width_bins([-0.8], [-2.0, 0.0], nbins=10)).tolist() == [6]
    assert run(tf.histogram_fixed_width([-0.8], [-2.0, 0.0], nbins=10)).tolist() == [0] * 6 + [1] + [0] * 3
    values = tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0])  # TF's documented example
    assert run(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5)).tolist() == [2, 1, 1, 0, 2]
    assert run(tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5)).tolist() == [0, 0, 1, 2, 4, 4]
    assert run(tf.histogram_fixed_width(tf.constant([1, 2, 7]), [0, 10], nbins=tf.constant(5))).tolist() == \
        [1, 1, 0, 1, 0]


def test_a_placeholder_with_default_refuses_a_default_of_another_shape():
    """TF's PlaceholderWithDefault merges the default's shape with the given one: a default that does not fit
    is a ValueError when the graph is built (minidl gave the static shape (3,) to a value of shape (2,))."""
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        tf.placeholder_with_default([1.0, 2.0], shape=[3])
    with pytest.raises(ValueError, match=r"Shapes \(1, 2\) and \(2,\) are incompatible"):
        tf.placeholder_with_default([[1.0, 2.0]], shape=[2])
    loose = tf.placeholder_with_default([1.0, 2.0], shape=[None])
    with tf.Session() as sess:
        assert loose.shape.as_list() == [None] and sess.run(loose).tolist() == [1.0, 2.0]
        assert sess.run(loose, {loose: [5.0, 6.0, 7.0]}).tolist() == [5.0, 6.0, 7.0]


def test_constant_with_verify_shape_refuses_a_value_of_another_shape():
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(2, 2\), got \(2,\)"):
        tf.constant([1.0, 2.0], shape=[2, 2], verify_shape=True)
    with tf.Session() as sess:
        assert sess.run(tf.constant([[1.0, 2.0], [3.0, 4.0]], shape=[2, 2], verify_shape=True)).shape == (2, 2)
        assert sess.run(tf.constant([1.0, 2.0], shape=[2, 2])).tolist() == [[1.0, 2.0], [2.0, 2.0]]


def test_ops_on_a_tensor_of_another_graph_than_the_default_one_build_in_its_graph():
    """TF's ops enter their inputs' graph (name_scope(..., values=inputs)): ``x + 1.`` outside the block that made x
    puts the constant 1 and the Add into x's graph (minidl made the constant in the default graph and refused)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant([1.0, 2.0])
        v = tf.Variable([3.0, 4.0])
    results = [x + 1.0, tf.add(x, 1.0), 2.0 * x, v * 2.0, tf.reduce_sum(x * 3.0)]
    assert all(t.graph is graph for t in results)
    with tf.name_scope("outside", values=[x]) as scope:
        assert scope == "outside/" and tf.get_default_graph() is graph
        scaled = x * 4.0
    assert scaled.name.startswith("outside/") and tf.get_default_graph() is not graph
    with tf.Session(graph=graph) as sess:
        sess.run(v.initializer)
        assert [r.tolist() for r in sess.run(results + [scaled])] == [[2.0, 3.0], [2.0, 3.0], [2.0, 4.0], [6.0, 8.0],
                                                                      9.0, [4.0, 8.0]]


def test_the_tensors_of_one_tf_op_are_named_name_0_name_1():
    """TF makes split's pieces, unstack's rows, top_k's values and indices, unique's, dynamic_partition's, svd's
    and qr's results with one op each, so they are ``name:0``, ``name:1``, ...: get_tensor_by_name("split:1") and
    freezing by node name rely on it (minidl's were "S/SplitWithSizes:1", "U/Slice_1:0", "T/ToCopy:0")."""
    x = tf.constant([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    assert [t.name for t in tf.split(x, 3, axis=1, name="S")] == ["S:0", "S:1", "S:2"]
    assert [t.name for t in tf.split(x, 3, axis=1)] == ["split:0", "split:1", "split:2"]
    assert [t.name for t in tf.unstack(x, name="U")] == ["U:0", "U:1"]
    top = tf.nn.top_k(x, 2, name="T")
    assert [t.name for t in top] == ["T:0", "T:1"] and top.indices.name == "T:1"
    assert [t.name for t in tf.unique(tf.constant([1, 1, 2]), name="Q")] == ["Q:0", "Q:1"]
    assert [t.name for t in tf.dynamic_partition(tf.constant([1.0, 2.0]), tf.constant([0, 1]), 2, name="P")] == \
        ["P:0", "P:1"]
    assert [t.name for t in tf.linalg.svd(x)] == ["Svd:0", "Svd:1", "Svd:2"]
    assert [t.name for t in tf.qr(x)] == ["Qr:0", "Qr:1"]
    graph = tf.get_default_graph()
    w = tf.Variable(tf.ones([2, 3]))
    piece, best = tf.split(w * x, 3, axis=1)[1], tf.nn.top_k(w * x, 2).values
    grads = tf.gradients([tf.reduce_sum(piece), tf.reduce_sum(best)], w)
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run("S:1").tolist() == [[1.0], [5.0]] and graph.get_tensor_by_name("T:1").dtype == tf.int32
        assert sess.run(["T:0", "T:1", "U:1"])[1].tolist() == [[0, 2], [1, 2]]
        assert sess.run(grads)[0].tolist() == [[3.0, 1.0, 2.0], [0.0, 5.0 + 5.0, 4.0]]  # top 2 of a row, and column 1


def test_cond_branches_may_return_sparse_tensors():
    """TF's v1 cond passes composites through (``expand_composites``): a SparseTensor from each branch comes out a
    SparseTensor (minidl: "Failed to convert object of type SparseTensor to Tensor")."""
    x = tf.placeholder(tf.float32, [])
    sparse, scaled = tf.cond(x > 0, lambda: (tf.SparseTensor([[0]], [1.0], [2]), x * 2.0),
                             lambda: (tf.SparseTensor([[1], [0]], [2.0, 3.0], [2]), x))
    assert isinstance(sparse, tf.SparseTensor)
    with tf.Session() as sess:
        value, number = sess.run((sparse, scaled), {x: -1.0})
        assert value.indices.tolist() == [[1], [0]] and value.values.tolist() == [2.0, 3.0] and number == -1.0
        assert sess.run(tf.sparse.to_dense(sparse), {x: 1.0}).tolist() == [1.0, 0.0]
