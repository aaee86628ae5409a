"""The Bessel functions of integer order 0 and 1 that ``special_more.py`` (I_0, I_1) leaves out: J_0, J_1 and
Y_0, Y_1 (the first and second kind), K_0, K_1 (the modified second kind) and their scaled forms e^x·K_ν(x), and
the spherical Bessel function j_0(x) = sin(x)/x — PyTorch's ``torch.special.bessel_j0`` and its siblings.

J_ν and Y_ν solve x²y'' + xy' + (x² - ν²)y = 0 (they oscillate like damped cosines: vibrating drums, waves in a
cylinder); I_ν and K_ν solve the same equation with -x² (they grow and decay like e^±x). Everything is computed
in float64, whatever the input's dtype, and rounded at the end; each function is pieced together from three
formulas, chosen by a = |x| (measured against mpmath, the relative error stays below 1e-14, except near the zeros
of J and Y, where the absolute error does):

* a ≤ 2, the power series (Abramowitz & Stegun 9.1.10-11, 9.6.10-11), with w = a²/4, L = ln(a/2) + γ and H_k the
  harmonic numbers: J_0 = Σ (-w)^k/k!², J_1 = (a/2) Σ (-w)^k/(k!(k+1)!),
  Y_0 = (2/π)(L·J_0 - Σ H_k (-w)^k/k!²), Y_1 = -2/(πa) + (2/π)L·J_1 - (a/2π) Σ (H_k + H_(k+1)) (-w)^k/(k!(k+1)!),
  and K_0 = -L·I_0 + Σ H_k w^k/k!², K_1 = 1/a + L·I_1 - (a/4) Σ (H_k + H_(k+1)) w^k/(k!(k+1)!). 16 terms reach
  float64's precision; the terms stay below 1 there, so little cancels.
* 2 < a ≤ 25: J by Miller's backward recurrence (the power series would lose e^a of its digits): start far above
  the order with f_61 = 0, f_60 = tiny, run f_(k-1) = (2k/a)·f_k - f_(k+1) down to f_0 — downwards it is stable —
  and scale by the identity 1 = J_0 + 2(J_2 + J_4 + ...). Y comes from the same J_k by Neumann's series (A&S
  9.1.88): Y_0 = (2/π)(L·J_0 - 2 Σ_k (-1)^k J_2k / k), and its derivative
  Y_1 = (2/π)(L·J_1 - J_0/a + Σ_k (-1)^k (J_(2k-1) - J_(2k+1)) / k).
  K_ν by the integral e^a·K_ν(a) = ∫₀^∞ e^(-a(cosh t - 1)) cosh(νt) dt with the trapezoidal rule (step 0.1 up to
  t = 4): the integrand is smooth and decays doubly exponentially, so the rule converges exponentially fast.
* a > 25: the asymptotic expansions (A&S 9.2.5-10, 9.7.2), with a_k(ν) = (4ν² - 1²)···(4ν² - (2k-1)²)/(k!·8^k):
  J_ν = √(2/(πa)) (P cos χ - Q sin χ), Y_ν = √(2/(πa)) (P sin χ + Q cos χ), χ = a - (ν/2 + 1/4)π,
  P = Σ (-1)^k a_2k/a^2k, Q = Σ (-1)^k a_(2k+1)/a^(2k+1); e^a·K_ν(a) = √(π/(2a)) Σ a_k/a^k. 25 terms leave
  less than 1e-19 out. cos χ and sin χ come from cos a and sin a (whose argument reduction is exact), since
  χ = a - π/4 itself would round away the digits of a huge a.

At ±inf, J and Y are NaN and I_0, I_1 of the ``modified_bessel_*`` names too, as in PyTorch (whose formulas end in
sin(inf) there); Y and K are NaN for x < 0 (complex there) and -inf and +inf at 0.
"""
import math

from fractions import Fraction

