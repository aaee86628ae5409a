"""tf.distributions in graph mode: values equal the eager distributions' (whose formulas they use) and closed
forms, sample shapes and moments, seeds, KL divergences, gradients against central differences, a tiny VAE, and
TF's API (shapes, dtypes, reparameterization types, validate_args)."""
import math

import numpy as np
import pytest

import minidl.eager as torch
import minidl.eager.distributions as eager
import minidl.graph as tf
from minidl.graph import distributions as tfd

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)
LOC = np.array([[0.3, -1.2, 2.0], [0.0, 0.5, -0.4]])
SCALE = np.array([[0.7, 1.5, 0.2], [1.0, 2.5, 0.9]])
POSITIVE = np.array([[0.8, 2.5, 1.3], [4.0, 0.6, 1.1]])
PROBS = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
LOGITS = np.log(PROBS) + 0.7


def _pair(graph_class, eager_class, tf_kwargs, torch_kwargs=None):
    """The graph distribution of float64 constants and the eager one of the same parameters."""
    graph_dist = graph_class(**{k: tf.constant(v) for k, v in tf_kwargs.items()})
    eager_dist = eager_class(**{k: torch.tensor(v) for k, v in (torch_kwargs or tf_kwargs).items()})
    return graph_dist, eager_dist


# (name, graph class, eager class, TF keyword arguments, PyTorch's if they differ, a value, the statistics)
CASES = [
    ("normal", tfd.Normal, eager.Normal, dict(loc=LOC, scale=SCALE), None, LOC + 0.3,
     ["log_prob", "prob", "cdf", "entropy", "mean", "stddev", "variance", "mode"]),
    ("uniform", tfd.Uniform, eager.Uniform, dict(low=LOC, high=LOC + POSITIVE), None, LOC + 0.3,
     ["log_prob", "cdf", "entropy", "mean", "stddev", "variance"]),
    ("exponential", tfd.Exponential, eager.Exponential, dict(rate=POSITIVE), None, SCALE,
     ["log_prob", "cdf", "entropy", "mean", "stddev", "variance", "mode"]),
    ("laplace", tfd.Laplace, eager.Laplace, dict(loc=LOC, scale=SCALE), None, LOC - 0.4,
     ["log_prob", "cdf", "entropy", "mean", "stddev", "variance", "mode"]),
    ("gamma", tfd.Gamma, eager.Gamma, dict(concentration=POSITIVE, rate=SCALE), None, SCALE + 0.1,
     ["log_prob", "entropy", "mean", "stddev", "variance", "mode"]),
    ("beta", tfd.Beta, eager.Beta, dict(concentration1=POSITIVE, concentration0=SCALE + 1), None, PROBS,
     ["log_prob", "entropy", "mean", "stddev", "variance", "mode"]),
    ("student_t", tfd.StudentT, eager.StudentT, dict(df=POSITIVE + 2, loc=LOC, scale=SCALE), None, LOC + 1,
     ["log_prob", "entropy", "mean", "stddev", "variance", "mode"]),
    ("dirichlet", tfd.Dirichlet, eager.Dirichlet, dict(concentration=POSITIVE + 1), None, PROBS,
     ["log_prob", "entropy", "mean", "stddev", "variance", "mode"]),
    ("bernoulli_logits", tfd.Bernoulli, eager.Bernoulli, dict(logits=LOGITS), None, (PROBS > 0.25) * 1.0,
     ["log_prob", "prob", "entropy", "mean", "stddev", "variance"]),
    ("bernoulli_probs", tfd.Bernoulli, eager.Bernoulli, dict(probs=PROBS), None, (PROBS > 0.25) * 1.0,
     ["log_prob", "entropy", "mean", "variance"]),
    ("categorical", tfd.Categorical, eager.Categorical, dict(logits=LOGITS), None, np.array([2, 0]),
     ["log_prob", "prob", "entropy"]),
    ("multinomial", tfd.Multinomial, eager.Multinomial, dict(probs=PROBS), None, np.array([[1., 3, 1], [0, 4, 1]]),
     ["log_prob", "mean", "variance", "stddev"]),
]


