"""Tensors on memory shared with someone else: other libraries through DLPack (``from_dlpack``, ``to_dlpack``,
``Tensor.__dlpack__``), raw buffers (``frombuffer``) and other processes (``Tensor.share_memory_``).

DLPack is the protocol array libraries use to hand each other their memory without a copy: the producer's
``__dlpack__()`` wraps a pointer, shape, strides and dtype in a capsule, ``__dlpack_device__()`` says where the
memory is, and the consumer builds its own array on the same memory. numpy speaks it (for CPU memory), cupy too
(for GPU memory), so a minidl tensor is simply the array numpy or cupy makes of it: writes through either side are
seen by the other.

``share_memory_()`` moves a CPU tensor's values into a shared memory map of an anonymous memory file
(``SharedSegment``): processes forked afterwards (``DataLoader`` workers, ``multiprocessing`` with the "fork" start
method) see the same memory, so a worker's writes reach the parent, and the file can be handed to any other
process through a ``multiprocessing`` queue (``multiprocessing/reductions.py``). (Where the system has no memory
files — not Linux — the map is anonymous: forked processes share it, others get a copy.) PyTorch moves the
tensor's storage, which its views share; a minidl tensor owns its array, so views taken *before* the move keep the
old memory (take them after). ``is_shared()`` says whether the values
live in such a map — always True for a GPU tensor, as in PyTorch (CUDA memory is shared through IPC handles).
"""
import mmap
import os
import warnings

import numpy

from ..backend import cupy_or_none
from .creation import as_array
from .element_types import as_numpy_dtype
from .tensor import Tensor

#: DLPack's device types (``DLDeviceType``): the memory numpy and cupy can read
_DLPACK_CPU, _DLPACK_CUDA, _DLPACK_CUDA_MANAGED = 1, 2, 13


# ------------------------------------------------------------------------------------------------ DLPack

