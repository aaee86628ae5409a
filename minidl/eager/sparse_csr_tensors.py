"""Sparse CSR and CSC tensors (``torch.sparse_csr_tensor``, ``x.to_sparse_csr()``, ``torch.sparse_csc_tensor``,
``x.to_sparse_csc()``): a sparse matrix stored row by row, or column by column.

Both are *compressed* layouts, written once here (``SparseCompressedTensor``) and told apart by which dim is
compressed: CSR (compressed sparse row) compresses the rows, CSC (compressed sparse column) the columns. The nnz
stored entries of an m × n matrix lie in the order of the compressed dim, as

* the plain indices (``col_indices`` in CSR, ``row_indices`` in CSC): (nnz,), each entry's index in the other dim;
* ``values``: (nnz,), what lies there;
* the compressed indices (``crow_indices`` in CSR, ``ccol_indices`` in CSC): (m + 1,) or (n + 1,), where each
  line's entries begin: line i holds entries c[i] to c[i + 1] − 1, so c[0] = 0, c never decreases, and c[-1] = nnz.

Against COO (``sparse_coo_tensors.py``), line pointers replace nnz line indices, and a line's entries are found
without a search. The line of each entry comes back by repeating line number i c[i + 1] − c[i] times
(``_entry_positions``); with it a compressed matrix is a COO matrix, so ``to_dense`` and the products
(``torch.sparse.mm`` / ``addmm``, ``torch.mm`` / ``addmm``, ``@``: ``sparse_functions.py``) are COO's, and
gradients reach the values through them. The layout-independent parts (size, dtype, autograd, conversions, the
refusal of dense ops) are ``SparseTensor``'s (``sparse_tensors.py``).

The invariants c[0] = 0, 0 ≤ c[i + 1] − c[i] ≤ (the other dim's size), c[-1] = nnz and 0 ≤ plain index < (the
other dim's size) are always checked (PyTorch checks them only with ``check_invariants=True``, and may read out
of bounds later otherwise); that each line's plain indices are sorted and distinct, only with
``check_invariants=True``, as in PyTorch (unsorted or repeated ones are read correctly here: repeats add up, as
in COO). Indices are int64 or int32, both the same, and keep their dtype. minidl's compressed tensors are
matrices: PyTorch's batched (compressed indices of more than one dim) and hybrid (values of more than one dim)
ones are refused, and so are the blocked layouts BSR and BSC.

Gradient of a compressed leaf (``requires_grad=True``): a tensor of its layout over its positions, as
``torch.sparse.mm`` and ``to_dense`` give in PyTorch (PyTorch's ``torch.mm`` and ``@`` give a dense one; see
``sparse_coo_tensors.py``).
"""
import numpy

from .. import ops
from ..backend import dtypes, get_array_module
from ..ops.base import describe
from .creation import tensor as new_tensor
from .element_types import as_numpy_dtype
from .formatting import _suffixes
from .layouts import sparse_coo, sparse_csc, sparse_csr
from .sparse_coo_tensors import _in_row_major_order, _make_sparse
from .sparse_tensors import NoDenseArray, SparseLayoutError, SparseTensor, dense_values, leaf_values, part_repr
from .tensor import Tensor

__all__ = ["SparseCompressedTensor", "SparseCscTensor", "SparseCsrTensor", "sparse_csc_tensor", "sparse_csr_tensor"]

_MATRICES_ONLY = ("minidl's sparse CSR and CSC tensors are matrices (batched and hybrid CSR and CSC tensors are not "
                  "supported)")
#: what PyTorch calls each layout in its messages, and the kind of layout a method asks for there
_KEYS = {sparse_coo: ("Sparse", "sparse coordinate"), sparse_csr: ("SparseCsr", "sparse row compressed"),
         sparse_csc: ("SparseCsc", "sparse column compressed")}


