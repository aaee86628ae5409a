"""``tf.sets``: set operations along the last dimension — ``intersection``, ``union``, ``difference``, ``size``
(TF1 also names them ``set_intersection``, ``set_union``, ``set_difference``, ``set_size``).

A rank-n tensor (n >= 2) holds one set per position of its first n-1 dims: the elements of its last dimension,
duplicates counting once. Dense tensors give every element of the last dimension (a 0 is an element like any
other); a ``SparseTensor`` gives only its stored entries, so its sets may have different sizes (a multi-label
example's labels). ``a`` and ``b`` must agree in all but the last dimension; the set operation is applied to each
aligned pair of sets.

The result is a ``SparseTensor`` with the same first n-1 dims, whose last dimension lists each result set in
ascending order (bytes order for strings) and is as long as the largest set; its indices are in row-major order.
``size`` gives the number of distinct stored elements per set, as an int32 tensor of the first n-1 dims (sparse
input only, as in TF). The elements are integers (int8 ... int64, uint8, uint16) or strings; nothing here is
differentiable. The work is done on the host, one Python set per position.
"""
import math
import operator
import types

import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import errors
from .core import TensorShape, get_default_graph
from .dtypes import int8, int16, int32, int64, string, uint8, uint16
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .sparse_tensor import SparseTensor, SparseTensorValue, sparse_value_of_lists

__all__ = ["sets"]

_VALID_DTYPES = (int8, int16, int32, int64, uint8, uint16, string)

#: attr ``operation`` -> how it combines the set of ``a`` with the set of ``b``
_OPERATIONS = {"a-b": operator.sub, "b-a": lambda a, b: b - a, "intersection": operator.and_, "union": operator.or_}


def _shape_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _check_sparse_indices(indices, values, shape, validate, operation, what):
    """Run-time checks of a sparse operand: indices [N, rank] within ``shape`` and, with ``validate``, strictly
    increasing in row-major order (the order TF's set ops require)."""
    def fail(message):
        return errors.InvalidArgumentError(None, operation, f"{operation.type}: {what}: {message}")
    if indices.ndim != 2 or indices.shape != (len(values), len(shape)):
        raise fail(f"indices must be [{len(values)}, {len(shape)}] (one row per value, one column per dim), got "
                   f"{_shape_text(indices.shape)}")
    outside = ((indices < 0) | (indices >= numpy.asarray(shape))).any(axis=1)
    if outside.any():
        i = int(numpy.argmax(outside))
        raise fail(f"indices[{i}] = {_shape_text(indices[i])} is out of bounds: need 0 <= index < "
                   f"{_shape_text(shape)}")
    if validate and len(indices) > 1:
        positions = numpy.ravel_multi_index(tuple(indices.T), shape)
        steps = numpy.diff(positions)
        if (steps <= 0).any():
            i = int(numpy.argmax(steps <= 0)) + 1
            problem = "repeated" if steps[i - 1] == 0 else "out of order"
            raise fail(f"indices[{i}] = {_shape_text(indices[i])} is {problem}: the indices must be sorted in "
                       f"row-major order (tf.sparse.reorder sorts them)")


def _sets_of(arrays, sparse, validate, operation, what):
    """A host operand (its dense array, or a SparseTensor's three arrays) as (the shape of its first n-1 dims, one
    Python set per position of those dims, in row-major order)."""
    if sparse:
        indices, values, dense_shape = arrays
        shape = tuple(int(d) for d in dense_shape.reshape(-1))
    else:
        (dense,) = arrays
        shape = dense.shape
    if len(shape) < 2:
        raise errors.InvalidArgumentError(None, operation, f"{operation.type}: {what} must have rank >= 2 (sets "
                                                           f"along the last dimension), got shape {_shape_text(shape)}")
    outer = shape[:-1]
    if not sparse:
        return outer, [set(row) for row in dense.reshape(math.prod(outer), shape[-1]).tolist()]
    _check_sparse_indices(indices, values, shape, validate, operation, what)
    groups = [set() for _ in range(math.prod(outer))]
    for position, value in zip(numpy.ravel_multi_index(tuple(indices[:, :-1].T), outer).tolist(), values.tolist()):
        groups[position].add(value)
    return outer, groups


class SetOperation(GraphOp):
    """Attr ``operation`` ("a-b", "b-a", "intersection" or "union") of the sets of ``a`` and ``b``, per position
    of their first n-1 dims. Inputs: ``a`` (a dense tensor, or with attr ``a_sparse`` a SparseTensor's indices,
    values and dense_shape), then ``b`` likewise. Outputs: the result SparseTensor's indices, values, dense_shape."""
    n_outputs = 3

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        host = [host_array(a) for a in arrays]
        a_parts = 3 if attrs["a_sparse"] else 1
        outer, sets_a = _sets_of(host[:a_parts], attrs["a_sparse"], attrs["validate_indices"], operation, "a")
        outer_b, sets_b = _sets_of(host[a_parts:], attrs["b_sparse"], attrs["validate_indices"], operation, "b")
        if outer != outer_b:
            raise errors.InvalidArgumentError(None, operation, f"{operation.type}: a and b must have the same shape "
                                                               f"in all but the last dimension, got "
                                                               f"{_shape_text(outer)} and {_shape_text(outer_b)}")
        combine = _OPERATIONS[attrs["operation"]]
        results = [sorted(combine(x, y)) for x, y in zip(sets_a, sets_b)]
        parts = sparse_value_of_lists(results, outer, operation.outputs[1].dtype.as_numpy_dtype)
        return tuple(session.on_device(x) for x in parts)


