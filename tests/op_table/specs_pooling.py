"""Op table entries for pooling (pooling.py): max_pool2d (values, indices, its gradient op), avg_pool2d (ceil mode,
count_include_pad, divisor_override), adaptive_avg_pool2d/3d, the 1-D forms, and max_pool3d / avg_pool3d.

Max-pool inputs hold distinct values at least 0.25 apart, so no window has a tie (the max is differentiable and
central differences do not cross a switch). The numpy references loop over output pixels.
"""
import math

import numpy as np
from hypothesis import strategies as st

from minidl.ops import pooling as P

from .spec import OpSpec, floats_array


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _out_size(size, k, s, p, d, ceil_mode):
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + p else out


def ref_max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(values, indices h*W + w) by scanning each window's taps in order; the first maximum wins. A window over
    padding only gives (-inf, -1)."""
    (kh, kw), (ph, pw), (dh, dw) = _two(kernel_size), _two(padding), _two(dilation)
    sh, sw = _two(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    oh, ow = _out_size(h, kh, sh, ph, dh, ceil_mode), _out_size(w, kw, sw, pw, dw, ceil_mode)
    values, indices = np.zeros((n, c, oh, ow), x.dtype), np.zeros((n, c, oh, ow), np.int64)
    for b, ch, i, j in np.ndindex(n, c, oh, ow):
        best, where = -np.inf, -1
        for p in range(kh):
            for q in range(kw):
                r, col = i * sh - ph + p * dh, j * sw - pw + q * dw
                if 0 <= r < h and 0 <= col < w and (where < 0 or x[b, ch, r, col] > best):
                    best, where = x[b, ch, r, col], r * w + col
        values[b, ch, i, j], indices[b, ch, i, j] = best, where
    return values, indices


def ref_avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                   divisor_override=None):
    """Each window's sum over the real pixels, divided by its area clipped to the padded input (or by the number
    of real pixels, or by ``divisor_override``)."""
    (kh, kw), (ph, pw) = _two(kernel_size), _two(padding)
    sh, sw = _two(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    oh, ow = _out_size(h, kh, sh, ph, 1, ceil_mode), _out_size(w, kw, sw, pw, 1, ceil_mode)
    out = np.zeros((n, c, oh, ow), np.float64)
    for i, j in np.ndindex(oh, ow):
        r0, c0 = i * sh - ph, j * sw - pw
        r1, c1 = min(r0 + kh, h + ph), min(c0 + kw, w + pw)
        area = (r1 - r0) * (c1 - c0)
        r0, c0, r1, c1 = max(r0, 0), max(c0, 0), min(r1, h), min(c1, w)
        divisor = divisor_override or (area if count_include_pad else (r1 - r0) * (c1 - c0))
        out[:, :, i, j] = x[:, :, r0:r1, c0:c1].sum(axis=(2, 3)) / divisor
    return out.astype(x.dtype)


def _three(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)


def ref_pool3d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, kind="max",
               count_include_pad=True):
    """3-D pooling window by window: (values, indices d*H*W + h*W + w) for ``kind="max"`` (the first maximum
    in row-major order wins), the mean (the divisor as in ``ref_avg_pool2d``) for ``kind="avg"``."""
    kernel, pad, dil = _three(kernel_size), _three(padding), _three(dilation)
    step = _three(kernel_size if stride is None else stride)
    n, c, *sizes = x.shape
    outs = [_out_size(*args, ceil_mode) for args in zip(sizes, kernel, step, pad, dil)]
    values, indices = np.zeros((n, c, *outs), np.float64), np.zeros((n, c, *outs), np.int64)
    for at in np.ndindex(*outs):
        starts = [i * s - p for i, s, p in zip(at, step, pad)]
        taps = [[st + t * d for t in range(k)] for st, k, d in zip(starts, kernel, dil)]
        real = [[q for q in axis if 0 <= q < size] for axis, size in zip(taps, sizes)]
        block = x[(slice(None), slice(None)) + np.ix_(*real)].reshape(n, c, math.prod(map(len, real)))
        if kind == "max" and block.shape[2] == 0:  # a window over padding only (dilation)
            values[(slice(None), slice(None)) + at], indices[(slice(None), slice(None)) + at] = -np.inf, -1
        elif kind == "max":
            values[(slice(None), slice(None)) + at] = block.max(axis=2)
            flat = np.ravel_multi_index(np.ix_(*real), sizes).reshape(-1)
            indices[(slice(None), slice(None)) + at] = flat[block.argmax(axis=2)]
        else:
            ends = [min(st + k, size + p) for st, k, size, p in zip(starts, kernel, sizes, pad)]
            area = math.prod(e - st for e, st in zip(ends, starts))
            values[(slice(None), slice(None)) + at] = block.sum(axis=2) / (area if count_include_pad
                                                                          else block.shape[2])
    return (values.astype(x.dtype), indices) if kind == "max" else values.astype(x.dtype)


def ref_adaptive_avg_pool2d(x, output_size):
    """Window i covers rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 (likewise columns). x: (..., H, W)."""
    h, w = x.shape[-2:]
    oh, ow = (o if o is not None else n for o, n in zip(_two(output_size), (h, w)))
    out = np.zeros(x.shape[:-2] + (oh, ow), np.float64)
    for i, j in np.ndindex(oh, ow):
        r0, r1 = (i * h) // oh, math.ceil((i + 1) * h / oh)
        c0, c1 = (j * w) // ow, math.ceil((j + 1) * w / ow)
        out[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return out.astype(x.dtype)


def ref_adaptive_avg_pool3d(x, output_size):
    """``ref_adaptive_avg_pool2d`` over the last three dims."""
    sizes = x.shape[-3:]
    wanted = (output_size,) * 3 if isinstance(output_size, int) else output_size
    outs = tuple(o if o is not None else n for o, n in zip(wanted, sizes))
    out = np.zeros(x.shape[:-3] + outs, np.float64)
    for at in np.ndindex(*outs):
        window = tuple(slice((i * n) // o, math.ceil((i + 1) * n / o)) for i, n, o in zip(at, sizes, outs))
        out[(Ellipsis,) + at] = x[(Ellipsis,) + window].mean(axis=(-3, -2, -1))
    return out.astype(x.dtype)


def ref_max_pool2d_grad(g, x, **window):
    """Zeros like x with g added at each window's argmax."""
    _, indices = ref_max_pool2d(x, **window)
    n, c, h, w = x.shape
    out = np.zeros((n, c, h * w), g.dtype)
    for b, ch in np.ndindex(n, c):
        np.add.at(out[b, ch], indices[b, ch].ravel(), g[b, ch].ravel())
    return out.reshape(x.shape)


