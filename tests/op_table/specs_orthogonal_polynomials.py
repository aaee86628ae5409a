"""Op table entries for the orthogonal polynomials of ``orthogonal_polynomials.py`` (torch.special's Chebyshev,
shifted Chebyshev, Hermite, Laguerre and Legendre families).

The references are mpmath's polynomials (installed with PyTorch's sympy; without it these entries are left out):
V_n = U_n - U_(n-1), W_n = U_n + U_(n-1), He_n(x) = 2^(-n/2)·H_n(x/√2), and the shifted kinds at 2x - 1. Each family
is checked at a fixed degree with the gradient (first and second order, the ops' own recurrence of derivatives),
with a tensor of degrees broadcast against x, and against PyTorch's values (PyTorch gives no gradient).
"""
import numpy as np

from .spec import OpSpec, broadcastable, unary

try:
    import mpmath
except ImportError:
    mpmath = None


def _plain(kind):
    """The unshifted polynomial ``kind`` as ``f(n, x) -> mpf`` from mpmath's own (``zeroprec``: near a zero, mpmath
    would raise its precision without end; a value below 2^-200 of the terms is returned as 0 instead)."""
    exact = {"zeroprec": 200}
    u = {n: (lambda x, n=n: mpmath.chebyu(n, x, **exact) if n >= 0 else 0) for n in range(-1, 40)}
    return {
        "chebyshev_polynomial_t": lambda n, x: mpmath.chebyt(n, x, **exact),
        "chebyshev_polynomial_u": lambda n, x: u[n](x),
        "chebyshev_polynomial_v": lambda n, x: u[n](x) - u[n - 1](x),
        "chebyshev_polynomial_w": lambda n, x: u[n](x) + u[n - 1](x),
        "hermite_polynomial_h": lambda n, x: mpmath.hermite(n, x, **exact),
        "hermite_polynomial_he": lambda n, x: mpmath.hermite(n, x / mpmath.sqrt(2), **exact) / mpmath.sqrt(2) ** n,
        "laguerre_polynomial_l": lambda n, x: mpmath.laguerre(n, 0, x, **exact),
        "legendre_polynomial_p": lambda n, x: mpmath.legendre(n, x, **exact),
    }[kind]


def reference_value(name, n, x):
    """``name``'s polynomial of integer degree n ≥ 0 at x, by mpmath with 40 digits, as a float."""
    shifted = name.startswith("shifted_")
    function = _plain(name.removeprefix("shifted_"))
    with mpmath.workdps(40):
        x = mpmath.mpf(float(x))
        return float(function(int(n), 2 * x - 1 if shifted else x))


def _reference(name, degree=None):
    def reference(x, n=None):
        degrees = np.full_like(x, degree) if n is None else n
        x, degrees = np.broadcast_arrays(x, degrees)
        return np.vectorize(lambda a, b: reference_value(name, b, a), otypes=[x.dtype])(x, degrees)
    return reference


NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]


def _specs():
    if mpmath is None:
        return []
    specs = []
    degrees = broadcastable(2).map(lambda t: (t[0] / 3, np.floor(np.abs(t[1]) * 3)))  # x in [-1, 1], n in 0..9
    for name in NAMES:
        def fixed_degree(m, x, name=name):
            return getattr(m, name)(x, 7)

        def call(m, x, n, name=name):
            return getattr(m, name)(x, n)

        def torch_call(t, x, n, name=name):
            return getattr(t.special, name)(x, n)
        specs += [
            OpSpec(name, fixed_degree, _reference(name, 7), unary(low=-1.2, high=1.2), rtol=2e-5, atol=1e-4,
                   notes="degree 7; PyTorch gives no gradient, so no comparison with it here"),
            OpSpec(f"{name}_degrees", call, _reference(name), degrees, rtol=1e-12, atol=1e-12, dtype="float64",
                   notes="n a tensor of integer degrees 0..9, broadcast against x"),
            OpSpec(f"{name}_vs_torch", call, _reference(name), degrees, grad_inputs=(), rtol=2e-5, atol=1e-5,
                   torch_fn=torch_call),
        ]
    return specs


SPECS = _specs()
