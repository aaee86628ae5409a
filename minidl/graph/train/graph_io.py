"""``tf.train.write_graph``: save a graph's operations to a file, as binary or as text.

Binary (``as_text=False``) is a ``GraphDef``'s ``SerializeToString()``: minidl's own format (``graph_def.py``), which
``tf.GraphDef().ParseFromString`` reads back for ``tf.import_graph_def`` — a frozen model's file. Text (the default)
is TensorFlow's protocol-buffer text format with each node's name, op type, inputs (``"op"`` for an op's first
output, ``"op:i"`` for output i, ``"^op"`` for a control dependency) and device: the structure, to read, not to
import again (values and attributes are left out)::

    node {
      name: "x"
      op: "Placeholder"
    }
"""
import os

from ...io.atomic_write import write_atomically
from ..core import Graph
from ..graph_def import GraphDef, graph_def_of


def _quote(text):
    """Protobuf text format's string literal: printable ASCII as is, quotes and backslashes escaped, other bytes
    (of the UTF-8 encoding) as octal escapes."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def graph_def_as_text(graph_def):
    """The nodes of ``graph_def`` (name, op, inputs, device) in protobuf's text format."""
    lines = []
    for node in graph_def.node:
        lines += ["node {", f"  name: {_quote(node.name)}", f"  op: {_quote(node.op)}"]
        lines += [f"  input: {_quote(name)}" for name in node.input]
        if node.device:
            lines.append(f"  device: {_quote(node.device)}")
        lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Write ``graph_or_graph_def`` (a ``tf.Graph`` such as ``sess.graph``, a ``GraphDef``, or a GraphDef's bytes)
    to ``logdir/name`` (creating ``logdir``) as text (``as_text``, the default) or binary; returns the path. The
    file is written beside and renamed into place, so an existing one is never left half written."""
    if isinstance(graph_or_graph_def, (bytes, bytearray)):
        graph_def = GraphDef.FromString(graph_or_graph_def)
    elif isinstance(graph_or_graph_def, (Graph, GraphDef)):
        graph_def = graph_def_of(graph_or_graph_def)
    else:
        raise TypeError(f"write_graph needs a tf.Graph, a GraphDef or a serialized GraphDef (bytes), got "
                        f"{type(graph_or_graph_def).__name__}")
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = graph_def_as_text(graph_def).encode("ascii") if as_text else graph_def.SerializeToString()
    write_atomically(path, lambda f: f.write(data))
    return path
