"""What every sparse layout shares: sparse COO tensors (``sparse_coo_tensors.py``) and sparse CSR and CSC tensors
(``sparse_csr_tensors.py``) are subclasses of ``SparseTensor``, itself a subclass of ``Tensor``
(``isinstance(a, torch.Tensor)`` holds, as in PyTorch).

A sparse tensor's parts are ordinary tensors: integer index tensors, which say where the stored entries lie, and
one ``values`` tensor, which says what lies there. The values take part in autograd like any other tensor — a
sparse tensor built from values that require grad passes gradients back to them, and a sparse *leaf*
(``requires_grad=True``) is a leaf values tensor — so every sparse function is a composition of dense ops on the
values, indexed by the indices, and needs no gradient of its own. Size, dtype, device, ``requires_grad``,
``detach()`` and the conversions ``to`` / ``float`` / ``cuda`` ... are the same in every layout: they are here.

The dense code paths do not look for sparse tensors at all; instead

* the array slot that every dense op reads (``_data``) holds a ``NoDenseArray``, which refuses every use, so a
  dense op given a sparse tensor (``torch.exp(a)``) raises ``SparseLayoutError`` naming the op and the layout;
* every ``Tensor`` method that neither ``SparseTensor`` nor the layout's class defines refuses too, naming the
  method (``a.view(-1)``): ``refuse_dense_methods``.
"""
import copy

from .. import ops
from ..backend import dtypes
from .creation import tensor as new_tensor
from .formatting import dtype_name, tensor_repr
from .tensor import Size, Tensor, parse_to_arguments

__all__ = ["SparseTensor", "SparseLayoutError"]


class SparseLayoutError(NotImplementedError, TypeError):
    """An operation that has no sparse form was given a sparse tensor (PyTorch raises NotImplementedError; this is
    a TypeError too, so that the eager op wrapper adds the op's name to it as it does to other argument errors)."""


#: the name of each layout's CPU backend in PyTorch's error messages
_PYTORCH_KEYS = {"torch.sparse_coo": "SparseCPU", "torch.sparse_csr": "SparseCsrCPU",
                 "torch.sparse_csc": "SparseCsrCPU"}


def not_dense(layout):
    """The end of every refusal: what is missing, for which layout, and what to do instead."""
    return (f"is not implemented for sparse tensors (layout={layout}, PyTorch's '{_PYTORCH_KEYS[repr(layout)]}'); "
            f"convert the tensor with .to_dense() first")


def _refuse_use(self, *args, **kwargs):
    raise SparseLayoutError(f"this operation {not_dense(self._layout)}")


class NoDenseArray:
    """What a sparse tensor of ``layout`` holds where a dense one holds its array: every attribute, conversion and
    operator of it raises ``SparseLayoutError`` (the eager op wrapper names the op)."""
    __slots__ = ("_layout",)
    __getattr__ = __array__ = __getitem__ = __setitem__ = __len__ = __iter__ = __bool__ = __float__ = __int__ = \
        __index__ = __complex__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = \
        __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __rpow__ = __neg__ = __abs__ = __lt__ = __le__ = \
        __gt__ = __ge__ = __and__ = __or__ = __xor__ = __invert__ = _refuse_use

    def __init__(self, layout):
        self._layout = layout

    def __repr__(self):
        return f"<no dense array: a sparse tensor, layout={self._layout}>"


