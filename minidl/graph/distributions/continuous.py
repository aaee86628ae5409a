"""``tf.distributions``' real-valued distributions: ``Normal``, ``Uniform``, ``Exponential``, ``Laplace`` and
``StudentT`` — each the eager class of its name (``eager/distributions/continuous.py``, ``more_continuous.py``,
whose docstrings give the math) with TF's constructor and methods (``distribution.py``). All are reparameterized:
``sample`` is a differentiable function of the parameters and of noise (Student's t: of loc and scale only, the
chi-squared draw carries no gradient to df).
"""
from ...eager.distributions import continuous, more_continuous
from .distribution import Distribution


class Normal(Distribution, continuous.Normal):
    """N(loc, scale²)."""
    _batch_parameter = "loc"

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Normal"):
        super().__init__(dict(loc=loc, scale=scale), validate_args, allow_nan_stats, name)


class Uniform(Distribution, continuous.Uniform):
    """Uniform on [low, high)."""
    _batch_parameter = "low"

    def __init__(self, low=0.0, high=1.0, validate_args=False, allow_nan_stats=True, name="Uniform"):
        super().__init__(dict(low=low, high=high), validate_args, allow_nan_stats, name)


class Exponential(Distribution, continuous.Exponential):
    """Exponential of rate λ: p(x) = λ e^(-λx), x >= 0."""
    _batch_parameter = "rate"

    def __init__(self, rate, validate_args=False, allow_nan_stats=True, name="Exponential"):
        super().__init__(dict(rate=rate), validate_args, allow_nan_stats, name)


class Laplace(Distribution, continuous.Laplace):
    """Laplace: p(x) = exp(-|x - loc| / scale) / (2 scale)."""
    _batch_parameter = "loc"

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Laplace"):
        super().__init__(dict(loc=loc, scale=scale), validate_args, allow_nan_stats, name)


class StudentT(Distribution, more_continuous.StudentT):
    """Student's t with df degrees of freedom, location loc and scale scale."""
    _batch_parameter = "df"

    def __init__(self, df, loc, scale, validate_args=False, allow_nan_stats=True, name="StudentT"):
        super().__init__(dict(df=df, loc=loc, scale=scale), validate_args, allow_nan_stats, name)
