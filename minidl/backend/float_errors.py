"""Floating-point results without numpy's warnings: ``log(0)`` is ``-inf`` and ``0/0`` is ``nan``, silently.

numpy warns (``RuntimeWarning: divide by zero encountered in log``) whenever a ufunc meets a floating-point
exception. PyTorch and TensorFlow compute the same IEEE results without a word, and a training loop that takes
``log`` of a probability that underflowed to 0 would print the warning every step. So minidl hides exactly
those warnings, and only when they come from minidl's own code: a user's numpy calls warn as before. To find
where a NaN or infinity first appears, use ``autograd.detect_anomaly()`` (eager) or ``check_numerics`` (graph).

The filter is one entry in Python's warning filters (``warnings.filters``), so it costs nothing until a warning
is raised. Warnings are matched by the module of the code that called numpy, which is why this works for every
op's ``forward`` without wrapping each call in ``numpy.errstate`` (that would cost ~2 µs per op). One catch: a
``warnings.catch_warnings()`` block restores the filters on exit, so if ``import minidl`` first happens inside one
(pytest imports test modules inside one), the filter is gone afterwards; call ``silence_numpy_float_warnings()``
again there (a fixture, say) if the warnings bother you.
"""
import warnings

#: the start of numpy's floating-point warnings: divide by zero, invalid value (nan), overflow, underflow
NUMPY_FLOAT_WARNING = r"(divide by zero|invalid value|overflow|underflow) encountered"


def silence_numpy_float_warnings():
    """Ignore numpy's floating-point RuntimeWarnings raised from minidl's modules (called once, at import)."""
    warnings.filterwarnings("ignore", message=NUMPY_FLOAT_WARNING, category=RuntimeWarning, module=r"minidl\.")
