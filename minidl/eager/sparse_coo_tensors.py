"""Sparse COO tensors (``torch.sparse_coo_tensor``, ``x.to_sparse()``): a tensor stored as its nonzero entries.

A tensor of shape ``size`` that is mostly zeros — a graph's adjacency matrix, a bag of words — is kept as

* ``indices``: an int64 matrix (sparse_dim × nnz), column e the coordinates of entry e in the first sparse_dim
  dims;
* ``values``: (nnz, *dense dims), what lies there: a number when sparse_dim is the whole rank, else a dense block
  (a *hybrid* tensor; ``dense_dim`` = rank − sparse_dim).

Every other element is zero. A position may be stored more than once: its values add up. ``coalesce()`` sums
such duplicates and sorts the entries into row-major order; ``is_coalesced()`` says whether that was done (or is
known to hold), and ``indices()`` / ``values()`` are only given for a coalesced tensor, as in PyTorch
(``_indices()`` / ``_values()`` always are).

The design (``sparse_tensors.py``, shared with the CSR layout): ``SparseCooTensor`` is a ``Tensor`` whose parts
are two ordinary tensors; the values take part in autograd, so every sparse function is a composition of dense
ops on them and needs no gradient of its own, and every dense op or method refuses a sparse tensor by name.

Gradient of a sparse leaf: PyTorch's ``a.grad`` is a sparse tensor over ``a``'s (coalesced) positions holding
the gradient of the dense tensor ``a`` stands for, there. Every function here sees ``a`` only through that dense
tensor, so each stored duplicate of a position receives the same gradient, and ``a.grad`` takes it once per
position. (PyTorch's ``torch.mm``, ``torch.spmm``, ``torch.matmul`` and ``@`` on a sparse leaf give a *dense*
``a.grad``, the full G Xᵀ off ``a``'s positions too; here they give the sparse one, as ``torch.sparse.mm`` does.)
"""
import numpy

from .. import ops
from ..backend import dtypes, get_array_module
from ..backend.scans import add_at
from ..ops.base import describe
from .creation import as_array, tensor as new_tensor
from .element_types import as_numpy_dtype
from .formatting import _suffixes
from .grad_mode import GradMode
from .layouts import sparse_coo, sparse_csc, sparse_csr
from .sparse_tensors import (NoDenseArray, SparseLayoutError, SparseTensor, dense_values, leaf_values,
                             not_dense, part_repr)
from .tensor import Size, Tensor, _check_writeable

__all__ = ["SparseCooTensor", "SparseLayoutError", "sparse_coo_tensor"]


_NO_DENSE_ARRAY = NoDenseArray(sparse_coo)
_NOT_DENSE_COO = not_dense(sparse_coo)


