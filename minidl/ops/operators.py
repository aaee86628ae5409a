"""Python operators (``+``, ``@``, ``<``, ``[]`` ...) as op calls, for any front-end's tensor class."""

#: operator -> op function name
OPERATORS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div", "__floordiv__": "floor_divide",
    "__mod__": "remainder", "__pow__": "pow", "__neg__": "neg", "__abs__": "abs", "__matmul__": "matmul",
    "__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge",
    "__and__": "logical_and", "__or__": "logical_or", "__xor__": "logical_xor", "__invert__": "logical_not",
    "__getitem__": "getitem",
}
#: reflected operator (``2 * t`` calls ``t.__rmul__(2)``) -> op function name, called with swapped arguments
REFLECTED = {
    "__radd__": "add", "__rsub__": "sub", "__rmul__": "mul", "__rtruediv__": "div", "__rfloordiv__": "floor_divide",
    "__rmod__": "remainder", "__rpow__": "pow", "__rmatmul__": "matmul", "__rand__": "logical_and",
    "__ror__": "logical_or", "__rxor__": "logical_xor",
}


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    method.__name__ = "__r" + fn.__name__ + "__"
    return method


def bind_operators(cls, skip=()):
    """Give ``cls`` every operator whose op exists in ``minidl.ops`` (except those in ``skip``)."""
    from .. import ops
    available = set(ops.__all__)
    for name, op_name in OPERATORS.items():
        if name not in skip and op_name in available:
            setattr(cls, name, getattr(ops, op_name))
    for name, op_name in REFLECTED.items():
        if name not in skip and op_name in available:
            setattr(cls, name, _reflected(getattr(ops, op_name)))
    cls.__pos__ = lambda self: self
