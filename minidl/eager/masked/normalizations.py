"""``torch.masked``'s normalizations, scans and ``logaddexp``: results of the input's shape, computed along one
dim with the masked-out elements replaced by an identity that leaves the masked-in results as if those elements
were absent.
A row with nothing masked in gives nan for the softmaxes (exp(-inf) / 0), as PyTorch's."""
from ... import ops
from .masks import canonical_dims, data_and_mask, filled, highest, lowest
from .reductions import norm

__all__ = ["cumprod", "cumsum", "log_softmax", "logaddexp", "normalize", "softmax", "softmin"]


def _one_dim(dim, ndim):
    return canonical_dims(dim, ndim)[0]


def cumsum(input, dim, *, dtype=None, mask=None):
    """Running sums along ``dim``, masked-out elements adding 0."""
    input, mask = data_and_mask("cumsum", input, mask)
    dtype = dtype or input.dtype
    return ops.cumsum(filled(input, mask, 0), _one_dim(dim, input.ndim), dtype=dtype).to(dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    """Running products along ``dim``, masked-out elements multiplying by 1."""
    input, mask = data_and_mask("cumprod", input, mask)
    dtype = dtype or input.dtype
    return ops.cumprod(filled(input, mask, 1), _one_dim(dim, input.ndim), dtype=dtype).to(dtype)


def softmax(input, dim, *, dtype=None, mask=None):
    """exp(x) / sum exp(x) over the masked-in elements along ``dim`` (masked-out ones are -inf: weight 0)."""
    input, mask = data_and_mask("softmax", input, mask)
    return ops.softmax(filled(input, mask, lowest(input.dtype)), _one_dim(dim, input.ndim), dtype=dtype or input.dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """x - log sum exp(x) over the masked-in elements along ``dim``; -inf at the masked-out ones."""
    input, mask = data_and_mask("log_softmax", input, mask)
    return ops.log_softmax(filled(input, mask, lowest(input.dtype)), _one_dim(dim, input.ndim),
                           dtype=dtype or input.dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    """softmax(-x) over the masked-in elements along ``dim`` (masked-out ones are +inf: weight 0)."""
    input, mask = data_and_mask("softmin", input, mask)
    return ops.softmax(ops.negative(filled(input, mask, highest(input.dtype))), _one_dim(dim, input.ndim),
                       dtype=dtype or input.dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """x / max(||x||_ord, eps) along ``dim``, the norm over the masked-in elements; 0 at the masked-out ones."""
    input, mask = data_and_mask("normalize", input, mask)
    norms = norm(input, ord, dim, keepdim=True, dtype=dtype or input.dtype, mask=mask)
    return ops.divide(filled(input, mask, 0), ops.clamp(norms, min=eps))


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """log(exp(a) + exp(b)), each operand's masked-out elements -inf (so they add nothing)."""
    input, input_mask = data_and_mask("logaddexp", input, input_mask, "input_mask")
    other, other_mask = data_and_mask("logaddexp", other, other_mask, "other_mask")
    return ops.logaddexp(filled(input, input_mask, lowest(input.dtype)),
                         filled(other, other_mask, lowest(other.dtype))).to(dtype or input.dtype)

