"""tf.sets: intersection, union, difference and size along the last dimension, of dense tensors and SparseTensors
(TF's documented examples, a brute-force reference over random sets, strings), with the errors TF gives."""
import collections

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import run


def _sparse(entries, dense_shape):
    """A SparseTensor from an ordered {index: value} mapping (how TF's docs write their examples)."""
    return tf.SparseTensor(list(entries.keys()), list(entries.values()), dense_shape)


# TF's documentation examples: a = [[{1, 2}, {3}], [{4}, {5, 6}]], b = [[{1}, {}], [{4}, {5, 6, 7, 8}]]
A = collections.OrderedDict([((0, 0, 0), 1), ((0, 0, 1), 2), ((0, 1, 0), 3), ((1, 0, 0), 4), ((1, 1, 0), 5),
                             ((1, 1, 1), 6)])
B = collections.OrderedDict([((0, 0, 0), 1), ((1, 0, 0), 4), ((1, 1, 0), 5), ((1, 1, 1), 6), ((1, 1, 2), 7),
                             ((1, 1, 3), 8)])
# the difference example's b = [[{1, 3}, {2}], [{4, 5}, {5, 6, 7, 8}]]
B_DIFF = collections.OrderedDict([((0, 0, 0), 1), ((0, 0, 1), 3), ((0, 1, 0), 2), ((1, 0, 0), 4), ((1, 0, 1), 5),
                                  ((1, 1, 0), 5), ((1, 1, 1), 6), ((1, 1, 2), 7), ((1, 1, 3), 8)])


def _check(value, entries, dense_shape, dtype=np.int32):
    """``value`` (a SparseTensorValue) holds exactly ``entries`` ({index: value}, in row-major order)."""
    assert isinstance(value, tf.SparseTensorValue)
    np.testing.assert_array_equal(value.indices, np.array(list(entries.keys()), dtype=np.int64).reshape(
        len(entries), len(dense_shape)))
    np.testing.assert_array_equal(value.values, np.array(list(entries.values()), dtype=dtype))
    np.testing.assert_array_equal(value.dense_shape, dense_shape)
    assert value.indices.dtype == np.int64 and value.dense_shape.dtype == np.int64 and value.values.dtype == dtype


def test_the_documented_examples_of_intersection_union_difference_and_size(graph):
    a, b, b_diff = _sparse(A, [2, 2, 2]), _sparse(B, [2, 2, 4]), _sparse(B_DIFF, [2, 2, 4])
    assert tf.sets.intersection is tf.sets.set_intersection and tf.sets.size is tf.sets.set_size
    out = run({"intersection": tf.sets.intersection(a, b), "union": tf.sets.union(a, b),
               "difference": tf.sets.difference(a, b_diff), "b_minus_a": tf.sets.set_difference(a, b_diff, False),
               "size": tf.sets.size(b), "size_a": tf.sets.set_size(a)})
    _check(out["intersection"], {(0, 0, 0): 1, (1, 0, 0): 4, (1, 1, 0): 5, (1, 1, 1): 6}, [2, 2, 2])
    _check(out["union"], {(0, 0, 0): 1, (0, 0, 1): 2, (0, 1, 0): 3, (1, 0, 0): 4, (1, 1, 0): 5, (1, 1, 1): 6,
                          (1, 1, 2): 7, (1, 1, 3): 8}, [2, 2, 4])
    _check(out["difference"], {(0, 0, 0): 2, (0, 1, 0): 3}, [2, 2, 1])
    _check(out["b_minus_a"], {(0, 0, 0): 3, (0, 1, 0): 2, (1, 0, 0): 5, (1, 1, 0): 7, (1, 1, 1): 8}, [2, 2, 2])
    np.testing.assert_array_equal(out["size"], [[1, 0], [1, 4]])
    np.testing.assert_array_equal(out["size_a"], [[2, 1], [1, 2]])
    assert out["size"].dtype == np.int32


def _reference(a_sets, b_sets, combine):
    """{index: value} of the result of ``combine`` on each pair of sets (lists of Python sets, one per row)."""
    entries = {}
    for row, (x, y) in enumerate(zip(a_sets, b_sets)):
        for j, v in enumerate(sorted(combine(x, y))):
            entries[(row, j)] = v
    width = max((len(combine(x, y)) for x, y in zip(a_sets, b_sets)), default=0)
    return entries, [len(a_sets), width]


@pytest.mark.parametrize("operation", ["intersection", "union", "a-b", "b-a"])
@pytest.mark.parametrize("a_sparse,b_sparse", [(False, False), (False, True), (True, False), (True, True)])
def test_every_operation_on_every_mix_of_dense_and_sparse_matches_python_sets(graph, operation, a_sparse, b_sparse):
    rng = np.random.default_rng(3)
    a_dense, b_dense = rng.integers(0, 6, (5, 4)), rng.integers(0, 6, (5, 3))  # duplicates count once
    a_dense[2] = 9  # one set {9}, none of b's elements
    a_sets, b_sets = [set(r) for r in a_dense.tolist()], [set(r) for r in b_dense.tolist()]
    a = tf.sparse.from_dense(tf.constant(a_dense + 1, tf.int64)) if a_sparse else tf.constant(a_dense, tf.int64)
    b = tf.sparse.from_dense(tf.constant(b_dense + 1, tf.int64)) if b_sparse else tf.constant(b_dense, tf.int64)
    if a_sparse:  # from_dense stores the nonzeros: shift the elements by 1 so that every one is stored, then back
        a = tf.SparseTensor(a.indices, a.values - 1, a.dense_shape)
    if b_sparse:
        b = tf.SparseTensor(b.indices, b.values - 1, b.dense_shape)
    result = {"intersection": lambda: tf.sets.intersection(a, b), "union": lambda: tf.sets.union(a, b),
              "a-b": lambda: tf.sets.difference(a, b), "b-a": lambda: tf.sets.difference(a, b, aminusb=False)}
    combine = {"intersection": set.intersection, "union": set.union, "a-b": set.difference,
               "b-a": lambda x, y: y - x}[operation]
    _check(run(result[operation]()), *_reference(a_sets, b_sets, combine), dtype=np.int64)


