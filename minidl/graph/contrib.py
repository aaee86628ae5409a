"""``tf.contrib.layers`` and ``tf.contrib.rnn``: the parts of TensorFlow 1's ``contrib`` library that the beginner
programs of its time reached for — the Xavier and He initializers, weight penalties (regularizers), the layers
``fully_connected``, ``conv2d``, ``max_pool2d``/``avg_pool2d``, ``dropout`` and ``batch_norm``, and the recurrent
cells with ``static_rnn``::

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

**Layers.** Each layer opens a variable scope named after it, made unique (``fully_connected``, ``Conv``,
``Conv_1``, ``BatchNorm``, ...; ``scope=`` names it, ``reuse=True`` shares its variables), and its variables are
*model variables*: GLOBAL_VARIABLES, MODEL_VARIABLES, and the collections ``variables_collections`` gives them
(a list for all, or a dict by variable name: ``{"weights": [...]}``). ``fully_connected`` and ``conv2d`` compute
``activation_fn(normalizer_fn(x ⊛ weights))``, or ``activation_fn(x ⊛ weights + biases)`` without a normalizer,
where ⊛ is a matrix product or a convolution — mind the default ``activation_fn=tf.nn.relu``. ``batch_norm`` is
``tf.layers.batch_normalization`` (layers.py) with contrib's defaults (``decay=0.999``, no ``gamma`` unless
``scale=True``) and contrib's choice of where the moving-average updates go. The formats are named as in
``tf.nn``: padding "SAME"/"VALID" (any case), data_format "NHWC"/"NCHW" (``tf.layers`` says "channels_last" ...).
Each layer adds its output to the collections ``outputs_collections`` names.

**tf.contrib.rnn** holds the cells of ``tf.nn.rnn_cell`` (rnn_cell.py, rnn_cells_gated.py) and ``static_rnn``,
``static_bidirectional_rnn`` (rnn.py) under the names of TF 1.x's tutorials::

    cell = tf.contrib.rnn.BasicLSTMCell(128, forget_bias=1.0)
    outputs, state = tf.contrib.rnn.static_rnn(cell, tf.unstack(x, timesteps, 1), dtype=tf.float32)

and ``ResidualWrapper``, ``DeviceWrapper``, ``EmbeddingWrapper``, the stacked bidirectional RNNs (rnn_wrappers.py)
and ``AttentionCellWrapper`` (attention_cell_wrapper.py).
**tf.contrib.seq2seq** and **tf.contrib.legacy_seq2seq** hold the sequence losses (contrib_seq2seq.py), the
second also TF's first seq2seq models (legacy_seq2seq.py, legacy_seq2seq_attention.py);
**tf.contrib.framework** (``arg_scope``) and **tf.contrib.slim** are in contrib_framework.py and contrib_slim.py;
**tf.contrib.lookup** is ``tf.lookup`` (lookup_ops.py); **tf.contrib.training** holds ``HParams`` (hparams.py) and
**tf.contrib.util** ``constant_value``, which is ``tf.get_static_value`` (tensor_util.py); **tf.contrib.learn** holds
``preprocessing.VocabularyProcessor`` (contrib_learn.py) and the premade estimators with ``SKCompat``
(contrib_learn_estimators.py); **tf.contrib.tensorboard.plugins.projector** writes the embedding projector's config
(projector.py).
"""
import numbers
import types

from .array_ops import reshape
from .basics import control_dependencies, identity, name_scope
from .contrib_framework import add_arg_scope
from .contrib_metrics import contrib_metrics
from .contrib_seq2seq import legacy_sequence_loss, sequence_loss, sequence_loss_by_example
from .core import GraphKeys, get_default_graph
from .dtypes import as_dtype, float32
from .frontend import convert_to_tensor
from .hparams import training as hparams_training
from .initializers import Ones, VarianceScaling, Zeros
from .attention_cell_wrapper import AttentionCellWrapper
from .data import contrib as contrib_data
from .layer_classes import hold_still
from .layers import (_padding, _pair, batch_normalization as layers_batch_normalization, dropout as layers_dropout,
                     flatten as layers_flatten)
from .legacy_seq2seq import (basic_rnn_seq2seq, embedding_rnn_decoder, embedding_rnn_seq2seq,
                             embedding_tied_rnn_seq2seq, model_with_buckets, one2many_rnn_seq2seq, rnn_decoder,
                             tied_rnn_seq2seq)
