"""``tf.contrib.seq2seq``'s attention: at each decoder step, a weighted average of the encoder's outputs (the
*memory*), weighted by how well each memory step matches the decoder's current output (the *query*)::

    attention = tf.contrib.seq2seq.LuongAttention(num_units, encoder_outputs, memory_sequence_length=lengths)
    cell = tf.contrib.seq2seq.AttentionWrapper(cell, attention, attention_layer_size=num_units)
    state = cell.zero_state(batch_size, tf.float32).clone(cell_state=encoder_state)

A mechanism holds the memory ``m`` [batch, T, depth] — the padded steps past ``memory_sequence_length`` zeroed —
and its *keys* ``k = m @ W_memory`` (``memory_layer``, a bias-free dense layer to ``num_units``). Given a query
``q`` [batch, units] it scores every memory step and turns the scores into *alignments* (a distribution over the
steps)::

    Luong (multiplicative):  score_j = q · k_j                    (``scale``: g · q · k_j, g a scalar "attention_g")
    Bahdanau (additive):     score_j = v · tanh(k_j + q @ W_query)
                             (``normalize``: g · v/|v| · tanh(k_j + q @ W_query + b), "attention_g", "attention_b")
    alignments = softmax(score), the padded steps' scores set to -inf first (so their weight is exactly 0)

``AttentionWrapper`` wraps a cell; one of its steps, from the state (cell_state, attention a, ...)::

    output, cell_state = cell(concat([x_t, a_(t-1)], -1), cell_state)
    alignments = mechanism(output)          context = Σ_j alignments_j · m_j
    a_t = concat([output, context], 1) @ W_attention     (``attention_layer_size`` given; else a_t = context)

It outputs ``a_t`` (or the cell's ``output`` with ``output_attention=False``). The variables are TF's:
``memory_layer/kernel`` where the mechanism is made, then in the wrapper's scope ``attention_wrapper/``: the cell's,
``luong_attention/attention_g`` or ``bahdanau_attention/{query_layer/kernel, attention_v, attention_g,
attention_b}``, and ``attention_layer/kernel``.
"""
import collections
import math

import numpy

from ..backend import dtypes
from .array_ops import concat, expand_dims, fill, sequence_mask, shape, squeeze, where, zeros
from .basics import constant, identity, name_scope
from .core import TensorShape
from .frontend import convert_to_tensor
from .function_graph import flatten, pack
from .initializers import constant_initializer, ones_initializer, zeros_initializer
from .layer_classes import Dense
from .math_ops import cast, matmul, reduce_sum, rsqrt, square, tanh
from .nn_ops import softmax
from .rnn_cell import RNNCell, cell_variables, check_rnn_cell_like
from .tensor_array import TensorArray
from .variable_scope import get_variable, variable_scope


class _AttentionMechanism:
    """The memory, its keys and the score masking the two mechanisms share (module docstring). ``score(query)``
    is the subclass's; ``__call__(query, state) -> (alignments, next_state)`` (the state is the previous
    alignments, unused by these two mechanisms)."""
    scope_name = None

    def __init__(self, memory, memory_sequence_length, memory_layer, query_layer, probability_fn,
                 score_mask_value):
        self.memory_layer, self.query_layer = memory_layer, query_layer
        self._probability_fn = probability_fn or softmax
        with name_scope("memory"):
            memory = convert_to_tensor(memory)
            if memory.shape.rank != 3 or memory.shape[2] is None:
                raise ValueError(f"memory must be [batch_size, max_time, depth] with a known depth, got shape "
                                 f"{memory.shape}")
            self._mask = None if memory_sequence_length is None else sequence_mask(
                memory_sequence_length, shape(memory)[1])
            # TF zeroes the padded steps, so that their keys do not depend on whatever the encoder left there
            self.values = memory if self._mask is None else memory * expand_dims(
                cast(self._mask, memory.dtype), 2)
        self.keys = memory_layer(self.values) if memory_layer is not None else self.values
        self.batch_size = self.keys.shape[0] if self.keys.shape[0] is not None else shape(self.keys)[0]
        self.alignments_size = self.keys.shape[1] if self.keys.shape[1] is not None else shape(self.keys)[1]
        self._score_mask_value = (numpy.dtype(memory.dtype.name).type(-numpy.inf) if score_mask_value is None
                                  else score_mask_value)
        self._scope = None

    @property
    def state_size(self):
        return self.alignments_size

    def initial_alignments(self, batch_size, dtype):
        """Zeros [batch_size, max_time]: no step attended to yet."""
        return zeros([batch_size, self.alignments_size], dtype)

    initial_state = initial_alignments

    def __call__(self, query, state):
        """``(alignments, alignments)``: the softmax of the masked scores of ``query`` [batch, units]. Its
        variables live in a scope named like TF's (``luong_attention``), entered again with reuse later."""
        query = convert_to_tensor(query)
        opening = (variable_scope(None, default_name=self.scope_name) if self._scope is None
                   else variable_scope(self._scope, reuse=True))
        with opening as self._scope:
            score = self.score(query)
            if self._mask is not None:
                score = where(self._mask, score, fill(shape(score), constant(self._score_mask_value, score.dtype)))
            alignments = self._probability_fn(score)
        return alignments, alignments


