"""Recurrent layers: ``RNNCell``, ``LSTMCell``, ``GRUCell`` (one time step, on ``RNNCellBase``) and ``RNN``, ``LSTM``,
``GRU`` (whole sequences, stacked layers, both directions).

**The dynamic graph.** Given packed input (and ``LSTM`` with ``proj_size`` always), the layers are a plain Python
``for`` loop over the time steps, calling the cell once per step. Every op inside the loop is recorded on the tape
as it runs, so the graph that ``backward()`` walks is as long as *this* sequence — backpropagation through time
needs no special machinery, and a batch of a different length simply records a different graph. (Graph mode needs a
``while_loop`` op for the same thing.) Only the input's share of the gates, ``W_ih x_t + b_ih``, does not depend on
the recurrence: it is computed for all steps at once (one matrix product) and cut into steps by one ``unbind`` op. A
step is the hidden share (one ``linear``) and the gates' elementwise arithmetic as one op, ``ops.lstm_pointwise`` /
``ops.gru_pointwise`` (``minidl/ops/recurrent_cells.py``, as PyTorch's fused cell kernels): three recorded ops per
step, not fifteen.

**The fused sequence ops.** Otherwise ``RNN``, ``LSTM`` and ``GRU`` do the same arithmetic, but like PyTorch's
layers they hand the whole loop to one op, ``ops.rnn_sequence`` (``minidl/ops/recurrent.py``), ``ops.lstm_sequence``
or ``ops.gru_sequence`` (``lstm_sequence.py``, ``gru_sequence.py``), whose forward loops over the steps on arrays
and whose backward is backpropagation through time in one op too. Why: an Elman step is only a product, an add and a
tanh on small matrices, so recording ~10 ops per step (with their slicing and bookkeeping) cost several times the
arithmetic itself; one op per sequence costs what the numpy loop written by hand costs. The price is the flexibility
of the recorded loop: a new kind of cell needs a new fused op with its own derivatives (PyTorch's cuDNN kernels are
the same trade), while the cells below compose any step you write.

**Packed sequences.** Given a ``PackedSequence`` (``nn.utils.rnn``: a batch of sequences of different lengths),
the layers run the padded batch step by step, and where a sequence has ended the step's new state is discarded
(``where(running, new, old)``), so each sequence's final state is the one after its own last step, and the
reverse direction starts at its own last step. This loop is recorded step by step for RNN too (the fused op
knows no lengths).

The cells, with PyTorch's equations and gate order (the order in which the gates are stacked in the rows of
``weight_ih`` / ``weight_hh``); σ is the sigmoid, ⊙ the elementwise product::

    RNN    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)                 (or relu)

    LSTM   i  = σ(W_ii x + b_ii + W_hi h + b_hi)                    input gate
           f  = σ(W_if x + b_if + W_hf h + b_hf)                    forget gate
           g  = tanh(W_ig x + b_ig + W_hg h + b_hg)                 candidate cell
           o  = σ(W_io x + b_io + W_ho h + b_ho)                    output gate
           c' = f ⊙ c + i ⊙ g
           h' = o ⊙ tanh(c')

    LSTM with projections (``proj_size`` > 0; Sak et al. 2014): the hidden state is projected down to
    ``proj_size`` features by one more weight per layer and direction, W_hr (proj_size, hidden_size),
           h' = W_hr (o ⊙ tanh(c'))
    so h (and W_hh's columns, the outputs, the next layer's input) have proj_size features; c keeps hidden_size.

    GRU    r  = σ(W_ir x + b_ir + W_hr h + b_hr)                    reset gate
           z  = σ(W_iz x + b_iz + W_hz h + b_hz)                    update gate
           n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))           candidate (r scales the whole hidden term)
           h' = (1 - z) ⊙ n + z ⊙ h

Every parameter starts ``U(-1/√hidden_size, 1/√hidden_size)``, as in PyTorch.
"""
import math
import numbers
import warnings

from ... import ops
from ..creation import arange, empty, zeros
from . import functional as F, init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence, _pack, pad_packed_sequence

