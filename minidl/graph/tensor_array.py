"""``tf.TensorArray``: a list of same-shaped tensors, filled one element at a time — typically one per iteration of
a ``tf.while_loop``, whose results it collects::

    ta = tf.TensorArray(tf.float32, size=n)
    def body(t, ta):
        return t + 1, ta.write(t, f(t))        # write returns a NEW TensorArray: keep using that one
    _, ta = tf.while_loop(lambda t, ta: t < n, body, [0, ta])
    result = ta.stack()                         # [n, ...]: the elements along a new first dim

**A value, not a container.** Here a TensorArray is an ordinary value of the graph, held in two tensors, its
*flows*:

* ``values``: the elements stacked along a first dim, ``[rows, *element_shape]``, where ``rows`` runs up to the
  last element written so far (later ones are zeros until written, and take no memory);
* ``written``: a bool vector ``[size]`` saying which elements have been written (each may be written once).

``write``, ``scatter`` and ``unstack`` are ops that compute *new* flows from the old ones, which stay unchanged,
and the TensorArray they return wraps the new flows. So ``while_loop`` carries a TensorArray like any pair of
tensors (it passes the flows through the loop and wraps the TensorArray around them again), and gradients need
nothing special — each op has its VJP, like any op:

* a read (a gather of rows) puts the gradient ``g`` of what it read back at those rows, zeros elsewhere;
* a write (a scatter of rows) gives the written value the rows of ``g`` at its indices, and the array before the
  write ``g`` with those rows zeroed (what was there was overwritten), cut back to its rows.

(TF1 keeps a TensorArray in a mutable resource, orders its ops with a dummy ``flow`` scalar, and collects the
gradients in a second TensorArray. The price of values that never change: a write copies the rows so far. When
the writes go in order, 0, 1, 2, ..., that adds up to the same O(n²) copying as growing a tensor with ``concat``.)

**Element shape.** All elements share one shape. Unless given (``element_shape=``), it is learned from the
first write — statically when the graph is built (a later write of an incompatible shape is a ValueError; all
TensorArrays made from one another share what was learned, also across a while_loop) and at run time. Until
something is written, the run-time ``values`` is only a 0-d placeholder: the array is allocated by the first
write, when the element shape is known.

TF1's run-time errors, as ``InvalidArgumentError``s with TF's messages: writing an element twice, writing out of
range (``dynamic_size=True`` grows the array instead), reading out of range, writing an element of another
shape; reading an element that was never written gives zeros if the element shape is fully known, else fails.
``clear_after_read`` is accepted, but reads never clear: a value here never changes, so reading an element twice
is fine (TF1 would fail).
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..backend.scans import add_at
from ..ops.base import Op, Spec, apply
from . import errors
from .array_ops import range as tf_range, shape
from .basics import identity, no_op
from .core import TensorShape, as_spec_shape, get_default_graph
from .dtypes import as_dtype
from .function_graph import flatten, flatten_up_to, pack
from .math_ops import cast, check_dtype, graph_tensor, to_tensor

_INDEX_TYPES = ("int32", "int64")


def _debug_shape(shape):
    """A shape the way TF's run-time messages print it: ``[2,3]``, ``<unknown>``."""
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _fail(message):
    raise errors.InvalidArgumentError(None, None, message)  # the session names the failing operation


def _positions(indices):
    """The indices as a list of Python ints (a handful of integers: read them on the host)."""
    return [int(i) for i in indices.reshape(-1).tolist()]


# ============================================================================================ the ops

class NewTensorArray(Op):
    """The flows of an empty TensorArray of ``size`` elements: ``values`` a 0-d zero of ``dtype`` (allocated by
    the first write), ``written`` all False. No gradient."""
    n_outputs = 2
    differentiable = False

    @staticmethod
    def forward(xp, size, dtype, name):
        n = int(size)
        if n < 0:
            _fail(f"TensorArray {name}: size must be non-negative, got {n}")
        return xp.zeros((), dtype=dtype), xp.zeros(n, dtype=bool)

    @staticmethod
    def infer(size, dtype, name):
        return [Spec(None, dtype), Spec((None,), dtypes.bool_)]


