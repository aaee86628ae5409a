"""``tf.nn.rnn_cell``'s gated cells: ``BasicLSTMCell``, ``LSTMCell`` and ``GRUCell`` (the base classes are in
rnn_cell.py).

A plain recurrence ``h' = tanh(W [x, h])`` multiplies the gradient by ``W`` at every step, so over many steps it
vanishes or explodes. A gated cell lets the state pass through *additively*, with sigmoid "gates" (numbers in
(0, 1), computed from ``[x, h]``) deciding how much to keep, write and show.

**LSTM** (Hochreiter & Schmidhuber; the forget gate of Gers et al.). One matmul gives the four gate
pre-activations, split in TF's order ``i, j, f, o``::

    i, j, f, o = split(concat([x, h], 1) @ kernel + bias, 4, axis=1)      # kernel [depth + h_depth, 4 * num_units]
    c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)              # forget some memory, write some new
    h' = tanh(c') * sigmoid(o)                                            # show some of it

``forget_bias`` (default 1) is added to ``f`` rather than put in the bias variable (which starts at zeros), so an
untrained LSTM starts by remembering. The state is ``LSTMStateTuple(c, h)``; the output is ``h``. PyTorch's
``nn.LSTM`` is the same cell with its gates ordered ``i, f, j, o`` and the forget bias inside its biases.

**GRU** (Cho et al. 2014): two gates, r (reset) and u (update), and no separate memory::

    r, u = split(sigmoid(concat([x, h], 1) @ gates/kernel + gates/bias), 2, axis=1)
    c = tanh(concat([x, r * h], 1) @ candidate/kernel + candidate/bias)
    h' = u * h + (1 - u) * c

``gates/bias`` starts at ones (gates half open: sigmoid(1) ≈ 0.73, mostly keeping ``h``). The reset gate acts on
``h`` *before* the matmul, as in the paper; PyTorch's ``nn.GRU`` (like cuDNN) applies it after, to
``W_hn h + b_hn`` — a different function, so the two don't share weights.
"""
from .array_ops import concat, split
from .initializers import Constant, Zeros
from .math_ops import clip_by_value, matmul, sigmoid
from .nn_ops import bias_add
from .rnn_cell import KernelCell, LSTMStateTuple


def _lstm_state(cell, state, h_depth):
    """``(c, h)`` from an LSTM state: the tuple's parts, or the two column blocks of a concatenated state."""
    if cell.state_is_tuple:
        return state
    return split(state, [cell._num_units, h_depth], axis=1)