from .legacy_seq2seq_attention import attention_decoder, embedding_attention_decoder, embedding_attention_seq2seq
from .lookup_ops import lookup as lookup_namespace
from .math_ops import abs, add_n, matmul, multiply, reduce_sum
from .nn_ops import bias_add, l2_loss, nn
from .nn_training import avg_pool, conv2d as nn_conv2d, dropout_rate, max_pool
from .rnn import static_bidirectional_rnn, static_rnn
from .rnn_cell import BasicRNNCell, DropoutWrapper, LSTMStateTuple, MultiRNNCell, RNNCell
from .rnn_cells_gated import BasicLSTMCell, GRUCell, LSTMCell
from .rnn_wrappers import (DeviceWrapper, EmbeddingWrapper, OutputProjectionWrapper, ResidualWrapper,
                           stack_bidirectional_dynamic_rnn, stack_bidirectional_rnn)
from .seq2seq_attention import AttentionWrapper, AttentionWrapperState, BahdanauAttention, LuongAttention
from .seq2seq_beam_search import (BeamSearchDecoder, BeamSearchDecoderOutput, BeamSearchDecoderState,
                                  FinalBeamSearchDecoderOutput, gather_tree, tile_batch)
from .seq2seq_decoding import (BasicDecoder, BasicDecoderOutput, Decoder, GreedyEmbeddingHelper, Helper,
                               SampleEmbeddingHelper, TrainingHelper, dynamic_decode)
from .spectral_ops import signal as tf_signal
from .tensor_util import get_static_value
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

def _model_collections(variables_collections, which):
    """The collections a layer variable joins besides GLOBAL_VARIABLES: MODEL_VARIABLES and those of
    ``variables_collections`` — a dict picks by ``which`` (the variable's name: "weights", "beta" ...), a list
    applies to every variable of the layer."""
    if isinstance(variables_collections, dict):
        variables_collections = variables_collections.get(which)
    return [GraphKeys.MODEL_VARIABLES] + list(variables_collections or [])


def _model_variable(name, shape, dtype, initializer, regularizer, trainable, variables_collections):
    """``get_variable(name, ...)`` for a layer: the new variable is a model variable (``_model_collections``)."""
    return get_variable(name, shape, dtype, initializer, regularizer, trainable,
                        [GraphKeys.GLOBAL_VARIABLES] + _model_collections(variables_collections, name))


def _collect(outputs_collections, outputs):
    """``outputs``, after adding it to ``outputs_collections`` (a collection's name, or a list of them): how every
    layer ends."""
    get_default_graph().add_to_collections(outputs_collections or [], outputs)
    return outputs


def _checked(fn_name, check, *args):
    """``check(*args)``, one of tf.layers' argument checks, with the contrib function's name on its ValueError."""
    try:
        return check(*args)
    except ValueError as error:
        raise ValueError(f"{fn_name}: {error}") from None


def _positive_pair(fn_name, value, what):
    """A window argument (``kernel_size``, ``stride``, ``rate``): an int or a pair of ints, all >= 1, as a pair."""
    if not isinstance(value, (numbers.Integral, list, tuple)):  # tf.layers' _pair would fail iterating a float
        raise ValueError(f"{fn_name}: {what} must be an int or a pair of ints, got {value!r}")
    pair = _checked(fn_name, _pair, value, what)
    if min(pair) < 1:
        raise ValueError(f"{fn_name}: {what} must be at least 1, got {value}")
    return pair


def _num_outputs(fn_name, num_outputs):
    if not isinstance(num_outputs, numbers.Integral):
        raise ValueError(f"{fn_name}: num_outputs type should be one of (int, long), got "
                         f"{type(num_outputs).__name__}.")
    return int(num_outputs)


def _images(fn_name, inputs, data_format):
    """``inputs`` as a 4-D tensor: [batch, height, width, channels] ("NHWC") or [batch, channels, height, width]
    ("NCHW")."""
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"{fn_name}: data_format has to be either NCHW or NHWC, got {data_format!r}")
    x = convert_to_tensor(inputs)
    if x.shape.rank != 4:
        layout = "[batch, height, width, channels]" if data_format == "NHWC" else "[batch, channels, height, width]"
        raise ValueError(f"{fn_name}: inputs must be 4-D, {layout} for data_format {data_format}, got shape "
                         f"{x.shape}")
    return x


