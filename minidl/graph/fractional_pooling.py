"""``tf.nn.fractional_max_pool`` and ``tf.nn.fractional_avg_pool`` (tf.compat.v1): pooling that shrinks an NHWC
image by ratios that need not be integers (Graham, "Fractional Max-Pooling", 2014). Importing this module adds
them to ``tf.nn``.

Each returns ``(output, row_pooling_sequence, col_pooling_sequence)``. The output has ``floor(H / ratio_h)`` rows
(the division in float32, as TF's kernel does it) and likewise columns; the int64 sequences, one entry longer,
bound the windows (``minidl/ops/pooling_sequences.py`` has the window rule and the ops). Every image and
channel shares one row and one column sequence per run. With k = floor(n / m) for n entries cut into m windows,
every step of a sequence is k or k + 1:

* **random** (``pseudo_random=False``): (n mod m) steps of k + 1 and the rest of k, in a random order;
* **pseudo-random**: with alpha = n / m and u drawn uniform in [0, u_max), the boundaries
  ``ceil(alpha (i + u)) - 1`` for i = 1 .. m - 1 between 0 and n, where u_max = min((k + 2) / alpha - 1,
  (n + 1 - k) / alpha - (m - 1)) keeps the first and last steps within [k, k + 1].

The sequences come from a random op (``random_ops.RandomOp``): a fresh pair on every ``Session.run``, from a
generator seeded with ``(seed, seed2)`` when either is non-zero (only those: as in TF1, the graph-level seed
plays no part) and from fresh entropy otherwise. ``deterministic=True`` draws once per session (and input shape)
and keeps those windows. TF draws with its Philox generator, minidl with numpy's, so the same seeds give other
sequences than TF's, with the same properties. The gradient flows to ``value``: to each window's (first)
maximum for max pooling, spread evenly over the window for average pooling.
"""
import math
import weakref
from collections import namedtuple

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .array_ops import shape as shape_of
from .core import get_default_graph
from .math_ops import check_dtype, tf_op, to_tensor
from .nn_ops import nn
from .nn_training import _from_nchw, _to_nchw, with_rank
from .random_ops import RandomOp, _generator

FractionalPoolOutput = namedtuple("FractionalPoolOutput", "output row_pooling_sequence col_pooling_sequence")

# Session -> {(Operation, input shape): (row sequence, column sequence)}: the windows of deterministic ops
_fixed_sequences = weakref.WeakKeyDictionary()


def output_size(size, ratio):
    """``floor(size / ratio)`` computed in float32, as TF computes it (18 / 1.2 gives 14 there, not 15)."""
    return int(numpy.floor(numpy.float32(size) / numpy.float32(ratio)))


def pooling_sequence(rng, size, out, pseudo_random):
    """The ``out + 1`` boundaries, from 0 to ``size``, of ``out`` windows over ``size`` entries (module docstring),
    as int64."""
    k = size // out
    if pseudo_random:
        alpha = size / out
        u = rng.random() * min((k + 2) / alpha - 1, (size + 1 - k) / alpha - (out - 1))
        inner = numpy.ceil(alpha * (numpy.arange(1, out) + u)).astype(numpy.int64) - 1
        return numpy.concatenate([[0], inner, [size]]).astype(numpy.int64)
    steps = numpy.full(out, k, dtype=numpy.int64)
    steps[:size % out] += 1
    rng.shuffle(steps)
    return numpy.concatenate([[0], numpy.cumsum(steps)])


