"""Devices as PyTorch spells them: ``"cpu"``, ``"cuda"``, ``"cuda:1"``."""
import numpy

from .array_module import cupy_or_none, get_array_module


class Device:
    """Where an array lives. Compares equal to its string form, so ``t.device == "cpu"`` works."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if type not in ("cpu", "cuda"):
            raise ValueError(f"unknown device type {type!r}: expected 'cpu' or 'cuda' (e.g. 'cuda:0')")
        if type == "cpu" and index not in (None, 0):
            raise ValueError(f"the cpu device has no index {index}")
        self.type = type
        self.index = None if type == "cpu" else (0 if index is None else int(index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = Device("cpu")


def device(spec=None, index=None):
    """Parse ``"cpu"``, ``"cuda"``, ``"cuda:0"``, a Device, or ``("cuda", 1)``-style arguments."""
    if isinstance(spec, Device):
        return spec
    if spec is None:
        return CPU
    if isinstance(spec, int):  # torch.device(0) means cuda:0
        return Device("cuda", spec)
    if not isinstance(spec, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', or a Device; got {type(spec).__name__}")
    kind, _, idx = spec.partition(":")
    if idx:
        if not idx.isdigit():
            raise ValueError(f"invalid device string {spec!r}: expected e.g. 'cuda:0'")
        index = int(idx)
    return CPU if kind == "cpu" and index is None else Device(kind, index)


def cuda_is_available():
    """True when cupy is installed and sees at least one GPU."""
    cupy = cupy_or_none()
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # cupy installed but no driver / no GPU
        return False


def device_of(array):
    """The Device an ndarray lives on."""
    if isinstance(array, numpy.ndarray) or get_array_module(array) is numpy:
        return CPU
    return Device("cuda", array.device.id)


def to_device(array, dev):
    """Copy ``array`` to ``dev`` (a Device), or return it unchanged if it is already there."""
    if dev.type == "cpu":
        return array if isinstance(array, (numpy.ndarray, numpy.generic)) else array.get()
    if not cuda_is_available():
        raise RuntimeError(f"cannot use device '{dev}': no CUDA GPU is available "
                           "(cupy is not installed or sees no GPU); use 'cpu'")
    cupy = cupy_or_none()
    if dev.index >= cupy.cuda.runtime.getDeviceCount():
        raise RuntimeError(f"cannot use device '{dev}': only {cupy.cuda.runtime.getDeviceCount()} GPU(s) visible")
    with cupy.cuda.Device(dev.index):
        return cupy.asarray(array)
