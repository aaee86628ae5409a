"""TF-named array functions: the translation of TF's conventions (paddings from the first dim, split into a number
of pieces, gather's output shape, default perm, TF1's where...) and the ops that take run-time shapes."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients


rng = np.random.default_rng(1)
X = rng.standard_normal((2, 3, 4)).astype(np.float32)


# ------------------------------------------------------------------------------------------ making tensors

def test_zeros_ones_fill_with_static_shapes():
    z = tf.zeros([2, 3])
    assert z.shape == (2, 3) and z.dtype == tf.float32 and z.name == "zeros:0"
    assert run(z).tolist() == [[0.0] * 3] * 2
    assert run(tf.ones((2,), dtype=tf.int32)).tolist() == [1, 1]
    f = tf.fill([2, 2], 7)
    assert f.dtype == tf.int32 and f.shape == (2, 2) and run(f).tolist() == [[7, 7], [7, 7]]
    assert tf.zeros_like(tf.constant(X)).shape == X.shape
    assert run(tf.ones_like(tf.constant([1.5]), dtype=tf.int64)).tolist() == [1]


def test_shapes_known_only_at_run_time():
    x = tf.placeholder(tf.float32, (None, 4))
    zeros = tf.zeros([tf.shape(x)[0], 10])
    assert zeros.shape.as_list() == [None, 10]
    like = tf.ones(tf.shape(x))
    assert like.shape.as_list() == [None, 4]  # tf.shape(x) holds what the graph knows of x
    values = run([zeros, like], {x: np.ones((3, 4))})
    assert values[0].shape == (3, 10) and values[1].shape == (3, 4)


def test_constant_with_a_larger_shape_continues_with_the_last_element_as_tf1_does():
    """tf.compat.v1.constant: a shorter list is filled up with its last element; a longer one is an error."""
    assert run(tf.constant([1, 2], shape=[2, 2])).tolist() == [[1, 2], [2, 2]]
    assert run(tf.constant(7.0, shape=[3])).tolist() == [7.0, 7.0, 7.0]
    assert run(tf.constant([[1, 2], [3, 4]], shape=[4])).tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 2, but received 3"):
        tf.constant([1, 2, 3], shape=[2])


def test_where_with_one_argument_takes_numbers_as_tf1():
    """tf.where(condition) alone gives the coordinates of the non-zero entries of a numeric condition too."""
    assert run(tf.where(tf.constant([0.0, 2.0, 0.0, -1.0]))).tolist() == [[1], [3]]
    assert run(tf.where(tf.constant([[True, False], [False, True]]))).tolist() == [[0, 0], [1, 1]]


def test_one_number_is_a_one_dimensional_shape_as_in_tf1():
    """``tf.placeholder(tf.int32, shape=(batch_size))`` (Mechanics 101) passes an int: TF1 reads a 1-D shape."""
    assert tf.placeholder(tf.int32, shape=(100)).shape.as_list() == [100]
    assert tf.TensorShape(5).as_list() == [5]
    unknown = tf.placeholder(tf.float32)
    unknown.set_shape(4)
    assert unknown.shape.as_list() == [4]
    assert tf.placeholder_with_default([1, 2], shape=2).shape.as_list() == [2]


def test_shape_size_rank_are_constants_when_known_else_read_at_run_time():
    known = tf.constant(X)
    assert run(tf.shape(known)).tolist() == [2, 3, 4] and tf.shape(known).dtype == tf.int32
    assert tf.shape(known, out_type=tf.int64).dtype == tf.int64
    assert run([tf.size(known), tf.rank(known)]) == [24, 3]
    x = tf.placeholder(tf.float32, (None, 4))
    batch = tf.shape(x)[0]
    assert tf.shape(x).shape == (2,) and batch.shape == ()
    assert run([tf.shape(x), batch, tf.size(x), tf.rank(x)], {x: np.ones((5, 4))})[1:] == [5, 20, 2]
    unknown = tf.placeholder(tf.float32)
    assert run(tf.rank(unknown), {unknown: np.ones((1, 2, 3))}) == 3
    (grad,) = tf.gradients(tf.reduce_sum(tf.cast(tf.shape(x), tf.float32)), x)
    assert grad is None  # a shape carries no gradient


def test_range_and_linspace():
    assert run(tf.range(5)).tolist() == [0, 1, 2, 3, 4] and tf.range(5).dtype == tf.int32
    assert tf.range(5).shape == (5,)
    assert run(tf.range(1, 10, 3)).tolist() == [1, 4, 7]
    assert run(tf.range(10, 0, -4)).tolist() == [10, 6, 2]
    assert tf.range(0, 1, 0.25).dtype == tf.float32 and tf.range(3, dtype=tf.float64).dtype == tf.float64
    n = tf.placeholder(tf.int32, ())
    assert tf.range(n).shape.as_list() == [None]
    assert run(tf.range(n), {n: 3}).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="delta != 0"):
        tf.range(0, 5, 0)
    np.testing.assert_allclose(run(tf.linspace(0.0, 1.0, 5)), np.linspace(0, 1, 5))
    with pytest.raises(TypeError, match="DataType int32"):
        tf.linspace(0, 1, 5)


# ------------------------------------------------------------------------------------------------ reshaping

def test_reshape_static_and_dynamic():
    x = tf.placeholder(tf.float32, (None, 3, 4))
    assert tf.reshape(x, [-1, 12]).shape.as_list() == [None, 12]
    assert tf.reshape(tf.constant(X), [4, -1]).shape == (4, 6)
    dynamic = tf.reshape(x, [tf.shape(x)[0], -1])
    assert dynamic.shape.as_list() == [None, None]
    same = tf.reshape(x, tf.shape(x))
    np.testing.assert_array_equal(run(dynamic, {x: X}), X.reshape(2, 12))
    assert run(same, {x: X}).shape == (2, 3, 4)
    (grad,) = tf.gradients(tf.reduce_sum(tf.multiply(dynamic, 2.0)), x)
    np.testing.assert_array_equal(run(grad, {x: X}), np.full(X.shape, 2.0))
    with pytest.raises(ValueError, match="invalid for input of size 24"):
        tf.reshape(tf.constant(X), [5, 5])


def test_transpose_default_reverses_dims_and_perm():
    x = tf.constant(X)
    assert tf.transpose(x).shape == (4, 3, 2)
    np.testing.assert_array_equal(run(tf.transpose(x)), X.T)
    np.testing.assert_array_equal(run(tf.transpose(x, perm=[1, 0, 2])), X.transpose(1, 0, 2))
    z = tf.constant(np.array([[1 + 2j]]))
    assert run(tf.transpose(z, conjugate=True)).tolist() == [[1 - 2j]]


def test_expand_dims_squeeze_broadcast_to():
    x = tf.placeholder(tf.float32, (None, 1, 3))
    assert tf.expand_dims(x, 0).shape.as_list() == [1, None, 1, 3]
    assert tf.expand_dims(x, -1).shape.as_list() == [None, 1, 3, 1]
    assert tf.squeeze(x, [1]).shape.as_list() == [None, 3]
    assert tf.squeeze(tf.constant(np.ones((1, 2, 1)))).shape == (2,)
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[2\], expected a dimension of 1, got 3"):
        tf.squeeze(x, axis=2)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(x)
    assert run(tf.broadcast_to(tf.constant([1, 2]), [3, 2])).tolist() == [[1, 2]] * 3


# ------------------------------------------------------------------------------------------ joining, cutting

def test_concat_stack_unstack():
    a, b = tf.constant(X), tf.constant(2 * X)
    np.testing.assert_array_equal(run(tf.concat([a, b], axis=1)), np.concatenate([X, 2 * X], 1))
    np.testing.assert_array_equal(run(tf.concat([a, b], -1)), np.concatenate([X, 2 * X], -1))
    np.testing.assert_array_equal(run(tf.stack([a, b], axis=1)), np.stack([X, 2 * X], 1))
    assert run(tf.stack([1, 2, 3])).tolist() == [1, 2, 3]
    pieces = tf.unstack(a, axis=2)
    assert len(pieces) == 4 and pieces[0].shape == (2, 3)
    np.testing.assert_array_equal(run(pieces[3]), X[:, :, 3])
    with pytest.raises(TypeError, match=r"Tensors in list passed to 'values' of 'ConcatV2' Op have types "
                                        r"\[float32, int32\] that don't all match"):
        tf.concat([tf.constant([1.0]), tf.constant([1])], 0)
    x = tf.placeholder(tf.float32, (None, 2))
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.unstack(x)
    assert len(tf.unstack(x, num=3)) == 3


def test_split_into_a_number_of_pieces_or_sizes():
    x = tf.constant(np.arange(12).reshape(2, 6))
    parts = tf.split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(2, 2)] * 3
    assert run(parts[1]).tolist() == [[2, 3], [8, 9]]
    sized = tf.split(x, [1, -1, 2], 1)
    assert [p.shape for p in sized] == [(2, 1), (2, 3), (2, 2)]
    with pytest.raises(ValueError, match="evenly divisible"):
        tf.split(x, 4, axis=1)


def test_tile_and_reverse():
    x = tf.constant([[1, 2], [3, 4]])
    assert run(tf.tile(x, [1, 2])).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.tile(x, [2])
    assert run(tf.reverse(x, [1])).tolist() == [[2, 1], [4, 3]]
    assert run(tf.reverse(x, axis=[0, 1])).tolist() == [[4, 3], [2, 1]]


@pytest.mark.parametrize("mode, numpy_mode", [("CONSTANT", "constant"), ("REFLECT", "reflect"),
                                               ("symmetric", "symmetric")])
def test_pad_amounts_are_listed_from_the_first_dim(mode, numpy_mode):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    paddings = [[1, 2], [2, 0]]
    out = tf.pad(tf.constant(x), paddings, mode=mode)
    assert out.shape == (6, 6)
    np.testing.assert_array_equal(run(out), np.pad(x, paddings, mode=numpy_mode))


def test_pad_constant_values_gradient_and_errors():
    x = tf.constant(np.ones((2, 2)))
    np.testing.assert_array_equal(run(tf.pad(x, [[0, 1], [1, 0]], constant_values=9)),
                                  np.pad(np.ones((2, 2)), [[0, 1], [1, 0]], constant_values=9))
    (grad,) = tf.gradients(tf.reduce_sum(tf.pad(x, [[1, 1], [1, 1]])), x)
    np.testing.assert_array_equal(run(grad), np.ones((2, 2)))
    with pytest.raises(ValueError, match="Unknown padding mode: WRAP"):
        tf.pad(x, [[1, 1], [1, 1]], mode="wrap")
    with pytest.raises(ValueError, match="2 rows and 2 columns"):
        tf.pad(x, [[1, 1]])
    with pytest.raises(ValueError, match="no greater than the dimension size"):
        tf.pad(x, [[3, 0], [0, 0]], mode="SYMMETRIC")


# ------------------------------------------------------------------------------------------- picking values

def test_gather_output_shape_and_gradient():
    params = tf.constant(X.astype(np.float64))
    indices = tf.constant([[0, 2], [2, 2]])
    out = tf.gather(params, indices, axis=1)
    assert out.shape == (2, 2, 2, 4)
    np.testing.assert_array_equal(run(out), np.take(X, [[0, 2], [2, 2]], axis=1))
    np.testing.assert_array_equal(run(tf.gather(params, [1, 0])), X[[1, 0]])
    (grad,) = tf.gradients(tf.reduce_sum(out), params)
    expected = np.zeros(X.shape)
    expected[:, 0], expected[:, 2] = 1, 3  # index 2 was picked three times
    np.testing.assert_array_equal(run(grad), expected)
    with pytest.raises(TypeError, match="parameter 'indices' has DataType float32"):
        tf.gather(params, tf.constant([0.0]))


def test_gather_nd_and_boolean_mask():
    x = tf.constant(X)
    np.testing.assert_array_equal(run(tf.gather_nd(x, [[0, 1], [1, 2]])), X[[0, 1], [1, 2]])
    np.testing.assert_array_equal(run(tf.gather_nd(x, [[1, 2, 3]])), X[[1], [2], [3]])
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(run(tf.boolean_mask(x, mask, axis=1)), X[:, mask])
    np.testing.assert_array_equal(run(tf.boolean_mask(x, X > 0)), X[X > 0])


def test_one_hot_defaults_on_off_axis_and_out_of_range():
    out = tf.one_hot([0, 2, -1, 5], 3)
    assert out.dtype == tf.float32 and out.shape == (4, 3)
    assert run(out).tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]  # outside [0, depth): all off
    assert run(tf.one_hot([1, 0], 2, on_value=5, off_value=-1)).tolist() == [[-1, 5], [5, -1]]
    assert tf.one_hot([1], 2, on_value=5).dtype == tf.int32
    assert run(tf.one_hot([1, 0, 1], 2, axis=0, dtype=tf.int64)).tolist() == [[0, 1, 0], [1, 0, 1]]
    assert tf.one_hot(tf.placeholder(tf.int32, (None, 7)), 4).shape.as_list() == [None, 7, 4]
    with pytest.raises(ValueError, match="Expected axis to be -1 or between"):
        tf.one_hot([1], 2, axis=3)


def test_where_selects_and_finds_true_entries():
    cond = tf.constant([[True, False], [False, True]])
    x, y = tf.constant([[1, 2], [3, 4]]), tf.constant([[10, 20], [30, 40]])
    assert run(tf.where(cond, x, y)).tolist() == [[1, 20], [30, 4]]
    rows = tf.constant([False, True])  # TF1: a 1-D condition picks whole rows
    assert run(tf.where(rows, x, y)).tolist() == [[10, 20], [3, 4]]
    assert run(tf.where_v2(rows, x, y)).tolist() == [[10, 2], [30, 4]]  # where_v2 broadcasts instead
    found = tf.where(cond)
    assert found.dtype == tf.int64 and found.shape.as_list() == [None, 2]
    assert run(found).tolist() == [[0, 0], [1, 1]]
    assert run(tf.where(tf.constant([False, True, True]))).tolist() == [[1], [2]]
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        tf.where(cond, x)
    with pytest.raises(TypeError, match="Input 'condition' of 'Select' Op has type float32 that does not match "
                                        "expected type of bool"):
        tf.where(tf.constant([1.0]), x, y)
    with pytest.raises(TypeError, match="Input 'e' of 'Select' Op has type float32 that does not match type int32"):
        tf.where(cond, x, tf.constant([[1.0, 2.0], [3.0, 4.0]]))


def test_where_gradient_goes_to_the_picked_side():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    out = tf.where(tf.constant([True, False]), a, b)
    assert [g.tolist() for g in run(tf.gradients(tf.reduce_sum(out), [a, b]))] == [[1, 0], [0, 1]]


def test_sequence_mask():
    assert run(tf.sequence_mask([1, 3], 4)).tolist() == [[1, 0, 0, 0], [1, 1, 1, 0]]
    mask = tf.sequence_mask(tf.constant([2, 0, 1]), dtype=tf.float32)
    assert mask.dtype == tf.float32 and run(mask).tolist() == [[1, 1], [0, 0], [1, 0]]


def test_slice_and_strided_slice():
    x = tf.constant(X)
    np.testing.assert_array_equal(run(tf.slice(x, [0, 1, 0], [2, -1, 3])), X[0:2, 1:, 0:3])
    np.testing.assert_array_equal(run(tf.strided_slice(x, [0, 0, 1], [2, 3, 4], [1, 2, 2])), X[0:2, 0:3:2, 1:4:2])
    np.testing.assert_array_equal(run(tf.strided_slice(x, [1, 0, 0], [2, 3, 4], begin_mask=2, end_mask=4,
                                                       shrink_axis_mask=1)), X[1, :, 0:])
    np.testing.assert_array_equal(run(tf.strided_slice(x, [0, 0, 2], [0, 0, 3], ellipsis_mask=1,
                                                       new_axis_mask=2)), X[..., None, 2:3])
    step = tf.placeholder_with_default(1, [])  # ptb_reader's batch i: bounds computed in the graph
    window = tf.strided_slice(x, [0, 0, step * 2], [2, 3, (step + 1) * 2])
    np.testing.assert_array_equal(run(window), X[:, :, 2:4])
    np.testing.assert_array_equal(run(window, {step: 0}), X[:, :, 0:2])


def test_split_into_equal_pieces_along_a_dimension_known_only_at_run_time():
    x = tf.placeholder(tf.float32, [None, 3])
    first, second = tf.split(x, 2)  # the towers pattern: a batch of unknown size split in two
    (grad,) = tf.gradients(tf.reduce_sum(first * 2 + second * 3), [x])
    assert first.shape.as_list() == [None, 3]
    value = np.arange(12, dtype=np.float32).reshape(4, 3)
    a, b, g = run([first, second, grad], {x: value})
    np.testing.assert_array_equal(a, value[:2])
    np.testing.assert_array_equal(b, value[2:])
    np.testing.assert_array_equal(g, [[2] * 3] * 2 + [[3] * 3] * 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is invalid for input of size 9"):
        run(first, {x: value[:3]})  # 3 rows do not split in two
    rest_first, rest = tf.split(x, [1, -1])  # sizes along a dim of unknown size: cut when the graph runs
    np.testing.assert_array_equal(run(rest, {x: value}), value[1:])
    assert run(rest_first, {x: value}).shape == (1, 3)


def test_split_of_a_dimension_known_at_run_time_beside_other_unknown_dims():
    x = tf.placeholder(tf.float32, [None, None])
    halves = tf.split(x, 2, axis=1)
    one, three = tf.split(x, [1, 3], axis=1)
    (grad,) = tf.gradients(tf.reduce_sum(halves[0] * 2 + halves[1] * 3) + tf.reduce_sum(one), [x])
    value = np.arange(8, dtype=np.float32).reshape(2, 4)
    got = run(halves + [one, three, grad], {x: value})
    for piece, expected in zip(got, [value[:, :2], value[:, 2:], value[:, :1], value[:, 1:]]):
        np.testing.assert_array_equal(piece, expected)
    np.testing.assert_array_equal(got[4], [[3, 2, 3, 3]] * 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="should evenly divide the split dimension"):
        run(halves[0], {x: np.ones((2, 5), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must either match input shape along split_dim"):
        run(one, {x: np.ones((2, 5), np.float32)})


def test_tensor_shape_merge_with_takes_each_dim_from_whichever_knows_it():
    assert tf.TensorShape([None, 3]).merge_with([2, None]).as_list() == [2, 3]
    assert tf.TensorShape(None).merge_with([4]).as_list() == [4]
    with pytest.raises(ValueError, match="not compatible"):
        tf.TensorShape([2]).merge_with([3])


def test_tensor_shape_rank_checks_and_concatenation():
    shape = tf.TensorShape([None, 3])
    assert shape.concatenate([4]).as_list() == [None, 3, 4] and not shape.concatenate(tf.TensorShape(None)).rank
    assert shape.with_rank(2) is shape and tf.TensorShape(None).with_rank(3).as_list() == [None] * 3
    assert shape.with_rank_at_least(1) is shape
    shape.assert_has_rank(2)
    shape.assert_is_compatible_with([7, 3])
    for check, message in ((lambda: shape.with_rank(3), "must have rank 3"),
                           (lambda: shape.with_rank_at_least(3), "must have rank at least 3"),
                           (lambda: shape.assert_is_compatible_with([2, 4]), "incompatible"),
                           (lambda: shape.assert_is_fully_defined(), "not fully defined")):
        with pytest.raises(ValueError, match=message):
            check()


def test_gather_refuses_positions_outside_the_axis():
    params = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.Session() as sess:
        for positions, axis, bad in (([0, -1], 0, -1), ([2], 1, 2)):
            with pytest.raises(tf.errors.InvalidArgumentError, match=f"index {bad} is out of bounds for dimension "
                                                                     f"{axis} with size 2"):
                sess.run(tf.gather(params, positions, axis=axis))


def test_slice_refuses_what_python_slicing_would_clip():
    x = tf.constant([1.0, 2.0, 3.0])
    for begin, size, message in (([1], [5], r"Expected size\[0\] in \[0, 2\], but got 5"),
                                 ([-1], [1], r"Expected begin\[0\] in \[0, 3\], but got -1"),
                                 ([0], [-2], r"Expected size\[0\] in \[0, 3\], but got -2"),
                                 ([0, 0], [1, 1], "Expected begin and size arguments to be 1-D tensors of size 1")):
        with pytest.raises(ValueError, match=message):
            tf.slice(x, begin, size)
    rows = tf.placeholder(tf.float32, [None, 2])
    y = tf.slice(rows, [1, 0], [2, -1])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.slice(x, [1], [-1])), [2.0, 3.0])
        assert sess.run(tf.slice(x, [3], [0])).shape == (0,)
        np.testing.assert_array_equal(sess.run(y, {rows: np.arange(6.0).reshape(3, 2)}), [[2, 3], [4, 5]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Slice: begin\\[0\\] \\+ size\\[0\\] exceeds"):
            sess.run(y, {rows: np.ones((2, 2))})


def test_tile_by_multiples_known_when_the_graph_runs():
    batch = tf.placeholder(tf.float64, [None, 3])
    row = tf.Variable([[1.0, 2.0]], dtype=tf.float64)
    tiled = tf.tile(row, [tf.shape(batch)[0], 2])
    assert tiled.shape.as_list() == [None, 4]
    block = tf.constant(np.arange(6.0).reshape(1, 2, 3))
    stacked = tf.tile(block, tf.stack([tf.shape(batch)[0], 1, 2]))
    weights = np.arange(4.0)
    loss = tf.reduce_sum(tiled * weights) + tf.reduce_sum(stacked * stacked)
    (d_row,), (d_block,) = tf.gradients(loss, row), tf.gradients(loss, block)
    with tf.Session() as sess:
        sess.run(row.initializer)
        values = sess.run([tiled, stacked, d_row, d_block], {batch: np.ones((3, 3))})
    np.testing.assert_array_equal(values[0], np.tile([[1.0, 2.0]], (3, 2)))
    np.testing.assert_array_equal(values[1], np.tile(np.arange(6.0).reshape(1, 2, 3), (3, 1, 2)))
    np.testing.assert_array_equal(values[2], [[3 * (0 + 2), 3 * (1 + 3)]])  # each entry is in 3 rows, 2 tiles
    np.testing.assert_array_equal(values[3], 12 * np.arange(6.0).reshape(1, 2, 3))  # 6 copies of w², d = 2w each


def test_slices_with_bounds_known_when_the_graph_runs():
    x = tf.placeholder(tf.float64, [None, 4])
    n, rows = tf.shape(x)[1], tf.shape(x)[0]
    cases = [(x[:, :n - 1], lambda v: v[:, :3]), (x[1:rows, ::-1], lambda v: v[1:3, ::-1]),
             (x[..., n - 2], lambda v: v[..., 2]), (x[None, 0, 1:n], lambda v: v[None, 0, 1:4]),
             (x[-rows:, tf.constant(1):n:2], lambda v: v[-3:, 1:4:2])]
    assert cases[0][0].shape.as_list() == [None, None] and cases[2][0].shape.as_list() == [None]
    assert x[:, tf.constant(1):].shape.as_list() == [None, None] and x[1:rows, :].shape.as_list() == [None, 4]
    values = np.arange(12.0).reshape(3, 4)
    with tf.Session() as sess:
        for sliced, expected in cases:
            np.testing.assert_array_equal(sess.run(sliced, {x: values}), expected(values))
    with pytest.raises(TypeError, match="slice end must be a scalar"):
        x[:, :tf.shape(x)]


def test_gradient_through_slices_with_tensor_bounds():
    check_gradients(lambda t: t[tf.constant(1):, :tf.shape(t)[1] - 1:2] * t[tf.constant(-2):, 1::2],
                    np.arange(12.0).reshape(3, 4))


def test_slice_with_begin_and_size_known_when_the_graph_runs():
    x = tf.placeholder(tf.float64, [None, 4])
    start = tf.placeholder(tf.int32, [])
    from_start = tf.slice(x, [start, 1], [-1, 2])
    values = np.arange(12.0).reshape(3, 4)
    (grad,) = tf.gradients(tf.reduce_sum(from_start * from_start), x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(from_start, {x: values, start: 1}), values[1:, 1:3])
        np.testing.assert_array_equal(sess.run(tf.slice(x, tf.stack([0, start]), [2, -1]), {x: values, start: 1}),
                                      values[:2, 1:])
        expected = np.zeros_like(values)
        expected[2:, 1:3] = 2 * values[2:, 1:3]
        np.testing.assert_array_equal(sess.run(grad, {x: values, start: 2}), expected)
        for begin, size in (([start, 0], [3, 1]), ([start, 0], [-2, 1])):
            with pytest.raises(tf.errors.InvalidArgumentError, match="Slice: "):
                sess.run(tf.slice(x, begin, size), {x: values, start: 1})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Slice: begin must be >= 0"):
            sess.run(tf.slice(x, [start, 0], [1, 1]), {x: values, start: -1})


def test_pad_with_paddings_known_when_the_graph_runs():
    x = tf.placeholder(tf.float64, [None, 2])
    length = tf.placeholder(tf.int32, [])
    padded = tf.pad(x, [[0, length - tf.shape(x)[0]], [1, 0]], constant_values=-1.0)
    values = np.arange(6.0).reshape(3, 2)
    (grad,) = tf.gradients(tf.reduce_sum(padded * padded), x)
    with tf.Session() as sess:
        out, g = sess.run([padded, grad], {x: values, length: 5})
        np.testing.assert_array_equal(out, np.pad(values, [[0, 2], [1, 0]], constant_values=-1.0))
        np.testing.assert_array_equal(g, 2 * values)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Paddings must be non-negative"):
            sess.run(padded, {x: values, length: 2})
    assert tf.pad(x, tf.constant([[1, 0], [0, 1]])).shape.as_list() == [None, 3]  # constant paddings: static
    with pytest.raises(ValueError, match="REFLECT padding needs constant paddings"):
        tf.pad(x, [[0, length], [0, 0]], mode="REFLECT")


def test_gather_with_batch_dims():
    params = np.arange(24.0).reshape(2, 4, 3)
    indices = np.array([[0, 3], [2, 2]])
    expected = np.stack([params[0][[0, 3]], params[1][[2, 2]]])
    np.testing.assert_array_equal(run(tf.gather(tf.constant(params), indices, batch_dims=1)), expected)
    np.testing.assert_array_equal(run(tf.gather(tf.constant(params), indices, axis=1, batch_dims=-1)), expected)
    check_gradients(lambda p: tf.gather(p, indices, batch_dims=1), params)
    # an axis past the batch dims: out[b, m, i] = params[b, m, indices[b, i]] (the dims between stay before)
    columns = np.array([[0, 2], [1, 1]])
    picked = run(tf.gather(tf.constant(params), columns, axis=2, batch_dims=1))
    np.testing.assert_array_equal(picked, np.stack([params[0][:, [0, 2]], params[1][:, [1, 1]]]))
    check_gradients(lambda p: tf.gather(p, columns, axis=2, batch_dims=1), params)
    with pytest.raises(ValueError, match="batch_dims .* at most axis"):
        tf.gather(tf.constant(params), indices, axis=0, batch_dims=1)


def test_broadcast_to_a_shape_known_only_at_run_time():
    x = tf.placeholder(tf.float32, [None, 3])
    v = tf.constant(np.arange(6, dtype=np.float32))
    tiled = tf.broadcast_to(v, [tf.shape(x)[0], 6])  # a bias row per example of the batch
    (grad,) = tf.gradients(tf.reduce_sum(tiled * 2.0), [v])
    assert tiled.shape.as_list() == [None, 6]
    value, g = run([tiled, grad], {x: np.ones((4, 3))})
    np.testing.assert_array_equal(value, np.tile(np.arange(6.0), (4, 1)))
    np.testing.assert_array_equal(g, np.full(6, 8.0))  # summed back over the 4 rows
    flags = tf.broadcast_to(tf.constant([True, False]), [tf.shape(x)[0], 2])
    assert run(flags, {x: np.ones((2, 3))}).tolist() == [[True, False], [True, False]]


def test_split_into_sizes_computed_in_the_graph():
    k = tf.placeholder_with_default(2, [])
    x = tf.constant(np.arange(12.0).reshape(2, 6))
    first, second = tf.split(x, [k, 6 - k], 1)
    head, rest = tf.split(x, [k, -1], 1)  # -1: whatever is left
    (grad,) = tf.gradients(tf.reduce_sum(first * 2.0) + tf.reduce_sum(second * 3.0), [x])
    a, b, r, g = run([first, second, rest, grad], {k: 4})
    np.testing.assert_array_equal(a, np.arange(12.0).reshape(2, 6)[:, :4])
    np.testing.assert_array_equal(b, np.arange(12.0).reshape(2, 6)[:, 4:])
    np.testing.assert_array_equal(r, b)
    np.testing.assert_array_equal(g, np.tile([2.0] * 4 + [3.0] * 2, (2, 1)))
    with pytest.raises(ValueError, match="at most one size may be -1"):
        tf.split(x, [k, -1, -1], 1)


def test_int_tensors_of_known_value_give_static_shapes_as_tf_shape_functions_do():
    """tf.constant(7) as a maxlen, a range limit or a multiple is known when the graph is built: the shapes say so
    (TF's shape functions read constant inputs); a placeholder's value is not."""
    lengths = tf.placeholder(tf.int32, [5])
    assert tf.sequence_mask(lengths, tf.constant(7)).shape.as_list() == [5, 7]
    assert tf.range(tf.constant(2), tf.constant(11), 3).shape.as_list() == [3]
    assert tf.range(tf.placeholder(tf.int32, [])).shape.as_list() == [None]
    x = tf.placeholder(tf.float32, [None, 4, 3])
    assert tf.tile(x, [1, tf.constant(2), 1]).shape.as_list() == [None, 8, 3]
    assert tf.reshape(x, [tf.constant(2), 6, -1]).shape.as_list() == [2, 6, None]
    values = np.arange(24.0, dtype=np.float32).reshape(2, 4, 3)
    with tf.Session() as sess:
        mask, tiled = sess.run([tf.sequence_mask(lengths, tf.constant(7)), tf.tile(x, [1, tf.constant(2), 1])],
                               {lengths: [0, 1, 7, 3, 2], x: values})
    np.testing.assert_array_equal(mask, np.arange(7) < np.array([0, 1, 7, 3, 2])[:, None])
    np.testing.assert_array_equal(tiled, np.tile(values, (1, 2, 1)))
    with pytest.raises(ValueError, match="delta"):
        tf.range(0, 5, tf.constant(0))
