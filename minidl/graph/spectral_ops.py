"""``tf.signal`` (TF1 also calls it ``tf.spectral``): Fourier transforms over the innermost dims, as thin layers over
``minidl.ops``'s ``fft``/``ifft``/``rfft``/``irfft``, and the short-time Fourier transform built from them.

TF's conventions: ``fft`` and ``ifft`` take *complex* input (cast real signals with ``tf.complex`` or ``tf.cast``
first) and transform the last dim; ``fft2d``/``fft3d`` the last two/three. ``rfft`` takes a real signal and keeps
the ``fft_length // 2 + 1`` non-redundant frequencies; ``fft_length`` (a list of one int) pads or cuts the signal
first. ``irfft`` inverts it (default length ``2 * (m - 1)`` for m frequencies). Unscaled forward, 1/n inverse.

``stft`` cuts a signal into frames (``frame``: ``frame_length`` samples every ``frame_step``, along the last dim),
multiplies each by a window (``hann_window`` by default: a periodic one, as TF's) and takes its ``rfft`` with
``fft_length`` (default: the smallest power of 2 that holds a frame). TF's layout is (..., frames, frequencies) —
PyTorch's ``stft`` puts frequencies before frames, and centers the frames by padding; TF does neither.
"""
import types

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import apply
from ..ops.stft import overlap_add
from ..ops.windows import UnfoldWindows
from .array_ops import concat, reshape, shape
from .dynamic_slicing import pad_at_run_time
from .math_ops import FLOATS, check_dtype, constant_value, normalize_axis, tf_op, to_tensor

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


def _lengths(fft_length, rank):
    return None if fft_length is None else [int(n) for n in constant_value(fft_length, "fft_length")][-rank:]


@tf_op("RFFT2D")
def rfft2d(input_tensor, fft_length=None, name=None):
    """``rfft`` over the innermost two dims: the last one halved to ``fft_length[1] // 2 + 1`` frequencies."""
    x = check_dtype(to_tensor(input_tensor), FLOATS[1:], "input")
    return ops.rfft2(x, s=_lengths(fft_length, 2))


@tf_op("IRFFT2D")
def irfft2d(input_tensor, fft_length=None, name=None):
    """The real 2-D signal whose ``rfft2d`` is the input."""
    x = check_dtype(to_tensor(input_tensor), _COMPLEX, "input")
    return ops.irfft2(x, s=_lengths(fft_length, 2))


def _shift(fn, x, axes):
    axes = None if axes is None else constant_value(axes, "axes")
    return fn(to_tensor(x), dim=axes)


def fftshift(x, axes=None, name=None):
    """Moves frequency 0 to the middle of ``axes`` (all dims by default)."""
    return _shift(ops.fftshift, x, axes)


def ifftshift(x, axes=None, name=None):
    """Undoes ``fftshift``."""
    return _shift(ops.ifftshift, x, axes)


