"""``tf.nn.conv1d``, ``tf.nn.conv2d_transpose``, the 1-D pools, and ``tf.nn.conv3d`` with the 3-D pools. Importing
this module adds them to ``tf.nn``.

**1-D as 2-D.** A sequence [batch, width, channels] (NWC) is an image one pixel high: ``conv1d`` inserts that
height-1 dim, runs ``conv2d`` with a [1, width, in, out] filter, and removes the dim again — what TF itself does.
The pools do the same with ``max_pool`` / ``avg_pool``, so TF's SAME padding and layouts come from nn_training.py.

**The transposed convolution** ``conv2d_transpose(value, filter, output_shape, strides, padding)`` is the
gradient of ``conv2d`` with respect to its input: it maps ``value`` (shaped like a convolution's output) back to
``output_shape`` (shaped like that convolution's input), spreading each value over a window instead of gathering
a window into one value — "deconvolution", the upsampling layer of decoders and GANs. TF's filter is
[height, width, output_channels, in_channels] (the filter of the convolution it transposes). The op library's
``conv_transpose2d`` computes the full, unpadded result, (in - 1) * stride + (k - 1) * dilation + 1 positions
along each axis; the convolution's padding is then cut off its edges — ``pad_total // 2`` at the top/left, as
in the forward SAME rule — and what is left is ``output_shape`` (several output sizes map to the same input
size under a stride; the extra rows/columns at the bottom/right get no contribution, zeros).
"""
import numbers


from .. import ops
from ..ops.combine import Stack
from .array_ops import expand_dims, squeeze
from .math_ops import FLOATS, REALS, check_dtype, constant_value, deprecated_alias, graph_tensor, known_scalar, \
    matching_pair, tf_op, to_tensor
from .nn_ops import nn
from .segment_ops import lowest_value
from .nn_training import (_channels_last, _fmt, _from_nchw, _hw, _op_name, _pad_all, _pads, _to_nchw, avg_pool, conv2d,
                          max_pool, with_rank)


# ================================================================================================== 1-D

def _channels_last_1d(data_format):
    """"NWC" (and TF1's "NHWC") is channels-last; "NCW" (and "NCHW") channels-first."""
    if data_format in (None, "NWC", "NHWC"):
        return True
    if data_format in ("NCW", "NCHW"):
        return False
    raise ValueError(f'data_format must be "NWC" or "NCW", got {data_format!r}')


def _as_2d(value, what, channels_last):
    """A 1-D window argument (an int, or a list of 1 or 3 ints in data_format order) as conv2d's 4-list, with
    height 1."""
    if value is None:
        raise TypeError(f"{_op_name()}: missing required argument '{what}'")
    values = [value] if isinstance(value, numbers.Integral) else list(value)
    if len(values) == 3:
        if values[0] != 1 or values[2 if channels_last else 1] != 1:
            raise ValueError(f"{what} in the batch and depth dimensions must be 1, got {what}={values}")
        values = [values[1 if channels_last else 2]]
    if len(values) != 1:
        raise ValueError(f"{what} should be an int or a list of length 1 or 3, got {value!r}")
    return [1, 1, int(values[0]), 1] if channels_last else [1, 1, 1, int(values[0])]


@tf_op("conv1d")
def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None, name=None,
           input=None, dilations=None):
    """1-D cross-correlation of ``value`` [batch, in_width, in_channels] ("NWC"; or "NCW") with ``filters``
    [filter_width, in_channels, out_channels], moved by ``stride``; "SAME" or "VALID" ``padding``."""
    x, w = matching_pair("Conv2D", deprecated_alias(input, value, "input", "value"), filters, ("input", "filter"))
    x = with_rank(x, 3, "input")
    w = with_rank(w, 3, "filters")
    channels_last = _channels_last_1d(data_format)
    height = 1 if channels_last else 2  # where the inserted height-1 dim goes
    y = conv2d(expand_dims(x, height), expand_dims(w, 0), _as_2d(stride, "stride", channels_last), padding,
               data_format="NHWC" if channels_last else "NCHW",
               dilations=_as_2d(1 if dilations is None else dilations, "dilations", channels_last))
    return squeeze(y, [height])


