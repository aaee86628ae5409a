"""``tf.signal`` (TF1 also calls it ``tf.spectral``): Fourier transforms over the innermost dims, as thin layers over
``minidl.ops``'s ``fft``/``ifft``/``rfft``/``irfft``.

TF's conventions: ``fft`` and ``ifft`` take *complex* input (cast real signals with ``tf.complex`` or ``tf.cast``
first) and transform the last dim; ``fft2d``/``fft3d`` the last two/three. ``rfft`` takes a real signal and keeps
the ``fft_length // 2 + 1`` non-redundant frequencies; ``fft_length`` (a list of one int) pads or cuts the signal
first. ``irfft`` inverts it (default length ``2 * (m - 1)`` for m frequencies). Unscaled forward, 1/n inverse.
"""
import types

from .. import ops
from .math_ops import FLOATS, check_dtype, constant_value, tf_op, to_tensor

_COMPLEX = ("complex64", "complex128")


def _fft(default_name, inverse, rank):
    @tf_op(default_name)
    def transform(input, name=None):
        x = check_dtype(to_tensor(input), _COMPLEX, "input")
        if x.shape.rank_known and len(x.shape) < rank:
            raise ValueError(f"Shape must be at least rank {rank} but is rank {len(x.shape)} for '{default_name}'")
        for dim in range(-1, -rank - 1, -1):
            x = (ops.ifft if inverse else ops.fft)(x, dim=dim)
        return x
    transform.__name__ = transform.__qualname__ = default_name.lower()
    transform.__doc__ = (f"The {'inverse ' if inverse else ''}discrete Fourier transform over the innermost "
                         f"{rank} dim(s) of a complex tensor.")
    return transform


fft, ifft = _fft("FFT", False, 1), _fft("IFFT", True, 1)
fft2d, ifft2d = _fft("FFT2D", False, 2), _fft("IFFT2D", True, 2)
fft3d, ifft3d = _fft("FFT3D", False, 3), _fft("IFFT3D", True, 3)


def _length(fft_length):
    """``fft_length`` (None or a one-entry list) as the op library's ``n``."""
    if fft_length is None:
        return None
    value = constant_value(fft_length, "fft_length")
    return int(value[0] if isinstance(value, list) else value)


@tf_op("RFFT")
def rfft(input_tensor, fft_length=None, name=None):
    """The Fourier transform of a real signal along the last dim: ``fft_length // 2 + 1`` complex frequencies."""
    x = check_dtype(to_tensor(input_tensor), FLOATS[1:], "input")
    return ops.rfft(x, n=_length(fft_length))


@tf_op("IRFFT")
def irfft(input_tensor, fft_length=None, name=None):
    """The real signal of length ``fft_length`` (default ``2 * (m - 1)``) whose ``rfft`` is the input."""
    x = check_dtype(to_tensor(input_tensor), _COMPLEX, "input")
    return ops.irfft(x, n=_length(fft_length))


signal = spectral = types.SimpleNamespace(fft=fft, ifft=ifft, fft2d=fft2d, ifft2d=ifft2d, fft3d=fft3d,
                                          ifft3d=ifft3d, rfft=rfft, irfft=irfft)

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "signal", "spectral"]
