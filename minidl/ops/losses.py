"""Loss functions compared elementwise: mse, l1, smooth_l1, huber, binary cross-entropy (on probabilities and on
logits), kl_div; and the ``reduction`` shared by every loss (cross_entropy and nll_loss are in cross_entropy.py).

Each loss first computes one value per element, then reduces them: ``reduction='none'`` keeps them, ``'sum'``
adds them, ``'mean'`` averages them (PyTorch's default). Most losses are compositions of ops, exact and stable
as written, so their gradients (and second-order gradients) come from the ops they are made of. Two need care:

* ``binary_cross_entropy`` clamps its logarithms at -100 (as PyTorch does), so that a probability of exactly 0
  or 1 gives a large finite loss instead of inf; it is an op of its own whose VJP divides by
  ``max(x (1 - x), 1e-12)`` rather than by 0.
* ``binary_cross_entropy_with_logits`` never computes ``sigmoid(x)`` and then its log, which would round to
  log(0) for large |x|; it uses ``(1 - t) x + softplus(-x)``, with softplus computed as
  ``max(-x, 0) + log1p(exp(-|x|))``, which is finite for every x.
"""

import numpy

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor, warn
from .activations import sigmoid, softplus
from .broadcast import sum_to_like
from .cast import cast
from .compare import clamp, lt, where
from .elementwise_more import xlogy
from .promote import promote
from .infer import broadcast_shapes, static_shape
from .reduce import ReductionSize, mean, sum
from .unary import abs, exp, log, log1p, square

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div"]

_REDUCTIONS = ("none", "mean", "sum")


# ------------------------------------------------------------------------------------------ shared helpers

def check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction (expected one of "
                         f"{', '.join(map(repr, allowed))})")


def reduce_loss(loss, reduction):
    """Apply ``reduction`` ('none', 'mean' or 'sum') to elementwise losses."""
    if reduction == "none":
        return loss
    return sum(loss) if reduction == "sum" else mean(loss)


def float_input(op_name, x, what="input", allow_complex=False):
    """``x``, checked to be a floating point tensor (or complex, where the op is defined for complex numbers)."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): argument '{what}' must be a tensor, not {type(x).__name__}")
    if not (dtypes.is_floating_point(x.dtype) or allow_complex and dtypes.is_complex(x.dtype)):
        raise TypeError(f"{op_name}: expected a floating point {what}, got {describe(x)}; convert it with .float()")
    return x


def _same_shape(a, b):
    """False only when the static shapes surely differ (unknown dims count as equal)."""
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(None in (m, n) or m == n for m, n in zip(a, b))


def _pair(op_name, input, target, strict=False, allow_complex=False, integer_input=False):
    """Check and promote ``(input, target)``. Different shapes broadcast with PyTorch's warning, or raise when
    ``strict`` (the binary cross-entropies insist on equal shapes). ``integer_input``: an integer input is taken
    where it promotes to a floating point pair (mse, l1 and smooth l1 in PyTorch; huber and the others refuse)."""
    if integer_input and is_tensor(input) and is_tensor(target) and input.dtype.kind in "biu":
        float_input(op_name, target, "target (beside an integer input)", allow_complex)
    else:
        float_input(op_name, input, allow_complex=allow_complex)
    if not is_tensor(target):
        raise TypeError(f"{op_name}(): argument 'target' must be a tensor, not {type(target).__name__}")
    if not _same_shape(static_shape(input), static_shape(target)):
        message = (f"{op_name}: using a target size {describe(target)} that is different to the input size "
                   f"{describe(input)}")
        if strict:
            raise OpError(message + "; please ensure they have the same size")
        broadcast_shapes(op_name, static_shape(input), static_shape(target))  # (refused by the loss's name)
        warn(message + ". This will likely lead to incorrect results due to broadcasting. Please ensure "
             "they have the same size.")
    return promote(op_name, input, target)[1]


# ------------------------------------------------------------------------------- regression losses

def _elementwise_weight(op_name, input, weight):
    """PyTorch's optional ``weight`` of mse, l1 and huber: one factor per element, shaped exactly like input."""
    if weight is not None and (not is_tensor(weight) or not _same_shape(weight.shape, input.shape)):
        raise OpError(f"{op_name}: weights and input must have the same size, got weight "
                      f"{describe(weight) if is_tensor(weight) else type(weight).__name__} and input "
                      f"{describe(input)}")
    return weight


def _reduce_weighted_by_sum(loss, weight, reduction):
    """A weighted 'mean' of mse and l1 divides by the sum of the weights (PyTorch's rule)."""
    if weight is None:
        return reduce_loss(loss, reduction)
    loss = loss * weight
    return sum(loss) / sum(weight) if reduction == "mean" else reduce_loss(loss, reduction)


