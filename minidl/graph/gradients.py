"""``gradients(ys, xs)``: symbolic derivatives that **extend the graph**, as ``tf.gradients`` does.

It is the same reverse-mode walk as eager ``backward()`` (``minidl.autodiff``) calling the same VJPs — but the
VJPs receive symbolic tensors, so instead of numbers they produce new operations, named
``gradients/<op>_grad/...``. Since the result is an ordinary graph, gradients of gradients work the same way.
The gradient of a table that rows were looked up in is an ``IndexedSlices``, as in TF1 (``indexed_slices.py``).
"""
import enum

from .. import ops
from ..autodiff import backprop
from ..backend import dtypes
from .core import Tensor, UnknownRankError
from .frontend import _is_nested_in, convert_to_tensor
from .gradient_registry import overridden_vjp
from .indexed_slices import as_dense, sparse_vjp, summed_gradients


#: op types whose gradient TF defines as None, where the shared op library (as PyTorch) passes zeros: rounding
#: (``tf.rint`` is a Round). So ``tf.gradients(tf.round(w), w)`` is ``[None]``, and an optimizer minimizing
#: through one alone finds no gradient, as in TF. (``tf.sign``'s gradient is zeros in TF too.)
NO_GRADIENT_IN_TF = frozenset({"Floor", "Ceil", "Round", "FloorDiv", "TruncDiv"})


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _key(t):
    t = getattr(t, "_as_graph_element", lambda: t)()
    if not isinstance(t, Tensor):
        raise TypeError(f"gradients expects tensors or variables, got {type(t).__name__}")
    return (t.op, t.value_index)


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none"):
    """Symbolic d(sum of ys)/d(x) for each x in ``xs``: a list with None where an x does not affect the ys."""
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = _as_list(xs)
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    if unconnected_gradients not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r} (expected 'none' or "
                         f"'zero', the values of tf.UnconnectedGradients)")
    graph = ys[0].graph
    # inside a control-flow body, an x of an enclosing graph (a variable, for per-example gradients in map_fn)
    # is differentiated through the stand-in the body captured for it
    targets = [_differentiated(graph, x) for x in xs]
    for t in ys + xs:  # (the gradient of a tensor elsewhere would silently be None)
        t_graph = getattr(getattr(t, "_as_graph_element", lambda: t)(), "graph", graph)
        if _is_nested_in(graph, t_graph) and t in xs:
            continue
        if _is_nested_in(t_graph, graph):
            raise NotImplementedError(f"tf.gradients of or with respect to {t.name}, a tensor made inside a control "
                                      f"flow body (cond, while_loop, map_fn ...), is not supported: use tensors "
                                      f"made outside it")
        if t_graph is not graph:
            raise ValueError(f"Tensor {t.name} must be from the same graph as {ys[0].name} (each tf.Graph is a "
                             f"separate program: build the loss and the variables in one)")
    with graph.as_default(), graph.name_scope(name):
        roots, root_grads = [], []
        for i, (y, g) in enumerate(zip(ys, grad_ys)):
            if not dtypes.is_differentiable(y.dtype):
                continue
            if g is not None:
                g = convert_to_tensor(g, y.dtype)
                if not g.shape.is_compatible_with(y.shape):  # the VJPs would carry the wrong shape silently
                    raise ValueError(f"grad_ys[{i}] has shape {g.shape}, which is incompatible with the shape "
                                     f"{y.shape} of ys[{i}] ({y.name}): each grad_y is the gradient of its y")
            roots.append(_key(y))
            root_grads.append(ops.ones_like(y) if g is None else g)
        wanted = {_key(x) for x in targets if x is not NOT_CAPTURED}
        blocked = frozenset(_key(t) for t in _as_list(stop_gradients or []))

        def run_vjp(operation, grads, needed):
            with graph.name_scope(operation.name + "_grad"):
                sparse = sparse_vjp(operation, grads, needed)
                if sparse is not None:
                    return sparse
                grads = [as_dense(g) for g in grads]
                if not operation.op.accepts_missing_grads:
                    grads = [ops.zeros_like(out) if g is None and dtypes.is_differentiable(out.dtype) else g
                             for g, out in zip(grads, operation.outputs)]
                if operation.gradient_override is not None:  # tf.RegisterGradient + gradient_override_map
                    return overridden_vjp(operation, grads)
                if operation.type in NO_GRADIENT_IN_TF:
                    return (None,) * len(operation.inputs)
                first_new = graph.operation_count()
                try:
                    return operation.op.vjp(_VJPContext(operation, needed), *grads)
                except UnknownRankError as error:  # an input's rank is only known when the graph runs
                    graph.remove_operations_since(first_new)
                    from .run_time_rank import vjp_at_run_time  # (it builds on this module)
                    return vjp_at_run_time(_VJPContext(operation, needed), grads, error)
        results = backprop(roots, root_grads, wanted.__contains__, run_vjp, blocked, add=summed_gradients) \
            if roots else {}
        out = []
        for x, target in zip(xs, targets):
            g = None if target is NOT_CAPTURED else results.get(_key(target))
            if g is None and unconnected_gradients == "zero":
                g = ops.zeros_like(getattr(x, "_as_graph_element", lambda: x)())
            out.append(g)
        return out


