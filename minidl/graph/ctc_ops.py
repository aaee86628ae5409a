"""TF1's CTC: ``tf.nn.ctc_loss`` and ``tf.nn.ctc_greedy_decoder`` (Graves et al. 2006), for sequence models
whose labels are shorter than their inputs and not aligned with them (speech, handwriting). Importing this module
adds them to ``tf.nn``.

The op library's ``CtcLoss`` takes the sequence and label lengths as attributes, known when the graph is built,
but a TF1 program feeds its labels and lengths with every batch. ``CtcLossFed`` runs the very same forward and
gradient (``CtcLoss.forward`` / ``CtcLossGrad.forward``) with the labels and lengths as inputs read when the graph
runs, where TF's kernel reads them too. TF1's conventions: the inputs are unnormalized logits [max_time, batch,
num_classes] (``time_major=False``: batch first) and the blank is the *last* class, num_classes - 1 (PyTorch's is
class 0).

``ctc_loss`` takes its labels as TF does, a ``SparseTensor`` (a ``tf.sparse_placeholder``, fed a
``SparseTensorValue``), or also as a dense int matrix [batch, max_label_length] with -1 where the sparse tensor
would have no entry; ``ctc_greedy_decoder`` returns ``[SparseTensor]`` as TF does, ready for ``tf.edit_distance``.
"""
import numpy

from .. import ops
from ..ops.base import Op, OpError, Spec, apply
from ..ops.ctc import CtcLoss, CtcLossGrad
from .array_ops import sequence_mask, shape as shape_of, where
from .basics import control_dependencies, identity
from .check_ops import assert_less_equal
from .math_ops import FLOATS, check_dtype, deprecated_alias, tf_op, to_tensor
from .nd_indexing_ops import gather_nd, scatter_nd
from .nn_more import _required
from .nn_ops import nn
from .nn_training import _fmt, _op_name, with_rank
from .sparse_tensor import SparseTensor


def _tf_label_sequence(batch_index, given, num_classes, collapse_repeated):
    """One sample's labels as TF's kernel reads them: repeats merged if ``collapse_repeated``; a class >=
    num_classes - 1 (the blank or past it) ends the sequence, and a real label after it is an error."""
    sequence, finished = [], False
    for i, label in enumerate(given):
        if collapse_repeated and i > 0 and label == given[i - 1]:
            continue
        if label >= num_classes - 1:
            finished = True
        elif finished:
            raise OpError(f"ctc_loss: Saw a non-null label (index >= num_classes - 1) following a null label, batch: "
                          f"{batch_index} num_classes: {num_classes} labels: {given}")
        else:
            sequence.append(label)
    if any(label < 0 for label in sequence):
        raise OpError(f"ctc_loss: All labels must be nonnegative integers (-1 marks a missing entry), batch: "
                      f"{batch_index} labels: {given}")
    return sequence


def _ctc_arguments(xp, log_probs, labels, sequence_length, preprocess_collapse_repeated,
                   ignore_longer_outputs_than_inputs):
    """From TF's inputs, with its kernel's checks, what ops/ctc.py's ``CtcLoss`` takes — the padded targets, their
    lengths, the input lengths, the blank — and which samples TF skips (loss and gradient 0): with
    ``ignore_longer_outputs_than_inputs``, those with more labels than steps (otherwise an error)."""
    steps, batch, classes = log_probs.shape
    lengths = [int(v) for v in sequence_length.tolist()]
    if len(lengths) != batch or labels.shape[0] != batch:
        raise OpError(f"ctc_loss: len(sequence_length) != batch_size.  len(sequence_length):  {len(lengths)} "
                      f"batch_size: {batch} (labels has {labels.shape[0]} rows)")
    targets, skipped = [], []
    for b, (row, length) in enumerate(zip(labels.tolist(), lengths)):
        if not 0 <= length <= steps:
            raise OpError(f"ctc_loss: sequence_length({b}) = {length} must be in [0, max_time = {steps}]")
        given = [label for label in row if label != -1]  # -1: no entry
        if not given:
            raise OpError(f"ctc_loss: Labels length is zero in batch {b}")
        if len(given) > length and not ignore_longer_outputs_than_inputs:
            raise OpError(f"ctc_loss: Not enough time for target transition sequence (required: {len(given)}, "
                          f"available: {length}), batch {b}. You can turn this error into a warning by using the "
                          f"flag ignore_longer_outputs_than_inputs")
        targets.append(_tf_label_sequence(b, given, classes, preprocess_collapse_repeated))
        skipped.append(len(given) > length)
    target_lengths = tuple(len(t) for t in targets)
    padded = numpy.zeros((batch, max(target_lengths, default=0)), dtype=numpy.int64)
    for row, target in zip(padded, targets):
        row[:len(target)] = target
    return (xp.asarray(padded), tuple(lengths), target_lengths, classes - 1), xp.asarray(skipped, dtype=bool)


