"""Counting and moments: ``count_nonzero``, ``bincount`` (a histogram of small integers), ``var_mean`` and
``std_mean`` (two moments from one call).

``count_nonzero``, ``var_mean`` and ``std_mean`` are compositions of reductions (``reduce.py``), so their
gradients come from those. ``bincount`` is an op of its own; like PyTorch's, it has no gradient.
"""
from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .compare import ne
from .reduce import Mean, Std, Var, _reduce, _var_args, check_tensor, sum

__all__ = ["count_nonzero", "bincount", "var_mean", "std_mean"]


def count_nonzero(input, dim=None):
    """How many entries are not zero (NaN counts, being non-zero) over ``dim`` (None: all dims; an int or a tuple
    of ints). int64."""
    check_tensor("count_nonzero", input)
    return sum(ne(input, 0), dim)


class Bincount(Op):
    """``out[v]`` = how many entries of ``x`` equal ``v`` (or, given ``weights``, the sum of their weights), for
    ``v`` from 0 to ``max(max(x) + 1, minlength) - 1``. The length depends on the values: None in graph mode."""
    differentiable = False

    @staticmethod
    def forward(xp, x, *weights, minlength):
        if x.size and int(x.min()) < 0:
            raise OpError(f"bincount: only supports 1-d non-negative integral inputs, but got the value "
                          f"{int(x.min())}")
        if not weights:
            return xp.bincount(x, minlength=minlength).astype(dtypes.int64, copy=False)
        w = weights[0]
        return xp.bincount(x, weights=w, minlength=minlength).astype(_weighted_dtype(w.dtype), copy=False)

    @staticmethod
    def infer(x, *weights, minlength):
        return Spec((None,), _weighted_dtype(weights[0].dtype) if weights else dtypes.int64)


def _weighted_dtype(dtype):
    """Weighted counts keep float weights' dtype; other weights give float64 (PyTorch's rule)."""
    return dtype if dtypes.is_floating_point(dtype) else dtypes.float64


def bincount(input, weights=None, minlength=0):
    """Count the occurrences of each value 0, 1, 2, ... in the 1-d non-negative integer tensor ``input``; with
    ``weights`` (1-d, one per entry of x) sum those instead of counting. At least ``minlength`` bins."""
    check_tensor("bincount", input)
    if input.ndim != 1 or input.dtype.kind not in "iu":
        raise (OpError if input.dtype.kind in "iu" else TypeError)(
            f"bincount: only supports 1-d non-negative integral inputs, got {describe(input)}")
    if not isinstance(minlength, int) or isinstance(minlength, bool) or minlength < 0:
        raise OpError(f"bincount: minlength should be an int >= 0, got {minlength!r}")
    if weights is None:
        return apply(Bincount, input, minlength=minlength)
    if not is_tensor(weights):
        raise TypeError(f"bincount: weights must be a tensor, got {type(weights).__name__}")
    n, m = input.shape[0], weights.shape[0] if weights.ndim == 1 else None
    if weights.ndim != 1 or (None not in (n, m) and n != m):
        raise OpError(f"bincount: weights should be 1-d and have the same length as input, got weights "
                      f"{describe(weights)} for input {describe(input)}")
    return apply(Bincount, input, weights, minlength=minlength)


def _moment_and_mean(op_name, op, x, dim, unbiased, keepdim, correction):
    dims, correction = _var_args(op_name, x, dim, unbiased, correction)
    keepdim = bool(keepdim)
    return _reduce(op, x, dims, keepdim, correction=correction), _reduce(Mean, x, dims, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The tuple ``(var(x, ...), mean(x, ...))`` over the same dims (arguments as for ``var``)."""
    return _moment_and_mean("var_mean", Var, input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The tuple ``(std(x, ...), mean(x, ...))`` over the same dims (arguments as for ``std``)."""
    return _moment_and_mean("std_mean", Std, input, dim, unbiased, keepdim, correction)
