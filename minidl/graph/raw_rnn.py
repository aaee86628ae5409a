"""``tf.nn.raw_rnn``: the recurrent loop with every decision left to the user — what the cell reads at each step,
what state it starts from, what is kept of each step and when each example is done — made by a function
``loop_fn`` that is called before the first step and after every step::

    (finished, next_input, next_cell_state, emit_output, next_loop_state) = loop_fn(time, cell_output, cell_state,
                                                                                   loop_state)

What the loop does (``dynamic_rnn`` is the ``loop_fn`` that reads step ``time`` of a sequence and finishes each
example at its length; a decoder that feeds each output back as the next input is another)::

    time = 0
    finished, x, state, emit_structure, loop_state = loop_fn(0, None, None, None)     # the start
    emit_ta = one TensorArray per part of emit_structure (default: of cell.output_size)
    while not all(finished):
        output, new_state = cell(x, state)
        next_finished, x, next_state, emit, loop_state = loop_fn(time + 1, output, new_state, loop_state)
        state   = where(finished, state, next_state)        # an example that is done keeps its state
        emit    = where(finished, 0, emit)                  # ... and emits zeros
        emit_ta = emit_ta.write(time, emit)
        finished = finished | next_finished
        time += 1
    return emit_ta, state, loop_state

``finished`` is a [batch_size] bool (an example that starts finished never changes), ``cell_output`` and
``cell_state`` are None only in the first call — which is how ``loop_fn`` knows to give the initial state. In
that call ``emit_output`` gives the *structure* of what will be emitted: None (the cell's outputs, ``output_size``
and the state's dtype) or a nest of tensors whose shapes, without the batch dim, and dtypes are those of each
step's emits (the zeros of a finished example are of that shape). ``loop_state`` is the user's own (a nest of
tensors or TensorArrays carried through the loop, e.g. a count or a record of attention weights); a ``loop_fn``
that returns None for it keeps it as it was, and with none at the start, the third result is None.

Built on ``tf.while_loop`` (loops.py), whose gradient replays the steps that ran: ``tf.gradients`` flows from
``emit_ta.stack()``, the final state and the loop state back to the inputs, the initial state and the cell's
variables. As in ``dynamic_rnn``, the cell is built before the loop (its variables in ``scope``, default
``"rnn"``). Parts of the state (or the emits) that are TensorArrays or scalars belong to the whole batch and take
the new value, finished examples or not (as TF does).
"""
from ..backend import dtypes
from .array_ops import concat, reshape, shape, zeros
from .basics import constant
from .core import TensorShape
from .function_graph import flatten, pack, same_structure
from .loops import while_loop
from .math_ops import logical_not, logical_or, reduce_all, to_tensor
from .rnn import _check_cell
from .rnn_cell import dims_of, maybe_build_cell
from .seq2seq_decoding import _copy_finished   # dynamic_decode's impute_finished: the same copy through
from .tensor_array import TensorArray
from .variable_scope import variable_scope


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """Run ``cell`` as ``loop_fn`` directs (module docstring); returns ``(emit_ta, final_state,
    final_loop_state)``: the emits as TensorArrays (one element per step, [batch_size, ...] each, in the structure of
    the emits; ``.stack()`` gives [time, batch_size, ...]), the state after each example's last step, and the final
    loop state (None if ``loop_fn`` started with none). ``parallel_iterations`` and ``swap_memory`` are accepted
    for compatibility."""
    _check_cell("raw_rnn", "cell", cell)
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    with variable_scope(scope or "rnn"):
        time = constant(0, dtypes.int32)
        finished, first_input, initial_state, emit_structure, initial_loop_state = loop_fn(time, None, None, None)
        finished = to_tensor(finished, dtypes.bool_)
        first_input = pack(first_input, [to_tensor(x) for x in flatten(first_input)])
        batch = _static_batch(first_input)
        batch_size = batch if batch is not None else shape(flatten(first_input)[0])[0]
        if not same_structure(initial_state, cell.state_size):
            raise ValueError(f"raw_rnn: the initial state from loop_fn must be structured like the cell's state_size "
                             f"{cell.state_size}, got {initial_state!r}")
        state = pack(initial_state, [s if isinstance(s, TensorArray) else to_tensor(s) for s in flatten(initial_state)])
        # while_loop needs a loop var in its place when the user carries no loop state
        loop_state = constant(0, dtypes.int32) if initial_loop_state is None else initial_loop_state
        emit_ta, zero_emit = _emit_arrays(cell, emit_structure, batch, batch_size, flatten(state)[0].dtype)
        maybe_build_cell(cell, pack(first_input, [x.shape for x in flatten(first_input)]),
                         flatten(first_input)[0].dtype)

        def body(time, finished, inputs, emit_ta, state, loop_state):
            output, new_state = cell(inputs, state)
            next_finished, next_input, next_state, emit, next_loop_state = loop_fn(time + 1, output, new_state,
                                                                                   loop_state)
            for what, given, expected in (("next_cell_state", next_state, state),
                                          ("next_input", next_input, inputs), ("emit_output", emit, emit_ta)):
                if not same_structure(given, expected) or given is None:
                    raise ValueError(f"raw_rnn: loop_fn returned a {what} structured as {given!r}, but it must be "
                                     f"structured like {expected!r}")
            # (TF's copy_fn for both: an example finished before this step keeps its state and emits zeros)
            next_state = pack(state, [_copy_finished(finished, new, old)
                                      for new, old in zip(flatten(next_state), flatten(state))])
            emit = [_copy_finished(finished, new, zero) for new, zero in zip(flatten(emit), flatten(zero_emit))]
            emit_ta = pack(emit_ta, [ta.write(time, e) for ta, e in zip(flatten(emit_ta), emit)])
            return (time + 1, logical_or(finished, next_finished), next_input, emit_ta, next_state,
                    loop_state if next_loop_state is None else next_loop_state)

        loop_vars = [time, finished, first_input, emit_ta, state, loop_state]
        *_, emit_ta, final_state, final_loop_state = while_loop(
            lambda time, finished, *_: logical_not(reduce_all(finished)), body, loop_vars,
            parallel_iterations=parallel_iterations or 32, swap_memory=swap_memory)
        return emit_ta, final_state, None if initial_loop_state is None else final_loop_state


