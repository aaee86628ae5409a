"""Indexing: ``x[index]``, its functional assignment ``index_put``, and ``index_select``.

``x[index]`` runs in two steps, as in PyTorch: first the *basic* part (ints, slices, None) picks a view, then the
*advanced* part (integer arrays, boolean masks) gathers from that view with numpy's rules. (numpy itself would
treat ``x[0, :, [0, 1]]`` as one advanced index and move the new dim to the front; PyTorch does not.)

An op's attrs must be plain, hashable values, while index *tensors* must be op inputs (graph mode feeds them at
run time). So an index is encoded as two tuples of small tagged tuples plus a list of tensor inputs:

* ``basic``: ``("int", i)``, ``("slice", start, stop, step)`` or ``("none",)`` per item;
* ``advanced``: ``("all",)`` keeps a dim of the view, ``("tensor",)`` takes the next tensor input, and
  ``("array", values, dtype)`` is a constant array given as a Python list (``x[[0, 2]]``).

The VJP of indexing scatters ``g`` back into zeros shaped like ``x`` (``IndexGrad``). With integer arrays an
element may be picked twice (``x[[0, 0]]``); its gradient is then the sum of both, hence ``add.at``.
"""
import math
import numbers
import operator

import numpy

from ..backend import dtypes
from ..backend.scans import add_at
from .base import DimensionError, DtypeError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .broadcast import sum_to_like
from .cast import cast
from .infer import broadcast_shapes, normalize_dim
from .promote import fill_value_as
from .reduce import check_tensor
from .shape import known, reshape, squeeze

__all__ = ["getitem", "index_put", "index_put_call", "index_select", "gather", "scatter", "scatter_add",
           "scatter_reduce", "one_hot"]

_FULL = ("slice", None, None, None)
_ALL = ("all",)


class IndexTypeError(IndexError, TypeError):
    """An index of a kind that cannot index (``x[1.5]``): an IndexError, as PyTorch raises, and a TypeError, as
    TensorFlow does. (An index that does not fit the shape is a ``DimensionError``: IndexError and ValueError.)"""


# ------------------------------------------------------------------------------------- encoding an index

def _is_mask(dtype):
    """Boolean tensors (and, as in PyTorch, uint8 ones) select by mask; other integer tensors by position."""
    return dtype.kind == "b" or dtype == dtypes.uint8


def _item(op_name, item):
    """One item of an index as ``(entry, number of dims of x it consumes)``; Ellipsis is passed through."""
    if item is None:
        return ("none",), 0
    if item is Ellipsis:
        return Ellipsis, 0
    if isinstance(item, slice):
        start, stop, step = (None if v is None else operator.index(v) for v in (item.start, item.stop, item.step))
        if step == 0:
            raise ValueError(f"{op_name}: slice step cannot be zero")
        return ("slice", start, stop, step), 1
    if is_tensor(item):
        if _is_mask(item.dtype):
            return ("tensor",), item.ndim
        if item.dtype.kind in "iu":
            return ("tensor",), 1
        raise IndexTypeError(f"{op_name}: tensors used as indices must be long, int, byte or bool tensors, got "
                             f"{describe(item)}")
    if isinstance(item, (bool, numpy.bool_, list, tuple, range, numpy.ndarray)):
        array = numpy.asarray(item)
        if array.size == 0 and array.dtype.kind == "f":  # [] is an empty list of positions
            array = array.astype(numpy.int64)
        if array.dtype.kind not in "biu":
            raise IndexTypeError(f"{op_name}: arrays used as indices must hold integers or booleans, got {item!r}")
        dtype = "bool" if array.dtype.kind == "b" else "int64"
        return ("array", _frozen(array.tolist()), dtype), (array.ndim if dtype == "bool" else 1)
    try:
        return ("int", operator.index(item)), 1
    except TypeError:
        raise IndexTypeError(f"{op_name}: only integers, slices (`:`), ellipsis (`...`), None and long, int, byte or "
                             f"bool tensors are valid indices (got {type(item).__name__})") from None


