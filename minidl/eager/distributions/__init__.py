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
import sys as _sys
import types as _types

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

# PyTorch keeps each distribution in a module of its own, and programs import them so
# (``from torch.distributions import normal``; ``normal.Normal(0, 1)``): those modules, each naming its class
for _name, _class in dict(
        bernoulli=Bernoulli, beta=Beta, binomial=Binomial, categorical=Categorical, cauchy=Cauchy, chi2=Chi2,
        dirichlet=Dirichlet, exponential=Exponential, gamma=Gamma, geometric=Geometric, gumbel=Gumbel,
        half_cauchy=HalfCauchy, half_normal=HalfNormal, laplace=Laplace, log_normal=LogNormal,
        logistic_normal=LogisticNormal, mixture_same_family=MixtureSameFamily, multinomial=Multinomial,
        negative_binomial=NegativeBinomial, normal=Normal, one_hot_categorical=OneHotCategorical, poisson=Poisson,
        studentT=StudentT, transformed_distribution=TransformedDistribution, uniform=Uniform, weibull=Weibull).items():
    globals()[_name] = _sys.modules[f"{__name__}.{_name}"] = _types.ModuleType(f"{__name__}.{_name}")
    setattr(globals()[_name], _class.__name__, _class)

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
           "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential", "Gamma", "Geometric",
           "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "Laplace", "LogNormal", "LogisticNormal",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical", "Poisson", "PowerTransform", "SigmoidTransform", "SoftmaxTransform",
           "StickBreakingTransform", "StudentT", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
           "Weibull", "constraints", "identity_transform", "kl_divergence", "register_kl", "transforms"]
