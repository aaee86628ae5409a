"""The cells of ``tf.contrib.rnn`` that ``tf.nn.rnn_cell`` lacks: ``LayerNormBasicLSTMCell``, ``LSTMBlockCell`` and
``GRUBlockCell`` (the LSTM and the GRU themselves, and the LSTM's gate order i, j, f, o, are explained in
rnn_cells_gated.py).

**Layer-normalized LSTM** (Ba, Kiros & Hinton, https://arxiv.org/abs/1607.06450, section 3.1). The gates of an
LSTM are sums over inputs whose scale drifts during training and differs between the steps; normalizing each gate's
pre-activations over its units, per example and per step (``layer_norm``, contrib_layers_more.py), keeps them in the
range where the sigmoids and tanh are not saturated. TF places the norms before every nonlinearity::

    i, j, f, o = split(concat([x, h], 1) @ kernel, 4, axis=1)          # no bias: the norms' betas replace it
    i, j, f, o = LN_input(i), LN_transform(j), LN_forget(f), LN_output(o)
    c' = LN_state(c * sigmoid(f + forget_bias) + sigmoid(i) * dropout(tanh(j)))
    h' = tanh(c') * sigmoid(o)

each ``LN_s(v) = (v - mean(v)) / sqrt(var(v) + 1e-12) * s/gamma + s/beta`` over the units, ``gamma`` starting at
``norm_gain`` and ``beta`` at ``norm_shift``. The dropout (kept with probability ``dropout_keep_prob``) is
Semeniuta et al.'s *recurrent dropout without memory loss* (https://arxiv.org/abs/1603.05118): it drops only what
is written into the memory, never the memory itself. With ``layer_norm=False`` the cell is a ``BasicLSTMCell``
whose ``bias`` is initialized like the kernel (TF gives it no initializer of its own) — plus the dropout.

**LSTMBlockCell** is TF's LSTM as one fused kernel (``LSTMBlock``), computing what ``LSTMCell`` computes — gates i,
j (TF's kernel calls it cs), f, o; peepholes with ``use_peephole``; the memory clipped to ±``cell_clip`` — with
``LSTMCell``'s variables and default name, ``lstm_cell/kernel`` and ``lstm_cell/bias``, so that the two read each
other's checkpoints. minidl builds it from ``LSTMCell``'s ops.

**GRUBlockCell** is the same for the GRU: ``GRUCell``'s computation (r and u from ``[x, h]``, the candidate from
``[x, r * h]``, ``h' = u * h + (1 - u) * c``) named "gru_cell". ``GRUBlockCellV2`` has ``GRUCell``'s variable
names; the first version named them after its kernel's arguments, ``w_ru``, ``b_ru``, ``w_c`` and ``b_c``.
"""
from .array_ops import concat, split
from .contrib import rnn
from .contrib_layers_more import layer_norm
from .initializers import Constant
from .math_ops import graph_tensor, matmul, sigmoid
from .nn_ops import bias_add
from .nn_training import dropout
from .rnn_cell import KernelCell, LSTMStateTuple
from .rnn_cells_gated import GRUCell, LSTMCell
from .rnn_wrappers import InputProjectionWrapper

#: the scopes of the five layer norms, in TF's order: the gates i, j, f, o, then the new memory
_NORMS = ("input", "transform", "forget", "output", "state")


class LayerNormBasicLSTMCell(KernelCell):
    """The layer-normalized LSTM with recurrent dropout (module docstring). Variables: ``kernel`` [depth +
    num_units, 4 * num_units], and with ``layer_norm`` ``<s>/gamma`` and ``<s>/beta`` [num_units] for s in input,
    transform, forget, output, state — without it, ``bias`` [4 * num_units]. ``dropout_keep_prob`` is a float or
    a scalar tensor, ``dropout_prob_seed`` its seed; ``input_size`` (deprecated in TF) is ignored. The state is an
    ``LSTMStateTuple(c, h)``."""

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=None, layer_norm=True, norm_gain=1.0,
                 norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None, reuse=None):
        super().__init__(num_units, activation, reuse)
        self._forget_bias, self._layer_norm = float(forget_bias), layer_norm
        self._norm_gain, self._norm_shift = norm_gain, norm_shift
        self._keep_prob, self._seed = dropout_keep_prob, dropout_prob_seed
        self.kernel = self.bias = None

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def build_kernels(self, input_depth):
        n = self._num_units
        self.kernel = self.add_variable("kernel", [input_depth + n, 4 * n])
        if not self._layer_norm:
            self.bias = self.add_variable("bias", [4 * n])
            return
        for scope in _NORMS:   # made here for layer_norm to find: it is called with reuse=True, as in TF
            self.add_variable(f"{scope}/gamma", [n], initializer=Constant(self._norm_gain))
            self.add_variable(f"{scope}/beta", [n], initializer=Constant(self._norm_shift))

    def call(self, inputs, state):
        inputs, (c, h) = self.checked(inputs, state)
        gates = matmul(concat([inputs, h], 1), self.kernel)
        if not self._layer_norm:
            gates = bias_add(gates, self.bias)
        i, j, f, o = (self._norm(g, scope) for g, scope in zip(split(gates, 4, axis=1), _NORMS))
        g = self.activation(j)
        if graph_tensor(self._keep_prob) is not None or self._keep_prob < 1:
            g = dropout(g, keep_prob=self._keep_prob, seed=self._seed)
        new_c = self._norm(c * sigmoid(f + self._forget_bias) + sigmoid(i) * g, "state")
        new_h = self.activation(new_c) * sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)

    def _norm(self, x, scope):
        return layer_norm(x, reuse=True, scope=scope) if self._layer_norm else x


class LSTMBlockCell(LSTMCell):
    """``LSTMCell(num_units, use_peepholes=use_peephole, cell_clip=cell_clip, forget_bias=forget_bias)`` named
    "lstm_cell" (module docstring). A ``cell_clip`` of None or below 0 clips nothing (TF's default is -1). The
    state is an ``LSTMStateTuple(c, h)``."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, dtype=None, reuse=None,
                 name="lstm_cell"):
        clip = cell_clip if cell_clip is not None and cell_clip > 0 else None
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=clip, forget_bias=forget_bias, reuse=reuse,
                         name=name, dtype=dtype)


class GRUBlockCellV2(GRUCell):
    """``GRUCell(num_units)`` named "gru_cell" (module docstring); ``cell_size`` is the old name of ``num_units``."""

    def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell"):
        if (num_units is None) == (cell_size is None):
            raise ValueError(f"{type(self).__name__} takes one of num_units or cell_size, got num_units={num_units!r} "
                             f"and cell_size={cell_size!r}")
        super().__init__(cell_size if num_units is None else num_units, reuse=reuse, name=name)


class GRUBlockCell(GRUBlockCellV2):
    """``GRUBlockCellV2`` with the first version's variable names (module docstring)."""
    VARIABLE_NAMES = ("w_ru", "b_ru", "w_c", "b_c")


# importing this module (contrib.py does, once its namespaces are built) adds the cells, and InputProjectionWrapper
# (rnn_wrappers.py), to tf.contrib.rnn
rnn.LayerNormBasicLSTMCell, rnn.LSTMBlockCell = LayerNormBasicLSTMCell, LSTMBlockCell
rnn.GRUBlockCell, rnn.GRUBlockCellV2 = GRUBlockCell, GRUBlockCellV2
rnn.InputProjectionWrapper = InputProjectionWrapper
