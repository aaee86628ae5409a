"""``LKJCholesky``: the LKJ distribution (Lewandowski, Kurowicka and Joe, "Generating random correlation matrices
based on vines and extended onion method", J. Multivariate Analysis 100, 2009) over the Cholesky factors L of
d × d correlation matrices M = L Lᵀ, with density ∝ det(M)^(η-1) in M. η = ``concentration`` = 1 is uniform over
correlation matrices; η > 1 favours weak correlations (M near the identity), η < 1 strong ones. It is the usual
prior of the correlation part of a covariance matrix.

Row i of L (i = 0 .. d-1) is a unit vector whose first i entries are free; in those coordinates the density is

    p(L) = Πᵢ₌₁^(d-1) Lᵢᵢ^(d - i - 1 + 2(η - 1)) / c(η, d),
    c(η, d) = π^((d-1)/2) Γ_(d-1)(η + (d-2)/2) / Γ(η + (d-1)/2)^(d-1)

(Γ_p the multivariate gamma function).

Sampling, by the onion method (section 3.2 of the paper), row by row: with β = η + (d-2)/2, row k ≥ 1 has its
first k entries √yₖ · u, u uniform on the unit sphere of dimension k (a normalized Gaussian vector) and
yₖ ~ Beta(k/2, β - (k-1)/2), and Lₖₖ = √(1 - yₖ). (PyTorch's sampler draws yₖ ~ Beta(k - ½, β - (k-1)/2), which
agrees for k = 1 only: for d ≥ 3 its correlations between later rows are too widely spread — the marginals of an
LKJ matrix are all (2 Beta(η - 1 + d/2, same) - 1) distributed, its are not. This sampler follows the paper.)
"""
import math

import numpy

from ... import ops
from ..creation import arange, eye, randn
from . import constraints
from .distribution import Distribution
from .gamma_family import Beta
from .utils import broadcast_all


class LKJCholesky(Distribution):
    """The LKJ distribution of ``dim`` × ``dim`` correlation Cholesky factors with ``concentration`` η > 0
    (module docstring). Samples have no gradient (``has_rsample`` is False, as in PyTorch)."""
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        super().__init__(self.concentration.shape, (dim, dim), validate_args=validate_args)

    def _row_offsets(self):
        """k - 1 for the rows k = 1 .. d-1, in the concentration's dtype."""
        return arange(self.dim - 1, dtype=self.concentration.dtype, device=self.concentration.device)

    def sample(self, sample_shape=()):
        """The onion method (module docstring)."""
        offsets = self._row_offsets()
        beta = ops.unsqueeze(self.concentration + 0.5 * (self.dim - 2), -1)
        squared_norms = Beta(0.5 * (offsets + 1), beta - 0.5 * offsets, validate_args=False).sample(sample_shape)
        directions = ops.tril(self._noise(randn, sample_shape, self.concentration), -1)[..., 1:, :]
        directions = directions / ops.linalg_vector_norm(directions, dim=-1, keepdim=True)
        below = ops.sqrt(ops.unsqueeze(squared_norms, -1)) * directions
        # (rounding can push |w|² to 1: the diagonal stays positive, as in PyTorch)
        diagonal = ops.sqrt(ops.clamp(1 - ops.sum(below ** 2, -1), min=float(numpy.finfo(below.dtype).tiny)))
        rows = below + ops.diag_embed(diagonal, offset=1)[..., :-1, :]
        first = eye(1, self.dim, dtype=rows.dtype, device=rows.device)
        return ops.cat([ops.broadcast_to(first, tuple(rows.shape[:-2]) + (1, self.dim)), rows], -2)

    def log_prob(self, value):
        """log p(L) = Σᵢ₌₁^(d-1) (d - i - 1 + 2(η - 1)) log Lᵢᵢ - log c(η, d)."""
        if self._validate_args:
            self._validate_sample(value)
        d, eta = self.dim, self.concentration
        powers = 2 * ops.unsqueeze(eta - 1, -1) + (d - 2) - self._row_offsets()
        unnormalized = ops.sum(powers * ops.log(ops.diagonal(value, 0, -2, -1)[..., 1:]), -1)
        alpha = eta + 0.5 * (d - 1)
        log_normalizer = 0.5 * (d - 1) * math.log(math.pi) + ops.mvlgamma(alpha - 0.5, d - 1) \
            - (d - 1) * ops.lgamma(alpha)
        return unnormalized - log_normalizer
