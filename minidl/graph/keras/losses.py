"""``tf.keras.losses``: loss functions ``f(y_true, y_pred)`` giving one loss per sample (the mean over the last
axis where that axis holds a sample's values), and ``Loss`` objects that also weigh them by sample and reduce them
(by default their mean over the batch; ``Reduction``).

The cross-entropies take *probabilities* unless ``from_logits=True``. Probabilities are clipped to
[eps, 1 - eps] (eps = 1e-7) before their log, so a confident wrong answer costs -log(1e-7) ≈ 16.1, not inf. When
``y_pred`` comes straight out of a softmax (or a sigmoid, for the binary one), the loss is computed from that
op's input, the logits, by the numerically stable fused formula instead: the usual
``Dense(10, activation="softmax")`` + ``"sparse_categorical_crossentropy"`` then trains as well as logits would.

- ``sparse_categorical_crossentropy``: ``-log p[label]``; labels are class indices (shape (N,) or (N, 1)).
- ``categorical_crossentropy``: ``-sum(y * log p)`` over the classes; labels are one-hot rows (or probabilities).
- ``binary_crossentropy``: ``-mean(y log p + (1 - y) log(1 - p))`` over the last axis.
- ``mean_squared_error`` (``mse``), ``mean_absolute_error`` (``mae``): the mean over the last axis; and, each
  with its formula in its docstring, ``mape``, ``msle``, ``hinge``, ``squared_hinge``, ``categorical_hinge``,
  ``logcosh``, ``huber_loss`` (the class ``Huber``), ``kld``, ``poisson``, ``cosine_proximity``.
"""
import functools
import inspect
import math

from .. import dtypes, losses as tf_losses, math_ops
from ..array_ops import expand_dims, reshape, shape, squeeze
from ..basics import name_scope
from ..nn_ops import nn
from . import backend
from .lookup import by_name


def _with_tensors(loss):
    """Keras' losses take arrays and lists too (``MeanSquaredError()([0., 1.], [1., 1.])``): ``y_pred`` becomes a
    tensor by TF's conversion (floats are float32), and so does ``y_true``, which each loss casts to its dtype."""
    @functools.wraps(loss)
    def converted(y_true, y_pred, *args, **kwargs):
        return loss(math_ops.to_tensor(y_true), math_ops.to_tensor(y_pred), *args, **kwargs)
    return converted


def _logits_of(y_pred, op_type, axis_attr=None):
    """The input of the ``op_type`` op (Softmax over the last axis, Sigmoid) that made ``y_pred``, or None."""
    op = y_pred.op
    if op.type != op_type:
        return None
    if axis_attr is not None and tuple(op.attrs.get(axis_attr, ())) not in ((-1,), (y_pred.shape.rank - 1,)):
        return None
    return op.inputs[0]


def _clipped(p):
    eps = backend.epsilon()
    return math_ops.clip_by_value(p, eps, 1.0 - eps)


@_with_tensors
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    logits = y_pred if from_logits else _logits_of(y_pred, "Softmax", "dims")
    if logits is None:  # probabilities: their logs are logits whose softmax is the (renormalized) p
        logits = math_ops.log(_clipped(y_pred))
    labels = math_ops.cast(reshape(y_true, [-1]), dtypes.int64)
    flat = reshape(logits, [-1, logits.shape[-1]])
    losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=flat)
    return losses if logits.shape.rank == 2 else reshape(losses, shape(logits)[:-1])


@_with_tensors
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0, axis=-1):
    y_true = math_ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        classes = math_ops.cast(shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    logits = y_pred if from_logits else _logits_of(y_pred, "Softmax", "dims")
    if logits is not None:
        return nn.softmax_cross_entropy_with_logits_v2(labels=y_true, logits=logits)
    p = _clipped(y_pred / math_ops.reduce_sum(y_pred, axis=-1, keepdims=True))
    return -math_ops.reduce_sum(y_true * math_ops.log(p), axis=-1)


@_with_tensors
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    y_true = math_ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred, "Sigmoid")
    if logits is not None:
        losses = nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=logits)
    else:
        p = _clipped(y_pred)
        losses = -(y_true * math_ops.log(p) + (1.0 - y_true) * math_ops.log(1.0 - p))
    return math_ops.reduce_mean(losses, axis=-1)


@_with_tensors
def mean_squared_error(y_true, y_pred):
    return math_ops.reduce_mean(math_ops.square(y_pred - math_ops.cast(y_true, y_pred.dtype)), axis=-1)


@_with_tensors
def mean_absolute_error(y_true, y_pred):
    return math_ops.reduce_mean(math_ops.abs(y_pred - math_ops.cast(y_true, y_pred.dtype)), axis=-1)


