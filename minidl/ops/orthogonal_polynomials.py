"""The classical orthogonal polynomials of ``torch.special``: Chebyshev's T, U, V, W (and their shifted forms on
[0, 1]), Hermite's H (physicists') and He (probabilists'), Laguerre's L and Legendre's P, each ``f(input, n)`` of
degree n at x = input.

Every family starts from y_0 = 1 and a first-degree y_1, and climbs by a three-term recurrence

    d_k · y_(k+1) = (a_k·x + b_k) · y_k - c_k · y_(k-1)        (k ≥ 1)

    family   y_1       a_k      b_k       c_k   d_k
    T        x         2        0         1     1
    U        2x        2        0         1     1
    V        2x - 1    2        0         1     1
    W        2x + 1    2        0         1     1
    H        2x        2        0         2k    1
    He       x         1        0         k     1
    L        1 - x     -1       2k + 1    k     k + 1
    P        x         2k + 1   0         k     k + 1

(A&S 22.7); a shifted Chebyshev polynomial is the plain one at 2x - 1. This is how PyTorch computes them too, so
the values agree with its to the rounding, also where they overflow (inf, or NaN where inf - inf meets). For
|2x - 1| < 1 (shifted) or |x| < 1 and n > 6, PyTorch evaluates the Chebyshev kinds by their closed forms in
θ = arccos x instead, and so does this file: T_n = cos nθ, U_n = sin((n+1)θ)/sin θ, V_n = cos((n+½)θ)/cos(θ/2),
W_n = sin((n+½)θ)/sin(θ/2) — n steps of the recurrence are then not needed, however large n is.

The degree n is a tensor or a number like x (they broadcast); it is truncated toward zero, and a negative, NaN or
infinite n gives the polynomial 0, as in PyTorch. Where x is NaN the result is NaN from degree 1 on (PyTorch's
Legendre returns an uninitialized value there).

Derivatives: PyTorch gives none. Here the m-th derivative in x is the same op with ``derivative=m``: differentiating
the recurrence m times (the factor a_k·x + b_k is linear, so Leibniz's rule has two terms) gives

    d_k · y_(k+1)^(m) = (a_k·x + b_k) · y_k^(m) + m·a_k · y_k^(m-1) - c_k · y_(k-1)^(m),

run alongside the lower derivatives; the chain rule adds 2^m for the shifted kinds. The VJP of derivative m is
derivative m + 1, so gradients of any order work. Those run the recurrence, n steps for degree n
(so up to degree 100 000; beyond, they are refused). There is no
derivative with respect to n (the polynomials are defined at integer degrees only).
"""
from collections import namedtuple

from .base import Op, OpError, Spec, apply, is_tensor
from .broadcast import sum_to_like
from .elementwise_more import _to_float
from .infer import broadcast_shapes

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]

#: one family's recurrence (module docstring): y_1 = first_slope·x + first_offset, and step(k) -> (a, b, c, d)
Family = namedtuple("Family", "first_slope first_offset step shifted closed_form")


def _chebyshev_step(k):
    return 2, 0, 1, 1


def _closed_chebyshev(kind):
    """The closed form of Chebyshev's ``kind`` for |x| < 1, in θ = arccos x and the degree n (arrays)."""
    def closed_form(xp, theta, n):
        if kind == "t":
            return xp.cos(n * theta)
        if kind == "u":
            return xp.sin((n + 1) * theta) / xp.sin(theta)
        if kind == "v":
            return xp.cos((n + 0.5) * theta) / xp.cos(theta / 2)
        return xp.sin((n + 0.5) * theta) / xp.sin(theta / 2)
    return closed_form


_CHEBYSHEV_FIRST = {"t": (1, 0), "u": (2, 0), "v": (2, -1), "w": (2, 1)}
FAMILIES = {}
for _kind, (_slope, _offset) in _CHEBYSHEV_FIRST.items():
    for _shifted in (False, True):
        FAMILIES[f"{'shifted_' if _shifted else ''}chebyshev_polynomial_{_kind}"] = Family(
            _slope, _offset, _chebyshev_step, _shifted, _closed_chebyshev(_kind))
FAMILIES.update({
    "hermite_polynomial_h": Family(2, 0, lambda k: (2, 0, 2 * k, 1), False, None),
    "hermite_polynomial_he": Family(1, 0, lambda k: (1, 0, k, 1), False, None),
    "laguerre_polynomial_l": Family(-1, 1, lambda k: (-1, 2 * k + 1, k, k + 1), False, None),
    "legendre_polynomial_p": Family(1, 0, lambda k: (2 * k + 1, 0, k, k + 1), False, None),
})

#: below this degree the Chebyshev kinds climb the recurrence even for |x| < 1 (PyTorch's switch)
_CLOSED_FORM_FROM = 7
#: the highest degree whose derivatives are computed (by the recurrence of derivatives)
_MAX_DERIVATIVE_DEGREE = 100_000


