"""Sorting and ranking with TF's names: ``tf.sort``, ``tf.argsort``, ``tf.nn.top_k``, ``tf.nn.in_top_k``,
``tf.unique``. Importing this module adds ``top_k`` and ``in_top_k`` to ``tf.nn`` and ``tf.math``.

Indices come out as int32 (TF's default; the op library's are int64). Sorting is stable: of equal values, the one
with the lower index comes first, which is also TF's rule for ``top_k``. ``unique`` lists the distinct values in
the order they first appear (TF's order, where the op library's ``unique`` sorts them).

``top_k``'s ``k`` may be a tensor computed when the graph runs (``tf.shape(x)[1] // 2``): the op library's ``Topk``
takes ``k`` as an attribute, so ``TopKBy`` takes it as an input and reads it when it runs.
"""
import collections

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from ..ops.sorting import Topk
from . import errors
from .array_ops import shape
from .basics import control_dependencies
from .check_ops import Assert
from .core import rank_error
from .math_extras import ensure_shape
from .math_ops import REALS, check_dtype, computed_at_run_time, constant_value, math, tf_op, to_tensor
from .nn_ops import nn

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])

_DIRECTIONS = ("ASCENDING", "DESCENDING")


def _descending(direction):
    if direction not in _DIRECTIONS:
        raise ValueError(f"{direction} should be one of {', '.join(_DIRECTIONS)}")
    return direction == "DESCENDING"


@tf_op("sort")
def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis`` (ascending, or ``direction="DESCENDING"``). The gradient goes back to
    where each value came from."""
    x = check_dtype(to_tensor(values), REALS, "values")
    return ops.sort(x, constant_value(axis, "axis"), _descending(direction)).values


@tf_op("argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 positions that sort ``values`` along ``axis`` (always stable here)."""
    x = check_dtype(to_tensor(values), REALS, "values")
    return ops.cast(ops.argsort(x, constant_value(axis, "axis"), _descending(direction)), dtypes.int32)


