"""``repr`` of a tensor in PyTorch's style: ``tensor([1.0000, 2.5000], requires_grad=True)``."""
import numpy

from ..backend import device, dtypes, to_device

_IMPLIED_WHEN_NONEMPTY = {dtypes.int64, dtypes.bool_}


def _format_options(array):
    """PyTorch prints whole-valued floats as ``1.``, others with 4 decimals, and huge/tiny ranges in e-notation."""
    if array.dtype.kind not in "fc" or array.size == 0:
        return {}
    finite = numpy.abs(array[numpy.isfinite(array)])
    if finite.size and (finite == numpy.round(finite)).all() and finite.max() < 1e8:
        return {"precision": 0, "floatmode": "fixed"}
    if finite.size and (finite.max() >= 1e8 or (finite[finite > 0].size and finite[finite > 0].min() < 1e-4)):
        return {"precision": 4, "floatmode": "fixed", "formatter": {"float_kind": lambda v: f"{v:.4e}"}}
    return {"precision": 4, "floatmode": "fixed"}


def tensor_repr(t):
    array = to_device(t._data, device("cpu"))
    prefix = "tensor("
    body = numpy.array2string(array, separator=", ", prefix=prefix, threshold=1000, edgeitems=3,
                              **_format_options(array))
    extras = []
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    # like PyTorch: the default float, int64 and bool go without saying (unless the tensor is empty)
    implied = t.dtype == dtypes.get_default_dtype() or (t.dtype in _IMPLIED_WHEN_NONEMPTY and array.size)
    if not implied:
        extras.append(f"dtype={dtype_name(t.dtype)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"


def dtype_name(dtype):
    """``minidl.float64`` — the name under which a learner finds the dtype in the package."""
    return f"minidl.{'bool_' if dtype == dtypes.bool_ else dtype.name}"
