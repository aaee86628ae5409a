"""The Levenshtein (edit) distance between sequences: the fewest insertions, deletions and substitutions that turn
one into the other — how speech and handwriting recognizers are scored (the word or character error rate).

For a hypothesis h (m items) and a truth t (n items), D[i][j], the distance between the first i items of h and the
first j of t, follows the recurrence ::

    D[0][j] = j,  D[i][0] = i
    D[i][j] = min(D[i-1][j] + 1,                      delete h_i
                  D[i][j-1] + 1,                      insert t_j
                  D[i-1][j-1] + [h_i != t_j])          keep or substitute

and the distance is D[m][n]; normalized, D[m][n] / n (infinite for an empty truth). A row of D is computed from
the previous one at once: the first and last choices only read the previous row, and the middle one — a chain
along the row — is a running minimum: D[i][j] = min over k <= j of (best[k] + j - k), i.e.
``minimum.accumulate(best - k) + j``.

``EditDistance`` takes two batches of sequences in TensorFlow's sparse form (``tf.edit_distance``): for each, the
coordinates of its items (the last coordinate is the position in a sequence, the others say which sequence),
the items (numbers or strings), and the dense shape. No gradient: the distance is an integer count.
"""
import numpy

from ..backend import host_array
from .base import Op, Spec

__all__ = ["levenshtein"]


def levenshtein(hypothesis, truth):
    """The edit distance between two 1-D arrays of items."""
    m, n = len(hypothesis), len(truth)
    if not m or not n:
        return max(m, n)
    columns = numpy.arange(n + 1)
    row = columns.copy()  # D[0][j] = j
    for i in range(1, m + 1):
        differs = hypothesis[i - 1] != truth  # (n,)
        best = numpy.empty(n + 1, dtype=numpy.int64)
        best[0] = i
        best[1:] = numpy.minimum(row[1:] + 1, row[:-1] + differs)  # delete, or keep/substitute
        row = numpy.minimum.accumulate(best - columns) + columns  # then insertions along the row
    return int(row[-1])


class EditDistance(Op):
    """Per sequence of the batch, the distance between the hypothesis and the truth (normalized by the truth's
    length with ``normalize``): inputs are the two sparse batches' (indices, values, dense_shape); the output has
    the dense shapes without their last dim (the larger of the two, dim by dim)."""
    differentiable = False
    takes_strings = True  # words compare as well as numbers (graph mode's strings are host arrays of bytes)

    @staticmethod
    def forward(xp, hyp_indices, hyp_values, hyp_shape, truth_indices, truth_values, truth_shape, normalize):
        hyp = _sequences(host_array(hyp_indices), host_array(hyp_values))
        truth = _sequences(host_array(truth_indices), host_array(truth_values))
        shape = tuple(numpy.maximum(host_array(hyp_shape)[:-1], host_array(truth_shape)[:-1]).astype(int))
        out = numpy.zeros(shape, dtype=numpy.float32)
        empty = numpy.array([])
        for where in numpy.ndindex(*shape):
            h, t = hyp.get(where, empty), truth.get(where, empty)
            distance = float(levenshtein(h, t))
            if normalize:
                with numpy.errstate(divide="ignore", invalid="ignore"):
                    distance = numpy.float32(distance) / numpy.float32(len(t))
            out[where] = distance
        return xp.asarray(out)

    @staticmethod
    def infer(hyp_indices, hyp_values, hyp_shape, truth_indices, truth_values, truth_shape, normalize):
        rank = hyp_shape.shape[0] if hyp_shape.shape[0] is not None else truth_shape.shape[0]
        return Spec(None if rank is None else (None,) * (rank - 1), numpy.dtype(numpy.float32))


def _sequences(indices, values):
    """{coordinates of a sequence: its items in order of their position}."""
    order = numpy.lexsort(indices.T[::-1]) if len(indices) else numpy.arange(0)
    groups = {}
    for row in order:
        groups.setdefault(tuple(int(i) for i in indices[row, :-1]), []).append(values[row])
    return {key: numpy.array(items) for key, items in groups.items()}
