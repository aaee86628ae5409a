"""``FuncGraph``: a small graph built by running a Python function — a branch of ``cond``, or the condition and
body of ``while_loop`` — that a control-flow operation of the enclosing graph runs as a unit.

Building one is ordinary graph building: while the function runs, the FuncGraph is the default graph, so every op
it creates lands there. The function's arguments are placeholders (``fg.inputs``); what it returns, flattened and
converted to tensors, is ``fg.outputs``.

**Captures.** The function may use tensors of the enclosing graph (``outer_w + x``, where ``outer_w`` was built
outside). An op cannot take an input from another graph, so the FuncGraph *captures* the outer tensor: it makes
(once per outer tensor) a placeholder of its own and uses that instead. ``fg.captures`` maps each outer tensor to
its inner stand-in, in order; the control-flow op takes the outer tensors as extra inputs and feeds their values
to the stand-ins when it runs the body. That is how a value crosses the boundary — and how gradients cross it
back: the derivative with respect to a stand-in is the derivative with respect to the outer tensor.

A FuncGraph nested in another (a ``cond`` inside a ``while_loop`` body) captures through its parent: the parent
captures the tensor first, so each level's op gets it as an ordinary input of its own graph.

A *variable* is captured differently: its stand-in is a ``CapturedVariable`` op whose every reader reads the
variable's value from the session when that reader runs (TF1's reference semantics), so a body that assigns to a
variable and reads it again, after the assignment, sees the new value. It is still recorded in ``captures`` —
the outer op takes the variable as an input — so ``gradients(loss, [W])`` reaches a ``W`` that is only used inside
a body.
"""
import collections

from ..ops.base import Spec
from .core import Graph, Tensor, TensorShape, as_spec_shape
from .frontend import _is_nested_in, convert_to_tensor
from .graph_ops import Const, GraphOp, Placeholder
from .variables import VariableV2


class CapturedVariable(GraphOp):
    """Inside a FuncGraph: the current value of an outer variable (attr ``variable``: its VariableV2 operation), or
    the value fed for it when the run feeds the variable. In a frozen graph (``tf.graph_util``) the variable has
    become a constant holding its value: then that value. It ``holds_state``: each op of the body that reads it
    reads the value when that op runs, so a read made after an ``assign`` (``control_dependencies``) sees the new
    value, as in TF1."""
    holds_state = True

    @staticmethod
    def execute(session, operation, arrays):
        variable = operation.attrs["variable"]
        if variable.op is Const:
            return (session.device_constant(variable),)
        return (session.variable_read(variable),)


#: ops that only read something: running them has no effect, so a body need not run them for their own sake
_READ_ONLY = (Const, Placeholder, VariableV2, CapturedVariable)


