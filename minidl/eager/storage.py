"""Storages: the memory under a tensor, as bytes (``x.untyped_storage()``) or as elements of the tensor's dtype
(``x.storage()``, which PyTorch has deprecated).

In PyTorch a tensor is sizes, strides and an offset into a *storage*, a flat run of bytes that all its views share;
``x.untyped_storage().data_ptr() == y.untyped_storage().data_ptr()`` is how code asks whether two tensors share
memory. A minidl tensor holds a numpy (or cupy) array instead, and an array's memory belongs to the array at the end
of its chain of ``.base``s — the one that was allocated; slices, reshapes, ``view(dtype)`` and ``detach`` all lead
back to it. The bytes of that owner, from its lowest address to its highest, are the storage: a slice ``x[2:]`` has
the storage of ``x``, a clone a storage of its own, as in PyTorch. An op whose forward hands back a view of a
larger scratch array has that array's bytes as its storage: more than PyTorch's result may own, but the truth about
the memory.

A storage is a window on the memory, not a copy: writes through it (``storage[i] = v``, ``fill_``, ``copy_``) are
seen by every tensor on that memory. PyTorch lets such a write pass autograd unseen, so a gradient computed from
values saved before it is silently wrong; here it also bumps the version counter of the tensor the storage was
taken from (which its views and detached copies share), so that a backward that would read overwritten values
refuses, as it does after any in-place change.
"""
import numbers
import warnings

import numpy

from ..backend import (address_of, device as _device, device_of, get_array_module, host_array, is_array,
                       to_device)
from .aliases import typename
from .creation import tensor as _tensor, zeros as _zeros
from .element_types import get_default_dtype, of as dtype_of
from .grad_mode import no_grad
from .memory_sharing import is_shared as _tensor_is_shared
from .tensor import Tensor, _check_writeable

__all__ = ["UntypedStorage", "TypedStorage", "is_storage"]

#: PyTorch warns once per process that TypedStorage is deprecated (``torch.storage._warn_typed_storage_removal``)
_warned = {"TypedStorage is deprecated": False}
TYPED_STORAGE_DEPRECATION = ("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be "
                             "the only storage class. This should only matter to you if you are using storages "
                             "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead of "
                             "tensor.storage()")


def _warn_typed_storage_deprecated(stacklevel):
    if not _warned["TypedStorage is deprecated"]:
        _warned["TypedStorage is deprecated"] = True
        warnings.warn(TYPED_STORAGE_DEPRECATION, UserWarning, stacklevel=stacklevel + 1)


# --------------------------------------------------------------------------------------------- the memory

def _owner(array):
    """The array that owns ``array``'s memory: the last array along its chain of ``.base``s (a buffer that numpy
    wraps, such as ``bytes`` or an ``mmap``, is no array and ends the chain)."""
    while is_array(array.base):
        array = array.base
    return array


class _Memory:
    """Bytes at an address, in the form numpy makes an array of (``__array_interface__``); ``base`` keeps the owner
    alive while the array lives, and leads ``is_shared`` on to a shared memory map behind it."""

    def __init__(self, owner, address, nbytes):
        self.base = owner
        self.__array_interface__ = {"data": (address, not owner.flags.writeable), "shape": (nbytes,),
                                    "typestr": "|u1", "version": 3}


def bytes_of(array):
    """A 1-d uint8 array over all the memory of ``array``'s owner (``_owner``), from its lowest address to its
    highest, whatever the owner's strides."""
    owner = _owner(array)
    strides = list(zip(owner.shape, owner.strides))
    low = sum((n - 1) * s for n, s in strides if s < 0)
    high = sum((n - 1) * s for n, s in strides if s > 0)
    nbytes = high - low + owner.itemsize if owner.size else 0
    if isinstance(owner, numpy.ndarray):
        return numpy.asarray(_Memory(owner, address_of(owner) + low, nbytes))
    xp = get_array_module(owner)
    return xp.ndarray((nbytes,), dtype=xp.uint8, memptr=owner.data + low)


def _is_int(value):
    return isinstance(value, numbers.Integral)


def _step_of_one(index):
    if index.step not in (None, 1):
        raise RuntimeError(f"Trying to slice with a step of {index.step}, but only a step of 1 is supported")


# ---------------------------------------------------------------------------------------------- UntypedStorage

