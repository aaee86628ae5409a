"""Op table entries for the N-D Fourier transforms, the shifts (spectral_nd.py) and stft/istft (stft.py).

As in ``specs_spectral``, complex values are built from real inputs with ``complex(re, im)`` and read out with
``real``/``imag``, so the checks run the complex VJPs in between.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes, unary
from .specs_spectral import _z, fft_ns, fft_spec, same_shape


def signals(n_inputs=1, min_dims=1, min_last=1):
    """``n_inputs`` real arrays of one shape (``min_dims`` to 3 dims, sizes 1 to 4), the last dim at least
    ``min_last`` long."""
    shape = shapes(min_dims=min_dims, min_side=1).filter(lambda s: s[-1] >= min_last)
    return same_shape(n_inputs, shape)


def signal_and_window(batch, length, window, low=0.5):
    """A signal (``batch`` may be None: 1-D) and a window kept away from 0 (so that istft can divide by the
    window envelope)."""
    shape = (length,) if batch is None else (batch, length)
    return st.tuples(floats_array(shape), floats_array((window,), low=low, high=1.5))


def _stft(m, x, w, **kw):
    return m.stft(x, 4, hop_length=kw.pop("hop_length", 1), window=w, return_complex=True, **kw)


def _np_stft(x, w, n_fft=4, hop=1, center=True, onesided=True, pad_mode="reflect"):
    """stft in numpy (for a signal x (L,) or (B, L) and a window as long as n_fft)."""
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)], mode=pad_mode)
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=-1)[..., ::hop, :] * w
    spectrum = np.fft.rfft(frames, axis=-1) if onesided else np.fft.fft(frames, axis=-1)
    return np.swapaxes(spectrum, -1, -2)


#: why some PyTorch calls are spelled differently: torch's conj is a lazy view, so these gradients and outputs carry
#: a "negative bit" that .numpy() refuses; a product by 1.0 (or resolve_neg) makes them plain tensors
_LAZY_NEGATION = "torch_fn materializes PyTorch's lazily negated (conjugate view) tensors for .numpy()"


SPECS = [
    # ------------------------------------------------------------------------------------------- fftn, fft2
    fft_spec("fftn_all_dims", lambda m, x: m.real(fft_ns(m).fftn(x)), lambda a: np.real(np.fft.fftn(a)),
             signals()),
    fft_spec("fftn_complex_dims", lambda m, a, b: m.imag(fft_ns(m).fftn(m.complex(a, b), dim=(-1, 0))),
             lambda a, b: np.imag(np.fft.fftn(_z(a, b), axes=(-1, 0))), signals(2, min_dims=2), grad_inputs=(0, 1)),
    fft_spec("fft2_s_ortho", lambda m, a, b: m.imag(fft_ns(m).fft2(m.complex(a, b), s=(3, 5), norm="ortho")),
             lambda a, b: np.imag(np.fft.fft2(_z(a, b), s=(3, 5), norm="ortho")), signals(2, min_dims=2),
             grad_inputs=(0, 1)),
    fft_spec("ifftn_s_keep_forward",
             lambda m, a, b: m.real(fft_ns(m).ifftn(m.complex(a, b), s=(2, -1), dim=(0, -1), norm="forward")),
             lambda a, b: np.real(np.fft.ifftn(_z(a, b), s=(2, b.shape[-1]), axes=(0, -1), norm="forward")),
             signals(2, min_dims=2), grad_inputs=(0, 1)),
    fft_spec("ifft2_of_fft2", lambda m, x: m.real(fft_ns(m).ifft2(fft_ns(m).fft2(x))), lambda a: a,
             signals(min_dims=2)),
    # ----------------------------------------------------------------------------------- rfftn, irfftn
    fft_spec("rfftn_real_part", lambda m, x: m.real(fft_ns(m).rfftn(x)), lambda a: np.real(np.fft.rfftn(a)),
             signals()),
    fft_spec("rfft2_s_imag", lambda m, x: m.imag(fft_ns(m).rfft2(x, s=(3, 5))),
             lambda a: np.imag(np.fft.rfft2(a, s=(3, 5))), signals(min_dims=2)),
    fft_spec("rfftn_halved_dim0_ortho", lambda m, x: m.imag(fft_ns(m).rfftn(x, dim=(-1, 0), norm="ortho")),
             lambda a: np.imag(np.fft.rfftn(a, axes=(-1, 0), norm="ortho")), signals(min_dims=2)),
    fft_spec("irfftn", lambda m, a, b: fft_ns(m).irfftn(m.complex(a, b)), lambda a, b: np.fft.irfftn(_z(a, b)),
             signals(2, min_last=2), grad_inputs=(0, 1),
             notes="after the inverse transforms of the other dims, the imaginary parts of the last dim's first "
                   "(and, n even, last) frequency are ignored: their gradient is 0"),
    fft_spec("irfft2_s_forward", lambda m, a, b: fft_ns(m).irfft2(m.complex(a, b), s=(3, 5), norm="forward"),
             lambda a, b: np.fft.irfft2(_z(a, b), s=(3, 5), norm="forward"), signals(2, min_dims=2),
             grad_inputs=(0, 1)),
    fft_spec("irfftn_of_rfftn_odd", lambda m, x: fft_ns(m).irfftn(fft_ns(m).rfftn(x), s=x.shape),
             lambda a: a, signals()),
    # ------------------------------------------------------------------------------ Hermitian transforms
    fft_spec("hfft_n", lambda m, a, b: fft_ns(m).hfft(m.complex(a, b), n=5),
             lambda a, b: np.fft.hfft(_z(a, b), n=5), signals(2), grad_inputs=(0, 1),
             torch_fn=lambda m, a, b: m.fft.hfft(m.complex(a * 1.0, b * 1.0), n=5), notes=_LAZY_NEGATION),
    fft_spec("ihfft_ortho", lambda m, x: m.imag(fft_ns(m).ihfft(x, norm="ortho")),
             lambda a: np.imag(np.fft.ihfft(a, norm="ortho")), signals(),
             torch_fn=lambda m, x: m.imag(m.fft.ihfft(x * 1.0, norm="ortho")).resolve_neg(), notes=_LAZY_NEGATION),
    fft_spec("hfft2", lambda m, a, b: fft_ns(m).hfft2(m.complex(a, b)),
             lambda a, b: np.fft.irfft2(np.conj(_z(a, b)), norm="forward"), signals(2, min_dims=2, min_last=2),
             grad_inputs=(0, 1), notes="numpy has no hfft2: irfft2 of the conjugate, unscaled"),
    fft_spec("ihfftn", lambda m, x: m.real(fft_ns(m).ihfftn(x)),
             lambda a: np.real(np.conj(np.fft.rfftn(a, norm="forward"))), signals()),
    # ------------------------------------------------------------------------------------------- shifts
    OpSpec("fftshift", lambda m, x: fft_ns(m).fftshift(x), np.fft.fftshift, unary(shapes(min_dims=1)),
           notes="not 0-d: PyTorch refuses to shift a 0-d tensor (minidl returns it)"),
    OpSpec("ifftshift_dims", lambda m, x: fft_ns(m).ifftshift(x, dim=(0, -1)),
           lambda a: np.fft.ifftshift(a, axes=(0, -1)), unary(shapes(min_dims=1))),
    # --------------------------------------------------------------------------------------- stft, istft
    fft_spec("stft_real_part", lambda m, x, w: m.real(_stft(m, x, w)), lambda x, w: np.real(_np_stft(x, w)),
             signal_and_window(None, 7, 4), grad_inputs=(0, 1)),
    fft_spec("stft_batch_hop2_imag", lambda m, x, w: m.imag(_stft(m, x, w, hop_length=2, normalized=True)),
             lambda x, w: np.imag(_np_stft(x, w, hop=2)) / 2, signal_and_window(2, 9, 4), grad_inputs=(0, 1)),
    fft_spec("stft_two_sided_no_center",
             lambda m, x, w: m.real(_stft(m, x, w, center=False, onesided=False)),
             lambda x, w: np.real(_np_stft(x, w, center=False, onesided=False)), signal_and_window(None, 6, 4),
             grad_inputs=(0, 1)),
    fft_spec("istft_of_stft", lambda m, x, w: m.istft(_stft(m, x, w), 4, hop_length=1, window=w),
             lambda x, w: x + 0 * w[0], signal_and_window(2, 7, 4), grad_inputs=(0, 1),
             notes="the round trip is the identity for the signal; its gradient w.r.t. the window is 0 up to "
                   "rounding, still checked through overlap-add and the envelope's division"),
    fft_spec("istft_window_grad",
             lambda m, x, w: m.istft(_stft(m, x, w * w, hop_length=2), 4, hop_length=2, window=w, length=9),
             lambda x, w: _np_istft(_np_stft(x, w * w, hop=2), w, hop=2, length=9),
             signal_and_window(None, 8, 4), grad_inputs=(0, 1),
             notes="analysis and synthesis windows differ (w^2 and w), so the output depends on the window"),
]


def _np_istft(spectrum, w, n_fft=4, hop=1, length=None):
    """istft in numpy (centred, one-sided, 1-D): overlap-add of the windowed frames over the window envelope."""
    frames = np.fft.irfft(spectrum.T, n=n_fft, axis=-1) * w
    full = n_fft + hop * (len(frames) - 1)
    signal, envelope = np.zeros(full), np.zeros(full)
    for i, frame in enumerate(frames):
        signal[i * hop:i * hop + n_fft] += frame
        envelope[i * hop:i * hop + n_fft] += w * w
    start = n_fft // 2
    end = start + length if length is not None else full - n_fft // 2
    out = signal[start:end] / envelope[start:end]
    return np.pad(out, (0, max(end - full, 0)))
