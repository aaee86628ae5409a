"""``tf.keras.metrics.Metric`` and the metrics that are running means: a metric *object* keeps totals in variables,
so that its value covers every batch it has seen, not just the last one::

    m = tf.keras.metrics.Mean()
    update = m.update_state(values)        # an op: adds a batch to the totals
    mean = m.result()                      # a tensor: total / count, read when it runs
    sess = tf.keras.backend.get_session()  # (initializes the metric's variables)
    for batch in batches:
        sess.run(update, {values: batch})
    sess.run(mean)                         # the mean over all the batches
    m.reset_states()                       # the totals back to zero

``m(y_true, y_pred)`` is update-then-result in one tensor; it is what ``compile(metrics=[...])`` puts in the graph,
and ``fit``/``evaluate`` reset the objects at the start of each epoch, so that the figure they report is the
metric over the epoch's samples (``training.py``). A metric given as a function, or by name, is wrapped in a
``MeanMetricWrapper``: the running mean of its per-sample values.

As in TF 1.15, the variables (made by ``add_weight``, zeros at first) are in no collection: neither
``global_variables_initializer`` nor a ``Saver`` sees them, and ``backend.get_session()`` initializes them the
first time it meets them. A metric of one's own subclasses ``Metric``::

    class BinaryTruePositives(tf.keras.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight("tp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = tf.cast(tf.logical_and(tf.cast(y_true, tf.bool), tf.cast(y_pred, tf.bool)), self.dtype)
            self.true_positives.assign_add(tf.reduce_sum(hits))

        def result(self):
            return self.true_positives

``update_state`` need not return its op (TF 1.15 runs it as a function, where every write happens): here the
writes it makes to the metric's own variables are grouped into the op it returns. They run in no set order
among themselves, as plain graph code does: one that must see another's new value needs
``tf.control_dependencies``.

Sample weights weigh each value (a weight of 0 leaves it out), broadcast to the values; weights with fewer dims
than the values (one per sample, values per time step) first reduce each sample's values to one.
"""
import functools
import re

import numpy

from .. import basics, dtypes, math_ops
from ..array_ops import expand_dims, size, squeeze
from ..core import get_default_graph
from ..layer_classes import _snake_case
from ..math_extras import div_no_nan
from ..metrics import _weighted
from ..variables import Variable
from . import backend, initializers, losses, metrics

_WRITES = ("Assign", "AssignAdd", "AssignSub")


def _grouping_its_writes(update_state):
    """``update_state`` returning one op that runs what it returned and every write it made to the metric's own
    variables (found among the ops the call added to the graph)."""
    @functools.wraps(update_state)
    def update(self, *args, **kwargs):
        graph = get_default_graph()
        before = len(graph.get_operations())
        returned = update_state(self, *args, **kwargs)
        own, starts = {v.op for v in self._variables}, {v.initializer for v in self._variables}
        writes = [op for op in graph.get_operations()[before:]
                  if op.type in _WRITES and op.attrs["variable"] in own and op not in starts]
        return basics.group(writes, [] if returned is None else returned)   # (update_state may return nothing)
    return update


class Metric:
    """A metric with its state: ``update_state(y_true, y_pred, sample_weight=None)`` (an op adding a batch),
    ``result()`` (a tensor: the value so far), ``reset_states()`` (zeros into the variables, in the Keras
    session), and ``metric(...)``: update, then the result. ``name`` (by default the class's, made unique in the
    graph: ``precision``, ``precision_1`` ...) is what ``fit``'s history calls it; ``dtype`` (default float32) is
    its variables' and values' type."""

    def __init__(self, name=None, dtype=None):
        self.name = name or backend.unique_name(_snake_case(type(self).__name__))
        self._dtype = dtypes.as_dtype(dtype or backend.floatx()).name
        self._variables = []
        # claimed once: every weight goes to <name>/ (a function's name such as "<lambda>" made a valid scope name)
        with basics.name_scope(re.sub(r"^[^A-Za-z0-9.]+|[^A-Za-z0-9_.\-]", "", self.name) or "metric") as scope:
            self._scope = scope

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "update_state" in cls.__dict__:
            cls.update_state = _grouping_its_writes(cls.__dict__["update_state"])

    dtype = property(lambda self: self._dtype)
    variables = weights = property(lambda self: list(self._variables))

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None, initializer=None, dtype=None):
        """A state variable ``<metric>/<name>``, not trainable, in no collection, starting at ``initializer``
        (default zeros). ``aggregation`` and ``synchronization`` (for distributed replicas) have no effect."""
        start = initializers.get(initializer or "zeros")
        dtype = dtype or self._dtype
        with basics.name_scope(self._scope):
            variable = Variable(lambda: start(list(shape), dtypes.as_dtype(dtype)), trainable=False, collections=[],
                                name=name)
        backend.track_variable(variable)
        self._variables.append(variable)
        return variable

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define update_state(self, y_true, y_pred, "
                                  f"sample_weight=None)")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result(self)")

    def __call__(self, *args, **kwargs):
        update = self.update_state(*args, **kwargs)
        with basics.control_dependencies([update]):  # (a new read: a result that is a variable is read after too)
            return basics.identity(self.result())

    def reset_states(self):
        backend.batch_set_value([(v, numpy.zeros(v.shape.as_list())) for v in self._variables])

    def __repr__(self):
        return f"<tf.keras.metrics.{type(self).__name__} '{self.name}'>"