def _weighted_layer(default_name, x, weights_shape, apply_weights, data_format, activation_fn, normalizer_fn,
                    normalizer_params, weights_initializer, weights_regularizer, biases_initializer,
                    biases_regularizer, reuse, variables_collections, outputs_collections, trainable, scope,
                    outputs_axis=-1):
    """What ``fully_connected``, ``conv2d`` and ``conv2d_transpose`` (contrib_layers_more.py) share (the arguments
    after ``data_format`` are theirs). In the variable scope ``scope`` (default ``default_name``, made unique):
    ``y = apply_weights(x, weights)`` with the variable ``weights`` [weights_shape]; then ``normalizer_fn(y,
    **normalizer_params)`` if given — it replaces the biases — else ``y + biases`` (``biases`` [num_outputs], the
    entry ``outputs_axis`` of weights_shape — the last but for a transposed convolution's [kh, kw, out, in] — added
    along the channels of ``data_format``) unless ``biases_initializer`` is None; then ``activation_fn`` unless
    None."""
    with variable_scope(scope, default_name=default_name, values=[x], reuse=reuse):
        weights = _model_variable("weights", weights_shape, x.dtype, weights_initializer, weights_regularizer,
                                  trainable, variables_collections)
        y = apply_weights(x, weights)
        if normalizer_fn is not None:
            y = normalizer_fn(y, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _model_variable("biases", [weights_shape[outputs_axis]], x.dtype, biases_initializer,
                                     biases_regularizer, trainable, variables_collections)
            y = bias_add(y, biases, data_format=data_format)
        if activation_fn is not None:
            y = activation_fn(y)
        return _collect(outputs_collections, y)


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
    weights_shape = [x.shape[-1], _num_outputs("fully_connected", num_outputs)]
    return _weighted_layer("fully_connected", x, weights_shape, matmul, None, activation_fn, normalizer_fn,
                           normalizer_params, weights_initializer, weights_regularizer, biases_initializer,
                           biases_regularizer, reuse, variables_collections, outputs_collections, trainable, scope)


def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
           weights_initializer=xavier_initializer(), weights_regularizer=None, biases_initializer=Zeros(),
           biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
           trainable=True, scope=None):
    """A convolution layer: ``activation_fn(conv(inputs, weights) + biases)`` in the variable scope ``scope``
    (default "Conv", made unique), with ``weights`` [kh, kw, in_channels, num_outputs] and ``biases``
    [num_outputs]. For NHWC inputs (``data_format`` None or "NHWC"; or "NCHW")::

        conv[b, i, j, o] = sum over p, q, c of inputs[b, i*sh + p*rh, j*sw + q*rw, c] * weights[p, q, c, o]

    over the input padded by ``padding`` ("SAME": ceil(in / stride) outputs, the default; or "VALID": none, see
    ``tf.nn.conv2d``). ``kernel_size``, ``stride`` and ``rate`` (the dilation: a kernel with holes, "atrous")
    are an int or a pair (along height, along width); a stride above 1 does not go with a rate above 1.
    ``normalizer_fn`` and the default ReLU as for ``fully_connected``."""
    data_format = data_format or "NHWC"
    x = _images("conv2d", inputs, data_format)
    channels = x.shape[3 if data_format == "NHWC" else 1]
    if channels is None:
        raise ValueError(f"conv2d: the number of input channels must be known, got shape {x.shape}")
    kernel_size = _positive_pair("conv2d", kernel_size, "kernel_size")
    stride, rate = _positive_pair("conv2d", stride, "stride"), _positive_pair("conv2d", rate, "rate")
    if max(stride) > 1 and max(rate) > 1:
        raise ValueError(f"conv2d: a stride above 1 cannot be combined with a rate above 1, got stride={stride}, "
                         f"rate={rate}")
    padding = _checked("conv2d", _padding, padding)

    def convolve(images, weights):
        return nn_conv2d(images, weights, stride, padding, data_format=data_format, dilations=rate)

    weights_shape = list(kernel_size) + [channels, _num_outputs("conv2d", num_outputs)]
    return _weighted_layer("Conv", x, weights_shape, convolve, data_format, activation_fn, normalizer_fn,
                           normalizer_params, weights_initializer, weights_regularizer, biases_initializer,
                           biases_regularizer, reuse, variables_collections, outputs_collections, trainable, scope)


