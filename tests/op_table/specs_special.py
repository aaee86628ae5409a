"""Op table entries for erf, erfc, erfinv, lgamma, mvlgamma, digamma, polygamma, nan_to_num and lerp (special.py).

The gamma family is checked three ways: against ``math.lgamma``; against identities that need no other library
(the recurrences ψ⁽ⁿ⁾(x + 1) - ψ⁽ⁿ⁾(x) = (-1)ⁿ n! / xⁿ⁺¹ and closed-form values such as ψ(1) = -γ); and against
scipy's functions where scipy is installed (scipy is not a dependency of minidl, so those entries are left out
without it). erfinv is checked through erf(erfinv(y)) = y, and against scipy too where present.
"""
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minidl.ops.special import polygamma_of_orders

from .spec import OpSpec, broadcastable, fixed, shapes, unary

try:
    from scipy import special as scipy_special
except ImportError:
    scipy_special = None


def _vectorized(fn):
    return lambda a: np.vectorize(fn, otypes=[a.dtype])(a)


def _with_nonfinite():
    """Floats with NaN, +inf and -inf among them."""
    elements = st.floats(-3, 3) | st.sampled_from([np.nan, np.inf, -np.inf])
    return shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=elements)))


def _gamma_domain():
    """x in [-3.5, 6], kept 0.1 away from the poles 0, -1, -2, -3 (the functions blow up there)."""
    return unary(low=-3.5, high=6.0, avoid=(0.0, -1.0, -2.0, -3.0), margin=0.1)


def _orders_and_x():
    """Whole orders 0..2 (as floats) and x in the gamma domain, of shapes that broadcast together."""
    return broadcastable(2).map(lambda pair: (np.asarray(np.floor(np.abs(pair[0])) % 3), _gamma_domain_values(pair[1])))


def _gamma_domain_values(x):
    """x moved into [0.2, 6] (the recurrence's 1/x^(n+1) needs x away from 0)."""
    return np.asarray(0.2 + np.abs(x) * 5.8 / 3)


def _polygamma_step(n):
    """ψ⁽ⁿ⁾(x + 1) - ψ⁽ⁿ⁾(x) = (-1)ⁿ n! / xⁿ⁺¹: the recurrence as a check that needs no reference library."""
    return OpSpec(f"polygamma_{n}_recurrence", lambda m, x: m.polygamma(n, x + 1) - m.polygamma(n, x),
                  lambda a: (-1) ** n * math.factorial(n) / a ** (n + 1), _gamma_domain(), dtype="float64",
                  rtol=1e-11, atol=1e-12)


_EULER_GAMMA = 0.5772156649015329
_ZETA_3 = 1.2020569031595942
#: (x, lgamma, digamma, trigamma, polygamma(2), polygamma(3)) in closed form; the values at 2 and -1/2 follow from
#: those at 1 and 1/2 by the recurrence (x = -1/2 takes the reflection path of the code)
_KNOWN = np.array([
    (1.0, 0.0, -_EULER_GAMMA, math.pi ** 2 / 6, -2 * _ZETA_3, math.pi ** 4 / 15),
    (2.0, 0.0, 1 - _EULER_GAMMA, math.pi ** 2 / 6 - 1, -2 * _ZETA_3 + 2, math.pi ** 4 / 15 - 6),
    (0.5, 0.5 * math.log(math.pi), -_EULER_GAMMA - 2 * math.log(2), math.pi ** 2 / 2, -14 * _ZETA_3, math.pi ** 4),
    (-0.5, math.log(2 * math.sqrt(math.pi)), 2 - _EULER_GAMMA - 2 * math.log(2), math.pi ** 2 / 2 + 4,
     -14 * _ZETA_3 + 16, math.pi ** 4 + 96),
])


def _known_values(column, call):
    name = ["lgamma", "digamma", "trigamma", "polygamma_2", "polygamma_3"][column - 1]
    return OpSpec(f"{name}_known_values", call, lambda a: _KNOWN[:, column].copy(), fixed(_KNOWN[:, 0]),
                  dtype="float64", rtol=1e-14, atol=1e-15)