class FractionalPoolingSequences(RandomOp):
    """(row sequence, column sequence) for an NHWC input whose shape is the op's input."""
    name = "FractionalPoolingSequences"
    n_outputs = 2

    @classmethod
    def execute(cls, session, operation, arrays):
        host = arrays[0] if isinstance(arrays[0], numpy.ndarray) else arrays[0].get()
        shape = tuple(int(d) for d in host)
        if operation.attrs["deterministic"]:
            fixed = _fixed_sequences.setdefault(session, {})
            key = (operation, shape)
            if key not in fixed:
                fixed[key] = cls.sample(_generator(session, operation), operation.attrs, shape)
            sequences = fixed[key]
        else:
            sequences = cls.sample(_generator(session, operation), operation.attrs, shape)
        return tuple(session.on_device(s) for s in sequences)

    @staticmethod
    def sample(rng, attrs, shape):
        sequences = []
        for size, ratio, what in zip(shape[1:3], attrs["pooling_ratio"][1:3], ("height", "width")):
            out = output_size(size, ratio)
            if out <= 0:
                raise errors.InvalidArgumentError(
                    None, None, f"{attrs['pool']}: the output {what} floor({size} / {ratio}) must be positive: the "
                                f"input (shape {list(shape)}) is smaller than pooling_ratio {attrs['pooling_ratio']}")
            sequences.append(pooling_sequence(rng, size, out, attrs["pseudo_random"]))
        return sequences


def _pooling_ratio(pooling_ratio, pool):
    """``pooling_ratio`` as a tuple of 4 floats: 1 for the batch and the channels, at least 1 for H and W."""
    ratios = tuple(float(r) for r in numpy.ravel(pooling_ratio))
    if len(ratios) != 4:
        raise ValueError(f"{pool}: pooling_ratio must specify 4 dimensions [1, rows, cols, 1], got {pooling_ratio}")
    if ratios[0] != 1 or ratios[3] != 1:
        raise errors.UnimplementedError(None, None, f"{pool} is not yet supported on the batch nor channel dimension: "
                                                    f"pooling_ratio {list(ratios)} must start and end with 1")
    if not all(r >= 1 and math.isfinite(r) for r in ratios[1:3]):
        raise ValueError(f"{pool}: pooling_ratio cannot be smaller than 1, got {list(ratios)}")
    return ratios


def _fractional_pool(pool, value, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, allowed):
    x = check_dtype(to_tensor(value), allowed, "value")
    x = with_rank(x, 4, "value")
    ratios = _pooling_ratio(pooling_ratio, pool)
    outs = [None if size is None else output_size(size, ratio) for size, ratio in zip(x.shape[1:3], ratios[1:3])]
    if any(out is not None and out <= 0 for out in outs):
        raise ValueError(f"{pool}: the output size floor(input / pooling_ratio) must be positive, got {outs} for "
                         f"input shape {list(x.shape)} and pooling_ratio {list(ratios)}")
    attrs = dict(pooling_ratio=ratios, pseudo_random=bool(pseudo_random), deterministic=bool(deterministic),
                 pool=pool, seed=(int(seed), int(seed2)) if seed or seed2 else None)
    specs = [Spec((None if out is None else out + 1,), dtypes.int64) for out in outs]
    graph = get_default_graph()
    rows, cols = graph.create_op(FractionalPoolingSequences, [shape_of(x)], attrs, specs,
                                 name="FractionalPoolingSequences").outputs
    nchw = _to_nchw(x, True)
    if pool == "fractional_max_pool":
        pooled = ops.sequence_max_pool2d(nchw, rows, cols, overlapping)[0]
    else:
        pooled = ops.sequence_avg_pool2d(nchw, rows, cols, overlapping)
    return FractionalPoolOutput(_from_nchw(pooled, True), rows, cols)


@tf_op("FractionalMaxPool")
def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False, seed=0,
                        seed2=0, name=None):
    """``(output, row_pooling_sequence, col_pooling_sequence)``: the max of ``value`` (NHWC; int32, int64,
    float32 or float64) over windows about ``pooling_ratio[1]`` by ``pooling_ratio[2]`` in size (module
    docstring). ``overlapping`` adds to each window the first row and column of the next."""
    return _fractional_pool("fractional_max_pool", value, pooling_ratio, pseudo_random, overlapping,
                            deterministic, seed, seed2, ("int32", "int64", "float32", "float64"))


@tf_op("FractionalAvgPool")
def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False, seed=0,
                        seed2=0, name=None):
    """``fractional_max_pool`` with the mean of each window instead of its max (floating point ``value``)."""
    return _fractional_pool("fractional_avg_pool", value, pooling_ratio, pseudo_random, overlapping,
                            deterministic, seed, seed2, ("float32", "float64"))


nn.fractional_max_pool = fractional_max_pool
nn.fractional_avg_pool = fractional_avg_pool
