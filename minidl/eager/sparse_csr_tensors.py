"""Sparse CSR tensors (``torch.sparse_csr_tensor``, ``x.to_sparse_csr()``): a sparse matrix stored row by row.

CSR (compressed sparse row) keeps the nnz stored entries of an m × n matrix in row-major order as

* ``col_indices``: (nnz,), the column of each entry;
* ``values``: (nnz,), what lies there;
* ``crow_indices``: (m + 1,), where each row's entries begin: row i holds entries crow[i] to crow[i + 1] − 1, so
  crow[0] = 0, crow never decreases, and crow[m] = nnz.

Against COO (``sparse_coo_tensors.py``), m + 1 row pointers replace nnz row indices, and a row's entries are
found without a search. The row of each entry comes back by repeating row number i crow[i + 1] − crow[i] times
(``_row_indices``); with it a CSR matrix is a COO matrix in row-major order, so ``to_dense`` and the products
(``torch.sparse.mm`` / ``addmm``, ``torch.mm`` / ``addmm``, ``@``: ``sparse_functions.py``) are COO's, and
gradients reach the values through them. The layout-independent parts (size, dtype, autograd, conversions, the
refusal of dense ops) are ``SparseTensor``'s (``sparse_tensors.py``).

The invariants crow[0] = 0, 0 ≤ crow[i + 1] − crow[i] ≤ n, crow[m] = nnz and 0 ≤ col < n are always checked
(PyTorch checks them only with ``check_invariants=True``, and may read out of bounds later otherwise); that each
row's columns are sorted and distinct, only with ``check_invariants=True``, as in PyTorch (unsorted or repeated
columns are read correctly here: repeats add up, as in COO). Indices are int64 or int32, both the same, and keep
their dtype. minidl's CSR tensors are matrices: PyTorch's batched (crow_indices of more than one dim) and hybrid
(values of more than one dim) CSR tensors are refused.

Gradient of a CSR leaf (``requires_grad=True``): a CSR tensor over its positions, as ``torch.sparse.mm`` and
``to_dense`` give in PyTorch (PyTorch's ``torch.mm`` and ``@`` give a dense one; see ``sparse_coo_tensors.py``).
"""
import numpy

from .. import ops
from ..backend import dtypes, get_array_module
from ..ops.base import describe
from .creation import tensor as new_tensor
from .element_types import as_numpy_dtype
from .formatting import _suffixes
from .layouts import sparse_coo, sparse_csr
from .sparse_coo_tensors import _in_row_major_order, _make_sparse
from .sparse_tensors import NoDenseArray, SparseLayoutError, SparseTensor, dense_values, leaf_values, part_repr
from .tensor import Tensor

__all__ = ["SparseCsrTensor", "sparse_csr_tensor"]

_NO_DENSE_ARRAY = NoDenseArray(sparse_csr)
_MATRICES_ONLY = "minidl's sparse CSR tensors are matrices (batched and hybrid CSR tensors are not supported)"


def _coo_only(name):
    def refused(self, *args, **kwargs):
        raise RuntimeError(f"{name} expected sparse coordinate tensor layout but got SparseCsr (a sparse CSR tensor; "
                           f"its COO tensor is .to_sparse())")
    refused.__name__ = name
    return refused


