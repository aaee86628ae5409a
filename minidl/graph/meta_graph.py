"""``tf.train.export_meta_graph`` / ``import_meta_graph``: a graph saved to a file and rebuilt from it, so that
another program can run a trained model without the code that built it::

    saver.save(sess, "ckpt/model")                 # ckpt/model.minidl (the values) and ckpt/model.meta (the graph)

    # later, in another program
    saver = tf.train.import_meta_graph("ckpt/model.meta")
    with tf.Session() as sess:
        saver.restore(sess, "ckpt/model")
        logits = tf.get_default_graph().get_tensor_by_name("logits:0")
        print(sess.run(logits, {"x:0": images}))

A graph is a list of operations in the order they were made, each an op of the shared library applied to the
outputs of earlier ones with some attributes (a stride, a dtype, a constant's value). That is data, so the file
is data too: minidl's array file (``minidl.io``, no pickle), whose JSON header lists per operation its op (by
class name), name, inputs and control inputs (by name), attributes and output shapes/dtypes, and whose arrays
are the constants' values. The collections (GLOBAL_VARIABLES, TRAINABLE_VARIABLES, UPDATE_OPS, a program's own
``tf.add_to_collection("logits", logits)``) are kept by the names of their tensors and operations, and each
variable by the names of its initializer, initial value and ``read`` snapshot, as TF1's ``VariableDef`` does.

**Loading never executes code from the file**: an op class is looked up by name among the op classes minidl has
already defined (the subclasses of ``ops.Op``), never imported or built from the file, and attributes are only
numbers, strings, dtypes, shapes, slices, arrays and references to operations/tensors of the same file.

The bodies of ``tf.cond`` and ``tf.while_loop`` are graphs of their own (``FuncGraph``s), which the Python
functions given to them built; the file keeps the graphs, not the functions, so a loop (``dynamic_rnn``) or a
branch (``batch_normalization(training=placeholder)``) comes back, gradients included.

**Python code is not saved.** Operations that keep Python code or Python objects to call at run time —
``tf.data`` iterators (a dataset's ``map`` runs Python), ``tf.py_func``, ``tf.custom_gradient``, and whatever
refers to them — are written as **stand-ins** (``NotSaved``) with the same outputs, and a warning lists them. In
the imported graph their outputs are fed (``feed_dict={"IteratorGetNext:0": images}``, or ``input_map``), which
is how an imported training graph is used for predictions; running a stand-in is an error saying so.
Collection items that are neither graph elements nor plain values (a ``Saver`` in SAVERS) are left out, as is
TF1's text format (``as_text`` is accepted and ignored).
"""
import math
import os

from ..io import attribute_codec, check_kind, read_arrays, write_arrays
from ..ops.base import Spec
from ..ops.registry import op_class, op_class_key, op_classes
from . import dtypes, errors
from .compat import logging
from .control_flow import BodyRun
from .core import (TF_OP_TYPES, Dimension, GraphKeys, Operation, Tensor, TensorShape, as_spec_shape,
                   get_default_graph)
from .function_graph import FuncGraph
from .graph_ops import GraphOp
from .variables import Variable, VariableV2

__all__ = ["export_meta_graph", "import_meta_graph"]

_KIND = "tf-meta-graph"
_warned_about_stand_ins = False
_VERSION = 1


class NotExportableError(ValueError):
    """The graph holds something a meta graph file cannot describe (see the module docstring)."""


class NotSaved(GraphOp):
    """In an imported graph, the stand-in for an operation that ran Python code (attr ``type``: its op type;
    ``reason``: what could not be saved). It has the operation's outputs, so a program can feed them (or map them
    with ``import_meta_graph(input_map=...)``); running it is an error that says so."""

    @staticmethod
    def execute(session, operation, arrays):
        outputs = ", ".join(t.name for t in operation.outputs)
        raise errors.InvalidArgumentError(
            None, operation, f"'{operation.name}' ({operation.attrs['type']}) was imported from a meta graph, which "
                             f"does not hold the Python code it ran ({operation.attrs['reason']}): feed {outputs} "
                             f"instead, or give import_meta_graph an input_map for them")


