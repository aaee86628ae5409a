"""``index_reduce``: ``index_add``'s sibling that combines whole slices with a reduction instead of adding them.
Along dim 0 of a matrix, with ``index = [i_0, i_1, ...]``, row k of ``source`` is reduced into row ``i_k``::

    include_self=True:   out[p] = reduce(x[p], every source[k] with i_k = p)
    include_self=False:  out[p] = reduce(every source[k] with i_k = p)         (x[p] where no i_k is p)

with reduce one of "prod", "mean", "amax", "amin" (PyTorch has no "sum": that is ``index_add``). It is
``scatter_reduce`` with the index repeated across the other dims — ``index[k]`` for every element of slice k of
``source`` — so it shares scatter_reduce's forward and gradients (scatter_reduce.py explains them, and where they
differ from PyTorch's: an ``x`` that ``include_self=False`` left out takes no share of an extremum's gradient).
"""
from ..backend import dtypes
from .base import OpError, apply, describe
from .broadcast import broadcast_to_like
from .cast import cast
from .index_updates import _slices_operands
from .scatter_reduce import ScatterReduce
from .shape import reshape

__all__ = ["index_reduce"]

_REDUCTIONS = ("prod", "mean", "amax", "amin")


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of ``input`` whose slices at positions ``index`` (int64 or int32, none negative) along ``dim`` are
    reduced with the slices of ``source``, in order: ``reduce`` is "prod", "mean", "amax" or "amin", and
    ``include_self`` says whether input's own slice takes part (module docstring)."""
    if reduce not in _REDUCTIONS:
        raise OpError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce!r}")
    dim, index = _slices_operands("index_reduce_()", input, dim, index, source, (dtypes.int32, dtypes.int64))
    kind = input.dtype.kind
    if (reduce == "mean" and kind == "b") or (reduce in ("amax", "amin") and kind == "c"):
        raise NotImplementedError(f"index_reduce(): reduce={reduce!r} is not implemented for {describe(input)}")
    scalar = input.ndim == 0
    if scalar:  # a 0-d tensor is reduced as a vector of one element, as in PyTorch
        input, source = reshape(input, (1,)), reshape(source, (1,))
    # index[k] at every position of source's slice k
    along_dim = tuple(-1 if d == dim else 1 for d in range(input.ndim))
    positions = broadcast_to_like(reshape(cast(index, dtypes.int64), along_dim), source)
    out = apply(ScatterReduce, input, positions, source, dim=dim, reduce=reduce, include_self=bool(include_self))
    return reshape(out, ()) if scalar else out
