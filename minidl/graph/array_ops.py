"""TensorFlow 1's array functions: making, reshaping, joining, cutting, gathering and selecting tensors.

Thin layers over ``minidl.ops`` with TF's conventions (see ``math_ops``): ``axis`` for ``dim``, ``perm`` for
``permute``'s dims, pad amounts as ``[[before, after], ...]`` from the *first* dim (PyTorch lists them from the last),
``split`` into a *number* of pieces (PyTorch's ``split`` takes a piece *size*), ``gather`` along one axis with
indices of any shape, and so on.

A few TF functions take a shape that is only known when the graph runs (``tf.zeros(tf.shape(x))``,
``tf.reshape(x, [tf.shape(x)[0], -1])``, ``tf.range(n)``). The op library's ops take shapes as static attributes,
so this module adds four small ops whose *inputs* are shapes: ``Shape`` (a tensor's run-time shape), ``Fill``,
``Range`` and ``ReshapeTo``. The static shape the graph can still know (the Python ints in such a list) is set on
the result.
"""
import builtins
import math
import numbers

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, apply, describe
from ..ops.gather import in_bounds
from .basics import control_dependencies, identity
from .check_ops import Assert, assert_less_equal
from .core import Tensor, UnknownRankError, rank_error
from .graph_ops import Const
from .math_ops import (cast, check_dtype, computed_at_run_time, constant_value, deprecated_alias, graph_tensor,
                       known_dims, known_scalar, matching_list, matching_pair, normalize_axis, require_bool, tf_op,
                       to_tensor)
from .frontend import scalar_if_rank_unknown, scalars_beside_scalars

_INDEX_TYPES = ("int32", "int64")
_ALL = builtins.slice(None)  # ``:`` in an index (this module defines its own ``slice``)

newaxis = None  # ``x[:, tf.newaxis]`` adds a dim of size 1, as numpy's ``np.newaxis`` does


# ============================================================================ ops that take a run-time shape

def _host_ints(array):
    """A 1-D integer array (on any device) as a tuple of Python ints."""
    return tuple(int(n) for n in array.tolist())


class Shape(Op):
    """The run-time shape of ``x`` as a 1-D integer tensor (``tf.shape``). Integer-valued: no gradient. It reads
    no values, so a string tensor is fine (``tf.size`` of a list of file names)."""
    differentiable = False
    saves_inputs = ()
    takes_strings = True
    forward = staticmethod(lambda xp, x, dtype: xp.asarray(x.shape, dtype=dtype))

    @staticmethod
    def infer(x, dtype):
        return Spec((None if x.shape is None else len(x.shape),), dtype)


class Fill(Op):
    """A tensor of shape ``dims`` (a 1-D integer tensor) filled with the 0-d ``value``.
    Each output element is a copy of ``value``, so its gradient is the sum of ``g``. A string ``value`` fills a
    string tensor, on the host (where a session keeps strings)."""
    saves_inputs = ()
    differentiable_inputs = (1,)
    takes_strings = True

    @staticmethod
    def forward(xp, dims, value):
        if value.dtype == object:
            xp = numpy
        out = xp.empty(_host_ints(dims), dtype=value.dtype)
        out[...] = value
        return out

    @staticmethod
    def vjp(ctx, g):
        return None, ops.sum(g)

    @staticmethod
    def infer(dims, value):
        rank = None if dims.shape is None else dims.shape[0]
        return Spec(None if rank is None else (None,) * rank, value.dtype)


class Range(Op):
    """``start, start + delta, ...`` up to (not including) ``limit``; the three inputs are 0-d. No gradient."""
    differentiable = False
    saves_inputs = ()
    infer = staticmethod(lambda start, limit, delta: Spec((None,), start.dtype))

    @staticmethod
    def forward(xp, start, limit, delta):
        _check_range(start.item(), limit.item(), delta.item())
        return xp.arange(start.item(), limit.item(), delta.item(), dtype=start.dtype)


def _check_range(start, limit, delta):
    """TF's checks of ``range``'s arguments (numpy would give an empty range for a limit on the wrong side)."""
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if (limit - start) * delta < 0:
        raise ValueError(f"Requires start {'<=' if delta > 0 else '>='} limit when delta {'>' if delta > 0 else '<'} "
                         f"0: {start}/{limit}")


class CheckedSplitSizes(Op):
    """``split``'s sizes, read when the graph runs, with the one -1 (if any) replaced by what the others leave of
    the dimension's ``size``: TF's error where they are negative or do not add up to it (slices would clip)."""
    differentiable = False
    saves_inputs = ()
    infer = staticmethod(lambda size, sizes: Spec(sizes.shape, sizes.dtype))

    @staticmethod
    def forward(xp, size, sizes):
        size, wanted = int(size), [int(s) for s in sizes]
        if -1 in wanted:
            wanted[wanted.index(-1)] = size - (sum(wanted) + 1)
        if min(wanted) < 0 or sum(wanted) != size:
            raise ValueError(f"Determined shape must either match input shape along split_dim exactly if fully "
                             f"specified, or be less than the size of the input along split_dim if not fully "
                             f"specified: split sizes {[int(s) for s in sizes]} for a dimension of {size}")
        return xp.asarray(wanted, dtype=sizes.dtype)


class ReshapeTo(Op):
    """``x`` reshaped to ``shape``, a 1-D integer tensor known at run time (one entry may be -1).
    VJP: reshape the gradient back to x's shape."""
    saves_inputs = ()
    differentiable_inputs = (0,)
    forward = staticmethod(lambda xp, x, shape: x.reshape(_host_ints(shape)))

    @staticmethod
    def vjp(ctx, g):
        return ops.reshape_like(g, ctx.inputs[0]), None

    @staticmethod
    def infer(x, shape):
        rank = None if shape.shape is None else shape.shape[0]
        return Spec(None if rank is None else (None,) * rank, x.dtype)


