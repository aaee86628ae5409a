"""tf.math.zeta, tf.math.bessel_i0/i1/i1e and the tf.math.special namespace: values against mpmath, op names,
gradients against central differences, TF's dtype rules."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

mpmath = pytest.importorskip("mpmath")

SPECIAL = {"bessel_j0": lambda x: mpmath.besselj(0, x), "bessel_j1": lambda x: mpmath.besselj(1, x),
           "bessel_y0": lambda x: mpmath.bessely(0, x), "bessel_y1": lambda x: mpmath.bessely(1, x),
           "bessel_i0": lambda x: mpmath.besseli(0, x), "bessel_i1": lambda x: mpmath.besseli(1, x),
           "bessel_i0e": lambda x: mpmath.besseli(0, x) * mpmath.exp(-x),
           "bessel_i1e": lambda x: mpmath.besseli(1, x) * mpmath.exp(-x),
           "bessel_k0": lambda x: mpmath.besselk(0, x), "bessel_k1": lambda x: mpmath.besselk(1, x),
           "bessel_k0e": lambda x: mpmath.besselk(0, x) * mpmath.exp(x),
           "bessel_k1e": lambda x: mpmath.besselk(1, x) * mpmath.exp(x)}
POINTS = np.array([0.3, 1.7, 4.0, 12.5, 30.0])


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_namespace_values_and_gradients(name):
    function = getattr(tf.math.special, name)
    y = function(tf.constant(POINTS))
    with mpmath.workdps(30):
        expected = [float(SPECIAL[name](mpmath.mpf(x))) for x in POINTS]
    np.testing.assert_allclose(run(y), expected, rtol=1e-13, atol=1e-15)
    check_gradients(function, POINTS[:4])  # (at 30, I_0 is ~1e12: central differences lose their digits)


def test_op_names_and_math_aliases():
    assert tf.math.special.bessel_j0(tf.constant([1.0])).op.name == "BesselJ0"
    assert tf.math.special.bessel_k1e(tf.constant([1.0]), name="k").op.name == "k"
    assert tf.math.bessel_i1e is tf.math.special.bessel_i1e and tf.math.bessel_i0e is tf.math.special.bessel_i0e
    assert tf.math.bessel_i0(tf.constant([1.0])).op.name == "BesselI0"


def test_dtypes():
    assert tf.math.special.bessel_y1(tf.constant([1.0], tf.float32)).dtype == tf.float32
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.math.special.bessel_j0(tf.constant([1], tf.int32))
    with pytest.raises(TypeError, match="Input 'q' of 'Zeta' Op has type float64 that does not match type float32"):
        tf.math.zeta(tf.constant([2.0]), tf.constant([1.0], tf.float64))


def test_zeta_values_and_gradient_with_respect_to_q():
    x, q = np.array([[2.0], [3.5]]), np.array([0.5, 1.0, 7.0])
    z = tf.math.zeta(tf.constant(x), tf.constant(q))
    assert z.op.name == "Zeta" and tf.zeta is tf.math.zeta
    with mpmath.workdps(30):
        expected = [[float(mpmath.zeta(a, b)) for b in q] for a in x[:, 0]]
    np.testing.assert_allclose(run(z), expected, rtol=1e-13)
    check_gradients(lambda qs: tf.math.zeta(tf.constant(x), qs), q)


def test_zeta_has_no_gradient_in_its_exponent_as_in_tf():
    x, q = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.float64, [2])
    grad_x, grad_q = tf.gradients(tf.reduce_sum(tf.math.zeta(x, q)), [x, q])
    assert grad_x is None
    with tf.Session() as sess:  # d/dq Σ (q + k)^-x = -x ζ(x + 1, q)
        got = sess.run(grad_q, {x: [2.0, 3.0], q: [1.0, 2.5]})
    np.testing.assert_allclose(got, [-2 * float(mpmath.zeta(3, 1)), -3 * float(mpmath.zeta(4, 2.5))], rtol=1e-8)
