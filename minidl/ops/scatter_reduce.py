"""Scatter with a reduction: ``scatter_reduce``, which combines every value sent to a position instead of keeping
one of them (``scatter``) or adding them (``scatter_add``).

For ``dim=0`` on 2-d tensors, each src element is sent to ``out[index[i][j]][j]``; a position then holds

    include_self=True:   reduce(x[p], all the src values sent to p)
    include_self=False:  reduce(all the src values sent to p)        (x[p] only if nothing was sent to p)

with reduce one of ``"sum"``, ``"prod"``, ``"mean"`` (on integers rounded down, as PyTorch), ``"amax"``,
``"amin"`` (a NaN among the values wins). It is a segment reduction: ``scatter_reduce(zeros(k), 0, labels, v,
"amax", include_self=False)`` is the largest ``v`` of each of k groups. ``scatter(..., reduce="add"|"multiply")``,
PyTorch's older spelling, is the "sum"/"prod" case with ``include_self=True``.

Gradients, as PyTorch's (they go to the values that took part; with ``include_self=False`` not to x at the
positions something was sent to):

* sum: ``g`` to x, ``g`` read back at its position to each src value (``scatter_add``'s);
* mean: the same, divided by the number of values averaged at the position;
* prod: ``g`` times the product of the *other* values at the position. Written as ``g·result/value`` that fails
  for a value 0, so the zeros are handled apart: a lone zero among the src values of a position gets the
  product of the rest, computed again with that zero replaced by 1 (the division also loses precision where
  the product underflows, as PyTorch's does);
* amax/amin: ``g`` to the values equal to the result, shared evenly among ties (so ``[3, 3]`` gives each
  ``g/2``). PyTorch also counts an x that *equals* the result when ``include_self=False`` left it out (its
  share is then lost, which no derivative explains); here an x left out is no candidate.

The second derivatives of prod are exact except where two or more src zeros meet at one position (PyTorch raises
an error there; this VJP cannot look at values to do the same). Complex tensors have no gradient, as in PyTorch.
"""
import numpy

from ..backend import dtypes
from ..backend.scans import add_at, ufunc_at
from .base import Op, OpError, apply, describe
from .broadcast import ones_like, zeros_like
from .cast import cast
from .compare import clamp, eq, logical_and, where
from .gather import Gather, Scatter, ScatterAdd, _along, _nonempty, _scatter_operands, _shaped_like
from .infer import normalize_dim

