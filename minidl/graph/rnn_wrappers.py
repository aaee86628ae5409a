"""More cell wrappers of ``tf.nn.rnn_cell`` and ``tf.contrib.rnn`` (``DropoutWrapper`` is in rnn_cell.py) and the
stacked bidirectional RNNs of ``tf.contrib.rnn``; ``OutputProjectionWrapper(cell, n)`` puts a dense layer on every
step's output, ``InputProjectionWrapper(cell, n)`` on every step's input, and ``EmbeddingWrapper(cell, classes,
size)`` turns each step's symbol ids into their embeddings (their docstrings).

* ``ResidualWrapper(cell)``: a residual (skip) connection around a cell, ``output = inputs + cell_output`` (the
  state is the cell's), which lets deep stacks of recurrent layers train as residual networks do (Wu et al.'s
  GNMT). The inputs' depth must then equal the cell's ``output_size``.
* ``DeviceWrapper(cell, "/cpu:0")``: the cell's ops placed on a device (``tf.device``), e.g. one layer of a stack
  per GPU. Nothing else changes.

Like ``DropoutWrapper``, neither opens a variable scope: the wrapped cell's variables keep their names.

**Stacked bidirectional RNNs.** ``stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs)`` runs layer i as
``bidirectional_dynamic_rnn(cells_fw[i], cells_bw[i], x_i)``, and feeds the next layer both directions'
outputs::

    x_(i+1) = concat([outputs_fw_i, outputs_bw_i], 2)       # [batch, time, fw units + bw units]

— unlike ``bidirectional_dynamic_rnn`` on two ``MultiRNNCell``s, where the forward stack never sees what the
backward one computed. Layer i's variables are in ``stack_bidirectional_rnn/cell_i/bidirectional_rnn/fw/...``
(and ``.../bw/...``). ``stack_bidirectional_rnn`` does the same with ``static_bidirectional_rnn`` over a list of
steps (variables in ``stack_bidirectional_rnn/cell_i/fw/...``: the static version passes ``cell_i`` as its scope).
Both return ``(outputs, states_fw, states_bw)``: the last layer's joined outputs, and tuples of every layer's
final states.
"""
import math

from .array_ops import concat, reshape
from .initializers import RandomUniform, Zeros
from .basics import name_scope
from .config import device
from .core import TensorShape
from .function_graph import flatten, pack, same_structure
from .math_ops import matmul, to_tensor
from .nn_ops import bias_add, nn
from .nn_training import embedding_lookup
from .rnn import bidirectional_dynamic_rnn, static_bidirectional_rnn
from .rnn_cell import CellWrapper, RNNCell, cell_variables, check_rnn_cell_like, maybe_build_cell
from .variable_scope import get_variable_scope, variable_scope


def add_dense_variables(cell, depth, size):
    """A dense layer's ``kernel`` [depth, size] (Glorot-uniform unless the scope says otherwise) and ``bias`` [size]
    (zeros), made by ``cell.add_variable`` in the variable scope current now — the pair that TF's wrappers make
    with their ``_Linear`` helper (``activation(x @ kernel + bias)`` is then one step's dense layer)."""
    return cell.add_variable("kernel", [depth, size]), cell.add_variable("bias", [size], initializer=Zeros())


def _add_inputs(inputs, outputs):
    """ResidualWrapper's default ``residual_fn``: ``inputs + outputs``, part by part for nested outputs."""
    if not same_structure(inputs, outputs):
        raise ValueError(f"ResidualWrapper: the inputs {inputs!r} and the outputs {outputs!r} must have the same "
                         "structure")
    sums = []
    for x, y in zip(flatten(inputs), flatten(outputs)):
        if not x.shape.is_compatible_with(y.shape):
            raise ValueError(f"Shapes {x.shape} and {y.shape} are incompatible")
        sums.append(x + y)
    return pack(outputs, sums)


