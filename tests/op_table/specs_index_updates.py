"""Op table entries for index_updates.py (index_add, index_copy, index_fill, masked_scatter, take, take_along_dim,
put, select/slice/diagonal_scatter), as_strided.py, scaled_products.py (addcmul, addcdiv, baddbmm, addbmm, addmv,
addr), running_extrema.py (cummax, cummin) and the batched diagonals of matrix.py (diagonal, diag_embed). Index arrays and masks are raw inputs.

Writes and reads are linear in the float inputs: their second derivatives are 0, checked for a few. The products
are bilinear, so their second order is checked throughout."""
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array, shapes, unary
from .specs_shape import plus, sided

LINEAR = "linear in its float inputs: the second derivative is 0 (checked for index_add and take)"


def _linear(name, fn, reference, inputs, **kw):
    return OpSpec(name, fn, reference, inputs, second_order=False, notes=kw.pop("notes", LINEAR), **kw)


def _along(dim, n, at):
    """Shape ``n`` with its ``dim`` replaced by ``at``."""
    n = list(n)
    n[dim] = at
    return tuple(n)


def slices(dim, unique=False):
    """``(x, index, source)``: positions along ``dim`` (up to 3, repeats allowed unless ``unique``) and a source
    with one slice per position."""
    def arrays(s):
        n = s[dim]
        if unique:
            index = st.permutations(range(n)).flatmap(lambda p: st.integers(0, n).map(lambda k: np.array(p[:k])))
        else:
            index = hnp.arrays(np.int64, st.integers(0, 3).map(lambda k: (k,)), elements=st.integers(0, n - 1))
        return index.flatmap(lambda i: st.tuples(floats_array(s), st.just(i.astype(np.int64)),
                                                 floats_array(_along(dim, s, len(i)))))
    return sided(1, min_side=1).flatmap(arrays)


def np_index_add(x, dim, index, source, alpha=1.0):
    out = x.copy()
    np.add.at(out, (slice(None),) * (dim % x.ndim) + (index,), alpha * source)
    return out


def np_write(x, dim, index, value):
    out = x.copy()
    out[(slice(None),) * (dim % x.ndim) + (index,)] = value
    return out


def flat_positions(unique, negative=True):
    """A maker: int64 flat positions into an array of the drawn shape (distinct ones when ``unique``)."""
    def make(s):
        n = math.prod(s)
        if unique:
            return st.permutations(range(n)).flatmap(
                lambda p: st.integers(0, n).map(lambda k: np.array(p[:k], dtype=np.int64)))
        return hnp.arrays(np.int64, st.integers(0, 5).map(lambda k: (k,)),
                          elements=st.integers(-n if negative else 0, n - 1))
    return make


def with_source(s_and_index):
    s, index = s_and_index
    return st.tuples(floats_array(s), st.just(index), floats_array(index.shape))


def np_put(x, index, source, accumulate):
    out = x.copy().reshape(-1)
    if accumulate:
        np.add.at(out, index, source)
    else:
        out[index] = source
    return out.reshape(x.shape)


def masks_and_sources(broadcast=False):
    """``(x, mask, source)``: source has more entries than the mask has Trues; with ``broadcast`` x is one row and
    the mask a matrix."""
    def arrays(s):
        x_shape = s[1:] if broadcast else s
        return st.tuples(floats_array(x_shape), hnp.arrays(np.bool_, s),
                         floats_array((math.prod(s) + 1,)))
    return sided(1, min_side=0).flatmap(arrays) if not broadcast else sided(2, 2).flatmap(arrays)


def np_masked_scatter(x, mask, source):
    out = np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape)).copy()
    out[mask] = source.reshape(-1)[:int(mask.sum())]
    return out


def distinct(shape_strategy):
    """One float array of distinct values, at least 0.37 apart (no ties: running maxima are differentiable)."""
    def array(s):
        n = math.prod(s)
        return st.permutations(range(n)).map(lambda p: (np.array(p, dtype=np.float64) * 0.37 - 1).reshape(s))
    return shape_strategy.flatmap(lambda s: st.tuples(array(s)))


def np_running(x, dim, pick):
    """(values, indices) of the running max/min along ``dim``, the latest of ties."""
    x = np.moveaxis(x, dim, -1)
    values, indices = np.empty_like(x), np.zeros(x.shape, dtype=np.int64)
    for pos in np.ndindex(*x.shape[:-1]):
        best = 0
        for i in range(x.shape[-1]):
            if pick(x[pos + (i,)], x[pos + (best,)]) or x[pos + (i,)] == x[pos + (best,)]:
                best = i
            values[pos + (i,)], indices[pos + (i,)] = x[pos + (best,)], best
    return np.moveaxis(values, -1, dim), np.moveaxis(indices, -1, dim)


