"""The rest of TF1's ``tf.metrics``, and ``tf.confusion_matrix`` (also ``tf.math.confusion_matrix``) that two of them
build on. Importing this module adds the metrics to ``tf.metrics``; they stream like those of metrics.py (local
variables, ``(value, update_op)``, ``weights``, the two collection arguments)::

    miou, update = tf.metrics.mean_iou(labels, predictions, num_classes=21)
    sess.run(tf.local_variables_initializer())
    for batch in test_batches:
        sess.run(update, feed_dict=batch)
    print(sess.run(miou))

- class ids: ``mean_iou`` and ``mean_per_class_accuracy`` add up a confusion matrix;
- scores in [0, 1] against thresholds: ``precision_at_thresholds``, ``recall_at_thresholds``, the four
  ``*_at_thresholds`` counts, ``sensitivity_at_specificity`` and ``specificity_at_sensitivity`` — all from the
  confusion counts at thresholds that ``auc`` uses;
- means of something derived: ``mean_tensor`` (entry by entry), ``mean_relative_error``, ``mean_cosine_distance``,
  ``percentage_below``;
- ranking: ``recall_at_k`` and ``precision_at_k`` (``sparse_recall_at_k``, ``sparse_precision_at_k``), and their
  ``*_at_top_k`` forms that take the top-k class ids instead of the scores; ``average_precision_at_k`` (also
  ``sparse_average_precision_at_k``).

Where TF's update op gives something other than the metric, so does this one: ``mean_iou``'s gives the confusion
matrix, ``mean_per_class_accuracy``'s the accuracy of each class. The @k metrics but ``average_precision_at_k``
are NaN (0 / 0), not 0, while nothing has been counted: TF uses NaN to say "this class never came up".
"""
import numbers

from .. import ops
from ..backend import dtypes
from . import metrics
from .array_ops import shape as shape_of
from .basics import control_dependencies, identity
from .check_ops import assert_less, assert_non_negative
from .math_ops import cast, constant_value, math, tf_op, to_tensor
from .metrics import (_CONFUSION_KEYS, _confusion_at_thresholds, _evenly_spaced_thresholds, _finish, _matching,
                      _mean, _mean_of, _metric_variable, _safe_div, _weighted)
from .sort_ops import top_k
from .variable_scope import variable_scope


# ====================================================================================== the confusion matrix

def _num_classes(num_classes, op):
    """``num_classes`` as a positive Python int, known when the graph is built."""
    n = constant_value(num_classes, "num_classes")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{op}: num_classes must be a positive integer, got {num_classes!r}")
    return int(n)


@tf_op("confusion_matrix")
def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32, name=None):
    """The [num_classes, num_classes] matrix whose entry (i, j) counts the entries labelled i and predicted j —
    rows are labels, columns predictions, the diagonal holds the right answers. With ``weights`` (the predictions'
    shape) each entry adds its weight instead of 1; the result has ``dtype``, and the weights are cast to it.

    ``labels`` and ``predictions`` are 1-D class ids of one length (a trailing size-1 dim of either is squeezed).
    Without ``num_classes`` the matrix has ``max(labels, predictions) + 1`` rows, known only at run time. A
    negative id, or one ≥ ``num_classes``, makes the run raise InvalidArgumentError, as TF's asserts do: it would
    otherwise be counted in the wrong cell or not at all.

    The matrix is ``one_hot(labels)ᵀ · diag(weights) · one_hot(predictions)``: entry n's one-hot rows pick the
    row and the column its weight is added to."""
    labels, predictions = _matching(labels, predictions)
    if labels.shape.rank_known and labels.shape.rank != 1:
        raise ValueError(f"confusion_matrix: labels and predictions must be 1-D class ids, got shapes "
                         f"{labels.shape} and {predictions.shape}")
    ids = {"labels": cast(labels, dtypes.int64), "predictions": cast(predictions, dtypes.int64)}
    checks = [assert_non_negative(x, message=f"`{what}` contains negative values") for what, x in ids.items()]
    if num_classes is not None:
        num_classes = _num_classes(num_classes, "confusion_matrix")
        checks += [assert_less(x, num_classes, message=f"`{what}` out of bound") for what, x in ids.items()]
    with control_dependencies(checks):
        both = identity(ops.stack([ids["labels"], ids["predictions"]]))  # [2, N]
    # one one-hot for both, so that an unknown num_classes is inferred once, from the larger of the two
    one_hot = cast(ops.one_hot(both, -1 if num_classes is None else num_classes), dtype)  # [2, N, C]
    rows, columns = one_hot[0], one_hot[1]
    if weights is not None:
        weights = to_tensor(weights)
        if not weights.shape.is_compatible_with(predictions.shape):
            raise ValueError(f"confusion_matrix: weights must have the predictions' shape {predictions.shape}, "
                             f"got {weights.shape}")
        rows = ops.mul(rows, ops.unsqueeze(cast(weights, dtype), 1))
    return ops.matmul(ops.transpose(rows, 0, 1), columns)


