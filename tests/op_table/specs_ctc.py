"""Op table entries for ctc_loss (ctc.py), on log_softmax of the drawn logits (PyTorch's gradient for log_probs
themselves differs from the exact one by exp(log_probs); through the log_softmax both agree — see ctc.py).

The numpy reference enumerates every alignment: all C^T paths of a sample, summing the probability of those whose
collapse (merge repeats, drop blanks) is the target — independent of the forward–backward recursions. Sizes are
tiny (T <= 4, C = 3: at most 81 paths). Lengths are attributes of the op, so each spec fixes them.
"""
import itertools

import numpy as np
from hypothesis import strategies as st

from minidl.ops import ctc as CTC

from .spec import OpSpec, floats_array


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _collapse(path, blank):
    return [c for c, _ in itertools.groupby(path) if c != blank]


def brute_force_nll(log_probs, target, blank):
    """-log Σ over the paths π that collapse to ``target`` of Π_t y_t(π_t), for log_probs (T, C)."""
    steps, classes = log_probs.shape
    total = sum(np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
                for path in itertools.product(range(classes), repeat=steps) if _collapse(path, blank) == list(target))
    return np.inf if total == 0 else -np.log(total)


def ref_ctc(logits, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    log_probs = _log_softmax(logits.astype(np.float64))
    if targets.ndim == 1:  # concatenated
        starts = np.cumsum(target_lengths) - target_lengths
        rows = [targets[s:s + n] for s, n in zip(starts, target_lengths)]
    else:
        rows = [targets[i, :n] for i, n in enumerate(target_lengths)]
    nll = np.array([brute_force_nll(log_probs[:n, i], row, blank)
                    for i, (n, row) in enumerate(zip(input_lengths, rows))])
    if zero_infinity:
        nll[np.isinf(nll)] = 0
    if reduction == "none":
        return nll.astype(logits.dtype)
    if reduction == "sum":
        return np.asarray(nll.sum(), logits.dtype)
    return np.asarray(np.mean(nll / np.maximum(target_lengths, 1)), logits.dtype)


def ctc_case(steps, batch, width, blank=0, classes=3, concatenated_lengths=None, unbatched=False):
    """(logits (T, N, C), targets): padded (N, width) labels other than the blank, or concatenated when
    ``concatenated_lengths`` is given; ``unbatched``: logits (T, C) and targets (width,)."""
    labels = [c for c in range(classes) if c != blank]
    size = sum(concatenated_lengths) if concatenated_lengths is not None else batch * width
    targets = st.lists(st.sampled_from(labels), min_size=size, max_size=size).map(np.array)
    if concatenated_lengths is None and not unbatched:
        targets = targets.map(lambda t: t.reshape(batch, width))
    return st.tuples(floats_array((steps, classes) if unbatched else (steps, batch, classes)), targets)


def _spec(name, steps, batch, width, input_lengths, target_lengths, concatenated=False, unbatched=False, notes="",
          **options):
    def call(functional, log_softmax, logits, targets):
        return functional(log_softmax(logits, -1), targets, input_lengths, target_lengths, **options)

    def reference(logits, targets):
        if not unbatched:
            return ref_ctc(logits, targets, input_lengths, target_lengths, **options)
        result = ref_ctc(logits[:, None], targets[None], input_lengths, target_lengths, **options)
        return result[0] if options.get("reduction") == "none" else result

    return OpSpec(name, lambda m, logits, targets: call(CTC.ctc_loss, m.log_softmax, logits, targets), reference,
                  ctc_case(steps, batch, width, options.get("blank", 0),
                           concatenated_lengths=target_lengths if concatenated else None, unbatched=unbatched),
                  raw_inputs=(1,), second_order=False, rtol=1e-4, atol=1e-5,
                  notes=notes + " CtcLossGrad has no VJP of its own (no second order)",
                  torch_fn=lambda t, logits, targets: call(t.nn.functional.ctc_loss, t.log_softmax, logits, targets))


SPECS = [
    _spec("ctc_loss", 4, 2, 2, (4, 3), (2, 1), notes="padded targets, PyTorch's mean (per target length)"),
    _spec("ctc_loss_none_concatenated", 4, 3, 2, (4, 4, 2), (2, 1, 0), concatenated=True, reduction="none",
          notes="concatenated targets; an empty target"),
    _spec("ctc_loss_sum_blank_last", 4, 2, 2, (3, 4), (1, 2), blank=2, reduction="sum"),
    _spec("ctc_loss_zero_infinity", 3, 2, 3, (3, 1), (1, 2), reduction="sum", zero_infinity=True,
          notes="sample 1 cannot fit its two labels in one step: loss and gradient 0"),
    _spec("ctc_loss_unbatched", 4, 1, 2, (4,), (2,), unbatched=True, reduction="none"),
]
