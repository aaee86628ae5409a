"""Random ops: ``random_normal``, ``truncated_normal``, ``random_uniform``, ``random_shuffle``, ``multinomial``.

A random op is *stateful*: each run draws new numbers. The state is a numpy ``Generator`` that lives in the
session, one per operation, created the first time the session runs the op:

* **seeded** — ``tf.set_random_seed(s)`` (the graph-level seed) and/or the op's ``seed=`` argument: the generator
  starts from the pair (graph seed, op seed), fixed when the op was built (``Graph.next_op_seed``). So a new
  Session on the same graph replays the same sequence, and successive runs in one session advance it.
* **unseeded** — the generator starts from fresh OS entropy: every session sees different numbers.

With only a graph seed, each op gets its own op seed from a per-graph counter, so building the same program in a
fresh graph gives the same numbers, and two random ops in one graph still differ.

The draws are made on the host with numpy (the same numbers on CPU and GPU) and copied to the session's device.
Only the *standard* draw is a random op; scaling and shifting (``* stddev + mean``) are ordinary ops, as in TF,
so ``mean``/``stddev``/``minval``/``maxval`` may be tensors.

This module doubles as the ``tf.random`` namespace: ``tf.random.normal``, ``tf.random.uniform`` ... (and
``tf.random.stateless_*``, whose ops reuse these draws with a generator keyed by a seed tensor:
stateless_random_ops.py).
"""
import weakref

import numpy

from .. import ops
from ..backend import dtypes, host_array
from ..ops.base import Spec
from . import errors
from .core import Tensor, TensorShape, as_spec_shape, get_default_graph
from .frontend import constant_op, convert_to_tensor
from .graph_ops import GraphOp
from .math_ops import known_dims, tf_op

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int32, dtypes.int64)

# Session -> {Operation: numpy Generator}. Weak, so a session's generators go when the session does.
_generators = weakref.WeakKeyDictionary()


def _generator(session, operation):
    per_session = _generators.setdefault(session, {})
    rng = per_session.get(operation)
    if rng is None:
        seed = operation.attrs["seed"]
        rng = per_session[operation] = numpy.random.default_rng(None if seed is None else [s % 2 ** 64 for s in seed])
    return rng


class RandomOp(GraphOp):
    """Base of the random ops: ``sample(rng, attrs, *inputs)`` draws the output as a numpy array (a tuple of
    them for an op with several outputs), from the generator that ``generator(session, operation, inputs)`` picks
    (with the inputs ``sample`` takes).

    attrs always hold ``seed``: the (graph seed, op seed) pair, or None for an unseeded op.
    """
    name = "RandomOp"  # set explicitly: Op subclasses would inherit their base's name

    @classmethod
    def execute(cls, session, operation, arrays):
        rng, inputs = cls.generator(session, operation, [host_array(a) for a in arrays])
        out = cls.sample(rng, operation.attrs, *inputs)
        return tuple(session.on_device(a) for a in (out if isinstance(out, tuple) else (out,)))

    @staticmethod
    def generator(session, operation, inputs):
        """The session's generator of this operation, which each run advances (the module docstring)."""
        return _generator(session, operation), inputs

    @staticmethod
    def sample(rng, attrs, *inputs):
        raise NotImplementedError


def _draw_dtype(dtype):
    """numpy draws float32 or float64 directly; float16 is drawn as float32 and rounded."""
    return dtypes.float64 if dtype == dtypes.float64 else dtypes.float32


def _shape_of(shape_array):
    return tuple(int(d) for d in shape_array.reshape(-1))


class RandomStandardNormal(RandomOp):
    """Samples of N(0, 1); input: the output shape as a 1-D int tensor."""
    name = "RandomStandardNormal"

    @staticmethod
    def sample(rng, attrs, shape):
        dtype = attrs["dtype"]
        return rng.standard_normal(_shape_of(shape), dtype=_draw_dtype(dtype)).astype(dtype, copy=False)