def _pool1d(pool, input, ksize, strides, padding, data_format, allowed):
    x = check_dtype(to_tensor(input), allowed, "input")
    x = with_rank(x, 3, "input")
    channels_last = _channels_last_1d(data_format)
    height = 1 if channels_last else 2
    y = pool(expand_dims(x, height), _as_2d(ksize, "ksize", channels_last), _as_2d(strides, "strides", channels_last),
             padding, data_format="NHWC" if channels_last else "NCHW")
    return squeeze(y, [height])


@tf_op("MaxPool1d")
def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """The maximum of each ``ksize`` window of ``input`` [batch, width, channels] ("NWC"; or "NCW")."""
    return _pool1d(max_pool, input, ksize, strides, padding, data_format, REALS)


@tf_op("AvgPool1D")
def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """The mean of each ``ksize`` window of ``input`` [batch, width, channels]; SAME padding is not counted."""
    return _pool1d(avg_pool, input, ksize, strides, padding, data_format, FLOATS)


# ================================================================================================ transposed

def _output_dims(output_shape, channels_last, rank=4):
    """(batch, *spatial sizes, channels) from ``output_shape`` (``rank`` entries in data_format order). The
    spatial sizes and channels must be known when the graph is built; the batch entry may be a tensor
    (``tf.shape(x)[0]``), then None here: the batch comes from ``value``. So the TF1 idiom
    ``tf.stack([tf.shape(x)[0], h, w, c])`` is read entry by entry; a batch given as a number is the result's
    static batch size, as TF's shape function takes it."""
    tensor = graph_tensor(output_shape)
    if tensor is None:
        entries = list(output_shape)
    elif tensor.op.op is Stack and tensor.op.attrs["dim"] == 0:
        entries = list(tensor.op.inputs)
    else:
        entries = constant_value(tensor, "output_shape")
    if len(entries) != rank:
        raise ValueError(f"output_shape must have shape ({rank},), got {len(entries)} entries: {output_shape!r}")
    dims = entries[1:-1] + entries[-1:] if channels_last else entries[2:] + entries[1:2]
    batch = entries[0] if isinstance(entries[0], numbers.Integral) else \
        known_scalar(entries[0]) if graph_tensor(entries[0]) is not None else None
    return [batch] + [constant_value(d, "output_shape's spatial sizes and channels") for d in dims]


