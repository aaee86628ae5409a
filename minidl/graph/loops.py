"""``while_loop`` as a functional op, and its gradient by replaying the body's VJP over the recorded iterations.

See control_flow.py for the idea shared with ``cond``: the condition and the body are each built once into a
``FuncGraph``, and ONE ``While`` operation of the enclosing graph runs them with ``Session.run_subgraph``:

    source = initial loop values + captured values
    while cond_graph(source) and (no maximum_iterations or count < maximum_iterations):
        loop values = body_graph(source)
        record the loop values that entered, and the forward values kept for the gradient, in the history
                                                                                           (back_prop=True only)

The gradient is the chain rule through the ``n`` iterations that actually ran — what an eager Python loop
records on its tape, one body's worth of nodes per iteration. Here the body's gradient graph is built once
(inside the body FuncGraph) and ``WhileGrad`` runs it ``n`` times, backwards over the history: fed the loop
values entering iteration i and the gradient arriving at its outputs, it yields the gradient at its inputs,
which is what arrives at iteration i-1's outputs. Gradients for captured tensors (a weight used in every
iteration) are summed over the iterations. The replay is also fed the forward values of that iteration that
the gradient reads (a tanh's output, a dropout mask: see ``keep`` in control_flow.py), so it computes gradient
ops only — the body's prints and assignments do not run again, and random ops do not draw again.
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from .control_flow import (BodyRun, body_gradient, capture_inputs, check_predicate, forward_values_read, keep,
                           outer_graph_for, predicate_value, specs_of)
from .core import TensorShape, as_spec_shape
from .frontend import _graph_for, convert_to_tensor
from .function_graph import build_func_graph, flatten, flatten_up_to, pack, same_structure
from .graph_ops import GraphOp
from .tensor_array import FLOW_INVARIANTS, TensorArray, flows_of, with_tensor_arrays


class While(GraphOp):
    """Runs a condition FuncGraph and a body FuncGraph until the condition is false.

    inputs: ``n_vars`` loop variables, the captured tensors, then ``maximum_iterations`` if ``has_limit``.
    outputs: the final loop variables, then the history (a Python list with, per iteration, the flat loop values
    entering it followed by the values of the body tensors listed in attr ``kept``, the forward values its
    gradients read; None unless ``back_prop``). The condition and body ``BodyRun``s read ``source = loop values +
    captured values``, the same positions as the inputs.
    """
    differentiable = True

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        n, cond_run, body_run = attrs["n_vars"], attrs["cond_run"], attrs["body_run"]
        limit = int(arrays[-1]) if attrs["has_limit"] else None
        source = list(arrays[:len(arrays) - 1] if attrs["has_limit"] else arrays)
        history = [] if attrs["back_prop"] else None
        kept = attrs["kept"]
        count = 0
        while (limit is None or count < limit) and predicate_value(operation, cond_run.run(session, source)[0]):
            out = body_run.run(session, source)
            if history is not None:
                history.append(source[:n] + out[len(out) - len(kept):len(out)])
            source[:n] = out[:n]
            count += 1
        return (*source[:n], history)

    @staticmethod
    def vjp(ctx, *grads):
        attrs = ctx.attrs
        n, n_captured, body = attrs["n_vars"], attrs["n_captured"], attrs["body"]
        result = [None] * len(ctx.inputs)
        floats = [j for j in range(n) if dtypes.is_differentiable(ctx.inputs[j].dtype)]
        if not attrs["back_prop"] or not floats:
            return result
        captures = attrs["body_captures"]
        wanted = [i for i in range(n, n + n_captured) if ctx.needs_input_grad[i] and i in captures]
        # Loop-variable gradients are always propagated: through the iterations they feed one another
        xs = [body.inputs[j] for j in floats] + [captures[i] for i in wanted]
        grad_feeds, targets, positions, added = body_gradient(
            body, [body.outputs[j] for j in floats], xs, range(n + n_captured, n + n_captured + len(floats)))
        first_kept = n + n_captured + len(floats)  # see WhileGrad.execute for the layout of what a replay is fed
        forward = attrs["body_run"]
        read = keep(attrs["kept"], forward, forward_values_read(added, body), first_kept)
        run = BodyRun(forward.feed_slots + grad_feeds + read, targets)
        incoming = [grads[j] if grads[j] is not None else ops.zeros_like(ctx.outputs[j]) for j in floats]
        # The initial values are inputs only to show gradients() that the result depends on them (through the
        # history, which carries no gradient): differentiating it again then reaches WhileGrad.vjp, which refuses
        inputs = [ctx.outputs[n]] + [ctx.inputs[j] for j in floats] + list(ctx.inputs[n:n + n_captured]) + incoming
        operation = _graph_for(inputs).create_op(
            WhileGrad, inputs,
            {"run": run, "positions": positions, "floats": floats, "wanted": wanted, "n_vars": n},
            specs_of([ctx.inputs[j] for j in floats + wanted]), name="WhileGrad")
        for i, g in zip(floats + wanted, operation.outputs):
            result[i] = g
        return result


class WhileGrad(GraphOp):
    """The gradient of a ``While``: inputs are its history, its initial float loop variables, its captured tensors
    and the gradients of its final float loop variables. Replays the body's gradient over the history, last
    iteration first; outputs the gradients of the initial float loop variables, then of the wanted captured
    tensors (summed over the iterations)."""
    differentiable = True

    @staticmethod
    def vjp(ctx, *grads):
        raise TypeError(f"Second-order gradient for while loops not supported (differentiating "
                        f"'{ctx.operation.name}', the gradient of a tf.while_loop)")

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        n, floats, wanted, positions = attrs["n_vars"], attrs["floats"], attrs["wanted"], attrs["positions"]
        zeros = session.array_module.zeros_like
        history, captured = arrays[0], list(arrays[1 + len(floats):len(arrays) - len(floats)])
        grads = list(arrays[len(arrays) - len(floats):])           # d loss / d (values leaving the iteration)
        totals = [None] * len(wanted)                                # d loss / d captured, summed over iterations
        for values in reversed(history):
            # fed: the loop values entering the iteration, the captured values, the gradients arriving at the
            # iteration's outputs, and the iteration's kept forward values
            out = attrs["run"].run(session, list(values[:n]) + captured + grads + list(values[n:]))
            grads = [zeros(values[j]) if p is None else out[p] for j, p in zip(floats, positions)]
            for c, p in enumerate(positions[len(floats):]):
                if p is not None:
                    totals[c] = out[p] if totals[c] is None else totals[c] + out[p]
        return (*grads, *[zeros(captured[i - n]) if t is None else t for i, t in zip(wanted, totals)])


def _shape_at_most(shape, invariant):
    """Is ``shape`` at least as specific as ``invariant`` (every known dim of the invariant matches)?"""
    if not invariant.rank_known:
        return True
    if not shape.rank_known or len(shape) != len(invariant):
        return False
    return all(i is None or s == i for s, i in zip(shape, invariant))


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, name=None, maximum_iterations=None, return_same_structure=False):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true (``tf.compat.v1.while_loop``).

    ``loop_vars`` is a list or tuple (possibly nested, with namedtuples and dicts) of tensors, numbers and
    TensorArrays; ``cond`` and ``body`` are called once, now, with placeholders in their place, and must take as
    many arguments as there are loop vars. ``body`` returns the same structure with the same dtypes (for a
    TensorArray, the one its writes made: it travels through the loop as its two flow tensors, wrapped as a
    TensorArray again for ``cond``, ``body`` and the result, and it may grow and learn its element shape in the
    loop, whatever ``shape_invariants`` says for it). Each static shape must stay within its invariant (by
    default the initial shape; ``shape_invariants`` gives less specific ones, e.g. ``TensorShape([None, 2])`` for
    a growing tensor). ``maximum_iterations`` stops the loop after that many iterations. Returns the final loop
    vars in the structure of ``loop_vars`` — a single tensor for a single loop var unless
    ``return_same_structure``. ``parallel_iterations`` and ``swap_memory`` are accepted for compatibility
    (iterations run one after another here); ``back_prop=False`` keeps no history and stops the gradient.
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if not isinstance(parallel_iterations, int) or parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    single = not isinstance(loop_vars, (list, tuple))
    given = [loop_vars] if single else loop_vars
    if not given:
        raise ValueError("'loop_vars' must be provided.")
    structure = flows_of(given)   # the loop vars as tensors: each TensorArray as its flows
    outer = outer_graph_for(flatten(structure))
    with outer.as_default():
        initial = [convert_to_tensor(v) for v in flatten(structure)]
        op_name = outer.unique_name(name or "while")
    invariants = _invariants(given, initial, shape_invariants, single)
    specs = [(inv, t.dtype) for inv, t in zip(invariants, initial)]
    cond_fg = build_func_graph(f"{op_name}_cond", outer, lambda *args: cond(*with_tensor_arrays(given, list(args))),
                               specs, structure, lift_control_inputs=True)
    body_fg = build_func_graph(f"{op_name}_body", outer,
                               lambda *args: flows_of(body(*with_tensor_arrays(given, list(args)))), specs, structure,
                               lift_control_inputs=True)
    predicate = cond_fg.output_tensor(cond_fg.structured_outputs)
    check_predicate(predicate, op_name, "While", what="cond")
    cond_fg.outputs = [predicate]
    body_fg.outputs = _loop_outputs(body_fg, structure, initial, invariants)

    inputs = list(initial)
    (cond_feeds, body_feeds), (_, body_captures) = capture_inputs([cond_fg, body_fg], inputs)
    n_captured = len(inputs) - len(initial)
    if maximum_iterations is not None:
        with outer.as_default():
            limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
        if limit.shape.rank_known and len(limit.shape) != 0:
            raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: {limit.shape}")
        if limit.dtype.kind not in "iu":
            raise TypeError(f"'maximum_iterations' must be an integer, got dtype {limit.dtype.name}")
        inputs.append(limit)
    cond_run = BodyRun([(ph, j) for j, ph in enumerate(cond_fg.inputs)] + cond_feeds,
                       [predicate] + cond_fg.side_effect_ops())
    body_run = BodyRun([(ph, j) for j, ph in enumerate(body_fg.inputs)] + body_feeds,
                       body_fg.outputs + body_fg.side_effect_ops())
    attrs = {"cond": cond_fg, "body": body_fg, "cond_run": cond_run, "body_run": body_run,
             "body_captures": body_captures, "n_vars": len(initial), "n_captured": n_captured,
             "has_limit": maximum_iterations is not None, "back_prop": bool(back_prop),
             "kept": []}
    out_specs = [Spec(as_spec_shape(inv), t.dtype) for inv, t in zip(invariants, initial)]
    with outer.control_dependencies(cond_fg.outer_control_inputs + body_fg.outer_control_inputs):
        operation = outer.create_op(While, inputs, attrs, out_specs + [Spec((), numpy.dtype(object))], name=op_name,
                                    unique=False)
    result = with_tensor_arrays(given, pack(structure, operation.outputs[:len(initial)]))
    return result[0] if single or (len(given) == 1 and not return_same_structure) else result


def _invariants(given, initial, shape_invariants, single):
    """The shape invariant of each loop tensor: the user's (checked against the initial shape), else the initial
    shape; a TensorArray's flows always get ``FLOW_INVARIANTS`` (TF too ignores invariants given for them)."""
    leaves = flatten(given)
    user = [None] * len(leaves) if shape_invariants is None else [
        s if isinstance(s, TensorShape) else TensorShape(s)
        for s in flatten_up_to(given, [shape_invariants] if single else shape_invariants)]
    wanted = []   # per loop tensor: an invariant, or None for "its initial shape"
    for leaf, inv in zip(leaves, user):
        wanted.extend(FLOW_INVARIANTS if isinstance(leaf, TensorArray) else [inv])
    invariants = []
    for t, inv in zip(initial, wanted):
        inv = t.shape if inv is None else inv
        if not inv.is_compatible_with(t.shape):
            raise ValueError(f"The shape invariant specified for {t.name} is not compatible with the initial shape of "
                             f"the loop variable. It enters the loop with shape {t.shape}, but the specified shape "
                             f"invariant is {inv}.")
        invariants.append(inv)
    return invariants


def _loop_outputs(body_fg, structure, initial, invariants):
    """The body's results as tensors of the body graph, checked against the loop vars (structure, dtypes, shapes)."""
    result = body_fg.structured_outputs
    if len(structure) == 1 and not same_structure(list(structure), result) and same_structure(structure[0], result):
        result = [result]   # a single loop var may be returned bare: ``body = lambda i: i + 1``
    if not isinstance(result, (list, tuple)) or not same_structure(list(structure), list(result)):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{structure}\n\nSecond structure: {result}")
    outputs = []
    for value, t, inv in zip(flatten(list(result)), initial, invariants):
        out = body_fg.output_tensor(value, dtype=t.dtype)
        if out.dtype != t.dtype:
            raise TypeError(f"Loop var {t.name} enters the loop with type {t.dtype.name} but has type "
                            f"{out.dtype.name} after 1 iteration.")
        if not _shape_at_most(out.shape, inv):
            raise ValueError(f"Input tensor '{t.name}' enters the loop with shape {inv}, but has shape {out.shape} "
                             "after one iteration. To allow the shape to vary across iterations, use the "
                             "`shape_invariants` argument of tf.while_loop to specify a less-specific shape.")
        outputs.append(out)
    return outputs