class TransposeBy(Op):
    """``x`` with its dims permuted by ``perm``, a 1-D integer tensor read when the graph runs (output dim i is
    input dim ``perm[i]``). VJP: ``g`` permuted back, by the inverse permutation ``argsort(perm)``."""
    saves_inputs = (1,)
    differentiable_inputs = (0,)
    forward = staticmethod(lambda xp, x, perm: xp.transpose(x, _host_ints(perm)))

    @staticmethod
    def vjp(ctx, g):
        return apply(TransposeBy, g, ops.argsort(ctx.inputs[1])), None

    @staticmethod
    def infer(x, perm):
        return Spec(None if x.shape is None else (None,) * len(x.shape), x.dtype)


class TileBy(Op):
    """``x`` repeated ``multiples[d]`` times along each dim d, the multiples a 1-D integer tensor read at run time.
    VJP: see the gradient as (multiples[0], x.shape[0], multiples[1], x.shape[1], ...) — which tile, and where in
    it — and add the tiles up."""
    saves_inputs = (1,)
    differentiable_inputs = (0,)
    forward = staticmethod(lambda xp, x, multiples: xp.tile(x, _host_ints(multiples)))

    @staticmethod
    def vjp(ctx, g):
        x, multiples = ctx.inputs
        interleaved = ops.reshape(ops.stack([multiples, shape(x, out_type=multiples.dtype)], 1), (-1,))
        return ops.sum(apply(ReshapeTo, g, interleaved), tuple(builtins.range(0, 2 * x.ndim, 2))), None

    @staticmethod
    def infer(x, multiples):
        return Spec(None if x.shape is None else (None,) * len(x.shape), x.dtype)


def _shape_list(shape):
    """A shape argument as a list of Python ints and 0-d tensors, or as the 1-D tensor computed at run time."""
    tensor = graph_tensor(shape)
    if tensor is not None and tensor.op.op is not Const:
        return check_dtype(tensor, _INDEX_TYPES, "shape")
    shape = constant_value(shape, "shape")
    dims = [shape] if not isinstance(shape, (list, tuple)) else list(shape)
    for d in dims:  # numpy would truncate a 2.5 to 2
        if graph_tensor(d) is None and (isinstance(d, bool) or not isinstance(d, numbers.Integral)):
            raise TypeError(f"Expected int32, got {d!r} of type '{type(d).__name__}' instead: the entries of a shape "
                            "are integers")
    return dims


def _shape_input(shape):
    """A shape argument as ``(1-D int32 tensor, static dims)``: static dims are None where only the run time knows
    them (and for -1), or None altogether when even the rank is unknown."""
    dims = _shape_list(shape)
    if isinstance(dims, Tensor):
        values = known_dims(dims)
        return cast(dims, dtypes.int32), None if values is None else [d if d is None or d >= 0 else None
                                                                      for d in values]
    static = [d if isinstance(d, int) and d >= 0 else None
              for d in (d if graph_tensor(d) is None else _known_int(d) for d in dims)]
    if all(graph_tensor(d) is None for d in dims):
        return to_tensor(numpy.array(dims, dtype=numpy.int32).reshape(-1)), static
    return ops.stack([cast(check_dtype(scalar_if_rank_unknown(to_tensor(d, dtypes.int32)), _INDEX_TYPES, "shape"),
                           dtypes.int32) for d in dims]), static


# ====================================================================================== shapes as tensors

@tf_op("Shape")
def shape(input, name=None, out_type=dtypes.int32):
    """The shape of ``input`` as a 1-D tensor: a constant when the graph knows every dim (TF does the same),
    else an op that reads it when the graph runs (``tf.shape(x)[0]`` is the batch size of a placeholder)."""
    x, out_type = to_tensor(input), check_dtype(dtypes.as_dtype(out_type), _INDEX_TYPES, "out_type")
    if x.shape.is_fully_defined():
        return to_tensor(numpy.array(x.shape, dtype=out_type))
    return apply(Shape, x, dtype=out_type)


@tf_op("Size")
def size(input, name=None, out_type=dtypes.int32):
    """The number of elements of ``input`` (a 0-d tensor)."""
    x = to_tensor(input)
    if x.shape.is_fully_defined():
        return to_tensor(numpy.array(math.prod(x.shape), dtype=out_type))
    return ops.prod(apply(Shape, x, dtype=dtypes.as_dtype(out_type)), dtype=out_type)


@tf_op("Rank")
def rank(input, name=None):
    """The number of dimensions of ``input`` (a 0-d int32 tensor)."""
    x = to_tensor(input)
    if x.shape.rank_known:
        return to_tensor(numpy.array(len(x.shape), dtype=numpy.int32))
    return ops.getitem(apply(Shape, apply(Shape, x, dtype=dtypes.int32), dtype=dtypes.int32), 0)


# ============================================================================================ making tensors

@tf_op("Fill")
def fill(dims, value, name=None):
    """A tensor of shape ``dims`` whose every element is ``value`` (its dtype is value's)."""
    given = _shape_list(dims)
    negative = [] if isinstance(given, Tensor) else [(i, d) for i, d in enumerate(given)
                                                     if isinstance(d, int) and d < 0]
    if negative:
        raise ValueError(f"Fill: dims[{negative[0][0]}] = {negative[0][1]} must be nonnegative (dims {list(given)})")
    dims, static = _shape_input(dims)
    value = to_tensor(value)
    if value.shape.rank_known and value.shape.rank != 0:  # (it broadcast a row across the shape)
        raise ValueError(f"Fill: value must be a scalar (Shape must be rank 0), got {describe(value)}")
    out = apply(Fill, dims, value)
    if static is not None:
        out.set_shape(static)
    return out


