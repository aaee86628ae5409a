"""``tf.train.write_graph``: save a graph's structure as a GraphDef file.

A GraphDef is TensorFlow's protocol-buffer description of a graph: one ``node`` per operation, with its ``name``,
``op`` type, ``input``s (``"op"`` for an op's first output, ``"op:i"`` for output i, ``"^op"`` for a control
dependency) and ``device``. minidl writes those four fields — enough for TensorBoard's graph view and for reading
the structure, not for importing the graph again (values and attributes are not kept). The serialized form is
the one ``tf.summary.FileWriter`` puts in event files; ``as_text=True`` writes protobuf's text format instead::

    node {
      name: "x"
      op: "Placeholder"
    }
"""
import os

from ..core import Graph
from ..summary import serialize_graph


def _read_varint(data, position):
    """The base-128 varint at ``position`` of ``data``, and the position after it."""
    value = shift = 0
    while True:
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if byte < 0x80:
            return value, position
        shift += 7


def _fields(data):
    """The (field number, bytes) of a message whose fields are all length-delimited (GraphDef and NodeDef as
    minidl writes them)."""
    position = 0
    while position < len(data):
        key, position = _read_varint(data, position)
        if key & 7 != 2:
            raise ValueError(f"write_graph: unexpected wire type {key & 7} in a GraphDef")
        length, position = _read_varint(data, position)
        yield key >> 3, data[position:position + length]
        position += length


def _quote(data):
    """Protobuf text format's string literal: printable ASCII as is, quotes and backslashes escaped, other bytes
    as octal escapes."""
    out = []
    for byte in data:
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


_NODE_FIELDS = {1: "name", 2: "op", 3: "input", 4: "device"}


def graph_def_as_text(graph_def):
    """A serialized GraphDef (nodes with name, op, input and device) in protobuf's text format."""
    lines = []
    for number, node in _fields(graph_def):
        if number != 1:
            raise ValueError(f"write_graph: unexpected field {number} in a GraphDef")
        lines.append("node {")
        lines += [f"  {_NODE_FIELDS[field]}: {_quote(value)}" for field, value in _fields(node)
                  if field in _NODE_FIELDS]
        lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Write ``graph_or_graph_def`` (a ``tf.Graph``, e.g. ``sess.graph``, or the bytes of a serialized GraphDef)
    to ``logdir/name`` (creating ``logdir``) as text (``as_text``, the default) or binary; returns the path."""
    if isinstance(graph_or_graph_def, Graph):
        graph_def = serialize_graph(graph_or_graph_def)
    elif isinstance(graph_or_graph_def, (bytes, bytearray)):
        graph_def = bytes(graph_or_graph_def)
    else:
        raise TypeError(f"write_graph needs a tf.Graph or a serialized GraphDef (bytes), got "
                        f"{type(graph_or_graph_def).__name__}")
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        with open(path, "w", encoding="ascii") as f:
            f.write(graph_def_as_text(graph_def))
    else:
        with open(path, "wb") as f:
            f.write(graph_def)
    return path
