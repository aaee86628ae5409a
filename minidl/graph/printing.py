"""``tf.print`` (and TF1's older ``tf.Print``): an operation that writes its inputs — Python values, tensors,
and lists/tuples/dicts of them — as one line when it runs (TF1 graph mode: fetch it, or put it in
``control_dependencies``).

A tensor is written as TF writes it: a scalar as its value (``3``), an array in brackets, separated by spaces,
with only the first and last ``summarize`` entries of each long dim and ``...`` between them
(``[0 1 2 ... 9 10 11]``). Python strings are written as they are, other Python values as ``str`` gives them,
and structures as Python shows them, with their tensors written as above. The line goes to ``sys.stderr`` unless
``output_stream`` says otherwise: ``sys.stdout`` (any object with a ``write`` method), a logging function such as
``tf.logging.info`` (called with the line), or ``"file://<path>"`` (the line appended to that file).

``tf.timestamp()``, TF's other logging op, gives the time when it runs, for timing parts of a graph.
"""
import sys
import time

import numpy

from ..backend import device as parse_device, to_device
from ..ops.base import Spec
from .core import Tensor, as_spec_shape, get_default_graph
from .frontend import convert_to_tensor
from .graph_ops import GraphOp


def _host_arrays(arrays):
    cpu = parse_device("cpu")
    return [numpy.asarray(to_device(a, cpu)) for a in arrays]


class _Input:
    """Stands for the op's ``index``-th input in the template of what to print."""
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class PrintV2(GraphOp):
    """Writes ``template`` (the printed values, with each tensor replaced by an ``_Input``) when it runs."""

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        values = _host_arrays(arrays)
        text = attrs["sep"].join(_text(item, values, attrs["summarize"], top=True) for item in attrs["template"])
        stream = attrs["stream"]
        if stream is None:
            sys.stderr.write(text + attrs["end"])  # (looked up now: it may have been redirected since)
        elif hasattr(stream, "write"):
            stream.write(text + attrs["end"])
        elif isinstance(stream, str):
            with open(stream[len("file://"):], "a") as file:
                file.write(text + attrs["end"])
        else:
            stream(text)
        return ()


def _check_output_stream(output_stream):
    """TF's ValueError, while the graph is built, for an ``output_stream`` that ``PrintV2`` cannot write to."""
    if output_stream is None or hasattr(output_stream, "write") or (
            isinstance(output_stream, str) and output_stream.startswith("file://")) or (
            callable(output_stream) and not isinstance(output_stream, str)):
        return
    raise ValueError(f"Unsupported output stream or logging level {output_stream}. Supported streams are sys.stdout, "
                     f"sys.stderr, tf.logging.info, tf.logging.warning, tf.logging.error. File needs to be in the "
                     f"form of 'file://<filepath>'.")


def _text(item, values, summarize, top=False):
    """How ``item`` of the template is written (a top-level string as it is, a nested one in quotes)."""
    if isinstance(item, _Input):
        return format_tensor(values[item.index], summarize)
    if isinstance(item, dict):
        return "{" + ", ".join(f"{_text(k, values, summarize)}: {_text(v, values, summarize)}"
                               for k, v in item.items()) + "}"
    if isinstance(item, (list, tuple)):
        inner = ", ".join(_text(v, values, summarize) for v in item)
        return f"[{inner}]" if isinstance(item, list) else f"({inner}{',' if len(item) == 1 else ''})"
    return item if top and isinstance(item, str) else str(item) if top else repr(item)


def format_tensor(array, summarize=3):
    """A tensor's value as TF writes it: ``3``, ``[1.5 2]``, ``[0 1 2 ... 9 10 11]``, ``[[1 2]\\n [3 4]]``."""
    if array.ndim == 0:
        return _scalar_text(array[()])
    long = summarize is not None and summarize >= 0 and any(n > 2 * summarize for n in array.shape)
    return numpy.array2string(array, separator=" ", threshold=0 if long else sys.maxsize,
                              edgeitems=summarize if long else 3, max_line_width=sys.maxsize,
                              formatter={"all": _scalar_text})


