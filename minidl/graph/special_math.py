"""TF1's special functions beyond ``lgamma``/``digamma`` (``math_extras.py``): ``tf.igamma``/``tf.igammac`` (the
regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P), ``tf.math.xlogy`` (x·log y, 0 where x = 0),
``tf.lbeta`` (log |B| of the last dim's entries) and ``tf.math.bessel_i0e`` (exp(-|x|)·I0(x)) — each on the op
library's function (``ops/incomplete_gamma.py``, ``ops/special.py``), with TF's names and dtype rules. The incomplete gammas have gradients with respect to x only
(as the op library's); TF also differentiates a.
"""
from .. import ops
from .math_ops import FLOATS, _unary, check_dtype, math, matching_pair, reduce_sum, tf_op, to_tensor

__all__ = ["igamma", "igammac", "lbeta"]


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
xlogy = _pair_function("xlogy", "Xlogy", ops.xlogy, ("x", "y"), "x·log(y), and 0 where x is 0 (also for y = 0).")
bessel_i0e = _unary("bessel_i0e", "BesselI0e", ops.i0e, FLOATS, "exp(-|x|)·I0(x), I0 without its overflow.")


@tf_op("lbeta")
def lbeta(x, name=None):
    """log |B(x)| over the last dim: Σ_i log Γ(x_i) - log Γ(Σ_i x_i) (the Dirichlet's normalizer)."""
    x = check_dtype(to_tensor(x), FLOATS)
    return reduce_sum(ops.lgamma(x), axis=-1) - ops.lgamma(reduce_sum(x, axis=-1))


math.igamma, math.igammac, math.lbeta = igamma, igammac, lbeta
math.xlogy, math.bessel_i0e = xlogy, bessel_i0e
