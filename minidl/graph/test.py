"""``tf.test``: what a TF1 notebook's first cell asks — is there a GPU, and what is it called."""
from ..backend import cuda_is_available


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """True when cupy sees a CUDA GPU (minidl's GPU arrays are cupy's)."""
    return cuda_is_available()


def gpu_device_name():
    """``"/device:GPU:0"`` when a GPU is available, else ``""``, as TF answers."""
    return "/device:GPU:0" if cuda_is_available() else ""
