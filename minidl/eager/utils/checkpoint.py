"""``utils.checkpoint``: trade compute for memory — run part of a network without keeping its activations, and
run it again during the backward pass to get them back.

A recorded forward keeps every intermediate value a VJP will read until ``backward()`` has used it, so a deep
network's memory grows with its depth. ``checkpoint(block, x)`` instead runs ``block`` under ``no_grad`` (nothing
kept but the block's inputs and outputs) and records a single node for the whole block. When the backward pass
reaches that node, it runs ``block`` again, this time recording, on the same inputs (and, for dropout, the same
random numbers), and differentiates that fresh piece of tape. With the network cut into √n checkpointed segments
of √n layers, memory goes from O(n) activations to O(√n), for about one extra forward pass (Chen et al., 2016,
"Training Deep Nets with Sublinear Memory Cost").

Which tensors does the block's gradient flow to? Its explicit tensor arguments, and also the tensors it reads
from elsewhere — a module's parameters above all. The two variants of PyTorch differ here:

* ``use_reentrant=False`` (recommended): while the block runs without recording, eager's op dispatch reports
  every input that requires grad (``GradMode.watch``); all of them become inputs of the block's node, and the
  backward pass differentiates the replay with respect to them, each one an independent variable: the walk stops
  at every input, even where one's history leads to another (two arguments made from one tensor, an argument
  computed from a parameter the block also reads) — the enclosing backward pass then follows that history once.
  ``autograd.grad`` through the block, its second order, and parameters of a block whose input needs no
  gradient work as without checkpointing.
* ``use_reentrant=True`` (PyTorch's older default): the node's inputs are the explicit arguments only; the
  recomputed block is differentiated with a nested ``backward()``, which adds the parameters' gradients straight
  into their ``.grad``. When no argument requires grad there is no node at all, and PyTorch warns that the
  gradients will be None.

The block may return more than tensors — ``(hidden, None)``, a dict of tensors, a tag. Only the tensors go
through the node (the rest comes back as it was), and which ones count differs between the variants too, as in
PyTorch: the non-reentrant one finds every tensor in nested tuples, lists and dicts, the reentrant one only a
tensor returned alone or an item of a returned tuple (other containers come back untouched, without gradients,
and a named tuple as a plain tuple).
"""
import warnings

from ..autograd.function import Function
from ..engine import backward, gradients_at
from ..func.pytree import tree_flatten, tree_unflatten
from ..grad_mode import GradMode, enable_grad, no_grad
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               early_stop=True, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)``, with its activations recomputed in the backward pass instead of kept (see
    the module docstring). ``preserve_rng_state`` replays the random numbers the first run drew (dropout).
    ``context_fn``, ``determinism_check``, ``debug`` and ``early_stop`` are accepted for PyTorch's signature;
    minidl checks nothing extra and always stops the recomputation at the block's end."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
                      "use_reentrant=False is recommended; without it minidl, like PyTorch, uses "
                      "use_reentrant=True.", UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs) + " (use_reentrant=True passes "
                         "positional arguments only; use use_reentrant=False)")
    if context_fn is not None and use_reentrant:
        raise ValueError("Passing context_fn is only supported when use_reentrant=False.")
    if not GradMode.local.enabled:  # nothing will be differentiated: just run it
        return function(*args, **kwargs)
    rng_state = get_rng_state() if preserve_rng_state else None
    outside = _run_untaped(function, args, kwargs)
    outputs = outside.pop("outputs")
    arguments = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
    inputs = arguments if use_reentrant else _unique(arguments + list(outside.values()))
    if not inputs:
        if use_reentrant:
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                          stacklevel=2)
        return outputs
    leaves, rebuild = _flatten(outputs, use_reentrant)
    tensors = [i for i, leaf in enumerate(leaves) if isinstance(leaf, Tensor)]
    if not tensors:
        return outputs
    replay = _Replay(function, args, kwargs, rng_state, inputs, use_reentrant)
    results = CheckpointFunction.apply(replay, tuple(leaves[i] for i in tensors), *inputs)
    for i, result in zip(tensors, results):
        leaves[i] = result
    return rebuild(leaves)


