"""The settings PyTorch programs make in their first lines, and the constants they read::

    torch.backends.cudnn.deterministic = True
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
    torch.set_num_threads(1)
    print(torch.__version__, torch.pi, torch.finfo(torch.float32).eps)

minidl has no cuDNN and no MPS; the flags are kept so that programs can set and read them. Its CPU ops are
deterministic, so ``use_deterministic_algorithms`` has nothing to switch. The number of threads numpy's BLAS uses is
fixed when the process starts (``OPENBLAS_NUM_THREADS``); ``set_num_threads`` records the wish and
``get_num_threads`` reports it.
"""
import math
import os
import warnings
from types import SimpleNamespace

import numpy

from ..backend import cuda_device_count, cuda_is_available, cupy_or_none, device as as_device

pi, e, inf, nan = math.pi, math.e, math.inf, math.nan


class finfo:
    """Facts about a floating point dtype (default: the default dtype), as Python numbers, like PyTorch's:
    ``bits``, ``eps`` (the gap between 1 and the next number), ``max``, ``min``, ``tiny`` = ``smallest_normal``,
    ``resolution`` (about 10**-decimal digits), ``dtype`` (its name)."""

    def __init__(self, type=None):
        from .element_types import get_default_dtype
        dtype = numpy.dtype(get_default_dtype().dtype if type is None else type)
        if dtype.kind not in "fc":
            raise TypeError(f"torch.finfo() requires a floating point input type, got {dtype.name}. Use torch.iinfo "
                            "to handle it")
        facts = numpy.finfo(dtype)
        self.bits, self.dtype = facts.bits, facts.dtype.name
        self.eps, self.max, self.min = float(facts.eps), float(facts.max), float(facts.min)
        self.tiny = self.smallest_normal = float(facts.smallest_normal)
        self.resolution = 10.0 ** -facts.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Facts about an integer dtype, as Python ints: ``bits``, ``max``, ``min``, ``dtype`` (its name)."""

    def __init__(self, type):
        dtype = numpy.dtype(type)
        if dtype.kind not in "iu":
            raise TypeError(f"torch.iinfo() requires an integer input type, got {dtype.name}. Use torch.finfo to "
                            "handle it")
        facts = numpy.iinfo(dtype)
        self.bits, self.max, self.min, self.dtype = facts.bits, int(facts.max), int(facts.min), facts.dtype.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"

# ``torch.backends``: switches that steer PyTorch's kernels (cuDNN's algorithm search, TensorFloat-32 products) are
# accepted and kept; minidl calls no cuDNN, and cupy multiplies float32 in full float32 (so TF32 changes nothing)
backends = SimpleNamespace(
    cudnn=SimpleNamespace(deterministic=False, benchmark=False, enabled=True, allow_tf32=True,
                          is_available=lambda: False, version=lambda: None),
    cuda=SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                                                allow_bf16_reduced_precision_reduction=True),
                         is_built=lambda: cupy_or_none() is not None),
    mps=SimpleNamespace(is_available=lambda: False, is_built=lambda: False),
)


def _current_accelerator(check_available=False):
    return as_device("cuda") if cuda_is_available() else None


def _accelerator_synchronize(device_index=None):
    from .cuda import synchronize
    synchronize(device_index)


def _current_device_index():
    if not cuda_is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")  # PyTorch's words
    from .cuda import current_device
    return current_device()


# ``torch.accelerator``: the GPU, where there is one, by PyTorch's device-generic names
accelerator = SimpleNamespace(is_available=cuda_is_available, current_accelerator=_current_accelerator,
                              device_count=cuda_device_count, current_device_index=_current_device_index,
                              synchronize=_accelerator_synchronize)

_settings = {"threads": os.cpu_count() or 1, "interop_threads": os.cpu_count() or 1, "deterministic": False,
             "matmul_precision": "highest", "warn_always": False}


def set_num_threads(count):
    """Record the number of threads asked for (see the module docstring: numpy's BLAS fixes its own at start)."""
    if not isinstance(count, int) or count < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {count!r}")
    _settings["threads"] = count


def get_num_threads():
    return _settings["threads"]


def set_num_interop_threads(count):
    """Record the number of threads asked for to run independent ops side by side (minidl runs ops one after
    another, so nothing else changes)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise RuntimeError(f"set_num_interop_threads expects a positive integer, got {count!r}")
    _settings["interop_threads"] = count


def get_num_interop_threads():
    return _settings["interop_threads"]


def set_flush_denormal(mode):
    """PyTorch switches the CPU to treat numbers too small for a normal float as zero, where the CPU can, and says
    whether it did. numpy offers no such switch, so minidl answers False (not done), as PyTorch does on a CPU
    without the feature."""
    if not isinstance(mode, bool):
        raise TypeError(f"set_flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def set_warn_always(b):
    """In PyTorch, warnings that are normally given once per process are then given every time. minidl's warnings
    go through Python's ``warnings`` filters, which decide that; the flag is kept for
    ``is_warn_always_enabled``."""
    if not isinstance(b, bool):
        raise TypeError(f"set_warn_always expects a bool, but got {type(b).__name__}")
    _settings["warn_always"] = b


def is_warn_always_enabled():
    return _settings["warn_always"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """minidl's CPU ops are deterministic already; the flag is kept for ``are_deterministic_algorithms_enabled``."""
    _settings["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """``torch.compile``: minidl has no compiler, so the module or function comes back as it is and runs eagerly,
    with the same results a compiled one would give (only the speed differs). Also a decorator, with or without
    arguments (``@torch.compile`` or ``@torch.compile(mode="max-autotune")``)."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"torch.compile: expected a module or a function, got {type(model).__name__}")
    return model


def _disable(fn=None, recursive=True, *, reason=None):
    """``torch.compiler.disable``: keep ``fn`` out of compilation — minidl compiles nothing, so ``fn`` itself (also
    a decorator, with or without arguments)."""
    return (lambda f: f) if fn is None else fn


#: ``torch.compiler``: what programs call to steer compilation, which minidl does not do (see ``compile``)
compiler = SimpleNamespace(compile=compile, disable=_disable, is_compiling=lambda: False,
                           is_dynamo_compiling=lambda: False, is_exporting=lambda: False, reset=lambda: None,
                           allow_in_graph=lambda fn: fn, assume_constant_result=lambda fn: fn)


def set_float32_matmul_precision(precision):
    """``"highest"``, ``"high"`` or ``"medium"``: on a GPU PyTorch then lets float32 matrix products use faster,
    less precise arithmetic (TensorFloat-32, bfloat16). numpy and cupy always multiply in full float32, so in
    minidl the setting is only recorded, for ``get_float32_matmul_precision``; results do not change. Another
    string is ignored with a warning, as in PyTorch."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]
