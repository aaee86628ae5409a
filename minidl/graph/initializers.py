"""Initializers: recipes for a variable's first value, called as ``init(shape, dtype=None, partition_info=None)``.

``get_variable`` calls its initializer (default: ``glorot_uniform_initializer``) with the variable's shape and
dtype; the initializer returns a tensor — a constant, or a random op — that becomes the variable's initial value.

**Why scale by fan-in / fan-out.** A layer ``y = x W`` with ``fan_in`` inputs sums ``fan_in`` terms, so the
variance of ``y`` is about ``fan_in · Var(W) · Var(x)``. Choosing ``Var(W) = scale / n`` with ``n`` the fan-in
(or the average of fan-in and fan-out, Glorot & Bengio's compromise that also keeps the *gradients'* variance
steady on the way back) keeps signals from growing or dying out layer after layer:

* ``glorot_uniform``: U(-limit, limit) with ``limit = sqrt(6 / (fan_in + fan_out))`` (a uniform on [-a, a] has
  variance a²/3, so this is variance 2 / (fan_in + fan_out));
* ``glorot_normal``: a truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out)) / .87962566103423978`` — the
  constant is the standard deviation of N(0, 1) truncated to [-2, 2], which the division undoes.

For a convolution kernel ``[kh, kw, in_channels, out_channels]`` each output sums over a whole receptive field:
``fan_in = kh·kw·in_channels`` and ``fan_out = kh·kw·out_channels``.

This module doubles as the ``tf.initializers`` namespace (``tf.initializers.zeros()``,
``tf.initializers.global_variables()`` ...).
"""
import inspect
import math

import numpy

from ..backend import dtypes
from . import random_ops
from .core import TensorShape, get_default_graph
from .dtypes import as_dtype
from .frontend import constant_op
from .variables import global_variables_initializer, local_variables_initializer, variables_initializer


def _static_shape(shape):
    shape = TensorShape(shape)
    if not shape.is_fully_defined():
        raise ValueError(f"An initializer needs a fully defined shape, got {shape}")
    return tuple(shape)


def _filled(shape, value, dtype, name):
    """A constant of ``shape`` filled with ``value``, stored as one number: a zero-stride broadcast view."""
    one = numpy.asarray(value, dtype=dtype)
    return constant_op(numpy.broadcast_to(one, _static_shape(shape)), dtype, name=name)


class Initializer:
    """Base class: ``dtype`` is used when the call gives none."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = as_dtype(dtype)  # a tf.DType

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def _dtype(self, dtype):
        """The dtype of a call: the one asked for, else the initializer's own."""
        return dtypes.as_dtype(self.dtype if dtype is None else dtype)

    def get_config(self):
        """The constructor's arguments, read back from the attributes of the same names (each initializer keeps
        them so), the dtype by name: what ``from_config`` makes a twin from, and what Keras saves."""
        parameters = inspect.signature(type(self).__init__).parameters
        config = {name: getattr(self, name) for name, parameter in parameters.items()
                  if name != "self" and parameter.kind is parameter.POSITIONAL_OR_KEYWORD and hasattr(self, name)}
        config["dtype"] = self.dtype.name
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return _filled(shape, 0, self._dtype(dtype), "zeros")


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return _filled(shape, 1, self._dtype(dtype), "ones")


class Constant(Initializer):
    """A given value: a scalar fills the shape; a list or array fills it in row-major order, and a list shorter
    than the shape is padded with its last element (TF 1's rule)."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        super().__init__(dtype)
        self.value, self.verify_shape = value, verify_shape

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        flat = numpy.asarray(self.value, dtype=dtype).reshape(-1)
        shape = _static_shape(shape)
        n = math.prod(shape)
        if flat.size == 1 and not self.verify_shape:
            return _filled(shape, flat[0], dtype, "Const")
        if flat.size > n or (self.verify_shape and flat.size != n):
            raise ValueError(f"Too many elements provided. Needed at most {n}, but received {flat.size}"
                             if flat.size > n else f"Expected a value of {n} elements for shape {list(shape)}, got "
                                                   f"{flat.size}")
        if flat.size < n:
            flat = numpy.concatenate([flat, numpy.full(n - flat.size, flat[-1], dtype=dtype)])
        return constant_op(flat.reshape(shape), dtype, name="Const")


class RandomNormal(Initializer):
    """N(mean, stddev²)."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(shape, self.mean, self.stddev, self._dtype(dtype), seed=self.seed)


class TruncatedNormal(RandomNormal):
    """N(mean, stddev²) redrawn beyond two standard deviations."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(shape, self.mean, self.stddev, self._dtype(dtype), seed=self.seed)


class RandomUniform(Initializer):
    """U[minval, maxval) (maxval defaults to 1 for floats)."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval, self._dtype(dtype), seed=self.seed)


