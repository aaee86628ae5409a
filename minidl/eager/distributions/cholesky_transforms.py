"""Transforms to triangular and positive-definite matrices (``torch.distributions.transforms``): the ways to
parameterize a covariance or a correlation matrix by unconstrained numbers, as a model learns one.

* ``LowerCholeskyTransform``: a square matrix to a Cholesky factor L (lower-triangular, positive diagonal);
* ``PositiveDefiniteTransform``: a square matrix to the positive-definite L Lᵀ;
* ``CorrCholeskyTransform``: a vector of D(D-1)/2 numbers to the Cholesky factor of a D×D correlation matrix,
  a bijection (the one LKJ priors are sampled and scored through).

The first two read only the lower triangle of their input, so they are not bijections of whole matrices;
restricted to the lower triangle they are, and their log-dets are given for that restriction (PyTorch gives
none).
"""
import math

import numpy

from ... import ops
from ..creation import arange, eye
from ..tensor import Size
from . import constraints
from .transform import Transform, _ParameterFree
from .utils import tril_matrix_to_vec, vec_to_tril_matrix


class LowerCholeskyTransform(_ParameterFree):
    """L = tril(x, -1) + diag(exp(diag x)): x's strict lower triangle, and the exponential of its diagonal.
    ``inv`` puts the log of the diagonal back (and zeros above it).

    On the n(n+1)/2 entries of the lower triangle the map is elementwise (the identity below the diagonal, exp
    on it), so log|det J| = Σᵢ xᵢᵢ.
    """
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return ops.tril(x, -1) + ops.diag_embed(ops.exp(ops.diagonal(x, 0, -2, -1)))

    def _inverse(self, y):
        return ops.tril(y, -1) + ops.diag_embed(ops.log(ops.diagonal(y, 0, -2, -1)))

    def log_abs_det_jacobian(self, x, y):
        return ops.diagonal(x, 0, -2, -1).sum(-1)


class PositiveDefiniteTransform(_ParameterFree):
    """y = L Lᵀ with L = ``LowerCholeskyTransform()(x)``; ``inv`` is the Cholesky factorization, then the log of
    its diagonal.

    Between the lower triangles of x and of the symmetric y, the Jacobian of L -> L Lᵀ (entries taken column
    by column) is triangular: yᵢⱼ = Σₖ≤ⱼ Lᵢₖ Lⱼₖ (i >= j) has ∂yᵢⱼ/∂Lᵢⱼ = Lⱼⱼ, and 2 Lⱼⱼ on the diagonal. Column
    j has n - j entries, so det = 2ⁿ Πⱼ Lⱼⱼⁿ⁻ʲ (j = 0..n-1). The exponential of the diagonal adds a factor
    Lⱼⱼ = e^xⱼⱼ, so

        log|det J| = n log 2 + Σⱼ (n - j + 1) xⱼⱼ.
    """
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        lower = LowerCholeskyTransform()(x)
        return ops.matmul(lower, lower.mT)

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ops.cholesky(y))

    def log_abs_det_jacobian(self, x, y):
        n = x.shape[-1]
        powers = arange(n + 1, 1, -1, dtype=x.dtype, device=x.device)
        return n * math.log(2) + (ops.diagonal(x, 0, -2, -1) * powers).sum(-1)


class CorrCholeskyTransform(Transform):
    """From vectors x of N = D(D-1)/2 real numbers to Cholesky factors L of D×D correlation matrices (lower-
    triangular, positive diagonal, rows of unit length, so that L Lᵀ has a unit diagonal).

    x fills the strict lower triangle row by row, as r = tanh(x) in (-1, 1) (kept a machine epsilon inside, so
    that the inverse stays finite). Row i of L then breaks a stick of squared length 1: its entries are

        Lᵢⱼ = rᵢⱼ √(Πₖ<ⱼ (1 - rᵢₖ²))   (j < i),   Lᵢᵢ = √(Πₖ<ᵢ (1 - rᵢₖ²)),

    each taking the fraction rᵢⱼ² of the squared length Πₖ<ⱼ (1 - rᵢₖ²) = 1 - Σₖ<ⱼ Lᵢₖ² still left, and the
    diagonal the rest. The inverse reads rᵢⱼ = Lᵢⱼ / √(1 - Σₖ<ⱼ Lᵢₖ²) and x = atanh(r).

    Lᵢⱼ depends on rᵢ₀..rᵢⱼ only, so the Jacobian of the strict lower triangle of L with respect to x is
    triangular, with diagonal ∂Lᵢⱼ/∂xᵢⱼ = √(1 - Σₖ<ⱼ Lᵢₖ²) (1 - tanh² xᵢⱼ):

        log|det J| = ½ Σᵢ Σⱼ<ᵢ log(1 - Σₖ<ⱼ Lᵢₖ²) + Σ 2 (log 2 - x - softplus(-2x)).

    (The domain and codomain differ in dimension; this is the log-det with respect to L's strict lower
    triangle, as PyTorch and Stan define it.) Two instances are equal only if they are one object, as in
    PyTorch.
    """
    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        eps = float(numpy.finfo(x.dtype).eps)
        r = vec_to_tril_matrix(ops.clamp(ops.tanh(x), min=-1 + eps, max=1 - eps), diag=-1)
        remaining = ops.cumprod(ops.sqrt(1 - r ** 2), -1)  # √(Πₖ≤ⱼ (1 - rᵢₖ²)), column j
        # the diagonal's r is 1: the stick left
        r = r + eye(r.shape[-1], dtype=r.dtype, device=r.device)
        return r * ops.pad(remaining[..., :-1], (1, 0), value=1.0)

    def _inverse(self, y):
        remaining = 1 - ops.cumsum(y * y, -1)  # 1 - Σₖ≤ⱼ Lᵢₖ², column j
        remaining_before = ops.pad(remaining[..., :-1], (1, 0), value=1.0)
        r = tril_matrix_to_vec(y, diag=-1) / ops.sqrt(tril_matrix_to_vec(remaining_before, diag=-1))
        return (ops.log1p(r) - ops.log1p(-r)) / 2

    def log_abs_det_jacobian(self, x, y):
        # 1 - Σₖ<ⱼ Lᵢₖ² for j = 1..i-1 sits at column j - 1 of the inclusive sums, on or below diagonal -2 (the
        # term j = 0 is log 1 = 0)
        remaining = tril_matrix_to_vec(1 - ops.cumsum(y * y, -1), diag=-2)
        stick_breaking = 0.5 * ops.log(remaining).sum(-1)
        tanh = 2 * (math.log(2) - x - ops.softplus(-2 * x, threshold=math.inf)).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("CorrCholeskyTransform: too few dimensions on input: shape ()")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError(f"CorrCholeskyTransform: input of shape {tuple(shape)} is not a flattened strictly "
                             f"lower triangle ({n} is not D(D-1)/2 for any D)")
        return Size(tuple(shape[:-1]) + (d, d))

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError(f"CorrCholeskyTransform: too few dimensions on input: shape {tuple(shape)}")
        if shape[-2] != shape[-1]:
            raise ValueError(f"CorrCholeskyTransform: input of shape {tuple(shape)} is not square")
        d = shape[-1]
        return Size(tuple(shape[:-2]) + (d * (d - 1) // 2,))
