"""The base class of every distribution: shapes, sampling, validation and the names of the common statistics.

Shapes, as in PyTorch: a distribution object holds a *batch* of independent distributions (``batch_shape``),
each over *events* of shape ``event_shape`` (``()`` for a number, ``(d,)`` for a d-dimensional vector).
``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` returns one
log-density per event, so the event dims disappear: ``sample_shape + batch_shape``.

``rsample`` draws *reparameterized* samples: a differentiable function of the parameters and of noise that does
not depend on them (``loc + scale · ε`` with ε ~ N(0, 1)), so a loss of the samples can be backpropagated to the
parameters (the "reparameterization trick" of variational autoencoders). ``sample`` draws without recording
gradients. Noise comes from minidl's random generator, so ``manual_seed`` makes both reproducible.
"""
import warnings

from ... import ops
from ..grad_mode import no_grad
from ..tensor import Size, Tensor
from . import constraints
from .utils import as_size, draw_on_host, lazy_property


class Distribution:
    """Base class: subclasses set ``arg_constraints``, ``support`` and implement what they can of ``rsample``,
    ``log_prob``, ``cdf``, ``icdf``, ``entropy``, ``mean``, ``mode`` and ``variance``.

    With ``validate_args`` (on by default, as in PyTorch; ``Distribution.set_default_validate_args(False)``
    turns it off) the parameters are checked against ``arg_constraints`` when the distribution is made, and
    values against ``support`` in ``log_prob`` and ``cdf``: a bad one raises ``ValueError``.
    """
    has_rsample = False
    #: whether ``enumerate_support`` can list every value (finite discrete distributions)
    has_enumerate_support = False
    #: parameter name -> constraint it must satisfy
    arg_constraints = {}
    #: the constraint every sample satisfies
    support = None
    _validate_args = True

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for distributions made from now on (without ``validate_args=``)."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args expects True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(tuple(batch_shape))
        self._event_shape = Size(tuple(event_shape))
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _constrained_parameters(self):
        """(name, value, constraint) of each parameter to check. A parameter computed lazily from another one
        (probs from logits) is left out: it is valid if that one is."""
        for name, constraint in self.arg_constraints.items():
            if name not in self.__dict__ and isinstance(getattr(type(self), name, None), lazy_property):
                continue
            yield name, getattr(self, name), constraint

    def _check_parameters(self):
        for name, value, constraint in self._constrained_parameters():
            if constraints.is_dependent(constraint):   # fixed by the other arguments: nothing to check alone
                continue
            if not bool(constraint.check(value).all()):
                raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} to satisfy the constraint {constraint!r}, but found "
                                 f"invalid values:\n{value}")

    # ------------------------------------------------------------------------------------------------ shapes

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        """The shape of ``sample(sample_shape)``: ``sample_shape + batch_shape + event_shape``."""
        return Size(as_size(sample_shape) + self._batch_shape + self._event_shape)

    def _noise(self, draw, sample_shape, like):
        """``draw`` (``rand``, ``randn``) of the shape of ``sample(sample_shape)``, in ``like``'s dtype and on its
        device: the randomness a sample is made from."""
        return draw(self._extended_shape(sample_shape), dtype=like.dtype, device=like.device)

    def _draw_on_host(self, draw, sample_shape, *params):
        """Samples of the shape of ``sample(sample_shape)`` that numpy draws: ``draw(generator, *arrays)``, with the
        parameters broadcast to that shape (``draw_on_host``)."""
        return draw_on_host(draw, self._extended_shape(sample_shape), *params)

    def expand(self, batch_shape, _instance=None):
        """The same distribution repeated over a larger ``batch_shape`` (the parameters are broadcast, not copied).

        Every tensor the distribution holds has shape ``batch_shape + (something)``, so each is broadcast to the
        new batch shape followed by its own trailing dims; subclasses holding other distributions override this.
        """
        batch_shape = as_size(batch_shape)
        new = type(self).__new__(type(self)) if _instance is None else _instance
        for name, value in self.__dict__.items():
            if isinstance(value, Tensor):
                value = value.expand(batch_shape + Size(tuple(value.shape)[len(self._batch_shape):]))
            new.__dict__[name] = value
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _get_checked_instance(self, cls, _instance=None):
        """For a subclass that writes its own ``expand`` as PyTorch's distributions do (``new =
        self._get_checked_instance(MyDistribution, _instance)``): a new, empty instance of this class to fill, or
        ``_instance``, the one a subclass of it made. A subclass of ``cls`` with an ``__init__`` of its own may
        hold state that ``cls.expand`` cannot know about: it must write ``expand`` itself."""
        if _instance is None and type(self).__init__ is not cls.__init__:
            raise NotImplementedError(f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return type(self).__new__(type(self)) if _instance is None else _instance

    # -------------------------------------------------------------------------------------------- sampling

    def sample(self, sample_shape=()):
        """Samples of shape ``sample_shape + batch_shape + event_shape``, without gradients."""
        with no_grad():
            return self.rsample(sample_shape)

    def sample_n(self, n):
        """``sample((n,))``, under its old name (PyTorch warns that it will go)."""
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning, stacklevel=2)
        return self.sample((n,))

    def rsample(self, sample_shape=()):
        """Reparameterized samples: gradients flow from them to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (has_rsample is False); use sample(), "
                                  "whose values carry no gradient")

    def enumerate_support(self, expand=True):
        """Every value the distribution can take, along a new first dim (then the batch shape; with
        ``expand=False`` size-1 dims in its place): for an exact expectation ``Σ p(v) f(v)`` over a small support."""
        raise NotImplementedError(f"{type(self).__name__} has no enumerate_support (has_enumerate_support is "
                                  "False)")

    def _listed(self, values, expand):
        """The support ``values`` (along dim 0, then the event dims) with the batch dims put in between: the batch
        shape, or size-1 dims (``expand=False``)."""
        batch, event = tuple(self._batch_shape), tuple(self._event_shape)
        values = values.reshape((values.shape[0],) + (1,) * len(batch) + event)
        return values.expand((values.shape[0],) + batch + event) if expand else values

    # ---------------------------------------------------------------------------------- densities, statistics

    def log_prob(self, value):
        """The log of the density (or of the probability, for discrete distributions) at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} has no log_prob")

    def cdf(self, value):
        """The cumulative distribution function P(X <= value)."""
        raise NotImplementedError(f"{type(self).__name__} has no cdf")

    def icdf(self, value):
        """The inverse of the cdf: the value x with P(X <= x) = ``value``."""
        raise NotImplementedError(f"{type(self).__name__} has no icdf")

    def entropy(self):
        """``H = -E[log p(X)]``, one per distribution of the batch."""
        raise NotImplementedError(f"{type(self).__name__} has no entropy")

    def perplexity(self):
        """``exp(H)``: the number of equally likely outcomes with the same entropy."""
        return ops.exp(self.entropy())

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} has no mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    # ----------------------------------------------------------------------------------------- validation

    def _validate_sample(self, value):
        """With ``validate_args``: ``value`` must be a tensor whose shape broadcasts with ``batch_shape +
        event_shape`` (its rightmost dims equal to the event shape) and lie in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        shape, event_ndim = value.shape, len(self._event_shape)
        if event_ndim and (len(shape) < event_ndim or shape[len(shape) - event_ndim:] != self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: {shape} vs {self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        if any(i != 1 and j != 1 and i != j for i, j in zip(reversed(shape), reversed(expected))):
            raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {shape} vs {Size(expected)}.")
        if not bool(self.support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(shape)}) to be "
                             f"within the support ({self.support!r}) of the distribution {self!r}, but found "
                             f"invalid values:\n{value}")

    def __repr__(self):
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                value = self.__dict__[name]
                shown.append(f"{name}: {value.item() if value.numel() == 1 else value.shape}")
        return f"{type(self).__name__}({', '.join(shown)})"
