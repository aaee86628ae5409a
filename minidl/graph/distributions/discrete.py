"""``tf.distributions.Bernoulli``, ``Categorical`` and ``Multinomial``: the eager classes
(``eager/distributions/discrete.py``, ``more_discrete.py``) with TF's constructors and methods
(``distribution.py``). Not reparameterized: a discrete draw has no gradient (REINFORCE differentiates
``log_prob`` instead).

Where TF 1.15 differs from PyTorch, TF's behaviour is kept: Bernoulli's and Categorical's samples and modes are
integers of ``dtype`` (int32 by default); Bernoulli's mode is 1 where p > ½ and 0 otherwise (0 at a tie, where
PyTorch says NaN). Multinomial's ``total_count`` is a Python number here (TF's may be a tensor) and it has no
entropy (neither has TF's).
"""
import numbers

from ... import ops
from ...eager.distributions import discrete, more_discrete
from ..basics import constant
from ..dtypes import int32
from .distribution import Distribution


class Bernoulli(Distribution, discrete.Bernoulli):
    """1 with probability p = probs = sigmoid(logits), else 0."""
    _batch_parameter = "probs"

    def __init__(self, logits=None, probs=None, dtype=int32, validate_args=False, allow_nan_stats=True,
                 name="Bernoulli"):
        super().__init__(dict(logits=logits, probs=probs), validate_args, allow_nan_stats, name, dtype=dtype)

    def mode(self, name="mode"):
        with self._scope(name):
            return ops.cast(ops.gt(self.probs, 0.5), self._dtype)


class Categorical(Distribution, discrete.Categorical):
    """One of K categories, from ``logits`` or ``probs`` of shape batch_shape + (K,); samples are indices."""
    _batch_parameter = "probs"
    _values_are_indices = True

    def __init__(self, logits=None, probs=None, dtype=int32, validate_args=False, allow_nan_stats=True,
                 name="Categorical"):
        super().__init__(dict(logits=logits, probs=probs), validate_args, allow_nan_stats, name, dtype=dtype)

    @property
    def event_size(self):
        """The number of categories K, as a scalar int32 tensor."""
        return constant(self._num_events, dtype=int32, name="event_size")

    def mode(self, name="mode"):
        with self._scope(name):
            return ops.cast(self._statistic("mode").fget(self), self._dtype)


class Multinomial(Distribution, more_discrete.Multinomial):
    """Counts of K categories in ``total_count`` draws of probabilities ``probs`` (or softmax(``logits``))."""
    _batch_parameter = "logits"
    _categorical_type = Categorical

    def __init__(self, total_count, logits=None, probs=None, validate_args=False, allow_nan_stats=True,
                 name="Multinomial"):
        if not (isinstance(total_count, numbers.Number) and float(total_count).is_integer()):
            raise NotImplementedError(f"Multinomial: total_count must be a Python integer here, got {total_count!r}")
        super().__init__(dict(logits=logits, probs=probs), validate_args, allow_nan_stats, name,
                         total_count=int(total_count))

    def entropy(self, name="entropy"):
        raise NotImplementedError("entropy is not implemented: Multinomial")
