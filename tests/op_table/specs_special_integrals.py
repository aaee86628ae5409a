"""Op table entries for the Airy function of ``airy.py`` and the integrals of ``special_integrals.py`` (Dawson's,
Ei, Fresnel's C and S, Spence's function).

The references are mpmath's (without it these entries are left out). Each function is checked in float32 over a
range that crosses its formulas' switches, with first and second derivatives against central differences;
PyTorch has airy_ai without a gradient, so its ``_vs_torch`` entry compares values only, for x ≥ -2: below, down to
x = -6, PyTorch's values are off by up to 3e-6 (``test_special_integrals.py`` compares the rest of the range, and the
float64 accuracy, 1e-13 and better).
"""
from .spec import OpSpec
from .specs_bessel import _mpmath, _spread, mpmath


def _functions():
    if mpmath is None:
        return []
    return [  # (name, reference, low, high)
        ("airy_ai", mpmath.airyai, -14, 12),
        ("dawsn", lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(-x * x) * mpmath.erfi(x), -9, 9),
        ("expint", mpmath.ei, 0.05, 50),
        ("fresnel_cos", mpmath.fresnelc, -3, 3),
        ("fresnel_sin", mpmath.fresnels, -3, 3),
        ("spence", lambda x: mpmath.polylog(2, 1 - x), 0.05, 5),
    ]


def _specs():
    specs = []
    for name, function, low, high in _functions():
        def call(m, x, name=name):
            return getattr(m, name)(x)
        specs.append(OpSpec(name, call, _mpmath(function), _spread(low, high), rtol=2e-6, atol=1e-6))
    if mpmath is not None:
        specs.append(OpSpec("airy_ai_vs_torch", lambda m, x: m.airy_ai(x), _mpmath(mpmath.airyai), _spread(-2, 12),
                            grad_inputs=(), rtol=2e-6, atol=1e-6, torch_fn=lambda t, x: t.special.airy_ai(x)))
    return specs


SPECS = _specs()
