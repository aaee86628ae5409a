"""Membership, runs and triangles — ``isin``, ``unique_consecutive``, the coordinates behind ``tril_indices`` /
``triu_indices`` — and the matrix statistics ``mv``, ``cov`` and ``corrcoef``.

The first group answers with booleans, positions and counts: nothing a small change of the values moves
smoothly, so none of them has a gradient (as in PyTorch). The second group is made of products, sums and
divisions of existing ops (``matmul``, ``mean``, ``sqrt``...), so its gradients come from those parts.
"""
import numbers

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .cast import cast
from .compare import clip, le, where
from .extrema import _one_dim
from .linalg import _check_tensors, matmul
from .matrix import diagonal
from .promote import promote
from .reduce import _size, check_tensor, mean, sum
from .shape import reshape, squeeze, transpose, unsqueeze
from .sorting import _orderable
from .spectral import complex, conj, imag, real
from .unary import sqrt

__all__ = ["isin", "unique_consecutive", "mv", "cov", "corrcoef"]


# ---------------------------------------------------------------------------------------------------- isin

class Isin(Op):
    """True where an entry of ``elements`` equals some entry of ``test_elements`` (``invert``: where none does).
    NaN equals nothing, so it is never found."""
    differentiable = False

    @staticmethod
    def forward(xp, elements, test_elements, assume_unique, invert):
        return xp.asarray(xp.isin(elements, test_elements, assume_unique=assume_unique, invert=invert))

    @staticmethod
    def infer(elements, test_elements, **attrs):
        return Spec(elements.shape, dtypes.bool_)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor shaped like ``elements``: whether each entry occurs in ``test_elements`` (any shape). Either
    (not both) may be a number. The two are compared in their promoted dtype (``isin(int_tensor, 2.5)`` looks
    for 2.5). ``assume_unique=True`` promises both hold distinct values, which may be faster."""
    if not (is_tensor(elements) or is_tensor(test_elements)):
        raise TypeError(f"isin(): expected elements or test_elements to be a tensor, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    dtype, operands = promote("isin", elements, test_elements)
    if dtypes.is_complex(dtype):
        raise TypeError(f"isin: not implemented for complex numbers (got {describe(elements)} and "
                        f"{describe(test_elements)})")
    return apply(Isin, *operands, assume_unique=bool(assume_unique), invert=bool(invert))


# ---------------------------------------------------------------------------------------- unique_consecutive

class UniqueConsecutive(Op):
    """Runs of equal neighbours collapsed to one: the first entry of each run (``values``), for each entry the
    number of its run (``inverse``: ``values[inverse] == x``) and each run's length (``counts``).

    Without ``dim`` the flattened ``x`` is read; with ``dim`` the runs are of equal *slices* along it. A new run
    starts wherever an entry (a slice) differs from the one before it. NaN differs from everything, itself
    included, so every NaN starts a run of its own, as in PyTorch."""
    n_outputs = 3
    differentiable = False

    @staticmethod
    def forward(xp, x, dim):
        if dim is None:
            x, dim = x.reshape(-1), 0
        slices = xp.moveaxis(x, dim, 0)
        slices = slices.reshape(slices.shape[0], int(numpy.prod(slices.shape[1:])))  # (-1 fails when empty)
        starts = xp.ones(slices.shape[0], dtype=bool)
        starts[1:] = xp.any(slices[1:] != slices[:-1], axis=1)
        values = xp.compress(starts, x, axis=dim)
        inverse = xp.cumsum(starts, dtype=dtypes.int64) - 1
        first = xp.flatnonzero(starts)
        counts = xp.diff(xp.append(first, starts.size)).astype(dtypes.int64, copy=False)
        return values, inverse, counts

    @staticmethod
    def infer(x, dim):
        if dim is None:
            return Spec((None,), x.dtype), Spec((None,), dtypes.int64), Spec((None,), dtypes.int64)
        values = None if x.shape is None else x.shape[:dim] + (None,) + x.shape[dim + 1:]
        return (Spec(values, x.dtype), Spec((None if x.shape is None else x.shape[dim],), dtypes.int64),
                Spec((None,), dtypes.int64))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of consecutive equal values (``[1, 1, 2, 2, 1]`` -> ``[1, 2, 1]``) of the flattened
    ``input``, or of consecutive equal slices along ``dim``. With ``return_inverse`` / ``return_counts`` also the
    run number of each entry (shaped like ``input``; with ``dim``, one per slice) and the length of each run, as
    a tuple. Unlike ``unique``, equal values in different runs stay apart and nothing is sorted."""
    _orderable("unique_consecutive", input)
    if dim is not None:
        dim = _one_dim("unique_consecutive", input, dim)
        if input.ndim == 0:
            dim = None  # a 0-d tensor has one slice: itself
        elif any(n == 0 for d, n in enumerate(input.shape) if d != dim):
            raise OpError(f"unique_consecutive: there are 0 sized dimensions, and they aren't selected (dim={dim}, "
                          f"input {describe(input)}), so unique cannot be applied")
    values, inverse, counts = apply(UniqueConsecutive, input, dim=dim)
    if dim is None:
        inverse = reshape(inverse, input.shape)
    extra = (inverse,) * bool(return_inverse) + (counts,) * bool(return_counts)
    return (values,) + extra if extra else values