def _batch_confusion(labels, predictions, num_classes, weights, dtype):
    """This batch's [num_classes, num_classes] confusion matrix, for class ids of any one shape (flattened), the
    weights broadcast to it."""
    labels, predictions = _matching(labels, predictions)
    if weights is not None:
        weights = ops.reshape(_weighted(labels, weights, dtype)[1], (-1,))
    return confusion_matrix(ops.reshape(labels, (-1,)), ops.reshape(predictions, (-1,)), num_classes, weights,
                            dtype)


# ================================================================================= metrics of class ids

def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None, updates_collections=None,
             name=None):
    """The mean intersection-over-union of the classes, the usual score of semantic segmentation. From the
    confusion matrix cm of everything seen (``mean_iou/total_confusion_matrix``, float64), class c's IoU is::

        IoU_c = cm[c, c] / (Σ_j cm[c, j] + Σ_i cm[i, c] - cm[c, c])  =  tp / (tp + fn + fp)

    and the mean is over the classes whose denominator is not 0 (a class neither labelled nor predicted says
    nothing; 0 before anything is seen). ``labels`` and ``predictions``: class ids of one shape (flattened).
    Returns ``(mean_iou, update_op)``; as in TF, ``update_op`` gives the updated confusion matrix."""
    n = _num_classes(num_classes, "mean_iou")
    with variable_scope(name, default_name="mean_iou"):
        total = _metric_variable("total_confusion_matrix", dtypes.float64, (n, n))
        batch = _batch_confusion(labels, predictions, n, weights, dtypes.float64)
        return _finish(_mean_iou_of(total), total.assign_add(batch), metrics_collections, updates_collections)


def _mean_iou_of(cm):
    """The mean IoU of the classes present in the confusion matrix ``cm``, 0 if none is."""
    cm = cast(cm, dtypes.float32)
    intersection = ops.diagonal(cm)
    union = ops.sub(ops.add(ops.sum(cm, 0), ops.sum(cm, 1)), intersection)
    seen = ops.sum(cast(ops.ne(union, 0), dtypes.float32))
    return _safe_div(ops.sum(_safe_div(intersection, union)), seen)


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The accuracy of each class — of the entries labelled c, the (weighted) fraction predicted c — averaged over
    all ``num_classes`` classes (one never labelled counts as 0, as in TF). Kept in ``mean_accuracy/total`` (the
    weight labelled each class: the confusion matrix's row sums) and ``mean_accuracy/count`` (the weight predicted
    right: its diagonal), both [num_classes] float32. Returns ``(mean_accuracy, update_op)``; as in TF,
    ``update_op`` gives the accuracy of each class."""
    n = _num_classes(num_classes, "mean_per_class_accuracy")
    with variable_scope(name, default_name="mean_accuracy"):
        total, count = _metric_variable("total", shape=(n,)), _metric_variable("count", shape=(n,))
        batch = _batch_confusion(labels, predictions, n, weights, dtypes.float32)
        update_op = _safe_div(count.assign_add(ops.diagonal(batch)), total.assign_add(ops.sum(batch, 1)))
        return _finish(ops.mean(_safe_div(count, total)), update_op, metrics_collections, updates_collections)


# ================================================================ metrics of scores against thresholds

def _thresholds(thresholds):
    """``thresholds`` (floats, or one float) as a list of Python floats."""
    values = constant_value(thresholds, "thresholds")
    return [float(t) for t in (values if isinstance(values, (list, tuple)) else [values])]


def _fraction(part, rest):
    """``part / (part + rest + 1e-7)``: TF's rates at thresholds, 0 (not NaN) where nothing was counted."""
    return ops.div(part, ops.add(ops.add(part, rest), 1e-7))