class SetSize(GraphOp):
    """The number of distinct stored elements per set of a SparseTensor (inputs: its indices, values and
    dense_shape), an int32 tensor of its first n-1 dims."""

    @staticmethod
    def execute(session, operation, arrays):
        outer, groups = _sets_of([host_array(a) for a in arrays], True, operation.attrs["validate_indices"],
                                 operation, "set")
        return (session.on_device(numpy.array([len(g) for g in groups], dtype=numpy.int32).reshape(outer)),)


# ------------------------------------------------------------------------------------------- building

def _operand(value, fn, what):
    """``value`` (a SparseTensor, a SparseTensorValue, or anything dense) as a SparseTensor or a graph tensor of
    one of the set ops' dtypes, with its static shape; a rank the graph knows must be >= 2."""
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        value = convert_to_tensor(value, name=what)
    if value.dtype not in _VALID_DTYPES:
        raise TypeError(f"{fn}: '{what}' has invalid dtype {value.dtype.name}, not in the supported dtypes: "
                        f"{', '.join(d.name for d in _VALID_DTYPES)}")
    shape = value.shape
    if shape.rank_known and shape.rank < 2:
        raise ValueError(f"{fn}: '{what}' must have rank >= 2 (sets along the last dimension), got shape {shape}")
    return value


def _set_operation(fn, a, b, operation, validate_indices):
    a, b = _operand(a, fn, "a"), _operand(b, fn, "b")
    if a.dtype != b.dtype:
        raise TypeError(f"{fn}: types don't match, {a.dtype.name} vs {b.dtype.name}")
    if a.shape.rank_known and b.shape.rank_known:
        if a.shape.rank != b.shape.rank:
            raise ValueError(f"{fn}: a and b must have the same rank, got shapes {a.shape} and {b.shape}")
        if not TensorShape(list(a.shape)[:-1]).is_compatible_with(TensorShape(list(b.shape)[:-1])):
            raise ValueError(f"{fn}: a and b must have the same shape in all but the last dimension, got shapes "
                             f"{a.shape} and {b.shape}")
    a_sparse, b_sparse = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    inputs = [*(a.components if a_sparse else [a]), *(b.components if b_sparse else [b])]
    rank = a.shape.rank if a.shape.rank_known else b.shape.rank if b.shape.rank_known else None
    kind = ("Sparse" if a_sparse else "Dense") + "To" + ("Sparse" if b_sparse else "Dense") + "SetOperation"
    attrs = {"operation": operation, "a_sparse": a_sparse, "b_sparse": b_sparse,
             "validate_indices": bool(validate_indices)}
    outputs = get_default_graph().create_op(
        SetOperation, inputs, attrs, [Spec((None, rank), int64), Spec((None,), a.dtype), Spec((rank,), int64)],
        name=kind).outputs
    return SparseTensor(*outputs)


def set_intersection(a, b, validate_indices=True):
    """The intersection of the sets of ``a`` and ``b`` (module docstring), as a SparseTensor."""
    return _set_operation("sets.intersection", a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True):
    """The union of the sets of ``a`` and ``b`` (module docstring), as a SparseTensor."""
    return _set_operation("sets.union", a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """The elements of each set of ``a`` not in ``b``'s (``aminusb=False``: of ``b`` not in ``a``'s), as a
    SparseTensor (module docstring)."""
    return _set_operation("sets.difference", a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_size(a, validate_indices=True):
    """The number of distinct elements of each set of the SparseTensor ``a``: an int32 tensor of its first n-1
    dims."""
    if isinstance(a, SparseTensorValue):
        a = SparseTensor.from_value(a)
    if not isinstance(a, SparseTensor):
        raise TypeError(f"sets.size: expected a SparseTensor, got {type(a).__name__}")
    a = _operand(a, "sets.size", "a")
    static = tuple(a.shape)[:-1] if a.shape.rank_known else None
    operation = get_default_graph().create_op(SetSize, list(a.components), {"validate_indices": bool(validate_indices)},
                                              [Spec(static, int32)], name="SetSize")
    return operation.outputs[0]


#: ``tf.sets`` (TF1 has both the short names and the ``set_`` ones)
sets = types.SimpleNamespace(intersection=set_intersection, union=set_union, difference=set_difference,
                             size=set_size, set_intersection=set_intersection, set_union=set_union,
                             set_difference=set_difference, set_size=set_size)
