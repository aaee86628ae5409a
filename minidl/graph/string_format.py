"""``tf.strings.format``: a string scalar made from a template whose placeholders (``{}`` by default) are replaced,
in order, by the values of tensors, written as ``tf.print`` writes them (printing.py) — a log line or a summary
text built inside the graph: ``tf.strings.format("step {}: loss {}", (step, loss))`` gives ``b"step 3: loss 0.25"``.
"""
import numpy

from ..backend import host_array
from ..ops.base import Spec
from .core import get_default_graph
from .dtypes import string
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .printing import format_tensor
from .string_ops import strings


class StringFormat(GraphOp):
    """attrs: ``pieces`` (the template's text around the placeholders, one more than the inputs), ``summarize``."""

    @staticmethod
    def execute(session, operation, arrays):
        pieces, summarize = operation.attrs["pieces"], operation.attrs["summarize"]
        values = [format_tensor(host_array(a), summarize) for a in arrays]
        text = pieces[0] + "".join(value + piece for value, piece in zip(values, pieces[1:]))
        return (numpy.array(text.encode("utf-8"), dtype=object),)


def format_(template, inputs, placeholder="{}", summarize=3, name=None):
    """``template`` with each ``placeholder`` replaced by the next of ``inputs`` (a tensor or a list of them), each
    written with the first and last ``summarize`` entries of its long dims (-1: every entry)."""
    tensors = [convert_to_tensor(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    if not placeholder:
        raise ValueError("strings.format: the placeholder must not be empty")
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(tensors):
        raise ValueError(f"strings.format: {len(pieces) - 1} placeholder(s) {placeholder!r} in the template "
                         f"{template!r} for {len(tensors)} input(s): the numbers must match")
    operation = get_default_graph().create_op(StringFormat, tensors, {"pieces": pieces, "summarize": summarize},
                                              [Spec((), string)], name=name or "StringFormat")
    return operation.outputs[0]


strings.format = format_