def _refused_for(name, wanted):
    """A method of another layout (``wanted``), refused with PyTorch's words."""
    def refused(self, *args, **kwargs):
        raise RuntimeError(f"{name} expected {_KEYS[wanted][1]} tensor layout but got {_KEYS[self.layout][0]} "
                           f"(a {self.layout} tensor; convert it with .to_sparse() or .to_sparse_{wanted._name[7:]}())")
    refused.__name__ = name
    return refused


class SparseCompressedTensor(SparseTensor):
    """A sparse matrix stored as (compressed indices, plain indices, values): see the module docstring. A layout
    gives ``layout``, ``_compressed_dim`` (0: rows, 1: columns) and ``_part_names`` (what PyTorch calls its two
    index tensors). Made by ``sparse_csr_tensor`` / ``sparse_csc_tensor`` and the conversions, never directly."""

    __slots__ = ("_compressed_indices", "_plain_indices")

    indices, _indices, _values, coalesce, is_coalesced = (_refused_for(name, sparse_coo) for name in (
        "indices", "_indices", "_values", "coalesce", "is_coalesced"))

    # ---------------------------------------------------------------------------------------- parts
    def values(self):
        """The stored values; gradients flow back through them."""
        return self._sparse_values.view(tuple(self._sparse_values.shape))  # a new tensor object, as PyTorch's

    def sparse_dim(self):
        return 2

    def dense_dim(self):
        return 0

    def _entry_positions(self):
        """The row and the column of each stored entry, as int64 tensors: line i repeated c[i + 1] − c[i]
        times in the compressed dim, the plain indices in the other."""
        compressed = self._compressed_indices._data
        counts = get_array_module(compressed).diff(compressed).astype(numpy.int64)
        lines, plain = ops.repeat_interleave(Tensor._make(counts)), ops.cast(self._plain_indices, dtypes.int64)
        return (lines, plain) if self._compressed_dim == 0 else (plain, lines)

    # ---------------------------------------------------- what SparseTensor asks of a layout
    def _index_parts(self):
        return self._compressed_indices, self._plain_indices

    def _remade(self, values, index_parts):
        return _make_compressed(type(self), *index_parts, values, self._sparse_size)

    # ----------------------------------------------------------------------------------- conversions
    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense matrix: zeros, and each entry's value at its place (differentiable in the values)."""
        if dtype is not None:
            raise RuntimeError(f"to_dense(): dtype argument is not supported by sparse_csr_to_dense (got {dtype}); "
                               f"convert with .to(dtype) first")
        return self.to_sparse_coo().to_dense()

    def to_sparse_coo(self):
        """The COO tensor of the same entries (coalesced when they lie in row-major order without repeats: a CSR
        tensor that keeps the invariants); its values are these values, so gradients pass through."""
        coo = _make_sparse(ops.stack(list(self._entry_positions())), self._sparse_values, self._sparse_size,
                           coalesced=False)
        coo._coalesced = _in_row_major_order(coo)
        return coo

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        """The COO tensor (``to_sparse_coo``), or with ``layout=`` the tensor of that compressed layout."""
        if blocksize is None and layout in (sparse_csr, sparse_csc) and sparse_dim is None and dense_dim in (None, 0):
            return self if layout is self.layout else _compressed_from_coo(self.to_sparse_coo(), layout)
        if blocksize is None and layout in (None, sparse_coo) and dense_dim in (None, 0):
            if sparse_dim not in (None, 2):
                raise RuntimeError(f"to_sparse(): conversion from {_KEYS[self.layout][0]} to Sparse with sparse_dim "
                                   f"argument !=2 is not supported (got sparse_dim={sparse_dim})")
            return self.to_sparse_coo()
        raise SparseLayoutError(f"to_sparse(): converting a {self.layout} tensor to layout={layout}, "
                                f"blocksize={blocksize}, dense_dim={dense_dim} is not supported: minidl has the "
                                f"sparse COO, CSR and CSC layouts only")

    def to_sparse_csr(self, dense_dim=None):
        _check_no_dense_dims("to_sparse_csr", dense_dim)
        return self.to_sparse(layout=sparse_csr)

    def to_sparse_csc(self, dense_dim=None):
        _check_no_dense_dims("to_sparse_csc", dense_dim)
        return self.to_sparse(layout=sparse_csc)

    # ------------------------------------------------------------------------------------ arithmetic
    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum of every element (that of the stored values), a 0-d dense tensor, as PyTorch's ``csr.sum()``."""
        if dim is not None or keepdim:
            raise SparseLayoutError(f"sum(dim={dim}, keepdim={keepdim}): reductions of a {self.layout} tensor "
                                    f"along a dim are not supported; sum it whole, or convert it with .to_dense() "
                                    f"first")
        return ops.sum(self._sparse_values if dtype is None else ops.cast(self._sparse_values,
                                                                          as_numpy_dtype(dtype)))

    # ------------------------------------------------------------------------------------- printing
    def __repr__(self):
        compressed_name, plain_name = self._part_names
        prefixes = (f"tensor({compressed_name}=", f"       {plain_name}=", "       values=")
        parts = (self._compressed_indices, self._plain_indices, self._sparse_values)
        head = ",\n".join(prefix + part_repr(part, len(prefix)) for prefix, part in zip(prefixes, parts))
        return head + _suffixes(head, self._repr_extras(), 7) + ")"