from .base import Op, apply
from .compare import eq, where
from .special import _EULER_GAMMA, _in_float64, _real_floating
from .special_more import _asymptotic_coefficients, _polynomial, _safe_reciprocal, i0, i1
from .infer import same_spec
from .unary import isinf

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "spherical_bessel_j0"]

#: L = ln(a/2) + γ is computed as ln(a) + (γ - ln 2): a/2 would underflow for the smallest subnormal a
_LOG_TERM = _EULER_GAMMA - math.log(2)
#: where the power series hands over to Miller's recurrence (J, Y) or the integral (K), and those to the
#: asymptotic expansions
_SERIES_END, _ASYMPTOTIC_START = 2.0, 25.0
#: the order Miller's recurrence starts from (even: the normalization sums the even orders)
_MILLER_START = 60
#: the trapezoidal rule's step and number of steps for the K integral
_STEP, _STEPS = 0.1, 40


def _harmonic(k):
    return sum(Fraction(1, j) for j in range(1, k + 1))


def _power_series_coefficients():
    """The four coefficient lists of the a ≤ 2 series (module docstring), in powers of ±w, for k = 0..15."""
    f = [Fraction(1, math.factorial(k) ** 2) for k in range(16)]
    g = [Fraction(1, math.factorial(k) * math.factorial(k + 1)) for k in range(16)]
    return ([float(c) for c in f], [float(c) for c in g], [float(c * _harmonic(k)) for k, c in enumerate(f)],
            [float(c * (_harmonic(k) + _harmonic(k + 1))) for k, c in enumerate(g)])


_ORDER0, _ORDER1, _ORDER0_LOG, _ORDER1_LOG = _power_series_coefficients()
_ASYMPTOTIC = {order: _asymptotic_coefficients(order) for order in (0, 1)}


def _ranges(xp, a):
    """Masks of the three ranges, and a in each (the other elements get a harmless stand-in)."""
    small, large = a <= _SERIES_END, a > _ASYMPTOTIC_START
    middle = ~small & ~large
    return ((small, xp.where(small, a, 1.0)), (middle, xp.where(middle, a, 10.0)),
            (large, xp.where(large, a, 30.0)))


def _series_j_y(xp, a):
    w = -a * a / 4
    log_term = xp.log(a) + _LOG_TERM
    j0, j1 = _polynomial(xp, _ORDER0, w), a / 2 * _polynomial(xp, _ORDER1, w)
    y0 = (2 / math.pi) * (log_term * j0 - _polynomial(xp, _ORDER0_LOG, w))
    y1 = -2 / (math.pi * a) + (2 / math.pi) * log_term * j1 - a / (2 * math.pi) * _polynomial(xp, _ORDER1_LOG, w)
    return j0, j1, y0, y1


def _miller_j_y(xp, a):
    """J_0, J_1, Y_0, Y_1 from one run of Miller's backward recurrence (module docstring)."""
    above, current = xp.zeros_like(a), xp.full_like(a, 1e-30)  # f_(k+1), f_k
    norm, y0_sum, y1_sum = xp.zeros_like(a), xp.zeros_like(a), xp.zeros_like(a)
    for k in range(_MILLER_START, 0, -1):
        if k % 2 == 0:
            half = k // 2
            norm = norm + 2 * current
            y0_sum = y0_sum + (-1) ** half / half * current
        else:  # f_(2m+1) enters Σ (-1)^k (f_(2k-1) - f_(2k+1)) / k from k = m + 1 and (for m ≥ 1) from k = m
            m = k // 2
            y1_sum = y1_sum + (-1) ** (m + 1) * (1 / (m + 1) + (1 / m if m else 0)) * current
        above, current = current, (2 * k / a) * current - above
    norm = norm + current  # f_0
    j0, j1 = current / norm, above / norm
    log_term = xp.log(a) + _LOG_TERM
    y0 = (2 / math.pi) * (log_term * j0 - 2 * y0_sum / norm)
    y1 = (2 / math.pi) * (log_term * j1 - j0 / a + y1_sum / norm)
    return j0, j1, y0, y1


