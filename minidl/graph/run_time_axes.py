"""Reductions over axes that are known only when the graph runs: ``tf.reduce_sum(x, axis=tf.rank(x) - 1)``, or
``tf.reduce_mean(x, axis=axes)`` with ``axes`` a placeholder.

The op library's reductions take their dims as attributes (Python ints), and each has its own VJP written for
them. Rather than a run-time twin of every reduction and of every VJP, ``reduce_at_run_time`` turns the reduction
into one over a fixed dim:

1. ``ReductionLayout`` reads the axes and the shape of ``x`` when the graph runs, checks the axes as TF's kernel
   does (each in [-rank, rank), none twice: ``InvalidArgumentError`` otherwise), and answers with the permutation
   that moves the reduced dims last, the 2-D shape ``[kept elements, reduced elements]`` and the result's shape;
2. ``x`` is transposed by that permutation (``TransposeBy``) and reshaped to that 2-D shape (``ReshapeTo``);
3. the reduction runs over dim 1 — the op library's, with its own gradient — and its result is reshaped to the
   result's shape (with 1s for the reduced dims under ``keepdims``).

The gradient goes back through the reshapes and the transpose (whose VJP transposes by the inverse permutation),
so every ``reduce_*`` keeps its gradient. The static shape is TF's: the rank under ``keepdims``, else unknown.
"""
import math

from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from . import errors
from .array_ops import ReshapeTo, TransposeBy, _host_ints
from .math_ops import check_dtype, to_tensor


class ReductionLayout(Op):
    """For reducing ``x`` over ``axis`` (a 0-d or 1-D integer tensor): the permutation that puts the reduced dims
    last, the 2-D shape of the permuted ``x``, and the result's shape (attr ``keepdims``: 1s for the reduced dims).
    ``x`` lends only its run-time shape. Integers: no gradient."""
    n_outputs = 3
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, axis, keepdims):
        rank, reduced = x.ndim, []
        for a in _host_ints(axis.reshape(-1)):
            if not -rank <= a < rank:
                raise errors.InvalidArgumentError(None, None, f"Invalid reduction dimension ({a} for input with "
                                                              f"{rank} dimension(s)")
            if a % rank in reduced:
                raise errors.InvalidArgumentError(None, None, "Invalid reduction arguments: Axes contains duplicate "
                                                              f"dimension: {a % rank}")
            reduced.append(a % rank)
        kept = [d for d in range(rank) if d not in reduced]
        reduced.sort()
        folded = [math.prod(x.shape[d] for d in kept), math.prod(x.shape[d] for d in reduced)]
        result = [1 if d in reduced else x.shape[d] for d in range(rank)] if keepdims else [x.shape[d] for d in kept]
        return tuple(xp.asarray(v, dtype=dtypes.int64) for v in (kept + reduced, folded, result))

    @staticmethod
    def infer(x, axis, keepdims):
        rank = None if x.shape is None else len(x.shape)
        return (Spec((rank,), dtypes.int64), Spec((2,), dtypes.int64),
                Spec((rank if keepdims else None,), dtypes.int64))


def reduce_at_run_time(reduce, x, axis, keepdims):
    """``reduce(x, dims, keepdim)`` — an op-library reduction, as ``math_ops``' ``reduce_*`` pass it — over
    ``axis``, a tensor (or a list holding one) whose values are known when the graph runs (module docstring)."""
    axis = check_dtype(to_tensor(axis, dtypes.int32), ("int32", "int64"), "reduction_indices")
    if axis.shape.rank_known and len(axis.shape) > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {len(axis.shape)}: the reduction axes "
                         f"{axis.name} must be a scalar or a vector")
    permutation, folded, result_shape = apply(ReductionLayout, x, axis, keepdims=keepdims)
    flat = apply(ReshapeTo, apply(TransposeBy, x, permutation), folded)
    return apply(ReshapeTo, reduce(flat, 1, False), result_shape)
