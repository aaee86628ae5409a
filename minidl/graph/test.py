"""``tf.test``: what a TF1 notebook's first cell asks — is there a GPU, and what is it called — and the pieces of
a TF1 program's own tests: ``TestCase`` and ``main`` (testing.py), ``compute_gradient`` and
``compute_gradient_error`` (gradient_checker.py)."""
from ..backend import cuda_is_available, cupy_or_none
from .gradient_checker import compute_gradient, compute_gradient_error  # noqa: F401 (tf.test.*)
from .testing import TestCase, get_temp_dir, main  # noqa: F401 (tf.test.*)


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """True when cupy sees a CUDA GPU (minidl's GPU arrays are cupy's)."""
    return cuda_is_available()


def is_built_with_cuda():
    """True when cupy, minidl's GPU library, is installed (TF: whether its build has CUDA)."""
    return cupy_or_none() is not None


def gpu_device_name():
    """``"/device:GPU:0"`` when a GPU is available, else ``""``, as TF answers."""
    return "/device:GPU:0" if cuda_is_available() else ""
