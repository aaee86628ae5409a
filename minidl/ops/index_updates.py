"""Writing into the places an index names, out of place: ``index_add``, ``index_copy``, ``index_fill`` (whole
slices along one dim), ``masked_scatter`` (where a mask is True), ``put`` (into the flattened tensor); and the
reads that pair with them, ``take`` and ``take_along_dim``. The tensor methods ``x.index_add_(...)`` etc. are the
in-place forms. ``select_scatter``, ``slice_scatter`` and ``diagonal_scatter`` write a whole tensor into a slice
(``index_put`` at the slice: the gradient reaches ``input`` outside it and ``src`` through it).

Along dim 0 of a matrix, with ``index = [i_0, i_1, ...]`` (row k of ``source`` goes to row ``i_k``)::

    index_add:   out = x;  out[i_k] += alpha · source[k]     (a row named twice receives both)
    index_copy:  out = x;  out[i_k]  = source[k]
    index_fill:  out = x;  out[i_k]  = value

and their gradients, each written with ops so that it can be differentiated again:

    d/dx       index_add: g (x passes through unchanged); index_copy, index_fill: g with the written rows zeroed
               (they no longer depend on x)
    d/dsource  the rows of g where source went: alpha · index_select(g, dim, index)
    d/dvalue   (a 0-d tensor value) the sum of g over the filled places, each counted once

PyTorch's argument checks are kept, with its messages (which name the in-place form). Positions are checked when
the op runs, as their values are known only then: ``index_add`` and ``index_copy`` refuse negative ones, while
``index_fill``, ``take``, ``take_along_dim`` and ``put`` count them from the end.
"""
import math

from ..backend import dtypes
from ..backend.scans import add_at
from .base import DimensionError, DtypeError, Op, OpError, apply, describe, is_tensor
from .broadcast import zeros_like
from .cast import cast
from .compare import lt, masked_fill, where
from .gather import gather, scatter_add
from .promote import fill_value_as
from .indexing import getitem, index_put, index_select
from .infer import broadcast_shapes, normalize_dim
from .reduce import check_tensor
from .shape import broadcast_to, known, reshape, reshape_like

__all__ = ["index_add", "index_copy", "index_fill", "masked_scatter", "take", "take_along_dim", "put", "select_scatter",
           "slice_scatter", "diagonal_scatter"]


def _at(dim, index):
    """The numpy index of the slices at positions ``index`` (a 1-d array) along ``dim``."""
    return (slice(None),) * dim + (index,)


def _spec_of_x(x, *others, **attrs):
    """``infer`` of the ops below: the result has the shape and dtype of ``x``."""
    return x


def _check_positions(op_name, index, size, dim, negative):
    """Every position must lie in ``[0, size)``, or also in ``[-size, 0)`` when ``negative`` ones count from the
    end. (Run inside forward: the values of an index tensor are known only then.)"""
    if index.size == 0:
        return
    low, high = int(index.min()), int(index.max())
    if high >= size or low < (-size if negative else 0):
        bad = high if high >= size else low
        raise IndexError(f"{op_name}: index {bad} is out of bounds for dimension {dim} with size {size}")


# ------------------------------------------------------------------------------ index_add, index_copy

class IndexAdd(Op):
    """``out = x; out[..., index[k], ...] += alpha · source[..., k, ...]`` along ``dim``.
    d/dx = g; d/dsource = alpha · index_select(g, dim, index)."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)  # the positions; x and source lend nothing to the gradient

    @staticmethod
    def forward(xp, x, index, source, dim, alpha):
        _check_positions("index_add_()", index, x.shape[dim], dim, negative=False)
        out = x.copy()
        add_at(xp, out, _at(dim, index), source if alpha == 1 else source * alpha)  # add.at: repeats add up
        return out

    @staticmethod
    def vjp(ctx, g):
        index, (dim, alpha) = ctx.inputs[1], (ctx.attrs["dim"], ctx.attrs["alpha"])
        need_x, _, need_source = ctx.needs_input_grad
        picked = index_select(g, dim, index) if need_source else None
        return (g if need_x else None, None, None if picked is None else picked if alpha == 1 else picked * alpha)

    infer = staticmethod(_spec_of_x)


class IndexCopy(Op):
    """``out = x; out[..., index[k], ...] = source[..., k, ...]`` along ``dim``.
    d/dx = g with the written slices zeroed; d/dsource = index_select(g, dim, index)."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, source, dim):
        _check_positions("index_copy_()", index, x.shape[dim], dim, negative=False)
        out = x.copy()
        out[_at(dim, index)] = source
        return out

    @staticmethod
    def vjp(ctx, g):
        index, dim = ctx.inputs[1], ctx.attrs["dim"]
        need_x, _, need_source = ctx.needs_input_grad
        return (apply(IndexFill, g, index, dim=dim, value=0) if need_x else None, None,
                index_select(g, dim, index) if need_source else None)

    infer = staticmethod(_spec_of_x)


