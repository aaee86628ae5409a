"""``tf.distributions.Gamma``, ``Beta`` and ``Dirichlet``: the eager classes (``eager/distributions/gamma_family.py``,
whose docstring gives the math and the sampling) with TF's constructors and methods (``distribution.py``).

Their samples start as numpy's gamma draws, made by a ``HostDraw`` op when the graph runs (``sampling.py``), and
are differentiated through the concentrations implicitly, through the derivative of the gamma cdf, as in TF 1.15
(``reparameterization_type`` is FULLY_REPARAMETERIZED; ``ops/incomplete_gamma.py`` has the math).
"""
from ...eager.distributions import gamma_family
from .distribution import Distribution


class Gamma(Distribution, gamma_family.Gamma):
    """Gamma with shape α = concentration and rate β: p(x) = β^α x^(α-1) e^(-βx) / Γ(α)."""
    _batch_parameter = "concentration"

    def __init__(self, concentration, rate, validate_args=False, allow_nan_stats=True, name="Gamma"):
        super().__init__(dict(concentration=concentration, rate=rate), validate_args, allow_nan_stats, name)


class Beta(Distribution, gamma_family.Beta):
    """Beta on [0, 1]: p(x) ∝ x^(concentration1 - 1) (1 - x)^(concentration0 - 1)."""
    _batch_parameter = "concentration1"

    def __init__(self, concentration1, concentration0, validate_args=False, allow_nan_stats=True, name="Beta"):
        super().__init__(dict(concentration1=concentration1, concentration0=concentration0), validate_args,
                         allow_nan_stats, name)


class Dirichlet(Distribution, gamma_family.Dirichlet):
    """Dirichlet over probability vectors: ``concentration`` has shape batch_shape + (K,)."""
    _batch_parameter = "concentration"

    def __init__(self, concentration, validate_args=False, allow_nan_stats=True, name="Dirichlet"):
        super().__init__(dict(concentration=concentration), validate_args, allow_nan_stats, name)
