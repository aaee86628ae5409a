"""``torch.sparse``: functions of sparse COO tensors (``sparse_coo_tensors.py``), and of sparse CSR and CSC
tensors (``sparse_csr_tensors.py``) where PyTorch has them, each a composition of dense ops on the values, so that
gradients reach them (and the dense operands) with no VJP of their own.

* ``mm(A, X)`` (also ``torch.spmm``, ``torch.mm``, ``torch.matmul`` and ``A @ X`` with a sparse A): the op
  library's ``sparse_addmm_entries`` (``ops/sparse_products.py``), shared with graph mode's
  ``tf.sparse.sparse_dense_matmul``. ``addmm(M, A, X)`` (also ``torch.addmm`` with a sparse A) is
  ``beta · M + alpha · A X``. A is COO, CSR or CSC: a compressed matrix's line pointers give each entry's
  line.
* ``mm(A, B)`` of two sparse matrices (``sparse_sparse_mm``): a sparse matrix of A's layout (COO, CSR or CSC;
  PyTorch has no product of two layouts), its entries the structural product's: every (i, j) where some stored
  A_ik meets a stored B_kj, each once, holding Σ_k A_ik B_kj (0 where the terms cancel, as PyTorch keeps it).
* ``sum(A, dim)``: summing away sparse dims drops their index rows and coalesces what meets at one position;
  summing every sparse dim leaves a dense tensor, as in PyTorch.
* ``softmax(A, dim)`` / ``log_softmax``: over the *stored* entries of each line along ``dim`` only — a missing
  element is not a zero there but absent (−∞), and stays absent. Each line's largest value (a constant: the
  softmax does not change when a line is shifted) is subtracted first, so that exp cannot overflow.
"""
import functools
import numbers

import numpy

from .. import ops
from ..backend import dtypes, get_array_module
from ..backend.scans import ufunc_at
from ..ops.base import describe
from ..ops.sparse_products import sparse_addmm_entries
from .element_types import as_numpy_dtype
from .layouts import sparse_coo
from .sparse_coo_tensors import SparseCooTensor, _make_sparse, _zeros, sparse_coo_tensor
from .sparse_csr_tensors import SparseCompressedTensor, SparseCscTensor, SparseCsrTensor, _compressed_from_coo
from .sparse_tensors import SparseLayoutError, SparseTensor
from .tensor import Tensor

__all__ = ["addmm", "log_softmax", "mm", "softmax", "sum", "FloatTensor", "DoubleTensor"]


def _sparse_matrix(fn_name, a):
    if not isinstance(a, (SparseCooTensor, SparseCompressedTensor)):
        raise TypeError(f"{fn_name}: expected a sparse COO, CSR or CSC tensor as the first operand, got "
                        f"{describe(a) if isinstance(a, Tensor) else type(a).__name__}")
    if a.sparse_dim() != 2 or a.dense_dim() != 0:
        raise RuntimeError(f"{fn_name}: expected a sparse matrix (2 sparse dims, 0 dense), got size "
                           f"{list(a.shape)} with {a.sparse_dim()} sparse and {a.dense_dim()} dense dims")
    return a


def _dense_matrix(fn_name, a, dense):
    if isinstance(dense, SparseTensor):
        raise SparseLayoutError(f"{fn_name}: the product of a sparse tensor and a sparse {dense.layout} tensor is "
                                f"implemented for torch.sparse.mm / mm / @ only; make the second dense with "
                                f".to_dense()")
    if not isinstance(dense, Tensor):
        raise TypeError(f"{fn_name}: expected a dense tensor as the second operand, got {type(dense).__name__}")
    if dense.ndim != 2:
        raise RuntimeError(f"{fn_name}: expected the dense operand to be a matrix, got {describe(dense)}")
    if dense.shape[0] != a.shape[1] and a.layout is not sparse_coo:
        raise RuntimeError(f"{fn_name}: mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{dense.shape[0]}x{dense.shape[1]})")
    if dense.shape[0] != a.shape[1]:
        raise RuntimeError(f"{fn_name}: Argument #3 (dense): Expected dim 0 size {a.shape[1]}, got "
                           f"{dense.shape[0]} (the sparse matrix is {list(a.shape)}, the dense {list(dense.shape)})")
    if dense.dtype != a.dtype:
        raise RuntimeError(f"{fn_name}: expected scalar type {a.dtype} but found {dense.dtype} (sparse "
                           f"{describe(a)}, dense {describe(dense)})")
    return dense


def _entries(a):
    """The row and column of each entry, as int64 tensors (a compressed matrix's lines from its pointers)."""
    if isinstance(a, SparseCompressedTensor):
        return a._entry_positions()
    indices = a._sparse_indices._data
    return Tensor._make(indices[0]), Tensor._make(indices[1])


