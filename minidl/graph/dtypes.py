"""``tf.DType``: TensorFlow 1's element types (``tf.float32``, ``x.dtype.base_dtype``, ``tf.as_dtype``).

In graph mode a dtype is a ``DType`` object, as in TF, so TF1 idioms work unchanged::

    tf.cast(x, y.dtype.base_dtype)                 # base_dtype: the dtype itself (minidl has no reference dtypes)
    if x.dtype.is_floating: ...                    # also is_integer, is_complex, is_bool, is_unsigned
    numpy.zeros(3, dtype=x.dtype.as_numpy_dtype)   # the numpy scalar type: numpy.float32
    x.dtype.max, x.dtype.size                      # the largest value, the bytes per element

Equality is TF's: a DType equals whatever ``as_dtype`` converts to it, so ``tf.float32 == numpy.float32 ==
numpy.dtype("float32") == "float32" == "float"``. It prints as TF 1.15 did: ``repr(tf.float32)`` is ``tf.float32``,
``str(tf.float32)`` (what ``print`` shows) is ``<dtype: 'float32'>``.

A DType also stands in for a numpy dtype, so that minidl's op library, shared with the eager mode, needs no
conversions: it holds its numpy dtype as ``.dtype`` — the attribute through which numpy converts any object to a
dtype, so ``numpy.zeros(3, dtype=tf.float32)`` and ``numpy.dtype(tf.float32)`` work — answers the numpy dtype
attributes the library reads (``kind``, ``itemsize``, ``type``...), and hashes like its numpy dtype, so a dict keyed
by numpy dtypes finds it. Only ``name`` differs for strings: TF's ``"string"``, where numpy says ``"object"``.

This module is also ``tf.dtypes`` (``tf.dtypes.float32``, ``tf.dtypes.as_dtype``, ``tf.dtypes.cast``).
"""
import builtins

import numpy

# TF's DataType enum numbers (types.proto: ``as_datatype_enum``) and names. Each name is also the numpy dtype that
# holds the values, except tf.string's: an object array of Python bytes (strings.py says why).
_NAMES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string", 8: "complex64",
          9: "int64", 10: "bool", 17: "uint16", 18: "complex128", 19: "float16", 22: "uint32", 23: "uint64"}