class SparseCsrTensor(SparseCompressedTensor):
    """A sparse matrix in the CSR layout: the rows compressed."""
    __slots__ = ()
    is_sparse_csr = True
    layout = sparse_csr
    _compressed_dim, _part_names = 0, ("crow_indices", "col_indices")

    def crow_indices(self):
        return self._compressed_indices

    def col_indices(self):
        return self._plain_indices

    ccol_indices, row_indices = (_refused_for(name, sparse_csc) for name in ("ccol_indices", "row_indices"))


class SparseCscTensor(SparseCompressedTensor):
    """A sparse matrix in the CSC layout: the columns compressed."""
    __slots__ = ()
    layout = sparse_csc
    _compressed_dim, _part_names = 1, ("ccol_indices", "row_indices")

    def ccol_indices(self):
        return self._compressed_indices

    def row_indices(self):
        return self._plain_indices

    crow_indices, col_indices = (_refused_for(name, sparse_csr) for name in ("crow_indices", "col_indices"))


_CLASSES = {sparse_csr: SparseCsrTensor, sparse_csc: SparseCscTensor}
_NO_DENSE_ARRAYS = {layout: NoDenseArray(layout) for layout in _CLASSES}


# ------------------------------------------------------------------------------------------ helpers

def _make_compressed(cls, compressed_indices, plain_indices, values, size):
    """A tensor of the compressed layout ``cls`` over the (checked) parts."""
    t = cls._make(_NO_DENSE_ARRAYS[cls.layout])
    t._compressed_indices, t._plain_indices, t._sparse_values, t._sparse_size = \
        compressed_indices, plain_indices, values, tuple(size)
    return t


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


def _check_invariants(name, cls, compressed, plain, nnz, plain_size, sorted_lines):
    """The invariants (module docstring), each with PyTorch's words for it."""
    c, p = cls._part_names
    other = ("ncols", "nrows")[cls._compressed_dim]  # the size of the plain dim
    xp = get_array_module(compressed)
    steps = xp.diff(compressed)
    failed = None
    if int(compressed[0]) != 0:
        failed = f"`{c}[..., 0] == 0` is not satisfied ({c}[0] is {int(compressed[0])})"
    elif int(compressed[-1]) != nnz:
        failed = f"`{c}[..., -1] == nnz` is not satisfied ({c}[-1] is {int(compressed[-1])}, nnz is {nnz})"
    elif steps.size and not bool(((steps >= 0) & (steps <= plain_size)).all()):
        failed = f"`0 <= {c}[..., 1:] - {c}[..., :-1] <= {other}` is not satisfied ({other} is {plain_size})"
    elif nnz and not (int(plain.min()) >= 0 and int(plain.max()) < plain_size):
        failed = (f"`0 <= {p} < {other}` is not satisfied ({p} range over [{int(plain.min())}, "
                  f"{int(plain.max())}], {other} is {plain_size})")
    elif sorted_lines and nnz > 1:
        rising = plain[1:] > plain[:-1]
        line_start = xp.zeros(nnz, dtype=bool)
        inner = compressed[1:-1]
        line_start[inner[inner < nnz]] = True  # an entry that begins a line need not exceed the last one
        if not bool((rising | line_start[1:]).all()):
            lines = ("nrows", "ncols")[cls._compressed_dim]
            failed = (f"`{p}[..., {c}[..., i - 1]:{c}[..., i]] for all i = 1, ..., {lines} are sorted and "
                      f"distinct along the last dimension values` is not satisfied")
    if failed:
        raise RuntimeError(f"{name}: {failed}")


