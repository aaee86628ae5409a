"""Picking and placing slices by *coordinates*: ``gather_nd`` and the scatters that undo it (TensorFlow's names;
PyTorch writes them as indexing with a tuple of index tensors, ``x[tuple(index.unbind(-1))]``).

The last dim of ``index`` holds coordinates: a row ``index[i...] = (c_0, ..., c_(k-1))`` names the slice
``x[c_0, ..., c_(k-1)]`` of the first k dims of ``x`` — an element when k == x.ndim, a row or a block otherwise::

    gather_nd:                 out[i...] = x[index[i...]]            shape index.shape[:-1] + x.shape[k:]
    tensor_scatter_nd_add:     out = copy of x;  out[index[i...]] += updates[i...]
    tensor_scatter_nd_update:  out = copy of x;  out[index[i...]]  = updates[i...]
    scatter_nd:                tensor_scatter_nd_add(zeros(shape), index, updates)

so ``updates`` has the shape of what ``gather_nd(x, index)`` would give. A slice named twice gets both updates
added (``tensor_scatter_nd_update``: one of them lands, which one is undefined).

``batch_dims=b`` (gather_nd): the first b dims of ``x`` and ``index`` are a batch, matched one to one — the
coordinates in ``index[n, ...]`` point into ``x[n]``. ``batch_gather(x, index)`` is the common case: one
coordinate per position, every dim of ``index`` but its last one a batch dim (``out[n, j] = x[n, index[n, j]]``).

**Gradients.** gather_nd reads slices, so its VJP adds ``g`` back where they came from:
``tensor_scatter_nd_add(zeros_like(x), index, g)`` (a slice read twice receives both contributions). A scatter's
VJP for ``updates`` reads ``g`` where each update went: ``gather_nd(g, index)``. Each is the other's adjoint, so
the second-order gradients come for free. ``tensor_scatter_nd_update`` overwrites: the old values of the written
slices no longer matter, so d/dx is ``g`` with those slices set to zero.

Unlike numpy's, a coordinate must lie in [0, size) — TensorFlow has no negative indices; anything else is an
IndexError naming the bad coordinates.
"""
import numpy

from ..backend.scans import add_at
from .base import Op, OpError, Spec, apply, describe
from .broadcast import zeros_like
from .indexing import check_index_tensor
from .reduce import check_tensor
from .shape import unsqueeze

__all__ = ["gather_nd", "scatter_nd", "tensor_scatter_nd_add", "tensor_scatter_nd_update", "batch_gather"]


# --------------------------------------------------------------------------------------------- coordinates

def _coordinates(xp, index, batch_dims):
    """The numpy index of the slices ``index`` names: for each batch dim the positions 0, 1, ... along it, then
    the k coordinate arrays. All of them broadcast to ``index.shape[:-1]``."""
    lead = index.shape[:-1]
    grids = []
    for d in range(batch_dims):
        shape = [1] * len(lead)
        shape[d] = lead[d]
        grids.append(xp.arange(lead[d]).reshape(shape))
    return tuple(grids) + tuple(index[..., i] for i in range(index.shape[-1]))


def _check_bounds(op_name, index, shape, batch_dims):
    """Every coordinate within [0, size) of the dim it indexes, else an IndexError like TF's."""
    if index.size == 0:
        return
    sizes = numpy.asarray(shape[batch_dims:batch_dims + index.shape[-1]])
    host = numpy.asarray(index.tolist())  # a few integers: inspect them on the host, whatever the device
    bad = ((host < 0) | (host >= sizes)).any(axis=-1)
    if bad.any():
        at = tuple(int(i) for i in numpy.argwhere(bad)[0])
        raise IndexError(f"{op_name}: indices[{','.join(map(str, at))}] = {host[at].tolist()} does not index into "
                         f"param shape {list(shape)}")


def _static_shape(t):
    """``t``'s shape as a tuple (graph mode: dims may be None). Reading ``ndim`` makes a graph tensor of unknown
    rank refuse, with a message saying so."""
    return tuple(t.shape[d] for d in range(t.ndim))


