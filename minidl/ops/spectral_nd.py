"""Fourier transforms over several dims (``torch.fft.fft2``, ``fftn``, ``rfftn``, ``irfftn``, ``hfft``, ...),
the shifts that put frequency 0 in the middle (``fftshift``/``ifftshift``), and the sample frequencies
(``fftfreq``/``rfftfreq``).

**Built from the 1-D transforms, one dim at a time.** The N-D DFT is separable:

    Y[k_1..k_N] = sum_{j_1..j_N} x[j_1..j_N] exp(-2 pi i (j_1 k_1 / n_1 + ... + j_N k_N / n_N))

and the exponential factors into one 1-D DFT per dim, so ``fftn = fft along d_1, then along d_2, ...`` (the order
does not matter), with the scales multiplying: 1/sqrt(n_1) ... 1/sqrt(n_N) = 1/sqrt(prod n) for 'ortho', and
likewise 1/prod(n) for the scaled direction. Each 1-D op in ``spectral.py`` has its VJP (the adjoint transform),
so the chain rule through the composition gives ``F_N^H ... F_1^H g``, the adjoint of the N-D transform, with no
new derivative to get wrong; second-order gradients come with it.

* ``rfftn``: the real-to-half transform along the *last* of ``dim`` first (halving it to n//2 + 1 frequencies),
  then complex transforms along the others: their halved spectrum is what remains after the first step.
* ``irfftn``: the reverse order, complex inverse transforms along all but the last dim, then ``irfft`` along the
  last (its VJP doubles the bins that stand for two frequencies, as in ``spectral.Irfft``).
* ``hfft`` (a half Hermitian spectrum to the real signal it is the FFT of) is ``irfft(conj(y))`` with the scale
  of the other direction, because ``fft(x) = n conj(ifft(x))`` for real ``x``; ``ihfft`` is its inverse,
  ``conj(rfft(x))`` with that swapped scale. ``hfftn``/``ihfftn`` are the same over several dims.
"""
import operator

import numpy

from ..backend import dtypes
from .base import OpError, describe
from .cast import cast
from .infer import normalize_dim
from .shape import roll
from .window_functions import length_and_float_dtype
from .spectral import _ADJOINT_NORM, _check_tensor, conj, fft, ifft, irfft, rfft

__all__ = ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "hfft2",
           "ihfft2", "hfftn", "ihfftn", "fftshift", "ifftshift"]


def _int_tuple(op_name, values, what):
    values = (values,) if isinstance(values, int) else values
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{op_name}: {what} must be an int or a sequence of ints, got {values!r}") from None


def _dims_and_sizes(op_name, x, s, dim):
    """PyTorch's rules for ``s`` (output sizes, -1: keep the input's) and ``dim`` of the N-D transforms.

    Neither given: every dim. Only ``s``: the last ``len(s)`` dims. Only ``dim``: the input's sizes there. Returns
    the non-negative dims and, per dim, the requested size (None: keep the size the transform gives by default).
    """
    _check_tensor(op_name, x)
    if dim is not None:
        dims = tuple(normalize_dim(op_name, d, x.ndim) for d in _int_tuple(op_name, dim, "dim"))
        if len(set(dims)) != len(dims):
            raise OpError(f"{op_name}: FFT dims must be unique, got dim={tuple(dim)} for input {describe(x)}")
    if s is None:
        dims = tuple(range(x.ndim)) if dim is None else dims
        return dims, (None,) * len(dims)
    s = _int_tuple(op_name, s, "s")
    if dim is None:
        if len(s) > x.ndim:
            raise OpError(f"{op_name}: Got shape with {len(s)} values but input tensor only has {x.ndim} "
                          f"dimensions (s={s}, input {describe(x)})")
        dims = tuple(range(x.ndim - len(s), x.ndim))
    elif len(s) != len(dims):
        raise OpError(f"{op_name}: When given, dim and shape arguments must have the same length (s={s}, "
                      f"dim={tuple(dims)})")
    for n in s:
        if n != -1 and n < 1:
            raise OpError(f"{op_name}: Invalid number of data points ({n}) specified (s={s}, input {describe(x)})")
    return dims, tuple(None if n == -1 else n for n in s)


