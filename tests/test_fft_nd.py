"""torch.fft's N-D transforms, shifts and sample frequencies, the window functions, and stft/istft: values against
numpy and PyTorch, gradients against float64 central differences and PyTorch, and the errors for bad calls.

(The op table, ``tests/op_table/specs_spectral_nd.py``, runs the same ops in both modes with second-order
checks; this file covers the creation functions, dtype rules, many argument combinations and the errors.)
"""
import warnings

import numpy as np
import pytest

import minidl.eager as tl
from minidl.ops import OpError


def _rng(seed=0):
    return np.random.default_rng(seed)


def _as_numpy(t):
    """A torch tensor's values (resolving its lazy conjugate/negative views)."""
    return t.detach().resolve_conj().resolve_neg().numpy()


def _central_difference_check(f, arrays, seed=0, eps=1e-6):
    """<grad of <c, f(x)>, d> against (<c, f(x + eps d)> - <c, f(x - eps d)>) / 2 eps, for real float64 inputs
    and a real or complex output (for a complex output, the real loss is Re <conj(c), f(x)>)."""
    rng = _rng(seed)
    xs = [tl.tensor(a, requires_grad=True) for a in arrays]
    out = f(*xs)
    c = rng.standard_normal(out.shape) + (1j * rng.standard_normal(out.shape) if out.is_complex() else 0)
    grads = tl.autograd.grad(out, xs, tl.tensor(c))
    directions = [rng.standard_normal(a.shape) for a in arrays]

    def loss(step):
        moved = f(*(tl.tensor(a + step * d) for a, d in zip(arrays, directions))).numpy()
        return float(np.real(np.sum(np.conj(c) * moved)))
    numeric = (loss(eps) - loss(-eps)) / (2 * eps)
    analytic = sum(float(np.sum(g.numpy() * d)) for g, d in zip(grads, directions))
    assert abs(analytic - numeric) <= 1e-6 + 1e-5 * abs(numeric), (analytic, numeric)


# ------------------------------------------------------------------------------------ N-D transforms

ND_CASES = [  # (name, call on the fft namespace, numpy equivalent)
    ("fftn", lambda F, x: F.fftn(x), lambda x: np.fft.fftn(x)),
    ("fftn_s_last", lambda F, x: F.fftn(x, s=(3, 6)), lambda x: np.fft.fftn(x, s=(3, 6), axes=(-2, -1))),
    ("fftn_s_keep", lambda F, x: F.fftn(x, s=(2, -1), dim=(0, 2), norm="ortho"),
     lambda x: np.fft.fftn(x, s=(2, 5), axes=(0, 2), norm="ortho")),
    ("ifftn_int_dim", lambda F, x: F.ifftn(x, dim=1, norm="forward"), lambda x: np.fft.ifft(x, axis=1,
                                                                                             norm="forward")),
    ("fft2", lambda F, x: F.fft2(x), lambda x: np.fft.fft2(x)),
    ("ifft2_s", lambda F, x: F.ifft2(x, s=(5, 3)), lambda x: np.fft.ifft2(x, s=(5, 3))),
    ("fftn_negative_dims", lambda F, x: F.fftn(x, dim=(-1, -3)), lambda x: np.fft.fftn(x, axes=(-1, -3))),
]

REAL_CASES = [
    ("rfftn", lambda F, x: F.rfftn(x), lambda x: np.fft.rfftn(x)),
    ("rfft2_s", lambda F, x: F.rfft2(x, s=(3, 7), norm="ortho"), lambda x: np.fft.rfft2(x, s=(3, 7), norm="ortho")),
    ("rfftn_halved_dim0", lambda F, x: F.rfftn(x, dim=(2, 0)), lambda x: np.fft.rfftn(x, axes=(2, 0))),
    ("ihfft", lambda F, x: F.ihfft(x, n=6), lambda x: np.fft.ihfft(x, n=6)),
    ("ihfftn", lambda F, x: F.ihfftn(x, norm="ortho"), lambda x: np.conj(np.fft.rfftn(x, norm="ortho"))),
    ("fftshift", lambda F, x: F.fftshift(x), lambda x: np.fft.fftshift(x)),
    ("ifftshift_dim", lambda F, x: F.ifftshift(x, dim=(0, -1)), lambda x: np.fft.ifftshift(x, axes=(0, -1))),
]