def compute_fans(shape):
    """(fan_in, fan_out) of a weight of ``shape``: ``[in, out]`` for a matrix; for a conv kernel
    ``[*receptive_field, in, out]`` both are multiplied by the receptive field's size."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(Initializer):
    """Variance ``scale / n``, with n the fan-in, the fan-out or their average (``mode``).

    ``distribution``: "truncated_normal" (or TF 1's "normal"): stddev ``sqrt(scale / n) / .87962566103423978``;
    "untruncated_normal": stddev ``sqrt(scale / n)``; "uniform": U(-limit, limit), ``limit = sqrt(3 scale / n)``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        if distribution not in ("normal", "truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        fan_in, fan_out = compute_fans(_static_shape(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(variance), dtype, seed=self.seed)
        # N(0, 1) truncated to [-2, 2] has stddev .8796...; dividing by it restores the wanted variance
        return random_ops.truncated_normal(shape, 0.0, math.sqrt(variance) / .87962566103423978, dtype,
                                           seed=self.seed)


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), ``limit = sqrt(6 / (fan_in + fan_out))`` (Xavier uniform): ``get_variable``'s default."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(VarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out)) / .87962566103423978`` (Xavier normal)."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


class UniformUnitScaling(Initializer):
    """U(-limit, limit), ``limit = factor · sqrt(3 / n)`` with n the product of all dims but the last (at least 1):
    TF's early initializer keeping a linear layer's output variance that of its input (deprecated in TF 1.x for
    ``variance_scaling_initializer(factor, distribution="uniform")``, which counts a conv kernel's fan-in alike)."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.factor, self.seed = factor, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        inputs = max(1.0, float(math.prod(_static_shape(shape)[:-1])))
        limit = math.sqrt(3 / inputs) * self.factor
        return random_ops.random_uniform(shape, -limit, limit, self._dtype(dtype), seed=self.seed)


class RandomOrthogonal(random_ops.RandomOp):
    """A random matrix with orthonormal rows or columns (the Q of a QR decomposition of a Gaussian matrix, with
    the signs fixed by R's diagonal so that Q is uniformly distributed), times ``gain``, reshaped."""
    name = "RandomOrthogonal"  # set explicitly: Op subclasses would inherit their base's name

    @staticmethod
    def sample(rng, attrs, shape):
        shape = tuple(int(d) for d in shape)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = numpy.linalg.qr(a)
        q *= numpy.sign(numpy.diag(r))
        if rows < cols:
            q = q.T
        return (attrs["gain"] * q).reshape(shape).astype(attrs["dtype"])


class Orthogonal(Initializer):
    """An orthogonal matrix (for a shape of rank > 2: the last dimension against all the others flattened):
    multiplying by it preserves norms, which keeps deep and recurrent nets' signals steady."""

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _static_shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        with get_default_graph().name_scope("orthogonal"):
            shape_tensor = constant_op(numpy.asarray(shape, dtype=numpy.int32), name="shape")
            return random_ops.add_random_op(RandomOrthogonal, [shape_tensor], TensorShape(shape),
                                            self._dtype(dtype), self.seed, "RandomOrthogonal",
                                            gain=float(self.gain))


class Identity(Initializer):
    """The identity matrix times ``gain`` (2-D shapes only; a non-square one has ones on its main diagonal): a
    recurrent layer started there carries its state over unchanged (Le et al. 2015, IRNN)."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        super().__init__(dtype)
        self.gain = gain

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _static_shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices, got shape {list(shape)}")
        dtype = self._dtype(dtype)
        return constant_op(numpy.asarray(self.gain * numpy.eye(*shape), dtype=dtype), dtype, name="identity")


# TF 1's names
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
random_uniform_initializer = RandomUniform
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
def he_normal(seed=None):
    """He et al. (2015) for ReLU layers: variance 2 / fan_in, truncated normal."""
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    """He et al. (2015), uniform: U(-limit, limit) with limit = sqrt(6 / fan_in)."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    """LeCun (1998), as SELU networks need: variance 1 / fan_in, truncated normal."""
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    """LeCun, uniform: limit sqrt(3 / fan_in)."""
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
identity_initializer = Identity
uniform_unit_scaling_initializer = UniformUnitScaling

# tf.initializers.* names
zeros, ones, constant = Zeros, Ones, Constant
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform
variance_scaling, glorot_uniform, glorot_normal, orthogonal = VarianceScaling, GlorotUniform, GlorotNormal, Orthogonal
identity = Identity
uniform_unit_scaling = UniformUnitScaling
global_variables = global_variables_initializer
local_variables = local_variables_initializer
variables = variables_initializer
