"""``tf.losses``: TensorFlow 1's loss functions. Each computes one loss per element (or per example), weights it,
reduces it to a scalar, and adds the result to the ``tf.GraphKeys.LOSSES`` collection, so that
``tf.losses.get_total_loss()`` finds every loss the model defined (plus the regularization penalties)::

    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.train.AdamOptimizer().minimize(tf.losses.get_total_loss())

**Weights and reduction.** ``weights`` (a number, or a tensor that broadcasts to the per-element losses) scales
each loss; a weight of 0 masks it out. ``reduction`` then says how to make one number of them:

* ``Reduction.SUM_BY_NONZERO_WEIGHTS`` (the default): the weighted sum divided by the number of nonzero weights
  — with the default weight 1, simply the mean; masked elements do not dilute it;
* ``SUM``: the weighted sum; ``MEAN``: the weighted sum divided by the sum of the weights;
  ``SUM_OVER_BATCH_SIZE``: divided by the number of elements; ``NONE``: no reduction, the weighted losses.

A division by zero (every weight 0) gives 0, not NaN. The computations are the op library's; this module only
translates TF's argument order (``labels`` first) and names.
"""
from .. import ops
from .array_ops import shape
from .basics import name_scope, stop_gradient
from .core import GraphKeys, UnknownRankError, get_default_graph
from .math_ops import FLOATS, add_n, cast, check_dtype, constant_value, deprecated_alias, rank_at_run_time, to_tensor
from .nn_training import (sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits_v2,
                          sparse_softmax_cross_entropy_with_logits)


class Reduction:
    """How a weighted loss is reduced to a scalar (see the module docstring)."""
    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


# ================================================================================================ collection

def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Add ``loss`` to ``loss_collection`` (None: to none)."""
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """The losses in ``loss_collection`` (those whose name starts with ``scope``, if given)."""
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """The penalties of the variables' regularizers (``get_variable(regularizer=...)``, layers' regularizers)."""
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 if there are none)."""
    losses = get_regularization_losses(scope)
    return add_n(losses, name=name) if losses else to_tensor(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of every loss in LOSSES and, by default, every regularization loss."""
    losses = get_losses(scope) + (get_regularization_losses(scope) if add_regularization_losses else [])
    if not losses:
        raise ValueError("No losses found: tf.losses.get_total_loss() sums the LOSSES collection (filled by the "
                         "tf.losses functions and tf.losses.add_loss) and REGULARIZATION_LOSSES, and both are empty")
    return add_n(losses, name=name)


# ================================================================================================ reduction

def _check_shapes(a, b):
    """TF's static check that two tensors have compatible shapes."""
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"Shapes {a.shape} and {b.shape} are incompatible")


@rank_at_run_time
def _checked_weights(losses, weights):
    """The weights, which must broadcast to the losses without changing their shape, as TF's
    assert_broadcastable says: a scalar, or of the losses' rank with each dim 1 or equal (a [3] weight beside
    [3, 3] losses would weigh columns where a reader may mean rows: TF refuses it). Checked when the graph runs
    where a rank is unknown until then."""
    values, w = losses.shape, weights.shape
    if w.rank == 0:
        return weights
    if not (values.rank_known and w.rank_known):
        raise UnknownRankError("weights and losses of ranks known when the graph runs are checked then")
    if len(w) not in (0, len(values)) or \
            any(None not in (a, b) and b not in (1, a) for a, b in zip(values[::-1], w[::-1])):
        raise ValueError(f"weights can not be broadcast to values. values.rank={len(values)}. weights.rank="
                         f"{len(w)}. values.shape={values}. weights.shape={w}.")
    return weights


