"""Sliding windows along one dim (the tensor method ``x.unfold(dimension, size, step)``) as a view, and the op
that folds the windows' gradients back.

Windows of ``size`` consecutive entries, one starting every ``step`` entries, along a dim of length n: there are
``(n - size) // step + 1`` of them. Window w holds entries ``w·step + j`` for j = 0 .. size-1. No entry needs
copying to show them: with the dim's stride s (bytes from one entry to the next), the window dim strides by
``step·s`` and a new last dim (the entries of a window) by ``s`` — the same memory, read through other strides.
So ``UnfoldWindows`` returns a view, as PyTorch's does: an in-place change of the input shows in the windows.

Where windows overlap (``step < size``) one entry appears in several windows; that view is read-only, since a
write through one window would silently change its neighbours (PyTorch refuses in-place ops on such memory too).

**Gradient.** Entry i of the input is read by every window that covers it, so its gradient is the sum of those
windows' gradients at i (``FoldWindows``): for each position j in a window, the gradients ``g[..., w, ..., j]``
of all windows w belong to the entries ``j, j + step, j + 2·step, ...`` — a strided slice — so the fold is
``size`` strided additions. Folding is linear, and its VJP is unfolding again.
"""
import operator

from .base import Op, OpError, Spec, apply
from .infer import normalize_dim
from .reduce import check_tensor
from .shape import reshape

__all__ = ["unfold_windows"]


def _window_count(n, size, step):
    """How many windows fit: none where n < size (a graph's ``tf.signal.frame`` of a signal shorter than a frame,
    whose length shows only when it runs; ``unfold_windows`` refuses that when the op is created, as PyTorch)."""
    return max(0, (n - size) // step + 1)


class UnfoldWindows(Op):
    """The windows of ``x`` along ``dim`` as a view: that dim becomes the window count, a new last dim of length
    ``size`` holds each window's entries."""
    name = "Unfold"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dim, size, step):
        stride = x.strides[dim]
        shape = x.shape[:dim] + (_window_count(x.shape[dim], size, step),) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (step * stride,) + x.strides[dim + 1:] + (stride,)
        windows = xp.lib.stride_tricks.as_strided(x, shape, strides)
        if step < size and hasattr(windows.flags, "writeable"):  # overlapping windows (cupy has no read-only flag)
            windows.flags.writeable = False
        return windows

    @staticmethod
    def vjp(ctx, g):
        return (apply(FoldWindows, g, ctx.inputs[0], **ctx.attrs),)

    @staticmethod
    def infer(x, dim, size, step):
        n = x.shape[dim]
        return Spec(x.shape[:dim] + (None if n is None else _window_count(n, size, step),) + x.shape[dim + 1:]
                    + (size,), x.dtype)


class FoldWindows(Op):
    """Zeros shaped like ``x`` with each window's entries of ``g`` added back where they came from (overlapping
    windows add up): ``UnfoldWindows``' VJP. Its own VJP unfolds again."""
    differentiable_inputs = (0,)
    saves_inputs = ()

    @staticmethod
    def forward(xp, g, x, dim, size, step):
        out = xp.zeros(x.shape, dtype=g.dtype)
        count = g.shape[dim]
        for j in range(size):  # position j of every window: entries j, j + step, ... (one strided slice)
            covered = (slice(None),) * dim + (slice(j, j + (count - 1) * step + 1, step),)
            out[covered] += g[..., j]
        return out

    @staticmethod
    def vjp(ctx, gg):
        return apply(UnfoldWindows, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, **attrs):
        return Spec(x.shape, g.dtype)


def unfold_windows(input, dimension, size, step):
    """The tensor method ``x.unfold(dimension, size, step)``: every window of ``size`` consecutive entries along
    ``dimension``, starting each ``step`` entries, as a view (see the module docstring). That dim becomes the window
    count ``(n - size) // step + 1``, and a new last dim of length ``size`` holds each window's entries.

    (Not ``nn.functional.unfold``, which cuts image patches.)"""
    check_tensor("unfold", input)
    x = reshape(input, (1,)) if input.ndim == 0 else input  # a 0-d tensor is checked like a 1-element vector
    dim = normalize_dim("unfold", dimension, x.ndim)
    size, step = operator.index(size), operator.index(step)
    n = x.shape[dim]  # (None: a graph's, known when it runs)
    if size < 0:
        raise OpError(f"unfold: size is {size} but must be >= 0")
    if n is not None and size > n:
        raise OpError(f"unfold: maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise OpError(f"unfold: step is {step} but must be > 0")
    windows = apply(UnfoldWindows, x, dim=dim, size=size, step=step)
    # a 0-d tensor has one window and no dim to count windows along: shape (size,)
    return reshape(windows, (size,)) if input.ndim == 0 else windows


def sliding_sum(input, dim, before, after):
    """``out[..., c, ...] = Σ input[..., c', ...]`` over c' from c - before to c + after along ``dim``, entries past
    either end counting as 0: a window sum that slides along a dim, keeping its length (local response
    normalization's sum of squares over neighbouring channels, in eager and graph mode). It is a sum of
    ``before + after + 1`` shifted slices of the zero-padded input, so its gradient comes from those ops."""
    from .combine import pad
    from .shape_helpers import narrow
    check_tensor("sliding_sum", input)
    dim = normalize_dim("sliding_sum", dim, input.ndim)
    length = input.shape[dim]
    padded = pad(input, (0, 0) * (input.ndim - 1 - dim) + (before, after))
    total = narrow(padded, dim, 0, length)
    for start in range(1, before + after + 1):
        total = total + narrow(padded, dim, start, length)
    return total
