"""PyTorch's old way to make tensors: the ``torch.Tensor(...)`` constructor and the typed classes
(``torch.FloatTensor``, ``torch.LongTensor``, ...), still common in older tutorials and custom layers::

    weight = nn.Parameter(torch.Tensor(out_features, in_features))   # sizes: uninitialised, then nn.init fills it
    x = torch.FloatTensor([1, 2, 3])                                 # data: converted to float32
    y = x.type(torch.LongTensor)                                     # a conversion, by type

The rules: integer arguments, or one ``Size`` (``x.shape``), are sizes (the values are uninitialised, as with
``empty``); one sequence (a tuple too) or array is data (always converted to the class's dtype — for
``torch.Tensor`` the default float dtype, whatever the data's own type); no argument is an empty 1-D tensor.
``torch.tensor(data)``, which keeps the data's type, replaced all this; it is here so that the old programs run.
``torch.cuda.FloatTensor`` & co make their tensors on the GPU
(``Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor``, a GAN tutorials' idiom).
"""
import numbers

from ..backend import dtypes


def _is_size(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def new_tensor(args, dtype=None, device=None):
    """What ``torch.Tensor(*args)`` (dtype None: the default float) or a typed class's constructor returns."""
    from .creation import empty, tensor
    from .tensor import Size, Tensor
    dtype = dtype if dtype is not None else dtypes.get_default_dtype()
    if not args:
        return empty(0, dtype=dtype, device=device)
    # Tensor(x.shape): a Size is sizes; a plain tuple, Tensor((1, 2)), is data, as in PyTorch
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
    if all(_is_size(n) for n in sizes):
        return empty(*sizes, dtype=dtype, device=device)
    if len(args) == 1 and not isinstance(args[0], (numbers.Number, str)):
        data = args[0]
        return data.to(device, dtype) if isinstance(data, Tensor) else tensor(data, dtype=dtype, device=device)
    raise TypeError(f"new(): expected sizes (ints) or one sequence of data, got "
                    f"({', '.join(type(a).__name__ for a in args)})")


class LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co: calling the class constructs, ``isinstance`` checks the dtype."""

    def __call__(cls, *args):
        return new_tensor(args, cls.dtype, cls.device)  # (torch.FloatTensor is a CPU type, whatever the default)

    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.device.type == cls.device

    def __repr__(cls):
        return f"<class '{_PREFIX[cls.device]}{cls.__name__}'>"


_TYPES = {"FloatTensor": dtypes.float32, "DoubleTensor": dtypes.float64, "HalfTensor": dtypes.float16,
          "LongTensor": dtypes.int64, "IntTensor": dtypes.int32, "ShortTensor": dtypes.int16,
          "CharTensor": dtypes.int8, "ByteTensor": dtypes.uint8, "BoolTensor": dtypes.bool_}
_PREFIX = {"cpu": "torch.", "cuda": "torch.cuda."}
TENSOR_TYPES = {name: LegacyTensorType(name, (), {"dtype": dtype, "device": "cpu"}) for name, dtype in _TYPES.items()}
CUDA_TENSOR_TYPES = {name: LegacyTensorType(name, (), {"dtype": dtype, "device": "cuda"})
                     for name, dtype in _TYPES.items()}


def _named(requested):
    """The typed class a name stands for (``'torch.LongTensor'``, ``'torch.cuda.FloatTensor'``); else ``requested``
    itself."""
    if not isinstance(requested, str):
        return requested
    table = CUDA_TENSOR_TYPES if requested.startswith("torch.cuda.") else TENSOR_TYPES
    return table.get(requested.rsplit(".", 1)[-1], requested)


def set_default_tensor_type(requested):
    """``torch.set_default_tensor_type(torch.DoubleTensor)`` (or its name, ``'torch.cuda.FloatTensor'``): the
    default float dtype and, for a ``torch.cuda`` type, the default device. Deprecated, as in PyTorch."""
    import warnings
    from .creation import set_default_device
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    requested = _named(requested)
    if not isinstance(requested, LegacyTensorType):
        raise TypeError(f"invalid type: {requested!r}")
    if requested.dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.set_default_dtype(requested.dtype)
    set_default_device(requested.device)


def type_name(dtype, device_type="cpu"):
    """``x.type()``: the legacy name of the tensor's type, ``'torch.FloatTensor'`` for float32 (on the GPU
    ``'torch.cuda.FloatTensor'``)."""
    for name, candidate in _TYPES.items():
        if candidate == dtype:
            return f"{_PREFIX[device_type]}{name}"
    return f"torch.{dtype.name}"  # complex dtypes had no legacy class


def converted_by_type(tensor, requested):
    """``x.type(requested)``: ``x`` converted to a typed class (``torch.cuda.LongTensor`` moves it to the GPU too),
    its name (``'torch.LongTensor'``), or a dtype."""
    from .tensor import Tensor
    requested = _named(requested)
    if isinstance(requested, LegacyTensorType):
        return tensor.to(requested.device, requested.dtype)
    if requested is Tensor:  # torch.Tensor, the default float type's class
        return tensor.to(dtypes.get_default_dtype())
    return tensor.to(dtypes.as_dtype(requested))
