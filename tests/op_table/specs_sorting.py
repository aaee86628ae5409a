"""Op table entries for sorting and order statistics (sorting.py): sort, argsort, msort, topk, kthvalue, median,
unique.

Where entries tie, which one an index names (and which one gets the gradient) is an implementation detail, so the
differentiated specs draw values that never tie (``distinct``: at least 0.01 apart, far more than the finite
difference step). The ties specs check values and our stable order only; PyTorch is asked for its stable sort.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, nonempty_shapes, shapes, unary
from .specs_reduce import at_least, distinct

PIECEWISE_LINEAR = "piecewise linear (entries move, unchanged): the second derivative is 0; checked for sort/topk"


def _sort(a, axis=-1, descending=False):
    """numpy's stable sort, descending by sorting the negation (fine for values without NaN)."""
    if a.ndim == 0:
        return a, np.zeros((), dtype=np.int64)
    index = np.argsort(-a if descending else a, axis=axis, kind="stable")
    return np.take_along_axis(a, index, axis), index


def _topk(a, k, axis=-1, largest=True):
    values, index = _sort(a, axis, largest)
    keep = (slice(None),) * (axis % a.ndim) + (slice(0, k),)
    return values[keep], index[keep]


def _kth(a, k, axis, keepdims=False):
    """The k-th smallest (k from 1) along ``axis`` and its index."""
    values, index = _sort(a, axis)
    pick = (slice(None),) * (axis % a.ndim) + (slice(k - 1, k),)
    values, index = values[pick], index[pick]
    return (values, index) if keepdims else (values.squeeze(axis), index.squeeze(axis))


def _unique(a):
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
    return values, inverse.reshape(a.shape), counts


def _ties():
    """Half-integers, so equal entries are common."""
    return unary(shapes(min_dims=1)).map(lambda t: (np.round(t[0] * 2) / 2,))


SPECS = [
    OpSpec("sort", lambda m, x: m.sort(x), lambda a: _sort(a), distinct(), outputs=(0,),
           notes="values (their gradient); the indices are checked by the ties specs and argsort"),
    OpSpec("sort_ties_stable", lambda m, x: m.sort(x, stable=True), lambda a: _sort(a), _ties(), grad_inputs=(),
           notes="values and indices: equal entries keep their order (the stable sort)"),
    OpSpec("sort_ties_descending", lambda m, x: m.sort(x, dim=0, descending=True, stable=True),
           lambda a: _sort(a, 0, True), _ties(), grad_inputs=()),
    OpSpec("argsort", lambda m, x: m.argsort(x, dim=-1, descending=True), lambda a: _sort(a, -1, True)[1],
           distinct(), grad_inputs=()),
    OpSpec("topk", lambda m, x: m.topk(x, min(2, x.shape[-1])), lambda a: _topk(a, min(2, a.shape[-1])),
           distinct(nonempty_shapes(min_dims=1)), outputs=(0,)),
    OpSpec("topk_indices", lambda m, x: m.topk(x, min(3, x.shape[-1])), lambda a: _topk(a, min(3, a.shape[-1])),
           distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("topk_smallest_dim0", lambda m, x: m.topk(x, 1, dim=0, largest=False), lambda a: _topk(a, 1, 0, False),
           distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("topk_k0", lambda m, x: m.topk(x, 0), lambda a: _topk(a, 0), unary(at_least(1)), grad_inputs=()),
    OpSpec("kthvalue_keepdim", lambda m, x: m.kthvalue(x, x.shape[0], 0, keepdim=True),
           lambda a: _kth(a, a.shape[0], 0, True), distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("median_all", lambda m, x: m.median(x), lambda a: np.sort(a, axis=None)[(a.size - 1) // 2],
           distinct(), second_order=False, notes="the lower median; " + PIECEWISE_LINEAR),
    OpSpec("median_dim", lambda m, x: m.median(x, -1), lambda a: _kth(a, (a.shape[-1] + 1) // 2, -1),
           distinct(nonempty_shapes(min_dims=1)), outputs=(0,), second_order=False, notes=PIECEWISE_LINEAR),
    OpSpec("median_dim_keepdim", lambda m, x: m.median(x, 0, keepdim=True),
           lambda a: _kth(a, (a.shape[0] + 1) // 2, 0, True), distinct(nonempty_shapes(min_dims=1)), grad_inputs=()),
    OpSpec("unique", lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
           lambda a: _unique(a), _ties(), grad_inputs=()),
    OpSpec("unique_int", lambda m, x: m.unique(x), lambda a: np.unique(a),
           st.lists(st.integers(-3, 3), max_size=8).map(lambda v: (np.array(v, dtype=np.int64),)), grad_inputs=(),
           raw_inputs=(0,)),
]
