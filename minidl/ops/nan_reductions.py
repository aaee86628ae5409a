"""Reductions and comparisons that step around NaN: ``nansum``, ``nanmean``, ``fmax``, ``fmin``, and ``aminmax``
(the smallest and the largest value in one call).

A NaN usually spreads: ``sum([1, nan]) = nan``, ``maximum(1, nan) = nan``. Missing data is often stored as NaN,
and then one wants the statistics of the numbers that *are* there: ``nansum`` treats each NaN as 0, ``nanmean``
averages over the non-NaN entries only, and ``fmax``/``fmin`` pick the other operand when one is NaN.

The reductions are compositions (a ``where`` that zeroes the NaN, then ``sum``), so their gradients come from
those parts: 1 (or 1/count) at each number, 0 at each NaN. ``fmax`` and ``fmin`` are ops with their own VJP.
"""
from collections import namedtuple

from ..backend import dtypes
from .base import DtypeError, Op, apply, describe
from .infer import broadcast_infer
from .compare import ge, le, logical_not, logical_or, where, where_grad
from .broadcast import sum_to_like
from .elementwise_more import both_tensors
from .extrema import _check_nonempty, amax, amin
from .promote import promote
from .reduce import _is_int, check_tensor, reduce_dims, sum
from .unary import isnan

__all__ = ["nansum", "nanmean", "fmax", "fmin", "aminmax"]

#: what ``aminmax`` returns, like ``torch.return_types.aminmax``
AminmaxResult = namedtuple("aminmax", ["min", "max"])


# ------------------------------------------------------------------------------------------ nansum, nanmean

def _zero_nan(op_name, x):
    """``x`` with every NaN replaced by 0 (the gradient there is 0: the 0 is a constant). Complex numbers are
    refused, as PyTorch's ``nansum`` refuses them."""
    check_tensor(op_name, x)
    if dtypes.is_complex(x.dtype):
        raise TypeError(f"{op_name}: does not support complex inputs (got {describe(x)})")
    if not dtypes.is_floating_point(x.dtype):  # bool and integer tensors hold no NaN
        return x
    return where(isnan(x), 0.0, x)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over ``dim`` (all dims when None) counting every NaN as 0: ``sum(where(isnan(x), 0, x))``.

    Bool and integer inputs give int64, as ``sum`` does; ``dtype=`` converts (after the NaN are zeroed, so
    ``nansum([1., nan], dtype=int64)`` is 1). The gradient is 1 at each number and 0 at each NaN."""
    return sum(_zero_nan("nansum", input), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over ``dim`` of the entries that are not NaN: nansum(x) / (number of non-NaN entries).

    A slice holding only NaN has mean 0 / 0 = NaN. Floating point (and complex) inputs only, as in PyTorch.
    The gradient is 1 / count at each number and 0 at each NaN."""
    check_tensor("nanmean", input)
    if not dtypes.is_differentiable(input.dtype):
        raise DtypeError(f"nanmean(): expected input to have floating point or complex dtype but got {input.dtype} "
                         f"(input {describe(input)})")
    count = sum(logical_not(isnan(input)), dim, keepdim)  # int64: exact, and a constant for the gradient
    return nansum(input, dim, keepdim, dtype=dtype) / count


# ---------------------------------------------------------------------------------------------- fmax, fmin

def _to_chosen(ctx, g, chooses_a):
    """The gradient of fmax/fmin: all of ``g`` to the operand whose value was taken — ``a`` where it beats or
    ties ``b`` (``chooses_a``), or where ``b`` is NaN — and to ``b`` elsewhere. (PyTorch's rule; unlike
    ``maximum``, ties are not split.)"""
    a, b = ctx.inputs
    need_a, need_b = ctx.needs_input_grad
    took_a = logical_or(chooses_a(a, b), isnan(b))
    return (sum_to_like(where_grad(g, took_a, True), a) if need_a else None,
            sum_to_like(where_grad(g, took_a, False), b) if need_b else None)


class Fmax(Op):
    """``max(a, b)`` elementwise where a NaN loses to any number (NaN only when both are NaN).
    d/da = 1 where a >= b or b is NaN, else d/db = 1."""
    forward = staticmethod(lambda xp, a, b: xp.fmax(a, b))
    infer = staticmethod(broadcast_infer("fmax"))
    vjp = staticmethod(lambda ctx, g: _to_chosen(ctx, g, ge))


class Fmin(Op):
    """``min(a, b)`` elementwise where a NaN loses to any number (NaN only when both are NaN).
    d/da = 1 where a <= b or b is NaN, else d/db = 1."""
    forward = staticmethod(lambda xp, a, b: xp.fmin(a, b))
    infer = staticmethod(broadcast_infer("fmin"))
    vjp = staticmethod(lambda ctx, g: _to_chosen(ctx, g, le))


def _nan_ignoring(op_name, op, input, other):
    both_tensors(op_name, input, other)
    dtype, operands = promote(op_name, input, other)
    if dtypes.is_complex(dtype):
        raise TypeError(f"{op_name}: complex numbers have no order (got {describe(input)} and {describe(other)})")
    return apply(op, *operands)


def fmax(input, other):
    """The elementwise maximum of two tensors (broadcast), ignoring NaN: where one operand is NaN the other is
    taken. Compare ``maximum``, where NaN wins."""
    return _nan_ignoring("fmax", Fmax, input, other)


def fmin(input, other):
    """The elementwise minimum of two tensors (broadcast), ignoring NaN: where one operand is NaN the other is
    taken. Compare ``minimum``, where NaN wins."""
    return _nan_ignoring("fmin", Fmin, input, other)


# ------------------------------------------------------------------------------------------------- aminmax

def aminmax(input, *, dim=None, keepdim=False):
    """The named tuple ``(min, max)`` of ``amin`` and ``amax`` over one ``dim`` (all entries when None).

    As those, NaN wins (a slice holding NaN gives NaN for both), and where several entries tie for the extreme
    the gradient is shared evenly among them. An empty reduction has no answer: an error."""
    check_tensor("aminmax", input)
    if dtypes.is_complex(input.dtype):
        raise TypeError(f"aminmax: complex numbers have no order (got {describe(input)})")
    if dim is not None and not _is_int(dim):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    _check_nonempty("aminmax", input, reduce_dims("aminmax", input, dim), dim is None)
    return AminmaxResult(amin(input, dim, keepdim), amax(input, dim, keepdim))
