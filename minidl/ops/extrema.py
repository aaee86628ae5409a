"""Selecting reductions: max, min, amax, amin, argmax, argmin — results picked from entries of ``x``.

The gradient flows only to the picked entries, with PyTorch's two conventions:

* ``amax``/``amin``, and ``max(x)``/``min(x)`` without a dim, give a value; when several entries tie for it the
  gradient is shared evenly among them (each gets g / count), a fair choice of subgradient. A NaN result has no
  tie: amax's gradient is then NaN, while max(x)'s is shared among the NaN entries (PyTorch's two rules).
* ``max(x, dim)``/``min(x, dim)`` give a named tuple ``(values, indices)``; the gradient goes to the entry the
  index names (the first of any ties), scattered into zeros of ``x``'s shape. ``indices`` (int64) has none.

Reducing over an empty dim has no answer: it is an error, as in PyTorch. (The module builds on the helpers of
``reduce.py``, which re-exports its functions.)
"""
import builtins
from collections import namedtuple

from ..backend import dtypes
from .base import DtypeError, Op, Spec, apply, describe, is_tensor
from .broadcast import broadcast_to_like, zeros_like
from .cast import cast
from .infer import operand_dim, rank_is_known, reduced_shape
from .reduce import Sum, _is_int, _reduce, check_tensor, expand_reduced, reduce_dims, reduced_spec

#: what ``max(x, dim)`` and ``min(x, dim)`` return, like ``torch.return_types.max``
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


# ---------------------------------------------------------------------------------------------- amax, amin

def _share_among_ties(ctx, g):
    """g * [x == y] / (number of entries equal to y): the gradient split evenly among the tied maxima."""
    from .compare import eq
    x, y, (dims, keepdim) = ctx.inputs[0], ctx.outputs[0], (ctx.attrs["dims"], ctx.attrs["keepdim"])
    picked = cast(eq(x, expand_reduced(y, x, dims, keepdim)), g.dtype)  # a constant: no gradient through it
    return (expand_reduced(g, x, dims, keepdim) * picked / _reduce(Sum, picked, dims, True),)


class Amax(Op):
    """y = max of x over dims; dy/dx = 1 at the maximum (shared evenly among ties), 0 elsewhere."""
    saves_outputs = True
    forward = staticmethod(lambda xp, x, dims, keepdim: xp.amax(x, axis=dims, keepdims=keepdim))
    infer = staticmethod(reduced_spec)
    vjp = staticmethod(_share_among_ties)


class Amin(Op):
    """y = min of x over dims; dy/dx = 1 at the minimum (shared evenly among ties), 0 elsewhere."""
    saves_outputs = True
    forward = staticmethod(lambda xp, x, dims, keepdim: xp.amin(x, axis=dims, keepdims=keepdim))
    infer = staticmethod(reduced_spec)
    vjp = staticmethod(_share_among_ties)


def _share_among_nan_or_ties(ctx, g):
    """``_share_among_ties``, except that a NaN result (the input holds NaN) sends the gradient to the NaN entries,
    shared evenly: there x == y holds nowhere, and amax's gradient is NaN. PyTorch's ``max()`` / ``min()`` of a
    whole tensor do this (its ``amax`` does not). NaN is the result exactly when some entry is NaN, so the
    entries to pick are those equal to y, or NaN."""
    from .compare import eq, logical_or
    from .unary import isnan
    x, y = ctx.inputs[0], ctx.outputs[0]
    picked = cast(logical_or(eq(x, broadcast_to_like(y, x)), isnan(x)), g.dtype)  # a constant, as above
    return (g * picked / _reduce(Sum, picked, ctx.attrs["dims"], False),)


class Max(Amax):
    """``max(x)``: the largest entry of the whole tensor (0-d); gradient as amax's, or shared among NaN entries."""
    grad_fn_name = "{}Backward1"  # PyTorch's name for max() of a whole tensor (MaxBackward0 is max(x, dim)'s)
    vjp = staticmethod(_share_among_nan_or_ties)


