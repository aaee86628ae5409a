"""``tf.contrib.legacy_seq2seq``: TF's first sequence-to-sequence library (the "translate" tutorial's), which works
on Python lists with one tensor per time step (as ``static_rnn`` does) — symbol ids [batch] for the models that
embed their inputs, [batch, features] otherwise::

    outputs, state = legacy_seq2seq.embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell,
                                                          num_encoder_symbols=V, num_decoder_symbols=V,
                                                          embedding_size=32, feed_previous=not training)
    loss = legacy_seq2seq.sequence_loss(outputs, targets, weights)

**Decoding.** ``rnn_decoder`` calls the cell once per step, its variables shared by all steps. With
``loop_function(prev, i)``, every step after the first gets that function of the previous step's *output* as its
input instead of the given one — feeding a model its own predictions when it generates. The embedding models
offer this as ``feed_previous=True``: step i > 0 gets ``embedding[argmax(prev @ W + B)]``, the embedding of the
symbol the previous step liked best (greedy decoding; (W, B) is the ``output_projection``, if the outputs are not
logits already). ``feed_previous`` may also be a boolean scalar tensor: the decoder is then built both ways and
``tf.cond`` picks one per run, the variables shared — one graph that trains and generates.

**Models.** Each encodes the input list with an RNN and starts the decoder from the encoder's final state:

* ``basic_rnn_seq2seq``: the encoder a copy of ``cell`` (its own variables); ``tied_rnn_seq2seq``: one set of
  variables for both.
* ``embedding_rnn_seq2seq``: ids in, each side with its own embedding (the encoder's made by ``EmbeddingWrapper``,
  rnn_wrappers.py); unless an ``output_projection`` is given, the decoder cell is wrapped in an
  ``OutputProjectionWrapper`` so that its outputs are logits over ``num_decoder_symbols``.
  ``embedding_tied_rnn_seq2seq``: one embedding and one cell for both sides.
* ``one2many_rnn_seq2seq``: one encoder, several named decoders (multi-task learning).
* ``embedding_attention_seq2seq`` and the attention decoders: legacy_seq2seq_attention.py.

**Buckets.** ``model_with_buckets`` builds the model once per (encoder length, decoder length) bucket on the first
steps of the input lists, every bucket sharing the variables, with each bucket's ``sequence_loss`` (the losses are
in contrib_seq2seq.py): a short batch runs the small graph instead of being padded to the longest sentence.
"""
import copy

from .array_ops import shape
from .basics import name_scope, stop_gradient
from .contrib_seq2seq import legacy_sequence_loss, sequence_loss_by_example
from .control_flow import cond
from .dtypes import float32
from .frontend import convert_to_tensor
from .math_ops import argmax
from .nn_ops import xw_plus_b
from .nn_training import embedding_lookup
from .rnn import static_rnn
from .rnn_cell import RNNCell
from .rnn_wrappers import EmbeddingWrapper, OutputProjectionWrapper
from .variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["basic_rnn_seq2seq", "embedding_rnn_decoder", "embedding_rnn_seq2seq", "embedding_tied_rnn_seq2seq",
           "model_with_buckets", "one2many_rnn_seq2seq", "rnn_decoder", "tied_rnn_seq2seq"]


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """Run ``cell`` over the list ``decoder_inputs`` from ``initial_state``; returns (the list of outputs, the last
    state). ``loop_function(prev, i)`` makes each step's input from the previous output (see the module
    docstring)."""
    with variable_scope(scope or "rnn_decoder"):
        state, outputs, previous = initial_state, [], None
        for i, step_input in enumerate(decoder_inputs):
            if loop_function is not None and previous is not None:
                with variable_scope("loop_function", reuse=True):
                    step_input = loop_function(previous, i)
            if i > 0:
                get_variable_scope().reuse_variables()
            output, state = cell(step_input, state)
            outputs.append(output)
            if loop_function is not None:
                previous = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=float32, scope=None):
    """Encode the list ``encoder_inputs`` with a copy of ``cell``, decode ``decoder_inputs`` from its last state
    with ``cell``: (the decoder's outputs, its last state)."""
    with variable_scope(scope or "basic_rnn_seq2seq"):
        _, encoder_state = static_rnn(copy.deepcopy(cell), encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, encoder_state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None, dtype=float32, scope=None):
    """``basic_rnn_seq2seq`` with one set of variables for the encoder and the decoder."""
    with variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, encoder_state = static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, encoder_state, cell, loop_function=loop_function, scope=scope)


# ========================================================================================= embedding models

def _extract_argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    """The ``loop_function`` of ``feed_previous``: ``embedding[argmax(prev @ W + B, 1)]``, (W, B) the
    ``output_projection`` (none: ``prev`` are the logits). With ``update_embedding=False`` no gradient reaches the
    embedding through the fed symbols (none reaches ``prev`` in any case: argmax has no gradient)."""
    def loop_function(prev, _):
        if output_projection is not None:
            prev = xw_plus_b(prev, output_projection[0], output_projection[1])
        embedded = embedding_lookup(embedding, argmax(prev, 1))
        return embedded if update_embedding else stop_gradient(embedded)
    return loop_function


