"""``tf.contrib.legacy_seq2seq``'s attention decoders (the "translate" tutorial's model): a decoder that, at every
step, reads a weighted average of the encoder's outputs, the weights chosen by the decoder's state (Bahdanau et
al.'s additive attention, as Vinyals et al.'s "Grammar as a foreign language" uses it)::

    outputs, state = legacy_seq2seq.embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell,
                                                                num_encoder_symbols=V, num_decoder_symbols=V,
                                                                embedding_size=32)

**attention_decoder.** ``attention_states`` h [batch, L, A] are what may be looked at (the encoder's L outputs).
For each head a (``num_heads`` of them, each with its own variables), a query q (the decoder's state, its parts
concatenated if it is a tuple) reads the context::

    s_j = v_a · tanh(h_j W1_a + q W2_a + b_a)        one score per position j    (W1_a = AttnW_a, v_a = AttnV_a,
    α = softmax(s)                                   the attention weights        W2_a, b_a in Attention_a/)
    context_a = Σ_j α_j h_j                           [batch, A]

One decoder step, from its input x_i and the previous step's contexts:

    cell_output, state = cell(linear([x_i, context_1 .. context_H]), state)   (kernel, bias: the input's size)
    contexts = attention(state)
    output_i = linear([cell_output, context_1 .. context_H])                  (AttnOutputProjection/, output_size)

The contexts before the first step are zeros, or with ``initial_state_attention=True`` read with the initial state
(to resume decoding where a previous run stopped). ``loop_function`` works as in ``rnn_decoder``. ``h_j W1_a`` does
not depend on the step: it is computed once. (TF does it as a 1×1 convolution, whence AttnW's shape
[1, 1, A, A]; here it is the same matrix product written as one.)

**embedding_attention_decoder** looks the ids up in its ``embedding`` first (and can ``feed_previous``, as the
embedding decoders of legacy_seq2seq.py do); **embedding_attention_seq2seq** encodes the ids with
``EmbeddingWrapper(copy of cell)`` (or ``encoder_cell``) and decodes from the encoder's final state, attending to
all its outputs.
"""
import copy

from .array_ops import concat, expand_dims, reshape, stack, zeros
from .frontend import convert_to_tensor
from .function_graph import flatten
from .layers import dense
from .legacy_seq2seq import (_batch_size, _check_output_projection, _decode_maybe_feeding_previous,
                             _embedded_decoder_inputs, _embedding_encoder)
from .math_ops import reduce_sum, tanh, tensordot
from .nn_ops import softmax
from .rnn_wrappers import OutputProjectionWrapper
from .variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["attention_decoder", "embedding_attention_decoder", "embedding_attention_seq2seq"]


def _linear(args, output_size):
    """TF's ``linear`` of the legacy decoders: ``concat(args, 1) @ kernel + bias``, ``kernel`` and ``bias`` the
    variables of the *current* variable scope (``tf.layers.dense`` re-entering it, not opening its own)."""
    return dense(concat(args, 1) if len(args) > 1 else args[0], output_size, name=get_variable_scope())