def np_diag_embed(v, offset, dim1, dim2):
    n = v.shape[-1] + abs(offset)
    out = np.zeros(v.shape[:-1] + (n, n), dtype=v.dtype)
    rows, cols = np.arange(v.shape[-1]) + max(-offset, 0), np.arange(v.shape[-1]) + max(offset, 0)
    out[..., rows, cols] = v
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


def products(*shape_of):
    """Float arrays for a product: ``shape_of[i](b, n, m, p)`` for drawn sizes."""
    sizes = st.tuples(*(st.integers(0 if i else 1, 3) for i in range(4)))
    return sizes.flatmap(lambda d: st.tuples(*(floats_array(f(*d)) for f in shape_of)))


def broadcast3(**kw):
    """Three float arrays whose shapes broadcast together (the last one kept away from 0, a divisor)."""
    base = hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0, max_side=3)
    return base.flatmap(lambda b: st.tuples(floats_array(b.input_shapes[0]), floats_array(b.input_shapes[1]),
                                            floats_array(b.input_shapes[2], **kw)))


#: small integers as floats: many ties
TIES = st.tuples(hnp.arrays(np.float64, (2, 5), elements=st.sampled_from([0.0, 1.0, 2.0])))

def _matrix_and(src_shape):
    """``(x, src)``: a matrix of at least 2 x 2 and (unless ``src_shape`` is None) a second array of
    ``src_shape(rows, columns)``."""
    def arrays(rc):
        if src_shape is None:
            return st.tuples(floats_array(rc))
        return st.tuples(floats_array(rc), floats_array(src_shape(*rc)))
    return st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(arrays)


def _written(x, index, src):
    out = x.copy()
    out[index] = src
    return out


