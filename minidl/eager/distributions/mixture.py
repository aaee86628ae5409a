"""``MixtureSameFamily``: a mixture of K distributions of one family, weighted by a ``Categorical``.

To draw: pick a component k with probability πₖ, then draw from component k. The density is the weighted sum

    p(x) = Σₖ πₖ pₖ(x),   log p(x) = logsumexp_k (log πₖ + log pₖ(x)),

computed as a logsumexp so that it stays finite where every pₖ(x) underflows (a Gaussian mixture far from all
its means). The components form the last batch dim of ``component_distribution``: ``Normal(locs, scales)``
with ``locs`` of shape (B, K) is B mixtures of K normals each, with ``Categorical(logits)`` of shape (B, K) — or
(K,), the same weights for every mixture — as ``mixture_distribution``.
"""
from ... import ops
from .discrete import Categorical
from .distribution import Distribution
from .utils import as_size


class MixtureSameFamily(Distribution):
    """The mixture of the components of ``component_distribution`` (batch shape ``batch_shape + (K,)``) with
    the weights of ``mixture_distribution`` (a ``Categorical`` over K categories whose batch shape broadcasts
    with ``batch_shape``). No ``rsample``: the choice of a component is discrete."""
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("The Mixture distribution needs to be an instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution need to be an instance of "
                             "torch.distributions.Distribution")
        mixture_batch, batch_shape = mixture_distribution.batch_shape, component_distribution.batch_shape[:-1]
        if any(m != 1 and c != 1 and m != c for m, c in zip(reversed(mixture_batch), reversed(batch_shape))):
            raise ValueError(f"`mixture_distribution.batch_shape` ({mixture_batch}) is not compatible with "
                             f"`component_distribution.batch_shape`({batch_shape})")
        num_mixture, num_components = mixture_distribution._num_events, component_distribution.batch_shape[-1]
        if num_mixture != num_components:
            raise ValueError(f"`mixture_distribution component` ({num_mixture}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({num_components})")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = num_components
        super().__init__(batch_shape, component_distribution.event_shape, validate_args=validate_args)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    @property
    def support(self):
        return self._component_distribution.support

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._component_distribution = self._component_distribution.expand(as_size(batch_shape)
                                                                          + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        return new

    def _component_axis(self):
        """The dim of the components in a component's statistic: just before the event dims."""
        return -1 - len(self._event_shape)

    def _weights(self):
        """π with a dim of size 1 for each event dim, to broadcast against a component statistic (..., K, *event)."""
        probs = self._mixture_distribution.probs
        return probs.reshape(tuple(probs.shape) + (1,) * len(self._event_shape))

    @property
    def mean(self):
        """E[X] = Σₖ πₖ μₖ."""
        return (self._weights() * self._component_distribution.mean).sum(self._component_axis())

    @property
    def variance(self):
        """The law of total variance: Var X = E[Var(X | k)] + Var(E[X | k]) = Σₖ πₖ σₖ² + Σₖ πₖ (μₖ - μ)²."""
        weights, axis = self._weights(), self._component_axis()
        components = self._component_distribution
        spread = (components.mean - self.mean.unsqueeze(axis)) ** 2
        return (weights * components.variance).sum(axis) + (weights * spread).sum(axis)

    def _per_component(self, value):
        """``value`` (sample_shape + batch_shape + event_shape) with a dim of size 1 for the components, so that
        each component's log_prob or cdf is evaluated at it."""
        return value.unsqueeze(self._component_axis())

    def log_prob(self, value):
        """log p(x) = logsumexp_k (log πₖ + log pₖ(x)) (Categorical's logits are the log πₖ)."""
        if self._validate_args:
            self._validate_sample(value)
        component_log_probs = self._component_distribution.log_prob(self._per_component(value))
        return ops.logsumexp(component_log_probs + self._mixture_distribution.logits, -1)

    def cdf(self, value):
        """P(X <= x) = Σₖ πₖ Fₖ(x)."""
        if self._validate_args:
            self._validate_sample(value)
        component_cdfs = self._component_distribution.cdf(self._per_component(value))
        return (component_cdfs * self._mixture_distribution.probs).sum(-1)

    def sample(self, sample_shape=()):
        """Draw from every component, then keep the draw of the chosen one (a gather along the components)."""
        sample_shape = as_size(sample_shape)
        chosen = self._mixture_distribution.sample(sample_shape)  # sample_shape + mixture batch shape
        draws = self._component_distribution.sample(sample_shape)  # sample_shape + batch + (K,) + event
        # the index of the chosen component, shaped like one draw per component dim: sample + batch + (1,) + event
        batch_pad = len(self._batch_shape) - len(self._mixture_distribution.batch_shape)
        index = chosen.reshape(tuple(sample_shape) + (1,) * batch_pad + tuple(chosen.shape[len(sample_shape):])
                               + (1,) * (1 + len(self._event_shape)))
        index = index.expand(tuple(sample_shape + self._batch_shape) + (1,) + tuple(self._event_shape))
        return ops.gather(draws, self._component_axis(), index).squeeze(self._component_axis())
