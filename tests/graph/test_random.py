"""Random ops: shapes, dtypes, distributions, and seeds (reproducible per graph, advancing per run)."""
import numpy as np
import pytest

import minidl.graph as tf
import minidl.ops as ops
from minidl.graph import errors

from .helpers import run


# ----------------------------------------------------------------------------------------- shapes, dtypes

def test_static_shapes_and_dtypes(graph):
    assert tf.random_normal([2, 3]).shape == (2, 3)
    assert tf.truncated_normal((4,), dtype=tf.float64).dtype == tf.float64
    assert tf.random_uniform([5], maxval=10, dtype=tf.int64).dtype == tf.int64
    assert tf.random_normal([]).shape == ()
    assert tf.random_normal(tf.TensorShape([2, 2])).shape == (2, 2)
    assert tf.random_normal(tf.constant([3, 1])).shape == (3, 1)   # a constant shape is known statically
    values = run([tf.random_normal([2, 3]), tf.random_uniform([4], dtype=tf.float16), tf.random_normal([])])
    assert values[0].shape == (2, 3) and values[0].dtype == np.float32
    assert values[1].dtype == np.float16 and values[2].shape == ()


def test_shape_given_as_a_tensor(graph):
    dims = tf.placeholder(tf.int32, [2])
    x = tf.random_uniform(dims)
    assert x.shape.as_list() == [None, None]
    assert run(x, {dims: [3, 5]}).shape == (3, 5)
    n = tf.placeholder(tf.int32, [])
    y = tf.random_normal([n, 2])   # a list holding tensors is packed into a shape tensor; its numbers stay known
    assert y.shape.as_list() == [None, 2]
    assert run(y, {n: 4}).shape == (4, 2)
    unknown = tf.random_normal(tf.placeholder(tf.int32))
    assert not unknown.shape.rank_known
    # tf.shape(x) carries x's static dims: a GAN's noise of the batch's size feeds a dense layer
    x = tf.placeholder(tf.float32, [None, 4])
    noise = tf.random_uniform([tf.shape(x)[0], 100])
    assert noise.shape.as_list() == [None, 100] and tf.layers.dense(noise, 3).shape.as_list() == [None, 3]
    for like_x in (tf.random_normal(tf.shape(x)), tf.zeros(tf.shape(x)), tf.fill(tf.shape(x), 2.0)):
        assert like_x.shape.as_list() == [None, 4]
    assert run(tf.random_normal(tf.shape(x)), {x: np.zeros((3, 4))}).shape == (3, 4)


