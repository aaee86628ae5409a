"""TF functions on tensors whose rank is known only when the graph runs.

``tf.placeholder(tf.float32)``, without a shape, is TF1's most relaxed placeholder: even its rank is unknown until
a value is fed. Elementwise ops and reductions can be built without a rank; many others cannot be built here
without one — ``tf.transpose`` must know how many axes to reverse, ``tf.concat`` which axis ``-1`` is,
``x[:, 1:]`` what each ``:`` stands for — because the op library reads axes and ranks while the graph is *built*,
where TF1's kernels read them when it *runs*. Such a call is therefore specialized at run time:

1. Built with an input of unknown rank, a TF function (one decorated ``tf_op``: nearly all of ``tf.*``, and the
   operators) stops with ``UnknownRankError``. ``tf_op`` removes the ops it had added and puts ONE ``RunTimeRank``
   operation in its place, which holds the function and its arguments; its outputs have unknown shapes.
2. Their dtypes come from a *trial build*: the function built once, aside, on stand-ins of a guessed rank (2, 1,
   3, …, every dimension unknown; for a call that needs sizes too, every dimension 3, and 4 to check that the
   outputs do not depend on them). If no guess gives a graph — or the graph would keep state, draw random
   numbers, print or create variables or collections, which a second build could not repeat faithfully — the
   original error stands.
3. When a Session runs the operation, its inputs' shapes are known: the function is built for exactly those
   shapes into a small graph of its own (a ``FuncGraph``, as a ``cond`` branch is), once per shape signature, and
   run there. A rank the function refuses is the run's ``InvalidArgumentError``, as in TF1.
4. Its gradient is another ``RunTimeRank`` operation, whose function is ``tf.gradients`` of the first one's,
   built for the same shapes: gradients, and gradients of gradients, need no code of their own. An input that the
   trial build shows the outputs do not depend on gets None, as from ``tf.gradients``.

An op whose own VJP needs a rank (``reduce_prod``'s) gets its gradient the same way (``vjp_at_run_time``), and a
helper that is not a TF function can be deferred by the decorator ``rank_at_run_time`` (math_ops.py), which
``tf_op`` applies to every TF function.
"""
import collections
import itertools

from .. import ops
from ..ops.base import Spec, apply
from . import errors
from .core import TensorShape, as_spec_shape
from .frontend import _graph_for, convert_to_tensor
from .function_graph import FuncGraph, flatten, pack
from .graph_ops import GraphOp
from .indexed_slices import as_dense

#: the ranks a trial build tries for an input of unknown rank, the likeliest first
TRIAL_RANKS = (2, 1, 3, 4, 0, 5)
#: shape signatures one operation keeps built (a loop over sequences of many lengths must not grow without bound)
BUILDS_KEPT = 32


class RunTimeRank(GraphOp):
    """Builds ``attrs["function"]`` (a ``RankedFunction``) for its inputs' shapes and runs it."""
    differentiable = True
    accepts_missing_grads = True
    pure = True

    @staticmethod
    def execute(session, operation, arrays):
        return tuple(operation.attrs["function"].run(session, operation, arrays))

    @staticmethod
    def vjp(ctx, *grads):
        function, n = ctx.attrs["function"], len(ctx.inputs)
        with_grad = [k for k, g in enumerate(grads) if g is not None]
        wanted = function.connected([i for i in range(n) if ctx.needs_input_grad[i]], with_grad, ctx.operation.graph)
        if not wanted:
            return [None] * n

        def gradient(tensors):
            xs, outputs = tensors[:n], function.build_outputs(tensors[:n])
            found = _gradients([outputs[k] for k in with_grad], [xs[i] for i in wanted], grad_ys=list(tensors[n:]))
            return [ops.zeros_like(xs[i]) if g is None else as_dense(g) for i, g in zip(wanted, found)]

        inputs = list(ctx.inputs) + [grads[k] for k in with_grad]
        specs = [Spec(as_spec_shape(ctx.inputs[i].shape), ctx.inputs[i].dtype) for i in wanted]
        trial = (function.trial_inputs + [(function.trial_outputs[k], ctx.outputs[k].dtype) for k in with_grad],
                 [function.trial_inputs[i][0] for i in wanted])
        operation = _graph_for(inputs).create_op(RunTimeRank, inputs,
                                                 {"function": RankedFunction(gradient, specs, *trial)}, specs,
                                                 name="RunTimeRankGrad")
        result = [None] * n
        for i, g in zip(wanted, operation.outputs):
            result[i] = g
        return result


