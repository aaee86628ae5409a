"""Op table entries for the losses (losses.py and cross_entropy.py).

Class indices are raw integer inputs (graph mode feeds them to int64 placeholders); probabilities are made valid
inside ``fn`` (a softmax of a raw float input), so their gradient flows through the softmax. Regression losses
draw the error d = input - target off their kinks (0 for l1; ±beta / ±delta where smooth_l1 and huber change
pieces)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, fixed, floats_array, nonempty_shapes, shapes

IGNORE = -100


# ---------------------------------------------------------------------------------------------- inputs

def class_shapes(extra_dims=0):
    """(N, C, d1, ...) with N >= 1, C >= 1 and ``extra_dims`` trailing dims; (C,) when ``extra_dims`` is None."""
    if extra_dims is None:
        return st.tuples(st.integers(1, 4))
    return hnp.array_shapes(min_dims=2 + extra_dims, max_dims=2 + extra_dims, min_side=1, max_side=4)


def logits_and_classes(extra_dims=0, ignore=False, weights=False):
    """``(logits, targets[, weight])``: targets in [0, C) (some ``IGNORE`` when ``ignore``, never all of them),
    weight (C,) in [0.5, 2]."""
    def arrays(shape):
        axis = 1 if len(shape) > 1 else 0
        target_shape = shape[:axis] + shape[axis + 1:]
        low = -1 if ignore else 0
        targets = hnp.arrays(np.int64, target_shape, elements=st.integers(low, shape[axis] - 1)).map(_ignored)
        parts = [floats_array(shape), targets] + ([floats_array((shape[axis],), 0.5, 2.0)] if weights else [])
        return st.tuples(*parts)
    return class_shapes(extra_dims).flatmap(arrays)


def _ignored(targets):
    """Targets drawn as -1 become IGNORE; the first stays a real class so a 'mean' never divides by 0."""
    targets = np.where(targets < 0, IGNORE, targets)
    if targets.size:
        targets.reshape(-1)[0] = max(targets.reshape(-1)[0], 0)
    return targets


def logits_and_scores(extra_dims=0, weights=False):
    """``(logits, scores[, weight])``: two float arrays of one shape; ``fn`` softmaxes the scores into
    probabilities."""
    def arrays(shape):
        weight = [floats_array((shape[1 if len(shape) > 1 else 0],), 0.5, 2.0)] if weights else []
        return st.tuples(floats_array(shape), floats_array(shape), *weight)
    return class_shapes(extra_dims).flatmap(arrays)


def some_shapes(empty):
    """Shapes with size-0 dims only where allowed: a 'mean' over nothing is 0/0 (NaN, as in PyTorch)."""
    return shapes() if empty else nonempty_shapes()


def errors_off(*kinks, empty=False):
    """``(input, target)`` whose difference stays 0.1 away from each kink."""
    def arrays(shape):
        return st.tuples(floats_array(shape, avoid=kinks, margin=0.05), floats_array(shape))
    return some_shapes(empty).flatmap(arrays).map(lambda dt: (dt[1] + dt[0], dt[1]))


def weighted(pairs):
    """``(input, target, weight)``: a weight in [0.5, 2] per element added to ``(input, target)`` pairs."""
    return pairs.flatmap(lambda xt: floats_array(xt[0].shape, 0.5, 2.0).map(lambda w: xt + (w,)))


def probabilities_and_targets(weight_shape=None, empty=False):
    """``(p, t[, w])``: p in [0.05, 0.95], t in [0.02, 0.98] (central differences must not step out of [0, 1],
    which binary_cross_entropy refuses), w in [0.5, 2] of ``weight_shape(shape)``."""
    def arrays(shape):
        weight = [floats_array(weight_shape(shape), 0.5, 2.0)] if weight_shape else []
        return st.tuples(floats_array(shape, 0.05, 0.95), floats_array(shape, 0.02, 0.98), *weight)
    return some_shapes(empty).flatmap(arrays)


def logits_and_targets(pos_weight=False):
    def arrays(shape):
        extra = [floats_array(shape[-1:], 0.5, 3.0)] if pos_weight else []
        return st.tuples(floats_array(shape, -4.0, 4.0), floats_array(shape, 0.0, 1.0), *extra)
    return nonempty_shapes(min_dims=1).flatmap(arrays)


# ------------------------------------------------------------------------------------------ references

def _log_softmax(x, axis):
    x = x.astype(np.float64)
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _softmax(x, axis):
    return np.exp(_log_softmax(x, axis))


def _reduce(loss, reduction, denominator=None):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / (loss.size if denominator is None else denominator)


def np_cross_entropy(x, target, weight=None, reduction="mean", label_smoothing=0.0, log_probs=False):
    """PyTorch's cross_entropy (or nll_loss, with ``log_probs``), written out in float64."""
    axis = 1 if x.ndim > 1 else 0
    n_classes = x.shape[axis]
    logp = x.astype(np.float64) if log_probs else _log_softmax(x, axis)
    column = (-1,) + (1,) * (x.ndim - axis - 1)
    w = np.ones(n_classes) if weight is None else weight.astype(np.float64)
    if target.dtype.kind == "f":
        q = (target * (1 - label_smoothing) + label_smoothing / n_classes) * w.reshape(column)
        return _reduce(-(q * logp).sum(axis=axis), reduction).astype(x.dtype)
    valid = target != IGNORE
    safe = np.where(valid, target, 0)
    picked = np.take_along_axis(logp, np.expand_dims(safe, axis), axis).squeeze(axis)
    weight_y = w[safe] * valid
    loss = -weight_y * picked * (1 - label_smoothing)
    if label_smoothing:
        loss = loss - label_smoothing / n_classes * (logp * w.reshape(column)).sum(axis=axis) * valid
    return np.asarray(_reduce(loss, reduction, weight_y.sum())).astype(x.dtype)


