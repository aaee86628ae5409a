"""The multivariate normal N(μ, Σ) with a low-rank-plus-diagonal covariance Σ = W Wᵀ + D: W = ``cov_factor``
(D × m, m typically much smaller than D) and D = diag(``cov_diag``). A factor model: x = μ + W z + e with m
latent factors z ~ N(0, I) and independent noise e ~ N(0, D), which is also how it is sampled (``rsample``).

Nothing D × D is formed or factored. Everything goes through the m × m *capacitance* matrix C = I + Wᵀ D⁻¹ W and
its Cholesky factor L_C:

* the Woodbury identity  Σ⁻¹ = D⁻¹ - D⁻¹ W C⁻¹ Wᵀ D⁻¹ = D⁻¹ - Aᵀ A  with A = L_C⁻¹ Wᵀ D⁻¹ (m × D), so the
  Mahalanobis distance is xᵀ Σ⁻¹ x = Σᵢ xᵢ²/Dᵢ - |A x|²;
* the matrix determinant lemma  log det Σ = log det C + Σᵢ log Dᵢ = 2 Σⱼ log (L_C)ⱼⱼ + Σᵢ log Dᵢ.

Both cost O(D m²) instead of O(D³). The KL divergences with this distribution on either side (``kl.py``) use
tr(Σ⁻¹ F Fᵀ) = |D^(-1/2) F|² - |A F|² (Frobenius norms) for the other side's factor F.
"""
import math

import numpy

from ... import ops
from ..creation import eye, randn
from . import constraints
from .distribution import Distribution
from .utils import lazy_property

_LOG_2PI = math.log(2 * math.pi)


def _frobenius_squared(matrix):
    """|M|² = Σᵢⱼ Mᵢⱼ² = tr(M Mᵀ), for each matrix of the batch."""
    return ops.sum(matrix ** 2, (-2, -1))