class RankedFunction:
    """``fn(list of input tensors) -> list of output tensors`` with the output ``specs`` (dtype; shape as far as
    known), built into a FuncGraph per input shape signature. ``trial_inputs``: the (shape, dtype) of each input the
    trial build succeeded with, ``trial_outputs`` the outputs' shapes it gave."""

    def __init__(self, fn, specs, trial_inputs, trial_outputs):
        self.fn = fn
        self.specs = specs
        self.trial_inputs, self.trial_outputs = trial_inputs, trial_outputs
        self.builds = collections.OrderedDict()   # ((shape, dtype) per input) -> (FuncGraph, outputs)

    def build_outputs(self, inputs):
        outputs = self.fn(inputs)
        if len(outputs) != len(self.specs) or any(o.dtype != s.dtype for o, s in zip(outputs, self.specs)):
            raise ValueError(f"it gave {len(outputs)} outputs of dtypes {[o.dtype.name for o in outputs]} where "
                             f"the graph was built for {[s.dtype.name for s in self.specs]}")
        return outputs

    def connected(self, wanted, with_grad, outer_graph):
        """The inputs among ``wanted`` that the outputs ``with_grad`` depend on differentiably — those that
        ``tf.gradients`` gives a gradient, not None — as the trial build shows."""
        if not wanted or not with_grad:
            return []

        def gradient_found(inputs):
            outputs = self.build_outputs(inputs)
            return _gradients([outputs[k] for k in with_grad], [inputs[i] for i in wanted])
        found = isolated_build(outer_graph, self.trial_inputs, gradient_found)[1]
        return [i for i, g in zip(wanted, found) if g is not None]

    def run(self, session, operation, arrays):
        signature = tuple((tuple(a.shape), a.dtype) for a in arrays)
        built = self.builds.get(signature)
        if built is None:
            try:
                built = isolated_build(operation.graph, [(TensorShape(s), d) for s, d in signature],
                                       self.build_outputs)
            except (ValueError, TypeError, IndexError) as error:
                shapes = ", ".join(str(list(s)) for s, _ in signature)
                raise errors.InvalidArgumentError(
                    None, operation, f"{operation.name}, built when run for inputs of shapes {shapes}: {error}") \
                    from error
            if len(self.builds) >= BUILDS_KEPT:
                self.builds.popitem(last=False)
            self.builds[signature] = built
        fg, outputs = built
        try:
            return session.run_subgraph(outputs, dict(zip(fg.inputs, arrays)))
        except errors.OpError as error:  # (named after the operation the user made, and where they made it)
            raise type(error)(error.node_def, operation, f"{operation.name}, built when run, failed in its op "
                                                         f"{error.op.name if error.op else ''}: {error.message}") \
                from error


def isolated_build(outer_graph, input_specs, build_outputs):
    """``build_outputs(placeholders)`` in a FuncGraph of its own, with collections and a variable store of its own
    too, so that nothing it does reaches the user's graph. Returns (the FuncGraph, the output tensors), or raises
    ValueError when the graph holds an op a rebuild could not repeat faithfully."""
    fg = FuncGraph("run_time_rank", outer_graph)
    fg._collections, fg._variable_store, fg._variable_scope_stack = {}, {}, []
    with fg.as_default():
        fg.inputs = [fg.make_placeholder(shape, dtype, f"arg{i}") for i, (shape, dtype) in enumerate(input_specs)]
        outputs = build_outputs(fg.inputs)
    unrepeatable = [op.name for op in fg.get_operations() if issubclass(op.op, GraphOp) and not op.op.pure]
    if unrepeatable or fg.captures or fg._collections:
        raise ValueError(f"building it adds stateful operations or collection entries "
                         f"({', '.join(unrepeatable) or ', '.join(fg._collections) or 'captures'})")
    return fg, outputs


def at_run_time(fn, args, kwargs, error):
    """The result of ``fn(*args, **kwargs)`` — which raised ``error``, an ``UnknownRankError`` — as a
    ``RunTimeRank`` operation of the default graph; ``error`` itself where the call cannot be deferred."""
    structure = _slices_opened((list(args), kwargs))
    leaves = flatten(structure)
    tensor_at = [k for k, leaf in enumerate(leaves) if _is_tensor(leaf)]
    inputs = [convert_to_tensor(leaves[k]) for k in tensor_at]
    if not any(not t.shape.rank_known for t in inputs):
        raise error
    last_result = [None]   # what ``fn`` returned (its nest), at the latest call

    def call(tensors):
        filled = list(leaves)
        for k, t in zip(tensor_at, tensors):
            filled[k] = t
        call_args, call_kwargs = _slices_closed(pack(structure, filled))
        result = fn(*call_args, **call_kwargs)
        flat = flatten(result)
        if not flat or not all(_is_tensor(t) for t in flat):
            raise ValueError(f"{fn.__name__} returned {type(result).__name__}, not tensors")
        last_result[0] = result
        return [convert_to_tensor(t) for t in flat]

    trial = _trial(inputs, call)
    if trial is None:
        raise error
    trial_inputs, outputs = trial
    structure_of_result = last_result[0]   # (the trial's successful call was the latest)
    specs = [Spec(None, t.dtype) for t in outputs]
    function = RankedFunction(call, specs, trial_inputs, [t.shape for t in outputs])
    operation = _graph_for(inputs).create_op(RunTimeRank, inputs, {"function": function}, specs, name=fn.__name__)
    return pack(structure_of_result, list(operation.outputs))


