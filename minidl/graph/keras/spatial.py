"""Keras' layers that resize images without weights — ``UpSampling2D`` (each pixel repeated), ``ZeroPadding2D``
and ``Cropping2D`` (rows and columns added or cut at the borders) — and ``TimeDistributed``, which applies a
layer to every step of a sequence. Images are channels-last (batch, height, width, channels) unless
``data_format="channels_first"``."""
from .. import math_ops
from ..array_ops import concat, expand_dims, pad, reshape, shape, tile
from .layers import Layer, Wrapper, _layer
from .masking import PASSES


def _pairs(value, what):
    """Keras' forms of a 2-D margin: n, (rows, cols) or ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return (value, value), (value, value)
    rows, cols = value
    rows = (rows, rows) if isinstance(rows, int) else tuple(rows)
    cols = (cols, cols) if isinstance(cols, int) else tuple(cols)
    if len(rows) != 2 or len(cols) != 2 or min(rows + cols) < 0:
        raise ValueError(f"{what} must be an int, 2 ints or 2 pairs of ints >= 0, got {value!r}")
    return rows, cols


def _image(inputs, layer):
    x = math_ops.to_tensor(inputs)
    if x.shape.rank != 4:
        raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: expected ndim=4, found "
                         f"ndim={x.shape.rank}. Full shape received: {x.shape}")
    return x


def _spatial_axes(data_format):
    return (1, 2) if data_format in (None, "channels_last") else (2, 3)


def up_sampling2d(inputs, size=(2, 2), data_format=None, interpolation="nearest", name=None):
    """Each pixel repeated ``size[0]`` times down and ``size[1]`` times across (nearest-neighbour upsampling)."""
    if interpolation != "nearest":
        raise NotImplementedError(f"UpSampling2D: interpolation={interpolation!r} (only 'nearest' here)")
    x = _image(inputs, "UpSampling2D")
    factors = (size, size) if isinstance(size, int) else tuple(size)
    static = x.shape.as_list()
    for axis, factor in zip(_spatial_axes(data_format), factors):
        # (…, n, …) -> (…, n, factor, …) repeated -> (…, n·factor, …)
        repeated = tile(expand_dims(x, axis + 1), [1] * (axis + 1) + [int(factor)] + [1] * (3 - axis))
        dims = shape(x)
        x = reshape(repeated, concat([dims[:axis], dims[axis:axis + 1] * int(factor), dims[axis + 1:]], 0))
        static[axis] = None if static[axis] is None else static[axis] * int(factor)
    x.set_shape(static)
    return x


def zero_padding2d(inputs, padding=(1, 1), data_format=None, name=None):
    """Rows of zeros above and below, columns left and right: ``padding`` as n, (rows, cols) or
    ((top, bottom), (left, right))."""
    x = _image(inputs, "ZeroPadding2D")
    rows, cols = _pairs(padding, "ZeroPadding2D padding")
    paddings = [[0, 0]] * 4
    first, second = _spatial_axes(data_format)
    paddings[first], paddings[second] = list(rows), list(cols)
    return pad(x, paddings)


def cropping2d(inputs, cropping=((0, 0), (0, 0)), data_format=None, name=None):
    """Rows cut at the top and bottom, columns at the left and right (the same forms as ``ZeroPadding2D``)."""
    x = _image(inputs, "Cropping2D")
    (top, bottom), (left, right) = _pairs(cropping, "Cropping2D cropping")
    rows, cols = slice(top, -bottom or None), slice(left, -right or None)
    index = (slice(None), rows, cols, slice(None)) if _spatial_axes(data_format) == (1, 2) else \
        (slice(None), slice(None), rows, cols)
    return x[index]


UpSampling2D = _layer("UpSampling2D", up_sampling2d, doc=up_sampling2d.__doc__)
ZeroPadding2D = _layer("ZeroPadding2D", zero_padding2d, doc=zero_padding2d.__doc__)
Cropping2D = _layer("Cropping2D", cropping2d, doc=cropping2d.__doc__)


class TimeDistributed(Wrapper):
    """``layer`` applied to each step of (batch, time, ...) inputs, with the same weights for every step: the
    steps are folded into the batch, (batch·time, ...), and unfolded after. A mask of padded steps goes on."""
    mask_handling = PASSES

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `Layer` instance. You passed: "
                             f"{layer!r}")
        super().__init__(layer, **kwargs)

    def call(self, inputs):
        x = math_ops.to_tensor(inputs)
        if not x.shape.rank_known or x.shape.rank < 3:
            raise ValueError(f"TimeDistributed needs inputs of at least 3 dims (batch, time, ...), got {x.shape}")
        dims = shape(x)
        folded = reshape(x, concat([[-1], dims[2:]], 0))
        folded.set_shape([None] + x.shape.as_list()[2:])  # what is known of one step (a Dense reads its depth)
        out = self.layer(folded)
        unfolded = reshape(out, concat([dims[:2], shape(out)[1:]], 0))
        steps = x.shape.as_list()[1]
        unfolded.set_shape([x.shape[0], steps] + out.shape.as_list()[1:])
        return unfolded

    def inner_layers(self):
        return [self.layer]

    @property
    def weights(self):
        return self.layer.weights

    variables = weights

    @property
    def trainable_weights(self):
        return self.layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        trainable = set(self.trainable_weights)
        return [v for v in self.weights if v not in trainable]
