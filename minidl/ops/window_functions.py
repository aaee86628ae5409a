"""Window functions (``torch.hann_window`` and friends): the tapers that ``stft`` multiplies each frame by, so
that cutting a signal into frames does not smear its spectrum.

With ``N`` points and ``n = 0 .. N-1`` (PyTorch's formulas):

    hamming   alpha - beta cos(2 pi n / (N-1))                      (alpha = 0.54, beta = 0.46)
    hann      0.5 - 0.5 cos(2 pi n / (N-1))                         (hamming with alpha = beta = 0.5)
    blackman  0.42 - 0.5 cos(2 pi n / (N-1)) + 0.08 cos(4 pi n / (N-1))
    bartlett  1 - |2n / (N-1) - 1|                                  (a triangle)
    kaiser    I0(beta sqrt(1 - ((n - (N-1)/2) / ((N-1)/2))^2)) / I0(beta)     (I0: modified Bessel function)

These are *symmetric* windows (``periodic=False``): the first and last points match. ``periodic=True`` (the
default) computes N = length + 1 points and drops the last one, so that the window repeats seamlessly with
period ``length`` — the right window for spectral analysis with the DFT. A window of length 1 is ``[1]``.

This module makes numpy arrays; the front-end turns them into tensors (``minidl.eager.hann_window(...)``), as
window creation has no tensor argument to pick a front-end from.
"""
import operator

import numpy

from ..backend import dtypes
from .base import OpError

__all__ = []  # array makers for the front-ends' creation functions, not ops


def _cosine_sum(n, points, coefficients):
    """``sum_k (-1)^k a_k cos(2 pi k n / (N-1))``: hann, hamming and blackman are such sums."""
    phase = 2 * numpy.pi * n / (points - 1)
    return sum((-1) ** k * a * numpy.cos(k * phase) for k, a in enumerate(coefficients))


def _bartlett(n, points):
    return 1 - numpy.abs(2 * n / (points - 1) - 1)


def _kaiser(n, points, beta):
    half = (points - 1) / 2
    return numpy.i0(beta * numpy.sqrt(numpy.clip(1 - ((n - half) / half) ** 2, 0, None))) / numpy.i0(beta)


#: window name -> f(n, N, **parameters) on the sample indices n of an N-point symmetric window
_FORMULAS = {
    "hann_window": lambda n, points: _cosine_sum(n, points, (0.5, 0.5)),
    "hamming_window": lambda n, points, alpha, beta: _cosine_sum(n, points, (alpha, beta)),
    "blackman_window": lambda n, points: _cosine_sum(n, points, (0.42, 0.5, 0.08)),
    "bartlett_window": _bartlett,
    "kaiser_window": _kaiser,
}


def length_and_float_dtype(name, length, dtype):
    """The arguments of a function that makes a 1-D float array of ``length`` points (a window, ``fftfreq``),
    checked: the length as an int, and the dtype (default: the default float dtype)."""
    length = operator.index(length)
    if length < 0:
        raise OpError(f"{name}: Trying to create tensor with negative dimension {length}: [{length}]")
    dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name}: expects a floating point dtype, got {dtype}")
    return length, dtype


def window(name, window_length, periodic=True, dtype=None, **parameters):
    """The window ``name`` (e.g. ``"hann_window"``) of ``window_length`` points as a numpy array of ``dtype``
    (default: the default float dtype), computed in float64. ``parameters``: hamming's ``alpha``/``beta``,
    kaiser's ``beta``."""
    length, dtype = length_and_float_dtype(name, window_length, dtype)
    if length <= 1:
        return numpy.ones(length, dtype=dtype)
    points = length + 1 if periodic else length
    values = _FORMULAS[name](numpy.arange(points, dtype=numpy.float64), points, **parameters)
    return values[:length].astype(dtype)
