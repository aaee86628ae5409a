"""``backward()`` and ``autograd.grad()``: the eager front-end's use of the one autodiff walk."""
import gc
import sys
import threading
from collections import Counter

from .. import ops
from ..autodiff import backprop, post_order
from ..backend import is_writeable
from .grad_mode import GradMode
from .hooks import run_gradient_hooks
from .node import AccumulateGrad, GradientEdge, Node
from .tensor import Tensor  # (tensor.py imports this module only inside Tensor.backward, so no cycle)


def clear_grad(param, set_to_none=True):
    """What ``zero_grad`` (a Module's or an Optimizer's) does to one parameter: drop its ``.grad``, or zero it in
    place — the same tensor object stays, cut from any graph that made it (``create_graph``), as in PyTorch."""
    grad = param.grad
    if grad is None:
        return
    if set_to_none:
        param.grad = None
        return
    if grad.grad_fn is not None:
        grad.detach_()
    else:
        grad.requires_grad_(False)
    grad.zero_()


def _roots(outputs, grad_outputs):
    """Check the tensors we differentiate and pair each with its incoming gradient."""
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    roots, grads = [], []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if isinstance(t, GradientEdge):  # the gradient that reaches this edge: only a given one can say its shape
            if not isinstance(g, Tensor):
                raise RuntimeError(f"grad_outputs[{i}] must be a tensor for an output given as a GradientEdge")
            roots.append(tuple(t))
            grads.append(g)
            continue
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t.is_complex():  # (which gradient for a complex output is not obvious: PyTorch asks for it)
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {t.dtype}")
            if t.numel() != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs (this output has "
                                   f"shape {list(t.shape)}); pass gradient=... with that shape")
            g = ops.ones_like(t)
        elif not isinstance(g, Tensor):
            g = ops.full_like(t, g)
        elif g.shape != t.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and output[{i}] "
                               f"has a shape of {list(t.shape)}.")
        roots.append(t._key())
        grads.append(g)
    return roots, grads


class GraphTask:
    """One ``backward()`` or ``autograd.grad()`` call, while it runs (PyTorch's graph task): what a hook may ask
    about it — whether a given node will run in it (``torch._C._will_engine_execute_node``)."""

    def __init__(self, roots, is_wanted, prune, for_grad=False):
        self.roots, self.is_wanted, self.prune, self.for_grad = roots, is_wanted, prune, for_grad
        self._running = None

    def will_execute(self, node):
        """Whether the walk reaches ``node`` and runs it: a node on a path from the outputs, which for
        ``autograd.grad`` (or ``backward(inputs=)``) must also lead to an input asked for, or be one's."""
        if self.for_grad and node.__class__ is AccumulateGrad:  # (autograd.grad runs no leaf's node)
            raise RuntimeError("A leaf node was passed to _will_engine_execute_node but we are currently running "
                               "autograd.grad(). This is currently not supported.")
        if self._running is None:
            reached = post_order([node for node, _ in self.roots],
                                 lambda n: [key[0] for key in n.input_keys if key is not None])
            self._running = set(reached)
            if self.prune:
                leads = {}
                for n in reached:  # inputs first: their answers are ready
                    leads[n] = any(self.is_wanted((n, i)) for i in range(n.n_outputs)) or any(
                        key is not None and leads[key[0]] for key in n.input_keys)
                self._running = {n for n in reached if leads[n]}
        return node in self._running


_tasks = threading.local()  # .running: the graph tasks of this thread, innermost last (a hook may call backward)


def current_graph_task():
    """The innermost ``backward()``/``autograd.grad()`` call running in this thread, or None."""
    running = getattr(_tasks, "running", None)
    return running[-1] if running else None


class _running_task:
    """``with _running_task(task):`` — ``task`` is the current graph task for the block."""

    def __init__(self, task):
        self.task = task

    def __enter__(self):
        if getattr(_tasks, "running", None) is None:
            _tasks.running = []
        _tasks.running.append(self.task)

    def __exit__(self, *exc):
        _tasks.running.pop()
        return False


def _walk(roots, grads, is_wanted, retain_graph, create_graph, prune=True, blocked=frozenset()):
    if retain_graph is None:
        retain_graph = create_graph
    previous = GradMode.local.enabled
    GradMode.local.enabled = create_graph  # the VJPs themselves are recorded only for higher-order gradients
    # the walk makes many short-lived objects but no reference cycles; pausing the cycle collector meanwhile
    # spares it repeated scans of the whole (large, long-lived) tape
    collecting = gc.isenabled()
    gc.disable()
    try:
        run_vjp = Node.backward_retaining if retain_graph else Node.backward
        if GradMode.observer is not None:  # a profiler times each node's VJP (observers.py)
            run_vjp = GradMode.observer.observe_vjp(run_vjp)
        return backprop(roots, grads, is_wanted, run_vjp, blocked, prune=prune, add=summed)
    finally:
        GradMode.local.enabled = previous
        if collecting:
            gc.enable()