def np_bce(p, t, w=None, reduction="mean"):
    p64 = p.astype(np.float64)
    loss = -(t * np.maximum(np.log(p64), -100) + (1 - t) * np.maximum(np.log1p(-p64), -100))
    return np.asarray(_reduce(loss if w is None else loss * w, reduction)).astype(p.dtype)


def np_bce_logits(x, t, pos_weight=None, reduction="mean"):
    x64 = x.astype(np.float64)
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
    loss = (1 - t) * x64 + log_weight * np.logaddexp(0, -x64)
    return np.asarray(_reduce(loss, reduction)).astype(x.dtype)


def np_pointwise(kind, param=1.0, reduction="mean"):
    def reference(x, t, w=None):
        d = x.astype(np.float64) - t
        ad = np.abs(d)
        loss = {"mse": d * d, "l1": ad,
                "smooth_l1": np.where(ad < param, 0.5 * d * d / param, ad - 0.5 * param),
                "huber": np.where(ad < param, 0.5 * d * d, param * (ad - 0.5 * param))}[kind]
        if w is None:
            return np.asarray(_reduce(loss, reduction)).astype(x.dtype)
        by_weights = kind != "huber" and reduction == "mean"  # PyTorch: a weighted mse/l1 mean divides by sum(w)
        return np.asarray(_reduce(loss * w, reduction, w.sum() if by_weights else None)).astype(x.dtype)
    return reference


def np_kl_div(x, t, reduction):
    logp, q = _log_softmax(x, -1), _softmax(t, -1)
    loss = q * (np.log(q) - logp)
    if reduction == "batchmean":
        return np.asarray(loss.sum() / (x.shape[0] if x.ndim else 1)).astype(x.dtype)
    return np.asarray(_reduce(loss, reduction)).astype(x.dtype)


# ------------------------------------------------------------------------------------------------ specs

def ce_spec(name, inputs, reduction="mean", label_smoothing=0.0, probabilities=False, **kw):
    """A cross_entropy spec; the inputs are (logits, targets[, weight])."""
    def fn(m, x, t, w=None):
        t = m.softmax(t, 1 if x.ndim > 1 else 0) if probabilities else t
        return m.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=label_smoothing)

    def torch_fn(torch, x, t, w=None):
        t = torch.softmax(t, 1 if x.ndim > 1 else 0) if probabilities else t
        return torch.nn.functional.cross_entropy(x, t, weight=w, reduction=reduction,
                                                 label_smoothing=label_smoothing)

    def reference(x, t, w=None):
        t = _softmax(t, 1 if x.ndim > 1 else 0) if probabilities else t
        return np_cross_entropy(x, t, w, reduction, label_smoothing)
    grads = dict(grad_inputs=(0, 1)) if probabilities else dict(raw_inputs=(1,))
    return OpSpec(name, fn, reference, inputs, torch_fn=torch_fn, atol=1e-5, **grads, **kw)


