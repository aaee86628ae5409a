"""More elementwise functions: the error function ``erf``, its complement ``erfc`` and its inverse ``erfinv``;
the gamma function's logarithm ``lgamma``, its multivariate form ``mvlgamma``, and its derivatives ``digamma`` and
``polygamma``; ``nan_to_num`` (replace NaN and infinities by numbers) and ``lerp`` (linear interpolation).

numpy has none of these special functions. ``activations.py`` sums erf for gelu (``_erfc``, and ``_erf`` from the
same expansions), and the ops here use those; the gamma family is summed here, in float64 whatever the input's
dtype (the series need its digits), and rounded back to that dtype at the end.
"""
import math

from fractions import Fraction

from ..backend import dtypes
from .activations import _erf, _erfc
from .arithmetic import _conj
from .base import Op, OpError, apply, describe, is_tensor
from .broadcast import sum_to_like
from .compare import where_grad
from .infer import broadcast_infer, same_spec
from .opmath import float16_in_float32
from .promote import promote
from .unary import _floating, _real, _tensor, exp, isfinite

__all__ = ["erf", "erfc", "erfinv", "lgamma", "mvlgamma", "digamma", "polygamma", "nan_to_num", "lerp"]

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# ------------------------------------------------------------------------------------------- error function

class Erf(Op):
    """``erf(x) = 2/√π ∫₀ˣ e^(-t²) dt``; d/dx erf(x) = 2/√π · e^(-x²)."""
    forward = staticmethod(lambda xp, x: _erf(xp, x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(-x * x) * _TWO_OVER_SQRT_PI,)


class Erfc(Op):
    """``erfc(x) = 1 - erf(x)``, accurate in the far tail where 1 - erf(x) would have no digits left;
    d/dx erfc(x) = -2/√π · e^(-x²)."""
    forward = staticmethod(lambda xp, x: _erfc(xp, x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(-x * x) * -_TWO_OVER_SQRT_PI,)


def _real_floating(op_name, x):
    return _floating(op_name, _real(op_name, x))


def erf(input):
    """The error function, elementwise (bool and integer tensors become the default float dtype)."""
    return apply(Erf, _real_floating("erf", input))


def erfc(input):
    """The complementary error function ``1 - erf(x)``, elementwise."""
    return apply(Erfc, _real_floating("erfc", input))

class Erfinv(Op):
    """``erfinv(y)``, the x with erf(x) = y, for -1 < y < 1 (±inf at ±1, NaN beyond);
    d/dy erfinv(y) = 1 / erf'(x) = √π/2 · e^(x²) with x = erfinv(y), so the VJP reads the output."""
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, y):
        return _in_float64(xp, _erfinv, y)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.outputs[0]
        return (g * exp(x * x) * (math.sqrt(math.pi) / 2),)


def _erfinv(xp, y):
    """Solve erf(x) = |y| by Newton's method, then give x y's sign (erfinv is odd).

    The start is Winitzki's closed form ``x₀ = √(√(b² - ℓ/a) - b)`` with ℓ = ln(1 - y²), b = 2/(πa) + ℓ/2 and
    a = 0.147 (relative error below 2e-3); each Newton step ``x ← x - (erf(x) - y) / erf'(x)`` about squares the
    error, so four reach float64's precision even in the far tail (y = 1 - 1e-16), where three are not enough.
    The residual erf(x) - y is computed as ``(1 - y) - erfc(x)`` for y ≥ 1/2, where erf(x) is so close to 1 that
    subtracting two such numbers would keep few correct digits.
    """
    target = xp.abs(y)
    log_1my2 = xp.log((1 - target) * (1 + target))  # ln(1 - y²) without rounding 1 - y² near y = ±1
    b = 2 / (math.pi * 0.147) + log_1my2 / 2
    x = xp.sqrt(xp.sqrt(b * b - log_1my2 / 0.147) - b)
    upper = target >= 0.5
    for _ in range(4):
        residual = xp.where(upper, (1 - target) - _erfc(xp, x), _erf(xp, x) - target)
        x = x - residual * (math.sqrt(math.pi) / 2) * xp.exp(x * x)
    x = xp.where(target == 1, xp.inf, x)  # Newton's step is inf·0 there
    return xp.where(y < 0, -x, x)


def erfinv(input):
    """The inverse error function, elementwise: ``erfinv(erf(x)) = x``; ±inf at ±1, NaN outside [-1, 1]."""
    return apply(Erfinv, _real_floating("erfinv", input))


# ------------------------------------------------------------------------ the gamma function and its derivatives
#
# Γ(x) = ∫₀^∞ t^(x-1) e^(-t) dt extends the factorial (Γ(n+1) = n!) and grows too fast to hold in a float, so
# one works with its logarithm. All three functions are computed the same way:
#
# 1. reflection, for x < 0: Γ(x)·Γ(1-x) = π / sin(πx) maps x to 1 - x > 1;
# 2. recurrence: Γ(x+1) = x·Γ(x) climbs from x to z = x + k ≥ a threshold, summing one term per step;
# 3. an asymptotic series in 1/z, whose terms are tiny once z is large.

#: Bernoulli numbers B₂, B₄, ..., B₁₆: the coefficients of the asymptotic series
_EULER_GAMMA = 0.5772156649015329  # γ, the Euler–Mascheroni constant

_BERNOULLI = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
              Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510)]
