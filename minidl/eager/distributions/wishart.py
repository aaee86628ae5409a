"""The Wishart distribution W(ν, Σ) over p × p symmetric positive-definite matrices: the distribution of the
scatter matrix Σᵢ xᵢ xᵢᵀ of ν independent N(0, Σ) vectors (for an integer ν; any real ν > p - 1 is allowed). It is
the conjugate prior of a normal's precision matrix, and its samples are random covariance matrices.

    p(X) = |X|^((ν-p-1)/2) exp(-tr(Σ⁻¹X)/2) / (2^(νp/2) |Σ|^(ν/2) Γ_p(ν/2)),

with Γ_p the multivariate gamma function (``mvlgamma``). As for ``MultivariateNormal``, the scale Σ is given as
``covariance_matrix``, ``precision_matrix`` Σ⁻¹ or ``scale_tril`` L (Σ = L Lᵀ), and everything goes through L:
log|Σ| = 2 Σᵢ log Lᵢᵢ, tr(Σ⁻¹X) by two triangular solves.

Sampling, by the Bartlett decomposition: X = (L A)(L A)ᵀ with A lower triangular, Aᵢᵢ = √cᵢ for cᵢ ~ χ²(ν - i)
(i = 0 .. p-1) and N(0, 1) entries below the diagonal, all independent. The chi-squared draws are reparameterized
(``gamma_family.py``), so ``rsample`` is differentiable in ν and in Σ. For ν close to p - 1 a draw can be
numerically singular; such draws are drawn again (up to ``max_try_correction`` times) with a warning, as in PyTorch.
(PyTorch's test for it is inverted — it redraws the positive-definite draws and keeps the singular ones, warning on
nearly every call — so its warning is not copied.)

Wishart is an exponential family with natural parameters (-Σ⁻¹/2, (ν - p - 1)/2): its KL divergence is the Bregman
divergence of the log-normalizer (``exp_family.py``).
"""
import math
import warnings

import numpy