def _sliced_shape(op_name, x_shape, index_shape, batch_dims):
    """The static shape ``index.shape[:-1] + x.shape[batch_dims + k:]`` of what ``index`` picks from ``x`` (dims may
    be None), after checking the ranks and batch dims; None when a rank or k is unknown."""
    if x_shape is None or index_shape is None:
        return None
    if len(index_shape) < batch_dims + 1:
        raise OpError(f"{op_name}: indices must have at least batch_dims + 1 = {batch_dims + 1} dims, got shape "
                      f"{list(index_shape)}")
    k = index_shape[-1]
    if k is None:
        return None
    if not 1 <= k <= len(x_shape) - batch_dims:
        raise OpError(f"{op_name}: the last dim of indices ({k}) must be between 1 and the rank of params minus "
                      f"batch_dims ({len(x_shape) - batch_dims}); indices shape {list(index_shape)}, params shape "
                      f"{list(x_shape)}")
    for d in range(batch_dims):
        a, b = x_shape[d], index_shape[d]
        if None not in (a, b) and a != b:
            raise OpError(f"{op_name}: batch dimension {d} must be equal in params and indices; params shape "
                          f"{list(x_shape)}, indices shape {list(index_shape)}")
    return tuple(index_shape[:-1]) + tuple(x_shape[batch_dims + k:])


def _check_updates(op_name, x_shape, x_dtype, index, updates):
    """``updates`` must have the shape and dtype of what ``gather_nd(x, index)`` gives."""
    expected = _sliced_shape(op_name, x_shape, _static_shape(index), 0)
    shape = _static_shape(updates)
    if expected is not None and (len(expected) != len(shape)
                                 or any(None not in (a, b) and a != b for a, b in zip(expected, shape))):
        raise OpError(f"{op_name}: updates must have shape indices.shape[:-1] + tensor.shape[indices.shape[-1]:] = "
                      f"{list(expected)}, got {describe(updates)}")
    if updates.dtype != x_dtype:
        raise TypeError(f"{op_name}: updates must have the dtype of the tensor ({x_dtype}), got {describe(updates)}")


# ---------------------------------------------------------------------------------------------------- ops

class GatherNd(Op):
    """``out[i...] = x[index[i...]]`` (module docstring). VJP: ``g`` added back into zeros like ``x``."""
    differentiable_inputs = (0,)
    saves_inputs = (1,)  # the coordinates; x only for its shape

    @staticmethod
    def forward(xp, x, index, batch_dims):
        _check_bounds("gather_nd", index, x.shape, batch_dims)
        return x[_coordinates(xp, index, batch_dims)]

    @staticmethod
    def vjp(ctx, g):
        x, index = ctx.inputs
        return apply(TensorScatterNdAdd, zeros_like(x, dtype=g.dtype), index, g, **ctx.attrs), None

    @staticmethod
    def infer(x, index, batch_dims):
        return Spec(_sliced_shape("gather_nd", x.shape, index.shape, batch_dims), x.dtype)


