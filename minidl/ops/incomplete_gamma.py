"""The regularized incomplete gamma functions, and a gamma sample differentiated through its shape parameter.

    P(a, x) = (1/Γ(a)) ∫₀ˣ t^(a-1) e^(-t) dt       ``gammainc`` (PyTorch's ``igamma``): the Gamma(a, 1) cdf
    Q(a, x) = 1 - P(a, x)                          ``gammaincc`` (``igammac``)

Computed in float64 as in Numerical Recipes (§6.2): where x < a + 1, the series

    P = e^(-x) x^a / Γ(a + 1) · Σₙ xⁿ / ((a + 1)(a + 2)···(a + n)),

elsewhere Q by its continued fraction, evaluated with Lentz's method,

    Q = e^(-x) x^a / Γ(a) · 1 / (x + 1 - a - 1·(1 - a) / (x + 3 - a - 2·(2 - a) / (x + 5 - a - ···))),

each where it converges fast; the other function is 1 minus it. ∂P/∂x = x^(a-1) e^(-x) / Γ(a), the gamma
density; ∂P/∂a has no closed form, and is not differentiated (nor in PyTorch).

**A gamma sample with a gradient** (implicit reparameterization, Figurnov et al. 2018). A Gamma(α, 1) draw x is
the solution of P(α, x) = u for a uniform u that does not depend on α; differentiating both sides,
∂P/∂α + ∂P/∂x · dx/dα = 0, so

    dx/dα = -(∂P/∂α)(α, x) / p(x; α).

``ReparameterizedGamma`` passes a draw through unchanged and gives α that gradient, with ∂P/∂α from a central
difference of P in α (a relative step of 1e-5: about ten correct digits, far beyond float32's), taken on Q where
P is near 1 so that the difference is not lost in rounding. It gives ``Gamma``, ``Beta`` and ``Dirichlet`` their
``rsample``.
"""
import numpy

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import sum_to_like
from .infer import broadcast_shapes
from .promote import promote
from .special import _EULER_GAMMA, _lgamma
from .unary import exp
from .elementwise_more import xlogy

__all__ = ["gammainc", "gammaincc", "igamma", "igammac", "reparameterized_gamma"]

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 100000  # enough for a up to about 1e9 (a series needs about √a terms near x = a)


def _series(xp, a, x):
    """P(a, x) by the series (fast for x < a + 1), and whether it converged."""
    term = 1 / a
    total = term.copy()
    shape = a.copy()
    for _ in range(_MAX_TERMS):
        shape += 1
        term = term * x / shape
        total += term
        if bool(xp.all(xp.abs(term) < xp.abs(total) * _EPS)):
            break
    converged = xp.abs(term) < xp.abs(total) * _EPS
    return total * xp.exp(-x + a * xp.log(x) - _lgamma(xp, a)), converged


def _small_shape_upper(xp, a, x):
    """Q(a, x) for a < 1 and x < a + 1, where Q = 1 - P would lose its digits (Q ≈ a E₁(x) is tiny for tiny a).
    With γ(a, x) = Σₙ (-1)ⁿ x^(a+n) / (n! (a + n)), split off its first term x^a / a:

        Q = [1 - x^a / Γ(a + 1)] - x^a / Γ(a) · Σ_{n≥1} (-x)ⁿ / (n! (a + n)),

    the bracket computed as -expm1(a ln x - ln Γ(a + 1)), the sum alternating and short (x < 2)."""
    term = xp.ones_like(x)
    total = xp.zeros_like(x)
    for n in range(1, _MAX_TERMS):
        term = term * -x / n
        part = term / (a + n)
        total += part
        if bool(xp.all(xp.abs(part) <= xp.abs(total) * _EPS)):
            break
    with numpy_errstate(xp):  # (x = 0: log 0 = -inf, and both terms come out exactly)
        exponent = a * xp.log(x) - _lgamma_1p(xp, a)  # log(x^a / Γ(a + 1)); x^a / Γ(a) is a times it
        return -xp.expm1(exponent) - a * xp.exp(exponent) * total


#: ζ(2) .. ζ(6), for ln Γ(1 + a) = -γ a + Σ_{k≥2} (-1)^k ζ(k) a^k / k
_ZETA = (1.6449340668482264, 1.2020569031595942, 1.0823232337111382, 1.0369277551433699, 1.0173430619844491)


def _lgamma_1p(xp, a):
    """ln Γ(1 + a), exact to the last digits also for tiny a, where 1 + a rounds to 1 (then by its series, whose
    terms past a⁶ are below float64's precision for a < 1e-3)."""
    series = -_EULER_GAMMA * a + sum((-1) ** k * zeta / k * a ** k for k, zeta in enumerate(_ZETA, start=2))
    return xp.where(a < 1e-3, series, _lgamma(xp, 1 + a))