class UntypedStorage:
    """``torch.UntypedStorage``: the bytes of a tensor's memory (module docstring), read and written as ints 0..255.

    ``UntypedStorage(nbytes)`` makes new memory (zeros: PyTorch leaves it uninitialized), ``UntypedStorage([1, 2])``
    holds those bytes; ``tensor.untyped_storage()`` is the memory of a tensor."""

    __slots__ = ("_bytes", "_version_counter")
    is_sparse = False

    def __init__(self, *args, device=None):
        if len(args) > 1:
            raise TypeError(f"UntypedStorage(): expected a size or a sequence of ints, got {len(args)} arguments")
        content = args[0] if args else 0
        if _is_int(content):
            data = numpy.zeros(int(content), dtype=numpy.uint8)
        else:
            for item in content:
                if not _is_int(item):
                    raise RuntimeError(f"torch.UntypedStorage(): tried to construct a storage from a sequence "
                                       f"({type(content).__name__}), but one of the items was of type "
                                       f"{type(item).__name__} instead of int")
            data = numpy.array([int(item) % 256 for item in content], dtype=numpy.uint8)
        self._bytes = data if device is None else to_device(data, _device(device))
        self._version_counter = [0]

    @classmethod
    def _over(cls, data, version_counter):
        """The storage that ``data`` (1-d uint8) is, whose writes bump ``version_counter``."""
        storage = object.__new__(cls)
        storage._bytes, storage._version_counter = data, version_counter
        return storage

    # ------------------------------------------------------------------------------ what it is
    def nbytes(self):
        return int(self._bytes.size)

    size = __len__ = nbytes

    def element_size(self):
        return 1

    @property
    def device(self):
        return device_of(self._bytes)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def get_device(self):
        """The GPU's index; None for the CPU (as PyTorch's storages answer)."""
        return self.device.index

    def data_ptr(self):
        """The address of the first byte: the same for every view of one tensor (module docstring)."""
        return address_of(self._bytes)

    def is_shared(self):
        """Whether the memory is shared with other processes (``Tensor.share_memory_``); always for a GPU."""
        return _tensor_is_shared(Tensor._make(self._bytes))

    def untyped(self):
        return self

    def __eq__(self, other):  # PyTorch hands out one object per storage; here the same memory is the same storage
        return isinstance(other, UntypedStorage) and (self.device, self.data_ptr(), self.nbytes()) == \
            (other.device, other.data_ptr(), other.nbytes())

    def __hash__(self):
        return hash((self.device, self.data_ptr(), self.nbytes()))

    # ------------------------------------------------------------------------------ reading
    def __getitem__(self, index):
        """A byte (an int); a slice (step 1) is a storage on those bytes."""
        if isinstance(index, slice):
            _step_of_one(index)
            return UntypedStorage._over(self._bytes[index], self._version_counter)
        if not _is_int(index):
            raise TypeError(f"can't index a {typename(self)} with {type(index).__name__}")
        n = self.nbytes()
        place = index + n if index < 0 else index
        if not 0 <= place < n:
            raise IndexError(f"index {place} out of range for storage of size {n}")
        return int(self._bytes[place])

    def tolist(self):
        return host_array(self._bytes).tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        values = " " + "\n ".join(str(value) for value in self.tolist())
        return f"{values}\n[{typename(self)}(device={self.device}) of size {self.nbytes()}]"

    # ------------------------------------------------------------------------------ writing
    def _written(self):
        """After a write: every tensor that saw the memory through the storage's tensor has changed."""
        self._version_counter[0] += 1

    def __setitem__(self, index, value):
        """Write a byte, or one byte value into a slice (step 1). A number beyond 0..255 wraps, as in PyTorch; a
        negative index is out of bounds here (PyTorch's rule for writes, though reads count from the end)."""
        if isinstance(index, slice):
            _step_of_one(index)
        elif not _is_int(index):
            raise RuntimeError(f"can't index a {typename(self)} with {type(index).__name__}")
        elif not 0 <= index < self.nbytes():
            raise RuntimeError(f"out of bounds: index {index} into a storage of {self.nbytes()} bytes (a write "
                               "takes no negative index)")
        if not _is_int(value):
            raise RuntimeError(f"can only set storage content with a int types, but got {type(value).__name__} "
                               "instead")
        _check_writeable(self._bytes)
        self._bytes[index] = int(value) % 256
        self._written()

    def fill_(self, value):
        if not _is_int(value):
            raise RuntimeError(f"fill_ expects int, but got {type(value).__name__}")
        self[:] = value
        return self

    def copy_(self, src, non_blocking=None):
        """Copy the bytes of ``src`` (a storage of as many bytes, on any device) into this one."""
        if not isinstance(src, (UntypedStorage, TypedStorage)):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be a storage (UntypedStorage or "
                            f"TypedStorage), not {type(src).__name__}")
        source = src.untyped()._bytes
        if source.size != self._bytes.size:
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was {source.size} "
                               "bytes")
        _check_writeable(self._bytes)
        self._bytes[...] = to_device(source, self.device)
        self._written()
        return self

    # ------------------------------------------------------------------------------ copies
    def clone(self):
        """A storage on new memory holding the same bytes."""
        return UntypedStorage._over(self._bytes.copy(), [0])

    def cpu(self):
        """This storage on the CPU: itself, or a copy of a GPU storage."""
        return self if self.device.type == "cpu" else UntypedStorage._over(host_array(self._bytes), [0])

    def cuda(self, device=None, non_blocking=False):
        """This storage on a GPU (the current one, or ``device``): itself when it is there already, else a copy."""
        target = _device("cuda" if device is None else f"cuda:{device}" if _is_int(device) else device)
        return self if self.device == target else UntypedStorage._over(to_device(self._bytes, target), [0])


# ---------------------------------------------------------------------------------------------- TypedStorage

