"""Quantiles: ``quantile`` and ``nanquantile`` — the value below which a fraction ``q`` of the data lies.

For n sorted values v_0 <= ... <= v_(n-1), the q-quantile sits at the (fractional) *rank* r = q·(n - 1): q = 0 is
the minimum, q = 1 the maximum, q = 0.5 the median. When r falls between two ranks i = floor(r) and j = ceil(r),
``interpolation`` says what to answer:

    linear    v_i + (r - i)·(v_j - v_i)      (the default)
    lower     v_i
    higher    v_j
    midpoint  (v_i + v_j) / 2
    nearest   v at the rank round(r) (halves to the even rank, as PyTorch's round does)

``quantile`` answers NaN for a slice holding a NaN; ``nanquantile`` leaves the NaN out (n counts the numbers
only) and answers NaN only for a slice of NaN alone.

Everything is a composition of ops — ``sort``, a ``take_along_dim`` at the ranks, ``lerp`` — following PyTorch's
own algorithm, so the gradients come from those parts and match PyTorch's: the gradient reaches the one or two
order statistics used (weights 1 - (r - i) and r - i for linear), and, in linear mode, ``q`` itself when it is
a tensor (d/dq = (n - 1)·(v_j - v_i)).
"""
import numbers

from ..backend import dtypes
from .base import DtypeError, OpError, describe, is_tensor
from .cast import cast
from .compare import logical_not, lt, where
from .extrema import _one_dim
from .index_updates import take_along_dim
from .reduce import _size, any, check_tensor, sum
from .shape import reshape, squeeze, unsqueeze
from .shape_helpers import movedim
from .sorting import sort
from .special import lerp
from .unary import ceil, floor, isnan, round

__all__ = ["quantile", "nanquantile"]

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")

#: the rank each picking mode reads the answer at
_PICK = {"lower": floor, "higher": ceil, "nearest": round}


def _q_tensor(op_name, q, input):
    """``q`` as a tensor of input's dtype (1-d or 0-d) after PyTorch's checks; values in [0, 1] are checked
    where they are known (a number, or an eager tensor)."""
    if is_tensor(q):
        if q.ndim > 1:
            raise OpError(f"{op_name}() q must be a scalar or 1D tensor, got {describe(q)}")
        if q.dtype != input.dtype:
            raise DtypeError(f"{op_name}() q tensor must be same dtype as the input tensor, got q {describe(q)} "
                             f"and input {describe(input)}")
        values = q.tolist() if hasattr(q, "tolist") else []  # a graph's q is known only when it runs
        values = values if isinstance(values, list) else [values]
    elif isinstance(q, numbers.Real) and not isinstance(q, bool):
        values = [q]
        q = input.dtype.type(q)
    else:
        raise TypeError(f"{op_name}(): q must be a float or a tensor, got {type(q).__name__}")
    if not all(0 <= v <= 1 for v in values):
        raise OpError(f"{op_name}() q values must be in the range [0, 1], got {values}")
    return q


def _quantile(op_name, input, q, dim, keepdim, interpolation, ignore_nan):
    check_tensor(op_name, input)
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise DtypeError(f"{op_name}() input tensor must be either float or double dtype, got {describe(input)}")
    if interpolation not in INTERPOLATIONS:
        raise OpError(f"{op_name}() interpolation must be one of linear, lower, higher, midpoint or nearest. Got "
                      f"{interpolation!r}")
    if 0 in (input.shape or ()):
        raise OpError(f"{op_name}() input tensor must be non-empty, got {describe(input)}")
    q = _q_tensor(op_name, q, input)
    many_q = int(is_tensor(q))  # a tensor q, even 0-d, is ranked as a vector of q's; a number as itself
    drop_q_dim = many_q and q.ndim == 0

    # the values to rank, along the last dim
    if dim is None or input.ndim == 0:
        x = reshape(input, (-1,))
    else:
        dim = _one_dim(op_name, input, dim)
        x = movedim(input, dim, -1)
    last = x.ndim - 1
    ordered = sort(x, -1).values  # ascending, NaN last
    if many_q:  # one q per leading entry, so ``ranks`` is (number of q, *batch, 1): every q ranks every slice
        q = reshape(q, (-1,) + (1,) * x.ndim)
    nan = isnan(ordered)
    if ignore_nan:
        count = sum(logical_not(nan), last, keepdim=True)  # the numbers in each slice
        ranks = q * cast(count - 1, ordered.dtype)  # in x's dtype, as the other branch: float64 ranks for float64 x
        ranks = where(lt(ranks, 0), 0.0, ranks)  # a slice of NaN alone: rank 0, which holds a NaN
    else:
        last_rank = _size(ordered, (last,)) - 1
        ranks = where(any(nan, last, keepdim=True), last_rank, q * last_rank)  # any NaN: rank of the last, a NaN

    if many_q:
        ordered = unsqueeze(ordered, 0)  # (1, *batch, n), broadcast against the ranks of every q

    def value_at(rank):
        return take_along_dim(ordered, cast(rank, dtypes.int64), -1)

    if interpolation in _PICK:
        result = value_at(_PICK[interpolation](ranks))
    else:
        below = floor(ranks)
        weight = 0.5 if interpolation == "midpoint" else ranks - below
        result = lerp(value_at(below), value_at(ceil(ranks)), weight)
    result = squeeze(result, -1)  # ([number of q,] *batch)

    if keepdim:
        if dim is None:
            result = reshape(result, (-1,) * many_q + (1,) * input.ndim)
        elif input.ndim:
            result = unsqueeze(result, dim + many_q)
    return squeeze(result, 0) if drop_q_dim else result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-quantiles of ``input`` over ``dim`` (all entries when None); NaN for a slice holding a NaN.

    ``q`` is a float or a 0-d/1-d tensor (of input's dtype) of values in [0, 1]. A 1-d q adds a leading dim to
    the result, one entry per q. ``interpolation``: 'linear', 'lower', 'higher', 'midpoint' or 'nearest' (module
    docstring). float32/float64 inputs only, as in PyTorch."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` of the entries that are not NaN (NaN only for a slice holding nothing else)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)