# ------------------------------------------------------------------------------------------ one time step
# A cell takes the step's input x; a ``_*_step`` takes its input share of the gates ``xi = W_ih x + b_ih`` instead
# (which LSTM and GRU compute for the whole sequence at once).


def _tanh_step(xi, hx, w_hh, b_hh):
    return F.tanh(xi + F.linear(hx, w_hh, b_hh))


def _relu_step(xi, hx, w_hh, b_hh):
    return F.relu(xi + F.linear(hx, w_hh, b_hh))


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``."""
    return _tanh_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN with relu: ``h' = relu(W_ih x + b_ih + W_hh h + b_hh)``."""
    return _relu_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def _lstm_step(xi, hx, w_hh, b_hh, w_hr=None):
    """``w_hr``: the projection of the hidden state (``LSTM(proj_size=...)``), or None (no projection)."""
    h, c = hx
    h, c = ops.lstm_pointwise(xi + F.linear(h, w_hh, b_hh), c)  # the gates' arithmetic, one op
    return (h if w_hr is None else F.linear(h, w_hr)), c


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; ``hx = (h, c)``, returns ``(h', c')`` (equations in the module docstring)."""
    return _lstm_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def _gru_step(xi, hx, w_hh, b_hh):
    # the input and hidden pre-activations stay apart: the reset gate multiplies only the hidden part of n
    return ops.gru_pointwise(xi, F.linear(hx, w_hh, b_hh), hx)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (equations in the module docstring)."""
    return _gru_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


# mode -> (the cell function, how many gates are stacked in the weights)
_CELLS = {"RNN_TANH": (rnn_tanh_cell, 1), "RNN_RELU": (rnn_relu_cell, 1), "LSTM": (lstm_cell, 4),
          "GRU": (gru_cell, 3)}
# the step functions that the layers loop over (RNN only for packed sequences); the modes that RNN otherwise runs
# as one fused op, with their nonlinearity
_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}
_FUSED = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}


def _rnn_mode(nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
    return "RNN_" + nonlinearity.upper()


def _require_tensor(layer, what, value):
    if not ops.is_tensor(value):
        raise TypeError(f"{layer}: expected {what} to be a Tensor, got {type(value).__name__}"
                        + (" (LSTM takes the pair (h_0, c_0); GRU and RNN one tensor h_0)" if what == "hx" else ""))


def _check_sizes(name, input_size, hidden_size):
    for what, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name}: {what} must be a non-negative int, got {value!r}")
    if hidden_size == 0:
        raise ValueError(f"{name}: hidden_size must be greater than zero")


def _reset_uniform(module):
    """PyTorch's recurrent initialisation: every parameter ``U(-1/√hidden_size, 1/√hidden_size)``."""
    bound = 1.0 / math.sqrt(module.hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


# ---------------------------------------------------------------------------------------------- cells

class RNNCellBase(Module):
    """The base of ``RNNCell``, ``LSTMCell`` and ``GRUCell`` (as in PyTorch, so ``isinstance`` checks work): the
    parameters of one time step with ``num_chunks`` gates stacked in their rows, ``weight_ih`` (num_chunks·hidden,
    input), ``weight_hh`` (num_chunks·hidden, hidden), ``bias_ih``, ``bias_hh`` (num_chunks·hidden; None without
    ``bias``), all ``U(-1/√hidden_size, 1/√hidden_size)``. Each cell writes its own ``forward``."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = num_chunks * hidden_size
        factory = dict(dtype=dtype, device=device)
        self.weight_ih = Parameter(empty(rows, input_size, **factory))
        self.weight_hh = Parameter(empty(rows, hidden_size, **factory))
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, Parameter(empty(rows, **factory)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_uniform(self)

    def _check_input(self, input):
        if input.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}: input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")

    def _hidden(self, input, hx, what="hx"):
        """``hx`` given or zeros, batched like the (batched) input, checked."""
        batch = input.shape[0]
        if hx is None:
            return zeros(batch, self.hidden_size, dtype=input.dtype, device=input.device)
        if tuple(hx.shape) != (batch, self.hidden_size):
            raise RuntimeError(f"{type(self).__name__}: expected {what} of shape {[batch, self.hidden_size]}, got "
                               f"{list(hx.shape)}")
        return hx

    def _step(self, cell, input, hx):
        return cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def _one_state_forward(self, cell, input, hx):
        """The forward of a cell whose state is h alone: ``input`` (N, input_size) or unbatched (input_size,);
        ``hx`` batched alike with hidden_size features (zeros when None). Returns h'."""
        self._check_input(input)
        batched = input.ndim == 2
        if not batched:
            input, hx = ops.unsqueeze(input, 0), (None if hx is None else ops.unsqueeze(hx, 0))
        h = self._step(cell, input, self._hidden(input, hx))
        return h if batched else ops.squeeze(h, 0)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or relu); ``forward(input, hx=None)`` returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        _rnn_mode(nonlinearity)  # checks it before any parameter is made
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._one_state_forward(_CELLS[_rnn_mode(self.nonlinearity)][0], input, hx)