class CtcLossFed(Op):
    """TF's CTCLoss kernel: ``CtcLoss`` of ops/ctc.py with ``labels`` (dense, -1 for no entry) and
    ``sequence_length`` as inputs read when the graph runs, TF's label rules, the blank last, and no reduction.
    VJP: ``CtcLossFedGrad``."""
    name = "CTCLoss"
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, log_probs, labels, sequence_length, **flags):
        arguments, skipped = _ctc_arguments(xp, log_probs, labels, sequence_length, **flags)
        loss = CtcLoss.forward(xp, log_probs, *arguments, reduction="none", zero_infinity=False)
        return xp.where(skipped, 0, loss).astype(log_probs.dtype)

    @staticmethod
    def vjp(ctx, g):
        return apply(CtcLossFedGrad, g, *ctx.inputs, **ctx.attrs), None, None

    @staticmethod
    def infer(log_probs, labels, sequence_length, **flags):
        return Spec((None if log_probs.shape is None else log_probs.shape[1],), log_probs.dtype)


class CtcLossFedGrad(Op):
    """dL/d log_probs of ``CtcLossFed`` for the gradient ``g`` of its per-sample losses: ``CtcLossGrad``'s, zero
    for the skipped samples. Its own VJP is not implemented (as ``CtcLossGrad``'s)."""
    name = "CTCLossGrad"
    differentiable_inputs = ()

    @staticmethod
    def forward(xp, g, log_probs, labels, sequence_length, **flags):
        arguments, skipped = _ctc_arguments(xp, log_probs, labels, sequence_length, **flags)
        grad = CtcLossGrad.forward(xp, g, log_probs, *arguments, reduction="none", zero_infinity=False)
        return xp.where(skipped.reshape(1, -1, 1), 0, grad).astype(log_probs.dtype)

    @staticmethod
    def vjp(ctx, gg):
        raise NotImplementedError("ctc_loss: gradients of the gradient (double backward) are not implemented")

    @staticmethod
    def infer(g, log_probs, *rest, **flags):
        return Spec(log_probs.shape, log_probs.dtype)


def _dense_labels(labels):
    """The labels as a dense [batch, max_label_length] int matrix, -1 where there is no label: given so (a tensor,
    array or list), or densified from a sparse triple — a tuple ``(indices, values, dense_shape)``, or anything
    with those attributes (TF's SparseTensorValue)."""
    parts = (labels.indices, labels.values, labels.dense_shape) if hasattr(labels, "dense_shape") else labels
    if isinstance(parts, tuple) and len(parts) == 3:
        indices, values, dense_shape = parts
        values = check_dtype(to_tensor(values), ("int32", "int64"), "labels.values")
        # (a sparse placeholder made without a shape: labels are a matrix, so its shape has 2 entries)
        dense_shape = ops.reshape(to_tensor(dense_shape), (2,))
        # scatter labels + 1 into zeros, then subtract 1: the cells no index names become -1
        labels = ops.sub(scatter_nd(indices, ops.add(values, 1), dense_shape), 1)
    labels = check_dtype(to_tensor(labels), ("int32", "int64"), "labels")
    if labels.shape.rank_known and len(labels.shape) != 2:
        raise ValueError(f"{_op_name()}: labels must be a dense [batch, max_label_length] matrix (-1 for no label) or "
                         f"a sparse (indices, values, dense_shape) tuple, got shape {_fmt(labels.shape)}")
    return labels


def _sequence_lengths(sequence_length, logits):
    """``sequence_length`` checked: a vector of ints, one per sample of the time-major ``logits``."""
    _required(sequence_length=sequence_length)
    lengths = check_dtype(to_tensor(sequence_length), ("int32", "int64"), "sequence_length")
    if lengths.shape.rank_known and len(lengths.shape) != 1:
        raise ValueError(f"{_op_name()}: sequence_length must be a vector [batch_size], got shape "
                         f"{_fmt(lengths.shape)}")
    batch = logits.shape[1]
    if lengths.shape.rank_known and None not in (lengths.shape[0], batch) and lengths.shape[0] != batch:
        raise ValueError(f"len(sequence_length) != batch_size.  len(sequence_length):  {lengths.shape[0]} "
                         f"batch_size: {batch} (inputs {_fmt(logits.shape)}, time-major)")
    return lengths