class IndexFill(Op):
    """``out = x; out[..., index[k], ...] = value`` along ``dim`` (``value`` a number).
    d/dx = g with the filled slices zeroed: index_fill(g, dim, index, 0)."""
    differentiable_inputs = (0,)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, dim, value):
        _check_positions("index_fill_()", index, x.shape[dim], dim, negative=True)
        out = x.copy()
        out[_at(dim, index)] = value
        return out

    @staticmethod
    def vjp(ctx, g):
        return apply(IndexFill, g, ctx.inputs[1], dim=ctx.attrs["dim"], value=0), None

    infer = staticmethod(_spec_of_x)


def _slices_operands(op_name, x, dim, index, source, index_dtypes):
    """Check the arguments of index_add / index_copy / index_fill; return ``(dim, index as a vector)``."""
    check_tensor(op_name, x)
    if not is_tensor(index):
        raise TypeError(f"{op_name}: index must be a tensor of int64 positions, got {type(index).__name__}")
    if index.dtype not in index_dtypes:
        wanted = "/".join(d.name for d in index_dtypes)
        raise DtypeError(f"{op_name}: Expected dtype {wanted} for index, but got {dtypes.torch_name(index.dtype)} "
                         f"({describe(index)})")
    if index.ndim > 1:
        raise IndexError(f"{op_name}: Index is supposed to be a vector, but got {describe(index)}")
    dim = normalize_dim(op_name, dim, x.ndim, x)
    if source is not None:
        check_tensor(op_name, source)
        if source.dtype != x.dtype:
            raise DtypeError(f"{op_name}: self ({dtypes.torch_name(x.dtype)}) and source "
                             f"({dtypes.torch_name(source.dtype)}) must have the same scalar type ({describe(x)} and "
                             f"{describe(source)})")
        x_shape, source_shape = tuple(x.shape) or (1,), tuple(source.shape) or (1,)  # 0-d: one element
        if source.ndim != x.ndim or any(
                None not in (a, b) and a != b for d, (a, b) in enumerate(zip(x_shape, source_shape)) if d != dim):
            raise OpError(f"{op_name}: source tensor shape must match self tensor shape, excluding the specified "
                          f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}")
        count = 1 if index.ndim == 0 else index.shape[0]
        if None not in (count, source_shape[dim]) and count != source_shape[dim]:
            raise DimensionError(f"{op_name}: Number of indices ({count}) should be equal to source.size(dim) "
                                 f"({source_shape[dim]}), for dim: {dim}")
    return dim, reshape(index, (-1,))


def _on_slices(op, x, dim, index, source=None, **attrs):
    """Apply ``op`` along ``dim``; a 0-d ``x`` (and source) is treated as a vector of one element, as PyTorch does."""
    if x.ndim > 0:
        return apply(op, x, index, *(() if source is None else (source,)), dim=dim, **attrs)
    source = () if source is None else (reshape(source, (1,)),)
    return reshape(apply(op, reshape(x, (1,)), index, *source, dim=0, **attrs), ())


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha · source`` added at positions ``index`` along ``dim``: the k-th slice of
    ``source`` is added to slice ``index[k]``; a position named several times receives each of its slices."""
    dim, index = _slices_operands("index_add_()", input, dim, index, source, (dtypes.int32, dtypes.int64))
    if input.dtype.kind in "biu" and isinstance(alpha, float):
        raise TypeError(f"index_add_(): for integral input tensors, argument alpha must not be a floating point "
                        f"number (got alpha={alpha!r} for {describe(input)})")
    return _on_slices(IndexAdd, input, dim, index, source, alpha=alpha)


def index_copy(input, dim, index, source):
    """A copy of ``input`` whose slices at positions ``index`` along ``dim`` are replaced by the slices of
    ``source``, in order. (A position named twice gets one of its slices, which one is undefined, as in PyTorch.)"""
    dim, index = _slices_operands("index_copy_()", input, dim, index, source, (dtypes.int64,))
    return _on_slices(IndexCopy, input, dim, index, source)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with ``value`` (a number, or a 0-d tensor that then gets a gradient) written into the
    slices at positions ``index`` along ``dim``."""
    dim, index = _slices_operands("index_fill_()", input, dim, index, None, (dtypes.int64,))
    if not is_tensor(value):  # (a number the tensor cannot hold is refused)
        return _on_slices(IndexFill, input, dim, index, value=fill_value_as("index_fill", input.dtype, value).item())
    if value.ndim != 0:
        raise OpError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} "
                      f"dimension(s) ({describe(value)})")
    # where(filled, value, x): the gradient of value sums g over the filled places, each counted once
    filled = _on_slices(IndexFill, zeros_like(input, dtype=dtypes.bool_), dim, index, value=True)
    return where(filled, cast(value, input.dtype), input)


