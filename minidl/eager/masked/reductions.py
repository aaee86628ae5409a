"""``torch.masked``'s reductions: each reduces the input with its masked-out elements replaced by the reduction's
identity, so they take no part (a sum over nothing is 0, a maximum over nothing -inf). Where no identity exists
(mean, median, var, std) a reduction over nothing is nan, as PyTorch's.

A MaskedTensor given as ``input`` brings its own mask; the result is a plain tensor, as PyTorch's functions give
(MaskedTensor's methods wrap it with the output mask)."""
import math

from ... import ops
from ..element_types import bool_, float32, int8, int16, int32, int64, uint8
from .masks import canonical_dims, count, data_and_mask, filled, floating, highest, lowest

__all__ = ["amax", "amin", "argmax", "argmin", "logsumexp", "mean", "median", "norm", "prod", "std", "sum", "var"]

_SMALL_INTEGERS = (bool_, uint8, int8, int16, int32)  # a sum or product of these is int64, as torch.sum's


def _accumulating_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return int64 if input.dtype in _SMALL_INTEGERS else input.dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The sum of the masked-in elements over ``dim`` (all dims for None); 0 where none is."""
    input, mask = data_and_mask("sum", input, mask)
    return ops.sum(filled(input, mask, 0), canonical_dims(dim, input.ndim), bool(keepdim),
                   dtype=_accumulating_dtype(input, dtype))


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The product of the masked-in elements over ``dim``; 1 where none is."""
    input, mask = data_and_mask("prod", input, mask)
    result = filled(input, mask, 1).to(_accumulating_dtype(input, dtype))
    for d in reversed(canonical_dims(dim, input.ndim)):
        result = ops.prod(result, d, bool(keepdim))
    return result


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The largest masked-in element over ``dim``; -inf (the dtype's lowest integer) where none is."""
    input, mask = data_and_mask("amax", input, mask)
    result = ops.amax(filled(input, mask, lowest(input.dtype)), canonical_dims(dim, input.ndim), bool(keepdim))
    return result.to(dtype or input.dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The smallest masked-in element over ``dim``; inf (the dtype's highest integer) where none is."""
    input, mask = data_and_mask("amin", input, mask)
    result = ops.amin(filled(input, mask, highest(input.dtype)), canonical_dims(dim, input.ndim), bool(keepdim))
    return result.to(dtype or input.dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Where the largest masked-in element is along ``dim`` (in the flattened input for None), in ``dtype`` (the
    input's by default, as PyTorch's)."""
    input, mask = data_and_mask("argmax", input, mask)
    return ops.argmax(filled(input, mask, lowest(input.dtype)), dim, bool(keepdim)).to(dtype or input.dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Where the smallest masked-in element is along ``dim``."""
    input, mask = data_and_mask("argmin", input, mask)
    return ops.argmin(filled(input, mask, highest(input.dtype)), dim, bool(keepdim)).to(dtype or input.dtype)


def _floating_or_refuse(input, dtype, name):
    source = "Optional" if dtype is not None else "Input"
    dtype = dtype or input.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"{name}(): Could not infer output dtype. {source} dtype must be either a floating point or "
                         f"complex dtype. Got: {dtype}")
    return dtype


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """sum / count of the masked-in elements: nan (0 / 0) where none is."""
    input, mask = data_and_mask("mean", input, mask)
    dtype = _floating_or_refuse(input, dtype, "mean")
    dims = canonical_dims(dim, input.ndim)
    return ops.divide(sum(input, dims, keepdim=keepdim, dtype=dtype, mask=mask), count(input, mask, dims, keepdim))


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """The lower median of the masked-in elements along the one dim ``dim`` (masked-out ones become nan, which
    nanmedian skips); nan where none is, which an integer result cannot hold, so PyTorch refuses it."""
    input, mask = data_and_mask("median", input, mask)
    dtype = dtype or input.dtype
    dims = canonical_dims(dim, input.ndim)
    is_float = input.dtype.is_floating_point
    values = input if is_float else input.to(float32)
    result = ops.nanmedian(filled(values, mask, math.nan), dims[0], bool(keepdim))[0]
    if is_float:
        return result
    if ops.any(ops.isnan(result)).item():
        raise ValueError("masked median expects no fully masked out rows if dtype is not floating point")
    return result.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """log sum exp of the masked-in elements; -inf where none is."""
    input, mask = data_and_mask("logsumexp", input, mask)
    result = ops.logsumexp(filled(input, mask, lowest(input.dtype)), canonical_dims(dim, input.ndim), bool(keepdim))
    return result.to(dtype or input.dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The vector ``ord``-norm of the masked-in elements (masked-out ones count as 0, as inf for ``ord=-inf``)."""
    input, mask = data_and_mask("norm", input, mask)
    identity = math.inf if ord == -math.inf else 0
    return ops.linalg_vector_norm(filled(input, mask, identity), ord, canonical_dims(dim, input.ndim), bool(keepdim),
                                  dtype=dtype or input.dtype)


def _variance(name, input, dim, unbiased, correction, keepdim, dtype, mask):
    """sum |x - mean|^2 / max(count - correction, 0) over the masked-in elements (correction 1 unless
    ``unbiased=False`` or ``correction`` says otherwise): nan where none is, or inf where too few are."""
    if unbiased is not None and correction is not None:
        raise ValueError(f"masked {name}(): only one of unbiased and correction may be given")
    correction = float(correction if correction is not None else (1 if unbiased is None or unbiased else 0))
    input, mask = data_and_mask(name, input, mask)
    dtype = floating(dtype or input.dtype)
    dims = canonical_dims(dim, input.ndim)
    counts = count(input, mask, dims, True)
    deviation = ops.subtract(input, ops.divide(sum(input, dims, keepdim=True, dtype=dtype, mask=mask), counts))
    total = sum(deviation * ops.conj(deviation), dims, keepdim=keepdim, dtype=dtype, mask=mask)
    counts = ops.reshape(counts, tuple(total.shape))
    if correction != 0:
        counts = ops.clamp(counts.to(dtype.to_real()) - correction, min=0)
    return ops.divide(total, counts).to(dtype)


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """The variance of the masked-in elements."""
    return _variance("var", input, dim, unbiased, correction, keepdim, dtype, mask)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """The standard deviation of the masked-in elements: sqrt of ``var``."""
    return ops.sqrt(_variance("std", input, dim, unbiased, correction, keepdim, dtype, mask))
