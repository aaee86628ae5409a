"""``tf.contrib.legacy_seq2seq``'s decoders: TF's first sequence-to-sequence library, which works on Python lists
with one ``[batch, features]`` tensor per time step (as ``static_rnn`` does), and the way char-rnn programs sample::

    outputs, state = legacy_seq2seq.rnn_decoder(inputs, cell.zero_state(batch, tf.float32), cell,
                                                loop_function=None if training else pick_next)

``rnn_decoder`` calls the cell once per step, its variables shared by all steps. With ``loop_function(prev, i)``,
every step after the first gets that function of the previous step's *output* as its input instead of the given
one — feeding a model its own predictions when it generates. ``basic_rnn_seq2seq`` encodes with ``static_rnn`` on
a copy of the cell (its own variables) and decodes from the encoder's final state; ``tied_rnn_seq2seq`` uses one
set of variables for both. (The losses are in ``contrib_seq2seq.py``; the embedding and attention variants of
this library are not provided.)
"""
import copy

from .dtypes import float32
from .rnn import static_rnn
from .variable_scope import get_variable_scope, variable_scope

__all__ = ["basic_rnn_seq2seq", "rnn_decoder", "tied_rnn_seq2seq"]


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