# --------------------------------------------------------------------------------------------- masked_scatter

class MaskedScatter(Op):
    """``out = x; out[mask] = source.flatten()[:k]`` (k: the number of True entries, in row-major order).
    d/dx = g with the written places zeroed; d/dsource = g[mask] in source's first k places, zeros after
    (``MaskedScatterGrad``)."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, mask, source):
        count = int(mask.sum())
        if source.size < count:
            raise ValueError(f"masked_scatter_(): Number of elements of source < number of ones in mask "
                             f"({source.size} < {count})")
        out = x.copy()
        out[mask] = source.reshape(-1)[:count]
        return out

    @staticmethod
    def vjp(ctx, g):
        mask, source = ctx.inputs[1], ctx.inputs[2]
        need_x, _, need_source = ctx.needs_input_grad
        return (masked_fill(g, mask, 0) if need_x else None, None,
                apply(MaskedScatterGrad, g, mask, source) if need_source else None)

    infer = staticmethod(_spec_of_x)


class MaskedScatterGrad(Op):
    """Zeros shaped like ``source`` (which lends only its shape) whose first k places (row-major) hold ``g[mask]``.
    Linear in ``g``; its VJP puts them back where the mask is True: masked_scatter(zeros_like(g), mask, gg)."""
    differentiable_inputs = (0,)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, g, mask, source):
        out = xp.zeros(source.shape, dtype=g.dtype)
        picked = g[mask]
        out.reshape(-1)[:picked.size] = picked  # (a fresh array: its reshape is a view, written through)
        return out

    @staticmethod
    def vjp(ctx, gg):
        g, mask = ctx.inputs[0], ctx.inputs[1]
        return apply(MaskedScatter, zeros_like(g), mask, gg), None, None

    @staticmethod
    def infer(g, mask, source):
        return source._replace(dtype=g.dtype)


def masked_scatter(input, mask, source):
    """A copy of ``input`` whose entries where the boolean ``mask`` is True are replaced, in row-major order, by
    the first entries of ``source`` (any shape, at least as many entries as the mask has Trues). ``input`` and
    ``mask`` broadcast together."""
    for what, t in (("input", input), ("mask", mask), ("source", source)):
        if not is_tensor(t):
            raise TypeError(f"masked_scatter(): argument '{what}' must be a tensor, not {type(t).__name__}")
    if mask.dtype != dtypes.bool_:
        raise DtypeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                         f"{dtypes.torch_name(mask.dtype)} ({describe(mask)})")
    if source.dtype != input.dtype:
        raise DtypeError(f"masked_scatter: expected self and source to have same dtypes but got "
                         f"{dtypes.torch_name(input.dtype)} and {dtypes.torch_name(source.dtype)}")
    shape = broadcast_shapes("masked_scatter", input.shape, mask.shape)
    if tuple(input.shape) != tuple(mask.shape):
        if not known(shape):
            raise OpError(f"masked_scatter: input {describe(input)} and mask {describe(mask)} must have known "
                          f"shapes to be broadcast")
        input, mask = broadcast_to(input, shape), broadcast_to(mask, shape)
    return apply(MaskedScatter, input, mask, source)


# --------------------------------------------------------------------------------- take, take_along_dim, put

def _long_index(op_name, index, what="index"):
    if not is_tensor(index):
        raise TypeError(f"{op_name}: {what} must be a tensor of int64 positions, got {type(index).__name__}")
    if index.dtype != dtypes.int64:
        raise DtypeError(f"{op_name}: Expected a long tensor for {what}, but got {dtypes.torch_name(index.dtype)} "
                         f"({describe(index)})")


def take(input, index):
    """The entries of ``input``, seen as a flat vector, at positions ``index`` (negative ones count from the end);
    the result has ``index``'s shape. Its gradient adds g back at the positions (repeats add up)."""
    check_tensor("take", input)
    _long_index("take()", index)
    return getitem(reshape(input, (-1,)), index)