def test_bad_shapes_and_dtypes(graph):
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.random_normal([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.random_uniform([2], dtype=tf.bool)
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="negative"):
        tf.random_normal([2, -1])
    with pytest.raises(ValueError, match="list of dimensions"):
        tf.random_normal(5)
    with pytest.raises(ValueError, match="partially known"):
        tf.random_normal(tf.TensorShape([None, 2]))
    with pytest.raises(TypeError, match="1-D int32 or int64"):
        tf.random_normal(tf.constant([2.0]))


def test_integer_uniform_needs_minval_below_maxval_at_run_time(graph):
    low = tf.placeholder(tf.int32, [])
    x = tf.random_uniform([3], minval=low, maxval=5, dtype=tf.int32)
    with pytest.raises(errors.InvalidArgumentError, match="Need minval < maxval: 5 >= 5") as info:
        run(x, {low: 5})
    assert "Caused by op 'random_uniform'" in str(info.value)


# ------------------------------------------------------------------------------------------ distributions

def test_normal_and_truncated_normal_statistics(graph):
    normal = run(tf.random_normal([20000], mean=3.0, stddev=2.0, seed=1))
    assert abs(normal.mean() - 3.0) < 0.1 and abs(normal.std() - 2.0) < 0.1
    assert np.abs(normal - 3.0).max() > 4.0   # an untruncated normal goes past 2 stddev
    truncated = run(tf.truncated_normal([20000], mean=-1.0, stddev=0.5, seed=2))
    assert np.abs(truncated + 1.0).max() <= 1.0
    assert abs(truncated.std() - 0.5 * 0.87962566103423978) < 0.02


def test_uniform_ranges(graph):
    floats = run(tf.random_uniform([10000], minval=-2.0, maxval=3.0, seed=3))
    assert floats.min() >= -2.0 and floats.max() < 3.0 and abs(floats.mean() - 0.5) < 0.1
    unit = run(tf.random_uniform([1000], seed=4))
    assert unit.min() >= 0.0 and unit.max() < 1.0
    ints = run(tf.random_uniform([10000], minval=2, maxval=6, dtype=tf.int32, seed=5))
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {2, 3, 4, 5}


def test_mean_and_stddev_may_be_tensors_and_are_differentiable(graph):
    mean = tf.placeholder(tf.float32, [])
    stddev = tf.Variable(2.0)
    x = tf.random_normal([1000], mean=mean, stddev=stddev, seed=6)
    d_mean, d_stddev = tf.gradients(ops.sum(x), [mean, stddev])
    with tf.Session() as sess:
        sess.run(stddev.initializer)
        values, dm = sess.run([x, d_mean], {mean: 10.0})
        assert abs(values.mean() - 10.0) < 0.3 and dm == 1000.0
        assert d_stddev is not None


def test_random_shuffle_permutes_rows(graph):
    data = np.arange(20.0).reshape(10, 2)
    shuffled = tf.random_shuffle(data, seed=7)
    assert shuffled.shape == (10, 2) and shuffled.op.type == "RandomShuffle"
    out = run(shuffled)
    assert not np.array_equal(out, data)
    np.testing.assert_array_equal(out[np.argsort(out[:, 0])], data)
    assert run(tf.random_shuffle(5.0)) == 5.0


def test_multinomial_follows_softmax_and_never_draws_minus_inf(graph):
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]]))
    samples = tf.multinomial(logits, 4000, seed=8)
    assert samples.shape == (2, 4000) and samples.dtype == tf.int64
    out = run(samples)
    counts = np.stack([np.bincount(row, minlength=3) / 4000 for row in out])
    np.testing.assert_allclose(counts, np.exp(logits), atol=0.03)
    assert tf.random.categorical(logits, 3, dtype=tf.int32).dtype == tf.int32
    with pytest.raises(ValueError, match="matrix"):
        tf.multinomial([0.0, 1.0], 2)
    with pytest.raises(TypeError, match="num_samples"):
        tf.multinomial(logits, 2.5)


@pytest.mark.parametrize("fn, name", [(tf.multinomial, "multinomial"), (tf.random.categorical, "categorical")])
def test_categorical_draws_report_errors_under_their_own_name(graph, fn, name):
    with pytest.raises(ValueError, match=f"^{name}: logits should be a matrix"):
        fn([0.0, 1.0], 2)
    with pytest.raises(TypeError, match=f"^{name}: num_samples must be a non-negative Python int"):
        fn([[0.0, 1.0]], -1)
    with pytest.raises(TypeError, match=f"^{name}: .*DataType float32 not in list of allowed values"):
        fn([[0.0, 1.0]], 2, **{"output_dtype" if name == "multinomial" else "dtype": tf.float32})
    assert fn([[0.0, 1.0]], 2).op.name.startswith(name + "/")


# ------------------------------------------------------------------------------------------------ seeds

def test_seeded_ops_repeat_in_every_new_session_and_advance_per_run(graph):
    tf.set_random_seed(42)
    assert graph.seed == 42
    x = tf.random_normal([3])
    y = tf.random_normal([3])
    with tf.Session() as sess:
        first, second = sess.run(x), sess.run(x)
        other = sess.run(y)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), first)
        np.testing.assert_array_equal(sess.run(x), second)
    assert not np.array_equal(first, second)   # successive runs advance the sequence
    assert not np.array_equal(first, other)    # two ops of one seeded graph differ


def test_graph_seed_makes_a_rebuilt_program_reproducible():
    def build():
        g = tf.Graph()
        with g.as_default():
            tf.random.set_random_seed(7)
            a = tf.random.uniform([4])
            b = tf.random.normal([4])
            c = tf.random.truncated_normal([4])
            with tf.Session() as sess:
                return sess.run([a, b, c])
    for first, again in zip(build(), build()):
        np.testing.assert_array_equal(first, again)


