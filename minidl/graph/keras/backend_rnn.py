"""``K.rnn``: a step function run over the time steps of a sequence, as TF 1.15's ``keras.backend.rnn`` — what the
``RNN`` layer (``rnn_layer.py``) runs its cell with, and what custom recurrent code calls directly::

    def step(x_t, states):                       # x_t (batch, features); states: a tuple of tensors
        h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U))
        return h, [h]                            # (this step's output, the new states)

    last_output, outputs, new_states = K.rnn(step, x, [h0])     # x (batch, time, features)

``outputs`` stacks every step's output (batch, time, ...) — (time, batch, ...) with ``time_major=True`` —
``last_output`` is the last one and ``new_states`` the states after the last step. ``constants`` are handed to
every step after the states (``states + constants``); ``go_backwards`` runs from the last step to the first (the
outputs then stay in that reversed order, as in TF).

**Masks.** ``mask`` (batch, time), True at the real steps: at a padded step the states stay as they were and the
output repeats the previous one (zeros with ``zero_output_for_mask``, and zeros before any real step), so each
sequence ends on the state of its own last real step.

**Graph.** By default a ``tf.while_loop`` whose body calls the step function once and writes its output into a
``TensorArray`` (the loop's gradient replays the body's backwards). As TF does, the step function is first called
once more, outside the loop, on the first step: its output gives the dtype and shape of the ``TensorArray`` — and
a cell's dropout masks, made at its first call and kept for the whole sequence, are then made outside the loop
(inside it, they would be drawn again at every step). ``unroll=True`` calls the step function once per step as
the graph is built (the number of steps must then be known): a longer graph, without a loop.
"""
from .. import math_ops
from ..array_ops import gather, reverse, shape, stack, transpose, where, zeros_like
from ..basics import constant
from ..core import TensorShape
from ..loops import while_loop
from ..tensor_array import TensorArray


def _swap_batch_time(x):
    return transpose(x, [1, 0] + list(range(2, x.shape.rank)))


def _kept(keep, new, old):
    """``new`` in the rows (samples) where ``keep`` (batch,) is True, ``old`` elsewhere."""
    return where(keep, new, old)  # (TF1's Select: a vector condition picks whole rows)


def _batch_free(t):
    """``t``'s static shape with the batch dim unknown: a loop variable's shape may learn its batch size (or lose
    it) in the loop body."""
    return TensorShape([None] + t.shape.as_list()[1:]) if t.shape.rank_known else TensorShape(None)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None, unroll=False,
        input_length=None, time_major=False, zero_output_for_mask=False):
    """``step_function`` over the time steps of ``inputs``: ``(last_output, outputs, new_states)`` (module
    docstring). ``input_length`` is accepted for compatibility."""
    x = math_ops.to_tensor(inputs)
    if not x.shape.rank_known or x.shape.rank < 3:
        raise ValueError(f"K.rnn: the inputs must be at least 3-D, (batch, time, ...), got shape {x.shape}")
    x = x if time_major else _swap_batch_time(x)  # (time, batch, ...): a step is x[t]
    states = [math_ops.to_tensor(s) for s in initial_states]
    constants = list(constants or [])
    if mask is not None:
        mask = math_ops.cast(mask, "bool")
        if mask.shape.rank == 3:  # (batch, time, 1), as Keras also takes it
            mask = mask[:, :, 0]
        mask = mask if time_major else transpose(mask, [1, 0])
    if go_backwards:
        x = reverse(x, [0])
        mask = None if mask is None else reverse(mask, [0])

    def step(x_t, states, previous, keep):
        """One step, with the mask ``keep`` applied (``previous``: the output before, None at the first step):
        (output, new states)."""
        output, new_states = step_function(x_t, tuple(states) + tuple(constants))
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if len(new_states) != len(states):
            raise ValueError(f"K.rnn: the step function returned {len(new_states)} states for {len(states)} given")
        if keep is not None:
            held = zeros_like(output) if zero_output_for_mask or previous is None else previous
            output = _kept(keep, output, held)
            new_states = [_kept(keep, new, old) for new, old in zip(new_states, states)]
        return output, new_states

    if unroll:
        steps = x.shape[0]
        if steps is None:
            raise ValueError("K.rnn: unrolling requires a fixed number of timesteps (the time dim of the inputs is "
                             f"unknown: {inputs.shape})")
        outputs = []
        for t in range(steps):
            output, states = step(x[t], states, outputs[-1] if outputs else None, None if mask is None else mask[t])
            outputs.append(output)
        outputs = stack(outputs)
    else:
        outputs, states = _loop(step, x, states, mask)
    return outputs[-1], outputs if time_major else _swap_batch_time(outputs), states


def _loop(step, x, states, mask):
    """The steps in a ``while_loop`` (module docstring): (the outputs stacked (time, batch, ...), the states)."""
    first, _ = step(x[0], states, None, None)  # outside the loop: the output's dtype and shape
    n = x.shape[0] if x.shape[0] is not None else shape(x)[0]

    def body(t, previous, states, outputs):
        output, new_states = step(gather(x, t), states, previous, None if mask is None else gather(mask, t))
        return t + 1, output, new_states, outputs.write(t, output)

    outputs = TensorArray(first.dtype, size=n, element_shape=first.shape)
    invariants = [TensorShape([]), _batch_free(first), [_batch_free(s) for s in states], None]
    _, _, states, outputs = while_loop(lambda t, *_: t < n, body, [constant(0), zeros_like(first), states, outputs],
                                       shape_invariants=invariants)
    stacked = outputs.stack()
    stacked.set_shape([x.shape[0]] + stacked.shape.as_list()[1:])
    return stacked, states


__all__ = ["rnn"]
