"""TF 2's CTC interface as ``tf.compat.v1.nn`` has it: ``ctc_loss_v2`` (dense padded labels with their lengths,
blank 0 by default) and the label helpers ``collapse_repeated`` and ``ctc_unique_labels``. Importing this module
adds them to ``tf.nn``.

``ctc_loss_v2`` is a wrapper of TF1's ``ctc_loss`` (ctc_ops.py), whose blank is the *last* class: the logits'
classes are reordered so that ``blank_index`` comes last, and each label above the blank moves down by one. The
loss is the "classic CTC" (``preprocess_collapse_repeated=False, ctc_merge_repeated=True``), as TF says.

The two helpers work on a batch of padded label rows at once, by comparing every position of a row with every
other (a [batch, length, length] table: label rows are short): the first occurrence of a value, and the rank of a
kept entry among the kept ones, are then sums and comparisons, and the result is read off with a one-hot table.
"""
import numpy

from .. import ops
from ..backend import dtypes
from .array_ops import range as range_, shape as shape_of
from .ctc_ops import _dense_labels, ctc_loss
from .math_ops import check_dtype, tf_op, to_tensor
from .nn_ops import nn
from .nn_training import _fmt, _op_name, with_rank


def _label_matrix(labels, what="labels"):
    labels = check_dtype(to_tensor(labels), ("int32", "int64"), what)
    if labels.shape.rank_known and len(labels.shape) != 2:
        raise ValueError(f"{_op_name()}: {what} must be a [batch, max_length] matrix, got shape {_fmt(labels.shape)}")
    return labels


def _rows_by_rank(labels, keep, width):
    """[batch, width]: row b's kept entries (``keep``, bool [batch, length]) moved to the front, in order, zeros
    after them."""
    rank = ops.sub(ops.cumsum(ops.cast(keep, dtypes.int64), 1), 1)  # a kept entry's place among the kept ones
    slots = ops.reshape(ops.cast(range_(width), dtypes.int64), (1, 1, -1))
    lands = ops.logical_and(ops.unsqueeze(keep, 2), ops.eq(ops.unsqueeze(rank, 2), slots))  # [batch, length, width]
    picked = ops.sum(ops.mul(ops.unsqueeze(labels, 2), ops.cast(lands, labels.dtype)), 1)
    return ops.cast(picked, labels.dtype), rank  # (a sum of int32 is int64)


@tf_op("collapse_repeated_labels")
def collapse_repeated(labels, seq_length, name=None):
    """``(collapsed_labels, new_seq_length)``: each row of ``labels`` [batch, max_length] with runs of a repeated
    label merged into one, within its first ``seq_length[b]`` entries, moved to the front and padded with 0 to
    the longest new length; ``new_seq_length`` (int32) counts each row's labels left::

        [[A, A, B, B, A], [A, B, C, D, E]] -> [[A, B, A, 0, 0], [A, B, C, D, E]], [3, 5]"""
    labels = _label_matrix(labels)
    lengths = check_dtype(to_tensor(seq_length), ("int32", "int64"), "seq_length")
    starts_a_run = ops.cat([ops.ones_like(ops.getitem(labels, (slice(None), slice(0, 1))), dtype=dtypes.bool_),
                            ops.ne(ops.getitem(labels, (slice(None), slice(1, None))),
                                   ops.getitem(labels, (slice(None), slice(None, -1))))], 1)
    positions = ops.cast(range_(shape_of(labels)[1]), lengths.dtype)
    inside = ops.lt(ops.unsqueeze(positions, 0), ops.unsqueeze(lengths, 1))
    keep = ops.logical_and(starts_a_run, inside)
    new_lengths = ops.cast(ops.sum(keep, 1), dtypes.int32)
    width = ops.amax(ops.cat([new_lengths, ops.zeros_like(ops.getitem(new_lengths, slice(0, 1)))], 0))
    collapsed, _ = _rows_by_rank(labels, keep, width)
    return collapsed, new_lengths