@tf_op("CTCLoss")
def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated=False, ctc_merge_repeated=True,
             ignore_longer_outputs_than_inputs=False, time_major=True, logits=None, name=None):
    """Per-sample CTC loss -log p(labels | inputs) (ops/ctc.py's docstring has the algorithm), a [batch] vector.

    TF1's conventions, which differ from ``minidl.ops.ctc_loss`` (PyTorch's):

    * ``inputs`` (or ``logits``) are **unnormalized** logits [max_time, batch, num_classes] ([batch, max_time,
      num_classes] with ``time_major=False``); the softmax is applied here.
    * the **blank is the last class**, num_classes - 1 (PyTorch's default is 0); a label >= num_classes - 1 ends
      a sample's labels (a real label after it is an error).
    * ``labels``: a SparseTensor [batch, max_label_length], as in TF1 — or a dense int matrix with -1 where the
      sparse tensor has no entry, or a sparse triple ``(indices, values, dense_shape)`` as a tuple. A sample's
      labels are its row's entries, in order; none is an error.
    * ``sequence_length`` [batch]: how many steps of each sample count. It and the labels may be fed when the graph
      runs.
    * ``preprocess_collapse_repeated``: merge repeated labels first ("aab" is then "ab").
      ``ignore_longer_outputs_than_inputs``: a sample with more labels than steps gets loss 0 and gradient 0
      instead of an ``InvalidArgumentError``.
    * ``ctc_merge_repeated=False`` (repeated path classes read as separate labels) is not implemented: the op
      library's recursion is the classical one.

    The gradient flows into the logits (softmax minus each step's posterior class probabilities); ``name`` is
    minidl's addition."""
    if not ctc_merge_repeated:
        raise NotImplementedError("ctc_loss: ctc_merge_repeated=False is not implemented (minidl/ops/ctc.py computes "
                                  "the classical CTC, which merges repeated classes of a path)")
    logits = deprecated_alias(logits, inputs, "logits", "inputs")
    _required(inputs=logits)
    logits = check_dtype(to_tensor(logits), ("float32", "float64"), "inputs")
    logits = with_rank(logits, 3, "inputs")
    if not time_major:
        logits = ops.permute(logits, (1, 0, 2))
    labels = _dense_labels(labels)
    lengths = _sequence_lengths(sequence_length, logits)
    if None not in (labels.shape[0], logits.shape[1]) and labels.shape[0] != logits.shape[1]:
        raise ValueError(f"{_op_name()}: labels has {labels.shape[0]} rows but the batch has {logits.shape[1]} "
                         f"samples (labels {_fmt(labels.shape)}, inputs {_fmt(logits.shape)} time-major)")
    return apply(CtcLossFed, ops.log_softmax(logits, 2), labels, lengths,
                 preprocess_collapse_repeated=bool(preprocess_collapse_repeated),
                 ignore_longer_outputs_than_inputs=bool(ignore_longer_outputs_than_inputs))


@tf_op("CTCGreedyDecoder")
def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, name=None):
    """Best-path decoding: take each step's likeliest class, merge repeats (``merge_repeated``), drop the blanks
    (the last class). ``inputs``: logits [max_time, batch, num_classes]; ``sequence_length`` [batch].

    Returns ``([decoded], neg_sum_logits)``: ``decoded`` is a SparseTensor [batch, longest decoding] of int64
    classes, each sample's in its row (``tf.sparse.to_dense(decoded, default_value=-1)`` pads them with -1);
    ``neg_sum_logits`` [batch, 1] is minus the sum over each sample's steps of its largest logit. As in TF, a
    repeat is merged only if nothing came between: "a - a" decodes to "a a". ``name`` is minidl's addition."""
    logits = check_dtype(to_tensor(inputs), FLOATS, "inputs")
    logits = with_rank(logits, 3, "inputs")
    lengths = _sequence_lengths(sequence_length, logits)
    steps = shape_of(logits, out_type=lengths.dtype)[0]
    with control_dependencies([assert_less_equal(lengths, steps, message="ctc_greedy_decoder: sequence_length(b) <= "
                                                                         "max_time")]):
        lengths = identity(lengths)
    within = sequence_mask(lengths, steps)  # [batch, max_time]: the steps that count
    best = ops.permute(ops.argmax(logits, 2), (1, 0))  # [batch, max_time]
    blank = ops.sub(ops.cast(shape_of(logits)[2], best.dtype), 1)
    emitted = ops.logical_and(within, ops.ne(best, blank))
    if merge_repeated:
        previous = ops.cat([ops.full_like(best[:, :1], -1), best[:, :-1]], 1)
        emitted = ops.logical_and(emitted, ops.ne(best, previous))
    # each row's emitted classes to its front, in order: a stable sort puts the 0s of "not emitted" first
    order = ops.argsort(ops.cast(ops.logical_not(emitted), "int8"), dim=1, stable=True)
    counts = ops.sum(ops.cast(emitted, best.dtype), 1, keepdim=True)
    positions = ops.cumsum(ops.ones_like(best), 1) - 1
    packed = ops.where(ops.lt(positions, counts), ops.take_along_dim(best, order, 1), -1)
    dense = packed[:, :ops.amax(counts)]
    indices = where(ops.ge(dense, 0))  # the entries of each row that hold a class
    decoded = SparseTensor(indices, gather_nd(dense, indices), shape_of(dense, out_type="int64"))
    best_logits = ops.permute(ops.amax(logits, 2), (1, 0))
    neg_sum_logits = ops.neg(ops.sum(ops.where(within, best_logits, 0), 1, keepdim=True))
    return [decoded], neg_sum_logits


for _fn in (ctc_loss, ctc_greedy_decoder):
    setattr(nn, _fn.__name__, _fn)

__all__ = []  # reached through tf.nn
