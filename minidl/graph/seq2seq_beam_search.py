"""``tf.contrib.seq2seq``'s beam search: decode keeping the ``beam_width`` best partial sequences (*beams*) of
each example instead of only the single greedy one::

    state = tf.contrib.seq2seq.tile_batch(encoder_state, multiplier=beam_width)       # [batch * beam_width, ...]
    decoder = tf.contrib.seq2seq.BeamSearchDecoder(cell, embedding, start_tokens, end_token, state, beam_width,
                                                   output_layer=tf.layers.Dense(vocab))
    outputs, final_state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=max_len)
    ids = outputs.predicted_ids                        # [batch, time, beam_width], the best beam first

The cell runs on ``batch * beam_width`` rows (example b's beams are rows ``b * beam_width ...``, the layout
``tile_batch`` makes); the search itself sees them as [batch, beam_width]. One step, for every beam k of an example,
with ``logp_k`` the beam's log-probability so far and ``len_k`` its length::

    cand[k, w]  = logp_k + log_softmax(logits_k)[w]       a still-running beam, extended by word w
    cand[k, w]  = logp_k + (0 if w == end_token else -big) a finished beam: only end_token, at no cost
    score[k, w] = cand[k, w] / ((5 + len(k, w)) / 6) ** length_penalty_weight      (GNMT's length penalty)
    the beam_width best (k, w) of all beam_width * vocab  ->  next beams: parent k, word w, logp cand[k, w]

``len(k, w)`` is ``len_k + 1`` unless the beam had finished or w is end_token: as in TF, the end token counts in
a beam's length (its ``lengths``) but is left out of its score's penalty at the step it is chosen. The cell
state of each next beam is its parent's. At the start only beam 0 is alive (the others start finished with
log-probability -inf), so the first step expands one beam instead of ``beam_width`` identical copies.
A beam finishes when it emits ``end_token``; the decoder reports its own ``finished`` (``tracks_own_finished``):
a slot's beam can be replaced by a running one.

Each step records, per slot, its score, word and parent slot; ``finalize`` follows the parents back from the last
step (``gather_tree``) to spell out every final beam's whole sequence. With ``coverage_penalty_weight`` (an
``AttentionWrapper`` cell only) the score of a finished beam also adds ``weight * Σ_j log(min(a_j, 1))``, ``a_j``
the attention the beam has paid so far to memory step j (GNMT's coverage penalty).
"""
import collections

import numpy

from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from . import errors
from .array_ops import (concat, expand_dims, fill, one_hot, range as range_, reshape, shape, size,
                        stack, tile, where, where_v2, zeros, zeros_like)
from .basics import name_scope
from .core import TensorShape
from .frontend import convert_to_tensor
from .function_graph import flatten, pack
from .math_ops import (cast, constant_value, equal, floordiv, floormod, log, logical_and, logical_not, logical_or,
                       minimum, reduce_max, reduce_sum)
from .nd_indexing_ops import batch_gather, gather_nd
from .nn_ops import log_softmax
from .nn_training import embedding_lookup
from .rnn_cell import check_rnn_cell_like
from .seq2seq_attention import AttentionWrapperState
from .seq2seq_decoding import Decoder
from .sort_ops import top_k
from .tensor_array import TensorArray


# ------------------------------------------------------------------------------------------- tile_batch

def tile_batch(t, multiplier, name=None):
    """Every batch entry of each tensor in the nest ``t`` repeated ``multiplier`` times in a row: [batch, ...] ->
    [batch * multiplier, ...], rows ``b * multiplier ... b * multiplier + multiplier - 1`` copies of row b (so a
    state or memory lines up with the beams). ``tile`` of [batch, 1, ...] along the new axis, then a reshape."""
    with name_scope(name or "tile_batch"):
        return pack(t, [_tile_one(convert_to_tensor(leaf), multiplier) for leaf in flatten(t)])