def _zero_of(dtype):
    """A 0-d array of the zero of ``dtype``: ``b""`` for strings, as TF's zeros give them."""
    dtype = dtypes.as_dtype(dtype)
    return numpy.array(b"", dtype=object) if dtype == object else numpy.zeros((), dtype)


@tf_op("zeros")
def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros (empty strings for ``tf.string``); ``shape`` may hold tensors
    (``tf.zeros([tf.shape(x)[0], 10])``)."""
    return fill(shape, _zero_of(dtype))


@tf_op("ones")
def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones; ``shape`` may hold tensors."""
    if dtypes.as_dtype(dtype) == object:
        raise TypeError("ones: strings have no 1 (tf.ones takes numbers and bool); fill a string tensor with "
                        "tf.fill(shape, value)")
    return fill(shape, numpy.ones((), dtypes.as_dtype(dtype)))


@tf_op("zeros_like")
def zeros_like(tensor, dtype=None, name=None, optimize=True):
    tensor = to_tensor(tensor)
    if (tensor.dtype if dtype is None else dtypes.as_dtype(dtype)) == object:  # strings: a fill with b""
        return fill(shape(tensor), _zero_of(object))
    return ops.zeros_like(tensor, dtype)


@tf_op("ones_like")
def ones_like(tensor, dtype=None, name=None, optimize=True):
    return ops.ones_like(to_tensor(tensor), dtype)


_RANGE_ORDER = ("int32", "int64", "float32", "float64")


@tf_op("range")
def range(start, limit=None, delta=1, dtype=None, name="range"):
    """``[start, start + delta, ...]`` below ``limit``; ``range(n)`` is 0..n-1. The dtype is the widest of the
    arguments' (ints -> int32, floats -> float32) unless ``dtype`` says otherwise."""
    if limit is None:
        start, limit = 0, start
    # what the graph knows of the arguments: Python numbers, and int tensors of known value (tf.constant(7))
    known = [v if isinstance(v, (int, float)) else _known_int(v) for v in (start, limit, delta)]
    static = None not in known
    if static:
        start_value, limit_value, delta_value = known
        _check_range(start_value, limit_value, delta_value)
    args = [to_tensor(v) for v in (start, limit, delta)]
    if dtype is None:
        dtype = max((check_dtype(a, _RANGE_ORDER, "start").dtype for a in args),
                    key=lambda d: _RANGE_ORDER.index(d.name))
    out = apply(Range, *(cast(a, dtype) for a in args))
    if static:
        out.set_shape([max(0, math.ceil((limit_value - start_value) / delta_value))])
    return out


def _known_int(value):
    """The value of a 0-d int graph tensor where the graph knows it (``known_scalar``), else None."""
    tensor = graph_tensor(value)
    return known_scalar(tensor) if tensor is not None and tensor.dtype.is_integer and tensor.shape.rank == 0 \
        else None


