"""``tf.nn.dynamic_rnn``: run a recurrent cell (rnn_cell.py, rnn_cells_gated.py) over every step of a sequence;
``static_rnn`` (a Python loop over a list of steps) and the two directions of ``bidirectional_dynamic_rnn`` and
``static_bidirectional_rnn`` at the end.

    outputs, final_state = tf.nn.dynamic_rnn(cell, inputs, initial_state=h0)     # or dtype=... for a zero state

``inputs`` is [batch_size, max_time, depth] — [max_time, batch_size, depth] with ``time_major=True`` — and
``outputs`` holds the cell's output at every step in the same layout; ``final_state`` is the state after the last
step. The cell's variables are created in the variable scope ``scope`` (default ``"rnn"``), so a ``BasicRNNCell``
makes ``rnn/basic_rnn_cell/kernel`` and ``rnn/basic_rnn_cell/bias``.

The graph is built in one of two ways:

* **One fused op**, for a ``BasicRNNCell`` with ``tanh`` or ``relu``. Its step is the Elman recurrence, and the
  kernel's two blocks of rows separate what depends on the recurrence from what does not::

      concat([x_t, h]) @ kernel = x_t @ kernel[:depth] + h @ kernel[depth:]

  so the inputs' share of *every* step is one product, ``xw = inputs @ kernel[:depth] + bias``, computed before
  the loop; what remains, ``h_t = act(xw_t + h_(t-1) @ kernel[depth:])``, is ``ops.rnn_sequence`` with
  ``weight_hh = kernel[depth:]ᵀ`` — ONE operation that loops on arrays, with backpropagation through time as one
  op too (minidl/ops/recurrent.py). The graph stays a handful of ops for any length, and ``tf.gradients`` uses
  that op's gradient. (This is what PyTorch's ``nn.RNN`` and cuDNN do; TF1's ``dynamic_rnn`` itself always loops.)
* **A ``tf.while_loop``** for any other cell: the body takes step ``t`` of the inputs, calls the cell once, and
  writes its output to element ``t`` of a ``TensorArray``, stacked into [max_time, batch_size, units] after the
  loop (tensor_array.py; as TF does). The gradient is ``while_loop``'s, which replays the body's gradient over the
  steps that ran. The cell is built before the loop; a cell that creates its variables while it is called (TF1's
  older style, or an object that is only *like* an ``RNNCell``, which TF takes too: rnn_cell.py) works too, since a
  variable made inside a loop body goes to the enclosing graph (``variables.py``). The replay is fed the values the
  body's random ops drew, so a ``DropoutWrapper``'s gradient uses the masks its forward used.

**Structures.** ``inputs`` may be a nested tuple of [batch_size, max_time, ...] tensors (one ``max_time`` and
``batch_size``): step ``t`` reaches the cell as the same tuple of [batch_size, ...] slices. The state is whatever
nest ``state_size`` describes, and a part of it need not be [batch_size] + its size: an ``AttentionWrapper``'s
state carries a scalar int step count and, with ``alignment_history``, a TensorArray. Such parts go through the loop
as they are (the loop's shape invariant of a part is [batch_size] + size only where the part has that shape).

``sequence_length`` ([batch_size] ints) gives each example its own length: past it, the example's output is zeros
and its state stays as it was, so ``final_state`` is the state after its last real step. The fused op has no
per-example lengths, so with ``sequence_length`` every cell runs in the while_loop.

**Static and bidirectional.** ``static_rnn`` takes a Python list of [batch_size, depth] steps and calls the cell
once per step as the graph is built: a graph as long as the sequence, with the same variables as
``dynamic_rnn`` (``rnn/<cell>/...``). From the second step on, the ``rnn`` scope reuses variables (as in TF), so
that a cell that makes its variables with ``get_variable`` at every call finds those of the first step.
(``dynamic_rnn`` needs no such thing: its loop body, where the cell is called, is built once.) The bidirectional
functions run ``cell_fw`` on the sequence and ``cell_bw`` on it reversed in time (in the scopes
``bidirectional_rnn/fw`` and ``bidirectional_rnn/bw``), then reverse the backward outputs back, so that step t of
both directions is aligned. With ``sequence_length``, only each example's first ``length`` steps are reversed
(TF's ``reverse_sequence``): the backward cell starts from an example's last real step, never from its padding.
"""
import types

