"""The premade ("canned") Estimators of TF 1.x's getting-started guide: ``DNNClassifier`` and ``DNNRegressor``,
a fully connected network over feature columns, with no model_fn to write::

    columns = [tf.feature_column.numeric_column(key) for key in train_x.keys()]
    classifier = tf.estimator.DNNClassifier(feature_columns=columns, hidden_units=[10, 10], n_classes=3)
    classifier.train(input_fn=lambda: train_input_fn(train_x, train_y, 100), steps=1000)
    print(classifier.evaluate(input_fn=lambda: eval_input_fn(test_x, test_y, 100))["accuracy"])

**The network** (variables named as TF's): the columns joined by ``input_layer``, then for each entry of
``hidden_units`` a dense layer ``dnn/hiddenlayer_<i>`` with ``activation_fn`` (ReLU) and Glorot-uniform weights,
dropout of rate ``dropout`` after each while training, and the dense layer ``dnn/logits``: one logit per class,
or ONE for two classes (the probability of class 1 is its sigmoid), or ``label_dimension`` values to regress.

**The head** turns the logits into a loss, predictions and metrics. A classifier's per-example loss is the
softmax cross-entropy of the class ids (the sigmoid one for two classes); a regressor's the squared error summed
over ``label_dimension``. The loss trained is their **sum** over the batch (``loss_reduction``, TF 1.x's default
``SUM``), times the ``weight_column``'s per-example weights if one is given; ``average_loss`` in the
evaluation is the weighted mean per example. Predictions of a classifier: ``logits``, ``probabilities``,
``class_ids`` and ``classes`` (the id as a string), ``all_class_ids``/``all_classes`` per example (also
``logistic`` for two classes); of a regressor: ``predictions``. Metrics: ``accuracy`` (and for two classes
``precision``, ``recall``, ``auc``, ``auc_precision_recall``, ``accuracy_baseline``, ``label/mean``,
``prediction/mean``); a regressor's ``label/mean`` and ``prediction/mean``.

The default optimizer is Adagrad with learning rate 0.05; ``optimizer`` may be a name ("Adagrad", "Adam",
"RMSProp", "SGD"), an optimizer, or a function returning one. ``label_vocabulary`` (string labels) is not
supported.

The head is built once per estimator (``_classification_head``/``_regression_head``, TF1's canned ``head``) and
asked for the EstimatorSpec with the logits and a ``train_op_fn(loss)``, so that the linear and wide & deep
estimators (linear.py) share it: they differ only in how the logits are computed and how the loss is minimized.
"""
import collections

from .. import layers, losses, metrics
from ..array_ops import concat, expand_dims, range as range_, reshape, shape, stack, tile, zeros_like
from ..core import Tensor
from ..feature_column import NumericColumn, input_layer, numeric_column
from ..initializers import glorot_uniform_initializer
from ..basics import control_dependencies, identity, name_scope
from ..check_ops import assert_less_equal, assert_non_negative
from ..frontend import convert_to_tensor
from ..math_ops import argmax, cast, maximum, reduce_mean, reduce_sum, sigmoid, square
from ..nn_ops import nn
from ..string_ops import as_string
from ..train.optimizer import Optimizer
from ..train.optimizers import AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer, RMSPropOptimizer
from ..train.proximal_optimizers import FtrlOptimizer
from ..train.schedules import get_global_step
from ..variable_scope import variable_scope
from .. import dtypes
from .estimator import Estimator, EstimatorSpec, ModeKeys
from .export_outputs import ClassificationOutput, PredictOutput, RegressionOutput

__all__ = ["DNNClassifier", "DNNRegressor"]

_LEARNING_RATE = 0.05
_OPTIMIZERS = {"Adagrad": AdagradOptimizer, "Adam": AdamOptimizer, "Ftrl": FtrlOptimizer,
               "RMSProp": RMSPropOptimizer, "SGD": GradientDescentOptimizer}