FROM_SPECTRUM_CASES = [
    ("irfftn", lambda F, x: F.irfftn(x), lambda x: np.fft.irfftn(x)),
    ("irfft2_s", lambda F, x: F.irfft2(x, s=(3, 7), norm="forward"),
     lambda x: np.fft.irfft2(x, s=(3, 7), norm="forward")),
    ("irfftn_halved_dim0", lambda F, x: F.irfftn(x, dim=(1, 0)), lambda x: np.fft.irfftn(x, axes=(1, 0))),
    ("hfft", lambda F, x: F.hfft(x, n=7), lambda x: np.fft.hfft(x, n=7)),
    ("hfft2", lambda F, x: F.hfft2(x), lambda x: np.fft.irfft2(np.conj(x), norm="forward")),
    ("hfftn_s", lambda F, x: F.hfftn(x, s=(3, 4, 6), norm="ortho"),
     lambda x: np.fft.irfftn(np.conj(x), s=(3, 4, 6), axes=(0, 1, 2), norm="ortho")),
]


def _signal(complex_=False, seed=0):
    rng = _rng(seed)
    x = rng.standard_normal((3, 4, 5))
    return x + 1j * rng.standard_normal(x.shape) if complex_ else x


@pytest.mark.parametrize("case", ND_CASES + REAL_CASES + FROM_SPECTRUM_CASES, ids=lambda c: c[0])
def test_values_match_numpy(case):
    _, call, reference = case
    complex_ = case in FROM_SPECTRUM_CASES
    x = _signal(complex_)
    np.testing.assert_allclose(call(tl.fft, tl.tensor(x)).numpy(), reference(x), atol=1e-12)


@pytest.mark.parametrize("case", ND_CASES + FROM_SPECTRUM_CASES, ids=lambda c: c[0])
def test_gradients_of_complex_input_match_central_differences(case):
    _, call, _ = case
    re, im = _signal(), _signal(seed=1)
    _central_difference_check(lambda a, b: call(tl.fft, tl.complex(a, b)), [re, im])


@pytest.mark.parametrize("case", REAL_CASES + ND_CASES, ids=lambda c: c[0])
def test_gradients_of_real_input_match_central_differences(case):
    _central_difference_check(lambda x: case[1](tl.fft, x), [_signal()])


@pytest.mark.parametrize("dtype, expected", [("float32", "complex64"), ("float64", "complex128"),
                                             ("int64", "complex64"), ("complex64", "complex64")])
def test_dtypes_follow_pytorch(dtype, expected):
    x = tl.tensor(np.ones((2, 3)).astype(dtype))
    assert tl.fft.fftn(x).dtype == expected and tl.fft.fft2(x).dtype == expected
    if dtype != "complex64":
        assert tl.fft.rfftn(x).dtype == expected and tl.fft.ihfft(x).dtype == expected
        assert tl.fft.irfftn(tl.fft.rfftn(x)).dtype == expected.replace("complex64", "float32").replace(
            "complex128", "float64")


def test_transform_over_no_dims_is_a_cast():
    y = tl.fft.fftn(tl.tensor(2.5))
    assert y.shape == () and y.dtype == tl.complex64 and y.item() == 2.5


def test_fftshift_gradient_rolls_back():
    x = tl.tensor(np.arange(5.0), requires_grad=True)
    tl.fft.fftshift(x).backward(tl.tensor(np.arange(5.0) * 10))
    np.testing.assert_array_equal(x.grad.numpy(), np.fft.ifftshift(np.arange(5.0) * 10))


@pytest.mark.parametrize("call, error, match", [
    (lambda x: tl.fft.fftn(x, s=(2, 3), dim=(0,)), OpError, r"fftn: When given, dim and shape .* same length"),
    (lambda x: tl.fft.fftn(x, dim=(0, -3)), OpError, r"fftn: FFT dims must be unique"),
    (lambda x: tl.fft.fft2(x, dim=(0, 5)), IndexError, r"fft2.*out of range"),
    (lambda x: tl.fft.fftn(x, s=(1, 2, 3, 4)), OpError, r"fftn: Got shape with 4 values but input tensor only has "
                                                        r"3 dimensions"),
    (lambda x: tl.fft.ifftn(x, s=(2, 0)), OpError, r"ifftn: Invalid number of data points \(0\)"),
    (lambda x: tl.fft.rfftn(x, dim=()), OpError, r"rfftn: must transform at least one axis"),
    (lambda x: tl.fft.rfft2(tl.complex(x, x)), TypeError, r"rfft2: expects a real-valued input tensor, but got "
                                                           r"complex64\[3, 4, 5\]"),
    (lambda x: tl.fft.ihfft(tl.complex(x, x)), TypeError, r"ihfft: expects a real input tensor, but got "
                                                           r"complex64\[3, 4, 5\]"),
    (lambda x: tl.fft.ihfftn(tl.complex(x, x)), TypeError, r"ihfftn: expects a real input"),
    (lambda x: tl.fft.hfft(x, norm="bad"), ValueError, r"hfft: invalid normalization mode 'bad'"),
    (lambda x: tl.fft.fftn(x, dim=(0.5,)), TypeError, r"fftn: dim must be an int or a sequence of ints"),
    (lambda x: tl.fft.fftshift(x, dim=3), IndexError, r"fftshift.*out of range"),
    (lambda x: tl.fft.fft2(tl.tensor([1.0, 2.0])), IndexError, r"fft2.*out of range"),
])
def test_bad_calls_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(tl.tensor(_signal().astype(np.float32)))