#: what ``_stand_in`` returns for a tensor of an enclosing graph that the body never read: its gradient is None
NOT_CAPTURED = object()


def _differentiated(graph, x):
    """The tensor of ``graph`` to differentiate for ``x``: x itself, or for x of a graph enclosing the control-flow
    body ``graph``, the tensor the body captured for it, level by level (``function_graph.py``), or
    ``NOT_CAPTURED``."""
    t = getattr(x, "_as_graph_element", lambda: x)()
    outer = getattr(t, "graph", None)
    if not isinstance(t, Tensor) or not _is_nested_in(graph, outer):
        return x
    levels = []  # the bodies from ``graph`` out to (not including) x's graph
    level = graph
    while level is not outer:
        levels.append(level)
        level = level.outer_graph
    for level in reversed(levels):
        t = level.captures.get(t)
        if t is None:
            return NOT_CAPTURED
    return t


class _VJPContext:
    """An operation seen by its VJP during one ``gradients`` call: only the inputs this call needs are wanted."""
    __slots__ = ("inputs", "outputs", "attrs", "needs_input_grad", "operation")

    def __init__(self, operation, needed):
        self.operation = operation
        self.inputs, self.outputs, self.attrs = operation.inputs, operation.outputs, operation.attrs
        self.needs_input_grad = needed


def hessians(ys, xs, name="hessians"):
    """The Hessian of sum(ys) w.r.t. each x, shaped ``x.shape + x.shape`` (x must have a fully known shape)."""
    result = []
    for x in _as_list(xs):
        x_t = getattr(x, "_as_graph_element", lambda: x)()
        if not x_t.shape.is_fully_defined():
            raise ValueError(f"hessians needs a fully known shape for {x_t.name}, got {x_t.shape}")
        (grad,) = gradients(ys, [x], name=name)
        if grad is None:
            result.append(None)
            continue
        flat = ops.reshape(as_dense(grad), (-1,))
        n = flat.shape[0]
        rows = []
        for i in range(n):
            (row,) = gradients(ops.getitem(flat, i), [x], name=name, unconnected_gradients="zero")
            rows.append(as_dense(row))
        result.append(ops.reshape(ops.stack(rows), tuple(x_t.shape) + tuple(x_t.shape)))
    return result


class AggregationMethod:
    """``tf.AggregationMethod``: how TF sums the gradient contributions of a tensor used several times. Accepted
    by ``gradients(aggregation_method=)``; minidl always adds them as they arrive (the walk in autodiff.py)."""
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(str, enum.Enum):
    """``tf.UnconnectedGradients``: what ``gradients`` gives for an x that the ys do not depend on — None, or zeros
    shaped like x. (Members equal their strings, so ``unconnected_gradients="zero"`` works as well.)"""
    NONE = "none"
    ZERO = "zero"
