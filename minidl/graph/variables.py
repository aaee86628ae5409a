"""Variables: state that lives in a ``Session`` and survives from one ``run`` to the next.

``W = tf.Variable(initial_value, name="W")`` adds four operations to the graph::

    W                 VariableV2   outputs W's current value; fails if W was never initialized
    W/initial_value   Const        (``W/Initializer/...`` when the initial value is a callable)
    W/Assign          Assign       ``W.initializer``: stores the initial value in the session
    W/read            Identity     ``W.value()``: a snapshot of the value, what layers usually read

The ``Variable`` object *is* the tensor ``W:0``, so any op accepts it directly (``tf.matmul(x, W)``) and
``gradients(loss, [W])`` differentiates with respect to it.

The value itself is not in the graph: each Session keeps its own (``session.variable_value(op)``), so two sessions
on one graph hold two independent models, and a fresh session must run the initializer first — reading a
variable before that raises ``FailedPreconditionError: Attempting to use uninitialized value W``.

Why the assign ops do **not** take the variable as an input (TF draws an edge ``W -> W/Assign``): a session
computes every input of an op before running it, and computing ``W`` means reading its value — which does not
exist yet when the initializer runs. So ``Assign`` names its variable in an attribute and writes to the session
directly.
"""
import functools
import threading

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .basics import group, identity, no_op
from .core import GraphKeys, Tensor, TensorShape, as_spec_shape, get_default_graph
from .frontend import _graph_for, convert_to_tensor
from .graph_ops import GraphOp
from .session import get_default_session
from .strings import string


def _fmt(shape):
    """A shape the way TF's run-time errors print it: ``[2,3]``."""
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


# ------------------------------------------------------------------------------------------------ graph ops

class VariableV2(GraphOp):
    """Outputs the variable's current value, read from the session running it (again by each reader: see
    ``GraphOp.holds_state``)."""
    name = "VariableV2"  # set explicitly: Op subclasses would inherit their base's name
    holds_state = True

    @staticmethod
    def execute(session, operation, arrays):
        return (session.variable_value(operation),)


class Assign(GraphOp):
    """``variable = value`` (mode "set"), ``variable += value`` ("add") or ``variable -= value`` ("sub").

    attrs: ``variable`` (the VariableV2 operation), ``mode``, ``validate_shape``. The value is cast to the
    variable's dtype; the output is the new value. "set" stores a *copy*, so a variable never shares its array
    with a constant, a feed or another variable; "add"/"sub" take a value of the variable's shape, or a scalar.
    """
    name = "Assign"
    writes_state = True

    @staticmethod
    def execute(session, operation, arrays):
        (value,) = arrays
        attrs = operation.attrs
        variable = attrs["variable"]
        static = variable.outputs[0].shape
        dtype = variable.outputs[0].dtype
        xp = session.array_module
        if attrs["mode"] == "set":
            if attrs["validate_shape"] and not static.is_compatible_with(value.shape):
                raise errors.InvalidArgumentError(
                    None, operation, f"Assign requires shapes of both tensors to match. lhs shape= {_fmt(static)} "
                                     f"rhs shape= {_fmt(value.shape)}")
            # (strings stay on the host: the GPU array module has no string type)
            new = (numpy if dtype == string else xp).array(value, dtype=dtype, copy=True)
        else:
            current = session.variable_value(variable)
            if value.ndim and value.shape != current.shape:
                raise errors.InvalidArgumentError(
                    None, operation, f"Cannot update variable with shape {_fmt(current.shape)} using a Tensor with "
                                     f"shape {_fmt(value.shape)}, shapes must be equal.")
            value = value.astype(dtype, copy=False)
            new = current + value if attrs["mode"] == "add" else current - value
        session.set_variable_value(variable, new)
        return (new,)


class AssignAdd(Assign):
    """``Assign`` in mode "add": its own class only for the op type TF1 shows (``op.type == "AssignAdd"``)."""
    name = "AssignAdd"


class AssignSub(Assign):
    """``Assign`` in mode "sub" (op type ``AssignSub``)."""
    name = "AssignSub"


_ASSIGN_OPS = {"set": Assign, "add": AssignAdd, "sub": AssignSub}


