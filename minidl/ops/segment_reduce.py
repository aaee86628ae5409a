"""``segment_reduce``: reduce consecutive runs of rows along one axis, each run (segment) to one entry.

With ``lengths = [2, 0, 3]`` along an axis of size 5 the result has 3 entries there: the reduction of rows 0-1, of
no rows, and of rows 2-4. ``offsets = [0, 2, 2, 5]`` says the same by where each segment starts and ends (segment i
is rows ``offsets[i]`` to ``offsets[i+1] - 1``). Both may have more dims: their last dim is the axis, their leading
dims are data's dims before it, and each of those positions has its own segments. For ∘ one of +, ·, max, min::

    out[i] = initial ∘ x[start_i] ∘ x[start_i + 1] ∘ ... ∘ x[end_i - 1]      (in this order, as PyTorch adds)
    mean:    out[i] = (initial + Σ x) / length_i

An empty segment gets ``initial`` if given, else 0 (sum), 1 (prod), -inf (max), +inf (min) or NaN (mean). A NaN
among the rows wins max and min.

Gradients, for data only (PyTorch's, with one exception):

* sum: ``g`` to each row of the segment; mean: ``g / length``;
* prod: ``g`` times ``initial`` times the product of the segment's other rows. That is ``g·out/x`` for a row that is
  neither 0 nor NaN; for a row that is, the product of the others comes from the product of the segment's other
  rows and the numbers of 0s and NaNs among them (a NaN there makes it NaN, else a 0 makes it 0);
* max/min: ``g`` shared evenly among the rows equal to the result (the NaN rows where the result is NaN). ``initial``
  is no candidate: where it alone is the extremum, no row gets anything. PyTorch 2.13 shares only a positive ``g``
  among tied rows and hands a negative one whole to each of them; here any ``g`` is shared, which keeps the VJP
  linear in ``g``, as a VJP is.

Two ops do it all: ``SegmentReduce`` and ``SegmentExpand``, which hands each row its segment's value (the adjoint
of the segment sum, and the other way round), so derivatives of every order compose from them. The second
derivatives are exact except for prod where a segment holds two or more zeros (PyTorch has no second derivative).
"""
import math
import numbers
import operator
import warnings

import numpy

from ..backend import dtypes
from ..backend.scans import ufunc_at
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import ones_like
from .cast import cast
from .compare import clamp, eq, gt, logical_or, where
from .infer import normalize_dim
from .unary import isnan

__all__ = ["segment_reduce"]

_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "max": "maximum", "min": "minimum"}
_IDENTITIES = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "max": -math.inf, "min": math.inf}
_ALIASES = {"amax": "max", "amin": "min"}  # PyTorch takes these names too


def _offsets(xp, bounds, bounds_are, size, unsafe):
    """``bounds`` (lengths or offsets, [..., k] or [..., k + 1]) as int64 offsets [..., k + 1], checked: PyTorch's
    checks of lengths where ``unsafe`` is False, and always that the segments lie in order inside the ``size`` rows
    (PyTorch reads memory past them)."""
    bounds = bounds.astype(numpy.int64)
    if bounds_are == "lengths":
        if not unsafe and bounds.size and bool((bounds < 0).any()):
            raise OpError(f"segment_reduce(): lengths contains negative value! (lengths {describe(bounds)})")
        if not unsafe and bool((bounds.sum(axis=-1) != size).any()):
            raise OpError(f"segment_reduce(): Expected all rows of lengths along axis to sum to "
                          f"data.size(lengths.dim()-1) when !unsafe: the axis has {size} rows, lengths "
                          f"{describe(bounds)} sum to {bounds.sum(axis=-1).tolist()}")
        zero = xp.zeros(bounds.shape[:-1] + (1,), dtype=numpy.int64)
        offsets = xp.concatenate([zero, xp.cumsum(bounds, axis=-1)], axis=-1)
    else:
        offsets = bounds
    if offsets.size and bool(((offsets[..., 1:] < offsets[..., :-1]).any() | (offsets < 0).any()
                              | (offsets > size).any())):
        raise OpError(f"segment_reduce(): the segments must lie in order within the {size} rows along the axis, "
                      f"but {bounds_are} {describe(bounds)} make one of negative length or one outside rows 0 to "
                      f"{size - 1}")
    return offsets


def _segment_of_rows(xp, offsets, size):
    """[outer, size]: for each position before the axis (flattened) and each row along it, the segment the row
    lies in; k, one past the last, for a row outside every segment."""
    starts_ends = offsets.reshape(-1, offsets.shape[-1])
    outer, k = starts_ends.shape[0], starts_ends.shape[1] - 1
    # Spread the positions (size + 1) apart, so one sorted search serves them all: ends of earlier positions are
    # all below this position's rows and count k each, which is taken off again.
    spread = xp.arange(outer, dtype=numpy.int64)[:, None] * (size + 1)
    ends = (starts_ends[:, 1:] + spread).ravel()
    rows = xp.arange(size, dtype=numpy.int64)[None, :] + spread
    ids = xp.searchsorted(ends, rows.ravel(), side="right").reshape(outer, size)
    ids = ids - xp.arange(outer, dtype=numpy.int64)[:, None] * k
    return xp.where(rows < starts_ends[:, :1] + spread, k, ids)  # (rows before the first segment)


