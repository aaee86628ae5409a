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

Shapes (``batch_shape``, ``event_shape``, ``sample_shape``) are explained in ``distribution.py``. New distributions
can be made from old ones by transforming their samples (``TransformedDistribution`` with the maps of
``transforms``: ``LogNormal`` is exp of a ``Normal``), or by mixing them (``MixtureSameFamily``).
"""
from . import constraints, transforms
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma_family import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .mixture import MixtureSameFamily
from .more_continuous import Cauchy, Chi2, StudentT
from .more_discrete import Geometric, Multinomial, NegativeBinomial
from .multivariate_normal import MultivariateNormal
from .transformed import Gumbel, HalfCauchy, HalfNormal, LogisticNormal, LogNormal, TransformedDistribution, Weibull
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform, PowerTransform,
                         SigmoidTransform, SoftmaxTransform, StickBreakingTransform, TanhTransform, Transform,
                         identity_transform)

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
           "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential", "Gamma", "Geometric",
           "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "Laplace", "LogNormal", "LogisticNormal",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical", "Poisson", "PowerTransform", "SigmoidTransform", "SoftmaxTransform",
           "StickBreakingTransform", "StudentT", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
           "Weibull", "constraints", "identity_transform", "kl_divergence", "register_kl", "transforms"]
