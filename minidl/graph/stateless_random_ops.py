"""``tf.random.stateless_uniform``, ``stateless_normal``, ``stateless_truncated_normal``, ``stateless_categorical``
and TF1's older ``stateless_multinomial``: random numbers that are a *function* of a seed tensor.

The stateful random ops (random_ops.py) keep a generator in the session that each run advances. A stateless op
keeps nothing: its output depends only on its inputs — the shape (or the logits), the bounds, and ``seed``, a
shape-[2] int32 or int64 tensor. So the same seed gives the same numbers in every run, session and graph, another
seed gives other numbers, and since ``seed`` is an ordinary input it may be computed or fed at run time
(``feed_dict={seed: [epoch, example_id]}`` replays one example's augmentation exactly).

Each run keys a fresh numpy Philox generator with the two seeds (as 64-bit words) and draws with the stateful op's
own ``sample`` — the same distributions, on the host, copied to the session's device. TF's stateless ops use Philox
too, but lay out its stream differently: **the numbers are not TF's**, only their distribution and determinism
are. (Nor are they stable across numpy versions that change how a Generator turns bits into normals.)
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors, random_ops
from .core import as_spec_shape, get_default_graph
from .frontend import convert_to_tensor
from .math_ops import tf_op
from .random_ops import (_FLOATS, _INTS, Multinomial, RandomStandardNormal, RandomUniform, RandomUniformInt,
                         TruncatedNormal, _check_dtype, _shape_input, categorical_arguments, uniform_in_range)

__all__ = ["stateless_categorical", "stateless_multinomial", "stateless_normal", "stateless_truncated_normal",
           "stateless_uniform"]


class _Stateless:
    """Mixin for a ``RandomOp``: its last input is the seed, from which each run makes a fresh generator."""

    @staticmethod
    def generator(session, operation, inputs):
        *inputs, seed = inputs
        if seed.shape != (2,):
            raise errors.InvalidArgumentError(None, operation, f"{operation.type}: seed must have shape [2], got "
                                                               f"{list(seed.shape)}")
        key = seed.astype(numpy.int64).astype(numpy.uint64)  # a negative seed wraps around, as a C cast does
        return numpy.random.Generator(numpy.random.Philox(key=key)), inputs


class StatelessRandomNormal(_Stateless, RandomStandardNormal):
    name = "StatelessRandomNormal"


class StatelessTruncatedNormal(_Stateless, TruncatedNormal):
    name = "StatelessTruncatedNormal"


class StatelessRandomUniform(_Stateless, RandomUniform):
    name = "StatelessRandomUniform"


class StatelessRandomUniformInt(_Stateless, RandomUniformInt):
    name = "StatelessRandomUniformInt"


class StatelessMultinomial(_Stateless, Multinomial):
    name = "StatelessMultinomial"


def _seed_tensor(seed, fn):
    """``seed`` as a 1-D int tensor of 2 elements, checked as far as the graph knows its shape."""
    seed = convert_to_tensor(seed, name="seed")
    if seed.dtype not in _INTS:
        raise TypeError(f"{fn}: seed must be an int32 or int64 tensor of shape [2], got dtype {seed.dtype.name}")
    shape = seed.shape
    if shape.rank_known and (shape.rank != 1 or shape[0] not in (None, 2)):
        raise ValueError(f"{fn}: seed must have shape [2] (two seeds), got shape {shape}")
    return seed


def _stateless_op(op, inputs, seed, static_shape, dtype, fn, **attrs):
    """Add the stateless random ``op`` on ``inputs`` and ``seed``; return its output."""
    operation = get_default_graph().create_op(op, [*inputs, _seed_tensor(seed, fn)], dict(attrs, dtype=dtype),
                                              [Spec(as_spec_shape(static_shape), dtype)], name=op.name)
    return operation.outputs[0]


@tf_op("stateless_random_uniform")
def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None):
    """Values uniform in [minval, maxval), a function of ``shape`` and ``seed`` (module docstring). Floats default
    to [0, 1); an integer dtype (int32, int64) needs ``maxval``, as in TF 1."""
    dtype = _check_dtype(dtype, _FLOATS + _INTS, "stateless_uniform")
    if dtype in _INTS and (minval is None or maxval is None):
        raise ValueError(f"stateless_uniform: must specify maxval (and minval) for integer dtype {dtype.name}, got "
                         f"minval={minval!r}, maxval={maxval!r}")
    return uniform_in_range(lambda op, inputs, static: _stateless_op(op, inputs, seed, static, dtype,
                                                                     "stateless_uniform"),
                            (StatelessRandomUniformInt, StatelessRandomUniform), shape, minval, maxval, dtype)


def _scaled(op, shape, seed, mean, stddev, dtype, fn):
    """``op``'s standard draw of ``shape`` keyed by ``seed``, times ``stddev``, plus ``mean``."""
    dtype = _check_dtype(dtype, _FLOATS, fn)
    shape_tensor, static = _shape_input(shape)
    mean = convert_to_tensor(mean, dtype, name="mean")
    stddev = convert_to_tensor(stddev, dtype, name="stddev")
    return ops.add(ops.mul(_stateless_op(op, [shape_tensor], seed, static, dtype, fn), stddev), mean)


@tf_op("stateless_random_normal")
def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
    """Samples of N(mean, stddev²), a function of ``shape`` and ``seed`` (module docstring)."""
    return _scaled(StatelessRandomNormal, shape, seed, mean, stddev, dtype, "stateless_normal")


@tf_op("stateless_truncated_normal")
def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
    """Samples of N(mean, stddev²) redrawn until within 2 standard deviations of the mean, a function of ``shape``
    and ``seed`` (module docstring)."""
    return _scaled(StatelessTruncatedNormal, shape, seed, mean, stddev, dtype, "stateless_truncated_normal")


def _categorical(fn, logits, num_samples, seed, dtype, name):
    logits, num_samples, dtype, static = categorical_arguments(logits, num_samples, dtype, fn)
    with get_default_graph().name_scope(name or fn):
        return _stateless_op(StatelessMultinomial, [logits], seed, static, dtype, fn, num_samples=num_samples)


def stateless_multinomial(logits, num_samples, seed, output_dtype=dtypes.int64, name=None):
    """For each row of ``logits`` [batch, classes], ``num_samples`` class indices drawn from softmax(logits), a
    function of the logits and ``seed`` (module docstring)."""
    return _categorical("stateless_multinomial", logits, num_samples, seed, output_dtype, name)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """``stateless_multinomial`` with TF 2's argument names."""
    return _categorical("stateless_categorical", logits, num_samples, seed, dtype, name)


for _function in (stateless_categorical, stateless_multinomial, stateless_normal, stateless_truncated_normal,
                  stateless_uniform):
    setattr(random_ops, _function.__name__, _function)  # tf.random.stateless_uniform ...
