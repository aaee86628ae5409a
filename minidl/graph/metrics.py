"""``tf.metrics``: streaming metrics — a value accumulated over many ``Session.run`` calls (a whole test set fed
batch by batch), not computed from one batch.

Each metric keeps running totals in *local* variables (the LOCAL_VARIABLES and METRIC_VARIABLES collections,
named ``<metric>/total``, ``<metric>/count`` ...) and returns two tensors::

    accuracy, update_op = tf.metrics.accuracy(labels, predictions)
    sess.run(tf.local_variables_initializer())      # (re)start the totals at zero
    for batch in test_batches:
        sess.run(update_op, feed_dict=batch)        # add this batch to the totals
    print(sess.run(accuracy))                       # the metric over everything seen

``value`` reads the totals; ``update_op`` adds a batch to them and gives the value after that batch. A ratio
whose denominator is still 0 is 0, not NaN. ``weights`` (broadcast to the values) weighs each value; a weight of 0
leaves it out. ``metrics_collections`` / ``updates_collections`` name collections to add the value / update op to.
"""
import numpy

from .. import ops
from ..backend import dtypes
from .basics import control_dependencies, identity
from .check_ops import assert_greater_equal, assert_less_equal
from .core import GraphKeys, UnknownRankError, get_default_graph
from .math_ops import cast, rank_at_run_time, to_tensor
from .variable_scope import variable_scope
from .variables import Variable



def _metric_variable(name, dtype=dtypes.float32, shape=()):
    """A local counter (a scalar, or one per entry of ``shape``) starting at zero (not trainable, not saved)."""
    return Variable(lambda: to_tensor(numpy.zeros(shape, dtype)), trainable=False, name=name,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])


