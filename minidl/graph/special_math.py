"""TF1's special functions beyond ``lgamma``/``digamma`` (``math_extras.py``): ``tf.igamma``/``tf.igammac`` (the
regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P), ``tf.math.xlogy`` (x·log y, 0 where x = 0),
``tf.lbeta`` (log |B| of the last dim's entries), ``tf.math.bessel_i0e`` (exp(-|x|)·I0(x)), ``tf.math.erfinv``,
``tf.math.ndtri`` (the inverse of the normal CDF), ``tf.math.polygamma`` and ``tf.math.nextafter`` — each on the op
library's function (``ops/incomplete_gamma.py``, ``ops/special.py``, ``ops/special_more.py``, ``ops/more_math.py``),
with TF's names and dtype rules. The incomplete gammas have gradients with respect to x only (as the op library's);
TF also differentiates a. ``polygamma`` differentiates x only, as TF; ``nextafter`` has no gradient, as TF.

TF's ``betainc`` (the regularized incomplete beta function) is not here: the op library does not have it.
"""
from .. import ops
from ..ops.special import polygamma_of_orders
from .basics import stop_gradient
from .math_ops import FLOATS, _unary, check_dtype, math, matching_pair, reduce_sum, tf_op, to_tensor

__all__ = ["igamma", "igammac", "lbeta", "erfinv", "ndtri", "polygamma", "nextafter"]


def _pair_function(py_name, default_name, fn, names, doc):
    @tf_op(default_name)
    def function(a, x, name=None):
        a, x = matching_pair(default_name, a, x, names)
        check_dtype(a, FLOATS, names[0])
        return fn(a, x)
    function.__name__ = function.__qualname__ = py_name
    function.__doc__ = doc
    return function


igamma = _pair_function("igamma", "Igamma", ops.igamma, ("a", "x"),
                        "P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma function.")
igammac = _pair_function("igammac", "Igammac", ops.igammac, ("a", "x"),
                         "Q(a, x) = 1 - P(a, x), the regularized upper incomplete gamma function.")
xlogy = _pair_function("xlogy", "Xlogy", lambda x, y: ops.xlogy(x, y, zero_where_x_is_zero=True), ("x", "y"),
                       "x·log(y), and 0 where x is 0 (also for y = 0); TF's gradient is 0 there too, for x and y.")
bessel_i0e = _unary("bessel_i0e", "BesselI0e", ops.i0e, FLOATS, "exp(-|x|)·I0(x), I0 without its overflow.")


@tf_op("lbeta")
def lbeta(x, name=None):
    """log |B(x)| over the last dim: Σ_i log Γ(x_i) - log Γ(Σ_i x_i) (the Dirichlet's normalizer)."""
    x = check_dtype(to_tensor(x), FLOATS)
    return reduce_sum(ops.lgamma(x), axis=-1) - ops.lgamma(reduce_sum(x, axis=-1))


erfinv = _unary("erfinv", "Erfinv", ops.erfinv, FLOATS, "The inverse of erf: the x in (-inf, inf) with erf(x) = y for "
                "y in (-1, 1); ±inf at ±1 and NaN beyond.")
ndtri = _unary("ndtri", "Ndtri", ops.ndtri, FLOATS, "The inverse of the standard normal CDF: the x with Φ(x) = p, "
               "for p in (0, 1); ∓inf at 0 and 1 and NaN beyond.")


@tf_op("Polygamma")
def polygamma(a, x, name=None):
    """ψ⁽ᵃ⁾(x), the a-th derivative of the digamma function (a = 0: ``digamma``), elementwise; ``a`` and ``x``
    are float32/float64 tensors of one dtype that broadcast together, and ``a`` holds non-negative whole
    numbers (NaN where it does not). The gradient reaches x only (d/dx = ψ⁽ᵃ⁺¹⁾(x)), as in TF."""
    a, x = matching_pair("Polygamma", a, x, ("a", "x"))
    check_dtype(a, FLOATS[1:], "a")
    return polygamma_of_orders(a, x)


@tf_op("NextAfter")
def nextafter(x1, x2, name=None):
    """The next representable float after ``x1`` in the direction of ``x2`` (``x2`` where they are equal),
    elementwise, for float32/float64 tensors of one dtype that broadcast together. No gradient, as TF's op has
    none: ``tf.gradients`` gives None for both inputs."""
    x1, x2 = matching_pair("NextAfter", x1, x2, ("x1", "x2"))
    check_dtype(x1, FLOATS[1:], "x1")
    return ops.nextafter(stop_gradient(x1), stop_gradient(x2))


math.igamma, math.igammac, math.lbeta = igamma, igammac, lbeta
math.xlogy, math.bessel_i0e = xlogy, bessel_i0e
math.erfinv, math.ndtri, math.polygamma, math.nextafter = erfinv, ndtri, polygamma, nextafter
