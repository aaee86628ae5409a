"""``ExponentialFamily``: the base class of the distributions whose density has the form

    p(x; θ) = exp(⟨t(x), θ⟩ - F(θ) + k(x)),

with natural parameters θ, sufficient statistics t(x), the log-normalizer F (which makes p integrate to 1) and
the carrier measure k. F carries everything about the family: its gradient is the mean of the sufficient
statistics, ∇F(θ) = E[t(X)], so

    H = -E[log p(X)] = F(θ) - ⟨θ, ∇F(θ)⟩ - E[k(X)],
    KL(p ‖ q) = F(θ_q) - F(θ_p) - ⟨θ_q - θ_p, ∇F(θ_p)⟩   (the Bregman divergence of F),

and both follow from F alone by automatic differentiation (Nielsen and Nock, "Entropies and cross-entropies of
exponential families", 2010). A subclass gives ``_natural_params`` (a tuple of tensors), ``_log_normalizer(*θ)``
and ``_mean_carrier_measure`` E[k(X)]. The closed forms the distributions write out are faster; these are the
general check of them, and the formulas of families without one (``Wishart``'s KL divergence).
"""
from ..engine import grad
from ..grad_mode import enable_grad
from .distribution import Distribution
from .utils import sum_rightmost


def _bregman_gradients(distribution):
    """(θ, F(θ), ∇F(θ)), the gradient recorded so that it can be differentiated again. A θ that does not depend on
    a tensor requiring grad is made a leaf to differentiate F by; one that does is kept, so that the results stay
    differentiable in the distribution's parameters (PyTorch detaches every θ, and its results carry no gradient
    to them)."""
    with enable_grad():
        params = [theta if theta.requires_grad else theta.detach().requires_grad_()
                  for theta in distribution._natural_params]
        log_normalizer = distribution._log_normalizer(*params)
        gradients = grad(log_normalizer.sum(), params, create_graph=True)
    return params, log_normalizer, gradients


class ExponentialFamily(Distribution):
    """A distribution of an exponential family (module docstring); ``entropy`` from the log-normalizer."""

    @property
    def _natural_params(self):
        """θ, a tuple of tensors, each of shape ``batch_shape`` + that parameter's own dims."""
        raise NotImplementedError(f"{type(self).__name__} does not give its natural parameters")

    def _log_normalizer(self, *natural_params):
        """F(θ), one value per distribution of the batch."""
        raise NotImplementedError(f"{type(self).__name__} does not give its log-normalizer")

    @property
    def _mean_carrier_measure(self):
        """E[k(X)], a number."""
        raise NotImplementedError(f"{type(self).__name__} does not give the mean of its carrier measure")

    def entropy(self):
        """H = F(θ) - ⟨θ, ∇F(θ)⟩ - E[k(X)]."""
        params, log_normalizer, gradients = _bregman_gradients(self)
        result = log_normalizer - self._mean_carrier_measure
        for theta, gradient in zip(params, gradients):
            result = result - (theta * gradient).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result


def bregman_kl(p, q):
    """KL(p ‖ q) = F(θ_q) - F(θ_p) - ⟨θ_q - θ_p, ∇F(θ_p)⟩ for p and q of one family; each inner product sums
    over the dims a natural parameter has beyond the batch dims."""
    params, log_normalizer, gradients = _bregman_gradients(p)
    result = q._log_normalizer(*q._natural_params) - log_normalizer
    for theta_p, theta_q, gradient in zip(params, q._natural_params, gradients):
        term = (theta_q - theta_p) * gradient
        result = result - sum_rightmost(term, theta_p.ndim - len(p.batch_shape))
    return result
