"""Running products and differences along a dim: ``cumprod`` (y_i = x_0·x_1···x_i) and ``diff``
(y_i = x_(i+1) - x_i, n times). ``cumsum`` lives with the reductions (``reduce.py``).

cumprod's VJP is the interesting part: the textbook formula divides by x, which fails where x has zeros; the VJP
below handles them (see ``Cumprod``). ``diff`` is slicing and subtraction, so its gradient comes from those.
"""
from ..backend import dtypes
from .arithmetic import _conj
from .base import Op, OpError, apply, describe, is_tensor
from .cast import cast
from .combine import cat
from .compare import eq, logical_and, ne, where
from .indexing import getitem
from .infer import normalize_dim, same_spec
from .reduce import Cumsum, _int_to_int64, _is_int, accumulated, check_tensor, cumsum, sum
from .shape import clone

__all__ = ["cumprod", "diff"]


def _reverse_cumsum(v, dim):
    """z_i = v_i + v_(i+1) + ... + v_last along ``dim``."""
    return apply(Cumsum, v, dim=dim, reverse=True)


class Cumprod(Op):
    """y_i = x_0·x_1···x_i along ``dim``.

    y_j depends on x_i (i <= j) through the factor x_i, so dy_j/dx_i = y_j / x_i and
    ``grad_i = Σ_(j >= i) g_j·y_j / x_i`` — a reversed cumsum divided by x. That division breaks down at zeros.
    Let z be the position of the first zero of a slice; then, exactly:

    * i < z: x_i is not 0, and the formula above holds (the terms with j >= z vanish, as y_j = 0 there);
    * i = z: grad_z = Σ_(j >= z) g_j·y'_j, where y' is the cumprod of x with that zero replaced by 1 (the
      product of every factor but x_z);
    * i > z: every term holds the factor x_z = 0, so grad_i = 0. We write it as x_z·Σ_(j >= i) g_j·y'_j / x_i,
      which is 0 but has the right derivative with respect to x_z.

    Everything is written with ops, so the VJP can be differentiated again; like ``prod``'s, that second-order
    gradient is exact wherever a slice has at most one zero.
    """
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dim):
        return x.copy() if x.ndim == 0 else accumulated(xp.cumprod, x, axis=dim)

    @staticmethod
    def vjp(ctx, g):
        x, y, dim = ctx.inputs[0], ctx.outputs[0], ctx.attrs["dim"]
        if x.ndim == 0:
            return (g,)
        zero = eq(x, 0)
        zeros_so_far = cumsum(zero, dim)  # (these masks are constants: comparisons carry no gradient)
        before = eq(zeros_so_far, 0)  # no zero at or before i: i < z
        first = logical_and(zero, eq(zeros_so_far, 1))  # i = z
        x_safe = where(zero, 1.0, x)  # every zero replaced by 1: a safe divisor
        y_skip = cumprod(where(first, 1.0, x), dim)  # y': the first zero replaced by 1
        x_first_zero = sum(x * cast(first, x.dtype), dim, keepdim=True)  # x_z (= 0), kept differentiable
        tail = _reverse_cumsum(g * _conj(y_skip), dim)
        grad = where(before, _reverse_cumsum(g * _conj(y), dim) / _conj(x_safe),
                     where(first, tail, tail * _conj(x_first_zero / x_safe)))
        return (grad,)


def cumprod(input, dim, dtype=None):
    """Running product along ``dim``. Bool and integer inputs give int64, as in PyTorch (``dtype=`` overrides)."""
    check_tensor("cumprod", input)
    if not _is_int(dim):
        raise TypeError(f"cumprod(): dim must be an int, got {dim!r}")
    input = _int_to_int64(input, dtype)
    return apply(Cumprod, input, dim=normalize_dim("cumprod()", int(dim), input.ndim, input))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, repeated ``n`` times (each
    round one entry shorter). ``prepend`` / ``append`` are joined to x along ``dim`` first. For bool tensors the
    difference is ``!=`` (logical xor), as in PyTorch."""
    check_tensor("diff", input)
    if input.ndim == 0:
        raise OpError(f"diff: expects input to be at least one-dimensional, got {describe(input)}")
    if not _is_int(n) or n < 0:
        raise OpError(f"diff: order n must be a non-negative int, got {n!r}")
    dim = normalize_dim("diff()", dim, input.ndim, input)
    extra = [t for t in (prepend, append) if t is not None]
    for t in extra:
        if not is_tensor(t):
            raise TypeError(f"diff: prepend and append must be tensors, got {type(t).__name__}")
        if t.ndim != input.ndim:
            raise OpError(f"diff: expects prepend or append to be the same dimension as input, got {describe(t)} "
                          f"for input {describe(input)}")
    if extra:
        input = cat([t for t in (prepend, input, append) if t is not None], dim)
    if n == 0 and not extra:
        return clone(input)  # a new tensor, as PyTorch's
    before = (slice(None),) * dim
    for _ in range(n):
        if input.shape[dim] == 0:  # nothing left to subtract
            break
        later, earlier = getitem(input, before + (slice(1, None),)), getitem(input, before + (slice(None, -1),))
        input = ne(later, earlier) if input.dtype == dtypes.bool_ else later - earlier
    return input