def _pool2d(fn_name, pool, default_name, inputs, kernel_size, stride, padding, data_format, outputs_collections,
            scope):
    """What the pools share: check the arguments, then ``pool`` (``tf.nn``'s) in the name scope ``scope``."""
    x = _images(fn_name, inputs, data_format)
    kernel_size, stride = _positive_pair(fn_name, kernel_size, "kernel_size"), _positive_pair(fn_name, stride, "stride")
    padding = _checked(fn_name, _padding, padding)
    with name_scope(scope, default_name, [x]):
        return _collect(outputs_collections, pool(x, kernel_size, stride, padding, data_format))


def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """The maximum of each ``kernel_size`` window (an int or a pair), moved by ``stride`` (default 2), with
    "VALID" padding (the default: windows inside the input only) or "SAME" (padded positions never win)."""
    return _pool2d("max_pool2d", max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                   outputs_collections, scope)


def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """The mean of each ``kernel_size`` window, moved by ``stride``, as ``max_pool2d``; under "SAME" a window is
    divided by the number of real (not padded) values in it."""
    return _pool2d("avg_pool2d", avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                   outputs_collections, scope)


def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, d1, d2, ...] -> [batch, d1·d2·...] (``tf.layers.flatten`` under contrib's signature), in the name
    scope "Flatten"."""
    with variable_scope(scope, default_name="Flatten", values=[inputs]):
        return _collect(outputs_collections, layers_flatten(inputs))


def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None):
    """While ``is_training``: each element kept with probability ``keep_prob`` and scaled by 1 / keep_prob (so
    the expectation is the input), else zeroed; otherwise the inputs unchanged. ``is_training`` is a bool, or a
    bool tensor (a placeholder) decided at every run, and ``keep_prob`` a float in (0, 1] or a tensor; this is
    ``tf.layers.dropout(inputs, rate=1 - keep_prob, training=is_training)`` in the variable scope "Dropout"."""
    with variable_scope(scope, default_name="Dropout", values=[inputs]):
        x = convert_to_tensor(inputs)
        rate = _checked("dropout", dropout_rate, x, keep_prob)
        return _collect(outputs_collections, layers_dropout(x, rate, noise_shape, seed, training=is_training))


def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False, scope=None,
               renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """Batch normalization over all dims but the channels (the last for "NHWC", the second for "NCHW")::

        y = (x - mean) / sqrt(variance + epsilon) * gamma + beta

    in the variable scope ``scope`` (default "BatchNorm", made unique), with the variables ``beta`` (if
    ``center``), ``gamma`` (only if ``scale``: contrib's default leaves it out), ``moving_mean`` and
    ``moving_variance`` (not trainable), shaped [channels]; ``param_initializers`` and ``param_regularizers`` are
    dicts by those names. While ``is_training`` (a bool, or a bool tensor decided at every run) mean and variance
    are the batch's, and update ops move the averages towards them::

        moving = moving * decay + batch_statistic * (1 - decay)

    The update ops join ``updates_collections`` (default UPDATE_OPS, which the training step must run, see
    layers.py); with None they run whenever ``y`` is computed. Otherwise the moving averages normalize. This is
    ``tf.layers.batch_normalization``; a [batch, channels] input is normalized as [batch, 1, 1, channels] images
    unless ``fused=False``, as contrib's fused kernel does, so that for 2-D and 4-D inputs the moving variance
    follows the unbiased variance n / (n - 1) times the batch's (n values per channel; layers.py explains).
    ``batch_weights``, ``zero_debias_moving_mean``, ``renorm`` and ``adjustment`` are not supported."""
    if batch_weights is not None or zero_debias_moving_mean:
        raise NotImplementedError("batch_norm: batch_weights and zero_debias_moving_mean are not supported")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"batch_norm: data_format has to be either NCHW or NHWC, got {data_format!r}")
    x = convert_to_tensor(inputs)
    rank = x.shape.rank
    if rank is None or rank < 2:
        raise ValueError(f"batch_norm: inputs must have a known rank of at least 2 (the batch first), got shape "
                         f"{x.shape}")
    axis = 1 if data_format == "NCHW" else rank - 1
    if x.shape[axis] is None:
        raise ValueError(f"batch_norm: the channels dimension ({axis}) of the inputs must be known, got shape "
                         f"{x.shape}")
    as_images = rank == 2 and fused is not False
    initializers = {"beta": Zeros(), "gamma": Ones(), "moving_mean": Zeros(), "moving_variance": Ones(),
                    **(param_initializers or {})}
    regularizers = param_regularizers or {}
    graph = get_default_graph()
    variables, updates = (graph.get_collection_ref(key) for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.UPDATE_OPS))
    first_variable, first_update = len(variables), len(updates)
    with variable_scope(scope, default_name="BatchNorm", values=[x], reuse=reuse) as sc:
        y = layers_batch_normalization(
            reshape(x, [-1, 1, 1, x.shape[1]]) if as_images else x, axis=-1 if as_images else axis,
            momentum=decay, epsilon=epsilon, center=center, scale=scale, beta_initializer=initializers["beta"],
            gamma_initializer=initializers["gamma"], moving_mean_initializer=initializers["moving_mean"],
            moving_variance_initializer=initializers["moving_variance"], beta_regularizer=regularizers.get("beta"),
            gamma_regularizer=regularizers.get("gamma"), training=is_training, trainable=True, name=sc,
            reuse=reuse, renorm=renorm, renorm_clipping=renorm_clipping, renorm_momentum=renorm_decay, fused=fused,
            adjustment=adjustment)  # (trainable: TF 1.15's contrib kernel moves the averages of a frozen one too)
        if as_images:
            y = reshape(y, [-1, x.shape[1]])
        for variable in variables[first_variable:]:  # the variables just created: make them model variables
            graph.add_to_collections(_model_collections(variables_collections, variable.op.name.split("/")[-1]),
                                     variable)
            if not trainable:
                hold_still(variable)
        # tf.layers.batch_normalization put its moving-average updates in UPDATE_OPS; send them where contrib does
        new_updates = updates[first_update:]
        del updates[first_update:]
        if updates_collections is None:
            with control_dependencies(new_updates):
                y = identity(y)
        else:
            for update in new_updates:
                graph.add_to_collections(updates_collections, update)
        if activation_fn is not None:
            y = activation_fn(y)
        return _collect(outputs_collections, y)


# the layers are put into the namespace decorated with add_arg_scope, as TF's are: an arg_scope can set their
# defaults (contrib_framework.py)
layers = types.SimpleNamespace(
    variance_scaling_initializer=variance_scaling_initializer, xavier_initializer=xavier_initializer,
    xavier_initializer_conv2d=xavier_initializer_conv2d, l1_regularizer=l1_regularizer,
    l2_regularizer=l2_regularizer, l1_l2_regularizer=l1_l2_regularizer, sum_regularizer=sum_regularizer,
    apply_regularization=apply_regularization,
    **{layer.__name__: add_arg_scope(layer)
       for layer in (fully_connected, conv2d, max_pool2d, avg_pool2d, dropout, batch_norm, flatten)})
layers.convolution2d = layers.conv2d

rnn = types.SimpleNamespace(
    RNNCell=RNNCell, BasicRNNCell=BasicRNNCell, BasicLSTMCell=BasicLSTMCell, LSTMCell=LSTMCell, GRUCell=GRUCell,
    MultiRNNCell=MultiRNNCell, DropoutWrapper=DropoutWrapper, LSTMStateTuple=LSTMStateTuple, static_rnn=static_rnn,
    static_bidirectional_rnn=static_bidirectional_rnn, ResidualWrapper=ResidualWrapper, DeviceWrapper=DeviceWrapper,
    OutputProjectionWrapper=OutputProjectionWrapper, stack_bidirectional_dynamic_rnn=stack_bidirectional_dynamic_rnn,
    stack_bidirectional_rnn=stack_bidirectional_rnn, EmbeddingWrapper=EmbeddingWrapper,
    AttentionCellWrapper=AttentionCellWrapper)

# the sequence losses (contrib_seq2seq.py), decoding (seq2seq_decoding.py), attention (seq2seq_attention.py) and beam
# search (seq2seq_beam_search.py)
seq2seq = types.SimpleNamespace(
    sequence_loss=sequence_loss, Helper=Helper, TrainingHelper=TrainingHelper,
    GreedyEmbeddingHelper=GreedyEmbeddingHelper, SampleEmbeddingHelper=SampleEmbeddingHelper, Decoder=Decoder,
    BasicDecoder=BasicDecoder, BasicDecoderOutput=BasicDecoderOutput, dynamic_decode=dynamic_decode,
    LuongAttention=LuongAttention, BahdanauAttention=BahdanauAttention, AttentionWrapper=AttentionWrapper,
    AttentionWrapperState=AttentionWrapperState, tile_batch=tile_batch, gather_tree=gather_tree,
    BeamSearchDecoder=BeamSearchDecoder, BeamSearchDecoderOutput=BeamSearchDecoderOutput,
    BeamSearchDecoderState=BeamSearchDecoderState, FinalBeamSearchDecoderOutput=FinalBeamSearchDecoderOutput)
# TF's first seq2seq library: its models and decoders (legacy_seq2seq.py, legacy_seq2seq_attention.py)
legacy_seq2seq = types.SimpleNamespace(
    sequence_loss=legacy_sequence_loss, sequence_loss_by_example=sequence_loss_by_example,
    **{fn.__name__: fn for fn in (rnn_decoder, basic_rnn_seq2seq, tied_rnn_seq2seq, embedding_rnn_decoder,
                                  embedding_rnn_seq2seq, embedding_tied_rnn_seq2seq, attention_decoder,
                                  embedding_attention_decoder, embedding_attention_seq2seq, one2many_rnn_seq2seq,
                                  model_with_buckets)})

lookup = lookup_namespace  # tf.contrib.lookup: TF 1.x's home of tf.lookup (lookup_ops.py)
training = hparams_training  # tf.contrib.training: HParams (hparams.py)
util = types.SimpleNamespace(constant_value=get_static_value)  # tf.contrib.util: tf.get_static_value (tensor_util.py)
data = contrib_data  # tf.contrib.data: TF 1.x's home of tf.data.experimental (data.py)
signal = tf_signal  # tf.contrib.signal: TF 1.x's home of tf.signal (stft, frames, mel matrices)
metrics = contrib_metrics  # tf.contrib.metrics: TF 1.0's streaming_* metrics, predictions first (contrib_metrics.py)

# the rest of contrib, each module adding its part to the namespaces above: layer_norm, conv2d_transpose and
# embed_sequence (contrib_layers_more.py) and optimize_loss (contrib_optimize_loss.py) to layers;
# LayerNormBasicLSTMCell, LSTMBlockCell and InputProjectionWrapper (rnn_cells_contrib.py) to rnn; and tf.contrib.crf
# (contrib_crf.py) and tf.contrib.opt (train/contrib_optimizers.py)
from . import contrib_crf, contrib_layers_more, contrib_optimize_loss, rnn_cells_contrib  # noqa: E402,F401
from .train import contrib_optimizers  # noqa: E402

crf, opt = contrib_crf.crf, contrib_optimizers.opt

# tf.contrib.framework (arg_scope, the variables helpers) and tf.contrib.slim; contrib_slim.py is imported last:
# it is built on the namespaces above, which it imports from here
from . import contrib_framework, contrib_slim  # noqa: E402

framework, slim = contrib_framework.framework, contrib_slim.slim

# tf.contrib.distributions: tf.distributions' classes and the multivariate normals (distributions/)
from .distributions import contrib as distributions  # noqa: E402

# tf.contrib.image: rotate, translate and projective transforms (contrib_image.py)
from .contrib_image import image  # noqa: E402,F401

# tf.contrib.learn: of TF 1.x's high-level library, the text preprocessing that programs kept using (contrib_learn.py)
# and the premade estimators with SKCompat (contrib_learn_estimators.py, which also gives tf.contrib.layers its
# real_valued_column and infer_real_valued_columns)
from .contrib_learn import preprocessing as learn_preprocessing  # noqa: E402
from .contrib_learn_estimators import LEARN as learn_estimators  # noqa: E402

learn = types.SimpleNamespace(preprocessing=learn_preprocessing, **learn_estimators)

# tf.contrib.tensorboard.plugins.projector: the embedding projector's config file (projector.py)
from . import projector as _projector  # noqa: E402

tensorboard = types.SimpleNamespace(plugins=types.SimpleNamespace(projector=_projector))