#: climb to z ≥ 10 (+ n for polygamma(n)): the first term left out of each series is then below 1e-16 relative
_THRESHOLD = 10
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _in_float64(xp, function, x, *args):
    """``function`` evaluated in float64 and rounded to x's dtype."""
    return function(xp, x.astype(xp.float64, copy=False), *args).astype(x.dtype, copy=False)


def _climb(xp, x, threshold, term):
    """The recurrence: returns z = x + k, the first such ≥ threshold (k = 0 if x already is), and
    Σ_{j<k} term(x + j). Every element takes the same number of loop steps; those already high just stop moving."""
    z, total = x, xp.zeros_like(x)
    for _ in range(threshold):
        low = z < threshold
        total = total + xp.where(low, term(z), 0)
        z = xp.where(low, z + 1, z)
    return z, total


def _in_powers(xp, coefficients, w):
    """Σ_k c_k w^k for k = 1, 2, ... (Horner's scheme; no constant term)."""
    total = xp.zeros_like(w)
    for c in reversed(coefficients):
        total = (total + c) * w
    return total


def _pi_x_fraction(xp, x, reflect):
    """π·r with r = x - round(x) in [-1/2, 1/2], for the reflection formulas: sin(πx) = ±sin(πr) and
    cot(πx) = cot(πr), and subtracting the integer first is exact, whereas π·x for large x would already have
    lost the fraction to rounding. Elements not ``reflect``ed get r = 1/2, a harmless stand-in (their result
    is discarded; an integer there would only raise divide-by-zero warnings)."""
    return math.pi * xp.where(reflect, x - xp.round(x), 0.5)


def _split(xp, v):
    """v = hi + lo, each with at most 26 significant bits (Dekker's splitting, by (2^27 + 1)·v), so that products
    of the halves are exact. Values near the overflow threshold are split at a smaller scale (2^-28 v: exact)."""
    big = xp.abs(v) > 2.0 ** 996
    v = xp.where(big, v * 2.0 ** -28, v)
    c = (2.0 ** 27 + 1) * v
    hi = c - (c - v)
    scale = xp.where(big, 2.0 ** 28, 1.0)
    return hi * scale, (v - hi) * scale


