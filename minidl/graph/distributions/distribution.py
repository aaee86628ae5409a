"""``tf.distributions.Distribution``: TensorFlow 1.15's distribution API over the eager distributions' formulas.

A graph distribution *is* the eager distribution of the same name: ``class Normal(Distribution, eager.Normal)``,
made with graph tensors as its parameters. Every formula — log-densities, cdfs, entropies, means and variances,
reparameterized samples, KL divergences — is the eager class's, written with ``minidl.ops`` and operators, which
on graph tensors add graph nodes (so ``tf.gradients`` differentiates them as it does any op). This class adds
only what belongs to graphs and to TF:

* **TF's names.** ``mean()``, ``mode()``, ``stddev()``, ``variance()`` are methods (PyTorch's are properties: they
  are read here from the eager class, ``_statistic``); ``prob``, ``log_cdf``, ``survival_function``,
  ``log_survival_function``, ``quantile``, ``cross_entropy``, ``kl_divergence`` are built from the eager formulas
  as TF builds them from its own (``prob = exp(log_prob)``, ``log_cdf = log(cdf)``, ``H(p, q) = H(p) + KL(p‖q)``).
  Each method builds its ops in the name scope ``<name>/<method>/``, as TF does.
* **Shapes.** ``batch_shape`` and ``event_shape`` are ``TensorShape``s (None for a dim that is known only when the
  graph runs, as in a placeholder's batch); ``batch_shape_tensor()`` gives the batch shape at run time.
* **Sampling.** ``sample(sample_shape, seed)`` draws the noise with graph random ops (``sampling.py``) and is
  differentiable for a reparameterized distribution (``reparameterization_type`` FULLY_REPARAMETERIZED:
  ``loc + scale · ε``), as TF's is. Samples have the distribution's ``dtype`` (Bernoulli's and Categorical's are
  int32, as in TF).
* **Checks.** ``validate_args`` is False by default, as in TF (PyTorch checks by default). With True, each
  parameter's constraint (the eager ``arg_constraints``) becomes an ``Assert`` op that every result of the
  distribution depends on, so a bad parameter fails when the graph runs, with ``InvalidArgumentError``. Values
  given to ``log_prob`` are not checked.

``allow_nan_stats`` is recorded; the statistics are NaN where undefined whatever its value (the eager formulas'
convention; TF raises with ``allow_nan_stats=False``).
"""
import contextlib

from ... import ops
from ...eager.creation import rand, randn
from ...eager.distributions.distribution import Distribution as EagerDistribution
from ...eager.distributions.kl import kl_divergence as eager_kl_divergence
from ...eager.distributions.utils import as_size
from ..array_ops import shape as shape_of
from ..basics import constant, control_dependencies, name_scope
from ..check_ops import Assert
from ..core import Tensor, TensorShape
from ..dtypes import float32, int32
from ..frontend import convert_to_tensor
from ..random_ops import random_normal, random_uniform
from .sampling import host_draw, next_seed, seed_stream


class ReparameterizationType:
    """Whether samples are differentiable functions of the parameters (TF's two instances below)."""

    def __init__(self, rep_type):
        self._rep_type = rep_type

    def __repr__(self):
        return f"<Reparameterization Type: {self._rep_type}>"


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")

#: the eager front-end's standard draws -> the graph ops that draw the same noise
_GRAPH_DRAWS = {rand: random_uniform, randn: random_normal}


def _as_tensors(parameters):
    """The given parameters (None stays None) as graph tensors of one dtype: a tensor's, else the float32 that TF
    gives Python floats (a float64 numpy array gives float64)."""
    given = {name: value for name, value in parameters.items() if value is not None}
    tensors = [value for value in given.values() if isinstance(value, Tensor)]
    dtype = tensors[0].dtype if tensors else convert_to_tensor(next(iter(given.values()))).dtype
    if dtype.is_integer:
        dtype = float32
    return {name: convert_to_tensor(value, dtype=dtype, name=name) for name, value in given.items()}