def _squeeze_or_expand(y_pred, y_true=None, sample_weight=None):
    """TF's ``squeeze_or_expand_dimensions`` on static ranks: a trailing size-1 dim of ``y_pred`` or ``y_true``
    goes when that one has one dim more than the other ((batch, 1) predictions against (batch,) labels; sparse
    labels (batch, 1) against (batch, classes) stay); then the weights lose or gain a trailing dim to have
    ``y_pred``'s rank. Returns ``(y_pred, y_true, sample_weight)``."""
    if y_true is not None and y_pred.shape.rank_known and y_true.shape.rank_known:
        extra = y_pred.shape.rank - y_true.shape.rank
        if extra == 1 and y_pred.shape[-1] == 1:
            y_pred = squeeze(y_pred, [-1])
        elif extra == -1 and y_true.shape[-1] == 1:
            y_true = squeeze(y_true, [-1])
    if sample_weight is not None and sample_weight.shape.rank and y_pred.shape.rank_known:
        extra = sample_weight.shape.rank - y_pred.shape.rank
        if extra == 1:
            sample_weight = squeeze(sample_weight, [-1])
        elif extra == -1:
            sample_weight = expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


class Reduce(Metric):
    """The (weighted) sum of the values seen, in ``total``; with ``reduction="mean"`` divided by ``count``, the sum
    of their weights (the number of values without weights)."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name, dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction == "mean":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        values = math_ops.cast(math_ops.to_tensor(values), self._dtype)
        if sample_weight is None:
            count = math_ops.cast(size(values), self._dtype)
        else:
            weights = math_ops.cast(math_ops.to_tensor(sample_weight), self._dtype)
            values, _, weights = _squeeze_or_expand(values, sample_weight=weights)
            if weights.shape.rank and values.shape.rank > weights.shape.rank:  # one weight per sample
                reduce = math_ops.reduce_sum if self.reduction == "sum" else math_ops.reduce_mean
                values = reduce(values, axis=list(range(weights.shape.rank, values.shape.rank)))
            values, weights = _weighted(values, weights, self._dtype)
            count = math_ops.reduce_sum(weights)
        added = self.total.assign_add(math_ops.reduce_sum(values))
        return added if self.reduction == "sum" else basics.group(added, self.count.assign_add(count))

    def result(self):
        return basics.identity(self.total) if self.reduction == "sum" else div_no_nan(self.total, self.count)


class Sum(Reduce):
    """The (weighted) sum of the values: ``Sum()([1, 3, 5, 7])`` is 16; with weights [1, 1, 0, 0], 4."""

    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name, dtype)


class Mean(Reduce):
    """The (weighted) mean of the values: ``Mean()([1, 3, 5, 7])`` is 4; with weights [1, 1, 0, 0], 2."""

    def __init__(self, name="mean", dtype=None):
        super().__init__("mean", name, dtype)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a function giving a value per sample (an accuracy,
    a loss): both are cast to the metric's dtype and their ranks lined up (``_squeeze_or_expand``) first."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = math_ops.cast(math_ops.to_tensor(y_true), self._dtype)
        y_pred = math_ops.cast(math_ops.to_tensor(y_pred), self._dtype)
        y_pred, y_true, _ = _squeeze_or_expand(y_pred, y_true)
        return super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight=sample_weight)


def _matches(y_true, y_pred):
    """1 where the prediction equals the label, entry by entry."""
    return math_ops.cast(math_ops.equal(y_true, y_pred), backend.floatx())


def _mean_metric(class_name, fn, parameters, what):
    """A ``MeanMetricWrapper`` class of ``fn`` whose ``__init__`` takes TF's arguments in TF's order:
    ``parameters`` are (argument, default) pairs, ``name`` and ``dtype`` among them; the others go to ``fn``."""
    names = [argument for argument, _ in parameters]

    def __init__(self, *args, **kwargs):
        unknown = set(kwargs) - set(names)
        if len(args) > len(names) or unknown:
            raise TypeError(f"{class_name} takes the arguments ({', '.join(names)}); got {len(args)} positional "
                            f"and {', '.join(sorted(unknown)) or 'no unknown'} keyword argument(s)")
        given = dict(parameters, **dict(zip(names, args)), **kwargs)
        name, dtype = given.pop("name"), given.pop("dtype")
        MeanMetricWrapper.__init__(self, fn, name, dtype, **given)
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": f"The running mean of {what}."})


def _named(default):
    return (("name", default), ("dtype", None))


Accuracy = _mean_metric("Accuracy", _matches, _named("accuracy"), "how often the predictions equal the labels")
BinaryAccuracy = _mean_metric("BinaryAccuracy", metrics.binary_accuracy,
                              _named("binary_accuracy") + (("threshold", 0.5),),
                              "how often the prediction (1 above ``threshold``) equals the 0/1 label")
CategoricalAccuracy = _mean_metric("CategoricalAccuracy", metrics.categorical_accuracy,
                                   _named("categorical_accuracy"), "how often the argmaxes of one-hot labels and "
                                                                   "predictions agree")
SparseCategoricalAccuracy = _mean_metric("SparseCategoricalAccuracy", metrics.sparse_categorical_accuracy,
                                         _named("sparse_categorical_accuracy"),
                                         "how often the prediction's argmax is the label (a class index)")
TopKCategoricalAccuracy = _mean_metric("TopKCategoricalAccuracy", metrics.top_k_categorical_accuracy,
                                       (("k", 5),) + _named("top_k_categorical_accuracy"),
                                       "how often the one-hot label's class is among the ``k`` highest scores")
SparseTopKCategoricalAccuracy = _mean_metric("SparseTopKCategoricalAccuracy",
                                             metrics.sparse_top_k_categorical_accuracy,
                                             (("k", 5),) + _named("sparse_top_k_categorical_accuracy"),
                                             "how often the label (a class index) is among the ``k`` highest scores")
MeanSquaredError = _mean_metric("MeanSquaredError", losses.mean_squared_error, _named("mean_squared_error"),
                                "the squared error")
MeanAbsoluteError = _mean_metric("MeanAbsoluteError", losses.mean_absolute_error, _named("mean_absolute_error"),
                                 "the absolute error")
MeanAbsolutePercentageError = _mean_metric("MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
                                           _named("mean_absolute_percentage_error"), "the absolute percentage error")
MeanSquaredLogarithmicError = _mean_metric("MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
                                           _named("mean_squared_logarithmic_error"), "the squared log error")
Hinge = _mean_metric("Hinge", losses.hinge, _named("hinge"), "the hinge loss")
SquaredHinge = _mean_metric("SquaredHinge", losses.squared_hinge, _named("squared_hinge"), "the squared hinge loss")
CategoricalHinge = _mean_metric("CategoricalHinge", losses.categorical_hinge, _named("categorical_hinge"),
                                "the categorical hinge loss")
LogCoshError = _mean_metric("LogCoshError", losses.logcosh, _named("logcosh"), "log(cosh(error))")
Poisson = _mean_metric("Poisson", losses.poisson, _named("poisson"), "the Poisson loss")
KLDivergence = _mean_metric("KLDivergence", losses.kullback_leibler_divergence,
                            _named("kullback_leibler_divergence"), "the Kullback-Leibler divergence")
_CROSSENTROPY = (("from_logits", False), ("label_smoothing", 0))
BinaryCrossentropy = _mean_metric("BinaryCrossentropy", losses.binary_crossentropy,
                                  _named("binary_crossentropy") + _CROSSENTROPY, "the binary cross-entropy")
CategoricalCrossentropy = _mean_metric("CategoricalCrossentropy", losses.categorical_crossentropy,
                                       _named("categorical_crossentropy") + _CROSSENTROPY,
                                       "the cross-entropy against one-hot labels")
SparseCategoricalCrossentropy = _mean_metric("SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
                                             _named("sparse_categorical_crossentropy") + (("from_logits", False),
                                                                                          ("axis", -1)),
                                             "the cross-entropy against class indices")


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over everything seen (not a mean of per-batch roots)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = math_ops.cast(math_ops.to_tensor(y_true), self._dtype)
        y_pred, y_true, _ = _squeeze_or_expand(math_ops.cast(math_ops.to_tensor(y_pred), self._dtype), y_true)
        return super().update_state(math_ops.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return math_ops.sqrt(super().result())
