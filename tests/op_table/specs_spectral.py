"""Op table entries for complex numbers and Fourier transforms (spectral.py).

The table feeds real arrays and compares real outputs, so every complex value is built from real inputs
(``complex(re, im)``) and read out through ``real``/``imag``/``angle``; the first- and second-order checks then
exercise the complex VJPs in between.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, broadcastable, floats_array, nonempty_shapes, shapes, unary


def fft_ns(m):
    """Where the FFTs live: ``minidl.ops`` itself, or PyTorch's ``torch.fft`` module (for the differential test)."""
    return m if callable(m.fft) else m.fft


def same_shape(n_inputs, shape_strategy=None, **kw):
    """``n_inputs`` real arrays of one shape."""
    def arrays(shape):
        return st.tuples(*(floats_array(shape, **kw) for _ in range(n_inputs)))
    return (shapes() if shape_strategy is None else shape_strategy).flatmap(arrays)


def signal(n_inputs=1, min_length=1, dim=-1):
    """``n_inputs`` real arrays of one shape (1 to 3 dims, sizes 1 to 4: PyTorch's FFTs reject empty tensors)
    whose length along ``dim`` is at least ``min_length``."""
    shape = shapes(min_dims=max(1, dim + 1, -dim), min_side=1).filter(lambda s: s[dim] >= min_length)
    return same_shape(n_inputs, shape)


def fft_spec(name, fn, reference, inputs, **kw):
    """FFTs in float32 sum many terms: a looser forward tolerance."""
    return OpSpec(name, fn, reference, inputs, rtol=1e-4, atol=2e-5, **kw)


def _z(re, im):
    return re + 1j * im


