"""Joining tensors and cutting them into pieces (cat, stack, split, chunk, unbind), padding, tiling, repeating.

``cat`` takes any number of inputs, so its VJP cuts the gradient into one piece per input, each piece an op
(``CatGrad``) that reads the inputs' sizes at run time. The pieces of ``split``/``chunk`` are plain slices
``x[..., start:stop]``, one single-output op each, whose VJP places ``g`` back into zeros like ``x``.
``stack`` and ``unbind`` are each other's inverse and each other's VJP: ``Stack`` is one op however many inputs
it joins, and ``Unbind`` one op with an output per slice, so cutting a sequence into its time steps records one
node, not one slice per step whose VJP fills a full-size array of zeros. The number of pieces must be known when
the call is made (in graph mode: the size of the split dim).

Padding other than with a constant, and ``repeat_interleave``, are indexing with positions computed at run time
by small integer ops (``x[[1, 0, 1, 2, 3, 2]]`` is ``[x0, x1, x2, x3]`` padded by reflection), so their VJP is
indexing's scatter-add: an element read twice gets both gradients.
"""
import math
import operator

from ..backend import dtypes
from .base import DimensionError, Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import zeros_like
from .infer import normalize_dim
from .promote import promote
from .reduce import check_tensor
from .shape import flatten, ints, known, squeeze

__all__ = ["cat", "concat", "concatenate", "stack", "split", "chunk", "unbind", "pad", "tile", "repeat_interleave"]


class Cat(Op):
    """Join tensors along ``dim``. The VJP cuts ``g`` into one piece per input (sizes read at run time)."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, *xs, dim):
        return xp.concatenate(xs, axis=dim)

    @staticmethod
    def vjp(ctx, g):
        return tuple(apply(CatGrad, g, *ctx.inputs, dim=ctx.attrs["dim"], index=i) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))

    @staticmethod
    def infer(*xs, dim):
        sizes = [x.shape[dim] for x in xs]
        return Spec(xs[0].shape[:dim] + (sum(sizes) if known(sizes) else None,) + xs[0].shape[dim + 1:], xs[0].dtype)


class CatGrad(Op):
    """The part of ``g`` (a gradient of ``cat(xs, dim)``) that lines up with ``xs[index]``.

    Its VJP puts the piece back in place: ``cat`` of zeros for the other inputs and ``gg`` for this one."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, *xs, dim, index):
        start = sum(x.shape[dim] for x in xs[:index])
        return g[(slice(None),) * dim + (slice(start, start + xs[index].shape[dim]),)]

    @staticmethod
    def vjp(ctx, gg):
        g, *xs = ctx.inputs
        index = ctx.attrs["index"]
        parts = [gg if i == index else zeros_like(x, dtype=gg.dtype) for i, x in enumerate(xs)]
        return (apply(Cat, *parts, dim=ctx.attrs["dim"]),) + (None,) * len(xs)

    @staticmethod
    def infer(g, *xs, dim, index):
        return Spec(g.shape[:dim] + (xs[index].shape[dim],) + g.shape[dim + 1:], g.dtype)


