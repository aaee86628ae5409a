"""Four integrals of elementary functions that have no closed form, TF's ``tf.math.special`` functions:

* Dawson's integral ``dawsn(x) = e^(-x²) ∫₀ˣ e^(t²) dt`` (odd; ≈ 1/(2x) for large |x|);
* the exponential integral ``expint(x) = Ei(x) = -∫₋ₓ^∞ e^(-t)/t dt`` (a principal value; -inf at 0, NaN for x < 0);
* the Fresnel integrals ``fresnel_cos(x) = C(x) = ∫₀ˣ cos(πt²/2) dt`` and ``fresnel_sin(x) = S(x) = ∫₀ˣ sin(πt²/2) dt``
  (odd; → ±1/2 at ±inf: the diffraction of light at an edge, the clothoid of road and railway curves);
* Spence's function ``spence(x) = ∫₁ˣ ln t / (1 - t) dt = Li₂(1 - x)`` (Cephes' convention; π²/6 at 0, NaN for
  x < 0).

Each is computed in float64, whatever the input's dtype, and rounded at the end, with formulas chosen by range so
that none loses digits to cancellation (against mpmath the error stays below 4e-15 relative):

* Dawson: for |x| ≤ 6.5 the series of the integral, whose terms are all positive, times e^(-x²):
  D(x) = e^(-x²) Σ x^(2k+1) / (k!·(2k+1)) (110 terms) — the usual series Σ (-2)^k x^(2k+1)/(2k+1)!! alternates
  and would cancel e^(x²) of its digits; beyond, the asymptotic expansion D(x) = 1/(2x) Σ (2k-1)!!/(2x²)^k
  (35 terms; its smallest term is about e^(-x²)). x² is split exactly into two floats, so that e^(-x²) keeps its
  digits (a rounded x² = 42 would cost 4e-15).
* Ei: for 0 < x ≤ 44 the series Ei(x) = γ + ln x + Σ_k x^k / (k·k!) (110 terms, all positive); beyond, the
  asymptotic expansion Ei(x) = e^x/x Σ k!/x^k (40 terms). Near its zero x₀ = 0.3725..., where γ + ln x and the sum
  cancel, the Taylor series about x₀ instead: Ei(x₀ + d) = Σ_(m≥0) b_m d^(m+1)/(m+1), with e^x/x = Σ b_m d^m,
  i.e. b_m = (e^(x₀)/m! - b_(m-1)) / x₀ (from x·(e^x/x) = e^x).
* Fresnel: for |x| ≤ 1.5 the power series C(x) = Σ (-1)^n (π/2)^(2n) x^(4n+1) / ((2n)!(4n+1)) and
  S(x) = Σ (-1)^n (π/2)^(2n+1) x^(4n+3) / ((2n+1)!(4n+3)); beyond, the error function of a complex argument
  (A&S 7.3.22): C + iS = (1+i)/2 · erf(z) with z = (√π/2)(1 - i)x, where erfc(z) = e^(-z²)/√π · K(z) and
  K(z) = 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), Laplace's continued fraction (100 levels suffice from
  x = 1.5 on). e^(-z²) = e^(iπx²/2), whose phase is reduced modulo 2π exactly (x² split into two floats, the
  larger taken modulo 4), so the tiny oscillation around ±1/2 stays right even for huge x.
* Spence: Li₂(1 - x) = Σ_(n≥0) B_n u^(n+1)/(n+1)! with u = -ln x, for 1/2 ≤ x ≤ 2 (|u| ≤ ln 2: the Bernoulli
  numbers B₂...B₁₆ leave less than 1e-18 out); for x < 1/2 the reflection
  spence(x) = π²/6 - ln x·ln(1 - x) - Li₂(x), with Li₂(x) the same series at u = -ln(1 - x); for x > 2 the
  inversion spence(x) = -½ ln²x - spence(1/x).

Values at the edges: dawsn(±inf) = ±0, C and S are ±1/2 at ±inf; Ei(inf) = inf and spence(inf) = -inf (the
limits: TF's Cephes formulas give NaN there); NaN stays NaN.

The derivatives are the integrands: D'(x) = 1 - 2x·D(x), Ei'(x) = e^x/x, C'(x) = cos(πx²/2), S'(x) = sin(πx²/2),
spence'(x) = ln x / (1 - x), -1 at x = 1 (the limit), as TF defines them.
"""
import math

from fractions import Fraction

from .base import Op, apply
from .compare import eq, where
from .infer import same_spec
from .special import _BERNOULLI, _EULER_GAMMA, _in_float64, _real_floating, _two_product
from .special_more import _polynomial, _safe_reciprocal
from .unary import cos, exp, log, sin

__all__ = ["dawsn", "expint", "fresnel_cos", "fresnel_sin", "spence"]

