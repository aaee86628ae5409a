"""``tf.signal.dct``/``idct`` (types I–IV, norm None/'ortho', n), ``overlap_and_add``,
``linear_to_mel_weight_matrix`` and ``mfccs_from_log_mel_spectrograms``: values against the defining sums and
hand computations, gradients against central differences (float64), TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


def _dct_by_its_sums(x, dct_type):
    """The DCT of a 1-D x, entry by entry, from its definition (scipy.fftpack's, unnormalized)."""
    n_samples = len(x)
    n = np.arange(n_samples)
    out = []
    for k in range(n_samples):
        if dct_type == 1:
            inner = n[1:-1]
            out.append(x[0] + (-1) ** k * x[-1] + 2 * np.sum(x[inner] * np.cos(np.pi * k * inner / (n_samples - 1))))
        elif dct_type == 2:
            out.append(2 * np.sum(x * np.cos(np.pi * k * (2 * n + 1) / (2 * n_samples))))
        elif dct_type == 3:
            out.append(x[0] + 2 * np.sum(x[1:] * np.cos(np.pi * n[1:] * (2 * k + 1) / (2 * n_samples))))
        else:
            out.append(2 * np.sum(x * np.cos(np.pi * (2 * n + 1) * (2 * k + 1) / (4 * n_samples))))
    return np.array(out)


@pytest.mark.parametrize("dct_type", [1, 2, 3, 4])
def test_dct_matches_its_definition_and_n_cuts_or_pads(dct_type):
    x = RNG.standard_normal((2, 6))
    expected = np.stack([_dct_by_its_sums(row, dct_type) for row in x])
    np.testing.assert_allclose(run(tf.signal.dct(x, type=dct_type)), expected, rtol=1e-10, atol=1e-12)
    cut = np.stack([_dct_by_its_sums(row[:4], dct_type) for row in x])
    padded = np.stack([_dct_by_its_sums(np.concatenate([row, np.zeros(2)]), dct_type) for row in x])
    np.testing.assert_allclose(run(tf.signal.dct(x, type=dct_type, n=4)), cut, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.dct(x, type=dct_type, n=8)), padded, rtol=1e-10, atol=1e-12)
    check_gradients(lambda t: tf.signal.dct(t, type=dct_type, n=5), x)


@pytest.mark.parametrize("dct_type", [2, 3, 4])
def test_ortho_dct_is_orthonormal_and_idct_inverts_it(dct_type):
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    y = tf.signal.dct(x, type=dct_type, norm="ortho")
    got_y, back = run([y, tf.signal.idct(y, type=dct_type, norm="ortho")])
    assert got_y.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got_y, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-5)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-5)


def test_idct_without_norm_is_the_inverse_times_2n():
    x = RNG.standard_normal(6)
    np.testing.assert_allclose(run(tf.signal.idct(tf.signal.dct(x))) / 12, x, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.idct(tf.signal.dct(x, type=1), type=1)) / 10, x, atol=1e-12)
    assert tf.spectral.dct is tf.signal.dct


def test_dct_errors():
    with pytest.raises(ValueError, match="got type 5"):
        tf.signal.dct([1.0, 2.0], type=5)
    with pytest.raises(ValueError, match="axis must be -1"):
        tf.signal.dct([[1.0, 2.0]], axis=0)
    with pytest.raises(ValueError, match="Normalization not supported for type-I DCT"):
        tf.signal.dct([1.0, 2.0], type=1, norm="ortho")
    with pytest.raises(ValueError, match="Unknown normalization"):
        tf.signal.idct([1.0, 2.0], norm="forward")
    with pytest.raises(ValueError, match="positive integer"):
        tf.signal.dct([1.0, 2.0], n=0)
    with pytest.raises(TypeError, match="int32 not in list"):
        tf.signal.dct([1, 2])


def test_overlap_and_add_is_frame_backwards():
    frames = RNG.standard_normal((2, 4, 6))
    for step in (2, 6, 8):                                          # overlapping, touching, with gaps
        expected = np.zeros((2, 3 * step + 6))
        for k in range(4):
            expected[:, k * step:k * step + 6] += frames[:, k]
        np.testing.assert_allclose(run(tf.signal.overlap_and_add(frames, step)), expected, rtol=1e-12)
        check_gradients(lambda t: tf.signal.overlap_and_add(t, step), frames[0])
    signal = RNG.standard_normal(12)
    framed = tf.signal.frame(signal, 4, 4)                          # frame then overlap-add gives the signal back
    np.testing.assert_allclose(run(tf.signal.overlap_and_add(framed, 4)), signal)
    unknown_batch = tf.placeholder(tf.float64, [None, 4, 6])
    added = tf.signal.overlap_and_add(unknown_batch, 2)
    assert added.shape.as_list() == [None, 12]
    with pytest.raises(ValueError, match="positive integer"):
        tf.signal.overlap_and_add(frames, 0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        tf.signal.overlap_and_add([1.0], 1)


def test_linear_to_mel_weight_matrix():
    weights = run(tf.signal.linear_to_mel_weight_matrix(num_mel_bins=4, num_spectrogram_bins=9, sample_rate=16000,
                                                        lower_edge_hertz=0.0, upper_edge_hertz=8000.0))
    assert weights.shape == (9, 4) and weights.dtype == np.float32
    mel = lambda f: 1127.0 * np.log1p(f / 700.0)                    # noqa: E731
    edges = np.linspace(mel(0.0), mel(8000.0), 6)
    bin_mel = mel(1000.0 * 3)                                       # bin 3 is 3000 Hz
    assert edges[3] < bin_mel < edges[4]                            # band 3 rising, band 2 falling there
    np.testing.assert_allclose(weights[3, 3], (bin_mel - edges[3]) / (edges[4] - edges[3]), rtol=1e-6)
    np.testing.assert_allclose(weights[3, 2], (edges[4] - bin_mel) / (edges[4] - edges[3]), rtol=1e-6)
    assert weights[3, 0] == weights[3, 1] == 0
    assert (weights[0] == 0).all() and (weights >= 0).all()          # no weight on 0 Hz
    default = run(tf.signal.linear_to_mel_weight_matrix(dtype=tf.float64))
    assert default.shape == (129, 20) and default.dtype == np.float64
    with pytest.raises(ValueError, match="num_mel_bins must be positive"):
        tf.signal.linear_to_mel_weight_matrix(num_mel_bins=0)
    with pytest.raises(ValueError, match="lower_edge_hertz 4000.0 >= upper_edge_hertz 3800.0"):
        tf.signal.linear_to_mel_weight_matrix(lower_edge_hertz=4000.0)
    with pytest.raises(ValueError, match="Nyquist"):
        tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0)
    with pytest.raises(TypeError, match="floating point"):
        tf.signal.linear_to_mel_weight_matrix(dtype=tf.int32)


def test_mfccs_are_a_scaled_type_2_dct():
    log_mel = RNG.standard_normal((3, 8))
    expected = np.stack([_dct_by_its_sums(row, 2) for row in log_mel]) / np.sqrt(16)
    np.testing.assert_allclose(run(tf.signal.mfccs_from_log_mel_spectrograms(log_mel)), expected, rtol=1e-10,
                               atol=1e-12)
    check_gradients(tf.signal.mfccs_from_log_mel_spectrograms, log_mel[:1])
    with pytest.raises(TypeError, match="int32 not in list"):
        tf.signal.mfccs_from_log_mel_spectrograms([[1, 2]])
