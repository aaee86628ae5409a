"""``tf.nn.rnn_cell``: TensorFlow 1's recurrent cells — one step of a recurrence, ``(inputs, state) -> (output,
new_state)`` — with their variables made by ``get_variable``.

A cell is an object that holds its variables; it describes ONE time step. ``tf.nn.dynamic_rnn`` (rnn.py) runs it
over a whole sequence::

    cell = tf.nn.rnn_cell.BasicRNNCell(128)
    outputs, final_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)     # x: [batch, time, depth]

This file holds the base class, the Elman cell ``BasicRNNCell``, the LSTM's state ``LSTMStateTuple``, and the
cells built from other cells: ``MultiRNNCell`` (layers stacked) and ``DropoutWrapper``. The gated cells
(``BasicLSTMCell``, ``LSTMCell``, ``GRUCell``) are in rnn_cells_gated.py.

**Variables.** A cell creates its variables the first time it is called (or when ``dynamic_rnn`` builds it),
because only then does it know the input depth. They live in the cell's own variable scope, opened inside the
scope current at that moment and named after the class in snake case (``basic_rnn_cell``) or ``name=``: a cell
called in ``dynamic_rnn`` makes ``rnn/basic_rnn_cell/kernel``. The name is made unique like ``tf.layers``' names: a
second cell of that name built in the same ``with`` block of the enclosing scope gets ``basic_rnn_cell_1`` — except
with ``reuse=True``, when the name is taken as it is, to find the variables made under it. Calling the same cell
object again uses the same variables. A *new* cell meets the usual sharing rules of ``get_variable``: building it
where another cell's variables already exist (in a later ``with variable_scope("model")`` block, where the unique
names start over, or in ``dynamic_rnn``'s ``rnn`` scope entered again) is an error unless ``reuse=True`` (the
argument, or an enclosing ``variable_scope(..., reuse=True)``).

**Writing a cell.** Subclass ``RNNCell`` and give it ``state_size``, ``output_size``, ``build(inputs_shape)``
(create the variables with ``self.add_variable``) and ``call(inputs, state)``. ``state_size`` may be a tuple
(e.g. an LSTM's ``(c, h)``); the state is then a tuple of tensors. ``__init__`` takes TF 1.15's arguments
(``super().__init__(_reuse=reuse, name=name, dtype=dtype, trainable=...)``). Older code overrides
``__call__(inputs, state, scope=None)`` instead and makes its variables with ``get_variable`` at every call, often
without calling ``RNNCell.__init__``: that works too, ``static_rnn`` reusing the variables after its first step.
As in TF, a cell need not subclass ``RNNCell`` at all: ``dynamic_rnn``, the wrappers and ``MultiRNNCell`` take any
object with ``output_size``, ``state_size``, ``zero_state`` (or ``get_initial_state``) that can be called
(``check_rnn_cell_like``).
"""
import collections
import contextlib
import re
import warnings
import zlib