def _scalar_text(value):
    if isinstance(value, (bytes, numpy.bytes_)):
        return value.decode(errors="replace")
    if isinstance(value, (float, numpy.floating)):
        return f"{value:.7g}"  # TF's shortest form: 2 not 2.0, 1.5, 1e-05
    if isinstance(value, (bool, numpy.bool_)):
        return "1" if value else "0"
    return str(value)


def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """``tf.print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\\n")``: the operation that
    prints (see the module's docstring). ``summarize=None`` or -1 writes every entry."""
    _check_output_stream(output_stream)
    tensors = []

    def template(value):
        if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
            tensors.append(convert_to_tensor(value))
            return _Input(len(tensors) - 1)
        if isinstance(value, dict):
            return {k: template(v) for k, v in value.items()}
        if isinstance(value, list):
            return [template(v) for v in value]
        if isinstance(value, tuple):
            return tuple(template(v) for v in value)
        if isinstance(value, numpy.ndarray):  # written as a tensor
            tensors.append(convert_to_tensor(value))
            return _Input(len(tensors) - 1)
        return value

    attrs = {"template": tuple(template(x) for x in inputs), "summarize": summarize, "sep": sep, "end": end,
             "stream": output_stream}
    return get_default_graph().create_op(PrintV2, tensors, attrs, [], name=name or "PrintV2")


class PrintPassThrough(GraphOp):
    """``tf.Print``'s operation: passes its first input through, and writes ``message`` and the first
    ``summarize`` entries of each other input (``[1 2 3...]``) to sys.stderr when it runs, as TF1 logs them.
    The gradient passes straight through to the first input, so printing never changes training."""
    name = "Print"
    differentiable = True
    differentiable_inputs = (0,)
    saves_inputs = ()

    @staticmethod
    def execute(session, operation, arrays):
        summarize, first_n = operation.attrs["summarize"], operation.attrs.get("first_n")
        if first_n is not None and first_n >= 0:  # only the first first_n runs of this op in this session print
            printed = session.resource(operation, lambda: [0])
            printed[0] += 1
            if printed[0] > first_n:
                return (arrays[0],)
        parts = []
        for flat in (a.reshape(-1) for a in _host_arrays(arrays[1:])):
            shown = " ".join(_scalar_text(v) for v in flat[:summarize])
            parts.append(f"[{shown}{'...' if flat.size > summarize else ''}]")
        sys.stderr.write(operation.attrs["message"] + "".join(parts) + "\n")
        return (arrays[0],)

    @staticmethod
    def vjp(ctx, g):
        return (g,) + (None,) * (len(ctx.inputs) - 1)

    @staticmethod
    def infer(*specs, **attrs):
        return specs[0]


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):
    """``tf.Print`` (deprecated in TF1 for ``tf.print``): ``input_`` passed through, printing ``message`` and
    the values of ``data`` whenever it is computed — only the first ``first_n`` times in a session, if given (a
    negative ``first_n``: every time)."""
    inputs = [convert_to_tensor(input_)] + [convert_to_tensor(d) for d in data]
    attrs = {"message": message or "", "summarize": 3 if summarize is None else summarize,
             "first_n": None if first_n is None else int(first_n)}
    operation = get_default_graph().create_op(PrintPassThrough, inputs, attrs,
                                              [Spec(as_spec_shape(inputs[0].shape), inputs[0].dtype)],
                                              name=name or "Print")
    return operation.outputs[0]


class Timestamp(GraphOp):
    """The time when it runs, in seconds since the Unix epoch: a float64 scalar, new on every run."""

    @staticmethod
    def execute(session, operation, arrays):
        return (session.array_module.asarray(time.time(), dtype=numpy.float64),)


def timestamp(name=None):
    """The time (float64 seconds since the Unix epoch) at which the op runs, read again on every ``Session.run``."""
    operation = get_default_graph().create_op(Timestamp, [], {}, [Spec((), numpy.float64)], name=name or "Timestamp")
    return operation.outputs[0]
