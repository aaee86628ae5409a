"""The static graph: ``Graph`` owns ``Operation``s; a symbolic ``Tensor`` is one output of one operation.

Nothing here computes. Building ``c = a * b`` adds an ``Operation`` to the default graph whose op is the same
``Mul`` the eager mode runs, with statically inferred output shapes; a ``Session`` executes it later.
"""
import contextlib
import operator
import os
import re
import sys
import threading

from ..backend import dtypes
from ..ops.base import UnknownRankError
from .dtypes import as_dtype

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Dimension(int):
    """A known dim of a ``TensorShape``: an int that also answers TF1's ``.value`` (``x.get_shape()[-1].value``,
    the usual way to read a layer's input size). An unknown dim is None, as ``tf.compat.dimension_value`` gives.

    Only a non-negative integer makes one, as in TF: ``int(2.5)`` would truncate silently, and -1 means "unknown"
    only to ``reshape``, not in a shape (None does)."""

    def __new__(cls, value):
        try:
            value = operator.index(value)  # ints and numpy integers; not floats, not strings
        except TypeError:
            if value is None:  # (an unknown dim is None itself in minidl's shapes: README, "Limits worth knowing")
                raise TypeError("an unknown dimension is None itself here, not a Dimension: read dims with "
                                "tf.compat.dimension_value(d) or shape.as_list()") from None
            raise TypeError(f"Dimension value must be an integer or have an __index__ method, got value "
                            f"{value!r} with type {type(value)!r}") from None
        if value < 0:
            raise ValueError(f"Dimension {value} must be >= 0")
        return super().__new__(cls, value)

    @property
    def value(self):
        return int(self)


def rank_error(*tensors):
    """The exception class for a failed rank check of ``tensors``: ``UnknownRankError`` where a rank is unknown (so
    the call can still be built when the graph runs), else ValueError."""
    return ValueError if all(t.shape.rank_known for t in tensors) else UnknownRankError


class TensorShape(tuple):
    """A static shape whose dims may be None (unknown until run time); prints like TF: ``(?, 784)``.

    An unknown *rank* (``placeholder(tf.float32)`` with no shape) is ``TensorShape(None)``: it says it contains
    None (so "is the shape fully known?" answers no) and refuses ``len``.
    """

    def __new__(cls, dims):
        if dims is not None and not hasattr(dims, "__iter__"):  # one number is a 1-D shape: shape=(batch_size) in
            dims = (dims,)                                         # TF1's tutorials is the int batch_size
        if isinstance(dims, TensorShape) and not dims.rank_known:  # (it iterates as no dims at all)
            dims = None
        shape = super().__new__(cls, () if dims is None else tuple(
            d if d is None or d.__class__ is Dimension else Dimension(d) for d in dims))
        shape.rank_known = dims is not None
        return shape

    @property
    def ndims(self):
        return len(self) if self.rank_known else None

    rank = ndims

    @property
    def dims(self):
        return tuple(self) if self.rank_known else None

    def __len__(self):
        if not self.rank_known:
            raise UnknownRankError("Cannot take the length of a shape with unknown rank.")
        return tuple.__len__(self)

    def __contains__(self, item):
        return (item is None and not self.rank_known) or tuple.__contains__(self, item)

    def __getitem__(self, key):
        """A dim (``Dimension`` or None), or for a slice a ``TensorShape`` (``shape[1:].num_elements()``). Of a shape
        of unknown rank, any dim is unknown (None) and any slice is a shape of unknown rank, as in TF."""
        if isinstance(key, slice):
            return TensorShape(tuple.__getitem__(self, key) if self.rank_known else None)
        return tuple.__getitem__(self, key) if self.rank_known else None

    def as_list(self):
        if not self.rank_known:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return [None if d is None else int(d) for d in self]

    def is_fully_defined(self):
        return self.rank_known and None not in tuple(self)

    def is_compatible_with(self, other):
        other = other if isinstance(other, TensorShape) else TensorShape(other)
        if not (self.rank_known and other.rank_known):
            return True
        return len(self) == len(other) and all(a is None or b is None or a == b for a, b in zip(self, other))

    def merge_with(self, other):
        """The shape known from both (which must be compatible): each dim from whichever knows it (TF's
        ``merge_with``)."""
        other = other if isinstance(other, TensorShape) else TensorShape(other)
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        if not other.rank_known:
            return self
        if not self.rank_known:
            return other
        return TensorShape([a if a is not None else b for a, b in zip(self, other)])

    def concatenate(self, other):
        """This shape's dims followed by ``other``'s (unknown if either rank is)."""
        other = other if isinstance(other, TensorShape) else TensorShape(other)
        if not (self.rank_known and other.rank_known):
            return TensorShape(None)
        return TensorShape(tuple(self) + tuple(other))

    def with_rank(self, rank):
        """This shape, known to have ``rank`` dims (an unknown rank becomes that many unknown dims)."""
        if not self.rank_known:
            return TensorShape([None] * rank)
        if len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank):
        if self.rank_known and len(self) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def assert_has_rank(self, rank):
        if self.rank_known and len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other) if not isinstance(other, TensorShape) else other} "
                             f"are incompatible")

    def assert_is_fully_defined(self):
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        if not self.rank_known:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self)
        return f"({inner}{',' if len(self) == 1 else ''})"

    __str__ = __repr__

    def __eq__(self, other):
        if isinstance(other, TensorShape) and not (self.rank_known and other.rank_known):
            return self.rank_known == other.rank_known
        return tuple.__eq__(self, tuple(other) if isinstance(other, (list, tuple)) else other)

    def __hash__(self):
        return tuple.__hash__(self)


