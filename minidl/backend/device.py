"""Devices as PyTorch spells them: ``"cpu"``, ``"cuda"``, ``"cuda:1"``."""
import builtins
import contextlib
from types import SimpleNamespace

import numpy

from .array_module import cupy_or_none, get_array_module


class DeviceError(ValueError, RuntimeError):
    """A device string that names no device: a RuntimeError, as PyTorch raises, and a ValueError."""


class Device:
    """Where an array lives: PyTorch's ``torch.device``. ``Device("cpu")``, ``Device("cuda")`` (GPU 0),
    ``Device("cuda:1")``, ``Device("cuda", 1)``, ``Device(1)`` (a GPU number); a Device given is returned as it
    is. It compares equal to its string form, so ``t.device == "cpu"`` works, and it is the type to ask
    ``isinstance(x.device, torch.device)`` about."""

    __slots__ = ("type", "index")

    def __new__(cls, type=None, index=None):
        if isinstance(type, Device):
            return type
        if type is None:
            type = "cpu"
        if isinstance(type, int):  # torch.device(0) means cuda:0
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', or a Device; got "
                            f"{builtins.type(type).__name__}")
        kind, _, number = type.partition(":")
        if number:
            if not number.isdigit():
                raise DeviceError(f"Invalid device string: {type!r} (expected e.g. 'cuda:0')")
            index = int(number)
        if kind not in ("cpu", "cuda"):
            raise DeviceError(f"unknown device type {kind!r}: expected 'cpu' or 'cuda' (e.g. 'cuda:0')")
        if kind == "cpu" and index not in (None, 0):
            raise DeviceError(f"the cpu device has no index {index}")
        if kind == "cpu" and CPU is not None:  # one cpu Device, shared
            return CPU
        self = object.__new__(cls)
        self.type = kind
        self.index = None if kind == "cpu" else (0 if index is None else int(index))
        return self

    def __reduce__(self):  # copies and pickles are made from the string form
        return Device, (str(self),)

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = None
CPU = Device("cpu")
#: the name the front-ends export, as PyTorch's ``torch.device``
device = Device


def cuda_device_count():
    """How many GPUs cupy sees (0 without cupy, a driver or a GPU)."""
    cupy = cupy_or_none()
    if cupy is None:
        return 0
    try:
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:  # cupy installed but no driver / no GPU
        return 0


def gpu_properties(index):
    """GPU ``index``'s ``name``, ``total_memory`` (bytes), compute capability (``major``, ``minor``) and
    ``multi_processor_count``, as cupy reads them from the driver."""
    properties = cupy_or_none().cuda.runtime.getDeviceProperties(index)
    name = properties["name"]
    return SimpleNamespace(name=name.decode() if isinstance(name, bytes) else name,
                           total_memory=properties["totalGlobalMem"], major=properties["major"],
                           minor=properties["minor"], multi_processor_count=properties["multiProcessorCount"])


def cuda_is_available():
    """True when cupy is installed and sees at least one GPU."""
    return cuda_device_count() > 0


def device_of(array):
    """The Device an ndarray lives on."""
    if isinstance(array, numpy.ndarray) or get_array_module(array) is numpy:
        return CPU
    return Device("cuda", array.device.id)


def array_module_on(dev):
    """The array library that keeps arrays on ``dev`` (a Device), and a context in which it makes them there:
    numpy and a context that does nothing for the CPU; cupy and the GPU (as cupy's current one) for "cuda:i". A GPU
    that is not there is an error."""
    if dev.type == "cpu":
        return numpy, contextlib.nullcontext()
    if not cuda_is_available():
        raise RuntimeError(f"cannot use device '{dev}': no CUDA GPU is available "
                           "(cupy is not installed or sees no GPU); use 'cpu'")
    cupy = cupy_or_none()
    if dev.index >= cupy.cuda.runtime.getDeviceCount():
        raise RuntimeError(f"cannot use device '{dev}': only {cupy.cuda.runtime.getDeviceCount()} GPU(s) visible")
    return cupy, cupy.cuda.Device(dev.index)


def to_device(array, dev):
    """Copy ``array`` to ``dev`` (a Device), or return it unchanged if it is already there."""
    if dev.type == "cpu":
        return array if isinstance(array, (numpy.ndarray, numpy.generic)) else array.get()
    cupy, gpu = array_module_on(dev)
    with gpu:
        return cupy.asarray(array)
