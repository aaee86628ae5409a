"""PyTorch's other names for things minidl already does: ``torch.absolute``, ``torch.ravel``, ``torch.rsub``,
``torch.exp_(x)``, ...

Each is a line or two over the op library or over a Tensor method, so that a PyTorch program written with these
spellings runs unchanged. ``unravel_index`` is the only one with a computation of its own.
"""
import math
import numbers
import warnings

from .. import ops
from ..backend import dtypes
from .tensor import Tensor


def absolute(input):
    """``abs(input)``, under numpy's longer name."""
    return ops.abs(input)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``: subtraction with the operands swapped (what ``2 - x`` calls)."""
    return ops.sub(other, input, alpha=alpha)


def ravel(input):
    """The elements in one dim, row after row: a view when the memory allows it, else a copy (``reshape(-1)``)."""
    return ops.reshape(input, (-1,))


def diagflat(input, offset=0):
    """The square matrix with the elements of ``input`` (flattened) on diagonal ``offset``, zeros elsewhere."""
    return ops.diag(ops.reshape(input, (-1,)), offset)


def split_with_sizes(input, split_sizes, dim=0):
    """``split`` into pieces of the given sizes (which must add up to the dim's size)."""
    return ops.split(input, list(split_sizes), dim)


def resolve_conj(input):
    """``input`` itself: PyTorch may mark a tensor as conjugated and conjugate it later; minidl conjugates at once
    (``conj``), so there is never a mark to resolve, and ``is_conj`` is False."""
    return input


def is_conj(input):
    return False


def resolve_neg(input):
    """``input`` itself: as with ``resolve_conj``, minidl negates at once, so no negation is ever pending."""
    return input


def is_neg(input):
    return False


def conj_physical(input):
    """The complex conjugate, computed now (``input`` itself for a real tensor, as in PyTorch). minidl's ``conj``
    is computed at once too, so the two differ only in name."""
    return ops.conj(input) if input.is_complex() else input


def conj_physical_(input):
    """``conj_physical`` written into ``input``."""
    return input.copy_(ops.conj(input)) if input.is_complex() else input


def inclusive_range(start, end, step=1, *, dtype=None, device=None, requires_grad=False, out=None,
                    layout=None, pin_memory=False):
    """``torch.range``: like ``arange``, but the end is included — ``floor((end - start) / step) + 1`` values,
    floating point by default. Deprecated in PyTorch, with this warning, in favour of ``arange``."""
    from .creation import arange
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if step == 0:
        raise RuntimeError("range(): step must be nonzero")
    if (end - start) * step < 0:  # the end lies behind the start
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign: range({start}, {end}, {step})")
    count = math.floor((end - start) / step) + 1
    values = arange(count, dtype=dtypes.float64) * step + start
    return values.to(dtype=dtype or dtypes.get_default_dtype(), device=device).requires_grad_(requires_grad)


def unravel_index(indices, shape):
    """The coordinates, in a tensor of ``shape``, of the flat (row-major) positions ``indices``: a tuple of int64
    tensors, one per dim, each shaped like ``indices``. Position p in shape (n0, n1) is (p // n1, p % n1);
    in general the last coordinate is p % n_last, and the rest come from p // n_last the same way.

    As in PyTorch the positions are not bounds-checked: they are taken modulo the number of elements (-1 is the
    last element)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a tensor, got {type(indices).__name__}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"unravel_index(): expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    for size in shape:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool):
            raise TypeError(f"unravel_index(): expected 'shape' to only contain ints, but got {shape}")
    if any(size < 0 for size in shape):
        raise ValueError(f"unravel_index(): 'shape' cannot have negative values, but got {shape}")
    if 0 in shape:
        raise RuntimeError(f"unravel_index(): 'shape' has a zero-sized dim, so no index lies in it (got {shape})")
    rest, coordinates = ops.cast(indices, dtypes.int64), []
    for size in reversed(shape):
        coordinates.append(ops.remainder(rest, size))
        rest = ops.floor_divide(rest, size)
    return tuple(reversed(coordinates))


def is_signed(input):
    """Whether the dtype holds negative numbers (``x.is_signed()``)."""
    return input.dtype.is_signed


def is_inference(input):
    """Always False: minidl marks no tensor as made in inference mode (see ``inference_mode``)."""
    return False


def fill(input, value):
    """A new tensor shaped like ``input``, every element ``value`` (a number or a 0-d tensor, whose gradient is
    the sum of the result's): out-of-place ``fill_``; ``input`` gets a zero gradient."""
    if isinstance(value, Tensor) and value.requires_grad:  # fill_ writes numbers: add the value on top of zeros
        return ops.clone(input).fill_(ops.zeros_like(value.detach())) + ops.cast(value, input.dtype)
    return ops.clone(input).fill_(value)


def is_cpu(tensor):
    """``Tensor.is_cpu`` (a property)."""
    return tensor.device.type == "cpu"


def get_device(input):
    """``torch.get_device(x)`` and ``x.get_device()``: the index of the GPU the tensor is on, -1 for a CPU
    tensor."""
    return -1 if input.device.type == "cpu" else input.device.index


def trapz(y, x=None, *, dx=None, dim=-1):
    """``trapezoid`` under its older name."""
    return ops.trapezoid(y, x, dx=dx, dim=dim)


def adjoint(input):
    """The conjugate transpose of the last two dims (``x.mH``)."""
    return ops.transpose(ops.conj(input), -2, -1)


def is_nonzero(input):
    """``bool(input)`` of a one-element tensor (anything else is ambiguous, as ``bool`` says)."""
    return bool(input)


def row_stack(tensors):
    """``vstack`` under its older name."""
    return ops.vstack(tensors)


def is_same_size(input, other):
    """Whether two tensors have the same shape."""
    from .tensor import Tensor
    for name, value in (("input", input), ("other", other)):
        if not isinstance(value, Tensor):
            raise TypeError(f"is_same_size(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return tuple(input.shape) == tuple(other.shape)


def typename(obj):
    """A tensor's legacy type name (``torch.FloatTensor``), or any other object's module and class name."""
    from .tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


#: PyTorch's top-level spellings of in-place Tensor methods: ``torch.exp_(x)`` is ``x.exp_()``
IN_PLACE_METHODS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_",
    "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_",
    "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)


def _top_level(name):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        return method(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``torch.{name}(input, ...)`` is ``input.{name}(...)``: {method.__doc__ or ''}"
    return function


def in_place_functions():
    """``{name: function}`` for the names in ``IN_PLACE_METHODS`` (call after the Tensor methods are bound), and
    the in-place activations PyTorch also has at the top level (``torch.selu_``: ``F.selu_``)."""
    from .nn import functional as F
    functions = {name: _top_level(name) for name in IN_PLACE_METHODS}
    functions.update({name: getattr(F, name) for name in ("celu_", "rrelu_", "selu_", "threshold_")})
    functions.update(dropout_=F.in_place_spelling(F.dropout), alpha_dropout_=F.in_place_spelling(F.alpha_dropout),
                     feature_alpha_dropout_=F.in_place_spelling(F.feature_alpha_dropout))
    return functions
