"""Keras' ``RNN`` layer: a cell (``rnn_cells.py``: a built-in one, a list of cells — stacked — or one's own) run
over every step of a sequence by ``K.rnn`` (``backend_rnn.py``)::

    RNN(cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False)

Inputs are (batch, time, features) — (time, batch, features) with ``time_major=True``. The layer returns the last
step's output, or every step's with ``return_sequences``; with ``return_state`` a list, the output followed by the
final states (for an LSTM cell ``[output, h, c]``). The states start at zeros (the cell's ``get_initial_state`` if
it has one), or at a call's ``initial_state`` (a list, one tensor per state; or the inputs given as
``[x, state, ...]``). ``constants`` (a list of tensors) reach every step as the cell's ``call(inputs, states,
constants=...)``. A mask of padded steps (``Embedding(mask_zero=True)``, ``Masking``) holds the states over padding;
with ``return_sequences`` it goes on with the outputs.

The cell is built by the layer's first call, inside the layer's scope (its weights are the layer's: ``rnn/kernel``
...), and it gets the learning phase as ``training`` when its ``call`` takes it (dropout inside the cell).

``stateful=True`` carries the final states over to the next batch, as the recurrent layers of ``recurrent.py`` do
(their ``_Recurrent`` machinery: state variables of a fixed batch size, ``reset_states()``).
"""
from .. import math_ops
from ..array_ops import shape, zeros
from ..core import GraphKeys, get_default_graph
from .backend_rnn import rnn
from .layers import Layer
from .recurrent import _Recurrent
from .rnn_cells import StackedRNNCells, deserialize_cell, flat_state_sizes, takes
from .serialization import serialize_keras_object


class RNN(_Recurrent, Layer):
    """Runs a cell over a sequence (see the module docstring)."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: the cell should have a `call` method and a `state_size` attribute (an int, or a "
                             f"list of ints: one per state), got {cell!r}")
        if stateful and time_major:
            raise NotImplementedError("RNN: stateful=True with time_major=True is not supported")
        zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.time_major, self.zero_output_for_mask = bool(time_major), bool(zero_output_for_mask)
        self._arguments = {"cell": cell, "return_sequences": self.return_sequences, "return_state": self.return_state,
                           "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                           "time_major": self.time_major}  # (what get_config reports; masking reads it too)
        if self.zero_output_for_mask:
            self._arguments["zero_output_for_mask"] = True

    def build(self, input_shape):
        full = tuple(input_shape[0] if isinstance(input_shape, list) else input_shape)
        if len(full) < 3:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: expected ndim>=3 "
                             f"(batch, time, features), found shape {full}")
        step = full[1:] if self.time_major else (full[0],) + full[2:]  # one step's inputs: no time dim
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step)
            self.cell.built = True

    def _state_names(self):
        return [f"state_{i}" for i in range(len(flat_state_sizes(self.cell)))]

    def _state_sizes(self):
        return flat_state_sizes(self.cell)

    def _zero_states(self, x):
        batch = shape(x)[1 if self.time_major else 0]
        initial = getattr(self.cell, "get_initial_state", None)
        if initial is not None:
            states = initial(inputs=None, batch_size=batch, dtype=x.dtype)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        return [zeros([batch, size], x.dtype) for size in flat_state_sizes(self.cell)]

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None, state_variables=None):
        if isinstance(inputs, (list, tuple)):  # [x, state, ...]: Keras' other way to give the initial state
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        x = math_ops.to_tensor(inputs)
        if hasattr(self.cell, "reset_dropout_mask"):  # a new sequence: new dropout masks
            self.cell.reset_dropout_mask()
        if initial_state is None and state_variables is not None:  # (stateful: the layer's states)
            initial_state = [v.value() for v in state_variables]
        if initial_state is None:
            states = self._zero_states(x)
        else:
            states = [math_ops.to_tensor(s) for s in
                      (initial_state if isinstance(initial_state, (list, tuple)) else [initial_state])]
        expected = len(flat_state_sizes(self.cell))
        if len(states) != expected:
            raise ValueError(f"Layer {self.name} has {expected} states but was passed {len(states)} initial states.")
        options = {"training": training} if takes(self.cell, "training") else {}
        given = list(constants or [])
        if given and not takes(self.cell, "constants"):
            raise ValueError(f"RNN {self.name}: the cell's call does not take `constants`")

        def step(x_t, states_and_constants):
            states = list(states_and_constants[:len(states_and_constants) - len(given)])
            if given:
                options["constants"] = list(states_and_constants[len(states):])
            return self.cell.call(x_t, states, **options)

        last, outputs, states = rnn(step, x, states, go_backwards=self.go_backwards, mask=mask, constants=given,
                                    unroll=self.unroll, time_major=self.time_major,
                                    zero_output_for_mask=self.zero_output_for_mask)
        if state_variables is not None:  # the next batch starts where this one ends
            for variable, value in zip(state_variables, states):
                get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, variable.assign(value).op)
        output = outputs if self.return_sequences else last
        return [output] + list(states) if self.return_state else output

    @property
    def weights(self):
        return list(self.cell.weights) if isinstance(self.cell, Layer) else []

    variables = weights

    @property
    def trainable_weights(self):
        return list(self.cell.trainable_weights) if self.trainable and isinstance(self.cell, Layer) else []

    @property
    def non_trainable_weights(self):
        trainable = set(self.trainable_weights)
        return [v for v in self.weights if v not in trainable]

    def get_config(self):
        return dict(super().get_config(), cell=serialize_keras_object(self.cell))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls(deserialize_cell(config.pop("cell"), custom_objects), **config)