SPECS = [
    # -------------------------------------------------------------------------------- parts of a complex
    OpSpec("complex_real_part", lambda m, a, b: m.real(m.complex(a, b)), lambda a, b: a + 0 * b, broadcastable(),
           grad_inputs=(0, 1)),
    OpSpec("complex_imag_part", lambda m, a, b: m.imag(m.complex(a, b)), lambda a, b: b + 0 * a, broadcastable(),
           grad_inputs=(0, 1)),
    OpSpec("real_of_real", lambda m, x: m.real(x), lambda a: a, unary()),
    OpSpec("conj", lambda m, a, b: m.imag(m.conj(m.complex(a, b))), lambda a, b: -b, same_shape(2),
           grad_inputs=(0, 1),
           torch_fn=lambda m, a, b: m.imag(m.conj_physical(m.complex(a, b))),
           notes="torch.conj is a lazy view whose imag cannot become numpy; conj_physical computes it"),
    OpSpec("angle", lambda m, a, b: m.angle(m.complex(a, b)), lambda a, b: np.arctan2(b, a),
           broadcastable(low=0.3, high=3.0), grad_inputs=(0, 1), rtol=1e-5, atol=1e-6,
           notes="real parts kept positive: away from the branch cut on the negative real axis and from 0"),
    OpSpec("angle_of_real", lambda m, x: m.angle(x), np.angle, unary(avoid=(0.0,)),
           notes="piecewise constant for real input: zero gradient, as PyTorch"),
    OpSpec("view_as_real", lambda m, a, b: m.view_as_real(m.complex(a, b)),
           lambda a, b: np.stack([a, b], axis=-1), same_shape(2, nonempty_shapes()), grad_inputs=(0, 1),
           notes="no empty tensors: PyTorch's view_as_real/view_as_complex reject them"),
    OpSpec("view_as_complex", lambda m, x: m.imag(m.view_as_complex(x)) * m.real(m.view_as_complex(x)),
           lambda a: a[..., 1] * a[..., 0],
           nonempty_shapes(max_dims=2).flatmap(lambda s: st.tuples(floats_array(s + (2,)))),
           atol=1e-5),
    OpSpec("complex_mul_div", lambda m, a, b, c, d: m.real(m.complex(a, b) * m.complex(c, d) / m.complex(d, c)),
           lambda a, b, c, d: np.real(_z(a, b) * _z(c, d) / _z(d, c)),
           same_shape(4, low=0.5, high=2.0),
           grad_inputs=(0, 1, 2, 3), atol=1e-5, notes="arithmetic's complex gradients (they use spectral.conj)"),
    # ---------------------------------------------------------------------------------------- fft, ifft
    fft_spec("fft_real_part", lambda m, x: m.real(fft_ns(m).fft(x)), lambda a: np.real(np.fft.fft(a)), signal()),
    fft_spec("fft_imag_part", lambda m, x: m.imag(fft_ns(m).fft(x)), lambda a: np.imag(np.fft.fft(a)), signal()),
    fft_spec("fft_dim0_ortho", lambda m, x: m.imag(fft_ns(m).fft(x, dim=0, norm="ortho")),
             lambda a: np.imag(np.fft.fft(a, axis=0, norm="ortho")), signal(dim=0)),
    fft_spec("fft_pad_n", lambda m, x: m.real(fft_ns(m).fft(x, n=6, norm="forward")),
             lambda a: np.real(np.fft.fft(a, n=6, norm="forward")), signal()),
    fft_spec("fft_cut_n_dim1", lambda m, x: m.imag(fft_ns(m).fft(x, n=2, dim=1)),
             lambda a: np.imag(np.fft.fft(a, n=2, axis=1)), signal(dim=1)),
    fft_spec("fft_complex_input", lambda m, a, b: m.imag(fft_ns(m).fft(m.complex(a, b))),
             lambda a, b: np.imag(np.fft.fft(_z(a, b))), signal(2), grad_inputs=(0, 1)),
    fft_spec("ifft_real_part", lambda m, x: m.real(fft_ns(m).ifft(x)), lambda a: np.real(np.fft.ifft(a)), signal()),
    fft_spec("ifft_complex_input_ortho", lambda m, a, b: m.imag(fft_ns(m).ifft(m.complex(a, b), norm="ortho")),
             lambda a, b: np.imag(np.fft.ifft(_z(a, b), norm="ortho")), signal(2), grad_inputs=(0, 1)),
    fft_spec("ifft_of_fft", lambda m, x: m.real(fft_ns(m).ifft(fft_ns(m).fft(x, n=5), n=5)),
             lambda a: np.real(np.fft.ifft(np.fft.fft(a, n=5), n=5)), signal()),
    # --------------------------------------------------------------------------------------- rfft, irfft
    fft_spec("rfft_real_part", lambda m, x: m.real(fft_ns(m).rfft(x)), lambda a: np.real(np.fft.rfft(a)), signal()),
    fft_spec("rfft_imag_part_ortho", lambda m, x: m.imag(fft_ns(m).rfft(x, norm="ortho")),
             lambda a: np.imag(np.fft.rfft(a, norm="ortho")), signal()),
    fft_spec("rfft_odd_n_dim0", lambda m, x: m.imag(fft_ns(m).rfft(x, n=5, dim=0, norm="forward")),
             lambda a: np.imag(np.fft.rfft(a, n=5, axis=0, norm="forward")), signal(dim=0)),
    fft_spec("irfft", lambda m, a, b: fft_ns(m).irfft(m.complex(a, b)), lambda a, b: np.fft.irfft(_z(a, b)),
             signal(2, min_length=2), grad_inputs=(0, 1),
             notes="the imaginary parts of the first (and, n even, last) frequency are ignored: gradient 0"),
    fft_spec("irfft_odd_n", lambda m, a, b: fft_ns(m).irfft(m.complex(a, b), n=5, norm="ortho"),
             lambda a, b: np.fft.irfft(_z(a, b), n=5, norm="ortho"), signal(2), grad_inputs=(0, 1)),
    fft_spec("irfft_even_n_dim0", lambda m, a, b: fft_ns(m).irfft(m.complex(a, b), n=4, dim=0, norm="forward"),
             lambda a, b: np.fft.irfft(_z(a, b), n=4, axis=0, norm="forward"), signal(2, dim=0), grad_inputs=(0, 1)),
    fft_spec("irfft_real_input", lambda m, x: fft_ns(m).irfft(x, n=3), lambda a: np.fft.irfft(a, n=3), signal()),
    fft_spec("irfft_of_rfft", lambda m, x: fft_ns(m).irfft(fft_ns(m).rfft(x), n=x.shape[-1]),
             lambda a: np.fft.irfft(np.fft.rfft(a), n=a.shape[-1]), signal()),
]
