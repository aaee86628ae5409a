"""Sparse updates of a variable in place: ``tf.scatter_update``, ``tf.scatter_add`` ... and ``tf.scatter_nd_update``.

``tf.scatter_add(ref, indices, updates)`` changes only the rows of the variable ``ref`` that ``indices`` names::

    ref[indices[i...], ...] += updates[i..., ...]        updates.shape == indices.shape + ref.shape[1:]

(or ``updates`` is one number, used for every row). ``indices`` is int32/int64 of any rank and names rows, the
first dim of ``ref``. The others: ``scatter_update`` (=), ``scatter_sub`` (-=), ``scatter_mul`` (*=),
``scatter_div`` (/=), ``scatter_max`` and ``scatter_min`` (keep the larger / smaller). A row named twice gets every
update combined into it (two ``+= 1`` add 2, two ``*= 3`` multiply by 9); ``scatter_update`` then keeps one of the
values, which one is undefined (as in TF). The ``scatter_nd_*`` forms name slices by coordinates instead, as
``tf.gather_nd`` reads them: ``indices[..., k]`` holds k coordinates into the first k dims of ``ref``.

The result is the variable's value after the update (TF1 returns the variable itself, which reads the same), so
``sess.run(tf.scatter_add(v, [0], [1.0]))`` both updates and shows the new value. Like ``tf.assign``, the op
names its variable in an attribute rather than taking it as an input (variables.py says why), and it reads,
combines and writes in one step, so two scatters into one variable in one run both land. The combining is the
op library's (``scatter``, ``scatter_reduce``, ``tensor_scatter_nd_*``); these ops only read and write the
session's state around it. As in TF, no gradient flows through a state update.

An index outside [0, rows) is an ``InvalidArgumentError`` when the op runs ("indices[1] = 7 is not in [0, 5)");
TF has no negative indices.
"""
import numpy

from ..ops.base import Spec
from ..ops.gather import Scatter
from ..ops.nd_indexing import TensorScatterNdAdd, TensorScatterNdUpdate
from ..ops.scatter_reduce import ScatterReduce
from . import errors
from .core import as_spec_shape
from .frontend import _graph_for
from .graph_ops import GraphOp
from .math_ops import check_dtype, graph_tensor, to_tensor
from .variables import Variable

#: how each first-dim scatter combines the values sent to a row, as the op library's scatter_reduce names it
_REDUCTIONS = {"add": "sum", "sub": "sum", "mul": "prod", "max": "amax", "min": "amin"}