@_with_tensors
def mean_absolute_percentage_error(y_true, y_pred):
    """100 · mean(|y - ŷ| / |y|), with |y| at least eps (a target of 0 costs a lot, not inf)."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    scale = math_ops.maximum(math_ops.abs(y_true), backend.epsilon())
    return 100.0 * math_ops.reduce_mean(math_ops.abs((y_true - y_pred) / scale), axis=-1)


@_with_tensors
def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(1 + ŷ) - log(1 + y))²), both clipped at eps from below: errors relative to the size."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    first, second = (math_ops.log(math_ops.maximum(v, backend.epsilon()) + 1.0) for v in (y_pred, y_true))
    return math_ops.reduce_mean(math_ops.square(first - second), axis=-1)


def _signed_labels(y_true):
    """Hinge losses want labels -1 and 1; labels that are all 0 or 1 are taken as 0 -> -1, 1 -> 1 (as Keras)."""
    binary = math_ops.reduce_all(math_ops.logical_or(math_ops.equal(y_true, 0.0), math_ops.equal(y_true, 1.0)))
    return y_true + math_ops.cast(binary, y_true.dtype) * (y_true - 1.0)  # 2y - 1 when binary, else y


@_with_tensors
def hinge(y_true, y_pred):
    """mean(max(1 - y ŷ, 0)): zero once the score has the label's sign with a margin of 1."""
    y_true = _signed_labels(math_ops.cast(y_true, y_pred.dtype))
    return math_ops.reduce_mean(math_ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@_with_tensors
def squared_hinge(y_true, y_pred):
    y_true = _signed_labels(math_ops.cast(y_true, y_pred.dtype))
    return math_ops.reduce_mean(math_ops.square(math_ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@_with_tensors
def categorical_hinge(y_true, y_pred):
    """max(0, 1 + (best wrong score) - (right score)) for one-hot ``y_true``."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    right = math_ops.reduce_sum(y_true * y_pred, axis=-1)
    wrong = math_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return math_ops.maximum(wrong - right + 1.0, 0.0)


@_with_tensors
def logcosh(y_true, y_pred):
    """mean(log(cosh(ŷ - y))), as x + softplus(-2x) - log 2 (cosh overflows for |x| > 89 in float32): x²/2 for
    small errors, |x| - log 2 for large ones."""
    x = y_pred - math_ops.cast(y_true, y_pred.dtype)
    return math_ops.reduce_mean(x + math_ops.softplus(-2.0 * x) - math.log(2.0), axis=-1)


@_with_tensors
def huber_loss(y_true, y_pred, delta=1.0):
    """mean over the last axis of x²/2 where |x| <= delta, else delta (|x| - delta/2), x = ŷ - y."""
    error = math_ops.abs(y_pred - math_ops.cast(y_true, y_pred.dtype))
    quadratic = math_ops.minimum(error, delta)
    return math_ops.reduce_mean(0.5 * quadratic * quadratic + delta * (error - quadratic), axis=-1)


@_with_tensors
def kullback_leibler_divergence(y_true, y_pred):
    """sum(y log(y / ŷ)) over the last axis, both clipped to [eps, 1]."""
    y_true = math_ops.clip_by_value(math_ops.cast(y_true, y_pred.dtype), backend.epsilon(), 1.0)
    y_pred = math_ops.clip_by_value(y_pred, backend.epsilon(), 1.0)
    return math_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


@_with_tensors
def poisson(y_true, y_pred):
    """mean(ŷ - y log(ŷ + eps)): the negative log-likelihood of counts y under rates ŷ, less a constant."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    return math_ops.reduce_mean(y_pred - y_true * math_ops.log(y_pred + backend.epsilon()), axis=-1)


@_with_tensors
def cosine_proximity(y_true, y_pred, axis=-1):
    """-cos(angle between y and ŷ) along ``axis``: -1 when they point the same way."""
    y_true = nn.l2_normalize(math_ops.cast(y_true, y_pred.dtype), axis=axis)
    return -math_ops.reduce_sum(y_true * nn.l2_normalize(y_pred, axis=axis), axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity


class Reduction:
    """``tf.keras.losses.Reduction``: how a ``Loss`` object makes one number of its per-sample losses, each times
    its sample weight: ``SUM_OVER_BATCH_SIZE`` divides their sum by their number (the mean; ``AUTO``, the default,
    means it), ``SUM`` keeps their sum, ``NONE`` keeps them all."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key!r}: expected one of {', '.join(map(repr, cls.all()))}")


# the tf.losses reduction that computes each (tf.losses' SUM_OVER_BATCH_SIZE also divides by the number of losses)
_TF_REDUCTIONS = {Reduction.AUTO: tf_losses.Reduction.SUM_OVER_BATCH_SIZE, Reduction.NONE: tf_losses.Reduction.NONE,
                  Reduction.SUM: tf_losses.Reduction.SUM,
                  Reduction.SUM_OVER_BATCH_SIZE: tf_losses.Reduction.SUM_OVER_BATCH_SIZE}


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """``losses * sample_weight`` reduced by ``reduction``, as Keras weighs its losses: a weight of one rank more
    than the losses loses its last dim, one of one rank less gains one — so [batch, 1] weights beside [batch]
    losses weigh each sample (not an outer product, [batch, batch]), and [batch] weights beside [batch, steps]
    losses weigh each sample's steps. ``SUM_OVER_BATCH_SIZE`` divides by the number of weighted losses."""
    Reduction.validate(reduction)
    losses = math_ops.to_tensor(losses)
    weights = math_ops.cast(1.0 if sample_weight is None else sample_weight, losses.dtype)
    rank, weights_rank = losses.shape.rank, weights.shape.rank
    if None not in (rank, weights_rank) and weights_rank:
        if weights_rank == rank + 1:
            weights = squeeze(weights, [-1])
        elif weights_rank == rank - 1:
            weights = expand_dims(weights, -1)
    return tf_losses.compute_weighted_loss(losses, weights, loss_collection=None,
                                           reduction=_TF_REDUCTIONS[reduction])


class Loss:
    """``tf.keras.losses.Loss``: called as ``loss(y_true, y_pred, sample_weight=None)``, it weighs the per-sample
    losses that ``call`` gives (``compute_weighted_loss``) and reduces them by ``reduction`` (``Reduction``; the
    default, ``AUTO``, is the mean). A loss of one's own subclasses it and writes ``call(y_true, y_pred)``; a
    built-in class applies its function. ``name`` (default None, as in TF; a built-in's: its function's name)
    names the ops. ``compile`` takes a ``Loss`` and ``fit`` honours its reduction too."""
    function = None  # a built-in loss class's per-sample function

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction, self.name = reduction, name
        self.options = {}  # a built-in's options for its function (from_logits, delta ...)

    def call(self, y_true, y_pred):
        """The per-sample losses."""
        if self.function is None:
            raise NotImplementedError(f"{type(self).__name__} must define call(self, y_true, y_pred), giving the "
                                      f"per-sample losses")
        return type(self).function(y_true, y_pred, **self.options)

    def __call__(self, y_true, y_pred, sample_weight=None):
        with name_scope(self.name or type(self).__name__):
            return compute_weighted_loss(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self):
        """``{"reduction", "name"}`` and a built-in's options: what ``from_config`` makes the loss again from."""
        return {"reduction": self.reduction, "name": self.name, **self.options}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _loss_class(class_name, function, options, name=None):
    """A ``Loss`` class applying ``function``: its constructor takes the function's ``options`` (their defaults
    the function's), then ``reduction`` and ``name`` (default ``name``, else the function's name), as TF's."""
    defaults = {key: inspect.signature(function).parameters[key].default for key in options}
    parameters = tuple(options) + ("reduction", "name")

    def __init__(self, *args, **kwargs):
        if len(args) > len(parameters):
            raise TypeError(f"{class_name}: takes at most {len(parameters)} arguments ({', '.join(parameters)}), "
                            f"got {len(args)}")
        given = dict(zip(parameters, args))
        unknown, twice = set(kwargs) - set(parameters), set(kwargs) & set(given)
        if unknown or twice:
            raise TypeError(f"{class_name}: unexpected argument(s) {', '.join(sorted(unknown))}" if unknown else
                            f"{class_name}: got multiple values for {', '.join(sorted(twice))}")
        given.update(kwargs)
        Loss.__init__(self, given.pop("reduction", Reduction.AUTO), given.pop("name", name or function.__name__))
        self.options = dict(defaults, **given)
    return type(class_name, (Loss,), {"function": staticmethod(function), "__init__": __init__})


SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                            ("from_logits",))
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      ("from_logits", "label_smoothing"))
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, ("from_logits", "label_smoothing"))
MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, ())
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, ())
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error, ())
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error, ())
Hinge = _loss_class("Hinge", hinge, ())
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, ())
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, ())
LogCosh = _loss_class("LogCosh", logcosh, ())
Huber = _loss_class("Huber", huber_loss, ("delta",))
KLDivergence = _loss_class("KLDivergence", kullback_leibler_divergence, ())
Poisson = _loss_class("Poisson", poisson, ())
CosineSimilarity = _loss_class("CosineSimilarity", cosine_proximity, ("axis",), "cosine_similarity")

_BY_NAME = {f.__name__: f for f in (sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy,
                                    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
                                    mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge, logcosh,
                                    huber_loss, kullback_leibler_divergence, poisson, cosine_proximity)}
_BY_NAME.update(mse=mean_squared_error, mae=mean_absolute_error, mape=mean_absolute_percentage_error,
                msle=mean_squared_logarithmic_error, kld=kullback_leibler_divergence,
                cosine_similarity=cosine_proximity)


def get(identifier):
    """A per-sample loss function from a name above, a ``Loss`` object, or a function ``(y_true, y_pred)``."""
    if isinstance(identifier, Loss):
        return identifier.call
    if callable(identifier):
        return identifier
    return by_name(identifier, _BY_NAME, "loss function", "a Loss object or a function of (y_true, y_pred)")
