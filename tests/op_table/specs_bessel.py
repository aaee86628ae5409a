"""Op table entries for the Bessel functions of ``bessel.py`` (J_0, J_1, Y_0, Y_1, K_0, K_1, e^x·K_0, e^x·K_1,
sin(x)/x) and the Hurwitz zeta function of ``zeta.py``.

The references are mpmath's (installed with PyTorch's sympy; without it these entries are left out). Each
function is checked twice: in float32 over a wide range with the gradient (against central differences), and in
float64 at 1e-13 against mpmath, with an absolute tolerance for the values near the zeros of J and Y. PyTorch
computes these functions but gives them no gradient, so the ``_vs_torch`` entries compare values only; its J and Y
(2.13) are accurate to only about 1e-5 in float64, beyond the differential test's 1e-7, so ``test_bessel_zeta.py``
compares those with a tolerance of its own.
"""
import numpy as np

from .spec import OpSpec, broadcastable, unary

try:
    import mpmath
except ImportError:
    mpmath = None


def _mpmath(function):
    """``function(mpf) -> mpf`` as a numpy reference, evaluated with 40 digits and rounded to the input's dtype."""
    def one(*values):
        return float(function(*(mpmath.mpf(float(v)) for v in values)))

    def reference(*arrays):
        with mpmath.workdps(40):
            return np.vectorize(one, otypes=[arrays[0].dtype])(*arrays)
    return reference


def _spread(low, high):
    """One float array, its values spread over [low, high]."""
    return unary().map(lambda t: ((t[0] + 3) / 6 * (high - low) + low,))


def _functions():
    if mpmath is None:
        return []
    j, y, k = mpmath.besselj, mpmath.bessely, mpmath.besselk
    return [  # (name, reference, low, high)
        ("bessel_j0", lambda x: j(0, x), -40, 40),
        ("bessel_j1", lambda x: j(1, x), -40, 40),
        ("bessel_y0", lambda x: y(0, x), 0.1, 40),
        ("bessel_y1", lambda x: y(1, x), 0.1, 40),
        ("modified_bessel_k0", lambda x: k(0, x), 0.05, 30),
        ("modified_bessel_k1", lambda x: k(1, x), 0.05, 30),
        ("scaled_modified_bessel_k0", lambda x: k(0, x) * mpmath.exp(x), 0.05, 60),
        ("scaled_modified_bessel_k1", lambda x: k(1, x) * mpmath.exp(x), 0.05, 60),
        ("spherical_bessel_j0", lambda x: mpmath.sin(x) / x if x else mpmath.mpf(1), -20, 20),
        ("modified_bessel_i0", lambda x: mpmath.besseli(0, x), -30, 30),
        ("modified_bessel_i1", lambda x: mpmath.besseli(1, x), -30, 30),
    ]


def _specs():
    specs = []
    for name, function, low, high in _functions():
        def call(m, x, name=name):
            return getattr(m, name)(x)

        def torch_call(t, x, name=name):
            return getattr(t.special, name)(x)
        reference = _mpmath(function)
        specs += [
            OpSpec(name, call, reference, _spread(low, high), rtol=2e-6, atol=1e-6),
            OpSpec(f"{name}_float64", call, reference, _spread(low, high), dtype="float64", rtol=1e-13, atol=1e-14,
                   grad_inputs=(), notes="1e-14 absolute: near the zeros of J and Y only absolute errors are small"),
        ]
        if not name.startswith(("bessel_j", "bessel_y")):
            specs.append(OpSpec(f"{name}_vs_torch", call, reference, _spread(low, high), grad_inputs=(), rtol=2e-6,
                                atol=1e-6, torch_fn=torch_call))
    if mpmath is None:
        return specs
    zeta_reference = _mpmath(lambda x, q: mpmath.zeta(x, q))
    zeta_inputs = broadcastable(2).map(lambda t: (t[0] / 6 * 4.5 + 3.75, t[1] / 6 * 4.7 + 2.65))  # x in [1.5, 6]
    specs += [
        OpSpec("zeta", lambda m, x, q: m.zeta(x, q), zeta_reference, zeta_inputs, grad_inputs=(1,), rtol=2e-6,
               torch_fn=lambda t, x, q: t.special.zeta(x, q), notes="q in [0.3, 5]; no gradient with respect to x"),
        OpSpec("zeta_float64", lambda m, x, q: m.zeta(x, q), zeta_reference, zeta_inputs, grad_inputs=(),
               dtype="float64", rtol=1e-13, atol=0),
        OpSpec("zeta_number_x", lambda m, q: m.zeta(2.5, q), lambda a: zeta_reference(np.full_like(a, 2.5), a),
               unary(low=0.3, high=5.0), torch_fn=lambda t, q: t.special.zeta(2.5, q), rtol=2e-6),
    ]
    return specs


SPECS = _specs()