_PI_SQUARED_OVER_6 = math.pi ** 2 / 6


def _square(xp, x):
    """x² as hi + lo, exactly."""
    return _two_product(xp, x, x)


# --------------------------------------------------------------------------------------------- Dawson's integral

_DAWSON_SWITCH = 6.5
_DAWSON_SERIES = [float(Fraction(1, math.factorial(k) * (2 * k + 1))) for k in range(110)]
_DAWSON_ASYMPTOTIC = [float(math.prod(range(1, 2 * k, 2))) for k in range(35)]


def _dawsn(xp, x):
    a = xp.abs(x)
    small = a <= _DAWSON_SWITCH
    near, far = xp.where(small, a, 0.0), xp.where(small, _DAWSON_SWITCH, a)
    square, square_error = _square(xp, near)
    by_series = xp.exp(-square) * (1 - square_error) * near * _polynomial(xp, _DAWSON_SERIES, square)
    inverse = 1 / far
    by_expansion = 0.5 * inverse * _polynomial(xp, _DAWSON_ASYMPTOTIC, 0.5 * inverse * inverse)
    return xp.copysign(xp.where(small, by_series, by_expansion), x)


class Dawsn(Op):
    """``D(x) = e^(-x²) ∫₀ˣ e^(t²) dt``; D'(x) = 1 - 2x·D(x)."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _dawsn, x))

    @staticmethod
    def vjp(ctx, g):
        return (g * (1 - 2 * ctx.inputs[0] * ctx.outputs[0]),)


# ----------------------------------------------------------------------------------------- exponential integral

_EI_SWITCH = 44.0
_EI_SERIES = [0.0] + [float(Fraction(1, k * math.factorial(k))) for k in range(1, 110)]
_EI_ASYMPTOTIC = [float(math.factorial(k)) for k in range(40)]
#: the zero of Ei, as hi + lo, and the half-width of the window about it where its Taylor series is used
_EI_ZERO, _EI_ZERO_LO, _EI_ZERO_WINDOW = 0.3725074107813666, 1.3140183414386028e-17, 0.05


def _ei_taylor_coefficients(terms=20):
    """Ei(x₀ + d) = Σ_(m≥0) b_m/(m+1) d^(m+1), by b_m = (e^(x₀)/m! - b_(m-1)) / x₀ (module docstring)."""
    coefficients, b = [0.0], 0.0
    for m in range(terms):
        b = (math.exp(_EI_ZERO) / math.factorial(m) - b) / _EI_ZERO
        coefficients.append(b / (m + 1))
    return coefficients


_EI_TAYLOR = _ei_taylor_coefficients()


def _expint(xp, x):
    small = x <= _EI_SWITCH
    near, far = xp.where(small & (x > 0), x, 1.0), xp.where(small, _EI_SWITCH, x)
    by_series = _EULER_GAMMA + xp.log(near) + _polynomial(xp, _EI_SERIES, near)
    d = (near - _EI_ZERO) - _EI_ZERO_LO
    by_series = xp.where(xp.abs(d) < _EI_ZERO_WINDOW, _polynomial(xp, _EI_TAYLOR, d), by_series)
    half = xp.exp(far / 2)  # e^x = half·half: e^x alone overflows from 709.8 on, Ei(x) only from 716.4
    by_expansion = half * (half / far) * _polynomial(xp, _EI_ASYMPTOTIC, 1 / far)
    value = xp.where(small, by_series, xp.where(far == xp.inf, xp.inf, by_expansion))
    return xp.where(x < 0, xp.nan, xp.where(x == 0, -xp.inf, value))


class Expint(Op):
    """``Ei(x)``; Ei'(x) = e^x / x."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _expint, x))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(x) / x,)


# ------------------------------------------------------------------------------------------- Fresnel integrals

_FRESNEL_SWITCH, _FRESNEL_DEPTH = 1.5, 100
_FRESNEL_COS_SERIES = [float(Fraction(1, math.factorial(2 * n) * (4 * n + 1))) for n in range(14)]
_FRESNEL_SIN_SERIES = [float(Fraction(1, math.factorial(2 * n + 1) * (4 * n + 3))) for n in range(14)]


