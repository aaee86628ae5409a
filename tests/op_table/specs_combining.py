"""Op table entries for the combining and rearranging functions (combining.py): atleast_nd, dstack, column_stack,
broadcast_tensors, block_diag, cartesian_prod, combinations, kron, linalg_multi_dot, rot90, select, unfold (the
tensor method), tensor_split, hsplit, vsplit, dsplit.

All but kron and multi_dot are linear in their inputs (they move or repeat entries), so their second derivatives
are 0: second order is checked for the products only. Size-0 dims come from the shape strategies.
"""
import itertools

import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, broadcastable, floats_array, shapes, unary

LINEAR = "linear: the second derivative is 0 (second order is checked for kron and multi_dot)"


def _linear(name, fn, reference, inputs, notes="", **kw):
    return OpSpec(name, fn, reference, inputs, second_order=False, notes=f"{LINEAR}; {notes}" if notes else LINEAR,
                  **kw)


def _sides(n, low=0, high=3):
    return st.lists(st.integers(low, high), min_size=n, max_size=n)


def _arrays(*shape_fns):
    """One array per function of the drawn sides: ``_arrays(lambda s: (s[0],), lambda s: (2, s[0]))``."""
    return _sides(3).flatmap(lambda s: st.tuples(*(floats_array(f(s)) for f in shape_fns)))


def _block_diag(*arrays):
    blocks = [a.reshape(1, -1) if a.ndim < 2 else a for a in arrays]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)), blocks[0].dtype)
    row = col = 0
    for b in blocks:
        out[row:row + b.shape[0], col:col + b.shape[1]] = b
        row, col = row + b.shape[0], col + b.shape[1]
    return out


def _combinations(a, r, with_replacement=False):
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(choose(a.tolist(), r))
    return np.array(rows, dtype=a.dtype).reshape(len(rows), r)


def _windows(a, dim, size, step):
    """``x.unfold(dim, size, step)`` in numpy: the windows along ``dim``, each window's entries last."""
    count = (a.shape[dim] - size) // step + 1
    windows = [np.take(a, range(w * step, w * step + size), axis=dim) for w in range(count)]
    return np.moveaxis(np.stack(windows, axis=dim), dim + 1, -1)


def _splits(a, bounds, dim):
    """``a`` cut at ``bounds`` along ``dim``, with Python's slicing rules (as tensor_split)."""
    bounds = [None, *bounds, None]
    return tuple(a[(slice(None),) * dim + (slice(start, stop),)] for start, stop in zip(bounds, bounds[1:]))


def _sections(a, n, dim):
    q, r = divmod(a.shape[dim], n)
    return _splits(a, list(itertools.accumulate([q + 1] * r + [q] * (n - r)))[:-1], dim)


def _rot90_inputs():
    return unary(shapes(min_dims=3, max_dims=3))