# --------------------------------------------------------------------------------------- construction

def _compressed_tensor(cls, compressed_indices, plain_indices, values, size, dtype, device, requires_grad,
                       check_invariants):
    """``sparse_csr_tensor`` / ``sparse_csc_tensor``: the parts checked, with PyTorch's words for ``cls``."""
    name = f"sparse_{cls.layout._name[7:]}_tensor()"
    c, p = cls._part_names
    d = cls._compressed_dim
    compressed, plain = _index_tensor(compressed_indices), _index_tensor(plain_indices)
    for part in (compressed, plain):
        if isinstance(part, SparseTensor):
            raise RuntimeError(f"{name}: {c} and {p} must be dense tensors, got a sparse one")
        if part.dtype not in (dtypes.int32, dtypes.int64):
            raise RuntimeError(f"{name}: {c} and {p} dtype must be Int or Long, but got {describe(part)}")
    if compressed.dtype != plain.dtype:
        raise RuntimeError(f"{name}: {c} and {p} must have the same dtype, but got {describe(compressed)} and "
                           f"{describe(plain)}, respectively")
    values = dense_values(name, values, dtype, device)
    compressed, plain = compressed.to(values.device), plain.to(values.device)
    if compressed.ndim == 0:
        raise RuntimeError(f"{name}: {c} must have dimensionality >= 1 but got 0")
    if values.ndim == 0:
        raise RuntimeError(f"{name}: values must have dimensionality > sum of batch and block dimensionalities "
                           f"(=0 + 0) but got 0")
    if compressed.ndim > 1 or plain.ndim != 1 or values.ndim > 1:
        raise RuntimeError(f"{name}: {c} {list(compressed.shape)}, {p} {list(plain.shape)} and values "
                           f"{list(values.shape)} must be vectors: {_MATRICES_ONLY}")
    nnz = values.shape[0]
    if plain.shape[0] != nnz:
        raise RuntimeError(f"{name}: {p}.shape[-1] must be equal to nnz (={nnz}) as defined by values.shape[0], "
                           f"but got {plain.shape[0]}")
    if size is None:
        lines, plain_size = compressed.shape[0] - 1, int(plain._data.max()) + 1 if nnz else 0
        size = (lines, plain_size) if d == 0 else (plain_size, lines)
    size = tuple(int(n) for n in size)
    if len(size) != 2:
        raise RuntimeError(f"{name}: tensor dimensionality must be sum of batch, base, and dense dimensionalities "
                           f"(=0 + 2 + 0) but got {len(size)} (size {list(size)}; {_MATRICES_ONLY})")
    if min(size) < 0:
        raise RuntimeError(f"{name}: size must not be negative, got {list(size)}")
    if compressed.shape[0] != size[d] + 1:
        raise RuntimeError(f"{name}: {c}.shape[-1] must be equal to the number of {('rows', 'columns')[d]} + 1 "
                           f"(={size[d] + 1}), but got {compressed.shape[0]}")
    _check_invariants(name, cls, compressed._data, plain._data, nnz, size[1 - d], bool(check_invariants))
    return _make_compressed(cls, compressed, plain, leaf_values(name, values, requires_grad), size)