def _fresnel(xp, x):
    """(C(x), S(x)) of float64 x."""
    a = xp.abs(x)
    small = a <= _FRESNEL_SWITCH
    near, far = xp.where(small, a, 0.0), xp.where(small | xp.isinf(a), 2.0, a)
    quarter_turns = math.pi / 2 * near * near
    w = -quarter_turns * quarter_turns
    by_series = (near * _polynomial(xp, _FRESNEL_COS_SERIES, w),
                 near * quarter_turns * _polynomial(xp, _FRESNEL_SIN_SERIES, w))
    z = (math.sqrt(math.pi) / 2) * far * (1 - 1j)
    fraction = z
    for k in range(_FRESNEL_DEPTH, 0, -1):
        fraction = z + (k / 2) / fraction
    square, square_error = _square(xp, far)
    angle = (math.pi / 2) * (xp.fmod(square, 4.0) + square_error)  # πx²/2 modulo 2π
    tail = (1 + 1j) / (2 * math.sqrt(math.pi)) * (xp.cos(angle) + 1j * xp.sin(angle)) / fraction
    by_fraction = (0.5 - tail.real, 0.5 - tail.imag)
    return tuple(xp.copysign(xp.where(small, s, xp.where(xp.isinf(a), 0.5, f)), x)
                 for s, f in zip(by_series, by_fraction))


def _quarter_turns(x):
    """πx²/2, the Fresnel integrands' argument, as an op (for the gradients)."""
    return x * x * (math.pi / 2)


class FresnelCos(Op):
    """``C(x) = ∫₀ˣ cos(πt²/2) dt``; C'(x) = cos(πx²/2)."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, lambda xp_, x64: _fresnel(xp_, x64)[0], x))

    @staticmethod
    def vjp(ctx, g):
        return (g * cos(_quarter_turns(ctx.inputs[0])),)


class FresnelSin(Op):
    """``S(x) = ∫₀ˣ sin(πt²/2) dt``; S'(x) = sin(πx²/2)."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, lambda xp_, x64: _fresnel(xp_, x64)[1], x))

    @staticmethod
    def vjp(ctx, g):
        return (g * sin(_quarter_turns(ctx.inputs[0])),)


# --------------------------------------------------------------------------------------------- Spence's function

#: Li₂ = u - u²/4 + Σ_k B_2k u^(2k+1)/(2k+1)!, as coefficients of u^0, u^1, ...
_DILOGARITHM = [0.0, 1.0, -0.25] + [c for k, b in enumerate(_BERNOULLI, 1)
                                    for c in (float(b / math.factorial(2 * k + 1)), 0.0)][:-1]


def _spence(xp, x):
    y = xp.where(x > 2, 1 / x, x)  # spence(x) = -½ ln²x - spence(1/x)
    middle = y >= 0.5
    u = xp.where(middle, -xp.log(xp.where(middle, y, 1.0)), -xp.log1p(-xp.where(middle, 0.0, y)))
    series = _polynomial(xp, _DILOGARITHM, u)
    low = xp.where(middle | (y == 0), 0.5, y)  # (0 gets a stand-in: ln 0·ln 1 would be NaN)
    reflected = _PI_SQUARED_OVER_6 - xp.log(low) * xp.log1p(-low) - series
    value = xp.where(middle, series, xp.where(y == 0, _PI_SQUARED_OVER_6, reflected))
    log_x = xp.log(xp.where(x > 2, x, 1.0))
    value = xp.where(x > 2, -0.5 * log_x * log_x - value, value)
    return xp.where(x < 0, xp.nan, value)


class Spence(Op):
    """``spence(x) = ∫₁ˣ ln t / (1 - t) dt``; spence'(x) = ln x / (1 - x), and -1 at x = 1."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _spence, x))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * where(eq(x, 1), -1.0, log(x) * _safe_reciprocal(1 - x)),)


# ------------------------------------------------------------------------------------------------ functions

def dawsn(x):
    """Dawson's integral ``e^(-x²) ∫₀ˣ e^(t²) dt``, elementwise (TF's ``tf.math.special.dawsn``)."""
    return apply(Dawsn, _real_floating("dawsn", x))


def expint(x):
    """The exponential integral Ei(x) = ∫₋∞ˣ e^t/t dt (principal value), elementwise: -inf at 0, NaN for x < 0
    (TF's ``tf.math.special.expint``)."""
    return apply(Expint, _real_floating("expint", x))


def fresnel_cos(x):
    """The Fresnel cosine integral ``∫₀ˣ cos(πt²/2) dt``, elementwise (TF's ``tf.math.special.fresnel_cos``)."""
    return apply(FresnelCos, _real_floating("fresnel_cos", x))


def fresnel_sin(x):
    """The Fresnel sine integral ``∫₀ˣ sin(πt²/2) dt``, elementwise (TF's ``tf.math.special.fresnel_sin``)."""
    return apply(FresnelSin, _real_floating("fresnel_sin", x))


def spence(x):
    """Spence's function ``∫₁ˣ ln t / (1 - t) dt`` (the dilogarithm Li₂(1 - x)), elementwise: π²/6 at 0, NaN for
    x < 0 (TF's ``tf.math.special.spence``)."""
    return apply(Spence, _real_floating("spence", x))
