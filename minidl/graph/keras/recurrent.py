"""Keras' recurrent layers as TensorFlow 1.x has them: ``SimpleRNN``, ``LSTM``, ``GRU`` and ``Bidirectional``.

Inputs are (batch, time, features); the layer returns the last step's output (batch, units), or every step's
(batch, time, units) with ``return_sequences=True``, and with ``return_state=True`` also the final state
(``[output, h]``, for an LSTM ``[output, h, c]``). Each layer runs a cell of Keras' own layout in
``tf.nn.dynamic_rnn`` (a ``while_loop``, differentiated by the loop's gradient).

Keras keeps the input and the recurrent weights apart — ``kernel`` (features, k·units), ``recurrent_kernel``
(units, k·units), ``bias`` (k·units) — with the k gates side by side in this order, which a program loading
weights relies on. With ``z = x kernel + h recurrent_kernel + bias`` split into the gates' blocks:

- SimpleRNN: ``h = activation(z)``;
- LSTM (i, f, c, o): ``i = σ(z_i)``, ``f = σ(z_f)``, ``c = f c + i tanh(z_c)``, ``o = σ(z_o)``, ``h = o tanh(c)``;
  ``unit_forget_bias`` starts the forget gate's bias at 1;
- GRU (z, r, h; TF1's ``reset_after=False``): ``u = σ(z_u)``, ``r = σ(z_r)``,
  ``ĥ = tanh(x kernel_h + bias_h + (r h) recurrent_kernel_h)``, ``h = u h + (1 - u) ĥ``.

σ is ``recurrent_activation``, by default Keras 2's ``hard_sigmoid`` = clip(0.2 x + 0.5, 0, 1) (TF 2 changed it
to the sigmoid); tanh is ``activation``. The state starts at zeros, or at a call's ``initial_state``
(``LSTM(64)(x, initial_state=[h, c])``); ``kernel`` Glorot uniform, ``recurrent_kernel`` orthogonal, ``bias``
zeros. ``dropout`` and ``recurrent_dropout`` (while training; as Keras' ``implementation=2``) drop inputs and
state units before the products, with one mask per sequence: the same units at every step (Gal & Ghahramani
2016); the state carried on to the next step is not dropped.

``stateful=True`` carries the state from one batch to the next: a long sequence cut into pieces, fed in order,
runs as if whole (a char-RNN trained with ``fit(x, y, batch_size=b, shuffle=False)``, row i of each batch going on
with row i of the batch before). The layer keeps its states — ``layer.states``: [h], for an LSTM [h, c] — in
variables of a fixed batch size, which the input must declare (``batch_input_shape=(b, time, features)`` on a
Sequential's first layer, ``Input(batch_shape=...)``). Each call starts from them and adds the assignment of its
final states to the layer's ``updates``, which every ``fit``, ``evaluate`` and ``predict`` run (``training.py``);
``layer.reset_states()`` puts zeros back (or the given arrays), ``model.reset_states()`` does it for every
stateful layer. The states are not weights: neither trained nor saved.
"""
import inspect

import numpy

from .. import basics, layers as tf_layers, math_ops
from ..array_ops import concat, ones, ones_like, reverse, split
from ..core import GraphKeys, get_default_graph
from ..initializers import Initializer
from ..rnn import dynamic_rnn
from ..rnn_cell import LSTMStateTuple, RNNCell
from ..variable_scope import get_variable, layer_scope
from ..variables import Variable
from . import activations, backend, constraints, initializers
from .layers import Wrapper, _layer, deserialize, serialize
from .masking import CONSUMES, split_step_flag, with_step_flags

_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


class _ForgetBiasOne(Initializer):
    """Zeros, but ones in the LSTM forget gate's block (the second quarter): the cell remembers by default."""

    def __init__(self, bias_initializer, units):
        super().__init__()
        self.bias_initializer, self.units = bias_initializer, units

    def __call__(self, shape, dtype=None, partition_info=None):
        u = self.units
        return concat([self.bias_initializer([u], dtype), ones([u], dtype),
                       self.bias_initializer([2 * u], dtype)], 0)