def as_spec_shape(shape):
    """A TensorShape as the op library's ``infer`` wants it: a tuple, or None for an unknown rank."""
    return tuple(shape) if shape.rank_known else None


class SourceSite:
    """Where in the user's code something was created (the first frame outside the minidl package)."""
    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename, lineno, function):
        self.filename, self.lineno, self.function = filename, lineno, function

    @classmethod
    def of_caller(cls):
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame = frame.f_back
        if frame is None:
            return None
        return cls(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)

    def describe(self):
        import linecache
        line = linecache.getline(self.filename, self.lineno).strip()
        return f'  File "{self.filename}", line {self.lineno}, in {self.function}' + (f"\n    {line}" if line else "")

    def __repr__(self):
        return f"{os.path.basename(self.filename)}:{self.lineno}"


class Tensor:
    """A symbolic value: output ``value_index`` of ``op``. It holds no numbers; ``Session.run`` computes them."""

    # numpy must hand ``np.float32(2) * t`` to us rather than absorb t into an array: an operand of higher priority
    # and no __array_ufunc__ makes numpy's operators give way. (``__array_ufunc__ = None`` would too, but then
    # ``np.sum(t)`` stops at numpy's "does not support ufuncs" before it could ask ``__array__``.)
    __array_priority__ = 100

    def __array__(self, dtype=None, copy=None):
        # np.mean(t), np.array(t): a symbolic tensor holds no numbers (sess.run(t) computes them)
        raise NotImplementedError(f"Cannot convert a symbolic Tensor ({self.name}) to a numpy array.")

    def __init__(self, op, value_index, shape, dtype):
        self.op = op
        self.value_index = value_index
        self._shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self.dtype = as_dtype(dtype)  # a tf.DType, which the op library can read as a numpy dtype (dtypes.py)

    # the pieces the op library and autodiff read
    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        if not self._shape.rank_known:
            raise UnknownRankError(f"the rank of {self.name} is unknown; give its placeholder a shape")
        return len(self._shape)

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refine the static shape (e.g. after a reshape the graph could not infer)."""
        shape = TensorShape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Shapes {self._shape} and {shape} are incompatible")
        if not self._shape.rank_known:
            self._shape = shape
        elif shape.rank_known:
            self._shape = TensorShape([a if a is not None else b for a, b in zip(self._shape, shape)])

    @property
    def name(self):
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self):
        return self.op.graph

    @property
    def device(self):
        return self.op.device

    def consumers(self):
        """The operations that take this tensor as an input."""
        return [op for op in self.graph.get_operations() if any(t is self for t in op.inputs)]

    def eval(self, feed_dict=None, session=None):
        from .session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                             "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        return session.run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self.dtype.name}>"

    def __str__(self):  # what print(t) shows in TF1 (the shape is left out when even the rank is unknown)
        shape = f", shape={self._shape}" if self._shape.rank_known else ""
        return f'Tensor("{self.name}"{shape}, dtype={self.dtype.name})'

    def __hash__(self):
        return id(self)

    def __bool__(self):
        raise TypeError(f"Using a graph Tensor ({self.name}) as a Python bool is not allowed: its value is only "
                        "known when a Session runs it. Use tf.cond for data-dependent branches.")

    def __iter__(self):
        raise TypeError(f"Tensor {self.name} is not iterable in graph mode; use tf.unstack")

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors ({self.name}); use tf.shape")


#: op-library op name (PyTorch's grad_fn stem) -> TF1's op type, where they differ
TF_OP_TYPES = {"Mm": "MatMul", "View": "Reshape", "Permute": "Transpose", "Cat": "ConcatV2", "Stack": "Pack",
               "Argmax": "ArgMax", "Argmin": "ArgMin", "ToCopy": "Cast", "Amax": "Max", "Amin": "Min",
               "Unsqueeze": "ExpandDims", "Slice": "StridedSlice", "Where": "SelectV2", "Eq": "Equal",
               "Ne": "NotEqual", "Lt": "Less", "Le": "LessEqual", "Gt": "Greater", "Ge": "GreaterEqual",
               "Expand": "BroadcastTo", "Repeat": "Tile", "ConstantPadNd": "Pad", "Flip": "ReverseV2",
               "Topk": "TopKV2", "Div": "RealDiv", "Convolution": "Conv2D", "Logsumexp": "ReduceLogSumExp",
               "ConvolutionTranspose": "Conv2DBackpropInput", "MaxPool2DWithIndices": "MaxPoolWithArgmax",
               "Index": "GatherV2", "Embedding": "GatherV2"}


def merged_device(outer, inner):
    """TF1's spelling of the device of an op made under ``tf.device(inner)`` inside ``tf.device(outer)``: "/cpu:0"
    and "/device:CPU:0" both read "/device:CPU:0", and the inner name's fields replace the outer's (a job or task
    set outside is kept)."""
    fields = {}
    for spec in (outer, inner):
        for part in filter(None, str(spec).split("/")):
            key, _, value = part.partition(":")
            key = key.lower()
            if key in ("cpu", "gpu"):
                fields["device"] = f"{key.upper()}:{value or '*'}"
            elif key == "device":
                kind, _, index = value.partition(":")
                fields["device"] = f"{kind.upper()}:{index or '*'}"
            else:
                fields[key] = value
    return "".join(f"/{key}:{fields[key]}" for key in ("job", "replica", "task", "device") if key in fields)


class Operation:
    """A node of the graph: an op (from the shared library, or a graph-only op such as a placeholder) applied to
    input tensors, with attributes, producing output tensors.

    It is also the ``ctx`` a VJP receives in graph mode: ``ctx.inputs``, ``ctx.outputs``, ``ctx.attrs`` and
    ``ctx.needs_input_grad`` are symbolic, so the VJP adds gradient nodes to the graph.
    """

    def __init__(self, graph, op, inputs, attrs, name, output_specs, control_inputs=(), defined_at=None,
                 gradient_override=None):
        self.graph = graph
        self.op = op
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.name = name
        self.control_inputs = tuple(control_inputs)
        self.defined_at = defined_at
        device = graph._device_stack[-1] if graph._device_stack else ""
        self.device = ""
        self.outputs = tuple(Tensor(self, i, shape, dtype) for i, (shape, dtype) in enumerate(output_specs))
        # the name of a gradient function registered with tf.RegisterGradient that replaces the op's own VJP (made
        # in a gradient_override_map block); it makes every float input differentiable, as TF's registry does
        self.gradient_override = gradient_override
        grad_inputs = op.differentiable_inputs if gradient_override is None else None
        differentiable = op.differentiable or gradient_override is not None
        self.input_keys = tuple(
            (t.op, t.value_index) if differentiable and dtypes.is_differentiable(t.dtype)
            and (grad_inputs is None or i in grad_inputs) else None
            for i, t in enumerate(self.inputs))
        self.needs_input_grad = tuple(k is not None for k in self.input_keys)
        # a device function (``tf.device(assign_to_device(...))``) picks each op's device as the op is made, as in TF1
        self.device = merged_device("", str(device(self) or "")) if callable(device) else device

    @property
    def node_def(self):
        """This operation as TF1's ``NodeDef`` — name, op type, inputs, device — which device functions read."""
        from .graph_def import NodeDef
        return NodeDef({"name": self.name, "inputs": [t.name for t in self.inputs],
                        "control_inputs": [op.name for op in self.control_inputs], "device": self.device}, self.type)

    @property
    def type(self):
        """The op type TF1 gives this operation (``MatMul``, ``Reshape``, ``ConcatV2`` ...): the op library names
        its ops as PyTorch's grad_fn does, and ``TF_OP_TYPES`` translates those whose TF names differ."""
        return TF_OP_TYPES.get(self.op.name, self.op.name)

    @property
    def n_outputs(self):
        return len(self.outputs)

    def get_attr(self, name):
        """An attribute: the op's own (``attrs``), or one TF gives every op of a kind — ``T`` (the element type),
        ``dtype`` and ``shape`` (what a placeholder, constant or variable makes), ``SrcT``/``DstT`` (a cast's). Any
        other name is TF's ValueError."""
        if name in self.attrs:
            return self.attrs[name]
        first_input, first_output = self.inputs[:1], self.outputs[:1]
        derived = {"T": (first_input or first_output, "dtype"), "dtype": (first_output, "dtype"),
                   "DstT": (first_output, "dtype"), "SrcT": (first_input, "dtype"), "shape": (first_output, "shape")}
        tensors, attribute = derived.get(name, ((), None))
        if not tensors:
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.")
        return getattr(tensors[0], attribute)

    def values(self):
        """The operation's outputs (TF's old name for them)."""
        return self.outputs

    def run(self, feed_dict=None, session=None):
        from .session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Cannot execute operation using `run()`: No default session is registered.")
        session.run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