from ..backend import dtypes
from .basics import name_scope
from .array_ops import concat, shape, zeros
from .core import TensorShape
from .function_graph import flatten, is_sequence, pack, same_structure
from .initializers import Zeros
from .math_ops import FLOATS, check_dtype, graph_tensor, matmul, tanh, to_tensor
from .nn_ops import bias_add
from .nn_training import dropout, dropout_rate, masked_dropout
from .random_ops import random_uniform
from .tensor_util import get_static_value
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

    # Class-level defaults of what ``__init__`` sets: old user cells often define only ``state_size``,
    # ``output_size`` and ``__call__`` and never call ``RNNCell.__init__``, and must still run in dynamic_rnn.
    _name = None
    _reuse = None
    dtype = None             # None: the first inputs' dtype
    trainable = True
    _scope = None            # the VariableScope opened by the first build or call, re-entered by later ones
    _called = False
    _variables = ()          # replaced, never appended to (add_variable): a class-level list would be shared
    built = False

    def __init__(self, trainable=True, name=None, dtype=None, *, _reuse=None, reuse=None):
        """TF 1.15's signature, which TF's own cells call as ``super().__init__(_reuse=reuse, name=name,
        dtype=dtype)``. ``_reuse`` (or ``reuse``, the same): True to reuse the variables that already exist under
        the cell's name. ``trainable=False``: the cell's variables are made non-trainable (not trained by an
        optimizer), and ``trainable_variables`` is empty."""
        self.trainable = trainable
        self._name = name
        self._reuse = reuse if _reuse is None else _reuse
        self.dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._variables = []

    @property
    def name(self):
        """The given or default name (``lstm_cell``); after the first call, that of the scope it made (unique:
        ``lstm_cell_1`` for a second cell)."""
        return self._scope.name.split("/")[-1] if self._scope is not None else self._base_name

    @property
    def _base_name(self):
        return self._name or _snake_case(type(self).__name__)

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
        """The variables that train: none for a cell made with ``trainable=False`` (even variables it reuses that
        another cell made trainable)."""
        return [v for v in self.variables if v.trainable] if self.trainable else []

    def build(self, inputs_shape):
        """Create the variables for inputs of shape ``inputs_shape`` ([batch_size, depth]). The base cell has
        none."""

    def call(self, inputs, state):
        """One step: return ``(output, new_state)``."""
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs, state)")

    def add_variable(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True):
        """``get_variable(name, ...)`` in the cell's scope (during ``build``), remembered in ``variables``;
        trainable only if the cell is too."""
        variable = get_variable(name, shape, dtype or self.dtype, initializer, regularizer,
                                trainable and self.trainable)
        self._variables = [*self._variables, variable]
        return variable

    def zero_state(self, batch_size, dtype):
        """A state of zeros for ``batch_size`` examples (an int or a scalar int tensor): [batch_size, state_size],
        or a nest of such tensors shaped like ``state_size`` (an ``LSTMStateTuple`` for an LSTM)."""
        with name_scope(f"{type(self).__name__}ZeroState"):
            return pack(self.state_size, [zeros([batch_size] + dims_of(size), dtype)
                                          for size in flatten(self.state_size)])

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """``zero_state`` for the batch size and dtype of ``inputs`` (a [batch_size, ...] tensor, e.g. one step's
        inputs; a batch size the graph does not know is read when it runs), or for ``batch_size`` and ``dtype``
        (both needed without ``inputs``; with it, they must agree with it)."""
        if inputs is not None:
            inputs = to_tensor(inputs)
            if not inputs.shape.rank_known or len(inputs.shape) == 0:
                raise ValueError(f"get_initial_state: inputs must be [batch_size, ...], got shape {inputs.shape}")
            # a batch_size tensor counts by the value the graph knows (None if only the run knows it), as in TF
            if batch_size is not None and inputs.shape[0] != get_static_value(batch_size):
                raise ValueError(f"get_initial_state: batch size from input tensor is different from the input "
                                 f"param. Input tensor batch: {inputs.shape[0]}, batch_size: {batch_size}")
            if dtype is not None and inputs.dtype != dtypes.as_dtype(dtype):
                raise ValueError(f"get_initial_state: dtype from input tensor is different from the input param. "
                                 f"Input tensor dtype: {inputs.dtype.name}, dtype: {dtypes.as_dtype(dtype).name}")
            batch_size = inputs.shape[0] or shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            dtype_name = None if dtype is None else dtypes.as_dtype(dtype).name
            raise ValueError(f"get_initial_state: batch_size and dtype cannot be None while constructing initial "
                             f"state: batch_size={batch_size}, dtype={dtype_name}")
        return self.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        """Build on the first call (creating the variables), then run ``call`` inside the cell's variable scope
        (``scope``, if given at the first call, replaces the default one named after the class). ``inputs`` may be
        a nested tuple of tensors (``dynamic_rnn``'s nested inputs): ``build`` then gets their shapes in that nest."""
        inputs = pack(inputs, [to_tensor(x) for x in flatten(inputs)])
        with self._variable_scope(scope):
            if not self.built:
                leaves = flatten(inputs)
                self._build(pack(inputs, [x.shape for x in leaves]), leaves[0].dtype)
            result = self.call(inputs, state)
        self._called = True
        return result

    def maybe_build(self, inputs_shape, dtype):
        """Create the variables for step inputs of ``inputs_shape`` (a shape, or a nest of ``TensorShape``s for
        nested inputs) and ``dtype`` now, if not done yet.
        ``dynamic_rnn`` calls this before its loop, so that the variables belong to the enclosing graph."""
        if not self.built:
            nested = is_sequence(inputs_shape) and all(isinstance(s, TensorShape) for s in flatten(inputs_shape))
            with self._variable_scope():
                self._build(inputs_shape if nested else TensorShape(inputs_shape), dtype)

    # ------------------------------------------------------------------------------------------- internals
    def _build(self, inputs_shape, dtype):
        if self.dtype is None:
            self.dtype = dtypes.as_dtype(dtype)
        self.build(inputs_shape)
        self.built = True

    @contextlib.contextmanager
    def _variable_scope(self, scope=None):
        """The cell's variable scope: opened and remembered the first time, re-entered afterwards — with reuse once
        the cell has been called, so that a ``call`` that makes variables finds the same ones again (each entry
        opens its own name scope for the ops). The first time, as TF's ``Layer._set_scope``: ``scope`` if given;
        else with reuse the base name exactly (where the variables to reuse are), without it the base name made
        unique in the current scope (``lstm_cell``, then ``lstm_cell_1``), whether or not it was given as ``name``."""
        if self._scope is not None:
            opening = variable_scope(self._scope, reuse=True if self._called else self._reuse)
        elif scope is not None:
            opening = variable_scope(scope, reuse=self._reuse)
        elif self._reuse:   # True or AUTO_REUSE
            opening = variable_scope(self._base_name, reuse=self._reuse)
        else:
            opening = variable_scope(None, default_name=self._base_name)
        with opening as opened:
            self._scope = opened
            yield opened


