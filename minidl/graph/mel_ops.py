"""``tf.signal.linear_to_mel_weight_matrix`` and ``tf.signal.mfccs_from_log_mel_spectrograms``: the two steps
from a spectrogram to the mel-frequency cepstral coefficients of speech recognition.

The mel scale, mel(f) = 1127 ln(1 + f / 700), spaces pitches as hearing does. The weight matrix maps the
``num_spectrogram_bins`` linear frequencies of an ``stft`` (0 to the Nyquist frequency sample_rate / 2) to
``num_mel_bins`` triangular bands: the band edges are ``num_mel_bins + 2`` points equally spaced in mel between
``lower_edge_hertz`` and ``upper_edge_hertz``, and band j rises linearly (in mel) from edge j to 1 at edge j + 1,
then falls to 0 at edge j + 2. The 0 Hz bin gets no weight. So ``tf.tensordot(magnitudes, weights, 1)`` is a
mel spectrogram; MFCCs are the type-II DCT of its logarithm, scaled by √(1 / 2·num_mel_bins) (TF's choice).

The matrix depends on Python numbers only: it is computed here with numpy, in float64, and becomes a constant
of ``dtype`` (TF computes it with ops in ``dtype``; the values agree to that dtype's rounding).
"""
import numpy

from .. import ops
from ..backend import dtypes
from .basics import constant
from .core import rank_error
from .dct_ops import dct
from .math_ops import FLOATS, check_dtype, constant_value, tf_op, to_tensor
from .spectral_ops import signal

__all__ = []


def _hertz_to_mel(frequencies):
    return 1127.0 * numpy.log1p(numpy.asarray(frequencies, dtype=numpy.float64) / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000, lower_edge_hertz=125.0,
                                upper_edge_hertz=3800.0, dtype=dtypes.float32, name=None):
    """The [num_spectrogram_bins, num_mel_bins] matrix of triangular mel-band weights (see the module docstring).
    ValueError for a non-positive ``num_mel_bins`` or ``sample_rate``, a negative ``lower_edge_hertz``, edges in the
    wrong order, or an upper edge above the Nyquist frequency; TypeError for a ``dtype`` that is not floating."""
    num_mel_bins = int(constant_value(num_mel_bins, "num_mel_bins"))
    num_spectrogram_bins = int(constant_value(num_spectrogram_bins, "num_spectrogram_bins"))
    sample_rate = float(constant_value(sample_rate, "sample_rate"))
    lower = float(constant_value(lower_edge_hertz, "lower_edge_hertz"))
    upper = float(constant_value(upper_edge_hertz, "upper_edge_hertz"))
    dtype = dtypes.as_dtype(dtype)
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if sample_rate <= 0.0:
        raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
    if lower < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower}")
    if lower >= upper:
        raise ValueError(f"lower_edge_hertz {lower:.1f} >= upper_edge_hertz {upper:.1f}")
    if upper > sample_rate / 2:
        raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
                         f"Got {upper} for sample_rate: {sample_rate}")
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating point type. Got: {dtype.name}")
    bins_mel = _hertz_to_mel(numpy.linspace(0.0, sample_rate / 2, num_spectrogram_bins)[1:])[:, None]
    edges = numpy.linspace(_hertz_to_mel(lower), _hertz_to_mel(upper), num_mel_bins + 2)
    low, center, high = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins_mel - low) / (center - low)
    falling = (high - bins_mel) / (high - center)
    weights = numpy.maximum(0.0, numpy.minimum(rising, falling))
    weights = numpy.concatenate([numpy.zeros((1, num_mel_bins)), weights])  # the 0 Hz bin
    return constant(weights.astype(dtype.name), name=name or "linear_to_mel_weight_matrix")


@tf_op("mfccs_from_log_mel_spectrograms")
def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """The MFCCs of float ``log_mel_spectrograms`` [..., num_mel_bins]: the type-II DCT along the last dim,
    times √(1 / 2·num_mel_bins) (keep the first 13 or so: ``mfccs[..., :13]``)."""
    x = check_dtype(to_tensor(log_mel_spectrograms), FLOATS[1:], "log_mel_spectrograms")
    if not x.shape.rank_known or len(x.shape) == 0 or x.shape[-1] is None:
        raise rank_error(x)(f"log_mel_spectrograms must have a last dim (num_mel_bins) known when the graph is built, "
                            f"got shape {x.shape}")
    if x.shape[-1] < 1:
        raise ValueError("num_mel_bins must be positive. Got: 0")
    return ops.mul(dct(x, type=2), (2.0 * x.shape[-1]) ** -0.5)


signal.linear_to_mel_weight_matrix = linear_to_mel_weight_matrix
signal.mfccs_from_log_mel_spectrograms = mfccs_from_log_mel_spectrograms