class SparseCsrTensor(SparseTensor):
    """A sparse matrix stored as (crow_indices, col_indices, values) in the CSR layout: see the module docstring.
    Made by ``sparse_csr_tensor`` and ``x.to_sparse_csr()``, never directly."""

    __slots__ = ("_crow_indices", "_col_indices")

    is_sparse_csr = True
    layout = sparse_csr

    # ---------------------------------------------------------------------------------------- parts
    def crow_indices(self):
        return self._crow_indices

    def col_indices(self):
        return self._col_indices

    def values(self):
        """The stored values; gradients flow back through them."""
        return self._sparse_values.view(tuple(self._sparse_values.shape))  # a new tensor object, as PyTorch's

    indices, _indices, _values, coalesce, is_coalesced = (_coo_only(name) for name in (
        "indices", "_indices", "_values", "coalesce", "is_coalesced"))

    def sparse_dim(self):
        return 2

    def dense_dim(self):
        return 0

    # ---------------------------------------------------- what SparseTensor asks of a layout
    def _index_parts(self):
        return self._crow_indices, self._col_indices

    def _remade(self, values, index_parts):
        return _make_csr(*index_parts, values, self._sparse_size)

    # ----------------------------------------------------------------------------------- conversions
    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense matrix: zeros, and each entry's value at its place (differentiable in the values)."""
        if dtype is not None:
            raise RuntimeError(f"to_dense(): dtype argument is not supported by sparse_csr_to_dense (got {dtype}); "
                               f"convert with .to(dtype) first")
        return self.to_sparse_coo().to_dense()

    def to_sparse_coo(self):
        """The COO tensor of the same entries (coalesced when each row's columns are sorted and distinct, as the
        CSR invariants ask); its values are these values, so gradients pass through."""
        rows = _row_indices(self)
        columns = ops.cast(self._col_indices, dtypes.int64)
        coo = _make_sparse(ops.stack([rows, columns]), self._sparse_values, self._sparse_size, coalesced=False)
        coo._coalesced = _in_row_major_order(coo)
        return coo

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        """The COO tensor (``to_sparse_coo``); itself with ``layout=torch.sparse_csr``."""
        if blocksize is None and layout is sparse_csr and sparse_dim is None and dense_dim in (None, 0):
            return self
        if blocksize is None and layout in (None, sparse_coo) and dense_dim in (None, 0):
            if sparse_dim not in (None, 2):
                raise RuntimeError(f"to_sparse(): conversion from SparseCsr to Sparse with sparse_dim argument !=2 "
                                   f"is not supported (got sparse_dim={sparse_dim})")
            return self.to_sparse_coo()
        raise SparseLayoutError(f"to_sparse(): converting a sparse CSR tensor to layout={layout}, "
                                f"blocksize={blocksize}, dense_dim={dense_dim} is not supported: minidl has the "
                                f"sparse COO and CSR layouts only")

    def to_sparse_csr(self, dense_dim=None):
        _check_no_dense_dims("to_sparse_csr", dense_dim)
        return self

    # ------------------------------------------------------------------------------------ arithmetic
    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum of every element (that of the stored values), a 0-d dense tensor, as PyTorch's ``csr.sum()``."""
        if dim is not None or keepdim:
            raise SparseLayoutError(f"sum(dim={dim}, keepdim={keepdim}): reductions of a sparse CSR tensor along a "
                                    f"dim are not supported; sum it whole, or convert it with .to_dense() first")
        return ops.sum(self._sparse_values if dtype is None else ops.cast(self._sparse_values,
                                                                          as_numpy_dtype(dtype)))

    # ------------------------------------------------------------------------------------- printing
    def __repr__(self):
        prefixes = ("tensor(crow_indices=", "       col_indices=", "       values=")
        parts = (self._crow_indices, self._col_indices, self._sparse_values)
        head = ",\n".join(prefix + part_repr(part, len(prefix)) for prefix, part in zip(prefixes, parts))
        return head + _suffixes(head, self._repr_extras(), 7) + ")"


# ------------------------------------------------------------------------------------------ helpers

def _make_csr(crow_indices, col_indices, values, size):
    """A CSR tensor over the (checked) parts."""
    t = SparseCsrTensor._make(_NO_DENSE_ARRAY)
    t._crow_indices, t._col_indices, t._sparse_values, t._sparse_size = crow_indices, col_indices, values, tuple(size)
    return t


def _row_indices(csr):
    """The row of each stored entry (an int64 tensor of nnz): row i repeated crow[i + 1] − crow[i] times."""
    crow = csr._crow_indices._data
    counts = get_array_module(crow).diff(crow).astype(numpy.int64)
    return ops.repeat_interleave(Tensor._make(counts))


def _check_no_dense_dims(fn_name, dense_dim):
    if dense_dim not in (None, 0):
        raise RuntimeError(f"{fn_name}(): dense_dim argument must be in [0,0] range, but {dense_dim} is given "
                           f"({_MATRICES_ONLY})")


def _index_tensor(indices):
    """The indices passed in, as a tensor of the dtype they have (a list of ints: int64; an empty list too)."""
    if isinstance(indices, Tensor):
        return indices.detach()
    indices = new_tensor(indices)
    return indices if indices.numel() else indices.to(dtypes.int64)


def _check_invariants(name, crow, col, nnz, ncols, sorted_columns):
    """The CSR invariants (module docstring), each with PyTorch's words for it."""
    xp = get_array_module(crow)
    steps = xp.diff(crow)
    failed = None
    if int(crow[0]) != 0:
        failed = f"`crow_indices[..., 0] == 0` is not satisfied (crow_indices[0] is {int(crow[0])})"
    elif int(crow[-1]) != nnz:
        failed = (f"`crow_indices[..., -1] == nnz` is not satisfied (crow_indices[-1] is {int(crow[-1])}, nnz is "
                  f"{nnz})")
    elif steps.size and not bool(((steps >= 0) & (steps <= ncols)).all()):
        failed = (f"`0 <= crow_indices[..., 1:] - crow_indices[..., :-1] <= ncols` is not satisfied (ncols is "
                  f"{ncols})")
    elif nnz and not (int(col.min()) >= 0 and int(col.max()) < ncols):
        failed = (f"`0 <= col_indices < ncols` is not satisfied (col_indices range over [{int(col.min())}, "
                  f"{int(col.max())}], ncols is {ncols})")
    elif sorted_columns and nnz > 1:
        rising = col[1:] > col[:-1]
        row_start = xp.zeros(nnz, dtype=bool)
        row_start[crow[1:-1][crow[1:-1] < nnz]] = True  # an entry that begins a row need not exceed the last one
        if not bool((rising | row_start[1:]).all()):
            failed = ("`col_indices[..., crow_indices[..., i - 1]:crow_indices[..., i]] for all i = 1, ..., nrows "
                      "are sorted and distinct along the last dimension values` is not satisfied")
    if failed:
        raise RuntimeError(f"{name}: {failed}")


