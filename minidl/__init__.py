"""minidl: a small deep-learning framework with two front-ends on one op library.

* ``import minidl.eager as torchlike`` — define-by-run, PyTorch's names and semantics;
* ``import minidl.graph as tf`` — TensorFlow 1's static graphs and sessions.
"""
from .backend import Device, cuda_is_available, device
from .backend.dtypes import (bool_, cdouble, cfloat, complex64, complex128, double, float16, float32, float64,
                             get_default_dtype, half, int8, int16, int32, int64, long, set_default_dtype, short,
                             uint8)

__version__ = "0.1.0"
