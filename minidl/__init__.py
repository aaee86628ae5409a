"""minidl: a small deep-learning framework with two front-ends on one op library.

* ``import minidl.eager as torchlike`` — define-by-run, PyTorch's names and semantics;
* ``import minidl.graph as tf`` — TensorFlow 1's static graphs and sessions.
"""
from .backend import Device, cuda_is_available, device
from .backend.dtypes import (bool_, cdouble, cfloat, complex64, complex128, double, float16, float32, float64,
                             get_default_dtype, half, int8, int16, int32, int64, long, set_default_dtype, short,
                             uint8)

__version__ = "0.1.0"


def _keep_freed_memory_unless_told_not_to():
    """A training step makes and drops the same big arrays every step; glibc's malloc, left alone, returns them
    to the system and page-faults them back in on the next step (``backend/allocator.py`` explains, and the
    README gives the measured cost). So minidl asks it to keep freed memory, for the whole process — like the
    caching allocators of PyTorch and cupy on a GPU. ``MINIDL_KEEP_FREED_MEMORY=0`` leaves malloc as it was."""
    import os
    from .backend.allocator import keep_freed_memory_at_import
    keep_freed_memory_at_import(os.environ)


_keep_freed_memory_unless_told_not_to()


def _compute_ieee_results_quietly():
    """log(0) = -inf and 0/0 = nan without numpy's RuntimeWarnings, as in PyTorch (``backend/float_errors.py``)."""
    from .backend.float_errors import silence_numpy_float_warnings
    silence_numpy_float_warnings()


_compute_ieee_results_quietly()
