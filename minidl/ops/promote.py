"""Bring the operands of an elementwise op to one dtype, following PyTorch's promotion rules."""
import functools
import math

import numpy

from ..backend import dtypes
from .base import DtypeError, OpError, _converters, _frontends, describe, frontend_of
from .cast import cast

_NUMBER_TYPES = (bool, int, float, complex, numpy.generic)


def check_operand(op_name, value, operands=()):
    """Accept tensors and Python/numpy numbers; an array or list beside a tensor whose front-end converts it
    becomes that kind of tensor (TF1 converts both; PyTorch only arrays); anything else is a TypeError."""
    if isinstance(value, _NUMBER_TYPES) or frontend_of((value,)) is not None:
        return value
    convert = _converters.get(frontend_of(operands))
    converted = convert(value, operands) if convert is not None and isinstance(value, (numpy.ndarray, list, tuple)) \
        else None
    if converted is not None:
        return converted
    raise TypeError(f"{op_name}: expected a tensor or a number, got {type(value).__name__} ({describe(value)}); "
                    "make it a tensor first")


def promote(op_name, *operands, dtype=None):
    """Cast tensors to the common dtype and turn numbers into numpy scalars of it.

    Returns ``(dtype, operands)``. Numbers become numpy scalars, which numpy and cupy both accept and which never
    require grad.
    """
    operands = [check_operand(op_name, x, operands) for x in operands]
    if dtype is None:
        dtype = dtypes.result_type(*operands)
    out = []
    for x in operands:
        xdt = getattr(x, "dtype", None)
        if xdt is None or isinstance(x, numpy.generic):
            out.append(number_as(dtype, x))
        else:
            out.append(x if xdt == dtype else cast(x, dtype))
    return dtype, out


def number_as(dtype, value):
    """A number as a numpy scalar of ``dtype``. An int out of a small integer dtype's range wraps around, as
    PyTorch's cast does (a uint8 tensor + 300 adds 44); numpy would raise OverflowError."""
    try:
        return dtype.type(value)
    except OverflowError:
        if dtype.kind not in "iu":
            raise
        return numpy.array(value, dtype=numpy.int64 if value < 0 else numpy.uint64).astype(dtype)[()]


def check_fits(name, values, dtype):
    """Refuse numbers that ``dtype`` cannot hold, as PyTorch's ``checked_convert`` does, instead of letting numpy
    wrap them around (300 -> 44 in uint8) or turn them into nonsense (2**63 -> -2**63 in int64).

    An integer dtype holds ``[min, max]`` of its type, and no NaN or ±inf; an unsigned one also takes negative
    integers down to ``-max``, which wrap (-1 -> 255 in uint8: PyTorch's allowance for ``a - b`` arithmetic), but
    no negative float. A float dtype holds inf, NaN and the finite numbers up to its largest in magnitude. A real
    dtype holds no complex number with a non-zero imaginary part; bool holds any number (it is True unless 0).
    ``values``: a numpy array of the numbers (of a number kind, or objects: Python ints beyond 64 bits)."""
    if values.dtype.kind == "c":
        if dtype.kind not in "cb" and (values.imag != 0).any():
            raise OpError(f"{name}: value cannot be converted to type {dtype} without overflow: a complex number "
                          f"with a non-zero imaginary part has no {dtype} value")
        values = values.real
    if dtype.kind == "f" and values.dtype.kind == "f":
        values = values[numpy.isfinite(values)]
    if values.size == 0 or dtype.kind not in "iuf" or values.dtype.kind not in "iufO":
        return
    if dtype.kind == "f":
        high = float(numpy.finfo(dtype).max)
        low, held = -high, f"the finite values of {dtype} lie in [{-high}, {high}]"
    else:
        info = numpy.iinfo(dtype)
        high, held = int(info.max), f"{dtype} holds [{info.min}, {info.max}]"
        low = int(info.min)
        if dtype.kind == "u" and values.dtype.kind != "f":
            low, held = -high, held + f", and negative integers down to {-high} wrap around"
    # the extremes as Python numbers (exact for any integer), where NaN fails both comparisons
    for v in numpy.array([values.min(), values.max()], dtype=values.dtype).tolist():
        if not low <= v <= high:
            raise OpError(f"{name}: value cannot be converted to type {dtype} without overflow: {v} ({held})")


