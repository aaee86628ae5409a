"""Op table entries for grayscale dilation (morphology.py): ``dilation2d``'s values (differentiated for the
input and the filter), its argmax outputs, and the filter-gradient op (whose own VJP makes second order work).

Inputs hold distinct values 0.25 apart and filters multiples of 1/64 within ±7/64 (two taps differ by less than
0.25), so no window has a tie (the max is differentiable and central differences do not cross a switch). The numpy
reference loops over output pixels and taps.
"""
import math

import numpy as np
from hypothesis import assume, strategies as st

from .spec import OpSpec, floats_array


def ref_dilation2d(x, f, stride, dilation, padding):
    """(y, input_index, filter_index) scanning each window's taps in row-major order; the first maximum wins."""
    n, c, height, width = x.shape
    _, kh, kw = f.shape
    (top, bottom), (left, right) = padding
    outs = [(size + before + after - d * (k - 1) - 1) // s + 1
            for size, (before, after), k, s, d in zip((height, width), padding, (kh, kw), stride, dilation)]
    y = np.full((n, c, *outs), -np.inf, dtype=np.result_type(x, f))
    where, tap = np.full((n, c, *outs), -1), np.full((n, c, *outs), -1)
    for i, j, p, q in np.ndindex(outs[0], outs[1], kh, kw):
        h, w = i * stride[0] + p * dilation[0] - top, j * stride[1] + q * dilation[1] - left
        if 0 <= h < height and 0 <= w < width:
            candidate = x[:, :, h, w] + f[:, p, q]
            wins = candidate > y[:, :, i, j]
            y[:, :, i, j] = np.where(wins, candidate, y[:, :, i, j])
            where[:, :, i, j] = np.where(wins, h * width + w, where[:, :, i, j])
            tap[:, :, i, j] = np.where(wins, p * kw + q, tap[:, :, i, j])
    return y, where, tap


def ref_filter_grad(g, x, f, **geometry):
    _, _, tap = ref_dilation2d(x, f, **geometry)
    out = np.zeros(f.shape[0] * f.shape[1] * f.shape[2])
    channels = np.arange(f.shape[0]).reshape(1, -1, 1, 1) * f.shape[1] * f.shape[2]
    np.add.at(out, (tap + channels)[tap >= 0], g[tap >= 0])
    return out.reshape(f.shape)


@st.composite
def images_and_filters(draw, geometry, with_grad=False):
    """(x, f) — or (g, x, f) — with N in 1..2, C in 1..2, every window over at least one real pixel."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    extent = [(k - 1) * d + 1 for k, d in zip((kh, kw), geometry["dilation"])]
    sides = [draw(st.integers(max(1, e - sum(p)), 6)) for e, p in zip(extent, geometry["padding"])]
    shape = (n, c, *sides)
    order = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).permutation(math.prod(shape))
    x = (order - math.prod(shape) // 2).reshape(shape) * 0.25
    f = np.asarray(draw(st.lists(st.integers(-7, 7), min_size=c * kh * kw, max_size=c * kh * kw)),
                   dtype=np.float64).reshape(c, kh, kw) / 64
    y = ref_dilation2d(x, f, **geometry)[0]
    assume(np.isfinite(y).all())  # no window over padding only: its -inf defeats central differences
    if with_grad:
        return draw(floats_array(y.shape)), x, f
    return x, f


PLAIN = dict(stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0)))
STRIDED_SAME = dict(stride=(2, 1), dilation=(1, 1), padding=((1, 1), (0, 1)))
DILATED = dict(stride=(1, 2), dilation=(2, 1), padding=((1, 0), (1, 1)))


def _spec(name, geometry):
    return OpSpec(name, lambda m, x, f: m.dilation2d(x, f, **geometry)[0],
                  lambda x, f: ref_dilation2d(x, f, **geometry)[0], images_and_filters(geometry),
                  grad_inputs=(0, 1), notes="second order: the argmax is constant near a tie-free input")


SPECS = [
    _spec("dilation2d", PLAIN),
    _spec("dilation2d_strided_padded", STRIDED_SAME),
    _spec("dilation2d_dilated", DILATED),
    OpSpec("dilation2d_argmax", lambda m, x, f: m.dilation2d(x, f, **DILATED),
           lambda x, f: ref_dilation2d(x, f, **DILATED), images_and_filters(DILATED), grad_inputs=(),
           notes="the int64 argmax outputs: h*W + w in the unpadded input, p*KW + q in the filter"),
    OpSpec("dilation2d_filter_grad",
           lambda m, g, x, f: m.dilation2d_filter_grad(g, m.dilation2d(x, f, **STRIDED_SAME)[2], f),
           lambda g, x, f: ref_filter_grad(g, x, f, **STRIDED_SAME), images_and_filters(STRIDED_SAME, True),
           grad_inputs=(0,)),
]