def attention_decoder(decoder_inputs, initial_state, attention_states, cell, output_size=None, num_heads=1,
                      loop_function=None, dtype=None, scope=None, initial_state_attention=False):
    """Decode the list ``decoder_inputs`` ([batch, depth] each) from ``initial_state``, attending with
    ``num_heads`` heads to ``attention_states`` [batch, L, A] (A known) — the module docstring gives the formulas.
    ``output_size`` defaults to the cell's. Returns (the list of outputs [batch, output_size], the last state)."""
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder.")
    attention_states = convert_to_tensor(attention_states)
    if not attention_states.shape.rank_known or attention_states.shape[2] is None:
        raise ValueError(f"Shape[2] of attention_states must be known: {attention_states.shape}")
    if output_size is None:
        output_size = cell.output_size
    attn_size = attention_states.shape[2]
    with variable_scope(scope or "attention_decoder", dtype=dtype) as opened:
        keys, scorers = [], []  # per head: h W1 [batch, L, A] and v [A]
        for a in range(num_heads):
            w1 = get_variable(f"AttnW_{a}", [1, 1, attn_size, attn_size])
            keys.append(tensordot(attention_states, reshape(w1, [attn_size, attn_size]), 1))
            scorers.append(get_variable(f"AttnV_{a}", [attn_size]))

        def attention(query, reuse=None):
            """The context read by each head for ``query`` (a tensor or a tuple of them, such as an LSTM's state)."""
            query = concat(flatten(query), 1)
            contexts = []
            for a in range(num_heads):
                with variable_scope(f"Attention_{a}", reuse=reuse):
                    projected_query = expand_dims(_linear([query], attn_size), 1)
                    weights = softmax(reduce_sum(scorers[a] * tanh(keys[a] + projected_query), 2))
                    contexts.append(reduce_sum(expand_dims(weights, 2) * attention_states, 1))
            return contexts

        if initial_state_attention:
            contexts = attention(initial_state)
        else:
            contexts = [zeros([_batch_size(decoder_inputs[0]), attn_size], opened.dtype)] * num_heads
        state, outputs, previous = initial_state, [], None
        for i, step_input in enumerate(decoder_inputs):
            if i > 0:
                get_variable_scope().reuse_variables()
            if loop_function is not None and previous is not None:
                with variable_scope("loop_function", reuse=True):
                    step_input = loop_function(previous, i)
            step_input = convert_to_tensor(step_input)
            if step_input.shape.rank != 2 or step_input.shape[1] is None:
                raise ValueError(f"Could not infer input size from input: {step_input.name} {step_input.shape}")
            cell_output, state = cell(_linear([step_input] + contexts, step_input.shape[1]), state)
            # the first step reads with the Attention_a variables that initial_state_attention has made already
            contexts = attention(state, reuse=True if i == 0 and initial_state_attention else None)
            with variable_scope("AttnOutputProjection"):
                output = _linear([cell_output] + contexts, output_size)
            if loop_function is not None:
                previous = output
            outputs.append(output)
    return outputs, state


def embedding_attention_decoder(decoder_inputs, initial_state, attention_states, cell, num_symbols, embedding_size,
                                num_heads=1, output_size=None, output_projection=None, feed_previous=False,
                                update_embedding_for_previous=True, dtype=None, scope=None,
                                initial_state_attention=False):
    """``attention_decoder`` on the embeddings of the symbol ids ``decoder_inputs`` (a list of [batch] ints), the
    ``embedding`` [num_symbols, embedding_size] a variable of the scope (default "embedding_attention_decoder");
    ``feed_previous`` and ``update_embedding_for_previous`` as in ``embedding_rnn_decoder``."""
    if output_size is None:
        output_size = cell.output_size
    _check_output_projection(output_projection, num_symbols, dtype)
    with variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedded, loop_function = _embedded_decoder_inputs(decoder_inputs, num_symbols, embedding_size,
                                                           output_projection, feed_previous,
                                                           update_embedding_for_previous)
        return attention_decoder(embedded, initial_state, attention_states, cell, output_size=output_size,
                                 num_heads=num_heads, loop_function=loop_function,
                                 initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols, num_decoder_symbols,
                                embedding_size, encoder_cell=None, num_heads=1, output_projection=None,
                                feed_previous=False, dtype=None, scope=None, initial_state_attention=False):
    """Encode the ids ``encoder_inputs`` with ``EmbeddingWrapper(encoder_cell or a copy of cell)``; decode the ids
    ``decoder_inputs`` with ``embedding_attention_decoder`` from the encoder's final state, attending to the
    encoder's outputs stacked [batch, encoder steps, their size]. Without ``output_projection`` the decoder cell is
    wrapped to output ``num_decoder_symbols`` values, and the outputs are logits over them (then the attention's
    output projection is num_decoder_symbols wide: large for a large vocabulary). ``feed_previous``: a bool or a
    boolean scalar tensor. Returns (outputs, the decoder's last state)."""
    with variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as opened:
        encoder_outputs, encoder_state = _embedding_encoder(
            encoder_cell if encoder_cell is not None else copy.deepcopy(cell), encoder_inputs,
            num_encoder_symbols, embedding_size, opened.dtype)
        attention_states = stack(encoder_outputs, 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols
        return _decode_maybe_feeding_previous(feed_previous, lambda feeding, update: embedding_attention_decoder(
            decoder_inputs, encoder_state, attention_states, cell, num_decoder_symbols, embedding_size,
            num_heads=num_heads, output_size=output_size, output_projection=output_projection,
            feed_previous=feeding, update_embedding_for_previous=update,
            initial_state_attention=initial_state_attention))