def transposed_convolution(x, w, output_dims, stride, dilation, padding, groups=1):
    """The transposed convolution of ``x`` (channels first: N, C_in, *spatial) with ``w`` in the op library's
    layout (C_in, C_out / groups, *kernel), cropped or zero-padded to ``output_dims`` (``_output_dims``' list:
    batch, *spatial sizes, channels); the result channels first. Shared by the 1-, 2- and 3-D transposes and the
    depthwise backprop (see the module docstring for the crop)."""
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: \"SAME\", "
                         f"\"VALID\"")
    dims = len(stride)
    batch, *out_sizes, out_c = output_dims
    kernel, in_c = tuple(w.shape[2:]), x.shape[1]
    if None in kernel:
        raise ValueError(f"{_op_name()}: the filter's spatial sizes must be known, got {_fmt(w.shape)}")
    if w.shape[1] is not None and out_c != w.shape[1] * groups:
        raise ValueError(f"output_shape does not match filter's output channels, {out_c} != {w.shape[1] * groups}")
    if None not in (in_c, w.shape[0]) and in_c != w.shape[0]:
        raise ValueError(f"input channels does not match filter's input channels, {in_c} != {w.shape[0]}")
    crops = []
    for axis, (out, k, s, d) in enumerate(zip(out_sizes, kernel, stride, dilation)):
        extent = (k - 1) * d + 1  # how far one window reaches
        if padding == "VALID" and out < extent:
            raise ValueError(f"{_op_name()}: output size {out} is smaller than the filter's extent {extent}")
        n = -(-out // s) if padding == "SAME" else -(-(out - extent + 1) // s)  # the forward conv's output size
        actual = x.shape[2 + axis]
        if actual is not None and actual != n:
            raise ValueError(f"Conv{dims}DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = "
                             f"{actual}, computed = {n} spatial_dim: {axis + 1} input: {out} filter: {k} output: "
                             f"{actual} stride: {s} dilation: {d}")
        total = max((n - 1) * s + extent - out, 0) if padding == "SAME" else 0
        full = (n - 1) * s + extent  # the unpadded transposed result
        crops.append((-(total // 2), out - (full - total // 2)))  # negative: cut off; positive: zeros added
    transpose = ops.conv_transpose2d if dims == 2 else ops.conv_transpose3d
    y = transpose(x, w, stride=stride, dilation=dilation, groups=groups)
    y = _pad_all(y, crops)
    # the sizes asked for, also where x's spatial sizes are known only when the graph runs
    known_batch = y.shape[0] if y.shape[0] is not None or batch is None else int(batch)
    y.set_shape([known_batch, int(out_c), *(int(n) for n in out_sizes)])
    return y


@tf_op("conv2d_transpose")
def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME", data_format="NHWC",
                     name=None, input=None, filters=None, dilations=None):
    """The transposed 2-D convolution (module docstring) of ``value`` [batch, height, width, in_channels] with
    ``filter`` [filter_height, filter_width, output_channels, in_channels], giving ``output_shape``
    [batch, out_height, out_width, output_channels] (NHWC; or NCHW): the gradient of ``conv2d(y, filter,
    strides, padding)`` with respect to a ``y`` of that shape."""
    x, w = matching_pair("Conv2DBackpropInput", deprecated_alias(input, value, "input", "value"),
                         deprecated_alias(filters, filter, "filters", "filter"), ("out_backprop", "filter"))
    check_dtype(x, FLOATS, "out_backprop")
    x = with_rank(x, 4, "value")
    w = with_rank(w, 4, "filter")
    if output_shape is None:
        raise TypeError(f"{_op_name()}: missing required argument 'output_shape'")
    channels_last = _channels_last(data_format, "NHWC", "NCHW")
    stride = _hw(strides, "strides", channels_last)
    dilation = _hw(1 if dilations is None else dilations, "dilations", channels_last)
    y = transposed_convolution(_to_nchw(x, channels_last), ops.permute(w, (3, 2, 0, 1)),
                               _output_dims(output_shape, channels_last), stride, dilation, padding)
    return _from_nchw(y, channels_last)


# ================================================================================================== 3-D

def _dhw(value, what, channels_last):
    """A 3-D window argument (an int, or a list of 1, 3 or 5 ints in data_format order; the batch and channel
    entries of 5 must be 1) as the triple (along D, along H, along W)."""
    if value is None:
        raise TypeError(f"{_op_name()}: missing required argument '{what}'")
    values = [value] if isinstance(value, numbers.Integral) else list(value)
    if len(values) == 5:
        if values[0] != 1 or values[4 if channels_last else 1] != 1:
            raise ValueError(f"{what} in the batch and depth dimensions must be 1, got {what}={values}")
        values = values[1:4] if channels_last else values[2:]
    if len(values) not in (1, 3):
        raise ValueError(f"{what} should be of length 1, 3 or 5 but was {len(values)}")
    values = tuple(int(v) for v in values * (3 if len(values) == 1 else 1))
    if min(values) < 1:
        raise ValueError(f"{what} must be positive, got {value}")
    return values


def _to_ncdhw(x, channels_last):
    return ops.permute(x, (0, 4, 1, 2, 3)) if channels_last else x


def _from_ncdhw(y, channels_last):
    return ops.permute(y, (0, 2, 3, 4, 1)) if channels_last else y


@tf_op("Conv3D")
def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None,
           filters=None):
    """3-D cross-correlation of ``input`` [batch, in_depth, in_height, in_width, in_channels] (NDHWC; or NCDHW)
    with ``filter`` [filter_depth, filter_height, filter_width, in_channels, out_channels]: ``conv2d`` with one
    more axis. ``strides`` and ``dilations``: lists of 5 (batch and channel entries 1); "SAME" or "VALID"
    ``padding``. An input with a multiple of the filter's in_channels is a grouped convolution."""
    x, w = matching_pair("Conv3D", input, deprecated_alias(filters, filter, "filters", "filter"), ("input", "filter"))
    check_dtype(x, FLOATS, "input")
    x = with_rank(x, 5, "input")
    w = with_rank(w, 5, "filter")
    channels_last = _channels_last(data_format, "NDHWC", "NCDHW")
    stride, dilation = _dhw(strides, "strides", channels_last), _dhw(dilations, "dilations", channels_last)
    input_shape, x = x.shape, _to_ncdhw(x, channels_last)
    in_depth, filter_depth = x.shape[1], w.shape[3]
    if None not in (in_depth, filter_depth) and in_depth % filter_depth:
        raise ValueError(f"Depth of input ({in_depth}) is not a multiple of input depth of filter ({filter_depth}) "
                         f"for '{_op_name()}' (op: 'Conv3D') with input shapes: {_fmt(input_shape)}, "
                         f"{_fmt(w.shape)}.")
    if None in tuple(w.shape[:3]):
        raise ValueError(f"{_op_name()}: the filter's depth, height and width must be known, got {_fmt(w.shape)}")
    pads = _pads(padding, x, tuple(w.shape[:3]), stride, dilation, channels_last, at_run_time=True)
    groups = 1 if None in (in_depth, filter_depth) else in_depth // filter_depth
    y = ops.conv3d(_pad_all(x, pads), ops.permute(w, (4, 3, 0, 1, 2)), stride=stride, dilation=dilation,
                   groups=groups)
    return _from_ncdhw(y, channels_last)


def _pool3d(input, ksize, strides, padding, data_format, allowed, pool):
    """Shared by the 3-D pools: check, go to NCDHW, pool with ``pool(x, kernel, stride, pads)``, come back."""
    x = check_dtype(to_tensor(input), allowed, "input")
    x = with_rank(x, 5, "input")
    channels_last = _channels_last(data_format, "NDHWC", "NCDHW")
    kernel, stride = _dhw(ksize, "ksize", channels_last), _dhw(strides, "strides", channels_last)
    x = _to_ncdhw(x, channels_last)
    pads = _pads(padding, x, kernel, stride, (1, 1, 1), channels_last, at_run_time=True)
    return _from_ncdhw(pool(x, kernel, stride, pads), channels_last)


def _max3d(x, kernel, stride, pads):
    return ops.max_pool3d(_pad_all(x, pads, lowest_value(x.dtype)), kernel, stride)  # padding never wins


def _avg3d(x, kernel, stride, pads):
    padded = _pad_all(x, pads)
    y = ops.avg_pool3d(padded, kernel, stride)
    if padded is x:
        return y
    # The zeros padded here counted as values. Pooling ones padded the same way gives, per window, the share of
    # its values that are real; dividing by it leaves (sum of the real values) / (their number).
    ones = _pad_all(ops.ones_like(ops.getitem(x, (slice(0, 1), slice(0, 1)))), pads)
    return ops.div(y, ops.avg_pool3d(ones, kernel, stride))


@tf_op("MaxPool3D")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """The maximum of each ``ksize`` window of ``input`` [batch, depth, height, width, channels] (NDHWC; or
    NCDHW), moved by ``strides``; "SAME" or "VALID" padding (padded positions never win)."""
    return _pool3d(input, ksize, strides, padding, data_format, REALS, _max3d)


@tf_op("AvgPool3D")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """The mean of each ``ksize`` window of ``input`` (NDHWC; or NCDHW); under "SAME" each window is divided by
    the number of real (not padded) values in it."""
    return _pool3d(input, ksize, strides, padding, data_format, FLOATS, _avg3d)


for _fn in (conv1d, conv2d_transpose, max_pool1d, avg_pool1d, conv3d, max_pool3d, avg_pool3d):
    setattr(nn, _fn.__name__, _fn)