def test_op_seed_alone_is_reproducible_and_unseeded_ops_differ_between_sessions(graph):
    seeded = tf.random_uniform([5], seed=123)
    unseeded = tf.random_uniform([5])
    with tf.Session() as one, tf.Session() as two:
        np.testing.assert_array_equal(one.run(seeded), two.run(seeded))
        assert not np.array_equal(one.run(unseeded), two.run(unseeded))
    with tf.Session() as one:
        first = one.run(seeded)
    with tf.Graph().as_default():
        rebuilt = run(tf.random_uniform([5], seed=123))
    np.testing.assert_array_equal(rebuilt, first)


def test_random_namespace():
    assert tf.random.normal is tf.random_normal and tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal and tf.random.shuffle is tf.random_shuffle
    assert tf.random.set_random_seed is tf.set_random_seed


def test_gamma_and_poisson_samples_have_their_moments(graph):
    tf.set_random_seed(3)
    gamma = tf.random_gamma([20000], [0.5, 2.0, 9.0])
    rated = tf.random.gamma([20000], 3.0, beta=[[1.0], [4.0]])  # beta is the rate: mean alpha / beta
    counts = tf.random_poisson([1.0, 6.0], [20000])
    as_ints = tf.random.poisson([2.0], [3, 2], dtype=tf.int64)
    assert [t.shape.as_list() for t in (gamma, rated, counts, as_ints)] == [[20000, 3], [20000, 2, 1], [20000, 2],
                                                                           [3, 2, 1]]
    g, r, c, i = run([gamma, rated, counts, as_ints])
    np.testing.assert_allclose(g.mean(0), [0.5, 2.0, 9.0], rtol=0.05)  # a Gamma(alpha, 1) has mean = var = alpha
    np.testing.assert_allclose(g.var(0), [0.5, 2.0, 9.0], rtol=0.1)
    np.testing.assert_allclose(r.mean(0)[:, 0], [3.0, 0.75], rtol=0.05)
    np.testing.assert_allclose(c.mean(0), [1.0, 6.0], rtol=0.05)
    assert (c == np.round(c)).all() and c.dtype == np.float32 and i.dtype == np.int64
    with pytest.raises(errors.InvalidArgumentError, match="alpha must be positive"):
        run(tf.random_gamma([2], [0.0]))
    with pytest.raises(TypeError):
        tf.random_gamma([2], 1.0, dtype=tf.int32)


def test_gamma_samples_are_differentiated_in_alpha_implicitly_as_tf_does():
    """TF's RandomGamma gradient: a draw x of Gamma(α, 1) moves with α as the cdf keeps its level,
    dx/dα = -(∂P(α, x)/∂α) / p(x; α); the rate β divides the draws (dx/dβ = -x/β)."""
    scipy_special = pytest.importorskip("scipy.special")
    alpha_values, beta_values = np.array([0.7, 2.0, 5.5]), np.array([1.0, 2.0, 0.5])
    alpha, beta = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    draws = tf.random_gamma([2], alpha, beta=beta, dtype=tf.float64, seed=3)
    grad_alpha, grad_beta = tf.gradients(tf.reduce_sum(draws), [alpha, beta])
    with tf.Session() as sess:
        x, got_alpha, got_beta = sess.run([draws, grad_alpha, grad_beta], {alpha: alpha_values, beta: beta_values})
    standard = x * beta_values  # the Gamma(α, 1) draws
    h = 1e-6
    d_cdf = (scipy_special.gammainc(alpha_values + h, standard) - scipy_special.gammainc(alpha_values - h, standard)) \
        / (2 * h)
    density = np.exp((alpha_values - 1) * np.log(standard) - standard - scipy_special.gammaln(alpha_values))
    np.testing.assert_allclose(got_alpha, (-d_cdf / density / beta_values).sum(0), rtol=1e-5)
    np.testing.assert_allclose(got_beta, (-x / beta_values).sum(0), rtol=1e-10)

