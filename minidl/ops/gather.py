"""Picking along one dim with a tensor of positions: ``gather``, its adjoint ``scatter_add``, and ``one_hot``.

For ``dim=0`` on 3-d tensors::

    gather:       out[i][j][k]  = x[index[i][j][k]][j][k]
    scatter_add:  out = x.clone();  out[index[i][j][k]][j][k] += src[i][j][k]

They are each other's VJP: gathering reads positions, so its gradient adds ``g`` back at those positions (a
position read twice gets both contributions); scatter_add's gradient for ``src`` reads ``g`` at the positions.
``scatter`` writes instead of adding; combining the values in other ways is ``scatter_reduce.py``.

As in PyTorch, a 0-d tensor among x, index and src counts as a 1-d one of one element
(``x.scatter_(0, i, tensor(5.0))`` with a one-element ``i``).
"""
import math

from ..backend import dtypes
from ..backend.scans import add_at
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .broadcast import full_like, zeros_like
from .indexing import check_index_tensor, getitem
from .infer import normalize_dim
from .reduce import check_tensor
from .shape import known, reshape

__all__ = ["gather", "scatter", "scatter_add", "one_hot"]


def _along(xp, index, dim):
    """The numpy index pairing every element of ``index`` with its own coordinates in the other dims."""
    coords = []
    for d, n in enumerate(index.shape):
        if d == dim:
            coords.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            coords.append(xp.arange(n).reshape(shape))
    return tuple(coords)


def _checked(op_name, xp, index, shape, dim, error=OpError):
    """``index`` after checking every position is in [0, size) along ``dim`` of ``shape`` (a 0-d tensor counts as
    one position): numpy would read -1 from the end, or fail deep inside. PyTorch's error (``error``: its class,
    which differs between PyTorch's ops)."""
    size = shape[dim] if shape else 1
    if index.size:
        low, high = int(index.min()), int(index.max())
        if low < 0 or high >= size:
            raise error(f"{op_name}: index {low if low < 0 else high} is out of bounds for dimension {dim} with "
                        f"size {size}")
    return index


class InBounds(Op):
    """``index`` itself, once every position is checked to be in [0, size) along ``dim`` of ``x``: for the ops
    that select with a numpy index (``index_select``, TF's ``gather``), where numpy would read -1 from the end."""
    differentiable = False
    saves_inputs = ()
    forward = staticmethod(lambda xp, index, x, op_name, dim: _checked(op_name, xp, index, x.shape, dim, IndexError))
    infer = staticmethod(lambda index, x, **attrs: index)


def in_bounds(op_name, index, x, dim):
    """``index`` (an integer tensor), checked when it runs against the size of ``x`` along ``dim``."""
    return apply(InBounds, index, x, op_name=op_name, dim=dim)


class Gather(Op):
    """``out[i][j][k] = x[index[i][j][k]][j][k]`` (dim 0). VJP: ``GatherGrad``, the scatter_add of ``g`` into
    zeros like ``x``."""
    differentiable_inputs = (0,)
    saves_inputs = (1,)  # the positions; x only for its shape

    @staticmethod
    def forward(xp, x, index, dim):
        return x[_along(xp, _checked("gather", xp, index, x.shape, dim), dim)]

    @staticmethod
    def vjp(ctx, g):
        x, index = ctx.inputs
        return apply(GatherGrad, g, x, index, dim=ctx.attrs["dim"]), None

    @staticmethod
    def infer(x, index, dim):
        return Spec(index.shape, x.dtype)


class GatherGrad(Op):
    """The VJP of gather as one op: zeros shaped like ``x`` (which lends only its shape), with each element of
    ``g`` added at the position ``index`` read it from. (``scatter_add`` into ``zeros_like(x)`` is the same, at
    the cost of two ops, a copy of the zeros and a second check of positions that gather already checked.)
    Linear in ``g``, with gather as its adjoint: its VJP gathers the cotangent at the same positions."""
    differentiable_inputs = (0,)
    saves_inputs = (2,)

    @staticmethod
    def forward(xp, g, x, index, dim):
        out = xp.zeros(x.shape, dtype=g.dtype)
        add_at(xp, out, _along(xp, index, dim), g)
        return out

    @staticmethod
    def vjp(ctx, u):
        return apply(Gather, u, ctx.inputs[2], dim=ctx.attrs["dim"]), None, None

    @staticmethod
    def infer(g, x, index, dim):
        return Spec(x.shape, g.dtype)


