"""``tf.nn.fractional_max_pool`` / ``fractional_avg_pool``: values against a numpy loop over the windows of the
sequences they return, the sequences' properties (0 to the input size in steps of floor or ceil of the ratio),
seeding, the gradients (numerically, and max's to the first maximum of each window) and bad input."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.fractional_pooling import output_size

from .numeric_gradients import check_gradients

POOLS = {"max": (tf.nn.fractional_max_pool, np.max), "avg": (tf.nn.fractional_avg_pool, np.mean)}


def reference(x, rows, cols, overlapping, reduce):
    """TF's loop: window (i, j) covers rows rows[i] .. rows[i+1] (that one only when overlapping) and likewise
    columns, clipped to the input."""
    n, h, w, c = x.shape
    out = np.zeros((n, len(rows) - 1, len(cols) - 1, c), x.dtype)
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            row_end = min(rows[i + 1] + (1 if overlapping else 0), h)
            col_end = min(cols[j + 1] + (1 if overlapping else 0), w)
            out[:, i, j] = reduce(x[:, rows[i]:row_end, cols[j]:col_end], axis=(1, 2))
    return out


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("overlapping", [False, True])
def test_values_follow_the_returned_sequences(pool, pseudo_random, overlapping):
    fn, reduce = POOLS[pool]
    x = np.random.default_rng(0).standard_normal((2, 11, 13, 3)).astype(np.float32)
    y, rows, cols = fn(tf.constant(x), [1.0, 1.5, 1.8, 1.0], pseudo_random=pseudo_random, overlapping=overlapping)
    assert y.shape.as_list() == [2, 7, 7, 3] and rows.shape.as_list() == [8] and cols.shape.as_list() == [8]
    with tf.Session() as sess:
        for _ in range(3):  # new windows on every run, each time matched by the values
            values, row_seq, col_seq = sess.run([y, rows, cols])
            assert row_seq.dtype == np.int64 and values.dtype == np.float32
            np.testing.assert_allclose(values, reference(x, row_seq, col_seq, overlapping, reduce), rtol=1e-6,
                                           atol=1e-6)


def test_max_pools_integers_and_returns_a_named_triple():
    x = np.arange(2 * 9 * 7).reshape(2, 9, 7, 1).astype(np.int32)
    result = tf.nn.fractional_max_pool(x, [1, 1.3, 1.3, 1], overlapping=True)
    values, rows, cols = tf.Session().run([result.output, result.row_pooling_sequence, result.col_pooling_sequence])
    assert values.dtype == np.int32
    np.testing.assert_array_equal(values, reference(x, rows, cols, True, np.max))


@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("size,ratio", [(10, 1.44), (25, 1.7), (23, 2.3), (12, 2.0), (7, 1.0), (40, 3.9), (9, 9.0)])
def test_sequences_run_from_0_to_the_size_in_steps_of_floor_or_ceil(pseudo_random, size, ratio):
    x = tf.zeros([1, size, size + 3, 2])
    _, rows, cols = tf.nn.fractional_max_pool(x, [1, ratio, ratio, 1], pseudo_random=pseudo_random)
    with tf.Session() as sess:
        for _ in range(20):
            for sequence, n in zip(sess.run([rows, cols]), (size, size + 3)):
                out = output_size(n, ratio)
                assert len(sequence) == out + 1 and sequence[0] == 0 and sequence[-1] == n
                assert set(np.diff(sequence)) <= {n // out, -(-n // out)}


def test_the_output_size_is_floor_of_the_float32_quotient():
    # 18 / 1.2 is just under 15 in float32 and 33 / 1.1 just over 30 (in float64: 15 and just under 30)
    y, rows, cols = tf.nn.fractional_avg_pool(tf.zeros([1, 18, 33, 1]), [1, 1.2, 1.1, 1])
    assert y.shape.as_list() == [1, 14, 30, 1] and rows.shape.as_list() == [15] and cols.shape.as_list() == [31]
    assert tf.Session().run(y).shape == (1, 14, 30, 1)


def _draws(fn, runs=4, **kwargs):
    """The row sequences of ``runs`` runs in a new session, for a graph built fresh."""
    with tf.Graph().as_default():
        _, rows, _ = fn(tf.zeros([1, 50, 5, 1]), [1, 1.7, 1.0, 1], **kwargs)
        with tf.Session() as sess:
            return [tuple(sess.run(rows)) for _ in range(runs)]


@pytest.mark.parametrize("pseudo_random", [False, True])
def test_seeds_make_the_draws_reproducible(pseudo_random):
    fn = tf.nn.fractional_max_pool
    seeded = _draws(fn, seed=7, seed2=3, pseudo_random=pseudo_random)
    assert seeded == _draws(fn, seed=7, seed2=3, pseudo_random=pseudo_random)  # a new session replays them
    assert len(set(seeded)) > 1  # successive runs draw new windows
    assert seeded != _draws(fn, seed=8, seed2=3, pseudo_random=pseudo_random)
    assert _draws(fn, pseudo_random=pseudo_random) != _draws(fn, pseudo_random=pseudo_random)  # unseeded


def test_the_graph_seed_plays_no_part():
    def draws():
        with tf.Graph().as_default():
            tf.set_random_seed(1)
            _, rows, _ = tf.nn.fractional_avg_pool(tf.zeros([1, 50, 5, 1]), [1, 1.7, 1.0, 1])
            return [tuple(row) for row in (tf.Session().run(rows) for _ in range(3))]
    assert draws() != draws()


def test_deterministic_keeps_the_windows_of_the_first_run():
    fixed = _draws(tf.nn.fractional_avg_pool, deterministic=True)
    assert len(set(fixed)) == 1
    assert fixed != _draws(tf.nn.fractional_avg_pool, deterministic=True)  # each session draws its own
    seeded = _draws(tf.nn.fractional_avg_pool, deterministic=True, seed=5)
    assert len(set(seeded)) == 1 and seeded == _draws(tf.nn.fractional_avg_pool, deterministic=True, seed=5)


def test_deterministic_windows_follow_the_fed_shape():
    x = tf.placeholder(tf.float32, [None, None, None, 1])
    y, rows, _ = tf.nn.fractional_max_pool(x, [1, 2.0, 2.0, 1], deterministic=True, seed=1)
    assert y.shape.as_list() == [None, None, None, 1] and rows.shape.as_list() == [None]
    with tf.Session() as sess:
        small, large = (sess.run([y, rows], {x: np.ones((1, n, n, 1), np.float32)}) for n in (4, 9))
        assert small[0].shape == (1, 2, 2, 1) and list(small[1]) == [0, 2, 4]
        assert large[0].shape == (1, 4, 4, 1) and large[1][-1] == 9


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("overlapping", [False, True])
def test_gradients_numerically(pool, pseudo_random, overlapping):
    # distinct values, so that every window has one maximum; fixed windows, as the check runs many times
    x = np.random.default_rng(1).permutation(2 * 7 * 6 * 2).reshape(2, 7, 6, 2) * 0.1
    check_gradients(lambda t: POOLS[pool][0](t, [1, 1.6, 1.4, 1], pseudo_random, overlapping, deterministic=True,
                                             seed=3)[0], x)


def test_max_gradient_goes_to_the_first_maximum_of_each_window():
    x = tf.ones([1, 4, 4, 1])
    y, rows, cols = tf.nn.fractional_max_pool(x, [1, 2.0, 2.0, 1], overlapping=True)
    grad, row_seq, col_seq = tf.Session().run([tf.gradients(tf.reduce_sum(y), x)[0], rows, cols])
    assert list(row_seq) == [0, 2, 4] and list(col_seq) == [0, 2, 4]
    expected = np.zeros((4, 4))
    expected[0, 0] = expected[0, 2] = expected[2, 0] = expected[2, 2] = 1  # windows overlap; ties: the first
    np.testing.assert_array_equal(grad[0, :, :, 0], expected)


def test_avg_gradient_spreads_evenly_and_sequences_get_none():
    x = tf.ones([1, 5, 3, 1])
    y, rows, cols = tf.nn.fractional_avg_pool(x, [1, 2.0, 1.0, 1], overlapping=True)
    assert tf.gradients(tf.reduce_sum(y), [rows, cols]) == [None, None]
    grad, row_seq, col_seq = tf.Session().run([tf.gradients(tf.reduce_sum(y), x)[0], rows, cols])
    expected = np.zeros((5, 3))
    for top, bottom in zip(row_seq[:-1], np.minimum(row_seq[1:] + 1, 5)):
        for left, right in zip(col_seq[:-1], np.minimum(col_seq[1:] + 1, 3)):
            expected[top:bottom, left:right] += 1 / ((bottom - top) * (right - left))
    np.testing.assert_allclose(grad[0, :, :, 0], expected)


def test_bad_input():
    x = tf.zeros([1, 8, 8, 2])
    with pytest.raises(ValueError, match="pooling_ratio must specify 4 dimensions"):
        tf.nn.fractional_max_pool(x, [1.5, 1.5])
    with pytest.raises(tf.errors.UnimplementedError, match="not yet supported on the batch nor channel"):
        tf.nn.fractional_max_pool(x, [1, 1.5, 1.5, 2])
    with pytest.raises(ValueError, match="pooling_ratio cannot be smaller than 1"):
        tf.nn.fractional_avg_pool(x, [1, 0.5, 1.5, 1])
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.fractional_max_pool(tf.zeros([8, 8, 2]), [1, 1.5, 1.5, 1])
    with pytest.raises(TypeError, match="value"):
        tf.nn.fractional_avg_pool(tf.zeros([1, 8, 8, 2], tf.int32), [1, 1.5, 1.5, 1])
    with pytest.raises(ValueError, match=r"output size floor\(input / pooling_ratio\) must be positive"):
        tf.nn.fractional_max_pool(x, [1, 9.0, 1.5, 1])


def test_an_input_too_small_for_the_ratio_fails_at_run_time():
    x = tf.placeholder(tf.float32, [1, None, 8, 1])
    y, _, _ = tf.nn.fractional_max_pool(x, [1, 3.0, 1.5, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"output height floor\(2 / 3.0\) must be positive"):
        tf.Session().run(y, {x: np.zeros((1, 2, 8, 1), np.float32)})
