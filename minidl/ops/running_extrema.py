"""Running maxima and minima along a dim: ``cummax`` and ``cummin``, each a named tuple ``(values, indices)``:
``values[i] = max(x[0], ..., x[i])`` and ``indices[i]`` the position of that maximum (the latest one when several
tie, as in PyTorch; a NaN is larger than everything and stays the maximum once met).

The gradient of ``values`` goes to the entries the indices name — each running maximum is a copy of one entry of
``x`` — scattered into zeros shaped like ``x`` (an entry that stays the maximum for a while receives the sum of
all those gradients). ``indices`` (int64) carry none.
"""
from collections import namedtuple

from ..backend import dtypes
from ..backend.scans import accumulate
from .base import Op, Spec, apply, describe
from .broadcast import zeros_like
from .extrema import _one_dim
from .gather import scatter_add
from .reduce import check_tensor

__all__ = ["cummax", "cummin"]

#: what ``cummax(x, dim)`` and ``cummin(x, dim)`` return, like ``torch.return_types.cummax``
CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])


def _running(xp, x, dim, ufunc):
    """(values, indices) of the running extremum that ``ufunc`` (maximum or minimum) picks along ``dim``."""
    if x.ndim == 0:
        return x.copy(), xp.zeros((), dtype=dtypes.int64)
    values = accumulate(xp, ufunc, x, dim)  # maximum/minimum propagate NaN, as PyTorch's cummax does
    # Where x equals the running extremum, this position is (one of) the extremum's so far; the latest such
    # position up to i is the index at i. (Positions only grow, so a running maximum of them finds it.)
    reached = x == values
    if x.dtype.kind in "fc":
        reached |= xp.isnan(x)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    positions = xp.arange(x.shape[dim], dtype=dtypes.int64).reshape(shape)
    indices = accumulate(xp, xp.maximum, xp.where(reached, positions, 0), dim)
    return values, indices


def _spec(x, dim):
    return Spec(x.shape, x.dtype), Spec(x.shape, dtypes.int64)


def _to_indices(ctx, g, g_indices):
    """g scattered (added) into zeros like x at the positions ``indices`` names along ``dim``."""
    x, indices = ctx.inputs[0], ctx.outputs[1]
    if x.ndim == 0:
        return (g,)
    return (scatter_add(zeros_like(x, dtype=g.dtype), ctx.attrs["dim"], indices, g),)


class Cummax(Op):
    """(running max, its position) along ``dim``; the gradient of the values goes to the positions."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    forward = staticmethod(lambda xp, x, dim: _running(xp, x, dim, xp.maximum))
    infer = staticmethod(_spec)
    vjp = staticmethod(_to_indices)


class Cummin(Op):
    """(running min, its position) along ``dim``; the gradient of the values goes to the positions."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    forward = staticmethod(lambda xp, x, dim: _running(xp, x, dim, xp.minimum))
    infer = staticmethod(_spec)
    vjp = staticmethod(_to_indices)


def _cumulative(op_name, op, result, x, dim):
    check_tensor(op_name, x)
    if dtypes.is_complex(x.dtype):  # (complex numbers have no order: PyTorch refuses them too)
        raise NotImplementedError(f'"{op_name}" not implemented for complex tensors ({describe(x)})')
    values, indices = apply(op, x, dim=_one_dim(op_name, x, dim))
    return result(values, indices)


def cummax(input, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where each was found (the latest of ties)."""
    return _cumulative("cummax", Cummax, CummaxResult, input, dim)


def cummin(input, dim):
    """``(values, indices)``: the running minimum along ``dim`` and where each was found (the latest of ties)."""
    return _cumulative("cummin", Cummin, CumminResult, input, dim)