class TopKBy(Op):
    """The op library's ``Topk`` (largest first, along attr ``dim``) with ``k`` a 0-d integer tensor read when the op
    runs, checked then as TF's kernel checks it. The VJP is ``Topk``'s; ``k`` has no gradient."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, k, dim):
        k, columns = int(k), x.shape[dim]
        if k < 0:
            raise errors.InvalidArgumentError(None, None, f"Need k >= 0, got {k}")
        if columns < k:
            raise errors.InvalidArgumentError(None, None, f"input must have at least k columns. Had {columns}, "
                                                          f"needed {k}")
        return Topk.forward(xp, x, k, dim, True)

    @staticmethod
    def vjp(ctx, g, g_indices):
        return Topk.vjp(ctx, g, g_indices) + (None,)

    @staticmethod
    def infer(x, k, dim):
        shape = x.shape[:dim] + (None,) + x.shape[dim + 1:]
        return Spec(shape, x.dtype), Spec(shape, dtypes.int64)


def _top_k_at_run_time(x, k):
    """``top_k`` with ``k`` a tensor computed when the graph runs: ``TopKBy``; the last dim of the results is
    unknown to the graph."""
    k = check_dtype(to_tensor(k, dtypes.int32), ("int32",), "k")
    if k.shape.rank_known and len(k.shape) != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {len(k.shape)} for 'TopKV2': k ({k.name}) must be a "
                         "scalar")
    return apply(TopKBy, x, k, dim=x.ndim - 1)


def _top_k_now(x, k):
    """``top_k`` with ``k`` known now: the op library's ``topk``, after TF's checks of ``k`` (an input whose last
    dim only the run time knows is checked then)."""
    if k < 0:
        raise ValueError(f"Need k >= 0, got {k}")
    if x.shape[-1] is not None and x.shape[-1] < k:
        raise ValueError(f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
    checks = []
    if x.shape[-1] is None:  # known when the graph runs (numpy would return fewer than k)
        columns = shape(x)[-1]
        checks.append(Assert(ops.ge(columns, k), ["input must have at least k columns. Had", columns,
                                                  f"needed {k}"]))
    with control_dependencies(checks):
        return ops.topk(x, k)


@tf_op("TopKV2", one_op=True)
def top_k(input, k=1, sorted=True, name=None):
    """``(values, indices)`` of the ``k`` largest entries along the last dim, largest first (of equal entries, the
    lower index first); indices are int32. The gradient of the values goes back to where they came from. ``k`` may
    be a 0-d int32 tensor computed when the graph runs (module docstring)."""
    x = check_dtype(to_tensor(input), REALS, "input")
    if not x.shape.rank_known or len(x.shape) == 0:
        raise rank_error(x)(f"Shape must be at least rank 1 but is rank {x.shape.rank} for 'TopKV2' (input "
                            f"{x.shape})")
    values, indices = _top_k_at_run_time(x, k) if computed_at_run_time(k) else _top_k_now(x, constant_value(k, "k"))
    return TopKV2(values, ops.cast(indices, dtypes.int32))


@tf_op("in_top_k")
def in_top_k(predictions, targets, k, name=None):
    """For each row of ``predictions`` [batch, classes] (float32), whether class ``targets[i]`` is among the ``k``
    largest. TF's rule for ties: it is in when fewer than ``k`` classes score strictly *higher* — so all classes
    tied at the boundary count as in. A target out of [0, classes) or a non-finite score anywhere in the row gives
    False (TF's kernel cannot rank the row then)."""
    scores = check_dtype(to_tensor(predictions), ("float32",), "predictions")
    targets = check_dtype(to_tensor(targets), ("int32", "int64"), "targets")
    if scores.shape.rank_known and len(scores.shape) != 2:
        raise ValueError(f"predictions must be 2-dimensional, got shape {scores.shape}")
    if targets.shape.rank_known and len(targets.shape) != 1:
        raise ValueError(f"targets must be 1-dimensional, got shape {targets.shape}")
    # a rank known only when the graph runs is checked then (as TF's kernel does)
    scores = scores if scores.shape.rank_known else ensure_shape(scores, [None, None])
    targets = targets if targets.shape.rank_known else ensure_shape(targets, [None])
    classes = scores.shape[1] if scores.shape[1] is not None else ops.cast(shape(scores)[1], targets.dtype)
    valid = ops.logical_and(ops.ge(targets, 0), ops.lt(targets, classes))
    safe = ops.where(valid, targets, ops.zeros_like(targets))  # any index in range: the result is False anyway
    target_score = ops.gather(scores, 1, ops.unsqueeze(ops.cast(safe, dtypes.int64), 1))  # [batch, 1]
    higher = ops.sum(ops.cast(ops.gt(scores, target_score), dtypes.int32), 1)
    k = to_tensor(k, dtypes.int32)
    inside = ops.lt(higher, k)
    return ops.logical_and(ops.logical_and(inside, valid), ops.all(ops.isfinite(scores), 1))


def _first_appearance_order(x):
    """(values, positions, counts) of the distinct values of the 1-D ``x`` in the order they first appear:
    the op library's sorted ``unique`` reordered by the position of each value's first occurrence."""
    values, inverse, counts = ops.unique(x, return_inverse=True, return_counts=True)
    occurrences = ops.argsort(inverse)  # stable: positions grouped by value, each group in increasing order
    first = ops.getitem(occurrences, ops.sub(ops.cumsum(counts, 0), counts))  # where each value first occurs
    order = ops.argsort(first)
    rank = ops.argsort(order)  # the inverse permutation: sorted value j is value rank[j] in appearance order
    return ops.getitem(values, order), ops.getitem(rank, inverse), ops.getitem(counts, order)


def _unique_input(x):
    x = to_tensor(x)
    if x.shape.rank_known and len(x.shape) != 1:
        raise ValueError(f"unique expects a 1D vector, got shape {x.shape}")
    return x


@tf_op("Unique", one_op=True)
def unique(x, out_idx=dtypes.int32, name=None):
    """``(y, idx)``: the distinct values of the 1-D ``x`` in the order they first appear, and for each entry of
    ``x`` the position of its value in ``y`` (``y[idx] == x``), as ``out_idx`` (int32 or int64)."""
    out_idx = check_dtype(dtypes.as_dtype(out_idx), ("int32", "int64"), "out_idx")
    y, idx, _ = _first_appearance_order(_unique_input(x))
    return Unique(y, ops.cast(idx, out_idx))


@tf_op("UniqueWithCounts", one_op=True)
def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """``unique`` and how often each distinct value occurs: ``(y, idx, count)``."""
    out_idx = check_dtype(dtypes.as_dtype(out_idx), ("int32", "int64"), "out_idx")
    y, idx, counts = _first_appearance_order(_unique_input(x))
    return UniqueWithCounts(y, ops.cast(idx, out_idx), ops.cast(counts, out_idx))


for _namespace in (nn, math):
    _namespace.top_k, _namespace.in_top_k = top_k, in_top_k

__all__ = ["sort", "argsort", "unique", "unique_with_counts"]
