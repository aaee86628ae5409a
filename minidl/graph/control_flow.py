"""Control flow as *functional ops*: ``cond`` and ``case`` here, ``while_loop`` in loops.py, and their gradients.

A Python ``if`` or ``while`` decides while the graph is being *built*; the value it would need is only known
when a Session *runs* the graph. So each branch (and a loop's condition and body) is built once into its own
small graph — a ``FuncGraph``, see function_graph.py — and ONE operation of the enclosing graph runs it with
``Session.run_subgraph``. ``If`` takes ``[pred] + captured tensors``, evaluates ``pred``, and runs **only the
taken branch**: its outputs, and its side-effect ops (prints, assignments), as TF2's functional ``If`` does.

Gradients reuse the same ``gradients()``, inside the bodies. ``If.vjp`` builds in each branch the gradient of
the branch outputs with respect to the branch's captured stand-ins, fed by placeholders for the incoming
gradients — nodes the forward never runs, since a run computes only what its targets need. An ``IfGrad`` op of
the enclosing graph runs the taken branch's gradient; a captured tensor that branch does not use gets zeros.

The gradient needs forward values from inside the body (tanh's output, a matmul's operands, a dropout mask).
It does not compute them again: that would run the body's side effects a second time (an ``assign_add`` would
count twice, a print would print twice) and draw new random numbers. As TF1 keeps them on stacks, the forward
run *keeps* them: once a gradient is built, the body's run also fetches every forward value its gradient ops
read (``forward_values_read``) and hands them over — per iteration, for a loop — and the gradient run is fed
them, so that it runs gradient ops only. Reads of variables are the exception: a gradient op reads a variable
when it runs, as every reader of a variable does.

An ``IfGrad`` is itself differentiable, the same way (second-order gradients: a gradient penalty through a
``training`` switch). Its gradient is built in the same branch graphs, a level further: the gradient of the first
gradient's ops, fed the values it reads by the ``IfGrad`` run — which keeps them as the ``If`` run does, and hands
down the forward values the ``If`` kept, so a dropout mask is the one the forward drew. Second-order gradients
through ``while_loop`` are not supported, as in TF1: differentiating a ``WhileGrad`` raises TF's ``TypeError``.
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .core import Graph, Operation, Tensor, TensorShape, as_spec_shape, get_default_graph
from .frontend import _graph_for, convert_to_tensor
from .function_graph import build_func_graph, flatten, flatten_up_to, pack, same_structure
from .gradients import gradients
from .indexed_slices import as_dense
from .graph_ops import GraphOp, Placeholder
from .sparse_tensor import SparseTensor
from .tensor_array import flows_of, with_tensor_arrays


class BodyRun:
    """How a control-flow op runs one FuncGraph: feed placeholder ``ph`` with ``source[i]`` for each
    ``(ph, i)`` in ``feed_slots``, compute ``targets``. ``source`` is a list the op assembles from its inputs."""
    __slots__ = ("feed_slots", "targets")

    def __init__(self, feed_slots, targets):
        self.feed_slots = feed_slots
        self.targets = targets

    def run(self, session, source):
        return session.run_subgraph(self.targets, {ph: source[i] for ph, i in self.feed_slots})


def outer_graph_for(values):
    """Where a control-flow op goes: the graph of its tensor arguments — or the body being built inside it."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    return _graph_for(tensors) if tensors else get_default_graph()


def capture_inputs(graphs, inputs):
    """Append the outer tensors captured by ``graphs`` to ``inputs`` (once each, after the inputs already there);
    return, per graph, the feed slots of its captured placeholders and ``{input index: inner tensor}`` for every
    capture (for gradients)."""
    index = {}
    feeds, inner_of = [], []
    for fg in graphs:
        for outer in fg.captures:
            if id(outer) not in index:
                index[id(outer)] = len(inputs)
                inputs.append(outer)
        feeds.append([(ph, index[id(outer)]) for outer, ph in fg.capture_feeds()])
        inner_of.append({index[id(outer)]: stand_in for outer, stand_in in fg.captures.items()})
    return feeds, inner_of


