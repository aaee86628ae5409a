"""The Keras metric classes that count a confusion matrix: ``TruePositives``, ``FalsePositives``,
``TrueNegatives``, ``FalseNegatives``, ``Precision``, ``Recall`` and ``AUC`` over predictions in [0, 1] against
thresholds, and ``MeanIoU`` over class ids. Each keeps its counts in variables (``metric_classes.Metric``), so the
value is the one of everything seen — a precision over the whole epoch, not a mean of per-batch precisions.

An entry counts as predicted positive at threshold t when its prediction is > t, and as labelled positive when its
label is not 0; its count is its sample weight (1 without weights). With several ``thresholds`` there is a count,
and a result, per threshold. Predictions outside [0, 1] make the update raise InvalidArgumentError (logits given
for probabilities would count nonsense without a word), as TF's does.

``Precision`` and ``Recall`` also take ``top_k`` (only the k highest scores of each row count as predicted
positive; the threshold is then -1e10 unless given) and ``class_id`` (only that column, of a multi-label or one-hot
output, counts).
"""
import numpy

from .. import basics, dtypes, math_ops
from ..array_ops import one_hot, reshape
from ..check_ops import assert_greater_equal, assert_less_equal
from ..math_extras import div_no_nan
from ..metrics import _evenly_spaced_thresholds, _interpolated_pr_area, _weighted
from ..metrics_more import _batch_confusion, _mean_iou_of
from ..sort_ops import top_k as _top_k
from .metric_classes import Metric, _squeeze_or_expand

NEG_INF = -1e10  # the threshold with top_k: every score kept in the top k is above it, every other one equal


