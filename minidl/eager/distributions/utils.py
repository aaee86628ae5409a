"""Helpers shared by the distributions: turning parameters into tensors of one shape, converting between
probabilities and logits, summing log-densities over event dimensions, packing the lower triangle of matrices
into vectors and back, and computing a property once.
"""
import functools
import numbers

import numpy

from ... import ops
from ...backend import dtypes
from ..creation import tensor
from ..grad_mode import enable_grad
from ..random import numpy_rng
from ..tensor import Size


def broadcast_all(*values):
    """The parameters as tensors of one common shape.

    Python numbers become tensors like the first tensor (its dtype and device; the default float dtype if all are
    numbers); the tensors are then broadcast (``expand``), which gradients flow through. The tensors may be graph
    tensors (``minidl.graph.distributions`` uses these formulas): where a graph knows a dim only at run time
    (None), each tensor is broadcast against a sum of zeros of every shape, whose shape is the common one.
    """
    for value in values:
        if not (ops.is_tensor(value) or isinstance(value, numbers.Number)):
            raise ValueError(f"Input arguments must all be instances of numbers.Number or Tensor, got "
                             f"{type(value).__name__}")
    like = next((v for v in values if ops.is_tensor(v)), None)
    as_tensors = [v if ops.is_tensor(v) else tensor(v, dtype=dtypes.get_default_dtype()) if like is None
                  else ops.full_like(like, v) for v in values]
    shapes = [tuple(v.shape) for v in as_tensors]
    if not any(None in shape for shape in shapes):
        shape = numpy.broadcast_shapes(*shapes)
        return tuple(ops.broadcast_to(v, shape) for v in as_tensors)
    common = functools.reduce(ops.add, [ops.zeros_like(v) for v in as_tensors])
    return tuple(ops.broadcast_to_like(v, common) for v in as_tensors)


def draw_on_host(draw, shape, *params):
    """Samples that numpy draws on the CPU: ``draw(generator, *arrays)``, with minidl's generator (so
    ``manual_seed`` applies) and the parameters broadcast to ``shape`` as numpy arrays; returned as an untracked
    tensor of the first parameter's dtype, on its device. (Sampling has no gradient, so leaving the tensors is
    allowed here.)"""
    arrays = [p.detach().expand(shape).cpu().numpy() for p in params]
    return tensor(draw(numpy_rng(), *arrays), dtype=params[0].dtype, device=params[0].device)


def clamp_probs(probs):
    """Probabilities kept a machine epsilon inside (0, 1), so that their logarithms and logits stay finite."""
    eps = float(numpy.finfo(probs.dtype).eps)
    return ops.clamp(probs, min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities: ``log p - log(1 - p)`` for a binary event (the inverse of the sigmoid), ``log p``
    for categories (defined up to an additive constant, which softmax ignores)."""
    clamped = clamp_probs(probs)
    return ops.log(clamped) - ops.log1p(-clamped) if is_binary else ops.log(clamped)


def logits_to_probs(logits, is_binary=False):
    """Probabilities of logits: the sigmoid for a binary event, the softmax over the last dim for categories."""
    return ops.sigmoid(logits) if is_binary else ops.softmax(logits, -1)


def sum_rightmost(value, dims):
    """Sum over the last ``dims`` dimensions: the log-density of an event made of independent parts is the sum
    of the parts' log-densities."""
    return value.sum(tuple(range(-dims, 0))) if dims > 0 else value


def _tril_mask(n, diag):
    """Which entries of an n×n matrix, read row by row, lie on or below its ``diag``-th diagonal."""
    rows, cols = numpy.indices((n, n))
    return (cols <= rows + diag).ravel()


def tril_matrix_to_vec(mat, diag=0):
    """The entries of (a batch of) square matrices on or below their ``diag``-th diagonal, row by row, as vectors
    (PyTorch's ``torch.distributions.utils.tril_matrix_to_vec``). A gather of the flattened matrix, so gradients
    flow back into those entries."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    positions = numpy.flatnonzero(_tril_mask(n, diag))
    flat = mat.reshape(tuple(mat.shape[:-2]) + (n * n,))
    return ops.index_select(flat, -1, tensor(positions, device=mat.device))


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of ``tril_matrix_to_vec``: square matrices with ``vec``'s entries on and below their
    ``diag``-th diagonal, row by row, and zeros elsewhere. A matrix of n rows holds
    m = n²/2 + (1 + 2·diag)·n/2 - |diag|(diag + 1)/2 such entries; n is the positive root of that quadratic."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if abs(round(n) - n) > 1e-9:
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as the lower triangular part "
                         f"of a square D x D matrix.")
    n = round(n)
    # every entry of the matrix takes an entry of [0, vec...]: its own, or the 0 in front for those above
    mask = _tril_mask(n, diag)
    sources = numpy.zeros(n * n, dtype=numpy.int64)
    sources[mask] = numpy.arange(1, mask.sum() + 1)
    padded = ops.pad(vec, (1, 0), value=0.0)
    entries = ops.index_select(padded, -1, tensor(sources, device=vec.device))
    return entries.reshape(tuple(vec.shape[:-1]) + (n, n))


def as_size(shape):
    """``sample_shape`` as a ``Size`` (a tuple, list, ``Size`` or a single int)."""
    return Size((shape,)) if isinstance(shape, int) else Size(tuple(shape))


class lazy_property:
    """A property computed on first use and then stored on the instance (in its ``__dict__``, where later reads
    find it before this descriptor). ``Bernoulli(logits=...)`` computes ``probs`` only if someone asks.

    It is computed with gradients recorded even when first asked for under ``no_grad`` (``sample()`` runs so):
    otherwise the stored value would carry no history, and every later ``log_prob`` would lose the gradient of the
    parameters it came from, as PyTorch's lazy properties avoid."""

    def __init__(self, compute):
        self.compute = compute
        self.__doc__ = compute.__doc__
        self.__name__ = compute.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.compute(instance)
        instance.__dict__[self.__name__] = value
        return value