def _tile_one(t, multiplier):
    if not t.shape.rank_known or t.shape.rank < 1:
        raise ValueError("t must have statically known rank")
    tiled = tile(expand_dims(t, 1), [1, multiplier] + [1] * (t.shape.rank - 1))
    runtime_shape = shape(t)
    tiled = reshape(tiled, concat([runtime_shape[:1] * multiplier, runtime_shape[1:]], 0))
    batch = t.shape[0]
    tiled.set_shape([None if batch is None else batch * multiplier] + t.shape.as_list()[1:])
    return tiled


# ------------------------------------------------------------------------------------------ gather_tree

class GatherTree(Op):
    """Every beam's full sequence from per-step ids and parent beams, all [max_time, batch, beam_width].

    For beam k of example b: its last id is ``step_ids[L-1, b, k]`` (``L = min(max_sequence_lengths[b],
    max_time)``); then, walking back, ``p = parent_ids[t, b, p]`` is the beam it came from at step t - 1, whose
    id there is ``step_ids[t - 1, b, p]``. Steps from L on, and those after the first ``end_token``, are
    ``end_token``. All beams walk back together, one step per iteration. Integer-valued: no gradient."""
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, step_ids, parent_ids, max_sequence_lengths, end_token):
        max_time, batch, beam_width = step_ids.shape
        if parent_ids.shape != step_ids.shape:
            raise errors.InvalidArgumentError(None, None, f"step_ids.shape {step_ids.shape} != parent_ids.shape "
                                                          f"{parent_ids.shape}")
        if max_sequence_lengths.shape != (batch,):
            raise errors.InvalidArgumentError(None, None, f"max_sequence_lengths must have shape ({batch},), got "
                                                          f"{max_sequence_lengths.shape}")
        if ((parent_ids < 0) | (parent_ids >= beam_width)).any():
            raise errors.InvalidArgumentError(None, None, f"parent_ids must be in [0, {beam_width})")
        live = xp.arange(max_time)[:, None] < max_sequence_lengths[None, :]           # [time, batch]
        out = xp.full(step_ids.shape, end_token, dtype=step_ids.dtype)
        beam = xp.broadcast_to(xp.arange(beam_width), (batch, beam_width))           # the slot read at step t
        for t in reversed(range(max_time)):
            # past a sequence's end the walk has not started: it starts, at step L - 1, from the beam's own slot
            here = live[t][:, None]
            out[t] = xp.where(here, xp.take_along_axis(step_ids[t], beam, 1), end_token)
            beam = xp.where(here, xp.take_along_axis(parent_ids[t], beam, 1), beam)
        # a step after the first end_token (the one after it is the first to count) is end_token too
        ended = xp.cumsum(out == end_token, axis=0) > 0
        out[1:] = xp.where(ended[:-1], end_token, out[1:])
        return out

    @staticmethod
    def infer(step_ids, parent_ids, max_sequence_lengths, end_token):
        return Spec(step_ids.shape, step_ids.dtype)


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name=None):
    """The full sequence of every beam (``GatherTree``): ``step_ids``, ``parent_ids`` [max_time, batch,
    beam_width] int32, ``max_sequence_lengths`` [batch], ``end_token`` a scalar; returns [max_time, batch,
    beam_width] int32."""
    with name_scope(name or "GatherTree"):
        step_ids = cast(convert_to_tensor(step_ids), dtypes.int32)
        parent_ids = cast(convert_to_tensor(parent_ids), dtypes.int32)
        lengths = cast(convert_to_tensor(max_sequence_lengths), dtypes.int32)
        end_token = cast(convert_to_tensor(end_token), dtypes.int32)
        for what, tensor, rank in (("step_ids", step_ids, 3), ("parent_ids", parent_ids, 3),
                                   ("max_sequence_lengths", lengths, 1), ("end_token", end_token, 0)):
            if tensor.shape.rank_known and tensor.shape.rank != rank:
                raise ValueError(f"{what} must be of rank {rank}, got shape {tensor.shape}")
        return apply(GatherTree, step_ids, parent_ids, lengths, end_token)


# ------------------------------------------------------------------------------------- BeamSearchDecoder