SPECS = [
    OpSpec("erf", lambda m, x: m.erf(x), _vectorized(math.erf), unary()),
    OpSpec("erfc", lambda m, x: m.erfc(x), _vectorized(math.erfc), unary(low=-3, high=5), rtol=1e-4),
    OpSpec("nan_to_num", lambda m, x: m.nan_to_num(x, nan=0.5, posinf=2.0, neginf=-2.0),
           lambda a: np.nan_to_num(a, nan=0.5, posinf=2.0, neginf=-2.0), _with_nonfinite(),
           notes="the gradient passes where x is finite; central differences leave NaN and inf where they are"),
    OpSpec("lerp", lambda m, a, b, w: m.lerp(a, b, w), lambda a, b, w: a + w * (b - a), broadcastable(3),
           grad_inputs=(0, 1, 2)),
    OpSpec("lerp_number_weight", lambda m, a, b: m.lerp(a, b, 0.25), lambda a, b: a + a.dtype.type(0.25) * (b - a),
           broadcastable(2), grad_inputs=(0, 1)),
    OpSpec("erfinv_roundtrip", lambda m, y: m.erf(m.erfinv(y)), lambda a: a, unary(low=-0.999, high=0.999),
           dtype="float64", rtol=1e-13, atol=1e-15),
    OpSpec("erf_then_erfinv", lambda m, x: m.erfinv(m.erf(x)), lambda a: a, unary(low=-3.0, high=3.0),
           dtype="float64", rtol=1e-11, atol=1e-13,
           notes="in the tails erf(x) rounds to a float near 1, so erfinv recovers x only to ~1e-12"),
    OpSpec("lgamma", lambda m, x: m.lgamma(x), _vectorized(math.lgamma), _gamma_domain()),
    OpSpec("lgamma_of_integers", lambda m, x: m.lgamma(x),
           lambda a: np.array([np.inf, np.inf, 0, math.log(24)], a.dtype), fixed([-2.0, 0.0, 1.0, 5.0]),
           grad_inputs=(), notes="poles give +inf (math.lgamma raises there); lgamma(n + 1) = ln n!"),
    OpSpec("mvlgamma_p3", lambda m, x: m.mvlgamma(x, 3),
           _vectorized(lambda v: sum(math.lgamma(v - j / 2) for j in range(3)) + 1.5 * math.log(math.pi)),
           unary(low=1.1, high=6.0), notes="defined for x > (p - 1)/2 = 1"),
    OpSpec("digamma_recurrence", lambda m, x: m.digamma(x + 1) - m.digamma(x), lambda a: 1 / a,
           _gamma_domain(), dtype="float64", rtol=1e-11, atol=1e-12),
    *[_polygamma_step(n) for n in (1, 2, 3)],
    _known_values(1, lambda m, x: m.lgamma(x)),
    _known_values(2, lambda m, x: m.digamma(x)),
    *[_known_values(n + 2, lambda m, x, n=n: m.polygamma(n, x)) for n in (1, 2, 3)],
    OpSpec("polygamma_of_orders_recurrence",
           lambda m, n, x: polygamma_of_orders(n, x + 1) - polygamma_of_orders(n, x),
           lambda n, a: (-1) ** n * np.vectorize(math.factorial, otypes=[float])(n.astype(int)) / a ** (n + 1),
           _orders_and_x(), grad_inputs=(1,), dtype="float64", rtol=1e-11, atol=1e-12,
           torch_fn=lambda m, n, x: sum(m.where(n == k, m.polygamma(k, x + 1) - m.polygamma(k, x), 0)
                                        for k in range(3)),
           notes="TF's polygamma(a, x): a tensor of orders (0, 1, 2 here) broadcast against x; the recurrence "
                 "ψ⁽ⁿ⁾(x + 1) - ψ⁽ⁿ⁾(x) = (-1)ⁿ n! / xⁿ⁺¹ with n varying entry by entry"),
]

if scipy_special is not None:
    SPECS += [
        OpSpec("erfinv", lambda m, y: m.erfinv(y), scipy_special.erfinv, unary(low=-0.99, high=0.99)),
        OpSpec("digamma", lambda m, x: m.digamma(x), scipy_special.digamma, _gamma_domain(), atol=1e-5),
        *[OpSpec(f"polygamma_{n}", lambda m, x, n=n: m.polygamma(n, x),
                 lambda a, n=n: scipy_special.polygamma(n, a).astype(a.dtype), _gamma_domain(), rtol=1e-4)
          for n in (1, 2)],
    ]