def mm(sparse, dense):
    """The dense product ``sparse @ dense`` of a sparse matrix (m × k) and a dense one (k × n); gradients reach
    the dense matrix (Aᵀ G) and the sparse one's values (G Xᵀ at its positions). With a sparse second operand,
    ``sparse_sparse_mm``."""
    a = _sparse_matrix("mm", sparse)
    if isinstance(dense, SparseTensor):
        return sparse_sparse_mm(a, dense)
    dense = _dense_matrix("mm", a, dense)
    rows, columns = _entries(a)
    return sparse_addmm_entries(_zeros((a.shape[0], dense.shape[1]), dense), rows, columns, a._sparse_values, dense)


def sparse_sparse_mm(a, b):
    """The sparse product of the sparse matrices ``a`` (m × k) and ``b`` (k × n), both of one layout.

    Both are coalesced first (b's entries then lie in row order), so the entries of b in row k are a contiguous
    run, found for every entry (i, k) of a by a binary search (``searchsorted``). Each pair (A_ik, B_kj) of an a
    entry and an entry of its run gives a term at (i, j); ``coalesce`` adds the terms that meet at one position.
    The cost grows with the number of such pairs, never with m · n. The terms are products of the values, taken
    with ``index_select``, so gradients reach both operands' values — G Bᵀ at a's positions and Aᵀ G at b's, the
    gradient PyTorch's ``torch.sparse.mm`` gives (its ``torch.mm`` and ``@`` give the unmasked products as sparse
    tensors; here every entry point gives the masked one, as for sparse @ dense). (PyTorch 2.13's CSC @ CSC
    gives a broken tensor, nnz 0 under nonzero column pointers; here it is the CSC tensor of the product.)"""
    b = _sparse_matrix("mm", b)
    if a.layout is not b.layout:
        raise RuntimeError(f"mm: the product of a {a.layout} and a {b.layout} matrix is not implemented (as in "
                           f"PyTorch); convert one, e.g. with .to_sparse() or .to_sparse_csr()")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 dtype {dtypes.torch_name(a.dtype)} does not match mat2 dtype "
                           f"{dtypes.torch_name(b.dtype)}")
    a_coo, b_coo = a.to_sparse_coo().coalesce(), b.to_sparse_coo().coalesce()
    a_rows, a_columns = a_coo._sparse_indices._data
    b_rows, b_columns = b_coo._sparse_indices._data
    xp = get_array_module(a_rows)
    starts = xp.searchsorted(b_rows, a_columns, side="left")
    counts = xp.searchsorted(b_rows, a_columns, side="right") - starts
    a_entry = xp.repeat(xp.arange(a_rows.shape[0], dtype=numpy.int64), counts)
    run_begins = xp.cumsum(counts) - counts  # where each a entry's pairs begin among all pairs
    b_entry = (starts[a_entry] + xp.arange(a_entry.shape[0], dtype=numpy.int64) - run_begins[a_entry])
    b_entry = b_entry.astype(numpy.int64, copy=False)
    terms = (ops.index_select(a_coo._sparse_values, 0, Tensor._make(a_entry))
             * ops.index_select(b_coo._sparse_values, 0, Tensor._make(b_entry)))
    positions = Tensor._make(xp.stack([a_rows[a_entry], b_columns[b_entry]]))
    product = _make_sparse(positions, terms, (a.shape[0], b.shape[1]), coalesced=False).coalesce()
    return product if a.layout is sparse_coo else _compressed_from_coo(product, a.layout)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """``beta · mat + alpha · mat1 @ mat2`` for a sparse ``mat1`` and dense ``mat``, ``mat2``."""
    a = _sparse_matrix("addmm", mat1)
    dense = _dense_matrix("addmm", a, mat2)
    expected = (a.shape[0], dense.shape[1])
    if not isinstance(mat, Tensor) or isinstance(mat, SparseTensor) or tuple(mat.shape) != expected:
        raise RuntimeError(f"addmm: expected a dense input of size {list(expected)}, got "
                           f"{describe(mat) if isinstance(mat, Tensor) else type(mat).__name__}")
    rows, columns = _entries(a)
    return sparse_addmm_entries(mat if beta == 1 else mat * beta, rows, columns, a._sparse_values, dense, alpha)


def matmul(sparse, other):
    """``sparse @ other``: ``mm`` for a matrix, the matrix-vector product for a vector."""
    if isinstance(other, Tensor) and not isinstance(other, SparseTensor) and other.ndim == 1:
        return ops.squeeze(mm(sparse, ops.unsqueeze(other, 1)), 1)
    return mm(sparse, other)