def _known_zero(weight):
    """Whether the graph knows the scalar ``weight`` is 0 (a weight fed at run time may be anything)."""
    try:
        return constant_value(weight, "weight") == 0
    except NotImplementedError:
        return False


class BeamSearchDecoderOutput(collections.namedtuple("BeamSearchDecoderOutput",
                                                     ("scores", "predicted_ids", "parent_ids"))):
    """One step's (stacked: every step's) [batch, beam_width] scores, chosen words and parent slots."""


class BeamSearchDecoderState(collections.namedtuple(
        "BeamSearchDecoderState", ("cell_state", "log_probs", "finished", "lengths", "accumulated_attention_probs"))):
    """The cell's state ([batch, beam_width, ...]), each beam's log-probability, whether it finished, its length
    (int64, the end token included) and, with a coverage penalty, its summed attention ([batch, beam, T]; else
    ``()``)."""


class FinalBeamSearchDecoderOutput(collections.namedtuple("FinalBeamSearchDecoderOutput",
                                                          ("predicted_ids", "beam_search_decoder_output"))):
    """``predicted_ids``: every final beam's full sequence (``gather_tree``); ``beam_search_decoder_output``: the
    per-step ``BeamSearchDecoderOutput``."""


class BeamSearchDecoder(Decoder):
    """Beam search over ``cell`` (module docstring). ``embedding``: a [vocabulary, depth] tensor or a callable
    ``ids -> inputs``; ``start_tokens`` [batch]; ``end_token`` a scalar; ``initial_state`` the cell's state for
    ``batch * beam_width`` rows (``tile_batch``); ``output_layer`` maps the cell's outputs to the vocabulary's
    logits. ``reorder_tensor_arrays``: in the final state, a TensorArray's steps (an attention history) are put
    in the order of the final beams' ancestry, as a stacked [time, batch * beam_width, ...] tensor."""
    tracks_own_finished = True

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state, beam_width, output_layer=None,
                 length_penalty_weight=0.0, coverage_penalty_weight=0.0, reorder_tensor_arrays=True):
        check_rnn_cell_like(cell, f"cell must be an RNNCell or an object like one, received: {type(cell).__name__}")
        if output_layer is not None and not callable(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer).__name__}")
        self._cell, self._output_layer, self._beam_width = cell, output_layer, beam_width
        self._reorder_tensor_arrays = reorder_tensor_arrays
        self._embed = embedding if callable(embedding) else lambda ids: embedding_lookup(embedding, ids)
        start_tokens = cast(convert_to_tensor(start_tokens), dtypes.int32)
        self._end_token = cast(convert_to_tensor(end_token), dtypes.int32)
        if start_tokens.shape.rank != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.rank != 0:
            raise ValueError("end_token must be a scalar")
        self._length_penalty = convert_to_tensor(length_penalty_weight, dtype=dtypes.float32)
        self._coverage_penalty = convert_to_tensor(coverage_penalty_weight, dtype=dtypes.float32)
        # TF leaves the penalty out of the graph when its weight is known to be 0
        self._use_length_penalty, self._use_coverage = (not _known_zero(w) for w in (self._length_penalty,
                                                                                  self._coverage_penalty))
        self._batch_size = size(start_tokens)
        self._static_batch = start_tokens.shape[0]
        self._initial_cell_state = pack(initial_state, [self._split(s) for s in flatten(initial_state)])
        self._start_inputs = self._embed(tile(expand_dims(start_tokens, 1), [1, beam_width]))
        self._dtype = flatten(initial_state)[0].dtype

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def output_size(self):
        return BeamSearchDecoderOutput(*[TensorShape([self._beam_width])] * 3)

    @property
    def output_dtype(self):
        return BeamSearchDecoderOutput(self._dtype, dtypes.int32, dtypes.int32)

    def initialize(self, name=None):
        # only beam 0 is alive: the others are finished with log-probability -inf, so they are never chosen
        beam_0 = zeros([self._batch_size], dtypes.int32)
        finished = one_hot(beam_0, self._beam_width, on_value=False, off_value=True, dtype=dtypes.bool_)
        log_probs = one_hot(beam_0, self._beam_width, on_value=0.0, off_value=-numpy.inf, dtype=self._dtype)
        state = BeamSearchDecoderState(cell_state=self._initial_cell_state, log_probs=log_probs, finished=finished,
                                       lengths=zeros([self._batch_size, self._beam_width], dtypes.int64),
                                       accumulated_attention_probs=self._attention(self._initial_cell_state, 0.0))
        return finished, self._start_inputs, state

    def step(self, time, inputs, state, name=None):
        """The cell on all ``batch * beam_width`` rows, then the search step of the module docstring."""
        cell_state = pack(state.cell_state, [self._merge(s) for s in flatten(state.cell_state)])
        outputs, cell_state = self._cell(self._merge(inputs), cell_state)
        if self._output_layer is not None:
            outputs = self._output_layer(outputs)
        logits = self._split(outputs)                                                   # [batch, beam, vocab]
        cell_state = pack(cell_state, [self._split(s) for s in flatten(cell_state)])
        vocab_size = logits.shape[-1] or shape(logits)[-1]

        not_finished = logical_not(state.finished)
        is_end = equal(range_(vocab_size), self._end_token)                             # [vocab]
        # a finished beam may only go on with end_token, at no cost; the other words get the dtype's lowest value
        # (as TF does: finite, so a live beam's candidate is never nan)
        finished_row = one_hot(self._end_token, vocab_size, on_value=0.0,
                               off_value=numpy.finfo(self._dtype.name).min, dtype=self._dtype)
        step_log_probs = where_v2(expand_dims(state.finished, 2), finished_row, log_softmax(logits))
        total = expand_dims(state.log_probs, 2) + step_log_probs                        # [batch, beam, vocab]
        # a candidate is one word longer, unless its beam had finished or the word is the end token (TF's rule)
        grows = logical_and(expand_dims(not_finished, 2), logical_not(is_end))
        candidate_lengths = expand_dims(state.lengths, 2) + cast(grows, dtypes.int64)
        coverage = self._attention(cell_state, not_finished)
        if self._use_coverage:
            coverage = state.accumulated_attention_probs + coverage
        scores = self._scores(total, candidate_lengths, state.finished, coverage)

        best, flat_index = top_k(reshape(scores, [self._batch_size, -1]), self._beam_width)
        best.set_shape([self._static_batch, self._beam_width])
        flat_index.set_shape([self._static_batch, self._beam_width])
        word = floormod(flat_index, vocab_size)
        parent = floordiv(flat_index, vocab_size)
        was_finished = batch_gather(state.finished, parent)
        next_state = BeamSearchDecoderState(
            cell_state=pack(cell_state, [self._from_parents(s, parent) for s in flatten(cell_state)]),
            log_probs=batch_gather(reshape(total, [self._batch_size, -1]), flat_index),
            finished=logical_or(was_finished, equal(word, self._end_token)),
            # the end token counts in the length; nothing counts after it
            lengths=batch_gather(state.lengths, parent) + cast(logical_not(was_finished), dtypes.int64),
            accumulated_attention_probs=batch_gather(coverage, parent) if self._use_coverage else ())
        # dynamic_decode stops once every beam finished, so the next inputs are never the start inputs TF feeds then
        return (BeamSearchDecoderOutput(best, word, parent), next_state, self._embed(word), next_state.finished)

    def finalize(self, outputs, final_state, sequence_lengths):
        """Spell out every final beam (``gather_tree`` over the time-major outputs), up to the longest beam of
        each example; reorder the TensorArrays of the cell state when asked."""
        max_lengths = cast(reduce_max(final_state.lengths, 1), dtypes.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids, max_lengths, self._end_token)
        if self._reorder_tensor_arrays:
            cell_state = final_state.cell_state
            final_state = final_state._replace(cell_state=pack(cell_state, [
                self._sort_array(s, outputs.parent_ids, max_lengths) for s in flatten(cell_state)]))
        return FinalBeamSearchDecoderOutput(predicted_ids, outputs), final_state

    # ----------------------------------------------------------------------------------- the search's parts

    def _scores(self, log_probs, lengths, finished, coverage):
        """The log-probabilities divided by the length penalty, plus the coverage penalty of finished beams."""
        scores = log_probs
        if self._use_length_penalty:
            scores = scores / ((5.0 + cast(lengths, self._dtype)) / 6.0) ** self._length_penalty
        if self._use_coverage:
            # memory steps no beam ever attended (padding) are left out: log(1) = 0
            attended = where(equal(coverage, 0.0), fill(shape(coverage), 1.0), coverage)
            penalty = reduce_sum(log(minimum(attended, 1.0)), 2) * cast(finished, self._dtype)
            scores = scores + expand_dims(penalty * self._coverage_penalty, 2)
        return scores

    def _attention(self, cell_state, alive):
        """With a coverage penalty: the attention each beam paid at this step ([batch, beam, T]), zero for the
        beams not ``alive`` (a mask, or 0.0 for the empty sum before the first step). Otherwise ``()``."""
        if not self._use_coverage:
            return ()
        if not isinstance(cell_state, AttentionWrapperState):
            raise ValueError("coverage_penalty_weight needs an AttentionWrapper cell")
        if isinstance(alive, float):
            return zeros_like(cell_state.alignments)
        return cell_state.alignments * expand_dims(cast(alive, self._dtype), 2)

    def _split(self, t):
        """[batch * beam_width, ...] -> [batch, beam_width, ...]; TensorArrays and scalars pass through."""
        if isinstance(t, TensorArray) or t.shape.rank == 0:
            return t
        split = reshape(t, concat([stack([self._batch_size, self._beam_width]), shape(t)[1:]], 0))
        split.set_shape([self._static_batch, self._beam_width] + t.shape.as_list()[1:])
        return split

    def _merge(self, t):
        """[batch, beam_width, ...] -> [batch * beam_width, ...]; TensorArrays and scalars pass through."""
        if isinstance(t, TensorArray) or t.shape.rank == 0:
            return t
        merged = reshape(t, concat([[-1], shape(t)[2:]], 0))
        merged.set_shape([None if self._static_batch is None else self._static_batch * self._beam_width]
                         + t.shape.as_list()[2:])
        return merged

    def _from_parents(self, t, parent):
        """Each next beam's part of the cell state: its parent's. TensorArrays (written by every row alike) and
        scalars pass through."""
        if isinstance(t, TensorArray) or t.shape.rank == 0:
            return t
        return batch_gather(t, parent)

    def _sort_array(self, t, parent_ids, max_lengths):
        """A TensorArray written once per step with [batch * beam_width, ...] rows, stacked and put in the order of
        the final beams: at step s, final beam k's row is that of its ancestor at s (``gather_tree`` of the slot
        numbers). Past an example's longest beam the rows stay where they are; other state parts pass
        through."""
        if not isinstance(t, TensorArray):
            return t
        stacked = t.stack()                                                             # [time, batch * beam, ...]
        max_time = shape(parent_ids)[0]
        slots = tile(reshape(range_(self._beam_width), [1, 1, -1]), stack([max_time, self._batch_size, 1]))
        # beam_width is no slot, so it never ends a walk early the way end_token does
        ancestors = gather_tree(slots, parent_ids, max_lengths, self._beam_width)
        ancestors = where(equal(ancestors, self._beam_width), slots, ancestors)
        time_index = tile(reshape(range_(max_time), [-1, 1, 1]), stack([1, self._batch_size, self._beam_width]))
        batch_index = tile(reshape(range_(self._batch_size), [1, -1, 1]), stack([max_time, 1, self._beam_width]))
        per_beam = reshape(stacked, concat([stack([max_time, self._batch_size, self._beam_width]),
                                            shape(stacked)[2:]], 0))
        ordered = gather_nd(per_beam, stack([time_index, batch_index, ancestors], -1))
        return reshape(ordered, shape(stacked))


__all__ = ["tile_batch", "gather_tree", "BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState",
           "FinalBeamSearchDecoderOutput"]