def _frozen(values):
    """Nested lists as nested tuples (hashable)."""
    return tuple(_frozen(v) for v in values) if isinstance(values, list) else values


def _items(index):
    """The items of an index: a tuple's entries, or the index alone. A short list holding a tensor, a sequence, a
    slice, None or Ellipsis counts as a tuple, as PyTorch 2 still reads it (``x[[rows, cols]]`` is
    ``x[rows, cols]``) — with PyTorch's deprecation warning, since numpy reads it as one array."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            item is None or item is Ellipsis or is_tensor(item) or
            isinstance(item, (list, tuple, range, slice, numpy.ndarray)) for item in index):
        warn("Using a non-tuple sequence for multidimensional indexing is deprecated; use x[tuple(seq)] "
             "instead of x[seq]")
        return tuple(index)
    return (index,)


def _encode(op_name, x, index):
    """``(basic, advanced, tensors)`` for ``x[index]``, after checking the index against ``x``'s shape."""
    items = _items(index)
    parsed = [_item(op_name, item) for item in items]
    if sum(entry is Ellipsis for entry, _ in parsed) > 1:
        raise DimensionError(f"{op_name}: an index can only have a single ellipsis ('...')")
    used = sum(k for _, k in parsed)
    if used > x.ndim:
        raise DimensionError(f"{op_name}: too many indices for tensor of dimension {x.ndim} ({describe(x)}): the index "
                             f"uses {used} dims")
    basic, advanced, tensors, dim = [], [], [], 0
    for item, (entry, k) in zip(items, parsed):
        if entry is Ellipsis:
            k = x.ndim - used
            basic += [_FULL] * k
            advanced += [_ALL] * k
        elif entry[0] == "int":
            size = x.shape[dim]
            if size is not None and not -size <= entry[1] < size:
                raise DimensionError(f"{op_name}: index {entry[1]} is out of bounds for dimension {dim} with size "
                                     f"{size}")
            basic.append(entry)
        elif entry[0] in ("slice", "none"):
            basic.append(entry)
            advanced.append(_ALL)
        else:
            _check_array(op_name, x, dim, item, entry)
            basic += [_FULL] * k
            advanced.append(entry)
            if entry[0] == "tensor":
                tensors.append(item)
        dim += k
    while basic and basic[-1] == _FULL:  # x[0] and x[0, :] are the same index
        basic.pop()
    if all(entry == _ALL for entry in advanced):
        advanced = []
    while advanced and advanced[-1] == _ALL:
        advanced.pop()
    return tuple(basic), tuple(advanced), tensors


def _check_array(op_name, x, dim, item, entry):
    """A mask must have the shape of the dims it covers; constant positions must be within bounds."""
    shape, dtype = (tuple(item.shape), item.dtype) if entry[0] == "tensor" else _array_spec(entry)
    if _is_mask(dtype):
        for i, (m, n) in enumerate(zip(shape, x.shape[dim:])):
            if None not in (m, n) and m != n:
                raise DimensionError(f"{op_name}: the shape of the mask {list(shape)} at index {i} does not match the "
                                     f"shape of the indexed tensor {list(x.shape)} at index {dim + i}")
    elif entry[0] == "array" and x.shape[dim] is not None:
        positions = numpy.asarray(entry[1], dtype=entry[2])
        size = x.shape[dim]
        if positions.size and not (-size <= positions.min() and positions.max() < size):
            bad = positions.max() if positions.max() >= size else positions.min()
            raise DimensionError(f"{op_name}: index {bad} is out of bounds for dimension {dim} with size {size}")


def _array_spec(entry):
    array = numpy.asarray(entry[1], dtype=entry[2])
    return array.shape, array.dtype


# ------------------------------------------------------------------------------------- decoding an index

def _basic_index(basic):
    """The numpy index of the first step. The trailing Ellipsis keeps even a 0-d result a view, not a scalar."""
    return tuple(e[1] if e[0] == "int" else None if e[0] == "none" else slice(*e[1:]) for e in basic) + (Ellipsis,)


