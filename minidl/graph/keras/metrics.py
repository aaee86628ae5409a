"""``tf.keras.metrics``: per-sample scores that ``fit`` and ``evaluate`` report beside the loss (their running mean
over the samples of an epoch), the name lookup of ``compile(metrics=[...])``, and the metric classes, objects
with state that add up batch after batch (``Mean``, ``Precision``, ``AUC`` ...: ``metric_classes.py``,
``confusion_metrics.py``).

``"accuracy"`` (or ``"acc"``) means the accuracy that fits the loss, as in Keras: with a sparse categorical
cross-entropy the predicted class (argmax) against the label index; for one output unit or a binary
cross-entropy, the prediction rounded at 0.5 against the 0/1 label; otherwise argmax against argmax. TF 1's Keras
reports it as ``acc`` (``history.history["acc"]``, ``val_acc``) whichever name was given. ``"crossentropy"`` (or
``"ce"``) is, likewise, the cross-entropy that fits, reported as ``ce``.
"""
from .. import dtypes, math_ops
from ..nn_ops import nn
from ..array_ops import reshape, shape
from . import losses
from .lookup import by_name


def _as_float(condition):
    return math_ops.cast(condition, dtypes.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    predicted = math_ops.argmax(y_pred, axis=-1)
    return _as_float(math_ops.equal(math_ops.cast(reshape(y_true, shape(predicted)), dtypes.int64),
                                    predicted))


def categorical_accuracy(y_true, y_pred):
    return _as_float(math_ops.equal(math_ops.argmax(y_true, axis=-1), math_ops.argmax(y_pred, axis=-1)))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    predicted = _as_float(y_pred > threshold)
    return math_ops.reduce_mean(_as_float(math_ops.equal(math_ops.cast(y_true, dtypes.float32), predicted)),
                                axis=-1)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (the argmax of a one-hot row) is among the ``k`` highest scores."""
    return _as_float(nn.in_top_k(y_pred, math_ops.argmax(y_true, axis=-1), k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (an index) is among the ``k`` highest scores."""
    labels = math_ops.cast(reshape(y_true, [-1]), dtypes.int64)
    return _as_float(nn.in_top_k(y_pred, labels, k))


mean_squared_error, mean_absolute_error = losses.mean_squared_error, losses.mean_absolute_error
mse, mae = mean_squared_error, mean_absolute_error
# every loss is also a metric: metrics=["binary_crossentropy"] reports the unregularized data loss
_BY_NAME = dict(losses._BY_NAME, **{f.__name__: f for f in (sparse_categorical_accuracy, categorical_accuracy,
                                                            binary_accuracy, top_k_categorical_accuracy,
                                                            sparse_top_k_categorical_accuracy)})


def get(identifier, loss_function=None, output_shape=None):
    """``(name, function)`` for a metric given by name or as a function — or ``(name, object)`` for a ``Metric``
    object; ``loss_function`` and ``output_shape`` decide what "accuracy" means."""
    if isinstance(identifier, Metric):
        return identifier.name, identifier
    if callable(identifier):
        return getattr(identifier, "__name__", "metric"), identifier
    fitting = {"acc": (binary_accuracy, sparse_categorical_accuracy, categorical_accuracy),
               "ce": (losses.binary_crossentropy, losses.sparse_categorical_crossentropy,
                      losses.categorical_crossentropy)}
    name = {"accuracy": "acc", "acc": "acc", "crossentropy": "ce", "ce": "ce"}.get(identifier)
    if name is not None:
        binary, sparse, categorical = fitting[name]
        if loss_function is losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
            return name, binary
        return name, sparse if loss_function is losses.sparse_categorical_crossentropy else categorical
    function = by_name(identifier, _BY_NAME, "metric function",
                       "accuracy, acc, crossentropy, ce, or a function of (y_true, y_pred)")
    return function.__name__, function  # TF 1 names a metric after its function: "mae" is mean_absolute_error


# the classes, built on the functions above (imported last: those modules import this one)
from .metric_classes import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,  # noqa: E402,F401
                             CategoricalCrossentropy, CategoricalHinge, Hinge, KLDivergence, LogCoshError, Mean,
                             MeanAbsoluteError, MeanAbsolutePercentageError, MeanMetricWrapper, MeanSquaredError,
                             MeanSquaredLogarithmicError, Metric, Poisson, RootMeanSquaredError,
                             SparseCategoricalAccuracy, SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy,
                             SquaredHinge, Sum, TopKCategoricalAccuracy)
from .confusion_metrics import (AUC, FalseNegatives, FalsePositives, MeanIoU, Precision, Recall,  # noqa: E402,F401
                                TrueNegatives, TruePositives)