@tf_op("ctc_unique_labels")
def ctc_unique_labels(labels, name=None):
    """``(unique, indices)`` for a batch of label rows [batch, max_length] padded with 0: each row's distinct
    values in the order they first appear, padded with 0 to the row's length (int64), and for each entry the
    position of its value among them (int32). The padding 0 counts as a value like any other::

        [[3, 4, 4, 3]] -> [[3, 4, 0, 0]], [[0, 1, 1, 0]]"""
    labels = _label_matrix(labels)
    same = ops.eq(ops.unsqueeze(labels, 2), ops.unsqueeze(labels, 1))  # same[b, i, j]: entries i and j are equal
    first = ops.argmax(ops.cast(same, dtypes.int32), 2)  # where the value of entry i first occurs (j <= i)
    is_first = ops.eq(first, ops.unsqueeze(ops.cast(range_(shape_of(labels)[1]), first.dtype), 0))
    unique, rank = _rows_by_rank(ops.cast(labels, dtypes.int64), is_first, shape_of(labels)[1])
    return unique, ops.cast(ops.gather(rank, 1, first), dtypes.int32)


@tf_op("ctc_loss_v2")
def ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major=True, unique=None, blank_index=None,
                name=None):
    """Per-sample CTC loss (a [batch] vector) with TF 2's arguments: ``labels`` a dense [batch, max_label_length]
    int matrix with each row's ``label_length`` first entries its labels (or a SparseTensor, then
    ``label_length=None`` and ``blank_index`` required, as in TF), ``logits`` unnormalized [frames, batch,
    num_labels] ([batch, frames, num_labels] unless ``logits_time_major``), ``logit_length`` [batch] the frames
    that count. ``blank_index``: the blank class, 0 by default for dense labels; negative counts from the end
    (-1: TF1's last class). ``unique`` (from ``ctc_unique_labels``) is a speed hint in TF; the loss is the same
    without it, and it is not used here. The gradient flows into ``logits``."""
    logits = check_dtype(to_tensor(logits), ("float32", "float64"), "logits")
    logits = with_rank(logits, 3, "logits")
    sparse = hasattr(labels, "dense_shape")
    if sparse:
        if blank_index is None:
            raise ValueError("blank_index must be given when using SparseTensor labels.")
        if label_length is not None:
            raise ValueError("label_length must be None when labels is a SparseTensor (the sparse tensor says "
                             "where each row's labels end)")
        dense = _dense_labels(labels)
    else:
        if label_length is None:
            raise ValueError(f"{_op_name()}: label_length is required with dense labels")
        dense = _label_matrix(labels)
        lengths = check_dtype(to_tensor(label_length), ("int32", "int64"), "label_length")
        positions = ops.cast(range_(shape_of(dense)[1]), lengths.dtype)
        has_label = ops.lt(ops.unsqueeze(positions, 0), ops.unsqueeze(lengths, 1))
        dense = ops.where(has_label, dense, ops.full_like(dense, -1))
    classes = logits.shape[2]
    blank = 0 if blank_index is None else int(blank_index)
    if blank < 0:
        if classes is None:
            raise ValueError(f"{_op_name()}: a negative blank_index needs the number of classes (logits' last dim) "
                             f"known when the graph is built, got logits shape {_fmt(logits.shape)}")
        blank += classes
    if classes is None or blank != classes - 1:
        if classes is None:
            raise ValueError(f"{_op_name()}: moving the blank class {blank} last needs the number of classes "
                             f"(logits' last dim) known when the graph is built, got logits shape {_fmt(logits.shape)}")
        if not 0 <= blank < classes:
            raise ValueError(f"{_op_name()}: blank_index {blank_index} is out of range for {classes} classes")
        order = numpy.array([c for c in range(classes) if c != blank] + [blank], dtype=numpy.int64)
        logits = ops.index_select(logits, 2, to_tensor(order))
        dense = ops.where(ops.gt(dense, blank), ops.sub(dense, 1), dense)
    return ctc_loss(dense, logits, logit_length, time_major=logits_time_major)


for _fn in (collapse_repeated, ctc_unique_labels, ctc_loss_v2):
    setattr(nn, _fn.__name__, _fn)
