"""The Python operators of graph tensors under TF1's names: ``a + b`` is an operation named ``add``.

The operators compute what the op library's functions compute (``bind_operators`` in ``ops/operators.py``, shared
with eager mode, so the VJPs, which use operators, run the same in both modes). TF1 builds each operator inside a
name scope of its own name — ``add``, ``mul``, ``truediv``, ``Greater``, ``strided_slice`` … — so ``print(a + b)``
shows ``Tensor("add:0", ...)`` and ``graph.get_tensor_by_name("model/add:0")`` finds it; here each operator is
named the same way. Three operators also compute differently: ``/`` of two integer operands divides in float64
for 32- and 64-bit integers (float32 for smaller ones), TF's ``truediv`` rule, where PyTorch's gives the default
float; ``+`` joins strings, as TF's ``Add`` does; and ``**`` is ``tf.pow`` (its gradient for the exponent, its
refusal of an integer to a negative power).
And in a program TF's rule of one dtype per op holds (TF never promotes: ``int_tensor * 0.5`` is a TypeError,
cast first), while minidl's own code keeps the op library's promotion (see ``_named``).
"""
import numbers
import sys

import numpy

from .. import ops
from ..ops.operators import OPERATORS, REFLECTED
from . import dynamic_slicing
from .core import Tensor
from .frontend import graph_of_inputs
from .math_ops import add_or_join, matching_pair, power, real_division_dtype, refuse_bool, tf_op

#: op-library function -> the name TF1 gives the operator's operation
TF_NAMES = {"add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "floor_divide": "floordiv",
            "remainder": "mod", "pow": "pow", "matmul": "matmul", "neg": "Neg", "abs": "Abs", "lt": "Less",
            "le": "LessEqual", "gt": "Greater", "ge": "GreaterEqual", "bitwise_and": "and", "bitwise_or": "or",
            "bitwise_xor": "xor", "bitwise_not": "LogicalNot", "bitwise_left_shift": "LeftShift",
            "bitwise_right_shift": "RightShift", "getitem": "strided_slice"}


def true_division(x, y):
    """TF1's ``x / y``: integer operands are converted to float first (``real_division_dtype``)."""
    dtypes_ = [getattr(v, "dtype", None) for v in (x, y)]
    tensor_dtype = next(d for d in dtypes_ if d is not None)
    if tensor_dtype.kind in "iu" and all(d.kind in "iu" if d is not None else isinstance(v, int)
                                         for d, v in zip(dtypes_, (x, y))):
        wide = real_division_dtype(tensor_dtype)
        x, y = (ops.cast(v, wide) if d is not None else float(v) for d, v in zip(dtypes_, (x, y)))
    return ops.div(x, y)


def _named(tf_name, fn, reflected):
    """The operator method: ``fn`` on (self, other) — swapped when ``reflected`` — built under ``tf_name``.

    In a program, a binary operator's operands must have one dtype, as in TF: a Python value takes the tensor's
    (an int tensor times 0.5 is TF's TypeError), and two tensors of different dtypes are a TypeError. Inside minidl
    (the op library's VJPs and compositions, written once for both modes) the operators keep the op library's
    promotion, which those are written with (``g * 0.5`` on any float, a count's int64 dividing a float sum)."""
    @tf_op(tf_name)
    def build(*operands, name=None):
        return fn(*(operands[::-1] if reflected else operands))

    def method(self, *other):
        if tf_name == "strided_slice" and not _called_from_minidl(sys._getframe(1)):
            other = (tf_index(other[0]),)
        elif not _called_from_minidl(sys._getframe(1)):
            if other:
                with graph_of_inputs((self,)).as_default():  # (a number beside x: a constant in x's graph)
                    self, other = matching_pair(tf_name, self, *other)
                other = (other,)
            if tf_name in _ARITHMETIC:
                refuse_bool(tf_name, self)
        return build(self, *other)
    return method


def tf_index(index):
    """A program's ``x[index]`` as TF1 reads it (its ``_slice_helper``): a list is a tuple, one entry per dim
    (``x[[0, 1]]`` is ``x[0, 1]``, not numpy's rows 0 and 1); an entry is an int, a slice, ``...``, ``None`` or a
    scalar integer tensor — TF's TypeError for anything else (an array, a list, a vector tensor: the gather that
    numpy's fancy indexing would do is ``tf.gather``), and for a bool (TF's ``boolean_mask``)."""
    entries = tuple(index) if isinstance(index, (list, tuple)) else (index,)
    for entry in entries:
        scalar_int = isinstance(entry, numbers.Integral) and not isinstance(entry, (bool, numpy.bool_))
        tensor = isinstance(entry, Tensor) and entry.dtype.kind in "iu" and entry.shape.rank == 0
        if not (scalar_int or tensor or entry is None or entry is Ellipsis or isinstance(entry, slice)):
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {entry!r} (for numpy's indexing "
                            f"by an array use tf.gather or tf.gather_nd; for a mask tf.boolean_mask)")
    return entries if isinstance(index, (list, tuple)) else index


#: the operators whose TF ops take numbers only (``&``, ``|``, ``^``, ``~`` and comparisons take bools)
_ARITHMETIC = {"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "Neg", "Abs", "matmul"}


def _called_from_minidl(frame):
    return frame.f_globals.get("__name__", "").startswith("minidl.")


def bind_tf_operators(cls, skip=()):
    """Give ``cls`` the operators of ``ops/operators.py``, each named as TF1 names it (and ``+x``)."""
    for table, reflected in ((OPERATORS, False), (REFLECTED, True)):
        for dunder, op_name in table.items():
            if dunder not in skip and op_name in TF_NAMES:
                fn = {"add": add_or_join, "div": true_division, "getitem": dynamic_slicing.getitem,
                      "pow": power}.get(op_name) or getattr(ops, op_name)
                method = _named(TF_NAMES[op_name], fn, reflected)
                method.__name__ = dunder
                setattr(cls, dunder, method)
    cls.__pos__ = lambda self: self


# TF1 semantics: ``==`` on graph tensors compares identity (use tf.equal for values), so tensors stay hashable
bind_tf_operators(Tensor, skip=("__eq__", "__ne__"))
