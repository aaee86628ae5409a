"""``tf.space_to_batch_nd`` and ``tf.batch_to_space_nd`` (with TF1's 4-D ``space_to_batch`` / ``batch_to_space``),
``tf.required_space_to_batch_paddings`` and ``tf.nn.with_space_to_batch``: moving pixels between space and batch.

``space_to_batch_nd(x, block_shape, paddings)`` zero-pads the M spatial dims ``1..M`` of ``x``, cuts each into
``block_shape[i]``-sized steps and moves the position inside a step into the batch: with a block ``b`` along one
dim, output batch entry ``(k, n)`` (``k`` the offset, ``n`` the original batch) holds pixels ``k, k + b, k + 2b, ...``
of image ``n``. For a ``[1, 4, 1]`` input ``[[1], [2], [3], [4]]`` and ``block_shape=[2]``::

    space_to_batch_nd -> [[[1], [3]],        (offset 0: every other pixel from the first)
                          [[2], [4]]]        (offset 1: every other pixel from the second)

The batch is the *slowest* part of the new batch dim, the block offsets (in dim order) the fastest
(``batch * prod(block_shape)`` entries in all). ``batch_to_space_nd`` is the inverse, followed by cropping.

Why it matters: a sliding-window op with dilation ``r`` on ``x`` equals the plain op on ``space_to_batch_nd(x, r)``,
followed by ``batch_to_space_nd`` — each of the ``r * r`` subsampled images sees exactly the pixels one dilated
window reads. ``with_space_to_batch`` packages that trick, which TF1 uses for atrous convolutions and pools.

Both functions are a pad (or a crop), a reshape that splits dims, a transpose and a reshape that merges dims, so
they are compositions of existing ops and get their gradients from those ops' VJPs. ``block_shape``, ``paddings``
and ``crops`` are static here (Python values or constants); the dims of ``x`` may be unknown (read at run time,
with divisibility checked by an ``Assert``), but its rank must be known.
"""
import math
import numbers

from .. import ops
from ..ops.base import UnknownRankError
from .array_ops import pad, reshape, shape, stack
from .basics import control_dependencies
from .check_ops import Assert
from .depth_space import _divided
from .math_ops import computed_at_run_time, constant_value, graph_tensor, tf_op, to_tensor
from .nn_ops import nn


def _int_list(fn_name, value, what, minimum):
    """A static 1-D argument (``block_shape``, ``dilation_rate``) as a list of Python ints >= ``minimum``."""
    values = constant_value(value, what)
    values = values if isinstance(values, (list, tuple)) else [values]
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in values):
        raise TypeError(f"{fn_name}: {what} must hold integers, got {values!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{fn_name}: all values of {what} must be >= {minimum}, got {values}")
    return [int(v) for v in values]


def _pairs(fn_name, value, what, count):
    """A static ``[count, 2]`` argument of non-negative ints (``paddings``, ``crops``) as a list of lists."""
    pairs = constant_value(value, what)
    if (not isinstance(pairs, (list, tuple)) or len(pairs) != count
            or any(not isinstance(p, (list, tuple)) or len(p) != 2 for p in pairs)):
        raise ValueError(f"{fn_name}: {what} must have shape [{count}, 2] (one [start, end] per spatial dim of "
                         f"block_shape), got {pairs!r}")
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for p in pairs for v in p):
        raise TypeError(f"{fn_name}: {what} must hold integers, got {pairs!r}")
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{fn_name}: {what} must be non-negative, got {pairs}")
    return [[int(a), int(b)] for a, b in pairs]


def _dims(fn_name, x, spatial_count):
    """The dims of ``x``: Python ints where the graph knows them, 0-d int32 tensors read at run time otherwise."""
    if not x.shape.rank_known:
        raise UnknownRankError(f"{fn_name}: the rank of input {x.name} must be known (give its placeholder a shape)")
    if len(x.shape) < 1 + spatial_count:
        raise ValueError(f"{fn_name}: input rank should be >= {1 + spatial_count} (a batch dim and {spatial_count} "
                         f"spatial dims for block_shape), but {x.name} has shape {x.shape}")
    return [d if d is not None else shape(x)[i] for i, d in enumerate(x.shape.as_list())]


def space_to_batch_blocks(fn_name, x, block, paddings):
    """``space_to_batch_nd`` with static ``block`` (M ints) and ``paddings`` (M pairs of ints or 0-d tensors)."""
    dims = _dims(fn_name, x, len(block))
    m, rest = len(block), dims[1 + len(block):]
    if any(graph_tensor(v) is not None or v for pair in paddings for v in pair):
        x = pad(x, [[0, 0]] + [list(p) for p in paddings] + [[0, 0]] * len(rest))
    checks, split = [], [dims[0]]
    for i, (b, (before, after)) in enumerate(zip(block, paddings)):
        padded = dims[1 + i] + before + after
        split += [_divided(fn_name, x, padded, b, f"padded spatial dim {i}", checks), b]
    with control_dependencies(checks):
        blocks = reshape(x, split + rest)
    # [batch, s0, b0, s1, b1, ..., rest] -> [b0, b1, ..., batch, s0, s1, ..., rest]
    trailing = list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + trailing
    moved = ops.permute(blocks, tuple(order))
    return reshape(moved, [dims[0] * math.prod(block)] + split[1::2] + rest)


