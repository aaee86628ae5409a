"""The Airy function Ai(x), PyTorch's ``torch.special.airy_ai``, and its derivative Ai'(x), which the gradient needs.

Ai solves Airy's equation y'' = x·y (a quantum particle in a uniform field, the light near a rainbow's caustic):
it oscillates for x < 0 and decays like e^(-ζ), ζ = ⅔x^(3/2), for x > 0. By the equation, Ai'' = x·Ai, so Ai' is
the only new function its derivatives need, to any order. Everything is computed in float64, whatever the
input's dtype, and rounded at the end; against mpmath the error stays below 7e-16 relative (where Ai
oscillates, x < 0, of the amplitude |x|^(-1/4)/√π: near the zeros only absolute errors are small), from
x = -1e10 to the underflow, with formulas in three ranges:

* |x| ≤ 10: the Taylor series about the nearest of the nodes -10, -9.5, ..., 10, whose coefficients follow from
  the equation: Ai(x0 + d) = Σ c_n d^n with c_n = (x0·c_(n-2) + c_(n-3)) / (n(n-1)), c_0 = Ai(x0),
  c_1 = Ai'(x0) (and c_(-1) = 0). |d| ≤ 1/4, so 24 terms reach float64's precision. The node values come, once,
  from the Maclaurin series (A&S 10.4.2-3) Ai(x) = Ai(0)·f(x) + Ai'(0)·g(x) with
  f = Σ 3^k (1/3)_k x^(3k) / (3k)! and g = Σ 3^k (2/3)_k x^(3k+1) / (3k+1)!, summed in 60-digit decimal
  arithmetic: for x > 0, f and g grow like e^ζ while Ai decays like e^(-ζ), and for x < 0 their terms grow to
  e^ζ before they cancel, so in float64 this series alone would lose up to 18 digits by |x| = 10.
* |x| > 10: the asymptotic expansions (A&S 10.4.59-62), with u_k = (2k+1)(2k+3)···(6k-1) / (216^k k!) and
  v_k = -(6k+1)/(6k-1)·u_k: for x > 0
  Ai(x) = e^(-ζ) / (2√π x^(1/4)) Σ (-1)^k u_k/ζ^k and Ai'(x) = -x^(1/4) e^(-ζ) / (2√π) Σ (-1)^k v_k/ζ^k, and
  Ai(-x) = (sin(ζ + π/4) Σ (-1)^k u_2k/ζ^2k - cos(ζ + π/4) Σ (-1)^k u_(2k+1)/ζ^(2k+1)) / (√π x^(1/4)),
  Ai'(-x) = -x^(1/4)/√π (cos(ζ + π/4) Σ (-1)^k v_2k/ζ^2k + sin(ζ + π/4) Σ (-1)^k v_(2k+1)/ζ^(2k+1)).
  From ζ = 21 (x = 10) on, 25 terms leave less than 1e-17 out. ζ is carried as the sum of two floats (to about
  1e-32 of itself): rounded to one float, ζ = 21082 (x = -1000) would shift the phase by 2e-12 (PyTorch's error
  there), and e^(-ζ) would lose ζ·1e-16 of its digits.

At ±inf and NaN the result is NaN, as PyTorch's; Ai(x) underflows to 0 from x ≈ 107 on (PyTorch gives 0 from 103.9
on, where these are still subnormal numbers). For x < -1e10 the phase's error, 1e-32·ζ, grows beyond 1e-16; beyond
x ≈ -4e205, ζ overflows and the result is NaN.
"""
import functools
import math

from decimal import Decimal, localcontext

from .base import Op, apply
from .infer import same_spec
from .special import _in_float64, _real_floating, _two_product
from .special_more import _polynomial

__all__ = ["airy_ai"]

#: Ai(0) = 1/(3^(2/3)·Γ(2/3)) and Ai'(0) = -1/(3^(1/3)·Γ(1/3)), to 60 digits
_AI_AT_0 = Decimal("0.355028053887817239260063186004183176397979174199177240583327")
_AI_PRIME_AT_0 = Decimal("-0.258819403792806798405183560189203963479091138354934582210002")
#: the Taylor series' range [-10, 10], its nodes' spacing and its number of terms
_TAYLOR_END, _NODE_STEP, _TAYLOR_TERMS = 10.0, 0.5, 24
#: beyond, Ai(x) is below the smallest subnormal float64 (ζ > 745): the decaying branch stops there
_UNDERFLOW = 110.0


def _maclaurin(x0):
    """(Ai(x0), Ai'(x0)) as floats, from the Maclaurin series (module docstring) in 60-digit arithmetic."""
    with localcontext() as context:
        context.prec = 60
        x = Decimal(x0)
        cube = x ** 3
        f = f_prime = g = g_prime = Decimal(0)
        c, d, power = Decimal(1), Decimal(1), Decimal(1)  # the coefficients of x^(3k) in f and x^(3k+1) in g; x^(3k)
        for k in range(60):
            f += c * power
            g += d * power * x
            g_prime += (3 * k + 1) * d * power
            c /= (3 * k + 2) * (3 * k + 3)
            f_prime += (3 * k + 3) * c * power * x * x
            d /= (3 * k + 3) * (3 * k + 4)
            power *= cube
        return float(_AI_AT_0 * f + _AI_PRIME_AT_0 * g), float(_AI_AT_0 * f_prime + _AI_PRIME_AT_0 * g_prime)