def _rate_at_thresholds(default_name, rest, labels, predictions, thresholds, weights, metrics_collections,
                        updates_collections, name):
    """``tp / (tp + <rest> + 1e-7)`` at each threshold, from ``<name>/true_positives`` and ``<name>/<rest>``."""
    with variable_scope(name, default_name=default_name):
        totals, updated = _confusion_at_thresholds(labels, predictions, _thresholds(thresholds), weights,
                                                   ("true_positives", rest))
        return _finish(_fraction(totals["true_positives"], totals[rest]),
                       _fraction(updated["true_positives"], updated[rest]), metrics_collections, updates_collections)


def precision_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The precision ``tp / (tp + fp)`` at each of ``thresholds`` (a list of floats), an entry counting as
    predicted True when its prediction (in [0, 1]) is above the threshold; ``labels`` are read as bool. 1e-7 is
    added to the denominator. Returns ``(precision, update_op)``, each of shape [len(thresholds)]."""
    return _rate_at_thresholds("precision_at_thresholds", "false_positives", labels, predictions, thresholds,
                               weights, metrics_collections, updates_collections, name)


def recall_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """The recall ``tp / (tp + fn)`` at each of ``thresholds``, as ``precision_at_thresholds`` counts them.
    Returns ``(recall, update_op)``, each of shape [len(thresholds)]."""
    return _rate_at_thresholds("recall_at_thresholds", "false_negatives", labels, predictions, thresholds,
                               weights, metrics_collections, updates_collections, name)


def _count_at_thresholds(key, labels, predictions, thresholds, weights, metrics_collections, updates_collections,
                         name):
    """One of the confusion counts at each threshold, in ``<name>/<key>``."""
    with variable_scope(name, default_name=key):
        totals, updated = _confusion_at_thresholds(labels, predictions, _thresholds(thresholds), weights, (key,))
        return _finish(totals[key].read_value(), updated[key], metrics_collections, updates_collections)


def true_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """At each threshold, the weight of the entries labelled True whose prediction is above it."""
    return _count_at_thresholds("true_positives", labels, predictions, thresholds, weights, metrics_collections,
                                updates_collections, name)


def false_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """At each threshold, the weight of the entries labelled False whose prediction is above it."""
    return _count_at_thresholds("false_positives", labels, predictions, thresholds, weights, metrics_collections,
                                updates_collections, name)


def true_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """At each threshold, the weight of the entries labelled False whose prediction is not above it."""
    return _count_at_thresholds("true_negatives", labels, predictions, thresholds, weights, metrics_collections,
                                updates_collections, name)


def false_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """At each threshold, the weight of the entries labelled True whose prediction is not above it."""
    return _count_at_thresholds("false_negatives", labels, predictions, thresholds, weights, metrics_collections,
                                updates_collections, name)


def _closest(rates, target, ties_to_last=False):
    """The index of the threshold whose rate is closest to ``target``: of equally close ones the first, or the
    last."""
    distance = ops.abs(ops.sub(rates, target))
    if not ties_to_last:
        return ops.argmin(distance, 0)
    last = rates.shape[0] - 1
    return ops.sub(last, ops.argmin(ops.flip(distance, (0,)), 0))  # argmin finds the first: look from the end


def _check_rate(value, what):
    if not 0 <= value <= 1:
        raise ValueError(f"`{what}` must be in the range [0, 1], got {value}")


def sensitivity_at_specificity(labels, predictions, specificity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The sensitivity (recall, ``tp / (tp + fn)``) at the threshold whose specificity (``tn / (tn + fp)``, the
    recall of the negatives) is closest to ``specificity`` — the first such threshold — among ``num_thresholds``
    thresholds spread over [0, 1] as ``auc``'s. ``predictions`` in [0, 1]; 1e-7 added to both denominators.
    The four counts live in ``sensitivity_at_specificity/true_positives`` ... Returns ``(sensitivity,
    update_op)``."""
    _check_rate(specificity, "specificity")
    with variable_scope(name, default_name="sensitivity_at_specificity"):
        thresholds = _evenly_spaced_thresholds(num_thresholds)
        totals, updated = _confusion_at_thresholds(labels, predictions, thresholds, weights)

        def at_specificity(counts):
            tp, fn, tn, fp = (counts[k] for k in _CONFUSION_KEYS)
            i = _closest(_fraction(tn, fp), specificity)
            return _fraction(tp[i], fn[i])
        return _finish(at_specificity(totals), at_specificity(updated), metrics_collections, updates_collections)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The specificity (``tn / (tn + fp)``) at the threshold whose sensitivity (``tp / (tp + fn)``) is closest to
    ``sensitivity`` — the last (highest) such threshold, as TF picks — among ``num_thresholds`` thresholds. As in
    TF the last threshold is 1 - 1e-7 (``sensitivity_at_specificity``'s is 1 + 1e-7). Returns ``(specificity,
    update_op)``."""
    _check_rate(sensitivity, "sensitivity")
    with variable_scope(name, default_name="specificity_at_sensitivity"):
        thresholds = _evenly_spaced_thresholds(num_thresholds, last=1.0 - 1e-7)
        totals, updated = _confusion_at_thresholds(labels, predictions, thresholds, weights)

        def at_sensitivity(counts):
            tp, fn, tn, fp = (counts[k] for k in _CONFUSION_KEYS)
            i = _closest(_fraction(tp, fn), sensitivity, ties_to_last=True)
            return _fraction(tn[i], fp[i])
        return _finish(at_sensitivity(totals), at_sensitivity(updated), metrics_collections, updates_collections)


# ======================================================================================= means of values

def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of every ``values`` seen, entry by entry: a tensor of the values' shape (which must be
    fully known), ``total / count`` from ``mean/total_tensor`` and ``mean/count_tensor``, 0 where the count is 0.
    Returns ``(mean, update_op)``."""
    values = to_tensor(values)
    if not values.shape.is_fully_defined():
        raise ValueError(f"mean_tensor: values must have a fully known shape, got {values.shape}")
    with variable_scope(name, default_name="mean"):
        weighted, weights = _weighted(values, weights)
        total = _metric_variable("total_tensor", shape=tuple(values.shape.as_list()))
        count = _metric_variable("count_tensor", shape=tuple(values.shape.as_list()))
        update_op = _safe_div(total.assign_add(weighted), count.assign_add(weights))
        return _finish(_safe_div(total, count), update_op, metrics_collections, updates_collections)


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The mean of ``|labels - predictions| / normalizer`` (0 where the normalizer is 0; ``normalizer`` has the
    predictions' shape). Returns ``(mean_relative_error, update_op)``."""
    labels, predictions = _matching(labels, predictions)
    predictions, normalizer = _matching(predictions, normalizer)
    normalizer = cast(normalizer, dtypes.float32)
    return _mean_of("mean_relative_error", lambda y, p: _safe_div(ops.abs(ops.sub(y, p)), normalizer), labels,
                    predictions, weights, metrics_collections, updates_collections, name)


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None, updates_collections=None,
                         name=None):
    """The mean of ``1 - Σ_dim labels * predictions``: the cosine distance of vectors along ``dim`` that are
    already unit length (as TF, this does not normalize them). ``weights`` broadcast to the values with ``dim``
    kept as size 1. Kept in ``mean_cosine_distance/total`` and ``count``. Returns ``(distance, update_op)``."""
    dim = constant_value(dim, "dim")
    similarity, update_op = _mean_of("mean_cosine_distance", lambda y, p: ops.sum(ops.mul(y, p), dim, keepdim=True),
                                     labels, predictions, weights, None, None, name)
    return _finish(ops.sub(1.0, similarity), ops.sub(1.0, update_op), metrics_collections, updates_collections)


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """The (weighted) fraction of the values seen that are < ``threshold``, in
    ``percentage_below_threshold/total`` and ``count``. Returns ``(fraction, update_op)``."""
    with variable_scope(name, default_name="percentage_below_threshold"):
        return _mean(ops.lt(to_tensor(values), threshold), weights, metrics_collections, updates_collections)