# --------------------------------------------------------------------------------------- construction

def sparse_csr_tensor(crow_indices, col_indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None):
    """A sparse CSR matrix: row i holds ``values[crow[i]:crow[i + 1]]`` at the columns
    ``col_indices[crow[i]:crow[i + 1]]``. ``size`` defaults to (len(crow_indices) − 1, the largest column + 1).
    Tensors passed in are used as they are (not copied); values that require grad pass gradients back through the
    result. The invariants are checked as the module docstring says."""
    name = "sparse_csr_tensor()"
    crow, col = _index_tensor(crow_indices), _index_tensor(col_indices)
    for part in (crow, col):
        if isinstance(part, SparseTensor):
            raise RuntimeError(f"{name}: crow_indices and col_indices must be dense tensors, got a sparse one")
        if part.dtype not in (dtypes.int32, dtypes.int64):
            raise RuntimeError(f"{name}: crow_indices and col_indices dtype must be Int or Long, but got "
                               f"{describe(part)}")
    if crow.dtype != col.dtype:
        raise RuntimeError(f"{name}: crow_indices and col_indices must have the same dtype, but got "
                           f"{describe(crow)} and {describe(col)}, respectively")
    values = dense_values(name, values, dtype, device)
    crow, col = crow.to(values.device), col.to(values.device)
    if crow.ndim == 0:
        raise RuntimeError(f"{name}: crow_indices must have dimensionality >= 1 but got 0")
    if values.ndim == 0:
        raise RuntimeError(f"{name}: values must have dimensionality > sum of batch and block dimensionalities "
                           f"(=0 + 0) but got 0")
    if crow.ndim > 1 or col.ndim != 1 or values.ndim > 1:
        raise RuntimeError(f"{name}: crow_indices {list(crow.shape)}, col_indices {list(col.shape)} and values "
                           f"{list(values.shape)} must be vectors: {_MATRICES_ONLY}")
    nnz = values.shape[0]
    if col.shape[0] != nnz:
        raise RuntimeError(f"{name}: col_indices.shape[-1] must be equal to nnz (={nnz}) as defined by "
                           f"values.shape[0], but got {col.shape[0]}")
    if size is None:
        size = (crow.shape[0] - 1, int(col._data.max()) + 1 if nnz else 0)
    size = tuple(int(n) for n in size)
    if len(size) != 2:
        raise RuntimeError(f"{name}: tensor dimensionality must be sum of batch, base, and dense dimensionalities "
                           f"(=0 + 2 + 0) but got {len(size)} (size {list(size)}; {_MATRICES_ONLY})")
    if min(size) < 0:
        raise RuntimeError(f"{name}: size must not be negative, got {list(size)}")
    if crow.shape[0] != size[0] + 1:
        raise RuntimeError(f"{name}: crow_indices.shape[-1] must be equal to the number of rows + 1 "
                           f"(={size[0] + 1}), but got {crow.shape[0]}")
    _check_invariants(name, crow._data, col._data, nnz, size[1], sorted_columns=bool(check_invariants))
    return _make_csr(crow, col, leaf_values(name, values, requires_grad), size)


def csr_from_coo(coo, dense_dim=None):
    """``coo.to_sparse_csr()``: the coalesced entries (sorted, each position once), their rows counted into row
    pointers. Int64 indices; the values keep their history."""
    _check_no_dense_dims("to_sparse_csr", dense_dim)
    if coo.sparse_dim() != 2 or coo.dense_dim() != 0:
        raise RuntimeError(f"to_sparse_csr(): conversion from Sparse to SparseCsr for input tensors with "
                           f"sparse_dim()!=2 is not supported (got size {list(coo.shape)} with {coo.sparse_dim()} "
                           f"sparse and {coo.dense_dim()} dense dims; {_MATRICES_ONLY})")
    coalesced = coo.coalesce()
    indices = coalesced._sparse_indices._data
    xp = get_array_module(indices)
    crow = xp.zeros(coo.shape[0] + 1, dtype=numpy.int64)
    if indices.shape[1]:  # (cupy's bincount cannot count nothing)
        xp.cumsum(xp.bincount(indices[0], minlength=coo.shape[0]), out=crow[1:])
    return _make_csr(Tensor._make(crow), Tensor._make(xp.ascontiguousarray(indices[1])), coalesced._sparse_values,
                     coo.shape)


# ------------------------------------------------------------------------- the dense tensor's method

def to_sparse_csr(self, dense_dim=None):
    """The CSR tensor of this dense matrix: its nonzero elements, row by row. Gradients flow back to this tensor
    through the values (at the nonzero elements only, as in PyTorch)."""
    _check_no_dense_dims("to_sparse_csr", dense_dim)
    if self.ndim != 2:
        raise RuntimeError(f"to_sparse_csr(): expected a matrix, got {describe(self)} ({_MATRICES_ONLY})")
    return csr_from_coo(self.to_sparse())


Tensor.to_sparse_csr = to_sparse_csr