class KerasCell(RNNCell):
    """One step of a Keras recurrent layer, on weights the layer made (the cell makes none). ``input_mask`` and
    ``state_mask`` (or None) are the dropout masks of the whole sequence, the same at every step."""

    def __init__(self, kind, units, kernel, recurrent_kernel, bias, activation, recurrent_activation,
                 input_mask=None, state_mask=None, masked=False):
        super().__init__(name=kind)
        self.kind, self.units = kind, units
        self.kernel, self.recurrent_kernel, self.bias = kernel, recurrent_kernel, bias
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.input_mask, self.state_mask = input_mask, state_mask
        self.masked = masked  # each step's inputs end with a flag: 1 at a real step, 0 at padding

    @property
    def state_size(self):
        return LSTMStateTuple(self.units, self.units) if self.kind == "lstm" else self.units

    @property
    def output_size(self):
        return self.units

    def _dropped(self, h):
        """The state as the recurrent products see it: with recurrent dropout, masked (what it carries over is not)."""
        return h if self.state_mask is None else h * self.state_mask

    def call(self, inputs, state):
        chosen = None
        if self.masked:  # at a padded step the state stays as it was (and the output repeats it)
            inputs, chosen = split_step_flag(inputs)
        if self.input_mask is not None:
            inputs = inputs * self.input_mask
        x = math_ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        if self.kind == "lstm":
            c, h = state
            i, f, candidate, o = split(x + math_ops.matmul(self._dropped(h), self.recurrent_kernel), 4, axis=1)
            sigma = self.recurrent_activation
            new_c = sigma(f) * c + sigma(i) * self.activation(candidate)
            new_h = sigma(o) * self.activation(new_c)
            if chosen is not None:
                new_c, new_h = chosen(new_c, c), chosen(new_h, h)
            return new_h, LSTMStateTuple(new_c, new_h)
        h = state
        if self.kind == "simple_rnn":
            new_h = self.activation(x + math_ops.matmul(self._dropped(h), self.recurrent_kernel))
        else:
            x_u, x_r, x_h = split(x, 3, axis=1)
            r_u, r_r, r_h = split(self.recurrent_kernel, 3, axis=1)
            seen = self._dropped(h)
            update = self.recurrent_activation(x_u + math_ops.matmul(seen, r_u))
            reset = self.recurrent_activation(x_r + math_ops.matmul(seen, r_r))
            candidate = self.activation(x_h + math_ops.matmul(reset * seen, r_h))
            new_h = update * h + (1 - update) * candidate
        if chosen is not None:
            new_h = chosen(new_h, h)
        return new_h, new_h


def _recurrent(kind):
    def layer(inputs, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
              kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
              unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
              activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
              dropout=0.0, recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
              stateful=False, unroll=False, time_major=False, implementation=1, reset_after=False, trainable=True,
              name=None, reuse=None, initial_state=None, training=False, mask=None, state_variables=None):
        if activity_regularizer:
            raise NotImplementedError(f"{kind}: activity_regularizer not supported by minidl's Keras")
        if time_major or reset_after:  # (``implementation`` 1 or 2 only orders the same products differently)
            raise NotImplementedError(f"{kind}: {'time_major' if time_major else 'reset_after'}=True is not supported "
                                      f"by minidl's Keras (inputs are (batch, time, features); GRU as TF 1's default)")
        x = math_ops.check_dtype(math_ops.to_tensor(inputs), math_ops.FLOATS, "inputs")
        if x.shape.rank != 3 or x.shape[-1] is None:
            raise ValueError(f"Input 0 of layer {name} is incompatible with the layer: expected ndim=3 (batch, "
                             f"time, features) with known features, found shape {x.shape}")
        units, gates = int(units), _GATES[kind]
        kernel_initializer, recurrent_initializer, bias_initializer = (initializers.get(i) for i in (
            kernel_initializer, recurrent_initializer, bias_initializer))
        with layer_scope(name, kind, reuse):
            kernel = get_variable("kernel", [x.shape[-1], gates * units], x.dtype, kernel_initializer,
                                  kernel_regularizer, trainable, constraint=constraints.get(kernel_constraint))
            recurrent_kernel = get_variable("recurrent_kernel", [units, gates * units], x.dtype,
                                            recurrent_initializer, recurrent_regularizer, trainable,
                                            constraint=constraints.get(recurrent_constraint))
            bias = None
            if use_bias:
                if kind == "lstm" and unit_forget_bias:
                    bias_initializer = _ForgetBiasOne(bias_initializer or initializers.Zeros(), units)
                bias = get_variable("bias", [gates * units], x.dtype, bias_initializer, bias_regularizer, trainable,
                                    constraint=constraints.get(bias_constraint))
            input_mask = state_mask = None
            if dropout or recurrent_dropout:  # drawn once per call: the same units dropped at every step
                per_row = ones_like(x[:, 0, :1])  # (batch, 1)
                if dropout:
                    input_mask = tf_layers.dropout(per_row * ones([x.shape[-1]], x.dtype), dropout, training=training)
                if recurrent_dropout:
                    state_mask = tf_layers.dropout(per_row * ones([units], x.dtype), recurrent_dropout,
                                                   training=training)
            cell = KerasCell(kind, units, kernel, recurrent_kernel, bias, activations.get(activation),
                             activations.get(recurrent_activation), input_mask, state_mask, mask is not None)
            steps = x if mask is None else with_step_flags(x, mask)
            steps = reverse(steps, [1]) if go_backwards else steps
            if initial_state is None and state_variables is not None:  # (stateful: the layer's states)
                initial_state = [v.value() for v in state_variables]
            start = None if initial_state is None else _cell_state(kind, initial_state)
            outputs, state = dynamic_rnn(cell, steps, initial_state=start, dtype=x.dtype)
            if state_variables is not None:  # the next batch starts where this one ends
                for variable, value in zip(state_variables, [state.h, state.c] if kind == "lstm" else [state]):
                    get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, variable.assign(value).op)
            output = outputs if return_sequences else outputs[:, -1]
            if not return_state:
                return output
            return [output, state.h, state.c] if kind == "lstm" else [output, state]
    layer.__name__ = kind
    layer.__doc__ = f"Keras' {kind} layer (see the module docstring)."
    # the arguments TF 1.15's layer of this kind takes (a SimpleRNN has no gates, only an LSTM unit_forget_bias, only
    # a GRU reset_after): the ones a layer binds and its config lists
    signature = inspect.signature(layer)
    layer.__signature__ = signature.replace(parameters=[
        parameter for parameter in signature.parameters.values() if parameter.name not in _NOT_TAKEN[kind]])
    return layer