class TruncatedNormal(RandomOp):
    """Samples of N(0, 1) conditioned on |x| <= 2: any draw beyond two standard deviations is drawn again."""
    name = "TruncatedNormal"

    @staticmethod
    def sample(rng, attrs, shape):
        dtype = attrs["dtype"]
        x = numpy.asarray(rng.standard_normal(_shape_of(shape), dtype=_draw_dtype(dtype)))
        outside = numpy.abs(x) > 2
        while outside.any():
            x[outside] = rng.standard_normal(int(outside.sum()), dtype=x.dtype)
            outside = numpy.abs(x) > 2
        return x.astype(dtype, copy=False)


class RandomUniform(RandomOp):
    """Samples of U[0, 1)."""
    name = "RandomUniform"

    @staticmethod
    def sample(rng, attrs, shape):
        dtype = attrs["dtype"]
        return rng.random(_shape_of(shape), dtype=_draw_dtype(dtype)).astype(dtype, copy=False)


class RandomUniformInt(RandomOp):
    """Integers uniform in [minval, maxval); inputs: shape, minval, maxval (scalars)."""
    name = "RandomUniformInt"

    @staticmethod
    def sample(rng, attrs, shape, minval, maxval):
        low, high = int(minval), int(maxval)
        if low >= high:
            raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {low} >= {high}")
        return rng.integers(low, high, size=_shape_of(shape), dtype=attrs["dtype"])


class RandomShuffle(RandomOp):
    """The input with its first dimension randomly permuted."""
    name = "RandomShuffle"

    @staticmethod
    def sample(rng, attrs, value):
        return value[rng.permutation(value.shape[0])] if value.ndim else value


class Multinomial(RandomOp):
    """``num_samples`` class indices per row of ``logits`` [batch, classes], drawn with probabilities
    softmax(logits), by the Gumbel-max trick: ``argmax(logits + g)`` with g ~ Gumbel(0, 1) per class is a sample
    of softmax(logits) — no normalization needed, and a ``-inf`` logit is never drawn."""
    name = "Multinomial"

    @staticmethod
    def sample(rng, attrs, logits):
        logits = logits.astype(numpy.float64)
        noise = rng.gumbel(size=(logits.shape[0], attrs["num_samples"], logits.shape[1]))
        return numpy.argmax(logits[:, None, :] + noise, axis=-1).astype(attrs["dtype"])


class RandomGamma(RandomOp):
    """Samples of Gamma(alpha, 1) (shape alpha, rate 1), ``shape + alpha.shape``: for each of the leading ``shape``
    draws, one sample per entry of ``alpha``."""
    name = "RandomGamma"

    @staticmethod
    def sample(rng, attrs, shape, alpha):
        if not (alpha > 0).all():
            raise errors.InvalidArgumentError(None, None, "random_gamma: alpha must be positive")
        draws = rng.standard_gamma(alpha.astype(numpy.float64), size=_shape_of(shape) + alpha.shape)
        return draws.astype(attrs["dtype"])


class RandomPoisson(RandomOp):
    """Poisson counts, ``shape + lam.shape``: for each of the leading ``shape`` draws, one per rate in ``lam``."""
    name = "RandomPoissonV2"

    @staticmethod
    def sample(rng, attrs, shape, lam):
        if not (lam >= 0).all():
            raise errors.InvalidArgumentError(None, None, "random_poisson: the rates lam must be non-negative")
        return rng.poisson(lam.astype(numpy.float64), size=_shape_of(shape) + lam.shape).astype(attrs["dtype"])


# ------------------------------------------------------------------------------------------- building

def _shape_input(shape):
    """The shape argument as (1-D int tensor, static output shape): the dims the graph knows (``known_dims``)."""
    if isinstance(shape, Tensor):
        if shape.dtype not in _INTS or shape.shape.rank not in (None, 1):
            raise TypeError(f"The shape of a random op must be a 1-D int32 or int64 tensor, got {shape!r}")
        return shape, TensorShape(known_dims(shape))
    if isinstance(shape, TensorShape) and not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor")
    if isinstance(shape, (list, tuple)) and any(isinstance(d, Tensor) for d in shape):
        packed = convert_to_tensor(shape, name="shape")
        return packed, TensorShape([None if isinstance(d, Tensor) else int(d) for d in shape])
    if numpy.ndim(shape) != 1:
        raise ValueError(f"The shape of a random op must be a list of dimensions, got {shape!r}")
    if numpy.asarray(shape).dtype.kind not in "iu" and numpy.size(shape):  # (numpy would truncate a 2.5 to 2)
        raise TypeError(f"Expected int32, got {shape!r} instead: the entries of a shape are integers")
    dims = numpy.asarray(shape, dtype=numpy.int64)
    if (dims < 0).any():
        raise ValueError(f"The shape of a random op cannot have negative dimensions, got {list(dims)}")
    return constant_op(dims.astype(numpy.int32), name="shape"), TensorShape(dims)


