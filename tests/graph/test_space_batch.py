"""tf.space_to_batch_nd / batch_to_space_nd, TF1's 4-D space_to_batch / batch_to_space,
tf.required_space_to_batch_paddings and tf.nn.with_space_to_batch (minidl/graph/space_batch.py)."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients


def _space_to_batch_reference(x, block, paddings):
    """TF's definition entry by entry: output batch ``offset_index * batch + n`` (block offsets in dim order,
    the last fastest) holds ``padded[n, i0 * b0 + k0, i1 * b1 + k1, ..., rest]``."""
    m = len(block)
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in paddings] + [(0, 0)] * (x.ndim - 1 - m))
    batch, steps = x.shape[0], [padded.shape[1 + i] // b for i, b in enumerate(block)]
    out = np.zeros([batch * int(np.prod(block))] + steps + list(x.shape[1 + m:]), x.dtype)
    for offset_index, offsets in enumerate(np.ndindex(*block)):
        for n in range(batch):
            for cell in np.ndindex(*steps):
                source = tuple(i * b + k for i, b, k in zip(cell, block, offsets))
                out[(offset_index * batch + n,) + cell] = padded[(n,) + source]
    return out


def test_space_to_batch_nd_matches_tf_definition_with_padding_and_remaining_dims():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 2))
    y = tf.space_to_batch_nd(tf.constant(x), [2, 3], [[1, 0], [0, 1]])
    assert y.shape.as_list() == [12, 2, 2, 2]
    np.testing.assert_array_equal(run(y), _space_to_batch_reference(x, [2, 3], [[1, 0], [0, 1]]))
    one_d = tf.space_to_batch_nd(tf.constant([[[1], [2], [3], [4]]]), [2], [[0, 0]])
    assert run(one_d).tolist() == [[[1], [3]], [[2], [4]]]


def test_tf_documented_example_with_padding():
    x = np.arange(1, 17, dtype=np.float32).reshape(2, 2, 4, 1)
    y = run(tf.space_to_batch_nd(x, [2, 2], [[0, 0], [2, 0]]))
    assert y.shape == (8, 1, 3, 1)
    assert y[..., 0].tolist() == [[[0, 1, 3]], [[0, 9, 11]], [[0, 2, 4]], [[0, 10, 12]], [[0, 5, 7]],
                                  [[0, 13, 15]], [[0, 6, 8]], [[0, 14, 16]]]


def test_batch_to_space_nd_inverts_space_to_batch_nd_and_crops_the_padding():
    x = np.random.default_rng(1).standard_normal((3, 4, 3, 5, 2))
    block, paddings = [2, 1, 3], [[0, 2], [1, 0], [2, 2]]
    moved = tf.space_to_batch_nd(tf.constant(x), block, paddings)
    back = tf.batch_to_space_nd(moved, block, paddings)
    assert back.shape.as_list() == [3, 4, 3, 5, 2]
    np.testing.assert_array_equal(run(back), x)
    uncropped = tf.batch_to_space_nd(moved, block, [[0, 0]] * 3)
    np.testing.assert_array_equal(run(uncropped), np.pad(x, [(0, 0), (0, 2), (1, 0), (2, 2), (0, 0)]))


def test_gradients_are_numerically_right():
    rng = np.random.default_rng(2)
    check_gradients(lambda x: tf.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 2]]), rng.standard_normal((2, 2, 2, 2)))
    check_gradients(lambda x: tf.batch_to_space_nd(x, [2, 3], [[1, 0], [1, 2]]), rng.standard_normal((6, 2, 2, 1)))


def test_legacy_four_d_versions_take_one_block_size_and_nn_alias():
    x = np.random.default_rng(3).standard_normal((2, 4, 6, 3))
    y = tf.space_to_batch(tf.constant(x), [[0, 0], [1, 1]], 2)
    np.testing.assert_array_equal(run(y), _space_to_batch_reference(x, [2, 2], [[0, 0], [1, 1]]))
    np.testing.assert_array_equal(run(tf.batch_to_space(y, [[0, 0], [1, 1]], block_size=2)), x)
    np.testing.assert_array_equal(run(tf.space_to_batch(x, [[0, 0], [0, 0]], block_shape=2)),
                                  _space_to_batch_reference(x, [2, 2], [[0, 0], [0, 0]]))
    assert tf.nn.space_to_batch is tf.space_to_batch
    with pytest.raises(ValueError, match="block_size must be an int >= 2"):
        tf.space_to_batch(x, [[0, 0], [0, 0]], 1)
    with pytest.raises(ValueError, match="must be 4-D"):
        tf.batch_to_space(np.zeros((4, 2, 2)), [[0, 0], [0, 0]], 2)


def test_unknown_dims_are_read_and_checked_when_the_graph_runs():
    x = tf.placeholder(tf.float32, [None, None, 4, 1])
    y = tf.space_to_batch_nd(x, [2, 2], [[1, 0], [0, 0]])
    back = tf.batch_to_space_nd(y, [2, 2], [[1, 0], [0, 0]])
    data = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4, 1)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: data}), _space_to_batch_reference(data, [2, 2],
                                                                                           [[1, 0], [0, 0]]))
        np.testing.assert_array_equal(sess.run(back, {x: data}), data)
        with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 2"):
            sess.run(y, {x: np.zeros((1, 2, 4, 1), np.float32)})
    b = tf.placeholder(tf.float32, [None, 1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 4"):
        run(tf.batch_to_space_nd(b, [2, 2], [[0, 0], [0, 0]]), {b: np.zeros((6, 1, 1), np.float32)})


def test_bad_arguments_are_refused_when_built():
    x = tf.zeros([2, 4, 4, 1])
    with pytest.raises(ValueError, match="block_shape must be >= 1"):
        tf.space_to_batch_nd(x, [0, 2], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="paddings must be non-negative"):
        tf.space_to_batch_nd(x, [2, 2], [[0, -1], [0, 0]])
    with pytest.raises(ValueError, match=r"paddings must have shape \[2, 2\]"):
        tf.space_to_batch_nd(x, [2, 2], [[0, 0]])
    with pytest.raises(ValueError, match="padded spatial dim 1 .* divisible by 3, but is 4"):
        tf.space_to_batch_nd(x, [2, 3], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="input rank should be >= 4"):
        tf.space_to_batch_nd(tf.zeros([2, 4, 4]), [2, 2, 2], [[0, 0]] * 3)
    with pytest.raises(ValueError, match="batch dim .* divisible by 4, but is 2"):
        tf.batch_to_space_nd(x, [2, 2], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"crops\[0\] remove more than .* \[5, 4\] of 8"):
        tf.batch_to_space_nd(tf.zeros([4, 4, 4, 1]), [2, 2], [[5, 4], [0, 0]])
    with pytest.raises(TypeError, match="must hold integers"):
        tf.space_to_batch_nd(x, [2.5, 2], [[0, 0], [0, 0]])


def test_required_space_to_batch_paddings_pads_the_end_to_a_multiple_of_the_block():
    paddings, crops = tf.required_space_to_batch_paddings([5, 7], [2, 3], base_paddings=[[1, 1], [0, 2]])
    # 5 + 2 = 7 -> 8 (one more at the end); 7 + 2 = 9 is already a multiple of 3
    assert run(paddings).tolist() == [[1, 2], [0, 2]] and run(crops).tolist() == [[0, 1], [0, 0]]
    sizes = tf.placeholder(tf.int32, [2])
    paddings, crops = tf.required_space_to_batch_paddings(sizes, [4, 4])
    got_paddings, got_crops = run([paddings, crops], {sizes: [5, 8]})
    assert got_paddings.tolist() == [[0, 3], [0, 0]] and got_crops.tolist() == [[0, 3], [0, 0]]


def _conv(w, data_format="NHWC"):
    return lambda inp, num_spatial_dims, padding: tf.nn.conv2d(inp, w, [1, 1, 1, 1], padding, data_format=data_format)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_with_space_to_batch_around_conv2d_equals_the_dilated_conv2d(padding):
    rng = np.random.default_rng(4)
    x, w = tf.constant(rng.standard_normal((2, 9, 10, 3))), tf.constant(rng.standard_normal((3, 2, 3, 4)))
    atrous = tf.nn.with_space_to_batch(x, [2, 3], padding, _conv(w), filter_shape=[3, 2])
    dilated = tf.nn.conv2d(x, w, [1, 1, 1, 1], padding, dilations=[1, 2, 3, 1])
    assert atrous.shape.as_list() == dilated.shape.as_list()
    got, expected = run([atrous, dilated])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    grads = run(tf.gradients(tf.reduce_sum(atrous * atrous), [x, w]) + tf.gradients(tf.reduce_sum(dilated * dilated),
                                                                                    [x, w]))
    for got, expected in zip(grads[:2], grads[2:]):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_with_space_to_batch_on_nchw_and_unknown_spatial_dims():
    rng = np.random.default_rng(5)
    data, w = rng.standard_normal((1, 2, 7, 8)), tf.constant(rng.standard_normal((2, 3, 2, 2)))
    x = tf.placeholder(tf.float64, [None, 2, None, None])
    atrous = tf.nn.with_space_to_batch(x, [2, 2], "SAME", _conv(w, "NCHW"), filter_shape=[2, 3],
                                       data_format="NCHW")
    dilated = tf.nn.conv2d(tf.constant(data), w, [1, 1, 1, 1], "SAME", data_format="NCHW", dilations=[1, 1, 2, 2])
    got, expected = run([atrous, dilated], {x: data})
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_with_space_to_batch_without_dilation_calls_op_directly_and_refuses_bad_arguments():
    calls = []
    x = tf.zeros([1, 4, 4, 1])
    y = tf.nn.with_space_to_batch(x, [1, 1], "SAME", lambda i, n, p: calls.append((i, n, p)) or i)
    assert y is x and calls == [(x, 2, "SAME")]
    with pytest.raises(ValueError, match="filter_shape must be given"):
        tf.nn.with_space_to_batch(x, [2, 2], "SAME", lambda i, n, p: i)
    with pytest.raises(ValueError, match="dilation_rate must be >= 1"):
        tf.nn.with_space_to_batch(x, [0, 2], "VALID", lambda i, n, p: i)
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.nn.with_space_to_batch(x, [2, 2], "FULL", lambda i, n, p: i)
    with pytest.raises(ValueError, match="spatial_dims must be increasing"):
        tf.nn.with_space_to_batch(x, [2, 2], "VALID", lambda i, n, p: i, spatial_dims=[2, 1])
