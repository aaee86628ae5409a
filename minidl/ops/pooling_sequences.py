"""Pooling over windows given by *pooling sequences*: TensorFlow's fractional max and average pooling (Graham,
"Fractional Max-Pooling", 2014), whose front-end (``tf.nn.fractional_max_pool/avg_pool``) draws the sequences.

Along one dim of size n, a pooling sequence ``0 = s_0 < s_1 < ... < s_m = n`` cuts the dim into m windows::

    window i = [s_i, s_(i+1))                      (overlapping=False: the windows tile the dim)
    window i = [s_i, min(s_(i+1) + 1, n))          (overlapping=True: each also takes the next window's first entry)

A 2-D window is the product of a row window and a column window (one sequence for the rows, one for the
columns, shared by every image and channel). The max op returns, besides the maxima, where each sits (h*W + w in
its plane), so its gradient is ``max_pool2d_grad``'s: g added at the argmax, summed where windows overlap. The
average is separable: with R (m_rows, H) holding 1/len(window) over each row window and C (m_cols, W) likewise,
``y = R x C^T`` for every plane, an ``einsum`` whose VJP spreads g evenly over each window. The sequences get no
gradient. Layout NCHW, as everywhere in the op library.

The windows are cut by ``window_max`` of ``fractional_pooling.py``, PyTorch's fractional pooling, whose windows
have one fixed size instead.
"""
from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe
from .fractional_pooling import window_max
from .linalg import einsum
from .max_pooling import max_pool2d_grad

__all__ = ["sequence_max_pool2d", "sequence_avg_pool2d"]


def window_bounds(xp, sequence, size, overlapping, what):
    """(starts, ends) of the windows of ``sequence`` over a dim of ``size``, ends exclusive; checks that the
    sequence runs from 0 to ``size`` in increasing steps."""
    if sequence.size < 2 or int(sequence[0]) != 0 or int(sequence[-1]) != size or \
            not bool((sequence[1:] > sequence[:-1]).all()):
        raise OpError(f"{what} must increase from 0 to the input's size {size}, got {sequence.tolist()}")
    starts, ends = sequence[:-1], sequence[1:]
    if overlapping:
        ends = xp.minimum(ends + 1, size)
    return starts.astype(dtypes.int64), ends.astype(dtypes.int64)


class SequenceMaxPool2d(Op):
    """(y, indices): the max of each window of the pooling sequences, and where it is (h*W + w)."""
    name = "FractionalMaxPool"
    n_outputs = 2
    saves_inputs = ()  # x lends only its shape to the gradient
    saves_outputs = (1,)  # the indices only
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, row_sequence, col_sequence, overlapping):
        bounds = [window_bounds(xp, sequence, size, overlapping, what) for sequence, size, what in
                  ((row_sequence, x.shape[2], "row_pooling_sequence"),
                   (col_sequence, x.shape[3], "col_pooling_sequence"))]
        starts = [s.reshape(1, 1, -1) for s, _ in bounds]  # shared by every plane
        ends = [e.reshape(1, 1, -1) for _, e in bounds]
        widths = [int((e - s).max()) for s, e in bounds]
        return window_max(xp, x, starts, ends, widths)

    @staticmethod
    def vjp(ctx, g, g_indices):
        return max_pool2d_grad(g, ctx.outputs[1], ctx.inputs[0], ctx.attrs["overlapping"]), None, None

    @staticmethod
    def infer(x, row_sequence, col_sequence, overlapping):
        shape = None if x.shape is None else tuple(x.shape[:2]) + tuple(
            None if s.shape is None or s.shape[0] is None else s.shape[0] - 1 for s in (row_sequence, col_sequence))
        return Spec(shape, x.dtype), Spec(shape, dtypes.int64)


class PoolingWindowWeights(Op):
    """The (m, size) averaging matrix of a pooling sequence over dim ``axis`` of ``x`` (which lends its size and
    dtype): row i holds 1 / len(window i) over window i, 0 elsewhere."""
    differentiable = False

    @staticmethod
    def forward(xp, sequence, x, axis, overlapping, what):
        size = x.shape[axis]
        starts, ends = window_bounds(xp, sequence, size, overlapping, what)
        positions = xp.arange(size)
        inside = (positions >= starts[:, None]) & (positions < ends[:, None])
        return (inside / (ends - starts)[:, None]).astype(x.dtype)

    @staticmethod
    def infer(sequence, x, axis, overlapping, what):
        rows = None if sequence.shape is None or sequence.shape[0] is None else sequence.shape[0] - 1
        return Spec((rows, None if x.shape is None else x.shape[axis]), x.dtype)


def _check(name, x, row_sequence, col_sequence, floats_only):
    if x.ndim != 4:
        raise OpError(f"{name}: expected a 4-D input (N, C, H, W), got {describe(x)}")
    if floats_only and not dtypes.is_floating_point(x.dtype):
        raise OpError(f"{name}: expected a floating point input, got {describe(x)}")
    if not (dtypes.is_floating_point(x.dtype) or x.dtype.kind in "iu"):
        raise OpError(f"{name}: expected a real input, got {describe(x)}")
    for sequence, what in ((row_sequence, "row_pooling_sequence"), (col_sequence, "col_pooling_sequence")):
        if sequence.dtype.kind not in "iu" or sequence.ndim != 1:
            raise OpError(f"{name}: expected {what} to be a 1-D integer tensor, got {describe(sequence)}")


def sequence_max_pool2d(x, row_sequence, col_sequence, overlapping=False):
    """(values, int64 indices): the max of ``x`` (N, C, H, W) over the windows of the two pooling sequences
    (module docstring); indices are h*W + w in each plane."""
    _check("sequence_max_pool2d", x, row_sequence, col_sequence, floats_only=False)
    return apply(SequenceMaxPool2d, x, row_sequence, col_sequence, overlapping=bool(overlapping))


def sequence_avg_pool2d(x, row_sequence, col_sequence, overlapping=False):
    """The mean of ``x`` (N, C, H, W, floating point) over the windows of the two pooling sequences."""
    _check("sequence_avg_pool2d", x, row_sequence, col_sequence, floats_only=True)
    rows = apply(PoolingWindowWeights, row_sequence, x, axis=2, overlapping=bool(overlapping),
                 what="row_pooling_sequence")
    cols = apply(PoolingWindowWeights, col_sequence, x, axis=3, overlapping=bool(overlapping),
                 what="col_pooling_sequence")
    return einsum("oh,nchw,pw->ncop", rows, x, cols)
