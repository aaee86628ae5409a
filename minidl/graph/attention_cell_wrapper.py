"""``tf.contrib.rnn.AttentionCellWrapper``: a cell that, at every step, attends over its own last ``attn_length``
outputs — a short memory of what it said, read by content (the intra-attention of Cheng, Dong & Lapata's LSTM
networks, https://arxiv.org/abs/1601.06733, with Bahdanau et al.'s additive score, https://arxiv.org/abs/1409.0473).

The state is ``(s, a, H)``: the wrapped cell's state ``s``, the last attention read ``a`` [batch, attn_size], and
the window ``H`` of the last ``attn_length`` outputs, flat as [batch, attn_length * attn_size] and read as
[batch, attn_length, attn_size], oldest first. One step, for inputs ``x`` (``L`` = attn_length)::

    o, s' = cell(concat([x, a]) @ W_in + b_in, s)                 # the cell reads x and what it last attended to
    q     = concat(flatten(s'), 1)                                 # the query: all of the new cell state (c and h)
    e_l   = v · tanh(H_l @ W_h + q @ W_q + b_q)       l = 1..L     # additive score of each remembered output
    α     = softmax(e)                                             # over the window
    a'    = Σ_l α_l H_l                                            # the new attention read
    y     = concat([o, a']) @ W_out + b_out                        # the output, attn_size wide
    H'    = [H_2, ..., H_L, y]                                     # the window slides: y in, the oldest out
    return y, (s', a', H')

The window starts as zeros (the zero state), so the first steps attend partly over nothing. ``attn_size``
defaults to the cell's ``output_size``, ``attn_vec_size`` (the width of the score's hidden layer) to
``attn_size``, and ``input_size`` (the width of what the cell reads) to the inputs' depth.

**Variables** (TF's names and shapes, so that checkpoints carry over), in the wrapper's own scope
``attention_cell_wrapper``: ``kernel`` [depth + attn_size, input_size] and ``bias`` (W_in, b_in); the wrapped
cell's beneath it (``attention_cell_wrapper/lstm_cell/kernel``); ``attention/attn_w`` [1, 1, attn_size,
attn_vec_size] (W_h — TF applies it as a 1x1 convolution over the window; here it is the same product, a matmul
with its [attn_size, attn_vec_size] view), ``attention/attn_v`` [attn_vec_size], ``attention/kernel`` and
``attention/bias`` (W_q, b_q); ``attn_output_projection/kernel`` and ``/bias`` (W_out, b_out). The kernels take the
scope's initializer (Glorot uniform by default) and the biases start at zeros.

``state_is_tuple=False`` (TF's older form, for a cell whose state is one tensor): the three parts concatenated
along dim 1.
"""
import warnings

from .array_ops import concat, expand_dims, reshape
from .core import TensorShape
from .function_graph import flatten, is_sequence
from .math_ops import matmul, reduce_sum, tanh
from .nn_ops import bias_add, softmax
from .rnn_cell import RNNCell, cell_variables, check_rnn_cell_like, dims_of, maybe_build_cell
from .rnn_wrappers import add_dense_variables
from .variable_scope import variable_scope