def _hankel_j_y(xp, a):
    """J_ν and Y_ν for ν = 0, 1 by the asymptotic expansions (module docstring)."""
    amplitude = xp.sqrt(2 / (math.pi * a))
    inverse_square = -1 / (a * a)
    cos_a, sin_a = xp.cos(a), xp.sin(a)
    results = []
    for order, (cos_chi, sin_chi) in ((0, (cos_a + sin_a, sin_a - cos_a)), (1, (sin_a - cos_a, -sin_a - cos_a))):
        c = _ASYMPTOTIC[order]
        p = _polynomial(xp, c[0::2], inverse_square)
        q = -_polynomial(xp, c[1::2], inverse_square) / a
        scale = amplitude / math.sqrt(2)  # cos χ and sin χ above are √2 times too large
        results.append((scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)))
    (j0, y0), (j1, y1) = results
    return j0, j1, y0, y1


def _bessel_j_y(xp, x):
    """(J_0, J_1, Y_0, Y_1) of float64 x, with PyTorch's values at 0, ±inf, NaN and (for Y) x < 0."""
    a = xp.abs(x)
    value = [xp.zeros_like(a) for _ in range(4)]
    for (mask, part), method in zip(_ranges(xp, a), (_series_j_y, _miller_j_y, _hankel_j_y)):
        value = [xp.where(mask, new, old) for new, old in zip(method(xp, part), value)]
    j0, j1, y0, y1 = value
    j1 = j1 * xp.copysign(1.0, x)  # J_1 is odd (and J_1(-0.0) = -0.0)
    j0, j1 = xp.where(a == 0, 1.0, j0), xp.where(a == 0, 0.0 * x, j1)
    y0, y1 = (xp.where(x < 0, xp.nan, xp.where(x == 0, -xp.inf, y)) for y in (y0, y1))
    return tuple(xp.where(xp.isfinite(x), v, xp.nan) for v in (j0, j1, y0, y1))


def _scaled_k(xp, order, a):
    """e^a·K_ν(a) for a ≥ 2 (any real ν): the trapezoidal rule up to a = 25, the asymptotic expansion beyond."""
    near = xp.minimum(a, _ASYMPTOTIC_START)
    integral = xp.zeros_like(a)
    for j in range(_STEPS + 1):
        t = j * _STEP
        weight = _STEP / 2 if j == 0 else _STEP
        integral = integral + weight * math.cosh(order * t) * xp.exp(-near * (math.cosh(t) - 1))
    far = xp.maximum(a, _ASYMPTOTIC_START)
    asymptotic = _polynomial(xp, _asymptotic_coefficients(order), -1 / far) * xp.sqrt(math.pi / (2 * far))
    return xp.where(a > _ASYMPTOTIC_START, asymptotic, integral)


def _bessel_k(xp, x, order, scaled):
    """K_ν(x) or e^x·K_ν(x) for ν = ``order`` (0 or 1): the power series for x ≤ 2, ``_scaled_k`` beyond."""
    small = x <= _SERIES_END
    near, far = xp.where(small, x, 1.0), xp.where(small, 3.0, x)
    w, log_term = near * near / 4, xp.log(near) + _LOG_TERM
    if order == 0:
        by_series = -log_term * _polynomial(xp, _ORDER0, w) + _polynomial(xp, _ORDER0_LOG, w)
    else:
        by_series = (1 / near + log_term * near / 2 * _polynomial(xp, _ORDER1, w)
                     - near / 4 * _polynomial(xp, _ORDER1_LOG, w))
    beyond = _scaled_k(xp, order, xp.where(xp.isfinite(far), far, 30.0))
    value = xp.where(small, by_series * (xp.exp(near) if scaled else 1.0),
                     beyond if scaled else beyond * xp.exp(-far))
    value = xp.where(x == xp.inf, 0.0, xp.where(x == 0, xp.inf, value))
    return xp.where((x < 0) | xp.isnan(x), xp.nan, value)


