"""``tf.contrib.layers``: the parts of TensorFlow 1's ``contrib`` library that the beginner programs of its time
reached for — the Xavier and He initializers, weight penalties (regularizers) and ``fully_connected``::

    W = tf.get_variable("W", [784, 10], initializer=tf.contrib.layers.xavier_initializer())
    h = tf.contrib.layers.fully_connected(x, 128, weights_regularizer=tf.contrib.layers.l2_regularizer(1e-4))
    loss = data_loss + tf.losses.get_regularization_loss()

(``contrib`` is gone from TensorFlow 2, so a ``tf.compat.v1`` program never uses it; a TF 1.x tutorial often does.)

**Initializers.** ``variance_scaling_initializer(factor, mode, uniform)`` draws weights with variance
``factor / n``, n the fan-in, the fan-out or their average (``mode`` "FAN_IN", "FAN_OUT", "FAN_AVG"; see
``initializers.py`` for why): uniform on [-limit, limit] with ``limit = sqrt(3 factor / n)``, or a normal
truncated at two standard deviations with ``stddev = sqrt(1.3 factor / n)`` — truncation shrinks the variance by
0.774 (= 0.8796²), and contrib undoes it with the round factor 1.3 (≈ 1 / 0.774). The defaults
``factor=2.0, mode="FAN_IN"`` are He et al.'s initialization for ReLU networks; ``xavier_initializer(uniform)``
is ``factor=1.0, mode="FAN_AVG"`` (Glorot and Bengio).

**Regularizers.** A regularizer is a function ``weights -> penalty`` (a 0-d tensor, or None for no penalty):
``l1_regularizer(scale)`` gives ``scale · Σ|w|``, ``l2_regularizer(scale)`` gives ``scale · Σw² / 2`` (that is
``scale · tf.nn.l2_loss(w)``: mind the half), ``l1_l2_regularizer`` their sum and ``sum_regularizer`` the sum of
any. Given to ``tf.get_variable(regularizer=...)`` or a layer, the penalty joins the REGULARIZATION_LOSSES
collection, which ``tf.losses.get_regularization_loss()`` adds up; ``apply_regularization(regularizer, weights)``
applies one to a list of weights (default: the WEIGHTS collection) and adds the sum to that collection itself.
"""
import numbers
import types

from .basics import name_scope
from .core import GraphKeys, get_default_graph
from .dtypes import as_dtype, float32
from .frontend import convert_to_tensor
from .initializers import VarianceScaling, Zeros
from .layers import flatten
from .math_ops import abs, add_n, matmul, multiply, reduce_sum
from .nn_ops import bias_add, l2_loss, nn
from .variable_scope import get_variable, variable_scope

# ============================================================================================ initializers

_MODES = {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}
# VarianceScaling's truncated normal has stddev sqrt(scale / n) / .8796...; contrib's has sqrt(1.3 factor / n):
# the same draw with scale = 1.3 · .8796² · factor
_CONTRIB_TRUNCATION = 1.3 * .87962566103423978 ** 2


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=None):
    """Variance ``factor / n`` (see the module docstring); the defaults are He et al.'s for ReLU networks."""
    dtype = float32 if dtype is None else as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError(f"Cannot create initializer for non-floating point type {dtype.name}.")
    if mode not in _MODES:
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
    if uniform:
        return VarianceScaling(factor, _MODES[mode], "uniform", seed, dtype)
    return VarianceScaling(factor * _CONTRIB_TRUNCATION, _MODES[mode], "truncated_normal", seed, dtype)


def xavier_initializer(uniform=True, seed=None, dtype=None):
    """Glorot and Bengio's initialization: variance 2 / (fan_in + fan_out), uniform or truncated normal."""
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer  # fan-in and fan-out count the receptive field for any kernel


# ============================================================================================ regularizers