class TensorArrayScatter(Op):
    """Element ``indices[j]`` := ``value[j]`` for every j: new ``(values, written)`` flows (``write`` is one index).
    attrs: ``dynamic_size`` (an index past the end grows the array), ``element_shape`` (static, dims may be
    None), ``name``. VJP (module docstring): value <- ``g[indices]``; values <- ``TensorArrayScatterGrad``."""
    n_outputs = 2
    differentiable_inputs = (0, 3)

    @staticmethod
    def forward(xp, values, written, indices, value, dynamic_size, element_shape, name):
        positions, size, done = _positions(indices), written.shape[0], written.tolist()
        for i in positions:
            if i < 0 or (i >= size and not dynamic_size):
                _fail(f"TensorArray {name}: Tried to write to index {i} but array is not resizeable and size is: "
                      f"{size}")
        element = value.shape[1:]
        known = values.shape[1:] if values.ndim else element_shape
        if known is not None and (len(known) != len(element) or any(k not in (None, e) for k, e in
                                                                     zip(known, element))):
            _fail(f"TensorArray {name}: Could not write to TensorArray index {positions[0]} because the value shape "
                  f"is {_debug_shape(element)} which is incompatible with the TensorArray's inferred element shape: "
                  f"{_debug_shape(known)} (minidl keeps the elements in one array: they must all have one shape, "
                  f"whatever infer_shape says)")
        seen = set()
        for i in positions:
            if i in seen or (i < size and done[i]):
                _fail(f"TensorArray {name}: Could not write to TensorArray index {i} because it has already been "
                      f"written to.")
            seen.add(i)
        rows = max([values.shape[0] if values.ndim else 0] + [i + 1 for i in positions])
        new_values = xp.zeros((rows,) + element, dtype=value.dtype)
        if values.ndim:
            new_values[:values.shape[0]] = values
        new_values[positions] = value
        new_written = xp.zeros(max([size] + [i + 1 for i in positions]), dtype=bool)
        new_written[:size] = written
        new_written[positions] = True
        return new_values, new_written

    @staticmethod
    def vjp(ctx, g, _):
        values, written, indices, value = ctx.inputs
        need_values, _, _, need_value = ctx.needs_input_grad
        return (apply(TensorArrayScatterGrad, g, values, written, indices) if need_values else None, None, None,
                ops.getitem(g, indices) if need_value else None)

    @staticmethod
    def infer(values, written, indices, value, dynamic_size, element_shape, name):
        size = None if dynamic_size else written.shape[0]
        return [Spec(None if value.shape is None else (None,) + tuple(value.shape[1:]), value.dtype),
                Spec((size,), dtypes.bool_)]


class TensorArrayScatterGrad(Op):
    """d(array after a scatter)/d(array before), applied to ``g``: ``g`` with the scattered rows zeroed, cut to the
    rows the array had before (a 0-d zero if it had none). Linear in ``g``; its VJP scatters zero rows into
    ``gg``, which grows it back."""
    differentiable_inputs = (0,)
    saves_inputs = (1, 2, 3)

    @staticmethod
    def forward(xp, g, values, written, indices):
        if not values.ndim:
            return xp.zeros((), dtype=g.dtype)
        rows = values.shape[0]
        overwritten = [i for i in _positions(indices) if i < rows]
        if not overwritten:
            return g[:rows]  # writes past the old rows (the usual append): nothing to zero, a view is enough
        out = g[:rows].copy()
        out[overwritten] = 0
        return out

    @staticmethod
    def vjp(ctx, gg):
        g, values, written, indices = ctx.inputs
        zero_rows = ops.zeros_like(ops.getitem(g, indices))
        grown, _ = apply(TensorArrayScatter, gg, written, indices, zero_rows, dynamic_size=True, element_shape=None,
                         name="gradient")
        return grown, None, None, None

    @staticmethod
    def infer(g, values, written, indices):
        return Spec(values.shape, g.dtype)