def add_random_op(op, inputs, static_shape, dtype, seed, name, **attrs):
    """Add a random ``op`` (a ``RandomOp``) whose output has ``static_shape`` and ``dtype``, seeded with the
    (graph seed, op seed) pair for ``seed``, and return its output."""
    graph = get_default_graph()
    graph_seed, op_seed = graph.next_op_seed(seed)
    attrs = dict(attrs, dtype=dtype, seed=None if op_seed is None else (graph_seed, op_seed))
    operation = graph.create_op(op, inputs, attrs, [Spec(as_spec_shape(static_shape), dtype)], name=name)
    return operation.outputs[0]


def _check_dtype(dtype, allowed, fn):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in allowed:
        raise TypeError(f"{fn}: Value passed to parameter 'dtype' has DataType {dtype.name} not in list of allowed "
                        f"values: {', '.join(d.name for d in allowed)}")
    return dtype


@tf_op("random_normal")  # the result is named ``name`` itself, as TF1 names it (``noise:0``)
def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples of N(mean, stddev²): a standard normal draw, times ``stddev``, plus ``mean``."""
    return _scaled(RandomStandardNormal, shape, mean, stddev, _check_dtype(dtype, _FLOATS, "random_normal"), seed)


@tf_op("truncated_normal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Like ``random_normal``, but values more than 2 standard deviations from the mean are drawn again — the
    usual weight initialization: no rare huge weight."""
    return _scaled(TruncatedNormal, shape, mean, stddev, _check_dtype(dtype, _FLOATS, "truncated_normal"), seed)


def _scaled(op, shape, mean, stddev, dtype, seed):
    """``op``'s standard draw of ``shape``, times ``stddev``, plus ``mean``."""
    shape_tensor, static = _shape_input(shape)
    mean = convert_to_tensor(mean, dtype, name="mean")
    stddev = convert_to_tensor(stddev, dtype, name="stddev")
    return ops.add(ops.mul(add_random_op(op, [shape_tensor], static, dtype, seed, op.name), stddev), mean)


@tf_op("random_uniform")
def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniform in [minval, maxval). Floats default to [0, 1); integer dtypes need ``maxval``."""
    dtype = _check_dtype(dtype, _FLOATS + _INTS, "random_uniform")
    if dtype in _INTS and maxval is None:
        raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
    return uniform_in_range(lambda op, inputs, static: add_random_op(op, inputs, static, dtype, seed, op.name),
                            (RandomUniformInt, RandomUniform), shape, minval, maxval, dtype)


def uniform_in_range(add_op, int_and_float_ops, shape, minval, maxval, dtype):
    """Samples uniform in [minval, maxval) (maxval None: 1) of ``shape``, from the ops ``add_op(op, inputs,
    static_shape)`` adds: for an integer dtype the first of ``int_and_float_ops``, which draws in the range itself;
    else the second's [0, 1) draws, scaled and shifted (so ``minval`` and ``maxval`` may be tensors)."""
    int_op, float_op = int_and_float_ops
    shape_tensor, static = _shape_input(shape)
    minval = convert_to_tensor(minval, dtype, name="min")
    maxval = convert_to_tensor(1 if maxval is None else maxval, dtype, name="max")
    if dtype in _INTS:
        return add_op(int_op, [shape_tensor, minval, maxval], static)
    return ops.add(ops.mul(add_op(float_op, [shape_tensor], static), ops.sub(maxval, minval)), minval)