def _advanced_index(xp, advanced, tensors, shape):
    """The numpy index of the second step into an array of ``shape``, and whether it holds integer positions
    (which may repeat)."""
    tensors = iter(tensors)
    index, positions, dim = [], False, 0
    for entry in advanced:
        if entry == _ALL:
            index.append(slice(None))
            dim += 1
            continue
        a = next(tensors) if entry[0] == "tensor" else xp.asarray(entry[1], dtype=entry[2])
        if not _is_mask(a.dtype):
            if xp is not numpy:  # numpy refuses a position out of range; cupy wraps it round, silently
                _check_in_range(a, dim, shape[dim])
            positions = True
            index.append(a)
            dim += 1
        elif a.ndim:
            index.extend(xp.nonzero(a))  # a mask over k dims is the k position arrays of its True elements
            dim += a.ndim
        else:
            index.append(a.astype(bool))  # x[True] adds a dim of size 1 (0 for False)
    return tuple(index), positions


def _check_in_range(positions, dim, size):
    """An IndexError, in PyTorch's words, for a position outside ``-size .. size - 1``."""
    if positions.size:
        low, high = int(positions.min()), int(positions.max())
        if low < -size or high >= size:
            raise IndexError(f"index {low if low < -size else high} is out of bounds for dimension {dim} with size "
                             f"{size}")


def _write(xp, target, basic, advanced, tensors, values, accumulate):
    """``target[index] = values`` in place; with ``accumulate``, ``+=`` that counts repeated positions each time."""
    view = target[_basic_index(basic)]
    if not advanced:
        view[...] = values
        return
    index, positions = _advanced_index(xp, advanced, tensors, view.shape)
    if accumulate and positions:
        add_at(xp, view, index, values)
    else:
        view[index] = values


def _indexed_shape(x, specs, basic, advanced):
    """The static shape of ``x[index]`` (dims may be None), from the specs of ``x`` and of the index tensors."""
    shape, dim = [], 0
    for e in basic:
        if e[0] == "none":
            shape.append(1)
            continue
        if e[0] == "slice":
            n = x.shape[dim]
            shape.append(None if n is None else len(range(*slice(*e[1:]).indices(n))))
        dim += 1
    shape += x.shape[dim:]
    if not advanced:
        return tuple(shape)
    specs = iter(specs)
    kept, blocks, dim, first, last, adjacent = [], [], 0, None, None, True
    for pos, e in enumerate(advanced):
        if e == _ALL:
            kept.append(shape[dim])
            dim += 1
            continue
        if e[0] == "tensor":
            spec = next(specs)
            index_shape, mask, count = tuple(spec.shape), _is_mask(spec.dtype), None  # a mask's count: run time
        else:
            array = numpy.asarray(e[1], dtype=e[2])
            index_shape, mask, count = array.shape, array.dtype.kind == "b", int(array.sum())
        blocks.append((count,) if mask else index_shape)
        dim += len(index_shape) if mask else 1
        adjacent = adjacent and (first is None or pos == last + 1)
        first = len(kept) if first is None else first
        last = pos
    kept += shape[dim:]
    block = list(broadcast_shapes("getitem", *blocks))
    # numpy's rule: the dims of the index arrays go where the arrays are if they sit together, else in front
    return tuple(kept[:first] + block + kept[first:] if adjacent else block + kept)


# ---------------------------------------------------------------------------------------------- x[index]

# The VJPs below read the values of the index tensors only (x and value just for their shapes), so those are what
# an in-place change must not touch before backward. Their positions vary per call (they follow x, or x and value),
# so each op says where they start; x itself is not listed, since ``y[i] = v`` changes y in place right after
# using it.

def _index_tensors_from(first):
    """``inputs_to_save`` of an op whose index tensors are its inputs from position ``first`` on."""
    return classmethod(lambda cls, needs_input_grad: range(first, len(needs_input_grad)))