class TensorArrayGather(Op):
    """The elements at ``indices`` (any shape), stacked: ``indices.shape + element_shape``. An element not written
    is zeros — if the element shape is known (the array is allocated, or attr ``element_shape`` is fully known).
    VJP: ``g`` put back at its rows (``TensorArrayGatherGrad``)."""
    differentiable_inputs = (0,)
    saves_inputs = (2,)

    @staticmethod
    def forward(xp, values, written, indices, element_shape, name):
        positions, size = _positions(indices), written.shape[0]
        for i in positions:
            if not 0 <= i < size:
                _fail(f"Tried to read from index {i} but array size is: {size}")
        if values.ndim:
            element, rows = values.shape[1:], values.shape[0]
        elif element_shape is not None and None not in element_shape:
            element, rows = tuple(element_shape), 0
        elif positions:
            _fail(f"TensorArray {name}: Could not read from TensorArray index {positions[0]}.  Furthermore, the "
                  f"element shape is not fully defined: {_debug_shape(element_shape)}.  If you set the full "
                  f"element_shape property on the TensorArray, the proper all-zeros tensor will be returned instead "
                  f"of incurring this error.")
        else:
            _fail(f"TensorArray {name}: TensorArray has size zero, but element shape {_debug_shape(element_shape)} is "
                  f"not fully defined. Currently only static shapes are supported when packing zero-size "
                  f"TensorArrays.")
        if positions and max(positions) < rows:
            return values[indices]
        out = xp.zeros(indices.shape + tuple(element), dtype=values.dtype)
        if rows:
            stored = indices < rows  # the rest were never written: zeros
            out[stored] = values[indices[stored]]
        return out

    @staticmethod
    def vjp(ctx, g):
        values, written, indices = ctx.inputs
        return apply(TensorArrayGatherGrad, g, values, written, indices, **ctx.attrs), None, None

    @staticmethod
    def infer(values, written, indices, element_shape, name):
        element = element_shape if element_shape is not None or values.shape is None else values.shape[1:]
        shape = None if element is None or indices.shape is None else tuple(indices.shape) + tuple(element)
        return Spec(shape, values.dtype)


class TensorArrayGatherGrad(Op):
    """Zeros shaped like ``values`` (a 0-d zero if not allocated) with ``g`` added at the rows ``indices`` names
    (a row read twice gets both). Linear in ``g``; its VJP is the gather again (the attrs are the gather's)."""
    differentiable_inputs = (0,)
    saves_inputs = (2, 3)

    @staticmethod
    def forward(xp, g, values, written, indices, element_shape, name):
        if not values.ndim:
            return xp.zeros((), dtype=g.dtype)
        out = xp.zeros(values.shape, dtype=g.dtype)
        stored = indices < values.shape[0]  # reads past the rows read zeros: nothing to give back
        add_at(xp, out, indices[stored], g[stored])
        return out

    @staticmethod
    def vjp(ctx, gg):
        g, values, written, indices = ctx.inputs
        return apply(TensorArrayGather, gg, written, indices, **ctx.attrs), None, None, None

    @staticmethod
    def infer(g, values, written, indices, element_shape, name):
        return Spec(values.shape, g.dtype)


# ====================================================================================== the TensorArray

class _Shared:
    """What all TensorArrays made from one another have in common: the arguments they were created with, their
    static size (None if only known at run time, or dynamic) and the element shape learned from the writes."""
    __slots__ = ("dtype", "dynamic_size", "infer_shape", "element_shape", "size", "name")

    def __init__(self, dtype, dynamic_size, infer_shape, element_shape, size, name):
        self.dtype, self.dynamic_size, self.infer_shape = dtype, dynamic_size, infer_shape
        self.element_shape, self.size, self.name = element_shape, size, name


def _static_int(tensor):
    """The value of a 0-d int ``tensor`` if it is known when the graph is built (a constant), else None."""
    return int(tensor.op.attrs["value"]) if tensor.op.type == "Const" else None


