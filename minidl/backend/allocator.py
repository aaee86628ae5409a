"""Keep freed memory for reuse: a setting of the C allocator (glibc's malloc, on Linux) that training loops want.

numpy gets its arrays' memory from ``malloc``. glibc's malloc serves a big request (above ``M_MMAP_THRESHOLD``:
128 KiB at first, raised on its own up to 32 MiB as big blocks are freed) with fresh pages from the operating
system (``mmap``), and hands them straight back on ``free`` (``munmap``); it also returns free memory at the top
of its heap to the system once there is more than ``M_TRIM_THRESHOLD`` of it. A training step makes and drops
the same big arrays every step — activations, gradients, the im2col columns of a convolution — so every step
asks the system for fresh pages again, and the system zero-fills each page on first touch: a page fault per
page, thousands per step of a small CNN, several milliseconds of system time.

``keep_freed_memory()`` raises both thresholds, so big arrays come from malloc's heap and stay there once freed:
the next step reuses memory that is already mapped. The price is that the process keeps its peak heap size until
it exits instead of shrinking after a burst, which a training process (whose peak recurs every step) hardly
notices. The environment variables ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` do the same from
outside the program. ``import minidl`` calls ``keep_freed_memory()`` unless ``MINIDL_KEEP_FREED_MEMORY=0``.

GPU memory (cupy) is not affected: cupy keeps freed blocks in its own memory pool already.
"""
import ctypes
import sys

# mallopt's parameter numbers, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

#: big enough for the largest temporary of a typical step (numpy arrays of a few hundred MB still get mmap)
DEFAULT_MMAP_THRESHOLD = 256 << 20
#: the largest mmap threshold that every glibc accepts on 64-bit systems (newer ones accept more)
PORTABLE_MMAP_THRESHOLD = 32 << 20
#: free heap memory kept before any is returned to the system
DEFAULT_TRIM_THRESHOLD = 1 << 30


def _mallopt():
    """glibc's ``mallopt`` function, or None on other C libraries (macOS, Windows, musl: no such tuning)."""
    if not sys.platform.startswith("linux"):
        return None
    import platform
    if platform.libc_ver()[0] != "glibc":
        return None
    function = ctypes.CDLL(None).mallopt
    function.argtypes, function.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return function


def keep_freed_memory(mmap_threshold=DEFAULT_MMAP_THRESHOLD, trim_threshold=DEFAULT_TRIM_THRESHOLD):
    """Make glibc's malloc keep freed blocks for reuse (see the module docstring); the thresholds are in bytes.

    Returns True where the setting took effect, False where the C library is not glibc (nothing to do there).
    Raises ValueError for thresholds glibc refuses.
    """
    for name, value in (("mmap_threshold", mmap_threshold), ("trim_threshold", trim_threshold)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 31:
            raise ValueError(f"keep_freed_memory: {name} must be a number of bytes in [0, 2**31), got {value!r}")
    mallopt = _mallopt()
    if mallopt is None:
        return False
    for parameter, name, value in ((M_MMAP_THRESHOLD, "mmap_threshold", mmap_threshold),
                                   (M_TRIM_THRESHOLD, "trim_threshold", trim_threshold)):
        if mallopt(parameter, value) != 1:
            raise ValueError(f"keep_freed_memory: glibc's mallopt refused {name}={value}")
    return True


def keep_freed_memory_at_import(environ):
    """What ``import minidl`` does: ``keep_freed_memory()`` unless ``environ`` says
    ``MINIDL_KEEP_FREED_MEMORY=0``, falling back to the threshold every glibc accepts. Never raises: a C library
    that refuses both settings leaves malloc as it was. Returns whether a setting took effect."""
    if environ.get("MINIDL_KEEP_FREED_MEMORY", "1") == "0":
        return False
    for mmap_threshold in (DEFAULT_MMAP_THRESHOLD, PORTABLE_MMAP_THRESHOLD):
        try:
            return keep_freed_memory(mmap_threshold)
        except ValueError:
            continue
    return False
