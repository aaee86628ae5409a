"""Window functions (``torch.hann_window`` and friends): the tapers that ``stft`` multiplies each frame by, so
that cutting a signal into frames does not smear its spectrum.

With ``N`` points and ``n = 0 .. N-1`` (PyTorch's formulas):

    hamming   alpha - beta cos(2 pi n / (N-1))                      (alpha = 0.54, beta = 0.46)
    hann      0.5 - 0.5 cos(2 pi n / (N-1))                         (hamming with alpha = beta = 0.5)
    blackman  0.42 - 0.5 cos(2 pi n / (N-1)) + 0.08 cos(4 pi n / (N-1))
    bartlett  1 - |2n / (N-1) - 1|                                  (a triangle)
    kaiser    I0(beta sqrt(1 - ((n - (N-1)/2) / ((N-1)/2))^2)) / I0(beta)     (I0: modified Bessel function)

and those of ``torch.signal.windows`` (which adds ``nuttall`` and ``general_hamming`` as cosine sums):

    general_cosine  sum_k (-1)^k a_k cos(2 pi k n / (N-1))       (hann, hamming, blackman: a = their coefficients)
    cosine          sin(pi (n + 1/2) / N)                         (the sine window: never 0 at the ends)
    gaussian        exp(-(n - (N-1)/2)^2 / (2 std^2))
    exponential     exp(-|n - center| / tau)                      (center: the middle, (N-1)/2, unless given)

These are *symmetric* windows (``periodic=False``, ``torch.signal.windows``' default ``sym=True``): the first and
last points match. ``periodic=True`` (``torch.hann_window``'s default; ``sym=False``) computes N = length + 1
points and drops the last one, so that the window repeats seamlessly with period ``length`` — the right window
for spectral analysis with the DFT. A window of length 1 is ``[1]``.

This module makes numpy arrays; the front-end turns them into tensors (``minidl.eager.hann_window(...)``,
``minidl.eager.signal.windows.hann(...)``), as window creation has no tensor argument to pick a front-end from.
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


def exponential_decay(n, center, tau):
    """``exp(-|n - center| / tau)``: the exponential (Poisson) window around ``center``."""
    return numpy.exp(-numpy.abs(n - center) / tau)


#: window name (without torch's ``_window`` suffix) -> f(n, N, **parameters) on the sample indices n of an
#: N-point symmetric window
_FORMULAS = {
    "hann": lambda n, points: _cosine_sum(n, points, (0.5, 0.5)),
    "hamming": lambda n, points, alpha, beta: _cosine_sum(n, points, (alpha, beta)),
    "blackman": lambda n, points: _cosine_sum(n, points, (0.42, 0.5, 0.08)),
    "general_cosine": lambda n, points, a: _cosine_sum(n, points, a),
    "bartlett": _bartlett,
    "kaiser": _kaiser,
    "cosine": lambda n, points: numpy.sin(numpy.pi * (n + 0.5) / points),
    "gaussian": lambda n, points, std: numpy.exp(-0.5 * ((n - (points - 1) / 2) / std) ** 2),
    "exponential": lambda n, points, tau: exponential_decay(n, (points - 1) / 2, tau),
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
    """The window ``name`` (``"hann_window"`` or ``"hann"``: see ``_FORMULAS``) of ``window_length`` points as a
    numpy array of ``dtype`` (default: the default float dtype), computed in float64. ``parameters``: hamming's
    ``alpha``/``beta``, kaiser's ``beta``, general_cosine's coefficients ``a``, gaussian's ``std``,
    exponential's ``tau``."""
    length, dtype = length_and_float_dtype(name, window_length, dtype)
    if length <= 1:
        return numpy.ones(length, dtype=dtype)
    points = length + 1 if periodic else length
    values = _FORMULAS[name.removesuffix("_window")](numpy.arange(points, dtype=numpy.float64), points, **parameters)
    return values[:length].astype(dtype)