class TensorArray:
    """A list of ``size`` tensors of ``dtype`` and one shape, written once each (``tf.TensorArray``; see the module
    docstring). ``dynamic_size=True``: writing past the end grows it. ``element_shape``: the elements' shape, if
    known (else learned from the first write; ``infer_shape=False`` skips that static check). ``handle`` and
    ``flow`` (building one around another's state) are not supported; ``clear_after_read`` and
    ``colocate_with_first_write_call`` are accepted and have no effect.

    Each writing method returns a new TensorArray; the reading ones return tensors.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None, handle=None,
                 flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None or flow is not None:
            raise NotImplementedError("TensorArray: building a TensorArray around an existing handle or flow is not "
                                      "supported; pass TensorArrays themselves (e.g. as tf.while_loop loop_vars)")
        if size is None:
            raise ValueError("Size must be provided if handle is not provided")
        dtype = dtypes.as_dtype(dtype)
        graph = get_default_graph()
        with graph.name_scope(name or "TensorArray") as scope:
            size = cast(check_dtype(to_tensor(size, dtypes.int32), _INDEX_TYPES, "size"), dtypes.int32)
            if size.shape.rank_known and len(size.shape) != 0:
                raise ValueError(f"Shape must be rank 0 but is rank {len(size.shape)} for the size of a TensorArray")
            array_name = tensor_array_name or scope[:-1]
            values, written = apply(NewTensorArray, size, dtype=dtype, name=array_name)
        static_size = _static_int(size)
        if static_size is not None and static_size < 0:
            raise ValueError(f"TensorArray {array_name}: size must be non-negative, got {static_size}")
        static_size = None if dynamic_size else static_size
        shape = element_shape if isinstance(element_shape, TensorShape) else TensorShape(element_shape)
        self._init(_Shared(dtype, bool(dynamic_size), bool(infer_shape), shape, static_size, array_name), values,
                   written)

    def _init(self, shared, values, written):
        self._shared, self._values, self._written = shared, values, written
        if shared.size is not None:
            written.set_shape([shared.size])

    @classmethod
    def _wrap(cls, shared, values, written):
        """A TensorArray around the flows ``values`` and ``written`` (new ones, or a loop's)."""
        ta = cls.__new__(cls)
        ta._init(shared, values, written)
        return ta

    def __repr__(self):
        return f"<tf.TensorArray '{self._shared.name}' dtype={self.dtype.name} element_shape={self.element_shape}>"

    # ------------------------------------------------------------------------------------------ properties
    @property
    def dtype(self):
        return as_dtype(self._shared.dtype)  # a tf.DType, as a tensor's

    @property
    def element_shape(self):
        """The static shape of the elements, as far as it is known (learned from the writes so far)."""
        return self._shared.element_shape

    @property
    def dynamic_size(self):
        return self._shared.dynamic_size

    @property
    def flow(self):
        """The tensor holding the elements (``[rows, *element_shape]``; 0-d before the first write)."""
        return self._values

    # --------------------------------------------------------------------------------------------- writing
    def write(self, index, value, name=None):
        """A TensorArray with element ``index`` (a 0-d int) set to ``value``."""
        with get_default_graph().name_scope(name or "TensorArrayWrite"):
            value = self._checked(value, "value")
            self._learn(value.shape)
            index = self._index(index, "index", rank=0)
            return self._scatter(ops.reshape(index, [1]), ops.unsqueeze(value, 0))

    def scatter(self, indices, value, name=None):
        """A TensorArray with element ``indices[j]`` set to ``value[j]`` for each j (``indices``: a 1-D int)."""
        with get_default_graph().name_scope(name or "TensorArrayScatter"):
            value = self._rows(value)
            indices = self._index(indices, "indices", rank=1)
            if None not in (indices.shape[0], value.shape[0]) and indices.shape[0] != value.shape[0]:
                raise ValueError(f"TensorArray.scatter: {indices.shape[0]} indices but {value.shape[0]} values")
            return self._scatter(indices, value)

    def unstack(self, value, name=None):
        """A TensorArray whose element i is ``value[i]``, for every i along the first dim of ``value``."""
        with get_default_graph().name_scope(name or "TensorArrayUnstack"):
            value = self._rows(value)
            return self._scatter(tf_range(0, shape(value)[0]), value)

    def split(self, value, lengths, name=None):
        """A TensorArray whose elements are consecutive pieces of ``value`` along its first dim, of the
        ``lengths`` given (Python ints; here they must all be equal: the elements share one shape)."""
        lengths = [int(n) for n in numpy.asarray(lengths).reshape(-1)]
        if len(set(lengths)) > 1:
            raise NotImplementedError(f"TensorArray.split: minidl keeps the elements in one array, so the pieces "
                                      f"must have equal lengths; got {lengths}")
        with get_default_graph().name_scope(name or "TensorArraySplit"):
            value = self._checked(value, "value")
            if not value.shape.rank_known or len(value.shape) == 0:
                raise ValueError(f"TensorArray.split: value must be at least a vector, got shape {value.shape}")
            pieces = ops.reshape(value, [len(lengths), lengths[0] if lengths else 0] + list(value.shape[1:]))
            self._learn(pieces.shape[1:])
            return self._scatter(tf_range(0, len(lengths)), pieces)

    def _scatter(self, indices, value):
        s = self._shared
        values, written = apply(TensorArrayScatter, self._values, self._written, indices, value,
                                dynamic_size=s.dynamic_size, element_shape=as_spec_shape(s.element_shape), name=s.name)
        return TensorArray._wrap(s, values, written)

    # --------------------------------------------------------------------------------------------- reading
    def read(self, index, name=None):
        """Element ``index`` (a 0-d int)."""
        with get_default_graph().name_scope(name or "TensorArrayRead"):
            return self._gather(self._index(index, "index", rank=0))

    def gather(self, indices, name=None):
        """The elements at ``indices`` (a 1-D int), stacked along a new first dim."""
        with get_default_graph().name_scope(name or "TensorArrayGather"):
            return self._gather(self._index(indices, "indices", rank=1))

    def stack(self, name=None):
        """All the elements, stacked along a new first dim: ``[size, *element_shape]``."""
        with get_default_graph().name_scope(name or "TensorArrayStack"):
            out = self._gather(tf_range(0, self.size()))
            if self.element_shape.rank_known:
                out.set_shape([self._shared.size] + list(self.element_shape))
            return out

    def concat(self, name=None):
        """All the elements joined along their first dim: ``[size * element_shape[0], *element_shape[1:]]``."""
        with get_default_graph().name_scope(name or "TensorArrayConcat"):
            if self.element_shape.rank_known and len(self.element_shape) == 0:
                raise ValueError("Concat saw a scalar shape at index 0 but requires at least vectors.")
            stacked = self.stack()
            if not stacked.shape.rank_known:
                raise ValueError("TensorArray.concat needs the rank of the elements: give element_shape")
            return ops.flatten(stacked, 0, 1)

    def _gather(self, indices):
        s = self._shared
        return apply(TensorArrayGather, self._values, self._written, indices,
                     element_shape=as_spec_shape(s.element_shape), name=s.name)

    def size(self, name=None):
        """The number of elements (a 0-d int32; it grows with writes past the end if ``dynamic_size``)."""
        return shape(self._written)[0]

    # ------------------------------------------------------------------------------------------------ rest
    def identity(self):
        """The same elements, as new tensors (made where this is called, e.g. under control dependencies)."""
        return TensorArray._wrap(self._shared, identity(self._values), identity(self._written))

    def close(self, name=None):
        """Nothing to release here (the session frees what no op needs any more): a no-op."""
        return no_op(name=name or "TensorArrayClose")

    # ------------------------------------------------------------------------------------ checking inputs
    def _checked(self, value, what):
        """``value`` as a tensor of the array's dtype: a Python value is converted, a tensor must already be one."""
        tensor = graph_tensor(value)
        if tensor is None:
            return to_tensor(value, self.dtype)
        if tensor.dtype != self.dtype:
            raise TypeError(f"TensorArray dtype is {self.dtype.name} but Op is trying to write dtype "
                            f"{tensor.dtype.name} ({what} {tensor.name}).")
        return tensor

    def _rows(self, value):
        """``value`` checked as a stack of elements along its first dim."""
        value = self._checked(value, "value")
        if value.shape.rank_known and len(value.shape) == 0:
            raise ValueError(f"Shape must be at least rank 1 but is rank 0 for a TensorArray's value {value.name}")
        self._learn(value.shape[1:])
        return value

    def _learn(self, element_shape):
        """Check an element's static shape against what is known (TF's ValueError) and remember what it adds."""
        s = self._shared
        if not s.infer_shape:
            return
        if not element_shape.is_compatible_with(s.element_shape):
            raise ValueError(f"Inconsistent shapes: saw {element_shape} but expected {s.element_shape} (and "
                             f"infer_shape=True)")
        s.element_shape = s.element_shape.merge_with(element_shape)

    @staticmethod
    def _index(index, what, rank):
        index = check_dtype(to_tensor(index, dtypes.int32), _INDEX_TYPES, what)
        if index.shape.rank_known and len(index.shape) != rank:
            raise ValueError(f"Shape must be rank {rank} but is rank {len(index.shape)} for the {what} of a "
                             f"TensorArray ({index.shape})")
        return index


# ======================================================================= TensorArrays as loop variables

#: the shape invariants of a TensorArray's flows in a while_loop: any rows of elements of any shape, any size
FLOW_INVARIANTS = (TensorShape(None), TensorShape([None]))


def flows_of(nest):
    """``nest`` with each TensorArray replaced by the tuple of its two flow tensors (what a while_loop carries)."""
    return pack(nest, [(x._values, x._written) if isinstance(x, TensorArray) else x for x in flatten(nest)])


def with_tensor_arrays(given, expanded):
    """The inverse of ``flows_of``: ``expanded``, shaped like ``flows_of(given)``, with each tuple of flows wrapped
    as a TensorArray — one sharing what the TensorArray at that place in ``given`` knows."""
    parts = flatten_up_to(given, expanded)
    return pack(given, [TensorArray._wrap(x._shared, *part) if isinstance(x, TensorArray) else part
                        for x, part in zip(flatten(given), parts)])


__all__ = ["TensorArray"]
