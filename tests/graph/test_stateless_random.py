"""tf.random.stateless_*: values that are a function of the seed tensor — the same across runs, sessions, graphs and
devices, different for another seed, with the right distributions; a fed seed; bad arguments."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import run
from .sessions import session_on


def _draws(seed):
    """One draw of each stateless function, built in the default graph."""
    return [tf.random.stateless_uniform([3, 4], seed),
            tf.random.stateless_uniform([5], seed, minval=-3, maxval=9, dtype=tf.int64),
            tf.random.stateless_normal([6], seed, mean=1.0, stddev=2.0, dtype=tf.float64),
            tf.random.stateless_truncated_normal([2, 2], seed),
            tf.random.stateless_categorical([[0.0, 1.0, 2.0]], 7, seed),
            tf.random.stateless_multinomial([[0.0, 1.0, 2.0]], 7, seed, output_dtype=tf.int32)]


def test_the_same_seed_gives_the_same_values_in_every_run_session_graph_and_device(device):
    first = _draws([7, 11])
    with session_on(device) as sess:
        values = sess.run(first)
        again = sess.run(first)
    with tf.Graph().as_default():
        tf.set_random_seed(123)  # the graph-level seed plays no part
        tf.random_normal([3])     # nor do other random ops before them
        with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
            elsewhere = sess.run(_draws(np.array([7, 11], dtype=np.int64)))
    for value, repeat, other in zip(values, again, elsewhere):
        np.testing.assert_array_equal(value, repeat)
        np.testing.assert_array_equal(value, other)
    shapes = [(3, 4), (5,), (6,), (2, 2), (1, 7), (1, 7)]
    dtypes = [np.float32, np.int64, np.float64, np.float32, np.int64, np.int32]
    assert [v.shape for v in values] == shapes and [v.dtype for v in values] == dtypes
    assert [d.shape.as_list() for d in first] == [list(s) for s in shapes]


def test_a_different_seed_gives_different_values(graph):
    values = run([tf.random.stateless_uniform([100], seed) for seed in ([1, 2], [2, 1], [1, 3], [-1, 2])])
    for i in range(len(values)):
        for j in range(i):
            assert not np.allclose(values[i], values[j])
    normals = run([tf.random.stateless_normal([50], [5, 5]), tf.random.stateless_normal([50], [5, 6])])
    assert not np.allclose(*normals)


def test_the_seed_may_be_fed_at_run_time(graph):
    seed = tf.placeholder(tf.int32, [2])
    x = tf.random.stateless_normal([4], seed)
    assert x.op.type == "Add" and x.op.name == "stateless_random_normal"
    with tf.Session() as sess:
        a, b, a_again = (sess.run(x, {seed: s}) for s in ([1, 2], [3, 4], [1, 2]))
    np.testing.assert_array_equal(a, a_again)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, run(tf.random.stateless_normal([4], [1, 2])))
    any_shape = tf.placeholder(tf.int64)
    with pytest.raises(errors.InvalidArgumentError, match=r"seed must have shape \[2\], got \[3\]"):
        run(tf.random.stateless_uniform([2], any_shape), {any_shape: [1, 2, 3]})


def test_shape_given_as_a_tensor(graph):
    dims = tf.placeholder(tf.int32, [2])
    x = tf.random.stateless_uniform(dims, [1, 2])
    assert x.shape.as_list() == [None, None]
    out = run(x, {dims: [3, 5]})
    assert out.shape == (3, 5)
    np.testing.assert_array_equal(out, run(tf.random.stateless_uniform(tf.constant([3, 5]), [1, 2])))
    n = tf.placeholder(tf.int32, [])
    y = tf.random.stateless_normal([n, 2], [1, 2])
    assert y.shape.as_list() == [None, 2] and run(y, {n: 4}).shape == (4, 2)


# ------------------------------------------------------------------------------------------ distributions

def test_uniform_floats_and_ints_stay_in_their_ranges(graph):
    floats = run(tf.random.stateless_uniform([20000], [1, 1], minval=-2.0, maxval=3.0))
    assert floats.min() >= -2.0 and floats.max() < 3.0
    assert abs(floats.mean() - 0.5) < 0.05 and abs(floats.std() - 5 / np.sqrt(12)) < 0.05
    unit = run(tf.random.stateless_uniform([1000], [1, 2], dtype=tf.float16))
    assert unit.dtype == np.float16 and unit.min() >= 0.0 and unit.max() <= 1.0
    ints = run(tf.random.stateless_uniform([20000], [1, 3], minval=2, maxval=6, dtype=tf.int32))
    assert ints.dtype == np.int32
    np.testing.assert_allclose(np.bincount(ints, minlength=6)[2:] / 20000, 0.25, atol=0.02)
    assert ints.min() == 2 and ints.max() == 5
    low = tf.placeholder(tf.int64, [])
    with pytest.raises(errors.InvalidArgumentError, match="Need minval < maxval"):
        run(tf.random.stateless_uniform([3], [1, 2], minval=low, maxval=5, dtype=tf.int64), {low: 5})


def test_normal_and_truncated_normal_statistics(graph):
    normal = run(tf.random.stateless_normal([20000], [2, 2], mean=3.0, stddev=2.0))
    assert abs(normal.mean() - 3.0) < 0.05 and abs(normal.std() - 2.0) < 0.05
    assert np.abs(normal - 3.0).max() > 4.0  # an untruncated normal goes past 2 stddev
    truncated = run(tf.random.stateless_truncated_normal([20000], [2, 3], mean=-1.0, stddev=0.5, dtype=tf.float64))
    assert truncated.dtype == np.float64 and np.abs(truncated + 1.0).max() <= 1.0
    assert abs(truncated.mean() + 1.0) < 0.02
    assert abs(truncated.std() - 0.5 * 0.87962566103423978) < 0.02  # the std of N(0, 1) cut at ±2


def test_categorical_follows_softmax_and_never_draws_minus_inf(graph):
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]]))
    samples = tf.random.stateless_categorical(logits, 8000, [4, 4])
    assert samples.shape == (2, 8000) and samples.dtype == tf.int64
    out = run(samples)
    counts = np.stack([np.bincount(row, minlength=3) / 8000 for row in out])
    np.testing.assert_allclose(counts, np.exp(logits), atol=0.02)
    assert (out[0] != 2).all()


def test_mean_and_stddev_may_be_tensors_and_are_differentiable(graph):
    mean = tf.placeholder(tf.float32, [])
    stddev = tf.constant(2.0)
    x = tf.random.stateless_normal([1000], [1, 2], mean=mean, stddev=stddev)
    d_mean, d_stddev = tf.gradients(tf.reduce_sum(x), [mean, stddev])
    with tf.Session() as sess:
        values, dm, ds = sess.run([x, d_mean, d_stddev], {mean: 10.0})
        standard = sess.run(tf.random.stateless_normal([1000], [1, 2]))
    np.testing.assert_allclose(values, standard * 2.0 + 10.0, rtol=1e-6)
    assert dm == 1000.0 and ds == pytest.approx(standard.sum(), rel=1e-4)


# ------------------------------------------------------------------------------------------ bad arguments

def test_bad_seeds_shapes_and_dtypes(graph):
    with pytest.raises(ValueError, match=r"stateless_uniform: seed must have shape \[2\]"):
        tf.random.stateless_uniform([2], [1, 2, 3])
    with pytest.raises(ValueError, match=r"stateless_normal: seed must have shape \[2\]"):
        tf.random.stateless_normal([2], 5)
    with pytest.raises(TypeError, match="seed must be an int32 or int64 tensor.*float32"):
        tf.random.stateless_normal([2], [1.0, 2.0])
    with pytest.raises(TypeError, match="stateless_normal.*not in list of allowed values"):
        tf.random.stateless_normal([2], [1, 2], dtype=tf.int32)
    with pytest.raises(TypeError, match="stateless_uniform.*not in list of allowed values"):
        tf.random.stateless_uniform([2], [1, 2], dtype=tf.bool)
    with pytest.raises(ValueError, match="must specify maxval.*int32"):
        tf.random.stateless_uniform([2], [1, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="must specify maxval.*int64"):
        tf.random.stateless_uniform([2], [1, 2], minval=None, maxval=4, dtype=tf.int64)
    with pytest.raises(ValueError, match="negative"):
        tf.random.stateless_truncated_normal([2, -1], [1, 2])
    with pytest.raises(ValueError, match="stateless_categorical: logits should be a matrix"):
        tf.random.stateless_categorical([0.0, 1.0], 3, [1, 2])
    with pytest.raises(TypeError, match="stateless_multinomial: num_samples"):
        tf.random.stateless_multinomial([[0.0, 1.0]], 2.5, [1, 2])
    with pytest.raises(TypeError, match="stateless_categorical.*not in list of allowed values"):
        tf.random.stateless_categorical([[0.0, 1.0]], 2, [1, 2], dtype=tf.float32)


def test_the_compat_v1_paths():
    import minidl.graph.compat.v1 as tf_v1
    for name in ("stateless_uniform", "stateless_normal", "stateless_truncated_normal", "stateless_categorical",
                 "stateless_multinomial"):
        assert getattr(tf_v1.random, name) is getattr(tf.random, name)