class TypedStorage:
    """``torch.TypedStorage`` (deprecated in PyTorch, which warns once): a tensor's memory read as elements of its
    dtype. ``size()`` counts the elements of the whole storage (not only the tensor's), ``storage[i]`` is a Python
    number, and ``storage[i] = v`` converts ``v`` as an indexed write into a tensor does.

    ``TypedStorage(size)`` / ``TypedStorage(sequence)`` (``dtype=``, default the default float dtype; ``device=``)
    make new memory; ``TypedStorage(wrap_storage=untyped, dtype=...)`` reads an ``UntypedStorage`` as ``dtype``."""

    __slots__ = ("_untyped_storage", "dtype")
    is_sparse = False

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None):
        _warn_typed_storage_deprecated(stacklevel=2)
        dtype = get_default_dtype() if dtype is None else dtype_of(dtype)
        if wrap_storage is not None:
            if args or device is not None:
                raise RuntimeError("TypedStorage(wrap_storage=...): no size, sequence or device may come with it")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(f"TypedStorage(): argument 'wrap_storage' must be UntypedStorage, not "
                                f"{type(wrap_storage).__name__}")
            self._untyped_storage, self.dtype = wrap_storage, dtype
            return
        if len(args) > 1:
            raise TypeError(f"TypedStorage(): expected a size or a sequence, got {len(args)} arguments")
        content = args[0] if args else 0
        made = _zeros(int(content), dtype=dtype, device=device) if _is_int(content) else \
            _tensor(content, dtype=dtype, device=device)
        self._untyped_storage, self.dtype = untyped_storage(made), dtype

    @classmethod
    def _reading(cls, untyped, dtype):
        """``untyped`` read as ``dtype``, without the deprecation warning (for ``Tensor.storage``, which warns)."""
        storage = object.__new__(cls)
        storage._untyped_storage, storage.dtype = untyped, dtype
        return storage

    def _elements(self):
        """The storage's bytes as a 1-d array of its dtype (trailing bytes that make no whole element left out)."""
        data = self._untyped_storage._bytes
        return data[:self.size() * self.dtype.itemsize].view(self.dtype.dtype)

    # ------------------------------------------------------------------------------ what it is
    def size(self):
        """How many whole elements the bytes hold."""
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self._untyped_storage.nbytes()

    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return self._untyped_storage.is_cuda

    def get_device(self):
        return self._untyped_storage.get_device()

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def is_shared(self):
        return self._untyped_storage.is_shared()

    def untyped(self):
        """The same memory as bytes."""
        return self._untyped_storage

    # ------------------------------------------------------------------------------ reading
    def __getitem__(self, index):
        if isinstance(index, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not _is_int(index):
            raise RuntimeError(f"can't index a {type(self)} with {type(index)}")
        n = self.size()
        if not -n <= index < n:
            raise IndexError(f"index {index} out of range for storage of size {n}")
        return self._elements()[index % n].item()

    def tolist(self):
        return host_array(self._elements()).tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        values = " " + "\n ".join(str(value) for value in self.tolist())
        return f"{values}\n[{typename(self)}(dtype={self.dtype!r}, device={self.device}) of size {self.size()}]"

    # ------------------------------------------------------------------------------ writing
    def __setitem__(self, index, value):
        """Write ``value`` at an index or into a slice, converted to the dtype as ``tensor[index] = value`` does
        (its errors too: an index out of range is an IndexError)."""
        if not isinstance(index, (slice, numbers.Integral)):
            raise RuntimeError(f"can't index a {type(self)} with {type(index)}")
        if is_storage(value):
            raise RuntimeError(f"cannot set item with value type {type(value)}")
        with no_grad():  # (storages are outside autograd: the write only bumps the version, _written)
            Tensor._make(self._elements())[index] = value
        self._untyped_storage._written()

    def fill_(self, value):
        self[:] = value
        return self

    def copy_(self, src, non_blocking=None):
        """Copy the bytes of ``src`` (a storage of as many bytes; its dtype does not matter: bytes are copied,
        not values converted) into this one."""
        self._untyped_storage.copy_(src, non_blocking)
        return self

    # ------------------------------------------------------------------------------ copies
    def clone(self):
        return TypedStorage._reading(self._untyped_storage.clone(), self.dtype)

    def cpu(self):
        return TypedStorage._reading(self._untyped_storage.cpu(), self.dtype)

    def cuda(self, device=None, non_blocking=False):
        return TypedStorage._reading(self._untyped_storage.cuda(device), self.dtype)


def is_storage(obj):
    """``torch.is_storage``: whether ``obj`` is a storage (untyped or typed)."""
    return isinstance(obj, (UntypedStorage, TypedStorage))


# ------------------------------------------------------------------------------------------- Tensor methods

def untyped_storage(self):
    """``Tensor.untyped_storage()``: the bytes of this tensor's memory — of its whole base, for a view."""
    return UntypedStorage._over(bytes_of(self._data), self._counter())


def storage(self):
    """``Tensor.storage()``: the memory as elements of this tensor's dtype (a ``TypedStorage``, deprecated in
    PyTorch: it warns once, as PyTorch does)."""
    _warn_typed_storage_deprecated(stacklevel=2)
    return TypedStorage._reading(untyped_storage(self), self.dtype)
