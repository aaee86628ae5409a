"""Op table entries for indexing (indexing.py and gather.py). Index arrays and masks are raw inputs: they reach
the op as integer/boolean tensors (graph mode feeds them to placeholders), never as constants."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array, shapes, unary
from .specs_shape import floats, plus, sided


def positions(dim, shape=(3,), unique=False, negative=True):
    """A maker: integer positions into dim ``dim`` (negative ones too, unless told), of the given shape."""
    def make(s):
        n = s[dim]
        if unique:  # distinct positions, for writes whose order would otherwise matter
            return hnp.arrays(np.int64, (min(shape[0], n),), elements=st.integers(0, n - 1), unique=True)
        return hnp.arrays(np.int64, shape, elements=st.integers(-n if negative else 0, n - 1))
    return make


def mask(ndim, first=0):
    """A maker: a boolean mask over ``ndim`` dims from dim ``first`` on."""
    return lambda s: hnp.arrays(np.bool_, s[first:first + ndim])


def along(dim):
    """A maker: a gather/scatter index (values in range along ``dim``, no larger than x elsewhere)."""
    def make(s):
        sizes = [st.integers(0, 3) if d == dim % len(s) else st.integers(0, n) for d, n in enumerate(s)]
        high = s[dim] - 1
        return st.tuples(*sizes).flatmap(lambda shape: hnp.arrays(np.int64, shape, elements=st.integers(0, high)))
    return make


def with_src(dim, extra=0):
    """``(x, index, src)`` for scatter_add; ``src`` is ``extra`` larger than ``index`` in every dim."""
    def arrays(s):
        return along(dim)(s).flatmap(lambda index: st.tuples(
            floats_array(s), st.just(index), floats_array(tuple(n + extra for n in index.shape))))
    return sided(1, min_side=1).flatmap(arrays)


def np_gather(x, dim, index):
    corner = x[tuple(slice(None) if d == dim % x.ndim else slice(0, n) for d, n in enumerate(index.shape))]
    return np.take_along_axis(corner, index, axis=dim)


def np_scatter_add(x, dim, index, src, write=False):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim % x.ndim] = index[pos]
        out[tuple(target)] = src[pos] if write else out[tuple(target)] + src[pos]
    return out


def with_distinct_rows():
    """``(x, index, src)`` for scatter along dim 0: in every column the index names distinct rows (where two
    values go to one place, which lands is undefined), and src is as big as index."""
    def arrays(s):
        rows = hnp.arrays(np.int64, (min(3, s[0]),), elements=st.integers(0, s[0] - 1), unique=True)
        return rows.flatmap(lambda r: st.tuples(floats_array(s), st.just(np.broadcast_to(
            r.reshape((-1,) + (1,) * (len(s) - 1)), (len(r),) + tuple(s[1:])).copy()),
            floats_array((len(r),) + tuple(s[1:]))))
    return sided(1, min_side=1).flatmap(arrays)


def np_index_put(x, index, value):
    out = x.copy()
    out[index] = value
    return out


def assigned(x, index, value):
    """PyTorch's spelling of ``index_put(x, index, value)``: assignment into a clone."""
    y = x.clone()
    y[index] = value
    return y


def at_least(n_dims, min_side=1, max_dims=3):
    return sided(n_dims, max_dims, min_side=min_side)


S = slice(None)


def item(name, index, inputs, reference=None, torch_fn=None, **kw):
    """A spec for ``x[index(*index_inputs)]``: the inputs after ``x`` are raw index arrays."""
    n = index.__code__.co_argcount
    return OpSpec(name, lambda m, x, *raw: m.getitem(x, index(*raw)),
                  reference or (lambda a, *raw: a[index(*raw)]), inputs, raw_inputs=tuple(range(1, n + 1)),
                  torch_fn=(lambda torch, x, *raw: x[index(*raw)]) if torch_fn is None else torch_fn, **kw)

