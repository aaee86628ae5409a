"""How a tensor crosses processes: what ``multiprocessing``'s own pickler (``ForkingPickler``, used by its queues,
pipes and ``spawn``) makes of it. Plain ``pickle`` still refuses tensors (``save``/``load`` are the way to files).

* A tensor in shared memory (``share_memory_()``, ``memory_sharing.SharedSegment``) is sent as a handle on its
  memory file, and the receiver maps the same memory: writes on either side are seen by the other. The sharing
  strategy says what the handle is: "file_descriptor" (the default) passes a duplicate of the file's descriptor
  over a Unix socket, "file_system" passes the file's name ``/proc/<pid>/fd/<n>``, which the receiver opens. Both
  need the sender alive until the receiver has taken the tensor, as in PyTorch.
* Any other tensor is sent as a copy of its values. (PyTorch moves it into shared memory on the way; minidl leaves
  the sender's tensor where it is.)

A leaf keeps ``requires_grad``, a ``Parameter`` stays one; a non-leaf that requires grad is refused with PyTorch's
message, since its graph cannot follow it. GPU tensors arrive on the host.
"""
import os
from multiprocessing.reduction import DupFd, ForkingPickler

import numpy

from ..memory_sharing import SharedSegment, shared_segment_of
from ..nn.parameter import Buffer, Parameter, _TransientBuffer
from ..tensor import Tensor

__all__ = ["get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy"]

_STRATEGIES = {"file_descriptor", "file_system"}
_strategy = "file_descriptor"


def get_all_sharing_strategies():
    return set(_STRATEGIES)


def get_sharing_strategy():
    return _strategy


def set_sharing_strategy(new_strategy):
    """Choose how shared tensors are handed over (module docstring): "file_descriptor" or "file_system"."""
    global _strategy
    if new_strategy not in _STRATEGIES:
        raise ValueError(f"set_sharing_strategy: unknown strategy {new_strategy!r}; expected one of "
                         f"{sorted(_STRATEGIES)}")
    _strategy = new_strategy


def _rebuild(kind, array, requires_grad):
    if kind is Parameter:
        return Parameter(Tensor._make(array), requires_grad)
    tensor = Tensor._make(array, requires_grad=requires_grad)
    if kind is not Tensor:
        tensor.__class__ = kind
    return tensor


def _rebuild_shared(kind, handle, size, layout, requires_grad):
    if isinstance(handle, str):  # "file_system"
        fd = os.open(handle, os.O_RDWR)
    elif isinstance(handle, int):  # passed to a child at its start (the "spawn" start method keeps its number)
        fd = handle
    else:  # a descriptor waiting on the sender's Unix socket
        fd = handle.detach()
    segment = SharedSegment(fd, size)
    dtype, shape, strides, offset = layout
    array = numpy.ndarray(shape, dtype=dtype, buffer=segment, offset=offset, strides=strides)
    return _rebuild(kind, array, requires_grad)


def _reduce_tensor(tensor):
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does "
                           "not support crossing process boundaries.  If you just want to transfer the data, call "
                           "detach() on the tensor before serializing (e.g., putting it on the queue).")
    kind = type(tensor) if type(tensor) in _KINDS else Tensor
    array = tensor._data
    segment = shared_segment_of(array) if isinstance(array, numpy.ndarray) else None
    if segment is None:
        return _rebuild, (kind, tensor.detach().cpu()._data, tensor.requires_grad)
    start = numpy.frombuffer(segment, numpy.uint8).__array_interface__["data"][0]
    layout = (array.dtype.str, array.shape, array.strides, array.__array_interface__["data"][0] - start)
    handle = DupFd(segment.fd) if _strategy == "file_descriptor" else f"/proc/{os.getpid()}/fd/{segment.fd}"
    return _rebuild_shared, (kind, handle, len(segment), layout, tensor.requires_grad)


_KINDS = (Tensor, Parameter, Buffer, _TransientBuffer)
for _kind in _KINDS:
    ForkingPickler.register(_kind, _reduce_tensor)