class CountUpTo(GraphOp):
    """``variable += 1`` (an integer scalar), outputting the value *before* the increment — unless that value has
    reached attr ``limit``: then ``OutOfRangeError``, and the variable stays. TF1's epoch counter
    (``tf.train.limit_epochs``): each run hands out a distinct count until the limit ends the input. The read and
    the write are one step under a lock, so two threads never get the same count."""
    name = "CountUpTo"
    writes_state = True
    _lock = threading.Lock()

    @staticmethod
    def execute(session, operation, arrays):
        variable, limit = operation.attrs["variable"], operation.attrs["limit"]
        with CountUpTo._lock:
            current = session.variable_value(variable)
            if int(current) >= limit:
                raise errors.OutOfRangeError(None, operation, f"Reached limit of {limit}")
            session.set_variable_value(variable, current + current.dtype.type(1))
        return (current,)


class IsVariableInitialized(GraphOp):
    """A boolean scalar: has the variable (attr ``variable``) a value in this session?"""
    name = "IsVariableInitialized"

    @staticmethod
    def execute(session, operation, arrays):
        return (session.array_module.asarray(session.is_initialized(operation.attrs["variable"])),)


class InitializedValue(GraphOp):
    """The value of the variable in attr ``variable`` if it is initialized in the session, else its input (the
    variable's initial value). Reading the variable is no input of this op: that would fail while uninitialized."""
    name = "InitializedValue"

    @staticmethod
    def execute(session, operation, arrays):
        variable = operation.attrs["variable"]
        return (session.variable_value(variable) if session.is_initialized(variable) else arrays[0],)


class ReportUninitializedVariables(GraphOp):
    """The names (bytes, like TF's strings) of the variables in attr ``variables`` that have no value yet."""
    name = "ReportUninitializedVariables"

    @staticmethod
    def execute(session, operation, arrays):
        names = [v.name.encode() for v in operation.attrs["variables"] if not session.is_initialized(v)]
        return (numpy.array(names, dtype=object).reshape(len(names)),)


# ---------------------------------------------------------------------------------------------- Variable

def _taken(graph, name):
    try:
        graph.get_operation_by_name(name)
    except KeyError:
        return False
    return True


def _home_graph(initial_value, name):
    """The graph a new variable's ops go to: the program's own graph, even while the body of a loop or a
    conditional (a function graph nested in it) is being built. A variable lives across runs, not across
    iterations, so (as TF1's ``init_scope`` does) it is made outside the construct, and the body reads it through
    a capture — which is also how its gradient comes out of the loop. Its initial value must then not be a tensor
    computed inside the body."""
    graph = get_default_graph()
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
    if isinstance(initial_value, Tensor) and getattr(initial_value.graph, "outer_graph", None) is not None:
        raise ValueError(f"Initializer for variable {name or 'Variable'} is from inside a control-flow construct, "
                         f"such as a loop or conditional. When creating a variable inside a loop or conditional, "
                         f"use a lambda as the initializer.")
    return graph


