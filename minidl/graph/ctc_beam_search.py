"""``tf.nn.ctc_beam_search_decoder``: the likeliest label sequences of a CTC model, by prefix beam search.

CTC reads a label sequence ("cat") out of a frame-by-frame path of classes by merging repeats and dropping the
blank (the last class): "cc-aa-t" and "c-at--" both read "cat". The probability of a labelling is the sum over all
the paths that read it — too many to list. Beam search keeps, step by step, the ``beam_width`` likeliest
*prefixes* l, each with two probabilities (log-space here):

* ``P_blank(l, t)``: the paths of the first t frames that read l and end in a blank;
* ``P_label(l, t)``: those that read l and end in l's last label.

One frame with class probabilities y (a softmax of the logits) moves them on (``step``):

* a kept prefix: ``P_blank(l, t) = P(l, t-1)·y_blank``, and ``P_label(l, t) = (P_label(l, t-1) + P(l⁻, t-1))·y_c``
  for its last label c, where l⁻ is l without c and only ``P_blank(l⁻)`` counts when l⁻ also ends in c (a path
  ending in c would merge with this c instead of adding one);
* a prefix extended by label c: ``P_label(l+c, t) = P(l, t-1)·y_c`` (``P_blank(l, t-1)`` if l ends in c), and it
  joins the beam if it beats the weakest kept prefix.

This follows TensorFlow's kernel, so that the same prefixes are kept and pruned: the kept prefixes are updated
first, then extended in order of probability, and a prefix pushed out of the beam forgets its probabilities. At
the end the ``top_paths`` likeliest prefixes are returned with their log-probabilities; with ``merge_repeated``
(TF's default) repeated labels in a result are merged once more (a prefix "aa" reads "a"), as TF does.
"""
import heapq
import itertools
import math

import numpy

from .. import ops
from ..backend import dtypes, host_array
from ..ops.base import Op, Spec, apply
from . import errors
from .array_ops import shape as shape_of, where
from .basics import control_dependencies, identity
from .check_ops import assert_less_equal
from .ctc_ops import _sequence_lengths
from .math_ops import FLOATS, check_dtype, to_tensor
from .nd_indexing_ops import gather_nd
from .nn_ops import nn
from .nn_training import with_rank
from .sparse_tensor import SparseTensor

_ZERO = -math.inf  # log 0


def _log_add(a, b):
    """log(e^a + e^b), exact for -inf."""
    if a == _ZERO:
        return b
    if b == _ZERO:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


class _Prefix:
    """A node of the prefix tree: ``label`` appended to ``parent``'s labels, with its probabilities of this step
    (``total``, ``blank``, ``ends``: P, P_blank, P_label) and of the step before (``old_*``)."""
    __slots__ = ("parent", "label", "children", "total", "blank", "ends", "old_total", "old_blank", "old_ends")

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, None
        self.forget()
        self.old_total = self.old_blank = self.old_ends = _ZERO

    def forget(self):
        self.total = self.blank = self.ends = _ZERO

    def labels(self, merge_repeated):
        out, node = [], self
        while node.parent is not None:
            if not (merge_repeated and out and out[-1] == node.label):
                out.append(node.label)
            node = node.parent
        return out[::-1]


class _Beam:
    """The kept prefixes, weakest first (a heap on ``total``), at most ``width`` of them."""

    def __init__(self, width):
        self.width, self.heap, self.order = width, [], itertools.count()

    def __len__(self):
        return len(self.heap)

    def weakest(self):
        return self.heap[0][2]

    def push(self, prefix):
        entry = (prefix.total, next(self.order), prefix)
        if len(self.heap) < self.width:
            heapq.heappush(self.heap, entry)
        else:
            heapq.heapreplace(self.heap, entry)

    def candidate(self, total):
        return total > _ZERO and (len(self.heap) < self.width or total > self.heap[0][2].total)

    def strongest_first(self):
        return [prefix for _, _, prefix in sorted(self.heap, key=lambda e: (-e[0], e[1]))]


