"""Sorting and order statistics: sort, argsort, topk, kthvalue, median, unique.

Each of them (but unique) answers with entries of ``x`` — the *values* — and where along ``dim`` they were — the
int64 *indices*. A value is an entry of ``x`` moved elsewhere, so its gradient goes back to the place it came from:
zeros shaped like ``x`` with ``g`` added at ``indices`` (``scatter_add``), whose own VJP is a ``gather``, so
second order works too. ``indices`` has no gradient.

The order is the one PyTorch uses: ascending by default, NaN larger than every number (last when ascending, first
when descending). Sorting here is always *stable* — equal entries keep their order — so ``stable=False`` gives the
same answer, which PyTorch allows. Where entries tie, which of the tied entries an index names (and so which one
gets the gradient) is an implementation detail; PyTorch's choice can differ from ours.

``unique`` answers with values that no longer correspond to single entries, so it has no gradient (neither has
PyTorch's); with ``dim`` it finds the distinct slices (rows, columns...) instead of the distinct entries.
"""
import math
from collections import namedtuple

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe
from .broadcast import zeros_like
from .extrema import _check_nonempty, _one_dim, _pick_spec, _to_picked
from .gather import scatter_add
from .reduce import check_tensor

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "unique"]

#: the named tuples PyTorch returns (``torch.return_types.sort`` ...)
SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])


# --------------------------------------------------------------------------------------- the sorting order

def _order(xp, x, dim, descending):
    """int64 positions that put ``x`` in order along ``dim`` (stable; NaN counts as the largest value).

    numpy sorts ascending with NaN last. For descending order, sort the *reversed* ``x`` ascending and reverse
    that: the result is descending, NaN comes first, and equal entries still keep their original order.
    """
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable").astype(dtypes.int64, copy=False)
    backwards = xp.argsort(xp.flip(x, dim), axis=dim, kind="stable").astype(dtypes.int64, copy=False)
    return x.shape[dim] - 1 - xp.flip(backwards, dim)


def _first(index, dim, k):
    """The first ``k`` positions along ``dim``."""
    return index[(slice(None),) * dim + (slice(0, k),)]


def _scatter_back(ctx, g, g_indices):
    """The VJP of sort and topk: ``g`` added into zeros like ``x`` at the positions the values came from."""
    x, indices = ctx.inputs[0], ctx.outputs[1]
    if x.ndim == 0:  # nothing moved
        return (g,)
    return (scatter_add(zeros_like(x, dtype=g.dtype), ctx.attrs["dim"], indices, g),)


def _no_scalar_dim(xp, x):
    """The (values, indices) of sorting a 0-d tensor: itself, at position 0."""
    return x.copy(), xp.zeros((), dtype=dtypes.int64)


class Sort(Op):
    """``(values, indices)``: ``x`` sorted along ``dim`` and the positions each value came from."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    vjp = staticmethod(_scatter_back)

    @staticmethod
    def forward(xp, x, dim, descending):
        if x.ndim == 0:
            return _no_scalar_dim(xp, x)
        index = _order(xp, x, dim, descending)
        return xp.take_along_axis(x, index, axis=dim), index

    @staticmethod
    def infer(x, dim, descending):
        return Spec(x.shape, x.dtype), Spec(x.shape, dtypes.int64)


class Argsort(Op):
    """The positions that sort ``x`` along ``dim`` (integers: no gradient)."""
    differentiable = False

    @staticmethod
    def forward(xp, x, dim, descending):
        return xp.zeros((), dtype=dtypes.int64) if x.ndim == 0 else _order(xp, x, dim, descending)

    @staticmethod
    def infer(x, dim, descending):
        return Spec(x.shape, dtypes.int64)


class Topk(Op):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) entries along ``dim``, in order."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    vjp = staticmethod(_scatter_back)

    @staticmethod
    def forward(xp, x, k, dim, largest):
        if x.ndim == 0:
            return _no_scalar_dim(xp, x)
        index = _first(_order(xp, x, dim, largest), dim, k)
        return xp.take_along_axis(x, index, axis=dim), index

    @staticmethod
    def infer(x, k, dim, largest):
        shape = x.shape
        if shape:  # (a 0-d x stays 0-d; an unknown rank stays unknown)
            shape = shape[:dim] + (k,) + shape[dim + 1:]
        return Spec(shape, x.dtype), Spec(shape, dtypes.int64)


def _orderable(op_name, x, allow_bool=True):
    """Sorting needs an order: complex numbers have none; PyTorch also refuses bool for the order statistics."""
    check_tensor(op_name, x)
    if dtypes.is_complex(x.dtype) or (not allow_bool and x.dtype == dtypes.bool_):
        raise DtypeError(f"{op_name}: not implemented for {x.dtype} tensors (got {describe(x)}); the values need an "
                         f"order{'' if allow_bool else ' (cast bool tensors to an integer dtype first)'}")
    return x


def sort(input, dim=-1, descending=False, *, stable=False):
    """The named tuple ``(values, indices)``: ``input`` sorted along ``dim`` and where each value was.

    Always stable (equal entries keep their order), so ``stable`` changes nothing."""
    _orderable("sort", input)
    dim = _one_dim("sort", input, dim)
    return SortResult(*apply(Sort, input, dim=dim, descending=bool(descending)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The positions that sort ``input`` along ``dim``: ``sort(x, dim, descending).indices``."""
    _orderable("argsort", input)
    return apply(Argsort, input, dim=_one_dim("argsort", input, dim), descending=bool(descending))


