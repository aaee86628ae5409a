"""Tensor methods and operators that are just ops: ``x.exp()`` is ``ops.exp(x)``, ``x + y`` is ``ops.add(x, y)``.

Binding the op functions themselves as methods costs nothing per call (no wrapper in between). Methods whose
PyTorch signature differs from the op's (``x.view(2, 3)`` with varargs) get a small adapter here. Every
out-of-place method ``name`` with an in-place twin gets ``name_`` (``x.add_(y)``), which runs the op and writes
the result into ``x`` (see ``Tensor._inplace``).
"""
from .. import ops
from .tensor import Tensor

# method name -> op function (same name unless given)
_SAME_NAME = [
    "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "neg", "negative", "pow",
    "multiply", "subtract", "divide",
]
_RENAMED = {
}
_OPERATORS = {
    "__add__": ops.add, "__sub__": ops.sub, "__mul__": ops.mul, "__truediv__": ops.div,
    "__floordiv__": ops.floor_divide, "__mod__": ops.remainder, "__pow__": ops.pow, "__neg__": ops.neg,
}
_REFLECTED = {
    "__radd__": ops.add, "__rsub__": ops.sub, "__rmul__": ops.mul, "__rtruediv__": ops.div,
    "__rfloordiv__": ops.floor_divide, "__rmod__": ops.remainder, "__rpow__": ops.pow,
}
_IN_PLACE = [
    "add", "sub", "mul", "div", "floor_divide", "remainder", "neg", "pow",
]
_IN_PLACE_OPERATORS = {
    "__iadd__": ops.add, "__isub__": ops.sub, "__imul__": ops.mul, "__itruediv__": ops.div,
    "__ifloordiv__": ops.floor_divide, "__imod__": ops.remainder, "__ipow__": ops.pow,
}


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    method.__name__ = fn.__name__
    return method


def _in_place(fn):
    def method(self, *args, **kwargs):
        return self._inplace(fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of ``{fn.__name__}``: the result is written into this tensor."
    return method


def _bind():
    for name in _SAME_NAME:
        setattr(Tensor, name, getattr(ops, name))
    for name, fn in _RENAMED.items():
        setattr(Tensor, name, fn)
    for name, fn in _OPERATORS.items():
        setattr(Tensor, name, fn)
    for name, fn in _REFLECTED.items():
        setattr(Tensor, name, _reflected(fn))
    for name in _IN_PLACE:
        setattr(Tensor, name + "_", _in_place(getattr(ops, name)))
    for name, fn in _IN_PLACE_OPERATORS.items():
        setattr(Tensor, name, _in_place(fn))
    Tensor.__pos__ = lambda self: self


_bind()