class Min(Amin):
    """``min(x)``: the smallest entry of the whole tensor (0-d); gradient as amin's, or shared among NaN entries."""
    grad_fn_name = "{}Backward1"
    vjp = staticmethod(_share_among_nan_or_ties)


def _check_nonempty(op_name, x, dims, whole, error=RuntimeError):
    """The max of nothing is undefined: refuse empty reductions with PyTorch's messages (and, for a whole
    reduction, its ``error`` class: an IndexError from argmax/argmin)."""
    if dims is None or not rank_is_known(x):  # a rank known only at run time: numpy refuses an empty input then
        return
    shape = x.shape
    if whole and builtins.any(n == 0 for n in shape):
        raise error(f"{op_name}(): Expected reduction dim to be specified for input.numel() == 0 (input "
                    f"{describe(x)}). Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{op_name}(): Expected reduction dim {d} to have non-zero size (input {describe(x)})")


def _ordered(op_name, x):
    """``x``, checked to be a tensor whose values have an order (complex numbers have none)."""
    check_tensor(op_name, x)
    if dtypes.is_complex(x.dtype):
        raise DtypeError(f"{op_name}(): complex numbers have no order, so no largest or smallest (got {describe(x)})")


def _whole_or_dims(op_name, op, x, dim, keepdim):
    _ordered(op_name, x)
    dims = reduce_dims(op_name, x, dim)
    _check_nonempty(op_name, x, dims, dim is None or (isinstance(dim, (tuple, list)) and not dim))
    return _reduce(op, x, dims, bool(keepdim))


def amax(input, dim=None, keepdim=False):
    """The largest value over ``dim`` (all dims when None); ties share the gradient evenly."""
    return _whole_or_dims("amax", Amax, input, dim, keepdim)


def amin(input, dim=None, keepdim=False):
    """The smallest value over ``dim`` (all dims when None); ties share the gradient evenly."""
    return _whole_or_dims("amin", Amin, input, dim, keepdim)


# ------------------------------------------------------------------------------------ max(x, dim), min(x, dim)

def _pick(xp, x, dim, keepdim, arg):
    """(values, int64 indices) of the entries that ``arg`` (argmax or argmin) picks along ``dim``."""
    if x.ndim == 0:
        return x.copy(), xp.zeros((), dtype=dtypes.int64)
    index = xp.expand_dims(arg(x, axis=dim), dim).astype(dtypes.int64, copy=False)
    values = xp.take_along_axis(x, index, axis=dim)
    return (values, index) if keepdim else (values.squeeze(dim), index.squeeze(dim))


def _pick_spec(spec, dim, keepdim):
    shape = reduced_shape(spec.shape, (dim,), keepdim)
    return Spec(shape, spec.dtype), Spec(shape, dtypes.int64)


def _to_picked(ctx, g, g_indices):
    """Zeros shaped like x with g scattered in at the picked indices along dim."""
    x, index, (dim, keepdim) = ctx.inputs[0], ctx.outputs[1], (ctx.attrs["dim"], ctx.attrs["keepdim"])
    if x.ndim == 0:  # nothing was reduced
        return (g,)
    from .indexing import scatter_add  # indexing and shape build on reductions: import late
    from .shape import unsqueeze
    if not keepdim:
        g, index = unsqueeze(g, dim), unsqueeze(index, dim)
    return (scatter_add(zeros_like(x, dtype=g.dtype), dim, index, g),)


class MaxDim(Op):
    """(values, indices) of the max along ``dim``; the gradient of ``values`` goes to the entry at ``indices``."""
    name = "Max"
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    forward = staticmethod(lambda xp, x, dim, keepdim: _pick(xp, x, dim, keepdim, xp.argmax))
    infer = staticmethod(_pick_spec)
    vjp = staticmethod(_to_picked)


class MinDim(Op):
    """(values, indices) of the min along ``dim``; the gradient of ``values`` goes to the entry at ``indices``."""
    name = "Min"
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    forward = staticmethod(lambda xp, x, dim, keepdim: _pick(xp, x, dim, keepdim, xp.argmin))
    infer = staticmethod(_pick_spec)
    vjp = staticmethod(_to_picked)


