"""Op table entries for ``index_reduce`` (index_reduce.py): each reduction, with and without ``include_self``,
along the first and the last dim. As for scatter_reduce, the values of "amax"/"amin" inputs are distinct (at a
tie the gradient is shared, which central differences cannot see) and those of "prod" stay away from 0."""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec
from .specs_index_updates import slices

_REDUCE = {"prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def np_index_reduce(x, dim, index, source, reduce, include_self):
    """The definition: slice p of the result reduces x's slice p (if included) with every source slice k sent
    there (index[k] == p)."""
    out, x, source = np.moveaxis(x.copy(), dim, 0), np.moveaxis(x, dim, 0), np.moveaxis(source, dim, 0)
    for p in np.unique(index):
        values = ([x[p]] if include_self else []) + [source[k] for k in np.flatnonzero(index == p)]
        out[p] = _REDUCE[reduce](np.stack(values), axis=0)
    return np.moveaxis(out, 0, dim)


def _distinct(arrays):
    """(x, index, source) with x's and source's values replaced by distinct multiples of 0.1, in a drawn order."""
    x, index, source = arrays
    n = x.size + source.size
    return st.permutations(range(n)).map(lambda p: (
        (np.array(p[:x.size], dtype=np.float64).reshape(x.shape) - n / 2) / 10, index,
        (np.array(p[x.size:], dtype=np.float64).reshape(source.shape) - n / 2) / 10))


def _away_from_zero(arrays):
    x, index, source = arrays
    return tuple(np.where(np.abs(a) < 0.2, 0.5, a) if a.dtype.kind == "f" else a for a in (x, index, source))


def _spec(reduce, include_self, dim):
    inputs = slices(dim)
    if reduce in ("amax", "amin"):
        inputs = inputs.flatmap(_distinct)
    elif reduce == "prod":
        inputs = inputs.map(_away_from_zero)
    return OpSpec(
        f"index_reduce_{reduce}" + ("" if include_self else "_exclude_self") + ("_last_dim" if dim else ""),
        lambda m, x, i, s: m.index_reduce(x, dim, i, s, reduce, include_self=include_self),
        lambda x, i, s: np_index_reduce(x, dim, i, s, reduce, include_self), inputs, raw_inputs=(1,),
        grad_inputs=(0, 2))


SPECS = [_spec(reduce, include_self, dim) for reduce in _REDUCE for include_self in (True, False) for dim in (0, -1)]