@tf_op("frame")
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Frames of ``frame_length`` samples, one every ``frame_step``, along ``axis``: that dim becomes the frame count
    and a new dim after it holds each frame. ``pad_end`` pads the end with ``pad_value`` so that a frame starts at
    every step inside the signal: ceil(n / frame_step) frames."""
    x = to_tensor(signal)
    length, step = int(constant_value(frame_length, "frame_length")), int(constant_value(frame_step, "frame_step"))
    if length < 1 or step < 1:
        raise ValueError(f"frame: frame_length and frame_step must be positive, got {length} and {step}")
    axis = normalize_axis(axis, len(x.shape))
    if pad_end:
        x = _padded_for_frames(x, axis, length, step, pad_value)
    # (a signal shorter than a frame has no frames, as in TF: the op, not the function that refuses that)
    windows = apply(UnfoldWindows, x, dim=axis, size=length, step=step)  # the frame's samples come last...
    return windows if axis == len(x.shape) - 1 else ops.movedim(windows, -1, axis + 1)  # ...and go after the count


def _padded_for_frames(x, axis, length, step, pad_value):
    """``x`` padded at the end of ``axis`` with ``pad_value`` so that a frame starts at every step inside the
    signal: ceil(n / step) frames need (frames - 1)·step + length samples. Computed when the graph runs where it
    does not know n."""
    n = x.shape[axis]
    if n is not None:
        extra = max(0, (-(-n // step) - 1) * step + length - n)
        widths = [[0, 0]] * axis + [[0, extra]] + [[0, 0]] * (len(x.shape) - axis - 1)
        return ops.pad(x, [w for pair in reversed(widths) for w in pair], value=pad_value)
    n = ops.getitem(shape(x, out_type=dtypes.int64), axis)
    extra = ops.maximum((-(-n // step) - 1) * step + length - n, 0)
    zero = ops.zeros_like(extra)
    widths = ops.stack([ops.stack([zero, extra if d == axis else zero]) for d in range(len(x.shape))])
    return pad_at_run_time(x, widths, pad_value)


@tf_op("overlap_and_add")
def overlap_and_add(signal, frame_step, name=None):
    """The inverse of ``frame`` without a window: the frames of ``signal`` [..., frames, frame_length], the k-th
    placed at sample k·frame_step of a signal of (frames - 1)·frame_step + frame_length samples, and added where
    they overlap. The number of frames and their length must be known when the graph is built; the gradient
    cuts the signal's gradient back into frames."""
    x = to_tensor(signal)
    if not x.shape.rank_known or len(x.shape) < 2:
        raise ValueError(f"signal must have at least 2 dimensions [..., frames, frame_length], got {x.shape}")
    step = constant_value(frame_step, "frame_step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ValueError(f"frame_step must be a positive integer, got {step!r}")
    frames, length = x.shape[-2:]
    if None in (frames, length):
        raise ValueError(f"overlap_and_add: the number of frames and the frame length must be known when the "
                         f"graph is built, got signal shape {x.shape}")
    samples = (frames - 1) * step + length
    if step > length:  # (zeros between the frames: lengthen each to the step, and cut the last one's zeros)
        x = ops.pad(x, [0, step - length])
    added = overlap_add(ops.reshape(x, [-1, frames, max(step, length)]), step)[:, :samples]
    leading = x.shape[:-2]
    if leading.is_fully_defined():
        return ops.reshape(added, list(leading) + [samples])
    return reshape(added, concat([shape(x)[:-2], [samples]], 0))


def _window(tf_name, formula, **parameters):
    def window(window_length, periodic=True, dtype=None, name=None):
        from ..ops.window_functions import window as make
        from .basics import constant
        from .dtypes import as_dtype, float32
        dtype = float32 if dtype is None else as_dtype(dtype)
        values = make(formula, int(constant_value(window_length, "window_length")), periodic, numpy.float64,
                      **parameters)
        return constant(values.astype(dtype.dtype), name=name or tf_name)
    window.__name__ = window.__qualname__ = tf_name
    window.__doc__ = f"TF's ``{tf_name}``: PyTorch's ``{formula}`` formula; periodic by default, as for ``stft``."
    return window


hann_window = _window("hann_window", "hann_window")
hamming_window = _window("hamming_window", "hamming_window", alpha=0.54, beta=0.46)


@tf_op("stft")
def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False, name=None):
    """The short-time Fourier transform of real ``signals`` [..., samples]: [..., frames, fft_length // 2 + 1]."""
    x = check_dtype(to_tensor(signals), FLOATS[1:], "signals")
    length = int(constant_value(frame_length, "frame_length"))
    n_fft = 1 << (length - 1).bit_length() if fft_length is None else int(constant_value(fft_length, "fft_length"))
    frames = frame(x, length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=x.dtype)
    return ops.rfft(frames, n=n_fft)


signal = spectral = types.SimpleNamespace(fft=fft, ifft=ifft, fft2d=fft2d, ifft2d=ifft2d, fft3d=fft3d,
                                          ifft3d=ifft3d, rfft=rfft, irfft=irfft, rfft2d=rfft2d, irfft2d=irfft2d,
                                          fftshift=fftshift, ifftshift=ifftshift, frame=frame,
                                          hann_window=hann_window, hamming_window=hamming_window, stft=stft,
                                          overlap_and_add=overlap_and_add)

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "signal", "spectral"]