def predicate_value(operation, array):
    if array.ndim != 0:
        raise errors.InvalidArgumentError(None, operation, f"The predicate of '{operation.name}' must be a scalar, "
                                                           f"got a value of shape {tuple(array.shape)}")
    return bool(array)


def specs_of(tensors):
    return [Spec(as_spec_shape(t.shape), t.dtype) for t in tensors]


def body_gradient(fg, ys, xs, grad_slots):
    """Inside ``fg``: the gradients of ``ys`` w.r.t. ``xs``, with a placeholder per y for its incoming gradient
    (fed from ``source[grad_slots[k]]``). Returns (grad feed slots, targets, target position per x, the new
    operations)."""
    first_new = len(fg.get_operations())
    grad_ys = [fg.make_placeholder(y.shape, y.dtype, "grad_ys") for y in ys]
    grads = gradients(ys, xs, grad_ys=grad_ys) if xs and ys else [None] * len(xs)
    grads = [as_dense(g) for g in grads]  # (a body's outputs are tensors: a lookup's IndexedSlices is made dense)
    targets = [g for g in grads if g is not None]
    positions, k = [], 0
    for g in grads:
        positions.append(None if g is None else k)
        k += g is not None
    return list(zip(grad_ys, grad_slots)), targets, positions, fg.get_operations()[first_new:]


def forward_values_read(gradient_ops, forward_graph):
    """The tensors of the forward computation that ``gradient_ops`` (ops just added by ``gradients()``) take as
    inputs — except placeholders, which a gradient run is fed anyway (loop values, captured tensors, incoming
    gradients), and variables, which each reader reads when it runs.

    That read is the value the forward run used unless the body (``forward_graph``) assigns to the variable: a
    gradient that reads such a variable directly is refused (it would silently use the variable's value of the
    moment); a read through ``v.read_value()`` is an ordinary value, kept from the forward run."""
    new = set(gradient_ops)
    read = {}
    written = None
    for op in gradient_ops:
        for t in op.inputs:
            if t.op in new or issubclass(t.op.op, Placeholder):
                continue
            if getattr(t.op.op, "holds_state", False):
                written = _variables_written(forward_graph) if written is None else written
                if t.op.attrs.get("variable", t.op) in written:
                    raise NotImplementedError(
                        f"the gradient through a loop or cond body that assigns to the variable "
                        f"{t.op.attrs.get('variable', t.op).name} reads it where the body computes with it: read it "
                        f"there through v.read_value() (or tf.identity(v)), so that the gradient uses the value the "
                        f"forward run used")
                continue
            read.setdefault(id(t), t)
    return list(read.values())


def _variables_written(graph):
    """The VariableV2 operations that ops of ``graph`` (and of the control-flow bodies in it) assign to."""
    written = set()
    for op in graph.get_operations():
        if getattr(op.op, "writes_state", False):
            written.add(op.attrs["variable"])
        for value in op.attrs.values():
            for inner in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(inner, Graph):
                    written |= _variables_written(inner)
    return written


def keep(kept, run, tensors, first_slot):
    """Have every forward run of ``run`` also fetch ``tensors``, after the ones ``kept`` already lists (``kept``
    and ``run.targets`` grow together: a second gradient of the same body keeps more). Returns the feed slots of a
    gradient run that finds the kept values from ``source[first_slot]`` on."""
    position = {id(t): k for k, t in enumerate(kept)}
    for t in tensors:
        if id(t) not in position:
            position[id(t)] = len(kept)
            kept.append(t)
            run.targets.append(t)
    return [(t, first_slot + position[id(t)]) for t in tensors]


# ------------------------------------------------------------------------------------------------ cond