class ResidualWrapper(CellWrapper):
    """``(residual_fn(inputs, output), new_state)`` for the cell's ``(output, new_state)``; the default
    ``residual_fn`` is ``inputs + output`` (their shapes must agree: the inputs' depth is the cell's
    ``output_size``)."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn or _add_inputs

    def __call__(self, inputs, state, scope=None):
        inputs = to_tensor(inputs)
        output, new_state = self._cell(inputs, state, scope=scope)
        return self._residual_fn(inputs, output), new_state


class DeviceWrapper(CellWrapper):
    """The cell, with every op of its steps (and of its zero state) created under ``tf.device(device)``."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with name_scope(f"{type(self).__name__}ZeroState"), device(self._device):
            return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        with device(self._device):
            return self._cell(inputs, state, scope=scope)


class _ScopedWrapper(RNNCell):
    """What the wrappers with variables of their own share: the wrapped cell, whose state they pass on, and a
    variable scope of their own with the wrapped cell's variables beneath it
    (``rnn/output_projection_wrapper/basic_rnn_cell/kernel``)."""

    def __init__(self, cell, reuse):
        super().__init__(reuse=reuse)
        check_rnn_cell_like(cell, f"The parameter cell is not RNNCell. {type(self).__name__} takes an RNNCell or an "
                                  f"object like one, and {cell!r} is not")
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def variables(self):
        return self._variables + cell_variables(self._cell)

    def zero_state(self, batch_size, dtype):
        with name_scope(f"{type(self).__name__}ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class _ProjectionWrapper(_ScopedWrapper):
    """What the projection wrappers share: a dense layer ``activation(x @ kernel + bias)`` shared over the steps,
    ``kernel`` Glorot-uniform (unless the scope says otherwise) and ``bias`` zeros."""

    def __init__(self, cell, size, what, activation, reuse):
        super().__init__(cell, reuse)
        if size < 1:
            raise ValueError(f"Parameter {what} must be > 0: {size}.")
        self._activation = activation
        self.kernel = self.bias = None

    def _build_projection(self, depth, size):
        self.kernel, self.bias = add_dense_variables(self, depth, size)

    def _project(self, x):
        projected = bias_add(matmul(x, self.kernel), self.bias)
        return projected if self._activation is None else self._activation(projected)


class OutputProjectionWrapper(_ProjectionWrapper):
    """``(activation(output @ kernel + bias), new_state)`` for the cell's ``(output, new_state)``: each step's
    output projected to ``output_size`` — one number per step for a time series, a vocabulary's logits for a
    language model. ``kernel`` is [the cell's output size, output_size]."""

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(cell, output_size, "output_size", activation, reuse)
        self._output_size = output_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, inputs_shape):
        maybe_build_cell(self._cell, inputs_shape, self.dtype)  # (before the loop, as dynamic_rnn needs: see RNNCell)
        self._build_projection(self._cell.output_size, self._output_size)

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        return self._project(output), new_state


class InputProjectionWrapper(_ProjectionWrapper):
    """``cell(activation(inputs @ kernel + bias), state)``: each step's inputs projected to ``num_proj`` before
    the cell sees them (``tf.contrib.rnn``'s). ``kernel`` is [the inputs' depth, num_proj]; the output and the
    state are the cell's. ``input_size`` (deprecated in TF) is ignored."""

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None):
        super().__init__(cell, num_proj, "num_proj", activation, reuse)
        self._num_proj = num_proj

    @property
    def output_size(self):
        return self._cell.output_size

    def build(self, inputs_shape):
        if inputs_shape[-1] is None:
            raise ValueError(f"InputProjectionWrapper: expected inputs with a known depth, got {inputs_shape}")
        self._build_projection(inputs_shape[-1], self._num_proj)
        maybe_build_cell(self._cell, TensorShape([inputs_shape[0], self._num_proj]), self.dtype)

    def call(self, inputs, state):
        return self._cell(self._project(inputs), state)