def _j_or_y(index):
    """A forward that gives one of ``_bessel_j_y``'s four results."""
    return staticmethod(lambda xp, x: _in_float64(xp, lambda xp_, x64: _bessel_j_y(xp_, x64)[index], x))


def _k(order, scaled):
    return staticmethod(lambda xp, x: _in_float64(xp, _bessel_k, x, order, scaled))


class BesselJ0(Op):
    """``J_0(x)``; d/dx J_0(x) = -J_1(x) (A&S 9.1.28)."""
    infer = staticmethod(same_spec)
    forward = _j_or_y(0)

    @staticmethod
    def vjp(ctx, g):
        return (-g * bessel_j1(ctx.inputs[0]),)


class BesselJ1(Op):
    """``J_1(x)``; d/dx J_1(x) = J_0(x) - J_1(x)/x (A&S 9.1.27), 1/2 at x = 0 (the limit)."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = _j_or_y(1)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * where(eq(x, 0), 0.5, bessel_j0(x) - ctx.outputs[0] * _safe_reciprocal(x)),)


class BesselY0(Op):
    """``Y_0(x)``; d/dx Y_0(x) = -Y_1(x)."""
    infer = staticmethod(same_spec)
    forward = _j_or_y(2)

    @staticmethod
    def vjp(ctx, g):
        return (-g * bessel_y1(ctx.inputs[0]),)


class BesselY1(Op):
    """``Y_1(x)``; d/dx Y_1(x) = Y_0(x) - Y_1(x)/x."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = _j_or_y(3)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * (bessel_y0(x) - ctx.outputs[0] / x),)


class ModifiedBesselK0(Op):
    """``K_0(x)``; d/dx K_0(x) = -K_1(x) (A&S 9.6.27)."""
    infer = staticmethod(same_spec)
    forward = _k(0, False)

    @staticmethod
    def vjp(ctx, g):
        return (-g * modified_bessel_k1(ctx.inputs[0]),)


class ModifiedBesselK1(Op):
    """``K_1(x)``; d/dx K_1(x) = -K_0(x) - K_1(x)/x (A&S 9.6.26)."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = _k(1, False)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (-g * (modified_bessel_k0(x) + ctx.outputs[0] / x),)


class ScaledModifiedBesselK0(Op):
    """``e^x·K_0(x)``; d/dx = e^x·(K_0 - K_1) = k0e(x) - k1e(x)."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = _k(0, True)

    @staticmethod
    def vjp(ctx, g):
        return (g * (ctx.outputs[0] - scaled_modified_bessel_k1(ctx.inputs[0])),)


