"""Resampling one dim of a tensor: which input positions each output position reads (its *taps*) and with which
weights, and the resize built from them with ops. PyTorch's ``interpolate`` (eager) and TensorFlow's
``tf.image.resize_*`` (graph) are both made of it; they differ only in their rules.

Resizing an image is separable: resize its rows, then its columns. Along one dim, output position ``i`` is a
weighted sum of a few input positions::

    out[i] = Σ_k  w[k, i] · x[p[k, i]]

so a resize is one ``index_select`` per tap and a weighted sum, and its gradient — each input position collecting
``w · g`` from every output that read it — comes from those ops. The tables ``p`` (positions) and ``w`` (weights)
depend only on the sizes and the rule, so the op ``Taps`` computes them with numpy from the input's size when it
runs (a graph may not know an image's height before then).

**Where output position i reads.** With the step ``s = in / out`` (``1 / scale_factor`` when PyTorch is given
one), the source coordinate of output ``i`` is

* ``i · s`` — TF1's legacy rule (its default), and PyTorch's ``'nearest'``: the top-left corners line up;
* ``(i + ½) · s − ½`` — *half-pixel centres*, PyTorch's linear modes and TF's ``half_pixel_centers=True``: pixel
  centres line up, so the image is not shifted (clamped at 0: a coordinate before the first pixel reads it);
* ``i · (in − 1) / (out − 1)`` — ``align_corners``: the centres of the corner pixels line up exactly.

**The kernels.**

* ``nearest`` — one tap: the pixel at ``floor(src)`` (TF with ``align_corners``: ``src`` rounded, halves away from
  0; centred nearest: ``floor((i + ½) · s)``);
* ``linear`` — two taps ``x0 = floor(src)`` and ``x0 + 1`` with weights ``1 − λ`` and ``λ = src − x0``;
* ``cubic`` (TF's bicubic and PyTorch's) — four taps ``x0 − 1 … x0 + 2`` weighted by Keys' cubic kernel at the
  distances ``1 + λ, λ, 1 − λ, 2 − λ`` (the two differ in the kernel's parameter and at the edges: see
  ``_cubic``);
* ``area`` (TF) — output ``i`` averages the box ``[i · s, (i + 1) · s)`` of the input: each input cell ``j`` it
  overlaps weighs ``overlap / s``.

**Antialiasing** (PyTorch's ``antialias=True``, as PIL resizes). Shrinking by ``s > 1`` with two or four taps
skips input pixels: a pattern finer than the output grid comes back as a false coarser one (*aliasing*: a
striped shirt turns into wavy bands). So the filter — the triangle ``max(0, 1 − |d|)`` for linear, Keys' cubic
with ``a = −0.5`` for cubic — is stretched by ``s``: output ``i``, centred at ``c = (i + ½) · s`` in input
coordinates, weighs the input pixel ``j`` (centred at ``j + ½``) by ``filter((j + ½ − c) / s)``, over every pixel
within ``support · s`` of ``c`` (support 1 for the triangle, 2 for the cubic), and these weights are divided by
their sum so that they add up to 1 (the edges cut the filter short). The output thus averages all the input pixels
it covers, a low-pass filter that removes the too-fine patterns before they can alias. Enlarging (``s ≤ 1``)
keeps the filter unstretched, which is plain interpolation away from the edges. With ``align_corners`` only the
step ``s`` changes (``(in − 1) / (out − 1)``, 0 for a single output position): the centres stay ``(i + ½) · s``.

Taps beyond the edges read the edge pixel (``clip``). Coordinates are computed in float32 (or float64, for
PyTorch's double input), as the frameworks' kernels do, so that the same pixels are picked.
"""
import functools
from typing import NamedTuple, Optional

import numpy

from ..backend import dtypes
from .arithmetic import add, mul
from .base import Op, OpError, Spec, apply, describe
from .indexing import getitem, index_select
from .shape import reshape

__all__ = []  # used through ``resample``, by the front-ends' resizing functions