# ------------------------------------------------------------------------------------- sample frequencies

@pytest.mark.parametrize("n, d", [(0, 1.0), (1, 0.5), (5, 0.1), (8, 2.0)])
def test_frequencies_match_numpy(n, d):
    np.testing.assert_allclose(tl.fft.fftfreq(n, d).numpy(), np.fft.fftfreq(n, d) if n else np.zeros(0),
                               rtol=1e-6)
    if n:
        np.testing.assert_allclose(tl.fft.rfftfreq(n, d).numpy(), np.fft.rfftfreq(n, d), rtol=1e-6)


def test_frequencies_creation_options():
    f = tl.fft.fftfreq(4, dtype=tl.float64, requires_grad=True)
    assert f.dtype == tl.float64 and f.requires_grad and f.shape == (4,)
    assert tl.fft.rfftfreq(6).dtype == tl.float32 and np.isnan(tl.fft.rfftfreq(0).numpy()).all()
    with pytest.raises(TypeError, match="fftfreq: expects a floating point dtype, got int64"):
        tl.fft.fftfreq(4, dtype=tl.int64)
    with pytest.raises(OpError, match="rfftfreq: Trying to create tensor with negative dimension -1"):
        tl.fft.rfftfreq(-1)


# --------------------------------------------------------------------------------------------- windows

NUMPY_WINDOWS = {"hann_window": np.hanning, "hamming_window": np.hamming, "blackman_window": np.blackman,
                 "bartlett_window": np.bartlett, "kaiser_window": lambda n: np.kaiser(n, 12.0)}


@pytest.mark.parametrize("name", sorted(NUMPY_WINDOWS))
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
def test_windows_match_numpy(name, length):
    make = getattr(tl, name)
    symmetric = NUMPY_WINDOWS[name](length)
    np.testing.assert_allclose(make(length, periodic=False, dtype=tl.float64).numpy(), symmetric, atol=1e-12)
    periodic = NUMPY_WINDOWS[name](length + 1)[:length] if length > 1 else np.ones(length)
    np.testing.assert_allclose(make(length, dtype=tl.float64).numpy(), periodic, atol=1e-12)


def test_window_options():
    w = tl.hann_window(4, requires_grad=True)
    assert w.dtype == tl.float32 and w.requires_grad and w.shape == (4,)
    np.testing.assert_allclose(tl.hamming_window(5, False, 0.5, 0.3).numpy(),
                               0.5 - 0.3 * np.cos(2 * np.pi * np.arange(5) / 4), rtol=1e-6)
    np.testing.assert_allclose(tl.kaiser_window(5, False, 3.0).numpy(), np.kaiser(5, 3.0), rtol=1e-6)
    with pytest.raises(TypeError, match="hann_window: expects a floating point dtype, got int64"):
        tl.hann_window(4, dtype=tl.int64)
    with pytest.raises(OpError, match="kaiser_window: Trying to create tensor with negative dimension -1: \\[-1\\]"):
        tl.kaiser_window(-1)


# ----------------------------------------------------------------------------------------- stft, istft

def _stft_signal(shape, complex_=False, seed=0):
    rng = _rng(seed)
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if complex_ else x


