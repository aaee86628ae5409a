"""Op table entries for fractional max pooling (``minidl/ops/fractional_pooling.py``).

The reference walks the windows one plane at a time from the start formula written out again in numpy (alpha in
the samples' dtype, as the op and PyTorch compute it); the inputs have distinct values, so every window has one
argmax and the numerical gradient is well defined. PyTorch, given the same ``_random_samples``, must agree.
"""
import math

import numpy as np
from hypothesis import strategies as st

from minidl.ops import fractional_pooling as P

from .spec import OpSpec


def _output_size(size, kernel, spatial):
    """About two thirds of the input, at least one window, and no window past the end (in 3-D one window fewer:
    PyTorch's 3-D check wants output + kernel - 1 < size, strictly, where its 2-D one allows equality)."""
    return max(1, min(size - kernel + (1 if spatial == 2 else 0), (2 * size) // 3))


def ref_starts(u, size, out, kernel):
    if out == 1:
        return [size - kernel]
    alpha = u.dtype.type(size - kernel) / u.dtype.type(out - 1)
    return [int((u.dtype.type(i) + u) * alpha) - int(u * alpha) for i in range(out - 1)] + [size - kernel]


def ref_fractional_max_pool(x, samples, kernel):
    sizes, spatial = x.shape[2:], len(kernel)
    outs = tuple(_output_size(n, k, spatial) for n, k in zip(sizes, kernel))
    columns = (1, 0) if spatial == 2 else (0, 1, 2)  # which sample drives each dim (W first in 2-D)
    values = np.zeros(x.shape[:2] + outs, x.dtype)
    indices = np.zeros(x.shape[:2] + outs, np.int64)
    for n, c in np.ndindex(*x.shape[:2]):
        starts = [ref_starts(samples[n, c, col], size, out, k)
                  for col, size, out, k in zip(columns, sizes, outs, kernel)]
        for o in np.ndindex(*outs):
            corner = [starts[d][o[d]] for d in range(spatial)]
            window = x[(n, c) + tuple(slice(s, s + k) for s, k in zip(corner, kernel))]
            best = np.unravel_index(np.argmax(window), window.shape)
            values[(n, c) + o] = window[best]
            indices[(n, c) + o] = np.ravel_multi_index(tuple(s + b for s, b in zip(corner, best)), sizes)
    return values, indices


@st.composite
def planes(draw, kernel):
    """(x, samples): x (N, C, *spatial) with distinct values 0.25 apart, each side at least its kernel (in 3-D one
    more, see ``_output_size``); samples (N, C, spatial) uniform in [0, 1)."""
    sides = tuple(draw(st.integers(k, k + 4) if len(kernel) == 2 else st.integers(k + 1, k + 3)) for k in kernel)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + sides
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    x = (rng.permutation(math.prod(shape)) - math.prod(shape) // 2).reshape(shape) * 0.25
    return x, rng.random(shape[:2] + (len(kernel),))


def _spec(name, kernel, with_indices=False):
    def call(module, x, samples):
        outs = tuple(_output_size(n, k, len(kernel)) for n, k in zip(x.shape[2:], kernel))
        return module(x, samples, outs)

    def ours(m, x, samples):
        result = call(lambda x, s, outs: P.fractional_max_pool(x, s, kernel, outs), x, samples)
        return result if with_indices else result[0]

    def theirs(t, x, samples):
        pool = getattr(t.nn.functional, f"fractional_max_pool{len(kernel)}d")
        result = call(lambda x, s, outs: pool(x, kernel, output_size=outs, return_indices=True,
                                              _random_samples=s), x, samples)
        return result if with_indices else result[0]

    def reference(x, samples):
        result = ref_fractional_max_pool(x, samples, kernel)
        return result if with_indices else result[0]
    return OpSpec(name, ours, reference, planes(kernel), grad_inputs=() if with_indices else (0,),
                  torch_fn=theirs, notes="the samples place the windows; they get no gradient")


SPECS = [
    _spec("fractional_max_pool2d", (2, 2)),
    _spec("fractional_max_pool2d_wide_kernel", (3, 2)),
    _spec("fractional_max_pool2d_indices", (2, 3), with_indices=True),
    _spec("fractional_max_pool3d", (2, 1, 2)),
    _spec("fractional_max_pool3d_indices", (2, 2, 2), with_indices=True),
]