class Rule(NamedTuple):
    """Where each output position reads, and how (hashable: it is the attr of ``Taps``).

    ``kernel``: 'nearest', 'linear', 'cubic' or 'area'. ``align_corners`` and ``half_pixel`` choose the source
    coordinates (see the module docstring). ``precision``: the float type the coordinates are computed in.
    ``torch_kernel``: None for TensorFlow's rules; for PyTorch's, 'image' (its kernels for 4-D input) or 'other'
    (3-D and 5-D input), whose ``'nearest'`` rules differ slightly. ``scale_factor``: PyTorch's, when it sets the
    step instead of the sizes. ``antialias``: stretch the linear or cubic filter when shrinking (PyTorch's
    ``antialias=True``; see the module docstring).
    """
    kernel: str
    align_corners: bool = False
    half_pixel: bool = False
    precision: str = "float32"
    torch_kernel: Optional[str] = None
    scale_factor: Optional[float] = None
    antialias: bool = False


# ----------------------------------------------------------------------------------- tables (numpy)

def _step(rule, in_size, out_size, dtype):
    """The distance between the source coordinates of neighbouring output positions. (A single output position
    with aligned corners reads from 0 on: its step only matters to the area kernel, whose box is then the whole
    input.)"""
    if rule.align_corners and out_size > 1:
        return dtype(in_size - 1) / dtype(out_size - 1)
    if rule.scale_factor is not None and rule.scale_factor > 0:
        return dtype(1.0 / rule.scale_factor)
    return dtype(in_size) / dtype(out_size)


def _source(rule, in_size, out_size, dtype, clamp=True):
    """Each output position's source coordinate: ``i · s``, or ``(i + ½) · s − ½`` with half-pixel centres
    (clamped at 0 unless told otherwise)."""
    positions, step = numpy.arange(out_size, dtype=dtype), _step(rule, in_size, out_size, dtype)
    if not rule.half_pixel:
        return positions * step
    source = (positions + dtype(0.5)) * step - dtype(0.5)
    return numpy.maximum(source, dtype(0)) if clamp else source


def _round_half_away(source):
    """C's ``roundf``: halves away from 0 (numpy's ``round`` sends them to even)."""
    base = numpy.floor(source)
    return base + (source - base >= 0.5)


def _torch_nearest(rule, in_size, out_size, dtype):
    """PyTorch's nearest pixels, rounded down with ``floorf`` (in float32). Its kernel for images (4-D input)
    computes in float32, copies a dim whose size does not change and halves the positions when it doubles; its
    kernel for 3-D and 5-D input computes in the input's precision."""
    positions = numpy.arange(out_size)
    if rule.torch_kernel == "image":
        if not rule.half_pixel and out_size == in_size:
            return positions
        if not rule.half_pixel and out_size == 2 * in_size:
            return positions // 2
        step = _step(rule, in_size, out_size, numpy.float32)
        source = (positions + 0.5) * numpy.float64(step) if rule.half_pixel else positions.astype(numpy.float32) * step
    elif rule.half_pixel:
        source = _source(rule, in_size, out_size, dtype) + dtype(0.5)
    else:
        source = positions.astype(dtype) * _step(rule, in_size, out_size, dtype)
    return numpy.floor(source.astype(numpy.float32))


def _nearest(rule, in_size, out_size, dtype):
    """One tap of weight 1: the pixel nearest to each output position."""
    if rule.torch_kernel is not None:
        picks = _torch_nearest(rule, in_size, out_size, dtype)
    else:  # TF: floor(i·s), floor((i + ½)·s) with half-pixel centres, or round(i·s) with aligned corners
        source = (numpy.arange(out_size, dtype=dtype) + dtype(0.5 if rule.half_pixel else 0)) * \
            _step(rule, in_size, out_size, dtype)
        picks = _round_half_away(source) if rule.align_corners else numpy.floor(source)
    return picks[None], numpy.ones((1, out_size), dtype)


