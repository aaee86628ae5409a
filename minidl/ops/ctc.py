"""Connectionist temporal classification (CTC; Graves et al., 2006): the loss of a model that emits a distribution
over C classes at each of T steps, for a target label sequence that is shorter and not aligned with the steps
(speech → characters, handwriting → text).

An *alignment* of a target l (S labels) is a path π of T classes whose collapse B — merge repeated classes, then
drop the blanks — is l: "-aa-b" and "a--bb" both collapse to "ab". The probability of the target is the sum over
its alignments of the product of the per-step probabilities y_t(c) = exp(log_probs[t, c]), and the loss is its
negative log::

    p(l | x) = Σ_{π : B(π) = l}  Π_t y_t(π_t),        loss = -log p(l | x)

**Forward–backward.** There are exponentially many alignments, but they all walk through the *extended* target
l' = (blank, l_1, blank, l_2, …, l_S, blank) of 2S + 1 positions: at each step a path stays on its position s,
moves to s + 1, or skips the blank to s + 2 — allowed when l'_s is not blank and differs from l'_{s-2} (two equal
labels in a row need a blank between them). So the sums factor into a dynamic program over (t, s)::

    α_0(0) = y_0(blank),  α_0(1) = y_0(l_1),  α_0(s) = 0 otherwise
    α_t(s) = y_t(l'_s) · (α_{t-1}(s) + α_{t-1}(s-1) + [skip to s allowed] · α_{t-1}(s-2))
    p(l | x) = α_{T-1}(2S) + α_{T-1}(2S - 1)          (a path ends on the last label or the blank after it)

and backwards, β_t(s): the probability of finishing from position s at step t, step t's own emission excluded::

    β_{T-1}(s) = 1 for s = 2S and s = 2S - 1, else 0
    β_t(s) = y_{t+1}(l'_s) β_{t+1}(s) + y_{t+1}(l'_{s+1}) β_{t+1}(s+1)
             + [skip to s+2 allowed] · y_{t+1}(l'_{s+2}) β_{t+1}(s+2)

α_t(s) β_t(s) is the probability of all the alignments that are at position s at step t. Everything is computed
in log space (products become sums, sums ``logaddexp``): the probabilities of long sequences underflow. A batch
is done at once, one step at a time over t and vectorized over samples and positions; each sample stops at its
own ``input_lengths[n]`` steps and ``target_lengths[n]`` labels.

**Gradient.** Every alignment through (t, s) contains y_t(l'_s) exactly once, so
∂p/∂log y_t(c) = Σ_{s : l'_s = c} α_t(s) β_t(s), and::

    ∂loss/∂log_probs[t, c] = -Σ_{s : l'_s = c} exp(log α_t(s) + log β_t(s) - log p(l | x))

minus the probability that step t emits class c, given the target. ``CtcLossGrad`` recomputes α (and β) rather
than keeping them from the forward, which stays pure. (PyTorch's kernel returns this plus exp(log_probs): the same
gradient for the logits once the log_softmax in front is differentiated, since Σ_c y_t(c) = 1; for log_probs
themselves, the formula above is the exact one.)
"""
import numbers

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import ones_like, sum_to_like
from .losses import check_reduction
from .reduce import sum as sum_
from .shape import squeeze, unsqueeze

__all__ = ["ctc_loss"]


# ------------------------------------------------------------------------------------------- the recursions

def _extended_labels(xp, targets, target_lengths, blank):
    """l' (N, 2S + 1): blank at the even positions, sample n's labels at the odd ones (blank past its length), and
    where a path may skip from s - 2 to s. ``targets``: padded (N, S) or all samples' labels concatenated (1-D)."""
    n = len(target_lengths)
    lengths = xp.asarray(target_lengths, dtype=xp.int64).reshape(n, 1)
    width = max(target_lengths, default=0)
    positions = xp.arange(width)
    if targets.ndim == 1:  # concatenated: sample n's labels start after those of the samples before it
        starts = xp.cumsum(lengths) - lengths[:, 0]
        at = xp.minimum(starts.reshape(n, 1) + positions, max(targets.shape[0] - 1, 0))
        targets = targets[at] if targets.shape[0] else xp.zeros((n, width), dtype=targets.dtype)
    real = positions < lengths
    labels = xp.full((n, 2 * width + 1), blank, dtype=xp.int64)
    labels[:, 1::2] = xp.where(real, targets[:, :width], blank)
    skip = xp.zeros(labels.shape, dtype=bool)
    skip[:, 2:] = (labels[:, 2:] != blank) & (labels[:, 2:] != labels[:, :-2])
    return labels, skip