class FuncGraph(Graph):
    """A graph built from a Python function inside ``outer_graph``, with ``inputs``, ``outputs`` and ``captures``.

    ``structured_outputs`` is what the function returned (a nest), ``outputs`` its flattened tensors.
    """

    def __init__(self, name, outer_graph):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.inputs = []
        self.outputs = []
        self.structured_outputs = None
        self.captures = collections.OrderedDict()   # outer Tensor -> inner Tensor (a placeholder, or a variable read)
        # a control-flow body's ops that depend on ops of an enclosing graph: those ops, lifted out (see create_op);
        # None for a graph that keeps such dependencies on its ops (a tf.data function's)
        self.outer_control_inputs = None
        self._device_stack = list(outer_graph._device_stack)
        # To the user a body is part of the enclosing graph (in TF1 it literally is): share its collections, its
        # variable store and variable scopes, so ``get_variable(..., reuse=True)`` or ``get_collection`` inside a
        # body see the program's variables
        self._collections = outer_graph._collections
        self._variable_store = outer_graph._variable_store
        self._variable_scope_stack = outer_graph._variable_scope_stack

    def __repr__(self):
        return f"<FuncGraph '{self.name}'>"

    def next_op_seed(self, op_seed=None):
        """Random ops inside draw their seeds from the enclosing graph, so they never repeat an outer op's."""
        return self.outer_graph.next_op_seed(op_seed)

    # ---------------------------------------------------------------------------------------- capturing
    def create_op(self, op, inputs, attrs, output_specs, name=None, defined_at=None, unique=True):
        """``Graph.create_op``, after replacing each input from an enclosing graph by its captured stand-in.

        In a control-flow body, a control dependency on an op of an enclosing graph (``with
        tf.control_dependencies([outer_op]):`` inside the body) is lifted out: TF1 removes such edges from the body
        and runs the outer op once, before the loop or cond — not at every iteration. The control-flow op depends
        on the ops gathered in ``outer_control_inputs`` instead."""
        inputs = [self.capture(t) for t in inputs]
        outer = [] if self.outer_control_inputs is None else \
            [c for deps in self._control_stack for c in deps if c.graph is not self]
        if not outer:
            return super().create_op(op, inputs, attrs, output_specs, name, defined_at, unique)
        self.outer_control_inputs.extend(c for c in outer if c not in self.outer_control_inputs)
        stack = self._control_stack
        self._control_stack = [[c for c in deps if c.graph is self] for deps in stack]
        try:
            return super().create_op(op, inputs, attrs, output_specs, name, defined_at, unique)
        finally:
            self._control_stack = stack

    def remove_operations_since(self, count):
        super().remove_operations_since(count)
        for outer, inner in list(self.captures.items()):
            if inner.op.name not in self._operations:
                del self.captures[outer]

    def capture(self, tensor):
        """The tensor of this graph that stands for ``tensor`` (itself if it already belongs here)."""
        if tensor.graph is self or not _is_nested_in(self, tensor.graph):
            return tensor   # ours; or from an unrelated graph, which Graph.create_op reports
        if tensor.graph is not self.outer_graph:
            tensor = self.outer_graph.capture(tensor)   # nested: let the parent capture it first
        inner = self.captures.get(tensor)
        if inner is None:
            inner = self.captures[tensor] = self._make_capture(tensor)
        return inner

    def _make_capture(self, tensor):
        source = tensor.op
        # A stand-in is made where the outer tensor was first used, but belongs to no scope or dependency there
        with self.name_scope(None), self.control_dependencies(None):
            if not issubclass(source.op, (VariableV2, CapturedVariable)):
                name = source.name.replace("/", "_")
                return self.make_placeholder(tensor.shape, tensor.dtype,
                                             name if name.startswith("capture_") else "capture_" + name)
            variable = source.attrs.get("variable", source)   # the VariableV2 op, however deep the nesting
            operation = Graph.create_op(self, CapturedVariable, (), {"variable": variable},
                                        [Spec(as_spec_shape(tensor.shape), tensor.dtype)],
                                        name=variable.name.replace("/", "_"))
            return operation.outputs[0]

    def make_placeholder(self, shape, dtype, name):
        """A placeholder of this graph with the given static shape (fed by the control-flow op, never by a user)."""
        shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        operation = Graph.create_op(self, Placeholder, (), {}, [Spec(as_spec_shape(shape), dtype)], name=name)
        return operation.outputs[0]

    # ------------------------------------------------------------------------------------------ running
    def capture_feeds(self):
        """``[(outer tensor, inner placeholder)]``: the captures whose value the control-flow op must feed."""
        return [(outer, inner) for outer, inner in self.captures.items() if issubclass(inner.op.op, Placeholder)]

    def side_effect_ops(self):
        """The operations that must run whenever the body runs, even if no output needs them: prints,
        assignments, groups, nested control flow, random draws — every graph-only op that does more than read.
        (TF2's functional ``If``/``While`` behave the same way.) Call it before any gradient is added here."""
        return [op for op in self.get_operations() if issubclass(op.op, GraphOp) and not issubclass(op.op, _READ_ONLY)]

    def output_tensor(self, value, dtype=None):
        """``value`` (a tensor of this or an enclosing graph, or a Python/numpy value, converted to ``dtype`` if
        given) as a tensor of this graph."""
        with self.as_default():
            if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
                return self.capture(convert_to_tensor(value))
            return convert_to_tensor(value, dtype=dtype)


