"""``nn.DataParallel``: PyTorch's wrapper that splits each batch over several GPUs, runs a replica of the module on
each and gathers the outputs on the first. minidl runs a module on one device, so the wrapper holds the module
(its parameters appear as ``module.weight`` ..., as in PyTorch's state dicts) and calls it on the whole batch:
exactly what PyTorch's does on a machine without a GPU, and the same numbers it gives with GPUs (only the speed
differs). With GPUs, as in PyTorch, the module must be on the first of ``device_ids`` (with one, the wrapper
moves it there), the inputs go there, and the output comes back on ``output_device``.
"""
from ...backend import cuda_device_count, cuda_is_available, device
from ..tensor import Tensor
from .module import Module


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: calls ``module`` on the whole batch."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected an nn.Module, got {type(module).__name__}")
        self.module = module
        # (the GPUs PyTorch would split the batch over: every one it sees by default; without one, none)
        if not cuda_is_available():
            device_ids = []
        elif device_ids is None:
            device_ids = range(cuda_device_count())
        self.device_ids = [_gpu_index(d) for d in device_ids]
        self.output_device = _gpu_index(output_device) if output_device is not None else \
            (self.device_ids[0] if self.device_ids else None)
        self.dim = dim
        if len(self.device_ids) == 1:  # as PyTorch's: one GPU, and the wrapper moves the module there itself
            module.to(f"cuda:{self.device_ids[0]}")

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        first = device(f"cuda:{self.device_ids[0]}")
        for t in (*self.module.parameters(), *self.module.buffers()):
            if t.device != first:
                raise RuntimeError(f"module must have its parameters and buffers on device {first} (device_ids[0]) "
                                   f"but found one of them on device: {t.device}")
        inputs, kwargs = _to(inputs, first), _to(kwargs, first)
        return _to(self.module(*inputs, **kwargs), device(f"cuda:{self.output_device}"))


def _gpu_index(d):
    """A GPU's index from an int, "cuda:1" or a device."""
    return d if isinstance(d, int) else device(d).index or 0


def _to(value, where):
    """``value`` with every tensor in it (inside tuples, lists and dicts too) moved to ``where``."""
    if isinstance(value, Tensor):
        return value.to(where)
    if isinstance(value, (tuple, list)):
        return type(value)(_to(v, where) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, where) for k, v in value.items()}
    return value