# ----------------------------------------------------------------------------------------- strategies

@st.composite
def images(draw, min_hw=1, max_hw=6, batched=True, distinct=False, integers=False, min_n=0):
    """One (N, C, H, W) array (or (C, H, W) unbatched), N in min_n..2, C in 1..3; ``distinct``: values 0.25
    apart in random order (no ties)."""
    shape = ((draw(st.integers(min_n, 2)),) if batched else ()) + (draw(st.integers(1, 3)),
                                                                   draw(st.integers(min_hw, max_hw)),
                                                                   draw(st.integers(min_hw, max_hw)))
    if distinct or integers:
        order = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).permutation(math.prod(shape))
        values = order - math.prod(shape) // 2
        return (values.reshape(shape) if integers else values.reshape(shape) * 0.25,)
    return (draw(floats_array(shape)),)


def _fits(window, dims=2):
    """A filter keeping inputs big enough for at least one window position along each axis."""
    def ok(arrays):
        x = arrays[-1]
        k, p = _two(window["kernel_size"]), _two(window.get("padding", 0))
        d = _two(window.get("dilation", 1))
        return all(n + 2 * pp >= dd * (kk - 1) + 1 for n, kk, pp, dd in zip(x.shape[-dims:], k, p, d))
    return ok


def _max_inputs(window, **kw):
    """Tie-free images on which every window covers at least one real pixel (with dilation, a window can fall
    entirely in the padding; its value is then -inf, which central differences cannot handle)."""
    return images(distinct=True, **kw).filter(_fits(window)).filter(
        lambda xs: np.isfinite(ref_max_pool2d(xs[0], **window)[0]).all())


def _max_spec(name, notes="", **window):
    return OpSpec(name, lambda m, x: P.max_pool2d(x, **window), lambda x: ref_max_pool2d(x, **window)[0],
                  _max_inputs(window), notes=notes,
                  torch_fn=lambda t, x: t.nn.functional.max_pool2d(x, **window))


def _avg_spec(name, **window):
    return OpSpec(name, lambda m, x: P.avg_pool2d(x, **window), lambda x: ref_avg_pool2d(x, **window),
                  images().filter(_fits(window)), torch_fn=lambda t, x: t.nn.functional.avg_pool2d(x, **window))


def _adaptive_spec(name, output_size, **kw):
    return OpSpec(name, lambda m, x: P.adaptive_avg_pool2d(x, output_size),
                  lambda x: ref_adaptive_avg_pool2d(x, output_size), images(**kw),
                  torch_fn=lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, output_size))


