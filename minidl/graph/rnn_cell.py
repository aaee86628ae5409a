"""``tf.nn.rnn_cell``: TensorFlow 1's recurrent cells — one step of a recurrence, ``(inputs, state) -> (output,
new_state)`` — with their variables made by ``get_variable``.

A cell is an object that holds its variables; it describes ONE time step. ``tf.nn.dynamic_rnn`` (rnn.py) runs it
over a whole sequence::

    cell = tf.nn.rnn_cell.BasicRNNCell(128)
    outputs, final_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)     # x: [batch, time, depth]

**Variables.** A cell creates its variables the first time it is called (or when ``dynamic_rnn`` builds it),
because only then does it know the input depth. They live in the cell's own variable scope, opened inside the
scope current at that moment and named after the class in snake case (``basic_rnn_cell``, made unique like
``tf.layers``' names; ``name=`` picks another): a cell called in ``dynamic_rnn`` makes ``rnn/basic_rnn_cell/kernel``.
Calling the same cell object again uses the same variables. A *new* cell meets the usual sharing rules of
``get_variable``: building it where another cell's variables already exist is an error unless ``reuse=True`` (the
argument, or an enclosing ``variable_scope(..., reuse=True)``).

**Writing a cell.** Subclass ``RNNCell`` and give it ``state_size``, ``output_size``, ``build(inputs_shape)``
(create the variables with ``self.add_variable``) and ``call(inputs, state)``. ``state_size`` may be a tuple
(e.g. an LSTM's ``(c, h)``); the state is then a tuple of tensors.
"""
import contextlib
import re

from ..backend import dtypes
from .basics import name_scope
from .array_ops import concat, zeros
from .core import TensorShape
from .function_graph import flatten, pack
from .initializers import Zeros
from .math_ops import FLOATS, check_dtype, matmul, tanh, to_tensor
from .nn_ops import bias_add
from .variable_scope import get_variable, variable_scope


def _snake_case(class_name):
    """``BasicRNNCell`` -> ``basic_rnn_cell``: an underscore before each capitalised word and between a lower-case
    letter and a capital, then lower case."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


class RNNCell:
    """The base of every cell: one step ``(output, new_state) = cell(inputs, state)``.

    Subclasses define ``state_size`` and ``output_size`` (an int, a ``TensorShape``, or for the state a tuple of
    those), ``build(inputs_shape)`` and ``call(inputs, state)``. ``inputs`` is [batch_size, depth] and the state
    [batch_size, state_size] (a tuple of such tensors for a tuple ``state_size``).
    """

    def __init__(self, name=None, reuse=None, dtype=None):
        self._name = name
        self._base_name = name or _snake_case(type(self).__name__)
        self._reuse = reuse
        self.dtype = None if dtype is None else dtypes.as_dtype(dtype)   # None: the first inputs' dtype
        self._scope = None       # the VariableScope opened by the first build or call, re-entered by later ones
        self._called = False
        self._variables = []
        self.built = False

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define state_size")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define output_size")

    @property
    def variables(self):
        """The cell's variables, in the order it created them (empty until it is built)."""
        return list(self._variables)

    @property
    def trainable_variables(self):
        return [v for v in self._variables if v.trainable]

    def build(self, inputs_shape):
        """Create the variables for inputs of shape ``inputs_shape`` ([batch_size, depth]). The base cell has
        none."""

    def call(self, inputs, state):
        """One step: return ``(output, new_state)``."""
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs, state)")

    def add_variable(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True):
        """``get_variable(name, ...)`` in the cell's scope (during ``build``), remembered in ``variables``."""
        variable = get_variable(name, shape, dtype or self.dtype, initializer, regularizer, trainable)
        self._variables.append(variable)
        return variable

    def zero_state(self, batch_size, dtype):
        """A state of zeros for ``batch_size`` examples (an int or a scalar int tensor): [batch_size, state_size],
        or a tuple of such tensors shaped like ``state_size``."""
        with name_scope(f"{type(self).__name__}ZeroState"):
            return pack(self.state_size, [zeros([batch_size] + dims_of(size), dtype)
                                          for size in flatten(self.state_size)])

    def __call__(self, inputs, state):
        """Build on the first call (creating the variables), then run ``call`` inside the cell's variable scope."""
        inputs = to_tensor(inputs)
        with self._variable_scope():
            if not self.built:
                self._build(inputs.shape, inputs.dtype)
            result = self.call(inputs, state)
        self._called = True
        return result

    def maybe_build(self, inputs_shape, dtype):
        """Create the variables for step inputs of ``inputs_shape`` and ``dtype`` now, if not done yet.
        ``dynamic_rnn`` calls this before its loop, so that the variables belong to the enclosing graph."""
        if not self.built:
            with self._variable_scope():
                self._build(TensorShape(inputs_shape), dtype)

    # ------------------------------------------------------------------------------------------- internals
    def _build(self, inputs_shape, dtype):
        if self.dtype is None:
            self.dtype = dtypes.as_dtype(dtype)
        self.build(inputs_shape)
        self.built = True

    @contextlib.contextmanager
    def _variable_scope(self):
        """The cell's variable scope: opened and remembered the first time, re-entered afterwards — with reuse once
        the cell has been called, so that a ``call`` that makes variables finds the same ones again (each entry
        opens its own name scope for the ops)."""
        if self._scope is not None:
            scope = variable_scope(self._scope, reuse=True if self._called else self._reuse)
        elif self._reuse is True:
            scope = variable_scope(self._base_name, reuse=True)
        else:
            scope = variable_scope(self._name, default_name=self._base_name, reuse=self._reuse)
        with scope as opened:
            self._scope = opened
            yield opened