SPECS = [
    # ------------------------------------------------------------------------------- basic: a view of x
    item("getitem_int", lambda: 0, unary(at_least(1))),
    item("getitem_negative_ints", lambda: (-1, 1), unary(at_least(2, min_side=2))),
    item("getitem_to_scalar", lambda: (0, -1), unary(at_least(2, max_dims=2))),
    item("getitem_slices_steps", lambda: (slice(1, None), slice(None, None, 2)), unary(sided(2))),
    item("getitem_negative_steps", lambda: (slice(None, None, -1), slice(-1, 0, -2)), unary(sided(2)),
         torch_fn=lambda torch, x: x.flip(0, 1)[:, :x.shape[1] - 1:2],
         notes="PyTorch refuses negative steps; its differential check flips instead"),
    item("getitem_none_ellipsis", lambda: (None, ..., None), unary(shapes())),
    item("getitem_int_ellipsis_slice", lambda: (0, ..., None, slice(None, None, 2)), unary(at_least(2))),
    item("getitem_true", lambda: True, unary(shapes())),
    # ----------------------------------------------------------------- advanced: gather (VJP scatter-adds)
    item("getitem_list_repeated", lambda: [0, 0, -1], unary(at_least(1)),
         notes="a position picked twice gets both gradient contributions"),
    item("getitem_list_second_dim", lambda: (S, [1, 0, 1]), unary(at_least(2, min_side=2))),
    item("getitem_empty_list", lambda: [], unary(at_least(1, min_side=0)),
         reference=lambda a: a[np.zeros(0, np.int64)]),
    item("getitem_int_then_list", lambda: (0, S, [0, 1]), unary(at_least(3, min_side=2)),
         reference=lambda a: a[0][:, [0, 1]], notes="PyTorch applies the int first (numpy would put the list's "
                                                    "dim in front)"),
    item("getitem_tensor", lambda i: i, plus(at_least(1), positions(0, (2, 3)))),
    item("getitem_tensors_apart", lambda i, j: (i, S, j), plus(at_least(3), positions(0), positions(2, (1,))),
         notes="index arrays not side by side: their dim goes in front"),
    item("getitem_tensors_adjacent", lambda i, j: (S, i, j), plus(at_least(3), positions(1), positions(2))),
    item("getitem_mask", lambda k: k, plus(shapes(), mask(3))),
    item("getitem_mask_then_slice", lambda k: (k, slice(1, None)), plus(sided(2), mask(1))),
    item("getitem_mask_and_int", lambda k: (S, k, 0), plus(at_least(3), mask(1, first=1)),
         reference=lambda a, k: a[:, :, 0][:, k]),
    # ------------------------------------------------------------------------------- x[index] = value
    OpSpec("index_put_slice", lambda m, x, v: m.index_put(x, (S, 0), v), lambda a, v: np_index_put(a, (S, 0), v),
           plus(at_least(2, max_dims=2), floats(lambda s: s[:1])), grad_inputs=(0, 1),
           torch_fn=lambda torch, x, v: assigned(x, (S, 0), v)),
    OpSpec("index_put_broadcast_value", lambda m, x, v: m.index_put(x, 1, v),
           lambda a, v: np_index_put(a, 1, v), plus(at_least(2, min_side=2), floats(lambda s: (1,))),
           grad_inputs=(0, 1), torch_fn=lambda torch, x, v: assigned(x, 1, v)),
    OpSpec("index_put_positions", lambda m, x, i, v: m.index_put(x, i, v), lambda a, i, v: np_index_put(a, i, v),
           plus(at_least(1), positions(0, unique=True), floats(lambda s: (1,) + s[1:])), raw_inputs=(1,),
           grad_inputs=(0, 2), torch_fn=lambda torch, x, i, v: assigned(x, i, v)),
    OpSpec("index_put_mask_value", lambda m, x, k, v: m.index_put(x, k, v), lambda a, k, v: np.where(k, v, a),
           plus(shapes(), mask(3), floats(lambda s: ())), raw_inputs=(1,), grad_inputs=(0, 2),
           torch_fn=lambda torch, x, k, v: assigned(x, k, v)),
    OpSpec("index_put_mask_number", lambda m, x, k: m.index_put(x, k, 0.5),
           lambda a, k: np.where(k, a.dtype.type(0.5), a), plus(shapes(), mask(3)), raw_inputs=(1,),
           torch_fn=lambda torch, x, k: assigned(x, k, 0.5)),
    OpSpec("index_put_list_number", lambda m, x: m.index_put(x, (S, [0, -1]), -2.0),
           lambda a: np_index_put(a, (S, [0, -1]), -2.0), unary(at_least(2)),
           torch_fn=lambda torch, x: assigned(x, (S, [0, -1]), -2.0)),
    # -------------------------------------------------------------------------------------- index_select
    OpSpec("index_select", lambda m, x, i: m.index_select(x, 1, i), lambda a, i: a[:, i],
           plus(at_least(2), positions(1, (4,), negative=False)), raw_inputs=(1,)),
    OpSpec("index_select_0d_index", lambda m, x, i: m.index_select(x, -1, i), lambda a, i: a[..., i[None]],
           plus(at_least(1), positions(-1, (), negative=False)), raw_inputs=(1,)),
    # ------------------------------------------------------------------------------- gather, scatter_add
    OpSpec("gather", lambda m, x, i: m.gather(x, 0, i), lambda a, i: np_gather(a, 0, i),
           plus(at_least(1), along(0)), raw_inputs=(1,)),
    OpSpec("gather_last_dim", lambda m, x, i: m.gather(x, -1, i), lambda a, i: np_gather(a, -1, i),
           plus(at_least(2), along(-1)), raw_inputs=(1,)),
    OpSpec("scatter_add", lambda m, x, i, s: m.scatter_add(x, 0, i, s), lambda a, i, s: np_scatter_add(a, 0, i, s),
           with_src(0), raw_inputs=(1,), grad_inputs=(0, 2)),
    OpSpec("scatter_add_bigger_src", lambda m, x, i, s: m.scatter_add(x, -1, i, s),
           lambda a, i, s: np_scatter_add(a, -1, i, s), with_src(-1, extra=1), raw_inputs=(1,), grad_inputs=(0, 2),
           notes="only the corner of src that index covers is used; PyTorch's backward fails here, so its "
                 "differential check gets src cut to that corner",
           torch_fn=lambda torch, x, i, s: torch.scatter_add(x, -1, i, s[tuple(slice(0, n) for n in i.shape)])),
    OpSpec("scatter", lambda m, x, i, s: m.scatter(x, 0, i, s), lambda a, i, s: np_scatter_add(a, 0, i, s, write=True),
           with_distinct_rows(), raw_inputs=(1,), grad_inputs=(0, 2)),
    OpSpec("scatter_number", lambda m, x, i, s: m.scatter(x, 0, i, 2.5),
           lambda a, i, s: np_scatter_add(a, 0, i, np.full(i.shape, 2.5, a.dtype), write=True),
           with_distinct_rows(), raw_inputs=(1,), grad_inputs=(0,), notes="a number written everywhere index points"),
    # ---------------------------------------------------------------------------------------------- one_hot
    OpSpec("one_hot", lambda m, k: m.one_hot(k, 5), lambda k: (k[..., None] == np.arange(5)).astype(np.int64),
           shapes().flatmap(lambda s: st.tuples(hnp.arrays(np.int64, s, elements=st.integers(0, 4)))),
           raw_inputs=(0,), grad_inputs=(),
           torch_fn=lambda torch, k: torch.nn.functional.one_hot(k, 5)),
    OpSpec("one_hot_infer_classes", lambda m, k: m.one_hot(k),
           lambda k: (k[..., None] == np.arange(k.max() + 1)).astype(np.int64),
           shapes(min_side=1).flatmap(lambda s: st.tuples(hnp.arrays(np.int64, s, elements=st.integers(0, 4)))),
           raw_inputs=(0,), grad_inputs=(), torch_fn=lambda torch, k: torch.nn.functional.one_hot(k)),
]
