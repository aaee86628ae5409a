"""``tf.contrib.learn``'s premade estimators, the scikit-learn-like API of TF 1.0-1.2 (tf.learn, once "skflow"), as
the first edition of *Hands-On Machine Learning* (chapter 10) trains its first network::

    feature_cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    dnn_clf = tf.contrib.learn.DNNClassifier(hidden_units=[300, 100], n_classes=10, feature_columns=feature_cols)
    dnn_clf = tf.contrib.learn.SKCompat(dnn_clf)
    dnn_clf.fit(X_train, y_train, batch_size=50, steps=40000)
    y_pred = dnn_clf.predict(X_test)            # {"classes": [n], "probabilities": [n, 10], "logits": [n, 10]}
    dnn_clf.score(X_test, y_test)               # {"accuracy": ..., "loss": ..., "global_step": 40000}

``DNNClassifier``, ``DNNRegressor``, ``LinearClassifier`` and ``LinearRegressor`` are thin wrappers of
``tf.estimator``'s (estimator/canned.py, estimator/linear.py): the same networks, variables and checkpoints in
``model_dir``, with contrib's arguments, defaults and results:

- **Data.** ``fit``, ``evaluate`` and ``predict`` take numpy data — ``x`` an array (the features tensor, which the
  models read as ``{"": x}``: the column named ``""`` that ``infer_real_valued_columns_from_input`` makes) or a
  dict of arrays, ``y`` an array — or an ``input_fn`` returning ``(features, labels)``, never both. ``fit`` draws
  ``batch_size`` rows at a time, shuffled anew each epoch, without end; ``evaluate`` and ``predict`` read the rows
  once, in order. ``batch_size=None`` is the whole of ``x`` (one batch per step), as TF's data feeder did;
  ``SKCompat`` defaults to 128.
- **Loss.** The loss trained is the **mean** over the batch (contrib's heads; ``tf.estimator``'s default sums it,
  which makes the steps ``batch_size`` times larger), weighted by ``weight_column_name`` if given. The default
  optimizer is Adagrad at 0.05 for the DNNs, FTRL at min(0.2, 1/sqrt(number of columns)) for the linear models; a
  name ("Adagrad", "Adam", "Ftrl", "Momentum", "RMSProp", "SGD") gets 0.05 (DNN) or 0.2 (linear).
- **Predictions.** ``predict`` yields the class ids (classifiers) or the values (regressors), one per example
  (``as_iterable=True``, the default) — ``predict_classes``/``predict_proba``/``predict_scores`` by name; with
  ``outputs`` it yields dicts of ``"classes"`` (int64 ids), ``"probabilities"``, ``"logits"`` (and ``"logistic"``
  for two classes), or ``"scores"`` ([] per example for one value). ``as_iterable=False`` returns arrays over all of
  ``x`` (over the first batch of an ``input_fn``, as TF).
- **Evaluation.** ``evaluate`` returns ``{"loss", "accuracy", "global_step"}`` for a classifier — for two classes
  also contrib's ``auc``, ``auc_precision_recall``, ``labels/actual_label_mean``, ``labels/prediction_mean``,
  ``accuracy/baseline_label_mean`` (the label mean) and the ``*_threshold_0.500000_mean`` accuracy, precision and
  recall — and ``{"loss", "global_step"}`` for a regressor. ``loss`` is the mean over the batches of each batch's
  mean loss.
- Before a first ``fit`` (no checkpoint in ``model_dir``), ``evaluate`` and ``predict`` raise ``NotFittedError``.

Not supported (a NotImplementedError says so): ``gradient_clip_norm``, ``enable_centered_bias``,
``embedding_lr_multipliers``, ``label_keys``, ``evaluate``'s ``metrics`` and ``feed_fn``; contrib's own feature
columns are ``tf.feature_column``'s (``tf.contrib.layers.real_valued_column`` is ``numeric_column``), and with
``weight_column_name`` the evaluation ``loss`` averages ``weight · loss`` per batch where contrib divided by the
sum of the weights.
"""
import numpy