class ScatterAdd(Op):
    """``out = x; out[index[i][j][k]][j][k] += src[i][j][k]`` (dim 0).

    d/dx = ``g`` (x is copied through); d/dsrc = ``gather(g, dim, index)`` (each src element went to one place)."""
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, src, dim):
        out = x.copy()
        add_at(xp, out, _along(xp, _checked("scatter_add", xp, index, x.shape, dim), dim), src)
        return out

    @staticmethod
    def vjp(ctx, g):
        index = ctx.inputs[1]
        need_x, _, need_src = ctx.needs_input_grad
        return (g if need_x else None, None,
                apply(Gather, g, index, dim=ctx.attrs["dim"]) if need_src else None)

    @staticmethod
    def infer(x, index, src, dim):
        return x


class Scatter(Op):
    """``out = x; out[index[i][j][k]][j][k] = src[i][j][k]`` (dim 0): ``scatter_add`` that writes instead of adding.
    Where ``index`` names one position twice, one of the values lands there (which is undefined, as in PyTorch).

    d/dx = ``g`` with the written positions zeroed (they no longer depend on x); d/dsrc = ``gather(g, dim, index)``.
    """
    differentiable_inputs = (0, 2)
    saves_inputs = (1,)

    @staticmethod
    def forward(xp, x, index, src, dim):
        out = x.copy()
        out[_along(xp, _checked("scatter", xp, index, x.shape, dim), dim)] = src
        return out

    @staticmethod
    def vjp(ctx, g):
        index, src = ctx.inputs[1], ctx.inputs[2]
        need_x, _, need_src = ctx.needs_input_grad
        dim = ctx.attrs["dim"]
        return (apply(Scatter, g, index, zeros_like(src), dim=dim) if need_x else None, None,
                apply(Gather, g, index, dim=dim) if need_src else None)

    @staticmethod
    def infer(x, index, src, dim):
        return x


def _check_sizes(op_name, dim, index, other, name, other_dim_too=False):
    """``index`` must have ``other``'s number of dims and be no larger (except along ``dim``, unless told)."""
    if index.ndim != other.ndim:
        raise OpError(f"{op_name}: index tensor must have the same number of dimensions as {name} tensor: got "
                      f"index {describe(index)} and {name} {describe(other)}")
    for d, (i, n) in enumerate(zip(index.shape, other.shape)):
        if (d != dim or other_dim_too) and None not in (i, n) and i > n:
            raise OpError(f"{op_name}: size does not match at dimension {d}: expected index {list(index.shape)} to "
                          f"be no larger than {name} {list(other.shape)}" + ("" if other_dim_too else
                                                                             f" apart from dimension {dim}"))


