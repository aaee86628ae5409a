"""tf.dynamic_partition and tf.dynamic_stitch: values against numpy, gradients against central differences."""
import numpy as np
import pytest

import minidl.graph as tf
from .helpers import run
from .numeric_gradients import check_gradients

LABELS = np.array([0, 1, 0, 2, 1], np.int32)


def test_partition_then_stitch_is_the_identity():
    data = np.arange(10.0).reshape(5, 2)
    parts = tf.dynamic_partition(tf.constant(data), LABELS, 3)
    positions = tf.dynamic_partition(tf.range(5), LABELS, 3)
    merged = tf.dynamic_stitch(positions, parts)
    values = run(parts + [merged])
    for i in range(3):
        np.testing.assert_array_equal(values[i], data[LABELS == i])
    np.testing.assert_array_equal(values[3], data)
    assert merged.shape.as_list() == [None, 2] and tf.math.dynamic_stitch is tf.dynamic_stitch


def test_stitch_later_entries_win_and_the_gradient_gathers_for_each():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    merged = run(tf.dynamic_stitch([[0, 2], [1, 2]], [tf.constant(x), tf.constant(x * 10)]))
    np.testing.assert_array_equal(merged, [[1.0, 2.0], [10.0, 20.0], [30.0, 40.0]])
    check_gradients(lambda a, b: tf.dynamic_stitch([[0, 2], [1, 3]], [a, b]), x, x + 0.5)


def test_partition_gradient_and_errors():
    check_gradients(lambda d: tf.dynamic_partition(d, LABELS, 3)[0] * tf.dynamic_partition(d, LABELS, 3)[0],
                    np.arange(10.0).reshape(5, 2))
    with pytest.raises(ValueError, match="must be a prefix of data.shape"):
        tf.dynamic_partition(tf.ones([4, 2]), LABELS, 3)
    with pytest.raises(ValueError, match="num_partitions must be a positive int"):
        tf.dynamic_partition(tf.ones([5]), LABELS, 0)
    with pytest.raises(ValueError, match="two non-empty lists of the same length"):
        tf.dynamic_stitch([[0]], [])