def _one_dim(op_name, x, dim):
    if not _is_int(dim):
        raise TypeError(f"{op_name}(): dim must be an int, got {dim!r}")
    return operand_dim(f"{op_name}()", int(dim), x)


def _max_or_min(op_name, whole_op, dim_op, result, x, dim, keepdim):
    _ordered(op_name, x)
    if dim is None:
        return _whole_or_dims(op_name, whole_op, x, None, keepdim)
    dim = _one_dim(op_name, x, dim)
    _check_nonempty(op_name, x, None if not rank_is_known(x) else (dim,) if x.ndim else (), False)
    return result(*apply(dim_op, x, dim=dim, keepdim=bool(keepdim)))


def max(input, dim=None, keepdim=False, *, other=None):
    """``max(x)``: the largest value (0-d; tied maxima share the gradient, like ``amax``).
    ``max(x, dim, keepdim=False)``: the named tuple ``(values, indices)`` along ``dim``.
    ``max(x, other)`` (or ``other=``): the elementwise ``maximum``, as in PyTorch."""
    if is_tensor(dim) or other is not None:
        from .compare import maximum
        return maximum(input, dim if other is None else other)
    return _max_or_min("max", Max, MaxDim, MaxResult, input, dim, keepdim)


def min(input, dim=None, keepdim=False, *, other=None):
    """``min(x)``, ``min(x, dim, keepdim=False)`` -> ``(values, indices)``, or ``min(x, other)``: see ``max``."""
    if is_tensor(dim) or other is not None:
        from .compare import minimum
        return minimum(input, dim if other is None else other)
    return _max_or_min("min", Min, MinDim, MinResult, input, dim, keepdim)


# ------------------------------------------------------------------------------------------- argmax, argmin

def _arg(xp, x, dim, keepdim, arg):
    """int64 index of the entry ``arg`` picks along ``dim``, or in the flattened tensor when dim is None."""
    if dim is None or x.ndim == 0:
        return xp.asarray(arg(x), dtype=dtypes.int64).reshape((1,) * x.ndim if keepdim else ())
    index = arg(x, axis=dim).astype(dtypes.int64, copy=False)
    return xp.expand_dims(index, dim) if keepdim else index


def _arg_spec(spec, dim, keepdim):
    if dim is None:
        shape = None if spec.shape is None else (1,) * len(spec.shape) if keepdim else ()
    else:
        shape = reduced_shape(spec.shape, (dim,), keepdim)
    return Spec(shape, dtypes.int64)


class Argmax(Op):
    """Index of the largest entry (the first of any ties). Integer-valued: not differentiable."""
    differentiable = False
    forward = staticmethod(lambda xp, x, dim, keepdim: _arg(xp, x, dim, keepdim, xp.argmax))
    infer = staticmethod(_arg_spec)


class Argmin(Op):
    """Index of the smallest entry (the first of any ties). Integer-valued: not differentiable."""
    differentiable = False
    forward = staticmethod(lambda xp, x, dim, keepdim: _arg(xp, x, dim, keepdim, xp.argmin))
    infer = staticmethod(_arg_spec)


def _arg_function(op_name, op, x, dim, keepdim):
    _ordered(op_name, x)
    if dim is not None:
        dim = _one_dim(op_name, x, dim)
    _check_nonempty(op_name, x, () if dim is None or not rank_is_known(x) or x.ndim == 0 else (dim,), dim is None,
                    IndexError)
    return apply(op, x, dim=dim, keepdim=bool(keepdim))


def argmax(input, dim=None, keepdim=False):
    """Index of the max along ``dim``; with dim None, the index into the flattened tensor."""
    return _arg_function("argmax", Argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """Index of the min along ``dim``; with dim None, the index into the flattened tensor."""
    return _arg_function("argmin", Argmin, input, dim, keepdim)


__all__ = ["max", "min", "amax", "amin", "argmax", "argmin"]