def _optimizer(optimizer, learning_rate=_LEARNING_RATE, names=_OPTIMIZERS):
    """The optimizer ``optimizer`` stands for: a name of ``names`` (made with ``learning_rate``), an optimizer, or
    a function returning one (called here, once per graph)."""
    if isinstance(optimizer, str):
        if optimizer not in names:
            raise ValueError(f"Unsupported optimizer name: {optimizer}. Supported names are: {sorted(names)}")
        return names[optimizer](learning_rate=learning_rate)
    if callable(optimizer) and not isinstance(optimizer, Optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {optimizer!r}")
    return optimizer


def _dnn_logits(features, feature_columns, hidden_units, units, activation_fn, dropout, mode):
    """The network, in the current variable scope (the model_fn's ``dnn``, which also holds the head)."""
    with variable_scope("input_from_feature_columns"):
        net = input_layer(features, feature_columns)
    for i, width in enumerate(hidden_units):
        net = layers.dense(net, width, activation=activation_fn, kernel_initializer=glorot_uniform_initializer(),
                           name=f"hiddenlayer_{i}")
        if dropout is not None and mode == ModeKeys.TRAIN:
            net = layers.dropout(net, rate=dropout, training=True)
    return layers.dense(net, units, kernel_initializer=glorot_uniform_initializer(), name="logits")


def _example_weights(features, weight_column, mode):
    """[batch, 1] per-example weights from the feature named by ``weight_column`` (a key or a numeric_column);
    predictions need none."""
    if weight_column is None or mode == ModeKeys.PREDICT:
        return None
    column = numeric_column(weight_column) if isinstance(weight_column, str) else weight_column
    if not isinstance(column, NumericColumn):
        raise ValueError(f"Weight column should be a string or a numeric_column, given: {weight_column!r}")
    return column.dense(features)


def _spec(mode, predictions, unreduced_loss, weights, metric_ops, train_op_fn, loss_reduction):
    """The EstimatorSpec of a head for TRAIN or EVAL: the loss reduced as ``loss_reduction`` says, the training
    op ``train_op_fn(loss)``, the metrics (``metric_ops()`` plus ``average_loss``)."""
    weighted = unreduced_loss if weights is None else unreduced_loss * weights
    if loss_reduction == losses.Reduction.SUM:
        loss = reduce_sum(weighted)
    elif loss_reduction == losses.Reduction.SUM_OVER_BATCH_SIZE:
        loss = reduce_mean(weighted)
    else:
        raise ValueError(f"loss_reduction must be tf.losses.Reduction.SUM or SUM_OVER_BATCH_SIZE, got "
                         f"{loss_reduction!r}")
    if mode == ModeKeys.EVAL:
        ops = dict(metric_ops(), average_loss=metrics.mean(unreduced_loss, weights))
        return EstimatorSpec(mode, predictions=predictions, loss=loss, eval_metric_ops=ops)
    return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op_fn(loss))


def _minimizing(optimizer):
    """The ``train_op_fn`` of a model trained by one optimizer: one step on every trainable variable, counted by
    the global step."""
    return lambda loss: optimizer.minimize(loss, global_step=get_global_step())


# What turns a model's logits into its EstimatorSpec: ``logits_dimension``, the number of logits per example the
# model must compute, and ``create_estimator_spec(features, labels, mode, logits, train_op_fn)``.
_Head = collections.namedtuple("_Head", ["logits_dimension", "create_estimator_spec"])


def _classification_head(n_classes, weight_column, label_vocabulary, loss_reduction):
    """The head of a classifier into ``n_classes`` classes: one logit for two classes, else one per class."""
    if n_classes < 2:
        raise ValueError(f"n_classes must be > 1 for classification: {n_classes}")
    if label_vocabulary is not None:
        raise NotImplementedError("label_vocabulary (string labels) is not supported: give class ids")

    def create_estimator_spec(features, labels, mode, logits, train_op_fn):
        weights = _example_weights(features, weight_column, mode)
        return _classification_spec(mode, logits, labels, n_classes, weights, train_op_fn, loss_reduction)
    return _Head(1 if n_classes == 2 else n_classes, create_estimator_spec)


