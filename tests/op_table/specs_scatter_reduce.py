"""Op table entries for scatter with a reduction (scatter_reduce.py, and scatter's ``reduce=`` in gather.py).

The index is a raw input. Inputs for "amax"/"amin" hold distinct values at least 0.1 apart (at a tie the
gradient is shared, which central differences cannot see); inputs for "prod" stay away from 0: its gradient is
exact at 0, but it divides the result by a value (``g·result/value``), which loses all precision for a tiny value
(as PyTorch's)."""
import warnings

import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes
from .specs_indexing import along
from .specs_shape import sided

_REDUCE = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def np_scatter_reduce(x, dim, index, src, reduce, include_self=True):
    """The definition, one position at a time: reduce x's value (if included) with the src values sent there."""
    sent = {}
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        if target:
            target[dim % x.ndim] = index[pos]
        sent.setdefault(tuple(target), []).append(src[pos])
    out = x.copy()
    for target, values in sent.items():
        out[target] = _REDUCE[reduce](([x[target]] if include_self else []) + values)
    return out


def with_src(dim, extra=0, **kw):
    """``(x, index, src)``: src ``extra`` larger than index in every dim; values from ``floats_array(**kw)``."""
    def arrays(s):
        return along(dim)(s).flatmap(lambda index: st.tuples(
            floats_array(s, **kw), st.just(index), floats_array(tuple(n + extra for n in index.shape), **kw)))
    return sided(1, min_side=1).flatmap(arrays)


def distinct(dim, extra=0):
    """``(x, index, src)`` whose float values, x's and src's together, are distinct multiples of 0.1."""
    def arrays(s, index):
        src_shape = tuple(n + extra for n in index.shape)
        n = int(np.prod(s)) + int(np.prod(src_shape))
        return st.permutations(range(n)).map(lambda p: (
            (np.array(p[:int(np.prod(s))], dtype=np.float64).reshape(s) - n / 2) / 10, index,
            (np.array(p[int(np.prod(s)):], dtype=np.float64).reshape(src_shape) - n / 2) / 10))
    return sided(1, min_side=1).flatmap(lambda s: along(dim)(s).flatmap(lambda index: arrays(s, index)))


def corner(src, index):
    """The corner of src that index covers (PyTorch's backward needs src cut to it)."""
    return src[tuple(slice(0, n) for n in index.shape)]


def reduce_spec(reduce, include_self, dim=0, extra=0, inputs=None, notes=""):
    name = f"scatter_reduce_{reduce}" + ("" if include_self else "_exclude_self") + ("_last_dim" if dim else "") \
        + ("_bigger_src" if extra else "")
    return OpSpec(
        name, lambda m, x, i, s: m.scatter_reduce(x, dim, i, s, reduce, include_self=include_self),
        lambda a, i, s: np_scatter_reduce(a, dim, i, corner(s, i), reduce, include_self),
        inputs if inputs is not None else with_src(dim, extra), raw_inputs=(1,), grad_inputs=(0, 2), notes=notes,
        torch_fn=lambda torch, x, i, s: torch.scatter_reduce(x, dim, i, corner(s, i), reduce,
                                                             include_self=include_self))


def _scatter_with_reduce(m, x, dim, i, s, reduce):
    """``scatter(..., reduce=)``; PyTorch warns that a tensor src with reduce is deprecated (so does minidl)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return m.scatter(x, dim, i, s, reduce=reduce)


SPECS = [
    reduce_spec("sum", True),
    reduce_spec("sum", False, dim=-1, extra=1),
    reduce_spec("mean", True, dim=-1),
    reduce_spec("mean", False, extra=1, notes="a position nothing is sent to keeps x (and its gradient)"),
    reduce_spec("prod", True, inputs=with_src(0, avoid=(0,), margin=0.1)),
    reduce_spec("prod", False, dim=-1, extra=1, inputs=with_src(-1, extra=1, avoid=(0,), margin=0.1)),
    reduce_spec("amax", True, inputs=distinct(0)),
    reduce_spec("amax", False, dim=-1, inputs=distinct(-1)),
    reduce_spec("amin", True, dim=-1, extra=1, inputs=distinct(-1, extra=1)),
    reduce_spec("amin", False, inputs=distinct(0)),
    OpSpec("scatter_reduce_0d", lambda m, x, i, s: m.scatter_reduce(x, 0, i, s, "prod"),
           lambda a, i, s: a * s,
           st.tuples(floats_array((), avoid=(0,), margin=0.1), st.just(np.array(0)),
                     floats_array((), avoid=(0,), margin=0.1)),
           raw_inputs=(1,), grad_inputs=(0, 2), notes="0-d tensors: dim 0, index 0"),
    OpSpec("scatter_reduce_empty_index", lambda m, x, i, s: m.scatter_reduce(x, 1, i, s, "amax", include_self=False),
           lambda a, i, s: a, shapes(2, 2, 1).flatmap(lambda s: st.tuples(
               floats_array(s), st.just(np.zeros((s[0], 0), np.int64)), floats_array((s[0], 0)))),
           raw_inputs=(1,), grad_inputs=(0, 2), notes="nothing is sent anywhere: x unchanged"),
    # scatter's older spelling; PyTorch has no gradient for it, so the differential test runs scatter_reduce
    OpSpec("scatter_reduce_add", lambda m, x, i, s: _scatter_with_reduce(m, x, 0, i, s, "add"),
           lambda a, i, s: np_scatter_reduce(a, 0, i, s, "sum"), with_src(0), raw_inputs=(1,), grad_inputs=(0, 2),
           torch_fn=lambda torch, x, i, s: torch.scatter_reduce(x, 0, i, s, "sum")),
    OpSpec("scatter_reduce_multiply", lambda m, x, i, s: _scatter_with_reduce(m, x, -1, i, s, "multiply"),
           lambda a, i, s: np_scatter_reduce(a, -1, i, s, "prod"), with_src(-1, avoid=(0,), margin=0.1),
           raw_inputs=(1,), grad_inputs=(0, 2),
           torch_fn=lambda torch, x, i, s: torch.scatter_reduce(x, -1, i, s, "prod")),
    OpSpec("scatter_reduce_multiply_number", lambda m, x, i, s: m.scatter(x, 0, i, value=1.5, reduce="multiply"),
           lambda a, i, s: np_scatter_reduce(a, 0, i, np.full(i.shape, 1.5, a.dtype), "prod"),
           with_src(0, avoid=(0,), margin=0.1),
           raw_inputs=(1,), grad_inputs=(0,), notes="a number combined with x everywhere index points",
           torch_fn=lambda torch, x, i, s: torch.scatter_reduce(x, 0, i, torch.full(i.shape, 1.5, dtype=x.dtype),
                                                                "prod")),
]
