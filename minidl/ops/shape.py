"""Ops that rearrange one tensor's elements without changing them: reshape, permute, squeeze, broadcast_to, flip, ...

Each VJP puts the gradient back where each element came from: a reshape's gradient is reshaped back, a
permute's is permuted by the inverse permutation, a flip's is flipped again. Like PyTorch, the
forwards return *views* (no copy) wherever numpy can make one; ``clone`` makes a copy.

A VJP never bakes a shape in: it reads it at run time from a shape donor (``reshape_like(g, x)``), so the same
VJP builds graph-mode gradients where dims are unknown until the graph runs.

Joining and cutting tensors (cat, stack, split, ...), padding, tiling and repeating live in ``combine.py``.
"""
import math
import operator

from .base import Op, OpError, Spec, apply, describe
from .broadcast import sum_to_like
from .infer import normalize_dim, normalize_dims, rank_is_known, same_spec
from .reduce import check_tensor

__all__ = ["reshape", "reshape_like", "permute", "transpose", "swapaxes", "swapdims", "squeeze", "unsqueeze",
           "broadcast_to", "flatten", "flip", "fliplr", "flipud", "roll", "tril", "triu", "clone",
           "cat", "concat", "concatenate", "stack", "split", "chunk", "unbind", "pad", "tile", "repeat_interleave"]


def ints(op_name, values, what):
    """``values`` (an int or a sequence of ints, e.g. a shape) as a tuple of Python ints."""
    if not isinstance(values, (tuple, list)):
        values = (values,)
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{op_name}: {what} must be an int or a sequence of ints, got {values!r}") from None


def known(shape):
    """True when every dim of ``shape`` is known (graph mode may have None dims, or None for an unknown rank)."""
    return shape is not None and None not in shape


# ----------------------------------------------------------------------------------------------- reshape

def _reshape_back(ctx, g):
    """The VJP of the ops that keep the elements in order and change only the shape."""
    return (reshape_like(g, ctx.inputs[0]),)