_NOT_TAKEN = {"simple_rnn": {"recurrent_activation", "unit_forget_bias", "implementation", "reset_after"},
              "lstm": {"reset_after"}, "gru": {"unit_forget_bias"}}


def _cell_state(kind, initial_state):
    """Keras' ``initial_state`` of a call — a tensor, or a list: ``[h]``, for an LSTM ``[h, c]`` (what
    ``return_state=True`` gave after the output: an encoder's final state starts a decoder) — as the cell's."""
    states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
    expected = 2 if kind == "lstm" else 1
    if len(states) != expected:
        raise ValueError(f"{kind}: initial_state should be {'[h, c]' if kind == 'lstm' else '[h] (or h)'}, "
                         f"{expected} tensor(s), got {len(states)}")
    states = [math_ops.to_tensor(state) for state in states]
    return LSTMStateTuple(states[1], states[0]) if kind == "lstm" else states[0]


_NEEDS_BATCH_SIZE = ("If a RNN is stateful, it needs to know its batch size. Specify the batch size of your input "
                     "tensors: \n- If using a Sequential model, specify the batch size by passing a "
                     "`batch_input_shape` argument to your first layer.\n- If using the functional API, specify the "
                     "batch size by passing a `batch_shape` argument to your Input layer.")


class _Recurrent:
    """What SimpleRNN, LSTM and GRU add to their layer function: a stateful layer's state variables, made at its
    first call for the input's (fixed) batch size and handed to every call."""
    mask_handling = CONSUMES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._states = None

    def __call__(self, inputs, training=None, **kwargs):
        if self.stateful:
            kwargs["state_variables"] = self._state_variables(inputs)
        return super().__call__(inputs, training=training, **kwargs)

    def _state_variables(self, inputs):
        if self._states is None:
            x = math_ops.to_tensor(inputs)
            batch = x.shape.as_list()[0] if x.shape.rank_known else None
            if not batch:
                raise ValueError(_NEEDS_BATCH_SIZE)
            with basics.name_scope(None):
                self._states = [Variable(numpy.zeros((batch, size), x.dtype.as_numpy_dtype), trainable=False,
                                         name=f"{self.name}/{state}")
                                for state, size in zip(self._state_names(), self._state_sizes())]
        return self._states

    def _state_names(self):
        return ["state_h", "state_c"] if isinstance(self, LSTM) else ["state_h"]

    def _state_sizes(self):
        return [self.units] * len(self._state_names())

    @property
    def states(self):
        """The state variables of a stateful layer once called (an LSTM's [h, c]), else None for each."""
        return list(self._states) if self._states is not None else [None] * len(self._state_names())

    def reset_states(self, states=None):
        """Zeros into the states — or ``states``, numpy arrays (one per state, of its shape)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if self._states is None:
            raise ValueError(_NEEDS_BATCH_SIZE)
        if states is None:
            states = [numpy.zeros(v.shape.as_list()) for v in self._states]
        states = [numpy.asarray(s) for s in (states if isinstance(states, (list, tuple)) else [states])]
        if len(states) != len(self._states):
            raise ValueError(f"Layer {self.name} expects {len(self._states)} states, but it received {len(states)} "
                             f"state values. Input received: {states}")
        for i, (value, variable) in enumerate(zip(states, self._states)):
            if value.shape != tuple(variable.shape.as_list()):
                raise ValueError(f"State {i} is incompatible with layer {self.name}: expected shape="
                                 f"{tuple(variable.shape.as_list())}, found shape={value.shape}")
        backend.batch_set_value(zip(self._states, states))


class SimpleRNN(_Recurrent, _layer("SimpleRNN", _recurrent("simple_rnn"))):
    """Keras' SimpleRNN layer (see the module docstring)."""


