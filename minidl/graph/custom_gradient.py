"""``tf.custom_gradient``: a function whose gradient you write yourself.

    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        def grad(dy):
            return dy * (1 - 1 / (1 + e))      # = dy * sigmoid(x), finite where e overflows
        return tf.log(1 + e), grad

The decorated function ``f(*xs)`` returns ``(ys, grad_fn)``: its result (a tensor or a nest of them) and a
function that, given the gradient arriving at each y, returns the gradients of the xs — one per x (a single
tensor for a single x), None where there is none. Uses: a numerically stable derivative (above: the automatic
one would compute ``inf / inf`` for a large x), a straight-through estimator, a gradient clipped or scaled on
its way back.

**How.** ``f`` builds its ops as usual, so the forward value is the one they compute. Its results then pass
through one ``CustomGradient`` operation that takes ``ys + xs`` as inputs and outputs the ys unchanged — and
whose VJP is ``grad_fn``: it gives the xs what ``grad_fn`` returns and the ys nothing, so ``gradients()`` never
looks inside ``f`` (TF does the same with an ``IdentityN`` op and a gradient override). ``grad_fn`` is called
each time a gradient graph is built through the op, so it adds ops like any VJP — it may use the tensors ``f``
computed (``e`` above), which is how a forward value is "saved for backward" in a graph.

**Variables.** If ``f`` reads variables (not among its arguments) — a layer's weights, say — ``grad_fn`` must
accept a keyword argument ``variables`` and return ``(input gradients, variable gradients)``, one gradient per
variable in the list it receives. Those variables are inputs of the ``CustomGradient`` op too, so an
optimizer's ``minimize`` reaches them through ``grad_fn``.
"""
import functools
import inspect

from ..ops.base import Spec
from .core import as_spec_shape, get_default_graph
from .frontend import convert_to_tensor
from .function_graph import CapturedVariable, flatten, pack
from .graph_ops import GraphOp, Identity
from .indexed_slices import IndexedSlices
from .variables import VariableV2


class CustomGradient(GraphOp):
    """Outputs its first ``n_outputs`` inputs unchanged (the results of the decorated function); the others are
    the function's arguments and then the variables it read. VJP: attr ``grad_fn``'s answer (module docstring)."""
    differentiable = True

    @staticmethod
    def execute(session, operation, arrays):
        return tuple(arrays[:operation.attrs["n_outputs"]])

    @staticmethod
    def vjp(ctx, *grads):
        attrs = ctx.attrs
        n, n_args, variables = attrs["n_outputs"], attrs["n_args"], attrs["variables"]
        if variables:
            answer = attrs["grad_fn"](*grads, variables=variables)
            if not isinstance(answer, (list, tuple)) or len(answer) != 2:
                raise ValueError("custom_gradient: a grad_fn that takes `variables` must return a pair (gradients of "
                                 f"the inputs, gradients of the variables), got {answer!r}")
            arg_grads, var_grads = flatten(answer[0]), flatten(answer[1])
            if len(var_grads) != len(variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            arg_grads, var_grads = flatten(attrs["grad_fn"](*grads)), []
        if len(arg_grads) != n_args:
            raise ValueError(f"custom_gradient: grad_fn returned {len(arg_grads)} gradients for the {n_args} inputs of "
                             f"the function ({attrs['name']})")
        inputs = ctx.inputs[n:]
        # (an IndexedSlices that grad_fn returns goes on as one, as in TF)
        return [None] * n + [g if g is None or isinstance(g, IndexedSlices) else convert_to_tensor(g, x.dtype)
                             for g, x in zip(arg_grads + var_grads, inputs)]


def custom_gradient(f=None):
    """Decorator: ``f(*xs)`` returns ``(ys, grad_fn)``; the result computes ``ys`` and differentiates with
    ``grad_fn`` (module docstring). Keyword arguments are not supported (TF1 too allows them only eagerly)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if kwargs:
            raise ValueError("The custom_gradient decorator currently supports keywords arguments only when eager "
                             "execution is enabled.")
        return _call(f, [convert_to_tensor(a) for a in args])
    return decorated


def _call(f, xs):
    graph = get_default_graph()
    before = len(graph.get_operations())
    answer = f(*xs)
    if not isinstance(answer, (list, tuple)) or len(answer) != 2 or not callable(answer[1]):
        raise TypeError(f"A function decorated with custom_gradient must return a pair (result, grad_fn), got "
                        f"{answer!r}")
    result, grad_fn = answer
    ys = [convert_to_tensor(y) for y in flatten(result)]
    variables = [v for v in _variables_read(graph, graph.get_operations()[before:]) if all(v is not x for x in xs)]
    parameters = inspect.signature(grad_fn).parameters
    takes_variables = "variables" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    if variables and not takes_variables:
        raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn must accept a "
                        "keyword argument 'variables'.")
    attrs = {"grad_fn": grad_fn, "n_outputs": len(ys), "n_args": len(xs), "variables": variables,
             "name": getattr(f, "__name__", "f")}
    operation = graph.create_op(CustomGradient, ys + xs + variables, attrs,
                                [Spec(as_spec_shape(y.shape), y.dtype) for y in ys], name="CustomGradient")
    return pack(result, list(operation.outputs))


def _variables_read(graph, operations):
    """The variables whose value one of ``operations`` takes as an input, in order of first use: directly, through
    its ``read`` snapshot, or — in a loop or cond body — through the stand-in that reads or feeds it."""
    outer_of = {id(inner): outer for outer, inner in getattr(graph, "captures", {}).items()}
    found = []
    for op in operations:
        for t in op.inputs:
            t = outer_of.get(id(t), t)
            if t.op.op is Identity and t.op.inputs:
                t = t.op.inputs[0]
            source = t.op
            if source.op is CapturedVariable:
                source = source.attrs["variable"]
            if source.op is VariableV2 and all(source.outputs[0] is not v for v in found):
                found.append(source.outputs[0])
    return found


__all__ = ["custom_gradient"]