from ... import ops
from ..creation import arange, randn
from . import constraints
from .exp_family import ExponentialFamily
from .more_continuous import Chi2
from .multivariate_normal import CholeskyParametrized, the_matrix_given
from .utils import as_size, broadcast_all, lazy_property

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The derivative of the multivariate log-gamma function: Σ_{i<p} ψ(x - i/2)."""
    return sum(ops.digamma(x - i / 2) for i in range(p))


class Wishart(CholeskyParametrized, ExponentialFamily):
    """W(ν = ``df``, Σ) over p × p matrices (module docstring). ``df`` is a number or a tensor of batch shape,
    ν > p - 1; exactly one of the matrices is given, of shape ``batch_shape + (p, p)`` (their batch dims
    broadcast with df's)."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        name, matrix = the_matrix_given(covariance_matrix, precision_matrix, scale_tril)
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ValueError(f"{name} must be a square matrix of at least two dimensions, with optional leading "
                             f"batch dimensions; got shape {tuple(matrix.shape)}")
        p = matrix.shape[-1]
        df_tensor = ops.full_like(matrix[..., 0, 0], df) if not ops.is_tensor(df) else df
        if bool(ops.any(ops.le(df_tensor, p - 1))):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        if bool(ops.any(ops.lt(df_tensor, p))):
            warnings.warn("Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df < "
                          "ndim.", stacklevel=2)
        # the batch dims broadcast: df against the matrix's first entry, then the matrix against df
        self.df = broadcast_all(df_tensor, matrix[..., 0, 0])[0]
        setattr(self, name, ops.broadcast_to(matrix, tuple(self.df.shape) + (p, p)))
        super().__init__(tuple(self.df.shape), (p, p), validate_args=validate_args)

    @lazy_property
    def precision_matrix(self):
        return ops.cholesky_inverse(self.scale_tril)

    def _half_log_det(self):
        """½ log|Σ| = Σᵢ log Lᵢᵢ."""
        return ops.sum(ops.log(ops.diagonal(self.scale_tril, 0, -2, -1)), -1)

    def _df_as_matrix(self):
        return ops.unsqueeze(ops.unsqueeze(self.df, -1), -1)

    # ------------------------------------------------------------------------------------------- sampling

    def _bartlett(self, sample_shape):
        """(L A)(L A)ᵀ for a fresh Bartlett factor A (module docstring)."""
        p = self._event_shape[-1]
        df = ops.unsqueeze(self.df, -1) - arange(p, dtype=self.df.dtype, device=self.df.device)
        chi2 = Chi2(df, validate_args=False).rsample(sample_shape)
        diagonal = ops.sqrt(ops.clamp(chi2, min=float(numpy.finfo(chi2.dtype).eps)))
        below = ops.tril(self._noise(randn, sample_shape, self.df), -1)
        factor = self.scale_tril @ (below + ops.diag_embed(diagonal))
        return factor @ ops.transpose(factor, -2, -1)

    def rsample(self, sample_shape=(), max_try_correction=None):
        """Bartlett draws; a numerically singular one (not positive definite) is drawn again, up to
        ``max_try_correction`` (default 10) times, with a warning. One left singular after that has
        log-density -inf."""
        sample_shape = as_size(sample_shape)
        tries = 10 if max_try_correction is None else max_try_correction
        sample = self._bartlett(sample_shape)
        singular = ops.logical_not(self.support.check(sample))
        if bool(ops.any(singular)):
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(tries):
                sample = ops.where(ops.unsqueeze(ops.unsqueeze(singular, -1), -1), self._bartlett(sample_shape),
                                   sample)
                singular = ops.logical_and(singular, ops.logical_not(self.support.check(sample)))
                if not bool(ops.any(singular)):
                    break
        return sample

    # --------------------------------------------------------------------------- densities, statistics

    def log_prob(self, value):
        """log p(X) = -ν (p log 2 / 2 + ½ log|Σ|) - log Γ_p(ν/2) + (ν-p-1)/2 · log|X| - tr(Σ⁻¹X)/2."""
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        trace = ops.sum(ops.diagonal(ops.cholesky_solve(value, self.scale_tril), 0, -2, -1), -1)
        return (-nu * (p * _LOG_2 / 2 + self._half_log_det()) - ops.mvlgamma(nu / 2, p)
                + (nu - p - 1) / 2 * ops.slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        """H = (p+1)(p log 2 / 2 + ½ log|Σ|) + log Γ_p(ν/2) - (ν-p-1)/2 · ψ_p(ν/2) + νp/2, with ψ_p the
        derivative of log Γ_p."""
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * (p * _LOG_2 / 2 + self._half_log_det()) + ops.mvlgamma(nu / 2, p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p) + nu * p / 2)

    @property
    def mean(self):
        """ν Σ."""
        return self._df_as_matrix() * self.covariance_matrix

    @property
    def mode(self):
        """(ν - p - 1) Σ, where ν >= p + 1 (NaN below: the density is unbounded near singular matrices)."""
        factor = self._df_as_matrix() - self._event_shape[-1] - 1
        return ops.where(ops.gt(factor, 0), factor, math.nan) * self.covariance_matrix

    @property
    def variance(self):
        """Var Xᵢⱼ = ν (Σᵢⱼ² + Σᵢᵢ Σⱼⱼ)."""
        cov = self.covariance_matrix
        diagonal = ops.diagonal(cov, 0, -2, -1)
        return self._df_as_matrix() * (cov ** 2 + ops.unsqueeze(diagonal, -1) * ops.unsqueeze(diagonal, -2))

    # ---------------------------------------------------------------------------------- exponential family

    @property
    def _natural_params(self):
        """(-Σ⁻¹/2, (ν - p - 1)/2): the coefficients of X (in tr(θ X)) and of log|X|."""
        return -self.precision_matrix / 2, (self.df - self._event_shape[-1] - 1) / 2

    def _log_normalizer(self, x, y):
        """F = (y + (p+1)/2)(p log 2 - log|-2x|) + log Γ_p(y + (p+1)/2)."""
        p = self._event_shape[-1]
        shape = y + (p + 1) / 2
        return shape * (p * _LOG_2 - ops.slogdet(-2 * x).logabsdet) + ops.mvlgamma(shape, p)
