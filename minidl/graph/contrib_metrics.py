"""``tf.contrib.metrics``: TF 1.0's home of the streaming metrics, before ``tf.metrics`` took them over in TF 1.1.

Each ``streaming_<name>`` is ``tf.metrics.<name>`` (metrics.py, metrics_more.py) with the first two arguments the
other way round — ``streaming_accuracy(predictions, labels)`` against ``tf.metrics.accuracy(labels, predictions)``
— and returns the same ``(value, update_op)`` pair over the same local variables. The module also keeps two helpers
that group several metrics' pairs, and a one-batch ``accuracy``.
"""
import types

from .. import ops
from ..backend import dtypes
from . import metrics
from .basics import name_scope
from .math_ops import cast
from .metrics import _matching, _weighted
from .metrics_more import _at_k_name, confusion_matrix
from .sort_ops import in_top_k


def _predictions_first(name, metric):
    """``metric(labels, predictions, ...)`` taken as ``streaming_<name>(predictions, labels, ...)``."""
    def streaming(predictions, labels, *args, **kwargs):
        return metric(labels, predictions, *args, **kwargs)
    streaming.__name__ = streaming.__qualname__ = f"streaming_{name}"
    streaming.__doc__ = f"``tf.metrics.{metric.__name__}`` with ``predictions`` given before ``labels``."
    return streaming


def accuracy(predictions, labels, weights=None, name=None):
    """The fraction of ``predictions`` equal to ``labels`` in this one batch, weighted by ``weights``: a tensor,
    not a streaming metric. The predictions are cast to the labels' dtype."""
    with name_scope(name, "accuracy", [predictions, labels, weights]):
        labels, predictions = _matching(labels, predictions)
        if predictions.dtype != labels.dtype:
            predictions = cast(predictions, labels.dtype)
        hits, weights = _weighted(ops.eq(predictions, labels), weights)
        return ops.div(ops.sum(hits), ops.sum(weights))


def streaming_recall_at_k(predictions, labels, k, weights=None, metrics_collections=None, updates_collections=None,
                          name=None):
    """The fraction of rows of ``predictions`` (logits, [batch, classes]) whose class ``labels[i]`` is among the
    ``k`` largest (``tf.nn.in_top_k``), over every batch so far: a ``streaming_mean``, named ``recall_at_<k>``.
    (TF deprecated it for ``streaming_sparse_recall_at_k``; slim's older evaluation scripts use it.)"""
    hits = cast(in_top_k(predictions, labels, k), dtypes.float32)
    return metrics.mean(hits, weights, metrics_collections, updates_collections, name or _at_k_name("recall", k, None))


def aggregate_metrics(*value_update_tuples):
    """``(values, update_ops)``: the given metrics' ``(value, update_op)`` pairs as two lists, to run together."""
    if not value_update_tuples:
        raise ValueError("tf.contrib.metrics.aggregate_metrics: expected at least one (value, update_op) pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """``(names_to_values, names_to_updates)``: a dict of metrics' ``(value, update_op)`` pairs as two dicts."""
    return ({name: value for name, (value, _) in names_to_tuples.items()},
            {name: update for name, (_, update) in names_to_tuples.items()})


_LABELLED = {name: getattr(metrics, name) for name in (
    "accuracy", "precision", "recall", "auc", "mean_squared_error", "mean_absolute_error", "root_mean_squared_error",
    "mean_iou", "true_positives", "true_negatives", "false_positives", "false_negatives", "mean_relative_error",
    "mean_cosine_distance", "precision_at_thresholds", "recall_at_thresholds", "sensitivity_at_specificity",
    "specificity_at_sensitivity")}
_LABELLED.update(sparse_precision_at_k=metrics.precision_at_k, sparse_recall_at_k=metrics.recall_at_k)

contrib_metrics = types.SimpleNamespace(
    accuracy=accuracy, aggregate_metrics=aggregate_metrics, aggregate_metric_map=aggregate_metric_map,
    confusion_matrix=confusion_matrix, streaming_mean=metrics.mean, streaming_mean_tensor=metrics.mean_tensor,
    streaming_percentage_less=metrics.percentage_below, streaming_recall_at_k=streaming_recall_at_k,
    **{f"streaming_{name}": _predictions_first(name, metric) for name, metric in _LABELLED.items()})