class Distribution(EagerDistribution):
    """The base of the graph distributions. A subclass names the eager class after this one and passes its TF
    constructor arguments to ``__init__``; ``_batch_parameter`` names a parameter whose leading dims are the
    batch shape."""
    _batch_parameter = None
    #: whether values given to log_prob are category indices (kept integers) rather than numbers of the dtype
    _values_are_indices = False

    def __init__(self, parameters, validate_args=False, allow_nan_stats=True, name=None, dtype=None, **fixed):
        self._parameters = dict(parameters, **fixed, validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                                name=name)
        self._allow_nan_stats = allow_nan_stats
        self._assertions = []
        with name_scope(name or type(self).__name__) as scope:
            self._name = scope
            tensors = _as_tensors(parameters)
            self._parameter_dtype = next(iter(tensors.values())).dtype
            super().__init__(**self._eager_arguments(**tensors), **fixed, validate_args=validate_args)
        self._dtype = dtype or self._parameter_dtype

    def _eager_arguments(self, **tensors):
        """The eager constructor's arguments from the TF ones (the same, unless a subclass says otherwise)."""
        return tensors

    def _check_parameters(self):
        """``validate_args``: an ``Assert`` per constraint, run before anything the distribution computes."""
        for name, value, constraint in self._constrained_parameters():
            message = f"{type(self).__name__}: parameter {name} must satisfy {constraint!r}"
            self._assertions.append(Assert(constraint.check(value), [message, value]))

    def _validate_sample(self, value):
        """Values are not checked in graph mode (see the module docstring)."""

    @contextlib.contextmanager
    def _scope(self, name):
        """The name scope of a method's ops, which depend on the parameter checks (if any)."""
        with name_scope(self._name), name_scope(name), control_dependencies(self._assertions):
            yield

    def _value(self, value):
        """A value given to log_prob/cdf as a tensor in the parameters' dtype (category indices as they are)."""
        if self._values_are_indices:
            return value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=int32, name="value")
        if not isinstance(value, Tensor):
            return convert_to_tensor(value, dtype=self._parameter_dtype, name="value")
        return value if value.dtype == self._parameter_dtype else ops.cast(value, self._parameter_dtype)

    # ------------------------------------------------------------------------------------- TF's properties

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        """The dtype of the samples."""
        return self._dtype

    @property
    def parameters(self):
        """The constructor's arguments, as given."""
        return dict(self._parameters)

    @property
    def allow_nan_stats(self):
        return self._allow_nan_stats

    @property
    def validate_args(self):
        return self._validate_args

    @property
    def reparameterization_type(self):
        return FULLY_REPARAMETERIZED if self.has_rsample else NOT_REPARAMETERIZED

    @property
    def batch_shape(self):
        return TensorShape(list(self._batch_shape))

    @property
    def event_shape(self):
        return TensorShape(list(self._event_shape))

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        """The batch shape as a 1-D int32 tensor, read from a parameter when the graph runs if need be."""
        with self._scope(name):
            if self.batch_shape.is_fully_defined():
                return constant(self.batch_shape.as_list(), dtype=int32, name="batch_shape")
            return shape_of(getattr(self, self._batch_parameter))[:len(self._batch_shape)]

    def event_shape_tensor(self, name="event_shape_tensor"):
        with self._scope(name):
            return constant(self.event_shape.as_list(), dtype=int32, name="event_shape")

    def is_scalar_batch(self, name="is_scalar_batch"):
        with self._scope(name):
            return constant(len(self._batch_shape) == 0)

    def is_scalar_event(self, name="is_scalar_event"):
        with self._scope(name):
            return constant(len(self._event_shape) == 0)

    def copy(self, **override_parameters):
        """The same distribution, with some constructor arguments replaced."""
        return type(self)(**dict(self._parameters, **override_parameters))

    # ------------------------------------------------------------------------------------------ sampling

    def sample(self, sample_shape=(), seed=None, name="sample"):
        """Samples of shape ``sample_shape + batch_shape + event_shape`` (``sample_shape`` an int or a tuple of
        ints), in the distribution's dtype."""
        with self._scope(name), seed_stream(seed):
            sample_shape = as_size(sample_shape)
            draws = super().rsample(sample_shape) if self.has_rsample else super().sample(sample_shape)
            return draws if draws.dtype == self._dtype else ops.cast(draws, self._dtype)

    def _sample_shape(self, sample_shape):
        """``sample_shape + batch_shape + event_shape`` as the random ops take it: a tuple, with a scalar tensor
        (read from ``batch_shape_tensor()`` when the graph runs) for each batch dim that is not known before."""
        shape = self._extended_shape(sample_shape)
        if None not in shape:
            return tuple(shape)
        batch, lead = self.batch_shape_tensor(), len(as_size(sample_shape))
        return [batch[i - lead] if n is None else n for i, n in enumerate(shape)]

    def _noise(self, draw, sample_shape, like):
        return _GRAPH_DRAWS[draw](self._sample_shape(sample_shape), dtype=like.dtype, seed=next_seed())

    def _draw_on_host(self, draw, sample_shape, *params):
        return host_draw(draw, self._sample_shape(sample_shape), *params)

    # --------------------------------------------------------------------------- densities and statistics

    def log_prob(self, value, name="log_prob"):
        with self._scope(name):
            return super().log_prob(self._value(value))

    def prob(self, value, name="prob"):
        with self._scope(name):
            return ops.exp(super().log_prob(self._value(value)))

    def cdf(self, value, name="cdf"):
        with self._scope(name):
            return super().cdf(self._value(value))

    def log_cdf(self, value, name="log_cdf"):
        with self._scope(name):
            return ops.log(super().cdf(self._value(value)))

    def survival_function(self, value, name="survival_function"):
        """P(X > x) = 1 - cdf(x)."""
        with self._scope(name):
            return 1 - super().cdf(self._value(value))

    def log_survival_function(self, value, name="log_survival_function"):
        with self._scope(name):
            return ops.log1p(-super().cdf(self._value(value)))

    def quantile(self, value, name="quantile"):
        """The inverse of the cdf (PyTorch's ``icdf``)."""
        with self._scope(name):
            return super().icdf(self._value(value))

    def entropy(self, name="entropy"):
        with self._scope(name):
            return super().entropy()

    def cross_entropy(self, other, name="cross_entropy"):
        """H(p, q) = -E_p[log q(X)] = H(p) + KL(p ‖ q)."""
        with self._scope(name):
            return super().entropy() + eager_kl_divergence(self, other)

    def kl_divergence(self, other, name="kl_divergence"):
        with self._scope(name):
            return eager_kl_divergence(self, other)

    def covariance(self, name="covariance"):
        raise NotImplementedError(f"covariance is not implemented: {type(self).__name__}")

    def _statistic(self, statistic):
        """The eager class's property ``statistic`` (the first property of that name along the MRO: the graph
        classes define methods of those names, not properties)."""
        for klass in type(self).__mro__:
            if isinstance(klass.__dict__.get(statistic), property):
                return klass.__dict__[statistic]
        raise AttributeError(statistic)

    def mean(self, name="mean"):
        with self._scope(name):
            return self._statistic("mean").fget(self)

    def mode(self, name="mode"):
        with self._scope(name):
            return self._statistic("mode").fget(self)

    def variance(self, name="variance"):
        with self._scope(name):
            return self._statistic("variance").fget(self)

    def stddev(self, name="stddev"):
        """The eager class's own σ where it has one (Normal, Laplace), else √variance: TF's rule too (and the eager
        default, ``variance.sqrt()``, reads ``variance`` as a property, a method here)."""
        with self._scope(name):
            own = self._statistic("stddev")
            return ops.sqrt(self._statistic("variance").fget(self)) if own is EagerDistribution.stddev \
                else own.fget(self)

    def __repr__(self):
        def shown(shape):
            return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
        return (f"<tf.distributions.{type(self).__name__} '{self._name}' batch_shape={shown(self._batch_shape)} "
                f"event_shape={shown(self._event_shape)} dtype={self._dtype.name}>")