def dims_of(size):
    """A state or output size (an int or a shape) as a list of dims."""
    return [size] if isinstance(size, int) else list(size)


# ================================================================================ objects used as cells

def check_rnn_cell_like(cell, error_prefix):
    """TF 1.15's test of what may be used as a cell (its ``assert_like_rnncell``): not only an ``RNNCell``, but
    any object with ``output_size``, ``state_size`` and ``zero_state`` (or ``get_initial_state``) that can be
    called as ``cell(inputs, state)``. Otherwise a TypeError: ``error_prefix``, then what is missing."""
    requirements = [("'output_size' property is missing", hasattr(cell, "output_size")),
                    ("'state_size' property is missing", hasattr(cell, "state_size")),
                    ("either 'zero_state' or 'get_initial_state' method is required",
                     hasattr(cell, "zero_state") or hasattr(cell, "get_initial_state")),
                    ("it is not callable", callable(cell))]
    missing = [what for what, met in requirements if not met]
    if missing:
        raise TypeError(f"{error_prefix}: {', '.join(missing)}")


def maybe_build_cell(cell, inputs_shape, dtype):
    """``cell.maybe_build(inputs_shape, dtype)`` (see ``RNNCell``). An object that is only like a cell has no such
    method: it makes its variables when it is first called, as TF's older cells do."""
    if hasattr(cell, "maybe_build"):
        cell.maybe_build(inputs_shape, dtype)


def cell_variables(cell):
    """``cell.variables``; none for an object only like a cell that does not list its variables."""
    return list(getattr(cell, "variables", ()))