def _resolve_shape(op_name, shape, numel):
    """``shape`` with its -1 (at most one) replaced by the size that makes the element count ``numel``."""
    if sum(n == -1 for n in shape) > 1:
        raise OpError(f"{op_name}: only one dimension can be inferred (-1), got shape {list(shape)}")
    for n in shape:
        if n < -1:
            raise OpError(f"{op_name}: invalid shape dimension {n} in shape {list(shape)}")
    rest = math.prod(n for n in shape if n != -1)
    if -1 in shape:
        if rest == 0:
            raise OpError(f"{op_name}: cannot reshape tensor of {numel} elements into shape {list(shape)} because "
                          "the unspecified dimension size -1 can be any value and is ambiguous")
        if numel % rest == 0:
            return tuple(numel // rest if n == -1 else n for n in shape)
    elif rest == numel:
        return shape
    raise OpError(f"{op_name}: shape '{list(shape)}' is invalid for input of size {numel}")


class Reshape(Op):
    """``x.reshape(shape)``: the same elements in row-major order, in a new shape. VJP: reshape back."""
    name = "View"
    saves_inputs = ()
    vjp = staticmethod(_reshape_back)

    @staticmethod
    def forward(xp, x, shape):
        return x.reshape(_resolve_shape("reshape", shape, x.size))

    @staticmethod
    def infer(x, shape):
        if -1 in shape and known(x.shape):
            shape = _resolve_shape("reshape", shape, math.prod(x.shape))
        return Spec(tuple(None if n == -1 else n for n in shape), x.dtype)


class ReshapeLike(Op):
    """Reshape ``g`` to the run-time shape of ``x``: the VJP of every op that only regroups elements."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x):
        return g.reshape(xp.shape(x))

    @staticmethod
    def vjp(ctx, gg):
        return reshape_like(gg, ctx.inputs[0]), None

    @staticmethod
    def infer(g, x):
        return Spec(x.shape, g.dtype)


def reshape(input, shape):
    """``input`` with a new shape holding the same number of elements; one dim may be -1 (inferred)."""
    check_tensor("reshape", input)
    shape = ints("reshape", shape, "shape")
    if known(input.shape):
        shape = _resolve_shape("reshape", shape, math.prod(input.shape))
        if shape == tuple(input.shape):
            return input
    return apply(Reshape, input, shape=shape)


def reshape_like(g, x):
    """``g`` reshaped to ``x``'s shape (read when the op runs); ``g`` itself when the shapes already agree."""
    if known(g.shape) and known(x.shape) and tuple(g.shape) == tuple(x.shape):
        return g
    return apply(ReshapeLike, g, x)


class Flatten(Op):
    """Merge dims ``start..end`` into one. VJP: reshape back."""
    name = "View"
    saves_inputs = ()
    vjp = staticmethod(_reshape_back)

    @staticmethod
    def forward(xp, x, start, end):
        return x.reshape(x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:])

    @staticmethod
    def infer(x, start, end):
        merged = x.shape[start:end + 1]
        return Spec(x.shape[:start] + (math.prod(merged) if known(merged) else None,) + x.shape[end + 1:], x.dtype)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge the dims ``start_dim..end_dim`` (inclusive) into one; a 0-d tensor becomes 1-d."""
    check_tensor("flatten", input)
    if input.ndim == 0:
        for dim in (start_dim, end_dim):  # (its one dim, as PyTorch counts: 0 or -1)
            normalize_dim("flatten", dim, 1)
        return reshape(input, (1,))
    start, end = normalize_dim("flatten", start_dim, input.ndim), normalize_dim("flatten", end_dim, input.ndim)
    if start > end:
        raise OpError(f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim}) for a tensor of "
                      f"shape {list(input.shape)}")
    return input if start == end else apply(Flatten, input, start=start, end=end)


class Squeeze(Op):
    """Drop the size-1 dims among ``dims`` (other dims are left alone, as in PyTorch). VJP: reshape back."""
    saves_inputs = ()
    vjp = staticmethod(_reshape_back)

    @staticmethod
    def forward(xp, x, dims):
        return xp.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))

    @staticmethod
    def infer(x, dims):
        if any(x.shape[d] is None for d in dims):  # whether that dim goes is decided at run time
            return Spec(None, x.dtype)
        return Spec(tuple(n for d, n in enumerate(x.shape) if not (d in dims and n == 1)), x.dtype)


def squeeze(input, dim=None):
    """Remove dims of size 1: all of them, or only those among ``dim`` (an int or a tuple of ints)."""
    check_tensor("squeeze", input)
    return apply(Squeeze, input, dims=normalize_dims("squeeze", dim, input.ndim))


class Unsqueeze(Op):
    """Insert a dim of size 1 at position ``dim``. VJP: reshape back."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, dim: xp.expand_dims(x, dim))
    vjp = staticmethod(_reshape_back)

    @staticmethod
    def infer(x, dim):
        return Spec(None if x.shape is None else x.shape[:dim] + (1,) + x.shape[dim:], x.dtype)


def unsqueeze(input, dim):
    check_tensor("unsqueeze", input)
    if not rank_is_known(input) and isinstance(dim, int) and dim >= 0:  # (a graph tensor of a rank known later)
        return apply(Unsqueeze, input, dim=dim)
    return apply(Unsqueeze, input, dim=normalize_dim("unsqueeze", dim, input.ndim + 1))


# ------------------------------------------------------------------------------------- permute, broadcast