class LuongAttention(_AttentionMechanism):
    """Multiplicative attention (Luong et al., 2015): ``score_j = q · k_j``, times a learned scalar ``g`` with
    ``scale=True``. The query (the cell's output) must be ``num_units`` wide, the keys' width."""
    scope_name = "luong_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False, probability_fn=None,
                 score_mask_value=None, dtype=None, name="LuongAttention"):
        self._num_units, self._scale = num_units, scale
        super().__init__(memory, memory_sequence_length, Dense(num_units, name="memory_layer", use_bias=False),
                         None, probability_fn, score_mask_value)

    def score(self, query):
        if query.shape[-1] is not None and query.shape[-1] != self.keys.shape[-1]:
            raise ValueError(f"Incompatible or unknown inner dimensions between query and keys. Query (shape "
                             f"{query.shape}) has units: {query.shape[-1]}. Keys (shape {self.keys.shape}) have "
                             f"units: {self.keys.shape[-1]}. Perhaps you need to set num_units to the keys' "
                             f"dimension ({query.shape[-1]})?")
        # [batch, 1, units] @ [batch, units, T] -> [batch, 1, T]: every step's q · k_j in one batched product
        score = squeeze(matmul(expand_dims(query, 1), self.keys, transpose_b=True), [1])
        if self._scale:
            score = get_variable("attention_g", (), query.dtype, ones_initializer()) * score
        return score


class BahdanauAttention(_AttentionMechanism):
    """Additive attention (Bahdanau et al., 2015): ``score_j = v · tanh(k_j + q @ W_query)``; with
    ``normalize=True`` (weight normalization, Salimans & Kingma 2016) ``v`` is replaced by ``g · v / |v|`` and a
    bias ``b`` is added inside the tanh."""
    scope_name = "bahdanau_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False, probability_fn=None,
                 score_mask_value=None, dtype=None, name="BahdanauAttention"):
        self._num_units, self._normalize = num_units, normalize
        super().__init__(memory, memory_sequence_length, Dense(num_units, name="memory_layer", use_bias=False),
                         Dense(num_units, name="query_layer", use_bias=False), probability_fn, score_mask_value)

    def score(self, query):
        units = self.keys.shape[2]
        processed = expand_dims(self.query_layer(query), 1)          # [batch, 1, units], broadcast over the steps
        v = get_variable("attention_v", [units], query.dtype)
        if not self._normalize:
            return reduce_sum(v * tanh(self.keys + processed), [2])
        g = get_variable("attention_g", (), query.dtype, constant_initializer(math.sqrt(1.0 / units)))
        b = get_variable("attention_b", [units], query.dtype, zeros_initializer())
        normed_v = g * v * rsqrt(reduce_sum(square(v)))
        return reduce_sum(normed_v * tanh(self.keys + processed + b), [2])


class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState", ("cell_state", "attention", "time", "alignments", "alignment_history",
                                  "attention_state"))):
    """The state of an ``AttentionWrapper``: the wrapped cell's state, the last attention output, the step
    count, the last alignments, their history (a TensorArray with ``alignment_history=True``, else ``()``) and
    the mechanism's state."""

    def clone(self, **kwargs):
        """A copy with the fields given replaced, e.g. ``zero_state(...).clone(cell_state=encoder_state)``; each
        new tensor keeps the static shape of the one it replaces where it knows less."""
        def with_shape(old, new):
            if isinstance(old, TensorArray) or not hasattr(new, "shape") or not hasattr(old, "shape"):
                return new
            if new.shape.is_compatible_with(old.shape) and old.shape.rank_known:
                new.set_shape(old.shape)
            return new
        if "cell_state" in kwargs:
            old = self.cell_state
            kwargs["cell_state"] = pack(old, [with_shape(o, convert_to_tensor(n)) for o, n in
                                              zip(flatten(old), flatten(kwargs["cell_state"]))])
        return self._replace(**kwargs)