def _regression_head(label_dimension, weight_column, loss_reduction):
    """The head of a regressor of ``label_dimension`` values, the logits themselves."""
    if label_dimension < 1:
        raise ValueError(f"Invalid label_dimension {label_dimension}.")

    def create_estimator_spec(features, labels, mode, logits, train_op_fn):
        weights = _example_weights(features, weight_column, mode)
        return _regression_spec(mode, logits, labels, label_dimension, weights, train_op_fn, loss_reduction)
    return _Head(label_dimension, create_estimator_spec)


def _dnn_model_fn(head, hidden_units, feature_columns, optimizer, activation_fn, dropout):
    """The model_fn of DNNClassifier and DNNRegressor: the network and its head in the variable scope ``dnn``."""
    columns = _columns(feature_columns)

    def model_fn(features, labels, mode, config):
        with variable_scope("dnn"):
            logits = _dnn_logits(features, columns, hidden_units, head.logits_dimension, activation_fn, dropout,
                                 mode)
            return head.create_estimator_spec(features, labels, mode, logits, _minimizing(_optimizer(optimizer)))
    return model_fn


class DNNClassifier(Estimator):
    """A fully connected network classifying into ``n_classes`` classes (see the module docstring)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", activation_fn=nn.relu, dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None, loss_reduction=losses.Reduction.SUM,
                 batch_norm=False):
        head = _classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        if batch_norm:
            raise NotImplementedError("DNNClassifier: batch_norm is not supported")
        super().__init__(_dnn_model_fn(head, hidden_units, feature_columns, optimizer, activation_fn, dropout),
                         model_dir, config, warm_start_from=warm_start_from)


class DNNRegressor(Estimator):
    """A fully connected network predicting ``label_dimension`` real numbers (see the module docstring)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", activation_fn=nn.relu, dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=losses.Reduction.SUM, batch_norm=False):
        head = _regression_head(label_dimension, weight_column, loss_reduction)
        if batch_norm:
            raise NotImplementedError("DNNRegressor: batch_norm is not supported")
        super().__init__(_dnn_model_fn(head, hidden_units, feature_columns, optimizer, activation_fn, dropout),
                         model_dir, config, warm_start_from=warm_start_from)


def _columns(feature_columns):
    columns = list(feature_columns or ())
    if not columns:
        raise ValueError("feature_columns should not be empty.")
    return columns


def _classification_spec(mode, logits, labels, n_classes, weights, train_op_fn, loss_reduction):
    binary = n_classes == 2
    with name_scope("head"), name_scope("predictions"):  # TF1's names: dnn/head/predictions/probabilities ...
        predictions = {"logits": logits}
        if binary:  # one logit: the two classes' scores are 0 and it
            predictions["logistic"] = sigmoid(logits, name="logistic")
            logits_of_classes = concat((zeros_like(logits), logits), axis=-1, name="two_class_logits")
        else:
            logits_of_classes = logits
        predictions["probabilities"] = nn.softmax(logits_of_classes, name="probabilities")
        class_ids = expand_dims(argmax(logits_of_classes, axis=-1, name="class_ids"), -1)
        predictions.update(class_ids=class_ids, classes=as_string(class_ids, name="str_classes"))
        # every class id, per example (serving code lists them beside the probabilities)
        all_ids = tile(expand_dims(range_(n_classes, dtype=dtypes.int64), 0), stack([shape(logits)[0], 1]))
        predictions.update(all_class_ids=all_ids, all_classes=as_string(all_ids, name="all_classes"))
    if mode == ModeKeys.PREDICT:
        classify = ClassificationOutput(scores=predictions["probabilities"], classes=predictions["all_classes"])
        return EstimatorSpec(mode, predictions=predictions, export_outputs=_export_outputs(
            predictions, classify, "classification"))
    labels = _class_labels(labels, n_classes)
    if binary:
        unreduced = nn.sigmoid_cross_entropy_with_logits(labels=cast(labels, logits.dtype), logits=logits)
        labels = cast(labels, dtypes.int64) if labels.dtype.is_floating else labels
    else:
        unreduced = expand_dims(nn.sparse_softmax_cross_entropy_with_logits(labels=reshape(labels, [-1]),
                                                                            logits=logits), 1)

    def metric_ops():
        ops = {"accuracy": metrics.accuracy(labels, class_ids, weights)}
        if binary:
            label_mean = metrics.mean(cast(labels, dtypes.float32), weights, name="label/mean")
            ops.update({"precision": metrics.precision(labels, class_ids, weights),
                        "recall": metrics.recall(labels, class_ids, weights),
                        "label/mean": label_mean,
                        "prediction/mean": metrics.mean(predictions["logistic"], weights, name="prediction/mean"),
                        "accuracy_baseline": (maximum(label_mean[0], 1.0 - label_mean[0]), label_mean[1]),
                        "auc": metrics.auc(labels, predictions["logistic"], weights, name="auc"),
                        "auc_precision_recall": metrics.auc(labels, predictions["logistic"], weights, curve="PR",
                                                            name="auc_precision_recall")})
        return ops
    return _spec(mode, predictions, unreduced, weights, metric_ops, train_op_fn, loss_reduction)