@pytest.mark.parametrize("name, graph_class, eager_class, kwargs, torch_kwargs, value, statistics", CASES,
                         ids=[case[0] for case in CASES])
def test_values_equal_the_eager_distributions(name, graph_class, eager_class, kwargs, torch_kwargs, value,
                                              statistics):
    if name == "multinomial":
        graph_dist = tfd.Multinomial(5, probs=tf.constant(PROBS))
        eager_dist = eager.Multinomial(5, probs=torch.tensor(PROBS))
    else:
        graph_dist, eager_dist = _pair(graph_class, eager_class, kwargs, torch_kwargs)
    fetches, expected = {}, {}
    for statistic in statistics:
        if statistic in ("log_prob", "cdf"):
            fetches[statistic] = getattr(graph_dist, statistic)(value)
            expected[statistic] = getattr(eager_dist, statistic)(torch.tensor(value)).numpy()
        elif statistic == "prob":
            fetches[statistic] = graph_dist.prob(value)
            expected[statistic] = np.exp(eager_dist.log_prob(torch.tensor(value)).numpy())
        elif statistic == "entropy":
            fetches[statistic] = graph_dist.entropy()
            expected[statistic] = eager_dist.entropy().numpy()
        else:
            fetches[statistic] = getattr(graph_dist, statistic)()
            expected[statistic] = getattr(eager_dist, statistic).numpy()
    got = run(fetches)
    for statistic in statistics:
        np.testing.assert_allclose(got[statistic], expected[statistic], rtol=1e-10, atol=1e-12, err_msg=statistic)


def test_closed_forms():
    x = 0.4
    normal = tfd.Normal(loc=1.0, scale=2.0)
    exponential = tfd.Exponential(rate=3.0)
    uniform = tfd.Uniform(low=-1.0, high=3.0)
    laplace = tfd.Laplace(loc=0.0, scale=0.5)
    got = run([normal.log_prob(x), normal.cdf(x), normal.entropy(), exponential.cdf(x), exponential.log_prob(x),
               uniform.prob(x), uniform.entropy(), uniform.survival_function(2.0), laplace.log_cdf(x),
               exponential.log_survival_function(x)])
    expected = [-(x - 1) ** 2 / 8 - math.log(2) - 0.5 * math.log(2 * math.pi),
                0.5 * (1 + math.erf((x - 1) / (2 * math.sqrt(2)))), 0.5 + 0.5 * math.log(2 * math.pi) + math.log(2),
                1 - math.exp(-3 * x), math.log(3) - 3 * x, 0.25, math.log(4), 0.25,
                math.log(1 - 0.5 * math.exp(-x / 0.5)), -3 * x]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_mvn_diag_and_tril_equal_the_eager_multivariate_normal():
    loc, diag = LOC, SCALE + 0.5
    tril = np.tril(RNG.standard_normal((2, 3, 3)), -1) + np.stack([np.diag(d) for d in diag])
    value = LOC + 0.25
    for graph_dist, scale_tril in [(tfd.contrib.MultivariateNormalDiag(tf.constant(loc), tf.constant(diag)),
                                    np.stack([np.diag(d) for d in diag])),
                                   (tfd.contrib.MultivariateNormalTriL(tf.constant(loc), tf.constant(tril)), tril)]:
        eager_dist = eager.MultivariateNormal(torch.tensor(loc), scale_tril=torch.tensor(scale_tril))
        got = run([graph_dist.log_prob(value), graph_dist.entropy(), graph_dist.mean(), graph_dist.variance(),
                   graph_dist.stddev(), graph_dist.covariance()])
        expected = [eager_dist.log_prob(torch.tensor(value)).numpy(), eager_dist.entropy().numpy(),
                    loc, eager_dist.variance.numpy(), np.sqrt(eager_dist.variance.numpy()),
                    eager_dist.covariance_matrix.numpy()]
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-10)
        assert graph_dist.batch_shape == tf.TensorShape([2]) and graph_dist.event_shape == tf.TensorShape([3])
    # a diagonal normal is independent coordinates: log p = Σ log N(xᵢ; μᵢ, σᵢ²)
    mvn = tfd.contrib.MultivariateNormalDiag(tf.constant(loc), tf.constant(diag))
    normal = tfd.Normal(tf.constant(loc), tf.constant(diag))
    got, independent = run([mvn.log_prob(value), tf.reduce_sum(normal.log_prob(value), -1)])
    np.testing.assert_allclose(got, independent, rtol=1e-12)


