"""The short-time Fourier transform (``stft``) and its inverse (``istft``), composed of differentiable ops.

**stft.** Cut the signal into frames of ``n_fft`` samples, one every ``hop_length`` samples (``center=True``
first pads ``n_fft // 2`` samples on both sides, by ``pad_mode``, so frame m is centred on sample m·hop),
multiply each frame by the window ``w`` (``win_length`` long, zero-padded on both sides to ``n_fft``) and take
its DFT:

    X[f, m] = sum_{k=0}^{n_fft-1} w[k] x[m·hop + k] exp(-2 pi i f k / n_fft)          (shape: freq, frames)

— ``unfold_windows`` (a strided view), a product and ``rfft`` (``fft`` for complex input or window, or
``onesided=False``). ``normalized=True`` scales by 1/sqrt(n_fft) ('ortho'). Every piece has its VJP, so the
gradient needs nothing new: the VJP of the framing adds each frame's gradient back where it came from.

**istft: overlap-add.** Invert each frame's DFT, multiply by the window again and add the frames back in place
(``FoldWindows``, the framing's adjoint). Where frames overlap, the sum counts each sample with the weight
``env[t] = sum_m w[t - m·hop]^2``, the window envelope, so dividing by it recovers the signal exactly:

    x[t] = sum_m w[t - m·hop] frame_m[t - m·hop] / sum_m w[t - m·hop]^2

This needs ``env > 0`` everywhere in the output (the "nonzero overlap-add" condition, NOLA); ``NolaCheck``
raises where it fails, at run time (in graph mode the window's values are unknown before that).
"""
import operator

from ..backend import dtypes
from .base import Op, OpError, apply, describe, warn
from .broadcast import ones_like
from .combine import pad
from .combining import select
from .infer import same_spec
from .shape import squeeze, transpose, unsqueeze
from .shape_helpers import narrow
from .spectral import _check_tensor, fft, ifft, irfft, rfft, view_as_real
from .windows import FoldWindows, unfold_windows

__all__ = ["stft", "istft"]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _call(op_name, input, n_fft, hop_length, win_length, window, center, normalized, onesided, return_complex):
    """How PyTorch names a bad call: the op with its arguments."""
    window = None if window is None else describe(window)
    return (f"{op_name}({describe(input)}, n_fft={n_fft}, hop_length={hop_length}, win_length={win_length}, "
            f"window={window}, center={center}, normalized={normalized}, onesided={onesided}, "
            f"return_complex={return_complex})")


