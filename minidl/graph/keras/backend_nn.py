"""The neural-network functions of ``tf.keras.backend`` that custom layers are written with — convolutions, pools,
dropout, batch normalization, CTC, loops over a tensor's first dim — as the graph ops they name, with Keras'
conventions: ``padding="valid"``/``"same"`` in lower case, ``data_format="channels_last"``/``"channels_first"``
(default: ``image_data_format()``), strides and dilations given per spatial dim only (``(2, 2)``, not
``[1, 2, 2, 1]``)."""
from .. import math_ops
from ..array_ops import expand_dims, ones_like, pad, reshape, sequence_mask, shape, squeeze, transpose, where
from ..conv_ops import avg_pool3d, conv1d as nn_conv1d, conv2d_transpose as nn_conv2d_transpose, conv3d as nn_conv3d, \
    max_pool3d
from ..ctc_ops import ctc_greedy_decoder, ctc_loss
from ..functional_ops import map_fn as tf_map_fn
from ..nn_extras import depthwise_conv2d as nn_depthwise_conv2d, separable_conv2d as nn_separable_conv2d
from ..nn_training import avg_pool, conv2d as nn_conv2d, dropout as nn_dropout, max_pool, moments
from ..nn_training import batch_normalization as nn_batch_normalization
from ..scan_ops import foldl as tf_foldl, foldr as tf_foldr
from ..sort_ops import in_top_k as tf_in_top_k
from .backend_math import image_data_format

_PADDINGS = {"same": "SAME", "valid": "VALID"}
_LAYOUTS = {"channels_last": ("NWC", "NHWC", "NDHWC"), "channels_first": ("NCW", "NCHW", "NCDHW")}


def _padding(padding):
    if padding not in _PADDINGS:
        raise ValueError(f"Invalid padding: {padding!r} (expected 'same' or 'valid')")
    return _PADDINGS[padding]


def _layout(data_format, spatial_dims):
    """TF's name of the layout of a ``spatial_dims``-D input: "NHWC" for channels-last images ..."""
    data_format = data_format or image_data_format()
    if data_format not in _LAYOUTS:
        raise ValueError(f"Unknown data_format: {data_format!r} (expected 'channels_last' or 'channels_first')")
    return _LAYOUTS[data_format][spatial_dims - 1]


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution of (batch, steps, channels) with ``kernel`` (width, in, out); ``padding="causal"`` pads
    the start only, so that output t sees the steps up to t."""
    layout = _layout(data_format, 1)
    if padding == "causal":
        reach = dilation_rate * (int(kernel.shape[0]) - 1)
        x = pad(x, [[0, 0], [reach, 0], [0, 0]] if layout == "NWC" else [[0, 0], [0, 0], [reach, 0]])
        padding = "valid"
    return nn_conv1d(x, kernel, strides, _padding(padding), data_format=layout, dilations=dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2-D convolution with ``kernel`` (kh, kw, in, out)."""
    return nn_conv2d(x, kernel, strides, _padding(padding), data_format=_layout(data_format, 2),
                     dilations=dilation_rate)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """The transposed 2-D convolution with ``kernel`` (kh, kw, out, in), giving ``output_shape`` (a batch entry of
    None is the inputs' batch size)."""
    output_shape = list(output_shape)
    if output_shape[0] is None:
        output_shape[0] = shape(x)[0]
    return nn_conv2d_transpose(x, kernel, output_shape, strides, _padding(padding),
                               data_format=_layout(data_format, 2), dilations=dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """A depthwise convolution (kh, kw, in, multiplier), then a 1x1 one (1, 1, in · multiplier, out)."""
    return nn_separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides, _padding(padding),
                               data_format=_layout(data_format, 2), dilations=dilation_rate)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """Each input channel convolved with its own filters (kh, kw, in, multiplier)."""
    return nn_depthwise_conv2d(x, depthwise_kernel, strides, _padding(padding), data_format=_layout(data_format, 2),
                               dilations=dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1)):
    """3-D convolution with ``kernel`` (kd, kh, kw, in, out)."""
    return nn_conv3d(x, kernel, strides, _padding(padding), data_format=_layout(data_format, 3),
                     dilations=dilation_rate)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, spatial_dims, pools):
    if pool_mode not in pools:
        raise ValueError(f"Invalid pooling mode: {pool_mode!r} (expected 'max' or 'avg')")
    return pools[pool_mode](x, pool_size, strides, _padding(padding), data_format=_layout(data_format, spatial_dims))


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """The max (or mean: ``pool_mode="avg"``) of each ``pool_size`` window, moved by ``strides``."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2, {"max": max_pool, "avg": avg_pool})


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """``pool2d`` with one more spatial dim."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3, {"max": max_pool3d, "avg": avg_pool3d})


