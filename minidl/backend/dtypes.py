"""dtypes and PyTorch's type-promotion rules.

The op library works with ``numpy.dtype`` objects. Each front-end hands its users dtype objects of its own that
stand for them — ``minidl.eager.float32`` (PyTorch's ``torch.dtype``, ``eager/element_types.py``) and graph mode's
``tf.float32`` (``graph/dtypes.py``) — and both hold their numpy dtype as ``.dtype``, compare equal to it and hash
like it, so every function here takes either.

Promotion follows PyTorch, which differs from numpy in two ways a learner will meet:

* categories rank ``bool < integer < floating < complex``; a higher category wins outright, so
  ``int64 + float32 -> float32`` (numpy says float64);
* operands come in three priority classes — tensors with dimensions, zero-dimensional tensors, and Python
  numbers — and a lower class only changes the result if it is of a *higher category*. So
  ``float32_tensor * 2.5`` stays float32, and ``int_tensor * 2.5`` becomes the default float dtype.
"""
import builtins

import numpy

bool_ = numpy.dtype("bool")
uint8 = numpy.dtype("uint8")
int8 = numpy.dtype("int8")
int16 = numpy.dtype("int16")
int32 = numpy.dtype("int32")
int64 = numpy.dtype("int64")
float16 = numpy.dtype("float16")
float32 = numpy.dtype("float32")
float64 = numpy.dtype("float64")
complex64 = numpy.dtype("complex64")
complex128 = numpy.dtype("complex128")

# PyTorch's aliases
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

_default_float = float32

#: PyTorch's names of the dtypes, as its messages spell them ("expected Float but got Long")
_TORCH_NAMES = {float16: "Half", float32: "Float", float64: "Double", complex64: "ComplexFloat",
                complex128: "ComplexDouble", int8: "Char", int16: "Short", int32: "Int", int64: "Long", uint8: "Byte",
                bool_: "Bool"}


def torch_name(dtype):
    """PyTorch's name of ``dtype`` in its error messages (``Float`` for float32), else numpy's."""
    dtype = numpy.dtype(dtype)
    return _TORCH_NAMES.get(dtype, dtype.name)

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_COMPLEX_OF = {float16: complex64, float32: complex64, float64: complex128}
_REAL_OF = {complex64: float32, complex128: float64}


def get_default_dtype():
    return _default_float


def set_default_dtype(dtype):
    """Set the dtype that Python floats and float factories produce (float32 or float64, like PyTorch)."""
    global _default_float
    dtype = numpy.dtype(dtype)
    if dtype not in (float32, float64, float16):
        raise TypeError(f"set_default_dtype only supports floating point dtypes, got {dtype}")
    _default_float = dtype


def category(dtype):
    """0 for bool, 1 for integers, 2 for floating point, 3 for complex."""
    return _CATEGORY[dtype.kind]


def is_floating_point(dtype):
    return dtype.kind == "f"


def is_complex(dtype):
    return dtype.kind == "c"


def is_differentiable(dtype):
    """Only floating point and complex values carry gradients."""
    return dtype.kind in "fc"


def to_real(dtype):
    """complex64 -> float32, complex128 -> float64; real dtypes unchanged."""
    return _REAL_OF.get(dtype, dtype)


def to_complex(dtype):
    """float32 -> complex64, float64 -> complex128; complex unchanged."""
    return dtype if dtype.kind == "c" else _COMPLEX_OF.get(dtype, complex64)


def promote_types(a, b):
    """PyTorch's ``promote_types``: the higher category wins; within a category the wider type wins."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca == cb:
        return numpy.promote_types(a, b)
    high, low = (a, b) if ca > cb else (b, a)
    if high.kind == "c" and low.kind == "f" and low.itemsize * 2 > high.itemsize:
        return complex128  # complex64 with float64 keeps float64's precision
    return high


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number: bool, int64, the default float, or its complex."""
    if isinstance(value, (bool, numpy.bool_)):
        return bool_
    if isinstance(value, (builtins.int, numpy.integer)):
        return int64
    # numpy float scalars count as Python numbers (PyTorch's "wrapped numbers"): only their category matters
    if isinstance(value, (builtins.float, numpy.floating)):
        return _default_float
    if isinstance(value, (complex, numpy.complexfloating)):
        return _COMPLEX_OF[_default_float]
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _combine(higher, lower):
    """Merge the result of a lower-priority class into a higher one (PyTorch's ``combine_categories``)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "c":
        return higher
    if lower.kind == "c":
        return _COMPLEX_OF[higher] if higher.kind == "f" else lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def _has_dims(tensor):
    """Whether a tensor has dims, for promotion. A graph tensor of unknown rank (from a placeholder made without a
    shape) refuses to tell its ``ndim``; it counts as having dims, so that its dtype is never overruled."""
    try:
        return tensor.ndim > 0
    except ValueError:
        return True


def result_type(*operands):
    """The dtype of ``op(*operands)`` for tensors (anything with ``.dtype`` and ``.ndim``) and Python numbers."""
    dims = zero_dims = numbers = None
    for x in operands:
        dt = getattr(x, "dtype", None)
        if dt is None or isinstance(x, numpy.generic):  # numpy scalars count as numbers (see scalar_dtype)
            s = scalar_dtype(x)
            numbers = s if numbers is None else promote_types(numbers, s)
        elif _has_dims(x):
            dims = dt if dims is None else promote_types(dims, dt)
        else:
            zero_dims = dt if zero_dims is None else promote_types(zero_dims, dt)
    return _combine(dims, _combine(zero_dims, numbers))


def can_cast(from_dtype, to_dtype):
    """PyTorch's rule for in-place results: never to a lower category (float into int, complex into float)."""
    return _category(from_dtype) <= _category(to_dtype)


def _category(dtype):
    """0 bool, 1 integer, 2 float, 3 complex: the order of promotion; other dtypes (strings) have none."""
    kind = getattr(dtype, "kind", None)
    category = _CATEGORY.get(kind if kind is not None else as_dtype(dtype).kind)
    if category is None:
        raise UnknownDtypeError(f"{dtype} is not a dtype tensors compute with (expected a bool, integer, float or "
                                f"complex dtype)")
    return category


# where PyTorch's and TensorFlow's names mean another width than numpy's: "float" is float32 there, float64 here
_FRAMEWORK_NAMES = {"float": float32, "double": float64, "half": float16}


def as_dtype(dtype):
    """Accept a numpy dtype, a dtype name ("float" is float32, "double" float64, "half" float16, as in PyTorch and
    TensorFlow), a Python type (float, int, bool, complex), or graph mode's ``tf.DType`` (``tf.float32``)."""
    if dtype is builtins.float:
        return _default_float
    if isinstance(dtype, str) and dtype in _FRAMEWORK_NAMES:
        return _FRAMEWORK_NAMES[dtype]
    # numpy.dtype() also reads any object's ``dtype`` attribute: a tf.DType holds its numpy dtype there
    try:
        return numpy.dtype(dtype)
    except TypeError:
        if getattr(type(dtype), "dtype", None) is not None:  # a dtype object that says itself why it has no numpy
            raise                                              # dtype (complex32)
        raise UnknownDtypeError(f"invalid dtype: {dtype!r} names no dtype (expected one such as float32, int64 or "
                                f"bool: a dtype object, its name, or a Python type)") from None


class UnknownDtypeError(TypeError, ValueError):
    """A dtype argument that names no dtype: a TypeError (TensorFlow raises one) and a ValueError (PyTorch's)."""