class AttentionCellWrapper(RNNCell):
    """``cell`` with attention over its last ``attn_length`` outputs (module docstring). ``reuse``: share the
    variables of an earlier wrapper built in the same scope."""

    def __init__(self, cell, attn_length, attn_size=None, attn_vec_size=None, input_size=None, state_is_tuple=True,
                 reuse=None):
        super().__init__(reuse=reuse)
        check_rnn_cell_like(cell, "The parameter cell is not RNNCell")
        if is_sequence(cell.state_size) and not state_is_tuple:
            raise ValueError(f"Cell returns tuple of states, but the flag state_is_tuple is not set. State size is: "
                             f"{cell.state_size}")
        if attn_length <= 0:
            raise ValueError(f"attn_length should be greater than zero, got {attn_length}")
        if not state_is_tuple:
            warnings.warn(f"{self.name}: Using a concatenated state is slower and will soon be deprecated.  Use "
                          "state_is_tuple=True.")
        self._cell, self._attn_length, self._input_size = cell, attn_length, input_size
        self._attn_size = cell.output_size if attn_size is None else attn_size
        self._attn_vec_size = self._attn_size if attn_vec_size is None else attn_vec_size
        self._state_is_tuple = state_is_tuple
        self.input_layer = self.query_layer = self.output_layer = None   # (kernel, bias) pairs, once built
        self.attn_w = self.attn_v = None

    @property
    def state_size(self):
        sizes = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return sizes if self._state_is_tuple else sum(sizes)

    @property
    def output_size(self):
        return self._attn_size

    @property
    def variables(self):
        return self._variables + cell_variables(self._cell)

    def build(self, inputs_shape):
        if not isinstance(inputs_shape, TensorShape) or not inputs_shape.rank_known or len(inputs_shape) != 2 \
                or inputs_shape[1] is None:
            raise ValueError(f"AttentionCellWrapper: expected inputs of shape [batch_size, depth] with a known depth, "
                             f"got {inputs_shape}")
        input_size = inputs_shape[1] if self._input_size is None else self._input_size
        size, vec_size = self._attn_size, self._attn_vec_size
        # in the order TF's first call makes them (the graph's global variables list them so)
        self.input_layer = add_dense_variables(self, inputs_shape[1] + size, input_size)
        maybe_build_cell(self._cell, TensorShape([inputs_shape[0], input_size]), self.dtype)
        with variable_scope("attention"):
            self.attn_w = self.add_variable("attn_w", [1, 1, size, vec_size])
            self.attn_v = self.add_variable("attn_v", [vec_size])
            query_depth = sum(dims_of(part)[0] for part in flatten(self._cell.state_size))
            self.query_layer = add_dense_variables(self, query_depth, vec_size)
        with variable_scope("attn_output_projection"):
            self.output_layer = add_dense_variables(self, self._cell.output_size + size, size)

    def call(self, inputs, state):
        cell_state, attns, window = self._parts(state)
        window = reshape(window, [-1, self._attn_length, self._attn_size])
        cell_output, new_cell_state = self._cell(_dense([inputs, attns], self.input_layer), cell_state)
        new_attns = self._attend(concat(flatten(new_cell_state), 1), window)
        output = _dense([cell_output, new_attns], self.output_layer)
        new_window = reshape(concat([window[:, 1:], expand_dims(output, 1)], 1),
                             [-1, self._attn_length * self._attn_size])
        new_state = (new_cell_state, new_attns, new_window)
        return output, new_state if self._state_is_tuple else concat(list(new_state), 1)

    def _parts(self, state):
        """``(cell state, attns, window)`` from the state: the tuple's parts, or the concatenated state's column
        blocks."""
        if self._state_is_tuple:
            if not is_sequence(state) or len(state) != 3:
                raise ValueError(f"AttentionCellWrapper: expected a state (cell_state, attns, attn_states), got "
                                 f"{state!r}")
            return state
        ends = [self._cell.state_size, self._cell.state_size + self._attn_size]
        return state[:, :ends[0]], state[:, ends[0]:ends[1]], state[:, ends[1]:]

    def _attend(self, query, window):
        """The attention read ``Σ_l α_l H_l`` of ``window`` H [batch, L, attn_size] for ``query`` (module
        docstring)."""
        size, vec_size = self._attn_size, self._attn_vec_size
        # H_l @ W_h for every l at once: the [batch * L, attn_size] rows times attn_w as [attn_size, attn_vec_size]
        keys = reshape(matmul(reshape(window, [-1, size]), reshape(self.attn_w, [size, vec_size])),
                       [-1, self._attn_length, vec_size])
        scores = reduce_sum(self.attn_v * tanh(keys + expand_dims(_dense([query], self.query_layer), 1)), 2)
        return reduce_sum(expand_dims(softmax(scores), 2) * window, 1)


def _dense(parts, layer):
    """``concat(parts, 1) @ kernel + bias`` for a ``(kernel, bias)`` pair of ``add_dense_variables``."""
    kernel, bias = layer
    return bias_add(matmul(concat(parts, 1) if len(parts) > 1 else parts[0], kernel), bias)
