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
from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import sum_to_like
from .cast import cast
from .infer import broadcast_shapes
from .promote import promote
from .special import _lgamma
from .unary import exp
from .elementwise_more import xlogy

__all__ = ["gammainc", "gammaincc", "igamma", "igammac", "reparameterized_gamma"]

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 10000


def _series(xp, a, x):
    """P(a, x) by the series (fast for x < a + 1)."""
    term = 1 / a
    total = term.copy()
    shape = a.copy()
    for _ in range(_MAX_TERMS):
        shape += 1
        term = term * x / shape
        total += term
        if bool(xp.all(xp.abs(term) < xp.abs(total) * _EPS)):
            break
    return total * xp.exp(-x + a * xp.log(x) - _lgamma(xp, a))


def _continued_fraction(xp, a, x):
    """Q(a, x) by the continued fraction (fast for x >= a + 1), with Lentz's method."""
    b = x + 1 - a
    c = xp.full(a.shape, 1 / _TINY)
    d = 1 / b
    h = d.copy()
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
    return xp.exp(-x + a * xp.log(x) - _lgamma(xp, a)) * h


def regularized_gammas(xp, a, x):
    """(P(a, x), Q(a, x)) for float64 arrays (broadcast): each from the formula that converges where it is, the
    other as 1 minus it. NaN where a <= 0 or x < 0 (outside their domain), P = 1 at x = +inf."""
    a, x = xp.broadcast_arrays(xp.asarray(a, dtype=xp.float64), xp.asarray(x, dtype=xp.float64))
    lower, upper = xp.full(a.shape, xp.nan), xp.full(a.shape, xp.nan)
    valid = (a > 0) & (x >= 0)
    series = valid & (x < a + 1)
    fraction = valid & ~series & xp.isfinite(x)
    lower[series] = _series(xp, a[series], x[series])
    upper[series] = 1 - lower[series]
    upper[fraction] = _continued_fraction(xp, a[fraction], x[fraction])
    lower[fraction] = 1 - upper[fraction]
    infinite = valid & xp.isinf(x)
    lower[infinite], upper[infinite] = 1.0, 0.0
    return lower, upper


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


def _incomplete(name, a, x, upper):
    for what, t in (("input", a), ("other", x)):
        if not is_tensor(t):
            raise TypeError(f"{name}(): argument '{what}' must be a tensor, not {type(t).__name__}")
    dtype, (a, x) = promote(name, a, x)
    if dtype.kind == "c":
        raise OpError(f"{name}: expected real tensors, got {describe(a)} and {describe(x)}")
    if dtype.kind != "f":  # integers: the result is a probability, in the default floating dtype
        a, x = cast(a, dtypes.get_default_dtype()), cast(x, dtypes.get_default_dtype())
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