class ScaledModifiedBesselK1(Op):
    """``e^x·K_1(x)``; d/dx = e^x·(K_1 - K_0 - K_1/x) = k1e(x)·(1 - 1/x) - k0e(x)."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = _k(1, True)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * (ctx.outputs[0] * (1 - 1 / x) - scaled_modified_bessel_k0(x)),)


# ------------------------------------------------------------------------------- the spherical Bessel function

#: j_1(x) = x Σ_k (-x²/2)^k / (k!·(2k+3)!!) for |x| < 1, where (sin x/x - cos x)/x would cancel
_SPHERICAL_J1_SERIES = [1 / (math.factorial(k) * math.prod(range(1, 2 * k + 4, 2))) for k in range(9)]


def _spherical_j0(xp, x):
    """sin(x)/x: 1 at 0, and 0 at ±inf (the limit, PyTorch's value)."""
    zero = x == 0
    value = xp.sin(xp.where(xp.isinf(x) | zero, 1.0, x)) / xp.where(zero, 1.0, x)
    return xp.where(zero, 1.0, xp.where(xp.isinf(x), 0.0, value))


def _spherical_j1(xp, x):
    """j_1(x) = (sin x/x - cos x)/x (odd; 0 at 0 and ±inf)."""
    small = xp.abs(x) < 1
    near, far = xp.where(small, x, 0.0), xp.where(small | xp.isinf(x), 1.0, x)
    by_series = near * _polynomial(xp, _SPHERICAL_J1_SERIES, -near * near / 2)
    by_definition = (xp.sin(far) / far - xp.cos(far)) / far
    return xp.where(small, by_series, xp.where(xp.isinf(x), 0.0, by_definition))


class SphericalBesselJ0(Op):
    """``j_0(x) = sin(x)/x``; d/dx j_0(x) = -j_1(x) = (cos x - j_0(x))/x."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _spherical_j0, x))

    @staticmethod
    def vjp(ctx, g):
        return (-g * apply(SphericalBesselJ1, ctx.inputs[0]),)


class SphericalBesselJ1(Op):
    """``j_1(x) = (sin x/x - cos x)/x``, the derivative's op (computed without cancellation near 0);
    d/dx j_1(x) = j_0(x) - 2·j_1(x)/x, 1/3 at x = 0."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _spherical_j1, x))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        slope = apply(SphericalBesselJ0, x) - ctx.outputs[0] * 2 * _safe_reciprocal(x)
        return (g * where(eq(x, 0), 1 / 3, slope),)


# ------------------------------------------------------------------------------------------------ functions

def bessel_j0(input):
    """The Bessel function of the first kind of order 0, elementwise (even; J_0(0) = 1)."""
    return apply(BesselJ0, _real_floating("bessel_j0", input))


def bessel_j1(input):
    """The Bessel function of the first kind of order 1, elementwise (odd; J_1(0) = 0)."""
    return apply(BesselJ1, _real_floating("bessel_j1", input))


def bessel_y0(input):
    """The Bessel function of the second kind of order 0, elementwise (-inf at 0, NaN for x < 0)."""
    return apply(BesselY0, _real_floating("bessel_y0", input))


def bessel_y1(input):
    """The Bessel function of the second kind of order 1, elementwise (-inf at 0, NaN for x < 0)."""
    return apply(BesselY1, _real_floating("bessel_y1", input))


def modified_bessel_i0(input):
    """``torch.special.modified_bessel_i0``: I_0(x) as ``i0``, but NaN at ±inf, as PyTorch gives it there."""
    x = _real_floating("modified_bessel_i0", input)
    return where(isinf(x), math.nan, i0(x))


def modified_bessel_i1(input):
    """``torch.special.modified_bessel_i1``: I_1(x) as ``i1``, but NaN at ±inf, as PyTorch gives it there."""
    x = _real_floating("modified_bessel_i1", input)
    return where(isinf(x), math.nan, i1(x))


def modified_bessel_k0(input):
    """The modified Bessel function of the second kind of order 0, elementwise (+inf at 0, NaN for x < 0)."""
    return apply(ModifiedBesselK0, _real_floating("modified_bessel_k0", input))


def modified_bessel_k1(input):
    """The modified Bessel function of the second kind of order 1, elementwise (+inf at 0, NaN for x < 0)."""
    return apply(ModifiedBesselK1, _real_floating("modified_bessel_k1", input))


def scaled_modified_bessel_k0(input):
    """``exp(x) * modified_bessel_k0(x)``, elementwise: finite where K_0 underflows (≈ √(π/2x) for large x)."""
    return apply(ScaledModifiedBesselK0, _real_floating("scaled_modified_bessel_k0", input))


def scaled_modified_bessel_k1(input):
    """``exp(x) * modified_bessel_k1(x)``, elementwise: finite where K_1 underflows."""
    return apply(ScaledModifiedBesselK1, _real_floating("scaled_modified_bessel_k1", input))


def spherical_bessel_j0(input):
    """The spherical Bessel function of the first kind of order 0, ``sin(x)/x``, elementwise (1 at 0)."""
    return apply(SphericalBesselJ0, _real_floating("spherical_bessel_j0", input))
