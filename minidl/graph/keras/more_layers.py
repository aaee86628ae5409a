"""More of Keras' layers, each one function of ``tf.layers`` style made a layer by ``_layer``:

- ``RepeatVector(n)``: (batch, features) -> (batch, n, features), a vector fed to every step of a decoder;
- ``Permute(dims)``: the dims after the batch reordered (``dims`` counts from 1, as in Keras);
- ``SpatialDropout1D/2D(rate)``: dropout of whole channels (one decision per sample and channel, shared by every
  step or pixel), while training;
- ``GaussianNoise(stddev)``: x + N(0, stddev²) while training; ``GaussianDropout(rate)``: x · N(1, rate/(1-rate))
  while training (the same expectation, as dropout keeps it);
- ``ELU(alpha)``: x for x > 0, else alpha (e^x - 1); ``PReLU``: a leaky relu whose slope ``alpha`` is learned,
  one per feature (``shared_axes`` share it across dims, as the image dims of a convolution's output);
- ``LayerNormalization``: each sample normalized over ``axis`` (the features), then scaled by ``gamma`` and shifted
  by ``beta`` — Ba et al. 2016; ``epsilon`` 1e-3 as in Keras;
- ``ZeroPadding1D``, ``Cropping1D``, ``UpSampling1D``: the 1-D forms of ``spatial.py``'s layers, on sequences
  (batch, steps, features).

The noisy layers follow the learning phase as ``Dropout`` does (``tf.layers.dropout``'s switch): the noise is drawn
outside the branch, so the gradient meets the same noise as the forward pass.
"""
from .. import math_ops
from ..array_ops import expand_dims, pad, reshape, shape, stack, tile, transpose, where
from ..basics import identity
from ..control_flow import cond
from ..initializers import Ones, Zeros
from ..math_ops import graph_tensor
from ..nn_ops import nn
from ..random_ops import random_normal
from ..variable_scope import get_variable, layer_scope
from .. import layers as tf_layers
from .layers import _layer
from .masking import PASSES


def repeat_vector(inputs, n, name=None):
    """(batch, features) -> (batch, n, features)."""
    x = math_ops.to_tensor(inputs)
    if x.shape.rank != 2:
        raise ValueError(f"Input 0 of layer RepeatVector is incompatible with the layer: expected ndim=2, found "
                         f"ndim={x.shape.rank}. Full shape received: {x.shape}")
    return tile(expand_dims(x, 1), [1, int(n), 1])


def permute(inputs, dims, name=None):
    """The dims after the batch in the order ``dims`` (1-based: ``Permute((2, 1))`` swaps steps and features)."""
    x = math_ops.to_tensor(inputs)
    dims = [int(d) for d in dims]
    if sorted(dims) != list(range(1, x.shape.rank)):
        raise ValueError(f"Invalid permutation `dims` for Permute Layer: {tuple(dims)}. The set of indices in `dims` "
                         f"must be consecutive and start from 1 (input {x.shape})")
    return transpose(x, [0] + dims)


def _while_training(training, noisy, x):
    """``noisy`` (a tensor made outside any branch) while ``training`` (a bool, or a bool tensor), else x."""
    switch = graph_tensor(training)
    if switch is None:
        return noisy if training else identity(x)
    return cond(switch, lambda: noisy, lambda: identity(x))


def _spatial_dropout(rank):
    def spatial_dropout(inputs, rate, data_format=None, training=False, name=None):
        x = math_ops.to_tensor(inputs)
        if x.shape.rank != rank:
            raise ValueError(f"SpatialDropout{rank - 2}D expects inputs of ndim={rank}, got {x.shape}")
        dims = shape(x)
        last = data_format in (None, "channels_last")
        ones = [1] * (rank - 2)
        noise_shape = stack([dims[0], *ones, dims[-1]] if last else [dims[0], dims[1], *ones])
        return tf_layers.dropout(x, rate, noise_shape=noise_shape, training=training)
    spatial_dropout.__doc__ = f"Dropout of whole channels of a {rank}-D input, while training."
    return spatial_dropout


def gaussian_noise(inputs, stddev, training=False, name=None):
    """x + N(0, stddev²) while training, else x."""
    x = math_ops.to_tensor(inputs)
    return _while_training(training, x + random_normal(shape(x), stddev=stddev, dtype=x.dtype), x)


def gaussian_dropout(inputs, rate, training=False, name=None):
    """x · N(1, rate / (1 - rate)) while training, else x."""
    x = math_ops.to_tensor(inputs)
    noise = random_normal(shape(x), mean=1.0, stddev=(rate / (1.0 - rate)) ** 0.5, dtype=x.dtype)
    return _while_training(training, x * noise, x)


def elu(inputs, alpha=1.0, name=None):
    """x for x > 0, else alpha (e^x - 1)."""
    x = math_ops.to_tensor(inputs)
    return nn.elu(x) if alpha == 1.0 else where(x > 0, x, alpha * (math_ops.exp(x) - 1.0))