class MseLoss(Op):
    """``(x - t)²`` over the broadcast shape of x and t, reduced (attr ``reduction``: "mean", "sum" or "none") —
    one op, as PyTorch's ``MseLossBackward0`` node (which its tutorials print as the loss's ``grad_fn``).

    VJP: with d = x - t and n the number of errors, d/dx = 2 d · g (· 1/n for the mean), summed to x's shape;
    d/dt is its negative, summed to t's shape. Made of ops, it can be differentiated again."""
    name = "MseLoss"

    @staticmethod
    def forward(xp, x, t, reduction):
        error = x - t
        squared = error * error
        return squared if reduction == "none" else squared.mean() if reduction == "mean" else squared.sum()

    @staticmethod
    def vjp(ctx, g):
        x, t = ctx.inputs
        need_x, need_t = ctx.needs_input_grad
        error = x - t
        slope = 2 * error * g
        if ctx.attrs["reduction"] == "mean":
            slope = slope / apply(ReductionSize, error, dims=None)
        return (sum_to_like(slope, x) if need_x else None), (sum_to_like(-slope, t) if need_t else None)

    @staticmethod
    def infer(x, t, reduction):
        return Spec(broadcast_shapes("mse_loss", x.shape, t.shape) if reduction == "none" else (), x.dtype)


def mse_loss(input, target, reduction="mean", weight=None):
    """Squared error ``(input - target)²`` (times ``weight``), reduced; a weighted mean divides by sum(weight)."""
    check_reduction(reduction)
    input, target = _pair("mse_loss", input, target, integer_input=True)
    weight = _elementwise_weight("mse_loss", input, weight)
    if weight is None:
        return apply(MseLoss, input, target, reduction=reduction)
    return _reduce_weighted_by_sum(apply(MseLoss, input, target, reduction="none"), weight, reduction)


def l1_loss(input, target, reduction="mean", weight=None):
    """Absolute error ``|input - target|`` (times ``weight``), reduced; a weighted mean divides by sum(weight).
    The gradient at a zero error is 0, as in PyTorch. Complex inputs give the real modulus of the error."""
    check_reduction(reduction)
    input, target = _pair("l1_loss", input, target, allow_complex=True, integer_input=True)
    weight = _elementwise_weight("l1_loss", input, weight)
    return _reduce_weighted_by_sum(abs(input - target), weight, reduction)