@tf_op("random_gamma")
def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples of Gamma(alpha, beta) (beta the rate: mean alpha / beta), of shape ``shape + broadcast(alpha,
    beta).shape``, differentiable in alpha as TF's (implicitly, through the gamma cdf: ``reparameterized_gamma``,
    as ``tf.distributions.Gamma`` samples) and in beta."""
    dtype = _check_dtype(dtype, _FLOATS, "random_gamma")
    shape_tensor, static = _shape_input(shape)
    alpha = convert_to_tensor(alpha, dtype, name="alpha")
    if beta is not None:
        beta = convert_to_tensor(beta, dtype, name="beta")
        alpha = ops.add(alpha, ops.zeros_like(beta))  # the broadcast shape of both
    draws = add_random_op(RandomGamma, [shape_tensor, alpha], TensorShape(tuple(static) + tuple(alpha.shape)),
                          dtype, seed, "RandomGamma")
    draws = ops.reparameterized_gamma(ops.broadcast_to_like(alpha, draws), draws)
    return draws if beta is None else ops.div(draws, beta)


@tf_op("random_poisson")
def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None):
    """Poisson counts with rates ``lam``, of shape ``shape + lam.shape``, as ``dtype`` (floats or ints)."""
    dtype = _check_dtype(dtype, _FLOATS + _INTS, "random_poisson")
    shape_tensor, static = _shape_input(shape)
    lam = convert_to_tensor(lam, name="lam")
    return add_random_op(RandomPoisson, [shape_tensor, lam], TensorShape(tuple(static) + tuple(lam.shape)), dtype,
                         seed, "RandomPoissonV2")


def random_shuffle(value, seed=None, name=None):
    """``value`` with its rows (first dimension) in a random order."""
    value = convert_to_tensor(value)
    return add_random_op(RandomShuffle, [value], value.shape, value.dtype, seed, name or "RandomShuffle")


def categorical_arguments(logits, num_samples, output_dtype, fn):
    """``fn``'s checked arguments: ``logits`` as a [batch, classes] tensor, ``num_samples`` as an int, the output
    dtype (int64 by default), and the static shape of the draws."""
    logits = convert_to_tensor(logits)
    if logits.shape.rank != 2:
        raise ValueError(f"{fn}: logits should be a matrix [batch_size, num_classes], got shape {logits.shape}")
    if not isinstance(num_samples, (int, numpy.integer)) or num_samples < 0:
        raise TypeError(f"{fn}: num_samples must be a non-negative Python int, got {num_samples!r}")
    dtype = _check_dtype(dtypes.int64 if output_dtype is None else output_dtype, _INTS, fn)
    return logits, int(num_samples), dtype, TensorShape([logits.shape[0], int(num_samples)])


def _draw_categorical(fn, logits, num_samples, seed, output_dtype, name):
    """``multinomial`` and ``categorical``: the same draws, each function's errors naming itself."""
    logits, num_samples, dtype, static = categorical_arguments(logits, num_samples, output_dtype, fn)
    with get_default_graph().name_scope(name or fn):
        return add_random_op(Multinomial, [logits], static, dtype, seed, "Multinomial", num_samples=num_samples)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """For each row of ``logits`` [batch, classes], ``num_samples`` class indices drawn from softmax(logits)."""
    return _draw_categorical("multinomial", logits, num_samples, seed, output_dtype, name)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``tf.random.categorical``: ``multinomial`` with TF 2's argument names."""
    return _draw_categorical("categorical", logits, num_samples, seed, dtype, name)


def set_random_seed(seed):
    """Set the default graph's seed: from now on its random ops are reproducible (see the module docstring)."""
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed):
    """The (graph seed, op seed) pair a random op built now with ``seed=op_seed`` starts from (see the module
    docstring): (None, None) when neither the graph nor ``op_seed`` gives a seed; with only ``op_seed``, TF's
    default graph seed beside it; with only a graph seed, the next op seed of the graph's counter."""
    return get_default_graph().next_op_seed(None if op_seed is None else int(op_seed))


# tf.random.* names
normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
gamma = random_gamma
poisson = random_poisson
