"""Keras' RNN cells as TF 1.15 has them: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` and ``StackedRNNCells`` —
one time step each, which the ``RNN`` layer (``rnn_layer.py``) runs over a sequence::

    x = Input((None, 8))
    y = RNN(LSTMCell(32))(x)                                   # the same as LSTM(32)(x)
    y = RNN([GRUCell(32), GRUCell(32)], return_sequences=True)(x)   # two GRUs stacked, one loop

A cell is a layer with a ``state_size`` (an int, or a list for several states: an LSTM's ``[units, units]`` for
its h and c) and ``call(inputs, states)`` returning ``(output, new_states)``, ``states`` a list. A cell of one's
own needs nothing more (Keras' custom-cell pattern; ``build`` makes its weights)::

    class MinimalRNNCell(Layer):
        def __init__(self, units, **kwargs):
            self.units = self.state_size = units
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
            self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units))

        def call(self, inputs, states):
            output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
            return output, [output]

The three built-in cells hold the weights of the recurrent layers of ``recurrent.py`` — ``kernel`` (features,
k·units), ``recurrent_kernel`` (units, k·units), ``bias`` (k·units), the gates side by side in Keras' order (LSTM:
i, f, c, o; GRU: z, r, h) — with TF 1.15's defaults: ``recurrent_activation="hard_sigmoid"``, the GRU's
``reset_after=False``, the LSTM's ``unit_forget_bias=True``. Their step is ``recurrent.KerasCell``'s, the one the
``SimpleRNN``/``LSTM``/``GRU`` layers run, so ``RNN(LSTMCell(n))`` and ``LSTM(n)`` with the same weights compute
the same. ``dropout``/``recurrent_dropout`` drop inputs and state units before the products while training, with
one mask per sequence: a cell draws its masks at its first step and keeps them until ``reset_dropout_mask()``,
which ``RNN`` calls before each sequence (one mask for the four gates of an LSTM, as Keras' ``implementation=2``).

**Weight names.** Inside ``RNN`` a cell's weights are the RNN's: ``rnn/kernel`` ... as in TF 1.15. A stack's
cells each have their own scope — ``rnn/lstm_cell/kernel``, ``rnn/lstm_cell_1/kernel`` — where TF 1.15 gave the
second cell ``rnn/kernel_1`` (TF issue #33776; later versions scope them so too).
"""
import inspect

from .. import basics, layers as tf_layers
from ..array_ops import ones_like
from ..function_graph import flatten
from ..layer_classes import Layer as TFLayer
from ..rnn_cell import LSTMStateTuple
from ..variable_scope import variable_scope
from . import activations, backend, constraints, initializers
from .layers import Layer
from .recurrent import _GATES, KerasCell, _ForgetBiasOne
from .serialization import deserialize_keras_object, serialize_keras_object


def _given(arguments):
    """A constructor's arguments (its ``locals()`` on entry), as ``get_config`` reports them."""
    return {key: value for key, value in arguments.items() if key not in ("self", "kwargs", "__class__")}


def flat_state_sizes(cell):
    """The sizes of a cell's states, one per state tensor (``state_size`` may be an int or a nest of ints)."""
    return [int(size) for size in flatten(cell.state_size)]


def output_size(cell):
    """A cell's output size: its ``output_size``, else the size of its first state (Keras' rule)."""
    size = getattr(cell, "output_size", None)
    return size if size is not None else flat_state_sizes(cell)[0]


def takes(cell, argument):
    """Whether the cell's ``call`` takes ``argument`` (``training``, ``constants``)."""
    return argument in inspect.signature(cell.call).parameters