class Variable(Tensor):
    """A tensor whose value persists in the session between runs (``tf.Variable``).

    ``initial_value`` is an array, a Python value, a tensor, or a callable returning one (called under the
    ``W/Initializer`` name scope). Its dtype is the variable's (``dtype=`` converts a non-tensor value). The static
    shape is the initial value's — or ``shape`` if given — and must be fully known unless ``validate_shape=False``
    (then it is unknown, and assignments may change it).

    A variable joins ``collections`` (default: GLOBAL_VARIABLES) and, when ``trainable``, TRAINABLE_VARIABLES,
    which is where optimizers look for what to train.

    The arguments keep TF1's order. ``expected_shape`` (deprecated in TF1, which ignores it), ``caching_device``,
    ``import_scope``, ``use_resource``, ``synchronization`` and ``aggregation`` are accepted and have no effect;
    restoring from a ``variable_def`` is not supported. ``constraint(variable) -> tensor`` (a max-norm, say) is
    what optimizers put into the variable after each of their updates, as TF does.
    """

    def __init__(self, initial_value=None, trainable=None, collections=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None, *, _exact_name=False):
        # _exact_name (for get_variable): ``name`` is the full op name, outside any name scope and never uniquified
        if variable_def is not None:
            raise NotImplementedError("tf.Variable: variable_def is not supported")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable, got {constraint!r}")
        self.constraint = constraint
        trainable = True if trainable is None else trainable
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = _home_graph(initial_value, name)
        if _exact_name and _taken(graph, name):  # another op has the name: TF1 makes the variable's op name unique
            with graph.name_scope(None):
                name = graph.unique_name(name)
        scope = graph.name_scope(name + "/") if _exact_name else graph.name_scope(name or "Variable")
        # The initializer ops must not inherit the control dependencies around the Variable call (TF's init_scope)
        with graph.as_default(), graph.control_dependencies(None), scope as scope_name:
            if callable(initial_value):
                with graph.name_scope("Initializer"):
                    initial_value = initial_value()
            init = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            static = init.shape if validate_shape else TensorShape(None)
            if shape is not None:
                static = TensorShape(shape)
                if not static.is_compatible_with(init.shape):
                    raise ValueError(f"The initial value's shape ({init.shape}) is not compatible with the explicitly "
                                     f"supplied `shape` argument ({static}).")
            elif validate_shape and not static.is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: {init!r}")
            operation = graph.create_op(VariableV2, (), {"shape": static, "dtype": init.dtype},
                                        [Spec(as_spec_shape(static), init.dtype)], name=scope_name[:-1], unique=False)
            # This object becomes the operation's output 0: the variable *is* the tensor W:0
            Tensor.__init__(self, operation, 0, static, init.dtype)
            operation.outputs = (self,)
            self._initial_value = init
            self._initializer_op = _assign(self, init, "set", validate_shape, "Assign").op
            self._snapshot = identity(self, name="read")
        self._trainable = bool(trainable)
        collections = [GraphKeys.GLOBAL_VARIABLES] if collections is None else list(collections)
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        graph.add_to_collections(collections, self)

    # ------------------------------------------------------------------------------------------ properties
    @property
    def initializer(self):
        """The operation that stores the initial value (run it, or ``global_variables_initializer()``)."""
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def trainable(self):
        return self._trainable

    def _as_graph_element(self):
        return self

    def __repr__(self):
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}_ref>"

    __str__ = __repr__  # print(v) shows the repr, as TF1's variables do

    # ------------------------------------------------------------------------------------------ reading
    def value(self):
        """The snapshot ``W/read``: the variable's value, as an ordinary tensor."""
        return self._snapshot

    def read_value(self):
        """A new read of the variable, made where it is called (e.g. after an assign, inside
        ``control_dependencies``)."""
        with _graph_for([self]).as_default():  # inside a cond/while body being built: that body
            return identity(self, name="read")

    def eval(self, session=None):
        """The current value in ``session`` (default: the default session)."""
        return Tensor.eval(self, session=session)

    def is_initialized(self):
        return is_variable_initialized(self)

    def initialized_value(self):
        """The variable's value if it has one in the running session, else its initial value — for initializing
        one variable from another (``tf.Variable(w.initialized_value() * 2)``) whatever order the initializers
        run in. Made in the variable's own graph, outside any control dependencies."""
        graph = self.graph
        with graph.as_default(), graph.control_dependencies(None), graph.name_scope(None):
            operation = graph.create_op(InitializedValue, (self._initial_value,), {"variable": self.op},
                                        [Spec(as_spec_shape(self.shape), self.dtype)],
                                        name=self.op.name + "/initialized_value")
        return operation.outputs[0]

    # ------------------------------------------------------------------------------------------ writing
    def __getitem__(self, index):
        """``v[index]``: the value of that part of the variable — a tensor that, as in TF1, can also be assigned
        to: ``v[0].assign(row)`` and ``v[:, 1:3].assign(block)`` set that part alone when run (the value must
        have the part's shape) and output the whole new value."""
        from .operators import tf_index  # (operators come after variables in the import order)
        index = tf_index(index)
        part = Tensor.__getitem__(self, index)
        part.assign = functools.partial(_assign_part, self, index, part)
        return part

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """A tensor that, when run, sets the variable to ``value`` and outputs the new value."""
        out = _assign(self, value, "set", True, name or "Assign")
        return out if read_value else out.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        out = _assign(self, delta, "add", True, name or "AssignAdd")
        return out if read_value else out.op

    def count_up_to(self, limit):
        return count_up_to(self, limit)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        out = _assign(self, delta, "sub", True, name or "AssignSub")
        return out if read_value else out.op

    def sparse_read(self, indices, name=None):
        """The rows ``indices`` of the variable's value (``tf.gather``)."""
        from .array_ops import gather
        return gather(self, indices, name=name)

    def gather_nd(self, indices, name=None):
        from .nd_indexing_ops import gather_nd
        return gather_nd(self, indices, name=name)

    def load(self, value, session=None):
        """Put ``value`` into the variable directly in ``session``, without adding ops to the graph."""
        session = session or get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session should be established")
        if session.graph is not self.graph:
            raise ValueError(f"Variable {self.name} is not an element of the session's graph.")
        array = numpy.array(value.get() if hasattr(value, "get") else value, dtype=self.dtype)
        if not self.shape.is_compatible_with(array.shape):
            raise ValueError(f"Cannot load value of shape {array.shape} into variable '{self.name}', which has "
                             f"shape '{self.shape}'")
        session.set_variable_value(self.op, session.array_module.asarray(array))