from .contrib import layers
from .contrib_optimize_loss import OPTIMIZER_CLS_NAMES
from .core import Graph, Tensor
from .data import Dataset
from .dtypes import as_dtype, float32
from .estimator import (DNNClassifier as _DNNClassifier, DNNRegressor as _DNNRegressor,
                        LinearClassifier as _LinearClassifier, LinearRegressor as _LinearRegressor,
                        RunConfig as _RunConfig)
from .estimator.inputs import numpy_input_fn
from .feature_column import numeric_column
from .iterator_ops import make_one_shot_iterator
from .losses import Reduction
from .nn_ops import nn
from .sparse_tensor import SparseTensor

__all__ = ["DNNClassifier", "DNNRegressor", "LinearClassifier", "LinearRegressor", "SKCompat", "RunConfig",
           "NotFittedError", "infer_real_valued_columns_from_input", "infer_real_valued_columns_from_input_fn",
           "real_valued_column", "infer_real_valued_columns"]

_DNN_LEARNING_RATE, _LINEAR_LEARNING_RATE = 0.05, 0.2  # contrib's dnn.py and linear.py


class NotFittedError(ValueError, AttributeError):
    """``evaluate`` or ``predict`` before the model was trained (scikit-learn's error, as contrib raised it)."""


class RunConfig(_RunConfig):
    """contrib's ``RunConfig``: ``tf.estimator.RunConfig`` under contrib's signature (``master``, ``num_cores``,
    ``log_device_placement``, ``gpu_memory_fraction`` and ``evaluation_master`` are accepted and unused: one
    process, minidl's devices)."""

    def __init__(self, master=None, num_cores=0, log_device_placement=False, gpu_memory_fraction=1,
                 tf_random_seed=None, save_summary_steps=100, save_checkpoints_secs=None, save_checkpoints_steps=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000, log_step_count_steps=100, protocol=None,
                 evaluation_master="", model_dir=None, session_config=None, session_creation_timeout_secs=7200):
        super().__init__(model_dir, tf_random_seed, save_summary_steps, save_checkpoints_steps, save_checkpoints_secs,
                         session_config, keep_checkpoint_max, keep_checkpoint_every_n_hours, log_step_count_steps,
                         protocol=protocol, session_creation_timeout_secs=session_creation_timeout_secs)


# ------------------------------------------------------------------------------------------------- feature columns
def real_valued_column(column_name, dimension=1, default_value=None, dtype=float32, normalizer=None):
    """``tf.contrib.layers.real_valued_column``: ``dimension`` numbers per example, as ``numeric_column(column_name,
    shape=(dimension,))``; ``normalizer`` is its ``normalizer_fn``."""
    if dimension is None:
        raise NotImplementedError("real_valued_column: dimension=None (a variable-length feature read from a "
                                  "SparseTensor) is not supported")
    if not isinstance(dimension, int) or dimension < 1:
        raise ValueError(f"dimension must be an integer greater than 0. dimension: {dimension!r}, column_name: "
                         f"{column_name!r}")
    return numeric_column(column_name, (dimension,), default_value, dtype, normalizer)


def _inferred_column(name, value):
    """A real_valued_column for ``value`` (a tensor or an array, the batch first): the product of its other dims
    per example, its dtype."""
    if isinstance(value, SparseTensor):
        raise ValueError(f"SparseTensor is not supported for auto detection. Please define the corresponding "
                         f"FeatureColumn for feature {name!r}.")
    dtype = as_dtype(value.dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"Non integer or non floating types are not supported for auto detection. Please define "
                         f"the corresponding FeatureColumn for feature {name!r} ({dtype.name}).")
    dims = list(value.shape)[1:]
    if None in dims:
        raise ValueError(f"infer_real_valued_columns: feature {name!r} of shape {list(value.shape)} needs its "
                         f"dimensions after the batch known")
    return real_valued_column(name, int(numpy.prod(dims, dtype=numpy.int64)), dtype=dtype)


def infer_real_valued_columns(features):
    """``tf.contrib.layers.infer_real_valued_columns``: a real_valued_column per feature of the dict
    ``features``, or the column ``""`` for a single tensor."""
    if isinstance(features, dict):
        return [_inferred_column(key, value) for key, value in features.items()]
    return [_inferred_column("", features)]