def _three_dims(shape, axis):
    """(before the axis, the axis, after it), each flattened."""
    return math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:])


class SegmentReduce(Op):
    """``out[..., i, ...]`` = the reduction of segment i's rows of ``data`` along ``axis`` (module docstring); the
    segments are ``bounds``, lengths or offsets as ``bounds_are`` says."""
    differentiable_inputs = (0,)
    saves_outputs = True  # prod, max and min divide by or compare with the result

    @staticmethod
    def forward(xp, data, bounds, axis, reduce, initial, bounds_are, unsafe):
        outer, size, inner = _three_dims(data.shape, axis)
        offsets = _offsets(xp, bounds, bounds_are, size, unsafe)
        k = offsets.shape[-1] - 1
        # each row goes to its own segment's slot; the rows outside every segment to a slot k that is cut off
        slots = _segment_of_rows(xp, offsets, size) + xp.arange(outer, dtype=numpy.int64)[:, None] * (k + 1)
        start = _IDENTITIES[reduce] if initial is None else initial
        out = xp.full((outer * (k + 1), inner), start, dtype=data.dtype)
        ufunc_at(xp, getattr(xp, _UFUNCS[reduce]), out, slots.ravel(), data.reshape(outer * size, inner))
        out = out.reshape(outer, k + 1, inner)[:, :k]
        if reduce == "mean":
            lengths = (offsets[..., 1:] - offsets[..., :-1]).reshape(outer, k, 1)
            empty = math.nan if initial is None else initial
            out = xp.where(lengths > 0, out / xp.maximum(lengths, 1).astype(data.dtype), empty).astype(data.dtype)
        return out.reshape(data.shape[:axis] + (k,) + data.shape[axis + 1:])

    @staticmethod
    def vjp(ctx, g):
        data, bounds = ctx.inputs
        attrs = ctx.attrs
        segments = dict(axis=attrs["axis"], bounds_are=attrs["bounds_are"], unsafe=attrs["unsafe"])

        def expand(values):  # each row gets its segment's value (0 outside every segment)
            return apply(SegmentExpand, values, bounds, data, **segments)

        def segment_sum(values):
            return apply(SegmentReduce, values, bounds, reduce="sum", initial=None, **segments)

        reduce = attrs["reduce"]
        if reduce == "sum":
            return expand(g), None
        if reduce == "mean":
            return expand(g / clamp(segment_sum(ones_like(data, dtype=g.dtype)), min=1)), None
        out = ctx.outputs[0]
        if reduce == "prod":
            return _prod_gradient(g, data, out, expand, segment_sum,
                                  lambda x: apply(SegmentReduce, x, bounds, reduce="prod", initial=attrs["initial"],
                                                  **segments)), None
        hits = cast(logical_or(eq(data, expand(out)), isnan(data)), g.dtype)  # NaN wins, so a NaN row is the result
        return hits * expand(g / clamp(segment_sum(hits), min=1)), None

    @staticmethod
    def infer(data, bounds, axis, bounds_are, **attrs):
        k = bounds.shape[-1]
        if bounds_are == "offsets" and k is not None:
            k -= 1
        return Spec(tuple(data.shape[:axis]) + (k,) + tuple(data.shape[axis + 1:]), data.dtype)


def _prod_gradient(g, x, out, expand, segment_sum, segment_prod):
    """``g`` times the product of the other rows of the segment (and ``initial``), see the module docstring."""
    zero, nan = eq(x, 0), isnan(x)
    unusual = logical_or(zero, nan)
    ordinary = where(unusual, 1, x)
    # for an unusual row: its segment's other zeros and NaNs, and the product of the segment's ordinary rows
    zeros_beside = expand(segment_sum(cast(zero, g.dtype))) - cast(zero, g.dtype)
    nans_beside = expand(segment_sum(cast(nan, g.dtype))) - cast(nan, g.dtype)
    others = where(gt(nans_beside, 0), math.nan, where(gt(zeros_beside, 0), 0, expand(segment_prod(ordinary))))
    return where(unusual, expand(g) * others, expand(g * out) / ordinary)


