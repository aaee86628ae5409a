"""The tensor functions of ``tf.keras.backend`` (``K.mean``, ``K.square`` ...) that custom losses and metrics
are written with — ``def rmse(y_true, y_pred): return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))`` — as
the graph ops they name. ``backend.py`` exports them; ``K.function`` runs a set of them in the Keras session."""
import numpy

from .. import array_ops, basics, control_flow, math_ops, printing, random_ops, variables
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
sigmoid, tanh = nn.sigmoid, nn.tanh


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max(x, 0) capped at ``max_value``; below ``threshold`` the slope ``alpha`` (from the threshold), as Keras'
    ``K.relu``: ``relu(x, max_value=6.0)`` is ReLU6, ``relu(x, alpha=0.1)`` a leaky ReLU."""
    x = math_ops.to_tensor(x)
    below = alpha * (x - threshold) if alpha else 0.0 * x
    y = array_ops.where(x > threshold, x, below) if threshold or alpha else nn.relu(x)
    return y if max_value is None else math_ops.minimum(y, float(max_value))
reshape, transpose, stack, shape = array_ops.reshape, array_ops.transpose, array_ops.stack, array_ops.shape
squeeze, stop_gradient = array_ops.squeeze, basics.stop_gradient


def expand_dims(x, axis=-1):
    """``x`` with a new dim of size 1 at ``axis`` (Keras' default: at the end)."""
    return array_ops.expand_dims(x, axis)


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
    """The product summing the last axis of ``x`` against the second-to-last of ``y`` (the last of a vector or
    matrix ``y``), Keras' ``K.dot``: shapes (2, 3)·(4, 3, 5) give (2, 4, 5) — x's leading axes, then y's axes
    but that one — which for two matrices is the matrix product. (It is not ``matmul``'s batched product.)"""
    x, y = math_ops.to_tensor(x), math_ops.to_tensor(y)
    if x.shape.rank is not None and y.shape.rank is not None and (x.shape.rank > 2 or y.shape.rank > 2):
        x_shape, y_shape = int_or_tensor_shape(x), int_or_tensor_shape(y)
        axes = list(range(y.shape.rank))
        y_first = array_ops.transpose(y, [axes.pop(-2)] + axes)  # the summed axis first
        product = math_ops.matmul(array_ops.reshape(x, [-1, x_shape[-1]]),
                                  array_ops.reshape(y_first, [y_shape[-2], -1]))
        return array_ops.reshape(product, x_shape[:-1] + y_shape[:-2] + y_shape[-1:])
    return math_ops.matmul(x, y)


def int_or_tensor_shape(x):
    """``x``'s shape as a list: each dim an int where the graph knows it, else a scalar tensor of it (Keras'
    ``int_shape`` with ``tf.shape``'s dims filling the unknown ones)."""
    dynamic = array_ops.unstack(array_ops.shape(x))
    return [d if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]


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
    """A constant of ``dtype``, by default ``floatx()`` (float32) as in Keras — not numpy's float64 or int32."""
    from .backend import floatx
    return basics.constant(value, dtype or floatx(), shape, name=name)


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding ``value`` as ``dtype``, by default ``floatx()`` (Keras initializes it in its session when
    first used)."""
    from .backend import floatx
    return variables.Variable(math_ops.cast(basics.constant(value), dtype or floatx()), name=name,
                              constraint=constraint)


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


def _called(expression):
    """A branch of ``switch`` or ``in_train_phase``: a tensor, or a function that makes it."""
    return expression() if callable(expression) else expression


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression``, by TF 1.15 Keras' rules:

    - a condition that is not bool counts as true where it is non-zero (it is cast to bool);
    - a scalar condition picks one whole expression with ``tf.cond``: an expression may be a function, and only
      the one picked runs (a Python bool picks now);
    - a condition of rank 1 picks along the first dim: whole rows of higher-rank expressions;
    - a condition of higher rank, up to the expressions' rank, is matched to their *leading* dims: a (3, 3)
      condition picks the [i, j] rows of (3, 3, 3) expressions. (numpy's broadcasting would match the trailing
      dims and silently pick other elements.)
    """
    if isinstance(condition, bool):
        return _called(then_expression if condition else else_expression)
    condition = math_ops.to_tensor(condition)
    if condition.dtype != "bool":
        condition = math_ops.cast(condition, "bool")
    cond_ndim = ndim(condition)
    if not cond_ndim:  # rank 0 (or unknown: it must then be a scalar when the graph runs)
        return control_flow.cond(condition, lambda: _called(then_expression), lambda: _called(else_expression))
    then_expression, else_expression = (math_ops.to_tensor(_called(e)) for e in (then_expression, else_expression))
    expr_ndim = ndim(then_expression)
    if expr_ndim is None or cond_ndim > expr_ndim:
        raise ValueError(f"switch: the rank of `condition` should be at most the rank of `then_expression` and "
                         f"`else_expression` (and known); got condition {condition.shape}, then_expression "
                         f"{then_expression.shape}")
    if cond_ndim > 1:
        # TF 1.15 reshapes the condition to its shape + [1, 1, ...] (up to the expressions' rank), then tiles it to
        # their shape; where_v2's broadcasting of those size-1 dims picks the same elements
        for _ in range(expr_ndim - cond_ndim):
            condition = array_ops.expand_dims(condition, -1)
        return array_ops.where_v2(condition, then_expression, else_expression)
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


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from .backend import floatx
    return random_ops.truncated_normal(list(shape), mean, stddev, dtype or floatx(), seed=seed)


truncated_normal = random_truncated_normal
sin, cos, softsign = math_ops.sin, math_ops.cos, nn.softsign
bias_add = nn.bias_add


def eval(x):
    """The value of ``x`` (a tensor or a variable) in the Keras session, as a numpy array."""
    from .backend import get_value
    return get_value(math_ops.to_tensor(x))


def batch_dot(x, y, axes=None):
    """Per sample: the product of x's and y's samples along ``axes`` (default: x's last, y's second-to-last, or
    last for a vector) — (batch, n, k) · (batch, k, m) -> (batch, n, m); (batch, k) · (batch, k) -> (batch, 1)."""
    x, y = math_ops.to_tensor(x), math_ops.to_tensor(y)
    if axes is None:
        axes = (x.shape.rank - 1, y.shape.rank - 1 if y.shape.rank == 2 else y.shape.rank - 2)
    axes = (axes, axes) if isinstance(axes, int) else tuple(axes)
    if x.shape.rank == 2 and y.shape.rank == 2:
        if axes[0] != axes[1]:
            raise ValueError(f"batch_dot of two matrices takes the same axis of both, got axes={axes}")
        return math_ops.reduce_sum(x * y, axis=axes[0], keepdims=True)
    x_k, y_k = axes[0] % x.shape.rank, axes[1] % y.shape.rank
    # contract x's axis x_k with y's axis y_k for each sample: einsum names the dims
    letters = "bcdefghijklmnopq"
    x_sub = "a" + letters[:x.shape.rank - 1]
    y_sub = "a" + letters[x.shape.rank - 1:x.shape.rank - 1 + y.shape.rank - 1]
    y_sub = y_sub[:y_k] + x_sub[x_k] + y_sub[y_k + 1:]
    out = "a" + "".join(c for c in x_sub[1:] if c != x_sub[x_k]) + "".join(c for c in y_sub[1:] if c != x_sub[x_k])
    result = math_ops.einsum(f"{x_sub},{y_sub}->{out}", x, y)
    return array_ops.expand_dims(result, 1) if result.shape.rank == 1 else result


def in_train_phase(x, alt, training=None):
    """``x`` while training (the learning phase, or ``training``), else ``alt``; either may be a function."""
    from .backend import learning_phase
    training = learning_phase() if training is None else training
    if isinstance(training, (bool, int)):
        return _called(x if training else alt)
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training)


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def print_tensor(x, message=""):
    """``x``, printing its value (after ``message``) whenever it is computed."""
    return printing.Print(x, [x], message)