def sparse_csr_tensor(crow_indices, col_indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None):
    """A sparse CSR matrix: row i holds ``values[crow[i]:crow[i + 1]]`` at the columns
    ``col_indices[crow[i]:crow[i + 1]]``. ``size`` defaults to (len(crow_indices) − 1, the largest column + 1).
    Tensors passed in are used as they are (not copied); values that require grad pass gradients back through the
    result. The invariants are checked as the module docstring says."""
    return _compressed_tensor(SparseCsrTensor, crow_indices, col_indices, values, size, dtype, device,
                              requires_grad, check_invariants)


def sparse_csc_tensor(ccol_indices, row_indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None):
    """A sparse CSC matrix: column j holds ``values[ccol[j]:ccol[j + 1]]`` at the rows
    ``row_indices[ccol[j]:ccol[j + 1]]``. ``size`` defaults to (the largest row + 1, len(ccol_indices) − 1).
    As ``sparse_csr_tensor`` otherwise."""
    return _compressed_tensor(SparseCscTensor, ccol_indices, row_indices, values, size, dtype, device,
                              requires_grad, check_invariants)


def _compressed_from_coo(coo, layout, dense_dim=None):
    """``coo.to_sparse_csr()`` / ``to_sparse_csc()``: the coalesced entries (each position once), in the order of
    the compressed dim (CSC: column-major), their lines counted into line pointers. Int64 indices; the values keep
    their history."""
    fn_name = f"to_sparse_{layout._name[7:]}"
    _check_no_dense_dims(fn_name, dense_dim)
    if coo.sparse_dim() != 2 or coo.dense_dim() != 0:
        raise RuntimeError(f"{fn_name}(): conversion from Sparse to {_KEYS[layout][0]} for input tensors with "
                           f"sparse_dim()!=2 is not supported (got size {list(coo.shape)} with {coo.sparse_dim()} "
                           f"sparse and {coo.dense_dim()} dense dims; {_MATRICES_ONLY})")
    cls = _CLASSES[layout]
    d = cls._compressed_dim
    coalesced = coo.coalesce()
    indices, values = coalesced._sparse_indices._data, coalesced._sparse_values
    xp = get_array_module(indices)
    if d == 1:  # row-major to column-major
        order = xp.lexsort(indices).astype(numpy.int64)  # (lexsort's last key, the column, is the primary one)
        indices, values = indices[:, order], ops.index_select(values, 0, Tensor._make(order))
    compressed = xp.zeros(coo.shape[d] + 1, dtype=numpy.int64)
    if indices.shape[1]:  # (cupy's bincount cannot count nothing)
        xp.cumsum(xp.bincount(indices[d], minlength=coo.shape[d]), out=compressed[1:])
    return _make_compressed(cls, Tensor._make(compressed), Tensor._make(xp.ascontiguousarray(indices[1 - d])),
                            values, coo.shape)


# ------------------------------------------------------------------------- the dense tensor's methods

def _dense_to_compressed(self, layout, dense_dim):
    """The compressed tensor of this dense matrix: its nonzero elements, line by line. Gradients flow back to this
    tensor through the values (at the nonzero elements only, as in PyTorch)."""
    fn_name = f"to_sparse_{layout._name[7:]}"
    _check_no_dense_dims(fn_name, dense_dim)
    if self.ndim != 2:
        raise RuntimeError(f"{fn_name}(): expected a matrix, got {describe(self)} ({_MATRICES_ONLY})")
    return _compressed_from_coo(self.to_sparse(), layout)


def to_sparse_csr(self, dense_dim=None):
    return _dense_to_compressed(self, sparse_csr, dense_dim)


def to_sparse_csc(self, dense_dim=None):
    return _dense_to_compressed(self, sparse_csc, dense_dim)


Tensor.to_sparse_csr, Tensor.to_sparse_csc = to_sparse_csr, to_sparse_csc