# ------------------------------------------------------------------------------------------- assignment

def _assign(variable, value, mode, validate_shape, name):
    """Add an Assign operation (see the class) for ``variable`` and return its output, the new value."""
    if not isinstance(variable, Variable):
        raise TypeError(f"Assignment needs a tf.Variable to assign to, got {variable!r}")
    graph = _graph_for([variable])
    with graph.as_default():
        value = convert_to_tensor(value, dtype=variable.dtype)
        if mode == "set":
            if validate_shape and not variable.shape.is_compatible_with(value.shape):
                raise ValueError(f"Shapes {variable.shape} and {value.shape} are incompatible: cannot assign a value "
                                 f"of shape {value.shape} to variable '{variable.op.name}' of shape {variable.shape}")
            out_shape = variable.shape if validate_shape else value.shape
        else:
            if value.shape.rank != 0 and not variable.shape.is_compatible_with(value.shape):
                raise ValueError(f"Shapes {variable.shape} and {value.shape} are incompatible: the update of "
                                 f"variable '{variable.op.name}' must have its shape, or be a scalar")
            out_shape = variable.shape
        attrs = {"variable": variable.op, "mode": mode, "validate_shape": validate_shape}
        operation = graph.create_op(_ASSIGN_OPS[mode], (value,), attrs,
                                    [Spec(as_spec_shape(out_shape), variable.dtype)], name=name)
    return operation.outputs[0]


def _assign_part(variable, index, part, value, use_locking=False, name=None):
    """``variable[index] = value`` when run (TF's ``strided_slice_assign``): the variable set to itself with that
    part replaced."""
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, slice) and any(isinstance(b, Tensor) for b in (i.start, i.stop, i.step)) for i in items):
        raise NotImplementedError(f"assigning to {variable.op.name}[...] with slice bounds known only when the graph "
                                  f"runs is not supported: use tf.scatter_update (rows) or tf.scatter_nd_update")
    with _graph_for([variable]).as_default():
        value = convert_to_tensor(value, dtype=variable.dtype)
        if value.shape.rank_known and not (part.shape.is_compatible_with(value.shape) and
                                           part.shape.rank == value.shape.rank):
            raise ValueError(f"sliced l-value shape {part.shape} does not match r-value shape {value.shape}: the "
                             f"value assigned to {variable.op.name}[...] must have the shape of that part")
        if not value.shape.rank_known:  # checked when the graph runs, as TF checks it
            from .math_extras import ensure_shape  # (math_extras comes after variables in the import order)
            value = ensure_shape(value, part.shape)
        return _assign(variable, ops.index_put(variable, index, value), "set", True, name or "StridedSliceAssign")