def _lengths(call, n_fft, hop_length, win_length, window):
    """``n_fft``, the hop (default n_fft // 4) and the window length (default n_fft), checked."""
    n_fft = operator.index(n_fft)
    hop_length = n_fft // 4 if hop_length is None else operator.index(hop_length)
    win_length = n_fft if win_length is None else operator.index(win_length)
    if n_fft <= 0:
        raise OpError(f"{call}: expected n_fft > 0, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise OpError(f"{call}: expected hop_length > 0, but got hop_length={hop_length}")
    if not 0 < win_length <= n_fft:
        raise OpError(f"{call}: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None:
        _check_tensor(call, window)
        if window.ndim != 1 or window.shape[0] not in (win_length, None):
            raise OpError(f"{call}: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                          f"window {describe(window)}")
    return n_fft, hop_length, win_length


def _no_window_warning(op_name):
    warn(f"{op_name}: a window was not provided. A rectangular window will be applied, which is known to "
         "cause spectral leakage. Other windows such as hann_window or hamming_window are recommended to "
         "reduce spectral leakage.")


def _windowed(frames, window, win_length, n_fft):
    """``frames`` (..., n_fft) times the window zero-padded to ``n_fft`` (centred, the odd zero on the right); no
    window: a rectangular one of ``win_length``, i.e. the frames with their ends zeroed."""
    left = (n_fft - win_length) // 2
    right = n_fft - win_length - left
    if window is not None:
        return frames * (pad(window, (left, right)) if left or right else window)
    if left or right:
        return pad(narrow(frames, -1, left, win_length), (left, right))
    return frames


def _is_complex(*tensors):
    return any(t is not None and dtypes.is_complex(t.dtype) for t in tensors)


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """The short-time Fourier transform of a signal (L,) or a batch (B, L): a complex (B,) (freq, frames) tensor
    with n_fft // 2 + 1 frequencies (``onesided``, the default for real input and window) or n_fft, and
    ``1 + (L' - n_fft) // hop_length`` frames (L' = L + 2 (n_fft // 2) with ``center``). See the module docstring.

    Real input needs ``return_complex`` given, as in PyTorch 2: ``True`` (complex output), or the deprecated
    ``False``, which gives ``view_as_real`` of it (a last dim of size 2)."""
    _check_tensor("stft", input)
    call = _call("stft", input, n_fft, hop_length, win_length, window, center, normalized, onesided,
                 return_complex)
    complex_input = _is_complex(input, window)
    if return_complex is None and not complex_input:
        raise OpError("stft requires the return_complex parameter be given for real inputs, and will further "
                      "require that return_complex=True in a future PyTorch release.")
    if return_complex is False:
        warn("stft with return_complex=False is deprecated: it will return complex tensors for all "
             "inputs (use view_as_real on the complex output for the old format).")
    if center and align_to_window is not None:
        raise OpError("stft align_to_window should only be set when center = false")
    if align_to_window:
        raise NotImplementedError("stft: align_to_window=True is not supported by minidl")
    if input.dtype.kind not in "fc":
        raise TypeError(f"{call}: expected a tensor of floating point or complex values")
    if input.ndim not in (1, 2):
        raise OpError(f"{call}: expected a 1D or 2D tensor")
    n_fft, hop_length, win_length = _lengths(call, n_fft, hop_length, win_length, window)
    if window is None:
        _no_window_warning("stft")
    x = unsqueeze(input, 0) if input.ndim == 1 else input  # (batch, length)
    if center:
        if pad_mode not in _PAD_MODES:
            raise NotImplementedError(f"stft: unrecognised padding mode {pad_mode!r} (expected one of {_PAD_MODES})")
        x = pad(x, (n_fft // 2, n_fft // 2), mode=pad_mode)
    length = x.shape[-1]
    if length is None:
        raise OpError(f"{call}: the signal's length must be known when the op is created")
    if not 0 < n_fft <= length:
        raise OpError(f"{call}: expected 0 < n_fft <= {length} (the {'padded ' if center else ''}signal's "
                      f"length), but got n_fft={n_fft}")
    frames = _windowed(unfold_windows(x, -1, n_fft, hop_length), window, win_length, n_fft)  # (B, frames, n_fft)
    onesided = not complex_input if onesided is None else onesided
    if onesided and complex_input:
        raise OpError(f"{call}: Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spectrum = rfft(frames, dim=-1, norm=norm) if onesided else fft(frames, dim=-1, norm=norm)
    out = transpose(spectrum, -1, -2)  # (B, freq, frames)
    out = squeeze(out, 0) if input.ndim == 1 else out
    return view_as_real(out) if return_complex is False else out


class NolaCheck(Op):
    """The window envelope of ``istft``, passed through unchanged once it is checked to be nonzero everywhere
    (the NOLA condition); it raises otherwise, naming the call. Its gradient passes through too."""
    saves_inputs = ()
    infer = staticmethod(lambda envelope, call: same_spec(envelope))
    vjp = staticmethod(lambda ctx, g: (g,))

    @staticmethod
    def forward(xp, envelope, call):
        if envelope.size:
            lowest = float(xp.abs(envelope).min())
            if lowest < 1e-11:
                raise OpError(f"{call}: window overlap add min: {lowest:g} (the squared window, added up frame by "
                              "frame, is ~0 somewhere: the signal cannot be recovered there; use another window, "
                              "a smaller hop_length or center=True)")
        return envelope.copy()


def overlap_add(frames, hop_length):
    """``frames`` (B, n_frames, n_fft) added up at their places in a signal (B, n_fft + hop (n_frames - 1)):
    the adjoint of cutting that signal into frames (``FoldWindows``, which reads the signal's length from a
    tensor of its shape)."""
    n_frames = frames.shape[1]
    signal_shape = pad(select(frames, 1, 0), (0, hop_length * (n_frames - 1)))
    return apply(FoldWindows, frames, signal_shape, dim=1, size=frames.shape[2], step=hop_length)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse of ``stft``: the signal (L,) or (B, L) from its complex (B,) (freq, frames) spectrogram, by
    overlap-add divided by the window envelope (see the module docstring). ``length`` cuts or zero-pads the
    output; ``onesided`` defaults to "the input has fewer than n_fft frequencies"."""
    _check_tensor("istft", input)
    call = _call("istft", input, n_fft, hop_length, win_length, window, center, normalized, onesided,
                 return_complex)
    if not dtypes.is_complex(input.dtype):
        raise TypeError(f"{call}: istft requires a complex-valued input tensor matching the output from stft with "
                        "return_complex=True.")
    if input.ndim not in (2, 3):
        raise OpError(f"{call}: expected a complex tensor with 2 or 3 dimensions ((batch,) freq, frames)")
    n_fft, hop_length, win_length = _lengths(call, n_fft, hop_length, win_length, window)
    if hop_length > win_length:
        raise OpError(f"{call}: expected 0 < hop_length <= win_length, got hop_length={hop_length}")
    if window is None:
        _no_window_warning("istft")
    n_freq, n_frames = input.shape[-2:]
    if n_freq is None or n_frames is None:
        raise OpError(f"{call}: the numbers of frequencies and frames must be known when the op is created")
    onesided = n_freq != n_fft if onesided is None else onesided
    expected = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != expected:
        raise OpError(f"{call}: expected the frequency dimension (2nd to the last) of the input tensor to match "
                      f"{'n_fft / 2 + 1' if onesided else 'n_fft'} = {expected} when onesided={onesided}, but got "
                      f"{n_freq}")
    spectrum = transpose(unsqueeze(input, 0) if input.ndim == 2 else input, -1, -2)  # (B, frames, freq)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise OpError(f"{call}: Cannot have onesided output if window or input is complex")
        frames = ifft(spectrum, n=n_fft, dim=-1, norm=norm)
    else:
        if _is_complex(window):
            raise OpError(f"{call}: Complex windows are incompatible with return_complex=False")
        half = spectrum if onesided else narrow(spectrum, -1, 0, n_fft // 2 + 1)
        frames = irfft(half, n=n_fft, dim=-1, norm=norm)
    signal = overlap_add(_windowed(frames, window, win_length, n_fft), hop_length)
    # the envelope: the squared window in every frame, overlap-added like the frames themselves
    squared = _windowed(ones_like(frames), None if window is None else window * window, win_length, n_fft)
    envelope = overlap_add(squared, hop_length)
    full = n_fft + hop_length * (n_frames - 1)
    start = n_fft // 2 if center else 0  # center: the stft padded n_fft // 2 samples at each end
    if length is not None:
        end = start + operator.index(length)
    else:
        end = full - n_fft // 2 if center else full
    kept = max(min(end, full) - start, 0)
    signal = narrow(signal, -1, start, kept) / apply(NolaCheck, narrow(envelope, -1, start, kept), call=call)
    if end > full:
        warn(f"{call}: the signal is shorter than the length parameter: the result is padded with zeros "
             "in the tail (check center and hop_length)")
        signal = pad(signal, (0, end - full))
    return squeeze(signal, 0) if input.ndim == 2 else signal