# ============================================================================================== @k metrics

def _at_k_name(what, k, class_id):
    """TF's names: ``recall_at_5``, ``true_positive_at_5_class3``, ``precision_at_k`` (k unknown)..."""
    name = f"{what}_at_k" if k is None else f"{what}_at_{k}"
    return name if class_id is None else f"{name}_class{class_id}"


def _label_and_predicted_ids(labels, predictions_idx):
    """``labels`` [..., n] (or [...], one label per row: made [..., 1]) and ``predictions_idx`` [..., k] as int64
    tensors of one rank, their rows checked to match."""
    predicted = cast(to_tensor(predictions_idx), dtypes.int64)
    labels = cast(to_tensor(labels), dtypes.int64)
    if labels.shape.rank_known and predicted.shape.rank_known:
        if labels.shape.rank == predicted.shape.rank - 1:
            labels = ops.unsqueeze(labels, -1)  # one label per row
        if labels.shape.rank != predicted.shape.rank or not labels.shape[:-1].is_compatible_with(
                predicted.shape[:-1]):
            raise ValueError(f"Unexpected labels shape {labels.shape} for predictions shape {predicted.shape}: "
                             "labels must be [..., num_labels] or [...] for predictions [..., num_classes]")
    return labels, predicted


def _hits_at_k(labels, predictions_idx, class_id):
    """Per row (every index but the last): the true positives, false negatives and false positives (float64) of the
    predicted class ids ``predictions_idx`` [..., k] against the label ids ``labels`` [..., n] (or [...]), both
    read as sets: a label given twice counts once. With ``class_id`` only that class is looked at.

        tp = |labels ∩ predicted|,  fn = |labels - predicted|,  fp = |predicted - labels| = |predicted| - tp

    (the predicted ids of a row are distinct). A label outside [0, num_classes) is never predicted: a false
    negative, never a true positive."""
    labels, predicted = _label_and_predicted_ids(labels, predictions_idx)
    if class_id is None:
        label_kept, predicted_kept = ops.ones_like(labels, dtypes.bool_), ops.ones_like(predicted, dtypes.bool_)
    else:
        label_kept, predicted_kept = ops.eq(labels, class_id), ops.eq(predicted, class_id)
    # [..., j, j'] tables over pairs of labels: label j' equals label j and comes before it, so j is a repeat
    label_column = ops.unsqueeze(labels, -1)
    position = ops.cumsum(ops.ones_like(labels), -1)
    before = ops.lt(ops.unsqueeze(position, -2), ops.unsqueeze(position, -1))
    earlier_copy = ops.logical_and(ops.logical_and(ops.eq(label_column, ops.unsqueeze(labels, -2)), before),
                                   ops.unsqueeze(label_kept, -2))
    distinct = ops.logical_and(label_kept, ops.logical_not(ops.any(earlier_copy, -1)))
    # label j is found when it equals one of the (kept) predicted ids: any over the [..., j, i] table
    found = ops.any(ops.logical_and(ops.eq(label_column, ops.unsqueeze(predicted, -2)),
                                    ops.unsqueeze(predicted_kept, -2)), -1)

    def count(condition):
        return ops.sum(cast(condition, dtypes.float64), -1)
    tp = count(ops.logical_and(distinct, found))
    return tp, count(ops.logical_and(distinct, ops.logical_not(found))), ops.sub(count(predicted_kept), tp)


