"""Special functions that ``torch.special`` has beyond ``special.py``'s: the modified Bessel functions of the first
kind of orders 0 and 1, ``i0`` and ``i1``, and their exponentially scaled forms ``i0e(x) = e^(-|x|)·i0(x)`` and
``i1e(x) = e^(-|x|)·i1(x)``; the scaled complementary error function ``erfcx``; the logarithm of the normal
distribution function ``log_ndtr``; and ``xlog1py``, the ``log1p`` twin of ``xlogy``. All are elementwise; bool and
integer tensors give the default float dtype.

I_ν(x) solves x²y'' + xy' - (x² + ν²)y = 0 and grows like e^|x| / √(2π|x|): it is the radial part of the von
Mises distribution's normalizer and of the Kaiser window, and i0e/i1e are what one computes with when x is large
(I_0(800) overflows a float64, e^(-800)·I_0(800) ≈ 0.0141 does not).

numpy has only i0 of these, cupy none, and scipy is no dependency of minidl, so the Bessel functions are summed
here from two expansions, in float64 whatever the input's dtype, and rounded to that dtype at the end:

* |x| ≤ 20: the power series I_ν(x) = (x/2)^ν Σ_k (x²/4)^k / (k!·(k + ν)!) (Abramowitz & Stegun 9.6.10); all
  terms are positive, so nothing cancels, and 45 terms reach float64's precision at |x| = 20;
* |x| > 20: the asymptotic expansion e^(-x)·I_ν(x) = 1/√(2πx) · Σ_k (-1)^k a_k(ν) / x^k with
  a_k(ν) = (4ν² - 1²)(4ν² - 3²)···(4ν² - (2k-1)²) / (k!·8^k) (A&S 9.7.1); 25 terms reach 1e-16 there.

Measured against mpmath, the relative error is below 2e-15 everywhere. I_0 is even and I_1 odd, so both are
computed for |x| and I_1 takes x's sign back. erfcx and log_ndtr build on ``activations.py``'s erfc (see
``_erfcx`` and ``_log_ndtr``), also in float64.
"""
import math

import numpy

from .activations import _erfc
from .base import Op, apply
from .compare import eq, lt, where
from .elementwise_more import _to_float, x_times_log, x_times_log_vjp
from .infer import broadcast_infer, same_spec
from .special import _HALF_LOG_2PI, _in_float64, _real_floating
from .unary import exp, log, sign

__all__ = ["entr", "i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "ndtri", "xlog1py"]


# --------------------------------------------------------------------------------- modified Bessel functions

#: where the power series hands over to the asymptotic expansion
_SWITCH = 20.0


def _series_coefficients(order):
    """1 / (k!·(k + ν)!) for k = 0..44: the power series' coefficients, in powers of x²/4."""
    return [1 / (math.factorial(k) * math.factorial(k + order)) for k in range(45)]


def _asymptotic_coefficients(order):
    """c_k = (-1)^k a_k(ν) for k = 0..24, by the recurrence c_k = c_(k-1)·((2k-1)² - 4ν²) / (8k)."""
    coefficients = [1.0]
    for k in range(1, 25):
        coefficients.append(coefficients[-1] * ((2 * k - 1) ** 2 - 4 * order * order) / (8 * k))
    return coefficients


_COEFFICIENTS = {order: (_series_coefficients(order), _asymptotic_coefficients(order)) for order in (0, 1)}


def _polynomial(xp, coefficients, w):
    """Σ_k c_k w^k by Horner's scheme."""
    total = xp.full_like(w, coefficients[-1])
    for c in reversed(coefficients[:-1]):
        total = total * w + c
    return total


def _bessel(xp, x, order, scaled):
    """I_ν(x), or e^(-|x|)·I_ν(x) when ``scaled``, for ν = ``order`` (0 or 1); float64 in, float64 out."""
    series, asymptotic = _COEFFICIENTS[order]
    a = xp.abs(x)
    small = a <= _SWITCH
    # each expansion sees only arguments in its own range (the others get the switch point, a harmless stand-in)
    near, far = xp.where(small, a, _SWITCH), xp.where(small, _SWITCH, a)
    by_series = (near / 2) ** order * _polynomial(xp, series, near * near / 4)
    by_asymptotics = _polynomial(xp, asymptotic, 1 / far) / xp.sqrt(2 * math.pi * far)  # e^(-a)·I_ν(a)
    if scaled:
        value = xp.where(small, by_series * xp.exp(-near), by_asymptotics)
    else:  # e^a overflows beyond a ≈ 709.8, where I_ν(a) is about to overflow too: inf there, as in PyTorch
        value = xp.where(small, by_series, by_asymptotics * xp.exp(far))
    return xp.where(x < 0, -value, value) if order == 1 else value


def _safe_reciprocal(x):
    """1/x, with 1 standing in for x at x = 0 (those entries are replaced; an inf there would poison gradients)."""
    return 1 / where(eq(x, 0), 1.0, x)


class I0(Op):
    """``I_0(x)``; d/dx I_0(x) = I_1(x) (A&S 9.6.27)."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _bessel, x, 0, False))

    @staticmethod
    def vjp(ctx, g):
        return (g * i1(ctx.inputs[0]),)


class I0e(Op):
    """``e^(-|x|)·I_0(x)``; d/dx = I_1(x)e^(-|x|) - sign(x)·e^(-|x|)I_0(x) = i1e(x) - sign(x)·i0e(x).

    At x = 0 this is 0 (sign(0) = 0), PyTorch's choice at the kink that e^(-|x|) puts there."""
    name = "SpecialI0E"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _bessel, x, 0, True))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * (i1e(x) - sign(x) * ctx.outputs[0]),)