class Permute(Op):
    """Reorder dims: output dim i is input dim ``dims[i]``. VJP: permute back with the inverse permutation."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, dims: xp.transpose(x, dims))

    @staticmethod
    def vjp(ctx, g):
        dims = ctx.attrs["dims"]
        return (apply(Permute, g, dims=tuple(sorted(range(len(dims)), key=dims.__getitem__))),)

    @staticmethod
    def infer(x, dims):
        return Spec(tuple(x.shape[d] for d in dims), x.dtype)


def permute(input, dims):
    check_tensor("permute", input)
    dims = ints("permute", dims, "dims")
    if len(dims) != input.ndim:
        raise OpError(f"permute: the number of dims ({len(dims)}) must equal the number of dimensions of the input "
                      f"{describe(input)} ({input.ndim})")
    dims = tuple(normalize_dim("permute", d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise OpError(f"permute: repeated dim in {list(dims)}")
    return apply(Permute, input, dims=dims)


class Transpose(Op):
    """Swap two dims. The VJP swaps them back."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, dim0, dim1: xp.swapaxes(x, dim0, dim1))
    vjp = staticmethod(lambda ctx, g: (apply(Transpose, g, **ctx.attrs),))

    @staticmethod
    def infer(x, dim0, dim1):
        if x.shape is None:  # a rank known at run time only (dims counted from the end, as _mH's)
            return Spec(None, x.dtype)
        shape = list(x.shape)
        shape[dim0], shape[dim1] = shape[dim1], shape[dim0]
        return Spec(tuple(shape), x.dtype)


def transpose(input, dim0, dim1):
    check_tensor("transpose", input)
    dim0, dim1 = normalize_dim("transpose", dim0, input.ndim), normalize_dim("transpose", dim1, input.ndim)
    return input if dim0 == dim1 or input.ndim < 2 else apply(Transpose, input, dim0=dim0, dim1=dim1)


def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


swapdims = transpose


class BroadcastTo(Op):
    """View ``x`` with size-1 dims repeated (and new leading dims) to reach ``shape``; -1 keeps a dim.
    Each input element feeds many outputs, so the VJP sums them: ``sum_to_like(g, x)``."""
    name = "Expand"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, shape):
        return xp.broadcast_to(x, _expanded_shape(shape, x.shape))

    @staticmethod
    def vjp(ctx, g):
        return (sum_to_like(g, ctx.inputs[0]),)

    @staticmethod
    def infer(x, shape):
        return Spec(_expanded_shape(shape, x.shape), x.dtype)


def _expanded_shape(shape, x_shape):
    """``shape`` with each -1 replaced by the size ``x`` has there (dims are aligned from the right)."""
    lead = len(shape) - len(x_shape)
    return tuple(x_shape[i - lead] if n == -1 else n for i, n in enumerate(shape))


def broadcast_to(input, shape):
    """``input`` broadcast to ``shape`` (PyTorch's ``expand``): size-1 dims stretch, -1 keeps a dim."""
    check_tensor("broadcast_to", input)
    shape = ints("broadcast_to", shape, "shape")
    lead = len(shape) - input.ndim
    if lead < 0:
        raise OpError(f"broadcast_to: the number of sizes provided ({len(shape)}) must be greater or equal to the "
                      f"number of dimensions in the tensor ({input.ndim}); got shape {list(shape)} for "
                      f"{describe(input)}")
    for i, n in enumerate(shape):
        if n < -1 or n == -1 and i < lead:
            raise OpError(f"broadcast_to: invalid size {n} at dimension {i} of the target {list(shape)} for "
                          f"{describe(input)} (-1 keeps an existing dimension, so a new leading one can't use it)")
        old = input.shape[i - lead] if i >= lead else None
        if n != -1 and old not in (None, 1, n):
            raise OpError(f"broadcast_to: the expanded size of the tensor ({n}) must match the existing size "
                          f"({old}) at non-singleton dimension {i}. Target sizes: {list(shape)}. Tensor sizes: "
                          f"{list(input.shape)}")
    if known(input.shape) and _expanded_shape(shape, input.shape) == tuple(input.shape):
        return input
    return apply(BroadcastTo, input, shape=shape)


# ------------------------------------------------------------------------------------------- flip, roll

