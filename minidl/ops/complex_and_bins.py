"""Two functions from PyTorch's top level: ``polar``, complex numbers from their magnitude and phase, and
``histogram`` / ``histogramdd``, counts of values in bins returned with the bins' edges (``histc``, which returns
counts alone, is in binning.py).
"""
import math
import numbers
from collections import namedtuple

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .indexing import getitem
from .infer import broadcast_shapes
from .promote import require_same_dtype
from .shape import reshape
from .spectral import complex
from .unary import cos, sin

__all__ = ["polar", "histogram", "histogramdd"]

HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])
HistogramddResult = namedtuple("histogramdd", ["hist", "bin_edges"])

_REAL_FLOATS = (dtypes.float32, dtypes.float64)


# ------------------------------------------------------------------------------------------------- polar

def polar(abs, angle):
    """``torch.polar``: the complex numbers ``abs · e^{i angle} = abs cos(angle) + i abs sin(angle)`` (complex64
    from float32 tensors, complex128 from float64; the operands broadcast). A composition, so both operands get
    gradients: for the gradient g of z, ``g_abs = Re(g) cos(angle) + Im(g) sin(angle)`` and
    ``g_angle = abs (Im(g) cos(angle) - Re(g) sin(angle))`` — PyTorch's numbers for abs > 0. (PyTorch computes
    g_abs as Re(conj(g) z / |z|): 0 at abs = 0, where the derivative is e^{i angle}, and of the other sign for
    abs < 0, where its documentation calls polar undefined.)"""
    for name, x in (("abs", abs), ("angle", angle)):
        if not is_tensor(x):
            raise TypeError(f"polar(): argument '{name}' must be a tensor, not {type(x).__name__}")
    if abs.dtype not in _REAL_FLOATS or angle.dtype not in _REAL_FLOATS:
        raise DtypeError(f"polar: expected both inputs to be float32 or float64 tensors, but got {describe(abs)} and "
                         f"{describe(angle)}")
    require_same_dtype("polar", [("abs", abs), ("angle", angle)])
    broadcast_shapes("polar", abs.shape, angle.shape)
    return complex(abs * cos(angle), abs * sin(angle))


# ------------------------------------------------------------------------------------------------ histograms