class If(GraphOp):
    """Runs one of two FuncGraphs. attrs: ``branches`` (true, false), ``runs`` (a ``BodyRun`` each, over the If's
    input arrays), ``captures`` ({input index: inner tensor} each), ``outputs`` (each branch's output tensors),
    ``n_outputs``, ``kept`` (each branch's forward values that its gradients read; see ``keep``). Outputs: the
    branch's ``n_outputs`` results, then a Python list with the taken branch's kept values, which its gradient is
    fed instead of computing them again."""
    differentiable = True

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        taken = 0 if predicate_value(operation, arrays[0]) else 1
        out = attrs["runs"][taken].run(session, arrays)
        n, n_kept = attrs["n_outputs"], len(attrs["kept"][taken])
        return (*out[:n], out[len(out) - n_kept:len(out)])

    @staticmethod
    def vjp(ctx, *grads):
        return branches_gradient(ctx, grads)


class IfGrad(GraphOp):
    """The gradient of an ``If`` — or of an ``IfGrad``, for a higher order. Inputs: the differentiated op's inputs
    (its kept list aside), the gradients of its outputs, and its kept list. Runs the taken branch's gradient graph
    (attrs ``runs``, fed the source ``[*inputs[:-1], *kept list]``); outputs one gradient per wanted input (zeros
    where the taken branch does not use it), then its own kept list, as ``If``'s last output. Attrs as ``If``'s,
    plus ``wanted``, ``positions`` (per branch: the run target of each wanted input's gradient, or None),
    ``regions`` (per branch: the operations this gradient added) and ``first_kept``."""
    differentiable = True

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        taken = 0 if predicate_value(operation, arrays[0]) else 1
        values = attrs["runs"][taken].run(session, list(arrays[:-1]) + list(arrays[-1]))
        zeros = session.array_module.zeros_like
        grads = tuple(zeros(arrays[i]) if p is None else values[p]
                      for i, p in zip(attrs["wanted"], attrs["positions"][taken]))
        return (*grads, values[len(values) - len(attrs["kept"][taken]):])

    @staticmethod
    def vjp(ctx, *grads):
        return branches_gradient(ctx, grads)


def branches_gradient(ctx, grads):
    """The VJP of an ``If`` or ``IfGrad``: an ``IfGrad`` that runs, in the taken branch, the gradient of that
    branch's outputs w.r.t. its stand-ins for the wanted inputs (captured tensors; for an ``IfGrad``, also the
    gradients it was fed)."""
    operation, attrs = ctx.operation, ctx.attrs
    n_source = len(ctx.inputs) - (operation.op is IfGrad)    # the inputs a branch run reads, the kept list aside
    wanted = [i for i in range(1, n_source) if ctx.needs_input_grad[i]]
    with_grad = [k for k, g in enumerate(grads) if g is not None]
    first_kept = n_source + len(with_grad)
    runs, positions, outputs, captures, regions = [], [], [], [], []
    for branch, (fg, stand_ins) in enumerate(zip(attrs["branches"], attrs["captures"])):
        # the outputs with an incoming gradient, each with the slot its gradient is fed from
        ys = [(attrs["outputs"][branch][k], n_source + j) for j, k in enumerate(with_grad)
              if attrs["outputs"][branch][k] is not None]
        xs = [stand_ins[i] for i in wanted if i in stand_ins]
        grad_feeds, targets, where, added = body_gradient(fg, [y for y, _ in ys], xs, [slot for _, slot in ys])
        found = iter(where)
        positions.append([next(found) if i in stand_ins else None for i in wanted])
        outputs.append([None if p is None else targets[p] for p in positions[-1]])
        captures.append({**stand_ins, **{slot: ph for ph, slot in grad_feeds}})
        regions.append(added)
        fed = [(ph, slot) for ph, slot in attrs["runs"][branch].feed_slots if slot < n_source]
        read = keep_for(operation, branch, forward_values_read(added, fg), first_kept)
        runs.append(BodyRun(fed + grad_feeds + read, targets))
    inputs = list(ctx.inputs[:n_source]) + [grads[k] for k in with_grad] + [ctx.outputs[-1]]
    gradient = _graph_for(inputs).create_op(
        IfGrad, inputs, {"branches": attrs["branches"], "runs": runs, "captures": captures, "outputs": outputs,
                         "kept": [[], []], "wanted": wanted, "positions": positions, "regions": regions,
                         "first_kept": first_kept},
        specs_of([ctx.inputs[i] for i in wanted]) + [Spec((), numpy.dtype(object))], name="IfGrad")
    result = [None] * len(ctx.inputs)
    for i, g in zip(wanted, gradient.outputs):
        result[i] = g
    return result