def msort(input):
    """``input`` sorted along its first dim: ``sort(x, 0).values``."""
    return sort(input, 0).values


def _k(op_name, k):
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"{op_name}(): argument 'k' must be int, not {type(k).__name__}")
    return k


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The named tuple ``(values, indices)`` of the ``k`` largest entries along ``dim`` (``largest=False``: the
    smallest), largest first. The result is always sorted, which ``sorted=False`` allows."""
    _orderable("topk", input)
    dim = _one_dim("topk", input, dim)
    size = input.shape[dim] if input.ndim else 1
    if _k("topk", k) < 0 or (size is not None and k > size):
        raise OpError(f"topk: selected index k out of range: k={k}, but dimension {dim} of {describe(input)} has "
                      f"{size} entries")
    return TopkResult(*apply(Topk, input, k=k, dim=dim, largest=bool(largest)))


# ---------------------------------------------------------------------------------------- order statistics

def _take_position(xp, x, dim, keepdim, position):
    """(values, indices) of the entry at ``position`` (an int array, keepdims-shaped) of the sorted slices."""
    if x.ndim == 0:
        return _no_scalar_dim(xp, x)
    index = xp.take_along_axis(_order(xp, x, dim, False), position, axis=dim)
    values = xp.take_along_axis(x, index, axis=dim)
    return (values, index) if keepdim else (values.squeeze(dim), index.squeeze(dim))


def _kth_spec(spec, dim, keepdim, **attrs):
    return _pick_spec(spec, dim, keepdim)


class PickAlongDim(Op):
    """An order statistic: ``(values, indices)`` of one entry picked from each slice along ``dim`` (kthvalue,
    median, nanmedian, mode). The gradient of a value goes to the entry it is (``max(x, dim)``'s rule, and its
    VJP), so only the indices are kept for it."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the indices only
    infer = staticmethod(_pick_spec)
    vjp = staticmethod(_to_picked)


class Kthvalue(PickAlongDim):
    """``(values, indices)`` of the ``k``-th smallest entry (k counts from 1) along ``dim``."""
    infer = staticmethod(_kth_spec)

    @staticmethod
    def forward(xp, x, k, dim, keepdim):
        shape = (1,) * x.ndim
        return _take_position(xp, x, dim, keepdim, xp.full(shape, k - 1, dtype=dtypes.int64))