def _linear(rule, in_size, out_size, dtype):
    """Two taps: ``floor(src)`` and the next pixel, weighted ``1 − λ`` and ``λ``. PyTorch copies a dim whose size
    does not change (whatever the scale factor)."""
    if rule.torch_kernel is not None and out_size == in_size:
        positions = numpy.arange(out_size)
        return numpy.stack([positions, positions]), numpy.stack([numpy.ones(out_size, dtype),
                                                                 numpy.zeros(out_size, dtype)])
    source = _source(rule, in_size, out_size, dtype)
    lower = numpy.minimum(source.astype(numpy.int64), in_size - 1)  # source >= 0: truncating is flooring
    weight_upper = (source - lower.astype(dtype)).astype(dtype)
    return numpy.stack([lower, lower + 1]), numpy.stack([dtype(1) - weight_upper, weight_upper])


def _keys(distance, a):
    """Keys' cubic convolution kernel: 1 at distance 0, 0 at the other integers, a smooth cubic between; ``a``
    sets how much it overshoots (-0.5 interpolates a quadratic exactly; -0.75 is sharper)."""
    d = numpy.abs(distance)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return numpy.where(d <= 1, near, numpy.where(d < 2, far, 0.0))


def _cubic(rule, in_size, out_size, dtype):
    """Four taps around ``x0 = floor(src)``, weighted by Keys' kernel at the distances ``1 + λ, λ, 1 − λ, 2 − λ``.

    * TF looks its weights up in a table of 1025 entries, so ``λ`` is rounded to a multiple of 1/1024. Its legacy
      rule uses ``a = -0.75`` and reads the edge pixel for taps beyond the edges; with half-pixel centres it uses
      ``a = -0.5``, gives such taps weight 0 and rescales the others to sum to 1.
    * PyTorch (``mode='bicubic'``) always uses ``a = -0.75`` and reads the edge pixel for taps beyond the edges.
      Its half-pixel source is not clamped at 0 (a tap may start at -2), ``x0`` is at most the last pixel and
      ``λ`` is clipped to [0, 1]; it computes the weights in the coordinates' precision, without a table.
    """
    source = _source(rule, in_size, out_size, dtype, clamp=False)
    if rule.torch_kernel is not None:
        base = numpy.minimum(numpy.floor(source.astype(numpy.float32)), in_size - 1).astype(dtype)  # floorf
        fraction, a = numpy.clip(source - base, dtype(0), dtype(1)), -0.75
    else:
        base = numpy.floor(source)
        fraction = numpy.rint((source - base) * 1024).astype(numpy.float64) / 1024
        a = -0.5 if rule.half_pixel else -0.75
    offsets = numpy.arange(-1, 3)[:, None]
    positions = base.astype(numpy.int64) + offsets
    weights = _keys(offsets.astype(fraction.dtype) - fraction, a)
    if rule.half_pixel and rule.torch_kernel is None:
        weights = numpy.where((positions >= 0) & (positions < in_size), weights, 0.0)
        weights = weights / weights.sum(axis=0)
    return positions, weights.astype(dtype)


def _area(rule, in_size, out_size, dtype):
    """As many taps as the widest box covers cells: cell ``j`` weighs its overlap with ``[i·s, (i+1)·s)``,
    divided by ``s``; a box covering fewer cells pads its taps with weight 0."""
    step = _step(rule, in_size, out_size, dtype)
    starts = numpy.arange(out_size, dtype=dtype) * step
    ends = numpy.arange(1, out_size + 1, dtype=dtype) * step
    first = numpy.floor(starts).astype(numpy.int64)
    taps = int((numpy.ceil(ends).astype(numpy.int64) - first).max())
    cells = first + numpy.arange(taps)[:, None]
    overlap = numpy.minimum(cells + 1, ends) - numpy.maximum(cells, starts)
    return cells, (numpy.maximum(overlap, 0) / step).astype(dtype)


#: the filters that antialiasing stretches, with their support (the distance beyond which they are 0)
_FILTERS = {"linear": (lambda d: numpy.maximum(1 - numpy.abs(d), 0), 1), "cubic": (lambda d: _keys(d, -0.5), 2)}