def _flatten(outputs, reentrant):
    """``(leaves, rebuild)``: the values of the block's output that may be tensors, and the function that puts a
    list of them back into the output's structure (see the module docstring for what each variant looks into)."""
    if not reentrant:
        leaves, spec = tree_flatten(outputs)
        return leaves, lambda values: tree_unflatten(values, spec)
    if isinstance(outputs, tuple):
        return list(outputs), tuple
    return [outputs], lambda values: values[0]


def _run_untaped(function, args, kwargs):
    """Run ``function`` without recording; return ``{"outputs": ..., id: tensor}`` with every tensor requiring
    grad that its ops read (an enclosing checkpoint's watch still hears of them too)."""
    seen = {}
    enclosing = GradMode.watch

    def watch(op_args):
        for a in op_args:
            if isinstance(a, Tensor) and a._requires_grad:
                seen.setdefault(id(a), a)
        if enclosing is not None:
            enclosing(op_args)

    GradMode.watch = watch
    try:
        with no_grad():
            outputs = function(*args, **kwargs)
    finally:
        GradMode.watch = enclosing
    return {"outputs": outputs, **seen}


def _unique(tensors):
    return list({id(t): t for t in tensors}.values())


class _Replay:
    """What the block's node needs to run the block again and differentiate it."""

    def __init__(self, function, args, kwargs, rng_state, inputs, reentrant):
        self.function, self.args, self.kwargs, self.rng_state = function, args, kwargs, rng_state
        self.inputs, self.reentrant = inputs, reentrant

    def gradients(self, output_grads):
        """The gradient of every node input, from the gradients of the block's outputs."""
        # the nested backward of the reentrant variant must stop at the arguments: it runs on leaves standing in
        # for them, and reads their .grad. The other variant replays on the arguments themselves, so that its
        # gradients stay functions of them (second order), and stops its walk at every input (gradients_at)
        stand_ins = {id(a): a.detach().requires_grad_(a.requires_grad) for a in self.args
                     if isinstance(a, Tensor)} if self.reentrant else {}
        args = [stand_ins.get(id(a), a) for a in self.args]
        now = get_rng_state()
        if self.rng_state is not None:
            set_rng_state(self.rng_state)
        try:
            with enable_grad():
                outputs = self.function(*args, **self.kwargs)
        finally:
            set_rng_state(now)
        outputs = [leaf for leaf in _flatten(outputs, self.reentrant)[0] if isinstance(leaf, Tensor)]
        pairs = [(o, g) for o, g in zip(outputs, output_grads) if o.requires_grad and g is not None]
        if not pairs:
            return (None,) * len(self.inputs)
        outputs, output_grads = [o for o, _ in pairs], [g for _, g in pairs]
        if self.reentrant:  # a nested backward: parameters read inside get their .grad here and now
            backward(outputs, output_grads)
            return tuple(stand_ins[id(t)].grad for t in self.inputs)
        return gradients_at(outputs, self.inputs, output_grads, create_graph=GradMode.local.enabled)


class CheckpointFunction(Function):
    """The block's node: its forward hands back the outputs already computed untaped; its backward replays."""

    @staticmethod
    def forward(ctx, replay, outputs, *inputs):
        ctx.replay = replay
        ctx.set_materialize_grads(False)  # an output without a gradient is left out of the replay's backward
        # the replay reads the block's tensor arguments again: changed in place meanwhile, it would differentiate
        # other values; saved, they make backward refuse that, as PyTorch's checkpoint does
        ctx.save_for_backward(*(a for a in list(replay.args) + list(replay.kwargs.values()) if isinstance(a, Tensor)))
        return outputs

    @staticmethod
    def backward(ctx, *output_grads):
        ctx.saved_tensors  # reading them checks that none was changed in place since
        return (None, None) + tuple(ctx.replay.gradients(output_grads))


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list of modules) on ``input`` in ``segments`` chunks, each
    but the last under ``checkpoint`` (the last one's activations are needed right away by the backward pass)."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
                      "explicitly; without it minidl, like PyTorch, uses use_reentrant=True.", UserWarning,
                      stacklevel=2)
        use_reentrant = True
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = len(functions) // segments
    end = -1

    def run(start, stop):
        def forward(x):
            for f in functions[start:stop + 1]:
                x = f(x)
            return x
        return forward

    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