class SparseTensor(Tensor):
    """The parts of a sparse tensor that do not depend on its layout (module docstring). A layout's class gives
    ``layout``, ``_index_parts()`` (its index tensors) and ``_remade(values, index_parts)`` (a tensor of the same
    layout and size over other values, or indices moved to another device)."""

    __slots__ = ("_sparse_values", "_sparse_size")

    def _nnz(self):
        return self._sparse_values.shape[0]

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
        """The gradient as a sparse tensor of this layout over this tensor's positions (PyTorch's ``a.grad`` of a
        sparse leaf): the gradient of the dense tensor this one stands for, there."""
        values_grad = self._sparse_values.grad
        return None if values_grad is None else self._sparse_grad(values_grad)

    @grad.setter
    def grad(self, value):
        if value is not None:
            raise RuntimeError("a sparse tensor's grad can only be set to None here (it is kept on its values)")
        self._sparse_values.grad = None

    def _sparse_grad(self, values_grad):
        """``grad`` for a gradient of the stored values (one per entry)."""
        return self._remade(values_grad, self._index_parts())

    def detach(self):
        return self._remade(self._sparse_values.detach(), self._index_parts())

    def detach_(self):
        self._sparse_values = self._sparse_values.detach()
        return self

    def clone(self, *, memory_format=None):
        """A copy with indices and values of its own (the values keep their history, as PyTorch's ``clone``)."""
        return self._remade(ops.clone(self._sparse_values), tuple(part.clone() for part in self._index_parts()))

    # ----------------------------------------------------------------------------------- conversions
    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``: the indices and values converted (the values stay
        differentiable); this tensor itself when nothing changes."""
        dev, _ = parse_to_arguments(args, dict(kwargs))
        values = self._sparse_values.to(*args, **kwargs)
        parts = self._index_parts()
        moved = parts if dev is None else tuple(part.to(dev) for part in parts)
        if values is self._sparse_values and all(new is old for new, old in zip(moved, parts)):
            return self
        return self._remade(values, moved)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else device)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    # ------------------------------------------------------------------------------- sparse @ dense
    def mm(self, mat2):
        from .sparse_functions import mm  # (sparse_functions.py builds on the layouts, which build on this)
        return mm(self, mat2)

    def matmul(self, other):
        from .sparse_functions import matmul
        return matmul(self, other)

    __matmul__ = matmul

    # ------------------------------------------------------------------------------------- printing
    def _repr_extras(self):
        """What PyTorch prints after a sparse tensor's parts: device, size, nnz, dtype, layout, autograd."""
        extras = [] if self.device.type == "cpu" else [f"device='{self.device}'"]
        extras += [f"size={tuple(self._sparse_size)}", f"nnz={self._nnz()}"]
        if self.dtype != dtypes.get_default_dtype() and self.dtype != dtypes.int64:
            extras.append(f"dtype={dtype_name(self.dtype)}")
        extras.append(f"layout={self.layout}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return extras

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        return format(repr(self), spec)

    def __reduce_ex__(self, protocol):
        raise SparseLayoutError(f"pickling {not_dense(self.layout)}; save it with minidl.eager.save")

    def __deepcopy__(self, memo):
        values = copy.deepcopy(self._sparse_values, memo)
        return self._remade(values, tuple(part.clone() for part in self._index_parts()))


def part_repr(part, indent):
    """One part of a sparse tensor's repr (its indices, its values), printed after ``indent`` characters of its
    line: as PyTorch prints them, without dtype or device (the sparse tensor names them once), and an empty one
    with its size."""
    if part.numel() == 0:
        return f"tensor([], size={tuple(part.shape)})"
    return tensor_repr(part.detach().cpu(), dtype_shown=False, indent=indent)


def dense_values(fn_name, values, dtype, device):
    """A constructor's ``values`` as a dense tensor of ``dtype`` on ``device`` (each None: as given); a tensor
    given keeps its history, so gradients flow back to it."""
    if not isinstance(values, Tensor):
        values = new_tensor(values, dtype=dtype)
    if isinstance(values, SparseTensor):
        raise RuntimeError(f"{fn_name}: values must be a dense tensor, got a sparse one (layout={values.layout})")
    if dtype is not None:
        values = values.to(dtype)
    return values if device is None else values.to(device)


def leaf_values(fn_name, values, requires_grad):
    """The values of a new sparse tensor: a leaf that requires grad for ``requires_grad=True``, else as given."""
    if not requires_grad:
        return values
    if values.grad_fn is not None:
        raise RuntimeError(f"{fn_name}: requires_grad=True makes a leaf, but the values have a history "
                           f"({values.grad_fn.name()}); leave requires_grad out, or pass values.detach()")
    return values.detach().requires_grad_(True)


#: what a sparse tensor keeps of Tensor's methods: how it is made, and what makes it an object
_KEPT = {"__new__", "__init__", "_make", "__hash__", "__weakref__", "__array_priority__", "__slots__", "__doc__",
         "__module__", "__dict__", "__init_subclass__", "__copy__"}


def _refusing(name):
    def refused(self, *args, **kwargs):
        raise SparseLayoutError(f"{name}() {not_dense(self.layout)}")
    refused.__name__ = name
    return refused


def refuse_dense_methods():
    """Give ``SparseTensor`` a refusing stand-in for each ``Tensor`` method and property it does not define (a
    layout's class overrides the stand-ins of what it does have). Called once by the package, after every module
    that attaches methods to ``Tensor`` has run."""
    for name, value in list(vars(Tensor).items()):
        if name in _KEPT or name in vars(SparseTensor) or name.startswith("_Tensor__"):
            continue
        if isinstance(value, property):
            setattr(SparseTensor, name, property(_refusing(name)))
        elif callable(value) or isinstance(value, (staticmethod, classmethod)):
            setattr(SparseTensor, name, _refusing(name))
    SparseTensor.__copy__ = lambda self: self.detach()

