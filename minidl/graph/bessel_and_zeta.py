"""TF1's Bessel functions and Hurwitz zeta: ``tf.math.zeta(x, q)``, ``tf.math.bessel_i0``/``bessel_i1``/
``bessel_i1e`` beside ``special_math.py``'s ``bessel_i0e``, and the ``tf.math.special`` namespace with J_0, J_1,
Y_0, Y_1, I_0, I_1, K_0, K_1 and the exponentially scaled I and K (``bessel_k0e(x) = e^x·K_0(x)``). Each wraps
the op library's function (``ops/bessel.py``, ``ops/special_more.py``, ``ops/zeta.py``) with TF's names and dtype
rules (floating point tensors only; zeta's two operands of one dtype); the gradients are the ops' closed forms.

zeta has a gradient with respect to q only: the one with respect to x is None, as in TF (the op's own VJP would
raise, as PyTorch's does: x enters through ``stop_gradient``).
"""
import types

from .. import ops
from .basics import stop_gradient
from .math_ops import FLOATS, _unary, check_dtype, math, matching_pair, tf_op
from .special_math import bessel_i0e

__all__ = ["zeta"]


@tf_op("Zeta")
def zeta(x, q, name=None):
    """The Hurwitz zeta function Σ_{k≥0} (q + k)^(-x), elementwise (x and q broadcast, one dtype)."""
    x, q = matching_pair("Zeta", x, q, ("x", "q"))
    check_dtype(x, ("float32", "float64"))
    return ops.zeta(stop_gradient(x), q)


def _bessel(py_name, default_name, fn, doc):
    return _unary(py_name, default_name, fn, FLOATS, doc)


bessel_i0 = _bessel("bessel_i0", "BesselI0", ops.i0, "I_0(x), the modified Bessel function of order 0.")
bessel_i1 = _bessel("bessel_i1", "BesselI1", ops.i1, "I_1(x), the modified Bessel function of order 1.")
bessel_i1e = _bessel("bessel_i1e", "BesselI1e", ops.i1e, "exp(-|x|)·I_1(x), I_1 without its overflow.")

special = types.SimpleNamespace(
    bessel_j0=_bessel("bessel_j0", "BesselJ0", ops.bessel_j0, "J_0(x), the Bessel function of order 0."),
    bessel_j1=_bessel("bessel_j1", "BesselJ1", ops.bessel_j1, "J_1(x), the Bessel function of order 1."),
    bessel_y0=_bessel("bessel_y0", "BesselY0", ops.bessel_y0, "Y_0(x), the Bessel function of the second kind."),
    bessel_y1=_bessel("bessel_y1", "BesselY1", ops.bessel_y1, "Y_1(x), the Bessel function of the second kind."),
    bessel_i0=bessel_i0, bessel_i0e=bessel_i0e, bessel_i1=bessel_i1, bessel_i1e=bessel_i1e,
    bessel_k0=_bessel("bessel_k0", "BesselK0", ops.modified_bessel_k0, "K_0(x), the modified Bessel function "
                      "of the second kind."),
    bessel_k0e=_bessel("bessel_k0e", "BesselK0e", ops.scaled_modified_bessel_k0, "exp(x)·K_0(x)."),
    bessel_k1=_bessel("bessel_k1", "BesselK1", ops.modified_bessel_k1, "K_1(x), the modified Bessel function "
                      "of the second kind."),
    bessel_k1e=_bessel("bessel_k1e", "BesselK1e", ops.scaled_modified_bessel_k1, "exp(x)·K_1(x)."))

math.zeta, math.bessel_i0, math.bessel_i1, math.bessel_i1e, math.special = zeta, bessel_i0, bessel_i1, bessel_i1e, \
    special