class SegmentExpand(Op):
    """Each row of ``like`` along ``axis`` (only its shape is read) gets the value of its segment in ``values`` (0
    for a row outside every segment): the adjoint of the segment sum."""
    differentiable_inputs = (0,)
    saves_inputs = (1,)  # the bounds only

    @staticmethod
    def forward(xp, values, bounds, like, axis, bounds_are, unsafe):
        size = like.shape[axis]
        offsets = _offsets(xp, bounds, bounds_are, size, unsafe)
        outer, k, inner = _three_dims(values.shape, axis)
        padded = xp.concatenate([values.reshape(outer, k, inner), xp.zeros((outer, 1, inner), values.dtype)], axis=1)
        rows = padded[xp.arange(outer)[:, None], _segment_of_rows(xp, offsets, size)]
        return rows.reshape(values.shape[:axis] + (size,) + values.shape[axis + 1:])

    @staticmethod
    def vjp(ctx, g):
        attrs = ctx.attrs
        return apply(SegmentReduce, g, ctx.inputs[1], axis=attrs["axis"], reduce="sum", initial=None,
                     bounds_are=attrs["bounds_are"], unsafe=attrs["unsafe"]), None, None

    @staticmethod
    def infer(values, bounds, like, axis, **attrs):
        return Spec(tuple(values.shape[:axis]) + (like.shape[axis],) + tuple(values.shape[axis + 1:]), values.dtype)


def _initial(initial, dtype):
    """``initial`` as a float attribute, refused as PyTorch refuses it: a non-number, or one the dtype overflows."""
    if initial is None:
        return None
    if not isinstance(initial, numbers.Number):
        raise TypeError(f"segment_reduce(): argument 'initial' must be Number, not {type(initial).__name__}")
    if isinstance(initial, numbers.Complex) and not isinstance(initial, numbers.Real):
        raise OpError(f"segment_reduce(): initial {initial!r} cannot be converted to type {dtype} without overflow")
    initial = float(initial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (numpy warns of the overflow refused below)
        overflows = math.isfinite(initial) and not numpy.isfinite(numpy.asarray(initial).astype(dtype))
    if overflows:
        raise OpError(f"segment_reduce(): initial {initial!r} cannot be converted to type {dtype} without overflow")
    return initial


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False, initial=None):
    """The ``reduce`` ("sum", "mean", "max", "min", "prod"; "amax", "amin" too) of each segment of ``data`` along
    ``axis``: segments given by their ``lengths`` or by their ``offsets`` (offsets win where both are given, as in
    PyTorch), whose last dim is ``axis``. ``initial`` starts every reduction and is what an empty segment gets;
    ``unsafe=True`` skips the check that lengths are not negative and sum to the axis's size (rows past the last
    segment then take no part). Floating-point data only; gradients for ``data``. See the module docstring."""
    if indices is not None:
        raise OpError("segment_reduce(): indices based reduction is not supported yet.")
    bounds, bounds_are = (offsets, "offsets") if offsets is not None else (lengths, "lengths")
    if bounds is None:
        raise OpError("segment_reduce(): Either lengths or offsets must be defined.")
    reduce = _ALIASES.get(reduce, reduce)
    if reduce not in _UFUNCS:
        raise OpError(f"segment_reduce(): reduce argument must be either sum, mean, max, min or prod (or amax, "
                      f"amin), got {reduce!r}")
    for name, value in (("data", data), (bounds_are, bounds)):
        if not is_tensor(value):
            raise TypeError(f"segment_reduce(): argument '{name}' must be Tensor, not {type(value).__name__}")
    if not dtypes.is_floating_point(data.dtype):
        raise NotImplementedError(f"segment_reduce(): not implemented for data of dtype {data.dtype} "
                                  f"({describe(data)}); it takes float16, float32 or float64")
    if bounds.dtype not in (dtypes.int32, dtypes.int64):
        raise NotImplementedError(f"segment_reduce(): not implemented for {bounds_are} of dtype {bounds.dtype} "
                                  f"({describe(bounds)}); they must be int32 or int64")
    axis = normalize_dim("segment_reduce", operator.index(axis), data.ndim, data)
    if data.ndim < bounds.ndim:
        raise OpError(f"segment_reduce(): Expected data.dim() >= {bounds_are}.dim(), got {describe(data)} and "
                      f"{describe(bounds)}")
    if axis != bounds.ndim - 1:
        raise OpError(f"segment_reduce(): Expected axis to be the last dimension of {bounds_are} but got {axis} "
                      f"({bounds_are} {describe(bounds)})")
    if bounds_are == "offsets" and bounds.shape[-1] == 0:
        raise OpError(f"segment_reduce(): offsets {describe(bounds)} need at least one entry along their last dim "
                      f"(k segments have k + 1 offsets)")
    if any(b is not None and d is not None and b != d for b, d in zip(bounds.shape[:-1], data.shape[:axis])):
        raise OpError(f"segment_reduce(): the leading dims of {bounds_are} {describe(bounds)} must be data's dims "
                      f"before axis {axis} (data {describe(data)})")
    return apply(SegmentReduce, data, bounds, axis=axis, reduce=reduce, initial=_initial(initial, data.dtype),
                 bounds_are=bounds_are, unsafe=bool(unsafe))
