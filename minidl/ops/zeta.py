"""The Hurwitz zeta function ``zeta(x, q) = Σ_{k≥0} (q + k)^(-x)`` (``torch.special.zeta``, ``tf.math.zeta``);
q = 1 gives Riemann's ζ(x), and ψ⁽ⁿ⁾(q) = (-1)ⁿ⁺¹ n!·zeta(n + 1, q) links it to ``polygamma``.

The series converges for x > 1, but far too slowly to sum (after N terms the rest is still ≈ N^(1-x)/(x-1)).
The Euler–Maclaurin formula turns the rest into a few terms: sum the first terms directly until w = q + k ≥ 10,
then (once w ≥ x as well, for large x), for the tail from w on,

    Σ_{j≥0} (w + j)^(-x) ≈ w^(1-x)/(x - 1) + w^(-x)/2 + Σ_{m=1..8} B_2m/(2m)! · x(x+1)···(x+2m-2) · w^(-x-2m+1)

(B_2m the Bernoulli numbers). With w ≥ 10 the first term left out is below 1e-16 of the sum; measured against
mpmath the relative error is below 1e-14. Computed in float64 and rounded to the input's dtype.

Outside x > 1 and q > 0 the values are PyTorch's (and the Cephes library's): inf at x = 1 and at the poles
q = 0, -1, -2, ... (where a term is 1/0); NaN for x < 1; for q < 0 between the poles the series is summed as it
is if x is an integer (the powers of negative numbers are real) and NaN otherwise. NaN where x or q is NaN (but inf
at the poles even then), and at q = +inf; for x = +inf, 1 at q = 1, inf for q < 1 and NaN for q > 1 (PyTorch's
formula meets 0·inf there).
"""
import math

from .base import Op, apply, is_tensor
from .broadcast import sum_to_like
from .elementwise_more import _to_float
from .infer import broadcast_infer
from .special import _BERNOULLI, _in_float64

__all__ = ["zeta"]

#: the direct sum runs until q + k reaches this
_SHIFT = 10.0
#: B_2m / (2m)! for m = 1..8: the Euler–Maclaurin coefficients
_EULER_MACLAURIN = [float(b / math.factorial(2 * m)) for m, b in enumerate(_BERNOULLI, 1)]


def _hurwitz_zeta(xp, x, q):
    """zeta(x, q) of two float64 arrays (broadcast), with PyTorch's values outside the domain (module docstring)."""
    x, q = xp.broadcast_arrays(x, q)
    pole = (q <= 0) & (q == xp.floor(q))
    between_poles = (q < 0) & ~pole
    regular = (x > 1) & xp.isfinite(x) & xp.isfinite(q) & ~pole & (~between_poles | (x == xp.floor(x)))
    s, w = xp.where(regular, x, 2.0), xp.where(regular, q, 1.0)
    # the tail's series converges fast only once w ≥ x too (its terms shrink like ((x + 2m)/(2πw))²); for a
    # large x the direct sum reaches float64's precision long before, and an element whose remaining terms add
    # less than 1e-17 of its sum is done (no tail)
    start = xp.maximum(_SHIFT, s)
    total, done = xp.zeros_like(w), xp.zeros(w.shape, dtype=bool)
    while True:
        low = (w < start) & ~done
        if not low.any():
            break
        term = w ** -s
        total = total + xp.where(low, term, 0.0)
        rest = xp.abs(term) * (1 + w / (s - 1))  # bounds what the terms after this one add, once w > 0
        done = done | (low & (w > 0) & (rest <= 1e-17 * xp.abs(total)))
        w = xp.where(low, w + 1, w)
    power = w ** -s
    tail = w * power / (s - 1) + power / 2
    factor = s * power / w  # x(x+1)···(x+2m-2) · w^(-x-2m+1), for m = 1
    for m, coefficient in enumerate(_EULER_MACLAURIN, 1):
        tail = tail + coefficient * factor
        factor = factor * (s + 2 * m - 1) * (s + 2 * m) / (w * w)
    tail = xp.where(done, 0.0, tail)
    value = total + tail
    at_infinity = xp.where(q == 1, 1.0, xp.where(q < 1, xp.inf, xp.nan))  # x = +inf: only the terms (q+k)^-inf
    value = xp.where(regular, value, xp.where((x == xp.inf) & ~xp.isnan(q), at_infinity, xp.nan))
    value = xp.where(pole, xp.inf, value)
    return xp.where(x == 1, xp.inf, xp.where(x < 1, xp.nan, value))


class Zeta(Op):
    """``zeta(x, q)``; d/dq zeta(x, q) = -x·zeta(x + 1, q) (each term's derivative). The derivative with respect
    to x, -Σ ln(q + k)·(q + k)^(-x), has no such closed form and is not implemented (nor in PyTorch, nor TF)."""
    name = "Zeta"
    infer = staticmethod(broadcast_infer("zeta"))

    @staticmethod
    def forward(xp, x, q):
        return _in_float64(xp, lambda xp_, x64, q64: _hurwitz_zeta(xp_, x64, q64.astype(xp_.float64)), x, q)

    @staticmethod
    def vjp(ctx, g):
        x, q = ctx.inputs
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("zeta(x, q): the derivative with respect to x (the first argument, 'input') "
                                      "is not implemented; only q ('other') can be differentiated")
        return None, sum_to_like(-g * x * zeta(x + 1, q), q)


def zeta(input, other):
    """The Hurwitz zeta function ``Σ_{k≥0} (other + k)^(-input)``, elementwise (broadcast); either operand may be a
    number. Integer operands give the default float dtype."""
    if not is_tensor(input) and not is_tensor(other):
        raise TypeError(f"zeta(): expected at least one tensor operand, got {type(input).__name__} and "
                        f"{type(other).__name__}")
    return apply(Zeta, *_to_float("zeta", input, other))
