"""``tf.space_to_depth`` and ``tf.depth_to_space`` (also in ``tf.nn``): moving pixels between space and channels.

``space_to_depth`` cuts each image into ``block_size x block_size`` tiles and stacks each tile's pixels into the
channels of one output pixel: ``[b, h, w, c] -> [b, h / bs, w / bs, bs * bs * c]`` (NHWC). ``depth_to_space`` is its
inverse (sub-pixel convolution's upscaling step). TF fixes the order of the channels (its "DCR" order): output
pixel ``(i, j)``, channel ``(dy * bs + dx) * c + k`` holds input pixel ``(i * bs + dy, j * bs + dx)``, channel
``k`` — the tile row first, then the tile column, then the original channel::

    x = [[[[1], [2]],          space_to_depth(x, 2) = [[[[1, 2, 3, 4]]]]   (shape [1, 1, 1, 4])
          [[3], [4]]]]

Both are a reshape that splits dims, a transpose that moves the block dims next to the channels, and a reshape
that merges them — so they are compositions of existing ops and their gradients come from those ops' VJPs (a
transpose's gradient is the inverse transpose, a reshape's a reshape back). ``data_format="NCHW"`` keeps the
same order of the channels, with the channel dim second.

Height and width (for ``depth_to_space``: the depth, by ``bs * bs``) must be divisible by ``block_size``: a
ValueError now where the graph knows the dim, an ``InvalidArgumentError`` when the graph runs otherwise.
"""
import numbers

from .. import ops
from .array_ops import reshape, shape
from .basics import control_dependencies
from .check_ops import Assert
from .math_ops import tf_op, to_tensor
from .nn_ops import nn

# where the dims are in each layout: the dims of [batch, height, width, channels]
_LAYOUT = {"NHWC": (0, 1, 2, 3), "NCHW": (0, 2, 3, 1)}


def _checked_input(fn_name, input, block_size, data_format):
    """``input`` as a tensor and its dims in [batch, height, width, channels] order: Python ints where the graph
    knows them, 0-d int32 tensors read at run time where it does not."""
    if data_format not in _LAYOUT:
        raise ValueError(f"{fn_name}: data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral) or block_size < 2:
        raise ValueError(f"{fn_name}: Value for attr 'block_size' of {block_size!r} must be at least minimum 2")
    x = to_tensor(input)
    if x.shape.rank_known and len(x.shape) != 4:
        raise ValueError(f"{fn_name}: input must be 4-D ({data_format}), got {x.name} of shape {x.shape}")
    static = x.shape.as_list() if x.shape.rank_known else [None] * 4
    dims = [d if d is not None else shape(x)[i] for i, d in enumerate(static)]
    return x, [dims[i] for i in _LAYOUT[data_format]]


def _divided(fn_name, x, size, divisor, what, checks):
    """``size // divisor`` for a dim ``size`` (int or 0-d tensor) that must be divisible: checked now for an int,
    else by an ``Assert`` appended to ``checks``."""
    if isinstance(size, int):
        if size % divisor:
            raise ValueError(f"{fn_name}: the {what} of input {x.name} (shape {x.shape}) must be evenly divisible by "
                             f"{divisor}, but is {size}")
        return size // divisor
    checks.append(Assert(ops.eq(ops.remainder(size, divisor), 0),
                         [f"{fn_name}: the {what} of input {x.name} must be evenly divisible by {divisor}, but is",
                          size]))
    return ops.floor_divide(size, divisor)


@tf_op("SpaceToDepth")
def space_to_depth(input, block_size, name=None, data_format="NHWC"):
    """Each ``block_size x block_size`` tile of pixels becomes one pixel with ``block_size ** 2`` times the
    channels, in TF's channel order (module docstring). NHWC ``[b, h, w, c] -> [b, h/bs, w/bs, bs*bs*c]``."""
    x, (batch, height, width, depth) = _checked_input("space_to_depth", input, block_size, data_format)
    bs, checks = block_size, []
    rows = _divided("space_to_depth", x, height, bs, "height", checks)
    cols = _divided("space_to_depth", x, width, bs, "width", checks)
    with control_dependencies(checks):
        if data_format == "NHWC":  # [b, rows, dy, cols, dx, c] -> [b, rows, cols, dy, dx, c]
            tiles = ops.permute(reshape(x, [batch, rows, bs, cols, bs, depth]), (0, 1, 3, 2, 4, 5))
            return reshape(tiles, [batch, rows, cols, bs * bs * depth])
        # NCHW: [b, c, rows, dy, cols, dx] -> [b, dy, dx, c, rows, cols]
        tiles = ops.permute(reshape(x, [batch, depth, rows, bs, cols, bs]), (0, 3, 5, 1, 2, 4))
        return reshape(tiles, [batch, bs * bs * depth, rows, cols])


@tf_op("DepthToSpace")
def depth_to_space(input, block_size, name=None, data_format="NHWC"):
    """The inverse of ``space_to_depth``: each pixel's channels, in groups of ``block_size ** 2``, spread into a
    ``block_size x block_size`` tile. NHWC ``[b, h, w, c] -> [b, h*bs, w*bs, c/(bs*bs)]``."""
    x, (batch, height, width, depth) = _checked_input("depth_to_space", input, block_size, data_format)
    bs, checks = block_size, []
    channels = _divided("depth_to_space", x, depth, bs * bs, "depth", checks)
    with control_dependencies(checks):
        if data_format == "NHWC":  # [b, h, w, dy, dx, c] -> [b, h, dy, w, dx, c]
            tiles = ops.permute(reshape(x, [batch, height, width, bs, bs, channels]), (0, 1, 3, 2, 4, 5))
            return reshape(tiles, [batch, height * bs, width * bs, channels])
        # NCHW: [b, dy, dx, c, h, w] -> [b, c, h, dy, w, dx]
        tiles = ops.permute(reshape(x, [batch, bs, bs, channels, height, width]), (0, 3, 4, 1, 5, 2))
        return reshape(tiles, [batch, channels, height * bs, width * bs])


nn.space_to_depth, nn.depth_to_space = space_to_depth, depth_to_space

__all__ = ["space_to_depth", "depth_to_space"]