class KernelCell(RNNCell):
    """What the built-in cells share: ``num_units`` units, an ``activation`` (default ``tf.tanh``), and a first
    kernel that multiplies ``concat([inputs, h], 1)`` — its first ``input_depth`` rows the step's inputs, the rest
    the previous output ``h``. So the inputs' depth is fixed when the cell is built, and checked at every call, as
    is the state against ``state_size`` (by default, like the output, ``num_units`` wide). Subclasses define
    ``build_kernels(input_depth)`` and ``call``. ``**kwargs`` go to ``RNNCell.__init__``, as TF's cells pass
    theirs to the base layer: ``trainable=False`` makes variables that an optimizer leaves alone."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        if isinstance(num_units, bool) or not isinstance(num_units, int) or num_units <= 0:
            raise ValueError(f"{type(self).__name__}: num_units must be a positive int, got {num_units!r}")
        if activation is not None and not callable(activation):
            raise TypeError(f"{type(self).__name__}: activation must be callable, got {activation!r}")
        self._num_units = num_units
        self.activation = activation or tanh
        self.input_depth = None      # the inputs' depth, once built

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        self.check_inputs(inputs_shape)
        if inputs_shape[-1] is None:
            raise ValueError(f"{type(self).__name__}: expected inputs.shape[-1] to be known, saw shape: "
                             f"{inputs_shape}")
        self.input_depth = inputs_shape[-1]
        self.build_kernels(self.input_depth)

    def build_kernels(self, input_depth):
        raise NotImplementedError

    def check_inputs(self, inputs_shape):
        """Step inputs must be [batch_size, depth], with the depth the kernel was built for (once it is)."""
        depth = self.input_depth
        if (not inputs_shape.rank_known or len(inputs_shape) != 2
                or None not in (depth, inputs_shape[1]) and inputs_shape[1] != depth):
            kernel = self._variables[0] if self._variables else None
            built_for = "" if kernel is None else f" (its kernel {kernel.name} is {kernel.shape})"
            raise ValueError(f"{self._describe()}: expected inputs of shape [batch_size, {depth or 'depth'}]"
                             f"{built_for}, got {inputs_shape}")

    def checked(self, inputs, state):
        """``(inputs, state)`` of one step, checked: float inputs [batch_size, input_depth]; a state structured
        like ``state_size`` (returned in that structure), each part a float [batch_size, size]."""
        inputs = check_dtype(inputs, FLOATS, "inputs")
        self.check_inputs(inputs.shape)
        if not same_structure(self.state_size, state):
            raise ValueError(f"{self._describe()}: expected a state structured like state_size {self.state_size}, "
                             f"got {state!r}")
        parts = [check_dtype(to_tensor(s), FLOATS, "state") for s in flatten(state)]
        for part, size in zip(parts, flatten(self.state_size)):
            expected = [inputs.shape[0]] + dims_of(size)
            if not part.shape.is_compatible_with(expected):
                shown = "[" + ", ".join("batch_size" if d is None else str(d) for d in expected) + "]"
                raise ValueError(f"{self._describe()}: expected a state of shape [batch_size, state_size] = {shown}, "
                                 f"got {part.shape}")
        return inputs, pack(self.state_size, parts)

    def _describe(self):
        return f"{type(self).__name__} '{self._scope.name}'"


class BasicRNNCell(KernelCell):
    """The Elman cell: ``output = new_state = activation(concat([inputs, state], 1) @ kernel + bias)``.

    ``kernel`` is [depth + num_units, num_units] — its first ``depth`` rows multiply the inputs, the rest the
    state — initialised Glorot-uniform (unless the variable scope sets another initializer); ``bias`` is
    [num_units], zeros. ``activation`` defaults to ``tf.tanh``. ``dtype``: the variables' (default: the first
    inputs'). ``**kwargs``: the base class's (``trainable``).
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        self.kernel = self.bias = None

    def build_kernels(self, input_depth):
        self.kernel = self.add_variable("kernel", [input_depth + self._num_units, self._num_units])
        self.bias = self.add_variable("bias", [self._num_units], initializer=Zeros())

    def call(self, inputs, state):
        inputs, state = self.checked(inputs, state)
        output = self.activation(bias_add(matmul(concat([inputs, state], 1), self.kernel), self.bias))
        return output, output


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: ``c``, the memory cell, and ``h``, the output of the last step (each [batch_size, size]).
    A tuple, so it goes wherever a state goes (``dynamic_rnn``'s loop, ``sess.run``); ``.dtype`` is theirs."""
    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype.name} vs {h.dtype.name}")
        return c.dtype