def _static_batch(inputs):
    """The batch size of the first inputs if the graph knows it (all parts must agree), else None."""
    batch = TensorShape([None])
    for x in flatten(inputs):
        if not x.shape.rank_known or len(x.shape) < 1:
            raise ValueError(f"raw_rnn: the inputs from loop_fn must be [batch_size, ...], got shape {x.shape}")
        batch = batch.merge_with(x.shape[:1])   # a ValueError if two parts disagree, as TF's merge_with
    return batch[0]


def _emit_arrays(cell, emit_structure, batch, batch_size, state_dtype):
    """The empty TensorArrays that collect the emits, and one step's zeros for a finished example, both in the
    structure of the emits: that of ``emit_structure``'s tensors (their shapes the per-example sizes), or by default
    of the cell's ``output_size`` in the state's dtype."""
    if emit_structure is None:
        emit_structure = cell.output_size
        parts = [(TensorShape(dims_of(size)), state_dtype, dims_of(size)) for size in flatten(emit_structure)]
    else:
        # a size the graph does not know fully is read from the tensor when the zeros are made
        parts = [(e.shape, e.dtype, list(e.shape) if e.shape.is_fully_defined() else shape(e))
                 for e in (to_tensor(e) for e in flatten(emit_structure))]
    arrays = [TensorArray(kind, size=0, dynamic_size=True, element_shape=TensorShape([batch]).concatenate(known),
                          name=f"rnn_output_{i}") for i, (known, kind, _) in enumerate(parts)]
    zero_emits = [zeros([batch_size] + size if isinstance(size, list) else concat([reshape(batch_size, [1]), size], 0),
                        kind) for _, kind, size in parts]
    return pack(emit_structure, arrays), pack(emit_structure, zero_emits)
