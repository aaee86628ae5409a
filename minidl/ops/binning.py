"""Putting numbers into bins: ``histc`` (a histogram of equal-width bins), ``searchsorted`` (where would each value
go in a sorted sequence?) and ``bucketize`` (the same question asked the other way round).

All three answer with counts or positions, which do not change when the inputs move a little (and jump when
they cross an edge): they have no gradient, as in PyTorch.
"""
import math
import numbers

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .opmath import float16_in_float32
from .reduce import check_tensor

__all__ = ["histc", "searchsorted", "bucketize"]


class Histc(Op):
    """Counts of the entries of ``x`` in ``bins`` equal-width bins spanning [low, high]; entries outside are left
    out, and one equal to ``high`` counts in the last bin. ``low == high`` means: use x's min and max (widened by
    1 each way if they are equal too). The counts come in x's dtype, as in PyTorch."""
    differentiable = False

    @staticmethod
    @float16_in_float32  # ((v - low) · bins passes 65504 for float16 values in the hundreds)
    def forward(xp, x, bins, low, high):
        if low == high and x.size:
            low, high = float(x.min()), float(x.max())
        if low == high:
            low, high = low - 1, high + 1
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"torch.histc: range of [{low}, {high}] is not finite")
        x = x.ravel()
        x = x[(x >= low) & (x <= high)]
        # the bin of v: floor((v - low) · bins / (high - low)); v == high would open bin number ``bins``
        position = ((x - low) * bins / (high - low)).astype(dtypes.int64)
        counts = xp.bincount(xp.minimum(position, bins - 1), minlength=bins)
        return counts.astype(x.dtype)

    @staticmethod
    def infer(x, bins, low, high):
        return Spec((bins,), x.dtype)


def histc(input, bins=100, min=0, max=0):
    """A histogram of ``input`` (all entries, any shape) with ``bins`` equal bins over [min, max]
    (min == max, the default: over the range of the data). Floating point tensors only."""
    check_tensor("histc", input)
    if not dtypes.is_floating_point(input.dtype):
        raise TypeError(f"histc: not implemented for {describe(input)}; it needs a floating point tensor")
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral):
        raise TypeError(f"histc(): bins must be an int, got {bins!r}")
    if bins <= 0:
        raise OpError(f"histc: bins must be > 0, but got {bins}")
    low, high = float(min), float(max)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise OpError(f"torch.histc: range of [{low}, {high}] is not finite")
    if low > high:
        raise OpError(f"torch.histc: max must be larger than min (got min={min}, max={max})")
    return apply(Histc, input, bins=int(bins), low=low, high=high)


class Searchsorted(Op):
    """For each value v, the position in the sorted last dim of ``sequence`` where v would be inserted to keep it
    sorted: the number of entries < v (``right``: ≤ v); a NaN value goes after them all. A 1-d sequence serves
    every value; an N-d one holds one sequence per row, for the values in the same row. An optional third input,
    ``sorter``, holds the positions that sort an unsorted sequence."""
    differentiable = False

    @staticmethod
    def forward(xp, sequence, values, *sorter, right, dtype):
        if sorter:
            (order,) = sorter
            n = sequence.shape[-1]
            if order.size and not (bool((order >= 0).all()) and bool((order < n).all())):
                raise OpError(f"torch.searchsorted(): sorter index out of range (the sequence has {n} entries)")
            sequence = xp.take_along_axis(sequence, order, axis=-1)
        values = xp.asarray(values)
        if sequence.ndim == 1:  # binary search, log(n) comparisons per value
            positions = xp.searchsorted(sequence, values, side="right" if right else "left")
        else:  # one row each: count, comparing every value with its whole row
            row, value = sequence[..., None, :], values[..., :, None]
            positions = ((row <= value) if right else (row < value)).sum(axis=-1)
        if values.dtype.kind == "f":  # NaN compares False with every entry: it goes after them all, as in PyTorch
            positions = xp.where(xp.isnan(values), sequence.shape[-1], positions)
        return xp.asarray(positions).astype(dtype, copy=False)

    @staticmethod
    def infer(sequence, values, *sorter, right, dtype):
        return Spec(values.shape, dtype)


def _side(right, side):
    if side is None:
        return bool(right)
    if side not in ("left", "right"):
        raise OpError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise OpError("torch.searchsorted(): side and right can't be set to opposites, got side of left while right "
                      "was True")
    return side == "right"


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where to insert ``input`` into ``sorted_sequence`` to keep it sorted: an int64 tensor of positions
    (int32 with ``out_int32``) shaped like ``input``. ``right=False`` / ``side='left'`` gives the first
    suitable position (the number of entries < v), ``right=True`` / ``side='right'`` the last (entries ≤ v).

    ``sorted_sequence`` is 1-d, or N-d with its leading dims equal to those of ``input``: then each row of
    input is searched in its own row. ``input`` may be a number (a 0-d answer, 1-d sequence only)."""
    check_tensor("searchsorted", sorted_sequence)
    if sorted_sequence.ndim == 0:
        raise OpError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension")
    right = _side(right, side)
    if is_tensor(input):
        shape = tuple(input.shape)
    elif isinstance(input, numbers.Real) and not isinstance(input, bool):
        shape, input = (), dtypes.scalar_dtype(input).type(input)  # a numpy scalar, as ``promote`` makes
    else:
        raise TypeError(f"searchsorted(): input must be a tensor or a number, got {type(input).__name__}")
    if dtypes.is_complex(sorted_sequence.dtype) or dtypes.is_complex(getattr(input, "dtype", dtypes.float32)):
        raise TypeError("searchsorted: complex numbers have no order")
    if sorted_sequence.ndim > 1:
        if not shape:
            raise OpError(f"torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension "
                          f"is 1, but we got boundaries tensor dim({sorted_sequence.ndim}) and input value's dim(0)")
        leading = zip(sorted_sequence.shape[:-1], shape[:-1])
        if len(shape) != sorted_sequence.ndim or any(None not in pair and pair[0] != pair[1] for pair in leading):
            raise OpError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                          f"of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                          f"{list(sorted_sequence.shape)} and input value tensor {list(shape)}")
    extra = ()
    if sorter is not None:
        check_tensor("searchsorted", sorter)
        if sorter.dtype.kind not in "iu" or tuple(sorter.shape) != tuple(sorted_sequence.shape):
            raise OpError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                          f"tensor {list(sorted_sequence.shape)} and got sorter tensor {describe(sorter)}")
        extra = (sorter,)
    return apply(Searchsorted, sorted_sequence, input, *extra, right=right,
                 dtype=dtypes.int32 if out_int32 else dtypes.int64)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each entry of ``input`` between sorted 1-d ``boundaries``: i such that
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x < boundaries[i]``) —
    ``searchsorted(boundaries, input)``. ``input`` may be a number."""
    check_tensor("bucketize", boundaries)
    if boundaries.ndim != 1:
        raise OpError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