def infer_real_valued_columns_from_input(x):
    """The columns of ``x``, an array (the column ``""``, of its values per row) or a dict of arrays."""
    if isinstance(x, dict):
        return infer_real_valued_columns({key: numpy.asarray(value) for key, value in x.items()})
    return infer_real_valued_columns(numpy.asarray(x))


def infer_real_valued_columns_from_input_fn(input_fn):
    """The columns of the features that ``input_fn`` returns (built in a graph of its own, then dropped)."""
    with Graph().as_default():
        return infer_real_valued_columns(_features_and_labels(input_fn)[0])


# ------------------------------------------------------------------------------------------------------ inputs
def _features_and_labels(input_fn):
    result = input_fn()
    if isinstance(result, Dataset):
        result = make_one_shot_iterator(result).get_next()
    return tuple(result) if isinstance(result, (tuple, list)) else (result, None)


def _input_fn(x, y, input_fn, batch_size, training, method, feature_engineering_fn=None):
    """contrib's ``_get_input_fn``: an input_fn over ``x`` and ``y`` (for training shuffled, without end; else in
    order, once), or ``input_fn`` itself; a features tensor becomes ``{"": tensor}`` and
    ``feature_engineering_fn(features, labels)`` is applied, as contrib's models did."""
    if input_fn is None:
        if x is None:
            raise ValueError(f"{method}: Either x or input_fn must be provided.")
        if isinstance(x, Tensor) or isinstance(y, Tensor) or \
                (isinstance(x, dict) and any(isinstance(v, Tensor) for v in x.values())):
            raise ValueError(f"{method}: Inputs cannot be tensors. Please provide input_fn.")
        if y is None and method != "predict":
            raise ValueError(f"{method}: y (the labels of x) must be provided with x")
        if isinstance(x, dict):
            x = {key: numpy.asarray(value) for key, value in x.items()}
            rows = len(next(iter(x.values()), ()))
        else:
            x = numpy.asarray(x)
            x = x.reshape(-1, 1) if x.ndim == 1 else x  # one value per example, as TF's data feeder reads it
            rows = len(x)
        if rows == 0:
            raise ValueError(f"{method}: x holds no examples")
        # a full shuffle per epoch (TF's data feeder permuted all the rows), not a 1000-row buffer
        input_fn = numpy_input_fn(x, y, batch_size=batch_size or rows, num_epochs=None if training else 1,
                                  shuffle=training, queue_capacity=rows)
    else:
        if x is not None or y is not None:
            raise ValueError(f"{method}: Can not provide both input_fn and x or y.")
        if batch_size is not None:
            raise ValueError(f"{method}: Can not provide both input_fn and batch_size.")
        if not callable(input_fn):
            raise TypeError(f"{method}: input_fn must be a function, got {input_fn!r}")

    def features_dict_input_fn():
        features, labels = _features_and_labels(input_fn)
        if feature_engineering_fn is not None:
            features, labels = feature_engineering_fn(features, labels)
        return (features if isinstance(features, dict) else {"": features}), labels
    return features_dict_input_fn


def _examples(batches):
    """One dict per example of each batch (a dict of arrays with the same first dim)."""
    for batch in batches:
        rows = len(next(iter(batch.values())))
        yield from ({key: value[i] for key, value in batch.items()} for i in range(rows))


def _unsupported(estimator, **arguments):
    for name, value in arguments.items():
        if value:
            raise NotImplementedError(f"{estimator}: {name} is not supported by minidl's tf.contrib.learn")


def _named_optimizer(optimizer, learning_rate):
    """A contrib optimizer name as the function making that optimizer at contrib's ``learning_rate``."""
    if not isinstance(optimizer, str):
        return optimizer
    if optimizer not in OPTIMIZER_CLS_NAMES:
        raise ValueError(f"Optimizer name should be one of [{', '.join(OPTIMIZER_CLS_NAMES)}], you provided "
                         f"{optimizer}.")
    return lambda: OPTIMIZER_CLS_NAMES[optimizer](learning_rate=learning_rate)


