"""Op table entry for sparse_products.py: ``sparse_addmm_entries``, the sparse-dense product of graph neural
networks (``torch.sparse.mm`` / ``addmm``, ``tf.sparse.sparse_dense_matmul``). The entries' rows and columns are
raw inputs; repeated positions add up. It is bilinear in the values and the dense matrix, so its second order is
checked too."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minidl.ops.sparse_products import sparse_addmm_entries
from .spec import OpSpec, floats_array


def _entries(sizes):
    """``(input m×n, rows, columns, values, dense k×n)`` for up to 6 entries of an m×k sparse matrix."""
    m, k, n, nnz = sizes
    return st.tuples(floats_array((m, n)), hnp.arrays(np.int64, (nnz,), elements=st.integers(0, m - 1)),
                     hnp.arrays(np.int64, (nnz,), elements=st.integers(0, k - 1)), floats_array((nnz,)),
                     floats_array((k, n)))


def np_sparse_addmm(input, rows, columns, values, dense, alpha=1.0):
    out = input.copy()
    np.add.at(out, rows, alpha * values[:, None] * dense[columns])
    return out


def _torch_addmm(alpha):
    def call(torch, input, rows, columns, values, dense):
        sparse = torch.sparse_coo_tensor(torch.stack([rows, columns]), values, (input.shape[0], dense.shape[0]),
                                         check_invariants=True)
        return torch.sparse.addmm(input, sparse, dense, alpha=alpha)
    return call


_SIZES = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 6))

SPECS = [
    OpSpec("sparse_products_sparse_addmm_entries",
           lambda m, x, r, c, v, d: sparse_addmm_entries(x, r, c, v, d), np_sparse_addmm, _SIZES.flatmap(_entries),
           raw_inputs=(1, 2), grad_inputs=(0, 3, 4), torch_fn=_torch_addmm(1.0),
           notes="repeated positions add up; no entries leaves the input"),
    OpSpec("sparse_products_sparse_addmm_entries_alpha",
           lambda m, x, r, c, v, d: sparse_addmm_entries(x, r, c, v, d, alpha=-0.5),
           lambda x, r, c, v, d: np_sparse_addmm(x, r, c, v, d, -0.5), _SIZES.flatmap(_entries),
           raw_inputs=(1, 2), grad_inputs=(0, 3, 4), torch_fn=_torch_addmm(-0.5)),
]