class SparseCooTensor(SparseTensor):
    """A tensor stored as (indices, values) in the COO layout: see the module docstring. Made by
    ``sparse_coo_tensor``, ``x.to_sparse()`` and the sparse functions, never directly."""

    __slots__ = ("_sparse_indices", "_coalesced")

    is_sparse = True
    layout = sparse_coo

    # ---------------------------------------------------------------------------------------- parts
    def _indices(self):
        """The indices as stored (sparse_dim × nnz, duplicates and any order allowed)."""
        return self._sparse_indices

    def _values(self):
        """The values as stored, without their history (PyTorch's ``_values()`` is not differentiable)."""
        return self._sparse_values.detach()

    def indices(self):
        self._require_coalesced("indices")
        return self._sparse_indices

    def values(self):
        """The values of a coalesced tensor; gradients flow back through them."""
        self._require_coalesced("values")
        return self._sparse_values.view(tuple(self._sparse_values.shape))  # a new tensor object, as PyTorch's

    def _require_coalesced(self, what):
        if not self._coalesced:
            raise RuntimeError(f"Cannot get {what} on an uncoalesced tensor, please call .coalesce() first")

    nnz = SparseTensor._nnz

    def sparse_dim(self):
        return self._sparse_indices.shape[0]

    def dense_dim(self):
        return self._sparse_values.ndim - 1

    def is_coalesced(self):
        return self._coalesced

    # ---------------------------------------------------- what SparseTensor asks of a layout
    def _index_parts(self):
        return (self._sparse_indices,)

    def _remade(self, values, index_parts):
        return _make_sparse(index_parts[0], values, self._sparse_size, self._coalesced)

    def _sparse_grad(self, values_grad):
        """Each position once (module docstring): the first of its stored duplicates."""
        first = None if self._coalesced else _unique_positions(self)[1]
        indices = self._sparse_indices if first is None else _taken(self._sparse_indices, first, axis=1)
        grad_values = values_grad if first is None else _taken(values_grad, first, axis=0)
        return _make_sparse(indices, grad_values, self._sparse_size, coalesced=True)

    # ----------------------------------------------------------------------------------- conversions
    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense tensor: zeros, plus each entry's values added at its position (duplicates add up)."""
        values = self._sparse_values if dtype is None else ops.cast(self._sparse_values, as_numpy_dtype(dtype))
        sparse_shape, dense_shape = self._sparse_size[:self.sparse_dim()], self._sparse_size[self.sparse_dim():]
        flat = _zeros((Size(sparse_shape).numel(),) + dense_shape, values)
        return ops.reshape(ops.index_add(flat, 0, _positions_tensor(self), values), self._sparse_size)

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        """Itself, or with ``layout=torch.sparse_csr`` / ``sparse_csc`` its CSR / CSC tensor."""
        if layout in (sparse_csr, sparse_csc) and sparse_dim is None and blocksize is None:
            from .sparse_csr_tensors import _compressed_from_coo
            return _compressed_from_coo(self, layout, dense_dim)
        if sparse_dim not in (None, self.sparse_dim()) or layout not in (None, sparse_coo) or blocksize is not None:
            raise SparseLayoutError(f"to_sparse(): converting a sparse COO tensor to sparse_dim={sparse_dim}, "
                                    f"layout={layout} {_NOT_DENSE_COO}")
        return self

    def to_sparse_coo(self):
        return self

    def to_sparse_csr(self, dense_dim=None):
        """The CSR tensor of this sparse matrix (coalesced first: sorted, each position once)."""
        from .sparse_csr_tensors import _compressed_from_coo
        return _compressed_from_coo(self, sparse_csr, dense_dim)

    def to_sparse_csc(self, dense_dim=None):
        """The CSC tensor of this sparse matrix (coalesced first, then in column-major order)."""
        from .sparse_csr_tensors import _compressed_from_coo
        return _compressed_from_coo(self, sparse_csc, dense_dim)

    def coalesce(self):
        """This tensor with each position stored once (duplicates summed), in row-major order; itself if it is
        coalesced already. The gradient of the summed values goes back to each duplicate."""
        if self._coalesced:
            return self
        positions, first, inverse = _unique_positions(self)
        values = self._sparse_values
        summed = ops.index_add(_zeros((positions.shape[0],) + tuple(values.shape[1:]), values), 0,
                               Tensor._make(inverse), values)
        return _make_sparse(_taken(self._sparse_indices, first, axis=1), summed, self._sparse_size, coalesced=True)

    # ------------------------------------------------------------------------------------ arithmetic
    def t(self):
        """The transposed matrix (2 sparse dims): the two index rows exchanged."""
        if self.sparse_dim() != 2 or self.dense_dim() != 0:
            raise RuntimeError(f"t() expects a sparse tensor with 2 sparse and 0 dense dimensions, got "
                               f"{self.sparse_dim()} sparse and {self.dense_dim()} dense")
        return _make_sparse(_taken(self._sparse_indices, [1, 0], axis=0), self._sparse_values,
                            self._sparse_size[::-1], coalesced=False)

    def mul(self, other):
        """The entries times a number (or a 0-d tensor): a sparse tensor with the same positions."""
        return _make_sparse(self._sparse_indices, self._sparse_values * _scalar("mul", other), self._sparse_size,
                            self._coalesced)

    __mul__ = __rmul__ = mul

    def div(self, other):
        return _make_sparse(self._sparse_indices, self._sparse_values / _scalar("div", other), self._sparse_size,
                            self._coalesced)

    __truediv__ = div

    def neg(self):
        return self.mul(-1)

    __neg__ = neg

    def add(self, other, *, alpha=1):
        """``self + alpha · other`` for a sparse ``other`` of the same size: the sparse tensor holding both tensors'
        entries (coalesced when both were). A dense ``other`` is refused, as in PyTorch (``dense + sparse`` is
        dense)."""
        if not isinstance(other, SparseCooTensor):
            if isinstance(other, Tensor):
                raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")
            raise SparseLayoutError(f"add(): adding a {type(other).__name__} to a sparse tensor {_NOT_DENSE_COO}")
        if other._sparse_size != self._sparse_size or other.sparse_dim() != self.sparse_dim():
            raise RuntimeError(f"add: expected sizes of 'self' and 'other' to match, but {list(self.shape)} != "
                               f"{list(other.shape)} (or their sparse dims differ: {self.sparse_dim()}, "
                               f"{other.sparse_dim()})")
        dtype = dtypes.result_type(self._sparse_values, other._sparse_values)
        other_values = other._sparse_values if alpha == 1 else other._sparse_values * alpha
        total = _make_sparse(ops.cat([self._sparse_indices, other._sparse_indices], 1),
                             ops.cat([ops.cast(self._sparse_values, dtype), ops.cast(other_values, dtype)]),
                             self._sparse_size, coalesced=False)
        return total.coalesce() if self._coalesced and other._coalesced else total

    __add__ = add

    def __radd__(self, other):
        """``dense + sparse``: the dense sum. (Python asks this subclass before the dense tensor's ``__add__``.)"""
        if isinstance(other, Tensor) and not isinstance(other, SparseTensor):
            return ops.add(other, self.to_dense())
        return self.add(other)

    # -------------------------------------------------------------------------------------- in place
    # (what optimizers do to a sparse gradient: this tensor object keeps its identity, with new parts)
    def add_(self, other, *, alpha=1):
        """``self += alpha · other`` for a sparse ``other``: ``add``'s entries, in this tensor (so a gradient
        accumulated over two backward passes holds both passes' entries, uncoalesced, as PyTorch's)."""
        return self._become(self.add(other, alpha=alpha))

    def mul_(self, other):
        return self._become(self.mul(other))

    def zero_(self):
        """No entries left (PyTorch's sparse ``zero_``: nnz becomes 0)."""
        values = self._sparse_values
        return self._become(_make_sparse(_taken(self._sparse_indices, [], axis=1), _taken(values, [], axis=0),
                                         self._sparse_size, coalesced=True))

    def _become(self, other):
        """Take ``other``'s parts (same size), as an in-place op's result."""
        if self.requires_grad and self.is_leaf and GradMode.local.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self._sparse_indices, self._sparse_values, self._coalesced = \
            other._sparse_indices, other._sparse_values, other._coalesced
        return self

    def sum(self, dim=None, keepdim=False, dtype=None):
        from .sparse_functions import sparse_sum
        if keepdim:
            raise SparseLayoutError(f"sum(keepdim=True) {_NOT_DENSE_COO}")
        return sparse_sum(self, dim, dtype)

    # ------------------------------------------------------------------------------------- printing
    def __repr__(self):
        prefix, values_prefix = "tensor(indices=", "       values="
        head = (f"{prefix}{part_repr(self._sparse_indices, len(prefix))},\n"
                f"{values_prefix}{part_repr(self._sparse_values, len(values_prefix))}")
        extras = self._repr_extras()
        first_line = ",\n" + " " * 7 + extras[0]  # (PyTorch starts the size on a line of its own)
        return head + first_line + _suffixes(head + first_line, extras[1:], 7) + ")"