def _number(op_name, what, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{op_name}: {what} must be a number, got {value!r}")


def _quadratic_then_linear(input, target, threshold, scale_linear):
    """``0.5 d² / s`` where ``|d| < threshold`` and ``|d| - 0.5 threshold`` (times ``threshold`` for huber)
    beyond it: the two pieces meet with equal value and slope at ``|d| = threshold``. The quadratic piece is fed 0
    where it is not taken, so that an infinite d, whose gradient is the linear piece's ±1, puts no 0·inf in it."""
    d = input - target
    ad = abs(d)
    near = lt(ad, threshold)
    quadratic = square(where(near, d, 0.0))
    if scale_linear:  # huber: 0.5 d², then delta (|d| - delta/2)
        return where(near, quadratic * 0.5, (ad - 0.5 * threshold) * threshold)
    return where(near, quadratic * (0.5 / threshold), ad - 0.5 * threshold)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """``0.5 d² / beta`` for ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target); beta = 0 is l1."""
    check_reduction(reduction)
    _number("smooth_l1_loss", "beta", beta)
    if beta < 0:
        raise OpError(f"smooth_l1_loss does not support negative values for beta (got {beta})")
    if beta == 0:
        return l1_loss(input, target, reduction)
    input, target = _pair("smooth_l1_loss", input, target, integer_input=True)
    return reduce_loss(_quadratic_then_linear(input, target, float(beta), False), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d²`` for ``|d| < delta``, else ``delta (|d| - 0.5 delta)``: smooth_l1 scaled by delta. With
    ``weight``, each element's loss is multiplied by it ('mean' still divides by the number of elements, as in
    PyTorch)."""
    check_reduction(reduction)
    _number("huber_loss", "delta", delta)
    if delta <= 0:
        raise OpError(f"huber_loss does not support non-positive values for delta (got {delta})")
    input, target = _pair("huber_loss", input, target)
    loss = _quadratic_then_linear(input, target, float(delta), True)
    return reduce_loss(_weighted(loss, _elementwise_weight("huber_loss", input, weight)), reduction)


# ----------------------------------------------------------------------------- binary cross-entropy

_LOG_FLOOR = -100.0  # PyTorch clamps log(x) and log(1 - x) here, so x = 0 or 1 gives a finite loss
_EPSILON = 1e-12  # and divides by max(x (1 - x), this) in the gradient


class BinaryCrossEntropy(Op):
    """``loss = -w (t log(x) + (1 - t) log(1 - x))`` with both logs clamped at -100, reduced (attr ``reduction``);
    ``w``, the optional per-element weight, is the input after x and t when attr ``parts`` is ("weight",). One op,
    as PyTorch's ``BinaryCrossEntropyBackward0`` node.

    For G = the incoming gradient (÷ the number of losses for the mean): d/dx = G w (x - t) / (x (1 - x)), the
    denominator kept >= 1e-12 (PyTorch's formula); d/dt = G w (log(1 - x) - log(x)), with the same clamped logs
    the forward used; d/dw = G · the unweighted loss.
    """
    @staticmethod
    def forward(xp, x, t, *weight, reduction, parts):
        for what, values in (("input", x), ("target", t)):  # NaN is outside too (PyTorch's check is !(0 <= v <= 1))
            if values.size and not bool(((values >= 0) & (values <= 1)).all()):
                raise ValueError(f"all elements of {what} should be between 0 and 1 (got values from "
                                 f"{float(xp.nanmin(values))} to {float(xp.nanmax(values))}"
                                 f"{', and NaN' if bool(xp.isnan(values).any()) else ''})")
        log_x, log_1mx = _clamped_logs(xp, x)
        loss = -(t * log_x + (1 - t) * log_1mx)
        if weight:
            loss = loss * weight[0]
        return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def vjp(ctx, g):
        x, t, *weight = ctx.inputs
        need_x, need_t, *need_w = ctx.needs_input_grad
        log_x, log_1mx = clamp(log(x), min=_LOG_FLOOR), clamp(log1p(-x), min=_LOG_FLOOR)
        if ctx.attrs["reduction"] == "mean":
            g = g / apply(ReductionSize, x if not weight else x * weight[0], dims=None)
        weighted_g = g * weight[0] if weight else g
        dx = sum_to_like(weighted_g * (x - t) / clamp(x * (1 - x), min=_EPSILON), x) if need_x else None
        dt = sum_to_like(weighted_g * (log_1mx - log_x), t) if need_t else None
        dw = tuple(sum_to_like(-g * (t * log_x + (1 - t) * log_1mx), weight[0]) if need else None for need in need_w)
        return (dx, dt) + dw

    @staticmethod
    def infer(x, t, *weight, reduction, parts):
        shape = broadcast_shapes("binary_cross_entropy", x.shape, *(w.shape for w in weight))
        return Spec(shape if reduction == "none" else (), x.dtype)


def _clamped_logs(xp, x):
    with numpy.errstate(divide="ignore"):  # log(0) = -inf is expected here: the clamp turns it into -100 (cupy
        # never warns, so numpy's setting is the only one to change)
        return xp.maximum(xp.log(x), _LOG_FLOOR), xp.maximum(xp.log1p(-x), _LOG_FLOOR)


def _in_dtype_of(input, value, op_name, what):
    """An optional tensor input of a loss (a weight) in the input's dtype: the loss is in that dtype, as PyTorch's."""
    if not is_tensor(value):
        raise TypeError(f"{op_name}(): argument '{what}' must be a tensor, not {type(value).__name__}")
    return value if value.dtype == input.dtype else cast(value, input.dtype)


def _weighted(loss, weight):
    """Multiply by an optional per-element ``weight`` (broadcast to the loss)."""
    return loss if weight is None else loss * weight


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Cross-entropy between probabilities ``input`` (in [0, 1]) and targets ``target`` of the same shape:
    ``-weight (t log(x) + (1 - t) log(1 - x))``, the logs clamped at -100, reduced."""
    check_reduction(reduction)
    input, target = _pair("binary_cross_entropy", input, target, strict=True)
    extras = [] if weight is None else [_in_dtype_of(input, weight, "binary_cross_entropy", "weight")]
    return apply(BinaryCrossEntropy, input, target, *extras, reduction=reduction, parts=("weight",) * len(extras))


class BinaryCrossEntropyWithLogits(Op):
    """``w · [(1 - t) x + c · softplus(-x)]`` with ``c = 1 + (p - 1) t``, reduced (attr ``reduction``): the
    cross-entropy of sigmoid(x) against t from the logits, without overflow (softplus(-x) = log(1 + e^-x) =
    -log sigmoid(x), computed as logaddexp(0, -x)). The optional inputs after x and t are named by the attr
    ``parts``: "weight" (w, per element, broadcast) and/or "pos_weight" (p, weighing positive targets; 1 without).
    One op, as PyTorch's ``BinaryCrossEntropyWithLogitsBackward0`` node.

    VJP, for G = the incoming gradient (÷ the number of losses for the mean), each summed to its input's shape:
    d/dx = G w [(1 - t) - c · sigmoid(-x)];  d/dt = G w [(p - 1) softplus(-x) - x];  d/dw = G · (the unweighted
    loss);  d/dp = G w t softplus(-x). Made of ops, it can be differentiated again."""
    name = "BinaryCrossEntropyWithLogits"

    @staticmethod
    def forward(xp, x, t, *extras, reduction, parts):
        given = dict(zip(parts, extras))
        scale = 1 + (given["pos_weight"] - 1) * t if "pos_weight" in given else 1
        loss = (1 - t) * x + scale * xp.logaddexp(0, -x)
        if "weight" in given:
            loss = loss * given["weight"]
        return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def vjp(ctx, g):
        x, t, *extras = ctx.inputs
        parts = ctx.attrs["parts"]
        given = dict(zip(parts, extras))
        weight, pos_weight = given.get("weight"), given.get("pos_weight")
        log_one_plus = softplus(-x, threshold=float("inf"))
        scale = 1 if pos_weight is None else (pos_weight - 1) * t + 1
        unweighted = (1 - t) * x + scale * log_one_plus
        if ctx.attrs["reduction"] == "mean":
            g = g / apply(ReductionSize, unweighted if weight is None else unweighted * weight, dims=None)
        weighted_g = g if weight is None else g * weight
        slopes = {"x": weighted_g * ((1 - t) - scale * sigmoid(-x)),
                  "t": weighted_g * (-x if pos_weight is None else (pos_weight - 1) * log_one_plus - x),
                  "weight": g * unweighted,
                  "pos_weight": None if pos_weight is None else weighted_g * t * log_one_plus}
        return tuple(sum_to_like(slopes[name], tensor) if need else None
                     for name, tensor, need in zip(("x", "t") + tuple(parts), ctx.inputs, ctx.needs_input_grad))

    @staticmethod
    def infer(x, t, *extras, reduction, parts):
        shape = broadcast_shapes("binary_cross_entropy_with_logits", x.shape, *(e.shape for e in extras))
        return Spec(shape if reduction == "none" else (), x.dtype)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)`` computed from the logits without overflow:
    ``(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``, where softplus(-x) = log(1 + e^-x) = -log(sigmoid(x))
    (``BinaryCrossEntropyWithLogits``).

    ``pos_weight`` (broadcast along the last dim: one weight per class) multiplies the loss of positive targets.
    """
    check_reduction(reduction)
    input, target = _pair("binary_cross_entropy_with_logits", input, target, strict=True)
    extras = {name: value for name, value in (("weight", weight), ("pos_weight", pos_weight)) if value is not None}
    for name, value in extras.items():
        extras[name] = _in_dtype_of(input, value, "binary_cross_entropy_with_logits", name)
    return apply(BinaryCrossEntropyWithLogits, input, target, *extras.values(), reduction=reduction,
                 parts=tuple(extras))


# -------------------------------------------------------------------------------------------- kl_div

def kl_div(input, target, reduction="mean", log_target=False):
    """Kullback-Leibler divergence ``sum target (log(target) - input)`` for log-probabilities ``input``.

    ``target`` holds probabilities (terms with target = 0 count as 0; a negative one gives NaN, as in PyTorch),
    or log-probabilities when ``log_target``. ``reduction='batchmean'`` divides the sum by the batch size (the
    true KL divergence per sample); ``'mean'`` divides by the number of elements, as PyTorch does (with its
    warning).
    """
    check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    input, target = _pair("kl_div", input, target)
    if log_target:
        loss = exp(target) * (target - input)
    else:
        # target * log(target) as xlogy takes it: 0 where target == 0, NaN where it is negative (not a probability)
        loss = xlogy(target, target) - target * input
    if reduction == "mean":
        warn("kl_div: reduction='mean' divides the total loss by both the batch size and the support "
             "size. 'batchmean' divides only by the batch size, and aligns with the KL div math "
             "definition.")
    if reduction == "batchmean":  # the batch is the input's first dim, as PyTorch counts it (a 0-d input: none)
        total = sum(loss)
        return total if input.ndim == 0 else total / apply(ReductionSize, input, dims=(0,))
    return reduce_loss(loss, reduction)