def _check_output_projection(output_projection, num_symbols, dtype):
    """TF's check of ``output_projection = (W, B)``: W [any, num_symbols] and B [num_symbols] (a ValueError)."""
    if output_projection is not None:
        weights, biases = (convert_to_tensor(t, dtype=dtype) for t in output_projection)
        weights.shape.assert_is_compatible_with([None, num_symbols])
        biases.shape.assert_is_compatible_with([num_symbols])


def _embedded_decoder_inputs(decoder_inputs, num_symbols, embedding_size, output_projection, feed_previous,
                             update_embedding_for_previous):
    """What the embedding decoders share: the variable ``embedding`` [num_symbols, embedding_size] in the current
    scope, the decoder inputs looked up in it, and the loop function that ``feed_previous`` asks for (or None)."""
    embedding = get_variable("embedding", [num_symbols, embedding_size])
    loop_function = (_extract_argmax_and_embed(embedding, output_projection, update_embedding_for_previous)
                     if feed_previous else None)
    return [embedding_lookup(embedding, ids) for ids in decoder_inputs], loop_function


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols, embedding_size, output_projection=None,
                          feed_previous=False, update_embedding_for_previous=True, scope=None):
    """``rnn_decoder`` on the embeddings of the symbol ids ``decoder_inputs`` (a list of [batch] int tensors), the
    ``embedding`` [num_symbols, embedding_size] a variable of the scope (default "embedding_rnn_decoder").
    ``feed_previous=True`` feeds each step after the first the embedding of the previous output's argmax (module
    docstring); ``update_embedding_for_previous=False`` keeps the gradient from the embedding rows so fed.
    Returns (outputs, last state)."""
    with variable_scope(scope or "embedding_rnn_decoder") as opened:
        _check_output_projection(output_projection, num_symbols, opened.dtype)
        embedded, loop_function = _embedded_decoder_inputs(decoder_inputs, num_symbols, embedding_size,
                                                           output_projection, feed_previous,
                                                           update_embedding_for_previous)
        return rnn_decoder(embedded, initial_state, cell, loop_function=loop_function)


def _embedding_encoder(cell, encoder_inputs, num_symbols, embedding_size, dtype):
    """The embedding models' encoder: ``static_rnn`` over ``EmbeddingWrapper(cell)`` on the symbol ids
    ``encoder_inputs``, from a zero state — (outputs, final state), the variables ``rnn/embedding_wrapper/...``."""
    return static_rnn(EmbeddingWrapper(cell, num_symbols, embedding_size), encoder_inputs, dtype=dtype)


def _batch_size(step):
    """The size of a step's first dim: an int if the graph knows it, else a scalar tensor."""
    step = convert_to_tensor(step)
    return step.shape[0] if step.shape[0] is not None else shape(step)[0]


def _decode_maybe_feeding_previous(feed_previous, decoder):
    """``decoder(feed_previous, update_embedding_for_previous) -> (outputs, state)`` for a Python bool
    ``feed_previous``. For a boolean tensor, both decoders are built — the one that feeds back creating the
    variables, the other sharing them — and ``tf.cond`` picks one per run; as in TF, the fed embeddings are then
    not trained (``update_embedding_for_previous=False``)."""
    if isinstance(feed_previous, bool):
        return decoder(feed_previous, True)

    def branch(feeding):
        with variable_scope(get_variable_scope(), reuse=None if feeding else True):
            return decoder(feeding, False)
    return cond(feed_previous, lambda: branch(True), lambda: branch(False), strict=True)


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols, num_decoder_symbols,
                          embedding_size, output_projection=None, feed_previous=False, dtype=None, scope=None):
    """Embed the ids ``encoder_inputs`` and encode them with a copy of ``cell``; decode the ids ``decoder_inputs``
    (``embedding_rnn_decoder``, its own embedding) from the encoder's final state. Without ``output_projection`` the
    outputs are logits [batch, num_decoder_symbols]; with it, the cell's outputs. ``feed_previous``: a bool or a
    boolean scalar tensor (module docstring). Returns (outputs, the decoder's last state)."""
    with variable_scope(scope or "embedding_rnn_seq2seq", dtype=dtype) as opened:
        _, encoder_state = _embedding_encoder(copy.deepcopy(cell), encoder_inputs, num_encoder_symbols,
                                             embedding_size, opened.dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
        return _decode_maybe_feeding_previous(feed_previous, lambda feeding, update: embedding_rnn_decoder(
            decoder_inputs, encoder_state, cell, num_decoder_symbols, embedding_size,
            output_projection=output_projection, feed_previous=feeding, update_embedding_for_previous=update))


def embedding_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_symbols, embedding_size,
                               num_decoder_symbols=None, output_projection=None, feed_previous=False, dtype=None,
                               scope=None):
    """``tied_rnn_seq2seq`` on ids: one ``embedding`` [num_symbols, embedding_size] for both sides, one cell —
    wrapped, without ``output_projection``, to give logits over ``num_decoder_symbols`` (default num_symbols: the
    decoder's symbols are the first ones of the shared vocabulary). Returns (outputs, last state)."""
    with variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as opened:
        _check_output_projection(output_projection, num_symbols, opened.dtype)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        embedded_encoder_inputs = [embedding_lookup(embedding, ids) for ids in encoder_inputs]
        embedded_decoder_inputs = [embedding_lookup(embedding, ids) for ids in decoder_inputs]
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_symbols if num_decoder_symbols is None else num_decoder_symbols)

        def decoder(feeding, update_embedding):
            loop_function = _extract_argmax_and_embed(embedding, output_projection, update_embedding) if feeding \
                else None
            return tied_rnn_seq2seq(embedded_encoder_inputs, embedded_decoder_inputs, cell,
                                    loop_function=loop_function, dtype=opened.dtype)
        return _decode_maybe_feeding_previous(feed_previous, decoder)


