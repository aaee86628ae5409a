"""``tf.contrib.seq2seq``'s decoding loop: a *decoder* runs a cell one step at a time, and a *helper* decides what
the cell reads at the next step and when an example is finished::

    helper = tf.contrib.seq2seq.TrainingHelper(target_inputs, target_lengths)            # teacher forcing
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, initial_state, output_layer=tf.layers.Dense(vocab))
    outputs, final_state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder)
    logits, ids = outputs.rnn_output, outputs.sample_id                                  # [batch, time, ...]

One step of ``BasicDecoder`` (``x_t`` the inputs, ``s`` the state)::

    o_t, s_t  = cell(x_t, s_(t-1));   o_t = output_layer(o_t)          (if there is an output layer)
    id_t      = helper.sample(o_t)                                      (argmax, or a draw)
    finished, x_(t+1) = helper.next_inputs(id_t)

The helpers:

* ``TrainingHelper`` (teacher forcing): ``x_(t+1)`` is step t+1 of the given ``inputs``, whatever was predicted;
  an example is finished once ``t + 1 >= sequence_length``. So the decode is ``dynamic_rnn`` plus an output layer.
* ``GreedyEmbeddingHelper`` (inference): ``x_0 = embed(start_tokens)``, ``x_(t+1) = embed(argmax o_t)``; an
  example is finished when its ``id_t == end_token`` (the end token's step is emitted).
* ``SampleEmbeddingHelper``: the same, with ``id_t`` drawn from ``softmax(o_t / temperature)``.

``dynamic_decode`` runs the steps in a ``tf.while_loop`` until every example is finished (or after
``maximum_iterations`` steps), writing each step's outputs to a ``TensorArray`` (as ``dynamic_rnn`` does, rnn.py),
so its gradient is the while_loop's: training through a ``TrainingHelper`` is differentiable end to end. An example
that finished keeps running with the others (its outputs are whatever the cell makes of its inputs) unless
``impute_finished=True``, which writes zeros for its outputs and keeps its state as it was.
``final_sequence_lengths[b]`` is the number of steps up to and including the one where example b finished.
"""
import collections

from ..backend import dtypes
from .array_ops import fill, gather, shape, size, transpose, where, zeros, zeros_like
from .basics import constant, name_scope
from .core import TensorShape
from .frontend import convert_to_tensor
from .function_graph import flatten, pack
from .loops import while_loop
from .math_ops import argmax, cast, equal, logical_not, logical_or, minimum, reduce_all
from .nn_training import embedding_lookup
from .random_ops import multinomial
from .rnn_cell import check_rnn_cell_like, dims_of
from .tensor_array import TensorArray
from .variable_scope import variable_scope


# --------------------------------------------------------------------------------------------------- helpers

class Helper:
    """What a decoder asks of a helper: ``batch_size``, ``sample_ids_shape`` / ``sample_ids_dtype`` (one
    example's sample id), ``initialize() -> (finished, first_inputs)``, ``sample(time, outputs, state) -> ids``
    and ``next_inputs(time, outputs, state, sample_ids) -> (finished, next_inputs, next_state)``."""
    sample_ids_shape = TensorShape([])
    sample_ids_dtype = dtypes.int32