__all__ = ["scatter_reduce"]

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
#: the numpy ufunc whose ``.at`` combines the values sent to one position (mean: their sum, divided afterwards)
_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(xp, reduce, dtype):
    """Where a reduction starts (what a position that leaves x out is set to before the values arrive)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    largest = reduce == "amin"
    if dtype.kind == "b":
        return largest
    if dtype.kind in "iu":
        info = xp.iinfo(dtype)
        return info.max if largest else info.min
    return xp.inf if largest else -xp.inf


def _check_positions(index, size, dim):
    """numpy would read a negative position from the end; PyTorch refuses it, as any position past the end."""
    if index.size:
        low, high = int(index.min()), int(index.max())
        if low < 0 or high >= size:
            raise IndexError(f"index {low if low < 0 else high} is out of bounds for dimension {dim} with size "
                             f"{size}")


class ScatterReduce(Op):
    """``out = x;  out[index[i][j]][j] = reduce(out[...], src[i][j])`` (dim 0) for every element of src: see the
    module docstring for the forward and the gradients."""
    differentiable_inputs = (0, 2)
    saves_outputs = True  # prod, amax and amin compare with or divide by the result

    @staticmethod
    def forward(xp, x, index, src, dim, reduce, include_self):
        _check_positions(index, x.shape[dim] if x.ndim else 1, dim)
        at = _along(xp, index, dim)
        out = x.copy()
        if not include_self:
            out[at] = _identity(xp, reduce, x.dtype)
        ufunc_at(xp, getattr(xp, _UFUNCS[reduce]), out, at, src)
        if reduce == "mean":
            counts = xp.full(x.shape, int(include_self), dtype=xp.int64)
            add_at(xp, counts, at, 1)
            counts = xp.maximum(counts, 1)  # (a position nothing was sent to keeps x)
            out = (out // counts).astype(x.dtype) if x.dtype.kind in "iu" else out / counts.astype(x.dtype)
        return out

    @staticmethod
    def vjp(ctx, g):
        x, index, src = ctx.inputs
        if dtypes.is_complex(g.dtype):
            raise NotImplementedError(f"scatter_reduce: no gradient for complex tensors (got {describe(g)}), as "
                                      f"in PyTorch")
        reduce, include_self, dim = ctx.attrs["reduce"], ctx.attrs["include_self"], ctx.attrs["dim"]
        need_x, _, need_src = ctx.needs_input_grad
        grad_x, grad_src = _GRADIENTS[reduce](g, x, index, src, ctx.outputs[0], dim, include_self, need_x, need_src)
        if need_x and not include_self:  # x was overwritten wherever something was sent
            grad_x = apply(Scatter, grad_x, index, zeros_like(src, dtype=g.dtype), dim=dim)
        return grad_x if need_x else None, None, grad_src if need_src else None

    @staticmethod
    def infer(x, index, src, **attrs):
        return x


def _gather(t, dim, index):
    return apply(Gather, t, index, dim=dim)


def _scatter_add(t, dim, index, values):
    return apply(ScatterAdd, t, index, values, dim=dim)


def _again(x, dim, index, src, reduce, include_self):
    """The forward once more, on other values (the VJPs of prod and mean need variants of it)."""
    return apply(ScatterReduce, x, index, src, dim=dim, reduce=reduce, include_self=include_self)


def _sum_gradients(g, x, index, src, out, dim, include_self, need_x, need_src):
    return g, _gather(g, dim, index) if need_src else None


def _mean_gradients(g, x, index, src, out, dim, include_self, need_x, need_src):
    """``g / n`` with n the number of values averaged at each position (at least 1: a position nothing was sent
    to, with include_self=False, kept x)."""
    start = ones_like(g) if include_self else zeros_like(g)
    share = g / clamp(_scatter_add(start, dim, index, ones_like(src, dtype=g.dtype)), min=1)
    return share, _gather(share, dim, index) if need_src else None


def _prod_gradients(g, x, index, src, out, dim, include_self, need_x, need_src):
    """``g`` times the product of the other values at the position. For x: the product of the src values sent
    there, recomputed with a zero x replaced by 1 (dividing the result by 0 would not give it)."""
    grad_x = grad_src = None
    if need_x:
        x_or_one = where(eq(x, 0), 1, x)
        grad_x = g * _again(x_or_one, dim, index, src, "prod", include_self) / x_or_one
    if need_src:
        zero = eq(src, 0)
        zeros_there = _gather(_scatter_add(zeros_like(x, dtype=g.dtype), dim, index, cast(zero, g.dtype)), dim,
                              index)
        lone_zero = logical_and(zero, eq(zeros_there, 1))
        # the lone zero's own product of the others: the forward again with it replaced by 1
        others = _again(x, dim, index, where(lone_zero, 1, src), "prod", include_self)
        # any other value: result / value (a result made 0 by some other zero then rightly gives 0)
        grad_src = where(lone_zero, _gather(g * others, dim, index),
                         _gather(g * out, dim, index) / where(zero, 1, src))
    return grad_x, grad_src


def _extremum_gradients(g, x, index, src, out, dim, include_self, need_x, need_src):
    """``g`` shared evenly among the values equal to the result at their position."""
    src_is = cast(eq(src, _gather(out, dim, index)), g.dtype)
    x_is = cast(eq(x, out), g.dtype)
    if not include_self:  # an x left out is no candidate, even if it equals the result (PyTorch counts it)
        x_is = apply(Scatter, x_is, index, zeros_like(src_is), dim=dim)
    # (a NaN result equals nothing, so nobody shares; clamp keeps 0/0 out of it)
    share = g / clamp(_scatter_add(x_is, dim, index, src_is), min=1)
    return x_is * share, src_is * _gather(share, dim, index) if need_src else None


_GRADIENTS = {"sum": _sum_gradients, "mean": _mean_gradients, "prod": _prod_gradients,
              "amax": _extremum_gradients, "amin": _extremum_gradients}


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of ``input`` where each position along ``dim`` that ``index`` names is reduced with the ``src``
    values sent to it: ``reduce`` is "sum", "prod", "mean", "amax" or "amin", and ``include_self`` says whether
    input's own value takes part (see the module docstring). ``index`` has input's number of dims and is no
    larger than ``src`` (nor than ``input`` outside ``dim``); only that corner of src is used."""
    if reduce not in _REDUCTIONS:
        raise OpError(f"scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got "
                      f"{reduce!r}")
    x, index, src = _scatter_operands("scatter_reduce", _nonempty(input), dim, index, src)
    kind = numpy.dtype(x.dtype).kind
    if (reduce == "mean" and kind == "b") or (reduce in ("amax", "amin") and kind == "c"):
        raise NotImplementedError(f"scatter_reduce: reduce={reduce!r} is not implemented for {describe(x)}")
    return _shaped_like(apply(ScatterReduce, x, index, src, dim=normalize_dim("scatter_reduce", dim, x.ndim),
                              reduce=reduce, include_self=bool(include_self)), input)