def one2many_rnn_seq2seq(encoder_inputs, decoder_inputs_dict, enc_cell, dec_cells_dict, num_encoder_symbols,
                         num_decoder_symbols_dict, embedding_size, feed_previous=False, dtype=None, scope=None):
    """One encoder (``enc_cell`` on embedded ids), one decoder per name: ``embedding_rnn_decoder`` with
    ``dec_cells_dict[name]`` wrapped to give logits over ``num_decoder_symbols_dict[name]``, in the scope
    ``one2many_decoder_<name>``, each starting from the encoder's final state. Returns (outputs by name, final
    states by name)."""
    if not isinstance(enc_cell, RNNCell):
        raise TypeError(f"enc_cell is not an RNNCell: {type(enc_cell)}")
    if set(dec_cells_dict) != set(decoder_inputs_dict):
        raise ValueError("keys of dec_cells_dict != keys of decoder_inputs_dict")
    for dec_cell in dec_cells_dict.values():
        if not isinstance(dec_cell, RNNCell):
            raise TypeError(f"dec_cell is not an RNNCell: {type(dec_cell)}")
    outputs_dict, state_dict = {}, {}
    with variable_scope(scope or "one2many_rnn_seq2seq", dtype=dtype) as opened:
        _, encoder_state = _embedding_encoder(enc_cell, encoder_inputs, num_encoder_symbols, embedding_size,
                                             opened.dtype)
        for name, decoder_inputs in decoder_inputs_dict.items():
            num_symbols = num_decoder_symbols_dict[name]
            with variable_scope(f"one2many_decoder_{name}"):
                dec_cell = OutputProjectionWrapper(dec_cells_dict[name], num_symbols)
                # (TF's one2many trains the fed embeddings also under a feed_previous tensor: the flag is not passed)
                outputs_dict[name], state_dict[name] = _decode_maybe_feeding_previous(
                    feed_previous, lambda feeding, _: embedding_rnn_decoder(
                        decoder_inputs, encoder_state, dec_cell, num_symbols, embedding_size,
                        feed_previous=feeding))
    return outputs_dict, state_dict


# ================================================================================================ buckets

def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, seq2seq,
                       softmax_loss_function=None, per_example_loss=False, name=None):
    """For each bucket ``(encoder length, decoder length)`` of ``buckets`` (ascending), the model
    ``seq2seq(encoder_inputs[:e], decoder_inputs[:d]) -> (outputs, state)`` — the first bucket creating the
    variables, the others sharing them — and its loss against ``targets[:d]`` weighted by ``weights[:d]``:
    legacy ``sequence_loss`` (a scalar), or ``sequence_loss_by_example`` ([batch]) if ``per_example_loss``.
    Returns (the outputs of each bucket, the loss of each bucket)."""
    longest_encoder, longest_decoder = buckets[-1]
    for what, given, needed in (("encoder_inputs", encoder_inputs, longest_encoder),
                                ("targets", targets, longest_decoder), ("weights", weights, longest_decoder)):
        if len(given) < needed:
            raise ValueError(f"Length of {what} ({len(given)}) must be at least that of last bucket ({needed}).")
    loss_function = sequence_loss_by_example if per_example_loss else legacy_sequence_loss
    outputs, losses = [], []
    with name_scope(name, "model_with_buckets"):
        for j, (encoder_length, decoder_length) in enumerate(buckets):
            with variable_scope(get_variable_scope(), reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(encoder_inputs[:encoder_length], decoder_inputs[:decoder_length])
                outputs.append(bucket_outputs)
                losses.append(loss_function(bucket_outputs, targets[:decoder_length], weights[:decoder_length],
                                            softmax_loss_function=softmax_loss_function))
    return outputs, losses
