"""TF functions on tensors whose rank is known only when the graph runs.

``tf.placeholder(tf.float32)``, without a shape, is TF1's most relaxed placeholder: even its rank is unknown until
a value is fed. Elementwise ops and reductions can be built without a rank; many others cannot be built here
without one — ``tf.transpose`` must know how many axes to reverse, ``tf.concat`` which axis ``-1`` is,
``x[:, 1:]`` what each ``:`` stands for — because the op library reads axes and ranks while the graph is *built*,
where TF1's kernels read them when it *runs*. Such a call is therefore specialized at run time:

1. Built with an input of unknown rank, a TF function (one decorated ``tf_op``: nearly all of ``tf.*``, and the
   operators) stops with ``UnknownRankError``. ``tf_op`` removes the ops it had added and puts ONE ``RunTimeRank``
   operation in its place, which holds the function and its arguments; its outputs have unknown shapes.
2. Their dtypes come from a *trial build*: the function built once, aside, on stand-ins of a guessed rank (1, 2,
   3, …, every dimension unknown). If no rank gives a graph — or the graph would keep state, draw random numbers,
   print or create variables or collections, which a second build could not repeat faithfully — the original
   error stands.
3. When a Session runs the operation, its inputs' shapes are known: the function is built for exactly those
   shapes into a small graph of its own (a ``FuncGraph``, as a ``cond`` branch is), once per shape signature, and
   run there. A rank the function refuses is the run's ``InvalidArgumentError``, as in TF1.
4. Its gradient is another ``RunTimeRank`` operation, whose function is ``tf.gradients`` of the first one's,
   built for the same shapes: gradients, and gradients of gradients, need no code of their own.
"""
import collections

from .. import ops
from ..ops.base import Spec
from . import errors
from .core import TensorShape, as_spec_shape
from .frontend import _graph_for, convert_to_tensor
from .function_graph import FuncGraph, flatten, pack
from .graph_ops import GraphOp
from .indexed_slices import as_dense

#: the ranks a trial build tries for the inputs of unknown rank, the likeliest first
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
        wanted = [i for i in range(n) if ctx.needs_input_grad[i]]
        with_grad = [k for k, g in enumerate(grads) if g is not None]
        if not wanted or not with_grad:
            return [None] * n

        def gradient(tensors):
            from .gradients import gradients  # (gradients builds on the ops that import this module)
            xs, outputs = tensors[:n], function.build_outputs(tensors[:n])
            found = gradients([outputs[k] for k in with_grad], [xs[i] for i in wanted], grad_ys=list(tensors[n:]))
            return [ops.zeros_like(xs[i]) if g is None else as_dense(g) for i, g in zip(wanted, found)]

        inputs = list(ctx.inputs) + [grads[k] for k in with_grad]
        specs = [Spec(as_spec_shape(ctx.inputs[i].shape), ctx.inputs[i].dtype) for i in wanted]
        operation = _graph_for(inputs).create_op(RunTimeRank, inputs, {"function": RankedFunction(gradient, specs)},
                                                 specs, name="RunTimeRankGrad")
        result = [None] * n
        for i, g in zip(wanted, operation.outputs):
            result[i] = g
        return result


class RankedFunction:
    """``fn(list of input tensors) -> list of output tensors`` with the output ``specs`` (dtype; shape as far as known),
    built into a FuncGraph per input shape signature."""

    def __init__(self, fn, specs):
        self.fn = fn
        self.specs = specs
        self.builds = collections.OrderedDict()   # ((shape, dtype) per input) -> (FuncGraph, outputs)

    def build_outputs(self, inputs):
        outputs = self.fn(inputs)
        if len(outputs) != len(self.specs) or any(o.dtype != s.dtype for o, s in zip(outputs, self.specs)):
            raise ValueError(f"it gave {len(outputs)} outputs of dtypes {[o.dtype.name for o in outputs]} where "
                             f"the graph was built for {[s.dtype.name for s in self.specs]}")
        return outputs

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
        return session.run_subgraph(outputs, dict(zip(fg.inputs, arrays)))


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
    structure = (list(args), kwargs)
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
        call_args, call_kwargs = pack(structure, filled)
        result = fn(*call_args, **call_kwargs)
        flat = flatten(result)
        if not flat or not all(_is_tensor(t) for t in flat):
            raise ValueError(f"{fn.__name__} returned {type(result).__name__}, not tensors")
        last_result[0] = result
        return [convert_to_tensor(t) for t in flat]

    outputs = _trial(inputs, call)
    if outputs is None:
        raise error
    structure_of_result = last_result[0]   # (the trial's successful call was the latest)
    specs = [Spec(None, t.dtype) for t in outputs]
    operation = _graph_for(inputs).create_op(RunTimeRank, inputs, {"function": RankedFunction(call, specs)}, specs,
                                             name=fn.__name__)
    return pack(structure_of_result, list(operation.outputs))


def _trial(inputs, call):
    """The outputs of ``call`` built on stand-ins of ``inputs`` whose unknown ranks are guessed, or None."""
    for rank in TRIAL_RANKS:
        specs = [(t.shape if t.shape.rank_known else TensorShape([None] * rank), t.dtype) for t in inputs]
        try:
            return isolated_build(inputs[0].graph, specs, call)[1]
        except (ValueError, TypeError, IndexError, NotImplementedError):
            continue
    return None


def _is_tensor(value):
    from .math_ops import graph_tensor  # (math_ops imports this module)
    return graph_tensor(value) is not None
