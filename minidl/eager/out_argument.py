"""PyTorch's ``out=`` argument: ``torch.matmul(a, b, out=y)`` writes the result into the existing tensor ``y`` and
returns ``y`` (the first PyTorch tutorial shows it). An op with several outputs takes a tuple of tensors
(``torch.max(x, 1, out=(values, indices))``).

PyTorch's rules, kept here: the result must be castable to ``out``'s dtype without changing category (a float
result into an int tensor is refused, as for in-place ops); an ``out`` of another shape is resized — silently when
it is empty, with PyTorch's deprecation warning otherwise; and ``out=`` calls are not differentiable, so no
argument may require grad while gradients are being recorded.

The sums, means and products, running or not, take ``out``'s dtype as their ``dtype=`` when given none: they
compute in it, as PyTorch's do (``sum(float16, 0, out=float32)`` adds in float32, and ``cumsum(float, 0,
out=int64)`` adds the values cast to int64).
"""
import functools
import warnings

from ..backend import dtypes
from .element_types import as_numpy_dtype
from .grad_mode import GradMode
from .tensor import Tensor


def accept_out(fn):
    """``fn`` taking ``out=`` as well (see the module docstring)."""
    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        name = fn.__name__
        if GradMode.local.enabled and any(isinstance(a, Tensor) and a.requires_grad
                                    for a in (*args, *kwargs.values(), *(out if isinstance(out, tuple) else (out,)))):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               f"differentiation, but one of the arguments requires grad.")
        if name in _COMPUTED_IN_OUT_DTYPE and isinstance(out, Tensor) and kwargs.get("dtype") is None and not (
                name in _FLOAT_INPUT_ONLY and args and isinstance(args[0], Tensor) and args[0].dtype.kind in "biu"):
            kwargs["dtype"] = out.dtype
        result = fn(*args, **kwargs)
        if isinstance(result, Tensor):
            return _write(name, out, result)
        if isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result):
            if not isinstance(out, (tuple, list)) or len(out) != len(result):
                raise TypeError(f"{name}(): out= must be a tuple of {len(result)} tensors, got {out!r}")
            written = [_write(name, o, r) for o, r in zip(out, result)]
            return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
        raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
    return wrapper


#: the ops whose ``out=`` sets the dtype they compute in (their ``dtype=``)
_COMPUTED_IN_OUT_DTYPE = {"sum", "nansum", "mean", "nanmean", "prod", "cumsum", "cumprod"}
#: those of them that still refuse bool and integer input then: PyTorch checks the input's dtype before out's
_FLOAT_INPUT_ONLY = {"mean", "nanmean"}


def accept_out_in_factory(factory):
    """A factory (``zeros``, ``arange``, ``randn`` ...) taking ``out=`` too: the values are made in ``out``'s dtype
    and on its device (a ``dtype=`` given as well must be ``out``'s), then written into ``out``, resized to fit."""
    @functools.wraps(factory)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return factory(*args, **kwargs)
        name = factory.__name__
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        dtype = kwargs.get("dtype")
        if dtype is not None and as_numpy_dtype(dtype) != out._data.dtype:
            raise RuntimeError(f"dtype {dtypes.torch_name(as_numpy_dtype(dtype))} does not match dtype of out "
                               f"parameter ({dtypes.torch_name(out._data.dtype)})")
        kwargs["dtype"], kwargs["device"] = out.dtype, kwargs.get("device") or out.device
        return _write(name, out, factory(*args, **kwargs))
    return wrapper


def _write(name, out, result):
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if not dtypes.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}. This behavior is "
                          f"deprecated: resize it to zero elements first (out.resize_(0)) to reuse it.",
                          UserWarning, stacklevel=3)
        out.resize_(result.shape)
    return out.copy_(result)