def batch_to_space_blocks(fn_name, x, block, crops):
    """``batch_to_space_nd`` with static ``block`` (M ints) and ``crops`` (M pairs of ints or 0-d tensors)."""
    dims = _dims(fn_name, x, len(block))
    m, rest = len(block), dims[1 + len(block):]
    checks = []
    batch = _divided(fn_name, x, dims[0], math.prod(block), "batch dim (by the product of block_shape)", checks)
    with control_dependencies(checks):
        blocks = reshape(x, block + [batch] + dims[1:])
    # [b0, ..., b(M-1), batch, s0, ..., s(M-1), rest] -> [batch, s0, b0, s1, b1, ..., rest]
    order = [m] + [axis for i in range(m) for axis in (m + 1 + i, i)] + list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    spatial = [dims[1 + i] * b for i, b in enumerate(block)]
    full = reshape(ops.permute(blocks, tuple(order)), [batch] + spatial + rest)
    if not any(graph_tensor(v) is not None or v for pair in crops for v in pair):
        return full
    index, checks = [slice(None)], []
    for i, (size, (start, end)) in enumerate(zip(spatial, crops)):
        what = f"{fn_name}: crops[{i}] remove more than the entries of spatial dim {i} (block_shape {block})"
        if all(isinstance(v, int) for v in (size, start, end)):
            if start + end > size:
                raise ValueError(f"{what}: {[start, end]} of {size}, input {x.name} of shape {x.shape}")
        else:
            checks.append(Assert(ops.le(to_tensor(start + end), size), [what, size]))
        index.append(slice(start, size - end))
    with control_dependencies(checks):
        return full[tuple(index)]


@tf_op("SpaceToBatchND")
def space_to_batch_nd(input, block_shape, paddings, name=None):
    """Zero-pad spatial dims ``1..M`` of ``input`` by ``paddings`` (``[M, 2]``), then move each
    ``block_shape``-sized block's offsets into the batch: ``[batch] + spatial + rest ->
    [batch * prod(block_shape)] + [(spatial[i] + pads[i]) / block_shape[i]] + rest`` (module docstring)."""
    x = to_tensor(input)
    block = _int_list("space_to_batch_nd", block_shape, "block_shape", 1)
    return space_to_batch_blocks("space_to_batch_nd", x, block,
                                 _pairs("space_to_batch_nd", paddings, "paddings", len(block)))


@tf_op("BatchToSpaceND")
def batch_to_space_nd(input, block_shape, crops, name=None):
    """The inverse of ``space_to_batch_nd``: the batch's block offsets go back into spatial dims ``1..M``, which
    are then cropped by ``crops`` (``[M, 2]``): ``[batch * prod(block_shape)] + spatial + rest -> [batch] +
    [spatial[i] * block_shape[i] - crops[i][0] - crops[i][1]] + rest``."""
    x = to_tensor(input)
    block = _int_list("batch_to_space_nd", block_shape, "block_shape", 1)
    return batch_to_space_blocks("batch_to_space_nd", x, block, _pairs("batch_to_space_nd", crops, "crops",
                                                                       len(block)))


def _legacy_block(fn_name, block_size, block_shape):
    """TF1's 4-D versions take one ``block_size`` (>= 2) for both height and width (``block_shape`` is its other
    name)."""
    if block_shape is not None:
        if block_size is not None:
            raise ValueError(f"{fn_name}: give block_size or its other name block_shape, not both")
        block_size = block_shape
    if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral) or block_size < 2:
        raise ValueError(f"{fn_name}: block_size must be an int >= 2, got {block_size!r}")
    return [int(block_size)] * 2


def _four_d(fn_name, input):
    x = to_tensor(input)
    if x.shape.rank_known and len(x.shape) != 4:
        raise ValueError(f"{fn_name}: input must be 4-D [batch, height, width, depth], got {x.name} of shape "
                         f"{x.shape}")
    return x


@tf_op("SpaceToBatch")
def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None):
    """TF1's 4-D ``space_to_batch_nd``: ``[batch, height, width, depth]`` with ``paddings``
    ``[[top, bottom], [left, right]]`` and one ``block_size`` for both spatial dims."""
    x = _four_d("space_to_batch", input)
    block = _legacy_block("space_to_batch", block_size, block_shape)
    return space_to_batch_blocks("space_to_batch", x, block, _pairs("space_to_batch", paddings, "paddings", 2))


@tf_op("BatchToSpace")
def batch_to_space(input, crops, block_size, name=None, block_shape=None):
    """TF1's 4-D ``batch_to_space_nd``: ``crops`` ``[[top, bottom], [left, right]]`` and one ``block_size``."""
    x = _four_d("batch_to_space", input)
    block = _legacy_block("batch_to_space", block_size, block_shape)
    return batch_to_space_blocks("batch_to_space", x, block, _pairs("batch_to_space", crops, "crops", 2))