# -------------------------------------------------------------------------------------------------- sampling

SAMPLERS = [
    ("normal", lambda: tfd.Normal(tf.constant(LOC), tf.constant(SCALE))),
    ("uniform", lambda: tfd.Uniform(tf.constant(LOC), tf.constant(LOC + POSITIVE))),
    ("exponential", lambda: tfd.Exponential(tf.constant(POSITIVE))),
    ("laplace", lambda: tfd.Laplace(tf.constant(LOC), tf.constant(SCALE))),
    ("gamma", lambda: tfd.Gamma(tf.constant(POSITIVE), tf.constant(SCALE))),
    ("beta", lambda: tfd.Beta(tf.constant(POSITIVE), tf.constant(SCALE + 1))),
    ("student_t", lambda: tfd.StudentT(tf.constant(POSITIVE + 4), tf.constant(LOC), tf.constant(SCALE))),
    ("dirichlet", lambda: tfd.Dirichlet(tf.constant(POSITIVE))),
    ("bernoulli", lambda: tfd.Bernoulli(probs=tf.constant(PROBS))),
    ("categorical", lambda: tfd.Categorical(probs=tf.constant(PROBS))),
    ("multinomial", lambda: tfd.Multinomial(4, logits=tf.constant(LOGITS))),
    ("mvn_diag", lambda: tfd.contrib.MultivariateNormalDiag(tf.constant(LOC), tf.constant(SCALE))),
]


@pytest.mark.parametrize("name, make", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_sample_shapes_and_moments(name, make):
    dist = make()
    expected_shape = (4, 5) + tuple(dist.batch_shape.as_list()) + tuple(dist.event_shape.as_list())
    small = dist.sample((4, 5), seed=3)
    assert tuple(small.shape.as_list()) == expected_shape
    n = 40000
    draws = dist.sample(n, seed=7)
    got, small_value, mean, variance = run([draws, small, dist.mean(), dist.variance()]) \
        if name != "categorical" else run([draws, small, dist.probs, dist.probs])
    assert small_value.shape == expected_shape and got.shape == (n,) + expected_shape[2:]
    if name == "categorical":  # the frequencies of the categories are their probabilities
        frequencies = np.stack([(got == k).mean(0) for k in range(3)], -1)
        np.testing.assert_allclose(frequencies, PROBS, atol=0.015)
        return
    np.testing.assert_allclose(got.mean(0), mean, atol=0.03 * np.sqrt(variance).max() + 0.01, rtol=0.02)
    np.testing.assert_allclose(got.var(0), variance, rtol=0.12, atol=0.01)


def test_samples_have_tf_dtypes():
    assert tfd.Categorical(logits=tf.constant(LOGITS)).sample().dtype == tf.int32
    assert tfd.Bernoulli(probs=0.3).sample(2).dtype == tf.int32
    assert tfd.Categorical(logits=LOGITS, dtype=tf.int64).sample().dtype == tf.int64
    assert tfd.Normal(0.0, 1.0).sample().dtype == tf.float32
    assert tfd.Normal(tf.constant(0.0, tf.float64), 1.0).sample().dtype == tf.float64
    mode = tfd.Categorical(logits=tf.constant(LOGITS)).mode()
    assert mode.dtype == tf.int32
    np.testing.assert_array_equal(run(mode), PROBS.argmax(-1))
    bernoulli_mode = tfd.Bernoulli(probs=[0.2, 0.5, 0.9]).mode()
    assert bernoulli_mode.dtype == tf.int32
    np.testing.assert_array_equal(run(bernoulli_mode), [0, 0, 1])  # TF: 1 only where p > 1/2


def test_seeded_samples_repeat_in_a_new_session_and_differ_between_seeds():
    dist = tfd.StudentT(3.0, tf.zeros(4), 1.0)
    a, b = dist.sample(2, seed=11), dist.sample(2, seed=12)
    with tf.Session() as sess:
        first, other = sess.run([a, b])
        second_run = sess.run(a)
    with tf.Session() as sess:
        again = sess.run(a)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other) and not np.allclose(first, second_run)
    counts = tfd.Multinomial(6, probs=tf.constant(PROBS)).sample(3, seed=9)  # its Categorical's draw is seeded
    np.testing.assert_array_equal(run(counts), run(counts))
    assert (run(counts).sum(-1) == 6).all()
    tf.set_random_seed(5)  # a graph seed alone also makes the draws reproducible
    c = tfd.Gamma(2.0, 1.0).sample(3)
    np.testing.assert_array_equal(run(c), run(c))