from .. import ops
from ..backend import dtypes
from .array_ops import concat, gather, reverse_sequence, shape, stack, transpose, unstack
from .basics import constant
from .core import TensorShape
from .function_graph import flatten, is_sequence, pack, same_structure
from .loops import while_loop
from .math_ops import REALS, cast, check_dtype, tanh, to_tensor
from .nn_ops import nn, relu
from .rnn_cell import (BasicRNNCell, DropoutWrapper, LSTMStateTuple, MultiRNNCell, RNNCell, check_rnn_cell_like,
                       dims_of, maybe_build_cell)
from .rnn_cells_gated import BasicLSTMCell, GRUCell, LSTMCell
from .tensor_array import TensorArray
from .variable_scope import variable_scope

# the activations that ops.rnn_sequence computes itself
_FUSED_ACTIVATIONS = {tanh: "tanh", relu: "relu"}


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """Run ``cell`` over the steps of ``inputs``; returns ``(outputs, final_state)`` (see the module docstring).

    ``initial_state``: a state for the whole batch ([batch_size, state_size], or a tuple like ``cell.state_size``);
    if None, zeros of ``dtype`` (then required). ``sequence_length``: an int vector [batch_size], or None (every
    example runs ``max_time`` steps). ``parallel_iterations`` and ``swap_memory`` are accepted for compatibility.
    """
    _check_cell("dynamic_rnn", "cell", cell)
    with variable_scope(scope or "rnn"):
        x = _time_major(inputs, time_major)
        first = flatten(x)[0]
        batch = first.shape[1]
        state = _initial_state("dynamic_rnn", cell, batch, batch if batch is not None else shape(first)[1],
                               first.dtype, initial_state, dtype)
        lengths = None if sequence_length is None else _lengths("dynamic_rnn", sequence_length, batch, REALS)
        maybe_build_cell(cell, pack(x, [TensorShape(t.shape[1:]) for t in flatten(x)]),
                         first.dtype if first.dtype.kind == "f" else _state_dtype(state))
        nonlinearity = _FUSED_ACTIVATIONS.get(cell.activation) if type(cell) is BasicRNNCell else None
        if nonlinearity and lengths is None and not is_sequence(x):
            outputs, state = _fused_rnn(cell, x, state, nonlinearity)
        else:
            outputs, state = _while_rnn(cell, x, state, lengths)
        return (outputs if time_major else _swap_batch_and_time(outputs)), state