def repeat_elements(x, rep, axis):
    """Each slice of ``x`` along ``axis`` repeated ``rep`` times in place: [a, b] -> [a, a, b, b]."""
    x = math_ops.to_tensor(x)
    axis = axis % x.shape.rank
    moved = array_ops.expand_dims(x, axis + 1)
    tiled = array_ops.tile(moved, [1] * (axis + 1) + [int(rep)] + [1] * (x.shape.rank - axis - 1))
    dims = array_ops.shape(x)
    out = array_ops.reshape(tiled, array_ops.concat([dims[:axis], dims[axis:axis + 1] * int(rep), dims[axis + 1:]],
                                                    0))
    out.set_shape([d if i != axis or d is None else d * int(rep) for i, d in enumerate(x.shape.as_list())])
    return out


def repeat(x, n):
    """(batch, features) -> (batch, n, features)."""
    return array_ops.tile(array_ops.expand_dims(x, 1), [1, int(n), 1])


def reverse(x, axes):
    return array_ops.reverse(x, [axes] if isinstance(axes, int) else list(axes))


def eye(size, dtype=None, name=None):
    from .backend import floatx
    return variables.Variable(numpy.eye(size, dtype=dtype or floatx()), name=name)


def cumprod(x, axis=0):
    return math_ops.cumprod(x, axis=axis)


def is_keras_tensor(x):
    """Whether ``x`` came out of a Keras layer or ``Input`` (it knows its layer)."""
    return hasattr(x, "_keras_layer")


__all__ += ["truncated_normal", "random_truncated_normal", "sin", "cos", "softsign", "bias_add", "eval",
            "batch_dot", "in_train_phase", "in_test_phase", "update", "update_add", "update_sub", "print_tensor",
            "repeat_elements", "repeat", "reverse", "eye", "cumprod", "is_keras_tensor"]
__all__ += ["image_data_format", "ones_like", "zeros_like", "switch", "greater", "less", "not_equal",
            "greater_equal", "less_equal", "logsumexp", "prod", "any", "all", "cumsum", "l2_normalize",
            "batch_flatten", "permute_dimensions", "one_hot", "gather", "tile", "arange", "elu", "softplus",
            "hard_sigmoid", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
            "count_params", "random_normal", "random_uniform", "random_binomial"]
