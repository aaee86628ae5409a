"""The multivariate normal distribution N(μ, Σ) over vectors of size D.

Everything goes through the Cholesky factor L of the covariance (Σ = L Lᵀ, L lower-triangular with a positive
diagonal), the matrix "square root" that makes each formula cheap and stable:

* sampling: x = μ + L ε with ε ~ N(0, I), since Cov(L ε) = L Lᵀ = Σ (differentiable in μ and L: ``rsample``);
* the Mahalanobis distance (x - μ)ᵀ Σ⁻¹ (x - μ) = |z|² with z solving the triangular system L z = x - μ
  (no inverse is ever formed);
* log det Σ = 2 Σᵢ log Lᵢᵢ.

The distribution is given by ``loc`` and exactly one of ``covariance_matrix`` Σ, ``precision_matrix`` Σ⁻¹ or
``scale_tril`` L; the other two are computed when first asked for.
"""
import math

from ... import ops
from ...backend import dtypes
from ..creation import randn
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

_LOG_2PI = math.log(2 * math.pi)


def _half_log_det(scale_tril):
    """½ log det Σ = Σᵢ log Lᵢᵢ."""
    return ops.sum(ops.log(ops.diagonal(scale_tril, 0, -2, -1)), -1)


def _solve_lower(scale_tril, rhs):
    """L⁻¹ rhs for a lower-triangular L, by forward substitution (batch dims broadcast)."""
    return ops.linalg_solve_triangular(scale_tril, rhs, upper=False)


class CholeskyParametrized:
    """For a distribution given by one of a covariance matrix Σ, a precision matrix Σ⁻¹ or a Cholesky factor L of Σ
    (whichever was given is already set on the instance): the ones not given, computed when first asked for."""

    @lazy_property
    def scale_tril(self):
        """L, the Cholesky factor of Σ (of Σ = (Σ⁻¹)⁻¹ when the precision was given)."""
        if "covariance_matrix" in self.__dict__:
            return ops.cholesky(self.covariance_matrix)
        return ops.cholesky(ops.inverse(self.precision_matrix))

    @lazy_property
    def covariance_matrix(self):
        return self.scale_tril @ ops.transpose(self.scale_tril, -2, -1)


def the_matrix_given(covariance_matrix, precision_matrix, scale_tril):
    """``(name, matrix)`` of the one of the three ways to give a covariance that was used (PyTorch's rule: exactly
    one), for MultivariateNormal and Wishart."""
    given = [(name, matrix) for name, matrix in (("covariance_matrix", covariance_matrix),
                                                 ("precision_matrix", precision_matrix),
                                                 ("scale_tril", scale_tril)) if matrix is not None]
    if len(given) != 1:
        raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
    return given[0]


class MultivariateNormal(CholeskyParametrized, Distribution):
    """N(μ, Σ): p(x) = exp(-½ (x - μ)ᵀ Σ⁻¹ (x - μ)) / √((2π)ᴰ det Σ).

    ``loc`` has shape ``batch_shape + (D,)`` and the matrix ``batch_shape + (D, D)`` (their batch dims
    broadcast); events are vectors of size D.
    """
    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        name, matrix = the_matrix_given(covariance_matrix, precision_matrix, scale_tril)
        if matrix.ndim < 2:
            raise ValueError(f"{name} must be at least two-dimensional, with optional leading batch dimensions")
        size = loc.shape[-1]
        if tuple(matrix.shape[-2:]) != (size, size):
            raise ValueError(f"{name} must be a {size} x {size} matrix (loc has {size} entries), got shape "
                             f"{tuple(matrix.shape)}")
        # the batch dims broadcast: loc against the matrix's first column, then the matrix against loc
        loc = broadcast_all(loc, matrix[..., 0])[0]
        self.loc, matrix = loc, broadcast_all(matrix, ops.unsqueeze(loc, -1))[0]
        setattr(self, name, matrix)
        super().__init__(tuple(loc.shape[:-1]), (size,), validate_args=validate_args)

    @lazy_property
    def precision_matrix(self):
        return ops.inverse(self.covariance_matrix)

    def rsample(self, sample_shape=()):
        """μ + L ε, ε ~ N(0, I)."""
        eps = self._noise(randn, sample_shape, self.loc)
        return self.loc + ops.squeeze(self.scale_tril @ ops.unsqueeze(eps, -1), -1)

    def log_prob(self, value):
        """log p(x) = -½ (D log 2π + |L⁻¹(x - μ)|²) - Σᵢ log Lᵢᵢ."""
        if self._validate_args:
            self._validate_sample(value)
        loc, scale_tril = self.loc, self.scale_tril
        if getattr(value, "dtype", loc.dtype) != loc.dtype:  # float32 parameters, float64 values: promoted, as in
            wide = dtypes.result_type(loc, value)           # PyTorch (the triangular solve takes one dtype)
            loc, scale_tril, value = (ops.cast(t, wide) for t in (loc, scale_tril, value))
        z = ops.squeeze(_solve_lower(scale_tril, ops.unsqueeze(value - loc, -1)), -1)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + ops.sum(z * z, -1)) - _half_log_det(scale_tril)

    def entropy(self):
        """H = ½ D (1 + log 2π) + ½ log det Σ."""
        return 0.5 * self._event_shape[0] * (1 + _LOG_2PI) + _half_log_det(self.scale_tril)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The diagonal of Σ = L Lᵀ: Σᵢᵢ = Σⱼ Lᵢⱼ²."""
        return ops.sum(self.scale_tril ** 2, -1)
