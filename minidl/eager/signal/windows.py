"""``torch.signal.windows``: SciPy-style window functions, ``hann(M, sym=True)`` and friends.

The same tapers as ``torch.hann_window`` & co. (the formulas are in ``ops/window_functions.py``, shared by both),
asked for the other way round: ``sym=True`` (the default) gives the *symmetric* window of ``M`` points for
filter design, ``sym=False`` the *periodic* one for spectral analysis — so ``hann(M)`` is
``hann_window(M, periodic=False)`` and ``hann(M, sym=False)`` is ``hann_window(M)``. Every argument but ``M`` is
keyword-only, and bad arguments raise PyTorch's ValueErrors, which name the window that checked them (``hann``
is ``general_hamming`` is ``general_cosine`` in PyTorch, and so is the name in its messages).
"""
import operator
from collections.abc import Iterable

import numpy

from ...backend import dtypes
from ...ops.window_functions import exponential_decay, window
from .. import element_types
from ..creation import _finish
from ..layouts import strided

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]

_NUTTALL = (0.3635819, 0.4891775, 0.1365995, 0.0106411)  # Nuttall's minimum 4-term Blackman-Harris coefficients


def _checked(name, M, dtype, layout):
    """(M, dtype) after PyTorch's checks, common to every window."""
    try:
        M = operator.index(M)
    except TypeError:
        raise TypeError(f"{name}: the window length M must be an int, got {type(M).__name__} {M!r}") from None
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
    if dtype not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {element_types.of(dtype)!r}")
    return M, dtype


def _window(formula, M, sym, dtype, device, requires_grad, **parameters):
    """The window as a new leaf tensor (PyTorch's is the output of the ops that computed it, unless it is empty;
    here it is always a leaf, as a factory's result)."""
    return _finish(window(formula, M, periodic=not sym, dtype=dtype, **parameters), device, requires_grad)


def general_cosine(M, *, a, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = sum_k (-1)^k a_k cos(2 pi k n / N)`` with ``N = M - 1`` (``sym=True``) or ``M``."""
    M, dtype = _checked("general_cosine", M, dtype, layout)
    if M > 1:  # (PyTorch looks at the coefficients only when it needs them)
        if not isinstance(a, Iterable):
            raise TypeError("Coefficients must be a list/tuple")
        a = tuple(float(coefficient) for coefficient in a)
        if not a:
            raise ValueError("Coefficients cannot be empty")
    return _window("general_cosine", M, sym, dtype, device, requires_grad, a=a)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = alpha - (1 - alpha) cos(2 pi n / N)``: a two-term cosine sum."""
    return general_cosine(M, a=(alpha, 1.0 - alpha), sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = 0.54 - 0.46 cos(2 pi n / N)``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = 0.5 - 0.5 cos(2 pi n / N) = sin^2(pi n / N)``."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window: a cosine sum with ``a = (0.3635819, 0.4891775,
    0.1365995, 0.0106411)``."""
    return general_cosine(M, a=_NUTTALL, sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)``."""
    M, dtype = _checked("blackman", M, dtype, layout)
    return _window("blackman", M, sym, dtype, device, requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The triangle ``w_n = 1 - |2n / N - 1|``."""
    M, dtype = _checked("bartlett", M, dtype, layout)
    return _window("bartlett", M, sym, dtype, device, requires_grad)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = I0(beta sqrt(1 - (2n / N - 1)^2)) / I0(beta)``: wider in the middle as ``beta`` grows."""
    M, dtype = _checked("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return _window("kaiser", M, sym, dtype, device, requires_grad, beta=float(beta))


def cosine(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The sine window ``w_n = sin(pi (n + 1/2) / M')`` with ``M' = M`` (``sym=True``) or ``M + 1``."""
    M, dtype = _checked("cosine", M, dtype, layout)
    return _window("cosine", M, sym, dtype, device, requires_grad)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``w_n = exp(-(n - N/2)^2 / (2 std^2))``."""
    M, dtype = _checked("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    return _window("gaussian", M, sym, dtype, device, requires_grad, std=float(std))


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=strided, device=None,
                requires_grad=False):
    """The exponential (Poisson) window ``w_n = exp(-|n - center| / tau)``; ``center`` defaults to the middle
    (``N / 2``) and may be given only for a periodic window (``sym=False``)."""
    M, dtype = _checked("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if center is None:
        return _window("exponential", M, sym, dtype, device, requires_grad, tau=float(tau))
    # a given center fixes the window whatever its length, even one point long (where the others are [1])
    values = exponential_decay(numpy.arange(M, dtype=numpy.float64), float(center), float(tau))
    return _finish(values.astype(dtype), device, requires_grad)