def _safe_div(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0 (nothing counted yet)."""
    zero = ops.eq(denominator, 0)
    return ops.where(zero, ops.zeros_like(numerator), ops.div(numerator, ops.where(zero, ops.ones_like(denominator),
                                                                                 denominator)))


def _weighted(values, weights, dtype=dtypes.float32):
    """(values * weights, weights broadcast to the values' shape) as ``dtype``, for sums and counts. As TF's
    remove_squeezable_dimensions: weights one rank above the values lose their trailing size-1 dim, and weights
    one rank below gain one — [N] weights weigh the rows of [N, K] values, not their columns."""
    values = cast(to_tensor(values), dtype)
    if weights is None:
        return values, ops.ones_like(values)
    return _broadcast_weights(values, cast(to_tensor(weights), dtype))


@rank_at_run_time
def _broadcast_weights(values, weights):
    if not (weights.shape.rank_known and values.shape.rank_known):
        raise UnknownRankError("metrics: whether the weights weigh rows or entries shows when their ranks are known")
    if weights.shape.rank == values.shape.rank + 1:
        weights = ops.squeeze(weights, -1)
    elif weights.shape.rank == values.shape.rank - 1:
        weights = ops.unsqueeze(weights, -1)
    weights = ops.broadcast_to_like(weights, values)
    return ops.mul(values, weights), weights


@rank_at_run_time
def _matching(labels, predictions):
    """``labels`` and ``predictions`` with a trailing size-1 dim of either squeezed when its rank is one more
    than the other's (TF's remove_squeezable_dimensions), shapes checked."""
    labels, predictions = to_tensor(labels), to_tensor(predictions)
    if not (labels.shape.rank_known and predictions.shape.rank_known):
        raise UnknownRankError("metrics: which of labels and predictions has a dim to squeeze shows when their "
                               "ranks are known")
    if labels.shape.rank == predictions.shape.rank + 1 and labels.shape[-1] == 1:
        labels = ops.squeeze(labels, -1)
    elif predictions.shape.rank == labels.shape.rank + 1 and predictions.shape[-1] == 1:
        predictions = ops.squeeze(predictions, -1)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible")
    return labels, predictions


def _finish(value, update_op, metrics_collections, updates_collections):
    """The metric's pair under TF's names (``accuracy/value``, ``accuracy/update_op``), added to the collections
    asked for."""
    value, update_op = identity(value, name="value"), identity(update_op, name="update_op")
    if metrics_collections:
        get_default_graph().add_to_collections(metrics_collections, value)
    if updates_collections:
        get_default_graph().add_to_collections(updates_collections, update_op)
    return value, update_op


def _mean(values, weights, metrics_collections, updates_collections):
    """``mean`` in the current variable scope (its variables ``total`` and ``count``)."""
    weighted, weights = _weighted(values, weights)
    total, count = _metric_variable("total"), _metric_variable("count")
    update_op = _safe_div(total.assign_add(ops.sum(weighted)), count.assign_add(ops.sum(weights)))
    return _finish(_safe_div(total, count), update_op, metrics_collections, updates_collections)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of every value seen: ``total / count``, with ``total`` the sum of values * weights and
    ``count`` the sum of the weights (both float32 local variables). Returns ``(mean, update_op)``."""
    with variable_scope(name, default_name="mean"):
        return _mean(values, weights, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How often ``predictions`` equal ``labels`` (class ids, e.g. ``tf.argmax(logits, 1)``): the mean of
    ``equal(predictions, labels)``, kept in ``accuracy/total`` and ``accuracy/count``. The predictions are cast
    to the labels' dtype. Returns ``(accuracy, update_op)``."""
    labels, predictions = _matching(labels, predictions)
    if predictions.dtype != labels.dtype:
        predictions = cast(predictions, labels.dtype)
    with variable_scope(name, default_name="accuracy"):
        return _mean(ops.eq(predictions, labels), weights, metrics_collections, updates_collections)


def _mean_of(default_name, error, labels, predictions, weights, metrics_collections, updates_collections, name):
    """The mean of ``error(labels, predictions)`` over everything seen, under ``<name>/total`` and ``count``."""
    labels, predictions = _matching(labels, predictions)
    with variable_scope(name, default_name=default_name):
        return _mean(error(cast(labels, dtypes.float32), cast(predictions, dtypes.float32)), weights,
                     metrics_collections, updates_collections)


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """The mean of ``(predictions - labels)²`` over everything seen. Returns ``(mse, update_op)``."""
    return _mean_of("mean_squared_error", lambda y, p: ops.square(ops.sub(p, y)), labels, predictions, weights,
                    metrics_collections, updates_collections, name)


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    """The mean of ``|predictions - labels|`` over everything seen. Returns ``(mae, update_op)``."""
    return _mean_of("mean_absolute_error", lambda y, p: ops.abs(ops.sub(p, y)), labels, predictions, weights,
                    metrics_collections, updates_collections, name)


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                            name=None):
    """The square root of ``mean_squared_error`` (its totals live under ``root_mean_squared_error/``). Returns
    ``(rmse, update_op)``."""
    with variable_scope(name, default_name="root_mean_squared_error"):
        mse, update_mse = mean_squared_error(labels, predictions, weights)
        return _finish(ops.sqrt(mse), ops.sqrt(update_mse), metrics_collections, updates_collections)


def _counter(default_name, test, labels, predictions, weights, metrics_collections, updates_collections, name):
    """A local variable ``<name>/count`` adding up the (weighted) entries where ``test(labels, predictions)``
    holds, both read as bool; ``(count, update_op)``."""
    labels, predictions = _matching(labels, predictions)
    with variable_scope(name, default_name=default_name):
        weighted, _ = _weighted(test(cast(labels, dtypes.bool_), cast(predictions, dtypes.bool_)), weights)
        count = _metric_variable("count")
        return _finish(count.read_value(), count.assign_add(ops.sum(weighted)), metrics_collections,
                       updates_collections)


def true_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How many entries are predicted True and labelled True. ``(count, update_op)``."""
    return _counter("true_positives", ops.logical_and, labels, predictions, weights, metrics_collections,
                    updates_collections, name)


def true_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How many entries are predicted False and labelled False. ``(count, update_op)``."""
    return _counter("true_negatives", lambda y, p: ops.logical_and(ops.logical_not(y), ops.logical_not(p)), labels,
                    predictions, weights, metrics_collections, updates_collections, name)


def false_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How many entries are predicted True but labelled False. ``(count, update_op)``."""
    return _counter("false_positives", lambda y, p: ops.logical_and(ops.logical_not(y), p), labels, predictions,
                    weights, metrics_collections, updates_collections, name)


def false_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How many entries are predicted False but labelled True. ``(count, update_op)``."""
    return _counter("false_negatives", lambda y, p: ops.logical_and(y, ops.logical_not(p)), labels, predictions,
                    weights, metrics_collections, updates_collections, name)


def precision(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """Of the entries predicted True, the fraction labelled True: ``tp / (tp + fp)`` (0 before any is predicted
    True), from ``precision/true_positives/count`` and ``precision/false_positives/count``. Returns
    ``(precision, update_op)``."""
    with variable_scope(name, default_name="precision"):
        tp, update_tp = true_positives(labels, predictions, weights)
        fp, update_fp = false_positives(labels, predictions, weights)
        return _finish(_safe_div(tp, ops.add(tp, fp)), _safe_div(update_tp, ops.add(update_tp, update_fp)),
                       metrics_collections, updates_collections)


def recall(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """Of the entries labelled True, the fraction predicted True: ``tp / (tp + fn)``, from
    ``recall/true_positives/count`` and ``recall/false_negatives/count``. Returns ``(recall, update_op)``."""
    with variable_scope(name, default_name="recall"):
        tp, update_tp = true_positives(labels, predictions, weights)
        fn, update_fn = false_negatives(labels, predictions, weights)
        return _finish(_safe_div(tp, ops.add(tp, fn)), _safe_div(update_tp, ops.add(update_tp, update_fn)),
                       metrics_collections, updates_collections)


# ================================================================================================= AUC

def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None, updates_collections=None,
        curve="ROC", name=None, summation_method="trapezoidal", thresholds=None):
    """The area under the ROC curve (``curve="ROC"``: recall against the false-positive rate) or the
    precision-recall curve (``"PR"``), approximated on ``num_thresholds`` thresholds, for ``predictions`` in
    [0, 1] (probabilities of the positive class; the update op raises InvalidArgumentError for others) and
    bool-like ``labels``. Returns ``(auc, update_op)``.

    At each threshold t an entry counts as predicted positive when its prediction is > t; the counts of true and
    false positives and negatives at every threshold accumulate in four local [num_thresholds] variables
    (``auc/true_positives`` ...). The thresholds are 0 - 1e-7, then evenly spaced ``i / (num_thresholds - 1)``,
    then 1 + 1e-7, so that the curve reaches both corners. From the counts, with ε = 1e-6::

        recall = (tp + ε) / (tp + fn + ε),  fp_rate = fp / (fp + tn + ε),  precision = (tp + ε) / (tp + fp + ε)

    and the area between consecutive thresholds is summed as trapezoids (``summation_method="trapezoidal"``),
    with the lower or upper of the two heights (``"minoring"``/``"majoring"``), or, for PR, by interpolating
    precision the way Davis & Goadrich (2006) show is right for PR curves (``"careful_interpolation"``).
    """
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    methods = ("trapezoidal", "minoring", "majoring", "careful_interpolation")
    if summation_method not in methods:
        raise ValueError(f"Invalid summation_method: {summation_method} (expected one of {methods})")
    if thresholds is None:
        thresholds = _evenly_spaced_thresholds(num_thresholds)
    else:
        thresholds = [0.0 - 1e-7] + sorted(float(t) for t in thresholds) + [1.0 + 1e-7]
    with variable_scope(name, default_name="auc"):
        totals, updated = _confusion_at_thresholds(labels, predictions, thresholds, weights)
        return _finish(_area(totals, curve, summation_method), _area(updated, curve, summation_method),
                       metrics_collections, updates_collections)


def _evenly_spaced_thresholds(num_thresholds, last=1.0 + 1e-7):
    """0 - 1e-7, then ``i / (num_thresholds - 1)`` for i = 1 .. num_thresholds - 2, then ``last``: the first threshold
    has every prediction in [0, 1] above it and the default last one none, so that a curve reaches both corners."""
    if num_thresholds < 2:
        raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}")
    return [0.0 - 1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [last]


_CONFUSION_KEYS = ("true_positives", "false_negatives", "true_negatives", "false_positives")


def _confusion_at_thresholds(labels, predictions, thresholds, weights, keys=_CONFUSION_KEYS):
    """The (weighted) confusion counts at each of the ``thresholds`` (floats), an entry counting as predicted
    positive at threshold t when its prediction is > t: true positives are labelled True and above t, false
    negatives labelled True and not above, true negatives labelled False and not above, false positives labelled
    False and above. ``labels`` are read as bool; ``predictions`` must lie in [0, 1] (the update raises
    InvalidArgumentError otherwise). For each of ``keys`` a local [len(thresholds)] variable of that name, in the
    current variable scope, adds them up. Returns ``(totals, updated)``: dicts from the keys to the variables and to
    the tensors that add a batch and give the new counts."""
    labels, predictions = _matching(labels, predictions)
    positive = ops.reshape(cast(cast(labels, dtypes.bool_), dtypes.float32), (-1, 1))
    scores = ops.reshape(cast(predictions, dtypes.float32), (-1, 1))
    # logits passed for probabilities would give meaningless counts without a word: TF checks the range
    in_range = [check(scores, bound, message="predictions must be in [0, 1]")
                for check, bound in ((assert_greater_equal, 0.0), (assert_less_equal, 1.0))]
    with control_dependencies(in_range):
        scores = identity(scores)
    weight = ops.reshape(_weighted(predictions, weights)[1], (-1, 1))
    above = cast(ops.gt(scores, to_tensor(numpy.asarray(thresholds, numpy.float32))), dtypes.float32)  # [N, T]
    negative = ops.sub(1.0, positive)
    below = ops.sub(1.0, above)
    per_entry = {"true_positives": ops.mul(positive, above), "false_negatives": ops.mul(positive, below),
                 "true_negatives": ops.mul(negative, below), "false_positives": ops.mul(negative, above)}
    totals, updated = {}, {}
    for key in keys:
        totals[key] = _metric_variable(key, shape=(len(thresholds),))
        updated[key] = totals[key].assign_add(ops.sum(ops.mul(per_entry[key], weight), dim=0))
    return totals, updated


def _area(counts, curve, summation_method):
    """The area under the curve drawn by the confusion ``counts`` (a [T] tensor each) at the thresholds."""
    tp, fn, tn, fp = (counts[k] for k in _CONFUSION_KEYS)
    if curve == "PR" and summation_method == "careful_interpolation":
        return _interpolated_pr_area(tp, fp, fn)
    epsilon = 1e-6
    recall = ops.div(ops.add(tp, epsilon), ops.add(ops.add(tp, fn), epsilon))
    if curve == "ROC":
        x, y = ops.div(fp, ops.add(ops.add(fp, tn), epsilon)), recall
    else:
        x, y = recall, ops.div(ops.add(tp, epsilon), ops.add(ops.add(tp, fp), epsilon))
    width = ops.sub(x[:-1], x[1:])  # the x values fall as the threshold rises
    if summation_method == "minoring":
        height = ops.minimum(y[:-1], y[1:])
    elif summation_method == "majoring":
        height = ops.maximum(y[:-1], y[1:])
    else:  # trapezoids (careful interpolation is for PR curves; on ROC it means trapezoids too)
        height = ops.div(ops.add(y[:-1], y[1:]), 2.0)
    return ops.sum(ops.mul(width, height))


def _interpolated_pr_area(tp, fp, fn):
    """The PR area with precision interpolated between thresholds as TP/(TP+FP) varies when the positive
    predictions p = TP + FP change linearly, which integrates to a slope and a log term (Davis & Goadrich)."""
    d_tp = ops.sub(tp[:-1], tp[1:])
    p = ops.add(tp, fp)
    d_p = ops.maximum(ops.sub(p[:-1], p[1:]), 0.0)
    slope = _safe_div(d_tp, d_p)
    intercept = ops.sub(tp[1:], ops.mul(slope, p[1:]))
    both_positive = ops.logical_and(ops.gt(p[:-1], 0), ops.gt(p[1:], 0))
    p_ratio = ops.where(both_positive, _safe_div(p[:-1], ops.maximum(p[1:], 0.0)), ops.ones_like(p[1:]))
    per_step = ops.mul(slope, ops.add(d_tp, ops.mul(intercept, ops.log(p_ratio))))
    return ops.sum(_safe_div(per_step, ops.maximum(ops.add(tp[1:], fn[1:]), 0.0)))