def _streaming_at_k(what, labels, predictions_idx, k, class_id, weights, metrics_collections, updates_collections,
                    name):
    """``tp / (tp + fp)`` (``what="precision"``) or ``tp / (tp + fn)`` (``"recall"``) of the top-k ids, from two
    float64 local variables ``<name>/true_positive_at_<k>`` and ``<name>/false_positive_at_<k>`` (or
    ``false_negative``), each row's counts weighted by ``weights`` (a scalar or one per row)."""
    with variable_scope(name, default_name=_at_k_name(what, k, class_id)):
        tp, fn, fp = _hits_at_k(labels, predictions_idx, class_id)
        counts = {"true_positive": tp, "false_positive": fp, "false_negative": fn}
        totals, updated = [], []
        for key in ("true_positive", "false_positive" if what == "precision" else "false_negative"):
            total = _metric_variable(_at_k_name(key, k, class_id), dtypes.float64)
            totals.append(total)
            updated.append(total.assign_add(ops.sum(_weighted(counts[key], weights, dtypes.float64)[0])))
        return _finish(ops.div(totals[0], ops.add(*totals)), ops.div(updated[0], ops.add(*updated)),
                       metrics_collections, updates_collections)


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                    updates_collections=None, name=None):
    """``recall_at_k`` for predictions given as the top-k class ids [..., k] (``k`` only names the variables)."""
    return _streaming_at_k("recall", labels, predictions_idx, k, class_id, weights, metrics_collections,
                           updates_collections, name)


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """``precision_at_k`` for predictions given as the top-k class ids [..., k] (``k`` only names the
    variables)."""
    return _streaming_at_k("precision", labels, predictions_idx, k, class_id, weights, metrics_collections,
                           updates_collections, name)


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """Of the labels seen, the fraction found among the ``k`` classes with the highest ``predictions`` (scores or
    logits [..., num_classes]): ``tp / (tp + fn)`` over the rows' label sets (``labels``: class ids [..., n], or
    [...] for one label per row). With ``class_id``: of the rows labelled with that class, the fraction that have it
    in their top k. NaN while nothing is counted. Kept in ``recall_at_<k>/true_positive_at_<k>`` and
    ``false_negative_at_<k>`` (float64). Returns ``(recall, update_op)``."""
    return recall_at_top_k(labels, top_k(predictions, k)[1], k, class_id, weights, metrics_collections,
                           updates_collections, name)


def precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                   updates_collections=None, name=None):
    """Of the top ``k`` classes predicted for each row, the fraction that are among its labels: ``tp / (tp + fp)``
    (labels outside [0, num_classes) are never hit). With ``class_id``: of the rows that have that class in their
    top k, the fraction labelled with it. NaN while nothing is counted. Kept in
    ``precision_at_<k>/true_positive_at_<k>`` and ``false_positive_at_<k>``. Returns ``(precision, update_op)``."""
    return precision_at_top_k(labels, top_k(predictions, k)[1], k, class_id, weights, metrics_collections,
                              updates_collections, name)


sparse_precision_at_k = precision_at_k  # TF 1.x's older name
sparse_recall_at_k = recall_at_k  # tf.contrib.metrics' name


def _average_precision_per_row(labels, predictions, k):
    """Each row's average precision of its top ``k`` classes (float64 [...]): with rel_i = 1 when the i-th best
    class is one of the row's labels,

        AP = Σ_{i ≤ k} rel_i · precision@i / min(k, number of labels),   precision@i = (rel_1 + ... + rel_i) / i

    Labels outside [0, num_classes) — padding such as -1 — are no labels: never hit, not counted. A row without
    any label is 0 / 0, NaN, as in TF."""
    num_classes = predictions.shape[-1]
    if num_classes is None:  # known only when the graph runs
        num_classes = shape_of(predictions, out_type=dtypes.int64)[-1]
    labels, predicted = _label_and_predicted_ids(labels, top_k(predictions, k)[1])
    # [..., i, j]: the i-th predicted class is label j (a repeated label still makes rel_i 1, not 2)
    relevant = cast(ops.any(ops.eq(ops.unsqueeze(predicted, -1), ops.unsqueeze(labels, -2)), -1), dtypes.float64)
    rank = ops.cumsum(ops.ones_like(relevant), -1)  # i = 1 .. k
    precision_sum = ops.sum(ops.mul(ops.div(ops.cumsum(relevant, -1), rank), relevant), -1)
    is_label = ops.logical_and(ops.ge(labels, 0), ops.lt(labels, num_classes))
    num_relevant = ops.minimum(ops.sum(cast(is_label, dtypes.float64), -1), float(k))
    return ops.div(precision_sum, num_relevant)


