"""The premade linear and "wide & deep" Estimators of TF 1.x's tutorials (the linear-model and census tutorials)::

    education = tf.feature_column.categorical_column_with_vocabulary_list("education", ["Bachelors", ...])
    age_buckets = tf.feature_column.bucketized_column(tf.feature_column.numeric_column("age"), [18, 25, 30])
    wide = [education, age_buckets, tf.feature_column.crossed_column([education, age_buckets], 1000)]
    model = tf.estimator.LinearClassifier(feature_columns=wide)
    deep = [tf.feature_column.numeric_column("age"), tf.feature_column.indicator_column(education)]
    model = tf.estimator.DNNLinearCombinedClassifier(linear_feature_columns=wide, dnn_feature_columns=deep,
                                                     dnn_hidden_units=[100, 50])

**LinearClassifier / LinearRegressor**: the logits are ``tf.feature_column.linear_model`` of the columns in the
variable scope ``linear`` (variables ``linear/linear_model/<column name>/weights`` and
``linear/linear_model/bias_weights``, all starting at zero); a categorical column's ids pick rows of its weights,
combined by ``sparse_combiner``. The default optimizer, "Ftrl", is ``FtrlOptimizer(0.2)``; ``optimizer=None``
gives TF's other default, ``FtrlOptimizer(min(0.2, 1 / sqrt(number of columns)))``.

**DNNLinearCombinedClassifier / Regressor** ("wide & deep"): the logits are the sum of a linear model of
``linear_feature_columns`` (scope ``linear``, as above) and a DNN of ``dnn_feature_columns`` (scope ``dnn``, as
DNNClassifier's); either part may be left out. Each part is trained by its own optimizer on its own variables:
one training step runs both updates, then adds one to the global step. By name, the linear part's optimizer has
learning rate ``min(0.005, 1 / sqrt(number of linear columns))`` and the DNN's 0.001 (TF 1.15's
``_linear_learning_rate`` and ``_DNN_LEARNING_RATE``: smaller than the single models', because the two parts
learn the same logits together).

The heads — loss (summed over the batch by default), predictions, metrics, ``weight_column`` — are
DNNClassifier's and DNNRegressor's (canned.py). The optimizer names are canned.py's plus "Ftrl".
``label_vocabulary`` is not supported; the partitioners are accepted and have no effect.
"""
import math

from .. import losses
from ..basics import control_dependencies, group
from ..core import GraphKeys, get_collection
from ..feature_column import linear_model
from ..math_ops import add_n
from ..nn_ops import nn
from ..train.proximal_optimizers import FtrlOptimizer
from ..train.schedules import get_global_step
from ..variable_scope import variable_scope
from .canned import _classification_head, _columns, _dnn_logits, _minimizing, _optimizer, _regression_head
from .estimator import Estimator

__all__ = ["LinearClassifier", "LinearRegressor", "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor"]

_LINEAR_LEARNING_RATE = 0.2            # LinearClassifier/Regressor
_COMBINED_LINEAR_LEARNING_RATE = 0.005  # the linear part of DNNLinearCombined*
_COMBINED_DNN_LEARNING_RATE = 0.001     # the DNN part of DNNLinearCombined*


def _linear_model_fn(head, feature_columns, optimizer, sparse_combiner):
    """The model_fn of LinearClassifier and LinearRegressor: ``linear_model`` and the head in the scope
    ``linear``."""
    columns = _columns(feature_columns)

    def model_fn(features, labels, mode, config):
        # TF's two defaults: "Ftrl" by name gets the learning rate 0.2, None an FTRL whose rate shrinks with the
        # number of columns
        trainer = _optimizer(optimizer or FtrlOptimizer(min(_LINEAR_LEARNING_RATE, 1.0 / math.sqrt(len(columns)))),
                             _LINEAR_LEARNING_RATE)
        with variable_scope("linear"):
            logits = linear_model(features, columns, head.logits_dimension, sparse_combiner)
            return head.create_estimator_spec(features, labels, mode, logits, _minimizing(trainer))
    return model_fn


