"""``tf.nn.dynamic_rnn``: run a recurrent cell (rnn_cell.py) over every step of a sequence.

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
  appends its output to a [t, batch_size, units] tensor (by ``concat``: simple, though each step copies what came
  before). The gradient is ``while_loop``'s, which replays the body's gradient over the steps that ran. The cell
  is built before the loop; a cell that creates its variables while it is called (TF1's older style) works too,
  since a variable made inside a loop body goes to the enclosing graph (``variables.py``).

``sequence_length`` ([batch_size] ints) gives each example its own length: past it, the example's output is zeros
and its state stays as it was, so ``final_state`` is the state after its last real step. The fused op has no
per-example lengths, so with ``sequence_length`` every cell runs in the while_loop.
"""
import types

from .. import ops
from ..backend import dtypes
from .array_ops import gather, shape, zeros
from .basics import constant
from .core import TensorShape
from .function_graph import flatten, pack, same_structure
from .loops import while_loop
from .math_ops import FLOATS, cast, check_dtype, tanh, to_tensor
from .nn_ops import nn, relu
from .rnn_cell import BasicRNNCell, RNNCell, dims_of
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
    if not isinstance(cell, RNNCell):
        raise TypeError(f"dynamic_rnn: cell must be an instance of RNNCell, got {type(cell).__name__}")
    with variable_scope(scope or "rnn"):
        x = _time_major(inputs, time_major)
        state = _initial_state(cell, x, initial_state, dtype)
        lengths = None if sequence_length is None else _lengths(sequence_length, x)
        cell.maybe_build(x.shape[1:], x.dtype)
        nonlinearity = _FUSED_ACTIVATIONS.get(cell.activation) if type(cell) is BasicRNNCell else None
        if nonlinearity and lengths is None:
            outputs, state = _fused_rnn(cell, x, state, nonlinearity)
        else:
            outputs, state = _while_rnn(cell, x, state, lengths)
        return (outputs if time_major else ops.transpose(outputs, 0, 1)), state


# -------------------------------------------------------------------------------------------------- arguments

def _time_major(inputs, time_major):
    """The inputs as a [max_time, batch_size, depth ...] float tensor."""
    x = check_dtype(to_tensor(inputs), FLOATS, "inputs")
    if not x.shape.rank_known or len(x.shape) < 3:
        layout = "[max_time, batch_size, depth]" if time_major else "[batch_size, max_time, depth]"
        raise ValueError(f"dynamic_rnn: inputs must be {layout} (rank 3 or more), got shape {x.shape}")
    if x.shape[-1] is None:
        raise ValueError("dynamic_rnn: input size (depth of inputs) must be accessible via shape inference, but "
                         f"saw value None (inputs {x.shape})")
    return x if time_major else ops.transpose(x, 0, 1)


def _initial_state(cell, x, initial_state, dtype):
    """The state before the first step, checked against ``cell.state_size`` and the inputs' batch and dtype."""
    batch = x.shape[1]
    if initial_state is None:
        if dtype is None:
            raise ValueError("dynamic_rnn: if there is no initial_state, you must give a dtype.")
        return cell.zero_state(batch if batch is not None else shape(x)[1], dtype)
    if not same_structure(cell.state_size, initial_state):
        raise ValueError(f"dynamic_rnn: initial_state must be structured like the cell's state_size "
                         f"{cell.state_size}, got {initial_state!r}")
    states = [to_tensor(s) for s in flatten(initial_state)]
    for s, size in zip(states, flatten(cell.state_size)):
        expected = TensorShape([batch] + dims_of(size))
        if not s.shape.rank_known or not s.shape.is_compatible_with(expected):
            raise ValueError(f"dynamic_rnn: initial_state must be [batch_size, state_size] = {expected} for inputs "
                             f"{x.shape} (time-major) and state_size {size}, got shape {s.shape}")
        if s.dtype != x.dtype:
            raise TypeError(f"dynamic_rnn: initial_state has dtype {s.dtype.name}, but the inputs are "
                            f"{x.dtype.name}")
    return pack(initial_state, states)


def _lengths(sequence_length, x):
    lengths = check_dtype(to_tensor(sequence_length), ("int32", "int64"), "sequence_length")
    if not lengths.shape.is_compatible_with([x.shape[1]]):
        raise ValueError(f"dynamic_rnn: sequence_length must be a vector of length batch_size ({x.shape[1]}), but "
                         f"saw shape: {lengths.shape}")
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
    hidden = ops.rnn_sequence(xw, h0, ops.transpose(w_state, 0, 1), nonlinearity)
    return hidden, hidden[-1]


def _while_rnn(cell, x, initial_state, lengths):
    """Any cell, one call per step of a ``while_loop``; outputs gathered by ``concat``."""
    if not isinstance(cell.output_size, int):
        raise NotImplementedError(f"dynamic_rnn: only cells with one output tensor are supported; "
                                  f"{type(cell).__name__}.output_size is {cell.output_size}")
    steps, batch, units = x.shape[0], x.shape[1], cell.output_size
    n_steps = steps if steps is not None else shape(x)[0]

    def body(t, state, outputs):
        output, new_state = cell(gather(x, t), state)
        if lengths is not None:  # an example past its length outputs zeros and keeps its state
            running = ops.lt(t, lengths)
            output = _where_running(running, output, ops.zeros_like(output))
            new_state = pack(state, [_where_running(running, new, old)
                                     for new, old in zip(flatten(new_state), flatten(state))])
        return t + 1, new_state, ops.cat([outputs, ops.unsqueeze(output, 0)], 0)

    no_outputs = zeros([0, batch if batch is not None else shape(x)[1], units], x.dtype)
    # the batch dim may be unknown in the initial state but known in the inputs, or the other way round
    invariants = [TensorShape([]), pack(cell.state_size, [TensorShape([batch] + dims_of(size))
                                                         for size in flatten(cell.state_size)]),
                  TensorShape([None, batch, units])]
    _, final_state, outputs = while_loop(lambda t, state, outputs: t < n_steps, body,
                                         [constant(0), initial_state, no_outputs], shape_invariants=invariants)
    outputs.set_shape([steps, batch, units])
    return outputs, final_state


def _where_running(running, new, old):
    """``new`` for the examples still running (a [batch_size] bool), ``old`` for the others."""
    return ops.where(ops.reshape(running, (-1,) + (1,) * (new.ndim - 1)), new, old)


nn.rnn_cell = types.SimpleNamespace(RNNCell=RNNCell, BasicRNNCell=BasicRNNCell)
nn.dynamic_rnn = dynamic_rnn
