"""``torch.cpu``: the CPU's side of the device functions ``torch.cuda`` has (device-agnostic code calls them
through ``getattr(torch, device_type)``), and ``torch.cpu.amp``."""
from . import amp as _amp

__all__ = ["amp", "current_device", "device_count", "is_available", "synchronize"]


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """Nothing to wait for: a CPU op has finished when it returns."""


amp = _amp.device_amp("cpu")
