"""Small array functions of TF1 that classic programs use: ``tf.shape_n`` (the shapes of several tensors),
``tf.saturate_cast`` (a cast that clamps to the target type's range first, where a plain cast of 300 to uint8
wraps to 44), ``tf.invert_permutation`` (p⁻¹ with p⁻¹[p[i]] = i), ``tf.unravel_index`` (flat positions to
coordinates, one row per dim), ``tf.clip_by_average_norm`` (t scaled so that ‖t‖₂ / t.size ≤ clip_norm),
``tf.nn.relu_layer`` (relu(x·W + b)) and ``tf.parallel_stack`` (``tf.stack`` without a gradient). Compositions of
the op library's functions.
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import apply
from ..ops.combine import Stack
from .array_ops import shape as shape_of
from .math_ops import FLOATS, cast, check_dtype, matching_list, matching_pair, tf_op, to_tensor
from .nn_ops import nn

__all__ = ["clip_by_average_norm", "invert_permutation", "parallel_stack", "saturate_cast", "shape_n",
           "unravel_index"]


def shape_n(input, out_type=dtypes.int32, name=None):
    """``[tf.shape(t) for t in input]``."""
    return [shape_of(t, out_type=out_type) for t in input]


@tf_op("saturate_cast")
def saturate_cast(value, dtype, name=None):
    """``value`` cast to ``dtype`` after clamping it to the numbers ``dtype`` holds (floats to integers: also
    rounded toward zero by the cast)."""
    value = to_tensor(value)
    target = numpy.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if target.kind in "iu" and value.dtype.kind in "iuf":
        info = numpy.iinfo(target)
        low, high = info.min, info.max
        if value.dtype.kind in "iu":  # only bounds the source type can hold (else they are no bound at all)
            source = numpy.iinfo(value.dtype)
            low, high = max(low, source.min), min(high, source.max)
        value = ops.clamp(value, min=low, max=high)
    elif target.kind == "f" and value.dtype.kind == "f" and target.itemsize < value.dtype.itemsize:
        largest = float(numpy.finfo(target).max)
        value = ops.clamp(value, min=-largest, max=largest)
    return cast(value, dtype)


@tf_op("InvertPermutation")
def invert_permutation(x, name=None):
    """The permutation y with y[x[i]] = i (x a vector holding each of 0 .. n-1 once)."""
    x = to_tensor(x)
    if x.dtype.kind not in "iu":
        raise TypeError(f"invert_permutation: x must be an int32 or int64 vector, got {x.dtype.name}")
    return ops.cast(ops.argsort(x, dim=0, stable=True), x.dtype)


@tf_op("UnravelIndex")
def unravel_index(indices, dims, name=None):
    """The coordinates of flat positions ``indices`` in a tensor of shape ``dims``: shape ``[len(dims)]`` for a
    scalar index, ``[len(dims), n]`` for a vector of n (row k holds the k-th coordinates)."""
    indices, dims = to_tensor(indices), to_tensor(dims)
    if indices.dtype.kind not in "iu" or dims.dtype.kind not in "iu":
        raise TypeError("unravel_index: indices and dims must be integer tensors")
    dims = ops.cast(dims, indices.dtype)
    later = ops.cat([dims[1:], ops.ones_like(dims[:1])], 0)
    strides = ops.flip(ops.cumprod(ops.flip(later, 0), 0), 0)  # the product of the dims after each
    if indices.ndim == 0:
        return ops.remainder(ops.floor_divide(indices, strides), dims)
    return ops.remainder(ops.floor_divide(ops.unsqueeze(indices, 0), ops.unsqueeze(strides, 1)),
                         ops.unsqueeze(dims, 1))


@tf_op("clip_by_average_norm")
def clip_by_average_norm(t, clip_norm, name=None):
    """``t · clip_norm / max(‖t‖₂ / n, clip_norm)`` with n the number of entries of t: t rescaled so that its
    average L2 norm is at most ``clip_norm``."""
    t = check_dtype(to_tensor(t), FLOATS)
    _, clip_norm = matching_pair("clip_by_average_norm", t, clip_norm)
    count = ops.prod(cast(shape_of(t), t.dtype))
    average = ops.sqrt(ops.sum(t * t)) / count
    return t * clip_norm / ops.maximum(average, clip_norm)


class ParallelConcat(Stack):
    """``tf.parallel_stack``'s op: ``Stack`` along a new first dim. TF registers no gradient for it, so
    differentiating through it is TF's LookupError."""

    @staticmethod
    def vjp(ctx, g):
        raise LookupError(f"No gradient defined for operation '{ctx.operation.name}' (op type: ParallelConcat): "
                          "tf.parallel_stack does not backpropagate; use tf.stack")


@tf_op("parallel_stack")
def parallel_stack(values, name="parallel_stack"):
    """``tf.stack(values)`` (along a new first dim), for tensors whose shape is fully known when the graph is built.
    TF's op copied each input into the result as soon as it was computed; here it is an ordinary stack, and, as in
    TF, it has no gradient."""
    tensors = matching_list("ParallelConcat", values)
    shapes = [t.shape.as_list() if t.shape.rank_known else None for t in tensors]
    if not tensors:
        raise ValueError("parallel_stack: values must hold at least one tensor, got an empty list")
    if not all(t.shape.is_fully_defined() for t in tensors):
        raise ValueError(f"parallel_stack: the shapes of the values must be known when the graph is built, got "
                         f"{shapes}; tf.stack takes them unknown")
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(f"parallel_stack: the values must all have one shape, got {shapes}")
    return apply(ParallelConcat, *tensors, dim=0)


@tf_op("relu_layer")
def relu_layer(x, weights, biases, name=None):
    """``relu(x · weights + biases)``: a dense layer with ReLU, in one call."""
    x, weights = matching_pair("relu_layer", x, weights)
    return ops.relu(ops.matmul(x, weights) + biases)


nn.relu_layer = relu_layer
