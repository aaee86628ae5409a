"""``torchlike.cuda``: which GPUs there are, the current one, its memory, waiting for it and timing it — PyTorch's
``torch.cuda`` names, answered by cupy.

minidl keeps no state of its own about GPUs: the current device, the memory pool and the events are cupy's. Without
a GPU, ``is_available()`` is False and the counters of memory read 0, as PyTorch's do on a machine without CUDA;
``synchronize`` returns (PyTorch raises: see its docstring); what needs a GPU to mean anything (the current device,
a device's name, an event) raises.
"""

from ..backend import cuda_device_count, cuda_is_available, cupy_or_none, device as as_device, gpu_properties
from . import amp as _amp
from .legacy import CUDA_TENSOR_TYPES

__all__ = ["Event", "amp", "current_device", "device", "device_count", "empty_cache", "get_device_capability",
           "get_device_name", "get_device_properties", "is_available", "is_bf16_supported", "is_initialized",
           "manual_seed", "manual_seed_all", "max_memory_allocated", "max_memory_reserved", "mem_get_info",
           "memory_allocated", "memory_reserved", "memory_stats", "set_device", "synchronize", *CUDA_TENSOR_TYPES]

globals().update(CUDA_TENSOR_TYPES)  # torch.cuda.FloatTensor, LongTensor, ...: typed classes on the GPU
is_available = cuda_is_available
is_initialized = cuda_is_available


def _cupy():
    """cupy, where it sees a GPU; else PyTorch's error for a machine without CUDA, in minidl's words."""
    if not cuda_is_available():
        raise RuntimeError("no CUDA GPU is available (cupy is not installed or sees no GPU)")
    return cupy_or_none()


def _index(device):
    """A GPU's index from a device, "cuda:1", an int, or None (the current GPU); one that is not there is
    PyTorch's error."""
    if device is None:
        return current_device()
    index = device if isinstance(device, int) else as_device(device).index
    if index is None:
        return current_device()
    if not 0 <= index < device_count():
        raise RuntimeError(f"CUDA error: invalid device ordinal (GPU {index} of {device_count()})")
    return index


device_count = cuda_device_count


def current_device():
    """The index of the GPU that new tensors on "cuda" and the ops on them use."""
    return _cupy().cuda.runtime.getDevice()


def set_device(device):
    """Make ``device`` (an index, "cuda:1", a device) the current GPU of this thread."""
    _cupy().cuda.runtime.setDevice(_index(device))


def get_device_properties(device=None):
    """A GPU's ``name``, ``total_memory`` (bytes), compute capability (``major``, ``minor``) and
    ``multi_processor_count``."""
    _cupy()
    return gpu_properties(_index(device))


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    """``(major, minor)``: the GPU's compute capability (8.0 and up multiply bfloat16 natively on PyTorch)."""
    properties = get_device_properties(device)
    return properties.major, properties.minor


def device(device):
    """``with torch.cuda.device(1):``: GPU ``1`` is the current one inside the block (then the previous one
    again): cupy's own ``Device``, which is such a block."""
    return _cupy().cuda.Device(_index(device))


def __getattr__(name):
    """``torch.cuda.OutOfMemoryError`` is cupy's, so that ``except`` catches what the GPU raises (cupy is imported
    only when a program asks for it)."""
    if name == "OutOfMemoryError":
        cupy = cupy_or_none()
        return cupy.cuda.memory.OutOfMemoryError if cupy is not None else MemoryError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def memory_allocated(device=None):
    """Bytes held by tensors now: what cupy's memory pool has handed out (0 without a GPU)."""
    return cupy_or_none().get_default_memory_pool().used_bytes() if cuda_is_available() else 0


def memory_reserved(device=None):
    """Bytes the memory pool holds from the GPU, in use or cached for reuse (0 without a GPU)."""
    return cupy_or_none().get_default_memory_pool().total_bytes() if cuda_is_available() else 0


def _peak_not_tracked(name):
    """The peaks of memory use: 0 without a GPU, as PyTorch answers; on a GPU cupy's memory pool keeps no peak."""
    def peak(device=None):
        if cuda_is_available():
            raise NotImplementedError(f"torch.cuda.{name}: minidl does not track the peak of GPU memory (cupy's "
                                      f"memory pool keeps none); memory_allocated() gives the current use")
        return 0
    peak.__name__ = name
    return peak


max_memory_allocated = _peak_not_tracked("max_memory_allocated")
max_memory_reserved = _peak_not_tracked("max_memory_reserved")


def memory_stats(device=None):
    """The memory pool's counters, under PyTorch's names for them (empty without a GPU, as PyTorch's)."""
    if not cuda_is_available():
        return {}
    return {"allocated_bytes.all.current": memory_allocated(device),
            "reserved_bytes.all.current": memory_reserved(device)}


def mem_get_info(device=None):
    """``(free, total)`` bytes of the GPU, as its driver counts them."""
    cupy = _cupy()
    with cupy.cuda.Device(_index(device)):
        return cupy.cuda.runtime.memGetInfo()


def empty_cache():
    """Hand the memory pool's cached blocks back to the GPU; nothing to do without one."""
    if cuda_is_available():
        cupy_or_none().get_default_memory_pool().free_all_blocks()


def synchronize(device=None):
    """Wait until the GPU has finished the work queued on it, e.g. before reading a clock to time it (GPU calls
    return before the GPU is done). ``device`` is a device or an index (default: the current GPU). Without a GPU
    nothing can be pending, so there is nothing to wait for: PyTorch raises there, minidl returns, so that timing
    code runs on either."""
    if cuda_is_available():
        with cupy_or_none().cuda.Device(_index(device)):
            cupy_or_none().cuda.runtime.deviceSynchronize()


class Event:
    """A marker in the GPU's queue of work: ``record()`` it, and later ``elapsed_time(other)`` gives the
    milliseconds the GPU spent between the two — the way to time GPU code, whose calls return at once."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _cupy().cuda.Event(block=blocking, disable_timing=not enable_timing, interprocess=interprocess)

    def record(self, stream=None):
        self._event.record(stream)

    def synchronize(self):
        self._event.synchronize()

    def query(self):
        """True once the GPU has reached this event."""
        return self._event.done

    def elapsed_time(self, end_event):
        return cupy_or_none().cuda.get_elapsed_time(self._event, end_event._event)


def is_bf16_supported(including_emulation=True):
    """False: minidl has no bfloat16 (numpy has none)."""
    return False


def manual_seed(seed_value):
    """The GPU's random numbers are drawn on the host by minidl's one generator: seeding it seeds them."""
    from .random import manual_seed as seed_everything
    seed_everything(seed_value)


manual_seed_all = manual_seed


amp = _amp.device_amp("cuda")  # ``torch.cuda.amp``: the older spelling of ``torch.amp`` with the device fixed