class _Cell(Layer):
    """What the three built-in cells share: their weights, their step (``KerasCell``'s), their dropout masks."""
    kind = None  # "simple_rnn", "lstm" or "gru" (recurrent.py's names)

    def __init__(self, arguments, **kwargs):
        super().__init__(**kwargs)
        self._arguments = arguments  # (what get_config reports)
        self.units = int(arguments["units"])
        self.activation = activations.get(arguments["activation"])
        self.recurrent_activation = activations.get(arguments.get("recurrent_activation"))
        self.use_bias = arguments["use_bias"]
        self.dropout = min(1.0, max(0.0, arguments["dropout"]))
        self.recurrent_dropout = min(1.0, max(0.0, arguments["recurrent_dropout"]))
        self.state_size = [self.units, self.units] if self.kind == "lstm" else self.units
        self.output_size = self.units
        self._masks = None

    def _weight(self, name, shape, prefix, initializer=None):
        given = self._arguments
        variable = self.add_weight(name, shape, initializer=initializer or given[f"{prefix}_initializer"],
                                   regularizer=given[f"{prefix}_regularizer"])
        # (add_weight takes no constraint: the variable's is what the optimizer applies after each update)
        variable.constraint = constraints.get(given[f"{prefix}_constraint"])
        return variable

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name}: the last dim of the inputs must be known, got "
                             f"{input_shape}")
        width = _GATES[self.kind] * self.units
        self.kernel = self._weight("kernel", [int(input_shape[-1]), width], "kernel")
        self.recurrent_kernel = self._weight("recurrent_kernel", [self.units, width], "recurrent")
        self.bias = None
        if self.use_bias:
            initializer = initializers.get(self._arguments["bias_initializer"])
            if self.kind == "lstm" and self._arguments["unit_forget_bias"]:
                initializer = _ForgetBiasOne(initializer or initializers.Zeros(), self.units)
            self.bias = self._weight("bias", [width], "bias", initializer)

    def __call__(self, inputs, states, training=None):
        """One step outside an ``RNN`` (a loop of one's own): ``output, new_states = cell(x_t, states)``; the
        weights are made at the first call."""
        training = backend.learning_phase() if training is None else training
        return TFLayer.__call__(self, inputs, states=states, training=training)

    def reset_dropout_mask(self):
        """Forget the dropout masks: the next step draws new ones (``RNN`` calls this before each sequence)."""
        self._masks = None

    def _dropout_masks(self, inputs, h, training):
        if self._masks is None:
            training = backend.learning_phase() if training is None else training
            self._masks = [tf_layers.dropout(ones_like(t), rate, training=training) if rate else None
                           for t, rate in ((inputs, self.dropout), (h, self.recurrent_dropout))]
        return self._masks

    def call(self, inputs, states, training=None):
        given_list = isinstance(states, (list, tuple))
        states = list(states) if given_list else [states]
        step = KerasCell(self.kind, self.units, self.kernel, self.recurrent_kernel, self.bias, self.activation,
                         self.recurrent_activation, *self._dropout_masks(inputs, states[0], training))
        if self.kind == "lstm":
            h, c = states
            output, new = step.call(inputs, LSTMStateTuple(c, h))
            return output, [new.h, new.c]
        output, new = step.call(inputs, states[0])
        return output, [new] if given_list else new


class SimpleRNNCell(_Cell):
    """One step of a simple RNN: ``h = activation(x kernel + h recurrent_kernel + bias)``."""
    kind = "simple_rnn"

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        super().__init__(_given(locals()), **kwargs)


class LSTMCell(_Cell):
    """One step of an LSTM (gates i, f, c, o; see ``recurrent.py``); its states are ``[h, c]``."""
    kind = "lstm"

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, implementation=1, **kwargs):
        super().__init__(_given(locals()), **kwargs)


class GRUCell(_Cell):
    """One step of a GRU (gates z, r, h; TF 1.15's ``reset_after=False``, see ``recurrent.py``)."""
    kind = "gru"

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 implementation=1, reset_after=False, **kwargs):
        if reset_after:
            raise NotImplementedError("GRUCell: reset_after=True (the reset gate applied after the recurrent "
                                      "product, CuDNN's GRU) is not supported by minidl's Keras")
        super().__init__(_given(locals()), **kwargs)


class StackedRNNCells(Layer):
    """Cells stacked into one: each step runs them in order, the output of one the input of the next. Its states
    are the cells' states one after another (``state_size``: a tuple of the cells' ``state_size``)."""

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells: all cells must have a `call` method and a `state_size` "
                                 f"attribute, got {cell!r}")
        if kwargs.pop("reverse_state_order", False):
            raise NotImplementedError("StackedRNNCells: reverse_state_order=True (deprecated in TF) is not supported")
        super().__init__(**kwargs)
        self.cells = list(cells)
        self._arguments = {"cells": self.cells}

    @property
    def state_size(self):
        return tuple(cell.state_size for cell in self.cells)

    @property
    def output_size(self):
        return output_size(self.cells[-1])

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, TFLayer) and not cell.built:
                with variable_scope(cell.name):  # (two cells' "kernel"s must not meet)
                    cell.build(shape)
                cell.built = True
            shape = (shape[0], output_size(cell))

    def reset_dropout_mask(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()

    def call(self, inputs, states, training=None):
        states, new_states = list(states), []
        for cell in self.cells:
            count = len(flat_state_sizes(cell))
            own, states = states[:count], states[count:]
            with basics.name_scope(cell.name):
                inputs, own = cell.call(inputs, own, **({"training": training} if takes(cell, "training") else {}))
            new_states += list(own) if isinstance(own, (list, tuple)) else [own]
        return inputs, new_states

    @property
    def weights(self):
        return [v for cell in self.cells for v in cell.weights]

    variables = weights

    @property
    def trainable_weights(self):
        return [v for cell in self.cells for v in cell.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self):
        trainable = set(self.trainable_weights)
        return [v for v in self.weights if v not in trainable]

    def get_config(self):
        return dict(super().get_config(), cells=[serialize_keras_object(cell) for cell in self.cells])

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_cell(cell, custom_objects) for cell in config.pop("cells")]
        return cls(cells, **config)


CELLS = {cls.__name__: cls for cls in (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells)}


def deserialize_cell(config, custom_objects=None):
    """A cell from its configuration, ``{"class_name": ..., "config": ...}`` (a cell of one's own: given in
    ``custom_objects``)."""
    return deserialize_keras_object(config, CELLS, custom_objects, "RNN cell")