class TensorScatterNdAdd(Op):
    """``out = x; out[index[i...]] += updates[i...]`` (``batch_dims`` > 0 only as the VJP of such a gather_nd).
    d/dx = ``g``; d/dupdates = ``gather_nd(g, index)``."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, updates, batch_dims):
        _check_bounds("tensor_scatter_nd_add", index, x.shape, batch_dims)
        out = x.copy()
        add_at(xp, out, _coordinates(xp, index, batch_dims), updates)
        return out

    @staticmethod
    def vjp(ctx, g):
        need_x, _, need_updates = ctx.needs_input_grad
        return (g if need_x else None, None,
                apply(GatherNd, g, ctx.inputs[1], **ctx.attrs) if need_updates else None)

    @staticmethod
    def infer(x, index, updates, batch_dims):
        return x


class ScatterNd(Op):
    """``tensor_scatter_nd_add(zeros(shape), index, updates)`` for a static ``shape``.
    d/dupdates = ``gather_nd(g, index)``."""
    differentiable_inputs = (1,)
    saves_inputs = (0,)

    @staticmethod
    def forward(xp, index, updates, shape):
        _check_bounds("scatter_nd", index, shape, 0)
        out = xp.zeros(shape, dtype=updates.dtype)
        add_at(xp, out, _coordinates(xp, index, 0), updates)
        return out

    @staticmethod
    def vjp(ctx, g):
        return None, apply(GatherNd, g, ctx.inputs[0], batch_dims=0)

    @staticmethod
    def infer(index, updates, shape):
        return Spec(shape, updates.dtype)


class TensorScatterNdUpdate(Op):
    """``out = x; out[index[i...]] = updates[i...]``. d/dx = ``g`` with the written slices zeroed (they no longer
    depend on x); d/dupdates = ``gather_nd(g, index)``."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, updates):
        _check_bounds("tensor_scatter_nd_update", index, x.shape, 0)
        out = x.copy()
        out[_coordinates(xp, index, 0)] = updates
        return out

    @staticmethod
    def vjp(ctx, g):
        _, index, updates = ctx.inputs
        need_x, _, need_updates = ctx.needs_input_grad
        return (apply(TensorScatterNdUpdate, g, index, zeros_like(updates, dtype=g.dtype)) if need_x else None, None,
                apply(GatherNd, g, index, batch_dims=0) if need_updates else None)

    @staticmethod
    def infer(x, index, updates):
        return x


# ------------------------------------------------------------------------------------------------ functions

def gather_nd(x, index, batch_dims=0):
    """The slices of ``x`` at the coordinates in the last dim of ``index`` (module docstring)."""
    check_tensor("gather_nd", x)
    check_index_tensor("gather_nd", index)
    if not isinstance(batch_dims, int) or batch_dims < 0:
        raise OpError(f"gather_nd: batch_dims must be a non-negative int, got {batch_dims!r}")
    _sliced_shape("gather_nd", _static_shape(x), _static_shape(index), batch_dims)
    return apply(GatherNd, x, index, batch_dims=batch_dims)


def scatter_nd(index, updates, shape):
    """A tensor of zeros of ``shape`` (a tuple of ints) with ``updates`` added at the coordinates in ``index``."""
    check_index_tensor("scatter_nd", index)
    check_tensor("scatter_nd", updates)
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise OpError(f"scatter_nd: shape must be non-negative, got {list(shape)}")
    _check_updates("scatter_nd", shape, updates.dtype, index, updates)
    return apply(ScatterNd, index, updates, shape=shape)


def tensor_scatter_nd_add(x, index, updates):
    """A copy of ``x`` with ``updates`` added at the coordinates in ``index``."""
    check_tensor("tensor_scatter_nd_add", x)
    check_index_tensor("tensor_scatter_nd_add", index)
    check_tensor("tensor_scatter_nd_add", updates)
    _check_updates("tensor_scatter_nd_add", _static_shape(x), x.dtype, index, updates)
    return apply(TensorScatterNdAdd, x, index, updates, batch_dims=0)


def tensor_scatter_nd_update(x, index, updates):
    """A copy of ``x`` with ``updates`` written at the coordinates in ``index``."""
    check_tensor("tensor_scatter_nd_update", x)
    check_index_tensor("tensor_scatter_nd_update", index)
    check_tensor("tensor_scatter_nd_update", updates)
    _check_updates("tensor_scatter_nd_update", _static_shape(x), x.dtype, index, updates)
    return apply(TensorScatterNdUpdate, x, index, updates)


def batch_gather(x, index):
    """``out[n..., j] = x[n..., index[n..., j]]``: for every batch position ``n...`` (all dims of ``index`` but the
    last), the entries of ``x[n...]`` at the positions ``index[n..., :]``."""
    check_tensor("batch_gather", x)
    check_index_tensor("batch_gather", index)
    if index.ndim < 1:
        raise OpError(f"batch_gather: indices must have at least 1 dim, got {describe(index)}")
    return gather_nd(x, unsqueeze(index, -1), batch_dims=index.ndim - 1)