def _continued_fraction(xp, a, x):
    """Q(a, x) by the continued fraction (fast for x >= a + 1), with Lentz's method, and whether it converged."""
    b = x + 1 - a
    c = xp.full(a.shape, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    step = xp.zeros_like(h)
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = xp.where(xp.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = xp.where(xp.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        step = d * c
        h = h * step
        if bool(xp.all(xp.abs(step - 1) < _EPS)):
            break
    return xp.exp(-x + a * xp.log(x) - _lgamma(xp, a)) * h, xp.abs(step - 1) < _EPS


def regularized_gammas(xp, a, x):
    """(P(a, x), Q(a, x)) for float64 arrays (broadcast): each from the formula that converges where it is, the
    other as 1 minus it (Q by its own series for a < 1 there). NaN outside the domain (a < 0, x < 0, and where
    neither formula converges: a beyond about 1e9); the limits P = 1 for a = 0 < x and for x = +inf, P = 0 for
    a = +inf, as PyTorch gives them."""
    a, x = xp.broadcast_arrays(xp.asarray(a, dtype=xp.float64), xp.asarray(x, dtype=xp.float64))
    lower, upper = xp.full(a.shape, xp.nan), xp.full(a.shape, xp.nan)
    valid = (a > 0) & xp.isfinite(a) & (x >= 0)
    series = valid & (x < a + 1)
    fraction = valid & ~series & xp.isfinite(x)
    values, converged = _series(xp, a[series], x[series])
    lower[series] = xp.where(converged, values, xp.nan)
    upper[series] = 1 - lower[series]
    small = series & (a < 1)
    upper[small] = _small_shape_upper(xp, a[small], x[small])
    values, converged = _continued_fraction(xp, a[fraction], x[fraction])
    upper[fraction] = xp.where(converged, values, xp.nan)
    lower[fraction] = 1 - upper[fraction]
    for limit, p in ((valid & xp.isinf(x), 1.0), ((a == 0) & (x > 0), 1.0), (xp.isinf(a) & (a > 0) & (x >= 0) &
                                                                           xp.isfinite(x), 0.0)):
        lower[limit], upper[limit] = p, 1 - p
    return lower, upper


def numpy_errstate(xp):
    """numpy's ``errstate`` silencing divide-by-zero and invalid warnings (cupy issues none)."""
    return numpy.errstate(divide="ignore", invalid="ignore")


class Gammainc(Op):
    """P(a, x) (``upper``: Q(a, x)), differentiated in x only (module docstring)."""
    name = "Igamma"
    saves_inputs = (0, 1)

    @staticmethod
    def forward(xp, a, x, upper):
        return regularized_gammas(xp, a, x)[1 if upper else 0].astype(x.dtype)

    @staticmethod
    def vjp(ctx, g):
        a, x = ctx.inputs
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative of gammainc/gammaincc with respect to its first argument "
                                      "(a) is not implemented (nor in PyTorch)")
        density = exp(xlogy(a - 1, x) - x - apply(LgammaOf, a))
        return None, sum_to_like(-g * density if ctx.attrs["upper"] else g * density, x)

    @staticmethod
    def infer(a, x, upper):
        return Spec(broadcast_shapes("gammainc", a.shape, x.shape), x.dtype)


class LgammaOf(Op):
    """log Γ(a) with no gradient (the density in ``Gammainc``'s VJP, where a is not differentiated)."""
    differentiable = False
    forward = staticmethod(lambda xp, a: _lgamma(xp, a.astype(xp.float64)).astype(a.dtype))
    infer = staticmethod(lambda a: a)


def _incomplete(name, input, other, upper):
    for what, t in (("input", input), ("other", other)):
        if not is_tensor(t):
            raise TypeError(f"{name}(): argument '{what}' must be a tensor, not {type(t).__name__}")
    dtype, (a, x) = promote(name, input, other)
    if dtype.kind == "c":
        raise OpError(f"{name}: expected real tensors, got {describe(a)} and {describe(x)}")
    if dtype.kind != "f":  # integers: the result is a probability, in the default floating dtype (converted from
        _, (a, x) = promote(name, input, other, dtype=dtypes.get_default_dtype())  # the values given, not wrapped)
    return apply(Gammainc, a, x, upper=upper)


def gammainc(input, other):
    """The regularized lower incomplete gamma function P(a=input, x=other) (module docstring)."""
    return _incomplete("gammainc", input, other, upper=False)


def gammaincc(input, other):
    """The regularized upper incomplete gamma function Q(a=input, x=other) = 1 - P(a, x)."""
    return _incomplete("gammaincc", input, other, upper=True)


igamma, igammac = gammainc, gammaincc


# --------------------------------------------------------------------------- gamma samples with a gradient

class ReparameterizedGamma(Op):
    """``draws`` (Gamma(α, 1) samples) passed through unchanged; α gets dx/dα = -(∂P/∂α) / p(x; α)."""
    differentiable_inputs = (0,)
    saves_inputs = (0, 1)
    forward = staticmethod(lambda xp, alpha, draws: draws.copy())

    @staticmethod
    def vjp(ctx, g):
        alpha, draws = ctx.inputs
        return sum_to_like(g * apply(GammaSampleSlope, alpha, draws), alpha), None

    infer = staticmethod(lambda alpha, draws: draws)


class GammaSampleSlope(Op):
    """dx/dα of a Gamma(α, 1) sample x (module docstring); 0 where it cannot be resolved (x underflowed)."""
    differentiable = False

    @staticmethod
    def forward(xp, alpha, x):
        a, s = xp.broadcast_arrays(alpha.astype(xp.float64), x.astype(xp.float64))
        step = 1e-5 * a
        lower, upper = regularized_gammas(xp, a, s)
        lower_up, upper_up = regularized_gammas(xp, a + step, s)
        lower_down, upper_down = regularized_gammas(xp, a - step, s)
        # dP/dα, differenced on whichever of P and Q = 1 - P is small (so not lost in rounding)
        d_lower = xp.where(lower < 0.5, lower_up - lower_down, upper_down - upper_up) / (2 * step)
        density = xp.exp((a - 1) * xp.log(s) - s - _lgamma(xp, a))
        slope = -d_lower / density
        return xp.where(xp.isfinite(slope), slope, 0).astype(x.dtype)

    infer = staticmethod(lambda alpha, x: x)


def reparameterized_gamma(alpha, draws):
    """``draws`` (Gamma(``alpha``, 1) samples, shaped like the sample) with a gradient for ``alpha``."""
    return apply(ReparameterizedGamma, alpha, draws)
