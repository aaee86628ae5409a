"""Op table entries for picking and placing by coordinates (nd_indexing.py): gather_nd and its scatters. The
coordinate arrays are raw int64 inputs; PyTorch's differential check indexes with a tuple of index tensors."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array
from .specs_shape import sided


def coordinates(sizes, lead):
    """int64 coordinates of shape ``lead + (len(sizes),)``, column j in [0, sizes[j])."""
    columns = [hnp.arrays(np.int64, lead, elements=st.integers(0, n - 1)) for n in sizes]
    return st.tuples(*columns).map(lambda cs: np.stack(cs, -1))


def distinct_coordinates(sizes, n):
    """Up to ``n`` rows of coordinates into ``sizes``, no two alike (for writes, where which of two values lands
    would be undefined)."""
    count = int(np.prod(sizes))
    flat = hnp.arrays(np.int64, (min(n, count),), elements=st.integers(0, count - 1), unique=True)
    return flat.map(lambda f: np.stack(np.unravel_index(f, sizes), -1).astype(np.int64))


def picking(k, batch_dims=0, min_dims=None):
    """``(x, index)``: x of at least ``batch_dims + k`` dims (sides >= 1), index of shape ``x.shape[:batch_dims] +
    lead + (k,)`` with one or two lead dims (of size 0 to 3)."""
    def make(shape):
        lead = st.lists(st.integers(0, 3), min_size=1, max_size=2).map(tuple)
        return lead.flatmap(lambda rest: st.tuples(
            floats_array(shape), coordinates(shape[batch_dims:batch_dims + k], shape[:batch_dims] + rest)))
    return sided(min_dims or batch_dims + k, min_side=1).flatmap(make)


def batch_positions():
    """``(x, index)`` for batch_gather: index of shape ``x.shape[:b] + (m,)``, positions into dim b of x."""
    def make(shape):
        def arrays(b, m):
            return st.tuples(floats_array(shape),
                             hnp.arrays(np.int64, shape[:b] + (m,), elements=st.integers(0, shape[b] - 1)))
        return st.tuples(st.integers(1, len(shape) - 1), st.integers(0, 3)).flatmap(lambda bm: arrays(*bm))
    return sided(2, min_side=1).flatmap(make)


def scattering(k, unique=False):
    """``(x, index, updates)`` for the tensor scatters: updates shaped ``index.shape[:-1] + x.shape[k:]``."""
    def make(shape):
        index = st.integers(0, 4).flatmap(lambda n: distinct_coordinates(shape[:k], n) if unique
                                          else coordinates(shape[:k], (n,)))
        return index.flatmap(lambda i: st.tuples(floats_array(shape), st.just(i),
                                                 floats_array(i.shape[:-1] + shape[k:])))
    return sided(k, min_side=1).flatmap(make)


def np_coordinates(index, batch_dims=0):
    """The numpy index of the slices ``index`` names (batch positions, then the coordinates)."""
    lead = index.shape[:-1]
    grids = tuple(np.arange(lead[d]).reshape([-1 if e == d else 1 for e in range(len(lead))])
                  for d in range(batch_dims))
    return grids + tuple(index[..., j] for j in range(index.shape[-1]))


def np_scatter_nd(a, index, updates, write=False):
    out = a.copy()
    at = np_coordinates(index)
    if write:
        out[at] = updates
    else:
        np.add.at(out, at, updates)
    return out


def as_tuple_index(index):
    return tuple(index.unbind(-1))


def torch_batched(torch, x, index, batch_dims):
    lead = index.shape[:-1]
    grids = tuple(torch.arange(lead[d]).reshape([-1 if e == d else 1 for e in range(len(lead))])
                  for d in range(batch_dims))
    return x[grids + as_tuple_index(index)]


SHAPE = (3, 2, 4)

SPECS = [
    OpSpec("gather_nd_elements", lambda m, x, i: m.gather_nd(x, i), lambda a, i: a[np_coordinates(i)],
           picking(2, min_dims=2), raw_inputs=(1,),
           torch_fn=lambda torch, x, i: x[as_tuple_index(i)], notes="two coordinates: elements, or rows of a 3-d x"),
    OpSpec("gather_nd_rows", lambda m, x, i: m.gather_nd(x, i), lambda a, i: a[np_coordinates(i)],
           picking(1), raw_inputs=(1,), torch_fn=lambda torch, x, i: x[as_tuple_index(i)],
           notes="a row picked twice gets both gradient contributions"),
    OpSpec("gather_nd_batch_dims", lambda m, x, i: m.gather_nd(x, i, batch_dims=1),
           lambda a, i: a[np_coordinates(i, 1)], picking(1, batch_dims=1, min_dims=2), raw_inputs=(1,),
           torch_fn=lambda torch, x, i: torch_batched(torch, x, i, 1)),
    OpSpec("batch_gather", lambda m, x, i: m.batch_gather(x, i),
           lambda a, i: a[np_coordinates(i[..., None], i.ndim - 1)],
           batch_positions(), raw_inputs=(1,),
           torch_fn=lambda torch, x, i: torch_batched(torch, x, i[..., None], i.ndim - 1),
           notes="out[n, j] = x[n, i[n, j]]: one position per entry, the other dims of index a batch"),
    OpSpec("scatter_nd", lambda m, i, u: m.scatter_nd(i, u, SHAPE), lambda i, u: np_scatter_nd(np.zeros(SHAPE), i, u),
           st.integers(0, 5).flatmap(lambda n: coordinates(SHAPE[:2], (n,)).flatmap(
               lambda i: st.tuples(st.just(i), floats_array((n,) + SHAPE[2:])))),
           raw_inputs=(0,), grad_inputs=(1,), notes="repeated coordinates add up",
           torch_fn=lambda torch, i, u: torch.zeros(SHAPE, dtype=u.dtype).index_put(as_tuple_index(i), u,
                                                                                   accumulate=True)),
    OpSpec("tensor_scatter_nd_add", lambda m, x, i, u: m.tensor_scatter_nd_add(x, i, u),
           lambda a, i, u: np_scatter_nd(a, i, u), scattering(1), raw_inputs=(1,), grad_inputs=(0, 2),
           torch_fn=lambda torch, x, i, u: x.index_put(as_tuple_index(i), u, accumulate=True)),
    OpSpec("tensor_scatter_nd_add_elements", lambda m, x, i, u: m.tensor_scatter_nd_add(x, i, u),
           lambda a, i, u: np_scatter_nd(a, i, u), scattering(2), raw_inputs=(1,), grad_inputs=(0, 2),
           torch_fn=lambda torch, x, i, u: x.index_put(as_tuple_index(i), u, accumulate=True)),
    OpSpec("tensor_scatter_nd_update", lambda m, x, i, u: m.tensor_scatter_nd_update(x, i, u),
           lambda a, i, u: np_scatter_nd(a, i, u, write=True), scattering(2, unique=True), raw_inputs=(1,),
           grad_inputs=(0, 2), notes="distinct coordinates: which of two writes lands is undefined",
           torch_fn=lambda torch, x, i, u: x.index_put(as_tuple_index(i), u)),
]