class I1(Op):
    """``I_1(x)``; d/dx I_1(x) = I_0(x) - I_1(x)/x (A&S 9.6.26), whose limit at x = 0 is 1/2."""
    name = "SpecialI1"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _bessel, x, 1, False))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * where(eq(x, 0), 0.5, i0(x) - ctx.outputs[0] * _safe_reciprocal(x)),)


class I1e(Op):
    """``e^(-|x|)·I_1(x)``; d/dx = i0e(x) - i1e(x)·(sign(x) + 1/x), 1/2 at x = 0 (the limit)."""
    name = "SpecialI1E"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _bessel, x, 1, True))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        slope = i0e(x) - ctx.outputs[0] * (sign(x) + _safe_reciprocal(x))
        return (g * where(eq(x, 0), 0.5, slope),)


def i0(input):
    """The modified Bessel function of the first kind of order 0, elementwise (I_0(0) = 1). Bool and integer
    tensors give the default float dtype."""
    return apply(I0, _real_floating("i0", input))


def i0e(input):
    """``exp(-|x|) * i0(x)``, elementwise: finite where ``i0`` overflows."""
    return apply(I0e, _real_floating("i0e", input))


def i1(input):
    """The modified Bessel function of the first kind of order 1, elementwise (odd: I_1(-x) = -I_1(x))."""
    return apply(I1, _real_floating("i1", input))


def i1e(input):
    """``exp(-|x|) * i1(x)``, elementwise: finite where ``i1`` overflows."""
    return apply(I1e, _real_floating("i1e", input))


# --------------------------------------------------------------------- erfcx and the log of the normal CDF

#: where erfcx's definition hands over to its asymptotic series, and that series' coefficients (-1)^n (2n-1)!!
_ERFCX_SWITCH = 8.0
_ERFCX_SERIES = [float((-1) ** n * math.prod(range(1, 2 * n, 2))) for n in range(20)]  # (cupy takes no int past int64)


def _erfcx(xp, x):
    """erfcx(x) = e^(x²)·erfc(x) in float64, to 5e-14 relative error (measured against mpmath).

    * x < 8: the definition, with ``_erfc`` (activations.py). e^(x²) overflows only where erfcx does (x < -26.6),
      and erfc(x) ≥ 1e-29 still has all its digits;
    * x ≥ 8: the asymptotic series erfcx(x) = 1/(x√π) · Σ_n (-1)^n (1·3···(2n-1)) / (2x²)^n (Abramowitz & Stegun
      7.1.23), 20 terms. It never forms e^(x²), which overflows from x ≈ 26.6 on while erfcx(x) ≈ 1/(x√π) is fine.
    """
    far = x >= _ERFCX_SWITCH
    near_x, far_x = xp.where(far, 0.0, x), xp.where(far, x, _ERFCX_SWITCH)  # each formula sees only its own range
    by_definition = xp.exp(near_x * near_x) * _erfc(xp, near_x)
    by_series = _polynomial(xp, _ERFCX_SERIES, 1 / (2 * far_x * far_x)) / (far_x * math.sqrt(math.pi))
    return xp.where(far, by_series, by_definition)


def _log_ndtr(xp, x):
    """ln Φ(x), Φ the standard normal distribution function, in float64 (PyTorch's two cases):

    * x < -1: Φ(x) = erfc(-u)/2 = e^(-u²)·erfcx(-u)/2 with u = x/√2, so ln Φ(x) = ln(erfcx(-u)/2) - u², finite
      however negative x is (Φ(-40) ≈ 1e-350 is below float64's range, its logarithm -804.6 is not);
    * x ≥ -1: ln Φ(x) = log1p(-erfc(u)/2), keeping the digits of a tiny ln Φ as Φ → 1 (ln Φ(10) ≈ -7.6e-24).
    """
    u = x * (1 / math.sqrt(2))
    left = x < -1
    u_left, u_right = xp.where(left, u, -1.0), xp.where(left, 0.0, u)
    return xp.where(left, xp.log(_erfcx(xp, -u_left) / 2) - u_left * u_left, xp.log1p(-_erfc(xp, u_right) / 2))


class Erfcx(Op):
    """``erfcx(x) = e^(x²)·erfc(x)``; since erfc'(x) = -2/√π·e^(-x²), d/dx erfcx(x) = 2x·erfcx(x) - 2/√π."""
    name = "SpecialErfcx"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _erfcx, x))

    @staticmethod
    def vjp(ctx, g):
        return (g * (ctx.inputs[0] * ctx.outputs[0] * 2 - 2 / math.sqrt(math.pi)),)


