"""``tf.as_string`` (also ``tf.strings.as_string``): numbers written out as string tensors, e.g. the class ids of
a classifier's predictions as the labels ``b"0"``, ``b"1"``, ... (string tensors: strings.py).

The formats are printf's, as TF's: integers in decimal, floats as ``%f`` (6 decimals) unless ``precision``
(decimals), ``scientific`` (``%e``) or ``shortest`` (``%g``) says otherwise, booleans as ``true``/``false``;
``width`` pads on the left with ``fill`` (a space, or ``"0"``).
"""
import types

import numpy

from ..backend import host_array
from ..ops.base import Spec
from .core import get_default_graph
from .dtypes import string
from .frontend import convert_to_tensor
from .graph_ops import GraphOp

__all__ = ["as_string", "strings"]


class AsString(GraphOp):
    """Each element of the input written with attr ``format`` (a %-format for numbers; booleans are words)."""

    @staticmethod
    def execute(session, operation, arrays):
        values, fmt = host_array(arrays[0]), operation.attrs["format"]
        out = numpy.empty(values.shape, dtype=object)
        for index, value in numpy.ndenumerate(values):
            text = ("true" if value else "false") if values.dtype.kind == "b" else fmt % value
            out[index] = text.encode("ascii")
        return (out,)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):
    """The elements of ``input`` (numbers or booleans) as strings, in printf's formats (see the module docstring)."""
    x = convert_to_tensor(input)
    kind = x.dtype.as_numpy_dtype().dtype.kind if x.dtype != string else "O"
    if kind not in "biuf":
        raise TypeError(f"as_string: expected a numeric or bool tensor, got {x.dtype.name}")
    if scientific and shortest:
        raise ValueError("Cannot select both scientific and shortest notation")
    if fill not in ("", " ", "0"):
        raise ValueError(f"as_string: fill must be '', ' ' or '0' (a single fill character), got {fill!r}")
    if kind in "iu" and (precision > -1 or scientific or shortest):
        raise ValueError("as_string: precision, scientific and shortest apply to floats only")
    flags = "0" if fill == "0" else ""
    width_text = str(width) if width > -1 else ""
    if kind in "iu":
        fmt = f"%{flags}{width_text}d"
    else:
        fmt = f"%{flags}{width_text}{'.' + str(precision) if precision > -1 else ''}" + \
              ("e" if scientific else "g" if shortest else "f")
    operation = get_default_graph().create_op(AsString, [x], {"format": fmt},
                                              [Spec(tuple(x.shape) if x.shape.rank_known else None, string)],
                                              name=name or "AsString")
    return operation.outputs[0]


strings = types.SimpleNamespace(as_string=as_string)