def _divide_no_nan(x, y):
    """x / y, and 0 where y is 0 (every weight was 0: there is nothing to average)."""
    zero = ops.eq(y, 0)
    return ops.where(zero, ops.zeros_like(x), ops.div(x, ops.where(zero, ops.ones_like(y), y)))


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``losses * weights`` reduced by ``reduction``; the result joins ``loss_collection``. A mean is named
    ``<scope>/value`` as in TF1 (``mean_squared_error/value:0``: the loss functions pass their own scope), so a
    program that finds the loss by name after ``import_meta_graph`` finds it here too."""
    Reduction.validate(reduction)
    with name_scope(scope or "weighted_loss") as loss_scope:
        losses = check_dtype(to_tensor(losses), FLOATS, "losses")
        weights = to_tensor(weights, losses.dtype)
        if weights.dtype != losses.dtype:
            weights = cast(weights, losses.dtype)
        weights = _checked_weights(losses, weights)
        weighted = ops.mul(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = ops.sum(weighted)
            if reduction != Reduction.SUM:
                per_element = ops.broadcast_to_like(weights, weighted)  # a broadcast weight counts per element
                if reduction == Reduction.MEAN:
                    loss = _divide_no_nan(loss, ops.sum(per_element))
                elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                    loss = _divide_no_nan(loss, ops.sum(ops.ones_like(weighted)))
                else:
                    loss = _divide_no_nan(loss, ops.sum(cast(ops.ne(per_element, 0), losses.dtype)))
                try:
                    get_default_graph().rename_operation(loss.op, loss_scope + "value")
                except ValueError:  # a scope re-entered by hand already has its "value": keep the unique name
                    pass
        add_loss(loss, loss_collection)
        return loss


def _pair(labels, predictions, what="labels"):
    """``(labels, predictions)`` as tensors of one float dtype (labels are cast to the predictions'), with
    compatible shapes."""
    if labels is None:
        raise ValueError(f"{what} must not be None.")
    if predictions is None:
        raise ValueError("predictions must not be None.")
    predictions = check_dtype(to_tensor(predictions), FLOATS, "predictions")
    labels = to_tensor(labels)
    if labels.dtype != predictions.dtype:
        labels = cast(labels, predictions.dtype)
    _check_shapes(predictions, labels)
    return labels, predictions


# ================================================================================================== losses

def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """(predictions - labels)², weighted and reduced (by default: the mean)."""
    with name_scope(scope or "mean_squared_error") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        losses = ops.mse_loss(predictions, labels, reduction="none")
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """|predictions - labels|, weighted and reduced."""
    with name_scope(scope or "absolute_difference") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        losses = ops.l1_loss(predictions, labels, reduction="none")
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 e² where |e| <= delta, else delta (|e| - 0.5 delta), for the error e = predictions - labels: quadratic
    near 0, linear (robust to outliers) beyond ``delta``. Weighted and reduced."""
    with name_scope(scope or "huber_loss") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        losses = ops.huber_loss(predictions, labels, reduction="none", delta=float(delta))
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy between ``softmax(logits)`` and ``onehot_labels`` [batch, classes] (any distributions),
    one loss per example, weighted and reduced. ``label_smoothing`` ε uses ``(1 - ε) labels + ε / classes`` as
    the target. No gradient flows into the labels."""
    with name_scope(scope or "softmax_cross_entropy_loss") as loss_scope:
        labels, logits = _pair(onehot_labels, logits, "onehot_labels")
        if label_smoothing:
            classes = labels.shape[-1]
            share = label_smoothing / classes if classes is not None else \
                ops.div(label_smoothing, cast(ops.getitem(shape(labels), -1), labels.dtype))  # known at run time
            labels = ops.add(ops.mul(labels, 1 - label_smoothing), share)
        losses = softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels), logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


@rank_at_run_time
def _squeezed_labels(labels, logits, weights):
    """[batch, 1] labels and weights lose their last dim, as TF squeezes them (when the graph runs, where their
    ranks are known only then)."""
    if not (labels.shape.rank_known and logits.shape.rank_known):
        raise UnknownRankError("whether the labels have a dim to squeeze shows when the ranks are known")
    if labels.shape.rank == logits.shape.rank and labels.shape[-1] == 1:
        labels = ops.squeeze(labels, -1)
    if weights.shape.rank != 0 and not weights.shape.rank_known:
        raise UnknownRankError("whether the weights have a dim to squeeze shows when their rank is known")
    if weights.shape.rank == labels.shape.rank + 1:
        weights = ops.squeeze(weights, -1)  # [batch, 1] weights, one per label (TF squeezes them too)
    return labels, logits, weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy between ``softmax(logits)`` [batch, classes] and the class indices ``labels`` [batch]
    (a trailing dim of size 1 is squeezed away, from the weights too), weighted and reduced."""
    if labels is None:
        raise ValueError("labels must not be None.")
    with name_scope(scope or "sparse_softmax_cross_entropy_loss") as loss_scope:
        labels, logits, weights = _squeezed_labels(to_tensor(labels), to_tensor(logits), to_tensor(weights))
        losses = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross-entropy of each ``sigmoid(logits)`` against ``multi_class_labels`` in [0, 1] (computed from
    the logits, without overflow), weighted and reduced. ``label_smoothing`` ε moves the labels toward 1/2:
    ``(1 - ε) labels + ε / 2``."""
    with name_scope(scope or "sigmoid_cross_entropy_loss") as loss_scope:
        labels, logits = _pair(multi_class_labels, logits, "multi_class_labels")
        if label_smoothing:
            labels = ops.add(ops.mul(labels, 1 - label_smoothing), 0.5 * label_smoothing)
        losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        return compute_weighted_loss(losses, weights, loss_scope, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross-entropy of probabilities: ``-labels log(predictions + ε) - (1 - labels) log(1 - predictions
    + ε)`` per element (``epsilon`` ε keeps a prediction of exactly 0 or 1 finite), weighted and reduced."""
    with name_scope(scope or "log_loss") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        positive = ops.mul(labels, ops.log(ops.add(predictions, epsilon)))
        negative = ops.mul(ops.sub(1, labels), ops.log(ops.add(ops.sub(1, predictions), epsilon)))
        return compute_weighted_loss(ops.neg(ops.add(positive, negative)), weights, loss_scope, loss_collection,
                                     reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The SVM loss ``max(0, 1 - y * logits)`` per element, for labels 0/1 read as y = -1/+1; weighted and
    reduced."""
    with name_scope(scope or "hinge_loss") as loss_scope:
        labels, logits = _pair(labels, logits, "labels")
        signs = ops.sub(ops.mul(labels, 2.0), 1.0)  # 0 -> -1, 1 -> +1
        return compute_weighted_loss(ops.relu(ops.sub(1.0, ops.mul(signs, logits))), weights, loss_scope,
                                     loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES):
    """For each example, the mean over pairs of its entries of ((p_i - p_j) - (l_i - l_j))²: with d = p - l and n
    the entries with a non-zero weight, ``2 Σd² / (n - 1) - 2 (Σd)² / (n (n - 1))`` (0 where a divisor is 0),
    times the example's weight, summed over the batch — TF1's loss for predicting relative values. ``weights``: a
    scalar, one per example [batch], or shaped like the predictions."""
    with name_scope(scope or "mean_pairwise_squared_error") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        weights = cast(to_tensor(weights), predictions.dtype)
        diffs = ops.sub(predictions, labels)
        rank = diffs.shape.rank
        if rank is None or rank < 1:
            raise ValueError(f"mean_pairwise_squared_error needs predictions with a batch dim and a known rank, got "
                             f"{diffs.shape}")
        per_example = tuple(range(1, rank))
        if weights.shape.rank == 1 and rank > 1:  # one weight per example
            weights = ops.reshape(weights, (-1,) + (1,) * (rank - 1))
        present = cast(ops.ne(ops.broadcast_to_like(weights, diffs), 0), diffs.dtype)
        n = ops.sum(present, per_example, keepdim=True)
        squares = ops.sum(ops.square(diffs), per_example, keepdim=True)
        total = ops.sum(diffs, per_example, keepdim=True)
        term1 = ops.mul(2.0, _divide_no_nan(squares, ops.maximum(ops.sub(n, 1.0), 0.0)))
        term2 = ops.mul(2.0, _divide_no_nan(ops.square(total), ops.maximum(ops.mul(n, ops.sub(n, 1.0)), 0.0)))
        loss = ops.sum(ops.mul(ops.sub(term1, term2), weights))
        loss = ops.where(ops.gt(ops.sum(n), 0), loss, ops.zeros_like(loss))
        get_default_graph().rename_operation(loss.op, loss_scope + "value")
        add_loss(loss, loss_collection)
        return loss


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """``1 - sum(labels * predictions, axis)``, kept with size 1 along ``axis``: the cosine distance of vectors
    along ``axis`` that are already unit-normalized (``tf.nn.l2_normalize`` them first). Weighted and reduced.
    ``dim`` is TF1's old name of ``axis``, which is required."""
    axis = deprecated_alias(axis, dim, "axis", "dim")
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    with name_scope(scope or "cosine_distance_loss") as loss_scope:
        labels, predictions = _pair(labels, predictions)
        similarity = ops.sum(ops.mul(labels, predictions), constant_value(axis, "axis"), True)
        return compute_weighted_loss(ops.sub(1.0, similarity), weights, loss_scope, loss_collection, reduction)
