"""``tf.keras.losses``: loss functions ``f(y_true, y_pred)`` giving one loss per sample (the mean over the last
axis where that axis holds a sample's values), and ``Loss`` objects that also average over the batch.

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
import math

from .. import dtypes, math_ops
from ..array_ops import reshape, shape
from ..nn_ops import nn
from . import backend
from .lookup import by_name


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


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    logits = y_pred if from_logits else _logits_of(y_pred, "Softmax", "dims")
    if logits is None:  # probabilities: their logs are logits whose softmax is the (renormalized) p
        logits = math_ops.log(_clipped(y_pred))
    labels = math_ops.cast(reshape(y_true, [-1]), dtypes.int64)
    flat = reshape(logits, [-1, logits.shape[-1]])
    losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=flat)
    return losses if logits.shape.rank == 2 else reshape(losses, shape(logits)[:-1])


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


def mean_squared_error(y_true, y_pred):
    return math_ops.reduce_mean(math_ops.square(y_pred - math_ops.cast(y_true, y_pred.dtype)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    return math_ops.reduce_mean(math_ops.abs(y_pred - math_ops.cast(y_true, y_pred.dtype)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 · mean(|y - ŷ| / |y|), with |y| at least eps (a target of 0 costs a lot, not inf)."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    scale = math_ops.maximum(math_ops.abs(y_true), backend.epsilon())
    return 100.0 * math_ops.reduce_mean(math_ops.abs((y_true - y_pred) / scale), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(1 + ŷ) - log(1 + y))²), both clipped at eps from below: errors relative to the size."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    first, second = (math_ops.log(math_ops.maximum(v, backend.epsilon()) + 1.0) for v in (y_pred, y_true))
    return math_ops.reduce_mean(math_ops.square(first - second), axis=-1)


def _signed_labels(y_true):
    """Hinge losses want labels -1 and 1; labels that are all 0 or 1 are taken as 0 -> -1, 1 -> 1 (as Keras)."""
    binary = math_ops.reduce_all(math_ops.logical_or(math_ops.equal(y_true, 0.0), math_ops.equal(y_true, 1.0)))
    return y_true + math_ops.cast(binary, y_true.dtype) * (y_true - 1.0)  # 2y - 1 when binary, else y


def hinge(y_true, y_pred):
    """mean(max(1 - y ŷ, 0)): zero once the score has the label's sign with a margin of 1."""
    y_true = _signed_labels(math_ops.cast(y_true, y_pred.dtype))
    return math_ops.reduce_mean(math_ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true = _signed_labels(math_ops.cast(y_true, y_pred.dtype))
    return math_ops.reduce_mean(math_ops.square(math_ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, 1 + (best wrong score) - (right score)) for one-hot ``y_true``."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    right = math_ops.reduce_sum(y_true * y_pred, axis=-1)
    wrong = math_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return math_ops.maximum(wrong - right + 1.0, 0.0)


def logcosh(y_true, y_pred):
    """mean(log(cosh(ŷ - y))), as x + softplus(-2x) - log 2 (cosh overflows for |x| > 89 in float32): x²/2 for
    small errors, |x| - log 2 for large ones."""
    x = y_pred - math_ops.cast(y_true, y_pred.dtype)
    return math_ops.reduce_mean(x + math_ops.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def huber_loss(y_true, y_pred, delta=1.0):
    """mean over the last axis of x²/2 where |x| <= delta, else delta (|x| - delta/2), x = ŷ - y."""
    error = math_ops.abs(y_pred - math_ops.cast(y_true, y_pred.dtype))
    quadratic = math_ops.minimum(error, delta)
    return math_ops.reduce_mean(0.5 * quadratic * quadratic + delta * (error - quadratic), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y log(y / ŷ)) over the last axis, both clipped to [eps, 1]."""
    y_true = math_ops.clip_by_value(math_ops.cast(y_true, y_pred.dtype), backend.epsilon(), 1.0)
    y_pred = math_ops.clip_by_value(y_pred, backend.epsilon(), 1.0)
    return math_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(ŷ - y log(ŷ + eps)): the negative log-likelihood of counts y under rates ŷ, less a constant."""
    y_true = math_ops.cast(y_true, y_pred.dtype)
    return math_ops.reduce_mean(y_pred - y_true * math_ops.log(y_pred + backend.epsilon()), axis=-1)


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


class Loss:
    """A loss function with its options, called as ``loss(y_true, y_pred)``: the mean of the per-sample losses
    over the batch (Keras' "sum over batch size" reduction)."""
    function = None

    def __init__(self, name=None, **options):
        self.name = name or self.function.__name__
        self.options = options

    def call(self, y_true, y_pred):
        """The per-sample losses."""
        return type(self).function(y_true, y_pred, **self.options)

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        if sample_weight is not None:
            losses = losses * math_ops.cast(sample_weight, losses.dtype)
        return math_ops.reduce_mean(losses)


def _loss_class(class_name, function, options):
    def __init__(self, *args, name=None, **kwargs):
        given = dict(zip(options, args), **kwargs)
        unknown = set(given) - set(options)
        if unknown:
            raise TypeError(f"{class_name}: unexpected argument(s) {', '.join(sorted(unknown))}")
        Loss.__init__(self, name=name, **given)
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
CosineSimilarity = _loss_class("CosineSimilarity", cosine_proximity, ("axis",))

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