def _swap_batch_and_time(x):
    """[batch, time, ...] <-> [time, batch, ...], named ``transpose`` as TF's ``dynamic_rnn`` names it."""
    return transpose(x, [1, 0] + list(range(2, x.ndim)))


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Run ``cell`` over ``inputs``, a Python list of [batch_size, depth] tensors (one per step), unrolled while
    the graph is built; returns ``(outputs, final_state)`` with ``outputs`` a list too. The other arguments mean
    what they mean for ``dynamic_rnn``."""
    _check_cell("static_rnn", "cell", cell)
    if not is_sequence(inputs) or isinstance(inputs, dict):
        raise TypeError(f"static_rnn: inputs must be a sequence (a list of [batch_size, depth] tensors, one per "
                        f"step), got {inputs!r}")
    if not inputs:
        raise ValueError("static_rnn: inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        steps = [check_dtype(to_tensor(x), REALS, "inputs") for x in inputs]
        first = steps[0]
        # a 1-D step is a batch of ids for a cell that embeds them (EmbeddingWrapper): TF lets it through too
        if not first.shape.rank_known or len(first.shape) == 0:
            raise ValueError(f"static_rnn: each input must be [batch_size, depth] (or [batch_size] ids for a cell "
                             f"that embeds them), got shape {first.shape}")
        if None in first.shape[1:]:
            raise ValueError("static_rnn: input size (depth of inputs) must be accessible via shape inference, but "
                             f"saw value None (inputs[0] {first.shape})")
        batch = first.shape[0]
        state = _initial_state("static_rnn", cell, batch, batch if batch is not None else shape(first)[0],
                               first.dtype, initial_state, dtype)
        lengths = None if sequence_length is None else _lengths("static_rnn", sequence_length, batch, REALS)
        outputs = []
        for t, x in enumerate(steps):
            if t > 0:  # as TF does: an old-style cell that calls get_variable at every step finds its variables
                varscope.reuse_variables()
            output, new_state = cell(x, state)
            if lengths is not None:
                output, new_state = _past_lengths(t, lengths, output, new_state, state)
            outputs.append(output)
            state = new_state
        return outputs, state


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """``dynamic_rnn`` forwards with ``cell_fw`` and backwards in time with ``cell_bw`` (module docstring);
    returns ``((outputs_fw, outputs_bw), (final_state_fw, final_state_bw))``, both outputs in ``inputs``' layout
    and in time order (``tf.concat(outputs, 2)`` joins them). ``final_state_bw`` is the backward cell's state
    after it has read each example back to its first step."""
    _check_cell("bidirectional_dynamic_rnn", "cell_fw", cell_fw)
    _check_cell("bidirectional_dynamic_rnn", "cell_bw", cell_bw)
    with variable_scope(scope or "bidirectional_rnn"):
        x = _time_major(inputs, time_major)
        lengths = None if sequence_length is None else _lengths("bidirectional_dynamic_rnn", sequence_length,
                                                                flatten(x)[0].shape[1])
        with variable_scope("fw") as fw_scope:
            outputs_fw, state_fw = dynamic_rnn(cell_fw, x, sequence_length, initial_state_fw, dtype,
                                               time_major=True, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_bw, state_bw = dynamic_rnn(cell_bw, _reverse_steps(x, lengths), sequence_length,
                                                initial_state_bw, dtype, time_major=True, scope=bw_scope)
        outputs_bw = _reverse_steps(reversed_bw, lengths)
    if not time_major:
        outputs_fw, outputs_bw = _swap_batch_and_time(outputs_fw), _swap_batch_and_time(outputs_bw)
    return (outputs_fw, outputs_bw), (state_fw, state_bw)


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None):
    """``static_rnn`` in both directions; returns ``(outputs, final_state_fw, final_state_bw)`` where
    ``outputs[t]`` is ``concat([output_fw[t], output_bw[t]], 1)``."""
    _check_cell("static_bidirectional_rnn", "cell_fw", cell_fw)
    _check_cell("static_bidirectional_rnn", "cell_bw", cell_bw)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            outputs_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length, fw_scope)
        lengths = None if sequence_length is None else _lengths("static_bidirectional_rnn", sequence_length,
                                                                outputs_fw[0].shape[0], REALS)
        with variable_scope("bw") as bw_scope:
            reversed_bw, state_bw = static_rnn(cell_bw, _reverse_list(inputs, lengths), initial_state_bw, dtype,
                                               sequence_length, bw_scope)
        outputs_bw = _reverse_list(reversed_bw, lengths)
        return [concat([fw, bw], 1) for fw, bw in zip(outputs_fw, outputs_bw)], state_fw, state_bw


# -------------------------------------------------------------------------------------------------- arguments

def _check_cell(fn, arg, cell):
    """An ``RNNCell``, or as in TF any object like one (``check_rnn_cell_like``: a cell written without the base
    class, which makes its variables when it is called)."""
    check_rnn_cell_like(cell, f"{fn}: {arg} must be an instance of RNNCell, got {type(cell).__name__}, or an object "
                              f"like one, which it is not")


def _time_major(inputs, time_major):
    """The inputs as [max_time, batch_size, depth ...] float tensors, in the nest ``inputs`` has (a nested tuple of
    such tensors, which the cell receives step by step in that structure; TF's "nested inputs")."""
    if isinstance(inputs, dict):
        raise TypeError(f"dynamic_rnn: inputs must be a tensor or a nested tuple of tensors, got a dict {inputs!r}")
    leaves = [check_dtype(to_tensor(x), REALS, "inputs") for x in flatten(inputs)]  # (ids, for a cell that embeds)
    if not leaves:
        raise ValueError(f"dynamic_rnn: inputs must not be empty, got {inputs!r}")
    layout = "[max_time, batch_size, depth]" if time_major else "[batch_size, max_time, depth]"
    for x in leaves:
        if not x.shape.rank_known or len(x.shape) < 3:
            raise ValueError(f"dynamic_rnn: inputs must be {layout} (rank 3 or more), got shape {x.shape}")
        if x.shape[-1] is None:
            raise ValueError("dynamic_rnn: input size (depth of inputs) must be accessible via shape inference, "
                             f"but saw value None (inputs {x.shape})")
        if not x.shape[:2].is_compatible_with(leaves[0].shape[:2]):
            raise ValueError(f"dynamic_rnn: all inputs must have the same max_time and batch_size, got shapes "
                             f"{[t.shape for t in leaves]}")
    return pack(inputs, leaves if time_major else [_swap_batch_and_time(x) for x in leaves])


def _initial_state(fn, cell, batch, batch_size, inputs_dtype, initial_state, dtype):
    """The state before the first step, structured like ``cell.state_size``; each float part checked against
    [batch_size] + its size and the inputs' batch (``batch``: its static size or None; ``batch_size``: an int or a
    scalar tensor) and dtype. Other parts are the cell's own business and taken as they are, as TF does: a
    TensorArray (``AttentionWrapperState.alignment_history``) or an int step count (its scalar ``time``)."""
    if initial_state is None:
        if dtype is None:
            raise ValueError(f"{fn}: if there is no initial_state, you must give a dtype.")
        if hasattr(cell, "get_initial_state"):   # as TF: a cell like an RNNCell may have only this one
            return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
        return cell.zero_state(batch_size, dtype)
    if not same_structure(cell.state_size, initial_state):
        raise ValueError(f"{fn}: initial_state must be structured like the cell's state_size {cell.state_size}, "
                         f"got {initial_state!r}")
    states = [s if isinstance(s, TensorArray) else to_tensor(s) for s in flatten(initial_state)]
    for s, size in zip(states, flatten(cell.state_size)):
        if isinstance(s, TensorArray) or s.dtype.kind in "iub":
            continue
        expected = TensorShape([batch] + dims_of(size))
        if not s.shape.rank_known or not s.shape.is_compatible_with(expected):
            raise ValueError(f"{fn}: initial_state must be [batch_size, state_size] = {expected} for state_size "
                             f"{size} and inputs of batch size {batch}, got shape {s.shape}")
        if s.dtype != inputs_dtype and inputs_dtype.kind == "f":  # (ids in: the cell embeds them)
            raise TypeError(f"{fn}: initial_state has dtype {s.dtype.name}, but the inputs are {inputs_dtype.name}")
    return pack(cell.state_size, states)


def _lengths(fn, sequence_length, batch, dtypes_taken=("int32", "int64")):
    """``sequence_length`` as an int32 vector. ``dynamic_rnn`` and ``static_rnn`` take float lengths too (TF casts
    them, truncating); the bidirectional ``dynamic_rnn`` refuses them, as TF's ``reverse_sequence`` does."""
    lengths = check_dtype(to_tensor(sequence_length), dtypes_taken, "sequence_length")
    if not lengths.shape.is_compatible_with([batch]):
        raise ValueError(f"{fn}: sequence_length must be a vector of length batch_size ({batch}), but saw shape: "
                         f"{lengths.shape}")
    return cast(lengths, dtypes.int32)


# ------------------------------------------------------------------------------------------------ the two ways

def _fused_rnn(cell, x, h0, nonlinearity):
    """A BasicRNNCell's recurrence as ONE ``rnn_sequence`` op (see the module docstring)."""
    cell.check_inputs(TensorShape(x.shape[1:]))
    if x.dtype != cell.dtype:  # the cell's own call would refuse the mix too (TF ops never promote)
        raise TypeError(f"dynamic_rnn: the inputs are {x.dtype.name}, but the variables of BasicRNNCell "
                        f"'{cell.kernel.name}' are {cell.dtype.name}")
    w_inputs, w_state = ops.split(cell.kernel, [cell.input_depth, cell.output_size])
    # linear(x, w, b) = x @ w.T + b: with w = kernel[:depth]ᵀ (a view), every step's x_t @ kernel[:depth] + bias
    xw = ops.linear(x, ops.transpose(w_inputs, 0, 1), cell.bias)
    return ops.rnn_sequence(xw, h0, ops.transpose(w_state, 0, 1), nonlinearity)


def _while_rnn(cell, x, initial_state, lengths):
    """Any cell, one call per step of a ``while_loop``; outputs collected in a ``TensorArray``."""
    if not isinstance(cell.output_size, int):
        raise NotImplementedError(f"dynamic_rnn: only cells with one output tensor are supported; "
                                  f"{type(cell).__name__}.output_size is {cell.output_size}")
    first = flatten(x)[0]
    steps, batch, units = first.shape[0], first.shape[1], cell.output_size
    n_steps = steps if steps is not None else shape(first)[0]

    def body(t, state, outputs):
        output, new_state = cell(pack(x, [gather(inputs, t) for inputs in flatten(x)]), state)
        if lengths is not None:
            output, new_state = _past_lengths(t, lengths, output, new_state, state)
        return t + 1, new_state, outputs.write(t, output)

    invariants = [TensorShape([]), pack(initial_state, [_invariant(part, batch, size) for part, size in
                                                        zip(flatten(initial_state), flatten(cell.state_size))]), None]
    outputs = TensorArray(_state_dtype(initial_state), size=n_steps, element_shape=[batch, units])
    _, final_state, outputs = while_loop(lambda t, state, outputs: t < n_steps, body,
                                         [constant(0), initial_state, outputs], shape_invariants=invariants)
    return outputs.stack(), final_state


def _state_dtype(state):
    """The dtype of the outputs, as TF infers it: the state's (the inputs may be ids that the cell embeds)."""
    return next(part.dtype for part in flatten(state) if not isinstance(part, TensorArray))


def _invariant(part, batch, size):
    """The loop's shape invariant for one part of the state: [batch] + size where the part is that (its batch dim
    may be unknown in the initial state but known in the inputs, or the other way round); else the part's own
    shape (a scalar step count); None for a TensorArray, which needs none."""
    if isinstance(part, TensorArray):
        return None
    per_example = TensorShape([batch] + dims_of(size))
    return per_example if part.shape.is_compatible_with(per_example) else part.shape


def _past_lengths(t, lengths, output, new_state, state):
    """Step ``t``'s output and state with the examples whose length is over (t >= length) masked: their output
    zeros, their state the one before (so the final state is the one after each example's last real step).
    A TensorArray or scalar in the state has no examples to mask: it takes the new value (as in TF)."""
    running = ops.lt(t, lengths)
    output = _where_running(running, output, ops.zeros_like(output))
    return output, pack(new_state, [new if isinstance(new, TensorArray) or new.ndim == 0
                                    else _where_running(running, new, old)
                                    for new, old in zip(flatten(new_state), flatten(state))])


def _where_running(running, new, old):
    """``new`` for the examples still running (a [batch_size] bool), ``old`` for the others."""
    return ops.where(ops.reshape(running, (-1,) + (1,) * (new.ndim - 1)), new, old)


# ------------------------------------------------------------------------------------------- reversing in time

def _reverse_steps(x, lengths):
    """``x`` (time-major, or a nest of such tensors) reversed along time — with ``lengths``, each example only
    over its first ``lengths[b]`` steps, its padding left in place (``tf.reverse_sequence``)."""
    if is_sequence(x):
        return pack(x, [_reverse_steps(t, lengths) for t in flatten(x)])
    return ops.flip(x, [0]) if lengths is None else reverse_sequence(x, lengths, seq_axis=0, batch_axis=1)


def _reverse_list(steps, lengths):
    """A list of [batch_size, ...] steps reversed, as ``_reverse_steps`` reverses a tensor."""
    if lengths is None:
        return list(steps)[::-1]
    return unstack(_reverse_steps(stack(list(steps)), lengths))


nn.rnn_cell = types.SimpleNamespace(RNNCell=RNNCell, BasicRNNCell=BasicRNNCell, BasicLSTMCell=BasicLSTMCell,
                                    LSTMCell=LSTMCell, GRUCell=GRUCell, LSTMStateTuple=LSTMStateTuple,
                                    MultiRNNCell=MultiRNNCell, DropoutWrapper=DropoutWrapper)
nn.dynamic_rnn = dynamic_rnn
nn.static_rnn = static_rnn
nn.bidirectional_dynamic_rnn = bidirectional_dynamic_rnn
nn.static_bidirectional_rnn = static_bidirectional_rnn

# tf.nn.raw_rnn, the loop that a user's loop_fn drives (raw_rnn.py, imported last: it uses this module's helpers)
from .raw_rnn import raw_rnn  # noqa: E402

nn.raw_rnn = raw_rnn
