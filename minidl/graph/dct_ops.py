"""``tf.signal.dct`` and ``tf.signal.idct`` (also in ``tf.spectral``): discrete cosine transforms of types I–IV
along the last dim, with scipy.fftpack's conventions (TF's). For a signal x of N samples:

* type I:   y_k = x_0 + (-1)^k x_(N-1) + 2 Σ_(n=1..N-2) x_n cos(π k n / (N - 1))      (N ≥ 2)
* type II:  y_k = 2 Σ_n x_n cos(π k (2n + 1) / 2N)
* type III: y_k = x_0 + 2 Σ_(n≥1) x_n cos(π n (2k + 1) / 2N)
* type IV:  y_k = 2 Σ_n x_n cos(π (2n + 1)(2k + 1) / 4N)

``norm='ortho'`` scales the basis so that the transform is orthonormal (types II–IV; TF refuses it for type I):
type II by √(1/4N) for k = 0 and √(1/2N) otherwise, type III the transposed way, type IV by √(1/2N).

Each transform is linear, y = x Cᵀ with a constant N × N cosine matrix C: here it *is* that matrix product
(``ops.matmul``, so the gradient is g C), where TF computes it through a 2N-point FFT. O(N²) instead of O(N log N),
and exactly the formulas above — the matrix is the clearer statement of what a DCT is.

``idct`` is TF's: the DCT of the inverse type (II <-> III, I and IV their own), *without* the 1/2N (type I:
1/(2(N-1))) that makes it an inverse when ``norm`` is None.
"""
import numpy

from .. import ops
from .core import rank_error
from .math_ops import FLOATS, check_dtype, constant_value, tf_op, to_tensor
from .spectral_ops import signal

__all__ = []


def cosine_matrix(dct_type, n, ortho):
    """C with y = x Cᵀ: rows k (outputs), columns n (inputs), in float64."""
    k, j = numpy.arange(n)[:, None], numpy.arange(n)[None, :]
    if dct_type == 1:
        c = 2 * numpy.cos(numpy.pi * k * j / (n - 1))
        c[:, 0] /= 2
        c[:, -1] /= 2
        return c
    if dct_type == 2:
        c = 2 * numpy.cos(numpy.pi * k * (2 * j + 1) / (2 * n))
        if ortho:
            c *= numpy.where(k == 0, numpy.sqrt(1 / (4 * n)), numpy.sqrt(1 / (2 * n)))
        return c
    if dct_type == 3:
        c = 2 * numpy.cos(numpy.pi * j * (2 * k + 1) / (2 * n))
        c[:, 0] /= 2
        if ortho:
            c *= numpy.where(j == 0, numpy.sqrt(1 / n), numpy.sqrt(1 / (2 * n)))
        return c
    c = 2 * numpy.cos(numpy.pi * (2 * j + 1) * (2 * k + 1) / (4 * n))
    return c * numpy.sqrt(1 / (2 * n)) if ortho else c


def _checked(input, dct_type, n, axis, norm):
    x = check_dtype(to_tensor(input), FLOATS[1:], "input")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError(f"Types I, II, III and IV (I)DCT are supported, got type {dct_type!r}.")
    if constant_value(axis, "axis") != -1:
        raise ValueError(f"axis must be -1. Got: {axis}")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n should be a positive integer or None, got {n!r}")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
    if dct_type == 1 and norm == "ortho":
        raise ValueError("Normalization not supported for type-I DCT.")
    if not x.shape.rank_known or len(x.shape) == 0 or x.shape[-1] is None:
        raise rank_error(x)(f"dct: input must have at least 1 dim whose length is known when the graph is built, "
                            f"got shape {x.shape}")
    return x


def _transform(x, dct_type, n, norm):
    length = x.shape[-1]
    n = length if n is None else n
    if n < length:
        x = x[..., :n]
    elif n > length:
        x = ops.pad(x, [0, n - length])
    if dct_type == 1 and n < 2:
        raise ValueError(f"A type-I DCT needs at least 2 samples, got {n}")
    basis = numpy.ascontiguousarray(cosine_matrix(dct_type, n, norm == "ortho").T)
    return ops.matmul(x, to_tensor(basis.astype(x.dtype.name)))


@tf_op("dct")
def dct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """The DCT of the given ``type`` of each signal along the last dim of float ``input`` [..., samples];
    ``n`` cuts the signals to n samples or pads them with zeros first."""
    x = _checked(input, type, n, axis, norm)
    return _transform(x, type, n, norm)


@tf_op("idct")
def idct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """The DCT of the inverse type (``dct`` of type {1: 1, 2: 3, 3: 2, 4: 4}[type]): the inverse of ``dct``
    with ``norm='ortho'``, and 2N times it (type I: 2(N-1) times) without."""
    x = _checked(input, type, n, axis, norm)
    return _transform(x, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm)


signal.dct, signal.idct = dct, idct
