"""What every ``torch.masked`` function shares: the mask brought to the input's shape, the dims of a reduction,
and the input with its masked-out elements replaced by the operation's identity (the value that, included or not,
leaves the result unchanged: 0 for a sum, 1 for a product, -inf for a maximum, ...)."""
import math

from ... import ops
from ..element_types import bool_, float32
from ..environment import iinfo
from ..tensor import Tensor


def data_and_mask(name, input, mask, mask_name="mask"):
    """The plain tensor and its canonical mask (a bool tensor of the input's shape, or None for all elements):
    a MaskedTensor brings its own mask, a plain tensor takes ``mask`` broadcast to its shape."""
    from .masked_tensor import MaskedTensor  # (masked_tensor.py builds on the functions that use this one)
    if isinstance(input, MaskedTensor):
        return input.get_data(), input.get_mask()
    if not isinstance(input, Tensor):
        raise TypeError(f"masked {name}(): expected input to be a Tensor or a MaskedTensor, got {type(input).__name__}")
    if mask is None:
        return input, None
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked {name}(): expected {mask_name} to be a Tensor, got {type(mask).__name__}")
    if mask.ndim > input.ndim:
        raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality higher than of the input)")
    return input, ops.broadcast_to(mask, tuple(input.shape)).to(bool_)


def canonical_dims(dim, ndim):
    """``dim`` (None, an int or a sequence of ints) as a sorted tuple of non-negative dims; ``dim=()`` means all
    dims, as it does for PyTorch's masked reductions."""
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims = []
    for d in ((dim,) if isinstance(dim, int) else dim):
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if d >= ndim or d < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def lowest(dtype):
    return -math.inf if dtype.is_floating_point else iinfo(dtype).min


def highest(dtype):
    return math.inf if dtype.is_floating_point else iinfo(dtype).max


def filled(input, mask, identity):
    """``where(mask, input, identity)``: the gradient of a masked-out element is 0, as PyTorch's."""
    if mask is None:
        return input
    return ops.where(mask, input, identity)


def count(input, mask, dims, keepdim):
    """How many elements each reduction takes in (an int64 tensor)."""
    if mask is None:
        mask = ops.ones_like(input, dtype=bool_)
    return ops.sum(mask, dims, keepdim)


def floating(dtype):
    return dtype if dtype.is_floating_point or dtype.is_complex else float32