class LSTM(_Recurrent, _layer("LSTM", _recurrent("lstm"))):
    """Keras' LSTM layer (see the module docstring)."""


class GRU(_Recurrent, _layer("GRU", _recurrent("gru"))):
    """Keras' GRU layer (see the module docstring)."""


class Bidirectional(Wrapper):
    """Runs ``layer`` over the sequence and a copy of it over the sequence reversed in time, and merges their
    outputs (``merge_mode``: "concat" (default), "sum", "mul" or "ave"; None: both, as a list); with
    ``return_sequences`` the backward outputs are reversed back first, so that step t of both directions lines
    up. With ``return_state``, the forward layer's final states and then the backward layer's follow the output
    (``[output, h_forward, c_forward, h_backward, c_backward]`` for an LSTM: a seq2seq encoder's)."""
    mask_handling = CONSUMES  # (the layers inside take the mask)
    _MERGES = {"concat": lambda a, b: concat([a, b], -1), "sum": lambda a, b: a + b, "mul": lambda a, b: a * b,
               "ave": lambda a, b: (a + b) / 2}

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, (SimpleRNN, LSTM, GRU)):
            raise ValueError(f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU), got {layer!r}")
        if merge_mode is not None and merge_mode not in self._MERGES:
            raise ValueError(f"Invalid merge mode {merge_mode!r}: use one of {', '.join(self._MERGES)} or None")
        super().__init__(layer, **kwargs)
        self.return_state = bool(layer._arguments.get("return_state"))
        # a copy named forward_<name>, as TF 1.15's (its weights: bidirectional/forward_lstm/...); a layer already
        # built keeps its weights and its name
        self.forward_layer = layer if layer.built else type(layer)(**layer._arguments, name=f"forward_{layer.name}")
        options = dict(layer._arguments, go_backwards=not layer._arguments.get("go_backwards", False))
        self.backward_layer = backward_layer or type(layer)(**options, name=f"backward_{layer.name}")
        self.merge_mode, self._backward_given = merge_mode, backward_layer is not None

    def get_config(self):
        """The wrapped layer's config, ``merge_mode``, and the backward layer's config when one was given."""
        config = dict(super().get_config(), merge_mode=self.merge_mode)
        if self._backward_given:
            config["backward_layer"] = serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "backward_layer" in config:
            config["backward_layer"] = deserialize(config["backward_layer"], custom_objects)
        return super().from_config(config, custom_objects)

    def build(self, input_shape):
        pass

    def call(self, inputs):
        forward, backward = self.forward_layer(inputs), self.backward_layer(inputs)
        states = []
        if self.return_state:  # each layer gave [output, *its final states]
            (forward, *forward_states), (backward, *backward_states) = forward, backward
            states = forward_states + backward_states
        if self.forward_layer._arguments.get("return_sequences"):
            backward = reverse(backward, [1])
        output = [forward, backward] if self.merge_mode is None else self._MERGES[self.merge_mode](forward, backward)
        if not self.return_state:
            return output
        return (output if isinstance(output, list) else [output]) + states

    @property
    def stateful(self):
        return self.forward_layer.stateful

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def inner_layers(self):
        return [self.forward_layer, self.backward_layer]

    @property
    def weights(self):
        return self.forward_layer.weights + self.backward_layer.weights

    variables = weights

    @property
    def trainable_weights(self):
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        trainable = set(self.trainable_weights)
        return [v for v in self.weights if v not in trainable]
