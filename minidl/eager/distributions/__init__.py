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

from . import constraint_registry, constraints, transforms
from .constraint_registry import biject_to, transform_to
from .continuous import Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import (Bernoulli, Binomial, Categorical, OneHotCategorical, OneHotCategoricalStraightThrough,
                       Poisson)
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma_family import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from . import kl_cross_entropy  # noqa: F401  (registers the KL formulas written with cross-entropies)
from .lkj_cholesky import LKJCholesky
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture import MixtureSameFamily
from .more_continuous import Cauchy, Chi2, FisherSnedecor, GeneralizedPareto, StudentT
from .more_discrete import Geometric, Multinomial, NegativeBinomial
from .more_transformed import InverseGamma, Kumaraswamy, Pareto
from .multivariate_normal import MultivariateNormal
from .relaxed import ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli, RelaxedOneHotCategorical
from .transformed import Gumbel, HalfCauchy, HalfNormal, LogisticNormal, LogNormal, TransformedDistribution, Weibull
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform, CorrCholeskyTransform,
                         CumulativeDistributionTransform, ExpTransform, IndependentTransform, LowerCholeskyTransform,
                         PositiveDefiniteTransform, PowerTransform, ReshapeTransform, SigmoidTransform,
                         SoftmaxTransform, SoftplusTransform, StackTransform, StickBreakingTransform, TanhTransform,
                         Transform, identity_transform)
from .von_mises import VonMises
from .wishart import Wishart

# PyTorch keeps each distribution in a module of its own, and programs import them so
# (``from torch.distributions import normal``; ``normal.Normal(0, 1)``): those modules, each naming its class
for _name, _class in dict(
        bernoulli=Bernoulli, beta=Beta, binomial=Binomial, categorical=Categorical, cauchy=Cauchy, chi2=Chi2,
        dirichlet=Dirichlet, exponential=Exponential, fishersnedecor=FisherSnedecor, gamma=Gamma,
        generalized_pareto=GeneralizedPareto, geometric=Geometric, gumbel=Gumbel, half_cauchy=HalfCauchy,
        half_normal=HalfNormal, inverse_gamma=InverseGamma, kumaraswamy=Kumaraswamy, laplace=Laplace,
        log_normal=LogNormal, logistic_normal=LogisticNormal, mixture_same_family=MixtureSameFamily,
        multinomial=Multinomial, negative_binomial=NegativeBinomial, normal=Normal,
        one_hot_categorical=OneHotCategorical, pareto=Pareto, poisson=Poisson, relaxed_bernoulli=RelaxedBernoulli,
        relaxed_categorical=RelaxedOneHotCategorical, studentT=StudentT,
        transformed_distribution=TransformedDistribution, uniform=Uniform, weibull=Weibull).items():
    globals()[_name] = _sys.modules[f"{__name__}.{_name}"] = _types.ModuleType(f"{__name__}.{_name}")
    setattr(globals()[_name], _class.__name__, _class)
# the log-space bases live in the relaxed distributions' modules too, the straight-through variant beside
# OneHotCategorical (``continuous_bernoulli``, ``exp_family``, ``von_mises``, ``wishart``, ``lkj_cholesky`` and
# ``lowrank_multivariate_normal`` are real modules)
for _name, _class in dict(relaxed_bernoulli=LogitRelaxedBernoulli, relaxed_categorical=ExpRelaxedCategorical,
                          one_hot_categorical=OneHotCategoricalStraightThrough).items():
    setattr(globals()[_name], _class.__name__, _class)

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "CatTransform", "Categorical",
           "Cauchy", "Chi2", "ComposeTransform", "ContinuousBernoulli", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential",
           "ExponentialFamily", "FisherSnedecor", "Gamma", "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy",
           "HalfNormal", "Independent", "IndependentTransform", "InverseGamma", "Kumaraswamy", "LKJCholesky",
           "Laplace", "LogNormal", "LogisticNormal", "LowRankMultivariateNormal", "LowerCholeskyTransform",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "PositiveDefiniteTransform",
           "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "StudentT",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart",
           "biject_to", "constraint_registry", "constraints", "identity_transform", "kl_divergence", "register_kl",
           "transform_to", "transforms"]
