"""``nn.utils.rnn``: batches of sequences of different lengths, for the recurrent layers.

A batch must be one rectangular tensor, so shorter sequences are *padded* to the longest (``pad_sequence``).
Running an RNN over the padding would be wrong (the final state of a short sequence would have seen the padding
too), so the batch can be *packed* with the true lengths: a ``PackedSequence`` holds the real steps only, time
step by time step. Sorted by decreasing length, the sequences still running at step t are always the first
``batch_sizes[t]`` of the batch, so ``data`` is::

    step 0 of every sequence, step 1 of those longer than 1, step 2 of those longer than 2, ...

``RNN`` / ``LSTM`` / ``GRU`` accept a ``PackedSequence``: each sequence then stops at its own length (its final
state is the one after its last real step; in reverse, it starts from its last real step), and the output is
packed the same way. ``pad_packed_sequence`` turns it back into a padded tensor and the lengths.

``sorted_indices`` is the order by decreasing length (``enforce_sorted=False`` sorts for you;
``enforce_sorted=True`` requires the batch to be sorted already) and ``unsorted_indices`` its inverse, which
restores the original order when unpacking. Everything here is ops on tensors, so gradients flow back to each
sequence.
"""
from collections import namedtuple

import numpy

from .... import ops
from ...creation import tensor
from ...element_types import float16 as _float16, float32 as _float32, float64 as _float64
from ...tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "unpad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence", "data batch_sizes sorted_indices unsorted_indices")):
    """``data`` (total steps, *features): the steps of all sequences, time step by time step; ``batch_sizes``
    (int64, one per time step): how many sequences are still running at that step; ``sorted_indices`` /
    ``unsorted_indices``: the permutation to decreasing length and back (None when the batch was sorted)."""

    def __new__(cls, data, batch_sizes, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """``data`` (and the permutations) moved or converted; ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    def float(self):
        return self.to(dtype=_float32)

    def double(self):
        return self.to(dtype=_float64)

    def half(self):
        return self.to(dtype=_float16)

    @property
    def is_cuda(self):
        return self.data.is_cuda


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (a 1-D int64 tensor), or None for None."""
    if permutation is None:
        return None
    order = permutation.cpu().numpy()
    inverse = numpy.empty_like(order)
    inverse[order] = numpy.arange(len(order))
    return tensor(inverse, device=permutation.device)


def _int_list(name, values):
    """``lengths`` as Python ints: a 1-D tensor or sequence of them (whole floats too: PyTorch casts lengths to
    int64)."""
    values = values.tolist() if isinstance(values, Tensor) else list(values)
    if not all(isinstance(v, (int, numpy.integer)) and not isinstance(v, bool) or
               isinstance(v, (float, numpy.floating)) and float(v).is_integer() for v in values):
        raise TypeError(f"{name}: lengths must be a 1-D sequence of whole numbers, got {values!r}")
    return [int(v) for v in values]


def _pad_dim0(x, before, after, value):
    """``x`` padded along dim 0 with ``value`` (``F.pad`` counts from the last dim)."""
    return ops.pad(x, (0, 0) * (x.ndim - 1) + (before, after), value=value)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (each (L_i, *features), same features) into one tensor (L_max, N, *features) — (N, L_max,
    *features) with ``batch_first`` — filling the missing steps with ``padding_value`` after each sequence (or
    before, with ``padding_side='left'``)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"padding_side must be 'left' or 'right', got {padding_side!r}")
    sequences = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    for s in sequences:
        if not isinstance(s, Tensor) or s.ndim == 0 or tuple(s.shape[1:]) != tuple(sequences[0].shape[1:]):
            raise RuntimeError(f"pad_sequence: expected tensors of shape (L, *features) with the same features, got "
                               f"shapes {[list(getattr(t, 'shape', ())) for t in sequences]}")
    longest = max(s.shape[0] for s in sequences)
    padded = [_pad_dim0(s, *((0, longest - s.shape[0]) if padding_side == "right" else (longest - s.shape[0], 0)),
                        padding_value) for s in sequences]
    return ops.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The inverse of ``pad_sequence``: the list of sequences, each cut to its length."""
    if not batch_first:
        padded_sequences = ops.transpose(padded_sequences, 0, 1)
    return [padded_sequences[i, :n] for i, n in enumerate(_int_list("unpad_sequence", lengths))]


def _pack(padded, batch_sizes, sorted_indices, unsorted_indices):
    """A PackedSequence of the time-major ``padded`` (T, N, *) whose batch is in the original order."""
    if sorted_indices is not None:
        padded = ops.index_select(padded, 1, sorted_indices)
    steps = [padded[t, :n] for t, n in enumerate(batch_sizes.tolist())]
    return PackedSequence(ops.cat(steps), batch_sizes, sorted_indices, unsorted_indices)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack ``input`` (T, N, *) — (N, T, *) with ``batch_first`` — whose sequence n is ``lengths[n]`` steps long.
    ``enforce_sorted=True`` requires decreasing lengths; otherwise the batch is sorted here (and unsorted again by
    ``pad_packed_sequence``)."""
    lengths = _int_list("pack_padded_sequence", lengths)
    if input.ndim < 2:
        raise IndexError(f"pack_padded_sequence: the input needs a time and a batch dim, got {input.ndim} dim(s) "
                         f"(shape {list(input.shape)})")
    if batch_first:
        input = ops.transpose(input, 0, 1)
    if len(lengths) != input.shape[1]:
        raise RuntimeError(f"pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={input.shape[1]})")
    if min(lengths) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if max(lengths) > input.shape[0]:
        raise RuntimeError(f"pack_padded_sequence: a length ({max(lengths)}) exceeds the {input.shape[0]} time steps "
                           f"of the input")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                               "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = numpy.argsort(-numpy.array(lengths), kind="stable")
        sorted_indices = tensor(order, device=input.device)
    counts = numpy.array(lengths)
    batch_sizes = tensor([int((counts > t).sum()) for t in range(max(lengths))])
    return _pack(input, batch_sizes, sorted_indices, invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of ``pack_padded_sequence``: ``(padded, lengths)``, ``padded`` (T, N, *) — (N, T, *) with
    ``batch_first`` — in the original batch order, T the longest length (or ``total_length``)."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.tolist()
    steps = len(batch_sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, but got "
                         f"total_length={total_length} and max sequence length being {steps}")
    rows, offset = [], 0
    for n in batch_sizes:
        rows.append(_pad_dim0(data[offset:offset + n], 0, batch_sizes[0] - n, padding_value))
        offset += n
    padded = ops.stack(rows)
    if total_length is not None and total_length > steps:
        padded = _pad_dim0(padded, 0, total_length - steps, padding_value)
    lengths = numpy.array([sum(1 for n in batch_sizes if n > b) for b in range(batch_sizes[0])])
    if sequence.unsorted_indices is not None:
        padded = ops.index_select(padded, 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu().numpy()]
    return (ops.transpose(padded, 0, 1) if batch_first else padded), tensor(lengths)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (each (L_i, *features)): ``pack_padded_sequence(pad_sequence(sequences), ...)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The inverse of ``pack_sequence``: the list of sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