class AttentionWrapper(RNNCell):
    """``cell`` with ``attention_mechanism`` over a memory (module docstring). ``attention_layer_size``: the width
    of the attention layer (none: the attention is the context itself); ``alignment_history``: keep every step's
    alignments in the state (a TensorArray, stacked [time, batch, T]); ``cell_input_fn(inputs, attention)``:
    the cell's inputs (default their concatenation); ``initial_cell_state``: what ``zero_state`` puts in
    ``cell_state``. One mechanism only (TF also takes a list)."""

    def __init__(self, cell, attention_mechanism, attention_layer_size=None, alignment_history=False,
                 cell_input_fn=None, output_attention=True, initial_cell_state=None, name=None):
        super().__init__(name=name)
        check_rnn_cell_like(cell, f"cell must be an RNNCell or an object like one, saw type: {type(cell).__name__}")
        if not isinstance(attention_mechanism, _AttentionMechanism):
            raise TypeError(f"attention_mechanism must be an AttentionMechanism, saw type: "
                            f"{type(attention_mechanism).__name__}")
        self._cell, self._mechanism = cell, attention_mechanism
        self._cell_input_fn = cell_input_fn or (lambda inputs, attention: concat([inputs, attention], -1))
        self._attention_layer = (None if attention_layer_size is None else
                                 Dense(attention_layer_size, name="attention_layer", use_bias=False))
        self._attention_size = attention_layer_size or attention_mechanism.values.shape[-1]
        self._alignment_history = alignment_history
        self._output_attention = output_attention
        self._initial_cell_state = initial_cell_state

    @property
    def output_size(self):
        return self._attention_size if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        alignments = self._mechanism.alignments_size
        return AttentionWrapperState(cell_state=self._cell.state_size, time=TensorShape([]),
                                     attention=self._attention_size, alignments=alignments,
                                     alignment_history=alignments if self._alignment_history else (),
                                     attention_state=self._mechanism.state_size)

    @property
    def variables(self):
        layers = [self._mechanism.query_layer, self._attention_layer]
        return cell_variables(self._cell) + [v for layer in layers if layer is not None for v in layer.variables]

    def zero_state(self, batch_size, dtype):
        """The state before the first step: the cell's zero state (or ``initial_cell_state``), zero attention
        and alignments, time 0, an empty alignment history."""
        with name_scope(f"{type(self).__name__}ZeroState"):
            cell_state = (self._cell.zero_state(batch_size, dtype) if self._initial_cell_state is None
                          else self._initial_cell_state)
            cell_state = pack(cell_state, [identity(s, name="checked_cell_state") for s in flatten(cell_state)])
            alignments = self._mechanism.initial_alignments(batch_size, dtype)
            history = (TensorArray(dtype, size=0, dynamic_size=True, element_shape=alignments.shape)
                       if self._alignment_history else ())
            return AttentionWrapperState(cell_state=cell_state, time=zeros([], dtypes.int32),
                                         attention=zeros([batch_size, self._attention_size], dtype),
                                         alignments=alignments, alignment_history=history,
                                         attention_state=self._mechanism.initial_state(batch_size, dtype))

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. Received type "
                            f"{type(state).__name__} instead.")
        cell_output, cell_state = self._cell(self._cell_input_fn(inputs, state.attention), state.cell_state)
        alignments, attention_state = self._mechanism(cell_output, state=state.attention_state)
        # [batch, 1, T] @ [batch, T, depth]: the alignment-weighted sum of the memory steps
        context = squeeze(matmul(expand_dims(alignments, 1), self._mechanism.values), [1])
        attention = (context if self._attention_layer is None
                     else self._attention_layer(concat([cell_output, context], 1)))
        history = (state.alignment_history.write(state.time, alignments) if self._alignment_history else ())
        next_state = AttentionWrapperState(cell_state=cell_state, attention=attention, time=state.time + 1,
                                           alignments=alignments, alignment_history=history,
                                           attention_state=attention_state)
        return (attention if self._output_attention else cell_output), next_state


__all__ = ["LuongAttention", "BahdanauAttention", "AttentionWrapper", "AttentionWrapperState"]
