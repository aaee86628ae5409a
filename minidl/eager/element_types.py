"""``torch.dtype``: a tensor's element type as an object of its own (``minidl.eager.float32``, ``x.dtype``).

PyTorch programs ask a dtype questions — ``if x.dtype.is_floating_point:``, ``x.dtype.itemsize``,
``isinstance(d, torch.dtype)``, ``dtype: torch.dtype = torch.float32`` in a signature — and print it
(``minidl.float32``, as PyTorch prints ``torch.float32``). A numpy dtype can do none of that, so the eager
front-end hands out these objects, one per element type: ``x.dtype is minidl.eager.float32``.

Underneath, a tensor's array keeps its numpy dtype, and the op library (shared with graph mode) works with numpy
dtypes. A ``dtype`` stands in for its numpy dtype wherever one is expected, as graph mode's ``tf.DType`` does: it
holds it as ``.dtype`` — the attribute through which numpy turns any object into a dtype, so
``numpy.zeros(3, dtype=minidl.eager.float32)`` works — has the numpy attributes the library reads (``kind``,
``itemsize``, ``type``, ``name``, ...), compares equal to it and hashes like it, so dicts and sets keyed by numpy
dtypes find it.
"""
import builtins

import numpy

from ..backend import dtypes as numpy_dtypes


class dtype:
    """The element type of a tensor. Not made by users: the instances are ``float32``, ``int64``, ... below."""

    __slots__ = ("dtype", "kind", "name", "type", "itemsize", "is_floating_point", "is_complex", "is_signed")

    def __init__(self, numpy_dtype):
        self.dtype = numpy_dtype
        self.kind, self.name, self.type, self.itemsize = (numpy_dtype.kind, numpy_dtype.name, numpy_dtype.type,
                                                          numpy_dtype.itemsize)
        self.is_floating_point = numpy_dtype.kind == "f"
        self.is_complex = numpy_dtype.kind == "c"
        self.is_signed = numpy_dtype.kind in "ifc"  # PyTorch: the floats and complex types are signed too

    def to_real(self):
        """complex64 -> float32, complex128 -> float64; a real dtype is its own real dtype."""
        return of(numpy.empty(0, self.dtype).real.dtype)

    def to_complex(self):
        """float32 (and float16) -> complex64, float64 -> complex128; a complex dtype is its own."""
        if self.is_complex:
            return self
        if not self.is_floating_point:
            raise RuntimeError(f"to_complex() is defined for floating point dtypes, not {self}")
        return complex128 if self.dtype == numpy.float64 else complex64

    def __getattr__(self, name):  # the rest of numpy's dtype attributes (str, char, byteorder, ...)
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.dtype, name)

    def __eq__(self, other):
        if other.__class__ is dtype:
            return self is other
        try:
            return self.dtype == other  # numpy's rules: equal to numpy.float32, numpy.dtype("float32"), "float32"
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"minidl.{self.name}"

    __str__ = __repr__

    def __format__(self, spec):  # in messages (f-strings) a dtype reads as its bare name: "float32 tensors"
        return format(self.name, spec)

    def __reduce__(self):  # pickled and copied by name: the copy is the same object
        return of, (self.dtype,)


_OF_NUMPY = {}
#: the same for the native-byte-order dtypes, keyed by their scalar type (``numpy.float32``): a class hashes faster
#: than a numpy dtype, and ``Tensor.dtype`` asks on every op
OF_SCALAR_TYPE = {}


def of(numpy_dtype):
    """The ``dtype`` object for a numpy dtype (or anything ``numpy.dtype`` accepts)."""
    found = _OF_NUMPY.get(numpy_dtype)
    if found is None:
        numpy_dtype = numpy.dtype(numpy_dtype)
        found = _OF_NUMPY.get(numpy_dtype)
        if found is None:
            found = _OF_NUMPY[numpy_dtype] = dtype(numpy_dtype)
            if numpy_dtype.isnative:
                OF_SCALAR_TYPE.setdefault(numpy_dtype.type, found)
    return found


bool_, uint8, int8, int16, int32, int64 = (of(name) for name in ("bool", "uint8", "int8", "int16", "int32", "int64"))
float16, float32, float64, complex64, complex128 = (of(name) for name in ("float16", "float32", "float64",
                                                                          "complex64", "complex128"))


class missing_dtype(dtype):
    """A dtype PyTorch has and numpy has not: ``bfloat16``, ``complex32`` (two float16 halves). Its name exists, so
    a program can mention it (``{"bfloat16": torch.bfloat16, ...}[name]``, ``autocast(dtype=torch.bfloat16)``,
    which then warns and turns itself off); a tensor of it cannot be made, and every attempt says why."""

    def __init__(self, name, itemsize, kind="f", instead="float16 (or float32)"):  # (``.dtype`` refuses)
        self.kind, self.name, self.type, self.itemsize, self.instead = kind, name, None, itemsize, instead
        self.is_floating_point, self.is_complex, self.is_signed = kind == "f", kind == "c", True

    @property
    def dtype(self):
        raise TypeError(f"{self.name}: numpy has no {self.name} type, so minidl cannot hold {self.name} tensors; "
                        f"use {self.instead}")

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return hash(self.name)


bfloat16 = missing_dtype("bfloat16", 2)
complex32 = chalf = missing_dtype("complex32", 4, "c", "complex64")


def by_name(name):
    """The dtype called ``name`` ("float32"), one of those above: what ``load`` reads back from a file (a file's
    text never becomes an arbitrary numpy dtype)."""
    found = _BY_NAME.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(f"not a dtype minidl has: {name!r} (expected one of {', '.join(sorted(_BY_NAME))})")
    return found


_BY_NAME = {d.name: d for d in (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
                                complex128)}
# PyTorch's other names for them
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128


# ------------------------------------------------------------------------- the type rules, answered as dtypes

def as_numpy_dtype(value):
    """A dtype argument of an eager function as the numpy dtype it stands for. The Python types mean what they mean
    in PyTorch, and in numpy: ``float`` is float64, ``int`` int64, ``complex`` complex128 (the op library's
    ``as_dtype``, shared with graph mode, reads ``float`` as float32, as TensorFlow does)."""
    if value is builtins.float or value is builtins.int or value is builtins.complex:
        return numpy.dtype(value)
    found = numpy_dtypes.as_dtype(value)
    if found.kind not in "biufc" or found.char in "gG":  # numpy's strings, objects, dates, extended precision
        raise numpy_dtypes.UnknownDtypeError(
            f"invalid dtype: {value!r} is numpy's {found}, which no tensor holds (expected a tensor dtype: bool, an "
            f"integer, float or complex type such as float32, int64 or complex64)")
    return found


def get_default_dtype():
    """The dtype that Python floats and float factories produce (``set_default_dtype`` changes it)."""
    return of(numpy_dtypes.get_default_dtype())


def promote_types(type1, type2):
    """The dtype PyTorch's promotion gives two tensors of these dtypes."""
    return of(numpy_dtypes.promote_types(type1, type2))


def result_type(tensor1, tensor2):
    """The dtype of an elementwise op on these operands (tensors or numbers), by PyTorch's promotion rules."""
    return of(numpy_dtypes.result_type(tensor1, tensor2))