@tf_op("LinSpace")
def linspace(start, stop, num, name=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (``num`` must be a Python int)."""
    num = constant_value(num, "num")
    if num < 0:
        raise ValueError(f"LinSpace: Requires num > 0: {num}")
    start, stop = matching_pair("LinSpace", start, stop, ("start", "stop"))
    check_dtype(start, ("float32", "float64"), "start")
    fractions = to_tensor(numpy.linspace(0, 1, num, dtype=start.dtype))
    return ops.add(start, ops.mul(ops.sub(stop, start), fractions))


# ============================================================================================== reshaping

@tf_op("Reshape")
def reshape(tensor, shape, name=None):
    """The same elements in a new ``shape``; one entry may be -1 (inferred). ``shape`` may be a tensor or hold
    tensors (``[tf.shape(x)[0], -1]``): then the reshape happens at run time."""
    x, dims = to_tensor(tensor), _shape_list(shape)
    _check_one_inferred(x, dims)
    if not isinstance(dims, Tensor) and all(graph_tensor(d) is None for d in dims):
        return ops.reshape(x, dims)
    shape, static = _shape_input(dims)
    out = apply(ReshapeTo, x, shape)
    if static is not None:
        out.set_shape(static)
    return out


def _check_one_inferred(x, dims):
    """TF's ValueError, while the graph is built, for a reshape to a shape with more than one -1 among the entries
    the graph knows (whatever it knows of ``x``'s shape)."""
    if isinstance(dims, Tensor):
        known = known_dims(dims) or []
    else:
        known = [d if graph_tensor(d) is None else known_scalar(graph_tensor(d)) for d in dims]
    inferred = [i for i, d in enumerate(known) if d == -1]
    if len(inferred) > 1:
        shown = ["?" if d is None else d for d in known]
        raise ValueError(f"Only one input size may be -1, not both {inferred[0]} and {inferred[1]}: tf.reshape of "
                         f"{x.name} (shape {x.shape}) to [{', '.join(map(str, shown))}]")


@tf_op("transpose")
def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permute the dims: output dim i is input dim ``perm[i]``; by default the order is reversed (a matrix's
    transpose). ``conjugate`` also conjugates complex values."""
    x = to_tensor(a)
    if perm is not None and computed_at_run_time(perm):  # a permutation known only when the graph runs
        out = apply(TransposeBy, x, check_dtype(to_tensor(perm, dtypes.int32), ("int32", "int64"), "perm"))
        return ops.conj(out) if conjugate else out
    perm = list(reversed(builtins.range(x.ndim))) if perm is None else constant_value(perm, "perm")
    out = ops.permute(x, perm)
    return ops.conj(out) if conjugate else out


@tf_op("ExpandDims")
def expand_dims(input, axis=None, name=None, dim=None):
    """Insert a dim of size 1 at ``axis`` (-1: at the end)."""
    axis = deprecated_alias(axis, dim, "axis", "dim")
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x, axis = to_tensor(input), constant_value(axis, "axis")
    if not x.shape.rank_known and axis in (0, -1):  # (a rank shown only when the graph runs: a 1 before or after)
        one = to_tensor([1], dtypes.int32)
        return reshape(x, concat([one, shape(x)] if axis == 0 else [shape(x), one], 0))
    return ops.unsqueeze(x, axis)


@tf_op("Squeeze")
def squeeze(input, axis=None, name=None, squeeze_dims=None):
    """Remove dims of size 1: all of them, or those in ``axis``, which must have size 1 (checked when the graph
    runs where only a fed shape tells)."""
    x = to_tensor(input)
    axis = constant_value(deprecated_alias(axis, squeeze_dims, "axis", "squeeze_dims"), "axis")
    if isinstance(axis, int):
        axis = [axis]
    checks = []
    for d in axis or ():
        n = x.shape[d] if x.shape.rank_known and -len(x.shape) <= d < len(x.shape) else None
        if n not in (None, 1):
            raise ValueError(f"Can not squeeze dim[{d}], expected a dimension of 1, got {n} for 'Squeeze' "
                             f"(op: 'Squeeze') with input shapes: {list(x.shape)}.")
        if n is None:  # known when the graph runs; the op library's squeeze would keep a dim that is not 1
            size = shape(x)[d]
            checks.append(Assert(ops.eq(size, 1), [f"Can not squeeze dim[{d}], expected a dimension of 1, got", size]))
    with control_dependencies(checks):
        out = ops.squeeze(x, None if axis is None else tuple(axis))
    if axis and x.shape.rank_known:  # the checks make every dim in axis go
        gone = {d % x.ndim for d in axis}
        out.set_shape([n for d, n in enumerate(x.shape) if d not in gone])
    return out


@tf_op("BroadcastTo")
def broadcast_to(input, shape, name=None):
    """``input`` with size-1 dims stretched (and leading dims added) to reach ``shape``, which may hold tensors
    (``[tf.shape(x)[0], 6]``): then ``input`` is added to zeros of that shape, which broadcasts it the same way
    (and sums the gradient back)."""
    x = to_tensor(input)
    given = _shape_list(shape)
    if not isinstance(given, Tensor) and all(graph_tensor(d) is None for d in given):
        return ops.broadcast_to(x, tuple(given))
    zeros_of_shape = fill(shape, numpy.zeros((), x.dtype.as_numpy_dtype))
    return ops.logical_or(x, zeros_of_shape) if x.dtype == dtypes.bool_ else ops.add(x, zeros_of_shape)


# ===================================================================================== joining and cutting

@tf_op("concat")
def concat(values, axis, name="concat"):
    """Join tensors of one dtype along the existing dim ``axis``. (One tensor instead of a list is returned as it
    is, as TF1 does: ``tf.concat(outputs, 1)`` of a ``dynamic_rnn`` in code written for ``static_rnn``.)"""
    if isinstance(values, Tensor) or graph_tensor(values) is not None:
        constant_value(axis, "axis")
        return identity(values)
    return ops.cat(matching_list("ConcatV2", values), constant_value(axis, "axis"))


@tf_op("stack")
def stack(values, axis=0, name="stack"):
    """Join equally shaped tensors of one dtype along a new dim ``axis``."""
    return ops.stack(scalars_beside_scalars(matching_list("Pack", values)), constant_value(axis, "axis"))


@tf_op("unstack", one_op=True)
def unstack(value, num=None, axis=0, name="unstack"):
    """The slices along ``axis`` as a list; ``num`` is needed when the graph does not know that dim's size."""
    x = to_tensor(value)
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    if n is None and num is None:
        raise ValueError(f"Cannot infer num from shape {x.shape}")
    if n is not None and num is not None and n != num:
        raise ValueError(f"Cannot unstack {num} tensors from dimension {axis} of size {n} ({x.shape})")
    return [ops.getitem(x, (_ALL,) * axis + (i,)) for i in builtins.range(num if n is None else n)]


@tf_op("split", one_op=True)
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Cut ``value`` along ``axis`` into ``num_or_size_splits`` equal pieces (an int: it must divide the size) or
    into pieces of the listed sizes (one may be -1: the rest). The size along ``axis`` may be unknown until run
    time (a batch split into towers): the pieces are then cut when the graph runs."""
    x = to_tensor(value)
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    if isinstance(num_or_size_splits, (list, tuple)) and any(graph_tensor(s) is not None for s in num_or_size_splits):
        return _split_at_run_time(x, list(num_or_size_splits), axis)
    sizes = constant_value(num_or_size_splits, "num_or_size_splits")
    if n is None and isinstance(sizes, int) and sizes > 0 and x.shape.count(None) == 1:
        # pieces of a size known at run time: the axis as (pieces, rest), then one slice per piece
        pieces = ops.reshape(x, tuple(x.shape[:axis]) + (sizes, -1) + tuple(x.shape[axis + 1:]))
        return list(ops.unbind(pieces, axis))
    if n is None:
        return _split_at_run_time(x, _equal_pieces(x, axis, sizes) if isinstance(sizes, int) else list(sizes), axis)
    if isinstance(sizes, int):
        if sizes <= 0 or n % sizes:
            raise ValueError(f"Dimension {axis} ({n}) must be evenly divisible by the number of splits ({sizes})")
        sizes = [n // sizes] * sizes
    elif sizes.count(-1) == 1:
        sizes = [n - (sum(sizes) + 1) if s == -1 else s for s in sizes]
    return list(ops.split(x, list(sizes), axis))


def _equal_pieces(x, axis, count):
    """The sizes of ``count`` equal pieces of ``x`` along ``axis``, whose size is read when the graph runs (and
    must be divisible by ``count``: TF's error otherwise)."""
    if count <= 0:
        raise ValueError(f"split: the number of pieces must be positive, got {count}")
    size = cast(shape(x)[axis], dtypes.int32)
    check = Assert(ops.eq(size % count, 0), [f"Number of ways to split should evenly divide the split dimension, "
                                             f"but got split_dim {axis} (size =", size, f") and num_split {count}"])
    with control_dependencies([check]):
        return [identity(size // count)] * count


def _split_at_run_time(x, sizes, axis):
    """``split`` into pieces whose sizes are tensors (``[k, 6 - k]``; one may be -1: the rest): one slice per piece
    along ``axis``, its bounds the running sums of the sizes, read when the graph runs."""
    sizes = [to_tensor(s, dtypes.int32) for s in sizes]
    if sum(1 for s in sizes if s.op.op is Const and s.op.attrs["value"] == -1) > 1:
        raise ValueError("split: at most one size may be -1 (the rest)")
    checked = apply(CheckedSplitSizes, cast(shape(x)[axis], dtypes.int32), ops.stack(sizes))
    ends = ops.cumsum(checked, 0)
    pieces, start = [], 0
    for i in builtins.range(len(sizes)):
        end = ends[i]
        pieces.append(x[(builtins.slice(None),) * axis + (builtins.slice(start, end),)])
        start = end
    return pieces


def over_last_dim_rows(fn, x, keep_last_dim):
    """``fn(rows, 1)`` for an ``x`` whose rank shows only when the graph runs: x as the matrix of the rows along its
    last dim, and ``fn``'s result back in x's shape (``keep_last_dim``: a softmax) or in x's shape without the last
    dim (an argmax over it)."""
    sizes = shape(x)
    result = fn(reshape(x, stack([-1, sizes[-1]])), 1)
    return reshape(result, sizes if keep_last_dim else sizes[:-1])


@tf_op("Tile")
def tile(input, multiples, name=None):
    """``input`` repeated ``multiples[d]`` times along each dim d (one entry per dim). The multiples may be a
    tensor or hold tensors (``tf.tile(v, [tf.shape(x)[0], 1])``): then they are read when the graph runs."""
    x = to_tensor(input)
    dims = _shape_list(multiples)
    known_now = not isinstance(dims, Tensor) and all(graph_tensor(m) is None for m in dims)
    multiples, static = (None, dims) if known_now else _shape_input(dims)  # static: None where known only later
    if static is not None and len(static) != x.ndim:
        raise ValueError(f"Shape must be rank {x.ndim} but is rank {len(static)}: tile needs one multiple per "
                         f"dimension of {x.shape}, got {static}")
    if known_now:
        return ops.tile(x, static)
    checks = []
    if static is None:  # how many multiples there are is known when the graph runs: one per dim of x, else numpy
        count, dims = size(multiples), rank(x)  # would tile a vector into a matrix
        checks.append(Assert(ops.eq(count, dims), ["Expected multiples argument to be a vector of length", dims,
                                                   "but got length", count]))
    with control_dependencies(checks):
        out = apply(TileBy, x, multiples)
    if static is not None:
        out.set_shape([None if None in (n, m) else n * m for n, m in zip(x.shape, static)])
    return out


@tf_op("Pad")
def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Pad each dim d with ``paddings[d] = [before, after]`` elements, first dim first: 'CONSTANT' (with
    ``constant_values``), 'REFLECT' (mirror, edge not repeated) or 'SYMMETRIC' (mirror, edge repeated).
    'CONSTANT' also takes paddings known only when the graph runs (``[[0, n - tf.shape(x)[0]], [0, 0]]``)."""
    x = to_tensor(tensor)
    mode = mode.upper()
    table = graph_tensor(paddings)
    if (table is not None and table.op.op is not Const) or (isinstance(paddings, (list, tuple)) and any(
            graph_tensor(p) is not None or any(graph_tensor(v) is not None for v in p) for p in paddings)):
        if mode != "CONSTANT":
            raise ValueError(f"tf.pad: {mode} padding needs constant paddings; only CONSTANT takes tensors")
        from .dynamic_slicing import pad_at_run_time  # (it builds on this module)
        return pad_at_run_time(x, paddings, constant_values)
    paddings = [list(p) for p in constant_value(paddings, "paddings")]
    if len(paddings) != x.ndim or any(len(p) != 2 for p in paddings):
        raise ValueError(f"paddings must be a matrix with {x.ndim} rows and 2 columns ([[before, after], ...] per "
                         f"dimension of {x.shape}), got {paddings}")
    if any(p < 0 for pair in paddings for p in pair):
        raise ValueError(f"paddings must be non-negative, got {paddings}")
    flat = [p for before, after in reversed(paddings) for p in (before, after)]  # PyTorch: last dim first
    if mode == "CONSTANT":
        return ops.pad(x, flat, "constant", value=constant_value(constant_values, "constant_values"))
    if mode == "REFLECT":
        return ops.pad(x, flat, "reflect")
    if mode != "SYMMETRIC":
        raise ValueError(f"Unknown padding mode: {mode}")
    for d, (before, after) in enumerate(paddings):  # mirror images of the edges, joined on both sides
        n = x.shape[d]
        if n is not None and max(before, after) > n:
            raise ValueError(f"SYMMETRIC paddings must be no greater than the dimension size: {before}, {after} "
                             f"greater than {n}")
        keep = (_ALL,) * d
        parts = [ops.flip(ops.getitem(x, keep + (builtins.slice(0, before),)), (d,))] if before else []
        parts.append(x)
        if after:
            parts.append(ops.flip(ops.getitem(x, keep + (builtins.slice(-after, None),)), (d,)))
        x = ops.cat(parts, d) if len(parts) > 1 else x
    return x


@tf_op("ReverseV2")
def reverse(tensor, axis, name=None):
    """Reverse the order of elements along each dim in ``axis`` (a list)."""
    return ops.flip(to_tensor(tensor), constant_value(axis, "axis"))


def _along(t, axis, rank):
    """The 1-D ``t`` shaped to lie along ``axis`` of a rank-``rank`` tensor (size 1 along the other dims)."""
    return ops.reshape(t, [-1 if d == axis else 1 for d in builtins.range(rank)])


@tf_op("ReverseSequence")
def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None, batch_dim=None):
    """Reverse the first ``seq_lengths[b]`` entries along ``seq_axis`` of each slice ``b`` along ``batch_axis``
    (default 0), leaving the rest (the padding) in place: with seq_axis 1, ``[[1, 2, 3, 0]]`` and length 3 give
    ``[[3, 2, 1, 0]]``. Run time: a length larger than the sequence is an InvalidArgumentError.

    It is a gather along ``seq_axis``: position t reads ``length - 1 - t`` while t < length, else itself; so the
    gradient is the gather's (a scatter back)."""
    seq_axis = deprecated_alias(seq_axis, seq_dim, "seq_axis", "seq_dim")
    batch_axis = deprecated_alias(batch_axis, batch_dim, "batch_axis", "batch_dim") or 0
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")
    x = to_tensor(input)
    lengths = check_dtype(to_tensor(seq_lengths), _INDEX_TYPES, "seq_lengths")
    rank = x.ndim
    if not (0 <= seq_axis < rank and 0 <= batch_axis < rank) or seq_axis == batch_axis:
        raise ValueError(f"Invalid seq_dim {seq_axis} or batch_dim {batch_axis} for input of rank {rank} (they must "
                         "be different dims of the input)")
    if lengths.shape.rank_known and len(lengths.shape) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(lengths.shape)} for 'ReverseSequence' (seq_lengths "
                         f"{lengths.shape})")
    batch = x.shape[batch_axis]
    if lengths.shape.rank_known and None not in (batch, lengths.shape[0]) and batch != lengths.shape[0]:
        raise ValueError(f"Dimensions must be equal, but are {batch} and {lengths.shape[0]}: seq_lengths needs one "
                         f"length per entry of dim {batch_axis} of the input {x.shape}")
    steps = shape(x, out_type=lengths.dtype)[seq_axis]
    too_long = assert_less_equal(lengths, steps, data=[f"seq_lens > input.dims({seq_axis}):", lengths])
    t = _along(range(0, steps, dtype=lengths.dtype), seq_axis, rank)
    length = _along(lengths, batch_axis, rank)
    source = ops.where(ops.lt(t, length), ops.sub(ops.sub(length, 1), t), t)  # the position step t reads
    with control_dependencies([too_long]):
        return ops.gather(x, seq_axis, ops.broadcast_to_like(source, x))


# ============================================================================================ picking values

def _indices(indices, param="indices"):
    return check_dtype(to_tensor(indices), _INDEX_TYPES, param)


@tf_op("GatherV2")
def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Slices of ``params`` along ``axis`` at ``indices`` (any shape): the result's shape is
    ``params.shape[:axis] + indices.shape + params.shape[axis + 1:]``."""
    if batch_dims:  # out[b..., i..., rest] = params[b..., indices[b..., i...], rest], b the first batch_dims dims
        indices = _indices(indices)
        batch = batch_dims + indices.ndim if batch_dims < 0 else batch_dims
        axis = batch if axis is None else normalize_axis(axis, to_tensor(params).ndim)
        if not 0 < batch < indices.ndim + 1 or axis < batch:
            raise ValueError(f"gather: batch_dims ({batch_dims}) must be at most the rank of indices "
                             f"({indices.ndim}) and at most axis ({axis})")
        x = to_tensor(params)
        # dims between the batch dims and axis ("middle") go after the axis, so that gather_nd picks along
        # the dim right after the batch dims; the picked dims are then put back after the middle ones
        dims = builtins.range
        middle = list(dims(batch, axis))
        moved = ops.permute(x, [*dims(batch), axis, *middle, *dims(axis + 1, x.ndim)]) if middle else x
        out = ops.gather_nd(moved, ops.unsqueeze(indices, -1), batch_dims=batch)
        if not middle:
            return out
        # out: the batch dims, the picked dims (indices' other dims, up to indices.ndim), the middle ones, the rest
        picked_end = indices.ndim
        middle_end = picked_end + len(middle)
        order = [*dims(batch), *dims(picked_end, middle_end), *dims(batch, picked_end), *dims(middle_end, out.ndim)]
        return ops.permute(out, order)
    x = to_tensor(params)
    axis = normalize_axis(0 if axis is None else axis, x.ndim)
    indices = _indices(indices)
    if not indices.shape.rank_known:  # (a placeholder without a shape) the rows of the flattened indices, reshaped
        if axis != 0:
            raise ValueError(f"gather: indices of unknown rank ({indices.name}) are supported along axis 0 only; "
                             f"give their placeholder a shape")
        rows = gather(x, ops.reshape(indices, (-1,)))
        return reshape(rows, concat([shape(indices), shape(x)[1:]], 0))
    return ops.getitem(x, (_ALL,) * axis + (in_bounds("GatherV2", indices, x, axis),))


@tf_op("one_hot")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """A new dim of size ``depth`` at ``axis`` (default: last) holding ``on_value`` (1) at each index and
    ``off_value`` (0) elsewhere; indices outside [0, depth) give all ``off_value``. dtype: ``dtype``, else that of
    on/off_value, else float32. A negative ``depth`` is an error."""
    labels = check_dtype(to_tensor(indices), ("uint8",) + _INDEX_TYPES, "indices")
    on = None if on_value is None else to_tensor(on_value, dtype)
    off = None if off_value is None else to_tensor(off_value, dtype if on is None else on.dtype)
    given = on if on is not None else off
    dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.float32 if given is None else given.dtype
    for value, what in ((on, "on_value"), (off, "off_value")):
        if value is not None and value.dtype != dtype:
            raise TypeError(f"dtype {value.dtype.name} of {what} does not match dtype parameter {dtype.name}")
    rank, axis = labels.ndim, -1 if axis is None else axis
    if not -1 <= axis <= rank:
        raise ValueError(f"Expected axis to be -1 or between [0, {rank}]. But received: {axis}")
    axis = rank if axis == -1 else axis
    checks = []
    if graph_tensor(depth) is None:  # (range would make a negative depth an empty dim)
        if numpy.ndim(depth) != 0:
            raise ValueError(f"one_hot: depth must be a scalar (Shape must be rank 0), got {depth!r}")
        if isinstance(depth, (bool, numpy.bool_)) or not isinstance(depth, numbers.Integral):
            raise TypeError(f"one_hot: depth must be an int32 scalar, got {depth!r}")
        if depth < 0:
            raise ValueError(f"depth must be non-negative, got: {depth}")
    else:
        depth = to_tensor(depth)
        if depth.dtype.kind not in "iu" or (depth.shape.rank_known and depth.shape.rank != 0):
            raise TypeError(f"one_hot: depth must be an int32 scalar, got {describe(depth)}")
        checks.append(Assert(ops.ge(depth, 0), ["depth must be non-negative, got:", depth]))
    with control_dependencies(checks):
        positions = range(0, depth, dtype=labels.dtype)
    positions = ops.reshape(positions, (-1,) + (1,) * (rank - axis))
    hot = ops.eq(ops.unsqueeze(labels, axis), positions)
    if on is None and off is None:
        return ops.cast(hot, dtype)
    on = to_tensor(1, dtype) if on is None else on
    off = to_tensor(0, dtype) if off is None else off
    return ops.where(hot, on, off)


def _true_positions(condition):
    """The coordinates of the True entries of ``condition``, one row each in row-major order (int64)."""
    if not condition.shape.rank_known or condition.ndim == 0:
        raise rank_error(condition)("tf.where(condition) needs a condition of known rank >= 1")
    sizes = apply(Shape, condition, dtype=dtypes.int64)
    columns = []
    for d in builtins.range(condition.ndim):
        along = range(0, ops.getitem(sizes, d), dtype=dtypes.int64)
        along = ops.reshape(along, [-1 if i == d else 1 for i in builtins.range(condition.ndim)])
        grid = ops.broadcast_to_like(along, condition)  # position d of every entry of condition
        columns.append(ops.getitem(grid, condition))
    return ops.stack(columns, 1)


@tf_op("Where")
def where(condition, x=None, y=None, name=None):
    """With x and y: ``x`` where ``condition`` is True, else ``y`` (TF1: a 1-D condition picks whole rows of
    higher-rank x and y). Without them: the coordinates of the True (for numbers: non-zero) entries, shape
    (count, rank), int64."""
    if x is None and y is None:
        condition = to_tensor(condition, dtypes.bool_)
        return _true_positions(condition if condition.dtype == dtypes.bool_ else ops.ne(condition, 0))
    condition = require_bool("Select", to_tensor(condition, dtypes.bool_), "condition")
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = matching_pair("Select", x, y, ("t", "e"))
    value_rank = next((t.ndim for t in (x, y) if t.shape.rank_known), None)
    if not condition.shape.rank_known or (condition.ndim == 1 and value_rank is None):
        raise UnknownRankError("Select: whether the condition picks whole rows shows when the ranks are known")
    _check_select_shapes(condition, x, y)
    if condition.ndim == 1 and value_rank > 1:
        condition = ops.reshape(condition, (-1,) + (1,) * (value_rank - 1))
    return ops.where(condition, x, y)


def _check_select_shapes(condition, x, y):
    """TF1's Select broadcasts nothing (``where_v2`` does): x and y have one shape, and the condition is a scalar,
    that shape, or a vector along its first dim. Checked as far as the shapes are known."""
    if not x.shape.is_compatible_with(y.shape):
        raise ValueError(f"Select: x and y must have the same shape (tf.where_v2 broadcasts), got {x.shape} and "
                         f"{y.shape}")
    value = x.shape.merge_with(y.shape)
    if condition.ndim == 0 or not value.rank_known:
        return
    if condition.ndim == 1 and value.rank > 1:
        fits = condition.shape[:1].is_compatible_with(value[:1])
    else:
        fits = condition.shape.is_compatible_with(value)
    if not fits:
        raise ValueError(f"Select: the condition must be a scalar, of the shape of x and y ({value}), or a vector "
                         f"along their first dim, got {condition.shape} (tf.where_v2 broadcasts)")


@tf_op("SelectV2")
def where_v2(condition, x=None, y=None, name=None):
    """TF2's ``where``: condition, x and y broadcast together (numpy's rule)."""
    if x is None and y is None:
        return where(condition)
    condition = require_bool("SelectV2", to_tensor(condition, dtypes.bool_), "condition")
    return ops.where(condition, *matching_pair("SelectV2", x, y, ("t", "e")))


@tf_op("boolean_mask")
def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries (or slices, past the mask's dims) of ``tensor`` where the bool ``mask`` is True."""
    x, mask = to_tensor(tensor), require_bool("boolean_mask", to_tensor(mask, dtypes.bool_), "mask")
    return ops.getitem(x, (_ALL,) * (axis or 0) + (mask,))


@tf_op("SequenceMask")
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool_, name=None):
    """``mask[i, j] = j < lengths[i]``, with ``maxlen`` columns (default: the largest length)."""
    lengths = _indices(lengths, "lengths")
    if maxlen is None:
        maxlen = ops.amax(lengths)
    mask = ops.lt(range(0, maxlen, dtype=lengths.dtype), ops.unsqueeze(lengths, -1))
    return ops.cast(mask, dtypes.as_dtype(dtype))


@tf_op("Slice")
def slice(input_, begin, size, name=None):
    """``size[d]`` entries from ``begin[d]`` in each dim d (size -1: to the end). Unlike Python's slices, a
    negative begin or a slice past the end is an error, found while building where the dim is known, else when
    the slice runs."""
    x = to_tensor(input_)
    begin_list, size_list = _shape_list(begin), _shape_list(size)
    if not x.shape.rank_known or any(isinstance(v, Tensor) or any(graph_tensor(d) is not None for d in v)
                                     for v in (begin_list, size_list)):
        from .dynamic_slicing import slice_at_run_time  # (it builds on this module)
        return slice_at_run_time(x, begin, size)
    begin, size = list(constant_value(begin, "begin")), list(constant_value(size, "size"))
    if len(begin) != len(size) or (x.shape.rank_known and len(begin) != len(x.shape)):
        raise ValueError(f"Expected begin and size arguments to be 1-D tensors of size {x.shape.rank}, but got "
                         f"shapes [{len(begin)}] and [{len(size)}] instead.")
    checks = []
    for d, (b, n) in enumerate(zip(begin, size)):
        dim = x.shape[d] if x.shape.rank_known else None
        if b < 0 or (dim is not None and b > dim):
            raise ValueError(f"Expected begin[{d}] in [0, {'dim' if dim is None else dim}], but got {b}")
        if n < -1 or (dim is not None and n != -1 and b + n > dim):
            raise ValueError(f"Expected size[{d}] in [0, {'dim - begin' if dim is None else dim - b}], but got {n}")
        if dim is None:  # known when the slice runs
            checks.append(assert_less_equal(b + max(n, 0), shape(x)[d],
                                            data=[f"Slice: begin[{d}] + size[{d}] exceeds the dim:", shape(x)]))
    with control_dependencies(checks):
        out = ops.getitem(x, tuple(builtins.slice(b, None if n == -1 else b + n) for b, n in zip(begin, size)))
    # every size but -1 is the dim of the result, even where the input's dim is unknown (the checks above hold it)
    out.set_shape([None if n == -1 else n for n in size])
    return out


@tf_op("StridedSlice")
def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None):
    """``input_[begin[0]:end[0]:strides[0], ...]``; bit i of a mask makes entry i: begin_mask -> from the start,
    end_mask -> to the end, ellipsis_mask -> ``...``, new_axis_mask -> a new dim, shrink_axis_mask -> the single
    index ``begin[i]`` (dim removed)."""
    begin, end = constant_value(begin, "begin"), constant_value(end, "end")
    strides = [1] * len(begin) if strides is None else constant_value(strides, "strides")
    index = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if ellipsis_mask >> i & 1:
            index.append(Ellipsis)
        elif new_axis_mask >> i & 1:
            index.append(None)
        elif shrink_axis_mask >> i & 1:
            index.append(b)
        else:
            index.append(builtins.slice(None if begin_mask >> i & 1 else b, None if end_mask >> i & 1 else e, s))
    return to_tensor(input_)[tuple(index)]  # (graph indexing: bounds may be tensors, as in ptb_reader)


@tf_op("meshgrid")
def meshgrid(*args, indexing="xy", name=None):
    """Coordinate grids from 1-D tensors of sizes n1, n2, ...: one tensor per argument, the i-th repeating
    ``args[i]`` along its own dim. ``indexing="xy"`` (TF's default, numpy's) gives shape (n2, n1, n3, ...) —
    x varies along the columns; ``"ij"`` gives (n1, n2, ...)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    return list(ops.meshgrid(*[to_tensor(a) for a in args], indexing=indexing))


lin_space = linspace  # TF1 spellings
reverse_v2 = reverse

__all__ = ["shape", "size", "rank", "fill", "zeros", "ones", "zeros_like", "ones_like", "range", "linspace",
           "lin_space", "reshape", "transpose", "expand_dims", "squeeze", "broadcast_to", "concat", "stack", "unstack",
           "split", "tile", "pad", "reverse", "reverse_v2", "gather", "one_hot", "where", "where_v2",
           "boolean_mask", "sequence_mask", "slice", "strided_slice", "newaxis", "reverse_sequence", "meshgrid"]