def dropout(x, level, noise_shape=None, seed=None):
    """Entries of ``x`` set to 0 with probability ``level``, the others scaled by 1 / (1 - level) — always (not
    only while training: ``K.in_train_phase`` chooses)."""
    return nn_dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along its first dim, the results stacked (``tf.map_fn``)."""
    return tf_map_fn(fn, elems, dtype=dtype, name=name)


def foldl(fn, elems, initializer=None, name=None):
    """``a = fn(a, x)`` over the slices of ``elems``, first to last; the last ``a`` (``tf.foldl``)."""
    return tf_foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    """``foldl`` from the last slice to the first (``tf.foldr``)."""
    return tf_foldr(fn, elems, initializer=initializer, name=name)


def _along(x, axis, *params):
    """1-D per-feature ``params`` reshaped to broadcast along ``axis`` of ``x`` (None stays None)."""
    rank = x.shape.rank
    if axis % rank == rank - 1:
        return params
    dims = [1] * rank
    dims[axis % rank] = -1
    return [p if p is None or math_ops.to_tensor(p).shape.rank != 1 else reshape(p, dims) for p in params]


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """``(x - mean) / sqrt(var + epsilon) · gamma + beta``, the 1-D statistics and parameters along ``axis`` (the
    features); ``beta`` and ``gamma`` may be None."""
    x = math_ops.to_tensor(x)
    mean, var, beta, gamma = _along(x, axis, mean, var, beta, gamma)
    return nn_batch_normalization(x, mean, var, beta, gamma, epsilon)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """``x`` normalized with the mean and (biased) variance over ``reduction_axes``, then scaled by ``gamma`` and
    shifted by ``beta`` (shaped like the dims not reduced; either may be None): ``(normed, mean, variance)``."""
    x = math_ops.to_tensor(x)
    axes = sorted(axis % x.shape.rank for axis in reduction_axes)
    mean, variance = moments(x, axes, keep_dims=True)
    kept = shape(mean)  # 1 along the reduced axes: gamma and beta broadcast as the statistics do
    gamma, beta = (None if p is None else reshape(p, kept) for p in (gamma, beta))
    normed = nn_batch_normalization(x, mean, variance, beta, gamma, epsilon)
    return normed, squeeze(mean, axes), squeeze(variance, axes)


def in_top_k(predictions, targets, k):
    """For each row, whether its target class is among the ``k`` largest predictions."""
    return tf_in_top_k(predictions, targets, k)


def _lengths(length):
    """Keras' (batch, 1) lengths as the (batch,) int32 vector the CTC ops take."""
    return math_ops.cast(squeeze(math_ops.to_tensor(length), [-1]), "int32")


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """The CTC loss of each sample, (batch, 1): ``y_pred`` (batch, time, classes) softmax outputs, the blank the
    last class; ``y_true`` (batch, max_labels) the labels, of which the first ``label_length`` (batch, 1) count;
    ``input_length`` (batch, 1) the steps of each sample."""
    from .backend import epsilon  # (backend imports this module at its end)
    labels = math_ops.cast(y_true, "int32")
    # minidl's ctc_loss takes TF's sparse labels as a dense matrix with -1 where there is no entry
    real = sequence_mask(_lengths(label_length), shape(labels)[1])
    labels = where(real, labels, -ones_like(labels))
    log_probs = math_ops.log(transpose(y_pred, [1, 0, 2]) + epsilon())
    return expand_dims(ctc_loss(labels, log_probs, _lengths(input_length)), 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """The best path of each sample (greedy: the most likely class at each step, repeats merged, blanks dropped):
    ``([decoded], log_probability)``, ``decoded`` (batch, longest path) padded with -1, as Keras gives it;
    ``input_length`` (batch,) the steps of each sample."""
    if not greedy:
        raise NotImplementedError("K.ctc_decode: beam search (greedy=False) is not supported; use greedy=True")
    from .backend import epsilon
    log_probs = math_ops.log(transpose(y_pred, [1, 0, 2]) + epsilon())
    # (the lengths here are (batch,), as Keras takes them; TF's decoder gives minus the sum of the best logits)
    decoded, log_probability = ctc_greedy_decoder(log_probs, math_ops.cast(input_length, "int32"))
    from ..sparse_ops import sparse_to_dense  # (sparse_ops comes after the keras backend in the import order)
    return [sparse_to_dense(d, default_value=-1) for d in decoded], log_probability


__all__ = ["conv1d", "conv2d", "conv2d_transpose", "separable_conv2d", "depthwise_conv2d", "conv3d", "pool2d",
           "pool3d", "dropout", "map_fn", "foldl", "foldr", "batch_normalization", "normalize_batch_in_training",
           "in_top_k", "ctc_batch_cost", "ctc_decode"]