def _antialiased(rule, in_size, out_size, dtype):
    """PyTorch's antialiased linear or cubic taps: every input pixel within ``support · stretch`` of the output
    centre ``c = (i + ½) · s``, weighted by ``filter((j + ½ − c) / stretch)`` and normalised to sum to 1, where
    ``stretch = max(s, 1)``; taps past the last pixel (an output near an edge covers fewer) weigh 0. A dim whose
    size does not change is copied, as PyTorch does (even with a scale factor that is not 1)."""
    if out_size == in_size:
        return numpy.arange(out_size)[None], numpy.ones((1, out_size), dtype)
    shape, support = _FILTERS[rule.kernel]
    step = dtype(0) if rule.align_corners and out_size == 1 else _step(rule, in_size, out_size, dtype)
    stretch = max(step, dtype(1))
    centres = (numpy.arange(out_size, dtype=dtype) + dtype(0.5)) * step
    reach = dtype(support) * stretch
    first = numpy.maximum((centres - reach + dtype(0.5)).astype(numpy.int64), 0)  # truncated, as PyTorch does
    ends = numpy.minimum((centres + reach + dtype(0.5)).astype(numpy.int64), in_size)
    cells = first + numpy.arange((ends - first).max())[:, None]
    distances = (cells.astype(dtype) + dtype(0.5) - centres) * (dtype(1) / stretch)
    weights = numpy.where(cells < ends, shape(distances), 0).astype(dtype)
    return cells, weights / weights.sum(axis=0)


_KERNELS = {"nearest": _nearest, "linear": _linear, "cubic": _cubic, "area": _area}
_TAPS = {"nearest": 1, "linear": 2, "cubic": 4}  # area and antialiasing: it depends on the sizes


def taps(rule, in_size, out_size):
    """``(positions, weights)``, numpy arrays of shape (taps, out_size): output ``i`` is
    ``Σ_k weights[k, i] · x[positions[k, i]]``. Positions beyond the edges are clipped to them."""
    dtype = numpy.dtype(rule.precision).type
    positions, weights = (_antialiased if rule.antialias else _KERNELS[rule.kernel])(rule, in_size, out_size, dtype)
    return numpy.clip(positions, 0, in_size - 1).astype(numpy.int64), weights


def tap_count(rule, in_size, out_size):
    """The number of taps per output position (None when it depends on a size not known yet)."""
    if rule.kernel in _TAPS and not rule.antialias:
        return _TAPS[rule.kernel]
    return None if in_size is None else taps(rule, in_size, out_size)[0].shape[0]


# ------------------------------------------------------------------------------------------ ops

class Taps(Op):
    """``(positions, weights)`` (int64 and ``x``'s dtype, shape (taps, size)) for resampling dim ``dim`` of ``x``
    to ``size`` positions by ``rule``. ``x`` lends only its run-time size along ``dim`` and its device."""
    n_outputs = 2
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dim, size, rule):
        positions, weights = taps(rule, x.shape[dim], size)
        return xp.asarray(positions), xp.asarray(weights.astype(x.dtype))

    @staticmethod
    def infer(x, dim, size, rule):
        count = tap_count(rule, None if x.shape is None else x.shape[dim], size)
        return Spec((count, size), dtypes.int64), Spec((count, size), x.dtype)


def resample(x, dim, size, rule):
    """``x`` resized along ``dim`` to ``size`` positions by ``rule``: one ``index_select`` per tap, weighted and
    summed (nearest: the one tap, which keeps ``x``'s dtype). Other kernels need a floating-point ``x``."""
    if size < 1:
        raise OpError(f"resample: the output size must be positive, got {size} for {describe(x)}")
    positions, weights = apply(Taps, x, dim=dim, size=size, rule=rule)
    count = positions.shape[0]
    if count is None:
        raise OpError(f"resample: the {rule.kernel!r} kernel needs the size of dim {dim} of {describe(x)} known "
                      "when the op is created")
    picked = [index_select(x, dim, getitem(positions, k)) for k in range(count)]
    if rule.kernel == "nearest":
        return picked[0]
    along = (size,) + (1,) * (x.ndim - 1 - dim)  # a weight per position along dim, broadcast over the dims after
    terms = [mul(p, reshape(getitem(weights, k), along)) for k, p in enumerate(picked)]
    return functools.reduce(add, terms)