class Index(Op):
    """``x[index]`` with integer arrays or boolean masks: a gather. VJP: scatter-add ``g`` into zeros like ``x``."""
    differentiable_inputs = (0,)
    saves_inputs = "the index tensors"  # at positions that vary per call: see inputs_to_save
    inputs_to_save = _index_tensors_from(1)

    @staticmethod
    def forward(xp, x, *tensors, basic, advanced):
        view = x[_basic_index(basic)]
        return view[_advanced_index(xp, advanced, tensors, view.shape)[0]] if advanced else view

    @staticmethod
    def vjp(ctx, g):
        x, *tensors = ctx.inputs
        return (apply(IndexGrad, g, x, *tensors, **ctx.attrs),) + (None,) * len(tensors)

    @staticmethod
    def infer(x, *tensors, basic, advanced):
        return Spec(_indexed_shape(x, tensors, basic, advanced), x.dtype)


class Slice(Index):
    """``x[index]`` with ints, slices and None only: a view of ``x``. VJP: ``g`` placed into zeros like ``x``.
    PyTorch applies the entries one by one and names the node after the last (trailing ``:`` are dropped):
    ``x[0]``, ``x[:, 0]`` SelectBackward0; ``x[None]`` UnsqueezeBackward0; ``x[0:2]`` SliceBackward0."""
    grad_fn_variant = staticmethod(lambda attrs: _LAST_ENTRY_NAMES.get(attrs["basic"][-1][0], "SliceBackward0"))


_LAST_ENTRY_NAMES = {"int": "SelectBackward0", "none": "UnsqueezeBackward0"}


class IndexGrad(Op):
    """Zeros shaped like ``x`` with ``g`` added at ``[index]`` (repeated positions add up): indexing's VJP.

    Its own VJP is indexing again: ``gg[index]``."""
    differentiable_inputs = (0,)
    saves_inputs = "the index tensors"  # at positions that vary per call: see inputs_to_save
    inputs_to_save = _index_tensors_from(2)

    @staticmethod
    def forward(xp, g, x, *tensors, basic, advanced):
        out = xp.zeros(x.shape, dtype=g.dtype)
        _write(xp, out, basic, advanced, tensors, g, accumulate=True)
        return out

    @staticmethod
    def vjp(ctx, gg):
        g, x, *tensors = ctx.inputs
        return (_index(gg, tensors, **ctx.attrs), None) + (None,) * len(tensors)

    @staticmethod
    def infer(g, x, *tensors, **attrs):
        return Spec(x.shape, g.dtype)


def _index(x, tensors, basic, advanced):
    if not basic and not advanced:
        return x
    return apply(Index if advanced else Slice, x, *tensors, basic=basic, advanced=advanced)


def getitem(input, index):
    """``x[index]``: ints, slices (any step), None, Ellipsis, integer arrays/tensors and boolean masks."""
    check_tensor("getitem", input)
    if index.__class__ is int and input.ndim and input.shape[0] is not None:  # x[i], every item of a Dataset
        if not -input.shape[0] <= index < input.shape[0]:
            raise DimensionError(f"getitem: index {index} is out of bounds for dimension 0 with size {input.shape[0]}")
        return apply(Slice, input, basic=(("int", index),), advanced=())
    basic, advanced, tensors = _encode("getitem", input, index)
    return _index(input, tensors, basic, advanced)


# ---------------------------------------------------------------------------------- x[index] = value

