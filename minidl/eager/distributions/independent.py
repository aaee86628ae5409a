"""``Independent``: reinterpret some batch dimensions of a distribution as event dimensions.

``Normal(loc, scale)`` with ``loc`` of shape (B, D) is B·D independent numbers: ``log_prob`` returns (B, D).
``Independent(Normal(loc, scale), 1)`` is B distributions over D-vectors with a diagonal covariance:
``log_prob`` sums the D log-densities of each vector (the log of a product of independent densities) and
returns (B,). Samples are the base distribution's, unchanged.
"""
from . import constraints
from .distribution import Distribution
from .utils import sum_rightmost


class Independent(Distribution):
    """The ``reinterpreted_batch_ndims`` rightmost batch dims of ``base_distribution`` become event dims."""
    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        base_ndim = len(base_distribution.batch_shape)
        if not 0 <= reinterpreted_batch_ndims <= base_ndim:
            raise ValueError(f"Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual "
                             f"{reinterpreted_batch_ndims} vs {base_ndim}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        split = base_ndim - reinterpreted_batch_ndims
        shape = base_distribution.batch_shape + base_distribution.event_shape
        super().__init__(shape[:split], shape[split:], validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def support(self):
        return constraints.independent(self.base_dist.support, self.reinterpreted_batch_ndims)

    def expand(self, batch_shape, _instance=None):
        reinterpreted = self.base_dist.batch_shape[len(self._batch_shape):]
        return Independent(self.base_dist.expand(tuple(batch_shape) + tuple(reinterpreted)),
                           self.reinterpreted_batch_ndims, validate_args=False)

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