def _shifted(xp, a, by, allowed=None):
    """``a`` moved ``by`` positions along its last axis (right for by > 0), -inf where nothing comes in or where
    ``allowed`` (shaped like ``a``'s last axes) is False."""
    out = xp.full(a.shape, -xp.inf, dtype=a.dtype)
    if by > 0:
        out[..., by:] = a[..., :-by]
    else:
        out[..., :by] = a[..., -by:]
    return out if allowed is None else xp.where(allowed, out, -xp.inf)


def _log_alphas(xp, emit, skip):
    """log α (T, N, L) from ``emit[t, n, s] = log y_t(l'_s)``."""
    alpha = xp.full(emit.shape, -xp.inf, dtype=emit.dtype)
    alpha[0, :, :2] = emit[0, :, :2]
    for t in range(1, emit.shape[0]):
        prev = alpha[t - 1]
        total = xp.logaddexp(xp.logaddexp(prev, _shifted(xp, prev, 1)), _shifted(xp, prev, 2, skip))
        alpha[t] = emit[t] + total
    return alpha


def _log_betas(xp, emit, skip, ends, input_lengths):
    """log β (T, N, L): 0 (probability 1) at the two end positions ``ends`` (bool (N, L)) on each sample's last
    step, -inf after it; skip from s to s + 2 where ``skip[s + 2]``."""
    steps, n = emit.shape[:2]
    last = xp.asarray(input_lengths).reshape(n, 1) - 1
    beta = xp.full(emit.shape, -xp.inf, dtype=emit.dtype)
    start = xp.where(ends, 0.0, -xp.inf).astype(emit.dtype)
    skip_back = _shifted(xp, skip, -2) > 0  # skip_back[s]: the skip from s to s + 2 is allowed
    following = None  # emit + β of step t + 1
    for t in reversed(range(steps)):
        if following is None:
            total = xp.full(start.shape, -xp.inf, dtype=emit.dtype)
        else:
            total = xp.logaddexp(xp.logaddexp(following, _shifted(xp, following, -1)),
                                 _shifted(xp, following, -2, skip_back))
        beta[t] = xp.where(t == last, start, xp.where(t < last, total, -xp.inf))
        following = emit[t] + beta[t]
    return beta


def _log_likelihood(xp, alpha, input_lengths, target_lengths):
    """log p(l | x) per sample: α at its last step, at the last label and at the blank after it. A sample with
    no steps has probability 1 for the empty target and 0 for any other."""
    n = alpha.shape[1]
    rows = xp.arange(n)
    last = xp.maximum(xp.asarray(input_lengths) - 1, 0)
    ends = 2 * xp.asarray(target_lengths)
    final = alpha[last, rows]  # (N, L)
    on_blank = final[rows, ends]
    on_label = xp.where(ends > 0, final[rows, xp.maximum(ends - 1, 0)], -xp.inf)
    log_p = xp.logaddexp(on_blank, on_label)
    empty = xp.where(xp.asarray(target_lengths) == 0, 0.0, -xp.inf)
    return xp.where(xp.asarray(input_lengths) == 0, empty, log_p).astype(alpha.dtype)


def _setup(xp, log_probs, targets, input_lengths, target_lengths, blank):
    """(labels, skip, emit) for a batch: the extended targets and ``emit[t, n, s] = log_probs[t, n, l'_s]``."""
    labels, skip = _extended_labels(xp, targets, target_lengths, blank)
    real = labels[:, 1::2]
    classes = log_probs.shape[2]
    if real.size and (int(real.min()) < 0 or int(real.max()) >= classes):
        raise OpError(f"ctc_loss: targets must be class indices in [0, {classes}), got values from "
                      f"{int(real.min())} to {int(real.max())}")
    rows = xp.arange(labels.shape[0]).reshape(-1, 1)
    return labels, skip, log_probs[:, rows, labels]  # (T, N, L)