class TrainingHelper(Helper):
    """Teacher forcing: step t reads ``inputs[:, t]`` ([batch, time, depth], or [time, batch, depth] with
    ``time_major``); example b is finished after ``sequence_length[b]`` steps. ``sample`` is the argmax of the
    outputs (only reported; it does not feed back)."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with name_scope(name or "TrainingHelper"):
            inputs = convert_to_tensor(inputs)
            self._inputs = inputs if time_major else transpose(inputs, [1, 0] + list(range(2, inputs.shape.rank)))
            self._lengths = cast(convert_to_tensor(sequence_length), dtypes.int32)
            if self._lengths.shape.rank != 1:
                raise ValueError(f"Expected sequence_length to be a vector, but received shape: "
                                 f"{self._lengths.shape}")
            self._batch_size = size(self._lengths)
            # the last step that exists: the step read is clamped to it (see _read)
            self._last = shape(self._inputs)[0] - 1

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._lengths

    @property
    def batch_size(self):
        return self._batch_size

    def initialize(self, name=None):
        return self._read(0)

    def sample(self, time, outputs, state, name=None):
        return argmax(outputs, -1, output_type=dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished, inputs = self._read(time + 1)
        return finished, inputs, state

    def _read(self, time):
        """``(finished, inputs at step time)``; zeros once every example is finished, as TF does. TF reads the
        step only then (``tf.cond``); here it is read in any case, so the index is clamped to the last step."""
        finished = time >= self._lengths
        step = gather(self._inputs, minimum(time, self._last))
        return finished, where(reduce_all(finished), zeros_like(step), step)


class GreedyEmbeddingHelper(Helper):
    """Inference: the argmax of each step's outputs, embedded, is the next step's inputs; the first step reads
    ``embed(start_tokens)``. ``embedding`` is a [vocabulary, depth] params tensor (looked up with
    ``embedding_lookup``) or a callable ``ids -> inputs``. Example b is finished at the step whose id is
    ``end_token``."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embed = embedding if callable(embedding) else lambda ids: embedding_lookup(embedding, ids)
        self._start_tokens = cast(convert_to_tensor(start_tokens), dtypes.int32)
        self._end_token = cast(convert_to_tensor(end_token), dtypes.int32)
        if self._start_tokens.shape.rank != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.rank != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = size(self._start_tokens)
        self._start_inputs = self._embed(self._start_tokens)

    @property
    def batch_size(self):
        return self._batch_size

    def initialize(self, name=None):
        return equal(zeros_like(self._start_tokens), 1), self._start_inputs      # nobody finished yet

    def sample(self, time, outputs, state, name=None):
        return argmax(outputs, -1, output_type=dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        # TF feeds the start inputs once all are finished (tf.cond); the loop stops then, so they are never read
        return equal(sample_ids, self._end_token), self._embed(sample_ids), state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """``GreedyEmbeddingHelper`` that draws each id from ``softmax(outputs / softmax_temperature)`` instead of
    taking the argmax."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None, seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        logits = outputs if self._temperature is None else outputs / self._temperature
        return multinomial(logits, 1, seed=self._seed, output_dtype=dtypes.int32)[:, 0]


# -------------------------------------------------------------------------------------------------- decoders

class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))):
    """One step's (or, stacked, every step's) outputs of a ``BasicDecoder``."""


class Decoder:
    """What ``dynamic_decode`` asks of a decoder: ``batch_size``; ``output_size`` and ``output_dtype`` (nests
    giving one example's output shapes and dtypes); ``initialize() -> (finished, inputs, state)``;
    ``step(time, inputs, state) -> (outputs, state, next_inputs, finished)``. ``finalize`` may rework the stacked
    outputs; ``tracks_own_finished`` is False: ``dynamic_decode`` keeps an example finished once it is (True: it
    takes the decoder's ``finished`` as is, for a decoder whose slots can come back to life, like beam search)."""
    tracks_own_finished = False

    def finalize(self, outputs, final_state, sequence_lengths):
        raise NotImplementedError


class BasicDecoder(Decoder):
    """``cell`` (and ``output_layer``, e.g. a ``tf.layers.Dense`` to the vocabulary) run one step at a time,
    ``helper`` choosing the inputs; starts from ``initial_state``. See the module docstring."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        check_rnn_cell_like(cell, f"cell must be an RNNCell or an object like one, received: {type(cell).__name__}")
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper).__name__}")
        if output_layer is not None and not callable(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer).__name__}")
        self._cell, self._helper, self._initial_state = cell, helper, initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    @property
    def output_size(self):
        # a tf.layers.Dense knows its units; TF asks the layer for its output shape
        rnn_size = self._cell.output_size if self._output_layer is None else self._output_layer.units
        return BasicDecoderOutput(rnn_size, self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        return BasicDecoderOutput(flatten(self._initial_state)[0].dtype, self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        return (*self._helper.initialize(), self._initial_state)

    def step(self, time, inputs, state, name=None):
        outputs, cell_state = self._cell(inputs, state)
        if self._output_layer is not None:
            outputs = self._output_layer(outputs)
        sample_ids = self._helper.sample(time=time, outputs=outputs, state=cell_state)
        finished, next_inputs, next_state = self._helper.next_inputs(time=time, outputs=outputs, state=cell_state,
                                                                     sample_ids=sample_ids)
        return BasicDecoderOutput(outputs, sample_ids), next_state, next_inputs, finished


def dynamic_decode(decoder, output_time_major=False, impute_finished=False, maximum_iterations=None,
                   parallel_iterations=32, swap_memory=False, scope=None):
    """Run ``decoder`` until every example is finished or ``maximum_iterations`` steps ran (module docstring).

    Returns ``(final_outputs, final_state, final_sequence_lengths)``: the outputs stacked along time
    ([batch, time, ...], or [time, batch, ...] with ``output_time_major``) in the structure of
    ``decoder.output_size``, the state after the last step, and the [batch] int32 number of steps each example ran
    until it finished (``maximum_iterations`` counts as finishing). Variables are made in the scope ``scope``
    (default ``"decoder"``). ``parallel_iterations`` and ``swap_memory`` are accepted for compatibility.
    """
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder).__name__}")
    with variable_scope(scope, default_name="decoder"):
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, dtype=dtypes.int32, name="maximum_iterations")
            if maximum_iterations.shape.rank != 0:
                raise ValueError("maximum_iterations must be a scalar")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        if maximum_iterations is not None:
            initial_finished = logical_or(initial_finished, 0 >= maximum_iterations)
        batch = initial_finished.shape[0]             # static, or None
        batch_size = decoder.batch_size if batch is None else batch
        output_size, output_dtype = flatten(decoder.output_size), flatten(decoder.output_dtype)
        zero_outputs = [zeros([batch_size] + dims_of(s), d) for s, d in zip(output_size, output_dtype)]
        initial_outputs = [TensorArray(d, size=0, dynamic_size=True, element_shape=[batch] + dims_of(s))
                           for s, d in zip(output_size, output_dtype)]

        def condition(time, outputs, state, inputs, finished, lengths):
            return logical_not(reduce_all(finished))

        def body(time, outputs, state, inputs, finished, lengths):
            step_outputs, step_state, next_inputs, step_finished = decoder.step(time, inputs, state)
            next_finished = step_finished if decoder.tracks_own_finished else logical_or(step_finished, finished)
            if maximum_iterations is not None:
                next_finished = logical_or(next_finished, time + 1 >= maximum_iterations)
            # an example still running at this step has run time + 1 steps so far
            lengths = where(logical_not(finished), fill(shape(lengths), time + 1), lengths)
            emit = flatten(step_outputs)
            if impute_finished:
                emit = [where(finished, zero, out) for out, zero in zip(emit, zero_outputs)]
                step_state = pack(step_state, [_copy_finished(finished, new, old)
                                               for new, old in zip(flatten(step_state), flatten(state))])
            outputs = [ta.write(time, out) for ta, out in zip(outputs, emit)]
            return time + 1, outputs, step_state, next_inputs, next_finished, lengths

        loop_vars = [constant(0, dtypes.int32), initial_outputs, initial_state, initial_inputs, initial_finished,
                     zeros_like(initial_finished, dtypes.int32)]
        _, final_outputs, final_state, _, _, final_lengths = while_loop(
            condition, body, loop_vars, parallel_iterations=parallel_iterations,
            maximum_iterations=maximum_iterations, swap_memory=swap_memory)
        final_outputs = pack(decoder.output_size, [ta.stack() for ta in final_outputs])
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state, final_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = pack(final_outputs, [_swap_batch_time(out) for out in flatten(final_outputs)])
        return final_outputs, final_state, final_lengths


def _copy_finished(finished, new, old):
    """A state part for ``impute_finished``: the old value for the finished examples. TensorArrays and scalars
    (e.g. a step counter) are shared by the whole batch and pass through."""
    if isinstance(new, TensorArray) or new.shape.rank == 0:
        return new
    return where(finished, old, new)


def _swap_batch_time(x):
    """[time, batch, ...] -> [batch, time, ...]."""
    return transpose(x, [1, 0] + list(range(2, x.shape.rank)))


__all__ = ["Helper", "TrainingHelper", "GreedyEmbeddingHelper", "SampleEmbeddingHelper", "Decoder", "BasicDecoder",
           "BasicDecoderOutput", "dynamic_decode"]