SPECS = [
    # --------------------------------------------------------------------- index_add, index_copy, index_fill
    OpSpec("index_updates_index_add", lambda m, x, i, s: m.index_add(x, 0, i, s),
           lambda a, i, s: np_index_add(a, 0, i, s), slices(0), raw_inputs=(1,), grad_inputs=(0, 2),
           notes="repeated positions add up"),
    _linear("index_updates_index_add_alpha_last_dim", lambda m, x, i, s: m.index_add(x, -1, i, s, alpha=2.5),
            lambda a, i, s: np_index_add(a, -1, i, s, 2.5), slices(-1), raw_inputs=(1,), grad_inputs=(0, 2)),
    _linear("index_updates_index_add_0d", lambda m, x, i, s: m.index_add(x, 0, i, s), lambda a, i, s: a + s,
            st.tuples(floats_array(()), st.just(np.array([0])), floats_array(())), raw_inputs=(1,),
            grad_inputs=(0, 2), notes="a 0-d tensor is a vector of one element"),
    _linear("index_updates_index_copy", lambda m, x, i, s: m.index_copy(x, 0, i, s),
            lambda a, i, s: np_write(a, 0, i, s), slices(0, unique=True), raw_inputs=(1,), grad_inputs=(0, 2)),
    _linear("index_updates_index_copy_last_dim", lambda m, x, i, s: m.index_copy(x, -1, i, s),
            lambda a, i, s: np_write(a, -1, i, s), slices(-1, unique=True), raw_inputs=(1,), grad_inputs=(0, 2)),
    _linear("index_updates_index_fill", lambda m, x, i: m.index_fill(x, -1, i, -1.5),
            lambda a, i: np_write(a, -1, i, -1.5),
            plus(sided(1, min_side=1), lambda s: hnp.arrays(np.int64, (3,), elements=st.integers(-s[-1], s[-1] - 1))),
            raw_inputs=(1,), notes="negative and repeated positions"),
    _linear("index_updates_index_fill_tensor_value", lambda m, x, i, v: m.index_fill(x, 0, i, v),
            lambda a, i, v: np_write(a, 0, i, v),
            plus(sided(1, min_side=1), lambda s: hnp.arrays(np.int64, (2,), elements=st.integers(0, s[0] - 1)),
                 lambda s: floats_array(())), raw_inputs=(1,), grad_inputs=(0, 2),
            notes="the value's gradient counts each filled place once, also when a position repeats"),
    # ---------------------------------------------------------------------------------------- masked_scatter
    _linear("index_updates_masked_scatter", lambda m, x, k, s: m.masked_scatter(x, k, s), np_masked_scatter,
            masks_and_sources(), raw_inputs=(1,), grad_inputs=(0, 2)),
    OpSpec("index_updates_masked_scatter_broadcast", lambda m, x, k, s: m.masked_scatter(x, k, s), np_masked_scatter,
           masks_and_sources(broadcast=True), raw_inputs=(1,), grad_inputs=(0, 2),
           notes="x is one row, broadcast to the mask's shape"),
    # ------------------------------------------------------------------------------ take, take_along_dim, put
    OpSpec("index_updates_take", lambda m, x, i: m.take(x, i), lambda a, i: a.reshape(-1)[i],
           plus(sided(1, min_side=1), lambda s: hnp.arrays(np.int64, (2, 2), elements=st.integers(
               -math.prod(s), math.prod(s) - 1))), raw_inputs=(1,), notes="negative and repeated positions"),
    _linear("index_updates_take_along_dim", lambda m, x, i: m.take_along_dim(x, i, 1),
            lambda a, i: np.take_along_axis(np.broadcast_to(a, (max(a.shape[0], i.shape[0]), a.shape[1])),
                                            np.broadcast_to(i, (max(a.shape[0], i.shape[0]), i.shape[1])), 1),
            st.tuples(st.integers(1, 3), st.integers(1, 3), st.booleans()).flatmap(lambda d: st.tuples(
                floats_array((d[0], d[1])),
                hnp.arrays(np.int64, (1 if d[2] else d[0], 2), elements=st.integers(-d[1], d[1] - 1)))),
            raw_inputs=(1,), notes="indices of one row broadcast against every row of x"),
    _linear("index_updates_take_along_dim_flat", lambda m, x, i: m.take_along_dim(x, i),
            lambda a, i: a.reshape(-1)[i.reshape(-1)],
            plus(sided(1, min_side=1), lambda s: hnp.arrays(np.int64, (2, 1), elements=st.integers(
                0, math.prod(s) - 1))), raw_inputs=(1,)),
    _linear("index_updates_put", lambda m, x, i, s: m.put(x, i, s), lambda a, i, s: np_put(a, i, s, False),
            sided(1, min_side=1).flatmap(lambda s: flat_positions(True)(s).map(lambda i: (s, i))).flatmap(
                with_source), raw_inputs=(1,), grad_inputs=(0, 2)),
    _linear("index_updates_put_accumulate", lambda m, x, i, s: m.put(x, i, s, accumulate=True),
            lambda a, i, s: np_put(a, i, s, True),
            sided(1, min_side=1).flatmap(lambda s: flat_positions(False)(s).map(lambda i: (s, i))).flatmap(
                with_source), raw_inputs=(1,), grad_inputs=(0, 2), notes="repeated positions add up"),
    # ------------------------------------------------------------------------------------ diagonal, diag_embed
    OpSpec("index_updates_diagonal", lambda m, x: m.diagonal(x), lambda a: np.diagonal(a, 0, 0, 1).copy(),
           st.tuples(floats_array((3, 2, 4)))),
    _linear("index_updates_diagonal_offset_dims", lambda m, x: m.diagonal(x, 1, -1, 0),
            lambda a: np.diagonal(a, 1, -1, 0).copy(),
            st.tuples(st.integers(0, 3), st.integers(0, 3)).flatmap(
                lambda d: st.tuples(floats_array((d[0], 2, d[1]))))),
    _linear("index_updates_diagonal_below", lambda m, x: m.diagonal(x, -2, 1, 2),
            lambda a: np.diagonal(a, -2, 1, 2).copy(),
            st.tuples(floats_array((2, 4, 3)))),
    OpSpec("index_updates_diag_embed", lambda m, v: m.diag_embed(v), lambda a: np_diag_embed(a, 0, -2, -1),
           st.tuples(floats_array((2, 3)))),
    _linear("index_updates_diag_embed_offset_dims", lambda m, v: m.diag_embed(v, -1, 0, 2),
            lambda a: np_diag_embed(a, -1, 0, 2),
            shapes(min_dims=2, max_dims=2, max_side=3).flatmap(lambda s: st.tuples(floats_array(s)))),
    # ------------------------------------------------------------------------------------- input + scaled product
    OpSpec("index_updates_addcmul", lambda m, x, a, b: m.addcmul(x, a, b, value=-0.5), lambda x, a, b: x - 0.5 * a * b,
           broadcast3(), grad_inputs=(0, 1, 2)),
    OpSpec("index_updates_addcdiv", lambda m, x, a, b: m.addcdiv(x, a, b, value=2.0), lambda x, a, b: x + 2.0 * a / b,
           broadcast3(low=0.5, high=2.0), grad_inputs=(0, 1, 2)),
    OpSpec("index_updates_baddbmm", lambda m, x, a, b: m.baddbmm(x, a, b, beta=0.5, alpha=2.0),
           lambda x, a, b: 0.5 * x + 2.0 * (a @ b),
           products(lambda b, n, m, p: (n, 1), lambda b, n, m, p: (b, n, m), lambda b, n, m, p: (b, m, p)),
           grad_inputs=(0, 1, 2), notes="input broadcasts to the products' shape"),
    OpSpec("index_updates_addbmm", lambda m, x, a, b: m.addbmm(x, a, b, alpha=-1.0), lambda x, a, b: x - (a @ b).sum(0),
           products(lambda b, n, m, p: (p,), lambda b, n, m, p: (b, n, m), lambda b, n, m, p: (b, m, p)),
           grad_inputs=(0, 1, 2)),
    OpSpec("index_updates_addmv", lambda m, x, a, v: m.addmv(x, a, v, beta=2.0), lambda x, a, v: 2.0 * x + a @ v,
           products(lambda b, n, m, p: (n,), lambda b, n, m, p: (n, m), lambda b, n, m, p: (m,)),
           grad_inputs=(0, 1, 2)),
    OpSpec("index_updates_addr", lambda m, x, u, v: m.addr(x, u, v, beta=0.5, alpha=3.0),
           lambda x, u, v: 0.5 * x + 3.0 * np.outer(u, v),
           products(lambda b, n, m, p: (n, 1), lambda b, n, m, p: (n,), lambda b, n, m, p: (m,)),
           grad_inputs=(0, 1, 2)),
    # ----------------------------------------------------------------------------------------- cummax, cummin
    OpSpec("index_updates_cummax", lambda m, x: m.cummax(x, 0).values, lambda a: np_running(a, 0, np.greater)[0],
           distinct(sided(1, min_side=1, max_side=4)),
           notes="distinct values: no ties, where the maximum has a kink (and no empty tensors: PyTorch's "
                 "gradient of an empty cummax is not detached)"),
    _linear("index_updates_cummin_last_dim", lambda m, x: m.cummin(x, -1).values,
            lambda a: np_running(a, -1, np.less)[0],
            distinct(sided(2, min_side=1, max_side=3)),
            notes="distinct values; piecewise linear: the second derivative is 0"),
    OpSpec("index_updates_cummax_ties", lambda m, x: tuple(m.cummax(x, -1)), lambda a: np_running(a, -1, np.greater),
           TIES, grad_inputs=(), notes="ties pick the latest position (a forward check only: ties are kinks)"),
    OpSpec("index_updates_cummin_ties", lambda m, x: tuple(m.cummin(x, 0)), lambda a: np_running(a, 0, np.less),
           TIES, grad_inputs=(), notes="ties pick the latest position"),
    # -------------------------------------------------------------- a tensor written into a slice; strided views
    _linear("index_updates_select_scatter", lambda m, x, src: m.select_scatter(x, src, 0, -1),
            lambda x, src: np.concatenate([x[:-1], src[None]]), _matrix_and(lambda r, c: (c,)), grad_inputs=(0, 1)),
    _linear("index_updates_slice_scatter", lambda m, x, src: m.slice_scatter(x, src, 1, 0, None, 2),
            lambda x, src: _written(x, (slice(None), slice(None, None, 2)), src),
            _matrix_and(lambda r, c: (r, (c + 1) // 2)), grad_inputs=(0, 1)),
    _linear("index_updates_diagonal_scatter", lambda m, x, src: m.diagonal_scatter(x, src, 1),
            lambda x, src: _written(x, (np.arange(len(src)), np.arange(len(src)) + 1), src),
            _matrix_and(lambda r, c: (min(r, c - 1),)), grad_inputs=(0, 1)),
    _linear("index_updates_as_strided_windows", lambda m, x: m.as_strided(x, (x.shape[0] - 2, 3), (1, 1)),
            lambda a: np.lib.stride_tricks.sliding_window_view(a, 3), unary(st.integers(3, 6).map(lambda n: (n,))),
            notes="overlapping windows: each element's gradient sums those of every window that reads it"),
    _linear("index_updates_as_strided_offset", lambda m, x: m.as_strided(x, (x.shape[0] - 1, 2), (x.shape[1], 1), 1),
            lambda a: np.stack([a.reshape(-1)[1 + i * a.shape[1]:][:2] for i in range(a.shape[0] - 1)]),
            _matrix_and(None)),
]
