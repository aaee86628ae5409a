"""More of ``tf.contrib.layers`` (the rest is in contrib.py): ``layer_norm``, ``conv2d_transpose`` and
``embed_sequence``, built like contrib's other layers — a variable scope named after the layer and made unique,
model variables, ``outputs_collections``.

**Layer normalization** (Ba, Kiros & Hinton, https://arxiv.org/abs/1607.06450) normalizes each example over its
own features, where batch normalization normalizes each feature over the batch::

    y = (x - mean) / sqrt(variance + 1e-12) * gamma + beta

with ``mean`` and ``variance`` taken over the dims ``begin_norm_axis`` .. rank - 1 of each example (default 1: all
but the batch), and ``beta``, ``gamma`` shaped like the dims ``begin_params_axis`` .. rank - 1 (default -1: the
last). Nothing depends on the batch, so training and inference compute the same thing, and a recurrent network can
normalize each step (``LayerNormBasicLSTMCell``, rnn_cells_contrib.py). The tiny epsilon is contrib's.

**The transposed convolution** (``conv2d_transpose``, the upsampling layer of decoders and GANs) is
``tf.nn.conv2d_transpose`` with the spatial output size ``n * stride`` ("SAME", the default) or ``n * stride +
max(kernel - stride, 0)`` ("VALID"), weights [kh, kw, num_outputs, in_channels] (mind the order: a transposed
convolution's kernel is that of the convolution it transposes), biases [num_outputs], and contrib's ReLU default.

**Embedding a sequence** (``embed_sequence``): the rows of a table ``embeddings`` [vocab_size, embed_dim] for the
ids [batch, length] -> [batch, length, embed_dim]; with ``reuse=True`` and the same ``scope``, an encoder and a
decoder share the table.
"""
from .contrib import _checked, _collect, _images, _model_variable, _num_outputs, _positive_pair, _weighted_layer
from .contrib import layers, xavier_initializer
from .contrib_framework import add_arg_scope, model_variable
from .conv_ops import conv2d_transpose as nn_conv2d_transpose
from .frontend import convert_to_tensor
from .initializers import Ones, Zeros
from .layers import _padding, transposed_output_shape
from .nn_ops import nn
from .nn_training import batch_normalization, embedding_lookup, moments
from .variable_scope import variable_scope

#: contrib's variance epsilon (tf.keras' LayerNormalization and batch norm use 1e-3)
_LAYER_NORM_EPSILON = 1e-12


def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Layer normalization (module docstring) in the variable scope ``scope`` (default "LayerNorm", made
    unique), with the variables ``beta`` (if ``center``; zeros) and ``gamma`` (if ``scale``; ones), then
    ``activation_fn`` unless None."""
    with variable_scope(scope, default_name="LayerNorm", values=[inputs], reuse=reuse):
        x = convert_to_tensor(inputs)
        rank = x.shape.rank
        if rank is None:
            raise ValueError(f"layer_norm: inputs {x.name} has undefined rank.")
        norm_axis = begin_norm_axis + rank if begin_norm_axis < 0 else begin_norm_axis
        if begin_params_axis >= rank or norm_axis >= rank:
            raise ValueError(f"layer_norm: begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                             f"({begin_norm_axis}) must be < rank(inputs) ({rank})")
        params_shape = x.shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(f"layer_norm: inputs {x.name}: shape(inputs)[{begin_params_axis}:] is not fully "
                             f"defined: {x.shape}")
        beta = gamma = None
        if center:
            beta = _model_variable("beta", params_shape, x.dtype, Zeros(), None, trainable, variables_collections)
        if scale:
            gamma = _model_variable("gamma", params_shape, x.dtype, Ones(), None, trainable, variables_collections)
        mean, variance = moments(x, list(range(norm_axis, rank)), keep_dims=True)
        y = batch_normalization(x, mean, variance, beta, gamma, _LAYER_NORM_EPSILON)
        if activation_fn is not None:
            y = activation_fn(y)
        return _collect(outputs_collections, y)


def conv2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format="NHWC",
                     activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=xavier_initializer(), weights_regularizer=None, biases_initializer=Zeros(),
                     biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                     trainable=True, scope=None):
    """A transposed convolution layer (module docstring): ``activation_fn(conv2d_transpose(inputs, weights) +
    biases)`` in the variable scope ``scope`` (default "Conv2d_transpose", made unique), with ``weights`` [kh, kw,
    num_outputs, in_channels] and ``biases`` [num_outputs]; ``normalizer_fn`` replaces the biases, as in
    ``conv2d``. ``kernel_size`` and ``stride`` are an int or a pair (height, width)."""
    x = _images("conv2d_transpose", inputs, data_format)
    channels = x.shape[3 if data_format == "NHWC" else 1]
    if channels is None:
        raise ValueError(f"conv2d_transpose: the number of input channels must be known, got shape {x.shape}")
    kernel_size = _positive_pair("conv2d_transpose", kernel_size, "kernel_size")
    stride = _positive_pair("conv2d_transpose", stride, "stride")
    padding = _checked("conv2d_transpose", _padding, padding)
    num_outputs = _num_outputs("conv2d_transpose", num_outputs)
    output_shape = transposed_output_shape("conv2d_transpose", x, data_format, num_outputs, kernel_size, stride,
                                           padding)

    def deconvolve(images, weights):
        return nn_conv2d_transpose(images, weights, output_shape, stride, padding, data_format=data_format)

    weights_shape = list(kernel_size) + [num_outputs, channels]
    return _weighted_layer("Conv2d_transpose", x, weights_shape, deconvolve, data_format, activation_fn,
                           normalizer_fn, normalizer_params, weights_initializer, weights_regularizer,
                           biases_initializer, biases_regularizer, reuse, variables_collections, outputs_collections,
                           trainable, scope, outputs_axis=-2)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None, regularizer=None,
                   trainable=True, scope=None, reuse=None):
    """The embeddings [batch_size, doc_length, embed_dim] of the ids [batch_size, doc_length], looked up in the
    model variable ``embeddings`` [vocab_size, embed_dim] of the variable scope ``scope`` (default
    "EmbedSequence", made unique; the scope's initializer unless ``initializer`` is given). With ``reuse=True``
    the sizes may be left out. ``unique`` (TF looks each distinct id up once) gives the same values and is
    accepted for compatibility."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(f"embed_sequence: must specify vocab size and embedding dimension when not reusing. Got "
                         f"vocab_size={vocab_size} and embed_dim={embed_dim}")
    with variable_scope(scope, default_name="EmbedSequence", values=[ids], reuse=reuse):
        shape = None if vocab_size is None or embed_dim is None else [vocab_size, embed_dim]
        embeddings = model_variable("embeddings", shape, initializer=initializer, regularizer=regularizer,
                                    trainable=trainable)
        return embedding_lookup(embeddings, ids)


# importing this module (contrib.py does, once its namespaces are built) adds the layers to tf.contrib.layers; the
# two layers are decorated with add_arg_scope, as TF's are (embed_sequence is not)
layers.layer_norm, layers.conv2d_transpose = add_arg_scope(layer_norm), add_arg_scope(conv2d_transpose)
layers.convolution2d_transpose = layers.conv2d_transpose
layers.embed_sequence = embed_sequence