def _per_sample_scale(xp, reduction, target_lengths, dtype):
    """d(reduced loss)/d(per-sample loss): 1 for 'sum' and 'none', 1 / (N · max(target length, 1)) for 'mean'."""
    n = len(target_lengths)
    if reduction != "mean":
        return xp.ones(n, dtype=dtype)
    return (1.0 / (n * xp.maximum(xp.asarray(target_lengths), 1))).astype(dtype)


class CtcLoss(Op):
    """The per-sample losses -log p(l_n | x_n), reduced; inputs ``log_probs`` (T, N, C) and ``targets`` (padded
    (N, S) or concatenated), lengths as attrs. VJP: ``CtcLossGrad``."""
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
        labels, skip, emit = _setup(xp, log_probs, targets, input_lengths, target_lengths, blank)
        nll = -_log_likelihood(xp, _log_alphas(xp, emit, skip), input_lengths, target_lengths)
        if zero_infinity:
            nll = xp.where(xp.isinf(nll), 0, nll).astype(nll.dtype)
        if reduction == "none":
            return nll
        return xp.sum(nll * _per_sample_scale(xp, reduction, target_lengths, nll.dtype))

    @staticmethod
    def vjp(ctx, g):
        return apply(CtcLossGrad, g, *ctx.inputs, **ctx.attrs), None

    @staticmethod
    def infer(log_probs, targets, reduction, **attrs):
        return Spec((log_probs.shape[1],) if reduction == "none" else (), log_probs.dtype)