# =============================================================================================== export

def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                      as_text=False, graph=None, export_scope=None, clear_devices=False,
                      clear_extraneous_savers=False, strip_default_attrs=False, save_debug_info=False):
    """Describe ``graph`` (default: the default graph) and, with ``filename``, write it there. Returns the
    description (a dict: the file's JSON header, plus the constants' arrays under ``"arrays"``).
    ``collection_list`` limits the collections kept (default: all). ``export_scope`` keeps only the operations
    under that name scope, with the scope taken off their names. ``saver_def`` (what ``Saver.save`` passes:
    ``{name in the checkpoint: variable name}``) says which variables the checkpoints beside the file hold, for
    the Saver that ``import_meta_graph`` returns."""
    graph = graph or get_default_graph()
    if saver_def is not None and not isinstance(saver_def, dict):
        raise TypeError(f"export_meta_graph: saver_def must be a dict {{name in the checkpoint: variable name}}, "
                        f"got {type(saver_def).__name__}")
    exporter = _Exporter(graph, export_scope, clear_devices)
    description = exporter.describe(collection_list)
    global _warned_about_stand_ins
    if exporter.stand_ins and not _warned_about_stand_ins:  # once per program: every checkpoint writes a .meta
        _warned_about_stand_ins = True
        logging.warning("export_meta_graph: %d operation(s) run Python code, which a meta graph does not hold; the "
                        "imported graph has stand-ins whose outputs must be fed: %s", len(exporter.stand_ins),
                        ", ".join(exporter.stand_ins))
    if saver_def is not None:
        description["saver"] = {key: exporter.strip_scope(name) for key, name in saver_def.items()
                                if name.startswith(exporter.prefix)}
    if filename is not None:
        write_arrays(os.fspath(filename), exporter.arrays, description)
    return dict(description, arrays=exporter.arrays)


