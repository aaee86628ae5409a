"""The tensor functions of ``tf.keras.backend`` (``K.mean``, ``K.square`` ...) that custom losses and metrics
are written with — ``def rmse(y_true, y_pred): return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))`` — as
the graph ops they name. ``backend.py`` exports them; ``K.function`` runs a set of them in the Keras session."""
from .. import array_ops, basics, math_ops, random_ops, variables
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


sum, max, min = (_reduction(f) for f in (math_ops.reduce_sum, math_ops.reduce_max, math_ops.reduce_min))


def mean(x, axis=None, keepdims=False):
    """``reduce_mean`` over ``axis`` (all axes by default); booleans count as floatx 0 and 1, as in Keras (the
    fraction of True: an accuracy)."""
    from .backend import floatx  # (backend imports this module at its end)
    x = math_ops.to_tensor(x)
    if x.dtype == "bool":
        x = math_ops.cast(x, floatx())
    return math_ops.reduce_mean(x, axis=axis, keepdims=keepdims)
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


# more of Keras' backend, as TF 1 programs' custom losses and layers use it
def image_data_format():
    return "channels_last"


def ones_like(x, dtype=None, name=None):
    return array_ops.ones_like(x, dtype=dtype, name=name)


def zeros_like(x, dtype=None, name=None):
    return array_ops.zeros_like(x, dtype=dtype, name=name)


def switch(condition, then_expression, else_expression):
    """``then`` where ``condition``, else ``else`` (elementwise; a Python bool picks one)."""
    if isinstance(condition, bool):
        return then_expression if condition else else_expression
    return array_ops.where(condition, then_expression, else_expression)


greater, less, not_equal = math_ops.greater, math_ops.less, math_ops.not_equal
greater_equal, less_equal = math_ops.greater_equal, math_ops.less_equal
logsumexp = _reduction(math_ops.reduce_logsumexp)
prod = _reduction(math_ops.reduce_prod)
any, all = _reduction(math_ops.reduce_any), _reduction(math_ops.reduce_all)


def cumsum(x, axis=0):
    return math_ops.cumsum(x, axis=axis)


def l2_normalize(x, axis=None):
    return nn.l2_normalize(x, axis=axis)


def batch_flatten(x):
    """(batch, ...) -> (batch, everything else)."""
    return array_ops.reshape(x, [-1, int(math_ops.to_tensor(x).shape[1:].num_elements())])


def permute_dimensions(x, pattern):
    return array_ops.transpose(x, list(pattern))


def one_hot(indices, num_classes):
    return array_ops.one_hot(indices, num_classes)


def gather(reference, indices):
    return array_ops.gather(reference, indices)


def tile(x, n):
    return array_ops.tile(x, n)


def arange(start, stop=None, step=1, dtype="int32"):
    return array_ops.range(start, stop, step, dtype=dtype)


def elu(x, alpha=1.0):
    return nn.elu(x) if alpha == 1.0 else array_ops.where(x > 0, x, alpha * (math_ops.exp(x) - 1))


softplus = nn.softplus


def hard_sigmoid(x):
    return math_ops.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from .losses import categorical_crossentropy as loss
    return loss(target, output, from_logits=from_logits)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from .losses import sparse_categorical_crossentropy as loss
    return loss(target, output, from_logits=from_logits)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise, as Keras' backend gives it (the loss of the same name also averages the last axis)."""
    p = output if from_logits else math_ops.log(math_ops.clip_by_value(output, 1e-7, 1 - 1e-7) /
                                                 (1 - math_ops.clip_by_value(output, 1e-7, 1 - 1e-7)))
    return nn.sigmoid_cross_entropy_with_logits(labels=math_ops.cast(target, p.dtype), logits=p)


def count_params(x):
    return int(math_ops.to_tensor(x).shape.num_elements())


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from N(mean, stddev²), new ones at every run (a VAE's ε): ``shape`` may hold tensors
    (``(K.shape(z)[0], 2)``)."""
    from .backend import floatx
    return random_ops.random_normal(list(shape), mean, stddev, dtype or floatx(), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    from .backend import floatx
    return random_ops.random_uniform(list(shape), minval, maxval, dtype or floatx(), seed=seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0."""
    from .backend import floatx
    dtype = dtype or floatx()
    return math_ops.cast(random_ops.random_uniform(list(shape), dtype=dtype, seed=seed) < p, dtype)


__all__ += ["image_data_format", "ones_like", "zeros_like", "switch", "greater", "less", "not_equal",
            "greater_equal", "less_equal", "logsumexp", "prod", "any", "all", "cumsum", "l2_normalize",
            "batch_flatten", "permute_dimensions", "one_hot", "gather", "tile", "arange", "elu", "softplus",
            "hard_sigmoid", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
            "count_params", "random_normal", "random_uniform", "random_binomial"]