def required_paddings(sizes, block, base_paddings):
    """``(paddings, crops)`` as lists of pairs (ints, or 0-d tensors where a size is one): pad the end of each dim
    so that ``base_paddings + size`` becomes a multiple of the block; the crops remove that extra again."""
    paddings, crops = [], []
    for size, b, (start, end) in zip(sizes, block, base_paddings):
        extra = (b - (size + start + end) % b) % b
        paddings.append([start, end + extra])
        crops.append([0, extra])
    return paddings, crops


@tf_op("required_space_to_batch_paddings")
def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """``(paddings, crops)``, two ``[M, 2]`` int32 tensors: the least end padding that makes every
    ``input_shape[i] + base_paddings[i]`` divisible by ``block_shape[i]``, and the crops that undo it after
    ``batch_to_space_nd``. ``input_shape`` (M dims) may be a tensor; ``block_shape`` and ``base_paddings`` are
    static."""
    fn_name = "required_space_to_batch_paddings"
    block = _int_list(fn_name, block_shape, "block_shape", 1)
    base = [[0, 0]] * len(block) if base_paddings is None else _pairs(fn_name, base_paddings, "base_paddings",
                                                                     len(block))
    if computed_at_run_time(input_shape):
        sizes = [to_tensor(input_shape)[i] for i in range(len(block))]
    else:
        sizes = _int_list(fn_name, input_shape, "input_shape", 0)
    if len(sizes) != len(block):
        raise ValueError(f"{fn_name}: input_shape {sizes} and block_shape {block} must have the same length")
    paddings, crops = required_paddings(sizes, block, base)
    return stack([stack(p) for p in paddings]), stack([stack(c) for c in crops])


def _spatial_dims(spatial_dims, count, data_format, rank):
    """The dims of ``input`` the window slides over: ``spatial_dims``, or the ones ``data_format`` implies."""
    if spatial_dims is None:
        first = 2 if data_format is not None and data_format.startswith("NC") else 1
        spatial_dims = list(range(first, first + count))
    spatial_dims = [int(d) for d in spatial_dims]
    if len(spatial_dims) != count:
        raise ValueError(f"with_space_to_batch: spatial_dims {spatial_dims} must have one entry per dilation_rate "
                         f"({count})")
    if spatial_dims != sorted(set(spatial_dims)) or spatial_dims[0] < 1 or spatial_dims[-1] >= rank:
        raise ValueError(f"with_space_to_batch: spatial_dims must be increasing dims in [1, {rank - 1}], got "
                         f"{spatial_dims}")
    return spatial_dims


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None, spatial_dims=None, data_format=None):
    """Run the window op ``op(converted_input, num_spatial_dims, padding)`` as its dilated ("atrous") version:
    on ``space_to_batch_nd(input, dilation_rate, paddings)`` with "VALID" padding, then ``batch_to_space_nd`` with
    the crops that undo the extra end padding. "SAME" pads by the dilated window's overhang (``filter_shape``
    required; conv2d's split: the odd pixel at the end) and "VALID" not at all, so the result equals the dilated
    op's. A dilation of all 1s is just ``op(input, num_spatial_dims, padding)``. Spatial dims that are not
    contiguous from dim 1 (``spatial_dims``, or dims ``2..`` for a ``data_format`` starting with "NC") are
    handled by a block of 1 on the dims between."""
    x = to_tensor(input)
    rates = _int_list("with_space_to_batch", dilation_rate, "dilation_rate", 1)
    count = len(rates)
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"with_space_to_batch: padding must be 'SAME' or 'VALID', got {padding!r}")
    if all(r == 1 for r in rates):
        return op(x, count, padding)
    if not x.shape.rank_known:
        raise UnknownRankError(f"with_space_to_batch: the rank of input {x.name} must be known")
    dims = _spatial_dims(spatial_dims, count, data_format, len(x.shape))
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("with_space_to_batch: filter_shape must be given for padding 'SAME'")
        window = _int_list("with_space_to_batch", filter_shape, "filter_shape", 1)[:count]
        overhang = [(k - 1) * r for k, r in zip(window, rates)]
        base = [[o // 2, o - o // 2] for o in overhang]
    else:
        base = [[0, 0]] * count
    sizes = [x.shape[d] if x.shape[d] is not None else shape(x)[d] for d in dims]
    paddings, crops = required_paddings(sizes, rates, base)
    # dims 1..max(spatial_dims): a block of 1 and no padding leaves the dims between the spatial ones alone
    block, pads, cuts = [1] * dims[-1], [[0, 0]] * dims[-1], [[0, 0]] * dims[-1]
    for d, r, p, c in zip(dims, rates, paddings, crops):
        block[d - 1], pads[d - 1], cuts[d - 1] = r, p, c
    converted = space_to_batch_blocks("with_space_to_batch", x, block, pads)
    return batch_to_space_blocks("with_space_to_batch", op(converted, count, "VALID"), block, cuts)


nn.space_to_batch, nn.with_space_to_batch = space_to_batch, with_space_to_batch

__all__ = ["space_to_batch_nd", "batch_to_space_nd", "space_to_batch", "batch_to_space",
           "required_space_to_batch_paddings"]