class EmbeddingWrapper(_ScopedWrapper):
    """``cell(embedding[ids], state)``: each step's input is a batch of symbol ids ([batch] or [batch, 1] ints),
    replaced by their rows of ``embedding`` [embedding_classes, embedding_size] before the cell sees them
    (``tf.contrib.rnn``'s; legacy_seq2seq's encoders use it). The embedding is the wrapper's variable
    (``rnn/embedding_wrapper/embedding``), made on the first call with the state's dtype; its initializer is
    ``initializer``, else the variable scope's, else U[-√3, √3], whose variance is 1."""

    def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None):
        super().__init__(cell, reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(f"Both embedding_classes and embedding_size must be greater than 0: "
                             f"{embedding_classes}, {embedding_size}.")
        self._embedding_classes, self._embedding_size = embedding_classes, embedding_size
        self._initializer = initializer
        self.embedding = None

    @property
    def output_size(self):
        return self._cell.output_size

    def call(self, inputs, state):
        if self.embedding is None:  # (made here, not in build: its dtype is the state's, which build does not see)
            initializer = self._initializer
            if initializer is None and get_variable_scope().initializer is None:
                initializer = RandomUniform(-math.sqrt(3), math.sqrt(3))
            self.embedding = self.add_variable("embedding", [self._embedding_classes, self._embedding_size],
                                               dtype=flatten(state)[0].dtype, initializer=initializer)
        return self._cell(embedding_lookup(self.embedding, reshape(inputs, [-1])), state)


# ================================================================================ stacked bidirectional RNNs

def _stack(cells_fw, cells_bw, inputs, initial_states_fw, initial_states_bw, scope, bidirectional):
    """What both stacks share: TF's checks of the arguments, then in the variable scope ``scope`` (default
    "stack_bidirectional_rnn") layer i in the sub-scope ``cell_i``, as ``bidirectional(cell_fw, cell_bw, x,
    initial_state_fw, initial_state_bw, cell_scope) -> (joined outputs, state_fw, state_bw)``, its outputs the
    next layer's ``x``."""
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for which, states in (("fw", initial_states_fw), ("bw", initial_states_bw)):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells_fw)):
            raise ValueError(f"initial_states_{which} must be a list of state tensors (one per layer).")
    no_states = [None] * len(cells_fw)
    states_fw, states_bw = [], []
    x = inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, layer in enumerate(zip(cells_fw, cells_bw, initial_states_fw or no_states,
                                      initial_states_bw or no_states)):
            cell_fw, cell_bw, initial_state_fw, initial_state_bw = layer
            with variable_scope(f"cell_{i}") as cell_scope:
                x, state_fw, state_bw = bidirectional(cell_fw, cell_bw, x, initial_state_fw, initial_state_bw,
                                                      cell_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return x, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None, parallel_iterations=None, time_major=False,
                                    scope=None, swap_memory=False):
    """Layers of ``bidirectional_dynamic_rnn``, each fed the concatenated outputs of the one below (module
    docstring); returns ``(outputs, output_states_fw, output_states_bw)`` with ``outputs`` [batch, time,
    fw + bw units of the last layer] (time first if ``time_major``) and the states tuples, one per layer.
    ``initial_states_fw``/``_bw``: None, or a list of one initial state per layer."""
    def bidirectional(cell_fw, cell_bw, x, initial_state_fw, initial_state_bw, cell_scope):
        # no scope passed: bidirectional_dynamic_rnn opens its own "bidirectional_rnn" inside cell_i, as in TF
        outputs, (state_fw, state_bw) = bidirectional_dynamic_rnn(
            cell_fw, cell_bw, x, sequence_length, initial_state_fw, initial_state_bw, dtype, parallel_iterations,
            swap_memory, time_major)
        return concat(outputs, 2), state_fw, state_bw

    return _stack(cells_fw, cells_bw, inputs, initial_states_fw, initial_states_bw, scope, bidirectional)


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                            dtype=None, sequence_length=None, scope=None):
    """``stack_bidirectional_dynamic_rnn`` for a list of [batch, depth] steps, with ``static_bidirectional_rnn``
    (whose outputs are already joined); the outputs are a list of [batch, fw + bw units] steps."""
    def bidirectional(cell_fw, cell_bw, x, initial_state_fw, initial_state_bw, cell_scope):
        return static_bidirectional_rnn(cell_fw, cell_bw, x, initial_state_fw, initial_state_bw, dtype,
                                        sequence_length, cell_scope)

    return _stack(cells_fw, cells_bw, inputs, initial_states_fw, initial_states_bw, scope, bidirectional)


# importing this module (contrib.py does) adds the wrappers to tf.nn.rnn_cell, next to DropoutWrapper
nn.rnn_cell.ResidualWrapper = ResidualWrapper
nn.rnn_cell.DeviceWrapper = DeviceWrapper
