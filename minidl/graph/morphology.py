"""``tf.nn.dilation2d`` and ``tf.nn.erosion2d``: grayscale morphology with a learnable structuring function, on
the op library's ``dilation2d`` (ops/morphology.py has the math and the gradient). Importing this module adds them
to ``tf.nn``.

TF1's signature: NHWC ``input`` [batch, height, width, depth], ``filter`` [filter_height, filter_width, depth]
(each channel its own structuring function), ``strides`` and ``rates`` as 4-lists [1, h, w, 1], "SAME" or
"VALID" ``padding`` (TF's rule, with the window's extent (k - 1) * rate + 1)::

    dilation: out[b, y, x, c] = max over dy, dx of input[b, y*sh + dy*rh, x*sw + dx*rw, c] + filter[dy, dx, c]
    erosion:  out[b, y, x, c] = min over dy, dx of value[b, y*sh - dy*rh, x*sw - dx*rw, c] - kernel[dy, dx, c]

Erosion is computed as TF computes it, by duality: ``-dilation2d(-value, kernel reflected in height and width)``.
"""
from .. import ops
from .core import rank_error
from .math_extras import ensure_shape
from .math_ops import REALS, check_dtype, deprecated_alias, matching_pair, tf_op
from .nn_ops import nn
from .nn_training import _fmt, _hw, _op_name, _pads, with_rank


def _window_list(values, what):
    """TF's [1, h, w, 1] as the pair (h, w)."""
    if values is None:
        raise TypeError(f"{_op_name()}: missing required argument '{what}'")
    if isinstance(values, int) or len(values) != 4:
        raise ValueError(f"{_op_name()}: {what} must specify 4 dimensions [1, {what}_height, {what}_width, 1], got "
                         f"{values!r}")
    return _hw(values, what, True)


def _dilation(op_name, input, filter, strides, rates, padding):
    x, f = matching_pair(op_name, input, filter, ("input", "filter"))
    check_dtype(x, REALS, "input")
    x = with_rank(x, 4, "input")
    if not f.shape.rank_known or len(f.shape) != 3:
        raise rank_error(f)(f"Shape must be rank 3 but is rank {f.shape.rank} for '{_op_name()}' (filter shape "
                            f"{_fmt(f.shape)})")
    if not f.shape.is_fully_defined():
        raise ValueError(f"{_op_name()}: the filter's shape must be known when the graph is built, got "
                         f"{_fmt(f.shape)}")
    height, width, depth = f.shape.as_list()
    if x.shape[3] is None:  # checked when the graph runs
        x = ensure_shape(x, [None, None, None, depth])
    elif x.shape[3] != depth:
        raise ValueError(f"Dimensions must be equal, but are {x.shape[3]} and {depth} for '{_op_name()}' (op: "
                         f"'{op_name}') with input shapes: {_fmt(x.shape)}, {_fmt(f.shape)}.")
    stride, rate = _window_list(strides, "strides"), _window_list(rates, "rates")
    x = ops.permute(x, (0, 3, 1, 2))
    pads = _pads(padding, x, (height, width), stride, rate, True)
    y, _, _ = ops.dilation2d(x, ops.permute(f, (2, 0, 1)), stride, rate, pads)
    return ops.permute(y, (0, 2, 3, 1))


@tf_op("dilation2d")
def dilation2d(input, filter=None, strides=None, rates=None, padding=None, name=None, filters=None, dilations=None):
    """The grayscale dilation of NHWC ``input`` by ``filter`` [filter_height, filter_width, depth] (module
    docstring): the max over each window of input + filter. Max pooling is the case of an all-zero filter. Its
    gradient goes to the input pixel and the filter tap that won (the first of equal maxima)."""
    return _dilation("Dilation2D", input, deprecated_alias(filters, filter, "filters", "filter"), strides,
                     deprecated_alias(dilations, rates, "dilations", "rates"), padding)


@tf_op("erosion2d")
def erosion2d(value, kernel, strides, rates, padding, name=None):
    """The grayscale erosion of NHWC ``value`` by ``kernel`` [kernel_height, kernel_width, depth] (module
    docstring): the min over each window of value - kernel, the kernel reflected. TF's definition by duality:
    ``-dilation2d(-value, reverse(kernel, [0, 1]))``."""
    x, k = matching_pair("Erosion2D", value, kernel, ("value", "kernel"))
    return ops.neg(_dilation("Dilation2D", ops.neg(x), ops.flip(k, (0, 1)), strides, rates, padding))


nn.dilation2d = dilation2d
nn.erosion2d = erosion2d