# ------------------------------------------------------------------------------------------ helpers

def _make_sparse(indices, values, size, coalesced):
    """A sparse tensor over the (checked) parts."""
    t = SparseCooTensor._make(_NO_DENSE_ARRAY)
    t._sparse_indices, t._sparse_values, t._sparse_size, t._coalesced = indices, values, tuple(size), coalesced
    return t


def _zeros(shape, like):
    """A zero tensor of ``shape`` with ``like``'s dtype and device (the sum every scatter starts from)."""
    data = like._data
    return Tensor._make(get_array_module(data).zeros(shape, dtype=data.dtype))


def _taken(t, index, axis):
    """``t``'s entries at ``index`` along ``axis``, with their history (an int list or an index array)."""
    xp = get_array_module(t._data)
    return ops.index_select(t, axis, Tensor._make(xp.asarray(index, dtype=numpy.int64)))


def _linear_positions(sparse):
    """Each entry's position in the row-major order of the sparse dims (an int64 array)."""
    indices = sparse._sparse_indices._data
    xp = get_array_module(indices)
    sparse_shape = sparse._sparse_size[:indices.shape[0]]
    if indices.shape[1] == 0 or indices.shape[0] == 0:
        return xp.zeros(indices.shape[1], dtype=numpy.int64)
    return xp.ravel_multi_index(tuple(indices), sparse_shape, mode="raise").astype(numpy.int64, copy=False)