def build_func_graph(name, outer_graph, python_func, arg_specs=(), arg_structure=None, lift_control_inputs=False):
    """Run ``python_func`` with this FuncGraph as the default graph and return the graph.

    ``arg_specs``: ``(shape, dtype)`` of each argument placeholder, flattened; ``arg_structure``: the nest
    (``pack``) the placeholders are passed as, one positional argument per top-level element.
    ``fg.structured_outputs`` keeps the raw result; the caller converts and checks it (``output_tensor``).
    ``lift_control_inputs``: a control-flow body, whose dependencies on outer ops go to ``outer_control_inputs``.
    """
    fg = FuncGraph(name, outer_graph)
    if lift_control_inputs:
        fg.outer_control_inputs = []
    with fg.as_default():
        fg.inputs = [fg.make_placeholder(shape, dtype, f"arg{i}") for i, (shape, dtype) in enumerate(arg_specs)]
        args = pack(arg_structure, fg.inputs) if arg_structure is not None else ()
        fg.structured_outputs = python_func(*args)
    return fg


# --------------------------------------------------------------------------------------------- nests
# A *nest* is a value built of lists, tuples, namedtuples and dicts whose leaves are anything else (tensors,
# numbers). Control flow passes nests in and out of bodies: ``flatten`` lists the leaves in a fixed order (dict
# keys sorted, like tf.nest), ``pack`` rebuilds a nest of the same structure from such a list.

def is_sequence(x):
    return isinstance(x, (list, tuple, dict)) and not isinstance(x, TensorShape)


def _children(x):
    return [x[k] for k in sorted(x)] if isinstance(x, dict) else list(x)


def flatten(nest):
    """The leaves of ``nest`` in order (a non-sequence is its own single leaf)."""
    if not is_sequence(nest):
        return [nest]
    leaves = []
    for child in _children(nest):
        leaves.extend(flatten(child))
    return leaves


def pack(structure, flat):
    """A nest shaped like ``structure`` whose leaves are taken, in order, from the list ``flat``."""
    leaves = iter(flat)

    def build(s):
        if not is_sequence(s):
            return next(leaves)
        if isinstance(s, dict):
            values = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, values[k]) for k in s)
        items = [build(c) for c in s]
        return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
    return build(structure)


def flatten_up_to(structure, nest):
    """``nest`` flattened only as deep as ``structure`` goes: its values at the leaf positions of ``structure``
    (e.g. one shape per loop variable, where a shape is itself a list)."""
    if not is_sequence(structure):
        return [nest]
    if not is_sequence(nest) or len(nest) != len(structure):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{structure}\n\nSecond structure: {nest}")
    leaves = []
    for s, n in zip(_children(structure), _children(nest)):
        leaves.extend(flatten_up_to(s, n))
    return leaves


def check_same_structure(a, b, check_types=True):
    """Raise unless nests ``a`` and ``b`` have the same nesting (``tf.nest.assert_same_structure``'s walk).

    A ValueError where one is a sequence and the other not, where lengths differ or two dicts have different keys;
    with ``check_types``, a TypeError where two sequences are of different types — except that any two lists, any
    two dicts and two namedtuples of the same name and fields count as alike (as TF counts them)."""
    if is_sequence(a) != is_sequence(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: {a!r}\n\n"
                         f"Second structure: {b!r}")
    if not is_sequence(a):
        return
    if check_types and not _alike_types(a, b):
        raise TypeError(f"The two structures don't have the same sequence type. First structure {a!r} has type "
                        f"{type(a).__name__}, while second structure {b!r} has type {type(b).__name__}")
    if isinstance(a, dict) != isinstance(b, dict):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} is a "
                         f"{type(a).__name__}, {b!r} a {type(b).__name__}")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two dictionaries don't have the same set of keys. First structure has keys "
                         f"{sorted(a)}, while second structure has keys {sorted(b)}")
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same sequence length. First structure {a!r} has length "
                         f"{len(a)}, while second structure {b!r} has length {len(b)}")
    for x, y in zip(_children(a), _children(b)):
        check_same_structure(x, y, check_types)


def _alike_types(a, b):
    if type(a) is type(b) or isinstance(a, list) and isinstance(b, list) or \
            isinstance(a, dict) and isinstance(b, dict):
        return True
    named = [getattr(type(s), "_fields", None) for s in (a, b)]  # namedtuples are told apart by name and fields
    return None not in named and named[0] == named[1] and type(a).__name__ == type(b).__name__


def same_structure(a, b):
    """Do nests ``a`` and ``b`` have the same nesting (lists and tuples count as alike; dicts need the same keys)?"""
    try:
        check_same_structure(a, b, check_types=False)
    except ValueError:
        return False
    return True