class Median(PickAlongDim):
    """``(values, indices)`` of the median along ``dim``: for an even count, the *lower* of the two middle
    entries (no averaging, so the median is always an entry of ``x``, and its gradient goes to that entry).
    A slice holding NaN has median NaN (its first NaN), as in PyTorch."""

    @staticmethod
    def forward(xp, x, dim, keepdim):
        if x.ndim == 0:
            return _no_scalar_dim(xp, x)
        n = x.shape[dim]
        if n == 0:  # median(x) of an empty x: NaN, as in PyTorch
            shape = x.shape[:dim] + ((1,) if keepdim else ()) + x.shape[dim + 1:]
            return xp.full(shape, xp.nan, dtype=x.dtype), xp.zeros(shape, dtype=dtypes.int64)
        nans = xp.sum(x != x, axis=dim, keepdims=True)  # NaN is the one value not equal to itself
        # sorted ascending, the first NaN sits right after the numbers
        position = xp.where(nans > 0, n - nans, (n - 1) // 2).astype(dtypes.int64, copy=False)
        return _take_position(xp, x, dim, keepdim, position)


class MedianOfAll(Op):
    """The lower median of every entry of x (0-d; NaN if x holds NaN or nothing). Its gradient is shared evenly by
    all the entries equal to it (the NaNs, when it is NaN), as PyTorch shares it — not given to one of them."""
    name = "Median"
    saves_outputs = True
    infer = staticmethod(lambda x: Spec((), x.dtype))

    @staticmethod
    def forward(xp, x):
        return Median.forward(xp, x.reshape(-1), dim=0, keepdim=False)[0]

    @staticmethod
    def vjp(ctx, g):
        from .compare import eq, isnan, logical_and, logical_or  # (compare builds on the modules of this one)
        from .cast import cast
        from .reduce import sum
        x, y = ctx.inputs[0], ctx.outputs[0]
        ties = cast(logical_or(eq(x, y), logical_and(isnan(x), isnan(y))), x.dtype)
        return (g * ties / sum(ties),)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The named tuple ``(values, indices)`` of the ``k``-th smallest entry along ``dim`` (``k=1``: the minimum)."""
    _orderable("kthvalue", input, allow_bool=False)
    dim = _one_dim("kthvalue", input, dim)
    size = input.shape[dim] if input.ndim else 1
    if _k("kthvalue", k) < 1 or (size is not None and k > size):
        raise OpError(f"kthvalue: selected number k out of range for dimension {dim}: k={k}, but {describe(input)} has "
                      f"{size} entries there (k counts from 1)")
    return KthvalueResult(*apply(Kthvalue, input, k=k, dim=dim, keepdim=bool(keepdim)))


def median(input, dim=None, keepdim=False):
    """``median(x)``: the lower median of all entries (0-d; NaN for an empty x).
    ``median(x, dim, keepdim=False)``: the named tuple ``(values, indices)`` along ``dim``.

    Unlike numpy's, the median of an even count is the lower middle entry, not the mean of the two."""
    _orderable("median", input, allow_bool=False)
    if dim is None:
        return apply(MedianOfAll, input)
    dim = _one_dim("median", input, dim)
    _check_nonempty("median", input, (dim,) if input.ndim else (), False)
    return MedianResult(*apply(Median, input, dim=dim, keepdim=bool(keepdim)))


# ---------------------------------------------------------------------------------------------------- unique

class Unique(Op):
    """The distinct values of ``x`` in ascending order, the ``inverse`` (for each entry of ``x``, the position of
    its value among them: ``values[inverse] == x``) and the ``counts`` of each value.

    Sort the entries; a new value starts wherever an entry differs from the one before it. NaN differs from
    everything, itself included, so each NaN is a value of its own, as in PyTorch.

    With ``dim``, the same for the *slices* of ``x`` along ``dim`` (rows of a matrix for dim 0): they are sorted
    lexicographically (by their first entry, ties broken by the second...: ``lexsort``), a new one starts
    wherever a slice differs from the one before it in some entry, and ``inverse`` has one entry per slice.
    """
    n_outputs = 3
    differentiable = False

    @staticmethod
    def forward(xp, x, dim):
        shape, flat = x.shape, dim is None
        if flat:
            x, dim = x.reshape(-1), 0
        n = x.shape[dim]
        slices = xp.moveaxis(x, dim, 0).reshape(n, math.prod(x.shape) // n if n else 0)
        if slices.shape[1] == 1:  # single entries (dim=None): a plain stable sort
            order = xp.argsort(slices[:, 0], kind="stable")
        else:  # lexsort's last key is the primary one: the slices' first entries
            order = xp.lexsort(slices.T[::-1]) if slices.shape[1] else xp.arange(n)
        ordered = slices[order]
        starts = xp.ones(n, dtype=bool)
        starts[1:] = xp.any(ordered[1:] != ordered[:-1], axis=1)
        values = xp.take(x, order[starts], axis=dim)
        group = xp.cumsum(starts, dtype=dtypes.int64) - 1  # which distinct slice each sorted slice is
        inverse = xp.empty_like(group)
        inverse[order] = group
        counts = xp.bincount(group, minlength=values.shape[dim]).astype(dtypes.int64, copy=False)
        return values, inverse.reshape(shape) if flat else inverse, counts

    @staticmethod
    def infer(x, dim):
        if dim is None:
            return Spec((None,), x.dtype), Spec(x.shape, dtypes.int64), Spec((None,), dtypes.int64)
        values = None if x.shape is None else x.shape[:dim] + (None,) + x.shape[dim + 1:]
        return (Spec(values, x.dtype), Spec((None if x.shape is None else x.shape[dim],), dtypes.int64),
                Spec((None,), dtypes.int64))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` (flattened), ascending; with ``return_inverse`` / ``return_counts`` also the
    inverse indices (shaped like ``input``) and the count of each value, as a tuple. Not differentiable.

    With ``dim``: the distinct slices of ``input`` along ``dim`` (``unique(m, dim=0)``: the distinct rows of a
    matrix), sorted lexicographically; the inverse then has one entry per slice of ``input``. The result is always
    sorted (``sorted=False`` allows it, as PyTorch's CPU kernel does the same)."""
    _orderable("unique", input)
    if dim is not None:
        if input.ndim == 0:
            raise IndexError(f"unique: Dimension specified as {dim} but tensor has no dimensions ({describe(input)})")
        dim = _one_dim("unique", input, dim)
        empty = [d for d, n in enumerate(input.shape) if n == 0]
        if len(empty) > 1:
            raise OpError(f"unique: Number of zero sized dimensions is more than one, so unique cannot be applied "
                          f"(dim={dim}, input {describe(input)})")
        if empty and empty != [dim]:
            raise OpError(f"unique: There are 0 sized dimensions, and they aren't selected (dim={dim}, input "
                          f"{describe(input)}), so unique cannot be applied")
    values, inverse, counts = apply(Unique, input, dim=dim)
    extra = (inverse,) * bool(return_inverse) + (counts,) * bool(return_counts)
    return (values,) + extra if extra else values