def _scatter_method(function_name, nd):
    """The method ``Variable.<function_name>``: the function of state_updates.py on the variable — with the rows and
    values of an IndexedSlices (``v.scatter_update(tf.IndexedSlices(values, indices))``), or for an ``nd`` one the
    indices and updates, as TF's methods take them."""
    def method(self, *arguments, use_locking=False, name=None):
        from . import state_updates  # (it builds on this module)
        if nd:
            indices, updates = arguments
        else:
            (sparse_delta,) = arguments
            if not (hasattr(sparse_delta, "indices") and hasattr(sparse_delta, "values")):
                raise TypeError(f"Variable.{function_name}: sparse_delta must be an IndexedSlices, got "
                                f"{type(sparse_delta).__name__}")
            indices, updates = sparse_delta.indices, sparse_delta.values
        return getattr(state_updates, function_name)(self, indices, updates, name=name)
    method.__name__ = method.__qualname__ = function_name
    return method


for _mode in ("update", "add", "sub", "mul", "div", "max", "min"):
    setattr(Variable, f"scatter_{_mode}", _scatter_method(f"scatter_{_mode}", nd=False))
for _mode in ("update", "add", "sub"):
    setattr(Variable, f"scatter_nd_{_mode}", _scatter_method(f"scatter_nd_{_mode}", nd=True))


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """``ref = value`` when run; the result is the new value. ``validate_shape=False`` allows a new shape."""
    return _assign(ref, value, "set", True if validate_shape is None else validate_shape, name or "Assign")


def assign_add(ref, value, use_locking=None, name=None):
    """``ref += value`` when run; the result is the new value."""
    return _assign(ref, value, "add", True, name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """``ref -= value`` when run; the result is the new value."""
    return _assign(ref, value, "sub", True, name or "AssignSub")


# --------------------------------------------------------------------------------- collections, initializers

def count_up_to(ref, limit, name=None):
    """An op that increments the integer scalar variable ``ref`` and gives its value before the increment, until
    that value reaches ``limit`` (then ``OutOfRangeError``); see ``CountUpTo``."""
    if not isinstance(ref, Variable):
        raise TypeError(f"count_up_to needs a tf.Variable, got {ref!r}")
    if ref.dtype not in (dtypes.int32, dtypes.int64) or (ref.shape.rank_known and ref.shape.rank != 0):
        raise TypeError(f"count_up_to: the variable must be an int32 or int64 scalar, got {ref.dtype.name} of shape "
                        f"{ref.shape} ('{ref.op.name}')")
    graph = _graph_for([ref])
    operation = graph.create_op(CountUpTo, (), {"variable": ref.op, "limit": int(limit)},
                                [Spec((), ref.dtype)], name=name or "CountUpTo")
    return operation.outputs[0]


def global_variables(scope=None):
    """The variables of the default graph's GLOBAL_VARIABLES collection (``scope``: a name-prefix regex)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    """Variables in LOCAL_VARIABLES (per-session bookkeeping such as metric counters; never saved)."""
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One operation that runs the initializers of ``var_list`` (a no-op for an empty list)."""
    var_list = list(var_list)
    if not var_list:
        return no_op(name=name)
    return group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """The operation ``init`` that initializes every global variable: run it once in each new session."""
    return variables_initializer(global_variables())


def local_variables_initializer():
    return variables_initializer(local_variables())


def model_variables(scope=None):
    """The variables in MODEL_VARIABLES (those a model's layers registered as its parameters)."""
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)




def moving_average_variables(scope=None):
    """The variables that ``tf.train.ExponentialMovingAverage.apply`` keeps moving averages of."""
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


# TF's old names
all_variables = global_variables
initialize_all_variables = global_variables_initializer
initialize_variables = variables_initializer
initialize_local_variables = local_variables_initializer


def is_variable_initialized(variable):
    """A boolean tensor: does ``variable`` have a value in the session that runs this?"""
    graph = _graph_for([variable])
    operation = graph.create_op(IsVariableInitialized, (), {"variable": variable.op}, [Spec((), dtypes.bool_)],
                                name="IsVariableInitialized")
    return operation.outputs[0]


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D tensor of the names of the variables (default: global and local) that have no value yet."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    operation = get_default_graph().create_op(
        ReportUninitializedVariables, (), {"variables": tuple(v.op for v in var_list)},
        [Spec((None,), numpy.dtype(object))], name=name)
    return operation.outputs[0]