def gather(input, dim, index):
    """Values of ``input`` along ``dim`` at the positions in ``index`` (which has x's number of dims)."""
    check_tensor("gather", input)
    check_index_tensor("gather", index)
    x, positions = _nonempty(input), _nonempty(index)
    dim = normalize_dim("gather", dim, x.ndim)
    _check_sizes("gather", dim, positions, x, "input")
    return _shaped_like(apply(Gather, x, positions, dim=dim), index)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with each ``src`` element added at its position from ``index`` along ``dim``."""
    x, index, src = _scatter_operands("scatter_add", _nonempty(input), dim, index, src)
    return _shaped_like(apply(ScatterAdd, x, index, src, dim=normalize_dim("scatter_add", dim, x.ndim)), input)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with each ``src`` element written at its position from ``index`` along ``dim``; a number
    (``src`` or ``value=``) is written everywhere ``index`` points (the one-hot idiom:
    ``zeros(n, c).scatter_(1, y[:, None], 1)``). ``reduce="add"`` or ``"multiply"`` combines the values with x's
    instead (PyTorch's older spelling of ``scatter_reduce`` with "sum" or "prod" and ``include_self=True``)."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give the values to write as src or as value, not both or neither")
    src = value if src is None else src
    if reduce is not None:
        if reduce not in _OLD_REDUCTIONS:
            raise OpError(f"scatter: reduce argument must be either add or multiply, got {reduce!r}")
        if is_tensor(src):
            warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
                 "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.")
    if not is_tensor(src):
        check_index_tensor("scatter", index)
        src = full_like(index, src, dtype=input.dtype)
    x, index, src = _scatter_operands("scatter", _nonempty(input), dim, index, src)
    dim = normalize_dim("scatter", dim, x.ndim)
    if reduce is None:
        return _shaped_like(apply(Scatter, x, index, src, dim=dim), input)
    from .scatter_reduce import ScatterReduce  # it builds on this module: import late
    return _shaped_like(apply(ScatterReduce, x, index, src, dim=dim, reduce=_OLD_REDUCTIONS[reduce],
                              include_self=True), input)


def _nonempty(t):
    """``t``, or a 0-d ``t`` as a 1-d tensor of one element: how PyTorch's gather and scatter read it."""
    return reshape(t, (1,)) if t.ndim == 0 else t


def _shaped_like(result, t):
    """The result computed for ``_nonempty(t)``, back in the shape of a 0-d ``t``."""
    return reshape(result, ()) if t.ndim == 0 else result


#: scatter's ``reduce`` names and their scatter_reduce equivalents
_OLD_REDUCTIONS = {"add": "sum", "multiply": "prod"}


def _scatter_operands(op_name, x, dim, index, src):
    """``(x, index, src)`` checked for a scatter, with src cut to the corner that index covers (the rest is unused).

    Beside an x of 1 or more dims, a 0-d index or src counts as a 1-d one of one element, and an empty index
    writes nothing, whatever its shape (PyTorch checks no shapes then). (The callers give a 0-d x as a 1-d one,
    ``_nonempty``, and the result back as 0-d, ``_shaped_like``.)"""
    check_tensor(op_name, x)
    check_tensor(op_name, src)
    check_index_tensor(op_name, index)
    if src.dtype != x.dtype:
        raise DtypeError(f"{op_name}: expected src to have the dtype of self, got self {describe(x)} and src "
                         f"{describe(src)}")
    dim = normalize_dim(op_name, dim, x.ndim)
    if x.ndim:
        index, src = _nonempty(index), _nonempty(src)
        if known(index.shape) and math.prod(index.shape) == 0:
            index = reshape(index, (0,) * x.ndim)
            src = reshape(getitem(src, slice(0, 0)), index.shape)
    _check_sizes(op_name, dim, index, x, "self")
    _check_sizes(op_name, dim, index, src, "src", other_dim_too=True)
    if known(index.shape) and tuple(src.shape) != tuple(index.shape):
        src = getitem(src, tuple(slice(0, n) for n in index.shape))
    return x, index, src


class OneHot(Op):
    """``out[..., c] = 1 if labels[...] == c else 0`` (int64). Piecewise constant: no gradient."""
    differentiable = False

    @staticmethod
    def forward(xp, labels, num_classes):
        if num_classes == -1:
            if labels.size == 0:
                raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass "
                                 "num_classes")
            num_classes = int(labels.max()) + 1
        if labels.size and int(labels.min()) < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {int(labels.min())}")
        if labels.size and int(labels.max()) >= num_classes:
            raise ValueError(f"one_hot: class values must be smaller than num_classes ({num_classes}), got "
                             f"{int(labels.max())}")
        return (labels[..., None] == xp.arange(num_classes)).astype(dtypes.int64)

    @staticmethod
    def infer(labels, num_classes):
        return Spec(tuple(labels.shape) + (None if num_classes == -1 else num_classes,), dtypes.int64)


def one_hot(input, num_classes=-1):
    """``input``'s integer labels as one-hot rows of length ``num_classes`` (-1: one more than the largest
    label)."""
    check_index_tensor("one_hot", input, "labels")
    if num_classes < -1:
        raise OpError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    return apply(OneHot, input, num_classes=num_classes)