# ============================================================================================ cells of cells

class MultiRNNCell(RNNCell):
    """Layers of cells: each step runs ``cells[0]`` on the inputs, ``cells[1]`` on its output, and so on; the
    output is the last cell's, the state the tuple of every cell's state (``state_is_tuple=False``: concatenated
    along dim 1, for cells whose states are single tensors). Cell ``i`` lives in the sub-scope ``cell_i``:
    ``rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel``. Give each layer its own cell object — the same object
    twice shares its variables (and needs inputs of one depth)."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        for i, cell in enumerate(cells):
            check_rnn_cell_like(cell, f"MultiRNNCell: every cell must be an RNNCell or an object like one, and "
                                      f"cells[{i}] ({cell!r}) is not")
        if not state_is_tuple and any(is_sequence(cell.state_size) for cell in cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is not set. State "
                             f"sizes are: {[cell.state_size for cell in cells]}")
        if len({id(cell) for cell in cells}) < len(cells):
            warnings.warn("At least two cells provided to MultiRNNCell are the same object and will share weights.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        sizes = tuple(cell.state_size for cell in self._cells)
        return sizes if self._state_is_tuple else sum(sizes)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    @property
    def variables(self):
        return [v for cell in self._cells for v in cell_variables(cell)]

    def zero_state(self, batch_size, dtype):
        """The tuple of every layer's own zero state (a layer may start from more than zeros: an
        ``AttentionWrapper``'s step count, a cell written by hand); concatenated zeros if not ``state_is_tuple``."""
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with name_scope(f"{type(self).__name__}ZeroState"):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    def build(self, inputs_shape):
        """Build every layer, each for the output of the one below (in the sub-scopes ``call`` uses)."""
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                maybe_build_cell(cell, inputs_shape, self.dtype)
            inputs_shape = TensorShape([inputs_shape[0]] + dims_of(cell.output_size))

    def call(self, inputs, state):
        if self._state_is_tuple and (not is_sequence(state) or len(state) != len(self._cells)):
            raise ValueError(f"Expected state to be a tuple of length {len(self._cells)}, but received: {state}")
        state = state if self._state_is_tuple else to_tensor(state)
        output, new_states, start = inputs, [], 0
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    cell_state = state[i]
                else:  # this cell's columns of the concatenated state
                    cell_state, start = state[:, start:start + cell.state_size], start + cell.state_size
                output, cell_state = cell(output, cell_state)
            new_states.append(cell_state)
        return output, (tuple(new_states) if self._state_is_tuple else concat(new_states, 1))


def keeps_lstm_memory(substate):
    """``DropoutWrapper``'s default ``dropout_state_filter_visitor``: drop out every part of the state except the
    memory ``c`` of an ``LSTMStateTuple`` (dropping memory would erase what the LSTM carries across steps)."""
    return LSTMStateTuple(c=False, h=True) if isinstance(substate, LSTMStateTuple) else True


class CellWrapper(RNNCell):
    """What a wrapper shares: the wrapped cell's sizes, variables, zero state and building."""

    def __init__(self, cell, dtype=None):
        super().__init__(dtype=dtype)
        check_rnn_cell_like(cell, f"The parameter cell is not a RNNCell. {type(self).__name__} takes an RNNCell or "
                                  f"an object like one, and {cell!r} is not")
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def variables(self):
        return cell_variables(self._cell)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def maybe_build(self, inputs_shape, dtype):
        maybe_build_cell(self._cell, inputs_shape, dtype)


