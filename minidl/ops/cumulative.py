"""Running products and differences along a dim: ``cumprod`` (y_i = x_0·x_1···x_i) and ``diff``
(y_i = x_(i+1) - x_i, n times), and ``product_of_the_others``, prod's derivative built from running products.
``cumsum`` lives with the reductions (``reduce.py``).

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
from .shape import clone, flip, reshape, reshape_like

__all__ = ["cumprod", "diff"]


def product_of_the_others(x, dims):
    """Each entry of ``x`` replaced by the product of the *other* entries of its slice over ``dims`` (sorted; None:
    all dims) — the derivative of ``prod`` with respect to that entry.

    Along one dim it is the product of the entries before times the product of those after: two running products
    (from the front, and from the back by flipping), shifted by one. Nothing is divided, so it is exact however
    many zeros the slice holds, and, being made of ops (cumprod's), differentiable again. Over several dims the
    slice splits into fibres along the last dim: the product of everything but one entry is the product of the
    others in its fibre times the product of the other fibres — the same question, one dim fewer, asked of the
    fibres' products.
    """
    from .reduce import Prod, _reduce
    if dims is None:   # a rank unknown until run time: over every entry, as one flat slice
        return reshape_like(product_of_the_others(reshape(x, (-1,)), (0,)), x)
    if not dims:
        return x * 0 + 1
    *outer, last = dims
    others = _running_product_before(x, last) * flip(_running_product_before(flip(x, (last,)), last), (last,))
    if outer:
        others = others * product_of_the_others(_reduce(Prod, x, (last,), True), tuple(outer))
    return others


def _running_product_before(x, dim):
    """[1, x_0, x_0·x_1, ...] along ``dim``: the product of the entries before each one."""
    first = [slice(None)] * dim + [slice(0, 1)]
    all_but_last = [slice(None)] * dim + [slice(None, -1)]
    return cat([getitem(x, tuple(first)) * 0 + 1, getitem(cumprod(x, dim), tuple(all_but_last))], dim)


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
    * i > z: every term holds the factor x_z = 0, so grad_i = 0. We write it as x_z·F_i, which is 0 but has the
      right derivative with respect to x_z: F_i = Σ_(j >= i) g_j·∏_(k <= j, k != i, z) x_k, the same gradient
      for the sequence x' with x_z replaced by 1 — computed by these very rules, so that F is exact however many
      zeros follow.

    Everything is written with ops, so the VJP can be differentiated again. Its second derivatives are exact with
    any number of zeros; F itself writes its own "i > z" case with a plain division (one level of the rules, not
    a recursion as deep as the zeros), so third derivatives are exact where a slice has at most two zeros.
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
        return (_cumprod_gradient(x, y, g, dim, levels=2),)


def _cumprod_gradient(x, y, g, dim, levels):
    """grad_i = Σ_(j >= i) g_j·conj(∏_(k <= j, k != i) x_k), by the rules of ``Cumprod``'s docstring; with
    ``levels`` 1, the "i > z" case divides instead of applying the rules again."""
    zero = eq(x, 0)
    zeros_so_far = cumsum(zero, dim)  # (these masks are constants: comparisons carry no gradient)
    before = eq(zeros_so_far, 0)  # no zero at or before i: i < z
    first = logical_and(zero, eq(zeros_so_far, 1))  # i = z
    x_safe = where(zero, 1.0, x)  # every zero replaced by 1: a safe divisor
    x_skip = where(first, 1.0, x)  # x': the first zero replaced by 1
    y_skip = cumprod(x_skip, dim)
    x_first_zero = sum(x * cast(first, x.dtype), dim, keepdim=True)  # x_z (= 0), kept differentiable
    tail = _reverse_cumsum(g * _conj(y_skip), dim)
    after = _cumprod_gradient(x_skip, y_skip, g, dim, levels - 1) if levels > 1 else tail / _conj(x_safe)
    return where(before, _reverse_cumsum(g * _conj(y), dim) / _conj(x_safe),
                 where(first, tail, _conj(x_first_zero) * after))


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