def _even_edges(xp, x, count, span, dim):
    """``count + 1`` equally spaced edges across ``span`` = (low, high), or across the values ``x`` when it is None
    (0 to 1 when there are none); a single value gets the bins across value ± 0.5.

    Computed as torch.linspace computes them, so that a value on an edge falls in the same bin: low, high and the
    step rounded to x's dtype, the first half of the edges counted up from low, the rest down from high (both
    ends exact), each edge ``low + step * i`` rounded once — PyTorch's fused multiply-add. Exact float64
    arithmetic rounded to float32 does just that; for float64 edges it rounds twice (at most 1 ulp off)."""
    if span is None:
        span = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
        if not all(math.isfinite(end) for end in span):
            raise OpError(f"histogramdd: dimension {dim}'s range [{span[0]:g}, {span[1]:g}] is not finite")
    low, high = span
    if low == high:
        low, high = low - 0.5, high + 0.5
    number = x.dtype.type
    low, high = number(low), number(high)
    step = dtypes.float64.type((high - low) / number(count))
    i = xp.arange(count + 1, dtype=dtypes.float64)
    edges = xp.where(i < (count + 1) // 2, low + step * i, high - step * (count - i))
    return edges.astype(x.dtype)


class Histogramdd(Op):
    """Counts of points (N, D) in a grid of bins: in dim d, bin i holds the values x with
    ``edges[i] <= x < edges[i + 1]`` (the last bin also x equal to its right edge); points outside are left out.
    The edges are inputs (``bins`` None) or ``bins[d]`` equal bins across ``ranges[d]`` (the data's range when
    ``ranges`` is None). With ``weighted``, the last input holds a weight per point, summed instead of counted;
    ``density`` divides by the total and by each bin's volume (the product of its widths).

    Outputs: the counts (bins[0], ..., bins[D-1]) in the points' dtype, and all edges, concatenated. No gradient:
    counts do not change when a point moves a little (PyTorch defines none either)."""
    n_outputs = 2
    differentiable = False

    @staticmethod
    def forward(xp, points, *tensors, bins, ranges, weighted, density):
        dims = points.shape[-1]
        points = points.reshape(-1, dims)
        if bins is None:
            edges = tensors[:dims]
        else:
            edges = [_even_edges(xp, points[:, d], bins[d], ranges and ranges[d], d) for d in range(dims)]
        inside = xp.ones(points.shape[0], dtype=bool)
        cell = xp.zeros(points.shape[0], dtype=dtypes.int64)  # the bin's number in the flattened grid
        for d, e in enumerate(edges):
            x = points[:, d]
            inside &= (x >= e[0]) & (x <= e[-1])  # (NaN is in no bin)
            position = xp.minimum(xp.searchsorted(e, x, side="right") - 1, len(e) - 2)  # right edge: last bin
            cell = cell * (len(e) - 1) + position
        shape = tuple(len(e) - 1 for e in edges)
        weights = tensors[-1].reshape(-1)[inside] if weighted else None
        hist = xp.bincount(cell[inside], weights=weights, minlength=math.prod(shape))
        hist = hist.astype(points.dtype).reshape(shape)
        if density:
            volume = 1
            for d, e in enumerate(edges):
                volume = volume * xp.diff(e).reshape((1,) * d + (-1,) + (1,) * (dims - d - 1))
            with numpy.errstate(divide="ignore", invalid="ignore"):  # no points, or an empty bin: NaN as in PyTorch
                hist = hist / hist.sum() / volume
        return hist, xp.concatenate(edges)

    @staticmethod
    def infer(points, *tensors, bins, ranges, weighted, density):
        if bins is None:
            bins = tuple(None if e.shape[0] is None else e.shape[0] - 1 for e in tensors[:points.shape[-1]])
        edges = None if None in bins else sum(bins) + len(bins)
        return Spec(tuple(bins), points.dtype), Spec((edges,), points.dtype)


def _check_points(op_name, x):
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): expected a tensor as input, got {type(x).__name__}")
    if x.dtype not in _REAL_FLOATS:
        raise DtypeError(f"{op_name}: not implemented for {describe(x)}; it takes float32 or float64 tensors")


def _histogram(op_name, points, bins, span, weight, density):
    """Check the arguments shared by ``histogram`` and ``histogramdd`` and apply the op: ``points`` (..., D),
    ``bins`` a list of D ints or of D 1-d tensors of edges, ``span`` None or 2D numbers (low and high per dim),
    ``weight`` None or a tensor of the points' dtype. Returns (hist, concatenated edges, number of edges per dim)."""
    edges_given = [is_tensor(b) for b in bins]
    if any(edges_given):
        for d, e in enumerate(bins):
            if not is_tensor(e):
                raise TypeError(f"{op_name}: bins must be all numbers or all tensors of edges, got {bins!r}")
            if e.ndim != 1:
                raise OpError(f"{op_name}: bins tensor should have one dimension, but got {e.ndim} dimensions in the "
                              f"bins tensor for dimension {d}")
            if e.dtype != points.dtype:
                raise DtypeError(f"{op_name}: input tensor and bins tensors should have the same dtype, but got input "
                                 f"{describe(points)} and bins for dimension {d} {describe(e)}")
            if e.shape[0] is not None and e.shape[0] < 2:
                raise OpError(f"{op_name}: bins must be > 0, but got {e.shape[0] - 1} for dimension {d}")
        if span is not None:
            raise TypeError(f"{op_name}: range goes with a number of bins, not with tensors of bin edges")
        lengths, attrs, extra = [e.shape[0] for e in bins], dict(bins=None, ranges=None), list(bins)
    else:
        for d, count in enumerate(bins):
            if isinstance(count, bool) or not isinstance(count, numbers.Integral):
                raise TypeError(f"{op_name}(): bins must be an int or a 1-d tensor of bin edges, got {count!r}")
            if count <= 0:
                raise OpError(f"{op_name}(): bins must be > 0, but got {count} for dimension {d}")
        lengths, extra = [int(count) + 1 for count in bins], []
        attrs = dict(bins=tuple(int(count) for count in bins), ranges=_spans(op_name, span, len(bins)))
    if weight is not None:
        require_same_dtype(op_name, [("input", points), ("weight", weight)])
        extra.append(weight)
    hist, edges = apply(Histogramdd, points, *extra, weighted=weight is not None, density=bool(density), **attrs)
    return hist, edges, lengths


