"""The rest of TF's ``tf.math.special`` beside the Bessel functions (``bessel_and_zeta.py``): Dawson's integral
``dawsn``, the exponential integral ``expint`` (Ei), the Fresnel integrals ``fresnel_cos``/``fresnel_sin`` and
Spence's function ``spence``. Each wraps the op library's function (``ops/special_integrals.py``, where the
formulas are) with TF's op name and dtype rule (floating point tensors only); the gradients are TF's: the
integrands, e^x/x for Ei and ln x/(1 - x) for Spence (-1 at x = 1).
"""
from .. import ops
from .bessel_and_zeta import special
from .math_ops import FLOATS, _unary

special.dawsn = _unary("dawsn", "Dawsn", ops.dawsn, FLOATS, "Dawson's integral exp(-x²)·∫₀ˣ exp(t²) dt.")
special.expint = _unary("expint", "Expint", ops.expint, FLOATS, "The exponential integral Ei(x) = ∫₋∞ˣ exp(t)/t dt "
                        "(principal value): -inf at 0, NaN for x < 0.")
special.fresnel_cos = _unary("fresnel_cos", "FresnelCos", ops.fresnel_cos, FLOATS,
                             "The Fresnel cosine integral ∫₀ˣ cos(πt²/2) dt.")
special.fresnel_sin = _unary("fresnel_sin", "FresnelSin", ops.fresnel_sin, FLOATS,
                             "The Fresnel sine integral ∫₀ˣ sin(πt²/2) dt.")
special.spence = _unary("spence", "Spence", ops.spence, FLOATS, "Spence's function ∫₁ˣ ln(t)/(1 - t) dt: π²/6 at 0, "
                        "NaN for x < 0.")