# ------------------------------------------------------------------------------------ tril / triu coordinates

def triangle_indices(op_name, row, col, offset, dtype, upper):
    """The (2, N) coordinates — row numbers, then column numbers, in row-major order — of the entries of a
    ``row`` x ``col`` matrix on or below diagonal ``offset`` (``upper``: on or above it), as a host numpy array:
    what ``tril_indices`` / ``triu_indices`` (eager factories, which take no tensor) turn into a tensor."""
    for what, value in (("row", row), ("col", col), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{op_name}(): argument '{what}' must be int, not {type(value).__name__}")
    for what, value in (("row", row), ("col", col)):
        if value < 0:
            raise OpError(f"{op_name}: {what} must be non-negative, got {value}")
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise DtypeError(f'"{op_name}" not implemented for {dtype}: the coordinates are int64 or int32')
    rows, cols = (numpy.triu_indices if upper else numpy.tril_indices)(int(row), int(offset), int(col))
    return numpy.stack([rows, cols]).astype(dtype)


# ------------------------------------------------------------------------------------------------------ mv

def mv(input, vec):
    """The matrix-vector product ``input @ vec`` of a 2-D ``input`` (n, m) and a 1-D ``vec`` (m,): shape (n,).
    Strict shapes, as in PyTorch (no batches, no broadcasting): use ``matmul`` for those."""
    _check_tensors("mv", input, vec)
    if input.ndim != 2 or vec.ndim != 1:
        raise OpError(f"mv: vector + matrix @ vector expected, got a {input.ndim}-D input and a {vec.ndim}-D vec "
                      f"({describe(input)} and {describe(vec)})")
    m, k = input.shape[1], vec.shape[0]
    if None not in (m, k) and m != k:
        raise OpError(f"mv: size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{m}), vec ({k})")
    return matmul(input, vec)


# ------------------------------------------------------------------------------------------- cov, corrcoef

def _observation_weights(op_name, what, w, n, integral):
    """Check ``fweights`` (integer repeat counts) or ``aweights`` (float importances): 1-D (or 0-d), one per
    observation, never negative (checked where the values are known)."""
    if not is_tensor(w):
        raise TypeError(f"{op_name}(): {what} must be a tensor, got {type(w).__name__}")
    if w.ndim > 1:
        raise OpError(f"{op_name}(): expected {what} to have one or fewer dimensions but got {describe(w)}")
    if w.ndim == 1 and None not in (n, w.shape[0]) and w.shape[0] != n:
        raise OpError(f"{op_name}(): expected {what} to have the same numel as there are observations in the input "
                      f"({n}), but got {describe(w)}")
    if integral and w.dtype.kind not in "iu":
        raise DtypeError(f"{op_name}(): expected {what} to have integral dtype but got {describe(w)}")
    if not integral and not dtypes.is_floating_point(w.dtype):
        raise DtypeError(f"{op_name}(): expected {what} to have floating point dtype but got {describe(w)}")
    if hasattr(w, "tolist") and numpy.any(numpy.asarray(w.tolist()) < 0):
        raise OpError(f"{op_name}(): {what} cannot be negative")
    return w


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (2-D: variables x observations; a 1-D
    input is one variable, giving a 0-d variance):

        cov[i, j] = sum_k w_k (x_ik - mean_i)(x_jk - mean_j)^* / (sum_k w_k - correction · ...)

    Without weights, w_k = 1 and the divisor is N - correction (``correction=1``: Bessel's, unbiased). With
    ``fweights`` (integer repeats of each observation) and/or ``aweights`` (importances), w = fweights · aweights,
    the means are weighted, and the divisor is sum(w) - correction · sum(w · aweights) / sum(w) (numpy's and
    PyTorch's formula). A divisor <= 0 warns and is taken as 0 (inf / NaN results), as in PyTorch."""
    check_tensor("cov", input)
    if input.ndim > 2:
        raise OpError(f"cov(): expected input to have two or fewer dimensions but got an input with {input.ndim} "
                      f"dimensions ({describe(input)})")
    if isinstance(correction, bool) or not isinstance(correction, numbers.Integral):
        raise TypeError(f"cov(): correction must be an int, got {correction!r}")
    x = reshape(input, (1, -1)) if input.ndim < 2 else input
    if not dtypes.is_differentiable(x.dtype):  # integer data has a float covariance
        x = cast(x, dtypes.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = _observation_weights("cov", "fweights", fweights, n, integral=True)
    if aweights is not None:
        aweights = _observation_weights("cov", "aweights", aweights, n, integral=False)
        w = aweights if w is None else w * aweights
    if w is None:
        mean_ = mean(x, 1, keepdim=True)
        divisor = _size(x, (1,)) - correction
    else:
        dtype, (x, promoted) = promote("cov", x, w)
        w = cast(w, dtypes.to_real(dtype)) if dtype.kind == "c" else promoted  # complex observations, real weights
        w_sum = sum(w)
        mean_ = sum(x * w, 1, keepdim=True) / w_sum
        if correction == 0:
            divisor = w_sum
        elif aweights is None:
            divisor = w_sum - correction
        else:
            divisor = w_sum - correction * sum(w * aweights) / w_sum
    if hasattr(divisor, "tolist") and divisor.tolist() <= 0:
        warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
             "observations.")
    divisor = where(le(divisor, 0), 0, divisor)
    centered = x - mean_
    weighted = centered if w is None else centered * w
    return squeeze(matmul(centered, transpose(conj(weighted), 0, 1)) / divisor)


def corrcoef(input):
    """Pearson's correlation coefficients of the variables in the rows of ``input`` (as for ``cov``):
    ``cov[i, j] / sqrt(cov[i, i] · cov[j, j])``, clipped to [-1, 1] against rounding. A single variable gives
    cov / cov (1, or NaN for a constant one). Of complex variables, the real and the imaginary parts are clipped
    each, as PyTorch does."""
    check_tensor("corrcoef", input)
    c = cov(input)
    if c.ndim == 0:
        return c / c
    stddev = sqrt(real(diagonal(c)))
    c = c / unsqueeze(stddev, 1) / unsqueeze(stddev, 0)
    if c.dtype.kind == "c":
        return complex(clip(real(c), -1, 1), clip(imag(c), -1, 1))
    return clip(c, -1, 1)