def fill_value_as(op_name, dtype, value):
    """A number written into a tensor of ``dtype`` — a fill, a clamp bound, a masked or indexed value — as a numpy
    scalar of ``dtype``. Unlike arithmetic's operands (``number_as``: uint8 + 300 adds 44, as PyTorch's does), a
    value the dtype cannot hold is refused (``check_fits``), as PyTorch refuses it."""
    if value.__class__ is int or value.__class__ is float:  # the usual case, checked without building arrays
        low, high = _held(dtype)
        if low <= value <= high or (dtype.kind == "f" and not math.isfinite(value)):
            return number_as(dtype, value)
    check_fits(op_name, numpy.asarray(value), dtype)
    if dtype.kind not in "cb" and isinstance(value, (complex, numpy.complexfloating)):
        value = value.real  # (its imaginary part is 0: checked)
    return number_as(dtype, value)


@functools.lru_cache(maxsize=None)
def _held(dtype):
    """``(low, high)``: the finite numbers ``dtype`` surely holds (for unsigned types [0, max]: the negative ones
    that wrap are left to ``check_fits``); none for other kinds."""
    if dtype.kind == "f":
        largest = float(numpy.finfo(dtype).max)
        return -largest, largest
    if dtype.kind in "iu":
        info = numpy.iinfo(dtype)
        return int(info.min), int(info.max)
    return math.inf, -math.inf


def promote_pair(op_name, a, b):
    """``promote`` for the two operands of a binary op, with the common cases answered first.

    Same-dtype tensors, and a tensor with a Python number that cannot change its dtype (a float with a floating
    tensor, an int with any non-bool tensor), need no promotion machinery; everything else takes ``promote``.
    """
    ta, tb = a.__class__, b.__class__
    try:
        if ta in _frontends:
            if tb in _frontends:
                dtype_a, dtype_b = a.dtype, b.dtype
                if dtype_a is dtype_b or dtype_a == dtype_b:
                    return a, b
            elif tb is float or tb is int:
                kind = a.dtype.kind
                if kind in "fc" or (tb is int and kind in "iu"):
                    return a, a.dtype.type(b)
            elif isinstance(b, numpy.generic) and b.dtype is _numpy_dtype(a.dtype):  # a VJP's promoted constant
                return a, b
        elif tb in _frontends:
            if ta is float or ta is int:
                kind = b.dtype.kind
                if kind in "fc" or (ta is int and kind in "iu"):
                    return b.dtype.type(a), b
            elif isinstance(a, numpy.generic) and a.dtype is _numpy_dtype(b.dtype):
                return a, b
    except OverflowError:  # an int out of a small integer dtype's range: ``promote`` wraps it around
        pass
    return promote(op_name, a, b)[1]


def _numpy_dtype(dtype):
    """The numpy dtype a front-end's dtype object stands for (it holds it as ``.dtype``), or ``dtype`` itself."""
    return getattr(dtype, "dtype", dtype)


# the names PyTorch's messages give dtypes (its C++ scalar types)
_TORCH_TYPE_NAMES = {"float64": "double", "float32": "float", "float16": "half", "int64": "long int", "int32": "int",
                     "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
                     "complex64": "complex<float>", "complex128": "complex<double>"}


def c_type_name(dtype):
    """The name PyTorch's messages give ``dtype`` (its C++ scalar type: "float", "long int", "unsigned char")."""
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


#: the dtype a front-end casts the float16/float32 operands of the products to, while that is on (eager mode's
#: ``autocast``, before the op runs), or None: mixed float16/float32 operands are then fine (see below)
products_cast_to = None


def require_same_dtype(op_name, named, cast_by_autocast=False):
    """Products (matmul, linear, convolution) do not promote — in PyTorch and TensorFlow alike. Mixing float32
    weights with float64 data (numpy's default) is the classic beginner's mistake, and it is reported, with
    PyTorch's words, rather than silently computed in float64. ``named``: (name, tensor) pairs.

    ``cast_by_autocast``: the op is one whose operands autocast brings to one dtype (``products_cast_to``) before
    it runs; float16 and float32 operands may then be mixed (attention under autocast multiplies a float32
    softmax by float16 values)."""
    if cast_by_autocast and products_cast_to is not None and \
            all(_numpy_dtype(t.dtype) in (dtypes.float16, dtypes.float32) for _, t in named):
        return
    first_name, first = named[0]
    for name, t in named[1:]:
        if t.dtype != first.dtype:
            raise DtypeError(
                f"expected {first_name} and {name} to have the same dtype, but got: "
                f"{c_type_name(first.dtype)} != {c_type_name(t.dtype)} ({op_name} of {describe(first)} and "
                f"{describe(t)}; convert one of them, e.g. with .float(): numpy's float arrays are float64)")
