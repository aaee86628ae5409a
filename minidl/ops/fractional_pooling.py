"""Fractional max pooling (Graham, "Fractional Max-Pooling", 2014): shrink each spatial dim by a factor that need
not be an integer, e.g. 25 rows to 18, with windows of a fixed size ``k`` whose starts advance by irregular steps.

For one dim of input size ``n``, output size ``m`` and pool size ``k``, and a number ``u`` in [0, 1) drawn for
each (sample, channel) plane, the windows start at (PyTorch's pseudo-random sequence)::

    alpha = (n - k) / (m - 1)
    start_i = floor((i + u) alpha) - floor(u alpha)      for i < m - 1
    start_{m-1} = n - k                                  (the last window ends at the input's end)

so consecutive starts are floor(alpha) or ceil(alpha) apart, and where they fall depends on u. Each output
element is the max of the window ``[start_i, start_i + k)`` along every spatial dim; ``indices`` hold its flat
position in the plane (h*W + w, or t*H*W + h*W + w in 3-D), as ``max_pool2d`` gives them. alpha and the starts
are computed in the input's dtype, as PyTorch's kernels do, so the same ``u`` picks the same windows.

The gradient goes to the argmax of each window: ``max_pool2d_grad`` (``max_pooling.py``), which adds where windows
overlap. The draws ``u`` (``samples``, shaped (N, C, spatial dims), one per dim: W first in 2-D, then H; T, H, W
in 3-D, PyTorch's order) get none.

``window_max`` takes the max over windows given by their bounds; TF's fractional pooling, whose windows come from
pooling sequences instead (``pooling_sequences.py``), uses it too.
"""
import math

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe
from .max_pooling import max_pool2d_grad

__all__ = ["fractional_max_pool"]


def window_starts(xp, u, size, out, kernel):
    """The starts of the ``out`` windows of width ``kernel`` over ``size`` positions, for each draw in ``u``
    (any shape): shaped ``u.shape + (out,)``, int64."""
    u = u[..., None]
    if out == 1:
        return xp.zeros(u.shape[:-1] + (1,), dtype=dtypes.int64) + (size - kernel)
    alpha = u.dtype.type(size - kernel) / u.dtype.type(out - 1)
    steps = xp.arange(out - 1, dtype=u.dtype)
    starts = ((steps + u) * alpha).astype(dtypes.int64) - (u * alpha).astype(dtypes.int64)
    last = xp.full(u.shape[:-1] + (1,), size - kernel, dtype=dtypes.int64)
    return xp.concatenate([starts, last], axis=-1)


def _sample_axes(spatial):
    """Which column of ``samples`` drives each spatial dim (PyTorch's kernels: W first in 2-D; T, H, W in 3-D)."""
    return (1, 0) if spatial == 2 else tuple(range(spatial))


def window_max(xp, x, starts, ends, widths):
    """(values, indices): the max of ``x`` (N, C, *spatial) over rectangular windows, and its flat position in the
    plane. Along spatial dim d window i covers ``[starts[d][..., i], ends[d][..., i])``; ``starts[d]`` and
    ``ends[d]`` are int arrays shaped (N, C, out_d), or (1, 1, out_d) for windows shared by every plane;
    ``widths[d]`` is the widest window's size along d.

    Every window is cut ``widths`` wide; a narrower one repeats its last row (column) to fill up. A repeat comes
    after the tap it copies, so it changes neither the max nor, as argmax takes the first, where it is.
    """
    sizes, spatial = x.shape[2:], len(starts)
    outs = tuple(s.shape[-1] for s in starts)
    windows = x
    for d in range(spatial):
        taps = xp.minimum(starts[d][..., None] + xp.arange(widths[d]), ends[d][..., None] - 1)  # (.., out, width)
        windows = xp.take_along_axis(windows, _along(taps, d, spatial), axis=2 + d)
    # (N, C, o_1*k_1, o_2*k_2, ...) -> (N, C, o_1, o_2, ..., k_1*k_2*...): the taps of each window last
    n, c = windows.shape[:2]
    split = windows.reshape((n, c) + tuple(v for o, k in zip(outs, widths) for v in (o, k)))
    order = (0, 1) + tuple(range(2, 2 + 2 * spatial, 2)) + tuple(range(3, 3 + 2 * spatial, 2))
    taps = split.transpose(order).reshape((n, c) + outs + (math.prod(widths),))
    best = xp.argmax(taps, axis=-1)  # the first maximum; a NaN counts as the largest, as in PyTorch
    values = xp.take_along_axis(taps, best[..., None], axis=-1)[..., 0]
    # the plane position of each best tap: per dim, its window's start plus the tap's offset, row-major
    flat, rest = xp.zeros(best.shape, dtype=dtypes.int64), best
    for d in reversed(range(spatial)):
        rest, offset = divmod(rest, widths[d])
        flat = flat + (_along(starts[d], d, spatial) + offset) * math.prod(sizes[d + 1:])
    return values, flat