# -------------------------------------------------------------------------------------------------- estimators
class _Estimator:
    """What the four share: ``fit``/``evaluate``/predictions on ``self._estimator``, a ``tf.estimator`` model.
    A subclass says how its predictions and metrics read in contrib (``_predictions``, ``_metrics``)."""
    _estimator_keys = ()  # the tf.estimator predictions that _predictions reads

    def __init__(self, estimator, feature_engineering_fn):
        if feature_engineering_fn is not None and not callable(feature_engineering_fn):
            raise TypeError(f"feature_engineering_fn must be a function, got {feature_engineering_fn!r}")
        self._estimator, self._feature_engineering_fn = estimator, feature_engineering_fn

    model_dir = property(lambda self: self._estimator.model_dir)
    config = property(lambda self: self._estimator.config)

    def get_variable_names(self):
        return self._estimator.get_variable_names()

    def get_variable_value(self, name):
        return self._estimator.get_variable_value(name)

    def _input_fn(self, x, y, input_fn, batch_size, training, method):
        return _input_fn(x, y, input_fn, batch_size, training, method, self._feature_engineering_fn)

    def _check_fitted(self, checkpoint_path=None):
        if checkpoint_path is None and self._estimator.latest_checkpoint() is None:
            raise NotFittedError(f"Couldn't find trained model at {self.model_dir}.")

    def fit(self, x=None, y=None, input_fn=None, steps=None, batch_size=None, monitors=None, max_steps=None):
        """Train on ``x``/``y`` (``batch_size`` rows a step, shuffled, over and over) or on ``input_fn`` for
        ``steps`` more steps or up to ``max_steps`` (``monitors``: SessionRunHooks). Returns self."""
        input_fn = self._input_fn(x, y, input_fn, batch_size, True, "fit")
        self._estimator.train(input_fn, hooks=monitors, steps=steps, max_steps=max_steps)
        return self

    def partial_fit(self, x=None, y=None, input_fn=None, steps=1, batch_size=None, monitors=None):
        return self.fit(x, y, input_fn, steps, batch_size, monitors)

    def evaluate(self, x=None, y=None, input_fn=None, feed_fn=None, batch_size=None, steps=None, metrics=None,
                 name=None, checkpoint_path=None, hooks=None, log_progress=True):
        """The metrics over ``x``/``y`` or ``input_fn``'s data (all of it, or ``steps`` batches), with the weights of
        ``checkpoint_path`` (default: the latest): see the module docstring."""
        _unsupported("evaluate", metrics=metrics, feed_fn=feed_fn)
        input_fn = self._input_fn(x, y, input_fn, batch_size, False, "evaluate")
        self._check_fitted(checkpoint_path)
        results = self._estimator.evaluate(input_fn, steps, hooks, checkpoint_path, name)
        return dict(self._metrics(results), loss=results["loss"], global_step=results["global_step"])

    def _infer(self, x, input_fn, batch_size, outputs, as_iterable, iterate_batches=False):
        """contrib's ``Estimator.predict``: dicts of the ``outputs`` (all if None) per example, per batch
        (``iterate_batches``), or (``as_iterable=False``) concatenated over ``x`` / of the first batch."""
        input_fn = self._input_fn(x, None, input_fn, batch_size, False, "predict")
        self._check_fitted()
        if outputs is not None:
            outputs = [outputs] if isinstance(outputs, str) else list(outputs)
            if not set(outputs) & set(self._prediction_keys):
                raise ValueError(f"Expected to run at least one output from {self._prediction_keys}, provided "
                                 f"{outputs}.")
        batches = (self._picked(batch, outputs) for batch in self._estimator.predict(
            input_fn, predict_keys=list(self._estimator_keys), yield_single_examples=False))
        if as_iterable:
            return batches if iterate_batches else _examples(batches)
        if x is None:
            first = next(batches, None)
            batches.close()  # (ends the prediction's session)
            return first
        batches = list(batches)
        return {key: numpy.concatenate([batch[key] for batch in batches]) for key in batches[0]}

    def _picked(self, batch, outputs):
        predictions = self._predictions(batch)
        return {key: value for key, value in predictions.items() if outputs is None or key in outputs}

    def _one_output(self, key, x, input_fn, batch_size, as_iterable):
        predictions = self._infer(x, input_fn, batch_size, [key], as_iterable)
        if as_iterable:
            return (prediction[key] for prediction in predictions)
        return None if predictions is None else predictions[key]

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True):
        """Without ``outputs``: ``predict_classes`` (classifiers) or ``predict_scores`` (regressors); with them,
        dicts of those outputs (module docstring)."""
        if not outputs:
            return self._default_predictions(x, input_fn, batch_size, as_iterable)
        return self._infer(x, input_fn, batch_size, outputs, as_iterable)