class DropoutWrapper(CellWrapper):
    """``cell`` with dropout (``tf.nn.dropout``) on its inputs, its outputs and its new state, each kept with
    probability ``*_keep_prob`` (a float in (0, 1] or a scalar tensor, e.g. a placeholder fed 1.0 to evaluate); a
    probability that is the constant 1 adds no op at all.

    Which parts of the state are dropped: ``dropout_state_filter_visitor(substate)`` is asked at each level of the
    state and answers True (drop all of it), False (none) or a structure of bools, one per child (default: all
    but an ``LSTMStateTuple``'s ``c``, see ``keeps_lstm_memory``).

    ``variational_recurrent=True`` (Gal & Ghahramani): ONE mask per ``Session.run``, drawn when the wrapper is
    made, used at every step and shared by the examples of the batch — so ``dtype``, and for input dropout
    ``input_size`` (the inputs' depth), must be given. ``seed`` makes the masks reproducible. Inside
    ``dynamic_rnn``'s loop, the gradient replays the masks each step drew (loops.py).

    The wrapper adds no variable scope of its own: its cell's variables are named as without it, so a training
    model with dropout and an evaluation model without it share them.
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__(cell, dtype=dtype)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable")
        self._seed = seed
        self._keep = {"input": input_keep_prob, "state": state_keep_prob, "output": output_keep_prob}
        for kind, keep in self._keep.items():
            if graph_tensor(keep) is None and not 0 < keep <= 1:
                raise ValueError(f"Parameter {kind}_keep_prob must be between 0 and 1 (and not 0): {keep}")
        self._state_filter = dropout_state_filter_visitor or keeps_lstm_memory
        self._noise = {}  # variational: kind -> one [1, size] U[0, 1) draw per part
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")
            sizes = {"input": input_size, "state": cell.state_size, "output": cell.output_size}
            if self._drops("input") and input_size is None:
                raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                                 "input_size must be provided")
            self._noise = {kind: [random_uniform([1] + dims_of(size), dtype=dtype, seed=self._op_seed(kind, i))
                                  for i, size in enumerate(flatten(sizes[kind]))]
                           for kind in sizes if self._drops(kind)}

    def __call__(self, inputs, state, scope=None):
        inputs = self._dropout("input", 0, to_tensor(inputs))
        output, new_state = self._cell(inputs, state, scope=scope)
        parts = [self._dropout("state", i, part) if drop else part
                 for i, (part, drop) in enumerate(zip(flatten(new_state), self._state_parts_to_drop(new_state)))]
        return self._dropout("output", 0, output), pack(new_state, parts)

    # ------------------------------------------------------------------------------------------- internals
    def _drops(self, kind):
        keep = self._keep[kind]
        return graph_tensor(keep) is not None or keep < 1

    def _op_seed(self, kind, index):
        """A distinct, reproducible op seed for each dropout of a seeded wrapper."""
        return None if self._seed is None else zlib.crc32(f"{self._seed}_{kind}_{index}".encode()) & 0x7FFFFFFF

    def _dropout(self, kind, index, x):
        if not self._drops(kind):
            return x
        keep, seed = self._keep[kind], self._op_seed(kind, index)
        if kind not in self._noise:
            return dropout(x, keep_prob=keep, seed=seed)
        noise = self._noise[kind][index]  # variational: the one draw made with the wrapper
        rate = dropout_rate(x, keep_prob=keep)
        return masked_dropout(x, rate, noise >= rate)   # kept where noise >= rate: probability keep

    def _state_parts_to_drop(self, state):
        """One bool per part of ``state`` (in ``flatten`` order): does state dropout apply to it?"""
        decision = self._state_filter(state)
        if not is_sequence(state):
            if not isinstance(decision, bool):
                raise TypeError(f"dropout_state_filter_visitor must return a bool for a tensor, got {decision!r}")
            return [decision]
        children = [state[k] for k in sorted(state)] if isinstance(state, dict) else list(state)
        if isinstance(decision, bool):
            decision = [decision] * len(children)
        elif not is_sequence(decision) or len(flatten(decision)) != len(children):
            raise TypeError(f"dropout_state_filter_visitor must return a bool or one bool per child of {state!r}, "
                            f"got {decision!r}")
        flags = []
        for child, traverse in zip(children, flatten(decision)):
            flags += self._state_parts_to_drop(child) if traverse else [False] * len(flatten(child))
        return flags