def _listed(tensors):
    """``tensors`` as a list: one tensor (or GradientEdge, or anything that is not iterable: the checks that follow
    name it) is a list of one; any other iterable — a list, ``model.parameters()``, a dict's values — is listed,
    as PyTorch's ``tuple(inputs)`` does (``autograd.grad(loss, params.values())`` is how MAML is written)."""
    if isinstance(tensors, (Tensor, GradientEdge)) or not hasattr(tensors, "__iter__"):
        return [tensors]
    return list(tensors)


def _is_leaf_key(key):
    return key[0].__class__ is AccumulateGrad


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into ``leaf.grad`` for every leaf that requires grad (or only ``inputs``)."""
    tensors = _listed(tensors)
    if grad_tensors is not None:
        grad_tensors = _listed(grad_tensors)
    roots, grads = _roots(tensors, grad_tensors)
    if inputs is None:
        is_wanted = _is_leaf_key
    else:
        inputs = _listed(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        is_wanted = {t._key() for t in inputs}.__contains__
    # every recorded node leads to a leaf that requires grad: pruning is needed only for an ``inputs`` subset
    prune = inputs is not None
    with _running_task(GraphTask(roots, is_wanted, prune)):  # (until the leaves' hooks have run)
        results = _walk(roots, grads, is_wanted, retain_graph, create_graph, prune=prune)
        appearances = Counter(map(id, results.values()))
        for key in list(results):
            node = key[0]
            tensor = node.variable if node.__class__ is AccumulateGrad else None
            if tensor is None:  # a non-leaf named in ``inputs``: it keeps its grad like retain_grad() would
                continue
            g = results.pop(key)
            appearances[id(g)] -= 1
            if node.hooks:
                g = run_gradient_hooks(node.hooks, g)
            # a leaf made requires_grad_(False) or detach_()ed since the graph was recorded: its hooks still run,
            # but its .grad is left alone (PyTorch's AccumulateGrad checks requires_grad when the gradient arrives)
            if tensor._requires_grad:
                taken_whole = _held_only_here(g, appearances.get(id(g), 0))  # (asked first: a call's arguments
                _accumulate_into(tensor, g, create_graph, taken_whole)       # on the stack hold g too)
            if node.post_hooks:  # an optimizer step per parameter, as soon as its gradient is complete
                for hook in list(node.post_hooks.values()):
                    hook(tensor)
    for t in inputs or ():
        if not t.is_leaf and (t._key() in results):
            _accumulate_into(t, results[t._key()], create_graph, taken_whole=False)


def _held_only_here(g, elsewhere_in_results):
    """Whether nothing but this backward holds the gradient tensor ``g`` and its array, so that a leaf may take
    the array as its ``.grad`` instead of a copy. PyTorch's AccumulateGrad steals an incoming gradient only when
    nothing else refers to it, and clones it otherwise: the same gradient may be handed to two leaves (``a + b``),
    be the caller's own (``x.backward(g)``), or be kept by a hook or ``retain_grad()``, and the next in-place
    accumulation (a second backward, ``clip_grad_norm_``) must not reach those. Reference counts tell it here as
    they do there: besides ``elsewhere_in_results`` entries of the walk's results, ``g`` is held by the caller's
    variable, this function's argument and ``getrefcount``'s; its array by ``g`` and ``getrefcount``."""
    return sys.getrefcount(g) <= 3 + elsewhere_in_results and sys.getrefcount(g._data) <= 2


def gradients_at(outputs, inputs, grad_outputs, create_graph):
    """The gradient that reaches each of ``inputs`` (tensors) from ``outputs``, or None where none does, with the
    walk stopping at every input: each counts as an independent variable, even when one input's history leads to
    another. That is what a node that recorded a sub-graph (``utils.checkpoint``'s replay) must hand back to its
    inputs — the enclosing walk then carries each gradient on through that history once. (``autograd.grad``
    instead gives total derivatives: it would also follow the path from one input down to another, and that
    gradient would be counted twice.) No graph task is started and no hook of the inputs runs: both belong to
    the enclosing walk."""
    roots, grads = _roots(outputs, grad_outputs)
    keys = [t._key() for t in inputs]
    results = _walk(roots, grads, set(keys).__contains__, None, create_graph, blocked=frozenset(keys))
    return tuple(results.get(key) for key in keys)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize_grads):
    cotangents = _listed(grad_outputs)
    if not cotangents or any(not isinstance(g, Tensor) or g.ndim == 0 for g in cotangents):
        raise RuntimeError("autograd.grad(is_grads_batched=True): grad_outputs must be tensors with a leading "
                           "batch dim")
    count = cotangents[0].shape[0]
    rows = [grad(outputs, inputs, [g[i] for g in cotangents], retain_graph=True if i < count - 1 else retain_graph,
                 create_graph=create_graph, allow_unused=allow_unused, materialize_grads=materialize_grads)
            for i in range(count)]
    return tuple(None if any(r[k] is None for r in rows) else ops.stack([r[k] for r in rows])
                 for k in range(len(rows[0])))


def _with_input_hooks(key, g):
    """``g`` as the hooks registered on the tensor of ``key`` (``x.register_hook``) make it: ``autograd.grad``
    returns what they return, as PyTorch's does. (A non-leaf whose node the walk also passed through, for another
    input below it, has had its hooks run there too.)"""
    node, index = key
    hooks = node.hooks
    if hooks and node.__class__ is not AccumulateGrad:
        hooks = hooks.get(index)
    return run_gradient_hooks(hooks, g) if hooks else g


def summed(total, g):
    """``total + g``, two gradients of one value; ``g + total`` where ``total`` is sparse (an embedding's,
    ``sparse=True``), as PyTorch sums them: dense + sparse is the dense sum (sparse + dense is refused), and the
    sum of two sparse ones lists the entries of the later one first."""
    return g + total if total.is_sparse else total + g


def _accumulate_into(tensor, g, create_graph, taken_whole):
    """``tensor.grad += g``: in place when possible (optimizers may hold the grad tensor), fresh otherwise. A
    sparse gradient (``sparse_gradients.py``) is kept sparse, and summed as PyTorch sums it. ``taken_whole``:
    nothing else holds ``g`` (``_held_only_here``), so a first ``.grad`` may be its very array."""
    grad = tensor._grad
    if create_graph:
        tensor._grad = g if grad is None else summed(grad, g)
    elif grad is None:
        if g.is_sparse:
            tensor._grad = g.clone()  # (owning its indices and values, which the user may modify in place)
            return
        data = g._data
        # own the memory: .grad is modified in place later, by accumulation, clipping or the user
        if not (taken_whole and is_writeable(data) and data.base is None):
            data = data.copy()
        tensor._grad = Tensor._make(data)
    elif grad.is_sparse and not g.is_sparse:  # a sparse .grad meeting a dense gradient: the dense sum, new
        tensor._grad = summed(grad, g)
    elif g.is_sparse:  # into a .grad of either layout, in place (a sparse one keeps every pass's entries)
        grad.add_(g)
    else:
        grad._data += g._data
        grad._counter()[0] += 1  # an in-place change, as any: a node that saved this .grad must refuse to run


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` (a tuple) without touching any ``.grad``.
    With ``is_grads_batched``, the first dim of each of ``grad_outputs`` is a batch of cotangents: one backward
    pass each, their gradients stacked (a Jacobian, row by row, for a batch of unit vectors). (``only_inputs``
    is PyTorch's deprecated, ignored argument, still in much copied code.)"""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    inputs = _listed(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    outputs = _listed(outputs)
    if grad_outputs is not None:
        grad_outputs = _listed(grad_outputs)
    for i, t in enumerate(inputs):
        if isinstance(t, GradientEdge):
            if materialize_grads:
                raise RuntimeError("autograd.grad: materialize_grads needs tensors as inputs, not GradientEdges")
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"autograd.grad: inputs must be tensors or GradientEdges (or a sequence of them), but "
                            f"input {i} is {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(f"input {i} of autograd.grad does not require grad")
    roots, grads = _roots(outputs, grad_outputs)
    keys = [tuple(t) if isinstance(t, GradientEdge) else t._key() for t in inputs]
    is_wanted = set(keys).__contains__
    with _running_task(GraphTask(roots, is_wanted, True, for_grad=True)):  # (until the inputs' hooks have run)
        results = _walk(roots, grads, is_wanted, retain_graph, create_graph)
        results = {key: _with_input_hooks(key, g) for key, g in results.items()}
    answer = []
    for i, (t, key) in enumerate(zip(inputs, keys)):
        g = results.get(key)
        if g is None:
            if materialize_grads:
                g = ops.zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
        answer.append(g)
    return tuple(answer)