class _Classifier(_Estimator):
    _estimator_keys = ("logits", "logistic", "probabilities", "class_ids")

    def __init__(self, estimator, n_classes, feature_engineering_fn):
        super().__init__(estimator, feature_engineering_fn)
        self._n_classes = n_classes
        self._prediction_keys = ["logits", "probabilities", "classes"] + (["logistic"] if n_classes == 2 else [])

    def _predictions(self, batch):
        predictions = {key: value for key, value in batch.items() if key in ("logits", "logistic", "probabilities")}
        predictions["classes"] = batch["class_ids"].reshape(-1)  # contrib's are int64 [batch], not [batch, 1]
        return predictions

    def _metrics(self, results):
        if self._n_classes != 2:
            return {"accuracy": results["accuracy"]}
        threshold = "threshold_0.500000_mean"  # contrib's names ("%f" of its one threshold, 0.5)
        return {"accuracy": results["accuracy"], "auc": results["auc"],
                "auc_precision_recall": results["auc_precision_recall"],
                "labels/actual_label_mean": results["label/mean"],
                "accuracy/baseline_label_mean": results["label/mean"],
                "labels/prediction_mean": results["prediction/mean"],
                f"accuracy/{threshold}": results["accuracy"],
                f"precision/positive_{threshold}": results["precision"],
                f"recall/positive_{threshold}": results["recall"]}

    def predict_classes(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The class id (int64) of each example."""
        return self._one_output("classes", x, input_fn, batch_size, as_iterable)

    def predict_proba(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The probabilities of the ``n_classes`` classes, for each example."""
        return self._one_output("probabilities", x, input_fn, batch_size, as_iterable)

    _default_predictions = predict_classes


class _Regressor(_Estimator):
    _estimator_keys = ("predictions",)
    _prediction_keys = ["scores"]

    def __init__(self, estimator, label_dimension, feature_engineering_fn):
        super().__init__(estimator, feature_engineering_fn)
        self._label_dimension = label_dimension

    def _predictions(self, batch):
        values = batch["predictions"]  # [batch, label_dimension]; contrib's head squeezes a single value
        return {"scores": values.reshape(-1) if self._label_dimension == 1 else values}

    def _metrics(self, results):
        return {}

    def predict_scores(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The predicted value(s) of each example."""
        return self._one_output("scores", x, input_fn, batch_size, as_iterable)

    _default_predictions = predict_scores


def _checked(estimator, gradient_clip_norm, enable_centered_bias, embedding_lr_multipliers=None, label_keys=None):
    _unsupported(estimator, gradient_clip_norm=gradient_clip_norm, enable_centered_bias=enable_centered_bias,
                 embedding_lr_multipliers=embedding_lr_multipliers, label_keys=label_keys)


class DNNClassifier(_Classifier):
    """A fully connected network over ``feature_columns`` classifying into ``n_classes`` classes."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column_name=None,
                 optimizer=None, activation_fn=nn.relu, dropout=None, gradient_clip_norm=None,
                 enable_centered_bias=False, config=None, feature_engineering_fn=None, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None, label_keys=None):
        _checked("DNNClassifier", gradient_clip_norm, enable_centered_bias, embedding_lr_multipliers, label_keys)
        estimator = _DNNClassifier(hidden_units, feature_columns, model_dir, n_classes, weight_column_name,
                                   optimizer=_named_optimizer(optimizer or "Adagrad", _DNN_LEARNING_RATE),
                                   activation_fn=activation_fn, dropout=dropout, config=config,
                                   loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        super().__init__(estimator, n_classes, feature_engineering_fn)


class DNNRegressor(_Regressor):
    """A fully connected network over ``feature_columns`` predicting ``label_dimension`` numbers."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, weight_column_name=None, optimizer=None,
                 activation_fn=nn.relu, dropout=None, gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None, label_dimension=1, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None):
        _checked("DNNRegressor", gradient_clip_norm, enable_centered_bias, embedding_lr_multipliers)
        estimator = _DNNRegressor(hidden_units, feature_columns, model_dir, label_dimension, weight_column_name,
                                  optimizer=_named_optimizer(optimizer or "Adagrad", _DNN_LEARNING_RATE),
                                  activation_fn=activation_fn, dropout=dropout, config=config,
                                  loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        super().__init__(estimator, label_dimension, feature_engineering_fn)


class LinearClassifier(_Classifier):
    """A linear model of ``feature_columns`` classifying into ``n_classes`` classes."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column_name=None, optimizer=None,
                 gradient_clip_norm=None, enable_centered_bias=False, _joint_weight=False, config=None,
                 feature_engineering_fn=None, label_keys=None):
        _checked("LinearClassifier", gradient_clip_norm, enable_centered_bias, label_keys=label_keys)
        # optimizer None: tf.estimator's FTRL at min(0.2, 1 / sqrt(number of columns)), contrib's default too
        estimator = _LinearClassifier(feature_columns, model_dir, n_classes, weight_column_name,
                                      optimizer=_named_optimizer(optimizer, _LINEAR_LEARNING_RATE), config=config,
                                      loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        super().__init__(estimator, n_classes, feature_engineering_fn)


class LinearRegressor(_Regressor):
    """A linear model of ``feature_columns`` predicting ``label_dimension`` numbers."""

    def __init__(self, feature_columns, model_dir=None, weight_column_name=None, optimizer=None,
                 gradient_clip_norm=None, enable_centered_bias=False, label_dimension=1, _joint_weights=False,
                 config=None, feature_engineering_fn=None):
        _checked("LinearRegressor", gradient_clip_norm, enable_centered_bias)
        estimator = _LinearRegressor(feature_columns, model_dir, label_dimension, weight_column_name,
                                     optimizer=_named_optimizer(optimizer, _LINEAR_LEARNING_RATE), config=config,
                                     loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        super().__init__(estimator, label_dimension, feature_engineering_fn)


class SKCompat:
    """scikit-learn's ``fit``/``score``/``predict`` over an estimator above (TF >= 1.1's way to call one with
    arrays): ``predict`` returns a dict of arrays over all of ``x``, ``score`` the ``evaluate`` dict."""

    def __init__(self, estimator):
        if not isinstance(estimator, _Estimator):
            raise TypeError(f"SKCompat wraps a tf.contrib.learn estimator (DNNClassifier, ...), got {estimator!r}")
        self._estimator = estimator

    def fit(self, x, y, batch_size=128, steps=None, max_steps=None, monitors=None):
        self._estimator.fit(x, y, batch_size=batch_size, steps=steps, max_steps=max_steps, monitors=monitors)
        return self

    def score(self, x, y, batch_size=128, steps=None, metrics=None, name=None):
        return self._estimator.evaluate(x, y, batch_size=batch_size, steps=steps, metrics=metrics, name=name)

    def predict(self, x, batch_size=128, outputs=None):
        return self._estimator._infer(x, None, batch_size, outputs, as_iterable=False)


# tf.contrib.layers' feature-column helpers of contrib.learn's programs
layers.real_valued_column, layers.infer_real_valued_columns = real_valued_column, infer_real_valued_columns

#: what tf.contrib.learn holds besides ``preprocessing`` (contrib.py assembles the namespace)
LEARN = {name: globals()[name] for name in __all__[:-2]}
