"""Complex numbers and Fourier transforms: real, imag, conj, angle, complex, view_as_real/complex, fft, ifft,
rfft, irfft.

Gradients of complex values follow PyTorch's convention. Think of a complex ``z = x + iy`` as the pair (x, y):
the gradient of a real loss ``L`` is ``dL/dx + i dL/dy`` (the conjugate Wirtinger derivative, doubled). With it,

* a holomorphic ``y = f(z)`` passes back ``g * conj(f'(z))``; a linear ``y = A z`` passes back ``A^H g``;
* where a real input became complex (``rfft``, or a cast), the gradient is the real part of that;
* ``real``/``imag`` pass ``g`` back as the real/imaginary part of the input's gradient.
"""
import numpy

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import ones_like, sum_to_like, zeros_like
from .cast import cast
from .compare import eq, where
from .infer import broadcast_shapes, normalize_dim, same_spec
from .promote import promote


def _check_tensor(op_name, x):
    if not is_tensor(x):
        raise TypeError(f"{op_name}: expected a tensor, got {type(x).__name__} ({describe(x)})")


def _with_dtype(spec, dtype):
    return Spec(spec.shape, dtype)


# ------------------------------------------------------------------------------------------ complex parts

class Real(Op):
    """``Re(z)``, a view of z's memory (as PyTorch's: writing into it writes z). The gradient ``g`` (real) becomes
    the real part of ``z``'s gradient: ``g + 0i``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, z: z.real)
    infer = staticmethod(lambda z: _with_dtype(z, dtypes.to_real(z.dtype)))

    @staticmethod
    def vjp(ctx, g):
        return (cast(g, ctx.inputs[0].dtype),)


class Imag(Op):
    """``Im(z)``, a view of z's memory. The gradient ``g`` (real) becomes the imaginary part of ``z``'s gradient:
    ``0 + ig``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, z: z.imag)
    infer = staticmethod(lambda z: _with_dtype(z, dtypes.to_real(z.dtype)))

    @staticmethod
    def vjp(ctx, g):
        return (complex(zeros_like(g), g),)


class Conj(Op):
    """``conj(z)``, which is linear over the reals: its gradient is ``conj(g)``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, z: xp.conj(z))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (conj(g),)


class Angle(Op):
    """``angle(z) = atan2(Im z, Re z)``; for real ``x``: pi where x < 0, 0 elsewhere (-0.0 included, where numpy
    says pi), NaN for NaN — piecewise constant.

    With ``theta = Im(log z)``, ``d theta = Im(dz / z)``, which gives the gradient ``i g / conj(z)``; at ``z = 0``
    the angle has no derivative and PyTorch uses 0.
    """
    @staticmethod
    def forward(xp, z):
        if z.dtype.kind != "c":
            z = xp.where(z < 0, z, xp.where(xp.isnan(z), z, xp.zeros_like(z)))  # (-0.0 made +0.0: angle 0)
        return xp.angle(z).astype(dtypes.to_real(z.dtype), copy=False)

    infer = staticmethod(lambda z: _with_dtype(z, dtypes.to_real(z.dtype)))

    @staticmethod
    def vjp(ctx, g):
        z = ctx.inputs[0]
        if not dtypes.is_complex(z.dtype):
            return (zeros_like(z),)
        at_zero = eq(z, 0)  # eq, not ==: graph tensors compare by identity
        safe_z = where(at_zero, ones_like(z), z)  # so that no 0/0 is computed, even where it is thrown away
        gz = complex(zeros_like(g), g) / conj(safe_z)
        return (where(at_zero, zeros_like(gz), gz),)


class Complex(Op):
    """``real + i imag`` (broadcasting). Its gradient splits ``g`` into its real and imaginary parts."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, re, im):
        re, im = xp.broadcast_arrays(re, im)
        z = xp.empty(re.shape, dtype=dtypes.to_complex(re.dtype))
        z.real, z.imag = re, im  # (not re + im·1j: an infinite im would make it inf·(0 + 1j) = NaN + inf·1j)
        return z

    @staticmethod
    def vjp(ctx, g):
        re, im = ctx.inputs
        need_re, need_im = ctx.needs_input_grad
        return (sum_to_like(real(g), re) if need_re else None, sum_to_like(imag(g), im) if need_im else None)

    @staticmethod
    def infer(re, im):
        return Spec(broadcast_shapes("complex", re.shape, im.shape), dtypes.to_complex(re.dtype))