def vjp_at_run_time(ctx, grads, error):
    """The gradient of ``ctx.operation``, whose VJP stopped with ``error``, an ``UnknownRankError``: the gradient of
    the same op applied when the graph runs — a RunTimeRank's gradient, for a function that applies the op."""
    operation = ctx.operation

    def call(tensors):
        outputs = apply(operation.op, *tensors, **operation.attrs)
        return list(outputs) if isinstance(outputs, tuple) else [outputs]

    def call_and_differentiate(tensors):  # (the trial must find ranks that the op's VJP takes too)
        outputs = call(tensors)
        _gradients([outputs[k] for k, g in enumerate(grads) if g is not None],
                   [t for t, needed in zip(tensors, ctx.needs_input_grad) if needed])
        return outputs

    trial = _trial(list(operation.inputs), call_and_differentiate)
    if trial is None:
        raise error
    specs = [Spec(None, t.dtype) for t in operation.outputs]
    ctx.attrs = {"function": RankedFunction(call, specs, trial[0], [t.shape for t in trial[1]])}
    return RunTimeRank.vjp(ctx, *grads)


def _trial(inputs, call):
    """``(input specs, outputs)`` of ``call`` built on stand-ins of ``inputs`` whose unknown ranks are guessed, or
    None where no guess builds. Each guess is tried with its dims unknown; failing that (a call that needs sizes
    while it is built: ``tf.diag``), with every unknown dim 3 and then 4 — which must give the same outputs, or
    their number depends on the sizes (``tf.unstack`` without ``num``) and cannot be known ahead."""
    graph = inputs[0].graph
    guesses = list(_rank_guesses(sum(not t.shape.rank_known for t in inputs)))
    for ranks in guesses:
        specs = _guessed_specs(inputs, ranks, None)
        try:
            return specs, isolated_build(graph, specs, call)[1]
        except (ValueError, TypeError, IndexError, NotImplementedError):
            continue
    for ranks in guesses:
        try:
            built = [(specs, isolated_build(graph, specs, call)[1])
                     for specs in (_guessed_specs(inputs, ranks, size) for size in (3, 4))]
        except (ValueError, TypeError, IndexError, NotImplementedError):
            continue
        if [t.dtype for t in built[0][1]] == [t.dtype for t in built[1][1]]:
            return built[0]
    return None


def _guessed_specs(inputs, ranks, size):
    """(shape, dtype) of stand-ins for ``inputs``: the unknown ranks taken from ``ranks`` in order, and every
    unknown dim ``size`` (None: unknown)."""
    ranks = iter(ranks)
    shapes = [t.shape if t.shape.rank_known else TensorShape([None] * next(ranks)) for t in inputs]
    return [(TensorShape([size if d is None else d for d in shape]), t.dtype) for shape, t in zip(shapes, inputs)]


class _SliceParts(collections.namedtuple("_SliceParts", "start stop step")):
    """A slice among a call's arguments, opened so that its bounds are leaves: a tensor bound (``x[:, :n]``)
    becomes an input of the operation like any other tensor argument."""


def _slices_opened(value):
    """``value`` with each slice in it (however deep in lists, tuples and dicts) as its ``_SliceParts``."""
    if isinstance(value, slice):
        return _SliceParts(value.start, value.stop, value.step)
    return _rebuilt(value, _slices_opened)


def _slices_closed(value):
    if isinstance(value, _SliceParts):
        return slice(*value)
    return _rebuilt(value, _slices_closed)


def _rebuilt(value, change):
    """A list, tuple or dict like ``value`` with ``change`` applied to each element; anything else as it is."""
    if isinstance(value, dict):
        return type(value)((key, change(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)) and not isinstance(value, TensorShape):
        items = [change(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def _rank_guesses(count):
    """Ranks to try for ``count`` inputs of unknown rank: one rank for all of them first, then, for two, every
    pair of different ranks (logits and their labels: ranks r and r - 1)."""
    yield from ((rank,) * count for rank in TRIAL_RANKS)
    if count == 2:
        yield from (pair for pair in itertools.product(TRIAL_RANKS, repeat=2) if pair[0] != pair[1])


def _gradients(ys, xs, grad_ys=None):
    from .gradients import gradients  # (gradients builds on the ops that import this module)
    return gradients(ys, xs, grad_ys=grad_ys)


def _is_tensor(value):
    from .math_ops import graph_tensor  # (math_ops imports this module)
    return graph_tensor(value) is not None