def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _combine_rows(xp, mode, current, index, updates):
    """``current`` with the rows ``index`` names combined with ``updates`` (mode: "update", "add", ...), computed by
    the op library's forwards on ``current`` seen as a matrix [rows, rest]."""
    rows = current.reshape(current.shape[0], -1)
    flat = index.reshape(-1)
    values = xp.broadcast_to(updates, index.shape + current.shape[1:]).reshape(flat.size, rows.shape[1])
    at = xp.broadcast_to(flat[:, None], values.shape)  # the row of each value; its column is its own
    if mode == "update":
        out = Scatter.forward(xp, rows, at, values, dim=0)
    elif mode == "div":
        # dividing by each value in turn is dividing by their product
        divisor = ScatterReduce.forward(xp, xp.ones_like(rows), at, values, dim=0, reduce="prod", include_self=True)
        if rows.dtype.kind in "iu":  # TF divides integers as C does: truncating toward zero
            out = (xp.abs(rows) // xp.abs(divisor)) * xp.sign(rows) * xp.sign(divisor)
        else:
            out = rows / divisor
    else:
        out = ScatterReduce.forward(xp, rows, at, -values if mode == "sub" else values, dim=0,
                                    reduce=_REDUCTIONS[mode], include_self=True)
    return out.reshape(current.shape)


def _combine_nd(xp, mode, current, index, updates):
    """``current`` with the slices at the coordinates in ``index`` set to / added with / reduced by ``updates``."""
    values = xp.broadcast_to(updates, index.shape[:-1] + current.shape[index.shape[-1]:])
    if mode == "update":
        return TensorScatterNdUpdate.forward(xp, current, index, values)
    return TensorScatterNdAdd.forward(xp, current, index, -values if mode == "sub" else values, batch_dims=0)


class ScatterUpdateOp(GraphOp):
    """Reads the variable (attr ``variable``), combines the rows (or, with attr ``nd``, the slices) its input
    ``indices`` names with the input ``updates`` as attr ``mode`` says, stores and outputs the result."""
    name = "ScatterUpdate"
    writes_state = True

    @staticmethod
    def execute(session, operation, arrays):
        index, updates = arrays
        attrs = operation.attrs
        variable = attrs["variable"]
        current = session.variable_value(variable)
        xp = session.array_module
        if attrs["nd"]:
            new = _combine_nd(xp, attrs["mode"], current, index, updates)
        else:
            host = numpy.asarray(index.tolist()).reshape(-1)  # a few integers: check them on the host
            bad = numpy.flatnonzero((host < 0) | (host >= current.shape[0]))
            if bad.size:
                raise errors.InvalidArgumentError(
                    None, operation, f"indices[{bad[0]}] = {host[bad[0]]} is not in [0, {current.shape[0]})")
            new = _combine_rows(xp, attrs["mode"], current, index, updates)
        session.set_variable_value(variable, new)
        return (new,)


def _expected_updates_shape(ref, index, nd):
    """``indices.shape + ref.shape[1:]`` (nd: ``indices.shape[:-1] + ref.shape[k:]``), or None if unknown."""
    if not (ref.shape.rank_known and index.shape.rank_known):
        return None
    if not nd:
        return tuple(index.shape) + tuple(ref.shape[1:])
    k = index.shape[-1] if len(index.shape) else None
    if k is None:
        return None
    if k > len(ref.shape):
        raise ValueError(f"The last dimension of indices ({k}) must be at most the rank of ref "
                         f"({len(ref.shape)}); indices shape {_fmt(index.shape)}, ref shape {_fmt(ref.shape)}")
    return tuple(index.shape[:-1]) + tuple(ref.shape[k:])


def _scatter(op_type, mode, ref, indices, updates, name, nd=False):
    """Add a ScatterUpdateOp for the variable ``ref`` and return its output, the new value."""
    if not isinstance(ref, Variable):
        raise TypeError(f"'{op_type}' Op requires that input 'ref' be a mutable tensor (a tf.Variable), got "
                        f"{ref!r}")
    graph = _graph_for([ref] + [t for t in (graph_tensor(indices), graph_tensor(updates)) if t is not None])
    with graph.as_default():
        index = check_dtype(to_tensor(indices), ("int32", "int64"), "indices")
        if graph_tensor(updates) is None:
            updates = to_tensor(updates, ref.dtype)
        values = graph_tensor(updates)
        if values.dtype != ref.dtype:
            raise TypeError(f"Input 'updates' of '{op_type}' Op has type {values.dtype.name} that does not match type "
                            f"{ref.dtype.name} of argument 'ref'.")
        if nd and index.shape.rank == 0:
            raise ValueError(f"Shape must be at least rank 1 but is rank 0 for '{op_type}' (indices)")
        expected = _expected_updates_shape(ref, index, nd)
        if expected is not None and values.shape.rank_known and values.shape.rank != 0 \
                and not values.shape.is_compatible_with(expected):
            rule = "indices.shape[:-1] + ref.shape[indices.shape[-1]:]" if nd else "indices.shape + ref.shape[1:]"
            raise ValueError(f"Shapes of updates and ref are incompatible for '{op_type}': updates has shape "
                             f"{_fmt(values.shape)}, but must have {rule} = {_fmt(expected)}")
        attrs = {"variable": ref.op, "mode": mode, "nd": nd}
        operation = graph.create_op(ScatterUpdateOp, (index, values), attrs,
                                    [Spec(as_spec_shape(ref.shape), ref.dtype)], name=name or op_type)
    return operation.outputs[0]


_VERBS = {"update": "set to", "add": "plus", "sub": "minus", "mul": "times", "div": "divided by",
          "max": "replaced by the larger of themselves and", "min": "replaced by the smaller of themselves and"}


def _make(py_name, op_type, mode, nd=False):
    def scatter(ref, indices, updates, use_locking=False, name=None):
        return _scatter(op_type, mode, ref, indices, updates, name, nd)
    scatter.__name__ = scatter.__qualname__ = py_name
    where = "the slices at the coordinates in ``indices``" if nd else "the rows ``indices`` names"
    scatter.__doc__ = (f"``{op_type}``: {where} of the variable ``ref`` {_VERBS[mode]} ``updates``, when run; the "
                       f"result is the variable's new value (see the module docstring). ``use_locking`` is "
                       f"accepted; the update is one step anyway.")
    return scatter


scatter_update = _make("scatter_update", "ScatterUpdate", "update")
scatter_add = _make("scatter_add", "ScatterAdd", "add")
scatter_sub = _make("scatter_sub", "ScatterSub", "sub")
scatter_mul = _make("scatter_mul", "ScatterMul", "mul")
scatter_div = _make("scatter_div", "ScatterDiv", "div")
scatter_max = _make("scatter_max", "ScatterMax", "max")
scatter_min = _make("scatter_min", "ScatterMin", "min")
scatter_nd_update = _make("scatter_nd_update", "ScatterNdUpdate", "update", nd=True)
scatter_nd_add = _make("scatter_nd_add", "ScatterNdAdd", "add", nd=True)
scatter_nd_sub = _make("scatter_nd_sub", "ScatterNdSub", "sub", nd=True)

__all__ = ["scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div", "scatter_max", "scatter_min",
           "scatter_nd_update", "scatter_nd_add", "scatter_nd_sub"]