def _as_complex(x):
    """``x`` as the complex dtype its transform has (ints as the default float first): a transform over no dims."""
    if x.dtype.kind in "biu":
        x = cast(x, dtypes.get_default_dtype())
    return cast(x, dtypes.to_complex(x.dtype))


# ---------------------------------------------------------------------------------------- complex to complex

def _c2c(op_name, transform, input, s, dim, norm):
    dims, sizes = _dims_and_sizes(op_name, input, s, dim)
    out = _as_complex(input)
    for d, n in zip(dims, sizes):
        out = transform(out, n=n, dim=d, norm=norm)
    return out


def fftn(input, s=None, dim=None, norm=None):
    """The N-dimensional discrete Fourier transform over ``dim`` (default: all dims, or the last ``len(s)``),
    each cut or zero-padded to ``s`` first."""
    return _c2c("fftn", fft, input, s, dim, norm)


def ifftn(input, s=None, dim=None, norm=None):
    """The inverse of ``fftn`` (with the same ``norm``)."""
    return _c2c("ifftn", ifft, input, s, dim, norm)


def fft2(input, s=None, dim=(-2, -1), norm=None):
    """``fftn`` over the last two dims."""
    return _c2c("fft2", fft, input, s, dim, norm)


def ifft2(input, s=None, dim=(-2, -1), norm=None):
    """``ifftn`` over the last two dims."""
    return _c2c("ifft2", ifft, input, s, dim, norm)


# ------------------------------------------------------------------------------- real to half, and back again

def _real_dims(op_name, input, s, dim):
    """The dims and sizes of a transform with a halved last dim (there must be one)."""
    dims, sizes = _dims_and_sizes(op_name, input, s, dim)
    if not dims:
        raise OpError(f"{op_name}: must transform at least one axis (input {describe(input)})")
    return dims, sizes


def _r2c(op_name, input, s, dim, norm):
    if dtypes.is_complex(input.dtype):
        raise TypeError(f"{op_name}: expects a real-valued input tensor, but got {describe(input)}")
    dims, sizes = _real_dims(op_name, input, s, dim)
    out = rfft(input, n=sizes[-1], dim=dims[-1], norm=norm)
    for d, n in zip(dims[:-1], sizes[:-1]):
        out = fft(out, n=n, dim=d, norm=norm)
    return out


def _c2r(op_name, input, s, dim, norm):
    dims, sizes = _real_dims(op_name, input, s, dim)
    out = input
    for d, n in zip(dims[:-1], sizes[:-1]):
        out = ifft(out, n=n, dim=d, norm=norm)
    return irfft(out, n=sizes[-1], dim=dims[-1], norm=norm)


def rfftn(input, s=None, dim=None, norm=None):
    """The N-D Fourier transform of a real tensor; the last dim of ``dim`` keeps its n//2 + 1 frequencies that are
    not conjugates of others."""
    _check_tensor("rfftn", input)
    return _r2c("rfftn", input, s, dim, norm)


def irfftn(input, s=None, dim=None, norm=None):
    """The inverse of ``rfftn``: a real tensor; the last dim of ``dim`` becomes ``s[-1]`` long (default
    ``2 (m - 1)`` for ``m`` frequencies there)."""
    return _c2r("irfftn", input, s, dim, norm)


def rfft2(input, s=None, dim=(-2, -1), norm=None):
    """``rfftn`` over the last two dims."""
    _check_tensor("rfft2", input)
    return _r2c("rfft2", input, s, dim, norm)


def irfft2(input, s=None, dim=(-2, -1), norm=None):
    """``irfftn`` over the last two dims."""
    return _c2r("irfft2", input, s, dim, norm)


# ----------------------------------------------------------------------------------- Hermitian input or output

def _swapped(op_name, norm):
    """The norm of the transform in the other direction, which ``hfft``/``ihfft`` are built from."""
    norm = "backward" if norm is None else norm
    if norm not in _ADJOINT_NORM:
        raise ValueError(f"{op_name}: invalid normalization mode {norm!r} (expected 'backward', 'forward', "
                         f"'ortho' or None)")
    return _ADJOINT_NORM[norm]


