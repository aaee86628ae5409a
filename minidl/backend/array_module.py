"""Pick numpy or cupy from the arrays an op receives."""
import contextlib
import importlib
import sys

import numpy

_cupy = None          # the cupy module once it has been imported successfully
_cupy_failed = False  # remember a failed import so we try only once


def cupy_or_none():
    """Import cupy on first use; return None where it is not installed or cannot load."""
    global _cupy, _cupy_failed
    if _cupy is None and not _cupy_failed:
        try:
            _cupy = importlib.import_module("cupy")
        except Exception:  # ImportError, or a CUDA library that fails to load
            _cupy_failed = True
    return _cupy


def get_array_module(*arrays):
    """Return ``cupy`` if any argument is a cupy array, else ``numpy``.

    Only a program that has already imported cupy can hold a cupy array, so ``sys.modules`` tells us cheaply
    whether we need to look at all: on a CPU-only run this is one dictionary lookup.
    """
    cupy = sys.modules.get("cupy")
    if cupy is not None:
        for a in arrays:
            if isinstance(a, cupy.ndarray):
                return cupy
    return numpy


def is_writeable(array):
    """numpy's ``writeable`` flag (False for broadcast views and read-only buffers); cupy has no such flag, and
    writes into any of its arrays."""
    return getattr(array.flags, "writeable", True)


def reporting_linalg_errors(xp):
    """A context in which a failed factorization (a singular matrix, one that is not positive-definite) raises
    numpy's LinAlgError on any backend. cupy checks only when asked (``cupyx.errstate(linalg="raise")``: a wait for
    the GPU); by default its result then holds whatever the solver left."""
    if xp is numpy:
        return contextlib.nullcontext()
    import cupyx
    return cupyx.errstate(linalg="raise")


def host_array(array):
    """A numpy array holding ``array`` (a numpy or cupy array, or a number): for code that works on the host."""
    return array.get() if hasattr(array, "get") and not isinstance(array, numpy.ndarray) else numpy.asarray(array)


def address_of(array):
    """The address of ``array``'s first element (numpy's or cupy's ``data_ptr``)."""
    return array.ctypes.data if isinstance(array, numpy.ndarray) else array.data.ptr


def may_share_memory(a, b):
    """Whether arrays ``a`` and ``b`` may overlap in memory (never, when one is numpy's and the other cupy's)."""
    xp = get_array_module(a)
    return get_array_module(b) is xp and bool(xp.may_share_memory(a, b))


def is_array(value):
    """True for a numpy or cupy ndarray."""
    if isinstance(value, numpy.ndarray):
        return True
    cupy = sys.modules.get("cupy")
    return cupy is not None and isinstance(value, cupy.ndarray)
