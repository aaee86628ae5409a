"""Clipping by norm: ``tf.clip_by_norm``, ``tf.global_norm`` and ``tf.clip_by_global_norm``.

Recurrent networks are where gradients explode: one long sequence can produce a gradient so large that a single
update throws the weights far away. The remedy TF1 programs use is to rescale the gradients, all together, when
their joint length exceeds a threshold ::

    grads, _ = tf.clip_by_global_norm(tf.gradients(loss, params), 5.0)
    train_op = optimizer.apply_gradients(zip(grads, params))

With the global norm ``N = sqrt(sum over tensors of sum(t²))`` and the threshold ``c``, every tensor becomes
``t · c / max(N, c)``: unchanged when N <= c, else scaled by the same factor, so the update keeps its direction.
(``clip_by_value``, in ``math_ops``, clips each entry instead, which changes the direction.) Everything here is a
composition of ordinary ops, so gradients flow through the clipping like through any other op.

An ``IndexedSlices`` (the gradient of an embedding table) counts by its ``values``, as in TF: a row looked up
twice in the batch is listed twice and adds both of its squares to the norm; it is clipped as an IndexedSlices.
"""
from .. import ops
from .indexed_slices import on_values, values_of
from .math_ops import FLOATS, check_dtype, matching_pair, tf_op, to_tensor


def _sum_of_squares(t, axes=None):
    return ops.sum(ops.square(t), dim=axes, keepdim=axes is not None)


@tf_op("clip_by_norm")
def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t · clip_norm / max(‖t‖₂, clip_norm)``: t rescaled so that its L2 norm (over ``axes``, default all) is at
    most ``clip_norm``."""
    values = check_dtype(values_of(t), FLOATS)
    _, clip_norm = matching_pair("clip_by_norm", values, clip_norm)
    squares = _sum_of_squares(values, None if axes is None else _axes(axes))
    # sqrt has an infinite slope at 0: an all-zero t would get NaN gradients; TF takes the root of 1 there instead
    # (and keeps the 0), so the gradient stays finite
    positive = ops.gt(squares, 0)
    norm = ops.where(positive, ops.sqrt(ops.where(positive, squares, ops.ones_like(squares))), squares)
    return on_values(t, lambda values: values * clip_norm / ops.maximum(norm, clip_norm))


@tf_op("global_norm")
def global_norm(t_list, name=None):
    """``sqrt(sum over the tensors of sum(t²))``, the L2 norm of all of ``t_list`` together (None entries, the
    gradients of unconnected variables, are skipped)."""
    tensors = _checked_list("global_norm", t_list)
    if not tensors:
        raise ValueError("global_norm: t_list holds no tensors (every entry is None)")
    total = _sum_of_squares(tensors[0])
    for t in tensors[1:]:
        total = total + ops.cast(_sum_of_squares(t), total.dtype)
    return ops.sqrt(total)


@tf_op("clip_by_global_norm")
def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``(clipped, global_norm)``: every tensor of ``t_list`` times ``clip_norm / max(global_norm, clip_norm)``
    (None entries stay None). ``use_norm`` supplies the global norm when it is computed already. As in TF, an
    infinite global norm makes every entry NaN: the gradients are unusable, and that is made visible."""
    tensors = _checked_list("clip_by_global_norm", t_list)
    norm = global_norm(tensors) if use_norm is None else to_tensor(use_norm)
    _, clip_norm = matching_pair("clip_by_global_norm", norm, clip_norm)
    scale = clip_norm / ops.maximum(norm, clip_norm) + (norm - norm)  # norm - norm: 0, or NaN for an inf norm
    clipped = [None if t is None else on_values(t, lambda values: values * ops.cast(scale, values.dtype))
               for t in t_list]
    return clipped, norm


def _checked_list(op_name, t_list):
    """The tensors holding the numbers of ``t_list``'s entries (an IndexedSlices' values), None entries left out."""
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"{op_name}: t_list should be a sequence of tensors, got {type(t_list).__name__}")
    return [check_dtype(values_of(t), FLOATS) for t in t_list if t is not None]


def _axes(axes):
    return tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)


__all__ = ["clip_by_norm", "global_norm", "clip_by_global_norm"]