def _spans(op_name, span, dims):
    """``range`` as a tuple of (low, high) pairs, one per dim, or None."""
    if span is None:
        return None
    span = list(span)
    if len(span) != 2 * dims:
        raise OpError(f"{op_name}: for a {dims}-dimensional histogram range should have {2 * dims} elements, but "
                      f"got {len(span)}")
    if not all(isinstance(end, numbers.Real) and not isinstance(end, bool) for end in span):
        raise TypeError(f"{op_name}: range must hold numbers, got {span!r}")
    pairs = tuple((float(span[2 * d]), float(span[2 * d + 1])) for d in range(dims))
    for d, (low, high) in enumerate(pairs):
        if not (math.isfinite(low) and math.isfinite(high)):
            raise OpError(f"{op_name}: dimension {d}'s range [{low:g}, {high:g}] is not finite")
        if low > high:
            raise OpError(f"{op_name}: min should not exceed max, but got min {low:g} max {high:g} for dimension {d}")
    return pairs


def _check_weight(op_name, weight, input, innermost):
    """``weight``: a tensor with one entry per value of ``input`` (per point: without its ``innermost`` dim)."""
    if not is_tensor(weight):
        raise TypeError(f"{op_name}: weight must be a tensor, got {type(weight).__name__}")
    expected = tuple(input.shape[:-1] if innermost else input.shape)
    if tuple(weight.shape) != expected:
        raise OpError(f"{op_name}: if weight tensor is provided it should have the same shape as the input tensor"
                      f"{' excluding its innermost dimension' if innermost else ''}, but got input {describe(input)} "
                      f"and weight {describe(weight)}")
    return weight


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """``torch.histogram``: the named tuple ``(hist, bin_edges)`` of all values of ``input`` (any shape, float32
    or float64). ``bins`` is a number of equal bins — across ``range`` = (min, max), or across the values' own
    range — or a 1-d tensor of edges (increasing, the rightmost included). Each bin counts the values x with
    ``edge_i <= x < edge_i+1`` (the last bin also x equal to the last edge); values outside are left out.
    ``weight`` (input's shape) sums weights instead of counting; ``density=True`` divides by the total and by the
    bins' widths, making the histogram integrate to 1. ``hist`` has input's dtype. No gradient."""
    _check_points("histogram", input)
    if weight is not None:
        weight = reshape(_check_weight("histogram", weight, input, innermost=False), (-1,))
    hist, edges, _ = _histogram("histogram", reshape(input, (-1, 1)), [bins], range, weight, density)
    return HistogramResult(hist, edges)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """``torch.histogramdd``: the named tuple ``(hist, bin_edges)`` of points (..., D) — the last dim holds each
    point's D coordinates — in a D-dimensional grid of bins. ``bins``: one number for every dim, a list of D
    numbers, or a list of D 1-d tensors of edges; ``range``: 2D numbers, (min, max) of each dim in turn;
    ``weight``: one per point (input's shape without its last dim). ``bin_edges`` is a tuple of D tensors. See
    ``histogram`` for the rest."""
    _check_points("histogramdd", input)
    if input.ndim < 2:
        raise OpError(f"histogramdd: input tensor should have at least 2 dimensions, got {describe(input)}")
    dims = input.shape[-1]
    if dims is None:
        raise NotImplementedError(f"histogramdd: the number of dimensions (input's last dim) must be known when the "
                                  f"graph is built, got {describe(input)}")
    counts = [bins] * dims if isinstance(bins, numbers.Integral) and not isinstance(bins, bool) else list(bins)
    if len(counts) != dims:
        raise OpError(f"histogramdd: The size of bins must be equal to the innermost dimension of the input, got "
                      f"{len(counts)} bins for {describe(input)}")
    if weight is not None:
        _check_weight("histogramdd", weight, input, innermost=True)
    hist, edges, lengths = _histogram("histogramdd", input, counts, range, weight, density)
    starts = numpy.cumsum([0] + lengths)
    return HistogramddResult(hist, tuple(getitem(edges, slice(int(start), int(start) + length))
                                         for start, length in zip(starts, lengths)))
