"""PyTorch's old way to make tensors: the ``torch.Tensor(...)`` constructor and the typed classes
(``torch.FloatTensor``, ``torch.LongTensor``, ...), still common in older tutorials and custom layers::

    weight = nn.Parameter(torch.Tensor(out_features, in_features))   # sizes: uninitialised, then nn.init fills it
    x = torch.FloatTensor([1, 2, 3])                                 # data: converted to float32
    y = x.type(torch.LongTensor)                                     # a conversion, by type

The rules: integer arguments are sizes (the values are uninitialised, as with ``empty``), one sequence or array
is data (always converted to the class's dtype — for ``torch.Tensor`` the default float dtype, whatever the data's
own type), no argument is an empty 1-D tensor. ``torch.tensor(data)``, which keeps the data's type, replaced all
this; it is here so that the old programs run.
"""
import numbers

from ..backend import dtypes


def _is_size(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def new_tensor(args, dtype=None):
    """What ``torch.Tensor(*args)`` (dtype None: the default float) or a typed class's constructor returns."""
    from .creation import empty, tensor
    from .tensor import Tensor
    dtype = dtype if dtype is not None else dtypes.get_default_dtype()
    if not args:
        return empty(0, dtype=dtype)
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], tuple) else args  # Tensor(x.shape)
    if all(_is_size(n) for n in sizes):
        return empty(*sizes, dtype=dtype)
    if len(args) == 1 and not isinstance(args[0], (numbers.Number, str)):
        data = args[0]
        return data.to(dtype) if isinstance(data, Tensor) else tensor(data, dtype=dtype)
    raise TypeError(f"new(): expected sizes (ints) or one sequence of data, got "
                    f"({', '.join(type(a).__name__ for a in args)})")


class LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co: calling the class constructs, ``isinstance`` checks the dtype."""

    def __call__(cls, *args):
        return new_tensor(args, cls.dtype)

    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.device.type == "cpu"

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


_TYPES = {"FloatTensor": dtypes.float32, "DoubleTensor": dtypes.float64, "HalfTensor": dtypes.float16,
          "LongTensor": dtypes.int64, "IntTensor": dtypes.int32, "ShortTensor": dtypes.int16,
          "CharTensor": dtypes.int8, "ByteTensor": dtypes.uint8, "BoolTensor": dtypes.bool_}
TENSOR_TYPES = {name: LegacyTensorType(name, (), {"dtype": dtype}) for name, dtype in _TYPES.items()}


def type_name(dtype):
    """``x.type()``: the legacy name of the tensor's type, ``'torch.FloatTensor'`` for float32."""
    for name, candidate in _TYPES.items():
        if candidate == dtype:
            return f"torch.{name}"
    return f"torch.{dtype.name}"  # complex dtypes had no legacy class


def dtype_of_type(requested):
    """The dtype that ``x.type(requested)`` converts to: a typed class, its name (``'torch.LongTensor'``), or a
    dtype."""
    if isinstance(requested, LegacyTensorType):
        return requested.dtype
    if isinstance(requested, str):
        name = requested.rsplit(".", 1)[-1]
        if name in _TYPES:
            return _TYPES[name]
    return dtypes.as_dtype(requested)
