"""Slicing with bounds known only when the graph runs: ``x[:, :tf.shape(x)[1] - 1]``, ``x[start:start + n]``.

The op library's ``getitem`` needs its slice bounds as Python ints (they are attributes of the op). A TF1 program
often computes them: the length of a fed sequence minus one, a position from a placeholder. ``tensor[index]``
therefore runs in two steps when a slice bound is a tensor:

1. ``DynamicSlice`` narrows every dim by its slice — begin, end and step are 1-D integer inputs read at run time
   (a missing bound is a mask attribute: ``:end`` has no begin); dims indexed by an int, and the dims that
   ``...`` stands for, are kept whole;
2. the op library's ``getitem`` then applies the rest of the index — ints, ``None``, ``...`` — with every slice
   replaced by ``:``.

Step 1 keeps the rank and step 2 sees the same positions, so the two compose to the index as written, with
Python's slice rules (negative bounds count from the end, bounds past the end are clipped: TF's strided slice
does the same). The gradient of step 1 places ``g`` into zeros shaped like ``x`` (``DynamicSliceGrad``), whose
own gradient is step 1 again. ``tf.slice`` with tensor ``begin``/``size`` is step 1 alone, with TF's range
checks as asserts (``slice_at_run_time``); ``tf.pad`` with tensor paddings is the gradient op used forwards:
``x`` written into the middle of a larger tensor (``pad_at_run_time``).
"""
import builtins
import numbers

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, UnknownRankError, apply
from .array_ops import Fill, _host_ints, _shape_input, shape
from .basics import control_dependencies
from .check_ops import assert_equal, assert_less_equal
from .math_ops import cast, check_dtype, graph_tensor, to_tensor


def _slices(begin, end, step, begin_mask, end_mask):
    return tuple(builtins.slice(None if no_begin else b, None if no_end else e, s)
                 for b, e, s, no_begin, no_end in zip(_host_ints(begin), _host_ints(end), _host_ints(step),
                                                      begin_mask, end_mask))


class DynamicSlice(Op):
    """``x[b0:e0:s0, b1:e1:s1, ...]`` with one slice per dim; ``begin``/``end``/``step`` are 1-D integer tensors
    (attrs ``begin_mask``/``end_mask``: a True drops that bound)."""
    saves_inputs = (1, 2, 3)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, begin, end, step, begin_mask, end_mask):
        return x[_slices(begin, end, step, begin_mask, end_mask)]

    @staticmethod
    def vjp(ctx, g):
        x, begin, end, step = ctx.inputs
        return (apply(DynamicSliceGrad, g, x, begin, end, step, **ctx.attrs), None, None, None)

    @staticmethod
    def infer(x, begin, end, step, **attrs):
        return Spec(None if x.shape is None else (None,) * len(x.shape), x.dtype)


class DynamicSliceGrad(Op):
    """Zeros shaped like ``x`` with ``g`` written at the slices of ``DynamicSlice``: its VJP (linear in ``g``, so
    its own VJP is the slice again)."""
    saves_inputs = (2, 3, 4)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, begin, end, step, begin_mask, end_mask):
        out = xp.zeros(x.shape, dtype=g.dtype)
        out[_slices(begin, end, step, begin_mask, end_mask)] = g
        return out

    @staticmethod
    def vjp(ctx, gg):
        _, _, begin, end, step = ctx.inputs
        return (apply(DynamicSlice, gg, begin, end, step, **ctx.attrs),) + (None,) * 4

    @staticmethod
    def infer(g, x, *bounds, **attrs):
        return Spec(x.shape, g.dtype)


def _is_dynamic(index):
    entries = index if isinstance(index, tuple) else (index,)
    return any(isinstance(e, builtins.slice) and any(graph_tensor(b) is not None for b in (e.start, e.stop, e.step))
               for e in entries)


def _bound(value, what):
    """A slice bound (a Python int or a 0-d integer tensor) as a 0-d int64 tensor."""
    tensor = graph_tensor(value)
    if tensor is None:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"slice {what} must be an int, a 0-d integer tensor or None, got {value!r}")
        return to_tensor(int(value), dtypes.int64)
    if tensor.shape.rank not in (0, None):
        raise TypeError(f"slice {what} must be a scalar (a 0-d integer tensor), got shape {tensor.shape}")
    return cast(check_dtype(tensor, ("int32", "int64"), f"slice {what}"), dtypes.int64)


