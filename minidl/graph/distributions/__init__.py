"""``tf.distributions`` (TensorFlow 1.15) in graph mode, and the same classes under ``tf.contrib.distributions``
(with ``MultivariateNormalDiag`` and ``MultivariateNormalTriL``, which only contrib has)::

    z_dist = tf.distributions.Normal(loc=mu, scale=tf.exp(log_sigma))
    z = z_dist.sample()                                        # differentiable in mu and log_sigma
    log_lik = tf.reduce_sum(tf.distributions.Bernoulli(logits=decoder(z)).log_prob(x), 1)
    kl = tf.reduce_sum(tf.distributions.kl_divergence(z_dist, tf.distributions.Normal(0., 1.)), 1)
    loss = tf.reduce_mean(kl - log_lik)

Each class is the eager distribution of its name built on graph tensors (``distribution.py`` explains how), so
the formulas exist once, in ``minidl/eager/distributions``.
"""
import types as _types

from .continuous import Exponential, Laplace, Normal, StudentT, Uniform
from .discrete import Bernoulli, Categorical, Multinomial
from .distribution import FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, Distribution, ReparameterizationType
from .gamma_family import Beta, Dirichlet, Gamma
from .kullback_leibler import RegisterKL, kl_divergence
from .multivariate_normal import MultivariateNormalDiag, MultivariateNormalTriL

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential", "FULLY_REPARAMETERIZED",
           "Gamma", "Laplace", "Multinomial", "NOT_REPARAMETERIZED", "Normal", "RegisterKL",
           "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"]

#: ``tf.contrib.distributions``: the classes above and the multivariate normals
contrib = _types.SimpleNamespace(**{name: globals()[name] for name in __all__},
                                 MultivariateNormalDiag=MultivariateNormalDiag,
                                 MultivariateNormalTriL=MultivariateNormalTriL)