def sparse_sum(input, dim=None, dtype=None):
    """The sum over ``dim`` (an int or a tuple; all dims when None): a dense tensor when every sparse dim is summed
    away, else a coalesced sparse tensor over the sparse dims that remain."""
    if isinstance(input, SparseCompressedTensor):  # (torch.sum(a) of a CSR or CSC tensor)
        return input.sum(dim, dtype=dtype)
    if not isinstance(input, SparseCooTensor):
        raise TypeError(f"sparse.sum: expected a sparse COO tensor, got {type(input).__name__}")
    values = input._sparse_values if dtype is None else ops.cast(input._sparse_values, as_numpy_dtype(dtype))
    if dim is None:
        return ops.sum(values)
    ndim, sparse_dim = input.ndim, input.sparse_dim()
    dims = sorted({_normalized(d, ndim) for d in ((dim,) if isinstance(dim, numbers.Integral) else dim)})
    dense_dims = [d - sparse_dim + 1 for d in dims if d >= sparse_dim]
    if dense_dims:
        values = ops.sum(values, dim=dense_dims)
    kept = [d for d in range(sparse_dim) if d not in dims]
    if not kept:
        return ops.sum(values, dim=0)
    size = [input.shape[d] for d in kept] + [input.shape[d] for d in range(sparse_dim, ndim) if d not in dims]
    indices = input._sparse_indices
    if len(kept) < sparse_dim:
        indices = Tensor._make(indices._data[kept])
    return _make_sparse(indices, values, size, coalesced=False).coalesce()


def _normalized(dim, ndim):
    if not -ndim <= dim < ndim:
        raise IndexError(f"sparse.sum: Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                         f"but got {dim})")
    return dim % ndim


def _softmax(fn_name, input, dim, dtype, log):
    """softmax / log_softmax over the stored entries of each line along ``dim`` (module docstring)."""
    if not isinstance(input, SparseCooTensor):
        raise TypeError(f"{fn_name}: expected a sparse COO tensor, got {type(input).__name__}")
    if input.dense_dim() != 0:
        raise SparseLayoutError(f"{fn_name}: hybrid sparse tensors (dense dims {input.dense_dim()}) are not "
                                f"supported")
    a = input.coalesce()
    values = a._sparse_values if dtype is None else ops.cast(a._sparse_values, as_numpy_dtype(dtype))
    if not dtypes.is_floating_point(values.dtype):
        raise RuntimeError(f"{fn_name}: expected a floating-point tensor, got {describe(values)}")
    dim = _normalized(dim, a.ndim)
    indices = a._sparse_indices._data
    xp = get_array_module(indices)
    others = [d for d in range(a.ndim) if d != dim]
    if others and indices.shape[1]:
        line_of = xp.ravel_multi_index(tuple(indices[others]), tuple(a.shape[d] for d in others), mode="raise")
    else:
        line_of = xp.zeros(indices.shape[1], dtype=numpy.int64)
    lines, line = xp.unique(line_of, return_inverse=True)
    line = line.reshape(-1).astype(numpy.int64, copy=False)
    peak = xp.full(lines.shape[0], -numpy.inf, dtype=values._data.dtype)
    ufunc_at(xp, xp.maximum, peak, line, values._data)
    line_tensor = Tensor._make(line)
    shifted = values - Tensor._make(peak[line])
    exps = ops.exp(shifted)
    totals = ops.index_add(_zeros((lines.shape[0],), exps), 0, line_tensor, exps)
    per_entry = ops.index_select(totals, 0, line_tensor)
    result = shifted - ops.log(per_entry) if log else exps / per_entry
    return _make_sparse(a._sparse_indices, result, a.shape, coalesced=True)


def softmax(input, dim, *, dtype=None):
    return _softmax("sparse.softmax", input, dim, dtype, log=False)


def log_softmax(input, dim, *, dtype=None):
    return _softmax("sparse.log_softmax", input, dim, dtype, log=True)


def _legacy_constructor(dtype):
    def constructor(indices, values, size=None):
        """PyTorch's old ``torch.sparse.FloatTensor(indices, values, size)``: ``sparse_coo_tensor``."""
        return sparse_coo_tensor(indices, values, size, dtype=dtype)
    return constructor


FloatTensor, DoubleTensor = _legacy_constructor(dtypes.float32), _legacy_constructor(dtypes.float64)
sum = sparse_sum


_SPARSE_CLASSES = (SparseCooTensor, SparseCsrTensor, SparseCscTensor)


def sparse_aware(dense_fn, sparse_fn, position=0, keyword="input"):
    """``torch.mm``, ``torch.matmul``, ``torch.sum``, ``torch.addmm`` (``position=1``, ``keyword="mat1"``) ...:
    ``sparse_fn`` when the operand at ``position`` (or passed as ``keyword``) is sparse, else the dense function
    (a class lookup on the dense path)."""
    @functools.wraps(dense_fn)
    def either(*args, **kwargs):
        if len(args) == position and keyword in kwargs:  # torch.sum(input=a)
            args += (kwargs.pop(keyword),)
        if len(args) > position and args[position].__class__ in _SPARSE_CLASSES:
            return sparse_fn(*args, **kwargs)
        return dense_fn(*args, **kwargs)
    return either
