"""``torchlike.distributions``: probability distributions with PyTorch's names (``torch.distributions``).

A distribution object answers ``sample`` / ``rsample`` (draws), ``log_prob`` (log-density of a value),
``entropy``, ``mean``, ``mode``, ``variance``, ``stddev`` and, where there is a closed form, ``cdf`` / ``icdf``;
``kl_divergence(p, q)`` compares two. Parameters may be tensors that require grad: log-densities, entropies,
KL divergences and reparameterized samples (``rsample``) are computed with ops, so they backpropagate to them.

    import minidl.eager as torchlike
    from minidl.eager.distributions import Categorical

    dist = Categorical(logits=policy(state))
    action = dist.sample()
    loss = -(dist.log_prob(action) * advantage).mean()   # REINFORCE
    loss.backward()

Shapes (``batch_shape``, ``event_shape``, ``sample_shape``) are explained in ``distribution.py``.
"""
from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma_family import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