def _positions_tensor(sparse):
    return Tensor._make(_linear_positions(sparse))


def _unique_positions(sparse):
    """The sorted distinct positions, the entry where each first occurs, and each entry's place among them."""
    positions = _linear_positions(sparse)
    xp = get_array_module(positions)
    unique, first, inverse = xp.unique(positions, return_index=True, return_inverse=True)
    return unique, first, inverse.reshape(-1).astype(numpy.int64, copy=False)


def _in_row_major_order(sparse):
    """Whether the entries are sorted in row-major order without duplicates (what coalescing makes)."""
    positions = _linear_positions(sparse)
    return positions.shape[0] <= 1 or bool((positions[1:] > positions[:-1]).all())


def _scalar(op_name, other):
    if isinstance(other, Tensor) and (isinstance(other, SparseTensor) or other.ndim):
        raise SparseLayoutError(f"{op_name}(): a sparse tensor times {describe(other)} {_NOT_DENSE_COO}; only a number "
                                f"or a 0-d tensor is taken")
    return other


# --------------------------------------------------------------------------------------- construction

def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse COO tensor with ``values`` (nnz, *dense dims) at ``indices`` (sparse_dim × nnz integers).
    ``size`` defaults to the smallest that holds every index (and the values' dense dims). Tensors passed in are
    used as they are (not copied); values that require grad pass gradients back through the result.

    The indices are always checked against ``size`` (PyTorch checks only with ``check_invariants=True``, and
    otherwise may read out of bounds later). ``is_coalesced=True`` promises sorted positions without duplicates;
    the promise is checked too."""
    name = "sparse_coo_tensor()"
    indices = indices if isinstance(indices, Tensor) else new_tensor(as_array(indices, dtypes.int64))
    if isinstance(indices, SparseTensor) or indices.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: indices must be an int64 tensor, got {describe(indices)}")
    values = dense_values(name, values, dtype, device)
    indices = ops.cast(indices.detach(), dtypes.int64).to(values.device)
    if indices.ndim != 2:
        raise RuntimeError(f"{name}: indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    if values.ndim == 0:
        raise RuntimeError(f"{name}: values must have at least one dim (nnz, ...), got a 0-d tensor")
    sparse_dim, nnz = indices.shape
    if values.shape[0] != nnz:
        raise RuntimeError(f"{name}: indices and values must have same nnz, but got nnz from indices: {nnz}, nnz "
                           f"from values: {values.shape[0]}")
    index_array = indices._data
    low = [int(v) for v in index_array.min(axis=1)] if nnz else [0] * sparse_dim
    high = [int(v) for v in index_array.max(axis=1)] if nnz else [-1] * sparse_dim
    for d, lowest in enumerate(low):
        if lowest < 0:
            raise RuntimeError(f"{name}: found negative index {lowest} for dim {d}")
    dense_shape = tuple(values.shape[1:])
    if size is None:
        size = tuple(h + 1 for h in high) + dense_shape
    else:
        size = tuple(int(n) for n in size)
        if len(size) != sparse_dim + len(dense_shape):
            raise RuntimeError(f"{name}: 'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = "
                               f"{len(size)}, sparse_dim = {sparse_dim}, dense_dim = {len(dense_shape)}")
        for d in range(sparse_dim):
            if high[d] >= size[d]:
                raise RuntimeError(f"{name}: size is inconsistent with indices: for dim {d}, size is {size[d]} but "
                                   f"found index {high[d]}")
        if size[sparse_dim:] != dense_shape:
            raise RuntimeError(f"{name}: values has the dense sizes {list(dense_shape)}, but size says "
                               f"{list(size[sparse_dim:])}")
    result = _make_sparse(indices, leaf_values(name, values, requires_grad), size, coalesced=nnz <= 1)
    if is_coalesced:
        if not _in_row_major_order(result):
            raise RuntimeError(f"{name}: is_coalesced=True, but the indices are not sorted without duplicates")
        result._coalesced = True
    return result


# ------------------------------------------------------------------------- the dense tensor's methods

def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """The sparse COO tensor of this dense one (with ``layout=torch.sparse_csr`` / ``sparse_csc``, its CSR / CSC
    tensor: ``to_sparse_csr`` / ``to_sparse_csc``): its nonzero elements (with ``sparse_dim`` < rank, the positions in
    the first sparse_dim dims whose block is not all zero, each with its block), coalesced. Gradients flow back to
    this tensor through the values."""
    if layout in (sparse_csr, sparse_csc):
        if blocksize is not None:
            key = "SparseCsc" if layout is sparse_csc else "SparseCsr"
            raise RuntimeError(f"to_sparse(): conversion from Strided to {key} with blocksize argument given is not "
                               f"supported")
        return self.to_sparse_csr(dense_dim) if layout is sparse_csr else self.to_sparse_csc(dense_dim)
    if layout not in (None, sparse_coo) or blocksize is not None:
        raise NotImplementedError(f"to_sparse(): layout={layout} is not supported: minidl has the sparse COO, CSR and "
                                  f"CSC layouts (torch.sparse_coo, torch.sparse_csr, torch.sparse_csc) only")
    ndim = self.ndim
    if sparse_dim is None:
        sparse_dim = ndim - (dense_dim or 0)
    if not 0 < sparse_dim <= ndim:
        raise RuntimeError(f"to_sparse(): sparse_dim must be in [1, {ndim}] for {describe(self)}, got {sparse_dim}")
    data = self._data
    xp = get_array_module(data)
    nonzero = data != 0
    if sparse_dim < ndim:
        nonzero = nonzero.any(axis=tuple(range(sparse_dim, ndim)))
    coordinates = xp.stack(xp.nonzero(nonzero)).astype(numpy.int64) if nonzero.ndim else None
    values = ops.getitem(self, tuple(Tensor._make(row) for row in coordinates))
    return _make_sparse(Tensor._make(coordinates), values, tuple(self.shape), coalesced=True)


def dense_to_dense(self, dtype=None, *, masked_grad=None):
    """``x.to_dense()`` of a dense tensor: the tensor itself (or converted to ``dtype``)."""
    return self if dtype is None else self.to(dtype)


def _sparse_operand(fn_name, sparse):
    if not isinstance(sparse, SparseCooTensor):
        raise SparseLayoutError(f"{fn_name}: expected a sparse COO tensor, got "
                                f"{describe(sparse) if isinstance(sparse, Tensor) else type(sparse).__name__}")


def sparse_mask(self, mask):
    """This dense tensor's elements at the positions of the sparse COO ``mask`` (its values ignored): a sparse
    tensor over ``mask``'s indices. Gradients flow back to this tensor."""
    _sparse_operand("sparse_mask()", mask)
    if tuple(self.shape) != mask._sparse_size:
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size {list(self.shape)} but "
                           f"mask has size {list(mask.shape)}")
    indices = mask._sparse_indices
    values = ops.getitem(self, tuple(Tensor._make(row) for row in indices._data))
    return _make_sparse(indices, values, self.shape, mask._coalesced)