@st.composite
def volumes(draw, window, batched=True, kernel_fits=False):
    """One (N, C, D, H, W) array (or (C, D, H, W)) of distinct values 0.25 apart, sides up to 4 and big enough
    for one window (``kernel_fits``: for one window without the padding, as PyTorch's avg_pool3d demands), N in
    0..2, C in 1..2."""
    kernel, pad = _three(window["kernel_size"]), (0, 0, 0) if kernel_fits else _three(window.get("padding", 0))
    dil = _three(window.get("dilation", 1))
    sides = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 4)) for k, p, d in zip(kernel, pad, dil))
    shape = ((draw(st.integers(0, 2)),) if batched else ()) + (draw(st.integers(1, 2)),) + sides
    order = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).permutation(math.prod(shape))
    return ((order - math.prod(shape) // 2).reshape(shape) * 0.25,)


def _pool3d_spec(name, kind, batched=True, return_indices=False, **window):
    """``max_pool3d`` (its values; with ``return_indices`` both outputs, not differentiated) or ``avg_pool3d``."""
    call = dict(window, return_indices=True) if return_indices else window

    def reference(x):
        result = ref_pool3d(x if batched else x[None], kind=kind, **window)
        result = result if return_indices or kind == "avg" else result[0]
        return result if batched else tuple(r[0] for r in result) if return_indices else result[0]

    # no window over padding only (dilation): its value is -inf, and PyTorch's index for it is arbitrary
    inputs = volumes(window, batched, kernel_fits=kind == "avg").filter(
        lambda xs: kind == "avg" or np.isfinite(ref_pool3d(xs[0] if batched else xs[0][None], **window)[0]).all())
    return OpSpec(name, lambda m, x: getattr(P, f"{kind}_pool3d")(x, **call), reference, inputs,
                  grad_inputs=() if return_indices else (0,),
                  torch_fn=lambda t, x: getattr(t.nn.functional, f"{kind}_pool3d")(x, **call))


@st.composite
def grad_and_image(draw, **window):
    """(g, x): a tie-free image and a gradient shaped like its max pooling."""
    (x,) = draw(_max_inputs(window, min_n=1))
    return draw(floats_array(ref_max_pool2d(x, **window)[0].shape)), x


CEIL = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
DILATED = dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1))
OVERLAPPING = dict(kernel_size=3, stride=1, padding=1)


def _max_with_indices(window):
    return lambda m, x: P.max_pool2d(x, return_indices=True, **window)