class GraphKeys:
    """Standard collection names."""
    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    MODEL_VARIABLES = "model_variables"
    WEIGHTS = "weights"            # filled by the program (tf.contrib.layers.apply_regularization reads it)
    BIASES = "biases"
    ACTIVATIONS = "activations"
    METRIC_VARIABLES = "metric_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    SUMMARIES = "summaries"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"
    SAVERS = "savers"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    SUMMARY_OP = "summary_op"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"  # the lookup tables' initializers (tf.tables_initializer groups them)
    VARIABLES = GLOBAL_VARIABLES  # (TF's deprecated old name, which early tutorials use)
    # the other names TF 1.15 defines, which minidl fills only where a program adds to them
    RESOURCES, LOCAL_RESOURCES = "resources", "local_resources"
    TRAINABLE_RESOURCE_VARIABLES, CONCATENATED_VARIABLES = "trainable_resource_variables", "concatenated_variables"
    SAVEABLE_OBJECTS, ASSET_FILEPATHS = "saveable_objects", "asset_filepaths"
    READY_FOR_LOCAL_INIT_OP, EVAL_STEP = "ready_for_local_init_op", "eval_step"
    COND_CONTEXT, WHILE_CONTEXT = "cond_context", "while_context"


class Graph:
    """A collection of operations, with TF1's naming, scopes, collections and control dependencies."""

    def __init__(self):
        self._operations = {}        # name -> Operation, in creation order
        self._names_in_use = {}      # lower-case name -> count, for unique names
        self._name_stack = ""
        self._collections = {}
        self._control_stack = []     # lists of operations every new op must run after
        self._device_stack = []
        self._gradient_overrides = []  # dicts op type -> registered gradient name (gradient_override_map)
        self._variable_scope_stack = []
        self._variable_store = {}    # full name -> Variable, for get_variable sharing
        self.seed = None
        self._seed_counter = 0
        self._finalized = False
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------------- default graph
    @contextlib.contextmanager
    def as_default(self):
        """Make this the default graph inside the block; the previous one is restored on exit, always."""
        _default_graph_stack.append(self)
        try:
            yield self
        finally:
            _default_graph_stack.pop()

    # --------------------------------------------------------------------------------------------- names
    def unique_name(self, name, mark_as_used=True):
        """``name`` inside the current name scope, suffixed ``_1``, ``_2`` ... if already taken."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while f"{base}_{count}" in self._names_in_use:
                count += 1
            if mark_as_used:
                self._names_in_use[f"{base}_{count}"] = 1
            name = f"{name}_{count}"
        return name

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefix the names of ops created inside with ``name/``. A name ending in "/" re-enters that scope."""
        previous = self._name_stack
        if name is None or name == "":
            self._name_stack = ""
        elif name.endswith("/"):
            self._name_stack = name[:-1]
        else:
            _check_name(name, nested=bool(self._name_stack))
            self._name_stack = self.unique_name(name)
        try:
            yield self._name_stack + "/" if self._name_stack else ""
        finally:
            self._name_stack = previous

    # ----------------------------------------------------------------------------------------- building
    def create_op(self, op, inputs, attrs, output_specs, name=None, defined_at=None, unique=True):
        """Add an operation running ``op`` (an ``ops.Op`` class) to this graph and return it.

        With ``unique=False`` the name is used as given (a full name, e.g. a variable's), and must be free; so is a
        name that ends in "/" (a name scope's, TF's rule), less the "/".
        """
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        for t in inputs:
            if t.graph is not self:
                here = [u.name for u in inputs if u.graph is self]
                elsewhere = [u.name for u in inputs if u.graph is not self]
                raise ValueError(f"Tensor {t.name} must be from the same graph as the op being created "
                                 f"({name or op.name}): its inputs come from different graphs "
                                 f"({', '.join(here) or 'none'} in one, {', '.join(elsewhere)} in another). A "
                                 f"tensor made in one graph cannot be used in another: was it made outside the "
                                 f"function that builds this graph (an Estimator's input_fn or model_fn), or "
                                 f"before a with tf.Graph().as_default() block?")
        if unique and name and name.endswith("/"):
            # a name scope's own name (``with tf.name_scope("accuracy") as scope: ... name=scope``): TF names the op
            # after the scope, as it is
            name, unique = name[:-1], False
        with self._lock:
            if unique:
                full_name = self.unique_name(name or op.name)
            elif name in self._operations:
                raise ValueError(f"an operation named '{name}' already exists in the graph")
            else:
                full_name = name
                self._names_in_use.setdefault(name.lower(), 1)
            control = [c for deps in self._control_stack for c in deps]
            op_type = TF_OP_TYPES.get(op.name, op.name)
            override = next((m[op_type] for m in reversed(self._gradient_overrides) if op_type in m), None)
            operation = Operation(self, op, inputs, attrs, full_name, output_specs, control,
                                  defined_at or SourceSite.of_caller(), override)
            self._operations[full_name] = operation
        return operation

    def operation_count(self):
        return len(self._operations)

    def remove_operations_since(self, count):
        """Remove the operations created after the first ``count`` (a call that failed part-way and is built
        another way instead; nothing else refers to them)."""
        for name in list(self._operations)[count:]:
            del self._operations[name]

    def rename_operation(self, operation, name):
        """Give ``operation`` the (free) ``name`` — TF-named wrappers use it so the op they return carries the
        ``name=`` the user asked for, even when it was built inside that name's scope."""
        if name in self._operations:
            raise ValueError(f"an operation named '{name}' already exists in the graph")
        del self._operations[operation.name]
        operation.name = name
        self._operations[name] = operation

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after ``control_inputs`` (ops or tensors) have run. None clears them."""
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        ops_ = [c.op if isinstance(c, Tensor) else _as_operation(c) for c in control_inputs]
        self._control_stack.append(ops_)
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Ops of a type in ``op_type_map`` created inside take their gradient from the function registered (with
        ``tf.RegisterGradient``) under the name it maps to: ``{"Relu": "GuidedRelu"}``; see gradient_registry.py."""
        if not isinstance(op_type_map, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in op_type_map.items()):
            raise TypeError(f"gradient_override_map expects a dict of op type strings to gradient names, got "
                            f"{op_type_map!r}")
        self._gradient_overrides.append(dict(op_type_map))
        try:
            yield
        finally:
            self._gradient_overrides.pop()

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """The device of the ops made inside: a name merged into the enclosing scope's (``None`` clears it), or a
        function called for each op."""
        outer = self._device_stack[-1] if self._device_stack else ""
        if device_name_or_function is None or callable(device_name_or_function):
            device = device_name_or_function or ""
        else:
            device = merged_device(outer if isinstance(outer, str) else "", device_name_or_function)
        self._device_stack.append(device)
        try:
            yield
        finally:
            self._device_stack.pop()

    def finalize(self):
        self._finalized = True

    def _unsafe_unfinalize(self):
        """Undo ``finalize()``: for a ``MonitoredSession`` that finalized the graph only while it was open."""
        self._finalized = False

    @property
    def finalized(self):
        return self._finalized

    def as_graph_def(self, from_version=None, add_shapes=False):
        """The operations as a ``GraphDef`` (``graph_def.py``): data to write, cut down, freeze or import."""
        from .graph_def import GraphDef  # (it builds on this module)
        return GraphDef._of_graph(self)

    # ---------------------------------------------------------------------------------------- looking up
    def get_operations(self):
        return list(self._operations.values())

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings, got {type(name).__name__}")
        if ":" in name:
            raise ValueError(f"Name '{name}' appears to refer to a Tensor, not an Operation.")
        try:
            return self._operations[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name):
        if not isinstance(name, str) or ":" not in name:
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a Tensor. Tensor names "
                             "must be of the form \"<op_name>:<output_index>\".")
        op_name, _, index = name.rpartition(":")
        op = self._operations.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', does not exist in the graph.")
        if not index.isdigit() or int(index) >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', exists but only has {len(op.outputs)} outputs.")
        return op.outputs[int(index)]

    def as_graph_element(self, obj):
        """Resolve a fetch: a Tensor, Operation, Variable or a name string."""
        if isinstance(obj, str):
            return self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        fetch = getattr(obj, "_as_graph_element", None)
        if fetch is not None:
            obj = fetch()
        if isinstance(obj, (Tensor, Operation)):
            if obj.graph is not self:
                raise ValueError(f"Fetch argument {obj!r} is not an element of this graph.")
            return obj
        raise TypeError(f"Fetch argument {obj!r} has invalid type {type(obj).__name__}, must be a string or "
                        "Tensor. (Can not convert a " + type(obj).__name__ + " into a Tensor or Operation.)")

    # --------------------------------------------------------------------------------------- collections
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        for name in ([names] if isinstance(names, str) else names):
            self.add_to_collection(name, value)

    def get_collection(self, name, scope=None):
        items = list(self._collections.get(name, []))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [v for v in items if pattern.match(getattr(v, "name", "") or "")]

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def clear_collection(self, name):
        self._collections.pop(name, None)

    def get_all_collection_keys(self):
        return list(self._collections)

    # --------------------------------------------------------------------------------------------- seeds
    def next_op_seed(self, op_seed=None):
        """The (graph seed, op seed) pair of a random op, as TF derives them: reproducible per graph."""
        if self.seed is None and op_seed is None:
            return None, None
        if op_seed is None:
            self._seed_counter += 1
            op_seed = self._seed_counter
        return (self.seed if self.seed is not None else 87654321), op_seed


_NAME_PATTERN = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_NESTED_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


def _check_name(name, nested=False):
    """TF's rule: a scope's name may start with ``_``, ``-`` or ``/`` only inside another scope (the full name of
    an op made in it still starts with a letter, digit or dot)."""
    if not (_NESTED_NAME_PATTERN if nested else _NAME_PATTERN).match(name):
        raise ValueError(f"'{name}' is not a valid scope name")


def _as_operation(x):
    if isinstance(x, Operation):
        return x
    op = getattr(x, "op", None)
    if isinstance(op, Operation):
        return op
    raise TypeError(f"Can not convert a {type(x).__name__} into an Operation")


# ------------------------------------------------------------------------------------------ default graph

_global_default_graph = Graph()
_default_graph_stack = []


def get_default_graph():
    return _default_graph_stack[-1] if _default_graph_stack else _global_default_graph


def reset_default_graph():
    """Start a fresh global default graph (not allowed inside a ``with g.as_default()`` block)."""
    global _global_default_graph
    if _default_graph_stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    _global_default_graph = Graph()


def get_collection(key, scope=None):
    """The default graph's collection ``key`` (optionally only names matching ``scope``)."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)
