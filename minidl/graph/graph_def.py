"""``tf.GraphDef`` and ``tf.import_graph_def``: a graph as data, without the Python objects around it.

Where a meta graph (``meta_graph.py``) keeps a whole training setup — variables and their initializers,
collections, the saver — a GraphDef is only the operations: each one's name, op type, inputs and attributes (a
constant's value included). TF1 programs ship a trained model that way: *freeze* it, replacing each variable by a
constant holding its trained value and dropping what the outputs do not need (``tf.graph_util``), write the bytes,
and load them in a serving program that never sees the model's code::

    frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["logits"])
    with tf.gfile.GFile("model.pb", "wb") as f:
        f.write(frozen.SerializeToString())

    # the serving program
    graph_def = tf.GraphDef()
    with tf.gfile.GFile("model.pb", "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="model")
    with tf.Session(graph=graph) as sess:
        print(sess.run("model/logits:0", {"model/x:0": images}))

The bytes are minidl's array file (``minidl.io``: a JSON header and the constants' arrays, no pickle), described
as in a meta graph and rebuilt by the same code, so importing never executes code from the file. They are not
TensorFlow's protocol buffer (``tf.train.write_graph``'s text form and the graph TensorBoard shows use that one,
with each node's name, type, inputs and device only).
"""
import io

from ..io import check_kind, read_arrays, write_arrays
from ..ops.registry import op_class, op_classes
from .core import TF_OP_TYPES, get_default_graph
from .meta_graph import NotSaved, _Exporter, _Importer, _input_map

__all__ = ["GraphDef", "NodeDef", "import_graph_def"]

_KIND = "tf-graph-def"
_VERSION = 1


class NodeDef:
    """One operation of a ``GraphDef`` as TF1's ``NodeDef`` shows it: ``name``, ``op`` (its TF type), ``input``
    (``"x"`` for an operation's first output, ``"x:1"`` for another, ``"^x"`` for a control dependency) and
    ``device`` (which may be changed, as programs clearing devices before an import do)."""
    __slots__ = ("_entry", "_op_type")

    def __init__(self, entry, op_type):
        self._entry, self._op_type = entry, op_type

    @property
    def name(self):
        return self._entry["name"]

    @property
    def op(self):
        return self._op_type

    @property
    def input(self):
        return [name[:-2] if name.endswith(":0") else name for name in self._entry["inputs"]] + \
            ["^" + name for name in self._entry["control_inputs"]]

    @property
    def device(self):
        return self._entry["device"]

    @device.setter
    def device(self, value):
        if not isinstance(value, str):
            raise TypeError(f"NodeDef.device must be a string, got {type(value).__name__}")
        self._entry["device"] = value

    def __repr__(self):
        inputs = "".join(f'\n  input: "{name}"' for name in self.input)
        return f'name: "{self.name}"\nop: "{self.op}"{inputs}\n'


class GraphDef:
    """The operations of a graph as data (see the module docstring): made by ``Graph.as_graph_def()`` or
    ``sess.graph_def``, read with ``ParseFromString``, turned into bytes with ``SerializeToString``, rebuilt in a
    graph by ``tf.import_graph_def``. ``node`` lists the operations in the order they were made."""

    def __init__(self):
        self._description = {"kind": _KIND, "version": _VERSION, "operations": [], "functions": []}
        self._arrays = {}

    @classmethod
    def _of_graph(cls, graph):
        exporter = _Exporter(graph, None, False)
        description = exporter.describe(collection_list=[])
        graph_def = cls()
        graph_def._description.update(operations=description["operations"], functions=description["functions"])
        graph_def._arrays = exporter.arrays
        return graph_def

    @property
    def node(self):
        classes = op_classes()
        return [NodeDef(entry, _op_type(classes, entry)) for entry in self._description["operations"]]

    def SerializeToString(self):
        buffer = io.BytesIO()
        write_arrays(buffer, self._arrays, self._description)
        return buffer.getvalue()

    def ParseFromString(self, data):
        """Replace this GraphDef's contents by the graph that ``data`` (``SerializeToString``'s bytes) holds."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"GraphDef.ParseFromString expects bytes, got {type(data).__name__}")
        try:
            arrays, description = read_arrays(io.BytesIO(bytes(data)))
        except ValueError as error:
            raise ValueError(f"GraphDef.ParseFromString: not a GraphDef written by minidl ({error})") from None
        check_kind(description, _KIND, _VERSION, "GraphDef.ParseFromString: the data", "GraphDef")
        self._description, self._arrays = description, arrays
        return len(data)

    @classmethod
    def FromString(cls, data):
        graph_def = cls()
        graph_def.ParseFromString(data)
        return graph_def

    def CopyFrom(self, other):
        self.ParseFromString(other.SerializeToString())

    def ByteSize(self):
        return len(self.SerializeToString())

    def _derived(self, operations, functions, arrays):
        """A new GraphDef of these operations and functions (what ``tf.graph_util`` makes of this one)."""
        graph_def = GraphDef()
        graph_def._description.update(operations=operations, functions=functions)
        graph_def._arrays = arrays
        return graph_def

    def __repr__(self):
        return "".join(f"node {{\n{node!r}}}\n" for node in self.node)


def _op_type(classes, entry):
    """The TF op type of a described operation (a stand-in for one that ran Python code: that one's type)."""
    cls = op_class(classes, entry["op"])
    if cls is None:
        return entry["op"].rpartition(":")[2]
    return entry["attrs"]["type"] if cls is NotSaved else TF_OP_TYPES.get(cls.name, cls.name)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """Rebuild ``graph_def``'s operations in the default graph, named under the scope ``name`` ("import" when
    None, made unique as a name scope is; "" for no scope). ``input_map`` ({tensor name in graph_def: tensor})
    makes the imported operations read the given tensors instead. Returns the imported elements that
    ``return_elements`` names ("op" for an operation, "op:0" for a tensor), in its order, or None."""
    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"import_graph_def: graph_def must be a GraphDef proto, got {type(graph_def).__name__}")
    graph = get_default_graph()
    scope = "" if name == "" else graph.unique_name("import" if name is None else name)
    description = graph_def._description
    names = {entry["name"] for entry in description["operations"]}
    for element in return_elements or ():
        if not isinstance(element, str) or element.partition(":")[0] not in names:
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.")
    importer = _Importer(graph, graph_def._arrays, scope, False, _input_map(input_map))
    try:
        importer.build(dict(description, variables=[], collections={}), lambda key: False)
    except (KeyError, IndexError, TypeError, AttributeError, RecursionError) as error:
        raise ValueError(f"import_graph_def: the GraphDef is damaged ({type(error).__name__}: {error})") from None
    if return_elements is None:
        return None
    prefix = f"{scope}/" if scope else ""
    return [graph.as_graph_element(prefix + element) for element in return_elements]


def graph_def_of(graph_or_graph_def):
    """A ``GraphDef`` for a ``tf.Graph``, or the ``GraphDef`` itself."""
    if isinstance(graph_or_graph_def, GraphDef):
        return graph_or_graph_def
    return GraphDef._of_graph(graph_or_graph_def)