class Flip(Op):
    """Reverse the order of elements along ``dims``. Flipping twice is the identity, so the VJP flips ``g``. The
    result is a copy, as PyTorch's (numpy's flip is a view: writing to it would change the input)."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, dims: xp.flip(x, dims).copy())
    vjp = staticmethod(lambda ctx, g: (apply(Flip, g, **ctx.attrs),))
    infer = staticmethod(same_spec)


def flip(input, dims):
    check_tensor("flip", input)
    dims = ints("flip", dims, "dims")
    if input.ndim == 0:  # nothing to reverse, but its one dim (as PyTorch counts: 0 or -1) may be named
        for d in dims:
            normalize_dim("flip", d, 1)
        return clone(input)
    normalized = [normalize_dim("flip", d, input.ndim) for d in dims]
    if len(set(normalized)) != len(normalized):
        raise OpError(f"flip: dims {list(dims)} name a dimension more than once")
    return apply(Flip, input, dims=tuple(normalized))


def fliplr(input):
    """Flip left/right: reverse dim 1."""
    check_tensor("fliplr", input)
    if input.ndim < 2:
        raise OpError(f"fliplr: input must be >= 2-d, got {describe(input)}")
    return flip(input, (1,))


def flipud(input):
    """Flip up/down: reverse dim 0."""
    check_tensor("flipud", input)
    if input.ndim < 1:
        raise OpError(f"flipud: input must be >= 1-d, got {describe(input)}")
    return flip(input, (0,))


class Roll(Op):
    """Shift elements cyclically by ``shifts`` along ``dims`` (``dims=None``: over the flattened tensor).
    The VJP rolls ``g`` back by ``-shifts``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, shifts, dims: xp.roll(x, shifts, axis=dims))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (apply(Roll, g, shifts=tuple(-s for s in ctx.attrs["shifts"]), dims=ctx.attrs["dims"]),)


def roll(input, shifts, dims=None):
    check_tensor("roll", input)
    shifts = ints("roll", shifts, "shifts")
    if dims is None:
        if len(shifts) != 1:
            raise OpError(f"roll: without dims, shifts must be a single int, got {list(shifts)}")
    else:
        dims = tuple(normalize_dim("roll", d, input.ndim) for d in ints("roll", dims, "dims"))
        if len(dims) != len(shifts):
            raise OpError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
    return apply(Roll, input, shifts=shifts, dims=dims)


# -------------------------------------------------------------------------------------- tril, triu, clone

class Tril(Op):
    """Keep the lower triangle (on and below diagonal ``diagonal`` of the last two dims), zero the rest.
    The kept elements pass their gradient through, the zeroed ones get none: VJP = ``tril(g)``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, diagonal: xp.tril(x, diagonal))
    vjp = staticmethod(lambda ctx, g: (apply(Tril, g, **ctx.attrs),))
    infer = staticmethod(same_spec)


class Triu(Op):
    """Keep the upper triangle (on and above diagonal ``diagonal``), zero the rest. VJP = ``triu(g)``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, diagonal: xp.triu(x, diagonal))
    vjp = staticmethod(lambda ctx, g: (apply(Triu, g, **ctx.attrs),))
    infer = staticmethod(same_spec)


def _triangle(op, name, x, diagonal):
    check_tensor(name, x)
    if x.ndim < 2:
        raise OpError(f"{name}: input tensor must have at least 2 dimensions, got {describe(x)}")
    return apply(op, x, diagonal=operator.index(diagonal))


def tril(input, diagonal=0):
    return _triangle(Tril, "tril", input, diagonal)


def triu(input, diagonal=0):
    return _triangle(Triu, "triu", input, diagonal)


class Clone(Op):
    """A copy of ``x`` with its own memory; the gradient passes through unchanged."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x: x.copy())
    vjp = staticmethod(lambda ctx, g: (g,))
    infer = staticmethod(same_spec)


def clone(input):
    check_tensor("clone", input)
    return apply(Clone, input)


# joining, cutting, padding and tiling live in combine.py (it builds on this module); re-exported so ``ops`` has them
from .combine import (cat, chunk, concat, concatenate, pad, repeat_interleave, split, stack, tile,  # noqa: E402
                      unbind)