@functools.lru_cache(maxsize=None)
def _node_values():
    """(Ai at the nodes, Ai' at the nodes), summed on first use (10 ms) rather than at import."""
    nodes = [-_TAYLOR_END + i * _NODE_STEP for i in range(int(2 * _TAYLOR_END / _NODE_STEP) + 1)]
    return tuple(zip(*map(_maclaurin, nodes)))


def _asymptotic_coefficients():
    """u_k and v_k, k = 0..24 (module docstring), with the signs (-1)^k folded in."""
    u = [1.0]
    for k in range(1, 25):
        u.append(u[-1] * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k))
    v = [-(6 * k + 1) / (6 * k - 1) * value for k, value in enumerate(u)]
    return [(-1) ** k * value for k, value in enumerate(u)], [(-1) ** k * value for k, value in enumerate(v)]


_U, _V = _asymptotic_coefficients()


def _taylor(xp, x):
    """(Ai, Ai') for |x| ≤ 10, by the Taylor series about the nearest node."""
    index = xp.rint((x + _TAYLOR_END) / _NODE_STEP).astype(xp.int64)
    x0 = index * _NODE_STEP - _TAYLOR_END
    d = x - x0
    c = [xp.asarray(column)[index] for column in _node_values()]
    c.append(x0 * c[0] / 2)
    for n in range(3, _TAYLOR_TERMS):
        c.append((x0 * c[n - 2] + c[n - 3]) / (n * (n - 1)))
    value, slope = c[-1], (len(c) - 1) * c[-1]
    for n in range(len(c) - 2, -1, -1):
        value = value * d + c[n]
        if n:
            slope = slope * d + n * c[n]
    return value, slope


def _zeta(xp, a):
    """ζ = ⅔a^(3/2) as hi + lo: √a = s + (a - s²)/(2s) to second order, with s² and a·s split exactly."""
    s = xp.sqrt(a)
    square, square_error = _two_product(xp, s, s)
    root_correction = ((a - square) - square_error) / (2 * s)
    product, product_error = _two_product(xp, a, s)
    product_error = product_error + a * root_correction  # a^(3/2) = product + product_error
    hi = 2 * product / 3
    thrice, thrice_error = _two_product(xp, xp.full_like(hi, 3.0), hi)
    return hi, (((2 * product - thrice) - thrice_error) + 2 * product_error) / 3


def _decaying(xp, a):
    """(Ai, Ai') for x = a > 10 (the asymptotic expansions)."""
    hi, lo = _zeta(xp, a)
    scale = xp.exp(-hi) * (1 - lo) / (2 * math.sqrt(math.pi))  # e^(-lo) = 1 - lo: lo is below 1e-13
    quarter = xp.sqrt(xp.sqrt(a))
    w = 1 / hi
    return scale / quarter * _polynomial(xp, _U, w), -scale * quarter * _polynomial(xp, _V, w)


def _oscillating(xp, a):
    """(Ai, Ai') for x = -a < -10 (the asymptotic expansions); sin and cos of ζ + π/4 = hi + (lo + π/4) by the
    addition theorem, since hi + lo would round back to hi."""
    hi, lo = _zeta(xp, a)
    rest = lo + math.pi / 4
    sin_hi, cos_hi, sin_rest, cos_rest = xp.sin(hi), xp.cos(hi), xp.sin(rest), xp.cos(rest)
    sin_phase, cos_phase = sin_hi * cos_rest + cos_hi * sin_rest, cos_hi * cos_rest - sin_hi * sin_rest
    w = -1 / (hi * hi)
    u_even, u_odd = _polynomial(xp, _U[0::2], w), -_polynomial(xp, _U[1::2], w) / hi
    v_even, v_odd = _polynomial(xp, _V[0::2], w), -_polynomial(xp, _V[1::2], w) / hi
    quarter = xp.sqrt(xp.sqrt(a))
    return ((sin_phase * u_even - cos_phase * u_odd) / (math.sqrt(math.pi) * quarter),
            -quarter / math.sqrt(math.pi) * (cos_phase * v_even + sin_phase * v_odd))


def _airy(xp, x):
    """(Ai(x), Ai'(x)) of float64 x; each range's formula sees only its own elements (the rest a stand-in)."""
    middle, negative = xp.abs(x) <= _TAYLOR_END, x < -_TAYLOR_END
    by_taylor = _taylor(xp, xp.where(middle, x, 0.0))
    decaying = _decaying(xp, xp.clip(x, _TAYLOR_END, _UNDERFLOW))
    oscillating = _oscillating(xp, xp.where(negative, -x, _TAYLOR_END))
    return tuple(xp.where(xp.isfinite(x), xp.where(middle, t, xp.where(negative, o, d)), xp.nan)
                 for t, d, o in zip(by_taylor, decaying, oscillating))


class AiryAi(Op):
    """``Ai(x)``; d/dx Ai(x) = Ai'(x)."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, lambda xp_, x64: _airy(xp_, x64)[0], x))

    @staticmethod
    def vjp(ctx, g):
        return (g * apply(AiryAiPrime, ctx.inputs[0]),)


class AiryAiPrime(Op):
    """``Ai'(x)``, the derivative's op; d/dx Ai'(x) = x·Ai(x), by Airy's equation."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, lambda xp_, x64: _airy(xp_, x64)[1], x))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * x * apply(AiryAi, x),)


def airy_ai(input):
    """The Airy function Ai(x), elementwise: the solution of y'' = x·y that decays for x → +inf (Ai(0) ≈ 0.355);
    NaN at ±inf, as in PyTorch."""
    return apply(AiryAi, _real_floating("airy_ai", input))