def _combined_model_fn(head, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                       dnn_hidden_units, dnn_activation_fn, dnn_dropout, linear_sparse_combiner):
    """The model_fn of DNNLinearCombinedClassifier and -Regressor: the sum of the parts' logits, each part
    trained by its own optimizer (module docstring)."""
    linear_columns, dnn_columns = list(linear_feature_columns or ()), list(dnn_feature_columns or ())
    if not linear_columns and not dnn_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    if dnn_columns and not dnn_hidden_units:
        raise ValueError("dnn_hidden_units must be defined when dnn_feature_columns is specified.")

    def model_fn(features, labels, mode, config):
        parts = []  # (logits, optimizer, variable scope) of each part there is
        if dnn_columns:
            with variable_scope("dnn") as scope:
                logits = _dnn_logits(features, dnn_columns, dnn_hidden_units, head.logits_dimension,
                                     dnn_activation_fn, dnn_dropout, mode)
            parts.append((logits, _optimizer(dnn_optimizer, _COMBINED_DNN_LEARNING_RATE),
                          scope.name))
        if linear_columns:
            with variable_scope("linear") as scope:
                logits = linear_model(features, linear_columns, head.logits_dimension, linear_sparse_combiner)
            learning_rate = min(_COMBINED_LINEAR_LEARNING_RATE, 1.0 / math.sqrt(len(linear_columns)))
            parts.append((logits, _optimizer(linear_optimizer, learning_rate), scope.name))

        def train_op_fn(loss):
            # each optimizer updates only its part's variables (an Ftrl step on the DNN's would be a different
            # model); neither counts the step, which the two updates together make once
            updates = [optimizer.minimize(loss, var_list=get_collection(GraphKeys.TRAINABLE_VARIABLES, scope + "/"))
                       for _, optimizer, scope in parts]
            with control_dependencies([group(*updates)]):
                return get_global_step().assign_add(1)
        return head.create_estimator_spec(features, labels, mode, add_n([logits for logits, _, _ in parts]),
                                          train_op_fn)
    return model_fn


class LinearClassifier(Estimator):
    """A linear model classifying into ``n_classes`` classes: the logits are a weighted sum of the columns (see
    the module docstring)."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=losses.Reduction.SUM, sparse_combiner="sum"):
        head = _classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(_linear_model_fn(head, feature_columns, optimizer, sparse_combiner), model_dir, config,
                         warm_start_from=warm_start_from)


class LinearRegressor(Estimator):
    """A linear model predicting ``label_dimension`` real numbers (see the module docstring)."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, partitioner=None, warm_start_from=None, loss_reduction=losses.Reduction.SUM,
                 sparse_combiner="sum"):
        head = _regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(_linear_model_fn(head, feature_columns, optimizer, sparse_combiner), model_dir, config,
                         warm_start_from=warm_start_from)


class DNNLinearCombinedClassifier(Estimator):
    """Wide & deep: a linear model plus a DNN, their logits summed, classifying into ``n_classes`` classes (see
    the module docstring)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=nn.relu,
                 dnn_dropout=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=losses.Reduction.SUM, batch_norm=False, linear_sparse_combiner="sum"):
        head = _classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        if batch_norm:
            raise NotImplementedError("DNNLinearCombinedClassifier: batch_norm is not supported")
        model_fn = _combined_model_fn(head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
                                      dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
                                      linear_sparse_combiner)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)


class DNNLinearCombinedRegressor(Estimator):
    """Wide & deep: a linear model plus a DNN, their outputs summed, predicting ``label_dimension`` real numbers
    (see the module docstring)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=nn.relu,
                 dnn_dropout=None, label_dimension=1, weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = _regression_head(label_dimension, weight_column, loss_reduction)
        if batch_norm:
            raise NotImplementedError("DNNLinearCombinedRegressor: batch_norm is not supported")
        model_fn = _combined_model_fn(head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
                                      dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
                                      linear_sparse_combiner)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)