def take_along_dim(input, indices, dim=None):
    """``gather`` whose ``input`` and ``indices`` broadcast together in every dim but ``dim``; with ``dim=None``,
    ``take`` on the flattened tensors (a 1-d result). Pairs with ``argsort``/``argmax(keepdim=True)``:
    ``take_along_dim(x, x.argsort(dim), dim)`` sorts ``x``."""
    check_tensor("take_along_dim", input)
    if not is_tensor(indices) or indices.dtype != dtypes.int64:
        got = dtypes.torch_name(indices.dtype) if is_tensor(indices) else type(indices).__name__
        raise DtypeError(f"torch.take_along_dim(): dtype of indices should be Long but got {got}")
    if dim is None:
        flat = reshape(input, (-1,))
        return gather(flat, 0, _from_the_end(reshape(indices, (-1,)), flat.shape[0]))
    if input.ndim != indices.ndim:
        raise OpError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, but "
                      f"got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    dim = normalize_dim("take_along_dim()", dim, input.ndim, input)
    if known(input.shape) and known(indices.shape):
        others = broadcast_shapes("take_along_dim", *((s[:dim] + (1,) + s[dim + 1:])
                                                      for s in (tuple(input.shape), tuple(indices.shape))))
        input, indices = (broadcast_to(t, others[:dim] + (t.shape[dim],) + others[dim + 1:])
                          for t in (input, indices))
    return gather(input, dim, _from_the_end(indices, input.shape[dim]))


def _from_the_end(indices, size):
    """Negative positions counted from the end, as take_along_dim allows (gather does not); ``size`` None (a
    graph's unknown dim) leaves them to gather's check."""
    if size is None:
        return indices
    return where(lt(indices, 0), indices + size, indices)


def put(input, index, source, accumulate=False):
    """A copy of ``input`` with the entries of ``source`` written (or, with ``accumulate``, added) at the flat
    positions ``index``, as if ``input`` were a vector; negative positions count from the end."""
    check_tensor("put_()", input)
    check_tensor("put_()", source)
    _long_index("put_()", index)
    if source.dtype != input.dtype:
        raise DtypeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                         f"{dtypes.torch_name(input.dtype)} and source.dtype = {dtypes.torch_name(source.dtype)}")
    if known(source.shape) and known(index.shape) and math.prod(source.shape) != math.prod(index.shape):
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {math.prod(source.shape)}, index.numel() = {math.prod(index.shape)}")
    flat, index, source = (reshape(t, (-1,)) for t in (input, index, source))
    out = scatter_add(flat, 0, _from_the_end(index, flat.shape[0]), source) if accumulate else \
        index_put(flat, index, source)
    return reshape_like(out, input)



# ------------------------------------------------------------------ embedding a tensor into a slice of another

def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written at position ``index`` of ``dim`` (``src`` shaped like
    ``input.select(dim, index)``). The gradient reaches ``input`` outside that slice and ``src`` through it."""
    check_tensor("select_scatter", input)
    dim = normalize_dim("select_scatter", dim, input.ndim)
    return _embed("select_scatter", input, src, (slice(None),) * dim + (index,))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written at ``input[..., start:end:step, ...]`` along ``dim``."""
    check_tensor("slice_scatter", input)
    dim = normalize_dim("slice_scatter", dim, input.ndim)
    return _embed("slice_scatter", input, src, (slice(None),) * dim + (slice(start, end, step),))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written on the diagonal ``offset`` of the planes of ``dim1`` and
    ``dim2`` (``src`` shaped like ``input.diagonal(offset, dim1, dim2)``: the other dims, then the diagonal)."""
    check_tensor("diagonal_scatter", input)
    from .shape_helpers import movedim
    d1, d2 = (normalize_dim("diagonal_scatter", d, input.ndim) for d in (dim1, dim2))
    if d1 == d2:
        raise OpError(f"diagonal_scatter: dim1 and dim2 cannot be the same dim, got {dim1} and {dim2}")
    planes = movedim(input, (d1, d2), (-2, -1))
    rows, cols = planes.shape[-2:]
    length = max(min(rows - max(-offset, 0), cols - max(offset, 0)), 0)
    positions = [list(range(max(-offset, 0), max(-offset, 0) + length)),  # the rows and columns of the diagonal
                 list(range(max(offset, 0), max(offset, 0) + length))]
    return movedim(_embed("diagonal_scatter", planes, src, (Ellipsis, *positions)), (-2, -1), (d1, d2))


def _embed(op_name, input, src, index):
    """``input`` with ``src`` at ``index``, out of place; ``src`` must have the shape of ``input[index]``."""
    if not is_tensor(src):
        raise TypeError(f"{op_name}: src must be a tensor, got {type(src).__name__}")
    target = getitem(input, index)
    if known(target.shape) and known(src.shape) and tuple(src.shape) != tuple(target.shape):
        raise OpError(f"{op_name}: src must have the shape of the slice it is written to, {list(target.shape)}; "
                      f"got {describe(src)}")
    return index_put(input, index, cast(src, input.dtype))
