"""The tensor functions of ``tf.keras.backend`` (``K.mean``, ``K.square`` ...) that custom losses and metrics
are written with — ``def rmse(y_true, y_pred): return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))`` — as
the graph ops they name. ``backend.py`` exports them; ``K.function`` runs a set of them in the Keras session."""
from .. import array_ops, basics, math_ops, variables
from ..nn_ops import nn

__all__ = ["abs", "argmax", "argmin", "cast", "clip", "concatenate", "constant", "dot", "equal", "exp", "expand_dims",
           "flatten", "int_shape", "log", "max", "maximum", "mean", "min", "minimum", "ndim", "ones", "placeholder",
           "pow", "relu", "reshape", "round", "shape", "sigmoid", "sign", "softmax", "sqrt", "square", "squeeze",
           "stack", "std", "sum", "tanh", "transpose", "var", "variable", "zeros", "gradients", "stop_gradient"]


def _reduction(function):
    def reduce(x, axis=None, keepdims=False):
        return function(x, axis=axis, keepdims=keepdims)
    reduce.__doc__ = f"``{function.__name__}`` over ``axis`` (all axes by default)."
    return reduce


mean, sum, max, min = (_reduction(f) for f in (math_ops.reduce_mean, math_ops.reduce_sum, math_ops.reduce_max,
                                               math_ops.reduce_min))
abs, exp, log, sqrt, square, sign, round = (math_ops.abs, math_ops.exp, math_ops.log, math_ops.sqrt, math_ops.square,
                                            math_ops.sign, math_ops.round)
maximum, minimum, equal = math_ops.maximum, math_ops.minimum, math_ops.equal
sigmoid, tanh, relu = nn.sigmoid, nn.tanh, nn.relu
reshape, transpose, stack, shape = array_ops.reshape, array_ops.transpose, array_ops.stack, array_ops.shape
expand_dims, squeeze, stop_gradient = array_ops.expand_dims, array_ops.squeeze, basics.stop_gradient


def var(x, axis=None, keepdims=False):
    """The (biased) variance over ``axis``."""
    return mean(square(x - mean(x, axis, True)), axis, keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis, keepdims))


def pow(x, a):
    return math_ops.pow(x, a)


def clip(x, min_value, max_value):
    return math_ops.clip_by_value(x, min_value, max_value)


def cast(x, dtype):
    return math_ops.cast(x, dtype)


def dot(x, y):
    """The matrix product (over the last axis of x and the first of y, for 2-D operands)."""
    return math_ops.matmul(x, y)


def argmax(x, axis=-1):
    return math_ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return math_ops.argmin(x, axis=axis)


def softmax(x, axis=-1):
    return nn.softmax(x, axis=axis)


def concatenate(tensors, axis=-1):
    return array_ops.concat(list(tensors), axis)


def flatten(x):
    return array_ops.reshape(x, [-1])


def ndim(x):
    return x.shape.rank


def int_shape(x):
    """The static shape as a tuple of ints (None where unknown)."""
    return tuple(x.shape.as_list())


def ones(shape, dtype="float32", name=None):
    return array_ops.ones(shape, dtype, name=name)


def zeros(shape, dtype="float32", name=None):
    return array_ops.zeros(shape, dtype, name=name)


def constant(value, dtype=None, shape=None, name=None):
    return basics.constant(value, dtype, shape, name=name)


def variable(value, dtype=None, name=None):
    """A variable holding ``value`` (Keras initializes it in its session when first used)."""
    initial = value if dtype is None else math_ops.cast(basics.constant(value), dtype)
    return variables.Variable(initial, name=name)


def placeholder(shape=None, ndim=None, dtype="float32", name=None):
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return basics.placeholder(dtype, shape, name=name)


def gradients(loss, variables_):
    from ..gradients import gradients as tf_gradients
    return tf_gradients(loss, variables_)