def _polynomial(xp, x, n, family, derivative):
    """The ``derivative``-th derivative of ``family``'s polynomial of degree n at x (float64, broadcast)."""
    rule = FAMILIES[family]
    x, n = xp.broadcast_arrays(x, n.astype(xp.float64))
    if rule.shifted:
        x = x + x - 1
    degree = xp.trunc(xp.where(xp.isfinite(n), n, -1.0))  # -1: the polynomial 0
    degree = xp.where(degree >= 0, degree, -1.0)
    closed = xp.zeros(x.shape, dtype=bool)
    if rule.closed_form is not None and derivative == 0:
        closed = (xp.abs(x) < 1) & (degree >= _CLOSED_FORM_FROM)
    climbing = xp.where(closed, -1.0, degree)
    top = int(climbing.max()) if climbing.size else -1
    if derivative and top > _MAX_DERIVATIVE_DEGREE:  # n Python-level steps: a huge degree would never finish
        raise OpError(f"{family}: derivatives are computed by climbing the recurrence, one step per degree, and "
                      f"degree {top} is beyond the {_MAX_DERIVATIVE_DEGREE} this allows (PyTorch has no gradient "
                      f"for it at all)")
    m = derivative
    # derivatives 0..m of y_(k-1) and y_k; degree 0: the constant 1
    previous, current = None, [xp.ones_like(x)] + [xp.zeros_like(x)] * m
    result = xp.where(climbing == 0, current[m], 0.0)
    if top >= 1:
        first = [rule.first_slope * x + rule.first_offset, xp.full_like(x, rule.first_slope)]
        previous, current = current, (first + [xp.zeros_like(x)] * m)[:m + 1]
        result = xp.where(climbing == 1, current[m], result)
    for k in range(1, top):
        a, b, c, d = rule.step(k)
        factor = a * x + b
        following = [(factor * current[j] + (j * a * current[j - 1] if j else 0.0) - c * previous[j]) / d
                     for j in range(m + 1)]
        previous, current = current, following
        result = xp.where(climbing == k + 1, current[m], result)
    if closed.any():
        theta = xp.arccos(xp.where(closed, x, 0.0))
        result = xp.where(closed, rule.closed_form(xp, theta, degree), result)
    return result * 2.0 ** m if rule.shifted else result


class OrthogonalPolynomial(Op):
    """The ``derivative``-th derivative in x of the ``family`` polynomial of degree n (module docstring);
    d/dx of derivative m is derivative m + 1."""
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, x, n, family, derivative):
        return _polynomial(xp, x.astype(xp.float64), n, family, derivative).astype(x.dtype, copy=False)

    @staticmethod
    def infer(x, n, family, derivative):
        return Spec(broadcast_shapes(family, x.shape, n.shape), x.dtype)

    @staticmethod
    def vjp(ctx, g):
        x, n = ctx.inputs
        family, derivative = ctx.attrs["family"], ctx.attrs["derivative"]
        if ctx.needs_input_grad[1]:
            raise NotImplementedError(f"{family}(input, n): the derivative with respect to n (the degree) is not "
                                      f"implemented; only input can be differentiated")
        slope = apply(OrthogonalPolynomial, x, n, family=family, derivative=derivative + 1)
        return sum_to_like(g * slope, x), None


def _family_function(family, description):
    def polynomial(input, n):
        if not is_tensor(input) and not is_tensor(n):
            raise TypeError(f"{family}(): expected input or n to be a tensor, got {type(input).__name__} and "
                            f"{type(n).__name__}")
        x, degree = _to_float(family, input, n)
        return apply(OrthogonalPolynomial, x, degree, family=family, derivative=0)
    polynomial.__name__ = polynomial.__qualname__ = family
    polynomial.__doc__ = (f"{description} of degree ``n`` at ``input``, elementwise (the two broadcast; either may "
                          f"be a number). n is truncated toward zero; a negative, NaN or infinite n gives 0.")
    return polynomial


chebyshev_polynomial_t = _family_function("chebyshev_polynomial_t", "The Chebyshev polynomial of the first kind T")
chebyshev_polynomial_u = _family_function("chebyshev_polynomial_u", "The Chebyshev polynomial of the second kind U")
chebyshev_polynomial_v = _family_function("chebyshev_polynomial_v", "The Chebyshev polynomial of the third kind V")
chebyshev_polynomial_w = _family_function("chebyshev_polynomial_w", "The Chebyshev polynomial of the fourth kind W")
shifted_chebyshev_polynomial_t = _family_function("shifted_chebyshev_polynomial_t", "T*(x) = T(2x - 1)")
shifted_chebyshev_polynomial_u = _family_function("shifted_chebyshev_polynomial_u", "U*(x) = U(2x - 1)")
shifted_chebyshev_polynomial_v = _family_function("shifted_chebyshev_polynomial_v", "V*(x) = V(2x - 1)")
shifted_chebyshev_polynomial_w = _family_function("shifted_chebyshev_polynomial_w", "W*(x) = W(2x - 1)")
hermite_polynomial_h = _family_function("hermite_polynomial_h", "The (physicists') Hermite polynomial H")
hermite_polynomial_he = _family_function("hermite_polynomial_he", "The (probabilists') Hermite polynomial He")
laguerre_polynomial_l = _family_function("laguerre_polynomial_l", "The Laguerre polynomial L")
legendre_polynomial_p = _family_function("legendre_polynomial_p", "The Legendre polynomial P")