class LowRankMultivariateNormal(Distribution):
    """N(μ, W Wᵀ + diag(d)) (module docstring). ``loc`` has shape ``batch_shape + (D,)``, ``cov_factor``
    ``batch_shape + (D, m)`` and ``cov_diag`` ``batch_shape + (D,)`` (their batch dims broadcast)."""
    arg_constraints = {"loc": constraints.real_vector, "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        size = loc.shape[-1]
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional leading batch dimensions")
        if cov_factor.shape[-2] != size:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {size} x m (loc has {size} "
                             f"entries), got shape {tuple(cov_factor.shape)}")
        if cov_diag.ndim < 1 or cov_diag.shape[-1] != size:
            raise ValueError(f"cov_diag must be a batch of vectors with shape ({size},), got shape "
                             f"{tuple(cov_diag.shape)}")
        try:
            batch = numpy.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                           tuple(cov_diag.shape[:-1]))
        except ValueError:
            raise ValueError(f"Incompatible batch shapes: loc {tuple(loc.shape)}, cov_factor "
                             f"{tuple(cov_factor.shape)}, cov_diag {tuple(cov_diag.shape)}") from None
        self.loc = ops.broadcast_to(loc, batch + (size,))
        self.cov_factor = ops.broadcast_to(cov_factor, batch + tuple(cov_factor.shape[-2:]))
        self.cov_diag = ops.broadcast_to(cov_diag, batch + (size,))
        super().__init__(batch, (size,), validate_args=validate_args)

    # -------------------------------------------------------------------------- the capacitance matrix

    @lazy_property
    def _capacitance_tril(self):
        """L_C, the Cholesky factor of C = I + Wᵀ D⁻¹ W (m × m)."""
        w = self.cov_factor
        rank = w.shape[-1]
        capacitance = ops.transpose(w, -2, -1) @ (w / ops.unsqueeze(self.cov_diag, -1))
        return ops.cholesky(capacitance + eye(rank, dtype=w.dtype, device=w.device))

    @lazy_property
    def _woodbury_factor(self):
        """A = L_C⁻¹ Wᵀ D⁻¹ (m × D): Σ⁻¹ = D⁻¹ - Aᵀ A."""
        wt_over_d = ops.transpose(self.cov_factor, -2, -1) / ops.unsqueeze(self.cov_diag, -2)
        return ops.linalg_solve_triangular(self._capacitance_tril, wt_over_d, upper=False)

    def _log_det(self):
        """log det Σ = 2 Σⱼ log (L_C)ⱼⱼ + Σᵢ log Dᵢ (the matrix determinant lemma)."""
        return (2 * ops.sum(ops.log(ops.diagonal(self._capacitance_tril, 0, -2, -1)), -1)
                + ops.sum(ops.log(self.cov_diag), -1))

    def _mahalanobis(self, x):
        """xᵀ Σ⁻¹ x = Σᵢ xᵢ²/Dᵢ - |A x|² (the Woodbury identity), x of shape (..., D)."""
        projected = ops.squeeze(self._woodbury_factor @ ops.unsqueeze(x, -1), -1)
        return ops.sum(x ** 2 / self.cov_diag, -1) - ops.sum(projected ** 2, -1)

    def _trace_inverse_times(self, factor):
        """tr(Σ⁻¹ F Fᵀ) = |D^(-1/2) F|² - |A F|² for a factor F of shape (..., D, k)."""
        scaled = factor * ops.unsqueeze(ops.rsqrt(self.cov_diag), -1)
        return _frobenius_squared(scaled) - _frobenius_squared(self._woodbury_factor @ factor)

    def _trace_inverse_times_diagonal(self, diagonal):
        """tr(Σ⁻¹ diag(e)) = Σᵢ eᵢ/Dᵢ - Σⱼᵢ Aⱼᵢ² eᵢ."""
        a = self._woodbury_factor
        return ops.sum(diagonal / self.cov_diag, -1) - ops.sum(a ** 2 * ops.unsqueeze(diagonal, -2), (-2, -1))

    # ------------------------------------------------------------------------------- the full matrices

    @lazy_property
    def covariance_matrix(self):
        """W Wᵀ + diag(d)."""
        return self.cov_factor @ ops.transpose(self.cov_factor, -2, -1) + ops.diag_embed(self.cov_diag)

    @lazy_property
    def precision_matrix(self):
        """diag(1/d) - Aᵀ A (the Woodbury identity)."""
        a = self._woodbury_factor
        return ops.diag_embed(ops.reciprocal(self.cov_diag)) - ops.transpose(a, -2, -1) @ a

    @lazy_property
    def scale_tril(self):
        """D^(1/2) chol(I + D^(-1/2) W Wᵀ D^(-1/2)): lower triangular (rows scaled) with L Lᵀ = Σ."""
        size = self._event_shape[0]
        root_d = ops.unsqueeze(ops.sqrt(self.cov_diag), -1)
        scaled = self.cov_factor / root_d
        inner = scaled @ ops.transpose(scaled, -2, -1) + eye(size, dtype=scaled.dtype, device=scaled.device)
        return root_d * ops.cholesky(inner)

    # ------------------------------------------------------------------------ samples, densities, statistics

    def rsample(self, sample_shape=()):
        """μ + W z + √d ⊙ e, with z ~ N(0, I_m) and e ~ N(0, I_D)."""
        z = randn(self._extended_shape(sample_shape)[:-1] + (self.cov_factor.shape[-1],), dtype=self.loc.dtype,
                  device=self.loc.device)
        e = self._noise(randn, sample_shape, self.loc)
        return self.loc + ops.squeeze(self.cov_factor @ ops.unsqueeze(z, -1), -1) + ops.sqrt(self.cov_diag) * e

    def log_prob(self, value):
        """log p(x) = -½ (D log 2π + log det Σ + (x - μ)ᵀ Σ⁻¹ (x - μ))."""
        if self._validate_args:
            self._validate_sample(value)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + self._log_det() + self._mahalanobis(value - self.loc))

    def entropy(self):
        """H = ½ (D (1 + log 2π) + log det Σ)."""
        return 0.5 * (self._event_shape[0] * (1 + _LOG_2PI) + self._log_det())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The diagonal of Σ: Σⱼ Wᵢⱼ² + dᵢ."""
        return ops.sum(self.cov_factor ** 2, -1) + self.cov_diag