def loss_spec(name, function, reference, inputs, grad_inputs=(0, 1), **kw):
    """A spec for ``m.<function>(input, target, **call)`` (and the same name in torch.nn.functional). A third
    input, if any, is passed as the keyword that ``call`` names with the value None (``{"weight": None}``)."""
    call = dict(kw.pop("call", {}))
    keyword = next((k for k, v in call.items() if v is None), None)

    def arguments(xs):
        return xs[:2], dict(call, **({keyword: xs[2]} if keyword else {}))

    def fn(m, *xs):
        args, kwargs = arguments(xs)
        return getattr(m, function)(*args, **kwargs)

    def torch_fn(torch, *xs):
        args, kwargs = arguments(xs)
        return getattr(torch.nn.functional, function)(*args, **kwargs)
    return OpSpec(name, fn, reference, inputs, grad_inputs=grad_inputs, torch_fn=torch_fn, atol=1e-5, **kw)


LARGE_LOGITS = fixed([[1000.0, 0.0, -1000.0], [1000.0, 999.5, 0.0], [-1000.0, -1000.0, -999.0]],
                     np.array([2, 1, 0]))

SPECS = [
    # --------------------------------------------------------------------------- cross_entropy, class indices
    ce_spec("cross_entropy", logits_and_classes()),
    ce_spec("cross_entropy_sum", logits_and_classes(), reduction="sum"),
    ce_spec("cross_entropy_none_3d", logits_and_classes(extra_dims=1), reduction="none"),
    ce_spec("cross_entropy_unbatched", logits_and_classes(extra_dims=None)),
    ce_spec("cross_entropy_weight_ignore", logits_and_classes(extra_dims=1, ignore=True, weights=True),
            notes="'mean' divides by the summed weights of the non-ignored targets"),
    ce_spec("cross_entropy_smoothing", logits_and_classes(ignore=True), label_smoothing=0.2),
    ce_spec("cross_entropy_smoothing_weight_none", logits_and_classes(extra_dims=1, ignore=True, weights=True),
            reduction="none", label_smoothing=0.3),
    ce_spec("cross_entropy_large_logits", LARGE_LOGITS, reduction="none", notes="logits of 1000: no overflow"),
    # --------------------------------------------------------------------- cross_entropy, class probabilities
    ce_spec("cross_entropy_probs", logits_and_scores(), probabilities=True),
    ce_spec("cross_entropy_probs_3d_none", logits_and_scores(extra_dims=1), reduction="none", probabilities=True),
    ce_spec("cross_entropy_probs_weight_smoothing", logits_and_scores(weights=True), label_smoothing=0.1,
            probabilities=True),
    # ----------------------------------------------------------------------------------------------- nll_loss
    OpSpec("nll_loss", lambda m, x, t: m.nll_loss(x, t), lambda x, t: np_cross_entropy(x, t, log_probs=True),
           logits_and_classes(), raw_inputs=(1,), atol=1e-5,
           torch_fn=lambda torch, x, t: torch.nn.functional.nll_loss(x, t)),
    OpSpec("nll_loss_weight_ignore_none", lambda m, x, t, w: m.nll_loss(x, t, w, reduction="none"),
           lambda x, t, w: np_cross_entropy(x, t, w, "none", log_probs=True),
           logits_and_classes(extra_dims=1, ignore=True, weights=True), raw_inputs=(1,), atol=1e-5,
           torch_fn=lambda torch, x, t, w: torch.nn.functional.nll_loss(x, t, w, reduction="none")),
    OpSpec("nll_loss_weight_ignore_mean", lambda m, x, t, w: m.nll_loss(x, t, w),
           lambda x, t, w: np_cross_entropy(x, t, w, log_probs=True),
           logits_and_classes(ignore=True, weights=True), raw_inputs=(1,), atol=1e-5,
           torch_fn=lambda torch, x, t, w: torch.nn.functional.nll_loss(x, t, w)),
    # ------------------------------------------------------------------------------------- regression losses
    loss_spec("mse_loss", "mse_loss", np_pointwise("mse"), errors_off()),
    loss_spec("mse_loss_sum", "mse_loss", np_pointwise("mse", reduction="sum"), errors_off(empty=True),
              call={"reduction": "sum"}),
    loss_spec("l1_loss", "l1_loss", np_pointwise("l1"), errors_off(0.0)),
    loss_spec("l1_loss_none", "l1_loss", np_pointwise("l1", reduction="none"), errors_off(0.0, empty=True),
              call={"reduction": "none"}),
    loss_spec("smooth_l1_loss", "smooth_l1_loss", np_pointwise("smooth_l1", 1.0), errors_off(-1.0, 1.0)),
    loss_spec("smooth_l1_loss_beta", "smooth_l1_loss", np_pointwise("smooth_l1", 0.5, "sum"),
              errors_off(-0.5, 0.5, empty=True), call={"reduction": "sum", "beta": 0.5}),
    loss_spec("mse_loss_weight", "mse_loss", np_pointwise("mse"), weighted(errors_off()), grad_inputs=(0, 1, 2),
              call={"weight": None}),
    loss_spec("l1_loss_weight_sum", "l1_loss", np_pointwise("l1", reduction="sum"), weighted(errors_off(0.0)),
              grad_inputs=(0, 1, 2), call={"reduction": "sum", "weight": None}),
    loss_spec("huber_loss", "huber_loss", np_pointwise("huber", 1.0), errors_off(-1.0, 1.0)),
    loss_spec("huber_loss_weight", "huber_loss", np_pointwise("huber", 1.0), weighted(errors_off(-1.0, 1.0)),
              grad_inputs=(0, 1, 2), call={"weight": None}, notes="a weighted huber mean divides by the number "
                                                                  "of elements (PyTorch's rule)"),
    loss_spec("huber_loss_delta", "huber_loss", np_pointwise("huber", 0.7, "none"), errors_off(-0.7, 0.7, empty=True),
              call={"reduction": "none", "delta": 0.7}),
    # --------------------------------------------------------------------------------- binary cross-entropy
    loss_spec("binary_cross_entropy", "binary_cross_entropy", np_bce, probabilities_and_targets()),
    loss_spec("binary_cross_entropy_weight_sum", "binary_cross_entropy",
              lambda p, t, w: np_bce(p, t, w, "sum"), probabilities_and_targets(lambda s: s[-1:], empty=True),
              call={"reduction": "sum", "weight": None}),
    loss_spec("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", np_bce_logits,
              logits_and_targets()),
    OpSpec("binary_cross_entropy_with_logits_pos_weight",
           lambda m, x, t, w: m.binary_cross_entropy_with_logits(x, t, pos_weight=w, reduction="none"),
           lambda x, t, w: np_bce_logits(x, t, w, "none"), logits_and_targets(pos_weight=True), grad_inputs=(0, 1),
           atol=1e-5, torch_fn=lambda torch, x, t, w: torch.nn.functional.binary_cross_entropy_with_logits(
               x, t, pos_weight=w, reduction="none")),
    loss_spec("binary_cross_entropy_with_logits_large", "binary_cross_entropy_with_logits",
              lambda x, t: np_bce_logits(x, t, None, "none"),
              fixed([1000.0, -1000.0, 100.0, -100.0, 0.0], [1.0, 0.0, 0.5, 0.25, 0.5]), call={"reduction": "none"},
              notes="logits of ±1000 neither overflow nor lose the loss"),
    # ------------------------------------------------------------------------------------------------ kl_div
    *(OpSpec(f"kl_div_{reduction}",
             lambda m, x, t, r=reduction: m.kl_div(m.log_softmax(x, -1), m.softmax(t, -1), reduction=r),
             lambda x, t, r=reduction: np_kl_div(x, t, r), logits_and_scores(), grad_inputs=(0, 1), atol=1e-5,
             torch_fn=lambda torch, x, t, r=reduction: torch.nn.functional.kl_div(
                 torch.log_softmax(x, -1), torch.softmax(t, -1), reduction=r))
      for reduction in ("mean", "sum", "none", "batchmean")),
    OpSpec("kl_div_log_target",
           lambda m, x, t: m.kl_div(m.log_softmax(x, -1), m.log_softmax(t, -1), "batchmean", log_target=True),
           lambda x, t: np_kl_div(x, t, "batchmean"), logits_and_scores(extra_dims=1), grad_inputs=(0, 1),
           atol=1e-5, torch_fn=lambda torch, x, t: torch.nn.functional.kl_div(
               torch.log_softmax(x, -1), torch.log_softmax(t, -1), reduction="batchmean", log_target=True)),
]