def decode(log_probs, beam_width, top_paths, merge_repeated):
    """The ``top_paths`` likeliest labellings of one sequence (``log_probs`` [time, classes], a log-softmax per
    frame; the blank is the last class) as ``(labels lists, log-probabilities)`` (module docstring)."""
    blank = log_probs.shape[1] - 1
    root = _Prefix(None, -1)
    root.total = root.blank = 0.0
    beam = _Beam(beam_width)
    beam.push(root)
    for y in log_probs.tolist():
        kept = beam.strongest_first()
        beam = _Beam(beam_width)
        for prefix in kept:
            prefix.old_total, prefix.old_blank, prefix.old_ends = prefix.total, prefix.blank, prefix.ends
        for prefix in kept:
            if prefix.parent is not None:
                parent = prefix.parent
                if parent.total != _ZERO:  # the shorter prefix is in the beam: its paths extend to this one
                    before = parent.old_blank if prefix.label == parent.label else parent.old_total
                    prefix.ends = _log_add(prefix.ends, before)
                prefix.ends += y[prefix.label]
            prefix.blank = prefix.old_total + y[blank]
            prefix.total = _log_add(prefix.blank, prefix.ends)
            beam.push(prefix)
        for prefix in kept:
            if not beam.candidate(prefix.old_total):
                continue
            if prefix.children is None:
                prefix.children = [_Prefix(prefix, label) for label in range(blank)]
            for child in prefix.children:
                if child.total != _ZERO:  # in the beam already: updated above
                    continue
                before = prefix.old_blank if child.label == prefix.label else prefix.old_total
                child.blank, child.ends = _ZERO, y[child.label] + before
                child.total = child.ends
                if beam.candidate(child.total):
                    if len(beam) == beam.width:
                        beam.weakest().forget()  # pushed out: it forgets its probabilities
                    beam.push(child)
                else:
                    child.forget()
                    child.old_total = child.old_blank = child.old_ends = _ZERO
    best = beam.strongest_first()
    if len(best) < top_paths:
        raise errors.InvalidArgumentError(None, None, f"ctc_beam_search_decoder: fewer prefixes in the beam "
                                                      f"({len(best)}) than top_paths ({top_paths})")
    return [p.labels(merge_repeated) for p in best[:top_paths]], [p.total for p in best[:top_paths]]


class CtcBeamSearch(Op):
    """``(paths, log_probabilities)``: paths [top_paths, batch, longest] int64, each decoding padded with -1;
    log_probabilities [batch, top_paths]. Data-dependent and integer: no gradient."""
    name = "CTCBeamSearchDecoder"
    n_outputs = 2
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, logits, lengths, beam_width, top_paths, merge_repeated):
        logits, lengths = host_array(logits).astype(numpy.float64), host_array(lengths)
        steps, batch, _ = logits.shape
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_probs = shifted - numpy.log(numpy.exp(shifted).sum(axis=2, keepdims=True))
        decoded, scores = [], numpy.zeros((batch, top_paths), dtype=numpy.float32)
        for b in range(batch):
            paths, scores[b] = decode(log_probs[:int(lengths[b]), b], beam_width, top_paths, merge_repeated)
            decoded.append(paths)
        longest = max((len(path) for paths in decoded for path in paths), default=0)
        out = numpy.full((top_paths, batch, longest), -1, dtype=numpy.int64)
        for b, paths in enumerate(decoded):
            for p, path in enumerate(paths):
                out[p, b, :len(path)] = path
        return xp.asarray(out), xp.asarray(scores)

    @staticmethod
    def infer(logits, lengths, beam_width, top_paths, merge_repeated):
        batch = logits.shape[1]
        return Spec((top_paths, batch, None), dtypes.int64), Spec((batch, top_paths), dtypes.float32)


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True, name=None):
    """Beam-search decoding of CTC logits ``inputs`` [max_time, batch, num_classes] (blank: the last class) over
    each sample's first ``sequence_length`` frames (module docstring). Returns ``(decoded, log_probability)``:
    ``decoded`` a list of ``top_paths`` SparseTensors [batch, longest] of int64 labels (path k of each sample in
    its row of the k-th), ``log_probability`` [batch, top_paths]."""
    logits = check_dtype(to_tensor(inputs), FLOATS, "inputs")
    logits = with_rank(logits, 3, "inputs")
    if not 1 <= int(top_paths) <= int(beam_width):
        raise ValueError(f"ctc_beam_search_decoder: need 1 <= top_paths <= beam_width, got top_paths {top_paths} "
                         f"and beam_width {beam_width}")
    lengths = _sequence_lengths(sequence_length, logits)
    steps = shape_of(logits, out_type=lengths.dtype)[0]
    with control_dependencies([assert_less_equal(lengths, steps, message="ctc_beam_search_decoder: "
                                                                         "sequence_length(b) <= max_time")]):
        lengths = identity(lengths)
    paths, log_probability = apply(CtcBeamSearch, logits, lengths, beam_width=int(beam_width),
                                   top_paths=int(top_paths), merge_repeated=bool(merge_repeated))
    decoded = []
    for k in range(int(top_paths)):
        dense = paths[k]
        dense = dense[:, :ops.amax(ops.sum(ops.cast(ops.ge(dense, 0), dtypes.int64), 1, keepdim=True))]
        indices = where(ops.ge(dense, 0))
        decoded.append(SparseTensor(indices, gather_nd(dense, indices), shape_of(dense, out_type="int64")))
    return decoded, log_probability


nn.ctc_beam_search_decoder = ctc_beam_search_decoder
