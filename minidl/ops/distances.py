"""Distances and norms of slices: ``dist`` (the p-norm of a difference), ``cdist`` (every pairwise distance between
two sets of points) and ``renorm`` (slices whose p-norm is too large scaled down to it).

All are compositions of ``norm`` with ordinary ops, so their gradients are norm's: for
p = 2, d/dx ‖x - y‖ = (x - y) / ‖x - y‖ (0 where the distance is 0); for other p,
sign(d)·|d|^(p-1) / ‖d‖^(p-1) with d = x - y; p = ∞ sends the gradient to the largest coordinate difference.
"""
import numbers

from ..backend import dtypes
from .base import DtypeError, OpError, describe, is_tensor
from .elementwise_more import both_tensors
from .infer import broadcast_shapes
from .promote import promote, require_same_dtype
from .compare import gt, where
from .reduce import norm
from .shape import unsqueeze

__all__ = ["dist", "cdist", "renorm"]

_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def _order(op_name, p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{op_name}(): p must be a number (inf for the largest difference), got {p!r}")
    return float(p)


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast together) over all entries: a 0-d tensor.
    ``p`` may be 0 (the number of differing entries), inf, or any other number."""
    both_tensors("dist", input, other)
    p = _order("dist", p)
    dtype, (a, b) = promote("dist", input, other)
    if not dtypes.is_differentiable(dtype):
        raise DtypeError(f"dist: input dtype should be either floating point or complex, got {describe(input)} and "
                         f"{describe(other)}")
    broadcast_shapes("dist", tuple(a.shape), tuple(b.shape))  # (an error naming dist, not the subtraction)
    return norm(a - b, p)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """All distances between the rows of ``x1`` (..., P, M) and those of ``x2`` (..., R, M): a (..., P, R) tensor
    with ``out[..., i, j] = ‖x1[..., i, :] - x2[..., j, :]‖_p``; the leading (batch) dims broadcast.

    Computed as written: the (..., P, R, M) differences, then the norm over M. (PyTorch may use
    ‖a‖² + ‖b‖² - 2a·b for p = 2 on many points, faster but less accurate; ``compute_mode`` picks that there and
    is accepted and ignored here.)"""
    for name, x in (("X1", x1), ("X2", x2)):
        if not is_tensor(x):
            raise TypeError(f"cdist(): {name.lower()} must be a tensor, not {type(x).__name__}")
        if x.ndim < 2:
            raise OpError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D ({describe(x)})")
        if not dtypes.is_floating_point(x.dtype):
            raise TypeError(f"cdist only supports floating-point dtypes, {name} got: {describe(x)}")
    require_same_dtype("cdist", [("x1", x1), ("x2", x2)])
    columns = (x1.shape[-1], x2.shape[-1])
    if None not in columns and columns[0] != columns[1]:
        raise OpError(f"cdist: X1 and X2 must have the same number of columns. X1: {columns[0]} X2: {columns[1]}")
    broadcast_shapes("cdist (batch dims)", tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    p = _order("cdist", p)
    if p < 0:
        raise OpError(f"cdist only supports non-negative p values, got {p}")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"cdist: {compute_mode!r} is not a valid value for compute_mode; expected one of "
                         f"{', '.join(_COMPUTE_MODES)}")
    return norm(unsqueeze(x1, -2) - unsqueeze(x2, -3), p, dim=-1)


def renorm(input, p, dim, maxnorm):
    """Each slice ``input.select(dim, i)`` whose p-norm exceeds ``maxnorm`` scaled by ``maxnorm / (norm + 1e-7)``
    (PyTorch's small constant keeps the result just inside the bound); the other slices unchanged. Used to cap the
    norm of each row of a weight matrix (max-norm regularization). Complex slices are scaled by the real factor."""
    if not is_tensor(input):
        raise TypeError(f"renorm(): input must be a tensor, not {type(input).__name__}")
    if not (dtypes.is_floating_point(input.dtype) or dtypes.is_complex(input.dtype)):
        raise TypeError(f"renorm: expected a floating-point tensor, got {describe(input)}")
    if input.ndim < 2:
        raise OpError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    p = _order("renorm", p)
    if p <= 0:
        raise OpError(f"renorm: non-positive-norm not supported (p = {p})")
    if maxnorm < 0:
        raise OpError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"renorm: Dimension out of range (expected to be in range of [{-input.ndim}, "
                         f"{input.ndim - 1}], but got {dim})")
    others = tuple(d for d in range(input.ndim) if d != dim % input.ndim)
    norms = norm(input, p, dim=others, keepdim=True)
    return input * where(gt(norms, maxnorm), maxnorm / (norms + 1e-7), 1.0)
