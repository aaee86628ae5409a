"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax (Grave et al., "Efficient softmax approximation for GPUs",
2017), a log-softmax over many classes that spends little work on the rare ones.

The classes, sorted from frequent to rare, are cut at ``cutoffs`` c_1 < c_2 < ... into a *shortlist*
[0, c_1) and clusters [c_1, c_2), [c_2, c_3), ..., [c_last, n_classes). The *head* (a ``Linear``) scores the
shortlist classes and one entry per cluster; cluster i has a *tail*: a projection down to
``in_features // div_value^(i+1)`` features and a ``Linear`` to its classes. Then::

    log p(y) = log_softmax(head(x))[y]                                        y in the shortlist
    log p(y) = log_softmax(head(x))[shortlist + i] + log_softmax(tail_i(x))[y - c_i]     y in cluster i

so a sample pays for the head and, when its target is rare, for one small tail. ``forward(input, target)``
returns ``(output, loss)``: log p(target) per sample and the mean of their negatives. ``log_prob(input)`` gives
all ``n_classes`` log-probabilities, ``predict(input)`` the most likely class. The parameter names are PyTorch's
(``head.weight``, ``tail.0.0.weight``, ``tail.0.1.weight`` ...), so its state dicts load.
"""
from collections import namedtuple

from ... import ops
from ...ops.base import is_tensor
from . import functional as F
from .containers import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """The adaptive softmax (module docstring): ``in_features`` inputs, ``n_classes`` classes cut at ``cutoffs``;
    each tail's projection is ``div_value`` times narrower than the last; ``head_bias`` gives the head a bias."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1 or \
                len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = [int(c) for c in cutoffs] + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = dict(device=device, dtype=dtype)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            width = int(in_features // (div_value ** (i + 1)))
            self.tail.append(Sequential(Linear(in_features, width, bias=False, **factory),
                                        Linear(width, self.cutoffs[i + 1] - self.cutoffs[i], bias=False, **factory)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, scores in self.tail:
            projection.reset_parameters()
            scores.reset_parameters()

    def forward(self, input, target):
        """``(output, loss)``: log p(target) for ``input`` (N, in_features) and class indices ``target`` (N,)
        — or one sample, (in_features,) and a 0-D target — and ``-output.mean()``."""
        if not (is_tensor(input) and is_tensor(target)):
            raise TypeError("AdaptiveLogSoftmaxWithLoss: input and target must be tensors")
        if target.ndim == 1:
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input.shape}")
        elif target.ndim == 0:
            if input.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target.ndim == 1
        if not batched:
            input, target = ops.unsqueeze(input, 0), ops.unsqueeze(target, 0)
        labels = target.detach().cpu().numpy()
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{labels.min()}, {labels.max()}] were found. ")
        # the head entry each sample reads: its class (shortlist) or its cluster's entry
        cluster = (labels[:, None] >= self.cutoffs[:-1]).sum(axis=1)  # 0: shortlist, i: cluster i
        head_entry = labels.copy()
        head_entry[cluster > 0] = self.shortlist_size + cluster[cluster > 0] - 1
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = ops.gather(head_logprob, 1, ops.unsqueeze(target.new_tensor(head_entry), 1)).squeeze(1)
        # plus, for the samples of each cluster, the log-probability of their class within it
        for i in range(1, self.n_clusters + 1):
            rows = (cluster == i).nonzero()[0]
            if rows.size == 0:
                continue
            row_index = target.new_tensor(rows)
            local = F.log_softmax(self.tail[i - 1](ops.index_select(input, 0, row_index)), dim=1)
            within = target.new_tensor(labels[rows] - self.cutoffs[i - 1])
            output = output.index_add(0, row_index, ops.gather(local, 1, ops.unsqueeze(within, 1)).squeeze(1))
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input, head_output):
        """All ``n_classes`` log-probabilities, from ``input`` (N, in_features) and the head's scores."""
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, tail in enumerate(self.tail):
            parts.append(F.log_softmax(tail(input), dim=1) + head_logprob[:, self.shortlist_size + i:][:, :1])
        return ops.cat(parts, 1)

    def log_prob(self, input):
        """log p(c) for every class c: (N, n_classes) for ``input`` (N, in_features)."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each sample of ``input`` (N, in_features): the head's best entry when it is a
        shortlist class, else the best of all classes (``log_prob(input).argmax(1)``, computed only there)."""
        head_output = self.head(input)
        best = ops.argmax(head_output, 1)
        outside = (best >= self.shortlist_size).detach().cpu().numpy().nonzero()[0]
        if outside.size == 0:
            return best
        rows = best.new_tensor(outside)
        full = self._full_log_prob(ops.index_select(input, 0, rows), ops.index_select(head_output, 0, rows))
        return best.index_copy(0, rows, ops.argmax(full, 1))