STFT_CASES = [  # (name, signal, window, stft kwargs, istft kwargs or None)
    ("hann_hop2", _stft_signal(16), 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(6) / 6),
     dict(n_fft=6, hop_length=2), dict(n_fft=6, hop_length=2)),
    ("batch_short_window", _stft_signal((2, 20)), _rng(1).uniform(0.5, 1, 5),
     dict(n_fft=8, hop_length=3, win_length=5), dict(n_fft=8, hop_length=3, win_length=5, length=19)),
    ("no_window_normalized", _stft_signal(12), None, dict(n_fft=4, normalized=True),
     dict(n_fft=4, normalized=True)),
    ("no_window_short_not_centred", _stft_signal(12), None, dict(n_fft=6, win_length=3, hop_length=2, center=False),
     None),
    ("two_sided_constant_pad", _stft_signal(12), _rng(2).uniform(0.5, 1, 4),
     dict(n_fft=4, hop_length=2, onesided=False, pad_mode="constant"), dict(n_fft=4, hop_length=2, onesided=False)),
    ("two_sided_complex_out", _stft_signal(12), _rng(3).uniform(0.5, 1, 4),
     dict(n_fft=4, hop_length=2, onesided=False, pad_mode="replicate"),
     dict(n_fft=4, hop_length=2, onesided=False, return_complex=True)),
    ("complex_signal_circular_pad", _stft_signal(12, complex_=True), _rng(4).uniform(0.5, 1, 4),
     dict(n_fft=4, hop_length=1, pad_mode="circular"), dict(n_fft=4, hop_length=1, return_complex=True, length=14)),
]


def _run_stft(lib, signal, window, stft_kw, istft_kw):
    x = lib.tensor(signal, requires_grad=True)
    w = None if window is None else lib.tensor(window, requires_grad=True)
    spectrum = lib.stft(x, window=w, return_complex=True, **stft_kw)
    outs = [spectrum] if istft_kw is None else [spectrum, lib.istft(spectrum, window=w, **istft_kw)]
    return [v for v in (x, w) if v is not None], outs


@pytest.mark.parametrize("case", STFT_CASES, ids=lambda c: c[0])
def test_stft_and_istft_match_pytorch(case):
    torch = pytest.importorskip("torch")
    _, signal, window, stft_kw, istft_kw = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn that a rectangular window leaks
        t_in, t_outs = _run_stft(torch, signal, window, stft_kw, istft_kw)
        m_in, m_outs = _run_stft(tl, signal, window, stft_kw, istft_kw)
    rng = _rng(5)
    cotangents = []
    for t, m in zip(t_outs, m_outs):
        assert tuple(m.shape) == tuple(t.shape) and str(m.dtype).removeprefix("minidl.") == str(t.dtype).removeprefix("torch.")
        np.testing.assert_allclose(m.detach().numpy(), _as_numpy(t), atol=1e-10)
        cotangents.append(rng.standard_normal(m.shape) + (1j * rng.standard_normal(m.shape) if m.is_complex() else 0))
    t_grads = torch.autograd.grad(t_outs, t_in, [torch.tensor(c) for c in cotangents])
    m_grads = tl.autograd.grad(m_outs, m_in, [tl.tensor(c) for c in cotangents])
    for t, m in zip(t_grads, m_grads):
        np.testing.assert_allclose(m.numpy(), _as_numpy(t), atol=1e-10)


@pytest.mark.parametrize("case", STFT_CASES, ids=lambda c: c[0])
def test_stft_gradients_match_central_differences(case):
    _, signal, window, stft_kw, istft_kw = case
    if np.iscomplexobj(signal):
        return  # the central differences below perturb real inputs; the PyTorch test covers this case

    def f(x, *w):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            window_ = w[0] if w else None
            spectrum = tl.stft(x, window=window_, return_complex=True, **stft_kw)
            return spectrum if istft_kw is None else tl.istft(spectrum, window=window_, **istft_kw)
    _central_difference_check(f, [signal] + ([] if window is None else [window]))


def test_istft_inverts_stft():
    x = _stft_signal((3, 30))
    window = tl.hann_window(8, dtype=tl.float64)
    spectrum = tl.stft(tl.tensor(x), 8, hop_length=2, window=window, return_complex=True)
    assert spectrum.shape == (3, 5, 16) and spectrum.dtype == tl.complex128
    np.testing.assert_allclose(tl.istft(spectrum, 8, hop_length=2, window=window, length=30).numpy(), x,
                               atol=1e-12)


def test_stft_of_float32_and_return_complex_false():
    x = tl.tensor(_stft_signal(10).astype(np.float32))
    assert tl.stft(x, 4, window=tl.hann_window(4), return_complex=True).dtype == tl.complex64
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        pairs = tl.stft(x, 4, window=tl.hann_window(4), return_complex=False)
    assert pairs.shape == (3, 11, 2) and pairs.dtype == tl.float32