class _Exporter:
    """Describes a graph. The control-flow ops' bodies (``FuncGraph``s: a graph inside the graph) are described
    once each, when first met, in the list ``functions``; a reference to a tensor or operation names the graph
    it lives in when that is not the exported one."""

    def __init__(self, graph, scope, clear_devices):
        self.graph = graph
        self.prefix = f"{scope.rstrip('/')}/" if scope else ""
        self.clear_devices = clear_devices
        self.arrays = {}
        self.graph_ids = {graph: 0}
        self.functions = []
        self.stand_ins = []  # the names of the operations replaced by NotSaved
        self.stand_in_ops = set()  # (an operation that refers to one in an attribute needs the Python too)

    def describe(self, collection_list):
        operations = [op for op in self.graph.get_operations() if op.name.startswith(self.prefix)]
        kept = set(operations)
        entries = [self._operation(op, kept) for op in operations]
        keys = self.graph.get_all_collection_keys() if collection_list is None else collection_list
        collections = {}
        for key in keys:
            items = [self._collection_item(item, kept) for item in self.graph.get_collection(key)]
            items = [item for item in items if item is not None]
            if items:
                collections[str(key)] = items
        variables = [self._variable(op.outputs[0]) for op in operations
                     if op.outputs and isinstance(op.outputs[0], Variable)]
        return {"kind": _KIND, "version": _VERSION, "seed": self.graph.seed, "operations": entries,
                "functions": self.functions, "collections": collections, "variables": variables}

    def _collection_item(self, item, kept):
        """A collection's item as the file keeps it: a graph element by reference, a plain value (str, number)
        as it is; None for what the file leaves out (a Saver, an element outside the export scope)."""
        if isinstance(item, (Tensor, Operation)):
            inside = item.graph is self.graph and (item.op if isinstance(item, Tensor) else item) in kept
            return self._ref(item) if inside else None
        if isinstance(item, (str, bool, int, float)) and not (isinstance(item, float) and not math.isfinite(item)):
            return {"value": item}
        from .train.queue_runner import QueueRunner  # (train imports this module)
        if isinstance(item, QueueRunner):  # a queue-fed pipeline's threads: which ops they run, by name
            ops = [item.queue.queue_ref, *item.enqueue_ops, item.close_op, item.cancel_op]
            if not all(op.graph is self.graph and op in kept for op in ops):
                return None
            return {"queue_runner": {"queue": self._ref(ops[0]), "enqueue_ops": [self._ref(op) for op in ops[1:-2]],
                                     "close_op": self._ref(item.close_op), "cancel_op": self._ref(item.cancel_op),
                                     "closed_exceptions": [e.__name__ for e in item.queue_closed_exception_types]}}
        return None

    def strip_scope(self, name):
        return name[len(self.prefix):]

    def _name(self, item):
        """An operation's or tensor's name in the file (the export scope taken off in the exported graph)."""
        return self.strip_scope(item.name) if item.graph is self.graph else item.name

    def _ref(self, item):
        reference = {"tensor" if isinstance(item, Tensor) else "op": self._name(item)}
        if item.graph is not self.graph:
            reference["graph"] = self._graph_id(item.graph, item)
        return reference

    def _graph_id(self, graph, user):
        gid = self.graph_ids.get(graph)
        if gid is None:
            if not isinstance(graph, FuncGraph) or graph.outer_graph not in self.graph_ids:
                raise NotExportableError(f"export_meta_graph: '{user.name}' belongs to another graph")
            gid = self.graph_ids[graph] = len(self.graph_ids)
            description = {"id": gid, "name": graph.name, "outer": self.graph_ids[graph.outer_graph]}
            self.functions.append(description)
            operations = graph.get_operations()
            description["operations"] = [self._operation(op, set(operations)) for op in operations]
            description.update(
                inputs=[self._ref(t) for t in graph.inputs], outputs=[self._ref(t) for t in graph.outputs],
                captures=[[self._ref(outer), self._ref(inner)] for outer, inner in graph.captures.items()])
        return gid

    def _operation(self, op, kept):
        for t in op.inputs:
            if t.op not in kept:
                raise NotExportableError(f"export_meta_graph: operation '{op.name}' reads '{t.name}', which is "
                                         f"outside the export scope '{self.prefix}'")
        for t in op.outputs:
            if t.__class__ not in (Tensor, Variable):
                raise NotExportableError(f"export_meta_graph: operation '{op.name}' ({op.type}) outputs a "
                                         f"{type(t).__name__}, which a meta graph cannot describe")
        outputs = [[_encode_shape(t.shape), t.dtype.name] for t in op.outputs]
        device = "" if self.clear_devices else op.device
        try:
            entry = {"name": self._name(op), "op": _op_class_key(op),
                     "inputs": [self._name(t) for t in op.inputs],
                     "control_inputs": [self._name(c) for c in op.control_inputs],
                     "attrs": {key: self._attr(op, key, value) for key, value in op.attrs.items()},
                     "outputs": outputs, "device": device}
            if op.gradient_override is not None:  # the name only: the importing program registers the function
                entry["gradient_override"] = op.gradient_override
            return entry
        except NotExportableError as error:  # Python code: a stand-in with the same outputs, to be fed
            self.stand_ins.append(op.name)
            self.stand_in_ops.add(op)
            # (it keeps its inputs, so that cutting the graph down to what a fetch needs keeps them too)
            return {"name": self._name(op), "op": op_class_key(NotSaved), "inputs": [self._name(t) for t in op.inputs],
                    "control_inputs": [self._name(c) for c in op.control_inputs],
                    "attrs": {"type": op.type, "reason": str(error).removeprefix("export_meta_graph: ")},
                    "outputs": outputs, "device": device}

    def _attr(self, op, key, value):
        """The JSON form of one attribute value (``io/attribute_codec.py``, with graph mode's own types)."""
        try:
            return attribute_codec.encode(value, self.arrays, lambda v, again: self._graph_value(op, key, v, again),
                                          where=f"attribute '{key}' of operation '{op.name}' ({op.type})")
        except attribute_codec.NotEncodable as error:
            raise NotExportableError(f"export_meta_graph: {error}") from None

    def _graph_value(self, op, key, value, again):
        """The JSON form of graph mode's types (shapes, dims, TF dtypes, operations, bodies), or NotImplemented."""
        if value.__class__ is Dimension:
            return {"dim": int(value)}
        if isinstance(value, TensorShape):
            return {"shape": _encode_shape(value)}
        if isinstance(value, dtypes.DType):
            return {"dtype": value.name}
        if isinstance(value, (Tensor, Operation)):
            if (value.op if isinstance(value, Tensor) else value) in self.stand_in_ops:
                raise NotExportableError(f"attribute '{key}' of operation '{op.name}' refers to '{value.name}', "
                                         f"which runs Python code")
            return self._ref(value)
        if isinstance(value, FuncGraph):
            return {"graph": self._graph_id(value, op)}
        if isinstance(value, BodyRun):
            return {"body_run": {"feed_slots": [[self._ref(t), i] for t, i in value.feed_slots],
                                 "targets": [self._ref(t) for t in value.targets]}}
        return NotImplemented

    def _variable(self, v):
        return {"variable": self._name(v), "initializer": self._name(v.initializer),
                "initial_value": self._name(v.initial_value), "snapshot": self._name(v.value()),
                "trainable": v.trainable}