SPECS = [
    # ------------------------------------------------------------------------------------------- max
    _max_spec("max_pool2d", kernel_size=2),
    _max_spec("max_pool2d_ceil_mode", notes="the last window hangs over the bottom/right edge", **CEIL),
    _max_spec("max_pool2d_dilated", **DILATED),
    _max_spec("max_pool2d_overlapping", notes="overlapping windows: a pixel can collect several gradients",
              **OVERLAPPING),
    OpSpec("max_pool2d_indices", _max_with_indices(CEIL), lambda x: ref_max_pool2d(x, **CEIL),
           _max_inputs(CEIL), grad_inputs=(),
           torch_fn=lambda t, x: t.nn.functional.max_pool2d(x, return_indices=True, **CEIL),
           notes="the int64 indices are h*W + w in the unpadded input, as PyTorch's"),
    OpSpec("max_pool2d_indices_dilated", _max_with_indices(DILATED), lambda x: ref_max_pool2d(x, **DILATED),
           _max_inputs(DILATED), grad_inputs=(),
           torch_fn=lambda t, x: t.nn.functional.max_pool2d(x, return_indices=True, **DILATED)),
    OpSpec("max_pool2d_unbatched", lambda m, x: P.max_pool2d(x, 2, 1), lambda x: ref_max_pool2d(x[None], 2, 1)[0][0],
           images(min_hw=2, batched=False, distinct=True), torch_fn=lambda t, x: t.nn.functional.max_pool2d(x, 2, 1)),
    OpSpec("max_pool2d_integers", lambda m, x: P.max_pool2d(x, 2, ceil_mode=True),
           lambda x: ref_max_pool2d(x, 2, ceil_mode=True)[0], images(integers=True), grad_inputs=(),
           raw_inputs=(0,), torch_fn=lambda t, x: t.nn.functional.max_pool2d(x, 2, ceil_mode=True),
           notes="integer input (PyTorch allows it); padding uses the dtype's smallest value"),
    OpSpec("max_pool2d_grad", lambda m, g, x: P.max_pool2d_grad(g, P.max_pool2d(x, return_indices=True,
                                                                                 **OVERLAPPING)[1], x),
           lambda g, x: ref_max_pool2d_grad(g, x, **OVERLAPPING), grad_and_image(**OVERLAPPING),
           torch_fn=lambda t, g, x: t.ops.aten.max_pool2d_with_indices_backward(
               g, x, [3, 3], [1, 1], [1, 1], [1, 1], False,
               t.nn.functional.max_pool2d(x, return_indices=True, **OVERLAPPING)[1]),
           notes="the gradient op itself: its VJP w.r.t. g gathers at the indices"),
    OpSpec("max_pool1d", lambda m, x: P.max_pool1d(x, 3, 2, 1, ceil_mode=True),
           lambda x: ref_max_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), ceil_mode=True)[0][:, :, 0],
           images(distinct=True, min_hw=2).map(lambda xs: (xs[0][:, :, 0],)),
           torch_fn=lambda t, x: t.nn.functional.max_pool1d(x, 3, 2, 1, ceil_mode=True)),
    OpSpec("max_pool1d_indices_unbatched", lambda m, x: P.max_pool1d(x, 2, return_indices=True),
           lambda x: tuple(r[0, :, 0] for r in ref_max_pool2d(x[None, :, None], (1, 2))),
           images(distinct=True, min_hw=2, batched=False).map(lambda xs: (xs[0][:, 0],)), grad_inputs=(),
           torch_fn=lambda t, x: t.nn.functional.max_pool1d(x, 2, return_indices=True)),
    # --------------------------------------------------------------------------------------- average
    _avg_spec("avg_pool2d", kernel_size=2),
    _avg_spec("avg_pool2d_ceil_mode", **CEIL),
    _avg_spec("avg_pool2d_ceil_mode_exclude_pad", count_include_pad=False, **CEIL),
    _avg_spec("avg_pool2d_rectangular", kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
    _avg_spec("avg_pool2d_divisor_override", kernel_size=3, padding=1, divisor_override=2),
    OpSpec("avg_pool2d_unbatched", lambda m, x: P.avg_pool2d(x, 2, 1, 1),
           lambda x: ref_avg_pool2d(x[None], 2, 1, 1)[0], images(batched=False),
           torch_fn=lambda t, x: t.nn.functional.avg_pool2d(x, 2, 1, 1)),
    OpSpec("avg_pool1d", lambda m, x: P.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
           lambda x: ref_avg_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), True, False)[:, :, 0],
           images(min_hw=2).map(lambda xs: (xs[0][:, :, 0],)),
           torch_fn=lambda t, x: t.nn.functional.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)),
    # -------------------------------------------------------------------------------------- adaptive
    _adaptive_spec("adaptive_avg_pool2d_global", 1),
    _adaptive_spec("adaptive_avg_pool2d", (2, 3)),
    _adaptive_spec("adaptive_avg_pool2d_keep_width", (3, None)),
    _adaptive_spec("adaptive_avg_pool2d_upsample", 7, max_hw=4),
    _adaptive_spec("adaptive_avg_pool2d_unbatched", (2, 2), batched=False),
    # ------------------------------------------------------------------------------------------------ 3-D
    _pool3d_spec("max_pool3d", "max", kernel_size=2),
    _pool3d_spec("max_pool3d_ceil_mode_padding", "max", kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0),
                 ceil_mode=True),
    _pool3d_spec("max_pool3d_dilated_indices", "max", kernel_size=2, stride=1, padding=(1, 0, 1), dilation=(2, 1, 2),
                 return_indices=True),
    _pool3d_spec("max_pool3d_unbatched", "max", batched=False, kernel_size=(1, 2, 2)),
    _pool3d_spec("avg_pool3d", "avg", kernel_size=2),
    _pool3d_spec("avg_pool3d_ceil_mode_exclude_pad", "avg", kernel_size=(3, 2, 2), stride=2, padding=(1, 1, 0),
                 ceil_mode=True, count_include_pad=False),
    _pool3d_spec("avg_pool3d_unbatched", "avg", batched=False, kernel_size=(2, 1, 2), stride=1, padding=(1, 0, 1)),
    *(OpSpec(name, lambda m, x, size=size: P.adaptive_avg_pool3d(x, size),
             lambda x, size=size: ref_adaptive_avg_pool3d(x, size), volumes({"kernel_size": 1}, batched=batched),
             torch_fn=lambda t, x, size=size: t.nn.functional.adaptive_avg_pool3d(x, size))
      for name, size, batched in (("adaptive_avg_pool3d", (2, None, 3), True),
                                  ("adaptive_avg_pool3d_unbatched_upsample", 3, False))),
]