def prelu(inputs, alpha_initializer=None, alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
          trainable=True, name=None, reuse=None):
    """max(x, 0) + alpha · min(x, 0) with a learned ``alpha`` per feature (zeros at first: a relu)."""
    x = math_ops.to_tensor(inputs)
    alpha_shape = x.shape.as_list()[1:]
    for axis in [shared_axes] if isinstance(shared_axes, int) else shared_axes or []:
        alpha_shape[axis - 1] = 1
    with layer_scope(name, "p_re_lu", reuse):
        alpha = get_variable("alpha", alpha_shape, x.dtype, alpha_initializer or Zeros(), alpha_regularizer,
                             trainable, constraint=alpha_constraint)
        return nn.relu(x) - alpha * nn.relu(-x)


def layer_normalization(inputs, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer=None,
                        gamma_initializer=None, beta_regularizer=None, gamma_regularizer=None, trainable=True,
                        name=None, reuse=None):
    """(x - mean) / sqrt(variance + epsilon) · gamma + beta, the statistics over ``axis`` of each sample."""
    x = math_ops.to_tensor(inputs)
    axes = [axis] if isinstance(axis, int) else list(axis)
    rank = x.shape.rank
    bad = [a for a in axes if not -rank <= a < rank]
    if bad:
        raise ValueError(f"Invalid axis: {bad[0]} (LayerNormalization of an input of shape {x.shape})")
    size = [x.shape.as_list()[a] for a in axes]
    with layer_scope(name, "layer_normalization", reuse):
        mean, variance = nn.moments(x, axes, keep_dims=True)
        y = (x - mean) * math_ops.rsqrt(variance + epsilon)
        keep = [1] * x.shape.rank
        for a, n in zip(axes, size):
            keep[a] = n
        if scale:
            y = y * reshape(get_variable("gamma", size, x.dtype, gamma_initializer or Ones(), gamma_regularizer,
                                         trainable), keep)
        if center:
            y = y + reshape(get_variable("beta", size, x.dtype, beta_initializer or Zeros(), beta_regularizer,
                                         trainable), keep)
        return y


def _sequence(inputs, layer):
    x = math_ops.to_tensor(inputs)
    if x.shape.rank != 3:
        raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: expected ndim=3 (batch, steps, "
                         f"features), found ndim={x.shape.rank}. Full shape received: {x.shape}")
    return x


def _margins(value, what):
    margins = (value, value) if isinstance(value, int) else tuple(value)
    if len(margins) != 2 or min(margins) < 0:
        raise ValueError(f"{what} must be an int or a pair of ints >= 0, got {value!r}")
    return margins


def zero_padding1d(inputs, padding=1, name=None):
    """Steps of zeros before and after the sequence: ``padding`` as n or (before, after)."""
    return pad(_sequence(inputs, "ZeroPadding1D"), [[0, 0], list(_margins(padding, "ZeroPadding1D padding")),
                                                    [0, 0]])


def cropping1d(inputs, cropping=(1, 1), name=None):
    """Steps cut at the start and the end: ``cropping`` as n or (start, end)."""
    start, end = _margins(cropping, "Cropping1D cropping")
    return _sequence(inputs, "Cropping1D")[:, start:-end or None]


def up_sampling1d(inputs, size=2, name=None):
    """Each step repeated ``size`` times."""
    x = _sequence(inputs, "UpSampling1D")
    steps = x.shape.as_list()[1]
    repeated = reshape(tile(expand_dims(x, 2), [1, 1, int(size), 1]),
                       stack([shape(x)[0], shape(x)[1] * int(size), shape(x)[2]]))
    repeated.set_shape([None, None if steps is None else steps * int(size), x.shape.as_list()[2]])
    return repeated


RepeatVector = _layer("RepeatVector", repeat_vector, doc=repeat_vector.__doc__)
Permute = _layer("Permute", permute, doc=permute.__doc__)
SpatialDropout1D = _layer("SpatialDropout1D", _spatial_dropout(3))
SpatialDropout2D = _layer("SpatialDropout2D", _spatial_dropout(4))
GaussianNoise = _layer("GaussianNoise", gaussian_noise, doc=gaussian_noise.__doc__)
GaussianDropout = _layer("GaussianDropout", gaussian_dropout, doc=gaussian_dropout.__doc__)
ELU = _layer("ELU", elu, doc=elu.__doc__)
PReLU = _layer("PReLU", prelu, doc=prelu.__doc__)
LayerNormalization = _layer("LayerNormalization", layer_normalization, doc=layer_normalization.__doc__)
ZeroPadding1D = _layer("ZeroPadding1D", zero_padding1d, doc=zero_padding1d.__doc__)
Cropping1D = _layer("Cropping1D", cropping1d, doc=cropping1d.__doc__)
UpSampling1D = _layer("UpSampling1D", up_sampling1d, doc=up_sampling1d.__doc__)
for _passing in (SpatialDropout1D, GaussianNoise, GaussianDropout, ELU, LayerNormalization):
    _passing.mask_handling = PASSES  # each step on its own: a mask of padded steps goes on