def _check_clip(cell_name, what, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
        raise ValueError(f"{cell_name}: {what} must be a positive number or None, got {value!r}")


class BasicLSTMCell(KernelCell):
    """The LSTM of the module docstring, without peepholes or projection. ``kernel`` [depth + num_units,
    4 * num_units] (Glorot uniform unless the scope sets an initializer) and ``bias`` [4 * num_units] (zeros).
    ``state_is_tuple=False``: the state is ``concat([c, h], 1)``, [batch_size, 2 * num_units] (TF's older form).
    ``**kwargs``: the base class's (``trainable``)."""

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        self.forget_bias = float(forget_bias)
        self.state_is_tuple = state_is_tuple
        self.kernel = self.bias = None

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self.state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build_kernels(self, input_depth):
        n = self._num_units
        self.kernel = self.add_variable("kernel", [input_depth + n, 4 * n])
        self.bias = self.add_variable("bias", [4 * n], initializer=Zeros())

    def call(self, inputs, state):
        inputs, state = self.checked(inputs, state)
        c, h = _lstm_state(self, state, self._num_units)
        i, j, f, o = split(bias_add(matmul(concat([inputs, h], 1), self.kernel), self.bias), 4, axis=1)
        new_c = c * sigmoid(f + self.forget_bias) + sigmoid(i) * self.activation(j)
        new_h = self.activation(new_c) * sigmoid(o)
        return new_h, (LSTMStateTuple(new_c, new_h) if self.state_is_tuple else concat([new_c, new_h], 1))


class LSTMCell(KernelCell):
    """The LSTM with TF's options, each off by default (then it computes what ``BasicLSTMCell`` does):

    * ``use_peepholes`` (Gers & Schmidhuber; Sak et al. 2014): the gates also see the memory, through diagonal
      weights ``w_i_diag``, ``w_f_diag``, ``w_o_diag`` [num_units]: ``f`` becomes ``f + w_f_diag * c`` and ``i``
      becomes ``i + w_i_diag * c`` (the old memory), ``o`` becomes ``o + w_o_diag * c'`` (the new one);
    * ``cell_clip``: ``c'`` is clipped to [-cell_clip, cell_clip] before the output activation;
    * ``num_proj`` (Sak et al.): the output is projected to ``num_proj`` units, ``h' = (tanh(c') * sigmoid(o)) @
      projection/kernel`` [num_units, num_proj], and clipped to [-proj_clip, proj_clip] if ``proj_clip`` is given.
      Then h, the output and the kernel's recurrent rows have ``num_proj`` units: ``kernel`` is [depth + num_proj,
      4 * num_units] and the state ``LSTMStateTuple(c [num_units], h [num_proj])``.

    ``initializer`` initialises the kernel, the peephole weights and the projection (default: the scope's, else
    Glorot uniform); ``bias`` starts at zeros. ``num_unit_shards``/``num_proj_shards`` (deprecated in TF:
    partitioned variables) are not supported. ``**kwargs``: the base class's (``trainable``).
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise NotImplementedError("LSTMCell: num_unit_shards and num_proj_shards (deprecated in TensorFlow) are "
                                      "not supported: leave them None")
        if num_proj is not None and (isinstance(num_proj, bool) or not isinstance(num_proj, int) or num_proj <= 0):
            raise ValueError(f"LSTMCell: num_proj must be a positive int or None, got {num_proj!r}")
        _check_clip("LSTMCell", "cell_clip", cell_clip)
        _check_clip("LSTMCell", "proj_clip", proj_clip)
        self.use_peepholes, self.cell_clip, self.initializer = use_peepholes, cell_clip, initializer
        self.num_proj, self.proj_clip = num_proj, proj_clip
        self.forget_bias = float(forget_bias)
        self.state_is_tuple = state_is_tuple
        self.kernel = self.bias = self.w_f_diag = self.w_i_diag = self.w_o_diag = self.proj_kernel = None

    @property
    def _h_depth(self):
        return self.num_proj or self._num_units

    @property
    def state_size(self):
        n, h = self._num_units, self._h_depth
        return LSTMStateTuple(n, h) if self.state_is_tuple else n + h

    @property
    def output_size(self):
        return self._h_depth

    def build_kernels(self, input_depth):
        n, init = self._num_units, self.initializer
        self.kernel = self.add_variable("kernel", [input_depth + self._h_depth, 4 * n], initializer=init)
        self.bias = self.add_variable("bias", [4 * n], initializer=Zeros())
        if self.use_peepholes:
            self.w_f_diag = self.add_variable("w_f_diag", [n], initializer=init)
            self.w_i_diag = self.add_variable("w_i_diag", [n], initializer=init)
            self.w_o_diag = self.add_variable("w_o_diag", [n], initializer=init)
        if self.num_proj is not None:
            self.proj_kernel = self.add_variable("projection/kernel", [n, self.num_proj], initializer=init)

    def call(self, inputs, state):
        inputs, state = self.checked(inputs, state)
        c, h = _lstm_state(self, state, self._h_depth)
        i, j, f, o = split(bias_add(matmul(concat([inputs, h], 1), self.kernel), self.bias), 4, axis=1)
        if self.use_peepholes:
            f, i = f + self.w_f_diag * c, i + self.w_i_diag * c
        new_c = c * sigmoid(f + self.forget_bias) + sigmoid(i) * self.activation(j)
        if self.cell_clip is not None:
            new_c = clip_by_value(new_c, -self.cell_clip, self.cell_clip)
        if self.use_peepholes:
            o = o + self.w_o_diag * new_c
        new_h = self.activation(new_c) * sigmoid(o)
        if self.num_proj is not None:
            new_h = matmul(new_h, self.proj_kernel)
            if self.proj_clip is not None:
                new_h = clip_by_value(new_h, -self.proj_clip, self.proj_clip)
        return new_h, (LSTMStateTuple(new_c, new_h) if self.state_is_tuple else concat([new_c, new_h], 1))


class GRUCell(KernelCell):
    """The GRU of the module docstring. Variables: ``gates/kernel`` [depth + num_units, 2 * num_units] and
    ``gates/bias`` [2 * num_units] (r's columns, then u's), ``candidate/kernel`` [depth + num_units, num_units]
    and ``candidate/bias`` [num_units]. The kernels use ``kernel_initializer`` (default: the scope's, else Glorot
    uniform); ``bias_initializer``, if given, both biases (default: ones for the gates, zeros for the candidate).
    The output and the state are both ``h'``. ``**kwargs``: the base class's (``trainable``)."""
    #: the names of the gates' kernel and bias and of the candidate's
    VARIABLE_NAMES = ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None, bias_initializer=None,
                 name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.gate_kernel = self.gate_bias = self.candidate_kernel = self.candidate_bias = None

    def build_kernels(self, input_depth):
        n, rows = self._num_units, input_depth + self._num_units
        gate_kernel, gate_bias, candidate_kernel, candidate_bias = self.VARIABLE_NAMES
        given = self.bias_initializer
        self.gate_kernel = self.add_variable(gate_kernel, [rows, 2 * n], initializer=self.kernel_initializer)
        self.gate_bias = self.add_variable(gate_bias, [2 * n], initializer=Constant(1.0) if given is None else given)
        self.candidate_kernel = self.add_variable(candidate_kernel, [rows, n], initializer=self.kernel_initializer)
        self.candidate_bias = self.add_variable(candidate_bias, [n], initializer=Zeros() if given is None else given)

    def call(self, inputs, state):
        inputs, h = self.checked(inputs, state)
        gates = sigmoid(bias_add(matmul(concat([inputs, h], 1), self.gate_kernel), self.gate_bias))
        r, u = split(gates, 2, axis=1)
        c = self.activation(bias_add(matmul(concat([inputs, r * h], 1), self.candidate_kernel), self.candidate_bias))
        new_h = u * h + (1 - u) * c
        return new_h, new_h
