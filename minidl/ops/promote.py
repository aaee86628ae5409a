"""Bring the operands of an elementwise op to one dtype, following PyTorch's promotion rules."""
import numpy

from ..backend import dtypes
from .base import describe, frontend_of
from .cast import cast

_NUMBER_TYPES = (bool, int, float, complex, numpy.generic)


def check_operand(op_name, value):
    """Accept tensors and Python/numpy numbers; anything else is a clear TypeError."""
    if not isinstance(value, _NUMBER_TYPES) and frontend_of((value,)) is None:
        raise TypeError(f"{op_name}: expected a tensor or a number, got {type(value).__name__} "
                        f"({describe(value)}); wrap arrays with tensor(...) first")


def promote(op_name, *operands, dtype=None):
    """Cast tensors to the common dtype and turn numbers into numpy scalars of it.

    Returns ``(dtype, operands)``. Numbers become numpy scalars, which numpy and cupy both accept and which never
    require grad.
    """
    for x in operands:
        check_operand(op_name, x)
    if dtype is None:
        dtype = dtypes.result_type(*operands)
    out = []
    for x in operands:
        xdt = getattr(x, "dtype", None)
        if xdt is None:
            out.append(dtype.type(x))
        else:
            out.append(x if xdt == dtype else cast(x, dtype))
    return dtype, out