def getitem(x, index):
    """``x[index]`` for a graph tensor: the op library's ``getitem``, in two steps when a slice bound is a tensor
    (see the module docstring)."""
    if not _is_dynamic(index):
        return ops.getitem(x, index)
    entries = list(index) if isinstance(index, tuple) else [index]
    rank = x.shape.rank
    if rank is None:
        raise UnknownRankError(f"slicing with tensor bounds needs the rank of {x.name}; give its placeholder a shape")
    used = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if used > rank:
        raise IndexError(f"too many indices for a tensor of rank {rank}: {index!r}")
    per_dim, rest = [], []  # one slice per dim of x; the index that step 2 applies
    for e in entries:
        if e is Ellipsis:
            per_dim += [builtins.slice(None)] * (rank - used)
            rest.append(Ellipsis)
        elif e is None:
            rest.append(None)
        elif isinstance(e, builtins.slice):
            per_dim.append(e)
            rest.append(builtins.slice(None))
        else:  # an int or an integer tensor: a whole dim now, picked in step 2
            per_dim.append(builtins.slice(None))
            rest.append(e)
    per_dim += [builtins.slice(None)] * (rank - len(per_dim))
    begin = ops.stack([_bound(0 if s.start is None else s.start, "begin") for s in per_dim])  # (0: masked out)
    end = ops.stack([_bound(0 if s.stop is None else s.stop, "end") for s in per_dim])
    step = ops.stack([_bound(1 if s.step is None else s.step, "step") for s in per_dim])
    narrowed = apply(DynamicSlice, x, begin, end, step, begin_mask=tuple(s.start is None for s in per_dim),
                     end_mask=tuple(s.stop is None for s in per_dim))
    narrowed.set_shape([n if s == builtins.slice(None) else None for n, s in zip(x.shape, per_dim)])
    return ops.getitem(narrowed, tuple(rest))


def slice_at_run_time(x, begin, size):
    """``tf.slice(x, begin, size)`` with ``begin``/``size`` (1-D, or lists holding tensors) read at run time: the
    same checks as for constants (0 <= begin, size -1 or begin + size <= the dim), as asserts. An ``x`` of unknown
    rank has as many dims as ``begin`` has entries (checked when the slice runs)."""
    begin, size = (cast(_shape_input(v)[0], dtypes.int64) for v in (begin, size))
    dims = shape(x, out_type=dtypes.int64)
    rank = x.shape.rank
    if rank is None:
        rank = next((v.shape[0] for v in (begin, size) if v.shape.rank_known and v.shape[0] is not None), None)
        if rank is None:
            raise UnknownRankError(f"tf.slice with begin and size computed at run time needs the rank of {x.name}; "
                                   f"give its placeholder a shape")
        with control_dependencies([assert_equal(ops.getitem(shape(dims), 0), rank, data=[
                "Slice: expected begin and size of the input's rank:", dims, begin])]):
            dims = ops.reshape(dims, (rank,))
    end = ops.where(ops.eq(size, -1), dims, begin + size)
    checks = [assert_less_equal(ops.zeros_like(begin), begin, data=["Slice: begin must be >= 0:", begin]),
              assert_less_equal(ops.full_like(size, -1), size, data=["Slice: size must be >= -1:", size]),
              assert_less_equal(end, dims, data=["Slice: begin + size exceeds the shape:", begin, size, dims])]
    with control_dependencies(checks):
        return apply(DynamicSlice, x, begin, end, ops.ones_like(begin), begin_mask=(False,) * rank,
                     end_mask=(False,) * rank)


def pad_at_run_time(x, paddings, constant_values=0):
    """``tf.pad(x, paddings)`` (CONSTANT mode) with paddings read at run time: ``x`` written at
    ``[before : before + dim]`` of each dim of a tensor of ``constant_values`` — ``DynamicSliceGrad``, whose
    gradient cuts ``x``'s part back out."""
    rank = x.shape.rank
    if rank is None:
        raise UnknownRankError(f"tf.pad with tensor paddings needs the rank of {x.name}; give its placeholder a shape")
    table = cast(ops.reshape(graph_tensor(paddings) if graph_tensor(paddings) is not None else
                             ops.stack([ops.stack([_bound(v, "padding") for v in pair]) for pair in paddings]),
                             (rank, 2)), dtypes.int64)
    before, after = ops.getitem(table, (builtins.slice(None), 0)), ops.getitem(table, (builtins.slice(None), 1))
    checks = [assert_less_equal(ops.zeros_like(table), table, data=["Paddings must be non-negative:", table])]
    dims = shape(x, out_type=dtypes.int64)
    fill = to_tensor(constant_values, x.dtype)
    with control_dependencies(checks):  # a donor of the padded shape (its values are not read)
        frame = apply(Fill, cast(dims + before + after, dtypes.int32), ops.reshape(fill, ()))
    placed = apply(DynamicSliceGrad, x - fill, frame, before, before + dims, ops.ones_like(before),
                   begin_mask=(False,) * rank, end_mask=(False,) * rank)
    return placed + fill
