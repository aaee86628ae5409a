"""The array backend: numpy on the CPU, cupy on the GPU, chosen per call.

Every op asks ``get_array_module(*arrays)`` which library owns its inputs (the Chainer/DeZero way), so there is
no global switch and the package imports and runs without cupy installed.
"""
from .array_module import (address_of, cupy_or_none, get_array_module, host_array, is_array, is_writeable,
                           may_share_memory, reporting_linalg_errors)
from .device import (Device, array_module_on, cuda_device_count, cuda_is_available, device, device_of,
                     gpu_properties, to_device)
from . import dtypes

__all__ = ["address_of", "get_array_module", "cupy_or_none", "host_array", "is_array", "is_writeable",
           "may_share_memory", "reporting_linalg_errors", "Device", "array_module_on", "device", "cuda_device_count",
           "cuda_is_available", "device_of", "gpu_properties", "to_device", "dtypes"]
