"""``tf.contrib.distributions.MultivariateNormalDiag`` and ``MultivariateNormalTriL``: the eager
``MultivariateNormal`` (``eager/distributions/multivariate_normal.py``: everything through the Cholesky factor L
of the covariance, Σ = L Lᵀ) given L directly — TF's ``scale`` — with TF's constructors and methods.

``MultivariateNormalDiag(loc, scale_diag)`` is L = diag(scale_diag): independent coordinates of standard
deviations ``scale_diag``. (TF holds ``scale`` as a LinearOperator; here it is the matrix L, ``scale_tril``.)
"""
from ... import ops
from ...eager.distributions import multivariate_normal
from .distribution import Distribution


class MultivariateNormalTriL(Distribution, multivariate_normal.MultivariateNormal):
    """N(loc, L Lᵀ) with L = ``scale_tril`` lower-triangular with a positive diagonal; loc None is 0."""
    _batch_parameter = "loc"

    def __init__(self, loc=None, scale_tril=None, validate_args=False, allow_nan_stats=True,
                 name="MultivariateNormalTriL"):
        super().__init__(dict(loc=loc, scale_tril=scale_tril), validate_args, allow_nan_stats, name)

    def _eager_arguments(self, scale_tril, loc=None):
        return dict(loc=ops.zeros_like(scale_tril[..., 0]) if loc is None else loc, scale_tril=scale_tril)

    def covariance(self, name="covariance"):
        with self._scope(name):
            return self.covariance_matrix


class MultivariateNormalDiag(MultivariateNormalTriL):
    """N(loc, diag(scale_diag)²); loc None is 0."""

    def __init__(self, loc=None, scale_diag=None, validate_args=False, allow_nan_stats=True,
                 name="MultivariateNormalDiag"):
        Distribution.__init__(self, dict(loc=loc, scale_diag=scale_diag), validate_args, allow_nan_stats, name)

    def _eager_arguments(self, scale_diag, loc=None):
        self.scale_diag = scale_diag
        return super()._eager_arguments(ops.diag_embed(scale_diag), loc)