class IndexPut(Op):
    """A copy of ``x`` with ``value`` (broadcast) written at ``[index]``: functional ``x[index] = value``.

    d/dx: ``g`` with the written positions zeroed (they no longer depend on ``x``);
    d/dvalue: ``g[index]``, summed back to ``value``'s shape over the broadcast dims."""
    differentiable_inputs = (0, 1)
    saves_inputs = "the index tensors"  # at positions that vary per call: see inputs_to_save
    inputs_to_save = _index_tensors_from(2)

    @staticmethod
    def forward(xp, x, value, *tensors, basic, advanced):
        out = x.copy()
        IndexPut.write_into(xp, out, value, *tensors, basic=basic, advanced=advanced)
        return out

    @staticmethod
    def write_into(xp, target, value, *tensors, basic, advanced):
        """The forward's write, into the array ``target`` itself (``index_put_call``)."""
        if value.dtype != target.dtype:  # a one-value fill through a mask: its value converts as a number would
            value = xp.asarray(fill_value_as("index_put", target.dtype, value.item()))
        _write(xp, target, basic, advanced, tensors, value, accumulate=False)

    @staticmethod
    def vjp(ctx, g):
        x, value, *tensors = ctx.inputs
        need_x, need_value = ctx.needs_input_grad[:2]
        to_value = cast(sum_to_like(_index(g, tensors, **ctx.attrs), value), value.dtype) if need_value else None
        return (_fill(g, tensors, ctx.attrs, 0) if need_x else None, to_value) + (None,) * len(tensors)

    @staticmethod
    def infer(x, value, *tensors, **attrs):
        return x


class IndexFill(Op):
    """A copy of ``x`` with the constant ``value`` (a number or nested tuple) written at ``[index]``.
    d/dx: ``g`` with the written positions zeroed."""
    name = "IndexPut"
    differentiable_inputs = (0,)
    saves_inputs = "the index tensors"  # at positions that vary per call: see inputs_to_save
    inputs_to_save = _index_tensors_from(1)

    @staticmethod
    def forward(xp, x, *tensors, basic, advanced, value):
        out = x.copy()
        IndexFill.write_into(xp, out, *tensors, basic=basic, advanced=advanced, value=value)
        return out

    @staticmethod
    def write_into(xp, target, *tensors, basic, advanced, value):
        """The forward's write, into the array ``target`` itself (``index_put_call``)."""
        # (through the numbers' own dtype: an int out of x's range wraps around, as in PyTorch)
        _write(xp, target, basic, advanced, tensors, xp.asarray(value).astype(target.dtype, copy=False),
               accumulate=False)

    @staticmethod
    def vjp(ctx, g):
        tensors = ctx.inputs[1:]
        return (_fill(g, tensors, ctx.attrs, 0),) + (None,) * len(tensors)

    @staticmethod
    def infer(x, *tensors, **attrs):
        return x


def _fill(x, tensors, attrs, value):
    return apply(IndexFill, x, *tensors, basic=attrs["basic"], advanced=attrs["advanced"], value=value)


def index_put(input, index, value):
    """The functional form of ``x[index] = value``: a new tensor; ``value`` is broadcast and converted to x's dtype.

    As in PyTorch, a value *tensor* of another dtype is refused when the index holds index tensors (integer or
    boolean ones: a silent cast would truncate 7.9 to 7), unless it is a one-element value and the index's only
    tensor a boolean mask: that write is a fill, and the value converts as a number does (7.9 -> 7 in int64, but
    -0.5 or 300 in uint8 is refused)."""
    op, operands, attrs = index_put_call(input, index, value)
    return apply(op, *operands, **attrs)