class GRUCell(RNNCellBase):
    """One GRU step (equations in the module docstring); ``forward(input, hx=None)`` returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._one_state_forward(gru_cell, input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step (see the module docstring). ``forward(input, hx=None)``: ``hx = (h, c)``, each (N, hidden)
    or unbatched (hidden,), zeros when None; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        self._check_input(input)
        batched = input.ndim == 2
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell: hx must be a tuple (h_0, c_0)")
        if not batched:
            input = ops.unsqueeze(input, 0)
            hx = None if hx is None else tuple(ops.unsqueeze(t, 0) for t in hx)
        h, c = (None, None) if hx is None else hx
        h, c = self._step(lstm_cell, input, (self._hidden(input, h, "h_0"), self._hidden(input, c, "c_0")))
        return (h, c) if batched else (ops.squeeze(h, 0), ops.squeeze(c, 0))


# ------------------------------------------------------------------------------------- whole sequences

class RNNBase(Module):
    """A stack of ``num_layers`` recurrent layers (each running over the whole sequence, optionally in both
    directions) — shared by ``RNN``, ``LSTM`` and ``GRU``.

    ``forward(input, hx=None)``:

    * ``input``: (L, N, input_size), or (N, L, input_size) with ``batch_first``, or unbatched (L, input_size);
    * ``hx``: the initial hidden state (num_layers·D, N, hidden_size) — for LSTM a tuple ``(h_0, c_0)`` — or
      None for zeros (D = 2 when bidirectional, else 1);
    * returns ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``): ``output`` (L, N, D·hidden_size) holds the last
      layer's hidden state at every step (for D = 2 the forward and backward ones side by side); ``h_n`` the
      last hidden state of every layer and direction, ordered layer by layer, forward before backward.

    LSTM with ``proj_size`` > 0: every hidden state h (h_0, h_n, the output, the next layer's input) has
    proj_size features instead of hidden_size; the cell states c_0, c_n keep hidden_size.

    Between layers (not after the last) ``dropout`` is applied to the outputs in training mode.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, input_size, hidden_size)
        if isinstance(num_layers, bool) or not isinstance(num_layers, numbers.Integral) or num_layers < 1:
            raise ValueError(f"{name}: num_layers must be a positive int, got {num_layers!r}")
        if isinstance(proj_size, bool) or not isinstance(proj_size, numbers.Integral) or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not RNN or GRU")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the probability of "
                             f"an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        directions = 2 if bidirectional else 1
        rows = _CELLS[mode][1] * hidden_size
        features = self._state_features()  # of h
        factory = dict(dtype=dtype, device=device)
        # per (layer, direction): the names of (w_ih, w_hh, b_ih, b_hh[, w_hr]), PyTorch's order
        self._weight_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else features * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = [f"weight_ih{suffix}", f"weight_hh{suffix}", f"bias_ih{suffix}", f"bias_hh{suffix}"]
                setattr(self, names[0], Parameter(empty(rows, layer_input, **factory)))
                setattr(self, names[1], Parameter(empty(rows, features, **factory)))
                for bias_name in names[2:]:
                    self.register_parameter(bias_name, Parameter(empty(rows, **factory)) if bias else None)
                if proj_size:
                    names.append(f"weight_hr{suffix}")
                    setattr(self, names[4], Parameter(empty(proj_size, hidden_size, **factory)))
                self._weight_names.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_uniform(self)

    def flatten_parameters(self):
        """Does nothing: in PyTorch it packs the weights for cuDNN, which minidl does not use."""

    def _state_features(self):
        """The features of the hidden state h: proj_size for a projected LSTM, else hidden_size."""
        return self.proj_size or self.hidden_size

    @property
    def all_weights(self):
        """The parameters of each (layer, direction): ``[w_ih, w_hh, b_ih, b_hh]`` (without biases if bias=False),
        then ``w_hr`` for a projected LSTM."""
        return [[getattr(self, n) for n in names if getattr(self, n) is not None] for names in self._weight_names]

    @property
    def _flat_weights_names(self):
        """The names of ``all_weights``, flattened (programs that initialise an RNN by name read them)."""
        return [n for names in self._weight_names for n in names if getattr(self, n) is not None]

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    # --------------------------------------------------------------------------------------- checks
    def _check_input(self, input):
        name = type(self).__name__
        _require_tensor(name, "input", input)
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:  # (PyTorch's class: a ValueError, where other layers raise a RuntimeError)
            raise ValueError(f"{name} input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        if input.shape[1 if input.ndim == 3 and self.batch_first else 0] == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0 in RNN")

    def _initial_state(self, input, hx, batched, features, what="hx"):
        """The initial state of each (layer, direction), (N, features) each: the slices of ``hx``
        (num_layers·D, N, features), batched like the input, or zeros; ``input`` is time-major."""
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, input.shape[1], features)
        if hx is None:
            return [zeros(*expected[1:], dtype=input.dtype, device=input.device)] * expected[0]
        _require_tensor(type(self).__name__, what, hx)
        if hx.ndim != (3 if batched else 2):
            raise RuntimeError(f"{type(self).__name__}: For {'batched 3' if batched else 'unbatched 2'}-D input, "
                               f"{what} should also be {3 if batched else 2}-D but got {hx.ndim}-D tensor")
        if not batched:
            hx = ops.unsqueeze(hx, 1)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"{type(self).__name__}: Expected {what} size {expected}, got {list(hx.shape)}")
        return ops.unbind(hx)

    # -------------------------------------------------------------------------------------- forward
    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_input(input)
        batched = input.ndim == 3
        # inside, sequences are time-major (L, N, features): each step is one contiguous block
        if not batched:
            input = ops.unsqueeze(input, 1)
        elif self.batch_first:
            input = ops.transpose(input, 0, 1)
        output, state = self._layers(input, self._states(input, hx, batched))
        if not batched:
            output = ops.squeeze(output, 1)
            state = tuple(ops.squeeze(s, 1) for s in state) if self.mode == "LSTM" else ops.squeeze(state, 1)
        elif self.batch_first:
            output = ops.transpose(output, 0, 1)
        return output, state

    def _forward_packed(self, packed, hx):
        """A packed batch: run the padded batch with each sequence's state frozen once its steps are over (a
        mask per step), then pack the output like the input. h_n is in the batch's original order."""
        if packed.data.ndim != 2:  # (steps of all sequences, features)
            raise RuntimeError(f"{type(self).__name__}: input must have 2 dimensions, got {packed.data.ndim}: a "
                               f"packed sequence's data is (total steps, features)")
        padded, lengths = pad_packed_sequence(packed)
        self._check_input(padded)
        steps = arange(padded.shape[0], device=padded.device)
        running = ops.unsqueeze(ops.unsqueeze(steps, 1) < ops.unsqueeze(lengths.to(padded.device), 0), 2)
        output, state = self._layers(padded, self._states(padded, hx, True), running)
        return _pack(output, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices), state

    def _states(self, input, hx, batched):
        """The initial state of each (layer, direction): h, or for LSTM the pair (h, c)."""
        if self.mode != "LSTM":
            return self._initial_state(input, hx, batched, self.hidden_size)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        h0, c0 = (None, None) if hx is None else hx
        return list(zip(self._initial_state(input, h0, batched, self._state_features(), "hidden[0]"),
                        self._initial_state(input, c0, batched, self.hidden_size, "hidden[1]")))

    def _layers(self, sequence, states, running=None):
        """Every layer and direction over the time-major ``sequence``: the last layer's output and h_n (for
        LSTM (h_n, c_n)). ``running`` (L, N, 1) bool, for packed input: whether each sequence is still running
        at each step."""
        directions = 2 if self.bidirectional else 1
        finals = []  # the last state of each (layer, direction), in h_n's order
        for layer in range(self.num_layers):
            outputs = []  # per direction: the hidden states of every step (L, N, hidden_size or proj_size)
            for direction in range(directions):
                k = layer * directions + direction
                weights = [getattr(self, n) for n in self._weight_names[k]]
                hidden, final = self._direction(sequence, states[k], weights, direction == 1, running)
                outputs.append(hidden)
                finals.append(final)
            sequence = outputs[0] if directions == 1 else ops.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                sequence = F.dropout(sequence, self.dropout, True)
        if self.mode == "LSTM":
            return sequence, (ops.stack([s[0] for s in finals]), ops.stack([s[1] for s in finals]))
        return sequence, ops.stack(finals)

    def _direction(self, sequence, state, weights, reverse, running=None):
        """One layer in one direction over ``sequence`` (L, N, features) from ``state``: returns the hidden state
        of every step (L, N, hidden_size, or proj_size) and the last state (for LSTM the pair (h, c)). Where
        ``running`` is False, a step keeps the state it was given, so a finished sequence ends with the state of
        its last real step, and in reverse a sequence starts at its own last step."""
        w_ih, w_hh, b_ih, b_hh, *projection = weights  # projection: [w_hr] for a projected LSTM, else []
        if running is None and self.mode == "GRU":  # one op for the whole recurrence (the biases stay apart)
            return ops.gru_sequence(F.linear(sequence, w_ih, b_ih), state, w_hh, b_hh, reverse)
        if running is None and (self.mode in _FUSED or (self.mode == "LSTM" and not projection)):
            xw = F.linear(sequence, w_ih, None if b_ih is None else b_ih + b_hh)  # one op for the whole recurrence
            if self.mode == "LSTM":
                output, h_n, c_n = ops.lstm_sequence(xw, *state, w_hh, reverse)
                return output, (h_n, c_n)
            return ops.rnn_sequence(xw, state, w_hh, _FUSED[self.mode], reverse)
        step = _STEPS[self.mode]
        inputs = ops.unbind(F.linear(sequence, w_ih, b_ih))  # every step's input share of the gates, one op
        masks = None if running is None else ops.unbind(running)
        hidden = [None] * len(inputs)
        # the Python loop *is* the recurrence: each step's ops are recorded as they run
        for t in (reversed(range(len(inputs))) if reverse else range(len(inputs))):
            new = step(inputs[t], state, w_hh, b_hh, *projection)
            if masks is None:
                state = new
            elif self.mode == "LSTM":
                state = tuple(ops.where(masks[t], n, s) for n, s in zip(new, state))
            else:
                state = ops.where(masks[t], new, state)
            hidden[t] = state[0] if self.mode == "LSTM" else state
        return ops.stack(hidden), state

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN layers: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`` (``nonlinearity='relu'``: relu).
    Arguments in PyTorch's order: ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; ``forward`` as in ``RNNBase``."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        _no_projection(type(self).__name__, kwargs)
        super().__init__(_rnn_mode(nonlinearity), input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM layers (equations in the module docstring); ``forward(input, (h_0, c_0))`` returns
    ``(output, (h_n, c_n))``. With ``proj_size`` > 0 (smaller than hidden_size) each layer and direction projects
    its hidden state, ``h_t = W_hr (o_t ⊙ tanh(c_t))``, with one more parameter ``weight_hr_l{k}{_reverse}``
    (proj_size, hidden_size); h_0, h_n and the output then have proj_size features (c_0, c_n hidden_size)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """GRU layers (equations in the module docstring); ``forward`` as in ``RNNBase``."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, **kwargs):
        _no_projection(type(self).__name__, kwargs)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


def _no_projection(name, kwargs):
    """RNN and GRU have no ``proj_size``: PyTorch refuses the keyword, whatever its value (even 0)."""
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
