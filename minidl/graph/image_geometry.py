"""``tf.image``'s geometry: flips (also random ones), transposes and quarter turns of images.

TF's images are channels-last: one image is (height, width, channels), a batch is (batch, height, width,
channels). Every function here takes either; the image's axes are the last three. Each is a thin layer over
``ops.flip`` / ``ops.permute``, so its gradient is theirs (a flip or transpose of the incoming gradient).

The random flips draw with ``tf.random_uniform``, so they follow the graph-level and op-level seeds as every
random op does (``random_ops.py``). On a batch each image is flipped or not on its own draw, as TF1 does.

This module also holds the checks of an image argument that the other ``tf.image`` modules share.
"""
from .. import ops
from .array_ops import shape as shape_of
from .core import UnknownRankError, get_default_graph, rank_error
from .math_ops import constant_value, tf_op, to_tensor
from .random_ops import random_uniform


# ====================================================================================== image arguments

def image_tensor(image, name="image", rank_needed_now=False):
    """``image`` as a tensor of known rank 3 (one image) or 4 (a batch), with TF's messages. Of unknown rank, the
    call is built when the graph runs — except with ``rank_needed_now``, where TF refuses it (``resize_images``)."""
    x = to_tensor(image)
    if not x.shape.rank_known:
        raise (ValueError if rank_needed_now else UnknownRankError)(f"'{name}' contains no shape.")
    if x.ndim not in (3, 4):
        raise ValueError(f"'{name}' must have either 3 or 4 dimensions.")
    if any(d == 0 for d in x.shape):
        raise ValueError(f"all dims of '{name}.shape' must be > 0.")
    return x


def at_least_3d(image, name="image"):
    """``image`` as a tensor of rank >= 3 (its last three dims are the images'), with TF's messages."""
    x = to_tensor(image)
    if not x.shape.rank_known or x.ndim < 3:
        raise rank_error(x)(f"'{name}' (shape {x.shape}) must be at least three-dimensional.")
    if any(d == 0 for d in x.shape):
        raise ValueError(f"all dims of '{name}.shape' must be > 0.")
    return x


def height_axis(x):
    """The axis of the rows: 0 for one image, 1 for a batch (the width's is the next one)."""
    return x.ndim - 3


# ======================================================================================= flips and turns

@tf_op("flip_left_right")
def flip_left_right(image, name=None):
    """The image mirrored horizontally: column ``j`` becomes column ``width - 1 - j``."""
    x = image_tensor(image)
    return ops.flip(x, (height_axis(x) + 1,))


@tf_op("flip_up_down")
def flip_up_down(image, name=None):
    """The image mirrored vertically: row ``i`` becomes row ``height - 1 - i``."""
    x = image_tensor(image)
    return ops.flip(x, (height_axis(x),))


def _random_flip(image, axis, seed):
    """Each image flipped along its ``axis`` (0: rows, 1: columns) where a uniform draw is below 1/2: one draw for
    one image, one per image for a batch. ``where`` picks, so the gradient reaches the image either way."""
    x = image_tensor(image)
    first = height_axis(x)
    flipped = ops.flip(x, (first + axis,))
    if x.ndim == 3:
        return ops.where(ops.lt(random_uniform([], seed=seed), 0.5), flipped, x)
    batch = x.shape[0] if x.shape[0] is not None else shape_of(x)[0]
    flips = ops.lt(random_uniform([batch], seed=seed), 0.5)
    return ops.where(ops.reshape(flips, (-1, 1, 1, 1)), flipped, x)


def random_flip_left_right(image, seed=None):
    """Each image mirrored horizontally with probability 1/2 (a batch: each image on its own draw)."""
    with get_default_graph().name_scope("random_flip_left_right"):
        return _random_flip(image, 1, seed)


def random_flip_up_down(image, seed=None):
    """Each image mirrored vertically with probability 1/2 (a batch: each image on its own draw)."""
    with get_default_graph().name_scope("random_flip_up_down"):
        return _random_flip(image, 0, seed)


def _swap_rows_and_columns(x):
    first = height_axis(x)
    return ops.transpose(x, first, first + 1)


@tf_op("transpose_image")
def transpose_image(image, name=None):
    """Rows become columns: ``out[i, j] = image[j, i]`` (height and width swap)."""
    return _swap_rows_and_columns(image_tensor(image))


@tf_op("rot90")
def rot90(image, k=1, name=None):
    """The image turned ``k`` quarter turns counter-clockwise (numpy's ``rot90`` of the height and width axes).
    A quarter turn is a horizontal flip, then a transpose; ``k`` (taken mod 4) must be known when the graph is
    built."""
    x = image_tensor(image)
    k = constant_value(k, "k")
    if not isinstance(k, int):
        raise TypeError(f"rot90: k must be an integer, got {k!r}")
    rows = height_axis(x)
    k %= 4
    if k == 1:
        return _swap_rows_and_columns(ops.flip(x, (rows + 1,)))
    if k == 2:
        return ops.flip(x, (rows, rows + 1))
    if k == 3:
        return ops.flip(_swap_rows_and_columns(x), (rows + 1,))
    return x


transpose = transpose_image  # tf.image.transpose