class LogNdtr(Op):
    """``ln Φ(x)``; d/dx = φ(x)/Φ(x) = e^(-x²/2 - ln Φ(x)) / √(2π), φ the normal density. Written with the
    output, the ratio stays finite where φ(x) and Φ(x) both underflow."""
    name = "SpecialLogNdtr"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _log_ndtr, x))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(-(x * x * 0.5 + ctx.outputs[0])) * (1 / math.sqrt(2 * math.pi)),)


class Entr(Op):
    """The entropy term ``-x·ln(x)``: 0 at x = 0 (the limit), -inf for x < 0 (outside the domain), NaN at NaN.
    d/dx = -(ln(x) + 1): +inf at 0, -inf at +inf, and NaN for x < 0, as PyTorch's."""
    name = "SpecialEntr"
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x):
        positive = x > 0
        inside = -x * xp.log(xp.where(positive, x, 1))
        return xp.where(positive, inside, xp.where(x < 0, x.dtype.type(-math.inf), x * 0))  # (x * 0: 0, or NaN)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (where(lt(x, 0), math.nan, -(log(x) + 1)) * g,)


def entr(input):
    """``torch.special.entr``: ``-x·ln(x)`` elementwise (see ``Entr``)."""
    return apply(Entr, _real_floating("special.entr", input))


def _ndtri(xp, p):
    """The x with Φ(x) = p, in float64: Abramowitz & Stegun 26.2.23 (error below 4.5e-4) in the nearer tail q =
    min(p, 1 - p), then Newton's method on ln Φ(x) = ln q — in logarithms, so that p = 1e-300 (x ≈ -37) is as
    accurate as p = 0.3; ``√2 erfinv(2p - 1)`` loses everything to the rounding of 2p - 1 there."""
    q = xp.minimum(p, 1 - p)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        t = xp.sqrt(-2 * xp.log(q))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t +
                                                                  0.001308 * t * t * t))
        finite = xp.isfinite(x)
        x = xp.where(finite, x, -1.0)  # (q = 0: the answer is -inf, set below; keep the iteration finite)
        for _ in range(4):  # quadratic convergence: 4.5e-4 -> 1e-7 -> 1e-14 -> round-off
            log_cdf = _log_ndtr(xp, x)
            x = x - (log_cdf - xp.log(q)) * xp.exp(log_cdf + 0.5 * x * x + _HALF_LOG_2PI)
    x = xp.where(finite, x, -xp.inf)
    x = xp.where(p > 0.5, -x, x)
    return xp.where((p < 0) | (p > 1) | xp.isnan(p), xp.nan, xp.where(p == 0.5, 0.0, x))


class Ndtri(Op):
    """The inverse of Φ; d/dp = 1/φ(x) = √(2π) e^(x²/2) at the output x."""
    name = "SpecialNdtri"
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, p: _in_float64(xp, _ndtri, p))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.outputs[0]
        return (g * exp(x * x * 0.5) * math.sqrt(2 * math.pi),)


def ndtri(input):
    """The inverse of the standard normal distribution function: the x with ``ndtr(x) = p``, elementwise, accurate
    far into both tails (±inf at p = 1 and 0, NaN outside [0, 1])."""
    return apply(Ndtri, _real_floating("ndtri", input))


def erfcx(input):
    """The scaled complementary error function ``exp(x**2) * erfc(x)``, elementwise, finite for large x where
    erfc underflows. Bool and integer tensors give the default float dtype."""
    return apply(Erfcx, _real_floating("erfcx", input))


def log_ndtr(input):
    """The logarithm of the standard normal distribution function, ``log(ndtr(x))``, elementwise, accurate far
    into both tails."""
    return apply(LogNdtr, _real_floating("log_ndtr", input))


# ---------------------------------------------------------------------------------------------------- xlog1py

class Xlog1py(Op):
    """``x · log1p(y)`` = x·ln(1 + y), accurate for tiny y, and 0 where x == 0 even where log1p(y) is -inf or
    NaN (y ≤ -1); a NaN y gives NaN.

    d/dx = log1p(y), taken as 0 where x = 0 and y ≤ -1 (there it is no number, and the function is constant 0
    along x = 0: PyTorch's choice, as for xlogy); d/dy = x / (1 + y)."""
    name = "SpecialXlog1Py"
    infer = staticmethod(broadcast_infer("xlog1py"))

    @staticmethod
    def forward(xp, x, y):
        return x_times_log(xp, x, y, xp.log1p(y))

    @staticmethod
    def vjp(ctx, g):
        return x_times_log_vjp(ctx, g, Xlog1py, edge=-1, shift=1)


def xlog1py(input, other):
    """``input * log1p(other)``, 0 where input is 0; either may be a number. Integer operands give the default
    float dtype."""
    return apply(Xlog1py, *_to_float("xlog1py", input, other))