def _checked_scale(scale):
    """A regularizer's scale: a non-negative float (contrib refuses ints, to catch ``1/2`` typed for ``0.5`` in
    Python 2), or a tensor."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real) and scale < 0.0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
    return scale


def _is_zero(scale):
    return isinstance(scale, numbers.Real) and scale == 0.0


def _penalty_regularizer(default_scope, penalty):
    """``scale * penalty(weights)`` as a regularizer; a scale of 0.0 disables it (the function gives None)."""
    def make(scale, scope=None):
        scale = _checked_scale(scale)
        if _is_zero(scale):
            return lambda weights: None

        def regularizer(weights):
            with name_scope(scope or default_scope) as name:
                weights = convert_to_tensor(weights)
                return multiply(convert_to_tensor(scale, dtype=weights.dtype), penalty(weights), name=name)
        return regularizer
    return make


l1_regularizer = _penalty_regularizer("l1_regularizer", lambda w: reduce_sum(abs(w)))
l1_regularizer.__doc__ = "``scale · Σ|w|``: the L1 penalty, which pushes weights to exactly 0 (sparsity)."
l2_regularizer = _penalty_regularizer("l2_regularizer", l2_loss)
l2_regularizer.__doc__ = "``scale · Σw² / 2`` (``scale · tf.nn.l2_loss(w)``): weight decay's penalty."


def sum_regularizer(regularizer_list, scope=None):
    """One regularizer whose penalty is the sum of the given ones' (those that give None are left out); None if
    the list holds no regularizer."""
    regularizers = [r for r in regularizer_list if r]
    if not regularizers:
        return None

    def regularizer(weights):
        penalties = [p for p in (r(weights) for r in regularizers) if p is not None]
        if not penalties:
            return None
        with name_scope(scope or "sum_regularizer") as name:
            return add_n(penalties, name=name)
    return regularizer


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """``scale_l1 · Σ|w| + scale_l2 · Σw² / 2`` (the elastic net's penalty)."""
    if _is_zero(_checked_scale(scale_l1)) and _is_zero(_checked_scale(scale_l2)):
        return lambda weights: None
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope or "l1_l2_regularizer")


def apply_regularization(regularizer, weights_list=None):
    """The sum of ``regularizer``'s penalties over ``weights_list`` (default: the WEIGHTS collection, which the
    program fills itself), added to REGULARIZATION_LOSSES and returned."""
    graph = get_default_graph()
    if weights_list is None:
        weights_list = graph.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty") as name:
        penalties = []
        for weights in weights_list:
            penalty = regularizer(weights)
            penalty = convert_to_tensor(0.0) if penalty is None else convert_to_tensor(penalty)
            if penalty.shape.rank not in (0, None):
                raise ValueError(f"regularizer must return a scalar Tensor instead of a Tensor with rank "
                                 f"{penalty.shape.rank}.")
            penalties.append(penalty)
        summed = add_n(penalties, name=name)
    graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed


# ================================================================================================== layers

def _variable_collections(variables_collections, which):
    """The collections a layer variable joins besides GLOBAL_VARIABLES and MODEL_VARIABLES: ``which`` ("weights"
    or "biases") picks from a dict, a list applies to both."""
    if isinstance(variables_collections, dict):
        variables_collections = variables_collections.get(which)
    return [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES] + list(variables_collections or [])


def fully_connected(inputs, num_outputs, activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=xavier_initializer(), weights_regularizer=None, biases_initializer=Zeros(),
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """``activation_fn(inputs @ weights + biases)`` in the variable scope ``scope`` (default "fully_connected",
    made unique), with variables ``weights`` [in, num_outputs] and ``biases`` [num_outputs].

    Note the default activation: ReLU (``tf.layers.dense`` has none); pass ``activation_fn=None`` for the
    logits. ``normalizer_fn(y, **normalizer_params)`` (a batch norm, say) replaces the biases. Inputs of more
    than 2 dims are multiplied along their last dim, as ``tf.layers.dense`` does."""
    x = convert_to_tensor(inputs)
    if x.shape.rank is None or x.shape.rank < 2 or x.shape[-1] is None:
        raise ValueError(f"fully_connected: inputs must have a rank of at least 2 and a known last dimension, "
                         f"got shape {x.shape}")
    if not isinstance(num_outputs, numbers.Integral):
        raise ValueError(f"num_outputs type should be one of (int, long), got {type(num_outputs).__name__}.")
    with variable_scope(scope, default_name="fully_connected", values=[x], reuse=reuse):
        weights = get_variable("weights", [x.shape[-1], int(num_outputs)], x.dtype, weights_initializer,
                               weights_regularizer, trainable,
                               _variable_collections(variables_collections, "weights"))
        y = matmul(x, weights)
        if normalizer_fn is not None:
            y = normalizer_fn(y, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = get_variable("biases", [int(num_outputs)], x.dtype, biases_initializer, biases_regularizer,
                                  trainable, _variable_collections(variables_collections, "biases"))
            y = bias_add(y, biases)
        if activation_fn is not None:
            y = activation_fn(y)
        get_default_graph().add_to_collections(list(outputs_collections or []), y)
        return y


layers = types.SimpleNamespace(
    variance_scaling_initializer=variance_scaling_initializer, xavier_initializer=xavier_initializer,
    xavier_initializer_conv2d=xavier_initializer_conv2d, l1_regularizer=l1_regularizer,
    l2_regularizer=l2_regularizer, l1_l2_regularizer=l1_l2_regularizer, sum_regularizer=sum_regularizer,
    apply_regularization=apply_regularization, fully_connected=fully_connected, flatten=flatten)