def _parsed_thresholds(thresholds, default):
    """``thresholds`` (a float or a list of them, each in [0, 1]) as a list; ``[default]`` when None."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in values if t is None or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Invalid values: {invalid}")
    return [float(t) for t in values]


def _kept_top_k(scores, k):
    """``scores`` with all but the ``k`` highest of each row set to NEG_INF."""
    _, indices = _top_k(scores, k, sorted=False)
    kept = math_ops.reduce_sum(one_hot(indices, scores.shape[-1], dtype=scores.dtype), axis=-2)
    return scores * kept + NEG_INF * (1.0 - kept)


def _count_updates(counts, y_true, y_pred, thresholds, top_k=None, class_id=None, sample_weight=None):
    """The op adding a batch to ``counts`` (a dict from some of "true_positives", "false_positives",
    "true_negatives", "false_negatives" to [len(thresholds)] variables): each entry's weight is added at the
    thresholds where it is (labelled, predicted) (positive, positive), (negative, positive) ..."""
    y_true = math_ops.cast(math_ops.to_tensor(y_true), dtypes.float32)
    y_pred = math_ops.cast(math_ops.to_tensor(y_pred), dtypes.float32)
    checks = [assert_greater_equal(y_pred, 0.0, message="predictions must be >= 0"),
              assert_less_equal(y_pred, 1.0, message="predictions must be <= 1")]
    with basics.control_dependencies(checks):
        y_pred = basics.identity(y_pred)
    weights = None if sample_weight is None else math_ops.cast(math_ops.to_tensor(sample_weight), dtypes.float32)
    y_pred, y_true, weights = _squeeze_or_expand(y_pred, y_true, weights)
    if top_k is not None:
        y_pred = _kept_top_k(y_pred, top_k)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    label = reshape(math_ops.cast(math_ops.not_equal(y_true, 0.0), dtypes.float32), (-1, 1))
    above = math_ops.cast(reshape(y_pred, (-1, 1)) > numpy.asarray(thresholds, numpy.float32), dtypes.float32)
    weight = 1.0 if weights is None else reshape(_weighted(y_pred, weights)[1], (-1, 1))
    entry = {"true_positives": label * above, "false_positives": (1.0 - label) * above,
             "true_negatives": (1.0 - label) * (1.0 - above), "false_negatives": label * (1.0 - above)}
    return basics.group(*[variable.assign_add(math_ops.reduce_sum(entry[key] * weight, axis=0))
                          for key, variable in counts.items()])


class _ConfusionCounts(Metric):
    """Counts of the ``kinds`` (keys of ``_count_updates``) at each of the ``thresholds`` (a list), one variable of
    each name."""
    kinds = ()

    def __init__(self, thresholds, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name, dtype)
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.counts = {kind: self.add_weight(kind, (len(self.thresholds),)) for kind in self.kinds}

    def update_state(self, y_true, y_pred, sample_weight=None):
        return _count_updates(self.counts, y_true, y_pred, self.thresholds, self.top_k, self.class_id,
                              sample_weight)

    def _per_threshold(self, values):
        """One value for one threshold, else the vector of them."""
        return values[0] if len(self.thresholds) == 1 else values


def _count_class(class_name, kind, doc):
    class Count(_ConfusionCounts):
        kinds = (kind,)

        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(_parsed_thresholds(thresholds, 0.5), name=name, dtype=dtype)

        def result(self):
            return self._per_threshold(basics.identity(self.counts[kind]))
    Count.__name__ = Count.__qualname__ = class_name
    Count.__doc__ = f"{doc} (their summed weights), at ``thresholds`` (default 0.5)."
    return Count


TruePositives = _count_class("TruePositives", "true_positives", "How many entries are labelled and predicted "
                                                                  "positive")
FalsePositives = _count_class("FalsePositives", "false_positives", "How many entries are predicted positive but "
                                                                     "labelled negative")
TrueNegatives = _count_class("TrueNegatives", "true_negatives", "How many entries are labelled and predicted "
                                                                  "negative")
FalseNegatives = _count_class("FalseNegatives", "false_negatives", "How many entries are predicted negative but "
                                                                     "labelled positive")


class Precision(_ConfusionCounts):
    """Of the entries predicted positive, the fraction labelled positive: tp / (tp + fp), 0 before any."""
    kinds = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(_parsed_thresholds(thresholds, 0.5 if top_k is None else NEG_INF), top_k, class_id, name,
                         dtype)

    def result(self):
        tp, fp = self.counts["true_positives"], self.counts["false_positives"]
        return self._per_threshold(div_no_nan(tp, tp + fp))


class Recall(_ConfusionCounts):
    """Of the entries labelled positive, the fraction predicted positive: tp / (tp + fn), 0 before any."""
    kinds = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(_parsed_thresholds(thresholds, 0.5 if top_k is None else NEG_INF), top_k, class_id, name,
                         dtype)

    def result(self):
        tp, fn = self.counts["true_positives"], self.counts["false_negatives"]
        return self._per_threshold(div_no_nan(tp, tp + fn))


class AUC(_ConfusionCounts):
    """The area under the ROC curve (``curve="ROC"``: recall against the false-positive rate) or the
    precision-recall curve (``"PR"``), from the confusion counts at ``num_thresholds`` thresholds: -1e-7, then
    ``i / (num_thresholds - 1)``, then 1 + 1e-7 (or the ``thresholds`` given, between those two ends), the
    thresholds of ``tf.metrics.auc``.

    ``summation_method``: "interpolation" (default) sums trapezoids under ROC, and for PR interpolates the counts,
    not precision, between thresholds (Davis & Goadrich 2006: ``tf.metrics.auc``'s careful interpolation);
    "minoring"/"majoring" take the lower/upper of each step's two heights. Unlike ``tf.metrics.auc``, the rates
    are divided with ``div_no_nan`` and no epsilon (a rate of nothing counted is 0), as TF 1.15's Keras AUC does.
    """
    kinds = ("true_positives", "true_negatives", "false_positives", "false_negatives")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None):
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f"Invalid AUC curve value \"{curve}\": use 'ROC' or 'PR'")
        if str(summation_method).lower() not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"Invalid AUC summation method value \"{summation_method}\": use 'interpolation', "
                             f"'minoring' or 'majoring'")
        if thresholds is None:
            thresholds = _evenly_spaced_thresholds(num_thresholds)
        else:
            thresholds = [0.0 - 1e-7] + sorted(_parsed_thresholds(thresholds, None)) + [1.0 + 1e-7]
        self.num_thresholds = len(thresholds)
        self.curve, self.summation_method = str(curve).upper(), str(summation_method).lower()
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self):
        tp, tn, fp, fn = (self.counts[kind] for kind in self.kinds)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _interpolated_pr_area(tp, fp, fn)
        recall = div_no_nan(tp, tp + fn)
        x, y = (div_no_nan(fp, fp + tn), recall) if self.curve == "ROC" else (recall, div_no_nan(tp, tp + fp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        else:
            heights = (math_ops.minimum if self.summation_method == "minoring" else math_ops.maximum)(y[:-1], y[1:])
        return math_ops.reduce_sum((x[:-1] - x[1:]) * heights)  # x falls as the threshold rises


class MeanIoU(Metric):
    """The mean intersection-over-union of ``num_classes`` classes, for class ids (labels and predictions of one
    shape, flattened): from the confusion matrix of everything seen (``total_confusion_matrix``, float64), class
    c's IoU is tp / (tp + fp + fn), averaged over the classes labelled or predicted at least once
    (``tf.metrics.mean_iou``'s formula)."""

    def __init__(self, num_classes, name=None, dtype=None):
        super().__init__(name, dtype)
        self.num_classes = int(num_classes)
        self.total_cm = self.add_weight("total_confusion_matrix", (self.num_classes, self.num_classes),
                                        dtype=dtypes.float64)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = (math_ops.cast(math_ops.to_tensor(t), self._dtype) for t in (y_true, y_pred))
        return self.total_cm.assign_add(_batch_confusion(y_true, y_pred, self.num_classes, sample_weight,
                                                         dtypes.float64))

    def result(self):
        return _mean_iou_of(self.total_cm)