def _export_outputs(predictions, head_output, head_key):
    """A head's signatures, as TF's heads name them: its classify or regress output as the default and under
    ``head_key``, and every prediction under ``"predict"``. (Classify and regress take serialized Examples: with
    another serving input only ``"predict"`` is exported.)"""
    return {"serving_default": head_output, head_key: head_output, "predict": PredictOutput(predictions)}


def _class_labels(labels, n_classes):
    """The labels as a [batch, 1] tensor (given as [batch] or [batch, 1]) that is checked, when the graph runs, to
    hold class ids in [0, n_classes): int64, or for two classes also floats in [0, 1] (TF1's binary head takes
    those)."""
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: Check "
                         "that your data contain your label feature. Check that your input_fn properly parses and "
                         "returns labels.")
    labels = labels if isinstance(labels, Tensor) else convert_to_tensor(labels)
    floats_allowed = n_classes == 2 and labels.dtype.is_floating
    if not (labels.dtype.is_integer or labels.dtype.is_bool or floats_allowed):
        raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype.name}. (The classes are 0 to "
                         f"n_classes - 1 = {n_classes - 1}; string labels need label_vocabulary, not supported.)")
    labels = _one_column(labels, 1)
    labels = cast(labels, dtypes.float32 if floats_allowed else dtypes.int64)
    top = 1.0 if floats_allowed else n_classes - 1
    checks = [assert_non_negative(labels, message="Labels must >= 0"),
              assert_less_equal(labels, cast(top, labels.dtype), message=f"Labels must <= n_classes - 1 ({top})")]
    with control_dependencies(checks):
        return identity(labels)


def _one_column(labels, dimension):
    """``labels`` as [batch, dimension]: a [batch] tensor gets the column dim; any other width is refused (TF1's
    "Mismatched label shape"), where broadcasting would quietly compare each prediction with every label."""
    if labels.shape.rank == 1 and dimension == 1:
        labels = expand_dims(labels, 1)
    if labels.shape.rank_known and (labels.shape.rank != 2 or labels.shape[1] not in (None, dimension)):
        raise ValueError(f"Mismatched label shape. Expected labels dimension={dimension}. Received labels of shape "
                         f"{labels.shape} (the batch, then {dimension} value(s) per example; one-hot labels are "
                         f"not taken: give class ids)")
    return labels


def _regression_spec(mode, values, labels, label_dimension, weights, train_op_fn, loss_reduction):
    with name_scope("head"), name_scope("predictions"):
        predictions = {"predictions": identity(values, name="predictions")}
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=predictions, export_outputs=_export_outputs(
            predictions, RegressionOutput(predictions["predictions"]), "regression"))
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None.")
    labels = _one_column(cast(convert_to_tensor(labels), values.dtype), label_dimension)
    # per value, [batch, label_dimension]: the loss trained is their sum, average_loss their mean
    unreduced = square(values - labels)

    def metric_ops():
        return {"label/mean": metrics.mean(labels, weights, name="label/mean"),
                "prediction/mean": metrics.mean(values, weights, name="prediction/mean")}
    return _spec(mode, predictions, unreduced, weights, metric_ops, train_op_fn, loss_reduction)