def _encode_shape(shape):
    return list(shape.as_list()) if shape.rank_known else None


def _op_class_key(operation):
    cls = operation.op
    key = op_class_key(cls)
    if op_class(op_classes(), key) is not cls:  # made on the fly (a class per call): no name finds it again
        raise NotExportableError(f"export_meta_graph: the op of '{operation.name}' ({key}) is not a class minidl "
                                 "defines once, so a meta graph file cannot name it")
    return key


# =============================================================================================== import

def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, input_map=None,
                      return_elements=None, unbound_inputs_col_name="unbound_inputs",
                      restore_collections_predicate=lambda key: True):
    """Rebuild the operations and collections described by ``meta_graph_or_file`` (a file written by
    ``export_meta_graph``/``Saver.save``, or the description it returned) in the default graph, under the name
    scope ``import_scope`` if given. ``input_map`` ({tensor name in the file: tensor}) makes the imported
    operations read the given tensors instead (a new input pipeline in place of a placeholder, say);
    ``restore_collections_predicate(key)`` picks the collections restored. Returns a ``Saver`` of the variables
    the saving Saver held (by their names in the checkpoint, so it restores the checkpoints saved with the graph;
    the file's global variables when it was written otherwise), or None when there are none.
    (``return_elements``, which TF1's ``import_meta_graph`` takes and does not return, is accepted.)"""
    if isinstance(meta_graph_or_file, dict):
        description, arrays = meta_graph_or_file, meta_graph_or_file.get("arrays", {})
    else:
        path = os.fspath(meta_graph_or_file)
        if not os.path.exists(path):
            raise OSError(f"File {path} does not exist.")
        arrays, description = read_arrays(path)
    check_kind(description, _KIND, _VERSION, f"import_meta_graph: {meta_graph_or_file!r}", "meta graph")
    importer = _Importer(get_default_graph(), arrays, import_scope, clear_devices, _input_map(input_map))
    try:
        variables = importer.build(description, restore_collections_predicate)
    except (KeyError, IndexError, TypeError, AttributeError, RecursionError) as error:
        raise ValueError(f"import_meta_graph: the meta graph is damaged ({type(error).__name__}: {error})") from None
    saved = description.get("saver")
    if saved is None:  # written without a Saver: the global variables, as TF1's fallback
        names = {variable.op.name for variable in importer.graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        saved = {name: name for name, v in variables.items() if v.op.name in names}
    if not isinstance(saved, dict) or not all(name in variables for name in saved.values()):
        raise ValueError("import_meta_graph: the meta graph's saver names variables the file does not define")
    if not saved:
        return None
    from .train.saver import Saver
    return Saver({key: variables[name] for key, name in saved.items()})


def _input_map(input_map):
    """``input_map`` with its keys as tensor names (``"x"`` is ``"x:0"``) and its values checked."""
    mapped = {}
    for key, value in (input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be tensor names in the meta graph, got {key!r}")
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be tensors, got {value!r} for {key!r}")
        mapped[key if ":" in key else key + ":0"] = value
    return mapped


class _Importer:
    """Rebuilds a description: the operations in order, and each control-flow body (``FuncGraph``) when the first
    reference to it is met — before the operation that runs it, whose inputs it captures, is created."""

    def __init__(self, graph, arrays, scope, clear_devices, input_map):
        self.graph, self.arrays, self.clear_devices = graph, arrays, clear_devices
        self.prefix = f"{scope.rstrip('/')}/" if scope else ""
        self.input_map = input_map
        self.classes = op_classes()
        self.graphs = {0: graph}
        self.operations = {0: {}}  # graph id -> {name in the file: the new Operation}
        self.functions = {}
        self.building = set()  # the function graphs being rebuilt (a file whose graphs nest in a circle is damaged)

    def build(self, description, restore_collections_predicate):
        """Create the operations, variables and collections; return ``{name in the file: Variable}``."""
        self.functions = {f["id"]: f for f in description.get("functions", [])}
        variable_defs = {d["variable"].split(":")[0]: d for d in description["variables"]}
        outputs = {f"{entry['name']}:{i}" for entry in description["operations"]
                   for i in range(len(entry["outputs"]))}
        unknown = sorted(set(self.input_map) - outputs)
        if unknown:
            raise ValueError(f"Attempted to map inputs that were not found in graph_def: {unknown}")
        for entry in description["operations"]:
            self._create(0, entry, variable_defs.get(entry["name"]))
        variables = {}
        for name, d in variable_defs.items():
            variables[name] = v = self.operations[0][name].outputs[0]
            v._initializer_op = self._element({"op": d["initializer"]})
            v._initial_value = self._element({"tensor": d["initial_value"]})
            v._snapshot = self._element({"tensor": d["snapshot"]})
            v._trainable = bool(d["trainable"])
        for key, items in description["collections"].items():
            if restore_collections_predicate(key):
                for item in items:
                    self.graph.add_to_collection(key, item["value"] if "value" in item else
                                                 self._queue_runner(item["queue_runner"]) if "queue_runner" in item
                                                 else self._element(item))
        seed = description.get("seed")
        if seed is not None and self.graph.seed is None:
            if not isinstance(seed, int) or isinstance(seed, bool):
                raise ValueError(f"import_meta_graph: the graph seed must be an integer, got {seed!r}")
            self.graph.seed = seed
        return variables

    def _create(self, gid, entry, variable_def=None):
        graph, name = self.graphs[gid], entry["name"]
        cls = op_class(self.classes, entry["op"])
        if cls is None:
            raise ValueError(f"import_meta_graph: operation '{name}' runs op {entry['op']!r}, which this minidl does "
                             "not define")
        inputs = [self._element({"tensor": t, "graph": gid}) for t in entry["inputs"]]
        attrs = {key: self._attr(value) for key, value in entry["attrs"].items()}
        specs = [Spec(as_spec_shape(TensorShape(_decode_shape(shape))), dtypes.as_dtype(dtype))
                 for shape, dtype in entry["outputs"]]
        control = [self._element({"op": c, "graph": gid}) for c in entry["control_inputs"]]
        full_name = self.prefix + name if gid == 0 else name
        if gid == 0:
            full_name = self._free(full_name)
            self._mark_scopes_used(full_name)
        override = entry.get("gradient_override")
        if override is not None and not isinstance(override, str):
            raise ValueError(f"import_meta_graph: malformed gradient_override of '{name}': {override!r}")
        overrides = {} if override is None else {TF_OP_TYPES.get(cls.name, cls.name): override}
        with graph.control_dependencies(control), graph.gradient_override_map(overrides):
            operation = graph.create_op(cls, inputs, attrs, specs, name=full_name, unique=False)
        if not self.clear_devices:
            operation.device = entry.get("device", "")
        if variable_def is not None:  # the variable object is the operation's output, as tf.Variable makes it
            if cls is not VariableV2:
                raise ValueError(f"import_meta_graph: '{name}' is listed as a variable but runs {entry['op']!r}")
            variable = Variable.__new__(Variable)
            Tensor.__init__(variable, operation, 0, operation.outputs[0].shape, operation.outputs[0].dtype)
            operation.outputs = (variable,)
        for tensor, (shape, _) in zip(operation.outputs, entry["outputs"]):
            tensor._shape = TensorShape(_decode_shape(shape))  # the static shape as it was (set_shape included)
        self.operations[gid][name] = operation

    def _function_graph(self, gid):
        """The FuncGraph with id ``gid``, rebuilt with its operations on first use."""
        if gid not in self.graphs:
            f = self.functions.get(gid)
            if f is None or gid in self.building:
                raise ValueError(f"import_meta_graph: the file refers to function graph {gid}, which it "
                                 f"{'lacks' if f is None else 'nests inside itself'}")
            self.building.add(gid)
            fg = self.graphs[gid] = FuncGraph(f["name"], self._function_graph(f["outer"]))
            self.operations[gid] = {}
            for entry in f["operations"]:
                self._create(gid, entry)
            fg.inputs = [self._element(r) for r in f["inputs"]]
            fg.outputs = [self._element(r) for r in f["outputs"]]
            fg.captures.update((self._element(outer), self._element(inner)) for outer, inner in f["captures"])
        return self.graphs[gid]

    def _free(self, name):
        """``name``, or where the graph already has an operation of that name (the same file imported twice: a
        notebook's restore cell run again), ``name_1``, ``name_2``, ... as TF's importer makes names unique. The
        imported operations refer to one another through the file's names, so renaming breaks no link."""
        taken, count = self.graph._operations, 1
        if name not in taken:
            return name
        while f"{name}_{count}" in taken:
            count += 1
        return f"{name}_{count}"

    def _mark_scopes_used(self, full_name):
        """Mark every enclosing name scope as taken, so that layers built after the import get fresh names."""
        parts = full_name.split("/")
        for i in range(1, len(parts)):
            self.graph._names_in_use.setdefault("/".join(parts[:i]).lower(), 1)

    def _element(self, reference):
        gid = reference.get("graph", 0)
        self._function_graph(gid)
        if "op" in reference:
            op = self.operations[gid].get(reference["op"])
            if op is None:
                raise ValueError(f"import_meta_graph: the file refers to operation '{reference['op']}' before (or "
                                 "without) defining it")
            return op
        mapped = self.input_map.get(reference["tensor"]) if gid == 0 else None
        if mapped is not None:
            return mapped
        op_name, _, index = reference["tensor"].rpartition(":")
        return self._element({"op": op_name, "graph": gid}).outputs[int(index)]

    def _queue_runner(self, description):
        """A ``QueueRunner`` over the imported queue and ops that ``description`` names."""
        from .queues import queue_from_operation
        from .train.queue_runner import QueueRunner
        closed = []
        for name in description["closed_exceptions"]:
            cls = getattr(errors, name, None)
            if not (isinstance(cls, type) and issubclass(cls, errors.OpError)):
                raise ValueError(f"import_meta_graph: a queue runner names {name!r}, which is not a tf.errors class")
            closed.append(cls)
        return QueueRunner(queue_from_operation(self._element(description["queue"])),
                           [self._element(op) for op in description["enqueue_ops"]],
                           self._element(description["close_op"]), self._element(description["cancel_op"]), closed)

    def _attr(self, value):
        return attribute_codec.decode(value, self.arrays, self._graph_value, where="import_meta_graph")

    def _graph_value(self, tag, value, again):
        """Graph mode's own tagged values (see ``_Exporter._graph_value``), or NotImplemented."""
        if tag == "dim":
            return Dimension(value["dim"])
        if tag == "shape":
            return TensorShape(_decode_shape(value["shape"]))
        if tag == "dtype":
            return dtypes.as_dtype(value["dtype"])
        if tag in ("op", "tensor"):
            return self._element(value)
        if tag == "graph":
            return self._function_graph(value["graph"])
        if tag == "body_run":
            run = value["body_run"]
            return BodyRun([(self._element(t), i) for t, i in run["feed_slots"]],
                           [self._element(t) for t in run["targets"]])
        return NotImplemented


def _decode_shape(dims):
    return None if dims is None else [None if d is None else int(d) for d in dims]