class DType:
    """The type of a tensor's elements: ``DType(type_enum)``, e.g. ``DType(1)`` is ``tf.float32``."""

    __slots__ = ("_type_enum", "name", "dtype")

    def __init__(self, type_enum):
        if type_enum not in _NAMES:
            raise TypeError(f"{type_enum!r} does not correspond to a DataType minidl has (TF's enum numbers: "
                            f"{sorted(_NAMES)})")
        self._type_enum = type_enum
        self.name = _NAMES[type_enum]
        self.dtype = numpy.dtype(object if self.name == "string" else self.name)

    # ------------------------------------------------------------------------------------------- TF's API
    @property
    def as_datatype_enum(self):
        return self._type_enum

    @property
    def base_dtype(self):
        """The dtype without "reference": itself. (TF1's variables had ``float32_ref``; here only their repr says
        so.) TF1 code writes ``x.dtype.base_dtype`` wherever it needs a plain dtype, e.g. for a cast."""
        return self

    @property
    def real_dtype(self):
        """The dtype of the real (and imaginary) part: complex64 -> float32, complex128 -> float64, else itself."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def as_numpy_dtype(self):
        """The numpy scalar type (``numpy.float32``); for tf.string ``object``, as TF gives."""
        return object if self.name == "string" else self.dtype.type

    @property
    def is_bool(self):
        return self.dtype.kind == "b"

    @property
    def is_integer(self):
        """True for the signed and unsigned integers (not for bool)."""
        return self.dtype.kind in "iu"

    @property
    def is_floating(self):
        return self.dtype.kind == "f"

    @property
    def is_complex(self):
        return self.dtype.kind == "c"

    @property
    def is_unsigned(self):
        """True if the smallest value is 0 (the uint types); False for the types without a minimum, such as bool."""
        return self.dtype.kind == "u"

    @property
    def is_numpy_compatible(self):
        """Whether numpy can hold the values: always (minidl has none of TF's resource or variant handles)."""
        return True

    @property
    def is_quantized(self):
        """Whether it is one of TF's quantized integers (qint8...): minidl has none."""
        return False

    @property
    def min(self):
        """The smallest value (a numpy float for floats, an int for integers); a TypeError for the types that are not
        ordered numbers: bool, string, complex."""
        return self._info("minimum").min

    @property
    def max(self):
        """The largest value; a TypeError for bool, string and complex, as ``min``."""
        return self._info("maximum").max

    def _info(self, which):
        if self.is_floating:
            return numpy.finfo(self.dtype)
        if self.is_integer:
            return numpy.iinfo(self.dtype)
        raise TypeError(f"Cannot find {which} value of {self}.")

    @property
    def limits(self):
        """The (min, max) intensity of an image of this dtype, as TF's image ops read it: 0 up to 1 for float32 and
        float64, up to ``max`` for integers, up to True for bool. Other dtypes are a KeyError, as in TF."""
        if self.is_integer:
            return 0, self.max
        upper = {"float32": 1, "float64": 1, "bool": True}.get(self.name)
        if upper is None:
            raise KeyError(self.as_numpy_dtype)
        return 0, upper

    @property
    def size(self):
        """Bytes per element (8 for tf.string: a reference to a Python bytes object)."""
        return self.dtype.itemsize

    def is_compatible_with(self, other):
        """Whether a tensor of dtype ``other`` (anything ``as_dtype`` takes) may stand where this dtype is wanted:
        without reference dtypes, when they are the same dtype. An unconvertible ``other`` is a TypeError."""
        return as_dtype(other)._type_enum == self._type_enum

    def __eq__(self, other):
        """Equal to a DType of the same type and to anything ``as_dtype`` converts to it; never an error."""
        if isinstance(other, DType):
            return other._type_enum == self._type_enum
        try:
            return as_dtype(other)._type_enum == self._type_enum
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        # the numpy dtype's hash (TF hashes the enum): a dict keyed by numpy dtypes then finds a DType as well
        return hash(self.dtype)

    def __reduce__(self):
        # pickling or deep-copying gives back the one shared object of each dtype
        return as_dtype, (self.name,)

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    # ---------------------------------------------------- the numpy dtype attributes minidl's op library reads
    @property
    def kind(self):
        return self.dtype.kind

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def char(self):
        return self.dtype.char

    @property
    def type(self):
        return self.dtype.type

    @property
    def str(self):
        return self.dtype.str


# One shared DType per type, as TF has (``as_dtype`` always returns these).
float16 = half = DType(19)
float32 = DType(1)
float64 = double = DType(2)
complex64 = DType(8)
complex128 = DType(18)
int8 = DType(6)
int16 = DType(5)
int32 = DType(3)
int64 = DType(9)
uint8 = DType(4)
uint16 = DType(17)
uint32 = DType(22)
uint64 = DType(23)
bool = DType(10)  # noqa: A001  (TF's name; Python's bool is builtins.bool in this module)
string = DType(7)

_BY_ENUM = {d.as_datatype_enum: d for d in (float16, float32, float64, complex64, complex128, int8, int16, int32,
                                                int64, uint8, uint16, uint32, uint64, bool, string)}
# names, with TF's aliases (which differ from numpy's: "float" is float32 there) and the three Python types TF takes
_BY_NAME = {**{d.name: d for d in _BY_ENUM.values()}, "half": float16, "float": float32, "double": float64}
_BY_PYTHON_TYPE = {builtins.float: float32, builtins.bool: bool, builtins.object: string}
# numpy dtypes by (kind, bytes): this way byte orders and numpy's platform aliases (intc, longlong) find their type
_BY_KIND_AND_SIZE = {(d.kind, d.itemsize): d for d in _BY_ENUM.values() if d is not string}


def as_dtype(type_value):
    """``tf.as_dtype``: the DType for ``type_value`` — a DType; a numpy dtype or scalar type (``numpy.float32``;
    numpy's string and object dtypes are tf.string); a name (``"float32"``, or TF's aliases ``"float"``,
    ``"double"``, ``"half"``); the Python types ``float`` (float32), ``bool`` and ``object`` (string); or a DataType
    enum number. Anything else is TF's TypeError — also Python's ``int``, which TF does not convert."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, numpy.dtype) or (isinstance(type_value, builtins.type) and
                                               issubclass(type_value, numpy.generic)):
        found = _from_numpy(type_value)
    elif isinstance(type_value, builtins.str):
        found = _BY_NAME.get(type_value)
    elif isinstance(type_value, builtins.type):
        found = _BY_PYTHON_TYPE.get(type_value)
    elif isinstance(type_value, builtins.int) and not isinstance(type_value, builtins.bool):
        found = _BY_ENUM.get(type_value)
    else:
        found = None
    if found is None:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
    return found


def _from_numpy(numpy_type):
    """The DType of a numpy dtype or scalar type, or None (numpy.floating, float128, datetimes... have none)."""
    try:
        numpy_dtype = numpy.dtype(numpy_type)
    except TypeError:  # an abstract scalar type, such as numpy.floating
        return None
    if numpy_dtype.kind in "OSU":
        return string
    return _BY_KIND_AND_SIZE.get((numpy_dtype.kind, numpy_dtype.itemsize))


def __getattr__(name):
    """``tf.dtypes.cast`` and ``tf.dtypes.complex`` are math ops: they live in math_ops.py, which imports this
    module (through core.py), so they are looked up on first use."""
    if name in ("cast", "complex"):
        from . import math_ops
        return getattr(math_ops, name)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
