"""Python operators (``+``, ``@``, ``<``, ``[]`` ...) as op calls, for any front-end's tensor class.

``& | ^ ~`` are the *bitwise* ops, as in PyTorch: on bool tensors (masks) they are logical and/or/xor/not, on
integer tensors they act on the bits (``6 & 3 == 2``), and floats refuse them."""

#: operator -> op function name
OPERATORS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div", "__floordiv__": "floor_divide",
    "__mod__": "remainder", "__pow__": "pow", "__neg__": "neg", "__abs__": "abs", "__matmul__": "matmul",
    "__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge",
    "__and__": "bitwise_and", "__or__": "bitwise_or", "__xor__": "bitwise_xor", "__invert__": "bitwise_not",
    "__lshift__": "bitwise_left_shift", "__rshift__": "bitwise_right_shift", "__getitem__": "getitem",
}
#: reflected operator (``2 * t`` calls ``t.__rmul__(2)``) -> op function name, called with swapped arguments
REFLECTED = {
    "__radd__": "add", "__rsub__": "sub", "__rmul__": "mul", "__rtruediv__": "div", "__rfloordiv__": "floor_divide",
    "__rmod__": "remainder", "__rpow__": "pow", "__rmatmul__": "matmul", "__rand__": "bitwise_and",
    "__ror__": "bitwise_or", "__rxor__": "bitwise_xor", "__rlshift__": "bitwise_left_shift",
    "__rrshift__": "bitwise_right_shift",
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