def test_sets_of_strings_and_of_a_fed_sparse_tensor(graph):
    a = tf.constant([["cat", "dog", "cat"], ["ant", "bee", "cow"]])
    b = tf.constant([["dog", "emu"], ["cow", "ant"]])
    _check(run(tf.sets.intersection(a, b)), {(0, 0): b"dog", (1, 0): b"ant", (1, 1): b"cow"}, [2, 2], object)
    _check(run(tf.sets.difference(a, b)), {(0, 0): b"cat", (1, 0): b"bee"}, [2, 1], object)
    labels = tf.sparse_placeholder(tf.int32, shape=[2, None])
    predictions = tf.placeholder(tf.int32, [2, 2])
    hits = tf.sets.size(tf.sets.intersection(predictions, labels))
    assert hits.shape.rank == 1
    fed = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [1, 0]], np.int64), np.array([3, 7, 1], np.int32),
                               np.array([2, 2], np.int64))
    np.testing.assert_array_equal(run(hits, {labels: fed, predictions: [[7, 2], [5, 6]]}), [1, 0])
    empty = run(tf.sets.intersection([[1, 2]], [[3, 4]]))  # no element in common anywhere: a last dim of 0
    _check(empty, {}, [1, 0])


def test_a_set_size_counts_distinct_values_and_a_rank_3_tensor_has_a_matrix_of_sets(graph):
    sp = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 0, 2], [1, 1, 0]], [4, 4, 5, 9], [2, 2, 3])
    np.testing.assert_array_equal(run(tf.sets.size(sp)), [[2, 0], [0, 1]])
    dense = tf.constant(np.arange(24).reshape(2, 3, 4) % 5)
    value = run(tf.sets.union(dense, dense))
    assert list(value.dense_shape) == [2, 3, 4]
    np.testing.assert_array_equal(value.indices[:4], [[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 3]])
    np.testing.assert_array_equal(value.values[:8], [0, 1, 2, 3, 0, 1, 2, 4])  # {4, 0, 1, 2} sorted


def test_bad_inputs(graph):
    with pytest.raises(TypeError, match="'a' has invalid dtype float32"):
        tf.sets.intersection([[1.0]], [[1.0]])
    with pytest.raises(TypeError, match="types don't match, int32 vs int64"):
        tf.sets.union([[1]], tf.constant([[1]], tf.int64))
    with pytest.raises(ValueError, match="'a' must have rank >= 2"):
        tf.sets.intersection([1, 2], [[1]])
    with pytest.raises(ValueError, match="same rank"):
        tf.sets.union([[1, 2]], [[[1]]])
    with pytest.raises(ValueError, match=r"same shape in all but the last dimension.*\(2, 2\) and \(3, 1\)"):
        tf.sets.difference([[1, 2], [3, 4]], [[1], [2], [3]])
    with pytest.raises(TypeError, match="sets.size: expected a SparseTensor, got Tensor"):
        tf.sets.size(tf.constant([[1, 2]]))
    x = tf.placeholder(tf.int32, [None, None])
    y = tf.placeholder(tf.int32, [None, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"same shape in all but the last dimension, got \[2\] "
                                                          r"and \[3\]"):
        run(tf.sets.intersection(x, y), {x: [[1], [2]], y: [[1, 2]] * 3})
    with pytest.raises(errors.InvalidArgumentError, match="a must have rank >= 2"):
        run(tf.sets.intersection(tf.placeholder_with_default([1, 2], None), y), {y: [[1, 2]]})


def test_sparse_indices_are_validated(graph):
    unordered = tf.SparseTensor([[0, 1], [0, 0]], [1, 2], [1, 2])
    ordered = tf.SparseTensor([[0, 0], [0, 1]], [2, 1], [1, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out of order"):
        run(tf.sets.size(unordered))
    with pytest.raises(errors.InvalidArgumentError, match=r"a: indices\[1\] = \[0,0\] is out of order.*reorder"):
        run(tf.sets.union(unordered, ordered))
    np.testing.assert_array_equal(run(tf.sets.size(unordered, validate_indices=False)), [2])
    np.testing.assert_array_equal(run(tf.sets.size(tf.sparse.reorder(unordered))), [2])
    repeated = tf.SparseTensor([[0, 0], [0, 0]], [1, 2], [1, 2])
    with pytest.raises(errors.InvalidArgumentError, match="is repeated"):
        run(tf.sets.size(repeated))
    outside = tf.SparseTensor([[0, 0], [0, 5]], [1, 2], [1, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"b: indices\[1\] = \[0,5\] is out of bounds"):
        run(tf.sets.intersection(ordered, outside, validate_indices=False))
    mismatched = tf.SparseTensor([[0, 0], [0, 1]], [1], [1, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices must be \[1, 2\].*got \[2,2\]"):
        run(tf.sets.size(mismatched))


def test_the_compat_v1_path():
    import minidl.graph.compat.v1 as tf_v1
    assert tf_v1.sets.set_union is tf.sets.union and tf_v1.sets.difference is tf.sets.set_difference