class CtcLossGrad(Op):
    """dL/d log_probs (T, N, C) for the gradient ``g`` of the reduced loss: minus each step's posterior class
    probabilities, times g and the reduction's per-sample scale (module docstring). Zero past a sample's length,
    and for an impossible target with ``zero_infinity``. Its own VJP covers ``g`` only (forward mode differentiates
    a VJP in its incoming gradient); the one in the log-probabilities, a second-order gradient, is not implemented
    (it says so, rather than letting that come out silently zero)."""
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(xp, g, log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
        labels, skip, emit = _setup(xp, log_probs, targets, input_lengths, target_lengths, blank)
        alpha = _log_alphas(xp, emit, skip)
        log_p = _log_likelihood(xp, alpha, input_lengths, target_lengths)
        n, width = labels.shape
        ends = xp.arange(width) >= 2 * xp.asarray(target_lengths).reshape(n, 1) - 1
        ends &= xp.arange(width) <= 2 * xp.asarray(target_lengths).reshape(n, 1)
        beta = _log_betas(xp, emit, skip, ends, input_lengths)
        # an impossible target (p = 0) has no posterior: its gradient is NaN, or 0 with zero_infinity
        possible = xp.isfinite(log_p)
        posterior = xp.exp(alpha + beta - xp.where(possible, log_p, 0).reshape(1, n, 1))  # (T, N, L), each <= 1
        # add the positions' posteriors up per class: (N, T, L) @ one-hot (N, L, C)
        one_hot = (labels[:, :, None] == xp.arange(log_probs.shape[2])).astype(log_probs.dtype)
        per_class = xp.matmul(posterior.transpose(1, 0, 2), one_hot).transpose(1, 0, 2)
        per_class = xp.where(possible.reshape(1, n, 1), per_class, 0 if zero_infinity else xp.nan)
        weight = -_per_sample_scale(xp, reduction, target_lengths, log_probs.dtype) * g
        return (per_class * weight.reshape(1, n, 1)).astype(log_probs.dtype)

    @staticmethod
    def vjp(ctx, gg):
        if ctx.needs_input_grad[1]:
            raise NotImplementedError("ctc_loss: gradients of the gradient (double backward) are not implemented")
        # linear in g: d<gg, out>/dg sums gg times the output at g = 1 over the steps and classes of each sample
        g = ctx.inputs[0]
        at_one = apply(CtcLossGrad, ones_like(g), *ctx.inputs[1:], **ctx.attrs)
        return sum_to_like(sum_(gg * at_one, dim=(0, 2)), g), None, None

    @staticmethod
    def infer(g, log_probs, targets, **attrs):
        return Spec(log_probs.shape, log_probs.dtype)


# ------------------------------------------------------------------------------------------ the function

def _lengths(what, value, batch):
    """Lengths as a tuple of Python ints: an int (one unbatched sample), a sequence, or a concrete tensor (they
    are attributes of the op, so a graph must know them when it is built)."""
    if is_tensor(value):
        if not hasattr(value, "tolist"):
            raise TypeError(f"ctc_loss: {what} must be known when the graph is built (a list of ints), got a "
                            f"symbolic {describe(value)}")
        if value.dtype.kind not in "iu":
            raise TypeError(f"ctc_loss: {what} must be integers, got {describe(value)}")
        value = value.tolist()
    values = [value] if isinstance(value, numbers.Integral) else list(value)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(f"ctc_loss: {what} must be integers, got {value!r}")
    if len(values) != batch:
        raise OpError(f"ctc_loss: {what} must be of size batch_size ({batch}), got {len(values)} of them")
    if any(v < 0 for v in values):
        raise OpError(f"ctc_loss: Expected {what} to have value at least 0, but got value {min(values)}")
    return tuple(int(v) for v in values)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The CTC loss (module docstring) of ``log_probs`` (T, N, C) — log-probabilities, e.g. from ``log_softmax``
    over C — or unbatched (T, C), for ``targets``: padded class indices (N, S), or all samples' labels
    concatenated (1-D); ``input_lengths`` / ``target_lengths`` (N,): how many steps and labels of each sample
    count (ints, sequences or tensors).

    ``reduction``: 'none' (the losses (N,)), 'sum', or 'mean' (PyTorch's: each loss divided by its target length,
    then averaged over the batch). ``zero_infinity``: an impossible target (too few steps for its labels) gives
    loss 0 and gradient 0 instead of inf and NaN.
    """
    for what, t in (("log_probs", log_probs), ("targets", targets)):
        if not is_tensor(t):
            raise TypeError(f"ctc_loss: expected {what} to be a tensor, got {type(t).__name__}")
    check_reduction(reduction)
    if not dtypes.is_floating_point(log_probs.dtype):
        raise TypeError(f"ctc_loss: log_probs must be floating point, got {describe(log_probs)}")
    if log_probs.ndim not in (2, 3):
        raise OpError(f"ctc_loss: expected log_probs (T, N, C) or unbatched (T, C), got {describe(log_probs)}")
    if targets.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: targets must be integer class indices, got {describe(targets)}")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs, targets = unsqueeze(log_probs, 1), unsqueeze(targets, 0)
    steps, batch, classes = log_probs.shape
    if not isinstance(blank, numbers.Integral) or not 0 <= blank < classes:
        raise OpError(f"ctc_loss: blank must be in label range [0, {classes}), got blank={blank!r}")
    input_lengths = _lengths("input_lengths", input_lengths, batch)
    target_lengths = _lengths("target_lengths", target_lengths, batch)
    if any(n > steps for n in input_lengths):
        raise OpError(f"ctc_loss: Expected input_lengths to have value at most {steps} (the steps of log_probs "
                      f"{describe(log_probs)}), but got value {max(input_lengths)}")
    if targets.ndim == 2:
        if targets.shape[0] != batch:
            raise OpError(f"ctc_loss: padded targets must be (N, S) with N = {batch}, got {describe(targets)}")
        if max(target_lengths, default=0) > targets.shape[1]:
            raise OpError(f"ctc_loss: Expected tensor to have size at least {max(target_lengths)} at dimension 1, "
                          f"but got size {targets.shape[1]} for targets {describe(targets)}")
    elif targets.ndim == 1:
        if targets.shape[0] != sum(target_lengths):
            raise OpError(f"ctc_loss: concatenated targets must hold sum(target_lengths) = {sum(target_lengths)} "
                          f"labels, got {describe(targets)}")
    else:
        raise OpError(f"ctc_loss: targets must be padded (N, S) or concatenated (1-D), got {describe(targets)}")
    loss = apply(CtcLoss, log_probs, targets, input_lengths=input_lengths, target_lengths=target_lengths,
                 blank=int(blank), reduction=reduction, zero_infinity=bool(zero_infinity))
    return squeeze(loss, 0) if unbatched and reduction == "none" else loss