class FractionalMaxPool(Op):
    """(y, indices) of fractional max pooling over the last 2 or 3 dims (module docstring)."""
    name = "FractionalMaxPool2D"
    n_outputs = 2
    saves_inputs = ()  # x lends only its shape to the gradient
    saves_outputs = (1,)  # the indices only
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, samples, kernel, output_size):
        starts = [window_starts(xp, samples[:, :, column], x.shape[2 + d], output_size[d], kernel[d])
                  for d, column in enumerate(_sample_axes(len(kernel)))]  # each (N, C, out)
        return window_max(xp, x, starts, [s + k for s, k in zip(starts, kernel)], kernel)

    @staticmethod
    def vjp(ctx, g, g_indices):
        return max_pool2d_grad(g, ctx.outputs[1], ctx.inputs[0], True), None

    @staticmethod
    def infer(x, samples, kernel, output_size):
        shape = None if x.shape is None else tuple(x.shape[:2]) + tuple(output_size)
        return Spec(shape, x.dtype), Spec(shape, dtypes.int64)


def _along(positions, d, spatial):
    """(N, C, ...) positions along spatial dim ``d``, flattened into that dim and shaped to broadcast over the
    other spatial dims."""
    shape = [positions.shape[0], positions.shape[1]] + [1] * spatial
    shape[2 + d] = math.prod(positions.shape[2:])  # (not -1, which an empty batch leaves undetermined)
    return positions.reshape(shape)


class FractionalMaxPool3d(FractionalMaxPool):
    name = "FractionalMaxPool3D"


def fractional_max_pool(input, samples, kernel_size, output_size):
    """Fractional max pooling of ``input`` (N, C, *spatial) with 2 or 3 spatial dims: windows of ``kernel_size``
    placed by ``samples`` (N, C, spatial dims) in [0, 1) so that there are ``output_size`` of them along each dim.
    Returns (values, int64 indices). The front-ends (``F.fractional_max_pool2d/3d``) draw the samples and accept
    PyTorch's other argument forms."""
    kernel, output_size = tuple(int(k) for k in kernel_size), tuple(int(o) for o in output_size)
    spatial = len(kernel)
    name = f"fractional_max_pool{spatial}d"
    if spatial not in (2, 3) or len(output_size) != spatial:
        raise OpError(f"{name}: expected {spatial} output sizes for {spatial} kernel sizes, got {output_size}")
    if input.ndim != 2 + spatial:
        raise OpError(f"{name}: expected a {2 + spatial}-D input (N, C, {'D, ' if spatial == 3 else ''}H, W), got "
                      f"{describe(input)}")
    if not dtypes.is_floating_point(input.dtype):
        raise OpError(f"{name}: expected a floating point input, got {describe(input)}")
    expected = tuple(input.shape[:2]) + (spatial,)
    if tuple(samples.shape) != expected or samples.dtype != input.dtype:
        raise OpError(f"{name}: expected _random_samples of shape {list(expected)} and dtype {input.dtype}, got "
                      f"{describe(samples)}")
    for size, out, k, what in zip(input.shape[2:], output_size, kernel, ("depth", "height", "width")[-spatial:]):
        if k <= 0 or out <= 0:
            raise OpError(f"{name}: kernel_size and output_size must be positive, got kernel_size {kernel} and "
                          f"output_size {output_size}")
        if out + k - 1 > size:
            raise OpError(f"{name}: pool {what} {k} too large relative to input {what} {size} for output {what} "
                          f"{out} (needs output + kernel - 1 <= input)")
    op = FractionalMaxPool if spatial == 2 else FractionalMaxPool3d
    return apply(op, input, samples, kernel=kernel, output_size=output_size)