def _two_product(xp, a, b):
    """(p, e) with p = fl(a·b) and a·b = p + e exactly (Dekker): the digits a product rounds away, for the
    arguments of exp, sin and cos that must be known to better than a float64 (the phase ζ = ⅔x^(3/2) of the
    Airy functions, πx²/2 of the Fresnel integrals)."""
    p = a * b
    a_hi, a_lo = _split(xp, a)
    b_hi, b_lo = _split(xp, b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _lgamma(xp, x):
    """ln|Γ(x)|.

    * x ≥ 0: climb to z ≥ 10 with ln Γ(x) = ln Γ(z) - Σ ln(x + j), then Stirling's series
      ln Γ(z) = (z - ½)(ln z - 1) - ½ + ½ ln 2π + Σ_k B₂ₖ / (2k(2k-1) z^(2k-1)).
    * x < 0: reflection, ln|Γ(x)| = ln π - ln|sin πx| - ln Γ(1 - x).
    * poles (0 and the negative integers) and ±inf give +inf.
    """
    pole = ((x <= 0) & (x == xp.floor(x))) | xp.isinf(x)
    x = xp.where(xp.isinf(x), 1.0, x)  # (the series never sees an infinity: no inf·0 warnings)
    reflect = x < 0
    y = xp.where(reflect, 1 - x, x)
    z, log_steps = _climb(xp, y, _THRESHOLD, xp.log)
    series = _in_powers(xp, [float(b / (2 * k * (2 * k - 1))) for k, b in enumerate(_BERNOULLI, 1)], 1 / (z * z))
    stirling = (z - 0.5) * (xp.log(z) - 1) - 0.5 + _HALF_LOG_2PI + series * z  # series·z: the powers are odd
    positive = stirling - log_steps
    reflected = math.log(math.pi) - xp.log(xp.abs(xp.sin(_pi_x_fraction(xp, x, reflect)))) - positive
    return xp.where(pole, xp.inf, xp.where(reflect, reflected, positive))


def _cot_derivative(n):
    """Integer coefficients (lowest power first) of the polynomial Pₙ with dⁿ/duⁿ cot u = Pₙ(cot u).

    P₀(c) = c, and since d/du cot u = -(1 + cot² u), the chain rule gives P_{n+1}(c) = -(1 + c²) Pₙ'(c).
    """
    p = [0, 1]
    for _ in range(n):
        derivative = [i * p[i] for i in range(1, len(p))]
        p = [0] * (len(derivative) + 2)
        for i, d in enumerate(derivative):
            p[i] -= d
            p[i + 2] -= d
    return p


def _polygamma(xp, x, n):
    """ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ ln Γ(x); n = 0 is the digamma function ψ.

    * x ≥ 0: climb to z ≥ 10 + n with ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (-1)ⁿ⁺¹ n! / xⁿ⁺¹, then the asymptotic series
      ψ⁽ⁿ⁾(z) = L + (-1)ⁿ⁺¹ [n! / (2zⁿ⁺¹) + Σ_k B₂ₖ (2k+n-1)! / ((2k)! z^(2k+n))],
      with L = ln z for n = 0 and (-1)ⁿ⁺¹ (n-1)! / zⁿ for n ≥ 1.
    * x < 0: the reflection ψ(1 - x) - ψ(x) = π cot πx, differentiated n times:
      ψ⁽ⁿ⁾(x) = (-1)ⁿ ψ⁽ⁿ⁾(1 - x) - πⁿ⁺¹ Pₙ(cot πx) (Pₙ from ``_cot_derivative``).
    * at the negative integers: +inf for odd n (ψ⁽ⁿ⁾ goes to +inf from both sides), NaN for even n (it goes to
      opposite infinities); at ±0 the sign of zero picks the side: ψ(+0) = -inf, ψ(-0) = +inf.
    """
    sign = (-1) ** (n + 1)
    reflect = x < 0
    y = xp.where(reflect, 1 - x, x)
    z, steps = _climb(xp, y, _THRESHOLD + n, lambda t: t ** -(n + 1))
    coefficients = [float(b * Fraction(math.factorial(2 * k + n - 1), math.factorial(2 * k)))
                    for k, b in enumerate(_BERNOULLI, 1)]
    tail = (math.factorial(n) / 2) / z ** (n + 1) + _in_powers(xp, coefficients, 1 / (z * z)) / z ** n
    leading = xp.log(z) if n == 0 else sign * math.factorial(n - 1) / z ** n
    positive = leading + sign * (tail + math.factorial(n) * steps)
    cot = 1 / xp.tan(_pi_x_fraction(xp, x, reflect))
    cot_derivative = xp.zeros_like(x)
    for c in reversed(_cot_derivative(n)):
        cot_derivative = cot_derivative * cot + c
    reflected = (-1) ** n * positive - math.pi ** (n + 1) * cot_derivative
    pole = reflect & (x == xp.floor(x)) & xp.isfinite(x)
    return xp.where(pole, xp.inf if n % 2 else xp.nan, xp.where(reflect, reflected, positive))


class Lgamma(Op):
    """``ln|Γ(x)|``; d/dx ln|Γ(x)| = Γ'(x)/Γ(x) = ψ(x), the digamma function."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _lgamma, x))

    @staticmethod
    def vjp(ctx, g):
        return (g * digamma(ctx.inputs[0]),)


class Digamma(Op):
    """``ψ(x) = d/dx ln Γ(x)``; dψ/dx = ψ⁽¹⁾(x), the trigamma function ``polygamma(1, x)``."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: _in_float64(xp, _polygamma, x, 0))

    @staticmethod
    def vjp(ctx, g):
        return (g * polygamma(1, ctx.inputs[0]),)


class Polygamma(Op):
    """``ψ⁽ⁿ⁾(x) = dⁿ/dxⁿ ψ(x)``; its derivative is ψ⁽ⁿ⁺¹⁾(x)."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x, n: _in_float64(xp, _polygamma, x, n))

    @staticmethod
    def vjp(ctx, g):
        return (g * polygamma(ctx.attrs["n"] + 1, ctx.inputs[0]),)


def lgamma(input):
    """``ln|Γ(x)|`` elementwise (Γ(n + 1) = n!, so ``lgamma(n + 1)`` is ln n!); +inf at 0 and the negative
    integers, where Γ has poles."""
    return apply(Lgamma, _real_floating("lgamma", input))


def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension p, elementwise:
    ``ln Γ_p(x) = p(p-1)/4 · ln π + Σ_{j<p} ln Γ(x - j/2)`` (the normalizer of the Wishart distribution; p = 1 is
    ``lgamma``). Defined for x > (p - 1)/2; below, as in PyTorch, it is the same sum of ln|Γ|."""
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise OpError(f"mvlgamma: p has to be greater than or equal to 1, got {p!r}")
    x = _real_floating("mvlgamma", input)
    return sum(lgamma(x - j / 2) for j in range(p)) + p * (p - 1) / 4 * math.log(math.pi)


def digamma(input):
    """The digamma function ``ψ(x) = d/dx ln Γ(x) = Γ'(x)/Γ(x)`` elementwise (ψ(1) = -γ, Euler's constant)."""
    return apply(Digamma, _real_floating("digamma", input))


def polygamma(n, x):
    """The n-th derivative of the digamma function, ``ψ⁽ⁿ⁾(x)``, elementwise (n = 0 is ``digamma``, n = 1 the
    trigamma function). PyTorch's argument order: the order ``n`` first."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise OpError(f"polygamma(n, x) does not support negative n (got n = {n})")
    x = _real_floating("polygamma", x)
    return apply(Digamma, x) if n == 0 else apply(Polygamma, x, n=n)


class PolygammaOfOrders(Op):
    """``ψ⁽ⁿ⁾(x)`` with a tensor of orders ``n`` (floats holding whole numbers) broadcast against ``x``: each
    distinct order present is summed once by ``_polygamma`` and placed where it occurs. An order that is negative
    or not a whole number gives NaN. d/dx = ψ⁽ⁿ⁺¹⁾(x), this op again; the orders get no gradient."""
    infer = staticmethod(broadcast_infer("polygamma"))

    @staticmethod
    def forward(xp, n, x):
        n, x = xp.broadcast_arrays(n, x)
        out = xp.full(x.shape, xp.nan, dtype=x.dtype)
        valid = (n >= 0) & (n == xp.floor(n))
        for order in sorted({int(v) for v in xp.unique(n[valid]).tolist()}):
            out = xp.where(n == order, _in_float64(xp, _polygamma, x, order), out)
        return out

    @staticmethod
    def vjp(ctx, g):
        n, x = ctx.inputs
        return None, sum_to_like(g * apply(PolygammaOfOrders, n + 1, x), x)


def polygamma_of_orders(n, x):
    """``ψ⁽ⁿ⁾(x)`` elementwise for a floating point tensor of orders ``n`` that broadcasts with ``x`` (TF's
    ``polygamma(a, x)``); NaN where an order is negative or not a whole number. Not in ``__all__``: PyTorch has
    no such function, so the eager front-end does not show it."""
    dtype, (n, x) = promote("polygamma", n, x)
    if not dtypes.is_floating_point(dtype):
        raise TypeError(f"polygamma: orders and x must be floating point tensors, got {describe(n)} and "
                        f"{describe(x)}")
    return apply(PolygammaOfOrders, n, x)


# ---------------------------------------------------------------------------------------------- nan_to_num

class NanToNum(Op):
    """``x`` with NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (None: the largest / lowest
    finite value of the dtype). The gradient passes where x was finite; a replaced entry is a constant (0)."""
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, nan, posinf, neginf):
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def vjp(ctx, g):
        return (where_grad(g, isfinite(ctx.inputs[0]), True),)


def _number_or_none(op_name, what, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TypeError(f"{op_name}: {what} must be a number or None, got {type(value).__name__}")
    return None if value is None else float(value)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` (default 0), +inf by ``posinf`` and -inf by ``neginf`` (default: the largest and
    lowest finite numbers of x's dtype). Integer and bool tensors have neither and come back as a copy."""
    _tensor("nan_to_num", input)
    return apply(NanToNum, input, nan=_number_or_none("nan_to_num", "nan", nan),
                 posinf=_number_or_none("nan_to_num", "posinf", posinf),
                 neginf=_number_or_none("nan_to_num", "neginf", neginf))


# ---------------------------------------------------------------------------------------------------- lerp

class Lerp(Op):
    """``input + weight · (end - input)``, computed as PyTorch does: from input's side where |weight| < 0.5, from
    end's side, ``end - (end - input) · (1 - weight)``, elsewhere. The second form gives ``end`` exactly at weight
    1 (``3 + 1·(1e-8 - 3)`` rounds to 0) and keeps an infinite ``input`` infinite (``-inf + 0.6·inf`` is NaN).

    d/dinput = 1 - weight, d/dend = weight, d/dweight = end - input (conjugated for complex values, PyTorch's
    convention): the same for both forms, and written out so that an infinite entry on the side not taken gives
    no 0·inf = NaN."""
    infer = staticmethod(broadcast_infer("lerp"))

    @staticmethod
    @float16_in_float32
    def forward(xp, input, end, weight):
        difference = end - input
        return xp.where(abs(weight) < 0.5, input + weight * difference, end - difference * (1 - weight))

    @classmethod
    def inputs_to_save(cls, needs_input_grad):
        need_input, need_end, need_weight = needs_input_grad
        return ((2,) if need_input or need_end else ()) + ((0, 1) if need_weight else ())

    @staticmethod
    def vjp(ctx, g):
        input, end, weight = ctx.inputs
        need_input, need_end, need_weight = ctx.needs_input_grad
        return (sum_to_like(g * _conj(1 - weight), input) if need_input else None,
                sum_to_like(g * _conj(weight), end) if need_end else None,
                sum_to_like(g * _conj(end - input), weight) if need_weight else None)


def lerp(input, end, weight):
    """Linear interpolation ``input + weight · (end - input)``: ``input`` at weight 0, exactly ``end`` at weight 1.

    ``weight`` is a number or a tensor; all three broadcast together. Only floating point (and complex) tensors,
    as in PyTorch.
    """
    return apply(Lerp, *_lerp_operands(input, end, weight))


def lerp_term(input, end, weight):
    """``weight · (end - input)``: what ``lerp_`` adds to ``input`` in place when nothing is recorded. That is
    lerp's form for |weight| < 0.5 (the optimizers' moving averages); from 0.5 on, ``Lerp`` computes from end's
    side and ``input + lerp_term`` can round differently."""
    input, end, weight = _lerp_operands(input, end, weight)
    return weight * (end - input)


def _lerp_operands(input, end, weight):
    """lerp's three operands, checked and promoted to one dtype."""
    if not is_tensor(input) or not is_tensor(end):
        raise TypeError(f"lerp(): input and end must be tensors, got {type(input).__name__} and "
                        f"{type(end).__name__}")
    if not dtypes.is_differentiable(dtypes.result_type(input, end)):
        raise TypeError(f"lerp: not implemented for {describe(input)} and {describe(end)}; interpolate floating "
                        "point tensors")
    return promote("lerp", input, end, weight)[1]