def index_put_call(input, index, value):
    """``(op, operands, attrs)`` that ``index_put`` applies, checked. A front end whose tensor records nothing
    (an eager ``x[i] = v`` under ``no_grad``) may instead run ``op.write_into(xp, x's array, *the operands' arrays
    after x, **attrs)``: the same write, without the op's copy of the whole of x."""
    check_tensor("index_put", input)
    basic, advanced, tensors = _encode("index_put", input, index)
    index_tensors = _index_tensors_are_masks(index, advanced, tensors)
    is_number = isinstance(value, (numbers.Number, numpy.generic))
    one_value = is_number or is_tensor(value) and known(value.shape) and math.prod(value.shape) == 1
    fill = one_value and index_tensors == [True]  # one value through a lone mask: PyTorch's masked_fill_
    if fill and tensors and tensors[0].dtype == dtypes.uint8:  # (a constant array mask is bool)
        raise DtypeError("index_put: masked_fill_ only supports boolean masks, but got mask with dtype uint8 "
                         "(a uint8 mask writing one value, as in PyTorch; use a bool mask)")
    if not is_tensor(value):
        if not isinstance(value, (bool, int, float, complex, numpy.generic, numpy.ndarray, list, tuple)):
            raise TypeError(f"index_put: value must be a tensor or a number, got {type(value).__name__}")
        if is_number:  # a number the tensor cannot hold is refused
            value = fill_value_as("index_put", input.dtype, value)
        value = _frozen(numpy.asarray(value).tolist())
        return IndexFill, (input,) + tuple(tensors), {"basic": basic, "advanced": advanced, "value": value}
    if index_tensors and value.dtype != input.dtype and not fill:
        raise DtypeError(f"index_put: Index put requires the source and destination dtypes match, got {input.dtype} "
                         f"for the destination and {value.dtype} for the source ({describe(value)})")
    target = _indexed_shape(input, tensors, basic, advanced)
    lead = value.ndim - len(target)
    if lead > 0 and all(n == 1 for n in value.shape[:lead]):  # numpy and PyTorch ignore leading 1s of value
        value = squeeze(value, tuple(range(lead)))
    fits = value.ndim <= len(target) and all(a in (1, b) for a, b in zip(value.shape[::-1], target[::-1]))
    if known(target) and known(value.shape) and not fits:
        raise OpError(f"index_put: shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast "
                      f"to indexing result of shape {list(target)}")
    # a fill keeps its value's dtype up to IndexPut's write, which converts it as a number (with the range check)
    value = value if fill else cast(value, input.dtype)
    return IndexPut, (input, value) + tuple(tensors), {"basic": basic, "advanced": advanced}


def _index_tensors_are_masks(index, advanced, tensors):
    """One entry per index tensor that PyTorch builds for ``x[index]``: True for a mask (bool or uint8) of one or
    more dims, False for positions. A 0-d bool (``x[True, m]``) becomes positions there too, and a lone Python
    bool builds none (``x[True] = v`` writes into ``x.unsqueeze(0)``)."""
    if isinstance(index, (bool, numpy.bool_)):
        return []
    tensors, masks = iter(tensors), []
    for entry in advanced:
        if entry == _ALL:
            continue
        if entry[0] == "array":
            shape, dtype = _array_spec(entry)
        else:
            tensor = next(tensors)
            shape, dtype = tensor.shape, tensor.dtype
        masks.append(_is_mask(dtype) and len(shape) > 0)
    return masks


def index_select(input, dim, index):
    """The slices of ``input`` at positions ``index`` (a 1-d integer tensor) along ``dim``: ``x[..., index, ...]``."""
    check_tensor("index_select", input)
    check_index_tensor("index_select", index)
    if index.ndim > 1:
        raise OpError(f"index_select: index is supposed to be a vector (0-d or 1-d), got {describe(index)}")
    from .gather import in_bounds  # (gather comes after indexing in the import order)
    dim = normalize_dim("index_select", dim, input.ndim)
    if input.ndim == 0:  # a scalar is a one-element vector here, and its one element comes back as a scalar
        if index.shape and index.shape[0] is not None and index.shape[0] != 1:
            raise OpError(f"index_select(): Index to scalar can have only 1 value, got {index.shape[0]} value(s)")
        return reshape(index_select(reshape(input, (1,)), 0, index), ())
    return getitem(input, (slice(None),) * dim + (in_bounds("index_select", reshape(index, (-1,)), input, dim),))


def check_index_tensor(op_name, index, what="index"):
    """Positions must come as an integer tensor."""
    if not is_tensor(index):
        raise TypeError(f"{op_name}: {what} must be a tensor of integers, got {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise DtypeError(f"{op_name}: expected an integer (int64) tensor for {what}, got {describe(index)}")


# gather, scatter, scatter_add and one_hot live in gather.py, scatter_reduce in scatter_reduce.py (they build on the
# helpers above); re-exported so ``ops`` has them
from .gather import gather, one_hot, scatter, scatter_add  # noqa: E402
from .scatter_reduce import scatter_reduce  # noqa: E402