class ViewAsReal(Op):
    """``z`` as real numbers with a last dim of size 2 holding (Re, Im), a view of z's memory whatever z's strides
    (each complex number is its two parts side by side); the inverse of ``view_as_complex``."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, z):
        z = xp.asarray(z)   # (0-d arithmetic gives numpy scalars, which have no memory to look into)
        parts = z.real   # the real parts, with z's strides; the imaginary part of each lies one real further
        return xp.lib.stride_tricks.as_strided(parts, z.shape + (2,), parts.strides + (parts.itemsize,))

    vjp = staticmethod(lambda ctx, g: (view_as_complex(g),))

    @staticmethod
    def infer(z):
        shape = None if z.shape is None else tuple(z.shape) + (2,)
        return Spec(shape, dtypes.to_real(z.dtype))


class ViewAsComplex(Op):
    """Pairs along a last dim of size 2 read as (Re, Im); the inverse of ``view_as_real``. A view of x's memory
    where its pairs lie side by side (PyTorch requires that), else a copy."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, x):
        if x.ndim and x.strides[-1] == x.itemsize and all(s % (2 * x.itemsize) == 0 for s in x.strides[:-1]):
            return x.view(dtypes.to_complex(x.dtype))[..., 0]
        return Complex.forward(xp, x[..., 0], x[..., 1])
    vjp = staticmethod(lambda ctx, g: (view_as_real(g),))

    @staticmethod
    def infer(x):
        return Spec(None if x.shape is None else tuple(x.shape[:-1]), dtypes.to_complex(x.dtype))


def real(input):
    """The real part of a complex tensor; a real tensor is returned as it is."""
    _check_tensor("real", input)
    if not dtypes.is_complex(input.dtype):
        return input
    return apply(Real, input)


def imag(input):
    """The imaginary part of a complex tensor (an error for real tensors, as in PyTorch)."""
    _check_tensor("imag", input)
    if not dtypes.is_complex(input.dtype):
        raise TypeError(f"imag: expected a complex tensor, got {describe(input)} (real tensors have no "
                        f"imaginary part)")
    return apply(Imag, input)


def conj(input):
    """The complex conjugate; real tensors (and numbers) are returned as they are."""
    if not dtypes.is_complex(numpy.dtype(getattr(input, "dtype", type(input)))):
        return input
    if not is_tensor(input):  # a number, e.g. a numpy scalar in a product's gradient
        return numpy.conj(input)
    return apply(Conj, input)


def angle(input):
    """The argument (phase) of each element, in (-pi, pi]; integer tensors give the default float dtype."""
    _check_tensor("angle", input)
    if input.dtype.kind in "biu":
        input = cast(input, dtypes.get_default_dtype())
    return apply(Angle, input)


def complex(real, imag):
    """The complex tensor ``real + i imag`` from two floating-point tensors (broadcast together)."""
    for x in (real, imag):
        _check_tensor("complex", x)
    dtype, (real, imag) = promote("complex", real, imag)
    if not dtypes.is_floating_point(dtype):
        raise TypeError(f"complex: expected floating point real and imag tensors, got {describe(real)} and "
                        f"{describe(imag)}")
    return apply(Complex, real, imag)


def view_as_real(input):
    """A complex tensor as real numbers, with a new last dim of size 2 for (real, imaginary)."""
    _check_tensor("view_as_real", input)
    if not dtypes.is_complex(input.dtype):
        raise TypeError(f"view_as_real: expected a complex tensor, got {describe(input)}")
    return apply(ViewAsReal, input)


def view_as_complex(input):
    """A real tensor whose last dim has size 2 read as complex numbers (real, imaginary)."""
    _check_tensor("view_as_complex", input)
    if not dtypes.is_floating_point(input.dtype):
        raise TypeError(f"view_as_complex: expected a float32 or float64 tensor, got {describe(input)}")
    if input.ndim == 0 or input.shape[-1] not in (2, None):
        raise OpError(f"view_as_complex: the tensor must have a last dimension of size 2, got {describe(input)}")
    return apply(ViewAsComplex, input)


# ------------------------------------------------------------------------------------- Fourier transforms

#: The adjoint of a transform is the transform in the other direction, with the scale the original had:
#: unscaled ('backward' forward transform) <-> unscaled ('forward' inverse transform), and 1/sqrt(n) both ways.
_ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


class Fft(Op):
    """The discrete Fourier transform along ``dim`` (the inverse one when ``inverse``), complex to complex:

        fft:  y_k = s * sum_j x_j exp(-2 pi i jk / n)      ifft: the same with exp(+2 pi i jk / n)

    with ``s`` set by ``norm`` ('backward': 1 for fft and 1/n for ifft; 'forward': the other way round;
    'ortho': 1/sqrt(n) both ways). The DFT matrix F is symmetric, so the VJP ``F^H g = conj(F) g`` is the
    transform in the other direction keeping the scale ``s``: ``_ADJOINT_NORM`` names it.
    """
    name = "FftC2C"
    saves_inputs = ()
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, z, dim, norm, inverse):
        transform = xp.fft.ifft if inverse else xp.fft.fft
        return transform(z, axis=dim, norm=norm).astype(z.dtype, copy=False)

    @staticmethod
    def vjp(ctx, g):
        dim, norm, inverse = ctx.attrs["dim"], ctx.attrs["norm"], ctx.attrs["inverse"]
        return (apply(Fft, g, dim=dim, norm=_ADJOINT_NORM[norm], inverse=not inverse),)