@pytest.mark.parametrize("call, error, match", [
    (lambda x: tl.stft(x, 4), OpError, r"stft requires the return_complex parameter be given for real inputs"),
    (lambda x: tl.stft(x, 16, center=False, return_complex=True), OpError,
     r"stft\(float64\[10\], n_fft=16.*expected 0 < n_fft <= 10 \(the signal's length\), but got n_fft=16"),
    (lambda x: tl.stft(x, 0, return_complex=True), OpError, r"expected n_fft > 0, but got n_fft=0"),
    (lambda x: tl.stft(x, 4, hop_length=0, return_complex=True), OpError, r"expected hop_length > 0"),
    (lambda x: tl.stft(x, 4, win_length=5, return_complex=True), OpError,
     r"expected 0 < win_length <= n_fft, but got win_length=5"),
    (lambda x: tl.stft(x, 4, win_length=3, window=tl.ones(2), return_complex=True), OpError,
     r"expected a 1D window tensor of size equal to win_length=3, but got window float32\[2\]"),
    (lambda x: tl.stft(tl.ones(2, 3, 10), 4, return_complex=True), OpError,
     r"stft\(float32\[2, 3, 10\].*expected a 1D or 2D tensor"),
    (lambda x: tl.stft(tl.arange(10), 4, return_complex=True), TypeError,
     r"expected a tensor of floating point or complex values"),
    (lambda x: tl.stft(tl.complex(x, x), 4, onesided=True), OpError,
     r"Cannot have onesided output if window or input is complex"),
    (lambda x: tl.stft(x, 4, pad_mode="bad", return_complex=True), NotImplementedError,
     r"stft: unrecognised padding mode 'bad'"),
    (lambda x: tl.stft(x, 4, align_to_window=True, return_complex=True), OpError,
     r"align_to_window should only be set when center = false"),
    (lambda x: tl.istft(x, 4), TypeError, r"istft requires a complex-valued input tensor"),
    (lambda x: tl.istft(tl.complex(x, x), 4), OpError, r"istft\(complex128\[10\].*with 2 or 3 dimensions"),
    (lambda x: tl.istft(tl.stft(x, 4, return_complex=True), 6, window=tl.ones(6, dtype=tl.float64)), OpError,
     r"expected the frequency dimension .* n_fft / 2 \+ 1 = 4 when onesided=True, but got 3"),
    (lambda x: tl.istft(tl.stft(x, 4, return_complex=True), 4, hop_length=5), OpError,
     r"expected 0 < hop_length <= win_length, got hop_length=5"),
    (lambda x: tl.istft(tl.stft(x, 4, return_complex=True), 4, return_complex=True), OpError,
     r"Cannot have onesided output if window or input is complex"),
    (lambda x: tl.istft(tl.stft(x, 4, return_complex=True), 4, window=tl.zeros(4, dtype=tl.float64)), OpError,
     r"istft\(complex128\[3, 11\], n_fft=4.*window overlap add min: 0"),
    (lambda x: tl.istft(tl.stft(x, 4, return_complex=True), 4, window=tl.hann_window(4, dtype=tl.float64),
                        center=False), OpError, r"window overlap add min: 0"),
])
def test_stft_bad_calls_raise_clear_errors(call, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            call(tl.tensor(_stft_signal(10)))


def test_stft_warns_without_a_window():
    with pytest.warns(UserWarning, match="a window was not provided"):
        tl.stft(tl.tensor(_stft_signal(10)), 4, return_complex=True)


def test_stft_in_graph_mode():
    import minidl.graph as tf
    x = _stft_signal((2, 12))
    with tf.Graph().as_default() as graph:
        signal = tf.placeholder(tl.float64, (2, 12))
        window = tf.placeholder(tl.float64, (4,))
        spectrum = tl.stft(signal, 4, window=window, return_complex=True)
        back = tl.istft(spectrum, 4, window=window)
        assert tuple(spectrum.shape) == (2, 3, 13)
        zero_window = tf.placeholder(tl.float64, (4,))
        failing = tl.istft(spectrum, 4, window=zero_window)
    window_values = np.hanning(5)[:4] + 0.1
    with tf.Session(graph=graph) as session:
        np.testing.assert_allclose(session.run(back, {signal: x, window: window_values}), x, atol=1e-12)
        with pytest.raises(Exception, match="window overlap add min"):
            session.run(failing, {signal: x, window: window_values, zero_window: np.zeros(4)})


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "fft2", "fftn", "ihfft"])
def test_the_transforms_take_out_as_pytorch(name):
    """``out=`` gets the result (resized from empty, as PyTorch's) and is returned."""
    x = tl.tensor(np.arange(16.0).reshape(2, 8))
    expected = getattr(tl.fft, name)(x)
    out = tl.empty(0, dtype=expected.dtype)
    assert getattr(tl.fft, name)(x, out=out) is out
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.numpy())