def dims_of(size):
    """A state or output size (an int or a shape) as a list of dims."""
    return [size] if isinstance(size, int) else list(size)


class BasicRNNCell(RNNCell):
    """The Elman cell: ``output = new_state = activation(concat([inputs, state], 1) @ kernel + bias)``.

    ``kernel`` is [depth + num_units, num_units] — its first ``depth`` rows multiply the inputs, the rest the
    state — initialised Glorot-uniform (unless the variable scope sets another initializer); ``bias`` is
    [num_units], zeros. ``activation`` defaults to ``tf.tanh``. ``dtype``: the variables' (default: the first
    inputs').
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(name=name, reuse=reuse, dtype=dtype)
        if isinstance(num_units, bool) or not isinstance(num_units, int) or num_units <= 0:
            raise ValueError(f"BasicRNNCell: num_units must be a positive int, got {num_units!r}")
        if activation is not None and not callable(activation):
            raise TypeError(f"BasicRNNCell: activation must be callable, got {activation!r}")
        self._num_units = num_units
        self.activation = activation or tanh
        self.kernel = self.bias = None

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    @property
    def input_depth(self):
        """The depth of the inputs the kernel was built for (None before the cell is built)."""
        return None if self.kernel is None else self.kernel.shape[0] - self._num_units

    def build(self, inputs_shape):
        self.check_inputs(inputs_shape)
        depth = inputs_shape[-1]
        if depth is None:
            raise ValueError(f"BasicRNNCell: expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
        self.kernel = self.add_variable("kernel", [depth + self._num_units, self._num_units])
        self.bias = self.add_variable("bias", [self._num_units], initializer=Zeros())

    def call(self, inputs, state):
        inputs = check_dtype(inputs, FLOATS, "inputs")
        self.check_inputs(inputs.shape)
        state = check_dtype(to_tensor(state), FLOATS, "state")
        if not state.shape.is_compatible_with([inputs.shape[0], self._num_units]):
            raise ValueError(f"BasicRNNCell '{self._scope.name}': expected a state of shape [batch_size, num_units] "
                             f"= [{inputs.shape[0]}, {self._num_units}], got {state.shape}")
        output = self.activation(bias_add(matmul(concat([inputs, state], 1), self.kernel), self.bias))
        return output, output

    def check_inputs(self, inputs_shape):
        """Step inputs must be [batch_size, depth], with the depth the kernel was built for (once it is)."""
        depth = self.input_depth
        if (not inputs_shape.rank_known or len(inputs_shape) != 2
                or None not in (depth, inputs_shape[1]) and inputs_shape[1] != depth):
            built_for = "" if depth is None else f" (its kernel {self.kernel.name} is {self.kernel.shape})"
            raise ValueError(f"BasicRNNCell '{self._scope.name}': expected inputs of shape [batch_size, "
                             f"{depth or 'depth'}]{built_for}, got {inputs_shape}")
