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

The design: ``SparseCooTensor`` is a subclass of ``Tensor`` (``isinstance(a, torch.Tensor)`` holds, as in
PyTorch) whose parts are two ordinary tensors. Its ``values`` tensor takes part in autograd like any other — a
sparse tensor built from values that require grad passes gradients back to them, and a sparse *leaf*
(``requires_grad=True``) is a leaf values tensor — so every sparse function is a composition of dense ops on the
values, indexed by the indices, and needs no gradient of its own. The dense code paths do not look for sparse
tensors at all; instead

* the array slot that every dense op reads (``_data``) holds ``NO_DENSE_ARRAY``, which refuses every use, so a
  dense op given a sparse tensor (``torch.exp(a)``) raises ``SparseLayoutError`` naming the op;
* every ``Tensor`` method this class does not define itself refuses too, naming the method (``a.view(-1)``).

Gradient of a sparse leaf: PyTorch's ``a.grad`` is a sparse tensor over ``a``'s (coalesced) positions holding
the gradient of the dense tensor ``a`` stands for, there. Every function here sees ``a`` only through that dense
tensor, so each stored duplicate of a position receives the same gradient, and ``a.grad`` takes it once per
position. (PyTorch's ``torch.mm``, ``torch.spmm``, ``torch.matmul`` and ``@`` on a sparse leaf give a *dense*
``a.grad``, the full G Xᵀ off ``a``'s positions too; here they give the sparse one, as ``torch.sparse.mm`` does.)
"""
import numpy

from .. import ops
from ..backend import dtypes, get_array_module
from ..ops.base import describe
from .creation import as_array, tensor as new_tensor
from .element_types import as_numpy_dtype
from .formatting import dtype_name, tensor_repr, _suffixes
from .layouts import sparse_coo
from .tensor import Size, Tensor, parse_to_arguments

__all__ = ["SparseCooTensor", "SparseLayoutError", "sparse_coo_tensor"]


class SparseLayoutError(NotImplementedError, TypeError):
    """An operation that has no sparse form was given a sparse tensor (PyTorch raises NotImplementedError; this is
    a TypeError too, so that the eager op wrapper adds the op's name to it as it does to other argument errors)."""


_NOT_DENSE = ("is not implemented for sparse tensors (layout=torch.sparse_coo, PyTorch's 'SparseCPU'); convert "
              "the tensor with .to_dense() first")


def _refuse_use(*args, **kwargs):
    raise SparseLayoutError(f"this operation {_NOT_DENSE}")


class _NoDenseArray:
    """What a sparse tensor holds where a dense one holds its array: every attribute, conversion and operator of
    it raises ``SparseLayoutError`` (the eager op wrapper names the op)."""
    __slots__ = ()
    __getattr__ = __array__ = __getitem__ = __setitem__ = __len__ = __iter__ = __bool__ = __float__ = __int__ = \
        __index__ = __complex__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = \
        __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __rpow__ = __neg__ = __abs__ = __lt__ = __le__ = \
        __gt__ = __ge__ = __and__ = __or__ = __xor__ = __invert__ = _refuse_use

    def __repr__(self):
        return "<no dense array: a sparse tensor>"


NO_DENSE_ARRAY = _NoDenseArray()


class SparseCooTensor(Tensor):
    """A tensor stored as (indices, values) in the COO layout: see the module docstring. Made by
    ``sparse_coo_tensor``, ``x.to_sparse()`` and the sparse functions, never directly."""

    __slots__ = ("_sparse_indices", "_sparse_values", "_sparse_size", "_coalesced")

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

    def _nnz(self):
        return self._sparse_values.shape[0]

    nnz = _nnz

    def sparse_dim(self):
        return self._sparse_indices.shape[0]

    def dense_dim(self):
        return self._sparse_values.ndim - 1

    def is_coalesced(self):
        return self._coalesced

    # ------------------------------------------------------------------------------------ attributes
    @property
    def shape(self):
        return Size(self._sparse_size)

    def size(self, dim=None):
        if dim is None:
            return Size(self._sparse_size)
        ndim = len(self._sparse_size)
        if not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got "
                             f"{dim})")
        return self._sparse_size[dim]

    @property
    def ndim(self):
        return len(self._sparse_size)

    def dim(self):
        return len(self._sparse_size)

    def numel(self):
        return Size(self._sparse_size).numel()

    @property
    def dtype(self):
        return self._sparse_values.dtype

    @property
    def device(self):
        return self._sparse_values.device

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_floating_point(self):
        return self._sparse_values.is_floating_point()

    def is_complex(self):
        return self._sparse_values.is_complex()

    def element_size(self):
        return self._sparse_values.element_size()

    # -------------------------------------------------------------------------------------- autograd
    @property
    def requires_grad(self):
        return self._sparse_values.requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        self._sparse_values.requires_grad_(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self._sparse_values.is_leaf

    @property
    def grad_fn(self):
        return self._sparse_values.grad_fn

    @property
    def grad(self):
        """The gradient as a sparse tensor over this tensor's positions, each once (module docstring)."""
        values_grad = self._sparse_values.grad
        if values_grad is None:
            return None
        first = None if self._coalesced else _unique_positions(self)[1]
        indices = self._sparse_indices if first is None else _taken(self._sparse_indices, first, axis=1)
        grad_values = values_grad if first is None else _taken(values_grad, first, axis=0)
        return _make_sparse(indices, grad_values, self._sparse_size, coalesced=True)

    @grad.setter
    def grad(self, value):
        if value is not None:
            raise RuntimeError("a sparse tensor's grad can only be set to None here (it is kept on its values)")
        self._sparse_values.grad = None

    def detach(self):
        return _make_sparse(self._sparse_indices, self._sparse_values.detach(), self._sparse_size, self._coalesced)

    # ----------------------------------------------------------------------------------- conversions
    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense tensor: zeros, plus each entry's values added at its position (duplicates add up)."""
        values = self._sparse_values if dtype is None else ops.cast(self._sparse_values, as_numpy_dtype(dtype))
        sparse_shape, dense_shape = self._sparse_size[:self.sparse_dim()], self._sparse_size[self.sparse_dim():]
        flat = _zeros((Size(sparse_shape).numel(),) + dense_shape, values)
        return ops.reshape(ops.index_add(flat, 0, _positions_tensor(self), values), self._sparse_size)

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if sparse_dim not in (None, self.sparse_dim()) or layout not in (None, sparse_coo) or blocksize is not None:
            raise SparseLayoutError(f"to_sparse(): converting a sparse COO tensor to sparse_dim={sparse_dim}, "
                                    f"layout={layout} {_NOT_DENSE}")
        return self

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

    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``: the indices and values converted (the values stay
        differentiable); this tensor itself when nothing changes."""
        dev, dtype = parse_to_arguments(args, dict(kwargs))
        values = self._sparse_values.to(*args, **kwargs)
        indices = self._sparse_indices if dev is None else self._sparse_indices.to(dev)
        if values is self._sparse_values and indices is self._sparse_indices:
            return self
        return _make_sparse(indices, values, self._sparse_size, self._coalesced)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else device)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

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
            raise SparseLayoutError(f"add(): adding a {type(other).__name__} to a sparse tensor {_NOT_DENSE}")
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
        if isinstance(other, Tensor) and not other.is_sparse:
            return ops.add(other, self.to_dense())
        return self.add(other)

    def sum(self, dim=None, keepdim=False, dtype=None):
        from .sparse_functions import sparse_sum
        if keepdim:
            raise SparseLayoutError(f"sum(keepdim=True) {_NOT_DENSE}")
        return sparse_sum(self, dim, dtype)

    def mm(self, mat2):
        from .sparse_functions import mm
        return mm(self, mat2)

    def matmul(self, other):
        from .sparse_functions import matmul
        return matmul(self, other)

    __matmul__ = matmul

    # ------------------------------------------------------------------------------------- printing
    def __repr__(self):
        prefix, values_prefix = "tensor(indices=", "       values="
        indices = tensor_repr(self._sparse_indices, dtype_shown=False).replace("\n", "\n" + " " * len(prefix))
        values = tensor_repr(self._sparse_values.detach(), dtype_shown=False)
        head = f"{prefix}{indices},\n{values_prefix}{values.replace(chr(10), chr(10) + ' ' * len(values_prefix))}"
        extras = [] if self.device.type == "cpu" else [f"device='{self.device}'"]
        extras += [f"size={tuple(self._sparse_size)}", f"nnz={self._nnz()}"]
        if self.dtype != dtypes.get_default_dtype() and self.dtype != dtypes.int64:
            extras.append(f"dtype={dtype_name(self.dtype)}")
        extras.append("layout=torch.sparse_coo")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        first_line = ",\n" + " " * 7 + extras[0]  # (PyTorch starts the size on a line of its own)
        return head + first_line + _suffixes(head + first_line, extras[1:], 7) + ")"

    __str__ = __repr__

    def __format__(self, spec):
        return format(repr(self), spec)

    def __reduce_ex__(self, protocol):
        raise SparseLayoutError(f"pickling {_NOT_DENSE}; save it with minidl.eager.save")

    def __deepcopy__(self, memo):
        import copy
        values = copy.deepcopy(self._sparse_values, memo)
        return _make_sparse(self._sparse_indices.clone(), values, self._sparse_size, self._coalesced)


#: what a sparse tensor keeps of Tensor's methods: how it is made, and what makes it an object
_KEPT = {"__new__", "__init__", "_make", "__hash__", "__weakref__", "__array_priority__", "__slots__", "__doc__",
         "__module__", "__dict__", "__init_subclass__", "__copy__"}


def _refusing(name):
    def refused(self, *args, **kwargs):
        raise SparseLayoutError(f"{name}() {_NOT_DENSE}")
    refused.__name__ = name
    return refused


def refuse_dense_methods():
    """Give ``SparseCooTensor`` a refusing stand-in for each ``Tensor`` method and property it does not define.
    Called once by the package, after every module that attaches methods to ``Tensor`` has run."""
    for name, value in list(vars(Tensor).items()):
        if name in _KEPT or name in vars(SparseCooTensor) or name.startswith("_Tensor__"):
            continue
        if isinstance(value, property):
            setattr(SparseCooTensor, name, property(_refusing(name)))
        elif callable(value) or isinstance(value, (staticmethod, classmethod)):
            setattr(SparseCooTensor, name, _refusing(name))
    SparseCooTensor.__copy__ = lambda self: self.detach()


# ------------------------------------------------------------------------------------------ helpers

def _make_sparse(indices, values, size, coalesced):
    """A sparse tensor over the (checked) parts."""
    t = SparseCooTensor._make(NO_DENSE_ARRAY)
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
    return xp.ravel_multi_index(tuple(indices), sparse_shape).astype(numpy.int64, copy=False)


def _positions_tensor(sparse):
    return Tensor._make(_linear_positions(sparse))


def _unique_positions(sparse):
    """The sorted distinct positions, the entry where each first occurs, and each entry's place among them."""
    positions = _linear_positions(sparse)
    xp = get_array_module(positions)
    unique, first, inverse = xp.unique(positions, return_index=True, return_inverse=True)
    return unique, first, inverse.reshape(-1).astype(numpy.int64, copy=False)


def _scalar(op_name, other):
    if isinstance(other, Tensor) and (other.is_sparse or other.ndim):
        raise SparseLayoutError(f"{op_name}(): a sparse tensor times {describe(other)} {_NOT_DENSE}; only a number "
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
    if indices.is_sparse or indices.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: indices must be an int64 tensor, got {describe(indices)}")
    if not isinstance(values, Tensor):
        values = new_tensor(values, dtype=dtype)
    if values.is_sparse:
        raise RuntimeError(f"{name}: values must be a dense tensor, got a sparse one")
    if dtype is not None:
        values = values.to(dtype)
    if device is not None:
        values = values.to(device)
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
    if requires_grad:
        if values.grad_fn is not None:
            raise RuntimeError(f"{name}: requires_grad=True makes a leaf, but the values have a history "
                               f"({values.grad_fn.name()}); leave requires_grad out, or pass values.detach()")
        values = values.detach().requires_grad_(True)
    result = _make_sparse(indices, values, size, coalesced=nnz <= 1)
    if is_coalesced:
        positions = _linear_positions(result)
        if positions.shape[0] > 1 and not bool((positions[1:] > positions[:-1]).all()):
            raise RuntimeError(f"{name}: is_coalesced=True, but the indices are not sorted without duplicates")
        result._coalesced = True
    return result


# ------------------------------------------------------------------------- the dense tensor's methods

def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """The sparse COO tensor of this dense one: its nonzero elements (with ``sparse_dim`` < rank, the positions in
    the first sparse_dim dims whose block is not all zero, each with its block), coalesced. Gradients flow back to
    this tensor through the values."""
    if layout not in (None, sparse_coo) or blocksize is not None:
        raise NotImplementedError(f"to_sparse(): layout={layout} is not supported: minidl has the sparse COO layout "
                                  f"(torch.sparse_coo) only")
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


Tensor.to_sparse, Tensor.to_dense = to_sparse, dense_to_dense
Tensor.to_sparse_coo = lambda self: self.to_sparse()