def average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """The mean over the rows seen of their average precision at ``k`` — how high the ``k`` best-scored classes
    of ``predictions`` [..., num_classes] rank the row's ``labels`` (class ids [..., n], or [...]): see
    ``_average_precision_per_row``. Each row's AP is weighted by ``weights`` (a scalar or one per row). Kept in
    ``average_precision_at_<k>/total`` (the weighted sum of the APs) and ``average_precision_at_<k>/max`` (the sum
    of the weights: what ``total`` would be were every AP 1), both float64; 0 before anything is seen. Returns
    ``(mean_average_precision, update_op)``."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"average_precision_at_k: Invalid k={k!r}, expected a positive int")
    predictions = to_tensor(predictions)
    if predictions.shape.rank_known and predictions.shape.rank < 1:
        raise ValueError(f"average_precision_at_k: predictions must be [..., num_classes] scores, got shape "
                         f"{predictions.shape}")
    with variable_scope(name, default_name=_at_k_name("average_precision", k, None)):
        weighted, weights = _weighted(_average_precision_per_row(labels, predictions, k), weights, dtypes.float64)
        total, max_total = _metric_variable("total", dtypes.float64), _metric_variable("max", dtypes.float64)
        update_op = _safe_div(total.assign_add(ops.sum(weighted)), max_total.assign_add(ops.sum(weights)))
        return _finish(_safe_div(total, max_total), update_op, metrics_collections, updates_collections)


sparse_average_precision_at_k = average_precision_at_k  # TF 1.x's older name, deprecated in 1.15


for _fn in (mean_iou, mean_per_class_accuracy, precision_at_thresholds, recall_at_thresholds,
            true_positives_at_thresholds, false_positives_at_thresholds, true_negatives_at_thresholds,
            false_negatives_at_thresholds, sensitivity_at_specificity, specificity_at_sensitivity, mean_tensor,
            mean_relative_error, mean_cosine_distance, percentage_below, recall_at_top_k, precision_at_top_k,
            recall_at_k, precision_at_k, average_precision_at_k):
    setattr(metrics, _fn.__name__, _fn)
metrics.sparse_precision_at_k, metrics.sparse_recall_at_k = sparse_precision_at_k, sparse_recall_at_k
metrics.sparse_average_precision_at_k = sparse_average_precision_at_k
math.confusion_matrix = confusion_matrix