def _dlpack(self, *, stream=None, **kwargs):
    """The DLPack capsule of this tensor's memory (``numpy.from_dlpack(tensor)``, ``cupy.from_dlpack(tensor)``)."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None:
        kwargs["stream"] = stream
    return self._data.__dlpack__(**kwargs)


def _dlpack_device(self):
    return self._data.__dlpack_device__()


class _Capsule:
    """A bare capsule (what ``to_dlpack`` returns) wrapped in the protocol that ``numpy.from_dlpack`` wants. The
    capsule does not say where its memory is without being opened: it is taken for CPU memory (numpy refuses
    any other; for GPU memory, pass the producing array or tensor itself). numpy makes a read-only array of an
    old, unversioned capsule (PyTorch's ``to_dlpack`` makes those), since it cannot tell whether writes are
    allowed; passing the tensor itself avoids that too."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return _DLPACK_CPU, 0


def to_dlpack(tensor):
    """``torch.utils.dlpack.to_dlpack``: a DLPack capsule of the tensor's memory, to be read once by
    ``from_dlpack`` (of any library). It is a DLPack 1.0 ("versioned") capsule where the array library makes
    them: only those say whether the memory may be written, and numpy reads an older capsule as read-only."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack: expected a Tensor, got {type(tensor).__name__}")
    try:
        return _dlpack(tensor, max_version=(1, 0))
    except TypeError:  # an array library that predates DLPack 1.0
        return _dlpack(tensor)


def from_dlpack(ext_tensor):
    """``torch.from_dlpack``: a tensor sharing memory with ``ext_tensor`` — an object with ``__dlpack__`` (a numpy
    or cupy array, a PyTorch tensor, ...) or a capsule from ``to_dlpack``."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        if type(ext_tensor).__name__ != "PyCapsule":
            raise TypeError(f"from_dlpack: expected an object with __dlpack__ (an array or tensor) or a DLPack "
                            f"capsule, got {type(ext_tensor).__name__}")
        ext_tensor = _Capsule(ext_tensor)
    device_type = ext_tensor.__dlpack_device__()[0]
    if device_type == _DLPACK_CPU:
        array = numpy.from_dlpack(ext_tensor)
    elif device_type in (_DLPACK_CUDA, _DLPACK_CUDA_MANAGED) and cupy_or_none() is not None:
        array = cupy_or_none().from_dlpack(ext_tensor)
    else:
        raise RuntimeError(f"from_dlpack: memory on DLPack device type {device_type} cannot be read here (numpy "
                           f"reads CPU memory, type {_DLPACK_CPU}; cupy, when installed, CUDA memory)")
    as_array(array)  # (refuses dtypes minidl has no tensors of)
    return Tensor._make(array)


# --------------------------------------------------------------------------------------------- frombuffer

def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """``torch.frombuffer``: a 1-d tensor on the bytes of ``buffer`` (bytes, bytearray, memoryview, array.array,
    mmap, ...) from ``offset``: ``count`` elements of ``dtype``, or as many as fit (-1). It shares the buffer's
    memory. A read-only buffer (bytes) gives a read-only tensor: PyTorch warns and lets you write anyway; minidl
    warns too, and a write is then refused."""
    view = memoryview(buffer)
    length, itemsize = view.nbytes, numpy.dtype(as_numpy_dtype(dtype)).itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % itemsize:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({itemsize})")
    elif count * itemsize > length - offset:
        raise ValueError(f"requested buffer length ({count} * {itemsize} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    if view.readonly:
        warnings.warn("frombuffer: the given buffer is not writable, so neither is the tensor (PyTorch would let "
                      "you write into it); copy the buffer, e.g. bytearray(buffer), to change the values",
                      UserWarning, stacklevel=2)
    array = numpy.frombuffer(view, dtype=as_numpy_dtype(dtype), count=count, offset=offset)
    return Tensor._make(array).requires_grad_(requires_grad)


# ---------------------------------------------------------------------------------------------- processes

def _maps_shared_memory(array):
    """Whether ``array``'s memory belongs, through its chain of bases, to an anonymous shared ``mmap``."""
    base = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
    return False


class SharedSegment(mmap.mmap):
    """A shared map of a memory file whose descriptor ``fd`` it keeps open (closed with the map), so that another
    process can map the same memory: ``memfd_create`` makes the file, which has no name and vanishes with its
    last descriptor and map."""

    def __new__(cls, fd, size):
        segment = super().__new__(cls, fd, size)
        segment.fd = fd
        return segment

    @classmethod
    def allocate(cls, size):
        fd = os.memfd_create("minidl_shared_tensor")
        os.ftruncate(fd, size)
        return cls(fd, size)

    def __del__(self):
        os.close(self.fd)


def shared_segment_of(array):
    """The ``SharedSegment`` that ``array``'s memory lies in, or None."""
    base = array
    while base is not None:
        if isinstance(base, SharedSegment):
            return base
        base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
    return None


def share_memory_(self):
    """Move this CPU tensor's values into shared memory (module docstring), in place; returns the tensor. A GPU
    tensor, or one already shared, is left as it is."""
    data = self._data
    if not isinstance(data, numpy.ndarray) or _maps_shared_memory(data):
        return self
    size = max(data.nbytes, 1)
    # (MAP_SHARED: inherited by forked processes)
    shared_map = SharedSegment.allocate(size) if hasattr(os, "memfd_create") else mmap.mmap(-1, size)
    shared = numpy.frombuffer(shared_map, dtype=data.dtype, count=data.size).reshape(data.shape)
    shared[...] = data
    self._data = shared
    return self


def is_shared(self):
    """Whether the values are in shared memory: after ``share_memory_()`` (and in views taken since), and for
    every GPU tensor."""
    return not isinstance(self._data, numpy.ndarray) or _maps_shared_memory(self._data)


Tensor.__dlpack__, Tensor.__dlpack_device__ = _dlpack, _dlpack_device
Tensor.share_memory_, Tensor.is_shared = share_memory_, is_shared