def keep_for(operation, branch, tensors, first_slot):
    """``keep`` for the run of ``branch`` by ``operation`` (an ``If`` or ``IfGrad``). A tensor an ``IfGrad`` did
    not compute itself was computed before, by the op it differentiates (its kept list is the IfGrad's last input):
    kept there and fed to the IfGrad, never computed again — a dropout mask must stay the one the forward drew."""
    attrs = operation.attrs
    run = attrs["runs"][branch]
    if operation.op is IfGrad:
        fed = {id(t) for t, _ in run.feed_slots}
        own = set(attrs["regions"][branch])
        earlier = [t for t in tensors if t.op not in own and id(t) not in fed]
        run.feed_slots.extend(keep_for(operation.inputs[-1].op, branch, earlier, attrs["first_kept"]))
    return keep(attrs["kept"][branch], run, tensors, first_slot)


def _unpack_if_singleton(x):
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


def _merge_shapes(a, b):
    if not (a.rank_known and b.rank_known and len(a) == len(b)):
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a, b)])


def check_predicate(pred, op_name, op_type, what="pred"):
    if pred.dtype != dtypes.bool_:
        raise TypeError(f"Input '{what}' of '{op_type}' Op has type {pred.dtype.name} that does not match expected "
                        f"type of bool.")
    if pred.shape.rank_known and len(pred.shape) != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {len(pred.shape)} for '{op_name}' (op: '{op_type}') "
                         f"with input shapes: {pred.shape}.")


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``true_fn()`` if the boolean scalar tensor ``pred`` is true when the graph runs, else ``false_fn()``.

    Both functions are called once, now, to build their branch graphs; at run time only the taken branch runs.
    They must return the same nested structure of tensors with the same dtypes (static shapes are merged: a
    dimension the branches disagree on becomes None). Unless ``strict``, a 1-element list or tuple is unpacked.
    Tensors made outside the branches are captured (see function_graph.py) and computed before the choice.
    """
    true_fn, false_fn = _pick(true_fn, fn1, "true_fn", "fn1"), _pick(false_fn, fn2, "false_fn", "fn2")
    for fn, fn_name in ((true_fn, "true_fn"), (false_fn, "false_fn")):
        if not callable(fn):
            raise TypeError(f"{fn_name} must be callable.")
    if isinstance(pred, bool):
        # A Python bool is decided now: write an ordinary ``if``
        raise TypeError("pred must not be a Python bool")
    outer = outer_graph_for([pred])
    with outer.as_default():
        pred = convert_to_tensor(pred)
        op_name = outer.unique_name(name or "cond")
    check_predicate(pred, op_name, "If")
    branches = [build_func_graph(f"{op_name}_{side}", outer, fn, lift_control_inputs=True)
                for side, fn in (("true", true_fn), ("false", false_fn))]
    returned = {}  # branch -> what its function returned
    for fg, fn_name, taken in zip(branches, ("true_fn", "false_fn"), (True, False)):
        if fg.structured_outputs is None:
            raise ValueError(f"{fn_name} must have a return value.")
        if not strict:
            fg.structured_outputs = _unpack_if_singleton(fg.structured_outputs)
        # a TensorArray returned travels as its flow tensors (as a while_loop carries it), a SparseTensor as its
        # three tensors; each is made one again after
        returned[fg] = fg.structured_outputs
        fg.structured_outputs = flows_of(components_of(fg.structured_outputs))
        # an operation returned (tf.no_op(), an update made in the branch) runs with its branch, as every effect
        # there does; in its place the cond gives the predicate's value, as TF1's does
        fg.outputs = [fg.output_tensor(taken, dtypes.bool_) if isinstance(v, Operation) else fg.output_tensor(v)
                      for v in flatten(fg.structured_outputs)]
    then, other = branches
    if not same_structure(then.structured_outputs, other.structured_outputs):
        raise ValueError(f"Incompatible return values of true_fn and false_fn: The two structures don't have the "
                         f"same nested structure.\n\nFirst structure: {then.structured_outputs}\n\nSecond structure: "
                         f"{other.structured_outputs}")
    if not then.outputs:
        raise ValueError("true_fn and false_fn must return at least one result.")
    for x, y in zip(then.outputs, other.outputs):
        if x.dtype != y.dtype:
            raise ValueError(f"Outputs of true_fn and false_fn must have the same type: {x.dtype.name}, "
                             f"{y.dtype.name}")
    inputs = [pred]
    feeds, captures = capture_inputs(branches, inputs)
    runs = [BodyRun(f, fg.outputs + fg.side_effect_ops()) for f, fg in zip(feeds, branches)]
    specs = [Spec(as_spec_shape(_merge_shapes(x.shape, y.shape)), x.dtype) for x, y in zip(then.outputs,
                                                                                           other.outputs)]
    attrs = {"branches": branches, "runs": runs, "captures": captures, "outputs": [fg.outputs for fg in branches],
             "n_outputs": len(specs), "kept": [[], []]}
    # An operation made outside the branches and returned by one (tf.cond(p, lambda: train_op, tf.no_op)) is not
    # part of either: as in TF1, it runs whenever the cond does, whichever branch is taken (make it inside the
    # branch function for it to run only with its branch)
    outside = [v for fg in branches for v in flatten(fg.structured_outputs) if isinstance(v, Operation)
               and v.graph is not fg]
    # so do the outer ops that the branches' ops depend on (TF1 runs them once, whichever branch is taken)
    with outer.control_dependencies(outside + [c for fg in branches for c in fg.outer_control_inputs]):
        operation = outer.create_op(If, inputs, attrs, specs + [Spec((), numpy.dtype(object))], name=op_name,
                                    unique=False)
    outputs = pack(then.structured_outputs, operation.outputs[:len(specs)])
    return with_sparse_tensors(returned[then], with_tensor_arrays(components_of(returned[then]), outputs))


def components_of(nest):
    """``nest`` with each SparseTensor replaced by the tuple of its three tensors: what a ``cond`` branch passes on
    for it (TF's ``expand_composites``)."""
    return pack(nest, [x.components if isinstance(x, SparseTensor) else x for x in flatten(nest)])


def with_sparse_tensors(given, expanded):
    """The inverse of ``components_of``: ``expanded``, shaped like ``components_of(given)``, with a SparseTensor
    made of each tuple of components where ``given`` has one."""
    parts = flatten_up_to(given, expanded)
    return pack(given, [SparseTensor(*part) if isinstance(x, SparseTensor) else part
                        for x, part in zip(flatten(given), parts)])


def _pick(fn, old_fn, name, old_name):
    """TF1 still accepts the old argument names fn1/fn2."""
    if old_fn is not None:
        if fn is not None:
            raise TypeError(f"cond(): {name} and {old_name} may not be set simultaneously.")
        return old_fn
    if fn is None:
        raise TypeError(f"cond(): {name} argument required")
    return fn


# ------------------------------------------------------------------------------------------------ case

class CaseCheck(GraphOp):
    """``case``'s run-time errors, about its predicates (the inputs). attrs ``exclusive``: True — run before the
    case, fail if more than one predicate is true; False — run in the fallback branch of a case without default
    (reached only when every predicate is false), always fail."""

    @staticmethod
    def execute(session, operation, arrays):
        names = operation.attrs["names"]
        if not operation.attrs["exclusive"]:
            raise errors.InvalidArgumentError(None, operation, "Input error: None of conditions evaluated as True: "
                                                               + ", ".join(names))
        true = [name for name, a in zip(names, arrays) if bool(a)]
        if len(true) > 1:
            raise errors.InvalidArgumentError(None, operation, f"Input error: exclusive=True: more than 1 "
                                                               f"conditions ({', '.join(true)}) evaluated as True")
        return ()


def _case_check(preds, exclusive):
    attrs = {"exclusive": exclusive, "names": [p.name for p in preds]}   # named as the caller knows them
    return get_default_graph().create_op(CaseCheck, preds, attrs, [], name="case_check")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first ``(pred, fn)`` pair whose predicate is true, else ``default`` — built as nested
    ``cond``s. Without a default, the last pair's function is the fallback, and it is an error at run time if
    its predicate is false too. ``exclusive=True`` checks at run time that at most one predicate is true."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError("pred_fn_pairs must be a list, tuple, or dict")
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = pair
        if not isinstance(pred, Tensor) or pred.dtype != dtypes.bool_:
            raise TypeError(f"pred must be Tensor of type bool: {getattr(pred, 'name', pred)}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    pairs = list(pred_fn_pairs)
    if default is None:
        if not pairs:
            raise ValueError("case needs at least one (pred, fn) pair or a default")
        preds, last_fn = [p for p, _ in pairs], pairs[-1][1]

        def default():   # TF1 uses the last fn as the default, failing at run time if its predicate is false
            _case_check(preds, exclusive=False)
            return last_fn()
    graph = outer_graph_for([p for p, _ in pairs])
    with graph.as_default(), graph.name_scope(name):
        chain = default
        for pred, fn in reversed(pairs):
            chain = (lambda p, f, rest: lambda: cond(p, f, rest, strict=strict))(pred, fn, chain)
        if exclusive and len(pred_fn_pairs) > 1:
            with graph.control_dependencies([_case_check([p for p, _ in pred_fn_pairs], exclusive=True)]):
                return chain()
        return chain()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """The branch of ``branch_fns`` whose key is ``branch_index`` (an int32 scalar tensor), else ``default`` — or,
    without one, the branch of the largest key, as TF's. ``branch_fns``: a list of callables (keyed by their
    position), a list of ``(int, callable)`` pairs or a dict; the keys must be 0 .. len - 1. Built on ``case``:
    one ``cond`` per key, testing ``branch_index == key``."""
    pairs = sorted(branch_fns.items() if isinstance(branch_fns, dict) else
                   [p if isinstance(p, tuple) else (i, p) for i, p in enumerate(branch_fns)], key=lambda p: p[0])
    if not pairs:
        raise ValueError("switch_case needs at least one branch in branch_fns")
    if [k for k, _ in pairs] != list(range(len(pairs))):
        raise ValueError(f"branch_fns keys must form a contiguous set from 0 to {len(pairs) - 1}, got "
                         f"{[k for k, _ in pairs]}")
    if not all(callable(fn) for _, fn in pairs) or (default is not None and not callable(default)):
        raise TypeError("switch_case: every branch (and the default) must be a callable")
    index = convert_to_tensor(branch_index)
    if index.dtype not in (dtypes.int32, dtypes.int64) or (index.shape.rank_known and index.shape.rank != 0):
        raise TypeError(f"switch_case: branch_index must be an int32 scalar tensor, got {index.dtype.name} of shape "
                        f"{index.shape}")
    if default is None:  # the branch of the largest key is the fallback: it needs no test of its own
        pairs, default = pairs[:-1], pairs[-1][1]
    graph = outer_graph_for([index])
    with graph.as_default(), graph.name_scope(name):
        tests = [(ops.eq(index, convert_to_tensor(key, index.dtype)), fn) for key, fn in pairs]
        return case(tests, default=default) if tests else default()