def test_samples_with_a_batch_known_only_at_run_time():
    loc = tf.placeholder(tf.float32, [None, 3])
    dist = tfd.Normal(loc, 1.0)
    assert dist.batch_shape.as_list() == [None, 3]
    draws = dist.sample(2, seed=1)
    assert draws.shape.as_list() == [2, None, 3]
    gamma_draws = tfd.Gamma(tf.exp(loc), 1.0).sample(seed=2)
    cat_draws = tfd.Categorical(logits=loc).sample(5)
    feed = {loc: np.zeros((4, 3), np.float32)}
    got, shape_tensor, gamma_got, cat_got = run([draws, dist.batch_shape_tensor(), gamma_draws, cat_draws], feed)
    assert got.shape == (2, 4, 3) and gamma_got.shape == (4, 3) and cat_got.shape == (5, 4)
    np.testing.assert_array_equal(shape_tensor, [4, 3])


# ---------------------------------------------------------------------------------------------------- KL

def test_kl_divergences_equal_the_eager_ones():
    pairs = [
        (dict(loc=LOC, scale=SCALE), dict(loc=LOC[::-1], scale=SCALE[::-1] + 0.3), tfd.Normal, eager.Normal),
        (dict(logits=LOGITS), dict(logits=LOGITS[::-1] * 1.5), tfd.Categorical, eager.Categorical),
        (dict(probs=PROBS), dict(logits=LOGITS), tfd.Bernoulli, eager.Bernoulli),
        (dict(concentration=POSITIVE, rate=SCALE), dict(concentration=SCALE, rate=POSITIVE), tfd.Gamma,
         eager.Gamma),
    ]
    fetches, expected = [], []
    for p_kwargs, q_kwargs, graph_class, eager_class in pairs:
        gp, ep = _pair(graph_class, eager_class, p_kwargs)
        gq, eq = _pair(graph_class, eager_class, q_kwargs)
        fetches += [tfd.kl_divergence(gp, gq), gp.kl_divergence(gq), gp.cross_entropy(gq)]
        kl = eager.kl_divergence(ep, eq).numpy()
        expected += [kl, kl, kl + ep.entropy().numpy()]
    diag_p, diag_q = SCALE + 0.5, POSITIVE
    fetches.append(tfd.kl_divergence(tfd.contrib.MultivariateNormalDiag(tf.constant(LOC), tf.constant(diag_p)),
                                     tfd.contrib.MultivariateNormalDiag(tf.constant(-LOC), tf.constant(diag_q))))
    expected.append(eager.kl_divergence(
        eager.MultivariateNormal(torch.tensor(LOC), scale_tril=torch.tensor(np.stack([np.diag(d) for d in diag_p]))),
        eager.MultivariateNormal(torch.tensor(-LOC), scale_tril=torch.tensor(np.stack([np.diag(d) for d in diag_q])))
    ).numpy())
    for got, want in zip(run(fetches), expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # the closed form of two scalar normals, and KL(p ‖ p) = 0
    got = run(tfd.kl_divergence(tfd.Normal(1.0, 2.0), tfd.Normal(0.0, 1.0)))
    np.testing.assert_allclose(got, 0.5 * (4 + 1 - 1 - math.log(4)), rtol=1e-6)
    p = tfd.Categorical(probs=tf.constant(PROBS))
    np.testing.assert_allclose(run(tfd.kl_divergence(p, p)), 0, atol=1e-12)


def test_register_kl_adds_a_formula():
    class MyNormal(tfd.Normal):
        pass

    @tfd.RegisterKL(MyNormal, tfd.Normal)
    def _kl(a, b, name=None):
        return tf.zeros_like(a.loc) + 42.0

    assert run(tfd.kl_divergence(MyNormal(0.0, 1.0), tfd.Normal(1.0, 1.0))) == 42.0


# --------------------------------------------------------------------------------------------- gradients

def test_reparameterized_sample_gradients_match_central_differences():
    loc = tf.placeholder(tf.float64, [3])
    scale = tf.placeholder(tf.float64, [3])
    weights = np.array([0.5, -1.0, 2.0])
    y = tf.reduce_sum(tfd.Normal(loc, scale).sample(50, seed=4) ** 2 * weights) / 50
    grads = tf.gradients(y, [loc, scale])
    values = {loc: np.array([0.2, -0.3, 1.0]), scale: np.array([0.5, 1.2, 0.8])}

    def evaluate(fetch, feed):  # a new session each time: the seeded draw repeats, so y is a function of feed
        with tf.Session() as sess:
            return sess.run(fetch, feed)

    analytic = evaluate(grads, values)
    for x, grad in zip([loc, scale], analytic):
        numeric = np.zeros(3)
        for i in range(3):
            plus, minus = values[x].copy(), values[x].copy()
            plus[i] += 1e-6
            minus[i] -= 1e-6
            numeric[i] = (evaluate(y, {**values, x: plus}) - evaluate(y, {**values, x: minus})) / 2e-6
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    assert all(g is not None for g in grads)


def test_log_prob_gradients_match_central_differences():
    value = LOC[0] + 0.2
    check_gradients(lambda loc, scale: tfd.Normal(loc, scale).log_prob(value), LOC[0], SCALE[0])
    check_gradients(lambda logits: tfd.Categorical(logits=logits).log_prob([2, 0]), LOGITS)
    check_gradients(lambda logits: tfd.Bernoulli(logits=logits).log_prob(PROBS > 0.25), LOGITS)
    check_gradients(lambda a, b: tfd.Gamma(a, b).log_prob(SCALE + 0.1), POSITIVE, SCALE)
    check_gradients(lambda loc, diag: tfd.contrib.MultivariateNormalDiag(loc, diag).log_prob(LOC), LOC, SCALE)
    check_gradients(lambda lp, lq: tfd.kl_divergence(tfd.Categorical(logits=lp), tfd.Categorical(logits=lq)),
                    LOGITS, LOGITS[::-1].copy())


def test_a_tiny_vae_trains():
    data = (np.random.default_rng(1).random((16, 6)) < np.linspace(0.1, 0.9, 6)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 6])
    tf.set_random_seed(0)
    hidden = tf.layers.dense(x, 8, tf.nn.tanh)
    mu, log_sigma = tf.layers.dense(hidden, 2), tf.layers.dense(hidden, 2)
    posterior = tfd.Normal(loc=mu, scale=tf.exp(log_sigma))
    z = posterior.sample()
    logits = tf.layers.dense(tf.layers.dense(z, 8, tf.nn.tanh), 6)
    log_likelihood = tf.reduce_sum(tfd.Bernoulli(logits=logits).log_prob(x), 1)
    kl = tf.reduce_sum(tfd.kl_divergence(posterior, tfd.Normal(0.0, 1.0)), 1)
    loss = tf.reduce_mean(kl - log_likelihood)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train], {x: data})[0] for _ in range(150)]
    assert np.isfinite(losses).all()
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) - 0.3