def _check_real(op_name, input):
    _check_tensor(op_name, input)
    if dtypes.is_complex(input.dtype):
        raise TypeError(f"{op_name}: expects a real input tensor, but got {describe(input)}")


def hfft(input, n=None, dim=-1, norm=None):
    """The real signal (length ``n``, default ``2 (m - 1)``) whose FFT has the Hermitian half spectrum ``input``:
    ``irfft(conj(input))`` with the scale of the forward direction."""
    _check_tensor("hfft", input)
    return irfft(conj(input), n=n, dim=dim, norm=_swapped("hfft", norm))


def ihfft(input, n=None, dim=-1, norm=None):
    """The inverse of ``hfft``: the n//2 + 1 non-redundant frequencies of a real signal's inverse FFT."""
    _check_real("ihfft", input)
    return conj(rfft(input, n=n, dim=dim, norm=_swapped("ihfft", norm)))


def hfftn(input, s=None, dim=None, norm=None):
    """``hfft`` over several dims: the last of ``dim`` is the halved one."""
    _check_tensor("hfftn", input)
    return _c2r("hfftn", conj(input), s, dim, _swapped("hfftn", norm))


def ihfftn(input, s=None, dim=None, norm=None):
    """The inverse of ``hfftn``."""
    _check_real("ihfftn", input)
    return conj(_r2c("ihfftn", input, s, dim, _swapped("ihfftn", norm)))


def hfft2(input, s=None, dim=(-2, -1), norm=None):
    """``hfftn`` over the last two dims."""
    _check_tensor("hfft2", input)
    return _c2r("hfft2", conj(input), s, dim, _swapped("hfft2", norm))


def ihfft2(input, s=None, dim=(-2, -1), norm=None):
    """``ihfftn`` over the last two dims."""
    _check_real("ihfft2", input)
    return conj(_r2c("ihfft2", input, s, dim, _swapped("ihfft2", norm)))


# ------------------------------------------------------------------------------------------------ shifts

def _shift(op_name, input, dim, shift_of):
    _check_tensor(op_name, input)
    dims = tuple(range(input.ndim)) if dim is None else \
        tuple(normalize_dim(op_name, d, input.ndim) for d in _int_tuple(op_name, dim, "dim"))
    if not dims:
        return input
    if any(input.shape[d] is None for d in dims):
        raise OpError(f"{op_name}: the sizes of dims {dims} of {describe(input)} must be known to shift them")
    return roll(input, tuple(shift_of(input.shape[d]) for d in dims), dims)


def fftshift(input, dim=None):
    """Frequency 0 moved to the middle of each dim in ``dim`` (default: all): a roll by n // 2 (differentiable
    as ``roll`` is: its gradient rolls back)."""
    return _shift("fftshift", input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of ``fftshift``: a roll by -(n // 2), which differs from n // 2 for odd n."""
    return _shift("ifftshift", input, dim, lambda n: -(n // 2))


# ------------------------------------------------------------------------------------ sample frequencies

def frequencies(op_name, n, d=1.0, dtype=None, onesided=False):
    """The array behind ``torch.fft.fftfreq`` (``onesided``: ``rfftfreq``): the frequency of each DFT bin in
    cycles per unit of the sample spacing ``d``,

        fftfreq:  [0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d n)       rfftfreq: [0, 1, ..., n//2] / (d n)

    as a numpy array of ``dtype`` (default: the default float dtype); the front-end makes it a tensor."""
    n, dtype = length_and_float_dtype(op_name, n, dtype)
    bins = numpy.arange(n // 2 + 1) if onesided else numpy.concatenate([numpy.arange((n + 1) // 2),
                                                                         numpy.arange(-(n // 2), 0)])
    with numpy.errstate(invalid="ignore"):  # rfftfreq(0) is [0 / 0] = [nan], as in PyTorch
        return (bins / numpy.float64(d * n)).astype(dtype)
