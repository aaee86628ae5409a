"""``tf.math.erfinv``, ``ndtri``, ``polygamma``, ``nextafter``, ``cumulative_logsumexp`` and
``unsorted_segment_sqrt_n``: values against numpy, closed forms or hand computations, gradients against central
differences (float64), TF's dtype rules and errors."""
import math

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


def test_erfinv_and_ndtri_invert_erf_and_the_normal_cdf():
    y = np.array([-0.99, -0.5, 0.0, 0.3, 0.999])
    p = np.array([1e-10, 0.025, 0.5, 0.8, 1 - 1e-6])
    x, z = run([tf.math.erfinv(y), tf.math.ndtri(p)])
    np.testing.assert_allclose([math.erf(v) for v in x], y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([math.erfc(-v / math.sqrt(2)) / 2 for v in z], p, rtol=1e-10)   # Φ(z), tails too
    edges = run([tf.math.erfinv([-1.0, 1.0, 1.5]), tf.math.ndtri([0.0, 1.0, -0.1])])
    np.testing.assert_array_equal(edges[0][:2], [-np.inf, np.inf])
    assert np.isnan(edges[0][2]) and np.isnan(edges[1][2])
    np.testing.assert_array_equal(edges[1][:2], [-np.inf, np.inf])
    check_gradients(tf.math.erfinv, RNG.uniform(-0.9, 0.9, (2, 3)))
    check_gradients(tf.math.ndtri, RNG.uniform(0.05, 0.95, (4,)))
    assert tf.math.erfinv([0.5], name="inv").name == "inv:0"
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.math.erfinv([1, 0])


_EULER_GAMMA = 0.5772156649015329


def test_polygamma_takes_a_tensor_of_orders_and_differentiates_x_only():
    a = np.array([[0.0], [1.0], [3.0]])
    x = np.array([1.0, 0.5, 2.0])
    got = run(tf.math.polygamma(a, x))                       # orders broadcast against x; closed forms below
    pi = math.pi
    expected = [[-_EULER_GAMMA, -_EULER_GAMMA - 2 * math.log(2), 1 - _EULER_GAMMA],
                [pi ** 2 / 6, pi ** 2 / 2, pi ** 2 / 6 - 1],
                [pi ** 4 / 15, pi ** 4, pi ** 4 / 15 - 6]]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.isnan(run(tf.math.polygamma([0.5, -1.0], [2.0, 2.0]))).all()   # non-integer / negative order
    ta, tx = tf.constant(a), tf.constant(x)
    ga, gx = tf.gradients(tf.reduce_sum(tf.math.polygamma(ta, tx)), [ta, tx])
    assert ga is None and gx is not None
    check_gradients(lambda t: tf.math.polygamma(tf.constant([2.0, 0.0], tf.float64), t), RNG.uniform(0.5, 3, (3, 2)))
    with pytest.raises(TypeError, match="does not match"):
        tf.math.polygamma(tf.constant([1.0], tf.float32), tf.constant([1.0], tf.float64))
    with pytest.raises(TypeError, match="float16 not in list"):
        tf.math.polygamma(tf.constant([1.0], tf.float16), tf.constant([1.0], tf.float16))


def test_nextafter_steps_one_ulp_and_has_no_gradient():
    x1 = tf.constant([1.0, 1.0, 0.0, 2.0], tf.float32)
    got = run(tf.math.nextafter(x1, tf.constant([2.0, 0.0, 1.0, 2.0], tf.float32)))
    np.testing.assert_array_equal(got, np.nextafter(np.float32([1, 1, 0, 2]), np.float32([2, 0, 1, 2])))
    assert got.dtype == np.float32
    x2 = tf.constant([3.0], tf.float64)
    assert tf.gradients(tf.math.nextafter(x2, 0.0), [x2]) == [None]
    with pytest.raises(TypeError, match="does not match"):
        tf.math.nextafter(tf.constant(1.0, tf.float32), tf.constant(1.0, tf.float64))


def _reference_cumulative_logsumexp(x, axis, exclusive, reverse):
    x = np.moveaxis(x, axis, -1)
    x = x[..., ::-1] if reverse else x
    out = np.logaddexp.accumulate(x, axis=-1)
    if exclusive:
        out = np.concatenate([np.full(out[..., :1].shape, np.finfo(x.dtype).min), out[..., :-1]], -1)
    out = out[..., ::-1] if reverse else out
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumulative_logsumexp(exclusive, reverse):
    x = RNG.standard_normal((3, 4)) * 30       # a range where log(cumsum(exp(x))) would overflow
    for axis in (0, 1, -1):
        got = run(tf.math.cumulative_logsumexp(x, axis=axis, exclusive=exclusive, reverse=reverse))
        np.testing.assert_allclose(got, _reference_cumulative_logsumexp(x, axis, exclusive, reverse), rtol=1e-12)
    # (an exclusive scan's neutral entry, the lowest float, would drown the finite differences: left out)
    kept = slice(None) if not exclusive else slice(0, -1) if reverse else slice(1, None)
    check_gradients(lambda t: tf.math.cumulative_logsumexp(t, 1, exclusive, reverse)[:, kept],
                    RNG.standard_normal((2, 4)))


def test_cumulative_logsumexp_checks():
    assert run(tf.math.cumulative_logsumexp([1.0, 2.0], exclusive=True))[0] == np.finfo(np.float32).min
    with pytest.raises(TypeError, match="int32 not in list"):
        tf.math.cumulative_logsumexp([1, 2])
    with pytest.raises(ValueError, match="Invalid axis: 2"):
        tf.math.cumulative_logsumexp([[1.0]], axis=2)


def test_unsorted_segment_sqrt_n_and_its_siblings():
    data = RNG.standard_normal((5, 2))
    ids = np.array([2, 0, 2, -1, 2])                  # segment 1 is empty; a negative id drops the row
    got = run(tf.math.unsorted_segment_sqrt_n(data, ids, 4))
    expected = np.stack([data[1], np.zeros(2), (data[0] + data[2] + data[4]) / np.sqrt(3), np.zeros(2)])
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert tf.unsorted_segment_sqrt_n is tf.math.unsorted_segment_sqrt_n
    check_gradients(lambda t: tf.math.unsorted_segment_sqrt_n(t, ids, 3), data)
    complex_data = np.array([1 + 1j, 2, 3j], np.complex64)
    np.testing.assert_allclose(run(tf.math.unsorted_segment_sqrt_n(complex_data, [0, 0, 1], 2)),
                               [(3 + 1j) / np.sqrt(2), 3j], rtol=1e-6)
    for kind in ("sum", "prod", "max", "min", "mean", "sqrt_n"):
        assert callable(getattr(tf.math, f"unsorted_segment_{kind}"))
    with pytest.raises(TypeError, match="int32 not in list"):
        tf.math.unsorted_segment_sqrt_n([1, 2], [0, 0], 1)