# ---------------------------------------------------------------------------------------------- TF's API

def test_tf_api():
    normal = tfd.Normal(loc=tf.zeros([2, 3]), scale=1.0, name="policy")
    assert isinstance(normal.batch_shape, tf.TensorShape) and normal.batch_shape == tf.TensorShape([2, 3])
    assert normal.event_shape == tf.TensorShape([]) and normal.name == "policy/"
    assert normal.reparameterization_type is tfd.FULLY_REPARAMETERIZED
    assert tfd.Categorical(logits=LOGITS).reparameterization_type is tfd.NOT_REPARAMETERIZED
    assert tfd.Bernoulli(logits=0.0).reparameterization_type is tfd.NOT_REPARAMETERIZED
    assert normal.dtype == tf.float32 and normal.allow_nan_stats and not normal.validate_args
    assert set(normal.parameters) >= {"loc", "scale", "validate_args", "allow_nan_stats", "name"}
    assert normal.loc.dtype == tf.float32 and normal.scale.shape.as_list() == [2, 3]
    assert normal.log_prob(0.0).name.startswith("policy/log_prob/")
    dirichlet = tfd.Dirichlet(tf.ones([4, 3]))
    assert dirichlet.event_shape == tf.TensorShape([3]) and dirichlet.batch_shape == tf.TensorShape([4])
    np.testing.assert_array_equal(run([dirichlet.batch_shape_tensor(), dirichlet.event_shape_tensor()]),
                                  [[4], [3]])
    assert run(tfd.Categorical(probs=PROBS).event_size) == 3
    bernoulli = tfd.Bernoulli(probs=tf.constant(PROBS))
    np.testing.assert_allclose(run(bernoulli.logits), np.log(PROBS / (1 - PROBS)), rtol=1e-10)
    assert tf.contrib.distributions.Normal is tfd.Normal and tf.distributions.Normal is tfd.Normal
    assert tf.contrib.distributions.MultivariateNormalDiag is tfd.contrib.MultivariateNormalDiag
    wider = normal.copy(scale=2.0)
    assert run(wider.stddev())[0, 0] == 2.0
    assert "batch_shape=(2, 3)" in repr(normal)
    with pytest.raises(NotImplementedError):
        tfd.Multinomial(3, probs=PROBS).entropy()
    np.testing.assert_allclose(run(tfd.Normal(0.0, 1.0).quantile(0.975)), 1.959964, rtol=1e-5)


def test_validate_args_checks_parameters_when_the_graph_runs():
    scale = tf.placeholder(tf.float32, [2])
    dist = tfd.Normal(0.0, scale, validate_args=True)
    log_prob = dist.log_prob(0.5)
    np.testing.assert_allclose(run(log_prob, {scale: [1.0, 2.0]}),
                               [-0.5 * 0.25 - 0.5 * math.log(2 * math.pi),
                                -0.125 / 4 - math.log(2) - 0.5 * math.log(2 * math.pi)], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="scale"):
        run(log_prob, {scale: [1.0, -2.0]})
    unchecked = tfd.Normal(0.0, scale).log_prob(0.5)
    assert np.isnan(run(unchecked, {scale: [1.0, -2.0]})[1])