def _tensor_list(op_name, tensors):
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else None
    if not tensors:
        raise (TypeError if tensors is None else OpError)(f"{op_name}: expected a non-empty list or tuple of tensors")
    for i, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"{op_name}: expected a tensor as element {i} of the list, got {type(t).__name__}")
    return tensors


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other dims must match. Mixed dtypes promote (PyTorch's rules)."""
    tensors = _tensor_list("cat", tensors)
    # PyTorch skips 1-d empty tensors, so ``out = tensor([]); out = cat([out, x])`` works
    joined = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    first = joined[0]
    if first.ndim == 0:
        raise OpError("cat: zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = normalize_dim("cat", dim, first.ndim)
    for i, t in enumerate(joined):
        if t.ndim != first.ndim:
            raise OpError(f"cat: tensors must have the same number of dimensions: got {first.ndim} and {t.ndim} "
                          f"({describe(first)} and {describe(t)})")
        for d, (a, b) in enumerate(zip(first.shape, t.shape)):
            if d != dim and None not in (a, b) and a != b:
                raise OpError(f"cat: sizes of tensors must match except in dimension {dim}. Expected size {a} but "
                              f"got size {b} for tensor number {i} in the list ({describe(first)} and "
                              f"{describe(t)})")
    _, joined = promote("cat", *joined, dtype=dtypes.result_type(*tensors))
    return apply(Cat, *joined, dim=dim)


concat = concatenate = cat


class Stack(Op):
    """Join equally shaped tensors along a new dim ``dim``. VJP: ``g`` cut back into its slices along ``dim``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, *xs, dim: xp.stack(xs, axis=dim))

    @staticmethod
    def vjp(ctx, g):
        return _slices(g, ctx.attrs["dim"], len(ctx.inputs))

    @staticmethod
    def infer(*xs, dim):
        shape = tuple(next((n for n in sizes if n is not None), None) for sizes in zip(*(x.shape for x in xs)))
        return Spec(shape[:dim] + (len(xs),) + shape[dim:], xs[0].dtype)


def stack(tensors, dim=0):
    """Join equally shaped tensors along a new dim ``dim``. Mixed dtypes promote (PyTorch's rules)."""
    tensors = _tensor_list("stack", tensors)
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        shape = t.shape  # (equal shapes, the usual case, are told apart from compatible ones in one comparison)
        if shape != first and (len(shape) != len(first) or
                               any(None not in (a, b) and a != b for a, b in zip(first, shape))):
            raise OpError(f"stack: expects each tensor to be equal size, but got {list(first)} at entry 0 and "
                          f"{list(shape)} at entry {i}")
    dim = normalize_dim("stack", dim, tensors[0].ndim + 1)
    dtype = tensors[0].dtype
    if any(t.dtype != dtype for t in tensors):  # (a batch of samples, the usual case, has one dtype already)
        _, tensors = promote("stack", *tensors, dtype=dtypes.result_type(*tensors))
    return apply(Stack, *tensors, dim=dim)


# ----------------------------------------------------------------------------------- split, chunk, unbind

def _static_size(op_name, x, dim):
    if x.ndim == 0:  # (normalize_dim lets dim 0 name a scalar's one "dim", as reductions want; a split cannot)
        raise DimensionError(f"{op_name} expects at least a 1-dimensional tensor, got {describe(x)}")
    size = x.shape[dim]
    if size is None:
        raise OpError(f"{op_name}: the size of dimension {dim} of {describe(x)} must be known when the op is "
                      "created (it decides how many pieces there are)")
    return size


def _take(x, dim, index):
    """``x[:, ..., :, index]`` with ``index`` applied to dim ``dim``."""
    from .indexing import getitem  # indexing builds on this module: import late
    return getitem(x, (slice(None),) * dim + (index,))


def split(tensor, split_size_or_sections, dim=0):
    """Cut ``tensor`` along ``dim`` into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    check_tensor("split", tensor)
    dim = normalize_dim("split", dim, tensor.ndim)
    size = _static_size("split", tensor, dim)
    if isinstance(split_size_or_sections, (list, tuple)):
        sections = ints("split", split_size_or_sections, "split sizes")
        if sum(sections) != size or min(sections, default=0) < 0:
            raise OpError(f"split: split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                          f"size at dimension {dim}), but got split_sizes={list(sections)}")
    else:
        step = operator.index(split_size_or_sections)
        if step < 0 or step == 0 and size != 0:
            raise OpError(f"split: split_size must be positive (0 only for an empty dimension), got {step} for "
                          f"{describe(tensor)}")
        sections = [min(step, size - start) for start in range(0, size, step)] if size else [0]
    if len(sections) == 1:
        return (_take(tensor, dim, slice(0, sections[0])),)
    return apply(Split.with_outputs(len(sections)), tensor, sections=tuple(sections), dim=dim)


class Split(Op):
    """Consecutive pieces of ``x`` along ``dim``, of the sizes ``sections``, one output each: views of ``x``, as
    in PyTorch (one op, ``SplitWithSizesBackward0``, not one per piece). VJP: the pieces' gradients joined again
    (zeros for a piece that got none, which the front-ends pass)."""
    name = "SplitWithSizes"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, sections, dim):
        bounds = [sum(sections[:i + 1]) for i in range(len(sections) - 1)]
        return tuple(xp.split(x, bounds, axis=dim))

    @staticmethod
    def vjp(ctx, *grads):
        return (apply(Cat, *grads, dim=ctx.attrs["dim"]),)

    @classmethod
    def infer(cls, x, sections, dim):
        return tuple(Spec(x.shape[:dim] + (n,) + x.shape[dim + 1:], x.dtype) for n in sections)



def chunk(input, chunks, dim=0):
    """Cut ``input`` into ``chunks`` pieces of equal size (the last may be smaller, and there may be fewer)."""
    check_tensor("chunk", input)
    if chunks <= 0:
        raise OpError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    dim = normalize_dim("chunk", dim, input.ndim)
    size = _static_size("chunk", input, dim)
    if size == 0:  # PyTorch gives ``chunks`` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, math.ceil(size / chunks), dim)


class Unbind(Op):
    """The slices ``x[..., i, ...]`` along ``dim``, one output each: views of ``x``, as in PyTorch, so an in-place
    change of a slice changes ``x``. VJP: the slices' gradients stacked (the front-ends pass zeros for slices that
    got none)."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dim):
        # indexed one by one: iterating over a 1-d array would give numpy scalars, copies rather than 0-d views
        slices = xp.moveaxis(x, dim, 0)
        return tuple(slices[i, ...] for i in range(slices.shape[0]))

    @staticmethod
    def vjp(ctx, *grads):
        return (apply(Stack, *grads, dim=ctx.attrs["dim"]),)

    @classmethod
    def infer(cls, x, dim):
        return (Spec(x.shape[:dim] + x.shape[dim + 1:], x.dtype),) * cls.n_outputs



def _slices(x, dim, pieces):
    """``x`` cut along ``dim`` into its ``pieces`` slices: one ``Unbind`` op (one slice: a squeeze)."""
    if pieces == 1:
        return (squeeze(x, dim),)
    return apply(Unbind.with_outputs(pieces), x, dim=dim) if pieces else ()


def unbind(input, dim=0):
    """The slices ``x[..., i, ...]`` along ``dim``, as a tuple."""
    check_tensor("unbind", input)
    dim = normalize_dim("unbind", dim, input.ndim)
    return _slices(input, dim, _static_size("unbind", input, dim))


# -------------------------------------------------------------------------------------------------- pad

class ConstantPad(Op):
    """Add ``before``/``after`` elements of value ``value`` around each dim (``pads[d] = (before, after)``);
    negative amounts crop instead. VJP: the same op with the amounts negated, which cuts the padding off ``g``
    (and pads with zeros what was cropped)."""
    name = "ConstantPadNd"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, pads, value):
        kept = x[tuple(slice(max(-before, 0), n - max(-after, 0)) for (before, after), n in zip(pads, x.shape))]
        return xp.pad(kept, [(max(before, 0), max(after, 0)) for before, after in pads], constant_values=value)

    @staticmethod
    def vjp(ctx, g):
        return (apply(ConstantPad, g, pads=tuple((-b, -a) for b, a in ctx.attrs["pads"]), value=0),)

    @staticmethod
    def infer(x, pads, value):
        return Spec(tuple(None if n is None else n + b + a for n, (b, a) in zip(x.shape, pads)), x.dtype)


# The other modes read output position p (from -before to n + after - 1) of a dim of size n from position:
_SOURCE = {
    "reflect": lambda xp, p, n: (n - 1) - xp.abs((n - 1) - xp.abs(p)),  # mirror at both ends, edge not repeated
    "replicate": lambda xp, p, n: xp.clip(p, 0, n - 1),                  # repeat the edge
    "circular": lambda xp, p, n: p % n,                                  # wrap around
}
_MOST = {"reflect": lambda n: n - 1, "replicate": lambda n: math.inf, "circular": lambda n: n}  # PyTorch's limits


class PadSource(Op):
    """For ``pad`` in a non-constant mode: the positions along ``dim`` of ``x`` that the padded dim reads
    (``x[..., positions]`` is the padded tensor). Integer output: no gradient."""
    differentiable = False

    @staticmethod
    def forward(xp, x, dim, before, after, mode):
        n = x.shape[dim]
        if n == 0:
            raise ValueError(f"pad: {mode} padding needs a non-empty dimension, but dimension {dim} is empty")
        if max(before, after) > _MOST[mode](n):
            raise ValueError(f"pad: {mode} padding of dimension {dim} (size {n}) can be at most {_MOST[mode](n)}, "
                             f"got ({before}, {after})")
        return _SOURCE[mode](xp, xp.arange(-before, n + after, dtype=dtypes.int64), n)

    @staticmethod
    def infer(x, dim, before, after, mode):
        n = x.shape[dim]
        return Spec((None if n is None else n + before + after,), dtypes.int64)


def pad(input, pad, mode="constant", value=None):
    """Pad ``input`` (``torch.nn.functional.pad``): ``pad = (left, right, top, bottom, ...)`` gives (before, after)
    amounts for the last dim, then the one before it, and so on; negative amounts crop.

    ``mode``: 'constant' (with ``value``, default 0), 'reflect', 'replicate' or 'circular'."""
    check_tensor("pad", input)
    widths = ints("pad", pad, "pad")
    if len(widths) % 2:
        raise OpError(f"pad: padding length must be divisible by 2, got {list(widths)}")
    if len(widths) // 2 > input.ndim:
        raise OpError(f"pad: padding length too large: {list(widths)} pads {len(widths) // 2} dims but the input "
                      f"{describe(input)} has {input.ndim}")
    pairs = [(0, 0)] * (input.ndim - len(widths) // 2) + [(widths[i], widths[i + 1])
                                                      for i in range(len(widths) - 2, -1, -2)]
    for d, ((before, after), n) in enumerate(zip(pairs, input.shape)):
        if n is not None and max(-before, 0) + max(-after, 0) > n:
            raise OpError(f"pad: negative padding ({before}, {after}) crops more than the {n} elements of "
                          f"dimension {d} of {describe(input)}")
    if mode == "constant":
        if is_tensor(value) or isinstance(value, (list, tuple, str)) or getattr(value, "ndim", 0) != 0:
            # (several values would be spread over the sides by numpy's pad, a different one on each)
            raise TypeError(f"pad(): argument 'value' must be a number, not {type(value).__name__}")
        return apply(ConstantPad, input, pads=tuple(pairs), value=0 if value is None else value)
    if mode not in _SOURCE:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if value is not None:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in a value argument")
    if mode == "circular" and any(min(pair) < 0 for pair in pairs):  # PyTorch crops first, then wraps what is left
        input = apply(ConstantPad, input, pads=tuple((min(b, 0), min(a, 0)) for b, a in pairs), value=0)
        pairs = [(max(b, 0), max(a, 0)) for b, a in pairs]
    for d, (before, after) in enumerate(pairs):
        if before or after:
            input = _take(input, d, apply(PadSource, input, dim=d, before=before, after=after, mode=mode))
    return input


# -------------------------------------------------------------------------------------- tile, repeat_interleave

class Tile(Op):
    """``x`` repeated ``reps[d]`` times along each dim d (leading dims of size 1 are added to match ``reps``).
    Every tile holds a copy of each element, so the VJP adds the tiles of ``g`` up (``TileGrad``)."""
    name = "Repeat"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, reps):
        return xp.tile(x, reps)

    @staticmethod
    def vjp(ctx, g):
        return (apply(TileGrad, g, ctx.inputs[0], **ctx.attrs),)

    @staticmethod
    def infer(x, reps):
        sizes = (1,) * (len(reps) - len(x.shape)) + tuple(x.shape)
        return Spec(tuple(None if n is None else n * r for n, r in zip(sizes, reps)), x.dtype)


