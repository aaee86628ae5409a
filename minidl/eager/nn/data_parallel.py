"""``nn.DataParallel``: PyTorch's wrapper that splits each batch over several GPUs, runs a replica of the module on
each and gathers the outputs on the first. minidl runs a module on one device, so the wrapper only holds the module
(its parameters appear as ``module.weight`` ..., as in PyTorch's state dicts) and calls it whole — exactly what
PyTorch's does on a machine without a GPU, and the same numbers it gives with several (only the speed differs).
"""
from ...backend import cuda_is_available
from .module import Module


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: calls ``module`` on the whole batch."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected an nn.Module, got {type(module).__name__}")
        self.module = module
        # (the GPUs PyTorch would split the batch over; without one, none, as in PyTorch)
        self.device_ids = list(device_ids) if device_ids is not None and cuda_is_available() else []
        self.output_device, self.dim = output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