def add_sparse_(self, other, *, alpha=1):
    """``dense.add_(sparse, alpha=a)``: ``a`` times each stored entry added at its position, in place, touching
    those positions only (a position stored twice gets both) — an optimizer's update of the rows a sparse gradient
    holds. Recorded for autograd (``dense.add_(sparse.to_dense())``) where either tensor requires grad."""
    _sparse_operand("add_", other)
    if tuple(self.shape) != other._sparse_size:
        raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has size "
                           f"{list(self.shape)} while other has size {list(other.shape)} (FYI: dense-sparse addition "
                           f"does not currently support broadcasting)")
    if GradMode.local.enabled and (self.requires_grad or other.requires_grad):
        return self.add_(other.to_dense(), alpha=alpha)
    data, values = self._data, other._sparse_values._data
    if not dtypes.can_cast(dtypes.result_type(data, values), data.dtype):
        raise RuntimeError(f"result type {values.dtype} can't be cast to the desired output type {data.dtype}")
    _check_writeable(data)
    scaled = values if alpha == 1 else values * alpha
    add_at(get_array_module(data), data, tuple(other._sparse_indices._data), scaled.astype(data.dtype, copy=False))
    self._counter()[0] += 1
    return self


Tensor.to_sparse, Tensor.to_dense, Tensor.sparse_mask = to_sparse, dense_to_dense, sparse_mask
Tensor.to_sparse_coo = lambda self: self.to_sparse()