class TileGrad(Op):
    """The sum of the tiles of ``g`` (a gradient of ``tile(x, reps)``), shaped like ``x``. VJP: ``tile(gg)``."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, reps):
        sizes = (1,) * (len(reps) - x.ndim) + x.shape
        # see each dim of g as (which tile, position in the tile), then add up over the tiles
        tiles = g.reshape(tuple(n for r, size in zip(reps, sizes) for n in (r, size)))
        return tiles.sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(x.shape)

    @staticmethod
    def vjp(ctx, gg):
        return apply(Tile, gg, **ctx.attrs), None

    @staticmethod
    def infer(g, x, reps):
        return Spec(x.shape, g.dtype)


def tile(input, dims):
    """``input`` repeated ``dims[d]`` times along each dim; a short ``dims`` is padded with leading 1s."""
    check_tensor("tile", input)
    reps = ints("tile", dims, "dims")
    if min(reps, default=0) < 0:
        raise OpError(f"tile: repetitions must be non-negative, got {list(reps)}")
    return apply(Tile, input, reps=(1,) * (input.ndim - len(reps)) + reps)


class RepeatIndex(Op):
    """Positions ``0, 0, 1, 1, 1, ...`` along ``dim`` of ``x``, each repeated ``repeats`` times (an int) or as
    often as its count in a tensor of counts. Integer output: no gradient."""
    differentiable = False

    @staticmethod
    def forward(xp, x, *counts, dim, repeats):
        counts = counts[0].reshape(-1).tolist() if counts else [repeats]
        if min(counts, default=0) < 0:
            raise ValueError(f"repeat_interleave: repeats can not be negative, got {min(counts)}")
        return xp.repeat(xp.arange(x.shape[dim], dtype=dtypes.int64), counts if len(counts) != 1 else counts[0])

    @staticmethod
    def infer(x, *counts, dim, repeats):
        n = x.shape[dim]
        return Spec((None if counts or n is None else n * repeats,), dtypes.int64)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (``dim=None``: of the flattened ``input``) or each slice along ``dim`` ``repeats`` times;
    ``repeats`` is an int or a tensor of counts, one per position (or a single one). ``repeat_interleave(counts)``
    alone gives each position i of ``counts`` ``counts[i]`` times: [1, 0, 2] -> [0, 2, 2]. (``output_size``, the
    result's length, is accepted: PyTorch uses it to avoid a device sync.)"""
    check_tensor("repeat_interleave", input)
    if repeats is None:
        from .indexing import check_index_tensor
        check_index_tensor("repeat_interleave", input, "repeats")
        if input.ndim != 1:
            raise OpError(f"repeat_interleave: repeats must be a 1-d tensor of counts, got {describe(input)}")
        return apply(RepeatIndex, input, input, dim=0, repeats=None)
    if dim is None:
        input, dim = flatten(input), 0
    dim = normalize_dim("repeat_interleave", dim, input.ndim)
    if is_tensor(repeats):
        from .indexing import check_index_tensor
        check_index_tensor("repeat_interleave", repeats, "repeats")
        count, size = (repeats.shape[0] if repeats.ndim == 1 else 1), input.shape[dim]
        if repeats.ndim > 1 or None not in (count, size) and count not in (1, size):
            raise OpError(f"repeat_interleave: repeats must be 0-d or 1-d with one count per position along dim "
                          f"{dim} (size {size}), got {describe(repeats)}")
        index = apply(RepeatIndex, input, repeats, dim=dim, repeats=None)
    else:
        repeats = operator.index(repeats)
        if repeats < 0:
            raise OpError(f"repeat_interleave: repeats can not be negative, got {repeats}")
        index = apply(RepeatIndex, input, dim=dim, repeats=repeats)
    return _take(input, dim, index)
