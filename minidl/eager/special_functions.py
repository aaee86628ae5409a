"""``torchlike.special``: PyTorch's ``torch.special`` names for the op library's special functions.

Most are the op functions under another name (``expit`` is the sigmoid, ``gammaln`` is ``lgamma``, ``psi`` is
``digamma``); ``ndtr`` is a short formula in those ops, so its gradient comes from the parts.
``round``, ``softmax`` and ``log_softmax`` take their extra arguments keyword-only, as in PyTorch.
"""
import math

from .. import ops

expit = ops.sigmoid
logit = ops.logit
erf = ops.erf
erfc = ops.erfc
erfinv = ops.erfinv
xlogy = ops.xlogy
log1p = ops.log1p
expm1 = ops.expm1
exp2 = ops.exp2
logsumexp = ops.logsumexp
sinc = ops.sinc
gammaln = ops.lgamma
gammainc, gammaincc = ops.gammainc, ops.gammaincc
multigammaln = ops.mvlgamma
digamma = psi = ops.digamma
polygamma = ops.polygamma
i0, i0e, i1, i1e = ops.i0, ops.i0e, ops.i1, ops.i1e
xlog1py = ops.xlog1py
erfcx = ops.erfcx
log_ndtr = ops.log_ndtr
ndtri = ops.ndtri
entr = ops.entr
bessel_j0, bessel_j1, bessel_y0, bessel_y1 = ops.bessel_j0, ops.bessel_j1, ops.bessel_y0, ops.bessel_y1
modified_bessel_i0, modified_bessel_i1 = ops.modified_bessel_i0, ops.modified_bessel_i1
modified_bessel_k0, modified_bessel_k1 = ops.modified_bessel_k0, ops.modified_bessel_k1
scaled_modified_bessel_k0, scaled_modified_bessel_k1 = ops.scaled_modified_bessel_k0, ops.scaled_modified_bessel_k1
spherical_bessel_j0 = ops.spherical_bessel_j0
airy_ai = ops.airy_ai
zeta = ops.zeta
chebyshev_polynomial_t, chebyshev_polynomial_u = ops.chebyshev_polynomial_t, ops.chebyshev_polynomial_u
chebyshev_polynomial_v, chebyshev_polynomial_w = ops.chebyshev_polynomial_v, ops.chebyshev_polynomial_w
shifted_chebyshev_polynomial_t = ops.shifted_chebyshev_polynomial_t
shifted_chebyshev_polynomial_u = ops.shifted_chebyshev_polynomial_u
shifted_chebyshev_polynomial_v = ops.shifted_chebyshev_polynomial_v
shifted_chebyshev_polynomial_w = ops.shifted_chebyshev_polynomial_w
hermite_polynomial_h, hermite_polynomial_he = ops.hermite_polynomial_h, ops.hermite_polynomial_he
laguerre_polynomial_l, legendre_polynomial_p = ops.laguerre_polynomial_l, ops.legendre_polynomial_p


def round(input, *, decimals=0):
    """Round half to even, to ``decimals`` decimal places."""
    return ops.round(input, decimals)


def softmax(input, dim, *, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably."""
    return ops.log_softmax(input, dim, dtype=dtype)


def ndtr(input):
    """The standard normal distribution function ``Φ(x) = P(Z ≤ x) = (1 + erf(x/√2)) / 2``."""
    return (1 + ops.erf(input * (1 / math.sqrt(2)))) * 0.5