SPECS = [
    _linear("combining_atleast_1d", lambda m, x: m.atleast_1d(x), np.atleast_1d, unary(shapes(max_dims=2))),
    _linear("combining_atleast_2d", lambda m, x: m.atleast_2d(x), np.atleast_2d, unary(shapes(max_dims=3))),
    _linear("combining_atleast_3d_several", lambda m, a, b, c: m.atleast_3d(a, b, c),
            lambda a, b, c: tuple(np.atleast_3d(x) for x in (a, b, c)),
            _arrays(lambda s: (), lambda s: (s[0],), lambda s: (s[0], s[1])), grad_inputs=(0, 1, 2)),
    _linear("combining_dstack", lambda m, a, b: m.dstack([a, b]), lambda a, b: np.dstack([a, b]),
            _arrays(lambda s: (s[0], s[1]), lambda s: (s[0], s[1], s[2])), grad_inputs=(0, 1)),
    _linear("combining_dstack_vectors", lambda m, a, b: m.dstack((a, b)), lambda a, b: np.dstack([a, b]),
            _arrays(lambda s: (s[0],), lambda s: (s[0],)), grad_inputs=(0, 1)),
    _linear("combining_column_stack", lambda m, a, b, c: m.column_stack([a, b, c]),
            lambda a, b, c: np.column_stack([a, b, c]),
            _arrays(lambda s: (s[0],), lambda s: (s[0], s[1]), lambda s: (s[0],)), grad_inputs=(0, 1, 2)),
    _linear("combining_broadcast_tensors", lambda m, a, b, c: m.broadcast_tensors(a, b, c),
            lambda a, b, c: tuple(np.broadcast_arrays(a, b, c)), broadcastable(3), grad_inputs=(0, 1, 2)),
    _linear("combining_block_diag", lambda m, a, b, c: m.block_diag(a, b, c), _block_diag,
            _sides(3, 1).flatmap(lambda s: st.tuples(floats_array(()), floats_array((s[0],)),
                                                     floats_array((s[1], s[2])))), grad_inputs=(0, 1, 2),
            notes="non-empty blocks: PyTorch 2.13 misplaces the gradient of a block after an empty one "
                  "(test_more_ops_torch.py checks ours there)"),
    _linear("combining_cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b),
            lambda a, b: np.stack(np.meshgrid(a, b, indexing="ij"), -1).reshape(-1, 2),
            _arrays(lambda s: (s[0],), lambda s: (s[1],)), grad_inputs=(0, 1)),
    _linear("combining_combinations", lambda m, x: m.combinations(x), lambda a: _combinations(a, 2),
            unary(shapes(min_dims=1, max_dims=1, max_side=5))),
    _linear("combining_combinations_with_replacement", lambda m, x: m.combinations(x, r=3, with_replacement=True),
            lambda a: _combinations(a, 3, True), unary(shapes(min_dims=1, max_dims=1))),
    OpSpec("combining_kron", lambda m, a, b: m.kron(a, b), np.kron,
           st.tuples(shapes(max_dims=3, max_side=3), shapes(max_dims=3, max_side=3))
           .flatmap(lambda s: st.tuples(floats_array(s[0]), floats_array(s[1]))), grad_inputs=(0, 1)),
    OpSpec("combining_linalg_multi_dot", lambda m, *xs: m.linalg_multi_dot(xs), lambda *xs: np.linalg.multi_dot(xs),
           _sides(4, 1, 4).flatmap(lambda s: st.tuples(floats_array((s[0],)), floats_array((s[0], s[1])),
                                                       floats_array((s[1], s[2])), floats_array((s[2], s[3])),
                                                       floats_array((s[3],)))),
           grad_inputs=(0, 1, 2, 3, 4), rtol=1e-4, atol=1e-5, torch_fn=lambda t, *xs: t.linalg.multi_dot(xs)),
    _linear("combining_rot90", lambda m, x: m.rot90(x), lambda a: np.rot90(a), _rot90_inputs()),
    _linear("combining_rot90_twice", lambda m, x: m.rot90(x, 2, (1, 2)), lambda a: np.rot90(a, 2, (1, 2)),
            _rot90_inputs()),
    _linear("combining_rot90_negative", lambda m, x: m.rot90(x, -1, (2, 0)), lambda a: np.rot90(a, -1, (2, 0)),
            _rot90_inputs()),
    _linear("combining_select", lambda m, x: m.select(x, -1, -1), lambda a: a[..., -1],
            unary(shapes(min_dims=1, min_side=1))),
    _linear("combining_unfold", lambda m, x: m.unfold_windows(x, -1, 2, 1), lambda a: _windows(a, a.ndim - 1, 2, 1),
            unary(shapes(min_dims=1, min_side=2)), torch_fn=lambda t, x: x.unfold(-1, 2, 1)),
    _linear("combining_unfold_step", lambda m, x: m.unfold_windows(x, 0, 1, 2), lambda a: _windows(a, 0, 1, 2),
            unary(shapes(min_dims=1, min_side=1)), torch_fn=lambda t, x: x.unfold(0, 1, 2)),
    _linear("combining_tensor_split_sections", lambda m, x: m.tensor_split(x, 3, -1),
            lambda a: _sections(a, 3, a.ndim - 1),
            unary(shapes(min_dims=1))),
    _linear("combining_tensor_split_indices", lambda m, x: m.tensor_split(x, [1, 3, 2]),
            lambda a: _splits(a, [1, 3, 2], 0),
            unary(shapes(min_dims=1))),
    _linear("combining_hsplit", lambda m, x: m.hsplit(x, [1]), lambda a: tuple(np.hsplit(a, [1])),
            unary(shapes(min_dims=1))),
    _linear("combining_vsplit", lambda m, x: m.vsplit(x, 2), lambda a: tuple(np.vsplit(a, 2)),
            _sides(2).flatmap(lambda s: st.tuples(floats_array((2 * s[0], s[1]))))),
    _linear("combining_dsplit", lambda m, x: m.dsplit(x, [2]), lambda a: tuple(np.dsplit(a, [2])),
            unary(shapes(min_dims=3, max_dims=3))),
]