class Rfft(Op):
    """The DFT of a real ``x`` of length n, keeping the n//2 + 1 non-redundant outputs (the others are their
    conjugates): ``y = R F x`` with R the first n//2 + 1 rows.

    VJP: ``Re(F^H R^T g)``: pad ``g`` with zeros back to length n, apply the adjoint inverse transform, keep the
    real part (the input was real).
    """
    name = "FftR2C"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dim, norm):
        return xp.fft.rfft(x, axis=dim, norm=norm).astype(dtypes.to_complex(x.dtype), copy=False)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        dim, norm = ctx.attrs["dim"], ctx.attrs["norm"]
        full = apply(Fft, resize_like(g, x, dim), dim=dim, norm=_ADJOINT_NORM[norm], inverse=True)
        return (real(full),)

    @staticmethod
    def infer(x, dim, norm):
        n = _length(x, dim)
        return Spec(_with_length(x.shape, dim, None if n is None else n // 2 + 1), dtypes.to_complex(x.dtype))


class Irfft(Op):
    """The inverse of ``rfft``: a real signal of length ``n`` from its n//2 + 1 non-redundant frequencies ``y``
    (default ``n = 2 (len(y) - 1)``). The missing frequencies are taken as conjugates, so for 0 < k < n/2 each
    ``y_k`` counts twice, and the imaginary parts of ``y_0`` (and ``y_{n/2}``, n even) are ignored:

        x_j = s * (Re y_0 + 2 sum_{0<k<n/2} Re(y_k exp(2 pi i jk/n)) + [n even] Re(y_{n/2}) (-1)^j)

    VJP: ``w * rfft(g)`` with the adjoint scale, where the weight ``w_k`` is 2 for the frequencies counted twice
    and 1 for ``k = 0`` and ``k = n/2``.
    """
    name = "FftC2R"
    saves_inputs = ()

    @staticmethod
    def forward(xp, y, n, dim, norm):
        return xp.fft.irfft(y, n=n, axis=dim, norm=norm).astype(dtypes.to_real(y.dtype), copy=False)

    @staticmethod
    def vjp(ctx, g):
        dim, norm = ctx.attrs["dim"], ctx.attrs["norm"]
        half = apply(Rfft, g, dim=dim, norm=_ADJOINT_NORM[norm])
        return (half * apply(HermitianWeights, g, dim=dim),)

    @staticmethod
    def infer(y, n, dim, norm):
        m = _length(y, dim)
        length = n if n is not None else None if m is None else 2 * (m - 1)
        return Spec(_with_length(y.shape, dim, length), dtypes.to_real(y.dtype))


class HermitianWeights(Op):
    """For a real signal ``x`` of length n along ``dim``: how often each of its n//2 + 1 ``rfft`` frequencies
    occurs in the full spectrum (1 for k = 0 and k = n/2, else 2), shaped to broadcast along ``dim``."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dim):
        n = x.shape[dim]
        w = xp.full(n // 2 + 1, 2, dtype=x.dtype)
        w[0] = 1
        if n % 2 == 0:
            w[-1] = 1
        return w.reshape([-1 if axis == dim else 1 for axis in range(x.ndim)])

    @staticmethod
    def infer(x, dim):
        n = _length(x, dim)
        ones = None if x.shape is None else (1,) * len(x.shape)
        return Spec(_with_length(ones, dim, None if n is None else n // 2 + 1), x.dtype)


# -------------------------------------------------------- zero-padding or cutting a signal to a length

def _resize(xp, x, size, dim):
    """``x`` cut to its first ``size`` entries along ``dim``, or padded there with zeros."""
    have = x.shape[dim]
    if size <= have:
        return x[(slice(None),) * dim + (slice(0, size),)].copy()
    widths = [(0, size - have if axis == dim else 0) for axis in range(x.ndim)]
    return xp.pad(x, widths)


def _with_length(shape, dim, length):
    """``shape`` with dim ``dim`` set to ``length`` (None: unknown)."""
    return None if shape is None else tuple(length if axis == dim else n for axis, n in enumerate(shape))


def _length(spec, dim):
    return None if spec.shape is None else spec.shape[dim]


class Resize(Op):
    """``x`` cut or zero-padded to length ``size`` along ``dim`` (the ``n`` argument of the FFTs). Its VJP cuts or
    pads the gradient back to ``x``'s length."""
    saves_inputs = ()
    forward = staticmethod(_resize)
    vjp = staticmethod(lambda ctx, g: (resize_like(g, ctx.inputs[0], ctx.attrs["dim"]),))
    infer = staticmethod(lambda x, size, dim: Spec(_with_length(x.shape, dim, size), x.dtype))


class ResizeLike(Op):
    """``x`` cut or zero-padded along ``dim`` to the length ``like`` has there; its own VJP does the reverse."""
    saves_inputs = ()
    differentiable_inputs = (0,)
    forward = staticmethod(lambda xp, x, like, dim: _resize(xp, x, like.shape[dim], dim))
    vjp = staticmethod(lambda ctx, g: (resize_like(g, ctx.inputs[0], ctx.attrs["dim"]), None))

    @staticmethod
    def infer(x, like, dim):
        return Spec(_with_length(x.shape, dim, _length(like, dim)), x.dtype)


def resize_like(x, like, dim):
    return apply(ResizeLike, x, like, dim=dim)


def _prepare(op_name, x, n, dim, norm, signal_length=lambda n: n):
    """Check the arguments shared by the FFTs. Returns the input (ints made float) cut or zero-padded to
    ``signal_length(n)`` along ``dim`` when ``n`` is given, the non-negative ``dim`` and the norm's name."""
    _check_tensor(op_name, x)
    if x.ndim == 0:
        raise OpError(f"{op_name}: expected a tensor with at least one dimension, got {describe(x)}")
    dim = normalize_dim(op_name, dim, x.ndim)
    norm = "backward" if norm is None else norm
    if norm not in _ADJOINT_NORM:
        raise OpError(f"{op_name}: invalid normalization mode {norm!r} (expected 'backward', 'forward', "
                      f"'ortho' or None)")
    if n is not None:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"{op_name}: n must be an int or None, got {type(n).__name__}")
        _check_points(op_name, n, x, dim)
    if x.dtype.kind in "biu":
        x = cast(x, dtypes.get_default_dtype())
    if n is not None and x.shape[dim] != signal_length(n):
        x = apply(Resize, x, size=signal_length(n), dim=dim)
    return x, dim, norm


def _check_points(op_name, points, x, dim):
    """A transform needs at least one point (``points`` may be None: unknown until run time)."""
    if points is not None and points < 1:
        raise OpError(f"{op_name}: invalid number of data points ({points}) specified (input {describe(x)}, "
                      f"dim {dim})")


def fft(input, n=None, dim=-1, norm=None):
    """The one-dimensional discrete Fourier transform along ``dim``; ``n`` zero-pads or cuts the input first.
    Real input gives complex64 (float32) or complex128 (float64)."""
    x, dim, norm = _prepare("fft", input, n, dim, norm)
    _check_points("fft", x.shape[dim], input, dim)
    return apply(Fft, cast(x, dtypes.to_complex(x.dtype)), dim=dim, norm=norm, inverse=False)


def ifft(input, n=None, dim=-1, norm=None):
    """The inverse of ``fft`` (with the same ``norm``)."""
    x, dim, norm = _prepare("ifft", input, n, dim, norm)
    _check_points("ifft", x.shape[dim], input, dim)
    return apply(Fft, cast(x, dtypes.to_complex(x.dtype)), dim=dim, norm=norm, inverse=True)


def rfft(input, n=None, dim=-1, norm=None):
    """The Fourier transform of a real signal, keeping the n//2 + 1 frequencies that are not conjugates of
    others."""
    _check_tensor("rfft", input)
    if dtypes.is_complex(input.dtype):
        raise TypeError(f"rfft: expects a real input tensor, but got {describe(input)}")
    x, dim, norm = _prepare("rfft", input, n, dim, norm)
    _check_points("rfft", x.shape[dim], input, dim)
    return apply(Rfft, x, dim=dim, norm=norm)


def irfft(input, n=None, dim=-1, norm=None):
    """The inverse of ``rfft``: a real signal of length ``n`` (default ``2 (m - 1)`` for ``m`` input frequencies)."""
    x, dim, norm = _prepare("irfft", input, n, dim, norm, signal_length=lambda n: n // 2 + 1)
    m = x.shape[dim]
    _check_points("irfft", n if n is not None else None if m is None else 2 * (m - 1), input, dim)
    return apply(Irfft, cast(x, dtypes.to_complex(x.dtype)), n=n, dim=dim, norm=norm)


__all__ = ["real", "imag", "conj", "angle", "complex", "view_as_real", "view_as_complex", "fft", "ifft", "rfft",
           "irfft"]
